//! Training the perceptron: driftlab's own mini-batch trainer, stepped one epoch at a time.
//!
//! [`MlpTrainer`] owns the network, the optimiser's state and a seeded generator; each
//! [`MlpTrainer::epoch`] shuffles the training rows and runs one pass of mini-batches:
//! forward ([`MlpModel::forward_into`], the scorer's own arithmetic), backpropagation,
//! the gradient averaged over the batch, the penalty's gradient added to the weights'
//! (biases are not penalised), then an SGD or Adam step. The batch fit
//! ([`Trainer::fit`]) runs `epochs` of them; the page's live view calls `epoch` itself and
//! draws the network between calls.
//!
//! Conventions, scikit-learn's `MLPClassifier` where it has one, so the two can be
//! compared: Glorot-uniform initialisation of weights and biases (bound
//! `√(6 / (fan_in + fan_out))`, `√(2 / …)` for sigmoid layers), the last batch of an epoch
//! may be short, Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 and bias correction, the
//! reported loss is the batches' losses weighted by their rows. Unlike scikit-learn, SGD
//! has no momentum (TensorFlow Playground's plain update), the L2 penalty's gradient is
//! `rate · w` per update (TensorFlow Playground's), and a regressor learns the target
//! standardised (its mean and spread folded back into the last layer when the model is
//! taken), so one learning rate suits any scale.
//!
//! Everything is seeded (`StdRng`, ChaCha12) and the arithmetic is portable (`libm`'s
//! tanh, the scorer's exp, no fused multiply-add), so the same seed gives the same
//! network, bit for bit, natively and in Wasm (`tests/reproducible.rs`).
//!
//! When the loss stops being a number (a learning rate that diverges), the trainer stops,
//! keeps the weights of the last good epoch and says so in [`StepReport::diverged`]; the
//! batch fit turns that into an error naming the epoch and the fix.

use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::{Activation, Loss, Mlp, MlpModel, MlpParams, Regularization, Solver};
use crate::models::{FitData, Reference, Trainer};
use crate::score::{softmax_in_place, Prediction};
use crate::train::{Progress, Target, TrainError};

/// At most this many `fit` progress events per training (one every few epochs).
const PROGRESS_EVENTS: u64 = 100;

impl Trainer for Mlp {
    fn fit(
        params: &MlpParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(MlpModel, Box<dyn Reference>), TrainError> {
        let x = data
            .x
            .as_slice()
            .ok_or_else(|| data.error("the matrix is not contiguous"))?;
        let target = match data.y {
            Target::Classes { indices, labels } => MlpTarget::Classes(indices, labels.len()),
            Target::Values(v) => MlpTarget::Values(v),
            Target::None => return Err(TrainError::NeedsTarget(data.kind.name())),
        };
        let mut trainer = MlpTrainer::new(params, x, data.x.ncols(), target, data.seed)
            .map_err(|e| data.error(e))?;
        let every = params.epochs.div_ceil(PROGRESS_EVENTS).max(1);
        for e in 1..=params.epochs {
            let report = trainer.epoch();
            if let Some(why) = report.diverged {
                return Err(data.error(why));
            }
            if e % every == 0 || e == params.epochs {
                progress(Progress::step(e, params.epochs, Some(report.loss)));
            }
        }
        let model = trainer.model();
        Ok((model.clone(), Box::new(Network(model))))
    }
}

/// The target a trainer learns.
#[derive(Clone, Copy, Debug)]
pub enum MlpTarget<'a> {
    /// Class indices and the number of classes (≥ 2).
    Classes(&'a [usize], usize),
    /// Numbers (regression).
    Values(&'a [f64]),
}

/// What one epoch did.
#[derive(Clone, Debug, PartialEq)]
pub struct StepReport {
    /// Epochs done so far.
    pub epoch: u64,
    /// The training loss of this epoch: the batches' losses weighted by their rows (for a
    /// regressor, on the standardised target), penalty excluded; the last good epoch's
    /// after a divergence.
    pub loss: f64,
    /// Why training stopped, when the loss or a weight stopped being a number; the
    /// network keeps the last good epoch's weights.
    pub diverged: Option<String>,
}

/// A network being trained, one epoch per [`MlpTrainer::epoch`] (see the module docs).
#[derive(Clone, Debug)]
pub struct MlpTrainer {
    net: MlpModel,
    good: (Vec<Vec<f64>>, Vec<Vec<f64>>),
    solver: Solver,
    rate: f64,
    batch: usize,
    loss: Loss,
    penalty: Regularization,
    penalty_rate: f64,
    x: Vec<f64>,
    classes: Vec<usize>,
    values: Vec<f64>,
    /// The regressor's target mean and spread (0 and 1 for classes).
    shift: (f64, f64),
    order: Vec<usize>,
    rng: StdRng,
    // gradients, and Adam's moments, shaped as the weights and biases
    gw: Vec<Vec<f64>>,
    gb: Vec<Vec<f64>>,
    mw: Vec<Vec<f64>>,
    mb: Vec<Vec<f64>>,
    vw: Vec<Vec<f64>>,
    vb: Vec<Vec<f64>>,
    beta_powers: (f64, f64),
    acts: Vec<Vec<f64>>,
    deltas: Vec<Vec<f64>>,
    epoch: u64,
    last_loss: f64,
    diverged: Option<String>,
}

impl MlpTrainer {
    /// A freshly initialised network for rows `x` (`n × p`, row-major) and `target`,
    /// seeded by `seed`; the error names what is wrong with the parameters or data.
    pub fn new(
        params: &MlpParams,
        x: &[f64],
        p: usize,
        target: MlpTarget<'_>,
        seed: u64,
    ) -> Result<MlpTrainer, String> {
        let n = x.len() / p.max(1);
        if p == 0 || n == 0 || x.len() != n * p {
            return Err("there are no training rows or no features".into());
        }
        let hidden = &params.hidden.0;
        if let Some(i) = hidden.iter().position(|&s| s == 0) {
            return Err(format!(
                "hidden layer {} has no neurons; give every layer at least one (e.g. hidden=4,2)",
                i + 1
            ));
        }
        let activations = params.activation.per_layer(hidden.len()).ok_or_else(|| {
            format!(
                "activation lists {} words for {} hidden layers; give one for all or one per layer",
                params.activation.0.len(),
                hidden.len()
            )
        })?;
        let (outputs, n_classes, classes, values, shift) = match target {
            MlpTarget::Classes(y, k) => {
                if y.len() != n || k < 2 || y.iter().any(|&c| c >= k) {
                    return Err("a classifier needs at least two classes, one per row".into());
                }
                (k, k, y.to_vec(), Vec::new(), (0.0, 1.0))
            }
            MlpTarget::Values(y) => {
                if y.len() != n {
                    return Err("the target needs one value per row".into());
                }
                let mean = y.iter().sum::<f64>() / n as f64;
                let var = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
                let sd = var.sqrt();
                let (mean, sd) = if mean.is_finite() && sd.is_finite() && sd > 0.0 {
                    (mean, sd)
                } else {
                    (if mean.is_finite() { mean } else { 0.0 }, 1.0)
                };
                let scaled = y.iter().map(|v| (v - mean) / sd).collect();
                (1, 0, Vec::new(), scaled, (mean, sd))
            }
        };
        let mut sizes = vec![p];
        sizes.extend_from_slice(hidden);
        sizes.push(outputs);
        let mut rng = StdRng::seed_from_u64(seed);
        let (mut weights, mut biases) = (Vec::new(), Vec::new());
        for l in 0..sizes.len() - 1 {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let factor = if activations.get(l) == Some(&Activation::Sigmoid) {
                2.0
            } else {
                6.0
            };
            let bound = (factor / (fan_in + fan_out) as f64).sqrt();
            let mut draw = |len: usize| -> Vec<f64> {
                (0..len)
                    .map(|_| (2.0 * rng.gen::<f64>() - 1.0) * bound)
                    .collect()
            };
            weights.push(draw(fan_in * fan_out));
            biases.push(draw(fan_out));
        }
        let zeros =
            |v: &Vec<Vec<f64>>| -> Vec<Vec<f64>> { v.iter().map(|l| vec![0.0; l.len()]).collect() };
        let net = MlpModel {
            sizes: sizes.clone(),
            activations,
            weights,
            biases,
            n_classes,
        };
        Ok(MlpTrainer {
            good: (net.weights.clone(), net.biases.clone()),
            gw: zeros(&net.weights),
            gb: zeros(&net.biases),
            mw: zeros(&net.weights),
            mb: zeros(&net.biases),
            vw: zeros(&net.weights),
            vb: zeros(&net.biases),
            deltas: sizes.iter().map(|&s| vec![0.0; s]).collect(),
            net,
            solver: params.solver,
            rate: params.learning_rate,
            batch: usize::try_from(params.batch_size)
                .unwrap_or(usize::MAX)
                .clamp(1, n),
            loss: params.loss,
            penalty: params.regularization,
            penalty_rate: params.regularization_rate,
            x: x.to_vec(),
            classes,
            values,
            shift,
            order: (0..n).collect(),
            rng,
            beta_powers: (1.0, 1.0),
            acts: Vec::new(),
            epoch: 0,
            last_loss: f64::NAN,
            diverged: None,
        })
    }

    /// Epochs done.
    pub fn epochs(&self) -> u64 {
        self.epoch
    }

    /// Why training stopped, if the loss stopped being a number.
    pub fn diverged(&self) -> Option<&str> {
        self.diverged.as_deref()
    }

    /// The network as it is now, in scoring form (a regressor's target scaling folded into
    /// the last layer).
    pub fn model(&self) -> MlpModel {
        let mut m = self.net.clone();
        let (mean, sd) = self.shift;
        if m.n_classes == 0 && (mean != 0.0 || sd != 1.0) {
            if let (Some(w), Some(b)) = (m.weights.last_mut(), m.biases.last_mut()) {
                w.iter_mut().for_each(|v| *v *= sd);
                b.iter_mut().for_each(|v| *v = *v * sd + mean);
            }
        }
        m
    }

    /// The network being trained, unscaled (what the live view draws: a regressor's output
    /// on the standardised target).
    pub fn network(&self) -> &MlpModel {
        &self.net
    }

    /// The mean loss of the current network on rows `x` with `target`, as
    /// [`StepReport::loss`] measures it (a regressor's on the standardised target).
    pub fn loss_on(&self, x: &[f64], target: MlpTarget<'_>) -> f64 {
        let p = self.net.sizes[0];
        let n = x.len() / p.max(1);
        if n == 0 {
            return f64::NAN;
        }
        let mut acts = Vec::new();
        let mut total = 0.0;
        let mut scratch = Vec::new();
        for (i, row) in x.chunks_exact(p).enumerate() {
            self.net.forward_into(row, &mut acts);
            let out = &acts[acts.len() - 1];
            total += match target {
                MlpTarget::Classes(y, _) => row_loss(
                    self.loss,
                    out,
                    y.get(i).copied().unwrap_or(0),
                    &mut scratch,
                    None,
                ),
                MlpTarget::Values(y) => {
                    let t = (y.get(i).copied().unwrap_or(0.0) - self.shift.0) / self.shift.1;
                    0.5 * (out[0] - t) * (out[0] - t)
                }
            };
        }
        total / n as f64
    }

    /// One pass over the training rows in a fresh seeded order (see the module docs).
    /// After a divergence it does nothing and repeats the report.
    pub fn epoch(&mut self) -> StepReport {
        if self.diverged.is_some() {
            return self.report();
        }
        let n = self.order.len();
        let mut order = std::mem::take(&mut self.order);
        order.shuffle(&mut self.rng);
        let mut total = 0.0;
        for batch in order.chunks(self.batch) {
            total += self.batch_step(batch);
        }
        self.order = order;
        self.epoch += 1;
        let loss = total / n as f64;
        let finite = loss.is_finite()
            && self
                .net
                .weights
                .iter()
                .chain(&self.net.biases)
                .all(|l| l.iter().all(|v| v.is_finite()));
        if finite {
            self.last_loss = loss;
            self.good.0.clone_from(&self.net.weights);
            self.good.1.clone_from(&self.net.biases);
        } else {
            self.net.weights.clone_from(&self.good.0);
            self.net.biases.clone_from(&self.good.1);
            self.diverged = Some(format!(
                "the loss stopped being a number at epoch {} (the learning rate {} is too large for this network); training stopped and kept the weights of epoch {}: lower learning_rate (TensorFlow Playground starts at 0.03){}",
                self.epoch,
                self.rate,
                self.epoch - 1,
                if self.solver == Solver::Sgd { " or try the adam solver" } else { "" }
            ));
            self.epoch -= 1;
        }
        self.report()
    }

    fn report(&self) -> StepReport {
        StepReport {
            epoch: self.epoch,
            loss: self.last_loss,
            diverged: self.diverged.clone(),
        }
    }

    /// Backpropagation over the rows of one batch and one optimiser step; returns the
    /// batch's summed loss.
    fn batch_step(&mut self, rows: &[usize]) -> f64 {
        let p = self.net.sizes[0];
        let depth = self.net.depth();
        for g in self.gw.iter_mut().chain(self.gb.iter_mut()) {
            g.iter_mut().for_each(|v| *v = 0.0);
        }
        let mut loss = 0.0;
        let mut scratch = Vec::new();
        for &r in rows {
            let x = &self.x[r * p..(r + 1) * p];
            self.net.forward_into(x, &mut self.acts);
            // the output layer's delta: d loss / d z
            let out = &self.acts[depth];
            let d = &mut self.deltas[depth];
            if self.net.n_classes == 0 {
                let e = out[0] - self.values[r];
                loss += 0.5 * e * e;
                d[0] = e;
            } else {
                loss += row_loss(self.loss, out, self.classes[r], &mut scratch, Some(d));
            }
            // back through the layers
            for l in (0..depth).rev() {
                let (lower, upper) = self.deltas.split_at_mut(l + 1);
                let d = &upper[0];
                let input = &self.acts[l];
                let n_in = input.len();
                for ((gw_row, gb), &dj) in self.gw[l]
                    .chunks_exact_mut(n_in)
                    .zip(self.gb[l].iter_mut())
                    .zip(d.iter())
                {
                    *gb += dj;
                    for (g, a) in gw_row.iter_mut().zip(input) {
                        *g += dj * a;
                    }
                }
                if l > 0 {
                    let prev = &mut lower[l];
                    prev.iter_mut().for_each(|v| *v = 0.0);
                    for (w_row, &dj) in self.net.weights[l].chunks_exact(n_in).zip(d.iter()) {
                        for (pv, w) in prev.iter_mut().zip(w_row) {
                            *pv += dj * w;
                        }
                    }
                    let act = self.net.activations[l - 1];
                    for (pv, &a) in prev.iter_mut().zip(input) {
                        *pv *= derivative(act, a);
                    }
                }
            }
        }
        let inv = 1.0 / rows.len() as f64;
        for l in 0..depth {
            for (g, w) in self.gw[l].iter_mut().zip(&self.net.weights[l]) {
                *g *= inv;
                *g += match self.penalty {
                    Regularization::None => 0.0,
                    Regularization::L2 => self.penalty_rate * w,
                    Regularization::L1 => self.penalty_rate * sign(*w),
                };
            }
            self.gb[l].iter_mut().for_each(|g| *g *= inv);
        }
        self.update();
        loss
    }

    fn update(&mut self) {
        match self.solver {
            Solver::Sgd => {
                let rate = self.rate;
                for (w, g) in self
                    .net
                    .weights
                    .iter_mut()
                    .zip(&self.gw)
                    .chain(self.net.biases.iter_mut().zip(&self.gb))
                {
                    for (wi, gi) in w.iter_mut().zip(g) {
                        *wi -= rate * gi;
                    }
                }
            }
            Solver::Adam => {
                const B1: f64 = 0.9;
                const B2: f64 = 0.999;
                const EPS: f64 = 1e-8;
                self.beta_powers.0 *= B1;
                self.beta_powers.1 *= B2;
                let step =
                    self.rate * (1.0 - self.beta_powers.1).sqrt() / (1.0 - self.beta_powers.0);
                let weights = self
                    .net
                    .weights
                    .iter_mut()
                    .zip(&self.gw)
                    .zip(self.mw.iter_mut().zip(self.vw.iter_mut()));
                let biases = self
                    .net
                    .biases
                    .iter_mut()
                    .zip(&self.gb)
                    .zip(self.mb.iter_mut().zip(self.vb.iter_mut()));
                for ((w, g), (m, v)) in weights.chain(biases) {
                    for (((wi, gi), mi), vi) in
                        w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut())
                    {
                        *mi = B1 * *mi + (1.0 - B1) * gi;
                        *vi = B2 * *vi + (1.0 - B2) * gi * gi;
                        *wi -= step * *mi / (vi.sqrt() + EPS);
                    }
                }
            }
        }
    }
}

/// The loss of one classified row from the output layer's raw values, and (when `delta`
/// is given) its gradient with respect to them.
fn row_loss(
    loss: Loss,
    raw: &[f64],
    class: usize,
    probs: &mut Vec<f64>,
    delta: Option<&mut Vec<f64>>,
) -> f64 {
    probs.clear();
    probs.extend_from_slice(raw);
    softmax_in_place(probs);
    match loss {
        Loss::CrossEntropy => {
            if let Some(d) = delta {
                for (i, (di, pi)) in d.iter_mut().zip(probs.iter()).enumerate() {
                    *di = pi - f64::from(u8::from(i == class));
                }
            }
            -libm::log(probs.get(class).copied().unwrap_or(0.0).max(1e-300))
        }
        Loss::Squared => {
            let mut l = 0.0;
            let mut pe = 0.0;
            for (i, pi) in probs.iter().enumerate() {
                let e = pi - f64::from(u8::from(i == class));
                l += 0.5 * e * e;
                pe += pi * e;
            }
            if let Some(d) = delta {
                // through the softmax's Jacobian: d_i = p_i (e_i − Σ_k p_k e_k)
                for (i, (di, pi)) in d.iter_mut().zip(probs.iter()).enumerate() {
                    let e = pi - f64::from(u8::from(i == class));
                    *di = pi * (e - pe);
                }
            }
            l
        }
    }
}

/// The activation's derivative from its output `a`.
#[inline]
fn derivative(act: Activation, a: f64) -> f64 {
    match act {
        Activation::Tanh => 1.0 - a * a,
        Activation::Relu => {
            if a > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Activation::Sigmoid => a * (1.0 - a),
        Activation::Linear => 1.0,
    }
}

fn sign(w: f64) -> f64 {
    if w > 0.0 {
        1.0
    } else if w < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The trainer's reference for a network fitted step by step (the live view's).
pub(crate) fn reference(model: MlpModel) -> Box<dyn Reference> {
    Box::new(Network(model))
}

/// The fitted network evaluated by ndarray's matrix products and the platform's `tanh`
/// and `exp`: an arithmetic path independent of the scorer's, for the parity test.
struct Network(MlpModel);

impl Reference for Network {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        let m = &self.0;
        let mut a = x.to_owned();
        for l in 0..m.depth() {
            let w = Array2::from_shape_vec((m.sizes[l + 1], m.sizes[l]), m.weights[l].clone());
            let Ok(w) = w else { return Vec::new() };
            let mut z = a.dot(&w.t()) + &Array1::from(m.biases[l].clone());
            if let Some(act) = m.activations.get(l) {
                z.mapv_inplace(|v| match act {
                    Activation::Tanh => v.tanh(),
                    Activation::Relu => v.max(0.0),
                    Activation::Sigmoid => 1.0 / (1.0 + (-v).exp()),
                    Activation::Linear => v,
                });
            }
            a = z;
        }
        a.rows()
            .into_iter()
            .map(|row| {
                if m.n_classes == 0 {
                    return Prediction {
                        value: row[0],
                        probabilities: Vec::new(),
                    };
                }
                let max = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let e: Vec<f64> = row.iter().map(|v| (v - max).exp()).collect();
                let s: f64 = e.iter().sum();
                let probabilities: Vec<f64> = e.iter().map(|v| v / s).collect();
                let mut best = 0;
                for (i, v) in row.iter().enumerate() {
                    if *v > row[best] {
                        best = i;
                    }
                }
                Prediction {
                    value: best as f64,
                    probabilities,
                }
            })
            .collect()
    }
}
