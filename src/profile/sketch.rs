//! A small mergeable quantile sketch: a merging t-digest (Dunning's k₁ scale function,
//! `δ/(2π)·asin(2q − 1)`) over finite values, with the exact min and max kept beside it.
//!
//! Positions follow NumPy's linear quantile: a centroid of weight `w` starting after `s`
//! values sits at position `s + (w − 1)/2` in `0..n−1`, so a sketch of singletons (fewer
//! values than the compression allows) gives NumPy's quantiles exactly.

use serde::{Deserialize, Serialize};

/// A mergeable summary of a distribution of finite numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Sketch {
    /// Values summarised.
    pub count: u64,
    /// Smallest value (0 when empty).
    pub min: f64,
    /// Largest value (0 when empty).
    pub max: f64,
    /// `[mean, weight]` pairs, sorted by mean.
    pub centroids: Vec<[f64; 2]>,
}

/// Compression δ: a sketch keeps at most about δ/2 centroids (plus singletons at the tails).
pub const DELTA: f64 = 200.0;

impl Sketch {
    /// Summarises sorted finite values.
    pub fn from_sorted(sorted: &[f64]) -> Sketch {
        let centroids = sorted.iter().map(|&x| [x, 1.0]).collect();
        Sketch {
            count: sorted.len() as u64,
            min: sorted.first().copied().unwrap_or(0.0),
            max: sorted.last().copied().unwrap_or(0.0),
            centroids: compress(centroids),
        }
    }

    /// Summarises sorted finite values as [`from_sorted`](Self::from_sorted) does (the same
    /// k₁ size bound, so the same accuracy), computing the bound once per centroid instead
    /// of once per value: the inverse of the scale function gives the last quantile a
    /// centroid may reach. The edge scorer sketches its traffic with it, in the request
    /// path: on 2,048 values per column it is several times faster (one `asin` and one
    /// `sin` per centroid, about 100, instead of one `asin` per value). The centroids can
    /// differ from `from_sorted`'s where a value falls on a bound in floating point; the
    /// artifact's profiles keep `from_sorted`, so their bytes do not change.
    pub fn from_sorted_bounded(sorted: &[f64]) -> Sketch {
        let n = sorted.len();
        let (min, max) = (
            sorted.first().copied().unwrap_or(0.0),
            sorted.last().copied().unwrap_or(0.0),
        );
        if n as f64 <= DELTA {
            return Sketch::from_sorted(sorted);
        }
        let total = n as f64;
        let limit = |before: f64| {
            let k = scale(before / total) + 1.0;
            // q where the scale function reaches k (k beyond δ/4 is past the end)
            let x = (2.0 * std::f64::consts::PI * k / DELTA).min(std::f64::consts::FRAC_PI_2);
            // x is within ±π/2 (k₁ is within ±δ/4), where `sin_as_libm` is `libm::sin`
            // without the reduction of large arguments, which the edge scorer cannot spare
            (crate::prep::sin::sin_as_libm(x) + 1.0) / 2.0 * total
        };
        let mut centroids: Vec<[f64; 2]> = Vec::with_capacity(DELTA as usize);
        let mut before = 0.0;
        let mut bound = limit(before);
        let (mut sum, mut weight) = (0.0, 0.0);
        for &x in sorted {
            if weight > 0.0 && before + weight + 1.0 > bound {
                centroids.push([sum / weight, weight]);
                before += weight;
                bound = limit(before);
                sum = 0.0;
                weight = 0.0;
            }
            sum += x;
            weight += 1.0;
        }
        if weight > 0.0 {
            centroids.push([sum / weight, weight]);
        }
        Sketch {
            count: n as u64,
            min,
            max,
            centroids,
        }
    }

    /// The sketch of both inputs together.
    pub fn merge(&self, other: &Sketch) -> Sketch {
        if other.count == 0 {
            return self.clone();
        }
        if self.count == 0 {
            return other.clone();
        }
        let mut all: Vec<[f64; 2]> = self
            .centroids
            .iter()
            .chain(&other.centroids)
            .copied()
            .collect();
        all.sort_by(|a, b| a[0].total_cmp(&b[0]));
        Sketch {
            count: self.count + other.count,
            min: self.min.min(other.min),
            max: self.max.max(other.max),
            centroids: compress(all),
        }
    }

    /// The `(position, value)` knots of the piecewise-linear quantile function.
    fn knots(&self) -> Vec<(f64, f64)> {
        let n = self.centroids.iter().map(|c| c[1]).sum::<f64>();
        let mut knots = Vec::with_capacity(self.centroids.len() + 2);
        knots.push((0.0, self.min));
        let mut before = 0.0;
        for c in &self.centroids {
            let pos = before + (c[1] - 1.0).max(0.0) / 2.0;
            if pos > knots.last().map_or(-1.0, |k| k.0) {
                knots.push((pos, c[0].clamp(self.min, self.max)));
            }
            before += c[1];
        }
        let last = (n - 1.0).max(0.0);
        if last > knots.last().map_or(-1.0, |k| k.0) {
            knots.push((last, self.max));
        } else if let Some(k) = knots.last_mut() {
            k.1 = self.max;
        }
        knots
    }

    /// The estimated `q`-quantile (`q` clamped to [0, 1]); 0 for an empty sketch.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 || q.is_nan() {
            return 0.0;
        }
        let knots = self.knots();
        let n: f64 = self.centroids.iter().map(|c| c[1]).sum();
        let p = q.clamp(0.0, 1.0) * (n - 1.0).max(0.0);
        interpolate(&knots, p, |k| k.0, |k| k.1)
    }

    /// `m` values read off the quantile function at evenly spaced levels `i / (m − 1)`: a
    /// stand-in sample of the distribution (the knots are built once). When the sketch
    /// holds every value (at most [`DELTA`] of them) and `m` is the count, these are the
    /// values themselves, in order. Empty for an empty sketch.
    pub fn sample(&self, m: usize) -> Vec<f64> {
        if self.count == 0 || m == 0 {
            return Vec::new();
        }
        let knots = self.knots();
        let last = (self.centroids.iter().map(|c| c[1]).sum::<f64>() - 1.0).max(0.0);
        let step = if m > 1 { last / (m - 1) as f64 } else { 0.0 };
        (0..m)
            .map(|i| interpolate(&knots, i as f64 * step, |k| k.0, |k| k.1))
            .collect()
    }

    /// The estimated fraction of values `<= x` (0 below the min, 1 at or above the max).
    pub fn cdf(&self, x: f64) -> f64 {
        if self.count == 0 || x.is_nan() || x < self.min {
            return 0.0;
        }
        if x >= self.max {
            return 1.0;
        }
        let knots = self.knots();
        let n: f64 = self.centroids.iter().map(|c| c[1]).sum();
        let p = interpolate(&knots, x, |k| k.1, |k| k.0);
        ((p + 1.0) / n).clamp(0.0, 1.0)
    }
}

/// Linear interpolation of `y` at `x` over knots sorted by `x` (and by `y`).
fn interpolate<K>(knots: &[K], x: f64, kx: impl Fn(&K) -> f64, ky: impl Fn(&K) -> f64) -> f64 {
    let i = knots.partition_point(|k| kx(k) <= x);
    match (i.checked_sub(1).and_then(|j| knots.get(j)), knots.get(i)) {
        (Some(a), Some(b)) if kx(b) > kx(a) => {
            ky(a) + (ky(b) - ky(a)) * (x - kx(a)) / (kx(b) - kx(a))
        }
        (Some(a), _) => ky(a),
        (None, Some(b)) => ky(b),
        (None, None) => 0.0,
    }
}

/// The k₁ scale. `libm::asin`, not the platform's: glibc's and the Wasm builds' (musl's,
/// which `libm` ports) differ in the last bit on a few per cent of arguments, and a profile
/// must be the same in the CLI, the page and the edge.
fn scale(q: f64) -> f64 {
    DELTA / (2.0 * std::f64::consts::PI) * libm::asin(2.0 * q.clamp(0.0, 1.0) - 1.0)
}

/// Merges neighbouring centroids (sorted by mean) while each stays under the size bound.
fn compress(sorted: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
    let total: f64 = sorted.iter().map(|c| c[1]).sum();
    if sorted.len() as f64 <= DELTA {
        return sorted;
    }
    let mut out: Vec<[f64; 2]> = Vec::with_capacity((2.0 * DELTA) as usize);
    let mut before = 0.0;
    let mut iter = sorted.into_iter();
    let Some(mut cur) = iter.next() else {
        return out;
    };
    // k(q) at the left edge of the open centroid (changes only when one is closed)
    let mut k_left = scale(before / total);
    for c in iter {
        // k₁ scale: a centroid may span at most one unit of k(q) = δ/(2π)·asin(2q − 1)
        let q_right = (before + cur[1] + c[1]) / total;
        if scale(q_right) - k_left <= 1.0 {
            let w = cur[1] + c[1];
            cur[0] += (c[0] - cur[0]) * c[1] / w;
            cur[1] = w;
        } else {
            before += cur[1];
            k_left = scale(before / total);
            out.push(cur);
            cur = c;
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numpy_quantile(sorted: &[f64], q: f64) -> f64 {
        let pos = q * (sorted.len() - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = (lo + 1).min(sorted.len() - 1);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    }

    #[test]
    fn small_samples_are_exact() {
        let v: Vec<f64> = (0..50).map(|i| (i * i) as f64).collect();
        let s = Sketch::from_sorted(&v);
        for q in [0.0, 0.1, 0.25, 0.5, 0.77, 1.0] {
            assert!((s.quantile(q) - numpy_quantile(&v, q)).abs() < 1e-9);
        }
        assert_eq!(s.cdf(-1.0), 0.0);
        assert_eq!(s.cdf(v[9]), 10.0 / 50.0);
        assert_eq!(s.cdf(1e9), 1.0);
        assert_eq!(s.sample(50), v);
    }

    #[test]
    fn large_and_merged_samples_are_close() {
        let v: Vec<f64> = (0..100_000)
            .map(|i| ((i as f64) * 0.618_033_988_7).fract() * 10.0)
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let a = {
            let mut h = v[..50_000].to_vec();
            h.sort_by(f64::total_cmp);
            Sketch::from_sorted(&h)
        };
        let b = {
            let mut h = v[50_000..].to_vec();
            h.sort_by(f64::total_cmp);
            Sketch::from_sorted(&h)
        };
        let bounded = Sketch::from_sorted_bounded(&sorted);
        for s in [Sketch::from_sorted(&sorted), a.merge(&b), bounded] {
            assert!(s.centroids.len() <= DELTA as usize, "{}", s.centroids.len());
            for q in [0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999] {
                let (got, want) = (s.quantile(q), numpy_quantile(&sorted, q));
                assert!((got - want).abs() < 0.01 * 10.0, "q={q}: {got} vs {want}");
                assert!((s.cdf(want) - q).abs() < 0.01, "cdf at q={q}");
            }
        }
    }

    #[test]
    fn empty_and_constant_do_not_panic() {
        let e = Sketch::default();
        assert_eq!((e.quantile(0.5), e.cdf(1.0)), (0.0, 0.0));
        let c = Sketch::from_sorted(&[3.0; 500]);
        assert_eq!((c.quantile(0.3), c.cdf(3.0), c.cdf(2.9)), (3.0, 1.0, 0.0));
        let hostile = Sketch {
            count: 3,
            min: 5.0,
            max: 1.0,
            centroids: vec![[f64::NAN, -1.0], [2.0, 0.0]],
        };
        let _ = (
            hostile.quantile(0.5),
            hostile.cdf(2.0),
            hostile.merge(&c),
            hostile.sample(10),
        );
        assert!(e.sample(5).is_empty());
    }
}
