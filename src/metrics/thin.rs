//! Thinning a curve for drawing: the points a chart needs to show the same line.
//!
//! A ROC or precision–recall curve has a point per distinct score, so a model tested on
//! 25,000 fraud rows sends about 25,000 points per curve. The page drew them all, and
//! Observable Plot held the main thread for 269 ms on one chart (`benches/node/page.mjs`,
//! issue 15's budget is 200 ms). A chart 320 pixels wide cannot show more than a few
//! hundred distinct steps; the rest only cost the Worker's message and the page's drawing.
//!
//! The rule is one pass and has a bound: keep the first and the last point, and keep a
//! point when it lies more than `tolerance` (in the unit square's coordinates) from the last
//! point kept, in x or in y. Every dropped point then lies within `tolerance` of the kept
//! point before it, so the line drawn through the kept points (straight, step-before or
//! step-after) stays within `tolerance` of the line through every point: between two kept
//! points `a` and `b`, the full line wanders only inside the `tolerance` box around `a` and
//! then makes the same last move to `b`. On a curve monotone in both axes (ROC) each kept
//! point moves x or y by more than `tolerance`, so at most `2 / tolerance + 2` are kept;
//! a precision–recall curve adds only the precision jumps larger than `tolerance`.
//! Ramer–Douglas–Peucker keeps fewer points on straight runs but measures the distance to
//! a straight segment, which a step-drawn line does not follow.
//!
//! Only what is drawn is thinned: ROC AUC and average precision come from the full curves
//! (`roc_auc`, `average_precision`), and every kept point keeps its own threshold.

use super::{PrCurve, RocCurve};

/// Half a pixel of the page's 320-pixel curve charts (about 250 pixels inside the axes), a
/// fifth of one at 1,000 pixels: at most 2,002 points on a ROC curve.
pub const CURVE_TOLERANCE: f64 = 1e-3;

/// Indices of the points of `(xs[i], ys[i])` to draw: the first, the last, and each point
/// more than `tolerance` away (in x or in y) from the last one kept, in order.
pub fn thin(xs: &[f64], ys: &[f64], tolerance: f64) -> Vec<usize> {
    let n = xs.len().min(ys.len());
    let mut keep = Vec::new();
    let Some(last) = n.checked_sub(1) else {
        return keep;
    };
    keep.push(0);
    let (mut kx, mut ky) = (xs[0], ys[0]);
    for i in 1..last {
        // `!(d <= t)` keeps a NaN coordinate rather than hiding it inside a run
        if !((xs[i] - kx).abs() <= tolerance && (ys[i] - ky).abs() <= tolerance) {
            keep.push(i);
            (kx, ky) = (xs[i], ys[i]);
        }
    }
    if last > 0 {
        keep.push(last);
    }
    keep
}

impl RocCurve {
    /// The points to draw: [`thin`] within `tolerance`, each with its threshold.
    pub fn thinned(&self, tolerance: f64) -> RocCurve {
        let keep = thin(&self.fpr, &self.tpr, tolerance);
        let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect();
        RocCurve {
            fpr: pick(&self.fpr),
            tpr: pick(&self.tpr),
            thresholds: pick(&self.thresholds),
        }
    }
}

impl PrCurve {
    /// The points to draw: [`thin`] within `tolerance`, each with its threshold (the final
    /// point, always kept, still has none).
    pub fn thinned(&self, tolerance: f64) -> PrCurve {
        let keep = thin(&self.recall, &self.precision, tolerance);
        let pick = |v: &[f64]| keep.iter().filter_map(|&i| v.get(i).copied()).collect();
        PrCurve {
            precision: pick(&self.precision),
            recall: pick(&self.recall),
            thresholds: pick(&self.thresholds),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{
        binary_curves, classification, precision_recall_curve, roc_auc, roc_curve,
    };

    #[test]
    fn short_curves_are_kept_whole() {
        assert!(thin(&[], &[], 0.1).is_empty());
        assert_eq!(thin(&[0.5], &[0.5], 0.1), vec![0]);
        assert_eq!(thin(&[0.0, 0.01], &[0.0, 0.01], 0.1), vec![0, 1]);
    }

    #[test]
    fn a_point_is_kept_when_it_moves_more_than_the_tolerance() {
        let xs = [0.0, 0.05, 0.2, 0.21, 0.21, 0.5, 1.0];
        let ys = [0.0, 0.0, 0.0, 0.05, 0.3, 0.3, 1.0];
        assert_eq!(thin(&xs, &ys, 0.1), vec![0, 2, 4, 5, 6]);
    }

    /// 25,000 test rows (a fraud model's test share) give thousands of curve points; the
    /// drawn curves keep at most `2 / tolerance + 2` (ROC) and every dropped point lies
    /// within the tolerance of the kept point before it, so the drawn line moves by less
    /// than that; the thresholds stay with their points, and the AUC is the full curve's.
    #[test]
    fn drawn_curves_are_thinned_within_the_tolerance() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let n = 25_000;
        let mut y = Vec::with_capacity(n);
        let mut proba = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let positive = next() < 0.3;
            let p = 0.8 * next() + if positive { 0.1 } else { 0.0 };
            y.push(usize::from(positive));
            proba.extend([1.0 - p, p]);
        }
        let curves = binary_curves(&y, &proba, 2, 1, "1").unwrap();
        let yb: Vec<bool> = y.iter().map(|&t| t == 1).collect();
        let s: Vec<f64> = (0..n).map(|i| proba[2 * i + 1]).collect();
        let (roc, pr) = (
            roc_curve(&yb, &s).unwrap(),
            precision_recall_curve(&yb, &s).unwrap(),
        );
        let (thin_roc, thin_pr) = (curves.roc.unwrap(), curves.pr.unwrap());
        assert!(roc.fpr.len() > 5_000, "{} ROC points", roc.fpr.len());
        assert!(pr.recall.len() > 20_000, "{} PR points", pr.recall.len());
        assert!(
            thin_roc.fpr.len() <= 2_002,
            "{} drawn ROC points",
            thin_roc.fpr.len()
        );
        assert!(
            thin_pr.recall.len() <= 3_000,
            "{} drawn PR points",
            thin_pr.recall.len()
        );
        assert_eq!(thin_pr.thresholds.len() + 1, thin_pr.recall.len());
        let near = |xs: &[f64], ys: &[f64], kx: &[f64], ky: &[f64], th: &[f64], kth: &[f64]| {
            let mut k = 0;
            for i in 0..xs.len() {
                if k + 1 < kx.len() && xs[i] == kx[k + 1] && ys[i] == ky[k + 1] {
                    k += 1;
                    if k < kth.len() {
                        assert_eq!(th[i], kth[k], "point {i} keeps its threshold");
                    }
                }
                assert!((xs[i] - kx[k]).abs() <= CURVE_TOLERANCE, "point {i}");
                assert!((ys[i] - ky[k]).abs() <= CURVE_TOLERANCE, "point {i}");
            }
            assert_eq!(k + 1, kx.len(), "every kept point is one of the curve's");
        };
        near(
            &roc.fpr,
            &roc.tpr,
            &thin_roc.fpr,
            &thin_roc.tpr,
            &roc.thresholds,
            &thin_roc.thresholds,
        );
        near(
            &pr.recall,
            &pr.precision,
            &thin_pr.recall,
            &thin_pr.precision,
            &pr.thresholds,
            &thin_pr.thresholds,
        );
        let m = classification(&y, &y, Some(&proba), &["0".into(), "1".into()], None).unwrap();
        assert_eq!(m.roc_auc, Some(roc_auc(&yb, &s).unwrap()));
    }
}
