//! The registry, the catalog and the typed parameters agree with each other and with what
//! the CLI, the page and artifacts have always said.

use std::collections::BTreeMap;

use super::*;

/// Every kind's parameters and defaults as the CLI's `--param` and the page documented them
/// before the parameters were typed (the text of `ParamSpec::default`).
const DOCUMENTED: &[(&str, &[(&str, &str)])] = &[
    (
        "logistic",
        &[
            ("alpha", "1"),
            ("max_iterations", "100"),
            ("gradient_tolerance", "0.0001"),
            ("fit_intercept", "true"),
        ],
    ),
    ("linear", &[("fit_intercept", "true")]),
    (
        "ridge",
        &[
            ("alpha", "1"),
            ("max_iterations", "1000"),
            ("tolerance", "0.0001"),
            ("fit_intercept", "true"),
        ],
    ),
    (
        "lasso",
        &[
            ("alpha", "1"),
            ("max_iterations", "1000"),
            ("tolerance", "0.0001"),
            ("fit_intercept", "true"),
        ],
    ),
    (
        "elasticnet",
        &[
            ("alpha", "1"),
            ("l1_ratio", "0.5"),
            ("max_iterations", "1000"),
            ("tolerance", "0.0001"),
            ("fit_intercept", "true"),
        ],
    ),
    (
        "tree",
        &[
            ("criterion", "gini"),
            ("max_depth", "0"),
            ("min_samples_split", "2"),
            ("min_samples_leaf", "1"),
            ("min_impurity_decrease", "0.00001"),
        ],
    ),
    (
        "forest",
        &[
            ("n_trees", "100"),
            ("bootstrap_proportion", "1"),
            ("feature_proportion", "1"),
            ("max_depth", "0"),
            ("criterion", "gini"),
        ],
    ),
    (
        "boosting",
        &[
            ("n_iterations", "100"),
            ("learning_rate", "0.1"),
            ("max_leaves", "31"),
            ("max_depth", "0"),
            ("min_samples_leaf", "20"),
            ("l2", "0"),
            ("max_bins", "255"),
            ("subsample", "1"),
            ("colsample", "1"),
            ("validation_fraction", "0.1"),
            ("n_iter_no_change", "10"),
        ],
    ),
    ("gaussian-nb", &[("var_smoothing", "0.000000001")]),
    (
        "svm",
        &[
            ("c", "1"),
            ("kernel", "rbf"),
            ("gamma", "0"),
            ("degree", "3"),
            ("coef0", "1"),
            ("epsilon", "0.1"),
            ("tolerance", "0.001"),
        ],
    ),
    ("knn", &[("k", "5")]),
    (
        "kmeans",
        &[
            ("k", "3"),
            ("n_runs", "10"),
            ("max_iterations", "300"),
            ("tolerance", "0.0001"),
        ],
    ),
    (
        "mlp",
        &[
            ("hidden", "4,2"),
            ("activation", "tanh"),
            ("solver", "sgd"),
            ("learning_rate", "0.03"),
            ("batch_size", "10"),
            ("epochs", "100"),
            ("loss", "cross-entropy"),
            ("regularization", "none"),
            ("regularization_rate", "0"),
        ],
    ),
];

#[test]
fn the_registry_the_catalog_and_all_agree() {
    let catalog = catalog();
    assert_eq!(catalog.len(), ModelKind::ALL.len());
    let documented: Vec<&str> = DOCUMENTED.iter().map(|(k, _)| *k).collect();
    let names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(names, documented, "the kinds and their order");
    for (kind, info) in ModelKind::ALL.into_iter().zip(&catalog) {
        assert_eq!(info.kind, kind.name());
        assert_eq!(ModelKind::parse(kind.name()), Ok(kind));
        assert_eq!(kind.to_string(), kind.name());
        // serde's kebab-case name is the registry's name, both ways
        let json = serde_json::to_value(kind).unwrap();
        assert_eq!(json, kind.name(), "{kind:?}");
        assert_eq!(serde_json::from_value::<ModelKind>(json).unwrap(), kind);
        assert_eq!(ModelParams::defaults(kind).kind(), kind);
        // one summary line, an about paragraph, at least one task
        assert!(
            !info.summary.is_empty() && !info.summary.contains('\n'),
            "{kind}"
        );
        assert!(info.about.len() > 20 && info.about.ends_with('.'), "{kind}");
        assert!(info.classifies || info.regresses || info.clusters, "{kind}");
        assert_eq!(kind.classifies_only(), info.classifies && !info.regresses);
        assert_eq!(kind.regresses_only(), info.regresses && !info.classifies);
        // the catalog's parameters are the kind's specs, in order, with their docs
        let specs = kind.specs();
        assert_eq!(info.params.len(), specs.len(), "{kind}");
        for (p, s) in info.params.iter().zip(specs) {
            assert_eq!((p.name, p.doc), (s.name, s.doc));
            assert_eq!(p.range, s.ty.describe());
            assert!(
                !p.doc.is_empty() && p.doc.trim() == p.doc,
                "{kind} {}",
                p.name
            );
        }
    }
    // the messages that suggest another kind name them from the registry
    assert_eq!(
        ModelKind::names_where(|t| t.regression),
        "linear, ridge, lasso, elasticnet, boosting, svm, knn, mlp"
    );
    assert_eq!(
        ModelKind::names_where(|t| t.classification),
        "logistic, tree, forest, boosting, gaussian-nb, svm, knn, mlp"
    );
    assert_eq!(ModelKind::from_name("logistick"), None);
    let e = ModelKind::parse("logistick").unwrap_err().to_string();
    assert!(e.contains("valid kinds: logistic, linear, ridge"), "{e}");
}

#[test]
fn every_default_is_the_documented_default() {
    for &(name, documented) in DOCUMENTED {
        let kind = ModelKind::parse(name).unwrap();
        let defaults = ModelParams::defaults(kind);
        defaults.validate().unwrap();
        let info = kind.info();
        let catalog: Vec<(&str, &str)> = info
            .params
            .iter()
            .map(|p| (p.name, p.default.as_str()))
            .collect();
        assert_eq!(catalog, documented, "{kind}: the catalog's defaults");
        // the typed `Default` holds exactly the documented value, as text would give it
        let typed = defaults.values();
        assert_eq!(typed.len(), documented.len(), "{kind}");
        for (spec, &(key, text)) in kind.specs().iter().zip(documented) {
            assert_eq!(typed[key], spec.ty.parse(text).unwrap(), "{kind} {key}");
        }
        assert_eq!(ModelParams::parse::<&str>(kind, &[]).unwrap(), defaults);
    }
}

#[test]
fn a_misspelled_parameter_names_the_valid_ones() {
    for kind in ModelKind::ALL {
        let valid: Vec<&str> = kind.specs().iter().map(|s| s.name).collect();
        let want = format!("valid parameters: {}", valid.join(", "));
        // the CLI's `--param`
        let e = ModelParams::parse(kind, &["alpah=1"]).unwrap_err();
        assert!(matches!(e, ParamError::UnknownKey { .. }), "{kind}: {e:?}");
        assert!(e.to_string().contains(&want), "{kind}: {e}");
        assert!(e.to_string().contains(kind.name()), "{kind}: {e}");
        // the page's map of inputs, one key at a time
        let mut params = ModelParams::defaults(kind);
        let e = params.set("max_iter", "3").unwrap_err();
        assert!(e.to_string().contains(&want), "{kind}: {e}");
        assert_eq!(params, ModelParams::defaults(kind), "nothing changed");
        // an artifact's lineage with a misspelled key
        let mut values = ModelParams::defaults(kind).values();
        let (key, value) = values.pop_first().unwrap();
        values.insert(format!("{key}_"), value);
        let e = ModelParams::from_values(kind, &values).unwrap_err();
        assert!(e.to_string().contains(&want), "{kind}: {e}");
    }
}

#[test]
fn text_is_checked_and_read_into_typed_fields() {
    let e = ModelParams::parse(ModelKind::Logistic, &["alpha=-1"]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "logistic parameter `alpha` = `-1` is invalid; expected a number in [0, inf]"
    );
    let e = ModelParams::parse(ModelKind::Tree, &["criterion=gin"]).unwrap_err();
    assert!(
        e.to_string().contains("expected one of gini, entropy"),
        "{e}"
    );
    let e = ModelParams::parse(ModelKind::Knn, &["k"]).unwrap_err();
    assert_eq!(e, ParamError::Syntax("k".into()));
    let p = ModelParams::parse(ModelKind::Knn, &["k=7"]).unwrap();
    assert!(
        matches!(p, ModelParams::Knn(knn::KnnParams { k: 7 })),
        "{p:?}"
    );
    let p = ModelParams::parse(ModelKind::Svm, &["kernel=poly", "degree=2"]).unwrap();
    let ModelParams::Svm(svm) = p else {
        panic!("{p:?}")
    };
    assert_eq!((svm.kernel, svm.degree), (svm::SvmKernel::Poly, 2.0));
    let p = ModelParams::parse(ModelKind::Forest, &["criterion=entropy", "n_trees= 12"]);
    let Ok(ModelParams::Forest(forest)) = p else {
        panic!("{p:?}")
    };
    assert_eq!(
        (forest.criterion, forest.n_trees),
        (tree::Criterion::Entropy, 12)
    );
}

#[test]
fn fields_set_in_code_are_validated() {
    let mut p = ModelParams::defaults(ModelKind::Logistic);
    if let ModelParams::Logistic(l) = &mut p {
        l.gradient_tolerance = 0.0;
    }
    let e = p.validate().unwrap_err();
    assert_eq!(
        e.to_string(),
        "logistic parameter `gradient_tolerance` = `0` is invalid; expected a number in (0, inf]"
    );
    let p = ModelParams::Forest(forest::ForestParams {
        bootstrap_proportion: f64::NAN,
        ..Default::default()
    });
    assert!(p.validate().is_err());
    let p = ModelParams::Knn(knn::KnnParams { k: 0 });
    assert!(p.validate().unwrap_err().to_string().contains("[1, 10000]"));
}

#[test]
fn the_lineage_form_is_unchanged_and_reads_back() {
    // the artifact's `lineage.params`: keys sorted, untagged values, floats with a `.0`
    let text = serde_json::to_string(&ModelParams::defaults(ModelKind::Logistic).values());
    assert_eq!(
        text.unwrap(),
        r#"{"alpha":1.0,"fit_intercept":true,"gradient_tolerance":0.0001,"max_iterations":100}"#
    );
    let text = serde_json::to_string(&ModelParams::defaults(ModelKind::Tree).values());
    assert_eq!(
        text.unwrap(),
        r#"{"criterion":"gini","max_depth":0,"min_impurity_decrease":0.00001,"min_samples_leaf":1.0,"min_samples_split":2.0}"#
    );
    for kind in ModelKind::ALL {
        let p = ModelParams::parse(kind, &[] as &[&str]).unwrap();
        let values: BTreeMap<String, ParamValue> =
            serde_json::from_value(serde_json::to_value(p.values()).unwrap()).unwrap();
        assert_eq!(
            ModelParams::from_values(kind, &values).unwrap(),
            p,
            "{kind}"
        );
        // and as a whole, in a serialized training request
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<ModelParams>(&json).unwrap(), p);
    }
    // a parameter missing from the lineage is an error, not a silent default
    let mut values = ModelParams::defaults(ModelKind::Kmeans).values();
    values.remove("k");
    let e = ModelParams::from_values(ModelKind::Kmeans, &values).unwrap_err();
    assert!(e.to_string().contains("`k`"), "{e}");
    let bad = r#"{"kind": "knn", "values": {"k": 5, "kk": 3}}"#;
    assert!(serde_json::from_str::<ModelParams>(bad).is_err());
}

/// Every kind fits through the registry into its own variant, whose artifact tag is the
/// kind's name.
#[cfg(feature = "train")]
#[test]
fn every_kind_fits_into_its_own_variant() {
    use crate::train::{fit_matrix, Losses, Target};
    use crate::Matrix;
    let rows = 24;
    let data: Vec<f64> = (0..rows * 2)
        .map(|i| ((i * 37) % 11) as f64 / 3.0 + (i % 2) as f64)
        .collect();
    let x = Matrix::new(rows, 2, data, vec!["u".into(), "v".into()]).unwrap();
    let classes = Target::Classes {
        indices: (0..rows).map(|i| i % 2).collect(),
        labels: vec!["a".into(), "b".into()],
    };
    let values = Target::Values((0..rows).map(|i| i as f64).collect());
    for kind in ModelKind::ALL {
        let tasks = kind.tasks();
        let y = if tasks.clustering {
            &Target::None
        } else if tasks.classification {
            &classes
        } else {
            &values
        };
        let params = ModelParams::parse(kind, &[] as &[&str]).unwrap();
        let fitted = fit_matrix(kind, &params, &x, y, 7, Losses::Skip, &mut |_| {})
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let model = fitted.model();
        assert_eq!(model.model_kind(), kind);
        assert_eq!(model.kind(), kind.name());
        assert_eq!(serde_json::to_value(model).unwrap()["kind"], kind.name());
        model.validate(2).unwrap();
        model.predict_row(x.row(0)).unwrap();
    }
    let other = ModelParams::defaults(ModelKind::Knn);
    let e = fit_matrix(
        ModelKind::Kmeans,
        &other,
        &x,
        &Target::None,
        7,
        Losses::Skip,
        &mut |_| {},
    );
    assert!(e
        .unwrap_err()
        .to_string()
        .contains("parameters are for knn"));
}
