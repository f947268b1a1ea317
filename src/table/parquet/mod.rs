//! Parquet tables: the second source of [`Table`]s beside CSV, and the sink of `score --out
//! X.parquet`.
//!
//! Why the low-level column readers of the `parquet` crate and not its Arrow reader: a
//! table here is a handful of flat typed columns, which the column readers fill directly
//! (values plus definition levels for the nulls); the Arrow reader would pull in seven
//! `arrow-*` crates to build arrays that are then copied into the same columns.
//!
//! Types, as written by the file (no inference, unlike CSV):
//!
//! | Parquet                                        | column       |
//! |------------------------------------------------|--------------|
//! | boolean                                        | boolean      |
//! | int32, int64 (any width, signed or not)        | numeric      |
//! | float, double                                  | numeric      |
//! | decimal (int32, int64, fixed or variable bytes)| numeric      |
//! | string, enum, json, dictionary-encoded strings | categorical  |
//! | binary holding UTF-8                           | categorical  |
//! | date                                           | categorical (`YYYY-MM-DD`, as a CSV would hold it) |
//! | null (in an optional column)                   | missing      |
//!
//! Everything else (timestamps, times, int96, UUIDs, half floats, nested lists, maps and
//! structs) is refused with an error that names the column and says how to re-write it.
//! A float (32-bit) and a decimal are read through their shortest decimal spelling, so a
//! float `0.1` is the number a CSV holding `0.1` gives, not `0.10000000149011612`; string
//! cells are taken as they are (no trimming, and `"NA"` is a value: only a null is
//! missing). A NaN in a float column is missing, as everywhere in a [`Table`].
//!
//! Constant memory: the file is read row group by row group, column chunk by column chunk,
//! [`BATCH_ROWS`] records at a time; nothing is sized from what the file declares (a footer
//! claiming billions of rows is checked against [`Limits::max_rows`] before a value is
//! read, and every page header is checked against [`MAX_PAGE_BYTES`] before the page is
//! decompressed, see `check_pages`). [`ParquetBatches`] hands the batches out one by one
//! (`score` uses it, as it streams CSV); [`read_parquet`] gathers them into one table.
//!
//! Codecs: uncompressed, snappy, gzip and lz4 (pure Rust, so the same code reads in the
//! browser). zstd (a C library) and brotli are refused with an error that names the codec
//! and the fix.
//!
//! Damaged files: the `parquet` crate (60.2) sizes buffers from page headers and panics on
//! some malformed pages. The header checks above refuse the cases found (a 2 GiB page, a
//! dictionary of billions of values, a dictionary-encoded page with no dictionary, a
//! negative offset, BYTE_STREAM_SPLIT, whose decoder trusts the page's counts, and
//! DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY on string and fixed-width byte columns,
//! whose decoder slices the page with lengths it does not check). Flipping bytes of the
//! fixtures (40,000 files, tests/parquet.rs keeps a sample) found one more it panics on
//! that no header shows: a string whose length prefix runs past its page
//! (`bad_string_length.parquet`). That one is refused too, page by page as the crate hands
//! the decompressed pages to its decoders (`CheckedPages`): the levels' sizes of every data
//! page are checked against its bytes, and the length prefixes of a string column's PLAIN
//! pages (dictionary, V1 and V2 data pages) are walked, as many as the definition levels
//! say are not null. That costs one pass over the levels and one step per string of those
//! pages, without allocating or decompressing again (the fixtures hold at most 150
//! strings a file, plus their dictionaries; reading 2 million PLAIN strings, 10% null,
//! snappy, V1 or V2 pages, took 0.34 s with the check and 0.39 s without it, best of 5 in
//! a release build: no cost measurable above the noise); other pages are not walked. No
//! panic of the crate on a page is known now (every byte of iris.parquet and of the four
//! `types*.parquet` flipped four ways, 268,692 files: none reached the catch below); as a
//! safety net, one found later is still caught natively and becomes an error ("stopped on
//! malformed data"), while in Wasm (panic = abort) it would stop the module, which the
//! page's worker reports and restarts.

use super::{
    Column, ColumnData, ColumnKind, CsvRead, Interner, Limits, ReadOptions, Table, TableError,
    MISSING_CODE,
};
use parquet::basic::Encoding;
use parquet::basic::{Compression, ConvertedType, LogicalType, Type as Physical};
use parquet::column::page::{Page, PageMetadata, PageReader};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, FixedLenByteArray};
use parquet::file::reader::{
    ChunkReader, FileReader, Length, RowGroupReader, SerializedFileReader,
};
use parquet::schema::types::ColumnDescriptor;
use std::sync::Arc;

mod check;
mod write;

use check::{check_pages, CheckedPages, PageRefused};
pub use write::{write_parquet, ParquetWriter};

/// Records read from each column per step: enough to amortise the calls, small enough that
/// the buffers stay a few hundred KiB whatever the file.
pub const BATCH_ROWS: usize = 16_384;

/// The largest page (decompressed) this reader takes: 256 MiB. Writers cut pages at about
/// 1 MiB (pyarrow, Spark, DuckDB); a page header that declares more is a corrupt file, and
/// taking its word would allocate that much before reading a byte of it.
pub const MAX_PAGE_BYTES: u64 = 256 << 20;

/// The four bytes that open and close every Parquet file.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// True when `bytes` open like a Parquet file (`PAR1`). A CSV cannot: its header would
/// have to start with those four letters and has no footer, which the reader then wants.
pub fn is_parquet(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Reads a whole Parquet file (its bytes) into a table, with the same limits as
/// [`super::read_csv`] ([`ReadOptions::kinds`] may turn a numeric or boolean column into a
/// categorical one; the delimiter is ignored). See the module docs for the types.
pub fn read_parquet(bytes: Vec<u8>, options: &ReadOptions) -> Result<CsvRead, TableError> {
    read_parquet_with_progress(bytes, options, &mut |_, _| {})
}

/// [`read_parquet`] that calls `progress(bytes_read, total_bytes)` after each batch of
/// rows (bytes of the column chunks read so far) and once at the end with
/// `bytes_read == total_bytes`.
pub fn read_parquet_with_progress(
    bytes: Vec<u8>,
    options: &ReadOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CsvRead, TableError> {
    let total = bytes.len();
    let mut batches = ParquetBatches::from_bytes(bytes, options)?;
    let mut builders: Vec<Builder> = batches.plans.iter().map(Builder::new).collect();
    while batches.next_into(&mut builders)? > 0 {
        progress(batches.bytes_read().min(total), total);
    }
    progress(total, total);
    let names = batches.plans.iter().map(|p| p.name.as_str());
    finish_table(names, builders, batches.rows_read, batches.notes)
}

/// A Parquet file read [`BATCH_ROWS`] rows at a time, each batch a [`Table`] of its own
/// (categorical levels are those of the batch). Memory stays that of one batch and one page
/// per column, whatever the size of the file.
pub struct ParquetBatches {
    reader: Box<dyn FileReader>,
    plans: Vec<Plan>,
    /// Notes for the reader (columns read differently than a CSV would be).
    pub notes: Vec<String>,
    /// The column readers of the row group being read.
    current: Vec<Reader>,
    /// The next row group to open.
    next_group: usize,
    /// Rows read so far, and rows of the current row group still to read.
    rows_read: usize,
    rows_left: usize,
    /// Compressed bytes of the row groups opened so far.
    bytes_opened: u64,
    limits: Limits,
    levels: Vec<i16>,
}

impl ParquetBatches {
    /// Opens a Parquet file held in memory.
    pub fn from_bytes(bytes: Vec<u8>, options: &ReadOptions) -> Result<Self, TableError> {
        Self::open(bytes::Bytes::from(bytes), options)
    }

    /// Opens a Parquet file on disk; pages are read from the file as they are needed.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_file(file: std::fs::File, options: &ReadOptions) -> Result<Self, TableError> {
        Self::open(file, options)
    }

    fn open<R: ChunkReader + 'static>(
        source: R,
        options: &ReadOptions,
    ) -> Result<Self, TableError> {
        let source = Shared(Arc::new(source));
        let length = source.len();
        if length < 12 {
            return Err(corrupt(
                "the file",
                format!("{length} bytes, fewer than a Parquet file's smallest (12)"),
            ));
        }
        let footer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            SerializedFileReader::new(source.clone())
        }))
        .map_err(|_| {
            corrupt(
                "the footer",
                "the Parquet reader stopped on a malformed footer",
            )
        })?;
        let reader = footer.map_err(|e| corrupt("the footer", e))?;
        let metadata = reader.metadata().clone();
        let schema = metadata.file_metadata().schema_descr();
        let limits = options.limits;
        if schema.num_columns() > limits.max_columns {
            return Err(TableError::TooManyColumns {
                found: schema.num_columns(),
                limit: limits.max_columns,
            });
        }
        let mut plans = Vec::with_capacity(schema.num_columns());
        let mut notes = Vec::new();
        for i in 0..schema.num_columns() {
            let plan = Plan::new(&schema.column(i), options, &mut notes)?;
            if plans.iter().any(|p: &Plan| p.name == plan.name) {
                return Err(TableError::DuplicateColumn { column: plan.name });
            }
            plans.push(plan);
        }
        for name in options.kinds.keys() {
            if !plans.iter().any(|p| &p.name == name) {
                return Err(TableError::UnknownColumn {
                    column: name.clone(),
                    available: plans
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        // the declared rows, checked before any is read (and counted again while reading)
        let mut declared: u64 = 0;
        for (g, group) in metadata.row_groups().iter().enumerate() {
            let rows = u64::try_from(group.num_rows()).map_err(|_| {
                corrupt(
                    &format!("row group {}", g + 1),
                    format!("it declares {} rows", group.num_rows()),
                )
            })?;
            declared = declared.saturating_add(rows);
            if group.num_columns() != plans.len() {
                return Err(corrupt(
                    &format!("row group {}", g + 1),
                    format!(
                        "it has {} columns but the schema has {}: the file's parts were written with different schemas; re-write it with one schema",
                        group.num_columns(),
                        plans.len()
                    ),
                ));
            }
            for (chunk, plan) in group.columns().iter().zip(&plans) {
                if chunk.column_type() != plan.physical {
                    return Err(corrupt(
                        &format!("row group {}, column {:?}", g + 1, plan.name),
                        format!(
                            "the chunk is {} but the schema says {}: the file's parts were written with different schemas; re-write it with one schema",
                            chunk.column_type(),
                            plan.physical
                        ),
                    ));
                }
                check_codec(chunk.compression(), &plan.name)?;
            }
        }
        for (g, group) in metadata.row_groups().iter().enumerate() {
            check_pages(&source, group, g, &plans)?;
        }
        if declared > limits.max_rows as u64 {
            return Err(TableError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        if metadata.num_row_groups() == 0 || declared == 0 {
            return Err(TableError::NoRows {
                columns: plans.len(),
            });
        }
        Ok(ParquetBatches {
            reader: Box::new(reader),
            plans,
            notes,
            current: Vec::new(),
            next_group: 0,
            rows_read: 0,
            rows_left: 0,
            bytes_opened: 0,
            limits,
            levels: Vec::new(),
        })
    }

    /// Reads the column `name` as `kind` from the next batch on (as [`ReadOptions::kinds`]
    /// does): a numeric or boolean column may be read as categorical. A name that is not
    /// in the file is ignored.
    pub fn read_as(&mut self, name: &str, kind: ColumnKind) -> Result<(), TableError> {
        if let Some(plan) = self.plans.iter_mut().find(|p| p.name == name) {
            let natural = match plan.source {
                Source::Bool => ColumnKind::Boolean,
                Source::Text | Source::Date => ColumnKind::Categorical,
                _ => ColumnKind::Numeric,
            };
            plan.kind = forced(name, natural, kind)?;
        }
        Ok(())
    }

    /// The column names, in the file's order.
    pub fn column_names(&self) -> Vec<&str> {
        self.plans.iter().map(|p| p.name.as_str()).collect()
    }

    /// The rows the file declares (its footer's count; what is read is checked against it).
    pub fn declared_rows(&self) -> u64 {
        self.reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows().max(0) as u64)
            .sum()
    }

    /// Rows read so far.
    pub fn rows_read(&self) -> usize {
        self.rows_read
    }

    /// Compressed bytes of the row groups opened so far (a measure of progress).
    pub fn bytes_read(&self) -> usize {
        usize::try_from(self.bytes_opened).unwrap_or(usize::MAX)
    }

    /// The next batch of at most [`BATCH_ROWS`] rows as a table, or `None` at the end.
    pub fn next_table(&mut self) -> Result<Option<Table>, TableError> {
        let mut builders: Vec<Builder> = self.plans.iter().map(Builder::new).collect();
        if self.next_into(&mut builders)? == 0 {
            return Ok(None);
        }
        let columns = self
            .plans
            .iter()
            .zip(builders)
            .map(|(p, b)| b.finish(&p.name))
            .collect();
        Ok(Some(Table::new(columns)?))
    }

    /// Reads the next batch into `builders`; returns the rows read (0 at the end).
    fn next_into(&mut self, builders: &mut [Builder]) -> Result<usize, TableError> {
        // The `parquet` crate panics on some malformed pages; those known (a plain-encoded
        // string whose length prefix runs past its page, found by tests/parquet.rs's
        // damaged files) are refused before it decodes them (`check_pages`,
        // `CheckedPages`). One not known yet is caught here natively and becomes an
        // error; in Wasm (panic = abort) it would stop the module, which the page's worker
        // reports and restarts. See the report of issue #20.
        let group = self.next_group;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.next_into_inner(builders)
        })) {
            Ok(result) => result,
            Err(_) => {
                // the column readers are in an unknown state: nothing more is read
                self.current.clear();
                self.rows_left = 0;
                self.next_group = usize::MAX;
                Err(corrupt(
                    &format!("row group {}", group.max(1)),
                    "the Parquet reader stopped on malformed data in a page",
                ))
            }
        }
    }

    fn next_into_inner(&mut self, builders: &mut [Builder]) -> Result<usize, TableError> {
        while self.rows_left == 0 {
            if self.next_group >= self.reader.num_row_groups() {
                return Ok(0);
            }
            self.open_group()?;
        }
        let want = self.rows_left.min(BATCH_ROWS);
        let group = self.next_group; // 1-based number of the open group
        for ((reader, plan), builder) in self
            .current
            .iter_mut()
            .zip(&self.plans)
            .zip(builders.iter_mut())
        {
            let got = reader
                .read(want, plan, builder, &mut self.levels, self.limits)
                .map_err(|e| e.context(group, self.rows_read, &plan.name))?;
            if got != want {
                return Err(corrupt(
                    &format!("row group {group}, column {:?}", plan.name),
                    format!(
                        "the row group declares {} more rows but the column holds {got}: the file is cut short or corrupt; export it again",
                        want
                    ),
                ));
            }
        }
        self.rows_left -= want;
        self.rows_read += want;
        if self.rows_read > self.limits.max_rows {
            return Err(TableError::TooManyRows {
                limit: self.limits.max_rows,
            });
        }
        Ok(want)
    }

    fn open_group(&mut self) -> Result<(), TableError> {
        let g = self.next_group;
        self.next_group += 1;
        let where_ = format!("row group {}", g + 1);
        let group: Box<dyn RowGroupReader + '_> = self
            .reader
            .get_row_group(g)
            .map_err(|e| corrupt(&where_, e))?;
        let meta = group.metadata();
        self.rows_left = usize::try_from(meta.num_rows()).unwrap_or(0);
        self.bytes_opened = self
            .bytes_opened
            .saturating_add(meta.compressed_size().max(0) as u64);
        let mut readers = Vec::with_capacity(self.plans.len());
        for (i, plan) in self.plans.iter().enumerate() {
            let at = || format!("row group {}, column {:?}", g + 1, plan.name);
            let page_reader = group
                .get_column_page_reader(i)
                .map_err(|e| corrupt(&at(), e))?;
            let page_reader = Box::new(CheckedPages {
                inner: page_reader,
                strings: plan.physical == Physical::BYTE_ARRAY,
                max_def: plan.descr.max_def_level(),
                max_rep: plan.descr.max_rep_level(),
            });
            let column =
                parquet::column::reader::get_column_reader(plan.descr.clone(), page_reader);
            readers.push(Reader::new(column));
        }
        drop(group);
        self.current = readers;
        Ok(())
    }
}

/// An error while reading a column, before it knows where it is.
enum ReadError {
    Parquet(parquet::errors::ParquetError),
    Table(TableError),
    /// A page [`CheckedPages`] refused before the crate's decoders read it.
    Page(String),
    /// A string cell over the size limit, at this 0-based row of the batch.
    CellTooLarge(usize),
    /// Bytes that are not UTF-8 in a text column, at this row of the batch.
    NotUtf8(usize),
}

impl From<parquet::errors::ParquetError> for ReadError {
    fn from(e: parquet::errors::ParquetError) -> Self {
        match e {
            // a page that [`CheckedPages`] refused: its own words, not the crate's wrapping
            parquet::errors::ParquetError::External(e) => match e.downcast::<PageRefused>() {
                Ok(refused) => ReadError::Page(refused.0),
                Err(e) => ReadError::Parquet(parquet::errors::ParquetError::External(e)),
            },
            e => ReadError::Parquet(e),
        }
    }
}

impl ReadError {
    fn context(self, group: usize, rows_before: usize, column: &str) -> TableError {
        match self {
            ReadError::Parquet(e) => corrupt(&format!("row group {group}, column {column:?}"), e),
            ReadError::Table(e) => e,
            ReadError::Page(m) => corrupt(&format!("row group {group}, column {column:?}"), m),
            ReadError::CellTooLarge(r) => TableError::ParquetCell {
                row: rows_before + r + 1,
                column: column.to_owned(),
                problem: "the text is longer than the 1 MiB limit of a cell".to_owned(),
                fix: "shorten the cell or drop the column before writing the file".to_owned(),
            },
            ReadError::NotUtf8(r) => TableError::ParquetCell {
                row: rows_before + r + 1,
                column: column.to_owned(),
                problem: "the bytes are not UTF-8 text".to_owned(),
                fix: "write the column as a string column, or drop it".to_owned(),
            },
        }
    }
}

/// How one Parquet column becomes a table column.
struct Plan {
    name: String,
    descr: Arc<ColumnDescriptor>,
    physical: Physical,
    /// What the stored values mean.
    source: Source,
    /// The kind of the table column.
    kind: ColumnKind,
    /// Nulls possible (definition level 1).
    optional: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Source {
    Bool,
    Int,
    /// A 32-bit float, read through its shortest spelling.
    Float,
    Double,
    /// Unscaled integers (or big-endian bytes) and the scale.
    Decimal(i32),
    Text,
    /// Days since 1970-01-01.
    Date,
}

impl Plan {
    fn new(
        descr: &Arc<ColumnDescriptor>,
        options: &ReadOptions,
        notes: &mut Vec<String>,
    ) -> Result<Plan, TableError> {
        // a nested column is named by its top-level field (`tags`, not `tags.list.element`)
        let name = match descr.path().parts() {
            [top, _, ..] => top.clone(),
            _ => descr.path().string(),
        };
        let unsupported = |what: String, fix: &str| TableError::ParquetUnsupported {
            column: name.clone(),
            what,
            fix: fix.to_owned(),
        };
        if descr.max_rep_level() > 0 || descr.max_def_level() > 1 || descr.path().parts().len() > 1
        {
            return Err(unsupported(
                "a nested column (a list, map or struct)".to_owned(),
                "flatten it into plain columns before writing the file (one column per field)",
            ));
        }
        let optional = descr.max_def_level() == 1;
        let physical = descr.physical_type();
        let logical = descr.logical_type_ref();
        let converted = descr.converted_type();
        let decimal = matches!(logical, Some(LogicalType::Decimal { .. }))
            || converted == ConvertedType::DECIMAL;
        let source = match (physical, logical) {
            (Physical::BOOLEAN, _) => Source::Bool,
            (Physical::INT32 | Physical::INT64 | Physical::FIXED_LEN_BYTE_ARRAY | Physical::BYTE_ARRAY, _) if decimal => {
                let scale = descr.type_scale();
                if physical == Physical::FIXED_LEN_BYTE_ARRAY && !(1..=16).contains(&descr.type_length()) {
                    return Err(unsupported(
                        format!("a decimal of {} bytes", descr.type_length()),
                        "write it as a decimal of at most 38 digits, or as a double",
                    ));
                }
                Source::Decimal(scale)
            }
            (Physical::INT32, Some(LogicalType::Date)) => Source::Date,
            (Physical::INT32, _) if converted == ConvertedType::DATE => Source::Date,
            (Physical::INT32 | Physical::INT64, None | Some(LogicalType::Integer { .. })) => {
                match converted {
                    ConvertedType::NONE
                    | ConvertedType::INT_8
                    | ConvertedType::INT_16
                    | ConvertedType::INT_32
                    | ConvertedType::INT_64
                    | ConvertedType::UINT_8
                    | ConvertedType::UINT_16
                    | ConvertedType::UINT_32
                    | ConvertedType::UINT_64 => Source::Int,
                    other => {
                        return Err(unsupported(
                            format!("an integer column of the legacy type {other}"),
                            "cast it to a plain integer, a double or a string before writing the file",
                        ))
                    }
                }
            }
            (Physical::FLOAT, None) => Source::Float,
            (Physical::DOUBLE, None) => Source::Double,
            (Physical::BYTE_ARRAY, None | Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)) => {
                Source::Text
            }
            (_, Some(LogicalType::Timestamp { .. })) | (Physical::INT96, _) => {
                return Err(unsupported(
                    "a timestamp".to_owned(),
                    "cast it to a string (e.g. ISO 8601) or to an integer (e.g. seconds since 1970) before writing the file",
                ))
            }
            (_, Some(LogicalType::Time { .. })) => {
                return Err(unsupported(
                    "a time of day".to_owned(),
                    "cast it to a string or to an integer (e.g. seconds since midnight) before writing the file",
                ))
            }
            (_, Some(l)) => {
                return Err(unsupported(
                    format!("the type {l:?} (stored as {physical})"),
                    "cast it to a number, a boolean or a string before writing the file",
                ))
            }
            (_, None) => {
                return Err(unsupported(
                    format!("the type {physical}"),
                    "cast it to a number, a boolean or a string before writing the file",
                ))
            }
        };
        let natural = match source {
            Source::Bool => ColumnKind::Boolean,
            Source::Text | Source::Date => ColumnKind::Categorical,
            _ => ColumnKind::Numeric,
        };
        let kind = match options.kinds.get(&name).copied() {
            None => natural,
            Some(k) => forced(&name, natural, k)?,
        };
        if source == Source::Date {
            notes.push(format!("column {name:?} holds dates; it is read as categorical text (YYYY-MM-DD), as from a CSV"));
        }
        Ok(Plan {
            name,
            descr: descr.clone(),
            physical,
            source,
            kind,
            optional,
        })
    }
}

/// The kind a column of `natural` kind is read as when `wanted` is asked for: itself, or
/// categorical (numbers and booleans as their text); anything else is an error.
fn forced(name: &str, natural: ColumnKind, wanted: ColumnKind) -> Result<ColumnKind, TableError> {
    if wanted == natural || wanted == ColumnKind::Categorical {
        return Ok(wanted);
    }
    Err(TableError::ParquetUnsupported {
        column: name.to_owned(),
        what: format!("reading a {natural} column as {wanted}"),
        fix: "write the column with the type wanted, or read it as categorical".to_owned(),
    })
}

/// Refuses the codecs this build does not read, naming the codec and the fix.
fn check_codec(codec: Compression, column: &str) -> Result<(), TableError> {
    let name = match codec {
        Compression::UNCOMPRESSED
        | Compression::SNAPPY
        | Compression::GZIP(_)
        | Compression::LZ4
        | Compression::LZ4_RAW => return Ok(()),
        Compression::ZSTD(_) => "zstd",
        Compression::BROTLI(_) => "brotli",
        Compression::LZO => "lzo",
    };
    Err(TableError::ParquetUnsupported {
        column: column.to_owned(),
        what: format!("the {name} compression"),
        fix: "re-write the file with compression='snappy' (pyarrow: pq.write_table(t, path, compression='snappy'); pandas: df.to_parquet(path, compression='snappy'))".to_owned(),
    })
}

/// A typed column reader.
struct Reader(ColumnReader);

impl Reader {
    fn new(column: ColumnReader) -> Self {
        Reader(column)
    }

    /// Reads `want` records into `builder`; returns the records read (fewer only at the
    /// end of the chunk).
    fn read(
        &mut self,
        want: usize,
        plan: &Plan,
        builder: &mut Builder,
        levels: &mut Vec<i16>,
        limits: Limits,
    ) -> Result<usize, ReadError> {
        match &mut self.0 {
            ColumnReader::BoolColumnReader(r) => {
                read_typed(r, want, plan, levels, builder, |b, v: &bool| {
                    b.push_bool(*v)
                })
            }
            ColumnReader::Int32ColumnReader(r) => match plan.source {
                Source::Date => read_typed(r, want, plan, levels, builder, |b, v: &i32| {
                    b.push_text(&date(*v))
                }),
                Source::Decimal(s) => read_typed(r, want, plan, levels, builder, |b, v: &i32| {
                    b.push_number(decimal(i128::from(*v), s))
                }),
                _ if is_unsigned(plan) => {
                    read_typed(r, want, plan, levels, builder, |b, v: &i32| {
                        b.push_int(i128::from(*v as u32))
                    })
                }
                _ => read_typed(r, want, plan, levels, builder, |b, v: &i32| {
                    b.push_int(i128::from(*v))
                }),
            },
            ColumnReader::Int64ColumnReader(r) => match plan.source {
                Source::Decimal(s) => read_typed(r, want, plan, levels, builder, |b, v: &i64| {
                    b.push_number(decimal(i128::from(*v), s))
                }),
                _ if is_unsigned(plan) => {
                    read_typed(r, want, plan, levels, builder, |b, v: &i64| {
                        b.push_int(i128::from(*v as u64))
                    })
                }
                _ => read_typed(r, want, plan, levels, builder, |b, v: &i64| {
                    b.push_int(i128::from(*v))
                }),
            },
            ColumnReader::FloatColumnReader(r) => {
                read_typed(r, want, plan, levels, builder, |b, v: &f32| {
                    b.push_number(widen(*v))
                })
            }
            ColumnReader::DoubleColumnReader(r) => {
                read_typed(r, want, plan, levels, builder, |b, v: &f64| {
                    b.push_number(*v)
                })
            }
            ColumnReader::ByteArrayColumnReader(r) => {
                let mut row = 0usize;
                let mut bad: Option<ReadError> = None;
                let scale = match plan.source {
                    Source::Decimal(s) => Some(s),
                    _ => None,
                };
                let n = read_typed(r, want, plan, levels, builder, |b, v: &ByteArray| {
                    row += 1;
                    if bad.is_some() {
                        return;
                    }
                    if let Some(s) = scale {
                        match be_int(v.data()) {
                            Some(x) => b.push_number(decimal(x, s)),
                            None => b.push_missing(),
                        }
                        return;
                    }
                    if v.len() > limits.max_cell_bytes {
                        bad = Some(ReadError::CellTooLarge(row - 1));
                        return;
                    }
                    match std::str::from_utf8(v.data()) {
                        Ok(s) => b.push_text(s),
                        Err(_) => bad = Some(ReadError::NotUtf8(row - 1)),
                    }
                })?;
                match bad {
                    Some(e) => Err(e),
                    None => Ok(n),
                }
            }
            ColumnReader::FixedLenByteArrayColumnReader(r) => {
                let Source::Decimal(s) = plan.source else {
                    return Err(ReadError::Table(TableError::ParquetUnsupported {
                        column: plan.name.clone(),
                        what: "fixed-length bytes".to_owned(),
                        fix: "cast it to a number or a string before writing the file".to_owned(),
                    }));
                };
                read_typed(
                    r,
                    want,
                    plan,
                    levels,
                    builder,
                    |b, v: &FixedLenByteArray| match be_int(v.data()) {
                        Some(x) => b.push_number(decimal(x, s)),
                        None => b.push_missing(),
                    },
                )
            }
            ColumnReader::Int96ColumnReader(_) => {
                Err(ReadError::Table(TableError::ParquetUnsupported {
                    column: plan.name.clone(),
                    what: "a timestamp (int96)".to_owned(),
                    fix: "cast it to a string or an integer before writing the file".to_owned(),
                }))
            }
        }
    }
}

fn is_unsigned(plan: &Plan) -> bool {
    matches!(
        plan.descr.logical_type_ref(),
        Some(LogicalType::Integer(parquet::basic::IntType {
            is_signed: false,
            ..
        }))
    ) || matches!(
        plan.descr.converted_type(),
        ConvertedType::UINT_8
            | ConvertedType::UINT_16
            | ConvertedType::UINT_32
            | ConvertedType::UINT_64
    )
}

/// Reads `want` records of a flat column: values, and the definition levels when the
/// column may hold nulls; calls `push` per value and `push_missing` per null, in row order.
fn read_typed<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    want: usize,
    plan: &Plan,
    levels: &mut Vec<i16>,
    builder: &mut Builder,
    mut push: impl FnMut(&mut Builder, &T::T),
) -> Result<usize, ReadError> {
    let mut values: Vec<T::T> = Vec::with_capacity(want.min(BATCH_ROWS));
    let mut done = 0usize;
    while done < want {
        values.clear();
        levels.clear();
        let (records, _, _) = reader.read_records(
            want - done,
            if plan.optional {
                Some(&mut *levels)
            } else {
                None
            },
            None,
            &mut values,
        )?;
        if records == 0 {
            break;
        }
        if plan.optional {
            let mut next = values.iter();
            for &level in levels.iter().take(records) {
                if level >= 1 {
                    match next.next() {
                        Some(v) => push(builder, v),
                        None => builder.push_missing(),
                    }
                } else {
                    builder.push_missing();
                }
            }
        } else {
            for v in values.iter().take(records) {
                push(builder, v);
            }
        }
        done += records;
    }
    Ok(done)
}

/// The table a whole read made (the Parquet and the Arrow reader): every column's builder
/// finished under its name, or `NoRows` when no batch held a row.
pub(super) fn finish_table<'a>(
    names: impl Iterator<Item = &'a str>,
    builders: Vec<Builder>,
    rows_read: usize,
    notes: Vec<String>,
) -> Result<CsvRead, TableError> {
    if rows_read == 0 {
        return Err(TableError::NoRows {
            columns: builders.len(),
        });
    }
    let columns = names.zip(builders).map(|(n, b)| b.finish(n)).collect();
    Ok(CsvRead {
        table: Table::new(columns)?,
        notes,
    })
}

/// One column being filled (the Arrow reader fills its columns with it too).
pub(super) enum Builder {
    Numeric(Vec<f64>),
    Categorical(Interner, Vec<u32>),
    Boolean(Vec<Option<bool>>),
}

impl Builder {
    fn new(plan: &Plan) -> Builder {
        Builder::of(plan.kind)
    }

    /// An empty column of `kind`.
    pub(super) fn of(kind: ColumnKind) -> Builder {
        match kind {
            ColumnKind::Numeric => Builder::Numeric(Vec::new()),
            ColumnKind::Categorical => Builder::Categorical(Interner::default(), Vec::new()),
            ColumnKind::Boolean => Builder::Boolean(Vec::new()),
        }
    }

    pub(super) fn push_missing(&mut self) {
        match self {
            Builder::Numeric(v) => v.push(f64::NAN),
            Builder::Categorical(_, c) => c.push(MISSING_CODE),
            Builder::Boolean(v) => v.push(None),
        }
    }

    pub(super) fn push_number(&mut self, x: f64) {
        match self {
            Builder::Numeric(v) => v.push(x),
            Builder::Categorical(_, c) if x.is_nan() => c.push(MISSING_CODE),
            Builder::Categorical(i, c) => c.push(i.code(zmij::Buffer::new().format(x))),
            Builder::Boolean(v) => v.push(None),
        }
    }

    pub(super) fn push_int(&mut self, x: i128) {
        match self {
            // `as` rounds to nearest, ties to even: the number the integer's text parses to
            Builder::Numeric(v) => v.push(x as f64),
            Builder::Categorical(i, c) => c.push(i.code(&x.to_string())),
            Builder::Boolean(v) => v.push(None),
        }
    }

    pub(super) fn push_bool(&mut self, b: bool) {
        match self {
            Builder::Boolean(v) => v.push(Some(b)),
            Builder::Categorical(i, c) => c.push(i.code(if b { "true" } else { "false" })),
            Builder::Numeric(v) => v.push(f64::from(u8::from(b))),
        }
    }

    pub(super) fn push_text(&mut self, s: &str) {
        match self {
            Builder::Categorical(i, c) => c.push(i.code(s)),
            Builder::Numeric(v) => v.push(f64::NAN),
            Builder::Boolean(v) => v.push(None),
        }
    }

    pub(super) fn finish(self, name: &str) -> Column {
        let data = match self {
            Builder::Numeric(v) => ColumnData::Numeric(v),
            Builder::Categorical(i, codes) => ColumnData::Categorical {
                codes,
                levels: i.levels,
            },
            Builder::Boolean(v) => ColumnData::Boolean(v),
        };
        Column {
            name: name.to_owned(),
            data,
        }
    }
}

/// A float widened through its shortest decimal spelling (what a CSV of it would hold).
pub(super) fn widen(x: f32) -> f64 {
    if !x.is_finite() {
        return f64::from(x);
    }
    zmij::Buffer::new()
        .format(x)
        .parse()
        .unwrap_or(f64::from(x))
}

/// `unscaled × 10^-scale`, correctly rounded (through its decimal spelling, as a CSV cell).
pub(super) fn decimal(unscaled: i128, scale: i32) -> f64 {
    if scale == 0 {
        return unscaled as f64;
    }
    format!("{unscaled}e{}", -i64::from(scale))
        .parse()
        .unwrap_or(f64::NAN)
}

/// A big-endian two's-complement integer of at most 16 bytes.
fn be_int(bytes: &[u8]) -> Option<i128> {
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let negative = bytes[0] & 0x80 != 0;
    let mut buf = [if negative { 0xff } else { 0 }; 16];
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    Some(i128::from_be_bytes(buf))
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian; H. Hinnant's civil_from_days).
pub(super) fn date(days: i32) -> String {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn corrupt(at: &str, message: impl std::fmt::Display) -> TableError {
    TableError::ParquetCorrupt {
        at: at.to_owned(),
        message: message.to_string(),
    }
}

/// A source shared by the `parquet` crate's reader and [`check_pages`].
struct Shared<R>(Arc<R>);

impl<R> Clone for Shared<R> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<R: ChunkReader> Length for Shared<R> {
    fn len(&self) -> u64 {
        self.0.len()
    }
}

impl<R: ChunkReader> ChunkReader for Shared<R> {
    type T = R::T;

    fn get_read(&self, start: u64) -> parquet::errors::Result<R::T> {
        self.0.get_read(start)
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        self.0.get_bytes(start, length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_spelled_as_iso_days() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(date(18_262), "2020-01-01");
        assert_eq!(date(19_783), "2024-03-01");
        assert_eq!(date(-719_468), "0000-03-01");
    }

    #[test]
    fn decimals_and_floats_read_as_their_text_would() {
        assert_eq!(decimal(125, 2), 1.25);
        assert_eq!(decimal(-1, 1), -0.1);
        assert_eq!(decimal(7, 0), 7.0);
        assert_eq!(decimal(12_345, -2), 1_234_500.0);
        assert_eq!(widen(0.1f32), 0.1f64);
        assert_eq!(widen(f32::INFINITY), f64::INFINITY);
        assert_eq!(be_int(&[0xff, 0xfe]), Some(-2));
        assert_eq!(be_int(&[0x01, 0x00]), Some(256));
        assert_eq!(be_int(&[]), None);
        assert_eq!(be_int(&[0; 17]), None);
    }

    #[test]
    fn a_csv_is_not_taken_for_parquet() {
        assert!(is_parquet(b"PAR1\x15\x00"));
        assert!(!is_parquet(b"a,b\n1,2\n"));
        assert!(matches!(
            read_parquet(b"PAR1".to_vec(), &ReadOptions::default()),
            Err(TableError::ParquetCorrupt { .. })
        ));
    }
}
