//! Scorer ↔ linfa parity (issue 3): for every model kind on every bundled table, the
//! artifact's scorer, run on the raw test rows, gives exactly linfa's predictions at training
//! time — classes equal, probabilities and regression values within 1e-12 — and the
//! artifact survives `to_bytes` / `from_bytes` with the same predictions.
#![cfg(feature = "train")]

use driftlab::artifact::Artifact;
use driftlab::dataset::{self, DatasetOptions};
use driftlab::score::Task;
use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{train, ModelKind, ModelParams, TrainRequest};

fn table(name: &str, rows: Option<usize>) -> Table {
    let csv = dataset::generate(
        name,
        &DatasetOptions {
            rows,
            ..Default::default()
        },
    )
    .unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

/// (dataset, target, row cap) — classification and regression tables bundled with driftlab.
const CLASSIFICATION: &[(&str, &str, Option<usize>)] = &[
    ("iris", "species", None),
    ("wine", "cultivar", None),
    ("breast_cancer", "diagnosis", None),
    ("fraud", "is_fraud", Some(1_500)),
    ("moons", "label", Some(400)),
];
const REGRESSION: &[(&str, &str, Option<usize>)] = &[("diabetes", "progression", None)];

fn quick_params(kind: ModelKind) -> ModelParams {
    let pairs: &[&str] = match kind {
        ModelKind::Forest => &["n_trees=15"],
        _ => &[],
    };
    ModelParams::parse(kind, pairs).unwrap()
}

/// Trains, scores the test rows from a reloaded artifact, and compares with linfa.
/// Returns the number of rows compared.
fn check(data: &str, target: Option<&str>, rows: Option<usize>, kind: ModelKind) -> usize {
    let t = table(data, rows);
    let mut request = TrainRequest::new(target.unwrap_or(""), kind);
    request.target = target.map(str::to_string);
    request.params = quick_params(kind);
    let (artifact, evaluation) =
        train(&t, &request, &mut |_| {}).unwrap_or_else(|e| panic!("{kind} on {data}: {e}"));
    let bytes = artifact.to_bytes().unwrap();
    let loaded = Artifact::from_bytes(&bytes).unwrap_or_else(|e| panic!("{kind} on {data}: {e}"));
    assert_eq!(loaded, artifact, "{kind} on {data}: artifact round trip");
    let test = t.take(&evaluation.test_rows);
    let scored = loaded.score_table(&test).unwrap();
    assert_eq!(scored.len(), evaluation.test_predictions.len());
    for (i, (s, r)) in scored.iter().zip(&evaluation.test_predictions).enumerate() {
        let p = &s.prediction;
        match artifact.model.task() {
            Task::Classification | Task::Clustering => {
                assert_eq!(p.value, r.value, "{kind} on {data}, test row {i}: class");
            }
            Task::Regression => assert!(
                (p.value - r.value).abs() <= 1e-12 * r.value.abs().max(1.0),
                "{kind} on {data}, test row {i}: {} vs linfa {}",
                p.value,
                r.value
            ),
        }
        if !r.probabilities.is_empty() {
            assert_eq!(p.probabilities.len(), r.probabilities.len());
            for (a, b) in p.probabilities.iter().zip(&r.probabilities) {
                assert!(
                    (a - b).abs() <= 1e-12,
                    "{kind} on {data}, test row {i}: probability {a} vs linfa {b}"
                );
            }
        }
    }
    scored.len()
}

fn run(kind: ModelKind) {
    let mut total = 0;
    if !kind.regresses_only() {
        for &(data, target, rows) in CLASSIFICATION {
            total += check(data, Some(target), rows, kind);
        }
    }
    if !kind.classifies_only() {
        for &(data, target, rows) in REGRESSION {
            total += check(data, Some(target), rows, kind);
        }
    }
    eprintln!("{kind}: {total} test rows equal to linfa");
}

#[test]
fn logistic() {
    run(ModelKind::Logistic)
}
#[test]
fn linear() {
    run(ModelKind::Linear)
}
#[test]
fn ridge() {
    run(ModelKind::Ridge)
}
#[test]
fn lasso() {
    run(ModelKind::Lasso)
}
#[test]
fn elasticnet() {
    run(ModelKind::Elasticnet)
}
#[test]
fn tree() {
    run(ModelKind::Tree)
}
#[test]
fn forest() {
    run(ModelKind::Forest)
}
#[test]
fn boosting() {
    run(ModelKind::Boosting)
}
#[test]
fn gaussian_nb() {
    run(ModelKind::GaussianNb)
}
#[test]
fn svm() {
    run(ModelKind::Svm)
}
#[test]
fn knn() {
    run(ModelKind::Knn)
}
#[test]
fn mlp() {
    run(ModelKind::Mlp)
}

#[test]
fn kmeans() {
    let mut total = 0;
    for &(data, _, rows) in CLASSIFICATION.iter().chain(REGRESSION) {
        total += check(data, None, rows, ModelKind::Kmeans);
    }
    eprintln!("kmeans: {total} test rows equal to linfa");
}

#[test]
fn tampered_artifact_is_refused() {
    let t = table("iris", None);
    let (artifact, _) = train(
        &t,
        &TrainRequest::new("species", ModelKind::Logistic),
        &mut |_| {},
    )
    .unwrap();
    let text = String::from_utf8(artifact.to_bytes().unwrap()).unwrap();
    let tampered = text.replacen("\"setosa\"", "\"setosaX\"", 1);
    assert!(Artifact::from_bytes(tampered.as_bytes()).is_err());
}

/// Quality next to scikit-learn (issue 3, item 5): on the split recorded by
/// `scripts/fixtures_models.py quality`, each family reaches scikit-learn's test accuracy
/// or R² within a margin (OLS within 1e-6). With `DRIFTLAB_WRITE_QUALITY=1` the numbers are
/// written to `tests/fixtures/models/driftlab_quality.json` for the README table.
#[test]
fn quality_vs_scikit_learn() {
    use std::collections::BTreeMap;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/models");
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/sklearn_quality.json")).unwrap(),
    )
    .unwrap();
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for t in doc["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let target = t["target"].as_str().unwrap();
        let rows = |k: &str| -> Vec<usize> {
            t[k].as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect()
        };
        let table = table(name, None);
        for (kind, sk) in t["sklearn"].as_object().unwrap() {
            let kind = ModelKind::parse(kind).unwrap();
            let mut request = TrainRequest::new(target, kind);
            if kind == ModelKind::Svm || kind == ModelKind::Knn {
                request.task = if t["task"] == "regression" {
                    driftlab::train::TaskChoice::Regression
                } else {
                    driftlab::train::TaskChoice::Classification
                };
            }
            let (_, ev) = driftlab::train::train_on_split(
                &table,
                &request,
                rows("train"),
                rows("test"),
                &mut |_| {},
            )
            .unwrap_or_else(|e| panic!("{kind} on {name}: {e}"));
            let metrics = ev.metrics.expect("a test split has metrics");
            let ours = metrics.accuracy().or(metrics.r2()).unwrap();
            let sk = sk.as_f64().unwrap();
            let margin = match kind {
                ModelKind::Linear => 1e-6,
                ModelKind::Tree | ModelKind::Forest => 0.08,
                ModelKind::Svm if metrics.r2().is_some() => 0.15,
                _ => 0.05,
            };
            eprintln!("{name} {kind}: driftlab {ours:.4} scikit-learn {sk:.4}");
            assert!(
                ours >= sk - margin,
                "{kind} on {name}: driftlab {ours} vs scikit-learn {sk} (margin {margin})"
            );
            out.entry(name.to_string())
                .or_default()
                .insert(kind.name().to_string(), ours);
        }
    }
    if std::env::var_os("DRIFTLAB_WRITE_QUALITY").is_some() {
        let doc = serde_json::json!({"generator": "cargo test --test parity_models quality", "tables": out});
        std::fs::write(
            format!("{dir}/driftlab_quality.json"),
            serde_json::to_string_pretty(&doc).unwrap() + "\n",
        )
        .unwrap();
    }
}

/// The perceptron next to scikit-learn's (issue 16): on the split of
/// `sklearn_quality.json`, driftlab's mlp with its defaults, trained with seeds 0–4, reaches
/// on average the test accuracy of scikit-learn's `MLPClassifier` with the same settings
/// (`scripts/fixtures_mlp.py`) within 2 points, and its R² on diabetes within 0.05.
#[test]
fn mlp_quality_vs_scikit_learn() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/models");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/{name}")).unwrap()).unwrap()
    };
    let (quality, mlp) = (read("sklearn_quality.json"), read("sklearn_mlp.json"));
    let mut out = serde_json::Map::new();
    for (t, sk) in quality["tables"]
        .as_array()
        .unwrap()
        .iter()
        .zip(mlp["tables"].as_array().unwrap())
    {
        let name = t["name"].as_str().unwrap();
        assert_eq!(sk["name"], name);
        let rows = |k: &str| -> Vec<usize> {
            t[k].as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect()
        };
        let table = table(name, None);
        let scores: Vec<f64> = (0..5)
            .map(|seed| {
                let mut request = TrainRequest::new(t["target"].as_str().unwrap(), ModelKind::Mlp);
                request.seed = seed;
                let (_, ev) = driftlab::train::train_on_split(
                    &table,
                    &request,
                    rows("train"),
                    rows("test"),
                    &mut |_| {},
                )
                .unwrap_or_else(|e| panic!("mlp on {name}: {e}"));
                let m = ev.metrics.unwrap();
                m.accuracy().or(m.r2()).unwrap()
            })
            .collect();
        let ours = scores.iter().sum::<f64>() / scores.len() as f64;
        let theirs = sk["mean"].as_f64().unwrap();
        let margin = if t["task"] == "regression" {
            0.05
        } else {
            0.02
        };
        eprintln!("{name} mlp: driftlab {ours:.4} {scores:?} scikit-learn {theirs:.4}");
        assert!(
            ours >= theirs - margin,
            "mlp on {name}: driftlab {ours} vs scikit-learn {theirs} (margin {margin})"
        );
        out.insert(
            name.into(),
            serde_json::json!({"mean": ours, "scores": scores}),
        );
    }
    if std::env::var_os("DRIFTLAB_WRITE_QUALITY").is_some() {
        let doc = serde_json::json!({"generator": "cargo test --test parity_models mlp_quality", "tables": out});
        std::fs::write(
            format!("{dir}/driftlab_mlp.json"),
            serde_json::to_string_pretty(&doc).unwrap() + "\n",
        )
        .unwrap();
    }
}

/// Spiral next to TensorFlow Playground (issue 16): on the playground's own 500 spiral
/// points (noise 0, half for training), its 8-8-8 tanh network with squared error, SGD at
/// 0.03 and batches of 10 reaches the test losses `scripts/fixtures_playground.py` records
/// (a NumPy port of the playground's `nn.ts`, mean of five seeds). driftlab's mlp with the
/// same hidden layers, rate and batch size (its defaults otherwise: standardised inputs,
/// softmax and cross-entropy) is measured with the playground's loss, `0.5 (2p − 1 − label)²`,
/// which is twice the Brier score, and must end below the playground after the same 1,000
/// epochs.
#[test]
fn mlp_spiral_vs_tensorflow_playground() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/models/playground_spiral.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut csv = String::from("x1,x2,arm\n");
    for p in doc["points"].as_array().unwrap() {
        let label = if p[2].as_i64() == Some(1) {
            "plus"
        } else {
            "minus"
        };
        csv += &format!("{},{},{label}\n", p[0], p[1]);
    }
    let table = read_csv(csv.as_bytes(), &ReadOptions::default())
        .unwrap()
        .table;
    let rows = |k: &str| -> Vec<usize> {
        doc[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect()
    };
    // 1,000 epochs three times is about 70 s in a debug build on two loaded cores; the
    // earlier checkpoints (100 and 300 epochs, in the README) with DRIFTLAB_SPIRAL_CURVE=1
    let curve = std::env::var_os("DRIFTLAB_SPIRAL_CURVE").is_some();
    for (epochs, theirs) in doc["playground_test_loss"].as_object().unwrap() {
        if epochs != "1000" && !curve {
            continue;
        }
        let theirs = theirs["mean"].as_f64().unwrap();
        let losses: Vec<f64> = (0..3)
            .map(|seed| {
                let mut request = TrainRequest::new("arm", ModelKind::Mlp);
                request.seed = seed;
                request.params = ModelParams::parse(
                    ModelKind::Mlp,
                    &["hidden=8,8,8", &format!("epochs={epochs}")],
                )
                .unwrap();
                let (_, ev) = driftlab::train::train_on_split(
                    &table,
                    &request,
                    rows("train"),
                    rows("test"),
                    &mut |_| {},
                )
                .unwrap();
                match ev.metrics.unwrap() {
                    driftlab::train::TestMetrics::Classification(m) => 2.0 * m.brier.unwrap(),
                    other => panic!("spiral is a classification: {other:?}"),
                }
            })
            .collect();
        let ours = losses.iter().sum::<f64>() / losses.len() as f64;
        eprintln!("spiral 8-8-8 tanh after {epochs} epochs: test loss driftlab {ours:.4} {losses:?}, TensorFlow Playground {theirs:.4}");
        if epochs == "1000" {
            assert!(ours < theirs, "driftlab {ours} vs the playground {theirs}");
        }
    }
}
