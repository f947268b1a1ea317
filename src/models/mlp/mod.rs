//! A multilayer perceptron: layers of neurons, each a weighted sum of the layer before
//! passed through an activation, ending in a softmax over the classes (or one number for
//! regression). TensorFlow Playground's network, fitted on any table.
//!
//! # Why these choices
//!
//! - **Our own trainer** (`fit.rs`), not a library's: the page watches the network learn
//!   epoch by epoch ([`MlpTrainer`](fit::MlpTrainer) steps, the live view paints every
//!   neuron), and a seeded run must give the same bits natively and in Wasm. linfa has no
//!   neural network; the Rust deep-learning crates (burn, candle, dfdx) bring a tensor
//!   runtime the size of the rest of the core for networks of a few hundred weights.
//! - **Portable arithmetic**: `tanh` is `libm`'s and the sigmoid and softmax use the
//!   scorer's own [`exp`](crate::score) (see `score/exp.rs`), sums go through
//!   [`dot`](crate::score) in one fixed order, so the page, the CLI and the edge score a
//!   network bit-identically, and a seeded training run is the same network everywhere.
//! - **The fitted form is plain arrays**: the layer sizes, one activation word per hidden
//!   layer, and per layer a weight matrix (one row per neuron of the layer, one column per
//!   input) and a bias vector. A regressor's target scaling is folded into the last
//!   layer, so scoring needs nothing else.
//!
//! Scoring a row is one forward pass: `a₀ = x`, `aₗ₊₁ = f(Wₗ·aₗ + bₗ)` with the hidden
//! layers' activations, then the softmax (classes) or the identity (regression).

#[cfg(feature = "train")]
pub(crate) mod fit;
#[cfg(feature = "train")]
pub use fit::{MlpTrainer, StepReport};

use serde::{Deserialize, Serialize};

use super::params::{ParamField, ParamValue};
use super::{bad, family_params, finite, param_words, Family, ParamType, Predict, Tasks};
use crate::score::{argmax, dot, exp, softmax_in_place, Prediction, Result, Task};

param_words! {
    /// A hidden layer's activation.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Activation {
        /// The hyperbolic tangent, in (−1, 1) (TensorFlow Playground's default).
        Tanh = "tanh",
        /// max(0, x).
        Relu = "relu",
        /// 1 / (1 + e^(−x)), in (0, 1).
        Sigmoid = "sigmoid",
        /// x itself: the layer stays linear.
        Linear = "linear",
    }
}

param_words! {
    /// How the weights move after each batch.
    pub enum Solver {
        /// Plain stochastic gradient descent: `w −= rate · gradient`.
        Sgd = "sgd",
        /// Adam (scikit-learn's β₁ = 0.9, β₂ = 0.999, ε = 1e-8).
        Adam = "adam",
    }
}

param_words! {
    /// What a classifier minimises.
    pub enum Loss {
        /// The cross-entropy of the softmax (the log loss).
        CrossEntropy = "cross-entropy",
        /// Half the squared distance between the probabilities and the one-hot class
        /// (TensorFlow Playground's loss, for comparison).
        Squared = "squared",
    }
}

param_words! {
    /// The weight penalty.
    pub enum Regularization {
        /// No penalty.
        None = "none",
        /// The sum of |w|: pushes weights to exactly zero.
        L1 = "l1",
        /// Half the sum of w²: keeps weights small.
        L2 = "l2",
    }
}

/// The sizes of the hidden layers (a [`ParamType::IntList`] parameter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layers(pub Vec<usize>);

impl ParamField for Layers {
    fn to_value(&self) -> ParamValue {
        if self.0.is_empty() {
            return ParamValue::Text("none".into());
        }
        let words: Vec<String> = self.0.iter().map(usize::to_string).collect();
        ParamValue::Text(words.join(","))
    }
    fn from_value(value: &ParamValue) -> Option<Layers> {
        match value {
            ParamValue::Text(t) if t == "none" || t.is_empty() => Some(Layers(Vec::new())),
            ParamValue::Text(t) => t
                .split(',')
                .map(|s| s.trim().parse().ok())
                .collect::<Option<Vec<usize>>>()
                .map(Layers),
            ParamValue::Int(n) => usize::try_from(*n).ok().map(|n| Layers(vec![n])),
            _ => None,
        }
    }
}

/// The hidden layers' activations: one for every layer, or one per layer (a
/// [`ParamType::WordList`] parameter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activations(pub Vec<Activation>);

impl Activations {
    /// The activation of hidden layer `i` of `n`, or `None` when the list is neither one
    /// word nor one per layer.
    pub fn per_layer(&self, n: usize) -> Option<Vec<Activation>> {
        match self.0.len() {
            1 => Some(vec![self.0[0]; n]),
            len if len == n => Some(self.0.clone()),
            _ => None,
        }
    }
}

impl ParamField for Activations {
    fn to_value(&self) -> ParamValue {
        let words: Vec<&str> = self.0.iter().map(|a| a.word()).collect();
        ParamValue::Text(words.join(","))
    }
    fn from_value(value: &ParamValue) -> Option<Activations> {
        let ParamValue::Text(t) = value else {
            return None;
        };
        t.split(',')
            .map(|w| Activation::from_value(&ParamValue::Text(w.trim().to_string())))
            .collect::<Option<Vec<_>>>()
            .filter(|v| !v.is_empty())
            .map(Activations)
    }
}

family_params! {
    /// Hyperparameters of the multilayer perceptron (TensorFlow Playground's defaults).
    pub struct MlpParams {
        /// neurons per hidden layer, comma-separated (`4,2`: two layers); none for no hidden layer
        pub hidden: Layers = Layers(vec![4, 2]), ParamType::IntList { max_len: 6, min: 1, max: 256 };
        /// the hidden layers' activation: one word for all, or one per layer
        pub activation: Activations = Activations(vec![Activation::Tanh]), ParamType::WordList(Activation::WORDS);
        /// how the weights move after each batch
        pub solver: Solver = Solver::Sgd, ParamType::Choice(Solver::WORDS);
        /// the step size
        pub learning_rate: f64 = 0.03, ParamType::Float { min: 0.0, max: 10.0, min_open: true };
        /// rows per weight update
        pub batch_size: u64 = 10, ParamType::Int { min: 1, max: 1_000_000 };
        /// passes over the training rows
        pub epochs: u64 = 100, ParamType::Int { min: 1, max: 100_000 };
        /// what a classifier minimises (regression always uses the squared error)
        pub loss: Loss = Loss::CrossEntropy, ParamType::Choice(Loss::WORDS);
        /// the weight penalty
        pub regularization: Regularization = Regularization::None, ParamType::Choice(Regularization::WORDS);
        /// the penalty's strength
        pub regularization_rate: f64 = 0.0, ParamType::Float { min: 0.0, max: 10.0, min_open: false };
    }
}

/// The `mlp` kind.
#[derive(Debug)]
pub struct Mlp;

impl Family for Mlp {
    const ABOUT: &'static str = "Layers of neurons, each a weighted sum of the layer before bent by an activation: learns curved boundaries a linear model cannot, trained step by step so you can watch it learn.";
    const TASKS: Tasks = Tasks::BOTH;
    type Params = MlpParams;
    type Fitted = MlpModel;
}

/// A fitted network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpModel {
    /// Neurons per layer: the inputs, each hidden layer, the outputs (the classes, or 1).
    pub sizes: Vec<usize>,
    /// One activation per hidden layer.
    pub activations: Vec<Activation>,
    /// Per layer `l`, `sizes[l+1] × sizes[l]` weights, row-major: row `j` holds neuron
    /// `j`'s weight for each input.
    pub weights: Vec<Vec<f64>>,
    /// Per layer `l`, `sizes[l+1]` biases.
    pub biases: Vec<Vec<f64>>,
    /// Number of classes (the output is their softmax); 0 for regression (one output).
    pub n_classes: usize,
}

impl Activation {
    /// The activation of a weighted sum `z` (`libm`'s tanh, the scorer's exp).
    #[inline]
    pub fn apply(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => libm::tanh(z),
            Activation::Relu => {
                if z > 0.0 {
                    z
                } else {
                    0.0
                }
            }
            Activation::Sigmoid => {
                let a = 1.0 / (1.0 + exp(-z));
                if a.is_nan() {
                    0.5
                } else {
                    a
                }
            }
            Activation::Linear => z,
        }
    }
}

impl MlpModel {
    /// The number of weight layers (hidden layers + 1).
    pub fn depth(&self) -> usize {
        self.weights.len()
    }

    /// Runs the network on `x` (of [`Predict::n_features`] values), leaving every layer's
    /// outputs in `acts` (`acts[0]` is `x`, the last is the output before the softmax).
    /// The caller has validated the model.
    pub fn forward_into(&self, x: &[f64], acts: &mut Vec<Vec<f64>>) {
        acts.resize_with(self.sizes.len(), Vec::new);
        acts[0].clear();
        acts[0].extend_from_slice(x);
        for l in 0..self.depth() {
            let (done, rest) = acts.split_at_mut(l + 1);
            let (input, out) = (&done[l], &mut rest[0]);
            let n_in = self.sizes[l];
            out.clear();
            let act = self.activations.get(l).copied();
            for (w, b) in self.weights[l].chunks_exact(n_in).zip(&self.biases[l]) {
                let z = dot(w, input) + b;
                out.push(match act {
                    Some(a) => a.apply(z),
                    None => z,
                });
            }
        }
    }

    /// The prediction from the last layer's raw outputs (softmax or identity).
    pub fn output(&self, raw: &[f64]) -> Prediction {
        if self.n_classes == 0 {
            let value = raw.first().copied().unwrap_or(0.0);
            return Prediction {
                // an overflowing network says so with the largest finite number
                value: if value.is_nan() {
                    0.0
                } else {
                    value.clamp(-f64::MAX, f64::MAX)
                },
                probabilities: Vec::new(),
            };
        }
        let mut z: Vec<f64> = raw
            .iter()
            .map(|v| {
                if v.is_nan() {
                    0.0
                } else {
                    v.clamp(-f64::MAX, f64::MAX)
                }
            })
            .collect();
        let value = argmax(&z);
        softmax_in_place(&mut z);
        Prediction {
            value: value as f64,
            probabilities: z,
        }
    }
}

impl Predict for MlpModel {
    fn task(&self) -> Task {
        Task::by_classes(self.n_classes)
    }

    fn n_outputs(&self) -> usize {
        self.n_classes
    }

    fn n_features(&self) -> usize {
        self.sizes.first().copied().unwrap_or(0)
    }

    fn validate(&self, p: usize) -> Result<()> {
        let layers = self.sizes.len();
        if layers < 2 || self.sizes[0] != p {
            return Err(bad(
                "mlp layer sizes do not start with the number of features",
            ));
        }
        if self.sizes.contains(&0) {
            return Err(bad("mlp has a layer without neurons"));
        }
        let outputs = self.sizes[layers - 1];
        if (self.n_classes == 0 && outputs != 1)
            || (self.n_classes > 0 && outputs != self.n_classes)
            || self.n_classes == 1
        {
            return Err(bad("mlp output layer does not match the classes"));
        }
        if self.activations.len() != layers - 2
            || self.weights.len() != layers - 1
            || self.biases.len() != layers - 1
        {
            return Err(bad("mlp has a different number of layers in its arrays"));
        }
        for l in 0..layers - 1 {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            if n_in.checked_mul(n_out) != Some(self.weights[l].len())
                || self.biases[l].len() != n_out
            {
                return Err(bad(&format!(
                    "mlp layer {} weights do not match its sizes ({n_out} × {n_in})",
                    l + 1
                )));
            }
            finite(&self.weights[l], "mlp weights")?;
            finite(&self.biases[l], "mlp biases")?;
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        let mut acts = Vec::new();
        self.forward_into(x, &mut acts);
        Ok(self.output(acts.last().map_or(&[][..], |v| v)))
    }

    fn predict_batch(&self, data: &[f64], cols: usize) -> Option<Vec<Prediction>> {
        let mut acts = Vec::new();
        Some(
            data.chunks_exact(cols)
                .map(|x| {
                    self.forward_into(x, &mut acts);
                    self.output(acts.last().map_or(&[][..], |v| v))
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests;
