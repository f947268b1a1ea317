//! The bad-input corpus (`tests/common/corpus.rs`) through the command-line tool, as a
//! process on real files: `profile` reads each file, `train` fits a logistic model on the
//! ones that load, and `score` scores every row of the file with that model. Errors go to
//! stderr with a non-zero exit, never as a panic.

mod common {
    pub mod corpus;
}
use common::corpus::{assert_words, cases, Read, Train};
use std::path::Path;
use std::process::{Command, Output};

fn driftlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(args)
        .output()
        .expect("driftlab runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a failed run: a non-zero exit, the words, and no panic.
fn assert_error(out: &Output, words: &[&str], what: &str) -> String {
    let err = stderr(out);
    assert!(!out.status.success(), "{what}: should fail; stderr {err}");
    assert!(!err.contains("panicked"), "{what}: panicked: {err}");
    assert_words(what, &err, words);
    err.lines().last().unwrap_or_default().to_owned()
}

#[test]
fn every_case_has_its_outcome_on_the_cli() {
    let dir = std::env::temp_dir().join(format!("driftlab-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut table = Vec::new();
    for (i, case) in cases().into_iter().enumerate() {
        let file = dir.join(format!("case-{i}.csv"));
        std::fs::write(&file, &case.bytes).unwrap();
        let data = file.to_str().unwrap();
        let profile = driftlab(&["profile", "--data", data]);
        let outcome = match case.read {
            Read::Error(words) => assert_error(&profile, words, case.name),
            Read::Table {
                rows,
                columns,
                target,
                train,
            } => {
                assert!(
                    profile.status.success(),
                    "{}: {}",
                    case.name,
                    stderr(&profile)
                );
                let p: serde_json::Value = serde_json::from_slice(&profile.stdout).unwrap();
                assert_eq!(p["rows"], rows, "{}", case.name);
                assert_eq!(
                    p["columns"].as_array().unwrap().len(),
                    columns,
                    "{}",
                    case.name
                );
                let model = dir.join(format!("model-{i}.json"));
                let out = driftlab(&[
                    "train",
                    "--data",
                    data,
                    "--target",
                    target,
                    "--model",
                    "logistic",
                    "--out",
                    model.to_str().unwrap(),
                ]);
                match train {
                    Train::Error(words) => assert_error(&out, words, case.name),
                    Train::Scores => {
                        assert!(out.status.success(), "{}: {}", case.name, stderr(&out));
                        scored_rows(&model, data, rows, case.name)
                    }
                }
            }
        };
        table.push(format!("{:<34} {outcome}", case.name));
    }
    std::fs::remove_dir_all(&dir).ok();
    println!("{}", table.join("\n"));
}

/// Scores the file with the model; every row gets a prediction.
fn scored_rows(model: &Path, data: &str, rows: usize, name: &str) -> String {
    let out = driftlab(&["score", "--model", model.to_str().unwrap(), "--data", data]);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "prediction", "{name}");
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
    let n = records.len();
    assert_eq!(n, rows, "{name}: one scored row per input row");
    format!("loaded {rows} rows; trained; scored {n} rows")
}
