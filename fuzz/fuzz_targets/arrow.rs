//! The Arrow IPC reader (src/table/arrow.rs, over the `arrow-ipc` crate) on arbitrary
//! bytes, then what the loop does with a table it accepts (profile, default pipeline), and
//! the batch reader `score` uses. Nothing may panic and nothing may be allocated at the
//! size a file declares; every refusal is an `Err`. Seeds: tests/fixtures/arrow/*
//! (fuzz/seed.sh).
#![no_main]

use driftlab::prep::PipelineSpec;
use driftlab::profile::Profile;
use driftlab::table::{read_arrow, ArrowBatches, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions::default();
    if let Ok(mut batches) = ArrowBatches::from_bytes(data.to_vec(), &options) {
        while let Ok(Some(t)) = batches.next_table() {
            assert!(t.rows() <= driftlab::table::BATCH_ROWS);
        }
    }
    let Ok(read) = read_arrow(data.to_vec(), &options) else {
        return;
    };
    let table = read.table;
    let last = table.column_names().last().map(|s| s.to_string());
    for target in [None, last.as_deref()] {
        let _ = Profile::from_table(&table, target);
        if let Ok(spec) = PipelineSpec::default_for(&table, target) {
            if let Ok(fitted) = spec.fit(&table) {
                let _ = fitted.transform(&table);
            }
        }
    }
});
