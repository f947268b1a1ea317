//! ADWIN (Bifet & Gavaldà 2007), ADWIN2 bucket compression, as River implements it.

use serde::{Deserialize, Serialize};

use super::{state, Detector, DetectorError, DetectorState, Params};
use crate::numeric::serde_f64;

#[derive(Debug, Clone)]
struct Bucket {
    len: usize,
    totals: Vec<f64>,
    variances: Vec<f64>,
}

impl Bucket {
    fn new(max_buckets: usize) -> Self {
        Bucket {
            len: 0,
            totals: vec![0.0; max_buckets + 1],
            variances: vec![0.0; max_buckets + 1],
        }
    }

    fn insert(&mut self, total: f64, variance: f64) {
        if self.len < self.totals.len() {
            self.totals[self.len] = total;
            self.variances[self.len] = variance;
            self.len += 1;
        }
    }

    fn compress(&mut self, k: usize) {
        let k = k.min(self.len);
        self.totals.copy_within(k..self.len, 0);
        self.variances.copy_within(k..self.len, 0);
        for i in (self.len - k)..self.len {
            self.totals[i] = 0.0;
            self.variances[i] = 0.0;
        }
        self.len -= k;
    }
}

/// ADaptive WINdowing: keeps a window of recent values, compressed into exponential
/// buckets, and drops the oldest part whenever two sub-windows have means that differ by
/// more than the Hoeffding-style bound for confidence `delta`. Checks every `clock`
/// updates once more than `grace_period` values are in the window; sub-windows shorter
/// than `min_window_length` are not compared. As in River, an alarm discards the whole
/// window on the next update.
///
/// Serializes to its whole state (parameters, sums, the buckets' totals and variances,
/// the clock's tick, the flag), so a saved detector continues bit for bit; a state that
/// breaks ADWIN's invariants is refused when read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "AdwinState", try_from = "AdwinState")]
pub struct Adwin {
    delta: f64,
    clock: u64,
    max_buckets: usize,
    min_window_length: f64,
    grace_period: f64,
    total: f64,
    variance: f64,
    width: f64,
    tick: u64,
    n_detections: u64,
    buckets: Vec<Bucket>,
    drift: bool,
}

impl Default for Adwin {
    fn default() -> Self {
        Adwin::new(0.002, 32, 5, 5, 10)
    }
}

impl Adwin {
    /// Parameter names accepted by [`Adwin::from_params`].
    pub const PARAMS: &'static [&'static str] = &[
        "delta",
        "clock",
        "max_buckets",
        "min_window_length",
        "grace_period",
    ];

    /// A detector with explicit parameters (River's defaults: `0.002, 32, 5, 5, 10`).
    /// Out-of-range values are clamped to the nearest valid one (`clock ≥ 1`,
    /// `max_buckets ≥ 1`); use [`Adwin::from_params`] for checked input.
    pub fn new(
        delta: f64,
        clock: u64,
        max_buckets: usize,
        min_window_length: u64,
        grace_period: u64,
    ) -> Self {
        let max_buckets = max_buckets.max(1);
        Adwin {
            delta,
            clock: clock.max(1),
            max_buckets,
            min_window_length: min_window_length as f64,
            grace_period: grace_period as f64,
            total: 0.0,
            variance: 0.0,
            width: 0.0,
            tick: 0,
            n_detections: 0,
            buckets: vec![Bucket::new(max_buckets)],
            drift: false,
        }
    }

    /// Builds from `key=value` pairs (see [`super::build`]).
    pub fn from_params(params: &[(String, String)]) -> Result<Self, DetectorError> {
        let p = Params::new("adwin", Self::PARAMS, params)?;
        let delta = p.f64(
            "delta",
            0.002,
            |x| x > 0.0 && x < 1.0,
            "a confidence between 0 and 1 (exclusive)",
        )?;
        let clock = p.int("clock", 32, 1, 1 << 32)?;
        let max_buckets = p.int("max_buckets", 5, 1, 1 << 16)?;
        let min_window_length = p.int("min_window_length", 5, 1, 1 << 32)?;
        let grace_period = p.int("grace_period", 10, 0, 1 << 32)?;
        Ok(Adwin::new(
            delta,
            clock,
            max_buckets as usize,
            min_window_length,
            grace_period,
        ))
    }

    /// Number of values in the current window.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Mean of the current window (0 when empty).
    pub fn estimation(&self) -> f64 {
        if self.width == 0.0 {
            0.0
        } else {
            self.total / self.width
        }
    }

    /// Sum of the values in the window.
    pub fn total(&self) -> f64 {
        self.total
    }

    /// Variance of the values in the window (sum of squared deviations / width).
    pub fn variance(&self) -> f64 {
        if self.width == 0.0 {
            0.0
        } else {
            self.variance / self.width
        }
    }

    /// Changes detected since the last reset (at most 1 with River's auto-reset).
    pub fn n_detections(&self) -> u64 {
        self.n_detections
    }

    fn insert_element(&mut self, value: f64) {
        self.buckets[0].insert(value, 0.0);
        self.width += 1.0;
        let mut inc = 0.0;
        if self.width > 1.0 {
            let d = value - self.total / (self.width - 1.0);
            inc = (self.width - 1.0) * d * d / self.width;
        }
        self.variance += inc;
        self.total += value;
        self.compress_buckets();
    }

    fn compress_buckets(&mut self) {
        let mut idx = 0usize;
        while idx < self.buckets.len() && self.buckets[idx].len == self.max_buckets + 1 {
            let n1 = 2f64.powi(idx as i32);
            let b = &self.buckets[idx];
            let (t0, t1, v0, v1) = (b.totals[0], b.totals[1], b.variances[0], b.variances[1]);
            let mu1 = t0 / n1;
            let mu2 = t1 / n1;
            let temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
            if idx + 1 >= self.buckets.len() {
                self.buckets.push(Bucket::new(self.max_buckets));
            }
            self.buckets[idx + 1].insert(t0 + t1, v0 + v1 + temp);
            self.buckets[idx].compress(2);
            if self.buckets[idx + 1].len <= self.max_buckets {
                break;
            }
            idx += 1;
        }
    }

    fn delete_element(&mut self) {
        let last = self.buckets.len() - 1;
        let n = 2f64.powi(last as i32);
        let (u, v) = (
            self.buckets[last].totals[0],
            self.buckets[last].variances[0],
        );
        let mu = u / n;
        self.width -= n;
        self.total -= u;
        let mu_window = self.total / self.width;
        let inc = v + n * self.width * (mu - mu_window) * (mu - mu_window) / (n + self.width);
        self.variance -= inc;
        self.buckets[last].compress(1);
        if self.buckets[last].len == 0 && self.buckets.len() > 1 {
            self.buckets.pop();
        }
    }

    fn evaluate_cut(&self, n0: f64, n1: f64, delta_mean: f64) -> bool {
        let delta_prime = libm::log(2.0 * libm::log(self.width) / self.delta);
        let m_recip =
            1.0 / (n0 - self.min_window_length + 1.0) + 1.0 / (n1 - self.min_window_length + 1.0);
        let epsilon = (2.0 * m_recip * (self.variance / self.width) * delta_prime).sqrt()
            + 2.0 / 3.0 * delta_prime * m_recip;
        delta_mean.abs() > epsilon
    }

    fn detect_change(&mut self) -> bool {
        let mut change = false;
        self.tick += 1;
        if self.tick.is_multiple_of(self.clock) && self.width > self.grace_period {
            let mut reduce = true;
            while reduce {
                reduce = false;
                let mut exit = false;
                let (mut n0, mut n1, mut u0, mut u1) = (0.0f64, self.width, 0.0f64, self.total);
                'outer: for idx in (0..self.buckets.len()).rev() {
                    if exit {
                        break;
                    }
                    let size = 2f64.powi(idx as i32);
                    let len = self.buckets[idx].len;
                    for k in 0..len {
                        n0 += size;
                        n1 -= size;
                        let t = self.buckets[idx].totals[k];
                        u0 += t;
                        u1 -= t;
                        if idx == 0 && k == len - 1 {
                            exit = true;
                            break;
                        }
                        let delta_mean = u0 / n0 - u1 / n1;
                        if n1 >= self.min_window_length
                            && n0 >= self.min_window_length
                            && self.evaluate_cut(n0, n1, delta_mean)
                        {
                            reduce = true;
                            change = true;
                            if self.width > 0.0 {
                                self.delete_element();
                                break 'outer;
                            }
                        }
                    }
                }
            }
        }
        if change {
            self.n_detections += 1;
        }
        change
    }
}

/// ADWIN's saved form: each bucket row holds only its filled slots.
#[derive(Serialize, Deserialize)]
struct AdwinState {
    delta: f64,
    clock: u64,
    max_buckets: usize,
    min_window_length: f64,
    grace_period: f64,
    #[serde(with = "serde_f64")]
    total: f64,
    #[serde(with = "serde_f64")]
    variance: f64,
    width: f64,
    tick: u64,
    n_detections: u64,
    /// `[totals, variances]` of each row of buckets, oldest row last.
    buckets: Vec<[BucketRow; 2]>,
    drift: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct BucketRow(#[serde(with = "serde_f64::vec")] Vec<f64>);

impl From<Adwin> for AdwinState {
    fn from(a: Adwin) -> Self {
        AdwinState {
            delta: a.delta,
            clock: a.clock,
            max_buckets: a.max_buckets,
            min_window_length: a.min_window_length,
            grace_period: a.grace_period,
            total: a.total,
            variance: a.variance,
            width: a.width,
            tick: a.tick,
            n_detections: a.n_detections,
            buckets: a
                .buckets
                .iter()
                .map(|b| {
                    [
                        BucketRow(b.totals[..b.len].to_vec()),
                        BucketRow(b.variances[..b.len].to_vec()),
                    ]
                })
                .collect(),
            drift: a.drift,
        }
    }
}

impl TryFrom<AdwinState> for Adwin {
    type Error = String;
    fn try_from(s: AdwinState) -> Result<Self, String> {
        let bad = |what: &str| Err(format!("adwin: {what}"));
        if !(s.delta > 0.0 && s.delta < 1.0) {
            return bad("delta is not in (0, 1)");
        }
        if s.clock == 0 || !(1..=1 << 16).contains(&s.max_buckets) {
            return bad("clock and max_buckets must be at least 1");
        }
        let whole = |x: f64| x.is_finite() && x >= 0.0 && x.fract() == 0.0;
        if !(whole(s.width) && whole(s.min_window_length) && whole(s.grace_period)) {
            return bad("width, min_window_length and grace_period must be whole numbers");
        }
        if s.buckets.is_empty() {
            return bad("no bucket row");
        }
        let mut buckets = Vec::with_capacity(s.buckets.len());
        for [totals, variances] in s.buckets {
            let len = totals.0.len();
            if variances.0.len() != len || len > s.max_buckets + 1 {
                return bad("a bucket row has more buckets than max_buckets + 1, or its totals and variances differ in number");
            }
            let mut b = Bucket::new(s.max_buckets);
            for (t, v) in totals.0.into_iter().zip(variances.0) {
                b.insert(t, v);
            }
            buckets.push(b);
        }
        Ok(Adwin {
            delta: s.delta,
            clock: s.clock,
            max_buckets: s.max_buckets,
            min_window_length: s.min_window_length,
            grace_period: s.grace_period,
            total: s.total,
            variance: s.variance,
            width: s.width,
            tick: s.tick,
            n_detections: s.n_detections,
            buckets,
            drift: s.drift,
        })
    }
}

impl Detector for Adwin {
    fn update(&mut self, x: f64) -> DetectorState {
        if x.is_nan() {
            return state(self.drift, false);
        }
        if self.drift {
            self.reset();
        }
        self.insert_element(x);
        self.drift = self.detect_change();
        state(self.drift, false)
    }
    fn drift_detected(&self) -> bool {
        self.drift
    }
    fn warning_detected(&self) -> bool {
        false
    }
    fn reset(&mut self) {
        *self = Adwin::new(
            self.delta,
            self.clock,
            self.max_buckets,
            self.min_window_length as u64,
            self.grace_period as u64,
        );
    }
    fn name(&self) -> &'static str {
        "adwin"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("delta", self.delta.to_string()),
            ("clock", self.clock.to_string()),
            ("max_buckets", self.max_buckets.to_string()),
            ("min_window_length", self.min_window_length.to_string()),
            ("grace_period", self.grace_period.to_string()),
        ]
    }
}
