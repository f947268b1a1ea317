//! The edge scorer's request parsers (`score_json` and `score_table`, which read the body
//! with the edge crate's own small JSON reader) against two loaded artifacts (iris logistic, fraud tree). Every
//! answer must be JSON the core can read; nothing may panic.
#![no_main]

use driftlab_edge::Scorer;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Artifacts that `fuzz/seed.sh` trains with the CLI (so they follow the current format).
const ARTIFACTS: &[&str] = &["iris_logistic.json", "fraud_tree.json"];

fn scorers() -> &'static [Scorer] {
    static S: OnceLock<Vec<Scorer>> = OnceLock::new();
    S.get_or_init(|| {
        ARTIFACTS
            .iter()
            .map(|name| {
                let path = format!("{}/corpus/artifact/{name}", env!("CARGO_MANIFEST_DIR"));
                let bytes = std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("{path}: {e}; run fuzz/seed.sh first"));
                Scorer::from_bytes(&bytes).expect("a seed artifact loads")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let scorer = &scorers()[usize::from(mode & 1)];
    let max_rows = usize::from(mode >> 2) + 1;
    let answer = if mode & 2 == 0 {
        scorer.score_json(body, max_rows)
    } else {
        scorer.score_table(body, max_rows)
    };
    let bytes = match answer {
        Ok(b) => b,
        Err(e) => {
            assert!((400..600).contains(&e.status));
            e.to_json()
        }
    };
    serde_json::from_slice::<serde_json::Value>(&bytes).expect("the answer is JSON");
});
