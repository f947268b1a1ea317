//! The monitor's batches and what it keeps of them.
//!
//! **Retention.** Every batch keeps its [`BatchSummary`] (the timeline the charts draw:
//! a few hundred bytes plus ADWIN's trace, about 20 samples per 1,000 rows). Per-row data
//! is kept only while something needs it:
//! * the predicted class of each row until the batch is labelled (the labels are judged
//!   against them), then dropped;
//! * the feature rows and, once they arrive, the labels of the last `keep_batches`
//!   observed batches, for retraining ([`Monitor::labelled_batches`](super::Monitor::labelled_batches)).
//!   Older batches lose both.
//!
//! A saved monitor ([`MonitorState`](super::MonitorState)) holds the summaries and the
//! pending predictions, not the feature rows.

use serde::{Deserialize, Serialize};

use crate::artifact::Artifact;
use crate::table::{Column, ColumnData, ColumnKind, Table, TableError};

use super::performance::Performance;
use super::report::{BatchSummary, LabelledBatch};

/// One observed batch.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Batch {
    /// What the timeline shows.
    pub(super) summary: BatchSummary,
    /// The predicted classes, until the batch is labelled.
    pub(super) pending: Option<Vec<usize>>,
    /// The feature rows, while kept for retraining.
    pub(super) rows: Option<Table>,
    /// The labels (class indices), while the rows are kept.
    pub(super) labels: Option<Vec<usize>>,
}

impl Batch {
    /// Its performance, once labelled.
    pub(super) fn performance(&self) -> Option<Performance> {
        self.summary.performance.map(|p| p.counts)
    }
}

/// The part of a batch that a saved monitor keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct SavedBatch {
    pub(super) summary: BatchSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) pending: Option<Vec<usize>>,
}

impl From<&Batch> for SavedBatch {
    fn from(b: &Batch) -> Self {
        SavedBatch {
            summary: b.summary.clone(),
            pending: b.pending.clone(),
        }
    }
}

impl From<SavedBatch> for Batch {
    fn from(b: SavedBatch) -> Self {
        Batch {
            summary: b.summary,
            pending: b.pending,
            rows: None,
            labels: None,
        }
    }
}

/// Drops the rows of the batch that just fell out of the last `keep` observed.
pub(super) fn retain(batches: &mut [Batch], keep: usize) {
    if batches.len() > keep {
        let old = batches.len() - keep - 1;
        if let Some(b) = batches.get_mut(old) {
            b.rows = None;
            b.labels = None;
        }
    }
}

/// The kept rows of each labelled batch with the target column appended, in the training
/// data's kind: the feedback to retrain on.
pub(super) fn labelled_batches(
    artifact: &Artifact,
    batches: &[Batch],
) -> Result<Vec<LabelledBatch>, TableError> {
    let target = artifact
        .schema
        .target
        .clone()
        .unwrap_or_else(|| "target".to_owned());
    let kind = artifact
        .profile
        .column(&target)
        .map_or(ColumnKind::Categorical, |c| c.kind);
    let mut out = Vec::new();
    for b in batches {
        let (Some(features), Some(labels)) = (&b.rows, &b.labels) else {
            continue;
        };
        let names: Vec<&str> = labels
            .iter()
            .map(|&i| artifact.classes.get(i).map_or("", String::as_str))
            .collect();
        let column = match kind {
            ColumnKind::Numeric => Column::numeric(
                target.clone(),
                names
                    .iter()
                    .map(|s| s.parse::<f64>().unwrap_or(f64::NAN))
                    .collect(),
            ),
            ColumnKind::Boolean => Column {
                name: target.clone(),
                data: ColumnData::Boolean(
                    names
                        .iter()
                        .map(|s| match s.to_ascii_lowercase().as_str() {
                            "true" => Some(true),
                            "false" => Some(false),
                            _ => None,
                        })
                        .collect(),
                ),
            },
            ColumnKind::Categorical => Column::categorical(
                target.clone(),
                &names.iter().map(|s| Some(*s)).collect::<Vec<_>>(),
            ),
        };
        let mut columns: Vec<Column> = features
            .columns()
            .iter()
            .filter(|c| c.name != target)
            .cloned()
            .collect();
        columns.push(column);
        out.push(LabelledBatch {
            batch: b.summary.batch,
            table: Table::new(columns)?,
        });
    }
    Ok(out)
}
