//! The label-free performance estimate: CBPE, confidence-based performance estimation
//! (see the [monitor's docs](super) for what it assumes and what it cannot see).

use serde::{Deserialize, Serialize};

use super::predictions::Predictions;

/// The label-free performance estimate of one batch (CBPE; see the
/// [monitor's docs](crate::monitor)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Estimate {
    /// Always `"cbpe"`: confidence-based performance estimation from the probabilities.
    pub method: String,
    /// Mean probability of the predicted class: the expected accuracy if calibrated.
    pub accuracy: Option<f64>,
    /// Expected recall of the positive class.
    pub recall: Option<f64>,
    /// Expected precision of the positive class.
    pub precision: Option<f64>,
}

/// CBPE of one batch: expected accuracy = mean probability of the predicted class,
/// expected recall = `Σ_{ŷ=+} p / Σ p`, expected precision = `Σ_{ŷ=+} p / #{ŷ=+}` (`p` the
/// positive-class probability). Without probabilities, nothing is estimated.
pub(super) fn estimate(predictions: &Predictions) -> Estimate {
    let mut estimate = Estimate {
        method: "cbpe".into(),
        accuracy: None,
        recall: None,
        precision: None,
    };
    let Some(probs) = &predictions.probabilities else {
        return estimate;
    };
    let (mut confidence, mut tp, mut predicted_positive, mut sum_positive) = (0.0, 0.0, 0.0, 0.0);
    for (&(conf, pp), &p) in probs.iter().zip(&predictions.classes) {
        confidence += conf;
        if p == predictions.positive {
            tp += pp;
            predicted_positive += 1.0;
        }
        sum_positive += pp;
    }
    estimate.accuracy = Some(confidence / probs.len() as f64);
    estimate.recall = (sum_positive > 0.0).then(|| tp / sum_positive);
    estimate.precision = (predicted_positive > 0.0).then(|| tp / predicted_positive);
    estimate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibrated_probabilities_give_the_expected_counts() {
        let p = Predictions {
            classes: vec![1, 0, 1, 0],
            probabilities: Some(vec![(0.9, 0.9), (0.8, 0.2), (0.6, 0.6), (0.7, 0.3)]),
            positive: 1,
        };
        let e = estimate(&p);
        assert_eq!(e.method, "cbpe");
        assert_eq!(e.accuracy, Some((0.9 + 0.8 + 0.6 + 0.7) / 4.0));
        // expected true positives 0.9 + 0.6 of 2.0 expected positives and 2 predicted
        assert_eq!(e.recall, Some((0.9 + 0.6) / (0.9 + 0.2 + 0.6 + 0.3)));
        assert_eq!(e.precision, Some((0.9 + 0.6) / 2.0));
        let none = estimate(&Predictions {
            classes: vec![1],
            probabilities: None,
            positive: 1,
        });
        assert_eq!(
            (none.accuracy, none.recall, none.precision),
            (None, None, None)
        );
    }
}
