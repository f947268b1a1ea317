//! The artifact loader, then scoring with whatever it accepts.
//!
//! A mutated artifact almost always fails its content hash, which would keep the fuzzer at
//! the door; so when the only fault is the hash, the hash is recomputed and the document
//! loaded again, which sends mutated weights, shapes and schemas into the shape checks and
//! the scorer. Nothing may panic.
#![no_main]

use driftlab::artifact::{Artifact, ArtifactError};
use driftlab::table::{Column, ColumnKind, Table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let artifact = match Artifact::from_bytes(data) {
        Ok(a) => a,
        Err(ArtifactError::HashMismatch { computed, .. }) => {
            let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(data) else {
                return;
            };
            let Some(o) = v.as_object_mut() else { return };
            o.insert("hash".into(), computed.into());
            let Ok(bytes) = serde_json::to_vec(&v) else {
                return;
            };
            match Artifact::from_bytes(&bytes) {
                Ok(a) => a,
                Err(_) => return,
            }
        }
        Err(_) => return,
    };
    // a small table in the schema's columns: ordinary, extreme and missing values, and an
    // unseen category
    let mut columns = Vec::new();
    for c in &artifact.schema.columns {
        if columns.iter().any(|x: &Column| x.name == c.name) {
            return; // a table cannot hold two columns of one name
        }
        columns.push(match c.kind {
            ColumnKind::Numeric => Column::numeric(
                c.name.clone(),
                vec![0.0, 1e308, -1.5, f64::NAN, f64::INFINITY],
            ),
            _ => {
                let first = c.categories.first().map(String::as_str).unwrap_or("a");
                Column::categorical(
                    c.name.clone(),
                    &[
                        Some(first),
                        Some("never seen"),
                        None,
                        Some("true"),
                        Some(""),
                    ],
                )
            }
        });
    }
    if let Ok(table) = Table::new(columns) {
        let _ = artifact.score_table(&table);
    }
    let rows: Vec<serde_json::Value> = vec![
        serde_json::json!({}),
        serde_json::Value::Object(
            artifact
                .schema
                .columns
                .iter()
                .map(|c| (c.name.clone(), serde_json::json!(1.0)))
                .collect(),
        ),
        serde_json::Value::Object(
            artifact
                .schema
                .columns
                .iter()
                .map(|c| (c.name.clone(), serde_json::json!("x")))
                .collect(),
        ),
    ];
    let _ = artifact.score_json_rows(&rows);
    let _ = artifact.score_features(&vec![0.5; artifact.pipeline.features.len() * 2]);
});
