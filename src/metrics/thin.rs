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

#[cfg(test)]
mod tests {
    use super::*;

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
}
