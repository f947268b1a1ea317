//! Numeric helpers shared by the profile, the drift tests, the detectors and the monitor:
//! sorting floats and linear quantiles.
//!
//! They live here, below all of those modules, so that no two of them import each other
//! for a helper (`profile` used to call `drift::sort_f64` while `drift` reads profiles).
//!
//! **Two linear quantiles.** Both interpolate linearly between order statistics (NumPy's
//! default method); they differ only in how the arithmetic rounds:
//! * [`quantile_linear`] follows NumPy's arithmetic step for step (`virtual_index`,
//!   `gamma`, and the `gamma >= 0.5` branch), so the PSI edges of the drift tests equal
//!   `numpy.quantile`'s bit for bit;
//! * [`exact_quantile`] is the profile's and the median imputer's (`lo + (hi − lo) ·
//!   frac`). Its values are written into every artifact (the profile's quantiles, the
//!   fitted pipeline's medians), so it stays as it is: NumPy's rounding here would change
//!   artifacts trained before and after.

/// Sorts in IEEE total order (`f64::total_cmp`: `-∞ < … < -0.0 < 0.0 < … < +∞`) by an LSD
/// radix sort ([`radsort`]), linear in the length: on 100,000 values several times faster
/// than `sort_unstable_by(f64::total_cmp)`, which the drift report used to spend most of
/// its time in. Short slices take the comparison sort.
pub(crate) fn sort_f64(v: &mut [f64]) {
    if v.len() < 256 {
        v.sort_unstable_by(f64::total_cmp);
    } else {
        radsort::sort(v);
    }
}

/// A sorted copy (see [`sort_f64`]).
pub(crate) fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    sort_f64(&mut v);
    v
}

/// NumPy's `quantile(sorted, q)` (method `linear`), computed as NumPy computes it so the
/// result is the same to the last bit. NaN for an empty slice.
pub(crate) fn quantile_linear(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let virtual_index = nf * q + (1.0 - q) - 1.0;
    let prev = virtual_index.floor();
    let gamma = virtual_index - prev;
    let lo = (prev.max(0.0) as usize).min(n - 1);
    let hi = ((prev + 1.0).max(0.0) as usize).min(n - 1);
    let (a, b) = (sorted[lo], sorted[hi]);
    if a == b {
        return a;
    }
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// The profile's linear-interpolation quantile of sorted values; 0 when empty (see the
/// [module docs](self) for why it is not [`quantile_linear`]).
pub(crate) fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n => {
            let pos = q * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let frac = pos - lo as f64;
            sorted[lo] + (sorted[hi] - sorted[lo]) * frac
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_in_total_order() {
        let mut v: Vec<f64> = (0..600)
            .map(|i| ((i * 7919) % 601) as f64 - 300.0)
            .collect();
        v.extend([f64::INFINITY, -0.0, 0.0, f64::NEG_INFINITY]);
        let mut want = v.clone();
        want.sort_unstable_by(f64::total_cmp);
        sort_f64(&mut v);
        assert_eq!(
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            want.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(sorted(&[3.0, -1.0, 2.0]), [-1.0, 2.0, 3.0]);
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let s = [1.0, 2.0, 4.0, 8.0];
        // numpy.quantile([1, 2, 4, 8], [0, 0.5, 0.9, 1]) = [1, 3, 6.8, 8]
        for (q, want) in [(0.0, 1.0), (0.5, 3.0), (1.0, 8.0)] {
            assert_eq!(quantile_linear(&s, q), want);
            assert_eq!(exact_quantile(&s, q), want);
        }
        assert!((quantile_linear(&s, 0.9) - 6.8).abs() < 1e-12);
        assert!((exact_quantile(&s, 0.9) - 6.8).abs() < 1e-12);
        assert!(quantile_linear(&[], 0.5).is_nan());
        assert_eq!(exact_quantile(&[], 0.5), 0.0);
    }
}
