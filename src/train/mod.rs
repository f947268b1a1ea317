//! Training (behind the `train` feature): the orchestration around the families' trainers
//! ([`crate::models`]) — the target, a seeded split, the fitted pipeline, the checks before
//! a trainer runs, the evaluation, and an [`Artifact`] that holds the model in driftlab's
//! plain parameters.
//!
//! ```
//! use driftlab::{dataset, table::{read_csv, ReadOptions}, train::{train, TrainRequest, ModelKind}};
//!
//! let csv = dataset::generate("iris", &Default::default())?;
//! let table = read_csv(&csv, &ReadOptions::default())?.table;
//! let request = TrainRequest::new("species", ModelKind::Logistic);
//! let (artifact, evaluation) = train(&table, &request, &mut |_| {})?;
//! assert!(evaluation.metrics.unwrap().accuracy().unwrap() > 0.8);
//! assert_eq!(artifact.classes, ["setosa", "versicolor", "virginica"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};

pub use crate::models::{ModelKind, ModelParams, ParamError, ParamSpec, ParamType, ParamValue};

use crate::artifact::{Artifact, ArtifactError, Lineage};
use crate::decision_grid::{grid_of, two_inputs_of, DecisionGrid};
use crate::metrics::{self, BinaryCurves, MetricsError};
use crate::models::{FitData, Reference};
use crate::prep::{split, ColumnSpec, NumericImpute, PipelineSpec, PrepError};
use crate::profile::{Profile, ProfileError};
use crate::score::{Model, Prediction, Task};
use crate::table::{ColumnData, Table};
use crate::Matrix;

/// A progress event, for a progress bar or a loss curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Progress {
    /// `prepare`, `fit` or `evaluate`.
    pub stage: String,
    /// Steps done in this stage (during `fit`: L-BFGS iterations for binary logistic
    /// regression, trees fitted for the forest, machines fitted for one-vs-rest SVM).
    pub step: u64,
    /// Steps in this stage, when known.
    pub total: Option<u64>,
    /// The training loss, where the algorithm exposes it (logistic: the penalised
    /// log-likelihood linfa minimised; k-means: the inertia; boosting: the mean log loss,
    /// or the mean squared error, on its training rows, when the fit was asked to
    /// [`Losses::Report`] it).
    pub loss: Option<f64>,
    /// The same loss on the rows held out for early stopping, where the trainer holds some
    /// out (boosting's `validation_fraction`): with `loss`, the two curves of a live view.
    pub validation_loss: Option<f64>,
    /// The decision map of the model so far, when [`train_with_maps`] asked for one and
    /// the trainer shows its model mid-training (boosting, at up to [`MAP_STEPS`] of its
    /// iterations) on a classifier of two numeric inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<DecisionGrid>,
    /// The model so far, from a trainer that shows it (turned into `map`, then dropped).
    #[serde(skip)]
    pub(crate) partial: Option<Box<Model>>,
}

/// Whether a fit computes the training loss of its progress events where that costs work
/// of its own (boosting: a logarithm per training row and iteration, about a sixth of a
/// 100-iteration fit on 100,000 rows in Wasm). [`train`] and its siblings always report
/// it (the page draws the curve); the live view, which computes each frame's losses
/// itself, and the benchmark's harness, which times the fit as scikit-learn's
/// HistGradientBoosting and LightGBM are timed (neither computes a training loss unless
/// asked), call [`fit_matrix`] with [`Losses::Skip`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Losses {
    /// Every progress event of the fit carries its training loss.
    Report,
    /// Leave a training loss that costs extra out (`Progress::loss` is `None` there);
    /// losses the algorithm computes anyway, and early stopping's validation loss, stay.
    Skip,
}

/// The most iterations of one training that carry the model so far (see
/// [`Progress::map`]): evenly spaced, so a long run costs as little as a short one.
pub const MAP_STEPS: u64 = 50;

impl Progress {
    fn stage(stage: &str) -> Progress {
        Progress {
            stage: stage.into(),
            step: 0,
            total: None,
            loss: None,
            validation_loss: None,
            map: None,
            partial: None,
        }
    }

    /// Whether step `step` of `total` is one of the [`MAP_STEPS`] that carry the model so
    /// far (a trainer that can show it calls [`Progress::with_model`] then).
    pub(crate) fn shows_model(step: u64, total: u64) -> bool {
        let every = total.div_ceil(MAP_STEPS).max(1);
        step.is_multiple_of(every) || step == 1 || step == total
    }

    /// This event with the model so far.
    pub(crate) fn with_model(self, model: Model) -> Progress {
        Progress {
            partial: Some(Box::new(model)),
            ..self
        }
    }

    /// Step `step` of `total` in the `fit` stage (iterations, trees, runs, epochs), with the
    /// training loss where the trainer knows it.
    pub(crate) fn step(step: u64, total: u64, loss: Option<f64>) -> Progress {
        Progress {
            stage: "fit".into(),
            step,
            total: Some(total),
            loss,
            validation_loss: None,
            map: None,
            partial: None,
        }
    }

    /// The one `fit` event of a trainer without steps of its own.
    pub(crate) fn fitted(loss: Option<f64>) -> Progress {
        Progress {
            stage: "fit".into(),
            step: 1,
            total: Some(1),
            loss,
            validation_loss: None,
            map: None,
            partial: None,
        }
    }
}

/// The target of supervised training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// Class indices into `labels`.
    Classes {
        /// One class index per row.
        indices: Vec<usize>,
        /// The class labels, sorted.
        labels: Vec<String>,
    },
    /// Numeric values.
    Values(Vec<f64>),
    /// No target (clustering).
    None,
}

impl Target {
    fn len(&self) -> Option<usize> {
        match self {
            Target::Classes { indices, .. } => Some(indices.len()),
            Target::Values(v) => Some(v.len()),
            Target::None => None,
        }
    }

    fn take(&self, rows: &[usize]) -> Target {
        match self {
            Target::Classes { indices, labels } => Target::Classes {
                indices: rows.iter().map(|&r| indices[r]).collect(),
                labels: labels.clone(),
            },
            Target::Values(v) => Target::Values(rows.iter().map(|&r| v[r]).collect()),
            Target::None => Target::None,
        }
    }
}

/// What went wrong training. Every message says how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// A hyperparameter is unknown or out of range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// Preprocessing or splitting failed.
    #[error(transparent)]
    Prep(#[from] PrepError),
    /// Profiling failed.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// Metrics failed.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// The artifact could not be built.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The kind classifies but the target is numeric with too many values.
    #[error("{0} is a classifier and needs a categorical, boolean or small-integer target; pick another target column or a regression model ({kinds})", kinds = ModelKind::names_where(|t| t.regression))]
    NeedsClasses(&'static str),
    /// The kind regresses but the target is not numeric.
    #[error("{0} is a regression model and needs a numeric target; pick a numeric target or a classifier ({kinds})", kinds = ModelKind::names_where(|t| t.classification))]
    NeedsValues(&'static str),
    /// A supervised kind was given no target.
    #[error("{0} needs a target column: choose the column to predict, or k-means to group rows without one")]
    NeedsTarget(&'static str),
    /// The target column has a missing value.
    #[error(
        "row {row}: the target column {column:?} is missing; drop or fill rows without a target"
    )]
    MissingTarget {
        /// 1-based row.
        row: usize,
        /// The target column.
        column: String,
    },
    /// Every row of the target has the same class.
    #[error("the target column {column:?} has only one class ({class:?}): a classifier needs at least two; pick another target, add rows of another class, or use k-means without a target")]
    OneClass {
        /// The target column.
        column: String,
        /// Its only class.
        class: String,
    },
    /// A class is absent from the training rows.
    #[error("a class has no training rows (or only one class is present); use more rows, a stratified split, or merge rare classes")]
    MissingClass,
    /// The features or target hold a NaN or infinite value.
    #[error("row {row}: {what} is not a finite number; the pipeline should impute it (check the column's step)")]
    NotFinite {
        /// 0-based row in the training matrix.
        row: usize,
        /// What is not finite.
        what: &'static str,
    },
    /// Too few rows to fit.
    #[error("{kind} needs at least {needed} training rows, got {got}; load more rows or lower the test fraction")]
    TooFewRows {
        /// The model kind.
        kind: &'static str,
        /// Rows needed.
        needed: usize,
        /// Rows given.
        got: usize,
    },
    /// The training rows are more than this kind can fit in a browser tab.
    #[error("{kind} cannot train on {rows} rows here: {why}; train it on at most {max} rows (fewer rows, or a larger test share), or pick {instead}")]
    TooManyRows {
        /// The model kind.
        kind: &'static str,
        /// Training rows asked for.
        rows: usize,
        /// The most it takes.
        max: usize,
        /// Why, in words.
        why: String,
        /// Kinds that take that many rows.
        instead: String,
    },
    /// The request is inconsistent.
    #[error("{0}")]
    Invalid(String),
    /// The test table (see [`train_with_test`]) does not fit the model.
    #[error("the test data: {0}")]
    TestTable(Box<TrainError>),
    /// linfa refused to fit.
    #[error("{kind} could not be fitted: {message}")]
    Fit {
        /// The model kind.
        kind: &'static str,
        /// linfa's message.
        message: String,
    },
}

/// A model fitted on a matrix: the plain [`Model`] plus the trainer's own fitted object
/// (linfa's, mostly), kept so that its predictions can be compared with the scorer's.
pub struct Fitted {
    model: Model,
    cols: usize,
    reference: Box<dyn Reference>,
}

impl std::fmt::Debug for Fitted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fitted")
            .field("model", &self.model)
            .finish()
    }
}

impl Fitted {
    /// A model fitted outside [`fit_matrix`] (the live view's stepped network) with its
    /// trainer's reference, on `cols` features.
    pub(crate) fn from_parts(model: Model, cols: usize, reference: Box<dyn Reference>) -> Fitted {
        Fitted {
            model,
            cols,
            reference,
        }
    }

    /// The plain model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Consumes into the plain model.
    pub fn into_model(self) -> Model {
        self.model
    }

    /// linfa's predictions on `x` (the shape is checked first: a mismatch is an error).
    pub fn predict_linfa(&self, x: &Matrix) -> Result<Vec<Prediction>, TrainError> {
        if x.cols() != self.cols {
            return Err(TrainError::Invalid(format!(
                "the matrix has {} features but the model was trained on {}",
                x.cols(),
                self.cols
            )));
        }
        if x.rows() == 0 {
            return Ok(Vec::new());
        }
        let a = crate::models::fit::to_array(x.rows(), x.cols(), x.data())?;
        Ok(self.reference.predict(&a))
    }
}

/// Fits `kind` with `params` on a transformed matrix and its target, seeded. Shapes, finite
/// values, class counts and parameters are validated before the family's trainer is called.
pub fn fit_matrix(
    kind: ModelKind,
    params: &ModelParams,
    x: &Matrix,
    y: &Target,
    seed: u64,
    losses: Losses,
    progress: &mut dyn FnMut(Progress),
) -> Result<Fitted, TrainError> {
    if params.kind() != kind {
        return Err(TrainError::Invalid(format!(
            "parameters are for {} but the model kind is {kind}",
            params.kind()
        )));
    }
    params.validate()?;
    let n = x.rows();
    if let Some(len) = y.len() {
        if len != n {
            return Err(TrainError::Invalid(format!(
                "the target has {len} rows but the features have {n}"
            )));
        }
    } else if !kind.tasks().clustering {
        return Err(TrainError::NeedsTarget(kind.name()));
    }
    if x.cols() == 0 {
        return Err(TrainError::Prep(PrepError::NoFeatures));
    }
    let missing_ok = params.accepts_missing();
    if let Some(i) = first_not_finite(x.data(), missing_ok) {
        return Err(TrainError::NotFinite {
            row: i / x.cols(),
            what: "a feature",
        });
    }
    let needed = params.min_rows();
    if n < needed {
        return Err(TrainError::TooFewRows {
            kind: kind.name(),
            needed,
            got: n,
        });
    }
    match y {
        Target::Classes { indices, labels } => {
            if kind.regresses_only() {
                return Err(TrainError::NeedsValues(kind.name()));
            }
            if labels.len() < 2 {
                return Err(TrainError::MissingClass);
            }
            if let Some(&bad) = indices.iter().find(|&&i| i >= labels.len()) {
                return Err(TrainError::Invalid(format!(
                    "class index {bad} is out of range for {} labels",
                    labels.len()
                )));
            }
            let mut seen = vec![false; labels.len()];
            indices.iter().for_each(|&i| seen[i] = true);
            if seen.iter().filter(|&&s| s).count() < 2 {
                return Err(TrainError::MissingClass);
            }
        }
        Target::Values(v) => {
            if kind.classifies_only() {
                return Err(TrainError::NeedsClasses(kind.name()));
            }
            if let Some(row) = v.iter().position(|t| !t.is_finite()) {
                return Err(TrainError::NotFinite {
                    row,
                    what: "the target",
                });
            }
        }
        Target::None => {}
    }
    kind.check_size(n, x.cols())?;
    // the fit stage starts now (some trainers report nothing until they are done)
    progress(Progress::stage("fit"));
    let data = FitData {
        kind,
        x: crate::models::fit::to_view(n, x.cols(), x.data())?,
        y,
        seed,
        losses,
    };
    let (model, reference) = params.fit(&data, progress)?;
    Ok(Fitted {
        model,
        cols: x.cols(),
        reference,
    })
}

/// The index of the first value that is not finite (NaN allowed when `missing_ok`).
///
/// Blocks of 256 values are first tested without an early exit (an OR of "the exponent
/// bits are all ones" over the block, which LLVM vectorises); only a block that holds an
/// infinity or a NaN is searched value by value. The plain `position` search took a fifth
/// of ridge's whole fit on 100,000 × 20 (a `perf` profile of the benchmark's training).
fn first_not_finite(data: &[f64], missing_ok: bool) -> Option<usize> {
    const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
    const BLOCK: usize = 256;
    for (b, block) in data.chunks(BLOCK).enumerate() {
        let special = block
            .iter()
            .fold(false, |acc, v| acc | (v.to_bits() & EXPONENT == EXPONENT));
        if special {
            if let Some(i) = block
                .iter()
                .position(|v| !(v.is_finite() || (missing_ok && v.is_nan())))
            {
                return Some(b * BLOCK + i);
            }
        }
    }
    None
}

/// Which task a numeric target means for kinds that do both (svm, knn).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum TaskChoice {
    /// Categorical and boolean targets classify; numeric targets classify when every value
    /// is an integer and there are at most 10 distinct values (or the kind only classifies),
    /// and regress otherwise.
    #[default]
    Auto,
    /// Always classify.
    Classification,
    /// Always regress (needs a numeric target).
    Regression,
}

/// What to train.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainRequest {
    /// The target column (`None` only for k-means).
    pub target: Option<String>,
    /// The model kind.
    pub kind: ModelKind,
    /// Hyperparameters, typed, of `kind` (defaults: [`ModelParams::defaults`]).
    pub params: ModelParams,
    /// Share of rows held out for testing, in [0, 1). Default 0.25. At 0 the model trains
    /// on every row and has no test metrics (or is judged on another table:
    /// [`train_with_test`]).
    pub test_fraction: f64,
    /// Seed of the split and of randomised trainers. Default 42.
    pub seed: u64,
    /// Preprocessing; `None` means [`PipelineSpec::default_for`] the table.
    pub pipeline: Option<PipelineSpec>,
    /// Task for a numeric target.
    #[serde(default)]
    pub task: TaskChoice,
    /// The time the caller stamps on the artifact (the core has no clock), e.g. RFC 3339.
    #[serde(default)]
    pub created: String,
    /// The artifact this one retrains (its hash), for lineage.
    #[serde(default)]
    pub parent: Option<String>,
}

impl TrainRequest {
    /// A request with defaults: 25 % test rows, seed 42 ([`crate::defaults`]), default
    /// pipeline and parameters.
    pub fn new(target: &str, kind: ModelKind) -> TrainRequest {
        TrainRequest {
            target: Some(target.to_string()),
            kind,
            params: ModelParams::defaults(kind),
            test_fraction: crate::defaults::DEFAULTS.test_fraction,
            seed: crate::defaults::DEFAULTS.seed,
            pipeline: None,
            task: TaskChoice::Auto,
            created: String::new(),
            parent: None,
        }
    }
}

pub use crate::metrics::TestMetrics;

mod live;
pub use live::{LiveFrame, LiveNeurons, LivePoint, LiveTraining};

/// How the model did on the held-out rows, shaped for charts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The task.
    pub task: Task,
    /// Test metrics; `None` when no row was held out (a test fraction of 0).
    pub metrics: Option<TestMetrics>,
    /// ROC / PR / calibration / threshold curves: the positive class for two classes, one
    /// per class (one-vs-rest) for more; empty for models without probabilities.
    pub curves: Vec<BinaryCurves>,
    /// Row indices (into the input table) of the training rows.
    pub train_rows: Vec<usize>,
    /// Row indices of the test rows (into the test table for [`train_with_test`]).
    pub test_rows: Vec<usize>,
    /// linfa's predictions on the test rows at training time (the scorer must match them).
    pub test_predictions: Vec<Prediction>,
}

fn target_of(
    table: &Table,
    column: &str,
    kind: ModelKind,
    choice: TaskChoice,
) -> Result<Target, TrainError> {
    let col = table.require(column).map_err(PrepError::from)?;
    let missing = |row: usize| TrainError::MissingTarget {
        row: row + 1,
        column: column.to_string(),
    };
    let classify = match choice {
        TaskChoice::Classification => true,
        TaskChoice::Regression => false,
        TaskChoice::Auto => !kind.regresses_only(),
    };
    match &col.data {
        ColumnData::Categorical { codes, levels } => {
            if choice == TaskChoice::Regression || kind.regresses_only() {
                return Err(TrainError::NeedsValues(kind.name()));
            }
            let mut used: Vec<(String, u32)> = Vec::new();
            for (row, &c) in codes.iter().enumerate() {
                let l = levels.get(c as usize).ok_or_else(|| missing(row))?;
                if !used.iter().any(|(_, u)| *u == c) {
                    used.push((l.clone(), c));
                }
            }
            used.sort();
            let labels: Vec<String> = used.iter().map(|(l, _)| l.clone()).collect();
            let mut map = vec![usize::MAX; levels.len()];
            for (i, (_, c)) in used.iter().enumerate() {
                map[*c as usize] = i;
            }
            let indices = codes.iter().map(|&c| map[c as usize]).collect();
            Ok(Target::Classes { indices, labels })
        }
        ColumnData::Boolean(v) => {
            if choice == TaskChoice::Regression || kind.regresses_only() {
                return Err(TrainError::NeedsValues(kind.name()));
            }
            let indices = v
                .iter()
                .enumerate()
                .map(|(row, b)| b.map(usize::from).ok_or_else(|| missing(row)))
                .collect::<Result<_, _>>()?;
            Ok(Target::Classes {
                indices,
                labels: vec!["false".into(), "true".into()],
            })
        }
        ColumnData::Numeric(v) => {
            if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                return Err(missing(row));
            }
            let integers = v.iter().all(|x| x.fract() == 0.0 && x.abs() < 1e15);
            let mut distinct: Vec<f64> = v.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let as_classes = classify
                && integers
                && (choice == TaskChoice::Classification
                    || kind.classifies_only()
                    || distinct.len() <= 10);
            if as_classes {
                let labels = distinct.iter().map(|d| format!("{d}")).collect();
                let indices = v
                    .iter()
                    .map(|x| distinct.partition_point(|d| d < x))
                    .collect();
                Ok(Target::Classes { indices, labels })
            } else if kind.classifies_only() || choice == TaskChoice::Classification {
                Err(TrainError::NeedsClasses(kind.name()))
            } else {
                Ok(Target::Values(v.clone()))
            }
        }
    }
}

/// Trains `request.kind` on `table`: splits (stratified for classes), fits the pipeline on
/// the training rows, fits the model through linfa, evaluates on the test rows, profiles the
/// training rows as the drift reference, and packs everything into an [`Artifact`].
pub fn train(
    table: &Table,
    request: &TrainRequest,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Artifact, Evaluation), TrainError> {
    train_with_maps(table, request, None, progress)
}

/// Like [`train`]; with `maps` (cells per side, rows drawn), a progress event of a trainer
/// that shows its model mid-training carries the decision map of that model
/// ([`Progress::map`]), for a page that redraws the map as the model trains (boosting,
/// tree by tree). Only classifiers of two numeric inputs get maps.
pub fn train_with_maps(
    table: &Table,
    request: &TrainRequest,
    maps: Option<(usize, usize)>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Artifact, Evaluation), TrainError> {
    progress(Progress::stage("prepare"));
    let (target, train_rows, test_rows) = target_and_split(table, request)?;
    let holdout = Holdout::Rows(test_rows);
    train_on_rows(table, request, &target, train_rows, holdout, maps, progress)
}

/// Like [`train`] with a test fraction of 0, then judged on another table (`driftlab train
/// --test FILE`): the model trains on every row of `table`, and `test` goes through the same
/// fitted pipeline; the artifact's metrics are those of `test`. `test` needs the target
/// column and every column the pipeline reads; its labels must be classes of `table`.
pub fn train_with_test(
    table: &Table,
    test: &Table,
    request: &TrainRequest,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Artifact, Evaluation), TrainError> {
    if request.test_fraction != 0.0 {
        return Err(TrainError::Invalid(format!(
            "a test table is given, so no rows are held out of the training table, but the test fraction is {}; leave it at 0 (or drop the test table)",
            request.test_fraction
        )));
    }
    progress(Progress::stage("prepare"));
    let kind = request.kind;
    let target = match request.target.as_deref() {
        Some(t) => target_of(table, t, kind, request.task)?,
        None if kind == ModelKind::Kmeans => Target::None,
        None => return Err(TrainError::NeedsTarget(kind.name())),
    };
    let rows = (0..table.rows()).collect();
    train_on_rows(
        table,
        request,
        &target,
        rows,
        Holdout::Table(test),
        None,
        progress,
    )
}

/// Where the test rows come from.
enum Holdout<'a> {
    /// Rows of the training table (none: no test metrics).
    Rows(Vec<usize>),
    /// Every row of another table, its labels read as the training table's classes.
    Table(&'a Table),
}

/// Like [`train`], on a given split (row indices into `table`), e.g. one made elsewhere to
/// compare with another library on exactly the same rows.
pub fn train_on_split(
    table: &Table,
    request: &TrainRequest,
    train_rows: Vec<usize>,
    test_rows: Vec<usize>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Artifact, Evaluation), TrainError> {
    let kind = request.kind;
    let target = match request.target.as_deref() {
        Some(t) => target_of(table, t, kind, request.task)?,
        None if kind.tasks().clustering => Target::None,
        None => return Err(TrainError::NeedsTarget(kind.name())),
    };
    if let Some(&bad) = train_rows
        .iter()
        .chain(&test_rows)
        .find(|&&r| r >= table.rows())
    {
        return Err(TrainError::Invalid(format!(
            "row index {bad} is out of range for a table of {} rows",
            table.rows()
        )));
    }
    let holdout = Holdout::Rows(test_rows);
    train_on_rows(table, request, &target, train_rows, holdout, None, progress)
}

/// Prepares the rows, fits and concludes; with `maps` (see [`train_with_maps`]) a progress
/// event that carries the model so far gets that model's decision map instead.
fn train_on_rows(
    table: &Table,
    request: &TrainRequest,
    target: &Target,
    train_rows: Vec<usize>,
    holdout: Holdout,
    maps: Option<(usize, usize)>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Artifact, Evaluation), TrainError> {
    let prepared = prepare(table, request, target, train_rows, holdout)?;
    let classes = match target {
        Target::Classes { labels, .. } => labels.clone(),
        _ => Vec::new(),
    };
    let maps = maps.filter(|_| !classes.is_empty() && two_inputs_of(&prepared.pipeline).is_ok());
    let mut report = |mut p: Progress| {
        if let (Some(model), Some((size, points))) = (p.partial.take(), maps) {
            p.map = grid_of(&prepared.pipeline, &model, &classes, table, size, points).ok();
        }
        progress(p)
    };
    let fitted = fit_prepared(request, &prepared, Losses::Report, &mut report)?;
    progress(Progress::stage("evaluate"));
    conclude(table, request, target, prepared, fitted)
}

/// [`fit_matrix`] on the prepared training rows, as [`train`] fits them.
pub(crate) fn fit_prepared(
    request: &TrainRequest,
    prepared: &Prepared,
    losses: Losses,
    progress: &mut dyn FnMut(Progress),
) -> Result<Fitted, TrainError> {
    fit_matrix(
        request.kind,
        &request.params,
        &prepared.x_train,
        &prepared.y_train,
        request.seed,
        losses,
        progress,
    )
}

/// A request's rows made ready for a trainer: the pipeline fitted on the training rows,
/// both sides transformed, the targets split.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub(crate) pipeline: crate::prep::FittedPipeline,
    pub(crate) train_table: Table,
    pub(crate) x_train: Matrix,
    pub(crate) y_train: Target,
    pub(crate) x_test: Matrix,
    pub(crate) y_test: Target,
    pub(crate) train_rows: Vec<usize>,
    pub(crate) test_rows: Vec<usize>,
}

/// The target of `request` on `table` and the split [`train`] makes (stratified for
/// classes).
pub(crate) fn target_and_split(
    table: &Table,
    request: &TrainRequest,
) -> Result<(Target, Vec<usize>, Vec<usize>), TrainError> {
    let kind = request.kind;
    let target_name = request.target.as_deref();
    let target = match target_name {
        Some(t) => target_of(table, t, kind, request.task)?,
        None if kind.tasks().clustering => Target::None,
        None => return Err(TrainError::NeedsTarget(kind.name())),
    };
    let stratify = match target {
        Target::Classes { .. } => target_name,
        _ => None,
    };
    let (train_rows, test_rows) = if request.test_fraction == 0.0 {
        ((0..table.rows()).collect(), Vec::new())
    } else {
        split(table, request.test_fraction, request.seed, stratify)?
    };
    Ok((target, train_rows, test_rows))
}

fn prepare(
    table: &Table,
    request: &TrainRequest,
    target: &Target,
    train_rows: Vec<usize>,
    holdout: Holdout,
) -> Result<Prepared, TrainError> {
    let kind = request.kind;
    let target_name = request.target.as_deref();
    if let (Target::Classes { labels, .. }, Some(column)) = (target, target_name) {
        if labels.len() == 1 {
            return Err(TrainError::OneClass {
                column: column.to_owned(),
                class: labels[0].clone(),
            });
        }
    }
    let spec = match &request.pipeline {
        Some(s) => {
            let mut s = s.clone();
            s.target = target_name.map(str::to_string);
            s
        }
        None => PipelineSpec::default_for(table, target_name)?,
    };
    if !request.params.accepts_missing() {
        let keep = |c: &&ColumnSpec| {
            matches!(
                c,
                ColumnSpec::Numeric {
                    impute: NumericImpute::Keep,
                    ..
                }
            )
        };
        if let Some((column, _)) = spec.columns.iter().find(|(_, c)| keep(c)) {
            return Err(TrainError::Invalid(format!(
                "column {column:?} keeps its missing values for the model (impute \"keep\"), which only tree, forest and boosting can route; {kind} needs them filled: choose mean, median, most_frequent or a constant for it (on the command line: leave out --keep-missing)"
            )));
        }
    }
    let train_table = table.take(&train_rows);
    let pipeline = spec.fit(&train_table)?;
    let x_train = pipeline.transform(&train_table)?;
    let (x_test, y_test, test_rows) = match holdout {
        Holdout::Rows(rows) => (
            pipeline.transform(&table.take(&rows))?,
            target.take(&rows),
            rows,
        ),
        Holdout::Table(test) => {
            let in_test = |e: TrainError| TrainError::TestTable(Box::new(e));
            let y = match (target, target_name) {
                (Target::Classes { labels, .. }, Some(column)) => Target::Classes {
                    indices: classes_of(test, column, labels).map_err(in_test)?,
                    labels: labels.clone(),
                },
                (Target::Values(_), Some(column)) => {
                    Target::Values(values_of(test, column, kind.name()).map_err(in_test)?)
                }
                _ => Target::None,
            };
            let x = pipeline
                .transform(test)
                .map_err(|e| in_test(TrainError::Prep(e)))?;
            (x, y, (0..test.rows()).collect())
        }
    };
    let y_train = target.take(&train_rows);
    Ok(Prepared {
        pipeline,
        train_table,
        x_train,
        y_train,
        x_test,
        y_test,
        train_rows,
        test_rows,
    })
}

/// Evaluates a fitted model on the prepared test rows and packs the artifact.
fn conclude(
    table: &Table,
    request: &TrainRequest,
    target: &Target,
    prepared: Prepared,
    fitted: Fitted,
) -> Result<(Artifact, Evaluation), TrainError> {
    let kind = request.kind;
    let target_name = request.target.as_deref();
    let Prepared {
        pipeline,
        train_table,
        x_test,
        y_test,
        train_rows,
        test_rows,
        ..
    } = prepared;
    let test_predictions = fitted.predict_linfa(&x_test)?;
    let model = fitted.into_model();
    let classes = match target {
        Target::Classes { labels, .. } => labels.clone(),
        _ => Vec::new(),
    };
    let (metrics, curves) = if test_rows.is_empty() {
        (None, Vec::new())
    } else {
        let (m, c) = evaluate(&model, &x_test, &y_test, &test_predictions, &classes)?;
        (Some(m), c)
    };
    let profile = Profile::from_table(&train_table, target_name)?;
    let lineage = Lineage {
        driftlab_version: crate::VERSION.to_string(),
        created: request.created.clone(),
        dataset_fingerprint: format!("{:016x}", table.fingerprint()),
        model_kind: kind.name().to_string(),
        params: serde_json::to_value(request.params.values()).unwrap_or_default(),
        seed: request.seed,
        test_fraction: request.test_fraction,
        train_rows: train_rows.len(),
        test_rows: test_rows.len(),
        parent: request.parent.clone(),
    };
    let artifact = Artifact::new(
        table,
        pipeline,
        model.clone(),
        classes,
        profile,
        metrics.clone(),
        lineage,
    )?;
    Ok((
        artifact,
        Evaluation {
            task: model.task(),
            metrics,
            curves,
            train_rows,
            test_rows,
            test_predictions,
        },
    ))
}

/// Scores `table` with `artifact` and judges the predictions against its `target` column
/// (labels matched to the artifact's classes by text; numbers by their shortest form).
pub fn evaluate_table(
    artifact: &Artifact,
    table: &Table,
    target: &str,
) -> Result<(TestMetrics, Vec<BinaryCurves>), TrainError> {
    table.require(target).map_err(PrepError::from)?;
    let y = match artifact.model.task() {
        Task::Classification => Target::Classes {
            indices: classes_of(table, target, &artifact.classes)?,
            labels: artifact.classes.clone(),
        },
        Task::Regression => Target::Values(values_of(table, target, artifact.model.kind())?),
        Task::Clustering => Target::None,
    };
    let x = artifact.pipeline.transform(table)?;
    let predictions = artifact.score_features(x.data())?;
    evaluate(&artifact.model, &x, &y, &predictions, &artifact.classes)
}

/// The class index of each row's `column` among `classes` (labels matched by text; numbers
/// by their shortest form, as [`target_of`] writes them).
fn classes_of(table: &Table, column: &str, classes: &[String]) -> Result<Vec<usize>, TrainError> {
    let col = table.require(column).map_err(PrepError::from)?;
    (0..table.rows())
        .map(|row| {
            let label = match col.get(row) {
                Some(crate::table::Cell::Category(s)) => s.to_string(),
                Some(crate::table::Cell::Bool(b)) => b.to_string(),
                Some(crate::table::Cell::Number(x)) => format!("{x}"),
                _ => {
                    return Err(TrainError::MissingTarget {
                        row: row + 1,
                        column: column.to_string(),
                    })
                }
            };
            classes.iter().position(|c| *c == label).ok_or_else(|| {
                TrainError::Invalid(format!(
                    "row {}, column {column:?}: {label:?} is not a class this model knows ({}); evaluate on rows whose labels the model was trained with",
                    row + 1,
                    classes.join(", ")
                ))
            })
        })
        .collect()
}

/// The numeric `column` of `table`, for a regression model of `kind`.
fn values_of(table: &Table, column: &str, kind: &'static str) -> Result<Vec<f64>, TrainError> {
    match &table.require(column).map_err(PrepError::from)?.data {
        ColumnData::Numeric(v) => match v.iter().position(|x| !x.is_finite()) {
            Some(row) => Err(TrainError::MissingTarget {
                row: row + 1,
                column: column.to_string(),
            }),
            None => Ok(v.clone()),
        },
        _ => Err(TrainError::NeedsValues(kind)),
    }
}

/// Metrics and curves of predictions on a transformed test matrix.
pub fn evaluate(
    model: &Model,
    x: &Matrix,
    y: &Target,
    predictions: &[Prediction],
    classes: &[String],
) -> Result<(TestMetrics, Vec<BinaryCurves>), TrainError> {
    match (model.task(), y) {
        (Task::Classification, Target::Classes { indices, labels }) => {
            let pred: Vec<usize> = predictions.iter().map(|p| p.value as usize).collect();
            let k = labels.len();
            let has_proba = predictions.iter().all(|p| p.probabilities.len() == k);
            let proba: Vec<f64> = if has_proba {
                predictions
                    .iter()
                    .flat_map(|p| p.probabilities.iter().copied())
                    .collect()
            } else {
                Vec::new()
            };
            let m = metrics::classification(
                indices,
                &pred,
                has_proba.then_some(&proba[..]),
                classes,
                None,
            )?;
            let mut curves = Vec::new();
            if has_proba && !indices.is_empty() {
                let targets: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
                for c in targets {
                    curves.push(metrics::binary_curves(indices, &proba, k, c, &classes[c])?);
                }
            }
            Ok((TestMetrics::Classification(m), curves))
        }
        (Task::Regression, Target::Values(v)) => {
            let pred: Vec<f64> = predictions.iter().map(|p| p.value).collect();
            Ok((
                TestMetrics::Regression(metrics::regression(v, &pred)?),
                Vec::new(),
            ))
        }
        (Task::Clustering, _) => {
            let labels: Vec<usize> = predictions.iter().map(|p| p.value as usize).collect();
            let centroids = match model {
                Model::Kmeans(m) => &m.centroids[..],
                _ => &[],
            };
            let inertia = metrics::inertia(x.data(), x.cols(), &labels, centroids)?;
            let silhouette = metrics::silhouette_sampled(
                x.data(),
                x.cols(),
                &labels,
                metrics::SILHOUETTE_SAMPLE,
                metrics::SILHOUETTE_SEED,
            )
            .ok();
            Ok((
                TestMetrics::Clustering(metrics::ClusteringMetrics {
                    inertia,
                    silhouette,
                }),
                Vec::new(),
            ))
        }
        _ => Err(TrainError::Invalid(
            "the target does not match the model's task".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::first_not_finite;

    #[test]
    fn first_not_finite_finds_the_first_across_blocks() {
        let mut x = vec![1.5; 1000];
        assert_eq!(first_not_finite(&x, false), None);
        for at in [0, 255, 256, 511, 999] {
            let mut y = x.clone();
            y[at] = f64::INFINITY;
            y[(at + 300).min(999)] = f64::NEG_INFINITY;
            assert_eq!(first_not_finite(&y, false), Some(at), "{at}");
        }
        // NaN is refused unless missing values are accepted; an infinity never is
        x[300] = f64::NAN;
        assert_eq!(first_not_finite(&x, false), Some(300));
        assert_eq!(first_not_finite(&x, true), None);
        x[700] = f64::INFINITY;
        assert_eq!(first_not_finite(&x, true), Some(700));
        assert_eq!(first_not_finite(&[], false), None);
    }
}
