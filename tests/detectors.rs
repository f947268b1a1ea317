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

/// Feeds `xs[..k]`, saves the detector as JSON, restores it, and feeds the rest to both:
/// the same alarms and warnings after every value, and the same state to the last bit
/// every 250 values and at the end (the saved JSON writes every float exactly,
/// infinities and NaN included).
fn continues_after_a_round_trip<D>(mut d: D, xs: &[f64], k: usize) -> Result<usize, String>
where
    D: Detector + serde::Serialize + serde::de::DeserializeOwned,
{
    for &x in &xs[..k] {
        d.update(x);
    }
    let saved = serde_json::to_string(&d).map_err(|e| e.to_string())?;
    let mut back: D = serde_json::from_str(&saved).map_err(|e| e.to_string())?;
    if serde_json::to_string(&back).unwrap() != saved {
        return Err(format!("the state read back differs at {k}"));
    }
    let mut alarms = 0;
    for (i, &x) in xs.iter().enumerate().skip(k) {
        let (a, b) = (d.update(x), back.update(x));
        let compare = i % 250 == 0 || i + 1 == xs.len();
        if a != b
            || d.warning_detected() != back.warning_detected()
            || (compare
                && serde_json::to_string(&d).unwrap() != serde_json::to_string(&back).unwrap())
        {
            return Err(format!("after value {i} (saved at {k}): {a:?} vs {b:?}"));
        }
        alarms += usize::from(d.drift_detected());
    }
    Ok(alarms)
}

/// Every detector survives a save and restore mid-stream, at several points of every
/// fixture stream (before, during and after its alarms), and continues bit for bit.
#[test]
fn every_detector_continues_bit_for_bit_after_a_round_trip() {
    use driftlab::detector::{Adwin, Ddm, Eddm, Kswin, PageHinkley};
    let f = fixture();
    let mut alarms = 0;
    for (stream, values) in f["streams"].as_object().unwrap() {
        let xs: Vec<f64> = values
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let binary = stream.starts_with("bernoulli");
        for k in [0, 17, 1_000, 1_503, 2_250, xs.len()] {
            let run = |r: Result<usize, String>| r.unwrap_or_else(|e| panic!("{stream}: {e}"));
            alarms += run(continues_after_a_round_trip(Adwin::default(), &xs, k));
            alarms += run(continues_after_a_round_trip(PageHinkley::default(), &xs, k));
            alarms += run(continues_after_a_round_trip(Kswin::default(), &xs, k));
            if binary {
                alarms += run(continues_after_a_round_trip(Ddm::default(), &xs, k));
                alarms += run(continues_after_a_round_trip(Eddm::default(), &xs, k));
            }
        }
    }
    // the round trips went through alarms, not only quiet stretches
    assert!(alarms > 50, "{alarms}");
    // DDM before its warm start holds NaN and +∞; Page-Hinkley starts at +∞
    let ddm = serde_json::to_value(Ddm::default()).unwrap();
    assert_eq!(
        (ddm["p_min"].clone(), ddm["ps_min"].clone()),
        (Value::Null, "inf".into())
    );
    let ph = serde_json::to_value(PageHinkley::default()).unwrap();
    assert_eq!(ph["min_increase"], "inf");
}

/// A damaged detector state is refused with a message naming what is wrong (ADWIN's and
/// KSWIN's sizes are checked: a wrong one would index out of bounds); none panics.
#[test]
fn damaged_detector_states_are_refused() {
    use driftlab::detector::{Adwin, Ddm, Eddm, Kswin, PageHinkley};
    fn refused<D: serde::de::DeserializeOwned + serde::Serialize>(
        d: &D,
        edit: impl Fn(&mut Value),
        says: &str,
    ) {
        let mut v = serde_json::to_value(d).unwrap();
        edit(&mut v);
        let e = serde_json::from_value::<D>(v).err().expect("refused");
        assert!(e.to_string().contains(says), "{e}");
    }
    let mut adwin = Adwin::default();
    for i in 0..500 {
        adwin.update(f64::from(i % 7));
    }
    refused(&adwin, |v| v["clock"] = 0.into(), "clock");
    refused(&adwin, |v| v["buckets"] = serde_json::json!([]), "bucket");
    refused(
        &adwin,
        |v| v["buckets"][0][0] = serde_json::json!([1, 2, 3, 4, 5, 6, 7]),
        "max_buckets",
    );
    refused(
        &adwin,
        |v| v["buckets"][0][1] = serde_json::json!([]),
        "variances",
    );
    refused(&adwin, |v| v["width"] = 2.5.into(), "whole");
    let kswin = Kswin::default();
    refused(
        &kswin,
        |v| v["rng"]["mt"] = serde_json::json!([1, 2, 3]),
        "624",
    );
    refused(&kswin, |v| v["stat_size"] = 60.into(), "half");
    refused(
        &kswin,
        |v| v["window"] = serde_json::json!(vec![0.0; 101]),
        "window_size",
    );
    refused(&Eddm::default(), |v| v["n"] = (-1).into(), "invalid value");
    refused(&Ddm::default(), |v| v["p_min"] = "low".into(), "inf");
    // a state that says odd things is read, and the detector goes on without a panic
    let mut odd = serde_json::to_value(Eddm::default()).unwrap();
    odd["last_error"] = 99.into();
    let mut eddm: Eddm = serde_json::from_value(odd).unwrap();
    for i in 0..100 {
        eddm.update(f64::from(u8::from(i % 3 == 0)));
    }
    refused(
        &PageHinkley::default(),
        |v| v["mode"] = "sideways".into(),
        "variant",
    );
    refused(
        &PageHinkley::default(),
        |v| v["mean"] = "lots".into(),
        "inf",
    );
}
