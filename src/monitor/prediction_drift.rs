//! Prediction drift: ADWIN fed every row's probability of the positive class.
//!
//! A model whose answers move (its mean positive probability) shows it here even before
//! labels arrive. ADWIN's window width is sampled every [`ADWIN_TRACE_EVERY`] rows and at
//! each cut, so the page can draw the window grow and drop; each cut is recorded
//! ([`AdwinCut`]) and becomes a `prediction_drift` alarm. A model without probabilities
//! feeds 1 for a row predicted positive and 0 otherwise, and its cuts are not reported
//! (the monitor's behaviour from the start, pinned by its tests).

use serde::{Deserialize, Serialize};

use crate::detector::{Adwin, Detector};

/// Rows between two samples of ADWIN's window width in
/// [`BatchReport::adwin_trace`](super::BatchReport::adwin_trace).
pub const ADWIN_TRACE_EVERY: u64 = 50;

/// ADWIN's insides after an update, for the charts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
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
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct AdwinCut {
    /// The position in ADWIN's stream (rows fed so far, 0-based) of the detection.
    pub position: u64,
    /// The window's width just before the cut (the new row included).
    pub width_before: f64,
    /// The window's width just after the cut.
    pub width_after: f64,
    /// The mean of the dropped (older) part of the window (`null` if nothing was dropped).
    #[serde(with = "crate::numeric::serde_f64")]
    pub mean_before: f64,
    /// The mean of the window that was kept.
    pub mean_after: f64,
}

/// What one batch did to ADWIN.
pub(super) struct PredictionDriftFindings {
    /// ADWIN after the batch.
    pub(super) view: AdwinView,
    /// `(stream position, width)` samples through the batch.
    pub(super) trace: Vec<(u64, f64)>,
    /// The cuts, in row order.
    pub(super) cuts: Vec<AdwinCut>,
}

/// The watcher: ADWIN and the rows fed to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct PredictionDrift {
    adwin: Adwin,
    seen: u64,
}

impl PredictionDrift {
    pub(super) fn new(adwin: Adwin) -> Self {
        PredictionDrift { adwin, seen: 0 }
    }

    /// Values fed so far.
    pub(super) fn seen(&self) -> u64 {
        self.seen
    }

    pub(super) fn detector(&self) -> &Adwin {
        &self.adwin
    }

    /// Feeds one batch: the positive-class probabilities (`cuts` true), or 1/0 for
    /// predicted positive or not (`cuts` false: cuts are not looked for).
    pub(super) fn watch(&mut self, values: &[f64], cuts: bool) -> PredictionDriftFindings {
        let mut trace = Vec::new();
        let mut found = Vec::new();
        for &x in values {
            let (total, width) = (self.adwin.total(), self.adwin.width());
            self.adwin.update(x);
            self.seen += 1;
            if cuts && self.adwin.drift_detected() {
                let dropped = width + 1.0 - self.adwin.width();
                let mean_before = if dropped > 0.0 {
                    (total + x - self.adwin.total()) / dropped
                } else {
                    f64::NAN
                };
                let position = self.seen - 1;
                trace.push((position, width + 1.0));
                trace.push((position, self.adwin.width()));
                found.push(AdwinCut {
                    position,
                    width_before: width + 1.0,
                    width_after: self.adwin.width(),
                    mean_before,
                    mean_after: self.adwin.estimation(),
                });
            } else if self.seen.is_multiple_of(ADWIN_TRACE_EVERY) {
                trace.push((self.seen, self.adwin.width()));
            }
        }
        if trace.last() != Some(&(self.seen, self.adwin.width())) {
            trace.push((self.seen, self.adwin.width()));
        }
        PredictionDriftFindings {
            view: AdwinView {
                seen: self.seen,
                width: self.adwin.width(),
                estimation: self.adwin.estimation(),
                variance: self.adwin.variance(),
            },
            trace,
            cuts: found,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shift_is_cut_and_traced() {
        let mut w = PredictionDrift::new(Adwin::default());
        let calm = w.watch(&[0.1; 120], true);
        assert!(calm.cuts.is_empty());
        assert_eq!(calm.trace, [(50, 50.0), (100, 100.0), (120, 120.0)]);
        let shifted = w.watch(&[0.9; 200], true);
        let cut = shifted.cuts[0];
        assert!(cut.width_after < cut.width_before);
        assert!((cut.mean_before - 0.1).abs() < 1e-9, "{cut:?}");
        assert!(shifted.trace.contains(&(cut.position, cut.width_before)));
        assert_eq!(shifted.view.seen, 320);
        // without probabilities no cut is looked for
        let mut w = PredictionDrift::new(Adwin::default());
        w.watch(&[0.0; 120], false);
        assert!(w.watch(&[1.0; 200], false).cuts.is_empty());
    }
}
