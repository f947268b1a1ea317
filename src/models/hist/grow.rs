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

    /// The best split of a node over `features`, scanning each feature's bins left to right
    /// (missing rows tried on either side when there are any).
    fn best_split(&mut self, hist: &[f64], total: &[f64], features: &[usize]) -> Option<Split> {
        if let Criterion::Gradient {
            l2, min_hessian, ..
        } = self.criterion
        {
            match self.stride {
                2 => return self.best_gradient_split::<2>(hist, total, features, l2, min_hessian),
                3 => return self.best_gradient_split::<3>(hist, total, features, l2, min_hessian),
                _ => {}
            }
        }
        let s = self.stride;
        let c = self.criterion;
        let min_leaf = self.params.min_leaf;
        let parent = c.score(total);
        let (left, rest) = self.scratch.split_at_mut(s);
        let (right, with_missing) = rest.split_at_mut(s);
        let mut best: Option<Split> = None;
        let mut best_gain = self.params.min_gain;
        for &f in features {
            let o = self.binned.offsets[f];
            let nb = self.binned.bins.value_bins(f);
            let missing = &hist[(o + nb) * s..(o + nb + 1) * s];
            let has_missing = c.count(missing) > 0.0;
            left.fill(0.0);
            for b in 0..nb {
                let bin = &hist[(o + b) * s..(o + b + 1) * s];
                for (l, v) in left.iter_mut().zip(bin) {
                    *l += v;
                }
                if b + 1 == nb && !has_missing {
                    break;
                }
                // missing right (the only option when there are none)
                for i in 0..s {
                    right[i] = total[i] - left[i];
                }
                if c.child_ok(left, min_leaf) && c.child_ok(right, min_leaf) {
                    let gain = c.score(left) + c.score(right) - parent;
                    if gain > best_gain {
                        best_gain = gain;
                        // with no missing rows here, missing values follow the larger child
                        let missing_left = !has_missing && c.count(left) >= c.count(right);
                        best = Some(Split {
                            feature: f,
                            bin: b as u8,
                            missing_left,
                            gain,
                            left: left.to_vec(),
                        });
                    }
                }
                if has_missing && b + 1 < nb {
                    for i in 0..s {
                        with_missing[i] = left[i] + missing[i];
                        right[i] = total[i] - with_missing[i];
                    }
                    if c.child_ok(with_missing, min_leaf) && c.child_ok(right, min_leaf) {
                        let gain = c.score(with_missing) + c.score(right) - parent;
                        if gain > best_gain {
                            best_gain = gain;
                            best = Some(Split {
                                feature: f,
                                bin: b as u8,
                                missing_left: true,
                                gain,
                                left: with_missing.to_vec(),
                            });
                        }
                    }
                }
            }
        }
        best
    }

    /// [`Self::best_split`] for boosting's stats, `(g, n)` (`S = 2`, the hessian is the
    /// count) or `(g, h, n)` (`S = 3`): the same candidates in the same order with the same
    /// arithmetic, so the same split to the bit, but with the side sums in registers and
    /// no dispatch on the criterion per bin. It was the multiclass table's hottest
    /// function (38 % of the 20k × 50, 5-class run's samples under `perf`), as that table
    /// has few rows per node and 50 features of 256 bins to scan for each.
    ///
    /// A feature's scan stops at the first bin past which the right side holds fewer than
    /// `min_leaf` rows: counts are sums of ones, exact, so the right side's count only
    /// falls from there and no later cut (nor its missing-left variant, whose right side is
    /// smaller still) could be taken.
    fn best_gradient_split<const S: usize>(
        &self,
        hist: &[f64],
        total: &[f64],
        features: &[usize],
        l2: f64,
        min_hessian: f64,
    ) -> Option<Split> {
        let min_leaf = self.params.min_leaf;
        let score = |s: &[f64; S]| {
            let d = s[1] + l2;
            if d > 0.0 {
                s[0] * s[0] / d
            } else {
                0.0
            }
        };
        // the count is the last stat (for `S = 2` it is the hessian too)
        let ok = |s: &[f64; S]| s[S - 1] >= min_leaf && s[1] >= min_hessian;
        let total: [f64; S] = total.try_into().ok()?;
        let parent = score(&total);
        let mut best: Option<Split> = None;
        let mut best_gain = self.params.min_gain;
        for &f in features {
            let o = self.binned.offsets[f];
            let nb = self.binned.bins.value_bins(f);
            let Some(slots) = hist.get(o * S..(o + nb + 1) * S) else {
                continue;
            };
            let (values, missing) = slots.split_at(nb * S);
            let missing: [f64; S] = missing.try_into().ok()?;
            let has_missing = missing[S - 1] > 0.0;
            let mut left = [0.0; S];
            for (b, bin) in values.chunks_exact(S).enumerate() {
                for i in 0..S {
                    left[i] += bin[i];
                }
                if b + 1 == nb && !has_missing {
                    break;
                }
                let mut right = [0.0; S];
                for i in 0..S {
                    right[i] = total[i] - left[i];
                }
                if right[S - 1] < min_leaf {
                    break;
                }
                // missing right (the only option when there are none)
                if ok(&left) && ok(&right) {
                    let gain = score(&left) + score(&right) - parent;
                    if gain > best_gain {
                        best_gain = gain;
                        // with no missing rows here, missing values follow the larger child
                        let missing_left = !has_missing && left[S - 1] >= right[S - 1];
                        best = Some(Split {
                            feature: f,
                            bin: b as u8,
                            missing_left,
                            gain,
                            left: left.to_vec(),
                        });
                    }
                }
                if has_missing && b + 1 < nb {
                    let mut with_missing = [0.0; S];
                    for i in 0..S {
                        with_missing[i] = left[i] + missing[i];
                        right[i] = total[i] - with_missing[i];
                    }
                    if ok(&with_missing) && ok(&right) {
                        let gain = score(&with_missing) + score(&right) - parent;
                        if gain > best_gain {
                            best_gain = gain;
                            best = Some(Split {
                                feature: f,
                                bin: b as u8,
                                missing_left: true,
                                gain,
                                left: with_missing.to_vec(),
                            });
                        }
                    }
                }
            }
        }
        best
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
fn build_all<const S: usize>(b: &Binned, stats: &[f64], rows: &[u32], hist: &mut [f64]) {
    let mut ordered: Vec<[f64; S]> = Vec::with_capacity(rows.len());
    ordered.extend(rows.iter().map(|&r| {
        let r = r as usize;
        let s: [f64; S] = stats[r * S..r * S + S].try_into().expect("S stats per row");
        s
    }));
    let n = b.rows;
    for j in 0..b.cols {
        let column = &b.by_column[j * n..(j + 1) * n];
        let slots = &mut hist[b.offsets[j] * S..b.offsets[j + 1] * S];
        for (&r, s) in rows.iter().zip(&ordered) {
            let at = column[r as usize] as usize * S;
            let h: &mut [f64; S] = (&mut slots[at..at + S]).try_into().expect("S slots");
            for i in 0..S {
                h[i] += s[i];
            }
        }
    }
}

/// Adds `rows` into `hist` over `features` for class-weight stats (the tree's and the
/// forest's, `k` per row): a row's stats are its weight in its one class and zeros, so it
/// adds that one number to its class's slot in each feature's bin — one addition per row
/// and feature where the general build makes `k` (five on the benchmark's 5-class table),
/// feature by feature over the column-major codes as [`build_all`] does. The weights are
/// whole numbers (bootstrap counts), so every sum is exact whatever the order: the
/// histograms are the bits of the general build (a test below checks it).
fn build_classes(
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
fn build_some(
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

#[cfg(test)]
mod tests {
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
        let stats = onehot(&y, 2);
        let mut rng = StdRng::seed_from_u64(1);
        let t = grow(
            Partition {
                binned: &b,
                stats: &stats,
                stride: 2,
                rows: (0..4).collect(),
            },
            Criterion::Gini,
            &params(2),
            &mut rng,
        );
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
        let mut rng = StdRng::seed_from_u64(1);
        let t = grow(
            Partition {
                binned: &b,
                stats: &stats,
                stride: 2,
                rows: (0..rows as u32).collect(),
            },
            Criterion::Gini,
            &GrowParams {
                max_depth: 1,
                ..p.clone()
            },
            &mut rng,
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
    /// feature (the order the histograms were built in before), on a subset of the rows.
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
        let subset: Vec<u32> = (0..rows as u32).filter(|r| r % 3 != 1).collect();
        let mut fast = vec![0.0; b.slots() * 3];
        build_all::<3>(&b, &stats, &subset, &mut fast);
        let mut slow = vec![0.0; b.slots() * 3];
        for &r in &subset {
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
        let stats = onehot(&y, 2);
        let mut rng = StdRng::seed_from_u64(1);
        let t = grow(
            Partition {
                binned: &b,
                stats: &stats,
                stride: 2,
                rows: (0..8).collect(),
            },
            Criterion::Gini,
            &params(1),
            &mut rng,
        );
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
}
