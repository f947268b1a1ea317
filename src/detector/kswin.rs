//! KSWIN: Kolmogorov–Smirnov windowing (Raab et al. 2020), as River implements it,
//! including River's use of Python's `random.Random(seed).sample`, reproduced here so the
//! alarm indices match River's for the same seed.

use serde::{Deserialize, Serialize};

use super::{state, Detector, DetectorError, DetectorState, Params};
use crate::drift::ks_2samp;
use crate::numeric::serde_f64;
use std::collections::VecDeque;

/// Python's Mersenne Twister (`random.Random`), enough of it for `sample`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "PyRandomState", try_from = "PyRandomState")]
struct PyRandom {
    mt: Box<[u32; 624]>,
    index: usize,
}

/// The generator's saved form: its 624 words and its position.
#[derive(Serialize, Deserialize)]
struct PyRandomState {
    mt: Vec<u32>,
    index: usize,
}

impl From<PyRandom> for PyRandomState {
    fn from(r: PyRandom) -> Self {
        PyRandomState {
            mt: r.mt.to_vec(),
            index: r.index,
        }
    }
}

impl TryFrom<PyRandomState> for PyRandom {
    type Error = String;
    fn try_from(s: PyRandomState) -> Result<Self, String> {
        let mt: Box<[u32; 624]> =
            s.mt.into_boxed_slice()
                .try_into()
                .map_err(|_| "kswin: the generator's state is not 624 words".to_owned())?;
        if s.index > 624 {
            return Err("kswin: the generator's position is past its 624 words".into());
        }
        Ok(PyRandom { mt, index: s.index })
    }
}

impl PyRandom {
    fn new(seed: u64) -> Self {
        let mut r = PyRandom {
            mt: Box::new([0u32; 624]),
            index: 624,
        };
        // random.seed(int): init_by_array over the 32-bit words of |seed|.
        let key: Vec<u32> = if seed >> 32 == 0 {
            vec![seed as u32]
        } else {
            vec![seed as u32, (seed >> 32) as u32]
        };
        r.init_genrand(19_650_218);
        let mt = &mut r.mt;
        let (mut i, mut j) = (1usize, 0usize);
        let n = 624usize;
        let mut k = n.max(key.len());
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= n {
                mt[0] = mt[n - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = n - 1;
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= n {
                mt[0] = mt[n - 1];
                i = 1;
            }
            k -= 1;
        }
        mt[0] = 0x8000_0000;
        r.index = 624;
        r
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..624 {
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(self.mt[i - 1] ^ (self.mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        self.index = 624;
    }

    fn genrand_u32(&mut self) -> u32 {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        if self.index >= 624 {
            for kk in 0..624 {
                let y = (self.mt[kk] & UPPER) | (self.mt[(kk + 1) % 624] & LOWER);
                let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
                self.mt[kk] = self.mt[(kk + 397) % 624] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// `getrandbits(k)` for `1 <= k <= 32`.
    fn getrandbits(&mut self, k: u32) -> u32 {
        self.genrand_u32() >> (32 - k)
    }

    /// `_randbelow(n)` for `n >= 1` (n < 2^32).
    fn randbelow(&mut self, n: usize) -> usize {
        let k = usize::BITS - n.leading_zeros();
        let mut r = self.getrandbits(k) as usize;
        while r >= n {
            r = self.getrandbits(k) as usize;
        }
        r
    }

    /// `random.sample(range(n), k)`.
    fn sample(&mut self, n: usize, k: usize, out: &mut Vec<usize>) {
        out.clear();
        let mut setsize = 21usize;
        if k > 5 {
            let e = (libm::log(k as f64 * 3.0) / libm::log(4.0)).ceil() as u32;
            setsize += 4usize.saturating_pow(e);
        }
        if n <= setsize {
            let mut pool: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = self.randbelow(n - i);
                out.push(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        } else {
            let mut selected = std::collections::HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.randbelow(n);
                while selected.contains(&j) {
                    j = self.randbelow(n);
                }
                selected.insert(j);
                out.push(j);
            }
        }
    }
}

/// KSWIN keeps the last `window_size` values; once the window is full it compares the
/// newest `stat_size` values with `stat_size` values drawn at random from the older part
/// by a two-sample KS test (SciPy's p-value), and alarms when `p ≤ alpha` and `D > 0.1`.
/// The draw uses Python's Mersenne Twister seeded with `seed` (re-seeded on every reset,
/// as River does), so the alarms match River's `KSWIN(seed=...)`. River's default seed is
/// `None` (random); driftlab defaults to 0 so runs are reproducible.
///
/// Serializes to its whole state (the window and the generator's words included); a state
/// whose sizes contradict each other is refused when read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "KswinState")]
pub struct Kswin {
    alpha: f64,
    window_size: usize,
    stat_size: usize,
    seed: u64,
    #[serde(with = "serde_f64::vec")]
    window: VecDeque<f64>,
    rng: PyRandom,
    #[serde(with = "serde_f64")]
    p_value: f64,
    #[serde(with = "serde_f64")]
    statistic: f64,
    n: u64,
    drift: bool,
    /// Scratch for the sample's indices (not state).
    #[serde(skip)]
    scratch: Vec<usize>,
}

/// [`Kswin`]'s saved form, checked before it becomes a detector.
#[derive(Deserialize)]
struct KswinState {
    alpha: f64,
    window_size: usize,
    stat_size: usize,
    seed: u64,
    #[serde(with = "serde_f64::vec")]
    window: Vec<f64>,
    rng: PyRandom,
    #[serde(with = "serde_f64")]
    p_value: f64,
    #[serde(with = "serde_f64")]
    statistic: f64,
    n: u64,
    drift: bool,
}

impl TryFrom<KswinState> for Kswin {
    type Error = String;
    fn try_from(s: KswinState) -> Result<Self, String> {
        if !(s.alpha > 0.0 && s.alpha < 1.0) {
            return Err("kswin: alpha is not in (0, 1)".into());
        }
        if s.stat_size == 0 || s.stat_size > s.window_size / 2 || s.window_size > 1 << 24 {
            return Err(
                "kswin: stat_size must be at least 1 and at most half of window_size".into(),
            );
        }
        if s.window.len() > s.window_size {
            return Err("kswin: the window holds more than window_size values".into());
        }
        Ok(Kswin {
            alpha: s.alpha,
            window_size: s.window_size,
            stat_size: s.stat_size,
            seed: s.seed,
            window: s.window.into(),
            rng: s.rng,
            p_value: s.p_value,
            statistic: s.statistic,
            n: s.n,
            drift: s.drift,
            scratch: Vec::with_capacity(s.stat_size),
        })
    }
}

impl Default for Kswin {
    fn default() -> Self {
        Kswin::new(0.005, 100, 30, 0)
    }
}

impl Kswin {
    /// Parameter names accepted by [`Kswin::from_params`].
    pub const PARAMS: &'static [&'static str] = &["alpha", "window_size", "stat_size", "seed"];

    /// A detector with explicit parameters (River's defaults `0.005, 100, 30`; seed 0).
    /// `window_size` is raised to at least 2 and `stat_size` kept in `[1, window_size − 1]`;
    /// use [`Kswin::from_params`] for checked input.
    pub fn new(alpha: f64, window_size: usize, stat_size: usize, seed: u64) -> Self {
        let window_size = window_size.max(2);
        let stat_size = stat_size.clamp(1, window_size - 1);
        Kswin {
            alpha,
            window_size,
            stat_size,
            seed,
            window: VecDeque::with_capacity(window_size),
            rng: PyRandom::new(seed),
            p_value: 0.0,
            statistic: 0.0,
            n: 0,
            drift: false,
            scratch: Vec::with_capacity(stat_size),
        }
    }

    /// Builds from `key=value` pairs (see [`super::build`]).
    pub fn from_params(params: &[(String, String)]) -> Result<Self, DetectorError> {
        let p = Params::new("kswin", Self::PARAMS, params)?;
        let alpha = p.f64(
            "alpha",
            0.005,
            |x| x > 0.0 && x < 1.0,
            "a p-value threshold between 0 and 1 (exclusive)",
        )?;
        let window_size = p.int("window_size", 100, 2, 1 << 24)? as usize;
        let stat_size = p.int("stat_size", 30, 1, 1 << 24)? as usize;
        if stat_size >= window_size {
            return Err(p.invalid_combo(
                "stat_size",
                stat_size.to_string(),
                &format!("must be smaller than window_size ({window_size})"),
            ));
        }
        if stat_size > window_size - stat_size {
            return Err(p.invalid_combo(
                "stat_size",
                stat_size.to_string(),
                &format!("must be at most half of window_size ({window_size}) so the older part can supply the sample"),
            ));
        }
        let seed = p.int("seed", 0, 0, u64::MAX)?;
        Ok(Kswin::new(alpha, window_size, stat_size, seed))
    }

    /// p-value of the last KS test (0 before the window is first full).
    pub fn p_value(&self) -> f64 {
        self.p_value
    }
    /// KS statistic of the last test.
    pub fn statistic(&self) -> f64 {
        self.statistic
    }
    /// Values currently in the window.
    pub fn window_len(&self) -> usize {
        self.window.len()
    }
}

impl Detector for Kswin {
    fn update(&mut self, x: f64) -> DetectorState {
        if x.is_nan() {
            return state(self.drift, false);
        }
        if self.drift {
            self.reset();
        }
        self.n += 1;
        if self.window.len() == self.window_size {
            self.window.pop_front();
        }
        self.window.push_back(x);
        self.drift = false;
        if self.window.len() >= self.window_size {
            let older = self.window_size - self.stat_size;
            let mut idx = std::mem::take(&mut self.scratch);
            self.rng.sample(older, self.stat_size, &mut idx);
            let rnd: Vec<f64> = idx.iter().map(|&i| self.window[i]).collect();
            self.scratch = idx;
            let recent: Vec<f64> = self.window.iter().skip(older).copied().collect();
            if let Ok(r) = ks_2samp(&rnd, &recent) {
                self.p_value = r.p_value;
                self.statistic = r.statistic;
                if r.p_value <= self.alpha && r.statistic > 0.1 {
                    self.drift = true;
                    self.window = recent.into_iter().collect();
                }
            }
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
        *self = Kswin::new(self.alpha, self.window_size, self.stat_size, self.seed);
    }
    fn name(&self) -> &'static str {
        "kswin"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("alpha", self.alpha.to_string()),
            ("window_size", self.window_size.to_string()),
            ("stat_size", self.stat_size.to_string()),
            ("seed", self.seed.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::PyRandom;

    #[test]
    fn matches_python_random() {
        // random.Random(42).getrandbits(32) == 2746317213
        let mut r = PyRandom::new(42);
        assert_eq!(r.genrand_u32(), 2_746_317_213);
    }
}
