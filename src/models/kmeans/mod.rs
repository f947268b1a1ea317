//! k-means: `k` centroids, each row assigned to the nearest. Fitted by driftlab's own
//! trainer (scikit-learn's greedy k-means++ and Lloyd's iterations, the best of `n_runs`
//! seeded runs by inertia; `fit.rs` says why not linfa-clustering); scored by the same
//! nearest-centroid search, first centroid on ties.

#[cfg(feature = "train")]
mod fit;

use serde::{Deserialize, Serialize};

use super::{bad, family_params, Family, ParamType, Predict, Tasks};
use crate::score::{sq_l2, sq_l2_pair, Prediction, Result, Task};

family_params! {
    /// Hyperparameters of k-means.
    pub struct KMeansParams {
        /// clusters
        pub k: u64 = 3, ParamType::Int { min: 1, max: 10_000 };
        /// seeded restarts (scikit-learn's n_init); the lowest inertia wins
        pub n_runs: u64 = 10, ParamType::Int { min: 1, max: 1_000 };
        /// iterations per run
        pub max_iterations: u64 = 300, ParamType::Int { min: 1, max: 1_000_000 };
        /// stop when the centroids' total squared movement in an iteration is at most this
        /// share of the mean feature variance (scikit-learn's tol)
        pub tolerance: f64 = 0.0001, ParamType::POSITIVE;
    }
}

/// The `kmeans` kind.
#[derive(Debug)]
pub struct KMeans;

impl Family for KMeans {
    const ABOUT: &'static str = "Groups rows into k clusters without a target (pick no target).";
    const TASKS: Tasks = Tasks::CLUSTERING;
    type Params = KMeansParams;
    type Fitted = KMeansModel;
}

/// k-means: the centroids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansModel {
    /// Number of features.
    pub n_features: usize,
    /// Centroids, `k × p` row-major.
    pub centroids: Vec<f64>,
}

impl Predict for KMeansModel {
    fn task(&self) -> Task {
        Task::Clustering
    }

    fn n_outputs(&self) -> usize {
        self.centroids.len() / self.n_features.max(1)
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    fn validate(&self, p: usize) -> Result<()> {
        if p == 0
            || self.n_features != p
            || self.centroids.is_empty()
            || !self.centroids.len().is_multiple_of(p)
        {
            return Err(bad("k-means centroids do not match the features"));
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        let (best, _) = nearest_centroid(&self.centroids, x);
        Ok(Prediction {
            value: best as f64,
            probabilities: Vec::new(),
        })
    }

    fn predict_batch_into(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        _probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        values.extend(
            data.chunks_exact(cols)
                .map(|x| nearest_centroid(&self.centroids, x).0 as f64),
        );
        Some(0)
    }
}

/// Index and squared distance of the nearest centroid (first on ties; distances by
/// [`sq_l2`], in the scorers' eight-lane order).
///
/// Two centroids at a time ([`sq_l2_pair`]): the row's values are loaded once for both and
/// sixteen partial sums are in flight instead of eight, the same distances bit for bit.
pub fn nearest_centroid(centroids: &[f64], x: &[f64]) -> (usize, f64) {
    let p = x.len().max(1);
    let mut best = (0, f64::INFINITY);
    let mut pairs = centroids.chunks_exact(2 * p);
    let mut i = 0;
    for c in &mut pairs {
        let (d0, d1) = sq_l2_pair(&c[..p], &c[p..], x);
        if i == 0 || d0 < best.1 {
            best = (i, d0);
        }
        if d1 < best.1 {
            best = (i + 1, d1);
        }
        i += 2;
    }
    if let Some(c) = pairs.remainder().chunks_exact(p).next() {
        let d = sq_l2(c, x);
        if i == 0 || d < best.1 {
            best = (i, d);
        }
    }
    best
}
