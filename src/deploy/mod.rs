//! The deployment session: a [`Registry`] of model versions serving a scenario's stream,
//! watched by the monitor, with late labels, retraining and scoring jobs — the second half
//! of the loop, stepped by the page (or a test) one call at a time.
//!
//! Orchestration only: the registry routes and compares, the monitor watches, the scenario
//! generates, [`crate::registry::retrain`] trains. A [`Session`] wires them per step and
//! answers with typed reports (the page's TypeScript types are generated from them).
//!
//! - **Segments.** The monitor watches one model. When the champion changes (promotion,
//!   roll-back) the next batch starts a new monitor [`Segment`] for the new champion; the
//!   [`Timeline`] is every segment's batches and alarms, numbered by the scenario's batch
//!   (`t`), beside the monitor's own numbers ([`Tagged`]).
//! - **Late labels.** Labels arrive `label_delay` steps after their batch. They go to the
//!   segment whose monitor observed the batch (an old champion's record is completed even
//!   after a promotion) and to the registry's champion/challenger comparison; a label the
//!   comparison cannot take any more (the versions or the traffic mode changed between
//!   serving and labelling) is counted as *stale*.
//! - **Serving.** Batch and real-time scoring use the model that serves: the champion. A
//!   [`BatchJob`] keeps an uploaded CSV and scores it a chunk at a time through the core's
//!   CSV scorer ([`crate::score::score_csv`]), so the page can show progress between
//!   chunks; errors name the row and the line of the whole file, and the output has the
//!   CLI's `score` columns. The single-row form takes its defaults from the champion's
//!   reference profile ([`ServingForm`]).
//!
//! - **Any table.** [`Session::start_table`] plays a scenario drawn from the loaded table
//!   (its rows bootstrapped, a drift scripted on them, see [`crate::scenario::TableDrift`]),
//!   with defaults from [`Session::suggest_table`]: the inputs the champion leans on most.
//!   [`Session::extend`] plays on past a scenario's scripted end.
//! - **Saved and restored.** [`Session::save_play`] writes the play (the scenario and its
//!   position, every segment's [`Monitor::save`](crate::monitor::Monitor::save) state, the
//!   served batches waiting for labels); [`Session::restore_play`] plays the seeded stream
//!   again up to the same step — its generator's state and the rows that retraining needs
//!   come back that way, so the saved text holds no rows — and restores every monitor
//!   exactly. With [`Session::save`] (the registry) it is the whole session the page keeps
//!   in IndexedDB. For the fraud-abrupt story played on to 36 batches the saved play is
//!   72 KB (most of it the monitor's timeline) and is played again in 51 ms natively in a
//!   release build (`tests/scenario_table.rs` prints both).
//!
//! The core has no clock: the caller passes a [`Meter`] (in the page `performance.now()` and
//! the Wasm memory; in tests a counter), as [`Monitor::observe_with_clock`] takes a clock.
//!
//! ```
//! # #[cfg(feature = "train")] {
//! use driftlab::{dataset, deploy::{Meter, Session}, table, train};
//! struct Ticks(f64);
//! impl Meter for Ticks {
//!     fn now_ms(&mut self) -> f64 { self.0 += 1.0; self.0 }
//!     fn memory_bytes(&mut self) -> Option<u64> { None }
//! }
//! let csv = dataset::generate("fraud", &Default::default())?;
//! let t = table::read_csv(&csv, &Default::default())?.table;
//! let request = train::TrainRequest::new("is_fraud", train::ModelKind::Logistic);
//! let (artifact, _) = train::train(&t, &request, &mut |_| {})?;
//! let mut session = Session::default();
//! session.deploy(&artifact, "first")?;
//! session.start("fraud-abrupt", None)?;
//! let step = session.step(&mut Ticks(0.0))?;
//! assert_eq!(step.batch.map(|b| b.t), Some(0));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
mod play;
mod views;

pub use batch::{BatchJob, BatchProgress};
pub use play::{Play, PlayState, Segment, PLAY_FORMAT, PLAY_VERSION};
pub use views::{
    FormField, RegistryView, RetrainReport, RetrainRequest, ScenarioView, SegmentView, ServedView,
    ServingForm, ServingScore, SessionRestored, StepBatch, StepReport, TableScenarioRequest,
    Tagged, Timeline, TrafficRequest, VersionView,
};

use crate::artifact::{Artifact, ArtifactError};
use crate::defaults::DEFAULTS;
use crate::monitor::{MonitorError, MonitorSnapshot};
use crate::registry::{Comparison, Registry, RegistryError, TrafficMode};
use crate::scenario::{
    builtins, Generator, ScenarioConfig, ScenarioError, Schedule, TableSuggestion,
};
use crate::score::{StreamError, Task};
use crate::table::{Table, TableError};

/// The seed of the registry's traffic split.
const REGISTRY_SEED: u64 = 7;

/// What the session cannot know by itself: the time, and the memory of the place it runs in.
pub trait Meter {
    /// Milliseconds on a monotonic clock (`performance.now()` in the page, an `Instant`
    /// natively).
    fn now_ms(&mut self) -> f64;
    /// The memory in use, in bytes, if the place can tell (the Wasm memory in the page).
    fn memory_bytes(&mut self) -> Option<u64>;
}

/// Why a session call failed. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeployError {
    /// Nothing is registered.
    #[error("the registry is empty: train a model and deploy it first")]
    NoRegistry,
    /// The registry has no champion.
    #[error("the registry has no champion: deploy a model first")]
    NoChampion,
    /// The champion's artifact is not in the registry.
    #[error("the champion's artifact is missing")]
    ChampionArtifactMissing,
    /// Only classifiers are deployed.
    #[error("the registry serves classifiers: train a classifier (logistic, tree, forest, …) to deploy it")]
    NotAClassifier,
    /// No scenario is being played.
    #[error("no scenario is playing: start one on the Monitor panel")]
    NotPlaying,
    /// A traffic mode the registry does not know.
    #[error("unknown traffic mode {0:?}: use champion, canary, shadow or ab")]
    UnknownTrafficMode(String),
    /// A retraining window the registry does not know.
    #[error("unknown window policy {0:?}: use recent, all or reweighted")]
    UnknownPolicy(String),
    /// A scenario seed that is not a whole number JavaScript can hold.
    #[error("seed {0} is invalid: use a whole number from 0")]
    BadSeed(f64),
    /// The champion was trained on other columns than the scenario's rows have.
    #[error("champion {champion} cannot score the {scenario} scenario's rows ({error}): train on the dataset with the same columns ({columns}) and deploy that model")]
    ScenarioMismatch {
        /// The champion's name.
        champion: String,
        /// The scenario.
        scenario: String,
        /// Why scoring failed.
        error: String,
        /// The dataset with the scenario's columns, in words.
        columns: &'static str,
    },
    /// A scenario drawn from a table was asked for without one.
    #[error("this scenario draws its rows from the loaded table: load the table the model was trained on first")]
    NoTable,
    /// A saved scenario drawn from a table meets another table.
    #[error("the saved stream was drawn from another table than the one loaded: load the same data to continue it, or start a new scenario")]
    OtherTable,
    /// A saved session that cannot be read.
    #[error("the saved session cannot be continued ({0}): start the scenario again")]
    BadSave(String),
    /// A schedule name the session does not know.
    #[error("unknown schedule {0:?}: use abrupt, gradual, incremental or recurring")]
    UnknownSchedule(String),
    /// Retraining needs labels.
    #[error("no labelled batches yet: play the scenario until labels arrive")]
    NoLabelledBatches,
    /// No batch-scoring job was started (or it ended).
    #[error("no batch job: choose a CSV file to score first")]
    NoBatchJob,
    /// The batch job's result was asked for too early.
    #[error("the batch job is not finished ({0} rows scored so far): keep calling batchNext")]
    BatchNotFinished(u64),
    /// The uploaded file is empty.
    #[error("{0} is empty: choose a CSV file with a header row and data rows")]
    EmptyFile(String),
    /// The uploaded file has a header only.
    #[error("{0} has a header but no rows: add data rows below the header")]
    HeaderOnly(String),
    /// The uploaded file is not CSV the reader can split into records.
    #[error("{file}: {message}")]
    Csv {
        /// The file name.
        file: String,
        /// The reader's message.
        message: String,
    },
    /// A text the session produced is not UTF-8 (it never is: a bug).
    #[error("{0}")]
    Text(String),
    /// The registry refused.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The monitor refused.
    #[error(transparent)]
    Monitor(#[from] MonitorError),
    /// The scenario refused.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Scoring refused.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// A row of an uploaded file is broken (its row and line are the file's).
    #[error(transparent)]
    Table(#[from] TableError),
    /// Scoring an uploaded file failed otherwise.
    #[error(transparent)]
    Stream(#[from] StreamError),
}

/// A deployment being played: the registry, the scenario with its monitor segments, and
/// the batch-scoring job. See the [module docs](self).
#[derive(Debug, Default)]
pub struct Session {
    registry: Option<Registry>,
    play: Option<Play>,
    batch: Option<BatchJob>,
}

impl Session {
    /// An empty session: nothing registered, nothing playing.
    pub fn new() -> Session {
        Session::default()
    }

    fn registry_ref(&self) -> Result<&Registry, DeployError> {
        self.registry.as_ref().ok_or(DeployError::NoRegistry)
    }

    fn registry_mut(&mut self) -> Result<&mut Registry, DeployError> {
        self.registry.as_mut().ok_or(DeployError::NoRegistry)
    }

    /// The registry as the page lists it (empty when nothing is registered).
    pub fn registry(&self) -> RegistryView {
        RegistryView::of(self.registry.as_ref())
    }

    /// Registers `artifact` (the first version becomes the champion).
    pub fn deploy(&mut self, artifact: &Artifact, note: &str) -> Result<RegistryView, DeployError> {
        if artifact.model.task() != Task::Classification {
            return Err(DeployError::NotAClassifier);
        }
        let registry = self
            .registry
            .get_or_insert_with(|| Registry::new(REGISTRY_SEED));
        registry.register(artifact.clone(), note)?;
        Ok(self.registry())
    }

    /// The registry as JSON text (artifacts included), to keep across reloads.
    pub fn save(&self) -> Result<String, DeployError> {
        let bytes = self.registry_ref()?.to_bytes()?;
        String::from_utf8(bytes).map_err(|e| DeployError::Text(e.to_string()))
    }

    /// Replaces the registry with one [`Session::save`] wrote.
    pub fn load(&mut self, text: &str) -> Result<RegistryView, DeployError> {
        self.registry = Some(Registry::from_bytes(text.as_bytes())?);
        Ok(self.registry())
    }

    /// Forgets every version and stops the scenario.
    pub fn clear(&mut self) -> RegistryView {
        self.registry = None;
        self.play = None;
        self.registry()
    }

    /// Chooses the challenger by name or hash (`None` for none).
    pub fn set_challenger(&mut self, id: Option<&str>) -> Result<RegistryView, DeployError> {
        self.registry_mut()?.set_challenger(id)?;
        Ok(self.registry())
    }

    /// Sets the traffic mode; a canary or an A/B test without a share takes the default
    /// ([`DEFAULTS`]).
    pub fn set_traffic(&mut self, request: &TrafficRequest) -> Result<RegistryView, DeployError> {
        let mode = match request.mode.as_str() {
            "champion" => TrafficMode::Champion,
            "shadow" => TrafficMode::Shadow,
            "canary" => TrafficMode::Canary {
                percent: request.percent.unwrap_or(DEFAULTS.canary_percent),
            },
            "ab" => TrafficMode::Ab {
                percent: request.percent.unwrap_or(DEFAULTS.ab_percent),
            },
            other => return Err(DeployError::UnknownTrafficMode(other.to_owned())),
        };
        self.registry_mut()?.set_mode(mode)?;
        Ok(self.registry())
    }

    /// Makes the challenger the champion.
    pub fn promote(&mut self) -> Result<RegistryView, DeployError> {
        self.registry_mut()?.promote()?;
        Ok(self.registry())
    }

    /// Brings back the previous champion.
    pub fn rollback(&mut self) -> Result<RegistryView, DeployError> {
        self.registry_mut()?.rollback()?;
        Ok(self.registry())
    }

    /// Champion against challenger on the labelled rows served so far, at level `alpha`
    /// (the default when `None`).
    pub fn compare(&self, alpha: Option<f64>) -> Result<Comparison, DeployError> {
        Ok(self
            .registry_ref()?
            .compare(alpha.unwrap_or(DEFAULTS.alpha))?)
    }

    /// The built-in scenarios with their drift schedule.
    pub fn scenarios() -> Result<Vec<ScenarioView>, DeployError> {
        builtins()
            .iter()
            .map(|info| {
                let c = ScenarioConfig::builtin(info.name)?;
                Ok(ScenarioView {
                    name: info.name.to_owned(),
                    description: info.description.to_owned(),
                    batches: c.batches,
                    batch_size: c.batch_size,
                    label_delay: c.label_delay,
                    target: c.generator.target().to_owned(),
                    drift: c.drift_curve(),
                })
            })
            .collect()
    }

    /// The champion's name and artifact: the model that answers batch and single rows.
    fn serving(&self) -> Result<(String, &Artifact), DeployError> {
        let r = self.registry_ref()?;
        let champion = r.champion().ok_or(DeployError::NoChampion)?;
        let artifact = r
            .artifact(&champion.id)
            .ok_or(DeployError::ChampionArtifactMissing)?;
        Ok((champion.name.clone(), artifact))
    }

    /// Starts (or restarts) scenario `name` with `seed` (the scenario's own when `None`),
    /// watched by a fresh monitor of the champion. Returns the (empty) timeline.
    pub fn start(&mut self, name: &str, seed: Option<f64>) -> Result<Timeline, DeployError> {
        let (champion, artifact) = {
            let (champion, artifact) = self.serving()?;
            (champion, artifact.clone())
        };
        let play = Play::start(name, seed, &champion, &artifact)?;
        let timeline = play.timeline();
        self.play = Some(play);
        Ok(timeline)
    }

    /// The defaults for drifting `table` under the champion: its inputs by importance and
    /// one ready change of each kind (see [`crate::scenario::suggest`]).
    pub fn suggest_table(&self, table: &Table) -> Result<TableSuggestion, DeployError> {
        let (_, artifact) = self.serving()?;
        Ok(crate::scenario::suggest(
            table,
            artifact,
            DEFAULTS.scenario_seed,
        )?)
    }

    /// Starts a scenario drawn from `table` (its rows bootstrapped, `request`'s drift
    /// scripted on them; defaults from [`DEFAULTS`]), watched by a fresh monitor of the
    /// champion. Returns the (empty) timeline.
    pub fn start_table(
        &mut self,
        table: &Table,
        request: &TableScenarioRequest,
    ) -> Result<Timeline, DeployError> {
        let batches = request.batches.unwrap_or(DEFAULTS.table_batches);
        let at = DEFAULTS.table_drift_at.min(batches.saturating_sub(1));
        let kind = request.schedule.as_deref().unwrap_or("abrupt");
        let ramp = (batches / 3).max(2);
        let schedule = match kind {
            "abrupt" => Schedule::Abrupt {
                at,
                from: 0.0,
                to: 1.0,
            },
            "gradual" => Schedule::Gradual {
                start: at,
                end: at + ramp,
                from: 0.0,
                to: 1.0,
            },
            "incremental" => Schedule::Incremental {
                start: at,
                end: at + ramp,
                from: 0.0,
                to: 1.0,
            },
            "recurring" => Schedule::Recurring {
                start: at,
                period: 10,
                on: 5,
                from: 0.0,
                to: 1.0,
            },
            other => return Err(DeployError::UnknownSchedule(other.to_owned())),
        };
        let seed = match request.seed {
            Some(s) => play::check_seed(s)?,
            None => DEFAULTS.scenario_seed,
        };
        let description = format!(
            "Rows drawn from the loaded table ({} rows); from batch {at} ({kind}): {}.",
            table.rows(),
            request.drift.describe()
        );
        let config = ScenarioConfig {
            name: format!("table-{kind}"),
            description,
            generator: Generator::Table(request.drift.clone()),
            schedule,
            batches,
            batch_size: request.batch_size.unwrap_or(DEFAULTS.table_batch_rows),
            label_delay: DEFAULTS.table_label_delay,
            seed,
        };
        let (champion, artifact) = {
            let (champion, artifact) = self.serving()?;
            (champion, artifact.clone())
        };
        let play = Play::start_config(config, Some(table), &champion, &artifact)?;
        let timeline = play.timeline();
        self.play = Some(play);
        Ok(timeline)
    }

    /// Plays on past the stream's end: adds `batches` batches (the default when `None`)
    /// in the scenario's last regime. Returns the timeline.
    pub fn extend(&mut self, batches: Option<usize>) -> Result<Timeline, DeployError> {
        let play = self.play.as_mut().ok_or(DeployError::NotPlaying)?;
        play.extend(batches.unwrap_or(DEFAULTS.extend_batches).max(1));
        Ok(play.timeline())
    }

    /// The scenario being played, saved: its configuration and position, every monitor's
    /// state, the labels still owed (`None` when nothing plays). With [`Session::save`]
    /// (the registry) it is the whole session; [`Session::restore_play`] continues it.
    pub fn save_play(&self) -> Result<Option<String>, DeployError> {
        let Some(play) = &self.play else {
            return Ok(None);
        };
        serde_json::to_string(&play.save())
            .map(Some)
            .map_err(|e| DeployError::BadSave(e.to_string()))
    }

    /// Continues a play saved by [`Session::save_play`] over the registry loaded (restore
    /// the registry first): the scenario is played again from its seed up to the saved
    /// step, every monitor restored exactly. A scenario drawn from a table needs that
    /// table (`table`, checked by fingerprint).
    pub fn restore_play(
        &mut self,
        text: &str,
        table: Option<&Table>,
    ) -> Result<SessionRestored, DeployError> {
        let state: PlayState = serde_json::from_str(text)
            .map_err(|e| DeployError::BadSave(format!("not a saved play ({e})")))?;
        let registry = self.registry_ref()?;
        let play = Play::restore(state, registry, table)?;
        let timeline = play.timeline();
        self.play = Some(play);
        Ok(SessionRestored {
            registry: self.registry(),
            timeline,
        })
    }

    /// Plays one step: the step's batch is served through the registry's routing and
    /// observed by the monitor of the champion (a new segment when the champion changed);
    /// the labels released at this step go to the monitor that observed their batch and to
    /// the champion/challenger comparison.
    pub fn step(&mut self, meter: &mut dyn Meter) -> Result<StepReport, DeployError> {
        let registry = self.registry.as_mut().ok_or(DeployError::NoRegistry)?;
        let play = self.play.as_mut().ok_or(DeployError::NotPlaying)?;
        play.step(registry, meter)
    }

    /// The whole timeline of the scenario being played (`None` when nothing plays).
    pub fn timeline(&self) -> Option<Timeline> {
        self.play.as_ref().map(Play::timeline)
    }

    /// The current champion's monitor snapshot, exactly as the core gives it (batch numbers
    /// count from the champion's first batch).
    pub fn snapshot(&self) -> Result<MonitorSnapshot, DeployError> {
        Ok(self
            .play
            .as_ref()
            .ok_or(DeployError::NotPlaying)?
            .current
            .monitor
            .snapshot())
    }

    /// Retrains the champion on the labelled batches of every segment (the window policy's
    /// defaults from [`DEFAULTS`]) and registers the new version as the challenger.
    #[cfg(feature = "train")]
    pub fn retrain(&mut self, request: &RetrainRequest) -> Result<RetrainReport, DeployError> {
        use crate::registry::{retrain, WindowPolicy};
        let policy = match request.policy.as_deref().unwrap_or("recent") {
            "recent" => WindowPolicy::Recent {
                batches: request.batches.unwrap_or(DEFAULTS.retrain_batches),
            },
            "all" => WindowPolicy::All,
            "reweighted" => WindowPolicy::Reweighted {
                half_life: request.half_life.unwrap_or(DEFAULTS.half_life),
            },
            other => return Err(DeployError::UnknownPolicy(other.to_owned())),
        };
        let labelled = self
            .play
            .as_ref()
            .ok_or(DeployError::NotPlaying)?
            .labelled()?;
        if labelled.is_empty() {
            return Err(DeployError::NoLabelledBatches);
        }
        let (_, champion) = self.serving()?;
        let (artifact, evaluation, plan) = retrain(champion, &labelled, &policy, &request.created)?;
        let registry = self.registry_mut()?;
        let card = registry.register(artifact, &plan.note)?.clone();
        registry.set_challenger(Some(&card.name))?;
        Ok(RetrainReport {
            version: card.name,
            note: plan.note,
            batches: plan.batches,
            rows: plan.table.rows(),
            metrics: evaluation.metrics,
            train_rows: evaluation.train_rows.len(),
            test_rows: evaluation.test_rows.len(),
        })
    }

    /// The single-row form of the serving model (the champion): one field per input, its
    /// default and range from the model's reference profile.
    pub fn serving_form(&self) -> Result<ServingForm, DeployError> {
        let (version, artifact) = self.serving()?;
        Ok(ServingForm::of(version, artifact))
    }

    /// Scores rows (`{column: value}` objects) in real time with the serving model (the
    /// champion); `latency_ms` is the scoring call's time on `meter`'s clock.
    pub fn score(
        &self,
        rows: &[serde_json::Value],
        meter: &mut dyn Meter,
    ) -> Result<ServingScore, DeployError> {
        let (version, artifact) = self.serving()?;
        let t0 = meter.now_ms();
        let predictions = artifact.score_json_rows(rows)?;
        let latency_ms = meter.now_ms() - t0;
        Ok(ServingScore {
            version,
            classes: artifact.classes.clone(),
            latency_ms,
            predictions,
        })
    }

    /// Starts scoring an uploaded CSV with the serving model (the champion) in batch;
    /// [`Session::batch_next`] scores it a chunk at a time. A job already running is dropped.
    pub fn batch_start(
        &mut self,
        bytes: Vec<u8>,
        file_name: &str,
    ) -> Result<BatchProgress, DeployError> {
        self.batch = None;
        let (version, artifact) = self.serving()?;
        let job = BatchJob::new(version, artifact.clone(), bytes, file_name)?;
        let progress = job.progress(false);
        self.batch = Some(job);
        Ok(progress)
    }

    /// Scores the next `rows` rows (the default chunk when `None`) of the batch job; `done`
    /// once every row is scored. An error ends the job.
    pub fn batch_next(
        &mut self,
        rows: Option<usize>,
        meter: &mut dyn Meter,
    ) -> Result<BatchProgress, DeployError> {
        let job = self.batch.as_mut().ok_or(DeployError::NoBatchJob)?;
        match job.next(rows.unwrap_or(DEFAULTS.batch_rows).max(1), meter) {
            Ok(done) => Ok(job.progress(done)),
            Err(e) => {
                self.batch = None;
                Err(e)
            }
        }
    }

    /// The scored CSV of a finished batch job (`prediction`, `p_<class>` per class, as the
    /// CLI's `score` writes it); ends the job.
    pub fn batch_result(&mut self) -> Result<String, DeployError> {
        let job = self.batch.take().ok_or(DeployError::NoBatchJob)?;
        if !job.finished() {
            let rows = job.rows_done();
            self.batch = Some(job);
            return Err(DeployError::BatchNotFinished(rows));
        }
        job.into_output()
    }

    /// Drops the batch job, if any.
    pub fn batch_cancel(&mut self) {
        self.batch = None;
    }
}
