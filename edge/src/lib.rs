//! The driftlab edge scorer: the core built with training off, behind a small C-style
//! WebAssembly ABI with no imports, so that any host (a Workers isolate, Node, a browser)
//! can instantiate it with an empty import object.
//!
//! A [`Scorer`] is built once from an artifact's bytes ([`Scorer::from_bytes`] checks the
//! format, the version, the content hash and the shapes, like
//! `driftlab::artifact::Artifact::from_bytes`, but reads only what scoring needs: the
//! fitted pipeline, the model and the class labels). It then scores JSON rows, or tables
//! of text cells (a CSV body, split into cells by the host): each row goes through the fitted pipeline (the drift guard: missing values,
//! values outside the training range and unseen categories are flagged per row) and the
//! model.
//!
//! The Wasm protocol is bytes in, JSON bytes out:
//! 1. `dl_alloc(len)` returns a buffer in Wasm memory; the host writes bytes there.
//! 2. `dl_load(ptr, len)` loads the artifact once per isolate and keeps it.
//! 3. `dl_score_json(ptr, len, max_rows)` takes `{"rows": [{"col": value, ...}, ...]}`,
//!    `dl_score_table(ptr, len, max_rows)` `{"columns": [...], "rows": [["text", ...]]}`
//!    (a CSV body as `worker.js` splits it); the answer is in the
//!    output buffer (`dl_output_ptr`, `dl_output_len`): `{"model": {...}, "predictions":
//!    [{"prediction", "probabilities", "warnings"}, ...]}` or `{"error", "row", "column"}`.
//! 4. `dl_free(ptr, len)` releases an input buffer.
//! 5. Monitoring (optional): `dl_monitor_start(ptr, len)` with the isolate's id turns it on;
//!    from then on every answered row carries an `id` and is summarised (`watch.rs`);
//!    `dl_record(status, micros)` counts each request; `dl_delta()` writes the summaries
//!    since the last delta (`driftlab::monitor::edge::Delta`) for the Durable Object.
//!
//! In Wasm the heap is an arena (see `arena.rs`): `dl_alloc` starts a new request and
//! reclaims everything the previous one allocated, so a host makes one request at a time
//! (alloc, write, score, read the output) without awaiting in between.
//!
//! Every call returns 0 on success, otherwise the HTTP status that fits the error (400 for
//! bad input, 413 for too many rows, 422 for an artifact that cannot be loaded, 500 when
//! no artifact is loaded). Nothing the host sends can panic the module. Row indices in
//! errors are 0-based positions in `rows` (JSON) or among the data records (CSV).
//!
//! # Size: where the bytes go
//! The budget of issues #15/#16 is 64,000 B gzip -9. The scorer was 77,541 B (156,790 B
//! raw; `make wasm`, opt-level z then wasm-opt -O3), 63,237 B after the first two rows
//! below, 64,279 B (139,834 B raw) once soft-voting forests (+227 B alone), learned missing
//! sides (+322 B alone) and the multinomial class sums (+66 B alone) were beside it — 279 B
//! over (64,277 B in the notes of then) — and is **57,271 B** (126,115 B raw) after the
//! last three:
//!
//! | change | gzip -9 |
//! | --- | --- |
//! | every number read by `driftlab::decimal::parse_f64` instead of `str::parse::<f64>` (JSON numbers, CSV cells here, a number sent as text to a numeric input in the core's pipeline): core's table of 128-bit powers of five (10,416 B raw) and Eisel-Lemire's code out, a 3.6 KB parser in | 77,541 → 64,753 |
//! | a row's error written by `PrepError::row_sentence` rather than `Display`, which linked every sentence of the CSV reader (`TableError`) and of fitting; the JSON reader's whole numbers (`as_u64`, `as_i64`) by its own digit loop rather than core's two generic integer parsers (0.9 KB raw) | 64,753 → 63,237 |
//! | the monitoring sketch's bound by `prep::sin::sin_as_libm` rather than `libm::sin`: the same bits for its arguments (within ±π/2), without libm's reduction of huge arguments (Payne–Hanek, its table of 2/π, `floor`, `scalbn`: 3.7 KB of the optimised module) | 64,279 → 62,474 |
//! | names and values in sentences quoted by `prep::Quoted` rather than `{:?}` (here, in `model.rs` and in the pipeline's warnings and row errors), and `prep::Num` written without `str` slicing: with no `{:?}` of a `str` and no `str` slicing that may fail left, core's escaping (`escape_debug_ext`), its Unicode printability and grapheme tables, `str`'s slicing error (which prints a `char` and a range with `{:?}`) and their `Debug` code leave (9.2 KB of the optimised module) | 62,474 → 57,479 |
//! | the pipeline's list of input columns by a loop rather than `join` | 57,479 → 57,271 |
//! | then scikit-learn's SVC imported from ONNX scored here too (libsvm's one-vs-one machines in `f32` and their pairwise coupling, `driftlab::models::svm::OneVsOne`) | 57,271 → 59,510 |
//! | then the steps an ONNX import makes (issue 17): a numeric column's `binarize` threshold, the `ordinal` step and the pipeline's row norm, read here and scored by the core's transform (code +831 B, data +165 B gzipped alone); the one-hot and ordinal steps share one lookup (−176 B), and one name picker (`model::pick`) reads every closed list of names (−12 B); a loop for the three norms (+62 B) and a `dyn Display` for the warning (+72 B) were tried and left out | 60,011 → 61,079 (over the ≤ 500 B growth asked) |
//!
//! How they were found: the cargo build keeps the name section (the edge profile does not
//! strip it), so a function's size by name is read from it, and who calls it from
//! `wasm-dis`'s text; `{:?}` was kept linked by a single use anywhere (the unit is the
//! cluster, not the call site: removing it from the scorer's own messages alone saved 19 B).
//!
//! The two sections, each gzipped alone (zlib level 9), before → after the parser: code
//! 55,233 → 53,435 B (123,674 → 119,144 raw), data 21,684 → 9,209 B (32,243 → 17,836 raw).
//! What the code was, by part (raw bytes of the named build before wasm-opt, measured on the
//! 79 KB build): the scorer's own sessions and ABI (18 %), the model families' scoring
//! (13 %), formatting and panic messages (`core::fmt`, `Debug` of `str` for the quoted
//! column names in messages, Unicode printability: 12 %, since cut to `core::fmt`'s
//! `Display` alone), `Vec`/`String`/`BTreeMap` instances (12 %), slices, iterators and
//! `str` (11 %), sorting (radsort, the sketches' stable sort, the trees': 8 %), the
//! monitoring sketches (7 %), libm (`sin` with its large-argument reduction, since cut;
//! `pow` for the SVM's polynomial kernel, `tanh`, `asin`: 6 %), the JSON reader and writer
//! (6 %), the preprocessing (3 %), float printing (zmij, 1 %). What is left that could go,
//! and why it stays: `libm::pow` (2.2 KB raw; the SVM's polynomial kernel needs its bits
//! for any degree), libm's software `sqrt` (0.5 KB raw, through `pow` and `asin`: libm
//! uses Wasm's `f64.sqrt` only on nightly), six instances of core's sorts (9 KB raw; the
//! sketches' and the trees' orders), `Formatter::pad`'s character counting (0.9 KB raw:
//! `Display` of any `str` links it). Tried and left out: a 128-bit exact path in the
//! parser for up to 19 digits (+1,094 B: compiler-rt's 128-bit division). wasm-opt's other
//! levels change little (on the 79 KB build: -O3 79,465 B, -Oz 79,327 B, -Os 79,283 B;
//! `--gufa` adds bytes); opt-level s made 81,256 B (168,493 raw) then.
//!
//! Speed at opt-level s and z (measured on the 79 KB build): in Node 20 (V8), the Wasm call
//! for a 1,000-row request at s took 0.68 to 0.72 of the time at z without monitoring; with
//! monitoring on (a delta every 100 requests) 1.08 to 1.17 of z without it, where z with
//! monitoring took 3.4 to 3.7 of it (interleaved in one process, a machine with a load
//! average of about 10 on 2 cores; under `--cpu-prof` the z build's overhead was 1.24, so
//! V8's tiering plays a part). In these Wasm-call measurements the sketches' overhead is
//! mostly a cost of opt-level z, and s is over the size budget; `make bench` (workerd end to
//! end, the budget's measure) was not run again on this loaded machine.

#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod arena;
mod canonical;
mod json;
mod model;
mod request;
mod watch;

use driftlab::{
    prep::{FittedPipeline, PrepError, Quoted, RowWarning},
    score::{Model, Task},
    table::{Cell, ColumnKind},
};
use json::Json;
use std::cell::RefCell;
use watch::{Acc, Watch};

pub use canonical::content_hash;

/// The artifact `format` this scorer reads.
pub const FORMAT: &str = "driftlab.artifact";
/// The newest artifact version this scorer reads.
pub const VERSION: u32 = 3;

/// An error for the host: an HTTP status, a sentence, and where (0-based row, column).
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeError {
    /// What is wrong and how to fix it.
    pub error: String,
    /// The 0-based row, when one row is at fault.
    pub row: Option<usize>,
    /// The column, when one column is at fault.
    pub column: Option<String>,
    /// The HTTP status that fits.
    pub status: u16,
}

impl EdgeError {
    fn new(status: u16, error: impl Into<String>) -> EdgeError {
        EdgeError {
            error: error.into(),
            row: None,
            column: None,
            status,
        }
    }

    fn at(mut self, row: Option<usize>, column: Option<&str>) -> EdgeError {
        self.row = row;
        self.column = column.map(str::to_owned);
        self
    }

    /// The error as JSON: `{"error", "row", "column"}`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.error.len() + 48);
        out.extend_from_slice(b"{\"error\":");
        json::write_str(&mut out, &self.error);
        out.extend_from_slice(b",\"row\":");
        match self.row {
            Some(r) => json::write_u64(&mut out, r as u64),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"column\":");
        match &self.column {
            Some(c) => json::write_str(&mut out, c),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
        out
    }
}

struct View {
    pipeline: FittedPipeline,
    model: Model,
    classes: Vec<String>,
    hash: String,
}

/// A loaded artifact, ready to score rows. Immutable; scratch buffers live per call.
#[derive(Debug)]
pub struct Scorer {
    pipeline: FittedPipeline,
    model: Model,
    classes: Vec<String>,
    hash: String,
    task: Task,
}

impl Scorer {
    /// Reads and checks an artifact: format, version, content hash (the same FNV-1a over
    /// canonical JSON as the core), and that the pipeline, the model and the class labels
    /// agree.
    pub fn from_bytes(bytes: &[u8]) -> Result<Scorer, EdgeError> {
        let refuse = |m: String| EdgeError::new(422, m);
        let doc =
            json::parse(bytes).map_err(|e| refuse(format!("not a driftlab artifact: {e}")))?;
        if let Some(key) = doc.repeated_key() {
            return Err(refuse(format!("not a driftlab artifact: the member {} appears twice in one object; export the bundle again from the artifact driftlab wrote", Quoted(key))));
        }
        let format = doc.get("format").and_then(Json::as_str).unwrap_or_default();
        if format != FORMAT {
            return Err(refuse(format!(
                "unknown artifact format {}; expected \"driftlab.artifact\" (is this a model file from driftlab?)",
                Quoted(format)
            )));
        }
        let version = doc.get("version").and_then(Json::as_u64).unwrap_or(0);
        if version > u64::from(VERSION) {
            return Err(refuse(format!(
                "artifact version {version} is newer than this scorer reads ({VERSION}); export the bundle again with the driftlab that trained the model"
            )));
        }
        let stored = doc.get("hash").and_then(Json::as_str).unwrap_or_default();
        let computed = canonical::hash_of(&doc);
        if stored != computed {
            return Err(refuse(format!(
                "artifact hash mismatch (stored {stored}, computed {computed}): the file was modified or corrupted; export the bundle again"
            )));
        }
        let part = |key: &str| {
            doc.get(key).ok_or_else(|| {
                refuse(format!(
                    "not a driftlab artifact: missing field {}",
                    Quoted(key)
                ))
            })
        };
        let bad = |key: &str, e: String| {
            refuse(format!("not a driftlab artifact: in {}: {e}", Quoted(key)))
        };
        let view = View {
            pipeline: model::pipeline(part("pipeline")?).map_err(|e| bad("pipeline", e))?,
            model: model::model(part("model")?).map_err(|e| bad("model", e))?,
            classes: model::classes(&doc).map_err(|e| bad("classes", e))?,
            hash: stored.to_owned(),
        };
        let width = view.pipeline.features.len();
        // feature names and widths, positive scales, sorted categories (as the core checks)
        view.pipeline.validate().map_err(|e| {
            refuse(match e {
                PrepError::Inconsistent(m) => format!("artifact is inconsistent: {m}"),
                e => format!(
                    "artifact is inconsistent: {}",
                    e.row_sentence()
                        .as_deref()
                        .unwrap_or("the pipeline does not check")
                ),
            })
        })?;
        // the class counts before the model's own checks, which multiply them by the node
        // or feature count (a claimed 2^64 - 1 classes must not overflow)
        let task = view.model.task();
        if task == Task::Classification && view.classes.len() != view.model.n_outputs() {
            return Err(refuse(format!(
                "artifact is inconsistent: {} class labels for a model of {} classes",
                view.classes.len(),
                view.model.n_outputs()
            )));
        }
        view.model
            .validate(width)
            .map_err(|e| refuse(format!("artifact is inconsistent: {e}")))?;
        Ok(Scorer {
            pipeline: view.pipeline,
            model: view.model,
            classes: view.classes,
            hash: view.hash,
            task,
        })
    }

    /// The input columns the model reads, in order.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.pipeline.inputs.iter().map(|i| i.name.as_str())
    }

    /// What the scorer read from the artifact: the fitted pipeline, the model and the class
    /// labels (the tests hold them to the core's `Artifact::from_bytes`, kind by kind).
    pub fn parts(&self) -> (&FittedPipeline, &Model, &[String]) {
        (&self.pipeline, &self.model, &self.classes)
    }

    /// `{"kind", "task", "hash"}`: the `model` member of every answer.
    pub fn summary_json(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_summary(&mut out);
        out
    }

    fn write_summary(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"kind\":");
        json::write_str(out, self.model.kind());
        out.extend_from_slice(b",\"task\":");
        json::write_str(
            out,
            match self.task {
                Task::Classification => "classification",
                Task::Regression => "regression",
                Task::Clustering => "clustering",
            },
        );
        out.extend_from_slice(b",\"hash\":");
        json::write_str(out, &self.hash);
        out.push(b'}');
    }

    /// Scores a JSON body `{"rows": [{"col": value, ...}, ...]}` of at most `max_rows` rows.
    pub fn score_json(&self, body: &[u8], max_rows: usize) -> Result<Vec<u8>, EdgeError> {
        self.score_json_watched(body, max_rows, None)
    }

    fn score_json_watched(
        &self,
        body: &[u8],
        max_rows: usize,
        watch: Option<&mut Watch>,
    ) -> Result<Vec<u8>, EdgeError> {
        let doc = request::parse_body(body)?;
        let rows = request::parse_rows(&doc, max_rows)?;
        let mut session = Session::new(self, rows.len(), watch);
        let mut cells: Vec<Cell<'_>> = Vec::with_capacity(self.pipeline.inputs.len());
        for (i, row) in rows.iter().enumerate() {
            let row = match row {
                Json::Obj(pairs) => pairs,
                _ => {
                    return Err(EdgeError::new(
                        400,
                        format!(
                        "row {i} is not a JSON object: send each row as {{\"column\": value, ...}}"
                    ),
                    )
                    .at(Some(i), None))
                }
            };
            cells.clear();
            for input in &self.pipeline.inputs {
                let value = row
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == input.name.as_str())
                    .map(|(_, v)| v);
                let cell = match value {
                    None => {
                        return Err(EdgeError::new(
                            400,
                            format!(
                                "row {i} has no column {}, which the model was trained with: add it (null is fine: it is imputed and flagged)",
                                Quoted(&input.name)
                            ),
                        )
                        .at(Some(i), Some(&input.name)))
                    }
                    Some(Json::Null) => Cell::Missing,
                    Some(Json::Bool(b)) => Cell::Bool(*b),
                    Some(v @ Json::Num(_)) => match v.as_f64() {
                        Some(x) => Cell::Number(x),
                        None => {
                            return Err(EdgeError::new(
                                400,
                                format!("row {i}, column {}: the number is too large for a 64-bit float", Quoted(&input.name)),
                            )
                            .at(Some(i), Some(&input.name)))
                        }
                    },
                    Some(Json::Str(s)) => text_cell(s, input.kind, false),
                    Some(_) => {
                        return Err(EdgeError::new(
                            400,
                            format!(
                                "row {i}, column {}: a value must be a number, a string, a boolean or null, not an array or an object",
                                Quoted(&input.name)
                            ),
                        )
                        .at(Some(i), Some(&input.name)))
                    }
                };
                cells.push(cell);
            }
            session.score(&cells, i)?;
        }
        let answer = session.finish();
        // In Wasm the arena reclaims the parsed body at the next request: walking the tree
        // to drop it would only cost time (natively it is dropped as usual)
        #[cfg(target_arch = "wasm32")]
        std::mem::forget(doc);
        Ok(answer)
    }

    /// Scores a table of text cells, `{"columns": ["a", ...], "rows": [["1", ...], ...]}`
    /// (what the host's CSV reader makes of a CSV body), of at most `max_rows` rows. Cells
    /// are read as the CLI reads CSV: trimmed; the missing tokens (`NA`, `null`, empty, …)
    /// are missing; booleans are `true`/`false` in any case; numbers are numbers.
    pub fn score_table(&self, body: &[u8], max_rows: usize) -> Result<Vec<u8>, EdgeError> {
        self.score_table_watched(body, max_rows, None)
    }

    fn score_table_watched(
        &self,
        body: &[u8],
        max_rows: usize,
        watch: Option<&mut Watch>,
    ) -> Result<Vec<u8>, EdgeError> {
        let doc = request::parse_body(body)?;
        let header = doc.get("columns").and_then(Json::as_array).ok_or_else(|| {
            EdgeError::new(
                400,
                "the table has no \"columns\" array: send a header line with the column names",
            )
        })?;
        let mut positions = Vec::with_capacity(self.pipeline.inputs.len());
        for input in &self.pipeline.inputs {
            let p = header
                .iter()
                .position(|h| h.as_str().map(str::trim) == Some(input.name.as_str()))
                .ok_or_else(|| {
                    EdgeError::new(
                        400,
                        format!(
                            "the CSV header has no column {}, which the model was trained with: add it (empty cells are fine: they are imputed and flagged)",
                            Quoted(&input.name)
                        ),
                    )
                    .at(None, Some(&input.name))
                })?;
            positions.push(p);
        }
        let rows = request::parse_rows(&doc, max_rows)?;
        let mut session = Session::new(self, rows.len(), watch);
        let mut cells: Vec<Cell<'_>> = Vec::with_capacity(positions.len());
        for (i, row) in rows.iter().enumerate() {
            let record = row.as_array().ok_or_else(|| {
                EdgeError::new(400, format!("row {i} is not an array of cells")).at(Some(i), None)
            })?;
            cells.clear();
            for (input, &p) in self.pipeline.inputs.iter().zip(&positions) {
                cells.push(match record.get(p) {
                    None | Some(Json::Null) => Cell::Missing,
                    Some(Json::Str(s)) => text_cell(s, input.kind, true),
                    Some(_) => {
                        return Err(EdgeError::new(
                            400,
                            format!(
                                "row {i}, column {}: a table cell must be text",
                                Quoted(&input.name)
                            ),
                        )
                        .at(Some(i), Some(&input.name)))
                    }
                });
            }
            session.score(&cells, i)?;
        }
        Ok(session.finish())
    }
}

/// Runs `f` with allocations in the monitoring region (in Wasm; natively a plain call).
fn kept<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(target_arch = "wasm32")]
    arena::keep(true);
    let out = f();
    #[cfg(target_arch = "wasm32")]
    arena::keep(false);
    out
}

/// Writes an unsigned integer's digits (a row number, once per row: faster than `fmt`).
fn write_digits(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn too_many_rows(max_rows: usize) -> EdgeError {
    EdgeError::new(
        413,
        format!("the request has more than {max_rows} rows: split it into batches of at most {max_rows}"),
    )
}

/// A text cell as the CLI's CSV reader would see it (`csv`), or a JSON string as
/// `driftlab::artifact::Artifact::score_json_rows` reads it: blank is missing in both,
/// `true`/`false` in any case are booleans in a boolean column.
fn text_cell(s: &str, kind: ColumnKind, csv: bool) -> Cell<'_> {
    let t = s.trim();
    if t.is_empty() || (csv && driftlab::table::MISSING_TOKENS.contains(&t)) {
        return Cell::Missing;
    }
    match kind {
        ColumnKind::Boolean if t.eq_ignore_ascii_case("true") => Cell::Bool(true),
        ColumnKind::Boolean if t.eq_ignore_ascii_case("false") => Cell::Bool(false),
        ColumnKind::Categorical if !csv => Cell::Category(s),
        _ => match driftlab::decimal::parse_f64(t) {
            Some(x) if csv && !x.is_nan() => Cell::Number(x),
            _ => Cell::Category(t),
        },
    }
}

/// The answer being written, row by row.
struct Session<'a> {
    scorer: &'a Scorer,
    out: Vec<u8>,
    values: Vec<f64>,
    warnings: Vec<RowWarning>,
    first: bool,
    /// The class labels as JSON strings.
    labels: Vec<Vec<u8>>,
    /// Monitoring: the isolate's state and this request's summaries.
    watch: Option<(&'a mut Watch, Acc)>,
}

impl<'a> Session<'a> {
    fn new(scorer: &'a Scorer, rows: usize, watch: Option<&'a mut Watch>) -> Session<'a> {
        let mut out = Vec::with_capacity(96 + rows * 64);
        out.extend_from_slice(b"{\"model\":");
        scorer.write_summary(&mut out);
        out.extend_from_slice(b",\"predictions\":[");
        let mut labels = Vec::with_capacity(scorer.classes.len());
        for c in &scorer.classes {
            let mut label = Vec::new();
            json::write_str(&mut label, c);
            labels.push(label);
        }
        Session {
            scorer,
            out,
            values: Vec::with_capacity(scorer.pipeline.width()),
            warnings: Vec::new(),
            first: true,
            labels,
            watch: watch.map(|w| {
                let acc = w.request();
                (w, acc)
            }),
        }
    }

    fn score(&mut self, cells: &[Cell<'_>], i: usize) -> Result<(), EdgeError> {
        let s = self.scorer;
        self.values.clear();
        self.warnings.clear();
        s.pipeline
            .transform_row_into(cells, i, &mut self.values, &mut self.warnings)
            .map_err(|e| {
                let column = match &e {
                    PrepError::BadCell { column, .. }
                    | PrepError::UnseenCategory { column, .. }
                    | PrepError::MissingColumn { column } => Some(column.clone()),
                    _ => None,
                };
                // not `Display`: it would link the table reader's sentences (1.6 KB gzipped)
                let sentence = e.row_sentence();
                let sentence = sentence
                    .as_deref()
                    .unwrap_or("the row does not fit the pipeline");
                EdgeError::new(400, sentence.to_owned()).at(Some(i), column.as_deref())
            })?;
        let p = s.model.predict_row(&self.values).map_err(|e| {
            EdgeError::new(500, format!("the model could not score row {i}: {e}")).at(Some(i), None)
        })?;
        let out = &mut self.out;
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        out.push(b'{');
        if let Some((w, acc)) = &mut self.watch {
            // the row id for late labels: <model>-<isolate>-<row number in the isolate>
            out.extend_from_slice(b"\"id\":\"");
            out.extend_from_slice(w.short.as_bytes());
            out.push(b'-');
            out.extend_from_slice(w.isolate.as_bytes());
            out.push(b'-');
            write_digits(out, w.next_row + acc.rows());
            out.extend_from_slice(b"\",");
            acc.observe(cells, &self.warnings, &p);
        }
        out.extend_from_slice(b"\"prediction\":");
        match s.task {
            Task::Classification => {
                // the labels' JSON, escaped once per request
                out.extend_from_slice(
                    self.labels
                        .get(p.value as usize)
                        .map_or(&b"\"\""[..], Vec::as_slice),
                );
                out.extend_from_slice(b",\"probabilities\":{");
                for (c, (label, v)) in self.labels.iter().zip(&p.probabilities).enumerate() {
                    if c > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(label);
                    out.push(b':');
                    json::write_f64(out, *v);
                }
                out.push(b'}');
            }
            Task::Clustering => {
                json::write_u64(out, p.value as u64);
                out.extend_from_slice(b",\"probabilities\":null");
            }
            Task::Regression => {
                json::write_f64(out, p.value);
                out.extend_from_slice(b",\"probabilities\":null");
            }
        }
        out.extend_from_slice(b",\"warnings\":[");
        for (n, w) in self.warnings.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"column\":");
            json::write_str(out, &w.column);
            out.extend_from_slice(b",\"kind\":");
            json::write_str(out, &w.kind);
            out.extend_from_slice(b",\"message\":");
            json::write_str(out, &w.message);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
        Ok(())
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"]}");
        if let Some((w, acc)) = self.watch.take() {
            w.next_row += acc.rows();
            kept(|| w.acc.add(acc));
        }
        self.out
    }
}

// --- the Wasm ABI ------------------------------------------------------------------------

/// The isolate's state. Wasm instances here are single-threaded and the ABI functions never
/// re-enter, so a plain cell is enough (and smaller than `thread_local!`).
struct Global(RefCell<State>);

// SAFETY: the module is built without threads (wasm32-unknown-unknown, no atomics); natively
// the ABI functions are only called from tests on one thread.
unsafe impl Sync for Global {}

static STATE: Global = Global(RefCell::new(State {
    scorer: None,
    output: Vec::new(),
    watch: None,
}));

struct State {
    scorer: Option<Scorer>,
    output: Vec<u8>,
    /// Monitoring, once `dl_monitor_start` turned it on.
    watch: Option<Watch>,
}

/// Allocates `len` bytes for the host to write into; returns the pointer.
#[no_mangle]
pub extern "C" fn dl_alloc(len: usize) -> *mut u8 {
    // a new request: the previous answer goes, and so does everything after the mark
    drop(std::mem::take(&mut STATE.0.borrow_mut().output));
    #[cfg(target_arch = "wasm32")]
    arena::reset();
    let mut buf = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Frees a buffer from [`dl_alloc`].
///
/// # Safety
/// `ptr` and `len` must come from one earlier `dl_alloc(len)` call, freed once.
#[no_mangle]
pub unsafe extern "C" fn dl_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

/// Loads the artifact (JSON) at `ptr..ptr+len`; the output holds the model summary.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dl_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dl_load(ptr: *const u8, len: usize) -> u32 {
    let bytes = std::slice::from_raw_parts(ptr, len);
    let result = Scorer::from_bytes(bytes).map(|s| {
        let summary = s.summary_json();
        STATE.0.borrow_mut().scorer = Some(s);
        #[cfg(target_arch = "wasm32")]
        arena::mark();
        summary
    });
    respond(result)
}

/// Scores the JSON request at `ptr..ptr+len`; the answer is in the output buffer.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dl_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dl_score_json(ptr: *const u8, len: usize, max_rows: usize) -> u32 {
    let bytes = std::slice::from_raw_parts(ptr, len);
    score_with(|s, w| s.score_json_watched(bytes, max_rows, w))
}

/// Scores the table of text cells (a CSV body as the host read it, see
/// [`Scorer::score_table`]) at `ptr..ptr+len`; the answer is in the output buffer.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dl_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dl_score_table(ptr: *const u8, len: usize, max_rows: usize) -> u32 {
    let bytes = std::slice::from_raw_parts(ptr, len);
    score_with(|s, w| s.score_table_watched(bytes, max_rows, w))
}

/// Turns monitoring on for this isolate: `ptr..ptr+len` is its id (8 to 32 of `[0-9a-z]`).
/// From then on every row answered carries an `id`, and its inputs and prediction are
/// summarised for the next [`dl_delta`]. Returns 0, or 400 for a bad id, 500 when no
/// artifact is loaded.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dl_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dl_monitor_start(ptr: *const u8, len: usize) -> u32 {
    let id = std::slice::from_raw_parts(ptr, len);
    let ok = (8..=32).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    let mut guard = STATE.0.borrow_mut();
    let st = &mut *guard;
    let result = match (&st.scorer, ok) {
        (None, _) => Err(EdgeError::new(
            500,
            "no artifact is loaded: call dl_load first",
        )),
        (_, false) => Err(EdgeError::new(400, "an isolate id is 8 to 32 of [0-9a-z]")),
        (Some(s), true) => {
            let inputs: Vec<(String, ColumnKind)> = s
                .pipeline
                .inputs
                .iter()
                .map(|i| (i.name.clone(), i.kind))
                .collect();
            let classes = if s.task == Task::Classification {
                s.classes.len()
            } else {
                0
            };
            let isolate = std::str::from_utf8(id).unwrap_or_default();
            #[cfg(target_arch = "wasm32")]
            if !arena::reserve_keep() {
                return respond(Err(EdgeError::new(500, "no memory for monitoring")));
            }
            // a restart after a trap: forget the old summaries (their region is emptied)
            std::mem::forget(st.watch.take());
            #[cfg(target_arch = "wasm32")]
            arena::keep_reset();
            st.watch = Some(kept(|| Watch::new(isolate, &s.hash, &inputs, classes)));
            Ok(Vec::new())
        }
    };
    drop(guard);
    respond(result)
}

/// Counts one request: its HTTP status and the microseconds it took (the host measures).
/// Returns the requests counted since the last delta (0 when monitoring is off).
#[no_mangle]
pub extern "C" fn dl_record(status: u32, micros: u32) -> u32 {
    let mut st = STATE.0.borrow_mut();
    match &mut st.watch {
        Some(w) => {
            kept(|| w.record(status.min(999) as u16, u64::from(micros)));
            #[cfg(target_arch = "wasm32")]
            if arena::keep_full() {
                // past half the monitoring region: ask the host for a delta now
                return u32::MAX;
            }
            w.pending_requests().min(u64::from(u32::MAX)) as u32
        }
        None => 0,
    }
}

/// Writes the sketch delta of everything since the last one into the output buffer (see
/// `driftlab::monitor::edge::Delta`) and starts the next. Returns 0, or 409 when
/// monitoring is off.
#[no_mangle]
pub extern "C" fn dl_delta() -> u32 {
    let mut guard = STATE.0.borrow_mut();
    let delta = match guard.watch.as_mut() {
        // written into the request arena; then the summaries start again in an empty region
        Some(w) => {
            let out = w.take_delta();
            let next = w.restart_parts();
            std::mem::forget(guard.watch.take());
            #[cfg(target_arch = "wasm32")]
            arena::keep_reset();
            guard.watch = Some(kept(|| Watch::restart(next)));
            Ok(out)
        }
        None => Err(EdgeError::new(
            409,
            "monitoring is off: call dl_monitor_start first",
        )),
    };
    drop(guard);
    respond(delta)
}

/// Pointer to the last answer.
#[no_mangle]
pub extern "C" fn dl_output_ptr() -> *const u8 {
    STATE.0.borrow().output.as_ptr()
}

/// Length of the last answer.
#[no_mangle]
pub extern "C" fn dl_output_len() -> usize {
    STATE.0.borrow().output.len()
}

fn score_with(f: impl FnOnce(&Scorer, Option<&mut Watch>) -> Result<Vec<u8>, EdgeError>) -> u32 {
    let mut guard = STATE.0.borrow_mut();
    let st = &mut *guard;
    let result = match &st.scorer {
        Some(s) => f(s, st.watch.as_mut()),
        None => Err(EdgeError::new(
            500,
            "no artifact is loaded: call dl_load first",
        )),
    };
    drop(guard);
    respond(result)
}

fn respond(result: Result<Vec<u8>, EdgeError>) -> u32 {
    let (code, bytes) = match result {
        Ok(b) => (0, b),
        Err(e) => (u32::from(e.status), e.to_json()),
    };
    STATE.0.borrow_mut().output = bytes;
    code
}

#[cfg(test)]
mod tests;
