//! The monitor: the deployed model's running view of the world.
//!
//! A [`Monitor`] wraps one classifier [`Artifact`]. Each batch of rows the model answers
//! goes through [`Monitor::observe`], which scores it and records:
//!
//! * the **prediction distribution** (class counts, the predicted-positive rate, the mean
//!   probability of the positive class);
//! * **data drift** of the batch against the artifact's training profile
//!   ([`drift_report_from_profile`] on the input columns) and **PSI bins** per feature
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
//! * the streaming detectors' state: [ADWIN](Adwin) fed every row's probability of the
//!   positive class (prediction drift), and [Page-Hinkley](PageHinkley) fed each batch's
//!   share of drifted features (a lasting input shift rather than a blip). ADWIN's window
//!   width is sampled through each batch ([`BatchReport::adwin_trace`]) and every cut is
//!   recorded ([`AdwinCut`]), so a chart can show the window grow and drop.
//!
//! Labels arrive late, through [`Monitor::label`] (batch number and one label per row).
//! They give the **performance** of that batch and of the last `window` labelled batches
//! (accuracy, and precision and recall of the positive class), and feed the per-row error
//! stream (1 = wrong) to [DDM](Ddm). The window can be a duration instead
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

pub use crate::drift::{PsiBin, PsiBins};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::artifact::{Artifact, ArtifactError};
use crate::detector::{Adwin, Ddm, Detector, DetectorError, PageHinkley};
use crate::drift::{drift_report_from_profile, psi_bins, DriftOptions, DriftReport, PsiOptions};
use crate::score::Task;
use crate::table::{Column, ColumnData, ColumnKind, Table, TableError};

/// Rows between two samples of ADWIN's window width in [`BatchReport::adwin_trace`].
pub const ADWIN_TRACE_EVERY: u64 = 50;

/// What went wrong monitoring. Each message says how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// The artifact is not a classifier.
    #[error("the monitor watches classifiers, and this model is a {0} model: deploy a classifier (logistic, tree, forest, gaussian-nb, svm, knn)")]
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
}

fn option_error(option: &'static str, message: impl Into<String>) -> MonitorError {
    MonitorError::InvalidOption {
        option,
        message: message.into(),
    }
}

/// How the monitor judges. `MonitorOptions::default()` gives the values below.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MonitorOptions {
    /// The positive class for recall and precision. Default: the second class of a
    /// two-class model (`"1"`, `"true"` — classes are sorted), else the first.
    pub positive: Option<String>,
    /// What a positive is called in sentences, e.g. `"fraud"`. Default: `cases of class
    /// "<positive>"`.
    pub positive_name: Option<String>,
    /// Labelled batches in the performance window (and in the baseline). Default 5.
    pub window: usize,
    /// A window by time instead of by count: when set, the performance window holds the
    /// labelled batches observed at most this many seconds before the latest labelled one,
    /// the baseline holds those observed within this many seconds of the earliest, and
    /// `window` is not used for either. Batch times come from [`Monitor::observe_at`] or
    /// `time_column`; a batch without one counts as observed at second `batch number`.
    /// Default `None` (the window by count).
    pub window_seconds: Option<f64>,
    /// A numeric column of timestamps in seconds (e.g. Unix time) in each observed batch:
    /// the batch's time is its latest finite timestamp. It is not a model input (scoring
    /// ignores columns the model does not use). Default `None`.
    pub time_column: Option<String>,
    /// Recall drop (absolute) from the baseline that raises `recall_drop`. Default 0.2.
    pub recall_drop: f64,
    /// Accuracy drop (absolute) from the baseline that raises `accuracy_drop`. Default 0.05.
    pub accuracy_drop: f64,
    /// Positives needed in the window before recall is judged. Default 20.
    pub min_positives: u64,
    /// Drift options for each batch; `columns: None` means the artifact's input columns.
    /// Default: [`DriftOptions::default`].
    pub drift: DriftOptions,
    /// PSI bins per numeric feature in the charts (binning and clip from `drift.psi`).
    /// Default 10, as `drift.psi.bins`: the chart's PSI is then the verdict's.
    pub psi_bins: usize,
    /// ADWIN parameters (`key → value`, see [`crate::detector::build`]). Default: River's.
    pub adwin: BTreeMap<String, String>,
    /// DDM parameters. Default `warm_start = 5000` labelled rows, otherwise River's: errors
    /// are rare (about 1 %), and with River's 30 the minimum error rate DDM remembers is a
    /// lucky early streak (often 0), so it alarms on ordinary noise.
    pub ddm: BTreeMap<String, String>,
    /// Page-Hinkley parameters, for a per-batch share in `[0, 1]`. Default
    /// `min_instances = 5, delta = 0.05, threshold = 1, mode = up`.
    pub page_hinkley: BTreeMap<String, String>,
    /// Batches whose feature rows are kept for retraining ([`Monitor::labelled_batches`]).
    /// Default 100.
    pub keep_batches: usize,
}

fn pairs(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            positive: None,
            positive_name: None,
            window: 5,
            window_seconds: None,
            time_column: None,
            recall_drop: 0.2,
            accuracy_drop: 0.05,
            min_positives: 20,
            drift: DriftOptions::default(),
            psi_bins: 10,
            adwin: BTreeMap::new(),
            ddm: pairs(&[("warm_start", "5000")]),
            page_hinkley: pairs(&[
                ("min_instances", "5"),
                ("delta", "0.05"),
                ("threshold", "1"),
                ("mode", "up"),
            ]),
            keep_batches: 100,
        }
    }
}

fn to_params(m: &BTreeMap<String, String>) -> Vec<(String, String)> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The predictions of one batch, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionSummary {
    /// Rows predicted as each class, in class order.
    pub class_counts: Vec<u64>,
    /// Share of rows predicted positive.
    pub positive_rate: f64,
    /// Mean probability of the positive class (`null` for models without probabilities).
    pub mean_positive_probability: Option<f64>,
}

/// The label-free performance estimate of one batch (CBPE; see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Always `"cbpe"`: confidence-based performance estimation from the probabilities.
    pub method: String,
    /// Mean probability of the predicted class: the expected accuracy if calibrated.
    pub accuracy: Option<f64>,
    /// Expected recall of the positive class.
    pub recall: Option<f64>,
    /// Expected precision of the positive class.
    pub precision: Option<f64>,
}

/// Performance on labelled rows, for the positive class.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Performance {
    /// Labelled rows.
    pub rows: u64,
    /// Rows predicted right.
    pub correct: u64,
    /// Positives predicted positive.
    pub tp: u64,
    /// Negatives predicted positive.
    pub fp: u64,
    /// Positives predicted negative.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Negatives predicted negative.
    pub tn: u64,
}

impl Performance {
    /// `correct / rows` (`None` without rows).
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.correct, self.rows)
    }
    /// `tp / (tp + fn)` (`None` without positives).
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// `tp / (tp + fp)` (`None` without predicted positives).
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }
    /// Positives among the rows.
    pub fn positives(&self) -> u64 {
        self.tp + self.fn_
    }
    fn add(&mut self, o: &Performance) {
        self.rows += o.rows;
        self.correct += o.correct;
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
    }
    fn view(&self) -> PerformanceView {
        PerformanceView {
            counts: *self,
            accuracy: self.accuracy(),
            recall: self.recall(),
            precision: self.precision(),
        }
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// [`Performance`] counts with the metrics computed, for JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PerformanceView {
    /// The counts.
    pub counts: Performance,
    /// Accuracy.
    pub accuracy: Option<f64>,
    /// Recall of the positive class.
    pub recall: Option<f64>,
    /// Precision of the positive class.
    pub precision: Option<f64>,
}

/// ADWIN's insides after an update, for the charts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdwinView {
    /// Values fed so far (the stream position, in rows).
    pub seen: u64,
    /// Values in the current window.
    pub width: f64,
    /// Mean of the window.
    pub estimation: f64,
    /// Variance of the window.
    pub variance: f64,
}

/// Where ADWIN cut its window: the row at which it found two sub-windows with different
/// means and dropped the older one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdwinCut {
    /// The position in ADWIN's stream (rows fed so far, 0-based) of the detection.
    pub position: u64,
    /// The window's width just before the cut (the new row included).
    pub width_before: f64,
    /// The window's width just after the cut.
    pub width_after: f64,
    /// The mean of the dropped (older) part of the window.
    pub mean_before: f64,
    /// The mean of the window that was kept.
    pub mean_after: f64,
}

/// DDM's insides after an update: `p + s` against the warning and drift bands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DdmView {
    /// Errors fed so far (labelled rows).
    pub seen: u64,
    /// Values since DDM's last reset.
    pub n: f64,
    /// Error rate.
    pub p: f64,
    /// Its standard deviation.
    pub s: f64,
    /// `p + s`.
    pub ps: f64,
    /// Warning band (`null` during the warm start).
    pub warning_level: Option<f64>,
    /// Drift band (`null` during the warm start).
    pub drift_level: Option<f64>,
    /// In the warning zone after the last update.
    pub warning: bool,
}

/// Page-Hinkley's insides after an update.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageHinkleyView {
    /// Values fed so far (batches with a drift report).
    pub seen: u64,
    /// The last value fed (the batch's share of drifted features).
    pub value: f64,
    /// Running mean.
    pub mean: f64,
    /// The increase statistic, compared with the threshold.
    pub test_increase: f64,
    /// The threshold.
    pub threshold: f64,
}

/// Which check raised an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// The batch's inputs drifted from the training profile.
    DataDrift,
    /// Page-Hinkley on the share of drifted features.
    DriftTrend,
    /// ADWIN on the positive-class probability.
    PredictionDrift,
    /// Windowed recall fell from the baseline.
    RecallDrop,
    /// Windowed accuracy fell from the baseline.
    AccuracyDrop,
    /// DDM on the error stream.
    ErrorRate,
}

/// One entry of the alarm log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// The last batch observed when the alarm fired: where it goes on the timeline.
    pub batch: usize,
    /// The batch whose rows (or labels) raised it.
    pub about_batch: usize,
    /// The check.
    pub kind: AlarmKind,
    /// The detector, for detector alarms (`adwin`, `ddm`, `page-hinkley`).
    pub detector: Option<String>,
    /// The position in the detector's stream (rows for ADWIN and DDM, batches for
    /// Page-Hinkley).
    pub position: Option<u64>,
    /// One plain sentence.
    pub message: String,
}

/// What [`Monitor::observe`] learnt from one batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchReport {
    /// The batch number given to this batch (0, 1, 2, …).
    pub batch: usize,
    /// Rows scored.
    pub rows: usize,
    /// Rows with an input outside the reference (missing, out of range, unseen category).
    pub rows_with_warnings: usize,
    /// The predictions.
    pub prediction: PredictionSummary,
    /// The label-free estimate.
    pub estimate: Estimate,
    /// The drift report against the training profile (`null` when it could not be made;
    /// see `drift_error`).
    pub drift: Option<DriftReport>,
    /// Why there is no drift report.
    pub drift_error: Option<String>,
    /// PSI bins of every input column.
    pub psi: Vec<PsiBins>,
    /// ADWIN after this batch.
    pub adwin: AdwinView,
    /// ADWIN's window width sampled through the batch: `(stream position, width)` every
    /// [`ADWIN_TRACE_EVERY`] rows and at each cut, so the chart shows the window grow and drop.
    pub adwin_trace: Vec<(u64, f64)>,
    /// Where ADWIN cut its window during this batch.
    pub adwin_cuts: Vec<AdwinCut>,
    /// Page-Hinkley after this batch (`null` without a drift report).
    pub page_hinkley: Option<PageHinkleyView>,
    /// Scoring time in milliseconds, when the caller measured it.
    pub scoring_ms: Option<f64>,
    /// Alarms raised by this batch.
    pub alarms: Vec<Alarm>,
}

/// What [`Monitor::label`] learnt from one batch's labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelReport {
    /// The batch labelled.
    pub batch: usize,
    /// Its performance.
    pub performance: PerformanceView,
    /// Performance over the last `window` labelled batches (by batch number).
    pub window: PerformanceView,
    /// The baseline (the first `window` labelled batches), once complete.
    pub baseline: Option<PerformanceView>,
    /// DDM after the batch's errors.
    pub ddm: DdmView,
    /// Alarms raised by these labels.
    pub alarms: Vec<Alarm>,
}

/// One batch on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchSummary {
    /// The batch number.
    pub batch: usize,
    /// When the batch was observed, in seconds ([`Monitor::observe_at`] or the
    /// `time_column`), if known.
    pub time: Option<f64>,
    /// Rows.
    pub rows: usize,
    /// Rows with input warnings.
    pub rows_with_warnings: usize,
    /// The predictions.
    pub prediction: PredictionSummary,
    /// The label-free estimate.
    pub estimate: Estimate,
    /// Share of drifted features (`null` without a drift report).
    pub drift_share: Option<f64>,
    /// The dataset verdict.
    pub dataset_drift: Option<bool>,
    /// Each tested feature's statistic, by name.
    pub drift_statistics: BTreeMap<String, f64>,
    /// The drifted features.
    pub drifted_columns: Vec<String>,
    /// ADWIN after the batch.
    pub adwin: AdwinView,
    /// ADWIN's window width sampled through the batch (see [`BatchReport::adwin_trace`]).
    pub adwin_trace: Vec<(u64, f64)>,
    /// Where ADWIN cut its window during the batch.
    pub adwin_cuts: Vec<AdwinCut>,
    /// Page-Hinkley after the batch.
    pub page_hinkley: Option<PageHinkleyView>,
    /// Scoring time in milliseconds.
    pub scoring_ms: Option<f64>,
    /// Memory in bytes, when the caller measured it (e.g. Wasm memory).
    pub memory_bytes: Option<u64>,
    /// Performance once labelled.
    pub performance: Option<PerformanceView>,
    /// The window's performance when this batch was labelled.
    pub window: Option<PerformanceView>,
    /// DDM after this batch's errors.
    pub ddm: Option<DdmView>,
}

/// The whole timeline, for the charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitorSnapshot {
    /// The monitored model's hash.
    pub model: String,
    /// The positive class.
    pub positive: String,
    /// The options in force.
    pub options: MonitorOptions,
    /// Every observed batch.
    pub batches: Vec<BatchSummary>,
    /// The alarm log, oldest first.
    pub alarms: Vec<Alarm>,
    /// The baseline performance, once complete.
    pub baseline: Option<PerformanceView>,
    /// Performance over all labelled rows.
    pub overall: PerformanceView,
}

/// A labelled batch kept for retraining: the feature rows with the target column.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledBatch {
    /// The batch number.
    pub batch: usize,
    /// The rows with the target column appended.
    pub table: Table,
}

#[derive(Debug, Clone)]
struct BatchState {
    summary: BatchSummary,
    predictions: Vec<usize>,
    features: Option<Table>,
    labels: Option<Vec<usize>>,
    perf: Option<Performance>,
}

/// The deployed model's running view. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Monitor {
    artifact: Artifact,
    options: MonitorOptions,
    drift_options: DriftOptions,
    positive: usize,
    positive_name: String,
    batches: Vec<BatchState>,
    alarms: Vec<Alarm>,
    adwin: Adwin,
    adwin_seen: u64,
    ddm: Ddm,
    ddm_seen: u64,
    ph: PageHinkley,
    ph_seen: u64,
    labelled_order: Vec<usize>,
    baseline: Option<Performance>,
    recall_low: bool,
    accuracy_low: bool,
    data_drift_last: bool,
}

impl Monitor {
    /// A monitor for `artifact` (a classifier). The options are checked: the positive class
    /// must be one of the model's, the detector parameters valid, the window at least 1.
    pub fn new(artifact: &Artifact, options: MonitorOptions) -> Result<Monitor, MonitorError> {
        if artifact.model.task() != Task::Classification || artifact.classes.is_empty() {
            return Err(MonitorError::NotAClassifier(
                artifact.model.kind().to_owned(),
            ));
        }
        let classes = &artifact.classes;
        let positive = match &options.positive {
            Some(p) => class_index(classes, p).ok_or_else(|| {
                option_error(
                    "positive",
                    format!(
                        "{p:?} is not a class of this model: use one of {}",
                        classes.join(", ")
                    ),
                )
            })?,
            None => usize::from(classes.len() >= 2),
        };
        if options.window == 0 || options.window > 10_000 {
            return Err(option_error("window", "use 1 to 10000 batches"));
        }
        if let Some(secs) = options.window_seconds {
            if !(secs.is_finite() && secs > 0.0) {
                return Err(option_error(
                    "window_seconds",
                    format!("{secs} is not a duration: use a number of seconds above 0"),
                ));
            }
        }
        for (name, v) in [
            ("recall_drop", options.recall_drop),
            ("accuracy_drop", options.accuracy_drop),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                return Err(option_error(
                    if name == "recall_drop" {
                        "recall_drop"
                    } else {
                        "accuracy_drop"
                    },
                    format!("{v} is not a drop: use a number in (0, 1]"),
                ));
            }
        }
        if !(2..=1000).contains(&options.psi_bins) {
            return Err(option_error("psi_bins", "use 2 to 1000 bins"));
        }
        let adwin = Adwin::from_params(&to_params(&options.adwin))?;
        let ddm = Ddm::from_params(&to_params(&options.ddm))?;
        let ph = PageHinkley::from_params(&to_params(&options.page_hinkley))?;
        let mut drift_options = options.drift.clone();
        if drift_options.columns.is_none() {
            drift_options.columns = Some(
                artifact
                    .schema
                    .columns
                    .iter()
                    .filter(|c| artifact.profile.column(&c.name).is_some())
                    .map(|c| c.name.clone())
                    .collect(),
            );
        }
        let positive_label = classes.get(positive).cloned().unwrap_or_default();
        let positive_name = options
            .positive_name
            .clone()
            .unwrap_or_else(|| format!("cases of class {positive_label:?}"));
        Ok(Monitor {
            artifact: artifact.clone(),
            options,
            drift_options,
            positive,
            positive_name,
            batches: Vec::new(),
            alarms: Vec::new(),
            adwin,
            adwin_seen: 0,
            ddm,
            ddm_seen: 0,
            ph,
            ph_seen: 0,
            labelled_order: Vec::new(),
            baseline: None,
            recall_low: false,
            accuracy_low: false,
            data_drift_last: false,
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
        let (scored, scoring_ms) = match clock {
            Some(clock) => {
                let t0 = clock();
                let s = self.artifact.score_table(batch)?;
                let t1 = clock();
                let ms = t1 - t0;
                (s, (ms.is_finite() && ms >= 0.0).then_some(ms))
            }
            None => (self.artifact.score_table(batch)?, None),
        };
        let k = self.artifact.classes.len();
        let pos = self.positive;
        let predictions: Vec<usize> = scored
            .iter()
            .map(|s| {
                let v = s.prediction.value;
                if v.is_finite() && v >= 0.0 && (v as usize) < k {
                    v as usize
                } else {
                    0
                }
            })
            .collect();
        let has_proba = !scored.is_empty()
            && scored
                .iter()
                .all(|s| s.prediction.probabilities.len() == k && k > pos);
        let rows = scored.len();
        let mut class_counts = vec![0u64; k];
        for &p in &predictions {
            class_counts[p] += 1;
        }
        let positive_rate = if rows > 0 {
            class_counts.get(pos).copied().unwrap_or(0) as f64 / rows as f64
        } else {
            0.0
        };
        let mut estimate = Estimate {
            method: "cbpe".into(),
            accuracy: None,
            recall: None,
            precision: None,
        };
        let mut mean_positive_probability = None;
        let mut alarms = Vec::new();
        let mut adwin_trace = Vec::new();
        let mut adwin_cuts = Vec::new();
        if has_proba {
            let (mut conf, mut sum_p, mut tp, mut pred_pos, mut sum_pos) =
                (0.0, 0.0, 0.0, 0.0, 0.0);
            for (s, &p) in scored.iter().zip(&predictions) {
                let probs = &s.prediction.probabilities;
                let pp = probs[pos];
                conf += probs[p];
                sum_p += pp;
                if p == pos {
                    tp += pp;
                    pred_pos += 1.0;
                }
                sum_pos += pp;
                // ADWIN watches the positive-class probability, row by row.
                let before = (self.adwin.total(), self.adwin.width());
                self.adwin.update(pp);
                self.adwin_seen += 1;
                if self.adwin.drift_detected() {
                    let dropped_w = before.1 + 1.0 - self.adwin.width();
                    let old = if dropped_w > 0.0 {
                        (before.0 + pp - self.adwin.total()) / dropped_w
                    } else {
                        f64::NAN
                    };
                    let position = self.adwin_seen - 1;
                    adwin_trace.push((position, before.1 + 1.0));
                    adwin_trace.push((position, self.adwin.width()));
                    adwin_cuts.push(AdwinCut {
                        position,
                        width_before: before.1 + 1.0,
                        width_after: self.adwin.width(),
                        mean_before: old,
                        mean_after: self.adwin.estimation(),
                    });
                    alarms.push(Alarm {
                        batch: id,
                        about_batch: id,
                        kind: AlarmKind::PredictionDrift,
                        detector: Some("adwin".into()),
                        position: Some(self.adwin_seen - 1),
                        message: format!(
                            "the mean predicted probability of {} moved from {} to {} (ADWIN cut its window from {} to {} rows): the model's answers have changed",
                            self.positive_name,
                            num(old),
                            num(self.adwin.estimation()),
                            (before.1 + 1.0) as u64,
                            self.adwin.width() as u64
                        ),
                    });
                } else if self.adwin_seen % ADWIN_TRACE_EVERY == 0 {
                    adwin_trace.push((self.adwin_seen, self.adwin.width()));
                }
            }
            let n = rows as f64;
            estimate.accuracy = Some(conf / n);
            estimate.recall = (sum_pos > 0.0).then(|| tp / sum_pos);
            estimate.precision = (pred_pos > 0.0).then(|| tp / pred_pos);
            mean_positive_probability = Some(sum_p / n);
        } else {
            for &p in &predictions {
                self.adwin.update(f64::from(u8::from(p == pos)));
                self.adwin_seen += 1;
                if self.adwin_seen % ADWIN_TRACE_EVERY == 0 {
                    adwin_trace.push((self.adwin_seen, self.adwin.width()));
                }
            }
        }
        if adwin_trace.last() != Some(&(self.adwin_seen, self.adwin.width())) {
            adwin_trace.push((self.adwin_seen, self.adwin.width()));
        }
        let rows_with_warnings = scored.iter().filter(|s| !s.warnings.is_empty()).count();

        // Data drift against the training profile.
        let (drift, drift_error) =
            match drift_report_from_profile(&self.artifact.profile, batch, &self.drift_options) {
                Ok(r) => (Some(r), None),
                Err(e) => (None, Some(e.to_string())),
            };
        let psi = self
            .drift_options
            .columns
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .filter_map(|name| {
                let reference = self.artifact.profile.column(name)?;
                let column = batch.column(name)?;
                let options = PsiOptions {
                    bins: self.options.psi_bins,
                    ..self.drift_options.psi
                };
                psi_bins(reference, column, &options).ok()
            })
            .collect();
        let mut page_hinkley = None;
        if let Some(r) = &drift {
            if r.dataset_drift && !self.data_drift_last {
                let drifted: Vec<&str> = r
                    .columns
                    .iter()
                    .filter(|c| c.drifted)
                    .map(|c| c.name.as_str())
                    .collect();
                alarms.push(Alarm {
                    batch: id,
                    about_batch: id,
                    kind: AlarmKind::DataDrift,
                    detector: None,
                    position: None,
                    message: format!(
                        "{} of {} features drifted in batch {id} ({}): the inputs no longer look like the training data",
                        r.drifted_columns,
                        r.columns.len(),
                        list(&drifted, 4)
                    ),
                });
            }
            self.data_drift_last = r.dataset_drift;
            let x = if r.drift_share.is_finite() {
                r.drift_share
            } else {
                0.0
            };
            self.ph.update(x);
            self.ph_seen += 1;
            let view = PageHinkleyView {
                seen: self.ph_seen,
                value: x,
                mean: self.ph.mean(),
                test_increase: self.ph.test_increase(),
                threshold: self.ph.threshold(),
            };
            if self.ph.drift_detected() {
                alarms.push(Alarm {
                    batch: id,
                    about_batch: id,
                    kind: AlarmKind::DriftTrend,
                    detector: Some("page-hinkley".into()),
                    position: Some(self.ph_seen - 1),
                    message: format!(
                        "the share of drifted features has stayed high (now {}, running mean {}; Page-Hinkley's rise {} passed its threshold {}): the input shift is lasting, not a blip",
                        num(x),
                        num(view.mean),
                        num(view.test_increase),
                        num(view.threshold)
                    ),
                });
            }
            page_hinkley = Some(view);
        }
        let adwin = AdwinView {
            seen: self.adwin_seen,
            width: self.adwin.width(),
            estimation: self.adwin.estimation(),
            variance: self.adwin.variance(),
        };
        let prediction = PredictionSummary {
            class_counts,
            positive_rate,
            mean_positive_probability,
        };
        let summary = BatchSummary {
            batch: id,
            time,
            rows,
            rows_with_warnings,
            prediction: prediction.clone(),
            estimate: estimate.clone(),
            drift_share: drift.as_ref().map(|r| r.drift_share),
            dataset_drift: drift.as_ref().map(|r| r.dataset_drift),
            drift_statistics: drift
                .as_ref()
                .map(|r| {
                    r.columns
                        .iter()
                        .map(|c| (c.name.clone(), c.statistic))
                        .collect()
                })
                .unwrap_or_default(),
            drifted_columns: drift
                .as_ref()
                .map(|r| {
                    r.columns
                        .iter()
                        .filter(|c| c.drifted)
                        .map(|c| c.name.clone())
                        .collect()
                })
                .unwrap_or_default(),
            adwin,
            adwin_trace: adwin_trace.clone(),
            adwin_cuts: adwin_cuts.clone(),
            page_hinkley,
            scoring_ms,
            memory_bytes: None,
            performance: None,
            window: None,
            ddm: None,
        };
        self.batches.push(BatchState {
            summary,
            predictions,
            features: Some(batch.clone()),
            labels: None,
            perf: None,
        });
        // Keep the rows of the most recent batches only.
        let keep = self.options.keep_batches;
        if self.batches.len() > keep {
            let old = self.batches.len() - keep - 1;
            if let Some(b) = self.batches.get_mut(old) {
                b.features = None;
            }
        }
        self.alarms.extend(alarms.iter().cloned());
        Ok(BatchReport {
            batch: id,
            rows,
            rows_with_warnings,
            prediction,
            estimate,
            drift,
            drift_error,
            psi,
            adwin,
            adwin_trace,
            adwin_cuts,
            page_hinkley,
            scoring_ms,
            alarms,
        })
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
        let last = self.last_label();
        let state = self
            .batches
            .get(batch)
            .ok_or(MonitorError::UnknownBatch { batch, last })?;
        if state.labels.is_some() {
            return Err(MonitorError::AlreadyLabelled(batch));
        }
        if labels.len() != state.predictions.len() {
            return Err(MonitorError::LabelCount {
                batch,
                rows: state.predictions.len(),
                labels: labels.len(),
            });
        }
        let classes = &self.artifact.classes;
        let mut y = Vec::with_capacity(labels.len());
        for (i, l) in labels.iter().enumerate() {
            let l = l.as_ref();
            y.push(
                class_index(classes, l).ok_or_else(|| MonitorError::UnknownLabel {
                    batch,
                    row: i + 1,
                    label: l.to_owned(),
                    classes: classes.join(", "),
                })?,
            );
        }
        let current = self.batches.len().saturating_sub(1);
        let pos = self.positive;
        let mut perf = Performance::default();
        let mut alarms = Vec::new();
        let predictions = std::mem::take(&mut self.batches[batch].predictions);
        for (&p, &t) in predictions.iter().zip(&y) {
            perf.rows += 1;
            let right = p == t;
            perf.correct += u64::from(right);
            match (t == pos, p == pos) {
                (true, true) => perf.tp += 1,
                (true, false) => perf.fn_ += 1,
                (false, true) => perf.fp += 1,
                (false, false) => perf.tn += 1,
            }
            self.ddm.update(f64::from(u8::from(!right)));
            self.ddm_seen += 1;
            if self.ddm.drift_detected() {
                alarms.push(Alarm {
                    batch: current,
                    about_batch: batch,
                    kind: AlarmKind::ErrorRate,
                    detector: Some("ddm".into()),
                    position: Some(self.ddm_seen - 1),
                    message: format!(
                        "the error rate rose to {} over the last {} labelled rows, past DDM's drift level {} (it was as low as {}): the model makes more mistakes than it used to",
                        pct(self.ddm.p()),
                        self.ddm.n() as u64,
                        num(self.ddm.drift_level()),
                        num(self.ddm_p_min()),
                    ),
                });
            }
        }
        let ddm = self.ddm_view();
        {
            let b = &mut self.batches[batch];
            b.labels = Some(y);
            b.perf = Some(perf);
            b.summary.performance = Some(perf.view());
            b.summary.ddm = Some(ddm);
        }
        self.labelled_order.push(batch);

        // The window: the last `window` labelled batches by batch number.
        let w = self.options.window;
        let mut labelled: Vec<usize> = self
            .batches
            .iter()
            .filter(|b| b.perf.is_some())
            .map(|b| b.summary.batch)
            .collect();
        labelled.sort_unstable();
        // By count: the last `w` of them, the baseline the first `w`. By time: those within
        // `window_seconds` of the latest, the baseline those within it of the earliest.
        let (in_window, in_baseline, past_baseline): (Vec<usize>, Vec<usize>, bool) =
            match self.options.window_seconds {
                None => (
                    labelled.iter().rev().take(w).copied().collect(),
                    labelled.iter().take(w).copied().collect(),
                    labelled.len() > w,
                ),
                Some(secs) => {
                    let time_of = |b: usize| self.batches[b].summary.time.unwrap_or(b as f64);
                    let times = labelled.iter().map(|&b| time_of(b));
                    let latest = times.clone().fold(f64::NEG_INFINITY, f64::max);
                    let earliest = times.fold(f64::INFINITY, f64::min);
                    let past = latest > earliest + secs;
                    (
                        labelled
                            .iter()
                            .copied()
                            .filter(|&b| time_of(b) >= latest - secs)
                            .collect(),
                        labelled
                            .iter()
                            .copied()
                            .filter(|&b| time_of(b) <= earliest + secs)
                            .collect(),
                        past,
                    )
                }
            };
        let mut window = Performance::default();
        for &b in &in_window {
            if let Some(p) = &self.batches[b].perf {
                window.add(p);
            }
        }
        let baseline_complete = match self.options.window_seconds {
            None => labelled.len() >= w,
            Some(_) => past_baseline,
        };
        if self.baseline.is_none() && baseline_complete {
            let mut base = Performance::default();
            for &b in &in_baseline {
                if let Some(p) = &self.batches[b].perf {
                    base.add(p);
                }
            }
            self.baseline = Some(base);
        }
        self.batches[batch].summary.window = Some(window.view());
        // Judge the window against the baseline once the window is past the baseline.
        if let (Some(base), true) = (self.baseline, past_baseline) {
            let (acc, base_acc) = (window.accuracy(), base.accuracy());
            if let (Some(r), Some(br)) = (window.recall(), base.recall()) {
                let low = window.positives() >= self.options.min_positives
                    && base.positives() >= self.options.min_positives
                    && br - r >= self.options.recall_drop;
                if low && !self.recall_low {
                    let accuracy = match (acc, base_acc) {
                        (Some(a), Some(ba)) if ba - a < self.options.accuracy_drop => {
                            format!(" while accuracy stayed at {}", num2(a))
                        }
                        (Some(a), _) => format!(" and accuracy fell to {}", num2(a)),
                        _ => String::new(),
                    };
                    alarms.push(Alarm {
                        batch: current,
                        about_batch: batch,
                        kind: AlarmKind::RecallDrop,
                        detector: None,
                        position: None,
                        message: format!(
                            "recall over the last {w} batches fell from {} to {}{accuracy}: the model is missing {} it used to catch",
                            num2(br),
                            num2(r),
                            self.positive_name
                        ),
                    });
                }
                if window.positives() >= self.options.min_positives {
                    self.recall_low = low;
                }
            }
            if let (Some(a), Some(ba)) = (acc, base_acc) {
                let low = ba - a >= self.options.accuracy_drop;
                if low && !self.accuracy_low {
                    alarms.push(Alarm {
                        batch: current,
                        about_batch: batch,
                        kind: AlarmKind::AccuracyDrop,
                        detector: None,
                        position: None,
                        message: format!(
                            "accuracy over the last {w} batches fell from {} to {}: the model is wrong more often than when it was deployed",
                            num2(ba),
                            num2(a)
                        ),
                    });
                }
                self.accuracy_low = low;
            }
        }
        self.alarms.extend(alarms.iter().cloned());
        Ok(LabelReport {
            batch,
            performance: perf.view(),
            window: window.view(),
            baseline: self.baseline.map(|b| b.view()),
            ddm,
            alarms,
        })
    }

    fn ddm_p_min(&self) -> f64 {
        // drift_level = p_min + t·s_min and warning_level = p_min + w·s_min.
        let (d, w) = (self.ddm.drift_level(), self.ddm.warning_level());
        let (td, tw) = ddm_thresholds(&self.options.ddm);
        if td > tw {
            let s_min = (d - w) / (td - tw);
            d - td * s_min
        } else {
            f64::NAN
        }
    }

    fn ddm_view(&self) -> DdmView {
        let finite = |x: f64| x.is_finite().then_some(x);
        DdmView {
            seen: self.ddm_seen,
            n: self.ddm.n(),
            p: self.ddm.p(),
            s: self.ddm.s(),
            ps: self.ddm.ps(),
            warning_level: finite(self.ddm.warning_level()),
            drift_level: finite(self.ddm.drift_level()),
            warning: self.ddm.warning_detected(),
        }
    }

    /// The labelled batches whose rows are still kept (the last `keep_batches` observed),
    /// each with the target column appended in the training data's kind: the feedback to
    /// retrain on.
    pub fn labelled_batches(&self) -> Result<Vec<LabelledBatch>, MonitorError> {
        let target = self
            .artifact
            .schema
            .target
            .clone()
            .unwrap_or_else(|| "target".to_owned());
        let kind = self
            .artifact
            .profile
            .column(&target)
            .map_or(ColumnKind::Categorical, |c| c.kind);
        let mut out = Vec::new();
        for b in &self.batches {
            let (Some(features), Some(labels)) = (&b.features, &b.labels) else {
                continue;
            };
            let names: Vec<&str> = labels
                .iter()
                .map(|&i| self.artifact.classes.get(i).map_or("", String::as_str))
                .collect();
            let column = match kind {
                ColumnKind::Numeric => Column::numeric(
                    target.clone(),
                    names
                        .iter()
                        .map(|s| s.parse::<f64>().unwrap_or(f64::NAN))
                        .collect(),
                ),
                ColumnKind::Boolean => Column {
                    name: target.clone(),
                    data: ColumnData::Boolean(
                        names
                            .iter()
                            .map(|s| match s.to_ascii_lowercase().as_str() {
                                "true" => Some(true),
                                "false" => Some(false),
                                _ => None,
                            })
                            .collect(),
                    ),
                },
                ColumnKind::Categorical => Column::categorical(
                    target.clone(),
                    &names.iter().map(|s| Some(*s)).collect::<Vec<_>>(),
                ),
            };
            let mut columns: Vec<Column> = features
                .columns()
                .iter()
                .filter(|c| c.name != target)
                .cloned()
                .collect();
            columns.push(column);
            out.push(LabelledBatch {
                batch: b.summary.batch,
                table: Table::new(columns)?,
            });
        }
        Ok(out)
    }

    /// Performance over every labelled row so far.
    pub fn overall(&self) -> PerformanceView {
        let mut p = Performance::default();
        for b in &self.batches {
            if let Some(q) = &b.perf {
                p.add(q);
            }
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
            baseline: self.baseline.map(|b| b.view()),
            overall: self.overall(),
        }
    }
}

fn ddm_thresholds(params: &BTreeMap<String, String>) -> (f64, f64) {
    let get = |k: &str, d: f64| {
        params
            .iter()
            .find(|(key, _)| key.trim().replace('-', "_") == k)
            .and_then(|(_, v)| v.trim().parse::<f64>().ok())
            .unwrap_or(d)
    };
    (get("drift_threshold", 3.0), get("warning_threshold", 2.0))
}

/// The index of `label` among `classes`: by text, else by numeric value.
pub(crate) fn class_index(classes: &[String], label: &str) -> Option<usize> {
    let label = label.trim();
    classes.iter().position(|c| c == label).or_else(|| {
        let x = label.parse::<f64>().ok().filter(|x| x.is_finite())?;
        classes
            .iter()
            .position(|c| c.parse::<f64>().ok() == Some(x))
    })
}

fn num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 0.1 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

fn num2(x: f64) -> String {
    format!("{x:.2}")
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn list(names: &[&str], max: usize) -> String {
    let mut s = names
        .iter()
        .take(max)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        s.push_str(&format!(" and {} more", names.len() - max));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performance_counts() {
        let p = Performance {
            rows: 10,
            correct: 8,
            tp: 2,
            fp: 1,
            fn_: 1,
            tn: 6,
        };
        assert_eq!(p.accuracy(), Some(0.8));
        assert_eq!(p.recall(), Some(2.0 / 3.0));
        assert_eq!(p.precision(), Some(2.0 / 3.0));
        assert_eq!(Performance::default().recall(), None);
        let json = serde_json::to_value(p.view()).unwrap();
        assert_eq!(json["counts"]["fn"], 1);
    }

    #[test]
    fn labels_match_by_text_or_value() {
        let classes = vec!["0".to_owned(), "1".to_owned()];
        assert_eq!(class_index(&classes, "1"), Some(1));
        assert_eq!(class_index(&classes, "1.0"), Some(1));
        assert_eq!(class_index(&classes, " 0 "), Some(0));
        assert_eq!(class_index(&classes, "2"), None);
        assert_eq!(class_index(&classes, "NaN"), None);
    }

    #[test]
    fn sentences_read_well() {
        assert_eq!(num(0.0213), "0.021");
        assert_eq!(num(0.72), "0.72");
        assert_eq!(num(f64::NAN), "n/a");
        assert_eq!(pct(0.031), "3.1%");
        assert_eq!(list(&["a", "b", "c"], 2), "a, b and 1 more");
    }

    #[test]
    fn default_options_build_detectors() {
        let o = MonitorOptions::default();
        Adwin::from_params(&to_params(&o.adwin)).unwrap();
        Ddm::from_params(&to_params(&o.ddm)).unwrap();
        PageHinkley::from_params(&to_params(&o.page_hinkley)).unwrap();
        assert_eq!(ddm_thresholds(&o.ddm), (3.0, 2.0));
        let json = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<MonitorOptions>(&json).unwrap(), o);
    }
}
