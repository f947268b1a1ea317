//! Gaussian naive Bayes: each input a bell curve per class, independently. Fitted in one
//! pass by driftlab's own trainer (`fit.rs` says why not linfa-bayes); scored as scikit-learn
//! does — the joint log-likelihood `ln prior − ½·Σ ln(2π·σ²) − ½·Σ (x − μ)²/σ²` per class,
//! then probabilities by the shifted softmax — with libm's `log` and the scorer's own `exp`
//! so that every build gives the same bits.
//!
//! The class constants (`ln prior − ½·Σ ln(2π·σ²)`) and the inverse variances are computed
//! once per call or batch, not once per row and class as before (20 logarithms per class
//! per row on the 20-feature bench table). The probabilities are normalised by their own
//! sum, so none exceeds 1: the older `exp(jll − ln Σ exp(jll))` gave `1.0000000000000002`
//! on some fraud rows, which the model's own evaluation then refused (issue 19, item 5).

#[cfg(feature = "train")]
mod fit;

use serde::{Deserialize, Serialize};

use super::{bad, family_params, Family, ParamType, Predict, Tasks};
use crate::score::{argmax, scaled_sq_dist, softmax_in_place, sum, Prediction, Result, Task};

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
        let (constants, inverse) = self.constants();
        let mut jll = vec![0.0; self.priors.len()];
        self.log_likelihoods(x, &constants, &inverse, &mut jll);
        let value = argmax(&jll);
        softmax_in_place(&mut jll);
        Ok(Prediction {
            value: value as f64,
            probabilities: jll,
        })
    }

    fn predict_batch_into(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        let k = self.priors.len();
        let rows = data.len() / cols.max(1);
        let (constants, inverse) = self.constants();
        values.resize(rows, 0.0);
        probabilities.resize(rows * k, 0.0);
        for ((x, v), jll) in data
            .chunks_exact(cols)
            .zip(values.iter_mut())
            .zip(probabilities.chunks_exact_mut(k))
        {
            self.log_likelihoods(x, &constants, &inverse, jll);
            *v = argmax(jll) as f64;
            softmax_in_place(jll);
        }
        Some(k)
    }
}

impl GaussianNbModel {
    /// What every row shares: per class `ln prior − ½·Σ ln(2π·σ²)`, and the inverse
    /// variances (`k × p`), computed once per call or batch instead of once per row.
    fn constants(&self) -> (Vec<f64>, Vec<f64>) {
        let k = self.priors.len();
        let p = self.variances.len() / k.max(1);
        let mut logs = vec![0.0; p];
        let constants = (0..k)
            .map(|c| {
                for (l, s) in logs.iter_mut().zip(&self.variances[c * p..(c + 1) * p]) {
                    *l = libm::log(2.0 * std::f64::consts::PI * s);
                }
                libm::log(self.priors[c]) - 0.5 * sum(&logs)
            })
            .collect();
        let inverse = self.variances.iter().map(|s| 1.0 / s).collect();
        (constants, inverse)
    }

    /// The joint log-likelihood of each class for row `x` into `jll`:
    /// `constant_c − ½·Σ (x − μ)²/σ²`, the sum in [`dot`](crate::score::dot)'s eight-lane order.
    #[inline]
    fn log_likelihoods(&self, x: &[f64], constants: &[f64], inverse: &[f64], jll: &mut [f64]) {
        let p = x.len();
        for (c, out) in jll.iter_mut().enumerate() {
            let mean = &self.means[c * p..(c + 1) * p];
            let inv = &inverse[c * p..(c + 1) * p];
            *out = constants[c] - 0.5 * scaled_sq_dist(x, mean, inv);
        }
    }
}
