//! Ordinary least squares: `w·x + b`, fitted by linfa-linear.
//!
//! Its fitted form, [`LinearModel`], is also the elastic-net family's (ridge, lasso,
//! elastic net differ only in how the weights are fitted), so its scoring here serves
//! all four kinds.

#[cfg(feature = "train")]
mod fit;

use serde::{Deserialize, Serialize};

use super::{bad, family_params, finite, Family, ParamType, Predict, Tasks};
use crate::score::{dot, Prediction, Result, Task};

family_params! {
    /// Hyperparameters of ordinary least squares.
    pub struct LinearParams {
        /// fit an intercept term
        pub fit_intercept: bool = true, ParamType::Bool;
    }
}

/// The `linear` kind.
#[derive(Debug)]
pub struct Linear;

impl Family for Linear {
    const ABOUT: &'static str = "Ordinary least squares: a straight-line fit of a numeric target.";
    const TASKS: Tasks = Tasks::REGRESSION;
    type Params = LinearParams;
    type Fitted = LinearModel;
}

/// A linear regression (OLS, ridge, lasso, elastic net): `w·x + b`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

impl LinearModel {
    fn row(&self, x: &[f64]) -> Prediction {
        Prediction {
            value: dot(x, &self.weights) + self.intercept,
            probabilities: Vec::new(),
        }
    }
}

impl Predict for LinearModel {
    fn task(&self) -> Task {
        Task::Regression
    }

    fn n_outputs(&self) -> usize {
        0
    }

    fn n_features(&self) -> usize {
        self.weights.len()
    }

    fn validate(&self, p: usize) -> Result<()> {
        if self.weights.len() != p {
            return Err(bad("linear weights do not match the features"));
        }
        finite(&self.weights, "linear weights")
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        Ok(self.row(x))
    }

    fn predict_batch(&self, data: &[f64], cols: usize) -> Option<Vec<Prediction>> {
        Some(data.chunks_exact(cols).map(|x| self.row(x)).collect())
    }

    fn predict_batch_into(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        _probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        values.extend(
            data.chunks_exact(cols)
                .map(|x| dot(x, &self.weights) + self.intercept),
        );
        Some(0)
    }
}
