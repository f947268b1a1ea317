//! What the monitor tells: a report per observed batch and per labelled batch, and the
//! whole timeline ([`MonitorSnapshot`]). All of it is JSON for the page and the CLI.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::drift::{DriftReport, PsiBins};
use crate::table::Table;

use super::alarms::Alarm;
use super::drift_trend::PageHinkleyView;
use super::error_rate::DdmView;
use super::estimate::Estimate;
use super::performance::PerformanceView;
use super::prediction_drift::{AdwinCut, AdwinView};
use super::predictions::PredictionSummary;
use super::MonitorOptions;

/// What [`Monitor::observe`](super::Monitor::observe) learnt from one batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
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
    /// [`ADWIN_TRACE_EVERY`](super::ADWIN_TRACE_EVERY) rows and at each cut, so the chart
    /// shows the window grow and drop.
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

/// What [`Monitor::label`](super::Monitor::label) learnt from one batch's labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct BatchSummary {
    /// The batch number.
    pub batch: usize,
    /// When the batch was observed, in seconds
    /// ([`Monitor::observe_at`](super::Monitor::observe_at) or the `time_column`), if known.
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
    /// Each tested feature's statistic, by name (`"inf"` for an infinite one, as in the
    /// drift report).
    #[serde(with = "crate::numeric::serde_f64::map")]
    #[cfg_attr(ts, tsify(type = "Record<string, number | 'inf' | '-inf' | null>"))]
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

impl BatchSummary {
    /// The timeline's entry for a batch just observed (at `time`, if known).
    pub(super) fn of(report: &BatchReport, time: Option<f64>) -> BatchSummary {
        let columns = report.drift.iter().flat_map(|r| &r.columns);
        BatchSummary {
            batch: report.batch,
            time,
            rows: report.rows,
            rows_with_warnings: report.rows_with_warnings,
            prediction: report.prediction.clone(),
            estimate: report.estimate.clone(),
            drift_share: report.drift.as_ref().map(|r| r.drift_share),
            dataset_drift: report.drift.as_ref().map(|r| r.dataset_drift),
            drift_statistics: columns
                .clone()
                .map(|c| (c.name.clone(), c.statistic))
                .collect(),
            drifted_columns: columns
                .filter(|c| c.drifted)
                .map(|c| c.name.clone())
                .collect(),
            adwin: report.adwin,
            adwin_trace: report.adwin_trace.clone(),
            adwin_cuts: report.adwin_cuts.clone(),
            page_hinkley: report.page_hinkley,
            scoring_ms: report.scoring_ms,
            memory_bytes: None,
            performance: None,
            window: None,
            ddm: None,
        }
    }
}

/// The whole timeline, for the charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An infinite statistic (chi-square with a new category) is written `"inf"`, as the
    /// drift report writes it, and read back as `+∞`.
    #[test]
    fn infinite_statistics_are_written_as_the_drift_report_writes_them() {
        let adwin = AdwinView {
            seen: 3,
            width: 3.0,
            estimation: 0.5,
            variance: 0.25,
        };
        let summary = BatchSummary {
            batch: 0,
            time: None,
            rows: 3,
            rows_with_warnings: 0,
            prediction: PredictionSummary {
                class_counts: vec![2, 1],
                positive_rate: 1.0 / 3.0,
                mean_positive_probability: None,
            },
            estimate: Estimate {
                method: "cbpe".into(),
                accuracy: None,
                recall: None,
                precision: None,
            },
            drift_share: Some(1.0),
            dataset_drift: Some(true),
            drift_statistics: [
                ("country".to_owned(), f64::INFINITY),
                ("amount".to_owned(), 0.25),
            ]
            .into(),
            drifted_columns: vec!["country".into()],
            adwin,
            adwin_trace: vec![(3, 3.0)],
            adwin_cuts: vec![AdwinCut {
                position: 2,
                width_before: 3.0,
                width_after: 1.0,
                mean_before: f64::NAN,
                mean_after: 0.5,
            }],
            page_hinkley: None,
            scoring_ms: None,
            memory_bytes: None,
            performance: None,
            window: None,
            ddm: None,
        };
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["drift_statistics"]["country"], "inf");
        assert_eq!(json["drift_statistics"]["amount"], 0.25);
        assert!(json["adwin_cuts"][0]["mean_before"].is_null());
        let back: BatchSummary = serde_json::from_value(json).unwrap();
        assert_eq!(back.drift_statistics, summary.drift_statistics);
        assert!(back.adwin_cuts[0].mean_before.is_nan());
    }
}
