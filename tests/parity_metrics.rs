//! Metrics ↔ scikit-learn parity (issue 3): every metric key of DESIGN.md, the ROC and PR
//! curves, calibration bins and threshold counts, against `tests/fixtures/metrics/cases.json`
//! written by `scripts/fixtures_models.py metrics` (scikit-learn 1.9).

use driftlab::metrics;
use serde_json::Value;

fn close(what: &str, a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1.0),
        "{what}: driftlab {a} vs scikit-learn {b}"
    );
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::INFINITY))
        .collect()
}

fn ints(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn close_all(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x.is_infinite() && y.is_infinite() {
            continue;
        }
        close(&format!("{what}[{i}]"), *x, *y);
    }
}

#[test]
fn metrics_match_scikit_learn() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metrics/cases.json"
    ))
    .unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for (n, case) in doc["cases"].as_array().unwrap().iter().enumerate() {
        let e = &case["expected"];
        match case["kind"].as_str().unwrap() {
            "binary" | "multiclass" => {
                let k = case["n_classes"].as_u64().unwrap() as usize;
                let y = ints(&case["y_true"]);
                let p = ints(&case["y_pred"]);
                let proba = floats(&case["proba"]);
                let labels: Vec<String> = (0..k).map(|c| c.to_string()).collect();
                let m = metrics::classification(&y, &p, Some(&proba), &labels, None).unwrap();
                let v = serde_json::to_value(&m).unwrap();
                for key in [
                    "accuracy",
                    "precision",
                    "recall",
                    "f1",
                    "roc_auc",
                    "average_precision",
                    "log_loss",
                    "brier",
                    "macro_f1",
                    "weighted_f1",
                ] {
                    close(
                        &format!("case {n} {key}"),
                        v[key].as_f64().unwrap(),
                        e[key].as_f64().unwrap(),
                    );
                    checked += 1;
                }
                assert_eq!(
                    v["confusion_matrix"]["matrix"], e["confusion_matrix"],
                    "case {n} confusion"
                );
                if k == 2 {
                    let yb: Vec<bool> = y.iter().map(|&t| t == 1).collect();
                    let s: Vec<f64> = (0..y.len()).map(|i| proba[2 * i + 1]).collect();
                    let roc = metrics::roc_curve(&yb, &s).unwrap();
                    close_all("fpr", &roc.fpr, &floats(&e["roc"]["fpr"]));
                    close_all("tpr", &roc.tpr, &floats(&e["roc"]["tpr"]));
                    close_all(
                        "roc thresholds",
                        &roc.thresholds,
                        &floats(&e["roc"]["thresholds"]),
                    );
                    let pr = metrics::precision_recall_curve(&yb, &s).unwrap();
                    close_all("precision", &pr.precision, &floats(&e["pr"]["precision"]));
                    close_all("recall", &pr.recall, &floats(&e["pr"]["recall"]));
                    close_all(
                        "pr thresholds",
                        &pr.thresholds,
                        &floats(&e["pr"]["thresholds"]),
                    );
                    let bins = metrics::calibration(&yb, &s, 10).unwrap();
                    let fp: Vec<f64> = bins.iter().filter_map(|b| b.fraction_positive).collect();
                    let mp: Vec<f64> = bins.iter().filter_map(|b| b.mean_predicted).collect();
                    close_all(
                        "calibration fraction",
                        &fp,
                        &floats(&e["calibration"]["fraction_positive"]),
                    );
                    close_all(
                        "calibration mean",
                        &mp,
                        &floats(&e["calibration"]["mean_predicted"]),
                    );
                    let rows = e["thresholds"].as_array().unwrap();
                    let ts: Vec<f64> = rows
                        .iter()
                        .map(|r| r["threshold"].as_f64().unwrap())
                        .collect();
                    let table = metrics::threshold_table(&yb, &s, &ts, 1.0, 5.0).unwrap();
                    for (r, x) in table.rows.iter().zip(rows) {
                        assert_eq!(
                            (r.tp, r.fp, r.tn, r.fn_),
                            (
                                x["tp"].as_u64().unwrap(),
                                x["fp"].as_u64().unwrap(),
                                x["tn"].as_u64().unwrap(),
                                x["fn"].as_u64().unwrap()
                            ),
                            "case {n} threshold {}",
                            r.threshold
                        );
                        close("cost", r.cost, r.fp as f64 + 5.0 * r.fn_ as f64);
                    }
                    checked += 8;
                }
            }
            "regression" => {
                let m = metrics::regression(&floats(&case["y_true"]), &floats(&case["y_pred"]))
                    .unwrap();
                let v = serde_json::to_value(&m).unwrap();
                for key in ["r2", "rmse", "mae", "mape"] {
                    close(
                        &format!("case {n} {key}"),
                        v[key].as_f64().unwrap(),
                        e[key].as_f64().unwrap(),
                    );
                    checked += 1;
                }
            }
            "clustering" => {
                let x = floats(&case["x"]);
                let cols = case["cols"].as_u64().unwrap() as usize;
                let labels = ints(&case["labels"]);
                let s = metrics::silhouette(&x, cols, &labels).unwrap();
                close("silhouette", s, e["silhouette"].as_f64().unwrap());
                let i = metrics::inertia(&x, cols, &labels, &floats(&case["centroids"])).unwrap();
                close("inertia", i, e["inertia"].as_f64().unwrap());
                checked += 2;
            }
            other => panic!("unknown case kind {other}"),
        }
    }
    eprintln!("{checked} metric values equal to scikit-learn's");
}
