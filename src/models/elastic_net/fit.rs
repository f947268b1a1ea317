//! Fitting the elastic-net family: ridge by its closed form, lasso and the elastic net by
//! driftlab's own coordinate descent (scikit-learn's algorithm), beside linfa.
//!
//! # Why not linfa-elasticnet
//!
//! linfa-elasticnet's coordinate descent walks the columns of the row-major matrix with a
//! stride, updates an `n`-long residual per coordinate, and for `l1_ratio = 0` (ridge) needs
//! hundreds of sweeps: on 100,000 × 20 rows ridge took about 900× scikit-learn's `Ridge` in
//! Wasm, lasso about 4×. What scikit-learn does instead, and what this file does:
//!
//! - **Ridge** solves the normal equations `(XᶜᵀXᶜ + n·α·I)·w = Xᶜᵀyᶜ` on the centred rows
//!   by Cholesky, as `Ridge(solver="cholesky")` does (its `alpha` is `n·α`: driftlab's alpha
//!   is on the elastic net's `1/(2n)·‖y − Xw‖²` scale). One pass builds the Gram matrix
//!   (`n·p²/2` multiply-adds), the solve is `p³/6`. The coefficients equal scikit-learn's to
//!   1e-9 relative on the bundled regression table (`tests/parity_sklearn.rs`).
//! - **Lasso and elastic net** run scikit-learn's cyclic coordinate descent with the same
//!   soft-threshold update, the same stopping rule (a sweep whose largest coefficient change
//!   is below `tolerance × the largest coefficient`, then a duality gap below `tolerance ×
//!   ‖yᶜ‖²`) and the same `max_iterations` cap; so the same fit to the solver's tolerance.
//!   When there are more rows than columns, the sweeps run on the precomputed Gram matrix
//!   (`Xᶜᵀy` and `XᶜᵀXᶜ`, scikit-learn's `precompute=True` path): a sweep then costs `p²`
//!   instead of `2·n·p`, which on 100,000 × 20 turns each sweep from 4 M multiply-adds into
//!   400. Otherwise (or above [`GRAM_MAX_FEATURES`] columns, where the Gram matrix would not
//!   pay for its memory) they run on a centred column-major copy with an explicit residual.
//! - Ridge falls back to the coordinate descent (with `l1_ratio = 0`) when the Gram matrix
//!   is not positive definite (`alpha = 0` on collinear inputs) or too wide.
//!
//! The parity reference ([`Reference`]) predicts with ndarray's `x.dot(&w) + b`, an
//! arithmetic path independent of the scorer's.

use ndarray::{Array1, Array2};

use super::{ElasticNet, ElasticNetParams, Lasso, PenaltyParams, Ridge};
use crate::models::fit::regression;
use crate::models::linear::LinearModel;
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, TrainError};

/// Above this many columns no Gram matrix is built (8 MB of `f64` at 1,024).
pub const GRAM_MAX_FEATURES: usize = 1024;

impl Trainer for Ridge {
    fn fit(
        params: &PenaltyParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
        fit(&with_l1_ratio(params, 0.0), data, progress)
    }
}

impl Trainer for Lasso {
    fn fit(
        params: &PenaltyParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
        fit(&with_l1_ratio(params, 1.0), data, progress)
    }
}

impl Trainer for ElasticNet {
    fn fit(
        params: &ElasticNetParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
        fit(params, data, progress)
    }
}

/// Ridge's or lasso's parameters as the elastic net's.
fn with_l1_ratio(p: &PenaltyParams, l1_ratio: f64) -> ElasticNetParams {
    ElasticNetParams {
        alpha: p.alpha,
        l1_ratio,
        max_iterations: p.max_iterations,
        tolerance: p.tolerance,
        fit_intercept: p.fit_intercept,
    }
}

fn fit(
    params: &ElasticNetParams,
    data: &FitData<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
    let y = data.values()?;
    let p = data.x.ncols();
    let x = data
        .x
        .as_slice()
        .ok_or_else(|| data.error("the matrix is not contiguous"))?;
    let weights = fit_weights(x, p, y, params);
    if weights.weights.iter().any(|w| !w.is_finite()) || !weights.intercept.is_finite() {
        return Err(data.error(
            "the fit diverged (inputs too large); standardize the features or raise alpha",
        ));
    }
    progress(Progress::step(weights.sweeps, params.max_iterations, None));
    progress(Progress::fitted(None));
    let model = LinearModel {
        weights: weights.weights,
        intercept: weights.intercept,
    };
    let reference = Plane(Array1::from(model.weights.clone()), model.intercept);
    Ok((model, Box::new(reference)))
}

/// A fitted linear model and the coordinate-descent sweeps it took (0 for the closed form).
#[derive(Debug)]
pub(crate) struct Fit {
    pub weights: Vec<f64>,
    pub intercept: f64,
    pub sweeps: u64,
}

/// Fits `x` (`n × p` row-major) to `y` (see the module docs for the choice of solver).
pub(crate) fn fit_weights(x: &[f64], p: usize, y: &[f64], params: &ElasticNetParams) -> Fit {
    let n = y.len();
    let (x_mean, y_mean) = if params.fit_intercept {
        column_means(x, p, y)
    } else {
        (vec![0.0; p], 0.0)
    };
    let nf = n as f64;
    let l1 = params.alpha * params.l1_ratio * nf;
    let l2 = params.alpha * (1.0 - params.l1_ratio) * nf;
    let gram = (p <= GRAM_MAX_FEATURES).then(|| Gram::new(x, p, y, &x_mean, y_mean));
    let mut solved = None;
    if let Some(g) = &gram {
        if params.l1_ratio == 0.0 {
            solved = ridge_cholesky(g, l2).map(|w| (w, 0));
        }
        if solved.is_none() && n > p {
            solved = Some(cd_gram(g, l1, l2, params));
        }
    }
    let (weights, sweeps) = match solved {
        Some(s) => s,
        None => cd_residual(x, p, y, &x_mean, y_mean, l1, l2, params),
    };
    let intercept = if params.fit_intercept {
        y_mean - crate::score::dot(&x_mean, &weights)
    } else {
        0.0
    };
    Fit {
        weights,
        intercept,
        sweeps,
    }
}

/// The column means of `x` and the mean of `y`.
fn column_means(x: &[f64], p: usize, y: &[f64]) -> (Vec<f64>, f64) {
    let mut mean = vec![0.0; p];
    for row in x.chunks_exact(p) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    let inv = 1.0 / y.len().max(1) as f64;
    mean.iter_mut().for_each(|m| *m *= inv);
    (mean, y.iter().sum::<f64>() * inv)
}

/// The centred normal equations: `XᶜᵀXᶜ` (full, symmetric), `Xᶜᵀyᶜ` and `‖yᶜ‖²`.
struct Gram {
    p: usize,
    q: Vec<f64>,
    xtx: Vec<f64>,
    y_norm2: f64,
}

impl Gram {
    /// One pass over the rows, eight at a time: each entry of `XᶜᵀXᶜ` (and of `Xᶜᵀyᶜ`) is
    /// loaded once per block, takes the block's eight terms in row order, and is stored
    /// once: the same sums in the same order as a row-by-row rank-one update, so the same
    /// bits. Row by row, every one of the `p(p+1)/2` entries was loaded and stored once per
    /// row (2.1 M loads and stores for each 10,000 rows of 20 features), and the Wasm build
    /// (size-tuned, where the zipped iterators also stayed calls) took 3× native time: ridge
    /// on 100,000 × 20 trained in 59.5 ms in Wasm before and 29.4 ms after four-row blocks
    /// (fastest of 10, the two builds interleaved in one Node process), the elastic net
    /// 65.7 → 25.6 ms. An `f64x2` form of the inner loop (two entries per vector, the same
    /// bits) was tried then: 1.8× slower in V8 than this scalar loop, so it is not used.
    /// Natively LLVM vectorises the loop over `l` two entries wide; a `perf` profile of the
    /// four-row form showed the per-`j` set-up and the odd tail of each triangle row next
    /// to the arithmetic, hence eight rows a block and rows started at an even column.
    ///
    /// On x86-64 with AVX2 the same code is compiled a second time for AVX2 and taken at
    /// run time: LLVM then vectorises the loop over `l` four entries wide instead of two.
    /// Every lane still computes the scalar code's additions and multiplications, each
    /// rounded once, in the same order (Rust never fuses a multiply and an add, AVX2 or
    /// not), so the Gram matrix and the fit are the same bits on every x86-64, in Wasm and
    /// on other targets (`tests/consistency.rs` and the edge tests compare the builds).
    fn new(x: &[f64], p: usize, y: &[f64], x_mean: &[f64], y_mean: f64) -> Gram {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above
            return unsafe { Gram::new_avx2(x, p, y, x_mean, y_mean) };
        }
        Gram::new_any(x, p, y, x_mean, y_mean)
    }

    /// [`Gram::new_any`] compiled for AVX2.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn new_avx2(x: &[f64], p: usize, y: &[f64], x_mean: &[f64], y_mean: f64) -> Gram {
        Gram::new_any(x, p, y, x_mean, y_mean)
    }

    /// The pass itself, for any target (see [`Gram::new`]).
    #[inline(always)]
    fn new_any(x: &[f64], p: usize, y: &[f64], x_mean: &[f64], y_mean: f64) -> Gram {
        const R: usize = 8;
        let mut xtx = vec![0.0; p * p];
        let mut q = vec![0.0; p];
        let mut y_norm2 = 0.0;
        let rows = x.len().checked_div(p).map_or(0, |r| r.min(y.len()));
        let x_mean = &x_mean[..p];
        let mut xc = vec![0.0; R * p];
        let mut yc = [0.0; R];
        let mut r0 = 0;
        while r0 < rows {
            let b = (rows - r0).min(R);
            for i in 0..b {
                let (row, c) = (
                    &x[(r0 + i) * p..(r0 + i + 1) * p],
                    &mut xc[i * p..(i + 1) * p],
                );
                for j in 0..p {
                    c[j] = row[j] - x_mean[j];
                }
                yc[i] = y[r0 + i] - y_mean;
                y_norm2 += yc[i] * yc[i];
            }
            if b == R {
                let c: [&[f64]; R] = std::array::from_fn(|i| &xc[i * p..(i + 1) * p]);
                for j in 0..p {
                    let a: [f64; R] = std::array::from_fn(|i| c[i][j]);
                    let mut qj = q[j];
                    for i in 0..R {
                        qj += a[i] * yc[i];
                    }
                    q[j] = qj;
                    // the upper triangle, row j from an even column at or below j (the
                    // entry left of the diagonal, when j is odd, is overwritten by the
                    // mirror below): the vector loop then has no odd tail
                    let g = &mut xtx[j * p..(j + 1) * p];
                    for l in (j & !1)..p {
                        let mut s = g[l];
                        s += a[0] * c[0][l];
                        s += a[1] * c[1][l];
                        s += a[2] * c[2][l];
                        s += a[3] * c[3][l];
                        s += a[4] * c[4][l];
                        s += a[5] * c[5][l];
                        s += a[6] * c[6][l];
                        s += a[7] * c[7][l];
                        g[l] = s;
                    }
                }
            } else {
                for i in 0..b {
                    let c = &xc[i * p..(i + 1) * p];
                    for j in 0..p {
                        let a = c[j];
                        q[j] += a * yc[i];
                        let g = &mut xtx[j * p..(j + 1) * p];
                        for l in j..p {
                            g[l] += a * c[l];
                        }
                    }
                }
            }
            r0 += b;
        }
        for j in 0..p {
            for l in 0..j {
                xtx[j * p + l] = xtx[l * p + j];
            }
        }
        Gram { p, q, xtx, y_norm2 }
    }
}

/// Ridge by Cholesky: `(XᶜᵀXᶜ + l2·I)·w = Xᶜᵀyᶜ`; `None` unless positive definite.
fn ridge_cholesky(g: &Gram, l2: f64) -> Option<Vec<f64>> {
    let p = g.p;
    let mut a = g.xtx.clone();
    for j in 0..p {
        a[j * p + j] += l2;
    }
    // a = L·Lᵀ, L stored in the lower triangle of `a`
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= a[j * p + k] * a[j * p + k];
        }
        if !(d > 0.0 && d.is_finite()) {
            return None;
        }
        let d = d.sqrt();
        a[j * p + j] = d;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= a[i * p + k] * a[j * p + k];
            }
            a[i * p + j] = s / d;
        }
    }
    // L·z = q, then Lᵀ·w = z
    let mut w = g.q.clone();
    for i in 0..p {
        let mut s = w[i];
        for k in 0..i {
            s -= a[i * p + k] * w[k];
        }
        w[i] = s / a[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = w[i];
        for k in i + 1..p {
            s -= a[k * p + i] * w[k];
        }
        w[i] = s / a[i * p + i];
    }
    w.iter().all(|v| v.is_finite()).then_some(w)
}

/// `sign(t)·max(|t| − l1, 0)`.
fn soft_threshold(t: f64, l1: f64) -> f64 {
    if t > l1 {
        t - l1
    } else if t < -l1 {
        t + l1
    } else {
        0.0
    }
}

/// Whether a sweep's changes are small enough to compute the duality gap (scikit-learn's
/// test, including the last sweep).
fn gap_due(w_max: f64, d_w_max: f64, tol: f64, sweep: u64, max: u64) -> bool {
    w_max == 0.0 || d_w_max / w_max < tol || sweep + 1 == max
}

/// The duality gap of the elastic net at `w` from `Xᶜᵀr − l2·w`, `‖r‖²` and `rᵀyᶜ`.
fn duality_gap(xta: &[f64], w: &[f64], r_norm2: f64, r_dot_y: f64, l1: f64, l2: f64) -> f64 {
    let dual_norm = xta.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let (scale, mut gap) = if dual_norm > l1 {
        let c = l1 / dual_norm;
        (c, 0.5 * (r_norm2 + r_norm2 * c * c))
    } else {
        (1.0, r_norm2)
    };
    let l1_norm: f64 = w.iter().map(|v| v.abs()).sum();
    let w_norm2: f64 = w.iter().map(|v| v * v).sum();
    gap += l1 * l1_norm - scale * r_dot_y + 0.5 * l2 * (1.0 + scale * scale) * w_norm2;
    gap
}

/// Coordinate descent on the Gram matrix (scikit-learn's `enet_coordinate_descent_gram`).
fn cd_gram(g: &Gram, l1: f64, l2: f64, params: &ElasticNetParams) -> (Vec<f64>, u64) {
    let p = g.p;
    let mut w = vec![0.0; p];
    let mut h = vec![0.0; p]; // XᶜᵀXᶜ·w
    let tol = params.tolerance * g.y_norm2;
    let mut sweeps = 0;
    let mut xta = vec![0.0; p];
    while sweeps < params.max_iterations {
        let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
        for j in 0..p {
            let diag = g.xtx[j * p + j];
            if diag == 0.0 {
                continue;
            }
            let old = w[j];
            let col = &g.xtx[j * p..(j + 1) * p];
            if old != 0.0 {
                for (hk, c) in h.iter_mut().zip(col) {
                    *hk -= old * c;
                }
            }
            let new = soft_threshold(g.q[j] - h[j], l1) / (diag + l2);
            w[j] = new;
            if new != 0.0 {
                for (hk, c) in h.iter_mut().zip(col) {
                    *hk += new * c;
                }
            }
            d_w_max = d_w_max.max((new - old).abs());
            w_max = w_max.max(new.abs());
        }
        sweeps += 1;
        if gap_due(
            w_max,
            d_w_max,
            params.tolerance,
            sweeps - 1,
            params.max_iterations,
        ) {
            let q_dot_w = crate::score::dot(&g.q, &w);
            for ((a, (qj, hj)), wj) in xta.iter_mut().zip(g.q.iter().zip(&h)).zip(&w) {
                *a = qj - hj - l2 * wj;
            }
            let r_norm2 = (g.y_norm2 + crate::score::dot(&w, &h) - 2.0 * q_dot_w).max(0.0);
            let gap = duality_gap(&xta, &w, r_norm2, g.y_norm2 - q_dot_w, l1, l2);
            if gap < tol {
                break;
            }
        }
    }
    (w, sweeps)
}

/// Coordinate descent with an explicit residual on a centred column-major copy
/// (scikit-learn's `enet_coordinate_descent`), for wide or short matrices.
#[allow(clippy::too_many_arguments)]
fn cd_residual(
    x: &[f64],
    p: usize,
    y: &[f64],
    x_mean: &[f64],
    y_mean: f64,
    l1: f64,
    l2: f64,
    params: &ElasticNetParams,
) -> (Vec<f64>, u64) {
    let n = y.len();
    let mut cols = vec![0.0; n * p];
    for (i, row) in x.chunks_exact(p).enumerate() {
        for (j, (v, m)) in row.iter().zip(x_mean).enumerate() {
            cols[j * n + i] = v - m;
        }
    }
    let yc: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    let norms: Vec<f64> = cols
        .chunks_exact(n.max(1))
        .map(|c| c.iter().map(|v| v * v).sum())
        .collect();
    let y_norm2: f64 = yc.iter().map(|v| v * v).sum();
    let tol = params.tolerance * y_norm2;
    let mut w = vec![0.0; p];
    let mut r = yc.clone();
    let mut xta = vec![0.0; p];
    let mut sweeps = 0;
    while sweeps < params.max_iterations && n > 0 {
        let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
        for (j, col) in cols.chunks_exact(n).enumerate() {
            if norms[j] == 0.0 {
                continue;
            }
            let old = w[j];
            if old != 0.0 {
                for (ri, c) in r.iter_mut().zip(col) {
                    *ri += old * c;
                }
            }
            let t = crate::score::dot(col, &r);
            let new = soft_threshold(t, l1) / (norms[j] + l2);
            w[j] = new;
            if new != 0.0 {
                for (ri, c) in r.iter_mut().zip(col) {
                    *ri -= new * c;
                }
            }
            d_w_max = d_w_max.max((new - old).abs());
            w_max = w_max.max(new.abs());
        }
        sweeps += 1;
        if gap_due(
            w_max,
            d_w_max,
            params.tolerance,
            sweeps - 1,
            params.max_iterations,
        ) {
            for ((a, col), wj) in xta.iter_mut().zip(cols.chunks_exact(n)).zip(&w) {
                *a = crate::score::dot(col, &r) - l2 * wj;
            }
            let r_norm2 = crate::score::dot(&r, &r);
            let r_dot_y = crate::score::dot(&r, &yc);
            if duality_gap(&xta, &w, r_norm2, r_dot_y, l1, l2) < tol {
                break;
            }
        }
    }
    (w, sweeps)
}

/// The parity reference: ndarray's `x·w + b`.
struct Plane(Array1<f64>, f64);

impl Reference for Plane {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        regression(x.dot(&self.0) + self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(alpha: f64, l1_ratio: f64) -> ElasticNetParams {
        ElasticNetParams {
            alpha,
            l1_ratio,
            max_iterations: 10_000,
            tolerance: 1e-10,
            fit_intercept: true,
        }
    }

    /// The Gram matrix built four rows at a time is the row-by-row rank-one update's, bit
    /// for bit (every row count's remainder, several widths).
    #[test]
    fn gram_in_blocks_equals_row_by_row() {
        let mut s = 11u64;
        let mut u = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e3
        };
        for (n, p) in [
            (0, 3),
            (1, 1),
            (3, 2),
            (4, 5),
            (5, 5),
            (8, 3),
            (9, 20),
            (17, 4),
            (103, 7),
        ] {
            let x: Vec<f64> = (0..n * p).map(|_| u()).collect();
            let y: Vec<f64> = (0..n).map(|_| u()).collect();
            let (m, ym) = column_means(&x, p, &y);
            let g = Gram::new(&x, p, &y, &m, ym);
            let (mut xtx, mut q, mut yn) = (vec![0.0; p * p], vec![0.0; p], 0.0);
            for (row, &yi) in x.chunks_exact(p).zip(&y) {
                let xc: Vec<f64> = row.iter().zip(&m).map(|(v, m)| v - m).collect();
                let yc = yi - ym;
                yn += yc * yc;
                for j in 0..p {
                    q[j] += xc[j] * yc;
                    for l in j..p {
                        xtx[j * p + l] += xc[j] * xc[l];
                    }
                }
            }
            for j in 0..p {
                for l in 0..j {
                    xtx[j * p + l] = xtx[l * p + j];
                }
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&g.xtx), bits(&xtx), "{n} × {p}");
            assert_eq!(bits(&g.q), bits(&q), "{n} × {p}");
            assert_eq!(g.y_norm2.to_bits(), yn.to_bits(), "{n} × {p}");
            // and the portable pass equals the one taken here (AVX2 on most x86-64)
            let any = Gram::new_any(&x, p, &y, &m, ym);
            assert_eq!(bits(&any.xtx), bits(&g.xtx), "{n} × {p}");
            assert_eq!(bits(&any.q), bits(&g.q), "{n} × {p}");
        }
    }

    /// A seeded 200 × 5 table with a known plane and noise.
    fn table() -> (Vec<f64>, Vec<f64>) {
        let mut s = 7u64;
        let mut u = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let (n, p) = (200, 5);
        let x: Vec<f64> = (0..n * p).map(|_| u() * 4.0).collect();
        let y = x
            .chunks_exact(p)
            .map(|r| 3.0 * r[0] - 2.0 * r[1] + 0.5 * r[3] + 1.0 + 0.1 * u())
            .collect();
        (x, y)
    }

    #[test]
    fn ridge_closed_form_equals_coordinate_descent() {
        let (x, y) = table();
        let pr = params(0.3, 0.0);
        let closed = fit_weights(&x, 5, &y, &pr);
        assert_eq!(closed.sweeps, 0, "the closed form was used");
        let (x_mean, y_mean) = column_means(&x, 5, &y);
        let l2 = 0.3 * 200.0;
        let (cd, _) = cd_residual(&x, 5, &y, &x_mean, y_mean, 0.0, l2, &pr);
        for (a, b) in closed.weights.iter().zip(&cd) {
            assert!((a - b).abs() < 1e-8, "{a} vs {b}");
        }
    }

    #[test]
    fn gram_and_residual_descents_agree() {
        let (x, y) = table();
        for l1_ratio in [0.5, 1.0] {
            let pr = params(0.05, l1_ratio);
            let fit = fit_weights(&x, 5, &y, &pr);
            assert!(fit.sweeps > 0);
            let (x_mean, y_mean) = column_means(&x, 5, &y);
            let l1 = 0.05 * l1_ratio * 200.0;
            let l2 = 0.05 * (1.0 - l1_ratio) * 200.0;
            let (cd, _) = cd_residual(&x, 5, &y, &x_mean, y_mean, l1, l2, &pr);
            for (a, b) in fit.weights.iter().zip(&cd) {
                assert!((a - b).abs() < 1e-8, "{a} vs {b}");
            }
            // the lasso drops the inputs that do not matter
            if l1_ratio == 1.0 {
                assert_eq!(fit.weights[2], 0.0);
            }
        }
    }
}
