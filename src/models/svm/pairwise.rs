//! libsvm's one-vs-one classifier, as scikit-learn's `SVC(probability=True)` reaches ONNX
//! (`SVMClassifier`) and onnxruntime scores it; driftlab only imports it (its own trainer
//! is one-vs-rest, see the family's docs).
//!
//! Why a second way to classify: libsvm trains one machine per pair of classes and turns
//! their decision values into probabilities in two steps, Platt's sigmoid per pair and then
//! the pairwise coupling of Wu, Lin & Weng (2004) over all pairs. Neither step is the
//! one-vs-rest Platt the family computes for its own machines, and the two differ by up to
//! 1e-2, so an imported SVC keeps its own form and its own arithmetic.
//!
//! How driftlab treats onnxruntime's `f32`: this scorer follows onnxruntime's
//! `svmclassifier.cc` and `ml_common.h` operation by operation, in the same precision:
//! - the row is rounded to `f32`, as the ONNX graph's float input is;
//! - kernels in `f32`: the linear and polynomial dot products as a chain of fused
//!   multiply-adds in feature order (MLAS's SGEMM on a machine with FMA), the RBF's squared
//!   distance as a plain `f32` sum, then `expf(−γ·d)` (glibc's bits, `src/score/expf.rs`);
//!   polynomial degrees 2 and 3 only (Eigen's `square`/`cube`; other degrees would need
//!   `powf`, which the edge scorer cannot afford, and the import refuses them);
//! - each pair's decision value: `f32` products summed in `f64`, plus ρ, rounded to `f32`;
//!   a vote goes to the first class of the pair when it is above 0, else to the second;
//! - Platt per pair in `f32`, clipped to [1e-7, 1 − 1e-7], then the coupling iteration in
//!   `f32`, stopped where onnxruntime stops it (max error under 0.005 / classes, or 100
//!   rounds).
//!
//! The label is the class with most votes (the first on a tie), as onnxruntime's. It can
//! differ from the most probable class: 13 of the 300 fixture rows (0 to 6 per fixture, in
//! the binary ones too, where Platt's sigmoid does not cross ½ at a decision value of 0).
//!
//! Measured against onnxruntime 1.32 (`scripts/fixtures_onnx.py`, `tests/onnx_import.rs`,
//! five SVCs behind a StandardScaler, 60 rows each): every label agrees, and the largest
//! difference in a probability is 1.2e-7 to 5.1e-7 per fixture. It comes from the scaler
//! (driftlab's pipeline scales in f64, onnxruntime's Scaler in f32): given the same f32
//! features, the scores are onnxruntime's to the bit (`tests/onnx/`: the SVMClassifier
//! written back by the export and run by onnxruntime-node differs by 0 on every row of the
//! linear, RBF and polynomial fixtures it runs). With
//! plain `f32` multiply-adds in place of the fused ones, the linear fixtures' largest
//! difference grows from 5.1e-7 to 7.5e-7.
//!
//! Size: the edge scorer reads and scores it too, for 2,239 B gzip -9 of its 64,000 B
//! budget (57,271 → 59,510 B).

use serde::{Deserialize, Serialize};

use super::Kernel;
use crate::score::{expf, Prediction};

/// libsvm's one-vs-one machines over the support vectors of every class (scikit-learn's
/// `SVC(probability=True)` as skl2onnx writes it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OneVsOne {
    /// How many support vectors each class has, in class order; the vectors are stored
    /// class after class.
    pub vectors_per_class: Vec<usize>,
    /// Support vectors, `n_sv × p` row-major (`f32` values).
    pub support_vectors: Vec<f64>,
    /// Dual coefficients, `(classes − 1) × n_sv` row-major, libsvm's layout.
    pub coefficients: Vec<f64>,
    /// One offset per pair `(i, j)`, `i < j`, pairs in order.
    pub rho: Vec<f64>,
    /// Platt's slope per pair.
    pub prob_a: Vec<f64>,
    /// Platt's offset per pair.
    pub prob_b: Vec<f64>,
    /// The kernel's γ (RBF and polynomial): the polynomial kernel is `(γ⟨x, x'⟩ + c)^d`.
    pub gamma: f64,
}

impl OneVsOne {
    /// Whether the arrays agree with `classes` classes of `p` features and `kernel`.
    pub(super) fn fits(&self, kernel: &Kernel, classes: usize, p: usize) -> bool {
        let k = classes;
        let mut n_sv = 0usize;
        for &v in &self.vectors_per_class {
            n_sv = match n_sv.checked_add(v) {
                Some(n) => n,
                None => return false,
            };
        }
        let pairs = k.saturating_mul(k.saturating_sub(1)) / 2;
        let kernel_ok = match *kernel {
            Kernel::Linear => true,
            Kernel::Gaussian { .. } => self.gamma.is_finite(),
            Kernel::Polynomial { constant, degree } => {
                self.gamma.is_finite() && constant.is_finite() && (degree == 2.0 || degree == 3.0)
            }
        };
        k >= 2
            && p > 0
            && kernel_ok
            && self.vectors_per_class.len() == k
            && n_sv > 0
            && n_sv.checked_mul(p) == Some(self.support_vectors.len())
            && n_sv.checked_mul(k - 1) == Some(self.coefficients.len())
            && self.rho.len() == pairs
            && self.prob_a.len() == pairs
            && self.prob_b.len() == pairs
    }

    /// Scores one row (the arrays are checked by [`OneVsOne::fits`]).
    pub(super) fn predict(&self, kernel: &Kernel, k: usize, x: &[f64]) -> Prediction {
        let p = x.len();
        let gamma = self.gamma as f32;
        let n_sv = self.coefficients.len() / (k - 1).max(1);
        let mut kernels = Vec::with_capacity(n_sv);
        for sv in self.support_vectors.chunks_exact(p.max(1)).take(n_sv) {
            let mut dot = 0f32;
            let mut dist = 0f32;
            for (a, b) in x.iter().zip(sv) {
                let (a, b) = (*a as f32, *b as f32);
                dot = fma(a, b, dot);
                let d = a - b;
                dist += d * d;
            }
            kernels.push(match *kernel {
                Kernel::Linear => dot,
                Kernel::Gaussian { .. } => expf(-gamma * dist),
                Kernel::Polynomial { constant, degree } => {
                    let z = fma(gamma, dot, constant as f32);
                    if degree == 2.0 {
                        z * z
                    } else {
                        z * z * z
                    }
                }
            });
        }
        // r[i·k + j]: the probability of i against j
        let mut r = vec![0f32; k * k];
        let mut votes = vec![0usize; k];
        let mut start = Vec::with_capacity(k);
        let mut at = 0;
        for v in &self.vectors_per_class {
            start.push(at);
            at += v;
        }
        let mut pair = 0;
        for i in 0..k {
            for j in i + 1..k {
                let mut sum = 0f64;
                for (c, m) in [(j - 1, i), (i, j)] {
                    let s = start[m];
                    let n = self.vectors_per_class[m];
                    let row = &self.coefficients[c * n_sv + s..c * n_sv + s + n];
                    for (a, q) in row.iter().zip(&kernels[s..s + n]) {
                        sum += f64::from(*a as f32 * q);
                    }
                }
                sum += f64::from(self.rho[pair] as f32);
                votes[if sum > 0.0 { i } else { j }] += 1;
                let score = sum as f32;
                let val = score * self.prob_a[pair] as f32 + self.prob_b[pair] as f32;
                let prob = (1.0 - logistic(val)).clamp(1.0e-7, 1.0 - 1.0e-7);
                r[i * k + j] = prob;
                r[j * k + i] = 1.0 - prob;
                pair += 1;
            }
        }
        let probabilities = couple(k, &r).into_iter().map(f64::from).collect();
        // the first class with most votes
        let mut best = 0;
        for (c, v) in votes.iter().enumerate() {
            if *v > votes[best] {
                best = c;
            }
        }
        Prediction {
            value: best as f64,
            probabilities,
        }
    }
}

/// `a·b + c` in `f32` with one rounding (as a fused multiply-add): the product of two
/// `f32`s is exact in `f64`, the sum is rounded to `f64` and then to `f32`. That second
/// rounding can differ from a true fused multiply-add's on a tie, once in many millions of
/// random triples; `libm::fmaf`, which settles ties too, cost 177 B more in the edge
/// scorer.
fn fma(a: f32, b: f32, c: f32) -> f32 {
    (f64::from(a) * f64::from(b) + f64::from(c)) as f32
}

/// onnxruntime's `ComputeLogistic`, in `f32`.
fn logistic(val: f32) -> f32 {
    let v = 1.0 / (1.0 + expf(-val.abs()));
    if val < 0.0 {
        1.0 - v
    } else {
        v
    }
}

/// Wu, Lin & Weng's pairwise coupling (their second method, libsvm's
/// `multiclass_probability`), in `f32` with onnxruntime's stopping rule: the class
/// probabilities `p` from the pairwise ones `r`.
fn couple(k: usize, r: &[f32]) -> Vec<f32> {
    let mut q = vec![0f32; k * k];
    let mut qp = vec![0f32; k];
    let mut p = vec![1.0 / k as f32; k];
    for i in 0..k {
        for j in 0..k {
            if j != i {
                let rji = r[j * k + i];
                q[i * k + i] += rji * rji;
            }
            if j < i {
                q[i * k + j] = q[j * k + i];
            } else if j > i {
                q[i * k + j] = -r[j * k + i] * r[i * k + j];
            }
        }
    }
    let eps = 0.005 / k as f32;
    for _ in 0..100 {
        let mut pqp = 0f32;
        for i in 0..k {
            qp[i] = 0.0;
            for j in 0..k {
                qp[i] += q[i * k + j] * p[j];
            }
            pqp += p[i] * qp[i];
        }
        let mut max_error = 0f32;
        for e in &qp {
            max_error = max_error.max((e - pqp).abs());
        }
        if max_error < eps {
            break;
        }
        for i in 0..k {
            let diff = (-qp[i] + pqp) / q[i * k + i];
            p[i] += diff;
            pqp = (pqp + diff * (diff * q[i * k + i] + 2.0 * qp[i])) / (1.0 + diff) / (1.0 + diff);
            for j in 0..k {
                qp[j] = (qp[j] + diff * q[i * k + j]) / (1.0 + diff);
                p[j] /= 1.0 + diff;
            }
        }
    }
    p
}
