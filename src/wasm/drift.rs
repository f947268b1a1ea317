//! Drift and change detection for the npm package's `driftlab` entry (`npm/`): the drift
//! report of the data handle's table against another table or a profile (an artifact's
//! `profile`, or `Data.profile()`), and the streaming detectors, one value at a time. Each
//! method is one call into the core ([`crate::drift`], [`crate::detector`]); the reports are
//! the ones `driftlab drift` and `driftlab monitor` print.
//!
//! Only in the full module: the page's first-load module (`pkg/light`, built without
//! `train`) does not carry them, so its size does not change. Measured after `make wasm`
//! (gzip -9), they take the full module to 1,957,117 B (786,765 B gzipped), from about
//! 1,888,000 B (762,000 B) before: about 25 KB gzipped. The deployment session already used
//! the drift report against a profile and Page-Hinkley; what is new is the report against
//! raw rows, the other four detectors, and reading a `Profile` and `DriftOptions` from
//! JavaScript (not measured part by part).

use std::collections::BTreeMap;

use serde::Deserialize;
use tsify::Ts;
use wasm_bindgen::prelude::*;

use super::{rust, ts, Data};
use crate::detector::{self, DetectorState, RunReport};
use crate::drift::{self, DriftOptions, DriftReport};
use crate::profile::Profile;

/// `options` as the core's, the defaults when absent.
fn drift_options(options: Option<Ts<DriftOptions>>) -> Result<DriftOptions, JsError> {
    match options {
        Some(o) => rust(o.into(), "drift options"),
        None => Ok(DriftOptions::default()),
    }
}

#[wasm_bindgen]
impl Data {
    /// The drift report of this handle's table (the current data) against `reference`'s
    /// table, column by column, as `driftlab drift` prints it.
    #[wasm_bindgen(js_name = driftAgainst)]
    pub fn drift_against(
        &self,
        reference: &Data,
        options: Option<Ts<DriftOptions>>,
    ) -> Result<Ts<DriftReport>, JsError> {
        let options = drift_options(options)?;
        let current = self.bench.read()?;
        let reference = reference.bench.read()?;
        ts(&drift::drift_report(
            reference.table()?,
            current.table()?,
            &options,
        )?)
    }

    /// The drift report of this handle's table against a profile (a model artifact's
    /// `profile`, or `Data.profile()` of the training table): no reference rows needed.
    #[wasm_bindgen(js_name = driftFromProfile)]
    pub fn drift_from_profile(
        &self,
        reference: Ts<Profile>,
        options: Option<Ts<DriftOptions>>,
    ) -> Result<Ts<DriftReport>, JsError> {
        let reference: Profile = rust(reference.into(), "reference profile")?;
        let options = drift_options(options)?;
        ts(&drift::drift_report_from_profile(
            &reference,
            self.bench.read()?.table()?,
            &options,
        )?)
    }
}

/// A parameter value as JavaScript gives it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Param {
    Number(f64),
    Text(String),
    Flag(bool),
}

/// A streaming change detector (`adwin`, `ddm`, `eddm`, `page-hinkley`, `kswin`, with
/// River's defaults), fed one value at a time.
#[wasm_bindgen]
pub struct Detector {
    inner: Box<dyn detector::Detector>,
}

#[wasm_bindgen]
impl Detector {
    /// A detector by name; `params` overrides its defaults (an unknown name or parameter
    /// is an error that lists the valid ones).
    #[wasm_bindgen(constructor)]
    pub fn new(
        name: &str,
        #[wasm_bindgen(unchecked_param_type = "Record<string, number | string | boolean> | null")]
        params: JsValue,
    ) -> Result<Detector, JsError> {
        let given: BTreeMap<String, Param> = if params.is_null() || params.is_undefined() {
            BTreeMap::new()
        } else {
            rust(params, "detector parameters")?
        };
        let params: Vec<(String, String)> = given
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Param::Number(x) => x.to_string(),
                    Param::Text(s) => s,
                    Param::Flag(b) => b.to_string(),
                };
                (k, v)
            })
            .collect();
        Ok(Detector {
            inner: detector::build(name, &params)?,
        })
    }

    /// Feeds one value (NaN is skipped) and returns the state after it.
    pub fn update(&mut self, x: f64) -> Result<Ts<DetectorState>, JsError> {
        ts(&self.inner.update(x))
    }

    /// Feeds every value of `values` and returns where it alarmed and warned (0-based
    /// positions in `values`), as `driftlab monitor` prints it.
    pub fn run(&mut self, values: &[f64]) -> Result<Ts<RunReport>, JsError> {
        let run = detector::run(self.inner.as_mut(), values);
        ts(&RunReport::new(self.inner.as_ref(), run))
    }

    /// The last update raised a drift alarm.
    #[wasm_bindgen(getter, js_name = driftDetected)]
    pub fn drift_detected(&self) -> bool {
        self.inner.drift_detected()
    }

    /// The last update is in the warning zone (DDM, EDDM).
    #[wasm_bindgen(getter, js_name = warningDetected)]
    pub fn warning_detected(&self) -> bool {
        self.inner.warning_detected()
    }

    /// Forgets everything seen so far (the parameters stay).
    pub fn reset(&mut self) {
        self.inner.reset();
    }

    /// The detector's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }
}
