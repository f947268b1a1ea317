//! The core inside WebAssembly, in Node (wasm-bindgen-test). Native builds skip this file.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]

mod common {
    pub mod consistency;
    pub mod corpus;
    pub mod wasm_cases;
}
use common::wasm_cases as cases;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn fingerprints_match_native() {
    cases::fingerprints_match_native();
}

#[wasm_bindgen_test]
fn bad_inputs_give_errors_not_panics() {
    cases::bad_inputs_give_errors_not_panics();
}

#[wasm_bindgen_test]
fn facade_errors_are_exceptions_and_keep_the_table() {
    cases::facade_errors_are_exceptions_and_keep_the_table();
}
