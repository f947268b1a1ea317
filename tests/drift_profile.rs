//! Drift against a stored profile versus drift against the raw reference rows (issue 4,
//! item 3): on seeded data, every test's statistic and p-value from the profile stay
//! within the bounds documented in `src/drift/profile_ref.rs`, and the drift verdicts are
//! the same wherever the raw value is not within that bound of the threshold.
//!
//! `cargo test --test drift_profile -- --nocapture` prints the measured errors.

use driftlab::dataset::{self, DatasetOptions};
use driftlab::drift::{
    drift_report, drift_report_from_profile, ks_p_value, DriftOptions, DriftReport, TestKind,
};
use driftlab::table::{read_csv, ReadOptions};
use driftlab::{Profile, Table};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// Documented bounds: the absolute error of the statistic and of the p-value.
fn bounds(test: TestKind) -> (f64, f64) {
    match test {
        TestKind::Ks => (0.005, 0.0),
        TestKind::Wasserstein => (0.005, 0.0),
        TestKind::Psi | TestKind::Jensenshannon => (0.01, 0.0),
        // exact counts: only rounding
        TestKind::Chisquare | TestKind::Z => (1e-9, 1e-9),
    }
}

/// The bounds are multiplied by this on the fraud columns, whose values repeat a lot
/// (whole hours, days, counts; distances to 0.1 km).
const TIES: f64 = 3.0;

/// A relative allowance on top of the absolute bound (PSI and χ² grow without limit).
fn relative(test: TestKind) -> f64 {
    match test {
        TestKind::Psi => 0.01,
        TestKind::Chisquare | TestKind::Z => 1e-9,
        _ => 0.0,
    }
}

fn parse(csv: &[u8]) -> Table {
    read_csv(csv, &ReadOptions::default())
        .expect("valid CSV")
        .table
}

fn fraud(rows: usize, seed: u64, drift: f64) -> Table {
    let csv = dataset::generate(
        "fraud",
        &DatasetOptions {
            rows: Some(rows),
            seed: Some(seed),
            drift: Some(drift),
            noise: None,
        },
    )
    .expect("fraud dataset");
    parse(&csv)
}

fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// One numeric column `x`: `n` draws of `shape` (normal or log-normal), shifted and scaled.
fn sample(n: usize, seed: u64, skewed: bool, shift: f64, scale: f64) -> Table {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut csv = String::with_capacity(n * 12);
    csv.push_str("x\n");
    for _ in 0..n {
        let z = normal(&mut rng);
        let v = if skewed { (0.6 * z).exp() } else { z };
        csv.push_str(&format!("{:.6}\n", v * scale + shift));
    }
    parse(csv.as_bytes())
}

#[derive(Default)]
struct Errors {
    stat: f64,
    p: f64,
    cases: usize,
    borderline: usize,
}

/// Measured errors by (test, group).
struct Tally(BTreeMap<(String, String), Errors>, f64);

impl Tally {
    /// Compares two reports column by column and records (and checks) the differences.
    fn compare(
        &mut self,
        group: &str,
        case: &str,
        raw: &DriftReport,
        prof: &DriftReport,
        sizes: impl Fn(&str) -> (usize, usize),
    ) {
        assert_eq!(raw.columns.len(), prof.columns.len(), "{case}");
        for (r, p) in raw.columns.iter().zip(&prof.columns) {
            let what = format!("{case} / column {} / {}", r.name, r.test);
            assert_eq!(
                (&r.name, r.test, r.kind),
                (&p.name, p.test, p.kind),
                "{what}"
            );
            assert_eq!(
                (r.missing_reference, r.missing_current),
                (p.missing_reference, p.missing_current),
                "{what}"
            );
            let (stat_bound, p_bound) = bounds(r.test);
            // real columns with heavy ties get a looser bound (the sketch blends tied values)
            let stat_bound = stat_bound * self.1;
            let d_stat = if r.statistic == p.statistic {
                0.0
            } else {
                (r.statistic - p.statistic).abs()
            };
            assert!(
                d_stat <= stat_bound + relative(r.test) * r.statistic.abs(),
                "{what}: statistic {} from rows, {} from the profile",
                r.statistic,
                p.statistic
            );
            let d_p = match (r.p_value, p.p_value) {
                (Some(a), Some(b)) => (a - b).abs(),
                (None, None) => 0.0,
                other => panic!("{what}: p-values {other:?}"),
            };
            // KS: the profile's p-value is SciPy's p-value of its statistic, so it lies
            // between the p-values of the raw statistic ± the statistic bound
            let p_range = if r.test == TestKind::Ks {
                let (n1, n2) = sizes(&r.name);
                let ks = |d: f64| ks_p_value(n1, n2, d).p_value;
                let (lo, hi) = (ks(r.statistic + stat_bound), ks(r.statistic - stat_bound));
                let pv = p.p_value.unwrap_or(f64::NAN);
                assert_eq!(ks(p.statistic), pv, "{what}: KS p-value of the statistic");
                assert!(
                    lo - 1e-9 <= pv && pv <= hi + 1e-9,
                    "{what}: p-value {pv} outside [{lo}, {hi}]"
                );
                Some((lo, hi))
            } else {
                assert!(
                    d_p <= p_bound,
                    "{what}: p-value {:?} from rows, {:?} from the profile",
                    r.p_value,
                    p.p_value
                );
                None
            };
            let e = self
                .0
                .entry((r.test.name().to_owned(), group.to_owned()))
                .or_default();
            e.stat = e.stat.max(d_stat);
            e.p = e.p.max(d_p);
            e.cases += 1;
            // the verdict must agree unless the raw value sits within the bound of the threshold
            let margin = match (r.p_value, p_range) {
                (_, Some((lo, hi))) => r.threshold < lo || r.threshold > hi,
                (Some(pv), None) => (pv - r.threshold).abs() > p_bound,
                (None, None) => {
                    (r.statistic - r.threshold).abs()
                        > stat_bound + relative(r.test) * r.statistic.abs()
                }
            };
            if margin {
                assert_eq!(r.drifted, p.drifted, "{what}: verdicts differ");
            } else {
                e.borderline += 1;
            }
        }
    }

    fn print(&self) {
        println!();
        println!("| test | group | cases | max abs err statistic | max abs err p-value | borderline verdicts skipped |");
        println!("| --- | --- | --- | --- | --- | --- |");
        for ((test, group), e) in &self.0 {
            println!(
                "| {test} | {group} | {} | {:.2e} | {:.2e} | {} |",
                e.cases, e.stat, e.p, e.borderline
            );
        }
    }
}

/// Non-missing, finite numbers in a numeric column.
fn present(t: &Table, name: &str) -> usize {
    match t.column(name).map(|c| &c.data) {
        Some(driftlab::ColumnData::Numeric(v)) => v.iter().filter(|x| x.is_finite()).count(),
        _ => 0,
    }
}

fn forced(test: TestKind, columns: Option<&[&str]>) -> DriftOptions {
    DriftOptions {
        test: Some(test),
        columns: columns.map(|c| c.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    }
}

fn both(
    tally: &mut Tally,
    group: &str,
    case: &str,
    reference: &Table,
    profile: &Profile,
    current: &Table,
    options: &DriftOptions,
) {
    let raw = drift_report(reference, current, options).expect("raw report");
    let prof = drift_report_from_profile(profile, current, options).expect("profile report");
    let sizes = |name: &str| (present(reference, name), present(current, name));
    tally.compare(group, case, &raw, &prof, sizes);
    assert_eq!(
        raw.dataset_drift, prof.dataset_drift,
        "{case}: dataset verdict"
    );
}

#[test]
fn synthetic_numeric_samples() {
    let mut tally = Tally(BTreeMap::new(), 1.0);
    // (name, shift, scale) applied to the current sample, in reference standard units
    let currents = [
        ("same", 0.0, 1.0),
        ("shift 0.05", 0.05, 1.0),
        ("shift 0.3 scale 1.2", 0.3, 1.2),
        ("shift 1", 1.0, 1.0),
    ];
    for n in [200usize, 5_000, 100_000] {
        for skewed in [false, true] {
            let shape = if skewed { "lognormal" } else { "normal" };
            let reference = sample(n, 11 + n as u64, skewed, 0.0, 1.0);
            let profile = Profile::from_table(&reference, None).expect("profile");
            for (k, (label, shift, scale)) in currents.iter().enumerate() {
                let current = sample(n, 1000 + n as u64 + k as u64, skewed, *shift, *scale);
                let case = format!("{shape} n={n} current {label}");
                let group = format!("n={n}");
                for test in [
                    TestKind::Ks,
                    TestKind::Wasserstein,
                    TestKind::Psi,
                    TestKind::Jensenshannon,
                ] {
                    let o = forced(test, None);
                    both(
                        &mut tally, &group, &case, &reference, &profile, &current, &o,
                    );
                }
                let auto = DriftOptions::default();
                both(
                    &mut tally, &group, &case, &reference, &profile, &current, &auto,
                );
            }
        }
    }
    tally.print();
}

#[test]
fn fraud_dataset() {
    let mut tally = Tally(BTreeMap::new(), TIES);
    let numeric = [
        "amount",
        "hour",
        "account_age_days",
        "tx_last_24h",
        "distance_from_home_km",
        "is_fraud",
    ];
    let categorical = ["merchant_category", "country", "card_present", "device_new"];
    let binary = ["card_present", "device_new", "is_fraud"];
    for (rows, group) in [(800usize, "fraud 800"), (5_000, "fraud 5000")] {
        let reference = fraud(rows, 7, 0.0);
        let profile = Profile::from_table(&reference, None).expect("profile");
        for drift in [0.0, 0.3, 0.6, 1.0] {
            let current = fraud(rows, 8, drift);
            let case = format!("fraud rows={rows} drift={drift}");
            both(
                &mut tally,
                group,
                &case,
                &reference,
                &profile,
                &current,
                &DriftOptions::default(),
            );
            for test in [TestKind::Ks, TestKind::Wasserstein] {
                let o = forced(test, Some(&numeric));
                both(&mut tally, group, &case, &reference, &profile, &current, &o);
            }
            for test in [TestKind::Psi, TestKind::Jensenshannon] {
                let o = forced(test, None);
                both(&mut tally, group, &case, &reference, &profile, &current, &o);
            }
            let o = forced(TestKind::Chisquare, Some(&categorical));
            both(&mut tally, group, &case, &reference, &profile, &current, &o);
            let o = forced(TestKind::Z, Some(&binary));
            both(&mut tally, group, &case, &reference, &profile, &current, &o);
        }
    }
    tally.print();
}

/// The profile's automatic choice reads its `count` and `distinct` as the raw report reads
/// the rows, so the chosen tests and reasons match.
#[test]
fn automatic_choice_matches() {
    for rows in [300usize, 1_000, 1_001, 4_000] {
        let reference = fraud(rows, 3, 0.0);
        let current = fraud(rows, 4, 0.5);
        let profile = Profile::from_table(&reference, None).expect("profile");
        let o = DriftOptions::default();
        let raw = drift_report(&reference, &current, &o).expect("raw");
        let prof = drift_report_from_profile(&profile, &current, &o).expect("profile");
        for (r, p) in raw.columns.iter().zip(&prof.columns) {
            assert_eq!(r.test, p.test, "rows={rows} column {}", r.name);
            if !matches!(r.test, TestKind::Ks | TestKind::Wasserstein) {
                assert_eq!(r.reason, p.reason, "rows={rows} column {}", r.name);
            }
        }
    }
}

#[test]
fn missing_and_mismatched_columns_are_named() {
    let reference = fraud(500, 1, 0.0);
    let profile = Profile::from_table(&reference, None).expect("profile");
    let current = parse(b"amount,hour\n1.5,3\n");
    let err = drift_report_from_profile(&profile, &current, &DriftOptions::default())
        .expect_err("merchant_category is missing from the current table");
    assert!(err.to_string().contains("merchant_category"), "{err}");
    let o = DriftOptions {
        columns: Some(vec!["amount".into(), "colour".into()]),
        ..Default::default()
    };
    let err = drift_report_from_profile(&profile, &current, &o).expect_err("no colour");
    let msg = err.to_string();
    assert!(
        msg.contains("\"colour\"") && msg.contains("amount, hour"),
        "{msg}"
    );
    let current = parse(b"amount\nlots\n");
    let o = DriftOptions {
        columns: Some(vec!["amount".into()]),
        ..Default::default()
    };
    let err = drift_report_from_profile(&profile, &current, &o).expect_err("kinds differ");
    assert!(err.to_string().contains("\"amount\""), "{err}");
}
