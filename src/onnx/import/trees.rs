//! Tree ensembles: ONNX-ML's node lists onto driftlab's tree, forest and boosting families
//! (`svm.rs` reads the SVMs; [`remap`] serves both).
//!
//! # Which family
//!
//! | ONNX | driftlab |
//! | --- | --- |
//! | TreeEnsembleRegressor (SUM or AVERAGE, post NONE), TreeEnsemble (ai.onnx.ml 5, the same) | `boosting` regressor: base value + leaves (AVERAGE: leaves ÷ trees) |
//! | TreeEnsembleClassifier, two classes, post LOGISTIC | `boosting` binary: σ(base + leaves) |
//! | TreeEnsembleClassifier, k classes, post SOFTMAX, each tree one class | `boosting` multiclass (trees ordered iteration by class, a zero stump where a class has fewer) |
//! | TreeEnsembleClassifier, one tree, post NONE | `tree`: the leaf's class weights are its distribution |
//! | TreeEnsembleClassifier, several trees, post NONE (scikit-learn's random forest, extra trees) | `forest` with soft voting: the leaves' weights (each tree's frequencies ÷ trees, which onnxruntime sums in f32) times the number of trees are each tree's distribution, averaged back in f64 |
//!
//! Two classes whose weights all name class 0 are onnxruntime's binary case: the sum `s`
//! is class 1's probability, output `[1 − s, s]` (skl2onnx writes trees and forests so;
//! before the forests were read, a one-tree binary classifier was read as `[s, 1 − s]`,
//! which no fixture covered). Weights that all name class 1 are refused: onnxruntime then
//! gives class 0 the probability 0.
//!
//! # Thresholds
//!
//! driftlab's trees send a row left when `x < t` (f64). ONNX-ML compares the input cast to
//! `f32` with an `f32` threshold, `x <= t` (BRANCH_LEQ, scikit-learn and LightGBM) or
//! `x < t` (BRANCH_LT, XGBoost). For every f32 threshold there is one f64 `T` such that
//! `(f32) x < t` exactly when `x < T` for every f64 `x`: the midpoint between `t` and the
//! f32 below it, or the f64 just above that midpoint when rounding to nearest-even sends
//! the midpoint down ([`lt_threshold`]); `x <= t` is `x < next_f32(t)`. So a split on a raw
//! input takes the side onnxruntime takes, on every value, with the scorer unchanged.
//! (A split on a scaled input compares driftlab's f64 scaling with onnxruntime's f32
//! scaling: a value within an f32 rounding of a threshold can go the other way.)
//!
//! # Limits
//!
//! A tree's nodes are renumbered breadth-first from its root (the node no other node
//! points at), so children come after their parents as the scorer needs; a node id out of
//! range, a node reached twice (a cycle or a shared child) or a tree deeper than
//! [`MAX_DEPTH`] is refused, naming the tree and the node.

use std::collections::HashMap;

use super::build::{class_labels, unsupported_pub as unsupported, Feat, Found, Out};
use super::graph::Node;
use super::ImportError;
use crate::models::boosting::{BoostedTree, BoostingModel};
use crate::models::forest::ForestModel;
use crate::score::{Model, TreeModel};

/// The deepest tree read (scikit-learn's deepest trees on large tables reach a few dozen
/// levels; LightGBM's 31 leaves at most 30).
pub const MAX_DEPTH: usize = 256;

/// The f64 `T` with `(f32) x < t ⇔ x < T` for every f64 `x` (see the module docs).
pub(super) fn lt_threshold(t: f32) -> f64 {
    let below = next_down(t);
    if below == f32::NEG_INFINITY {
        // t = −f32::MAX: below it is only −∞, which x rounds to from the midpoint
        // −(MAX + half an ulp) down (the midpoint itself rounds to the even −2^128, i.e. −∞)
        let half_ulp = f64::from(f32::MAX - next_down(f32::MAX)) / 2.0;
        return next_up_f64(-(f64::from(f32::MAX) + half_ulp));
    }
    let mid = (f64::from(below) + f64::from(t)) / 2.0;
    if below.to_bits() & 1 == 0 {
        // the midpoint rounds to `below` (even): it is < t too
        next_up_f64(mid)
    } else {
        mid
    }
}

/// The f64 `T` with `(f32) x <= t ⇔ x < T`.
pub(super) fn leq_threshold(t: f32) -> f64 {
    let up = next_up(t);
    if up == f32::INFINITY {
        // (f32) x <= f32::MAX unless x rounds to +∞: below MAX + half an ulp
        return f64::from(f32::MAX) + f64::from(f32::MAX - next_down(f32::MAX)) / 2.0;
    }
    lt_threshold(up)
}

/// The next f32 towards −∞ (`f32::next_down`, stable after the crate's MSRV), for finite `t`.
fn next_down(t: f32) -> f32 {
    -next_up(-t)
}

/// The next f32 towards +∞, for finite `t`.
fn next_up(t: f32) -> f32 {
    let bits = t.to_bits();
    if t == 0.0 {
        f32::from_bits(1) // the smallest positive subnormal, from +0 and −0
    } else if t > 0.0 {
        f32::from_bits(bits + 1)
    } else {
        f32::from_bits(bits - 1)
    }
}

/// The next f64 towards +∞, for finite `x`.
fn next_up_f64(x: f64) -> f64 {
    let bits = x.to_bits();
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(bits + 1)
    } else {
        f64::from_bits(bits - 1)
    }
}

/// One ONNX node of a tree ensemble, before renumbering.
#[derive(Clone, Copy)]
struct Raw {
    feature: usize,
    /// The comparison, as driftlab's: go to `lo` when `x < threshold`, else `hi`.
    threshold: f64,
    lo: i64,
    hi: i64,
    /// Where NaN goes (an ONNX id).
    missing: i64,
    leaf: bool,
}

/// A tree renumbered breadth-first: node arrays and, per new index, the old id.
struct Walked {
    feature: Vec<usize>,
    threshold: Vec<f64>,
    left: Vec<i64>,
    right: Vec<i64>,
    missing: Vec<i64>,
    old: Vec<i64>,
}

/// Reads a TreeEnsembleClassifier / TreeEnsembleRegressor, or the TreeEnsemble of
/// ai.onnx.ml 5 (as a regressor).
pub(super) fn ensemble(
    node: &Node<'_>,
    feats: Vec<Feat>,
) -> Result<(Found, Vec<Out>), ImportError> {
    let classifier = node.op == "TreeEnsembleClassifier";
    let p = feats.len();
    let v5 = node.op == "TreeEnsemble";
    let Parsed {
        trees,
        tree_at,
        w_trees,
        w_nodes,
        w_ids,
        w_values,
    } = if v5 {
        parse_v5(node, p)?
    } else {
        parse_legacy(node, p, classifier)?
    };
    let walked: Vec<Walked> = trees
        .iter()
        .map(|(id, nodes)| walk(node, *id, nodes))
        .collect::<Result<_, _>>()?;
    let m = w_trees.len();
    if w_nodes.len() != m || w_ids.len() != m || w_values.len() != m {
        return Err(node.bad("the class_* / target_* attributes have different lengths"));
    }
    let classes = if classifier {
        class_labels(node)?
    } else {
        Vec::new()
    };
    let outputs = if classifier {
        classes.len()
    } else {
        usize::try_from(node.int("n_targets", 1)).unwrap_or(0)
    };
    if classifier && outputs < 2 {
        return Err(node.bad("a classifier needs at least two class labels"));
    }
    if !classifier && outputs != 1 {
        return Err(unsupported(
            node,
            "a regressor of several targets; one is read",
        ));
    }
    let mut weights: HashMap<(usize, i64), Vec<(usize, f64)>> = HashMap::new();
    for j in 0..m {
        let slot = *tree_at.get(&w_trees[j]).ok_or_else(|| {
            node.bad(format!(
                "a leaf weight names tree {}, which has no nodes",
                w_trees[j]
            ))
        })?;
        if !trees[slot].1.get(&w_nodes[j]).is_some_and(|r| r.leaf) {
            return Err(node.bad(format!(
                "a leaf weight names node {} of tree {}, which is not a leaf",
                w_nodes[j], w_trees[j]
            )));
        }
        let out = usize::try_from(w_ids[j])
            .ok()
            .filter(|&o| o < outputs.max(1))
            .ok_or_else(|| {
                node.bad(format!("leaf weight for output {}, of {outputs}", w_ids[j]))
            })?;
        weights
            .entry((slot, w_nodes[j]))
            .or_default()
            .push((out, w_values[j]));
    }
    let base = node.floats("base_values")?;
    let post = if v5 {
        match node.int("post_transform", 0) {
            0 => "NONE".to_owned(),
            1 => "SOFTMAX".to_owned(),
            2 => "LOGISTIC".to_owned(),
            other => format!("{other}"),
        }
    } else {
        node.string("post_transform", "NONE")?
    };
    let targets_of = |slot: usize| -> Vec<usize> {
        let mut t: Vec<usize> = weights
            .iter()
            .filter(|((s, _), _)| *s == slot)
            .flat_map(|(_, v)| v.iter().map(|(o, _)| *o))
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    };
    let leaf_value = |slot: usize, old: i64, out: usize| -> f64 {
        weights.get(&(slot, old)).map_or(0.0, |v| {
            v.iter().filter(|(o, _)| *o == out).map(|(_, w)| w).sum()
        })
    };
    let boosted = |slot: usize, w: &Walked, out: usize, scale: f64| BoostedTree {
        feature: w.feature.clone(),
        threshold: w.threshold.clone(),
        left: w.left.clone(),
        right: w.right.clone(),
        missing: w.missing.clone(),
        value: w
            .old
            .iter()
            .zip(&w.left)
            .map(|(&old, &l)| {
                if l < 0 {
                    leaf_value(slot, old, out) / scale
                } else {
                    0.0
                }
            })
            .collect(),
    };
    let importance = |trees: &[BoostedTree]| {
        let mut counts = vec![0.0; p];
        for t in trees {
            for (f, l) in t.feature.iter().zip(&t.left) {
                if *l >= 0 {
                    counts[*f] += 1.0;
                }
            }
        }
        let total: f64 = counts.iter().sum();
        if total > 0.0 {
            counts.iter_mut().for_each(|c| *c /= total);
        }
        counts
    };
    let base_of = |i: usize| base.get(i).copied().unwrap_or(0.0);
    let finish = |model: Model, outs: Vec<Out>| {
        Ok((
            Found {
                model,
                feats: feats.clone(),
                classes: classes.clone(),
            },
            outs,
        ))
    };
    if !classifier {
        let aggregate = if v5 {
            match node.int("aggregate_function", 1) {
                0 => "AVERAGE".to_owned(),
                1 => "SUM".to_owned(),
                2 => "MIN".to_owned(),
                _ => "MAX".to_owned(),
            }
        } else {
            node.string("aggregate_function", "SUM")?
        };
        let scale = match aggregate.as_str() {
            "SUM" => 1.0,
            "AVERAGE" => walked.len() as f64,
            other => {
                return Err(unsupported(
                    node,
                    &format!("aggregate_function {other}; SUM and AVERAGE are read"),
                ))
            }
        };
        if post != "NONE" {
            return Err(unsupported(
                node,
                "a regressor's post_transform must be NONE",
            ));
        }
        if base.len() > 1 {
            return Err(node.bad("several base values for one target"));
        }
        let trees: Vec<BoostedTree> = walked
            .iter()
            .enumerate()
            .map(|(s, w)| boosted(s, w, 0, scale))
            .collect();
        let model = BoostingModel {
            n_features: p,
            n_classes: 0,
            base_score: vec![base_of(0)],
            learning_rate: 1.0,
            importance: importance(&trees),
            trees,
        };
        return finish(Model::Boosting(model), vec![Out::Value]);
    }
    let k = outputs;
    match post.as_str() {
        "LOGISTIC" if k == 2 => {
            let ids: Vec<usize> = (0..walked.len()).flat_map(targets_of).collect();
            if ids.iter().any(|&o| o != ids[0]) {
                return Err(unsupported(
                    node,
                    "a two-class ensemble whose leaves score both classes under LOGISTIC",
                ));
            }
            let out = ids.first().copied().unwrap_or(0);
            let trees: Vec<BoostedTree> = walked
                .iter()
                .enumerate()
                .map(|(s, w)| boosted(s, w, out, 1.0))
                .collect();
            // onnxruntime's binary case: the score s of the one class with weights is
            // class 1's logit (labels [−s, s] before the sigmoid)
            let model = BoostingModel {
                n_features: p,
                n_classes: 2,
                base_score: vec![base_of(0)],
                learning_rate: 1.0,
                importance: importance(&trees),
                trees,
            };
            finish(Model::Boosting(model), vec![Out::Label, Out::Probs])
        }
        "SOFTMAX" if k > 2 => {
            // each tree scores one class; order them iteration by class
            let mut per_class: Vec<Vec<BoostedTree>> = vec![Vec::new(); k];
            for (s, w) in walked.iter().enumerate() {
                match targets_of(s)[..] {
                    [c] => per_class[c].push(boosted(s, w, c, 1.0)),
                    [] => {}
                    _ => {
                        return Err(unsupported(
                            node,
                            "a tree that scores several classes under SOFTMAX; read are boosted ensembles with one class per tree",
                        ))
                    }
                }
            }
            let rounds = per_class.iter().map(Vec::len).max().unwrap_or(0);
            let stump = || BoostedTree {
                feature: vec![0],
                threshold: vec![0.0],
                left: vec![-1],
                right: vec![-1],
                missing: vec![-1],
                value: vec![0.0],
            };
            let mut trees = Vec::with_capacity(rounds * k);
            let mut iters: Vec<std::vec::IntoIter<BoostedTree>> =
                per_class.into_iter().map(Vec::into_iter).collect();
            for _ in 0..rounds {
                for it in iters.iter_mut() {
                    trees.push(it.next().unwrap_or_else(stump));
                }
            }
            let model = BoostingModel {
                n_features: p,
                n_classes: k,
                base_score: (0..k).map(base_of).collect(),
                learning_rate: 1.0,
                importance: importance(&trees),
                trees,
            };
            finish(Model::Boosting(model), vec![Out::Label, Out::Probs])
        }
        "NONE" if base.iter().all(|&b| b == 0.0) => {
            // scikit-learn's trees and forests: a leaf's weights are its class frequencies,
            // a forest's already divided by its number of trees (onnxruntime sums them)
            let n = walked.len() as f64;
            let ids: Vec<usize> = (0..walked.len()).flat_map(targets_of).collect();
            // onnxruntime's binary case: one class named by every weight, its sum s is
            // class 1's probability, written [1 − s, s] (when the one class is 1, [0, s])
            let positive_only = k == 2 && ids.iter().all(|&o| o == ids[0]);
            if positive_only && ids.first() == Some(&1) {
                return Err(unsupported(
                    node,
                    "two classes whose weights all name class 1 without a post-transform (onnxruntime then gives class 0 the probability 0); skl2onnx names class 0",
                ));
            }
            let mut trees = Vec::with_capacity(walked.len());
            for (slot, w) in walked.iter().enumerate() {
                let mut distribution = Vec::with_capacity(w.old.len() * k);
                let mut class = Vec::with_capacity(w.old.len());
                for (&old, &l) in w.old.iter().zip(&w.left) {
                    // each tree's frequencies, undone from the forest's division by n
                    let mut d: Vec<f64> = if l >= 0 {
                        vec![0.0; k]
                    } else if positive_only {
                        let v = leaf_value(slot, old, 0) * n;
                        vec![1.0 - v, v]
                    } else {
                        (0..k).map(|c| leaf_value(slot, old, c) * n).collect()
                    };
                    if d.iter().any(|v| !v.is_finite() || *v < 0.0) {
                        return Err(unsupported(
                            node,
                            "trees whose leaves hold negative or non-finite class weights without a post-transform",
                        ));
                    }
                    class.push(crate::score::argmax(&d));
                    distribution.append(&mut d);
                }
                trees.push(TreeModel {
                    feature: w.feature.clone(),
                    threshold: w.threshold.clone(),
                    left: w.left.clone(),
                    right: w.right.clone(),
                    class,
                    distribution,
                    n_classes: k,
                    missing: None,
                });
            }
            let model = if trees.len() == 1 {
                Model::Tree(trees.remove(0))
            } else {
                // scikit-learn's random forest / extra trees: the mean of the leaves'
                // frequencies (soft voting)
                Model::Forest(ForestModel {
                    trees,
                    n_classes: k,
                    soft_voting: true,
                })
            };
            finish(model, vec![Out::Label, Out::Probs])
        }
        other => Err(unsupported(
            node,
            &format!(
                "{k} classes with post_transform {other}; read are two classes with LOGISTIC, more with SOFTMAX, and NONE with class frequencies in the leaves (trees, forests)"
            ),
        )),
    }
}

/// The trees and leaf weights of an ensemble, before renumbering: per tree its id and its
/// nodes by id; the leaf weights as (tree id, node id, output, weight) columns.
struct Parsed {
    trees: Vec<(i64, HashMap<i64, Raw>)>,
    tree_at: HashMap<i64, usize>,
    w_trees: Vec<i64>,
    w_nodes: Vec<i64>,
    w_ids: Vec<i64>,
    w_values: Vec<f64>,
}

/// The nodes of a split mode: the driftlab threshold and which ONNX child is `x < T`.
fn split(mode: &str, t: f32, yes: i64, no: i64) -> Option<(f64, i64, i64)> {
    Some(match mode {
        "BRANCH_LEQ" => (leq_threshold(t), yes, no),
        "BRANCH_LT" => (lt_threshold(t), yes, no),
        "BRANCH_GTE" => (lt_threshold(t), no, yes),
        "BRANCH_GT" => (leq_threshold(t), no, yes),
        _ => return None,
    })
}

/// TreeEnsembleClassifier / TreeEnsembleRegressor (ai.onnx.ml 1–4): `nodes_*` lists keyed
/// by tree and node id.
fn parse_legacy(node: &Node<'_>, p: usize, classifier: bool) -> Result<Parsed, ImportError> {
    let tree_ids = node.ints("nodes_treeids");
    let node_ids = node.ints("nodes_nodeids");
    let features = node.ints("nodes_featureids");
    let modes = node.strings("nodes_modes")?;
    let values = node.floats("nodes_values")?;
    let trues = node.ints("nodes_truenodeids");
    let falses = node.ints("nodes_falsenodeids");
    let tracks = node.ints("nodes_missing_value_tracks_true");
    let n = tree_ids.len();
    if [
        node_ids.len(),
        features.len(),
        modes.len(),
        trues.len(),
        falses.len(),
    ]
    .iter()
    .any(|&l| l != n)
        || (values.len() != n && !values.is_empty())
        || (!tracks.is_empty() && tracks.len() != n)
    {
        return Err(node.bad("the nodes_* attributes have different lengths"));
    }
    if n == 0 {
        return Err(node.bad("the ensemble has no nodes"));
    }
    // per tree: id → raw node
    let mut trees: Vec<(i64, HashMap<i64, Raw>)> = Vec::new();
    let mut tree_at: HashMap<i64, usize> = HashMap::new();
    for i in 0..n {
        let leaf = modes[i] == "LEAF";
        let f = features[i];
        let feature = usize::try_from(f)
            .ok()
            .filter(|&f| f < p || leaf)
            .ok_or_else(|| {
                node.bad(format!(
                    "tree {} node {} splits on feature {f}, outside the {p} features",
                    tree_ids[i], node_ids[i]
                ))
            })?;
        let t = values.get(i).copied().unwrap_or(0.0) as f32;
        let missing_true = tracks.get(i).copied().unwrap_or(0) != 0;
        let (threshold, lo, hi) = match modes[i].as_str() {
            "LEAF" => (0.0, -1, -1),
            "BRANCH_LEQ" => (leq_threshold(t), trues[i], falses[i]),
            "BRANCH_LT" => (lt_threshold(t), trues[i], falses[i]),
            "BRANCH_GTE" => (lt_threshold(t), falses[i], trues[i]),
            "BRANCH_GT" => (leq_threshold(t), falses[i], trues[i]),
            other => {
                return Err(unsupported(
                    node,
                    &format!(
                        "node mode {other} (tree {} node {}); read are LEAF, BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT",
                        tree_ids[i], node_ids[i]
                    ),
                ))
            }
        };
        if !leaf && !t.is_finite() {
            return Err(node.bad(format!(
                "tree {} node {} has threshold {t}",
                tree_ids[i], node_ids[i]
            )));
        }
        let missing = if missing_true { trues[i] } else { falses[i] };
        let slot = *tree_at.entry(tree_ids[i]).or_insert_with(|| {
            trees.push((tree_ids[i], HashMap::new()));
            trees.len() - 1
        });
        let raw = Raw {
            feature: if leaf { 0 } else { feature },
            threshold,
            lo,
            hi,
            missing,
            leaf,
        };
        if trees[slot].1.insert(node_ids[i], raw).is_some() {
            return Err(node.bad(format!(
                "tree {} has node {} twice",
                tree_ids[i], node_ids[i]
            )));
        }
    }
    // leaf weights per (tree slot, old node id): (output, weight)
    let (w_trees, w_nodes, w_ids, w_values) = if classifier {
        (
            node.ints("class_treeids").to_vec(),
            node.ints("class_nodeids").to_vec(),
            node.ints("class_ids").to_vec(),
            node.floats("class_weights")?,
        )
    } else {
        (
            node.ints("target_treeids").to_vec(),
            node.ints("target_nodeids").to_vec(),
            node.ints("target_ids").to_vec(),
            node.floats("target_weights")?,
        )
    };
    Ok(Parsed {
        trees,
        tree_at,
        w_trees,
        w_nodes,
        w_ids,
        w_values,
    })
}

/// TreeEnsemble (ai.onnx.ml 5): nodes and leaves in separate arrays, `tree_roots` naming
/// each tree's first node. Renamed into the legacy form: node `i` keeps id `i`, leaf `j`
/// becomes id `nodes + j`, and each tree is the nodes reachable from its root.
fn parse_v5(node: &Node<'_>, p: usize) -> Result<Parsed, ImportError> {
    let roots = node.ints("tree_roots");
    let features = node.ints("nodes_featureids");
    let splits = node.floats("nodes_splits")?;
    let modes = node.floats("nodes_modes")?;
    let trues = node.ints("nodes_truenodeids");
    let falses = node.ints("nodes_falsenodeids");
    let true_leaf = node.ints("nodes_trueleafs");
    let false_leaf = node.ints("nodes_falseleafs");
    let tracks = node.ints("nodes_missing_value_tracks_true");
    let leaf_targets = node.ints("leaf_targetids");
    let leaf_weights = node.floats("leaf_weights")?;
    let n = features.len();
    if [
        splits.len(),
        modes.len(),
        trues.len(),
        falses.len(),
        true_leaf.len(),
        false_leaf.len(),
    ]
    .iter()
    .any(|&l| l != n)
        || (!tracks.is_empty() && tracks.len() != n)
        || leaf_targets.len() != leaf_weights.len()
    {
        return Err(node.bad("the nodes_* / leaf_* attributes have different lengths"));
    }
    let leaves = leaf_weights.len();
    let child = |i: usize, leaf: i64, id: i64| -> Result<i64, ImportError> {
        let (limit, base) = if leaf != 0 {
            (leaves, n as i64)
        } else {
            (n, 0)
        };
        usize::try_from(id)
            .ok()
            .filter(|&c| c < limit)
            .map(|c| base + c as i64)
            .ok_or_else(|| {
                node.bad(format!(
                    "node {i} points at {} {id}, which does not exist",
                    if leaf != 0 { "leaf" } else { "node" }
                ))
            })
    };
    let mut all: HashMap<i64, Raw> = HashMap::with_capacity(n + leaves);
    for i in 0..n {
        let mode = match modes[i] as i64 {
            0 => "BRANCH_LEQ",
            1 => "BRANCH_LT",
            2 => "BRANCH_GTE",
            3 => "BRANCH_GT",
            m => {
                return Err(unsupported(
                    node,
                    &format!("node mode {m} at node {i} (EQ, NEQ and MEMBER splits have no driftlab equivalent)"),
                ))
            }
        };
        let feature = usize::try_from(features[i])
            .ok()
            .filter(|&f| f < p)
            .ok_or_else(|| {
                node.bad(format!(
                    "node {i} splits on feature {}, outside the {p} features",
                    features[i]
                ))
            })?;
        let t = splits[i] as f32;
        if !t.is_finite() {
            return Err(node.bad(format!("node {i} has threshold {t}")));
        }
        let yes = child(i, true_leaf[i], trues[i])?;
        let no = child(i, false_leaf[i], falses[i])?;
        let (threshold, lo, hi) = split(mode, t, yes, no).ok_or_else(|| node.bad("mode"))?;
        let missing = if tracks.get(i).copied().unwrap_or(0) != 0 {
            yes
        } else {
            no
        };
        all.insert(
            i as i64,
            Raw {
                feature,
                threshold,
                lo,
                hi,
                missing,
                leaf: false,
            },
        );
    }
    for j in 0..leaves {
        all.insert(
            (n + j) as i64,
            Raw {
                feature: 0,
                threshold: 0.0,
                lo: -1,
                hi: -1,
                missing: -1,
                leaf: true,
            },
        );
    }
    let mut parsed = Parsed {
        trees: Vec::with_capacity(roots.len()),
        tree_at: HashMap::new(),
        w_trees: Vec::new(),
        w_nodes: Vec::new(),
        w_ids: Vec::new(),
        w_values: Vec::new(),
    };
    let mut owner = vec![false; n + leaves];
    for (t, &root) in roots.iter().enumerate() {
        let root = usize::try_from(root)
            .ok()
            .filter(|&r| r < n)
            .ok_or_else(|| node.bad(format!("tree {t} has root {root}, which is not a node")))?;
        // the nodes reachable from the root (each node in one tree; the walk checks cycles)
        let mut nodes = HashMap::new();
        let mut stack = vec![root as i64];
        while let Some(id) = stack.pop() {
            let slot = &mut owner[id as usize];
            if std::mem::replace(slot, true) {
                return Err(node.bad(format!(
                    "tree {t} reaches node {id} twice, or shares it with another tree"
                )));
            }
            let r = all[&id];
            nodes.insert(id, r);
            if r.leaf {
                let j = id as usize - n;
                parsed.w_trees.push(t as i64);
                parsed.w_nodes.push(id);
                parsed.w_ids.push(leaf_targets[j]);
                parsed.w_values.push(leaf_weights[j]);
            } else {
                stack.push(r.lo);
                stack.push(r.hi);
            }
            if nodes.len() > n + leaves {
                break;
            }
        }
        parsed.tree_at.insert(t as i64, parsed.trees.len());
        parsed.trees.push((t as i64, nodes));
    }
    Ok(parsed)
}

/// Renumbers one tree breadth-first from its root, checking ids, cycles and depth.
fn walk(node: &Node<'_>, tree: i64, nodes: &HashMap<i64, Raw>) -> Result<Walked, ImportError> {
    let mut pointed = std::collections::HashSet::new();
    for r in nodes.values().filter(|r| !r.leaf) {
        for c in [r.lo, r.hi] {
            if !nodes.contains_key(&c) {
                return Err(node.bad(format!(
                    "tree {tree} points at node {c}, which the tree does not have"
                )));
            }
            pointed.insert(c);
        }
    }
    let mut roots: Vec<i64> = nodes
        .keys()
        .filter(|id| !pointed.contains(id))
        .copied()
        .collect();
    roots.sort_unstable();
    let root = match roots[..] {
        [r] => r,
        [] => {
            return Err(node.bad(format!(
                "tree {tree} has no root: every node is some node's child (a cycle)"
            )))
        }
        _ => {
            return Err(node.bad(format!(
                "tree {tree} has {} nodes no other node points at ({:?}…); a tree has one root",
                roots.len(),
                &roots[..roots.len().min(3)]
            )))
        }
    };
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(nodes.len());
    let mut order = vec![(root, 0usize)];
    index.insert(root, 0);
    let mut head = 0;
    while head < order.len() {
        let (id, depth) = order[head];
        head += 1;
        let r = nodes[&id];
        if r.leaf {
            continue;
        }
        if depth >= MAX_DEPTH {
            return Err(node.bad(format!(
                "tree {tree} is deeper than {MAX_DEPTH} levels (at node {id}), deeper than the import reads"
            )));
        }
        for c in [r.lo, r.hi] {
            if index.insert(c, order.len()).is_some() {
                return Err(node.bad(format!(
                    "tree {tree} reaches node {c} twice (a cycle, or a node shared by two parents)"
                )));
            }
            order.push((c, depth + 1));
        }
    }
    let len = order.len();
    let mut w = Walked {
        feature: Vec::with_capacity(len),
        threshold: Vec::with_capacity(len),
        left: Vec::with_capacity(len),
        right: Vec::with_capacity(len),
        missing: Vec::with_capacity(len),
        old: Vec::with_capacity(len),
    };
    for &(id, _) in &order {
        let r = nodes[&id];
        w.old.push(id);
        if r.leaf {
            w.feature.push(0);
            w.threshold.push(0.0);
            w.left.push(-1);
            w.right.push(-1);
            w.missing.push(-1);
        } else {
            w.feature.push(r.feature);
            w.threshold.push(r.threshold);
            w.left.push(index[&r.lo] as i64);
            w.right.push(index[&r.hi] as i64);
            w.missing.push(index[&r.missing] as i64);
        }
    }
    Ok(w)
}

/// Remaps a tree, boosting or svm model's feature indices onto the pipeline's: graph
/// feature `i` is pipeline feature `map[i]`, `width` features in all.
pub(super) fn remap(model: Model, map: &[usize], width: usize) -> Result<Model, ImportError> {
    let f = |i: &mut usize| *i = map.get(*i).copied().unwrap_or(0);
    Ok(match model {
        Model::Tree(mut t) => {
            t.feature.iter_mut().for_each(f);
            Model::Tree(t)
        }
        Model::Boosting(mut b) => {
            for t in &mut b.trees {
                t.feature.iter_mut().for_each(f);
            }
            let mut importance = vec![0.0; width];
            for (i, v) in b.importance.iter().enumerate() {
                importance[map[i]] += v;
            }
            b.importance = importance;
            b.n_features = width;
            Model::Boosting(b)
        }
        Model::Svm(mut s) => {
            let bijective = map.len() == width && {
                let mut seen = vec![false; width];
                map.iter().all(|&m| !std::mem::replace(&mut seen[m], true))
            };
            if !bijective {
                return Err(ImportError::Graph(
                    "an SVM whose features do not map one to one onto the pipeline's (a category dropped or a column read twice): its distances would change".into(),
                ));
            }
            let p = map.len();
            let rows = |vectors: &mut Vec<f64>| {
                let mut sv = vec![0.0; vectors.len()];
                for (row, out) in vectors.chunks_exact(p).zip(sv.chunks_exact_mut(p)) {
                    for (i, v) in row.iter().enumerate() {
                        out[map[i]] = *v;
                    }
                }
                *vectors = sv;
            };
            for m in &mut s.machines {
                if !m.weights.is_empty() {
                    let mut w = vec![0.0; width];
                    for (i, v) in m.weights.iter().enumerate() {
                        w[map[i]] = *v;
                    }
                    m.weights = w;
                }
                rows(&mut m.support_vectors);
            }
            // (reordered features sum the f32 kernels in another order than onnxruntime:
            // the same value to an f32 rounding)
            if let Some(o) = &mut s.one_vs_one {
                rows(&mut o.support_vectors);
            }
            s.n_features = width;
            Model::Svm(s)
        }
        other => {
            return Err(ImportError::Graph(format!(
                "a {} model's features cannot be reordered",
                other.model_kind().name()
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every f32 comparison agrees with the threshold, on values around it.
    #[test]
    fn thresholds_agree_with_f32_comparisons() {
        let ts = [
            0.0f32,
            -0.0,
            1.0,
            0.1,
            -0.1,
            0.613_000_04,
            3.0e-39,
            -7.5,
            1e30,
            f32::MAX,
            -f32::MAX,
            f32::MIN_POSITIVE,
        ];
        for &t in &ts {
            let (lt, leq) = (lt_threshold(t), leq_threshold(t));
            let mut probes = vec![
                f64::from(t),
                lt,
                leq,
                lt.next_down(),
                lt.next_up(),
                leq.next_down(),
                leq.next_up(),
            ];
            for s in [t.next_down(), t.next_up()] {
                probes.push(f64::from(s));
            }
            for x in probes.into_iter().filter(|x| x.is_finite()) {
                assert_eq!((x as f32) < t, x < lt, "x {x:e} < {t:e}");
                assert_eq!((x as f32) <= t, x < leq, "x {x:e} <= {t:e}");
            }
        }
    }
}
