use super::*;
use crate::profile::Sketch;

fn numeric(name: &str, values: &[f64], missing: u64) -> ColumnDelta {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let m2 = sorted.iter().map(|x| (x - mean) * (x - mean)).sum();
    ColumnDelta {
        name: name.into(),
        kind: ColumnKind::Numeric,
        count: values.len() as u64,
        missing,
        infinite: 0,
        moments: Some([sorted[0], sorted[sorted.len() - 1], mean, m2]),
        integer: false,
        sketch: Some(Sketch::from_sorted(&sorted)),
        categories: Vec::new(),
    }
}

#[test]
fn a_small_window_stands_in_with_its_own_values() {
    let values = [3.0, 1.0, 2.0, 5.0];
    let columns = vec![
        numeric("x", &values, 1),
        ColumnDelta {
            name: "c".into(),
            kind: ColumnKind::Categorical,
            count: 4,
            missing: 1,
            infinite: 0,
            moments: None,
            integer: false,
            sketch: None,
            categories: vec![("a".into(), 3), ("b".into(), 1)],
        },
    ];
    let t = stand_in_table(&columns, 5).unwrap();
    assert_eq!(t.rows(), 5);
    let x: Vec<Option<f64>> = (0..5)
        .map(|r| match t.column("x").unwrap().get(r) {
            Some(crate::table::Cell::Number(v)) => Some(v),
            _ => None,
        })
        .collect();
    assert_eq!(x, [Some(1.0), Some(2.0), Some(3.0), Some(5.0), None]);
}

#[test]
fn windows_add_up_and_latency_reads_its_buckets() {
    let mut a = ColumnDelta {
        ..numeric("x", &[1.0, 2.0], 0)
    };
    a.add(&numeric("x", &[3.0, 4.0, 5.0], 1));
    let [min, max, mean, m2] = a.moments.unwrap();
    assert_eq!((min, max, mean, a.count, a.missing), (1.0, 5.0, 3.0, 5, 1));
    assert!((m2 - 10.0).abs() < 1e-12);
    let mut w = Window::new(0.0);
    w.latency = vec![0; LATENCY_BUCKETS_US.len() + 1];
    assert_eq!(w.latency_ms(0.5), None);
    w.latency[1] = 9;
    w.latency[4] = 1;
    assert_eq!(w.latency_ms(0.5), Some(0.1));
    assert_eq!(w.latency_ms(0.99), Some(1.0));
}
