//! Training-free scoring, and what every family's scorer shares: the dot product, the
//! distances and the sum in ndarray's eight-lane order, with Wasm SIMD where it is on
//! ([`dot`], [`sq_l2`], [`scaled_sq_dist`], [`sum`]; `lanes.rs` says why every build gets
//! the same bits), the exponentials (`exp` and the `f32`
//! `expf`), the softmax, [`Prediction`] and [`Task`], and the batch loops over
//! [`Model`] (a family can give [`Model::predict_batch_into`] a fast path of its own through
//! [`Predict::predict_batch_into`](crate::models::Predict::predict_batch_into)). The fitted
//! forms and their row scorers live with their families in [`crate::models`]; they are
//! re-exported here for the code that scores (`score::LogisticModel`, `score::Model`, …).
//!
//! Nothing here depends on linfa, so the edge scorer compiles it with the `train` feature
//! off. The arithmetic mirrors linfa 0.8.1 and ndarray 0.16 operation for operation (for
//! example [`dot`] sums in ndarray's eight-lane order), so that for most kinds the scorer
//! reproduces the trained model's outputs bit for bit; `tests/parity_models.rs` checks every
//! kind against its trainer's own reference (linfa's model, or an independent ndarray path
//! for driftlab's own trainers) on every bundled table (classes exactly, values within
//! 1e-12).
//!
//! Rows are the *transformed* features (the output of a fitted pipeline); see
//! [`crate::artifact`] for scoring raw table rows.

mod exp;
mod expf;
mod lanes;
mod stream;
pub(crate) use exp::{exp, exp_inlined, exp_pair, sigmoid_of};
pub(crate) use expf::expf;
pub(crate) use lanes::class_sums;
pub use lanes::{dot, scaled_sq_dist, sq_l2, sq_l2_pair};
pub use stream::{output_header, score_csv, StreamError, CHUNK_ROWS};
#[cfg(feature = "parquet")]
pub use stream::{score_stream, ScoreInput, ScoreOutput};

pub use crate::models::forest::{forest_vote, ForestModel};
pub use crate::models::gaussian_nb::GaussianNbModel;
pub use crate::models::kmeans::{nearest_centroid, KMeansModel};
pub use crate::models::knn::{knn_combine, KnnModel};
pub use crate::models::linear::LinearModel;
pub use crate::models::logistic::LogisticModel;
pub use crate::models::svm::{platt_probability, svm_combine, BinarySvm, Kernel, SvmModel};
pub use crate::models::tree::TreeModel;
pub use crate::models::Model;

use serde::{Deserialize, Serialize};

use crate::models::Predict;

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

/// Softmax in place: the class probabilities of logits `z`, always finite and summing to 1.
/// The usual path shifts by the maximum (log-sum-exp); when the maximum is `+∞` the mass is
/// shared equally by the classes at `+∞`, NaN logits count as `−∞`, and when no logit is
/// above `−∞` every class gets the same share.
pub fn softmax_in_place(z: &mut [f64]) {
    softmax_with(z, |z, max| {
        for v in z.iter_mut() {
            *v = shifted_exp(*v, exp(*v - max));
        }
    });
}

/// [`softmax_in_place`] with two exponentials at a time ([`exp_pair`]; the same bits), for
/// the batch scorers: the paired exponential's code is larger than the one out-of-line
/// [`exp`], and a batch pays for it once. The multinomial scorer's 20k × 50, 5-class
/// batch in Wasm took 0.88–0.89× the time of one exponential at a time (the two builds
/// called in turns in one Node process).
pub(crate) fn softmax_in_place_paired(z: &mut [f64]) {
    softmax_with(z, |z, max| {
        let mut pairs = z.chunks_exact_mut(2);
        for p in &mut pairs {
            let (e0, e1) = exp_pair(p[0] - max, p[1] - max);
            p[0] = shifted_exp(p[0], e0);
            p[1] = shifted_exp(p[1], e1);
        }
        for v in pairs.into_remainder() {
            *v = shifted_exp(*v, exp(*v - max));
        }
    });
}

/// A logit's `e^(v − max)`, or 0 for a NaN logit (`exp(NaN − max)` would be NaN: a NaN
/// logit gets no mass).
#[inline(always)]
fn shifted_exp(v: f64, e: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        e
    }
}

/// The softmax with `exps(z, max)` putting `e^(z_c − max)` into each `z_c` on the usual
/// path (a finite maximum).
#[inline(always)]
fn softmax_with(z: &mut [f64], exps: impl Fn(&mut [f64], f64)) {
    let max = z
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    if max.is_finite() {
        exps(z, max);
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
pub(crate) fn argmax(xs: &[f64]) -> usize {
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

impl Task {
    /// The task of a kind that does both, by the classes its fitted form stores: 0 for a
    /// regressor (svm, knn).
    pub(crate) fn by_classes(n_classes: usize) -> Task {
        if n_classes == 0 {
            Task::Regression
        } else {
            Task::Classification
        }
    }
}

/// Every row of `data` (`cols` wide, checked by the caller) through one family's scorer:
/// the loop of [`Model::predict_batch`], made once per fitted form so that the family's
/// row scorer inlines into it.
pub(crate) fn predict_rows<P: Predict>(
    m: &P,
    data: &[f64],
    cols: usize,
) -> Result<Vec<Prediction>> {
    if let Some(fast) = m.predict_batch(data, cols) {
        return Ok(fast);
    }
    let mut out = Vec::with_capacity(data.len() / cols.max(1));
    for x in data.chunks_exact(cols) {
        out.push(m.predict(x)?);
    }
    Ok(out)
}

impl Model {
    /// Scores a batch of transformed rows (row-major, `cols` wide).
    pub fn predict_batch(&self, data: &[f64], cols: usize) -> Result<Vec<Prediction>> {
        if cols == 0 || !data.len().is_multiple_of(cols) {
            return Err(ScoreError::Ragged {
                len: data.len(),
                cols,
            });
        }
        // the width is checked once, then the family's row scorer runs directly
        self.check_width(cols)?;
        self.predict_rows(data, cols)
    }

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
        if cols == 0 || !data.len().is_multiple_of(cols) {
            return Err(ScoreError::Ragged {
                len: data.len(),
                cols,
            });
        }
        let rows = data.len() / cols;
        values.clear();
        probabilities.clear();
        self.check_width(cols)?;
        if cols == self.n_features() || self.accepts_wider_rows() {
            if let Some(k) = self.predict_batch_fast(data, cols, values, probabilities) {
                return Ok(k);
            }
        }
        let k = match self.task() {
            Task::Classification => self.n_outputs(),
            _ => 0,
        };
        values.reserve(rows);
        probabilities.reserve(rows * k);
        for (row, x) in data.chunks_exact(cols).enumerate() {
            let pr = self.predict_unchecked(x).map_err(|e| match e {
                ScoreError::Width { expected, got, .. } => ScoreError::Width { row, expected, got },
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
}
