//! The error rate: DDM fed every labelled row's error (1 = wrong), raising `error_rate`
//! when the rate rises past its drift level.

use serde::{Deserialize, Serialize};

use crate::detector::{Ddm, Detector};

use super::alarms::ErrorRateFinding;

/// DDM's insides after an update: `p + s` against the warning and drift bands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
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

/// The watcher: DDM and the rows fed to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ErrorRate {
    ddm: Ddm,
    seen: u64,
}

impl ErrorRate {
    pub(super) fn new(ddm: Ddm) -> Self {
        ErrorRate { ddm, seen: 0 }
    }

    /// Values fed so far.
    pub(super) fn seen(&self) -> u64 {
        self.seen
    }

    pub(super) fn detector(&self) -> &Ddm {
        &self.ddm
    }

    /// Feeds one error per row (`true` = wrong); returns DDM's alarms.
    pub(super) fn watch(
        &mut self,
        errors: impl IntoIterator<Item = bool>,
    ) -> Vec<ErrorRateFinding> {
        let mut found = Vec::new();
        for wrong in errors {
            self.ddm.update(f64::from(u8::from(wrong)));
            self.seen += 1;
            if self.ddm.drift_detected() {
                found.push(ErrorRateFinding {
                    position: self.seen - 1,
                    p: self.ddm.p(),
                    n: self.ddm.n(),
                    drift_level: self.ddm.drift_level(),
                    p_min: self.p_min(),
                });
            }
        }
        found
    }

    /// The lowest error rate DDM remembers, read back from its bands:
    /// `drift_level = p_min + t·s_min` and `warning_level = p_min + w·s_min`.
    fn p_min(&self) -> f64 {
        let (d, w) = (self.ddm.drift_level(), self.ddm.warning_level());
        let (td, tw) = (self.ddm.drift_threshold(), self.ddm.warning_threshold());
        if td > tw {
            let s_min = (d - w) / (td - tw);
            d - td * s_min
        } else {
            f64::NAN
        }
    }

    /// DDM after the last update.
    pub(super) fn view(&self) -> DdmView {
        let finite = |x: f64| x.is_finite().then_some(x);
        DdmView {
            seen: self.seen,
            n: self.ddm.n(),
            p: self.ddm.p(),
            s: self.ddm.s(),
            ps: self.ddm.ps(),
            warning_level: finite(self.ddm.warning_level()),
            drift_level: finite(self.ddm.drift_level()),
            warning: self.ddm.warning_detected(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_error_rate_alarms_with_its_figures() {
        let mut w = ErrorRate::new(Ddm::new(100, 2.0, 3.0));
        let calm = (0..2_000).map(|i| i % 50 == 0);
        assert!(w.watch(calm).is_empty());
        assert!(w.view().drift_level.is_some());
        let found = w.watch((0..2_000).map(|i| i % 4 == 0));
        let first = found.first().expect("DDM alarms");
        assert!(
            first.p > first.p_min && first.p > 0.02,
            "{} {}",
            first.p,
            first.p_min
        );
        // p_min read back from the bands is the one DDM keeps, to rounding
        assert!((first.p_min - 0.02).abs() < 0.01, "{}", first.p_min);
        assert_eq!(w.view().seen, 4_000);
    }
}
