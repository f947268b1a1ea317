use super::*;
use rand::SeedableRng;

fn params(features: usize) -> GrowParams {
    GrowParams {
        max_leaves: usize::MAX,
        max_depth: 0,
        min_leaf: 1.0,
        min_split: 2.0,
        min_gain: 0.0,
        features: (0..features).collect(),
        per_split: None,
    }
}

/// A Gini tree over `y`'s two classes on every row of `b`, grown with seed 1.
fn gini_tree(b: &Binned, y: &[usize], p: &GrowParams) -> Grown {
    let stats = onehot(y, 2);
    let rows = (0..y.len() as u32).collect();
    let part = Partition {
        binned: b,
        stats: &stats,
        stride: 2,
        rows,
    };
    grow(part, Criterion::Gini, p, &mut StdRng::seed_from_u64(1))
}

/// Class-weight stats (one-hot rows).
fn onehot(y: &[usize], k: usize) -> Vec<f64> {
    let mut s = vec![0.0; y.len() * k];
    for (i, &c) in y.iter().enumerate() {
        s[i * k + c] = 1.0;
    }
    s
}

#[test]
fn a_separable_feature_gives_pure_leaves() {
    // feature 0 is noise, feature 1 separates
    let x = [5.0, 1.0, 3.0, 2.0, 4.0, 3.0, 1.0, 4.0];
    let y = [0, 0, 1, 1];
    let b = Binned::new(&x, 4, 2, 255);
    let t = gini_tree(&b, &y, &params(2));
    assert_eq!(t.nodes.len(), 3);
    assert_eq!(t.nodes[0].feature, 1);
    assert_eq!(b.bins.threshold(1, t.nodes[0].bin), 2.5);
    assert_eq!(t.nodes[1].stats, vec![2.0, 0.0]);
    assert_eq!(t.nodes[2].stats, vec![0.0, 2.0]);
}

#[test]
fn subtraction_gives_the_histogram_built_from_rows() {
    let rows = 300;
    let x: Vec<f64> = (0..rows * 3)
        .map(|i| ((i * 2654435761usize) % 97) as f64)
        .collect();
    let y: Vec<usize> = (0..rows).map(|i| (i * 7 % 5 == 0) as usize).collect();
    let b = Binned::new(&x, rows, 3, 255);
    let stats = onehot(&y, 2);
    let p = params(3);
    let mut g = Grower {
        binned: &b,
        stats: &stats,
        stride: 2,
        criterion: Criterion::Gini,
        params: &p,
        scratch: vec![0.0; 6],
        hist_len: b.slots() * 2,
        live: 0,
        work: Vec::new(),
        spare: Vec::new(),
    };
    let t = gini_tree(
        &b,
        &y,
        &GrowParams {
            max_depth: 1,
            ..p.clone()
        },
    );
    let (root, l, r) = (
        g.build(&t, 0, None),
        g.build(&t, 1, None),
        g.build(&t, 2, None),
    );
    for i in 0..root.len() {
        assert_eq!(root[i] - l[i], r[i]);
    }
}

/// The column-wise build gives the bits of adding the rows one by one over every
/// feature (the order the histograms were built in before), on a subset of the rows and
/// on all of them.
#[test]
fn the_column_wise_build_equals_the_row_by_row_sums() {
    let (rows, cols) = (2_000, 7);
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let mut u = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let x: Vec<f64> = (0..rows * cols)
        .map(|i| if i % 37 == 0 { f64::NAN } else { u() * 100.0 })
        .collect();
    let b = Binned::new(&x, rows, cols, 255);
    let stats: Vec<f64> = (0..rows * 3)
        .map(|i| if i % 3 == 2 { 1.0 } else { u() })
        .collect();
    // a node's rows (gathered), and every row in order (read in place); seven features
    // make three pairs and one left alone
    let subset: Vec<u32> = (0..rows as u32).filter(|r| r % 3 != 1).collect();
    let every: Vec<u32> = (0..rows as u32).collect();
    for rows in [&subset, &every] {
        let mut fast = vec![0.0; b.slots() * 3];
        build_all::<3>(&b, &stats, rows, &mut fast);
        let mut slow = vec![0.0; b.slots() * 3];
        for &r in rows {
            let r = r as usize;
            for (j, &code) in b.row(r).iter().enumerate() {
                let at = (b.offsets[j] + code as usize) * 3;
                for i in 0..3 {
                    slow[at + i] += stats[r * 3 + i];
                }
            }
        }
        assert!(fast
            .iter()
            .zip(&slow)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

/// The class build (one addition per row and feature) gives the bits of the general
/// build over bootstrap-count stats, on every feature and on a subset.
#[test]
fn the_class_build_equals_the_general_build() {
    let (rows, cols, k) = (3_000, 6, 5);
    let x: Vec<f64> = (0..rows * cols)
        .map(|i| {
            if i % 41 == 0 {
                f64::NAN
            } else {
                ((i * 2654435761usize) % 1013) as f64
            }
        })
        .collect();
    let b = Binned::new(&x, rows, cols, 255);
    let mut stats = vec![0.0; rows * k];
    let mut subset = Vec::new();
    for r in 0..rows {
        let w = (r * 7 % 4) as f64;
        if w > 0.0 {
            stats[r * k + r * 13 % k] = w;
            subset.push(r as u32);
        }
    }
    for features in [(0..cols).collect::<Vec<_>>(), vec![1, 4]] {
        let mut fast = vec![0.0; b.slots() * k];
        build_classes(&b, &stats, k, &subset, &mut fast, &features);
        let mut slow = vec![0.0; b.slots() * k];
        build_some(&b, &stats, k, &subset, &mut slow, Some(&features));
        assert!(fast
            .iter()
            .zip(&slow)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

#[test]
fn missing_rows_learn_their_side() {
    // NaN rows are class 1, like the high values
    let x = [1.0, 2.0, 3.0, 8.0, 9.0, f64::NAN, f64::NAN, 1.5];
    let y = [0, 0, 0, 1, 1, 1, 1, 0];
    let b = Binned::new(&x, 8, 1, 255);
    let t = gini_tree(&b, &y, &params(1));
    assert_eq!(t.nodes.len(), 3);
    assert!(!t.nodes[0].missing_left);
    assert_eq!(t.nodes[2].stats, vec![0.0, 4.0]);
    let nan_row = [b.bins.bin(0, f64::NAN)];
    assert_eq!(t.leaf_of(&nan_row, &b.bins), 2);
}

#[test]
fn best_first_stops_at_max_leaves_and_splits_the_best_leaf_first() {
    let rows = 200;
    let x: Vec<f64> = (0..rows).map(|i| i as f64).collect();
    // gradient stats: a step at 100 (big) and a small one at 150
    let mut stats = Vec::new();
    for i in 0..rows {
        let g = if i < 100 {
            -1.0
        } else if i < 150 {
            1.0
        } else {
            1.2
        };
        stats.extend_from_slice(&[g, 1.0, 1.0]);
    }
    let b = Binned::new(&x, rows, 1, 255);
    let mut rng = StdRng::seed_from_u64(1);
    let t = grow(
        Partition {
            binned: &b,
            stats: &stats,
            stride: 3,
            rows: (0..rows as u32).collect(),
        },
        Criterion::Gradient {
            l2: 0.0,
            min_hessian: 1e-3,
            unit_hessian: false,
        },
        &GrowParams {
            max_leaves: 3,
            ..params(1)
        },
        &mut rng,
    );
    let leaves = t.nodes.iter().filter(|n| n.children.is_none()).count();
    assert_eq!(leaves, 3);
    assert_eq!(b.bins.threshold(0, t.nodes[0].bin), 99.5);
    assert_eq!(b.bins.threshold(0, t.nodes[2].bin), 149.5);
}
