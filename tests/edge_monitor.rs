//! The edge monitor against the core's own monitor on the same rows (issue #18): the fraud
//! model's traffic goes through the edge scorer's sketches (the Wasm ABI, natively), its
//! deltas through `EdgeMonitor::merge`, and the drift report and alarms are compared with
//! `drift_report_from_profile` and `Monitor` on the raw rows. Prints the side-by-side table
//! (`cargo test --test edge_monitor -- --nocapture`). Also: deltas sent twice count once,
//! a saved and restored monitor is the same monitor, and bad deltas and labels are refused
//! whole with their status.
//!
//! One test function: the edge scorer's ABI keeps one global state per process.

use driftlab::artifact::Artifact;
use driftlab::dataset::{generate, DatasetOptions};
use driftlab::drift::{drift_report_from_profile, DriftOptions};
use driftlab::monitor::edge::{EdgeMonitor, EdgeOptions};
use driftlab::monitor::{Monitor, MonitorOptions};
use driftlab::table::{read_csv, ReadOptions, Table};
use driftlab::train::{train, ModelKind, TrainRequest};

fn fraud(rows: usize, seed: u64, drift: f64) -> Table {
    let csv = generate(
        "fraud",
        &DatasetOptions {
            rows: Some(rows),
            seed: Some(seed),
            drift: Some(drift),
            noise: None,
        },
    )
    .unwrap();
    read_csv(&csv, &ReadOptions::default()).unwrap().table
}

/// Calls one ABI function with bytes in; returns (status, output).
fn call(f: unsafe extern "C" fn(*const u8, usize) -> u32, input: &[u8]) -> (u32, Vec<u8>) {
    let ptr = driftlab_edge::dl_alloc(input.len());
    unsafe {
        std::ptr::copy_nonoverlapping(input.as_ptr(), ptr, input.len());
        let status = f(ptr, input.len());
        driftlab_edge::dl_free(ptr, input.len());
        (status, output())
    }
}

fn output() -> Vec<u8> {
    unsafe {
        std::slice::from_raw_parts(
            driftlab_edge::dl_output_ptr(),
            driftlab_edge::dl_output_len(),
        )
        .to_vec()
    }
}

fn score(rows: &Table, range: std::ops::Range<usize>) -> serde_json::Value {
    let body: Vec<serde_json::Value> = range
        .map(|r| {
            serde_json::Value::Object(
                rows.columns()
                    .iter()
                    .filter(|c| c.name != "is_fraud")
                    .map(|c| {
                        (
                            c.name.clone(),
                            serde_json::to_value(c.get(r).unwrap()).unwrap(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({ "rows": body })).unwrap();
    let ptr = driftlab_edge::dl_alloc(body.len());
    let status = unsafe {
        std::ptr::copy_nonoverlapping(body.as_ptr(), ptr, body.len());
        let s = driftlab_edge::dl_score_json(ptr, body.len(), 100_000);
        driftlab_edge::dl_free(ptr, body.len());
        s
    };
    assert_eq!(status, 0, "{}", String::from_utf8_lossy(&output()));
    driftlab_edge::dl_record(200, 300);
    serde_json::from_slice(&output()).unwrap()
}

fn delta() -> Vec<u8> {
    assert_eq!(driftlab_edge::dl_delta(), 0);
    output()
}

#[test]
fn the_edge_monitor_agrees_with_the_core_monitor_on_the_same_rows() {
    let training = fraud(4000, 7, 0.0);
    let request = TrainRequest::new("is_fraud", ModelKind::Logistic);
    let (artifact, _) = train(&training, &request, &mut |_| {}).unwrap();
    let bytes = artifact.to_bytes().unwrap();
    let artifact = Artifact::from_bytes(&bytes).unwrap();

    assert_eq!(call(driftlab_edge::dl_load, &bytes).0, 0);
    assert_eq!(call(driftlab_edge::dl_monitor_start, b"test0001").0, 0);
    let mut edge = EdgeMonitor::new(&artifact, EdgeOptions::default()).unwrap();
    let mut core = Monitor::new(&artifact, MonitorOptions::default()).unwrap();

    // 3,000 calm rows then 3,000 drifted ones, in requests of 50 rows, a delta every 10
    // requests (500 rows), batches of 1,000 rows on both sides
    let calm = fraud(3000, 8, 0.0);
    let drifted = fraud(3000, 9, 1.0);
    let mut now = 1.7e12;
    let mut ids = Vec::new();
    for rows in [&calm, &drifted] {
        for start in (0..3000).step_by(50) {
            let answer = score(rows, start..start + 50);
            for p in answer["predictions"].as_array().unwrap() {
                ids.push(p["id"].as_str().unwrap().to_owned());
            }
            if (start / 50) % 10 == 9 {
                let d = delta();
                now += 1000.0;
                assert!(edge.merge(&d, now).unwrap());
                // the same delta again is a repeat: counted once
                assert!(!edge.merge(&d, now).unwrap());
            }
        }
        for b in (0..3000).step_by(1000) {
            let batch = rows.take(&(b..b + 1000).collect::<Vec<_>>());
            core.observe(&batch).unwrap();
        }
    }
    assert_eq!(edge.rows(), 6000);
    assert_eq!(ids.len(), 6000);
    assert_eq!(
        ids.iter().collect::<std::collections::HashSet<_>>().len(),
        6000
    );

    // the drift report of the drifted rows: from the sketches at the edge, from the raw
    // rows in the core, against the same training profile
    let report = edge.report(now);
    let edge_batch = report.last_batch.clone().unwrap();
    let columns: Vec<String> = artifact
        .pipeline
        .inputs
        .iter()
        .map(|i| i.name.clone())
        .collect();
    let options = DriftOptions {
        columns: Some(columns),
        ..DriftOptions::default()
    };
    let last = drifted.take(&(2000..3000).collect::<Vec<_>>());
    let core_batch = drift_report_from_profile(&artifact.profile, &last, &options).unwrap();
    println!("| column | test | edge statistic | core statistic | edge drifted | core drifted |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (e, c) in edge_batch.columns.iter().zip(&core_batch.columns) {
        println!(
            "| {} | {} | {:.4} | {:.4} | {} | {} |",
            e.name,
            e.test.name(),
            e.statistic,
            c.statistic,
            e.drifted,
            c.drifted
        );
        assert_eq!((&e.name, e.test), (&c.name, c.test));
        // the sketch's documented error (profile_ref.rs: distances within about 0.01)
        assert!(
            (e.statistic - c.statistic).abs() <= 0.02,
            "{}: {} vs {}",
            e.name,
            e.statistic,
            c.statistic
        );
        let clear = (c.statistic - c.threshold).abs() > 0.02;
        if clear {
            assert_eq!(e.drifted, c.drifted, "{}", e.name);
        }
    }
    assert!(edge_batch.dataset_drift && core_batch.dataset_drift);

    // the same kinds of alarm from the same rows
    let kinds = |alarms: &[driftlab::monitor::Alarm]| {
        let mut k: Vec<String> = alarms
            .iter()
            .map(|a| {
                serde_json::to_value(a.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        k.sort();
        k.dedup();
        k
    };
    println!("edge alarms: {:?}", kinds(&report.alarms));
    println!("core alarms: {:?}", kinds(core.alarms()));
    for a in &report.alarms {
        println!("  edge: {}", a.message);
    }
    for a in core.alarms() {
        println!("  core: {}", a.message);
    }
    assert!(kinds(&report.alarms).contains(&"data_drift".to_owned()));
    assert_eq!(
        report
            .alarms
            .iter()
            .filter(|a| a.message.contains("features drifted"))
            .count(),
        core.alarms()
            .iter()
            .filter(|a| a.message.contains("features drifted"))
            .count()
    );

    // late labels: the drifted rows' labels move the performance; all or nothing
    let labels = |from: usize, n: usize, table: &Table, offset: usize| {
        let y = table.column("is_fraud").unwrap();
        let entries: Vec<serde_json::Value> = (from..from + n)
            .map(|i| serde_json::json!({"id": ids[offset + i], "label": y.get(i).unwrap()}))
            .collect();
        serde_json::to_vec(&serde_json::json!({ "labels": entries })).unwrap()
    };
    let answer = edge.labels(&labels(0, 1000, &calm, 0), false, now).unwrap();
    assert_eq!(answer.joined, 1000);
    let again = edge
        .labels(&labels(0, 10, &calm, 0), false, now)
        .unwrap_err();
    assert_eq!(again.status(), 409, "{again}");
    let answer = edge
        .labels(&labels(0, 1000, &drifted, 3000), false, now)
        .unwrap();
    let recall_calm = edge.report(now).windows["all"].performance.unwrap();
    assert_eq!(recall_calm.counts.rows, 2000);
    println!(
        "labelled: calm then drifted: {:?}; the drifted labels alone: {:?}",
        recall_calm.recall, answer.performance.recall
    );

    // bad labels: refused whole, nothing joined
    for (body, status) in [
        (
            &b"{\"labels\": [{\"id\": \"nope\", \"label\": \"1\"}]}"[..],
            400,
        ),
        (
            &b"{\"labels\": [{\"id\": \"00000000-test0001-5999\", \"label\": \"1\"}]}"[..],
            409,
        ),
        (&b"not json"[..], 400),
        (&b"{\"labels\": [{\"id\": 3, \"label\": \"1\"}]}"[..], 400),
    ] {
        let e = edge.labels(body, false, now).unwrap_err();
        assert_eq!(e.status(), status, "{e}");
    }
    let short = driftlab::monitor::edge::short_hash(&artifact.hash);
    let unknown =
        format!("{{\"labels\": [{{\"id\": \"{short}-test0001-99999\", \"label\": \"1\"}}]}}");
    assert_eq!(
        edge.labels(unknown.as_bytes(), false, now)
            .unwrap_err()
            .status(),
        422
    );
    let wrong = format!(
        "{{\"labels\": [{{\"id\": \"{}\", \"label\": \"maybe\"}}]}}",
        ids[5000]
    );
    assert_eq!(
        edge.labels(wrong.as_bytes(), false, now)
            .unwrap_err()
            .status(),
        422
    );
    let dup = format!(
        "{{\"labels\": [{{\"id\": \"{0}\", \"label\": 1}}, {{\"id\": \"{0}\", \"label\": 0}}]}}",
        ids[5001]
    );
    assert_eq!(
        edge.labels(dup.as_bytes(), false, now)
            .unwrap_err()
            .status(),
        400
    );
    let csv = format!("id,label\n{},1\n{},0\n", ids[5002], ids[5003]);
    assert_eq!(edge.labels(csv.as_bytes(), true, now).unwrap().joined, 2);
    assert_eq!(
        edge.report(now).windows["all"]
            .performance
            .unwrap()
            .counts
            .rows,
        2002
    );

    // bad deltas: refused whole with their status, nothing merged
    score(&calm, 0..10);
    let good = delta();
    let text = String::from_utf8(good.clone()).unwrap();
    let other = text.replace(&artifact.hash, "fnv1a64:0000000000000000");
    assert_eq!(edge.merge(other.as_bytes(), now).unwrap_err().status(), 409);
    for bad in [
        text.replace("\"rows\":10", "\"rows\":11"),
        text.replace("driftlab.delta", "something.else"),
        text[..text.len() / 2].to_owned(),
        "[]".to_owned(),
    ] {
        assert_eq!(
            edge.merge(bad.as_bytes(), now).unwrap_err().status(),
            400,
            "{bad:.80}"
        );
    }
    assert_eq!(edge.rows(), 6000);
    assert!(edge.merge(&good, now).unwrap());
    assert_eq!(edge.rows(), 6010);

    // saved in parts and restored: the same report
    let parts: std::collections::HashMap<String, String> = edge.save().into_iter().collect();
    let mut back = EdgeMonitor::new(&artifact, EdgeOptions::default()).unwrap();
    back.restore(|k| parts.get(k).cloned()).unwrap();
    let (a, b) = (edge.report(now), back.report(now));
    assert_eq!(a.windows, b.windows);
    assert_eq!(
        (a.alarms, a.labels, a.merges),
        (b.alarms, b.labels, b.merges)
    );
    // the per-batch history (the page's charts) is one point per judged batch, restored too
    assert_eq!(a.history.len(), a.batches);
    assert_eq!(
        a.history.iter().map(|p| p.batch).collect::<Vec<_>>(),
        (0..a.batches).collect::<Vec<_>>()
    );
    assert!(a.history.iter().all(|p| p.rows == 1000
        && p.drift_share.is_some()
        && p.positive_rate.is_some()
        && p.estimate.is_some()));
    assert_eq!(a.history, b.history);
    assert!(parts.contains_key("history"));
    // and a repeat of a merged delta is still a repeat after the restore
    assert!(!back.merge(&good, now).unwrap());

    // an empty monitor reports without failing
    let empty = EdgeMonitor::new(&artifact, EdgeOptions::default()).unwrap();
    let r = empty.report(now);
    assert_eq!(r.windows["all"].rows, 0);
    assert!(r.windows["all"].drift.is_none());
    assert!(empty.metrics(now).contains("driftlab_rows_total"));
}
