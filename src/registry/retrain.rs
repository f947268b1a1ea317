//! Retraining from the monitor's feedback: a window policy over labelled batches, and the
//! training request for the next version (its parent set to the champion).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::RegistryError;
use crate::artifact::Artifact;
use crate::monitor::LabelledBatch;
use crate::table::{Cell, Column, ColumnData, Table};
use crate::train::{train, Evaluation, ModelKind, ModelParams, ParamValue, TrainRequest};

/// Which labelled batches the next version learns from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum WindowPolicy {
    /// The last `batches` labelled batches (by batch number): forget the old world.
    Recent {
        /// How many batches.
        batches: usize,
    },
    /// Every labelled batch kept.
    All,
    /// Every labelled batch, resampled with replacement (seeded) to the same total number
    /// of rows, a batch's weight halving every `half_life` batches of age: the recent world
    /// counts most, the old one is not forgotten.
    Reweighted {
        /// Age, in batches, at which a batch's weight halves (positive).
        half_life: f64,
    },
}

/// What to train the next version on.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrainPlan {
    /// The training rows (features and target).
    pub table: Table,
    /// The request: the champion's kind, parameters, seed and test fraction, the parent set
    /// to the champion's hash.
    pub request: TrainRequest,
    /// The batches used, in order.
    pub batches: Vec<usize>,
    /// A note for the registry card, e.g. "retrained on batches 25–29 (5,000 rows)".
    pub note: String,
}

fn err(message: impl Into<String>) -> RegistryError {
    RegistryError::Retrain(message.into())
}

/// Stacks tables with the same columns (names and kinds, in the first table's order);
/// categorical levels are merged by label.
pub fn concat_tables(tables: &[&Table]) -> Result<Table, RegistryError> {
    let first = tables
        .first()
        .ok_or_else(|| err("no labelled batches to train on: label some batches first"))?;
    let mut columns = Vec::with_capacity(first.columns().len());
    for c in first.columns() {
        let parts: Vec<&Column> = tables
            .iter()
            .map(|t| {
                t.column(&c.name)
                    .filter(|o| o.kind() == c.kind())
                    .ok_or_else(|| {
                        err(format!(
                            "column {:?} is missing or of another kind in one of the batches: every batch needs the same columns",
                            c.name
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        let column = match &c.data {
            ColumnData::Numeric(_) => Column::numeric(
                c.name.clone(),
                parts
                    .iter()
                    .flat_map(|p| match &p.data {
                        ColumnData::Numeric(v) => v.clone(),
                        _ => Vec::new(),
                    })
                    .collect(),
            ),
            ColumnData::Boolean(_) => Column {
                name: c.name.clone(),
                data: ColumnData::Boolean(
                    parts
                        .iter()
                        .flat_map(|p| match &p.data {
                            ColumnData::Boolean(v) => v.clone(),
                            _ => Vec::new(),
                        })
                        .collect(),
                ),
            },
            ColumnData::Categorical { .. } => {
                let mut labels: Vec<Option<&str>> = Vec::new();
                for p in &parts {
                    for i in 0..p.len() {
                        labels.push(match p.get(i) {
                            Some(Cell::Category(s)) => Some(s),
                            _ => None,
                        });
                    }
                }
                Column::categorical(c.name.clone(), &labels)
            }
        };
        columns.push(column);
    }
    Table::new(columns).map_err(|e| err(e.to_string()))
}

/// The plan for the next version: the rows chosen by `policy` from `batches` and a
/// request that trains the champion's model kind with its parameters, seed and test
/// fraction, with `parent` = the champion's hash and `created` stamped by the caller.
pub fn retrain_plan(
    champion: &Artifact,
    batches: &[LabelledBatch],
    policy: &WindowPolicy,
    created: &str,
) -> Result<RetrainPlan, RegistryError> {
    let target = champion.schema.target.clone().ok_or_else(|| {
        err("the champion has no target column, so it cannot be retrained on labels")
    })?;
    let mut sorted: Vec<&LabelledBatch> = batches.iter().collect();
    sorted.sort_by_key(|b| b.batch);
    let chosen: Vec<&LabelledBatch> = match policy {
        WindowPolicy::Recent { batches: n } => {
            if *n == 0 {
                return Err(err("a recent window needs at least 1 batch"));
            }
            let skip = sorted.len().saturating_sub(*n);
            sorted[skip..].to_vec()
        }
        WindowPolicy::All | WindowPolicy::Reweighted { .. } => sorted.clone(),
    };
    let tables: Vec<&Table> = chosen.iter().map(|b| &b.table).collect();
    let mut table = concat_tables(&tables)?;
    if let WindowPolicy::Reweighted { half_life } = policy {
        if !(half_life.is_finite() && *half_life > 0.0) {
            return Err(err(format!(
                "half_life {half_life} is invalid: use a positive number of batches"
            )));
        }
        let newest = chosen.last().map_or(0, |b| b.batch);
        // Row weights, then a seeded weighted resample (with replacement) of the same size.
        let mut cumulative = Vec::with_capacity(table.rows());
        let mut total = 0.0;
        for b in &chosen {
            let age = newest.saturating_sub(b.batch) as f64;
            let w = libm::exp2(-age / half_life);
            for _ in 0..b.table.rows() {
                total += w;
                cumulative.push(total);
            }
        }
        let mut rng = StdRng::seed_from_u64(champion.lineage.seed ^ 0x5eed);
        let rows: Vec<usize> = (0..cumulative.len())
            .map(|_| {
                let u = rng.gen::<f64>() * total;
                cumulative
                    .partition_point(|&c| c <= u)
                    .min(cumulative.len() - 1)
            })
            .collect();
        table = table.take(&rows);
    }
    let kind = ModelKind::parse(&champion.lineage.model_kind).map_err(|e| err(e.to_string()))?;
    let params = serde_json::from_value::<std::collections::BTreeMap<String, ParamValue>>(
        champion.lineage.params.clone(),
    )
    .ok()
    .and_then(|values| ModelParams::from_values(kind, &values).ok())
    .unwrap_or_else(|| ModelParams::defaults(kind));
    let mut request = TrainRequest::new(&target, kind);
    request.params = params;
    request.seed = champion.lineage.seed;
    if champion.lineage.test_fraction > 0.0 && champion.lineage.test_fraction < 1.0 {
        request.test_fraction = champion.lineage.test_fraction;
    }
    request.created = created.to_owned();
    request.parent = Some(champion.hash.clone());
    let ids: Vec<usize> = chosen.iter().map(|b| b.batch).collect();
    let span = match (ids.first(), ids.last()) {
        (Some(a), Some(b)) if a != b => format!("batches {a}–{b}"),
        (Some(a), _) => format!("batch {a}"),
        _ => "no batches".into(),
    };
    let how = match policy {
        WindowPolicy::Recent { .. } => "recent",
        WindowPolicy::All => "all",
        WindowPolicy::Reweighted { .. } => "reweighted",
    };
    Ok(RetrainPlan {
        note: format!("retrained ({how}) on {span}, {} rows", table.rows()),
        table,
        request,
        batches: ids,
    })
}

/// Plans and trains the next version: [`retrain_plan`], then [`train`].
pub fn retrain(
    champion: &Artifact,
    batches: &[LabelledBatch],
    policy: &WindowPolicy,
    created: &str,
) -> Result<(Artifact, Evaluation, RetrainPlan), RegistryError> {
    let plan = retrain_plan(champion, batches, policy, created)?;
    let (artifact, evaluation) =
        train(&plan.table, &plan.request, &mut |_| {}).map_err(|e| err(e.to_string()))?;
    Ok((artifact, evaluation, plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_merges_categories() {
        let a = Table::new(vec![
            Column::numeric("x", vec![1.0]),
            Column::categorical("c", &[Some("a")]),
        ])
        .unwrap();
        let b = Table::new(vec![
            Column::numeric("x", vec![2.0, f64::NAN]),
            Column::categorical("c", &[Some("b"), Some("a")]),
        ])
        .unwrap();
        let t = concat_tables(&[&a, &b]).unwrap();
        assert_eq!(t.rows(), 3);
        let c = t.column("c").unwrap();
        assert_eq!(c.get(2), Some(Cell::Category("a")));
        assert!(t.column("x").unwrap().is_missing(2));
        let bad = Table::new(vec![Column::numeric("y", vec![1.0])]).unwrap();
        assert!(concat_tables(&[&a, &bad]).is_err());
        assert!(concat_tables(&[]).is_err());
    }
}
