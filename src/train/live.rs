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

use serde::Serialize;

use super::{
    conclude, prepare, target_and_split, Fitted, Holdout, Prepared, Target, TrainError,
    TrainRequest,
};
use crate::artifact::Artifact;
use crate::decision_grid::padded_range;
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
    /// Epochs run.
    pub epoch: u64,
    /// The loss on the training rows (every row, after the epoch; a regressor's on the
    /// standardised target).
    pub train_loss: f64,
    /// The loss on the test rows.
    pub test_loss: f64,
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
    trainer: MlpTrainer,
    grid: Option<Grid>,
    points: Vec<LivePoint>,
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
        let ModelParams::Mlp(params) = &request.params else {
            return Err(TrainError::Invalid(format!(
                "the live view trains neural networks (mlp), not {}; train {} with the Train button",
                request.kind, request.kind
            )));
        };
        if request.kind != ModelKind::Mlp {
            return Err(TrainError::Invalid(
                "the parameters are mlp's but the kind is not".into(),
            ));
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
        // the checks fit_matrix makes before a trainer runs
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
        let trainer = MlpTrainer::new(
            params,
            prepared.x_train.data(),
            prepared.x_train.cols(),
            mlp_target(&prepared.y_train)?,
            request.seed,
        )
        .map_err(|message| TrainError::Fit {
            kind: "mlp",
            message,
        })?;
        let grid = Self::grid(table, &prepared, grid)?;
        let points = match &grid {
            Some(g) => Self::points(table, &prepared, &target, &g.x, &g.y),
            None => Vec::new(),
        };
        Ok(LiveTraining {
            request: request.clone(),
            target,
            prepared,
            trainer,
            grid,
            points,
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

    /// Runs up to `epochs` more epochs (none after a divergence) and returns the frame.
    pub fn step(&mut self, epochs: u64) -> LiveFrame {
        for _ in 0..epochs {
            if self.trainer.epoch().diverged.is_some() {
                break;
            }
        }
        self.frame()
    }

    /// The current frame, without training.
    pub fn frame(&self) -> LiveFrame {
        let net = self.trainer.network();
        let loss = |x: &crate::Matrix, y: &Target| match mlp_target(y) {
            Ok(t) if x.rows() > 0 => self.trainer.loss_on(x.data(), t),
            _ => f64::NAN,
        };
        LiveFrame {
            epoch: self.trainer.epochs(),
            train_loss: loss(&self.prepared.x_train, &self.prepared.y_train),
            test_loss: loss(&self.prepared.x_test, &self.prepared.y_test),
            diverged: self.trainer.diverged().map(str::to_owned),
            sizes: net.sizes.clone(),
            weights: net.weights.clone(),
            biases: net.biases.clone(),
        }
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
        let net = self.trainer.network();
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

    /// The artifact of the network as it stands, and its evaluation: what
    /// [`train`](super::train) gives for this request with `epochs` set to the epochs run.
    pub fn finish(&self, table: &Table) -> Result<(Artifact, Evaluation), TrainError> {
        let epochs = self.trainer.epochs();
        if epochs == 0 {
            return Err(TrainError::Invalid(
                "no epoch has run yet: press play or step first".into(),
            ));
        }
        let mut request = self.request.clone();
        if let ModelParams::Mlp(p) = &mut request.params {
            *p = MlpParams {
                epochs,
                ..p.clone()
            };
        }
        let model = self.trainer.model();
        let fitted = Fitted::from_parts(
            Model::Mlp(model.clone()),
            self.prepared.x_train.cols(),
            reference(model),
        );
        conclude(table, &request, &self.target, self.prepared.clone(), fitted)
    }

    /// The request, with `epochs` set to the epochs run (what a link reproduces).
    pub fn request(&self) -> TrainRequest {
        let mut request = self.request.clone();
        if let ModelParams::Mlp(p) = &mut request.params {
            p.epochs = self.trainer.epochs().max(1);
        }
        request
    }
}
