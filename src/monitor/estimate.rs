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

/// The sums CBPE needs, over any set of rows: they add up, so the edge monitor keeps them
/// per window and merges the isolates' (see [`CbpeSums::estimate`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct CbpeSums {
    /// Rows with probabilities.
    pub rows: u64,
    /// Σ probability of the predicted class.
    pub confidence: f64,
    /// Σ positive-class probability over the rows predicted positive (expected true positives).
    pub tp: f64,
    /// Rows predicted positive.
    pub predicted_positive: f64,
    /// Σ positive-class probability (expected positives).
    pub sum_positive: f64,
}

impl CbpeSums {
    /// Adds one row: the probability of its predicted class, its positive-class
    /// probability, and whether it was predicted positive.
    pub fn add_row(
        &mut self,
        confidence: f64,
        positive_probability: f64,
        predicted_positive: bool,
    ) {
        self.rows += 1;
        self.confidence += confidence;
        if predicted_positive {
            self.tp += positive_probability;
            self.predicted_positive += 1.0;
        }
        self.sum_positive += positive_probability;
    }

    /// Adds the sums of other rows.
    pub fn add(&mut self, o: &CbpeSums) {
        self.rows += o.rows;
        self.confidence += o.confidence;
        self.tp += o.tp;
        self.predicted_positive += o.predicted_positive;
        self.sum_positive += o.sum_positive;
    }

    /// CBPE from the sums: expected accuracy = mean probability of the predicted class,
    /// expected recall = `Σ_{ŷ=+} p / Σ p`, expected precision = `Σ_{ŷ=+} p / #{ŷ=+}`.
    /// Nothing is estimated without rows.
    pub fn estimate(&self) -> Estimate {
        let mut estimate = Estimate {
            method: "cbpe".into(),
            accuracy: None,
            recall: None,
            precision: None,
        };
        if self.rows == 0 {
            return estimate;
        }
        estimate.accuracy = Some(self.confidence / self.rows as f64);
        estimate.recall = (self.sum_positive > 0.0).then(|| self.tp / self.sum_positive);
        estimate.precision =
            (self.predicted_positive > 0.0).then(|| self.tp / self.predicted_positive);
        estimate
    }
}

/// CBPE of one batch (`p` the positive-class probability, see [`CbpeSums::estimate`]).
/// Without probabilities, nothing is estimated.
pub(super) fn estimate(predictions: &Predictions) -> Estimate {
    let mut sums = CbpeSums::default();
    if let Some(probs) = &predictions.probabilities {
        for (&(conf, pp), &p) in probs.iter().zip(&predictions.classes) {
            sums.add_row(conf, pp, p == predictions.positive);
        }
    }
    sums.estimate()
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
