//! The last model trained (or loaded from its artifact) and what the Model panel asks of
//! it: the threshold table, the decision grid, scoring, timing rows, the edge bundle.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::WorkbenchError;
use crate::artifact::{Artifact, Lineage, Scored};
use crate::decision_grid::{decision_grid, DecisionGrid};
use crate::defaults::DEFAULTS;
use crate::metrics::{self, BinaryCurves, TestMetrics, ThresholdTable};
use crate::prep::PipelineSpec;
use crate::score::Task;
use crate::table::{Cell, Table};
use crate::train::{
    self, Evaluation, LiveFrame, LiveNeurons, LivePoint, LiveTraining, ModelKind, ModelParams,
    Progress, TaskChoice, TrainRequest,
};

/// At most this many test rows are kept for timing the scorer (enough for a stable
/// median, small enough not to copy a large table).
const LATENCY_ROWS: usize = 10_000;

/// A training request as the page sends it: parameters as text or JSON values (read as
/// `--param` reads them), everything left out taking the core's default
/// ([`crate::defaults`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct TrainSettings {
    /// The target column (`null` only for k-means).
    #[serde(default)]
    pub target: Option<String>,
    /// The model kind.
    pub model: String,
    /// Hyperparameters that differ from the kind's defaults.
    #[serde(default)]
    #[cfg_attr(ts, tsify(type = "Record<string, string | number | boolean>"))]
    pub params: BTreeMap<String, serde_json::Value>,
    /// Share of the rows held out for testing.
    #[serde(default)]
    pub test_fraction: Option<f64>,
    /// Seed of the split and of randomised trainers.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Preprocessing (the default for the table when left out).
    #[serde(default)]
    pub pipeline: Option<PipelineSpec>,
    /// What a numeric target means for kinds that do both.
    #[serde(default)]
    pub task: TaskChoice,
    /// The time stamped on the artifact (the core has no clock).
    #[serde(default)]
    pub created: String,
    /// The artifact this one retrains (its hash), for lineage.
    #[serde(default)]
    pub parent: Option<String>,
}

impl TrainSettings {
    /// The core's request: the kind and parameters checked, the defaults filled in.
    pub fn request(&self) -> Result<TrainRequest, WorkbenchError> {
        if self.test_fraction == Some(0.0) {
            // the page shows test metrics; training on every row is the CLI's (--test-fraction 0)
            return Err(WorkbenchError::NoHoldout);
        }
        let kind = ModelKind::parse(&self.model)?;
        let mut params = ModelParams::defaults(kind);
        for (key, value) in &self.params {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            params.set(key, &text)?;
        }
        Ok(TrainRequest {
            target: self.target.clone(),
            kind,
            params,
            test_fraction: self.test_fraction.unwrap_or(DEFAULTS.test_fraction),
            seed: self.seed.unwrap_or(DEFAULTS.seed),
            pipeline: self.pipeline.clone(),
            task: self.task,
            created: self.created.clone(),
            parent: self.parent.clone(),
        })
    }
}

/// The evaluation without the per-row arrays (the page draws metrics and curves).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct EvaluationView {
    /// The task.
    pub task: Task,
    /// Test metrics.
    pub metrics: TestMetrics,
    /// ROC / PR / calibration / threshold curves.
    pub curves: Vec<BinaryCurves>,
    /// Training rows.
    pub train_rows: usize,
    /// Test rows.
    pub test_rows: usize,
}

/// A trained model as the page receives it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct TrainResult {
    /// The artifact as JSON text, ready to download or store.
    pub artifact: String,
    /// Its size in bytes.
    pub artifact_bytes: usize,
    /// Its content hash.
    pub hash: String,
    /// The model kind.
    pub kind: String,
    /// The class labels (classifiers).
    pub classes: Vec<String>,
    /// The feature names after preprocessing.
    pub features: Vec<String>,
    /// How it did on the held-out rows.
    pub evaluation: EvaluationView,
    /// Each feature's share of the model's split gain, in `features`' order, for the kinds
    /// that record it (boosting); the page's importance chart.
    pub importance: Option<Vec<f64>>,
}

/// A loaded artifact's card.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ArtifactCard {
    /// The model kind.
    pub kind: String,
    /// The content hash.
    pub hash: String,
    /// The class labels.
    pub classes: Vec<String>,
    /// The feature names.
    pub features: Vec<String>,
    /// Test metrics at training time.
    pub metrics: Option<TestMetrics>,
    /// Where it comes from.
    pub lineage: Lineage,
}

/// An ONNX model made the current model: its card, and its artifact as JSON text (which
/// the page keeps, to restore the model after an engine restart, as it keeps a trained
/// one's).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct OnnxImported {
    /// The card of the imported model.
    pub card: ArtifactCard,
    /// Its artifact.
    pub artifact: String,
}

/// The last model trained in this workbench, kept for threshold tables and scoring.
#[derive(Debug)]
struct Trained {
    artifact: Artifact,
    /// Test-row class indices and the positive-class scores, per class, for thresholds.
    y_test: Vec<usize>,
    probabilities: Vec<Vec<f64>>,
    /// Up to [`LATENCY_ROWS`] test rows (none for a loaded artifact), for timing the scorer.
    test_table: Option<Table>,
}

/// Cells per side and rows drawn of the decision map a progress event carries while a
/// classifier of two numeric inputs trains (boosting: the model so far), as the page's map
/// after training (`BOUNDARY_CELLS`, `BOUNDARY_POINTS` in www/panels/model.ts).
const MAP_CELLS: usize = 60;
const MAP_POINTS: usize = 600;

/// The last model trained or loaded (none at first), and the network being trained live.
#[derive(Debug, Default)]
pub struct ModelBench {
    trained: Option<Trained>,
    live: Option<LiveTraining>,
}

/// What the live view needs once, when a live training starts.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct LiveStart {
    /// The input features (the input neurons' labels).
    pub features: Vec<String>,
    /// The class labels (empty for a regressor).
    pub classes: Vec<String>,
    /// Whether every neuron can be drawn over two inputs ([`ModelBench::live_neurons`]).
    pub grid: bool,
    /// The training and test rows over the two inputs.
    pub points: Vec<LivePoint>,
    /// The untrained network.
    pub frame: LiveFrame,
    /// The parameter that counts the steps (`epochs`, `max_iterations`, `n_iterations`).
    pub param: String,
    /// What one step is (`epoch`, `iteration`, `tree`).
    pub unit: String,
    /// The steps the request asks for (the value of `param`; a logistic or boosting run
    /// may end sooner).
    pub planned: u64,
}

impl ModelBench {
    /// No model yet.
    pub fn new() -> ModelBench {
        ModelBench::default()
    }

    fn trained(&self) -> Result<&Trained, WorkbenchError> {
        self.trained.as_ref().ok_or(WorkbenchError::NoModel)
    }

    /// The last model's artifact, to deploy.
    pub fn artifact(&self) -> Result<&Artifact, WorkbenchError> {
        self.trained
            .as_ref()
            .map(|t| &t.artifact)
            .ok_or(WorkbenchError::NoModelToDeploy)
    }

    /// Trains a model on `table`; `progress` receives each stage as it runs (and, while a
    /// boosted classifier of two numeric inputs trains, the decision map of its trees so far).
    pub fn train(
        &mut self,
        table: &Table,
        settings: &TrainSettings,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<TrainResult, WorkbenchError> {
        let request = settings.request()?;
        let maps = Some((MAP_CELLS, MAP_POINTS));
        let (artifact, evaluation) = train::train_with_maps(table, &request, maps, progress)?;
        self.keep(table, request.kind, artifact, evaluation)
    }

    /// Starts training `settings` (an `mlp`, `logistic` or `boosting`) live on `table`, each
    /// neuron drawn on a `grid` × `grid` picture when the data has two numeric inputs.
    pub fn live_start(
        &mut self,
        table: &Table,
        settings: &TrainSettings,
        grid: usize,
    ) -> Result<LiveStart, WorkbenchError> {
        let live = LiveTraining::new(table, &settings.request()?, grid)?;
        let start = LiveStart {
            features: live.features().to_vec(),
            classes: live.classes(),
            grid: live.neurons().is_some(),
            points: live.live_points().to_vec(),
            frame: live.frame(),
            param: live.unit().0.into(),
            unit: live.unit().1.into(),
            planned: live.planned(),
        };
        self.live = Some(live);
        Ok(start)
    }

    /// Runs `steps` more steps (epochs, iterations, trees) of the live training.
    pub fn live_step(&mut self, steps: u64) -> Result<LiveFrame, WorkbenchError> {
        let live = self.live.as_mut().ok_or(WorkbenchError::NoLive)?;
        Ok(live.step(steps)?)
    }

    /// Every neuron of the live network on its grid (`None` without two numeric inputs).
    pub fn live_neurons(&self) -> Result<Option<LiveNeurons>, WorkbenchError> {
        Ok(self.live.as_ref().ok_or(WorkbenchError::NoLive)?.neurons())
    }

    /// Makes the live network, as it stands, the last model (as [`ModelBench::train`]
    /// would have trained it with `epochs` set to the epochs run).
    pub fn live_finish(&mut self, table: &Table) -> Result<TrainResult, WorkbenchError> {
        let live = self.live.as_ref().ok_or(WorkbenchError::NoLive)?;
        let (artifact, evaluation) = live.finish(table)?;
        let kind = live.kind();
        self.keep(table, kind, artifact, evaluation)
    }

    /// Keeps a trained model as the last one and describes it for the page.
    fn keep(
        &mut self,
        table: &Table,
        kind: ModelKind,
        artifact: Artifact,
        evaluation: Evaluation,
    ) -> Result<TrainResult, WorkbenchError> {
        let y_test = test_classes(table, &artifact, &evaluation);
        let timed = evaluation.test_rows.len().min(LATENCY_ROWS);
        let test_table = table.take(&evaluation.test_rows[..timed]);
        let text = String::from_utf8(artifact.to_bytes()?)
            .map_err(|e| WorkbenchError::Text(e.to_string()))?;
        let result = TrainResult {
            artifact_bytes: text.len(),
            artifact: text,
            hash: artifact.hash.clone(),
            kind: kind.name().to_owned(),
            classes: artifact.classes.clone(),
            features: artifact.pipeline.features.clone(),
            evaluation: EvaluationView {
                task: evaluation.task,
                metrics: evaluation.metrics.ok_or(WorkbenchError::NoHoldout)?,
                curves: evaluation.curves,
                train_rows: evaluation.train_rows.len(),
                test_rows: evaluation.test_rows.len(),
            },
            importance: artifact.model.importance().map(<[f64]>::to_vec),
        };
        let probabilities = evaluation
            .test_predictions
            .into_iter()
            .map(|p| p.probabilities)
            .collect();
        self.trained = Some(Trained {
            artifact,
            y_test,
            probabilities,
            test_table: Some(test_table),
        });
        Ok(result)
    }

    /// The threshold table of the last trained classifier for class `positive` (index),
    /// with the expected cost of each threshold for the given costs of a false positive
    /// and a false negative.
    pub fn thresholds(
        &self,
        positive: usize,
        cost_fp: f64,
        cost_fn: f64,
    ) -> Result<ThresholdTable, WorkbenchError> {
        let trained = self.trained()?;
        let y: Vec<bool> = trained.y_test.iter().map(|&c| c == positive).collect();
        let scores: Vec<f64> = trained
            .probabilities
            .iter()
            .map(|p| p.get(positive).copied().unwrap_or(0.0))
            .collect();
        if y.len() != scores.len() || trained.artifact.classes.len() <= positive {
            return Err(WorkbenchError::NoClassProbabilities);
        }
        Ok(metrics::threshold_table(
            &y,
            &scores,
            &metrics::default_thresholds(),
            cost_fp,
            cost_fn,
        )?)
    }

    /// The edge bundle of the last trained model, `(file name, bytes)` in the layout of
    /// [`crate::export::files`]; `wasm` is the edge scorer.
    pub fn bundle(&self, wasm: &[u8]) -> Result<Vec<(&'static str, Vec<u8>)>, WorkbenchError> {
        let artifact = self.trained()?.artifact.to_bytes()?;
        crate::export::files(&artifact, wasm).map_err(|e| WorkbenchError::Bundle(e.to_string()))
    }

    /// Makes a model artifact (JSON text, e.g. a downloaded one) the current model.
    pub fn load_artifact(&mut self, text: &str) -> Result<ArtifactCard, WorkbenchError> {
        let artifact = Artifact::from_bytes(text.as_bytes())?;
        Ok(self.make_current(artifact))
    }

    /// Imports an ONNX model (`onnx`, the file's bytes) with `reference` as the table it
    /// was trained on (its columns feed the graph, its profile becomes the drift
    /// reference), through [`crate::onnx::import::import_model`], and makes it the current
    /// model, to deploy like a trained one. `target` is the reference's target column; when
    /// absent (or not a column of the reference) it is guessed as for a loaded file
    /// ([`super::data::guess_target`]). `created` is the caller's time stamp.
    #[cfg(feature = "onnx")]
    pub fn import_onnx(
        &mut self,
        onnx: &[u8],
        reference: &Table,
        target: Option<&str>,
        created: &str,
    ) -> Result<OnnxImported, WorkbenchError> {
        let target = match target.filter(|t| reference.column(t).is_some()) {
            Some(t) => Some(t.to_owned()),
            None => {
                super::data::guess_target(&crate::profile::Profile::from_table(reference, None)?)
            }
        };
        let options = crate::onnx::import::ImportOptions {
            created: created.to_owned(),
        };
        let artifact =
            crate::onnx::import::import_model(onnx, reference, target.as_deref(), &options)?;
        let text = String::from_utf8(artifact.to_bytes()?)
            .map_err(|e| WorkbenchError::Text(e.to_string()))?;
        Ok(OnnxImported {
            card: self.make_current(artifact),
            artifact: text,
        })
    }

    /// [`ModelBench::import_onnx`] with the reference given as CSV bytes (a dropped file,
    /// read as the Data panel reads one; `file_name` names it in errors).
    #[cfg(feature = "onnx")]
    pub fn import_onnx_csv(
        &mut self,
        onnx: &[u8],
        csv: &[u8],
        file_name: &str,
        target: Option<&str>,
        created: &str,
    ) -> Result<OnnxImported, WorkbenchError> {
        let read = crate::table::read_csv(csv, &crate::table::ReadOptions::default()).map_err(
            |error| WorkbenchError::File {
                file: file_name.to_owned(),
                error,
            },
        )?;
        self.import_onnx(onnx, &read.table, target, created)
    }

    /// The current model as an ONNX file ([`crate::onnx::export`]).
    #[cfg(feature = "onnx")]
    pub fn onnx(&self) -> Result<Vec<u8>, WorkbenchError> {
        Ok(crate::onnx::export::to_bytes(&self.trained()?.artifact)?)
    }

    /// Makes `artifact` the current model (no test rows: a loaded or imported model).
    fn make_current(&mut self, artifact: Artifact) -> ArtifactCard {
        let card = ArtifactCard {
            kind: artifact.model.kind().to_owned(),
            hash: artifact.hash.clone(),
            classes: artifact.classes.clone(),
            features: artifact.pipeline.features.clone(),
            metrics: artifact.metrics.clone(),
            lineage: artifact.lineage.clone(),
        };
        self.trained = Some(Trained {
            artifact,
            y_test: Vec::new(),
            probabilities: Vec::new(),
            test_table: None,
        });
        card
    }

    /// Scores JSON rows (`{column: value}`) with the current model: per row the
    /// prediction, the class probabilities and the warnings of the drift guard.
    pub fn score_rows(&self, rows: &[serde_json::Value]) -> Result<Vec<Scored>, WorkbenchError> {
        let trained = self
            .trained
            .as_ref()
            .ok_or(WorkbenchError::NoModelToScore)?;
        Ok(trained.artifact.score_json_rows(rows)?)
    }

    /// The last trained classifier scored on a `size × size` grid over `table`'s range of
    /// its two numeric inputs, with up to `max_points` rows to draw over it.
    pub fn decision_grid(
        &self,
        table: &Table,
        size: usize,
        max_points: usize,
    ) -> Result<DecisionGrid, WorkbenchError> {
        Ok(decision_grid(
            &self.trained()?.artifact,
            table,
            size,
            max_points,
        )?)
    }

    /// Scores the first `limit` test rows (all of them, up to [`LATENCY_ROWS`], when
    /// `None`) of the last trained model once through its pipeline and the batch scorer
    /// (what a serving endpoint does) and returns how many rows it scored; the page times
    /// repetitions of this call, with fewer rows for a slow model (kNN scans its training
    /// rows for every answer), so the measurement stays within a few hundred milliseconds.
    pub fn score_test_rows(&self, limit: Option<usize>) -> Result<usize, WorkbenchError> {
        let trained = self.trained()?;
        let table = trained
            .test_table
            .as_ref()
            .ok_or(WorkbenchError::NoTestRows)?;
        match limit {
            Some(n) if n < table.rows() => {
                let rows: Vec<usize> = (0..n.max(1)).collect();
                Ok(trained.artifact.score_table(&table.take(&rows))?.len())
            }
            _ => Ok(trained.artifact.score_table(table)?.len()),
        }
    }
}

/// The class index of each test row (empty for regression and clustering).
fn test_classes(table: &Table, artifact: &Artifact, evaluation: &Evaluation) -> Vec<usize> {
    let Some(target) = artifact
        .pipeline
        .target
        .as_deref()
        .and_then(|t| table.column(t))
    else {
        return Vec::new();
    };
    evaluation
        .test_rows
        .iter()
        .map(|&r| {
            let label = match target.get(r) {
                Some(Cell::Category(s)) => s.to_owned(),
                Some(Cell::Bool(b)) => b.to_string(),
                Some(Cell::Number(x)) => format!("{x}"),
                _ => String::new(),
            };
            artifact
                .classes
                .iter()
                .position(|c| *c == label)
                .unwrap_or(usize::MAX)
        })
        .collect()
}
