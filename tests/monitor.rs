//! The monitor, scenarios and the registry together: the fraud story end to end, traffic
//! modes, the significance tests against SciPy (`scripts/fixtures_monitor.py`), and bad
//! input that must give errors, never panics.

use std::sync::OnceLock;

use driftlab::artifact::Artifact;
use driftlab::monitor::{Alarm, AlarmKind, Monitor, MonitorOptions, MonitorSnapshot};
use driftlab::registry::{mcnemar, retrain, Arm, Registry, TrafficMode, WindowPolicy};
use driftlab::scenario::{Scenario, ScenarioConfig};
use driftlab::table::{Column, Table};
use driftlab::train::{train, ModelKind, TrainRequest};

/// The fraud-abrupt story, played once and shared by the tests.
struct Story {
    champion: Artifact,
    retrained: Artifact,
    snapshot: MonitorSnapshot,
    alarms: Vec<Alarm>,
    /// Every batch report and label report, as JSON, in the order they were made.
    reports: Vec<serde_json::Value>,
    /// Fresh drift-1 rows with their labels, to judge both models.
    after: (Table, Vec<String>),
}

fn options() -> MonitorOptions {
    MonitorOptions {
        positive_name: Some("fraud".into()),
        ..MonitorOptions::default()
    }
}

fn story() -> &'static Story {
    static STORY: OnceLock<Story> = OnceLock::new();
    STORY.get_or_init(|| {
        let scenario = Scenario::builtin("fraud-abrupt").unwrap();
        let reference = scenario.reference(8_000, 0.0, 1).unwrap();
        let mut request = TrainRequest::new("is_fraud", ModelKind::Logistic);
        request.created = "2024-01-01T00:00:00Z".into();
        let (champion, _) = train(&reference, &request, &mut |_| {}).unwrap();
        let (monitor, reports, _) = play(&champion, None);
        let labelled = monitor.labelled_batches().unwrap();
        let (retrained, _, plan) = retrain(
            &champion,
            &labelled,
            &WindowPolicy::Recent { batches: 5 },
            "2024-01-02T00:00:00Z",
        )
        .unwrap();
        assert_eq!(plan.batches, [25, 26, 27, 28, 29]);
        let mut fresh = ScenarioConfig::builtin("fraud-abrupt").unwrap();
        fresh.seed = 99;
        let fresh = Scenario::new(fresh).unwrap();
        let after = fresh.reference(6_000, 1.0, 99).unwrap();
        let labels = column_labels(&after, "is_fraud");
        Story {
            champion,
            retrained,
            snapshot: monitor.snapshot(),
            alarms: monitor.alarms().to_vec(),
            reports,
            after: (after, labels),
        }
    })
}

/// The first place where two JSON documents differ, as a path and the two values.
fn first_difference(path: &str, a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (u, v) = (&x.get(k), &y.get(k));
                match (u, v) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_difference(&format!("{path}.{k}"), u, v) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{path}.{k}: {u:?} vs {v:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() != y.len() => {
            Some(format!("{path}: {} items vs {}", x.len(), y.len()))
        }
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(&format!("{path}[{i}]"), u, v)),
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

/// Compares `actual` with the golden file `tests/fixtures/<name>`, naming the first
/// difference; `DRIFTLAB_BLESS=1` rewrites the file instead.
fn golden(name: &str, actual: &serde_json::Value) {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("DRIFTLAB_BLESS").is_some() {
        // one line per array item, so that a change shows as a few changed lines
        let mut out = String::from("{\n");
        let members = actual.as_object().unwrap();
        for (i, (k, v)) in members.iter().enumerate() {
            out += &format!("  {}: ", serde_json::to_string(k).unwrap());
            match v.as_array() {
                Some(items) => {
                    out += "[\n";
                    for (j, item) in items.iter().enumerate() {
                        let comma = if j + 1 < items.len() { "," } else { "" };
                        out += &format!("    {}{comma}\n", serde_json::to_string(item).unwrap());
                    }
                    out += "  ]";
                }
                None => out += &serde_json::to_string(v).unwrap(),
            }
            out += if i + 1 < members.len() { ",\n" } else { "\n" };
        }
        std::fs::write(&path, out + "}\n").unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    if let Some(d) = first_difference("", &expected, actual) {
        panic!("{name} differs (expected vs now) at {d}");
    }
}

/// The whole fraud-abrupt story, pinned number for number: every batch report (its PSI
/// bins under `psi`), every label report and the final snapshot equal
/// `tests/fixtures/monitor_fraud_abrupt.json`, recorded before the monitor was split into
/// watchers (issue 14). `DRIFTLAB_BLESS=1 cargo test --test monitor` rewrites it when a
/// figure changes on purpose.
#[test]
fn the_fraud_story_is_pinned_number_for_number() {
    let s = story();
    let mut reports = s.reports.clone();
    // the PSI bins of every input column, for the batches just before and after the switch
    // and the last one (all 30 would be 340 KB)
    let mut psi = Vec::new();
    for r in &mut reports {
        let Some(bins) = r.as_object_mut().and_then(|r| r.remove("psi")) else {
            continue;
        };
        if [0, 9, 10, 29].contains(&r["batch"].as_u64().unwrap()) {
            psi.push(serde_json::json!({"batch": r["batch"], "psi": bins}));
        }
    }
    let snapshot = serde_json::to_value(&s.snapshot).unwrap();
    let mut batches = snapshot["batches"].as_array().unwrap().clone();
    let mut rest = snapshot.clone();
    rest.as_object_mut().unwrap().remove("batches");
    let actual = serde_json::json!({
        "generator": "tests/monitor.rs (DRIFTLAB_BLESS=1 cargo test --test monitor)",
        "reports": reports,
        "psi": psi,
        "snapshot": [rest],
        "snapshot_batches": std::mem::take(&mut batches),
    });
    golden("monitor_fraud_abrupt.json", &actual);
}

/// One PSI (issue 14): on every batch after the switch, the chart's PSI of each input
/// column is the drift verdict's PSI statistic for it, bit for bit, and the sum of the
/// chart's bins.
#[test]
fn the_psi_charts_total_is_the_verdicts_statistic() {
    use driftlab::drift::{drift_report_from_profile, DriftOptions, TestKind};
    let champion = &story().champion;
    let mut monitor = Monitor::new(champion, options()).unwrap();
    let mut scenario = Scenario::builtin("fraud-abrupt").unwrap();
    let mut checked = 0;
    while let Some(step) = scenario.next_step().unwrap() {
        let Some(b) = &step.batch else { continue };
        let report = monitor.observe(&b.features).unwrap();
        let columns: Vec<String> = report.psi.iter().map(|p| p.column.clone()).collect();
        assert_eq!(columns.len(), report.drift.unwrap().columns.len());
        if b.index < 10 {
            continue;
        }
        let forced = DriftOptions {
            test: Some(TestKind::Psi),
            columns: Some(columns),
            ..DriftOptions::default()
        };
        let verdict = drift_report_from_profile(&champion.profile, &b.features, &forced).unwrap();
        for (chart, column) in report.psi.iter().zip(&verdict.columns) {
            assert_eq!(chart.column, column.name);
            assert_eq!(
                chart.psi.to_bits(),
                column.statistic.to_bits(),
                "batch {}, {}: chart {} vs verdict {}",
                b.index,
                chart.column,
                chart.psi,
                column.statistic
            );
            let sum = chart.bins.iter().fold(0.0, |s, bin| s + bin.contribution);
            assert_eq!(sum, chart.psi);
            checked += 1;
        }
    }
    assert_eq!(checked, 20 * 9);
}

fn column_labels(t: &Table, name: &str) -> Vec<String> {
    let c = t.column(name).unwrap();
    (0..t.rows())
        .map(|i| match c.get(i) {
            Some(driftlab::table::Cell::Number(x)) => format!("{x}"),
            other => panic!("{other:?}"),
        })
        .collect()
}

/// (accuracy, recall of "1") of `a` on rows with labels.
fn judge(a: &Artifact, table: &Table, labels: &[String]) -> (f64, f64) {
    let scored = a.score_table(table).unwrap();
    let (mut right, mut tp, mut pos) = (0, 0, 0);
    for (s, y) in scored.iter().zip(labels) {
        let p = s.label.as_deref().unwrap();
        right += usize::from(p == y);
        pos += usize::from(y == "1");
        tp += usize::from(y == "1" && p == "1");
    }
    (
        right as f64 / labels.len() as f64,
        tp as f64 / pos.max(1) as f64,
    )
}

#[test]
fn the_abrupt_switch_is_seen_in_the_inputs_at_once() {
    let s = story();
    let b = &s.snapshot.batches;
    assert_eq!(b.len(), 30);
    for before in &b[..10] {
        assert_eq!(before.dataset_drift, Some(false), "batch {}", before.batch);
    }
    for after in &b[10..] {
        assert_eq!(after.dataset_drift, Some(true), "batch {}", after.batch);
        for col in ["merchant_category", "country", "card_present"] {
            assert!(
                after.drifted_columns.iter().any(|c| c == col),
                "batch {}: {col}",
                after.batch
            );
        }
    }
    assert_eq!(b[3].scoring_ms, Some(1.5));
}

#[test]
fn recall_collapses_while_accuracy_stays_high() {
    let b = &story().snapshot.batches;
    let window = |t: usize| b[t].window.unwrap();
    assert!(window(9).recall.unwrap() > 0.6, "{:?}", window(9));
    assert!(window(9).accuracy.unwrap() > 0.98);
    assert!(window(29).recall.unwrap() < 0.15, "{:?}", window(29));
    assert!(window(29).accuracy.unwrap() > 0.94, "{:?}", window(29));
}

#[test]
fn alarms_fire_after_the_switch_and_not_before() {
    let alarms = &story().alarms;
    for a in alarms {
        assert!(a.batch >= 10 && a.about_batch >= 10, "early alarm: {a:?}");
        assert!(!a.message.is_empty());
    }
    // The first alarm is the data drift of batch 10; the recall alarm comes once labels
    // from after the switch arrive (label delay 2): with the fused L-BFGS logistic
    // trainer, the labels of batch 11, at step 13.
    assert_eq!(alarms[0].kind, AlarmKind::DataDrift);
    assert_eq!(alarms[0].batch, 10);
    let recall: Vec<&Alarm> = alarms
        .iter()
        .filter(|a| a.kind == AlarmKind::RecallDrop)
        .collect();
    assert_eq!(recall.len(), 1, "{alarms:#?}");
    assert_eq!((recall[0].batch, recall[0].about_batch), (13, 11));
    assert!(
        recall[0]
            .message
            .contains("while accuracy stayed at 0.98: the model is missing fraud it used to catch"),
        "{}",
        recall[0].message
    );
    assert!(alarms.iter().any(|a| a.kind == AlarmKind::DriftTrend));
    // Every output is JSON.
    let json = serde_json::to_value(&story().snapshot).unwrap();
    assert_eq!(json["alarms"][0]["kind"], "data_drift");
    assert!(json["batches"][12]["window"]["recall"].is_number());
}

#[test]
fn retraining_on_recent_batches_restores_recall() {
    let s = story();
    assert_eq!(
        s.retrained.lineage.parent.as_deref(),
        Some(s.champion.hash.as_str())
    );
    assert_eq!(s.retrained.lineage.model_kind, "logistic");
    let (table, labels) = &s.after;
    let (old_acc, old_recall) = judge(&s.champion, table, labels);
    let (new_acc, new_recall) = judge(&s.retrained, table, labels);
    assert!(old_recall < 0.2, "{old_recall}");
    assert!(new_recall > 0.5, "{new_recall}");
    assert!(new_acc >= old_acc, "{old_acc} {new_acc}");
}

fn registry() -> Registry {
    let s = story();
    let mut r = Registry::new(7);
    r.register(s.champion.clone(), "trained at drift 0")
        .unwrap();
    let v2 = r
        .register(s.retrained.clone(), "retrained")
        .unwrap()
        .clone();
    assert_eq!(v2.name, "v2");
    assert_eq!(v2.parent_name.as_deref(), Some("v1"));
    r.set_challenger(Some("v2")).unwrap();
    r
}

#[test]
fn canary_routes_about_p_percent_deterministically() {
    let mut r = registry();
    r.set_mode(TrafficMode::Canary { percent: 10.0 }).unwrap();
    let n = 20_000u64;
    let to_challenger = (0..n).filter(|&i| r.route(i) == Arm::Challenger).count();
    let share = to_challenger as f64 / n as f64;
    assert!((share - 0.10).abs() < 0.01, "{share}");
    let again = (0..n).filter(|&i| r.route(i) == Arm::Challenger).count();
    assert_eq!(to_challenger, again);
    let (table, labels) = &story().after;
    let served = r.serve(table, 0).unwrap();
    for row in &served.rows {
        assert_eq!(row.arm, r.route(row.row));
        assert!(row.shadow.is_none());
    }
    r.record(&served, labels).unwrap();
    let c = r.compare(0.05).unwrap();
    assert_eq!(c.test, "z");
    assert!(c.mcnemar.is_none());
    assert_eq!(
        c.champion.stats.rows + c.challenger.as_ref().unwrap().stats.rows,
        table.rows() as u64
    );
}

#[test]
fn shadow_serves_only_the_champion_and_promotion_swaps() {
    let s = story();
    let mut r = registry();
    r.set_mode(TrafficMode::Shadow).unwrap();
    let (table, labels) = &s.after;
    let served = r.serve(table, 1_000).unwrap();
    let champion = s.champion.score_table(table).unwrap();
    let challenger = s.retrained.score_table(table).unwrap();
    for ((row, c), ch) in served.rows.iter().zip(&champion).zip(&challenger) {
        assert_eq!(row.arm, Arm::Champion);
        assert_eq!(row.served.version, "v1");
        assert_eq!(row.served.label, c.label);
        let shadow = row.shadow.as_ref().unwrap();
        assert_eq!(shadow.version, "v2");
        assert_eq!(shadow.label, ch.label);
    }
    r.record(&served, labels).unwrap();
    let c = r.compare(0.05).unwrap();
    assert_eq!(c.test, "mcnemar");
    assert_eq!(c.better, "challenger", "{}", c.verdict);
    assert!(c.verdict.contains("promote it"), "{}", c.verdict);
    let m = c.mcnemar.unwrap();
    assert_eq!(
        m.both_right + m.champion_only + m.challenger_only + m.both_wrong,
        table.rows() as u64
    );

    r.promote().unwrap();
    assert_eq!(r.champion().unwrap().name, "v2");
    assert!(r.challenger().is_none());
    assert_eq!(r.mode(), TrafficMode::Champion);
    let after = r.serve(table, 0).unwrap();
    assert!(after.rows.iter().all(|row| row.served.version == "v2"));
    assert_eq!(r.lineage("v2").len(), 2);

    // The registry survives a round trip (the page keeps it in IndexedDB).
    let bytes = r.to_bytes().unwrap();
    let back = Registry::from_bytes(&bytes).unwrap();
    assert_eq!(back, r);

    r.rollback().unwrap();
    assert_eq!(r.champion().unwrap().name, "v1");
    assert!(r.rollback().is_err());
    let actions: Vec<&str> = r.events().iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "register",
            "champion",
            "register",
            "challenger",
            "mode",
            "promote",
            "rollback"
        ]
    );
}

#[test]
fn significance_tests_match_scipy() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/monitor.json")).unwrap();
    for case in fixture["mcnemar"].as_array().unwrap() {
        let (b, c) = (case["b"].as_u64().unwrap(), case["c"].as_u64().unwrap());
        let m = mcnemar(0, b, c, 0);
        let p = case["p_value"].as_f64().unwrap();
        assert_eq!(m.exact, case["exact"].as_bool().unwrap(), "{case}");
        assert!(
            (m.statistic - case["statistic"].as_f64().unwrap()).abs() < 1e-12,
            "{case}"
        );
        assert!(
            (m.p_value - p).abs() <= 1e-12 + 1e-9 * p,
            "{case}: {}",
            m.p_value
        );
    }
    for case in fixture["z_test"].as_array().unwrap() {
        let g = |k: &str| case[k].as_u64().unwrap();
        let z = driftlab::drift::z_test(g("x1"), g("n1"), g("x2"), g("n2")).unwrap();
        let p = case["p_value"].as_f64().unwrap();
        assert!(
            (z.statistic - case["statistic"].as_f64().unwrap()).abs() < 1e-9,
            "{case}"
        );
        assert!(
            (z.p_value - p).abs() <= 1e-12 + 1e-7 * p,
            "{case}: {}",
            z.p_value
        );
    }
}

#[test]
fn bad_input_gives_errors_not_panics() {
    let s = story();
    let mut m = Monitor::new(&s.champion, options()).unwrap();
    // Missing columns, an empty table, a column of the wrong kind.
    let wrong = Table::new(vec![Column::numeric("amount", vec![1.0, 2.0])]).unwrap();
    assert!(m.observe(&wrong).is_err());
    assert!(m.observe(&Table::new(vec![]).unwrap()).is_err());
    assert_eq!(m.batches_observed(), 0);
    let (table, labels) = &s.after;
    let small = table.take(&[0, 1, 2]);
    let r = m.observe(&small).unwrap();
    assert_eq!(r.rows, 3);
    assert!(m.label(5, &labels[..3]).is_err());
    assert!(m.label(0, &labels[..2]).is_err());
    assert!(m.label(0, &["0", "1", "cat"]).is_err());
    m.label(0, &labels[..3]).unwrap();
    assert!(m.label(0, &labels[..3]).is_err());
    assert!(m.record_timing(9, 1.0, None).is_err());
    // A batch whose rows are all missing still gets a report (drift says why it has none).
    let blank = Table::new(
        table
            .columns()
            .iter()
            .filter(|c| c.name != "is_fraud")
            .map(|c| c.take(&[usize::MAX, usize::MAX]))
            .collect(),
    )
    .unwrap();
    let r = m.observe(&blank).unwrap();
    assert!(r.drift.is_none() && r.drift_error.is_some());
    // Options out of range.
    for bad in [
        MonitorOptions {
            window: 0,
            ..options()
        },
        MonitorOptions {
            positive: Some("maybe".into()),
            ..options()
        },
        MonitorOptions {
            recall_drop: f64::NAN,
            ..options()
        },
        MonitorOptions {
            ddm: [("warm_start".to_owned(), "-1".to_owned())].into(),
            ..options()
        },
    ] {
        assert!(Monitor::new(&s.champion, bad).is_err());
    }
    // The registry refuses what it cannot do.
    let mut r = Registry::new(1);
    assert!(r.serve(table, 0).is_err());
    r.register(s.champion.clone(), "").unwrap();
    assert!(r.set_mode(TrafficMode::Shadow).is_err());
    assert!(r.promote().is_err());
    assert!(r.set_challenger(Some("v9")).is_err());
    assert!(r.set_challenger(Some("v1")).is_err());
    r.register(s.retrained.clone(), "").unwrap();
    r.set_challenger(Some("v2")).unwrap();
    assert!(r.set_mode(TrafficMode::Canary { percent: 120.0 }).is_err());
    assert!(r.set_mode(TrafficMode::Ab { percent: f64::NAN }).is_err());
    r.set_mode(TrafficMode::Ab { percent: 50.0 }).unwrap();
    let served = r.serve(&small, 0).unwrap();
    assert!(r.record(&served, &labels[..2]).is_err());
    assert!(r.record(&served, &["x", "y", "z"]).is_err());
    r.set_mode(TrafficMode::Shadow).unwrap();
    assert!(r.record(&served, &labels[..3]).is_err()); // stale: the mode changed
    assert!(r
        .compare(0.05)
        .unwrap()
        .verdict
        .contains("No labelled rows"));
}

/// Plays `fraud-abrupt` against the story's champion, batch `t` observed at `time(t)`
/// seconds (given in a `ts` column of the batch, or by `observe_at`), and returns the
/// snapshot and the alarm kinds.
fn play_timed(
    options: MonitorOptions,
    time: impl Fn(usize) -> f64,
    by_column: bool,
) -> (MonitorSnapshot, Vec<AlarmKind>) {
    let mut scenario = Scenario::builtin("fraud-abrupt").unwrap();
    let mut monitor = Monitor::new(&story().champion, options).unwrap();
    while let Some(step) = scenario.next_step().unwrap() {
        if let Some(b) = &step.batch {
            let at = time(b.index);
            if by_column {
                let mut columns = b.features.columns().to_vec();
                columns.push(Column::numeric("ts", vec![at; b.features.rows()]));
                monitor.observe(&Table::new(columns).unwrap()).unwrap();
            } else {
                monitor.observe_at(&b.features, at).unwrap();
            }
        }
        for r in &step.released {
            monitor.label(r.batch, &r.labels).unwrap();
        }
    }
    let kinds = monitor.alarms().iter().map(|a| a.kind).collect();
    (monitor.snapshot(), kinds)
}

/// A window by duration over hourly batches is the window of as many batches: the same
/// window figures, the same baseline and the same alarms as the window by count.
#[test]
fn a_window_by_time_over_evenly_spaced_batches_is_the_window_by_count() {
    let hourly = |t: usize| 1_700_000_000.0 + 3600.0 * t as f64;
    let (by_count, count_alarms) = play_timed(options(), hourly, false);
    for by_column in [false, true] {
        let timed = MonitorOptions {
            window_seconds: Some(5.0 * 3600.0 - 1.0),
            time_column: by_column.then(|| "ts".to_owned()),
            ..options()
        };
        let (by_time, time_alarms) = play_timed(timed, hourly, by_column);
        assert_eq!(by_time.baseline, by_count.baseline);
        for (a, b) in by_time.batches.iter().zip(&by_count.batches) {
            assert_eq!(a.time, Some(hourly(a.batch)));
            assert_eq!(a.window, b.window, "batch {}", a.batch);
        }
        assert_eq!(time_alarms, count_alarms);
    }
}

/// Uneven times: the window holds exactly the labelled batches within the duration of the
/// latest one, however many that is.
#[test]
fn a_window_by_time_holds_the_batches_within_the_duration() {
    // bursts: batches 0-9 a second apart, then one a minute, then one an hour
    let time = |t: usize| match t {
        0..=9 => t as f64,
        10..=19 => 10.0 + 60.0 * (t - 9) as f64,
        _ => 700.0 + 3600.0 * (t - 19) as f64,
    };
    let secs = 300.0;
    let opts = MonitorOptions {
        window_seconds: Some(secs),
        ..options()
    };
    let (snap, _) = play_timed(opts, time, false);
    let rows_of = |b: usize| snap.batches[b].performance.unwrap().counts.rows;
    let mut checked = 0;
    for b in &snap.batches {
        let Some(window) = b.window else { continue };
        // the batches labelled by the time this one was (labels come 2 batches late, in
        // order), within `secs` of the latest of them
        let latest = time(b.batch);
        let want: u64 = (0..=b.batch)
            .filter(|&o| time(o) >= latest - secs)
            .map(rows_of)
            .sum();
        assert_eq!(window.counts.rows, want, "batch {}", b.batch);
        checked += 1;
    }
    assert_eq!(checked, 30);
    // an hour apart with a 5-minute window: one batch each
    assert_eq!(snap.batches[25].window.unwrap().counts.rows, rows_of(25));
    // one second apart: the first ten batches share a window
    assert_eq!(
        snap.batches[9].window.unwrap().counts.rows,
        (0..10).map(rows_of).sum::<u64>()
    );
}

#[test]
fn time_options_are_checked() {
    let bad = MonitorOptions {
        window_seconds: Some(0.0),
        ..options()
    };
    let e = Monitor::new(&story().champion, bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("window_seconds"), "{e}");
    let opts = MonitorOptions {
        time_column: Some("when".into()),
        ..options()
    };
    let mut m = Monitor::new(&story().champion, opts).unwrap();
    let batch = Scenario::builtin("fraud-abrupt")
        .unwrap()
        .reference(10, 0.0, 3)
        .unwrap();
    let e = m.observe(&batch).unwrap_err().to_string();
    assert!(e.contains("time_column") && e.contains("\"when\""), "{e}");
    let e = m.observe_at(&batch, f64::NAN).unwrap_err().to_string();
    assert!(e.contains("time"), "{e}");
}
/// ADWIN's insides (issue 6): on mean-shift the model's answers move at batch 10, ADWIN
/// cuts its window there, and the trace the page draws shows the width drop at the cut.
/// On fraud-abrupt the answers do not move (the silent failure), so its window only grows.
#[test]
fn adwin_shows_its_window_and_where_it_cut() {
    let b = &story().snapshot.batches;
    assert!(b.iter().all(|x| x.adwin_cuts.is_empty()));
    assert_eq!(b[29].adwin.width, 30_000.0);
    assert_eq!(b[29].adwin_trace.last(), Some(&(30_000, 30_000.0)));

    let mut scenario = Scenario::builtin("mean-shift").unwrap();
    let target = scenario.config().generator.target();
    let reference = scenario.reference(4_000, 0.0, 1).unwrap();
    let request = TrainRequest::new(target, ModelKind::Logistic);
    let (model, _) = train(&reference, &request, &mut |_| {}).unwrap();
    let mut monitor = Monitor::new(&model, MonitorOptions::default()).unwrap();
    while let Some(step) = scenario.next_step().unwrap() {
        if let Some(batch) = &step.batch {
            monitor.observe(&batch.features).unwrap();
        }
    }
    let snap = monitor.snapshot();
    // every figure of the run, ADWIN's cuts and traces among them, as before the split
    let json = serde_json::to_value(&snap).unwrap();
    let mut rest = json.clone();
    rest.as_object_mut().unwrap().remove("batches");
    golden(
        "monitor_mean_shift.json",
        &serde_json::json!({
            "generator": "tests/monitor.rs (DRIFTLAB_BLESS=1 cargo test --test monitor)",
            "snapshot": [rest],
            "snapshot_batches": json["batches"],
        }),
    );
    let first = snap
        .batches
        .iter()
        .find(|x| !x.adwin_cuts.is_empty())
        .expect("ADWIN cuts on mean-shift");
    assert!(
        first.batch >= 10,
        "no cut before the shift: {}",
        first.batch
    );
    let cut = first.adwin_cuts[0];
    assert!(cut.width_after < cut.width_before);
    assert_ne!(cut.mean_before, cut.mean_after);
    // the trace holds the drop at the cut's position
    let at: Vec<f64> = first
        .adwin_trace
        .iter()
        .filter(|(p, _)| *p == cut.position)
        .map(|(_, w)| *w)
        .collect();
    assert_eq!(at, [cut.width_before, cut.width_after]);
    let alarm = snap
        .alarms
        .iter()
        .find(|a| a.kind == AlarmKind::PredictionDrift)
        .expect("a prediction-drift alarm");
    assert_eq!(alarm.position, Some(cut.position));
}

/// The model the playground's tour trains (issue 6): the built-in fraud dataset (5,000
/// rows, seed 42), logistic, the default split. Its monitor on fraud-abrupt (seed 42)
/// raises the data-drift alarm at batch 10, like the story above, and the recall alarm at
/// batch 12 about batch 10; tests/e2e/tour.test.mjs reads the same batches from the page's
/// snapshot.
#[test]
fn the_tour_models_alarms_are_pinned() {
    use driftlab::dataset::{generate, DatasetOptions};
    use driftlab::table::{read_csv, ReadOptions};
    let csv = generate(
        "fraud",
        &DatasetOptions {
            rows: None,
            seed: Some(42),
            drift: None,
            noise: None,
        },
    )
    .unwrap();
    let table = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let request = TrainRequest::new("is_fraud", ModelKind::Logistic);
    let (model, _) = train(&table, &request, &mut |_| {}).unwrap();
    let mut scenario = Scenario::builtin("fraud-abrupt").unwrap();
    let mut monitor = Monitor::new(&model, options()).unwrap();
    while let Some(step) = scenario.next_step().unwrap() {
        if let Some(b) = &step.batch {
            monitor.observe(&b.features).unwrap();
        }
        for r in &step.released {
            monitor.label(r.batch, &r.labels).unwrap();
        }
        if monitor
            .alarms()
            .iter()
            .any(|a| a.kind == AlarmKind::RecallDrop)
        {
            break;
        }
    }
    let alarms = monitor.alarms();
    assert_eq!(
        (alarms[0].kind, alarms[0].batch),
        (AlarmKind::DataDrift, 10)
    );
    let recall = alarms
        .iter()
        .find(|a| a.kind == AlarmKind::RecallDrop)
        .unwrap();
    assert_eq!((recall.batch, recall.about_batch), (12, 10), "{alarms:#?}");
}

/// Plays fraud-abrupt through a monitor of `champion` with the story's options (scoring
/// timed at 1.5 ms), each batch's labels as the scenario releases them. With `restart`,
/// after the step that observed that batch the monitor is saved to bytes and the stream
/// goes on with the restored one. Returns the monitor, every batch and label report as
/// JSON, and the saved bytes.
fn play(champion: &Artifact, restart: Option<usize>) -> (Monitor, Vec<serde_json::Value>, Vec<u8>) {
    use driftlab::monitor::MonitorState;
    let mut scenario = Scenario::builtin("fraud-abrupt").unwrap();
    let mut monitor = Monitor::new(champion, options()).unwrap();
    let mut reports = Vec::new();
    let mut saved = Vec::new();
    while let Some(step) = scenario.next_step().unwrap() {
        if let Some(b) = &step.batch {
            let mut t = 0.0;
            let r = monitor
                .observe_with_clock(&b.features, &mut || {
                    t += 1.5;
                    t
                })
                .unwrap();
            reports.push(serde_json::to_value(r).unwrap());
        }
        for r in &step.released {
            let r = monitor.label(r.batch, &r.labels).unwrap();
            reports.push(serde_json::to_value(r).unwrap());
        }
        if step
            .batch
            .as_ref()
            .map(|b| b.index)
            .is_some_and(|i| Some(i) == restart)
        {
            saved = monitor.save().to_bytes().unwrap();
            let state = MonitorState::from_bytes(&saved).unwrap();
            assert_eq!(state.batches_observed(), monitor.batches_observed());
            monitor = Monitor::restore(champion, state).unwrap();
        }
    }
    (monitor, reports, saved)
}

/// The story's run with a save and restore after batch `restart`: the snapshot, the
/// reports and the saved bytes.
fn play_with_restart(restart: usize) -> (MonitorSnapshot, Vec<serde_json::Value>, Vec<u8>) {
    let (monitor, reports, saved) = play(&story().champion, Some(restart));
    (monitor.snapshot(), reports, saved)
}

/// A monitor saved and restored mid-stream (issue 14) continues as if it never stopped:
/// the same alarms at the same batches and the same snapshot, number for number, whether
/// it was saved before the switch, just after it (labels of drifted batches still to
/// come), in the middle of the recall episode or at the end.
#[test]
fn a_restored_monitor_continues_exactly() {
    let s = story();
    let want = serde_json::to_value(&s.snapshot).unwrap();
    for restart in [0, 3, 10, 11, 12, 13, 20, 29] {
        let (snapshot, reports, saved) = play_with_restart(restart);
        assert_eq!(reports.len(), s.reports.len());
        for (i, (a, b)) in reports.iter().zip(&s.reports).enumerate() {
            if let Some(d) = first_difference("", b, a) {
                panic!("restarted after batch {restart}: report {i} differs at {d}");
            }
        }
        let got = serde_json::to_value(&snapshot).unwrap();
        if let Some(d) = first_difference("", &want, &got) {
            panic!("restarted after batch {restart}: the snapshot differs at {d}");
        }
        assert_eq!(snapshot.alarms, s.alarms);
        if restart == 29 {
            // the saved size after 30 batches of 1,000 rows (the module docs quote it)
            assert!(saved.len() < 80_000, "{} bytes", saved.len());
            println!(
                "saved monitor after 30 fraud batches: {} bytes",
                saved.len()
            );
        }
    }
}

/// A saved monitor is refused for another model, and when damaged, with a clear error and
/// never a panic; a restored monitor given odd (but readable) numbers goes on without one.
#[test]
fn saved_monitors_of_other_models_or_damaged_are_refused() {
    use driftlab::monitor::{MonitorError, MonitorState};
    let s = story();
    let (_, _, saved) = play_with_restart(11);
    let state = || MonitorState::from_bytes(&saved).unwrap();
    let e = Monitor::restore(&s.retrained, state()).unwrap_err();
    assert!(matches!(e, MonitorError::OtherModel { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&s.champion.hash) && text.contains(&s.retrained.hash),
        "{text}"
    );
    assert!(
        text.contains("restore it with the artifact it was saved with"),
        "{text}"
    );

    let json: serde_json::Value = serde_json::from_slice(&saved).unwrap();
    let damaged = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = json.clone();
        edit(&mut v);
        let bytes = serde_json::to_vec(&v).unwrap();
        MonitorState::from_bytes(&bytes)
            .and_then(|st| Monitor::restore(&s.champion, st))
            .expect_err("a damaged state is refused")
            .to_string()
    };
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "driftlab.monitor",
            Box::new(|v| v["format"] = "driftlab.artifact".into()),
        ),
        ("update driftlab", Box::new(|v| v["version"] = 2.into())),
        ("no version", Box::new(|v| v["version"] = 0.into())),
        (
            "predictions",
            Box::new(|v| {
                v["batches"][11]["pending"].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "predictions",
            Box::new(|v| v["batches"][11]["pending"][5] = 7.into()),
        ),
        (
            "numbered",
            Box::new(|v| v["batches"][3]["summary"]["batch"] = 4.into()),
        ),
        (
            "clock",
            Box::new(|v| v["prediction_drift"]["adwin"]["clock"] = 0.into()),
        ),
        (
            "parameters",
            Box::new(|v| v["prediction_drift"]["adwin"]["delta"] = 0.5.into()),
        ),
        (
            "seen other rows",
            Box::new(|v| v["error_rate"]["seen"] = 1.into()),
        ),
        (
            "labelled counts",
            Box::new(|v| {
                v["batches"][2]["summary"]["performance"]["counts"]["tp"] = 999_999.into()
            }),
        ),
        (
            "baseline",
            Box::new(|v| v["performance"]["baseline"]["rows"] = 1.into()),
        ),
        ("not a saved monitor", Box::new(|v| v["alarms"] = 3.into())),
    ];
    for (says, edit) in &cases {
        let e = damaged(edit.as_ref());
        assert!(e.contains(says), "{says}: {e}");
        assert!(e.starts_with("the saved monitor cannot be restored"), "{e}");
    }
    let e = MonitorState::from_bytes(&saved[..saved.len() / 2]).unwrap_err();
    assert!(e.to_string().contains("not a saved monitor"), "{e}");

    // Bytes changed at random: refused or restored, never a panic, and a restored monitor
    // observes and labels on.
    let scenario = Scenario::builtin("fraud-abrupt").unwrap();
    let batch = scenario.reference(50, 1.0, 5).unwrap();
    let labels = vec!["0"; 50];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut restored, mut refused) = (0, 0);
    for _ in 0..300 {
        let mut bytes = saved.clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = b"0123456789-.e\",:[]{}nul"[(next() % 23) as usize];
        }
        match MonitorState::from_bytes(&bytes).and_then(|st| Monitor::restore(&s.champion, st)) {
            Ok(mut m) => {
                restored += 1;
                let n = m.batches_observed();
                if m.observe(&batch).is_ok() {
                    let _ = m.label(n, &labels);
                }
                let _ = m.label(n.saturating_sub(1), &labels);
                let _ = m.snapshot();
            }
            Err(_) => refused += 1,
        }
    }
    assert!(
        restored > 0 && refused > 0,
        "{restored} restored, {refused} refused"
    );
}
