//! k-nearest neighbours: the answer of the `k` training rows nearest to a row (a vote for
//! classes, the mean for numbers). There is nothing to fit: the fitted form is the
//! training rows themselves, and scoring searches them (as linfa-nn's linear search does,
//! nearest first, ties by stored order): one row by scanning every stored point, a batch of
//! rows of small dimension through a k-d tree built for the batch, with exactly the scan's
//! answer (`kdtree.rs` says why it is exact).

#[cfg(feature = "train")]
mod fit;
mod kdtree;

use serde::{Deserialize, Serialize};

use super::forest::forest_vote;
use super::{bad, family_params, Family, ParamType, Predict, Tasks};
use crate::score::{sq_l2, Prediction, Result, Task};

family_params! {
    /// Hyperparameters of k-nearest neighbours.
    pub struct KnnParams {
        /// neighbours consulted
        pub k: u64 = 5, ParamType::Int { min: 1, max: 10_000 };
    }
}

/// The `knn` kind.
#[derive(Debug)]
pub struct Knn;

impl Family for Knn {
    const ABOUT: &'static str = "Answers from the k nearest training rows: no training to speak of, but the artifact carries the rows.";
    const TASKS: Tasks = Tasks::BOTH;
    type Params = KnnParams;
    type Fitted = KnnModel;
    /// Every answer scans the training rows, so judging the held-out rows costs test ×
    /// training distances: at 50,000 rows 37 s in the page; 20,000 training rows keep it
    /// to a few seconds.
    const MAX_ROWS: Option<usize> = Some(20_000);
    fn too_many_rows(rows: usize, features: usize) -> String {
        format!("every answer compares the row with all {rows} training rows ({features} features each), so judging the test rows would take minutes")
    }
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

impl Predict for KnnModel {
    fn task(&self) -> Task {
        Task::by_classes(self.n_classes)
    }

    fn n_outputs(&self) -> usize {
        self.n_classes
    }

    fn n_features(&self) -> usize {
        self.points.len() / self.targets.len().max(1)
    }

    fn validate(&self, p: usize) -> Result<()> {
        let n = self.targets.len();
        if self.k == 0 || n == 0 || self.points.len() != n * p {
            return Err(bad("knn points do not match the features"));
        }
        if self.n_classes > 0
            && self
                .targets
                .iter()
                .any(|&t| t < 0.0 || t >= self.n_classes as f64 || t.fract() != 0.0)
        {
            return Err(bad("knn class index out of range"));
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        let mut best = Vec::with_capacity(self.k + 1);
        Ok(self.scan(x, &mut best))
    }

    fn predict_batch(&self, data: &[f64], cols: usize) -> Option<Vec<Prediction>> {
        let mut out = Vec::with_capacity(data.len() / cols.max(1));
        self.batch(data, cols, |pr| out.push(pr));
        Some(out)
    }

    fn predict_batch_into(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        self.batch(data, cols, |pr| {
            values.push(pr.value);
            probabilities.extend_from_slice(&pr.probabilities);
        });
        Some(self.n_classes)
    }
}

impl KnnModel {
    /// Every row of a batch, through the k-d tree when [`kdtree::worth_it`] (else, and for
    /// rows it cannot order, the scan): the same predictions as [`Predict::predict`].
    fn batch(&self, data: &[f64], cols: usize, mut emit: impl FnMut(Prediction)) {
        let rows = data.len() / cols.max(1);
        let k = self.k.min(self.targets.len());
        let tree = kdtree::worth_it(cols, self.targets.len(), rows)
            .then(|| kdtree::KdTree::new(&self.points, cols))
            .flatten();
        let mut best = Vec::with_capacity(k + 1);
        let mut targets = Vec::with_capacity(k);
        for x in data.chunks_exact(cols) {
            let found = tree.as_ref().and_then(|t| t.nearest(x, k, &mut best));
            emit(if found.is_some() {
                targets.clear();
                targets.extend(best.iter().map(|&(_, i)| self.targets[i]));
                knn_combine(&targets, self.n_classes)
            } else {
                self.scan(x, &mut best)
            });
        }
    }

    /// The brute-force search: every stored point, the `k` smallest `(distance, index)`
    /// pairs kept sorted (nearest first, ties by stored order), then their answer.
    fn scan(&self, x: &[f64], best: &mut Vec<(f64, usize)>) -> Prediction {
        let p = x.len().max(1);
        let k = self.k.min(self.targets.len());
        best.clear();
        for (i, pt) in self.points.chunks_exact(p).enumerate() {
            let d = sq_l2(x, pt);
            if best.len() == k && best.last().is_some_and(|&(bd, _)| d >= bd) {
                continue;
            }
            let pos = best.partition_point(|&(bd, _)| bd <= d);
            best.insert(pos, (d, i));
            best.truncate(k);
        }
        let targets: Vec<f64> = best.iter().map(|&(_, i)| self.targets[i]).collect();
        knn_combine(&targets, self.n_classes)
    }
}

/// Combines the targets of the nearest neighbours (nearest first): a uniform vote for
/// classes (ties to the lowest class index; probabilities are vote fractions, as the
/// forest's [`forest_vote`]) or the mean.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch through the k-d tree gives the bits of scoring its rows one by one.
    #[test]
    fn batches_through_the_tree_equal_single_rows() {
        let mut s = 99u64;
        let mut u = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        for n_classes in [0, 3] {
            let n = 400;
            let points: Vec<f64> = (0..2 * n).map(|_| (u() * 20.0).round() / 4.0).collect();
            let targets: Vec<f64> = (0..n)
                .map(|_| match n_classes {
                    0 => u(),
                    _ => (u() * 3.0).floor(),
                })
                .collect();
            let m = KnnModel {
                k: 7,
                points,
                targets,
                n_classes,
            };
            let grid: Vec<f64> = (0..60 * 60)
                .flat_map(|i| [(i % 60) as f64 / 10.0, (i / 60) as f64 / 10.0])
                .collect();
            let (mut values, mut probabilities) = (Vec::new(), Vec::new());
            let k = m
                .predict_batch_into(&grid, 2, &mut values, &mut probabilities)
                .unwrap();
            for (i, x) in grid.chunks_exact(2).enumerate() {
                let one = m.predict(x).unwrap();
                assert_eq!(values[i].to_bits(), one.value.to_bits(), "row {i}");
                assert_eq!(&probabilities[i * k..(i + 1) * k], &one.probabilities[..]);
            }
        }
    }
}
