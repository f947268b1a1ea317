//! Fitting a decision tree on the shared histogram machinery (`models/hist`), and turning
//! its grown tree (bins) into [`TreeModel`]'s node arrays (thresholds); the forest does the
//! same per tree.
//!
//! # Why not linfa-trees any more
//!
//! linfa-trees 0.8.1 sorts the rows of every node by every feature, kept its class counts
//! in a `HashMap` (iterated in random order: the workspace had to patch it for
//! reproducible trees), and left the forest to draw features per tree, not per split. On
//! the benchmark's 100,000 × 20 table a depth-8 tree took 2.1× scikit-learn's time in Wasm.
//! The histogram tree bins once and adds rows into histograms (see `models/hist`): the
//! same candidate cuts as an exact tree wherever a feature has at most 255 distinct values.
//!
//! # The criterion in scikit-learn's units
//!
//! `min_impurity_decrease` is scikit-learn's: a split is made when the weighted impurity
//! decrease `N_t / N · (impurity − N_L / N_t · impurity_L − N_R / N_t · impurity_R)`
//! exceeds it (entropy in bits, as scikit-learn computes it).
//!
//! The [`Reference`] of a fitted tree walks the grown tree in bin space (bin codes and
//! split bins, not thresholds), so `tests/parity_models.rs` holds the artifact's threshold
//! walk to the trainer's own.

use ndarray::Array2;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{Criterion, Tree, TreeModel, TreeParams};
use crate::models::hist::{self, grow, Binned, Bins, GrowParams, Grown, Partition};
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, TrainError};

impl Trainer for Tree {
    const ACCEPTS_MISSING: bool = true;

    fn fit(
        params: &TreeParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(TreeModel, Box<dyn Reference>), TrainError> {
        let (xs, rows, cols) = matrix(data)?;
        let (yi, k) = data.classes()?;
        let binned = Binned::new(xs, rows, cols, hist::MAX_BINS);
        let weights = vec![1u32; rows];
        let grow_params = GrowParams {
            max_leaves: usize::MAX,
            max_depth: params.max_depth as usize,
            min_leaf: params.min_samples_leaf,
            min_split: params.min_samples_split,
            min_gain: min_gain(params.criterion, params.min_impurity_decrease, rows),
            features: (0..cols).collect(),
            per_split: None,
        };
        let mut rng = StdRng::seed_from_u64(data.seed);
        let grown = grow_classes(
            &binned,
            yi,
            k,
            &weights,
            params.criterion,
            &grow_params,
            &mut rng,
        );
        let model = tree_model(&grown, &binned.bins, k, binned.has_missing());
        progress(Progress::fitted(None));
        let reference = BinWalk {
            bins: binned.bins,
            trees: vec![grown.without_rows()],
            k,
        };
        Ok((model, Box::new(reference)))
    }
}

/// The training matrix as a row-major slice.
pub(crate) fn matrix<'a>(data: &'a FitData<'_>) -> Result<(&'a [f64], usize, usize), TrainError> {
    let (rows, cols) = data.x.dim();
    let xs = data
        .x
        .as_slice()
        .ok_or_else(|| TrainError::Invalid("the feature matrix is not row-major".into()))?;
    Ok((xs, rows, cols))
}

/// The least gain of the grower, from scikit-learn's `min_impurity_decrease` (see the
/// module docs): the gains are `n ·` impurity decreases, the entropy's in nats.
pub(crate) fn min_gain(criterion: Criterion, decrease: f64, rows: usize) -> f64 {
    let n = rows as f64;
    match criterion {
        Criterion::Gini => decrease * n,
        Criterion::Entropy => decrease * n * std::f64::consts::LN_2,
    }
}

/// Grows one classification tree on the rows with a positive weight (the forest's
/// bootstrap counts; 1 for the tree). When no training row has a missing value, every
/// split sends missing values right, as the artifact's threshold walk does without
/// `missing` (see [`tree_model`]), so the trainer's own walk agrees with it.
pub(crate) fn grow_classes(
    binned: &Binned,
    y: &[usize],
    k: usize,
    weights: &[u32],
    criterion: Criterion,
    params: &GrowParams,
    rng: &mut StdRng,
) -> Grown {
    let mut stats = vec![0.0; y.len() * k];
    let mut rows = Vec::with_capacity(y.len());
    for (i, (&c, &w)) in y.iter().zip(weights).enumerate() {
        if w > 0 {
            stats[i * k + c] = w as f64;
            rows.push(i as u32);
        }
    }
    let criterion = match criterion {
        Criterion::Gini => hist::Criterion::Gini,
        Criterion::Entropy => hist::Criterion::Entropy,
    };
    let mut grown = grow(
        Partition {
            binned,
            stats: &stats,
            stride: k,
            rows,
        },
        criterion,
        params,
        rng,
    );
    if !binned.has_missing() {
        for n in &mut grown.nodes {
            n.missing_left = false;
        }
    }
    grown
}

/// A grown classification tree as node arrays: thresholds from the bins, the leaves'
/// class weights as frequencies, the most frequent class (the lowest on ties), and — when
/// `with_missing` (the training rows had missing values) — the child each split sends a
/// missing value to. Without, the artifact has no `missing` and keeps the shape of every
/// tree trained before missing values were learned.
pub(crate) fn tree_model(grown: &Grown, bins: &Bins, k: usize, with_missing: bool) -> TreeModel {
    let n = grown.nodes.len();
    let mut t = TreeModel {
        feature: Vec::with_capacity(n),
        threshold: Vec::with_capacity(n),
        left: Vec::with_capacity(n),
        right: Vec::with_capacity(n),
        class: Vec::with_capacity(n),
        distribution: Vec::with_capacity(n * k),
        n_classes: k,
        missing: None,
    };
    let mut missing = Vec::with_capacity(if with_missing { n } else { 0 });
    for node in &grown.nodes {
        match node.children {
            Some((l, r)) => {
                missing.push(if node.missing_left { l } else { r } as i64);
                t.feature.push(node.feature);
                t.threshold.push(bins.threshold(node.feature, node.bin));
                t.left.push(l as i64);
                t.right.push(r as i64);
                t.class.push(0);
                t.distribution.extend(std::iter::repeat_n(0.0, k));
            }
            None => {
                missing.push(-1);
                let (class, dist) = leaf_distribution(&node.stats);
                t.feature.push(0);
                t.threshold.push(0.0);
                t.left.push(-1);
                t.right.push(-1);
                t.class.push(class);
                t.distribution.extend(dist);
            }
        }
    }
    if with_missing {
        t.missing = Some(missing);
    }
    t
}

/// A leaf's most frequent class (the lowest on ties) and class frequencies.
fn leaf_distribution(counts: &[f64]) -> (usize, Vec<f64>) {
    let total: f64 = counts.iter().sum();
    let mut best = 0;
    for (c, &v) in counts.iter().enumerate() {
        if v > counts[best] {
            best = c;
        }
    }
    let dist = if total > 0.0 {
        counts.iter().map(|c| c / total).collect()
    } else {
        let mut d = vec![0.0; counts.len()];
        d[best] = 1.0;
        d
    };
    (best, dist)
}

/// The trainer's own prediction: the grown trees walked in bin space, leaf frequencies,
/// and for several trees the forest's vote.
pub(crate) struct BinWalk {
    pub(crate) bins: Bins,
    pub(crate) trees: Vec<Grown>,
    pub(crate) k: usize,
}

impl Reference for BinWalk {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        let cols = self.bins.cols();
        let mut codes = vec![0u8; cols];
        x.rows()
            .into_iter()
            .map(|row| {
                for (j, c) in codes.iter_mut().enumerate() {
                    *c = self.bins.bin(j, row[j]);
                }
                let leaves = self.trees.iter().map(|t| {
                    let leaf = t.leaf_of(&codes, &self.bins);
                    leaf_distribution(&t.nodes[leaf].stats)
                });
                if self.trees.len() == 1 {
                    let (class, probabilities) = leaves.into_iter().next().unwrap_or_default();
                    Prediction {
                        value: class as f64,
                        probabilities,
                    }
                } else {
                    let mut votes = vec![0usize; self.k];
                    for (class, _) in leaves {
                        votes[class] += 1;
                    }
                    crate::score::forest_vote(&votes)
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::models::{ModelKind, ModelParams};
    use crate::score::Model;
    use crate::train::{fit_matrix, Losses, Target};
    use crate::Matrix;

    /// Column `b` is missing exactly when the label is 1; `a` is noise.
    fn missing_means_one(n: usize) -> (Matrix, Target) {
        let mut data = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let one = i % 3 == 0;
            let a = ((i * 7919) % 1000) as f64;
            let b = if one {
                f64::NAN
            } else {
                ((i * 104_729) % 100) as f64
            };
            data.extend_from_slice(&[a, b]);
            y.push(usize::from(one));
        }
        let x = Matrix::new(n, 2, data, vec!["a".into(), "b".into()]).unwrap();
        let labels = vec!["0".into(), "1".into()];
        (x, Target::Classes { indices: y, labels })
    }

    fn fit(kind: ModelKind, pairs: &[&str], x: &Matrix, y: &Target) -> Model {
        let params = ModelParams::parse(kind, pairs).unwrap();
        fit_matrix(kind, &params, x, y, 3, Losses::Skip, &mut |_| {})
            .unwrap()
            .model()
            .clone()
    }

    /// The tree and the forest learn a column whose missingness is the label: the split on
    /// it sends missing values to the side of the ones, both walks (row and block) agree.
    #[test]
    fn a_column_missing_exactly_when_the_label_is_one_is_learned() {
        let (x, y) = missing_means_one(600);
        for (kind, pairs) in [
            (ModelKind::Tree, &["max_depth=3"][..]),
            (
                ModelKind::Forest,
                &["n_trees=5", "feature_proportion=0.5"][..],
            ),
        ] {
            let m = fit(kind, pairs, &x, &y);
            let trees = match &m {
                Model::Tree(t) => vec![t.clone()],
                Model::Forest(f) => f.trees.clone(),
                _ => unreachable!(),
            };
            assert!(trees.iter().all(|t| t.missing.is_some()), "{kind}");
            for row in [
                [5.0, f64::NAN],
                [900.0, f64::NAN],
                [5.0, 50.0],
                [900.0, 7.0],
            ] {
                let want = f64::from(row[1].is_nan());
                assert_eq!(m.predict_row(&row).unwrap().value, want, "{kind} {row:?}");
            }
            let (mut values, mut probs) = (Vec::new(), Vec::new());
            m.predict_batch_into(x.data(), 2, &mut values, &mut probs)
                .unwrap();
            for (r, v) in x.data().chunks_exact(2).zip(&values) {
                let one = m.predict_row(r).unwrap();
                assert_eq!(one.value.to_bits(), v.to_bits());
                assert_eq!(*v, f64::from(r[1].is_nan()), "{kind} {r:?}");
            }
        }
    }

    /// Without missing values in training, the artifact has no `missing` field (its JSON
    /// is the shape every earlier tree has), and a NaN goes right as it always did.
    #[test]
    fn without_missing_values_the_artifact_keeps_its_shape() {
        let (x, y) = missing_means_one(300);
        let filled: Vec<f64> = x
            .data()
            .iter()
            .map(|v| if v.is_nan() { 1000.0 } else { *v })
            .collect();
        let x = Matrix::new(300, 2, filled, vec!["a".into(), "b".into()]).unwrap();
        let Model::Tree(t) = fit(ModelKind::Tree, &["max_depth=3"], &x, &y) else {
            panic!()
        };
        assert!(t.missing.is_none());
        let json = serde_json::to_string(&t).unwrap();
        assert!(!json.contains("missing"), "{json}");
        // b ≥ 100 (the filled value) is the ones: a NaN goes right, to them
        assert_eq!(
            Model::Tree(t).predict_row(&[5.0, f64::NAN]).unwrap().value,
            1.0
        );
    }

    /// A tampered `missing` (wrong length, not a child of its node, set on a leaf) is
    /// refused when the artifact is checked.
    #[test]
    fn a_tampered_missing_child_is_refused() {
        let (x, y) = missing_means_one(300);
        let Model::Tree(t) = fit(ModelKind::Tree, &["max_depth=2"], &x, &y) else {
            panic!()
        };
        assert!(Model::Tree(t.clone()).validate(2).is_ok());
        let tampers: [fn(&mut Vec<i64>); 3] = [
            |m| {
                m.pop();
            },
            |m| m[0] = 0,
            |m| *m.last_mut().unwrap() = 0,
        ];
        for tamper in tampers {
            let mut bad = t.clone();
            tamper(bad.missing.as_mut().unwrap());
            assert!(Model::Tree(bad).validate(2).is_err());
        }
    }
}
