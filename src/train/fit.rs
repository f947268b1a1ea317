//! Fitting through linfa, and the extraction of linfa's fitted models into driftlab's plain
//! [`Model`] parameters. linfa's own objects stay private: the caller gets the plain model
//! and, for the parity check, linfa's predictions on any rows it asks for.
//!
//! # Binary logistic regression: beside linfa
//!
//! Two-class logistic regression is fitted here by [`fit_binary_logistic`], not by
//! linfa-logistic. On 100,000 × 20 rows linfa-logistic took about 1 s (natively; more in
//! Wasm) where scikit-learn's `LogisticRegression` takes about 0.3–0.6 s, and the time went
//! to the shape of the computation rather than to iterations: argmin asks for the loss and
//! the gradient separately (two passes over the rows per evaluation, each allocating
//! n-long temporaries) and ndarray computes `Xᵀ·r` as strided column dot products (twenty
//! passes over a column-major view of a row-major matrix, without BLAS). Loosening the
//! tolerance barely helped (1.1 s → 0.7 s). This trainer makes one fused pass per
//! evaluation (logit, loss and gradient accumulated row by row on the row-major matrix,
//! no allocation) inside a plain L-BFGS with scikit-learn's conventions:
//!
//! - the same objective as linfa and scikit-learn (`Σ log(1 + e^(−y·z)) + α/2·‖w‖²`,
//!   intercept unpenalised, `α = 1/C`), minimised on the per-row scale, as scikit-learn does;
//! - `gradient_tolerance` is scikit-learn's `tol`: stop when the largest component of the
//!   per-row gradient is at most `tol` (L-BFGS-B's `pgtol`), or when the loss improves by
//!   less than `64·ε` relative (its `ftol`); `max_iterations` is its `max_iter`;
//! - memory 10 (scipy's `maxcor`), backtracking Armijo line search from step 1 (a
//!   `1/‖g‖∞` step at the first iteration), curvature pairs with `sᵀy ≤ 0` skipped.
//!
//! It converges on 100,000 × 20 in the handful of iterations scikit-learn needs, to the same
//! optimum (the objective is strictly convex for `α > 0`). It uses `libm` for `exp` and
//! `log1p`, so native and Wasm builds train bit-identical models. The parity reference is
//! the trainer's own model evaluated the way linfa evaluated its fitted model (ndarray's
//! `x.dot(&w) + b`, then `1 / (1 + exp(−z))`), an arithmetic path independent of the scorer.
//! Multinomial logistic regression still goes through linfa-logistic.
//!
//! # Decision trees and forests: reproducible through a patched linfa-trees
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
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::params::{ModelKind, Params};
use super::{Progress, Target, TrainError};
use crate::score::{self, Kernel, Model, Prediction};

/// What linfa (or, for binary logistic regression, driftlab's own trainer) fitted, kept so
/// that its predictions can be compared with the scorer's.
pub(crate) enum Reference {
    /// Binary logistic regression from [`fit_binary_logistic`]: weights, intercept.
    Logistic(Array1<f64>, f64),
    MultiLogistic(linfa_logistic::MultiFittedLogisticRegression<f64, usize>),
    Linear(linfa_linear::FittedLinearRegression<f64>),
    ElasticNet(linfa_elasticnet::ElasticNet<f64>),
    Tree(linfa_trees::DecisionTree<f64, usize>),
    Forest(
        linfa_ensemble::EnsembleLearner<linfa_trees::DecisionTree<f64, usize>>,
        usize,
    ),
    GaussianNb(linfa_bayes::GaussianNb<f64, usize>),
    SvmClass(Vec<linfa_svm::Svm<f64, Pr>>, usize),
    SvmReg(linfa_svm::Svm<f64, f64>),
    Knn(Array2<f64>, Vec<f64>, usize, usize),
    KMeans(linfa_clustering::KMeans<f64, linfa_nn::distance::L2Dist>),
}

fn linfa_err(kind: ModelKind, e: impl std::fmt::Display) -> TrainError {
    TrainError::Fit {
        kind: kind.name(),
        message: e.to_string(),
    }
}

fn classes(y: &Target) -> Option<(&[usize], usize)> {
    match y {
        Target::Classes { indices, labels } => Some((indices, labels.len())),
        _ => None,
    }
}

/// Fits `kind` on `x` (rows × p, finite) and `y`, returning the plain model and linfa's
/// fitted object.
pub(crate) fn fit(
    kind: ModelKind,
    params: &Params,
    x: &Array2<f64>,
    y: &Target,
    seed: u64,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Model, Reference), TrainError> {
    let p = x.ncols();
    match kind {
        ModelKind::Logistic => {
            let (yi, k) = classes(y).ok_or(TrainError::NeedsClasses(kind.name()))?;
            let targets = Array1::from(yi.to_vec());
            let ds = DatasetBase::new(x.view(), targets);
            if k == 2 {
                let max_iterations = params.u64("max_iterations");
                let fit = fit_binary_logistic(
                    x.as_slice()
                        .ok_or_else(|| linfa_err(kind, "the matrix is not contiguous"))?,
                    p,
                    yi,
                    params.f64("alpha"),
                    params.bool("fit_intercept"),
                    params.u64("max_iterations"),
                    params.f64("gradient_tolerance"),
                    &mut |iteration, loss| {
                        // the page's loss chart draws one point per event with a loss
                        progress(Progress {
                            stage: "fit".into(),
                            step: iteration,
                            total: Some(max_iterations),
                            loss: Some(loss),
                        })
                    },
                );
                if !fit.loss.is_finite() || fit.weights.iter().any(|w| !w.is_finite()) {
                    return Err(linfa_err(
                        kind,
                        "the optimisation diverged; standardize the features or raise alpha",
                    ));
                }
                let model = score::LogisticModel {
                    n_classes: 2,
                    weights: fit.weights.clone(),
                    intercepts: vec![fit.intercept],
                    positive: 1,
                };
                // the last iteration's event carried the final loss already
                progress(Progress::fitted(None));
                Ok((
                    Model::Logistic(model),
                    Reference::Logistic(Array1::from(fit.weights), fit.intercept),
                ))
            } else {
                let fitted = linfa_logistic::MultiLogisticRegression::default()
                    .alpha(params.f64("alpha"))
                    .max_iterations(params.u64("max_iterations"))
                    .gradient_tolerance(params.f64("gradient_tolerance"))
                    .with_intercept(params.bool("fit_intercept"))
                    .fit(&ds)
                    .map_err(|e| linfa_err(kind, e))?;
                // linfa numbers classes by the sorted labels it saw: 0..k when all occur.
                if fitted.classes() != (0..k).collect::<Vec<_>>().as_slice() {
                    return Err(TrainError::MissingClass);
                }
                let mut weights = fitted.params().as_standard_layout().to_owned();
                let weights = std::mem::take(&mut weights).into_raw_vec_and_offset().0;
                let model = score::LogisticModel {
                    n_classes: k,
                    weights,
                    intercepts: fitted.intercept().to_vec(),
                    positive: 0,
                };
                progress(Progress::fitted(logistic_loss(
                    x,
                    yi,
                    &model,
                    params.f64("alpha"),
                )));
                Ok((Model::Logistic(model), Reference::MultiLogistic(fitted)))
            }
        }
        ModelKind::Linear => {
            let yv = values(y, kind)?;
            let ds = DatasetBase::new(x.view(), Array1::from(yv.to_vec()));
            let fitted = linfa_linear::LinearRegression::new()
                .with_intercept(params.bool("fit_intercept"))
                .fit(&ds)
                .map_err(|e| linfa_err(kind, e))?;
            let model = score::LinearModel {
                weights: fitted.params().to_vec(),
                intercept: fitted.intercept(),
            };
            progress(Progress::fitted(None));
            Ok((Model::Linear(model), Reference::Linear(fitted)))
        }
        ModelKind::Ridge | ModelKind::Lasso | ModelKind::Elasticnet => {
            let yv = values(y, kind)?;
            let ds = DatasetBase::new(x.view(), Array1::from(yv.to_vec()));
            let l1 = match kind {
                ModelKind::Ridge => 0.0,
                ModelKind::Lasso => 1.0,
                _ => params.f64("l1_ratio"),
            };
            let fitted = linfa_elasticnet::ElasticNet::params()
                .penalty(params.f64("alpha"))
                .l1_ratio(l1)
                .max_iterations(params.u64("max_iterations").min(u32::MAX as u64) as u32)
                .tolerance(params.f64("tolerance"))
                .with_intercept(params.bool("fit_intercept"))
                .fit(&ds)
                .map_err(|e| linfa_err(kind, e))?;
            let model = score::LinearModel {
                weights: fitted.hyperplane().to_vec(),
                intercept: fitted.intercept(),
            };
            progress(Progress::fitted(None));
            let model = match kind {
                ModelKind::Ridge => Model::Ridge(model),
                ModelKind::Lasso => Model::Lasso(model),
                _ => Model::Elasticnet(model),
            };
            Ok((model, Reference::ElasticNet(fitted)))
        }
        ModelKind::Tree => {
            let (yi, k) = classes(y).ok_or(TrainError::NeedsClasses(kind.name()))?;
            let ds = DatasetBase::new(x.view(), Array1::from(yi.to_vec()));
            let fitted = tree_params(params)
                .fit(&ds)
                .map_err(|e| linfa_err(kind, e))?;
            let all: Vec<usize> = (0..p).collect();
            let model = extract_tree(&fitted, &all, x, yi, k);
            progress(Progress::fitted(None));
            Ok((Model::Tree(model), Reference::Tree(fitted)))
        }
        ModelKind::Forest => {
            let (yi, k) = classes(y).ok_or(TrainError::NeedsClasses(kind.name()))?;
            let ds = DatasetBase::new(x.to_owned(), Array1::from(yi.to_vec()));
            // linfa-ensemble's fit, tree by tree, so that each tree is a progress event (and
            // a tree that fails is an error, where linfa-ensemble 0.8.1 unwraps): the same
            // seeded bootstrap draws (linfa's `bootstrap_with_indices`, rows then features)
            // in the same order, so the same forest as `EnsembleLearnerParams::fit`
            let n_trees = params.u64("n_trees") as usize;
            let sample = (
                (x.nrows() as f64 * params.f64("bootstrap_proportion")).ceil() as usize,
                (p as f64 * params.f64("feature_proportion")).ceil() as usize,
            );
            let tree = tree_params(params);
            let mut rng = StdRng::seed_from_u64(seed);
            let mut fitted = linfa_ensemble::EnsembleLearner {
                models: Vec::with_capacity(n_trees),
                model_features: Vec::with_capacity(n_trees),
            };
            for (train, _, features) in ds.bootstrap_with_indices(sample, &mut rng).take(n_trees) {
                fitted
                    .models
                    .push(tree.fit(&train).map_err(|e| linfa_err(kind, e))?);
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
            Ok((
                Model::Forest(score::ForestModel {
                    trees,
                    n_classes: k,
                }),
                Reference::Forest(fitted, k),
            ))
        }
        ModelKind::GaussianNb => {
            let (yi, k) = classes(y).ok_or(TrainError::NeedsClasses(kind.name()))?;
            if (0..k).any(|c| !yi.contains(&c)) {
                return Err(TrainError::MissingClass);
            }
            let ds = DatasetBase::new(x.view(), Array1::from(yi.to_vec()));
            let smoothing = params.f64("var_smoothing");
            let fitted = linfa_bayes::GaussianNb::params()
                .var_smoothing(smoothing)
                .fit(&ds)
                .map_err(|e| linfa_err(kind, e))?;
            // linfa keeps the statistics private; they are recomputed here with the same
            // ndarray operations (the parity test proves they agree).
            let var_all = x.var_axis(Axis(0), 0.0);
            let epsilon = smoothing * var_all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut means = Vec::with_capacity(k * p);
            let mut variances = Vec::with_capacity(k * p);
            let mut priors = Vec::with_capacity(k);
            for c in 0..k {
                let rows: Vec<usize> = (0..yi.len()).filter(|&i| yi[i] == c).collect();
                let xc = x.select(Axis(0), &rows);
                let mean = xc.mean_axis(Axis(0)).ok_or(TrainError::MissingClass)?;
                let var = xc.var_axis(Axis(0), 0.0);
                means.extend(mean.iter());
                variances.extend(var.iter().map(|v| v + epsilon));
                priors.push(rows.len() as f64 / yi.len() as f64);
            }
            progress(Progress::fitted(None));
            Ok((
                Model::GaussianNb(score::GaussianNbModel {
                    means,
                    variances,
                    priors,
                }),
                Reference::GaussianNb(fitted),
            ))
        }
        ModelKind::Svm => fit_svm(params, x, y, progress),
        ModelKind::Knn => {
            let k = params.u64("k") as usize;
            let (targets, n_classes) = match y {
                Target::Classes { indices, labels } => (
                    indices.iter().map(|&i| i as f64).collect::<Vec<_>>(),
                    labels.len(),
                ),
                Target::Values(v) => (v.clone(), 0),
                Target::None => return Err(TrainError::NeedsTarget(kind.name())),
            };
            let model = score::KnnModel {
                k,
                points: x.iter().copied().collect(),
                targets: targets.clone(),
                n_classes,
            };
            progress(Progress::fitted(None));
            Ok((
                Model::Knn(model),
                Reference::Knn(x.to_owned(), targets, k, n_classes),
            ))
        }
        ModelKind::Kmeans => {
            let k = params.u64("k") as usize;
            if k > x.nrows() {
                return Err(TrainError::Invalid(format!(
                    "kmeans k={k} is more than the {} training rows; lower k",
                    x.nrows()
                )));
            }
            let ds = DatasetBase::from(x.to_owned());
            let rng = StdRng::seed_from_u64(seed);
            let fitted = linfa_clustering::KMeans::params_with(k, rng, linfa_nn::distance::L2Dist)
                .n_runs(params.u64("n_runs") as usize)
                .max_n_iterations(params.u64("max_iterations"))
                .tolerance(params.f64("tolerance"))
                .fit(&ds)
                .map_err(|e| linfa_err(kind, e))?;
            let centroids = fitted.centroids().iter().copied().collect();
            progress(Progress::fitted(Some(fitted.inertia())));
            Ok((
                Model::Kmeans(score::KMeansModel {
                    n_features: p,
                    centroids,
                }),
                Reference::KMeans(fitted),
            ))
        }
    }
}

fn values(y: &Target, kind: ModelKind) -> Result<&[f64], TrainError> {
    match y {
        Target::Values(v) => Ok(v),
        _ => Err(TrainError::NeedsValues(kind.name())),
    }
}

fn tree_params(params: &Params) -> linfa_trees::DecisionTreeParams<f64, usize> {
    let depth = params.u64("max_depth") as usize;
    let quality = if params.text("criterion") == "entropy" {
        linfa_trees::SplitQuality::Entropy
    } else {
        linfa_trees::SplitQuality::Gini
    };
    let mut t = linfa_trees::DecisionTree::params()
        .split_quality(quality)
        .max_depth((depth > 0).then_some(depth));
    if params.values.contains_key("min_samples_split") {
        t = t
            .min_weight_split(params.f64("min_samples_split") as f32)
            .min_weight_leaf(params.f64("min_samples_leaf") as f32)
            .min_impurity_decrease(params.f64("min_impurity_decrease"));
    }
    t
}

/// Flattens a linfa tree into node arrays (pre-order, children after parents), mapping
/// feature indices through `features`, with leaf class frequencies from `x`/`y`.
fn extract_tree(
    tree: &linfa_trees::DecisionTree<f64, usize>,
    features: &[usize],
    x: &Array2<f64>,
    y: &[usize],
    k: usize,
) -> score::TreeModel {
    let mut t = score::TreeModel {
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

/// Reads `probability_coeffs: Some((a, b))` from linfa's `Debug` output: the Platt
/// coefficients are private in linfa-svm 0.8.1 and `Debug` prints floats exactly.
fn platt_coeffs<T: std::fmt::Debug>(svm: &linfa_svm::Svm<f64, T>) -> Option<(f64, f64)> {
    let text = format!("{svm:?}");
    let start = text.find("probability_coeffs: Some((")? + "probability_coeffs: Some((".len();
    let rest = &text[start..];
    let end = rest.find("))")?;
    let (a, b) = rest[..end].split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

fn kernel_of(params: &Params, x: &Array2<f64>) -> Kernel {
    match params.text("kernel") {
        "linear" => Kernel::Linear,
        "poly" => Kernel::Polynomial {
            constant: params.f64("coef0"),
            degree: params.f64("degree"),
        },
        _ => {
            let mut gamma = params.f64("gamma");
            if gamma == 0.0 {
                let n = x.len() as f64;
                let mean = x.sum() / n;
                let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                gamma = if var > 0.0 {
                    1.0 / (x.ncols() as f64 * var)
                } else {
                    1.0
                };
            }
            Kernel::Gaussian { eps: 1.0 / gamma }
        }
    }
}

fn svm_builder<T>(params: &Params, kernel: &Kernel) -> linfa_svm::SvmParams<f64, T> {
    let b = linfa_svm::Svm::<f64, T>::params().eps(params.f64("tolerance"));
    match *kernel {
        Kernel::Linear => b.linear_kernel(),
        Kernel::Gaussian { eps } => b.gaussian_kernel(eps),
        Kernel::Polynomial { constant, degree } => b.polynomial_kernel(constant, degree),
    }
}

/// The plain form of one fitted machine: support vectors and signed alphas (the training
/// rows whose |α| exceeds linfa's 100·ε cut), or the combined hyperplane for the linear kernel.
fn extract_machine<T>(
    svm: &linfa_svm::Svm<f64, T>,
    kernel: &Kernel,
    x: &Array2<f64>,
    targets: Option<&[bool]>,
) -> score::BinarySvm {
    let cut = 100.0 * f64::EPSILON;
    let p = x.ncols();
    let mut alpha = Vec::new();
    let mut support_vectors = Vec::new();
    let mut weights = Vec::new();
    if matches!(kernel, Kernel::Linear) {
        // linfa: w += target(i)·α_raw(i)·xᵢ over every training row, in order.
        let mut w = Array1::<f64>::zeros(p);
        for (i, row) in x.rows().into_iter().enumerate() {
            let signed = svm.alpha[i];
            let coef = match targets {
                // Classification: alpha is already signed by the target.
                Some(_) => signed,
                // Regression: the target sign is folded in by linfa as well.
                None => signed,
            };
            w.scaled_add(coef, &row);
        }
        weights = w.to_vec();
    } else {
        for (i, &a) in svm.alpha.iter().enumerate() {
            if a.abs() > cut {
                alpha.push(a);
                support_vectors.extend(x.row(i).iter());
            }
        }
    }
    score::BinarySvm {
        alpha,
        support_vectors,
        weights,
        rho: svm.rho,
        platt: None,
    }
}

fn fit_svm(
    params: &Params,
    x: &Array2<f64>,
    y: &Target,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Model, Reference), TrainError> {
    let kind = ModelKind::Svm;
    let kernel = kernel_of(params, x);
    let c = params.f64("c");
    match y {
        Target::Classes { indices, labels } => {
            let k = labels.len();
            let machines_for: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
            let mut fitted = Vec::new();
            let mut machines = Vec::new();
            for (step, &class) in machines_for.iter().enumerate() {
                let t: Vec<bool> = indices.iter().map(|&i| i == class).collect();
                if !t.iter().any(|&b| b) || t.iter().all(|&b| b) {
                    return Err(TrainError::MissingClass);
                }
                let ds = DatasetBase::new(x.clone(), Array1::from(t.clone()));
                let svm: linfa_svm::Svm<f64, Pr> = svm_builder::<Pr>(params, &kernel)
                    .pos_neg_weights(c, c)
                    .fit(&ds)
                    .map_err(|e| linfa_err(kind, e))?;
                let mut m = extract_machine(&svm, &kernel, x, Some(&t));
                m.platt = Some(platt_coeffs(&svm).ok_or_else(|| {
                    linfa_err(
                        kind,
                        "could not read the Platt coefficients of the fitted SVM",
                    )
                })?);
                machines.push(m);
                fitted.push(svm);
                progress(Progress {
                    stage: "fit".into(),
                    step: step as u64 + 1,
                    total: Some(machines_for.len() as u64),
                    loss: None,
                });
            }
            Ok((
                Model::Svm(score::SvmModel {
                    kernel,
                    n_features: x.ncols(),
                    machines,
                    n_classes: k,
                }),
                Reference::SvmClass(fitted, k),
            ))
        }
        Target::Values(v) => {
            let ds = DatasetBase::new(x.clone(), Array1::from(v.clone()));
            let svm: linfa_svm::Svm<f64, f64> = svm_builder::<f64>(params, &kernel)
                .c_svr(c, Some(params.f64("epsilon")))
                .fit(&ds)
                .map_err(|e| linfa_err(kind, e))?;
            let m = extract_machine(&svm, &kernel, x, None);
            progress(Progress::fitted(None));
            Ok((
                Model::Svm(score::SvmModel {
                    kernel,
                    n_features: x.ncols(),
                    machines: vec![m],
                    n_classes: 0,
                }),
                Reference::SvmReg(svm),
            ))
        }
        Target::None => Err(TrainError::NeedsTarget(kind.name())),
    }
}

/// The penalised training loss of a logistic model, as linfa minimises it (sum, not mean).
fn logistic_loss(
    x: &Array2<f64>,
    y: &[usize],
    m: &score::LogisticModel,
    alpha: f64,
) -> Option<f64> {
    let model = Model::Logistic(m.clone());
    let mut loss = 0.0;
    for (i, row) in x.rows().into_iter().enumerate() {
        let pr = model.predict_row(row.as_slice()?).ok()?;
        loss -= pr.probabilities.get(y[i])?.max(1e-300).ln();
    }
    let penalty: f64 = if m.n_classes == 2 {
        m.weights.iter().map(|w| w * w).sum()
    } else {
        m.weights.iter().map(|w| w * w).sum()
    };
    Some(loss + 0.5 * alpha * penalty)
}

impl Reference {
    /// linfa's predictions on `x` (shape checked by the caller).
    pub(crate) fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        let classes_only = |v: Vec<usize>| {
            v.into_iter()
                .map(|c| Prediction {
                    value: c as f64,
                    probabilities: Vec::new(),
                })
                .collect::<Vec<_>>()
        };
        match self {
            Reference::Logistic(w, b) => {
                // As linfa's FittedLogisticRegression: x·w + b, σ, class 1 when p ≥ 0.5.
                let z = x.dot(w) + *b;
                z.iter()
                    .map(|&z| {
                        let p = 1.0 / (1.0 + (-z).exp());
                        Prediction {
                            value: if p >= 0.5 { 1.0 } else { 0.0 },
                            probabilities: vec![1.0 - p, p],
                        }
                    })
                    .collect()
            }
            Reference::MultiLogistic(m) => {
                let classes: Array1<usize> = m.predict(x);
                let probs = m.predict_probabilities(x);
                classes
                    .iter()
                    .zip(probs.rows())
                    .map(|(&c, p)| Prediction {
                        value: c as f64,
                        probabilities: p.to_vec(),
                    })
                    .collect()
            }
            Reference::Linear(m) => {
                let v: Array1<f64> = m.predict(x);
                regression(v)
            }
            Reference::ElasticNet(m) => {
                let v: Array1<f64> = m.predict(x);
                regression(v)
            }
            Reference::Tree(m) => {
                let v: Array1<usize> = m.predict(x);
                classes_only(v.to_vec())
            }
            Reference::Forest(f, k) => {
                // linfa's own vote breaks ties by HashMap order (not reproducible); use each
                // tree's linfa prediction and the scorer's deterministic vote.
                let mut votes = vec![vec![0usize; *k]; x.nrows()];
                for (tree, feats) in f.models.iter().zip(&f.model_features) {
                    let sub = x.select(Axis(1), feats);
                    let v: Array1<usize> = tree.predict(&sub);
                    for (i, &c) in v.iter().enumerate() {
                        votes[i][c] += 1;
                    }
                }
                votes.iter().map(|v| score::forest_vote(v)).collect()
            }
            Reference::GaussianNb(m) => {
                let v: Array1<usize> = m.predict(x);
                let (probs, _classes) = {
                    use linfa_bayes::NaiveBayes;
                    m.predict_proba(x.view())
                };
                v.iter()
                    .zip(probs.rows())
                    .map(|(&c, p)| Prediction {
                        value: c as f64,
                        probabilities: p.to_vec(),
                    })
                    .collect()
            }
            Reference::SvmClass(machines, k) => {
                let per: Vec<Array1<Pr>> = machines.iter().map(|m| m.predict(x)).collect();
                (0..x.nrows())
                    .map(|i| {
                        let probs: Vec<f64> = per.iter().map(|p| *p[i] as f64).collect();
                        score::svm_combine(&probs, *k)
                    })
                    .collect()
            }
            Reference::SvmReg(m) => {
                let v: Array1<f64> = m.predict(x);
                regression(v)
            }
            Reference::Knn(points, targets, k, n_classes) => {
                use linfa_nn::{distance::L2Dist, LinearSearch, NearestNeighbour};
                let index = match LinearSearch::new().from_batch(points, L2Dist) {
                    Ok(i) => i,
                    Err(_) => return Vec::new(),
                };
                x.rows()
                    .into_iter()
                    .map(|row| {
                        let found = index.k_nearest(row, *k).unwrap_or_default();
                        let t: Vec<f64> = found.iter().map(|(_, i)| targets[*i]).collect();
                        score::knn_combine(&t, *n_classes)
                    })
                    .collect()
            }
            Reference::KMeans(m) => {
                let v: Array1<usize> = m.predict(x);
                classes_only(v.to_vec())
            }
        }
    }
}

fn regression(v: Array1<f64>) -> Vec<Prediction> {
    v.into_iter()
        .map(|value| Prediction {
            value,
            probabilities: Vec::new(),
        })
        .collect()
}

/// A view as an owned standard-layout matrix.
pub(crate) fn to_array(rows: usize, cols: usize, data: &[f64]) -> Result<Array2<f64>, TrainError> {
    ArrayView2::from_shape((rows, cols), data)
        .map(|v| v.to_owned())
        .map_err(|e| TrainError::Invalid(format!("feature matrix shape: {e}")))
}

/// A binary logistic regression fitted by [`fit_binary_logistic`].
pub(crate) struct LogisticFit {
    /// One weight per feature (of class 1's logit).
    pub weights: Vec<f64>,
    /// The intercept (0 without one).
    pub intercept: f64,
    /// The penalised loss on linfa's scale: `Σ log(1 + e^(−y·z)) + α/2·‖w‖²`.
    pub loss: f64,
}

/// One fused pass over the rows: the per-row loss `f` and its gradient `g` at
/// `theta = [w; b]` (see the module docs). `y` is ±1.
fn logistic_loss_grad(
    x: &[f64],
    p: usize,
    y: &[f64],
    alpha: f64,
    theta: &[f64],
    g: &mut [f64],
) -> f64 {
    let n = y.len();
    let (w, b) = (&theta[..p], theta.get(p).copied().unwrap_or(0.0));
    g.iter_mut().for_each(|v| *v = 0.0);
    let mut loss = 0.0;
    let mut gb = 0.0;
    {
        let gw = &mut g[..p];
        for (row, &yi) in x.chunks_exact(p).zip(y) {
            let t = yi * (score::dot(row, w) + b);
            // log(1 + e^(−t)) and σ(−t), from one exponential of −|t|.
            let e = libm::exp(-t.abs());
            let (l, s) = if t >= 0.0 {
                (libm::log1p(e), e / (1.0 + e))
            } else {
                (libm::log1p(e) - t, 1.0 / (1.0 + e))
            };
            loss += l;
            let r = -s * yi;
            gb += r;
            for (gj, xj) in gw.iter_mut().zip(row) {
                *gj += r * xj;
            }
        }
    }
    let inv = 1.0 / n as f64;
    let mut penalty = 0.0;
    for (gj, wj) in g[..p].iter_mut().zip(w) {
        *gj = (*gj + alpha * wj) * inv;
        penalty += wj * wj;
    }
    if let Some(gb_slot) = g.get_mut(p) {
        *gb_slot = gb * inv;
    }
    (loss + 0.5 * alpha * penalty) * inv
}

/// Binary logistic regression by L-BFGS over [`logistic_loss_grad`]: `x` is `n × p`
/// row-major, `y` holds class indices 0/1 (class 1 is the positive class). See the module
/// docs for the objective and the stopping rules (scikit-learn's).
///
/// `on_iteration(i, loss)` is called with the loss on linfa's scale (the value of
/// [`LogisticFit::loss`]) at the start (`i = 0`) and after every accepted step (`i = 1, 2,
/// …`); the Armijo line search makes each one strictly lower than the one before.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_binary_logistic(
    x: &[f64],
    p: usize,
    y: &[usize],
    alpha: f64,
    intercept: bool,
    max_iterations: u64,
    tolerance: f64,
    on_iteration: &mut dyn FnMut(u64, f64),
) -> LogisticFit {
    const MEMORY: usize = 10;
    let n = y.len();
    let d = p + usize::from(intercept);
    let ys: Vec<f64> = y.iter().map(|&c| if c == 1 { 1.0 } else { -1.0 }).collect();
    let mut theta = vec![0.0; d];
    let mut g = vec![0.0; d];
    let mut f = logistic_loss_grad(x, p, &ys, alpha, &theta, &mut g);
    on_iteration(0, f * n as f64);
    let (mut s_hist, mut y_hist, mut rho_hist): (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut direction = vec![0.0; d];
    let mut trial = vec![0.0; d];
    let mut g_trial = vec![0.0; d];
    let mut alphas = vec![0.0; MEMORY];
    let max_abs = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let mut iterations = 0;
    while iterations < max_iterations && max_abs(&g) > tolerance {
        // Two-loop recursion: direction = −H·g.
        direction.copy_from_slice(&g);
        let pairs = s_hist.iter().zip(&y_hist).zip(&rho_hist);
        for (((s, yv), rho), a) in pairs.zip(alphas.iter_mut()).rev() {
            *a = rho * score::dot(s, &direction);
            for (q, yj) in direction.iter_mut().zip(yv) {
                *q -= *a * yj;
            }
        }
        if let (Some(s), Some(yv)) = (s_hist.last(), y_hist.last()) {
            let gamma = score::dot(s, yv) / score::dot(yv, yv);
            direction.iter_mut().for_each(|q| *q *= gamma);
        }
        let pairs = s_hist.iter().zip(&y_hist).zip(&rho_hist);
        for (((s, yv), rho), a) in pairs.zip(&alphas) {
            let beta = rho * score::dot(yv, &direction);
            for (q, sj) in direction.iter_mut().zip(s) {
                *q += sj * (a - beta);
            }
        }
        direction.iter_mut().for_each(|q| *q = -*q);
        let mut slope = score::dot(&g, &direction);
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
            for (q, gv) in direction.iter_mut().zip(&g) {
                *q = -gv;
            }
            slope = -score::dot(&g, &g);
        }
        // Backtracking Armijo line search.
        let mut step = if s_hist.is_empty() {
            1.0f64.min(1.0 / max_abs(&g))
        } else {
            1.0
        };
        let mut accepted = None;
        for _ in 0..50 {
            for ((t, th), dv) in trial.iter_mut().zip(&theta).zip(&direction) {
                *t = th + step * dv;
            }
            let ft = logistic_loss_grad(x, p, &ys, alpha, &trial, &mut g_trial);
            if ft.is_finite() && ft <= f + 1e-4 * step * slope {
                accepted = Some(ft);
                break;
            }
            step *= 0.5;
        }
        let Some(f_new) = accepted else { break };
        iterations += 1;
        let s_new: Vec<f64> = trial.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let y_new: Vec<f64> = g_trial.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = score::dot(&s_new, &y_new);
        if sy > 1e-10 * score::dot(&y_new, &y_new) {
            if s_hist.len() == MEMORY {
                s_hist.remove(0);
                y_hist.remove(0);
                rho_hist.remove(0);
            }
            s_hist.push(s_new);
            y_hist.push(y_new);
            rho_hist.push(1.0 / sy);
        }
        theta.copy_from_slice(&trial);
        g.copy_from_slice(&g_trial);
        let f_old = f;
        f = f_new;
        on_iteration(iterations, f * n as f64);
        if (f_old - f) / f_old.abs().max(f.abs()).max(1.0) <= 64.0 * f64::EPSILON {
            break;
        }
    }
    let intercept_value = if intercept { theta[p] } else { 0.0 };
    theta.truncate(p);
    LogisticFit {
        weights: theta,
        intercept: intercept_value,
        loss: f * n as f64,
    }
}
