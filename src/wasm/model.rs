//! The model handle: training on the data handle's table, and the last model.

use tsify::Ts;
use wasm_bindgen::prelude::*;

use super::{js, rust, ts, ts_all, Data, Shared};
use crate::artifact::Scored;
use crate::decision_grid::DecisionGrid;
use crate::metrics::ThresholdTable;
use crate::train::LiveFrame;
#[cfg(feature = "onnx")]
use crate::workbench::OnnxImported;
use crate::workbench::{
    ArtifactCard, DataBench, LiveStart, ModelBench, TrainResult, TrainSettings,
};

#[wasm_bindgen(typescript_custom_section)]
const BUNDLE_FILE: &str = r#"
/** One file of an edge bundle (`driftlab::export::files`). */
export interface BundleFile { name: string; bytes: Uint8Array }
"#;

/// The last model trained or loaded, trained on the data handle's table.
#[wasm_bindgen]
pub struct Model {
    pub(super) data: Shared<DataBench>,
    pub(super) bench: Shared<ModelBench>,
}

#[wasm_bindgen]
impl Model {
    /// A model handle that trains on `data`'s table.
    #[wasm_bindgen(constructor)]
    pub fn new(data: &Data) -> Model {
        Model {
            data: data.bench.share(),
            bench: Shared::new(ModelBench::new()),
        }
    }

    /// Trains a model on the loaded table; `on_progress` receives each stage as it runs.
    pub fn train(
        &self,
        settings: Ts<TrainSettings>,
        #[wasm_bindgen(unchecked_param_type = "((progress: Progress) => void) | null")]
        on_progress: Option<js_sys::Function>,
    ) -> Result<Ts<TrainResult>, JsError> {
        let settings: TrainSettings = rust(settings.into(), "training request")?;
        let mut report = |p| {
            if let (Some(f), Ok(v)) = (&on_progress, js(&p)) {
                // a throwing callback must not abort training
                let _ = f.call1(&JsValue::NULL, &v);
            }
        };
        let data = self.data.read()?;
        ts(&self
            .bench
            .write()?
            .train(data.table()?, &settings, &mut report)?)
    }

    /// The threshold table of the last trained classifier for class `positive` (index),
    /// with the expected cost of each threshold for these costs of a false positive and a
    /// false negative.
    pub fn thresholds(
        &self,
        positive: usize,
        cost_fp: f64,
        cost_fn: f64,
    ) -> Result<Ts<ThresholdTable>, JsError> {
        ts(&self.bench.read()?.thresholds(positive, cost_fp, cost_fn)?)
    }

    /// The edge bundle of the last trained model (the layout of [`crate::export::files`]);
    /// `wasm` is the edge scorer, `pkg/edge/driftlab_edge.wasm`.
    #[wasm_bindgen(js_name = exportBundle, unchecked_return_type = "BundleFile[]")]
    pub fn export_bundle(&self, wasm: &[u8]) -> Result<js_sys::Array, JsError> {
        let out = js_sys::Array::new();
        for (name, bytes) in self.bench.read()?.bundle(wasm)? {
            let file = js_sys::Object::new();
            js_sys::Reflect::set(&file, &"name".into(), &name.into())
                .and_then(|_| {
                    let bytes = js_sys::Uint8Array::from(bytes.as_slice());
                    js_sys::Reflect::set(&file, &"bytes".into(), &bytes)
                })
                .map_err(|_| JsError::new("edge bundle: could not build the file list"))?;
            out.push(&file);
        }
        Ok(out)
    }

    /// Makes a model artifact (JSON text, e.g. a downloaded one) the current model.
    #[wasm_bindgen(js_name = loadArtifact)]
    pub fn load_artifact(&self, text: &str) -> Result<Ts<ArtifactCard>, JsError> {
        ts(&self.bench.write()?.load_artifact(text)?)
    }

    /// Imports an ONNX model (the `.onnx` file's bytes) and makes it the current model, to
    /// deploy like a trained one. The reference (the table it was trained on: its columns
    /// feed the graph, its profile is the drift reference) is `csv` (a dropped file's
    /// bytes, named `file_name`) or, when `null`, the loaded table; `target` its target
    /// column (`null`: guessed); `created` the time stamp of the lineage.
    #[cfg(feature = "onnx")]
    #[wasm_bindgen(js_name = importOnnx)]
    pub fn import_onnx(
        &self,
        onnx: &[u8],
        csv: Option<Vec<u8>>,
        file_name: Option<String>,
        target: Option<String>,
        created: String,
    ) -> Result<Ts<OnnxImported>, JsError> {
        let (target, mut bench) = (target.as_deref(), self.bench.write()?);
        ts(&match csv {
            Some(csv) => {
                let name = file_name.as_deref().unwrap_or("the reference CSV");
                bench.import_onnx_csv(onnx, &csv, name, target, &created)?
            }
            None => bench.import_onnx(onnx, self.data.read()?.table()?, target, &created)?,
        })
    }

    /// The current model as an ONNX file (`driftlab export --format onnx`).
    #[cfg(feature = "onnx")]
    #[wasm_bindgen(js_name = exportOnnx)]
    pub fn export_onnx(&self) -> Result<Vec<u8>, JsError> {
        Ok(self.bench.read()?.onnx()?)
    }

    /// Scores rows (`[{column: value}]`) with the current model: per row the prediction,
    /// the class probabilities and the warnings of the drift guard.
    #[wasm_bindgen(js_name = scoreRows)]
    pub fn score_rows(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>[]")] rows: JsValue,
    ) -> Result<Vec<Ts<Scored>>, JsError> {
        let rows: Vec<serde_json::Value> = rust(rows, "rows")?;
        ts_all(&self.bench.read()?.score_rows(&rows)?)
    }

    /// The last trained classifier scored on a `size × size` grid over the loaded table's
    /// range of its two numeric inputs, with up to `max_points` rows drawn over it.
    #[wasm_bindgen(js_name = decisionGrid)]
    pub fn decision_grid(
        &self,
        size: usize,
        max_points: usize,
    ) -> Result<Ts<DecisionGrid>, JsError> {
        let data = self.data.read()?;
        ts(&self
            .bench
            .read()?
            .decision_grid(data.table()?, size, max_points)?)
    }

    /// Scores the last trained model's first `limit` test rows (all when absent) once
    /// (what a serving endpoint does) and returns how many; the worker times repetitions
    /// of this call.
    #[wasm_bindgen(js_name = scoreTestRows)]
    pub fn score_test_rows(&self, limit: Option<usize>) -> Result<usize, JsError> {
        Ok(self.bench.read()?.score_test_rows(limit)?)
    }

    /// Starts training `settings` (an `mlp`, `logistic` or `boosting`) live on the loaded
    /// table, each neuron drawn
    /// on a `grid` × `grid` picture when the data has two numeric inputs.
    #[wasm_bindgen(js_name = liveStart)]
    pub fn live_start(
        &self,
        settings: Ts<TrainSettings>,
        grid: usize,
    ) -> Result<Ts<LiveStart>, JsError> {
        let settings: TrainSettings = rust(settings.into(), "training request")?;
        let data = self.data.read()?;
        ts(&self
            .bench
            .write()?
            .live_start(data.table()?, &settings, grid)?)
    }

    /// Runs `steps` more steps (epochs, iterations, trees) of the live training; the frame
    /// to draw.
    #[wasm_bindgen(js_name = liveStep)]
    pub fn live_step(&self, steps: u32) -> Result<Ts<LiveFrame>, JsError> {
        ts(&self.bench.write()?.live_step(u64::from(steps))?)
    }

    /// Every neuron of the live network painted (one `ImageData` each, features first,
    /// then the hidden layers, then the outputs); empty without two numeric inputs.
    #[wasm_bindgen(js_name = livePaint, unchecked_return_type = "ImageData[]")]
    pub fn live_paint(&self) -> Result<js_sys::Array, JsError> {
        match self.bench.read()?.live_neurons()? {
            Some(n) => super::live::paint(&n),
            None => Ok(js_sys::Array::new()),
        }
    }

    /// Makes the live model, as it stands, the current model (its artifact is the one
    /// `train` gives with the steps run as `epochs`, `max_iterations` or `n_iterations`).
    #[wasm_bindgen(js_name = liveFinish)]
    pub fn live_finish(&self) -> Result<Ts<TrainResult>, JsError> {
        let data = self.data.read()?;
        ts(&self.bench.write()?.live_finish(data.table()?)?)
    }
}
