//! Profiles: a per-column summary of a table, the reference that drift is measured against.
//!
//! A [`Profile`] counts rows, missing cells and distinct values, keeps moments, quantiles
//! and a histogram for numeric columns and category counts for the others, and raises
//! data-quality [`Warning`]s. It is serializable (it travels inside every model artifact)
//! and mergeable: [`Profile::merge`] of the profiles of two halves of a table gives the
//! profile of the whole —
//! - exactly for row, missing, infinite and category counts, min, max, mean and std
//!   (moments merge by Chan's formula; equal up to floating-point rounding);
//! - approximately for quantiles and the histogram, which a merged profile estimates from
//!   the merged [`Sketch`] (a t-digest of about 100 centroids): within 1% of the range
//!   for smooth data (tested);
//! - as a lower bound for numeric distinct counts (`distinct_exact` turns false) and for
//!   duplicate rows (a duplicate split across the halves is not seen).
//!
//! A profile made from a table has exact quantiles (linear interpolation between order
//! statistics, NumPy's default) and an exact 20-bin histogram.

use crate::numeric::sort_f64;
// the median imputer (prep) reads it from here too
pub(crate) use crate::numeric::exact_quantile;
use crate::table::{Column, ColumnData, ColumnKind, Fnv, Table, MISSING_CODE};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

mod sketch;
pub use sketch::{Sketch, DELTA as SKETCH_DELTA};

/// The quantile levels every numeric column reports (deciles included, for PSI bins).
pub const QUANTILE_LEVELS: [f64; 13] = [
    0.0, 0.01, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 0.8, 0.9, 0.95, 0.99, 1.0,
];
/// Bins in a numeric histogram.
pub const HISTOGRAM_BINS: usize = 20;
/// Categories counted one by one per column; the rest are summed in `other`.
pub const MAX_CATEGORIES: usize = 1000;

/// The profile of a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Profile {
    /// Rows in the table.
    pub rows: u64,
    /// Rows identical to an earlier row.
    pub duplicate_rows: u64,
    /// The target column the class-balance check used, if any.
    pub target: Option<String>,
    /// One profile per column, in table order.
    pub columns: Vec<ColumnProfile>,
    /// Table-level warnings (duplicate rows, class imbalance).
    pub warnings: Vec<Warning>,
}

/// The profile of one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// Column kind.
    pub kind: ColumnKind,
    /// Cells with a value (infinite numbers included).
    pub count: u64,
    /// Missing cells.
    pub missing: u64,
    /// Distinct values among the present cells.
    pub distinct: u64,
    /// False when `distinct` is a lower bound (numeric columns after a merge).
    pub distinct_exact: bool,
    /// Quality warnings for this column.
    pub warnings: Vec<Warning>,
    /// Moments, quantiles and histogram, for numeric columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericStats>,
    /// Category counts, for categorical and boolean columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<CategoryStats>,
}

/// Summary of the finite values of a numeric column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct NumericStats {
    /// Smallest finite value (0 when there is none).
    pub min: f64,
    /// Largest finite value (0 when there is none).
    pub max: f64,
    /// Mean of the finite values.
    pub mean: f64,
    /// Sample standard deviation (n − 1) of the finite values; 0 for fewer than two.
    pub std: f64,
    /// Infinite cells (counted in `count`, left out of the moments).
    pub infinite: u64,
    /// True when every finite value is a whole number.
    pub integer: bool,
    /// Quantiles at [`QUANTILE_LEVELS`].
    pub quantiles: Vec<Quantile>,
    /// Equal-width histogram over `[min, max]`.
    pub histogram: Histogram,
    /// Sum of squared deviations from the mean (for merging).
    pub m2: f64,
    /// The quantile sketch of the finite values (for merging and for drift tests).
    pub sketch: Sketch,
}

/// One quantile.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Quantile {
    /// The level, in [0, 1].
    pub q: f64,
    /// The value.
    pub value: f64,
}

/// An equal-width histogram: `counts[i]` values in `[edges[i], edges[i+1])`, the last bin closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Histogram {
    /// Bin edges, one more than the counts.
    pub edges: Vec<f64>,
    /// Values per bin.
    pub counts: Vec<u64>,
}

/// Category counts of a categorical or boolean column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct CategoryStats {
    /// Distinct categories.
    pub distinct: u64,
    /// The most frequent categories (at most [`MAX_CATEGORIES`]), by count then name.
    pub top: Vec<CategoryCount>,
    /// Cells in categories not listed in `top`.
    pub other: u64,
}

/// One category and its count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct CategoryCount {
    /// The category (`true`/`false` for booleans).
    pub value: String,
    /// Cells holding it.
    pub count: u64,
}

/// A data-quality warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Warning {
    /// A stable code: `all_missing`, `mostly_missing`, `constant`, `likely_id`,
    /// `high_cardinality`, `infinite_values`, `duplicate_rows`, `class_imbalance`,
    /// `target_missing`.
    pub code: String,
    /// The column it is about, if any.
    pub column: Option<String>,
    /// A sentence that says what and why it matters.
    pub message: String,
}

/// What went wrong making or merging profiles.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ProfileError {
    /// The target column is not in the table.
    #[error("there is no column {column:?} to use as the target; the columns are: {available}")]
    UnknownTarget {
        /// The name given.
        column: String,
        /// The names there are.
        available: String,
    },
    /// Profiles of tables with different columns.
    #[error("the profiles describe different tables: column {index} is {left:?} in one and {right:?} in the other; merge profiles of the same columns, in the same order")]
    Mismatch {
        /// 1-based column position.
        index: usize,
        /// Name and kind on the left.
        left: String,
        /// Name and kind on the right.
        right: String,
    },
}

impl Profile {
    /// Profiles a table. With a `target`, the class balance of that column is checked.
    pub fn from_table(table: &Table, target: Option<&str>) -> Result<Profile, ProfileError> {
        if let Some(t) = target {
            if table.column(t).is_none() {
                return Err(ProfileError::UnknownTarget {
                    column: t.to_owned(),
                    available: table.column_names().join(", "),
                });
            }
        }
        let columns = table
            .columns()
            .iter()
            .map(ColumnProfile::from_column)
            .collect();
        let mut profile = Profile {
            rows: table.rows() as u64,
            duplicate_rows: duplicate_rows(table),
            target: target.map(str::to_owned),
            columns,
            warnings: Vec::new(),
        };
        profile.refresh_warnings();
        Ok(profile)
    }

    /// The profile of a column by name.
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Merges the profiles of two tables with the same columns (see the module docs for
    /// what is exact).
    pub fn merge(&self, other: &Profile) -> Result<Profile, ProfileError> {
        let label = |c: &ColumnProfile| format!("{} ({})", c.name, c.kind);
        let mut columns = Vec::with_capacity(self.columns.len());
        for (i, (a, b)) in self.columns.iter().zip(&other.columns).enumerate() {
            if a.name != b.name || a.kind != b.kind {
                return Err(ProfileError::Mismatch {
                    index: i + 1,
                    left: label(a),
                    right: label(b),
                });
            }
            columns.push(a.merge(b));
        }
        if self.columns.len() != other.columns.len() {
            let index = columns.len() + 1;
            let side = |p: &Profile| p.columns.get(index - 1).map_or("nothing".to_owned(), label);
            return Err(ProfileError::Mismatch {
                index,
                left: side(self),
                right: side(other),
            });
        }
        let mut merged = Profile {
            rows: self.rows + other.rows,
            duplicate_rows: self.duplicate_rows + other.duplicate_rows,
            target: self.target.clone().or_else(|| other.target.clone()),
            columns,
            warnings: Vec::new(),
        };
        merged.refresh_warnings();
        Ok(merged)
    }

    /// Recomputes every warning from the counts.
    pub(crate) fn refresh_warnings(&mut self) {
        let rows = self.rows;
        for c in &mut self.columns {
            c.warnings = c.column_warnings(rows);
        }
        self.warnings.clear();
        if self.duplicate_rows > 0 {
            self.warnings.push(Warning {
                code: "duplicate_rows".into(),
                column: None,
                message: format!(
                    "{} of {} rows repeat an earlier row ({:.1}%): duplicates weigh twice in training and can leak between the training and test split",
                    self.duplicate_rows,
                    rows,
                    pct(self.duplicate_rows, rows)
                ),
            });
        }
        if let Some(target) = self.target.as_deref().and_then(|t| self.column(t)) {
            self.warnings.extend(target.target_warnings());
        }
    }
}

/// What the `likely_id` warning says of a column (after its name), and why training's
/// default pipeline drops it ([`crate::prep::PipelineSpec::default_for`]).
pub const LIKELY_ID: &str = "has a different value in every row, like an identifier: a model can memorise it without learning anything";

impl ColumnProfile {
    /// True when the column looks like an identifier (the `likely_id` warning): at least 20
    /// values, all different, and either text or integers that are named like an id (`id`,
    /// `*_id`, `uuid`, `key`) or run consecutively.
    pub fn likely_id(&self) -> bool {
        let integer = self.numeric.as_ref().is_some_and(|n| n.integer);
        let id_name = {
            let l = self.name.to_ascii_lowercase();
            l == "id" || l.ends_with("_id") || l.ends_with(" id") || l == "uuid" || l == "key"
        };
        let all_distinct = self.distinct_exact && self.distinct == self.count && self.count >= 20;
        let consecutive = self
            .numeric
            .as_ref()
            .is_some_and(|n| n.max - n.min + 1.0 == self.count as f64);
        all_distinct
            && (self.kind == ColumnKind::Categorical || (integer && (id_name || consecutive)))
    }

    pub(crate) fn from_column(column: &Column) -> ColumnProfile {
        let rows = column.len() as u64;
        let (numeric, categories, missing, distinct) = match &column.data {
            ColumnData::Numeric(values) => {
                let mut finite: Vec<f64> =
                    values.iter().copied().filter(|x| x.is_finite()).collect();
                let infinite = values.iter().filter(|x| x.is_infinite()).count() as u64;
                let missing = values.iter().filter(|x| x.is_nan()).count() as u64;
                sort_f64(&mut finite);
                // distinct non-missing values: runs in the sorted finite values (-0.0 and
                // 0.0 are one value), plus -∞ and +∞ when present
                let runs = finite.windows(2).filter(|w| w[0] != w[1]).count()
                    + usize::from(!finite.is_empty());
                let infinities = [f64::INFINITY, f64::NEG_INFINITY]
                    .iter()
                    .filter(|&&inf| values.contains(&inf))
                    .count();
                (
                    Some(NumericStats::from_sorted(finite, infinite)),
                    None,
                    missing,
                    (runs + infinities) as u64,
                )
            }
            ColumnData::Categorical { codes, levels } => {
                let mut counts = vec![0u64; levels.len()];
                let mut missing = 0;
                for &c in codes {
                    match counts.get_mut(c as usize) {
                        Some(n) if c != MISSING_CODE => *n += 1,
                        _ => missing += 1,
                    }
                }
                let pairs = levels
                    .iter()
                    .zip(counts)
                    .filter(|(_, n)| *n > 0)
                    .map(|(l, n)| (l.clone(), n));
                let stats = CategoryStats::from_counts(pairs.collect());
                let distinct = stats.distinct;
                (None, Some(stats), missing, distinct)
            }
            ColumnData::Boolean(values) => {
                let t = values.iter().filter(|v| **v == Some(true)).count() as u64;
                let f = values.iter().filter(|v| **v == Some(false)).count() as u64;
                let pairs = [("true".to_owned(), t), ("false".to_owned(), f)];
                let stats =
                    CategoryStats::from_counts(pairs.into_iter().filter(|(_, n)| *n > 0).collect());
                let distinct = stats.distinct;
                (None, Some(stats), rows - t - f, distinct)
            }
        };
        ColumnProfile {
            name: column.name.clone(),
            kind: column.kind(),
            count: rows - missing,
            missing,
            distinct,
            distinct_exact: true,
            warnings: Vec::new(),
            numeric,
            categories,
        }
    }

    fn merge(&self, other: &ColumnProfile) -> ColumnProfile {
        let numeric = match (&self.numeric, &other.numeric) {
            (Some(a), Some(b)) => Some(a.merge(b)),
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        let categories = match (&self.categories, &other.categories) {
            (Some(a), Some(b)) => Some(a.merge(b)),
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        let (distinct, distinct_exact) = match (&categories, &self.categories, &other.categories) {
            (Some(c), Some(a), Some(b)) => (c.distinct, a.other == 0 && b.other == 0),
            _ => (self.distinct.max(other.distinct), false),
        };
        ColumnProfile {
            name: self.name.clone(),
            kind: self.kind,
            count: self.count + other.count,
            missing: self.missing + other.missing,
            distinct,
            distinct_exact: distinct_exact && self.distinct_exact && other.distinct_exact,
            warnings: Vec::new(),
            numeric,
            categories,
        }
    }

    fn column_warnings(&self, rows: u64) -> Vec<Warning> {
        let mut out = Vec::new();
        let mut warn = |code: &str, message: String| {
            out.push(Warning {
                code: code.into(),
                column: Some(self.name.clone()),
                message,
            })
        };
        let name = &self.name;
        if self.count == 0 {
            warn(
                "all_missing",
                format!("{name:?} has no values at all: drop it, it cannot help a model"),
            );
            return out;
        }
        if self.missing * 2 > rows {
            warn(
                "mostly_missing",
                format!(
                    "{name:?} is missing in {:.1}% of rows: imputing that much invents data; consider dropping it or adding a was-missing flag",
                    pct(self.missing, rows)
                ),
            );
        }
        if self.distinct == 1 && self.distinct_exact {
            warn(
                "constant",
                format!("{name:?} holds a single value: it carries no signal, drop it"),
            );
        }
        if self.likely_id() {
            warn("likely_id", format!("{name:?} {LIKELY_ID}; drop it"));
        } else if self.kind == ColumnKind::Categorical
            && self.distinct > 50
            && self.distinct * 2 > self.count
        {
            warn(
                "high_cardinality",
                format!(
                    "{name:?} has {} categories for {} values: one-hot encoding makes that many sparse features; group rare categories or drop it",
                    self.distinct, self.count
                ),
            );
        }
        if let Some(n) = self.numeric.as_ref().filter(|n| n.infinite > 0) {
            warn(
                "infinite_values",
                format!(
                    "{name:?} holds {} infinite value(s): the pipeline treats them as missing",
                    n.infinite
                ),
            );
        }
        out
    }

    fn target_warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        let name = &self.name;
        if self.missing > 0 {
            out.push(Warning {
                code: "target_missing".into(),
                column: Some(name.clone()),
                message: format!("the target {name:?} is missing in {} rows: those rows cannot be used for training or evaluation", self.missing),
            });
        }
        let counts: Vec<(String, u64)> = match (&self.categories, &self.numeric) {
            (Some(c), _) => c.top.iter().map(|c| (c.value.clone(), c.count)).collect(),
            // a numeric target with few whole values is a class label written as numbers
            (None, Some(n)) if n.integer && self.distinct <= 20 && self.distinct_exact => {
                return self.numeric_class_warning(n);
            }
            _ => return out,
        };
        if let Some(w) = imbalance(name, self.count, &counts) {
            out.push(w);
        }
        out
    }

    fn numeric_class_warning(&self, n: &NumericStats) -> Vec<Warning> {
        // Exact class counts of a small integer target come from its histogram only
        // approximately, so count from the quantiles' view: report the share below the median class.
        let counts: Vec<(String, u64)> = n
            .histogram
            .edges
            .windows(2)
            .zip(&n.histogram.counts)
            .filter(|(_, &c)| c > 0)
            .map(|(e, &c)| (format!("{}", e[0].ceil()), c))
            .collect();
        imbalance(&self.name, self.count, &counts)
            .into_iter()
            .collect()
    }
}

fn imbalance(name: &str, total: u64, counts: &[(String, u64)]) -> Option<Warning> {
    let (label, least) = counts.iter().min_by_key(|(_, n)| *n)?;
    if counts.len() < 2 || total == 0 || (*least as f64) / (total as f64) >= 0.1 {
        return None;
    }
    Some(Warning {
        code: "class_imbalance".into(),
        column: Some(name.to_owned()),
        message: format!(
            "the target {name:?} is imbalanced: class {label:?} is only {:.1}% of rows ({least} of {total}); accuracy will look high even for a model that never predicts it, so judge it by recall, precision and their cost",
            pct(*least, total)
        ),
    })
}

impl NumericStats {
    fn from_sorted(sorted: Vec<f64>, infinite: u64) -> NumericStats {
        let n = sorted.len();
        let mean = if n == 0 {
            0.0
        } else {
            sorted.iter().sum::<f64>() / n as f64
        };
        let m2: f64 = sorted.iter().map(|x| (x - mean) * (x - mean)).sum();
        let (min, max) = (
            sorted.first().copied().unwrap_or(0.0),
            sorted.last().copied().unwrap_or(0.0),
        );
        let quantiles = QUANTILE_LEVELS
            .iter()
            .map(|&q| Quantile {
                q,
                value: exact_quantile(&sorted, q),
            })
            .collect();
        let edges = histogram_edges(min, max);
        let mut counts = vec![0u64; edges.len() - 1];
        let bins = counts.len();
        for &x in &sorted {
            counts[bin_of(x, min, max, bins)] += 1;
        }
        let integer = sorted.iter().all(|x| x.fract() == 0.0);
        let sketch = Sketch::from_sorted(&sorted);
        NumericStats {
            min,
            max,
            mean,
            std: sample_std(m2, n as u64),
            infinite,
            integer,
            quantiles,
            histogram: Histogram { edges, counts },
            m2,
            sketch,
        }
    }

    fn finite_count(&self) -> u64 {
        self.sketch.count
    }

    fn merge(&self, other: &NumericStats) -> NumericStats {
        let (na, nb) = (self.finite_count() as f64, other.finite_count() as f64);
        if nb == 0.0 || na == 0.0 {
            let mut keep = if na == 0.0 {
                other.clone()
            } else {
                self.clone()
            };
            keep.infinite = self.infinite + other.infinite;
            return keep;
        }
        let n = na + nb;
        let delta = other.mean - self.mean;
        let mean = self.mean + delta * nb / n;
        let m2 = self.m2 + other.m2 + delta * delta * na * nb / n;
        let sketch = self.sketch.merge(&other.sketch);
        let (min, max) = (self.min.min(other.min), self.max.max(other.max));
        NumericStats::from_summary(
            (min, max, mean, m2),
            self.infinite + other.infinite,
            self.integer && other.integer,
            sketch,
        )
    }

    /// The stats of a column known only by its summary: `(min, max, mean, m2)` of the
    /// finite values (exact), the infinite count, whether every value is whole, and the
    /// sketch of the finite values, from which the quantiles and the histogram are
    /// estimated (as after a [`Profile::merge`]). The edge monitor builds its profiles
    /// this way from the sketches the isolates send.
    pub(crate) fn from_summary(
        (min, max, mean, m2): (f64, f64, f64, f64),
        infinite: u64,
        integer: bool,
        sketch: Sketch,
    ) -> NumericStats {
        let quantiles = QUANTILE_LEVELS
            .iter()
            .map(|&q| Quantile {
                q,
                value: match q {
                    0.0 => min,
                    1.0 => max,
                    _ => sketch.quantile(q).clamp(min, max),
                },
            })
            .collect();
        let histogram = histogram_from_sketch(&sketch, min, max);
        NumericStats {
            min,
            max,
            mean,
            std: sample_std(m2, sketch.count),
            infinite,
            integer,
            quantiles,
            histogram,
            m2,
            sketch,
        }
    }
}

impl CategoryStats {
    pub(crate) fn from_counts(mut pairs: Vec<(String, u64)>) -> CategoryStats {
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let distinct = pairs.len() as u64;
        let other = pairs.iter().skip(MAX_CATEGORIES).map(|p| p.1).sum();
        pairs.truncate(MAX_CATEGORIES);
        let top = pairs
            .into_iter()
            .map(|(value, count)| CategoryCount { value, count })
            .collect();
        CategoryStats {
            distinct,
            top,
            other,
        }
    }

    fn merge(&self, other: &CategoryStats) -> CategoryStats {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for c in self.top.iter().chain(&other.top) {
            *counts.entry(&c.value).or_default() += c.count;
        }
        let listed = counts.len() as u64;
        let mut merged = CategoryStats::from_counts(
            counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        );
        merged.other += self.other + other.other;
        // categories hidden in `other` on either side are not known by name
        merged.distinct = listed.max(self.distinct).max(other.distinct);
        merged
    }
}

fn histogram_edges(min: f64, max: f64) -> Vec<f64> {
    if max > min {
        let w = (max - min) / HISTOGRAM_BINS as f64;
        (0..=HISTOGRAM_BINS)
            .map(|i| {
                if i == HISTOGRAM_BINS {
                    max
                } else {
                    min + w * i as f64
                }
            })
            .collect()
    } else {
        vec![min, max]
    }
}

fn bin_of(x: f64, min: f64, max: f64, bins: usize) -> usize {
    if max > min {
        (((x - min) / (max - min) * bins as f64) as usize).min(bins - 1)
    } else {
        0
    }
}

fn histogram_from_sketch(sketch: &Sketch, min: f64, max: f64) -> Histogram {
    let edges = histogram_edges(min, max);
    let n = sketch.count as f64;
    // a value on an inner edge belongs to the bin above it: count the values below each edge
    let ranks: Vec<f64> = edges
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            if i == 0 {
                0.0
            } else if i == edges.len() - 1 {
                1.0
            } else {
                sketch.cdf(e)
            }
        })
        .collect();
    let mut counts: Vec<u64> = vec![0; edges.len() - 1];
    if counts.len() == 1 {
        counts[0] = n as u64;
    } else {
        // round cumulative counts so that the bins add up to n exactly
        let cum: Vec<u64> = ranks.iter().map(|r| (r * n).round() as u64).collect();
        for (i, c) in counts.iter_mut().enumerate() {
            *c = cum[i + 1].saturating_sub(cum[i]);
        }
        counts[0] += (n as u64).saturating_sub(cum[edges.len() - 1]);
    }
    Histogram { edges, counts }
}

fn sample_std(m2: f64, n: u64) -> f64 {
    if n < 2 {
        0.0
    } else {
        (m2 / (n - 1) as f64).max(0.0).sqrt()
    }
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn duplicate_rows(table: &Table) -> u64 {
    let mut seen = HashSet::with_capacity(table.rows());
    let mut dups = 0;
    for r in 0..table.rows() {
        let mut h = Fnv::default();
        let mut h2 = Fnv(0x9e37_79b9_7f4a_7c15);
        for c in table.columns() {
            let bits;
            let (key, tail): (&[u8], &[u8]) = match c.get(r) {
                Some(crate::table::Cell::Number(x)) => {
                    bits = x.to_bits().to_le_bytes();
                    (&bits, &[])
                }
                Some(crate::table::Cell::Category(s)) => (s.as_bytes(), &[0xff]),
                Some(crate::table::Cell::Bool(b)) => (if b { &[2, 1] } else { &[2, 0] }, &[]),
                _ => (&[0xfe], &[]),
            };
            for part in [key, tail] {
                h.write(part);
                h2.write(part);
            }
        }
        // two independent 64-bit hashes make a false duplicate vanishingly unlikely
        if !seen.insert((h.0, h2.0)) {
            dups += 1;
        }
    }
    dups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read_csv, ReadOptions};

    fn table(csv: &str) -> Table {
        read_csv(csv.as_bytes(), &ReadOptions::default())
            .unwrap()
            .table
    }

    #[test]
    fn counts_moments_and_warnings() {
        let t = table("x,c,k,id\n1,a,5,1\n2,a,5,2\n,b,5,3\n4,,5,4\n4,a,5,5\n");
        let p = Profile::from_table(&t, None).unwrap();
        let x = &p.columns[0];
        assert_eq!((x.count, x.missing, x.distinct), (4, 1, 3));
        let n = x.numeric.as_ref().unwrap();
        assert_eq!((n.min, n.max, n.mean), (1.0, 4.0, 2.75));
        assert!((n.std - (6.75f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(n.histogram.counts.iter().sum::<u64>(), 4);
        let c = p.columns[1].categories.as_ref().unwrap();
        assert_eq!(
            c.top[0],
            CategoryCount {
                value: "a".into(),
                count: 3
            }
        );
        assert!(p.columns[2].warnings.iter().any(|w| w.code == "constant"));
        assert_eq!(p.duplicate_rows, 0);
    }

    #[test]
    fn duplicates_and_imbalance() {
        let mut csv = String::from("x,y\n");
        for i in 0..40 {
            csv += &format!("{},{}\n", i % 20, if i == 0 { "yes" } else { "no" });
        }
        let p = Profile::from_table(&table(&csv), Some("y")).unwrap();
        assert_eq!(p.duplicate_rows, 19);
        let codes: Vec<_> = p.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["duplicate_rows", "class_imbalance"]);
        assert!(Profile::from_table(&table(&csv), Some("nope")).is_err());
    }

    #[test]
    fn merge_of_halves_equals_whole() {
        let mut csv = String::from("x,c\n");
        for i in 0..2000 {
            let x = ((i * 7919) % 1000) as f64 / 10.0;
            csv += &format!("{x},{}\n", ["a", "b", "c"][i % 3]);
        }
        let t = table(&csv);
        let whole = Profile::from_table(&t, None).unwrap();
        let first: Vec<usize> = (0..1000).collect();
        let second: Vec<usize> = (1000..2000).collect();
        let a = Profile::from_table(&t.take(&first), None).unwrap();
        let b = Profile::from_table(&t.take(&second), None).unwrap();
        let m = a.merge(&b).unwrap();
        assert_eq!(m.rows, whole.rows);
        let (mw, ww) = (
            m.columns[0].numeric.as_ref().unwrap(),
            whole.columns[0].numeric.as_ref().unwrap(),
        );
        assert_eq!((mw.min, mw.max), (ww.min, ww.max));
        assert!((mw.mean - ww.mean).abs() < 1e-9 && (mw.std - ww.std).abs() < 1e-9);
        for (qm, qw) in mw.quantiles.iter().zip(&ww.quantiles) {
            assert!(
                (qm.value - qw.value).abs() <= 0.01 * (ww.max - ww.min),
                "{qm:?} vs {qw:?}"
            );
        }
        assert_eq!(mw.histogram.counts.iter().sum::<u64>(), 2000);
        assert_eq!(m.columns[1].categories, whole.columns[1].categories);
        let other = Profile::from_table(&table("y\n1\n"), None).unwrap();
        assert!(matches!(
            a.merge(&other),
            Err(ProfileError::Mismatch { index: 1, .. })
        ));
    }

    #[test]
    fn round_trips_through_json() {
        let p = Profile::from_table(&table("x,c\n1,a\n2.5,b\n,c\n"), None).unwrap();
        let back: Profile = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
