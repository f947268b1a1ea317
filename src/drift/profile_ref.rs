//! Drift against a stored [`Profile`] instead of raw reference rows.
//!
//! A model artifact keeps the [`Profile`] of its training data, so the page, the CLI and
//! the edge can measure drift without keeping the training rows.
//! [`drift_report_from_profile`] gives the same [`DriftReport`] as
//! [`drift_report`](super::drift_report), with the same automatic choice (it reads the
//! profile's `count` and `distinct`), thresholds, verdicts and errors; only the reference
//! side of each test is rebuilt from the summary:
//!
//! | test | reference side from the profile |
//! | --- | --- |
//! | `ks` | `D = sup |F_ref − F_cur|` with `F_ref` the sketch CDF (below), evaluated at every knot and every current value, both limits; p-value by SciPy's path with `n_ref` = the profile's finite count |
//! | `wasserstein` | `∫ |F_ref − F_cur| dx`, integrated exactly piece by piece (the sketch CDF is linear between knots); divided by the population std `sqrt(m2 / n)` |
//! | `psi` | edges at the reference deciles (the profile's exact quantiles where it stores the level, the sketch's elsewhere); reference bin shares from the sketch CDF |
//! | `jensenshannon` (numeric, > 5 values) | the same 30 bins over the combined range (the profile's min and max are exact); reference shares from the sketch CDF |
//! | `chisquare`, `z`, `jensenshannon`, `psi` (categories) | the profile's category counts |
//! | the same on low-cardinality numbers | the distinct values and their counts, read back from the sketch |
//!
//! **The sketch CDF.** The profile's t-digest ([`Sketch`](crate::profile::Sketch)) holds
//! centroids `[mean, weight]`. A centroid of weight 1, or a run of centroids with the same
//! mean, is an exact value (an atom): the CDF steps over its whole weight there. Any other
//! centroid stands for half its weight below its mean and half above. Between these knots
//! (and the exact min and max) the CDF is linear. For a profile of at most 200 finite
//! values every centroid is a single value, the CDF is the empirical one, and every test
//! gives exactly the raw-row result (the tests are then run on the values themselves).
//!
//! **Distinct values of a numeric column** are read back from the sketch when that is
//! provably exact: the distinct centroid means are as many as the profile's exact
//! `distinct`, and they reproduce the profile's histogram counts. Otherwise the
//! count-based tests fall back to the profile's 20 histogram bins plus one bin below the
//! minimum and one above the maximum (a current value outside the reference range is a
//! new category, as with raw rows).
//!
//! **Limits.** Categories beyond the profile's 1000 most frequent are pooled as one
//! "other" category, and current labels that the profile does not list go there too (they
//! may be new or among the pooled ones). Infinite reference values are counted but their
//! sign is not kept: they make Wasserstein `+∞` as with raw rows and are left out of the
//! other tests. The `distinct` shown in the reason of a high-cardinality numeric column is a
//! lower bound (the profile's distinct count plus the current values outside its range).
//!
//! # Measured approximation error
//! Against the raw-row results on the same data (`tests/drift_profile.rs`; print the table
//! with `cargo test --test drift_profile -- --nocapture`). Synthetic: a normal and a
//! log-normal reference of n rows, each against four current samples of n rows (the same
//! law; shifted by 0.05 std; shifted 0.3 and scaled 1.2; shifted 1). Fraud: the `fraud`
//! dataset, reference 800 or 5,000 rows (seed 7), current the same size (seed 8) at drift
//! 0, 0.3, 0.6 and 1, every column. Each cell is the largest absolute difference seen,
//! statistic / p-value.
//!
//! | test | n = 200 | n = 5,000 | n = 100,000 | fraud 800 | fraud 5,000 | asserted (synthetic; fraud ×3) |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | KS | 0 / 0 | 1.4e-3 / 9.8e-2 | 2.4e-4 / 4.7e-2 | 3.0e-3 / 8.1e-2 | 4.9e-3 / 2.6e-1 | D: 0.005; p: SciPy's p of the profile's D |
//! | Wasserstein / std | 4e-16 | 1.2e-3 | 1.4e-3 | 1.1e-3 | 3.2e-3 | 0.005 |
//! | PSI | 0 | 4.4e-3 | 6.3e-4 | 2.0e-2 | 1.9e-3 | 0.01 + 1% |
//! | Jensen–Shannon | 0 | 5.4e-3 | 2.9e-3 | 2.5e-2 | 5.5e-3 | 0.01 |
//! | chi-square, z | — | — | — | 0 / 0 | 0 / 0 | 1e-9 |
//!
//! Reading it:
//! * Up to 200 values the profile holds every value and the results are the raw ones
//!   (Wasserstein to the last bit of the std, summed in another order); so are
//!   low-cardinality numeric columns whose values the profile pins down, and every
//!   category test.
//! * The KS **p-value** is SciPy's p-value of the approximate statistic: where `D` sits
//!   in the steep part of its null distribution (large samples, no drift), an error of
//!   `1e-3` in `D` moves `p` by up to 0.1–0.26. Drift verdicts agreed in every case where
//!   the raw value was not within the bound of the threshold (the test checks this and
//!   counts the borderline cases).
//! * The largest errors come from columns with heavily tied values in small references
//!   (`hour`, `distance_from_home_km` at 800 rows): the sketch blends neighbouring tied
//!   values, which moves mass across a PSI or histogram edge.

use super::ks::ks_from_statistic;
use super::psi::PsiLayout;
use super::report::{
    counts_outcome, finite_range, histogram_bin, histogram_range, report_against, run_test,
    unsupported, DriftOptions, DriftReport, Outcome, Reference, ReferenceColumn, Side, TestKind,
    JS_BINS, NEEDS_NUMBERS,
};
use super::stats::{jensenshannon, PsiBinning, PsiOptions, WASSERSTEIN_STD_FLOOR};
use super::DriftError;
use crate::numeric::sort_f64;
use crate::profile::{CategoryStats, ColumnProfile, NumericStats, Profile};
use crate::table::{ColumnKind, Table};
use std::collections::BTreeMap;

/// Tests each column of the stored `reference` profile (or `options.columns`) against the
/// same column of `current`, as [`drift_report`](super::drift_report) does with raw rows.
/// See the [module docs](self) for how each test reads the profile and the measured
/// approximation error.
///
/// Errors name the column and the fix: a column the profile does not have (the message
/// lists the ones it has), a column whose kind differs between the profile and the current
/// table, a side with no values, a test that does not apply, a bad threshold, or a profile
/// column that lacks its numeric or category summary.
///
/// ```
/// use driftlab::drift::{drift_report_from_profile, DriftOptions};
/// use driftlab::table::{read_csv, ReadOptions};
/// use driftlab::Profile;
/// let train = read_csv(b"x,c\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n", &ReadOptions::default())?.table;
/// let profile = Profile::from_table(&train, None)?; // stored in the artifact
/// let now = read_csv(b"x,c\n11,a\n12,a\n13,a\n14,a\n15,a\n16,a\n", &ReadOptions::default())?.table;
/// let report = drift_report_from_profile(&profile, &now, &DriftOptions::default())?;
/// assert!(report.columns[0].drifted);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn drift_report_from_profile(
    reference: &Profile,
    current: &Table,
    options: &DriftOptions,
) -> Result<DriftReport, DriftError> {
    report_against(reference, current, options)
}

impl Reference for Profile {
    fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    fn reference_column<'a>(&'a self, name: &str) -> Option<Box<dyn ReferenceColumn + 'a>> {
        let col = self.column(name)?;
        Some(Box::new(ProfileColumn(col)))
    }
}

struct ProfileColumn<'a>(&'a ColumnProfile);

/// One column's two sides: the profile's summary and the current values, of one kind.
enum Pair<'a> {
    Categories(&'a CategoryStats, &'a [String]),
    Numbers(&'a NumericStats, &'a [f64]),
}

/// The profile's summary for the column's kind and the current values, or the error that
/// names what is missing or mismatched.
fn pair<'a>(col: &'a ColumnProfile, name: &str, current: &'a Side) -> Result<Pair<'a>, DriftError> {
    if col.kind != ColumnKind::Numeric {
        let c = col
            .categories
            .as_ref()
            .ok_or_else(|| broken(col, "category counts"))?;
        let Side::Labels(b) = current else {
            return Err(kinds_differ(name));
        };
        return Ok(Pair::Categories(c, b));
    }
    let s = col
        .numeric
        .as_ref()
        .ok_or_else(|| broken(col, "numeric summary"))?;
    let Side::Numeric(b) = current else {
        return Err(kinds_differ(name));
    };
    Ok(Pair::Numbers(s, b))
}

fn broken(col: &ColumnProfile, what: &str) -> DriftError {
    DriftError::InvalidInput(format!(
        "column {:?}: the reference profile has no {what} for this {} column; make the profile again from the training data (driftlab profile, or retrain the model)",
        col.name, col.kind
    ))
}

fn kinds_differ(name: &str) -> DriftError {
    DriftError::InvalidInput(format!(
        "column {name:?}: the profile and the current values differ in kind"
    ))
}

impl ReferenceColumn for ProfileColumn<'_> {
    fn kind(&self) -> ColumnKind {
        self.0.kind
    }

    fn missing(&self) -> u64 {
        self.0.missing
    }

    fn count(&self) -> usize {
        self.0.count as usize
    }

    fn distinct_with(&self, current: &Side) -> usize {
        let col = self.0;
        match (&col.numeric, &col.categories, current) {
            (Some(s), _, Side::Numeric(b)) => numeric_distinct(col, s, b),
            (None, Some(c), Side::Labels(b)) => {
                let (_, rc, _) = category_counts(c, b);
                let hidden = (c.distinct as usize).saturating_sub(c.top.len());
                rc.len() - usize::from(c.other > 0) + hidden
            }
            _ => col.distinct as usize,
        }
    }

    fn run(
        &self,
        name: &str,
        test: TestKind,
        current: &Side,
        distinct: usize,
        opts: &DriftOptions,
    ) -> Result<Outcome, DriftError> {
        let col = self.0;
        let kind = col.kind;
        if test == TestKind::Psi {
            // the bins the monitor's chart shows (drift::psi_bins)
            let layout = psi_layout(col, name, current, &opts.psi)?;
            return Ok(Outcome {
                statistic: layout
                    .statistic(opts.psi.epsilon)
                    .map_err(|e| super::report::with_column(name, e))?,
                p_value: None,
            });
        }
        let (s, b) = match pair(col, name, current)? {
            Pair::Categories(c, b) => {
                let (_, rc, cc) = category_counts(c, b);
                return counts_outcome(name, kind, test, &rc, &cc, opts);
            }
            Pair::Numbers(s, b) => (s, b),
        };
        if let Some(mut sample) = exact_sample(col, s) {
            sort_f64(&mut sample); // (already in order unless the profile was edited)
                                   // few enough values that the sketch holds each one: the raw-row tests, exactly
            return run_test(
                name,
                kind,
                test,
                &Side::Numeric(sample),
                current,
                distinct,
                opts,
            );
        }
        let numbers_test = matches!(test, TestKind::Ks | TestKind::Wasserstein)
            || (test == TestKind::Jensenshannon && distinct > opts.low_cardinality);
        if !numbers_test {
            let (rc, cc) = numeric_counts(col, s, b);
            return counts_outcome(name, kind, test, &rc, &cc, opts);
        }
        let cdf = RefCdf::new(s).ok_or_else(|| {
            unsupported(
                name,
                test,
                kind,
                "the reference profile holds no finite values to compare with; use a profile of data with finite numbers",
            )
        })?;
        let with_col = |e| super::report::with_column(name, e);
        match test {
            TestKind::Ks => {
                let mut d = 0.0f64;
                cdf.sweep(b, |_, rl, rr, cl, cr| {
                    d = d.max((rl - cl).abs()).max((rr - cr).abs());
                });
                let res = ks_from_statistic(s.sketch.count as usize, b.len(), d);
                Ok(Outcome {
                    statistic: res.statistic,
                    p_value: Some(res.p_value),
                })
            }
            TestKind::Wasserstein => {
                let w = if s.infinite > 0 || b.iter().any(|x| x.is_infinite()) {
                    f64::INFINITY
                } else {
                    cdf.wasserstein(b)
                };
                let sd = (s.m2 / s.sketch.count as f64).max(0.0).sqrt();
                Ok(Outcome {
                    statistic: w / sd.max(WASSERSTEIN_STD_FLOOR),
                    p_value: None,
                })
            }
            TestKind::Jensenshannon => {
                let (lo, hi) = finite_range(b.iter().chain([&s.min, &s.max]));
                let (lo, hi) = histogram_range(lo, hi);
                let width = (hi - lo) / JS_BINS as f64;
                let mut rc = Vec::with_capacity(JS_BINS);
                let mut below = 0.0;
                for k in 1..JS_BINS {
                    let at = cdf.left(lo + width * k as f64);
                    rc.push((at - below).max(0.0));
                    below = at;
                }
                rc.push((cdf.n - below).max(0.0));
                let mut cc = vec![0.0; JS_BINS];
                for &x in b {
                    cc[histogram_bin(x, lo, hi, JS_BINS)] += 1.0;
                }
                Ok(Outcome {
                    statistic: jensenshannon(&rc, &cc).map_err(with_col)?,
                    p_value: None,
                })
            }
            _ => Err(unsupported(name, test, kind, NEEDS_NUMBERS)),
        }
    }
}

/// Largest reference rebuilt value by value from a low-cardinality profile.
const MAX_REBUILT: u64 = 2_000_000;

/// The reference values themselves, when the profile holds every one: the sketch keeps
/// each value (at most 200 finite values, no infinite ones), or every distinct value and
/// its count are known (see [`reference_values`]).
fn exact_sample(col: &ColumnProfile, s: &NumericStats) -> Option<Vec<f64>> {
    let c = &s.sketch.centroids;
    let singletons = s.infinite == 0
        && c.len() as u64 == s.sketch.count
        && c.iter().all(|c| c[1] == 1.0 && c[0].is_finite());
    if singletons {
        return Some(c.iter().map(|c| c[0]).collect());
    }
    if s.sketch.count > MAX_REBUILT {
        return None;
    }
    let vals = reference_values(col, s)?;
    let mut out = Vec::with_capacity(s.sketch.count as usize);
    for v in &vals {
        out.extend(std::iter::repeat_n(v.value?, v.count as usize));
    }
    Some(out)
}

/// One distinct reference value of a low-cardinality numeric column: its histogram bin,
/// its count, and the value itself when the profile pins it down.
struct RefValue {
    bin: usize,
    value: Option<f64>,
    count: u64,
}

/// The histogram bin of a finite `x` within `[min, max]` (`[e_i, e_{i+1})`, the last closed).
fn hist_bin(s: &NumericStats, x: f64) -> usize {
    let e = &s.histogram.edges;
    let inner = e.get(1..e.len().saturating_sub(1)).unwrap_or(&[]);
    inner
        .partition_point(|&v| v <= x)
        .min(s.histogram.counts.len().saturating_sub(1))
}

/// The distinct reference values, when the profile shows that each non-empty histogram bin
/// holds exactly one (as many non-empty bins as the exact distinct count). A value is
/// known when it is the min or the max, the only exact value (a singleton or a run of
/// equal centroid means) of the sketch in its bin, or the only whole number in the bin of
/// a whole-number column.
fn reference_values(col: &ColumnProfile, s: &NumericStats) -> Option<Vec<RefValue>> {
    let h = &s.histogram;
    if !col.distinct_exact
        || s.infinite > 0
        || h.counts.is_empty()
        || h.edges.len() != h.counts.len() + 1
    {
        return None;
    }
    let nonempty: Vec<usize> = (0..h.counts.len()).filter(|&i| h.counts[i] > 0).collect();
    if nonempty.len() as u64 != col.distinct
        || h.counts.iter().sum::<u64>() != s.sketch.count
        || nonempty.is_empty()
    {
        return None;
    }
    // exact values in the sketch: singletons and runs of equal means, per bin
    let mut atoms: Vec<Vec<f64>> = vec![Vec::new(); h.counts.len()];
    let c = &s.sketch.centroids;
    let mut i = 0;
    while i < c.len() {
        let mut j = i + 1;
        while j < c.len() && c[j][0] == c[i][0] {
            j += 1;
        }
        let x = c[i][0];
        if (j - i >= 2 || c[i][1] == 1.0) && x >= s.min && x <= s.max {
            let b = &mut atoms[hist_bin(s, x)];
            if !b.contains(&x) {
                b.push(x);
            }
        }
        i = j;
    }
    let (first, last) = (nonempty[0], nonempty[nonempty.len() - 1]);
    Some(
        nonempty
            .iter()
            .map(|&bin| {
                let value = if bin == first {
                    Some(s.min)
                } else if bin == last {
                    Some(s.max)
                } else if atoms[bin].len() == 1 {
                    Some(atoms[bin][0])
                } else if s.integer {
                    let (lo, hi) = (h.edges[bin].ceil(), h.edges[bin + 1]);
                    (lo < hi && lo + 1.0 >= hi).then_some(lo)
                } else {
                    None
                };
                RefValue {
                    bin,
                    value,
                    count: h.counts[bin],
                }
            })
            .collect(),
    )
}

/// Where a current value falls among the reference values: `Ok(index)`, or `Err(())` for a
/// value the reference does not hold.
fn match_value(s: &NumericStats, vals: &[RefValue], x: f64) -> Result<usize, ()> {
    if !(x >= s.min && x <= s.max) {
        return Err(());
    }
    let bin = hist_bin(s, x);
    let k = vals.binary_search_by_key(&bin, |v| v.bin).map_err(|_| ())?;
    match vals[k].value {
        Some(v) if v != x => Err(()),
        _ => Ok(k),
    }
}

/// Distinct values over both samples: exact when the reference values are known,
/// otherwise a lower bound (the profile's count plus the current values outside its range).
fn numeric_distinct(col: &ColumnProfile, s: &NumericStats, b: &[f64]) -> usize {
    let mut new: Vec<f64> = match reference_values(col, s) {
        Some(vals) => b
            .iter()
            .copied()
            .filter(|&x| match_value(s, &vals, x).is_err())
            .collect(),
        None => b
            .iter()
            .copied()
            .filter(|&x| !(x >= s.min && x <= s.max))
            .collect(),
    };
    new.sort_unstable_by(f64::total_cmp);
    new.dedup();
    col.distinct as usize + new.len()
}

/// Counts per distinct value over both samples, in value order, when the reference values
/// can be read back (a value in a bin whose value is not known counts as that value);
/// otherwise per profile histogram bin plus one bin below and one above the range.
fn numeric_counts(col: &ColumnProfile, s: &NumericStats, b: &[f64]) -> (Vec<u64>, Vec<u64>) {
    if let Some(vals) = reference_values(col, s) {
        let mut cur = vec![0u64; vals.len()];
        let mut new = Vec::new();
        for &x in b {
            match match_value(s, &vals, x) {
                Ok(k) => cur[k] += 1,
                Err(()) => new.push(x),
            }
        }
        new.sort_unstable_by(f64::total_cmp);
        // (sort key, reference count, current count)
        let mut cats: Vec<(f64, u64, u64)> = vals
            .iter()
            .zip(&cur)
            .map(|(v, &c)| (v.value.unwrap_or(s.histogram.edges[v.bin]), v.count, c))
            .collect();
        for x in new {
            match cats.last_mut() {
                Some(l) if l.1 == 0 && l.0 == x => l.2 += 1,
                _ => cats.push((x, 0, 1)),
            }
        }
        cats.sort_by(|a, b| a.0.total_cmp(&b.0));
        return cats.iter().map(|c| (c.1, c.2)).unzip();
    }
    let h = &s.histogram;
    let bins = h.counts.len();
    // [below min] [histogram bins...] [above max]
    let mut rc = vec![0u64; bins + 2];
    rc[1..=bins].copy_from_slice(&h.counts);
    let mut cc = vec![0u64; bins + 2];
    for &x in b {
        let k = if x < s.min {
            0
        } else if x > s.max {
            bins + 1
        } else {
            1 + hist_bin(s, x)
        };
        cc[k] += 1;
    }
    (rc, cc)
}

/// Counts per category over the profile's categories and the current labels, sorted by
/// label; with a pooled "other" in the profile, one last bucket for it (and for current
/// labels the profile does not list). Returns the labels and the counts of each side.
fn category_counts(c: &CategoryStats, b: &[String]) -> (Vec<String>, Vec<u64>, Vec<u64>) {
    let mut map: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for t in &c.top {
        map.entry(t.value.as_str()).or_default().0 += t.count;
    }
    let mut other_current = 0u64;
    for l in b {
        match map.get_mut(l.as_str()) {
            Some(e) => e.1 += 1,
            None if c.other == 0 => map.entry(l.as_str()).or_default().1 += 1,
            None => other_current += 1,
        }
    }
    let mut labels: Vec<String> = map.keys().map(|&l| l.to_owned()).collect();
    let (mut rc, mut cc): (Vec<u64>, Vec<u64>) = map.values().copied().unzip();
    if c.other > 0 {
        labels.push("other".to_owned());
        rc.push(c.other);
        cc.push(other_current);
    }
    (labels, rc, cc)
}

/// PSI's bins for one column against its profile (see [`super::psi`]): the `psi` test of
/// the verdict and the monitor's chart ([`super::psi_bins`]) both lay them out here.
pub(super) fn psi_layout(
    col: &ColumnProfile,
    name: &str,
    current: &Side,
    opts: &PsiOptions,
) -> Result<PsiLayout, DriftError> {
    let (s, b) = match pair(col, name, current)? {
        Pair::Categories(c, b) => {
            let (labels, rc, cc) = category_counts(c, b);
            return Ok(PsiLayout::categories(labels, &rc, &cc));
        }
        Pair::Numbers(s, b) => (s, b),
    };
    if let Some(mut sample) = exact_sample(col, s) {
        // the profile holds every value: the bins of the raw-row test
        sort_f64(&mut sample);
        let edges = super::stats::psi_edges(&sample, opts);
        return Ok(PsiLayout::numeric_from_values(&edges, &sample, b));
    }
    let cdf = RefCdf::new(s).ok_or_else(|| {
        unsupported(
            name,
            TestKind::Psi,
            col.kind,
            "the reference profile holds no finite values to compare with; use a profile of data with finite numbers",
        )
    })?;
    let edges = profile_psi_edges(s, opts);
    let mut rc = Vec::with_capacity(edges.len() + 1);
    let mut below = 0.0;
    for &e in &edges {
        let at = cdf.right(e);
        rc.push((at - below).max(0.0));
        below = at;
    }
    rc.push((cdf.n - below).max(0.0));
    Ok(PsiLayout::numeric(&edges, rc, b))
}

/// PSI edges from the profile: reference quantiles (exact where the profile stores the
/// level) or equal widths over the exact range; made non-decreasing.
fn profile_psi_edges(s: &NumericStats, opts: &PsiOptions) -> Vec<f64> {
    let bins = opts.bins.max(2);
    let mut edges: Vec<f64> = (1..bins)
        .map(|i| {
            let q = i as f64 / bins as f64;
            match opts.binning {
                PsiBinning::Quantile => s
                    .quantiles
                    .iter()
                    .find(|l| (l.q - q).abs() < 1e-12 && l.value.is_finite())
                    .map_or_else(|| s.sketch.quantile(q), |l| l.value),
                PsiBinning::EqualWidth => s.min + (s.max - s.min) * q,
            }
        })
        .collect();
    for i in 1..edges.len() {
        if edges[i] < edges[i - 1] {
            edges[i] = edges[i - 1];
        }
    }
    edges
}

/// The reference CDF read from the sketch, in counts: knots at increasing `xs`, with the
/// count below (`left`) and at or below (`right`) each knot; linear in between.
struct RefCdf {
    xs: Vec<f64>,
    left: Vec<f64>,
    right: Vec<f64>,
    /// `slope[k]`: the CDF's slope between knots `k − 1` and `k` (`slope[0]` unused), so
    /// that the sweep over 100,000 current values multiplies instead of dividing.
    slope: Vec<f64>,
    n: f64,
}

impl RefCdf {
    fn new(s: &NumericStats) -> Option<RefCdf> {
        let sk = &s.sketch;
        let (lo, hi) = (sk.min, sk.max);
        if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
            return None;
        }
        let cents: Vec<[f64; 2]> = sk
            .centroids
            .iter()
            .filter(|c| c[0].is_finite() && c[1].is_finite() && c[1] > 0.0)
            .map(|c| [c[0].clamp(lo, hi), c[1]])
            .collect();
        // groups of equal means: (mean, weight, centroids in the run)
        let mut groups: Vec<(f64, f64, usize)> = Vec::new();
        for c in &cents {
            match groups.last_mut() {
                Some(g) if g.0 == c[0] => {
                    g.1 += c[1];
                    g.2 += 1;
                }
                // out-of-order centroids (a damaged profile): fold into the last group
                Some(g) if c[0] < g.0 => g.1 += c[1],
                _ => groups.push((c[0], c[1], 1)),
            }
        }
        // A blended centroid between two heavy atoms (runs of equal means) is taken as a
        // mix of those two values, split by its mean: exact when it is one.
        // (in a whole-number column a centroid with a whole mean is taken as one value)
        let integer = s.integer;
        let heavy = |g: &(f64, f64, usize)| g.2 >= 2 || (integer && g.0.fract() == 0.0);
        let mut i = 1;
        while i + 1 < groups.len() {
            let (a, m, b) = (groups[i - 1], groups[i], groups[i + 1]);
            if !heavy(&m) && m.1 > 1.0 && heavy(&a) && heavy(&b) && a.0 < m.0 && m.0 < b.0 {
                let to_a = m.1 * (b.0 - m.0) / (b.0 - a.0);
                groups[i - 1].1 += to_a;
                groups[i + 1].1 += m.1 - to_a;
                groups.remove(i);
            } else {
                i += 1;
            }
        }
        let (mut xs, mut left, mut right) = (Vec::new(), Vec::new(), Vec::new());
        let mut before = 0.0;
        for &(x, w, run) in &groups {
            // a run of equal means, or a single value, is an atom; a blended centroid
            // stands for half its weight on each side of its mean
            let (l, r) = if heavy(&(x, w, run)) || w <= 1.0 {
                (before, before + w)
            } else {
                (before + w / 2.0, before + w / 2.0)
            };
            xs.push(x);
            left.push(l);
            right.push(r);
            before += w;
        }
        let n = before;
        if n.is_nan() || n <= 0.0 {
            return None;
        }
        if xs.first().is_some_and(|&x| x > lo) {
            xs.insert(0, lo);
            left.insert(0, 0.0);
            right.insert(0, 0.0);
        }
        if xs.last().is_some_and(|&x| x < hi) {
            xs.push(hi);
            left.push(n);
            right.push(n);
        }
        let slope = (0..xs.len())
            .map(|k| match k {
                0 => 0.0,
                k => (left[k] - right[k - 1]) / (xs[k] - xs[k - 1]),
            })
            .collect();
        Some(RefCdf {
            xs,
            left,
            right,
            slope,
            n,
        })
    }

    /// The CDF (in counts) strictly between knots `k − 1` and `k`.
    fn between(&self, k: usize, x: f64) -> f64 {
        match k {
            0 => 0.0,
            k if k >= self.xs.len() => self.n,
            k => self.right[k - 1] + self.slope[k] * (x - self.xs[k - 1]),
        }
    }

    /// Count at or below `x`.
    fn right(&self, x: f64) -> f64 {
        let k = self.xs.partition_point(|&k| k <= x);
        match k.checked_sub(1) {
            Some(i) if self.xs[i] == x => self.right[i],
            _ => self.between(k, x),
        }
    }

    /// Count strictly below `x`.
    fn left(&self, x: f64) -> f64 {
        let k = self.xs.partition_point(|&k| k < x);
        match self.xs.get(k) {
            Some(&at) if at == x => self.left[k],
            _ => self.between(k, x),
        }
    }

    /// Calls `f(x, ref_left, ref_right, cur_left, cur_right)` (fractions below and at or
    /// below `x`) at every knot and every distinct current value, in increasing order.
    fn sweep(&self, cur: &[f64], mut f: impl FnMut(f64, f64, f64, f64, f64)) {
        let inv_n2 = 1.0 / cur.len().max(1) as f64;
        let inv_n = 1.0 / self.n;
        let (mut i, mut j) = (0usize, 0usize);
        loop {
            let x = match (self.xs.get(i), cur.get(j)) {
                (Some(&a), Some(&b)) => a.min(b),
                (Some(&a), None) => a,
                (None, Some(&b)) => b,
                (None, None) => break,
            };
            let below = j;
            while j < cur.len() && cur[j] <= x {
                j += 1;
            }
            let (rl, rr) = if self.xs.get(i) == Some(&x) {
                i += 1;
                (self.left[i - 1], self.right[i - 1])
            } else {
                let v = self.between(i, x);
                (v, v)
            };
            f(
                x,
                rl * inv_n,
                rr * inv_n,
                below as f64 * inv_n2,
                j as f64 * inv_n2,
            );
        }
    }

    /// `∫ |F_ref − F_cur| dx` against sorted, finite current values: exact for this
    /// piecewise-linear reference CDF.
    fn wasserstein(&self, cur: &[f64]) -> f64 {
        let mut total = 0.0;
        let mut prev: Option<(f64, f64, f64)> = None; // (x, ref right, cur right)
        self.sweep(cur, |x, rl, rr, _, cr| {
            if let Some((px, pr, pc)) = prev {
                let len = x - px;
                let (d0, d1) = (pr - pc, rl - pc);
                if len > 0.0 {
                    total += len
                        * if d0 * d1 >= 0.0 {
                            (d0.abs() + d1.abs()) / 2.0
                        } else {
                            (d0 * d0 + d1 * d1) / (2.0 * (d0.abs() + d1.abs()))
                        };
                }
            }
            prev = Some((x, rr, cr));
        });
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::{drift_report, ks_2samp, wasserstein};
    use crate::numeric::sorted;
    use crate::table::{read_csv, ReadOptions};

    fn table(csv: &str) -> Table {
        read_csv(csv.as_bytes(), &ReadOptions::default())
            .unwrap()
            .table
    }

    fn column_csv(name: &str, values: &[f64]) -> String {
        let mut s = format!("{name}\n");
        for v in values {
            s += &format!("{v}\n");
        }
        s
    }

    /// The CDF model of an exact sketch is the empirical CDF: KS and Wasserstein through
    /// the model (not the exact-sample shortcut) equal the raw values.
    #[test]
    fn model_of_exact_sketch_is_the_ecdf() {
        let r: Vec<f64> = (0..150).map(|i| ((i * 37) % 61) as f64 / 3.0).collect();
        let c: Vec<f64> = (0..90)
            .map(|i| ((i * 11) % 47) as f64 / 2.5 + 0.3)
            .collect();
        let p = Profile::from_table(&table(&column_csv("x", &r)), None).unwrap();
        let s = p.columns[0].numeric.as_ref().unwrap();
        let cdf = RefCdf::new(s).unwrap();
        let mut d = 0.0f64;
        cdf.sweep(&sorted(&c), |_, rl, rr, cl, cr| {
            d = d.max((rl - cl).abs()).max((rr - cr).abs());
        });
        let raw = ks_2samp(&r, &c).unwrap();
        assert!((ks_from_statistic(r.len(), c.len(), d).statistic - raw.statistic).abs() < 1e-12);
        let w = cdf.wasserstein(&sorted(&c));
        assert!((w - wasserstein(&r, &c).unwrap()).abs() < 1e-9, "{w}");
        for x in [-1.0, 0.0, 1.0 / 3.0, 5.5, 20.0, 100.0] {
            let want = r.iter().filter(|&&v| v <= x).count() as f64;
            assert_eq!(cdf.right(x), want, "x={x}");
            let want = r.iter().filter(|&&v| v < x).count() as f64;
            assert_eq!(cdf.left(x), want, "x={x}");
        }
    }

    #[test]
    fn small_profiles_give_the_raw_report() {
        let r: Vec<f64> = (0..120).map(|i| (i as f64 * 0.7).sin() * 3.0).collect();
        let c: Vec<f64> = (0..80)
            .map(|i| (i as f64 * 0.3).cos() * 2.0 + 0.5)
            .collect();
        let rt = table(&column_csv("x", &r));
        let ct = table(&column_csv("x", &c));
        let p = Profile::from_table(&rt, None).unwrap();
        for test in TestKind::ALL {
            if test == TestKind::Z {
                continue;
            }
            let o = DriftOptions {
                test: Some(test),
                ..Default::default()
            };
            let raw = drift_report(&rt, &ct, &o).unwrap();
            let mut prof = drift_report_from_profile(&p, &ct, &o).unwrap();
            // the std is summed in sorted order here, in row order there: the last bit
            let (a, b) = (raw.columns[0].statistic, prof.columns[0].statistic);
            assert!(
                a == b || (a - b).abs() <= 1e-12 * a.abs(),
                "{test}: {a} vs {b}"
            );
            prof.columns[0].statistic = a;
            assert_eq!(raw, prof, "{test}");
        }
    }

    #[test]
    fn low_cardinality_values_are_read_back() {
        let mut r = String::from("k,b\n");
        for i in 0..5000 {
            r += &format!("{},{}\n", [0, 1, 1, 2, 7][i % 5], i % 3 == 0);
        }
        let mut c = String::from("k,b\n");
        for i in 0..3000 {
            c += &format!("{},{}\n", [0, 1, 2, 2, 7, 9][i % 6], i % 2 == 0);
        }
        let (rt, ct) = (table(&r), table(&c));
        let p = Profile::from_table(&rt, None).unwrap();
        let s = p.columns[0].numeric.as_ref().unwrap();
        assert!(s.sketch.centroids.len() < 5000);
        let vals: Vec<(Option<f64>, u64)> = reference_values(&p.columns[0], s)
            .unwrap()
            .iter()
            .map(|v| (v.value, v.count))
            .collect();
        assert_eq!(
            vals,
            [
                (Some(0.0), 1000),
                (Some(1.0), 2000),
                (Some(2.0), 1000),
                (Some(7.0), 1000)
            ]
        );
        for test in [
            TestKind::Chisquare,
            TestKind::Jensenshannon,
            TestKind::Psi,
            TestKind::Ks,
        ] {
            let o = DriftOptions {
                test: Some(test),
                columns: Some(vec!["k".into()]),
                ..Default::default()
            };
            let raw = drift_report(&rt, &ct, &o).unwrap();
            let prof = drift_report_from_profile(&p, &ct, &o).unwrap();
            assert_eq!(raw, prof, "{test}");
        }
        // auto: low cardinality over both samples (5 values) and a boolean
        let o = DriftOptions::default();
        assert_eq!(
            drift_report(&rt, &ct, &o).unwrap(),
            drift_report_from_profile(&p, &ct, &o).unwrap()
        );
    }

    #[test]
    fn errors_name_the_column() {
        let p = Profile::from_table(&table("x,c\n1,a\n2,b\n"), None).unwrap();
        let e =
            drift_report_from_profile(&p, &table("y\n1\n"), &DriftOptions::default()).unwrap_err();
        assert!(
            matches!(e, DriftError::MissingColumn { ref column, side: "current", .. } if column == "x")
        );
        let o = DriftOptions {
            columns: Some(vec!["nope".into()]),
            ..Default::default()
        };
        let e = drift_report_from_profile(&p, &table("nope\n1\n"), &o).unwrap_err();
        assert!(
            e.to_string().contains("\"nope\"") && e.to_string().contains("x, c"),
            "{e}"
        );
        let e = drift_report_from_profile(&p, &table("x,c\na,1\nb,2\n"), &DriftOptions::default())
            .unwrap_err();
        assert!(matches!(e, DriftError::KindMismatch { ref column, .. } if column == "x"));
        let mut broken = p.clone();
        broken.columns[0].numeric = None;
        let e = drift_report_from_profile(&broken, &table("x,c\n1,a\n"), &DriftOptions::default())
            .unwrap_err();
        assert!(e.to_string().contains("\"x\""), "{e}");
        let o = DriftOptions {
            test: Some(TestKind::Ks),
            ..Default::default()
        };
        let e = drift_report_from_profile(&p, &table("x,c\n1,a\n"), &o).unwrap_err();
        assert!(matches!(e, DriftError::Unsupported { ref column, .. } if column == "c"));
    }

    #[test]
    fn hostile_sketch_does_not_panic() {
        let big: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let mut p = Profile::from_table(&table(&column_csv("x", &big)), None).unwrap();
        let s = p.columns[0].numeric.as_mut().unwrap();
        s.sketch.centroids = vec![[f64::NAN, 1.0], [5.0, -2.0], [9.0, 3.0], [2.0, 4.0]];
        s.sketch.min = 7.0;
        s.sketch.max = 1.0;
        let ct = table(&column_csv("x", &[1.0, 2.0, 3.0]));
        for test in TestKind::ALL {
            let o = DriftOptions {
                test: Some(test),
                ..Default::default()
            };
            let _ = drift_report_from_profile(&p, &ct, &o);
        }
        let s = p.columns[0].numeric.as_mut().unwrap();
        s.sketch.min = 0.0;
        s.sketch.max = 10.0;
        for test in TestKind::ALL {
            let o = DriftOptions {
                test: Some(test),
                ..Default::default()
            };
            let _ = drift_report_from_profile(&p, &ct, &o);
        }
    }
}
