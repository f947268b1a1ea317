//! The bad-input corpus: awkward and hostile CSV files, each with the outcome it must
//! have on every surface — the CLI (`tests/corpus.rs`), the Wasm facade in Node and in
//! Chromium (`tests/common/wasm_cases.rs`) and the edge bundle in workerd
//! (`tests/edge/`). A read either fails with an error that contains the given words (the
//! row, the column and the fix), or loads the given shape; a loaded table then trains a
//! logistic model on its target or fails with words of its own.
#![allow(dead_code)] // each surface uses a part

/// What reading a case must give.
pub enum Read {
    /// An error containing every one of these words.
    Error(&'static [&'static str]),
    /// A table of `rows` × `columns`, trained on `target` with this outcome.
    Table {
        rows: usize,
        columns: usize,
        target: &'static str,
        train: Train,
    },
}

/// What training a logistic model on a loaded case must give.
pub enum Train {
    /// A model that scores every row of the file.
    Scores,
    /// An error containing every one of these words.
    Error(&'static [&'static str]),
}

/// One file of the corpus.
pub struct Case {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub read: Read,
}

/// Asserts that an error message holds every word a case expects of it.
pub fn assert_words(case: &str, text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "{case}: {text:?} should contain {w:?}");
    }
}

fn case(name: &'static str, bytes: impl Into<Vec<u8>>, read: Read) -> Case {
    Case {
        name,
        bytes: bytes.into(),
        read,
    }
}

fn table(rows: usize, columns: usize, target: &'static str, train: Train) -> Read {
    Read::Table {
        rows,
        columns,
        target,
        train,
    }
}

/// A small two-class table with `header` as its first line and `x,y` rows after it.
fn labelled(header: &str, rows: usize) -> String {
    let mut s = format!("{header}\n");
    for i in 0..rows {
        s.push_str(&format!(
            "{},{}\n",
            i % 7,
            if i % 3 == 0 { "a" } else { "b" }
        ));
    }
    s
}

/// Every case. The large ones (10,000 columns, a 50 MB line) are built here, not stored.
pub fn cases() -> Vec<Case> {
    let wide = {
        let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
        let mut s = header.join(",") + "\n";
        for r in 0..4 {
            let row: Vec<String> = (0..10_000)
                .map(|i| {
                    if i == 9_999 {
                        ["a", "b"][r % 2].to_owned()
                    } else {
                        ((i + r) % 5).to_string()
                    }
                })
                .collect();
            s += &(row.join(",") + "\n");
        }
        s
    };
    let huge_line = {
        let mut s = b"note,y\n\"".to_vec();
        s.extend(std::iter::repeat_n(b'z', 50 * 1024 * 1024));
        s.extend_from_slice(b"\",a\n");
        s
    };
    vec![
        case("empty file", "", Read::Error(&["empty", "header row"])),
        case(
            "header only",
            "x,y\n",
            Read::Error(&["no data rows", "add at least one row"]),
        ),
        case(
            "ragged rows",
            "x,y\n1,a\n2,b,3\n",
            Read::Error(&["line 3 (row 2)", "3 fields", "header has 2"]),
        ),
        case(
            "byte-order mark",
            format!("\u{feff}{}", labelled("x,y", 12)),
            table(12, 2, "y", Train::Scores),
        ),
        case(
            "CRLF line ends",
            labelled("x,y", 12).replace('\n', "\r\n"),
            table(12, 2, "y", Train::Scores),
        ),
        case(
            "quoted newlines and commas",
            "x,note,y\n1,\"two\nlines, and a comma\",a\n2,plain,b\n3,\"say \"\"hi\"\"\",a\n4,x,b\n5,y,a\n6,z,b\n",
            table(6, 3, "y", Train::Scores),
        ),
        case(
            "NaN and inf spellings",
            "x,z,y\n1,NaN,a\n2,inf,b\n3,-Infinity,a\n4,NA,b\n5,nan,a\n6,1e308,b\n7,,a\n8,n/a,b\n",
            table(8, 3, "y", Train::Scores),
        ),
        case(
            "invalid UTF-8 in a cell",
            b"name,y\nok,a\n\xc3\x28,b\n".to_vec(),
            Read::Error(&["line 3 (row 2)", "\"name\"", "UTF-8"]),
        ),
        case(
            "invalid UTF-8 in the header",
            b"x,\xff\n1,2\n".to_vec(),
            Read::Error(&["the header", "column 2", "UTF-8"]),
        ),
        case("10,000 columns", wide, table(4, 10_000, "c9999", Train::Scores)),
        case(
            "a single 50 MB line",
            huge_line,
            Read::Error(&["line 2 (row 1)", "\"note\"", "more than 1048576 bytes"]),
        ),
        case(
            "duplicate and empty headers",
            labelled("x,y", 12).replacen("x,y", "x,x,,y", 1).replace(
                ",a\n", ",1,2,a\n",
            ).replace(",b\n", ",3,4,b\n"),
            table(12, 4, "y", Train::Scores),
        ),
        case(
            "an all-missing column",
            "x,gone,y\n1,,a\n2,NA,b\n3,,a\n4,,b\n5,,a\n6,,b\n",
            table(6, 3, "y", Train::Scores),
        ),
        case(
            "a constant column",
            "x,same,y\n1,7,a\n2,7,b\n3,7,a\n4,7,b\n5,7,a\n6,7,b\n",
            table(6, 3, "y", Train::Scores),
        ),
        case(
            "a target with one class",
            "x,y\n1,a\n2,a\n3,a\n4,a\n",
            table(4, 2, "y", Train::Error(&["\"y\" has only one class", "\"a\"", "pick another target"])),
        ),
        case(
            "a class with one row",
            "x,y\n1,a\n2,a\n3,b\n4,a\n5,b\n6,c\n",
            table(6, 2, "y", Train::Scores),
        ),
        case(
            "Unicode and hostile column names",
            "<img src=x onerror=alert(1)>,\"a,b\",日本語,\"=cmd|' /C calc'!A0\",../../etc/passwd,y\n\
             1,2,3,4,5,a\n2,3,4,5,6,b\n3,4,5,6,7,a\n4,5,6,7,8,b\n5,6,7,8,9,a\n6,7,8,9,1,b\n",
            table(6, 6, "y", Train::Scores),
        ),
    ]
}
