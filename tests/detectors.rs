//! Golden-index tests: on seeded streams, driftlab's detectors alarm (and warn) at exactly
//! the indices River reports. Streams and River's indices are recorded by
//! `scripts/fixtures_drift.py` in tests/fixtures/drift/detectors.json (River's version is
//! in the fixture).

use driftlab::detector::{build, run, Detector, DetectorError};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/drift/detectors.json"
    ))
    .expect("fixture tests/fixtures/drift/detectors.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn indices(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn alarm_indices_equal_rivers() {
    let f = fixture();
    assert!(f["river"].as_str().is_some());
    let streams = f["streams"].as_object().unwrap();
    let cases = f["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for c in cases {
        let name = c["detector"].as_str().unwrap();
        let params: Vec<(String, String)> = c["params"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let stream = c["stream"].as_str().unwrap();
        let xs: Vec<f64> = streams[stream]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let mut d = build(name, &params).unwrap();
        let r = run(d.as_mut(), &xs);
        let (alarms, warnings) = (indices(&c["alarms"]), indices(&c["warnings"]));
        if r.alarms != alarms || r.warnings != warnings {
            failures.push(format!(
                "{name} {params:?} on {stream}: alarms {:?} vs River {:?}; warnings {} vs River {}",
                r.alarms,
                alarms,
                r.warnings.len(),
                warnings.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn build_reports_unknown_names_and_params() {
    assert!(matches!(
        build("cusum", &[]),
        Err(DetectorError::UnknownDetector(_))
    ));
    let e = build("adwin", &[("deltaa".into(), "0.1".into())])
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("delta, clock, max_buckets, min_window_length, grace_period"),
        "{e}"
    );
    let e = build("adwin", &[("delta".into(), "2".into())])
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("between 0 and 1"), "{e}");
    let e = build("page-hinkley", &[("mode".into(), "sideways".into())])
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("up, down, both"), "{e}");
    let e = build("kswin", &[("stat_size".into(), "100".into())])
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("smaller than window_size"), "{e}");
}

#[test]
fn defaults_equal_rivers() {
    let p = |name: &str| build(name, &[]).unwrap().params();
    assert_eq!(
        p("adwin"),
        vec![
            ("delta", "0.002".to_string()),
            ("clock", "32".into()),
            ("max_buckets", "5".into()),
            ("min_window_length", "5".into()),
            ("grace_period", "10".into())
        ]
    );
    assert_eq!(p("ddm")[0], ("warm_start", "30".to_string()));
    assert_eq!(p("page-hinkley")[2], ("threshold", "50".to_string()));
    assert_eq!(p("page-hinkley")[3], ("alpha", "0.9999".to_string()));
    assert_eq!(p("kswin")[1], ("window_size", "100".to_string()));
}

#[test]
fn no_panic_on_awkward_streams() {
    let streams: Vec<Vec<f64>> = vec![
        vec![],
        vec![f64::NAN; 50],
        vec![1e308; 500],
        vec![f64::INFINITY; 200],
        (0..500)
            .map(|i| if i % 2 == 0 { f64::MAX } else { -f64::MAX })
            .collect(),
        vec![0.0; 1000],
    ];
    for name in ["adwin", "ddm", "eddm", "page-hinkley", "kswin"] {
        for xs in &streams {
            let mut d: Box<dyn Detector> = build(name, &[]).unwrap();
            let _ = run(d.as_mut(), xs);
            d.reset();
            assert!(!d.drift_detected());
        }
    }
}
