//! Training without a held-out split (issue #14): a test fraction of 0 trains on every row
//! and has no test metrics; `train_with_test` trains on every row of one table and judges
//! the model on another through the same fitted pipeline.

use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{
    train, train_on_split, train_with_test, ModelKind, TrainError, TrainRequest,
};

fn table(lines: &[&str]) -> Table {
    read_csv(lines.join("\n").as_bytes(), &ReadOptions::default())
        .unwrap()
        .table
}

/// Iris whole, and split by line: every fifth row to test on, the rest to train on.
fn iris() -> (Table, Table, Table, Vec<usize>, Vec<usize>) {
    let csv = String::from_utf8(driftlab::dataset::generate("iris", &Default::default()).unwrap())
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let (header, rows) = (lines[0], &lines[1..]);
    let (mut train_lines, mut test_lines) = (vec![header], vec![header]);
    let (mut train_rows, mut test_rows) = (Vec::new(), Vec::new());
    for (i, line) in rows.iter().enumerate() {
        if i % 5 == 4 {
            test_lines.push(line);
            test_rows.push(i);
        } else {
            train_lines.push(line);
            train_rows.push(i);
        }
    }
    (
        table(&lines),
        table(&train_lines),
        table(&test_lines),
        train_rows,
        test_rows,
    )
}

#[test]
fn a_test_fraction_of_zero_trains_on_every_row() {
    let (full, ..) = iris();
    let mut request = TrainRequest::new("species", ModelKind::Logistic);
    request.test_fraction = 0.0;
    let (artifact, evaluation) = train(&full, &request, &mut |_| {}).unwrap();
    assert_eq!(evaluation.train_rows, (0..150).collect::<Vec<_>>());
    assert!(evaluation.test_rows.is_empty() && evaluation.test_predictions.is_empty());
    assert_eq!(evaluation.metrics, None);
    assert!(evaluation.curves.is_empty());
    assert_eq!(artifact.metrics, None);
    assert_eq!(
        (artifact.lineage.train_rows, artifact.lineage.test_rows),
        (150, 0)
    );
    // the same model as training on the explicit split "every row / none"
    let (same, _) =
        train_on_split(&full, &request, (0..150).collect(), Vec::new(), &mut |_| {}).unwrap();
    assert_eq!(same.to_bytes().unwrap(), artifact.to_bytes().unwrap());
    // outside [0, 1) is still refused, with the way to train on every row
    request.test_fraction = -0.1;
    let e = train(&full, &request, &mut |_| {}).unwrap_err().to_string();
    assert!(
        e.contains("strictly between 0 and 1") && e.contains("with 0 uses every row"),
        "{e}"
    );
}

/// Judged on another table, a model is the one trained on the same rows of one table, and
/// its metrics are those of the same test rows held out of that table.
#[test]
fn a_test_table_gives_the_metrics_of_the_same_rows_held_out() {
    let (full, train_part, test_part, train_rows, test_rows) = iris();
    for kind in [
        ModelKind::Logistic,
        ModelKind::Tree,
        ModelKind::Knn,
        ModelKind::GaussianNb,
    ] {
        let mut request = TrainRequest::new("species", kind);
        let (split, held_out) = train_on_split(
            &full,
            &request,
            train_rows.clone(),
            test_rows.clone(),
            &mut |_| {},
        )
        .unwrap();
        request.test_fraction = 0.0;
        let (artifact, evaluation) =
            train_with_test(&train_part, &test_part, &request, &mut |_| {}).unwrap();
        assert_eq!(artifact.model, split.model, "{kind}");
        assert_eq!(artifact.pipeline, split.pipeline, "{kind}");
        assert!(evaluation.metrics.is_some(), "{kind}");
        assert_eq!(evaluation.metrics, held_out.metrics, "{kind}");
        assert_eq!(evaluation.curves, held_out.curves, "{kind}");
        assert_eq!(
            artifact.metrics, held_out.metrics,
            "{kind}: kept in the artifact"
        );
        assert_eq!(evaluation.test_rows, (0..30).collect::<Vec<_>>());
        assert_eq!(
            (artifact.lineage.train_rows, artifact.lineage.test_rows),
            (120, 30)
        );
    }
}

#[test]
fn a_test_table_that_does_not_fit_is_refused_in_words() {
    let (_, train_part, test_part, ..) = iris();
    let request = TrainRequest::new("species", ModelKind::Logistic);
    // a held-out share and a test table at once
    let e = train_with_test(&train_part, &test_part, &request, &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("leave it at 0"), "{e}");
    let mut request = request;
    request.test_fraction = 0.0;
    let in_test = |t: &Table| match train_with_test(&train_part, t, &request, &mut |_| {}) {
        Err(TrainError::TestTable(inner)) => inner.to_string(),
        other => panic!("expected a test-table error, got {other:?}"),
    };
    let no_target = table(&[
        "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm",
        "5,3,1,0.2",
    ]);
    assert!(in_test(&no_target).contains("\"species\""));
    let no_feature = table(&[
        "sepal_length_cm,sepal_width_cm,petal_length_cm,species",
        "5,3,1,setosa",
    ]);
    assert!(in_test(&no_feature).contains("petal_width_cm"));
    let new_class = table(&[
        "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species",
        "5,3,1,0.2,setosa",
        "5,3,1,0.2,arctica",
    ]);
    let e = in_test(&new_class);
    assert!(e.contains("row 2") && e.contains("\"arctica\""), "{e}");
    let e = TrainError::TestTable(Box::new(TrainError::NeedsTarget("x"))).to_string();
    assert!(e.starts_with("the test data: "), "{e}");
}
