//! The monitor: the deployed model's running view of the world.
//!
//! A [`Monitor`] wraps one classifier [`Artifact`]. Each batch of rows the model answers
//! goes through [`Monitor::observe`], which scores it and records:
//!
//! * the **prediction distribution** (class counts, the predicted-positive rate, the mean
//!   probability of the positive class);
//! * **data drift** of the batch against the artifact's training profile
//!   ([`drift_report_from_profile`](crate::drift::drift_report_from_profile) on the input columns) and **PSI bins** per feature
//!   ([`PsiBins`]: reference and current shares per bin, for the reference-vs-current
//!   charts). The bins are the drift verdict's own ([`crate::drift::psi_bins`]), so a
//!   chart's total is the PSI that the drift report gives the column under the `psi` test;
//! * a **label-free performance estimate** ([`Estimate`]): CBPE, *confidence-based
//!   performance estimation*. It assumes the probabilities are calibrated, so a row
//!   predicted positive with probability `p` is a true positive with probability `p`:
//!   expected accuracy = mean probability of the predicted class, expected recall =
//!   `Σ_{ŷ=+} p / Σ p`, expected precision = `Σ_{ŷ=+} p / #{ŷ=+}`. It is honest about data
//!   drift the model has seen the like of, and blind to concept drift: a model confidently
//!   wrong about a new kind of fraud estimates its own recall as fine. Showing the estimate
//!   next to the real recall (once labels arrive) is the lesson;
//! * the streaming detectors' state: [ADWIN](crate::detector::Adwin) fed every row's probability of the
//!   positive class (prediction drift), and [Page-Hinkley](crate::detector::PageHinkley) fed each batch's
//!   share of drifted features (a lasting input shift rather than a blip). ADWIN's window
//!   width is sampled through each batch ([`BatchReport::adwin_trace`]) and every cut is
//!   recorded ([`AdwinCut`]), so a chart can show the window grow and drop.
//!
//! Labels arrive late, through [`Monitor::label`] (batch number and one label per row).
//! They give the **performance** of that batch and of the last `window` labelled batches
//! (accuracy, and precision and recall of the positive class), and feed the per-row error
//! stream (1 = wrong) to [DDM](crate::detector::Ddm). The window can be a duration instead
//! ([`MonitorOptions::window_seconds`]): batches then carry a time, given to
//! [`Monitor::observe_at`] or read from a timestamp column of the rows
//! ([`MonitorOptions::time_column`]), and the window holds the labelled batches observed
//! within that many seconds of the latest.
//!
//! Every alarm goes into the **alarm log** ([`Alarm`]) with one plain sentence, e.g.
//! "recall over the last 5 batches fell from 0.72 to 0.18 while accuracy stayed at 0.96:
//! the model is missing fraud it used to catch". Alarm kinds and when they fire:
//!
//! | kind | fires when |
//! | --- | --- |
//! | `data_drift` | a batch's drift report says the dataset drifted and the previous batch's did not |
//! | `drift_trend` | Page-Hinkley alarms on the per-batch share of drifted features |
//! | `prediction_drift` | ADWIN cuts its window of positive-class probabilities |
//! | `recall_drop` | recall over the last `window` labelled batches is `recall_drop` or more below the baseline (the first `window` labelled batches), with at least `min_positives` positives in the window; once per episode |
//! | `accuracy_drop` | the same for accuracy and `accuracy_drop` |
//! | `error_rate` | DDM alarms on the per-row error stream |
//!
//! Timing: the core has no clock. The caller measures the scoring time and passes it in
//! ([`Monitor::observe_with_clock`] takes a clock function; [`Monitor::record_timing`]
//! takes a measured time), so native, Wasm and tests all agree.
//!
//! Every output is `Serialize` (JSON for the page and the CLI); [`Monitor::snapshot`] gives
//! the whole timeline for the charts.
//!
//! # Watchers
//! The monitor composes small watchers, each a file with a narrow input that returns its
//! findings; the sentences of the alarms are all written in `alarms.rs`:
//!
//! | watcher | reads | finds |
//! | --- | --- | --- |
//! | `predictions` | the scored rows | predicted classes, class counts, positive rate, mean positive probability |
//! | `estimate` | the predictions | CBPE's expected accuracy, recall, precision |
//! | `prediction_drift` | positive-class probabilities | ADWIN's window, trace and cuts (`prediction_drift`) |
//! | `data_drift` | the batch and the profile | the drift report, PSI bins, a newly drifted batch (`data_drift`) |
//! | `drift_trend` | the share of drifted features | Page-Hinkley's state and alarm (`drift_trend`) |
//! | `performance` | labelled batches' counts and times | the window, the baseline, recall and accuracy drops (`recall_drop`, `accuracy_drop`) |
//! | `error_rate` | per-row errors | DDM's bands and alarms (`error_rate`) |
//! | `timeline` | — | the batches and what is kept of them (retention) |
//!
//! # Saving and restoring
//! A running monitor can be saved ([`Monitor::save`]) and restored exactly
//! ([`Monitor::restore`]): every detector, every watcher's memory, the timeline and the
//! alarm log, so that the restored monitor continues the stream with the same alarms and
//! the same numbers as one that never stopped. See [`MonitorState`] for what it holds and
//! what it leaves out.

mod alarms;
mod data_drift;
mod drift_trend;
pub mod edge;
mod error_rate;
mod estimate;
mod options;
mod performance;
mod prediction_drift;
mod predictions;
mod report;
mod state;
mod timeline;

pub use crate::drift::{PsiBin, PsiBins};
pub use alarms::{Alarm, AlarmKind};
pub use drift_trend::PageHinkleyView;
pub use error_rate::DdmView;
pub use estimate::{CbpeSums, Estimate};
pub use options::MonitorOptions;
pub use performance::{Performance, PerformanceView};
pub use prediction_drift::{AdwinCut, AdwinView, ADWIN_TRACE_EVERY};
pub(crate) use predictions::class_index;
pub use predictions::PredictionSummary;
pub use report::{BatchReport, BatchSummary, LabelReport, LabelledBatch, MonitorSnapshot};
pub use state::MonitorState;

use crate::artifact::{Artifact, ArtifactError, Scored};
use crate::detector::DetectorError;
use crate::drift::DriftOptions;
use crate::table::{ColumnData, Table, TableError};

use data_drift::{DataDrift, DataDriftFindings};
use drift_trend::DriftTrend;
use error_rate::ErrorRate;
use performance::{Labelled, PerformanceWatch, Rules};
use prediction_drift::PredictionDrift;
use predictions::Predictions;
use timeline::Batch;

/// What went wrong monitoring. Each message says how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// The artifact is not a classifier.
    #[error(
        "the monitor watches classifiers, and this model is a {0} model: deploy a classifier ({kinds})",
        kinds = crate::models::ModelKind::names_where(|t| t.classification)
    )]
    NotAClassifier(String),
    /// An option is out of range.
    #[error("monitor option {option}: {message}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// What is wrong and the valid range.
        message: String,
    },
    /// A detector parameter is wrong.
    #[error(transparent)]
    Detector(#[from] DetectorError),
    /// Scoring failed (usually a missing input column).
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// A batch number that was never observed.
    #[error("batch {batch} was never observed (the monitor has seen batches 0 to {last}): label a batch after observing it")]
    UnknownBatch {
        /// The batch.
        batch: usize,
        /// The last observed batch, or "none".
        last: String,
    },
    /// A batch labelled twice.
    #[error("batch {0} already has labels: each batch is labelled once")]
    AlreadyLabelled(usize),
    /// Not one label per row.
    #[error("batch {batch} has {rows} rows but {labels} labels were given: give one label per row, in row order")]
    LabelCount {
        /// The batch.
        batch: usize,
        /// Its rows.
        rows: usize,
        /// Labels given.
        labels: usize,
    },
    /// A label that is not one of the model's classes.
    #[error("batch {batch}, row {row}: label {label:?} is not a class of this model ({classes}): check the target column")]
    UnknownLabel {
        /// The batch.
        batch: usize,
        /// 1-based row.
        row: usize,
        /// The label.
        label: String,
        /// The classes, comma-separated.
        classes: String,
    },
    /// A table could not be built.
    #[error(transparent)]
    Table(#[from] TableError),
    /// A saved monitor of another model.
    #[error("this saved monitor watched model {saved}, not {given}: restore it with the artifact it was saved with (or start a new monitor for this model)")]
    OtherModel {
        /// The hash of the model the state was saved with.
        saved: String,
        /// The hash of the artifact given.
        given: String,
    },
    /// A saved monitor that cannot be read or is not consistent.
    #[error(
        "the saved monitor cannot be restored: {0}; save the monitor again, or start a new one"
    )]
    BadState(String),
}

fn option_error(option: &'static str, message: impl Into<String>) -> MonitorError {
    MonitorError::InvalidOption {
        option,
        message: message.into(),
    }
}

/// The deployed model's running view. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Monitor {
    artifact: Artifact,
    options: MonitorOptions,
    /// Derived from the options and the artifact (not saved).
    drift_options: DriftOptions,
    positive: usize,
    positive_name: String,
    /// The timeline and the alarm log.
    batches: Vec<Batch>,
    alarms: Vec<Alarm>,
    /// The watchers' memories.
    prediction_drift: PredictionDrift,
    data_drift: DataDrift,
    drift_trend: DriftTrend,
    performance: PerformanceWatch,
    error_rate: ErrorRate,
}

impl Monitor {
    /// A monitor for `artifact` (a classifier). The options are checked: the positive class
    /// must be one of the model's, the detector parameters valid, the window at least 1.
    pub fn new(artifact: &Artifact, options: MonitorOptions) -> Result<Monitor, MonitorError> {
        let setup = options.setup(artifact)?;
        Ok(Monitor {
            artifact: artifact.clone(),
            options,
            drift_options: setup.drift_options,
            positive: setup.positive,
            positive_name: setup.positive_name,
            batches: Vec::new(),
            alarms: Vec::new(),
            prediction_drift: PredictionDrift::new(setup.adwin),
            data_drift: DataDrift::default(),
            drift_trend: DriftTrend::new(setup.page_hinkley),
            performance: PerformanceWatch::default(),
            error_rate: ErrorRate::new(setup.ddm),
        })
    }

    /// The monitored artifact.
    pub fn artifact(&self) -> &Artifact {
        &self.artifact
    }

    /// The options in force.
    pub fn options(&self) -> &MonitorOptions {
        &self.options
    }

    /// The positive class label.
    pub fn positive(&self) -> &str {
        self.artifact
            .classes
            .get(self.positive)
            .map_or("", String::as_str)
    }

    /// Batches observed so far.
    pub fn batches_observed(&self) -> usize {
        self.batches.len()
    }

    /// The alarm log, oldest first.
    pub fn alarms(&self) -> &[Alarm] {
        &self.alarms
    }

    /// Scores `batch` and records what it shows. The batch gets the next batch number.
    /// Nothing is recorded when scoring fails (e.g. a missing input column).
    pub fn observe(&mut self, batch: &Table) -> Result<BatchReport, MonitorError> {
        self.observe_inner(batch, None, None)
    }

    /// Like [`Monitor::observe`], for a batch observed at `time` seconds (any clock, e.g.
    /// Unix time): the time a window by duration (`window_seconds`) is measured in. It
    /// overrides the `time_column`. A time that is not finite is refused.
    pub fn observe_at(&mut self, batch: &Table, time: f64) -> Result<BatchReport, MonitorError> {
        if !time.is_finite() {
            return Err(option_error(
                "time",
                format!("{time} is not a time: give the batch's time in seconds"),
            ));
        }
        self.observe_inner(batch, None, Some(time))
    }

    /// Like [`Monitor::observe`], timing the scoring with `clock` (milliseconds, e.g.
    /// `performance.now()` in the page or an `Instant` natively): called just before and
    /// just after scoring.
    pub fn observe_with_clock(
        &mut self,
        batch: &Table,
        clock: &mut dyn FnMut() -> f64,
    ) -> Result<BatchReport, MonitorError> {
        self.observe_inner(batch, Some(clock), None)
    }

    /// Records a scoring time (ms) and optionally memory (bytes) measured by the caller
    /// for batch `batch`.
    pub fn record_timing(
        &mut self,
        batch: usize,
        scoring_ms: f64,
        memory_bytes: Option<u64>,
    ) -> Result<(), MonitorError> {
        let last = self.last_label();
        let b = self
            .batches
            .get_mut(batch)
            .ok_or(MonitorError::UnknownBatch { batch, last })?;
        if scoring_ms.is_finite() && scoring_ms >= 0.0 {
            b.summary.scoring_ms = Some(scoring_ms);
        }
        if memory_bytes.is_some() {
            b.summary.memory_bytes = memory_bytes;
        }
        Ok(())
    }

    fn last_label(&self) -> String {
        self.batches
            .len()
            .checked_sub(1)
            .map_or_else(|| "none".to_owned(), |l| l.to_string())
    }

    /// The time of `batch` from the `time_column`, if the options name one.
    fn batch_time(&self, batch: &Table) -> Result<Option<f64>, MonitorError> {
        let Some(name) = &self.options.time_column else {
            return Ok(None);
        };
        let column = batch.column(name).ok_or_else(|| {
            option_error(
                "time_column",
                format!("the batch has no column {name:?}: add the rows' timestamps (seconds), or leave time_column out"),
            )
        })?;
        match &column.data {
            ColumnData::Numeric(v) => Ok(v
                .iter()
                .copied()
                .filter(|t| t.is_finite())
                .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.max(t))))),
            _ => Err(option_error(
                "time_column",
                format!("column {name:?} is {}, not numbers: give timestamps as seconds (e.g. Unix time)", column.kind()),
            )),
        }
    }

    /// Scores `batch`, timed by `clock` when there is one.
    fn score(
        &self,
        batch: &Table,
        clock: Option<&mut dyn FnMut() -> f64>,
    ) -> Result<(Vec<Scored>, Option<f64>), MonitorError> {
        Ok(match clock {
            Some(clock) => {
                let t0 = clock();
                let s = self.artifact.score_table(batch)?;
                let ms = clock() - t0;
                (s, (ms.is_finite() && ms >= 0.0).then_some(ms))
            }
            None => (self.artifact.score_table(batch)?, None),
        })
    }

    /// The inputs of batch `id`: data drift, then its trend (fed when there is a drift
    /// report); their alarms go to `alarms`.
    fn watch_inputs(
        &mut self,
        batch: &Table,
        id: usize,
        alarms: &mut Vec<Alarm>,
    ) -> (DataDriftFindings, Option<PageHinkleyView>) {
        let drift = self.data_drift.watch(
            &self.artifact.profile,
            batch,
            &self.drift_options,
            Some(self.options.psi_bins),
        );
        let mut page_hinkley = None;
        if let Some(r) = &drift.report {
            if drift.newly_drifted {
                alarms.push(alarms::data_drift(id, r));
            }
            let (view, alarmed) = self.drift_trend.watch(r.drift_share);
            if alarmed {
                alarms.push(alarms::drift_trend(id, &view));
            }
            page_hinkley = Some(view);
        }
        (drift, page_hinkley)
    }

    /// Scores the batch (timed by `clock`), then lets each watcher look at it.
    fn observe_inner(
        &mut self,
        batch: &Table,
        clock: Option<&mut dyn FnMut() -> f64>,
        time: Option<f64>,
    ) -> Result<BatchReport, MonitorError> {
        let id = self.batches.len();
        let time = match time {
            Some(t) => Some(t),
            None => self.batch_time(batch)?,
        };
        let (scored, scoring_ms) = self.score(batch, clock)?;
        let k = self.artifact.classes.len();
        let predictions = Predictions::new(&scored, k, self.positive);
        let prediction = predictions.summary(k);
        let estimate = estimate::estimate(&predictions);
        let (signal, probabilities) = predictions.positive_signal();
        let adwin = self.prediction_drift.watch(&signal, probabilities);
        let mut alarms: Vec<Alarm> = adwin
            .cuts
            .iter()
            .map(|cut| alarms::prediction_drift(id, cut, &self.positive_name))
            .collect();
        let (drift, page_hinkley) = self.watch_inputs(batch, id, &mut alarms);
        let report = BatchReport {
            batch: id,
            rows: scored.len(),
            rows_with_warnings: scored.iter().filter(|s| !s.warnings.is_empty()).count(),
            prediction,
            estimate,
            drift: drift.report,
            drift_error: drift.error,
            psi: drift.psi,
            adwin: adwin.view,
            adwin_trace: adwin.trace,
            adwin_cuts: adwin.cuts,
            page_hinkley,
            scoring_ms,
            alarms,
        };
        self.batches.push(Batch {
            summary: BatchSummary::of(&report, time),
            pending: Some(predictions.classes),
            rows: Some(batch.clone()),
            labels: None,
        });
        timeline::retain(&mut self.batches, self.options.keep_batches);
        self.alarms.extend(report.alarms.iter().cloned());
        Ok(report)
    }

    /// Records the true labels of batch `batch` (one per row, in row order, spelled as the
    /// model's classes; numbers also match by value, so `"1.0"` is class `"1"`). Updates
    /// the batch's and the window's performance, feeds the errors to DDM, and checks the
    /// recall, accuracy and error-rate alarms.
    pub fn label<S: AsRef<str>>(
        &mut self,
        batch: usize,
        labels: &[S],
    ) -> Result<LabelReport, MonitorError> {
        let y = self.check_labels(batch, labels)?;
        let current = self.batches.len().saturating_sub(1);
        let predicted = self.batches[batch].pending.take().unwrap_or_default();
        let mut perf = Performance::default();
        for (&p, &t) in predicted.iter().zip(&y) {
            perf.count(p, t, self.positive);
        }
        let errors = predicted.iter().zip(&y).map(|(p, t)| p != t);
        let mut alarms: Vec<Alarm> = self
            .error_rate
            .watch(errors)
            .iter()
            .map(|f| alarms::error_rate(current, batch, f))
            .collect();
        let ddm = self.error_rate.view();
        let b = &mut self.batches[batch];
        if b.rows.is_some() {
            b.labels = Some(y);
        }
        b.summary.performance = Some(perf.view());
        b.summary.ddm = Some(ddm);
        let window = self.judge_window(batch, current, &mut alarms);
        self.batches[batch].summary.window = Some(window.view());
        self.alarms.extend(alarms.iter().cloned());
        Ok(LabelReport {
            batch,
            performance: perf.view(),
            window: window.view(),
            baseline: self.performance.baseline().map(|b| b.view()),
            ddm,
            alarms,
        })
    }

    /// The labels of `batch` as class indices, after checking that the batch waits for
    /// them and that there is one known label per row.
    fn check_labels<S: AsRef<str>>(
        &self,
        batch: usize,
        labels: &[S],
    ) -> Result<Vec<usize>, MonitorError> {
        let last = self.last_label();
        let state = self
            .batches
            .get(batch)
            .ok_or(MonitorError::UnknownBatch { batch, last })?;
        let Some(predicted) = &state.pending else {
            return Err(MonitorError::AlreadyLabelled(batch));
        };
        if labels.len() != predicted.len() {
            return Err(MonitorError::LabelCount {
                batch,
                rows: predicted.len(),
                labels: labels.len(),
            });
        }
        let classes = &self.artifact.classes;
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let l = l.as_ref();
                class_index(classes, l).ok_or_else(|| MonitorError::UnknownLabel {
                    batch,
                    row: i + 1,
                    label: l.to_owned(),
                    classes: classes.join(", "),
                })
            })
            .collect()
    }

    /// The performance window after `batch` was labelled (while `current` is the last
    /// batch observed), judged against the baseline; drops go to `alarms`.
    fn judge_window(
        &mut self,
        batch: usize,
        current: usize,
        alarms: &mut Vec<Alarm>,
    ) -> Performance {
        let labelled: Vec<Labelled> = self
            .batches
            .iter()
            .filter_map(|b| {
                Some(Labelled {
                    time: b.summary.time.unwrap_or(b.summary.batch as f64),
                    performance: b.performance()?,
                })
            })
            .collect();
        let rules = Rules {
            window: self.options.window,
            window_seconds: self.options.window_seconds,
            recall_drop: self.options.recall_drop,
            accuracy_drop: self.options.accuracy_drop,
            min_positives: self.options.min_positives,
        };
        let found = self.performance.judge(&labelled, &rules);
        if let Some(drop) = found.recall_drop {
            alarms.push(alarms::recall_drop(
                current,
                batch,
                rules.window,
                drop.recall,
                drop.accuracy,
                rules.accuracy_drop,
                &self.positive_name,
            ));
        }
        if let Some(accuracy) = found.accuracy_drop {
            alarms.push(alarms::accuracy_drop(
                current,
                batch,
                rules.window,
                accuracy,
            ));
        }
        found.window
    }

    /// The labelled batches whose rows are still kept (the last `keep_batches` observed),
    /// each with the target column appended in the training data's kind: the feedback to
    /// retrain on. A restored monitor has the rows of the batches observed since.
    pub fn labelled_batches(&self) -> Result<Vec<LabelledBatch>, MonitorError> {
        Ok(timeline::labelled_batches(&self.artifact, &self.batches)?)
    }

    /// Performance over every labelled row so far.
    pub fn overall(&self) -> PerformanceView {
        let mut p = Performance::default();
        for q in self.batches.iter().filter_map(Batch::performance) {
            p.add(&q);
        }
        p.view()
    }

    /// The whole timeline: every batch, the alarm log, the baseline.
    pub fn snapshot(&self) -> MonitorSnapshot {
        MonitorSnapshot {
            model: self.artifact.hash.clone(),
            positive: self.positive().to_owned(),
            options: self.options.clone(),
            batches: self.batches.iter().map(|b| b.summary.clone()).collect(),
            alarms: self.alarms.clone(),
            baseline: self.performance.baseline().map(|b| b.view()),
            overall: self.overall(),
        }
    }
}
