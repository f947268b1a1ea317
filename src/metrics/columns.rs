//! Metrics of predictions stored as columns of a table (`driftlab metrics`): a target
//! column against a score column (binary: the positive class's probability) or a
//! prediction column.

use super::{classification, regression, MetricsError, TestMetrics};
use crate::table::{Cell, Column, ColumnData, Table};

/// Where the predictions are.
#[derive(Clone, Copy, Debug)]
pub enum Predicted<'a> {
    /// A column of scores for the positive class; predicted positive when `>= threshold`.
    Score {
        /// The score column.
        column: &'a str,
        /// The positive label (default: `1`, `true`, or the last label in sorted order).
        positive: Option<&'a str>,
        /// The decision threshold (default 0.5).
        threshold: f64,
    },
    /// A column of predicted labels (classification) or values (regression: both columns
    /// numeric, and the target is not a small set of whole numbers).
    Prediction {
        /// The prediction column.
        column: &'a str,
        /// The positive label, for binary precision/recall/F1.
        positive: Option<&'a str>,
    },
}

fn label(cell: Option<Cell<'_>>) -> Option<String> {
    match cell? {
        Cell::Category(s) => Some(s.to_owned()),
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Number(x) => Some(format!("{x}")),
        Cell::Missing => None,
    }
}

fn column<'t>(table: &'t Table, name: &str) -> Result<&'t Column, MetricsError> {
    table
        .require(name)
        .map_err(|e| MetricsError::Column(e.to_string()))
}

fn missing(row: usize, column: &str) -> MetricsError {
    MetricsError::Column(format!(
        "row {}, column {column:?}: the cell is missing; drop the row or fill it",
        row + 1
    ))
}

/// Computes the metrics of `predicted` against the `target` column of `table`.
pub fn from_table(
    table: &Table,
    target: &str,
    predicted: Predicted<'_>,
) -> Result<TestMetrics, MetricsError> {
    let truth = column(table, target)?;
    let rows = table.rows();
    match predicted {
        Predicted::Prediction {
            column: name,
            positive,
        } => {
            let pred = column(table, name)?;
            if let (ColumnData::Numeric(t), ColumnData::Numeric(p)) = (&truth.data, &pred.data) {
                let mut distinct: Vec<u64> = t.iter().map(|x| x.to_bits()).collect();
                distinct.sort_unstable();
                distinct.dedup();
                let classes = t.iter().all(|x| x.fract() == 0.0) && distinct.len() <= 10;
                if !classes {
                    if let Some(r) = t.iter().position(|x| x.is_nan()) {
                        return Err(missing(r, target));
                    }
                    if let Some(r) = p.iter().position(|x| x.is_nan()) {
                        return Err(missing(r, name));
                    }
                    return Ok(TestMetrics::Regression(regression(t, p)?));
                }
            }
            let mut pairs = Vec::with_capacity(rows);
            for r in 0..rows {
                let t = label(truth.get(r)).ok_or_else(|| missing(r, target))?;
                let p = label(pred.get(r)).ok_or_else(|| missing(r, name))?;
                pairs.push((t, p));
            }
            let mut labels: Vec<String> = pairs
                .iter()
                .flat_map(|(t, p)| [t.clone(), p.clone()])
                .collect();
            labels.sort();
            labels.dedup();
            let index = |l: &str| labels.binary_search_by(|x| x.as_str().cmp(l)).unwrap_or(0);
            let y_true: Vec<usize> = pairs.iter().map(|(t, _)| index(t)).collect();
            let y_pred: Vec<usize> = pairs.iter().map(|(_, p)| index(p)).collect();
            let positive = positive_index(&labels, positive)?;
            Ok(TestMetrics::Classification(classification(
                &y_true, &y_pred, None, &labels, positive,
            )?))
        }
        Predicted::Score {
            column: name,
            positive,
            threshold,
        } => {
            if !threshold.is_finite() {
                return Err(MetricsError::Column(format!(
                    "the threshold must be a finite number, got {threshold}"
                )));
            }
            let score = column(table, name)?;
            let ColumnData::Numeric(scores) = &score.data else {
                return Err(MetricsError::Column(format!(
                    "column {name:?} is not numeric; --score takes the positive class's probability (use --prediction for labels)"
                )));
            };
            let mut truths = Vec::with_capacity(rows);
            for r in 0..rows {
                truths.push(label(truth.get(r)).ok_or_else(|| missing(r, target))?);
            }
            let mut labels = truths.clone();
            labels.sort();
            labels.dedup();
            if labels.len() > 2 {
                return Err(MetricsError::Column(format!(
                    "--score needs a binary target, but {target:?} has {} labels; use --prediction",
                    labels.len()
                )));
            }
            let pos = positive_index(&labels, positive)?.unwrap_or(labels.len().saturating_sub(1));
            // two labels, the positive one second: [negative, positive]
            let negative = labels
                .iter()
                .find(|l| **l != labels[pos])
                .cloned()
                .unwrap_or_else(|| format!("not {}", labels[pos]));
            let two = vec![negative, labels[pos].clone()];
            let mut y_true = Vec::with_capacity(rows);
            let mut y_pred = Vec::with_capacity(rows);
            let mut proba = Vec::with_capacity(rows * 2);
            for (r, t) in truths.iter().enumerate() {
                let s = scores[r];
                if s.is_nan() {
                    return Err(missing(r, name));
                }
                y_true.push(usize::from(*t == two[1]));
                y_pred.push(usize::from(s >= threshold));
                proba.extend([1.0 - s, s]);
            }
            Ok(TestMetrics::Classification(classification(
                &y_true,
                &y_pred,
                Some(&proba),
                &two,
                Some(1),
            )?))
        }
    }
}

fn positive_index(
    labels: &[String],
    positive: Option<&str>,
) -> Result<Option<usize>, MetricsError> {
    match positive {
        Some(p) => labels.iter().position(|l| l == p).map(Some).ok_or_else(|| {
            MetricsError::Column(format!(
                "the positive label {p:?} does not occur; the labels are {}",
                labels.join(", ")
            ))
        }),
        None if labels.len() == 2 => Ok(labels
            .iter()
            .position(|l| l == "1" || l == "true")
            .or(Some(1))),
        None => Ok(None),
    }
}
