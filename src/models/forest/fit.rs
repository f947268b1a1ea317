//! Fitting a random forest on the shared histogram machinery: the features are binned
//! once for every tree, and each tree grows on a bootstrap sample of the rows (each row
//! weighted by how often it was drawn, as scikit-learn does) with a fresh random subset
//! of the features at every split (`feature_proportion`; 1 searches every feature, which
//! lets each node's larger child be built by subtraction). The draws come from one
//! `StdRng` seeded with the training seed, tree after tree, so the same table, parameters
//! and seed give the same forest everywhere; each tree is a progress event.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Forest, ForestModel, ForestParams};
use crate::models::hist::{self, Binned, GrowParams};
use crate::models::tree::fit::{grow_classes, matrix, min_gain, tree_model, BinWalk};
use crate::models::{FitData, Reference, Trainer};
use crate::train::{Progress, TrainError};

impl Trainer for Forest {
    const ACCEPTS_MISSING: bool = true;

    fn fit(
        params: &ForestParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(ForestModel, Box<dyn Reference>), TrainError> {
        let (xs, rows, cols) = matrix(data)?;
        let (yi, k) = data.classes()?;
        let binned = Binned::new(xs, rows, cols, hist::MAX_BINS);
        let n_trees = params.n_trees as usize;
        let draws = ((rows as f64 * params.bootstrap_proportion).ceil() as usize).max(1);
        let per_split = ((cols as f64 * params.feature_proportion).ceil() as usize).clamp(1, cols);
        let grow_params = GrowParams {
            max_leaves: usize::MAX,
            max_depth: params.max_depth as usize,
            min_leaf: 1.0,
            min_split: 2.0,
            min_gain: min_gain(params.criterion, 0.0, rows),
            features: (0..cols).collect(),
            per_split: (per_split < cols).then_some(per_split),
        };
        let with_missing = binned.has_missing();
        let mut rng = StdRng::seed_from_u64(data.seed);
        let mut weights = vec![0u32; rows];
        let mut grown = Vec::with_capacity(n_trees);
        let mut trees = Vec::with_capacity(n_trees);
        for t in 0..n_trees {
            weights.fill(0);
            for _ in 0..draws {
                // a u64 draw: a usize range is sampled with the platform's word, so
                // natively and in Wasm the bootstraps differed
                weights[rng.gen_range(0..rows as u64) as usize] += 1;
            }
            let g = grow_classes(
                &binned,
                yi,
                k,
                &weights,
                params.criterion,
                &grow_params,
                &mut rng,
            );
            trees.push(tree_model(&g, &binned.bins, k, with_missing));
            grown.push(g.without_rows());
            progress(Progress::step(t as u64 + 1, n_trees as u64, None));
        }
        let model = ForestModel {
            trees,
            n_classes: k,
            soft_voting: false,
        };
        let reference = BinWalk {
            bins: binned.bins,
            trees: grown,
            k,
        };
        Ok((model, Box::new(reference)))
    }
}
