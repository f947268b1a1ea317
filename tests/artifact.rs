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
    assert_eq!(a.version, VERSION);
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
    v["version"] = 2.into();
    let e = Artifact::from_bytes(v.to_string().as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            ArtifactError::NewerVersion {
                found: 2,
                supported: 1
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
