//! Random forests: decision trees on bootstrap samples of the rows and random subsets of
//! the features at each split, voting. Fitted tree by tree on the histogram machinery the
//! tree families share (see `fit.rs`); each tree is stored as the tree family's
//! [`TreeModel`] over the full feature row, so the forest scores with the tree's own walk
//! (in batches, the tree family's block walk, `tree/flat.rs`).
//!
//! The artifact kept its shape when linfa's trees gave way to the histogram trees, so a
//! forest trained before still loads and scores as it did.

#[cfg(feature = "train")]
mod fit;

use serde::{Deserialize, Serialize};

use super::tree::{flat, Criterion, TreeModel};
use super::{bad, family_params, Family, ParamType, Predict, Tasks};
use crate::score::{Prediction, Result, Task};

family_params! {
    /// Hyperparameters of a random forest.
    pub struct ForestParams {
        /// trees in the forest
        pub n_trees: u64 = 100, ParamType::Int { min: 1, max: 10_000 };
        /// rows drawn (with replacement) per tree, as a share of the training rows
        pub bootstrap_proportion: f64 = 1.0, ParamType::SHARE;
        /// features searched at each split, drawn afresh, as a share of all features
        pub feature_proportion: f64 = 1.0, ParamType::SHARE;
        /// maximum depth of each tree; 0 means unlimited
        pub max_depth: u64 = 0, ParamType::Int { min: 0, max: 1_000 };
        /// split quality
        pub criterion: Criterion = Criterion::Gini, ParamType::Choice(Criterion::WORDS);
    }
}

/// The `forest` kind.
#[derive(Debug)]
pub struct Forest;

impl Family for Forest {
    const ABOUT: &'static str = "Many trees on resampled rows, voting: sturdier than one tree, but a larger artifact and slower scoring.";
    const TASKS: Tasks = Tasks::CLASSIFICATION;
    type Params = ForestParams;
    type Fitted = ForestModel;
}

/// A random forest: trees over the original feature indices, majority vote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForestModel {
    /// The trees (feature indices refer to the full feature row).
    pub trees: Vec<TreeModel>,
    /// Number of classes.
    pub n_classes: usize,
}

impl Predict for ForestModel {
    fn task(&self) -> Task {
        Task::Classification
    }

    fn n_outputs(&self) -> usize {
        self.n_classes
    }

    fn n_features(&self) -> usize {
        self.trees.iter().map(TreeModel::width).max().unwrap_or(0)
    }

    fn accepts_wider_rows(&self) -> bool {
        true
    }

    fn validate(&self, p: usize) -> Result<()> {
        if self.trees.is_empty() {
            return Err(bad("forest has no trees"));
        }
        let mismatch = || bad("forest tree does not match the features and classes");
        // every tree's class count first: a tree's own checks multiply it by its node count
        if self.trees.iter().any(|t| t.n_classes != self.n_classes) {
            return Err(mismatch());
        }
        for t in &self.trees {
            t.check_nodes()?;
            if t.reads_past(p) {
                return Err(mismatch());
            }
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        let mut votes = vec![0usize; self.n_classes];
        for t in &self.trees {
            let leaf = t.leaf(x)?;
            if let Some(v) = votes.get_mut(t.class[leaf]) {
                *v += 1;
            }
        }
        Ok(forest_vote(&votes))
    }

    fn predict_batch_into(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        let k = self.n_classes;
        let rows = data.len() / cols.max(1);
        values.resize(rows, 0.0);
        probabilities.resize(rows * k, 0.0);
        let flats: Vec<flat::FlatTree> = self.trees.iter().map(TreeModel::flat).collect();
        let mut leaves = [0u32; flat::BLOCK];
        let mut votes = vec![0usize; flat::BLOCK * k];
        flat::blocks(data, cols, |start, block, n| {
            votes.fill(0);
            for (t, f) in self.trees.iter().zip(&flats) {
                f.leaves(block, cols, &mut leaves[..n]);
                for (j, &leaf) in leaves[..n].iter().enumerate() {
                    votes[j * k + t.class[leaf as usize]] += 1;
                }
            }
            for j in 0..n {
                values[start + j] = vote_into(
                    &votes[j * k..(j + 1) * k],
                    &mut probabilities[(start + j) * k..(start + j + 1) * k],
                );
            }
        });
        Some(k)
    }
}

/// Majority vote of a forest: the most votes wins, ties go to the lowest class index;
/// probabilities are vote fractions.
pub fn forest_vote(votes: &[usize]) -> Prediction {
    let mut probabilities = vec![0.0; votes.len()];
    let value = vote_into(votes, &mut probabilities);
    Prediction {
        value,
        probabilities,
    }
}

/// [`forest_vote`] into a slice of probabilities; returns the winning class.
fn vote_into(votes: &[usize], probabilities: &mut [f64]) -> f64 {
    let total = votes.iter().sum::<usize>().max(1) as f64;
    let mut best = 0;
    for (i, &v) in votes.iter().enumerate() {
        if v > votes[best] {
            best = i;
        }
    }
    for (p, &v) in probabilities.iter_mut().zip(votes) {
        *p = v as f64 / total;
    }
    best as f64
}
