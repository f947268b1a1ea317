//! The `driftlab` command-line tool, run as a process.

use std::process::Command;

fn driftlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(args)
        .output()
        .expect("driftlab runs")
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn datasets_lists_the_built_ins() {
    let list = json(&driftlab(&["datasets"]));
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    for n in [
        "fraud",
        "iris",
        "wine",
        "breast_cancer",
        "diabetes",
        "moons",
        "circles",
        "xor",
        "spirals",
        "blobs",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
}

/// `driftlab profile` on a 20,000-row fraud CSV: its counts equal a hand count made with
/// the csv crate directly.
#[test]
fn profile_counts_match_a_hand_count() {
    let dir = std::env::temp_dir().join(format!("driftlab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fraud.csv");
    let out = driftlab(&["dataset", "fraud", "--rows", "20000", "--seed", "11"]);
    assert!(out.status.success());
    std::fs::write(&path, &out.stdout).unwrap();

    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut missing = vec![0u64; headers.len()];
    let mut rows = 0u64;
    let mut fraud = 0u64;
    let fraud_col = headers.iter().position(|h| h == "is_fraud").unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        for (i, cell) in record.iter().enumerate() {
            missing[i] += u64::from(cell.is_empty());
        }
        fraud += u64::from(&record[fraud_col] == "1");
    }
    assert_eq!(rows, 20_000);
    assert!(
        missing.iter().sum::<u64>() > 0,
        "the fraud data should have missing cells"
    );

    let profile = json(&driftlab(&[
        "profile",
        "--data",
        path.to_str().unwrap(),
        "--target",
        "is_fraud",
    ]));
    assert_eq!(profile["rows"], 20_000);
    for (i, name) in headers.iter().enumerate() {
        let col = profile["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name.as_str())
            .unwrap();
        assert_eq!(col["missing"], missing[i], "missing in {name}");
        assert_eq!(
            col["count"].as_u64().unwrap() + missing[i],
            rows,
            "count in {name}"
        );
    }
    let target = profile["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "is_fraud")
        .unwrap();
    let top = target["numeric"]["histogram"]["counts"].as_array().unwrap();
    assert_eq!(
        top.last().unwrap().as_u64().unwrap(),
        fraud,
        "fraud rows in the last histogram bin"
    );
    assert!(profile["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "class_imbalance"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn errors_go_to_stderr_with_a_non_zero_exit() {
    let dir = std::env::temp_dir().join(format!("driftlab-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.csv");
    std::fs::write(&path, "a,b\n1,2\n3\n").unwrap();
    let out = driftlab(&["profile", "--data", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv") && err.contains("line 3 (row 2)"),
        "{err}"
    );
    let out = driftlab(&["dataset", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("fraud"));
    let out = driftlab(&["profile", "--data", "/nonexistent/x.csv"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    std::fs::remove_dir_all(&dir).ok();
}
