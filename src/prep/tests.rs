use super::*;
use crate::table::{read_csv, ReadOptions};

fn table(csv: &str) -> Table {
    read_csv(csv.as_bytes(), &ReadOptions::default())
        .unwrap()
        .table
}

const CSV: &str = "x,c,b,y\n1,a,true,0\n2,b,false,1\n,a,,0\n5,,true,1\n";

#[test]
fn fits_and_transforms_with_named_features() {
    let t = table(CSV);
    let spec = PipelineSpec::default_for(&t, Some("y")).unwrap();
    let p = spec.fit(&t).unwrap();
    assert_eq!(p.features, ["x", "c=(missing)", "c=a", "c=b", "b"]);
    let m = p.transform(&t).unwrap();
    assert_eq!((m.rows(), m.cols()), (4, 5));
    // x: fill = mean(1,2,5) = 8/3; standardized with the imputed column's population std
    let xs = [1.0, 2.0, 8.0 / 3.0, 5.0];
    let mean = xs.iter().sum::<f64>() / 4.0;
    let std = (xs.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 4.0).sqrt();
    assert!((m.row(2)[0] - (8.0 / 3.0 - mean) / std).abs() < 1e-12);
    assert_eq!(&m.row(3)[1..4], &[1.0, 0.0, 0.0]);
    assert_eq!(&m.row(1)[1..4], &[0.0, 0.0, 1.0]);
}

#[test]
fn warnings_flag_missing_unseen_and_out_of_range() {
    let t = table(CSV);
    let p = PipelineSpec::default_for(&t, Some("y"))
        .unwrap()
        .fit(&t)
        .unwrap();
    let serve = table("x,c,b\n100,zzz,true\n,a,false\n");
    let (m, w) = p.transform_with_warnings(&serve).unwrap();
    assert_eq!(&m.row(0)[1..4], &[0.0, 0.0, 0.0]);
    let kinds: Vec<_> = w[0].iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds, ["out_of_range", "unseen_category"]);
    assert_eq!(w[1][0].kind, "missing");
}

#[test]
fn unseen_error_policy_and_missing_column() {
    let t = table(CSV);
    let mut spec = PipelineSpec::default_for(&t, Some("y")).unwrap();
    spec.columns.insert(
        "c".into(),
        ColumnSpec::OneHot {
            impute: CategoricalImpute::MostFrequent,
            unseen: Unseen::Error,
        },
    );
    let p = spec.fit(&t).unwrap();
    let e = p
        .transform(&table("x,c,b\n1,a,true\n1,q,true\n"))
        .unwrap_err();
    assert!(
        matches!(&e, PrepError::UnseenCategory { row: 2, column, .. } if column == "c"),
        "{e}"
    );
    assert!(matches!(
        p.transform(&table("x,b\n1,true\n")),
        Err(PrepError::MissingColumn { .. })
    ));
}

#[test]
fn scalers_and_imputers() {
    let t = table("x\n1\n2\n3\n4\nNA\n100\n");
    let fit = |impute, scale| {
        let mut s = PipelineSpec::default();
        s.columns
            .insert("x".into(), ColumnSpec::Numeric { impute, scale });
        match &s.fit(&t).unwrap().inputs[0].step {
            FittedStep::Numeric {
                fill,
                center,
                scale,
                ..
            } => (*fill, *center, *scale),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(fit(NumericImpute::Median, Scale::None), (3.0, 0.0, 1.0));
    assert_eq!(
        fit(NumericImpute::Constant(0.0), Scale::MinMax),
        (0.0, 0.0, 100.0)
    );
    // robust on 1,2,3,4,100 (after median fill: 1,2,3,3,4,100): median 3, IQR 3.75 - 2.25
    assert_eq!(fit(NumericImpute::Median, Scale::Robust), (3.0, 3.0, 1.5));
    let t2 = table("x\n2\n2\n1\n1\n7\n");
    let mut s = PipelineSpec::default();
    s.columns.insert(
        "x".into(),
        ColumnSpec::Numeric {
            impute: NumericImpute::MostFrequent,
            scale: Scale::None,
        },
    );
    assert!(
        matches!(s.fit(&t2).unwrap().inputs[0].step, FittedStep::Numeric { fill, .. } if fill == 1.0)
    );
}

#[test]
fn step_kind_and_spec_errors() {
    let t = table(CSV);
    let mut s = PipelineSpec::default();
    s.columns.insert(
        "c".into(),
        ColumnSpec::Numeric {
            impute: NumericImpute::Mean,
            scale: Scale::None,
        },
    );
    assert!(matches!(s.fit(&t), Err(PrepError::StepKind { .. })));
    let mut s = PipelineSpec::default();
    s.columns.insert("nope".into(), ColumnSpec::Drop);
    assert!(s.fit(&t).is_err());
    let mut s = PipelineSpec {
        target: Some("y".into()),
        ..Default::default()
    };
    for c in ["x", "c", "b"] {
        s.columns.insert(c.into(), ColumnSpec::Drop);
    }
    assert_eq!(s.fit(&t), Err(PrepError::NoFeatures));
}

#[test]
fn text_in_a_numeric_input_names_row_and_column() {
    let t = table(CSV);
    let p = PipelineSpec::default_for(&t, Some("y"))
        .unwrap()
        .fit(&t)
        .unwrap();
    let e = p
        .transform(&table("x,c,b\n1,a,true\nabc,a,true\n"))
        .unwrap_err();
    assert!(
        matches!(&e, PrepError::BadCell { row: 2, column, .. } if column == "x"),
        "{e}"
    );
}

#[test]
fn row_path_equals_table_path() {
    let t = table(CSV);
    let p = PipelineSpec::default_for(&t, Some("y"))
        .unwrap()
        .fit(&t)
        .unwrap();
    let m = p.transform(&t).unwrap();
    for r in 0..t.rows() {
        let cells: Vec<Cell> = p
            .inputs
            .iter()
            .map(|i| t.column(&i.name).unwrap().get(r).unwrap())
            .collect();
        let mut out = Vec::new();
        p.transform_row_into(&cells, r + 1, &mut out, &mut Vec::new())
            .unwrap();
        assert_eq!(out.as_slice(), m.row(r));
    }
    assert!(p
        .transform_row_into(&[], 1, &mut Vec::new(), &mut Vec::new())
        .is_err());
}

#[test]
fn round_trips_through_json() {
    let t = table(CSV);
    let spec = PipelineSpec::default_for(&t, Some("y")).unwrap();
    let spec_back: PipelineSpec =
        serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(spec_back, spec);
    let p = spec.fit(&t).unwrap();
    let back: FittedPipeline = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.transform(&t).unwrap(), p.transform(&t).unwrap());
}

#[test]
fn split_is_seeded_and_stratified() {
    let mut csv = String::from("x,y\n");
    for i in 0..100 {
        csv += &format!("{i},{}\n", if i % 10 == 0 { "fraud" } else { "ok" });
    }
    let t = table(&csv);
    let (train, test) = split(&t, 0.25, 7, Some("y")).unwrap();
    assert_eq!(train.len() + test.len(), 100);
    let frauds = test.iter().filter(|&&i| i % 10 == 0).count();
    assert_eq!(frauds, 3); // round(10 × 0.25)
    assert_eq!(split(&t, 0.25, 7, Some("y")).unwrap(), (train, test));
    let (tr, te) = split(&t, 0.25, 7, None).unwrap();
    assert_eq!((tr.len(), te.len()), (75, 25));
    assert_ne!(split(&t, 0.25, 8, None).unwrap().1, te);
    assert!(matches!(
        split(&t, 1.0, 7, None),
        Err(PrepError::BadFraction(_))
    ));
    assert!(matches!(
        split(&t, f64::NAN, 7, None),
        Err(PrepError::BadFraction(_))
    ));
    assert!(split(&table("x\n1\n"), 0.5, 7, None).is_err());
}

#[test]
fn huge_values_never_overflow_to_infinity() {
    let t = table("x\n1e308\n-1.7e308\n1.7e308\n");
    let p = PipelineSpec::default().fit(&t).unwrap();
    let m = p.transform(&t).unwrap();
    assert!(m.data().iter().all(|x| x.is_finite()), "{:?}", m.data());
    let far = p.transform(&table("x\n-1.7976931348623157e308\n")).unwrap();
    assert!(far.data()[0].is_finite());
}

/// A column the profile calls `likely_id` is dropped by the default pipeline, with the
/// reason; a caller keeps it by giving it a step (issue #14).
#[test]
fn default_pipeline_drops_likely_ids_with_the_reason() {
    let mut csv = String::from("transaction_id,account_id,ref,amount,visits,label\n");
    for i in 0..30 {
        let label = i % 2;
        csv += &format!("{},{},r{i},{}.5,{},{label}\n", 1001 + i, i * 7, i, i * 3);
    }
    let t = table(&csv);
    let spec = PipelineSpec::default_for(&t, Some("label")).unwrap();
    let dropped: Vec<&str> = spec
        .columns
        .iter()
        .filter(|(_, s)| **s == ColumnSpec::Drop)
        .map(|(c, _)| c.as_str())
        .collect();
    // consecutive integers, integers named like an id, text all different
    assert_eq!(dropped, ["account_id", "ref", "transaction_id"]);
    assert_eq!(spec.reasons.keys().collect::<Vec<_>>(), dropped);
    assert_eq!(
        spec.reasons["transaction_id"],
        "it has a different value in every row, like an identifier: a model can memorise it without learning anything"
    );
    // the same rule as the profile's warning
    let profile = crate::profile::Profile::from_table(&t, Some("label")).unwrap();
    for c in &profile.columns {
        let warned = c.warnings.iter().any(|w| w.code == "likely_id");
        assert_eq!(warned, spec.reasons.contains_key(&c.name), "{}", c.name);
    }
    let p = spec.fit(&t).unwrap();
    assert_eq!(p.features, ["amount", "visits"]);
    // kept by choosing a step
    let mut keep = spec.clone();
    keep.columns.insert(
        "transaction_id".into(),
        ColumnSpec::default_for(ColumnKind::Numeric),
    );
    assert_eq!(
        keep.fit(&t).unwrap().features,
        ["transaction_id", "amount", "visits"]
    );
    // under 20 rows nothing looks like an id
    let few = table(&csv.lines().take(15).collect::<Vec<_>>().join("\n"));
    assert!(PipelineSpec::default_for(&few, Some("label"))
        .unwrap()
        .reasons
        .is_empty());
    // the reasons travel as JSON only when there are some
    let json = serde_json::to_string(&PipelineSpec::default_for(&few, Some("label")).unwrap());
    assert!(!json.unwrap().contains("reasons"));
}

/// Free text with more categories than one-hot should make is dropped with its reason.
#[test]
fn default_pipeline_says_why_it_drops_free_text() {
    let mut csv = String::from("note,x,y\n");
    for i in 0..60 {
        csv += &format!("n{},{},{}\n", i % 55, i % 4, i % 2);
    }
    let spec = PipelineSpec::default_for(&table(&csv), Some("y")).unwrap();
    assert_eq!(spec.columns["note"], ColumnSpec::Drop);
    assert!(
        spec.reasons["note"].starts_with("it has 55 categories (more than 50)"),
        "{:?}",
        spec.reasons
    );
    assert_eq!(spec.reasons.len(), 1);
}

/// Feature crosses (issue 16): computed from the scaled columns, appended after them, the
/// same on the table and row paths; a cross of a dropped or one-hot column is an error
/// naming both; a tampered fitted cross is refused.
#[test]
fn feature_crosses_are_appended_after_the_columns() {
    let t = table("a,b,c,y\n1,2,p,0\n3,-4,q,1\n5,6,p,0\n-7,8,q,1\n");
    let mut s = PipelineSpec::default_for(&t, Some("y")).unwrap();
    s.columns.insert(
        "a".into(),
        ColumnSpec::Numeric {
            impute: NumericImpute::Mean,
            scale: Scale::None,
        },
    );
    s.columns.insert(
        "b".into(),
        ColumnSpec::Numeric {
            impute: NumericImpute::Mean,
            scale: Scale::None,
        },
    );
    s.crosses = ["a^2", "b^2", "a*b", "sin(a)"]
        .iter()
        .map(|c| Cross::parse(c).unwrap())
        .collect();
    let p = s.fit(&t).unwrap();
    p.validate().unwrap();
    assert_eq!(
        p.features,
        ["a", "b", "c=p", "c=q", "a^2", "b^2", "a*b", "sin(a)"]
    );
    let m = p.transform(&t).unwrap();
    assert_eq!(
        &m.data()[8..16],
        &[3.0, -4.0, 0.0, 1.0, 9.0, 16.0, -12.0, libm::sin(3.0)]
    );
    // the spec round-trips through JSON; a pipeline without crosses writes no `crosses`
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<FittedPipeline>(&json).unwrap(), p);
    let plain = PipelineSpec::default_for(&t, Some("y"))
        .unwrap()
        .fit(&t)
        .unwrap();
    assert!(!serde_json::to_string(&plain).unwrap().contains("crosses"));
    // a cross of a one-hot or dropped column
    let mut bad = s.clone();
    bad.crosses = vec![Cross::parse("c^2").unwrap()];
    let e = bad.fit(&t).unwrap_err().to_string();
    assert!(e.contains("\"c^2\"") && e.contains("\"c\""), "{e}");
    bad.crosses = vec![Cross::parse("a*zz").unwrap()];
    assert!(bad.fit(&t).is_err());
    // tampered fitted crosses
    let mut w = p.clone();
    w.crosses[0].of = vec![2];
    assert!(w.validate().is_err(), "a cross of a one-hot feature");
    let mut w = p.clone();
    w.crosses[2].of = vec![0];
    assert!(w.validate().is_err(), "a product of one feature");
    let mut w = p.clone();
    w.features[5] = "a^2".into();
    assert!(w.validate().is_err(), "a wrong name");
    let mut w = p;
    w.crosses.pop();
    assert!(w.validate().is_err(), "a feature without its cross");
}

/// `Display` writes the row path's sentences through `row_sentence`, unchanged, and the
/// other errors have none.
#[test]
fn row_sentences_are_display() {
    let row = [
        PrepError::MissingColumn { column: "a".into() },
        PrepError::BadCell {
            row: 3,
            column: "a".into(),
            value: "x\"y".into(),
            expected: "a number",
        },
        PrepError::UnseenCategory {
            row: 1,
            column: "é".into(),
            value: "z".into(),
        },
        PrepError::RowWidth {
            found: 2,
            expected: 3,
            columns: "a, b, c".into(),
        },
        PrepError::Inconsistent("scale 0".into()),
    ];
    for e in &row {
        assert_eq!(e.row_sentence().as_deref(), Some(e.to_string().as_str()));
    }
    assert_eq!(
        row[1].to_string(),
        r#"row 3, column "a": "x\"y" is not a number: fix the cell or leave it empty"#
    );
    let other = [
        PrepError::Table(crate::table::TableError::Empty),
        PrepError::NoFeatures,
        PrepError::BadFraction(2.0),
    ];
    for e in &other {
        assert_eq!(e.row_sentence(), None);
        assert!(!e.to_string().is_empty());
    }
    assert_eq!(
        other[0].to_string(),
        crate::table::TableError::Empty.to_string()
    );
}

/// The steps an ONNX import makes (issue 17): a binarize threshold, an ordinal column and
/// a row norm, as ONNX-ML's Binarizer, LabelEncoder and Normalizer (onnxruntime) compute.
#[test]
fn imported_steps_binarize_encode_and_normalise() {
    let t = table("x,z,c,y\n1,0,a,0\n2,4,b,1\n3,-3,a,0\n");
    let mut p = PipelineSpec {
        target: Some("y".into()),
        columns: [
            (
                "x".to_owned(),
                ColumnSpec::Numeric {
                    impute: NumericImpute::Mean,
                    scale: Scale::None,
                },
            ),
            (
                "z".to_owned(),
                ColumnSpec::Numeric {
                    impute: NumericImpute::Mean,
                    scale: Scale::None,
                },
            ),
        ]
        .into(),
        ..PipelineSpec::default()
    }
    .fit(&table("x,z,y\n1,0,0\n2,4,1\n"))
    .unwrap();
    if let FittedStep::Numeric { binarize, .. } = &mut p.inputs[0].step {
        *binarize = Some(1.5);
    }
    p.inputs.push(FittedColumn {
        name: "c".into(),
        kind: ColumnKind::Categorical,
        step: FittedStep::Ordinal {
            categories: vec!["a".into(), "b".into()],
            codes: vec![2.0, 7.0],
            default: -1.0,
        },
    });
    p.features.push("c".into());
    p.validate().unwrap();
    let m = p.transform(&t).unwrap();
    // x > 1.5 → 1; c: a → 2, b → 7
    assert_eq!(m.row(0), [0.0, 0.0, 2.0]);
    assert_eq!(m.row(1), [1.0, 4.0, 7.0]);
    assert_eq!(m.row(2), [1.0, -3.0, 2.0]);
    // unseen and missing categories take the default, flagged
    let (m, w) = p
        .transform_with_warnings(&table("x,z,c\n1,0,zz\n1,0,\n"))
        .unwrap();
    assert_eq!((m.row(0)[2], m.row(1)[2]), (-1.0, -1.0));
    assert_eq!(w[0][0].kind, "unseen_category");
    assert_eq!(w[1][0].kind, "missing");
    assert!(
        w[0][0].message.contains("encoded as -1"),
        "{}",
        w[0][0].message
    );
    // the row norms: L1, L2, and ONNX's MAX (the largest value, signed)
    for norm in [Norm::L1, Norm::L2, Norm::Max] {
        p.normalize = Some(norm);
        p.validate().unwrap();
        let m = p.transform(&table("x,z,c\n3,-3,c\n")).unwrap();
        // x binarized to 1, z = -3, c unseen → -1: the row [1, -3, -1] divided by its norm
        let raw = [1.0, -3.0, -1.0];
        let n = match norm {
            Norm::L1 => 5.0,
            Norm::L2 => 11f64.sqrt(),
            Norm::Max => 1.0,
        };
        let want: Vec<f64> = raw.iter().map(|x| x / n).collect();
        assert_eq!(m.row(0), want.as_slice(), "{norm:?}");
    }
    // MAX of a row whose values are all negative divides by the largest (signed), and a
    // zero norm leaves the row as it is
    let mut row = [-1.0, -2.0, -4.0];
    Norm::Max.apply(&mut row);
    assert_eq!(row, [1.0, 2.0, 4.0]);
    let mut zero = [0.0, 0.0];
    Norm::L2.apply(&mut zero);
    assert_eq!(zero, [0.0, 0.0]);
    // a row norm and crosses together are refused, as are ordinal codes that do not fit
    let mut q = p.clone();
    q.crosses.push(FittedCross {
        op: CrossOp::Square,
        of: vec![1],
    });
    q.features.push("z^2".into());
    assert!(q
        .validate()
        .unwrap_err()
        .to_string()
        .contains("no feature crosses"));
    let mut q = p.clone();
    q.inputs[2].step = FittedStep::Ordinal {
        categories: vec!["a".into(), "b".into()],
        codes: vec![1.0],
        default: 0.0,
    };
    assert!(q
        .validate()
        .unwrap_err()
        .to_string()
        .contains("one code per category"));
}
