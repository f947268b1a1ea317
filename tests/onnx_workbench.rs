//! The page's ONNX calls, natively (issue #17, item 4): the workbench imports an ONNX file
//! with the loaded table as its reference, the result deploys into the registry like a
//! trained model and scores the fraud scenario's rows; the last model downloads as ONNX.
#![cfg(all(feature = "train", feature = "onnx"))]

use driftlab::dataset::{self, DatasetOptions};
use driftlab::deploy::{Meter, Session};
use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::workbench::ModelBench;

struct Ticks(f64);
impl Meter for Ticks {
    fn now_ms(&mut self) -> f64 {
        self.0 += 1.0;
        self.0
    }
    fn memory_bytes(&mut self) -> Option<u64> {
        None
    }
}

const FIXTURE: &[u8] = include_bytes!("fixtures/onnx_page/fraud_logistic.onnx");

fn fraud() -> Table {
    let csv = dataset::generate(
        "fraud",
        &DatasetOptions {
            rows: Some(2000),
            seed: Some(42),
            ..Default::default()
        },
    )
    .unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

#[test]
fn an_imported_onnx_model_is_registered_and_scores_like_a_trained_one() {
    let table = fraud();
    let mut bench = ModelBench::new();
    // no target given: guessed from the reference (`is_fraud`)
    let imported = bench
        .import_onnx(FIXTURE, &table, None, "2026-12-06T07:00:00Z")
        .unwrap();
    assert_eq!(imported.card.kind, "logistic");
    assert_eq!(imported.card.classes, ["0", "1"]);
    assert!(
        serde_json::to_string(&imported.card.lineage)
            .unwrap()
            .contains("imported from ONNX"),
        "{:?}",
        imported.card.lineage
    );
    // the artifact the page keeps for a restart reads back as the same model
    let card = ModelBench::new().load_artifact(&imported.artifact).unwrap();
    assert_eq!(card.hash, imported.card.hash);

    let mut session = Session::new();
    let view = session
        .deploy(bench.artifact().unwrap(), "imported from ONNX")
        .unwrap();
    assert_eq!(view.champion.as_deref(), Some("v1"));
    let scored = bench
        .score_rows(&[serde_json::json!({
            "amount": 912.5, "hour": 3, "merchant_category": "electronics", "country": "NG",
            "card_present": false, "account_age_days": 12, "tx_last_24h": 9,
            "distance_from_home_km": 4200.0, "device_new": true
        })])
        .unwrap();
    assert_eq!(scored[0].prediction.probabilities.len(), 2);
    // the fraud scenario plays against it (its rows have the reference's columns)
    session.start("fraud-abrupt", Some(42.0)).unwrap();
    let report = session.step(&mut Ticks(0.0)).unwrap();
    assert!(report.batch.map_or(0, |b| b.rows) > 0);
}

#[test]
fn the_reference_can_be_a_csv_and_errors_name_the_file() {
    let csv = dataset::generate("fraud", &DatasetOptions::default()).unwrap();
    let mut bench = ModelBench::new();
    let imported = bench
        .import_onnx_csv(FIXTURE, &csv, "fraud.csv", Some("is_fraud"), "")
        .unwrap();
    assert_eq!(imported.card.kind, "logistic");
    let e = bench
        .import_onnx_csv(FIXTURE, b"a,b\n1,2,3\n", "broken.csv", None, "")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("broken.csv"), "{e}");
    // an .onnx that is not one
    let e = bench
        .import_onnx(b"not a model", &fraud(), None, "")
        .unwrap_err()
        .to_string();
    assert!(e.contains("ONNX"), "{e}");
}

#[test]
fn the_last_model_downloads_as_onnx() {
    let table = fraud();
    let mut bench = ModelBench::new();
    assert!(bench.onnx().is_err(), "no model yet");
    bench
        .import_onnx(FIXTURE, &table, Some("is_fraud"), "")
        .unwrap();
    let bytes = bench.onnx().unwrap();
    let model = driftlab::onnx::decode_model(&bytes).unwrap();
    let inputs: Vec<_> = model
        .graph
        .unwrap()
        .input
        .into_iter()
        .map(|i| i.name.unwrap_or_default())
        .collect();
    assert!(inputs.contains(&"country".to_string()), "{inputs:?}");
}
