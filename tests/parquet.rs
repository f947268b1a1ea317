//! Parquet in and out (issue #20, item 2): the Parquet path gives the same tables,
//! profiles and scores as the CSV path on files pyarrow wrote (scripts/fixtures_parquet.py),
//! files the Rust writer makes read back, and bad files get clear errors, never a panic.
#![cfg(feature = "parquet")]

use driftlab::artifact::Artifact;
use driftlab::profile::Profile;
use driftlab::score::{score_csv, score_stream, ScoreInput, ScoreOutput};
use driftlab::table::{
    read_csv, read_parquet, read_table, write_parquet, ParquetBatches, ReadOptions, Table,
    TableError,
};
use driftlab::train::{train, ModelKind, ModelParams, TrainRequest};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parquet/");

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap()
}

fn csv_table(path: &str) -> Table {
    read_csv(&std::fs::read(path).unwrap(), &ReadOptions::default())
        .unwrap()
        .table
}

fn parquet_table(name: &str) -> Table {
    read_parquet(bytes(name), &ReadOptions::default())
        .unwrap()
        .table
}

fn profile_json(t: &Table) -> String {
    serde_json::to_string(&Profile::from_table(t, None).unwrap()).unwrap()
}

#[test]
fn every_type_and_codec_reads_as_the_same_table_as_its_csv() {
    let csv = csv_table(&format!("{DIR}types.csv"));
    for name in [
        "types.parquet",
        "types_plain.parquet",
        "types_gzip.parquet",
        "types_lz4.parquet",
    ] {
        let parquet = parquet_table(name);
        assert_eq!(parquet.column_names(), csv.column_names(), "{name}");
        for (p, c) in parquet.columns().iter().zip(csv.columns()) {
            assert_eq!(p.kind(), c.kind(), "{name}: {}", p.name);
            for r in 0..csv.rows() {
                let (a, b) = (p.get(r), c.get(r));
                assert_eq!(a, b, "{name}: column {:?}, row {}", p.name, r + 1);
            }
        }
        assert_eq!(parquet.fingerprint(), csv.fingerprint(), "{name}");
        assert_eq!(profile_json(&parquet), profile_json(&csv), "{name}");
    }
}

#[test]
fn read_table_tells_parquet_from_csv_by_its_first_bytes() {
    let a = read_table(&bytes("iris.parquet"), &ReadOptions::default()).unwrap();
    let b = read_table(
        &std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(a.table.fingerprint(), b.table.fingerprint());
    assert_eq!(a.table.rows(), 150);
}

fn trained(table: &Table, target: &str, kind: ModelKind) -> Artifact {
    let request = TrainRequest {
        target: Some(target.to_owned()),
        kind,
        params: ModelParams::parse::<&str>(kind, &[]).unwrap(),
        test_fraction: 0.0,
        seed: 7,
        pipeline: None,
        task: Default::default(),
        created: "2026-01-01T00:00:00Z".to_owned(),
        parent: None,
    };
    train(table, &request, &mut |_| {}).unwrap().0
}

/// Scores `input` in every combination of formats; returns the CSV outputs and the
/// Parquet outputs read back.
fn score_both(artifact: &Artifact, csv_path: &str, parquet_name: &str) {
    let csv_in = std::fs::read(csv_path).unwrap();
    let mut reference = Vec::new();
    let rows = score_csv(artifact, &csv_in[..], &mut reference, &mut |_, _| {}).unwrap();
    // Parquet in, CSV out: the same bytes
    let mut from_parquet = Vec::new();
    let batches = ParquetBatches::from_bytes(bytes(parquet_name), &ReadOptions::default()).unwrap();
    let n = score_stream::<&[u8], _>(
        artifact,
        ScoreInput::Parquet(batches),
        &mut from_parquet,
        ScoreOutput::Csv,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(n, rows);
    assert_eq!(
        String::from_utf8(from_parquet).unwrap(),
        String::from_utf8(reference.clone()).unwrap()
    );
    // CSV in and Parquet in, Parquet out: read back, the same cells as the CSV output
    let expected = read_csv(&reference, &ReadOptions::default()).unwrap().table;
    for input in ["csv", "parquet"] {
        let source = if input == "csv" {
            ScoreInput::Csv(&csv_in[..])
        } else {
            ScoreInput::Parquet(
                ParquetBatches::from_bytes(bytes(parquet_name), &ReadOptions::default()).unwrap(),
            )
        };
        let mut out = Vec::new();
        score_stream(
            artifact,
            source,
            &mut out,
            ScoreOutput::Parquet,
            &mut |_, _| {},
        )
        .unwrap();
        let back = read_parquet(out, &ReadOptions::default()).unwrap().table;
        assert_eq!(
            back.fingerprint(),
            expected.fingerprint(),
            "{input} in, Parquet out"
        );
    }
}

#[test]
fn scores_from_parquet_equal_scores_from_csv_in_every_format() {
    let iris_csv = concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv");
    let table = parquet_table("iris.parquet");
    assert_eq!(table.fingerprint(), csv_table(iris_csv).fingerprint());
    for kind in [ModelKind::Logistic, ModelKind::Tree] {
        let artifact = trained(&table, "species", kind);
        // trained on the Parquet table: the same artifact as on the CSV one (but the hash
        // of its lineage, which names no file)
        let from_csv = trained(&csv_table(iris_csv), "species", kind);
        assert_eq!(artifact.to_bytes().unwrap(), from_csv.to_bytes().unwrap());
        score_both(&artifact, iris_csv, "iris.parquet");
    }
    let diabetes_csv = concat!(env!("CARGO_MANIFEST_DIR"), "/data/diabetes.csv");
    let table = parquet_table("diabetes.parquet");
    assert_eq!(table.fingerprint(), csv_table(diabetes_csv).fingerprint());
    let artifact = trained(&table, "progression", ModelKind::Ridge);
    score_both(&artifact, diabetes_csv, "diabetes.parquet");
}

#[test]
fn files_the_rust_writer_makes_read_back_to_the_same_table() {
    for name in ["types.parquet", "iris.parquet", "diabetes.parquet"] {
        let table = parquet_table(name);
        let written = write_parquet(&table, Vec::new()).unwrap();
        assert!(written.starts_with(b"PAR1") && written.ends_with(b"PAR1"));
        let back = read_parquet(written, &ReadOptions::default())
            .unwrap()
            .table;
        assert_eq!(back.fingerprint(), table.fingerprint(), "{name}");
    }
}

fn error(name: &str) -> String {
    read_parquet(bytes(name), &ReadOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn unsupported_files_name_the_column_and_the_fix() {
    let e = error("bad_zstd.parquet");
    assert!(
        e.contains("zstd") && e.contains("compression='snappy'"),
        "{e}"
    );
    let e = error("bad_timestamp.parquet");
    assert!(
        e.contains("column \"when\"") && e.contains("timestamp") && e.contains("cast it"),
        "{e}"
    );
    let e = error("bad_nested.parquet");
    assert!(
        e.contains("column \"tags\"") && e.contains("flatten"),
        "{e}"
    );
    let e = error("bad_footer.parquet");
    assert!(e.contains("footer") && e.contains("whole"), "{e}");
}

/// The parquet crate panics on this page (its dictionary declares 53 strings, it holds one:
/// the length prefix of the second runs past the page). The check of the pages refuses it
/// before the crate decodes it, so no panic is left for `catch_unwind` (whose message is
/// "stopped on malformed data") nor for Wasm, where a panic aborts: see
/// src/table/parquet.rs.
#[test]
fn a_string_length_past_its_page_is_refused_before_the_crate_decodes_it() {
    let e = error("bad_string_length.parquet");
    assert!(
        e.contains("row group ")
            && e.contains("column \"species\"")
            && e.contains("a dictionary page holds 53 strings")
            && e.contains("export it again")
            && !e.contains("malformed data"),
        "{e}"
    );
}

#[test]
fn damaged_files_give_errors_never_panics() {
    let whole = bytes("types.parquet");
    // every cut (the footer goes first) and a byte flipped every 13 bytes
    for cut in (0..whole.len()).step_by(97) {
        let _ = read_parquet(whole[..cut].to_vec(), &ReadOptions::default());
    }
    let mut errors = 0;
    for at in (4..whole.len() - 8).step_by(13) {
        let mut b = whole.clone();
        b[at] ^= 0xa5;
        if read_parquet(b, &ReadOptions::default()).is_err() {
            errors += 1;
        }
    }
    assert!(errors > 0);
}

#[test]
fn limits_are_checked_against_the_footer_before_reading() {
    let mut o = ReadOptions::default();
    o.limits.max_rows = 59;
    assert!(matches!(
        read_parquet(bytes("types.parquet"), &o),
        Err(TableError::TooManyRows { limit: 59 })
    ));
    o.limits.max_rows = 60;
    o.limits.max_columns = 12;
    assert!(matches!(
        read_parquet(bytes("types.parquet"), &o),
        Err(TableError::TooManyColumns { found: 13, .. })
    ));
}

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_command_line_takes_parquet_wherever_it_takes_csv() {
    let dir = std::env::temp_dir().join(format!("driftlab-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |n: &str| dir.join(n).display().to_string();
    let iris_pq = format!("{DIR}iris.parquet");
    let iris_csv = concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv");
    // the same profile from either file
    let a = cli(&["profile", "--data", &iris_pq]);
    let b = cli(&["profile", "--data", iris_csv]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    // train on Parquet, score Parquet into Parquet and into CSV: the same scores
    let model = path("m.json");
    let t = cli(&[
        "train", "--data", &iris_pq, "--target", "species", "--model", "logistic", "--out", &model,
    ]);
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
    let s = cli(&[
        "score",
        "--model",
        &model,
        "--data",
        &iris_pq,
        "--out",
        &path("s.parquet"),
    ]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let c = cli(&["score", "--model", &model, "--data", iris_csv]);
    let scored = read_parquet(
        std::fs::read(path("s.parquet")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap()
    .table;
    let from_csv = read_csv(&c.stdout, &ReadOptions::default()).unwrap().table;
    assert_eq!(scored.fingerprint(), from_csv.fingerprint());
    let e = cli(&[
        "evaluate", "--model", &model, "--data", &iris_pq, "--target", "species",
    ]);
    assert!(e.status.success() && String::from_utf8_lossy(&e.stdout).contains("accuracy"));
    // a bad file: exit 1, an error naming the file, the column and the fix, no output file
    let bad = format!("{DIR}bad_zstd.parquet");
    for args in [
        vec!["profile", "--data", bad.as_str()],
        vec!["score", "--model", model.as_str(), "--data", bad.as_str()],
    ] {
        let out = cli(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("bad_zstd.parquet")
                && err.contains("column \"x\"")
                && err.contains("compression='snappy'"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = cli(&[
        "profile",
        "--data",
        &format!("{DIR}bad_string_length.parquet"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("column \"species\"")
            && err.contains("end inside the length of string")
            && !err.contains("panicked"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
