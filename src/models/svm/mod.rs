//! Support vector machines: a maximum-margin boundary, curved by a kernel; classes by
//! one-vs-rest machines with Platt's probabilities, or regression in an ε-insensitive
//! tube. Fitted by linfa-svm (SMO); the fitted form keeps the support vectors and their
//! signed coefficients (or, for the linear kernel, the combined hyperplane).
//!
//! An SVM classifier imported from scikit-learn (`SVC(probability=True)` through ONNX) is
//! libsvm's one-vs-one instead: its machines and its pairwise-coupled probabilities live in
//! the optional `one_vs_one` field ([`OneVsOne`], `pairwise.rs`, which says why and how it
//! follows onnxruntime's `f32` arithmetic). The field is absent from every artifact
//! driftlab trains, so theirs are unchanged.

#[cfg(feature = "train")]
mod fit;
mod pairwise;

pub use pairwise::OneVsOne;

use serde::{Deserialize, Serialize};

use super::{bad, family_params, param_words, Family, ParamType, Predict, Tasks};
use crate::score::{argmax, dot, exp, expf, Prediction, Result, Task};

param_words! {
    /// The kernel an SVM is trained with.
    pub enum SvmKernel {
        /// Gaussian (radial basis function).
        Rbf = "rbf",
        /// Linear: no kernel.
        Linear = "linear",
        /// Polynomial.
        Poly = "poly",
    }
}

family_params! {
    /// Hyperparameters of a support vector machine.
    pub struct SvmParams {
        /// penalty of margin violations
        pub c: f64 = 1.0, ParamType::POSITIVE;
        /// kernel
        pub kernel: SvmKernel = SvmKernel::Rbf, ParamType::Choice(SvmKernel::WORDS);
        /// rbf width 1/eps; 0 means scikit-learn's "scale", 1/(features × variance of the inputs)
        pub gamma: f64 = 0.0, ParamType::at_least(0.0);
        /// poly degree
        pub degree: f64 = 3.0, ParamType::Float { min: 1.0, max: 10.0, min_open: false };
        /// poly constant
        pub coef0: f64 = 1.0,
            ParamType::Float { min: f64::NEG_INFINITY, max: f64::INFINITY, min_open: false };
        /// regression: width of the insensitive tube
        pub epsilon: f64 = 0.1, ParamType::at_least(0.0);
        /// SMO stopping threshold
        pub tolerance: f64 = 0.001, ParamType::POSITIVE;
    }
}

/// The `svm` kind.
#[derive(Debug)]
pub struct Svm;

impl Family for Svm {
    const ABOUT: &'static str = "A maximum-margin boundary, curved by a kernel: strong on small tables, slow to train on many rows.";
    const TASKS: Tasks = Tasks::BOTH;
    type Params = SvmParams;
    type Fitted = SvmModel;
    /// linfa's SMO solver keeps the kernel of every pair of training rows, n² × 8 bytes:
    /// 10,000 rows are 800 MB, 50,000 would be 20 GB (the page's engine crashed with
    /// "capacity overflow" there; 20,000 rows took 23.5 s).
    const MAX_ROWS: Option<usize> = Some(10_000);
    fn too_many_rows(rows: usize, _features: usize) -> String {
        let gb = (rows as f64) * (rows as f64) * 8.0 / 1e9;
        format!("its solver keeps a kernel value for every pair of training rows ({gb:.1} GB for {rows} rows), more memory than a browser tab has")
    }
}

/// A kernel of a support vector machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kernel {
    /// `⟨x, x'⟩`.
    Linear,
    /// `exp(−‖x − x'‖² / eps)` (scikit-learn's `gamma = 1 / eps`).
    Gaussian {
        /// Width.
        eps: f64,
    },
    /// `(⟨x, x'⟩ + constant)^degree`.
    Polynomial {
        /// Added constant.
        constant: f64,
        /// Degree.
        degree: f64,
    },
}

/// One binary SVM: decision value `Σ αᵢ K(svᵢ, x) − ρ` (or `w·x − ρ` for the linear kernel).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BinarySvm {
    /// Signed dual coefficients of the support vectors.
    pub alpha: Vec<f64>,
    /// Support vectors, `n_sv × p` row-major (empty for the linear kernel).
    pub support_vectors: Vec<f64>,
    /// The combined hyperplane for the linear kernel (empty otherwise).
    pub weights: Vec<f64>,
    /// Offset.
    pub rho: f64,
    /// Platt scaling `(a, b)`: `p = 1 / (1 + exp(a·f + b))`, computed in `f32` as linfa does
    /// (classification only).
    pub platt: Option<(f64, f64)>,
}

/// A support vector machine: one-vs-rest binary machines for classes, one for regression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SvmModel {
    /// The kernel.
    pub kernel: Kernel,
    /// Number of features.
    pub n_features: usize,
    /// Classification with two classes: one machine for class 1. More classes: one machine
    /// per class (one-vs-rest). Regression: one machine.
    pub machines: Vec<BinarySvm>,
    /// Number of classes (0 for regression).
    pub n_classes: usize,
    /// libsvm's one-vs-one machines of an imported scikit-learn `SVC` (then `machines` is
    /// empty); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_vs_one: Option<OneVsOne>,
}

impl Predict for SvmModel {
    fn task(&self) -> Task {
        Task::by_classes(self.n_classes)
    }

    fn n_outputs(&self) -> usize {
        self.n_classes
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    fn validate(&self, p: usize) -> Result<()> {
        if let Some(o) = &self.one_vs_one {
            if self.n_features != p
                || !self.machines.is_empty()
                || !o.fits(&self.kernel, self.n_classes, p)
            {
                return Err(bad(
                    "svm one_vs_one arrays do not match its classes, support vectors and features",
                ));
            }
            return Ok(());
        }
        if self.n_features != p || self.machines.is_empty() {
            return Err(bad("svm does not match the features"));
        }
        let expected = match self.n_classes {
            0 | 2 => 1,
            1 => return Err(bad("svm needs at least 2 classes")),
            k => k,
        };
        if self.machines.len() != expected {
            return Err(bad("svm has the wrong number of machines"));
        }
        for s in &self.machines {
            let ok = match self.kernel {
                Kernel::Linear => s.weights.len() == p,
                _ => s.support_vectors.len() == s.alpha.len() * p,
            };
            if !ok || (self.n_classes > 0 && s.platt.is_none()) {
                return Err(bad("svm machine arrays do not match the features"));
            }
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        if let Some(o) = &self.one_vs_one {
            return Ok(o.predict(&self.kernel, self.n_classes, x));
        }
        if self.n_classes == 0 {
            return Ok(Prediction {
                value: svm_decision(&self.kernel, &self.machines[0], x),
                probabilities: Vec::new(),
            });
        }
        let probs: Vec<f64> = self
            .machines
            .iter()
            .map(|s| {
                let (a, b) = s.platt.unwrap_or((0.0, 0.0));
                platt_probability(svm_decision(&self.kernel, s, x), a, b)
            })
            .collect();
        Ok(svm_combine(&probs, self.n_classes))
    }
}

/// Decision value of one machine (linfa's `weighted_sum − rho`).
fn svm_decision(kernel: &Kernel, s: &BinarySvm, x: &[f64]) -> f64 {
    let p = x.len();
    let ws = match *kernel {
        Kernel::Linear => dot(&s.weights, x),
        Kernel::Gaussian { eps } => s
            .alpha
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let sv = &s.support_vectors[i * p..(i + 1) * p];
                let d: f64 = sv.iter().zip(x).map(|(u, v)| (u - v) * (u - v)).sum();
                exp(-d / eps) * a
            })
            .sum(),
        Kernel::Polynomial { constant, degree } => s
            .alpha
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let sv = &s.support_vectors[i * p..(i + 1) * p];
                libm::pow(dot(sv, x) + constant, degree) * a
            })
            .sum(),
    };
    ws - s.rho
}

/// Platt's probability as linfa computes it: in `f32`, with an `expf` that gives glibc's
/// bits (so natively it equals linfa's to the bit) in every build (so the Wasm page and
/// edge give the native CLI's bits); see `src/score/expf.rs`.
pub fn platt_probability(decision: f64, a: f64, b: f64) -> f64 {
    let f = (a * decision + b) as f32;
    let p = if f >= 0.0 {
        let e = expf(-f);
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + expf(f))
    };
    p as f64
}

/// Combines one-vs-rest machine probabilities into a prediction: two classes use the one
/// machine (class 1 when its probability is ≥ 0.5); more classes take the first maximum and
/// normalise the probabilities to sum to one.
pub fn svm_combine(machine_probabilities: &[f64], n_classes: usize) -> Prediction {
    if n_classes == 2 {
        let p = machine_probabilities.first().copied().unwrap_or(0.0);
        return Prediction {
            value: if p >= 0.5 { 1.0 } else { 0.0 },
            probabilities: vec![1.0 - p, p],
        };
    }
    let value = argmax(machine_probabilities);
    let total: f64 = machine_probabilities.iter().sum();
    let probabilities = if total > 0.0 {
        machine_probabilities.iter().map(|p| p / total).collect()
    } else {
        vec![1.0 / n_classes as f64; n_classes]
    };
    Prediction {
        value: value as f64,
        probabilities,
    }
}
