//! Cases run inside Wasm, in Node (`tests/wasm_node.rs`) and in Chromium
//! (`tests/wasm_browser.rs`): the same fixtures as natively, the bad inputs, and the
//! facade's errors as JavaScript exceptions.

use driftlab::table::{read_csv, ReadOptions, TableError};
use driftlab::wasm::Workbench;
use wasm_bindgen::{JsCast, JsValue};

pub fn fingerprints_match_native() {
    super::consistency::check();
}

pub fn bad_inputs_give_errors_not_panics() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "empty"),
        (b"a,b\n", "no data rows"),
        (b"a,b\n1,2\n3\n", "line 3 (row 2)"),
        (b"a,b\n1,\xff\n", "not valid UTF-8"),
    ];
    for (bytes, needle) in cases {
        let e = read_csv(bytes, &ReadOptions::default()).unwrap_err();
        assert!(e.to_string().contains(needle), "{e}");
    }
    let ok = read_csv(
        b"\xEF\xBB\xBFa,b\r\n\"x, y\",inf\r\n",
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(ok.table.column_names(), ["a", "b"]);
    assert!(matches!(
        read_csv(b"a\n", &ReadOptions::default()),
        Err(TableError::NoRows { .. })
    ));
}

fn message(e: JsValue) -> String {
    e.dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

pub fn facade_errors_are_exceptions_and_keep_the_table() {
    let mut wb = Workbench::new();
    let loaded = wb
        .load_dataset("iris", JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    let rows = js_sys::Reflect::get(&loaded, &"rows".into()).unwrap();
    assert_eq!(rows.as_f64(), Some(150.0));
    let e = wb
        .load_csv(b"a,b\n1,2\n3\n", "bad.csv", None)
        .map_err(JsValue::from)
        .unwrap_err();
    let text = message(e);
    assert!(
        text.contains("bad.csv") && text.contains("line 3"),
        "{text}"
    );
    // the previous table is still loaded
    let profile = wb
        .profile(Some("species".into()))
        .map_err(JsValue::from)
        .unwrap();
    let n = js_sys::Reflect::get(&profile, &"rows".into()).unwrap();
    assert_eq!(n.as_f64(), Some(150.0));
    let e = wb
        .load_dataset("nope", JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(message(e).contains("iris"));
    let e = wb
        .profile(Some("nope".into()))
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(message(e).contains("species"));
}
