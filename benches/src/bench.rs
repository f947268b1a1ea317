//! The native side of driftlab's benchmark harness.
//!
//! ```text
//! driftlab-bench gen DIR             write the seeded tables (skips files that exist)
//! driftlab-bench run DIR [--reps N] [--only logistic,...] [--train-only | --score-only]
//!                                    time every workload (or the training only, or no
//!                                    Parquet, drift or detectors); JSON on stdout
//! ```
//! Each figure is the median of `N` repetitions (default 5; 3 for the slow trainers).

use driftlab_bench::{data, Bench, DETECTORS, FAMILIES, SLOTS};
use serde_json::{json, Value};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Median seconds of `reps` runs of `f`, and its last checksum.
fn time(reps: usize, mut f: impl FnMut() -> Result<f64, String>) -> Result<(f64, f64), String> {
    let mut t = Vec::new();
    let mut check = 0.0;
    for _ in 0..reps.max(1) {
        let start = Instant::now();
        check = f()?;
        t.push(start.elapsed().as_secs_f64());
    }
    Ok((median(t), check))
}

/// CPU seconds this thread has run (Linux's `/proc/thread-self/schedstat`): on a loaded
/// machine the wall clock of a training row measures the run queue as much as the code, so
/// the training rows carry this too (`cpu_seconds`, median over the repetitions).
fn thread_cpu() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

/// [`time`]'s row with the median thread CPU seconds beside the wall clock (`cpu_seconds`):
/// the scoring rows, so that a loaded machine's run queue can be told from the code.
fn timed_row(reps: usize, mut f: impl FnMut() -> Result<f64, String>) -> Value {
    let mut cpu = Vec::new();
    let r = time(reps, || {
        let start = thread_cpu();
        let check = f();
        if let (Some(a), Some(z)) = (start, thread_cpu()) {
            cpu.push(z - a);
        }
        check
    });
    let failed = r.is_err();
    let mut v = row(r);
    if !failed && !cpu.is_empty() {
        v["cpu_seconds"] = json!(median(cpu));
    }
    v
}

fn row(r: Result<(f64, f64), String>) -> Value {
    match r {
        Ok((s, c)) => json!({"seconds": s, "check": c}),
        Err(e) => json!({"error": e}),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(2).cloned().unwrap_or_else(|| ".bench/data".into());
    let reps = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(5usize);
    match args.get(1).map(String::as_str) {
        Some("gen") => {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                eprintln!("driftlab-bench: {dir}: {e}");
                std::process::exit(1);
            }
            let missing = SLOTS
                .iter()
                .any(|s| !std::path::Path::new(&format!("{dir}/{s}.csv")).exists());
            if missing {
                for (name, text) in data::tables() {
                    if let Err(e) = std::fs::write(format!("{dir}/{name}"), text) {
                        eprintln!("driftlab-bench: {dir}/{name}: {e}");
                        std::process::exit(1);
                    }
                }
            }
        }
        Some("run") => {
            // --only a,b: train and score only these families (the rest of the run is kept)
            let only: Option<Vec<String>> = args
                .iter()
                .position(|a| a == "--only")
                .and_then(|i| args.get(i + 1))
                .map(|s| s.split(',').map(str::to_owned).collect());
            // --train-only: train the families and time nothing else (for profiling)
            let train_only = args.iter().any(|a| a == "--train-only");
            // --score-only: train and score the families and time the ONNX imports, but
            // skip Parquet, drift and the detectors (a scoring section's quick run)
            let score_only = args.iter().any(|a| a == "--score-only");
            let out = run(&dir, reps, only.as_deref(), train_only, score_only);
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        _ => {
            eprintln!("usage: driftlab-bench gen DIR | run DIR [--reps N]");
            std::process::exit(2);
        }
    }
}

fn run(
    dir: &str,
    reps: usize,
    only: Option<&[String]>,
    train_only: bool,
    score_only: bool,
) -> Value {
    let mut b = Bench::new();
    let mut parse = serde_json::Map::new();
    for (slot, name) in SLOTS.iter().enumerate() {
        let bytes = match std::fs::read(format!("{dir}/{name}.csv")) {
            Ok(b) => b,
            Err(e) => {
                parse.insert((*name).into(), json!({"error": e.to_string()}));
                continue;
            }
        };
        let r = time(reps.min(3), || b.load(slot, &bytes).map(|r| r as f64));
        let mut v = row(r);
        v["bytes"] = json!(bytes.len());
        parse.insert((*name).into(), v);
    }
    eprintln!("driftlab-bench: tables parsed");
    let parquet = if score_only {
        json!({"error": "not run (--score-only)"})
    } else {
        parquet_rows(dir, reps)
    };
    eprintln!("driftlab-bench: Parquet read");
    let mut train = serde_json::Map::new();
    let mut score = serde_json::Map::new();
    for (f, (name, slot)) in FAMILIES.iter().enumerate() {
        if only.is_some_and(|o| !o.iter().any(|n| n == name)) {
            continue;
        }
        // the forest, with 7 of 50 features per split, trains in about a third of a second
        let n = if matches!(*name, "forest") {
            reps.min(3)
        } else {
            reps
        };
        let mut cpu = Vec::new();
        let r = time(n, || {
            let start = thread_cpu();
            let check = b.train(f);
            if let (Some(a), Some(z)) = (start, thread_cpu()) {
                cpu.push(z - a);
            }
            check
        });
        eprintln!("driftlab-bench: trained {name}");
        let failed = r.is_err();
        let mut v = row(r);
        if !failed && cpu.len() == n.max(1) {
            v["cpu_seconds"] = json!(median(cpu));
        }
        train.insert((*name).into(), v);
        if failed || train_only {
            continue;
        }
        let rows = b.slots[*slot].as_ref().map_or(0, |l| l.x.rows());
        let single = 20_000.min(rows);
        let batch = row(time(reps, || b.score_batch(f)));
        let flat = timed_row(reps, || b.score_batch_flat(f));
        let one = row(time(reps, || b.score_rows(f, single)));
        score.insert(
            (*name).into(),
            json!({"rows": rows, "batch": batch, "batch_flat": flat,
                   "single_rows": single, "single": one}),
        );
    }
    if train_only {
        return json!({"side": "native", "reps": reps, "parse": parse, "train": train});
    }
    // issue 17: the import of peers.py's 100-tree forest (import_forest.onnx) with the
    // regression table as its reference, and the imported model's batch scoring
    let import = match std::fs::read(format!("{dir}/import_forest.onnx")) {
        Ok(bytes) => {
            let import = row(time(reps, || b.import_onnx(1, &bytes)));
            let reference = row(time(reps, || b.import_reference()));
            let rows = b.slots[1].as_ref().map_or(0, |l| l.x.rows());
            json!({"bytes": bytes.len(), "import": import, "reference": reference,
                   "reference_rows": driftlab_bench::Bench::IMPORT_REFERENCE_ROWS, "rows": rows,
                   "batch_flat": timed_row(reps, || b.score_imported())})
        }
        Err(e) => json!({"error": format!("no {dir}/import_forest.onnx ({e}): peers.py writes it")}),
    };
    // and peers.py's 100-tree forest classifier (soft voting), the binary table its reference
    let classifier = match std::fs::read(format!("{dir}/import_forest_classifier.onnx")) {
        Ok(bytes) => match b.import_onnx(0, &bytes) {
            Ok(trees) => {
                let rows = b.slots[0].as_ref().map_or(0, |l| l.x.rows());
                json!({"bytes": bytes.len(), "trees": trees, "rows": rows,
                       "batch_flat": timed_row(reps, || b.score_imported())})
            }
            Err(e) => json!({"error": e}),
        },
        Err(e) => json!({"error": format!(
            "no {dir}/import_forest_classifier.onnx ({e}): peers.py writes it"
        )}),
    };
    eprintln!("driftlab-bench: ONNX import timed");
    if score_only {
        return json!({"side": "native", "reps": reps, "parse": parse, "train": train,
                      "score": score, "onnx_import": import,
                      "onnx_import_classifier": classifier});
    }
    let profile = row(time(reps, || b.build_profile()));
    let drift = json!({
        "profile_build": profile,
        "profile": row(time(reps, || b.drift_profile())),
        "auto": row(time(reps, || b.drift())),
        "ks": row(time(reps, || b.drift_with("ks"))),
        "wasserstein": row(time(reps, || b.drift_with("wasserstein"))),
    });
    let mut detectors = serde_json::Map::new();
    for d in DETECTORS {
        let n = if d == "kswin" { 200_000 } else { 2_000_000 };
        let mut v = row(time(reps, || Bench::detector(d, n)));
        v["updates"] = json!(n);
        // the alarms on River's shorter stream (benches/peers.py: the same generator), so
        // the report can show both detectors see the same drifts
        let peer_n = if d == "kswin" { 20_000 } else { 200_000 };
        if let Ok(a) = Bench::detector(d, peer_n) {
            v["alarms_at_peer_length"] = json!({"updates": peer_n, "alarms": a});
        }
        detectors.insert(d.into(), v);
    }
    json!({"side": "native", "reps": reps, "parse": parse, "parquet": parquet, "train": train,
           "score": score, "drift": drift, "detectors": detectors, "onnx_import": import,
           "onnx_import_classifier": classifier})
}

/// Each table read from CSV and from Parquet (the same table written by driftlab's
/// writer: doubles, snappy, one row group per 16,384 rows as `score` writes them), both
/// timed from bytes in memory to a typed table. The checksum is the table's fingerprint,
/// which must be the same for both.
fn parquet_rows(dir: &str, reps: usize) -> Value {
    use driftlab::table::{read_csv, read_parquet, ParquetWriter, ReadOptions};
    let mut out = serde_json::Map::new();
    for name in SLOTS {
        let result = (|| -> Result<Value, String> {
            let csv = std::fs::read(format!("{dir}/{name}.csv")).map_err(|e| e.to_string())?;
            let options = ReadOptions::default();
            let table = read_csv(&csv, &options).map_err(|e| e.to_string())?.table;
            let columns: Vec<_> = table
                .columns()
                .iter()
                .map(|c| (c.name.clone(), c.kind()))
                .collect();
            let mut writer =
                ParquetWriter::new(Vec::new(), &columns).map_err(|e| e.to_string())?;
            let mut start = 0;
            while start < table.rows() {
                let end = (start + driftlab::table::BATCH_ROWS).min(table.rows());
                let rows: Vec<usize> = (start..end).collect();
                writer.write(&table.take(&rows)).map_err(|e| e.to_string())?;
                start = end;
            }
            let pq = writer.finish().map_err(|e| e.to_string())?;
            let n = reps.min(3);
            let (csv_s, csv_check) = time(n, || {
                read_csv(&csv, &options)
                    .map(|r| r.table.fingerprint() as f64)
                    .map_err(|e| e.to_string())
            })?;
            // the copy read_parquet takes is made before the clock starts
            let mut copies: Vec<Vec<u8>> = (0..n).map(|_| pq.clone()).collect();
            let (pq_s, pq_check) = time(n, || {
                let bytes = copies.pop().unwrap_or_default();
                read_parquet(bytes, &options)
                    .map(|r| r.table.fingerprint() as f64)
                    .map_err(|e| e.to_string())
            })?;
            if csv_check != pq_check {
                return Err("the Parquet table differs from the CSV one".into());
            }
            Ok(json!({"csv_seconds": csv_s, "csv_bytes": csv.len(),
                      "parquet_seconds": pq_s, "parquet_bytes": pq.len()}))
        })();
        out.insert(
            name.into(),
            result.unwrap_or_else(|e| json!({"error": e})),
        );
    }
    Value::Object(out)
}
