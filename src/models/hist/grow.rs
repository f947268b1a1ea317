//! Growing one tree on binned rows: histograms, sibling subtraction, the split scan and
//! the order in which leaves are split (see the module docs of [`super`]).
//!
//! Each row brings `stride` numbers (its "stats"): boosting's gradient, hessian and a 1
//! (the row count), or a tree's class weights (the bootstrap count in the row's class).
//! A node's histogram holds, per feature and bin, the sum of its rows' stats.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use rand::rngs::StdRng;

use super::{Binned, Bins};

mod build;
mod scan;

use build::{build_all, build_classes, build_some};

/// How a split is scored, from the stats summed on each side.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Criterion {
    /// Second-order boosting: stats `(g, h, n)`; a side scores `g² / (h + l2)`, and each
    /// side needs a hessian of at least `min_hessian`. With `unit_hessian` (squared error,
    /// whose hessian is 1 for every row) the stats are `(g, n)`: the hessian sum is the row
    /// count, the same bits (sums of ones are exact), and a histogram adds two numbers per
    /// row and feature instead of three.
    Gradient {
        /// L2 penalty on leaf values.
        l2: f64,
        /// The least hessian a child may have.
        min_hessian: f64,
        /// Every row's hessian is 1, and the stats are `(g, n)`.
        unit_hessian: bool,
    },
    /// Gini impurity over `k` class weights: a side scores `Σ c² / n` (so the gain is the
    /// decrease of the weighted impurity `n · gini`).
    Gini,
    /// Entropy over `k` class weights: a side scores `Σ c ln c − n ln n` (`−n · H`, nats).
    Entropy,
}

impl Criterion {
    /// The score of a side with these stats (higher is purer).
    #[inline]
    fn score(self, s: &[f64]) -> f64 {
        match self {
            Criterion::Gradient { l2, .. } => {
                let d = s[1] + l2;
                if d > 0.0 {
                    s[0] * s[0] / d
                } else {
                    0.0
                }
            }
            Criterion::Gini => {
                let n: f64 = s.iter().sum();
                if n > 0.0 {
                    s.iter().map(|c| c * c).sum::<f64>() / n
                } else {
                    0.0
                }
            }
            Criterion::Entropy => {
                let xlnx = |c: f64| if c > 0.0 { c * libm::log(c) } else { 0.0 };
                let n: f64 = s.iter().sum();
                s.iter().map(|&c| xlnx(c)).sum::<f64>() - xlnx(n)
            }
        }
    }

    /// The rows (or row weight) in stats `s`.
    #[inline]
    pub(crate) fn count(self, s: &[f64]) -> f64 {
        match self {
            Criterion::Gradient { unit_hessian, .. } => s[if unit_hessian { 1 } else { 2 }],
            _ => s.iter().sum(),
        }
    }

    /// Whether a child with stats `s` may be made.
    #[inline]
    fn child_ok(self, s: &[f64], min_leaf: f64) -> bool {
        let enough = self.count(s) >= min_leaf;
        match self {
            Criterion::Gradient { min_hessian, .. } => enough && s[1] >= min_hessian,
            _ => enough,
        }
    }

    /// Whether no split of a node with stats `s` can gain (a pure node of a tree).
    fn pure(self, s: &[f64]) -> bool {
        match self {
            Criterion::Gradient { .. } => false,
            _ => s.iter().filter(|&&c| c > 0.0).count() <= 1,
        }
    }
}

/// The limits of one tree's growth.
#[derive(Clone, Debug)]
pub(crate) struct GrowParams {
    /// Leaves at most (`usize::MAX`: unlimited, grown depth first; otherwise best first).
    pub max_leaves: usize,
    /// Depth at most (0: unlimited).
    pub max_depth: usize,
    /// Row weight each child needs at least.
    pub min_leaf: f64,
    /// Row weight a node needs to be split.
    pub min_split: f64,
    /// Gain a split needs, strictly more than.
    pub min_gain: f64,
    /// The features this tree may split on, ascending.
    pub features: Vec<usize>,
    /// Draw this many of `features` afresh for each node (the forest's per-split subset);
    /// `None` searches them all (and enables sibling subtraction).
    pub per_split: Option<usize>,
}

/// A node of a grown tree, in bin space.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GNode {
    /// The split feature (internal nodes).
    pub feature: usize,
    /// Bins `0..=bin` of `feature` go left.
    pub bin: u8,
    /// Whether missing values go left.
    pub missing_left: bool,
    /// The children, `None` for a leaf.
    pub children: Option<(usize, usize)>,
    /// The stats summed over the node's rows.
    pub stats: Vec<f64>,
    /// The split's gain (0 for leaves).
    pub gain: f64,
    /// The node's rows: `Grown::rows[start..end]`.
    pub start: usize,
    /// End of the node's rows.
    pub end: usize,
    /// Depth (the root is 0).
    pub depth: usize,
}

/// A grown tree: nodes (children after their parent) and the row indices, partitioned so
/// that every node's rows are one range.
#[derive(Clone, Debug)]
pub(crate) struct Grown {
    /// Nodes; node 0 is the root.
    pub nodes: Vec<GNode>,
    /// Row indices, grouped by node.
    pub rows: Vec<u32>,
}

impl Grown {
    /// The tree without its row indices (kept by the trainers' references).
    pub(crate) fn without_rows(mut self) -> Grown {
        self.rows = Vec::new();
        self
    }

    /// The leaf that a row of bin codes reaches (walked in bin space: the trainer's own
    /// path, independent of the thresholds the artifact stores).
    pub(crate) fn leaf_of(&self, codes: &[u8], bins: &Bins) -> usize {
        let mut i = 0;
        while let Some((l, r)) = self.nodes[i].children {
            let n = &self.nodes[i];
            let code = codes[n.feature];
            let missing = code as usize == bins.value_bins(n.feature);
            let left = if missing {
                n.missing_left
            } else {
                code <= n.bin
            };
            i = if left { l } else { r };
        }
        i
    }
}

/// Row indices and their stats, the input of [`grow`].
pub(crate) struct Partition<'a> {
    /// The binned training rows.
    pub binned: &'a Binned,
    /// Stats per row, `rows × stride` (rows outside `rows` are never read).
    pub stats: &'a [f64],
    /// Numbers per row.
    pub stride: usize,
    /// The rows of this tree (ascending; a row listed once, its weight in its stats).
    pub rows: Vec<u32>,
}

/// A node's best split.
#[derive(Clone, Debug)]
struct Split {
    feature: usize,
    bin: u8,
    missing_left: bool,
    gain: f64,
    left: Vec<f64>,
}

/// A leaf waiting to be split: its best split and, in full mode, its histogram.
struct Candidate {
    node: usize,
    split: Split,
    hist: Option<Vec<f64>>,
}

/// A gain ordered for the best-first queue: higher gain first, then the older node.
#[derive(PartialEq)]
struct Key(f64, Reverse<usize>);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

/// Histograms kept for waiting leaves at most (in `f64`s, 128 MB): past it a leaf keeps
/// none, and its children are built from their rows instead of by subtraction.
const HIST_BUDGET: usize = 16 << 20;

/// Histograms no longer read, kept for the next ones (of this tree or of the next trees
/// grown with the same pool): a node's histogram is `slots × stride` numbers (300 KB on
/// the 50-feature table), and a fresh one costs an allocation, the kernel's zeroed pages
/// and their faults; a kept one costs its zeroing alone. Boosting grows its hundreds of
/// trees with one pool.
#[derive(Default)]
pub(crate) struct Pool(Vec<Vec<f64>>);

/// Histograms a pool keeps at most (a tree of 31 leaves holds about as many at once).
const POOL_MAX: usize = 64;

/// Grows one tree. `rng` draws the per-split feature subsets (unused without them).
pub(crate) fn grow(
    data: Partition<'_>,
    criterion: Criterion,
    params: &GrowParams,
    rng: &mut StdRng,
) -> Grown {
    grow_pooled(data, criterion, params, rng, &mut Pool::default())
}

/// [`grow`], taking its histograms' buffers from `pool` and giving them back.
pub(crate) fn grow_pooled(
    data: Partition<'_>,
    criterion: Criterion,
    params: &GrowParams,
    rng: &mut StdRng,
    pool: &mut Pool,
) -> Grown {
    let Partition {
        binned,
        stats,
        stride,
        rows,
    } = data;
    let mut g = Grower {
        binned,
        stats,
        stride,
        criterion,
        params,
        scratch: vec![0.0; 3 * stride],
        hist_len: binned.slots() * stride,
        live: 0,
        work: Vec::new(),
        spare: std::mem::take(&mut pool.0),
    };
    let mut total = vec![0.0; stride];
    for &r in &rows {
        let s = &stats[r as usize * stride..][..stride];
        for (t, v) in total.iter_mut().zip(s) {
            *t += v;
        }
    }
    let n = rows.len();
    let mut tree = Grown {
        nodes: vec![GNode {
            feature: 0,
            bin: 0,
            missing_left: false,
            children: None,
            stats: total,
            gain: 0.0,
            start: 0,
            end: n,
            depth: 0,
        }],
        rows,
    };
    let best_first = params.max_leaves != usize::MAX;
    let mut heap: BinaryHeap<(Key, usize)> = BinaryHeap::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut waiting: Vec<Option<Candidate>> = Vec::new();
    let root_hist = g.full().then(|| g.build(&tree, 0, None));
    if let Some(c) = g.candidate(&tree, 0, root_hist, rng) {
        g.wait(c, &mut waiting, &mut heap, &mut stack, best_first);
    }
    let mut leaves = 1usize;
    while leaves < params.max_leaves {
        let next = if best_first {
            heap.pop().map(|(_, i)| i)
        } else {
            stack.pop()
        };
        let Some(slot) = next else { break };
        let Some(c) = waiting[slot].take() else {
            continue;
        };
        if c.hist.is_some() {
            g.live -= 1;
        }
        let (l, r) = g.apply(&mut tree, &c);
        leaves += 1;
        // the last split a tree may make: its children will not be split, so their
        // histograms and best splits would be weighed for nothing (in full mode no draw
        // is made for them, so skipping them leaves the random stream as it was)
        if leaves >= params.max_leaves && g.full() {
            if let Some(parent) = c.hist {
                g.recycle(parent);
            }
            break;
        }
        // the children's histograms: the smaller from its rows, the larger by subtraction;
        // none for a child that may not be split (at the depth limit, too few rows, pure),
        // whose histogram no one would read
        let (split_l, split_r) = (g.may_split(&tree.nodes[l]), g.may_split(&tree.nodes[r]));
        let (hl, hr) = match c.hist {
            Some(parent) if !split_l && !split_r => {
                g.recycle(parent);
                (None, None)
            }
            _ if !split_l && !split_r => (None, None),
            Some(mut parent) if g.full() => {
                let small = if tree.nodes[l].end - tree.nodes[l].start
                    <= tree.nodes[r].end - tree.nodes[r].start
                {
                    l
                } else {
                    r
                };
                let hs = g.build(&tree, small, None);
                // the larger child by subtraction, when it may be split (built the same way
                // whether or not its sibling may be, so the sums are those of every build)
                let large = if small == l { split_r } else { split_l };
                let hlarge = if large {
                    for (p, s) in parent.iter_mut().zip(&hs) {
                        *p -= s;
                    }
                    Some(parent)
                } else {
                    g.recycle(parent);
                    None
                };
                let small_splits = if small == l { split_l } else { split_r };
                let hs = if small_splits {
                    Some(hs)
                } else {
                    g.recycle(hs);
                    None
                };
                if small == l {
                    (hs, hlarge)
                } else {
                    (hlarge, hs)
                }
            }
            Some(_) | None if g.full() => (
                split_l.then(|| g.build(&tree, l, None)),
                split_r.then(|| g.build(&tree, r, None)),
            ),
            _ => (None, None),
        };
        // right is pushed first, so that depth-first growth takes the left child next
        for (child, hist) in [(r, hr), (l, hl)] {
            if let Some(c) = g.candidate(&tree, child, hist, rng) {
                g.wait(c, &mut waiting, &mut heap, &mut stack, best_first);
            }
        }
    }
    for h in waiting.into_iter().flatten().filter_map(|c| c.hist) {
        g.recycle(h);
    }
    pool.0 = g.spare;
    tree
}

struct Grower<'a> {
    binned: &'a Binned,
    stats: &'a [f64],
    stride: usize,
    criterion: Criterion,
    params: &'a GrowParams,
    /// Left, right and parent stats of the split scan.
    scratch: Vec<f64>,
    /// Histogram buffers no longer read (see [`Pool`]).
    spare: Vec<Vec<f64>>,
    /// Length of one histogram.
    hist_len: usize,
    /// Waiting leaves that hold a histogram.
    live: usize,
    /// The histogram buffer of per-split feature draws, reused from node to node.
    work: Vec<f64>,
}

impl Grower<'_> {
    /// Keeps a histogram no longer read for the next [`Self::build`].
    fn recycle(&mut self, h: Vec<f64>) {
        if self.spare.len() < POOL_MAX {
            self.spare.push(h);
        }
    }

    /// Full mode: every node's histogram covers the tree's features, so subtraction works.
    fn full(&self) -> bool {
        self.params.per_split.is_none()
    }

    fn wait(
        &mut self,
        mut c: Candidate,
        waiting: &mut Vec<Option<Candidate>>,
        heap: &mut BinaryHeap<(Key, usize)>,
        stack: &mut Vec<usize>,
        best_first: bool,
    ) {
        if c.hist.is_some() {
            if (self.live + 1).saturating_mul(self.hist_len) > HIST_BUDGET {
                if let Some(h) = c.hist.take() {
                    self.recycle(h);
                }
            } else {
                self.live += 1;
            }
        }
        let slot = waiting.len();
        if best_first {
            heap.push((Key(c.split.gain, Reverse(c.node)), slot));
        } else {
            stack.push(slot);
        }
        waiting.push(Some(c));
    }

    /// The node's best split, if it may and can be split (with the histogram it was found
    /// on, kept for its children in full mode).
    fn candidate(
        &mut self,
        tree: &Grown,
        node: usize,
        hist: Option<Vec<f64>>,
        rng: &mut StdRng,
    ) -> Option<Candidate> {
        let n = &tree.nodes[node];
        let p = self.params;
        if !self.may_split(n) {
            if let Some(h) = hist {
                self.recycle(h);
            }
            return None;
        }
        let (hist, features) = match p.per_split {
            Some(k) => {
                // a histogram of the drawn features only, in a buffer kept from node to
                // node: zeroing every feature's slots for each node cost more than the sums
                let picked = draw(&p.features, k, rng);
                let mut work = std::mem::take(&mut self.work);
                work.resize(self.hist_len, 0.0);
                for &f in &picked {
                    let s = self.stride;
                    let o = self.binned.offsets[f] * s..self.binned.offsets[f + 1] * s;
                    work[o].fill(0.0);
                }
                self.build_into(tree, node, &picked, &mut work);
                let split = self.best_split(&work, &n.stats, &picked);
                self.work = work;
                return split.map(|split| Candidate {
                    node,
                    split,
                    hist: None,
                });
            }
            None => (
                hist.unwrap_or_else(|| self.build(tree, node, None)),
                p.features.clone(),
            ),
        };
        let Some(split) = self.best_split(&hist, &n.stats, &features) else {
            self.recycle(hist);
            return None;
        };
        let keep = self.full().then_some(hist);
        Some(Candidate {
            node,
            split,
            hist: keep,
        })
    }

    /// Whether a node may be split: under the depth limit, enough rows, not pure.
    fn may_split(&self, n: &GNode) -> bool {
        let p = self.params;
        let count = self.criterion.count(&n.stats);
        !((p.max_depth > 0 && n.depth >= p.max_depth)
            || count < p.min_split
            || count < 2.0 * p.min_leaf
            || self.criterion.pure(&n.stats))
    }

    /// The histogram of a node's rows over `features` (all of the tree's when `None`).
    fn build(&mut self, tree: &Grown, node: usize, features: Option<&[usize]>) -> Vec<f64> {
        let mut hist = match self.spare.pop() {
            Some(mut h) if h.len() == self.hist_len => {
                h.fill(0.0);
                h
            }
            _ => vec![0.0; self.hist_len],
        };
        self.build_into(
            tree,
            node,
            features.unwrap_or(&self.params.features),
            &mut hist,
        );
        hist
    }

    /// Adds a node's rows into `hist` (zero in `features`' slots) over `features`.
    fn build_into(&self, tree: &Grown, node: usize, features: &[usize], hist: &mut [f64]) {
        let n = &tree.nodes[node];
        let rows = &tree.rows[n.start..n.end];
        let b = self.binned;
        let all = features.len() == b.cols;
        match (self.criterion, self.stride, all) {
            (Criterion::Gini | Criterion::Entropy, k, _) => {
                build_classes(b, self.stats, k, rows, hist, features)
            }
            (_, 2, true) => build_all::<2>(b, self.stats, rows, hist),
            (_, 3, true) => build_all::<3>(b, self.stats, rows, hist),
            (_, s, true) => build_some(b, self.stats, s, rows, hist, None),
            (_, s, false) => build_some(b, self.stats, s, rows, hist, Some(features)),
        }
    }

    /// Splits a node: partitions its rows (stably) and appends its two children.
    fn apply(&self, tree: &mut Grown, c: &Candidate) -> (usize, usize) {
        let sp = &c.split;
        let node = c.node;
        let (start, end, depth) = {
            let n = &tree.nodes[node];
            (n.start, n.end, n.depth)
        };
        let nb = self.binned.bins.value_bins(sp.feature);
        let n = self.binned.rows;
        // the split feature's codes, column-major: the node's rows ascend, so these reads do
        let codes = &self.binned.by_column[sp.feature * n..(sp.feature + 1) * n];
        // without a branch: the missing bin is above every value bin, so a row goes left
        // when its code is at most the split's bin, or it is missing and missing goes left.
        // A row's side is a coin toss to the branch predictor; with the branch, this loop
        // was a fifth of the binary table's time in `grow` under `perf`.
        let (bin, missing) = (sp.bin, nb as u8);
        let missing_left = sp.missing_left;
        let goes_left = |r: u32| {
            let code = codes.get(r as usize).copied().unwrap_or(missing);
            (code <= bin) | ((code == missing) & missing_left)
        };
        let range = &mut tree.rows[start..end];
        // each row is written to both lists and only the right one's end moves on
        let mut rights = vec![0u32; range.len()];
        let (mut at, mut rt) = (0, 0);
        for i in 0..range.len() {
            let r = range[i];
            let left = goes_left(r);
            range[at] = r;
            rights[rt] = r;
            at += usize::from(left);
            rt += usize::from(!left);
        }
        range[at..].copy_from_slice(&rights[..rt]);
        let mid = start + at;
        let right_stats: Vec<f64> = tree.nodes[node]
            .stats
            .iter()
            .zip(&sp.left)
            .map(|(t, l)| t - l)
            .collect();
        let l = tree.nodes.len();
        let child = |stats: Vec<f64>, start: usize, end: usize| GNode {
            feature: 0,
            bin: 0,
            missing_left: false,
            children: None,
            stats,
            gain: 0.0,
            start,
            end,
            depth: depth + 1,
        };
        tree.nodes.push(child(sp.left.clone(), start, mid));
        tree.nodes.push(child(right_stats, mid, end));
        let n = &mut tree.nodes[node];
        n.feature = sp.feature;
        n.bin = sp.bin;
        n.missing_left = sp.missing_left;
        n.gain = sp.gain;
        n.children = Some((l, l + 1));
        (l, l + 1)
    }
}

/// `k` of `features`, drawn without replacement, ascending.
fn draw(features: &[usize], k: usize, rng: &mut StdRng) -> Vec<usize> {
    let k = k.clamp(1, features.len().max(1)).min(features.len());
    let mut picked: Vec<usize> = rand::seq::index::sample(rng, features.len(), k)
        .into_iter()
        .map(|i| features[i])
        .collect();
    picked.sort_unstable();
    picked
}

#[cfg(test)]
mod tests;
