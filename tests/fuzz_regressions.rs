//! Inputs found by fuzzing (`make fuzz`, `fuzz/`; issue 9, item 1), each kept as a test that
//! names what it guards. Add new crashers here, with the bytes inline or under
//! `tests/fixtures/fuzz/`.

use driftlab::prep::{FittedPipeline, PrepError};
use driftlab::table::Cell;

/// Guards `FittedPipeline::validate` (issue 9, fuzz target `pipeline`): a pipeline of three
/// numeric inputs that names four features. `transform_row_into` appended three values where
/// `width()` promised four, and the artifact checks compared the feature list only with
/// itself, so an artifact carrying such a pipeline loaded and scored rows of the wrong width.
#[test]
fn a_pipeline_naming_more_features_than_its_steps_make_is_refused() {
    let bytes = include_bytes!("fixtures/fuzz/pipeline-width-crash.bin");
    let json = &bytes[..bytes.iter().position(|&b| b == 0).unwrap()];
    let pipeline: FittedPipeline = serde_json::from_slice(json).unwrap();
    assert_eq!((pipeline.inputs.len(), pipeline.width()), (3, 4));
    let e = pipeline.validate().unwrap_err();
    assert!(matches!(e, PrepError::Inconsistent(_)));
    assert!(
        e.to_string()
            .contains("feature names are not the outputs of the steps"),
        "{e}"
    );
    // transforming with it still never panics
    let mut out = Vec::new();
    let cells = [Cell::Missing, Cell::Number(1.0), Cell::Category("x")];
    let _ = pipeline.transform_row_into(&cells, 1, &mut out, &mut Vec::new());
}

/// The same fault inside a real artifact (hash recomputed): refused on load.
#[cfg(feature = "train")]
#[test]
fn an_artifact_whose_pipeline_lost_an_input_is_refused() {
    use driftlab::artifact::Artifact;
    use driftlab::table::{read_csv, ReadOptions};
    use driftlab::train::{train, ModelKind, TrainRequest};
    let csv = driftlab::dataset::generate("iris", &Default::default()).unwrap();
    let table = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let (a, _) = train(
        &table,
        &TrainRequest::new("species", ModelKind::Logistic),
        &mut |_| {},
    )
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&a.to_bytes().unwrap()).unwrap();
    v["pipeline"]["inputs"].as_array_mut().unwrap().remove(2);
    v["schema"]["columns"].as_array_mut().unwrap().remove(2);
    let mut t: Artifact = serde_json::from_value(v).unwrap();
    t.hash = t.content_hash().unwrap();
    let e = Artifact::from_bytes(&t.to_bytes().unwrap()).unwrap_err();
    assert!(
        e.to_string()
            .contains("artifact is inconsistent: the feature names are not the outputs"),
        "{e}"
    );
}

/// Guards the scale check of `FittedPipeline::validate`: a scale of 0 or below (or NaN) is
/// refused rather than dividing by it.
#[test]
fn a_pipeline_with_a_zero_scale_is_refused() {
    let json = br#"{"target":null,"inputs":[{"name":"x","kind":"numeric","step":{"step":"numeric","fill":0.0,"center":0.0,"scale":0.0,"min":0.0,"max":1.0}}],"features":["x"]}"#;
    let pipeline: FittedPipeline = serde_json::from_slice(json).unwrap();
    let e = pipeline.validate().unwrap_err().to_string();
    assert!(e.contains("\"x\"") && e.contains("scale"), "{e}");
}

/// Guards the category check of `FittedPipeline::validate`: one-hot categories are found by
/// bisection, so unsorted ones would silently encode the wrong column.
#[test]
fn a_pipeline_with_unsorted_categories_is_refused() {
    let json = br#"{"target":null,"inputs":[{"name":"c","kind":"categorical","step":{"step":"one_hot","fill":"a","categories":["b","a"],"unseen":"ignore"}}],"features":["c=b","c=a"]}"#;
    let pipeline: FittedPipeline = serde_json::from_slice(json).unwrap();
    let e = pipeline.validate().unwrap_err().to_string();
    assert!(e.contains("sorted and distinct"), "{e}");
}
