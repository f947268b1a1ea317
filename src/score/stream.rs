//! Scoring a CSV stream in constant memory: records are read in chunks, each chunk is
//! parsed, transformed and scored like a whole table, and the predictions are written
//! out before the next chunk is read. Errors name the row and line of the original file.
//!
//! With the `parquet` feature the input may be a Parquet file ([`score_stream`] with
//! [`ScoreInput::Parquet`], read [`crate::table::BATCH_ROWS`] rows at a time) and the output
//! a Parquet file ([`ScoreOutput::Parquet`], one row group per chunk: `prediction` as a
//! string for classifiers and a double otherwise, `p_<class>` as doubles), in any of the
//! four combinations, each in constant memory.

use crate::artifact::{Artifact, ArtifactError, Scored};
use crate::prep::PrepError;
use crate::score::Task;
use crate::table::{read_csv, ColumnKind, ReadOptions, TableError};
use std::io::{Read, Write};

/// Rows scored per chunk.
pub const CHUNK_ROWS: usize = 20_000;

/// What went wrong scoring a stream.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The input could not be read as a table.
    #[error(transparent)]
    Table(#[from] TableError),
    /// A row could not be scored.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

impl From<csv::Error> for StreamError {
    fn from(e: csv::Error) -> Self {
        if e.is_io_error() {
            return StreamError::Io(e.to_string());
        }
        let line = e.position().map_or(0, |p| p.line());
        StreamError::Table(TableError::Malformed {
            line,
            message: e.to_string(),
        })
    }
}

impl From<std::io::Error> for StreamError {
    fn from(e: std::io::Error) -> Self {
        StreamError::Io(e.to_string())
    }
}

/// The output header: `prediction`, then `p_<class>` per class for classifiers.
pub fn output_header(artifact: &Artifact) -> Vec<String> {
    let mut header = vec!["prediction".to_owned()];
    if artifact.model.task() == Task::Classification {
        header.extend(artifact.classes.iter().map(|c| format!("p_{c}")));
    }
    header
}

/// Scores the CSV in `input` with `artifact` and writes one output row per input row to
/// `output` (see [`output_header`]; numbers in their shortest round-trip form, so they
/// parse back to the same bits). `progress(bytes_read, rows_scored)` is called after each
/// chunk. Returns the number of rows scored.
pub fn score_csv<R: Read, W: Write>(
    artifact: &Artifact,
    input: R,
    output: W,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, StreamError> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(output_header(artifact))?;
    let rows = score_csv_into(artifact, input, &mut CsvSink(&mut writer), progress)?;
    writer.flush()?;
    Ok(rows)
}

/// Where scored rows go: a CSV writer or (with the `parquet` feature) a Parquet writer.
trait Sink {
    fn rows(&mut self, artifact: &Artifact, scored: &[Scored]) -> Result<(), StreamError>;
}

struct CsvSink<'a, W: Write>(&'a mut csv::Writer<W>);

impl<W: Write> Sink for CsvSink<'_, W> {
    fn rows(&mut self, artifact: &Artifact, scored: &[Scored]) -> Result<(), StreamError> {
        let mut out = Vec::with_capacity(1 + artifact.classes.len());
        for s in scored {
            out.clear();
            out.push(match &s.label {
                Some(label) => label.clone(),
                None => format!("{}", s.prediction.value),
            });
            out.extend(s.prediction.probabilities.iter().map(|p| format!("{p}")));
            self.0.write_record(&out)?;
        }
        Ok(())
    }
}

fn score_csv_into<R: Read>(
    artifact: &Artifact,
    input: R,
    sink: &mut dyn Sink,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, StreamError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut header = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut header)? {
        return Err(TableError::Empty.into());
    }
    // categorical inputs stay text in every chunk, even when a chunk holds only numbers
    let mut options = ReadOptions::default();
    for input in &artifact.pipeline.inputs {
        if input.kind == ColumnKind::Categorical
            && header.iter().any(|h| h == input.name.as_bytes())
        {
            options
                .kinds
                .insert(input.name.clone(), ColumnKind::Categorical);
        }
    }
    let mut record = csv::ByteRecord::new();
    let mut rows_done = 0u64;
    loop {
        let mut chunk = csv::Writer::from_writer(Vec::new());
        chunk.write_byte_record(&header)?;
        let (mut n, mut first_line) = (0usize, 0u64);
        while n < CHUNK_ROWS && reader.read_byte_record(&mut record)? {
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != header.len() {
                return Err(TableError::Ragged {
                    line,
                    row: rows_done as usize + n + 1,
                    found: record.len(),
                    expected: header.len(),
                }
                .into());
            }
            if n == 0 {
                first_line = line;
            }
            chunk.write_byte_record(&record)?;
            n += 1;
        }
        if n == 0 {
            break;
        }
        let bytes = chunk
            .into_inner()
            .map_err(|e| StreamError::Io(e.to_string()))?;
        // rows and lines inside the chunk are shifted back to the file's
        let (row_shift, line_shift) = (rows_done as usize, first_line.saturating_sub(2));
        let table = read_csv(&bytes, &options)
            .map_err(|e| e.shifted(row_shift, line_shift))?
            .table;
        let scored = artifact.score_table(&table).map_err(|e| match e {
            ArtifactError::Prep(p) => ArtifactError::Prep(p.shifted(row_shift)),
            other => other,
        })?;
        sink.rows(artifact, &scored)?;
        rows_done += n as u64;
        progress(reader.position().byte(), rows_done);
    }
    if rows_done == 0 {
        return Err(TableError::NoRows {
            columns: header.len(),
        }
        .into());
    }
    Ok(rows_done)
}

impl TableError {
    /// The same error with its data row and file line moved by `rows` and `lines` (for a
    /// chunk read out of a larger file).
    pub fn shifted(self, rows: usize, lines: u64) -> TableError {
        use TableError::*;
        match self {
            Ragged {
                line,
                row,
                found,
                expected,
            } => Ragged {
                line: line + lines,
                row: row + rows,
                found,
                expected,
            },
            InvalidUtf8 { line, row, column } => InvalidUtf8 {
                line: line + lines,
                row: row + rows,
                column,
            },
            NotANumber {
                line,
                row,
                column,
                value,
            } => NotANumber {
                line: line + lines,
                row: row + rows,
                column,
                value,
            },
            NotABoolean {
                line,
                row,
                column,
                value,
            } => NotABoolean {
                line: line + lines,
                row: row + rows,
                column,
                value,
            },
            CellTooLarge {
                line,
                row,
                column,
                limit,
            } => CellTooLarge {
                line: line + lines,
                row: row + rows,
                column,
                limit,
            },
            Malformed { line, message } => Malformed {
                line: line + lines,
                message,
            },
            other => other,
        }
    }
}

impl PrepError {
    /// The same error with its row moved by `rows`.
    pub fn shifted(self, rows: usize) -> PrepError {
        match self {
            PrepError::BadCell {
                row,
                column,
                value,
                expected,
            } => PrepError::BadCell {
                row: row + rows,
                column,
                value,
                expected,
            },
            PrepError::UnseenCategory { row, column, value } => PrepError::UnseenCategory {
                row: row + rows,
                column,
                value,
            },
            other => other,
        }
    }
}

/// The input of [`score_stream`].
#[cfg(feature = "parquet")]
pub enum ScoreInput<R: Read> {
    /// CSV, read as a stream.
    Csv(R),
    /// A Parquet file, opened (see [`crate::table::ParquetBatches`]).
    Parquet(crate::table::ParquetBatches),
    /// An Arrow IPC file or stream, opened (see [`crate::table::ArrowBatches`]).
    #[cfg(feature = "arrow")]
    Arrow(crate::table::ArrowBatches),
}

/// A columnar file read a batch of rows at a time (Parquet, Arrow).
#[cfg(feature = "parquet")]
trait Batches {
    fn read_as(&mut self, name: &str, kind: ColumnKind) -> Result<(), TableError>;
    fn next_table(&mut self) -> Result<Option<crate::table::Table>, TableError>;
    fn bytes_read(&self) -> usize;
}

#[cfg(feature = "parquet")]
impl Batches for crate::table::ParquetBatches {
    fn read_as(&mut self, name: &str, kind: ColumnKind) -> Result<(), TableError> {
        crate::table::ParquetBatches::read_as(self, name, kind)
    }
    fn next_table(&mut self) -> Result<Option<crate::table::Table>, TableError> {
        crate::table::ParquetBatches::next_table(self)
    }
    fn bytes_read(&self) -> usize {
        crate::table::ParquetBatches::bytes_read(self)
    }
}

#[cfg(feature = "arrow")]
impl Batches for crate::table::ArrowBatches {
    fn read_as(&mut self, name: &str, kind: ColumnKind) -> Result<(), TableError> {
        crate::table::ArrowBatches::read_as(self, name, kind)
    }
    fn next_table(&mut self) -> Result<Option<crate::table::Table>, TableError> {
        crate::table::ArrowBatches::next_table(self)
    }
    fn bytes_read(&self) -> usize {
        crate::table::ArrowBatches::bytes_read(self)
    }
}

/// The format [`score_stream`] writes.
#[cfg(feature = "parquet")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreOutput {
    /// CSV, as [`score_csv`] writes it.
    Csv,
    /// Parquet, one row group per chunk of input.
    Parquet,
}

/// Scores `input` (CSV, Parquet or Arrow) and writes the scores to `output` in `format`; as
/// [`score_csv`] otherwise (the same rows, the same numbers, the same errors). With
/// Parquet input, `progress` gets the compressed bytes of the row groups opened so far;
/// with Arrow input, the bytes of the file read so far.
#[cfg(feature = "parquet")]
pub fn score_stream<R: Read, W: Write + Send>(
    artifact: &Artifact,
    input: ScoreInput<R>,
    output: W,
    format: ScoreOutput,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, StreamError> {
    match format {
        ScoreOutput::Csv => {
            let mut writer = csv::Writer::from_writer(output);
            writer.write_record(output_header(artifact))?;
            let rows = score_input(artifact, input, &mut CsvSink(&mut writer), progress)?;
            writer.flush()?;
            Ok(rows)
        }
        ScoreOutput::Parquet => {
            let mut sink = ParquetSink::new(artifact, output)?;
            let rows = score_input(artifact, input, &mut sink, progress)?;
            sink.writer.finish()?.flush()?;
            Ok(rows)
        }
    }
}

#[cfg(feature = "parquet")]
fn score_input<R: Read>(
    artifact: &Artifact,
    input: ScoreInput<R>,
    sink: &mut dyn Sink,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, StreamError> {
    let mut parquet;
    #[cfg(feature = "arrow")]
    let mut arrow;
    let batches: &mut dyn Batches = match input {
        ScoreInput::Csv(r) => return score_csv_into(artifact, r, sink, progress),
        ScoreInput::Parquet(b) => {
            parquet = b;
            &mut parquet
        }
        #[cfg(feature = "arrow")]
        ScoreInput::Arrow(b) => {
            arrow = b;
            &mut arrow
        }
    };
    // categorical inputs stay text, as with CSV (a column of codes written as integers)
    for input in &artifact.pipeline.inputs {
        if input.kind == ColumnKind::Categorical {
            batches.read_as(&input.name, ColumnKind::Categorical)?;
        }
    }
    let mut rows_done = 0u64;
    while let Some(table) = batches.next_table()? {
        let scored = artifact.score_table(&table).map_err(|e| match e {
            ArtifactError::Prep(p) => ArtifactError::Prep(p.shifted(rows_done as usize)),
            other => other,
        })?;
        sink.rows(artifact, &scored)?;
        rows_done += table.rows() as u64;
        progress(batches.bytes_read() as u64, rows_done);
    }
    Ok(rows_done)
}

#[cfg(feature = "parquet")]
struct ParquetSink<W: Write + Send> {
    writer: crate::table::ParquetWriter<W>,
    header: Vec<String>,
    classification: bool,
}

#[cfg(feature = "parquet")]
impl<W: Write + Send> ParquetSink<W> {
    fn new(artifact: &Artifact, output: W) -> Result<Self, StreamError> {
        let header = output_header(artifact);
        let classification = artifact.model.task() == Task::Classification;
        let columns: Vec<(String, ColumnKind)> = header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let kind = if i == 0 && classification {
                    ColumnKind::Categorical
                } else {
                    ColumnKind::Numeric
                };
                (name.clone(), kind)
            })
            .collect();
        Ok(ParquetSink {
            writer: crate::table::ParquetWriter::new(output, &columns)?,
            header,
            classification,
        })
    }
}

#[cfg(feature = "parquet")]
impl<W: Write + Send> Sink for ParquetSink<W> {
    fn rows(&mut self, _artifact: &Artifact, scored: &[Scored]) -> Result<(), StreamError> {
        use crate::table::{Column, Table};
        let mut columns = Vec::with_capacity(self.header.len());
        columns.push(if self.classification {
            let labels: Vec<Option<&str>> = scored.iter().map(|s| s.label.as_deref()).collect();
            Column::categorical(self.header[0].clone(), &labels)
        } else {
            Column::numeric(
                self.header[0].clone(),
                scored.iter().map(|s| s.prediction.value).collect(),
            )
        });
        for (k, name) in self.header.iter().enumerate().skip(1) {
            columns.push(Column::numeric(
                name.clone(),
                scored
                    .iter()
                    .map(|s| {
                        s.prediction
                            .probabilities
                            .get(k - 1)
                            .copied()
                            .unwrap_or(f64::NAN)
                    })
                    .collect(),
            ));
        }
        self.writer.write(&Table::new(columns)?)?;
        Ok(())
    }
}
