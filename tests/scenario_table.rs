//! Scenarios drawn from any loaded table (issue 19): a model trained on a churn CSV with a
//! categorical `plan` column is deployed, a drift scripted on the table's own rows is
//! played, the recall alarm fires, the model is retrained on the batches after the drift,
//! shadowed, compared and promoted, and recall recovers; every kind of change under every
//! schedule plays the same stream twice from one seed and is refused with a sentence where
//! the table cannot take it; a stream plays on past its scripted end (the fraud story after
//! its 30 batches); a session saved mid-stream continues exactly.
#![cfg(feature = "train")]

use driftlab::artifact::Artifact;
use driftlab::dataset::{generate, DatasetOptions};
use driftlab::deploy::{
    DeployError, Meter, RetrainRequest, Session, StepReport, TableScenarioRequest, TrafficRequest,
};
use driftlab::monitor::AlarmKind;
use driftlab::scenario::{Change, ScenarioError, TableDrift};
use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{train, ModelKind, TrainRequest};

struct Ticks(f64);

impl Meter for Ticks {
    fn now_ms(&mut self) -> f64 {
        self.0 += 1.0;
        self.0
    }
    fn memory_bytes(&mut self) -> Option<u64> {
        None
    }
}

/// `tests/fixtures/churn.csv` (made by `scripts/fixture_churn.py`).
fn churn() -> Table {
    let bytes = std::fs::read("tests/fixtures/churn.csv").unwrap();
    read_csv(&bytes, &ReadOptions::default()).unwrap().table
}

fn deployed(table: &Table, target: &str) -> Session {
    let request = TrainRequest::new(target, ModelKind::Logistic);
    let artifact: Artifact = train(table, &request, &mut |_| {}).unwrap().0;
    let mut session = Session::new();
    session.deploy(&artifact, "first").unwrap();
    session
}

fn request(drift: TableDrift, schedule: &str) -> TableScenarioRequest {
    TableScenarioRequest {
        drift,
        schedule: Some(schedule.into()),
        batches: Some(16),
        batch_size: Some(300),
        seed: None,
    }
}

/// Recall of the labelled batches of `version` from scenario batch `from` on, pooled.
fn recall_since(session: &Session, version: &str, from: usize) -> f64 {
    let t = session.timeline().unwrap();
    let (mut tp, mut pos) = (0u64, 0u64);
    for b in t
        .batches
        .iter()
        .filter(|b| b.version == version && b.t >= from)
    {
        if let Some(p) = &b.report.performance {
            tp += p.counts.tp;
            pos += p.counts.tp + p.counts.fn_;
        }
    }
    tp as f64 / pos.max(1) as f64
}

fn step(session: &mut Session, meter: &mut Ticks) -> StepReport {
    session.step(meter).unwrap()
}

#[test]
fn the_loop_on_an_uploaded_table_alarms_retrains_and_recovers() {
    let table = churn();
    let mut session = deployed(&table, "churned");
    let suggestion = session.suggest_table(&table).unwrap();
    assert_eq!(
        (suggestion.target.as_str(), suggestion.positive.as_str()),
        ("churned", "1")
    );
    // the model leans on support calls most; the identifier is not an input at all
    assert_eq!(suggestion.importance[0].column, "support_calls");
    assert!(suggestion
        .importance
        .iter()
        .all(|i| i.column != "customer_id"));
    let shift = suggestion.shift.clone().unwrap().drift;
    assert_eq!(
        shift.changes[0],
        Change::Shift {
            column: "support_calls".into(),
            by: -2.0
        },
        "churners call more: the default shift makes them look like the others"
    );
    let mix = suggestion.mix.unwrap().drift;
    assert!(
        matches!(&mix.changes[0], Change::Mix { column, .. } if column == "autopay" || column == "plan")
    );

    let meter = &mut Ticks(0.0);
    let empty = session
        .start_table(
            &table,
            &TableScenarioRequest {
                drift: shift,
                schedule: None,
                batches: None,
                batch_size: None,
                seed: None,
            },
        )
        .unwrap();
    assert_eq!((empty.batches_total, empty.batches_scripted), (30, 30));
    assert_eq!(empty.drift_curve[9], 0.0);
    assert_eq!(empty.drift_curve[10], 1.0);

    // Play until recall's alarm: it fires a few batches after the drift at batch 10.
    let recall_alarm = loop {
        let s = step(&mut session, meter);
        assert!(!s.finished, "no recall alarm in the whole stream");
        if let Some(a) = s
            .alarms
            .iter()
            .find(|a| a.report.kind == AlarmKind::RecallDrop)
        {
            break a.clone();
        }
    };
    assert!((12..=16).contains(&recall_alarm.t), "{recall_alarm:?}");
    let before = recall_since(&session, "v1", 0);
    let t = session.timeline().unwrap();
    let after_drift: Vec<_> = t
        .batches
        .iter()
        .filter(|b| b.t >= 10 && b.report.performance.is_some())
        .collect();
    assert!(!after_drift.is_empty());
    let collapsed = recall_since(&session, "v1", 10);
    assert!(collapsed < 0.1, "recall after the drift {collapsed}");

    // Retrain on the batches after the drift (the window the page shows), shadow, compare.
    while session
        .timeline()
        .unwrap()
        .batches
        .iter()
        .filter(|b| b.t >= 10 && b.report.performance.is_some())
        .count()
        < 5
    {
        step(&mut session, meter);
    }
    let report = session
        .retrain(&RetrainRequest {
            created: "2026-01-01T00:00:00Z".into(),
            ..RetrainRequest::default()
        })
        .unwrap();
    assert!(
        report.batches.iter().all(|&b| b >= 10),
        "{:?}",
        report.batches
    );
    session
        .set_traffic(&TrafficRequest {
            mode: "shadow".into(),
            percent: None,
        })
        .unwrap();
    for _ in 0..8 {
        step(&mut session, meter);
    }
    let comparison = session.compare(None).unwrap();
    assert_eq!(comparison.better, "challenger", "{comparison:?}");
    session.promote().unwrap();
    let promoted_at = session.timeline().unwrap().position;
    for _ in 0..8 {
        step(&mut session, meter);
    }
    let recovered = recall_since(&session, &report.version, promoted_at);
    println!("recall before the drift {before:.3}, after it {collapsed:.3}, after the promotion {recovered:.3}");
    assert!(
        recovered > collapsed + 0.2 && recovered >= 0.5 * before,
        "recall before the drift {before}, after it {collapsed}, after the promotion {recovered}"
    );
}

#[test]
fn every_change_under_every_schedule_is_seeded_and_does_what_it_says() {
    let table = churn();
    let session = deployed(&table, "churned");
    let s = session.suggest_table(&table).unwrap();
    let drifts = [
        s.shift.clone().unwrap().drift,
        s.mix.clone().unwrap().drift,
        s.prior.drift.clone(),
        s.concept.clone().unwrap().drift,
    ];
    for drift in &drifts {
        for schedule in ["abrupt", "gradual", "incremental", "recurring"] {
            let play = |session: &mut Session| {
                session
                    .start_table(&table, &request(drift.clone(), schedule))
                    .unwrap();
                let meter = &mut Ticks(0.0);
                while !step(session, meter).finished {}
                serde_json::to_string(&session.timeline().unwrap().batches).unwrap()
            };
            let mut a = deployed(&table, "churned");
            let mut b = deployed(&table, "churned");
            assert_eq!(play(&mut a), play(&mut b), "{drift:?} {schedule}");
        }
    }
    // prior shift: the positive share of the batches after the drift follows the script
    let mut session = deployed(&table, "churned");
    let share = match &s.prior.drift.changes[0] {
        Change::Prior { share, .. } => *share,
        _ => unreachable!(),
    };
    session
        .start_table(&table, &request(s.prior.drift.clone(), "abrupt"))
        .unwrap();
    let meter = &mut Ticks(0.0);
    while !step(&mut session, meter).finished {}
    let t = session.timeline().unwrap();
    let positives = |from: usize, to: usize| {
        let (mut p, mut n) = (0u64, 0u64);
        for b in t.batches.iter().filter(|b| (from..to).contains(&b.t)) {
            let c = &b.report.performance.as_ref().unwrap().counts;
            p += c.tp + c.fn_;
            n += c.rows;
        }
        p as f64 / n as f64
    };
    assert!(
        (positives(0, 10) - 0.19).abs() < 0.04,
        "{}",
        positives(0, 10)
    );
    assert!(
        (positives(10, 16) - share).abs() < 0.05,
        "{} vs {share}",
        positives(10, 16)
    );

    // concept drift: no input moves, only the labels (accuracy falls, no data drift alarm)
    let mut session = deployed(&table, "churned");
    session
        .start_table(&table, &request(s.concept.clone().unwrap().drift, "abrupt"))
        .unwrap();
    let meter = &mut Ticks(0.0);
    while !step(&mut session, meter).finished {}
    let t = session.timeline().unwrap();
    assert!(
        t.alarms
            .iter()
            .all(|a| a.report.kind != AlarmKind::DataDrift),
        "{:?}",
        t.alarms
    );
    let accuracy = |from: usize, to: usize| {
        let v: Vec<f64> = t
            .batches
            .iter()
            .filter(|b| (from..to).contains(&b.t))
            .filter_map(|b| b.report.performance.as_ref()?.accuracy)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(
        accuracy(10, 16) < accuracy(0, 10) - 0.05,
        "{} {}",
        accuracy(0, 10),
        accuracy(10, 16)
    );
}

#[test]
fn a_table_scenario_is_refused_with_a_sentence() {
    let table = churn();
    let mut session = deployed(&table, "churned");
    let bad = |changes: Vec<Change>| {
        request(
            TableDrift {
                target: "churned".into(),
                changes,
            },
            "abrupt",
        )
    };
    let cases: Vec<(TableScenarioRequest, &str)> = vec![
        (
            bad(vec![Change::Shift {
                column: "nope".into(),
                by: 1.0,
            }]),
            "no input column \"nope\"",
        ),
        (
            bad(vec![Change::Shift {
                column: "plan".into(),
                by: 1.0,
            }]),
            "is not numeric",
        ),
        (
            bad(vec![Change::Shift {
                column: "tenure_months".into(),
                by: f64::NAN,
            }]),
            "from -100 to 100",
        ),
        (
            bad(vec![Change::Mix {
                column: "tenure_months".into(),
                category: "x".into(),
                share: 0.5,
            }]),
            "is numeric",
        ),
        (
            bad(vec![Change::Mix {
                column: "plan".into(),
                category: "gold".into(),
                share: 0.5,
            }]),
            "no row has plan = \"gold\"",
        ),
        (
            bad(vec![Change::Prior {
                class: "7".into(),
                share: 0.5,
            }]),
            "not a class of \"churned\"",
        ),
        (
            bad(vec![Change::Prior {
                class: "1".into(),
                share: 1.5,
            }]),
            "not a share",
        ),
        (
            bad(vec![Change::Concept {
                column: "plan".into(),
                category: None,
                rate: 0.5,
            }]),
            "name the category",
        ),
        (bad(vec![]), "script 1 to 16"),
        (
            request(
                TableDrift {
                    target: "nope".into(),
                    changes: vec![Change::Prior {
                        class: "1".into(),
                        share: 0.5,
                    }],
                },
                "abrupt",
            ),
            "no column \"nope\"",
        ),
        (
            request(
                TableDrift {
                    target: "churned".into(),
                    changes: vec![Change::Prior {
                        class: "1".into(),
                        share: 0.5,
                    }],
                },
                "sideways",
            ),
            "unknown schedule",
        ),
    ];
    for (r, want) in cases {
        let e = session.start_table(&table, &r).unwrap_err().to_string();
        assert!(e.contains(want), "{e:?} should say {want:?}");
    }
    // one class in the target, and the rows of another table
    let one = Table::new(vec![
        driftlab::table::Column::numeric("x", vec![1.0, 2.0, 3.0]),
        driftlab::table::Column::numeric("churned", vec![1.0, 1.0, 1.0]),
    ])
    .unwrap();
    let e = session
        .start_table(
            &one,
            &request(
                TableDrift {
                    target: "churned".into(),
                    changes: vec![Change::Shift {
                        column: "x".into(),
                        by: 1.0,
                    }],
                },
                "abrupt",
            ),
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            DeployError::Scenario(ScenarioError::Invalid {
                field: "generator.target",
                ..
            })
        ),
        "{e}"
    );
    let e = session
        .start_table(
            &one,
            &request(
                TableDrift {
                    target: "x".into(),
                    changes: vec![Change::Shift {
                        column: "churned".into(),
                        by: 1.0,
                    }],
                },
                "abrupt",
            ),
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot score") && e.contains("the loaded table"),
        "{e}"
    );
}

#[test]
fn the_fraud_story_plays_on_after_its_end() {
    let csv = generate(
        "fraud",
        &DatasetOptions {
            rows: None,
            seed: Some(42),
            drift: None,
        },
    )
    .unwrap();
    let table = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let mut session = deployed(&table, "is_fraud");
    let meter = &mut Ticks(0.0);
    session.start("fraud-abrupt", None).unwrap();
    while !step(&mut session, meter).finished {}
    assert!(
        session.step(meter).unwrap().batch.is_none(),
        "the scripted stream has ended"
    );
    // retrain on the last batches, shadow, and play on: the stream keeps its last regime
    session
        .retrain(&RetrainRequest {
            created: "2026-01-01T00:00:00Z".into(),
            ..RetrainRequest::default()
        })
        .unwrap();
    session
        .set_traffic(&TrafficRequest {
            mode: "shadow".into(),
            percent: None,
        })
        .unwrap();
    let t = session.extend(Some(6)).unwrap();
    assert_eq!(
        (t.batches_total, t.batches_scripted, t.finished),
        (36, 30, false)
    );
    assert_eq!(t.drift_curve[35], 1.0);
    let mut played = Vec::new();
    loop {
        let s = step(&mut session, meter);
        if let Some(b) = &s.batch {
            played.push(b.t);
            assert_eq!(b.drift, 1.0);
        }
        if s.finished {
            break;
        }
    }
    assert_eq!(played, (30..36).collect::<Vec<_>>());
    // the saved play holds no rows: its size, and the time to play the stream again
    let saved = session.save_play().unwrap().unwrap();
    let mut again = Session::new();
    again.load(&session.save().unwrap()).unwrap();
    let t0 = std::time::Instant::now();
    let restored = again.restore_play(&saved, None).unwrap();
    println!(
        "fraud-abrupt after 36 batches: play saved in {} bytes, restored in {:.0} ms",
        saved.len(),
        t0.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(restored.timeline, session.timeline().unwrap());
    let comparison = session.compare(None).unwrap();
    assert_eq!(comparison.better, "challenger", "{comparison:?}");
    assert!(comparison.challenger.as_ref().unwrap().stats.rows >= 6000);
    session.promote().unwrap();
    session.extend(None).unwrap();
    for _ in 0..10 {
        step(&mut session, meter);
    }
    let recall = recall_since(&session, "v2", 36);
    assert!(recall > 0.6, "recall after the promotion {recall}");
}

#[test]
fn a_saved_session_continues_exactly() {
    let table = churn();
    let suggestion = deployed(&table, "churned").suggest_table(&table).unwrap();
    let r = request(suggestion.shift.unwrap().drift, "gradual");
    let mut a = deployed(&table, "churned");
    a.start_table(&table, &r).unwrap();
    let meter = &mut Ticks(0.0);
    for _ in 0..12 {
        step(&mut a, meter);
    }
    a.retrain(&RetrainRequest {
        created: "2026-01-01T00:00:00Z".into(),
        ..RetrainRequest::default()
    })
    .unwrap();
    a.set_traffic(&TrafficRequest {
        mode: "shadow".into(),
        percent: None,
    })
    .unwrap();
    step(&mut a, meter);
    let registry = a.save().unwrap();
    let play = a.save_play().unwrap().unwrap();

    let mut b = Session::new();
    b.load(&registry).unwrap();
    // the table is needed, and it must be the same one
    assert!(matches!(
        b.restore_play(&play, None),
        Err(DeployError::NoTable)
    ));
    let other = table.take(&(0..100).collect::<Vec<_>>());
    assert!(matches!(
        b.restore_play(&play, Some(&other)),
        Err(DeployError::OtherTable)
    ));
    assert!(matches!(
        b.restore_play("{}", Some(&table)),
        Err(DeployError::BadSave(_))
    ));
    let restored = b.restore_play(&play, Some(&table)).unwrap();
    assert_eq!(restored.timeline, a.timeline().unwrap());
    // the same steps, reports and comparison from here on, and the same retraining
    for _ in 0..6 {
        let (sa, sb) = (step(&mut a, &mut Ticks(0.0)), step(&mut b, &mut Ticks(0.0)));
        assert_eq!(
            serde_json::to_string(&sa).unwrap(),
            serde_json::to_string(&sb).unwrap()
        );
    }
    assert_eq!(a.compare(None).unwrap(), b.compare(None).unwrap());
    let request = RetrainRequest {
        created: "2026-01-02T00:00:00Z".into(),
        ..RetrainRequest::default()
    };
    let (ra, rb) = (a.retrain(&request).unwrap(), b.retrain(&request).unwrap());
    assert_eq!((ra.batches.clone(), ra.rows), (rb.batches.clone(), rb.rows));
    assert_eq!(ra.metrics, rb.metrics);
}

/// The README's fraud story: retraining at the recall alarm on the default window (the
/// last 5 labelled batches: 6–10, one after the switch) brings recall back only part of
/// the way; a window of batches after the switch only brings it all the way. The page
/// shows which batches a retraining would take and how many come after the drift.
#[test]
fn the_retrain_window_decides_how_far_recall_comes_back() {
    let csv = generate(
        "fraud",
        &DatasetOptions {
            rows: None,
            seed: Some(42),
            drift: None,
        },
    )
    .unwrap();
    let table = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let recovered = |extra: usize| {
        let mut session = deployed(&table, "is_fraud");
        let meter = &mut Ticks(0.0);
        session.start("fraud-abrupt", None).unwrap();
        loop {
            let s = step(&mut session, meter);
            if s.alarms
                .iter()
                .any(|a| a.report.kind == AlarmKind::RecallDrop)
            {
                break;
            }
        }
        for _ in 0..extra {
            step(&mut session, meter);
        }
        let report = session
            .retrain(&RetrainRequest {
                created: "2026-01-01T00:00:00Z".into(),
                ..RetrainRequest::default()
            })
            .unwrap();
        session.promote().unwrap();
        let from = session.timeline().unwrap().position;
        session.extend(Some(12)).unwrap();
        for _ in 0..12 {
            step(&mut session, meter);
        }
        (
            report.batches,
            recall_since(&session, &report.version, from),
        )
    };
    let (at_alarm, partly) = recovered(0);
    let (after_only, fully) = recovered(6);
    println!("retrained on {at_alarm:?}: recall {partly:.3}; on {after_only:?}: recall {fully:.3}");
    assert_eq!(at_alarm, vec![6, 7, 8, 9, 10]);
    assert!(after_only.iter().all(|&b| b >= 10), "{after_only:?}");
    assert!(fully > partly + 0.1 && fully > 0.85, "{partly} {fully}");
}
