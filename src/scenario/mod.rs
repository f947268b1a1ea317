//! Scenarios: seeded streams of labelled batches with scripted drift, for teaching and
//! tests.
//!
//! A [`Scenario`] plays a [`ScenarioConfig`]: a data [`Generator`] (the `fraud`
//! transactions of [`FraudGenerator`], whose customers and fraud both change — covariate
//! and concept drift; a generic numeric stream whose means shift — covariate drift only;
//! two fixed classes whose balance changes — prior shift, [`Generator::PriorShift`]; or
//! the rows of any loaded table, bootstrapped, with a scripted shift, mix, prior or
//! concept change — [`Generator::Table`], see [`TableDrift`] and [`Scenario::with_table`]), a
//! [`Schedule`] that says how much drift each batch has (abrupt at batch `k`, a gradual
//! ramp, a recurring on/off pattern or a smooth season), the number and size of the
//! batches, and a `label_delay`: the labels of batch `t` become available at step
//! `t + label_delay`, as in production, where the truth about a transaction arrives days
//! after the model answered.
//!
//! Each [`Scenario::next_step`] returns a [`Step`]: the new batch (features and, kept
//! aside, its labels) and the labels released at this step. After the last batch the
//! scenario keeps stepping for `label_delay` more steps with no batch, releasing the labels
//! still owed. [`Scenario::extend`] adds batches after the scripted ones at any point, even
//! after the last label: the stream goes on in its last regime (the schedule's level for
//! those batch numbers), each batch's labels `label_delay` steps after it — so the loop
//! (retrain, shadow, compare, promote, watch recall come back) can be walked after the
//! script has ended. The same seed always gives the same rows, natively and in Wasm.
//!
//! Built-ins ([`builtins`], [`ScenarioConfig::builtin`]):
//!
//! | name | generator | schedule | batches × rows | label delay |
//! | --- | --- | --- | --- | --- |
//! | `fraud-abrupt` | fraud | drift 0 → 1 at batch 10 | 30 × 1000 | 2 |
//! | `fraud-gradual` | fraud | gradual: the share of rows at drift 1 ramps 0 → 1 over batches 8 to 20, the rest at 0 | 30 × 1000 | 2 |
//! | `fraud-incremental` | fraud | incremental: every row's drift ramps 0 → 1 over batches 8 to 20 | 30 × 1000 | 2 |
//! | `fraud-recurring` | fraud | drift 1 for 6 batches out of every 12, from batch 6 | 36 × 1000 | 2 |
//! | `mean-shift` | 4 normal features, mean of `x1` shifts by 2 | 0 → 1 at batch 10 | 30 × 500 | 1 |
//!
//! ```
//! use driftlab::scenario::Scenario;
//!
//! let mut s = Scenario::builtin("fraud-abrupt")?;
//! let first = s.next_step()?.expect("a first step");
//! let batch = first.batch.expect("a batch");
//! assert_eq!(batch.index, 0);
//! assert_eq!(batch.features.rows(), 1000);
//! assert!(batch.features.column("is_fraud").is_none()); // the labels come later
//! assert!(first.released.is_empty()); // label delay 2
//! # Ok::<(), driftlab::scenario::ScenarioError>(())
//! ```

use std::collections::VecDeque;

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::dataset::{DatasetError, FraudGenerator, FraudRecord};
use crate::table::{Column, ColumnData, Table, TableError};

mod table;

pub use table::{
    suggest, Bootstrap, Change, Importance, Suggested, TableDrift, TableSuggestion,
    IMPORTANCE_ROWS, MAX_CHANGES,
};

/// Most batches a scenario may have.
pub const MAX_BATCHES: usize = 100_000;
/// Most rows a batch may have.
pub const MAX_BATCH_ROWS: usize = 1_000_000;
/// Most features of the `mean-shift` generator.
pub const MAX_FEATURES: usize = 1_000;

/// What went wrong configuring or playing a scenario. Each message says how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// No built-in scenario by that name.
    #[error("unknown scenario {0:?}: use one of fraud-abrupt, fraud-gradual, fraud-incremental, fraud-recurring, mean-shift")]
    Unknown(String),
    /// A configuration value out of range.
    #[error("scenario {field}: {message}")]
    Invalid {
        /// The field of [`ScenarioConfig`] (or of its schedule or generator).
        field: &'static str,
        /// What is wrong and the valid range.
        message: String,
    },
    /// The generator refused (should not happen with a validated config).
    #[error("{0}")]
    Dataset(String),
    /// The batch table could not be built.
    #[error(transparent)]
    Table(#[from] TableError),
}

impl From<DatasetError> for ScenarioError {
    fn from(e: DatasetError) -> Self {
        ScenarioError::Dataset(e.to_string())
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        field,
        message: message.into(),
    }
}

/// How much drift each batch has, as a number in `[0, 1]` (0 = the training world).
///
/// Serialized with a `type` tag: `{"type": "abrupt", "at": 10, "from": 0, "to": 1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Schedule {
    /// The same drift for every batch.
    Constant {
        /// The drift.
        drift: f64,
    },
    /// `from` before batch `at`, `to` from batch `at` on.
    Abrupt {
        /// The first batch at the new drift (0-based).
        at: usize,
        /// Drift before.
        from: f64,
        /// Drift after.
        to: f64,
    },
    /// Gradual drift: two concepts side by side. Up to batch `start` every row comes from
    /// `from`; from then on a growing share of each batch's rows comes from `to` (the share
    /// ramps straight to all of them at batch `end`), the rest still from `from`, spread
    /// evenly through the batch. [`Schedule::drift_at`] gives the batch's mean level.
    Gradual {
        /// The last batch at `from`.
        start: usize,
        /// The first batch at `to` (greater than `start`).
        end: usize,
        /// Drift before the ramp.
        from: f64,
        /// Drift after the ramp.
        to: f64,
    },
    /// Incremental drift: one concept that moves. `from` up to batch `start`, then every row
    /// of a batch at the same level on a straight ramp reaching `to` at batch `end`, and
    /// `to` after.
    Incremental {
        /// The last batch at `from`.
        start: usize,
        /// The first batch at `to` (greater than `start`).
        end: usize,
        /// Drift before the ramp.
        from: f64,
        /// Drift after the ramp.
        to: f64,
    },
    /// A recurring pattern: `from` before batch `start`; from then on, in each `period`
    /// batches, the first `on` are at `to` and the rest at `from` (a concept that comes
    /// back, like a weekend or a season).
    Recurring {
        /// The first batch of the first `on` phase.
        start: usize,
        /// Length of one cycle, in batches (at least 2).
        period: usize,
        /// Batches at `to` in each cycle (1 to `period - 1`).
        on: usize,
        /// The usual drift.
        from: f64,
        /// The drift in the `on` phase.
        to: f64,
    },
    /// A smooth season: `from + (to − from) · (1 − cos(2π t / period)) / 2`, at `from` on
    /// batch 0 and at `to` half a period later.
    Seasonal {
        /// Length of one season, in batches (at least 2).
        period: usize,
        /// Drift at the start of a season.
        from: f64,
        /// Drift in the middle of a season.
        to: f64,
    },
}

impl Schedule {
    /// The drift of batch `t` (0-based), in `[0, 1]` for a validated schedule.
    pub fn drift_at(&self, t: usize) -> f64 {
        let d = match *self {
            Schedule::Constant { drift } => drift,
            Schedule::Abrupt { at, from, to } => {
                if t < at {
                    from
                } else {
                    to
                }
            }
            Schedule::Gradual {
                start,
                end,
                from,
                to,
            }
            | Schedule::Incremental {
                start,
                end,
                from,
                to,
            } => {
                if t <= start {
                    from
                } else if t >= end {
                    to
                } else {
                    let span = end.saturating_sub(start).max(1) as f64;
                    from + (to - from) * (t - start) as f64 / span
                }
            }
            Schedule::Recurring {
                start,
                period,
                on,
                from,
                to,
            } => {
                if t < start || period == 0 {
                    from
                } else if (t - start) % period < on {
                    to
                } else {
                    from
                }
            }
            Schedule::Seasonal { period, from, to } => {
                let period = period.max(1) as f64;
                let phase = 2.0 * std::f64::consts::PI * (t as f64 % period) / period;
                from + (to - from) * (1.0 - libm::cos(phase)) / 2.0
            }
        };
        if d.is_finite() {
            d.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// The drift of each of the `n` rows of batch `t`, when they differ (gradual drift:
    /// each row at `from` or at `to`, the share at `to` rounded to whole rows and spread
    /// evenly); `None` when every row is at [`Schedule::drift_at`].
    pub fn row_levels(&self, t: usize, n: usize) -> Option<Vec<f64>> {
        let Schedule::Gradual { from, to, .. } = *self else {
            return None;
        };
        let share = if to == from {
            0.0
        } else {
            ((self.drift_at(t) - from) / (to - from)).clamp(0.0, 1.0)
        };
        // row i comes from `to` when the running count of new rows steps up there
        let new_before = |i: usize| (i as f64 * share).round() as usize;
        Some(
            (0..n)
                .map(|i| {
                    if new_before(i + 1) > new_before(i) {
                        to
                    } else {
                        from
                    }
                })
                .collect(),
        )
    }

    /// Checks the levels are in `[0, 1]` and the shape is sensible.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let level = |name: &'static str, x: f64| {
            if x.is_finite() && (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(invalid(
                    name,
                    format!("{x} is not a drift level: use a number from 0 to 1"),
                ))
            }
        };
        match *self {
            Schedule::Constant { drift } => level("schedule.drift", drift),
            Schedule::Abrupt { from, to, .. } => {
                level("schedule.from", from)?;
                level("schedule.to", to)
            }
            Schedule::Gradual {
                start,
                end,
                from,
                to,
            }
            | Schedule::Incremental {
                start,
                end,
                from,
                to,
            } => {
                level("schedule.from", from)?;
                level("schedule.to", to)?;
                if end <= start {
                    return Err(invalid(
                        "schedule.end",
                        format!("the ramp must end after it starts (start {start}, end {end})"),
                    ));
                }
                Ok(())
            }
            Schedule::Recurring {
                period,
                on,
                from,
                to,
                ..
            } => {
                level("schedule.from", from)?;
                level("schedule.to", to)?;
                if period < 2 {
                    return Err(invalid(
                        "schedule.period",
                        "use a period of at least 2 batches",
                    ));
                }
                if on == 0 || on >= period {
                    return Err(invalid(
                        "schedule.on",
                        format!("use 1 to {} batches on in a period of {period}", period - 1),
                    ));
                }
                Ok(())
            }
            Schedule::Seasonal { period, from, to } => {
                level("schedule.from", from)?;
                level("schedule.to", to)?;
                if period < 2 {
                    return Err(invalid(
                        "schedule.period",
                        "use a period of at least 2 batches",
                    ));
                }
                Ok(())
            }
        }
    }
}

/// Where the rows come from.
///
/// Serialized with a `kind` tag: `{"kind": "fraud"}`, `{"kind": "mean-shift", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Generator {
    /// Card transactions from [`FraudGenerator`] (target `is_fraud`, `0`/`1`): under drift
    /// customers change (data drift) and fraud changes its shape (concept drift).
    Fraud,
    /// `features` standard-normal columns `x1, x2, …`; drift `d` moves the mean of `x1` to
    /// `shift · d`. The target `y` is `1` when `x1 + x2 + 0.5·ε > 1` (ε standard normal),
    /// `0` otherwise: the rule never changes, only the inputs do (pure data drift, and
    /// more positives as `x1` grows).
    MeanShift {
        /// Number of features (2 to [`MAX_FEATURES`]).
        features: usize,
        /// The shift of `x1`'s mean at drift 1, in standard deviations.
        shift: f64,
    },
    /// Prior shift: the class balance changes, the classes themselves do not. `y` is `1`
    /// with probability `from + (to − from) · d` at drift `d`; given the class, the
    /// `features` columns `x1, x2, …` are independent normals with unit variance, mean 0
    /// for class `0` and mean `separation / √2` on `x1` and `x2` for class `1` (so the two
    /// class means lie `separation` apart). `p(x | y)` never changes, `p(y)` and with it
    /// `p(x)` do: a model's scores keep their ranking while its calibration, precision
    /// and the best threshold move.
    PriorShift {
        /// Number of features (2 to [`MAX_FEATURES`]).
        features: usize,
        /// Share of class `1` at drift 0, in `[0, 1]`.
        from: f64,
        /// Share of class `1` at drift 1, in `[0, 1]`.
        to: f64,
        /// Distance between the class means, in standard deviations (finite, ≥ 0).
        separation: f64,
    },
    /// The rows of a loaded table, bootstrapped, with the drift scripted on them (see
    /// [`TableDrift`] and [`Scenario::with_table`]).
    Table(TableDrift),
}

impl Generator {
    /// The target column this generator writes.
    pub fn target(&self) -> &str {
        match self {
            Generator::Fraud => "is_fraud",
            Generator::MeanShift { .. } | Generator::PriorShift { .. } => "y",
            Generator::Table(d) => &d.target,
        }
    }
}

/// A scenario, as data: what the page stores in its URL and the CLI reads from JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioConfig {
    /// A name to show.
    pub name: String,
    /// One sentence on what happens.
    #[serde(default)]
    pub description: String,
    /// Where the rows come from.
    pub generator: Generator,
    /// How much drift each batch has.
    pub schedule: Schedule,
    /// Number of batches (1 to [`MAX_BATCHES`]).
    pub batches: usize,
    /// Rows per batch (1 to [`MAX_BATCH_ROWS`]).
    pub batch_size: usize,
    /// Labels of batch `t` are released at step `t + label_delay` (0 = at once).
    pub label_delay: usize,
    /// The seed: the same seed gives the same rows.
    pub seed: u64,
}

/// A built-in scenario's name and description, for menus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioInfo {
    /// The name used by [`ScenarioConfig::builtin`], the CLI and the URL.
    pub name: &'static str,
    /// One sentence on what happens.
    pub description: &'static str,
}

const BUILTINS: [ScenarioInfo; 5] = [
    ScenarioInfo {
        name: "fraud-abrupt",
        description: "Card transactions; at batch 10 customers move online and fraudsters switch to small online-gaming purchases from new devices: accuracy stays high while recall collapses.",
    },
    ScenarioInfo {
        name: "fraud-gradual",
        description: "Card transactions; between batches 8 and 20 more and more of each batch follows the new pattern (customers online, fraudsters on small gaming purchases) while the rest still follows the old one, so the model degrades slowly.",
    },
    ScenarioInfo {
        name: "fraud-incremental",
        description: "Card transactions; between batches 8 and 20 every transaction moves a little further towards the new pattern each batch: one world sliding, rather than two side by side.",
    },
    ScenarioInfo {
        name: "fraud-recurring",
        description: "Card transactions; from batch 6 the new fraud pattern comes for 6 batches out of every 12 and goes away again, like a season.",
    },
    ScenarioInfo {
        name: "mean-shift",
        description: "Four numeric features; at batch 10 the mean of x1 jumps by 2 standard deviations while the labelling rule stays the same: data drift without concept drift.",
    },
];

/// The built-in scenarios.
pub fn builtins() -> Vec<ScenarioInfo> {
    BUILTINS.to_vec()
}

impl ScenarioConfig {
    /// The built-in scenario `name` (see the [module docs](self)), seeded with
    /// [`DEFAULTS`](crate::defaults::DEFAULTS)`.scenario_seed` (42).
    pub fn builtin(name: &str) -> Result<ScenarioConfig, ScenarioError> {
        let info = BUILTINS
            .iter()
            .find(|b| b.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| ScenarioError::Unknown(name.to_owned()))?;
        let fraud = |schedule: Schedule, batches: usize| ScenarioConfig {
            name: info.name.to_owned(),
            description: info.description.to_owned(),
            generator: Generator::Fraud,
            schedule,
            batches,
            batch_size: 1000,
            label_delay: 2,
            seed: crate::defaults::DEFAULTS.scenario_seed,
        };
        Ok(match info.name {
            "fraud-abrupt" => fraud(
                Schedule::Abrupt {
                    at: 10,
                    from: 0.0,
                    to: 1.0,
                },
                30,
            ),
            "fraud-gradual" => fraud(
                Schedule::Gradual {
                    start: 8,
                    end: 20,
                    from: 0.0,
                    to: 1.0,
                },
                30,
            ),
            "fraud-incremental" => fraud(
                Schedule::Incremental {
                    start: 8,
                    end: 20,
                    from: 0.0,
                    to: 1.0,
                },
                30,
            ),
            "fraud-recurring" => fraud(
                Schedule::Recurring {
                    start: 6,
                    period: 12,
                    on: 6,
                    from: 0.0,
                    to: 1.0,
                },
                36,
            ),
            _ => ScenarioConfig {
                name: info.name.to_owned(),
                description: info.description.to_owned(),
                generator: Generator::MeanShift {
                    features: 4,
                    shift: 2.0,
                },
                schedule: Schedule::Abrupt {
                    at: 10,
                    from: 0.0,
                    to: 1.0,
                },
                batches: 30,
                batch_size: 500,
                label_delay: 1,
                seed: crate::defaults::DEFAULTS.scenario_seed,
            },
        })
    }

    /// Checks every field; the error names the field and the valid range.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.batches == 0 || self.batches > MAX_BATCHES {
            return Err(invalid(
                "batches",
                format!("{} batches: use 1 to {MAX_BATCHES}", self.batches),
            ));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH_ROWS {
            return Err(invalid(
                "batch_size",
                format!(
                    "{} rows a batch: use 1 to {MAX_BATCH_ROWS}",
                    self.batch_size
                ),
            ));
        }
        if self.label_delay > MAX_BATCHES {
            return Err(invalid(
                "label_delay",
                format!("use a delay of 0 to {MAX_BATCHES} batches"),
            ));
        }
        if let Generator::MeanShift { features, shift } = self.generator {
            if !(2..=MAX_FEATURES).contains(&features) {
                return Err(invalid(
                    "generator.features",
                    format!("{features} features: use 2 to {MAX_FEATURES}"),
                ));
            }
            if !shift.is_finite() || shift.abs() > 1e6 {
                return Err(invalid(
                    "generator.shift",
                    "use a finite shift (in standard deviations)",
                ));
            }
        }
        if let Generator::PriorShift {
            features,
            from,
            to,
            separation,
        } = self.generator
        {
            if !(2..=MAX_FEATURES).contains(&features) {
                return Err(invalid(
                    "generator.features",
                    format!("{features} features: use 2 to {MAX_FEATURES}"),
                ));
            }
            for (field, share) in [("generator.from", from), ("generator.to", to)] {
                if !(share.is_finite() && (0.0..=1.0).contains(&share)) {
                    return Err(invalid(
                        field,
                        format!("{share} is not a share of rows: use a number from 0 to 1"),
                    ));
                }
            }
            if !(separation.is_finite() && (0.0..=1e6).contains(&separation)) {
                return Err(invalid(
                    "generator.separation",
                    "use a finite distance of 0 or more (in standard deviations)",
                ));
            }
        }
        if let Generator::Table(d) = &self.generator {
            d.validate()?;
        }
        self.schedule.validate()
    }

    /// The drift of every batch, in order (for the timeline under the charts).
    pub fn drift_curve(&self) -> Vec<f64> {
        (0..self.batches.min(MAX_BATCHES))
            .map(|t| self.schedule.drift_at(t))
            .collect()
    }
}

/// One batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// 0-based batch number.
    pub index: usize,
    /// The drift the rows were drawn at.
    pub drift: f64,
    /// The rows without the target: what the deployed model sees.
    pub features: Table,
    /// The true labels, one per row, as text (`"0"`/`"1"`); held back by the scenario
    /// until step `labels_at` (read them here only to cheat, e.g. in tests).
    pub labels: Vec<String>,
    /// The step at which [`Step::released`] carries these labels.
    pub labels_at: usize,
    /// The name of the target column.
    pub target: String,
}

impl Batch {
    /// The rows with the target column appended, as training reads them: numeric when
    /// every label is a number (the fraud stream's `0`/`1`), boolean when every one is
    /// `true`/`false`, categorical otherwise — the kinds reading them from a CSV infers.
    pub fn labelled(&self) -> Result<Table, ScenarioError> {
        let numbers: Option<Vec<f64>> = self.labels.iter().map(|l| l.parse::<f64>().ok()).collect();
        let bools: Option<Vec<Option<bool>>> = self
            .labels
            .iter()
            .map(|l| match l.to_ascii_lowercase().as_str() {
                "true" => Some(Some(true)),
                "false" => Some(Some(false)),
                _ => None,
            })
            .collect();
        let target = match (numbers, bools) {
            (Some(y), _) => Column::numeric(self.target.clone(), y),
            (None, Some(b)) => Column {
                name: self.target.clone(),
                data: ColumnData::Boolean(b),
            },
            (None, None) => Column::categorical(
                self.target.clone(),
                &self.labels.iter().map(Some).collect::<Vec<_>>(),
            ),
        };
        let mut columns = self.features.columns().to_vec();
        columns.push(target);
        Ok(Table::new(columns)?)
    }
}

/// Labels that became available at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelRelease {
    /// The batch the labels belong to.
    pub batch: usize,
    /// One label per row of that batch, in row order.
    pub labels: Vec<String>,
}

/// What one step of a scenario brings.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step number (0-based; equal to the batch index while there are batches).
    pub step: usize,
    /// The new batch, or `None` in the last `label_delay` steps.
    pub batch: Option<Batch>,
    /// Labels released at this step (of batch `step − label_delay`).
    pub released: Vec<LabelRelease>,
}

#[derive(Debug, Clone)]
enum Source {
    Fraud(FraudGenerator),
    MeanShift(StdRng),
    Table(std::sync::Arc<Bootstrap>, StdRng),
}

/// A scenario being played. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Scenario {
    config: ScenarioConfig,
    source: Source,
    step: usize,
    /// The next batch's number (equal to `step` until the stream is extended after its end).
    next_batch: usize,
    /// Batches added after the scripted ones ([`Scenario::extend`]).
    extra: usize,
    /// Each extension: the step it was made at and the batches it added.
    extensions: Vec<(usize, usize)>,
    /// Labels not released yet, each with the step that releases it.
    pending: VecDeque<(usize, LabelRelease)>,
}

impl Scenario {
    /// Starts playing `config` (validated first).
    pub fn new(config: ScenarioConfig) -> Result<Scenario, ScenarioError> {
        config.validate()?;
        let source = match config.generator {
            Generator::Fraud => Source::Fraud(FraudGenerator::new(config.seed)),
            Generator::MeanShift { .. } | Generator::PriorShift { .. } => {
                Source::MeanShift(StdRng::seed_from_u64(config.seed))
            }
            Generator::Table(_) => {
                return Err(invalid(
                    "generator",
                    "a scenario drawn from a table needs the table: load it and start the scenario from it",
                ))
            }
        };
        Ok(Scenario::of(config, source))
    }

    /// Starts playing `config`, whose generator is [`Generator::Table`], on the rows of
    /// `table` (see [`TableDrift`]).
    pub fn with_table(config: ScenarioConfig, table: &Table) -> Result<Scenario, ScenarioError> {
        config.validate()?;
        let Generator::Table(drift) = &config.generator else {
            return Scenario::new(config);
        };
        let boot = Bootstrap::new(table, drift)?;
        let rng = StdRng::seed_from_u64(config.seed);
        Ok(Scenario::of(
            config,
            Source::Table(std::sync::Arc::new(boot), rng),
        ))
    }

    fn of(config: ScenarioConfig, source: Source) -> Scenario {
        Scenario {
            config,
            source,
            step: 0,
            next_batch: 0,
            extra: 0,
            extensions: Vec::new(),
            pending: VecDeque::new(),
        }
    }

    /// Adds `batches` batches after the scripted ones (or after those already added): the
    /// stream goes on in its last regime (the schedule's level for those batch numbers —
    /// after an abrupt, gradual or incremental drift its end level, a recurring one keeps
    /// recurring). Works at any point, also after the last label was released; the labels
    /// of the new batches arrive `label_delay` steps after each, as before.
    pub fn extend(&mut self, batches: usize) {
        let before = self.extra;
        self.extra = self.extra.saturating_add(batches).min(MAX_BATCHES);
        if self.extra > before {
            self.extensions.push((self.step, self.extra - before));
        }
    }

    /// Every [`Scenario::extend`] so far: the step it was made at and the batches it
    /// added. Played again in the same order, they give the same steps (a batch added
    /// after the last label is played after the steps that only released labels).
    pub fn extensions(&self) -> &[(usize, usize)] {
        &self.extensions
    }

    /// Batches played so far.
    pub fn batches_played(&self) -> usize {
        self.next_batch
    }

    /// Batches in the stream: the scripted ones and those added by [`Scenario::extend`].
    pub fn batches_total(&self) -> usize {
        self.config.batches + self.extra
    }

    /// Starts the built-in scenario `name`.
    pub fn builtin(name: &str) -> Result<Scenario, ScenarioError> {
        Scenario::new(ScenarioConfig::builtin(name)?)
    }

    /// The configuration being played.
    pub fn config(&self) -> &ScenarioConfig {
        &self.config
    }

    /// The target column of the batches.
    pub fn target(&self) -> &str {
        self.config.generator.target()
    }

    /// The next step to be played (0-based).
    pub fn position(&self) -> usize {
        self.step
    }

    /// Total steps: the batches, then `label_delay` steps that only release labels (for a
    /// stream extended after its end, the step that releases the last label, plus one).
    pub fn total_steps(&self) -> usize {
        let left = self.batches_total().saturating_sub(self.next_batch);
        if left > 0 {
            self.step + left + self.config.label_delay
        } else {
            self.pending
                .back()
                .map_or(self.step, |(at, _)| (*at + 1).max(self.step))
        }
    }

    /// Plays one step; `None` once every batch was played and every label released.
    pub fn next_step(&mut self) -> Result<Option<Step>, ScenarioError> {
        let more = self.next_batch < self.batches_total();
        if !more && self.pending.is_empty() {
            return Ok(None);
        }
        let t = self.step;
        let batch = if more {
            let b = self.make_batch(self.next_batch, t)?;
            self.next_batch += 1;
            self.pending.push_back((
                b.labels_at,
                LabelRelease {
                    batch: b.index,
                    labels: b.labels.clone(),
                },
            ));
            Some(b)
        } else {
            None
        };
        let mut released = Vec::new();
        while let Some((at, _)) = self.pending.front() {
            if *at <= t {
                if let Some((_, r)) = self.pending.pop_front() {
                    released.push(r);
                }
            } else {
                break;
            }
        }
        self.step += 1;
        Ok(Some(Step {
            step: t,
            batch,
            released,
        }))
    }

    /// `rows` rows at drift `drift` from a separate stream seeded with `seed` (the
    /// scenario's own stream is not touched), with the target column: the data to train
    /// the first model on.
    pub fn reference(&self, rows: usize, drift: f64, seed: u64) -> Result<Table, ScenarioError> {
        let config = ScenarioConfig {
            seed,
            schedule: Schedule::Constant { drift },
            batches: 1,
            batch_size: rows.max(1),
            label_delay: 0,
            ..self.config.clone()
        };
        let mut other = match &self.source {
            Source::Table(boot, _) => {
                config.validate()?;
                Scenario::of(
                    config,
                    Source::Table(std::sync::Arc::clone(boot), StdRng::seed_from_u64(seed)),
                )
            }
            _ => Scenario::new(config)?,
        };
        let b = other.make_batch(0, 0)?;
        b.labelled()
    }

    /// Batch `t`, played at step `step` (its labels come `label_delay` steps later).
    fn make_batch(&mut self, t: usize, step: usize) -> Result<Batch, ScenarioError> {
        let drift = self.config.schedule.drift_at(t);
        let n = self.config.batch_size;
        let rows = self.config.schedule.row_levels(t, n);
        let level = |i: usize| rows.as_ref().map_or(drift, |r| r[i]);
        let (features, labels) = match (&mut self.source, &self.config.generator) {
            (Source::Fraud(g), _) => match &rows {
                None => fraud_table(&g.records(n, drift)?)?,
                Some(levels) => {
                    let mut records = Vec::with_capacity(n);
                    for &d in levels {
                        records.extend(g.records(1, d)?);
                    }
                    fraud_table(&records)?
                }
            },
            (Source::MeanShift(rng), Generator::MeanShift { features, shift }) => {
                mean_shift_table(rng, n, *features, |i| shift * level(i))?
            }
            (
                Source::MeanShift(rng),
                Generator::PriorShift {
                    features,
                    from,
                    to,
                    separation,
                },
            ) => prior_shift_table(
                rng,
                n,
                *features,
                |i| from + (to - from) * level(i),
                *separation,
            )?,
            (Source::Table(boot, rng), _) => boot.batch(rng, n, level)?,
            (Source::MeanShift(_), _) => {
                return Err(invalid("generator", "the generator changed while playing"))
            }
        };
        Ok(Batch {
            index: t,
            drift,
            features,
            labels,
            labels_at: step + self.config.label_delay,
            target: self.target().to_owned(),
        })
    }
}

/// The fraud records as a table with the kinds that reading the `fraud` CSV gives
/// (numbers numeric, `card_present`/`device_new` boolean, text categorical), without the
/// target, and the labels.
fn fraud_table(records: &[FraudRecord]) -> Result<(Table, Vec<String>), ScenarioError> {
    let num = |f: &dyn Fn(&FraudRecord) -> f64| records.iter().map(f).collect::<Vec<f64>>();
    let columns = vec![
        Column::numeric("amount", num(&|r| r.amount)),
        Column::numeric("hour", num(&|r| f64::from(r.hour))),
        Column::categorical(
            "merchant_category",
            &records
                .iter()
                .map(|r| Some(r.merchant_category))
                .collect::<Vec<_>>(),
        ),
        Column::categorical(
            "country",
            &records.iter().map(|r| Some(r.country)).collect::<Vec<_>>(),
        ),
        Column {
            name: "card_present".into(),
            data: ColumnData::Boolean(records.iter().map(|r| Some(r.card_present)).collect()),
        },
        Column::numeric(
            "account_age_days",
            num(&|r| r.account_age_days.map_or(f64::NAN, f64::from)),
        ),
        Column::numeric("tx_last_24h", num(&|r| f64::from(r.tx_last_24h))),
        Column::numeric(
            "distance_from_home_km",
            num(&|r| r.distance_from_home_km.unwrap_or(f64::NAN)),
        ),
        Column {
            name: "device_new".into(),
            data: ColumnData::Boolean(records.iter().map(|r| r.device_new).collect()),
        },
    ];
    let labels = records.iter().map(|r| r.is_fraud.to_string()).collect();
    Ok((Table::new(columns)?, labels))
}

fn mean_shift_table(
    rng: &mut StdRng,
    n: usize,
    features: usize,
    shift: impl Fn(usize) -> f64,
) -> Result<(Table, Vec<String>), ScenarioError> {
    let mut cols: Vec<Vec<f64>> = vec![Vec::with_capacity(n); features];
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        for (j, col) in cols.iter_mut().enumerate() {
            let z = crate::dataset::standard_normal(rng);
            col.push(if j == 0 { z + shift(i) } else { z });
        }
        let noise = crate::dataset::standard_normal(rng);
        let (x1, x2) = (cols[0][cols[0].len() - 1], cols[1][cols[1].len() - 1]);
        labels.push(
            if x1 + x2 + 0.5 * noise > 1.0 {
                "1"
            } else {
                "0"
            }
            .to_owned(),
        );
    }
    let columns = cols
        .into_iter()
        .enumerate()
        .map(|(j, v)| Column::numeric(format!("x{}", j + 1), v))
        .collect();
    Ok((Table::new(columns)?, labels))
}

/// Rows of [`Generator::PriorShift`]: class `1` with probability `positive`.
fn prior_shift_table(
    rng: &mut StdRng,
    n: usize,
    features: usize,
    positive: impl Fn(usize) -> f64,
    separation: f64,
) -> Result<(Table, Vec<String>), ScenarioError> {
    use rand::Rng;
    let mean = separation / std::f64::consts::SQRT_2;
    let mut cols: Vec<Vec<f64>> = vec![Vec::with_capacity(n); features];
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let y = rng.gen::<f64>() < positive(i);
        for (j, col) in cols.iter_mut().enumerate() {
            let z = crate::dataset::standard_normal(rng);
            col.push(if y && j < 2 { z + mean } else { z });
        }
        labels.push(if y { "1" } else { "0" }.to_owned());
    }
    let columns = cols
        .into_iter()
        .enumerate()
        .map(|(j, v)| Column::numeric(format!("x{}", j + 1), v))
        .collect();
    Ok((Table::new(columns)?, labels))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read_csv, ReadOptions};

    /// Gradual drift mixes the two concepts row by row (each row at `from` or at `to`, the
    /// share at `to` following the ramp); incremental drift moves every row together.
    #[test]
    fn gradual_mixes_rows_incremental_moves_them_all() {
        let (start, end) = (2, 6);
        let gradual = Schedule::Gradual {
            start,
            end,
            from: 0.0,
            to: 1.0,
        };
        let incremental = Schedule::Incremental {
            start,
            end,
            from: 0.0,
            to: 1.0,
        };
        for t in 0..8 {
            assert_eq!(gradual.drift_at(t), incremental.drift_at(t));
            assert_eq!(incremental.row_levels(t, 100), None);
            let rows = gradual.row_levels(t, 100).unwrap();
            assert!(rows.iter().all(|&d| d == 0.0 || d == 1.0));
            let at_new = rows.iter().filter(|&&d| d == 1.0).count();
            assert_eq!(
                at_new as f64,
                (gradual.drift_at(t) * 100.0).round(),
                "batch {t}"
            );
        }
        // spread through the batch, not in a block: a quarter at `to` is one row in four
        let quarter = gradual.row_levels(3, 8).unwrap();
        assert_eq!(quarter, [0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

        // on the mean-shift generator, a gradual batch halfway holds two clusters of x1
        // (shift 0 and 2), an incremental one a single cluster shifted by 1
        let config = |schedule| ScenarioConfig {
            name: "test".into(),
            description: String::new(),
            generator: Generator::MeanShift {
                features: 2,
                shift: 2.0,
            },
            schedule,
            batches: 8,
            batch_size: 4_000,
            label_delay: 0,
            seed: 3,
        };
        let halfway = |schedule| {
            let mut s = Scenario::new(config(schedule)).unwrap();
            let mut x1 = Vec::new();
            while let Some(step) = s.next_step().unwrap() {
                let b = step.batch.unwrap();
                if b.index == 4 {
                    let ColumnData::Numeric(v) = &b.features.column("x1").unwrap().data else {
                        panic!("x1 is numeric");
                    };
                    x1 = v.clone();
                }
            }
            let mean = x1.iter().sum::<f64>() / x1.len() as f64;
            let var = x1.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / x1.len() as f64;
            (mean, var)
        };
        let (gm, gv) = halfway(gradual);
        let (im, iv) = halfway(incremental);
        assert!(
            (gm - 1.0).abs() < 0.1 && (im - 1.0).abs() < 0.1,
            "{gm} {im}"
        );
        // a 50/50 mix of N(0,1) and N(2,1) has variance 2; the shifted N(1,1) has 1
        assert!(
            (gv - 2.0).abs() < 0.2 && (iv - 1.0).abs() < 0.1,
            "{gv} {iv}"
        );
    }

    /// The prior-shift generator under every schedule: the share of class 1 in each batch
    /// follows the schedule, and the class-conditional means do not move.
    #[test]
    fn prior_shift_moves_the_class_balance_only() {
        let schedules = [
            Schedule::Abrupt {
                at: 4,
                from: 0.0,
                to: 1.0,
            },
            Schedule::Gradual {
                start: 2,
                end: 8,
                from: 0.0,
                to: 1.0,
            },
            Schedule::Recurring {
                start: 2,
                period: 4,
                on: 2,
                from: 0.0,
                to: 1.0,
            },
            Schedule::Seasonal {
                period: 6,
                from: 0.0,
                to: 1.0,
            },
        ];
        for schedule in schedules {
            let config = ScenarioConfig {
                name: "prior".into(),
                description: String::new(),
                generator: Generator::PriorShift {
                    features: 3,
                    from: 0.1,
                    to: 0.6,
                    separation: 2.0,
                },
                schedule: schedule.clone(),
                batches: 10,
                batch_size: 4000,
                label_delay: 0,
                seed: 9,
            };
            let curve = config.drift_curve();
            for step in play(Scenario::new(config).unwrap()) {
                let Some(b) = step.batch else { continue };
                let positive = b.labels.iter().filter(|l| *l == "1").count();
                let share = positive as f64 / b.labels.len() as f64;
                let want = 0.1 + 0.5 * curve[b.index];
                assert!(
                    (share - want).abs() < 0.03,
                    "{schedule:?}, batch {}: share {share}, want {want}",
                    b.index
                );
                // class 1 sits √2 higher on x1 and x2 whatever the balance; x3 never moves
                let ColumnData::Numeric(x1) = &b.features.column("x1").unwrap().data else {
                    panic!("x1 is numeric")
                };
                let ColumnData::Numeric(x3) = &b.features.column("x3").unwrap().data else {
                    panic!("x3 is numeric")
                };
                let mean_of = |v: &[f64], class: &str| {
                    let xs: Vec<f64> = v
                        .iter()
                        .zip(&b.labels)
                        .filter(|(_, l)| *l == class)
                        .map(|(x, _)| *x)
                        .collect();
                    xs.iter().sum::<f64>() / xs.len().max(1) as f64
                };
                if positive > 200 && b.labels.len() - positive > 200 {
                    let gap = mean_of(x1, "1") - mean_of(x1, "0");
                    assert!((gap - std::f64::consts::SQRT_2).abs() < 0.15, "gap {gap}");
                    assert!((mean_of(x3, "1") - mean_of(x3, "0")).abs() < 0.15);
                }
            }
        }
    }

    #[test]
    fn prior_shift_configs_are_checked() {
        let mut config = ScenarioConfig::builtin("mean-shift").unwrap();
        for (generator, field) in [
            (
                Generator::PriorShift {
                    features: 1,
                    from: 0.1,
                    to: 0.5,
                    separation: 1.0,
                },
                "features",
            ),
            (
                Generator::PriorShift {
                    features: 2,
                    from: -0.1,
                    to: 0.5,
                    separation: 1.0,
                },
                "from",
            ),
            (
                Generator::PriorShift {
                    features: 2,
                    from: 0.1,
                    to: 1.5,
                    separation: 1.0,
                },
                "to",
            ),
            (
                Generator::PriorShift {
                    features: 2,
                    from: 0.1,
                    to: 0.5,
                    separation: f64::NAN,
                },
                "separation",
            ),
        ] {
            config.generator = generator;
            let e = config.validate().unwrap_err().to_string();
            assert!(e.contains(field), "{e}");
        }
        config.generator = Generator::PriorShift {
            features: 2,
            from: 0.1,
            to: 0.5,
            separation: 1.0,
        };
        config.validate().unwrap();
        let json = serde_json::to_string(&config).unwrap();
        assert!(json.contains("\"kind\":\"prior-shift\""), "{json}");
        assert_eq!(
            serde_json::from_str::<ScenarioConfig>(&json).unwrap(),
            config
        );
    }

    fn play(mut s: Scenario) -> Vec<Step> {
        let mut out = Vec::new();
        while let Some(step) = s.next_step().unwrap() {
            out.push(step);
        }
        out
    }

    #[test]
    fn schedules_give_the_documented_drift() {
        let abrupt = Schedule::Abrupt {
            at: 3,
            from: 0.0,
            to: 1.0,
        };
        assert_eq!(
            (0..5).map(|t| abrupt.drift_at(t)).collect::<Vec<_>>(),
            [0.0, 0.0, 0.0, 1.0, 1.0]
        );
        let ramp = Schedule::Gradual {
            start: 2,
            end: 6,
            from: 0.0,
            to: 1.0,
        };
        assert_eq!(
            (0..8).map(|t| ramp.drift_at(t)).collect::<Vec<_>>(),
            [0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
        );
        let rec = Schedule::Recurring {
            start: 1,
            period: 4,
            on: 2,
            from: 0.0,
            to: 1.0,
        };
        assert_eq!(
            (0..9).map(|t| rec.drift_at(t)).collect::<Vec<_>>(),
            [0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
        );
        let season = Schedule::Seasonal {
            period: 4,
            from: 0.0,
            to: 1.0,
        };
        assert!((season.drift_at(2) - 1.0).abs() < 1e-12);
        assert!(season.drift_at(4).abs() < 1e-12);
        assert!((season.drift_at(1) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn labels_arrive_after_the_delay() {
        let mut c = ScenarioConfig::builtin("fraud-abrupt").unwrap();
        c.batches = 4;
        c.batch_size = 50;
        c.label_delay = 2;
        let steps = play(Scenario::new(c).unwrap());
        assert_eq!(steps.len(), 6);
        let released: Vec<Vec<usize>> = steps
            .iter()
            .map(|s| s.released.iter().map(|r| r.batch).collect())
            .collect();
        assert_eq!(
            released,
            [vec![], vec![], vec![0], vec![1], vec![2], vec![3]]
        );
        assert!(steps[4].batch.is_none() && steps[5].batch.is_none());
        let b0 = steps[0].batch.as_ref().unwrap();
        assert_eq!(steps[2].released[0].labels, b0.labels);
        assert_eq!(b0.labels_at, 2);
    }

    #[test]
    fn zero_delay_releases_at_once() {
        let mut c = ScenarioConfig::builtin("mean-shift").unwrap();
        c.batches = 2;
        c.label_delay = 0;
        let steps = play(Scenario::new(c).unwrap());
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].released[0].batch, 1);
    }

    #[test]
    fn the_same_seed_gives_the_same_rows() {
        let a = play(Scenario::builtin("fraud-gradual").unwrap());
        let b = play(Scenario::builtin("fraud-gradual").unwrap());
        let print = |steps: &[Step]| -> Vec<(u64, Vec<String>)> {
            steps
                .iter()
                .filter_map(|s| s.batch.as_ref())
                .map(|b| (b.features.fingerprint(), b.labels.clone()))
                .collect()
        };
        assert_eq!(print(&a), print(&b));
        assert_eq!(print(&a).len(), 30);
        let mut other = ScenarioConfig::builtin("fraud-gradual").unwrap();
        other.seed = 7;
        let c = play(Scenario::new(other).unwrap());
        assert_ne!(print(&a)[0], print(&c)[0]);
    }

    #[test]
    fn fraud_batches_read_like_the_csv() {
        let (table, labels) =
            fraud_table(&FraudGenerator::new(3).records(400, 0.5).unwrap()).unwrap();
        let csv = FraudGenerator::new(3).csv(400, 0.5, true).unwrap();
        let read = read_csv(&csv, &ReadOptions::default()).unwrap().table;
        // NaN != NaN, so compare fingerprints (which hash a missing cell as missing).
        let print = |c: &Column| Table::new(vec![c.clone()]).unwrap().fingerprint();
        for c in table.columns() {
            assert_eq!(print(c), print(read.column(&c.name).unwrap()), "{}", c.name);
        }
        let y = read.column("is_fraud").unwrap();
        for (i, l) in labels.iter().enumerate() {
            assert_eq!(
                y.get(i),
                Some(crate::table::Cell::Number(l.parse().unwrap()))
            );
        }
    }

    #[test]
    fn the_abrupt_switch_shows_in_the_rows() {
        let steps = play(Scenario::builtin("fraud-abrupt").unwrap());
        let gaming = |b: &Batch| {
            let c = b.features.column("merchant_category").unwrap();
            (0..b.features.rows())
                .filter(|&i| c.get(i) == Some(crate::table::Cell::Category("online_gaming")))
                .count()
        };
        let before = gaming(steps[9].batch.as_ref().unwrap());
        let after = gaming(steps[10].batch.as_ref().unwrap());
        assert_eq!(steps[9].batch.as_ref().unwrap().drift, 0.0);
        assert_eq!(steps[10].batch.as_ref().unwrap().drift, 1.0);
        assert!(after > 2 * before, "{before} {after}");
    }

    #[test]
    fn mean_shift_moves_x1() {
        let steps = play(Scenario::builtin("mean-shift").unwrap());
        let mean = |t: usize| match &steps[t].batch.as_ref().unwrap().features.columns()[0].data {
            ColumnData::Numeric(v) => v.iter().sum::<f64>() / v.len() as f64,
            _ => unreachable!(),
        };
        assert!(mean(0).abs() < 0.2);
        assert!((mean(20) - 2.0).abs() < 0.2);
        let labelled = steps[0].batch.as_ref().unwrap().labelled().unwrap();
        assert_eq!(labelled.column_names(), ["x1", "x2", "x3", "x4", "y"]);
    }

    #[test]
    fn bad_configs_are_refused_and_configs_round_trip() {
        assert!(matches!(
            ScenarioConfig::builtin("nope"),
            Err(ScenarioError::Unknown(_))
        ));
        for b in builtins() {
            let c = ScenarioConfig::builtin(b.name).unwrap();
            c.validate().unwrap();
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<ScenarioConfig>(&json).unwrap(), c);
        }
        let base = ScenarioConfig::builtin("fraud-abrupt").unwrap();
        let bad = [
            ScenarioConfig {
                batches: 0,
                ..base.clone()
            },
            ScenarioConfig {
                batch_size: 0,
                ..base.clone()
            },
            ScenarioConfig {
                schedule: Schedule::Abrupt {
                    at: 1,
                    from: 0.0,
                    to: f64::NAN,
                },
                ..base.clone()
            },
            ScenarioConfig {
                schedule: Schedule::Gradual {
                    start: 5,
                    end: 5,
                    from: 0.0,
                    to: 1.0,
                },
                ..base.clone()
            },
            ScenarioConfig {
                schedule: Schedule::Recurring {
                    start: 0,
                    period: 3,
                    on: 3,
                    from: 0.0,
                    to: 1.0,
                },
                ..base.clone()
            },
            ScenarioConfig {
                generator: Generator::MeanShift {
                    features: 1,
                    shift: 1.0,
                },
                ..base.clone()
            },
        ];
        for c in bad {
            assert!(Scenario::new(c).is_err());
        }
    }

    #[test]
    fn reference_rows_come_with_the_target() {
        let s = Scenario::builtin("fraud-abrupt").unwrap();
        let t = s.reference(300, 0.0, 1).unwrap();
        assert_eq!(t.rows(), 300);
        assert!(t.column("is_fraud").is_some());
        assert!(s.reference(10, 2.0, 1).is_err());
    }
}
