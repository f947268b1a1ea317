//! The split scans: the best split of a node from its histogram, the general scan for every
//! criterion and the one specialised to boosting's stats (see [`super::super`]'s docs).

use super::{Criterion, Grower, Split};

impl Grower<'_> {
    /// The best split of a node over `features`, scanning each feature's bins left to right
    /// (missing rows tried on either side when there are any).
    pub(super) fn best_split(
        &mut self,
        hist: &[f64],
        total: &[f64],
        features: &[usize],
    ) -> Option<Split> {
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
    ///
    /// Each feature is scanned by [`GainScan::feature`], whose loop is compiled twice: with
    /// the missing-left candidates for a feature that has missing rows, and without them for
    /// one that has none (every feature of most tables). V8 spilled the general loop's sums
    /// to the stack on every bin; without the missing side's six sums the loop keeps more
    /// of them in registers. The 5-class fit in Wasm took 0.89× the time of the one loop
    /// (the two builds called in turns in one Node process), the binary and regression fits
    /// 0.96–0.97×.
    fn best_gradient_split<const S: usize>(
        &self,
        hist: &[f64],
        total: &[f64],
        features: &[usize],
        l2: f64,
        min_hessian: f64,
    ) -> Option<Split> {
        let total: [f64; S] = total.try_into().ok()?;
        let mut scan = GainScan {
            total,
            parent: 0.0,
            l2,
            min_hessian,
            min_leaf: self.params.min_leaf,
        };
        scan.parent = scan.score(&total);
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
            let (found, gain) = if missing[S - 1] > 0.0 {
                scan.feature::<true>(values, &missing, best_gain)
            } else {
                scan.feature::<false>(values, &missing, best_gain)
            };
            if let Some((bin, missing_left, left)) = found {
                best_gain = gain;
                best = Some(Split {
                    feature: f,
                    bin,
                    missing_left,
                    gain,
                    left: left.to_vec(),
                });
            }
        }
        best
    }
}

/// The constants of [`Grower::best_gradient_split`]'s scan.
struct GainScan<const S: usize> {
    total: [f64; S],
    parent: f64,
    l2: f64,
    min_hessian: f64,
    min_leaf: f64,
}

impl<const S: usize> GainScan<S> {
    /// A side's score, `g² / (h + l2)`.
    #[inline(always)]
    fn score(&self, s: &[f64; S]) -> f64 {
        let d = s[1] + self.l2;
        if d > 0.0 {
            s[0] * s[0] / d
        } else {
            0.0
        }
    }

    /// Whether a side may be a child (the count is the last stat; for `S = 2` it is the
    /// hessian too).
    #[inline(always)]
    fn ok(&self, s: &[f64; S]) -> bool {
        s[S - 1] >= self.min_leaf && s[1] >= self.min_hessian
    }

    /// One feature's cuts, left to right, against the best gain so far: the last cut that
    /// beats it (bin, missing left, left side's stats) and the best gain after the feature.
    /// `MISSING` says whether the feature has missing rows; the loop without them is a loop
    /// of its own, with the missing side's sums out of its registers.
    #[inline(always)]
    fn feature<const MISSING: bool>(
        &self,
        values: &[f64],
        missing: &[f64; S],
        mut best_gain: f64,
    ) -> (Option<(u8, bool, [f64; S])>, f64) {
        let nb = values.len() / S;
        let mut found = None;
        let mut left = [0.0; S];
        for (b, bin) in values.chunks_exact(S).enumerate() {
            for i in 0..S {
                left[i] += bin[i];
            }
            if b + 1 == nb && !MISSING {
                break;
            }
            let mut right = [0.0; S];
            for i in 0..S {
                right[i] = self.total[i] - left[i];
            }
            if right[S - 1] < self.min_leaf {
                break;
            }
            // missing right (the only option when there are none)
            if self.ok(&left) && self.ok(&right) {
                let gain = self.score(&left) + self.score(&right) - self.parent;
                if gain > best_gain {
                    best_gain = gain;
                    // with no missing rows here, missing values follow the larger child
                    found = Some((b as u8, !MISSING && left[S - 1] >= right[S - 1], left));
                }
            }
            if MISSING && b + 1 < nb {
                let mut with_missing = [0.0; S];
                for i in 0..S {
                    with_missing[i] = left[i] + missing[i];
                    right[i] = self.total[i] - with_missing[i];
                }
                if self.ok(&with_missing) && self.ok(&right) {
                    let gain = self.score(&with_missing) + self.score(&right) - self.parent;
                    if gain > best_gain {
                        best_gain = gain;
                        found = Some((b as u8, true, with_missing));
                    }
                }
            }
        }
        (found, best_gain)
    }
}
