//! The page's first half of the loop — data in, a model trained, looked at and scored — as
//! typed calls: what the Wasm facade (`src/wasm/`) forwards, one line per call.
//!
//! A [`DataBench`] holds the loaded table (a failed load leaves the previous one in place);
//! a `ModelBench` (feature `train`) holds the last model trained or loaded, with what the
//! Model panel asks of it afterwards (threshold tables, the decision grid, scoring, the
//! edge bundle). The second half of the loop is [`crate::deploy::Session`].
//!
//! Every request and response here is a serde type; under `cfg(ts)` (the page's Wasm
//! build, see `build.rs`) each also derives `tsify::Tsify`, so the page's TypeScript types
//! are generated from these definitions rather than written a second time.

mod data;
#[cfg(feature = "train")]
mod model;

pub use data::{guess_target, ColumnInfo, DataBench, Loaded, Preview, PreviewCell};
#[cfg(feature = "train")]
pub use model::{
    ArtifactCard, EvaluationView, LiveStart, ModelBench, OnnxImported, TrainResult, TrainSettings,
};

use crate::dataset::DatasetError;
use crate::prep::PrepError;
use crate::profile::ProfileError;
use crate::table::TableError;

/// Why a workbench call failed. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkbenchError {
    /// Nothing is loaded.
    #[error("no data is loaded yet: pick a dataset or drop a CSV file")]
    NoData,
    /// The live view was asked for a frame before a live training started.
    #[error("start a live training first (press play)")]
    NoLive,
    /// No model was trained (or loaded).
    #[error("train a model first")]
    NoModel,
    /// Scoring needs a model.
    #[error("train or load a model first")]
    NoModelToScore,
    /// Deploying needs a model.
    #[error("train a model on the Model panel first")]
    NoModelToDeploy,
    /// A model loaded from its artifact has no test rows to time.
    #[error("a loaded model has no test rows; train one")]
    NoTestRows,
    /// The page judges every model on held-out rows (`--test-fraction 0` is the CLI's).
    #[error("the page judges a model on held-out rows: choose a test share between 0.05 and 0.9")]
    NoHoldout,
    /// The threshold table of a class the model has no probabilities for.
    #[error("the last model has no class probabilities for that class")]
    NoClassProbabilities,
    /// A Parquet or Arrow file given to a module without its reader (the page's light
    /// module, the npm entry `driftlab/light`), which would otherwise fail as a CSV.
    #[error("{file}: this is {format} file; this module reads CSV only: use the full module (the npm entry `driftlab`; the playground loads it on demand for such a file), or save the table as CSV")]
    NotCsv {
        /// The file name.
        file: String,
        /// `a Parquet`, `an Arrow IPC`.
        format: &'static str,
    },
    /// A file could not be read (the reader's message names the line and the row).
    #[error("{file}: {error}")]
    File {
        /// The file name.
        file: String,
        /// What the reader said.
        error: TableError,
    },
    /// The edge bundle could not be written.
    #[error("edge bundle: {0}")]
    Bundle(String),
    /// A text the workbench produced is not UTF-8 (it never is: a bug).
    #[error("{0}")]
    Text(String),
    /// A built-in dataset refused.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// Reading refused.
    #[error(transparent)]
    Table(#[from] TableError),
    /// Profiling refused.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The preprocessing refused.
    #[error(transparent)]
    Prep(#[from] PrepError),
    /// A model kind or a parameter is not valid.
    #[error(transparent)]
    Param(#[from] crate::train::ParamError),
    /// Training refused.
    #[cfg(feature = "train")]
    #[error(transparent)]
    Train(#[from] crate::train::TrainError),
    /// The artifact refused.
    #[error(transparent)]
    Artifact(#[from] crate::artifact::ArtifactError),
    /// The metrics refused.
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    /// The decision grid cannot be drawn.
    #[error(transparent)]
    Grid(#[from] crate::decision_grid::GridError),
    /// An ONNX file could not be imported.
    #[cfg(feature = "onnx")]
    #[error(transparent)]
    OnnxImport(#[from] crate::onnx::import::ImportError),
    /// The model cannot be exported to ONNX.
    #[cfg(feature = "onnx")]
    #[error(transparent)]
    OnnxExport(#[from] crate::onnx::export::ExportError),
}
