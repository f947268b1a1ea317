//! The boosting trainer's tests: losses, early stopping, subsampling, missing values and
//! the bad inputs of issue 15.

use super::*;
use crate::models::{ModelKind, ModelParams, Predict};
use crate::score::Model;
use crate::train::{fit_matrix, Losses};
use crate::Matrix;

fn params(pairs: &[&str]) -> ModelParams {
    ModelParams::parse(ModelKind::Boosting, pairs).unwrap()
}

fn xor(n: usize) -> (Matrix, Target) {
    let mut data = Vec::new();
    let mut y = Vec::new();
    for i in 0..n {
        let a = ((i * 7919) % 1000) as f64 / 500.0 - 1.0;
        let b = ((i * 104_729) % 1000) as f64 / 500.0 - 1.0;
        data.extend_from_slice(&[a, b]);
        y.push(usize::from((a > 0.0) != (b > 0.0)));
    }
    let names = vec!["a".to_string(), "b".to_string()];
    (
        Matrix::new(n, 2, data, names).unwrap(),
        Target::Classes {
            indices: y,
            labels: vec!["0".into(), "1".into()],
        },
    )
}

#[test]
fn learns_xor_and_reports_each_iteration() {
    let (x, y) = xor(2000);
    // the fitted model and its per-iteration events (after the fit stage's announcement,
    // step 0 of no known total, one event an iteration)
    let fit = |losses| {
        let mut events = Vec::new();
        let fitted = fit_matrix(
            ModelKind::Boosting,
            &params(&["n_iterations=30"]),
            &x,
            &y,
            7,
            losses,
            &mut |p| events.push(p),
        )
        .unwrap();
        events.retain(|p| p.stage == "fit" && p.total.is_some());
        (fitted, events)
    };
    let (fitted, fits) = fit(Losses::Report);
    assert_eq!(fits.len(), 30);
    assert!(fits
        .iter()
        .all(|p| p.loss.is_some() && p.validation_loss.is_some()));
    assert!(fits[29].loss < fits[0].loss);
    // without the training loss: the same model, and the validation loss still there
    let (skipped, quiet) = fit(Losses::Skip);
    assert_eq!(skipped.model(), fitted.model());
    assert_eq!(quiet.len(), 30);
    assert!(quiet
        .iter()
        .all(|p| p.loss.is_none() && p.validation_loss.is_some()));
    assert!(quiet
        .iter()
        .zip(&fits)
        .all(|(q, f)| q.validation_loss == f.validation_loss));
    let Model::Boosting(m) = fitted.model() else {
        panic!("not boosting")
    };
    let right = x
        .data()
        .chunks_exact(2)
        .zip(match &y {
            Target::Classes { indices, .. } => indices,
            _ => unreachable!(),
        })
        .filter(|(r, &c)| m.predict(r).unwrap().value as usize == c)
        .count();
    assert!(right > 1900, "{right} of 2000");
    assert!((m.importance.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // the scorer equals the trainer's walk in bin space, bit for bit
    let reference = fitted.predict_linfa(&x).unwrap();
    for (r, want) in x.data().chunks_exact(2).zip(&reference) {
        assert_eq!(&m.predict(r).unwrap(), want);
    }
}

#[test]
fn early_stopping_keeps_the_best_iteration() {
    let (x, y) = xor(600);
    let mut last = 0;
    let fitted = fit_matrix(
        ModelKind::Boosting,
        &params(&[
            "n_iterations=500",
            "learning_rate=1",
            "n_iter_no_change=3",
            "min_samples_leaf=1",
        ]),
        &x,
        &y,
        3,
        Losses::Skip,
        &mut |p| last = p.step,
    )
    .unwrap();
    let Model::Boosting(m) = fitted.model() else {
        panic!("not boosting")
    };
    assert!(last < 500, "stopped at {last}");
    assert!(m.trees.len() < last as usize);
}

#[test]
fn regression_multiclass_and_missing_values() {
    let n = 500;
    let mut data = Vec::new();
    let mut v = Vec::new();
    let mut c = Vec::new();
    for i in 0..n {
        let a = (i % 50) as f64;
        let b = if i % 7 == 0 {
            f64::NAN
        } else {
            (i % 13) as f64
        };
        data.extend_from_slice(&[a, b]);
        v.push(2.0 * a + if b.is_nan() { 30.0 } else { b });
        c.push(if b.is_nan() { 2 } else { usize::from(a > 25.0) });
    }
    let x = Matrix::new(n, 2, data, vec!["a".into(), "b".into()]).unwrap();
    let reg = fit_matrix(
        ModelKind::Boosting,
        &params(&["validation_fraction=0", "min_samples_leaf=5"]),
        &x,
        &Target::Values(v.clone()),
        1,
        Losses::Skip,
        &mut |_| {},
    )
    .unwrap();
    let Model::Boosting(m) = reg.model() else {
        panic!()
    };
    let mse: f64 = x
        .data()
        .chunks_exact(2)
        .zip(&v)
        .map(|(r, t)| (m.predict(r).unwrap().value - t).powi(2))
        .sum::<f64>()
        / n as f64;
    assert!(mse < 1.0, "mse {mse}");
    let labels = vec!["low".into(), "high".into(), "none".into()];
    let cls = fit_matrix(
        ModelKind::Boosting,
        &params(&["n_iterations=20", "min_samples_leaf=5"]),
        &x,
        &Target::Classes {
            indices: c.clone(),
            labels,
        },
        1,
        Losses::Skip,
        &mut |_| {},
    )
    .unwrap();
    let Model::Boosting(m) = cls.model() else {
        panic!()
    };
    assert_eq!(m.trees.len() % 3, 0);
    assert_eq!(m.predict(&[3.0, f64::NAN]).unwrap().value, 2.0);
    assert_eq!(m.predict(&[40.0, 1.0]).unwrap().value, 1.0);
}

/// Issue 15's ugly inputs: each trains a model that scores every row finitely, or
/// answers with an error that says what is wrong, never a panic.
#[test]
fn ugly_inputs_train_or_answer_clearly() {
    let fit = |x: &Matrix, y: &Target, pairs: &[&str]| {
        fit_matrix(
            ModelKind::Boosting,
            &params(pairs),
            x,
            y,
            5,
            Losses::Skip,
            &mut |_| {},
        )
    };
    let finite = |f: &crate::train::Fitted, x: &Matrix| {
        let Model::Boosting(m) = f.model() else {
            panic!("not boosting")
        };
        for r in x.data().chunks_exact(x.cols()) {
            let p = m.predict(r).unwrap();
            assert!(p.value.is_finite() && p.probabilities.iter().all(|v| v.is_finite()));
        }
    };
    let names = |c: usize| (0..c).map(|j| format!("x{j}")).collect::<Vec<_>>();
    let two = |n: usize| (0..n).map(|i| i as f64).collect::<Vec<_>>();
    // a constant target: the base score alone, no split gains anything
    let x = Matrix::new(50, 1, two(50), names(1)).unwrap();
    let f = fit(&x, &Target::Values(vec![3.5; 50]), &[]).unwrap();
    let Model::Boosting(m) = f.model() else {
        panic!()
    };
    assert_eq!(m.predict(&[7.0]).unwrap().value, 3.5);
    assert!(m.importance.iter().all(|&v| v == 0.0), "{:?}", m.importance);
    // one row per class (three classes, three rows): nothing to hold out, no leaf of
    // 20 rows; the class shares alone
    let x = Matrix::new(3, 1, two(3), names(1)).unwrap();
    let y = Target::Classes {
        indices: vec![0, 1, 2],
        labels: vec!["a".into(), "b".into(), "c".into()],
    };
    finite(&fit(&x, &y, &[]).unwrap(), &x);
    finite(&fit(&x, &y, &["min_samples_leaf=1"]).unwrap(), &x);
    // one row: an error that says how many are needed
    let x = Matrix::new(1, 1, vec![1.0], names(1)).unwrap();
    let Err(e) = fit(&x, &Target::Values(vec![1.0]), &[]) else {
        panic!("one row is too few")
    };
    let e = e.to_string();
    assert!(e.contains('2') && e.contains("rows"), "{e}");
    // an all-missing column beside a useful one: the missing one is never split on
    let (xor_x, xor_y) = xor(400);
    let mut data = Vec::new();
    for r in xor_x.data().chunks_exact(2) {
        data.extend_from_slice(&[f64::NAN, r[0], r[1]]);
    }
    let x = Matrix::new(400, 3, data, names(3)).unwrap();
    let f = fit(&x, &xor_y, &["n_iterations=10"]).unwrap();
    finite(&f, &x);
    let Model::Boosting(m) = f.model() else {
        panic!()
    };
    assert_eq!(m.importance[0], 0.0);
    // every value missing
    let x = Matrix::new(40, 2, vec![f64::NAN; 80], names(2)).unwrap();
    finite(&fit(&x, &Target::Values(two(40)), &[]).unwrap(), &x);
    // 10,000 columns
    let (rows, cols) = (60, 10_000);
    let data = (0..rows * cols)
        .map(|i| ((i * 2_654_435_761) % 1_000) as f64)
        .collect();
    let x = Matrix::new(rows, cols, data, names(cols)).unwrap();
    let y = Target::Classes {
        indices: (0..rows).map(|i| i % 2).collect(),
        labels: vec!["0".into(), "1".into()],
    };
    finite(&fit(&x, &y, &["n_iterations=3"]).unwrap(), &x);
    // parameters out of range name the value, the range and the parameter
    for (pair, words) in [
        ("learning_rate=0", "learning_rate"),
        ("max_bins=300", "max_bins"),
        ("max_leaves=1", "max_leaves"),
        ("subsample=0", "subsample"),
        ("validation_fraction=0.9", "validation_fraction"),
        ("n_iterations=-1", "n_iterations"),
        ("l2=NaN", "l2"),
    ] {
        let e = ModelParams::parse(ModelKind::Boosting, &[pair])
            .expect_err(pair)
            .to_string();
        assert!(e.contains(words), "{pair}: {e}");
    }
}

#[test]
fn subsampling_is_seeded() {
    let (x, y) = xor(800);
    let fit = |seed| {
        fit_matrix(
            ModelKind::Boosting,
            &params(&["n_iterations=10", "subsample=0.5", "colsample=0.5"]),
            &x,
            &y,
            seed,
            Losses::Skip,
            &mut |_| {},
        )
        .unwrap()
        .into_model()
    };
    assert_eq!(fit(5), fit(5));
    assert_ne!(fit(5), fit(6));
}
