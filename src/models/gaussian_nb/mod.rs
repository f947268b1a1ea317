//! Gaussian naive Bayes: each input a bell curve per class, independently. Fitted by
//! linfa-bayes; scored as linfa computes the joint log-likelihood and its probabilities,
//! with the scorer's own `exp` and libm's `log` so that every build gives the same bits.

#[cfg(feature = "train")]
mod fit;

use serde::{Deserialize, Serialize};

use super::{bad, family_params, Family, ParamType, Predict, Tasks};
use crate::score::{argmax, exp, softmax_in_place, sum, Prediction, Result, Task};

family_params! {
    /// Hyperparameters of Gaussian naive Bayes.
    pub struct GaussianNbParams {
        /// share of the largest feature variance added to every variance
        pub var_smoothing: f64 = 0.000000001, ParamType::at_least(0.0);
    }
}

/// The `gaussian-nb` kind.
#[derive(Debug)]
pub struct GaussianNb;

impl Family for GaussianNb {
    const ABOUT: &'static str = "Treats each input as a bell curve per class, independently: tiny and fast, often a fair baseline.";
    const TASKS: Tasks = Tasks::CLASSIFICATION;
    type Params = GaussianNbParams;
    type Fitted = GaussianNbModel;
}

/// Gaussian naive Bayes: per-class means, variances (smoothing included) and priors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GaussianNbModel {
    /// Class means, `k × p` row-major.
    pub means: Vec<f64>,
    /// Class variances, `k × p` row-major.
    pub variances: Vec<f64>,
    /// Class priors.
    pub priors: Vec<f64>,
}

impl Predict for GaussianNbModel {
    fn task(&self) -> Task {
        Task::Classification
    }

    fn n_outputs(&self) -> usize {
        self.priors.len()
    }

    fn n_features(&self) -> usize {
        self.means.len() / self.priors.len().max(1)
    }

    fn validate(&self, p: usize) -> Result<()> {
        let k = self.priors.len();
        if k == 0 || self.means.len() != k * p || self.variances.len() != k * p {
            return Err(bad(
                "naive Bayes statistics do not match the features and classes",
            ));
        }
        if self.variances.iter().any(|&v| v.is_nan() || v <= 0.0)
            || self.priors.iter().any(|&v| v.is_nan() || v <= 0.0)
        {
            return Err(bad("naive Bayes variances and priors must be positive"));
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        let m = self;
        let k = m.priors.len();
        let p = x.len();
        let mut jll = Vec::with_capacity(k);
        let mut terms = vec![0.0; p];
        let mut logs = vec![0.0; p];
        for c in 0..k {
            let theta = &m.means[c * p..(c + 1) * p];
            let sigma = &m.variances[c * p..(c + 1) * p];
            for (l, s) in logs.iter_mut().zip(sigma) {
                *l = libm::log(2.0 * std::f64::consts::PI * s);
            }
            let nij = -0.5 * sum(&logs);
            for j in 0..p {
                let d = x[j] - theta[j];
                terms[j] = d.powi(2) / sigma[j];
            }
            let s = sum(&terms) * 0.5;
            jll.push((nij - s) + libm::log(m.priors[c]));
        }
        let value = argmax(&jll);
        // linfa: p = exp(jll − ln Σ exp(jll)); shifted by the maximum when that underflows.
        let exps: Vec<f64> = jll.iter().map(|v| exp(*v)).collect();
        let total = sum(&exps);
        let log_total = if total > 0.0 && total.is_finite() {
            libm::log(total)
        } else {
            let max = jll.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let shifted: Vec<f64> = jll.iter().map(|v| exp(v - max)).collect();
            max + libm::log(sum(&shifted))
        };
        let mut probabilities: Vec<f64> = jll.iter().map(|v| exp(v - log_total)).collect();
        if probabilities.iter().any(|p| !p.is_finite()) {
            // the log-likelihoods overflowed (inputs far outside the training range)
            probabilities = jll;
            softmax_in_place(&mut probabilities);
        }
        Ok(Prediction {
            value: value as f64,
            probabilities,
        })
    }
}
