//! Numerical safety of the scorers: rows far outside any training range (`±1e308`,
//! infinities after scaling) and artifacts with `f64::MAX` weights give finite class
//! probabilities that sum to 1, through the single-row and the batch paths alike.
#![cfg(feature = "train")]

use driftlab::artifact::Artifact;
use driftlab::score::{softmax_in_place, LogisticModel, Model};
use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{train, ModelKind, TrainRequest};

fn table(name: &str) -> Table {
    let csv = driftlab::dataset::generate(name, &Default::default()).unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

fn trained(name: &str, target: &str, kind: ModelKind) -> Artifact {
    let mut request = TrainRequest::new(target, kind);
    request.created = "2025-01-01T00:00:00Z".into();
    train(&table(name), &request, &mut |_| {}).unwrap().0
}

#[track_caller]
fn assert_distribution(what: &str, p: &[f64]) {
    assert!(!p.is_empty(), "{what}: no probabilities");
    assert!(
        p.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)),
        "{what}: {p:?}"
    );
    let s: f64 = p.iter().sum();
    assert!((s - 1.0).abs() < 1e-12, "{what}: sums to {s}: {p:?}");
}

/// Hostile transformed rows of width `p`: huge values of both signs, mixed so that the
/// terms of the dot product overflow with opposite signs (∞ − ∞), and infinities.
fn hostile_rows(p: usize) -> Vec<(String, Vec<f64>)> {
    let alt = |a: f64, b: f64| (0..p).map(|j| if j % 2 == 0 { a } else { b }).collect();
    vec![
        ("all 1e308".into(), vec![1e308; p]),
        ("all -1e308".into(), vec![-1e308; p]),
        ("alternating ±1e308".into(), alt(1e308, -1e308)),
        ("alternating ±MAX".into(), alt(f64::MAX, -f64::MAX)),
        (
            "alternating ±∞".into(),
            alt(f64::INFINITY, f64::NEG_INFINITY),
        ),
        (
            "one +∞".into(),
            (0..p)
                .map(|j| if j == 0 { f64::INFINITY } else { 0.0 })
                .collect(),
        ),
    ]
}

fn check_model(what: &str, a: &Artifact) {
    let p = a.model.n_features();
    let rows = hostile_rows(p);
    let mut flat = Vec::new();
    for (name, row) in &rows {
        let one = a.model.predict_row(row).unwrap();
        assert_distribution(&format!("{what}, {name}, single row"), &one.probabilities);
        flat.extend_from_slice(row);
    }
    let (mut values, mut probabilities) = (Vec::new(), Vec::new());
    let k = a
        .model
        .predict_batch_into(&flat, p, &mut values, &mut probabilities)
        .unwrap();
    for ((name, row), chunk) in rows.iter().zip(probabilities.chunks(k)) {
        assert_distribution(&format!("{what}, {name}, batch"), chunk);
        // the batch path gives the single-row numbers exactly
        let one = a.model.predict_row(row).unwrap();
        assert_eq!(chunk, &one.probabilities[..], "{what}, {name}");
    }
}

#[test]
fn binary_logistic_probabilities_stay_finite() {
    let a = trained("breast_cancer", "diagnosis", ModelKind::Logistic);
    assert!(matches!(a.model, Model::Logistic(_)));
    check_model("binary logistic", &a);
    // a row of 1e308 raw values through the pipeline (the scaler makes some infinite)
    let names = a
        .schema
        .columns
        .iter()
        .map(|c| c.name.clone())
        .collect::<Vec<_>>();
    for v in ["1e308", "-1e308"] {
        let csv = format!("{}\n{}\n", names.join(","), vec![v; names.len()].join(","));
        let t = read_csv(csv.as_bytes(), &ReadOptions::default())
            .unwrap()
            .table;
        for s in a.score_table(&t).unwrap() {
            assert_distribution(&format!("raw row of {v}"), &s.prediction.probabilities);
        }
    }
}

#[test]
fn multinomial_logistic_and_naive_bayes_stay_finite() {
    check_model(
        "multinomial logistic",
        &trained("iris", "species", ModelKind::Logistic),
    );
    check_model(
        "gaussian-nb",
        &trained("iris", "species", ModelKind::GaussianNb),
    );
}

#[test]
fn an_artifact_with_max_weights_gives_finite_probabilities() {
    let a = trained("breast_cancer", "diagnosis", ModelKind::Logistic);
    let mut v: serde_json::Value = serde_json::from_slice(&a.to_bytes().unwrap()).unwrap();
    v["model"]["weights"][0] = f64::MAX.into();
    v["model"]["weights"][1] = (-f64::MAX).into();
    v["model"]["intercepts"][0] = f64::MAX.into();
    v.as_object_mut().unwrap().remove("hash");
    let mut edited: Artifact = serde_json::from_value(v).unwrap();
    edited.hash = edited.content_hash().unwrap();
    let edited = Artifact::from_bytes(&edited.to_bytes().unwrap()).unwrap();
    check_model("f64::MAX weights", &edited);
    for s in edited.score_table(&table("breast_cancer")).unwrap() {
        assert_distribution("f64::MAX weights, the table", &s.prediction.probabilities);
    }
}

#[test]
fn softmax_handles_infinite_and_nan_logits() {
    let cases: [(&[f64], &[f64]); 6] = [
        (
            &[1.0, 2.0, 3.0],
            &[0.0900305731703805, 0.2447284710547976, 0.6652409557748219],
        ),
        (&[f64::INFINITY, 0.0, f64::INFINITY], &[0.5, 0.0, 0.5]),
        (&[f64::NEG_INFINITY, f64::NEG_INFINITY], &[0.5, 0.5]),
        (&[f64::NAN, 0.0], &[0.0, 1.0]),
        (&[f64::NAN, f64::NAN, f64::NAN, f64::NAN], &[0.25; 4]),
        (&[1e308, -1e308, 0.0], &[1.0, 0.0, 0.0]),
    ];
    for (z, want) in cases {
        let mut p = z.to_vec();
        softmax_in_place(&mut p);
        assert_distribution(&format!("{z:?}"), &p);
        for (a, b) in p.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{z:?}: {p:?} != {want:?}");
        }
    }
}

/// A binary logistic model whose logit is the first feature: `σ(x₀)`.
fn identity_logit(positive: usize) -> Model {
    Model::Logistic(LogisticModel {
        n_classes: 2,
        weights: vec![1.0, 0.0],
        intercepts: vec![0.0],
        positive,
    })
}

#[test]
fn sigmoid_is_exact_at_zero_and_saturates_at_the_ends() {
    // the scorer's own exponential (issue 3): exp(0) = 1, so a logit of 0 is even odds and
    // goes to the positive class; beyond the exponential's range the sigmoid is exactly 0 or 1
    let cases: [(f64, f64); 9] = [
        (0.0, 0.5),
        (-0.0, 0.5),
        (800.0, 1.0),
        (-800.0, 0.0),
        (1e308, 1.0),
        (-1e308, 0.0),
        (f64::INFINITY, 1.0),
        (f64::NEG_INFINITY, 0.0),
        (40.0, 1.0),
    ];
    for positive in [0, 1] {
        let m = identity_logit(positive);
        let mut flat = Vec::new();
        for &(z, want) in &cases {
            let r = m.predict_row(&[z, 0.0]).unwrap();
            assert_eq!(r.probabilities[positive], want, "σ({z})");
            assert_eq!(r.probabilities[1 - positive], 1.0 - want, "σ({z})");
            let class = if want >= 0.5 { positive } else { 1 - positive };
            assert_eq!(r.value, class as f64, "σ({z})");
            flat.extend_from_slice(&[z, 0.0]);
        }
        let (mut values, mut probabilities) = (Vec::new(), Vec::new());
        m.predict_batch_into(&flat, 2, &mut values, &mut probabilities)
            .unwrap();
        for (i, &(z, want)) in cases.iter().enumerate() {
            assert_eq!(probabilities[2 * i + positive], want, "batch σ({z})");
        }
    }
}

#[test]
fn sigmoid_batch_equals_single_rows_across_the_exponential_range() {
    // logits from deep underflow (subnormal e^−z) through overflow, densely near zero
    let mut logits: Vec<f64> = (-2000..=2000).map(|i| f64::from(i) * 0.37).collect();
    logits.extend((-500..=500).map(|i| f64::from(i) * 1e-3));
    logits.extend([-745.2, -745.1, -709.8, -709.7, 709.7, 709.8, 745.1, 745.2]);
    for positive in [0, 1] {
        let m = identity_logit(positive);
        let flat: Vec<f64> = logits.iter().flat_map(|&z| [z, 0.0]).collect();
        let (mut values, mut probabilities) = (Vec::new(), Vec::new());
        m.predict_batch_into(&flat, 2, &mut values, &mut probabilities)
            .unwrap();
        let mut previous = 0.0;
        for (i, &z) in logits.iter().enumerate() {
            let r = m.predict_row(&[z, 0.0]).unwrap();
            assert_distribution(&format!("σ({z})"), &r.probabilities);
            assert_eq!(values[i].to_bits(), r.value.to_bits(), "σ({z})");
            for c in 0..2 {
                assert_eq!(
                    probabilities[2 * i + c].to_bits(),
                    r.probabilities[c].to_bits(),
                    "σ({z}), class {c}"
                );
            }
            // within 1e-15 of the sigmoid through libm's exponential
            let reference = 1.0 / (1.0 + libm::exp(-z));
            let p = r.probabilities[positive];
            assert!(
                (p - reference).abs() <= 1e-15,
                "σ({z}) = {p} vs {reference}"
            );
            if i < 4001 {
                assert!(p >= previous, "σ is monotone: σ({z}) = {p} < {previous}");
                previous = p;
            }
        }
    }
}
