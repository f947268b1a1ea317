//! What goes wrong fitting a pipeline or transforming rows ([`PrepError`]), and its
//! sentences: those one row can cause are written by a function of their own
//! ([`PrepError::row_sentence`]) so that the edge scorer links only them.

use super::num::Num;
use super::quote::Quoted;
use crate::table::ColumnKind;

/// What went wrong fitting a pipeline or transforming rows. Rows are 1-based.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PrepError {
    /// A column that is not in the table.
    Table(crate::table::TableError),
    /// A column the pipeline needs is absent.
    MissingColumn {
        /// The column.
        column: String,
    },
    /// A cell that does not fit the column's step.
    BadCell {
        /// 1-based row.
        row: usize,
        /// The column.
        column: String,
        /// The cell as text.
        value: String,
        /// What was expected, in words.
        expected: &'static str,
    },
    /// An unseen category under `unseen: error`.
    UnseenCategory {
        /// 1-based row.
        row: usize,
        /// The column.
        column: String,
        /// The category.
        value: String,
    },
    /// A step that does not fit the column's kind.
    StepKind {
        /// The column.
        column: String,
        /// Its kind.
        kind: ColumnKind,
        /// The step asked for.
        step: &'static str,
        /// What to use instead.
        suggestion: &'static str,
    },
    /// A row of the wrong width on the single-row path.
    RowWidth {
        /// Values given.
        found: usize,
        /// Columns expected.
        expected: usize,
        /// Their names.
        columns: String,
    },
    /// A cross of a column that is not a numeric input.
    Cross {
        /// The cross's name.
        cross: String,
        /// The column it needs.
        column: String,
    },
    /// Fitting on nothing.
    NoTrainingRows,
    /// Every column dropped.
    NoFeatures,
    /// A bad split fraction.
    BadFraction(f64),
    /// A fitted pipeline (read from an artifact) whose parts disagree: feature names that
    /// are not the steps' outputs, a scale that is not positive, unsorted categories.
    Inconsistent(String),
    /// Too few rows to split.
    TooFewRows {
        /// Rows in the table.
        rows: usize,
        /// The fraction asked for.
        fraction: f64,
    },
}

impl From<crate::table::TableError> for PrepError {
    fn from(e: crate::table::TableError) -> PrepError {
        PrepError::Table(e)
    }
}

impl std::error::Error for PrepError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PrepError::Table(e) => e.source(),
            _ => None,
        }
    }
}

// Written by hand rather than derived, so that the sentences of the errors one row can
// cause are a function of their own (`write_row`): the edge scorer writes only those, and
// does not link the table reader's sentences that `Display` of `Table` brings (1.6 KB of
// its 64 KB budget, gzipped).
impl std::fmt::Display for PrepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(r) = self.write_row(f) {
            return r;
        }
        match self {
            PrepError::Table(e) => std::fmt::Display::fmt(e, f),
            PrepError::StepKind { column, kind, step, suggestion } => write!(f, "column {column:?} is {kind}, which cannot take the {step} step: use {suggestion}"),
            PrepError::Cross { cross, column } => write!(f, "the feature {cross:?} needs the column {column:?} as a numeric input, and the pipeline has no such input: keep the column (numeric step) or remove the feature"),
            PrepError::NoTrainingRows => f.write_str("there are no training rows to learn the preprocessing from: load more data or lower the test fraction"),
            PrepError::NoFeatures => f.write_str("every column is dropped or is the target, so the model would have no features: keep at least one column"),
            PrepError::BadFraction(x) => write!(f, "the test fraction must be a number strictly between 0 and 1 (got {}): 0.25 keeps a quarter of the rows for testing (training with 0 uses every row and reports no test metrics)", Num(*x)),
            PrepError::TooFewRows { rows, fraction } => write!(f, "{rows} rows cannot be split into a training and a test set with test fraction {}: load more rows or change the fraction", Num(*fraction)),
            // written by `write_row`
            PrepError::MissingColumn { .. }
            | PrepError::BadCell { .. }
            | PrepError::UnseenCategory { .. }
            | PrepError::RowWidth { .. }
            | PrepError::Inconsistent(_) => Ok(()),
        }
    }
}

impl PrepError {
    /// The sentence of an error that transforming one row
    /// ([`FittedPipeline::transform_row_into`](super::FittedPipeline::transform_row_into)) or
    /// checking a fitted pipeline ([`FittedPipeline::validate`](super::FittedPipeline::validate))
    /// returns, as `Display` writes it; `None` for the others (fitting, tables). For scorers
    /// that must stay small.
    pub fn row_sentence(&self) -> Option<String> {
        struct Row<'a>(&'a PrepError);
        impl std::fmt::Display for Row<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.write_row(f).unwrap_or(Err(std::fmt::Error))
            }
        }
        let mut s = String::new();
        std::fmt::Write::write_fmt(&mut s, format_args!("{}", Row(self))).ok()?;
        Some(s)
    }

    fn write_row(&self, f: &mut std::fmt::Formatter<'_>) -> Option<std::fmt::Result> {
        Some(match self {
            PrepError::MissingColumn { column } => write!(f, "the input has no column {}, which the model was trained with: add it (an empty column is fine: its cells are imputed)", Quoted(column)),
            PrepError::BadCell { row, column, value, expected } => write!(f, "row {row}, column {}: {} is not {expected}: fix the cell or leave it empty", Quoted(column), Quoted(value)),
            PrepError::UnseenCategory { row, column, value } => write!(f, "row {row}, column {}: the category {} was not seen in training and the pipeline refuses unseen categories: fix the cell, or set the column's unseen policy to ignore", Quoted(column), Quoted(value)),
            PrepError::RowWidth { found, expected, columns } => write!(f, "the row has {found} values but the pipeline takes {expected} input columns ({columns})"),
            PrepError::Inconsistent(m) => write!(f, "the fitted pipeline is inconsistent: {m}"),
            _ => return None,
        })
    }
}
