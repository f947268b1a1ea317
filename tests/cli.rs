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

/// A scratch folder for one test, removed by the test when it passes.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("driftlab-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr_of(out: &std::process::Output) -> String {
    assert!(!out.status.success(), "expected a failure");
    assert!(out.stdout.is_empty());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes iris split in two by line: 120 rows to train on, 30 rows (every fifth) to test on.
fn iris_train_and_test(dir: &std::path::Path) -> (String, String) {
    let csv = driftlab(&["dataset", "iris"]).stdout;
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (mut train, mut test) = (vec![header], vec![header]);
    for (i, line) in lines.enumerate() {
        if i % 5 == 4 {
            test.push(line)
        } else {
            train.push(line)
        }
    }
    let (a, b) = (dir.join("train.csv"), dir.join("test.csv"));
    std::fs::write(&a, train.join("\n") + "\n").unwrap();
    std::fs::write(&b, test.join("\n") + "\n").unwrap();
    (a.display().to_string(), b.display().to_string())
}

/// `--test-fraction 0` trains on every row, prints no metrics and says why (issue #14).
#[test]
fn train_on_every_row_with_test_fraction_zero() {
    let dir = scratch("all-rows");
    let (train, _) = iris_train_and_test(&dir);
    let model = dir.join("m.json").display().to_string();
    let args = [
        "train", "--data", &train, "--target", "species", "--model", "logistic",
    ];
    let out = driftlab(&[&args[..], &["--test-fraction", "0", "--out", &model]].concat());
    let report = json(&out);
    assert_eq!(report["train_rows"], 120);
    assert_eq!(report["test_rows"], 0);
    assert!(report["metrics"].is_null(), "{report}");
    let note = report["notes"][0].as_str().unwrap();
    assert!(
        note.contains("no rows were held out") && note.contains("--test FILE"),
        "{note}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("note: no rows were held out"));
    let artifact: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert!(
        artifact["metrics"].is_null(),
        "the artifact has no test metrics"
    );
    assert_eq!(artifact["lineage"]["train_rows"], 120);
    assert_eq!(artifact["lineage"]["test_fraction"], 0.0);
    // the default still holds out a quarter
    let report = json(&driftlab(&[&args[..], &["--out", &model]].concat()));
    assert_eq!(report["test_rows"], 30);
    assert!(report["metrics"]["accuracy"].is_number());
    assert_eq!(report["notes"].as_array().unwrap().len(), 0);
    // a fraction outside [0, 1) is refused with the way out
    let err = stderr_of(&driftlab(
        &[&args[..], &["--test-fraction", "1", "--out", &model]].concat(),
    ));
    assert!(
        err.contains("strictly between 0 and 1") && err.contains("with 0 uses every row"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Equal JSON, numbers within 1e-9 (relative).
fn assert_close(a: &serde_json::Value, b: &serde_json::Value, what: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                "{what}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{what}");
            x.iter().zip(y).for_each(|(x, y)| assert_close(x, y, what));
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{what}"
            );
            x.iter()
                .for_each(|(k, v)| assert_close(v, &y[k], &format!("{what}.{k}")));
        }
        _ => assert_eq!(a, b, "{what}"),
    }
}

/// `--test FILE` trains on every row of --data and judges the model on FILE through the
/// same pipeline: the metrics are what `driftlab evaluate` says of FILE (issue #14).
#[test]
fn train_with_a_test_file() {
    let dir = scratch("test-file");
    let (train, test) = iris_train_and_test(&dir);
    let model = dir.join("m.json").display().to_string();
    for kind in ["logistic", "tree", "knn"] {
        let report = json(&driftlab(&[
            "train", "--data", &train, "--target", "species", "--model", kind, "--test", &test,
            "--out", &model,
        ]));
        assert_eq!(report["train_rows"], 120, "{kind}");
        assert_eq!(report["test_rows"], 30, "{kind}");
        assert_eq!(report["test"], test.as_str());
        let evaluated = json(&driftlab(&[
            "evaluate", "--model", &model, "--data", &test, "--target", "species",
        ]));
        // the metrics come from linfa's own predictions, `evaluate` uses the scorer: the
        // classes are the same, probabilities may differ in the last bits
        // (linfa's tree predicts classes without probabilities: no probability metrics)
        let (mut ours, mut evaluated) = (report["metrics"].clone(), evaluated);
        if kind == "tree" {
            let keep = |m: &mut serde_json::Value, of: &serde_json::Value| {
                let m = m.as_object_mut().unwrap();
                m.retain(|k, v| !v.is_null() && !of[k].is_null());
            };
            let o = ours.clone();
            keep(&mut ours, &evaluated);
            keep(&mut evaluated, &o);
            assert!(ours.get("accuracy").is_some() && ours.get("average_precision").is_none());
        }
        assert_close(&ours, &evaluated, kind);
        assert_eq!(
            report["metrics"]["confusion_matrix"],
            evaluated["confusion_matrix"]
        );
        let artifact: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
        assert_eq!(
            artifact["metrics"], report["metrics"],
            "{kind}: the artifact keeps them"
        );
        assert_eq!(artifact["lineage"]["test_rows"], 30);
    }
    // a regression model on diabetes, tested on its own first 100 rows
    let diabetes = dir.join("diabetes.csv");
    std::fs::write(&diabetes, driftlab(&["dataset", "diabetes"]).stdout).unwrap();
    let text = std::fs::read_to_string(&diabetes).unwrap();
    let head: Vec<&str> = text.lines().take(101).collect();
    let head_path = dir.join("head.csv");
    std::fs::write(&head_path, head.join("\n")).unwrap();
    let (d, h) = (
        diabetes.display().to_string(),
        head_path.display().to_string(),
    );
    let report = json(&driftlab(&[
        "train",
        "--data",
        &d,
        "--target",
        "progression",
        "--model",
        "linear",
        "--test",
        &h,
        "--test-fraction",
        "0",
        "--out",
        &model,
    ]));
    let evaluated = json(&driftlab(&[
        "evaluate",
        "--model",
        &model,
        "--data",
        &h,
        "--target",
        "progression",
    ]));
    assert_close(&report["metrics"], &evaluated, "linear");
    assert!(report["metrics"]["r2"].as_f64().unwrap() > 0.3);
    std::fs::remove_dir_all(&dir).ok();
}

/// What `--test FILE` refuses, each with the file, the column or row, and the fix.
#[test]
fn train_with_a_test_file_refuses_bad_input() {
    let dir = scratch("test-file-bad");
    let (train, test) = iris_train_and_test(&dir);
    let model = dir.join("m.json").display().to_string();
    let train_with = |test: &str, extra: &[&str]| {
        let args = [
            "train", "--data", &train, "--target", "species", "--model", "logistic", "--test",
            test, "--out", &model,
        ];
        stderr_of(&driftlab(&[&args[..], extra].concat()))
    };
    let err = train_with(&test, &["--test-fraction", "0.3"]);
    assert!(
        err.contains("drop --test-fraction 0.3") && err.contains("test.csv"),
        "{err}"
    );

    let text = std::fs::read_to_string(&test).unwrap();
    let rewrite = |name: &str, f: &dyn Fn(&str) -> String| {
        let path = dir.join(name);
        std::fs::write(&path, text.lines().map(f).collect::<Vec<_>>().join("\n")).unwrap();
        path.display().to_string()
    };
    // no target column
    let no_target = rewrite("no_target.csv", &|l| {
        l.rsplit_once(',').unwrap().0.to_owned()
    });
    let err = train_with(&no_target, &[]);
    assert!(
        err.contains("no_target.csv (--test)") && err.contains("species"),
        "{err}"
    );
    // a feature column missing
    let no_feature = rewrite("no_feature.csv", &|l| {
        l.split_once(',').unwrap().1.to_owned()
    });
    let err = train_with(&no_feature, &[]);
    assert!(
        err.contains("no_feature.csv (--test)") && err.contains("sepal_length"),
        "{err}"
    );
    // a label the training rows never had
    let new_label = rewrite("new_label.csv", &|l| l.replace("virginica", "arctica"));
    let err = train_with(&new_label, &[]);
    assert!(
        err.contains("new_label.csv (--test)")
            && err.contains("\"arctica\"")
            && err.contains("row "),
        "{err}"
    );
    // a missing target cell
    let gap = rewrite("gap.csv", &|l| l.replacen("setosa", "", 1));
    let err = train_with(&gap, &[]);
    assert!(
        err.contains("gap.csv (--test)") && err.contains("is missing"),
        "{err}"
    );
    // a test file that cannot be read
    let err = train_with("/nonexistent/test.csv", &[]);
    assert!(err.contains("cannot read /nonexistent/test.csv"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `drift --test` and `monitor --detector` are value enums: `--help` lists the choices, a
/// wrong one is refused with the list, and every core test and detector is reachable.
#[test]
fn drift_tests_and_detectors_are_listed_choices() {
    let dir = scratch("choices");
    let (reference, current) = (dir.join("r.csv"), dir.join("c.csv"));
    let fraud = ["dataset", "fraud", "--rows", "300"];
    std::fs::write(&reference, driftlab(&fraud).stdout).unwrap();
    let drifted = [&fraud[..], &["--seed", "7", "--drift", "0.8"]].concat();
    std::fs::write(&current, driftlab(&drifted).stdout).unwrap();
    let (reference, current) = (
        reference.display().to_string(),
        current.display().to_string(),
    );
    let help = String::from_utf8(driftlab(&["drift", "--help"]).stdout).unwrap();
    let base = ["drift", "--reference", &reference, "--current", &current];
    for kind in driftlab::drift::TestKind::ALL {
        let name = kind.name();
        assert!(
            help.contains(&format!("- {name}:")),
            "{name} in drift --help:\n{help}"
        );
        let column = match name {
            "chisquare" => "country",
            "z" => "card_present",
            _ => "amount",
        };
        let args = ["--test", name, "--columns", column];
        let report = json(&driftlab(&[&base[..], &args].concat()));
        assert_eq!(report["columns"][0]["test"], name);
    }
    assert!(
        help.contains("- auto:") && help.contains("[default: auto]"),
        "{help}"
    );
    // the core's spellings still work: any case, and `js`
    for (given, name) in [("KS", "ks"), ("js", "jensenshannon")] {
        let args = ["--test", given, "--columns", "amount"];
        let report = json(&driftlab(&[&base[..], &args].concat()));
        assert_eq!(report["columns"][0]["test"], name);
    }
    let err = stderr_of(&driftlab(&[&base[..], &["--test", "t-test"]].concat()));
    let listed = "[possible values: auto, ks, chisquare, z, psi, jensenshannon, wasserstein]";
    assert!(err.contains(listed), "{err}");

    let help = String::from_utf8(driftlab(&["monitor", "--help"]).stdout).unwrap();
    assert!(help.contains("[default: adwin]"), "{help}");
    let watch = ["monitor", "--data", &reference, "--column", "is_fraud"];
    for (given, name) in [
        ("adwin", "adwin"),
        ("ddm", "ddm"),
        ("eddm", "eddm"),
        ("page-hinkley", "page-hinkley"),
        ("PH", "page-hinkley"),
        ("kswin", "kswin"),
    ] {
        assert!(help.contains(&format!("- {name}:")), "{name}:\n{help}");
        let report = json(&driftlab(&[&watch[..], &["--detector", given]].concat()));
        assert_eq!(report["detector"], name, "{given}");
    }
    let err = stderr_of(&driftlab(&[&watch[..], &["--detector", "cusum"]].concat()));
    let listed = "[possible values: adwin, ddm, eddm, page-hinkley, kswin]";
    assert!(err.contains(listed), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `driftlab completions SHELL` prints the shell's completion script (issue #14).
#[test]
fn completions_print_a_script_naming_the_commands() {
    let out = driftlab(&["completions", "bash"]);
    assert!(out.status.success());
    let bash = String::from_utf8(out.stdout).unwrap();
    assert!(
        bash.starts_with("_driftlab() {"),
        "{}",
        &bash[..200.min(bash.len())]
    );
    assert!(
        bash.contains("complete -F _driftlab"),
        "registers the function"
    );
    for command in [
        "datasets",
        "dataset",
        "profile",
        "train",
        "score",
        "evaluate",
        "metrics",
        "export",
        "drift",
        "monitor",
        "replay",
        "completions",
    ] {
        assert!(
            bash.contains(&format!("driftlab,{command})")),
            "{command} in the bash script"
        );
    }
    // the value enums complete too
    assert!(bash.contains("auto ks chisquare z psi jensenshannon wasserstein"));
    assert!(bash.contains("adwin ddm eddm page-hinkley kswin"));
    let zsh = String::from_utf8(driftlab(&["completions", "zsh"]).stdout).unwrap();
    assert!(
        zsh.starts_with("#compdef driftlab"),
        "{}",
        &zsh[..100.min(zsh.len())]
    );
    let fish = String::from_utf8(driftlab(&["completions", "fish"]).stdout).unwrap();
    assert!(fish.contains("complete -c driftlab"));
    let err = stderr_of(&driftlab(&["completions", "tcsh"]));
    assert!(
        err.contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{err}"
    );
}

/// A column the profile calls an identifier is left out of training by default, the train
/// report says so with the reason, and `--keep` keeps it (issue #14).
#[test]
fn train_drops_a_likely_id_and_keep_keeps_it() {
    let dir = scratch("likely-id");
    let fraud = String::from_utf8(driftlab(&["dataset", "fraud", "--rows", "400"]).stdout).unwrap();
    let with_id: Vec<String> = fraud
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("transaction_id,{l}"),
            _ => format!("{},{l}", 90_000 + i),
        })
        .collect();
    let path = dir.join("tx.csv");
    std::fs::write(&path, with_id.join("\n")).unwrap();
    let (data, model) = (
        path.display().to_string(),
        dir.join("m.json").display().to_string(),
    );
    let profile = json(&driftlab(&["profile", "--data", &data]));
    let warned = profile["columns"][0]["warnings"].as_array().unwrap();
    assert!(
        warned.iter().any(|w| w["code"] == "likely_id"),
        "{warned:?}"
    );

    let train = [
        "train", "--data", &data, "--target", "is_fraud", "--model", "logistic", "--out", &model,
    ];
    let out = driftlab(&train);
    let report = json(&out);
    assert_eq!(report["dropped"][0]["column"], "transaction_id");
    let reason = report["dropped"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("like an identifier"), "{reason}");
    let features: Vec<&str> = report["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        !features.contains(&"transaction_id") && features.contains(&"amount"),
        "{features:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note: \"transaction_id\" is left out of the features: it has a different value in every row") && stderr.contains("keep it with --keep transaction_id"), "{stderr}");

    let kept = json(&driftlab(
        &[&train[..], &["--keep", "transaction_id"]].concat(),
    ));
    assert_eq!(kept["dropped"].as_array().unwrap().len(), 0);
    assert_eq!(kept["features"][0], "transaction_id");
    assert_eq!(kept["notes"].as_array().unwrap().len(), 0);

    let err = stderr_of(&driftlab(&[&train[..], &["--keep", "txn_id"]].concat()));
    assert!(
        err.contains("--keep txn_id") && err.contains("transaction_id"),
        "{err}"
    );
    let err = stderr_of(&driftlab(&[&train[..], &["--keep", "is_fraud"]].concat()));
    assert!(err.contains("--keep is_fraud: that is the target"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `export` from an installed binary (copied out of the checkout and run elsewhere): it
/// bundles the edge scorer built into it, or, built without one, says exactly how to point
/// at one; `--wasm` / `DRIFTLAB_EDGE_WASM` pick another (issue #14).
#[test]
fn export_works_outside_a_checkout() {
    let dir = scratch("export");
    let installed = dir.join("driftlab");
    std::fs::copy(env!("CARGO_BIN_EXE_driftlab"), &installed).unwrap();
    let run = |args: &[&str], scorer: Option<&std::path::Path>| {
        let mut command = Command::new(&installed);
        command
            .current_dir(&dir)
            .args(args)
            .env_remove("DRIFTLAB_EDGE_WASM");
        if let Some(path) = scorer {
            command.env("DRIFTLAB_EDGE_WASM", path);
        }
        command.output().unwrap()
    };
    std::fs::write(dir.join("iris.csv"), driftlab(&["dataset", "iris"]).stdout).unwrap();
    let train = [
        "train", "--data", "iris.csv", "--target", "species", "--model", "logistic",
    ];
    json(&run(&[&train[..], &["--out", "m.json"]].concat(), None));

    let help = String::from_utf8(run(&["export", "--help"], None).stdout).unwrap();
    let export = ["export", "--model", "m.json", "--out", "bundle"];
    let out = run(&export, None);
    let checkout =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pkg/edge/driftlab_edge.wasm");
    if help.contains("the one built into this binary") {
        let report = json(&out);
        assert_eq!(report["scorer"], "built in");
        // the monitor module is built in beside the scorer when it was there (issue #18)
        let monitor = checkout.with_file_name("driftlab_monitor.wasm");
        assert_eq!(report["monitor"], monitor.is_file());
        assert_eq!(
            dir.join("bundle/driftlab_monitor.wasm").is_file(),
            monitor.is_file()
        );
        let bundled = std::fs::read(dir.join("bundle/driftlab_edge.wasm")).unwrap();
        assert!(bundled.starts_with(b"\0asm"));
        if checkout.is_file() {
            // cargo reruns build.rs when the scorer changes, so this is the same build
            assert_eq!(
                bundled,
                std::fs::read(&checkout).unwrap(),
                "the scorer built in is pkg/edge's"
            );
        }
    } else {
        // built before `make wasm`: the error and the help say how to point at one
        assert!(help.contains("has none built in"), "{help}");
        let err = stderr_of(&out);
        assert!(
            err.contains("pass --wasm PATH or set DRIFTLAB_EDGE_WASM=PATH")
                && err.contains("make wasm"),
            "{err}"
        );
    }
    assert!(help.contains("[env: DRIFTLAB_EDGE_WASM=]"), "{help}");

    // a scorer named by the environment (or --wasm) wins over the built-in one
    let other = dir.join("other.wasm");
    std::fs::write(&other, b"\0asm\x01\0\0\0").unwrap();
    let report = json(&run(&export, Some(&other)));
    assert_eq!(report["scorer"], other.display().to_string());
    assert_eq!(
        std::fs::read(dir.join("bundle/driftlab_edge.wasm")).unwrap(),
        b"\0asm\x01\0\0\0"
    );
    let report = json(&run(
        &[&export[..], &["--wasm", "other.wasm"]].concat(),
        None,
    ));
    assert_eq!(report["scorer"], "other.wasm");
    // ... and is checked
    std::fs::write(&other, b"<html>not found</html>").unwrap();
    let err = stderr_of(&run(&export, Some(&other)));
    assert!(err.contains("is not a WebAssembly module"), "{err}");
    let err = stderr_of(&run(
        &[&export[..], &["--wasm", "nope.wasm"]].concat(),
        None,
    ));
    assert!(
        err.contains("cannot read the edge scorer nope.wasm"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
