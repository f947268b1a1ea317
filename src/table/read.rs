//! Reading CSV bytes into a [`Table`].

use super::{Column, ColumnData, ColumnKind, Interner, Table, TableError, MISSING_CODE};
use std::collections::BTreeMap;

/// The cell spellings read as missing (pandas' default set, case-sensitive), besides the
/// empty cell. Cells are trimmed of surrounding spaces before this test.
pub const MISSING_TOKENS: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// Limits that keep a hostile or mistaken file from exhausting memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most data rows. Default: 10,000,000.
    pub max_rows: usize,
    /// Most columns. Default: 10,000.
    pub max_columns: usize,
    /// Longest cell in bytes. Default: 1 MiB.
    pub max_cell_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_rows: 10_000_000,
            max_columns: 10_000,
            max_cell_bytes: 1 << 20,
        }
    }
}

/// How to read a CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadOptions {
    /// The field delimiter. Default: `,`.
    pub delimiter: u8,
    /// Kinds forced for named columns, overriding inference. Default: none.
    pub kinds: BTreeMap<String, ColumnKind>,
    /// Size limits. Default: [`Limits::default`].
    pub limits: Limits,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            delimiter: b',',
            kinds: BTreeMap::new(),
            limits: Limits::default(),
        }
    }
}

/// A table read from CSV, with notes on what the reader decided for you.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvRead {
    /// The table.
    pub table: Table,
    /// Sentences on renamed columns, columns that look numeric but hold text, and the like.
    pub notes: Vec<String>,
}

/// Reads CSV bytes into a typed table.
///
/// The rules, each deterministic:
/// - The first record is the header. A UTF-8 byte-order mark is skipped; `\n` and `\r\n`
///   line ends both work; fields may be quoted (`"a, b"`, `"line\nbreak"`, `""` for a quote).
/// - Cells are trimmed of surrounding spaces. A cell in [`MISSING_TOKENS`] is missing.
/// - An empty header name becomes `column_N` (N = 1-based position); a repeated name gets
///   `_2`, `_3`, … appended. Both are reported in the notes.
/// - Inference per column, over its non-missing cells: all `true`/`false` (any case) →
///   boolean; all numbers (`1`, `-2.5e3`, `inf`, `-Infinity`, …) → numeric; otherwise
///   categorical. A column with no values at all is numeric. A column where most cells are
///   numbers but some are text is read as categorical, and a note names the first text cell.
///   [`ReadOptions::kinds`] forces a kind; a cell that does not fit it is an error naming
///   its line, row and column.
/// - Blank lines are skipped. A record with more or fewer fields than the header is an error.
/// - Invalid UTF-8, a cell over the size limit, too many rows or columns, an empty file,
///   and a header with no rows are errors. Nothing panics.
pub fn read_csv(bytes: &[u8], options: &ReadOptions) -> Result<CsvRead, TableError> {
    read_csv_with_progress(bytes, options, &mut |_, _| {})
}

/// Bytes read between two calls of the progress callback of [`read_csv_with_progress`].
pub const PROGRESS_EVERY_BYTES: usize = 1 << 20;

/// [`read_csv`] that calls `progress(bytes_consumed, total_bytes)` about every
/// [`PROGRESS_EVERY_BYTES`] bytes of input and once at the end of the records (with
/// `bytes_consumed == total_bytes`), before the columns are typed. The table, the notes
/// and the errors are exactly those of [`read_csv`].
pub fn read_csv_with_progress(
    bytes: &[u8],
    options: &ReadOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CsvRead, TableError> {
    let total = bytes.len();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let skipped = total - bytes.len();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TableError::Empty);
    }
    let limits = options.limits;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(options.delimiter)
        .from_reader(bytes);

    let mut record = csv::ByteRecord::new();
    let mut notes = Vec::new();
    if !read_record(&mut reader, &mut record)? {
        return Err(TableError::Empty);
    }
    if record.len() > limits.max_columns {
        return Err(TableError::TooManyColumns {
            found: record.len(),
            limit: limits.max_columns,
        });
    }
    let names = header_names(&record, limits, &mut notes)?;
    for name in options.kinds.keys() {
        if !names.contains(name) {
            return Err(TableError::UnknownColumn {
                column: name.clone(),
                available: names.join(", "),
            });
        }
    }
    let mut raw: Vec<RawColumn> = names.iter().map(|_| RawColumn::default()).collect();
    let mut lines = Vec::new();
    let mut row = 0usize;
    let mut next_report = PROGRESS_EVERY_BYTES;
    while read_record(&mut reader, &mut record)? {
        let consumed = skipped + reader.position().byte() as usize;
        if consumed >= next_report {
            progress(consumed.min(total), total);
            next_report = consumed + PROGRESS_EVERY_BYTES;
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() && names.len() > 1 {
            continue; // a line of only spaces
        }
        row += 1;
        if row > limits.max_rows {
            return Err(TableError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        // an over-long cell first: it usually means an unclosed quote, which also makes the row ragged
        if let Some(i) = record.iter().position(|f| f.len() > limits.max_cell_bytes) {
            let column = names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("column {}", i + 1));
            return Err(TableError::CellTooLarge {
                line,
                row,
                column,
                limit: limits.max_cell_bytes,
            });
        }
        if record.len() != names.len() {
            return Err(TableError::Ragged {
                line,
                row,
                found: record.len(),
                expected: names.len(),
            });
        }
        for ((field, col), name) in record.iter().zip(raw.iter_mut()).zip(&names) {
            let text = std::str::from_utf8(field).map_err(|_| TableError::InvalidUtf8 {
                line,
                row,
                column: name.clone(),
            })?;
            col.push(text);
        }
        lines.push(line);
    }
    progress(total, total);
    if row == 0 {
        return Err(TableError::NoRows {
            columns: names.len(),
        });
    }
    let columns = names
        .into_iter()
        .zip(raw)
        .map(|(name, col)| {
            let forced = options.kinds.get(&name).copied();
            col.into_column(name, forced, &lines, &mut notes)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CsvRead {
        table: Table::new(columns)?,
        notes,
    })
}

/// Reads one record; `false` at the end of input.
fn read_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::ByteRecord,
) -> Result<bool, TableError> {
    reader
        .read_byte_record(record)
        .map_err(|e| TableError::Malformed {
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })
}

fn header_names(
    record: &csv::ByteRecord,
    limits: Limits,
    notes: &mut Vec<String>,
) -> Result<Vec<String>, TableError> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (i, field) in record.iter().enumerate() {
        let position = format!("column {}", i + 1);
        if field.len() > limits.max_cell_bytes {
            return Err(TableError::CellTooLarge {
                line: 1,
                row: 0,
                column: position,
                limit: limits.max_cell_bytes,
            });
        }
        let name = std::str::from_utf8(field).map_err(|_| TableError::InvalidUtf8 {
            line: 1,
            row: 0,
            column: position,
        })?;
        let mut name = if name.is_empty() {
            let fresh = format!("column_{}", i + 1);
            notes.push(format!(
                "column {} has no name in the header; it is called {fresh:?}",
                i + 1
            ));
            fresh
        } else {
            name.to_owned()
        };
        if names.contains(&name) {
            let base = name.clone();
            let mut k = 2;
            while names.contains(&name) {
                name = format!("{base}_{k}");
                k += 1;
            }
            notes.push(format!(
                "the header repeats the name {base:?}; column {} is called {name:?}",
                i + 1
            ));
        }
        names.push(name);
    }
    Ok(names)
}

/// The cells of one column as text: one buffer and the end offset of each cell.
#[derive(Default)]
struct RawColumn {
    text: String,
    ends: Vec<usize>,
}

impl RawColumn {
    fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends.push(self.text.len());
    }

    fn cells(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter()).map(|(s, &e)| &self.text[s..e])
    }

    fn into_column(
        self,
        name: String,
        forced: Option<ColumnKind>,
        lines: &[u64],
        notes: &mut Vec<String>,
    ) -> Result<Column, TableError> {
        let (kind, parsed) = match forced {
            Some(kind) => (kind, None),
            None => self.infer(&name, lines, notes),
        };
        let data = match kind {
            // inference already parsed every cell of a numeric column
            ColumnKind::Numeric if parsed.is_some() => {
                ColumnData::Numeric(parsed.unwrap_or_default())
            }
            ColumnKind::Numeric => {
                let mut values = Vec::with_capacity(self.ends.len());
                for (i, cell) in self.cells().enumerate() {
                    match parse_number(cell) {
                        Some(x) => values.push(x),
                        None if is_missing(cell) => values.push(f64::NAN),
                        None => {
                            return Err(TableError::NotANumber {
                                line: lines.get(i).copied().unwrap_or(0),
                                row: i + 1,
                                column: name,
                                value: shorten(cell),
                            })
                        }
                    }
                }
                ColumnData::Numeric(values)
            }
            ColumnKind::Boolean => {
                let mut values = Vec::with_capacity(self.ends.len());
                for (i, cell) in self.cells().enumerate() {
                    match parse_bool(cell) {
                        Some(b) => values.push(Some(b)),
                        None if is_missing(cell) => values.push(None),
                        None => {
                            return Err(TableError::NotABoolean {
                                line: lines.get(i).copied().unwrap_or(0),
                                row: i + 1,
                                column: name,
                                value: shorten(cell),
                            })
                        }
                    }
                }
                ColumnData::Boolean(values)
            }
            ColumnKind::Categorical => {
                let mut interner = Interner::default();
                let codes = self
                    .cells()
                    .map(|cell| {
                        if is_missing(cell) {
                            MISSING_CODE
                        } else {
                            interner.code(cell)
                        }
                    })
                    .collect();
                ColumnData::Categorical {
                    codes,
                    levels: interner.levels,
                }
            }
        };
        Ok(Column { name, data })
    }

    /// The inferred kind and, for a numeric column, its values (parsed once).
    fn infer(
        &self,
        name: &str,
        lines: &[u64],
        notes: &mut Vec<String>,
    ) -> (ColumnKind, Option<Vec<f64>>) {
        let (mut numbers, mut bools, mut present) = (0usize, 0usize, 0usize);
        let mut first_text: Option<(usize, &str)> = None;
        // kept while every present cell is a number
        let mut values: Option<Vec<f64>> = Some(Vec::with_capacity(self.ends.len()));
        for (i, cell) in self.cells().enumerate() {
            if is_missing(cell) {
                if let Some(v) = values.as_mut() {
                    v.push(f64::NAN);
                }
                continue;
            }
            present += 1;
            if let Some(x) = parse_number(cell) {
                numbers += 1;
                if let Some(v) = values.as_mut() {
                    v.push(x);
                }
                continue;
            }
            values = None;
            if parse_bool(cell).is_some() {
                bools += 1;
            } else if first_text.is_none() {
                first_text = Some((i, cell));
            }
        }
        if present == 0 || numbers == present {
            return (ColumnKind::Numeric, values);
        }
        if bools == present {
            return (ColumnKind::Boolean, None);
        }
        if let Some((i, cell)) = first_text {
            if numbers * 2 > present {
                notes.push(format!(
                    "column {name:?} looks numeric ({numbers} of {present} values are numbers) but line {} (row {}) holds {:?}, so it was read as categorical: fix or empty the text cells to read it as numbers",
                    lines.get(i).copied().unwrap_or(0),
                    i + 1,
                    shorten(cell)
                ));
            }
        }
        (ColumnKind::Categorical, None)
    }
}

fn is_missing(cell: &str) -> bool {
    // every token is at most 8 bytes and starts with one of a few bytes: most cells fail fast
    cell.len() <= 8
        && cell
            .as_bytes()
            .first()
            .is_none_or(|b| b"#-1<NnN".contains(b))
        && MISSING_TOKENS.contains(&cell)
}

/// A finite or infinite number; `None` for text and for NaN spellings (those are missing).
fn parse_number(cell: &str) -> Option<f64> {
    let first = *cell.as_bytes().first()?;
    // Rust's parser takes "inf"/"infinity"/"nan" in any case; everything else must start
    // like a number, which keeps words such as "information" from being tried.
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.' | b'i' | b'I')) {
        return None;
    }
    cell.parse::<f64>().ok().filter(|x| !x.is_nan())
}

fn parse_bool(cell: &str) -> Option<bool> {
    if cell.eq_ignore_ascii_case("true") {
        Some(true)
    } else if cell.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A cell cut to 40 characters for an error message.
fn shorten(cell: &str) -> String {
    match cell.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &cell[..i]),
        None => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Cell;

    fn read(s: &str) -> Result<CsvRead, TableError> {
        read_csv(s.as_bytes(), &ReadOptions::default())
    }

    #[test]
    fn progress_counts_bytes_up_to_the_total_and_changes_nothing() {
        let mut csv = String::from("\u{feff}a,b\n");
        for i in 0..200_000 {
            csv.push_str(&format!("{i},{}\n", i % 7));
        }
        let mut seen = Vec::new();
        let with = read_csv_with_progress(csv.as_bytes(), &ReadOptions::default(), &mut |d, t| {
            seen.push((d, t))
        })
        .unwrap();
        let without = read(&csv).unwrap();
        assert_eq!(with.table, without.table);
        assert!(seen.len() >= 2, "{seen:?}");
        assert!(
            seen.windows(2).all(|w| w[0].0 < w[1].0),
            "increasing: {seen:?}"
        );
        assert!(seen.iter().all(|&(_, t)| t == csv.len()));
        assert_eq!(seen.last(), Some(&(csv.len(), csv.len())));
        // a bad file still fails with the same error
        let bad = format!("{csv}1\n");
        let e1 = read(&bad).unwrap_err();
        let e2 = read_csv_with_progress(bad.as_bytes(), &ReadOptions::default(), &mut |_, _| {})
            .unwrap_err();
        assert_eq!(e1.to_string(), e2.to_string());
    }

    #[test]
    fn infers_kinds_and_missing() {
        let r = read("a,b,c,d\n1,x,true,\n2.5,NA,FALSE,\nNaN,y,,\n").unwrap();
        let t = &r.table;
        assert_eq!(t.rows(), 3);
        let kinds: Vec<_> = t.columns().iter().map(|c| c.kind()).collect();
        assert_eq!(
            kinds,
            [
                ColumnKind::Numeric,
                ColumnKind::Categorical,
                ColumnKind::Boolean,
                ColumnKind::Numeric
            ]
        );
        assert!(t.columns()[0].is_missing(2));
        assert!(t.columns()[1].is_missing(1));
        assert_eq!(t.columns()[2].get(1), Some(Cell::Bool(false)));
        assert!(t.columns()[2].is_missing(2));
    }

    #[test]
    fn bom_crlf_quotes_and_infinity() {
        let r = read("\u{feff}name,v\r\n\"a, b\",inf\r\n\"line\nbreak\",-Infinity\r\n\"say \"\"hi\"\"\",1\r\n").unwrap();
        let t = &r.table;
        assert_eq!(t.column_names(), ["name", "v"]);
        assert_eq!(t.columns()[0].get(0), Some(Cell::Category("a, b")));
        assert_eq!(t.columns()[0].get(1), Some(Cell::Category("line\nbreak")));
        assert_eq!(t.columns()[0].get(2), Some(Cell::Category("say \"hi\"")));
        assert_eq!(t.columns()[1].get(0), Some(Cell::Number(f64::INFINITY)));
        assert_eq!(t.columns()[1].get(1), Some(Cell::Number(f64::NEG_INFINITY)));
    }

    #[test]
    fn renames_empty_and_duplicate_headers() {
        let r = read("a,,a,a\n1,2,3,4\n").unwrap();
        assert_eq!(r.table.column_names(), ["a", "column_2", "a_2", "a_3"]);
        assert_eq!(r.notes.len(), 3);
    }

    #[test]
    fn ragged_row_names_line_and_row() {
        let e = read("a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(
            e,
            TableError::Ragged {
                line: 3,
                row: 2,
                found: 1,
                expected: 2
            }
        );
        assert!(e.to_string().contains("line 3 (row 2)"));
    }

    #[test]
    fn text_in_numeric_column_becomes_categorical_with_a_note() {
        let r = read("x\n1\n2\noops\n4\n").unwrap();
        assert_eq!(r.table.columns()[0].kind(), ColumnKind::Categorical);
        assert!(r.notes[0].contains("line 4 (row 3)"), "{:?}", r.notes);
    }

    #[test]
    fn forced_numeric_rejects_text_naming_the_cell() {
        let mut o = ReadOptions::default();
        o.kinds.insert("x".into(), ColumnKind::Numeric);
        let e = read_csv(b"x\n1\noops\n", &o).unwrap_err();
        assert!(
            matches!(
                e,
                TableError::NotANumber {
                    line: 3,
                    row: 2,
                    ..
                }
            ),
            "{e}"
        );
        o.kinds.insert("nope".into(), ColumnKind::Numeric);
        assert!(matches!(
            read_csv(b"x\n1\n", &o),
            Err(TableError::UnknownColumn { .. })
        ));
    }

    #[test]
    fn invalid_utf8_names_row_and_column() {
        let e = read_csv(b"a,b\n1,\xff\xfe\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(
            e,
            TableError::InvalidUtf8 {
                line: 2,
                row: 1,
                column: "b".into()
            }
        );
    }

    #[test]
    fn empty_header_only_and_limits() {
        assert_eq!(read("").unwrap_err(), TableError::Empty);
        assert_eq!(read("\u{feff}  \n").unwrap_err(), TableError::Empty);
        assert_eq!(
            read("a,b\n").unwrap_err(),
            TableError::NoRows { columns: 2 }
        );
        let o = ReadOptions {
            limits: Limits {
                max_rows: 2,
                max_columns: 2,
                max_cell_bytes: 4,
            },
            ..Default::default()
        };
        assert!(matches!(
            read_csv(b"a\n1\n2\n3\n", &o),
            Err(TableError::TooManyRows { limit: 2 })
        ));
        assert!(matches!(
            read_csv(b"a,b,c\n1,2,3\n", &o),
            Err(TableError::TooManyColumns { found: 3, .. })
        ));
        assert!(matches!(
            read_csv(b"a\n12345\n", &o),
            Err(TableError::CellTooLarge { row: 1, .. })
        ));
    }

    #[test]
    fn unclosed_quote_is_caught_by_the_cell_limit() {
        let mut o = ReadOptions::default();
        o.limits.max_cell_bytes = 64;
        let body = format!("a,b\n\"open,1\n{}\n", "x,2\n".repeat(40));
        assert!(matches!(
            read_csv(body.as_bytes(), &o),
            Err(TableError::CellTooLarge { .. })
        ));
    }

    #[test]
    fn all_missing_column_is_numeric() {
        let r = read("a,b\n,1\nNA,2\n").unwrap();
        assert_eq!(r.table.columns()[0].kind(), ColumnKind::Numeric);
        assert!(r.table.columns()[0].is_missing(0) && r.table.columns()[0].is_missing(1));
    }

    #[test]
    fn blank_lines_are_skipped() {
        let r = read("a,b\n1,2\n\n3,4\n").unwrap();
        assert_eq!(r.table.rows(), 2);
    }
}
