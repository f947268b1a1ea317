//! The driftlab edge scorer: the core built with training off, behind a small C-style
//! WebAssembly ABI with no imports, so that any host (a Workers isolate, Node) can
//! instantiate it with an empty import object.
//!
//! The protocol is bytes in, JSON bytes out:
//! 1. `dl_alloc(len)` returns a buffer in Wasm memory; the host writes bytes there.
//! 2. `dl_load(ptr, len)` loads a fitted pipeline (JSON) once per isolate and keeps it.
//! 3. `dl_transform(ptr, len)` takes `{"rows": [{"col": value, ...}, ...]}` and leaves the
//!    answer in the output buffer (`dl_output_ptr`, `dl_output_len`): `{"features":
//!    [...], "rows": [[...]], "warnings": [[...]]}`, or `{"error", "row", "column"}`.
//! 4. `dl_free(ptr, len)` releases an input buffer.
//!
//! Every call returns 0 on success and 1 when the output holds an error. Nothing the host
//! sends can panic the module. Scoring with a model artifact arrives with the models work;
//! this crate already carries the serving half of the pipeline.

use driftlab::{prep::FittedPipeline, table::Cell};
use serde_json::{json, Value};
use std::cell::RefCell;

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

#[derive(Default)]
struct State {
    pipeline: Option<FittedPipeline>,
    output: Vec<u8>,
}

/// Allocates `len` bytes for the host to write into; returns the pointer.
#[no_mangle]
pub extern "C" fn dl_alloc(len: usize) -> *mut u8 {
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

/// Loads a fitted pipeline from JSON at `ptr..ptr+len`.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dl_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dl_load(ptr: *const u8, len: usize) -> u32 {
    let bytes = std::slice::from_raw_parts(ptr, len);
    respond(load(bytes))
}

/// Transforms the JSON request at `ptr..ptr+len`; the answer is in the output buffer.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from [`dl_alloc`].
#[no_mangle]
pub unsafe extern "C" fn dl_transform(ptr: *const u8, len: usize) -> u32 {
    let bytes = std::slice::from_raw_parts(ptr, len);
    respond(transform(bytes))
}

/// Pointer to the last answer.
#[no_mangle]
pub extern "C" fn dl_output_ptr() -> *const u8 {
    STATE.with(|s| s.borrow().output.as_ptr())
}

/// Length of the last answer.
#[no_mangle]
pub extern "C" fn dl_output_len() -> usize {
    STATE.with(|s| s.borrow().output.len())
}

fn respond(result: Result<Value, Value>) -> u32 {
    let (code, value) = match result {
        Ok(v) => (0, v),
        Err(e) => (1, e),
    };
    STATE.with(|s| s.borrow_mut().output = value.to_string().into_bytes());
    code
}

fn error(message: impl ToString, row: Option<usize>, column: Option<&str>) -> Value {
    json!({ "error": message.to_string(), "row": row, "column": column })
}

/// Loads the pipeline; the core of [`dl_load`].
pub fn load(bytes: &[u8]) -> Result<Value, Value> {
    let pipeline: FittedPipeline = serde_json::from_slice(bytes)
        .map_err(|e| error(format!("the fitted pipeline is not valid: {e}"), None, None))?;
    let features = pipeline.features.clone();
    STATE.with(|s| s.borrow_mut().pipeline = Some(pipeline));
    Ok(json!({ "features": features }))
}

/// Transforms a request; the core of [`dl_transform`]. Row indices in errors are 0-based
/// positions in `rows`.
pub fn transform(bytes: &[u8]) -> Result<Value, Value> {
    let request: Value = serde_json::from_slice(bytes)
        .map_err(|e| error(format!("the body is not valid JSON: {e}"), None, None))?;
    let rows = request
        .get("rows")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            error(
                "the body must be an object with a \"rows\" array: {\"rows\": [{...}]}",
                None,
                None,
            )
        })?;
    STATE.with(|s| {
        let state = s.borrow();
        let pipeline = state
            .pipeline
            .as_ref()
            .ok_or_else(|| error("no pipeline is loaded", None, None))?;
        let mut out_rows = Vec::with_capacity(rows.len());
        let mut out_warnings = Vec::with_capacity(rows.len());
        let mut cells = Vec::with_capacity(pipeline.inputs.len());
        for (i, row) in rows.iter().enumerate() {
            let object = row.as_object().ok_or_else(|| {
                error(
                    "each row must be a JSON object of column: value",
                    Some(i),
                    None,
                )
            })?;
            cells.clear();
            for input in &pipeline.inputs {
                cells.push(match object.get(&input.name) {
                    None | Some(Value::Null) => Cell::Missing,
                    Some(Value::Bool(b)) => Cell::Bool(*b),
                    Some(Value::Number(n)) => Cell::Number(n.as_f64().unwrap_or(f64::NAN)),
                    Some(Value::String(s)) => Cell::Category(s),
                    Some(_) => {
                        return Err(error(
                            "a value must be a number, a string, a boolean or null",
                            Some(i),
                            Some(&input.name),
                        ))
                    }
                });
            }
            let mut values = Vec::with_capacity(pipeline.width());
            let mut warnings = Vec::new();
            pipeline
                .transform_row_into(&cells, i + 1, &mut values, &mut warnings)
                .map_err(|e| error(e, Some(i), None))?;
            out_rows.push(values);
            out_warnings.push(warnings);
        }
        Ok(json!({ "features": pipeline.features, "rows": out_rows, "warnings": out_warnings }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftlab::{
        prep::PipelineSpec,
        table::{read_csv, ReadOptions},
    };

    #[test]
    fn transforms_json_rows_like_the_table_path() {
        let t = read_csv(b"x,c,y\n1,a,0\n3,b,1\n", &ReadOptions::default())
            .unwrap()
            .table;
        let p = PipelineSpec::default_for(&t, Some("y"))
            .unwrap()
            .fit(&t)
            .unwrap();
        load(serde_json::to_vec(&p).unwrap().as_slice()).unwrap();
        let out = transform(br#"{"rows": [{"x": 1, "c": "a"}, {"x": 3, "c": "b"}]}"#).unwrap();
        let m = p.transform(&t).unwrap();
        assert_eq!(out["rows"][0], json!(m.row(0)));
        assert_eq!(out["rows"][1], json!(m.row(1)));
        let e = transform(br#"{"rows": [{"x": 1, "c": "a"}, {"x": [1], "c": "b"}]}"#).unwrap_err();
        assert_eq!(
            (e["row"].clone(), e["column"].clone()),
            (json!(1), json!("x"))
        );
        assert!(transform(b"{not json").is_err());
        assert!(load(b"{}").is_err());
    }
}
