//! The Page-Hinkley test, as River implements it (with a fading factor `alpha`).

use serde::{Deserialize, Serialize};

use super::{state, Detector, DetectorError, DetectorState, Params};
use crate::numeric::serde_f64;

/// Which direction of change [`PageHinkley`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhMode {
    /// Increases of the mean.
    Up,
    /// Decreases of the mean.
    Down,
    /// Both (River's default).
    Both,
}

impl PhMode {
    fn name(self) -> &'static str {
        match self {
            PhMode::Up => "up",
            PhMode::Down => "down",
            PhMode::Both => "both",
        }
    }
}

/// Page-Hinkley: with `dev = x − mean`, keeps the faded cumulative sums
/// `S⁺ = alpha·S⁺ + dev − delta` and `S⁻ = alpha·S⁻ + dev + delta` and alarms, once
/// `min_instances` values were seen, when `S⁺ − min S⁺ > threshold` (increase) or
/// `max S⁻ − S⁻ > threshold` (decrease).
///
/// Serializes to its whole state (the running minimum starts at `+∞`, written `"inf"`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageHinkley {
    min_instances: u64,
    delta: f64,
    threshold: f64,
    alpha: f64,
    mode: PhMode,
    n: f64,
    #[serde(with = "serde_f64")]
    mean: f64,
    #[serde(with = "serde_f64")]
    sum_increase: f64,
    #[serde(with = "serde_f64")]
    sum_decrease: f64,
    #[serde(with = "serde_f64")]
    min_increase: f64,
    #[serde(with = "serde_f64")]
    max_decrease: f64,
    drift: bool,
}

impl Default for PageHinkley {
    fn default() -> Self {
        PageHinkley::new(30, 0.005, 50.0, 1.0 - 0.0001, PhMode::Both)
    }
}

impl PageHinkley {
    /// Parameter names accepted by [`PageHinkley::from_params`].
    pub const PARAMS: &'static [&'static str] =
        &["min_instances", "delta", "threshold", "alpha", "mode"];

    /// A detector with explicit parameters (River's defaults: `30, 0.005, 50, 0.9999, Both`).
    pub fn new(min_instances: u64, delta: f64, threshold: f64, alpha: f64, mode: PhMode) -> Self {
        PageHinkley {
            min_instances,
            delta,
            threshold,
            alpha,
            mode,
            n: 0.0,
            mean: 0.0,
            sum_increase: 0.0,
            sum_decrease: 0.0,
            min_increase: f64::INFINITY,
            max_decrease: -1.0,
            drift: false,
        }
    }

    /// Builds from `key=value` pairs (see [`super::build`]).
    pub fn from_params(params: &[(String, String)]) -> Result<Self, DetectorError> {
        let p = Params::new("page-hinkley", Self::PARAMS, params)?;
        let min_instances = p.int("min_instances", 30, 1, 1 << 40)?;
        let delta = p.f64(
            "delta",
            0.005,
            |x| x.is_finite() && x >= 0.0,
            "a tolerated change ≥ 0",
        )?;
        let threshold = p.f64(
            "threshold",
            50.0,
            |x| x.is_finite() && x > 0.0,
            "a positive number",
        )?;
        let alpha = p.f64(
            "alpha",
            1.0 - 0.0001,
            |x| x > 0.0 && x <= 1.0,
            "a fading factor in (0, 1]",
        )?;
        let mode = match p.word("mode", "both", &["up", "down", "both"])? {
            "up" => PhMode::Up,
            "down" => PhMode::Down,
            _ => PhMode::Both,
        };
        Ok(PageHinkley::new(
            min_instances,
            delta,
            threshold,
            alpha,
            mode,
        ))
    }

    /// The faded cumulative sum for increases, `S⁺`.
    pub fn sum_increase(&self) -> f64 {
        self.sum_increase
    }
    /// The faded cumulative sum for decreases, `S⁻`.
    pub fn sum_decrease(&self) -> f64 {
        self.sum_decrease
    }
    /// The increase statistic `S⁺ − min S⁺`, compared with the threshold.
    pub fn test_increase(&self) -> f64 {
        self.sum_increase - self.min_increase
    }
    /// The decrease statistic `max S⁻ − S⁻`, compared with the threshold.
    pub fn test_decrease(&self) -> f64 {
        self.max_decrease - self.sum_decrease
    }
    /// Running mean of the input since the last reset.
    pub fn mean(&self) -> f64 {
        self.mean
    }
    /// The alarm threshold.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }
}

impl Detector for PageHinkley {
    fn update(&mut self, x: f64) -> DetectorState {
        if x.is_nan() {
            return state(self.drift, false);
        }
        if self.drift {
            self.reset();
        }
        self.n += 1.0;
        self.mean += (1.0 / self.n) * (x - self.mean);
        let dev = x - self.mean;
        self.sum_increase = self.alpha * self.sum_increase + dev - self.delta;
        self.sum_decrease = self.alpha * self.sum_decrease + dev + self.delta;
        if self.sum_increase < self.min_increase {
            self.min_increase = self.sum_increase;
        }
        if self.sum_decrease > self.max_decrease {
            self.max_decrease = self.sum_decrease;
        }
        if self.n >= self.min_instances as f64 {
            let up = self.test_increase() > self.threshold;
            let down = self.test_decrease() > self.threshold;
            self.drift = match self.mode {
                PhMode::Up => up,
                PhMode::Down => down,
                PhMode::Both => up || down,
            };
        }
        state(self.drift, false)
    }
    fn drift_detected(&self) -> bool {
        self.drift
    }
    fn warning_detected(&self) -> bool {
        false
    }
    fn reset(&mut self) {
        *self = PageHinkley::new(
            self.min_instances,
            self.delta,
            self.threshold,
            self.alpha,
            self.mode,
        );
    }
    fn name(&self) -> &'static str {
        "page-hinkley"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("min_instances", self.min_instances.to_string()),
            ("delta", self.delta.to_string()),
            ("threshold", self.threshold.to_string()),
            ("alpha", self.alpha.to_string()),
            ("mode", self.mode.name().to_owned()),
        ]
    }
}
