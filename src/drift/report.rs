//! The per-column drift report over two tables.

use super::ks::ks_2samp_sorted;
use super::psi::PsiLayout;
use super::stats::{
    chisquare_gof, jensenshannon, population_std, psi_edges, psi_from_counts, wasserstein_sorted,
    z_test, PsiOptions, WASSERSTEIN_STD_FLOOR,
};
use super::DriftError;
use crate::numeric::sort_f64;
use crate::table::{Column, ColumnData, ColumnKind, Table, MISSING_CODE};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// A drift test, named as in the CLI and the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum TestKind {
    /// Two-sample Kolmogorov–Smirnov (p-value).
    Ks,
    /// Chi-square goodness of fit against the reference proportions (p-value).
    Chisquare,
    /// Two-proportion z-test (p-value).
    Z,
    /// Population Stability Index (distance).
    Psi,
    /// Jensen–Shannon distance, base 2 (distance).
    Jensenshannon,
    /// Wasserstein distance in reference standard deviations (distance).
    Wasserstein,
}

impl TestKind {
    /// All tests, in CLI order.
    pub const ALL: [TestKind; 6] = [
        TestKind::Ks,
        TestKind::Chisquare,
        TestKind::Z,
        TestKind::Psi,
        TestKind::Jensenshannon,
        TestKind::Wasserstein,
    ];

    /// The name used in the CLI and JSON.
    pub fn name(self) -> &'static str {
        match self {
            TestKind::Ks => "ks",
            TestKind::Chisquare => "chisquare",
            TestKind::Z => "z",
            TestKind::Psi => "psi",
            TestKind::Jensenshannon => "jensenshannon",
            TestKind::Wasserstein => "wasserstein",
        }
    }

    /// True for tests judged on a p-value (drift when `p < threshold`); false for distances
    /// (drift when `statistic >= threshold`).
    pub fn uses_p_value(self) -> bool {
        matches!(self, TestKind::Ks | TestKind::Chisquare | TestKind::Z)
    }

    /// The default threshold: 0.05 for p-value tests, 0.1 for distances.
    pub fn default_threshold(self) -> f64 {
        if self.uses_p_value() {
            0.05
        } else {
            0.1
        }
    }

    /// Parses a test name; `"auto"` gives `Ok(None)`.
    pub fn parse_choice(s: &str) -> Result<Option<TestKind>, DriftError> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(None);
        }
        s.parse().map(Some)
    }

    fn check_threshold(self, column: Option<&str>, value: f64) -> Result<(), DriftError> {
        let ok = if self.uses_p_value() {
            value > 0.0 && value < 1.0
        } else {
            value.is_finite() && value > 0.0
        };
        if ok {
            return Ok(());
        }
        Err(DriftError::InvalidThreshold {
            column: column.map(str::to_owned),
            test: self.name(),
            value,
            range: if self.uses_p_value() {
                "a p-value threshold lies strictly between 0 and 1 (0.05 is usual)"
            } else {
                "a distance threshold is a finite number above 0 (0.1 is usual)"
            },
        })
    }
}

impl fmt::Display for TestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TestKind {
    type Err = DriftError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        TestKind::ALL
            .into_iter()
            .find(|k| k.name() == t || (t == "js" && *k == TestKind::Jensenshannon))
            .ok_or_else(|| DriftError::UnknownTest(s.to_owned()))
    }
}

/// Per-column override of the test and/or threshold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ColumnOverride {
    /// The test to use (`None`: the global choice).
    pub test: Option<TestKind>,
    /// The threshold to use (`None`: the global threshold, else the test's default).
    pub threshold: Option<f64>,
}

/// Options for [`drift_report`]. `DriftOptions::default()` is Evidently's automatic setup.
///
/// ```
/// use driftlab::drift::{DriftOptions, TestKind};
/// let o = DriftOptions::default();
/// assert_eq!(o.test, None); // auto
/// assert_eq!(o.drift_share, 0.5);
/// assert_eq!(o.large_sample_rows, 1000);
/// assert_eq!(o.low_cardinality, 5);
/// let forced = DriftOptions { test: Some(TestKind::Psi), ..Default::default() };
/// # let _ = forced;
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct DriftOptions {
    /// The columns to test, in this order (`None`: every reference column). Default `None`.
    pub columns: Option<Vec<String>>,
    /// Force one test for every column (`None`: automatic choice). Default `None`.
    pub test: Option<TestKind>,
    /// Threshold for every column (`None`: each test's default, 0.05 or 0.1). Default `None`.
    pub threshold: Option<f64>,
    /// Per-column overrides, by column name. Default empty.
    pub per_column: BTreeMap<String, ColumnOverride>,
    /// The dataset drifts when `drifted / tested >= drift_share`. Default 0.5.
    pub drift_share: f64,
    /// Above this many non-missing reference rows the automatic choice switches from
    /// p-value tests to distances. Default 1000.
    pub large_sample_rows: usize,
    /// Numeric columns with at most this many distinct values (both samples together) are
    /// treated as categorical by the automatic choice. Default 5.
    pub low_cardinality: usize,
    /// PSI binning for numeric columns. Default: 10 reference-decile bins, clip 1e-4.
    pub psi: PsiOptions,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            columns: None,
            test: None,
            threshold: None,
            per_column: BTreeMap::new(),
            drift_share: 0.5,
            large_sample_rows: 1000,
            low_cardinality: 5,
            psi: PsiOptions::default(),
        }
    }
}

/// One column of a [`DriftReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ColumnDrift {
    /// Column name.
    pub name: String,
    /// Column kind.
    pub kind: ColumnKind,
    /// The test used.
    pub test: TestKind,
    /// The statistic (for `wasserstein`, the distance divided by the reference std).
    #[serde(serialize_with = "crate::numeric::serde_f64::serialize")]
    #[cfg_attr(ts, tsify(type = "number | 'inf' | '-inf' | null"))]
    pub statistic: f64,
    /// The p-value for `ks`, `chisquare`, `z`; `None` for distances.
    pub p_value: Option<f64>,
    /// The threshold applied (a p-value bound or a distance bound, see [`TestKind`]).
    pub threshold: f64,
    /// Whether the column drifted.
    pub drifted: bool,
    /// Why this test and threshold were chosen, in one sentence.
    pub reason: String,
    /// Missing cells in the reference column.
    pub missing_reference: u64,
    /// Missing cells in the current column.
    pub missing_current: u64,
}

/// The drift verdict over a set of columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct DriftReport {
    /// One entry per tested column, in order.
    pub columns: Vec<ColumnDrift>,
    /// How many columns drifted.
    pub drifted_columns: usize,
    /// `drifted_columns / columns.len()`.
    pub drift_share: f64,
    /// True when `drift_share >= DriftOptions::drift_share` (at least half by default).
    pub dataset_drift: bool,
}

/// Non-missing values of one column, on one side.
pub(super) enum Side {
    /// Sorted ascending in IEEE total order (sorted once here, so that every test and the
    /// distinct count read the same sorted values).
    Numeric(Vec<f64>),
    Labels(Vec<String>),
}

pub(super) fn extract(col: &Column) -> (Side, u64) {
    match &col.data {
        ColumnData::Numeric(v) => {
            let mut vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let missing = (v.len() - vals.len()) as u64;
            sort_f64(&mut vals);
            (Side::Numeric(vals), missing)
        }
        ColumnData::Categorical { codes, levels } => {
            let mut missing = 0u64;
            let mut out = Vec::with_capacity(codes.len());
            for &c in codes {
                match levels.get(c as usize) {
                    Some(l) if c != MISSING_CODE => out.push(l.clone()),
                    _ => missing += 1,
                }
            }
            (Side::Labels(out), missing)
        }
        ColumnData::Boolean(v) => {
            let mut missing = 0u64;
            let mut out = Vec::with_capacity(v.len());
            for b in v {
                match b {
                    Some(b) => out.push(b.to_string()),
                    None => missing += 1,
                }
            }
            (Side::Labels(out), missing)
        }
    }
}

/// Counts per category over the union of labels (sorted), for both sides.
pub(super) fn label_counts(r: &[String], c: &[String]) -> (Vec<String>, Vec<u64>, Vec<u64>) {
    let mut map: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for l in r {
        map.entry(l.as_str()).or_default().0 += 1;
    }
    for l in c {
        map.entry(l.as_str()).or_default().1 += 1;
    }
    let labels = map.keys().map(|s| s.to_string()).collect();
    let rc = map.values().map(|v| v.0).collect();
    let cc = map.values().map(|v| v.1).collect();
    (labels, rc, cc)
}

/// Walks the distinct values of two sorted samples in increasing order, calling
/// `f(value, count in r, count in c)` once per value (`-0.0` and `0.0` are one value).
fn merge_distinct(r: &[f64], c: &[f64], mut f: impl FnMut(f64, u64, u64)) {
    let (mut i, mut j) = (0usize, 0usize);
    loop {
        let x = match (r.get(i), c.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let (i0, j0) = (i, j);
        while i < r.len() && r[i] <= x {
            i += 1;
        }
        while j < c.len() && c[j] <= x {
            j += 1;
        }
        f(x, (i - i0) as u64, (j - j0) as u64);
    }
}

/// Counts per distinct numeric value (ascending), for both sides; `r` and `c` are sorted.
pub(super) fn value_counts(r: &[f64], c: &[f64]) -> (Vec<f64>, Vec<u64>, Vec<u64>) {
    let (mut all, mut rc, mut cc) = (Vec::new(), Vec::new(), Vec::new());
    merge_distinct(r, c, |x, a, b| {
        all.push(x);
        rc.push(a);
        cc.push(b);
    });
    (all, rc, cc)
}

/// Distinct values over two sorted samples.
pub(super) fn distinct_numeric(r: &[f64], c: &[f64]) -> usize {
    let mut n = 0;
    merge_distinct(r, c, |_, _, _| n += 1);
    n
}

/// Equal-width bins for Jensen–Shannon on numeric columns (Evidently's 30).
pub(super) const JS_BINS: usize = 30;

/// The finite `(min, max)` of some values; `(+∞, −∞)` when there is none.
pub(super) fn finite_range<'a>(values: impl Iterator<Item = &'a f64>) -> (f64, f64) {
    values
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// The histogram range for a combined finite `(min, max)`: `[0, 1]` when there is no finite
/// value, `[x − 0.5, x + 0.5]` for a single value.
pub(super) fn histogram_range(lo: f64, hi: f64) -> (f64, f64) {
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

/// The bin of `x` among `bins` equal-width bins over `[lo, hi]` (`hi > lo`): left-closed,
/// everything at or below `lo` in the first bin and at or above `hi` in the last.
pub(super) fn histogram_bin(x: f64, lo: f64, hi: f64, bins: usize) -> usize {
    let width = (hi - lo) / bins as f64;
    if x <= lo {
        0
    } else if x >= hi {
        bins - 1
    } else {
        (((x - lo) / width) as usize).min(bins - 1)
    }
}

/// Evidently-style histogram: `bins` equal-width bins over the combined finite range.
fn histogram_counts(r: &[f64], c: &[f64], bins: usize) -> (Vec<f64>, Vec<f64>) {
    let (lo, hi) = finite_range(r.iter().chain(c));
    let (lo, hi) = histogram_range(lo, hi);
    let mut rc = vec![0.0; bins];
    let mut cc = vec![0.0; bins];
    for &x in r {
        rc[histogram_bin(x, lo, hi, bins)] += 1.0;
    }
    for &x in c {
        cc[histogram_bin(x, lo, hi, bins)] += 1.0;
    }
    (rc, cc)
}

/// A test's result on one column.
pub(super) struct Outcome {
    pub(super) statistic: f64,
    pub(super) p_value: Option<f64>,
}

pub(super) fn unsupported(name: &str, test: TestKind, kind: ColumnKind, hint: &str) -> DriftError {
    DriftError::Unsupported {
        column: name.to_owned(),
        test: test.name(),
        kind,
        hint: hint.to_owned(),
    }
}

/// Puts the column name into the errors of the slice-level functions.
pub(super) fn with_column(name: &str, e: DriftError) -> DriftError {
    match e {
        DriftError::EmptySample { side, .. } => DriftError::EmptySample {
            column: Some(name.to_owned()),
            side,
        },
        DriftError::NotANumber { side, .. } => DriftError::NotANumber {
            column: Some(name.to_owned()),
            side,
        },
        other => other,
    }
}

pub(super) const NEEDS_NUMBERS: &str =
    "it needs numbers; use chisquare, z, psi or jensenshannon for categories";

/// The tests that work on counts per category (or per distinct value): chi-square, z, PSI
/// and Jensen–Shannon. `rc` and `cc` are aligned, in sorted category order.
pub(super) fn counts_outcome(
    name: &str,
    kind: ColumnKind,
    test: TestKind,
    rc: &[u64],
    cc: &[u64],
    opts: &DriftOptions,
) -> Result<Outcome, DriftError> {
    let with_col = |e| with_column(name, e);
    match test {
        TestKind::Chisquare => {
            let t = chisquare_gof(rc, cc).map_err(with_col)?;
            Ok(Outcome {
                statistic: t.statistic,
                p_value: Some(t.p_value),
            })
        }
        TestKind::Z => {
            if rc.len() > 2 {
                return Err(unsupported(
                    name,
                    test,
                    kind,
                    &format!(
                        "it needs a binary column and this one has {} values; use chisquare",
                        rc.len()
                    ),
                ));
            }
            // Success = the first value in sorted order ("false" < "true" for booleans).
            let (rn, cn): (u64, u64) = (rc.iter().sum(), cc.iter().sum());
            let (r0, c0) = (
                rc.first().copied().unwrap_or(0),
                cc.first().copied().unwrap_or(0),
            );
            let t = z_test(r0, rn, c0, cn).map_err(with_col)?;
            Ok(Outcome {
                statistic: t.statistic,
                p_value: Some(t.p_value),
            })
        }
        TestKind::Psi | TestKind::Jensenshannon => {
            let rf: Vec<f64> = rc.iter().map(|&x| x as f64).collect();
            let cf: Vec<f64> = cc.iter().map(|&x| x as f64).collect();
            let statistic = if test == TestKind::Psi {
                psi_from_counts(&rf, &cf, opts.psi.epsilon)
            } else {
                jensenshannon(&rf, &cf)
            };
            Ok(Outcome {
                statistic: statistic.map_err(with_col)?,
                p_value: None,
            })
        }
        TestKind::Ks | TestKind::Wasserstein => Err(unsupported(name, test, kind, NEEDS_NUMBERS)),
    }
}

/// Runs `test` on raw rows on both sides; `distinct` counts both samples together.
pub(super) fn run_test(
    name: &str,
    kind: ColumnKind,
    test: TestKind,
    r: &Side,
    c: &Side,
    distinct: usize,
    opts: &DriftOptions,
) -> Result<Outcome, DriftError> {
    let with_col = |e| with_column(name, e);
    match (test, r, c) {
        (TestKind::Ks, Side::Numeric(a), Side::Numeric(b)) => {
            let res = ks_2samp_sorted(a, b);
            Ok(Outcome {
                statistic: res.statistic,
                p_value: Some(res.p_value),
            })
        }
        (TestKind::Wasserstein, Side::Numeric(a), Side::Numeric(b)) => {
            let w = wasserstein_sorted(a, b);
            let sd = population_std(a);
            Ok(Outcome {
                statistic: w / sd.max(WASSERSTEIN_STD_FLOOR),
                p_value: None,
            })
        }
        (TestKind::Ks | TestKind::Wasserstein, _, _) => {
            Err(unsupported(name, test, kind, NEEDS_NUMBERS))
        }
        (TestKind::Psi, Side::Numeric(a), Side::Numeric(b)) => {
            let layout = PsiLayout::numeric_from_values(&psi_edges(a, &opts.psi), a, b);
            Ok(Outcome {
                statistic: layout.statistic(opts.psi.epsilon).map_err(with_col)?,
                p_value: None,
            })
        }
        (TestKind::Jensenshannon, Side::Numeric(a), Side::Numeric(b))
            if distinct > opts.low_cardinality =>
        {
            let (rc, cc) = histogram_counts(a, b, JS_BINS);
            Ok(Outcome {
                statistic: jensenshannon(&rc, &cc).map_err(with_col)?,
                p_value: None,
            })
        }
        _ => {
            let (rc, cc) = match (r, c) {
                (Side::Numeric(a), Side::Numeric(b)) => {
                    let (_, rc, cc) = value_counts(a, b);
                    (rc, cc)
                }
                (Side::Labels(a), Side::Labels(b)) => {
                    let (_, rc, cc) = label_counts(a, b);
                    (rc, cc)
                }
                _ => {
                    return Err(DriftError::InvalidInput(format!(
                        "column {name:?}: the two sides differ in kind"
                    )))
                }
            };
            counts_outcome(name, kind, test, &rc, &cc, opts)
        }
    }
}

fn auto_choice(
    kind: ColumnKind,
    n_ref: usize,
    distinct: usize,
    opts: &DriftOptions,
) -> (TestKind, String) {
    let small = n_ref <= opts.large_sample_rows;
    let numeric_many = kind == ColumnKind::Numeric && distinct > opts.low_cardinality;
    let what = match kind {
        ColumnKind::Numeric if numeric_many => format!("numeric with {distinct} distinct values"),
        ColumnKind::Numeric => format!(
            "numeric with only {distinct} distinct values (≤ {}), treated as categorical",
            opts.low_cardinality
        ),
        ColumnKind::Categorical => format!("categorical with {distinct} categories"),
        ColumnKind::Boolean => format!("boolean with {distinct} distinct values"),
    };
    let size = if small {
        format!("{n_ref} reference rows (≤ {})", opts.large_sample_rows)
    } else {
        format!("{n_ref} reference rows (> {})", opts.large_sample_rows)
    };
    let test = match (small, numeric_many) {
        (true, true) => TestKind::Ks,
        (true, false) if distinct > 2 => TestKind::Chisquare,
        (true, false) => TestKind::Z,
        (false, true) => TestKind::Wasserstein,
        (false, false) => TestKind::Jensenshannon,
    };
    (test, format!("auto: {what} and {size}"))
}

fn describe(test: TestKind, threshold: f64) -> String {
    match test {
        TestKind::Ks => format!("Kolmogorov–Smirnov, drift when p < {threshold}"),
        TestKind::Chisquare => {
            format!("chi-square against the reference proportions, drift when p < {threshold}")
        }
        TestKind::Z => format!("two-proportion z-test, drift when p < {threshold}"),
        TestKind::Psi => format!("PSI, drift when PSI ≥ {threshold}"),
        TestKind::Jensenshannon => {
            format!("Jensen–Shannon distance (base 2), drift when ≥ {threshold}")
        }
        TestKind::Wasserstein => {
            format!(
                "Wasserstein distance in reference standard deviations, drift when ≥ {threshold}"
            )
        }
    }
}

/// The reference side of one column, ready to be tested against current values.
pub(super) trait ReferenceColumn {
    /// The column kind.
    fn kind(&self) -> ColumnKind;
    /// Missing cells.
    fn missing(&self) -> u64;
    /// Non-missing cells.
    fn count(&self) -> usize;
    /// Distinct non-missing values over both samples (the automatic choice uses it).
    fn distinct_with(&self, current: &Side) -> usize;
    /// Runs `test` against the current values.
    fn run(
        &self,
        name: &str,
        test: TestKind,
        current: &Side,
        distinct: usize,
        opts: &DriftOptions,
    ) -> Result<Outcome, DriftError>;
}

/// Where the reference comes from: raw rows (a [`Table`]) or a stored profile.
pub(super) trait Reference {
    /// Column names, in order.
    fn names(&self) -> Vec<&str>;
    /// One column's reference side, if there is such a column.
    fn reference_column<'a>(&'a self, name: &str) -> Option<Box<dyn ReferenceColumn + 'a>>;
}

struct RowsColumn {
    kind: ColumnKind,
    side: Side,
    missing: u64,
}

impl ReferenceColumn for RowsColumn {
    fn kind(&self) -> ColumnKind {
        self.kind
    }
    fn missing(&self) -> u64 {
        self.missing
    }
    fn count(&self) -> usize {
        match &self.side {
            Side::Numeric(v) => v.len(),
            Side::Labels(v) => v.len(),
        }
    }
    fn distinct_with(&self, current: &Side) -> usize {
        match (&self.side, current) {
            (Side::Numeric(a), Side::Numeric(b)) => distinct_numeric(a, b),
            (Side::Labels(a), Side::Labels(b)) => label_counts(a, b).0.len(),
            _ => 0,
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
        run_test(name, self.kind, test, &self.side, current, distinct, opts)
    }
}

impl Reference for Table {
    fn names(&self) -> Vec<&str> {
        self.columns().iter().map(|c| c.name.as_str()).collect()
    }
    fn reference_column<'a>(&'a self, name: &str) -> Option<Box<dyn ReferenceColumn + 'a>> {
        let col = self.column(name)?;
        let (side, missing) = extract(col);
        Some(Box::new(RowsColumn {
            kind: col.kind(),
            side,
            missing,
        }))
    }
}

/// Tests each column of `reference` (or `options.columns`) against the same column of
/// `current` and gives the dataset verdict. See the [module docs](crate::drift) for the
/// tests, the automatic choice and the conventions.
///
/// Errors name the column and the fix: a column missing from either table, kinds that
/// differ, a side with no non-missing values, a test that does not apply, a bad threshold.
pub fn drift_report(
    reference: &Table,
    current: &Table,
    options: &DriftOptions,
) -> Result<DriftReport, DriftError> {
    report_against(reference, current, options)
}

/// The report over any [`Reference`]: the choice of test and threshold, the checks and the
/// verdict are the same whatever the reference is.
pub(super) fn report_against(
    reference: &dyn Reference,
    current: &Table,
    options: &DriftOptions,
) -> Result<DriftReport, DriftError> {
    if !(options.drift_share > 0.0 && options.drift_share <= 1.0) {
        return Err(DriftError::InvalidInput(format!(
            "drift_share {} is invalid: use a share in (0, 1], e.g. 0.5 for \"at least half the columns\"",
            options.drift_share
        )));
    }
    options.psi.check()?;
    let ref_names = reference.names();
    let names: Vec<String> = match &options.columns {
        Some(cols) => cols.clone(),
        None => ref_names.iter().map(|c| c.to_string()).collect(),
    };
    if names.is_empty() {
        return Err(DriftError::InvalidInput(
            "no columns to test: the reference has no columns or the column list is empty".into(),
        ));
    }
    let missing_reference = |name: &str| DriftError::MissingColumn {
        column: name.to_owned(),
        side: "reference",
        available: ref_names.join(", "),
    };
    for name in options.per_column.keys() {
        if !ref_names.contains(&name.as_str()) {
            return Err(missing_reference(name));
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in &names {
        if !seen.insert(name.as_str()) {
            continue;
        }
        let rcol = reference
            .reference_column(name)
            .ok_or_else(|| missing_reference(name))?;
        let ccol = current
            .column(name)
            .ok_or_else(|| DriftError::MissingColumn {
                column: name.clone(),
                side: "current",
                available: current
                    .columns()
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let kind = rcol.kind();
        if ccol.kind() != kind {
            return Err(DriftError::KindMismatch {
                column: name.clone(),
                reference: kind,
                current: ccol.kind(),
            });
        }
        let (c, missing_current) = extract(ccol);
        let n_ref = rcol.count();
        let n_cur = match &c {
            Side::Numeric(v) => v.len(),
            Side::Labels(v) => v.len(),
        };
        if n_ref == 0 {
            return Err(DriftError::EmptySample {
                column: Some(name.clone()),
                side: "reference",
            });
        }
        if n_cur == 0 {
            return Err(DriftError::EmptySample {
                column: Some(name.clone()),
                side: "current",
            });
        }
        let distinct = rcol.distinct_with(&c);
        let ov = options.per_column.get(name);
        let (test, mut reason) = if let Some(t) = ov.and_then(|o| o.test) {
            (t, "set for this column".to_owned())
        } else if let Some(t) = options.test {
            (t, "set for all columns".to_owned())
        } else {
            auto_choice(kind, n_ref, distinct, options)
        };
        let threshold = if let Some(t) = ov.and_then(|o| o.threshold) {
            test.check_threshold(Some(name), t)?;
            reason.push_str("; threshold set for this column");
            t
        } else if let Some(t) = options.threshold {
            test.check_threshold(None, t)?;
            reason.push_str("; threshold set for all columns");
            t
        } else {
            test.default_threshold()
        };
        let o = rcol.run(name, test, &c, distinct, options)?;
        let drifted = match o.p_value {
            Some(p) => p < threshold,
            None => o.statistic >= threshold,
        };
        out.push(ColumnDrift {
            name: name.clone(),
            kind,
            test,
            statistic: o.statistic,
            p_value: o.p_value,
            threshold,
            drifted,
            reason: format!("{reason}: {}.", describe(test, threshold)),
            missing_reference: rcol.missing(),
            missing_current,
        });
    }
    let drifted_columns = out.iter().filter(|c| c.drifted).count();
    let drift_share = drifted_columns as f64 / out.len() as f64;
    Ok(DriftReport {
        drifted_columns,
        drift_share,
        dataset_drift: drift_share >= options.drift_share,
        columns: out,
    })
}
