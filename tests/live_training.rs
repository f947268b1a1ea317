//! The live view's stepped training (issue 16): a network trained a few epochs at a time
//! is the network `train` fits for the same request and epochs, bit for bit; every neuron
//! is drawn on the grid; a diverging rate stops with the last good weights; bad requests
//! are errors.
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
    let first = live.step(1);
    let mut frame = first.clone();
    for _ in 0..9 {
        frame = live.step(3);
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
    live.step(5);
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
    assert_eq!(live.step(2).sizes, [4, 8, 3]);
    let plane = table("plane", 200, None);
    let mut live = LiveTraining::new(
        &plane,
        &request("value", &["hidden=4", "learning_rate=0.01"]),
        10,
    )
    .unwrap();
    let a = live.step(1).test_loss;
    let b = live.step(30).test_loss;
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
    let frame = live.step(200);
    let why = frame.diverged.expect("a learning rate of 10 diverges");
    assert!(why.contains("lower learning_rate"), "{why}");
    assert!(frame.weights.iter().flatten().all(|w| w.is_finite()));
    assert_eq!(live.step(5).epoch, frame.epoch);
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
    let e =
        LiveTraining::new(&t, &TrainRequest::new("label", ModelKind::Logistic), 10).unwrap_err();
    assert!(
        e.to_string().contains("live view trains neural networks"),
        "{e}"
    );
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
