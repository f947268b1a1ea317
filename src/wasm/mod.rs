//! The browser facade: the only module that knows about JavaScript.
//!
//! A [`Workbench`] lives in the page's Web Worker and holds the loaded table. Every method
//! takes and returns plain JSON-shaped values; every error arrives in JavaScript as an
//! `Error` whose message is the core's (row, column and fix included). A failed load
//! leaves the previous table in place.

use crate::{
    dataset,
    prep::PipelineSpec,
    profile::Profile,
    table::{read_csv, read_csv_with_progress, Cell, ColumnKind, CsvRead, ReadOptions, Table},
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

// The trainers and everything after them; the page's first module is built without them
// (see `www/engine.ts`) and loads the full module when a model is first trained.
#[cfg(feature = "train")]
use crate::{
    artifact::Artifact,
    metrics,
    train::{self, Evaluation, ModelKind, ModelParams, TaskChoice, TrainRequest},
};
#[cfg(feature = "train")]
use serde::Deserialize;
#[cfg(feature = "train")]
use std::collections::BTreeMap;

#[cfg(feature = "train")]
mod deploy;

/// Rows of the table preview sent to the page.
const PREVIEW_ROWS: usize = 50;

/// At most this many test rows are kept for timing the scorer (enough for a stable
/// median, small enough not to copy a large table).
#[cfg(feature = "train")]
const LATENCY_ROWS: usize = 10_000;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// The worker's state: the loaded table and the last trained model.
#[wasm_bindgen]
pub struct Workbench {
    name: String,
    table: Option<Table>,
    #[cfg(feature = "train")]
    trained: Option<Trained>,
    /// The registry, the playing scenario and the monitor (see `deploy.rs`).
    #[cfg(feature = "train")]
    deploy: deploy::DeployState,
}

#[cfg(feature = "train")]
/// The last model trained in this workbench, kept for threshold tables and scoring.
struct Trained {
    artifact: Artifact,
    /// Test-row class indices and the positive-class scores, per class, for thresholds.
    y_test: Vec<usize>,
    probabilities: Vec<Vec<f64>>,
    /// Up to [`LATENCY_ROWS`] test rows (none for a loaded artifact), for timing the scorer.
    test_table: Option<Table>,
}

#[cfg(feature = "train")]
/// A training request as the page sends it.
#[derive(Deserialize)]
struct PageTrainRequest {
    target: Option<String>,
    model: String,
    #[serde(default)]
    params: BTreeMap<String, serde_json::Value>,
    test_fraction: Option<f64>,
    seed: Option<u64>,
    pipeline: Option<PipelineSpec>,
    #[serde(default)]
    task: TaskChoice,
    #[serde(default)]
    created: String,
    parent: Option<String>,
}

#[cfg(feature = "train")]
#[derive(Serialize)]
struct TrainResult<'a> {
    /// The artifact as JSON text, ready to download or store.
    artifact: &'a str,
    artifact_bytes: usize,
    hash: &'a str,
    kind: &'a str,
    classes: &'a [String],
    features: &'a [String],
    evaluation: EvaluationView<'a>,
}

#[cfg(feature = "train")]
/// The evaluation without the per-row arrays (the page draws metrics and curves).
#[derive(Serialize)]
struct EvaluationView<'a> {
    task: crate::score::Task,
    metrics: &'a crate::metrics::TestMetrics,
    curves: &'a [metrics::BinaryCurves],
    train_rows: usize,
    test_rows: usize,
}

#[derive(Serialize)]
struct Loaded<'a> {
    name: &'a str,
    rows: usize,
    columns: Vec<ColumnInfo<'a>>,
    preview: Preview<'a>,
    profile: Profile,
    notes: &'a [String],
}

#[derive(Serialize)]
struct ColumnInfo<'a> {
    name: &'a str,
    kind: ColumnKind,
}

#[derive(Serialize)]
struct Preview<'a> {
    columns: Vec<&'a str>,
    rows: Vec<Vec<Cell<'a>>>,
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // maps as plain objects, so the page reads `profile.columns[0].name`
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}

#[wasm_bindgen]
impl Workbench {
    /// An empty workbench.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Workbench {
        Workbench {
            name: String::new(),
            table: None,
            #[cfg(feature = "train")]
            trained: None,
            #[cfg(feature = "train")]
            deploy: deploy::DeployState::default(),
        }
    }

    /// The built-in datasets.
    pub fn datasets(&self) -> Result<JsValue, JsError> {
        to_js(&dataset::list())
    }

    /// Loads a built-in dataset; `options` is `{rows?, seed?, drift?}`.
    #[wasm_bindgen(js_name = loadDataset)]
    pub fn load_dataset(&mut self, name: &str, options: JsValue) -> Result<JsValue, JsError> {
        let options: dataset::DatasetOptions = if options.is_undefined() || options.is_null() {
            dataset::DatasetOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsError::new(&format!("dataset options: {e}")))?
        };
        let csv = dataset::generate(name, &options)?;
        let read = read_csv(&csv, &ReadOptions::default())?;
        self.load(name, read)
    }

    /// Loads CSV bytes (a dropped or picked file). `on_progress(bytes_read, total_bytes)`
    /// is called about every MiB read and once when all records are read.
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(
        &mut self,
        bytes: &[u8],
        file_name: &str,
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsError> {
        let mut report = |done: usize, total: usize| {
            if let Some(f) = &on_progress {
                // a throwing callback must not abort the read
                let _ = f.call2(
                    &JsValue::NULL,
                    &(done as f64).into(),
                    &(total as f64).into(),
                );
            }
        };
        let read = read_csv_with_progress(bytes, &ReadOptions::default(), &mut report)
            .map_err(|e| JsError::new(&format!("{file_name}: {e}")))?;
        self.load(file_name, read)
    }

    /// The profile of the loaded table, checking the class balance of `target` if given.
    pub fn profile(&self, target: Option<String>) -> Result<JsValue, JsError> {
        let table = self.table()?;
        to_js(&Profile::from_table(table, target.as_deref())?)
    }

    /// The model kinds: the core's catalog (about text, tasks, and each hyperparameter's
    /// default, range and doc).
    #[wasm_bindgen(js_name = modelKinds)]
    pub fn model_kinds(&self) -> Result<JsValue, JsError> {
        to_js(&crate::models::catalog())
    }

    /// The default preprocessing for the loaded table with `target` left out.
    #[wasm_bindgen(js_name = defaultPipeline)]
    pub fn default_pipeline(&self, target: Option<String>) -> Result<JsValue, JsError> {
        to_js(&PipelineSpec::default_for(
            self.table()?,
            target.as_deref(),
        )?)
    }

    /// Trains a model on the loaded table. `request` is `{target, model, params, test_fraction?,
    /// seed?, pipeline?, task?, created?, parent?}`; `on_progress` receives
    /// `{stage, step, total, loss}` objects while it runs.
    #[cfg(feature = "train")]
    pub fn train(
        &mut self,
        request: JsValue,
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsError> {
        let page: PageTrainRequest = serde_wasm_bindgen::from_value(request)
            .map_err(|e| JsError::new(&format!("training request: {e}")))?;
        let kind = ModelKind::parse(&page.model)?;
        let mut params = ModelParams::defaults(kind);
        for (key, value) in &page.params {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            params.set(key, &text)?;
        }
        let request = TrainRequest {
            target: page.target,
            kind,
            params,
            test_fraction: page.test_fraction.unwrap_or(0.25),
            seed: page.seed.unwrap_or(42),
            pipeline: page.pipeline,
            task: page.task,
            created: page.created,
            parent: page.parent,
        };
        let table = self.table()?;
        let mut report = |p: train::Progress| {
            if let (Some(f), Ok(v)) = (&on_progress, to_js(&p)) {
                // a throwing callback must not abort training
                let _ = f.call1(&JsValue::NULL, &v);
            }
        };
        let (artifact, evaluation) = train::train(table, &request, &mut report)?;
        let y_test = test_classes(table, &artifact, &evaluation);
        let timed = evaluation.test_rows.len().min(LATENCY_ROWS);
        let test_table = table.take(&evaluation.test_rows[..timed]);
        let text =
            String::from_utf8(artifact.to_bytes()?).map_err(|e| JsError::new(&e.to_string()))?;
        let result = TrainResult {
            artifact: &text,
            artifact_bytes: text.len(),
            hash: &artifact.hash,
            kind: kind.name(),
            classes: &artifact.classes,
            features: &artifact.pipeline.features,
            evaluation: EvaluationView {
                task: evaluation.task,
                metrics: &evaluation.metrics,
                curves: &evaluation.curves,
                train_rows: evaluation.train_rows.len(),
                test_rows: evaluation.test_rows.len(),
            },
        };
        let js = to_js(&result)?;
        let probabilities = evaluation
            .test_predictions
            .iter()
            .map(|p| p.probabilities.clone())
            .collect();
        self.trained = Some(Trained {
            artifact,
            y_test,
            probabilities,
            test_table: Some(test_table),
        });
        Ok(js)
    }

    /// The threshold table of the last trained classifier for class `positive` (index),
    /// with the expected cost of each threshold for the given costs of a false positive
    /// and a false negative.
    #[cfg(feature = "train")]
    pub fn thresholds(
        &self,
        positive: usize,
        cost_fp: f64,
        cost_fn: f64,
    ) -> Result<JsValue, JsError> {
        let trained = self
            .trained
            .as_ref()
            .ok_or_else(|| JsError::new("train a model first"))?;
        let y: Vec<bool> = trained.y_test.iter().map(|&c| c == positive).collect();
        let scores: Vec<f64> = trained
            .probabilities
            .iter()
            .map(|p| p.get(positive).copied().unwrap_or(0.0))
            .collect();
        if y.len() != scores.len() || trained.artifact.classes.len() <= positive {
            return Err(JsError::new(
                "the last model has no class probabilities for that class",
            ));
        }
        to_js(&metrics::threshold_table(
            &y,
            &scores,
            &metrics::default_thresholds(),
            cost_fp,
            cost_fn,
        )?)
    }

    /// The edge bundle of the last trained model, as `[{name, bytes}]` (the layout of
    /// [`crate::export::files`]); `wasm_bytes` is the edge scorer, `pkg/edge/driftlab_edge.wasm`.
    #[cfg(feature = "train")]
    #[wasm_bindgen(js_name = exportBundle)]
    pub fn export_bundle(&self, wasm_bytes: &[u8]) -> Result<js_sys::Array, JsError> {
        let trained = self
            .trained
            .as_ref()
            .ok_or_else(|| JsError::new("train a model first"))?;
        let artifact = trained.artifact.to_bytes()?;
        let files = crate::export::files(&artifact, wasm_bytes)
            .map_err(|e| JsError::new(&format!("edge bundle: {e}")))?;
        let out = js_sys::Array::new();
        for (name, bytes) in files {
            let file = js_sys::Object::new();
            js_sys::Reflect::set(&file, &"name".into(), &name.into())
                .and_then(|_| {
                    js_sys::Reflect::set(
                        &file,
                        &"bytes".into(),
                        &js_sys::Uint8Array::from(bytes.as_slice()),
                    )
                })
                .map_err(|_| JsError::new("edge bundle: could not build the file list"))?;
            out.push(&file);
        }
        Ok(out)
    }

    /// Loads a model artifact (JSON text, e.g. a downloaded one) as the current model;
    /// returns its card (kind, classes, features, metrics, lineage, hash).
    #[cfg(feature = "train")]
    #[wasm_bindgen(js_name = loadArtifact)]
    pub fn load_artifact(&mut self, text: &str) -> Result<JsValue, JsError> {
        let artifact = Artifact::from_bytes(text.as_bytes())?;
        let card = serde_json::json!({
            "kind": artifact.model.kind(),
            "hash": artifact.hash,
            "classes": artifact.classes,
            "features": artifact.pipeline.features,
            "metrics": artifact.metrics,
            "lineage": artifact.lineage,
        });
        let js = to_js(&card)?;
        self.trained = Some(Trained {
            artifact,
            y_test: Vec::new(),
            probabilities: Vec::new(),
            test_table: None,
        });
        Ok(js)
    }

    /// Scores rows (`[{column: value}]`) with the current model: per row the prediction
    /// (label or value), the class probabilities and the warnings of the drift guard.
    #[cfg(feature = "train")]
    #[wasm_bindgen(js_name = scoreRows)]
    pub fn score_rows(&self, rows: JsValue) -> Result<JsValue, JsError> {
        let trained = self
            .trained
            .as_ref()
            .ok_or_else(|| JsError::new("train or load a model first"))?;
        let rows: Vec<serde_json::Value> = serde_wasm_bindgen::from_value(rows)
            .map_err(|e| JsError::new(&format!("rows: {e}")))?;
        let scored = trained.artifact.score_json_rows(&rows)?;
        to_js(&scored)
    }

    /// The last trained classifier scored on a `size × size` grid over the loaded table's
    /// range of its two numeric inputs, with up to `max_points` rows to draw over it (see
    /// [`crate::boundary::decision_grid`]).
    #[cfg(feature = "train")]
    #[wasm_bindgen(js_name = decisionGrid)]
    pub fn decision_grid(&self, size: usize, max_points: usize) -> Result<JsValue, JsError> {
        let trained = self
            .trained
            .as_ref()
            .ok_or_else(|| JsError::new("train a model first"))?;
        let grid =
            crate::boundary::decision_grid(&trained.artifact, self.table()?, size, max_points)?;
        to_js(&grid)
    }

    /// Scores the test rows (up to [`LATENCY_ROWS`]) of the last trained model once through
    /// its pipeline and the batch scorer (what a serving endpoint does) and returns how many
    /// rows it scored;
    /// the worker times repetitions of this call for the Compare table.
    #[cfg(feature = "train")]
    #[wasm_bindgen(js_name = scoreTestRows)]
    pub fn score_test_rows(&self) -> Result<usize, JsError> {
        let trained = self
            .trained
            .as_ref()
            .ok_or_else(|| JsError::new("train a model first"))?;
        let table = trained
            .test_table
            .as_ref()
            .ok_or_else(|| JsError::new("a loaded model has no test rows; train one"))?;
        Ok(trained.artifact.score_table(table)?.len())
    }

    /// Deliberately traps the Wasm instance (an `unreachable` instruction), killing this
    /// worker's module as a real panic would. Only the crash-recovery e2e test calls it;
    /// no control of the page and nothing in the URL reaches it.
    #[wasm_bindgen(js_name = crashForTests)]
    pub fn crash_for_tests(&self) {
        #[cfg(target_arch = "wasm32")]
        core::arch::wasm32::unreachable();
    }

    fn table(&self) -> Result<&Table, JsError> {
        self.table
            .as_ref()
            .ok_or_else(|| JsError::new("no data is loaded yet: pick a dataset or drop a CSV file"))
    }

    /// Profiles a freshly read table and, when all went well, makes it the loaded one
    /// (so a bad file never replaces good data).
    fn load(&mut self, name: &str, read: CsvRead) -> Result<JsValue, JsError> {
        let profile = Profile::from_table(&read.table, None)?;
        let table = &read.table;
        let loaded = Loaded {
            name,
            rows: table.rows(),
            columns: table
                .columns()
                .iter()
                .map(|c| ColumnInfo {
                    name: &c.name,
                    kind: c.kind(),
                })
                .collect(),
            preview: Preview {
                columns: table.column_names(),
                rows: table.head(PREVIEW_ROWS),
            },
            profile,
            notes: &read.notes,
        };
        let js = to_js(&loaded)?;
        self.name = name.to_owned();
        self.table = Some(read.table);
        Ok(js)
    }
}

#[cfg(feature = "train")]
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

impl Default for Workbench {
    fn default() -> Self {
        Self::new()
    }
}
