//! The graph's shape and the refusals; onnxruntime's numbers are `tests/onnx/`'s.

use super::*;
use crate::onnx::decode_model;
use crate::onnx::proto::{type_proto, ModelProto, ValueInfoProto};

fn elem(v: &ValueInfoProto) -> i32 {
    match v.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(t)) => t.elem_type.unwrap_or(0),
        _ => 0,
    }
}

fn names(v: &[ValueInfoProto]) -> Vec<String> {
    v.iter()
        .map(|i| i.name.clone().unwrap_or_default())
        .collect()
}

/// A bundled dataset as a table (fraud cut to 300 rows).
#[cfg(feature = "train")]
fn bundled(dataset: &str) -> crate::table::Table {
    use crate::table::{read_csv, ReadOptions};
    let csv = crate::dataset::generate(
        dataset,
        &crate::dataset::DatasetOptions {
            rows: (dataset == "fraud").then_some(300),
            ..Default::default()
        },
    )
    .unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

#[cfg(feature = "train")]
fn trained(dataset: &str, target: Option<&str>, kind: crate::models::ModelKind) -> Artifact {
    use crate::train::{train, TrainRequest};
    let table = bundled(dataset);
    let mut request = TrainRequest::new(target.unwrap_or(""), kind);
    request.target = target.map(str::to_owned);
    train(&table, &request, &mut |_| {}).unwrap().0
}

/// Every node's inputs are graph inputs, initializers or earlier outputs (the graph is
/// in topological order, as ONNX requires).
fn topological(m: &ModelProto) -> bool {
    let g = m.graph.as_ref().unwrap();
    let mut known: std::collections::BTreeSet<String> = names(&g.input).into_iter().collect();
    known.extend(
        g.initializer
            .iter()
            .map(|t| t.name.clone().unwrap_or_default()),
    );
    for n in &g.node {
        if !n.input.iter().all(|i| known.contains(i)) {
            return false;
        }
        known.extend(n.output.iter().cloned());
    }
    names(&g.output).iter().all(|o| known.contains(o))
}

#[cfg(feature = "train")]
#[test]
fn a_classifier_takes_one_input_per_column_and_gives_label_and_probabilities() {
    use crate::models::ModelKind;
    let a = trained("fraud", Some("is_fraud"), ModelKind::Logistic);
    let bytes = to_bytes(&a).unwrap();
    let m = decode_model(&bytes).unwrap();
    let opsets: Vec<(String, i64)> = m
        .opset_import
        .iter()
        .map(|o| (o.domain.clone().unwrap_or_default(), o.version.unwrap_or(0)))
        .collect();
    assert_eq!(
        opsets,
        [(String::new(), OPSET), ("ai.onnx.ml".into(), ML_OPSET)]
    );
    let g = m.graph.as_ref().unwrap();
    let columns: Vec<String> = a.pipeline.inputs.iter().map(|c| c.name.clone()).collect();
    assert_eq!(names(&g.input), columns);
    for (input, column) in g.input.iter().zip(&a.pipeline.inputs) {
        let want = if column.kind == crate::table::ColumnKind::Categorical {
            DataType::String
        } else {
            DataType::Double
        };
        assert_eq!(elem(input), want as i32, "{}", column.name);
    }
    assert_eq!(names(&g.output), ["label", "probabilities"]);
    assert_eq!(elem(&g.output[1]), DataType::Float as i32);
    assert!(topological(&m));
    assert!(g
        .node
        .iter()
        .any(|n| n.op_type.as_deref() == Some("LinearClassifier")));
    let meta: Vec<_> = m.metadata_props.iter().map(|p| p.value.clone()).collect();
    assert!(meta.contains(&Some(a.hash.clone())));
}

#[cfg(feature = "train")]
#[test]
fn every_family_exports_a_well_ordered_graph() {
    use crate::models::ModelKind;
    let cases = [
        (
            "iris",
            Some("species"),
            ModelKind::Logistic,
            "LinearClassifier",
        ),
        (
            "diabetes",
            Some("progression"),
            ModelKind::Ridge,
            "LinearRegressor",
        ),
        (
            "iris",
            Some("species"),
            ModelKind::Tree,
            "TreeEnsembleRegressor",
        ),
        (
            "iris",
            Some("species"),
            ModelKind::Forest,
            "TreeEnsembleRegressor",
        ),
        (
            "fraud",
            Some("is_fraud"),
            ModelKind::Boosting,
            "TreeEnsembleRegressor",
        ),
        ("iris", Some("species"), ModelKind::GaussianNb, "ReduceSum"),
        ("iris", None, ModelKind::Kmeans, "ArgMin"),
        ("moons", Some("label"), ModelKind::Mlp, "Gemm"),
        ("iris", Some("species"), ModelKind::Svm, "Sigmoid"),
        ("iris", Some("species"), ModelKind::Knn, "TopK"),
        ("diabetes", Some("progression"), ModelKind::Knn, "TopK"),
    ];
    for (dataset, target, kind, op) in cases {
        let a = trained(dataset, target, kind);
        let m = decode_model(&to_bytes(&a).unwrap()).unwrap();
        assert!(topological(&m), "{kind:?}");
        let g = m.graph.as_ref().unwrap();
        assert!(
            g.node.iter().any(|n| n.op_type.as_deref() == Some(op)),
            "{kind:?} has no {op}"
        );
        let outputs = names(&g.output);
        let want: &[&str] = match a.model.task() {
            crate::score::Task::Classification => &["label", "probabilities"],
            crate::score::Task::Regression => &["variable"],
            crate::score::Task::Clustering => &["label", "scores"],
        };
        assert_eq!(outputs, want, "{kind:?}");
    }
}

#[cfg(feature = "train")]
#[test]
fn an_unseen_error_column_and_an_input_named_like_an_output_are_refused() {
    use crate::models::ModelKind;
    let mut a = trained("fraud", Some("is_fraud"), ModelKind::Logistic);
    let c = a
        .pipeline
        .inputs
        .iter_mut()
        .find(|c| matches!(c.step, FittedStep::OneHot { .. }))
        .unwrap();
    let name = c.name.clone();
    if let FittedStep::OneHot { unseen, .. } = &mut c.step {
        *unseen = Unseen::Error;
    }
    let e = export(&a).unwrap_err().to_string();
    assert!(
        e.contains(&format!("{name:?}")) && e.contains("unseen policy to ignore"),
        "{e}"
    );

    // blobs has a column named `label`, which k-means without a target reads
    let a = trained("blobs", None, ModelKind::Kmeans);
    let e = export(&a).unwrap_err().to_string();
    assert!(
        e.contains("\"label\"") && e.contains("rename the column"),
        "{e}"
    );
}

/// Every family driftlab exports imports back (through the model its metadata carries,
/// checked against the graph) to the same pipeline, model and classes, and scores the
/// table bit for bit as the artifact exported; a graph changed after the export is
/// refused.
#[cfg(feature = "train")]
#[test]
fn every_exported_family_imports_back_to_the_same_model() {
    use crate::models::ModelKind;
    use crate::onnx::import::{import_model, ImportOptions};
    let table = bundled;
    let options = ImportOptions {
        created: "fixed".into(),
    };
    let mut families = 0;
    for kind in ModelKind::ALL {
        let tasks = kind.tasks();
        let mut cases = Vec::new();
        if tasks.classification {
            cases.push(("fraud", Some("is_fraud")));
        }
        if tasks.regression {
            cases.push(("diabetes", Some("progression")));
        }
        if tasks.clustering {
            cases.push(("iris", None));
        }
        for (dataset, target) in cases {
            let a = trained(dataset, target, kind);
            let reference = table(dataset);
            let bytes = to_bytes(&a).unwrap();
            let back = import_model(&bytes, &reference, target, &options)
                .unwrap_or_else(|e| panic!("{kind:?} on {dataset}: {e}"));
            assert_eq!(back.model, a.model, "{kind:?} on {dataset}");
            assert_eq!(back.pipeline, a.pipeline, "{kind:?} on {dataset}");
            assert_eq!(back.classes, a.classes, "{kind:?} on {dataset}");
            let (mine, theirs) = (
                a.score_table(&reference).unwrap(),
                back.score_table(&reference).unwrap(),
            );
            for (x, y) in mine.iter().zip(&theirs) {
                assert_eq!(x.prediction.value.to_bits(), y.prediction.value.to_bits());
                let bits = |p: &[f64]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&x.prediction.probabilities),
                    bits(&y.prediction.probabilities)
                );
            }
            assert!(crate::onnx::import::is_imported(&back));
            families += 1;
        }
    }
    assert!(families >= ModelKind::ALL.len());

    // a weight changed in the graph: the embedded model no longer exports to it
    let a = trained("fraud", Some("is_fraud"), ModelKind::Logistic);
    let mut m = export(&a).unwrap();
    let g = m.graph.as_mut().unwrap();
    let coef = g
        .node
        .iter_mut()
        .find(|n| n.op_type.as_deref() == Some("LinearClassifier"))
        .unwrap()
        .attribute
        .iter_mut()
        .find(|at| at.name.as_deref() == Some("coefficients"))
        .unwrap();
    coef.floats[0] += 1.0;
    let e = import_model(
        &crate::onnx::encode_model(&m),
        &table("fraud"),
        Some("is_fraud"),
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("changed after the export"), "{e}");
    // an entry that is not a model
    let mut m = export(&a).unwrap();
    for p in &mut m.metadata_props {
        if p.key.as_deref() == Some(MODEL_KEY) {
            p.value = Some("{\"pipeline\": 1".into());
        }
    }
    let e = import_model(
        &crate::onnx::encode_model(&m),
        &table("fraud"),
        Some("is_fraud"),
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("is not a driftlab model"), "{e}");
    // the wrong target, and a reference without a column the model reads
    let bytes = to_bytes(&a).unwrap();
    let e = import_model(&bytes, &table("fraud"), Some("amount"), &options)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--target is_fraud"), "{e}");
    let e = import_model(&bytes, &table("iris"), Some("is_fraud"), &options)
        .unwrap_err()
        .to_string();
    assert!(e.contains("which the reference table lacks"), "{e}");
}

/// Every family's export with its `driftlab.model` entry removed is read operator by
/// operator (`crate::onnx::import`'s `stripped/`) and scores as the artifact exported:
/// bit for bit where the graph holds the model's doubles, within 1e-12 for naive Bayes
/// (variances and priors recovered from the graph's inverse variances and constants),
/// within the `f32` rounding of the coefficients for the LinearClassifier and
/// LinearRegressor families (1e-6). A pipeline with imputation, scaling, one-hot columns
/// and crosses goes through; a graph edited after the export is refused naming the node.
#[cfg(feature = "train")]
#[test]
fn every_family_reads_back_without_the_metadata_entry() {
    use crate::models::ModelKind;
    use crate::onnx::import::{import_model, ImportOptions};
    let table = bundled;
    let strip = |a: &Artifact| {
        let mut m = export(a).unwrap();
        m.metadata_props
            .retain(|p| p.key.as_deref() != Some(MODEL_KEY));
        crate::onnx::encode_model(&m)
    };
    let options = ImportOptions {
        created: "fixed".into(),
    };
    let mut report = Vec::new();
    for kind in ModelKind::ALL {
        let tasks = kind.tasks();
        let mut cases = Vec::new();
        if tasks.classification {
            cases.push(("fraud", Some("is_fraud")));
            cases.push(("iris", Some("species")));
        }
        if tasks.regression {
            cases.push(("diabetes", Some("progression")));
        }
        if tasks.clustering {
            cases.push(("iris", None));
        }
        for (dataset, target) in cases {
            let a = trained(dataset, target, kind);
            let reference = table(dataset);
            let back = import_model(&strip(&a), &reference, target, &options)
                .unwrap_or_else(|e| panic!("{kind:?} on {dataset}: {e}"));
            assert_eq!(back.model.kind(), a.model.kind(), "{kind:?} on {dataset}");
            assert_eq!(back.classes, a.classes, "{kind:?} on {dataset}");
            assert_eq!(back.pipeline.features, a.pipeline.features);
            let (mine, theirs) = (
                a.score_table(&reference).unwrap(),
                back.score_table(&reference).unwrap(),
            );
            let mut worst = 0.0f64;
            let mut labels = 0;
            for (x, y) in mine.iter().zip(&theirs) {
                let d = |u: f64, v: f64| {
                    if u.to_bits() == v.to_bits() {
                        0.0
                    } else {
                        (u - v).abs() / u.abs().max(1.0)
                    }
                };
                worst = worst.max(d(x.prediction.value, y.prediction.value));
                for (u, v) in x
                    .prediction
                    .probabilities
                    .iter()
                    .zip(&y.prediction.probabilities)
                {
                    worst = worst.max(d(*u, *v));
                }
                labels += usize::from(x.prediction.value == y.prediction.value);
            }
            let bound = match kind {
                ModelKind::Logistic
                | ModelKind::Linear
                | ModelKind::Ridge
                | ModelKind::Lasso
                | ModelKind::Elasticnet => 1e-6,
                ModelKind::GaussianNb => 1e-12,
                _ => 0.0,
            };
            assert!(
                worst <= bound,
                "{kind:?} on {dataset}: {worst:e} > {bound:e}"
            );
            if bound < 1e-6 {
                assert_eq!(labels, mine.len(), "{kind:?} on {dataset}: labels");
            }
            report.push(format!(
                "{kind:?}/{dataset}: {} rows, worst {worst:e}, labels {labels}/{}",
                mine.len(),
                mine.len()
            ));
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(report.len() >= ModelKind::ALL.len());

    // a pipeline with crosses and one-hot columns
    let t = bundled("fraud");
    let mut request = crate::train::TrainRequest::new("is_fraud", ModelKind::Tree);
    request.target = Some("is_fraud".into());
    let mut spec = crate::prep::PipelineSpec::default_for(&t, Some("is_fraud")).unwrap();
    spec.crosses = vec![
        crate::prep::Cross::Square {
            column: "amount".into(),
        },
        crate::prep::Cross::Sin {
            column: "amount".into(),
        },
    ];
    request.pipeline = Some(spec);
    let a = crate::train::train(&t, &request, &mut |_| {}).unwrap().0;
    assert!(!a.pipeline.crosses.is_empty());
    let back = import_model(&strip(&a), &t, Some("is_fraud"), &options).unwrap();
    assert_eq!(back.pipeline.features, a.pipeline.features);
    assert_eq!(back.pipeline.crosses, a.pipeline.crosses);
    assert_eq!(back.model, a.model);

    // the SVM's other kernels, and trees and boosting that keep missing values
    let fraud = || {
        let mut spec = crate::prep::PipelineSpec::default_for(&t, Some("is_fraud")).unwrap();
        spec.keep_missing();
        spec
    };
    let cases: [(&str, &str, ModelKind, &[&str], bool); 6] = [
        ("iris", "species", ModelKind::Svm, &["kernel=linear"], false),
        (
            "iris",
            "species",
            ModelKind::Svm,
            &["kernel=poly", "degree=2"],
            false,
        ),
        (
            "diabetes",
            "progression",
            ModelKind::Svm,
            &["kernel=poly"],
            false,
        ),
        ("fraud", "is_fraud", ModelKind::Tree, &[], true),
        ("fraud", "is_fraud", ModelKind::Forest, &[], true),
        ("fraud", "is_fraud", ModelKind::Boosting, &[], true),
    ];
    for (dataset, target, kind, params, keep) in cases {
        let reference = table(dataset);
        let mut request = crate::train::TrainRequest::new(target, kind);
        request.target = Some(target.into());
        request.params = crate::models::ModelParams::parse(kind, params).unwrap();
        if keep {
            request.pipeline = Some(fraud());
        }
        let a = crate::train::train(&reference, &request, &mut |_| {})
            .unwrap()
            .0;
        let back = import_model(&strip(&a), &reference, Some(target), &options)
            .unwrap_or_else(|e| panic!("{kind:?} {params:?}: {e}"));
        if keep {
            assert!(back
                .pipeline
                .inputs
                .iter()
                .any(|c| matches!(c.step, crate::prep::FittedStep::Numeric { keep: true, .. })));
        }
        let (mine, theirs) = (
            a.score_table(&reference).unwrap(),
            back.score_table(&reference).unwrap(),
        );
        for (x, y) in mine.iter().zip(&theirs) {
            assert_eq!(x.prediction.value.to_bits(), y.prediction.value.to_bits());
            let bits = |p: &[f64]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&x.prediction.probabilities),
                bits(&y.prediction.probabilities),
                "{kind:?} {params:?}"
            );
        }
    }

    // a weight edited after the export: refused, naming the node
    let a = trained("fraud", Some("is_fraud"), ModelKind::Logistic);
    let mut m = decode_model(&strip(&a)).unwrap();
    let g = m.graph.as_mut().unwrap();
    let node = g
        .node
        .iter_mut()
        .find(|n| n.op_type.as_deref() == Some("LinearClassifier"))
        .unwrap();
    node.attribute
        .iter_mut()
        .find(|at| at.name.as_deref() == Some("coefficients"))
        .unwrap()
        .floats[0] = f32::NAN;
    let e = import_model(
        &crate::onnx::encode_model(&m),
        &t,
        Some("is_fraud"),
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("LinearClassifier"), "{e}");
    // an operator the exporter never writes where it writes its own: named, with the list
    let mut m = decode_model(&strip(&a)).unwrap();
    let g = m.graph.as_mut().unwrap();
    g.node[0].op_type = Some("Abs".into());
    let e = import_model(
        &crate::onnx::encode_model(&m),
        &t,
        Some("is_fraud"),
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("operator Abs")
            && e.contains("driftlab's export writes IsNaN")
            && e.contains("TopK"),
        "{e}"
    );
}
