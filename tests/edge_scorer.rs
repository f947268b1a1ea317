//! The edge scorer (`driftlab-edge`) on artifacts the core trains: it reads them as the core
//! does, scores JSON and CSV rows bit for bit as the core's scorer, and refuses corrupted and
//! tampered artifacts and bad rows with the status and the row and column. (These tests
//! live in the core so that the edge crate does not depend on the trainers.)

use driftlab::artifact::Artifact;
use driftlab::score::Task;
use driftlab::table::{read_csv, ReadOptions};
use driftlab::train::{train, ModelKind, TrainRequest};
use driftlab_edge::{content_hash, Scorer};

fn artifact(csv: &[u8], target: Option<&str>, kind: ModelKind) -> (Vec<u8>, driftlab::Table) {
    let table = read_csv(csv, &ReadOptions::default()).unwrap().table;
    let mut request = TrainRequest::new(target.unwrap_or(""), kind);
    request.target = target.map(str::to_owned);
    let (a, _) = train(&table, &request, &mut |_| {}).unwrap();
    (a.to_bytes().unwrap(), table)
}

const IRIS: &[u8] = include_bytes!("../data/iris.csv");

#[test]
fn reads_artifacts_as_the_core_does_and_scores_identically() {
    // every kind of the registry, in every task it solves (the edge reads each family with
    // a reader of its own, edge/src/model.rs)
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
        ModelKind::ALL.len() + 4,
        "boosting, svm, knn and mlp both ways"
    );
    for (csv, target, kind) in plans {
        let (bytes, table) = artifact(csv, target, kind);
        same_as_the_core(&bytes, &table);
    }
}

/// The edge reads `bytes` as the core does and scores every row of `table`, sent as typed
/// JSON, to the core's bits.
fn same_as_the_core(bytes: &[u8], table: &driftlab::Table) {
    let bytes = bytes.to_vec();
    let core = Artifact::from_bytes(&bytes).unwrap();
    assert_eq!(content_hash(&bytes).unwrap(), core.hash);
    let scorer = Scorer::from_bytes(&bytes).unwrap();
    let (pipeline, model, classes) = scorer.parts();
    assert_eq!(pipeline, &core.pipeline);
    assert_eq!(model, &core.model);
    assert_eq!(classes, core.classes.as_slice());
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
    let expected = core.score_table(table).unwrap();
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

/// Trees that learned where missing values go (issue 15): iris with blanked cells, its
/// numeric columns kept missing, read and scored by the edge as by the core.
#[test]
fn reads_learned_missing_sides_and_scores_them_identically() {
    let mut csv = String::new();
    for (i, line) in String::from_utf8_lossy(IRIS).lines().enumerate() {
        let mut cells: Vec<&str> = line.split(',').collect();
        if i > 0 && (i % 3 == 0 || cells[4].contains("virginica") && i % 4 == 0) {
            cells[2] = "";
        }
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let table = read_csv(csv.as_bytes(), &ReadOptions::default())
        .unwrap()
        .table;
    for kind in [ModelKind::Tree, ModelKind::Forest, ModelKind::Boosting] {
        let mut request = TrainRequest::new("species", kind);
        let mut spec = driftlab::PipelineSpec::default_for(&table, Some("species")).unwrap();
        spec.keep_missing();
        request.pipeline = Some(spec);
        let (a, _) = train(&table, &request, &mut |_| {}).unwrap();
        assert!(a.pipeline.inputs.iter().all(|c| matches!(
            c.step,
            driftlab::prep::FittedStep::Numeric { keep: true, .. }
        )));
        let learned = match &a.model {
            driftlab::score::Model::Tree(t) => t.missing.is_some(),
            driftlab::score::Model::Forest(f) => f.trees.iter().all(|t| t.missing.is_some()),
            _ => true,
        };
        assert!(learned, "{kind}: a learned side for missing values");
        same_as_the_core(&a.to_bytes().unwrap(), &table);
    }
}

/// Feature crosses (issue 16) in the fitted pipeline: the edge reads them as the core does
/// and a network over `x, y, x^2, y^2, x*y, sin(x), sin(y)` scores the same bits.
#[test]
fn reads_feature_crosses_and_scores_them_identically() {
    let csv = driftlab::dataset::generate("circles", &Default::default()).unwrap();
    let table = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    for kind in [ModelKind::Logistic, ModelKind::Mlp] {
        let mut request = TrainRequest::new("label", kind);
        let mut pipeline = driftlab::PipelineSpec::default_for(&table, Some("label")).unwrap();
        pipeline.crosses = ["x^2", "y^2", "x*y", "sin(x)", "sin(y)"]
            .iter()
            .map(|c| driftlab::prep::Cross::parse(c).unwrap())
            .collect();
        request.pipeline = Some(pipeline);
        let (a, ev) = train(&table, &request, &mut |_| {}).unwrap();
        assert!(
            ev.metrics.unwrap().accuracy().unwrap() > 0.95,
            "{kind} with x^2 and y^2 on circles"
        );
        let bytes = a.to_bytes().unwrap();
        let scorer = Scorer::from_bytes(&bytes).unwrap();
        let (pipeline, model, _) = scorer.parts();
        assert_eq!(pipeline, &a.pipeline);
        assert_eq!(model, &a.model);
        assert_eq!(pipeline.crosses.len(), 5);
        let rows: Vec<serde_json::Value> = (0..table.rows())
            .map(|r| serde_json::json!({"x": table.column("x").unwrap().get(r).unwrap(), "y": table.column("y").unwrap().get(r).unwrap()}))
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({ "rows": rows })).unwrap();
        let out: serde_json::Value =
            serde_json::from_slice(&scorer.score_json(&body, 1000).unwrap()).unwrap();
        let expected = a.score_table(&table).unwrap();
        for (p, e) in out["predictions"].as_array().unwrap().iter().zip(&expected) {
            let probs: Vec<f64> = a
                .classes
                .iter()
                .map(|c| p["probabilities"][c].as_f64().unwrap())
                .collect();
            assert_eq!(probs, e.prediction.probabilities, "{kind}");
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
