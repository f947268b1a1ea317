//! Fitting logistic regression, two classes or more, by driftlab's own L-BFGS.
//!
//! # Two classes: beside linfa
//!
//! Two-class logistic regression is fitted here by [`fit_binary_logistic`], not by
//! linfa-logistic. On 100,000 × 20 rows linfa-logistic took about 1 s (natively; more in
//! Wasm) where scikit-learn's `LogisticRegression` takes about 0.3–0.6 s, and the time went
//! to the shape of the computation rather than to iterations: argmin asks for the loss and
//! the gradient separately (two passes over the rows per evaluation, each allocating
//! n-long temporaries) and ndarray computes `Xᵀ·r` as strided column dot products (twenty
//! passes over a column-major view of a row-major matrix, without BLAS). Loosening the
//! tolerance barely helped (1.1 s → 0.7 s). This trainer makes one fused pass per
//! evaluation (logit, loss and gradient accumulated row by row on the row-major matrix,
//! no allocation) inside a plain L-BFGS with scikit-learn's conventions:
//!
//! - the same objective as linfa and scikit-learn (`Σ log(1 + e^(−y·z)) + α/2·‖w‖²`,
//!   intercept unpenalised, `α = 1/C`), minimised on the per-row scale, as scikit-learn does;
//! - `gradient_tolerance` is scikit-learn's `tol`: stop when the largest component of the
//!   per-row gradient is at most `tol` (L-BFGS-B's `pgtol`), or when the loss improves by
//!   less than `64·ε` relative (its `ftol`); `max_iterations` is its `max_iter`;
//! - memory 10 (scipy's `maxcor`), backtracking Armijo line search from step 1 (a
//!   `1/‖g‖∞` step at the first iteration), curvature pairs with `sᵀy ≤ 0` skipped.
//!
//! It converges on 100,000 × 20 in the handful of iterations scikit-learn needs, to the same
//! optimum (the objective is strictly convex for `α > 0`). Its exponential is the scorer's
//! (`score::exp_pair`, two rows at a time, side by side in Wasm's `f64x2`) and the pass's
//! `Σ ln(1 + e)` is one `libm::log` of a running product ([`LnProduct`]) rather than a
//! `log1p` per row, which had been half the fit's time; every operation is plain IEEE
//! arithmetic, so native and Wasm builds train bit-identical models (the `logistic`
//! fingerprint of `tests/consistency.rs`). The parity reference is
//! the trainer's own model evaluated the way linfa evaluated its fitted model (ndarray's
//! `x.dot(&w) + b`, then `1 / (1 + exp(−z))`), an arithmetic path independent of the scorer.
//!
//! # More classes: the same L-BFGS
//!
//! linfa-logistic's multinomial fit had the binary one's shape problems times `k` (about 9×
//! scikit-learn on 20,000 × 50 rows with 5 classes). Multinomial regression here is the same
//! [`lbfgs`] over a softmax cross-entropy pass in blocks of rows ([`multinomial_loss_grad`]:
//! the block's logits and its part of the gradient `Xᵀ·R` by the scorer's class-sum kernel,
//! per row the shifted softmax with the scorer's exponential and the loss, no allocation
//! after the first), with scikit-learn's parameterisation — a weight vector per class,
//! all penalised by `α/2·‖W‖²`, the intercepts not — and its stopping rules. The intercepts
//! start at 0 and every gradient's intercept part sums to 0 over the classes, so they stay
//! centred, as scikit-learn's do: the coefficients equal scikit-learn's to the solver's
//! tolerance (`tests/parity_sklearn.rs`, at `tol = 1e-10` on both sides). The parity
//! reference evaluates the fitted weights with ndarray's `x·W + b` and `f64::exp`.

use ndarray::{Array1, Array2};

use super::{Logistic, LogisticModel, LogisticParams};
use crate::models::{FitData, Reference, Trainer};
use crate::score::{self, Prediction};
use crate::train::{Progress, TrainError};

impl Trainer for Logistic {
    /// Binary by `fit_binary_logistic`, multinomial by `fit_multinomial_logistic`.
    fn fit(
        params: &LogisticParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(LogisticModel, Box<dyn Reference>), TrainError> {
        let x = data.x;
        let p = x.ncols();
        let (yi, k) = data.classes()?;
        if k == 2 {
            let max_iterations = params.max_iterations;
            let fit = fit_binary_logistic(
                x.as_slice()
                    .ok_or_else(|| data.error("the matrix is not contiguous"))?,
                p,
                yi,
                params.alpha,
                params.fit_intercept,
                params.max_iterations,
                params.gradient_tolerance,
                &mut |iteration, loss| {
                    // the page's loss chart draws one point per event with a loss
                    progress(Progress::step(iteration, max_iterations, Some(loss)))
                },
            );
            if !fit.loss.is_finite() || fit.weights.iter().any(|w| !w.is_finite()) {
                return Err(data
                    .error("the optimisation diverged; standardize the features or raise alpha"));
            }
            let model = LogisticModel {
                n_classes: 2,
                weights: fit.weights.clone(),
                intercepts: vec![fit.intercept],
                positive: 1,
            };
            // the last iteration's event carried the final loss already
            progress(Progress::fitted(None));
            Ok((
                model,
                Box::new(Binary(Array1::from(fit.weights), fit.intercept)),
            ))
        } else {
            let counts = (0..k).map(|c| yi.iter().filter(|&&v| v == c).count());
            if counts.clone().any(|c| c == 0) {
                return Err(TrainError::MissingClass);
            }
            let max_iterations = params.max_iterations;
            let rows = x
                .as_slice()
                .ok_or_else(|| data.error("the matrix is not contiguous"))?;
            let fit = fit_multinomial_logistic(
                rows,
                p,
                k,
                yi,
                params.alpha,
                params.fit_intercept,
                params.max_iterations,
                params.gradient_tolerance,
                &mut |iteration, loss| {
                    progress(Progress::step(iteration, max_iterations, Some(loss)))
                },
            );
            if !fit.loss.is_finite() || fit.weights.iter().any(|w| !w.is_finite()) {
                return Err(data
                    .error("the optimisation diverged; standardize the features or raise alpha"));
            }
            let model = LogisticModel {
                n_classes: k,
                weights: fit.weights.clone(),
                intercepts: fit.intercepts.clone(),
                positive: 0,
            };
            progress(Progress::fitted(None));
            let reference = Multinomial {
                weights: Array2::from_shape_vec((p, k), fit.weights).map_err(|e| data.error(e))?,
                intercepts: Array1::from(fit.intercepts),
            };
            Ok((model, Box::new(reference)))
        }
    }
}

/// Binary logistic regression from [`fit_binary_logistic`]: weights, intercept.
struct Binary(Array1<f64>, f64);

impl Reference for Binary {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        // As linfa's FittedLogisticRegression: x·w + b, σ, class 1 when p ≥ 0.5.
        let z = x.dot(&self.0) + self.1;
        z.iter()
            .map(|&z| {
                let p = 1.0 / (1.0 + (-z).exp());
                Prediction {
                    value: if p >= 0.5 { 1.0 } else { 0.0 },
                    probabilities: vec![1.0 - p, p],
                }
            })
            .collect()
    }
}

/// The multinomial model, evaluated as linfa evaluates its own: ndarray's `x·W + b`, then
/// the softmax with `f64::exp` (an arithmetic path independent of the scorer).
struct Multinomial {
    weights: Array2<f64>,
    intercepts: Array1<f64>,
}

impl Reference for Multinomial {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        let z = x.dot(&self.weights) + &self.intercepts;
        z.rows()
            .into_iter()
            .map(|row| {
                let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = row.iter().map(|v| (v - max).exp()).collect();
                let s: f64 = e.iter().sum();
                let value = row
                    .iter()
                    .enumerate()
                    .fold(0, |b, (i, v)| if *v > row[b] { i } else { b });
                Prediction {
                    value: value as f64,
                    probabilities: e.iter().map(|v| v / s).collect(),
                }
            })
            .collect()
    }
}

/// A binary logistic regression fitted by [`fit_binary_logistic`].
struct LogisticFit {
    /// One weight per feature (of class 1's logit).
    pub weights: Vec<f64>,
    /// The intercept (0 without one).
    pub intercept: f64,
    /// The penalised loss on linfa's scale: `Σ log(1 + e^(−y·z)) + α/2·‖w‖²`.
    pub loss: f64,
}

/// The natural logarithm of a product of factors ≥ 1, kept as a mantissa, a power of two
/// and a sum of corrections, so that a pass over the rows takes one `ln` instead of one per
/// row (`Σ ln aᵢ = ln Π aᵢ`; the per-row `log1p` had been half the binary fit's time).
///
/// Each factor is below 2⁵¹¹ (a row's softmax total is at most the number of classes), and
/// the mantissa is brought back to `[1, 2)` once it passes 2⁵¹², exactly (a change of its
/// exponent bits), so it never overflows. A factor `a = 1 + e` that rounded brings the part
/// it lost as a correction `(e − (a − 1)) / a` ([`LnProduct::times_one_plus`];
/// `e − (a − 1)` is exact for `e ≤ 1`): then the `e`s too small to move `1 + e` still
/// count, and a pass whose rows are all far from the boundary has a loss that keeps
/// falling, not one stuck at 0.
struct LnProduct {
    mantissa: f64,
    twos: i64,
    correction: f64,
}

impl LnProduct {
    fn new() -> Self {
        LnProduct {
            mantissa: 1.0,
            twos: 0,
            correction: 0.0,
        }
    }

    /// Multiplies by `factor` (≥ 1, below 2⁵¹¹; NaN makes the logarithm NaN).
    #[inline(always)]
    fn times(&mut self, factor: f64) {
        self.mantissa *= factor;
        if self.mantissa > TWO_512 {
            let bits = self.mantissa.to_bits();
            self.twos += ((bits >> 52) & 0x7ff) as i64 - 1023;
            self.mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1023 << 52));
        }
    }

    /// Multiplies by `1 + e` (`0 ≤ e ≤ 1`), keeping what the rounding of `1 + e` lost as a
    /// correction; returns `1 / (1 + e)`.
    #[inline(always)]
    fn times_one_plus(&mut self, e: f64) -> f64 {
        let a = 1.0 + e;
        let inv = 1.0 / a;
        self.times(a);
        self.correction += (e - (a - 1.0)) * inv;
        inv
    }

    /// `ln` of the product (and the corrections added).
    fn ln(&self) -> f64 {
        libm::log(self.mantissa) + self.twos as f64 * std::f64::consts::LN_2 + self.correction
    }
}

/// 2⁵¹².
const TWO_512: f64 = f64::from_bits((1023 + 512) << 52);

/// One fused pass over the rows: the per-row loss `f` and its gradient `g` at
/// `theta = [w; b]` (see the module docs). `y` is ±1.
///
/// Per row: `t = y·(w·x + b)`, `e = e^(−|t|)` (the scorer's exponential, two rows at a
/// time), the loss `ln(1 + e) + max(−t, 0)` gathered by [`LnProduct`], and the gradient's
/// `σ(−t)` from the same `1 / (1 + e)`.
fn logistic_loss_grad(
    x: &[f64],
    p: usize,
    y: &[f64],
    alpha: f64,
    theta: &[f64],
    g: &mut [f64],
) -> f64 {
    let n = y.len();
    let (w, b) = (&theta[..p], theta.get(p).copied().unwrap_or(0.0));
    g.iter_mut().for_each(|v| *v = 0.0);
    let mut ln = LnProduct::new();
    let mut below = 0.0;
    let mut gb = 0.0;
    {
        let gw = &mut g[..p];
        let mut row_done = |row: &[f64], yi: f64, t: f64, e: f64| {
            let inv = ln.times_one_plus(e);
            below += (-t).max(0.0);
            let s = if t >= 0.0 { e * inv } else { inv };
            let r = -s * yi;
            gb += r;
            for (gj, xj) in gw.iter_mut().zip(row) {
                *gj += r * xj;
            }
        };
        for (rows, ys) in x.chunks_exact(2 * p).zip(y.chunks_exact(2)) {
            let ((r0, r1), (y0, y1)) = (rows.split_at(p), (ys[0], ys[1]));
            let t0 = y0 * (score::dot(r0, w) + b);
            let t1 = y1 * (score::dot(r1, w) + b);
            let (e0, e1) = score::exp_pair(-t0.abs(), -t1.abs());
            row_done(r0, y0, t0, e0);
            row_done(r1, y1, t1, e1);
        }
        if n % 2 == 1 {
            let (row, yi) = (&x[(n - 1) * p..n * p], y[n - 1]);
            let t = yi * (score::dot(row, w) + b);
            row_done(row, yi, t, score::exp_inlined(-t.abs()));
        }
    }
    let loss = ln.ln() + below;
    let inv = 1.0 / n as f64;
    let mut penalty = 0.0;
    for (gj, wj) in g[..p].iter_mut().zip(w) {
        *gj = (*gj + alpha * wj) * inv;
        penalty += wj * wj;
    }
    if let Some(gb_slot) = g.get_mut(p) {
        *gb_slot = gb * inv;
    }
    (loss + 0.5 * alpha * penalty) * inv
}

/// Binary logistic regression by [`lbfgs`] over [`logistic_loss_grad`]: `x` is `n × p`
/// row-major, `y` holds class indices 0/1 (class 1 is the positive class). See the module
/// docs for the objective and the stopping rules (scikit-learn's).
///
/// `on_iteration(i, loss)` is called with the loss on linfa's scale (the value of
/// [`LogisticFit::loss`]) at the start (`i = 0`) and after every accepted step (`i = 1, 2,
/// …`); the Armijo line search makes each one strictly lower than the one before.
#[allow(clippy::too_many_arguments)]
fn fit_binary_logistic(
    x: &[f64],
    p: usize,
    y: &[usize],
    alpha: f64,
    intercept: bool,
    max_iterations: u64,
    tolerance: f64,
    on_iteration: &mut dyn FnMut(u64, f64),
) -> LogisticFit {
    let d = p + usize::from(intercept);
    let ys: Vec<f64> = y.iter().map(|&c| if c == 1 { 1.0 } else { -1.0 }).collect();
    let (mut theta, f) = lbfgs(
        d,
        &mut |theta, g| logistic_loss_grad(x, p, &ys, alpha, theta, g),
        max_iterations,
        tolerance,
        &mut |i, f| on_iteration(i, f * y.len() as f64),
    );
    let intercept_value = if intercept { theta[p] } else { 0.0 };
    theta.truncate(p);
    LogisticFit {
        weights: theta,
        intercept: intercept_value,
        loss: f * y.len() as f64,
    }
}

/// A multinomial logistic regression fitted by [`fit_multinomial_logistic`].
struct MultinomialFit {
    /// `p × k` feature-major, as [`LogisticModel`] stores them.
    weights: Vec<f64>,
    /// One per class (0 without an intercept).
    intercepts: Vec<f64>,
    /// The penalised loss on linfa's scale: `Σ −ln softmax(z)_y + α/2·‖W‖²`.
    loss: f64,
}

/// Rows per block of the multinomial pass.
const BLOCK: usize = 64;

/// The multinomial pass's work space, allocated once per fit: a block's logits (then its
/// residuals), the block transposed, and its part of the weights' gradient.
struct Scratch {
    z: Vec<f64>,
    xt: Vec<f64>,
    part: Vec<f64>,
}

impl Scratch {
    fn new(p: usize, k: usize) -> Self {
        Scratch {
            z: vec![0.0; BLOCK * k],
            xt: vec![0.0; BLOCK * p],
            part: vec![0.0; p * k],
        }
    }
}

/// One pass over the rows for the multinomial loss (softmax cross-entropy) and its
/// gradient at `theta = [W (p × k, feature-major); b (k)]`, on the per-row scale.
///
/// Blocks of [`BLOCK`] rows: the block's logits by the scorer's
/// [`class_sums`](score::class_sums) kernel (two classes to a vector, four rows at a time),
/// then per row the shifted softmax (the scorer's exponential, two classes at a time), the
/// loss `ln Σ e^(z − max) + (max − z_y)` (the `ln` gathered by [`LnProduct`]) and the
/// residuals `softmax − onehot`, then the block's part of the gradient `Xᵀ·R` by the same
/// kernel over the transposed block. The per-row version of this loop spent most of its
/// time on a chain of `k` sums kept in memory, one feature after another.
#[allow(clippy::too_many_arguments)]
fn multinomial_loss_grad(
    x: &[f64],
    p: usize,
    k: usize,
    y: &[usize],
    alpha: f64,
    theta: &[f64],
    g: &mut [f64],
    scratch: &mut Scratch,
) -> f64 {
    let n = y.len();
    let (w, b) = theta.split_at(p * k);
    g.iter_mut().for_each(|v| *v = 0.0);
    let (gw, gb) = g.split_at_mut(p * k);
    let mut ln = LnProduct::new();
    let mut shifts = 0.0;
    for (xb, yb) in x.chunks(BLOCK * p).zip(y.chunks(BLOCK)) {
        let m = yb.len();
        let z = &mut scratch.z[..m * k];
        score::class_sums(xb, p, w, k, z);
        for (zr, &yi) in z.chunks_exact_mut(k).zip(yb) {
            for (zc, bc) in zr.iter_mut().zip(b) {
                *zc += bc;
            }
            let max = zr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            shifts += max - zr[yi];
            let mut pairs = zr.chunks_exact_mut(2);
            for pair in &mut pairs {
                let (e0, e1) = score::exp_pair(pair[0] - max, pair[1] - max);
                pair[0] = e0;
                pair[1] = e1;
            }
            if let [last] = pairs.into_remainder() {
                *last = score::exp_inlined(*last - max);
            }
            let total = zr.iter().fold(0.0, |s, e| s + e);
            ln.times(total);
            let inv = 1.0 / total;
            for (c, zc) in zr.iter_mut().enumerate() {
                *zc = *zc * inv - if c == yi { 1.0 } else { 0.0 };
            }
            for (gc, r) in gb.iter_mut().zip(zr.iter()) {
                *gc += r;
            }
        }
        for (r, row) in xb.chunks_exact(p).enumerate() {
            for (j, xj) in row.iter().enumerate() {
                scratch.xt[j * m + r] = *xj;
            }
        }
        let part = &mut scratch.part;
        score::class_sums(&scratch.xt[..p * m], m, z, k, part);
        for (gj, pj) in gw.iter_mut().zip(part.iter()) {
            *gj += pj;
        }
    }
    let loss = ln.ln() + shifts;
    let inv = 1.0 / n as f64;
    let mut penalty = 0.0;
    for (gj, wj) in g[..p * k].iter_mut().zip(w) {
        *gj = (*gj + alpha * wj) * inv;
        penalty += wj * wj;
    }
    for gc in g[p * k..].iter_mut() {
        *gc *= inv;
    }
    (loss + 0.5 * alpha * penalty) * inv
}

/// Multinomial logistic regression by [`lbfgs`] over [`multinomial_loss_grad`] (scikit-learn's
/// `LogisticRegression` with `lbfgs`: every class its own weights, all penalised, the
/// intercepts not); `on_iteration` as for [`fit_binary_logistic`].
#[allow(clippy::too_many_arguments)]
fn fit_multinomial_logistic(
    x: &[f64],
    p: usize,
    k: usize,
    y: &[usize],
    alpha: f64,
    intercept: bool,
    max_iterations: u64,
    tolerance: f64,
    on_iteration: &mut dyn FnMut(u64, f64),
) -> MultinomialFit {
    let d = p * k + if intercept { k } else { 0 };
    let mut scratch = Scratch::new(p, k);
    let (mut theta, f) = lbfgs(
        d,
        &mut |theta, g| multinomial_loss_grad(x, p, k, y, alpha, theta, g, &mut scratch),
        max_iterations,
        tolerance,
        &mut |i, f| on_iteration(i, f * y.len() as f64),
    );
    let intercepts = if intercept {
        theta.split_off(p * k)
    } else {
        vec![0.0; k]
    };
    MultinomialFit {
        weights: theta,
        intercepts,
        loss: f * y.len() as f64,
    }
}

/// L-BFGS from `θ = 0` over `d` parameters (see the module docs): `loss_grad(θ, g)` returns
/// the loss and writes its gradient; stops when the gradient's largest component is at most
/// `tolerance`, when the loss improves by less than `64·ε` relative, after `max_iterations`
/// steps, or when the line search fails. `on_iteration(i, loss)` is called at the start
/// (`i = 0`) and after every accepted step. Returns `θ` and its loss.
fn lbfgs(
    d: usize,
    loss_grad: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    max_iterations: u64,
    tolerance: f64,
    on_iteration: &mut dyn FnMut(u64, f64),
) -> (Vec<f64>, f64) {
    const MEMORY: usize = 10;
    let mut theta = vec![0.0; d];
    let mut g = vec![0.0; d];
    let mut f = loss_grad(&theta, &mut g);
    on_iteration(0, f);
    let (mut s_hist, mut y_hist, mut rho_hist): (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut direction = vec![0.0; d];
    let mut trial = vec![0.0; d];
    let mut g_trial = vec![0.0; d];
    let mut alphas = vec![0.0; MEMORY];
    let max_abs = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let mut iterations = 0;
    while iterations < max_iterations && max_abs(&g) > tolerance {
        // Two-loop recursion: direction = −H·g.
        direction.copy_from_slice(&g);
        let pairs = s_hist.iter().zip(&y_hist).zip(&rho_hist);
        for (((s, yv), rho), a) in pairs.zip(alphas.iter_mut()).rev() {
            *a = rho * score::dot(s, &direction);
            for (q, yj) in direction.iter_mut().zip(yv) {
                *q -= *a * yj;
            }
        }
        if let (Some(s), Some(yv)) = (s_hist.last(), y_hist.last()) {
            let gamma = score::dot(s, yv) / score::dot(yv, yv);
            direction.iter_mut().for_each(|q| *q *= gamma);
        }
        let pairs = s_hist.iter().zip(&y_hist).zip(&rho_hist);
        for (((s, yv), rho), a) in pairs.zip(&alphas) {
            let beta = rho * score::dot(yv, &direction);
            for (q, sj) in direction.iter_mut().zip(s) {
                *q += sj * (a - beta);
            }
        }
        direction.iter_mut().for_each(|q| *q = -*q);
        let mut slope = score::dot(&g, &direction);
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
            for (q, gv) in direction.iter_mut().zip(&g) {
                *q = -gv;
            }
            slope = -score::dot(&g, &g);
        }
        // Backtracking Armijo line search.
        let mut step = if s_hist.is_empty() {
            1.0f64.min(1.0 / max_abs(&g))
        } else {
            1.0
        };
        let mut accepted = None;
        for _ in 0..50 {
            for ((t, th), dv) in trial.iter_mut().zip(&theta).zip(&direction) {
                *t = th + step * dv;
            }
            let ft = loss_grad(&trial, &mut g_trial);
            if ft.is_finite() && ft <= f + 1e-4 * step * slope {
                accepted = Some(ft);
                break;
            }
            step *= 0.5;
        }
        let Some(f_new) = accepted else { break };
        iterations += 1;
        let s_new: Vec<f64> = trial.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let y_new: Vec<f64> = g_trial.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = score::dot(&s_new, &y_new);
        if sy > 1e-10 * score::dot(&y_new, &y_new) {
            if s_hist.len() == MEMORY {
                s_hist.remove(0);
                y_hist.remove(0);
                rho_hist.remove(0);
            }
            s_hist.push(s_new);
            y_hist.push(y_new);
            rho_hist.push(1.0 / sy);
        }
        theta.copy_from_slice(&trial);
        g.copy_from_slice(&g_trial);
        let f_old = f;
        f = f_new;
        on_iteration(iterations, f);
        if (f_old - f) / f_old.abs().max(f.abs()).max(1.0) <= 64.0 * f64::EPSILON {
            break;
        }
    }
    (theta, f)
}

#[cfg(test)]
mod tests {
    use super::LnProduct;

    /// `e` from 1 down to 1e-30 (so the factors `1 + e` both round and are too small to
    /// move 1), enough of them to bring the mantissa back to `[1, 2)` many times.
    fn es(n: usize) -> impl Iterator<Item = f64> {
        (0..n).map(move |i| libm::pow(10.0, -30.0 * ((i * 7919) % n) as f64 / n as f64))
    }

    #[test]
    fn the_log_of_the_product_is_the_sum_of_the_logs() {
        let mut ln = LnProduct::new();
        for e in es(100_000) {
            ln.times_one_plus(e);
        }
        let sum: f64 = es(100_000).map(libm::log1p).sum();
        assert!(ln.twos > 512, "renormalised: {}", ln.twos);
        assert!((ln.ln() - sum).abs() <= 1e-13 * sum, "{} vs {sum}", ln.ln());
    }

    #[test]
    fn factors_too_small_to_move_one_still_count() {
        let mut ln = LnProduct::new();
        for _ in 0..1_000 {
            ln.times_one_plus(1e-20);
        }
        assert_eq!(ln.mantissa, 1.0);
        assert!((ln.ln() - 1e-17).abs() <= 1e-30, "{}", ln.ln());
    }

    #[test]
    fn a_nan_factor_makes_the_log_nan() {
        let mut ln = LnProduct::new();
        ln.times(2.0);
        ln.times(f64::NAN);
        ln.times(3.0);
        assert!(ln.ln().is_nan());
    }
}
