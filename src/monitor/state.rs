//! A running monitor, saved and restored exactly.

use serde::{Deserialize, Serialize};

use crate::artifact::Artifact;
use crate::detector::Detector;

use super::alarms::Alarm;
use super::data_drift::DataDrift;
use super::drift_trend::DriftTrend;
use super::error_rate::ErrorRate;
use super::performance::PerformanceWatch;
use super::prediction_drift::PredictionDrift;
use super::timeline::SavedBatch;
use super::{Monitor, MonitorError, MonitorOptions};

/// The `format` of a saved monitor.
pub const FORMAT: &str = "driftlab.monitor";
/// The newest saved-monitor version this build reads and writes.
pub const VERSION: u32 = 1;

/// A saved [`Monitor`]: everything it needs to continue exactly, without the artifact.
///
/// It holds the options, the timeline (every batch's summary, as
/// [`Monitor::snapshot`] shows it), the alarm log, every detector's whole state (ADWIN's
/// buckets, DDM's and Page-Hinkley's sums, as in `crate::detector`) and the watchers'
/// memories (the baseline, whether recall and accuracy are in a low episode, whether the
/// last batch drifted), and the predicted class of each row of the batches not labelled
/// yet — the only per-row data, kept because the labels will be judged against it. It
/// leaves out the artifact (restore with it: its hash is checked) and the feature rows
/// kept for retraining, so [`Monitor::labelled_batches`] of a restored monitor holds the
/// batches observed after the restore. After the 30 batches of the fraud-abrupt scenario
/// (1,000 rows each, labels two batches late) it is 62,971 bytes of JSON, most of it the
/// timeline the page draws.
///
/// It is `Serialize`/`Deserialize` for any serde format (the page and a Durable Object
/// can store it as a structured value); [`MonitorState::to_bytes`] and
/// [`MonitorState::from_bytes`] give the JSON form, `"format": "driftlab.monitor"`,
/// `"version": 1`. Floats come back bit for bit, infinities and NaN included (written
/// `"inf"`, `"-inf"` and `null`). A state of an unknown format or a newer version, a
/// damaged one or one whose parts contradict each other is refused with
/// [`MonitorError::BadState`]; one saved for another model with
/// [`MonitorError::OtherModel`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MonitorState {
    format: String,
    version: u32,
    model: String,
    options: MonitorOptions,
    batches: Vec<SavedBatch>,
    alarms: Vec<Alarm>,
    prediction_drift: PredictionDrift,
    data_drift: DataDrift,
    drift_trend: DriftTrend,
    performance: PerformanceWatch,
    error_rate: ErrorRate,
}

/// The first members of a saved monitor, read before the rest.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

impl MonitorState {
    /// The hash of the model the monitor watched.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Batches observed before it was saved.
    pub fn batches_observed(&self) -> usize {
        self.batches.len()
    }

    /// The state as JSON.
    pub fn to_bytes(&self) -> Result<Vec<u8>, MonitorError> {
        serde_json::to_vec(self).map_err(|e| MonitorError::BadState(e.to_string()))
    }

    /// Reads a state written by [`MonitorState::to_bytes`]: its format and version first,
    /// then the rest.
    pub fn from_bytes(bytes: &[u8]) -> Result<MonitorState, MonitorError> {
        let bad =
            |e: serde_json::Error| MonitorError::BadState(format!("not a saved monitor ({e})"));
        let header: Header = serde_json::from_slice(bytes).map_err(bad)?;
        if header.format.as_deref() != Some(FORMAT) {
            return Err(MonitorError::BadState(format!(
                "the format is {:?}, not {FORMAT:?}",
                header.format.unwrap_or_default()
            )));
        }
        match header.version {
            Some(v) if v > VERSION => {
                return Err(MonitorError::BadState(format!(
                "it is version {v} and this build reads versions up to {VERSION}: update driftlab"
            )))
            }
            None | Some(0) => return Err(MonitorError::BadState("it has no version".into())),
            _ => {}
        }
        serde_json::from_slice(bytes).map_err(bad)
    }
}

impl Monitor {
    /// The monitor's state, to restore later with [`Monitor::restore`] (see
    /// [`MonitorState`] for what it holds).
    pub fn save(&self) -> MonitorState {
        MonitorState {
            format: FORMAT.to_owned(),
            version: VERSION,
            model: self.artifact.hash.clone(),
            options: self.options.clone(),
            batches: self.batches.iter().map(SavedBatch::from).collect(),
            alarms: self.alarms.clone(),
            prediction_drift: self.prediction_drift.clone(),
            data_drift: self.data_drift.clone(),
            drift_trend: self.drift_trend.clone(),
            performance: self.performance.clone(),
            error_rate: self.error_rate.clone(),
        }
    }

    /// The monitor that was saved as `state`, watching `artifact` (the one it was saved
    /// with: its hash is checked). It continues exactly where the saved one stopped. Every
    /// part of the state is checked against the others, so a damaged state is refused
    /// rather than misread.
    pub fn restore(artifact: &Artifact, state: MonitorState) -> Result<Monitor, MonitorError> {
        if state.format != FORMAT || state.version == 0 || state.version > VERSION {
            return Err(MonitorError::BadState(format!(
                "format {:?} version {} is not {FORMAT:?} version 1 to {VERSION}",
                state.format, state.version
            )));
        }
        if state.model != artifact.hash {
            return Err(MonitorError::OtherModel {
                saved: state.model,
                given: artifact.hash.clone(),
            });
        }
        let setup = state.options.setup(artifact)?;
        let bad = |what: String| Err(MonitorError::BadState(what));
        // the detectors must be the ones the options make
        if state.prediction_drift.detector().params() != setup.adwin.params()
            || state.error_rate.detector().params() != setup.ddm.params()
            || state.drift_trend.detector().params() != setup.page_hinkley.params()
        {
            return bad("its detectors' parameters differ from its options".into());
        }
        let k = artifact.classes.len();
        let (mut rows, mut labelled_rows, mut with_drift) = (0u64, 0u64, 0u64);
        for (i, b) in state.batches.iter().enumerate() {
            let s = &b.summary;
            if s.batch != i {
                return bad(format!("its batch {i} is numbered {}", s.batch));
            }
            match (&b.pending, &s.performance) {
                (Some(p), None) if p.len() == s.rows && p.iter().all(|&c| c < k) => {}
                (None, Some(p)) if p.counts.rows == s.rows as u64 && p.counts.consistent() => {
                    labelled_rows = labelled_rows.saturating_add(p.counts.rows);
                }
                _ => {
                    return bad(format!(
                    "batch {i} has neither its predictions nor its labelled counts for its {} rows",
                    s.rows
                ))
                }
            }
            rows = rows.saturating_add(s.rows as u64);
            with_drift += u64::from(s.page_hinkley.is_some());
        }
        let baseline_ok = state
            .performance
            .baseline()
            .is_none_or(|b| b.consistent() && b.rows <= labelled_rows);
        if !baseline_ok {
            return bad("its baseline holds other rows than its labelled batches".into());
        }
        // (far more than any stream; what is left keeps every count from overflowing)
        if rows > 1 << 53 {
            return bad("it counts more rows than a monitor can hold".into());
        }
        if state.prediction_drift.seen() != rows
            || state.error_rate.seen() != labelled_rows
            || state.drift_trend.seen() != with_drift
        {
            return bad("its detectors have seen other rows than its batches hold".into());
        }
        Ok(Monitor {
            artifact: artifact.clone(),
            options: state.options,
            drift_options: setup.drift_options,
            positive: setup.positive,
            positive_name: setup.positive_name,
            batches: state.batches.into_iter().map(Into::into).collect(),
            alarms: state.alarms,
            prediction_drift: state.prediction_drift,
            data_drift: state.data_drift,
            drift_trend: state.drift_trend,
            performance: state.performance,
            error_rate: state.error_rate,
        })
    }
}
