//! The histogram machinery the three tree families share (feature `train`): the decision
//! tree (`tree/`), the random forest (`forest/`) and gradient-boosted trees (`boosting/`)
//! all grow their trees here, and differ only in what a row adds to a histogram and how a
//! split is scored ([`Criterion`]).
//!
//! # Why one place, and why histograms
//!
//! A split on one feature is a cut between two of its sorted values. An exact tree
//! (scikit-learn's `DecisionTreeClassifier`, linfa-trees) sorts the rows of every node by
//! every feature; a histogram tree bins each feature once, before any tree is grown, into
//! at most 255 bins at its quantiles ([`Bins`]), stores each row as one byte per feature
//! ([`Binned`]), and then finds a node's best split by adding the node's rows into one
//! histogram per feature (a few additions per row and feature) and scanning the ≤ 255 bins
//! of each — the method of LightGBM and scikit-learn's `HistGradientBoosting*`. Two more
//! savings follow (`grow.rs`; its histogram build is `grow/build.rs`, its split scans
//! `grow/scan.rs`):
//!
//! - **sibling subtraction**: a split's two children together hold their parent's rows, so
//!   only the smaller child's histogram is built from rows; the larger one's is the
//!   parent's minus the smaller's, bin by bin;
//! - **one pass per node over contiguous row indices**: the rows of a node sit in one range
//!   of an index array that a split partitions in place (stably, so sums run in row order
//!   and every build gives the same bits);
//! - **column-wise histograms**: the node's stats gathered once in row order (read in
//!   place for a node that holds every row), then two features a pass over their codes
//!   kept column-major too ([`Binned::by_column`]), so the slots being added to are two
//!   features' few kilobytes in the L1 cache rather than every feature's, and in Wasm a
//!   row's first two stats added as one `f64x2` (see `grow/build.rs`' `build_all`, with
//!   its measurements);
//! - **one addition per row and feature for class counts** (the tree and the forest): a
//!   row's stats are its bootstrap count in its one class, so it adds that count to its
//!   class's slot alone (`build_classes`) rather than `k` numbers of which `k − 1` are
//!   zeros; counts are whole numbers, so the sums are exact and the trees the same bits;
//! - **two numbers per row for squared error** (boosting regression): its hessian is 1, so
//!   the hessian sum is the row count and the stats are `(g, n)` rather than `(g, h, n)`;
//! - **no histogram for a node that may not split** (at the depth limit, too few rows,
//!   pure): at depth 8 that is the last level, half of the nodes; nor for the children of
//!   a tree's last split under `max_leaves`;
//! - **per-split feature draws** (the forest's `feature_proportion` < 1) zero and fill
//!   only the drawn features' slots of a buffer kept from node to node;
//! - **a split scan of its own for boosting's stats** (`grow/scan.rs`' `best_gradient_split`):
//!   the side sums in registers, no dispatch on the criterion per bin, a loop of its own
//!   for a feature without missing rows, and a feature's scan stopped where the right side
//!   falls under `min_samples_leaf` rows — the same candidates, arithmetic and ties, so
//!   the same trees to the bit;
//! - **a branchless partition** of a split node's rows (a row's side is unpredictable);
//! - **histogram buffers pooled** across boosting's trees ([`Pool`]), not allocated and
//!   zeroed by the kernel for each node.
//!
//! On a table with at most 255 distinct values per feature (the four bundled tables but
//! for a handful of columns), the histogram tree sees exactly the candidate cuts of an
//! exact tree; past that, the cuts are the quantiles, as in LightGBM.
//!
//! Boosting's gradients and the trees' class counts are both a few numbers per row, so the
//! three families share binning, histograms, subtraction, the split scan, the growth
//! (depth-first or best-first, `max_depth`, `max_leaves`, minimum rows per leaf, feature
//! subsets per tree or per split) and the conversion of a bin split into a threshold. What
//! is a family's own stays in its folder: boosting's losses and early stopping, the tree's
//! leaf classes, the forest's bootstraps.
//!
//! # Missing values
//!
//! A NaN gets a bin of its own, after the value bins. The split scan tries every cut twice
//! when a node has missing rows — missing rows left, and missing rows right — and keeps
//! the better, so each split learns a default direction (LightGBM's and scikit-learn's
//! rule); when a node had no missing rows, missing values follow the larger child.
//! Boosting stores that direction per node (`missing` in its artifact), and so do the tree
//! and the forest's trees (`missing`, the child a NaN goes to) — but only when a training
//! row had a missing value: trained on complete rows (the pipeline imputes every column
//! unless told `keep`), their artifacts keep the shape they always had (no `missing`, a
//! NaN goes right, as `x < threshold` is false), and the trainer's own walk sends NaN
//! right too. All three are fitted on matrices with NaN (`driftlab::train::fit_matrix`).
//!
//! # Categorical columns
//!
//! Through the pipeline's one-hot encoding, as for every family: a category is a 0/1
//! feature, two bins, and a split on it is "this category or not". Native categorical
//! splits (LightGBM's sorted-gradient partitions) would need a category set per node in
//! the artifact and in the edge reader; they are not here.
//!
//! # Reproducible everywhere
//!
//! Quantiles come from a total-order sort of the values, bins from a binary search of the
//! cuts, sums run in row order, ties between equal gains go to the lower feature and the
//! lower bin (and, between leaves, to the older leaf), the only transcendental function
//! (the entropy's logarithm) is libm's, and every random draw (bootstraps, feature subsets,
//! row subsamples) comes from a seeded `StdRng` (ChaCha12: the same stream on every
//! platform). The same rows, parameters and seed give the same trees natively and in Wasm.

mod grow;

pub(crate) use grow::{grow, grow_pooled, Criterion, GrowParams, Grown, Partition, Pool};

use crate::numeric::sort_f64;

/// The most value bins a feature gets (its missing bin comes after them, so a bin code
/// fits a byte).
pub(crate) const MAX_BINS: usize = 255;

/// Per feature, the cuts between bins: a value `x` falls in bin `#{cut ≤ x}` (so bin `b`
/// holds `cuts[b-1] ≤ x < cuts[b]`), and a NaN in the missing bin, `cuts.len() + 1`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Bins {
    /// The cuts of each feature, ascending.
    pub cuts: Vec<Vec<f64>>,
}

impl Bins {
    /// Cuts at the quantiles of each column of `x` (`rows × cols`, row-major; NaN allowed),
    /// at most `max_bins` value bins per feature. A feature with at most `max_bins`
    /// distinct values gets a cut between each pair of neighbours (their midpoint), so
    /// every cut an exact tree could choose is available; one with more gets a cut at
    /// each `i / max_bins` quantile (the midpoint of the two values around it), duplicates
    /// dropped. Quantiles are taken over at most [`SAMPLE_ROWS`] rows, evenly spaced.
    pub(crate) fn fit(x: &[f64], rows: usize, cols: usize, max_bins: usize) -> Bins {
        let max_bins = max_bins.clamp(2, MAX_BINS);
        let step = rows.div_ceil(SAMPLE_ROWS).max(1);
        let mut column = Vec::with_capacity(rows.min(SAMPLE_ROWS));
        let cuts = (0..cols)
            .map(|j| {
                column.clear();
                column.extend(
                    (0..rows)
                        .step_by(step)
                        .map(|i| x[i * cols + j])
                        .filter(|v| !v.is_nan()),
                );
                sort_f64(&mut column);
                cuts_of_sorted(&column, max_bins)
            })
            .collect();
        Bins { cuts }
    }

    /// Number of features.
    pub(crate) fn cols(&self) -> usize {
        self.cuts.len()
    }

    /// The value bins of feature `j` (its missing bin is this number).
    pub(crate) fn value_bins(&self, j: usize) -> usize {
        self.cuts[j].len() + 1
    }

    /// The bin of `v` in feature `j`.
    #[inline]
    pub(crate) fn bin(&self, j: usize, v: f64) -> u8 {
        let cuts = &self.cuts[j];
        if v.is_nan() {
            cuts.len() as u8 + 1
        } else {
            cuts.partition_point(|&c| c <= v) as u8
        }
    }

    /// Codes every row of `x` (`cols` wide).
    pub(crate) fn bin_rows(&self, x: &[f64], cols: usize) -> Vec<u8> {
        let mut codes = Vec::with_capacity(x.len());
        for row in x.chunks_exact(cols.max(1)) {
            for (j, &v) in row.iter().enumerate() {
                codes.push(self.bin(j, v));
            }
        }
        codes
    }

    /// The threshold of a split that sends bins `0..=bin` of feature `j` left: the cut
    /// above `bin` (`x < threshold` goes left), or `f64::MAX` for a split of every value
    /// from the missing ones (finite, so that the artifact's JSON can hold it).
    pub(crate) fn threshold(&self, j: usize, bin: u8) -> f64 {
        self.cuts[j].get(bin as usize).copied().unwrap_or(f64::MAX)
    }
}

/// Quantiles are taken over this many rows at most (evenly spaced), as LightGBM's
/// `bin_construct_sample_cnt` (200,000) does.
pub(crate) const SAMPLE_ROWS: usize = 200_000;

/// The cuts of one sorted column (see [`Bins::fit`]).
fn cuts_of_sorted(sorted: &[f64], max_bins: usize) -> Vec<f64> {
    let mut distinct: Vec<f64> = Vec::new();
    for &v in sorted {
        if distinct.last() != Some(&v) {
            distinct.push(v);
            if distinct.len() > max_bins {
                break;
            }
        }
    }
    let mut cuts = Vec::new();
    if distinct.len() <= max_bins {
        for w in distinct.windows(2) {
            cuts.push(between(w[0], w[1]));
        }
        return cuts;
    }
    let n = sorted.len();
    for i in 1..max_bins {
        let at = i * n / max_bins;
        let (a, b) = (sorted[at - 1], sorted[at]);
        if a < b {
            let c = between(a, b);
            if cuts.last().is_none_or(|&last| c > last) {
                cuts.push(c);
            }
        }
    }
    cuts
}

/// A cut strictly above `a` and at most `b` (`a < b`): their midpoint, or `b` when the
/// midpoint rounds down to `a` (neighbouring floats), so `a` falls below it and `b` not.
fn between(a: f64, b: f64) -> f64 {
    let mid = a + (b - a) / 2.0;
    if mid > a && mid <= b && mid.is_finite() {
        mid
    } else {
        b
    }
}

/// The training rows as bin codes: `rows × cols` bytes, row-major, and the cuts that made
/// them. A feature's histogram has `value_bins + 1` slots (the last is the missing bin);
/// `offsets[j]` is where feature `j`'s slots start in a node's histogram.
#[derive(Clone, Debug)]
pub(crate) struct Binned {
    /// Bin codes, row-major.
    pub codes: Vec<u8>,
    /// The same codes column-major (`by_column[j * rows + r]`), for the histogram build
    /// (`grow/build.rs`' `build_all`).
    pub by_column: Vec<u8>,
    /// Rows.
    pub rows: usize,
    /// Features.
    pub cols: usize,
    /// The cuts.
    pub bins: Bins,
    /// Start of each feature's slots in a histogram, and the total at the end.
    pub offsets: Vec<usize>,
}

impl Binned {
    /// Bins `x` (`rows × cols`, row-major) with cuts fitted on it.
    pub(crate) fn new(x: &[f64], rows: usize, cols: usize, max_bins: usize) -> Binned {
        Binned::with_bins(x, rows, cols, Bins::fit(x, rows, cols, max_bins))
    }

    /// Bins `x` (`rows × cols`, row-major) with given cuts.
    pub(crate) fn with_bins(x: &[f64], rows: usize, cols: usize, bins: Bins) -> Binned {
        let codes = bins.bin_rows(x, cols);
        let mut offsets = Vec::with_capacity(cols + 1);
        let mut at = 0;
        for j in 0..cols {
            offsets.push(at);
            at += bins.value_bins(j) + 1;
        }
        offsets.push(at);
        debug_assert_eq!(codes.len(), rows * cols);
        let mut by_column = vec![0u8; codes.len()];
        for (r, row) in codes.chunks_exact(cols.max(1)).enumerate() {
            for (j, &c) in row.iter().enumerate() {
                by_column[j * rows + r] = c;
            }
        }
        Binned {
            codes,
            by_column,
            rows,
            cols,
            bins,
            offsets,
        }
    }

    /// Whether any row has a missing value.
    pub(crate) fn has_missing(&self) -> bool {
        (0..self.cols).any(|j| {
            let nb = self.bins.value_bins(j) as u8;
            self.by_column[j * self.rows..(j + 1) * self.rows].contains(&nb)
        })
    }

    /// Histogram slots of one node (every feature).
    pub(crate) fn slots(&self) -> usize {
        self.offsets[self.cols]
    }

    /// The codes of row `r`.
    #[inline]
    pub(crate) fn row(&self, r: usize) -> &[u8] {
        &self.codes[r * self.cols..(r + 1) * self.cols]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_a_cut_between_each_pair() {
        let x = [3.0, 1.0, 2.0, 2.0, 1.0, f64::NAN];
        let b = Bins::fit(&x, 6, 1, 255);
        assert_eq!(b.cuts[0], vec![1.5, 2.5]);
        assert_eq!(b.bin(0, 1.0), 0);
        assert_eq!(b.bin(0, 1.5), 1);
        assert_eq!(b.bin(0, 2.0), 1);
        assert_eq!(b.bin(0, 3.0), 2);
        assert_eq!(b.bin(0, f64::NAN), 3);
        // bins ≤ b go left ⇔ x < threshold(b)
        for v in [0.0, 1.0, 1.49, 1.5, 2.0, 2.5, 9.0] {
            for s in 0..2u8 {
                assert_eq!(b.bin(0, v) <= s, v < b.threshold(0, s), "{v} {s}");
            }
        }
    }

    #[test]
    fn many_values_get_at_most_max_bins_at_quantiles() {
        let x: Vec<f64> = (0..10_000).map(|i| ((i * 7919) % 10_000) as f64).collect();
        let b = Bins::fit(&x, 10_000, 1, 16);
        assert_eq!(b.value_bins(0), 16);
        let mut counts = [0usize; 17];
        for &v in &x {
            counts[b.bin(0, v) as usize] += 1;
        }
        assert!(counts[..16].iter().all(|&c| c == 625), "{counts:?}");
        let b = Bins::fit(&x, 10_000, 1, 255);
        assert_eq!(b.value_bins(0), 255);
    }

    #[test]
    fn neighbouring_floats_are_split_between() {
        let a = 1.0f64;
        let b = f64::from_bits(a.to_bits() + 1);
        let bins = Bins::fit(&[a, b], 2, 1, 255);
        assert_eq!(bins.bin(0, a), 0);
        assert_eq!(bins.bin(0, b), 1);
    }

    #[test]
    fn an_all_missing_column_has_one_value_bin() {
        let x = [f64::NAN; 4];
        let b = Binned::new(&x, 4, 1, 255);
        assert_eq!(b.bins.value_bins(0), 1);
        assert!(b.codes.iter().all(|&c| c == 1));
        assert_eq!(b.slots(), 2);
    }
}
