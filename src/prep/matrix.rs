//! A dense, row-major `f64` matrix: what a fitted pipeline produces and a model consumes.

use serde::{Deserialize, Serialize};

/// A dense row-major matrix of `f64` with named columns (the pipeline's output features).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
    names: Vec<String>,
}

impl Matrix {
    /// Builds a matrix from row-major `data`; `None` when `data.len() != rows * cols` or
    /// the number of names is not `cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>, names: Vec<String>) -> Option<Self> {
        (rows.checked_mul(cols) == Some(data.len()) && names.len() == cols).then_some(Self {
            rows,
            cols,
            data,
            names,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (output features).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The feature names, one per column.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The whole matrix, row-major.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// Consumes the matrix, returning its row-major data.
    pub fn into_data(self) -> Vec<f64> {
        self.data
    }

    /// Row `i` as a slice; panics when `i >= rows()` (an internal index, never user input).
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Iterates over the rows.
    pub fn iter_rows(&self) -> impl Iterator<Item = &[f64]> {
        // `max(1)` keeps `chunks_exact` valid for a matrix with no columns.
        self.data.chunks_exact(self.cols.max(1)).take(self.rows)
    }
}
