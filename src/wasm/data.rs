//! The data handle: the loaded table, in both of the page's modules.

use tsify::Ts;
use wasm_bindgen::prelude::*;

use super::{rust, ts, ts_all, Shared};
use crate::dataset::{self, DatasetInfo, DatasetOptions};
use crate::defaults::{Defaults, DEFAULTS};
use crate::models::KindInfo;
use crate::prep::PipelineSpec;
use crate::profile::Profile;
use crate::workbench::{DataBench, Loaded};

/// The loaded table. A failed load leaves the previous table in place.
#[wasm_bindgen]
pub struct Data {
    pub(super) bench: Shared<DataBench>,
}

#[wasm_bindgen]
impl Data {
    /// Nothing loaded yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Data {
        Data {
            bench: Shared::new(DataBench::new()),
        }
    }

    /// The built-in datasets.
    pub fn datasets(&self) -> Result<Vec<Ts<DatasetInfo>>, JsError> {
        ts_all(&dataset::list())
    }

    /// The defaults of every choice the page leaves to the core.
    pub fn defaults(&self) -> Result<Ts<Defaults>, JsError> {
        ts(&DEFAULTS)
    }

    /// Loads a built-in dataset.
    #[wasm_bindgen(js_name = loadDataset)]
    pub fn load_dataset(
        &self,
        name: &str,
        options: Option<Ts<DatasetOptions>>,
    ) -> Result<Ts<Loaded>, JsError> {
        let options = match options {
            Some(o) => rust(o.into(), "dataset options")?,
            None => DatasetOptions::default(),
        };
        ts(&self.bench.write()?.load_dataset(name, &options)?)
    }

    /// Loads CSV bytes (a dropped or picked file), or a Parquet file's in the full module
    /// (the light one refuses it: the worker sends Parquet to the full one). `on_progress(bytes_read, total_bytes)`
    /// is called about every MiB read and once when all records are read.
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(
        &self,
        bytes: &[u8],
        file_name: &str,
        #[wasm_bindgen(
            unchecked_param_type = "((bytesRead: number, totalBytes: number) => void) | null"
        )]
        on_progress: Option<js_sys::Function>,
    ) -> Result<Ts<Loaded>, JsError> {
        let mut report = |done: usize, total: usize| {
            if let Some(f) = &on_progress {
                // a throwing callback must not abort the read
                let (done, total) = (
                    JsValue::from_f64(done as f64),
                    JsValue::from_f64(total as f64),
                );
                let _ = f.call2(&JsValue::NULL, &done, &total);
            }
        };
        ts(&self
            .bench
            .write()?
            .load_csv(bytes, file_name, &mut report)?)
    }

    /// The profile of the loaded table, checking the class balance of `target` if given.
    pub fn profile(&self, target: Option<String>) -> Result<Ts<Profile>, JsError> {
        ts(&self.bench.read()?.profile(target.as_deref())?)
    }

    /// The model kinds and their hyperparameters (name, default, range, what it does).
    #[wasm_bindgen(js_name = modelKinds)]
    pub fn model_kinds(&self) -> Result<Vec<Ts<KindInfo>>, JsError> {
        ts_all(&DataBench::model_kinds())
    }

    /// The default preprocessing for the loaded table with `target` left out.
    #[wasm_bindgen(js_name = defaultPipeline)]
    pub fn default_pipeline(&self, target: Option<String>) -> Result<Ts<PipelineSpec>, JsError> {
        ts(&self.bench.read()?.default_pipeline(target.as_deref())?)
    }

    /// Deliberately traps the Wasm instance (an `unreachable` instruction), killing this
    /// worker's module as a real panic would. Only the crash-recovery e2e test calls it;
    /// no control of the page and nothing in the URL reaches it.
    #[wasm_bindgen(js_name = crashForTests)]
    pub fn crash_for_tests(&self) {
        #[cfg(target_arch = "wasm32")]
        core::arch::wasm32::unreachable();
    }
}

impl Default for Data {
    fn default() -> Self {
        Self::new()
    }
}
