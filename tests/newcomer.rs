//! What a newcomer meets on their own data (issue 19), in the core: the target is guessed
//! from a file's columns, training errors speak the page's words (no command-line flags),
//! a family that cannot fit the rows in a tab is refused before it starts with why and
//! what to do, and the fit stage is announced as it begins.
#![cfg(feature = "train")]

use driftlab::dataset::{generate, DatasetOptions};
use driftlab::table::{read_csv, Column, ReadOptions, Table};
use driftlab::train::{train, ModelKind, TrainError, TrainRequest};
use driftlab::workbench::{guess_target, DataBench};

fn load(csv: &[u8]) -> driftlab::workbench::Loaded {
    DataBench::new()
        .load_csv(csv, "file.csv", &mut |_, _| {})
        .unwrap()
}

fn fraud(rows: usize) -> Table {
    let csv = generate(
        "fraud",
        &DatasetOptions {
            rows: Some(rows),
            seed: Some(42),
            drift: None,
        },
    )
    .unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

#[test]
fn the_target_is_guessed_from_the_columns() {
    let churn = std::fs::read("tests/fixtures/churn.csv").unwrap();
    assert_eq!(load(&churn).target_guess.as_deref(), Some("churned"));
    let cases: [(&str, Option<&str>); 7] = [
        // a name that says so wins over the last column
        (
            "is_active,x,grade\ntrue,1,a\nfalse,2,b\ntrue,3,c\n",
            Some("is_active"),
        ),
        ("Label,x\n0,1\n1,2\n0,3\n", Some("Label")),
        ("x,y\n1.5,0\n2.5,1\n3.5,0\n", Some("y")),
        // else a last column with few values
        ("x,grade\n1,a\n2,b\n3,a\n", Some("grade")),
        ("x,stars\n1,1\n2,5\n3,3\n", Some("stars")),
        // a continuous last column, or a single value, is no class: clustering
        ("x,price\n1,1.5\n2,2.25\n3,3.125\n", None),
        ("x,label\n1,a\n2,a\n3,a\n", None),
    ];
    for (csv, want) in cases {
        assert_eq!(load(csv.as_bytes()).target_guess.as_deref(), want, "{csv}");
    }
    // an identifier named like a class is not taken
    let mut csv = String::from("x,class_id\n");
    for i in 0..40 {
        csv.push_str(&format!("{i},{}\n", 1000 + i));
    }
    let profile = driftlab::profile::Profile::from_table(
        &read_csv(csv.as_bytes(), &ReadOptions::default())
            .unwrap()
            .table,
        None,
    )
    .unwrap();
    assert_eq!(guess_target(&profile), None);
}

#[test]
fn training_errors_speak_without_command_line_flags() {
    let t = Table::new(vec![
        Column::numeric("x", vec![1.0, 2.0, 3.0, 4.0]),
        Column::numeric("z", vec![1.0, 0.0, 1.0, 0.0]),
    ])
    .unwrap();
    let request = TrainRequest {
        target: None,
        ..TrainRequest::new("z", ModelKind::Logistic)
    };
    let e = train(&t, &request, &mut |_| {}).unwrap_err().to_string();
    assert!(!e.contains("--"), "{e}");
    assert!(
        e.contains("choose the column to predict") && e.contains("k-means"),
        "{e}"
    );
}

#[test]
fn a_family_that_cannot_fit_the_rows_is_refused_before_it_starts() {
    let table = fraud(16_000); // 12,000 training rows with the default split
    let mut stages = Vec::new();
    let e = train(
        &table,
        &TrainRequest::new("is_fraud", ModelKind::Svm),
        &mut |p| stages.push(p.stage),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            TrainError::TooManyRows {
                rows: 12_000,
                max: 10_000,
                ..
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("every pair of training rows")
            && text.contains("at most 10000 rows")
            && text.contains("logistic"),
        "{text}"
    );
    assert!(
        !stages.iter().any(|s| s == "fit"),
        "refused before fitting: {stages:?}"
    );
    assert!(ModelKind::Knn.check_size(12_000, 20).is_ok());
    let big = fraud(28_000); // 21,000 training rows
    let e = train(
        &big,
        &TrainRequest::new("is_fraud", ModelKind::Knn),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(e, TrainError::TooManyRows { max: 20_000, .. }),
        "{e:?}"
    );
    // the limits travel with the list of kinds, for the page
    let kinds = DataBench::model_kinds();
    let svm = kinds.iter().find(|k| k.kind == "svm").unwrap();
    assert_eq!(svm.max_rows, Some(10_000));
    assert!(kinds.iter().filter(|k| k.max_rows.is_none()).count() >= 8);
}

#[test]
fn the_fit_stage_is_announced_before_the_trainer_runs() {
    let table = fraud(2_000);
    for kind in [
        ModelKind::Svm,
        ModelKind::Knn,
        ModelKind::Tree,
        ModelKind::GaussianNb,
    ] {
        let mut seen = Vec::new();
        train(&table, &TrainRequest::new("is_fraud", kind), &mut |p| {
            seen.push(p)
        })
        .unwrap();
        let first_fit = seen.iter().position(|p| p.stage == "fit").unwrap();
        assert_eq!(seen[first_fit].step, 0, "{kind:?}");
        assert!(seen[..first_fit].iter().all(|p| p.stage == "prepare"));
    }
}
