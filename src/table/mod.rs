//! Tables: typed columns read from CSV or built in memory.
//!
//! A [`Table`] holds named columns of one [`ColumnKind`] each. Missing values are
//! first-class: `NaN` in a numeric column, [`MISSING_CODE`] in a categorical one, `None`
//! in a boolean one. Infinite numbers (`inf`, `-inf`, `Infinity`) are kept as values; the
//! profile counts them and the pipeline treats them as missing.
//!
//! [`read_csv`] turns CSV bytes into a table; see its docs for the rules (missing-value
//! spellings, inference, limits) and for what happens with awkward input. With the
//! `parquet` feature, `read_parquet` reads a Parquet file into the same table and
//! `ParquetWriter` writes one (see `src/table/parquet/` for the types and the limits); with
//! the `arrow` feature, `read_arrow` reads an Arrow IPC file or stream (`src/table/arrow.rs`);
//! [`read_table`] takes any of them, telling them apart by their first bytes
//! ([`binary_format`]).

#[cfg(feature = "arrow")]
mod arrow;
#[cfg(feature = "parquet")]
mod parquet;
mod read;

#[cfg(feature = "parquet")]
pub use parquet::{
    is_parquet, read_parquet, read_parquet_with_progress, write_parquet, ParquetBatches,
    ParquetWriter, BATCH_ROWS, MAGIC, MAX_PAGE_BYTES,
};

#[cfg(feature = "arrow")]
pub use arrow::{is_arrow, read_arrow, read_arrow_with_progress, ArrowBatches, MAX_METADATA_BYTES};

pub use read::{
    read_csv, read_csv_with_progress, CsvRead, Limits, ReadOptions, MISSING_TOKENS,
    PROGRESS_EVERY_BYTES,
};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The code that marks a missing cell in a categorical column.
pub const MISSING_CODE: u32 = u32::MAX;

/// The kind of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Real numbers (`f64`); missing is `NaN`.
    Numeric,
    /// Text labels, dictionary-encoded; missing is [`MISSING_CODE`].
    Categorical,
    /// `true` / `false`; missing is `None`.
    Boolean,
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Boolean => "boolean",
        })
    }
}

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    /// Numbers; `NaN` marks a missing cell.
    Numeric(Vec<f64>),
    /// Category codes into `levels`; [`MISSING_CODE`] marks a missing cell.
    Categorical {
        /// One code per row.
        codes: Vec<u32>,
        /// The distinct labels, in order of first appearance.
        levels: Vec<String>,
    },
    /// Booleans; `None` marks a missing cell.
    Boolean(Vec<Option<bool>>),
}

/// One cell, borrowed from a table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// No value.
    Missing,
    /// A number (possibly infinite, never NaN).
    Number(f64),
    /// A category label.
    Category(&'a str),
    /// A boolean.
    Bool(bool),
}

impl Serialize for Cell<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Cell::Missing => s.serialize_none(),
            Cell::Number(x) if x.is_finite() => s.serialize_f64(x),
            Cell::Number(x) => s.serialize_str(if x > 0.0 { "inf" } else { "-inf" }),
            Cell::Category(c) => s.serialize_str(c),
            Cell::Bool(b) => s.serialize_bool(b),
        }
    }
}

/// A named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The column name, as written in the header.
    pub name: String,
    /// The values.
    pub data: ColumnData,
}

impl Column {
    /// Makes a numeric column (`NaN` = missing).
    pub fn numeric(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            data: ColumnData::Numeric(values),
        }
    }

    /// Makes a categorical column from optional labels (`None` = missing).
    pub fn categorical<S: AsRef<str>>(name: impl Into<String>, values: &[Option<S>]) -> Self {
        let mut interner = Interner::default();
        let codes = values
            .iter()
            .map(|v| {
                v.as_ref()
                    .map_or(MISSING_CODE, |s| interner.code(s.as_ref()))
            })
            .collect();
        Self {
            name: name.into(),
            data: ColumnData::Categorical {
                codes,
                levels: interner.levels,
            },
        }
    }

    /// The kind of the column.
    pub fn kind(&self) -> ColumnKind {
        match self.data {
            ColumnData::Numeric(_) => ColumnKind::Numeric,
            ColumnData::Categorical { .. } => ColumnKind::Categorical,
            ColumnData::Boolean(_) => ColumnKind::Boolean,
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Categorical { codes, .. } => codes.len(),
            ColumnData::Boolean(v) => v.len(),
        }
    }

    /// True when the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell at `row`, or `None` past the end.
    pub fn get(&self, row: usize) -> Option<Cell<'_>> {
        Some(match &self.data {
            ColumnData::Numeric(v) => {
                let x = *v.get(row)?;
                if x.is_nan() {
                    Cell::Missing
                } else {
                    Cell::Number(x)
                }
            }
            ColumnData::Categorical { codes, levels } => match *codes.get(row)? {
                MISSING_CODE => Cell::Missing,
                c => levels
                    .get(c as usize)
                    .map_or(Cell::Missing, |s| Cell::Category(s)),
            },
            ColumnData::Boolean(v) => v.get(row)?.map_or(Cell::Missing, Cell::Bool),
        })
    }

    /// True when the cell at `row` is missing (or past the end).
    pub fn is_missing(&self, row: usize) -> bool {
        matches!(self.get(row), None | Some(Cell::Missing))
    }

    /// The rows at `indices`, in that order; indices past the end give missing cells.
    pub fn take(&self, indices: &[usize]) -> Column {
        let data = match &self.data {
            ColumnData::Numeric(v) => ColumnData::Numeric(
                indices
                    .iter()
                    .map(|&i| v.get(i).copied().unwrap_or(f64::NAN))
                    .collect(),
            ),
            ColumnData::Categorical { codes, levels } => ColumnData::Categorical {
                codes: indices
                    .iter()
                    .map(|&i| codes.get(i).copied().unwrap_or(MISSING_CODE))
                    .collect(),
                levels: levels.clone(),
            },
            ColumnData::Boolean(v) => ColumnData::Boolean(
                indices
                    .iter()
                    .map(|&i| v.get(i).copied().flatten())
                    .collect(),
            ),
        };
        Column {
            name: self.name.clone(),
            data,
        }
    }
}

/// Typed columns of equal length with unique names.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// Builds a table; columns must have equal lengths and unique names.
    pub fn new(columns: Vec<Column>) -> Result<Self, TableError> {
        let rows = columns.first().map_or(0, Column::len);
        for (i, c) in columns.iter().enumerate() {
            if c.len() != rows {
                return Err(TableError::LengthMismatch {
                    column: c.name.clone(),
                    found: c.len(),
                    expected: rows,
                });
            }
            if columns[..i].iter().any(|o| o.name == c.name) {
                return Err(TableError::DuplicateColumn {
                    column: c.name.clone(),
                });
            }
        }
        Ok(Self { columns, rows })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column called `name`, or an error that lists the columns there are.
    pub fn require(&self, name: &str) -> Result<&Column, TableError> {
        self.column(name).ok_or_else(|| TableError::UnknownColumn {
            column: name.to_owned(),
            available: self.column_names().join(", "),
        })
    }

    /// The column names, in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The rows at `indices`, in that order.
    pub fn take(&self, indices: &[usize]) -> Table {
        Table {
            columns: self.columns.iter().map(|c| c.take(indices)).collect(),
            rows: indices.len(),
        }
    }

    /// The first `n` rows (or all of them), as cells, for previews.
    pub fn head(&self, n: usize) -> Vec<Vec<Cell<'_>>> {
        (0..self.rows.min(n))
            .map(|r| {
                self.columns
                    .iter()
                    .map(|c| c.get(r).unwrap_or(Cell::Missing))
                    .collect()
            })
            .collect()
    }

    /// A 64-bit FNV-1a fingerprint of the names, kinds and values, for lineage: equal
    /// tables have equal fingerprints.
    pub fn fingerprint(&self) -> u64 {
        let mut h = Fnv::default();
        for c in &self.columns {
            h.write(c.name.as_bytes());
            h.write(&[c.kind() as u8]);
            for r in 0..self.rows {
                match c.get(r).unwrap_or(Cell::Missing) {
                    Cell::Missing => h.write(&[0]),
                    Cell::Number(x) => {
                        h.write(&[1]);
                        h.write(&x.to_bits().to_le_bytes());
                    }
                    Cell::Category(s) => {
                        h.write(&[2]);
                        h.write(s.as_bytes());
                        h.write(&[0xff]);
                    }
                    Cell::Bool(b) => h.write(&[3, b as u8]),
                }
            }
        }
        h.0
    }
}

/// 64-bit FNV-1a, a small stable hash for fingerprints.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fnv(pub(crate) u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Builds the level list of a categorical column, in order of first appearance.
#[derive(Default)]
pub(crate) struct Interner {
    index: std::collections::HashMap<String, u32>,
    pub(crate) levels: Vec<String>,
}

impl Interner {
    pub(crate) fn code(&mut self, s: &str) -> u32 {
        if let Some(&c) = self.index.get(s) {
            return c;
        }
        let c = self.levels.len() as u32;
        self.index.insert(s.to_owned(), c);
        self.levels.push(s.to_owned());
        c
    }
}

/// What went wrong reading or building a table. Lines and rows are 1-based: `line` is
/// the line of the file where the record starts, `row` counts data rows (the header is
/// not a row).
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum TableError {
    /// No bytes, or only whitespace.
    #[error("the file is empty: choose a CSV file with a header row and at least one data row")]
    Empty,
    /// A header and nothing under it.
    #[error("the file has a header ({columns} columns) but no data rows: add at least one row under the header")]
    NoRows {
        /// Columns in the header.
        columns: usize,
    },
    /// A record with a different number of fields than the header.
    #[error("line {line} (row {row}) has {found} field{s} but the header has {expected}: every row needs one value per column (leave a cell empty to mark it missing), or check the delimiter and the quotes", s = if *found == 1 { "" } else { "s" })]
    Ragged {
        /// Line of the file.
        line: u64,
        /// Data row.
        row: usize,
        /// Fields found.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// Bytes that are not UTF-8.
    #[error("line {line} ({where_}), column {column:?}: the text is not valid UTF-8: save the file as UTF-8 (CSV UTF-8 in spreadsheet programs) and load it again", where_ = row_label(*row))]
    InvalidUtf8 {
        /// Line of the file.
        line: u64,
        /// Data row (0 = the header).
        row: usize,
        /// Column name, or its 1-based position when the header itself is broken.
        column: String,
    },
    /// A cell that is not a number in a column read as numeric.
    #[error("line {line} (row {row}), column {column:?}: {value:?} is not a number, but the column is read as numeric: fix the cell, leave it empty to mark it missing, or read the column as categorical")]
    NotANumber {
        /// Line of the file.
        line: u64,
        /// Data row.
        row: usize,
        /// Column name.
        column: String,
        /// The cell, shortened.
        value: String,
    },
    /// A cell that is not true/false in a column read as boolean.
    #[error("line {line} (row {row}), column {column:?}: {value:?} is not true or false, but the column is read as boolean: fix the cell, leave it empty to mark it missing, or read the column as categorical")]
    NotABoolean {
        /// Line of the file.
        line: u64,
        /// Data row.
        row: usize,
        /// Column name.
        column: String,
        /// The cell, shortened.
        value: String,
    },
    /// More rows than the limit.
    #[error("the file has more than {limit} rows, the limit here: use a sample of the file, or the driftlab command-line tool for larger files")]
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// More columns than the limit.
    #[error("the header has {found} columns, more than the limit of {limit}: drop columns you do not need before loading")]
    TooManyColumns {
        /// Columns found.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A cell longer than the limit.
    #[error("line {line} ({where_}), column {column:?}: a cell of more than {limit} bytes: check for an unclosed quote (a \" that opens a cell and never closes), or shorten the cell", where_ = row_label(*row))]
    CellTooLarge {
        /// Line of the file.
        line: u64,
        /// Data row (0 = the header).
        row: usize,
        /// Column name or position.
        column: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The CSV itself could not be read.
    #[error(
        "line {line}: the CSV could not be read ({message}): check the quotes and the delimiter"
    )]
    Malformed {
        /// Line of the file.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// A column that is not there.
    #[error("there is no column {column:?}; the columns are: {available}")]
    UnknownColumn {
        /// The name asked for.
        column: String,
        /// The names there are.
        available: String,
    },
    /// Columns of different lengths.
    #[error("column {column:?} has {found} values but the table has {expected} rows")]
    LengthMismatch {
        /// Column name.
        column: String,
        /// Its length.
        found: usize,
        /// The table's row count.
        expected: usize,
    },
    /// Two columns with one name.
    #[error("two columns are called {column:?}: rename one of them")]
    DuplicateColumn {
        /// The name.
        column: String,
    },
    /// A Parquet file whose structure could not be read (a cut or damaged file).
    #[cfg(feature = "parquet")]
    #[error("{at}: the Parquet file could not be read ({message}): check that the file is whole (a copy cut short loses the footer) and export it again")]
    ParquetCorrupt {
        /// Where: `the footer`, `row group 2, column "x"`, …
        at: String,
        /// What the Parquet reader said.
        message: String,
    },
    /// A Parquet column of a type or codec this reader does not take.
    #[cfg(feature = "parquet")]
    #[error("column {column:?}: {what} is not supported: {fix}")]
    ParquetUnsupported {
        /// The column.
        column: String,
        /// The type or codec.
        what: String,
        /// How to re-write the file.
        fix: String,
    },
    /// A Parquet cell that cannot be read.
    #[cfg(feature = "parquet")]
    #[error("row {row}, column {column:?}: {problem}: {fix}")]
    ParquetCell {
        /// Data row (1-based, across row groups).
        row: usize,
        /// The column.
        column: String,
        /// What is wrong with it.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// Writing a Parquet file failed.
    #[cfg(feature = "parquet")]
    #[error("the Parquet file could not be written: {message}")]
    ParquetWrite {
        /// What the writer said.
        message: String,
    },
    /// An Arrow IPC file or stream whose structure could not be read (a cut or damaged file).
    #[cfg(feature = "arrow")]
    #[error("{at}: the Arrow file could not be read ({message}): check that the file is whole and export it again")]
    ArrowCorrupt {
        /// Where: `message 3 (byte 1208)`, `column "x"`, …
        at: String,
        /// What went wrong.
        message: String,
    },
    /// An Arrow column of a type, or a batch of a codec, this reader does not take.
    #[cfg(feature = "arrow")]
    #[error("{at}: {what} is not supported: {fix}")]
    ArrowUnsupported {
        /// Where: `column "x"`, or the message.
        at: String,
        /// The type or codec.
        what: String,
        /// How to re-write the file.
        fix: String,
    },
}

/// What a file that is not CSV is, by its first bytes: `a Parquet` (`PAR1`), `an Arrow
/// IPC` (the file format's `ARROW1`, or the stream format's first message, which opens
/// with the continuation marker `FF FF FF FF`: no UTF-8 text does). `None` for anything
/// else, which is read as CSV.
pub fn binary_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PAR1") {
        Some("a Parquet")
    } else if bytes.starts_with(b"ARROW1") || bytes.starts_with(&[0xff; 4]) {
        Some("an Arrow IPC")
    } else {
        None
    }
}

/// Reads a table from a CSV, Parquet or Arrow IPC file's bytes, telling them apart by the
/// first bytes ([`binary_format`]). Without the `parquet` (or `arrow`) feature such a file
/// is read as CSV (and fails as one); the page's first-load module, which has neither
/// reader, stays the size it was: its worker sends these files to the full module, and
/// the workbench's `load_csv` names the format and where it can be read.
pub fn read_table(bytes: &[u8], options: &ReadOptions) -> Result<CsvRead, TableError> {
    read_table_with_progress(bytes, options, &mut |_, _| {})
}

/// [`read_table`] with the progress callback of [`read_csv_with_progress`].
/// A Parquet file's bytes are copied once (the reader keeps its own buffer); CSV is read
/// in place.
pub fn read_table_with_progress(
    bytes: &[u8],
    options: &ReadOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CsvRead, TableError> {
    #[cfg(feature = "parquet")]
    if bytes.starts_with(MAGIC) {
        return read_parquet_with_progress(bytes.to_vec(), options, progress);
    }
    #[cfg(feature = "arrow")]
    if is_arrow(bytes) {
        return read_arrow_with_progress(bytes.to_vec(), options, progress);
    }
    // a build without the reader (the page's light module) reads them as CSV: the
    // workbench says what the file is before it gets here (`WorkbenchError::NotCsv`)
    read_csv_with_progress(bytes, options, progress)
}

fn row_label(row: usize) -> String {
    if row == 0 {
        "the header".to_owned()
    } else {
        format!("row {row}")
    }
}
