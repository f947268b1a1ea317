//! The live view's stepped training (issue 16): a network trained a few epochs at a time
//! is the network `train` fits for the same request and epochs, bit for bit; logistic
//! regression steps one L-BFGS iteration and boosting one tree at a time, and finishing
//! gives Train's artifact for the count on screen; every neuron is drawn on the grid; a
//! diverging rate stops with the last good weights; bad requests are errors.
#![cfg(feature = "train")]

use driftlab::dataset::{self, DatasetOptions};
use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{train, LiveTraining, ModelKind, ModelParams, TrainRequest};

fn table(name: &str, rows: usize, noise: Option<f64>) -> Table {
    let options = DatasetOptions {
        rows: Some(rows),
        noise,
        ..Default::default()
    };
    let csv = dataset::generate(name, &options).unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

fn request(target: &str, pairs: &[&str]) -> TrainRequest {
    let mut r = TrainRequest::new(target, ModelKind::Mlp);
    r.params = ModelParams::parse(ModelKind::Mlp, pairs).unwrap();
    r
}

#[test]
fn stepped_training_is_the_batch_training_bit_for_bit() {
    let t = table("xor", 300, Some(0.05));
    let mut live = LiveTraining::new(
        &t,
        &request("label", &["hidden=4,4", "learning_rate=0.1"]),
        20,
    )
    .unwrap();
    let first = live.step(1).unwrap();
    let mut frame = first.clone();
    for _ in 0..9 {
        frame = live.step(3).unwrap();
    }
    assert_eq!(frame.epoch, 28);
    assert!(frame.train_loss < first.train_loss && frame.test_loss.is_finite());
    assert_eq!(frame.sizes, [2, 4, 4, 2]);
    let (stepped, ev) = live.finish(&t).unwrap();
    let (batch, _) = train(
        &t,
        &request("label", &["hidden=4,4", "learning_rate=0.1", "epochs=28"]),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(stepped.to_bytes().unwrap(), batch.to_bytes().unwrap());
    assert_eq!(live.request().params.values()["epochs"].to_string(), "28");
    assert!(ev.metrics.unwrap().accuracy().unwrap() > 0.8);
}

#[test]
fn every_neuron_is_drawn_on_the_grid() {
    let t = table("circles", 200, None);
    let mut r = request("label", &["hidden=3,2"]);
    let mut pipeline = driftlab::PipelineSpec::default_for(&t, Some("label")).unwrap();
    pipeline.crosses = vec![driftlab::prep::Cross::parse("x^2").unwrap()];
    r.pipeline = Some(pipeline);
    let mut live = LiveTraining::new(&t, &r, 16).unwrap();
    live.step(5).unwrap();
    assert_eq!(live.features(), ["x", "y", "x^2"]);
    let n = live.neurons().unwrap();
    assert_eq!((n.size, n.neurons), (16, 3 + 3 + 2 + 2));
    assert_eq!(n.values.len(), 10 * 256);
    assert!(n.values.iter().all(|v| (-1.0..=1.0).contains(v)));
    // the x feature grows left to right, y top to bottom falls; x^2 is lowest in the middle
    let at = |k: usize, i: usize, j: usize| n.values[k * 256 + j * 16 + i];
    assert!(at(0, 0, 5) < at(0, 15, 5) && at(1, 5, 0) > at(1, 5, 15));
    assert!(at(2, 0, 3) > at(2, 8, 3) && at(2, 15, 3) > at(2, 8, 3));
    // the two outputs are 2p − 1 of probabilities that sum to 1
    assert!((at(8, 4, 4) + at(9, 4, 4)).abs() < 1e-5);
    assert_eq!(live.live_points().len(), 200);
    assert_eq!(live.live_points().iter().filter(|p| p.test).count(), 50);
}

#[test]
fn tables_train_live_without_a_grid_and_regressors_too() {
    let csv = dataset::generate("iris", &Default::default()).unwrap();
    let iris = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let mut live = LiveTraining::new(&iris, &request("species", &["hidden=8"]), 20).unwrap();
    assert!(live.neurons().is_none());
    assert_eq!(live.step(2).unwrap().sizes, [4, 8, 3]);
    let plane = table("plane", 200, None);
    let mut live = LiveTraining::new(
        &plane,
        &request("value", &["hidden=4", "learning_rate=0.01"]),
        10,
    )
    .unwrap();
    let a = live.step(1).unwrap().test_loss;
    let b = live.step(30).unwrap().test_loss;
    assert!(b < a, "{a} → {b}");
    assert_eq!(live.neurons().unwrap().neurons, 2 + 4 + 1);
}

#[test]
fn a_diverging_rate_stops_and_says_so() {
    let t = table("plane", 200, Some(0.1));
    let mut live = LiveTraining::new(
        &t,
        &request(
            "value",
            &["hidden=8,8", "activation=relu", "learning_rate=10"],
        ),
        10,
    )
    .unwrap();
    let frame = live.step(200).unwrap();
    let why = frame.diverged.expect("a learning rate of 10 diverges");
    assert!(why.contains("lower learning_rate"), "{why}");
    assert!(frame.weights.iter().flatten().all(|w| w.is_finite()));
    assert_eq!(live.step(5).unwrap().epoch, frame.epoch);
    // the last good network still makes an artifact (unless no epoch was good)
    if frame.epoch > 0 {
        live.finish(&t).unwrap();
    } else {
        assert!(live
            .finish(&t)
            .unwrap_err()
            .to_string()
            .contains("no epoch"));
    }
}

#[test]
fn bad_requests_are_errors() {
    let t = table("xor", 50, None);
    let e = LiveTraining::new(&t, &TrainRequest::new("label", ModelKind::Knn), 10).unwrap_err();
    assert!(
        e.to_string().contains("live view trains neural networks"),
        "{e}"
    );
    // logistic regression classifies only
    let plane = table("plane", 50, None);
    let e = LiveTraining::new(&plane, &TrainRequest::new("value", ModelKind::Logistic), 10)
        .unwrap_err();
    assert!(e.to_string().contains("logistic"), "{e}");
    let live = LiveTraining::new(&t, &TrainRequest::new("label", ModelKind::Boosting), 10).unwrap();
    assert!(live.finish(&t).unwrap_err().to_string().contains("no step"));
    let mut one = TrainRequest::new("label", ModelKind::Mlp);
    one.target = Some("x".into());
    one.task = driftlab::train::TaskChoice::Classification;
    assert!(LiveTraining::new(&t, &one, 10).is_err());
    let csv = b"x,y,label\n1,2,a\n2,3,a\n3,4,a\n4,5,a\n";
    let single = read_csv(csv, &ReadOptions::default()).unwrap().table;
    let e = LiveTraining::new(&single, &request("label", &[]), 10).unwrap_err();
    assert!(e.to_string().contains("only one class"), "{e}");
    let live = LiveTraining::new(&t, &request("label", &[]), 10).unwrap();
    assert!(live
        .finish(&t)
        .unwrap_err()
        .to_string()
        .contains("no epoch"));
}

fn kind_request(kind: ModelKind, target: &str, pairs: &[&str]) -> TrainRequest {
    let mut r = TrainRequest::new(target, kind);
    r.params = ModelParams::parse(kind, pairs).unwrap();
    r
}

fn artifact_bytes(t: &Table, r: &TrainRequest) -> Vec<u8> {
    train(t, r, &mut |_| {}).unwrap().0.to_bytes().unwrap()
}

#[test]
fn logistic_steps_one_lbfgs_iteration_and_ends_as_train() {
    let t = table("circles", 300, Some(0.05));
    let mut r = kind_request(ModelKind::Logistic, "label", &[]);
    let mut pipeline = driftlab::PipelineSpec::default_for(&t, Some("label")).unwrap();
    pipeline.crosses = ["x^2", "y^2"]
        .iter()
        .map(|c| driftlab::prep::Cross::parse(c).unwrap())
        .collect();
    r.pipeline = Some(pipeline);
    let mut live = LiveTraining::new(&t, &r, 16).unwrap();
    assert_eq!(live.unit(), ("max_iterations", "iteration"));
    let zero = live.frame();
    assert_eq!((zero.epoch, zero.sizes.clone()), (0, vec![4, 1]));
    assert!((zero.train_loss - std::f64::consts::LN_2).abs() < 1e-12);
    let one = live.step(1).unwrap();
    let two = live.step(1).unwrap();
    let three = live.step(1).unwrap();
    assert_eq!((one.epoch, two.epoch, three.epoch), (1, 2, 3));
    assert!(three.train_loss < one.train_loss, "{one:?} → {three:?}");
    assert_eq!(three.weights[0].len(), 4);
    assert!(!three.done);
    // the model after three iterations is Train's with max_iterations = 3
    let mut at3 = r.clone();
    at3.params = ModelParams::parse(ModelKind::Logistic, &["max_iterations=3"]).unwrap();
    let (stepped, _) = live.finish(&t).unwrap();
    assert_eq!(stepped.to_bytes().unwrap(), artifact_bytes(&t, &at3));
    let n = live.neurons().unwrap();
    assert_eq!(n.neurons, 4 + 1);
    // played to the end: the solver stops on its own, and the artifact is Train's as asked
    let mut last = three;
    for _ in 0..200 {
        last = live.step(5).unwrap();
        if last.done {
            break;
        }
    }
    assert!(last.done && last.epoch < 100, "{last:?}");
    assert_eq!(last.repro, 100);
    assert!(last.test_loss < 0.3, "{last:?}");
    assert_eq!(live.step(5).unwrap().epoch, last.epoch);
    let (done, ev) = live.finish(&t).unwrap();
    assert_eq!(done.to_bytes().unwrap(), artifact_bytes(&t, &r));
    assert!(ev.metrics.unwrap().accuracy().unwrap() > 0.9);
    // three classes: an output neuron per class
    let csv = dataset::generate("iris", &Default::default()).unwrap();
    let iris = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let mut live =
        LiveTraining::new(&iris, &kind_request(ModelKind::Logistic, "species", &[]), 8).unwrap();
    let f = live.step(2).unwrap();
    assert_eq!((f.sizes.clone(), f.weights[0].len()), (vec![4, 3], 12));
    assert!(live.neurons().is_none());
}

#[test]
fn boosting_steps_one_tree_and_ends_as_train() {
    let t = table("xor", 300, Some(0.05));
    // without early stopping, frame i is the model Train fits with n_iterations = i
    let r = kind_request(
        ModelKind::Boosting,
        "label",
        &["n_iterations=30", "validation_fraction=0", "max_leaves=8"],
    );
    let mut live = LiveTraining::new(&t, &r, 16).unwrap();
    assert_eq!(live.unit(), ("n_iterations", "tree"));
    let one = live.step(1).unwrap();
    assert_eq!((one.epoch, one.sizes.clone()), (1, vec![2, 1]));
    let mut frame = one.clone();
    for _ in 0..9 {
        frame = live.step(1).unwrap();
    }
    assert_eq!(frame.epoch, 10);
    assert!(frame.train_loss < one.train_loss && frame.test_loss < one.test_loss);
    assert_eq!(frame.validation_loss, None);
    let (stepped, _) = live.finish(&t).unwrap();
    let mut at10 = r.clone();
    at10.params = ModelParams::parse(
        ModelKind::Boosting,
        &["n_iterations=10", "validation_fraction=0", "max_leaves=8"],
    )
    .unwrap();
    assert_eq!(stepped.to_bytes().unwrap(), artifact_bytes(&t, &at10));
    let n = live.neurons().unwrap();
    assert_eq!(n.neurons, 2 + 1);
    let last = live.step(100).unwrap();
    assert!(
        last.done && last.epoch == 30 && last.repro == 30,
        "{last:?}"
    );
    assert_eq!(
        live.finish(&t).unwrap().0.to_bytes().unwrap(),
        artifact_bytes(&t, &r)
    );
    // with early stopping (the default): the validation curve, and the end is Train's
    let r = kind_request(ModelKind::Boosting, "label", &[]);
    let mut live = LiveTraining::new(&t, &r, 16).unwrap();
    let f = live.step(3).unwrap();
    assert!(f.validation_loss.is_some_and(f64::is_finite));
    let mut last = f;
    while !last.done {
        last = live.step(7).unwrap();
    }
    assert_eq!(last.repro, 100);
    assert_eq!(
        live.finish(&t).unwrap().0.to_bytes().unwrap(),
        artifact_bytes(&t, &r)
    );
    // multiclass and regression
    let csv = dataset::generate("iris", &Default::default()).unwrap();
    let iris = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let mut live = LiveTraining::new(
        &iris,
        &kind_request(ModelKind::Boosting, "species", &["n_iterations=5"]),
        8,
    )
    .unwrap();
    assert_eq!(live.step(1).unwrap().sizes, [4, 3]);
    let plane = table("plane", 200, None);
    let mut live = LiveTraining::new(
        &plane,
        &kind_request(ModelKind::Boosting, "value", &["n_iterations=20"]),
        10,
    )
    .unwrap();
    let a = live.step(1).unwrap().train_loss;
    let b = live.step(10).unwrap().train_loss;
    assert!(b < a, "{a} → {b}");
    let n = live.neurons().unwrap();
    assert!(n.values.iter().all(|v| (-1.0..=1.0).contains(v)));
}

#[test]
fn training_boosting_with_maps_sends_the_map_of_the_trees_so_far() {
    use driftlab::train::{train_with_maps, MAP_STEPS};
    let t = table("moons", 400, Some(0.2));
    let r = kind_request(
        ModelKind::Boosting,
        "label",
        &["n_iterations=120", "validation_fraction=0"],
    );
    let mut maps = Vec::new();
    let (artifact, _) = train_with_maps(&t, &r, Some((20, 50)), &mut |p| {
        if let Some(m) = p.map {
            maps.push((p.step, m));
        }
    })
    .unwrap();
    let steps: Vec<u64> = maps.iter().map(|(s, _)| *s).collect();
    assert!(
        steps.len() >= 10 && steps.len() as u64 <= MAP_STEPS + 2,
        "{steps:?}"
    );
    assert!(
        steps.windows(2).all(|w| w[0] < w[1]) && steps[0] == 1,
        "{steps:?}"
    );
    // the last map is the final model's, as the page draws it after training
    let (last, map) = maps.last().unwrap();
    assert_eq!(*last, 120);
    let after = driftlab::decision_grid::decision_grid(&artifact, &t, 20, 50).unwrap();
    assert_eq!(
        (&map.class, &map.confidence),
        (&after.class, &after.confidence)
    );
    assert_eq!(map.points.len(), after.points.len());
    // the first tree's map differs from the last's (the model changes as it trains)
    assert_ne!(maps[0].1.confidence, map.confidence);
    // no maps unless asked, and none for a regressor or a table of more inputs
    let mut any = false;
    train(&t, &r, &mut |p| any |= p.map.is_some()).unwrap();
    assert!(!any);
    let plane = table("plane", 200, None);
    let r = kind_request(ModelKind::Boosting, "value", &["n_iterations=10"]);
    train_with_maps(&plane, &r, Some((20, 50)), &mut |p| any |= p.map.is_some()).unwrap();
    assert!(!any);
}
