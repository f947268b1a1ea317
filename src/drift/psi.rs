//! PSI bin by bin: the one place where PSI's bins are laid out, for the drift verdict and
//! for the monitor's reference-vs-current chart alike.
//!
//! The bins are described on [`psi_bins`].

use serde::{Deserialize, Serialize};

use super::report::{extract, Side};
use super::stats::{bin_of, psi_terms, PsiOptions};
use super::DriftError;
use crate::profile::ColumnProfile;
use crate::table::Column;

/// One PSI bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct PsiBin {
    /// The bin: `(a, b]` for numbers (`-inf`/`inf` at the ends), the category otherwise
    /// (`other`: the categories the profile pooled).
    pub label: String,
    /// Lower edge (numbers; `null` for the first bin and for categories).
    pub lower: Option<f64>,
    /// Upper edge (numbers; `null` for the last bin and for categories).
    pub upper: Option<f64>,
    /// Share of the reference in the bin.
    pub reference: f64,
    /// Share of the current batch in the bin.
    pub current: f64,
    /// The bin's term `(cur − ref) · ln(cur / ref)`, both clipped at `epsilon`.
    pub contribution: f64,
}

/// PSI of one column, bin by bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct PsiBins {
    /// The column.
    pub column: String,
    /// The bins.
    pub bins: Vec<PsiBin>,
    /// The sum of the contributions, in bin order: the drift report's PSI statistic.
    pub psi: f64,
}

/// PSI's bins for one column: labels, edges and the counts on each side.
pub(super) struct PsiLayout {
    pub(super) labels: Vec<String>,
    pub(super) lowers: Vec<Option<f64>>,
    pub(super) uppers: Vec<Option<f64>>,
    pub(super) reference: Vec<f64>,
    pub(super) current: Vec<f64>,
}

impl PsiLayout {
    /// Bins right-closed at `edges` (inner edges; the outer bins open), with the reference
    /// counts given and the current values counted.
    pub(super) fn numeric(edges: &[f64], reference: Vec<f64>, current: &[f64]) -> PsiLayout {
        let mut counts = vec![0.0; edges.len() + 1];
        for &x in current {
            counts[bin_of(edges, x)] += 1.0;
        }
        let lowers: Vec<Option<f64>> = std::iter::once(None)
            .chain(edges.iter().map(|&e| Some(e)))
            .collect();
        let uppers: Vec<Option<f64>> = edges
            .iter()
            .map(|&e| Some(e))
            .chain(std::iter::once(None))
            .collect();
        let labels = lowers
            .iter()
            .zip(&uppers)
            .map(|(l, u)| {
                format!(
                    "({}, {}]",
                    l.map_or("-inf".into(), |x| format!("{x}")),
                    u.map_or("inf".into(), |x| format!("{x}"))
                )
            })
            .collect();
        PsiLayout {
            labels,
            lowers,
            uppers,
            reference,
            current: counts,
        }
    }

    /// Bins right-closed at `edges`, both sides counted from their values.
    pub(super) fn numeric_from_values(
        edges: &[f64],
        reference: &[f64],
        current: &[f64],
    ) -> PsiLayout {
        let mut counts = vec![0.0; edges.len() + 1];
        for &x in reference {
            counts[bin_of(edges, x)] += 1.0;
        }
        PsiLayout::numeric(edges, counts, current)
    }

    /// One bin per category, with the counts of each side.
    pub(super) fn categories(labels: Vec<String>, reference: &[u64], current: &[u64]) -> Self {
        let n = labels.len();
        PsiLayout {
            labels,
            lowers: vec![None; n],
            uppers: vec![None; n],
            reference: reference.iter().map(|&x| x as f64).collect(),
            current: current.iter().map(|&x| x as f64).collect(),
        }
    }

    /// The PSI statistic ([`psi_from_counts`](super::psi_from_counts)).
    pub(super) fn statistic(&self, epsilon: f64) -> Result<f64, DriftError> {
        Ok(sum(&psi_terms(&self.reference, &self.current, epsilon)?))
    }

    /// The bins with their shares and terms, and their sum.
    fn bins(self, column: &str, epsilon: f64) -> Result<PsiBins, DriftError> {
        let terms = psi_terms(&self.reference, &self.current, epsilon)?;
        let (sr, sc): (f64, f64) = (self.reference.iter().sum(), self.current.iter().sum());
        let psi = sum(&terms);
        let bins = self
            .labels
            .into_iter()
            .enumerate()
            .map(|(i, label)| PsiBin {
                label,
                lower: self.lowers[i],
                upper: self.uppers[i],
                reference: self.reference[i] / sr,
                current: self.current[i] / sc,
                contribution: terms[i],
            })
            .collect();
        Ok(PsiBins {
            column: column.to_owned(),
            bins,
            psi,
        })
    }
}

/// The sum in order, from 0 (as PSI has always been summed).
pub(super) fn sum(terms: &[f64]) -> f64 {
    terms.iter().fold(0.0, |s, t| s + t)
}

/// PSI of `current` against the `reference` profile column, bin by bin: the chart of the
/// drift verdict's PSI, whose `psi` equals the statistic that
/// [`drift_report_from_profile`](super::drift_report_from_profile) reports for the column
/// under the `psi` test with the same [`PsiOptions`]. Missing cells are left out.
///
/// The verdict ([`drift_report`](super::drift_report),
/// [`drift_report_from_profile`](super::drift_report_from_profile) with the `psi` test)
/// and the chart ([`psi_bins`]) lay out the same bins with the same reference counts and
/// sum the same terms in the same order, so the chart's total *is* the verdict's
/// statistic, to the last bit. The bins, against a stored profile:
///
/// | column | bins | reference counts |
/// | --- | --- | --- |
/// | numeric, the profile holds every value (at most 200, or low cardinality read back) | `(e_{i−1}, e_i]` with inner edges at the values' quantiles (NumPy's), or equal widths | the values themselves |
/// | numeric, otherwise | the same edges from the profile's quantiles (exact where it stores the level, the sketch's elsewhere) | the sketch CDF at the edges |
/// | categorical, boolean | one per category of the profile and of the batch, in label order, plus `other` when the profile pooled categories (labels it does not list go there) | the profile's counts (0 for a new label) |
///
/// Every share is clipped below at `epsilon` (1e-4 by default) before the bin's term
/// `(cur − ref) · ln(cur / ref)`.
///
/// Errors name the column: kinds that differ, a side without values, or a profile column
/// that lacks its summary.
pub fn psi_bins(
    reference: &ColumnProfile,
    current: &Column,
    options: &PsiOptions,
) -> Result<PsiBins, DriftError> {
    let name = current.name.as_str();
    if current.kind() != reference.kind {
        return Err(DriftError::KindMismatch {
            column: name.to_owned(),
            reference: reference.kind,
            current: current.kind(),
        });
    }
    let (side, _) = extract(current);
    let empty = match &side {
        Side::Numeric(v) => v.is_empty(),
        Side::Labels(v) => v.is_empty(),
    };
    if reference.count == 0 || empty {
        return Err(DriftError::EmptySample {
            column: Some(name.to_owned()),
            side: if reference.count == 0 {
                "reference"
            } else {
                "current"
            },
        });
    }
    let layout = super::profile_ref::psi_layout(reference, name, &side, options)?;
    layout
        .bins(name, options.epsilon)
        .map_err(|e| super::report::with_column(name, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::{drift_report_from_profile, DriftOptions, TestKind};
    use crate::profile::Profile;
    use crate::table::Table;

    fn verdict(p: &Profile, current: &Column) -> f64 {
        let t = Table::new(vec![current.clone()]).unwrap();
        let o = DriftOptions {
            test: Some(TestKind::Psi),
            ..Default::default()
        };
        drift_report_from_profile(p, &t, &o).unwrap().columns[0].statistic
    }

    #[test]
    fn bins_sum_to_the_verdicts_psi_and_see_a_shift() {
        // 1000 values: beyond what the sketch holds one by one, so the reference shares
        // come from the sketch CDF
        let xs: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let t = Table::new(vec![Column::numeric("x", xs.clone())]).unwrap();
        let p = Profile::from_table(&t, None).unwrap();
        let o = PsiOptions::default();
        let same = psi_bins(&p.columns[0], &t.columns()[0], &o).unwrap();
        assert_eq!(same.bins.len(), 10);
        assert!(same.psi < 0.01, "{}", same.psi);
        for b in &same.bins {
            assert!((b.reference - 0.1).abs() < 0.02, "{b:?}");
        }
        assert_eq!(same.psi, verdict(&p, &t.columns()[0]));
        let shifted = Column::numeric("x", xs.iter().map(|x| x + 500.0).collect());
        let s = psi_bins(&p.columns[0], &shifted, &o).unwrap();
        assert_eq!(
            s.psi,
            sum(&s.bins.iter().map(|b| b.contribution).collect::<Vec<_>>())
        );
        assert_eq!(s.psi, verdict(&p, &shifted));
        assert!(s.psi > 1.0);
        assert_eq!(
            s.bins[0].label,
            format!("(-inf, {}]", s.bins[0].upper.unwrap())
        );
        // a small profile holds every value: the bins of the raw-row test
        let small = Table::new(vec![Column::numeric("x", xs[..150].to_vec())]).unwrap();
        let p = Profile::from_table(&small, None).unwrap();
        let s = psi_bins(&p.columns[0], &shifted, &o).unwrap();
        assert_eq!(s.psi, verdict(&p, &shifted));
        assert_eq!(s.bins[9].reference, 0.1);
    }

    #[test]
    fn categories_get_one_bin_each_and_other_for_the_pooled() {
        let t = Table::new(vec![Column::categorical(
            "c",
            &[Some("a"), Some("b"), Some("a"), None],
        )])
        .unwrap();
        let p = Profile::from_table(&t, None).unwrap();
        let cur = Column::categorical("c", &[Some("a"), Some("z"), None]);
        let b = psi_bins(&p.columns[0], &cur, &PsiOptions::default()).unwrap();
        let labels: Vec<&str> = b.bins.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["a", "b", "z"]);
        let new = &b.bins[2];
        assert_eq!((new.reference, new.current), (0.0, 0.5));
        assert_eq!(b.psi, verdict(&p, &cur));
        // categories beyond the profile's list are pooled: one "other" bin
        let mut pooled = p.clone();
        pooled.columns[0].categories.as_mut().unwrap().other = 3;
        let b = psi_bins(&pooled.columns[0], &cur, &PsiOptions::default()).unwrap();
        let labels: Vec<&str> = b.bins.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["a", "b", "other"]);
        assert_eq!(b.bins[2].current, 0.5);
        assert_eq!(b.psi, verdict(&pooled, &cur));
    }

    #[test]
    fn errors_name_the_column() {
        let t = Table::new(vec![Column::categorical("c", &[Some("a")])]).unwrap();
        let p = Profile::from_table(&t, None).unwrap();
        let o = PsiOptions::default();
        let empty = Column::categorical::<&str>("c", &[None, None]);
        let e = psi_bins(&p.columns[0], &empty, &o).unwrap_err();
        assert!(
            matches!(
                e,
                DriftError::EmptySample {
                    side: "current",
                    ..
                }
            ),
            "{e}"
        );
        let numbers = Column::numeric("c", vec![1.0]);
        let e = psi_bins(&p.columns[0], &numbers, &o).unwrap_err();
        assert!(e.to_string().contains("\"c\""), "{e}");
    }
}
