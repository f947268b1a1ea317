//! ONNX import parity: every fixture model of `scripts/fixtures_onnx.py` (scikit-learn
//! through skl2onnx, LightGBM and XGBoost through onnxmltools) imported with its reference
//! CSV reproduces onnxruntime's labels exactly and its probabilities (and values) within
//! 1e-6 on every stored row, through the artifact's own pipeline and scorer.
#![cfg(feature = "onnx")]

use std::path::{Path, PathBuf};

use driftlab::artifact::Artifact;
use driftlab::onnx::import::{import_model, ImportError, ImportOptions};
use driftlab::table::{read_csv, ReadOptions, Table};
use serde_json::Value;

mod common {
    pub mod onnx_cases;
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx")
}

fn table(name: &str) -> Table {
    let bytes = std::fs::read(dir().join(name)).unwrap();
    read_csv(&bytes, &ReadOptions::default()).unwrap().table
}

fn import(model: &str, data: &str) -> Result<Artifact, ImportError> {
    let bytes = std::fs::read(dir().join(format!("{model}.onnx"))).unwrap();
    import_model(
        &bytes,
        &table(&format!("{data}.train.csv")),
        Some("y"),
        &ImportOptions {
            created: "2026-12-06T00:00:00Z".into(),
        },
    )
}

/// Compares one model's scores with onnxruntime's; returns the rows compared and the
/// largest difference (probabilities, or values relative to their scale).
fn check(model: &str) -> (usize, f64) {
    let expected: Value = serde_json::from_slice(
        &std::fs::read(dir().join(format!("{model}.expected.json"))).unwrap(),
    )
    .unwrap();
    let data = expected["dataset"].as_str().unwrap();
    let artifact = import(model, data).unwrap_or_else(|e| panic!("{model}: {e}"));
    assert_eq!(
        artifact.model.kind(),
        expected["kind"].as_str().unwrap(),
        "{model}: the family"
    );
    // the artifact survives its own reader (hash, shapes)
    let artifact = Artifact::from_bytes(&artifact.to_bytes().unwrap()).unwrap();
    let rows = table(&format!("{data}.rows.csv"));
    let scored = artifact.score_table(&rows).unwrap();
    let mut compared = 0;
    let mut worst = 0.0f64;
    if let Some(labels) = expected["label"].as_array() {
        assert_eq!(labels.len(), scored.len());
        for (i, (l, s)) in labels.iter().zip(&scored).enumerate() {
            assert_eq!(
                s.label.as_deref(),
                l.as_str(),
                "{model} row {i}: label {:?} vs onnxruntime's {l}",
                s.label
            );
        }
        compared = labels.len();
    }
    if let Some(probs) = expected["probabilities"].as_array() {
        if let Some(classes) = expected["classes"].as_array() {
            let classes: Vec<&str> = classes.iter().map(|c| c.as_str().unwrap()).collect();
            assert_eq!(classes, artifact.classes, "{model}: the classes");
        }
        for (i, (p, s)) in probs.iter().zip(&scored).enumerate() {
            let p: Vec<f64> = p
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(p.len(), s.prediction.probabilities.len(), "{model} row {i}");
            for (a, b) in p.iter().zip(&s.prediction.probabilities) {
                worst = worst.max((a - b).abs());
                assert!(
                    (a - b).abs() <= 1e-6,
                    "{model} row {i}: probability {b} vs onnxruntime's {a} ({:e})",
                    (a - b).abs()
                );
            }
        }
        compared = probs.len();
    }
    if let Some(values) = expected["value"].as_array() {
        // onnxruntime sums in f32: its values carry a rounding of 6e-8 of the terms they
        // add, so they are compared relative to the output's scale (the largest |value|)
        let scale = values
            .iter()
            .map(|v| v.as_f64().unwrap().abs())
            .fold(1.0, f64::max);
        for (i, (v, s)) in values.iter().zip(&scored).enumerate() {
            let v = v.as_f64().unwrap();
            let got = s.prediction.value;
            worst = worst.max((v - got).abs() / scale);
            assert!(
                (v - got).abs() <= 1e-6 * scale,
                "{model} row {i}: value {got} vs onnxruntime's {v} ({:e})",
                (v - got).abs()
            );
        }
        compared = values.len();
    }
    assert!(compared > 0, "{model}: nothing compared");
    stripped_round_trip(model, &artifact, data, &scored);
    (compared, worst)
}

/// The imported model exported by driftlab, its `driftlab.model` metadata entry removed,
/// imported again from the graph alone: the same scores, bit for bit.
fn stripped_round_trip(
    model: &str,
    artifact: &Artifact,
    data: &str,
    scored: &[driftlab::artifact::Scored],
) {
    let mut m = match driftlab::onnx::export::export(artifact) {
        Ok(m) => m,
        Err(e) => panic!("{model}: driftlab's export refuses it: {e}"),
    };
    m.metadata_props
        .retain(|p| p.key.as_deref() != Some(driftlab::onnx::export::MODEL_KEY));
    if artifact.pipeline.has_onnx_steps() {
        // with its entry, the export imports back to the same pipeline and model
        let full = driftlab::onnx::export::to_bytes(artifact).unwrap();
        let back = import_model(
            &full,
            &table(&format!("{data}.train.csv")),
            Some("y"),
            &ImportOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{model}: driftlab's own export: {e}"));
        assert_eq!(back.pipeline, artifact.pipeline, "{model}");
        assert_eq!(back.model, artifact.model, "{model}");
    }
    let back = import_model(
        &driftlab::onnx::encode_model(&m),
        &table(&format!("{data}.train.csv")),
        Some("y"),
        &ImportOptions {
            created: "2026-12-06T00:00:00Z".into(),
        },
    )
    .unwrap_or_else(|e| panic!("{model}: exported by driftlab without its entry: {e}"));
    let again = back
        .score_table(&table(&format!("{data}.rows.csv")))
        .unwrap();
    let bits = |p: &[f64]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    for (i, (x, y)) in scored.iter().zip(&again).enumerate() {
        assert_eq!(
            (
                x.prediction.value.to_bits(),
                bits(&x.prediction.probabilities)
            ),
            (
                y.prediction.value.to_bits(),
                bits(&y.prediction.probabilities)
            ),
            "{model} row {i}: exported and read back without the entry"
        );
    }
}

#[test]
fn every_fixture_model_reproduces_onnxruntime() {
    let models: Vec<String> =
        serde_json::from_slice(&std::fs::read(dir().join("models.json")).unwrap()).unwrap();
    assert!(models.len() >= 20);
    let mut failures = Vec::new();
    for m in &models {
        match std::panic::catch_unwind(|| check(m)) {
            Ok((n, worst)) => println!("{m}: {n} rows agree (largest difference {worst:.1e})"),
            Err(e) => failures.push(format!(
                "{m}: {}",
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the import refuses, it refuses by name, with the reason.
#[test]
fn refused_models_say_why() {
    // SVC(probability=False): votes and decision values, no probabilities
    let svc = import("refused_svc", "binary").unwrap_err().to_string();
    assert!(
        svc.contains("SVMClassifier") && svc.contains("probability=True"),
        "{svc}"
    );
    // the steps on the inputs import (they are parity fixtures) into version-3 artifacts
    for (model, data, path, value) in [
        ("normalizer_l2", "binary", "/pipeline/normalize", "\"l2\""),
        (
            "binarizer",
            "binary",
            "/pipeline/inputs/0/step/binarize",
            "0.0",
        ),
        (
            "ordinal_mixed",
            "mixed",
            "/pipeline/inputs/2/step/step",
            "\"ordinal\"",
        ),
    ] {
        let a = import(model, data).unwrap();
        assert_eq!(a.version, 3, "{model}");
        let doc: Value = serde_json::from_slice(&a.to_bytes().unwrap()).unwrap();
        let found = doc.pointer(path).map(|v| v.to_string());
        assert_eq!(found.as_deref(), Some(value), "{model}: {path}");
    }
    // an ordinal code ONNX-ML's LabelEncoder cannot hold (values_floats are float32): the
    // export refuses, naming the column and the fix
    let mut a = import("ordinal_mixed", "mixed").unwrap();
    if let driftlab::prep::FittedStep::Ordinal { codes, .. } = &mut a.pipeline.inputs[2].step {
        codes[0] = 0.1;
    }
    let e = driftlab::onnx::export::export(&a).unwrap_err().to_string();
    assert!(
        e.contains("\"c\"") && e.contains("ordinal codes") && e.contains("whole numbers"),
        "{e}"
    );
}

/// Hostile files (`scripts/fixtures_onnx.py`'s `hostile/`, also the fuzz corpus's seeds):
/// each is refused with an error that says what is wrong — never a panic, never an
/// allocation of what the file declares (the 2 GB tensors below are a few bytes long).
#[test]
fn hostile_files_get_clear_errors() {
    let reference = table("binary.train.csv");
    let cases: [(&str, &[&str]); 27] = [
        ("truncated", &["not a readable ONNX model"]),
        ("cycle", &["cycle", "first"]),
        ("unknown_domain", &["com.example.secret"]),
        ("future_opset", &["version 99", "versions 1 to 23"]),
        (
            "unsupported_op",
            &["operator Abs", "absolute", "it reads: ai.onnx.ml: Scaler"],
        ),
        ("tree_out_of_range", &["tree 0 points at node 7"]),
        (
            "tree_bad_feature",
            &["feature 1000, outside the 4 features"],
        ),
        ("tree_cycle", &["tree 0"]),
        ("tree_too_deep", &["deeper than 256 levels"]),
        ("huge_tensor", &["declares 536870912 elements", "holds 0"]),
        ("huge_length", &["not a readable ONNX model"]),
        ("ok_linear", &[]),
        // SVM classifiers whose arrays disagree
        ("svc_ok", &[]),
        (
            "svc_classes_mismatch",
            &["vectors_per_class has 3 counts for 2 class labels"],
        ),
        ("svc_empty_classes", &["counts no support vector"]),
        (
            "svc_huge_counts",
            &["support_vectors holds 8 values", "more than any file holds"],
        ),
        (
            "svc_short_vectors",
            &["7 support vector values are not rows of 4 features"],
        ),
        ("svc_wrong_pairs", &["rho holds 2 values", "2 classes"]),
        (
            "svc_poly_degree",
            &["polynomial kernel of degree 4", "degrees 2 and 3"],
        ),
        // driftlab's export's shapes without the driftlab.model entry, damaged
        (
            "own_topk_beyond_rows",
            &["(TopK)", "k (the neighbours) 500 is not in 0..3"],
        ),
        (
            "own_where_wide_fill",
            &[
                "(Where)",
                "holds 3 numbers where driftlab's export writes one",
            ],
        ),
        (
            "own_out_of_place",
            &[
                "operator Abs",
                "driftlab's export writes Unsqueeze at this point",
                "TopK",
            ],
        ),
        (
            "own_unknown_family",
            &["driftlab_gradient_magic", "names no driftlab family"],
        ),
        (
            "own_hand_written",
            &[
                "is not what driftlab's export writes",
                "export the model from driftlab again",
            ],
        ),
        (
            "own_tree_huge_targets",
            &["10000 nodes of 4096 targets", "reads at most 33554432"],
        ),
        // found by `make fuzz`: a driftlab-shaped SVM with a NaN support vector, whose
        // artifact then could not be read back (NaN is written as null)
        (
            "fuzz_own_svm_nan",
            &["(Sub)", "holds NaN at position 4", "finite numbers"],
        ),
        (
            "normalizer_unknown_norm",
            &[
                "(Normalizer)",
                "norm \"L7\" is none of ONNX's MAX, L1 and L2",
            ],
        ),
    ];
    for (name, needles) in cases {
        let bytes = std::fs::read(dir().join(format!("hostile/{name}.onnx"))).unwrap();
        let got = import_model(&bytes, &reference, Some("y"), &ImportOptions::default());
        match (got, needles.is_empty()) {
            (Ok(_), true) => {}
            (Ok(_), false) => panic!("{name}: imported"),
            (Err(e), _) => {
                let e = e.to_string();
                for n in needles {
                    assert!(e.contains(n), "{name}: {e:?} does not say {n:?}");
                }
                assert!(!needles.is_empty(), "{name}: {e}");
            }
        }
    }
    // every prefix of a real file is an error or an artifact, never a panic
    let bytes = std::fs::read(dir().join("gboost_binary.onnx")).unwrap();
    for cut in (0..bytes.len()).step_by(97) {
        let _ = import_model(
            &bytes[..cut],
            &reference,
            Some("y"),
            &ImportOptions::default(),
        );
    }
}

/// The rule tying the graph's inputs to the reference's columns, in its errors.
#[test]
fn input_errors_name_the_rule() {
    let bytes = std::fs::read(dir().join("logistic_binary.onnx")).unwrap();
    let e = import_model(
        &bytes,
        &table("binary.train.csv"),
        None,
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("4 values wide") && e.contains("--target"), "{e}");
    let e = import_model(
        &bytes,
        &table("mixed.train.csv"),
        Some("y"),
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("holds categories") || e.contains("wide"), "{e}");
    let e = import_model(
        &bytes,
        &table("binary.train.csv"),
        Some("nope"),
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("\"nope\""), "{e}");
}

/// The lineage says where the model came from, and the imported model is monitored
/// against its reference (the profile is the reference's).
#[test]
fn lineage_and_profile_come_from_the_file_and_the_reference() {
    let a = import("gboost_multi", "multi").unwrap();
    assert!(driftlab::onnx::import::is_imported(&a));
    let onnx = &a.lineage.params["onnx"];
    assert_eq!(onnx["producer_name"], "skl2onnx");
    assert!(onnx["content_hash"]
        .as_str()
        .unwrap()
        .starts_with("fnv1a64:"));
    assert_eq!(a.lineage.model_kind, "boosting");
    assert_eq!(a.lineage.train_rows, 200);
    assert_eq!(a.profile.rows, 200);
    assert_eq!(a.profile.target.as_deref(), Some("y"));
    // an input outside the reference's range is flagged, as for a trained model
    let rows = driftlab::table::read_csv(b"x1,x2,x3,x4\n1e6,0,0,0\n", &ReadOptions::default())
        .unwrap()
        .table;
    let scored = a.score_table(&rows).unwrap();
    assert!(scored[0].warnings.iter().any(|w| w.kind == "out_of_range"));
}

/// The edge scorer (`driftlab-edge`, the code the Cloudflare Worker runs) reads every
/// imported artifact exactly as the core does and scores its rows to the same bits.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_edge_scores_imported_models_bit_for_bit() {
    use driftlab::score::Task;
    use driftlab_edge::Scorer;
    let models: Vec<String> =
        serde_json::from_slice(&std::fs::read(dir().join("models.json")).unwrap()).unwrap();
    for m in &models {
        let expected: Value = serde_json::from_slice(
            &std::fs::read(dir().join(format!("{m}.expected.json"))).unwrap(),
        )
        .unwrap();
        let data = expected["dataset"].as_str().unwrap();
        let core = import(m, data).unwrap();
        let bytes = core.to_bytes().unwrap();
        let scorer = Scorer::from_bytes(&bytes).unwrap_or_else(|e| panic!("{m}: {e:?}"));
        let (pipeline, model, classes) = scorer.parts();
        assert_eq!(pipeline, &core.pipeline, "{m}");
        assert_eq!(model, &core.model, "{m}");
        assert_eq!(classes, core.classes.as_slice(), "{m}");
        let rows = table(&format!("{data}.rows.csv"));
        let json_rows: Vec<Value> = (0..rows.rows())
            .map(|r| {
                Value::Object(
                    rows.columns()
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
        let body = serde_json::to_vec(&serde_json::json!({ "rows": json_rows })).unwrap();
        let out: Value = serde_json::from_slice(&scorer.score_json(&body, 1000).unwrap()).unwrap();
        let want = core.score_table(&rows).unwrap();
        for (p, e) in out["predictions"].as_array().unwrap().iter().zip(&want) {
            match core.model.task() {
                Task::Classification => {
                    assert_eq!(p["prediction"].as_str(), e.label.as_deref(), "{m}");
                    for (c, q) in core.classes.iter().zip(&e.prediction.probabilities) {
                        assert_eq!(
                            p["probabilities"][c].as_f64().unwrap().to_bits(),
                            q.to_bits(),
                            "{m}"
                        );
                    }
                }
                _ => assert_eq!(
                    p["prediction"].as_f64().unwrap().to_bits(),
                    e.prediction.value.to_bits(),
                    "{m}"
                ),
            }
        }
    }
}

/// The scores' bits, fingerprinted for the Wasm test (`tests/wasm_node.rs`), which must
/// find the same.
#[test]
fn scores_match_the_fingerprint_the_wasm_build_checks() {
    let got = common::onnx_cases::fingerprint();
    if std::env::var_os("DRIFTLAB_BLESS").is_some() {
        std::fs::write(dir().join("scores.fnv"), &got).unwrap();
        return;
    }
    assert_eq!(got, common::onnx_cases::EXPECTED.trim());
    let listed: Vec<String> =
        serde_json::from_slice(&std::fs::read(dir().join("models.json")).unwrap()).unwrap();
    let shared: Vec<&str> = common::onnx_cases::FIXTURES.iter().map(|f| f.0).collect();
    assert_eq!(
        listed, shared,
        "tests/common/onnx_cases.rs lists every fixture model"
    );
}

/// `driftlab import` writes the artifact `driftlab score` reads, and says what is wrong with
/// a hostile file on stderr with exit code 1.
#[cfg(feature = "cli")]
#[test]
fn the_cli_imports_and_refuses() {
    let bin = env!("CARGO_BIN_EXE_driftlab");
    let out = std::env::temp_dir().join(format!("driftlab-import-{}.json", std::process::id()));
    let run = |model: &str| {
        std::process::Command::new(bin)
            .args(["import", "--model"])
            .arg(dir().join(model))
            .arg("--reference")
            .arg(dir().join("mixed.train.csv"))
            .args(["--target", "y", "--out"])
            .arg(&out)
            .output()
            .unwrap()
    };
    let ok = run("logistic_mixed.onnx");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let summary: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(summary["kind"], "logistic");
    assert_eq!(summary["lineage"]["source"], "imported from ONNX");
    let scored = std::process::Command::new(bin)
        .args(["score", "--model"])
        .arg(&out)
        .arg("--data")
        .arg(dir().join("mixed.rows.csv"))
        .output()
        .unwrap();
    assert!(scored.status.success());
    let text = String::from_utf8(scored.stdout).unwrap();
    assert!(text.starts_with("prediction,p_0,p_1,p_2\n"), "{text}");
    assert_eq!(text.lines().count(), 61);
    let bad = run("hostile/cycle.onnx");
    assert_eq!(bad.status.code(), Some(1));
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(e.contains("cycle through node \"first\""), "{e}");
    let _ = std::fs::remove_file(&out);
}

/// Damaged copies of every fixture (bytes flipped, cut, duplicated at seeded places):
/// each is imported or refused, never a panic; what imports passes the artifact's reader.
#[test]
fn damaged_files_never_panic() {
    let models: Vec<String> =
        serde_json::from_slice(&std::fs::read(dir().join("models.json")).unwrap()).unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (numeric, mixed) = (table("binary.train.csv"), table("mixed.train.csv"));
    let mut imported = 0;
    for m in &models {
        let bytes = std::fs::read(dir().join(format!("{m}.onnx"))).unwrap();
        let reference = if m.contains("mixed") {
            &mixed
        } else {
            &numeric
        };
        for _ in 0..30 {
            let mut b = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % b.len();
                match next() % 3 {
                    0 => b[at] = next() as u8,
                    1 => b.truncate(at.max(1)),
                    _ => {
                        let end = (at + 1 + (next() as usize) % 16).min(b.len());
                        let piece = b[at..end].to_vec();
                        b.splice(at..at, piece);
                    }
                }
            }
            if let Ok(a) = import_model(&b, reference, Some("y"), &ImportOptions::default()) {
                Artifact::from_bytes(&a.to_bytes().unwrap()).unwrap();
                imported += 1;
            }
        }
    }
    println!("{imported} damaged files still imported");
}

/// An imported SVC is bundled for the edge like any other model (the edge scorer reads
/// its one-vs-one machines; `tests/edge/` scores one in workerd).
#[test]
fn an_imported_svc_is_bundled_for_the_edge() {
    let a = import("svc_rbf_binary", "binary").unwrap();
    let files = driftlab::export::files(&a.to_bytes().unwrap(), b"\0asm").unwrap();
    assert!(
        files.iter().any(|(name, _)| *name == "model.json"),
        "{:?}",
        files.iter().map(|f| f.0).collect::<Vec<_>>()
    );
}
