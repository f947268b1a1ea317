//! Shared by the native and the Wasm tests: the same data through the same pipeline must
//! give bit-identical results on every build. The expected fingerprints live in
//! `tests/fixtures/consistency.json`; `DRIFTLAB_BLESS=1 cargo test --test consistency`
//! rewrites them (natively) when the data or the pipeline changes on purpose.

use driftlab::{
    dataset::{self, DatasetOptions},
    prep::{split, PipelineSpec},
    table::{read_csv, ReadOptions},
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
    let moons = dataset::generate(
        "moons",
        &DatasetOptions {
            rows: Some(500),
            seed: Some(3),
            drift: None,
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
    ]
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
