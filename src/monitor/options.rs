//! How the monitor judges ([`MonitorOptions`]) and the checks that turn the options into
//! a working setup for one artifact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::artifact::Artifact;
use crate::detector::{Adwin, Ddm, PageHinkley};
use crate::drift::DriftOptions;
use crate::score::Task;

use super::alarms::default_positive_name;
use super::predictions::class_index;
use super::{option_error, MonitorError};

/// How the monitor judges. `MonitorOptions::default()` gives the values below.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(default)]
pub struct MonitorOptions {
    /// The positive class for recall and precision. Default: the second class of a
    /// two-class model (`"1"`, `"true"` — classes are sorted), else the first.
    pub positive: Option<String>,
    /// What a positive is called in sentences, e.g. `"fraud"`. Default: `cases of class
    /// "<positive>"`.
    pub positive_name: Option<String>,
    /// Labelled batches in the performance window (and in the baseline). Default 5.
    pub window: usize,
    /// A window by time instead of by count: when set, the performance window holds the
    /// labelled batches observed at most this many seconds before the latest labelled one,
    /// the baseline holds those observed within this many seconds of the earliest, and
    /// `window` is not used for either. Batch times come from
    /// [`Monitor::observe_at`](super::Monitor::observe_at) or `time_column`; a batch
    /// without one counts as observed at second `batch number`. Default `None` (the window
    /// by count).
    pub window_seconds: Option<f64>,
    /// A numeric column of timestamps in seconds (e.g. Unix time) in each observed batch:
    /// the batch's time is its latest finite timestamp. It is not a model input (scoring
    /// ignores columns the model does not use). Default `None`.
    pub time_column: Option<String>,
    /// Recall drop (absolute) from the baseline that raises `recall_drop`. Default 0.2.
    pub recall_drop: f64,
    /// Accuracy drop (absolute) from the baseline that raises `accuracy_drop`. Default 0.05.
    pub accuracy_drop: f64,
    /// Positives needed in the window before recall is judged. Default 20.
    pub min_positives: u64,
    /// Drift options for each batch; `columns: None` means the artifact's input columns.
    /// Default: [`DriftOptions::default`].
    pub drift: DriftOptions,
    /// PSI bins per numeric feature in the charts (binning and clip from `drift.psi`).
    /// Default 10, as `drift.psi.bins`: the chart's PSI is then the verdict's.
    pub psi_bins: usize,
    /// ADWIN parameters (`key → value`, see [`crate::detector::build`]). Default: River's.
    pub adwin: BTreeMap<String, String>,
    /// DDM parameters. Default `warm_start = 5000` labelled rows, otherwise River's: errors
    /// are rare (about 1 %), and with River's 30 the minimum error rate DDM remembers is a
    /// lucky early streak (often 0), so it alarms on ordinary noise.
    pub ddm: BTreeMap<String, String>,
    /// Page-Hinkley parameters, for a per-batch share in `[0, 1]`. Default
    /// `min_instances = 5, delta = 0.05, threshold = 1, mode = up`.
    pub page_hinkley: BTreeMap<String, String>,
    /// Batches whose feature rows are kept for retraining
    /// ([`Monitor::labelled_batches`](super::Monitor::labelled_batches)). Default 100.
    pub keep_batches: usize,
}

fn pairs(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            positive: None,
            positive_name: None,
            window: 5,
            window_seconds: None,
            time_column: None,
            recall_drop: 0.2,
            accuracy_drop: 0.05,
            min_positives: 20,
            drift: DriftOptions::default(),
            psi_bins: 10,
            adwin: BTreeMap::new(),
            ddm: pairs(&[("warm_start", "5000")]),
            page_hinkley: pairs(&[
                ("min_instances", "5"),
                ("delta", "0.05"),
                ("threshold", "1"),
                ("mode", "up"),
            ]),
            keep_batches: 100,
        }
    }
}

fn to_params(m: &BTreeMap<String, String>) -> Vec<(String, String)> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The options checked against one artifact: what the monitor derives from them.
pub(super) struct Setup {
    /// The positive class's index.
    pub(super) positive: usize,
    /// What a positive is called in sentences.
    pub(super) positive_name: String,
    /// The drift options with the columns filled in.
    pub(super) drift_options: DriftOptions,
    /// Fresh detectors.
    pub(super) adwin: Adwin,
    pub(super) ddm: Ddm,
    pub(super) page_hinkley: PageHinkley,
}

impl MonitorOptions {
    /// Checks the options for `artifact` (a classifier): the positive class must be one of
    /// the model's, the detector parameters valid, the window at least 1.
    pub(super) fn setup(&self, artifact: &Artifact) -> Result<Setup, MonitorError> {
        if artifact.model.task() != Task::Classification || artifact.classes.is_empty() {
            return Err(MonitorError::NotAClassifier(
                artifact.model.kind().to_owned(),
            ));
        }
        let classes = &artifact.classes;
        let positive = match &self.positive {
            Some(p) => class_index(classes, p).ok_or_else(|| {
                option_error(
                    "positive",
                    format!(
                        "{p:?} is not a class of this model: use one of {}",
                        classes.join(", ")
                    ),
                )
            })?,
            None => usize::from(classes.len() >= 2),
        };
        if self.window == 0 || self.window > 10_000 {
            return Err(option_error("window", "use 1 to 10000 batches"));
        }
        if let Some(secs) = self.window_seconds {
            if !(secs.is_finite() && secs > 0.0) {
                return Err(option_error(
                    "window_seconds",
                    format!("{secs} is not a duration: use a number of seconds above 0"),
                ));
            }
        }
        for (name, v) in [
            ("recall_drop", self.recall_drop),
            ("accuracy_drop", self.accuracy_drop),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                return Err(option_error(
                    name,
                    format!("{v} is not a drop: use a number in (0, 1]"),
                ));
            }
        }
        if !(2..=1000).contains(&self.psi_bins) {
            return Err(option_error("psi_bins", "use 2 to 1000 bins"));
        }
        let adwin = Adwin::from_params(&to_params(&self.adwin))?;
        let ddm = Ddm::from_params(&to_params(&self.ddm))?;
        let page_hinkley = PageHinkley::from_params(&to_params(&self.page_hinkley))?;
        let mut drift_options = self.drift.clone();
        if drift_options.columns.is_none() {
            drift_options.columns = Some(
                artifact
                    .schema
                    .columns
                    .iter()
                    .filter(|c| artifact.profile.column(&c.name).is_some())
                    .map(|c| c.name.clone())
                    .collect(),
            );
        }
        let positive_label = classes.get(positive).cloned().unwrap_or_default();
        let positive_name = self
            .positive_name
            .clone()
            .unwrap_or_else(|| default_positive_name(&positive_label));
        Ok(Setup {
            positive,
            positive_name,
            drift_options,
            adwin,
            ddm,
            page_hinkley,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_build_detectors() {
        let o = MonitorOptions::default();
        Adwin::from_params(&to_params(&o.adwin)).unwrap();
        let ddm = Ddm::from_params(&to_params(&o.ddm)).unwrap();
        assert_eq!((ddm.drift_threshold(), ddm.warning_threshold()), (3.0, 2.0));
        PageHinkley::from_params(&to_params(&o.page_hinkley)).unwrap();
        let json = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<MonitorOptions>(&json).unwrap(), o);
    }
}
