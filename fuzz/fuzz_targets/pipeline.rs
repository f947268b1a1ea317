//! A fitted pipeline read from JSON (as the artifact and the browser hand it over, without
//! the artifact's checks), then `transform_row_into` on arbitrary cells.
//!
//! Input: the pipeline JSON, a 0 byte, then the cells: per cell a tag byte (0 missing, 1
//! number from the next 8 bytes, 2 boolean, 3 a category up to the next 0 byte). Nothing
//! may panic, and for a pipeline that passes `FittedPipeline::validate`
//! exactly `width` values are appended on success.
#![no_main]

use driftlab::prep::FittedPipeline;
use driftlab::table::Cell;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(pipeline) = serde_json::from_slice::<FittedPipeline>(&data[..split]) else {
        return;
    };
    let mut rest = data.get(split + 1..).unwrap_or(&[]);
    let mut cells = Vec::new();
    while let Some((&tag, tail)) = rest.split_first() {
        rest = tail;
        cells.push(match tag % 4 {
            0 => Cell::Missing,
            1 => {
                let mut b = [0u8; 8];
                let n = rest.len().min(8);
                b[..n].copy_from_slice(&rest[..n]);
                rest = &rest[n..];
                let x = f64::from_le_bytes(b);
                if x.is_nan() {
                    Cell::Missing // a table never holds a NaN number
                } else {
                    Cell::Number(x)
                }
            }
            2 => Cell::Bool(tag & 4 != 0),
            _ => {
                let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                let s = std::str::from_utf8(&rest[..end]).unwrap_or("?");
                rest = rest.get(end + 1..).unwrap_or(&[]);
                Cell::Category(s)
            }
        });
    }
    // also the row padded or cut to the pipeline's width, so that most inputs get past
    // the width check
    let mut fitted = cells.clone();
    fitted.resize(pipeline.inputs.len(), Cell::Missing);
    // a pipeline that passes `validate` (as every loaded artifact's must) appends exactly
    // `width` values; any other may append the wrong number but must not panic
    let valid = pipeline.validate().is_ok();
    for row in [&cells, &fitted] {
        let mut out = vec![7.0];
        let mut warnings = Vec::new();
        if pipeline
            .transform_row_into(row, 1, &mut out, &mut warnings)
            .is_ok()
        {
            assert!(
                !valid || out.len() == 1 + pipeline.width(),
                "width disagrees"
            );
        } else {
            assert_eq!(out, [7.0], "a refused row left values behind");
        }
    }
});
