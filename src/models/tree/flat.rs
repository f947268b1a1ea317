//! Batch walks of tree node arrays, shared by the tree, the forest and boosting.
//!
//! # Where the time went
//!
//! Scoring a depth-8 tree in Wasm ran at 1.2 M rows/s (830 ns a row) against
//! scikit-learn's 13.4 M, and a 10-tree forest at 102 k rows/s: a walk of eight nodes
//! should take tens of nanoseconds. The walk was not the cost. Every row went through
//! the generic row loop: a `Result`, a `Vec` of probabilities allocated per row (and a
//! vote vector per row for the forest), copied into the flat buffers, and a walk with three
//! bounds-checked loads and a data-dependent branch per level, one row at a time, so each
//! level waited for the previous level's load.
//!
//! The batch path here lays each tree out once per call as one array of 24-byte nodes
//! (threshold, feature, both children) whose leaves point at themselves, then walks a
//! block of [`BLOCK`] rows level by level: the eight rows' loads are independent, so they
//! overlap, and the branch becomes a select (`x < threshold` picks the child index). A
//! block takes as many levels as the tree is deep (a row that reached its leaf stays
//! there), with an early exit when every row of the block is at a leaf. No allocation
//! per row; the numbers are exactly those of the row walk (the same comparison, the same
//! leaf), which `tests` below and the families' own tests check bit for bit.
//!
//! # Ensembles: tiles of rows
//!
//! An ensemble (the forest, boosting's deep trees) walked every tree for each block of
//! eight rows: a 100-tree forest of depth 8 (scikit-learn's, imported from ONNX) is about
//! 51,000 nodes, 1.2 MB, streamed through the caches for every eight rows: more than L1
//! (32 KB) and L2 (1 MB here) hold, so a level's loads waited on the caches below. The
//! callers now take a tile of [`TILE`] rows (128 rows of 20 features are 20 KB; a depth-8
//! tree is 12 KB: both stay in L1), walk it tree by tree, and add each tree's leaf values
//! into the tile's accumulators: a row still gets the trees' contributions in the stored
//! tree order, the same additions, the same bits. The whole tile walks one level at a time
//! (its rows are independent loads, more of them in flight than eight). And when no node of
//! a tree sends missing values left (a tree driftlab trained on rows without missing
//! values, a scikit-learn tree imported from ONNX), the step is one comparison,
//! `!(x < threshold)`, which sends a NaN right as the row walk does, instead of three
//! operations and a select.
//!
//! Measured in Wasm (Node, the bench harness at `make bench`'s profile, least CPU time of 5
//! calls; 2026-12-06, shared 2-core machine at load 4–5) on 100,000 rows × 20: the imported
//! 100-tree RandomForestRegressor went from 437 k rows/s (eight-row blocks) to 540 k (tiles
//! of 256 rows) and 794–824 k (tiles of 128, the one-comparison step, rows read as
//! `chunks_exact`), against onnxruntime-web's 192–200 k in the same runs; the soft-voting
//! RandomForestClassifier from 385–397 k to 675–721 k (onnxruntime-web 170–183 k); the
//! `forest` family's own 10-tree forest (20,000 rows × 50) from 3.1 M to 4.4–4.7 M. Tiles
//! of 64 rows scored as 128 did (801 k, 723 k); the single tree kept its eight-row blocks
//! (a tile of 64 was no faster there).

/// Rows walked together by one tree: the tree family's block.
pub(crate) const BLOCK: usize = 8;

/// Rows walked together by each tree of an ensemble (see the module docs: the tile).
pub(crate) const TILE: usize = 128;

/// One node: a row goes to `kids[1]` when `!(x < threshold)` — or, for a node that sends
/// missing values left, when `x >= threshold` — else to `kids[0]`. Leaves have a NaN
/// threshold and both children pointing at themselves; a split's NaN threshold is kept as
/// `-inf` (every number goes right, as in the row walk).
#[derive(Clone, Copy, Debug)]
struct Node {
    threshold: f64,
    feature: u32,
    missing_left: bool,
    kids: [u32; 2],
}

/// A tree laid out for batch walks (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct FlatTree {
    nodes: Vec<Node>,
    depth: usize,
    /// Some node sends missing values left (else every step is `!(x < threshold)`).
    missing_left: bool,
}

impl FlatTree {
    /// Lays out a validated tree (children after their parent, features in range):
    /// `missing[i]`, when given, is the child a missing value goes to.
    pub(crate) fn new(
        feature: &[usize],
        threshold: &[f64],
        left: &[i64],
        right: &[i64],
        missing: Option<&[i64]>,
    ) -> FlatTree {
        let n = left.len();
        let mut nodes = Vec::with_capacity(n);
        let mut depth = vec![0usize; n];
        let mut deepest = 0;
        for i in 0..n {
            let (l, r) = (left[i], right[i]);
            if l < 0 || r < 0 || l as usize >= n || r as usize >= n {
                nodes.push(Node {
                    threshold: f64::NAN,
                    feature: 0,
                    missing_left: false,
                    kids: [i as u32; 2],
                });
            } else {
                let d = depth[i] + 1;
                depth[l as usize] = d;
                depth[r as usize] = d;
                deepest = deepest.max(d);
                nodes.push(Node {
                    // the row walk sends every number right of a NaN threshold (`x < NaN`
                    // is false), as `x >= -inf` does; a missing value still goes its way
                    threshold: if threshold[i].is_nan() {
                        f64::NEG_INFINITY
                    } else {
                        threshold[i]
                    },
                    feature: feature[i] as u32,
                    missing_left: missing.is_some_and(|m| m[i] == l),
                    kids: [l as u32, r as u32],
                });
            }
        }
        FlatTree {
            missing_left: nodes.iter().any(|n| n.missing_left),
            nodes,
            depth: deepest,
        }
    }

    /// The leaves of `out.len()` rows (`rows` holds them, `cols` wide), written to `out`.
    #[inline]
    pub(crate) fn leaves(&self, rows: &[f64], cols: usize, out: &mut [u32]) {
        if self.missing_left {
            self.walk::<true>(rows, cols, out);
        } else {
            self.walk::<false>(rows, cols, out);
        }
    }

    /// [`Self::leaves`], for a tree where some node sends missing values left (`MISSING`)
    /// or none does.
    #[inline]
    fn walk<const MISSING: bool>(&self, rows: &[f64], cols: usize, out: &mut [u32]) {
        out.fill(0);
        let nodes = &self.nodes[..];
        for level in 0..self.depth {
            for (at, x) in out.iter_mut().zip(rows.chunks_exact(cols.max(1))) {
                let n = nodes[*at as usize];
                let v = x[n.feature as usize];
                // without a branch on the node's missing side: boosted trees mix both sides,
                // and a branch on it was mispredicted at every other level (for a number,
                // `v >= threshold` is `!(v < threshold)`; a NaN goes left only if told to).
                // With no node sending it left, one comparison: a NaN goes right.
                let right = if MISSING {
                    (v >= n.threshold) | (v.is_nan() & !n.missing_left)
                } else {
                    let left = v < n.threshold;
                    !left
                };
                *at = n.kids[right as usize];
            }
            // deep, uneven trees: stop once the whole block sits on leaves
            if level >= 8 && out.iter().all(|&at| nodes[at as usize].threshold.is_nan()) {
                break;
            }
        }
    }
}

/// Calls `f(first_row, block, rows_in_block)` for each block of `size` rows of `data`
/// (`cols` wide), the last block shorter.
#[inline]
pub(crate) fn blocks(
    data: &[f64],
    cols: usize,
    size: usize,
    mut f: impl FnMut(usize, &[f64], usize),
) {
    let rows = data.len() / cols.max(1);
    let mut start = 0;
    while start < rows {
        let n = size.max(1).min(rows - start);
        f(start, &data[start * cols..(start + n) * cols], n);
        start += n;
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A seeded generator (xorshift64) in [0, 1).
    pub(in crate::models::tree) fn uniform(s: &mut u64) -> f64 {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        (*s >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Node arrays of a tree grown leaf-wise (a random leaf split each time, so depths are
    /// uneven), thresholds by `draw`, `missing` drawn per split.
    #[allow(clippy::type_complexity)]
    pub(in crate::models::tree) fn tree(
        s: &mut u64,
        cols: usize,
        leaves: usize,
        draw: fn(&mut u64) -> f64,
    ) -> (Vec<usize>, Vec<f64>, Vec<i64>, Vec<i64>, Vec<i64>) {
        let (mut f, mut t, mut l, mut r, mut m) =
            (vec![0], vec![0.0], vec![-1], vec![-1], vec![-1]);
        let mut open = vec![0usize];
        while open.len() < leaves {
            let i = open.swap_remove((uniform(s) * open.len() as f64) as usize);
            let n = f.len() as i64;
            f[i] = (uniform(s) * cols as f64) as usize;
            t[i] = draw(s);
            (l[i], r[i]) = (n, n + 1);
            m[i] = if uniform(s) < 0.5 { n } else { n + 1 };
            for _ in 0..2 {
                f.push(0);
                t.push(0.0);
                l.push(-1);
                r.push(-1);
                m.push(-1);
            }
            open.extend([n as usize, n as usize + 1]);
        }
        (f, t, l, r, m)
    }

    /// The row walk the tree and boosting families score single rows with (a NaN goes right
    /// when no missing sides are given, as `!(NaN < t)` does).
    pub(in crate::models::tree) fn walk(
        f: &[usize],
        t: &[f64],
        l: &[i64],
        r: &[i64],
        m: Option<&[i64]>,
        x: &[f64],
    ) -> u32 {
        let mut i = 0;
        while l[i] >= 0 {
            let v = x[f[i]];
            i = match m {
                Some(m) if v.is_nan() => m[i],
                _ if v < t[i] => l[i],
                _ => r[i],
            } as usize;
        }
        i as u32
    }

    #[test]
    fn the_block_walk_reaches_the_row_walks_leaf() {
        let mut s = 0x2545F4914F6CDD1D;
        let cols = 5;
        // 300 rows: whole blocks and tiles and a short one of each; values on and off the
        // thresholds
        let rows: Vec<f64> = (0..300 * cols)
            .map(|_| match uniform(&mut s) {
                u if u < 0.15 => f64::NAN,
                u => (u * 5.0).floor() / 4.0,
            })
            .collect();
        for leaves in [1, 2, 3, 31, 200] {
            // quarter steps: ties with the rows' values; now and then a NaN threshold, which
            // the row walk passes to the right
            let (f, t, l, r, m) = tree(&mut s, cols, leaves, |s| match uniform(s) {
                u if u < 0.05 => f64::NAN,
                _ => (uniform(s) * 4.0).round() / 4.0,
            });
            // missing values: no sides (right), sides drawn per node, every side right
            // (the one-comparison walk, as in an imported scikit-learn forest)
            for (sides, missing) in [
                ("none", None),
                ("drawn", Some(&m[..])),
                ("right", Some(&r[..])),
            ] {
                let flat = FlatTree::new(&f, &t, &l, &r, missing);
                let want: Vec<u32> = rows
                    .chunks_exact(cols)
                    .map(|x| walk(&f, &t, &l, &r, missing, x))
                    .collect();
                for size in [BLOCK, TILE] {
                    let mut got = Vec::new();
                    let mut out = vec![0u32; size];
                    blocks(&rows, cols, size, |_, block, n| {
                        flat.leaves(block, cols, &mut out[..n]);
                        got.extend_from_slice(&out[..n]);
                    });
                    assert_eq!(
                        got, want,
                        "{leaves} leaves, {size} rows a block, missing sides {sides}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_node_reached_twice_keeps_its_children() {
        // 0 → (1, 2); 1 and 2 both → (3, 4): not a tree, but children after parents
        let f = [0, 1, 1, 0, 0];
        let t = [0.5, 0.5, 0.25, 0.0, 0.0];
        let l = [1, 3, 3, -1, -1];
        let r = [2, 4, 4, -1, -1];
        let flat = FlatTree::new(&f, &t, &l, &r, None);
        for x in [
            [0.0, 0.0],
            [0.0, 0.4],
            [0.9, 0.1],
            [0.9, 0.3],
            [f64::NAN, f64::NAN],
        ] {
            let mut out = [0u32];
            flat.leaves(&x, 2, &mut out);
            assert_eq!(out[0], walk(&f, &t, &l, &r, None, &x), "{x:?}");
        }
    }
}
