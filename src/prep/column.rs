//! One column's steps: what is learned for a column on the training rows
//! ([`fit_column`]), and how a fitted column turns a cell into its features
//! ([`FittedColumn`]'s transform).

use super::*;
use crate::numeric::sort_f64;

/// The profile's `likely_id` rule on one column. Only integer and categorical columns can
/// be identifiers, so a column with a fraction is ruled out before it is profiled (sorted).
pub(super) fn likely_id(column: &Column) -> bool {
    let may_be = match &column.data {
        ColumnData::Numeric(v) => v.iter().all(|x| !x.is_finite() || x.fract() == 0.0),
        ColumnData::Categorical { .. } => true,
        ColumnData::Boolean(_) => false,
    };
    may_be && crate::profile::ColumnProfile::from_column(column).likely_id()
}

pub(super) fn fit_column(column: &Column, spec: &ColumnSpec) -> Result<FittedStep, PrepError> {
    let kind_error = |step, suggestion| PrepError::StepKind {
        column: column.name.clone(),
        kind: column.kind(),
        step,
        suggestion,
    };
    match spec {
        ColumnSpec::Drop => Ok(FittedStep::Drop),
        ColumnSpec::Numeric { impute, scale } => {
            let values: Vec<f64> = match &column.data {
                ColumnData::Numeric(v) => v
                    .iter()
                    .map(|x| if x.is_finite() { *x } else { f64::NAN })
                    .collect(),
                ColumnData::Boolean(v) => v.iter().map(|b| b.map_or(f64::NAN, f64::from)).collect(),
                ColumnData::Categorical { .. } => {
                    return Err(kind_error("numeric", "one_hot or drop"))
                }
            };
            let mut present: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
            sort_f64(&mut present);
            let fill = match impute {
                NumericImpute::Mean if present.is_empty() => 0.0,
                NumericImpute::Mean => mean(&present),
                NumericImpute::Median => quantile(&present, 0.5),
                NumericImpute::MostFrequent => most_frequent_sorted(&present),
                NumericImpute::Constant(c) => *c,
                NumericImpute::Keep => 0.0,
            };
            let keep = *impute == NumericImpute::Keep;
            // kept missing cells take no part in the scaling
            let mut imputed: Vec<f64> = if keep {
                present.clone()
            } else {
                values
                    .iter()
                    .map(|x| if x.is_nan() { fill } else { *x })
                    .collect()
            };
            sort_f64(&mut imputed);
            let (center, spread) = match scale {
                _ if imputed.is_empty() => (0.0, 1.0),
                Scale::None => (0.0, 1.0),
                Scale::Standard => {
                    let n = imputed.len() as f64;
                    let mean = mean(&imputed);
                    let var = imputed.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
                    (mean, var.sqrt())
                }
                Scale::MinMax => (imputed[0], imputed[imputed.len() - 1] - imputed[0]),
                Scale::Robust => (
                    quantile(&imputed, 0.5),
                    quantile(&imputed, 0.75) - quantile(&imputed, 0.25),
                ),
            };
            let (center, scale) = if center.is_finite() && spread.is_finite() {
                (center, if spread > 0.0 { spread } else { 1.0 })
            } else {
                // values near ±f64::MAX overflow the spread: divide by the largest magnitude
                let largest = imputed.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                (0.0, if largest > 0.0 { largest } else { 1.0 })
            };
            let (min, max) = match (present.first(), present.last()) {
                (Some(a), Some(b)) => (*a, *b),
                _ => (fill, fill),
            };
            Ok(FittedStep::Numeric {
                fill,
                center,
                scale,
                min,
                max,
                keep,
                binarize: None,
            })
        }
        ColumnSpec::OneHot { impute, unseen } => {
            let ColumnData::Categorical { codes, levels } = &column.data else {
                return Err(kind_error("one_hot", "numeric or drop"));
            };
            let mut counts = vec![0usize; levels.len()];
            let mut missing = 0usize;
            for &c in codes {
                match counts.get_mut(c as usize) {
                    Some(n) if c != MISSING_CODE => *n += 1,
                    _ => missing += 1,
                }
            }
            let fill = match impute {
                CategoricalImpute::Constant(s) => s.clone(),
                CategoricalImpute::MostFrequent => levels
                    .iter()
                    .zip(&counts)
                    .filter(|(_, &n)| n > 0)
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map_or_else(|| MISSING_CATEGORY.to_owned(), |(l, _)| l.clone()),
            };
            let mut categories: Vec<String> = levels
                .iter()
                .zip(&counts)
                .filter(|(_, &n)| n > 0)
                .map(|(l, _)| l.clone())
                .collect();
            if missing > 0 && !categories.contains(&fill) {
                categories.push(fill.clone());
            }
            categories.sort();
            Ok(FittedStep::OneHot {
                fill,
                categories,
                unseen: *unseen,
            })
        }
    }
}

impl FittedColumn {
    pub(super) fn width(&self) -> usize {
        match &self.step {
            FittedStep::Numeric { .. } | FittedStep::Ordinal { .. } => 1,
            FittedStep::OneHot { categories, .. } => categories.len(),
            FittedStep::Drop => 0,
        }
    }

    pub(super) fn feature_names(&self) -> Vec<String> {
        match &self.step {
            FittedStep::Numeric { .. } | FittedStep::Ordinal { .. } => vec![self.name.clone()],
            FittedStep::OneHot { categories, .. } => categories
                .iter()
                .map(|c| format!("{}={c}", self.name))
                .collect(),
            FittedStep::Drop => Vec::new(),
        }
    }
}

impl FittedColumn {
    pub(super) fn transform_cell(
        &self,
        cell: Cell<'_>,
        row: usize,
        out: &mut Vec<f64>,
        warnings: &mut Vec<RowWarning>,
    ) -> Result<(), PrepError> {
        let mut warn = |kind: &str, message: String| {
            warnings.push(RowWarning {
                column: self.name.clone(),
                kind: kind.to_owned(),
                message,
            })
        };
        match &self.step {
            FittedStep::Drop => {}
            FittedStep::Numeric {
                fill,
                center,
                scale,
                min,
                max,
                keep,
                binarize,
            } => {
                // a kept column leaves missing cells to the model, as NaN; the words are
                // written only for a warning (every cell wrote them once, 40 % of a
                // 100,000-row training's time)
                let filled = || {
                    if *keep {
                        "left for the model to route".to_owned()
                    } else {
                        format!("filled with {}", Num(*fill))
                    }
                };
                let fill = if *keep { f64::NAN } else { *fill };
                let x = match cell {
                    Cell::Missing => {
                        warn(
                            "missing",
                            format!("{} is missing and was {}", Quoted(&self.name), filled()),
                        );
                        fill
                    }
                    Cell::Number(x) if !x.is_finite() => {
                        warn(
                            "not_finite",
                            format!(
                                "{} is {}, treated as missing and {}",
                                Quoted(&self.name),
                                Num(x),
                                filled()
                            ),
                        );
                        fill
                    }
                    Cell::Number(x) => x,
                    Cell::Bool(b) => f64::from(b),
                    Cell::Category(s) => match crate::decimal::parse_f64(s.trim()) {
                        Some(x) if x.is_finite() => x,
                        _ => {
                            return Err(PrepError::BadCell {
                                row,
                                column: self.name.clone(),
                                value: s.chars().take(40).collect(),
                                expected: "a number",
                            })
                        }
                    },
                };
                if x < *min || x > *max {
                    warn(
                        "out_of_range",
                        format!(
                            "{} = {} is outside the training range [{}, {}]",
                            Quoted(&self.name),
                            Num(x),
                            Num(*min),
                            Num(*max)
                        ),
                    );
                }
                let z = (x - center) / scale;
                // a value far outside the training range can overflow: saturate, never emit ±inf
                let z = if z.is_finite() || x.is_nan() {
                    z
                } else {
                    f64::MAX.copysign(x - center)
                };
                // ONNX's Binarizer: NaN (a kept missing cell) is not greater, so 0
                out.push(match binarize {
                    Some(t) => f64::from(u8::from(z > *t)),
                    None => z,
                });
            }
            // one lookup for both categorical steps: a one-hot column's indicators, or an
            // ordinal column's number
            FittedStep::OneHot { .. } | FittedStep::Ordinal { .. } => {
                let (categories, fill, codes, unseen) = match &self.step {
                    FittedStep::OneHot {
                        fill,
                        categories,
                        unseen,
                    } => (categories, Some(fill.as_str()), None, *unseen),
                    FittedStep::Ordinal {
                        categories,
                        codes,
                        default,
                    } => (categories, None, Some((codes, *default)), Unseen::Ignore),
                    _ => return Ok(()),
                };
                let mut number = String::new();
                let label: &str = match (label_of(cell, &mut number), fill) {
                    (Some(label), _) => label,
                    (None, Some(fill)) => {
                        warn(
                            "missing",
                            format!(
                                "{} is missing and was filled with {}",
                                Quoted(&self.name),
                                Quoted(fill)
                            ),
                        );
                        fill
                    }
                    // an ordinal column's missing cell is the empty string to ONNX
                    (None, None) => "",
                };
                let hit = find(categories, label);
                if hit.is_none() {
                    if unseen == Unseen::Error {
                        return Err(PrepError::UnseenCategory {
                            row,
                            column: self.name.clone(),
                            value: label.chars().take(40).collect(),
                        });
                    }
                    let encoded = match codes {
                        Some((_, default)) => Num(default).to_string(),
                        None => "all zeros".to_owned(),
                    };
                    let missing = fill.is_none() && matches!(cell, Cell::Missing);
                    warn(
                        if missing {
                            "missing"
                        } else {
                            "unseen_category"
                        },
                        format!(
                            "{} = {} was not seen in training; encoded as {encoded}",
                            Quoted(&self.name),
                            Quoted(label)
                        ),
                    );
                }
                match codes {
                    Some((codes, default)) => {
                        out.push(hit.and_then(|i| codes.get(i)).copied().unwrap_or(default))
                    }
                    None => {
                        let base = out.len();
                        out.resize(base + categories.len(), 0.0);
                        if let Some(i) = hit {
                            out[base + i] = 1.0;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A cell as a category: text as is, a boolean as `true` or `false`, a number by its
/// shortest decimal form (written into `number`); `None` when missing.
pub(super) fn label_of<'a>(cell: Cell<'a>, number: &'a mut String) -> Option<&'a str> {
    match cell {
        Cell::Missing => None,
        Cell::Category(s) => Some(s),
        Cell::Bool(true) => Some("true"),
        Cell::Bool(false) => Some("false"),
        Cell::Number(x) => {
            *number = Num(x).to_string();
            Some(number)
        }
    }
}

/// Where `label` is among sorted `categories`.
pub(super) fn find(categories: &[String], label: &str) -> Option<usize> {
    categories.binary_search_by(|c| c.as_str().cmp(label)).ok()
}

/// The mean, computed as Σx/n, or as Σ(x/n) when the sum overflows (values near ±f64::MAX).
pub(super) fn mean(values: &[f64]) -> f64 {
    let n = values.len().max(1) as f64;
    let m = values.iter().sum::<f64>() / n;
    if m.is_finite() {
        m
    } else {
        values.iter().map(|x| x / n).sum()
    }
}

/// The most frequent of sorted values, ties to the smallest; 0 when empty.
pub(super) fn most_frequent_sorted(sorted: &[f64]) -> f64 {
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for x in sorted {
        *counts.entry(x.to_bits()).or_default() += 1;
    }
    let mut best: Option<(f64, usize)> = None;
    for x in sorted {
        let n = counts[&x.to_bits()];
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((*x, n));
        }
    }
    best.map_or(0.0, |(x, _)| x)
}
