//! The edge scorer's own artifact reader (`Scorer::from_bytes`), then scoring a request with
//! what it accepts. As in the `artifact` target, a document whose only fault is its hash is
//! loaded again with the hash recomputed, so that mutations reach the shape checks.
#![no_main]

use driftlab_edge::{content_hash, Scorer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let scorer = match Scorer::from_bytes(data) {
        Ok(s) => s,
        Err(e) if e.error.contains("hash mismatch") => {
            // re-serialized first: the edge hashes numbers as written
            let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(data) else {
                return;
            };
            let Ok(text) = serde_json::to_vec(&v) else {
                return;
            };
            let Ok(hash) = content_hash(&text) else {
                return;
            };
            let Some(o) = v.as_object_mut() else { return };
            o.insert("hash".into(), hash.into());
            let Ok(bytes) = serde_json::to_vec(&v) else {
                return;
            };
            match Scorer::from_bytes(&bytes) {
                Ok(s) => s,
                Err(_) => return,
            }
        }
        Err(e) => {
            assert_eq!(e.status, 422);
            return;
        }
    };
    let columns: Vec<String> = scorer.columns().map(str::to_owned).collect();
    let row: serde_json::Map<String, serde_json::Value> = columns
        .iter()
        .map(|c| (c.clone(), serde_json::json!(1.5)))
        .collect();
    let body = serde_json::json!({"rows": [row, {}]});
    let _ = scorer.score_json(body.to_string().as_bytes(), 10);
    let table = serde_json::json!({"columns": columns, "rows": [vec!["1e400"; columns.len()], Vec::<&str>::new()]});
    let _ = scorer.score_table(table.to_string().as_bytes(), 10);
});
