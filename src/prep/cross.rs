//! Feature crosses: what a [`Cross`] asks for and how the fitted pipeline computes it
//! ([`FittedCross`]), after every column's own features.

use super::sin;
use serde::{Deserialize, Serialize};

/// A derived input for two-input lessons (TensorFlow Playground's x₁², x₂², x₁x₂, sin x₁,
/// sin x₂), usable by any family: computed from the named columns' transformed values
/// (after imputation and scaling) and appended after the columns' own features.
///
/// Scaled values keep the crosses well-conditioned for every family (on the 2-D sets,
/// standardised inputs span about ±2, so `sin x` bends once each way); the square of a
/// standardised column is how far a row is from the column's mean, which is what a linear
/// model needs to draw a circle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Cross {
    /// `x²`, named `x^2`.
    Square {
        /// The column.
        column: String,
    },
    /// `x · y`, named `x*y`.
    Product {
        /// The first column.
        column: String,
        /// The second column.
        with: String,
    },
    /// `sin x`, named `sin(x)`.
    Sin {
        /// The column.
        column: String,
    },
}

impl Cross {
    /// The columns it reads.
    pub(super) fn columns(&self) -> Vec<&str> {
        match self {
            Cross::Square { column } | Cross::Sin { column } => vec![column],
            Cross::Product { column, with } => vec![column, with],
        }
    }

    /// Its feature name: `x^2`, `x*y`, `sin(x)`.
    pub fn name(&self) -> String {
        match self {
            Cross::Square { column } => format!("{column}^2"),
            Cross::Product { column, with } => format!("{column}*{with}"),
            Cross::Sin { column } => format!("sin({column})"),
        }
    }

    /// Parses `x^2`, `x*y` or `sin(x)` (the feature names, as the URL and the CLI write
    /// them).
    pub fn parse(text: &str) -> Option<Cross> {
        let text = text.trim();
        if let Some(c) = text.strip_suffix("^2") {
            return Some(Cross::Square { column: c.into() });
        }
        if let Some(c) = text.strip_prefix("sin(").and_then(|t| t.strip_suffix(')')) {
            return Some(Cross::Sin { column: c.into() });
        }
        let (a, b) = text.split_once('*')?;
        Some(Cross::Product {
            column: a.into(),
            with: b.into(),
        })
    }
}

/// A [`Cross`] as the fitted pipeline keeps it: the operation on features by index (into
/// the columns' features), and its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FittedCross {
    /// `square`, `product` or `sin`.
    pub op: CrossOp,
    /// The features it reads (one, or two for a product), by index.
    pub of: Vec<usize>,
}

/// The operation of a [`FittedCross`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossOp {
    /// `x²`.
    Square,
    /// `x · y`.
    Product,
    /// `sin x` (fdlibm's kernels, the same bits everywhere: see `prep/sin.rs`).
    Sin,
}

pub(super) fn arity_of(op: CrossOp) -> usize {
    if op == CrossOp::Product {
        2
    } else {
        1
    }
}

impl FittedCross {
    pub(super) fn value(&self, row: &[f64]) -> f64 {
        let at = |i: usize| {
            self.of
                .get(i)
                .and_then(|&j| row.get(j))
                .copied()
                .unwrap_or(0.0)
        };
        let v = match self.op {
            CrossOp::Square => at(0) * at(0),
            CrossOp::Product => at(0) * at(1),
            CrossOp::Sin => sin::sin(at(0)),
        };
        // the columns' values are finite; their square can overflow: saturate as they do
        if v.is_nan() {
            0.0
        } else {
            v.clamp(-f64::MAX, f64::MAX)
        }
    }
}
