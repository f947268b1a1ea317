//! The elastic-net family: `ridge`, `lasso` and `elasticnet`, three kinds of one objective.
//!
//! All three minimise `1/(2n)·‖y − Xw − b‖² + alpha · (l1_ratio · ‖w‖₁ + (1 − l1_ratio)/2
//! · ‖w‖²)` — scikit-learn's `ElasticNet` objective: ridge fixes `l1_ratio` at 0, lasso at 1,
//! and the elastic net takes it as a parameter. They are one folder because they share the
//! objective, the trainer (`fit.rs`) and one fitted form — ordinary least squares' own
//! [`LinearModel`], scored by `linear/` — and three kinds because the CLI, the page and
//! every artifact already name them so, and because ridge and lasso are what a newcomer
//! looks for. Only their parameter lists differ: ridge and lasso take [`PenaltyParams`],
//! the elastic net [`ElasticNetParams`].
//!
//! The trainer is driftlab's own, beside linfa (`fit.rs` says why, with the measurements):
//! ridge by its closed form (Cholesky on the normal equations, scikit-learn's `Ridge` with
//! `alpha × n`), lasso and the elastic net by scikit-learn's coordinate descent with its
//! duality-gap stopping rule, on a precomputed Gram matrix when there are more rows than
//! columns. Ridge's `max_iterations` and `tolerance` only matter when it falls back to the
//! coordinate descent (a singular Gram matrix with `alpha = 0`, or over 1,024 columns).

#[cfg(feature = "train")]
mod fit;

use super::linear::LinearModel;
use super::{family_params, Family, ParamType, Tasks};

family_params! {
    /// Hyperparameters of ridge and lasso regression.
    pub struct PenaltyParams {
        /// penalty strength on the mean squared error/2 scale (scikit-learn's ElasticNet alpha)
        pub alpha: f64 = 1.0, ParamType::at_least(0.0);
        /// coordinate-descent sweeps (scikit-learn's max_iter)
        pub max_iterations: u64 = 1000, ParamType::Int { min: 1, max: 1_000_000 };
        /// stop when a sweep changes no coefficient by more than this share of the largest
        /// and the duality gap is below this share of the target's sum of squares
        /// (scikit-learn's tol)
        pub tolerance: f64 = 0.0001, ParamType::POSITIVE;
        /// fit an intercept term
        pub fit_intercept: bool = true, ParamType::Bool;
    }
}

family_params! {
    /// Hyperparameters of the elastic net.
    pub struct ElasticNetParams {
        /// penalty strength (scikit-learn's ElasticNet alpha)
        pub alpha: f64 = 1.0, ParamType::at_least(0.0);
        /// share of the L1 penalty
        pub l1_ratio: f64 = 0.5, ParamType::Float { min: 0.0, max: 1.0, min_open: false };
        /// coordinate-descent sweeps (scikit-learn's max_iter)
        pub max_iterations: u64 = 1000, ParamType::Int { min: 1, max: 1_000_000 };
        /// stop when a sweep changes no coefficient by more than this share of the largest
        /// and the duality gap is below this share of the target's sum of squares
        /// (scikit-learn's tol)
        pub tolerance: f64 = 0.0001, ParamType::POSITIVE;
        /// fit an intercept term
        pub fit_intercept: bool = true, ParamType::Bool;
    }
}

/// The `ridge` kind: the elastic net with `l1_ratio = 0`.
#[derive(Debug)]
pub struct Ridge;

impl Family for Ridge {
    const ABOUT: &'static str = "Least squares with an L2 penalty that shrinks the weights, steadier when inputs are correlated.";
    const TASKS: Tasks = Tasks::REGRESSION;
    type Params = PenaltyParams;
    type Fitted = LinearModel;
}

/// The `lasso` kind: the elastic net with `l1_ratio = 1`.
#[derive(Debug)]
pub struct Lasso;

impl Family for Lasso {
    const ABOUT: &'static str =
        "Least squares with an L1 penalty that sets some weights to exactly zero, choosing inputs.";
    const TASKS: Tasks = Tasks::REGRESSION;
    type Params = PenaltyParams;
    type Fitted = LinearModel;
}

/// The `elasticnet` kind.
#[derive(Debug)]
pub struct ElasticNet;

impl Family for ElasticNet {
    const ABOUT: &'static str = "A blend of the ridge and lasso penalties.";
    const TASKS: Tasks = Tasks::REGRESSION;
    type Params = ElasticNetParams;
    type Fitted = LinearModel;
}
