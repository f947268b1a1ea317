//! Arrow IPC in (issue #20, item 3): files pyarrow wrote (scripts/fixtures_arrow.py) give
//! the same tables, profiles and scores as the CSV and the Parquet of the same table
//! (Arrow = CSV = Parquet), in the file and the stream formats, and bad files get clear
//! errors, never a panic nor an allocation of what they declare.
#![cfg(feature = "arrow")]

use driftlab::profile::Profile;
use driftlab::score::{score_csv, score_stream, ScoreInput, ScoreOutput};
use driftlab::table::{
    read_arrow, read_csv, read_parquet, read_table, ArrowBatches, ReadOptions, Table, TableError,
    BATCH_ROWS,
};
use driftlab::train::{train, ModelKind, ModelParams, TrainRequest};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/arrow/");
const PARQUET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parquet/");
const IRIS_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv");

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap()
}

fn arrow_table(name: &str) -> Table {
    read_arrow(bytes(name), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .table
}

fn profile_json(t: &Table) -> String {
    serde_json::to_string(&Profile::from_table(t, None).unwrap()).unwrap()
}

fn error(name: &str) -> String {
    read_arrow(bytes(name), &ReadOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn arrow_equals_csv_equals_parquet_in_both_formats_and_with_lz4() {
    let csv = read_csv(
        &std::fs::read(format!("{PARQUET}types.csv")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap()
    .table;
    let parquet = read_parquet(
        std::fs::read(format!("{PARQUET}types.parquet")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap()
    .table;
    assert_eq!(parquet.fingerprint(), csv.fingerprint());
    for name in ["types.arrow", "types_dict.arrows", "types_lz4.arrow"] {
        let arrow = arrow_table(name);
        assert_eq!(arrow.column_names(), csv.column_names(), "{name}");
        for (a, c) in arrow.columns().iter().zip(csv.columns()) {
            assert_eq!(a.kind(), c.kind(), "{name}: {}", a.name);
            for r in 0..csv.rows() {
                assert_eq!(
                    a.get(r),
                    c.get(r),
                    "{name}: column {:?}, row {}",
                    a.name,
                    r + 1
                );
            }
        }
        assert_eq!(arrow.fingerprint(), csv.fingerprint(), "{name}");
        assert_eq!(profile_json(&arrow), profile_json(&csv), "{name}");
    }
    // read_table tells Arrow from CSV by its first bytes, both formats
    for name in ["iris.arrow", "types_dict.arrows"] {
        assert!(
            read_table(&bytes(name), &ReadOptions::default()).is_ok(),
            "{name}"
        );
    }
    let iris = read_table(&bytes("iris.arrow"), &ReadOptions::default()).unwrap();
    let iris_csv = read_csv(&std::fs::read(IRIS_CSV).unwrap(), &ReadOptions::default()).unwrap();
    assert_eq!(iris.table.fingerprint(), iris_csv.table.fingerprint());
}

#[test]
fn record_batches_are_streamed_a_batch_at_a_time() {
    // 60 rows in batches of 9: seven tables, the last of 6, each at most BATCH_ROWS
    let mut batches =
        ArrowBatches::from_bytes(bytes("types.arrow"), &ReadOptions::default()).unwrap();
    let mut sizes = Vec::new();
    while let Some(t) = batches.next_table().unwrap() {
        assert!(t.rows() <= BATCH_ROWS);
        sizes.push(t.rows());
    }
    assert_eq!(sizes, [9, 9, 9, 9, 9, 9, 6]);
    assert_eq!(batches.rows_read(), 60);
    // the same from the file on disk
    let file = std::fs::File::open(format!("{DIR}types_dict.arrows")).unwrap();
    let mut batches = ArrowBatches::from_file(file, &ReadOptions::default()).unwrap();
    let mut sizes = Vec::new();
    while let Some(t) = batches.next_table().unwrap() {
        sizes.push(t.rows());
    }
    assert_eq!(sizes, [20, 20, 20]);
}

fn trained(table: &Table, kind: ModelKind) -> driftlab::artifact::Artifact {
    let request = TrainRequest {
        target: Some("species".to_owned()),
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

#[test]
fn artifacts_and_scores_from_arrow_equal_those_from_csv() {
    let table = arrow_table("iris.arrow");
    let csv_in = std::fs::read(IRIS_CSV).unwrap();
    let csv_table = read_csv(&csv_in, &ReadOptions::default()).unwrap().table;
    let artifact = trained(&table, ModelKind::Logistic);
    assert_eq!(
        artifact.to_bytes().unwrap(),
        trained(&csv_table, ModelKind::Logistic).to_bytes().unwrap()
    );
    let mut reference = Vec::new();
    score_csv(&artifact, &csv_in[..], &mut reference, &mut |_, _| {}).unwrap();
    let mut out = Vec::new();
    let batches = ArrowBatches::from_bytes(bytes("iris.arrow"), &ReadOptions::default()).unwrap();
    let n = score_stream::<&[u8], _>(
        &artifact,
        ScoreInput::Arrow(batches),
        &mut out,
        ScoreOutput::Csv,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(n, 150);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        String::from_utf8(reference).unwrap()
    );
}

#[test]
fn unsupported_files_name_the_column_and_the_fix() {
    let e = error("bad_zstd.arrow");
    assert!(
        e.contains("zstd compression") && e.contains("compression='lz4'"),
        "{e}"
    );
    let e = error("bad_timestamp.arrow");
    assert!(
        e.contains("column \"when\"") && e.contains("Timestamp") && e.contains("as text"),
        "{e}"
    );
    let e = error("bad_nested.arrow");
    assert!(
        e.contains("column \"tags\"") && e.contains("one flat column"),
        "{e}"
    );
}

#[test]
fn hostile_files_get_clear_errors_before_anything_is_allocated() {
    // cut inside its third batch (the trailing ARROW1 is missing)
    let e = error("bad_cut.arrow");
    assert!(
        e.contains("ends with ARROW1") && e.contains("cut short"),
        "{e}"
    );
    // a batch (and its column) declaring 2^40 rows: refused by the row limit first
    assert!(matches!(
        read_arrow(bytes("bad_rows.arrow"), &ReadOptions::default()),
        Err(TableError::TooManyRows { .. })
    ));
    // a body of 2^40 bytes, past the end of the file
    let e = error("bad_body.arrow");
    assert!(
        e.contains("declares 1099511627776 bytes but the file has"),
        "{e}"
    );
    // the schema's flatbuffer pointing far outside its message
    let e = error("bad_flatbuffer.arrow");
    assert!(
        e.contains("message 1") && e.contains("not a valid Arrow message"),
        "{e}"
    );
    // the stream format's framing: a metadata length past the input and a negative one
    let mut s = vec![0xff, 0xff, 0xff, 0xff];
    s.extend(0x7fff_fff0i32.to_le_bytes());
    let e = read_arrow(s.clone(), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("2147483632 bytes, more than the"), "{e}");
    s.truncate(4);
    s.extend((-8i32).to_le_bytes());
    let e = read_arrow(s, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("its metadata length is -8"), "{e}");
}

#[test]
fn damaged_files_give_errors_never_panics() {
    for name in ["types.arrow", "types_dict.arrows", "types_lz4.arrow"] {
        let whole = bytes(name);
        for cut in (0..whole.len()).step_by(61) {
            let _ = read_arrow(whole[..cut].to_vec(), &ReadOptions::default());
        }
        let mut errors = 0;
        for at in (0..whole.len()).step_by(7) {
            let mut b = whole.clone();
            b[at] ^= 0xa5;
            match read_arrow(b, &ReadOptions::default()) {
                Err(TableError::ArrowCorrupt { message, .. }) => {
                    assert!(
                        !message.contains("stopped on malformed"),
                        "{name} byte {at}: {message}"
                    );
                    errors += 1;
                }
                Err(_) => errors += 1,
                Ok(_) => {}
            }
        }
        assert!(errors > 0, "{name}");
    }
}

#[test]
fn limits_are_checked_before_a_batch_is_decoded() {
    let mut o = ReadOptions::default();
    o.limits.max_rows = 59;
    assert!(matches!(
        read_arrow(bytes("types.arrow"), &o),
        Err(TableError::TooManyRows { limit: 59 })
    ));
    o.limits.max_rows = 60;
    o.limits.max_columns = 12;
    assert!(matches!(
        read_arrow(bytes("types.arrow"), &o),
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
fn the_command_line_takes_arrow_wherever_it_takes_csv() {
    let dir = std::env::temp_dir().join(format!("driftlab-arrow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |n: &str| dir.join(n).display().to_string();
    let iris = format!("{DIR}iris.arrow");
    let a = cli(&["profile", "--data", &iris]);
    let b = cli(&["profile", "--data", IRIS_CSV]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let model = path("m.json");
    let t = cli(&[
        "train", "--data", &iris, "--target", "species", "--model", "logistic", "--out", &model,
    ]);
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
    // score streams the Arrow file from disk: the CSV's scores, byte for byte
    let s = cli(&["score", "--model", &model, "--data", &iris]);
    let c = cli(&["score", "--model", &model, "--data", IRIS_CSV]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    assert_eq!(s.stdout, c.stdout);
    let e = cli(&[
        "evaluate", "--model", &model, "--data", &iris, "--target", "species",
    ]);
    assert!(e.status.success() && String::from_utf8_lossy(&e.stdout).contains("accuracy"));
    let d = cli(&["drift", "--reference", &iris, "--current", IRIS_CSV]);
    assert!(d.status.success(), "{}", String::from_utf8_lossy(&d.stderr));
    // a bad file: exit 1, an error naming the file and the fix, no output file
    let bad = format!("{DIR}bad_zstd.arrow");
    for args in [
        vec!["profile", "--data", bad.as_str()],
        vec!["score", "--model", model.as_str(), "--data", bad.as_str()],
    ] {
        let o = cli(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("bad_zstd.arrow") && err.contains("compression='lz4'"),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `driftlab import --reference` takes its table through the same reader: an imported ONNX
/// model with an Arrow reference is the one imported with the CSV it came from.
#[cfg(feature = "onnx")]
#[test]
fn import_takes_an_arrow_reference_as_its_csv() {
    let dir = std::env::temp_dir().join(format!("driftlab-arrow-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let onnx = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/onnx/");
    let model = format!("{onnx}logistic_binary.onnx");
    let mut imported = Vec::new();
    for (name, reference) in [
        ("csv", format!("{onnx}binary.train.csv")),
        ("arrow", format!("{DIR}binary_train.arrow")),
    ] {
        let out = dir.join(format!("{name}.json")).display().to_string();
        let o = cli(&[
            "import",
            "--model",
            &model,
            "--reference",
            &reference,
            "--target",
            "y",
            "--out",
            &out,
        ]);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        imported.push(v);
    }
    for key in ["model", "pipeline", "profile"] {
        assert_eq!(imported[0][key], imported[1][key], "{key}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
