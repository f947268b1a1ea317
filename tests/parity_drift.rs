//! Parity of the drift statistics with SciPy, on fixtures written by
//! `scripts/fixtures_drift.py` (tests/fixtures/drift/stats.json). Statistics must match to
//! 1e-9 relative, p-values to 1e-6 relative (issue 4).

use driftlab::drift::{self, PsiBinning, PsiOptions};
use serde_json::Value;

const STAT_TOL: f64 = 1e-9;
const P_TOL: f64 = 1e-6;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/drift/stats.json"
    ))
    .expect("fixture tests/fixtures/drift/stats.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::Null => f64::NAN,
        other => panic!("not a number: {other}"),
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn counts(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

fn close(name: &str, what: &str, got: f64, want: f64, tol: f64) {
    if want.is_infinite() || want == 0.0 {
        assert!(
            got == want || (want == 0.0 && got.abs() < 1e-300),
            "{name}: {what} = {got}, SciPy {want}"
        );
        return;
    }
    let rel = ((got - want) / want).abs();
    assert!(
        rel <= tol,
        "{name}: {what} = {got:e}, SciPy {want:e} (relative error {rel:e} > {tol:e})"
    );
}

#[test]
fn ks_2samp_matches_scipy() {
    let f = fixture();
    let cases = f["ks"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let r = drift::ks_2samp(&nums(&c["a"]), &nums(&c["b"])).unwrap();
        close(
            name,
            "statistic",
            r.statistic,
            num(&c["statistic"]),
            STAT_TOL,
        );
        close(name, "p-value", r.p_value, num(&c["p_value"]), P_TOL);
    }
}

#[test]
fn chisquare_matches_scipy() {
    let f = fixture();
    for c in f["chisquare"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let r = drift::chisquare_gof(
            &counts(&c["reference_counts"]),
            &counts(&c["current_counts"]),
        )
        .unwrap();
        close(
            name,
            "statistic",
            r.statistic,
            num(&c["statistic"]),
            STAT_TOL,
        );
        close(name, "p-value", r.p_value, num(&c["p_value"]), P_TOL);
    }
}

#[test]
fn contingency_matches_scipy() {
    let f = fixture();
    for c in f["contingency"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let r = drift::chi2_contingency(
            &counts(&c["reference_counts"]),
            &counts(&c["current_counts"]),
            true,
        )
        .unwrap();
        assert_eq!(r.dof as u64, c["dof"].as_u64().unwrap(), "{name}: dof");
        close(
            name,
            "statistic",
            r.statistic,
            num(&c["statistic"]),
            STAT_TOL,
        );
        close(name, "p-value", r.p_value, num(&c["p_value"]), P_TOL);
    }
}

#[test]
fn psi_matches_reference_formula() {
    let f = fixture();
    for c in f["psi"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let binning = match c["binning"].as_str().unwrap() {
            "quantile" => PsiBinning::Quantile,
            _ => PsiBinning::EqualWidth,
        };
        let opts = PsiOptions {
            binning,
            ..PsiOptions::default()
        };
        let got = drift::psi(&nums(&c["a"]), &nums(&c["b"]), &opts).unwrap();
        close(name, "PSI", got, num(&c["statistic"]), STAT_TOL);
    }
}

#[test]
fn jensenshannon_matches_scipy() {
    let f = fixture();
    for c in f["jensenshannon"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let got = drift::jensenshannon(&nums(&c["p"]), &nums(&c["q"])).unwrap();
        let want = num(&c["statistic"]);
        if want == 0.0 {
            assert!(got.abs() < 1e-7, "{name}: {got}");
        } else {
            close(name, "JS", got, want, STAT_TOL);
        }
    }
}

#[test]
fn wasserstein_matches_scipy() {
    let f = fixture();
    for c in f["wasserstein"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let r = drift::wasserstein_normed(&nums(&c["a"]), &nums(&c["b"])).unwrap();
        close(name, "distance", r.distance, num(&c["statistic"]), STAT_TOL);
        close(
            name,
            "reference std",
            r.reference_std,
            num(&c["reference_std"]),
            STAT_TOL,
        );
        close(name, "normed", r.normed, num(&c["normed"]), STAT_TOL);
    }
}

#[test]
fn z_test_matches_formula() {
    let f = fixture();
    for c in f["z"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let g = |k: &str| c[k].as_u64().unwrap();
        let r = drift::z_test(
            g("reference_successes"),
            g("reference_n"),
            g("current_successes"),
            g("current_n"),
        )
        .unwrap();
        close(name, "z", r.statistic, num(&c["statistic"]), STAT_TOL);
        close(name, "p-value", r.p_value, num(&c["p_value"]), P_TOL);
    }
}

#[test]
fn empty_and_nan_are_clear_errors() {
    let e = drift::ks_2samp(&[], &[1.0]).unwrap_err().to_string();
    assert!(
        e.contains("reference") && e.contains("no non-missing"),
        "{e}"
    );
    assert!(drift::wasserstein(&[1.0], &[]).is_err());
    assert!(drift::psi(&[f64::NAN], &[1.0], &PsiOptions::default()).is_err());
    assert!(drift::chisquare_gof(&[0, 0], &[1, 2]).is_err());
    assert!(drift::z_test(0, 0, 1, 2).is_err());
}

#[test]
fn no_panic_on_awkward_values() {
    let huge = [f64::MAX, -f64::MAX, 1e308, 0.0];
    let _ = drift::ks_2samp(&huge, &[0.0]).unwrap();
    let _ = drift::wasserstein_normed(&huge, &[0.0]).unwrap();
    let _ = drift::psi(&huge, &[1.0, f64::INFINITY], &PsiOptions::default()).unwrap();
    let same = [3.0; 50];
    let r = drift::ks_2samp(&same, &same).unwrap();
    assert_eq!((r.statistic, r.p_value), (0.0, 1.0));
    assert_eq!(
        drift::psi(&same, &same, &PsiOptions::default()).unwrap(),
        0.0
    );
}

mod report {
    use driftlab::drift::{drift_report, ColumnOverride, DriftError, DriftOptions, TestKind};
    use driftlab::table::{Column, Table};

    fn normal(n: usize, shift: f64, seed: u64) -> Vec<f64> {
        use rand::{rngs::StdRng, Rng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(seed);
        // Box–Muller: a unit normal from two uniforms
        (0..n)
            .map(|_| {
                let (u1, u2) = (1.0 - rng.gen::<f64>(), rng.gen::<f64>());
                shift + (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
            })
            .collect()
    }

    fn table(n: usize, shift: f64, seed: u64) -> Table {
        let mut x = normal(n, shift, seed);
        x[0] = f64::NAN;
        let cats: Vec<Option<&str>> = (0..n)
            .map(|i| {
                if i == 1 {
                    None
                } else {
                    Some(["a", "b", "c"][i % 3])
                }
            })
            .collect();
        let flags: Vec<Option<&str>> = (0..n)
            .map(|i| Some(if i % 4 == 0 { "yes" } else { "no" }))
            .collect();
        Table::new(vec![
            Column::numeric("x", x),
            Column::categorical("city", &cats),
            Column::categorical("flag", &flags),
        ])
        .unwrap()
    }

    #[test]
    fn automatic_choice_follows_evidently() {
        let r = drift_report(
            &table(500, 0.0, 1),
            &table(400, 1.0, 2),
            &DriftOptions::default(),
        )
        .unwrap();
        let tests: Vec<TestKind> = r.columns.iter().map(|c| c.test).collect();
        assert_eq!(tests, vec![TestKind::Ks, TestKind::Chisquare, TestKind::Z]);
        assert!(r.columns[0].drifted && r.columns[0].p_value.unwrap() < 0.05);
        assert_eq!(
            (r.columns[0].missing_reference, r.columns[0].missing_current),
            (1, 1)
        );
        assert_eq!(r.columns[1].missing_reference, 1);
        assert!(
            r.columns[0].reason.contains("499 reference rows"),
            "{}",
            r.columns[0].reason
        );
        assert_eq!(r.drifted_columns, 1);
        assert!(!r.dataset_drift);

        let r = drift_report(
            &table(3000, 0.0, 1),
            &table(2000, 1.0, 2),
            &DriftOptions::default(),
        )
        .unwrap();
        let tests: Vec<TestKind> = r.columns.iter().map(|c| c.test).collect();
        assert_eq!(
            tests,
            vec![
                TestKind::Wasserstein,
                TestKind::Jensenshannon,
                TestKind::Jensenshannon
            ]
        );
        assert!(r.columns[0].drifted && r.columns[0].p_value.is_none());
        let json = serde_json::to_value(&r).unwrap();
        for key in ["columns", "drifted_columns", "drift_share", "dataset_drift"] {
            assert!(json.get(key).is_some(), "{key}");
        }
        for key in [
            "name",
            "kind",
            "test",
            "statistic",
            "p_value",
            "threshold",
            "drifted",
            "reason",
            "missing_reference",
            "missing_current",
        ] {
            assert!(json["columns"][0].get(key).is_some(), "{key}");
        }
        assert_eq!(json["columns"][0]["test"], "wasserstein");
    }

    #[test]
    fn report_values_equal_slice_functions() {
        let (a, b) = (table(300, 0.0, 5), table(200, 0.3, 6));
        let r = drift_report(&a, &b, &DriftOptions::default()).unwrap();
        let clean = |t: &Table| match &t.column("x").unwrap().data {
            driftlab::table::ColumnData::Numeric(v) => v
                .iter()
                .copied()
                .filter(|x| !x.is_nan())
                .collect::<Vec<_>>(),
            _ => unreachable!(),
        };
        let ks = driftlab::drift::ks_2samp(&clean(&a), &clean(&b)).unwrap();
        assert_eq!(r.columns[0].statistic, ks.statistic);
        assert_eq!(r.columns[0].p_value, Some(ks.p_value));
    }

    #[test]
    fn overrides_apply_and_are_explained() {
        let mut o = DriftOptions {
            test: Some(TestKind::Psi),
            threshold: Some(0.2),
            ..Default::default()
        };
        o.per_column.insert(
            "flag".into(),
            ColumnOverride {
                test: Some(TestKind::Chisquare),
                threshold: Some(0.01),
            },
        );
        o.columns = Some(vec!["x".into(), "flag".into()]);
        let r = drift_report(&table(500, 0.0, 1), &table(400, 1.0, 2), &o).unwrap();
        assert_eq!(r.columns.len(), 2);
        assert_eq!(
            (r.columns[0].test, r.columns[0].threshold),
            (TestKind::Psi, 0.2)
        );
        assert!(r.columns[0].reason.contains("set for all columns"));
        assert_eq!(
            (r.columns[1].test, r.columns[1].threshold),
            (TestKind::Chisquare, 0.01)
        );
        assert!(r.columns[1].reason.contains("set for this column"));
    }

    #[test]
    fn errors_name_the_column_and_the_fix() {
        let a = table(50, 0.0, 1);
        let b = Table::new(vec![Column::numeric("x", vec![1.0, 2.0])]).unwrap();
        let e = drift_report(&a, &b, &DriftOptions::default()).unwrap_err();
        assert!(
            matches!(e, DriftError::MissingColumn { ref column, .. } if column == "city"),
            "{e}"
        );
        let c = Table::new(vec![Column::categorical("x", &[Some("a")])]).unwrap();
        let o = DriftOptions {
            columns: Some(vec!["x".into()]),
            ..Default::default()
        };
        let e = drift_report(&a, &c, &o).unwrap_err().to_string();
        assert!(
            e.contains("\"x\"") && e.contains("numeric") && e.contains("categorical"),
            "{e}"
        );
        let d = Table::new(vec![Column::numeric("x", vec![f64::NAN, f64::NAN])]).unwrap();
        let e = drift_report(&a, &d, &o).unwrap_err().to_string();
        assert!(e.contains("\"x\"") && e.contains("current"), "{e}");
        let o = DriftOptions {
            columns: Some(vec!["city".into()]),
            test: Some(TestKind::Ks),
            ..Default::default()
        };
        let e = drift_report(&a, &a, &o).unwrap_err().to_string();
        assert!(e.contains("chisquare"), "{e}");
        assert!("bogus".parse::<TestKind>().is_err());
        assert_eq!(TestKind::parse_choice("auto").unwrap(), None);
    }

    #[test]
    fn new_category_in_current_is_drift() {
        let r = Table::new(vec![Column::categorical(
            "c",
            &[Some("a"), Some("b"), Some("c"), Some("a")],
        )])
        .unwrap();
        let c = Table::new(vec![Column::categorical(
            "c",
            &[Some("a"), Some("b"), Some("z"), Some("c")],
        )])
        .unwrap();
        let rep = drift_report(&r, &c, &DriftOptions::default()).unwrap();
        assert_eq!(rep.columns[0].test, TestKind::Chisquare);
        assert_eq!(rep.columns[0].p_value, Some(0.0));
        assert!(rep.dataset_drift);
        let json = serde_json::to_string(&rep).unwrap();
        assert!(json.contains("\"statistic\":\"inf\""), "{json}");
    }
}
