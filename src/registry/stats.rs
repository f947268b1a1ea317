//! The significance tests of a champion/challenger comparison.

use serde::{Deserialize, Serialize};

use crate::drift::chi2_sf;

/// Below this many discordant pairs McNemar's p-value is the exact binomial one.
pub const MCNEMAR_EXACT_BELOW: u64 = 25;

/// McNemar's test on paired outcomes (both versions answered the same rows).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct McNemar {
    /// Rows both got right.
    pub both_right: u64,
    /// Rows only the champion got right (`b`).
    pub champion_only: u64,
    /// Rows only the challenger got right (`c`).
    pub challenger_only: u64,
    /// Rows both got wrong.
    pub both_wrong: u64,
    /// The statistic: `min(b, c)` for the exact test, else `(|b − c| − 1)² / (b + c)`.
    pub statistic: f64,
    /// The two-sided p-value.
    pub p_value: f64,
    /// True when the p-value is the exact binomial one (`b + c <` [`MCNEMAR_EXACT_BELOW`]).
    pub exact: bool,
}

/// McNemar's test from the four paired counts. With `n = b + c` discordant pairs: when
/// `n <` [`MCNEMAR_EXACT_BELOW`], the exact two-sided binomial p-value
/// `min(1, 2 · P(X ≤ min(b, c)))` with `X ~ Binomial(n, 1/2)` (SciPy's
/// `binomtest(min(b, c), n, 0.5).pvalue`; statsmodels' `mcnemar(exact=True)`); otherwise
/// the chi-square with continuity correction `(|b − c| − 1)² / n` on 1 degree of freedom
/// (statsmodels' `mcnemar(exact=False, correction=True)`). No discordant pairs: `p = 1`.
pub fn mcnemar(
    both_right: u64,
    champion_only: u64,
    challenger_only: u64,
    both_wrong: u64,
) -> McNemar {
    let (b, c) = (champion_only, challenger_only);
    let n = b.saturating_add(c);
    let (statistic, p_value, exact) = if n == 0 {
        (0.0, 1.0, true)
    } else if n < MCNEMAR_EXACT_BELOW {
        let k = b.min(c);
        (k as f64, (2.0 * binom_cdf_half(k, n)).min(1.0), true)
    } else {
        let d = (b as f64 - c as f64).abs() - 1.0;
        let d = d.max(0.0);
        let stat = d * d / n as f64;
        (stat, chi2_sf(stat, 1.0).clamp(0.0, 1.0), false)
    };
    McNemar {
        both_right,
        champion_only,
        challenger_only,
        both_wrong,
        statistic,
        p_value,
        exact,
    }
}

/// `P(X ≤ k)` for `X ~ Binomial(n, 1/2)`, summed in log space.
pub fn binom_cdf_half(k: u64, n: u64) -> f64 {
    if k >= n {
        return 1.0;
    }
    let ln2 = core::f64::consts::LN_2;
    let nf = n as f64;
    let mut ln_c = 0.0; // ln C(n, 0)
    let mut total = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_c += libm::log(nf - (i as f64 - 1.0)) - libm::log(i as f64);
        }
        total += libm::exp(ln_c - nf * ln2);
    }
    total.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_values() {
        // n = 10, k = 2: P(X ≤ 2) = (1 + 10 + 45) / 1024 = 56/1024; p = 112/1024.
        assert!((binom_cdf_half(2, 10) - 56.0 / 1024.0).abs() < 1e-15);
        let m = mcnemar(50, 8, 2, 5);
        assert!(m.exact);
        assert!((m.p_value - 112.0 / 1024.0).abs() < 1e-14);
        assert_eq!(mcnemar(3, 0, 0, 1).p_value, 1.0);
        assert_eq!(mcnemar(0, 5, 5, 0).p_value, 1.0);
        // Large: b = 40, c = 20 → (20 − 1)² / 60 = 6.0166…
        let m = mcnemar(0, 40, 20, 0);
        assert!(!m.exact);
        assert!((m.statistic - 361.0 / 60.0).abs() < 1e-12);
    }
}
