//! A time window of merged deltas: counts, latency, per-column sketches, predictions,
//! CBPE's sums, warnings and (once labels arrive) performance. Windows add up, so an hour,
//! a day and the whole deployment are the same type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::monitor::{CbpeSums, Performance};
use crate::profile::Profile;
use crate::table::{Column, ColumnData, ColumnKind, Table, TableError, MISSING_CODE};

use super::delta::{ColumnDelta, Delta, WarningCount, LATENCY_BUCKETS_US};

/// What a window holds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Window {
    /// Start, in milliseconds since the Unix epoch.
    pub start: f64,
    /// Requests by HTTP status.
    pub requests: BTreeMap<String, u64>,
    /// Rows scored.
    pub rows: u64,
    /// Requests per latency bucket.
    pub latency: Vec<u64>,
    /// Per input column.
    pub columns: Vec<ColumnDelta>,
    /// Rows per predicted class.
    pub classes: Vec<u64>,
    /// CBPE's sums.
    pub cbpe: CbpeSums,
    /// Input warnings by column and kind.
    pub warnings: Vec<WarningCount>,
    /// Labelled rows among this window's rows.
    pub performance: Performance,
}

impl Window {
    /// An empty window starting at `start`.
    pub fn new(start: f64) -> Window {
        Window {
            start,
            ..Window::default()
        }
    }

    /// Adds a delta.
    pub fn add(&mut self, d: &Delta) {
        for (k, v) in &d.requests {
            *self.requests.entry(k.clone()).or_default() += v;
        }
        self.rows += d.rows;
        add_counts(&mut self.latency, &d.latency);
        add_counts(&mut self.classes, &d.classes);
        if self.columns.is_empty() {
            self.columns = d.columns.clone();
        } else {
            for (a, b) in self.columns.iter_mut().zip(&d.columns) {
                a.add(b);
            }
        }
        if let Some(s) = &d.cbpe {
            self.cbpe.add(s);
        }
        for w in &d.warnings {
            match self
                .warnings
                .iter_mut()
                .find(|x| x.column == w.column && x.kind == w.kind)
            {
                Some(x) => x.count += w.count,
                None => self.warnings.push(w.clone()),
            }
        }
    }

    /// Adds another window (for the day and the whole run).
    pub fn add_window(&mut self, o: &Window) {
        for (k, v) in &o.requests {
            *self.requests.entry(k.clone()).or_default() += v;
        }
        self.rows += o.rows;
        add_counts(&mut self.latency, &o.latency);
        add_counts(&mut self.classes, &o.classes);
        if self.columns.is_empty() {
            self.columns = o.columns.clone();
        } else {
            for (a, b) in self.columns.iter_mut().zip(&o.columns) {
                a.add(b);
            }
        }
        self.cbpe.add(&o.cbpe);
        for w in &o.warnings {
            match self
                .warnings
                .iter_mut()
                .find(|x| x.column == w.column && x.kind == w.kind)
            {
                Some(x) => x.count += w.count,
                None => self.warnings.push(w.clone()),
            }
        }
        self.performance.add(&o.performance);
    }

    /// The window's inputs as a profile (the artifact's shape), `None` before any row.
    pub fn profile(&self) -> Option<Profile> {
        if self.rows == 0 || self.columns.is_empty() {
            return None;
        }
        let d = Delta {
            format: String::new(),
            version: 0,
            model: String::new(),
            isolate: String::new(),
            seq: 0,
            requests: BTreeMap::new(),
            rows: self.rows,
            first_row: 0,
            latency: Vec::new(),
            columns: self.columns.clone(),
            classes: Vec::new(),
            cbpe: None,
            warnings: Vec::new(),
            predicted: String::new(),
        };
        Some(d.profile())
    }

    /// Latency quantile `q` in milliseconds: the upper edge of the bucket it falls in
    /// (`None` without requests; the open bucket reports its lower edge).
    pub fn latency_ms(&self, q: f64) -> Option<f64> {
        let total: u64 = self.latency.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = (q * total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &n) in self.latency.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let edge = LATENCY_BUCKETS_US
                    .get(i)
                    .or(LATENCY_BUCKETS_US.last())
                    .copied()
                    .unwrap_or(0);
                return Some(edge as f64 / 1000.0);
            }
        }
        None
    }
}

fn add_counts(a: &mut Vec<u64>, b: &[u64]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

impl ColumnDelta {
    /// Adds another summary of the same column: counts add, moments merge by Chan's formula
    /// (as [`Profile::merge`] does), sketches merge, category counts add.
    pub fn add(&mut self, o: &ColumnDelta) {
        self.count += o.count;
        self.missing += o.missing;
        self.infinite += o.infinite;
        if let (Some(a), Some(b)) = (self.sketch.as_ref(), o.sketch.as_ref()) {
            let (na, nb) = (a.count as f64, b.count as f64);
            let moments = match (self.moments, o.moments) {
                _ if nb == 0.0 => self.moments,
                _ if na == 0.0 => o.moments,
                (Some([amin, amax, amean, am2]), Some([bmin, bmax, bmean, bm2])) => {
                    let n = na + nb;
                    let delta = bmean - amean;
                    Some([
                        amin.min(bmin),
                        amax.max(bmax),
                        amean + delta * nb / n,
                        am2 + bm2 + delta * delta * na * nb / n,
                    ])
                }
                (a, b) => a.or(b),
            };
            self.integer = (na == 0.0 || self.integer) && (nb == 0.0 || o.integer);
            self.sketch = Some(a.merge(b));
            self.moments = moments;
        }
        for (label, n) in &o.categories {
            match self.categories.iter_mut().find(|c| &c.0 == label) {
                Some(c) => c.1 += n,
                None => self.categories.push((label.clone(), *n)),
            }
        }
    }
}

/// The most rows a stand-in sample has (see [`stand_in_table`]).
pub const STAND_IN_ROWS: u64 = 20_000;

/// A table that stands in for a window's rows, so that the core's drift report
/// ([`drift_report_from_profile`](crate::drift::drift_report_from_profile)) runs on the
/// window unchanged: numeric columns are read off the sketch's quantile function
/// ([`Sketch::sample`](crate::profile::Sketch::sample): the values themselves while the
/// sketch holds every one), categories repeated by their counts, missing cells as missing.
/// Over [`STAND_IN_ROWS`] rows every count is scaled down to that many (distances are
/// unchanged up to rounding; p-values are those of a sample of that size).
pub fn stand_in_table(columns: &[ColumnDelta], rows: u64) -> Result<Table, TableError> {
    let scale = if rows > STAND_IN_ROWS {
        STAND_IN_ROWS as f64 / rows as f64
    } else {
        1.0
    };
    let scaled = |n: u64| (n as f64 * scale).round() as usize;
    let out: Vec<Column> = columns
        .iter()
        .map(|c| {
            let missing = scaled(c.missing);
            match c.kind {
                ColumnKind::Numeric => {
                    let finite = c.sketch.as_ref().map_or(0, |s| s.count);
                    let mut values = c
                        .sketch
                        .as_ref()
                        .map(|s| s.sample(scaled(finite)))
                        .unwrap_or_default();
                    values.extend(std::iter::repeat_n(f64::INFINITY, scaled(c.infinite)));
                    values.extend(std::iter::repeat_n(f64::NAN, missing));
                    Column::numeric(c.name.clone(), values)
                }
                ColumnKind::Boolean => {
                    let mut values = Vec::new();
                    for (label, n) in &c.categories {
                        let v = label.eq_ignore_ascii_case("true");
                        values.extend(std::iter::repeat_n(Some(v), scaled(*n)));
                    }
                    values.extend(std::iter::repeat_n(None, missing));
                    Column {
                        name: c.name.clone(),
                        data: ColumnData::Boolean(values),
                    }
                }
                ColumnKind::Categorical => {
                    let mut codes = Vec::new();
                    let mut levels = Vec::with_capacity(c.categories.len());
                    for (label, n) in &c.categories {
                        let code = levels.len() as u32;
                        levels.push(label.clone());
                        codes.extend(std::iter::repeat_n(code, scaled(*n)));
                    }
                    codes.extend(std::iter::repeat_n(MISSING_CODE, missing));
                    Column {
                        name: c.name.clone(),
                        data: ColumnData::Categorical { codes, levels },
                    }
                }
            }
        })
        .collect();
    // rounding can leave the columns a row or two apart: pad with missing cells
    let longest = out.iter().map(Column::len).max().unwrap_or(0);
    let out = out
        .into_iter()
        .map(|mut c| {
            let short = longest - c.len();
            match &mut c.data {
                ColumnData::Numeric(v) => v.extend(std::iter::repeat_n(f64::NAN, short)),
                ColumnData::Boolean(v) => v.extend(std::iter::repeat_n(None, short)),
                ColumnData::Categorical { codes, .. } => {
                    codes.extend(std::iter::repeat_n(MISSING_CODE, short))
                }
            }
            c
        })
        .collect();
    Table::new(out)
}
