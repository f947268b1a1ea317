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

mod schedule;
mod table;

pub use schedule::Schedule;

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
mod tests;
