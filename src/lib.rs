//! # driftlab
//!
//! One Rust core for the whole life of a production machine-learning system: a
//! [`Table`](table::Table) is read from CSV or a built-in [`dataset`], summarised into a
//! [`Profile`](profile::Profile) (the reference that drift is later measured against),
//! turned into a numeric matrix by a [`PipelineSpec`](prep::PipelineSpec) that is fitted on
//! the training rows only, so that serving transforms exactly as training did.
//!
//! The same core compiles natively (the `driftlab` command-line tool), to WebAssembly for
//! the browser playground (`src/wasm.rs` is the only place that knows about JavaScript),
//! and, with the `train` feature off, into the training-free edge scorer in `edge/`.
//!
//! ```
//! use driftlab::{dataset, prep::{PipelineSpec, split}, profile::Profile, table::ReadOptions};
//!
//! let csv = dataset::generate("fraud", &dataset::DatasetOptions { rows: Some(2_000), ..Default::default() })?;
//! let table = driftlab::table::read_csv(&csv, &ReadOptions::default())?.table;
//! let profile = Profile::from_table(&table, Some("is_fraud"))?;
//! assert_eq!(profile.rows, 2_000);
//!
//! let (train, test) = split(&table, 0.25, 7, Some("is_fraud"))?;
//! let spec = PipelineSpec::default_for(&table, Some("is_fraud"))?;
//! let fitted = spec.fit(&table.take(&train))?;
//! let x = fitted.transform(&table.take(&test))?;
//! assert_eq!(x.rows(), test.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod artifact;
pub mod dataset;
pub mod detector;
pub mod drift;
pub mod export;
pub mod metrics;
pub mod monitor;
pub mod prep;
pub mod profile;
pub mod registry;
pub mod scenario;
pub mod score;
pub mod table;
#[cfg(feature = "train")]
pub mod train;

#[cfg(all(target_arch = "wasm32", feature = "browser"))]
pub mod wasm;

pub use prep::{FittedPipeline, Matrix, PipelineSpec};
pub use profile::Profile;
pub use table::{Column, ColumnData, ColumnKind, Table};

/// The version of this crate, recorded in artifacts and shown by the CLI and the page.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
