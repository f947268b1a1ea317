//! Random forests: decision trees on bootstrap samples of the rows and random subsets of
//! the features at each split, voting. Fitted tree by tree on the histogram machinery the
//! tree families share (see `fit.rs`); each tree is stored as the tree family's
//! [`TreeModel`] over the full feature row, so the forest scores with the tree's own walk
//! (in batches, the tree family's walk, 128 rows at a time tree by tree, `tree/flat.rs`).
//!
//! The artifact kept its shape when linfa's trees gave way to the histogram trees, so a
//! forest trained before still loads and scores as it did.
//!
//! **Soft voting.** scikit-learn's random forests and extra trees do not count votes: they
//! average the trees' leaf class frequencies (`predict_proba`), and the label is the class
//! of the largest average. A forest imported from such a model (`crate::onnx::import`)
//! carries `"soft_voting": true` and scores that way (`ForestModel::predict_soft`): the
//! probabilities are the mean of the leaves' `distribution`s, the label their argmax
//! (ties to the lowest class, as onnxruntime's `TreeEnsembleClassifier` names them). The
//! field is left out of the artifact when false, so every forest written before it, and
//! every forest driftlab trains, stays byte for byte what it was. driftlab's own trainer
//! keeps voting: it has no soft-voting parameter (a new parameter would enter every
//! trained forest's artifact).

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
    /// Average the leaves' class distributions instead of counting votes (scikit-learn's
    /// forests, imported); absent from the artifact when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub soft_voting: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl ForestModel {
    /// Soft voting, one row: each tree's leaf distribution added in tree order, then
    /// divided by the number of trees; the label is the largest mean.
    fn predict_soft(&self, x: &[f64]) -> Result<Prediction> {
        let k = self.n_classes;
        let mut probabilities = vec![0.0; k];
        for t in &self.trees {
            let leaf = t.leaf(x)?;
            add(
                &mut probabilities,
                &t.distribution[leaf * k..(leaf + 1) * k],
            );
        }
        let n = self.trees.len() as f64;
        probabilities.iter_mut().for_each(|p| *p /= n);
        Ok(Prediction {
            value: crate::score::argmax(&probabilities) as f64,
            probabilities,
        })
    }

    /// Soft voting over a batch, the same sums as [`Self::predict_soft`] row by row (tree
    /// by tree into each row's probabilities, in tree order), so the bits agree.
    fn predict_soft_batch(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        let k = self.n_classes;
        let rows = data.len() / cols.max(1);
        values.resize(rows, 0.0);
        probabilities.clear();
        probabilities.resize(rows * k, 0.0);
        let n = self.trees.len() as f64;
        let mut leaves = vec![0u32; flat::TILE];
        let flats: Vec<flat::FlatTree> = self.trees.iter().map(TreeModel::flat).collect();
        flat::blocks(data, cols, flat::TILE, |start, block, m| {
            let out = &mut probabilities[start * k..(start + m) * k];
            for (t, f) in self.trees.iter().zip(&flats) {
                f.leaves(block, cols, &mut leaves[..m]);
                for (row, &leaf) in out.chunks_exact_mut(k).zip(&leaves[..m]) {
                    let leaf = leaf as usize;
                    add(row, &t.distribution[leaf * k..(leaf + 1) * k]);
                }
            }
            for (j, row) in out.chunks_exact_mut(k).enumerate() {
                row.iter_mut().for_each(|p| *p /= n);
                values[start + j] = crate::score::argmax(row) as f64;
            }
        });
        Some(k)
    }
}

/// `sums += xs`, element by element.
fn add(sums: &mut [f64], xs: &[f64]) {
    for (s, x) in sums.iter_mut().zip(xs) {
        *s += x;
    }
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
            if self.soft_voting && t.distribution.iter().any(|d| !d.is_finite()) {
                return Err(bad("forest leaf distribution is not finite"));
            }
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        if self.soft_voting {
            return self.predict_soft(x);
        }
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
        if self.soft_voting {
            return self.predict_soft_batch(data, cols, values, probabilities);
        }
        let k = self.n_classes;
        let rows = data.len() / cols.max(1);
        values.resize(rows, 0.0);
        probabilities.resize(rows * k, 0.0);
        let flats: Vec<flat::FlatTree> = self.trees.iter().map(TreeModel::flat).collect();
        let mut leaves = vec![0u32; flat::TILE];
        let mut votes = vec![0usize; flat::TILE * k];
        flat::blocks(data, cols, flat::TILE, |start, block, n| {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A stump on feature 0 at 0.5 whose leaves hold `lo` and `hi` as class frequencies.
    fn stump(lo: [f64; 2], hi: [f64; 2]) -> TreeModel {
        TreeModel {
            feature: vec![0, 0, 0],
            threshold: vec![0.5, 0.0, 0.0],
            left: vec![1, -1, -1],
            right: vec![2, -1, -1],
            class: vec![0, usize::from(lo[1] > lo[0]), usize::from(hi[1] > hi[0])],
            distribution: [[0.0, 0.0], lo, hi].concat(),
            n_classes: 2,
            missing: None,
        }
    }

    fn forest(soft_voting: bool) -> ForestModel {
        ForestModel {
            trees: vec![
                stump([0.9, 0.1], [0.4, 0.6]),
                stump([0.8, 0.2], [0.45, 0.55]),
                stump([0.3, 0.7], [0.0, 1.0]),
            ],
            n_classes: 2,
            soft_voting,
        }
    }

    #[test]
    fn soft_voting_averages_the_leaves_and_votes_count_them() {
        let soft = forest(true).predict(&[0.0]).unwrap();
        assert_eq!(soft.value, 0.0);
        let want = [(0.9 + 0.8 + 0.3) / 3.0, (0.1 + 0.2 + 0.7) / 3.0];
        for (p, w) in soft.probabilities.iter().zip(want) {
            assert!((p - w).abs() < 1e-15, "{p} vs {w}");
        }
        // two trees of three vote 0 there; on the right every tree says 1
        let hard = forest(false).predict(&[0.0]).unwrap();
        assert_eq!(hard.probabilities, vec![2.0 / 3.0, 1.0 / 3.0]);
        assert_eq!(forest(true).predict(&[1.0]).unwrap().value, 1.0);
    }

    #[test]
    fn soft_voting_scores_a_batch_as_row_by_row_bit_for_bit() {
        let m = forest(true);
        let data: Vec<f64> = (0..300).map(|i| f64::from(i % 7) / 6.0).collect();
        let (mut values, mut probabilities) = (Vec::new(), Vec::new());
        assert_eq!(
            m.predict_batch_into(&data, 1, &mut values, &mut probabilities),
            Some(2)
        );
        for (i, x) in data.iter().enumerate() {
            let one = m.predict(&[*x]).unwrap();
            assert_eq!(one.value, values[i]);
            assert_eq!(one.probabilities, probabilities[i * 2..i * 2 + 2]);
        }
    }

    #[test]
    fn batches_of_many_blocks_score_as_row_by_row_bit_for_bit() {
        let rows = 1_003; // 7 tiles of 128 rows and a short one
        let data: Vec<f64> = (0..rows).map(|i| ((i * 37) % 101) as f64 / 100.0).collect();
        for soft in [false, true] {
            let m = forest(soft);
            let (mut values, mut probabilities) = (Vec::new(), Vec::new());
            m.predict_batch_into(&data, 1, &mut values, &mut probabilities);
            for (i, x) in data.iter().enumerate() {
                let one = m.predict(&[*x]).unwrap();
                assert_eq!(one.value, values[i], "row {i}");
                assert_eq!(
                    one.probabilities,
                    probabilities[i * 2..i * 2 + 2],
                    "row {i}"
                );
            }
        }
    }

    #[test]
    fn the_field_is_written_only_when_true() {
        let hard = serde_json::to_string(&forest(false)).unwrap();
        assert!(!hard.contains("soft_voting"), "{hard}");
        let back: ForestModel = serde_json::from_str(&hard).unwrap();
        assert!(!back.soft_voting);
        let soft = serde_json::to_string(&forest(true)).unwrap();
        assert!(soft.contains("\"soft_voting\":true"), "{soft}");
        assert_eq!(
            serde_json::from_str::<ForestModel>(&soft).unwrap(),
            forest(true)
        );
        let mut nan = forest(true);
        nan.trees[1].distribution[3] = f64::NAN;
        assert!(nan.validate(1).is_err());
    }
}
