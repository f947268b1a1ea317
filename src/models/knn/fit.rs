//! "Fitting" k-nearest neighbours: keeping the training rows. The reference searches them
//! with linfa-nn's linear search.

use ndarray::Array2;

use super::{knn_combine, Knn, KnnModel, KnnParams};
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, Target, TrainError};

impl Trainer for Knn {
    fn min_rows(params: &KnnParams) -> usize {
        (params.k as usize).max(1)
    }

    fn fit(
        params: &KnnParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(KnnModel, Box<dyn Reference>), TrainError> {
        let k = params.k as usize;
        let (targets, n_classes) = match data.y {
            Target::Classes { indices, labels } => (
                indices.iter().map(|&i| i as f64).collect::<Vec<_>>(),
                labels.len(),
            ),
            Target::Values(v) => (v.clone(), 0),
            Target::None => return Err(TrainError::NeedsTarget(data.kind.name())),
        };
        let model = KnnModel {
            k,
            points: data.x.iter().copied().collect(),
            targets: targets.clone(),
            n_classes,
        };
        progress(Progress::fitted(None));
        let reference = Neighbours {
            points: data.x.to_owned(),
            targets,
            k,
            n_classes,
        };
        Ok((model, Box::new(reference)))
    }
}

/// The training rows, searched by linfa-nn.
struct Neighbours {
    points: Array2<f64>,
    targets: Vec<f64>,
    k: usize,
    n_classes: usize,
}

impl Reference for Neighbours {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        use linfa_nn::{distance::L2Dist, LinearSearch, NearestNeighbour};
        let index = match LinearSearch::new().from_batch(&self.points, L2Dist) {
            Ok(i) => i,
            Err(_) => return Vec::new(),
        };
        x.rows()
            .into_iter()
            .map(|row| {
                let found = index.k_nearest(row, self.k).unwrap_or_default();
                let t: Vec<f64> = found.iter().map(|(_, i)| self.targets[*i]).collect();
                knn_combine(&t, self.n_classes)
            })
            .collect()
    }
}
