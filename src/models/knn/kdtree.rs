//! An exact k-nearest-neighbour search for small dimension: a k-d tree over the stored
//! points, built once per batch.
//!
//! Scoring a row by brute force costs one distance per stored point (`n·p`); for the
//! two-input tables of the playground, where the decision map scores a grid of thousands of
//! points against thousands of training rows, that was most of kNN's time. A k-d tree
//! (median splits on the widest axis, leaves of [`LEAF`] points) visits a few leaves per
//! row instead. It is built per batch (`n·log n`, a few hundred microseconds for 10,000
//! points) when the batch is large enough to pay for it ([`worth_it`]); single rows keep the
//! brute-force scan.
//!
//! The answer is exactly the brute-force scan's, neighbour for neighbour and in the same
//! order: the `k` smallest `(distance, stored index)` pairs, nearest first, ties by stored
//! order. Distances are the scorers' [`sq_l2`], so they are the same numbers; and a subtree
//! is skipped only when its bound `(q_axis − split)²` is *strictly* greater than the current
//! `k`-th distance, which is safe in floating point: for a point across the split,
//! `|x_axis − q_axis| ≥ |split − q_axis|` survives rounding (subtraction is monotone), and a
//! sum of non-negative terms is never below one of its terms. So ties are all visited and
//! ordered by index, as the scan orders them. Rows or points with a NaN or an infinity take
//! the scan (comparisons with NaN have no order to prune by).

use crate::score::sq_l2;

/// Points per leaf.
pub const LEAF: usize = 16;

/// Whether a batch of `rows` queries over `n` stored points of `p` features is worth a
/// tree: small dimension (pruning works), enough points, and enough rows to repay the build.
pub fn worth_it(p: usize, n: usize, rows: usize) -> bool {
    p <= 8 && n >= 4 * LEAF && rows >= 16
}

/// A node: a leaf holds `order[start..end]`; an inner node splits on `axis` at `split`,
/// its children at `left` and `right`.
#[derive(Debug)]
struct Node {
    start: usize,
    end: usize,
    axis: usize,
    split: f64,
    left: usize,
    right: usize,
}

const NO_AXIS: usize = usize::MAX;

/// The tree over `points` (`n × p` row-major).
#[derive(Debug)]
pub struct KdTree<'a> {
    points: &'a [f64],
    p: usize,
    order: Vec<usize>,
    nodes: Vec<Node>,
}

impl<'a> KdTree<'a> {
    /// Builds the tree, or `None` when a stored point is not finite.
    pub fn new(points: &'a [f64], p: usize) -> Option<KdTree<'a>> {
        if p == 0 || points.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let n = points.len() / p;
        let mut tree = KdTree {
            points,
            p,
            order: (0..n).collect(),
            nodes: Vec::with_capacity(2 * n / LEAF + 1),
        };
        tree.build(0, n);
        Some(tree)
    }

    fn coord(&self, i: usize, axis: usize) -> f64 {
        self.points[i * self.p + axis]
    }

    /// Builds the node over `order[start..end]`; returns its index.
    fn build(&mut self, start: usize, end: usize) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            start,
            end,
            axis: NO_AXIS,
            split: 0.0,
            left: 0,
            right: 0,
        });
        if end - start <= LEAF {
            return id;
        }
        // the widest axis
        let (mut axis, mut width) = (0, -1.0);
        for a in 0..self.p {
            let (lo, hi) = self.order[start..end]
                .iter()
                .map(|&i| self.coord(i, a))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                    (l.min(v), h.max(v))
                });
            if hi - lo > width {
                (axis, width) = (a, hi - lo);
            }
        }
        if width <= 0.0 {
            return id; // all points equal: a leaf
        }
        let mid = start + (end - start) / 2;
        let (points, p) = (self.points, self.p);
        self.order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            points[a * p + axis].total_cmp(&points[b * p + axis])
        });
        let split = self.coord(self.order[mid], axis);
        let left = self.build(start, mid);
        let right = self.build(mid, end);
        let node = &mut self.nodes[id];
        (node.axis, node.split, node.left, node.right) = (axis, split, left, right);
        id
    }

    /// The `k` nearest stored points to `q` as `(distance, index)`, nearest first, ties by
    /// index, into `best` (cleared first); `None` when `q` is not finite (use the scan).
    pub fn nearest(&self, q: &[f64], k: usize, best: &mut Vec<(f64, usize)>) -> Option<()> {
        if q.len() != self.p || q.iter().any(|v| !v.is_finite()) {
            return None;
        }
        best.clear();
        if k > 0 && !self.nodes.is_empty() {
            self.search(0, q, k, best);
        }
        Some(())
    }

    fn search(&self, id: usize, q: &[f64], k: usize, best: &mut Vec<(f64, usize)>) {
        let node = &self.nodes[id];
        if node.axis == NO_AXIS {
            for &i in &self.order[node.start..node.end] {
                let d = sq_l2(q, &self.points[i * self.p..(i + 1) * self.p]);
                insert(best, k, d, i);
            }
            return;
        }
        let diff = q[node.axis] - node.split;
        let (near, far) = if diff < 0.0 {
            (node.left, node.right)
        } else {
            (node.right, node.left)
        };
        self.search(near, q, k, best);
        let bound = diff * diff;
        if best.len() < k || best.last().is_some_and(|&(worst, _)| bound <= worst) {
            self.search(far, q, k, best);
        }
    }
}

/// Inserts `(d, i)` into the sorted `best` (by distance, then index), keeping at most `k`.
#[inline]
pub fn insert(best: &mut Vec<(f64, usize)>, k: usize, d: f64, i: usize) {
    if best.len() == k && best.last().is_some_and(|&w| (d, i) >= w) {
        return;
    }
    let pos = best.partition_point(|&(bd, bi)| bd < d || (bd == d && bi < i));
    best.insert(pos, (d, i));
    best.truncate(k);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The brute-force scan the tree must equal.
    fn scan(points: &[f64], p: usize, q: &[f64], k: usize) -> Vec<(f64, usize)> {
        let mut best = Vec::new();
        for (i, pt) in points.chunks_exact(p).enumerate() {
            insert(&mut best, k, sq_l2(q, pt), i);
        }
        best
    }

    #[test]
    fn equals_the_scan_with_ties_and_duplicates() {
        let mut s = 12345u64;
        let mut u = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        for p in [1, 2, 3, 8] {
            // a coarse grid makes many equal distances; the copies make equal points
            let mut points: Vec<f64> = (0..500 * p).map(|_| (u() * 10.0).round()).collect();
            let copy = points[..50 * p].to_vec();
            points.extend(copy);
            let tree = KdTree::new(&points, p).unwrap();
            let mut best = Vec::new();
            for _ in 0..200 {
                let q: Vec<f64> = (0..p).map(|_| (u() * 12.0 - 1.0).round()).collect();
                for k in [1, 5, 17] {
                    tree.nearest(&q, k, &mut best).unwrap();
                    assert_eq!(best, scan(&points, p, &q, k), "p={p}, k={k}, q={q:?}");
                }
            }
        }
    }

    #[test]
    fn refuses_what_it_cannot_order() {
        assert!(KdTree::new(&[0.0, f64::NAN], 1).is_none());
        let tree = KdTree::new(&[0.0, 1.0, 2.0], 1).unwrap();
        assert!(tree.nearest(&[f64::NAN], 1, &mut Vec::new()).is_none());
    }
}
