//! Awkward and hostile CSV input: every case gives a clear error that names where and
//! what to do, or a documented result; random bytes and random CSV-shaped text never
//! panic the reader, the profiler or the pipeline.

use driftlab::{
    prep::PipelineSpec,
    profile::Profile,
    table::{read_csv, Cell, ColumnKind, Limits, ReadOptions, TableError},
};
use proptest::prelude::*;

fn read(bytes: &[u8]) -> Result<driftlab::table::CsvRead, TableError> {
    read_csv(bytes, &ReadOptions::default())
}

/// Everything downstream of a successful read must work too.
fn exercise(bytes: &[u8]) {
    if let Ok(r) = read(bytes) {
        let p = Profile::from_table(&r.table, None).expect("profiling a read table cannot fail");
        assert_eq!(p.rows as usize, r.table.rows());
        serde_json::to_string(&p).expect("profiles serialize");
        if let Ok(spec) = PipelineSpec::default_for(&r.table, None) {
            if let Ok(fitted) = spec.fit(&r.table) {
                let m = fitted
                    .transform(&r.table)
                    .expect("a pipeline transforms its own training table");
                assert!(m.data().iter().all(|x| x.is_finite()));
            }
        }
    }
}

#[test]
fn errors_name_the_place_and_the_fix() {
    let cases: &[(&[u8], &[&str])] = &[
        (b"", &["empty", "header row"]),
        (b"   \n\n", &["empty"]),
        (b"a,b,c\n", &["no data rows", "add at least one row"]),
        (
            b"a,b\n1,2\n3,4,5\n",
            &["line 3 (row 2)", "3 fields", "header has 2"],
        ),
        (b"a,b\n1,2\n3\n", &["line 3 (row 2)", "1 field "]),
        (
            b"name,v\nok,1\n\xc3\x28,2\n",
            &["line 3 (row 2)", "\"name\"", "UTF-8"],
        ),
        (b"a,\xff\n1,2\n", &["the header", "column 2", "UTF-8"]),
    ];
    for (bytes, needles) in cases {
        let e = read(bytes).unwrap_err().to_string();
        for n in *needles {
            assert!(e.contains(n), "{e:?} should contain {n:?}");
        }
    }
}

#[test]
fn documented_results() {
    // BOM, CRLF, quoted commas, quotes and newlines, inf spellings, NaN spellings
    let r = read(b"\xEF\xBB\xBFid,text,x\r\n1,\"a, \"\"b\"\"\nc\",inf\r\n2,plain,-Infinity\r\n3,NA,NaN\r\n4,n/a,1e3\r\n").unwrap();
    let t = &r.table;
    assert_eq!(t.column_names(), ["id", "text", "x"]);
    assert_eq!(
        t.column("text").unwrap().get(0),
        Some(Cell::Category("a, \"b\"\nc"))
    );
    assert!(t.column("text").unwrap().is_missing(2) && t.column("text").unwrap().is_missing(3));
    let x = t.column("x").unwrap();
    assert_eq!(x.get(0), Some(Cell::Number(f64::INFINITY)));
    assert_eq!(x.get(1), Some(Cell::Number(f64::NEG_INFINITY)));
    assert!(x.is_missing(2));
    assert_eq!(x.get(3), Some(Cell::Number(1000.0)));
    let p = Profile::from_table(t, None).unwrap();
    assert_eq!(p.column("x").unwrap().numeric.as_ref().unwrap().infinite, 2);
    assert!(p
        .column("x")
        .unwrap()
        .warnings
        .iter()
        .any(|w| w.code == "infinite_values"));

    // duplicate and empty names are renamed, with notes
    let r = read(b"a,a,,b\n1,2,3,4\n").unwrap();
    assert_eq!(r.table.column_names(), ["a", "a_2", "column_3", "b"]);
    assert_eq!(r.notes.len(), 2);

    // a text cell in a numeric column: categorical, with a note naming the cell
    let r = read(b"amount\n1.5\n2\nabc\n4\n").unwrap();
    assert_eq!(r.table.columns()[0].kind(), ColumnKind::Categorical);
    assert!(r.notes[0].contains("line 4 (row 3)") && r.notes[0].contains("abc"));

    // hostile names are kept verbatim (the page renders them as text)
    let r = read(
        "<img src=x onerror=alert(1)>,\"a,b\",日本語,\"=cmd|' /C calc'!A0\"\n1,2,3,4\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(
        r.table.column_names(),
        [
            "<img src=x onerror=alert(1)>",
            "a,b",
            "日本語",
            "=cmd|' /C calc'!A0"
        ]
    );
}

#[test]
fn limits_are_errors_with_numbers() {
    let o = ReadOptions {
        limits: Limits {
            max_rows: 3,
            max_columns: 5,
            max_cell_bytes: 10,
        },
        ..Default::default()
    };
    let e = read_csv(b"a\n1\n2\n3\n4\n", &o).unwrap_err().to_string();
    assert!(e.contains("more than 3 rows"), "{e}");
    let e = read_csv(b"a,b,c,d,e,f\n1,2,3,4,5,6\n", &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("6 columns") && e.contains("limit of 5"), "{e}");
    let e = read_csv(b"a\n12345678901\n", &o).unwrap_err().to_string();
    assert!(
        e.contains("line 2 (row 1)") && e.contains("more than 10 bytes"),
        "{e}"
    );
    // 10,000 columns are within the default limit; 10,001 are not
    let wide = |n: usize| {
        let header: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        format!("{}\n{}\n", header.join(","), vec!["1"; n].join(","))
    };
    assert_eq!(
        read(wide(10_000).as_bytes()).unwrap().table.columns().len(),
        10_000
    );
    assert!(matches!(
        read(wide(10_001).as_bytes()),
        Err(TableError::TooManyColumns { .. })
    ));
}

#[test]
fn all_missing_and_constant_columns_are_flagged() {
    let r = read(b"gone,same,y\n,1,a\nNA,1,b\n,1,a\n").unwrap();
    let p = Profile::from_table(&r.table, Some("y")).unwrap();
    assert!(p
        .column("gone")
        .unwrap()
        .warnings
        .iter()
        .any(|w| w.code == "all_missing"));
    assert!(p
        .column("same")
        .unwrap()
        .warnings
        .iter()
        .any(|w| w.code == "constant"));
    exercise(b"gone,same,y\n,1,a\nNA,1,b\n,1,a\n");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        exercise(&bytes);
    }

    #[test]
    fn random_csv_shaped_text_never_panics(
        cells in proptest::collection::vec(
            prop_oneof![
                Just(String::new()), Just("NA".to_owned()), Just("\"".to_owned()), Just("\"a,b\"".to_owned()),
                Just("inf".to_owned()), Just("-nan".to_owned()), Just("true".to_owned()), Just("\u{feff}".to_owned()),
                Just("\r\n".to_owned()), Just("\n".to_owned()), Just(",".to_owned()), Just("1e308".to_owned()),
                Just("-0".to_owned()), Just("<b>x</b>".to_owned()), "[a-z]{1,5}", "-?[0-9]{1,6}(\\.[0-9]{1,3})?",
            ],
            0..60,
        ),
        separators in proptest::collection::vec(prop_oneof![Just(","), Just("\n"), Just("\r\n"), Just("")], 60),
    ) {
        let mut text = String::new();
        for (c, s) in cells.iter().zip(&separators) {
            text.push_str(c);
            text.push_str(s);
        }
        exercise(text.as_bytes());
    }
}
