//! QuickScorer across rows: sixteen rows at a time, one byte of leaf bits per row in a
//! 16-lane vector (RapidScorer, Ye et al., "RapidScorer: fast tree ensemble evaluation by
//! maximizing compactness in data level parallelization", KDD 2018).
//!
//! # Why
//!
//! [`super::quick`] scores one row at a time: per feature it scans the nodes sorted by
//! threshold while `threshold <= x`, one 64-bit `and` per node passed, and leaves the scan
//! at a data-dependent point (a mispredicted branch per feature). 100 trees of 31 leaves
//! pass about 1,500 nodes a row. Here no node is skipped and no branch depends on a value:
//! every node is applied to sixteen rows at once.
//!
//! - At layout time each feature gets its distinct thresholds, ascending (at most 255, so a
//!   rank is a byte; boosting bins into at most 255 bins, so its own models always fit),
//!   and each split node the key `1 +` its threshold's index.
//! - A row's value maps to its rank, the number of thresholds `t <= x` (a binary search;
//!   for a number `x` that is the walk's `!(x < t)`), and a node sends the row right
//!   exactly when `rank >= key`.
//! - A block holds the sixteen rows' ranks feature-major (one 16-byte vector per feature)
//!   and each tree's leaf word transposed: byte `b` of tree `t` for the sixteen rows is one
//!   16-byte vector. A node whose left subtree's leaves lie in bytes `b…` clears them with
//!   one compare of its key against its feature's ranks and one `andnot` per byte touched
//!   (the `and`s commute, so the order of the nodes does not matter).
//! - The leaf of row `j` in tree `t` is the lowest set bit of its word, found for sixteen
//!   rows at once: per byte the count of trailing zeros (`popcnt(!v & (v - 1))`, 8 for a
//!   zero byte), added up while the bytes below are zero.
//!
//! The leaf is the one QuickScorer and the walk find, and the caller adds leaf values in
//! the stored tree order, so the scores keep their bits. A NaN in a feature the model reads
//! has no rank: a block holding one answers `false` from [`RapidForest::block`] and the
//! caller scores its rows with [`super::quick`] (exact, and rare in a table without
//! missing values; the NaN check itself is one `is_nan` per value ranked, about 1 % of a
//! NaN-free table's time natively: 1,691–1,724 k rows/s against 1,714–1,736 k without it).
//!
//! With Wasm's simd128 (`.cargo/config.toml` sets it for every wasm32 build) the sixteen
//! lanes are one `v128`; natively they are `[u8; 16]` arrays the compiler vectorises
//! (SSE2). Same operations on bytes, so the same leaves in every build. A Wasm build
//! without simd128 (only the bench's no-SIMD harness) keeps row-by-row QuickScorer: there
//! the byte arrays are scalar code.
//!
//! Measured (the bench's 100 trees of 31 leaves on 100k × 20 binary, and 500 trees on 20k ×
//! 50 with 5 classes, Node `--no-liftoff`, best of 5 calls by process CPU time, three
//! builds alternating in one process, 2026-12-06 20:28 UTC, load average 4–5): with
//! simd128 1,538 k / 353 k rows/s; the byte arrays without simd128 372 k / 78 k; row by row
//! QuickScorer (main before this file) 499 k / 120 k. Natively 1,690 k / 385 k (thread CPU
//! time) against 647 k / 149 k row by row in the last quiet run.

use super::quick::{lay_out, TreeArrays};

/// Rows per block: one byte each in a 16-byte vector.
pub(crate) const LANES: usize = 16;

/// One byte per row of a block.
type Lanes = [u8; LANES];

/// The ensemble laid out for sixteen rows at a time (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct RapidForest {
    /// Bytes of leaf word per tree: 4 when every tree has at most 32 leaves, else 8.
    nb: usize,
    n_trees: usize,
    /// The features the nodes split on, ascending.
    used: Vec<usize>,
    /// Per used feature `k`, its distinct thresholds ascending:
    /// `thresholds[thr_starts[k]..thr_starts[k + 1]]`.
    thr_starts: Vec<u32>,
    thresholds: Vec<f64>,
    /// Per used feature `k`, its nodes' byte operations `ops[op_starts[k]..op_starts[k + 1]]`,
    /// each `slot | key << 16 | mask << 24`: where `rank >= key`, `state[slot] &= mask`.
    op_starts: Vec<u32>,
    ops: Vec<u32>,
}

/// A block's working memory (reused from block to block).
#[derive(Clone, Debug)]
pub(crate) struct Scratch {
    /// One vector of ranks per used feature.
    ranks: Vec<Lanes>,
    /// `nb` vectors per tree: byte `b` of tree `t`'s word for the sixteen rows.
    state: Vec<Lanes>,
}

impl RapidForest {
    /// Lays out trees as [`super::quick::QuickForest::new`] does; `None` also when a
    /// feature has more than 255 distinct thresholds or the trees need more than 65,536
    /// bytes of leaf words per row.
    pub(crate) fn new<'a>(
        trees: impl ExactSizeIterator<Item = TreeArrays<'a>>,
    ) -> Option<RapidForest> {
        if cfg!(all(target_arch = "wasm32", not(target_feature = "simd128"))) {
            // Wasm without simd128 has no vector to hold sixteen lanes: there the byte
            // arrays ran at 370 k rows/s against row by row QuickScorer's 494 k (see the
            // module docs), so that build keeps QuickScorer
            return None;
        }
        let n_trees = trees.len();
        let mut entries = Vec::new();
        // the leaves' numbering is QuickScorer's (`QuickForest::leaf_nodes` gives it)
        let mut leaves = [0u32; 64];
        let mut most = 0;
        for (t, tree) in trees.enumerate() {
            let n = lay_out(&tree, t as u32, &mut entries, &mut leaves)?;
            most = most.max(n);
        }
        let nb = if most <= 32 { 4 } else { 8 };
        if n_trees * nb > 1 << 16 {
            return None;
        }
        // grouped by feature, in threshold order (-0 and +0 tie, as `<=` has them)
        entries.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.partial_cmp(&b.1).unwrap_or(core::cmp::Ordering::Equal))
        });
        let mut r = RapidForest {
            nb,
            n_trees,
            used: Vec::new(),
            thr_starts: vec![0],
            thresholds: Vec::new(),
            op_starts: vec![0],
            ops: Vec::new(),
        };
        for (i, &(f, threshold, tree, mask, _)) in entries.iter().enumerate() {
            if i == 0 || entries[i - 1].0 != f {
                if i > 0 {
                    r.thr_starts.push(r.thresholds.len() as u32);
                    r.op_starts.push(r.ops.len() as u32);
                }
                r.used.push(f);
            }
            let first = *r.thr_starts.last()? as usize;
            // a new distinct threshold (`==`: -0 and +0 are one)
            if r.thresholds.len() == first || r.thresholds.last() != Some(&threshold) {
                if r.thresholds.len() - first == 255 {
                    return None;
                }
                r.thresholds.push(threshold);
            }
            let key = (r.thresholds.len() - first) as u32;
            for b in 0..nb {
                let m = (mask >> (8 * b)) as u8;
                if m != 0xFF {
                    let slot = tree as usize * nb + b;
                    r.ops.push(slot as u32 | key << 16 | (m as u32) << 24);
                }
            }
        }
        r.thr_starts.push(r.thresholds.len() as u32);
        r.op_starts.push(r.ops.len() as u32);
        Some(r)
    }

    /// Working memory for [`Self::block`].
    pub(crate) fn scratch(&self) -> Scratch {
        Scratch {
            ranks: vec![[0; LANES]; self.used.len()],
            state: vec![[0; LANES]; self.n_trees * self.nb],
        }
    }

    /// Finds every tree's leaf for the rows of `x` (at most [`LANES`] rows of `cols` values;
    /// `cols` at least one past the largest split feature), read back by
    /// [`Self::leaf_bits`]. `false`, with nothing found, when a feature the trees read is
    /// NaN in one of the rows: score those rows with [`super::quick`].
    pub(crate) fn block(&self, x: &[f64], cols: usize, s: &mut Scratch) -> bool {
        let n = (x.len() / cols.max(1)).min(LANES);
        let mut nan = false;
        for (k, (&f, ranks)) in self.used.iter().zip(&mut s.ranks).enumerate() {
            let th = &self.thresholds[self.thr_starts[k] as usize..self.thr_starts[k + 1] as usize];
            for (j, rank) in ranks.iter_mut().enumerate() {
                let v = if j < n {
                    x[j * cols + f]
                } else {
                    f64::NEG_INFINITY
                };
                nan |= v.is_nan();
                // the thresholds `t <= v`: a prefix, at most 255 long
                *rank = th.partition_point(|&t| t <= v) as u8;
            }
        }
        if nan {
            return false;
        }
        s.state.fill([0xFF; LANES]);
        for (k, ranks) in s.ranks.iter().enumerate() {
            let ops = &self.ops[self.op_starts[k] as usize..self.op_starts[k + 1] as usize];
            imp::apply(&mut s.state, ranks, ops);
        }
        true
    }

    /// After a [`Self::block`] that answered `true`: tree `t`'s leaf bit for each row of the
    /// block (its leaf node is `QuickForest::leaf_nodes()[64 * t + bit]` of the same trees).
    #[inline]
    pub(crate) fn leaf_bits(&self, s: &Scratch, t: usize, out: &mut Lanes) {
        let words = &s.state[t * self.nb..(t + 1) * self.nb];
        imp::lowest_bits(words, out);
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    //! Sixteen lanes as byte arrays (vectorised by the compiler where it can).

    use super::Lanes;

    /// Applies one feature's operations to the leaf words.
    #[inline]
    pub fn apply(state: &mut [Lanes], ranks: &Lanes, ops: &[u32]) {
        for &op in ops {
            let (slot, key, mask) = (op as u16 as usize, (op >> 16) as u8, (op >> 24) as u8);
            let Some(s) = state.get_mut(slot) else {
                continue;
            };
            for (s, &r) in s.iter_mut().zip(ranks) {
                *s &= if r >= key { mask } else { 0xFF };
            }
        }
    }

    /// The lowest set bit of each lane's word (bytes `words[0]`, `words[1]`, … from low to
    /// high); 8 × `words.len()` when none is set.
    #[inline]
    pub fn lowest_bits(words: &[Lanes], out: &mut Lanes) {
        *out = [0; super::LANES];
        let mut below = [0xFFu8; super::LANES];
        for w in words {
            for ((o, b), &v) in out.iter_mut().zip(&mut below).zip(w) {
                *o += *b & v.trailing_zeros() as u8;
                *b &= if v == 0 { 0xFF } else { 0 };
            }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    //! Sixteen lanes as one `v128`.

    use super::Lanes;
    use core::arch::wasm32::*;

    #[inline(always)]
    fn load(a: &Lanes) -> v128 {
        // SAFETY: `a` is 16 readable bytes; v128 loads need no alignment
        unsafe { v128_load(a.as_ptr() as *const v128) }
    }

    #[inline(always)]
    fn store(a: &mut Lanes, v: v128) {
        // SAFETY: `a` is 16 writable bytes; v128 stores need no alignment
        unsafe { v128_store(a.as_mut_ptr() as *mut v128, v) }
    }

    /// Applies one feature's operations to the leaf words.
    #[inline]
    pub fn apply(state: &mut [Lanes], ranks: &Lanes, ops: &[u32]) {
        let r = load(ranks);
        for &op in ops {
            let (slot, key, mask) = (op as u16 as usize, (op >> 16) as u8, (op >> 24) as u8);
            let Some(s) = state.get_mut(slot) else {
                continue;
            };
            let right = u8x16_ge(r, u8x16_splat(key));
            // the lanes sent right lose the bits not in `mask`
            let clear = v128_andnot(right, u8x16_splat(mask));
            store(s, v128_andnot(load(s), clear));
        }
    }

    /// The lowest set bit of each lane's word (bytes `words[0]`, `words[1]`, … from low to
    /// high); 8 × `words.len()` when none is set.
    #[inline]
    pub fn lowest_bits(words: &[Lanes], out: &mut Lanes) {
        let mut acc = u8x16_splat(0);
        let mut below = u8x16_splat(0xFF);
        let one = u8x16_splat(1);
        for w in words {
            let v = load(w);
            // trailing zeros of each byte: the ones of !v & (v - 1) (8 for a zero byte)
            let tz = u8x16_popcnt(v128_andnot(u8x16_sub(v, one), v));
            acc = u8x16_add(acc, v128_and(below, tz));
            below = v128_and(below, u8x16_eq(v, u8x16_splat(0)));
        }
        store(out, acc);
    }
}

#[cfg(test)]
mod tests {
    use super::super::flat::tests::{tree, uniform, walk};
    use super::super::quick::tests::pick;
    use super::super::quick::QuickForest;
    use super::*;

    #[test]
    fn every_row_reaches_the_row_walks_leaf() {
        let mut s = 0x9E3779B97F4A7C15;
        let cols = 4;
        // blocks of 1, 16, 17 and 33 rows; a NaN in one row of some blocks
        for (round, rows) in [1, 16, 17, 33, 400].into_iter().enumerate() {
            let data: Vec<f64> = (0..rows * cols)
                .map(|_| match uniform(&mut s) {
                    u if u < 0.01 => f64::NAN,
                    u if u < 0.6 => pick(&mut s),
                    u => (u - 0.8) * 4.0,
                })
                .collect();
            for missing in [false, true] {
                let sizes: &[usize] = match round % 2 {
                    0 => &[1, 2, 31, 32, 3, 17],
                    _ => &[33, 64, 1, 2, 31, 32, 63],
                };
                let trees: Vec<_> = sizes.iter().map(|&n| tree(&mut s, cols, n, pick)).collect();
                let arrays = || {
                    trees.iter().map(|(f, t, l, r, m)| {
                        (&f[..], &t[..], &l[..], &r[..], missing.then_some(&m[..]))
                    })
                };
                let r = RapidForest::new(arrays()).expect("trees of at most 64 leaves");
                assert_eq!(r.nb, if round % 2 == 0 { 4 } else { 8 });
                let q = QuickForest::new(arrays()).expect("trees of at most 64 leaves");
                let mut scratch = r.scratch();
                let mut bits = [0u8; LANES];
                let (mut scored, mut fell_back) = (0, 0);
                for block in data.chunks(LANES * cols) {
                    let has_nan = block.iter().any(|v| v.is_nan());
                    let ok = r.block(block, cols, &mut scratch);
                    assert_eq!(ok, !has_nan, "a block falls back exactly when it has a NaN");
                    if !ok {
                        fell_back += 1;
                        continue;
                    }
                    scored += 1;
                    for (k, (f, t, l, rt, m)) in trees.iter().enumerate() {
                        r.leaf_bits(&scratch, k, &mut bits);
                        let m = missing.then_some(&m[..]);
                        for (j, x) in block.chunks_exact(cols).enumerate() {
                            let got = q.leaf_nodes()[64 * k + bits[j] as usize];
                            assert_eq!(got, walk(f, t, l, rt, m, x), "tree {k}, row {x:?}");
                        }
                    }
                }
                if rows == 400 {
                    assert!(scored > 0 && fell_back > 0, "{scored} {fell_back}");
                }
            }
        }
    }

    #[test]
    fn too_many_thresholds_or_big_trees_keep_quickscorer() {
        // a chain of 256 stumps on feature 0, each with its own threshold: 256 distinct
        let stumps: Vec<_> = (0..256)
            .map(|i| {
                (
                    [0usize, 0, 0],
                    [i as f64, 0.0, 0.0],
                    [1i64, -1, -1],
                    [2i64, -1, -1],
                )
            })
            .collect();
        let arrays = |n: usize| {
            stumps[..n]
                .iter()
                .map(|(f, t, l, r)| (&f[..], &t[..], &l[..], &r[..], None))
        };
        let r = RapidForest::new(arrays(255)).expect("255 distinct thresholds fit a byte");
        // rank 255 (every threshold below the value) sends every stump right
        let mut s = r.scratch();
        let mut bits = [0u8; LANES];
        assert!(r.block(&[1e9, -1.0, 254.0, 253.5], 1, &mut s));
        for t in [0, 100, 254] {
            r.leaf_bits(&s, t, &mut bits);
            let expect = |x: f64| if x < t as f64 { 0 } else { 1 };
            assert_eq!(bits[..4], [1, expect(-1.0), expect(254.0), expect(253.5)]);
        }
        assert!(RapidForest::new(arrays(256)).is_none());
        let mut seed = 7;
        let (f, t, l, r, _) = tree(&mut seed, 3, 65, pick);
        assert!(RapidForest::new([(&f[..], &t[..], &l[..], &r[..], None)].into_iter()).is_none());
    }
}
