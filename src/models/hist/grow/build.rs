//! Histogram building: a node's rows added into its histogram, per feature and bin (the hot
//! loop of boosting and of the full-feature trees).

use super::super::Binned;

/// Adds `rows` into `hist` over every feature, `S` stats per row (the hot loop of
/// boosting and of the full-feature trees).
///
/// Feature by feature, as LightGBM's column-wise histograms: the node's stats are first
/// gathered into one contiguous array in row order, then each feature's codes (column-major,
/// [`Binned::by_column`]) are added into that feature's slots alone, a few kilobytes that
/// stay in the L1 cache, where the row-by-row order scattered every row over all features'
/// slots (123 KB for 20 features of 256 bins × 3 stats) and waited on the L2 cache. Each
/// bin still sums its rows in row order, so the histograms are the same bits. With the
/// split's partition also reading its feature's codes column-major, boosting's 100 trees of
/// 31 leaves on the benchmark's 100k × 20 table went from about 2.6 to 1.9 s of CPU time
/// natively (`perf stat`, a loaded machine), against LightGBM's 1.6 s on one thread, and
/// from 3.7 to 3.1 s in Wasm.
///
/// Two features go through one pass over the rows, so a row's index and stats are read
/// once for both, and the two features' additions, into different slots, do not wait on
/// each other. A node that holds every row in order (the root, when no row is held out or
/// left out of the iteration) reads the stats in place, without the gather.
pub(super) fn build_all<const S: usize>(b: &Binned, stats: &[f64], rows: &[u32], hist: &mut [f64]) {
    let n = b.rows;
    let whole = rows.len() == n && rows.iter().enumerate().all(|(i, &r)| r as usize == i);
    let ordered: Vec<[f64; S]> = if whole {
        Vec::new()
    } else {
        rows.iter()
            .map(|&r| {
                let r = r as usize;
                stats[r * S..r * S + S].try_into().expect("S stats per row")
            })
            .collect()
    };
    // each feature's codes and slots
    let mut features: Vec<(&[u8], &mut [f64])> = Vec::with_capacity(b.cols);
    let mut rest = &mut hist[..b.offsets[b.cols] * S];
    for j in 0..b.cols {
        let (slots, tail) = rest.split_at_mut((b.offsets[j + 1] - b.offsets[j]) * S);
        rest = tail;
        features.push((&b.by_column[j * n..(j + 1) * n], slots));
    }
    // the stats of every row in order, or of the node's rows gathered
    let every = || {
        (0..n).zip(
            stats
                .chunks_exact(S)
                .map(|s| -> &[f64; S] { s.try_into().expect("S stats") }),
        )
    };
    let gathered = || rows.iter().map(|&r| r as usize).zip(&ordered);
    let mut pairs = features.chunks_exact_mut(2);
    for pair in &mut pairs {
        let [(c0, s0), (c1, s1)] = pair else { continue };
        let mut add_both = |r: usize, s: &[f64; S]| {
            add(s0, c0[r], s);
            add(s1, c1[r], s);
        };
        if whole {
            every().for_each(|(r, s)| add_both(r, s));
        } else {
            gathered().for_each(|(r, s)| add_both(r, s));
        }
    }
    if let [(c, slots)] = pairs.into_remainder() {
        if whole {
            every().for_each(|(r, s)| add(slots, c[r], s));
        } else {
            gathered().for_each(|(r, s)| add(slots, c[r], s));
        }
    }
}

/// Adds one row's stats into the slots of its bin.
///
/// In Wasm with simd128 the first two stats (boosting's gradient and hessian, or gradient
/// and count) are added as one `f64x2`: LLVM paired them in a loop over one feature but
/// not in [`build_all`]'s two-feature loop. Each lane is the same IEEE addition, so the
/// sums are the same bits (`tests/common/consistency.rs` trains boosting in both builds and
/// compares the models). The benchmark's fits in Wasm took 0.87–0.90× the time of the
/// scalar additions (the two builds called in turns in one Node process).
#[inline(always)]
fn add<const S: usize>(slots: &mut [f64], code: u8, s: &[f64; S]) {
    let at = code as usize * S;
    let h: &mut [f64; S] = (&mut slots[at..at + S]).try_into().expect("S slots");
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if S >= 2 {
        use core::arch::wasm32::{f64x2_add, v128, v128_load, v128_store};
        // SAFETY: `h` and `s` each hold S ≥ 2 f64s, so both 16-byte accesses are in
        // bounds; Wasm's v128 loads and stores need no alignment
        unsafe {
            let (hp, sp) = (h.as_mut_ptr().cast::<v128>(), s.as_ptr().cast::<v128>());
            v128_store(hp, f64x2_add(v128_load(hp), v128_load(sp)));
        }
        for i in 2..S {
            h[i] += s[i];
        }
        return;
    }
    for i in 0..S {
        h[i] += s[i];
    }
}

/// Adds `rows` into `hist` over `features` for class-weight stats (the tree's and the
/// forest's, `k` per row): a row's stats are its weight in its one class and zeros, so it
/// adds that one number to its class's slot in each feature's bin — one addition per row
/// and feature where the general build makes `k` (five on the benchmark's 5-class table),
/// feature by feature over the column-major codes as [`build_all`] does. The weights are
/// whole numbers (bootstrap counts), so every sum is exact whatever the order: the
/// histograms are the bits of the general build (a test below checks it).
pub(super) fn build_classes(
    b: &Binned,
    stats: &[f64],
    k: usize,
    rows: &[u32],
    hist: &mut [f64],
    features: &[usize],
) {
    let ordered: Vec<(usize, f64)> = rows
        .iter()
        .map(|&r| {
            let s = &stats[r as usize * k..(r as usize + 1) * k];
            let c = s.iter().position(|&v| v != 0.0).unwrap_or(0);
            (c, s[c])
        })
        .collect();
    let n = b.rows;
    for &j in features {
        let column = &b.by_column[j * n..(j + 1) * n];
        let slots = &mut hist[b.offsets[j] * k..b.offsets[j + 1] * k];
        for (&r, &(c, w)) in rows.iter().zip(&ordered) {
            slots[column[r as usize] as usize * k + c] += w;
        }
    }
}

/// Adds `rows` into `hist` over `features` (every feature when `None`), zeroed first.
pub(super) fn build_some(
    b: &Binned,
    stats: &[f64],
    stride: usize,
    rows: &[u32],
    hist: &mut [f64],
    features: Option<&[usize]>,
) {
    let all: Vec<usize>;
    let features = match features {
        Some(f) => f,
        None => {
            all = (0..b.cols).collect();
            &all
        }
    };
    for &r in rows {
        let r = r as usize;
        let codes = b.row(r);
        let s = &stats[r * stride..(r + 1) * stride];
        for &f in features {
            let at = (b.offsets[f] + codes[f] as usize) * stride;
            for (h, v) in hist[at..at + stride].iter_mut().zip(s) {
                *h += v;
            }
        }
    }
}
