//! Decision boundaries of classifiers on two numeric inputs: the model scored on a grid
//! over the data's range, for the playground's heat map.
//!
//! The grid points are a table of the model's input columns scored by
//! [`Artifact::score_table`], the artifact's own fitted pipeline and batch scorer, so the
//! colour of a cell is exactly what the deployed model answers for that point.
//!
//! (This was `boundary.rs`; the design calls the Wasm facade the boundary.)
//!
//! ```
//! # #[cfg(feature = "train")] {
//! use driftlab::{dataset, decision_grid, table, train};
//! let csv = dataset::generate("moons", &Default::default())?;
//! let t = table::read_csv(&csv, &Default::default())?.table;
//! let request = train::TrainRequest::new("label", train::ModelKind::Logistic);
//! let (artifact, _) = train::train(&t, &request, &mut |_| {})?;
//! let grid = decision_grid::decision_grid(&artifact, &t, 20, 100)?;
//! assert_eq!(grid.class.len(), 20 * 20);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::{
    artifact::{Artifact, ArtifactError},
    prep::{FittedPipeline, FittedStep},
    score::{Model, Task},
    table::{Cell, Column, ColumnData, Table},
};
use serde::{Deserialize, Serialize};

/// Why a decision grid cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GridError {
    /// The model is not a classifier.
    #[error("a decision boundary needs a classifier; this model does {0}")]
    NotClassifier(&'static str),
    /// The pipeline does not use exactly two numeric inputs.
    #[error("a decision boundary needs exactly two numeric inputs; this model uses {0}")]
    NotTwoNumeric(String),
    /// An input column is not in the table, or has no finite value.
    #[error("column {column:?} has no finite numbers in the loaded table, so the grid has no range; load the data the model was trained on")]
    NoRange {
        /// The input column.
        column: String,
    },
    /// Scoring the grid failed.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
}

/// A classifier scored on a `size × size` grid of its two numeric inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct DecisionGrid {
    /// The input on the horizontal axis.
    pub x: String,
    /// The input on the vertical axis.
    pub y: String,
    /// Cells per side.
    pub size: usize,
    /// Horizontal range `[min, max]` of the grid (the data's range, padded by 5 %).
    pub x_range: [f64; 2],
    /// Vertical range `[min, max]` of the grid.
    pub y_range: [f64; 2],
    /// Class labels, indexed by `class`.
    pub classes: Vec<String>,
    /// Predicted class index at each cell centre, row-major from the bottom row
    /// (`class[j * size + i]` is at `x_range[0] + (i + 0.5) · dx`, `y_range[0] + (j + 0.5) · dy`).
    pub class: Vec<u32>,
    /// The probability of the predicted class at each cell centre.
    pub confidence: Vec<f64>,
    /// Up to `max_points` rows of the table (evenly spaced), to draw over the grid.
    pub points: Vec<GridPoint>,
}

/// One data row drawn over the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct GridPoint {
    /// Horizontal input.
    pub x: f64,
    /// Vertical input.
    pub y: f64,
    /// The row's true label (the target), if the table has it.
    pub label: Option<String>,
}

/// The two numeric inputs a classifier uses, if it uses exactly two (dropped columns aside).
pub fn two_inputs(artifact: &Artifact) -> Result<(String, String), GridError> {
    two_inputs_of(&artifact.pipeline)
}

/// [`two_inputs`] of a fitted pipeline.
pub(crate) fn two_inputs_of(pipeline: &FittedPipeline) -> Result<(String, String), GridError> {
    let used: Vec<_> = pipeline
        .inputs
        .iter()
        .filter(|c| !matches!(c.step, FittedStep::Drop))
        .collect();
    match used.as_slice() {
        [a, b]
            if matches!(a.step, FittedStep::Numeric { .. })
                && matches!(b.step, FittedStep::Numeric { .. }) =>
        {
            Ok((a.name.clone(), b.name.clone()))
        }
        _ => Err(GridError::NotTwoNumeric(
            used.iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Scores `artifact` on a `size × size` grid over the range of its two numeric inputs in
/// `table` (`size` is clamped to 4–200) and samples up to `max_points` rows to draw.
pub fn decision_grid(
    artifact: &Artifact,
    table: &Table,
    size: usize,
    max_points: usize,
) -> Result<DecisionGrid, GridError> {
    grid_of(
        &artifact.pipeline,
        &artifact.model,
        &artifact.classes,
        table,
        size,
        max_points,
    )
}

/// [`decision_grid`] of a fitted pipeline and a model (one still training: the map
/// drawn while Train runs), with its class labels.
pub(crate) fn grid_of(
    pipeline: &FittedPipeline,
    model: &Model,
    classes: &[String],
    table: &Table,
    size: usize,
    max_points: usize,
) -> Result<DecisionGrid, GridError> {
    if model.task() != Task::Classification {
        return Err(GridError::NotClassifier(match model.task() {
            Task::Regression => "regression",
            _ => "clustering",
        }));
    }
    let (x, y) = two_inputs_of(pipeline)?;
    let size = size.clamp(4, 200);
    let x_range = padded_range(table, &x)?;
    let y_range = padded_range(table, &y)?;
    let (dx, dy) = (
        (x_range[1] - x_range[0]) / size as f64,
        (y_range[1] - y_range[0]) / size as f64,
    );

    // every grid point as a row of the model's inputs (a dropped input left missing),
    // scored in one call as any table is
    let cells = size * size;
    let (mut xs, mut ys) = (Vec::with_capacity(cells), Vec::with_capacity(cells));
    for j in 0..size {
        let gy = y_range[0] + (j as f64 + 0.5) * dy;
        for i in 0..size {
            xs.push(x_range[0] + (i as f64 + 0.5) * dx);
            ys.push(gy);
        }
    }
    let mut columns = Vec::with_capacity(pipeline.inputs.len());
    for input in &pipeline.inputs {
        columns.push(if input.name == x {
            Column::numeric(x.clone(), std::mem::take(&mut xs))
        } else if input.name == y {
            Column::numeric(y.clone(), std::mem::take(&mut ys))
        } else {
            Column::numeric(input.name.clone(), vec![f64::NAN; cells])
        });
    }
    let grid = Table::new(columns)
        .map_err(|e| GridError::Artifact(ArtifactError::Shape(e.to_string())))?;
    // what `Artifact::score_table` does: the pipeline, then the batch scorer
    let (features, _) = pipeline
        .transform_with_warnings(&grid)
        .map_err(|e| GridError::Artifact(e.into()))?;
    let predictions = model
        .predict_batch(features.data(), features.cols().max(1))
        .map_err(|e| GridError::Artifact(e.into()))?;
    let class = predictions.iter().map(|p| p.value as u32).collect();
    let confidence = predictions
        .iter()
        .map(|p| {
            p.probabilities
                .get(p.value as usize)
                .copied()
                .unwrap_or(1.0)
        })
        .collect();
    Ok(DecisionGrid {
        points: sample_points(pipeline, table, &x, &y, max_points),
        x,
        y,
        size,
        x_range,
        y_range,
        classes: classes.to_vec(),
        class,
        confidence,
    })
}

/// The finite range of a numeric column, padded by 5 % each side (±0.5 when constant).
pub(crate) fn padded_range(table: &Table, name: &str) -> Result<[f64; 2], GridError> {
    let none = || GridError::NoRange {
        column: name.to_owned(),
    };
    let Some(ColumnData::Numeric(values)) = table.column(name).map(|c| &c.data) else {
        return Err(none());
    };
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(none());
    }
    let pad = if hi > lo { (hi - lo) * 0.05 } else { 0.5 };
    Ok([lo - pad, hi + pad])
}

fn sample_points(
    pipeline: &FittedPipeline,
    table: &Table,
    x: &str,
    y: &str,
    max_points: usize,
) -> Vec<GridPoint> {
    let (Some(xc), Some(yc)) = (table.column(x), table.column(y)) else {
        return Vec::new();
    };
    let target = pipeline.target.as_deref().and_then(|t| table.column(t));
    let rows = table.rows();
    let step = rows.div_ceil(max_points.max(1)).max(1);
    (0..rows)
        .step_by(step)
        .filter_map(|r| match (xc.get(r), yc.get(r)) {
            (Some(Cell::Number(a)), Some(Cell::Number(b))) => Some(GridPoint {
                x: a,
                y: b,
                label: target.and_then(|t| match t.get(r) {
                    Some(Cell::Category(s)) => Some(s.to_owned()),
                    Some(Cell::Bool(b)) => Some(b.to_string()),
                    Some(Cell::Number(v)) => Some(format!("{v}")),
                    _ => None,
                }),
            }),
            _ => None,
        })
        .collect()
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;
    use crate::{dataset, table::read_csv, train};

    fn moons() -> Table {
        let csv = dataset::generate("moons", &Default::default()).unwrap();
        read_csv(&csv, &Default::default()).unwrap().table
    }

    #[test]
    fn grid_cells_match_the_scorer() {
        let t = moons();
        let request = train::TrainRequest::new("label", train::ModelKind::Tree);
        let (artifact, _) = train::train(&t, &request, &mut |_| {}).unwrap();
        let g = decision_grid(&artifact, &t, 10, 50).unwrap();
        assert_eq!(g.class.len(), 100);
        assert!(g.points.len() <= 50 && !g.points.is_empty());
        let dx = (g.x_range[1] - g.x_range[0]) / 10.0;
        let dy = (g.y_range[1] - g.y_range[0]) / 10.0;
        for (i, j) in [(0, 0), (3, 7), (9, 9), (5, 2)] {
            let row = serde_json::json!({
                g.x.clone(): g.x_range[0] + (i as f64 + 0.5) * dx,
                g.y.clone(): g.y_range[0] + (j as f64 + 0.5) * dy,
            });
            let scored = artifact.score_json_rows(&[row]).unwrap();
            assert_eq!(scored[0].prediction.value as u32, g.class[j * 10 + i]);
        }
    }

    #[test]
    fn refuses_more_than_two_inputs() {
        let csv = dataset::generate("iris", &Default::default()).unwrap();
        let t = read_csv(&csv, &Default::default()).unwrap().table;
        let request = train::TrainRequest::new("species", train::ModelKind::Logistic);
        let (artifact, _) = train::train(&t, &request, &mut |_| {}).unwrap();
        let err = decision_grid(&artifact, &t, 10, 10).unwrap_err();
        assert!(
            err.to_string().contains("exactly two numeric inputs"),
            "{err}"
        );
    }
}
