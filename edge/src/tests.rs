//! Unit tests of the scorer; the HTTP API is tested in the real runtime (`tests/edge/`).

use super::*;
use driftlab::artifact::Artifact;
use driftlab::table::{read_csv, ReadOptions};
use driftlab::train::{train, ModelKind, TrainRequest};

fn artifact(csv: &[u8], target: Option<&str>, kind: ModelKind) -> (Vec<u8>, driftlab::Table) {
    let table = read_csv(csv, &ReadOptions::default()).unwrap().table;
    let mut request = TrainRequest::new(target.unwrap_or(""), kind);
    request.target = target.map(str::to_owned);
    let (a, _) = train(&table, &request, &mut |_| {}).unwrap();
    (a.to_bytes().unwrap(), table)
}

const IRIS: &[u8] = include_bytes!("../../data/iris.csv");

#[test]
fn floats_are_written_shortest_and_read_back_to_the_same_bits() {
    for (x, text) in [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (0.1, "0.1"),
        (12.5, "12.5"),
        (0.001, "0.001"),
        (1e-7, "1e-7"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"),
    ] {
        let mut out = Vec::new();
        json::write_f64(&mut out, x);
        assert_eq!(String::from_utf8(out).unwrap(), text);
        assert_eq!(serde_json::to_string(&x).unwrap(), text);
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..50_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for x in [f64::from_bits(state), (state % 1_000_000) as f64 / 1000.0] {
            if !x.is_finite() {
                continue;
            }
            let mut out = Vec::new();
            json::write_f64(&mut out, x);
            let text = String::from_utf8(out).unwrap();
            let theirs = serde_json::to_string(&x).unwrap();
            // the same text as serde_json (the CLI's answers), which reads back to the same bits
            assert_eq!(text, theirs);
            assert_eq!(
                serde_json::from_str::<f64>(&text).unwrap().to_bits(),
                x.to_bits(),
                "{text}"
            );
            assert_eq!(json::parse(text.as_bytes()).unwrap().as_f64(), Some(x));
        }
    }
}

/// The float writer before it used zmij (Display's positional digits, read back into
/// digits and an exponent). Where two shortest digit strings are equally near, Display
/// and serde_json can pick different ones; the test counts those.
fn write_f64_by_display(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    let buf = format!("{}", x.abs());
    let (int, frac) = buf.split_once('.').unwrap_or((&buf, ""));
    let (mut digits, kk): (Vec<u8>, i32) = if int != "0" {
        (int.bytes().chain(frac.bytes()).collect(), int.len() as i32)
    } else {
        let zeros = frac.len() - frac.trim_start_matches('0').len();
        (frac.as_bytes()[zeros..].to_vec(), -(zeros as i32))
    };
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    let (digits, kk) = if digits.is_empty() {
        (vec![b'0'], 1)
    } else {
        (digits, kk)
    };
    let length = digits.len() as i32;
    let k = kk - length;
    if x.is_sign_negative() {
        out.push(b'-');
    }
    if 0 <= k && kk <= 16 {
        out.extend_from_slice(&digits);
        out.extend(std::iter::repeat_n(b'0', k as usize));
        out.extend_from_slice(b".0");
    } else if 0 < kk && kk <= 16 {
        out.extend_from_slice(&digits[..kk as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[kk as usize..]);
    } else if -5 < kk && kk <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-kk) as usize));
        out.extend_from_slice(&digits);
    } else {
        out.push(digits[0]);
        if length > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.extend_from_slice(if kk > 0 { b"e+" } else { b"e" });
        out.extend_from_slice((kk - 1).to_string().as_bytes());
    }
}

#[test]
fn floats_are_written_byte_for_byte_as_serde_json_writes_them() {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut differ_from_display = 0;
    let mut check = |x: f64| {
        let (mut ours, mut display) = (Vec::new(), Vec::new());
        json::write_f64(&mut ours, x);
        write_f64_by_display(&mut display, x);
        let theirs = if x.is_finite() {
            serde_json::to_string(&x).unwrap()
        } else {
            "null".to_owned()
        };
        assert_eq!(String::from_utf8(ours.clone()).unwrap(), theirs, "{x:e}");
        if ours != display {
            // only a tie, broken the other way: the same length, the same value
            assert_eq!(ours.len(), display.len(), "{x:e}");
            differ_from_display += 1;
        }
    };
    for x in [
        0.0,
        1.0,
        1e15,
        1e16,
        1e-5,
        1e-4,
        123456.0,
        1e21,
        1e22,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        f64::NAN,
        f64::INFINITY,
    ] {
        check(x);
        check(-x);
    }
    for _ in 0..200_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        check(f64::from_bits(state));
        check((state % 1_000_000) as f64 / 1000.0);
        // probabilities, as a classifier writes them
        check((state >> 11) as f64 / (1u64 << 53) as f64);
        check(1.0 - (state >> 11) as f64 / (1u64 << 53) as f64);
    }
    eprintln!("{differ_from_display} of 800,028 floats differ from the Display-based writer");
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    for s in [
        "plain",
        "quote \" and \\ back",
        "tab\tnew\nline\r",
        "\u{1}\u{1f}\u{7f}",
        "é ☃ 𝄞",
    ] {
        let mut out = Vec::new();
        json::write_str(&mut out, s);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string(s).unwrap()
        );
        let text = serde_json::to_string(s).unwrap();
        let parsed = json::parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.as_str(), Some(s));
    }
}

/// Every kind of the registry, in every task it solves (the edge reads each family with a
/// reader of its own, `model.rs`).
#[test]
fn reads_artifacts_as_the_core_does_and_scores_identically() {
    let mut plans: Vec<(&[u8], Option<&str>, ModelKind)> = Vec::new();
    for kind in ModelKind::ALL {
        let tasks = kind.tasks();
        if tasks.classification {
            plans.push((IRIS, Some("species"), kind));
        }
        if tasks.regression {
            plans.push((IRIS, Some("sepal_length_cm"), kind));
        }
        if tasks.clustering {
            plans.push((IRIS, None, kind));
        }
    }
    assert_eq!(
        plans.len(),
        ModelKind::ALL.len() + 2,
        "svm and knn both ways"
    );
    for (csv, target, kind) in plans {
        let (bytes, table) = artifact(csv, target, kind);
        let core = Artifact::from_bytes(&bytes).unwrap();
        assert_eq!(content_hash(&bytes).unwrap(), core.hash);
        let scorer = Scorer::from_bytes(&bytes).unwrap();
        assert_eq!(scorer.pipeline, core.pipeline);
        assert_eq!(scorer.model, core.model);
        assert_eq!(scorer.classes, core.classes);
        // typed JSON rows give the table path's predictions, bit for bit
        let rows: Vec<serde_json::Value> = (0..table.rows())
            .map(|r| {
                serde_json::Value::Object(
                    table
                        .columns()
                        .iter()
                        .map(|c| {
                            (
                                c.name.clone(),
                                serde_json::to_value(c.get(r).unwrap()).unwrap(),
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({ "rows": rows })).unwrap();
        let out: serde_json::Value =
            serde_json::from_slice(&scorer.score_json(&body, 1000).unwrap()).unwrap();
        let expected = core.score_table(&table).unwrap();
        let predictions = out["predictions"].as_array().unwrap();
        assert_eq!(predictions.len(), expected.len());
        for (p, e) in predictions.iter().zip(&expected) {
            match core.model.task() {
                Task::Classification => {
                    assert_eq!(p["prediction"].as_str(), e.label.as_deref());
                    let probs: Vec<f64> = core
                        .classes
                        .iter()
                        .map(|c| p["probabilities"][c].as_f64().unwrap())
                        .collect();
                    assert_eq!(probs, e.prediction.probabilities);
                }
                Task::Clustering => assert_eq!(p["prediction"].as_f64(), Some(e.prediction.value)),
                Task::Regression => {
                    assert_eq!(
                        p["prediction"].as_f64().unwrap().to_bits(),
                        e.prediction.value.to_bits()
                    )
                }
            }
        }
    }
}

#[test]
fn refuses_corrupted_artifacts_and_bad_rows() {
    let (bytes, _) = artifact(IRIS, Some("species"), ModelKind::Logistic);
    let text = String::from_utf8(bytes.clone()).unwrap();
    let trailing = format!("{text} x");
    assert!(Scorer::from_bytes(b"{")
        .unwrap_err()
        .error
        .contains("not a driftlab artifact"));
    let edited = text.replacen("setosa", "setosb", 1);
    let e = Scorer::from_bytes(edited.as_bytes()).unwrap_err();
    assert!(e.error.contains("hash mismatch"), "{}", e.error);
    assert_eq!(e.status, 422);
    assert!(Scorer::from_bytes(trailing.as_bytes()).is_err());
    let s = Scorer::from_bytes(&bytes).unwrap();
    let row = r#"{"sepal_length_cm": 5.1, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}"#;
    let ok = s
        .score_json(format!(r#"{{"rows": [{row}]}}"#).as_bytes(), 10)
        .unwrap();
    assert!(String::from_utf8(ok)
        .unwrap()
        .contains("\"prediction\":\"setosa\""));
    let missing = s
        .score_json(br#"{"rows": [{"sepal_length_cm": 5.1, "sepal_width_cm": 3.5, "petal_length_cm": 1.4}]}"#, 10)
        .unwrap_err();
    assert_eq!(
        (missing.status, missing.row, missing.column.as_deref()),
        (400, Some(0), Some("petal_width_cm"))
    );
    let wrong = s
        .score_json(format!(r#"{{"rows": [{row}, {{"sepal_length_cm": [1], "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}}]}}"#).as_bytes(), 10)
        .unwrap_err();
    assert_eq!(
        (wrong.row, wrong.column.as_deref()),
        (Some(1), Some("sepal_length_cm"))
    );
    let text_in_number = s
        .score_json(br#"{"rows": [{"sepal_length_cm": "big", "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}]}"#, 10)
        .unwrap_err();
    assert_eq!(
        (text_in_number.status, text_in_number.column.as_deref()),
        (400, Some("sepal_length_cm"))
    );
    assert_eq!(s.score_json(b"{not json", 10).unwrap_err().status, 400);
    assert_eq!(s.score_json(b"[1]", 10).unwrap_err().status, 400);
    let many = format!(r#"{{"rows": [{row}, {row}, {row}]}}"#);
    assert_eq!(s.score_json(many.as_bytes(), 2).unwrap_err().status, 413);
    // the drift guard: out of range and missing values are flagged, not refused
    let flagged = s
        .score_json(br#"{"rows": [{"sepal_length_cm": 99, "sepal_width_cm": null, "petal_length_cm": 1.4, "petal_width_cm": 0.2}]}"#, 10)
        .unwrap();
    let flagged = String::from_utf8(flagged).unwrap();
    assert!(
        flagged.contains("\"kind\":\"out_of_range\"") && flagged.contains("\"kind\":\"missing\""),
        "{flagged}"
    );
    // the CSV table path
    let table = br#"{"columns": ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"], "rows": [["5.1", "3.5", "1.4", "0.2"], ["5.1", "NA", "", "0.2"]]}"#;
    let out = String::from_utf8(s.score_table(table, 10).unwrap()).unwrap();
    assert_eq!(out.matches("\"kind\":\"missing\"").count(), 2, "{out}");
    let e = s
        .score_table(br#"{"columns": ["sepal_length_cm"], "rows": []}"#, 10)
        .unwrap_err();
    assert_eq!((e.row, e.column.as_deref()), (None, Some("sepal_width_cm")));
}

#[test]
fn bundle_has_every_file() {
    let (bytes, _) = artifact(IRIS, Some("species"), ModelKind::Logistic);
    let files = driftlab::export::files(&bytes, b"\0asm").unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    assert_eq!(
        names,
        [
            "worker.js",
            "driftlab_edge.wasm",
            "model.json",
            "wrangler.toml",
            "serve.mjs",
            "package.json",
            "README.md"
        ]
    );
    let readme = String::from_utf8(files[6].1.clone()).unwrap();
    assert!(
        !readme.contains("{{") && readme.contains("\"sepal_length_cm\": "),
        "{readme}"
    );
    let wrangler = String::from_utf8(files[3].1.clone()).unwrap();
    assert!(wrangler.contains("name = \"driftlab-logistic-"));
}

/// `v` with its hash recomputed over its JSON text (the edge hashes numbers as written).
fn rehashed(mut v: serde_json::Value) -> Vec<u8> {
    let hash = content_hash(&serde_json::to_vec(&v).unwrap()).unwrap();
    v["hash"] = hash.into();
    serde_json::to_vec(&v).unwrap()
}

/// Guards the pipeline and class-count checks of `Scorer::from_bytes` (issue 9, tampered
/// artifacts and fuzz target `pipeline`): a pipeline whose feature names are not its steps'
/// outputs, a zero scale, and a forest tree claiming 2^64 - 1 classes (which overflowed the
/// tree check's multiplication, a panic in debug builds) are refused with a 422.
#[test]
fn refuses_tampered_pipelines_and_huge_class_counts() {
    let (bytes, _) = artifact(IRIS, Some("species"), ModelKind::Forest);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert!(Scorer::from_bytes(&rehashed(v.clone())).is_ok());
    let mut w = v.clone();
    w["pipeline"]["features"][0] = "x".into();
    let e = Scorer::from_bytes(&rehashed(w)).unwrap_err();
    assert_eq!(e.status, 422);
    assert!(
        e.error.contains("feature names are not the outputs"),
        "{}",
        e.error
    );
    let mut w = v.clone();
    w["pipeline"]["inputs"][1]["step"]["scale"] = 0.0.into();
    let e = Scorer::from_bytes(&rehashed(w)).unwrap_err();
    assert!(
        e.error.contains("scale must be a positive number"),
        "{}",
        e.error
    );
    for n in [4, u64::MAX] {
        let mut w = v.clone();
        w["model"]["trees"][0]["n_classes"] = n.into();
        let e = Scorer::from_bytes(&rehashed(w)).unwrap_err();
        assert_eq!(e.status, 422);
        assert!(
            e.error.contains("forest tree does not match"),
            "{}",
            e.error
        );
    }
    let mut w = v;
    w["model"]["n_classes"] = u64::MAX.into();
    let e = Scorer::from_bytes(&rehashed(w)).unwrap_err();
    assert!(
        e.error.contains("class labels for a model of"),
        "{}",
        e.error
    );
}

/// A member given twice is refused, as the core's typed reader refuses it (rather than
/// scoring with whichever copy the reader kept): at the top level, where the core says
/// "duplicate field", and inside the model, where the hash is recomputed over both copies.
#[test]
fn refuses_a_member_given_twice() {
    let (bytes, _) = artifact(IRIS, Some("species"), ModelKind::Logistic);
    let text = String::from_utf8(bytes).unwrap();
    let top = text.replacen(
        '{',
        r#"{"model":{"kind":"linear","weights":[],"intercept":0.0},"#,
        1,
    );
    let e = Scorer::from_bytes(top.as_bytes()).unwrap_err();
    assert!(e.error.contains("\"model\" appears twice"), "{}", e.error);
    assert_eq!(e.status, 422);
    assert!(Artifact::from_bytes(top.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("duplicate"));
    let inner = text.replacen(
        r#""kind": "logistic","#,
        r#""kind": "logistic", "kind": "logistic","#,
        1,
    );
    assert!(inner.len() > text.len(), "the edit was made");
    let e = Scorer::from_bytes(inner.as_bytes()).unwrap_err();
    assert!(e.error.contains("\"kind\" appears twice"), "{}", e.error);
    assert!(Artifact::from_bytes(inner.as_bytes()).is_err());
}
