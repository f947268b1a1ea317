//! The batch's predictions: class indices, the probabilities the other watchers read, and
//! their summary (class counts, the predicted-positive rate, the mean positive
//! probability).

use serde::{Deserialize, Serialize};

use crate::artifact::Scored;

/// The predictions of one batch, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct PredictionSummary {
    /// Rows predicted as each class, in class order.
    pub class_counts: Vec<u64>,
    /// Share of rows predicted positive.
    pub positive_rate: f64,
    /// Mean probability of the positive class (`null` for models without probabilities).
    pub mean_positive_probability: Option<f64>,
}

/// One batch's predictions, as the watchers read them.
pub(super) struct Predictions {
    /// The predicted class of each row (an index into the model's classes; a value that
    /// is not one counts as class 0).
    pub(super) classes: Vec<usize>,
    /// Per row, the probability of the predicted class and of the positive class, when
    /// every row has a probability for every class.
    pub(super) probabilities: Option<Vec<(f64, f64)>>,
    /// The positive class.
    pub(super) positive: usize,
}

impl Predictions {
    /// Reads the scored rows of a model with `k` classes.
    pub(super) fn new(scored: &[Scored], k: usize, positive: usize) -> Predictions {
        let classes: Vec<usize> = scored
            .iter()
            .map(|s| {
                let v = s.prediction.value;
                if v.is_finite() && v >= 0.0 && (v as usize) < k {
                    v as usize
                } else {
                    0
                }
            })
            .collect();
        let has_probabilities = !scored.is_empty()
            && scored
                .iter()
                .all(|s| s.prediction.probabilities.len() == k && k > positive);
        let probabilities = has_probabilities.then(|| {
            scored
                .iter()
                .zip(&classes)
                .map(|(s, &p)| {
                    let probs = &s.prediction.probabilities;
                    (probs[p], probs[positive])
                })
                .collect()
        });
        Predictions {
            classes,
            probabilities,
            positive,
        }
    }

    /// Class counts, the predicted-positive rate and the mean positive probability.
    pub(super) fn summary(&self, k: usize) -> PredictionSummary {
        let rows = self.classes.len();
        let mut class_counts = vec![0u64; k];
        for &p in &self.classes {
            class_counts[p] += 1;
        }
        let positive_rate = if rows > 0 {
            class_counts.get(self.positive).copied().unwrap_or(0) as f64 / rows as f64
        } else {
            0.0
        };
        let mean_positive_probability = self
            .probabilities
            .as_ref()
            .map(|probs| probs.iter().fold(0.0, |s, &(_, pp)| s + pp) / rows as f64);
        PredictionSummary {
            class_counts,
            positive_rate,
            mean_positive_probability,
        }
    }

    /// What ADWIN watches: the positive-class probabilities, or 1/0 for rows predicted
    /// positive or not; and whether they are probabilities.
    pub(super) fn positive_signal(&self) -> (Vec<f64>, bool) {
        match &self.probabilities {
            Some(probs) => (probs.iter().map(|&(_, pp)| pp).collect(), true),
            None => (
                self.classes
                    .iter()
                    .map(|&p| f64::from(u8::from(p == self.positive)))
                    .collect(),
                false,
            ),
        }
    }
}

/// The index of `label` among `classes`: by text, else by numeric value.
pub(crate) fn class_index(classes: &[String], label: &str) -> Option<usize> {
    let label = label.trim();
    classes.iter().position(|c| c == label).or_else(|| {
        let x = label.parse::<f64>().ok().filter(|x| x.is_finite())?;
        classes
            .iter()
            .position(|c| c.parse::<f64>().ok() == Some(x))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Prediction;

    fn scored(value: f64, probabilities: Vec<f64>) -> Scored {
        Scored {
            prediction: Prediction {
                value,
                probabilities,
            },
            label: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn labels_match_by_text_or_value() {
        let classes = vec!["0".to_owned(), "1".to_owned()];
        assert_eq!(class_index(&classes, "1"), Some(1));
        assert_eq!(class_index(&classes, "1.0"), Some(1));
        assert_eq!(class_index(&classes, " 0 "), Some(0));
        assert_eq!(class_index(&classes, "2"), None);
        assert_eq!(class_index(&classes, "NaN"), None);
    }

    #[test]
    fn summary_counts_and_averages() {
        let rows = [
            scored(1.0, vec![0.2, 0.8]),
            scored(0.0, vec![0.9, 0.1]),
            scored(7.0, vec![0.6, 0.4]), // not a class: counted as class 0
        ];
        let p = Predictions::new(&rows, 2, 1);
        assert_eq!(p.classes, [1, 0, 0]);
        let s = p.summary(2);
        assert_eq!(s.class_counts, [2, 1]);
        assert_eq!(s.positive_rate, 1.0 / 3.0);
        assert_eq!(s.mean_positive_probability, Some((0.8 + 0.1 + 0.4) / 3.0));
        assert_eq!(p.positive_signal(), (vec![0.8, 0.1, 0.4], true));
        // without probabilities: 1 for a row predicted positive
        let p = Predictions::new(&[scored(1.0, vec![]), scored(0.0, vec![])], 2, 1);
        assert_eq!(p.summary(2).mean_positive_probability, None);
        assert_eq!(p.positive_signal(), (vec![1.0, 0.0], false));
    }
}
