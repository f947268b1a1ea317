//! Two-sample statistics on slices and counts: chi-square (goodness of fit and the 2×K
//! contingency test), PSI, Jensen–Shannon distance, Wasserstein distance and the
//! two-proportion z-test. Each follows SciPy (or the written formula) to the letter; the
//! conventions are in the module docs of [`crate::drift`].

use super::psi::PsiLayout;
use super::special::{chi2_sf, normal_two_sided_p};
use super::DriftError;
use crate::numeric::{quantile_linear, sorted};
use serde::{Deserialize, Serialize};

/// A statistic with its p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct TestResult {
    /// The test statistic.
    pub statistic: f64,
    /// The p-value in `[0, 1]`.
    pub p_value: f64,
}

fn empty(side: &'static str) -> DriftError {
    DriftError::EmptySample { column: None, side }
}

fn check_values(sample: &[f64], side: &'static str) -> Result<(), DriftError> {
    if sample.is_empty() {
        return Err(empty(side));
    }
    if sample.iter().any(|v| v.is_nan()) {
        return Err(DriftError::NotANumber { column: None, side });
    }
    Ok(())
}

fn check_counts(reference: &[u64], current: &[u64]) -> Result<(), DriftError> {
    if reference.len() != current.len() {
        return Err(DriftError::InvalidInput(format!(
            "reference has {} categories and current has {}; align both on the same category list",
            reference.len(),
            current.len()
        )));
    }
    if reference.iter().sum::<u64>() == 0 {
        return Err(empty("reference"));
    }
    if current.iter().sum::<u64>() == 0 {
        return Err(empty("current"));
    }
    Ok(())
}

/// Chi-square goodness of fit of the current counts against the reference proportions:
/// `scipy.stats.chisquare(f_obs=current, f_exp=reference · n_cur / n_ref)` (as Evidently).
///
/// The two slices are counts per category in the same order. A category absent from both
/// samples is skipped. A category seen only in the current sample has an expected count of
/// 0, so the statistic is `+∞` and the p-value 0: a brand-new category is drift. With a
/// single category there is nothing to compare: statistic 0, p-value 1.
pub fn chisquare_gof(reference: &[u64], current: &[u64]) -> Result<TestResult, DriftError> {
    check_counts(reference, current)?;
    let n_ref: u64 = reference.iter().sum();
    let n_cur: u64 = current.iter().sum();
    let k = n_cur as f64 / n_ref as f64;
    let mut stat = 0.0;
    let mut categories = 0usize;
    for (&r, &c) in reference.iter().zip(current) {
        if r == 0 && c == 0 {
            continue;
        }
        categories += 1;
        let expected = r as f64 * k;
        let d = c as f64 - expected;
        stat += d * d / expected;
    }
    if categories <= 1 {
        return Ok(TestResult {
            statistic: 0.0,
            p_value: 1.0,
        });
    }
    Ok(TestResult {
        statistic: stat,
        p_value: chi2_sf(stat, (categories - 1) as f64),
    })
}

/// Result of [`chi2_contingency`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ContingencyResult {
    /// Pearson's chi-square statistic (Yates-corrected when `dof == 1` and asked for).
    pub statistic: f64,
    /// The p-value.
    pub p_value: f64,
    /// Degrees of freedom, `K - 1` for the `K` categories seen in either sample.
    pub dof: usize,
}

/// The chi-square test of independence on the 2×K table (reference row, current row):
/// `scipy.stats.chi2_contingency(table, correction=yates)`.
///
/// Categories absent from both samples are dropped (SciPy refuses a zero expected
/// frequency); a category seen only in the current sample is an ordinary column. With
/// `yates` (SciPy's default) the 2×2 case gets Yates' continuity correction.
pub fn chi2_contingency(
    reference: &[u64],
    current: &[u64],
    yates: bool,
) -> Result<ContingencyResult, DriftError> {
    check_counts(reference, current)?;
    let cols: Vec<(f64, f64)> = reference
        .iter()
        .zip(current)
        .filter(|(r, c)| **r + **c > 0)
        .map(|(&r, &c)| (r as f64, c as f64))
        .collect();
    let dof = cols.len().saturating_sub(1);
    if dof == 0 {
        return Ok(ContingencyResult {
            statistic: 0.0,
            p_value: 1.0,
            dof,
        });
    }
    let row_ref: f64 = cols.iter().map(|c| c.0).sum();
    let row_cur: f64 = cols.iter().map(|c| c.1).sum();
    let total = row_ref + row_cur;
    let mut stat = 0.0;
    for &(r, c) in &cols {
        let col = r + c;
        for (obs, row) in [(r, row_ref), (c, row_cur)] {
            let expected = row * col / total;
            let mut obs = obs;
            if dof == 1 && yates {
                let diff = expected - obs;
                obs += diff.abs().min(0.5) * diff.signum() * if diff == 0.0 { 0.0 } else { 1.0 };
            }
            let d = obs - expected;
            stat += d * d / expected;
        }
    }
    Ok(ContingencyResult {
        statistic: stat,
        p_value: chi2_sf(stat, dof as f64),
        dof,
    })
}

/// How PSI bins a numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum PsiBinning {
    /// Edges at the reference quantiles `1/bins, …, (bins-1)/bins` (NumPy's default linear
    /// interpolation): the credit-risk convention, about equally full reference bins.
    #[default]
    Quantile,
    /// `bins` equal-width bins over the reference `[min, max]`.
    EqualWidth,
}

/// Options for [`psi`]. Defaults: 10 quantile bins, proportions clipped at `1e-4`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct PsiOptions {
    /// Number of bins (at least 2). Default 10.
    pub bins: usize,
    /// Where the inner edges go. Default [`PsiBinning::Quantile`].
    pub binning: PsiBinning,
    /// Lower clip for every bin proportion, so empty bins give a finite PSI. Default `1e-4`.
    pub epsilon: f64,
}

impl Default for PsiOptions {
    fn default() -> Self {
        PsiOptions {
            bins: 10,
            binning: PsiBinning::Quantile,
            epsilon: 1e-4,
        }
    }
}

/// The most PSI bins [`PsiOptions::check`] accepts, as the monitor's `psi_bins`: far more
/// than a PSI needs (10 is usual), few enough that the edges of any request fit in memory.
pub const MAX_PSI_BINS: usize = 1000;

impl PsiOptions {
    /// Refuses options the PSI cannot use: fewer than 2 or more than [`MAX_PSI_BINS`] bins
    /// (options come from users: a billion bins would be an allocation of gigabytes), or a
    /// clip that is not a finite positive number below 1.
    ///
    /// ```
    /// use driftlab::drift::PsiOptions;
    /// assert!(PsiOptions::default().check().is_ok());
    /// assert!(PsiOptions { bins: 1_000_000_000, ..Default::default() }.check().is_err());
    /// assert!(PsiOptions { epsilon: f64::NAN, ..Default::default() }.check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), DriftError> {
        if !(2..=MAX_PSI_BINS).contains(&self.bins) {
            return Err(DriftError::InvalidInput(format!(
                "psi.bins {} is invalid: use 2 to {MAX_PSI_BINS} bins (10 is usual)",
                self.bins
            )));
        }
        if !(self.epsilon > 0.0 && self.epsilon < 1.0) {
            return Err(DriftError::InvalidInput(format!(
                "psi.epsilon {} is invalid: use a small positive share such as 0.0001",
                self.epsilon
            )));
        }
        Ok(())
    }
}

/// PSI bin edges for a sorted, non-empty reference (`bins - 1` inner edges; outer bins open).
pub(crate) fn psi_edges(sorted_reference: &[f64], opts: &PsiOptions) -> Vec<f64> {
    let bins = opts.bins.max(2);
    match opts.binning {
        PsiBinning::Quantile => (1..bins)
            .map(|i| quantile_linear(sorted_reference, i as f64 / bins as f64))
            .collect(),
        PsiBinning::EqualWidth => {
            let lo = sorted_reference[0];
            let hi = sorted_reference[sorted_reference.len() - 1];
            (1..bins)
                .map(|i| lo + (hi - lo) * i as f64 / bins as f64)
                .collect()
        }
    }
}

/// Bin index of `x` for right-closed bins `(edge[i-1], edge[i]]` (NumPy
/// `searchsorted(edges, x, side="left")`).
pub(crate) fn bin_of(edges: &[f64], x: f64) -> usize {
    edges.partition_point(|&e| e < x)
}

/// PSI from two vectors of proportions (or counts, which are normalised), clipping every
/// proportion at `epsilon`: `Σ (cur − ref) · ln(cur / ref)`.
pub fn psi_from_counts(
    reference: &[f64],
    current: &[f64],
    epsilon: f64,
) -> Result<f64, DriftError> {
    Ok(super::psi::sum(&psi_terms(reference, current, epsilon)?))
}

/// The terms of [`psi_from_counts`], bin by bin.
pub(crate) fn psi_terms(
    reference: &[f64],
    current: &[f64],
    epsilon: f64,
) -> Result<Vec<f64>, DriftError> {
    if reference.len() != current.len() {
        return Err(DriftError::InvalidInput(
            "PSI needs the same bins on both sides".into(),
        ));
    }
    let sr: f64 = reference.iter().sum();
    let sc: f64 = current.iter().sum();
    if sr.is_nan() || sr <= 0.0 {
        return Err(empty("reference"));
    }
    if sc.is_nan() || sc <= 0.0 {
        return Err(empty("current"));
    }
    Ok(reference
        .iter()
        .zip(current)
        .map(|(r, c)| {
            let rp = (r / sr).max(epsilon);
            let cp = (c / sc).max(epsilon);
            (cp - rp) * libm::log(cp / rp)
        })
        .collect())
}

/// Population Stability Index of a numeric column. See [`PsiOptions`] for the binning;
/// bins are right-closed `(e[i-1], e[i]]`, the first and last bins are open to `∓∞`, tied
/// reference values may leave a bin empty (both proportions clip to `epsilon` and the bin
/// contributes 0).
pub fn psi(reference: &[f64], current: &[f64], opts: &PsiOptions) -> Result<f64, DriftError> {
    opts.check()?;
    check_values(reference, "reference")?;
    check_values(current, "current")?;
    let edges = psi_edges(&sorted(reference), opts);
    PsiLayout::numeric_from_values(&edges, reference, current).statistic(opts.epsilon)
}

/// Jensen–Shannon distance, base 2 (in `[0, 1]`), between two non-negative weight vectors
/// (counts or proportions; each is normalised): `scipy.spatial.distance.jensenshannon(p, q,
/// base=2)`.
pub fn jensenshannon(p: &[f64], q: &[f64]) -> Result<f64, DriftError> {
    if p.len() != q.len() {
        return Err(DriftError::InvalidInput(
            "Jensen–Shannon needs the same categories on both sides".into(),
        ));
    }
    if p.iter().chain(q).any(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(DriftError::InvalidInput(
            "Jensen–Shannon weights must be finite and non-negative".into(),
        ));
    }
    let sp: f64 = p.iter().sum();
    let sq: f64 = q.iter().sum();
    if sp.is_nan() || sp <= 0.0 {
        return Err(empty("reference"));
    }
    if sq.is_nan() || sq <= 0.0 {
        return Err(empty("current"));
    }
    let rel_entr = |x: f64, y: f64| -> f64 {
        if x > 0.0 && y > 0.0 {
            x * libm::log(x / y)
        } else if x == 0.0 && y >= 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    };
    let (mut left, mut right) = (0.0, 0.0);
    for (a, b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = (a + b) / 2.0;
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    let js = (left + right) / std::f64::consts::LN_2;
    Ok((js / 2.0).max(0.0).sqrt())
}

/// First Wasserstein distance between the empirical distributions of two samples
/// (`scipy.stats.wasserstein_distance(u, v)`): `∫ |U(x) − V(x)| dx`. Any infinite value
/// makes it `+∞`.
pub fn wasserstein(reference: &[f64], current: &[f64]) -> Result<f64, DriftError> {
    check_values(reference, "reference")?;
    check_values(current, "current")?;
    let u = sorted(reference);
    let v = sorted(current);
    Ok(wasserstein_sorted(&u, &v))
}

pub(crate) fn wasserstein_sorted(u: &[f64], v: &[f64]) -> f64 {
    if u.iter().chain(v).any(|x| x.is_infinite()) {
        return f64::INFINITY;
    }
    // ∫ |F_u − F_v| dx, walking the distinct values of both samples in order (a merge of
    // the two sorted samples: no copy, no second sort)
    let (nu, nv) = (u.len() as f64, v.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut total = 0.0;
    let mut prev: Option<f64> = None;
    loop {
        let x = match (u.get(i), v.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        if let Some(p) = prev {
            let delta = x - p;
            if delta != 0.0 {
                total += (i as f64 / nu - j as f64 / nv).abs() * delta;
            }
        }
        while i < u.len() && u[i] <= x {
            i += 1;
        }
        while j < v.len() && v[j] <= x {
            j += 1;
        }
        prev = Some(x);
    }
    total
}

/// NumPy's `np.std(x)` (population standard deviation, `ddof = 0`).
pub(crate) fn population_std(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// The floor on the reference standard deviation when normalising the Wasserstein distance
/// (Evidently's `max(np.std(reference), 0.001)`), so a constant reference does not divide by 0.
pub const WASSERSTEIN_STD_FLOOR: f64 = 0.001;

/// Result of [`wasserstein_normed`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WassersteinResult {
    /// The raw distance, in the column's units.
    pub distance: f64,
    /// The reference population standard deviation.
    pub reference_std: f64,
    /// `distance / max(reference_std, 0.001)`: the distance in reference standard deviations.
    pub normed: f64,
}

/// Wasserstein distance, raw and divided by the reference standard deviation (floored at
/// [`WASSERSTEIN_STD_FLOOR`]).
pub fn wasserstein_normed(
    reference: &[f64],
    current: &[f64],
) -> Result<WassersteinResult, DriftError> {
    let distance = wasserstein(reference, current)?;
    let reference_std = population_std(reference);
    let normed = distance / reference_std.max(WASSERSTEIN_STD_FLOOR);
    Ok(WassersteinResult {
        distance,
        reference_std,
        normed,
    })
}

/// Two-proportion z-test (pooled variance), two-sided:
/// `z = (p_ref − p_cur) / sqrt(P(1−P)(1/n_ref + 1/n_cur))`, `p = 2·(1 − Φ(|z|))` computed as
/// `erfc(|z|/√2)`. When the pooled proportion is 0 or 1 both samples agree: `z = 0`, `p = 1`.
pub fn z_test(
    ref_successes: u64,
    ref_n: u64,
    cur_successes: u64,
    cur_n: u64,
) -> Result<TestResult, DriftError> {
    if ref_n == 0 {
        return Err(empty("reference"));
    }
    if cur_n == 0 {
        return Err(empty("current"));
    }
    if ref_successes > ref_n || cur_successes > cur_n {
        return Err(DriftError::InvalidInput(
            "successes cannot exceed the sample size".into(),
        ));
    }
    let (n1, n2) = (ref_n as f64, cur_n as f64);
    let p1 = ref_successes as f64 / n1;
    let p2 = cur_successes as f64 / n2;
    let pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    let den = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if den.is_nan() || den <= 0.0 {
        return Ok(TestResult {
            statistic: 0.0,
            p_value: 1.0,
        });
    }
    let z = (p1 - p2) / den;
    Ok(TestResult {
        statistic: z,
        p_value: normal_two_sided_p(z).clamp(0.0, 1.0),
    })
}
