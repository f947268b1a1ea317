//! The workloads of driftlab's benchmark harness, shared by the native runner
//! (`src/bench.rs`) and the raw Wasm module that `node/bench.mjs` times under Node.
//!
//! Every workload goes through driftlab's public API only, on the seeded synthetic tables
//! that [`data`] writes (100k × 20 binary, 100k × 20 regression, 20k × 50 with 5 classes,
//! a shifted copy of the binary features for drift, and 20k × 4 binary for kNN). Workloads return a checksum so
//! that the optimiser cannot drop the work and a reader can see both sides did the same.

#![allow(clippy::missing_safety_doc)]

pub mod data;

use driftlab::detector;
use driftlab::drift::{drift_report, drift_report_from_profile, DriftOptions};
use driftlab::score::Model;
use driftlab::table::{read_csv, ColumnData, ReadOptions, Table};
use driftlab::train::{fit_matrix, Losses, ModelKind, ModelParams, Target};
use driftlab::{Matrix, Profile};

/// The tables, by slot.
pub const SLOTS: [&str; 5] = ["binary", "regression", "multiclass", "drift_current", "knn"];

/// The model families the harness trains, and the table each one trains on (a suffix after
/// the kind names the table's task: `-multinomial`, `-regression`, `-multiclass`).
pub const FAMILIES: [(&str, usize); 14] = [
    ("logistic", 0),
    ("logistic-multinomial", 2),
    ("linear", 1),
    ("ridge", 1),
    ("lasso", 1),
    ("tree", 0),
    ("gaussian-nb", 0),
    ("kmeans", 2),
    ("forest", 2),
    ("elasticnet", 1),
    // gradient-boosted trees (issue 15): 100 iterations of 31 leaves, 255 bins, no early
    // stopping, as scikit-learn's HistGradientBoosting* and LightGBM are run in peers.py
    ("boosting", 0),
    ("boosting-regression", 1),
    ("boosting-multiclass", 2),
    // k-nearest neighbours (k = 5) on 20k × 4: every training row is a candidate neighbour
    ("knn", 4),
];

/// The kind of a [`FAMILIES`] name (the name without its table suffix).
fn kind_name(name: &str) -> &str {
    ["-multinomial", "-regression", "-multiclass"]
        .iter()
        .fold(name, |n, s| n.trim_end_matches(s))
}

/// One loaded table with its feature matrix and target.
pub struct Loaded {
    /// The table as read.
    pub table: Table,
    /// The features (every column but `y`).
    pub features: Table,
    /// The feature matrix, row-major.
    pub x: Matrix,
    /// The target.
    pub y: Target,
}

/// The harness state: loaded tables and the last model fitted per family.
#[derive(Default)]
pub struct Bench {
    /// Tables by slot.
    pub slots: Vec<Option<Loaded>>,
    /// Models by family index.
    pub models: Vec<Option<Model>>,
    /// Flat output buffers reused by batch scoring.
    values: Vec<f64>,
    probabilities: Vec<f64>,
    /// The binary table's feature profile: the stored reference of the drift workloads.
    profile: Option<Profile>,
    /// The model of the last ONNX import (issue 17), and the slot it reads.
    imported: Option<(Model, usize)>,
    /// The reference of the ONNX import: its slot and its rows.
    reference: Option<(usize, Table)>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Bench {
    /// An empty harness.
    pub fn new() -> Bench {
        Bench {
            slots: (0..SLOTS.len()).map(|_| None).collect(),
            models: (0..FAMILIES.len()).map(|_| None).collect(),
            ..Default::default()
        }
    }

    /// Parses CSV bytes into `slot` (the timed part of the CSV benchmark is `read_csv`).
    pub fn load(&mut self, slot: usize, bytes: &[u8]) -> Result<usize, String> {
        let table = read_csv(bytes, &ReadOptions::default()).map_err(err)?.table;
        let rows = table.rows();
        let names: Vec<String> = table
            .column_names()
            .iter()
            .filter(|n| **n != "y")
            .map(|s| s.to_string())
            .collect();
        let mut data = vec![0.0; rows * names.len()];
        let mut feature_columns = Vec::new();
        for (j, name) in names.iter().enumerate() {
            let col = table.require(name).map_err(err)?;
            match &col.data {
                ColumnData::Numeric(v) => {
                    for (i, x) in v.iter().enumerate() {
                        data[i * names.len() + j] = *x;
                    }
                }
                _ => return Err(format!("column {name} is not numeric")),
            }
            feature_columns.push(col.clone());
        }
        let y = match table.column("y").map(|c| &c.data) {
            Some(ColumnData::Numeric(v)) if slot == 1 => Target::Values(v.clone()),
            Some(ColumnData::Numeric(v)) => {
                let k = v.iter().fold(0.0f64, |a, &b| a.max(b)) as usize + 1;
                Target::Classes {
                    indices: v.iter().map(|&c| c as usize).collect(),
                    labels: (0..k).map(|c| c.to_string()).collect(),
                }
            }
            _ => Target::None,
        };
        let x = Matrix::new(rows, names.len(), data, names).ok_or("matrix shape")?;
        let features = Table::new(feature_columns).map_err(err)?;
        self.slots[slot] = Some(Loaded {
            table,
            features,
            x,
            y,
        });
        Ok(rows)
    }

    fn slot(&self, slot: usize) -> Result<&Loaded, String> {
        self.slots
            .get(slot)
            .and_then(|s| s.as_ref())
            .ok_or_else(|| format!("table {} is not loaded", SLOTS.get(slot).unwrap_or(&"?")))
    }

    /// Trains family `f` (an index into [`FAMILIES`]) with driftlab's default parameters,
    /// on the whole table; returns the first model parameter as a checksum.
    pub fn train(&mut self, f: usize) -> Result<f64, String> {
        let (name, slot) = *FAMILIES.get(f).ok_or("no such family")?;
        let kind = ModelKind::parse(kind_name(name)).map_err(err)?;
        let mut params = ModelParams::defaults(kind);
        match &mut params {
            ModelParams::Kmeans(p) => {
                p.k = 5;
                p.n_runs = 1;
            }
            ModelParams::Forest(p) => {
                p.n_trees = 10;
                p.max_depth = 8;
                // scikit-learn's RandomForestClassifier (peers.py) draws ⌊√50⌋ = 7 of the 50
                // features per split; the forest draws ⌈50 · proportion⌉, and 0.13 gives 7
                // (0.14 would give 8: 50 · 0.14 is 7.000000000000001 in binary)
                p.feature_proportion = 0.13;
            }
            ModelParams::Tree(p) => p.max_depth = 8,
            ModelParams::Boosting(p) => {
                p.n_iterations = 100;
                p.max_leaves = 31;
                p.max_bins = 255;
                p.validation_fraction = 0.0;
            }
            _ => {}
        }
        let l = self.slot(slot)?;
        let y = if kind == ModelKind::Kmeans {
            Target::None
        } else {
            l.y.clone()
        };
        let fitted = fit_matrix(kind, &params, &l.x, &y, 42, Losses::Skip, &mut |_| {}).map_err(err)?;
        let model = fitted.into_model();
        let check = match &model {
            Model::Logistic(m) => m.weights[0],
            Model::Linear(m) | Model::Ridge(m) | Model::Lasso(m) | Model::Elasticnet(m) => {
                m.weights[0]
            }
            Model::GaussianNb(m) => m.means[0],
            Model::Kmeans(m) => m.centroids[0],
            Model::Tree(t) => t.left.len() as f64,
            Model::Forest(t) => t.trees.len() as f64,
            Model::Boosting(b) => b.trees.len() as f64,
            Model::Knn(m) => m.targets.len() as f64,
            _ => 0.0,
        };
        self.models[f] = Some(model);
        Ok(check)
    }

    fn model(&self, f: usize) -> Result<(&Model, &Loaded), String> {
        let m = self
            .models
            .get(f)
            .and_then(|m| m.as_ref())
            .ok_or("train the model first")?;
        Ok((m, self.slot(FAMILIES[f].1)?))
    }

    /// Scores the whole table with `predict_batch` (one `Prediction` per row).
    pub fn score_batch(&self, f: usize) -> Result<f64, String> {
        let (m, l) = self.model(f)?;
        let out = m.predict_batch(l.x.data(), l.x.cols()).map_err(err)?;
        Ok(out.iter().map(|p| p.value).sum())
    }

    /// Scores the whole table into flat, reused buffers (`Model::predict_batch_into`).
    pub fn score_batch_flat(&mut self, f: usize) -> Result<f64, String> {
        let mut values = std::mem::take(&mut self.values);
        let mut probabilities = std::mem::take(&mut self.probabilities);
        let r = {
            let (m, l) = self.model(f)?;
            m.predict_batch_into(l.x.data(), l.x.cols(), &mut values, &mut probabilities)
                .map_err(err)
        };
        let sum = values.iter().sum();
        self.values = values;
        self.probabilities = probabilities;
        r.map(|_| sum)
    }

    /// The rows an imported model's reference holds: the first 10,000 of its table, the
    /// rows peers.py fitted the forest on (its training data, as `driftlab import` is given).
    pub const IMPORT_REFERENCE_ROWS: usize = 10_000;

    /// Imports an ONNX file (issue 17) with the first [`Bench::IMPORT_REFERENCE_ROWS`] rows
    /// of the table in `slot` as its reference (target `y`); keeps the model for
    /// [`Bench::score_imported`] and returns its tree count. The reference is cut once, before
    /// the first timed call.
    pub fn import_onnx(&mut self, slot: usize, onnx: &[u8]) -> Result<f64, String> {
        use driftlab::onnx::import::{import_model, ImportOptions};
        if self.reference.as_ref().map(|r| r.0) != Some(slot) {
            let l = self.slot(slot)?;
            let rows: Vec<usize> = (0..Self::IMPORT_REFERENCE_ROWS.min(l.table.rows())).collect();
            self.reference = Some((slot, l.table.take(&rows)));
        }
        let (l, reference) = (self.slot(slot)?, &self.reference.as_ref().ok_or("no reference")?.1);
        let a = import_model(onnx, reference, Some("y"), &ImportOptions::default()).map_err(err)?;
        if a.pipeline.width() != l.x.cols() {
            return Err("the imported pipeline is not the table's columns".into());
        }
        let trees = match &a.model {
            Model::Boosting(b) => b.trees.len(),
            Model::Forest(f) => f.trees.len(),
            _ => 1,
        };
        self.imported = Some((a.model, slot));
        Ok(trees as f64)
    }

    /// The part of an import that is the reference's profile and fingerprint (what
    /// [`Bench::import_onnx`] spends on the table rather than on the ONNX file).
    pub fn import_reference(&self) -> Result<f64, String> {
        let r = &self.reference.as_ref().ok_or("import a model first")?.1;
        let p = Profile::from_table(r, Some("y")).map_err(err)?;
        Ok(p.rows as f64 + (r.fingerprint() % 2) as f64)
    }

    /// Scores the imported model's table into flat buffers (its pipeline is the identity on
    /// these numeric columns, so the features are the table's, as onnxruntime reads them).
    pub fn score_imported(&mut self) -> Result<f64, String> {
        let mut values = std::mem::take(&mut self.values);
        let mut probabilities = std::mem::take(&mut self.probabilities);
        let r = {
            let (m, slot) = self.imported.as_ref().ok_or("import a model first")?;
            let l = self.slot(*slot)?;
            m.predict_batch_into(l.x.data(), l.x.cols(), &mut values, &mut probabilities)
                .map_err(err)
        };
        let sum = values.iter().sum();
        self.values = values;
        self.probabilities = probabilities;
        r.map(|_| sum)
    }

    /// Scores the first `n` rows one at a time with `predict_row`.
    pub fn score_rows(&self, f: usize, n: usize) -> Result<f64, String> {
        let (m, l) = self.model(f)?;
        let mut sum = 0.0;
        for i in 0..n.min(l.x.rows()) {
            sum += m.predict_row(l.x.row(i)).map_err(err)?.value;
        }
        Ok(sum)
    }

    /// The automatic drift report of the binary table's features against `drift_current`.
    pub fn drift(&self) -> Result<f64, String> {
        let reference = &self.slot(0)?.features;
        let current = &self.slot(3)?.features;
        let r = drift_report(reference, current, &DriftOptions::default()).map_err(err)?;
        Ok(r.columns.iter().map(|c| c.statistic).sum())
    }

    /// Profiles the binary table's features (what an artifact stores as its drift
    /// reference) and keeps the profile for [`Bench::drift_profile`]; returns the column count.
    pub fn build_profile(&mut self) -> Result<f64, String> {
        let profile = Profile::from_table(&self.slot(0)?.features, None).map_err(err)?;
        let n = profile.columns.len() as f64;
        self.profile = Some(profile);
        Ok(n)
    }

    /// The automatic drift report of `drift_current` against the stored profile of the
    /// binary table's features (the budgeted path: no reference rows kept).
    pub fn drift_profile(&self) -> Result<f64, String> {
        let profile = self.profile.as_ref().ok_or("build the profile first")?;
        let current = &self.slot(3)?.features;
        let r =
            drift_report_from_profile(profile, current, &DriftOptions::default()).map_err(err)?;
        Ok(r.columns.iter().map(|c| c.statistic).sum())
    }

    /// The drift report with a given test for every column (`ks`, `wasserstein`, ...).
    pub fn drift_with(&self, test: &str) -> Result<f64, String> {
        let reference = &self.slot(0)?.features;
        let current = &self.slot(3)?.features;
        let options = DriftOptions {
            test: Some(test.parse::<driftlab::drift::TestKind>().map_err(err)?),
            ..Default::default()
        };
        let r = drift_report(reference, current, &options).map_err(err)?;
        Ok(r.columns.iter().map(|c| c.statistic).sum())
    }

    /// `n` updates of detector `name` on a seeded stream (a mean shift half way; 0/1 errors
    /// for the binary detectors); returns the number of alarms.
    pub fn detector(name: &str, n: usize) -> Result<f64, String> {
        let mut d = detector::build(name, &[]).map_err(err)?;
        let binary = matches!(name, "ddm" | "eddm");
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut alarms = 0usize;
        for i in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            let x = if binary {
                let p = if i < n / 2 { 0.1 } else { 0.3 };
                f64::from(u8::from(u < p))
            } else {
                u + if i < n / 2 { 0.0 } else { 0.5 }
            };
            if d.update(x) == detector::DetectorState::Drift {
                alarms += 1;
            }
        }
        Ok(alarms as f64)
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    //! A raw C-ABI surface (no wasm-bindgen): `node/bench.mjs` writes CSV bytes into memory
    //! from `bench_alloc`, calls one export per workload and times it with
    //! `performance.now()`. A failed call returns NaN; `bench_error` points at the message.
    use super::Bench;
    use std::cell::RefCell;

    thread_local! {
        static BENCH: RefCell<Bench> = RefCell::new(Bench::new());
        static ERROR: RefCell<String> = const { RefCell::new(String::new()) };
    }

    fn run(f: impl FnOnce(&mut Bench) -> Result<f64, String>) -> f64 {
        BENCH.with(|b| match f(&mut b.borrow_mut()) {
            Ok(v) => v,
            Err(e) => {
                ERROR.with(|m| *m.borrow_mut() = e);
                f64::NAN
            }
        })
    }

    /// Allocates `len` bytes for the caller to fill (never freed: the harness is short-lived).
    #[no_mangle]
    pub extern "C" fn bench_alloc(len: usize) -> *mut u8 {
        let mut v = vec![0u8; len];
        let p = v.as_mut_ptr();
        std::mem::forget(v);
        p
    }

    /// The last error: its bytes start at the returned pointer; `bench_error_len` is its length.
    #[no_mangle]
    pub extern "C" fn bench_error() -> *const u8 {
        ERROR.with(|m| m.borrow().as_ptr())
    }

    /// Length of the last error.
    #[no_mangle]
    pub extern "C" fn bench_error_len() -> usize {
        ERROR.with(|m| m.borrow().len())
    }

    /// Parses `len` CSV bytes at `ptr` into `slot`; returns the row count.
    #[no_mangle]
    pub unsafe extern "C" fn bench_load(slot: usize, ptr: *const u8, len: usize) -> f64 {
        let bytes = std::slice::from_raw_parts(ptr, len);
        run(|b| b.load(slot, bytes).map(|r| r as f64))
    }

    /// Trains family `f`.
    #[no_mangle]
    pub extern "C" fn bench_train(f: usize) -> f64 {
        run(|b| b.train(f))
    }

    /// Batch scoring through `predict_batch`.
    #[no_mangle]
    pub extern "C" fn bench_score_batch(f: usize) -> f64 {
        run(|b| b.score_batch(f))
    }

    /// Batch scoring into flat buffers.
    #[no_mangle]
    pub extern "C" fn bench_score_batch_flat(f: usize) -> f64 {
        run(|b| b.score_batch_flat(f))
    }

    /// `n` single-row calls.
    #[no_mangle]
    pub extern "C" fn bench_score_rows(f: usize, n: usize) -> f64 {
        run(|b| b.score_rows(f, n))
    }

    /// Imports `len` ONNX bytes at `ptr` with the table in `slot` as the reference.
    #[no_mangle]
    pub unsafe extern "C" fn bench_import_onnx(slot: usize, ptr: *const u8, len: usize) -> f64 {
        let bytes = std::slice::from_raw_parts(ptr, len);
        run(|b| b.import_onnx(slot, bytes))
    }

    /// The reference's share of an import (profile and fingerprint).
    #[no_mangle]
    pub extern "C" fn bench_import_reference() -> f64 {
        run(|b| b.import_reference())
    }

    /// Batch scoring of the imported model into flat buffers.
    #[no_mangle]
    pub extern "C" fn bench_score_imported() -> f64 {
        run(|b| b.score_imported())
    }

    /// The automatic drift report.
    #[no_mangle]
    pub extern "C" fn bench_drift() -> f64 {
        run(|b| b.drift())
    }

    /// Profiles the reference table (kept for `bench_drift_profile`).
    #[no_mangle]
    pub extern "C" fn bench_profile() -> f64 {
        run(|b| b.build_profile())
    }

    /// The automatic drift report against the stored profile.
    #[no_mangle]
    pub extern "C" fn bench_drift_profile() -> f64 {
        run(|b| b.drift_profile())
    }

    /// The drift report with KS for every column.
    #[no_mangle]
    pub extern "C" fn bench_drift_ks() -> f64 {
        run(|b| b.drift_with("ks"))
    }

    /// `n` updates of detector `d` (0 adwin, 1 ddm, 2 eddm, 3 page-hinkley, 4 kswin).
    #[no_mangle]
    pub extern "C" fn bench_detector(d: usize, n: usize) -> f64 {
        let name = super::DETECTORS.get(d).copied().unwrap_or("none");
        run(|_| Bench::detector(name, n))
    }
}

/// The detectors, as `detector::build` names them.
pub const DETECTORS: [&str; 5] = ["adwin", "ddm", "eddm", "page-hinkley", "kswin"];
