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
}
