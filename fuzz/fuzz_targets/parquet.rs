//! The Parquet reader (src/table/parquet.rs) on arbitrary bytes, then what the loop does
//! with a table it accepts (profile, default pipeline), and the batch reader `score` uses.
//! Nothing may panic and nothing may be allocated at the size a file declares; every
//! refusal is an `Err`. Seeds: tests/fixtures/parquet/*.parquet (fuzz/seed.sh).
#![no_main]

use driftlab::prep::PipelineSpec;
use driftlab::profile::Profile;
use driftlab::table::{read_parquet, ParquetBatches, ReadOptions};
use libfuzzer_sys::fuzz_target;

/// The reader catches the panics of the `parquet` crate on malformed pages natively (see
/// src/table/parquet.rs: in Wasm they stop the module). libFuzzer's hook aborts on every
/// panic, caught or not, so those (located in the parquet crate) are let through here;
/// any other panic, and any the reader does not catch, still ends the run.
static HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(|| {
        let libfuzzer = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("/parquet-")) {
                libfuzzer(info)
            }
        }));
    });
    let options = ReadOptions::default();
    if let Ok(mut batches) = ParquetBatches::from_bytes(data.to_vec(), &options) {
        while let Ok(Some(t)) = batches.next_table() {
            assert!(t.rows() <= driftlab::table::BATCH_ROWS);
        }
    }
    let Ok(read) = read_parquet(data.to_vec(), &options) else {
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
