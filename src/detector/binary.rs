//! Binary error-rate detectors: DDM and EDDM. Input 1 means an error, 0 a correct
//! prediction.

use serde::{Deserialize, Serialize};

use super::{state, Detector, DetectorError, DetectorState, Params};
use crate::numeric::serde_f64;

/// River's running mean: `n += 1; mean += (1/n)(x − mean)`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Mean {
    n: f64,
    #[serde(with = "serde_f64")]
    mean: f64,
}

impl Mean {
    fn update(&mut self, x: f64) {
        self.n += 1.0;
        self.mean += (1.0 / self.n) * (x - self.mean);
    }
}

/// Drift Detection Method (Gama et al. 2004). Tracks the error rate `p` and its standard
/// deviation `s = sqrt(p(1−p)/n)`; after `warm_start` values it remembers the minimum of
/// `p + s`, warns when `p + s > p_min + warning_threshold · s_min` and alarms when
/// `p + s > p_min + drift_threshold · s_min`. The mean is fed the raw input, as River does,
/// so use 1 for an error and 0 for a correct prediction.
///
/// Serializes to its whole state (`p_min` is NaN before the warm start, written `null`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ddm {
    warm_start: u64,
    warning_threshold: f64,
    drift_threshold: f64,
    p: Mean,
    #[serde(with = "serde_f64")]
    s: f64,
    #[serde(with = "serde_f64")]
    p_min: f64,
    #[serde(with = "serde_f64")]
    s_min: f64,
    #[serde(with = "serde_f64")]
    ps_min: f64,
    drift: bool,
    warning: bool,
}

impl Default for Ddm {
    fn default() -> Self {
        Ddm::new(30, 2.0, 3.0)
    }
}

impl Ddm {
    /// Parameter names accepted by [`Ddm::from_params`].
    pub const PARAMS: &'static [&'static str] =
        &["warm_start", "warning_threshold", "drift_threshold"];

    /// A detector with explicit parameters (River's defaults: `30, 2.0, 3.0`).
    pub fn new(warm_start: u64, warning_threshold: f64, drift_threshold: f64) -> Self {
        Ddm {
            warm_start,
            warning_threshold,
            drift_threshold,
            p: Mean::default(),
            s: 0.0,
            p_min: f64::NAN,
            s_min: f64::NAN,
            ps_min: f64::INFINITY,
            drift: false,
            warning: false,
        }
    }

    /// Builds from `key=value` pairs (see [`super::build`]).
    pub fn from_params(params: &[(String, String)]) -> Result<Self, DetectorError> {
        let p = Params::new("ddm", Self::PARAMS, params)?;
        let warm = p.int("warm_start", 30, 0, 1 << 40)?;
        let w = p.f64(
            "warning_threshold",
            2.0,
            |x| x.is_finite() && x > 0.0,
            "a positive number of standard deviations",
        )?;
        let d = p.f64(
            "drift_threshold",
            3.0,
            |x| x.is_finite() && x > 0.0,
            "a positive number of standard deviations",
        )?;
        if d < w {
            return Err(p.invalid_combo(
                "drift_threshold",
                d.to_string(),
                "must be at least warning_threshold",
            ));
        }
        Ok(Ddm::new(warm, w, d))
    }

    /// Current error rate `p`.
    pub fn p(&self) -> f64 {
        self.p.mean
    }
    /// Current `s = sqrt(p(1−p)/n)`.
    pub fn s(&self) -> f64 {
        self.s
    }
    /// Current `p + s`.
    pub fn ps(&self) -> f64 {
        self.p.mean + self.s
    }
    /// The warning band `p_min + warning_threshold · s_min` (NaN before the warm start).
    pub fn warning_level(&self) -> f64 {
        self.p_min + self.warning_threshold * self.s_min
    }
    /// The drift band `p_min + drift_threshold · s_min` (NaN before the warm start).
    pub fn drift_level(&self) -> f64 {
        self.p_min + self.drift_threshold * self.s_min
    }
    /// Values seen since the last reset.
    pub fn n(&self) -> f64 {
        self.p.n
    }
    /// Standard deviations above the minimum that warn.
    pub fn warning_threshold(&self) -> f64 {
        self.warning_threshold
    }
    /// Standard deviations above the minimum that alarm.
    pub fn drift_threshold(&self) -> f64 {
        self.drift_threshold
    }
}

impl Detector for Ddm {
    fn update(&mut self, x: f64) -> DetectorState {
        if x.is_nan() {
            return state(self.drift, self.warning);
        }
        if self.drift {
            self.reset();
        }
        self.p.update(x);
        let p_i = self.p.mean;
        let n = self.p.n;
        let s_i = (p_i * (1.0 - p_i) / n).sqrt();
        self.s = s_i;
        if n > self.warm_start as f64 {
            if p_i + s_i <= self.ps_min {
                self.p_min = p_i;
                self.s_min = s_i;
                self.ps_min = self.p_min + self.s_min;
            }
            self.warning = p_i + s_i > self.p_min + self.warning_threshold * self.s_min;
            if p_i + s_i > self.p_min + self.drift_threshold * self.s_min {
                self.drift = true;
                self.warning = false;
            }
        }
        state(self.drift, self.warning)
    }
    fn drift_detected(&self) -> bool {
        self.drift
    }
    fn warning_detected(&self) -> bool {
        self.warning
    }
    fn reset(&mut self) {
        *self = Ddm::new(
            self.warm_start,
            self.warning_threshold,
            self.drift_threshold,
        );
    }
    fn name(&self) -> &'static str {
        "ddm"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("warm_start", self.warm_start.to_string()),
            ("warning_threshold", self.warning_threshold.to_string()),
            ("drift_threshold", self.drift_threshold.to_string()),
        ]
    }
}

/// Early Drift Detection Method (Baena-García et al. 2006). Watches the distance between
/// consecutive errors (inputs equal to 1): with `p'` and `s'` their mean and standard
/// deviation, it tracks the maximum of `p' + 2s'` and, once more than `warm_start` errors
/// were seen, warns when the ratio to that maximum falls below `alpha` and alarms below
/// `beta`.
///
/// Serializes to its whole state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Eddm {
    warm_start: u64,
    alpha: f64,
    beta: f64,
    dist: Mean,
    #[serde(with = "serde_f64")]
    dist_s: f64,
    n: u64,
    last_error: u64,
    n_errors: u64,
    #[serde(with = "serde_f64")]
    p2s_max: f64,
    drift: bool,
    warning: bool,
}

impl Default for Eddm {
    fn default() -> Self {
        Eddm::new(30, 0.95, 0.9)
    }
}

impl Eddm {
    /// Parameter names accepted by [`Eddm::from_params`].
    pub const PARAMS: &'static [&'static str] = &["warm_start", "alpha", "beta"];

    /// A detector with explicit parameters (River's defaults: `30, 0.95, 0.9`).
    pub fn new(warm_start: u64, alpha: f64, beta: f64) -> Self {
        Eddm {
            warm_start,
            alpha,
            beta,
            dist: Mean::default(),
            dist_s: 0.0,
            n: 0,
            last_error: 0,
            n_errors: 0,
            p2s_max: -1.0,
            drift: false,
            warning: false,
        }
    }

    /// Builds from `key=value` pairs (see [`super::build`]).
    pub fn from_params(params: &[(String, String)]) -> Result<Self, DetectorError> {
        let p = Params::new("eddm", Self::PARAMS, params)?;
        let warm = p.int("warm_start", 30, 0, 1 << 40)?;
        let alpha = p.f64("alpha", 0.95, |x| x > 0.0 && x <= 1.0, "a ratio in (0, 1]")?;
        let beta = p.f64("beta", 0.9, |x| x > 0.0 && x <= 1.0, "a ratio in (0, 1]")?;
        if alpha < beta {
            return Err(p.invalid_combo(
                "alpha",
                alpha.to_string(),
                "alpha must be greater than or equal to beta",
            ));
        }
        Ok(Eddm::new(warm, alpha, beta))
    }

    /// Mean distance between consecutive errors.
    pub fn mean_distance(&self) -> f64 {
        self.dist.mean
    }
    /// Standard deviation of the distance between errors.
    pub fn std_distance(&self) -> f64 {
        let var = if self.dist.n > 1.0 {
            self.dist_s / (self.dist.n - 1.0)
        } else {
            0.0
        };
        var.sqrt()
    }
    /// The largest `p' + 2s'` seen (−1 before the first).
    pub fn max_level(&self) -> f64 {
        self.p2s_max
    }
}

impl Detector for Eddm {
    fn update(&mut self, x: f64) -> DetectorState {
        if x.is_nan() {
            return state(self.drift, self.warning);
        }
        if self.drift {
            self.reset();
        }
        self.n += 1;
        if x == 1.0 {
            self.n_errors += 1;
            // (saturating: a restored state may say anything)
            let d = self.n.saturating_sub(self.last_error) as f64;
            let old = self.dist.mean;
            self.dist.update(d);
            self.dist_s += (d - old) * (d - self.dist.mean);
            if self.n > self.warm_start {
                let p2s = self.dist.mean + 2.0 * self.std_distance();
                if p2s > self.p2s_max {
                    self.p2s_max = p2s;
                } else if self.n_errors > self.warm_start {
                    let level = p2s / self.p2s_max;
                    if level < self.beta {
                        self.drift = true;
                    } else {
                        self.warning = level < self.alpha;
                    }
                }
            }
            self.last_error = self.n;
        }
        state(self.drift, self.warning)
    }
    fn drift_detected(&self) -> bool {
        self.drift
    }
    fn warning_detected(&self) -> bool {
        self.warning
    }
    fn reset(&mut self) {
        *self = Eddm::new(self.warm_start, self.alpha, self.beta);
    }
    fn name(&self) -> &'static str {
        "eddm"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("warm_start", self.warm_start.to_string()),
            ("alpha", self.alpha.to_string()),
            ("beta", self.beta.to_string()),
        ]
    }
}
