//! Fitting k-means: scikit-learn's k-means++ seeding and Lloyd's iterations, driftlab's own.
//!
//! linfa-clustering's k-means took about 4× scikit-learn's `KMeans` on 20,000 × 50 rows in
//! Wasm: it allocates an `n × k` distance matrix per iteration and seeds k-means++ with one
//! candidate per centroid. This trainer follows scikit-learn (`_kmeans_plusplus`,
//! `_kmeans_single_lloyd`) step for step, on the row-major matrix without temporaries:
//!
//! - **seeding**: the first centroid a uniformly drawn row; each next one the best of
//!   `2 + ⌊ln k⌋` candidates drawn with probability proportional to the squared distance to
//!   the nearest centroid so far ("greedy k-means++"), the best being the one that lowers
//!   the total squared distance most;
//! - **Lloyd**: assign every row to its nearest centroid (first on ties), move each centroid
//!   to its rows' mean; an empty cluster takes the row farthest from its centroid; stop when
//!   no assignment changed, or when the centroids' total squared movement is at most
//!   `tolerance × the mean feature variance` (scikit-learn's scaled `tol`), or after
//!   `max_iterations`;
//! - **restarts**: `n_runs` seeded runs (the seed's `StdRng`, so every build draws the same
//!   numbers), the lowest inertia wins (the first on ties).
//!
//! Its inertia on the bundled tables is scikit-learn's (`tests/parity_sklearn.rs`). The
//! parity reference assigns rows with ndarray's arithmetic, independently of the scorer.

use ndarray::{Array2, ArrayView2, Axis};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{KMeans, KMeansModel, KMeansParams};
use crate::models::{FitData, Reference, Trainer};
use crate::score::{sq_l2, Prediction};
use crate::train::{Progress, TrainError};

impl Trainer for KMeans {
    fn min_rows(params: &KMeansParams) -> usize {
        (params.k as usize).max(2)
    }

    fn fit(
        params: &KMeansParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(KMeansModel, Box<dyn Reference>), TrainError> {
        let x = data.x;
        let k = params.k as usize;
        if k > x.nrows() {
            return Err(TrainError::Invalid(format!(
                "kmeans k={k} is more than the {} training rows; lower k",
                x.nrows()
            )));
        }
        let p = x.ncols();
        let rows = x
            .as_slice()
            .ok_or_else(|| data.error("the matrix is not contiguous"))?;
        let tol = params.tolerance * mean_variance(x);
        let mut rng = StdRng::seed_from_u64(data.seed);
        let mut best: Option<(Vec<f64>, f64)> = None;
        for run in 0..params.n_runs {
            let seeds = plus_plus(rows, p, k, &mut rng);
            let (centroids, inertia) = lloyd(rows, p, seeds, params.max_iterations, tol);
            if best.as_ref().is_none_or(|(_, b)| inertia < *b) {
                best = Some((centroids, inertia));
            }
            progress(Progress::step(
                run + 1,
                params.n_runs,
                best.as_ref().map(|b| b.1),
            ));
        }
        let (centroids, inertia) = best.ok_or_else(|| data.error("no run"))?;
        if centroids.iter().any(|c| !c.is_finite()) {
            return Err(data.error("the centroids overflowed; standardize the features"));
        }
        progress(Progress::fitted(Some(inertia)));
        let reference = Centroids(
            Array2::from_shape_vec((k, p), centroids.clone()).map_err(|e| data.error(e))?,
        );
        let model = KMeansModel {
            n_features: p,
            centroids,
        };
        Ok((model, Box::new(reference)))
    }
}

/// The mean over features of the population variance (scikit-learn scales `tol` by it).
fn mean_variance(x: ArrayView2<'_, f64>) -> f64 {
    let v = x.var_axis(Axis(0), 0.0);
    v.sum() / v.len().max(1) as f64
}

/// Greedy k-means++ seeding (see the module docs): `k × p` centroids.
fn plus_plus(x: &[f64], p: usize, k: usize, rng: &mut StdRng) -> Vec<f64> {
    let n = x.len() / p;
    let trials = 2 + (k as f64).ln() as usize;
    let mut centroids = Vec::with_capacity(k * p);
    // drawn as a u64, not a usize: rand samples a usize range with the platform's word
    // (64 bits natively, 32 in Wasm), which gave the builds different seeds
    let first = rng.gen_range(0..n as u64) as usize;
    centroids.extend_from_slice(&x[first * p..(first + 1) * p]);
    let mut closest: Vec<f64> = x.chunks_exact(p).map(|r| sq_l2(r, &centroids)).collect();
    let mut potential: f64 = closest.iter().sum();
    let mut candidate_dist = vec![0.0; n];
    let mut best_dist = vec![0.0; n];
    for _ in 1..k {
        let mut best: Option<(usize, f64)> = None;
        for _ in 0..trials {
            let target = rng.gen::<f64>() * potential;
            // the first row whose running sum of squared distances reaches the target
            let mut acc = 0.0;
            let mut pick = n - 1;
            for (i, d) in closest.iter().enumerate() {
                acc += d;
                if acc >= target && *d > 0.0 {
                    pick = i;
                    break;
                }
            }
            let c = &x[pick * p..(pick + 1) * p];
            let mut pot = 0.0;
            for ((cd, r), old) in candidate_dist
                .iter_mut()
                .zip(x.chunks_exact(p))
                .zip(&closest)
            {
                *cd = sq_l2(r, c).min(*old);
                pot += *cd;
            }
            if best.is_none_or(|(_, b)| pot < b) {
                best = Some((pick, pot));
                best_dist.copy_from_slice(&candidate_dist);
            }
        }
        let Some((pick, pot)) = best else { break };
        centroids.extend_from_slice(&x[pick * p..(pick + 1) * p]);
        closest.copy_from_slice(&best_dist);
        potential = pot;
    }
    centroids
}

/// Lloyd's iterations from `centroids` (see the module docs); the final centroids and
/// their inertia.
fn lloyd(x: &[f64], p: usize, mut centroids: Vec<f64>, max: u64, tol: f64) -> (Vec<f64>, f64) {
    let n = x.len() / p;
    let k = centroids.len() / p;
    let mut labels = vec![usize::MAX; n];
    let mut dist = vec![0.0; n];
    let mut sums = vec![0.0; k * p];
    let mut counts = vec![0usize; k];
    for _ in 0..max {
        let mut changed = false;
        for ((row, label), d) in x
            .chunks_exact(p)
            .zip(labels.iter_mut())
            .zip(dist.iter_mut())
        {
            let (c, dc) = crate::score::nearest_centroid(&centroids, row);
            changed |= *label != c;
            *label = c;
            *d = dc;
        }
        if !changed {
            break;
        }
        sums.iter_mut().for_each(|s| *s = 0.0);
        counts.iter_mut().for_each(|c| *c = 0);
        for (row, &c) in x.chunks_exact(p).zip(&labels) {
            counts[c] += 1;
            for (s, v) in sums[c * p..(c + 1) * p].iter_mut().zip(row) {
                *s += v;
            }
        }
        // an empty cluster takes the row farthest from its centroid (not yet taken)
        for c in 0..k {
            if counts[c] == 0 {
                let far =
                    (0..n)
                        .filter(|&i| counts[labels[i]] > 1)
                        .fold(None, |b: Option<usize>, i| match b {
                            Some(j) if dist[j] >= dist[i] => Some(j),
                            _ => Some(i),
                        });
                if let Some(i) = far {
                    let old = labels[i];
                    counts[old] -= 1;
                    for (s, v) in sums[old * p..(old + 1) * p].iter_mut().zip(&x[i * p..]) {
                        *s -= v;
                    }
                    labels[i] = c;
                    dist[i] = 0.0;
                    counts[c] = 1;
                    sums[c * p..(c + 1) * p].copy_from_slice(&x[i * p..(i + 1) * p]);
                }
            }
        }
        let mut shift = 0.0;
        for c in 0..k {
            if counts[c] == 0 {
                continue;
            }
            let inv = 1.0 / counts[c] as f64;
            for (cv, s) in centroids[c * p..(c + 1) * p].iter_mut().zip(&sums[c * p..]) {
                let new = s * inv;
                shift += (new - *cv) * (new - *cv);
                *cv = new;
            }
        }
        if shift <= tol {
            break;
        }
    }
    // the inertia of the final centroids
    let inertia = x
        .chunks_exact(p)
        .map(|row| crate::score::nearest_centroid(&centroids, row).1)
        .sum();
    (centroids, inertia)
}

/// The parity reference: the nearest centroid by ndarray's `(x − c)²` sums.
struct Centroids(Array2<f64>);

impl Reference for Centroids {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        x.rows()
            .into_iter()
            .map(|row| {
                let mut best = (0, f64::INFINITY);
                for (i, c) in self.0.rows().into_iter().enumerate() {
                    let d = (&row - &c).mapv(|v| v * v).sum();
                    if d < best.1 {
                        best = (i, d);
                    }
                }
                Prediction {
                    value: best.0 as f64,
                    probabilities: Vec::new(),
                }
            })
            .collect()
    }
}
