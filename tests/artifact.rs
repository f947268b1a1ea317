//! The artifact contract (DESIGN.md, issue 3): versioned JSON, refused when the format is
//! unknown, the version newer, the hash wrong or the arrays inconsistent; scoring from the
//! artifact alone carries per-row warnings for inputs outside the reference.
#![cfg(feature = "train")]

use driftlab::artifact::{Artifact, ArtifactError, FORMAT, VERSION};
use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{train, ModelKind, TrainRequest};

fn iris() -> Table {
    let csv = driftlab::dataset::generate("iris", &Default::default()).unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

fn trained() -> Artifact {
    let mut request = TrainRequest::new("species", ModelKind::Logistic);
    request.created = "2025-01-01T00:00:00Z".into();
    train(&iris(), &request, &mut |_| {}).unwrap().0
}

#[test]
fn round_trip_keeps_everything() {
    let a = trained();
    assert_eq!(a.format, FORMAT);
    // version 2 or 3 only for what needs it (missing values kept for the model, issue 15;
    // the steps of an ONNX import, issue 17)
    assert_eq!(a.version, 1);
    assert_eq!(VERSION, 3);
    assert!(a.hash.starts_with("fnv1a64:"));
    assert_eq!(a.lineage.driftlab_version, driftlab::VERSION);
    assert_eq!(a.lineage.created, "2025-01-01T00:00:00Z");
    let b = Artifact::from_bytes(&a.to_bytes().unwrap()).unwrap();
    assert_eq!(a, b);
    assert_eq!(b.to_bytes().unwrap(), a.to_bytes().unwrap());
}

#[test]
fn refusals_are_clear() {
    let a = trained();
    let mut v: serde_json::Value = serde_json::from_slice(&a.to_bytes().unwrap()).unwrap();
    v["version"] = 4.into();
    let e = Artifact::from_bytes(v.to_string().as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            ArtifactError::NewerVersion {
                found: 4,
                supported: 3
            }
        ),
        "{e}"
    );

    let mut v: serde_json::Value = serde_json::from_slice(&a.to_bytes().unwrap()).unwrap();
    v["format"] = "onnx".into();
    assert!(matches!(
        Artifact::from_bytes(v.to_string().as_bytes()),
        Err(ArtifactError::Format(_))
    ));

    let mut v: serde_json::Value = serde_json::from_slice(&a.to_bytes().unwrap()).unwrap();
    v["model"]["intercepts"][0] = 1.5.into();
    assert!(matches!(
        Artifact::from_bytes(v.to_string().as_bytes()),
        Err(ArtifactError::HashMismatch { .. })
    ));

    // A shape mismatch with a correct hash is still refused.
    let mut b = a.clone();
    if let driftlab::score::Model::Logistic(m) = &mut b.model {
        m.weights.pop();
    }
    b.hash = b.content_hash().unwrap();
    let e = Artifact::from_bytes(&b.to_bytes().unwrap()).unwrap_err();
    assert!(matches!(e, ArtifactError::Shape(_)), "{e}");
}

#[test]
fn scoring_flags_inputs_outside_the_reference() {
    let a = trained();
    let csv = b"sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5.1,3.5,1.4,0.2\n99,,1.4,0.2\n";
    let t = read_csv(csv, &ReadOptions::default()).unwrap().table;
    let scored = a.score_table(&t).unwrap();
    assert_eq!(scored.len(), 2);
    assert_eq!(scored[0].label.as_deref(), Some("setosa"));
    assert!(scored[0].warnings.is_empty());
    let kinds: Vec<&str> = scored[1].warnings.iter().map(|w| w.kind.as_str()).collect();
    assert!(
        kinds.contains(&"out_of_range") && kinds.contains(&"missing"),
        "{kinds:?}"
    );
    let p: f64 = scored[1].prediction.probabilities.iter().sum();
    assert!((p - 1.0).abs() < 1e-12);
}

/// JSON rows (the page's form, an HTTP client) score exactly like the same rows in a table.
#[test]
fn json_rows_score_like_the_table() {
    use driftlab::dataset::{generate, DatasetOptions};
    use driftlab::table::{read_csv, Cell, ReadOptions};
    use driftlab::train::{train, ModelKind, TrainRequest};
    let csv = generate(
        "fraud",
        &DatasetOptions {
            rows: Some(600),
            seed: Some(3),
            drift: None,
            noise: None,
        },
    )
    .unwrap();
    let table = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let (artifact, _) = train(
        &table,
        &TrainRequest::new("is_fraud", ModelKind::Logistic),
        &mut |_| {},
    )
    .unwrap();
    let rows: Vec<serde_json::Value> = (0..table.rows())
        .map(|r| {
            let object: serde_json::Map<String, serde_json::Value> = table
                .columns()
                .iter()
                .map(|c| {
                    let v = match c.get(r).unwrap() {
                        Cell::Missing => serde_json::Value::Null,
                        Cell::Number(x) => serde_json::json!(x),
                        Cell::Category(s) => serde_json::json!(s),
                        Cell::Bool(b) => serde_json::json!(b),
                    };
                    (c.name.clone(), v)
                })
                .collect();
            serde_json::Value::Object(object)
        })
        .collect();
    let from_json = artifact.score_json_rows(&rows).unwrap();
    let from_table = artifact.score_table(&table).unwrap();
    assert_eq!(from_json.len(), from_table.len());
    for (a, b) in from_json.iter().zip(&from_table) {
        assert_eq!(a.prediction, b.prediction);
        assert_eq!(a.warnings, b.warnings);
    }
    let e = artifact
        .score_json_rows(&[serde_json::json!({"amount": [1]})])
        .unwrap_err()
        .to_string();
    assert!(e.contains("row 1") && e.contains("amount"), "{e}");
}

/// JSON cells read as the edge scorer reads them (edge/src/lib.rs): a blank string is
/// missing, "true"/"FALSE" are booleans in a boolean column, and an absent column is an
/// error naming the row and the column. `tests/edge/edge.test.mjs` holds the page's core
/// and the edge to the same answers for these cells.
#[test]
fn json_cells_read_as_the_edge_reads_them() {
    let csv = driftlab::dataset::generate(
        "fraud",
        &driftlab::dataset::DatasetOptions {
            rows: Some(600),
            ..Default::default()
        },
    )
    .unwrap();
    let t = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let a = train(
        &t,
        &TrainRequest::new("is_fraud", ModelKind::Logistic),
        &mut |_| {},
    )
    .unwrap()
    .0;
    let row = |column: &str, value: serde_json::Value| {
        let mut object = serde_json::Map::new();
        for input in &a.pipeline.inputs {
            object.insert(input.name.clone(), serde_json::json!(null));
        }
        object.insert(column.into(), value);
        serde_json::Value::Object(object)
    };
    let score = |r: serde_json::Value| a.score_json_rows(&[r]).unwrap().remove(0);
    // a blank string is the same as null
    for blank in ["", "  "] {
        for column in ["merchant_category", "amount", "card_present"] {
            let (b, n) = (
                score(row(column, serde_json::json!(blank))),
                score(row(column, serde_json::json!(null))),
            );
            assert_eq!(b.prediction, n.prediction, "{column} = {blank:?}");
            assert_eq!(b.warnings, n.warnings, "{column} = {blank:?}");
        }
    }
    // "true" and "FALSE" in the boolean column are the booleans
    for (text, value) in [("true", true), ("FALSE", false), (" True ", true)] {
        let (s, b) = (
            score(row("card_present", serde_json::json!(text))),
            score(row("card_present", serde_json::json!(value))),
        );
        assert_eq!(s.prediction, b.prediction, "{text:?}");
        assert_eq!(s.warnings, b.warnings, "{text:?}");
    }
    // a number written as a string in a numeric column reads as the number (the
    // pipeline parses text cells in numeric columns, for JSON as for CSV)
    let (s, n) = (
        score(row("amount", serde_json::json!("12.5"))),
        score(row("amount", serde_json::json!(12.5))),
    );
    assert_eq!((s.prediction, s.warnings), (n.prediction, n.warnings));
    // an absent column is refused, naming the row and the column
    let mut partial = row("amount", serde_json::json!(3.0));
    partial.as_object_mut().unwrap().remove("merchant_category");
    let e = a
        .score_json_rows(&[row("amount", serde_json::json!(1.0)), partial])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("row 2") && e.contains("\"merchant_category\"") && e.contains("null is fine"),
        "{e}"
    );
}

/// A tree trained with its missing numbers kept for the model is written as version 2 (an
/// older driftlab refuses it instead of ignoring the learned sides), and reads back whole.
#[test]
fn learned_missing_sides_make_a_version_2_artifact() {
    let mut csv = String::from("x,y,label\n");
    for i in 0..60 {
        let x = if i % 2 == 0 {
            String::new()
        } else {
            (i % 7).to_string()
        };
        csv.push_str(&format!(
            "{x},{},{}\n",
            i % 5,
            if i % 2 == 0 { "a" } else { "b" }
        ));
    }
    let table = read_csv(csv.as_bytes(), &ReadOptions::default())
        .unwrap()
        .table;
    let mut request = TrainRequest::new("label", ModelKind::Tree);
    let mut spec = driftlab::PipelineSpec::default_for(&table, Some("label")).unwrap();
    spec.keep_missing();
    request.pipeline = Some(spec);
    let (a, ev) = train(&table, &request, &mut |_| {}).unwrap();
    assert_eq!(a.version, 2);
    assert_eq!(ev.metrics.unwrap().accuracy(), Some(1.0));
    let b = Artifact::from_bytes(&a.to_bytes().unwrap()).unwrap();
    assert_eq!(a, b);
}
