//! Data drift: each batch's drift report against the artifact's training profile, the
//! PSI bins of every input column for the charts, and the `data_drift` alarm when a
//! batch drifts after one that did not.

use serde::{Deserialize, Serialize};

use crate::drift::{
    drift_report_from_profile, psi_bins, DriftOptions, DriftReport, PsiBins, PsiOptions,
};
use crate::profile::Profile;
use crate::table::Table;

/// What one batch's inputs show.
pub(super) struct DataDriftFindings {
    /// The drift report (`None` when it could not be made).
    pub(super) report: Option<DriftReport>,
    /// Why there is no report.
    pub(super) error: Option<String>,
    /// PSI bins of every tested column that has values.
    pub(super) psi: Vec<PsiBins>,
    /// The batch drifted and the previous one did not: the `data_drift` alarm.
    pub(super) newly_drifted: bool,
}

/// The watcher: whether the last batch with a report drifted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub(super) struct DataDrift {
    last_drifted: bool,
}

impl DataDrift {
    /// Tests `batch` against `profile` (the columns of `options`) and, with
    /// `Some(bins)`, bins it for PSI with `bins` bins per numeric column (the page's chart;
    /// the edge monitor reports no PSI bins and passes `None`: laying them out was a quarter
    /// of its merge of a 1,000-row delta).
    pub(super) fn watch(
        &mut self,
        profile: &Profile,
        batch: &Table,
        options: &DriftOptions,
        psi_bin_count: Option<usize>,
    ) -> DataDriftFindings {
        let (report, error) = match drift_report_from_profile(profile, batch, options) {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let psi = match psi_bin_count {
            None => Vec::new(),
            Some(bins) => {
                let psi_options = PsiOptions {
                    bins,
                    ..options.psi
                };
                options
                    .columns
                    .as_deref()
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|name| {
                        let reference = profile.column(name)?;
                        let column = batch.column(name)?;
                        psi_bins(reference, column, &psi_options).ok()
                    })
                    .collect()
            }
        };
        let mut newly_drifted = false;
        if let Some(r) = &report {
            newly_drifted = r.dataset_drift && !self.last_drifted;
            self.last_drifted = r.dataset_drift;
        }
        DataDriftFindings {
            report,
            error,
            psi,
            newly_drifted,
        }
    }
}
