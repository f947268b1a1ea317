//! Shared by the native and the Wasm tests: the same data through the same pipeline must
//! give bit-identical results on every build. The expected fingerprints live in
//! `tests/fixtures/consistency.json`; `DRIFTLAB_BLESS=1 cargo test --test consistency`
//! rewrites them (natively) when the data or the pipeline changes on purpose.

use driftlab::{
    dataset::{self, DatasetOptions},
    detector,
    drift::{self, DriftOptions, TestKind},
    prep::{split, PipelineSpec},
    scenario::{Change, Generator, Scenario, ScenarioConfig, Schedule, TableDrift},
    table::{read_csv, ReadOptions, Table},
    train::{train, ModelKind, ModelParams, TrainRequest},
    Profile,
};

/// The committed fixture.
pub const FIXTURE: &str = include_str!("../fixtures/consistency.json");

/// 64-bit FNV-1a.
pub fn fnv(bytes: impl IntoIterator<Item = u8>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Fingerprints of the fraud CSV, its table, and the test rows through a fitted pipeline.
pub fn fingerprints() -> Vec<(&'static str, String)> {
    let options = DatasetOptions {
        rows: Some(3_000),
        seed: Some(7),
        drift: Some(0.3),
        noise: None,
    };
    let csv = dataset::generate("fraud", &options).expect("fraud generates");
    let table = read_csv(&csv, &ReadOptions::default())
        .expect("fraud parses")
        .table;
    let (train, test) = split(&table, 0.25, 7, Some("is_fraud")).expect("split");
    let spec = PipelineSpec::default_for(&table, Some("is_fraud")).expect("spec");
    let fitted = spec.fit(&table.take(&train)).expect("fit");
    let matrix = fitted.transform(&table.take(&test)).expect("transform");
    let iris = dataset::generate("iris", &DatasetOptions::default()).expect("iris");
    let iris_table = read_csv(&iris, &ReadOptions::default())
        .expect("iris parses")
        .table;
    let moons = dataset::generate(
        "moons",
        &DatasetOptions {
            rows: Some(500),
            seed: Some(3),
            drift: None,
            noise: None,
        },
    )
    .expect("moons");
    vec![
        ("fraud_csv", fnv(csv.iter().copied())),
        ("fraud_table", format!("{:016x}", table.fingerprint())),
        (
            "fraud_split",
            fnv(test.iter().flat_map(|i| (*i as u64).to_le_bytes())),
        ),
        (
            "fraud_matrix",
            fnv(matrix.data().iter().flat_map(|x| x.to_bits().to_le_bytes())),
        ),
        ("iris_csv", fnv(iris.iter().copied())),
        ("moons_csv", fnv(moons.iter().copied())),
        ("drift", drift_print(&table)),
        ("table_scenario", table_scenario_print(&iris)),
        ("boosting", boosting_print(&table, &iris_table)),
        ("logistic", logistic_print(&table, &iris_table)),
    ]
}

/// The models boosting trains on the fraud table with its missing cells kept (binary, so
/// the scan's loops with and without missing rows both run), on iris (softmax) and on the
/// diabetes table (squared error): the histogram sums, the exponentials and the split scan
/// run in Wasm with simd128 and natively without it, and the models must be the same bits
/// (each model's JSON, whose floats print as their shortest round-trip digits).
fn boosting_print(fraud: &Table, iris: &Table) -> String {
    let diabetes = dataset::generate("diabetes", &DatasetOptions::default()).expect("diabetes");
    let diabetes = read_csv(&diabetes, &ReadOptions::default())
        .expect("diabetes parses")
        .table;
    let boosting = |table, target, params: &[&str]| {
        model_json(table, target, ModelKind::Boosting, params, true)
    };
    let models = [
        boosting(fraud, "is_fraud", &["n_iterations=30", "subsample=0.8"]),
        boosting(iris, "species", &["n_iterations=20"]),
        boosting(
            &diabetes,
            "progression",
            &["n_iterations=30", "max_leaves=15"],
        ),
    ];
    fnv(models.join("\n").bytes())
}

/// The logistic regressions fitted on the fraud table (two classes: the logits, the
/// exponentials two rows at a time and the loss's running product) and on iris (three
/// classes: the blocked logits and gradient, the exponentials two classes at a time and one
/// alone): the L-BFGS path depends on every bit of every loss and gradient, so the models
/// must be the same bits in Wasm and natively.
fn logistic_print(fraud: &Table, iris: &Table) -> String {
    let models = [
        model_json(fraud, "is_fraud", ModelKind::Logistic, &[], false),
        model_json(iris, "species", ModelKind::Logistic, &["alpha=0.01"], false),
    ];
    fnv(models.join("\n").bytes())
}

/// The JSON of the model `kind` trains on `table` for `target` with `params`, through the
/// default pipeline (keeping missing cells when `keep_missing`).
fn model_json(
    table: &Table,
    target: &str,
    kind: ModelKind,
    params: &[&str],
    keep_missing: bool,
) -> String {
    let mut request = TrainRequest::new(target, kind);
    request.params = ModelParams::parse(kind, params).expect("params");
    let mut pipeline = PipelineSpec::default_for(table, Some(target)).expect("spec");
    if keep_missing {
        pipeline.keep_missing();
    }
    request.pipeline = Some(pipeline);
    let (artifact, _) = train(table, &request, &mut |_| {}).expect("the model trains");
    serde_json::to_string(&artifact.model).expect("model serializes")
}

/// The rows and labels of a stream drawn from the iris table with a shift, a prior and a
/// concept change: the page's stream (Wasm) must be the CLI's (every draw of a row index
/// is a `u64`, not a platform-sized `usize`).
fn table_scenario_print(iris_csv: &[u8]) -> String {
    let iris = read_csv(iris_csv, &ReadOptions::default())
        .expect("iris parses")
        .table;
    let config = ScenarioConfig {
        name: "iris-drift".into(),
        description: String::new(),
        generator: Generator::Table(TableDrift {
            target: "species".into(),
            changes: vec![
                Change::Shift {
                    column: "petal_length_cm".into(),
                    by: 1.5,
                },
                Change::Prior {
                    class: "setosa".into(),
                    share: 0.6,
                },
                Change::Concept {
                    column: "sepal_width_cm".into(),
                    category: None,
                    rate: 0.3,
                },
            ],
        }),
        schedule: Schedule::Abrupt {
            at: 2,
            from: 0.0,
            to: 1.0,
        },
        batches: 4,
        batch_size: 200,
        label_delay: 1,
        seed: 11,
    };
    let mut scenario = Scenario::with_table(config, &iris).expect("an iris stream");
    let mut bytes = Vec::new();
    while let Some(step) = scenario.next_step().expect("a step") {
        if let Some(batch) = step.batch {
            bytes.extend(batch.features.fingerprint().to_le_bytes());
            for label in &batch.labels {
                bytes.extend(label.bytes());
            }
        }
    }
    fnv(bytes)
}

/// The bits of drift statistics and p-values (every test, against rows and against the
/// profile; the p-values' special functions) and of detectors' alarms: the Wasm build
/// must compute them as natively does (`ln`, `exp`, `sin` and `pow` from `libm`).
fn drift_print(reference: &Table) -> String {
    let options = DatasetOptions {
        rows: Some(1_500),
        seed: Some(8),
        drift: Some(0.8),
        noise: None,
    };
    let csv = dataset::generate("fraud", &options).expect("fraud generates");
    let current = read_csv(&csv, &ReadOptions::default())
        .expect("fraud parses")
        .table;
    let profile = Profile::from_table(reference, Some("is_fraud")).expect("profile");
    let mut bits: Vec<u64> = Vec::new();
    let mut tests: Vec<Option<TestKind>> = vec![None];
    tests.extend(TestKind::ALL.map(Some));
    for test in tests {
        // p-value tests where the automatic choice allows them
        let opts = DriftOptions {
            test,
            large_sample_rows: 100_000,
            ..DriftOptions::default()
        };
        for report in [
            drift::drift_report(reference, &current, &opts),
            drift::drift_report_from_profile(&profile, &current, &opts),
        ] {
            // a forced test that does not apply to some column is an error: skip it
            for c in report.map(|r| r.columns).unwrap_or_default() {
                bits.push(c.statistic.to_bits());
                bits.push(c.p_value.unwrap_or(-1.0).to_bits());
            }
        }
    }
    for i in 1..200 {
        let x = f64::from(i) * 0.37;
        bits.push(drift::chi2_sf(x, f64::from(i % 17 + 1)).to_bits());
        bits.push(drift::normal_two_sided_p(x / 10.0).to_bits());
        bits.push(drift::kolmogn_sf(i64::from(i) * 3, x / 80.0).to_bits());
    }
    let stream: Vec<f64> = (0..4_000)
        .map(|i| {
            let noise = f64::from((i * 7_919) % 1_000) / 1_000.0;
            noise + if i > 2_000 { 0.3 } else { 0.0 }
        })
        .collect();
    for name in ["adwin", "kswin", "page-hinkley"] {
        let mut d = detector::build(name, &[]).expect("detector");
        let run = detector::run(d.as_mut(), &stream);
        bits.extend(run.alarms.iter().map(|&a| a as u64));
    }
    fnv(bits.iter().flat_map(|b| b.to_le_bytes()))
}

/// The fingerprints as the fixture's JSON.
pub fn to_json(prints: &[(&str, String)]) -> String {
    let body: Vec<String> = prints
        .iter()
        .map(|(k, v)| format!("  \"{k}\": \"{v}\""))
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

/// Asserts each fingerprint equals the fixture's.
pub fn check() {
    let prints = fingerprints();
    let expected = FIXTURE.trim();
    let got = to_json(&prints);
    assert_eq!(
        got.trim(),
        expected,
        "fingerprints differ from tests/fixtures/consistency.json"
    );
}
