//! The edge bundle's Durable Object runs this module: [`driftlab::monitor::edge`] behind a
//! C-style WebAssembly ABI with no imports, as the scorer (`driftlab_edge.wasm`) has. The
//! logic is the core's; this file only moves bytes.
//!
//! 1. `dm_alloc(len)` returns a buffer; the host writes bytes there (`dm_free` releases it).
//! 2. `dm_init(ptr, len)` takes `{"artifact": "<model.json text>", "batch_rows": …,
//!    "label_rows": …, "label_hours": …}` (the numbers optional) and starts an empty monitor.
//! 3. `dm_restore(ptr, len)` reads the saved parts, one per line: `key<TAB>json`.
//! 4. `dm_merge(ptr, len, now)`, `dm_labels(ptr, len, csv, now)`: the answer's JSON on the
//!    first line, then the parts of the state that changed, one per line (`key<TAB>json`;
//!    `key<TAB>` alone to delete), for the host to store before it answers.
//! 5. `dm_report(now)` (`GET /monitor`'s JSON), `dm_metrics(now)` (Prometheus text).
//!
//! Every call returns 0 or the HTTP status of its error, whose JSON `{"error", "row",
//! "column"}` is the output. `now` is milliseconds since the Unix epoch.

#![deny(missing_docs)]

use driftlab::artifact::Artifact;
use driftlab::monitor::edge::{EdgeMonitor, EdgeMonitorError, EdgeOptions};
use serde::Deserialize;
use std::cell::RefCell;

struct Global(RefCell<State>);

// SAFETY: wasm32-unknown-unknown without threads; natively only tests call the ABI, on one
// thread.
unsafe impl Sync for Global {}

static STATE: Global = Global(RefCell::new(State {
    monitor: None,
    output: Vec::new(),
}));

struct State {
    monitor: Option<EdgeMonitor>,
    output: Vec<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Init {
    artifact: String,
    batch_rows: Option<u64>,
    label_rows: Option<u64>,
    label_hours: Option<f64>,
}

fn error(status: u16, message: &str, row: Option<usize>) -> (u32, Vec<u8>) {
    let body = serde_json::json!({"error": message, "row": row, "column": null});
    (u32::from(status), body.to_string().into_bytes())
}

fn fail(e: EdgeMonitorError) -> (u32, Vec<u8>) {
    error(e.status(), &e.to_string(), e.row())
}

fn respond((status, bytes): (u32, Vec<u8>)) -> u32 {
    STATE.0.borrow_mut().output = bytes;
    status
}

/// Starts a monitor for the artifact (see the crate docs for the input).
pub fn init(input: &[u8]) -> Result<EdgeMonitor, (u32, Vec<u8>)> {
    let init: Init = serde_json::from_slice(input).map_err(|e| {
        error(
            400,
            &format!("the monitor's settings are not valid: {e}"),
            None,
        )
    })?;
    let artifact = Artifact::from_bytes(init.artifact.as_bytes())
        .map_err(|e| error(422, &format!("the model artifact was refused: {e}"), None))?;
    let mut options = EdgeOptions::default();
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if let Some(n) = init.batch_rows.filter(|&n| n > 0) {
        options.batch_rows = n;
    }
    if let Some(n) = init.label_rows.filter(|&n| n > 0) {
        options.label_rows = n;
    }
    if let Some(h) = init.label_hours.filter(|&h| positive(h)) {
        options.label_hours = h;
    }
    EdgeMonitor::new(&artifact, options).map_err(fail)
}

/// The answer and the changed parts, one per line.
fn with_changes(monitor: &mut EdgeMonitor, answer: &serde_json::Value) -> Vec<u8> {
    let mut out = answer.to_string().into_bytes();
    for (key, value) in monitor.take_changes() {
        out.push(b'\n');
        out.extend_from_slice(key.as_bytes());
        out.push(b'\t');
        if let Some(v) = value {
            out.extend_from_slice(v.as_bytes());
        }
    }
    out
}

fn with_monitor(f: impl FnOnce(&mut EdgeMonitor) -> (u32, Vec<u8>)) -> u32 {
    let mut guard = STATE.0.borrow_mut();
    let result = match guard.monitor.as_mut() {
        Some(m) => f(m),
        None => error(500, "the monitor is not started: call dm_init first", None),
    };
    drop(guard);
    respond(result)
}

/// Allocates `len` bytes for the host to write into.
#[no_mangle]
pub extern "C" fn dm_alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Frees a buffer from [`dm_alloc`].
///
/// # Safety
/// `ptr` and `len` must come from one earlier `dm_alloc(len)` call, freed once.
#[no_mangle]
pub unsafe extern "C" fn dm_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

/// Pointer to the last answer.
#[no_mangle]
pub extern "C" fn dm_output_ptr() -> *const u8 {
    STATE.0.borrow().output.as_ptr()
}

/// Length of the last answer.
#[no_mangle]
pub extern "C" fn dm_output_len() -> usize {
    STATE.0.borrow().output.len()
}

/// Starts an empty monitor (see the crate docs).
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dm_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dm_init(ptr: *const u8, len: usize) -> u32 {
    let input = std::slice::from_raw_parts(ptr, len);
    let result = init(input);
    let mut guard = STATE.0.borrow_mut();
    let answer = match result {
        Ok(m) => {
            let ok = serde_json::json!({"model": m.model()})
                .to_string()
                .into_bytes();
            guard.monitor = Some(m);
            (0, ok)
        }
        Err(e) => e,
    };
    drop(guard);
    respond(answer)
}

/// Restores the saved parts, `key<TAB>json` per line.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dm_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dm_restore(ptr: *const u8, len: usize) -> u32 {
    let input = std::slice::from_raw_parts(ptr, len);
    let text = String::from_utf8_lossy(input);
    let parts: std::collections::HashMap<&str, &str> =
        text.lines().filter_map(|l| l.split_once('\t')).collect();
    with_monitor(
        |m| match m.restore(|k| parts.get(k).map(|v| (*v).to_owned())) {
            Ok(()) => (
                0,
                serde_json::json!({"rows": m.rows()})
                    .to_string()
                    .into_bytes(),
            ),
            Err(e) => fail(e),
        },
    )
}

/// Merges an isolate's delta received at `now`.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dm_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dm_merge(ptr: *const u8, len: usize, now: f64) -> u32 {
    let input = std::slice::from_raw_parts(ptr, len);
    with_monitor(|m| match m.merge(input, now) {
        Ok(merged) => {
            let answer =
                serde_json::json!({"merged": merged, "duplicate": !merged, "rows": m.rows()});
            (0, with_changes(m, &answer))
        }
        Err(e) => fail(e),
    })
}

/// Joins late labels (`csv` 1 for a CSV body, 0 for JSON) at `now`.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dm_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dm_labels(ptr: *const u8, len: usize, csv: u32, now: f64) -> u32 {
    let input = std::slice::from_raw_parts(ptr, len);
    with_monitor(|m| match m.labels(input, csv == 1, now) {
        Ok(answer) => {
            let answer = serde_json::to_value(&answer).unwrap_or_default();
            (0, with_changes(m, &answer))
        }
        Err(e) => fail(e),
    })
}

/// `GET /monitor` at `now`.
#[no_mangle]
pub extern "C" fn dm_report(now: f64) -> u32 {
    with_monitor(|m| match serde_json::to_vec(&m.report(now)) {
        Ok(b) => (0, b),
        Err(e) => error(500, &format!("the report cannot be written: {e}"), None),
    })
}

/// `GET /metrics` at `now`.
#[no_mangle]
pub extern "C" fn dm_metrics(now: f64) -> u32 {
    with_monitor(|m| (0, m.metrics(now).into_bytes()))
}
