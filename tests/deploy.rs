//! The deployment session natively, as the page plays it (tests/e2e/deploy.test.mjs and
//! the guided tour): a logistic model trained on fraud is deployed, fraud-abrupt is played,
//! the alarms fire at the pinned batches, the model is retrained, shadowed, compared and
//! promoted, and the segments, late labels and stale labels come out as the page reads
//! them; then the batch-scoring job, chunk by chunk, with its errors.
#![cfg(feature = "train")]

use driftlab::artifact::Artifact;
use driftlab::dataset::{generate, DatasetOptions};
use driftlab::defaults::DEFAULTS;
use driftlab::deploy::{DeployError, Meter, RetrainRequest, Session, TrafficRequest};
use driftlab::monitor::AlarmKind;
use driftlab::table::{read_csv, ReadOptions};
use driftlab::train::{train, ModelKind, TrainRequest};

/// A clock that ticks one millisecond per reading, and a fixed memory figure.
struct Ticks(f64);

impl Meter for Ticks {
    fn now_ms(&mut self) -> f64 {
        self.0 += 1.0;
        self.0
    }
    fn memory_bytes(&mut self) -> Option<u64> {
        Some(1 << 20)
    }
}

/// The tour's model: logistic on the fraud table (seed 42), the default split.
fn tour_model() -> Artifact {
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
    train(&table, &request, &mut |_| {}).unwrap().0
}

fn deployed() -> (Session, Artifact) {
    let artifact = tour_model();
    let mut session = Session::new();
    let registry = session
        .deploy(&artifact, "trained in the Model panel")
        .unwrap();
    assert_eq!(registry.champion.as_deref(), Some("v1"));
    assert!(registry.versions[0].champion && !registry.versions[0].challenger);
    (session, artifact)
}

/// Steps until the scenario has played batch `t` (its labels may come later).
fn play_to(session: &mut Session, meter: &mut Ticks, t: usize) {
    loop {
        let step = session.step(meter).unwrap();
        if step.batch.as_ref().is_some_and(|b| b.t >= t) || step.finished {
            return;
        }
    }
}

#[test]
fn the_fraud_story_alarms_retrain_shadow_promote() {
    let (mut session, _) = deployed();
    let meter = &mut Ticks(0.0);
    let empty = session.start("fraud-abrupt", Some(42.0)).unwrap();
    assert_eq!((empty.scenario.as_str(), empty.seed), ("fraud-abrupt", 42));
    assert!(empty.batches.is_empty() && empty.alarms.is_empty() && !empty.finished);
    assert_eq!(empty.segments.len(), 1);

    // Play until the recall alarm, as the tour does; every alarm comes at or after batch 10.
    let mut alarms = Vec::new();
    while !alarms
        .iter()
        .any(|a: &driftlab::deploy::Tagged<driftlab::monitor::Alarm>| {
            a.report.kind == AlarmKind::RecallDrop
        })
    {
        let step = session.step(meter).unwrap();
        assert!(!step.finished, "no recall alarm in the whole scenario");
        if let Some(b) = &step.batch {
            assert_eq!(b.served.served.get("v1"), Some(&(b.rows as u64)));
            assert!(b.report.report.scoring_ms.is_some());
        }
        alarms.extend(step.alarms);
    }
    let first = &alarms[0];
    assert_eq!(
        (first.report.kind, first.t, first.about_t),
        (AlarmKind::DataDrift, 10, Some(10))
    );
    let recall = alarms
        .iter()
        .find(|a| a.report.kind == AlarmKind::RecallDrop)
        .unwrap();
    assert_eq!((recall.t, recall.about_t), (12, Some(10)));
    assert_eq!(recall.version, "v1");
    assert!(alarms.iter().all(|a| a.t >= 10), "{alarms:#?}");

    // The timeline has what the steps said, with the measured times and memory.
    let timeline = session.timeline().unwrap();
    assert_eq!(timeline.batches.len(), 13);
    assert_eq!(timeline.alarms.len(), alarms.len());
    let last = timeline.batches.last().unwrap();
    assert_eq!((last.t, last.report.batch), (12, 12));
    assert_eq!(last.report.memory_bytes, Some(1 << 20));
    assert!(last.report.scoring_ms.is_some_and(|ms| ms > 0.0));
    assert_eq!(timeline.label_delay, 2);

    // Feedback: retrain on the last labelled batches into v2, the challenger.
    play_to(&mut session, meter, 18);
    let report = session
        .retrain(&RetrainRequest {
            created: "2024-01-01T00:00:00Z".into(),
            ..RetrainRequest::default()
        })
        .unwrap();
    assert_eq!(report.version, "v2");
    assert_eq!(report.batches.len(), DEFAULTS.retrain_batches);
    assert_eq!(report.batches, vec![12, 13, 14, 15, 16]);
    let registry = session.registry();
    assert_eq!(registry.challenger.as_deref(), Some("v2"));
    assert_eq!(registry.versions[1].lineage, ["v2", "v1"]);

    // Shadow: v2 scores every row in the shadows, only v1 answers.
    let shadow = TrafficRequest {
        mode: "shadow".into(),
        percent: None,
    };
    session.set_traffic(&shadow).unwrap();
    let step = session.step(meter).unwrap();
    let served = &step.batch.as_ref().unwrap().served;
    assert_eq!(served.served.get("v1"), Some(&1000));
    assert_eq!(served.shadow.get("v2"), Some(&1000));
    play_to(&mut session, meter, 24);
    let comparison = session.compare(None).unwrap();
    assert_eq!(comparison.alpha, DEFAULTS.alpha);
    assert_eq!(
        (comparison.test.as_str(), comparison.better.as_str()),
        ("mcnemar", "challenger")
    );

    // Promote: from the next batch on v2 answers, in a segment of its own; the labels of
    // batches v1 answered complete v1's record, and the comparison cannot take them.
    let stale = session.timeline().unwrap().stale_labels;
    assert_eq!(
        stale, 2,
        "batches 17 and 18 were served before the challenger and the shadow"
    );
    let registry = session.promote().unwrap();
    assert_eq!(registry.champion.as_deref(), Some("v2"));
    let step = session.step(meter).unwrap();
    let batch = step.batch.as_ref().unwrap();
    assert_eq!(batch.t, 25);
    assert_eq!(batch.served.served.get("v2"), Some(&1000));
    assert_eq!(batch.report.version, "v2");
    assert_eq!((batch.report.t, batch.report.report.batch), (25, 0));
    assert_eq!(step.labels.len(), 1);
    assert_eq!(
        (step.labels[0].t, step.labels[0].version.as_str()),
        (23, "v1")
    );
    assert_eq!(
        step.stale,
        stale + 1,
        "batch 23 was served under shadow, before the promotion"
    );
    let step = session.step(meter).unwrap();
    assert_eq!(
        (step.labels[0].t, step.labels[0].version.as_str()),
        (24, "v1")
    );
    assert_eq!(step.stale, stale + 2);
    let step = session.step(meter).unwrap();
    assert_eq!(
        (step.labels[0].t, step.labels[0].version.as_str()),
        (25, "v2")
    );
    assert_eq!(step.labels[0].report.batch, 0);
    assert_eq!(step.stale, stale + 2);

    let timeline = session.timeline().unwrap();
    let segments: Vec<_> = timeline
        .segments
        .iter()
        .map(|s| (s.version.as_str(), s.offset, s.batches))
        .collect();
    assert_eq!(segments, [("v1", 0, 25), ("v2", 25, 3)]);
    assert_eq!(timeline.stale_labels, stale + 2);
    let ts: Vec<usize> = timeline.batches.iter().map(|b| b.t).collect();
    assert_eq!(ts, (0..28).collect::<Vec<_>>());
    // the snapshot is the current champion's own record, numbered from its first batch
    let snapshot = session.snapshot().unwrap();
    assert_eq!(snapshot.batches.len(), 3);
    assert_eq!(snapshot.batches[0].batch, 0);

    // Played to the end, recall comes back with v2.
    play_to(&mut session, meter, usize::MAX);
    let timeline = session.timeline().unwrap();
    assert!(timeline.finished);
    let v2 = &timeline.segments[1];
    assert!(
        v2.overall.recall.is_some_and(|r| r > 0.8),
        "{:?}",
        v2.overall
    );
    let after = session.step(meter).unwrap();
    assert!(after.finished && after.batch.is_none() && after.labels.is_empty());
}

#[test]
fn a_session_says_what_to_do_first() {
    let mut session = Session::new();
    let meter = &mut Ticks(0.0);
    let empty = session.registry();
    assert!(empty.versions.is_empty() && empty.outcomes.is_none());
    let said = |e: DeployError| e.to_string();
    assert_eq!(
        said(session.step(meter).unwrap_err()),
        "the registry is empty: train a model and deploy it first"
    );
    assert!(said(session.save().unwrap_err()).contains("registry is empty"));
    assert!(said(session.start("fraud-abrupt", None).unwrap_err()).contains("registry is empty"));
    assert!(session.timeline().is_none());

    let (mut session, artifact) = deployed();
    assert_eq!(
        said(session.step(meter).unwrap_err()),
        "no scenario is playing: start one on the Monitor panel"
    );
    assert!(said(session.retrain(&RetrainRequest::default()).unwrap_err()).contains("no scenario"));
    assert!(said(session.start("nope", None).unwrap_err()).contains("fraud-abrupt"));
    assert_eq!(
        said(session.start("fraud-abrupt", Some(-1.0)).unwrap_err()),
        "seed -1 is invalid: use a whole number from 0"
    );
    let mismatch = said(session.start("mean-shift", None).unwrap_err());
    assert!(
        mismatch.starts_with("champion v1 cannot score the mean-shift scenario's rows")
            && mismatch.ends_with("train on the dataset with the same columns (mean-shift columns x1…) and deploy that model"),
        "{mismatch}"
    );
    session.start("fraud-abrupt", None).unwrap();
    assert_eq!(
        said(session.retrain(&RetrainRequest::default()).unwrap_err()),
        "no labelled batches yet: play the scenario until labels arrive"
    );
    let bad = RetrainRequest {
        policy: Some("newest".into()),
        ..RetrainRequest::default()
    };
    assert_eq!(
        said(session.retrain(&bad).unwrap_err()),
        "unknown window policy \"newest\": use recent, all or reweighted"
    );
    let bad = TrafficRequest {
        mode: "half".into(),
        percent: None,
    };
    assert_eq!(
        said(session.set_traffic(&bad).unwrap_err()),
        "unknown traffic mode \"half\": use champion, canary, shadow or ab"
    );

    // Traffic shares default in one place.
    session.deploy(&tour_model_with_seed(7), "second").unwrap();
    session.set_challenger(Some("v2")).unwrap();
    for (mode, percent) in [
        ("canary", DEFAULTS.canary_percent),
        ("ab", DEFAULTS.ab_percent),
    ] {
        let r = session
            .set_traffic(&TrafficRequest {
                mode: mode.into(),
                percent: None,
            })
            .unwrap();
        let json = serde_json::to_value(r.mode).unwrap();
        assert_eq!(json["mode"], mode);
        assert_eq!(json["percent"], percent);
    }

    // The registry goes to text and comes back; clearing it stops the scenario.
    let text = session.save().unwrap();
    let mut other = Session::new();
    let back = other.load(&text).unwrap();
    assert_eq!(back, session.registry());
    let cleared = session.clear();
    assert!(cleared.versions.is_empty());
    assert!(session.timeline().is_none());

    // A regression model is not deployed.
    let csv = generate("diabetes", &DatasetOptions::default()).unwrap();
    let table = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let (linear, _) = train(
        &table,
        &TrainRequest::new("progression", ModelKind::Linear),
        &mut |_| {},
    )
    .unwrap();
    assert!(said(Session::new().deploy(&linear, "").unwrap_err()).contains("serves classifiers"));
    let _ = artifact;
}

fn tour_model_with_seed(seed: u64) -> Artifact {
    let csv = generate("fraud", &DatasetOptions::default()).unwrap();
    let table = read_csv(&csv, &ReadOptions::default()).unwrap().table;
    let mut request = TrainRequest::new("is_fraud", ModelKind::Logistic);
    request.seed = seed;
    train(&table, &request, &mut |_| {}).unwrap().0
}

#[test]
fn the_serving_form_and_real_time_scores_come_from_the_champion() {
    let (session, artifact) = deployed();
    let form = session.serving_form().unwrap();
    assert_eq!(form.version, "v1");
    assert_eq!(form.target.as_deref(), Some("is_fraud"));
    assert_eq!(form.fields.len(), artifact.schema.columns.len());
    let amount = form.fields.iter().find(|f| f.name == "amount").unwrap();
    let median = artifact
        .profile
        .columns
        .iter()
        .find(|c| c.name == "amount")
        .and_then(|c| c.numeric.as_ref())
        .and_then(|n| n.quantiles.iter().find(|q| q.q == 0.5))
        .unwrap()
        .value;
    assert_eq!(amount.default, serde_json::json!(median));
    assert!(amount.min.is_some() && amount.max.is_some());

    let row: serde_json::Map<String, serde_json::Value> = form
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.default.clone()))
        .collect();
    let rows = [serde_json::Value::Object(row)];
    let scored = session.score(&rows, &mut Ticks(0.0)).unwrap();
    assert_eq!(scored.version, "v1");
    assert_eq!(scored.latency_ms, 1.0);
    assert_eq!(scored.predictions, artifact.score_json_rows(&rows).unwrap());
    let e = session
        .score(&[serde_json::json!({})], &mut Ticks(0.0))
        .unwrap_err();
    assert!(e.to_string().starts_with("row 1 has no column"), "{e}");
}

/// The Deploy panel's batch job: the chunks put together are exactly what the CLI's scorer
/// writes for the whole file, and a bad row is named by its place in the whole file.
#[test]
fn batch_scoring_in_chunks_matches_the_whole_file_scorer() {
    let (mut session, artifact) = deployed();
    let meter = &mut Ticks(0.0);
    let options = DatasetOptions {
        rows: Some(3_001),
        seed: Some(5),
        drift: Some(0.5),
        noise: None,
    };
    let csv = generate("fraud", &options).unwrap();
    let mut whole = Vec::new();
    driftlab::score::score_csv(&artifact, csv.as_slice(), &mut whole, &mut |_, _| {}).unwrap();

    let start = session.batch_start(csv.clone(), "f.csv").unwrap();
    assert_eq!(
        (start.rows_done, start.done, start.version.as_str()),
        (0, false, "v1")
    );
    assert_eq!(start.bytes_total, csv.len());
    assert!(start.bytes_done > 0, "the header is read");
    let e = session.batch_result().unwrap_err();
    assert_eq!(
        e.to_string(),
        "the batch job is not finished (0 rows scored so far): keep calling batchNext"
    );
    let mut rows = Vec::new();
    loop {
        let p = session.batch_next(Some(700), meter).unwrap();
        rows.push(p.rows_done);
        if p.done {
            assert_eq!(p.bytes_done, p.bytes_total);
            assert!(p.scoring_ms > 0.0);
            break;
        }
    }
    assert_eq!(rows, [700, 1400, 2100, 2800, 3001]);
    let chunked = session.batch_result().unwrap();
    assert_eq!(chunked, String::from_utf8(whole.clone()).unwrap());
    // the result ended the job
    assert!(matches!(
        session.batch_result(),
        Err(DeployError::NoBatchJob)
    ));

    // the default chunk
    session.batch_start(csv.clone(), "f.csv").unwrap();
    let p = session.batch_next(None, meter).unwrap();
    assert_eq!(p.rows_done, DEFAULTS.batch_rows as u64);
    // cancel drops the job
    session.batch_cancel();
    assert_eq!(
        session.batch_next(None, meter).unwrap_err().to_string(),
        "no batch job: choose a CSV file to score first"
    );

    // a ragged row in the third chunk is reported at its row and line in the file
    let mut lines: Vec<&[u8]> = csv.split(|&b| b == b'\n').collect();
    lines[1_600] = b"1,2,3";
    let broken = lines.join(&b'\n');
    session.batch_start(broken, "broken.csv").unwrap();
    let mut error = String::new();
    for _ in 0..5 {
        match session.batch_next(Some(700), meter) {
            Ok(_) => continue,
            Err(e) => {
                error = e.to_string();
                break;
            }
        }
    }
    assert!(
        error.contains("line 1601") && error.contains("row 1600"),
        "{error}"
    );
    // the job ended with the error
    assert!(session
        .batch_result()
        .unwrap_err()
        .to_string()
        .contains("choose a CSV file"));

    // a cell the pipeline cannot read, in the second chunk, names the file's row
    let mut lines: Vec<String> = String::from_utf8(csv.clone())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let amount = header.iter().position(|&c| c == "amount").unwrap();
    let mut cells: Vec<String> = lines[1_000].split(',').map(str::to_owned).collect();
    cells[amount] = "lots".into();
    lines[1_000] = cells.join(",");
    session
        .batch_start(lines.join("\n").into_bytes(), "cell.csv")
        .unwrap();
    session.batch_next(Some(700), meter).unwrap();
    let e = session
        .batch_next(Some(700), meter)
        .unwrap_err()
        .to_string();
    assert!(e.contains("row 1000") && e.contains("amount"), "{e}");

    // an empty file, and a file with a header only
    assert_eq!(
        session
            .batch_start(Vec::new(), "empty.csv")
            .unwrap_err()
            .to_string(),
        "empty.csv is empty: choose a CSV file with a header row and data rows"
    );
    session
        .batch_start(b"amount,merchant_category\n".to_vec(), "header.csv")
        .unwrap();
    assert_eq!(
        session.batch_next(None, meter).unwrap_err().to_string(),
        "header.csv has a header but no rows: add data rows below the header"
    );
    // without a champion there is nothing to score with
    assert!(Session::new()
        .batch_start(csv, "f.csv")
        .unwrap_err()
        .to_string()
        .contains("registry is empty"));
}
