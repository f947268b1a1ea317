//! Parquet files no writer would make, crafted byte by byte (a page header, a footer
//! written by the `parquet` crate's metadata writer): a page that declares 2 GiB, a footer
//! that declares billions of rows, a dictionary-encoded page with no dictionary, a row
//! group whose column chunk is not of the schema's type, negative offsets. Each gets a
//! clear error naming where, never a panic and never an allocation of the declared size
//! (issue #20). The same files are seeds of the `parquet` fuzz target.
//!
//! The cases are plain functions: `tests/parquet_crafted.rs` runs them natively and
//! `tests/wasm_node.rs` in Wasm, where a usize is 32 bits wide (a length prefix near 4 GiB
//! wraps there) and a panic aborts the module instead of unwinding to the reader's net.

use driftlab::table::{read_parquet, ParquetBatches, ReadOptions, TableError};
use parquet::basic::{Compression, Encoding, Repetition, Type as Physical};
use parquet::file::metadata::{
    ColumnChunkMetaData, FileMetaData, ParquetMetaData, ParquetMetaDataWriter, RowGroupMetaData,
};
use parquet::schema::types::{SchemaDescriptor, Type};
use std::sync::Arc;

fn varint(out: &mut Vec<u8>, mut z: u64) {
    while z >= 0x80 {
        out.push((z as u8) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

fn i32_field(out: &mut Vec<u8>, delta: u8, v: i32) {
    out.push((delta << 4) | 5);
    varint(out, ((v << 1) ^ (v >> 31)) as u32 as u64);
}

/// A v1 data page header (PLAIN or a dictionary encoding) in Thrift's compact protocol.
fn data_page_header(uncompressed: i32, compressed: i32, values: i32, encoding: i32) -> Vec<u8> {
    let mut h = Vec::new();
    i32_field(&mut h, 1, 0); // type: DATA_PAGE
    i32_field(&mut h, 1, uncompressed);
    i32_field(&mut h, 1, compressed);
    h.push((2 << 4) | 12); // field 5: data_page_header
    i32_field(&mut h, 1, values);
    i32_field(&mut h, 1, encoding);
    i32_field(&mut h, 1, 3); // definition levels: RLE
    i32_field(&mut h, 1, 3); // repetition levels: RLE
    h.push(0);
    h.push(0);
    h
}

struct Chunk {
    physical: Physical,
    offset: i64,
    size: i64,
    values: i64,
    /// Column chunks in the row group (the schema has one).
    columns: usize,
}

/// `PAR1`, `pages`, and a footer of one required column `x` (DOUBLE) describing row groups
/// of `chunks` and `rows` each.
fn file(pages: &[u8], groups: &[(i64, Chunk)], codec: Compression) -> Vec<u8> {
    let schema = |physical| {
        let x = Type::primitive_type_builder("x", physical)
            .with_repetition(Repetition::REQUIRED)
            .build()
            .unwrap();
        Arc::new(SchemaDescriptor::new(Arc::new(
            Type::group_type_builder("schema")
                .with_fields(vec![Arc::new(x)])
                .build()
                .unwrap(),
        )))
    };
    let descr = schema(Physical::DOUBLE);
    let row_groups = groups
        .iter()
        .map(|(rows, c)| {
            let chunk_schema = schema(c.physical);
            let column = ColumnChunkMetaData::builder(chunk_schema.column(0))
                .set_compression(codec)
                .set_encodings(vec![Encoding::PLAIN])
                .set_data_page_offset(c.offset)
                .set_total_compressed_size(c.size)
                .set_total_uncompressed_size(c.size)
                .set_num_values(c.values)
                .build()
                .unwrap();
            // a row group of two columns is built against a schema of two
            let group_schema = if c.columns == 1 {
                descr.clone()
            } else {
                let x = |name| {
                    Arc::new(
                        Type::primitive_type_builder(name, Physical::DOUBLE)
                            .with_repetition(Repetition::REQUIRED)
                            .build()
                            .unwrap(),
                    )
                };
                Arc::new(SchemaDescriptor::new(Arc::new(
                    Type::group_type_builder("schema")
                        .with_fields(vec![x("x"), x("y")])
                        .build()
                        .unwrap(),
                )))
            };
            let columns = (0..c.columns)
                .map(|i| {
                    ColumnChunkMetaData::builder(group_schema.column(i))
                        .set_compression(codec)
                        .set_encodings(vec![Encoding::PLAIN])
                        .set_data_page_offset(c.offset)
                        .set_total_compressed_size(c.size)
                        .set_total_uncompressed_size(c.size)
                        .set_num_values(c.values)
                        .build()
                        .unwrap()
                })
                .collect::<Vec<_>>();
            let columns = if c.columns == 1 {
                vec![column]
            } else {
                columns
            };
            RowGroupMetaData::builder(group_schema)
                .set_num_rows(*rows)
                .set_column_metadata(columns)
                .build()
                .unwrap()
        })
        .collect();
    let total = groups.iter().map(|(r, _)| r).sum();
    let meta = ParquetMetaData::new(
        FileMetaData::new(1, total, None, None, descr.clone(), None),
        row_groups,
    );
    let mut out = b"PAR1".to_vec();
    out.extend_from_slice(pages);
    ParquetMetaDataWriter::new(&mut out, &meta)
        .finish()
        .unwrap();
    out
}

/// Three doubles, PLAIN, uncompressed: a well-formed page.
fn good_page() -> Vec<u8> {
    let body: Vec<u8> = [1.5f64, 2.5, 3.5]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let mut p = data_page_header(24, 24, 3, 0);
    p.extend(body);
    p
}

fn chunk(offset: i64, size: usize, values: i64) -> Chunk {
    Chunk {
        physical: Physical::DOUBLE,
        offset,
        size: size as i64,
        values,
        columns: 1,
    }
}

fn read(bytes: Vec<u8>) -> Result<usize, TableError> {
    read_parquet(bytes, &ReadOptions::default()).map(|r| r.table.rows())
}

pub fn the_crafted_well_formed_file_reads() {
    let page = good_page();
    let f = file(
        &page,
        &[(3, chunk(4, page.len(), 3))],
        Compression::UNCOMPRESSED,
    );
    assert_eq!(read(f).unwrap(), 3);
}

pub fn a_page_declaring_two_gibibytes_is_refused_before_it_is_decompressed() {
    // snappy: the parquet crate would reserve the declared size to decompress into
    let mut page = data_page_header(i32::MAX, 24, 3, 0);
    page.extend([0u8; 24]);
    let f = file(&page, &[(3, chunk(4, page.len(), 3))], Compression::SNAPPY);
    let e = read(f).unwrap_err().to_string();
    assert!(
        e.contains("row group 1, column \"x\"") && e.contains("2147483647 bytes decompressed"),
        "{e}"
    );
    let mut page = data_page_header(-5, 24, 3, 0);
    page.extend([0u8; 24]);
    let f = file(&page, &[(3, chunk(4, page.len(), 3))], Compression::SNAPPY);
    assert!(read(f).unwrap_err().to_string().contains("negative size"));
}

pub fn a_footer_declaring_billions_of_rows_is_refused_before_reading() {
    let page = good_page();
    let f = file(
        &page,
        &[(3_000_000_000, chunk(4, page.len(), 3))],
        Compression::UNCOMPRESSED,
    );
    assert!(matches!(
        read(f.clone()),
        Err(TableError::TooManyRows { .. })
    ));
    // without the limit the reader finds three rows where billions were declared, having
    // allocated for what it read, not for what was declared
    let mut o = ReadOptions::default();
    o.limits.max_rows = usize::MAX;
    let e = read_parquet(f.clone(), &o).unwrap_err().to_string();
    assert!(
        e.contains("row group 1, column \"x\"") && e.contains("cut short or corrupt"),
        "{e}"
    );
    let mut batches = ParquetBatches::from_bytes(f, &o).unwrap();
    assert_eq!(batches.declared_rows(), 3_000_000_000);
    assert!(batches.next_table().is_err());
    // a negative count
    let f = file(
        &page,
        &[(-1, chunk(4, page.len(), 3))],
        Compression::UNCOMPRESSED,
    );
    assert!(read(f).is_err());
}

pub fn a_dictionary_encoded_page_without_a_dictionary_is_refused() {
    let mut page = data_page_header(4, 4, 3, 8); // RLE_DICTIONARY, no dictionary page
    page.extend([1u8, 6, 0, 0]);
    let f = file(
        &page,
        &[(3, chunk(4, page.len(), 3))],
        Compression::UNCOMPRESSED,
    );
    let e = read(f).unwrap_err().to_string();
    assert!(e.contains("dictionary that no page before it holds"), "{e}");
    let mut page = data_page_header(24, 24, 3, 9); // BYTE_STREAM_SPLIT
    page.extend([0u8; 24]);
    let f = file(
        &page,
        &[(3, chunk(4, page.len(), 3))],
        Compression::UNCOMPRESSED,
    );
    let e = read(f).unwrap_err().to_string();
    assert!(
        e.contains("column \"x\"") && e.contains("BYTE_STREAM_SPLIT") && e.contains("re-write"),
        "{e}"
    );
}

pub fn a_row_group_of_another_schema_or_negative_offsets_is_refused() {
    let page = good_page();
    // a second row group with two column chunks where the schema has one
    let mut other = chunk(4, page.len(), 3);
    other.columns = 2;
    let f = file(
        &page,
        &[(3, chunk(4, page.len(), 3)), (3, other)],
        Compression::UNCOMPRESSED,
    );
    let e = read(f).unwrap_err().to_string();
    assert!(e.contains("row group 2") || e.contains("footer"), "{e}");
    eprintln!("{e}");
    // a chunk whose footer entry names another type: the crate reads by the schema's
    // type, so the bytes are read as doubles (or refused), never a panic
    let mut other = chunk(4, page.len(), 3);
    other.physical = Physical::INT64;
    let f = file(
        &page,
        &[(3, chunk(4, page.len(), 3)), (3, other)],
        Compression::UNCOMPRESSED,
    );
    let _ = read(f);
    for (offset, size) in [(-4, page.len() as i64), (4, -1)] {
        let mut c = chunk(offset, 0, 3);
        c.size = size;
        let f = file(&page, &[(3, c)], Compression::UNCOMPRESSED);
        assert!(read(f).is_err());
    }
}

pub fn a_page_header_declaring_a_list_of_billions_of_booleans_ends_at_its_bytes() {
    // found by the `parquet` fuzz target: the header walk skipped such a list without
    // consuming a byte per element, and looped for ever
    let mut page = data_page_header(24, 24, 3, 0);
    page.pop(); // reopen the header struct
    page.push((1 << 4) | 9); // field 6 (unknown here): a list
    page.push(0xf1); // of booleans, size follows
    varint(&mut page, 1 << 60);
    page.extend([0u8; 24]);
    let f = file(
        &page,
        &[(3, chunk(4, page.len(), 3))],
        Compression::UNCOMPRESSED,
    );
    // (Wasm has no clock here: an endless walk would end at the test runner's timeout)
    #[cfg(not(target_arch = "wasm32"))]
    let started = std::time::Instant::now();
    assert!(read(f).is_err());
    #[cfg(not(target_arch = "wasm32"))]
    assert!(started.elapsed().as_secs() < 10);
}

/// A v2 data page header (levels uncompressed before the values, their sizes in the header).
fn data_page_v2_header(
    sizes: (i32, i32),
    values: i32,
    nulls: i32,
    encoding: i32,
    def: i32,
) -> Vec<u8> {
    let mut h = Vec::new();
    i32_field(&mut h, 1, 3); // type: DATA_PAGE_V2
    i32_field(&mut h, 1, sizes.0); // decompressed
    i32_field(&mut h, 1, sizes.1); // stored
    h.push((5 << 4) | 12); // field 8: data_page_header_v2
    i32_field(&mut h, 1, values);
    i32_field(&mut h, 1, nulls);
    i32_field(&mut h, 1, values); // rows
    i32_field(&mut h, 1, encoding);
    i32_field(&mut h, 1, def); // definition levels' bytes
    i32_field(&mut h, 1, 0); // repetition levels' bytes
    h.push((1 << 4) | 2); // is_compressed: false
    h.push(0);
    h.push(0);
    h
}

/// `PAR1`, one page and a footer of one string column `s` (BYTE_ARRAY, optional or not)
/// in one uncompressed row group of `rows`.
fn string_file(page: &[u8], rows: i64, optional: bool) -> Vec<u8> {
    let s = Type::primitive_type_builder("s", Physical::BYTE_ARRAY)
        .with_repetition(if optional {
            Repetition::OPTIONAL
        } else {
            Repetition::REQUIRED
        })
        .build()
        .unwrap();
    let descr = Arc::new(SchemaDescriptor::new(Arc::new(
        Type::group_type_builder("schema")
            .with_fields(vec![Arc::new(s)])
            .build()
            .unwrap(),
    )));
    let column = ColumnChunkMetaData::builder(descr.column(0))
        .set_compression(Compression::UNCOMPRESSED)
        .set_encodings(vec![Encoding::PLAIN])
        .set_data_page_offset(4)
        .set_total_compressed_size(page.len() as i64)
        .set_total_uncompressed_size(page.len() as i64)
        .set_num_values(rows)
        .build()
        .unwrap();
    let group = RowGroupMetaData::builder(descr.clone())
        .set_num_rows(rows)
        .set_column_metadata(vec![column])
        .build()
        .unwrap();
    let meta = ParquetMetaData::new(
        FileMetaData::new(1, rows, None, None, descr, None),
        vec![group],
    );
    let mut out = b"PAR1".to_vec();
    out.extend_from_slice(page);
    ParquetMetaDataWriter::new(&mut out, &meta)
        .finish()
        .unwrap();
    out
}

/// PLAIN strings: each a 4-byte length and its bytes.
fn plain(strings: &[&str]) -> Vec<u8> {
    strings
        .iter()
        .flat_map(|s| {
            let mut v = (s.len() as u32).to_le_bytes().to_vec();
            v.extend_from_slice(s.as_bytes());
            v
        })
        .collect()
}

fn v1_string_page(body: &[u8], values: i32, encoding: i32) -> Vec<u8> {
    let mut p = data_page_header(body.len() as i32, body.len() as i32, values, encoding);
    p.extend_from_slice(body);
    p
}

pub fn a_string_length_past_its_page_is_refused_before_the_crate_decodes_it() {
    // well-formed: three strings in a required column
    let f = string_file(&v1_string_page(&plain(&["a", "bb", "c"]), 3, 0), 3, false);
    assert_eq!(read(f).unwrap(), 3);
    // the page ends two bytes into the third length (the crate panics reading it)
    let mut body = plain(&["a", "bb"]);
    body.extend([1, 0]);
    let f = string_file(&v1_string_page(&body, 3, 0), 3, false);
    let e = read(f).unwrap_err().to_string();
    assert!(
        e.contains("column \"s\"")
            && e.contains("end inside the length of string 3")
            && e.contains("export it again"),
        "{e}"
    );
    // the third length runs past the page (near 4 GiB, it wraps in Wasm's 32-bit words)
    for len in [200u32, u32::MAX - 2] {
        let mut body = plain(&["a", "bb"]);
        body.extend(len.to_le_bytes());
        body.push(b'c');
        let f = string_file(&v1_string_page(&body, 3, 0), 3, false);
        let e = read(f).unwrap_err().to_string();
        assert!(
            e.contains("column \"s\"")
                && e.contains(&format!("string 3 of a data page declares {len} bytes")),
            "{e}"
        );
    }
}

pub fn strings_after_levels_are_walked_as_many_as_the_levels_say_are_not_null() {
    // definition levels 1, 0, 1: one bit-packed group (header 3), bits 0b101
    let levels = [3u8, 5];
    // v1: the levels open with their size in 4 bytes, then the values
    let mut body = vec![2, 0, 0, 0];
    body.extend(levels);
    body.extend(plain(&["a", "c"]));
    let f = string_file(&v1_string_page(&body, 3, 0), 3, true);
    assert_eq!(read(f).unwrap(), 3);
    body.truncate(body.len() - 3); // the second string's length cut short
    let f = string_file(&v1_string_page(&body, 3, 0), 3, true);
    let e = read(f).unwrap_err().to_string();
    assert!(e.contains("end inside the length of string 2"), "{e}");
    // v2: the levels (uncompressed, their size in the header) before the values
    let page = |values: &[u8]| {
        let mut body = levels.to_vec();
        body.extend_from_slice(values);
        let n = body.len() as i32;
        let mut p = data_page_v2_header((n, n), 3, 1, 0, levels.len() as i32);
        p.extend(body);
        p
    };
    assert_eq!(
        read(string_file(&page(&plain(&["a", "c"])), 3, true)).unwrap(),
        3
    );
    let mut values = plain(&["a"]);
    values.extend(9u32.to_le_bytes());
    values.push(b'c');
    let e = read(string_file(&page(&values), 3, true))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("string 2 of a data page declares 9 bytes"),
        "{e}"
    );
    // v2 level sizes within the declared decompressed size but past the bytes an
    // uncompressed page holds (the crate slices the page with them)
    let mut p = data_page_v2_header((40, 4), 3, 1, 0, 40);
    p.extend([3u8, 5, 0, 0]);
    let e = read(string_file(&p, 3, true)).unwrap_err().to_string();
    assert!(
        e.contains("column \"s\"") && e.contains("declares 40 bytes of levels but holds 4"),
        "{e}"
    );
}

pub fn delta_encoded_strings_are_refused_naming_the_encoding() {
    for (encoding, name) in [(6, "DELTA_LENGTH_BYTE_ARRAY"), (7, "DELTA_BYTE_ARRAY")] {
        let f = string_file(&v1_string_page(&[0u8; 8], 3, encoding), 3, false);
        let e = read(f).unwrap_err().to_string();
        assert!(
            e.contains("column \"s\"") && e.contains(name) && e.contains("re-write"),
            "{e}"
        );
    }
}
