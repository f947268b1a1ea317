//! The sketch delta an isolate sends: what it saw since its last delta, as mergeable
//! summaries (never the rows), checked before anything is merged.

use serde::{Deserialize, Serialize};

use crate::monitor::CbpeSums;
use crate::profile::{CategoryStats, ColumnProfile, NumericStats, Profile, Sketch};
use crate::table::ColumnKind;

use super::EdgeMonitorError;

/// The `format` member of a delta.
pub const DELTA_FORMAT: &str = "driftlab.delta";
/// The delta version this monitor reads.
pub const DELTA_VERSION: u32 = 1;
/// Upper edges of the latency histogram, in microseconds (the last bucket is open).
pub const LATENCY_BUCKETS_US: [u64; 12] = [
    50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 1_000_000,
];

/// One isolate's sketch of the traffic since its previous delta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delta {
    /// Always [`DELTA_FORMAT`].
    pub format: String,
    /// [`DELTA_VERSION`].
    pub version: u32,
    /// The artifact's content hash: deltas of another model are refused.
    pub model: String,
    /// The isolate's random id (8 to 32 of `[0-9a-z]`).
    pub isolate: String,
    /// 1, 2, 3, … per isolate: a delta at or below the last one merged is a repeat.
    pub seq: u64,
    /// Requests answered, by HTTP status (`"200"`, `"400"`, …).
    pub requests: std::collections::BTreeMap<String, u64>,
    /// Rows scored.
    pub rows: u64,
    /// The isolate's row number of the first row (row ids are `<model>-<isolate>-<n>`).
    pub first_row: u64,
    /// Requests per latency bucket ([`LATENCY_BUCKETS_US`], then the open bucket).
    pub latency: Vec<u64>,
    /// Per input column, in the model's order.
    pub columns: Vec<ColumnDelta>,
    /// Rows per predicted class (classifiers; empty otherwise).
    pub classes: Vec<u64>,
    /// CBPE's sums (classifiers with probabilities).
    pub cbpe: Option<CbpeSums>,
    /// Input warnings by column and kind.
    pub warnings: Vec<WarningCount>,
    /// Per row, in order: the predicted class index and the positive-class probability
    /// times 255, rounded, as two hex bytes (`"01e3"`); empty for models without classes.
    pub predicted: String,
}

/// One column's summary in a delta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDelta {
    /// The input column.
    pub name: String,
    /// Its kind.
    pub kind: ColumnKind,
    /// Cells with a value (infinite numbers included).
    pub count: u64,
    /// Missing cells.
    pub missing: u64,
    /// Numeric columns: infinite cells.
    #[serde(default)]
    pub infinite: u64,
    /// Numeric columns: `[min, max, mean, m2]` of the finite values.
    #[serde(default)]
    pub moments: Option<[f64; 4]>,
    /// Numeric columns: every finite value is whole.
    #[serde(default)]
    pub integer: bool,
    /// Numeric columns: the quantile sketch of the finite values.
    #[serde(default)]
    pub sketch: Option<Sketch>,
    /// Categorical and boolean columns: `[label, count]` pairs.
    #[serde(default)]
    pub categories: Vec<(String, u64)>,
}

/// How often one warning was raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningCount {
    /// The input column.
    pub column: String,
    /// `missing`, `not_finite`, `out_of_range`, `unseen_category`.
    pub kind: String,
    /// Rows flagged.
    pub count: u64,
}

/// The most labels a delta's column may list (the profile's own cap).
const MAX_LABELS: usize = crate::profile::MAX_CATEGORIES * 4;

impl Delta {
    /// Reads and checks a delta for a model with these input columns (name, kind) and
    /// this many classes (0 for models without classes).
    pub fn from_bytes(
        bytes: &[u8],
        model: &str,
        inputs: &[(String, ColumnKind)],
        classes: usize,
    ) -> Result<Delta, EdgeMonitorError> {
        let bad = |m: String| EdgeMonitorError::BadDelta(m);
        let d: Delta = serde_json::from_slice(bytes).map_err(|e| {
            bad(format!(
                "the delta is not valid JSON of a sketch delta: {e}"
            ))
        })?;
        if d.format != DELTA_FORMAT || d.version != DELTA_VERSION {
            return Err(bad(format!(
                "format {:?} version {} is not a sketch delta this monitor reads ({DELTA_FORMAT:?} version {DELTA_VERSION})",
                d.format, d.version
            )));
        }
        if d.model != model {
            return Err(EdgeMonitorError::OtherModel {
                got: d.model,
                expected: model.to_owned(),
            });
        }
        let id_ok = (8..=32).contains(&d.isolate.len())
            && d.isolate
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        if !id_ok || d.seq == 0 {
            return Err(bad(format!(
                "isolate {:?} seq {}: an isolate id is 8 to 32 of [0-9a-z] and seq starts at 1",
                d.isolate, d.seq
            )));
        }
        if d.latency.len() != LATENCY_BUCKETS_US.len() + 1 {
            return Err(bad(format!(
                "{} latency buckets, expected {}",
                d.latency.len(),
                LATENCY_BUCKETS_US.len() + 1
            )));
        }
        if d.requests.keys().any(|k| {
            k.len() != 3
                || !k.bytes().all(|b| b.is_ascii_digit())
                || !k.starts_with(['1', '2', '3', '4', '5'])
        }) {
            return Err(bad(
                "request counts must be keyed by a 3-digit HTTP status".into()
            ));
        }
        if d.columns.len() != inputs.len()
            || d.columns
                .iter()
                .zip(inputs)
                .any(|(c, (n, k))| &c.name != n || c.kind != *k)
        {
            return Err(bad(format!(
                "the columns ({}) are not the model's inputs ({})",
                d.columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                inputs
                    .iter()
                    .map(|c| c.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        for c in &d.columns {
            c.check(d.rows)
                .map_err(|m| bad(format!("column {:?}: {m}", c.name)))?;
        }
        if classes > 0 {
            let predicted_rows = d.predicted.len() / 4;
            let sum = d.classes.iter().try_fold(0u64, |s, &x| s.checked_add(x));
            if d.classes.len() != classes
                || sum != Some(d.rows)
                || !d.predicted.len().is_multiple_of(4)
                || predicted_rows as u64 != d.rows
                || !d.predicted.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Err(bad(format!(
                    "the predictions do not add up: {} rows, {} class counts (expected {classes}) summing to {:?}, {} rows of predictions",
                    d.rows,
                    d.classes.len(),
                    sum,
                    predicted_rows
                )));
            }
            if d.predicted_rows().any(|(c, _)| c as usize >= classes) {
                return Err(bad("a predicted class index is out of range".into()));
            }
        } else if !d.classes.is_empty() || !d.predicted.is_empty() {
            return Err(bad("class counts for a model without classes".into()));
        }
        if let Some(s) = &d.cbpe {
            let finite = [s.confidence, s.tp, s.predicted_positive, s.sum_positive]
                .iter()
                .all(|x| x.is_finite() && *x >= 0.0);
            if !finite || s.rows > d.rows {
                return Err(bad(
                    "the CBPE sums are not finite or count more rows than the delta".into(),
                ));
            }
        }
        Ok(d)
    }

    /// `(class index, positive probability)` per row, in order.
    pub fn predicted_rows(&self) -> impl Iterator<Item = (u8, f64)> + '_ {
        self.predicted.as_bytes().chunks_exact(4).map(|c| {
            let byte = |h: &[u8]| {
                h.iter().fold(0u8, |acc, &b| {
                    acc.wrapping_mul(16).wrapping_add(hex_value(b))
                })
            };
            (byte(&c[..2]), f64::from(byte(&c[2..])) / 255.0)
        })
    }

    /// The delta's columns as a profile (the same shape as the artifact's training profile,
    /// quantiles and histograms estimated from the sketches).
    pub fn profile(&self) -> Profile {
        let columns = self.columns.iter().map(ColumnDelta::profile).collect();
        let mut p = Profile {
            rows: self.rows,
            duplicate_rows: 0,
            target: None,
            columns,
            warnings: Vec::new(),
        };
        p.refresh_warnings();
        p
    }
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

impl ColumnDelta {
    fn check(&self, rows: u64) -> Result<(), String> {
        if self.count.checked_add(self.missing) != Some(rows) {
            return Err(format!(
                "{} values and {} missing for {rows} rows",
                self.count, self.missing
            ));
        }
        match self.kind {
            ColumnKind::Numeric => {
                let finite = self
                    .count
                    .checked_sub(self.infinite)
                    .ok_or("more infinite values than values")?;
                let sketch = self
                    .sketch
                    .as_ref()
                    .ok_or("a numeric column needs its sketch")?;
                let [min, max, mean, m2] =
                    self.moments.ok_or("a numeric column needs its moments")?;
                let weights: f64 = sketch.centroids.iter().map(|c| c[1]).sum();
                let centroids_ok = sketch.centroids.len()
                    <= 4 * crate::profile::SKETCH_DELTA as usize
                    && sketch
                        .centroids
                        .iter()
                        .all(|c| c[0].is_finite() && c[1].is_finite() && c[1] >= 1.0)
                    && sketch.centroids.windows(2).all(|w| w[0][0] <= w[1][0]);
                if sketch.count != finite
                    || !centroids_ok
                    || (weights - finite as f64).abs() > 1e-6 * (finite as f64).max(1.0)
                {
                    return Err("the sketch does not hold the finite values".into());
                }
                let finite_ok = [min, max, mean, m2, sketch.min, sketch.max]
                    .iter()
                    .all(|x| x.is_finite());
                if finite > 0
                    && (!finite_ok
                        || min > max
                        || m2 < 0.0
                        || sketch.min != min
                        || sketch.max != max)
                {
                    return Err("the moments are not finite or not ordered".into());
                }
                if !self.categories.is_empty() {
                    return Err("a numeric column has no categories".into());
                }
            }
            _ => {
                if self.sketch.is_some() || self.moments.is_some() {
                    return Err("a categorical column has no sketch".into());
                }
                let sum = self
                    .categories
                    .iter()
                    .try_fold(0u64, |s, c| s.checked_add(c.1));
                if self.categories.len() > MAX_LABELS || sum != Some(self.count) {
                    return Err("the category counts do not add up to the values".into());
                }
            }
        }
        Ok(())
    }

    fn profile(&self) -> ColumnProfile {
        let (numeric, categories, distinct, exact) = match self.kind {
            ColumnKind::Numeric => {
                let sketch = self.sketch.clone().unwrap_or_default();
                let [min, max, mean, m2] = self.moments.unwrap_or_default();
                let mut means: Vec<f64> = sketch.centroids.iter().map(|c| c[0]).collect();
                means.dedup();
                let distinct = means.len() as u64 + u64::from(self.infinite > 0);
                let stats = NumericStats::from_summary(
                    (min, max, mean, m2),
                    self.infinite,
                    self.integer,
                    sketch,
                );
                (Some(stats), None, distinct, false)
            }
            _ => {
                let stats = CategoryStats::from_counts(
                    self.categories
                        .iter()
                        .filter(|c| c.1 > 0)
                        .cloned()
                        .collect(),
                );
                let d = stats.distinct;
                (None, Some(stats), d, true)
            }
        };
        ColumnProfile {
            name: self.name.clone(),
            kind: self.kind,
            count: self.count,
            missing: self.missing,
            distinct,
            distinct_exact: exact,
            warnings: Vec::new(),
            numeric,
            categories,
        }
    }
}
