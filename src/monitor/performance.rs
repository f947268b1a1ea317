//! Performance once labels arrive: each labelled batch's counts, the window of recent
//! labelled batches (by count or by time), the baseline (the first window), and the
//! `recall_drop` and `accuracy_drop` alarms, each raised once per episode.

use serde::{Deserialize, Serialize};

/// Performance on labelled rows, for the positive class.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Performance {
    /// Labelled rows.
    pub rows: u64,
    /// Rows predicted right.
    pub correct: u64,
    /// Positives predicted positive.
    pub tp: u64,
    /// Negatives predicted positive.
    pub fp: u64,
    /// Positives predicted negative.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Negatives predicted negative.
    pub tn: u64,
}

impl Performance {
    /// `correct / rows` (`None` without rows).
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.correct, self.rows)
    }
    /// `tp / (tp + fn)` (`None` without positives).
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// `tp / (tp + fp)` (`None` without predicted positives).
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }
    /// Positives among the rows.
    pub fn positives(&self) -> u64 {
        self.tp + self.fn_
    }
    /// Counts one labelled row: its prediction and its label (class indices).
    pub(super) fn count(&mut self, predicted: usize, label: usize, positive: usize) {
        self.rows += 1;
        self.correct += u64::from(predicted == label);
        match (label == positive, predicted == positive) {
            (true, true) => self.tp += 1,
            (true, false) => self.fn_ += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
        }
    }
    /// The four outcomes add up to the rows, and the right ones are among them.
    pub(super) fn consistent(&self) -> bool {
        [self.tp, self.fp, self.fn_, self.tn]
            .iter()
            .try_fold(0u64, |s, &x| s.checked_add(x))
            == Some(self.rows)
            && self.correct <= self.rows
    }
    pub(super) fn add(&mut self, o: &Performance) {
        self.rows += o.rows;
        self.correct += o.correct;
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
    }
    pub(super) fn view(&self) -> PerformanceView {
        PerformanceView {
            counts: *self,
            accuracy: self.accuracy(),
            recall: self.recall(),
            precision: self.precision(),
        }
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// [`Performance`] counts with the metrics computed, for JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct PerformanceView {
    /// The counts.
    pub counts: Performance,
    /// Accuracy.
    pub accuracy: Option<f64>,
    /// Recall of the positive class.
    pub recall: Option<f64>,
    /// Precision of the positive class.
    pub precision: Option<f64>,
}

/// One labelled batch, as the window sees it (in batch-number order).
pub(super) struct Labelled {
    /// When it was observed (its batch number when it has no time).
    pub(super) time: f64,
    /// Its performance.
    pub(super) performance: Performance,
}

/// How the window and the drops are judged (from the monitor's options).
pub(super) struct Rules {
    /// Labelled batches in the window and the baseline.
    pub(super) window: usize,
    /// A window by duration instead.
    pub(super) window_seconds: Option<f64>,
    /// The recall drop that alarms.
    pub(super) recall_drop: f64,
    /// The accuracy drop that alarms.
    pub(super) accuracy_drop: f64,
    /// Positives needed on both sides before recall is judged.
    pub(super) min_positives: u64,
}

/// Recall fell from the baseline's to the window's.
pub(super) struct RecallDrop {
    /// `(baseline, window)` recall.
    pub(super) recall: (f64, f64),
    /// The window's and the baseline's accuracy.
    pub(super) accuracy: (Option<f64>, Option<f64>),
}

/// What the window shows after a batch was labelled.
pub(super) struct PerformanceFindings {
    /// The window's performance.
    pub(super) window: Performance,
    /// Recall fell.
    pub(super) recall_drop: Option<RecallDrop>,
    /// Accuracy fell: `(baseline, window)`.
    pub(super) accuracy_drop: Option<(f64, f64)>,
}

/// The watcher: the baseline and whether recall and accuracy are in a low episode.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub(super) struct PerformanceWatch {
    baseline: Option<Performance>,
    recall_low: bool,
    accuracy_low: bool,
}

impl PerformanceWatch {
    /// The baseline, once complete.
    pub(super) fn baseline(&self) -> Option<Performance> {
        self.baseline
    }

    /// Judges the window over `labelled` (every labelled batch, by batch number) against
    /// the baseline, completing the baseline when it can.
    pub(super) fn judge(&mut self, labelled: &[Labelled], rules: &Rules) -> PerformanceFindings {
        let w = rules.window;
        // By count: the last `w` labelled batches, the baseline the first `w`. By time:
        // those within `window_seconds` of the latest, the baseline those within it of the
        // earliest.
        let (in_window, in_baseline, past_baseline): (Vec<&Labelled>, Vec<&Labelled>, bool) =
            match rules.window_seconds {
                None => (
                    labelled.iter().rev().take(w).collect(),
                    labelled.iter().take(w).collect(),
                    labelled.len() > w,
                ),
                Some(secs) => {
                    let times = labelled.iter().map(|l| l.time);
                    let latest = times.clone().fold(f64::NEG_INFINITY, f64::max);
                    let earliest = times.fold(f64::INFINITY, f64::min);
                    (
                        labelled
                            .iter()
                            .filter(|l| l.time >= latest - secs)
                            .collect(),
                        labelled
                            .iter()
                            .filter(|l| l.time <= earliest + secs)
                            .collect(),
                        latest > earliest + secs,
                    )
                }
            };
        let mut window = Performance::default();
        for l in &in_window {
            window.add(&l.performance);
        }
        let baseline_complete = match rules.window_seconds {
            None => labelled.len() >= w,
            Some(_) => past_baseline,
        };
        if self.baseline.is_none() && baseline_complete {
            let mut base = Performance::default();
            for l in &in_baseline {
                base.add(&l.performance);
            }
            self.baseline = Some(base);
        }
        let mut findings = PerformanceFindings {
            window,
            recall_drop: None,
            accuracy_drop: None,
        };
        // Judge the window against the baseline once the window is past the baseline.
        let (Some(base), true) = (self.baseline, past_baseline) else {
            return findings;
        };
        let (acc, base_acc) = (window.accuracy(), base.accuracy());
        if let (Some(r), Some(br)) = (window.recall(), base.recall()) {
            let low = window.positives() >= rules.min_positives
                && base.positives() >= rules.min_positives
                && br - r >= rules.recall_drop;
            if low && !self.recall_low {
                findings.recall_drop = Some(RecallDrop {
                    recall: (br, r),
                    accuracy: (acc, base_acc),
                });
            }
            if window.positives() >= rules.min_positives {
                self.recall_low = low;
            }
        }
        if let (Some(a), Some(ba)) = (acc, base_acc) {
            let low = ba - a >= rules.accuracy_drop;
            if low && !self.accuracy_low {
                findings.accuracy_drop = Some((ba, a));
            }
            self.accuracy_low = low;
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performance_counts() {
        let p = Performance {
            rows: 10,
            correct: 8,
            tp: 2,
            fp: 1,
            fn_: 1,
            tn: 6,
        };
        assert_eq!(p.accuracy(), Some(0.8));
        assert_eq!(p.recall(), Some(2.0 / 3.0));
        assert_eq!(p.precision(), Some(2.0 / 3.0));
        assert_eq!(Performance::default().recall(), None);
        let json = serde_json::to_value(p.view()).unwrap();
        assert_eq!(json["counts"]["fn"], 1);
        let mut q = Performance::default();
        for (predicted, label) in [(1, 1), (0, 1), (1, 0), (0, 0)] {
            q.count(predicted, label, 1);
        }
        assert_eq!((q.tp, q.fn_, q.fp, q.tn, q.correct), (1, 1, 1, 1, 2));
    }

    fn batch(batch: usize, tp: u64, fn_: u64, tn: u64) -> Labelled {
        Labelled {
            time: batch as f64,
            performance: Performance {
                rows: tp + fn_ + tn,
                correct: tp + tn,
                tp,
                fn_,
                tn,
                fp: 0,
            },
        }
    }

    /// Recall falls once per episode: the alarm comes when the window's recall drops, not
    /// again while it stays low, and again after it recovered and fell once more.
    #[test]
    fn recall_drops_alarm_once_per_episode() {
        let rules = Rules {
            window: 2,
            window_seconds: None,
            recall_drop: 0.2,
            accuracy_drop: 0.05,
            min_positives: 20,
        };
        let mut watch = PerformanceWatch::default();
        let mut labelled = Vec::new();
        let mut alarms = Vec::new();
        let recalls = [
            (20, 5),
            (20, 5),
            (5, 20),
            (5, 20),
            (5, 20),
            (20, 5),
            (20, 5),
            (5, 20),
        ];
        for (i, &(tp, fn_)) in recalls.iter().enumerate() {
            labelled.push(batch(i, tp, fn_, 975));
            let f = watch.judge(&labelled, &rules);
            assert_eq!(
                f.window.rows,
                labelled
                    .iter()
                    .rev()
                    .take(2)
                    .map(|l| l.performance.rows)
                    .sum::<u64>()
            );
            if let Some(RecallDrop {
                recall: (base, now),
                ..
            }) = f.recall_drop
            {
                assert!(base - now >= 0.2);
                alarms.push(i);
            }
        }
        assert_eq!(watch.baseline().unwrap().rows, 2_000);
        assert_eq!(alarms, [2, 7]);
    }
}
