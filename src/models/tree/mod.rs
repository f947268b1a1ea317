//! Decision trees: yes/no questions on one feature at a time, down to a leaf that names a
//! class. Grown on the histogram machinery the three tree families share
//! ([`crate::models`]' `hist`, see `fit.rs`), stored as flat node arrays ([`TreeModel`]),
//! which the forest's trees share, and scored in batches by [`flat`]'s block walk. Boosting's
//! ensembles of trees of at most 64 leaves are scored without a walk: sixteen rows at a time
//! by `rapid.rs`, row by row by `quick.rs`.
//!
//! The artifact kept its shape when linfa-trees gave way to the histogram trees: a tree
//! trained before still loads and scores as it did (`x < threshold` goes left). A tree
//! trained on rows with missing values adds one optional array, `missing` (the child a NaN
//! goes to, learned per split as boosting's), absent otherwise.

#[cfg(feature = "train")]
pub(crate) mod fit;
pub(crate) mod flat;
pub(crate) mod quick;
pub(crate) mod rapid;

use serde::{Deserialize, Serialize};

use super::{bad, family_params, param_words, Family, ParamType, Predict, Tasks};
use crate::score::{Prediction, Result, Task};

param_words! {
    /// How a split is scored (the tree's and the forest's `criterion`).
    pub enum Criterion {
        /// Gini impurity.
        Gini = "gini",
        /// Entropy (information gain).
        Entropy = "entropy",
    }
}

family_params! {
    /// Hyperparameters of a decision tree.
    pub struct TreeParams {
        /// split quality
        pub criterion: Criterion = Criterion::Gini, ParamType::Choice(Criterion::WORDS);
        /// maximum depth; 0 means unlimited
        pub max_depth: u64 = 0, ParamType::Int { min: 0, max: 1_000 };
        /// rows a node needs to be split
        pub min_samples_split: f64 = 2.0, ParamType::at_least(1.0);
        /// rows each child of a split needs
        pub min_samples_leaf: f64 = 1.0, ParamType::at_least(1.0);
        /// impurity decrease a split needs
        pub min_impurity_decrease: f64 = 0.00001, ParamType::at_least(0.0);
    }
}

/// The `tree` kind.
#[derive(Debug)]
pub struct Tree;

impl Family for Tree {
    const ABOUT: &'static str = "A flowchart of yes/no questions on the inputs: readable, quick to score, and prone to overfit when deep.";
    const TASKS: Tasks = Tasks::CLASSIFICATION;
    type Params = TreeParams;
    type Fitted = TreeModel;
}

/// A decision tree as node arrays; node 0 is the root. A row goes left when
/// `x[feature] < threshold`, else right — but for a missing (NaN) value, which goes to
/// `missing[node]` when the tree learned where missing values go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeModel {
    /// Split feature per node (unused for leaves).
    pub feature: Vec<usize>,
    /// Split threshold per node (unused for leaves).
    pub threshold: Vec<f64>,
    /// Left child per node; `-1` for leaves.
    pub left: Vec<i64>,
    /// Right child per node; `-1` for leaves.
    pub right: Vec<i64>,
    /// Predicted class per node (meaningful for leaves).
    pub class: Vec<usize>,
    /// Class probabilities per node, `nodes × k` row-major: the class frequencies of the
    /// training rows that reach each leaf (zeros for internal nodes).
    pub distribution: Vec<f64>,
    /// Number of classes.
    pub n_classes: usize,
    /// The child a missing (NaN) value goes to, per node (`-1` for leaves): present only
    /// when the tree was trained on rows with missing values, each split then having
    /// learned its side (see `models/hist`). Absent, a missing value goes right (NaN is not
    /// less than any threshold), as every tree trained before scored it, so their
    /// artifacts stay as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<i64>>,
}

impl TreeModel {
    /// The leaf `x` reaches.
    pub(crate) fn leaf(&self, x: &[f64]) -> Result<usize> {
        let mut node = 0usize;
        // A well-formed tree reaches a leaf within `nodes` steps; bound the walk so that a
        // corrupted artifact with a cycle is an error, not a hang.
        for _ in 0..=self.left.len() {
            let l = *self
                .left
                .get(node)
                .ok_or_else(|| bad("tree child out of range"))?;
            if l < 0 {
                return Ok(node);
            }
            let f = self.feature[node];
            let v = *x.get(f).ok_or_else(|| bad("tree feature out of range"))?;
            node = match &self.missing {
                Some(m) if v.is_nan() => m[node].max(0) as usize,
                _ if v < self.threshold[node] => l as usize,
                _ => self.right[node].max(0) as usize,
            };
        }
        Err(bad("tree has a cycle"))
    }

    /// Checks the node arrays: equal lengths, children after their parents, leaf classes
    /// in range, a missing value's child one of the node's two.
    pub(crate) fn check_nodes(&self) -> Result<()> {
        let n = self.left.len();
        if n == 0
            || self.right.len() != n
            || self.feature.len() != n
            || self.threshold.len() != n
            || self.class.len() != n
            || n.checked_mul(self.n_classes) != Some(self.distribution.len())
            || self.missing.as_ref().is_some_and(|m| m.len() != n)
        {
            return Err(bad("tree arrays have different lengths"));
        }
        for i in 0..n {
            let (l, r) = (self.left[i], self.right[i]);
            // Children come after their parent, so every walk ends at a leaf.
            if (l < 0) != (r < 0)
                || l >= n as i64
                || r >= n as i64
                || (l >= 0 && (l <= i as i64 || r <= i as i64))
            {
                return Err(bad("tree child index out of range"));
            }
            if l < 0 && self.class[i] >= self.n_classes {
                return Err(bad("tree leaf class out of range"));
            }
            if let Some(m) = &self.missing {
                if (l < 0 && m[i] >= 0) || (l >= 0 && m[i] != l && m[i] != r) {
                    return Err(bad(
                        "tree missing-value child is not one of the node's children",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether a split reads a feature at or past `p`.
    pub(crate) fn reads_past(&self, p: usize) -> bool {
        self.feature
            .iter()
            .zip(&self.left)
            .any(|(&f, &l)| l >= 0 && f >= p)
    }

    /// One past the largest feature index any node holds.
    pub(crate) fn width(&self) -> usize {
        self.feature.iter().copied().max().map_or(0, |f| f + 1)
    }
}

impl Predict for TreeModel {
    fn task(&self) -> Task {
        Task::Classification
    }

    fn n_outputs(&self) -> usize {
        self.n_classes
    }

    fn n_features(&self) -> usize {
        self.width()
    }

    fn accepts_wider_rows(&self) -> bool {
        true
    }

    fn validate(&self, p: usize) -> Result<()> {
        self.check_nodes()?;
        if self.reads_past(p) {
            return Err(bad("tree feature index out of range"));
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        let leaf = self.leaf(x)?;
        let k = self.n_classes;
        Ok(Prediction {
            value: self.class[leaf] as f64,
            probabilities: self.distribution[leaf * k..(leaf + 1) * k].to_vec(),
        })
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
        let flat = self.flat();
        let mut leaves = [0u32; flat::BLOCK];
        flat::blocks(data, cols, flat::BLOCK, |start, block, n| {
            flat.leaves(block, cols, &mut leaves[..n]);
            for (j, &leaf) in leaves[..n].iter().enumerate() {
                let leaf = leaf as usize;
                values[start + j] = self.class[leaf] as f64;
                probabilities[(start + j) * k..(start + j + 1) * k]
                    .copy_from_slice(&self.distribution[leaf * k..(leaf + 1) * k]);
            }
        });
        Some(k)
    }
}

impl TreeModel {
    /// The tree laid out for batch walks.
    pub(crate) fn flat(&self) -> flat::FlatTree {
        flat::FlatTree::new(
            &self.feature,
            &self.threshold,
            &self.left,
            &self.right,
            self.missing.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupted_tree_is_rejected() {
        let t = TreeModel {
            feature: vec![0],
            threshold: vec![0.0],
            left: vec![0],
            right: vec![0],
            class: vec![0],
            distribution: vec![1.0],
            n_classes: 1,
            missing: None,
        };
        assert!(crate::score::Model::Tree(t).validate(1).is_err());
    }
}
