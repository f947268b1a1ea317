//! What every family's fit gets and gives (feature `train`): the training matrix as
//! ndarray, the target, the seed, and a [`Reference`] — the trainer's own fitted object,
//! kept so that its predictions can be compared with the scorer's (`tests/parity_models.rs`).
//! linfa's objects stay inside the families: the caller gets the plain fitted form.

use std::fmt::Display;

use ndarray::{Array1, Array2, ArrayView2};

use super::{Family, ModelKind};
use crate::score::Prediction;
use crate::train::{Losses, Progress, Target, TrainError};

/// A kind's trainer, in its family's `fit.rs`.
pub trait Trainer: Family {
    /// Training rows the kind needs at least.
    fn min_rows(_params: &Self::Params) -> usize {
        2
    }

    /// Whether the kind fits rows with missing (NaN) features itself (boosting's missing
    /// bin); the others are given imputed rows only.
    const ACCEPTS_MISSING: bool = false;

    /// Fits the kind on `data` (finite features, a target of the right length, checked by
    /// [`fit_matrix`](crate::train::fit_matrix)), reporting `fit` progress events; returns
    /// the fitted form and the trainer's own [`Reference`].
    #[allow(clippy::type_complexity)]
    fn fit(
        params: &Self::Params,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Self::Fitted, Box<dyn Reference>), TrainError>;
}

/// The rows a family is fitted on, checked by [`fit_matrix`](crate::train::fit_matrix):
/// finite features, at least one column, a target of the right length and task.
#[derive(Debug)]
pub struct FitData<'a> {
    /// The kind being fitted (for messages, and for families with several kinds).
    pub kind: ModelKind,
    /// The transformed features, rows × columns, standard layout: a view of the caller's
    /// matrix, not a copy (copying 100,000 × 20 rows cost about a third of ridge's fit).
    pub x: ArrayView2<'a, f64>,
    /// The target.
    pub y: &'a Target,
    /// The seed of randomised trainers.
    pub seed: u64,
    /// Whether progress events carry a training loss that costs work of its own.
    pub losses: Losses,
}

impl FitData<'_> {
    /// The class indices and the number of classes, or the error of a classifier given a
    /// numeric target.
    pub fn classes(&self) -> Result<(&[usize], usize), TrainError> {
        match self.y {
            Target::Classes { indices, labels } => Ok((indices, labels.len())),
            _ => Err(TrainError::NeedsClasses(self.kind.name())),
        }
    }

    /// The numeric target, or the error of a regressor given classes.
    pub fn values(&self) -> Result<&[f64], TrainError> {
        match self.y {
            Target::Values(v) => Ok(v),
            _ => Err(TrainError::NeedsValues(self.kind.name())),
        }
    }

    /// The trainer refused to fit: its message, under the kind's name.
    pub fn error(&self, e: impl Display) -> TrainError {
        TrainError::Fit {
            kind: self.kind.name(),
            message: e.to_string(),
        }
    }
}

/// The trainer's own fitted object, predicting as the trainer does.
pub trait Reference {
    /// The trainer's predictions on `x` (its width checked by the caller).
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction>;
}

/// Regression values as predictions.
pub(crate) fn regression(v: Array1<f64>) -> Vec<Prediction> {
    v.into_iter()
        .map(|value| Prediction {
            value,
            probabilities: Vec::new(),
        })
        .collect()
}

/// A row-major slice as a standard-layout view.
pub(crate) fn to_view(
    rows: usize,
    cols: usize,
    data: &[f64],
) -> Result<ArrayView2<'_, f64>, TrainError> {
    ArrayView2::from_shape((rows, cols), data)
        .map_err(|e| TrainError::Invalid(format!("feature matrix shape: {e}")))
}

/// A view as an owned standard-layout matrix.
pub(crate) fn to_array(rows: usize, cols: usize, data: &[f64]) -> Result<Array2<f64>, TrainError> {
    to_view(rows, cols, data).map(|v| v.to_owned())
}
