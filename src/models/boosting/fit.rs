//! The boosting trainer: second-order gradient boosting (XGBoost's and LightGBM's
//! Newton step) on the shared histogram machinery (`models/hist`).
//!
//! Each iteration computes, for every training row, the gradient `g` and hessian `h` of
//! the loss at the current raw score — squared error: `g = F − y`, `h = 1`; log loss
//! (binary): `g = p − y`, `h = p(1 − p)`; softmax (multiclass, per class `c`):
//! `g = p_c − [y = c]`, `h = p_c(1 − p_c)` — and grows a tree best leaf first (up to
//! `max_leaves`, `max_depth`, `min_samples_leaf` rows per leaf, a hessian of 10⁻³) on the
//! split gain `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`; a leaf's value is
//! `−learning_rate · G/(H+λ)`, the Newton step `G/(H+λ)` kept within ±10 for the log
//! losses ([`MAX_STEP`]). The rows start at the base score (the mean target, the
//! log-odds of the positive share, or the log of each class's share).
//!
//! - Row subsampling (`subsample`, per iteration, without replacement) and column
//!   subsampling (`colsample`, per tree) draw from one `StdRng` seeded with the training
//!   seed.
//! - Early stopping: `validation_fraction` of the training rows (stratified by class, from
//!   the same seed) are held out; after each iteration their mean loss is computed, and
//!   training stops when it has not improved for `n_iter_no_change` iterations. The model
//!   keeps the trees up to the iteration with the best validation loss. The bins are cut
//!   on the rows that train, not on the held-out ones.
//! - One progress event per iteration carries the mean training loss and the validation
//!   loss, so a live view can draw both curves. The training loss costs a logarithm per
//!   row (about a sixth of the fit on the benchmark's binary table in Wasm), so it is
//!   computed only when the caller asks for it ([`Losses::Report`], as `train` does).
//! - Feature importance is each feature's share of the summed split gains of the trees
//!   kept.
//!
//! Every sum runs in row order and tree order; the exponential is the scorer's own
//! (`score::exp`, the same bits in every build) and the logarithms are libm's, so the
//! same table, parameters and seed give the same model natively and in Wasm. The raw
//! scores of the training rows are kept up to date leaf by leaf, and the scorer adds the
//! same leaf values in the same order, so its predictions on the training rows are the
//! trainer's to the bit.

use ndarray::Array2;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::{BoostedTree, Boosting, BoostingModel, BoostingParams};
use crate::models::hist::{
    grow_pooled, Binned, Bins, Criterion, GrowParams, Grown, Partition, Pool,
};
use crate::models::tree::fit::matrix;
use crate::models::{FitData, Reference, Trainer};
use crate::score::{exp, exp_pair, sigmoid_of, Prediction};
use crate::train::{Losses, Progress, Target, TrainError};

/// The least hessian a leaf may have (scikit-learn's `min_hessian_to_split`, LightGBM's
/// `min_sum_hessian_in_leaf`).
const MIN_HESSIAN: f64 = 1e-3;

/// The least improvement of the validation loss that counts as one (scikit-learn's `tol`).
const TOLERANCE: f64 = 1e-7;

/// The largest Newton step of a log-loss leaf, before the learning rate (XGBoost's
/// `max_delta_step`). A leaf whose rows the previous trees already pushed to
/// probabilities near 0 or 1 has a hessian near 0 (`p(1 − p)`), and one misclassified row
/// in it then asks for a step of hundreds of logits: on the fraud table at a learning rate
/// of 0.3 the second iteration multiplied the training loss by 25. Ten logits take a
/// probability from 0.5 to 0.99995; no useful step is larger.
const MAX_STEP: f64 = 10.0;

/// What is being fitted.
#[derive(Clone, Copy)]
enum Loss<'a> {
    Squared(&'a [f64]),
    Binary(&'a [usize]),
    Softmax(&'a [usize], usize),
}

impl Loss<'_> {
    fn outputs(self) -> usize {
        match self {
            Loss::Softmax(_, k) => k,
            _ => 1,
        }
    }

    /// The base score of each output from the rows that train.
    fn base(self, rows: &[usize]) -> Vec<f64> {
        let n = rows.len().max(1) as f64;
        match self {
            Loss::Squared(y) => vec![rows.iter().map(|&r| y[r]).sum::<f64>() / n],
            Loss::Binary(y) => {
                let p = (rows.iter().filter(|&&r| y[r] == 1).count() as f64 / n)
                    .clamp(1e-12, 1.0 - 1e-12);
                vec![libm::log(p / (1.0 - p))]
            }
            Loss::Softmax(y, k) => {
                let mut counts = vec![0.0; k];
                for &r in rows {
                    counts[y[r]] += 1.0;
                }
                counts
                    .iter()
                    .map(|c| libm::log((c / n).max(1e-12)))
                    .collect()
            }
        }
    }

    /// Gradients and hessians of output `c` at the raw scores, into `stats` (`g, h, 1`
    /// per row); `probs` holds the softmax of every row for the multiclass loss.
    fn gradients(self, rows: &[usize], raw: &[f64], probs: &[f64], c: usize, stats: &mut [f64]) {
        match self {
            // the hessian is 1: the stats are (g, n), see `Criterion::Gradient`
            Loss::Squared(y) => {
                for &r in rows {
                    stats[r * 2..r * 2 + 2].copy_from_slice(&[raw[r] - y[r], 1.0]);
                }
            }
            Loss::Binary(y) => binary_gradients(y, rows, raw, stats),
            Loss::Softmax(y, m) => {
                for &r in rows {
                    let p = probs[r * m + c];
                    stats[r * 3..r * 3 + 3].copy_from_slice(&[
                        p - f64::from(u8::from(y[r] == c)),
                        (p * (1.0 - p)).max(1e-16),
                        1.0,
                    ]);
                }
            }
        }
    }

    /// Numbers per row in the histograms: `(g, n)` for squared error (its hessian is 1),
    /// `(g, h, n)` for the log losses.
    fn stride(self) -> usize {
        match self {
            Loss::Squared(_) => 2,
            _ => 3,
        }
    }

    /// The softmax of every listed row's raw scores, into `probs`.
    fn softmax(self, rows: &[usize], raw: &[f64], probs: &mut [f64]) {
        let m = self.outputs();
        for &r in rows {
            let z = &raw[r * m..(r + 1) * m];
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let p = &mut probs[r * m..(r + 1) * m];
            // two exponentials at a time (the same bits as one by one), summed in order
            let mut pairs = p.chunks_exact_mut(2).zip(z.chunks_exact(2));
            for (pi, zi) in &mut pairs {
                (pi[0], pi[1]) = exp_pair(zi[0] - max, zi[1] - max);
            }
            if m % 2 == 1 {
                p[m - 1] = exp(z[m - 1] - max);
            }
            let sum = p.iter().fold(0.0, |s, &v| s + v);
            for pi in p.iter_mut() {
                *pi /= sum;
            }
        }
    }

    /// The mean loss of the listed rows (squared error, or log loss in nats).
    fn mean(self, rows: &[usize], raw: &[f64]) -> f64 {
        if rows.is_empty() {
            return 0.0;
        }
        let m = self.outputs();
        let mut total = 0.0;
        for &r in rows {
            total += match self {
                Loss::Squared(y) => {
                    let d = raw[r] - y[r];
                    d * d
                }
                Loss::Binary(y) => {
                    // log(1 + e^z) − y·z, computed without overflow
                    let z = raw[r];
                    z.max(0.0) + libm::log1p(exp(-z.abs())) - (y[r] as f64) * z
                }
                Loss::Softmax(y, _) => {
                    let z = &raw[r * m..(r + 1) * m];
                    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let s: f64 = z.iter().map(|&zi| exp(zi - max)).sum();
                    max + libm::log(s) - z[y[r]]
                }
            };
        }
        total / rows.len() as f64
    }
}

impl Trainer for Boosting {
    const ACCEPTS_MISSING: bool = true;

    fn fit(
        params: &BoostingParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(BoostingModel, Box<dyn Reference>), TrainError> {
        let (xs, n, cols) = matrix(data)?;
        let (loss, n_classes) = match data.y {
            Target::Values(v) => (Loss::Squared(v), 0),
            Target::Classes { indices, labels } if labels.len() == 2 => (Loss::Binary(indices), 2),
            Target::Classes { indices, labels } => {
                (Loss::Softmax(indices, labels.len()), labels.len())
            }
            Target::None => return Err(TrainError::NeedsTarget("boosting")),
        };
        let m = loss.outputs();
        let mut rng = StdRng::seed_from_u64(data.seed);
        let (train, valid) = holdout(loss, n, params.validation_fraction, &mut rng);
        let bins = Bins::fit(
            &gather(xs, cols, &train),
            train.len(),
            cols,
            params.max_bins as usize,
        );
        let binned = Binned::with_bins(xs, n, cols, bins);
        let base = loss.base(&train);
        let mut raw = vec![0.0; n * m];
        for r in raw.chunks_exact_mut(m) {
            r.copy_from_slice(&base);
        }
        let mut probs = if m > 1 { vec![0.0; n * m] } else { Vec::new() };
        let stride = loss.stride();
        let mut stats = vec![0.0; n * stride];
        let criterion = Criterion::Gradient {
            l2: params.l2,
            min_hessian: MIN_HESSIAN,
            unit_hessian: stride == 2,
        };
        let lr = params.learning_rate;
        let iterations = params.n_iterations as usize;
        let per_iteration =
            ((train.len() as f64 * params.subsample).ceil() as usize).clamp(1, train.len().max(1));
        let per_tree = ((cols as f64 * params.colsample).ceil() as usize).clamp(1, cols);
        let mut trees: Vec<BoostedTree> = Vec::with_capacity(iterations * m);
        let mut grown: Vec<Grown> = Vec::with_capacity(iterations * m);
        let (mut best, mut best_iteration) = (f64::INFINITY, 0usize);
        let mut sampled = train.clone();
        // one pool of histogram buffers for every tree (see `hist::Pool`)
        let mut pool = Pool::default();
        for it in 0..iterations {
            let rows: Vec<u32> = if per_iteration < train.len() {
                sampled.shuffle(&mut rng);
                let mut r: Vec<u32> = sampled[..per_iteration].iter().map(|&r| r as u32).collect();
                r.sort_unstable();
                r
            } else {
                train.iter().map(|&r| r as u32).collect()
            };
            let rows_usize: Vec<usize> = rows.iter().map(|&r| r as usize).collect();
            if m > 1 {
                loss.softmax(&rows_usize, &raw, &mut probs);
            }
            for c in 0..m {
                let features: Vec<usize> = if per_tree < cols {
                    let mut f: Vec<usize> =
                        rand::seq::index::sample(&mut rng, cols, per_tree).into_vec();
                    f.sort_unstable();
                    f
                } else {
                    (0..cols).collect()
                };
                let grow_params = GrowParams {
                    max_leaves: params.max_leaves as usize,
                    max_depth: params.max_depth as usize,
                    min_leaf: params.min_samples_leaf as f64,
                    min_split: 2.0 * params.min_samples_leaf as f64,
                    min_gain: 0.0,
                    features,
                    per_split: None,
                };
                loss.gradients(&rows_usize, &raw, &probs, c, &mut stats);
                let g = grow_pooled(
                    Partition {
                        binned: &binned,
                        stats: &stats,
                        stride,
                        rows: rows.clone(),
                    },
                    criterion,
                    &grow_params,
                    &mut rng,
                    &mut pool,
                );
                let cap = (n_classes > 0).then_some(MAX_STEP);
                let tree = boosted_tree(&g, &binned.bins, params.l2, lr, cap);
                // the raw scores: the grown rows by their leaf ranges, the others (held
                // out, or not drawn this iteration) by a walk in bin space
                let mut in_tree = vec![false; if rows.len() < n { n } else { 0 }];
                for (i, node) in g.nodes.iter().enumerate() {
                    if node.children.is_none() {
                        for &r in &g.rows[node.start..node.end] {
                            raw[r as usize * m + c] += tree.value[i];
                            if let Some(seen) = in_tree.get_mut(r as usize) {
                                *seen = true;
                            }
                        }
                    }
                }
                if rows.len() < n {
                    for r in 0..n {
                        if !in_tree[r] {
                            let leaf = g.leaf_of(binned.row(r), &binned.bins);
                            raw[r * m + c] += tree.value[leaf];
                        }
                    }
                }
                trees.push(tree);
                grown.push(g.without_rows());
            }
            let train_loss = (data.losses == Losses::Report).then(|| loss.mean(&train, &raw));
            let valid_loss = (!valid.is_empty()).then(|| loss.mean(&valid, &raw));
            let event = Progress {
                validation_loss: valid_loss,
                ..Progress::step(it as u64 + 1, iterations as u64, train_loss)
            };
            // the model so far, at a few iterations, for a map redrawn as it trains
            progress(if Progress::shows_model(it as u64 + 1, iterations as u64) {
                event.with_model(crate::score::Model::Boosting(BoostingModel {
                    n_features: cols,
                    n_classes,
                    base_score: base.clone(),
                    learning_rate: lr,
                    trees: trees.clone(),
                    importance: Vec::new(),
                }))
            } else {
                event
            });
            match valid_loss {
                Some(v) if v < best - TOLERANCE => {
                    best = v;
                    best_iteration = it + 1;
                }
                Some(_) if it + 1 - best_iteration >= params.n_iter_no_change as usize => break,
                Some(_) => {}
                None => best_iteration = it + 1,
            }
        }
        let keep = best_iteration.max(1) * m;
        trees.truncate(keep);
        grown.truncate(keep);
        let mut importance = vec![0.0; cols];
        for g in &grown {
            for node in &g.nodes {
                if node.children.is_some() {
                    importance[node.feature] += node.gain;
                }
            }
        }
        let total: f64 = importance.iter().sum();
        if total > 0.0 {
            for v in &mut importance {
                *v /= total;
            }
        }
        let model = BoostingModel {
            n_features: cols,
            n_classes,
            base_score: base,
            learning_rate: lr,
            trees: trees.clone(),
            importance,
        };
        let reference = Walk {
            bins: binned.bins,
            grown,
            values: trees.into_iter().map(|t| t.value).collect(),
            model: model.clone(),
        };
        Ok((model, Box::new(reference)))
    }
}

/// Binary log loss's gradients and hessians at the raw scores (`p − y`, `p(1 − p)`, and
/// the 1 that counts the row), two rows at a time: the two rows' exponentials are computed
/// side by side ([`exp_pair`]), the same bits as [`sigmoid`](super::sigmoid) row by row.
/// In Wasm (simd128) the benchmark's binary fit took 0.97× the time of one row at a time
/// (the two builds called in turns in one Node process).
fn binary_gradients(y: &[usize], rows: &[usize], raw: &[f64], stats: &mut [f64]) {
    let mut put = |r: usize, e: f64| {
        let p = sigmoid_of(e);
        stats[r * 3..r * 3 + 3].copy_from_slice(&[
            p - (y[r] as f64),
            (p * (1.0 - p)).max(1e-16),
            1.0,
        ]);
    };
    let mut pairs = rows.chunks_exact(2);
    for pair in &mut pairs {
        let (e0, e1) = exp_pair(-raw[pair[0]], -raw[pair[1]]);
        put(pair[0], e0);
        put(pair[1], e1);
    }
    for &r in pairs.remainder() {
        put(r, exp(-raw[r]));
    }
}

/// The rows that train and the rows held out for early stopping: per class (or overall
/// for regression) a seeded shuffle, `fraction` of each group held out, at least one row
/// of each class left to train. No rows are held out when that leaves none out or too
/// few (fewer than two) to train.
fn holdout(loss: Loss<'_>, n: usize, fraction: f64, rng: &mut StdRng) -> (Vec<usize>, Vec<usize>) {
    let all: Vec<usize> = (0..n).collect();
    if fraction <= 0.0 {
        return (all, Vec::new());
    }
    let groups: Vec<Vec<usize>> = match loss {
        Loss::Squared(_) => vec![all.clone()],
        Loss::Binary(y) => by_class(y, 2),
        Loss::Softmax(y, k) => by_class(y, k),
    };
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    for mut g in groups {
        g.shuffle(rng);
        let out = ((g.len() as f64 * fraction).floor() as usize).min(g.len().saturating_sub(1));
        valid.extend_from_slice(&g[..out]);
        train.extend_from_slice(&g[out..]);
    }
    if valid.is_empty() || train.len() < 2 {
        return (all, Vec::new());
    }
    train.sort_unstable();
    valid.sort_unstable();
    (train, valid)
}

fn by_class(y: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut groups = vec![Vec::new(); k];
    for (i, &c) in y.iter().enumerate() {
        if let Some(g) = groups.get_mut(c) {
            g.push(i);
        }
    }
    groups
}

/// The listed rows of `x` (`cols` wide).
fn gather(x: &[f64], cols: usize, rows: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() * cols);
    for &r in rows {
        out.extend_from_slice(&x[r * cols..(r + 1) * cols]);
    }
    out
}

/// A grown tree as a boosted tree's node arrays: thresholds from the bins, the missing
/// side, and leaf values `−lr · G/(H+λ)` (the step `G/(H+λ)` within `±cap`).
fn boosted_tree(g: &Grown, bins: &Bins, l2: f64, lr: f64, cap: Option<f64>) -> BoostedTree {
    let n = g.nodes.len();
    let mut t = BoostedTree {
        feature: Vec::with_capacity(n),
        threshold: Vec::with_capacity(n),
        left: Vec::with_capacity(n),
        right: Vec::with_capacity(n),
        missing: Vec::with_capacity(n),
        value: Vec::with_capacity(n),
    };
    for node in &g.nodes {
        match node.children {
            Some((l, r)) => {
                t.feature.push(node.feature);
                t.threshold.push(bins.threshold(node.feature, node.bin));
                t.left.push(l as i64);
                t.right.push(r as i64);
                t.missing.push(if node.missing_left {
                    l as i64
                } else {
                    r as i64
                });
                t.value.push(0.0);
            }
            None => {
                let (gs, hs) = (node.stats[0], node.stats[1]);
                let d = hs + l2;
                let step = if d > 0.0 { gs / d } else { 0.0 };
                let step = cap.map_or(step, |c| step.clamp(-c, c));
                let v = -lr * step;
                t.feature.push(0);
                t.threshold.push(0.0);
                t.left.push(-1);
                t.right.push(-1);
                t.missing.push(-1);
                t.value.push(if v.is_finite() { v } else { 0.0 });
            }
        }
    }
    t
}

/// The trainer's own prediction: the grown trees walked in bin space, their leaf values
/// added in tree order to the base score, then the model's link.
struct Walk {
    bins: Bins,
    grown: Vec<Grown>,
    values: Vec<Vec<f64>>,
    model: BoostingModel,
}

impl Reference for Walk {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        let m = self.model.outputs();
        let cols = self.bins.cols();
        let mut codes = vec![0u8; cols];
        x.rows()
            .into_iter()
            .map(|row| {
                for (j, c) in codes.iter_mut().enumerate() {
                    *c = self.bins.bin(j, row[j]);
                }
                let mut raw = self.model.base_score.clone();
                for (i, (g, v)) in self.grown.iter().zip(&self.values).enumerate() {
                    raw[i % m] += v[g.leaf_of(&codes, &self.bins)];
                }
                let value = self.model.link(&mut raw);
                let probabilities = match self.model.n_classes {
                    0 => Vec::new(),
                    2 => vec![1.0 - raw[0], raw[0]],
                    _ => raw,
                };
                Prediction {
                    value,
                    probabilities,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
