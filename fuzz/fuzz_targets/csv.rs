//! The CSV reader, then what the loop does with a table it accepts: profile it and fit a
//! default pipeline (with the last column as the target, and without one) and transform it.
//! Nothing may panic; every refusal is an `Err`.
#![no_main]

use driftlab::prep::PipelineSpec;
use driftlab::profile::Profile;
use driftlab::table::{read_csv, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(read) = read_csv(data, &ReadOptions::default()) else {
        return;
    };
    let table = read.table;
    let last = table.column_names().last().map(|s| s.to_string());
    for target in [None, last.as_deref()] {
        let _ = Profile::from_table(&table, target);
        if let Ok(spec) = PipelineSpec::default_for(&table, target) {
            if let Ok(fitted) = spec.fit(&table) {
                if let Ok(m) = fitted.transform(&table) {
                    assert_eq!(m.cols(), fitted.width());
                    assert!(m.data().iter().all(|x| x.is_finite()), "non-finite feature");
                }
            }
        }
    }
});
