//! The tree families next to scikit-learn (issue 15): on the split that
//! `scripts/fixtures_trees.py quality` recorded (iris, wine, breast cancer, diabetes and
//! 10,000 fraud rows), driftlab's tree, forest and boosting reach the test accuracy, ROC AUC
//! or R² of scikit-learn's `DecisionTreeClassifier`, `RandomForestClassifier` and
//! `HistGradientBoosting*` with the same defaults — within 1.5 points, or one test row on
//! the small tables (where one row is 2.2 to 2.6 points); twice that for the single tree,
//! whose tie-breaks decide whole subtrees — and boosting's ROC AUC on fraud is at least
//! logistic regression's. The budget is one point: the README's table
//! (`scripts/fixtures_trees.py table`) shows every difference, and names the rows past one
//! point. With `DRIFTLAB_WRITE_QUALITY=1` the numbers are written to
//! `tests/fixtures/models/driftlab_trees.json` for that table.
#![cfg(feature = "train")]

use std::collections::BTreeMap;

use driftlab::dataset::{self, DatasetOptions};
use driftlab::metrics::TestMetrics;
use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{train_on_split, ModelKind, TrainRequest};

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

#[test]
fn tree_families_match_scikit_learn() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/models");
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/sklearn_trees.json")).unwrap(),
    )
    .unwrap();
    let mut out: BTreeMap<String, BTreeMap<String, BTreeMap<String, f64>>> = BTreeMap::new();
    let mut misses = Vec::new();
    for t in doc["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let target = t["target"].as_str().unwrap();
        let idx = |k: &str| -> Vec<usize> {
            t[k].as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect()
        };
        let (train, test) = (idx("train"), idx("test"));
        let rows = (name == "fraud").then(|| t["rows"].as_u64().unwrap() as usize);
        let data = table(name, rows);
        assert_eq!(data.rows(), train.len() + test.len(), "{name}");
        // one test row, as a share of the accuracy
        let one_row = 1.0 / test.len() as f64;
        for (kind, sk) in t["sklearn"].as_object().unwrap() {
            let kind = ModelKind::parse(kind).unwrap();
            let request = TrainRequest::new(target, kind);
            let (_, ev) = train_on_split(&data, &request, train.clone(), test.clone(), &mut |_| {})
                .unwrap_or_else(|e| panic!("{kind} on {name}: {e}"));
            let m = ev.metrics.expect("a test split has metrics");
            for (metric, want) in sk.as_object().unwrap() {
                let want = want.as_f64().unwrap();
                let ours = match metric.as_str() {
                    "accuracy" => m.accuracy(),
                    "roc_auc" => match &m {
                        TestMetrics::Classification(c) => c.roc_auc,
                        _ => None,
                    },
                    "r2" => m.r2(),
                    other => panic!("unknown metric {other}"),
                }
                .unwrap_or_else(|| panic!("{kind} on {name}: no {metric}"));
                eprintln!("{name} {kind} {metric}: driftlab {ours:.4} scikit-learn {want:.4}");
                // a fully grown tree is the one estimator whose ties (between equal
                // splits: scikit-learn draws the feature order, driftlab takes the lowest)
                // decide whole subtrees: two rows or two points; the others one
                let rows: f64 = if kind == ModelKind::Tree { 2.0 } else { 1.0 };
                let margin = if metric == "accuracy" {
                    (0.01 * rows).max(rows * one_row + 1e-9)
                } else {
                    0.01 * rows
                } + 0.005;
                if ours < want - margin {
                    misses.push(format!(
                        "{kind} on {name}: {metric} {ours:.4} vs scikit-learn {want:.4}"
                    ));
                }
                out.entry(name.into())
                    .or_default()
                    .entry(kind.name().into())
                    .or_default()
                    .insert(metric.clone(), ours);
            }
        }
    }
    let fraud = &out["fraud"];
    let (boosted, logistic) = (fraud["boosting"]["roc_auc"], fraud["logistic"]["roc_auc"]);
    assert!(
        boosted >= logistic,
        "boosting's ROC AUC on fraud {boosted} is below logistic's {logistic}"
    );
    if std::env::var_os("DRIFTLAB_WRITE_QUALITY").is_some() {
        let doc = serde_json::json!({"generator": "cargo test --test parity_trees", "tables": out});
        std::fs::write(
            format!("{dir}/driftlab_trees.json"),
            serde_json::to_string_pretty(&doc).unwrap() + "\n",
        )
        .unwrap();
    }
    assert!(misses.is_empty(), "below scikit-learn: {misses:#?}");
}
