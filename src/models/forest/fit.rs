//! Fitting a random forest: linfa-ensemble's bagging, tree by tree.
//!
//! linfa-ensemble's fit is done here tree by tree, so that each tree is a progress event
//! (and a tree that fails is an error, where linfa-ensemble 0.8.1 unwraps): the same seeded
//! bootstrap draws (linfa's `bootstrap_with_indices`, rows then features) in the same
//! order, so the same forest as `EnsembleLearnerParams::fit`. The trees are linfa-trees',
//! reproducible through the workspace's patch (see the tree family's `fit.rs`).

use linfa::prelude::*;
use linfa::traits::Fit;
use ndarray::{Array1, Array2, Axis};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{forest_vote, Forest, ForestModel, ForestParams};
use crate::models::tree::fit::{extract_tree, linfa_params};
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, TrainError};

type Ensemble = linfa_ensemble::EnsembleLearner<linfa_trees::DecisionTree<f64, usize>>;

impl Trainer for Forest {
    fn fit(
        params: &ForestParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(ForestModel, Box<dyn Reference>), TrainError> {
        let x = data.x;
        let (yi, k) = data.classes()?;
        let ds = DatasetBase::new(x.to_owned(), Array1::from(yi.to_vec()));
        let n_trees = params.n_trees as usize;
        let sample = (
            (x.nrows() as f64 * params.bootstrap_proportion).ceil() as usize,
            (x.ncols() as f64 * params.feature_proportion).ceil() as usize,
        );
        // linfa's own split limits (the tree kind sets its own)
        let tree = linfa_params(params.criterion, params.max_depth, None);
        let mut rng = StdRng::seed_from_u64(data.seed);
        let mut fitted = Ensemble {
            models: Vec::with_capacity(n_trees),
            model_features: Vec::with_capacity(n_trees),
        };
        for (train, _, features) in ds.bootstrap_with_indices(sample, &mut rng).take(n_trees) {
            fitted
                .models
                .push(tree.fit(&train).map_err(|e| data.error(e))?);
            fitted.model_features.push(features);
            progress(Progress {
                stage: "fit".into(),
                step: fitted.models.len() as u64,
                total: Some(n_trees as u64),
                loss: None,
            });
        }
        let trees = fitted
            .models
            .iter()
            .zip(&fitted.model_features)
            .map(|(t, feats)| {
                let sub = x.select(Axis(1), feats);
                extract_tree(t, feats, &sub, yi, k)
            })
            .collect();
        let model = ForestModel {
            trees,
            n_classes: k,
        };
        Ok((model, Box::new(Linfa(fitted, k))))
    }
}

/// linfa's ensemble and the number of classes.
struct Linfa(Ensemble, usize);

impl Reference for Linfa {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        // linfa's own vote breaks ties by HashMap order (not reproducible); use each
        // tree's linfa prediction and the scorer's deterministic vote.
        let Linfa(f, k) = self;
        let mut votes = vec![vec![0usize; *k]; x.nrows()];
        for (tree, feats) in f.models.iter().zip(&f.model_features) {
            let sub = x.select(Axis(1), feats);
            let v: Array1<usize> = tree.predict(&sub);
            for (i, &c) in v.iter().enumerate() {
                votes[i][c] += 1;
            }
        }
        votes.iter().map(|v| forest_vote(v)).collect()
    }
}
