//! # driftlab
//!
//! One Rust core for the whole life of a production machine-learning system. A
//! [`Table`](table::Table) is read from CSV or a built-in [`dataset`] and summarised into a
//! [`Profile`](profile::Profile); a [`PipelineSpec`](prep::PipelineSpec) is fitted on the
//! training rows only and a model is trained through linfa ([`train`]), which packs the
//! fitted pipeline, the model's plain parameters and the training profile into an
//! [`Artifact`](artifact::Artifact). The artifact alone scores rows ([`score`]), so serving
//! transforms exactly as training did; its profile is the reference that [`drift`] reports
//! measure new data against, and a [`Monitor`](monitor::Monitor) watches a deployed model
//! over a [`scenario`] stream with streaming [`detector`]s, while a
//! [`Registry`](registry::Registry) keeps versions, champion and challenger.
//!
//! The same core compiles natively (the `driftlab` command-line tool), to WebAssembly for
//! the browser playground (`src/wasm/` is the only place that knows about JavaScript),
//! and, with the `train` feature off, into the training-free edge scorer in `edge/`.
//!
//! ```
//! use driftlab::{dataset::{generate, DatasetOptions}, drift, table::{read_csv, ReadOptions}};
//! use driftlab::train::{train, ModelKind, TrainRequest};
//!
//! let read = |drift| -> Result<_, Box<dyn std::error::Error>> {
//!     let csv = generate("fraud", &DatasetOptions { rows: Some(2_000), seed: Some(1), drift: Some(drift), noise: None })?;
//!     Ok(read_csv(&csv, &ReadOptions::default())?.table)
//! };
//! let (artifact, evaluation) = train(&read(0.0)?, &TrainRequest::new("is_fraud", ModelKind::Logistic), &mut |_| {})?;
//! let later = read(1.0)?;
//! let scored = artifact.score_table(&later)?;
//! assert_eq!(scored.len(), later.rows());
//! let report = drift::drift_report_from_profile(&artifact.profile, &later, &Default::default())?;
//! assert!(report.dataset_drift, "the world moved on: {:?}", report.drifted_columns);
//! # let _ = evaluation;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod artifact;
pub mod dataset;
pub mod decimal;
pub mod decision_grid;
pub mod defaults;
pub mod deploy;
pub mod detector;
pub mod drift;
pub mod export;
pub mod metrics;
pub mod models;
pub mod monitor;
mod numeric;
#[cfg(feature = "onnx")]
pub mod onnx;
pub mod prep;
pub mod profile;
pub mod registry;
pub mod scenario;
pub mod score;
pub mod table;
#[cfg(feature = "train")]
pub mod train;
pub mod workbench;
/// Without the `train` feature only the model kinds and their typed parameters remain
/// (the page's first Wasm module lists them before the trainers are loaded).
#[cfg(not(feature = "train"))]
pub mod train {
    pub use crate::models::{ModelKind, ModelParams, ParamError, ParamSpec, ParamType, ParamValue};
}

#[cfg(all(target_arch = "wasm32", feature = "browser"))]
pub mod wasm;

pub use prep::{FittedPipeline, Matrix, PipelineSpec};
pub use profile::Profile;
pub use table::{Column, ColumnData, ColumnKind, Table};

/// The version of this crate, recorded in artifacts and shown by the CLI and the page.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
