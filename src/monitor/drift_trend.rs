//! The drift trend: Page-Hinkley fed each batch's share of drifted features, so that a
//! lasting input shift raises `drift_trend` where one drifted batch would be a blip.

use serde::{Deserialize, Serialize};

use crate::detector::{Detector, PageHinkley};

/// Page-Hinkley's insides after an update.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
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

/// The watcher: Page-Hinkley and the batches fed to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct DriftTrend {
    page_hinkley: PageHinkley,
    seen: u64,
}

impl DriftTrend {
    pub(super) fn new(page_hinkley: PageHinkley) -> Self {
        DriftTrend {
            page_hinkley,
            seen: 0,
        }
    }

    /// Values fed so far.
    pub(super) fn seen(&self) -> u64 {
        self.seen
    }

    pub(super) fn detector(&self) -> &PageHinkley {
        &self.page_hinkley
    }

    /// Feeds one batch's share of drifted features (a share that is not finite counts as
    /// 0); returns Page-Hinkley's state and whether it alarmed.
    pub(super) fn watch(&mut self, drift_share: f64) -> (PageHinkleyView, bool) {
        let x = if drift_share.is_finite() {
            drift_share
        } else {
            0.0
        };
        self.page_hinkley.update(x);
        self.seen += 1;
        let view = PageHinkleyView {
            seen: self.seen,
            value: x,
            mean: self.page_hinkley.mean(),
            test_increase: self.page_hinkley.test_increase(),
            threshold: self.page_hinkley.threshold(),
        };
        (view, self.page_hinkley.drift_detected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lasting_shift_alarms_and_a_blip_does_not() {
        let ph = || {
            PageHinkley::from_params(&[
                ("min_instances".into(), "5".into()),
                ("delta".into(), "0.05".into()),
                ("threshold".into(), "1".into()),
                ("mode".into(), "up".into()),
            ])
            .unwrap()
        };
        let mut blip = DriftTrend::new(ph());
        let alarms = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
            .iter()
            .filter(|&&x| blip.watch(x).1)
            .count();
        assert_eq!(alarms, 0);
        let mut lasting = DriftTrend::new(ph());
        let first = [0.0, 0.0, 0.0, 0.0, 0.0, 0.6, 0.6, 0.6, 0.6, 0.6]
            .iter()
            .position(|&x| lasting.watch(x).1);
        assert!(first.is_some_and(|i| i > 5), "{first:?}");
        let (view, _) = lasting.watch(f64::NAN);
        assert_eq!(view.value, 0.0);
    }
}
