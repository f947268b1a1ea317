//! Cases run inside Wasm, in Node (`tests/wasm_node.rs`) and in Chromium
//! (`tests/wasm_browser.rs`): the same fixtures as natively, the bad inputs, and the
//! facade's errors as JavaScript exceptions.

use driftlab::table::{read_csv, ReadOptions, TableError};
use driftlab::wasm::{Data, Model};
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
    let wb = Data::new();
    let loaded: JsValue = wb
        .load_dataset("iris", None)
        .map_err(JsValue::from)
        .unwrap()
        .into();
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
    let profile: JsValue = wb
        .profile(Some("species".into()))
        .map_err(JsValue::from)
        .unwrap()
        .into();
    let n = js_sys::Reflect::get(&profile, &"rows".into()).unwrap();
    assert_eq!(n.as_f64(), Some(150.0));
    let e = wb
        .load_dataset("nope", None)
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(message(e).contains("iris"));
    let e = wb
        .profile(Some("nope".into()))
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(message(e).contains("species"));
}

/// The bad-input corpus through the facade, as the page calls it: each case loads or
/// fails with its words (and a failed load keeps the table loaded before it), and each
/// loaded case trains a logistic model or fails with its words.
pub fn corpus_through_the_facade() {
    use super::corpus::{assert_words, cases, Read, Train};
    let rows_of = |v: &JsValue| {
        js_sys::Reflect::get(v, &"rows".into())
            .unwrap()
            .as_f64()
            .unwrap() as usize
    };
    let wb = Data::new();
    let model = Model::new(&wb);
    for case in cases() {
        wb.load_dataset("iris", None)
            .map_err(JsValue::from)
            .unwrap();
        let loaded = wb
            .load_csv(&case.bytes, "corpus.csv", None)
            .map(JsValue::from)
            .map_err(|e| message(JsValue::from(e)));
        match case.read {
            Read::Error(words) => {
                let text = loaded.expect_err(case.name);
                assert_words(case.name, &text, words);
                let kept = wb.profile(None).map_err(JsValue::from).unwrap().into();
                assert_eq!(rows_of(&kept), 150, "{}: the iris table stays", case.name);
            }
            Read::Table {
                rows,
                columns,
                target,
                train,
            } => {
                let loaded = loaded.unwrap_or_else(|e| panic!("{}: {e}", case.name));
                assert_eq!(rows_of(&loaded), rows, "{}", case.name);
                let cols = js_sys::Reflect::get(&loaded, &"columns".into()).unwrap();
                assert_eq!(js_sys::Array::from(&cols).length() as usize, columns);
                let request = js_sys::JSON::parse(&format!(
                    r#"{{"target": {target:?}, "model": "logistic", "params": {{}}}}"#
                ))
                .unwrap();
                let trained = model
                    .train(tsify::Ts::new_unchecked(request), None)
                    .map(JsValue::from)
                    .map_err(|e| message(JsValue::from(e)));
                match train {
                    Train::Scores => {
                        let out = trained.unwrap_or_else(|e| panic!("{}: {e}", case.name));
                        let text = js_sys::Reflect::get(&out, &"artifact".into()).unwrap();
                        assert!(text
                            .as_string()
                            .is_some_and(|t| t.contains("driftlab.artifact")));
                    }
                    Train::Error(words) => {
                        let text = trained.expect_err(case.name);
                        assert_words(case.name, &text, words);
                    }
                }
            }
        }
    }
}
