//! The defaults of every choice the page, the CLI and the deployment session leave to the
//! core, in one place.
//!
//! Each was written down twice or three times before (a constant in the core, the same
//! number in the page's form and in the Wasm facade's `unwrap_or`), and a change to one
//! copy would have left the page and the core disagreeing. Now the core reads them from
//! here, and the page asks for [`DEFAULTS`] (the data handle's `defaults()`) to fill its
//! forms, sending a value only when the person changed it.

use serde::Serialize;

/// The defaults, as the page receives them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Defaults {
    /// Share of the rows held out for testing when a model is trained.
    pub test_fraction: f64,
    /// Seed of the train/test split and of randomised trainers.
    pub seed: u64,
    /// Seed of a scenario's stream (every built-in scenario).
    pub scenario_seed: u64,
    /// Share of the traffic (percent) a canary sends to the challenger.
    pub canary_percent: f64,
    /// Share of the traffic (percent) an A/B test sends to the challenger.
    pub ab_percent: f64,
    /// Labelled batches a `recent` retraining window takes.
    pub retrain_batches: usize,
    /// Age in batches at which a `reweighted` retraining window halves a batch's weight.
    pub half_life: f64,
    /// Rows a batch-scoring job scores per call, so a progress bar moves between chunks.
    pub batch_rows: usize,
    /// Significance level of the champion/challenger comparison.
    pub alpha: f64,
}

/// The defaults.
pub const DEFAULTS: Defaults = Defaults {
    test_fraction: 0.25,
    seed: 42,
    scenario_seed: 42,
    canary_percent: 10.0,
    ab_percent: 50.0,
    retrain_batches: 5,
    half_life: 3.0,
    batch_rows: 2_000,
    alpha: 0.05,
};
