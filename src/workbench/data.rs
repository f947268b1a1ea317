//! The loaded table: built-in datasets and CSV files read, profiled and previewed, and what
//! the Model panel's form is made of (the model kinds, the default preprocessing).

use serde::Serialize;

use super::WorkbenchError;
use crate::dataset::{self, DatasetOptions};
use crate::models::KindInfo;
use crate::prep::PipelineSpec;
use crate::profile::Profile;
use crate::table::{
    read_csv, read_table_with_progress, Cell, ColumnKind, CsvRead, ReadOptions, Table,
};

/// Rows of the table preview sent to the page.
const PREVIEW_ROWS: usize = 50;

/// A column's name and kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ColumnInfo {
    /// The name, as in the header.
    pub name: String,
    /// The kind read.
    pub kind: ColumnKind,
}

/// The first rows of a table, cell by cell (`null` is a missing value; an infinite
/// number is `"inf"` or `"-inf"`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Preview {
    /// The column names.
    pub columns: Vec<String>,
    /// The rows.
    #[cfg_attr(ts, tsify(type = "(number | string | boolean | null)[][]"))]
    pub rows: Vec<Vec<PreviewCell>>,
}

/// A cell of the preview: a [`Cell`] that owns its text, written as a cell is.
#[derive(Clone, Debug, PartialEq)]
pub enum PreviewCell {
    /// No value.
    Missing,
    /// A number.
    Number(f64),
    /// A category label.
    Text(String),
    /// A boolean.
    Bool(bool),
}

impl From<Cell<'_>> for PreviewCell {
    fn from(cell: Cell<'_>) -> PreviewCell {
        match cell {
            Cell::Missing => PreviewCell::Missing,
            Cell::Number(x) => PreviewCell::Number(x),
            Cell::Category(c) => PreviewCell::Text(c.to_owned()),
            Cell::Bool(b) => PreviewCell::Bool(b),
        }
    }
}

impl Serialize for PreviewCell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PreviewCell::Missing => Cell::Missing,
            PreviewCell::Number(x) => Cell::Number(*x),
            PreviewCell::Text(t) => Cell::Category(t),
            PreviewCell::Bool(b) => Cell::Bool(*b),
        }
        .serialize(s)
    }
}

/// What a load returns: the table's shape, its first rows, its profile, and the reader's
/// notes (renamed headers, a stray text cell, …).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Loaded {
    /// The dataset or file name.
    pub name: String,
    /// Rows read.
    pub rows: usize,
    /// The columns.
    pub columns: Vec<ColumnInfo>,
    /// The first rows.
    pub preview: Preview,
    /// The profile.
    pub profile: Profile,
    /// The reader's notes.
    pub notes: Vec<String>,
    /// The column most likely meant as the target (see [`guess_target`]).
    pub target_guess: Option<String>,
}

/// The loaded table (none at first).
#[derive(Debug, Default)]
pub struct DataBench {
    table: Option<Table>,
}

impl DataBench {
    /// Nothing loaded.
    pub fn new() -> DataBench {
        DataBench::default()
    }

    /// The loaded table.
    pub fn table(&self) -> Result<&Table, WorkbenchError> {
        self.table.as_ref().ok_or(WorkbenchError::NoData)
    }

    /// Loads the built-in dataset `name`.
    pub fn load_dataset(
        &mut self,
        name: &str,
        options: &DatasetOptions,
    ) -> Result<Loaded, WorkbenchError> {
        let csv = dataset::generate(name, options)?;
        let read = read_csv(&csv, &ReadOptions::default())?;
        self.load(name, read)
    }

    /// Loads CSV bytes (a dropped or picked file), or a Parquet or Arrow file's with the
    /// `parquet` and `arrow` features (without them, such a file is
    /// [`WorkbenchError::NotCsv`]); `progress(bytes_read, total_bytes)` is called about every MiB (CSV) or row
    /// batch (Parquet) read and once when all records are read.
    pub fn load_csv(
        &mut self,
        bytes: &[u8],
        file_name: &str,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Loaded, WorkbenchError> {
        // CSV, or Parquet and Arrow where the module is built with their readers (the
        // page's full module; the worker sends such a file there)
        if let Some(format) = crate::table::binary_format(bytes) {
            let parquet = bytes.starts_with(b"PAR1");
            if (parquet && !cfg!(feature = "parquet")) || (!parquet && !cfg!(feature = "arrow")) {
                return Err(WorkbenchError::NotCsv {
                    file: file_name.to_owned(),
                    format,
                });
            }
        }
        let read = read_table_with_progress(bytes, &ReadOptions::default(), progress).map_err(
            |error| WorkbenchError::File {
                file: file_name.to_owned(),
                error,
            },
        )?;
        self.load(file_name, read)
    }

    /// Profiles a freshly read table and, when all went well, makes it the loaded one (so a
    /// bad file never replaces good data).
    fn load(&mut self, name: &str, read: CsvRead) -> Result<Loaded, WorkbenchError> {
        let table = &read.table;
        let profile = Profile::from_table(table, None)?;
        let loaded = Loaded {
            name: name.to_owned(),
            rows: table.rows(),
            columns: table
                .columns()
                .iter()
                .map(|c| ColumnInfo {
                    name: c.name.clone(),
                    kind: c.kind(),
                })
                .collect(),
            preview: Preview {
                columns: table.columns().iter().map(|c| c.name.clone()).collect(),
                rows: table
                    .head(PREVIEW_ROWS)
                    .into_iter()
                    .map(|row| row.into_iter().map(PreviewCell::from).collect())
                    .collect(),
            },
            target_guess: guess_target(&profile),
            profile,
            notes: read.notes,
        };
        self.table = Some(read.table);
        Ok(loaded)
    }

    /// The profile of the loaded table, checking the class balance of `target` if given.
    pub fn profile(&self, target: Option<&str>) -> Result<Profile, WorkbenchError> {
        Ok(Profile::from_table(self.table()?, target)?)
    }

    /// The default preprocessing of the loaded table with `target` left out.
    pub fn default_pipeline(&self, target: Option<&str>) -> Result<PipelineSpec, WorkbenchError> {
        Ok(PipelineSpec::default_for(self.table()?, target)?)
    }

    /// The model kinds: the core's catalog (about text, tasks, and each hyperparameter's
    /// default, range and doc).
    pub fn model_kinds() -> Vec<KindInfo> {
        crate::models::catalog()
    }
}

/// Names that say "this is what to predict", exactly (case and spaces aside).
const TARGET_NAMES: [&str; 9] = [
    "target", "label", "class", "y", "outcome", "churn", "churned", "response", "result",
];

/// The column a newcomer most likely wants to predict, or `None` (clustering): a column
/// with 2 to 20 values named like a target (`target`, `label`, `class`, `y`, `outcome`,
/// `churn…`, `is_…`, `has_…`, `…_label`, `…_target`, `…_class`, `…_flag`), else the
/// last column when it has 2 to 10 values and does not look like an identifier. The page
/// preselects it for a file; the person can pick another or none.
pub fn guess_target(profile: &Profile) -> Option<String> {
    let small = |c: &crate::profile::ColumnProfile, max: u64| {
        (2..=max).contains(&c.distinct) && !c.warnings.iter().any(|w| w.code == "likely_id")
    };
    let named = |name: &str| {
        let n = name.trim().to_ascii_lowercase();
        let rank = if TARGET_NAMES.contains(&n.as_str()) {
            0
        } else if n.starts_with("churn") || n.starts_with("is_") || n.starts_with("has_") {
            1
        } else if ["_label", "_target", "_class", "_flag"]
            .iter()
            .any(|s| n.ends_with(s))
        {
            2
        } else {
            return None;
        };
        Some(rank)
    };
    let by_name = profile
        .columns
        .iter()
        .filter(|c| small(c, 20))
        .filter_map(|c| named(&c.name).map(|r| (r, c)))
        .min_by_key(|(r, _)| *r)
        .map(|(_, c)| c.name.clone());
    by_name.or_else(|| {
        profile
            .columns
            .last()
            .filter(|c| {
                small(c, 10) && (c.kind != crate::table::ColumnKind::Numeric || small_int(c))
            })
            .map(|c| c.name.clone())
    })
}

/// A numeric column of 2 to 10 whole values (a class code such as 0/1 or 1–5).
fn small_int(c: &crate::profile::ColumnProfile) -> bool {
    (2..=10).contains(&c.distinct) && c.numeric.as_ref().is_some_and(|n| n.integer)
}
