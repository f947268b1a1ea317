//! QuickScorer-style batch scoring of ensembles of small trees (Lucchese et al., "QuickScorer:
//! a fast algorithm to rank documents with additive ensembles of regression trees", 2015).
//!
//! # Why
//!
//! The block walk ([`super::flat`]) takes as many levels per block of rows as the tree is
//! deep. Boosted trees grow leaf-wise, so 31 leaves make uneven trees: the deepest path is
//! often twice the average one, and every row of a block pays for it. 100 such trees cost
//! about 26 ns per tree per row in Wasm (380 k rows/s on 100k × 20), little better than
//! scikit-learn's and LightGBM's native `predict_proba`.
//!
//! QuickScorer walks no tree. Every tree of at most 64 leaves gets a 64-bit word whose bit
//! `p` stands for its `p`-th leaf from the left, all set at first. A node whose test sends
//! the row right rules out every leaf of its left subtree, a contiguous run of bits; once
//! every such node has cleared its run, the row's leaf is the lowest bit still set (the
//! leftmost leaf no node ruled out is the one the walk reaches: the walk turns right at
//! exactly those nodes on its path, and every leaf left of the path lies in the left subtree
//! of one of them). The nodes are grouped by feature and sorted by threshold, so for a row
//! the nodes that send it right are, per feature, a prefix of that feature's list: those with
//! `threshold <= x` (the walk's `!(x < threshold)`). A row's work is one scan per feature
//! along that prefix, one `and` per node, stopping at the first threshold above the value,
//! with no data-dependent load chain. (A first version, with a binary search for the
//! prefix's length and boosting's leaf values read through each tree, ran at 381–421 k rows/s
//! in Wasm against 491–494 k for this one, 100 trees of 31 leaves, by CPU time; the two
//! changes were not measured apart.)
//! A missing value (NaN) instead clears the runs of that feature's nodes whose missing side
//! is the right one (a list of its own), as the walk's missing rule does.
//!
//! The leaf is the one the walk reaches, exactly, so the scores keep their bits; the module's
//! tests check it against the row walk with values on the thresholds, ±0, ±inf, NaN,
//! subnormals and both missing sides. Trees of more than 64 leaves (or node arrays that are
//! not trees, which validation allows) keep the block walk: [`QuickForest::new`] answers
//! `None` for them.

/// The ensemble laid out for QuickScorer (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct QuickForest {
    /// Per feature `f`, its nodes are `starts[f]..starts[f + 1]` of `nodes`, sorted by
    /// threshold (all numbers: a tree with a NaN threshold is not laid out).
    starts: Vec<u32>,
    nodes: Vec<Split>,
    /// Per feature, the nodes a missing value turns right: `nan_starts[f]..nan_starts[f + 1]`.
    nan_starts: Vec<u32>,
    nan_trees: Vec<u32>,
    nan_masks: Vec<u64>,
    /// Per tree `t`, `leaves[64 * t + p]` is the node index of its `p`-th leaf from the left.
    leaves: Vec<u32>,
}

/// One split node: the row goes right when `threshold <= x`; then `mask` clears its left
/// subtree's leaves from tree `tree`'s word.
#[derive(Clone, Copy, Debug)]
struct Split {
    threshold: f64,
    mask: u64,
    tree: u32,
}

/// One node's entry before grouping: feature, threshold, tree, mask, missing goes right.
pub(super) type Entry = (usize, f64, u32, u64, bool);

impl QuickForest {
    /// Lays out trees given as `(feature, threshold, left, right, missing)` node arrays (the
    /// walk's rule: right when `!(x < threshold)`, a NaN to `missing[i]`, or right when no
    /// missing sides are given). `None` when a tree has more than 64 leaves, is not a tree, or
    /// has a NaN threshold.
    pub(crate) fn new<'a>(
        trees: impl ExactSizeIterator<Item = TreeArrays<'a>>,
    ) -> Option<QuickForest> {
        let n_trees = trees.len();
        let mut entries: Vec<Entry> = Vec::new();
        let mut leaves = vec![0u32; 64 * n_trees];
        let mut width = 0;
        for (t, tree) in trees.enumerate() {
            let before = entries.len();
            lay_out(
                &tree,
                t as u32,
                &mut entries,
                &mut leaves[64 * t..64 * (t + 1)],
            )?;
            width = entries[before..]
                .iter()
                .map(|e| e.0 + 1)
                .fold(width, usize::max);
        }
        // grouped by feature, in threshold order (-0 and +0 tie, as `<=` has them)
        entries.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.partial_cmp(&b.1).unwrap_or(core::cmp::Ordering::Equal))
        });
        let mut q = QuickForest {
            starts: Vec::with_capacity(width + 1),
            nodes: Vec::with_capacity(entries.len()),
            nan_starts: Vec::with_capacity(width + 1),
            nan_trees: Vec::new(),
            nan_masks: Vec::new(),
            leaves,
        };
        let mut at = 0;
        for f in 0..width {
            q.starts.push(q.nodes.len() as u32);
            q.nan_starts.push(q.nan_trees.len() as u32);
            while let Some(&(ef, threshold, tree, mask, nan_right)) = entries.get(at) {
                if ef != f {
                    break;
                }
                q.nodes.push(Split {
                    threshold,
                    mask,
                    tree,
                });
                if nan_right {
                    q.nan_trees.push(tree);
                    q.nan_masks.push(mask);
                }
                at += 1;
            }
        }
        q.starts.push(q.nodes.len() as u32);
        q.nan_starts.push(q.nan_trees.len() as u32);
        Some(q)
    }

    /// Features the layout reads (one past the largest split feature).
    pub(crate) fn width(&self) -> usize {
        self.starts.len() - 1
    }

    /// Each tree's word for row `x` into `bits` (one per tree): its lowest set bit `p` is
    /// the tree's leaf, node `self.leaf_nodes()[64 * t + p]`. `x` must hold at least
    /// [`Self::width`] values.
    #[inline]
    pub(crate) fn words(&self, x: &[f64], bits: &mut [u64]) {
        bits.fill(u64::MAX);
        for (f, &v) in x[..self.width()].iter().enumerate() {
            if v.is_nan() {
                let (s, e) = (self.nan_starts[f] as usize, self.nan_starts[f + 1] as usize);
                for (&t, &m) in self.nan_trees[s..e].iter().zip(&self.nan_masks[s..e]) {
                    bits[t as usize] &= m;
                }
                continue;
            }
            let (s, e) = (self.starts[f] as usize, self.starts[f + 1] as usize);
            // the nodes that send `v` right: those with `threshold <= v`, a prefix
            for n in &self.nodes[s..e] {
                if n.threshold > v {
                    break;
                }
                bits[n.tree as usize] &= n.mask;
            }
        }
    }

    /// Per tree `t`, `[64 * t + p]` is the node index of its `p`-th leaf from the left (0
    /// past its last leaf).
    pub(crate) fn leaf_nodes(&self) -> &[u32] {
        &self.leaves
    }

    /// The leaf (node index) each tree sends row `x` to, tree by tree into `out`
    /// (`out.len()` is the number of trees; `bits` is scratch of the same length).
    #[cfg(test)]
    fn leaves(&self, x: &[f64], bits: &mut [u64], out: &mut [u32]) {
        self.words(x, bits);
        for (t, (o, &b)) in out.iter_mut().zip(bits.iter()).enumerate() {
            // the rightmost leaf is in no left subtree, so some bit below 64 is always set
            *o = self.leaves[64 * t + (b.trailing_zeros() as usize & 63)];
        }
    }
}

/// One tree's node arrays: feature, threshold, left, right, and the missing-value child.
pub(crate) type TreeArrays<'a> = (
    &'a [usize],
    &'a [f64],
    &'a [i64],
    &'a [i64],
    Option<&'a [i64]>,
);

/// Numbers the leaves reachable from the root left to right into `leaves` and pushes one
/// entry per internal node with the run of its left subtree's leaves cleared; the number of
/// leaves, or `None` when there are more than 64 leaves or a node is reached twice.
pub(super) fn lay_out(
    &(feature, threshold, left, right, missing): &TreeArrays,
    tree: u32,
    entries: &mut Vec<Entry>,
    leaves: &mut [u32],
) -> Option<usize> {
    let n = left.len();
    let mut seen = vec![false; n];
    // first leaf of each internal node's left and right subtrees, filled on the way back
    let mut next_leaf = 0usize;
    // (node, children done): in order, left subtree, node, right subtree
    let mut stack = vec![(0usize, false)];
    let mut first_right = vec![0usize; n];
    let mut first = vec![0usize; n];
    while let Some((i, done)) = stack.pop() {
        let (l, r) = (*left.get(i)?, *right.get(i)?);
        let internal = l >= 0 && r >= 0 && (l as usize) < n && (r as usize) < n;
        if !done {
            if seen[i] {
                return None;
            }
            seen[i] = true;
            first[i] = next_leaf;
            if !internal {
                *leaves.get_mut(next_leaf)? = i as u32;
                next_leaf += 1;
                continue;
            }
            stack.push((r as usize, false));
            stack.push((i, true));
            stack.push((l as usize, false));
        } else {
            // the left subtree is numbered: its leaves are first[i]..next_leaf
            first_right[i] = next_leaf;
        }
    }
    for i in 0..n {
        let (l, r) = (left[i], right[i]);
        if !seen[i] || l < 0 || r < 0 || l as usize >= n || r as usize >= n {
            continue;
        }
        let (a, b) = (first[i], first_right[i]); // 1 ≤ b - a ≤ 63: the right side has a leaf
        let run = ((1u64 << (b - a)) - 1) << a;
        let nan_right = missing.is_none_or(|m| m[i] != l);
        let t = *threshold.get(i)?;
        if t.is_nan() {
            return None;
        }
        entries.push((*feature.get(i)?, t, tree, !run, nan_right));
    }
    Some(next_leaf)
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::flat::tests::{tree, uniform, walk};
    use super::*;

    /// The thresholds and values the comparisons must get right.
    pub(in crate::models::tree) const UGLY: [f64; 12] = [
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        1.0,
        -1.0,
        0.25,
        f64::MAX,
    ];

    /// One of [`UGLY`].
    pub(in crate::models::tree) fn pick(s: &mut u64) -> f64 {
        UGLY[(uniform(s) * UGLY.len() as f64) as usize]
    }

    #[test]
    fn every_row_reaches_the_row_walks_leaf() {
        let mut s = 0x2545F4914F6CDD1D;
        let cols = 4;
        let rows: Vec<Vec<f64>> = (0..400)
            .map(|_| {
                (0..cols)
                    .map(|_| match uniform(&mut s) {
                        u if u < 0.15 => f64::NAN,
                        u if u < 0.6 => pick(&mut s),
                        u => (u - 0.8) * 4.0,
                    })
                    .collect()
            })
            .collect();
        for missing in [false, true] {
            let trees: Vec<_> = [1, 2, 3, 17, 31, 63, 64]
                .iter()
                .map(|&n| tree(&mut s, cols, n, pick))
                .collect();
            let arrays = trees
                .iter()
                .map(|(f, t, l, r, m)| (&f[..], &t[..], &l[..], &r[..], missing.then_some(&m[..])));
            let q = QuickForest::new(arrays).expect("trees of at most 64 leaves");
            let mut bits = vec![0; trees.len()];
            let mut got = vec![0; trees.len()];
            for x in &rows {
                q.leaves(x, &mut bits, &mut got);
                for (k, (f, t, l, r, m)) in trees.iter().enumerate() {
                    let m = missing.then_some(&m[..]);
                    assert_eq!(got[k], walk(f, t, l, r, m, x), "tree {k}, row {x:?}");
                }
            }
        }
    }

    #[test]
    fn big_trees_and_shared_nodes_keep_the_block_walk() {
        let mut s = 7;
        let (f, t, l, r, _) = tree(&mut s, 3, 65, pick);
        assert!(QuickForest::new([(&f[..], &t[..], &l[..], &r[..], None)].into_iter()).is_none());
        // 0 → (1, 2); 1 and 2 both → (3, 4): children after parents, but not a tree
        let f = [0, 1, 1, 0, 0];
        let t = [0.5, 0.5, 0.25, 0.0, 0.0];
        let l = [1, 3, 3, -1, -1];
        let r = [2, 4, 4, -1, -1];
        assert!(QuickForest::new([(&f[..], &t[..], &l[..], &r[..], None)].into_iter()).is_none());
        // a NaN threshold (the row walk and the block walk read it differently)
        let (f, t, l, r) = ([0, 0, 0], [f64::NAN, 0.0, 0.0], [1, -1, -1], [2, -1, -1]);
        assert!(QuickForest::new([(&f[..], &t[..], &l[..], &r[..], None)].into_iter()).is_none());
    }
}
