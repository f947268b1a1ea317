//! PSI bins of one column against its training profile, for the charts.

use serde::{Deserialize, Serialize};

use crate::drift::psi_from_counts;
use crate::profile::ColumnProfile;
use crate::table::{Cell, Column};

/// Share clip used by PSI (the credit-risk convention, as in [`crate::drift`]).
const EPSILON: f64 = 1e-4;

/// Bin labels, lower and upper edges, reference shares and current counts.
type Layout = (
    Vec<String>,
    Vec<Option<f64>>,
    Vec<Option<f64>>,
    Vec<f64>,
    Vec<f64>,
);

/// One PSI bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct PsiBin {
    /// The bin: `(a, b]` for numbers (`-inf`/`inf` at the ends), the category otherwise.
    pub label: String,
    /// Lower edge (numbers; `null` for the first bin and for categories).
    pub lower: Option<f64>,
    /// Upper edge (numbers; `null` for the last bin and for categories).
    pub upper: Option<f64>,
    /// Share of the reference in the bin.
    pub reference: f64,
    /// Share of the current batch in the bin.
    pub current: f64,
    /// The bin's term `(cur − ref) · ln(cur / ref)`, both clipped at `1e-4`.
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
    /// The sum of the contributions.
    pub psi: f64,
}

/// PSI bins of `current` against the `reference` profile column: for numbers, `bins`
/// right-closed bins with inner edges at the reference quantiles `1/bins, …` (the
/// profile's exact quantiles where it stores that level, its sketch elsewhere) and
/// reference shares from the sketch CDF; for categories and booleans, one bin per reference
/// category plus `other` (categories beyond the profile's list) and `new` (labels the
/// profile never saw). Missing cells are left out. This is the chart's view; the drift
/// verdict comes from [`drift_report_from_profile`](crate::drift::drift_report_from_profile).
pub fn psi_bins(
    reference: &ColumnProfile,
    current: &Column,
    bins: usize,
) -> Result<PsiBins, String> {
    let cells: Vec<Cell<'_>> = (0..current.len())
        .filter_map(|i| current.get(i))
        .filter(|c| !matches!(c, Cell::Missing))
        .collect();
    if cells.is_empty() {
        return Err(format!(
            "column {:?} has no values in this batch",
            current.name
        ));
    }
    let (labels, lowers, uppers, ref_share, cur_count): Layout = if let Some(s) = &reference.numeric
    {
        let bins = bins.max(2);
        let mut edges: Vec<f64> = (1..bins)
            .map(|i| {
                let q = i as f64 / bins as f64;
                s.quantiles
                    .iter()
                    .find(|l| (l.q - q).abs() < 1e-12 && l.value.is_finite())
                    .map_or_else(|| s.sketch.quantile(q), |l| l.value)
            })
            .collect();
        for i in 1..edges.len() {
            if edges[i].is_nan() || edges[i] < edges[i - 1] {
                edges[i] = edges[i - 1];
            }
        }
        let mut cdf: Vec<f64> = edges.iter().map(|&e| s.sketch.cdf(e)).collect();
        cdf.push(1.0);
        let mut ref_share = Vec::with_capacity(bins);
        let mut prev = 0.0;
        for c in cdf {
            ref_share.push((c - prev).max(0.0));
            prev = c.max(prev);
        }
        let mut cur = vec![0.0; bins];
        for c in &cells {
            let x = match c {
                Cell::Number(x) => *x,
                Cell::Bool(b) => f64::from(u8::from(*b)),
                _ => continue,
            };
            cur[edges.partition_point(|&e| e < x)] += 1.0;
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
        (labels, lowers, uppers, ref_share, cur)
    } else if let Some(c) = &reference.categories {
        let mut labels: Vec<String> = c.top.iter().map(|t| t.value.clone()).collect();
        let mut ref_counts: Vec<f64> = c.top.iter().map(|t| t.count as f64).collect();
        labels.push("other".into());
        ref_counts.push(c.other as f64);
        labels.push("new".into());
        ref_counts.push(0.0);
        let (other, new) = (labels.len() - 2, labels.len() - 1);
        let mut cur = vec![0.0; labels.len()];
        for cell in &cells {
            let text = match cell {
                Cell::Category(s) => (*s).to_owned(),
                Cell::Bool(b) => b.to_string(),
                Cell::Number(x) => format!("{x}"),
                Cell::Missing => continue,
            };
            match c.top.iter().position(|t| t.value == text) {
                Some(i) => cur[i] += 1.0,
                None if c.other > 0 => cur[other] += 1.0,
                None => cur[new] += 1.0,
            }
        }
        let total: f64 = ref_counts.iter().sum();
        if total <= 0.0 {
            return Err(format!("the profile of {:?} has no values", reference.name));
        }
        let ref_share = ref_counts.iter().map(|r| r / total).collect();
        let n = labels.len();
        (labels, vec![None; n], vec![None; n], ref_share, cur)
    } else {
        return Err(format!(
            "the profile of {:?} has no numeric or category summary",
            reference.name
        ));
    };
    let n_cur: f64 = cur_count.iter().sum();
    if n_cur <= 0.0 {
        return Err(format!(
            "column {:?} has no comparable values",
            current.name
        ));
    }
    let psi = psi_from_counts(&ref_share, &cur_count, EPSILON).map_err(|e| e.to_string())?;
    let bins = labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            let r = ref_share[i];
            let c = cur_count[i] / n_cur;
            let (rp, cp) = (r.max(EPSILON), c.max(EPSILON));
            PsiBin {
                label,
                lower: lowers[i],
                upper: uppers[i],
                reference: r,
                current: c,
                contribution: (cp - rp) * (cp / rp).ln(),
            }
        })
        .collect();
    Ok(PsiBins {
        column: current.name.clone(),
        bins,
        psi,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use crate::table::{Column, Table};

    #[test]
    fn bins_sum_to_the_psi_and_see_a_shift() {
        let xs: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let t = Table::new(vec![Column::numeric("x", xs.clone())]).unwrap();
        let p = Profile::from_table(&t, None).unwrap();
        let same = psi_bins(&p.columns[0], &t.columns()[0], 10).unwrap();
        assert_eq!(same.bins.len(), 10);
        assert!(same.psi < 0.01, "{}", same.psi);
        for b in &same.bins {
            assert!((b.reference - 0.1).abs() < 0.02, "{b:?}");
        }
        let shifted = Column::numeric("x", xs.iter().map(|x| x + 500.0).collect());
        let s = psi_bins(&p.columns[0], &shifted, 10).unwrap();
        let sum: f64 = s.bins.iter().map(|b| b.contribution).sum();
        assert!((sum - s.psi).abs() < 1e-9);
        assert!(s.psi > 1.0);
    }

    #[test]
    fn categories_get_new_and_other_bins() {
        let t = Table::new(vec![Column::categorical(
            "c",
            &[Some("a"), Some("b"), Some("a"), None],
        )])
        .unwrap();
        let p = Profile::from_table(&t, None).unwrap();
        let cur = Column::categorical("c", &[Some("a"), Some("z"), None]);
        let b = psi_bins(&p.columns[0], &cur, 10).unwrap();
        let new = b.bins.iter().find(|b| b.label == "new").unwrap();
        assert_eq!(new.current, 0.5);
        assert_eq!(new.reference, 0.0);
        let empty = Column::categorical::<&str>("c", &[None, None]);
        assert!(psi_bins(&p.columns[0], &empty, 10).is_err());
    }
}
