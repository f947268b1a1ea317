//! The ONNX importer on arbitrary bytes: `import_model` must return an artifact or an error,
//! never panic, hang or allocate what a file declares; an artifact it returns must pass
//! the artifact's own reader and score its reference rows.
//!
//! Input: byte 0 picks the reference table (even: four numeric columns `x1..x4` and a
//! target `y`, as the fixtures' `binary`/`multi`/`reg` models read; odd: `a`, `b`, the
//! categorical `c` and `y`, as the `*_mixed` models read), the rest is the ONNX file.
#![no_main]

use driftlab::artifact::Artifact;
use driftlab::onnx::import::{import_model, ImportOptions};
use driftlab::table::{read_csv, ReadOptions};
use libfuzzer_sys::fuzz_target;

const NUMERIC: &[u8] = b"x1,x2,x3,x4,y\n0.5,1,-1,5,0\n-1.25,3,-0.5,2,1\n2,0,-2,8,2\n";
const MIXED: &[u8] = b"a,b,c,y\n0.5,1,north,0\n,3,south,1\n2,,east,2\n-1,0.25,west,0\n";

fuzz_target!(|data: &[u8]| {
    let Some((&pick, onnx)) = data.split_first() else {
        return;
    };
    let csv = if pick % 2 == 0 { NUMERIC } else { MIXED };
    let reference = read_csv(csv, &ReadOptions::default()).unwrap().table;
    let Ok(artifact) = import_model(onnx, &reference, Some("y"), &ImportOptions::default()) else {
        return;
    };
    let bytes = artifact.to_bytes().unwrap();
    let back = Artifact::from_bytes(&bytes).expect("an imported artifact must load");
    let _ = back.score_table(&reference);
});
