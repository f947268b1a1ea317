//! Logistic regression: a weighted sum of the inputs turned into class probabilities by
//! the sigmoid (two classes) or the softmax (more), L2-penalised.
//!
//! Two classes and more are fitted by driftlab's own L-BFGS trainer (see `fit.rs` for why
//! not linfa-logistic, and how it agrees with scikit-learn). The scorer follows linfa's
//! arithmetic (`x·w + b`, then `1 / (1 + e^(−z))` or the softmax), with the scorer's own
//! [`exp`](crate::score) so that every build gives the same bits, and a logit that stays a
//! number when a row or a weight is huge (see `linear_logit`).

#[cfg(feature = "train")]
mod fit;

use serde::{Deserialize, Serialize};

use super::{bad, family_params, finite, Family, ParamType, Predict, Tasks};
use crate::score::{
    argmax, class_sums, dot, exp, sigmoid_of, softmax_in_place, softmax_in_place_paired,
    Prediction, Result, Task,
};

family_params! {
    /// Hyperparameters of logistic regression (scikit-learn's names in the docs).
    pub struct LogisticParams {
        /// L2 penalty strength (scikit-learn's C = 1/alpha)
        pub alpha: f64 = 1.0, ParamType::at_least(0.0);
        /// L-BFGS iterations (scikit-learn's max_iter)
        pub max_iterations: u64 = 100, ParamType::Int { min: 1, max: 1_000_000 };
        /// stop when the largest component of the per-row gradient is at most this
        /// (scikit-learn's tol)
        pub gradient_tolerance: f64 = 0.0001, ParamType::POSITIVE;
        /// fit an intercept term
        pub fit_intercept: bool = true, ParamType::Bool;
    }
}

/// The `logistic` kind.
#[derive(Debug)]
pub struct Logistic;

impl Family for Logistic {
    const ABOUT: &'static str = "A weighted sum of the inputs turned into a probability: fast, small, well calibrated, the baseline to beat.";
    const TASKS: Tasks = Tasks::CLASSIFICATION;
    type Params = LogisticParams;
    type Fitted = LogisticModel;
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

impl Predict for LogisticModel {
    fn task(&self) -> Task {
        Task::Classification
    }

    fn n_outputs(&self) -> usize {
        self.n_classes
    }

    fn n_features(&self) -> usize {
        if self.n_classes <= 2 {
            self.weights.len()
        } else {
            self.weights.len() / self.n_classes.max(1)
        }
    }

    fn validate(&self, p: usize) -> Result<()> {
        if self.n_classes < 2 {
            return Err(bad("logistic needs at least 2 classes"));
        }
        let (w, b) = if self.n_classes == 2 {
            (Some(p), 1)
        } else {
            (p.checked_mul(self.n_classes), self.n_classes)
        };
        if Some(self.weights.len()) != w
            || self.intercepts.len() != b
            || self.positive >= self.n_classes
        {
            return Err(bad(
                "logistic weights do not match the features and classes",
            ));
        }
        finite(&self.weights, "logistic weights")
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        Ok(logistic_row(self, x))
    }

    fn predict_batch(&self, data: &[f64], cols: usize) -> Option<Vec<Prediction>> {
        Some(
            data.chunks_exact(cols)
                .map(|x| logistic_row(self, x))
                .collect(),
        )
    }

    fn predict_batch_into(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        if self.n_classes > 2 {
            return Some(multinomial_batch(self, data, cols, values, probabilities));
        }
        if self.n_classes != 2 || self.positive > 1 {
            return None;
        }
        let rows = data.len() / cols;
        values.resize(rows, 0.0);
        probabilities.resize(2 * rows, 0.0);
        let (w, b, pos) = (&self.weights[..], self.intercepts[0], self.positive);
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
            // two rows' sigmoids at a time (their exponentials side by side in Wasm)
            let mut q = [0.0f64; BLOCK];
            let m = vs.len();
            let mut i = 0;
            while i + 2 <= m {
                let (e0, e1) = crate::score::exp_pair(-z[i], -z[i + 1]);
                q[i] = sigmoid_of(e0);
                q[i + 1] = sigmoid_of(e1);
                i += 2;
            }
            if i < m {
                q[i] = logistic_with(z[i], crate::score::exp_inlined);
            }
            for ((qi, v), pr) in q.iter().zip(vs.iter_mut()).zip(ps.chunks_exact_mut(2)) {
                let q = *qi;
                *v = if q >= 0.5 { hit } else { miss };
                pr[1 - pos] = 1.0 - q;
                pr[pos] = q;
            }
        }
        Some(2)
    }
}

/// The logistic sigmoid, with [`exp`] (one division). Finite for every input: `±∞` give
/// exactly 1 and 0, 0 gives exactly 0.5, and NaN (which [`linear_logit`] never returns)
/// gives 0.5.
#[inline(always)]
fn logistic(x: f64) -> f64 {
    logistic_with(x, exp)
}

/// [`logistic`] with a given exponential: [`exp`], or in the batch loop
/// [`exp_inlined`](crate::score::exp_inlined) (the same bits).
#[inline(always)]
fn logistic_with(x: f64, exp: impl Fn(f64) -> f64) -> f64 {
    sigmoid_of(exp(-x))
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

/// The multinomial rows of a batch into flat buffers: every row's class sums at once
/// ([`class_sums`], the sums of [`multinomial_logits`] bit for bit), then per row the
/// intercepts, the argmax and the softmax in place (the numbers of [`logistic_row`],
/// without its two allocations per row).
fn multinomial_batch(
    m: &LogisticModel,
    data: &[f64],
    cols: usize,
    values: &mut Vec<f64>,
    probabilities: &mut Vec<f64>,
) -> usize {
    let k = m.n_classes;
    let rows = data.len() / cols.max(1);
    values.resize(rows, 0.0);
    probabilities.resize(rows * k, 0.0);
    class_sums(data, cols, &m.weights, k, probabilities);
    let b = &m.intercepts[..k];
    // a counted loop: at the page's size-tuned opt-level a zip of chunk iterators stays a
    // call per row
    for r in 0..rows {
        let z = &mut probabilities[r * k..r * k + k];
        for c in 0..k {
            z[c] += b[c];
        }
        if z.iter().any(|v| !v.is_finite()) {
            overflowed_logits(m, &data[r * cols..r * cols + cols], z);
        }
        values[r] = argmax(z) as f64;
        softmax_in_place_paired(z);
    }
    k
}

/// The `k` logits of row `x` into `z`: `z_c = b_c + Σ_j x_j·W[j][c]`, the sum accumulated in
/// `raw` feature by feature (as linfa's `x.dot(W) + b`); an overflowing logit is recomputed
/// on scaled terms (see [`linear_logit`]).
#[inline]
fn multinomial_logits(m: &LogisticModel, x: &[f64], raw: &mut [f64], z: &mut [f64]) {
    let k = m.n_classes;
    // Counted loops over slices cut to length up front: the Wasm builds are compiled for
    // size, where the iterator form (`zip` of `chunks_exact`) stayed a call per row: the
    // benchmark's 20k × 50, 5-class batch took 13.7 ms in Wasm that way and 6.1 ms this way
    // (fastest of 60 calls each, a loaded machine; same sums, same order).
    let p = x.len().min(m.weights.len() / k.max(1));
    let (x, w, raw) = (&x[..p], &m.weights[..p * k], &mut raw[..k]);
    raw.fill(0.0);
    for j in 0..p {
        let (xj, row) = (x[j], &w[j * k..j * k + k]);
        for c in 0..k {
            raw[c] += xj * row[c];
        }
    }
    for ((zc, b), r) in z.iter_mut().zip(&m.intercepts).zip(raw.iter()) {
        *zc = b + r;
    }
    if z.iter().any(|v| !v.is_finite()) {
        overflowed_logits(m, x, z);
    }
}

/// Every logit of row `x` recomputed on scaled terms (see [`overflowed_logit`]), for a row
/// where one of them overflowed.
#[cold]
#[inline(never)]
fn overflowed_logits(m: &LogisticModel, x: &[f64], z: &mut [f64]) {
    let k = m.n_classes;
    let x = &x[..x.len().min(m.weights.len() / k.max(1))];
    let mut wc = vec![0.0; x.len()];
    for (c, zc) in z.iter_mut().enumerate() {
        for (j, w) in wc.iter_mut().enumerate() {
            *w = m.weights[j * k + c];
        }
        *zc = overflowed_logit(x, &wc, m.intercepts[c]);
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
        let mut z = vec![0.0; k];
        multinomial_logits(m, x, &mut vec![0.0; k], &mut z);
        let value = argmax(&z);
        softmax_in_place(&mut z);
        Prediction {
            value: value as f64,
            probabilities: z,
        }
    }
}
