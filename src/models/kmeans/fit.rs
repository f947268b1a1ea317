//! Fitting k-means through linfa-clustering, seeded.

use linfa::prelude::*;
use linfa::traits::Fit;
use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{KMeans, KMeansModel, KMeansParams};
use crate::models::fit::classes_only;
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, TrainError};

type Linfa = linfa_clustering::KMeans<f64, linfa_nn::distance::L2Dist>;

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
        let ds = DatasetBase::from(x.to_owned());
        let rng = StdRng::seed_from_u64(data.seed);
        let fitted = Linfa::params_with(k, rng, linfa_nn::distance::L2Dist)
            .n_runs(params.n_runs as usize)
            .max_n_iterations(params.max_iterations)
            .tolerance(params.tolerance)
            .fit(&ds)
            .map_err(|e| data.error(e))?;
        let centroids = fitted.centroids().iter().copied().collect();
        progress(Progress::fitted(Some(fitted.inertia())));
        let model = KMeansModel {
            n_features: x.ncols(),
            centroids,
        };
        Ok((model, Box::new(Centroids(fitted))))
    }
}

struct Centroids(Linfa);

impl Reference for Centroids {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        let v: Array1<usize> = self.0.predict(x);
        classes_only(v)
    }
}
