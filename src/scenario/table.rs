//! Scenarios drawn from any loaded table: the stream bootstraps the table's own rows (draws
//! them with replacement, seeded) and scripts a drift on them, so a model trained on an
//! uploaded CSV can be deployed, watched and retrained like the fraud model.
//!
//! What a [`TableDrift`] can change, each scaled by the batch's drift level `d` in `[0, 1]`
//! (the [`Schedule`](super::Schedule) gives `d`: abrupt, gradual, incremental, recurring):
//!
//! | change | what happens to a row at level `d` | what the monitor sees |
//! | --- | --- | --- |
//! | [`Change::Shift`] | a numeric column moves by `by · d` standard deviations (of the table); the row keeps its label | input drift on that column; the learned relation no longer holds there, so recall or precision falls |
//! | [`Change::Mix`] | rows with `column = category` make up `base + (share − base) · d` of the stream (rows drawn again until the share holds) | input drift on that column; performance moves if that group is harder |
//! | [`Change::Prior`] | rows of `class` make up `base + (share − base) · d` of the stream | prediction drift, precision and calibration move, the ranking does not |
//! | [`Change::Concept`] | in a region of the inputs (a numeric column above its median, or a category), labels go to the next class with probability `rate · d` | no input drift at all: only the late labels reveal it |
//!
//! A shift keeps the row's label on purpose: the customers in the table "move" while the
//! outcome of each stays what it was, which is what makes a drift hurt a model (a pure
//! resampling of `p(x)` with `p(y | x)` fixed barely does). [`suggest`] gives the defaults
//! for a table and a deployed model: the features the model leans on most (permutation
//! importance on the table's rows, scored with the artifact) shift first, each in the
//! direction that makes the positive class look like the others, so that a classifier
//! trained before the drift loses recall — the fraud story's silent degradation, on the
//! person's own data. Retraining on batches after the drift learns the moved relation and
//! brings recall back (`tests/scenario_table.rs` plays it).
//!
//! Every draw comes from one seeded generator, so the same table, drift and seed give the
//! same stream natively and in Wasm (indices are drawn as `u64`: rand samples a `usize` range
//! with the platform's word, 64 bits natively and 32 in Wasm).

use rand::rngs::StdRng;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{invalid, ScenarioError};
use crate::artifact::Artifact;
use crate::table::{Cell, Column, ColumnData, Table};

/// Most changes a table drift may script.
pub const MAX_CHANGES: usize = 16;
/// Rows of the table scored for each feature's permutation importance in [`suggest`].
pub const IMPORTANCE_ROWS: usize = 400;
/// Tries to draw a row of the wanted group before taking any row.
const MAX_TRIES: usize = 64;

/// One scripted change of a table's stream, at drift 1 (a batch at drift `d` gets `d` of
/// it). Serialized with a `change` tag: `{"change": "shift", "column": "age", "by": -2}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    /// Covariate shift: the numeric `column` moves by `by` of its standard deviations.
    Shift {
        /// A numeric column.
        column: String,
        /// Standard deviations at drift 1 (finite, at most 100 either way).
        by: f64,
    },
    /// Categorical mix: rows with `column = category` make up `share` of the stream.
    Mix {
        /// A categorical or boolean column.
        column: String,
        /// One of its values (`true`/`false` for a boolean column).
        category: String,
        /// Their share at drift 1, in `[0, 1]`.
        share: f64,
    },
    /// Prior shift: rows of `class` make up `share` of the stream.
    Prior {
        /// A class of the target.
        class: String,
        /// Its share at drift 1, in `[0, 1]`.
        share: f64,
    },
    /// Concept drift: where `column` is above its median (numeric) or equal to `category`
    /// (categorical, boolean), labels go to the next class with probability `rate`.
    Concept {
        /// The column that marks the region.
        column: String,
        /// The value that marks it in a categorical or boolean column (ignored for a
        /// numeric one).
        #[serde(default)]
        category: Option<String>,
        /// Probability of a changed label at drift 1, in `[0, 1]`.
        rate: f64,
    },
}

/// The drift of a scenario drawn from a table: which column is the target, and what
/// changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct TableDrift {
    /// The target column: its values are the labels that arrive late.
    pub target: String,
    /// What changes (1 to [`MAX_CHANGES`]).
    pub changes: Vec<Change>,
}

impl TableDrift {
    /// The column names the changes touch, in order, without repeats.
    pub fn columns(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.changes {
            let name = match c {
                Change::Shift { column, .. }
                | Change::Mix { column, .. }
                | Change::Concept { column, .. } => column.as_str(),
                Change::Prior { .. } => continue,
            };
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// One sentence on what changes, for the page.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .changes
            .iter()
            .map(|c| match c {
                Change::Shift { column, by } => {
                    format!("{column} moves by {by:+} standard deviations (labels kept)")
                }
                Change::Mix {
                    column,
                    category,
                    share,
                } => format!(
                    "rows with {column} = {category} become {:.0}% of the stream",
                    share * 100.0
                ),
                Change::Prior { class, share } => {
                    format!("class {class} becomes {:.0}% of the rows", share * 100.0)
                }
                Change::Concept {
                    column,
                    category,
                    rate,
                } => match category {
                    Some(v) => format!(
                        "where {column} = {v}, {:.0}% of the labels change",
                        rate * 100.0
                    ),
                    None => format!(
                        "where {column} is above its median, {:.0}% of the labels change",
                        rate * 100.0
                    ),
                },
            })
            .collect();
        parts.join("; ")
    }

    /// Checks the numbers alone (the columns are checked against the table by
    /// [`Bootstrap::new`]).
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.target.trim().is_empty() {
            return Err(invalid(
                "generator.target",
                "choose the target column: its values are the labels",
            ));
        }
        if self.changes.is_empty() || self.changes.len() > MAX_CHANGES {
            return Err(invalid(
                "generator.changes",
                format!(
                    "{} changes: script 1 to {MAX_CHANGES} (a shift, a mix, a prior or a concept change)",
                    self.changes.len()
                ),
            ));
        }
        let share = |field: &'static str, x: f64| {
            if x.is_finite() && (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(invalid(
                    field,
                    format!("{x} is not a share: use a number from 0 to 1"),
                ))
            }
        };
        for c in &self.changes {
            match c {
                Change::Shift { by, .. } => {
                    if !(by.is_finite() && by.abs() <= 100.0) {
                        return Err(invalid(
                            "generator.changes.by",
                            format!("{by} standard deviations: use a number from -100 to 100"),
                        ));
                    }
                }
                Change::Mix { share: s, .. } | Change::Prior { share: s, .. } => {
                    share("generator.changes.share", *s)?
                }
                Change::Concept { rate, .. } => share("generator.changes.rate", *rate)?,
            }
        }
        Ok(())
    }
}

/// A class label as training spells it: numbers as Rust prints them (`1`, `0.5`),
/// booleans as `true`/`false`, categories as they are; `None` for a missing cell.
fn label_of(cell: Cell<'_>) -> Option<String> {
    match cell {
        Cell::Missing => None,
        Cell::Number(x) => Some(format!("{x}")),
        Cell::Category(s) => Some(s.to_owned()),
        Cell::Bool(b) => Some(b.to_string()),
    }
}

/// Whether row `r` of `column` equals `value` (a category, or `true`/`false`).
fn cell_is(column: &Column, r: usize, value: &str) -> bool {
    match column.get(r) {
        Some(Cell::Category(s)) => s == value,
        Some(Cell::Bool(b)) => value.eq_ignore_ascii_case(if b { "true" } else { "false" }),
        _ => false,
    }
}

/// A prepared change: the columns found, the statistics of the table it needs.
#[derive(Debug, Clone)]
enum Prepared {
    Shift {
        column: usize,
        by: f64,
    },
    Mix {
        member: Vec<bool>,
        base: f64,
        share: f64,
    },
    Prior {
        class: usize,
        base: f64,
        share: f64,
    },
    Concept {
        region: Vec<bool>,
        rate: f64,
    },
}

/// The rows of a table ready to be drawn from: the features, the labels, the groups the
/// changes need. Built once per scenario.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    /// The table without the target (and without rows whose target is missing).
    features: Table,
    /// Class index of each row.
    labels: Vec<usize>,
    /// The class labels, sorted.
    classes: Vec<String>,
    /// Rows of each class.
    by_class: Vec<Vec<usize>>,
    changes: Vec<Prepared>,
}

impl Bootstrap {
    /// Prepares `table` for `drift`: the target must be a column with at least two classes
    /// (at most 1,000), every changed column must exist and be of the right kind.
    pub fn new(table: &Table, drift: &TableDrift) -> Result<Bootstrap, ScenarioError> {
        drift.validate()?;
        let (keep, raw, classes) = target_classes(table, &drift.target)?;
        let labels: Vec<usize> = raw
            .iter()
            .map(|l| classes.iter().position(|c| c == l).unwrap_or(0))
            .collect();
        let mut by_class = vec![Vec::new(); classes.len()];
        for (i, &c) in labels.iter().enumerate() {
            by_class[c].push(i);
        }
        let features = {
            let columns: Vec<Column> = table
                .columns()
                .iter()
                .filter(|c| c.name != drift.target)
                .map(|c| c.take(&keep))
                .collect();
            Table::new(columns)?
        };
        let n = features.rows().max(1) as f64;
        let column = |name: &str| {
            features
                .columns()
                .iter()
                .position(|c| c.name == name)
                .ok_or_else(|| {
                    invalid(
                        "generator.changes.column",
                        format!(
                            "the table has no input column {name:?}: choose one of {}",
                            features.column_names().join(", ")
                        ),
                    )
                })
        };
        let mut changes = Vec::with_capacity(drift.changes.len());
        for c in &drift.changes {
            changes.push(match c {
                Change::Shift { column: name, by } => {
                    let j = column(name)?;
                    if !matches!(features.columns()[j].data, ColumnData::Numeric(_)) {
                        return Err(invalid(
                            "generator.changes.column",
                            format!("{name:?} is not numeric: shift a numeric column, or change the mix of this one"),
                        ));
                    }
                    Prepared::Shift { column: j, by: *by }
                }
                Change::Mix {
                    column: name,
                    category,
                    share,
                } => {
                    let col = &features.columns()[column(name)?];
                    if matches!(col.data, ColumnData::Numeric(_)) {
                        return Err(invalid(
                            "generator.changes.column",
                            format!("{name:?} is numeric: change the mix of a categorical or boolean column, or shift this one"),
                        ));
                    }
                    let member: Vec<bool> =
                        (0..features.rows()).map(|r| cell_is(col, r, category)).collect();
                    let count = member.iter().filter(|&&m| m).count();
                    if count == 0 {
                        return Err(invalid(
                            "generator.changes.category",
                            format!("no row has {name} = {category:?}: choose a value the column has"),
                        ));
                    }
                    Prepared::Mix {
                        member,
                        base: count as f64 / n,
                        share: *share,
                    }
                }
                Change::Prior { class, share } => {
                    let k = classes
                        .iter()
                        .position(|c| c == class || same_number(c, class))
                        .ok_or_else(|| {
                            invalid(
                                "generator.changes.class",
                                format!(
                                    "{class:?} is not a class of {:?}: use one of {}",
                                    drift.target,
                                    classes.join(", ")
                                ),
                            )
                        })?;
                    Prepared::Prior {
                        class: k,
                        base: by_class[k].len() as f64 / n,
                        share: *share,
                    }
                }
                Change::Concept {
                    column: name,
                    category,
                    rate,
                } => {
                    let col = &features.columns()[column(name)?];
                    let region: Vec<bool> = match (&col.data, category) {
                        (ColumnData::Numeric(v), _) => {
                            let mut finite: Vec<f64> =
                                v.iter().copied().filter(|x| x.is_finite()).collect();
                            finite.sort_by(f64::total_cmp);
                            let median = finite.get(finite.len() / 2).copied().unwrap_or(0.0);
                            v.iter().map(|&x| x > median).collect()
                        }
                        (_, Some(value)) => (0..features.rows())
                            .map(|r| cell_is(col, r, value))
                            .collect(),
                        (_, None) => {
                            return Err(invalid(
                                "generator.changes.category",
                                format!("{name:?} is not numeric: name the category whose labels change"),
                            ))
                        }
                    };
                    if !region.iter().any(|&x| x) {
                        return Err(invalid(
                            "generator.changes.column",
                            format!("no row is in the region of {name:?}: choose another column or category"),
                        ));
                    }
                    Prepared::Concept {
                        region,
                        rate: *rate,
                    }
                }
            });
        }
        Ok(Bootstrap {
            features,
            labels,
            classes,
            by_class,
            changes,
        })
    }

    /// The class labels, in training's order.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Rows the stream draws from.
    pub fn rows(&self) -> usize {
        self.features.rows()
    }

    /// Draws one row index at level `d`: the class first (prior shift), then a row of it,
    /// drawn again while the mix is off its share.
    fn draw(&self, rng: &mut StdRng, d: f64) -> usize {
        let n = self.features.rows();
        let mut pool: Option<&[usize]> = None;
        for c in &self.changes {
            if let Prepared::Prior { class, base, share } = c {
                let p = base + (share - base) * d;
                let inside = rng.gen::<f64>() < p;
                if inside && !self.by_class[*class].is_empty() {
                    pool = Some(&self.by_class[*class]);
                } else if !inside {
                    // another class, in proportion to its size
                    let others: usize = n - self.by_class[*class].len();
                    if others > 0 {
                        let mut k = rng.gen_range(0..others as u64) as usize;
                        for (j, rows) in self.by_class.iter().enumerate() {
                            if j == *class {
                                continue;
                            }
                            if k < rows.len() {
                                pool = Some(rows);
                                break;
                            }
                            k -= rows.len();
                        }
                    }
                }
            }
        }
        let pick = |rng: &mut StdRng| match pool {
            Some(rows) => rows[rng.gen_range(0..rows.len() as u64) as usize],
            None => rng.gen_range(0..n as u64) as usize,
        };
        let mut row = pick(rng);
        for c in &self.changes {
            if let Prepared::Mix {
                member,
                base,
                share,
            } = c
            {
                let target = base + (share - base) * d;
                // more of the group: force it with the missing share; less: refuse it
                let (want, p) = if target >= *base {
                    (
                        true,
                        if *base < 1.0 {
                            (target - base) / (1.0 - base)
                        } else {
                            0.0
                        },
                    )
                } else {
                    (false, (base - target) / base)
                };
                if rng.gen::<f64>() < p {
                    for _ in 0..MAX_TRIES {
                        if member[row] == want {
                            break;
                        }
                        row = pick(rng);
                    }
                }
            }
        }
        row
    }

    /// A batch of `n` rows, row `i` at level `level(i)`: the features (shifted) and the
    /// labels (changed in the concept's region).
    pub fn batch(
        &self,
        rng: &mut StdRng,
        n: usize,
        level: impl Fn(usize) -> f64,
    ) -> Result<(Table, Vec<String>), ScenarioError> {
        let mut rows = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        for i in 0..n {
            let d = level(i);
            let r = self.draw(rng, d);
            let mut y = self.labels[r];
            for c in &self.changes {
                if let Prepared::Concept { region, rate } = c {
                    if region[r] && rng.gen::<f64>() < rate * d {
                        y = (y + 1) % self.classes.len();
                    }
                }
            }
            rows.push(r);
            labels.push(self.classes[y].clone());
        }
        let mut columns: Vec<Column> = self
            .features
            .columns()
            .iter()
            .map(|c| c.take(&rows))
            .collect();
        for c in &self.changes {
            if let Prepared::Shift { column, by } = c {
                let std = column_std(&self.features.columns()[*column]);
                if let Some(ColumnData::Numeric(v)) = columns.get_mut(*column).map(|c| &mut c.data)
                {
                    for (i, x) in v.iter_mut().enumerate() {
                        *x += by * std * level(i);
                    }
                }
            }
        }
        Ok((Table::new(columns)?, labels))
    }
}

/// Rows with a target value, their labels, the sorted classes.
type TargetRows = (Vec<usize>, Vec<String>, Vec<String>);

/// The rows with a target value, their labels, and the sorted classes (numbers by value);
/// refuses a target with fewer than two classes or more than 1,000.
fn target_classes(table: &Table, name: &str) -> Result<TargetRows, ScenarioError> {
    let target = table.column(name).ok_or_else(|| {
        invalid(
            "generator.target",
            format!(
                "the table has no column {name:?}: choose one of {}",
                table.column_names().join(", ")
            ),
        )
    })?;
    let mut keep = Vec::with_capacity(table.rows());
    let mut raw = Vec::with_capacity(table.rows());
    for r in 0..table.rows() {
        if let Some(l) = target.get(r).and_then(label_of) {
            keep.push(r);
            raw.push(l);
        }
    }
    let mut classes = raw.clone();
    classes.sort();
    classes.dedup();
    if numeric_target(target) {
        classes.sort_by(|a, b| {
            let (x, y) = (a.parse::<f64>(), b.parse::<f64>());
            match (x, y) {
                (Ok(x), Ok(y)) => x.total_cmp(&y),
                _ => a.cmp(b),
            }
        });
    }
    if classes.len() < 2 {
        return Err(invalid(
                "generator.target",
                format!(
                    "the target {:?} has {} class{} among the rows with a value: a stream needs at least two; choose another target",
                    name,
                    classes.len(),
                    if classes.len() == 1 { "" } else { "es" }
                ),
            ));
    }
    if classes.len() > 1_000 {
        return Err(invalid(
                "generator.target",
                format!(
                    "the target {:?} has {} different values: a stream of labels needs a class column (at most 1,000 classes); choose a categorical or small-integer target",
                    name,
                    classes.len()
                ),
            ));
    }
    Ok((keep, raw, classes))
}

fn numeric_target(c: &Column) -> bool {
    matches!(c.data, ColumnData::Numeric(_))
}

fn same_number(a: &str, b: &str) -> bool {
    matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// The standard deviation of a numeric column's finite values (1 when it has none or
/// they are all equal, so a shift still moves them).
fn column_std(c: &Column) -> f64 {
    let ColumnData::Numeric(v) = &c.data else {
        return 1.0;
    };
    let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.len() < 2 {
        return 1.0;
    }
    let mean = finite.iter().sum::<f64>() / finite.len() as f64;
    let var = finite.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (finite.len() - 1) as f64;
    let s = var.sqrt();
    if s.is_finite() && s > 0.0 {
        s
    } else {
        1.0
    }
}

/// How much a deployed model leans on one input column, for [`suggest`] and the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Importance {
    /// The input column.
    pub column: String,
    /// `numeric`, `categorical` or `boolean`.
    pub kind: String,
    /// Accuracy lost when the column's values are shuffled among the rows (permutation
    /// importance; can be slightly negative for a column that does not matter).
    pub drop: f64,
}

/// A change ready to play, with its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Suggested {
    /// The drift.
    pub drift: TableDrift,
    /// What changes, in words ([`TableDrift::describe`]).
    pub about: String,
}

impl From<TableDrift> for Suggested {
    fn from(drift: TableDrift) -> Suggested {
        Suggested {
            about: drift.describe(),
            drift,
        }
    }
}

/// The defaults the page offers for a table: the target, the inputs by importance, and
/// one ready change of each kind that the table allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct TableSuggestion {
    /// The target (the deployed model's).
    pub target: String,
    /// The class whose recall the monitor watches.
    pub positive: String,
    /// The model's inputs, most important first.
    pub importance: Vec<Importance>,
    /// A covariate shift of the most important numeric inputs (up to two).
    pub shift: Option<Suggested>,
    /// A change in the mix of the most important categorical or boolean input.
    pub mix: Option<Suggested>,
    /// The positive class twice as common (at most 50 %).
    pub prior: Suggested,
    /// Labels changing in the region of the most important input.
    pub concept: Option<Suggested>,
}

/// The defaults for drifting `table` under `artifact` (a classifier trained on a table
/// with the same columns): permutation importance of each input on up to
/// [`IMPORTANCE_ROWS`] rows (seeded), then one change of each kind aimed at the inputs the
/// model leans on most; each change is described on [`Change`].
pub fn suggest(
    table: &Table,
    artifact: &Artifact,
    seed: u64,
) -> Result<TableSuggestion, ScenarioError> {
    use rand::SeedableRng;
    let target = artifact.schema.target.clone().ok_or_else(|| {
        invalid(
            "generator.target",
            "the deployed model has no target: deploy a classifier",
        )
    })?;
    target_classes(table, &target)?;
    let positive = artifact
        .classes
        .get(1)
        .or_else(|| artifact.classes.first())
        .cloned()
        .unwrap_or_default();
    let mut rng = StdRng::seed_from_u64(seed);
    let n = table.rows();
    let sample: Vec<usize> = if n <= IMPORTANCE_ROWS {
        (0..n).collect()
    } else {
        (0..IMPORTANCE_ROWS)
            .map(|_| rng.gen_range(0..n as u64) as usize)
            .collect()
    };
    let rows = table.take(&sample);
    let truth: Vec<Option<String>> = match rows.column(&target) {
        Some(c) => (0..rows.rows())
            .map(|r| c.get(r).and_then(label_of))
            .collect(),
        None => vec![None; rows.rows()],
    };
    let accuracy = |t: &Table| -> Result<f64, ScenarioError> {
        let scored = artifact
            .score_table(t)
            .map_err(|e| invalid("generator", format!("the model cannot score this table's rows ({e}): deploy a model trained on this table")))?;
        let (mut right, mut all) = (0usize, 0usize);
        for (s, y) in scored.iter().zip(&truth) {
            if let Some(y) = y {
                all += 1;
                let label = s.label.as_deref().unwrap_or("");
                if label == y || same_number(label, y) {
                    right += 1;
                }
            }
        }
        Ok(if all == 0 {
            0.0
        } else {
            right as f64 / all as f64
        })
    };
    let base = accuracy(&rows)?;
    let mut importance = Vec::new();
    for sc in &artifact.schema.columns {
        let Some(j) = rows.columns().iter().position(|c| c.name == sc.name) else {
            continue;
        };
        let mut order: Vec<usize> = (0..rows.rows()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.gen_range(0..=i as u64) as usize);
        }
        let shuffled = Table::new(
            rows.columns()
                .iter()
                .enumerate()
                .map(|(k, c)| if k == j { c.take(&order) } else { c.clone() })
                .collect(),
        )?;
        let drop = base - accuracy(&shuffled)?;
        importance.push(Importance {
            column: sc.name.clone(),
            kind: format!("{:?}", rows.columns()[j].kind()).to_ascii_lowercase(),
            drop,
        });
    }
    importance.sort_by(|a, b| b.drop.total_cmp(&a.drop));
    // direction of each numeric input: where the positives sit against the rest
    let side = |name: &str| -> f64 {
        let (Some(ColumnData::Numeric(v)), Some(t)) =
            (table.column(name).map(|c| &c.data), table.column(&target))
        else {
            return 1.0;
        };
        let (mut sp, mut np, mut so, mut no) = (0.0, 0usize, 0.0, 0usize);
        for (r, &x) in v.iter().enumerate() {
            if !x.is_finite() {
                continue;
            }
            match t.get(r).and_then(label_of) {
                Some(l) if l == positive || same_number(&l, &positive) => {
                    sp += x;
                    np += 1;
                }
                Some(_) => {
                    so += x;
                    no += 1;
                }
                None => {}
            }
        }
        if np == 0 || no == 0 {
            return 1.0;
        }
        if sp / np as f64 >= so / no as f64 {
            1.0
        } else {
            -1.0
        }
    };
    let numeric: Vec<&Importance> = importance.iter().filter(|i| i.kind == "numeric").collect();
    let shift = (!numeric.is_empty()).then(|| TableDrift {
        target: target.clone(),
        changes: numeric
            .iter()
            .take(2)
            .map(|i| Change::Shift {
                column: i.column.clone(),
                by: -2.0 * side(&i.column),
            })
            .collect(),
    });
    let mix = importance
        .iter()
        .find(|i| i.kind != "numeric")
        .and_then(|i| {
            let col = table.column(&i.column)?;
            // the value with the most positives among its rows becomes common
            let mut best: Option<(String, f64, f64)> = None;
            let values: Vec<String> = match &col.data {
                ColumnData::Categorical { levels, .. } => levels.clone(),
                ColumnData::Boolean(_) => vec!["false".into(), "true".into()],
                ColumnData::Numeric(_) => Vec::new(),
            };
            let t = table.column(&target)?;
            for v in values {
                let (mut pos, mut all) = (0.0, 0.0);
                for r in 0..table.rows() {
                    if cell_is(col, r, &v) {
                        all += 1.0;
                        if matches!(t.get(r).and_then(label_of), Some(l) if l == positive || same_number(&l, &positive)) {
                            pos += 1.0;
                        }
                    }
                }
                if all > 0.0 {
                    let rate = pos / all;
                    let share = all / table.rows().max(1) as f64;
                    if best.as_ref().is_none_or(|b| rate > b.1) {
                        best = Some((v, rate, share));
                    }
                }
            }
            let (category, _, share) = best?;
            Some(TableDrift {
                target: target.clone(),
                changes: vec![Change::Mix {
                    column: i.column.clone(),
                    category,
                    share: (share * 3.0).clamp(0.5, 0.9).max(share),
                }],
            })
        });
    let positive_share: f64 = table
        .column(&target)
        .map(|t| {
            let (mut pos, mut all) = (0.0, 0.0);
            for r in 0..table.rows() {
                if let Some(l) = t.get(r).and_then(label_of) {
                    all += 1.0;
                    if l == positive || same_number(&l, &positive) {
                        pos += 1.0;
                    }
                }
            }
            if all > 0.0 {
                pos / all
            } else {
                0.0
            }
        })
        .unwrap_or(0.0);
    let prior = TableDrift {
        target: target.clone(),
        changes: vec![Change::Prior {
            class: positive.clone(),
            share: (positive_share * 2.0).clamp(0.05, 0.5).max(positive_share),
        }],
    };
    let concept = importance.first().map(|i| TableDrift {
        target: target.clone(),
        changes: vec![Change::Concept {
            column: i.column.clone(),
            category: if i.kind == "numeric" {
                None
            } else {
                table.column(&i.column).and_then(|c| match c.get(0) {
                    Some(Cell::Category(s)) => Some(s.to_owned()),
                    Some(Cell::Bool(b)) => Some(b.to_string()),
                    _ => None,
                })
            },
            rate: 0.5,
        }],
    });
    Ok(TableSuggestion {
        target,
        positive,
        importance,
        shift: shift.map(Suggested::from),
        mix: mix.map(Suggested::from),
        prior: prior.into(),
        concept: concept.map(Suggested::from),
    })
}
