//! Trains one model of every kind on the bundled tables and writes, per model, what the
//! edge tests (`tests/edge/edge.test.mjs`) need:
//!
//! - `NAME.model.json`: the artifact;
//! - `NAME.request.json`: `{"rows": [...]}`, the first rows of the table as typed JSON;
//! - `NAME.request.csv`: the same rows as CSV (every column, the target included);
//! - `NAME.expected.json`: the native scorer's answer for those rows (the core's
//!   `Artifact::from_bytes` and `score_table`, as the CLI scores), in the HTTP API's shape;
//! - with a scorer `.wasm` given, `NAME/`: the edge bundle (`driftlab::export::write`).
//!
//! Beside the trained models, `imported-*` are models made in Python and imported from
//! their ONNX fixtures (`tests/fixtures/onnx/`, `driftlab::onnx::import`) with their
//! training table as the reference: the edge, the page and the CLI hold them to the native
//! scorer as they hold the rest.
//!
//! The `*-missing` models train on iris with cells blanked and their numeric columns kept
//! missing (`NumericImpute::Keep`): trees that learned where missing values go, scored on
//! rows with missing cells.
//!
//! ```sh
//! cargo run --example edge_artifacts -- OUT_DIR [pkg/edge/driftlab_edge.wasm]
//! ```

use driftlab::artifact::Artifact;
use driftlab::score::Task;
use driftlab::table::{read_csv, Cell, ReadOptions, Table};
use driftlab::train::{train, ModelKind, TrainRequest};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

const ROWS: usize = 40;

/// A model to train: its name, the table (CSV bytes and parsed), the target and the kind.
type Plan<'a> = (&'a str, (&'a [u8], &'a Table), Option<&'a str>, ModelKind);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        args.first()
            .ok_or("usage: edge_artifacts OUT_DIR [SCORER.wasm]")?,
    );
    let wasm = args.get(1).map(std::fs::read).transpose()?;
    std::fs::create_dir_all(&out)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |name: &str| -> Result<(Vec<u8>, Table), Box<dyn std::error::Error>> {
        let bytes = std::fs::read(root.join("data").join(name))?;
        let table = read_csv(&bytes, &ReadOptions::default())?.table;
        Ok((bytes, table))
    };
    let fraud_csv = driftlab::dataset::generate(
        "fraud",
        &driftlab::dataset::DatasetOptions {
            rows: Some(600),
            ..Default::default()
        },
    )?;
    let fraud = read_csv(&fraud_csv, &ReadOptions::default())?.table;
    let iris = read("iris.csv")?;
    let diabetes = read("diabetes.csv")?;
    let cancer = read("breast_cancer.csv")?;
    let holes_csv = with_holes(&iris.0);
    let holes = read_csv(&holes_csv, &ReadOptions::default())?.table;
    let plan: Vec<Plan> = vec![
        (
            "logistic-iris",
            (&iris.0, &iris.1),
            Some("species"),
            ModelKind::Logistic,
        ),
        (
            "logistic-fraud",
            (&fraud_csv, &fraud),
            Some("is_fraud"),
            ModelKind::Logistic,
        ),
        (
            "linear-diabetes",
            (&diabetes.0, &diabetes.1),
            Some("progression"),
            ModelKind::Linear,
        ),
        (
            "ridge-diabetes",
            (&diabetes.0, &diabetes.1),
            Some("progression"),
            ModelKind::Ridge,
        ),
        (
            "lasso-diabetes",
            (&diabetes.0, &diabetes.1),
            Some("progression"),
            ModelKind::Lasso,
        ),
        (
            "elasticnet-diabetes",
            (&diabetes.0, &diabetes.1),
            Some("progression"),
            ModelKind::Elasticnet,
        ),
        (
            "tree-fraud",
            (&fraud_csv, &fraud),
            Some("is_fraud"),
            ModelKind::Tree,
        ),
        (
            "forest-iris",
            (&iris.0, &iris.1),
            Some("species"),
            ModelKind::Forest,
        ),
        (
            "tree-missing",
            (&holes_csv, &holes),
            Some("species"),
            ModelKind::Tree,
        ),
        (
            "forest-missing",
            (&holes_csv, &holes),
            Some("species"),
            ModelKind::Forest,
        ),
        (
            "boosting-fraud",
            (&fraud_csv, &fraud),
            Some("is_fraud"),
            ModelKind::Boosting,
        ),
        (
            "boosting-iris",
            (&iris.0, &iris.1),
            Some("species"),
            ModelKind::Boosting,
        ),
        (
            "boosting-diabetes",
            (&diabetes.0, &diabetes.1),
            Some("progression"),
            ModelKind::Boosting,
        ),
        (
            "gaussian-nb-cancer",
            (&cancer.0, &cancer.1),
            Some("diagnosis"),
            ModelKind::GaussianNb,
        ),
        (
            "svm-iris",
            (&iris.0, &iris.1),
            Some("species"),
            ModelKind::Svm,
        ),
        (
            "knn-iris",
            (&iris.0, &iris.1),
            Some("species"),
            ModelKind::Knn,
        ),
        (
            "knn-diabetes",
            (&diabetes.0, &diabetes.1),
            Some("progression"),
            ModelKind::Knn,
        ),
        (
            "kmeans-diabetes",
            (&diabetes.0, &diabetes.1),
            None,
            ModelKind::Kmeans,
        ),
    ];
    for (name, (csv, table), target, kind) in plan {
        let mut request = TrainRequest::new(target.unwrap_or(""), kind);
        request.target = target.map(str::to_owned);
        request.created = "2026-01-01T00:00:00Z".into();
        if name.ends_with("-missing") {
            let mut spec = driftlab::PipelineSpec::default_for(table, target)?;
            spec.keep_missing();
            request.pipeline = Some(spec);
        }
        let (artifact, _) = train(table, &request, &mut |_| {})
            .map_err(|e| format!("{name}: training failed: {e}"))?;
        emit(&out, wasm.as_deref(), name, csv, table, &artifact)?;
    }
    #[cfg(feature = "onnx")]
    for (name, model, data) in [
        // scikit-learn's extra trees (a soft-voting forest), three classes
        ("imported-extra-multi", "extra_multi", "multi"),
        // scikit-learn's SVC (RBF, behind a scaler): libsvm's one-vs-one machines, three classes
        ("imported-svc-multi", "svc_rbf_multi", "multi"),
        // imputation, scaling and one-hot encoding in the graph, before a logistic regression
        ("imported-logistic-mixed", "logistic_mixed", "mixed"),
        // the steps an import maps onto driftlab's pipeline (issue 17): a Normalizer (MAX),
        // a Binarizer, an OrdinalEncoder (a LabelEncoder on a text input)
        ("imported-normalizer-max", "normalizer_max", "binary"),
        ("imported-binarizer", "binarizer", "binary"),
        ("imported-ordinal-mixed", "ordinal_mixed", "mixed"),
    ] {
        let fixtures = root.join("tests/fixtures/onnx");
        let csv = std::fs::read(fixtures.join(format!("{data}.train.csv")))?;
        let table = read_csv(&csv, &ReadOptions::default())?.table;
        let options = driftlab::onnx::import::ImportOptions {
            created: "2026-01-01T00:00:00Z".into(),
        };
        let artifact = driftlab::onnx::import::import_model(
            &std::fs::read(fixtures.join(format!("{model}.onnx")))?,
            &table,
            Some("y"),
            &options,
        )
        .map_err(|e| format!("{name}: import failed: {e}"))?;
        emit(&out, wasm.as_deref(), name, &csv, &table, &artifact)?;
    }
    Ok(())
}

/// Writes a model's artifact, request rows (JSON and CSV), the native answer and, with a
/// scorer, its edge bundle.
fn emit(
    out: &Path,
    wasm: Option<&[u8]>,
    name: &str,
    csv: &[u8],
    table: &Table,
    artifact: &Artifact,
) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = artifact.to_bytes()?;
    std::fs::write(out.join(format!("{name}.model.json")), &bytes)?;
    // the CLI's path: read the file back, then score a table
    let loaded = Artifact::from_bytes(&bytes)?;
    let head = table.take(&(0..ROWS.min(table.rows())).collect::<Vec<_>>());
    let scored = loaded.score_table(&head)?;
    let predictions: Vec<Value> = scored
        .iter()
        .map(|s| {
            let (prediction, probabilities) = match loaded.model.task() {
                Task::Classification => (
                    json!(s.label),
                    Value::Object(
                        loaded
                            .classes
                            .iter()
                            .cloned()
                            .zip(s.prediction.probabilities.iter().map(|p| json!(p)))
                            .collect::<Map<_, _>>(),
                    ),
                ),
                Task::Clustering => (json!(s.prediction.value as u64), Value::Null),
                Task::Regression => (json!(s.prediction.value), Value::Null),
            };
            json!({"prediction": prediction, "probabilities": probabilities, "warnings": s.warnings})
        })
        .collect();
    std::fs::write(
        out.join(format!("{name}.expected.json")),
        serde_json::to_vec(
            &json!({"model": {"kind": loaded.model.kind(), "task": loaded.model.task(), "hash": loaded.hash}, "predictions": predictions}),
        )?,
    )?;
    let rows: Vec<Value> = (0..head.rows())
        .map(|r| {
            Value::Object(
                head.columns()
                    .iter()
                    .map(|c| {
                        let v = match c.get(r).unwrap_or(Cell::Missing) {
                            Cell::Missing => Value::Null,
                            Cell::Number(x) => json!(x),
                            Cell::Category(s) => json!(s),
                            Cell::Bool(b) => json!(b),
                        };
                        (c.name.clone(), v)
                    })
                    .collect(),
            )
        })
        .collect();
    std::fs::write(
        out.join(format!("{name}.request.json")),
        serde_json::to_vec(&json!({ "rows": rows }))?,
    )?;
    let text = String::from_utf8_lossy(csv);
    let lines: Vec<&str> = text.lines().take(ROWS + 1).collect();
    std::fs::write(
        out.join(format!("{name}.request.csv")),
        lines.join("\n") + "\n",
    )?;
    if let Some(wasm) = wasm {
        driftlab::export::write(&bytes, wasm, None, &out.join(name))?;
    }
    eprintln!("{name}: {} ({} bytes)", loaded.model.kind(), bytes.len());
    Ok(())
}

/// The iris CSV with cells blanked: petal length in every third row, sepal width in every
/// fifth, and petal width wherever a virginica row's number is a multiple of 4.
fn with_holes(csv: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(csv);
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<&str> = line.split(',').collect();
        if i > 0 && cells.len() == 5 {
            if i % 3 == 0 {
                cells[2] = "";
            }
            if i % 5 == 1 {
                cells[1] = "";
            }
            if cells[4].contains("virginica") && i % 4 == 0 {
                cells[3] = "";
            }
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.into_bytes()
}
