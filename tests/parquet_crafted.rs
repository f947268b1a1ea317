//! The crafted Parquet files of `tests/common/parquet_cases.rs`, natively (the same cases run
//! in Wasm from `tests/wasm_node.rs`).
#![cfg(feature = "parquet")]

mod common {
    pub mod parquet_cases;
}
use common::parquet_cases as cases;

#[test]
fn the_crafted_well_formed_file_reads() {
    cases::the_crafted_well_formed_file_reads();
}

#[test]
fn a_page_declaring_two_gibibytes_is_refused_before_it_is_decompressed() {
    cases::a_page_declaring_two_gibibytes_is_refused_before_it_is_decompressed();
}

#[test]
fn a_footer_declaring_billions_of_rows_is_refused_before_reading() {
    cases::a_footer_declaring_billions_of_rows_is_refused_before_reading();
}

#[test]
fn a_dictionary_encoded_page_without_a_dictionary_is_refused() {
    cases::a_dictionary_encoded_page_without_a_dictionary_is_refused();
}

#[test]
fn a_row_group_of_another_schema_or_negative_offsets_is_refused() {
    cases::a_row_group_of_another_schema_or_negative_offsets_is_refused();
}

#[test]
fn a_page_header_declaring_a_list_of_billions_of_booleans_ends_at_its_bytes() {
    cases::a_page_header_declaring_a_list_of_billions_of_booleans_ends_at_its_bytes();
}

#[test]
fn a_string_length_past_its_page_is_refused_before_the_crate_decodes_it() {
    cases::a_string_length_past_its_page_is_refused_before_the_crate_decodes_it();
}

#[test]
fn strings_after_levels_are_walked_as_many_as_the_levels_say_are_not_null() {
    cases::strings_after_levels_are_walked_as_many_as_the_levels_say_are_not_null();
}

#[test]
fn delta_encoded_strings_are_refused_naming_the_encoding() {
    cases::delta_encoded_strings_are_refused_naming_the_encoding();
}
