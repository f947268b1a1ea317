//! The alarm log's entries and every sentence the monitor writes, in one place.
//!
//! The watchers report findings (numbers); the sentences are made here, so that their
//! wording can be read and changed together. The page and the tests quote them: change a
//! sentence on purpose only, with `tests/monitor.rs` and the page's tests.

use serde::{Deserialize, Serialize};

use crate::drift::DriftReport;

use super::drift_trend::PageHinkleyView;
use super::prediction_drift::AdwinCut;

/// Which check raised an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
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
#[cfg_attr(ts, derive(tsify::Tsify))]
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

/// ADWIN cut its window of positive-class probabilities during batch `batch`.
pub(super) fn prediction_drift(batch: usize, cut: &AdwinCut, positive_name: &str) -> Alarm {
    Alarm {
        batch,
        about_batch: batch,
        kind: AlarmKind::PredictionDrift,
        detector: Some("adwin".into()),
        position: Some(cut.position),
        message: format!(
            "the mean predicted probability of {positive_name} moved from {} to {} (ADWIN cut its window from {} to {} rows): the model's answers have changed",
            num(cut.mean_before),
            num(cut.mean_after),
            cut.width_before as u64,
            cut.width_after as u64
        ),
    }
}

/// Batch `batch`'s inputs drifted (and the previous batch's did not).
pub(super) fn data_drift(batch: usize, report: &DriftReport) -> Alarm {
    let drifted: Vec<&str> = report
        .columns
        .iter()
        .filter(|c| c.drifted)
        .map(|c| c.name.as_str())
        .collect();
    Alarm {
        batch,
        about_batch: batch,
        kind: AlarmKind::DataDrift,
        detector: None,
        position: None,
        message: format!(
            "{} of {} features drifted in batch {batch} ({}): the inputs no longer look like the training data",
            report.drifted_columns,
            report.columns.len(),
            list(&drifted, 4)
        ),
    }
}

/// Page-Hinkley alarmed on the share of drifted features (its state just after).
pub(super) fn drift_trend(batch: usize, ph: &PageHinkleyView) -> Alarm {
    Alarm {
        batch,
        about_batch: batch,
        kind: AlarmKind::DriftTrend,
        detector: Some("page-hinkley".into()),
        position: Some(ph.seen - 1),
        message: format!(
            "the share of drifted features has stayed high (now {}, running mean {}; Page-Hinkley's rise {} passed its threshold {}): the input shift is lasting, not a blip",
            num(ph.value),
            num(ph.mean),
            num(ph.test_increase),
            num(ph.threshold)
        ),
    }
}

/// DDM alarmed on the error stream while the labels of `about_batch` were fed.
pub(super) struct ErrorRateFinding {
    /// The row's position in DDM's stream.
    pub(super) position: u64,
    /// The error rate.
    pub(super) p: f64,
    /// Rows since DDM's last reset.
    pub(super) n: f64,
    /// DDM's drift level.
    pub(super) drift_level: f64,
    /// The lowest error rate DDM remembered.
    pub(super) p_min: f64,
}

/// DDM alarmed: the error rate rose past its drift level.
pub(super) fn error_rate(batch: usize, about_batch: usize, f: &ErrorRateFinding) -> Alarm {
    Alarm {
        batch,
        about_batch,
        kind: AlarmKind::ErrorRate,
        detector: Some("ddm".into()),
        position: Some(f.position),
        message: format!(
            "the error rate rose to {} over the last {} labelled rows, past DDM's drift level {} (it was as low as {}): the model makes more mistakes than it used to",
            pct(f.p),
            f.n as u64,
            num(f.drift_level),
            num(f.p_min),
        ),
    }
}

/// Recall over the last `window` batches fell from `baseline` to `now`; `accuracy` is
/// the window's and the baseline's accuracy, when known.
pub(super) fn recall_drop(
    batch: usize,
    about_batch: usize,
    window: usize,
    (baseline, now): (f64, f64),
    accuracy: (Option<f64>, Option<f64>),
    accuracy_drop: f64,
    positive_name: &str,
) -> Alarm {
    let accuracy = match accuracy {
        (Some(a), Some(ba)) if ba - a < accuracy_drop => {
            format!(" while accuracy stayed at {}", num2(a))
        }
        (Some(a), _) => format!(" and accuracy fell to {}", num2(a)),
        _ => String::new(),
    };
    Alarm {
        batch,
        about_batch,
        kind: AlarmKind::RecallDrop,
        detector: None,
        position: None,
        message: format!(
            "recall over the last {window} batches fell from {} to {}{accuracy}: the model is missing {positive_name} it used to catch",
            num2(baseline),
            num2(now),
        ),
    }
}

/// Accuracy over the last `window` batches fell from `baseline` to `now`.
pub(super) fn accuracy_drop(
    batch: usize,
    about_batch: usize,
    window: usize,
    (baseline, now): (f64, f64),
) -> Alarm {
    Alarm {
        batch,
        about_batch,
        kind: AlarmKind::AccuracyDrop,
        detector: None,
        position: None,
        message: format!(
            "accuracy over the last {window} batches fell from {} to {}: the model is wrong more often than when it was deployed",
            num2(baseline),
            num2(now)
        ),
    }
}

/// What a positive is called when the options do not name it.
pub(super) fn default_positive_name(positive_label: &str) -> String {
    format!("cases of class {positive_label:?}")
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
    fn sentences_read_well() {
        assert_eq!(num(0.0213), "0.021");
        assert_eq!(num(0.72), "0.72");
        assert_eq!(num(f64::NAN), "n/a");
        assert_eq!(pct(0.031), "3.1%");
        assert_eq!(list(&["a", "b", "c"], 2), "a, b and 1 more");
    }

    #[test]
    fn the_recall_sentence_says_what_accuracy_did() {
        let stayed = recall_drop(
            13,
            11,
            5,
            (0.72, 0.18),
            (Some(0.96), Some(0.98)),
            0.05,
            "fraud",
        );
        assert_eq!(
            stayed.message,
            "recall over the last 5 batches fell from 0.72 to 0.18 while accuracy stayed at 0.96: the model is missing fraud it used to catch"
        );
        let fell = recall_drop(
            13,
            11,
            5,
            (0.72, 0.18),
            (Some(0.80), Some(0.98)),
            0.05,
            "fraud",
        );
        assert!(
            fell.message.contains(" and accuracy fell to 0.80: "),
            "{}",
            fell.message
        );
        assert_eq!((fell.batch, fell.about_batch), (13, 11));
    }
}
