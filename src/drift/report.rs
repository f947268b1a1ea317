//! The per-column drift report over two tables.

use super::ks::{ks_2samp_sorted, sorted};
use super::stats::{
    bin_of, chisquare_gof, jensenshannon, population_std, psi_edges, psi_from_counts,
    wasserstein_sorted, z_test, PsiOptions, WASSERSTEIN_STD_FLOOR,
};
use super::DriftError;
use crate::table::{Column, ColumnData, ColumnKind, Table, MISSING_CODE};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// A drift test, named as in the CLI and the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

fn ser_f64<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else if x.is_nan() {
        s.serialize_none()
    } else {
        s.serialize_str(if *x > 0.0 { "inf" } else { "-inf" })
    }
}

/// One column of a [`DriftReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnDrift {
    /// Column name.
    pub name: String,
    /// Column kind.
    pub kind: ColumnKind,
    /// The test used.
    pub test: TestKind,
    /// The statistic (for `wasserstein`, the distance divided by the reference std).
    #[serde(serialize_with = "ser_f64")]
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
enum Side {
    Numeric(Vec<f64>),
    Labels(Vec<String>),
}

fn extract(col: &Column) -> (Side, u64) {
    match &col.data {
        ColumnData::Numeric(v) => {
            let vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let missing = (v.len() - vals.len()) as u64;
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
fn label_counts(r: &[String], c: &[String]) -> (Vec<String>, Vec<u64>, Vec<u64>) {
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

/// Counts per distinct numeric value (sorted), for both sides.
fn value_counts(r: &[f64], c: &[f64]) -> (Vec<f64>, Vec<u64>, Vec<u64>) {
    let mut all: Vec<f64> = r.iter().chain(c).copied().collect();
    all.sort_unstable_by(|a, b| a.total_cmp(b));
    all.dedup();
    let mut rc = vec![0u64; all.len()];
    let mut cc = vec![0u64; all.len()];
    for &x in r {
        if let Ok(i) = all.binary_search_by(|p| p.total_cmp(&x)) {
            rc[i] += 1;
        }
    }
    for &x in c {
        if let Ok(i) = all.binary_search_by(|p| p.total_cmp(&x)) {
            cc[i] += 1;
        }
    }
    (all, rc, cc)
}

fn distinct_numeric(r: &[f64], c: &[f64]) -> usize {
    let mut all: Vec<f64> = r.iter().chain(c).copied().collect();
    all.sort_unstable_by(|a, b| a.total_cmp(b));
    all.dedup();
    all.len()
}

/// Evidently-style histogram: `bins` equal-width bins over the combined finite range.
fn histogram_counts(r: &[f64], c: &[f64], bins: usize) -> (Vec<f64>, Vec<f64>) {
    let finite = r.iter().chain(c).filter(|x| x.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
        (lo.min(x), hi.max(x))
    });
    let (lo, hi) = if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let width = (hi - lo) / bins as f64;
    let index = |x: f64| -> usize {
        if x <= lo {
            0
        } else if x >= hi {
            bins - 1
        } else {
            (((x - lo) / width) as usize).min(bins - 1)
        }
    };
    let mut rc = vec![0.0; bins];
    let mut cc = vec![0.0; bins];
    for &x in r {
        rc[index(x)] += 1.0;
    }
    for &x in c {
        cc[index(x)] += 1.0;
    }
    (rc, cc)
}

struct Outcome {
    statistic: f64,
    p_value: Option<f64>,
}

fn unsupported(name: &str, test: TestKind, kind: ColumnKind, hint: &str) -> DriftError {
    DriftError::Unsupported {
        column: name.to_owned(),
        test: test.name(),
        kind,
        hint: hint.to_owned(),
    }
}

fn run_test(
    name: &str,
    kind: ColumnKind,
    test: TestKind,
    r: &Side,
    c: &Side,
    opts: &DriftOptions,
) -> Result<Outcome, DriftError> {
    let with_col = |e: DriftError| match e {
        DriftError::EmptySample { side, .. } => DriftError::EmptySample {
            column: Some(name.to_owned()),
            side,
        },
        DriftError::NotANumber { side, .. } => DriftError::NotANumber {
            column: Some(name.to_owned()),
            side,
        },
        other => other,
    };
    match (test, r, c) {
        (TestKind::Ks, Side::Numeric(a), Side::Numeric(b)) => {
            let res = ks_2samp_sorted(&sorted(a), &sorted(b));
            Ok(Outcome {
                statistic: res.statistic,
                p_value: Some(res.p_value),
            })
        }
        (TestKind::Wasserstein, Side::Numeric(a), Side::Numeric(b)) => {
            let w = wasserstein_sorted(&sorted(a), &sorted(b));
            let sd = population_std(a);
            Ok(Outcome {
                statistic: w / sd.max(WASSERSTEIN_STD_FLOOR),
                p_value: None,
            })
        }
        (TestKind::Ks | TestKind::Wasserstein, _, _) => Err(unsupported(
            name,
            test,
            kind,
            "it needs numbers; use chisquare, z, psi or jensenshannon for categories",
        )),
        (TestKind::Psi, Side::Numeric(a), Side::Numeric(b)) => {
            let s = sorted(a);
            let edges = psi_edges(&s, &opts.psi);
            let mut rc = vec![0.0; edges.len() + 1];
            let mut cc = vec![0.0; edges.len() + 1];
            for &x in a {
                rc[bin_of(&edges, x)] += 1.0;
            }
            for &x in b {
                cc[bin_of(&edges, x)] += 1.0;
            }
            Ok(Outcome {
                statistic: psi_from_counts(&rc, &cc, opts.psi.epsilon).map_err(with_col)?,
                p_value: None,
            })
        }
        (TestKind::Jensenshannon, Side::Numeric(a), Side::Numeric(b))
            if distinct_numeric(a, b) > opts.low_cardinality =>
        {
            let (rc, cc) = histogram_counts(a, b, 30);
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
            match test {
                TestKind::Chisquare => {
                    let t = chisquare_gof(&rc, &cc).map_err(with_col)?;
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
                            &format!("it needs a binary column and this one has {} values; use chisquare", rc.len()),
                        ));
                    }
                    // Success = the first value in sorted order ("false" < "true" for booleans).
                    let (rn, cn): (u64, u64) = (rc.iter().sum(), cc.iter().sum());
                    let t = z_test(rc[0], rn, cc[0], cn).map_err(with_col)?;
                    Ok(Outcome {
                        statistic: t.statistic,
                        p_value: Some(t.p_value),
                    })
                }
                TestKind::Psi => {
                    let rf: Vec<f64> = rc.iter().map(|&x| x as f64).collect();
                    let cf: Vec<f64> = cc.iter().map(|&x| x as f64).collect();
                    Ok(Outcome {
                        statistic: psi_from_counts(&rf, &cf, opts.psi.epsilon).map_err(with_col)?,
                        p_value: None,
                    })
                }
                _ => {
                    let rf: Vec<f64> = rc.iter().map(|&x| x as f64).collect();
                    let cf: Vec<f64> = cc.iter().map(|&x| x as f64).collect();
                    Ok(Outcome {
                        statistic: jensenshannon(&rf, &cf).map_err(with_col)?,
                        p_value: None,
                    })
                }
            }
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
    if !(options.drift_share > 0.0 && options.drift_share <= 1.0) {
        return Err(DriftError::InvalidInput(format!(
            "drift_share {} is invalid: use a share in (0, 1], e.g. 0.5 for \"at least half the columns\"",
            options.drift_share
        )));
    }
    let names: Vec<String> = match &options.columns {
        Some(cols) => cols.clone(),
        None => reference.columns().iter().map(|c| c.name.clone()).collect(),
    };
    if names.is_empty() {
        return Err(DriftError::InvalidInput(
            "no columns to test: the reference has no columns or the column list is empty".into(),
        ));
    }
    for name in options.per_column.keys() {
        if reference.column(name).is_none() {
            return Err(DriftError::MissingColumn {
                column: name.clone(),
                side: "reference",
                available: reference
                    .columns()
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in &names {
        if !seen.insert(name.as_str()) {
            continue;
        }
        let available = |t: &Table| {
            t.columns()
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rcol = reference
            .column(name)
            .ok_or_else(|| DriftError::MissingColumn {
                column: name.clone(),
                side: "reference",
                available: available(reference),
            })?;
        let ccol = current
            .column(name)
            .ok_or_else(|| DriftError::MissingColumn {
                column: name.clone(),
                side: "current",
                available: available(current),
            })?;
        let kind = rcol.kind();
        if ccol.kind() != kind {
            return Err(DriftError::KindMismatch {
                column: name.clone(),
                reference: kind,
                current: ccol.kind(),
            });
        }
        let (r, missing_reference) = extract(rcol);
        let (c, missing_current) = extract(ccol);
        let (n_ref, n_cur, distinct) = match (&r, &c) {
            (Side::Numeric(a), Side::Numeric(b)) => (a.len(), b.len(), distinct_numeric(a, b)),
            (Side::Labels(a), Side::Labels(b)) => (a.len(), b.len(), label_counts(a, b).0.len()),
            _ => (0, 0, 0),
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
        let o = run_test(name, kind, test, &r, &c, options)?;
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
            missing_reference,
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
