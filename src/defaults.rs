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
    /// Batches of a scenario drawn from a loaded table.
    pub table_batches: usize,
    /// Rows per batch of a scenario drawn from a loaded table.
    pub table_batch_rows: usize,
    /// The batch at which a scenario drawn from a table drifts (abrupt; where a gradual
    /// or incremental ramp starts; where a recurring one first turns on).
    pub table_drift_at: usize,
    /// Steps between a batch and its labels in a scenario drawn from a table.
    pub table_label_delay: usize,
    /// Batches added when a scenario is played on past its scripted end.
    pub extend_batches: usize,
    /// Whether Play pauses at the first alarm of each champion.
    pub pause_on_alarm: bool,
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
    table_batches: 30,
    table_batch_rows: 500,
    table_drift_at: 10,
    table_label_delay: 2,
    extend_batches: 10,
    pause_on_alarm: true,
};
