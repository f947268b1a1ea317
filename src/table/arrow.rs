//! Arrow IPC tables (`.arrow`, `.feather` v2, `.arrows`): the third source of [`Table`]s
//! beside CSV and Parquet.
//!
//! Both IPC formats are read: the file format (it opens and ends with `ARROW1`) and the
//! stream format (it opens with a message, whose continuation marker `FF FF FF FF` no text
//! file does). A file-format file holds the stream's messages between its magic and its
//! footer, so both are read the same way, message by message from the front (the footer's
//! index of the batches is not needed to read them in order; its presence is checked).
//!
//! Why the `arrow-ipc` crate (60.2, no default features, `lz4`): it decodes the record
//! batches and dictionaries, checks every buffer against the body it comes from and
//! validates the arrays it builds, and reserves nothing a message declares before the
//! bytes are there. What it costs (measured under load, see the README's "Reading
//! Arrow"): ten more packages (seven `arrow-*` crates, `flatbuffers`), about 80 s of CPU
//! for a cold release build, and +273 KB gzipped in the page's full module (+23%), because
//! the decoder links arrays and validation for every Arrow type; decoding the dozen flat
//! types read here on the crate's flatbuffer accessors alone would be much smaller. What
//! this module adds is the framing: every message is read by our code (its metadata at
//! most [`MAX_METADATA_BYTES`], its body at most what is left of the input, so a declared
//! length never becomes an allocation), the row count of a record batch is checked against
//! [`Limits::max_rows`] before the batch is decoded, and the compression codec is checked
//! before the crate is asked to decompress.
//!
//! Types, as written by the file (no inference, unlike CSV), the same as Parquet's:
//!
//! | Arrow                                                | column       |
//! |------------------------------------------------------|--------------|
//! | bool                                                 | boolean      |
//! | int8 … int64, uint8 … uint64                         | numeric      |
//! | float32 (through its shortest spelling), float64     | numeric      |
//! | decimal32/64/128                                     | numeric      |
//! | utf8, large_utf8, utf8_view, dictionary of strings   | categorical  |
//! | date32, date64                                       | categorical (`YYYY-MM-DD`) |
//! | null (a cell, or a column of type null)              | missing      |
//!
//! Everything else (timestamps, times, durations, half floats, decimal256, binary, lists,
//! structs, maps, unions) is refused with an error that names the column and says how to
//! re-write it. Buffers compressed with lz4 (pyarrow's and pandas' `to_feather` default)
//! are read; zstd (a C library) is refused naming the codec and the fix.
//!
//! Memory: one record batch at a time (its body is sliced from the bytes in memory, or read
//! from the file on disk), handed out [`BATCH_ROWS`] rows at a time ([`ArrowBatches`],
//! which `score` uses as it streams CSV and Parquet); [`read_arrow`] gathers them.

use super::parquet::{date, decimal, finish_table, widen, Builder};
use super::{ColumnKind, CsvRead, Limits, ReadOptions, Table, TableError, BATCH_ROWS};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal32Type, Decimal64Type, Float32Type, Float64Type,
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_buffer::Buffer;
use arrow_ipc::{CompressionType, MessageHeader, MetadataVersion};
use arrow_schema::{DataType, Schema, SchemaRef};
use std::collections::HashMap;
#[cfg(not(target_arch = "wasm32"))]
use std::io::Read;
use std::sync::Arc;

/// The six bytes that open (after them two of padding) and end every IPC file.
pub const FILE_MAGIC: &[u8; 6] = b"ARROW1";

/// The marker that opens every message of the stream format (since Arrow 0.15).
const CONTINUATION: [u8; 4] = [0xff; 4];

/// The largest message metadata (a flatbuffer: the schema, or a batch's buffer list) this
/// reader takes: 16 MiB. A schema of 10,000 columns takes about 1 MiB.
pub const MAX_METADATA_BYTES: usize = 16 << 20;

/// True when `bytes` open like an Arrow IPC file (`ARROW1`) or stream (`FF FF FF FF`).
pub fn is_arrow(bytes: &[u8]) -> bool {
    bytes.starts_with(FILE_MAGIC) || bytes.starts_with(&CONTINUATION)
}

/// Reads a whole Arrow IPC file or stream (its bytes) into a table, with the same limits
/// as [`super::read_csv`] ([`ReadOptions::kinds`] may turn a numeric or boolean column into
/// a categorical one). See the module docs for the types.
pub fn read_arrow(bytes: Vec<u8>, options: &ReadOptions) -> Result<CsvRead, TableError> {
    read_arrow_with_progress(bytes, options, &mut |_, _| {})
}

/// [`read_arrow`] that calls `progress(bytes_read, total_bytes)` after each batch and once
/// at the end with `bytes_read == total_bytes`.
pub fn read_arrow_with_progress(
    bytes: Vec<u8>,
    options: &ReadOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CsvRead, TableError> {
    let total = bytes.len();
    let mut batches = ArrowBatches::from_bytes(bytes, options)?;
    let mut builders: Vec<Builder> = batches.plans.iter().map(|p| Builder::of(p.kind)).collect();
    while batches.next_into(&mut builders, usize::MAX)? > 0 {
        progress(batches.bytes_read().min(total), total);
    }
    progress(total, total);
    let names = batches.plans.iter().map(|p| p.name.as_str());
    finish_table(names, builders, batches.rows_read, batches.notes)
}

/// Where the messages come from.
enum Source {
    /// The whole input in memory: bodies are slices of it, without a copy.
    Bytes { buffer: Buffer, at: usize },
    /// A file on disk, read message by message.
    #[cfg(not(target_arch = "wasm32"))]
    File {
        file: std::io::BufReader<std::fs::File>,
        at: usize,
        len: usize,
    },
}

impl Source {
    fn position(&self) -> usize {
        match self {
            Source::Bytes { at, .. } => *at,
            #[cfg(not(target_arch = "wasm32"))]
            Source::File { at, .. } => *at,
        }
    }

    fn left(&self) -> usize {
        match self {
            Source::Bytes { buffer, at } => buffer.len() - at,
            #[cfg(not(target_arch = "wasm32"))]
            Source::File { at, len, .. } => len - at,
        }
    }

    /// The next `n` bytes (checked against what is left first), or an error saying so.
    fn take(&mut self, n: usize, what: &str) -> Result<Buffer, TableError> {
        if n > self.left() {
            return Err(corrupt(
                &format!("byte {}", self.position()),
                format!(
                    "{what} declares {n} bytes but the file has {} left: the file is cut short or corrupt; export it again",
                    self.left()
                ),
            ));
        }
        match self {
            Source::Bytes { buffer, at } => {
                let out = buffer.slice_with_length(*at, n);
                *at += n;
                Ok(out)
            }
            #[cfg(not(target_arch = "wasm32"))]
            Source::File { file, at, .. } => {
                let mut out = vec![0u8; n];
                file.read_exact(&mut out)
                    .map_err(|e| corrupt(&format!("byte {at}"), e))?;
                *at += n;
                Ok(Buffer::from_vec(out))
            }
        }
    }

    fn take_array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], TableError> {
        let b = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b.as_slice());
        Ok(out)
    }
}

/// How one Arrow column becomes a table column.
struct Plan {
    name: String,
    source: Kind,
    /// The kind of the table column.
    kind: ColumnKind,
}

/// What the stored values mean.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bool,
    Int,
    Float,
    Double,
    Decimal(i8),
    Text,
    Date,
    Null,
}

impl Kind {
    fn of(name: &str, t: &DataType) -> Result<Kind, TableError> {
        use DataType as D;
        let unsupported = |fix: &str| TableError::ArrowUnsupported {
            at: format!("column {name:?}"),
            what: format!("the type {t}"),
            fix: fix.to_owned(),
        };
        Ok(match t {
            D::Boolean => Kind::Bool,
            D::Int8 | D::Int16 | D::Int32 | D::Int64 => Kind::Int,
            D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 => Kind::Int,
            D::Float32 => Kind::Float,
            D::Float64 => Kind::Double,
            D::Decimal32(_, s) | D::Decimal64(_, s) | D::Decimal128(_, s) => Kind::Decimal(*s),
            D::Utf8 | D::LargeUtf8 | D::Utf8View => Kind::Text,
            D::Dictionary(_, v) if matches!(**v, D::Utf8 | D::LargeUtf8 | D::Utf8View) => {
                Kind::Text
            }
            D::Date32 | D::Date64 => Kind::Date,
            D::Null => Kind::Null,
            D::Timestamp(..) | D::Time32(_) | D::Time64(_) | D::Duration(_) | D::Interval(_) => {
                return Err(unsupported(
                    "write it as a number (seconds or days since an origin) or as text (pyarrow: pc.cast(column, pa.string()); pandas: df[col].astype('int64') or .dt.strftime(...))",
                ))
            }
            D::Float16 | D::Decimal256(..) => {
                return Err(unsupported(
                    "write it as float64 (pyarrow: pc.cast(column, pa.float64()); pandas: df[col].astype('float64'))",
                ))
            }
            _ => {
                return Err(unsupported(
                    "write one flat column of numbers, text or booleans per feature (lists, structs, maps, unions and binary are not read)",
                ))
            }
        })
    }

    fn natural(self) -> ColumnKind {
        match self {
            Kind::Bool => ColumnKind::Boolean,
            Kind::Text | Kind::Date => ColumnKind::Categorical,
            _ => ColumnKind::Numeric,
        }
    }
}

/// An Arrow IPC file or stream read record batch by record batch, handed out at most
/// [`BATCH_ROWS`] rows at a time as [`Table`]s of their own (categorical levels are those
/// of the batch). Memory stays that of one record batch, whatever the size of the file.
pub struct ArrowBatches {
    source: Source,
    schema: SchemaRef,
    version: MetadataVersion,
    dictionaries: HashMap<i64, ArrayRef>,
    plans: Vec<Plan>,
    /// Notes for the reader (columns read differently than a CSV would be).
    pub notes: Vec<String>,
    /// The record batch being handed out, and the next row of it.
    current: Option<(RecordBatch, usize)>,
    /// Messages read (for error messages), rows read so far.
    messages: usize,
    rows_read: usize,
    ended: bool,
    limits: Limits,
}

impl ArrowBatches {
    /// Opens an Arrow IPC file or stream held in memory.
    pub fn from_bytes(bytes: Vec<u8>, options: &ReadOptions) -> Result<Self, TableError> {
        let file_format = bytes.starts_with(FILE_MAGIC);
        let buffer = Buffer::from_vec(bytes);
        if file_format && !buffer.as_slice().ends_with(FILE_MAGIC) {
            return Err(corrupt(
                "the end of the file",
                "an Arrow IPC file ends with ARROW1 and this one does not: the file is cut short; export it again",
            ));
        }
        Self::open(Source::Bytes { buffer, at: 0 }, file_format, options)
    }

    /// Opens an Arrow IPC file or stream on disk; its messages are read as they are needed.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_file(mut file: std::fs::File, options: &ReadOptions) -> Result<Self, TableError> {
        use std::io::{Seek, SeekFrom};
        let len = file.metadata().map_err(|e| corrupt("the file", e))?.len();
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        let mut head = [0u8; 6];
        let n = file.read(&mut head).map_err(|e| corrupt("the file", e))?;
        let file_format = head[..n].starts_with(FILE_MAGIC);
        if file_format {
            let mut tail = [0u8; 6];
            file.seek(SeekFrom::End(-6))
                .and_then(|_| file.read_exact(&mut tail))
                .map_err(|e| corrupt("the end of the file", e))?;
            if &tail != FILE_MAGIC {
                return Err(corrupt(
                    "the end of the file",
                    "an Arrow IPC file ends with ARROW1 and this one does not: the file is cut short; export it again",
                ));
            }
        }
        file.seek(SeekFrom::Start(0))
            .map_err(|e| corrupt("the file", e))?;
        let file = std::io::BufReader::new(file);
        Self::open(Source::File { file, at: 0, len }, file_format, options)
    }

    fn open(
        mut source: Source,
        file_format: bool,
        options: &ReadOptions,
    ) -> Result<Self, TableError> {
        if file_format {
            source.take(8, "the file's magic")?;
        }
        let limits = options.limits;
        let mut batches = ArrowBatches {
            source,
            schema: Arc::new(Schema::empty()),
            version: MetadataVersion::V5,
            dictionaries: HashMap::new(),
            plans: Vec::new(),
            notes: Vec::new(),
            current: None,
            messages: 0,
            rows_read: 0,
            ended: false,
            limits,
        };
        let Some((metadata, _)) = batches.next_message()? else {
            return Err(TableError::Empty);
        };
        let message = parse(&metadata, batches.messages)?;
        let schema = message
            .header_as_schema()
            .ok_or_else(|| {
                corrupt(
                    "message 1",
                    format!(
                        "an Arrow IPC file opens with its schema, this one with a {:?} message",
                        message.header_type()
                    ),
                )
            })
            .and_then(|s| {
                arrow_ipc::convert::try_fb_to_schema(s).map_err(|e| corrupt("the schema", e))
            })?;
        batches.version = message.version();
        if schema.fields().len() > limits.max_columns {
            return Err(TableError::TooManyColumns {
                found: schema.fields().len(),
                limit: limits.max_columns,
            });
        }
        for field in schema.fields() {
            let name = field.name().clone();
            if batches.plans.iter().any(|p| p.name == name) {
                return Err(TableError::DuplicateColumn { column: name });
            }
            let source = Kind::of(&name, field.data_type())?;
            let mut kind = source.natural();
            if let Some(&wanted) = options.kinds.get(&name) {
                kind = forced(&name, kind, wanted)?;
            }
            if source == Kind::Float {
                batches.notes.push(format!(
                    "column {name:?}: 32-bit floats read through their shortest decimal spelling (0.1f32 is 0.1, as a CSV would hold it)"
                ));
            }
            batches.plans.push(Plan { name, source, kind });
        }
        for name in options.kinds.keys() {
            if !batches.plans.iter().any(|p| &p.name == name) {
                return Err(TableError::UnknownColumn {
                    column: name.clone(),
                    available: batches
                        .plans
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        batches.schema = Arc::new(schema);
        Ok(batches)
    }

    /// Reads the column `name` as `kind` from the next batch on (as [`ReadOptions::kinds`]
    /// does): a numeric or boolean column may be read as categorical. A name that is not
    /// in the file is ignored.
    pub fn read_as(&mut self, name: &str, kind: ColumnKind) -> Result<(), TableError> {
        if let Some(plan) = self.plans.iter_mut().find(|p| p.name == name) {
            plan.kind = forced(name, plan.source.natural(), kind)?;
        }
        Ok(())
    }

    /// The column names, in the file's order.
    pub fn column_names(&self) -> Vec<&str> {
        self.plans.iter().map(|p| p.name.as_str()).collect()
    }

    /// Rows read so far.
    pub fn rows_read(&self) -> usize {
        self.rows_read
    }

    /// Bytes of the file read so far (a measure of progress).
    pub fn bytes_read(&self) -> usize {
        self.source.position()
    }

    /// The next batch of at most [`BATCH_ROWS`] rows as a table, or `None` at the end.
    pub fn next_table(&mut self) -> Result<Option<Table>, TableError> {
        let mut builders: Vec<Builder> = self.plans.iter().map(|p| Builder::of(p.kind)).collect();
        if self.next_into(&mut builders, BATCH_ROWS)? == 0 {
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

    /// Reads at most `most` rows (of one record batch) into `builders`; returns the rows
    /// read (0 at the end).
    fn next_into(&mut self, builders: &mut [Builder], most: usize) -> Result<usize, TableError> {
        loop {
            if let Some((batch, at)) = &mut self.current {
                if *at < batch.num_rows() {
                    let n = (batch.num_rows() - *at).min(most);
                    let part = batch.slice(*at, n);
                    *at += n;
                    for ((plan, builder), column) in self
                        .plans
                        .iter()
                        .zip(builders.iter_mut())
                        .zip(part.columns())
                    {
                        push_column(column.as_ref(), plan, builder)
                            .map_err(|e| corrupt(&format!("column {:?}", plan.name), e))?;
                    }
                    return Ok(n);
                }
                self.current = None;
            }
            match self.next_batch()? {
                Some(batch) => self.current = Some((batch, 0)),
                None => return Ok(0),
            }
        }
    }

    /// The next record batch, reading (and keeping) dictionaries on the way.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, TableError> {
        loop {
            let Some((metadata, at)) = self.next_message()? else {
                return Ok(None);
            };
            let n = self.messages;
            let where_ = format!("message {n} (byte {at})");
            let message = parse(&metadata, n)?;
            let body_len = usize::try_from(message.bodyLength()).map_err(|_| {
                corrupt(
                    &where_,
                    format!("it declares a body of {} bytes", message.bodyLength()),
                )
            })?;
            match message.header_type() {
                MessageHeader::RecordBatch => {
                    let Some(batch) = message.header_as_record_batch() else {
                        return Err(corrupt(&where_, "its record batch cannot be read"));
                    };
                    let rows = usize::try_from(batch.length()).map_err(|_| {
                        corrupt(&where_, format!("it declares {} rows", batch.length()))
                    })?;
                    if rows > self.limits.max_rows.saturating_sub(self.rows_read) {
                        return Err(TableError::TooManyRows {
                            limit: self.limits.max_rows,
                        });
                    }
                    check_codec(batch.compression().map(|c| c.codec()), &where_)?;
                    let body = self.source.take(body_len, &format!("{where_}'s body"))?;
                    let decoded = guarded(|| {
                        arrow_ipc::reader::read_record_batch(
                            &body,
                            batch,
                            self.schema.clone(),
                            &self.dictionaries,
                            None,
                            &self.version,
                        )
                    })
                    .map_err(|e| corrupt(&where_, e))?;
                    if decoded.num_rows() != rows {
                        return Err(corrupt(&where_, "its columns and its row count disagree"));
                    }
                    self.rows_read += rows;
                    return Ok(Some(decoded));
                }
                MessageHeader::DictionaryBatch => {
                    let Some(batch) = message.header_as_dictionary_batch() else {
                        return Err(corrupt(&where_, "its dictionary cannot be read"));
                    };
                    if let Some(data) = batch.data() {
                        let rows = usize::try_from(data.length()).unwrap_or(usize::MAX);
                        if rows > self.limits.max_rows {
                            return Err(corrupt(
                                &where_,
                                format!("a dictionary declares {} values", data.length()),
                            ));
                        }
                        check_codec(data.compression().map(|c| c.codec()), &where_)?;
                    }
                    let body = self.source.take(body_len, &format!("{where_}'s body"))?;
                    let schema = self.schema.clone();
                    let version = self.version;
                    let dictionaries = &mut self.dictionaries;
                    guarded(|| {
                        arrow_ipc::reader::read_dictionary(
                            &body,
                            batch,
                            &schema,
                            dictionaries,
                            &version,
                        )
                    })
                    .map_err(|e| corrupt(&where_, e))?;
                }
                other => {
                    return Err(corrupt(
                        &where_,
                        format!(
                        "a {other:?} message where record batches or dictionaries were expected"
                    ),
                    ))
                }
            }
        }
    }

    /// The metadata of the next message and the byte it starts at, or `None` at the end of
    /// the stream (its end marker, the end of the bytes, or the file format's footer).
    fn next_message(&mut self) -> Result<Option<(Buffer, usize)>, TableError> {
        if self.ended || self.source.left() == 0 {
            self.ended = true;
            return Ok(None);
        }
        let at = self.source.position();
        let mut word = self.source.take_array::<4>("a message's length")?;
        if word == CONTINUATION {
            word = self.source.take_array::<4>("a message's length")?;
        }
        let len = i32::from_le_bytes(word);
        if len == 0 {
            self.ended = true;
            return Ok(None);
        }
        let where_ = format!("message {} (byte {at})", self.messages + 1);
        let len = usize::try_from(len)
            .map_err(|_| corrupt(&where_, format!("its metadata length is {len}")))?;
        if len > MAX_METADATA_BYTES {
            return Err(corrupt(
                &where_,
                format!(
                    "its metadata declares {len} bytes, more than the {MAX_METADATA_BYTES} this reader takes"
                ),
            ));
        }
        let metadata = self.source.take(len, &format!("{where_}'s metadata"))?;
        self.messages += 1;
        Ok(Some((metadata, at)))
    }
}

/// The message in `metadata` (a verified flatbuffer).
fn parse(metadata: &Buffer, n: usize) -> Result<arrow_ipc::Message<'_>, TableError> {
    arrow_ipc::root_as_message(metadata.as_slice()).map_err(|e| {
        corrupt(
            &format!("message {n}"),
            format!("its metadata is not a valid Arrow message ({e})"),
        )
    })
}

/// Refuses the codecs this build does not read, naming the codec and the fix.
fn check_codec(codec: Option<CompressionType>, at: &str) -> Result<(), TableError> {
    match codec {
        None | Some(CompressionType::LZ4_FRAME) => Ok(()),
        Some(c) => Err(TableError::ArrowUnsupported {
            at: at.to_owned(),
            what: format!(
                "{} compression",
                c.variant_name().unwrap_or("an unknown").to_lowercase()
            ),
            fix: "re-write the file with compression='lz4' or none (pyarrow: pa.ipc.IpcWriteOptions(compression='lz4'); pandas: df.to_feather(path, compression='lz4'))".to_owned(),
        }),
    }
}

/// The kind a column of `natural` kind is read as when `wanted` is asked for.
fn forced(name: &str, natural: ColumnKind, wanted: ColumnKind) -> Result<ColumnKind, TableError> {
    if wanted == natural || wanted == ColumnKind::Categorical {
        return Ok(wanted);
    }
    Err(TableError::ArrowUnsupported {
        at: format!("column {name:?}"),
        what: format!("reading a {natural} column as {wanted}"),
        fix: "write the column with the type wanted, or read it as categorical".to_owned(),
    })
}

/// Runs the crate's decoder; natively a panic in it (none is known) becomes an error, as
/// the Parquet reader does.
fn guarded<T>(f: impl FnOnce() -> Result<T, arrow_schema::ArrowError>) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("the Arrow reader stopped on malformed data".to_owned()),
    }
}

/// Appends the cells of `array` (of the plan's type, as the schema says) to `builder`.
fn push_column(array: &dyn Array, plan: &Plan, builder: &mut Builder) -> Result<(), String> {
    let n = array.len();
    macro_rules! each {
        ($values:expr, $push:expr) => {{
            let values = $values;
            for i in 0..n {
                if values.is_null(i) {
                    builder.push_missing();
                } else {
                    ($push)(builder, values.value(i));
                }
            }
        }};
    }
    match (plan.source, array.data_type()) {
        (Kind::Null, _) => (0..n).for_each(|_| builder.push_missing()),
        (Kind::Bool, _) => each!(array.as_boolean(), |b: &mut Builder, v| b.push_bool(v)),
        (Kind::Int, DataType::Int8) => each!(array.as_primitive::<Int8Type>(), int),
        (Kind::Int, DataType::Int16) => each!(array.as_primitive::<Int16Type>(), int),
        (Kind::Int, DataType::Int32) => each!(array.as_primitive::<Int32Type>(), int),
        (Kind::Int, DataType::Int64) => each!(array.as_primitive::<Int64Type>(), int),
        (Kind::Int, DataType::UInt8) => each!(array.as_primitive::<UInt8Type>(), int),
        (Kind::Int, DataType::UInt16) => each!(array.as_primitive::<UInt16Type>(), int),
        (Kind::Int, DataType::UInt32) => each!(array.as_primitive::<UInt32Type>(), int),
        (Kind::Int, DataType::UInt64) => each!(array.as_primitive::<UInt64Type>(), int),
        (Kind::Float, _) => each!(array.as_primitive::<Float32Type>(), |b: &mut Builder, v| {
            b.push_number(widen(v))
        }),
        (Kind::Double, _) => each!(array.as_primitive::<Float64Type>(), |b: &mut Builder, v| {
            b.push_number(v)
        }),
        (Kind::Decimal(s), DataType::Decimal32(..)) => {
            each!(
                array.as_primitive::<Decimal32Type>(),
                |b: &mut Builder, v: i32| { b.push_number(decimal(v.into(), s.into())) }
            )
        }
        (Kind::Decimal(s), DataType::Decimal64(..)) => {
            each!(
                array.as_primitive::<Decimal64Type>(),
                |b: &mut Builder, v: i64| { b.push_number(decimal(v.into(), s.into())) }
            )
        }
        (Kind::Decimal(s), _) => {
            each!(
                array.as_primitive::<Decimal128Type>(),
                |b: &mut Builder, v| { b.push_number(decimal(v, s.into())) }
            )
        }
        (Kind::Date, DataType::Date32) => {
            each!(array.as_primitive::<Date32Type>(), |b: &mut Builder, v| {
                b.push_text(&date(v))
            })
        }
        (Kind::Date, _) => each!(
            array.as_primitive::<Date64Type>(),
            |b: &mut Builder, v: i64| {
                match i32::try_from(v.div_euclid(86_400_000)) {
                    Ok(days) => b.push_text(&date(days)),
                    Err(_) => b.push_missing(),
                }
            }
        ),
        (Kind::Text, DataType::Dictionary(..)) => {
            let dict = array.as_any_dictionary();
            let values = dict.values();
            let keys = dict.keys();
            if values.is_empty() {
                (0..n).for_each(|_| builder.push_missing());
                return Ok(());
            }
            let normalized = dict.normalized_keys();
            let mut texts = Vec::with_capacity(values.len());
            strings(values.as_ref(), &mut |s| texts.push(s.map(str::to_owned)))?;
            for (i, k) in normalized.into_iter().enumerate() {
                match texts.get(k) {
                    Some(Some(s)) if !keys.is_null(i) => builder.push_text(s),
                    _ => builder.push_missing(),
                }
            }
        }
        (Kind::Text, _) => strings(array, &mut |s| match s {
            Some(s) => builder.push_text(s),
            None => builder.push_missing(),
        })?,
        (kind, t) => return Err(format!("a {t} array where the schema says {kind:?}")),
    }
    Ok(())
}

fn int(b: &mut Builder, v: impl Into<i128>) {
    b.push_int(v.into());
}

/// Calls `f` with every cell of a string array (`None` for a null).
fn strings(array: &dyn Array, f: &mut dyn FnMut(Option<&str>)) -> Result<(), String> {
    macro_rules! walk {
        ($values:expr) => {{
            let values = $values;
            for i in 0..values.len() {
                f((!values.is_null(i)).then(|| values.value(i)));
            }
        }};
    }
    match array.data_type() {
        DataType::Utf8 => walk!(array.as_string::<i32>()),
        DataType::LargeUtf8 => walk!(array.as_string::<i64>()),
        DataType::Utf8View => walk!(array.as_string_view()),
        t => return Err(format!("dictionary values of type {t}, not strings")),
    }
    Ok(())
}

fn corrupt(at: &str, message: impl std::fmt::Display) -> TableError {
    TableError::ArrowCorrupt {
        at: at.to_owned(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_is_not_taken_for_arrow() {
        assert!(is_arrow(b"ARROW1\0\0"));
        assert!(is_arrow(&[0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0]));
        assert!(!is_arrow(b"a,b\n1,2\n"));
        for bytes in [
            &b"ARROW1\0\0"[..],
            b"ARROW1\0\0ARROW1",
            &[0xff; 4],
            &[0xff; 7],
        ] {
            assert!(
                matches!(
                    read_arrow(bytes.to_vec(), &ReadOptions::default()),
                    Err(TableError::ArrowCorrupt { .. } | TableError::Empty)
                ),
                "{bytes:?}"
            );
        }
    }
}
