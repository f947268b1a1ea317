//! Training-free scoring: a model in driftlab's own plain parameters (weights, tree node
//! arrays, class statistics, support vectors, stored neighbours, centroids) and the code
//! that turns a feature row into a prediction.
//!
//! Nothing here depends on linfa, so the edge scorer compiles it with the `train` feature
//! off. The arithmetic mirrors linfa 0.8.1 and ndarray 0.16 operation for operation (for
//! example [`dot`] sums in ndarray's eight-lane order), so that for most kinds the scorer
//! reproduces the trained model's outputs bit for bit; `tests/parity_models.rs` checks every
//! kind against linfa on every bundled table (classes exactly, values within 1e-12).
//!
//! Rows are the *transformed* features (the output of a fitted pipeline); see
//! [`crate::artifact`] for scoring raw table rows.

mod exp;
mod expf;
mod stream;
use exp::exp;
pub use stream::{output_header, score_csv, StreamError, CHUNK_ROWS};

use serde::{Deserialize, Serialize};

/// Errors from scoring: a row of the wrong width or a model whose arrays disagree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScoreError {
    /// A row does not have the number of features the model was trained on.
    #[error("row {row} has {got} features but the model expects {expected}; transform rows with the artifact's fitted pipeline")]
    Width {
        /// The row (0-based within the batch).
        row: usize,
        /// Features the model expects.
        expected: usize,
        /// Features in the row.
        got: usize,
    },
    /// A batch's data length is not a multiple of the row width.
    #[error("batch of {len} values is not a whole number of rows of {cols} features")]
    Ragged {
        /// Values given.
        len: usize,
        /// Row width.
        cols: usize,
    },
    /// The model's arrays disagree with each other (a corrupted or hand-edited artifact).
    #[error("invalid model: {0}")]
    Invalid(String),
}

/// The result type of this module.
pub type Result<T> = std::result::Result<T, ScoreError>;

/// Dot product summed in ndarray 0.16's order (`numeric_util::unrolled_dot`: eight partial
/// sums, folded pairwise, then the tail), so that results equal `ArrayBase::dot` bit for bit.
/// Always inlined: it is the inner loop of every linear scorer, and the Wasm builds are
/// size-optimised (`opt-level = "s"`), which otherwise keeps it out of line.
#[inline(always)]
pub fn dot(xs: &[f64], ys: &[f64]) -> f64 {
    let len = xs.len().min(ys.len());
    let (mut xs, mut ys) = (&xs[..len], &ys[..len]);
    let mut sum = 0.0;
    let (mut p0, mut p1, mut p2, mut p3, mut p4, mut p5, mut p6, mut p7) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    while xs.len() >= 8 {
        p0 += xs[0] * ys[0];
        p1 += xs[1] * ys[1];
        p2 += xs[2] * ys[2];
        p3 += xs[3] * ys[3];
        p4 += xs[4] * ys[4];
        p5 += xs[5] * ys[5];
        p6 += xs[6] * ys[6];
        p7 += xs[7] * ys[7];
        xs = &xs[8..];
        ys = &ys[8..];
    }
    sum += p0 + p4;
    sum += p1 + p5;
    sum += p2 + p6;
    sum += p3 + p7;
    // the tail, in order; not `zip`, whose constructor the size-optimised Wasm builds
    // call out of line once per row
    while let (Some((x, xt)), Some((y, yt))) = (xs.split_first(), ys.split_first()) {
        sum += x * y;
        xs = xt;
        ys = yt;
    }
    sum
}

/// Sum in ndarray 0.16's order (`numeric_util::unrolled_fold`), equal to `ArrayBase::sum`.
#[inline]
pub fn sum(xs: &[f64]) -> f64 {
    let mut xs = xs;
    let mut acc = 0.0;
    let mut p = [0.0f64; 8];
    while xs.len() >= 8 {
        for (pi, x) in p.iter_mut().zip(&xs[..8]) {
            *pi += x;
        }
        xs = &xs[8..];
    }
    acc += p[0] + p[4];
    acc += p[1] + p[5];
    acc += p[2] + p[6];
    acc += p[3] + p[7];
    for x in xs {
        acc += x;
    }
    acc
}

/// The logistic sigmoid, with [`exp`] (one division). Finite for every input: `±∞` give
/// exactly 1 and 0, 0 gives exactly 0.5, and NaN (which [`linear_logit`] never returns)
/// gives 0.5.
#[inline(always)]
fn logistic(x: f64) -> f64 {
    logistic_with(x, exp)
}

/// [`logistic`] with a given exponential: [`exp`], or in the batch loop
/// [`exp::exp_inlined`] (the same bits).
#[inline(always)]
fn logistic_with(x: f64, exp: impl Fn(f64) -> f64) -> f64 {
    let p = 1.0 / (1.0 + exp(-x));
    if p.is_nan() {
        0.5
    } else {
        p
    }
}

/// `x · w + b`, as [`dot`] sums it. When that overflows (a row of `1e308`s, or an artifact
/// with an `f64::MAX` weight: `∞ − ∞` is NaN) the logit is recomputed on scaled terms,
/// which keeps its sign and size: the result is `±∞` or a finite number, never NaN.
#[inline(always)]
fn linear_logit(x: &[f64], w: &[f64], b: f64) -> f64 {
    let z = dot(x, w) + b;
    if z.is_finite() {
        z
    } else {
        overflowed_logit(x, w, b)
    }
}

/// The exponent of the scaling in [`overflowed_logit`]: a product of two finite numbers
/// scaled by 2⁻⁵²⁰ each is below 2⁹⁸⁸, so a sum of up to 2³⁵ of them cannot overflow.
const SCALE_EXPONENT: u64 = 520;

/// The logit of [`linear_logit`] when the plain sum overflowed: each factor is scaled by
/// 2⁻⁵²⁰ (exact for all but tiny values, which cannot matter next to the overflowing
/// terms), infinite inputs count as `±f64::MAX` and NaN ones as 0, and the sum is scaled
/// back up (to `±∞` when it does not fit). Exact cancellation gives 0.
#[cold]
#[inline(never)]
fn overflowed_logit(x: &[f64], w: &[f64], b: f64) -> f64 {
    // 2⁻⁵²⁰ and 2⁵²⁰, exactly (f64::from_bits is not const under the crate's MSRV)
    let down = f64::from_bits((1023 - SCALE_EXPONENT) << 52);
    let up = f64::from_bits((1023 + SCALE_EXPONENT) << 52);
    let finite = |v: f64| {
        if v.is_nan() {
            0.0
        } else {
            v.clamp(-f64::MAX, f64::MAX)
        }
    };
    let mut s = 0.0;
    for (&xi, &wi) in x.iter().zip(w) {
        s += (finite(xi) * down) * (finite(wi) * down);
    }
    s += finite(b) * down * down;
    s * up * up
}

/// Softmax in place: the class probabilities of logits `z`, always finite and summing to 1.
/// The usual path shifts by the maximum (log-sum-exp); when the maximum is `+∞` the mass is
/// shared equally by the classes at `+∞`, NaN logits count as `−∞`, and when no logit is
/// above `−∞` every class gets the same share.
pub fn softmax_in_place(z: &mut [f64]) {
    let max = z
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    if max.is_finite() {
        for v in z.iter_mut() {
            // exp(NaN − max) would be NaN: a NaN logit gets no mass
            *v = if v.is_nan() { 0.0 } else { exp(*v - max) };
        }
    } else {
        let top = max; // +∞, or −∞ when every logit is −∞ or NaN
        for v in z.iter_mut() {
            *v = if *v == top || top == f64::NEG_INFINITY {
                1.0
            } else {
                0.0
            };
        }
    }
    let s = sum(z);
    for v in z.iter_mut() {
        *v /= s;
    }
}

/// Index of the first maximum (NaN never wins).
fn argmax(xs: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] || xs[best].is_nan() {
            best = i;
        }
    }
    best
}

/// A prediction for one row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Prediction {
    /// The class index (classifiers), the cluster index (k-means) or the value (regressors).
    pub value: f64,
    /// Class probabilities in class order (classifiers only; empty otherwise).
    pub probabilities: Vec<f64>,
}

/// The task a model solves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Predicts a class index and class probabilities.
    Classification,
    /// Predicts a number.
    Regression,
    /// Assigns a cluster index.
    Clustering,
}

/// Logistic regression: one weight vector for two classes, one per class for more.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    /// Number of classes (≥ 2).
    pub n_classes: usize,
    /// Two classes: `p` weights of the `positive` class's logit. More: `p × k` row-major
    /// (feature-major, as linfa stores them).
    pub weights: Vec<f64>,
    /// Two classes: one intercept. More: one per class.
    pub intercepts: Vec<f64>,
    /// Two classes: the class whose probability is `σ(w·x + b)`; the other gets `1 − p`.
    /// The prediction is `positive` when its probability is ≥ 0.5.
    pub positive: usize,
}

/// A linear regression (OLS, ridge, lasso, elastic net): `w·x + b`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

/// A decision tree as node arrays; node 0 is the root. A row goes left when
/// `x[feature] < threshold`, else right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeModel {
    /// Split feature per node (unused for leaves).
    pub feature: Vec<usize>,
    /// Split threshold per node (unused for leaves).
    pub threshold: Vec<f64>,
    /// Left child per node; `-1` for leaves.
    pub left: Vec<i64>,
    /// Right child per node; `-1` for leaves.
    pub right: Vec<i64>,
    /// Predicted class per node (meaningful for leaves).
    pub class: Vec<usize>,
    /// Class probabilities per node, `nodes × k` row-major: the class frequencies of the
    /// training rows that reach each leaf (zeros for internal nodes).
    pub distribution: Vec<f64>,
    /// Number of classes.
    pub n_classes: usize,
}

impl TreeModel {
    fn leaf(&self, x: &[f64]) -> Result<usize> {
        let mut node = 0usize;
        // A well-formed tree reaches a leaf within `nodes` steps; bound the walk so that a
        // corrupted artifact with a cycle is an error, not a hang.
        for _ in 0..=self.left.len() {
            let l = *self
                .left
                .get(node)
                .ok_or_else(|| bad("tree child out of range"))?;
            if l < 0 {
                return Ok(node);
            }
            let f = self.feature[node];
            let v = *x.get(f).ok_or_else(|| bad("tree feature out of range"))?;
            node = if v < self.threshold[node] {
                l as usize
            } else {
                self.right[node].max(0) as usize
            };
        }
        Err(bad("tree has a cycle"))
    }

    fn validate(&self) -> Result<()> {
        let n = self.left.len();
        if n == 0
            || self.right.len() != n
            || self.feature.len() != n
            || self.threshold.len() != n
            || self.class.len() != n
            || n.checked_mul(self.n_classes) != Some(self.distribution.len())
        {
            return Err(bad("tree arrays have different lengths"));
        }
        for i in 0..n {
            let (l, r) = (self.left[i], self.right[i]);
            // Children come after their parent, so every walk ends at a leaf.
            if (l < 0) != (r < 0)
                || l >= n as i64
                || r >= n as i64
                || (l >= 0 && (l <= i as i64 || r <= i as i64))
            {
                return Err(bad("tree child index out of range"));
            }
            if l < 0 && self.class[i] >= self.n_classes {
                return Err(bad("tree leaf class out of range"));
            }
        }
        Ok(())
    }
}

/// A random forest: trees over the original feature indices, majority vote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForestModel {
    /// The trees (feature indices refer to the full feature row).
    pub trees: Vec<TreeModel>,
    /// Number of classes.
    pub n_classes: usize,
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
}

/// k-nearest neighbours: the stored training points and their targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnnModel {
    /// Neighbours to consult.
    pub k: usize,
    /// Stored points, `n × p` row-major.
    pub points: Vec<f64>,
    /// Target per point: a class index (classification) or a value (regression).
    pub targets: Vec<f64>,
    /// Number of classes (0 for regression).
    pub n_classes: usize,
}

/// k-means: the centroids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansModel {
    /// Number of features.
    pub n_features: usize,
    /// Centroids, `k × p` row-major.
    pub centroids: Vec<f64>,
}

/// A trained model in plain parameters, tagged by its kind as the CLI names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Model {
    /// Logistic regression.
    Logistic(LogisticModel),
    /// Ordinary least squares.
    Linear(LinearModel),
    /// Ridge regression.
    Ridge(LinearModel),
    /// Lasso.
    Lasso(LinearModel),
    /// Elastic net.
    Elasticnet(LinearModel),
    /// Decision tree (classification).
    Tree(TreeModel),
    /// Random forest (classification).
    Forest(ForestModel),
    /// Gaussian naive Bayes.
    GaussianNb(GaussianNbModel),
    /// Support vector machine.
    Svm(SvmModel),
    /// k-nearest neighbours.
    Knn(KnnModel),
    /// k-means.
    Kmeans(KMeansModel),
}

fn bad(msg: &str) -> ScoreError {
    ScoreError::Invalid(msg.to_string())
}

impl Model {
    /// The kind name (`logistic`, `linear`, …, `kmeans`), as in the CLI.
    pub fn kind(&self) -> &'static str {
        match self {
            Model::Logistic(_) => "logistic",
            Model::Linear(_) => "linear",
            Model::Ridge(_) => "ridge",
            Model::Lasso(_) => "lasso",
            Model::Elasticnet(_) => "elasticnet",
            Model::Tree(_) => "tree",
            Model::Forest(_) => "forest",
            Model::GaussianNb(_) => "gaussian-nb",
            Model::Svm(_) => "svm",
            Model::Knn(_) => "knn",
            Model::Kmeans(_) => "kmeans",
        }
    }

    /// The task this model solves.
    pub fn task(&self) -> Task {
        match self {
            Model::Logistic(_) | Model::Tree(_) | Model::Forest(_) | Model::GaussianNb(_) => {
                Task::Classification
            }
            Model::Linear(_) | Model::Ridge(_) | Model::Lasso(_) | Model::Elasticnet(_) => {
                Task::Regression
            }
            Model::Svm(m) if m.n_classes == 0 => Task::Regression,
            Model::Svm(_) => Task::Classification,
            Model::Knn(m) if m.n_classes == 0 => Task::Regression,
            Model::Knn(_) => Task::Classification,
            Model::Kmeans(_) => Task::Clustering,
        }
    }

    /// Number of classes for classifiers, clusters for k-means, 0 for regressors.
    pub fn n_outputs(&self) -> usize {
        match self {
            Model::Logistic(m) => m.n_classes,
            Model::Tree(m) => m.n_classes,
            Model::Forest(m) => m.n_classes,
            Model::GaussianNb(m) => m.priors.len(),
            Model::Svm(m) => m.n_classes,
            Model::Knn(m) => m.n_classes,
            Model::Kmeans(m) => m.centroids.len() / m.n_features.max(1),
            _ => 0,
        }
    }

    /// Number of input features the model expects.
    pub fn n_features(&self) -> usize {
        match self {
            Model::Logistic(m) => {
                if m.n_classes <= 2 {
                    m.weights.len()
                } else {
                    m.weights.len() / m.n_classes.max(1)
                }
            }
            Model::Linear(m) | Model::Ridge(m) | Model::Lasso(m) | Model::Elasticnet(m) => {
                m.weights.len()
            }
            Model::Tree(m) => m.feature.iter().copied().max().map_or(0, |f| f + 1),
            Model::Forest(m) => m
                .trees
                .iter()
                .flat_map(|t| t.feature.iter().copied())
                .max()
                .map_or(0, |f| f + 1),
            Model::GaussianNb(m) => m.means.len() / m.priors.len().max(1),
            Model::Svm(m) => m.n_features,
            Model::Knn(m) => m.points.len() / m.targets.len().max(1),
            Model::Kmeans(m) => m.n_features,
        }
    }

    /// Checks that the model's arrays agree with each other and with `n_features` inputs
    /// (every artifact is validated on load, so scoring never indexes out of bounds).
    pub fn validate(&self, n_features: usize) -> Result<()> {
        let p = n_features;
        let finite = |v: &[f64], what: &str| -> Result<()> {
            if v.iter().all(|x| x.is_finite()) {
                Ok(())
            } else {
                Err(bad(&format!("{what} holds a NaN or infinite value")))
            }
        };
        match self {
            Model::Logistic(m) => {
                if m.n_classes < 2 {
                    return Err(bad("logistic needs at least 2 classes"));
                }
                let (w, b) = if m.n_classes == 2 {
                    (Some(p), 1)
                } else {
                    (p.checked_mul(m.n_classes), m.n_classes)
                };
                if Some(m.weights.len()) != w
                    || m.intercepts.len() != b
                    || m.positive >= m.n_classes
                {
                    return Err(bad(
                        "logistic weights do not match the features and classes",
                    ));
                }
                finite(&m.weights, "logistic weights")?;
            }
            Model::Linear(m) | Model::Ridge(m) | Model::Lasso(m) | Model::Elasticnet(m) => {
                if m.weights.len() != p {
                    return Err(bad("linear weights do not match the features"));
                }
                finite(&m.weights, "linear weights")?;
            }
            Model::Tree(t) => {
                t.validate()?;
                if t.feature
                    .iter()
                    .zip(&t.left)
                    .any(|(&f, &l)| l >= 0 && f >= p)
                {
                    return Err(bad("tree feature index out of range"));
                }
            }
            Model::Forest(f) => {
                if f.trees.is_empty() {
                    return Err(bad("forest has no trees"));
                }
                for t in &f.trees {
                    t.validate()?;
                    if t.n_classes != f.n_classes
                        || t.feature
                            .iter()
                            .zip(&t.left)
                            .any(|(&i, &l)| l >= 0 && i >= p)
                    {
                        return Err(bad("forest tree does not match the features and classes"));
                    }
                }
            }
            Model::GaussianNb(m) => {
                let k = m.priors.len();
                if k == 0 || m.means.len() != k * p || m.variances.len() != k * p {
                    return Err(bad(
                        "naive Bayes statistics do not match the features and classes",
                    ));
                }
                if m.variances.iter().any(|&v| v.is_nan() || v <= 0.0)
                    || m.priors.iter().any(|&v| v.is_nan() || v <= 0.0)
                {
                    return Err(bad("naive Bayes variances and priors must be positive"));
                }
            }
            Model::Svm(m) => {
                if m.n_features != p || m.machines.is_empty() {
                    return Err(bad("svm does not match the features"));
                }
                let expected = match m.n_classes {
                    0 | 2 => 1,
                    1 => return Err(bad("svm needs at least 2 classes")),
                    k => k,
                };
                if m.machines.len() != expected {
                    return Err(bad("svm has the wrong number of machines"));
                }
                for s in &m.machines {
                    let ok = match m.kernel {
                        Kernel::Linear => s.weights.len() == p,
                        _ => s.support_vectors.len() == s.alpha.len() * p,
                    };
                    if !ok || (m.n_classes > 0 && s.platt.is_none()) {
                        return Err(bad("svm machine arrays do not match the features"));
                    }
                }
            }
            Model::Knn(m) => {
                let n = m.targets.len();
                if m.k == 0 || n == 0 || m.points.len() != n * p {
                    return Err(bad("knn points do not match the features"));
                }
                if m.n_classes > 0
                    && m.targets
                        .iter()
                        .any(|&t| t < 0.0 || t >= m.n_classes as f64 || t.fract() != 0.0)
                {
                    return Err(bad("knn class index out of range"));
                }
            }
            Model::Kmeans(m) => {
                if p == 0
                    || m.n_features != p
                    || m.centroids.is_empty()
                    || m.centroids.len() % p != 0
                {
                    return Err(bad("k-means centroids do not match the features"));
                }
            }
        }
        Ok(())
    }

    /// Scores one transformed row. The caller ensures the row width (see [`Model::validate`]);
    /// a wrong width is an error, never a panic.
    pub fn predict_row(&self, x: &[f64]) -> Result<Prediction> {
        let p = self.n_features();
        let needs_exact = !matches!(self, Model::Tree(_) | Model::Forest(_));
        if (needs_exact && x.len() != p) || x.len() < p {
            return Err(ScoreError::Width {
                row: 0,
                expected: p,
                got: x.len(),
            });
        }
        Ok(match self {
            Model::Logistic(m) => logistic_row(m, x),
            Model::Linear(m) | Model::Ridge(m) | Model::Lasso(m) | Model::Elasticnet(m) => {
                Prediction {
                    value: dot(x, &m.weights) + m.intercept,
                    probabilities: Vec::new(),
                }
            }
            Model::Tree(t) => {
                let leaf = t.leaf(x)?;
                let k = t.n_classes;
                Prediction {
                    value: t.class[leaf] as f64,
                    probabilities: t.distribution[leaf * k..(leaf + 1) * k].to_vec(),
                }
            }
            Model::Forest(f) => {
                let mut votes = vec![0usize; f.n_classes];
                for t in &f.trees {
                    let leaf = t.leaf(x)?;
                    if let Some(v) = votes.get_mut(t.class[leaf]) {
                        *v += 1;
                    }
                }
                forest_vote(&votes)
            }
            Model::GaussianNb(m) => gaussian_nb_row(m, x),
            Model::Svm(m) => svm_row(m, x),
            Model::Knn(m) => knn_row(m, x),
            Model::Kmeans(m) => {
                let (best, _) = nearest_centroid(&m.centroids, x);
                Prediction {
                    value: best as f64,
                    probabilities: Vec::new(),
                }
            }
        })
    }

    /// Scores a batch of transformed rows (row-major, `cols` wide).
    pub fn predict_batch(&self, data: &[f64], cols: usize) -> Result<Vec<Prediction>> {
        if cols == 0 || data.len() % cols != 0 {
            return Err(ScoreError::Ragged {
                len: data.len(),
                cols,
            });
        }
        // Linear kinds: the width is checked once, then the row kernels run directly.
        match self {
            Model::Logistic(m) if cols == self.n_features() => {
                return Ok(data
                    .chunks_exact(cols)
                    .map(|x| logistic_row(m, x))
                    .collect());
            }
            Model::Linear(m) | Model::Ridge(m) | Model::Lasso(m) | Model::Elasticnet(m)
                if cols == m.weights.len() =>
            {
                return Ok(data
                    .chunks_exact(cols)
                    .map(|x| Prediction {
                        value: dot(x, &m.weights) + m.intercept,
                        probabilities: Vec::new(),
                    })
                    .collect());
            }
            _ => {}
        }
        data.chunks_exact(cols)
            .enumerate()
            .map(|(row, x)| {
                self.predict_row(x).map_err(|e| match e {
                    ScoreError::Width { expected, got, .. } => {
                        ScoreError::Width { row, expected, got }
                    }
                    other => other,
                })
            })
            .collect()
    }
}

impl Model {
    /// Scores a batch of transformed rows (row-major, `cols` wide) into flat buffers, without
    /// a [`Prediction`] per row: `values` gets one value per row and `probabilities` gets
    /// `rows × k` class probabilities (row-major; `k` is [`Model::n_outputs`] for classifiers
    /// and 0 for regressors and k-means). Returns `k`. The buffers are cleared first and can
    /// be reused across calls, so that scoring a stream allocates nothing per row. The
    /// numbers are exactly those of [`Model::predict_row`].
    pub fn predict_batch_into(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        probabilities: &mut Vec<f64>,
    ) -> Result<usize> {
        if cols == 0 || data.len() % cols != 0 {
            return Err(ScoreError::Ragged {
                len: data.len(),
                cols,
            });
        }
        let rows = data.len() / cols;
        values.clear();
        probabilities.clear();
        let p = self.n_features();
        let exact = !matches!(self, Model::Tree(_) | Model::Forest(_));
        if (exact && cols != p) || cols < p {
            return Err(ScoreError::Width {
                row: 0,
                expected: p,
                got: cols,
            });
        }
        match self {
            Model::Logistic(m) if m.n_classes == 2 && m.positive <= 1 => {
                values.resize(rows, 0.0);
                probabilities.resize(2 * rows, 0.0);
                let (w, b, pos) = (&m.weights[..], m.intercepts[0], m.positive);
                let (hit, miss) = (pos as f64, (1 - pos) as f64);
                // Blocks of rows: the logits first, then the sigmoids, so that the
                // independent exponentials of a block overlap in the pipeline.
                const BLOCK: usize = 16;
                let mut z = [0.0f64; BLOCK];
                for ((xs, vs), ps) in data
                    .chunks(cols * BLOCK)
                    .zip(values.chunks_mut(BLOCK))
                    .zip(probabilities.chunks_mut(2 * BLOCK))
                {
                    for (zi, x) in z.iter_mut().zip(xs.chunks_exact(cols)) {
                        *zi = linear_logit(x, w, b);
                    }
                    for ((zi, v), pr) in z.iter().zip(vs.iter_mut()).zip(ps.chunks_exact_mut(2)) {
                        let q = logistic_with(*zi, exp::exp_inlined);
                        *v = if q >= 0.5 { hit } else { miss };
                        pr[1 - pos] = 1.0 - q;
                        pr[pos] = q;
                    }
                }
                Ok(2)
            }
            Model::Linear(m) | Model::Ridge(m) | Model::Lasso(m) | Model::Elasticnet(m) => {
                values.extend(
                    data.chunks_exact(cols)
                        .map(|x| dot(x, &m.weights) + m.intercept),
                );
                Ok(0)
            }
            _ => {
                let k = match self.task() {
                    Task::Classification => self.n_outputs(),
                    _ => 0,
                };
                values.reserve(rows);
                probabilities.reserve(rows * k);
                for (row, x) in data.chunks_exact(cols).enumerate() {
                    let pr = self.predict_row(x).map_err(|e| match e {
                        ScoreError::Width { expected, got, .. } => {
                            ScoreError::Width { row, expected, got }
                        }
                        other => other,
                    })?;
                    values.push(pr.value);
                    if k > 0 {
                        let n = pr.probabilities.len().min(k);
                        probabilities.extend_from_slice(&pr.probabilities[..n]);
                        probabilities.resize((row + 1) * k, 0.0);
                    }
                }
                Ok(k)
            }
        }
    }
}

fn logistic_row(m: &LogisticModel, x: &[f64]) -> Prediction {
    if m.n_classes == 2 {
        let p = logistic(linear_logit(x, &m.weights, m.intercepts[0]));
        let mut probabilities = vec![1.0 - p; 2];
        probabilities[m.positive] = p;
        let value = if p >= 0.5 { m.positive } else { 1 - m.positive };
        Prediction {
            value: value as f64,
            probabilities,
        }
    } else {
        let k = m.n_classes;
        let mut z: Vec<f64> = m.intercepts.clone();
        // z_c = Σ_j x_j W[j][c] + b_c (linfa: x.dot(W) + b).
        let mut raw = vec![0.0; k];
        for (j, &xj) in x.iter().enumerate() {
            let row = &m.weights[j * k..(j + 1) * k];
            for (r, w) in raw.iter_mut().zip(row) {
                *r += xj * w;
            }
        }
        for (zc, r) in z.iter_mut().zip(&raw) {
            *zc += r;
        }
        if z.iter().any(|v| !v.is_finite()) {
            // an overflowing logit: recompute each on scaled terms (see linear_logit)
            let mut wc = vec![0.0; x.len()];
            for (c, zc) in z.iter_mut().enumerate() {
                for (j, w) in wc.iter_mut().enumerate() {
                    *w = m.weights[j * k + c];
                }
                *zc = overflowed_logit(x, &wc, m.intercepts[c]);
            }
        }
        let value = argmax(&z);
        softmax_in_place(&mut z);
        Prediction {
            value: value as f64,
            probabilities: z,
        }
    }
}

/// Majority vote of a forest: the most votes wins, ties go to the lowest class index;
/// probabilities are vote fractions.
pub fn forest_vote(votes: &[usize]) -> Prediction {
    let total = votes.iter().sum::<usize>().max(1) as f64;
    let mut best = 0;
    for (i, &v) in votes.iter().enumerate() {
        if v > votes[best] {
            best = i;
        }
    }
    Prediction {
        value: best as f64,
        probabilities: votes.iter().map(|&v| v as f64 / total).collect(),
    }
}

fn gaussian_nb_row(m: &GaussianNbModel, x: &[f64]) -> Prediction {
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
    Prediction {
        value: value as f64,
        probabilities,
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
        let e = expf::expf(-f);
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + expf::expf(f))
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

fn svm_row(m: &SvmModel, x: &[f64]) -> Prediction {
    if m.n_classes == 0 {
        return Prediction {
            value: svm_decision(&m.kernel, &m.machines[0], x),
            probabilities: Vec::new(),
        };
    }
    let probs: Vec<f64> = m
        .machines
        .iter()
        .map(|s| {
            let (a, b) = s.platt.unwrap_or((0.0, 0.0));
            platt_probability(svm_decision(&m.kernel, s, x), a, b)
        })
        .collect();
    svm_combine(&probs, m.n_classes)
}

/// Squared Euclidean distance summed left to right (as `ndarray-stats`' `sq_l2_dist`).
#[inline]
pub fn sq_l2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |acc, (x, y)| {
        let d = x - y;
        acc + d * d
    })
}

/// Index and squared distance of the nearest centroid (first on ties), as linfa's k-means.
pub fn nearest_centroid(centroids: &[f64], x: &[f64]) -> (usize, f64) {
    let p = x.len().max(1);
    let mut best = (0, f64::INFINITY);
    for (i, c) in centroids.chunks_exact(p).enumerate() {
        let d = sq_l2(c, x);
        if i == 0 || d < best.1 {
            best = (i, d);
        }
    }
    best
}

/// Combines the targets of the nearest neighbours (nearest first): a uniform vote for
/// classes (ties to the lowest class index; probabilities are vote fractions) or the mean.
pub fn knn_combine(neighbour_targets: &[f64], n_classes: usize) -> Prediction {
    if n_classes == 0 {
        let n = neighbour_targets.len().max(1) as f64;
        return Prediction {
            value: neighbour_targets.iter().sum::<f64>() / n,
            probabilities: Vec::new(),
        };
    }
    let mut votes = vec![0usize; n_classes];
    for &t in neighbour_targets {
        if let Some(v) = votes.get_mut(t as usize) {
            *v += 1;
        }
    }
    forest_vote(&votes)
}

fn knn_row(m: &KnnModel, x: &[f64]) -> Prediction {
    let p = x.len().max(1);
    let k = m.k.min(m.targets.len());
    // Keep the k smallest (distance, index) pairs: nearest first, ties by stored order.
    let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
    for (i, pt) in m.points.chunks_exact(p).enumerate() {
        let d = sq_l2(x, pt);
        if best.len() == k && best.last().is_some_and(|&(bd, _)| d >= bd) {
            continue;
        }
        let pos = best.partition_point(|&(bd, _)| bd <= d);
        best.insert(pos, (d, i));
        best.truncate(k);
    }
    let targets: Vec<f64> = best.iter().map(|&(_, i)| m.targets[i]).collect();
    knn_combine(&targets, m.n_classes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_on_small() {
        let a: Vec<f64> = (0..19).map(|i| i as f64 * 0.5).collect();
        let b: Vec<f64> = (0..19).map(|i| 1.0 - i as f64).collect();
        let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-9);
    }

    #[test]
    fn wrong_width_is_an_error() {
        let m = Model::Linear(LinearModel {
            weights: vec![1.0, 2.0],
            intercept: 0.5,
        });
        assert!(matches!(
            m.predict_row(&[1.0]),
            Err(ScoreError::Width { expected: 2, .. })
        ));
        assert_eq!(m.predict_row(&[1.0, 1.0]).unwrap().value, 3.5);
    }

    #[test]
    fn flat_batch_equals_rows_bit_for_bit() {
        let p = 5;
        let data: Vec<f64> = (0..37 * p)
            .map(|i| ((i * 7919) % 101) as f64 / 17.0 - 3.0)
            .collect();
        let models = [
            Model::Logistic(LogisticModel {
                n_classes: 2,
                weights: vec![0.3, -1.2, 0.05, 2.0, -0.7],
                intercepts: vec![0.1],
                positive: 1,
            }),
            Model::Logistic(LogisticModel {
                n_classes: 2,
                weights: vec![0.3, -1.2, 0.05, 2.0, -0.7],
                intercepts: vec![-0.4],
                positive: 0,
            }),
            Model::Logistic(LogisticModel {
                n_classes: 3,
                weights: (0..15).map(|i| (i as f64 - 7.0) / 5.0).collect(),
                intercepts: vec![0.1, 0.0, -0.1],
                positive: 0,
            }),
            Model::Ridge(LinearModel {
                weights: vec![1.0, 2.0, -3.0, 0.5, 0.25],
                intercept: 0.5,
            }),
            Model::Kmeans(KMeansModel {
                n_features: p,
                centroids: (0..10).map(|i| i as f64 / 3.0).collect(),
            }),
        ];
        let (mut values, mut probabilities) = (Vec::new(), Vec::new());
        for m in &models {
            let k = m
                .predict_batch_into(&data, p, &mut values, &mut probabilities)
                .unwrap();
            let batch = m.predict_batch(&data, p).unwrap();
            assert_eq!(values.len(), 37);
            for (i, x) in data.chunks_exact(p).enumerate() {
                let r = m.predict_row(x).unwrap();
                assert_eq!(batch[i], r);
                assert_eq!(
                    values[i].to_bits(),
                    r.value.to_bits(),
                    "{} row {i}",
                    m.kind()
                );
                assert_eq!(k, r.probabilities.len());
                for (a, b) in probabilities[i * k..(i + 1) * k]
                    .iter()
                    .zip(&r.probabilities)
                {
                    assert_eq!(a.to_bits(), b.to_bits(), "{} row {i}", m.kind());
                }
            }
        }
        assert!(models[0]
            .predict_batch_into(&data, p + 1, &mut values, &mut probabilities)
            .is_err());
    }

    #[test]
    fn corrupted_tree_is_rejected() {
        let t = TreeModel {
            feature: vec![0],
            threshold: vec![0.0],
            left: vec![0],
            right: vec![0],
            class: vec![0],
            distribution: vec![1.0],
            n_classes: 1,
        };
        assert!(Model::Tree(t).validate(1).is_err());
    }
}
