//! The scenarios' unit tests: schedules, generators, label release, extension.

use super::*;
use crate::table::{read_csv, ReadOptions};

/// Gradual drift mixes the two concepts row by row (each row at `from` or at `to`, the
/// share at `to` following the ramp); incremental drift moves every row together.
#[test]
fn gradual_mixes_rows_incremental_moves_them_all() {
    let (start, end) = (2, 6);
    let gradual = Schedule::Gradual {
        start,
        end,
        from: 0.0,
        to: 1.0,
    };
    let incremental = Schedule::Incremental {
        start,
        end,
        from: 0.0,
        to: 1.0,
    };
    for t in 0..8 {
        assert_eq!(gradual.drift_at(t), incremental.drift_at(t));
        assert_eq!(incremental.row_levels(t, 100), None);
        let rows = gradual.row_levels(t, 100).unwrap();
        assert!(rows.iter().all(|&d| d == 0.0 || d == 1.0));
        let at_new = rows.iter().filter(|&&d| d == 1.0).count();
        assert_eq!(
            at_new as f64,
            (gradual.drift_at(t) * 100.0).round(),
            "batch {t}"
        );
    }
    // spread through the batch, not in a block: a quarter at `to` is one row in four
    let quarter = gradual.row_levels(3, 8).unwrap();
    assert_eq!(quarter, [0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    // on the mean-shift generator, a gradual batch halfway holds two clusters of x1
    // (shift 0 and 2), an incremental one a single cluster shifted by 1
    let config = |schedule| ScenarioConfig {
        name: "test".into(),
        description: String::new(),
        generator: Generator::MeanShift {
            features: 2,
            shift: 2.0,
        },
        schedule,
        batches: 8,
        batch_size: 4_000,
        label_delay: 0,
        seed: 3,
    };
    let halfway = |schedule| {
        let mut s = Scenario::new(config(schedule)).unwrap();
        let mut x1 = Vec::new();
        while let Some(step) = s.next_step().unwrap() {
            let b = step.batch.unwrap();
            if b.index == 4 {
                let ColumnData::Numeric(v) = &b.features.column("x1").unwrap().data else {
                    panic!("x1 is numeric");
                };
                x1 = v.clone();
            }
        }
        let mean = x1.iter().sum::<f64>() / x1.len() as f64;
        let var = x1.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / x1.len() as f64;
        (mean, var)
    };
    let (gm, gv) = halfway(gradual);
    let (im, iv) = halfway(incremental);
    assert!(
        (gm - 1.0).abs() < 0.1 && (im - 1.0).abs() < 0.1,
        "{gm} {im}"
    );
    // a 50/50 mix of N(0,1) and N(2,1) has variance 2; the shifted N(1,1) has 1
    assert!(
        (gv - 2.0).abs() < 0.2 && (iv - 1.0).abs() < 0.1,
        "{gv} {iv}"
    );
}

/// The prior-shift generator under every schedule: the share of class 1 in each batch
/// follows the schedule, and the class-conditional means do not move.
#[test]
fn prior_shift_moves_the_class_balance_only() {
    let schedules = [
        Schedule::Abrupt {
            at: 4,
            from: 0.0,
            to: 1.0,
        },
        Schedule::Gradual {
            start: 2,
            end: 8,
            from: 0.0,
            to: 1.0,
        },
        Schedule::Recurring {
            start: 2,
            period: 4,
            on: 2,
            from: 0.0,
            to: 1.0,
        },
        Schedule::Seasonal {
            period: 6,
            from: 0.0,
            to: 1.0,
        },
    ];
    for schedule in schedules {
        let config = ScenarioConfig {
            name: "prior".into(),
            description: String::new(),
            generator: Generator::PriorShift {
                features: 3,
                from: 0.1,
                to: 0.6,
                separation: 2.0,
            },
            schedule: schedule.clone(),
            batches: 10,
            batch_size: 4000,
            label_delay: 0,
            seed: 9,
        };
        let curve = config.drift_curve();
        for step in play(Scenario::new(config).unwrap()) {
            let Some(b) = step.batch else { continue };
            let positive = b.labels.iter().filter(|l| *l == "1").count();
            let share = positive as f64 / b.labels.len() as f64;
            let want = 0.1 + 0.5 * curve[b.index];
            assert!(
                (share - want).abs() < 0.03,
                "{schedule:?}, batch {}: share {share}, want {want}",
                b.index
            );
            // class 1 sits √2 higher on x1 and x2 whatever the balance; x3 never moves
            let ColumnData::Numeric(x1) = &b.features.column("x1").unwrap().data else {
                panic!("x1 is numeric")
            };
            let ColumnData::Numeric(x3) = &b.features.column("x3").unwrap().data else {
                panic!("x3 is numeric")
            };
            let mean_of = |v: &[f64], class: &str| {
                let xs: Vec<f64> = v
                    .iter()
                    .zip(&b.labels)
                    .filter(|(_, l)| *l == class)
                    .map(|(x, _)| *x)
                    .collect();
                xs.iter().sum::<f64>() / xs.len().max(1) as f64
            };
            if positive > 200 && b.labels.len() - positive > 200 {
                let gap = mean_of(x1, "1") - mean_of(x1, "0");
                assert!((gap - std::f64::consts::SQRT_2).abs() < 0.15, "gap {gap}");
                assert!((mean_of(x3, "1") - mean_of(x3, "0")).abs() < 0.15);
            }
        }
    }
}

#[test]
fn prior_shift_configs_are_checked() {
    let mut config = ScenarioConfig::builtin("mean-shift").unwrap();
    for (generator, field) in [
        (
            Generator::PriorShift {
                features: 1,
                from: 0.1,
                to: 0.5,
                separation: 1.0,
            },
            "features",
        ),
        (
            Generator::PriorShift {
                features: 2,
                from: -0.1,
                to: 0.5,
                separation: 1.0,
            },
            "from",
        ),
        (
            Generator::PriorShift {
                features: 2,
                from: 0.1,
                to: 1.5,
                separation: 1.0,
            },
            "to",
        ),
        (
            Generator::PriorShift {
                features: 2,
                from: 0.1,
                to: 0.5,
                separation: f64::NAN,
            },
            "separation",
        ),
    ] {
        config.generator = generator;
        let e = config.validate().unwrap_err().to_string();
        assert!(e.contains(field), "{e}");
    }
    config.generator = Generator::PriorShift {
        features: 2,
        from: 0.1,
        to: 0.5,
        separation: 1.0,
    };
    config.validate().unwrap();
    let json = serde_json::to_string(&config).unwrap();
    assert!(json.contains("\"kind\":\"prior-shift\""), "{json}");
    assert_eq!(
        serde_json::from_str::<ScenarioConfig>(&json).unwrap(),
        config
    );
}

fn play(mut s: Scenario) -> Vec<Step> {
    let mut out = Vec::new();
    while let Some(step) = s.next_step().unwrap() {
        out.push(step);
    }
    out
}

#[test]
fn schedules_give_the_documented_drift() {
    let abrupt = Schedule::Abrupt {
        at: 3,
        from: 0.0,
        to: 1.0,
    };
    assert_eq!(
        (0..5).map(|t| abrupt.drift_at(t)).collect::<Vec<_>>(),
        [0.0, 0.0, 0.0, 1.0, 1.0]
    );
    let ramp = Schedule::Gradual {
        start: 2,
        end: 6,
        from: 0.0,
        to: 1.0,
    };
    assert_eq!(
        (0..8).map(|t| ramp.drift_at(t)).collect::<Vec<_>>(),
        [0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    );
    let rec = Schedule::Recurring {
        start: 1,
        period: 4,
        on: 2,
        from: 0.0,
        to: 1.0,
    };
    assert_eq!(
        (0..9).map(|t| rec.drift_at(t)).collect::<Vec<_>>(),
        [0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    );
    let season = Schedule::Seasonal {
        period: 4,
        from: 0.0,
        to: 1.0,
    };
    assert!((season.drift_at(2) - 1.0).abs() < 1e-12);
    assert!(season.drift_at(4).abs() < 1e-12);
    assert!((season.drift_at(1) - 0.5).abs() < 1e-12);
}

#[test]
fn labels_arrive_after_the_delay() {
    let mut c = ScenarioConfig::builtin("fraud-abrupt").unwrap();
    c.batches = 4;
    c.batch_size = 50;
    c.label_delay = 2;
    let steps = play(Scenario::new(c).unwrap());
    assert_eq!(steps.len(), 6);
    let released: Vec<Vec<usize>> = steps
        .iter()
        .map(|s| s.released.iter().map(|r| r.batch).collect())
        .collect();
    assert_eq!(
        released,
        [vec![], vec![], vec![0], vec![1], vec![2], vec![3]]
    );
    assert!(steps[4].batch.is_none() && steps[5].batch.is_none());
    let b0 = steps[0].batch.as_ref().unwrap();
    assert_eq!(steps[2].released[0].labels, b0.labels);
    assert_eq!(b0.labels_at, 2);
}

#[test]
fn zero_delay_releases_at_once() {
    let mut c = ScenarioConfig::builtin("mean-shift").unwrap();
    c.batches = 2;
    c.label_delay = 0;
    let steps = play(Scenario::new(c).unwrap());
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1].released[0].batch, 1);
}

#[test]
fn the_same_seed_gives_the_same_rows() {
    let a = play(Scenario::builtin("fraud-gradual").unwrap());
    let b = play(Scenario::builtin("fraud-gradual").unwrap());
    let print = |steps: &[Step]| -> Vec<(u64, Vec<String>)> {
        steps
            .iter()
            .filter_map(|s| s.batch.as_ref())
            .map(|b| (b.features.fingerprint(), b.labels.clone()))
            .collect()
    };
    assert_eq!(print(&a), print(&b));
    assert_eq!(print(&a).len(), 30);
    let mut other = ScenarioConfig::builtin("fraud-gradual").unwrap();
    other.seed = 7;
    let c = play(Scenario::new(other).unwrap());
    assert_ne!(print(&a)[0], print(&c)[0]);
}

#[test]
fn fraud_batches_read_like_the_csv() {
    let (table, labels) = fraud_table(&FraudGenerator::new(3).records(400, 0.5).unwrap()).unwrap();
    let csv = FraudGenerator::new(3).csv(400, 0.5, true).unwrap();
    let read = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    // NaN != NaN, so compare fingerprints (which hash a missing cell as missing).
    let print = |c: &Column| Table::new(vec![c.clone()]).unwrap().fingerprint();
    for c in table.columns() {
        assert_eq!(print(c), print(read.column(&c.name).unwrap()), "{}", c.name);
    }
    let y = read.column("is_fraud").unwrap();
    for (i, l) in labels.iter().enumerate() {
        assert_eq!(
            y.get(i),
            Some(crate::table::Cell::Number(l.parse().unwrap()))
        );
    }
}

#[test]
fn the_abrupt_switch_shows_in_the_rows() {
    let steps = play(Scenario::builtin("fraud-abrupt").unwrap());
    let gaming = |b: &Batch| {
        let c = b.features.column("merchant_category").unwrap();
        (0..b.features.rows())
            .filter(|&i| c.get(i) == Some(crate::table::Cell::Category("online_gaming")))
            .count()
    };
    let before = gaming(steps[9].batch.as_ref().unwrap());
    let after = gaming(steps[10].batch.as_ref().unwrap());
    assert_eq!(steps[9].batch.as_ref().unwrap().drift, 0.0);
    assert_eq!(steps[10].batch.as_ref().unwrap().drift, 1.0);
    assert!(after > 2 * before, "{before} {after}");
}

#[test]
fn mean_shift_moves_x1() {
    let steps = play(Scenario::builtin("mean-shift").unwrap());
    let mean = |t: usize| match &steps[t].batch.as_ref().unwrap().features.columns()[0].data {
        ColumnData::Numeric(v) => v.iter().sum::<f64>() / v.len() as f64,
        _ => unreachable!(),
    };
    assert!(mean(0).abs() < 0.2);
    assert!((mean(20) - 2.0).abs() < 0.2);
    let labelled = steps[0].batch.as_ref().unwrap().labelled().unwrap();
    assert_eq!(labelled.column_names(), ["x1", "x2", "x3", "x4", "y"]);
}

#[test]
fn bad_configs_are_refused_and_configs_round_trip() {
    assert!(matches!(
        ScenarioConfig::builtin("nope"),
        Err(ScenarioError::Unknown(_))
    ));
    for b in builtins() {
        let c = ScenarioConfig::builtin(b.name).unwrap();
        c.validate().unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<ScenarioConfig>(&json).unwrap(), c);
    }
    let base = ScenarioConfig::builtin("fraud-abrupt").unwrap();
    let bad = [
        ScenarioConfig {
            batches: 0,
            ..base.clone()
        },
        ScenarioConfig {
            batch_size: 0,
            ..base.clone()
        },
        ScenarioConfig {
            schedule: Schedule::Abrupt {
                at: 1,
                from: 0.0,
                to: f64::NAN,
            },
            ..base.clone()
        },
        ScenarioConfig {
            schedule: Schedule::Gradual {
                start: 5,
                end: 5,
                from: 0.0,
                to: 1.0,
            },
            ..base.clone()
        },
        ScenarioConfig {
            schedule: Schedule::Recurring {
                start: 0,
                period: 3,
                on: 3,
                from: 0.0,
                to: 1.0,
            },
            ..base.clone()
        },
        ScenarioConfig {
            generator: Generator::MeanShift {
                features: 1,
                shift: 1.0,
            },
            ..base.clone()
        },
    ];
    for c in bad {
        assert!(Scenario::new(c).is_err());
    }
}

#[test]
fn reference_rows_come_with_the_target() {
    let s = Scenario::builtin("fraud-abrupt").unwrap();
    let t = s.reference(300, 0.0, 1).unwrap();
    assert_eq!(t.rows(), 300);
    assert!(t.column("is_fraud").is_some());
    assert!(s.reference(10, 2.0, 1).is_err());
}
