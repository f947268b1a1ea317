//! The edge scorer's decimal parser (`driftlab::decimal::parse_f64`) against
//! `str::parse::<f64>` on whatever text libFuzzer makes: the same bits, or both refuse.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let ours = driftlab::decimal::parse_f64(s).map(f64::to_bits);
    let core = s.parse::<f64>().ok().map(f64::to_bits);
    assert_eq!(ours, core, "{s:?}");
});
