//! Live training: a network trained a few epochs at a time while the page draws it.
//!
//! [`LiveTraining`] prepares a request exactly as [`train`](super::train) does (the same
//! seeded split, the same fitted pipeline, feature crosses included) and then holds a
//! [`MlpTrainer`] that the caller steps: [`LiveTraining::step`] runs some epochs and
//! returns a [`LiveFrame`] (epoch, train and test loss over every row, the weights for the
//! network diagram, and why training stopped if the loss stopped being a number);
//! [`LiveTraining::neurons`] evaluates the current network on a grid over its two inputs,
//! for a picture of every neuron (the inputs' features, each hidden neuron, the output);
//! [`LiveTraining::finish`] makes the artifact of the network as it stands, which is the
//! artifact [`train`](super::train) gives for the same request with `epochs` set to the
//! epochs run, bit for bit (`tests/live_training.rs`), so a link that names the epoch
//! reproduces the run and the model deploys like any other.
//!
//! The core computes the numbers; the Wasm facade paints them (`src/wasm/live.rs`). A
//! 4-4-2 tanh network on 500 two-input rows with a 40 × 40 grid costs well under a
//! millisecond per epoch and a frame natively, so the page's frame rate is set by what it
//! draws, not by the training.
//!
//! # Logistic regression and boosting
//!
//! The same view serves two more families, a frame per step of their own trainers, with
//! their trainers untouched:
//!
//! - **Logistic regression**, a frame per L-BFGS iteration. The solver is deterministic and
//!   its iteration `i` does not depend on how many follow, so the model after `i`
//!   iterations is the one a fit with `max_iterations = i` returns: each frame refits with
//!   the iterations run so far (`i` iterations on a few hundred two-input rows cost
//!   microseconds; a hundred frames cost a few milliseconds in all). The run ends where the
//!   solver stops on its own (tolerance, a flat loss) or at `max_iterations`. There are no
//!   hidden neurons: the diagram links each input to the output(s) with its weight.
//! - **Boosting**, a frame per tree (per iteration: one tree per class past two). The run is
//!   fitted once when it starts (its trees, and the validation loss of each iteration from
//!   the trainer's progress events), and frame `i` is [`BoostingModel::truncated`]`(i)`: the
//!   first `i` iterations' trees, which are the trees a fit with `n_iterations = i` grows
//!   (the seeded draws of an iteration do not depend on how many follow). The run ends at
//!   the trees the fit kept (early stopping keeps those up to the best validation loss).
//!   Links carry no weights (a tree has none).
//!
//! [`LiveTraining::finish`] for these two refits with the count of the frame on screen
//! (`max_iterations` or `n_iterations`), or with the request as given when the run reached
//! its end, and packs the artifact as [`train`](super::train) does: the same artifact as
//! Train for that request, by construction. With early stopping, boosting stopped at tree
//! `i` gives Train's model for `n_iterations = i`, which keeps the best of those `i`
//! iterations (fewer trees when the validation loss rose before `i`).

use serde::Serialize;

use super::{
    conclude, fit_prepared, prepare, target_and_split, Fitted, Holdout, Losses, Prepared, Target,
    TrainError, TrainRequest,
};
use crate::artifact::Artifact;
use crate::decision_grid::padded_range;
use crate::models::boosting::BoostingModel;
use crate::models::logistic::LogisticModel;
use crate::models::mlp::fit::{reference, MlpTarget};
use crate::models::mlp::{MlpParams, MlpTrainer};
use crate::models::{Model, ModelKind, ModelParams};
use crate::prep::FittedStep;
use crate::table::{Cell, Table};

use super::Evaluation;

/// What the page draws after some epochs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct LiveFrame {
    /// Steps run: epochs (network), L-BFGS iterations (logistic) or boosting iterations.
    pub epoch: u64,
    /// The loss on the training rows (every row, after the step): the network's own (a
    /// regressor's on the standardised target); the mean log loss for logistic regression
    /// and boosted classifiers, the mean squared error for boosted regressors.
    pub train_loss: f64,
    /// The loss on the test rows.
    pub test_loss: f64,
    /// Boosting's loss on the training rows it held out to stop early (its trainer's own
    /// figure for this iteration); `None` for the other families or without early stopping.
    pub validation_loss: Option<f64>,
    /// Whether the run can go no further: the epochs reached, the solver converged, the
    /// trees all shown, or a divergence.
    pub done: bool,
    /// The value of [`LiveStart`](crate::workbench::LiveStart)'s `param` that reproduces
    /// this frame's model with Train (the request's own value once the run is done).
    pub repro: u64,
    /// Why training stopped, when the loss stopped being a number (the network keeps the
    /// last good epoch's weights).
    pub diverged: Option<String>,
    /// Neurons per layer, inputs (features) first.
    pub sizes: Vec<usize>,
    /// Per layer, the weights, row-major by the neuron they feed (see
    /// [`MlpModel`](crate::models::mlp::MlpModel)).
    pub weights: Vec<Vec<f64>>,
    /// Per layer, the biases.
    pub biases: Vec<Vec<f64>>,
}

/// Every neuron of the network on a grid over its two inputs, as colour values in
/// [−1, 1]: the features scaled by their largest magnitude on the grid, hidden neurons'
/// outputs clamped, and the output as `2p − 1` for each class's probability (a regressor's
/// standardised value halved and clamped).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct LiveNeurons {
    /// Cells per side.
    pub size: usize,
    /// The input on the horizontal axis.
    pub x: String,
    /// The input on the vertical axis.
    pub y: String,
    /// Horizontal range of the grid (the data's, padded by 5 %).
    pub x_range: [f64; 2],
    /// Vertical range.
    pub y_range: [f64; 2],
    /// Neurons, in layer order (features, hidden layers, outputs).
    pub neurons: usize,
    /// `neurons × size × size` values, neuron after neuron, each row-major from the top
    /// row (so they paint as an image).
    pub values: Vec<f32>,
}

/// A training or test row drawn over the output's picture.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct LivePoint {
    /// Horizontal input.
    pub x: f64,
    /// Vertical input.
    pub y: f64,
    /// The class index, or the value.
    pub target: f64,
    /// Whether the row is a test row.
    pub test: bool,
}

/// The grid's rows through the pipeline, computed once.
#[derive(Clone, Debug)]
struct Grid {
    size: usize,
    x: String,
    y: String,
    x_range: [f64; 2],
    y_range: [f64; 2],
    features: Vec<f64>,
}

/// A network being trained step by step (see the module docs).
#[derive(Clone, Debug)]
pub struct LiveTraining {
    request: TrainRequest,
    target: Target,
    prepared: Prepared,
    learner: Learner,
    grid: Option<Grid>,
    points: Vec<LivePoint>,
}

/// What steps: the network's trainer, or the model after the steps run so far.
#[derive(Clone, Debug)]
enum Learner {
    Mlp(Box<MlpTrainer>),
    Logistic {
        /// The fit with `max_iterations` = `steps` (zero weights before the first).
        model: LogisticModel,
        steps: u64,
        /// The solver stopped on its own before the steps asked.
        converged: bool,
    },
    Boosting {
        /// The whole run, fitted at the start.
        full: BoostingModel,
        /// The trainer's validation loss per iteration.
        validation: Vec<Option<f64>>,
        steps: u64,
    },
}

fn mlp_target(t: &Target) -> Result<MlpTarget<'_>, TrainError> {
    match t {
        Target::Classes { indices, labels } => Ok(MlpTarget::Classes(indices, labels.len())),
        Target::Values(v) => Ok(MlpTarget::Values(v)),
        Target::None => Err(TrainError::NeedsTarget("mlp")),
    }
}

impl LiveTraining {
    /// Prepares `request` (an `mlp` request) on `table` as [`train`](super::train) does and
    /// starts an untrained network; `grid` cells per side (clamped to 8–128) for
    /// [`LiveTraining::neurons`] when the pipeline has exactly two numeric inputs.
    pub fn new(
        table: &Table,
        request: &TrainRequest,
        grid: usize,
    ) -> Result<LiveTraining, TrainError> {
        let kind = request.kind;
        if !matches!(
            kind,
            ModelKind::Mlp | ModelKind::Logistic | ModelKind::Boosting
        ) {
            return Err(TrainError::Invalid(format!(
                "the live view trains neural networks (mlp), logistic regression and boosting, not {kind}; train {kind} with the Train button"
            )));
        }
        if request.params.kind() != kind {
            return Err(TrainError::Invalid(format!(
                "the parameters are {}'s but the kind is {kind}",
                request.params.kind()
            )));
        }
        request.params.validate()?;
        let (target, train_rows, test_rows) = target_and_split(table, request)?;
        let prepared = prepare(
            table,
            request,
            &target,
            train_rows,
            Holdout::Rows(test_rows),
        )?;
        let learner = match &request.params {
            ModelParams::Mlp(params) => {
                Learner::Mlp(Box::new(Self::network(params, &prepared, request.seed)?))
            }
            ModelParams::Logistic(_) => {
                let k = classes_of(&prepared.y_train, "logistic")?;
                // the checks (and errors) of Train, on a one-iteration fit
                let mut one = request.clone();
                if let ModelParams::Logistic(p) = &mut one.params {
                    p.max_iterations = 1;
                }
                fit_prepared(&one, &prepared, Losses::Skip, &mut |_| {})?;
                let width = prepared.x_train.cols();
                let outputs = if k == 2 { 1 } else { k };
                Learner::Logistic {
                    model: LogisticModel {
                        n_classes: k,
                        weights: vec![0.0; width * outputs],
                        intercepts: vec![0.0; outputs],
                        positive: usize::from(k == 2),
                    },
                    steps: 0,
                    converged: false,
                }
            }
            ModelParams::Boosting(_) => {
                let mut validation = Vec::new();
                // each frame's losses are computed by the view itself (`frame`)
                let fitted = fit_prepared(request, &prepared, Losses::Skip, &mut |p| {
                    if p.stage == "fit" && p.step > 0 {
                        validation.push(p.validation_loss);
                    }
                })?;
                let Model::Boosting(full) = fitted.into_model() else {
                    return Err(TrainError::Invalid("boosting fitted another kind".into()));
                };
                Learner::Boosting {
                    full,
                    validation,
                    steps: 0,
                }
            }
            other => {
                return Err(TrainError::Invalid(format!(
                    "the live view does not train {}",
                    other.kind()
                )))
            }
        };
        let grid = Self::grid(table, &prepared, grid)?;
        let points = match &grid {
            Some(g) => Self::points(table, &prepared, &target, &g.x, &g.y),
            None => Vec::new(),
        };
        Ok(LiveTraining {
            request: request.clone(),
            target,
            prepared,
            learner,
            grid,
            points,
        })
    }

    /// A fresh network for `params` on the prepared rows, after the checks `fit_matrix`
    /// makes before a trainer runs.
    fn network(
        params: &MlpParams,
        prepared: &Prepared,
        seed: u64,
    ) -> Result<MlpTrainer, TrainError> {
        if prepared.x_train.rows() < 2 {
            return Err(TrainError::TooFewRows {
                kind: "mlp",
                needed: 2,
                got: prepared.x_train.rows(),
            });
        }
        if let Some(i) = prepared.x_train.data().iter().position(|v| !v.is_finite()) {
            return Err(TrainError::NotFinite {
                row: i / prepared.x_train.cols().max(1),
                what: "a feature",
            });
        }
        if let Target::Classes { indices, labels } = &prepared.y_train {
            let mut seen = vec![false; labels.len()];
            indices.iter().for_each(|&i| seen[i] = true);
            if seen.iter().filter(|&&s| s).count() < 2 {
                return Err(TrainError::MissingClass);
            }
        }
        MlpTrainer::new(
            params,
            prepared.x_train.data(),
            prepared.x_train.cols(),
            mlp_target(&prepared.y_train)?,
            seed,
        )
        .map_err(|message| TrainError::Fit {
            kind: "mlp",
            message,
        })
    }

    fn grid(table: &Table, prepared: &Prepared, size: usize) -> Result<Option<Grid>, TrainError> {
        let inputs = &prepared.pipeline.inputs;
        let numeric = |i: usize| matches!(inputs[i].step, FittedStep::Numeric { .. });
        if inputs.len() != 2 || !numeric(0) || !numeric(1) {
            return Ok(None);
        }
        let size = size.clamp(8, 128);
        let (x, y) = (inputs[0].name.clone(), inputs[1].name.clone());
        let range =
            |c: &str| padded_range(table, c).map_err(|e| TrainError::Invalid(e.to_string()));
        let (x_range, y_range) = (range(&x)?, range(&y)?);
        let mut features = Vec::with_capacity(size * size * prepared.pipeline.width());
        let mut warnings = Vec::new();
        for j in 0..size {
            // from the top row down, as an image
            let gy = y_range[1] - (j as f64 + 0.5) * (y_range[1] - y_range[0]) / size as f64;
            for i in 0..size {
                let gx = x_range[0] + (i as f64 + 0.5) * (x_range[1] - x_range[0]) / size as f64;
                prepared.pipeline.transform_row_into(
                    &[Cell::Number(gx), Cell::Number(gy)],
                    0,
                    &mut features,
                    &mut warnings,
                )?;
                warnings.clear();
            }
        }
        Ok(Some(Grid {
            size,
            x,
            y,
            x_range,
            y_range,
            features,
        }))
    }

    fn points(
        table: &Table,
        prepared: &Prepared,
        target: &Target,
        x: &str,
        y: &str,
    ) -> Vec<LivePoint> {
        let (Some(xc), Some(yc)) = (table.column(x), table.column(y)) else {
            return Vec::new();
        };
        let rows = prepared
            .train_rows
            .iter()
            .map(|&r| (r, false))
            .chain(prepared.test_rows.iter().map(|&r| (r, true)));
        rows.filter_map(|(r, test)| {
            let (Some(Cell::Number(a)), Some(Cell::Number(b))) = (xc.get(r), yc.get(r)) else {
                return None;
            };
            let t = match target {
                Target::Classes { indices, .. } => *indices.get(r)? as f64,
                Target::Values(v) => *v.get(r)?,
                Target::None => return None,
            };
            Some(LivePoint {
                x: a,
                y: b,
                target: t,
                test,
            })
        })
        .collect()
    }

    /// Runs up to `steps` more steps (epochs, iterations or trees; none once the run is
    /// done) and returns the frame.
    pub fn step(&mut self, steps: u64) -> Result<LiveFrame, TrainError> {
        match &mut self.learner {
            Learner::Mlp(trainer) => {
                for _ in 0..steps {
                    if trainer.epoch().diverged.is_some() {
                        break;
                    }
                }
            }
            Learner::Logistic {
                model,
                steps: run,
                converged,
            } => {
                let max = match &self.request.params {
                    ModelParams::Logistic(p) => p.max_iterations,
                    _ => 0,
                };
                let want = run.saturating_add(steps).min(max);
                if !*converged && want > *run {
                    let mut request = self.request.clone();
                    if let ModelParams::Logistic(p) = &mut request.params {
                        p.max_iterations = want;
                    }
                    // the solver reports each accepted step; it may stop before `want`
                    let mut done = 0;
                    let fitted =
                        fit_prepared(&request, &self.prepared, Losses::Report, &mut |p| {
                            if p.stage == "fit" && p.loss.is_some() {
                                done = done.max(p.step);
                            }
                        })?;
                    if let Model::Logistic(m) = fitted.into_model() {
                        *model = m;
                    }
                    *converged = done < want;
                    *run = done.min(want);
                }
            }
            Learner::Boosting {
                full, steps: run, ..
            } => {
                let trees = (full.trees.len() / full.outputs().max(1)) as u64;
                *run = run.saturating_add(steps).min(trees);
            }
        }
        Ok(self.frame())
    }

    /// The model after the steps run (the network's in scoring form).
    fn model(&self) -> Model {
        match &self.learner {
            Learner::Mlp(trainer) => Model::Mlp(trainer.model()),
            Learner::Logistic { model, .. } => Model::Logistic(model.clone()),
            Learner::Boosting { full, steps, .. } => {
                Model::Boosting(full.truncated(usize::try_from(*steps).unwrap_or(usize::MAX)))
            }
        }
    }

    /// The current frame, without training.
    pub fn frame(&self) -> LiveFrame {
        match &self.learner {
            Learner::Mlp(trainer) => {
                let net = trainer.network();
                let loss = |x: &crate::Matrix, y: &Target| match mlp_target(y) {
                    Ok(t) if x.rows() > 0 => trainer.loss_on(x.data(), t),
                    _ => f64::NAN,
                };
                let epochs = match &self.request.params {
                    ModelParams::Mlp(p) => p.epochs,
                    _ => 0,
                };
                LiveFrame {
                    epoch: trainer.epochs(),
                    train_loss: loss(&self.prepared.x_train, &self.prepared.y_train),
                    test_loss: loss(&self.prepared.x_test, &self.prepared.y_test),
                    validation_loss: None,
                    done: trainer.diverged().is_some() || trainer.epochs() >= epochs,
                    repro: trainer.epochs().max(1),
                    diverged: trainer.diverged().map(str::to_owned),
                    sizes: net.sizes.clone(),
                    weights: net.weights.clone(),
                    biases: net.biases.clone(),
                }
            }
            Learner::Logistic {
                model,
                steps,
                converged,
            } => {
                let p = self.prepared.x_train.cols();
                let max = match &self.request.params {
                    ModelParams::Logistic(q) => q.max_iterations,
                    _ => 0,
                };
                let done = *converged || *steps >= max;
                // one output neuron per class past two, row-major by output
                let (outputs, weights) = if model.n_classes == 2 {
                    (1, model.weights.clone())
                } else {
                    let k = model.n_classes;
                    let mut w = vec![0.0; k * p];
                    for j in 0..p {
                        for c in 0..k {
                            w[c * p + j] = model.weights.get(j * k + c).copied().unwrap_or(0.0);
                        }
                    }
                    (k, w)
                };
                LiveFrame {
                    epoch: *steps,
                    train_loss: self.loss(&self.prepared.x_train, &self.prepared.y_train),
                    test_loss: self.loss(&self.prepared.x_test, &self.prepared.y_test),
                    validation_loss: None,
                    done,
                    repro: if done { max } else { (*steps).max(1) },
                    diverged: None,
                    sizes: vec![p, outputs],
                    weights: vec![weights],
                    biases: vec![model.intercepts.clone()],
                }
            }
            Learner::Boosting {
                full,
                validation,
                steps,
            } => {
                let p = self.prepared.x_train.cols();
                let trees = (full.trees.len() / full.outputs().max(1)) as u64;
                let iterations = match &self.request.params {
                    ModelParams::Boosting(q) => q.n_iterations,
                    _ => 0,
                };
                let done = *steps >= trees;
                let at = usize::try_from(*steps).unwrap_or(usize::MAX);
                LiveFrame {
                    epoch: *steps,
                    train_loss: self.loss(&self.prepared.x_train, &self.prepared.y_train),
                    test_loss: self.loss(&self.prepared.x_test, &self.prepared.y_test),
                    validation_loss: at
                        .checked_sub(1)
                        .and_then(|i| validation.get(i).copied().flatten()),
                    done,
                    repro: if done { iterations } else { (*steps).max(1) },
                    diverged: None,
                    sizes: vec![p, full.outputs()],
                    weights: vec![Vec::new()],
                    biases: vec![vec![0.0; full.outputs()]],
                }
            }
        }
    }

    /// The mean loss of the current (logistic or boosted) model on `x`: log loss for
    /// classes (probabilities kept off 0 by 10⁻¹⁵, as scikit-learn's `log_loss` does), the
    /// squared error for values.
    fn loss(&self, x: &crate::Matrix, y: &Target) -> f64 {
        if x.rows() == 0 {
            return f64::NAN;
        }
        let Ok(predictions) = self.model().predict_batch(x.data(), x.cols()) else {
            return f64::NAN;
        };
        let total: f64 = match y {
            Target::Classes { indices, .. } => predictions
                .iter()
                .zip(indices)
                .map(|(p, &c)| {
                    -p.probabilities
                        .get(c)
                        .copied()
                        .unwrap_or(0.0)
                        .clamp(1e-15, 1.0)
                        .ln()
                })
                .sum(),
            Target::Values(v) => predictions
                .iter()
                .zip(v)
                .map(|(p, t)| (p.value - t) * (p.value - t))
                .sum(),
            Target::None => return f64::NAN,
        };
        total / predictions.len().max(1) as f64
    }

    /// The feature names (the input neurons' labels).
    pub fn features(&self) -> &[String] {
        &self.prepared.pipeline.features
    }

    /// The class labels (empty for a regressor).
    pub fn classes(&self) -> Vec<String> {
        match &self.target {
            Target::Classes { labels, .. } => labels.clone(),
            _ => Vec::new(),
        }
    }

    /// The training and test rows over the two inputs (empty without a grid).
    pub fn live_points(&self) -> &[LivePoint] {
        &self.points
    }

    /// Every neuron on the grid (see [`LiveNeurons`]); `None` unless the data has exactly
    /// two numeric inputs.
    pub fn neurons(&self) -> Option<LiveNeurons> {
        let g = self.grid.as_ref()?;
        let cells = g.size * g.size;
        let (p, mut values) = match &self.learner {
            Learner::Mlp(trainer) => Self::network_values(trainer, g),
            _ => self.output_values(g)?,
        };
        let total = values.len() / cells.max(1);
        // the input features: scaled by their largest magnitude over the grid
        for k in 0..p {
            let cells_of = &mut values[k * cells..(k + 1) * cells];
            let peak = g
                .features
                .chunks_exact(p)
                .fold(0.0f64, |m, r| m.max(r[k].abs()));
            for (v, r) in cells_of.iter_mut().zip(g.features.chunks_exact(p)) {
                *v = if peak > 0.0 {
                    (r[k] / peak) as f32
                } else {
                    0.0
                };
            }
        }
        Some(LiveNeurons {
            size: g.size,
            x: g.x.clone(),
            y: g.y.clone(),
            x_range: g.x_range,
            y_range: g.y_range,
            neurons: total,
            values,
        })
    }

    /// Every neuron of the network on the grid (see [`LiveNeurons`]; the features' own
    /// values are filled in by the caller); and the number of features.
    fn network_values(trainer: &MlpTrainer, g: &Grid) -> (usize, Vec<f32>) {
        let net = trainer.network();
        let p = net.sizes[0];
        let cells = g.size * g.size;
        let total: usize = net.sizes.iter().sum();
        let mut values = vec![0f32; total * cells];
        let mut acts = Vec::new();
        let mut probs = Vec::new();
        let last = net.sizes.len() - 1;
        for (c, row) in g.features.chunks_exact(p).enumerate() {
            net.forward_into(row, &mut acts);
            let mut at = 0;
            for (l, layer) in acts.iter().enumerate() {
                let out: &[f64] = if l == last && net.n_classes > 0 {
                    probs.clear();
                    probs.extend_from_slice(layer);
                    crate::score::softmax_in_place(&mut probs);
                    probs.iter_mut().for_each(|p| *p = 2.0 * *p - 1.0);
                    &probs
                } else {
                    layer
                };
                for (k, v) in out.iter().enumerate() {
                    let v = if l == last && net.n_classes == 0 {
                        v / 2.0
                    } else {
                        *v
                    };
                    values[(at + k) * cells + c] = v.clamp(-1.0, 1.0) as f32;
                }
                at += out.len();
            }
        }
        (p, values)
    }

    /// The features (left for the caller) and the outputs of a logistic or boosted model
    /// on the grid, scored by the training-free scorer: `2p − 1` for the probability of
    /// the positive class (two classes) or of each class; a regressor's value standardised
    /// by the training target's mean and deviation, halved.
    fn output_values(&self, g: &Grid) -> Option<(usize, Vec<f32>)> {
        let p = self.prepared.x_train.cols();
        let cells = g.size * g.size;
        let predictions = self.model().predict_batch(&g.features, p).ok()?;
        // the class whose probability each output neuron shows: the second of two, else each
        let outputs: Vec<usize> = match &self.prepared.y_train {
            Target::Classes { labels, .. } if labels.len() == 2 => vec![1],
            Target::Classes { labels, .. } => (0..labels.len()).collect(),
            Target::Values(v) => {
                let n = v.len().max(1) as f64;
                let mean = v.iter().sum::<f64>() / n;
                let sd = (v.iter().map(|t| (t - mean) * (t - mean)).sum::<f64>() / n).sqrt();
                let sd = if sd > 0.0 { sd } else { 1.0 };
                return Some((
                    p,
                    std::iter::repeat_n(0f32, p * cells)
                        .chain(
                            predictions
                                .iter()
                                .map(|q| ((q.value - mean) / sd / 2.0).clamp(-1.0, 1.0) as f32),
                        )
                        .collect(),
                ));
            }
            Target::None => return None,
        };
        let mut values = vec![0f32; (p + outputs.len()) * cells];
        for (k, &class) in outputs.iter().enumerate() {
            let at = (p + k) * cells;
            for (v, q) in values[at..at + cells].iter_mut().zip(&predictions) {
                let prob = q.probabilities.get(class).copied().unwrap_or(0.0);
                *v = (2.0 * prob - 1.0).clamp(-1.0, 1.0) as f32;
            }
        }
        Some((p, values))
    }

    /// The artifact of the model as it stands, and its evaluation: what
    /// [`train`](super::train) gives for [`LiveTraining::request`] (the network's as it
    /// stands; logistic regression and boosting refitted with that request, see the
    /// module docs).
    pub fn finish(&self, table: &Table) -> Result<(Artifact, Evaluation), TrainError> {
        let request = self.request();
        let fitted = match &self.learner {
            Learner::Mlp(trainer) => {
                if trainer.epochs() == 0 {
                    return Err(TrainError::Invalid(
                        "no epoch has run yet: press play or step first".into(),
                    ));
                }
                let model = trainer.model();
                Fitted::from_parts(
                    Model::Mlp(model.clone()),
                    self.prepared.x_train.cols(),
                    reference(model),
                )
            }
            Learner::Logistic { steps: 0, .. } | Learner::Boosting { steps: 0, .. } => {
                return Err(TrainError::Invalid(
                    "no step has run yet: press play or step first".into(),
                ))
            }
            _ => fit_prepared(&request, &self.prepared, Losses::Skip, &mut |_| {})?,
        };
        conclude(table, &request, &self.target, self.prepared.clone(), fitted)
    }

    /// The model's kind.
    pub fn kind(&self) -> ModelKind {
        self.request.kind
    }

    /// The request that reproduces the current frame's model with Train: the steps run as
    /// `epochs`, `max_iterations` or `n_iterations` (the request as given once a logistic
    /// or boosting run is done).
    pub fn request(&self) -> TrainRequest {
        let repro = self.frame().repro;
        let mut request = self.request.clone();
        match &mut request.params {
            ModelParams::Mlp(p) => {
                *p = MlpParams {
                    epochs: repro,
                    ..p.clone()
                }
            }
            ModelParams::Logistic(p) => p.max_iterations = repro,
            ModelParams::Boosting(p) => p.n_iterations = repro,
            _ => {}
        }
        request
    }

    /// The steps the request asks for (`epochs`, `max_iterations` or `n_iterations`).
    pub fn planned(&self) -> u64 {
        match &self.request.params {
            ModelParams::Mlp(p) => p.epochs,
            ModelParams::Logistic(p) => p.max_iterations,
            ModelParams::Boosting(p) => p.n_iterations,
            _ => 0,
        }
    }

    /// The parameter that counts the steps, and what a step is called.
    pub fn unit(&self) -> (&'static str, &'static str) {
        match self.learner {
            Learner::Mlp(_) => ("epochs", "epoch"),
            Learner::Logistic { .. } => ("max_iterations", "iteration"),
            Learner::Boosting { .. } => ("n_iterations", "tree"),
        }
    }
}

/// The classes of a target, for a family that only classifies.
fn classes_of(t: &Target, kind: &'static str) -> Result<usize, TrainError> {
    match t {
        Target::Classes { labels, .. } => Ok(labels.len()),
        Target::Values(_) => Err(TrainError::NeedsClasses(kind)),
        Target::None => Err(TrainError::NeedsTarget(kind)),
    }
}
