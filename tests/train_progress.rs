//! Training progress: the fused L-BFGS logistic trainer (binary and multinomial) reports its loss at every
//! iteration through the progress callback, in the shape the page's loss chart draws
//! (`www/charts/loss.ts` via `www/panels/model.ts`: one point per event with a finite loss);
//! the forest reports each tree, for the page's progress bar.
#![cfg(feature = "train")]

use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{train, ModelKind, Progress, TrainRequest};

fn table(name: &str) -> Table {
    let csv = driftlab::dataset::generate(name, &Default::default()).unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

fn events(name: &str, target: &str, kind: ModelKind) -> Vec<Progress> {
    let mut seen = Vec::new();
    train(&table(name), &TrainRequest::new(target, kind), &mut |p| {
        seen.push(p)
    })
    .unwrap();
    seen
}

#[test]
fn binary_logistic_reports_a_decreasing_loss_per_iteration() {
    for (name, target) in [("breast_cancer", "diagnosis"), ("fraud", "is_fraud")] {
        let seen = events(name, target, ModelKind::Logistic);
        let fit: Vec<&Progress> = seen.iter().filter(|p| p.stage == "fit").collect();
        let losses: Vec<(u64, f64)> = fit
            .iter()
            .filter_map(|p| p.loss.map(|l| (p.step, l)))
            .collect();
        assert!(
            losses.len() >= 3,
            "{name}: only {} loss events",
            losses.len()
        );
        for (i, (step, loss)) in losses.iter().enumerate() {
            assert_eq!(*step, i as u64, "{name}: iterations in order from 0");
            assert!(loss.is_finite() && *loss > 0.0, "{name}: loss {loss}");
        }
        for w in losses.windows(2) {
            assert!(w[1].1 < w[0].1, "{name}: the loss rose: {w:?}");
        }
        // the initial loss is n·ln 2 (all weights 0) on linfa's scale, summed over the rows
        let first = losses[0].1;
        let rows = first / std::f64::consts::LN_2;
        assert!(
            (rows - rows.round()).abs() < 1e-6,
            "{name}: initial loss {first}"
        );
        // iteration events count towards max_iterations (100 by default) for the progress bar
        assert!(fit
            .iter()
            .filter(|p| p.loss.is_some())
            .all(|p| p.total == Some(100)));
        // and the stage ends with a complete step, as for every trainer
        let last = fit.last().unwrap();
        assert_eq!((last.step, last.total), (1, Some(1)), "{name}");
        // the events go on to evaluation after the fit
        assert!(seen.iter().any(|p| p.stage == "evaluate"), "{name}");
    }
}

#[test]
fn multinomial_logistic_reports_a_decreasing_loss_per_iteration() {
    // the multinomial model goes through the same fused L-BFGS as the binary one: a loss
    // per iteration, from n·ln K (all weights 0, K classes) down
    let seen = events("iris", "species", ModelKind::Logistic);
    let losses: Vec<(u64, f64)> = seen
        .iter()
        .filter(|p| p.stage == "fit")
        .filter_map(|p| p.loss.map(|l| (p.step, l)))
        .collect();
    assert!(losses.len() >= 3, "{seen:?}");
    for (i, (step, loss)) in losses.iter().enumerate() {
        assert_eq!(*step, i as u64, "iterations in order from 0");
        assert!(loss.is_finite() && *loss > 0.0, "loss {loss}");
    }
    for w in losses.windows(2) {
        assert!(w[1].1 <= w[0].1, "the loss rose: {w:?}");
    }
    let rows = losses[0].1 / 3f64.ln();
    assert!(
        (rows - rows.round()).abs() < 1e-6,
        "initial loss {}",
        losses[0].1
    );
}

#[test]
fn the_forest_reports_each_tree() {
    let mut request = TrainRequest::new("species", ModelKind::Forest);
    request.params =
        driftlab::train::ModelParams::parse(ModelKind::Forest, &["n_trees=12"]).unwrap();
    let mut seen = Vec::new();
    train(&table("iris"), &request, &mut |p| seen.push(p)).unwrap();
    let fit: Vec<(u64, Option<u64>)> = seen
        .iter()
        .filter(|p| p.stage == "fit")
        .map(|p| (p.step, p.total))
        .collect();
    // the stage is announced as it starts (issue 19), then each tree
    let trees: Vec<(u64, Option<u64>)> = std::iter::once((0, None))
        .chain((1..=12).map(|i| (i, Some(12))))
        .collect();
    assert_eq!(fit, trees);
}

/// Boosting reports every iteration with its training and validation loss (the live view's
/// two curves, issue 15), and stops early once the validation loss no longer improves.
#[test]
fn boosting_reports_each_iteration_with_both_losses() {
    let mut request = TrainRequest::new("is_fraud", ModelKind::Boosting);
    request.params = driftlab::train::ModelParams::parse(
        ModelKind::Boosting,
        &["n_iterations=40", "learning_rate=0.3"],
    )
    .unwrap();
    let mut seen = Vec::new();
    train(&table("fraud"), &request, &mut |p| seen.push(p)).unwrap();
    // after the fit stage's announcement (step 0, no total), one event an iteration
    let fit: Vec<_> = seen
        .iter()
        .filter(|p| p.stage == "fit" && p.total.is_some())
        .collect();
    assert!(!fit.is_empty() && fit.len() <= 40, "{}", fit.len());
    for (i, p) in fit.iter().enumerate() {
        assert_eq!((p.step, p.total), (i as u64 + 1, Some(40)));
        let (train_loss, valid_loss) = (p.loss.unwrap(), p.validation_loss.unwrap());
        assert!(train_loss.is_finite() && train_loss > 0.0, "{p:?}");
        assert!(valid_loss.is_finite() && valid_loss > 0.0, "{p:?}");
    }
    // the training loss falls from the first iteration to the last, and never rises above
    // the first (at this learning rate it multiplied by 25 before the Newton step was
    // bounded, boosting/fit.rs MAX_STEP)
    assert!(fit.last().unwrap().loss < fit[0].loss);
    assert!(fit.iter().all(|p| p.loss <= fit[0].loss), "{fit:?}");
}
