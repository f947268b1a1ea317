//! Batch scoring of an uploaded CSV by the champion, a chunk at a time.
//!
//! Each chunk is the file's header plus the next rows, scored by
//! [`crate::score::score_csv`] (the CLI's scorer): the chunks put together are exactly
//! the CLI's output for the whole file. Rows and lines in a chunk's errors are moved back
//! to the file's, so an error names the row and the line a person finds in their file.

use serde::Serialize;

use super::{DeployError, Meter};
use crate::artifact::{Artifact, ArtifactError};
use crate::score::StreamError;

/// How far a batch job has come.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct BatchProgress {
    /// The version scoring (the champion when the job started).
    pub version: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// Rows scored so far.
    pub rows_done: u64,
    /// Bytes of the file read so far.
    pub bytes_done: usize,
    /// The file's size.
    pub bytes_total: usize,
    /// Milliseconds spent scoring (the reading and copying between chunks left out).
    pub scoring_ms: f64,
    /// Every row is scored.
    pub done: bool,
}

/// An uploaded CSV being scored by the champion, a chunk per call.
#[derive(Debug)]
pub struct BatchJob {
    version: String,
    artifact: Artifact,
    file_name: String,
    input: Vec<u8>,
    /// The header line, terminator included.
    header: Vec<u8>,
    /// The byte where the next chunk starts.
    offset: usize,
    rows_done: u64,
    output: Vec<u8>,
    scoring_ms: f64,
}

impl BatchJob {
    /// A job for `bytes` (a CSV file with a header), scored by `artifact` (version `version`).
    pub fn new(
        version: String,
        artifact: Artifact,
        bytes: Vec<u8>,
        file_name: &str,
    ) -> Result<BatchJob, DeployError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
        let mut header = csv::ByteRecord::new();
        let has_header = reader
            .read_byte_record(&mut header)
            .map_err(|e| csv_error(file_name, &e))?;
        if !has_header {
            return Err(DeployError::EmptyFile(file_name.to_owned()));
        }
        let end = reader.position().byte() as usize;
        Ok(BatchJob {
            version,
            artifact,
            file_name: file_name.to_owned(),
            header: bytes[..end].to_vec(),
            input: bytes,
            offset: end,
            rows_done: 0,
            output: Vec::new(),
            scoring_ms: 0.0,
        })
    }

    /// The job's progress (`done` as the caller knows it).
    pub fn progress(&self, done: bool) -> BatchProgress {
        BatchProgress {
            version: self.version.clone(),
            file_name: self.file_name.clone(),
            rows_done: self.rows_done,
            bytes_done: self.offset,
            bytes_total: self.input.len(),
            scoring_ms: self.scoring_ms,
            done,
        }
    }

    /// Rows scored so far.
    pub fn rows_done(&self) -> u64 {
        self.rows_done
    }

    /// Every row is scored (and there was at least one).
    pub fn finished(&self) -> bool {
        self.offset >= self.input.len() && self.rows_done > 0
    }

    /// The scored CSV.
    pub fn into_output(self) -> Result<String, DeployError> {
        String::from_utf8(self.output).map_err(|e| DeployError::Text(e.to_string()))
    }

    /// Scores up to `max_rows` more rows, timing the scorer on `meter`; returns true when
    /// the file is finished.
    pub fn next(&mut self, max_rows: usize, meter: &mut dyn Meter) -> Result<bool, DeployError> {
        let rest = &self.input[self.offset..];
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(rest);
        let mut record = csv::ByteRecord::new();
        let mut n = 0;
        while n < max_rows
            && reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(&self.file_name, &e))?
        {
            n += 1;
        }
        let end = reader.position().byte() as usize;
        if n == 0 {
            if self.rows_done == 0 {
                return Err(DeployError::HeaderOnly(self.file_name.clone()));
            }
            return Ok(true);
        }
        let mut chunk = Vec::with_capacity(self.header.len() + end);
        chunk.extend_from_slice(&self.header);
        chunk.extend_from_slice(&rest[..end]);
        // rows and lines of errors inside the chunk are moved back to the file's
        let rows_before = self.rows_done as usize;
        let lines_before = self.input[..self.offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        let mut out = Vec::new();
        let t0 = meter.now_ms();
        crate::score::score_csv(&self.artifact, chunk.as_slice(), &mut out, &mut |_, _| {})
            .map_err(|e| match e {
                StreamError::Table(t) => {
                    DeployError::Table(t.shifted(rows_before, lines_before.saturating_sub(1)))
                }
                StreamError::Artifact(ArtifactError::Prep(p)) => {
                    DeployError::Artifact(ArtifactError::Prep(p.shifted(rows_before)))
                }
                other => DeployError::Stream(other),
            })?;
        self.scoring_ms += meter.now_ms() - t0;
        // every chunk's output starts with the header; keep the first one only
        let body = if self.rows_done == 0 {
            &out[..]
        } else {
            let cut = out
                .iter()
                .position(|&b| b == b'\n')
                .map_or(out.len(), |i| i + 1);
            &out[cut..]
        };
        self.output.extend_from_slice(body);
        self.rows_done += n as u64;
        self.offset += end;
        Ok(self.offset >= self.input.len())
    }
}

fn csv_error(file: &str, e: &csv::Error) -> DeployError {
    DeployError::Csv {
        file: file.to_owned(),
        message: e.to_string(),
    }
}
