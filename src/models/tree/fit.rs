//! Fitting decision trees through linfa-trees, and flattening linfa's tree into
//! [`TreeModel`]'s node arrays (the forest flattens its trees the same way).
//!
//! # Reproducible through a patched linfa-trees
//!
//! linfa-trees 0.8.1 as published keeps the class weights of each side of a candidate split
//! in a `std::collections::HashMap<label, f32>`, whose iteration order is random per map.
//! The Gini impurity and the entropy sum their `f32` terms in that order, so with three or
//! more classes two candidate splits whose scores differ by an ulp (common with tied
//! thresholds in small tables such as iris) swapped places from run to run, and a leaf with
//! tied classes predicted whichever came first in the map. Nothing beside linfa reaches
//! that order, so the workspace patches linfa-trees (`vendor/linfa-trees`, see
//! `vendor/README.md`) to keep those maps ordered by label. The forest's bootstraps and
//! feature subsets are seeded (`new_fixed_rng`), so with the patch the same table, params
//! and seed give the same tree and forest every run (`tests/reproducible.rs`).

use linfa::prelude::*;
use linfa::traits::Fit;
use ndarray::{Array1, Array2};

use super::{Criterion, Tree, TreeModel, TreeParams};
use crate::models::fit::classes_only;
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, TrainError};

impl Trainer for Tree {
    fn fit(
        params: &TreeParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(TreeModel, Box<dyn Reference>), TrainError> {
        let x = data.x;
        let (yi, k) = data.classes()?;
        let ds = DatasetBase::new(x.view(), Array1::from(yi.to_vec()));
        let fitted = linfa_params(params.criterion, params.max_depth, Some(params))
            .fit(&ds)
            .map_err(|e| data.error(e))?;
        let all: Vec<usize> = (0..x.ncols()).collect();
        let model = extract_tree(&fitted, &all, x, yi, k);
        progress(Progress::fitted(None));
        Ok((model, Box::new(Linfa(fitted))))
    }
}

struct Linfa(linfa_trees::DecisionTree<f64, usize>);

impl Reference for Linfa {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        classes_only(self.0.predict(x))
    }
}

/// linfa's tree parameters: the split quality, the depth, and the split limits of `limits`
/// (the forest leaves linfa's own).
pub(crate) fn linfa_params(
    criterion: Criterion,
    max_depth: u64,
    limits: Option<&TreeParams>,
) -> linfa_trees::DecisionTreeParams<f64, usize> {
    let depth = max_depth as usize;
    let quality = match criterion {
        Criterion::Entropy => linfa_trees::SplitQuality::Entropy,
        Criterion::Gini => linfa_trees::SplitQuality::Gini,
    };
    let mut t = linfa_trees::DecisionTree::params()
        .split_quality(quality)
        .max_depth((depth > 0).then_some(depth));
    if let Some(l) = limits {
        t = t
            .min_weight_split(l.min_samples_split as f32)
            .min_weight_leaf(l.min_samples_leaf as f32)
            .min_impurity_decrease(l.min_impurity_decrease);
    }
    t
}

/// Flattens a linfa tree into node arrays (pre-order, children after parents), mapping
/// feature indices through `features`, with leaf class frequencies from `x`/`y`.
pub(crate) fn extract_tree(
    tree: &linfa_trees::DecisionTree<f64, usize>,
    features: &[usize],
    x: &Array2<f64>,
    y: &[usize],
    k: usize,
) -> TreeModel {
    let mut t = TreeModel {
        feature: Vec::new(),
        threshold: Vec::new(),
        left: Vec::new(),
        right: Vec::new(),
        class: Vec::new(),
        distribution: Vec::new(),
        n_classes: k,
    };
    // (node, slot in parent to patch: parent index and whether it is the left child)
    type Pending<'t> = (&'t linfa_trees::TreeNode<f64, usize>, Option<(usize, bool)>);
    let mut stack: Vec<Pending<'_>> = vec![(tree.root_node(), None)];
    while let Some((node, parent)) = stack.pop() {
        let id = t.left.len();
        if let Some((pid, is_left)) = parent {
            if is_left {
                t.left[pid] = id as i64;
            } else {
                t.right[pid] = id as i64;
            }
        }
        let (f, thr, _) = node.split();
        match node.prediction() {
            Some(class) => {
                t.feature.push(0);
                t.threshold.push(0.0);
                t.left.push(-1);
                t.right.push(-1);
                t.class.push(class);
            }
            None => {
                t.feature.push(features.get(f).copied().unwrap_or(f));
                t.threshold.push(thr);
                t.left.push(-1);
                t.right.push(-1);
                t.class.push(0);
                let children = node.children();
                // Push right first so that left gets the next id (pre-order).
                if let Some(r) = children[1] {
                    stack.push((r, Some((id, false))));
                }
                if let Some(l) = children[0] {
                    stack.push((l, Some((id, true))));
                }
            }
        }
    }
    // A node with only one child never happens in linfa; guard so the arrays stay valid.
    for i in 0..t.left.len() {
        if (t.left[i] < 0) != (t.right[i] < 0) {
            let child = t.left[i].max(t.right[i]);
            t.left[i] = child;
            t.right[i] = child;
        }
    }
    // Leaf class frequencies of the training rows.
    let n = t.left.len();
    let mut counts = vec![0.0; n * k];
    let full: Vec<f64> = vec![0.0; features.iter().copied().max().map_or(0, |m| m + 1)];
    let mut row = full;
    for (i, xi) in x.rows().into_iter().enumerate() {
        for (j, &f) in features.iter().enumerate() {
            row[f] = xi[j];
        }
        let mut node = 0usize;
        while t.left[node] >= 0 {
            node = if row[t.feature[node]] < t.threshold[node] {
                t.left[node] as usize
            } else {
                t.right[node] as usize
            };
        }
        counts[node * k + y[i]] += 1.0;
    }
    for node in 0..n {
        let total: f64 = counts[node * k..(node + 1) * k].iter().sum();
        if total > 0.0 {
            for c in 0..k {
                counts[node * k + c] /= total;
            }
        } else if t.left[node] < 0 {
            counts[node * k + t.class[node].min(k - 1)] = 1.0;
        }
    }
    t.distribution = counts;
    t
}
