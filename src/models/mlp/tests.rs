use super::*;
use crate::models::{ModelKind, ModelParams};

fn tiny() -> MlpModel {
    MlpModel {
        sizes: vec![2, 2, 2],
        activations: vec![Activation::Tanh],
        weights: vec![vec![1.0, -1.0, 0.5, 0.5], vec![2.0, 0.0, -2.0, 0.0]],
        biases: vec![vec![0.0, 0.1], vec![0.0, 0.0]],
        n_classes: 2,
    }
}

#[test]
fn a_hand_made_network_scores_as_written() {
    let m = tiny();
    m.validate(2).unwrap();
    let p = m.predict(&[0.3, 0.1]).unwrap();
    let h0 = libm::tanh(0.3 - 0.1);
    let z = [2.0 * h0, -2.0 * h0];
    let e1 = crate::score::exp(z[1] - z[0]);
    assert_eq!(p.value, 0.0);
    assert_eq!(p.probabilities, vec![1.0 / (1.0 + e1), e1 / (1.0 + e1)]);
}

#[test]
fn tampered_networks_are_refused() {
    type Tamper = Box<dyn Fn(&mut MlpModel)>;
    let cases: Vec<(&str, Tamper)> = vec![
        ("inputs", Box::new(|m| m.sizes[0] = 3)),
        ("no neurons", Box::new(|m| m.sizes[1] = 0)),
        (
            "weights",
            Box::new(|m| m.weights[0].pop().map(|_| ()).unwrap_or(())),
        ),
        ("biases", Box::new(|m| m.biases[1].push(0.0))),
        ("nan", Box::new(|m| m.weights[1][0] = f64::NAN)),
        ("inf bias", Box::new(|m| m.biases[0][0] = f64::INFINITY)),
        (
            "activations",
            Box::new(|m| m.activations.push(Activation::Relu)),
        ),
        ("classes", Box::new(|m| m.n_classes = 3)),
        (
            "layers",
            Box::new(|m| {
                m.weights.pop();
            }),
        ),
    ];
    for (what, tamper) in cases {
        let mut m = tiny();
        tamper(&mut m);
        assert!(m.validate(2).is_err(), "{what} accepted");
    }
}

#[test]
fn parameters_read_lists_and_refuse_empty_layers() {
    let p = ModelParams::parse(ModelKind::Mlp, &["hidden=8, 8,8", "activation=relu"]).unwrap();
    let ModelParams::Mlp(p) = p else {
        unreachable!()
    };
    assert_eq!(p.hidden.0, vec![8, 8, 8]);
    assert_eq!(
        p.activation.per_layer(3).unwrap(),
        vec![Activation::Relu; 3]
    );
    let none = ModelParams::parse(ModelKind::Mlp, &["hidden=none"]).unwrap();
    assert_eq!(none.values()["hidden"].to_string(), "none");
    for bad in [
        "hidden=4,0",
        "hidden=1,1,1,1,1,1,1",
        "hidden=300",
        "activation=tanh,soft",
        "epochs=0",
        "learning_rate=0",
    ] {
        let e = ModelParams::parse(ModelKind::Mlp, &[bad])
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected"), "{bad}: {e}");
    }
}

#[cfg(feature = "train")]
mod training {
    use super::*;
    use crate::models::mlp::fit::MlpTarget;

    fn xor(n: usize) -> (Vec<f64>, Vec<usize>) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let a = ((i * 37) % 101) as f64 / 50.0 - 1.0;
            let b = ((i * 53) % 97) as f64 / 48.0 - 1.0;
            x.extend([a, b]);
            y.push(usize::from((a > 0.0) != (b > 0.0)));
        }
        (x, y)
    }

    fn params(pairs: &[&str]) -> MlpParams {
        match ModelParams::parse(ModelKind::Mlp, pairs).unwrap() {
            ModelParams::Mlp(p) => p,
            _ => unreachable!(),
        }
    }

    #[test]
    fn learns_xor_and_the_same_seed_gives_the_same_bits() {
        let (x, y) = xor(200);
        let p = params(&["hidden=4,4", "learning_rate=0.1"]);
        let run = || {
            let mut t = MlpTrainer::new(&p, &x, 2, MlpTarget::Classes(&y, 2), 7).unwrap();
            let first = t.epoch().loss;
            for _ in 0..150 {
                t.epoch();
            }
            (first, t.epoch().loss, t.model())
        };
        let (first, last, model) = run();
        assert!(last < first / 3.0, "{first} → {last}");
        let right = x
            .chunks(2)
            .zip(&y)
            .filter(|(r, &c)| model.predict(r).unwrap().value == c as f64)
            .count();
        assert!(right >= 190, "{right}/200");
        assert_eq!(run().2, model);
    }

    #[test]
    fn adam_l1_l2_and_squared_loss_train_too() {
        let (x, y) = xor(200);
        for extra in [
            &["solver=adam", "learning_rate=0.01"][..],
            &["regularization=l2", "regularization_rate=0.001"],
            &["regularization=l1", "regularization_rate=0.001"],
            &["loss=squared", "learning_rate=0.3"],
            &["activation=relu,sigmoid"],
        ] {
            let mut pairs = vec!["hidden=6,4"];
            pairs.extend_from_slice(extra);
            let mut t =
                MlpTrainer::new(&params(&pairs), &x, 2, MlpTarget::Classes(&y, 2), 1).unwrap();
            let first = t.epoch().loss;
            let mut last = first;
            for _ in 0..200 {
                last = t.epoch().loss;
            }
            assert!(last < first, "{extra:?}: {first} → {last}");
        }
    }

    #[test]
    fn a_regressor_learns_the_target_on_its_own_scale() {
        let x: Vec<f64> = (0..100).map(|i| i as f64 / 50.0 - 1.0).collect();
        let y: Vec<f64> = x.iter().map(|v| 1_000.0 + 300.0 * v).collect();
        let mut t = MlpTrainer::new(
            &params(&["hidden=none", "learning_rate=0.1"]),
            &x,
            1,
            MlpTarget::Values(&y),
            3,
        )
        .unwrap();
        for _ in 0..100 {
            t.epoch();
        }
        let m = t.model();
        assert_eq!(m.task(), Task::Regression);
        let v = m.predict(&[0.5]).unwrap().value;
        assert!((v - 1_150.0).abs() < 1.0, "{v}");
    }

    #[test]
    fn a_diverging_rate_stops_and_keeps_the_last_good_weights() {
        let (x, y) = xor(200);
        let y: Vec<f64> = y.iter().map(|&c| c as f64 * 1e6).collect();
        let mut t = MlpTrainer::new(
            &params(&["hidden=8", "activation=relu", "learning_rate=10"]),
            &x,
            2,
            MlpTarget::Values(&y),
            3,
        )
        .unwrap();
        let mut stopped = None;
        for _ in 0..50 {
            let r = t.epoch();
            if r.diverged.is_some() {
                stopped = Some(r);
                break;
            }
        }
        let r = stopped.expect("a learning rate of 10 diverges");
        assert!(r.diverged.unwrap().contains("lower learning_rate"));
        t.model().validate(2).unwrap();
        assert_eq!(
            t.epoch().epoch,
            r.epoch,
            "no more epochs after a divergence"
        );
    }

    #[test]
    fn bad_requests_are_errors() {
        let (x, y) = xor(20);
        let mut p = params(&[]);
        p.hidden = Layers(vec![3, 0]);
        let e = MlpTrainer::new(&p, &x, 2, MlpTarget::Classes(&y, 2), 1).unwrap_err();
        assert!(e.contains("layer 2 has no neurons"), "{e}");
        let p = params(&["hidden=3,3", "activation=tanh,relu,relu"]);
        assert!(MlpTrainer::new(&p, &x, 2, MlpTarget::Classes(&y, 2), 1).is_err());
        assert!(MlpTrainer::new(&params(&[]), &x, 2, MlpTarget::Classes(&[0; 20], 1), 1).is_err());
    }
}
