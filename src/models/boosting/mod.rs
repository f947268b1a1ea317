//! Gradient-boosted trees: a sum of small regression trees, each fitted to what the trees
//! before it got wrong (the gradient and hessian of the loss), for binary and multiclass
//! classification (log loss; one tree per class and iteration past two classes) and
//! regression (squared error). The trainer (`fit.rs`) is driftlab's own, on the histogram
//! machinery the tree families share (`models/hist`); this file is what the scorer needs.
//!
//! # The fitted form
//!
//! [`BoostingModel`] holds the trees as node arrays ([`BoostedTree`]: split feature,
//! threshold, both children, the child a missing value goes to, leaf values with the
//! learning rate already multiplied in), the base score (the raw prediction before any
//! tree), the learning rate (for the record), and each feature's share of the total split
//! gain. A row's raw score per output is the base score plus its leaves' values, added
//! tree by tree in the stored order; then the sigmoid (binary), the softmax (multiclass)
//! or nothing (regression), with the scorer's own `exp` so every build gives the same
//! bits. No linfa, no training code: the edge scorer reads it (`edge/src/model.rs`).
//!
//! # Why not a crate
//!
//! We looked for a boosting crate to use instead. `forust-ml` 0.8 (gradient boosting in
//! Rust, missing-value handling, LightGBM-like histograms) fits binary log loss and squared
//! error only — no multiclass —, requires `rayon` (threads, which the page's Wasm has not),
//! keeps its importance in a `HashMap`, and stores `f32` histograms and its own model type.
//! `perpetual` 3 needs `sysinfo`, `rayon` and `rand` 0.10 and has no learning rate, leaves
//! or iterations to set (its "budget" replaces them). Neither maps onto parameters a
//! learner can turn, or onto a training-free scorer of our own format, without carrying
//! their model types; the histogram machinery the tree and the forest needed anyway made
//! boosting one loss-and-loop file on top.
//!
//! # Batch scoring
//!
//! When every tree has at most 64 leaves (the defaults grow 31), no tree is walked. The
//! ensemble is laid out once per call (about 3,000 nodes for 100 trees of 31 leaves: a
//! sort, well under a millisecond against tens of milliseconds for a 100k-row batch) and
//! the rows are scored sixteen at a time the RapidScorer way (`tree/rapid.rs`): each
//! feature's distinct thresholds give every row a one-byte rank, every node clears its
//! left subtree's leaves from sixteen rows' leaf words at once with one byte compare and
//! one `andnot` per byte of the word it touches (`v128` lanes in Wasm), and a row's leaf
//! per tree is the lowest bit left, whose leaf value a table by leaf bit gives. A block of
//! sixteen rows with a NaN where a tree reads, a feature with more than 255 distinct
//! thresholds (imported models) or more than 65,536 bytes of leaf words per row, and every
//! block in a Wasm build without simd128, score row by row QuickScorer's way
//! (`tree/quick.rs`: per feature, the nodes sorted by threshold, each passed node clearing
//! its left subtree's leaves from its tree's 64-bit word).
//!
//! Measured on 100 trees of 31 leaves over the bench's 100k × 20 tables (and 20k × 50, 5
//! classes: 500 trees), rows/s by the least process CPU time of 5 calls, the two Wasm
//! builds alternating in one Node process (2026-12-06, 19:52 UTC, load average 5 on the
//! shared 2-core machine): binary 1,529 k sixteen rows at a time against 482 k row by row
//! (3.2×), regression 1,595 k against 487 k, 5 classes 352 k against 114 k (3.1×);
//! natively (the bench harness, CPU time) 1,690 k / 1,750 k / 385 k against 647 k (binary,
//! the last quiet run). Row by row, a row passed about 1,500 nodes at one 64-bit `and`
//! and a mispredicted loop exit per feature; sixteen rows at a time every node costs a
//! handful of vector instructions for sixteen rows, with no branch on the data. (Row by
//! row QuickScorer in turn had replaced the block walk of `tree/flat.rs`, 366–380 k rows/s
//! in Wasm.) Deeper trees (imported forests of depth 8, up to 256 leaves) keep the walk of
//! `tree/flat.rs` (128 rows at a time, tree by tree), where QuickScorer's one `and` per node
//! that sends a row right (about half of all nodes) would cost more than eight levels of
//! walk.
//!
//! Either way each row's leaf values are added tree by tree in the stored order, as
//! [`BoostingModel::predict`] adds them, so the bits are the same in every build and on
//! every path; no allocation per row.

#[cfg(feature = "train")]
mod fit;

use serde::{Deserialize, Serialize};

use super::tree::{flat, quick, rapid};
use super::{bad, family_params, finite, Family, ParamType, Predict, Tasks};
use crate::score::{argmax, exp, sigmoid_of, softmax_in_place, Prediction, Result, Task};

family_params! {
    /// Hyperparameters of gradient-boosted trees.
    pub struct BoostingParams {
        /// boosting iterations (trees per class); fewer when early stopping ends sooner
        pub n_iterations: u64 = 100, ParamType::Int { min: 1, max: 10_000 };
        /// shrinkage of each tree's values: smaller learns slower and generalises better
        pub learning_rate: f64 = 0.1, ParamType::Float { min: 0.0, max: 10.0, min_open: true };
        /// leaves per tree at most (trees grow best leaf first)
        pub max_leaves: u64 = 31, ParamType::Int { min: 2, max: 1_024 };
        /// depth of each tree at most; 0 means limited by max_leaves only
        pub max_depth: u64 = 0, ParamType::Int { min: 0, max: 100 };
        /// training rows each leaf needs at least
        pub min_samples_leaf: u64 = 20, ParamType::Int { min: 1, max: 1_000_000 };
        /// L2 penalty on leaf values
        pub l2: f64 = 0.0, ParamType::at_least(0.0);
        /// quantile bins per feature (missing values get one more)
        pub max_bins: u64 = 255, ParamType::Int { min: 2, max: 255 };
        /// share of the training rows drawn (without replacement) for each iteration
        pub subsample: f64 = 1.0, ParamType::SHARE;
        /// share of the features drawn for each tree
        pub colsample: f64 = 1.0, ParamType::SHARE;
        /// share of the training rows held out to stop early; 0 trains on all of them for every iteration
        pub validation_fraction: f64 = 0.1, ParamType::Float { min: 0.0, max: 0.5, min_open: false };
        /// iterations without a better validation loss before stopping
        pub n_iter_no_change: u64 = 10, ParamType::Int { min: 1, max: 10_000 };
    }
}

/// The `boosting` kind.
#[derive(Debug)]
pub struct Boosting;

impl Family for Boosting {
    const ABOUT: &'static str = "Many small trees added one after another, each correcting the errors of those before (LightGBM-style histograms). Usually the most accurate choice on tables, fraud included; it shows which inputs mattered, and costs more to score than one tree.";
    const TASKS: Tasks = Tasks::BOTH;
    type Params = BoostingParams;
    type Fitted = BoostingModel;
}

/// One boosted tree as node arrays; node 0 is the root. A row goes to `missing[i]` when
/// its value is missing (NaN), else left when `x[feature] < threshold`, else right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoostedTree {
    /// Split feature per node (0 for leaves).
    pub feature: Vec<usize>,
    /// Split threshold per node (0 for leaves).
    pub threshold: Vec<f64>,
    /// Left child per node; `-1` for leaves.
    pub left: Vec<i64>,
    /// Right child per node; `-1` for leaves.
    pub right: Vec<i64>,
    /// The child a missing value goes to (the left or the right one; `-1` for leaves).
    pub missing: Vec<i64>,
    /// Leaf values, the learning rate multiplied in (0 for internal nodes).
    pub value: Vec<f64>,
}

/// Gradient-boosted trees in plain parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoostingModel {
    /// Input features.
    pub n_features: usize,
    /// Classes (0 for a regressor).
    pub n_classes: usize,
    /// The raw score before any tree: one per output (1 for regression and two classes,
    /// one per class past two).
    pub base_score: Vec<f64>,
    /// The learning rate the leaf values were multiplied by (for the record).
    pub learning_rate: f64,
    /// The trees, iteration by iteration; tree `i` adds to output `i % outputs`.
    pub trees: Vec<BoostedTree>,
    /// Each feature's share of the total split gain (sums to 1 unless no tree split).
    pub importance: Vec<f64>,
}

impl BoostingModel {
    /// Raw scores per row: 1 for regression and two classes, one per class past two.
    pub fn outputs(&self) -> usize {
        if self.n_classes > 2 {
            self.n_classes
        } else {
            1
        }
    }

    /// The model after its first `iterations` iterations (a live view's model mid-training,
    /// or a smaller model to compare).
    pub fn truncated(&self, iterations: usize) -> BoostingModel {
        let mut m = self.clone();
        m.trees.truncate(iterations.saturating_mul(self.outputs()));
        m
    }

    /// The trees laid out for QuickScorer when every one has at most 64 leaves.
    fn quick(&self) -> Option<quick::QuickForest> {
        quick::QuickForest::new(self.trees.iter().map(BoostedTree::arrays))
    }

    /// The prediction from raw scores (one per output).
    fn link(&self, raw: &mut [f64]) -> f64 {
        match self.n_classes {
            0 => raw[0],
            2 => {
                let p = sigmoid(raw[0]);
                raw[0] = p;
                f64::from(u8::from(p >= 0.5))
            }
            _ => {
                let value = argmax(raw) as f64;
                softmax_in_place(raw);
                value
            }
        }
    }
}

/// The logistic sigmoid with the scorer's `exp` (0.5 for NaN).
#[inline]
pub(crate) fn sigmoid(z: f64) -> f64 {
    sigmoid_of(exp(-z))
}

impl BoostedTree {
    /// The leaf a row reaches (a validated tree: children after parents, features in range).
    fn leaf(&self, x: &[f64]) -> Result<usize> {
        let mut node = 0usize;
        for _ in 0..=self.left.len() {
            let l = *self
                .left
                .get(node)
                .ok_or_else(|| bad("boosted tree child out of range"))?;
            if l < 0 {
                return Ok(node);
            }
            let v = *x
                .get(self.feature[node])
                .ok_or_else(|| bad("boosted tree feature out of range"))?;
            let next = if v.is_nan() {
                self.missing[node]
            } else if v < self.threshold[node] {
                l
            } else {
                self.right[node]
            };
            node = next.max(0) as usize;
        }
        Err(bad("boosted tree has a cycle"))
    }

    fn check(&self, p: usize) -> Result<()> {
        let n = self.left.len();
        if n == 0
            || [
                self.right.len(),
                self.feature.len(),
                self.threshold.len(),
                self.missing.len(),
                self.value.len(),
            ]
            .iter()
            .any(|&len| len != n)
        {
            return Err(bad("boosted tree arrays have different lengths"));
        }
        finite(&self.threshold, "a boosted tree's thresholds")?;
        finite(&self.value, "a boosted tree's leaf values")?;
        for i in 0..n {
            let (l, r, m) = (self.left[i], self.right[i], self.missing[i]);
            let internal = l >= 0;
            if (l < 0) != (r < 0)
                || l >= n as i64
                || r >= n as i64
                || (internal && (l <= i as i64 || r <= i as i64))
                || (internal && m != l && m != r)
                || (!internal && m >= 0)
            {
                return Err(bad("boosted tree child index out of range"));
            }
            if internal && self.feature[i] >= p {
                return Err(bad("boosted tree feature index out of range"));
            }
        }
        Ok(())
    }

    fn arrays(&self) -> quick::TreeArrays<'_> {
        (
            &self.feature,
            &self.threshold,
            &self.left,
            &self.right,
            Some(&self.missing),
        )
    }

    fn flat(&self) -> flat::FlatTree {
        flat::FlatTree::new(
            &self.feature,
            &self.threshold,
            &self.left,
            &self.right,
            Some(&self.missing),
        )
    }
}

impl Predict for BoostingModel {
    fn task(&self) -> Task {
        Task::by_classes(self.n_classes)
    }

    fn n_outputs(&self) -> usize {
        self.n_classes
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    fn validate(&self, p: usize) -> Result<()> {
        if self.n_features != p || self.n_features == 0 {
            return Err(bad("boosting model does not match the features"));
        }
        if self.n_classes == 1 {
            return Err(bad("a boosting classifier needs at least two classes"));
        }
        let m = self.outputs();
        if self.base_score.len() != m || !self.trees.len().is_multiple_of(m) {
            return Err(bad(
                "boosting base scores or trees do not match the classes",
            ));
        }
        if self.importance.len() != p {
            return Err(bad("boosting importance does not match the features"));
        }
        finite(&self.base_score, "boosting base score")?;
        finite(&self.importance, "boosting importance")?;
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(bad("boosting learning rate must be a positive number"));
        }
        for t in &self.trees {
            t.check(p)?;
        }
        Ok(())
    }

    fn predict(&self, x: &[f64]) -> Result<Prediction> {
        let m = self.outputs();
        let mut raw = self.base_score.clone();
        for (i, t) in self.trees.iter().enumerate() {
            raw[i % m] += t.value[t.leaf(x)?];
        }
        let value = self.link(&mut raw);
        let probabilities = match self.n_classes {
            0 => Vec::new(),
            2 => vec![1.0 - raw[0], raw[0]],
            _ => raw,
        };
        Ok(Prediction {
            value,
            probabilities,
        })
    }

    fn predict_batch_into(
        &self,
        data: &[f64],
        cols: usize,
        values: &mut Vec<f64>,
        probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        let m = self.outputs();
        let k = self.n_classes;
        let rows = data.len() / cols.max(1);
        values.resize(rows, 0.0);
        probabilities.resize(rows * k, 0.0);
        let mut raw = vec![0.0; flat::BLOCK * m];
        let mut emit = |start: usize, n: usize, raw: &mut [f64]| {
            for j in 0..n {
                let r = &mut raw[j * m..(j + 1) * m];
                values[start + j] = self.link(r);
                let out = &mut probabilities[(start + j) * k..(start + j + 1) * k];
                match k {
                    0 => {}
                    2 => {
                        out[0] = 1.0 - r[0];
                        out[1] = r[0];
                    }
                    _ => out.copy_from_slice(r),
                }
            }
        };
        if let Some(q) = self.quick().filter(|q| q.width() <= cols) {
            // trees of at most 64 leaves: no walk (`tree/quick.rs`, `tree/rapid.rs`); each
            // row's leaves are added tree by tree in the stored order, as below and in
            // `predict`; each tree's leaf values by leaf bit, so a row's sum reads one table
            let by_bit: Vec<f64> = q
                .leaf_nodes()
                .chunks_exact(64)
                .zip(&self.trees)
                .flat_map(|(nodes, t)| nodes.iter().map(|&i| t.value[i as usize]))
                .collect();
            let mut bits = vec![0u64; self.trees.len()];
            let mut one_row = |x: &[f64], raw: &mut [f64]| {
                q.words(x, &mut bits);
                raw.copy_from_slice(&self.base_score);
                for (i, (values, &b)) in by_bit.chunks_exact(64).zip(&bits).enumerate() {
                    raw[i % m] += values[b.trailing_zeros() as usize & 63];
                }
            };
            let cols = cols.max(1);
            let Some(r) = rapid::RapidForest::new(self.trees.iter().map(BoostedTree::arrays))
            else {
                for (row, x) in data.chunks_exact(cols).enumerate() {
                    one_row(x, &mut raw[..m]);
                    emit(row, 1, &mut raw);
                }
                return Some(k);
            };
            // sixteen rows at a time (`tree/rapid.rs`); a block with a NaN where a tree
            // reads goes row by row as above
            let mut s = r.scratch();
            let mut raw = vec![0.0; rapid::LANES * m];
            let mut lane_bits = [0u8; rapid::LANES];
            for (b, x) in data[..rows * cols].chunks(rapid::LANES * cols).enumerate() {
                let n = x.len() / cols;
                if r.block(x, cols, &mut s) {
                    for out in raw.chunks_exact_mut(m) {
                        out.copy_from_slice(&self.base_score);
                    }
                    for (t, values) in by_bit.chunks_exact(64).enumerate() {
                        r.leaf_bits(&s, t, &mut lane_bits);
                        let c = t % m;
                        for (j, &bit) in lane_bits[..n].iter().enumerate() {
                            raw[j * m + c] += values[bit as usize & 63];
                        }
                    }
                } else {
                    for (j, x) in x.chunks_exact(cols).enumerate() {
                        one_row(x, &mut raw[j * m..(j + 1) * m]);
                    }
                }
                emit(b * rapid::LANES, n, &mut raw);
            }
            return Some(k);
        }
        let flats: Vec<flat::FlatTree> = self.trees.iter().map(BoostedTree::flat).collect();
        let mut raw = vec![0.0; flat::TILE * m];
        let mut leaves = vec![0u32; flat::TILE];
        flat::blocks(data, cols, flat::TILE, |start, block, n| {
            for r in raw[..n * m].chunks_exact_mut(m) {
                r.copy_from_slice(&self.base_score);
            }
            for (i, (t, f)) in self.trees.iter().zip(&flats).enumerate() {
                let c = i % m;
                f.leaves(block, cols, &mut leaves[..n]);
                for (j, &leaf) in leaves[..n].iter().enumerate() {
                    raw[j * m + c] += t.value[leaf as usize];
                }
            }
            emit(start, n, &mut raw);
        });
        Some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Model;

    fn stump() -> BoostingModel {
        BoostingModel {
            n_features: 2,
            n_classes: 2,
            base_score: vec![0.1],
            learning_rate: 0.1,
            trees: vec![BoostedTree {
                feature: vec![1, 0, 0],
                threshold: vec![0.5, 0.0, 0.0],
                left: vec![1, -1, -1],
                right: vec![2, -1, -1],
                missing: vec![1, -1, -1],
                value: vec![0.0, -0.4, 0.7],
            }],
            importance: vec![0.0, 1.0],
        }
    }

    #[test]
    fn missing_values_take_the_learned_side() {
        let m = stump();
        let nan = m.predict(&[0.0, f64::NAN]).unwrap();
        let low = m.predict(&[0.0, 0.0]).unwrap();
        assert_eq!(nan, low);
        assert_eq!(low.probabilities[1], sigmoid(0.1 - 0.4));
        let high = m.predict(&[0.0, 1.0]).unwrap();
        assert_eq!(high.value, 1.0);
    }

    #[test]
    fn the_batch_walk_equals_the_row_walk_bit_for_bit() {
        let m = Model::Boosting(stump());
        let data = [0.0, 0.2, 1.0, 0.5, 3.0, f64::NAN, -1.0, 9.0, 0.0, 0.49];
        let (mut v, mut p) = (Vec::new(), Vec::new());
        m.predict_batch_into(&data, 2, &mut v, &mut p).unwrap();
        for (i, x) in data.chunks_exact(2).enumerate() {
            let r = m.predict_row(x).unwrap();
            assert_eq!(v[i].to_bits(), r.value.to_bits());
            assert_eq!(p[2 * i].to_bits(), r.probabilities[0].to_bits());
            assert_eq!(p[2 * i + 1].to_bits(), r.probabilities[1].to_bits());
        }
    }

    #[test]
    fn batches_of_many_blocks_score_as_row_by_row_bit_for_bit() {
        let mut m = stump();
        // three outputs, two iterations: trees alternate over the classes
        m.n_classes = 3;
        m.base_score = vec![0.1, -0.2, 0.3];
        let t = m.trees[0].clone();
        let mut other = t.clone();
        other.feature[0] = 0;
        other.value = vec![0.0, 0.25, -0.5];
        m.trees = vec![
            t.clone(),
            other.clone(),
            t,
            other.clone(),
            other.clone(),
            other,
        ];
        // 1, 16, 17, 33 rows: blocks of sixteen and short ones; without NaN (every block
        // sixteen rows at a time), with a NaN in every block (row by row), and a NaN in
        // every 40th row (both within one batch)
        let cases = [1, 16, 17, 33, 1_003]
            .into_iter()
            .flat_map(|rows| [(rows, 0), (rows, 13), (rows, 80)]);
        for ((rows, nan_every), m) in cases
            .flat_map(|c| [Model::Boosting(stump()), Model::Boosting(m.clone())].map(|m| (c, m)))
        {
            let data: Vec<f64> = (0..2 * rows)
                .map(|i| match i % 13 {
                    _ if nan_every > 0 && i % nan_every == 0 => f64::NAN,
                    r => r as f64 / 12.0 - 0.25,
                })
                .collect();
            batch_is_row_by_row(&m, &data);
        }
    }

    /// Checks that `m` scores the rows of `data` (two features) in one batch with the bits of
    /// scoring them one at a time.
    fn batch_is_row_by_row(m: &Model, data: &[f64]) {
        let (mut v, mut p) = (Vec::new(), Vec::new());
        let k = m.predict_batch_into(data, 2, &mut v, &mut p).unwrap();
        for (i, x) in data.chunks_exact(2).enumerate() {
            let r = m.predict_row(x).unwrap();
            assert_eq!(v[i].to_bits(), r.value.to_bits(), "row {i}");
            for (c, want) in r.probabilities.iter().enumerate() {
                assert_eq!(p[k * i + c].to_bits(), want.to_bits(), "row {i}");
            }
        }
    }

    /// A tree of `splits` splits in a chain (each left child a leaf, the right one the next
    /// split), on both features by turns: past 64 leaves, too many for QuickScorer.
    /// `missing_left` picks the splits that send a missing value left.
    fn chain(splits: usize, missing_left: fn(usize) -> bool) -> BoostedTree {
        let mut t = BoostedTree {
            feature: Vec::new(),
            threshold: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            missing: Vec::new(),
            value: Vec::new(),
        };
        for i in 0..splits {
            let (split, leaf) = (2 * i as i64, 2 * i as i64 + 1);
            let next = if i + 1 == splits { leaf + 1 } else { split + 2 };
            t.feature.extend([i % 2, 0]);
            t.threshold.extend([(i % 12) as f64 / 12.0 + 0.01, 0.0]);
            t.left.extend([leaf, -1]);
            t.right.extend([next, -1]);
            t.missing
                .extend([if missing_left(i) { leaf } else { next }, -1]);
            t.value.extend([0.0, i as f64 / 7.0 - 3.0]);
        }
        t.feature.push(0);
        t.threshold.push(0.0);
        t.left.push(-1);
        t.right.push(-1);
        t.missing.push(-1);
        t.value.push(0.5);
        t
    }

    #[test]
    fn deep_trees_score_in_tiles_as_row_by_row_bit_for_bit() {
        // three outputs, trees of 71 and 90 leaves: the tiled walk, not QuickScorer; missing
        // values sent left by some splits, or by none (the one-comparison step)
        for missing_left in [(|i| i % 3 == 0) as fn(usize) -> bool, |_| false] {
            let mut m = stump();
            m.n_classes = 3;
            m.base_score = vec![0.1, -0.2, 0.3];
            m.trees = (0..6).map(|i| chain(70 + 4 * i, missing_left)).collect();
            assert!(m.quick().is_none());
            let m = Model::Boosting(m);
            assert!(m.validate(2).is_ok());
            // 7 tiles of 128 rows and a short one
            let rows = 1_003;
            let data: Vec<f64> = (0..2 * rows)
                .map(|i| match i % 13 {
                    0 => f64::NAN,
                    r => ((i * 7) % 12) as f64 / 12.0 + r as f64 / 1e3,
                })
                .collect();
            batch_is_row_by_row(&m, &data);
        }
    }

    /// A named way to break a model.
    type Breakage = (&'static str, fn(&mut BoostingModel));

    #[test]
    fn broken_trees_are_refused() {
        let cases: [Breakage; 6] = [
            ("missing not a child", |m| m.trees[0].missing[0] = 0),
            ("a cycle", |m| m.trees[0].left[0] = 0),
            ("feature out of range", |m| m.trees[0].feature[0] = 2),
            ("a NaN leaf", |m| m.trees[0].value[1] = f64::NAN),
            ("short values", |m| {
                m.trees[0].value.pop();
            }),
            ("base scores of three classes", |m| m.base_score.push(0.0)),
        ];
        for (case, edit) in cases {
            let mut m = stump();
            edit(&mut m);
            assert!(Model::Boosting(m).validate(2).is_err(), "{case}");
        }
        assert!(Model::Boosting(stump()).validate(2).is_ok());
    }
}
