//! Seeded train/test splits, stratified for classification.

use super::PrepError;
use crate::table::{Cell, Table};
use rand::{rngs::StdRng, seq::SliceRandom, SeedableRng};
use std::collections::BTreeMap;

/// Splits the rows of `table` into training and test row indices (each sorted).
///
/// `test_fraction` must lie strictly between 0 and 1; the test set gets
/// `ceil(rows × test_fraction)` rows, like scikit-learn's `train_test_split`. With
/// `stratify`, each class of that column (missing is a class of its own) is shuffled and
/// split on its own, so both sides keep the class proportions (each class gets its
/// rounded share; a class with one row stays in training). The same seed gives the same
/// split on every platform.
pub fn split(
    table: &Table,
    test_fraction: f64,
    seed: u64,
    stratify: Option<&str>,
) -> Result<(Vec<usize>, Vec<usize>), PrepError> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(PrepError::BadFraction(test_fraction));
    }
    let rows = table.rows();
    let n_test = (rows as f64 * test_fraction).ceil() as usize;
    if rows < 2 || n_test == 0 || n_test >= rows {
        return Err(PrepError::TooFewRows {
            rows,
            fraction: test_fraction,
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut test = Vec::with_capacity(n_test);
    let mut train = Vec::with_capacity(rows - n_test);
    match stratify {
        None => {
            let mut all: Vec<usize> = (0..rows).collect();
            all.shuffle(&mut rng);
            test.extend_from_slice(&all[..n_test]);
            train.extend_from_slice(&all[n_test..]);
        }
        Some(name) => {
            let column = table.require(name)?;
            let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for r in 0..rows {
                let key = match column.get(r) {
                    Some(Cell::Number(x)) => format!("n{x}"),
                    Some(Cell::Category(s)) => format!("c{s}"),
                    Some(Cell::Bool(b)) => format!("b{b}"),
                    _ => String::from("m"),
                };
                groups.entry(key).or_default().push(r);
            }
            for members in groups.values_mut() {
                members.shuffle(&mut rng);
                let k = ((members.len() as f64 * test_fraction).round() as usize)
                    .min(members.len() - 1);
                test.extend_from_slice(&members[..k]);
                train.extend_from_slice(&members[k..]);
            }
            if test.is_empty() {
                return Err(PrepError::TooFewRows {
                    rows,
                    fraction: test_fraction,
                });
            }
        }
    }
    test.sort_unstable();
    train.sort_unstable();
    Ok((train, test))
}
