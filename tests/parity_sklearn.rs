//! What driftlab's own trainers learn next to what scikit-learn learns on the same matrices
//! (issue 15, item 3): the fitted numbers, not only the test scores. The expected values
//! are in `tests/fixtures/models/sklearn_fitted.json`, written by
//! `scripts/fixtures_models.py fitted` from the bundled tables' raw columns (no pipeline).
//!
//! - ridge (Cholesky on the normal equations): coefficients and intercept to 1e-9 relative;
//! - lasso and elastic net (coordinate descent, both sides at `tol = 1e-12`): to 1e-7;
//! - Gaussian naive Bayes (one pass): means, variances and priors to 1e-12;
//! - multinomial logistic regression (L-BFGS, both sides at `tol = 1e-10`): to 1e-5;
//! - k-means (k-means++, 10 restarts): an inertia within 0.5 % of scikit-learn's median.
#![cfg(feature = "train")]

use driftlab::score::Model;
use driftlab::table::{read_csv, ColumnData, ReadOptions};
use driftlab::train::{fit_matrix, Losses, ModelKind, ModelParams, Target};
use driftlab::Matrix;
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/models/sklearn_fitted.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A bundled table's columns but `target`, row-major, and the target's text per row.
fn table(name: &str, target: &str) -> (Matrix, Vec<String>) {
    let path = format!("{}/data/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let t = read_csv(&std::fs::read(path).unwrap(), &ReadOptions::default())
        .unwrap()
        .table;
    let names: Vec<String> = t
        .column_names()
        .iter()
        .filter(|n| **n != target)
        .map(|s| s.to_string())
        .collect();
    let (n, p) = (t.rows(), names.len());
    let mut data = vec![0.0; n * p];
    for (j, name) in names.iter().enumerate() {
        let ColumnData::Numeric(v) = &t.require(name).unwrap().data else {
            panic!("{name} is not numeric")
        };
        for (i, x) in v.iter().enumerate() {
            data[i * p + j] = *x;
        }
    }
    let col = t.require(target).unwrap();
    let y = (0..n)
        .map(|i| match col.get(i) {
            Some(driftlab::table::Cell::Number(x)) => format!("{x}"),
            Some(driftlab::table::Cell::Category(s)) => s.to_string(),
            other => panic!("row {i}: {other:?}"),
        })
        .collect();
    (Matrix::new(n, p, data, names).unwrap(), y)
}

/// Standardized by the mean and population standard deviation of every column.
fn standardized(m: &Matrix) -> Matrix {
    let (n, p) = (m.rows(), m.cols());
    let mut data = m.data().to_vec();
    for j in 0..p {
        let mean = (0..n).map(|i| data[i * p + j]).sum::<f64>() / n as f64;
        let var = (0..n)
            .map(|i| (data[i * p + j] - mean).powi(2))
            .sum::<f64>()
            / n as f64;
        let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
        for i in 0..n {
            data[i * p + j] = (data[i * p + j] - mean) / sd;
        }
    }
    Matrix::new(n, p, data, m.names().to_vec()).unwrap()
}

fn classes(y: &[String], labels: &Value) -> Target {
    let labels: Vec<String> = labels
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    Target::Classes {
        indices: y
            .iter()
            .map(|v| labels.iter().position(|l| l == v).unwrap())
            .collect(),
        labels,
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|x| match x.as_array() {
            Some(row) => row.iter().map(|y| y.as_f64().unwrap()).collect(),
            None => vec![x.as_f64().unwrap()],
        })
        .collect()
}

/// Every `ours[i]` within `tol` of `theirs[i]`, relative to the largest of `theirs`.
fn close(what: &str, ours: &[f64], theirs: &[f64], tol: f64) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths");
    let scale = theirs
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-300);
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= tol * scale,
            "{what}[{i}]: driftlab {a} vs scikit-learn {b} (tolerance {tol} of {scale})"
        );
    }
}

fn fit(kind: ModelKind, pairs: &[String], x: &Matrix, y: &Target) -> Model {
    let params = ModelParams::parse(kind, pairs).unwrap();
    fit_matrix(kind, &params, x, y, 42, Losses::Skip, &mut |_| {})
        .unwrap_or_else(|e| panic!("{kind}: {e}"))
        .into_model()
}

fn linear(kind: ModelKind, extra: &[&str], tol: f64) {
    let doc = fixture();
    let (x, y) = table("diabetes", "progression");
    let y = Target::Values(y.iter().map(|v| v.parse().unwrap()).collect());
    for case in doc["diabetes"][kind.name()].as_array().unwrap() {
        let alpha = case["alpha"].as_f64().unwrap();
        let mut pairs = vec![format!("alpha={alpha}")];
        pairs.extend(extra.iter().map(|s| s.to_string()));
        let (Model::Ridge(m) | Model::Lasso(m) | Model::Elasticnet(m)) = fit(kind, &pairs, &x, &y)
        else {
            panic!("{kind}: not a linear model")
        };
        let what = format!("{kind} alpha={alpha}");
        close(&what, &m.weights, &floats(&case["coef"]), tol);
        close(
            &format!("{what} intercept"),
            &[m.intercept],
            &[case["intercept"].as_f64().unwrap()],
            tol,
        );
    }
}

#[test]
fn ridge_equals_scikit_learn_to_1e_9() {
    linear(ModelKind::Ridge, &[], 1e-9);
}

#[test]
fn lasso_equals_scikit_learn() {
    linear(
        ModelKind::Lasso,
        &["tolerance=1e-12", "max_iterations=1000000"],
        1e-7,
    );
}

#[test]
fn elastic_net_equals_scikit_learn() {
    linear(
        ModelKind::Elasticnet,
        &["l1_ratio=0.5", "tolerance=1e-12", "max_iterations=1000000"],
        1e-7,
    );
}

#[test]
fn gaussian_nb_statistics_equal_scikit_learn() {
    let doc = fixture();
    for (name, case) in doc["gaussian_nb"].as_object().unwrap() {
        let (x, y) = table(name, case["target"].as_str().unwrap());
        let y = classes(&y, &case["classes"]);
        let Model::GaussianNb(m) = fit(ModelKind::GaussianNb, &[], &x, &y) else {
            panic!("not naive Bayes")
        };
        close(
            &format!("{name} means"),
            &m.means,
            &floats(&case["theta"]),
            1e-12,
        );
        close(
            &format!("{name} variances"),
            &m.variances,
            &floats(&case["var"]),
            1e-12,
        );
        close(
            &format!("{name} priors"),
            &m.priors,
            &floats(&case["prior"]),
            1e-15,
        );
    }
}

#[test]
fn multinomial_logistic_equals_scikit_learn() {
    let doc = fixture();
    for (name, case) in doc["logistic_multinomial"].as_object().unwrap() {
        let (x, y) = table(name, case["target"].as_str().unwrap());
        let x = if case["standardized"].as_bool().unwrap() {
            standardized(&x)
        } else {
            x
        };
        let y = classes(&y, &case["classes"]);
        let pairs = [
            "gradient_tolerance=1e-10".into(),
            "max_iterations=100000".into(),
        ];
        let Model::Logistic(m) = fit(ModelKind::Logistic, &pairs, &x, &y) else {
            panic!("not logistic")
        };
        // scikit-learn's coef_ is k × p; driftlab's weights p × k
        let coef = floats(&case["coef"]);
        let (p, k) = (x.cols(), m.n_classes);
        let transposed: Vec<f64> = (0..p * k).map(|i| coef[(i % k) * p + i / k]).collect();
        close(&format!("{name} weights"), &m.weights, &transposed, 1e-5);
        close(
            &format!("{name} intercepts"),
            &m.intercepts,
            &floats(&case["intercept"]),
            1e-5,
        );
    }
}

#[test]
fn kmeans_inertia_as_low_as_scikit_learn() {
    let doc = fixture();
    for (name, case) in doc["kmeans"].as_object().unwrap() {
        let (x, _) = table(name, case["target"].as_str().unwrap());
        let x = standardized(&x);
        let k = case["k"].as_u64().unwrap();
        let pairs = [format!("k={k}"), "n_runs=10".into()];
        let Model::Kmeans(m) = fit(ModelKind::Kmeans, &pairs, &x, &Target::None) else {
            panic!("not k-means")
        };
        let p = x.cols();
        let inertia: f64 = x
            .data()
            .chunks_exact(p)
            .map(|row| driftlab::score::nearest_centroid(&m.centroids, row).1)
            .sum();
        let theirs = case["inertia_median"].as_f64().unwrap();
        eprintln!("{name}: k-means inertia {inertia} vs scikit-learn {theirs}");
        assert!(
            inertia <= theirs * 1.005,
            "{name}: inertia {inertia} vs scikit-learn's {theirs}"
        );
    }
}
