//! Classic small tables shipped as data: `iris`, `wine`, `breast_cancer`, `diabetes`.
//!
//! The CSVs in `data/` were written from scikit-learn's copies by
//! `scripts/make_classic_data.py` (sources and licences in `data/README.md`) and are
//! embedded with `include_str!`. Asking for fewer rows than a table has gives a seeded
//! random subset, kept in the table's original order.

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{csv_writer, finish, DatasetError, DatasetInfo, Task};

/// One embedded table.
struct Classic {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    task: Task,
    target: &'static str,
    source: &'static str,
    license: &'static str,
    csv: &'static str,
}

const UCI_LICENSE: &str = "CC BY 4.0";

const TABLES: [Classic; 4] = [
    Classic {
        name: "iris",
        title: "Iris flowers",
        description: "Sepal and petal measurements (cm) of 150 iris flowers of three species \
                      (Fisher, 1936): the classic first classification problem.",
        task: Task::Classification,
        target: "species",
        source: "UCI Machine Learning Repository, Iris (https://doi.org/10.24432/C56C76), \
                 as distributed by scikit-learn",
        license: UCI_LICENSE,
        csv: include_str!("../../data/iris.csv"),
    },
    Classic {
        name: "wine",
        title: "Wine cultivars",
        description: "Results of a chemical analysis of 178 Italian wines from three \
                      cultivars: 13 numeric features on very different scales, a lesson in \
                      scaling.",
        task: Task::Classification,
        target: "cultivar",
        source: "UCI Machine Learning Repository, Wine (https://doi.org/10.24432/C5PC7J), \
                 as distributed by scikit-learn",
        license: UCI_LICENSE,
        csv: include_str!("../../data/wine.csv"),
    },
    Classic {
        name: "breast_cancer",
        title: "Breast cancer (Wisconsin diagnostic)",
        description: "30 features of cell nuclei from 569 breast-mass biopsies, labelled \
                      malignant or benign: a binary problem where recall matters.",
        task: Task::Classification,
        target: "diagnosis",
        source: "UCI Machine Learning Repository, Breast Cancer Wisconsin (Diagnostic) \
                 (https://doi.org/10.24432/C5DW2B), as distributed by scikit-learn",
        license: UCI_LICENSE,
        csv: include_str!("../../data/breast_cancer.csv"),
    },
    Classic {
        name: "diabetes",
        title: "Diabetes progression",
        description: "Age, sex, body-mass index, blood pressure and six blood serum \
                      measurements of 442 diabetes patients (unscaled); the target is a \
                      measure of disease progression one year later.",
        task: Task::Regression,
        target: "progression",
        source: "Efron, Hastie, Johnstone and Tibshirani (2004), Least Angle Regression, \
                 Annals of Statistics 32(2); as distributed by scikit-learn",
        license: "BSD-3-Clause (as distributed with scikit-learn)",
        csv: include_str!("../../data/diabetes.csv"),
    },
];

impl Classic {
    /// Number of data rows (lines after the header).
    fn rows(&self) -> usize {
        self.csv.lines().count().saturating_sub(1)
    }

    /// Number of feature columns (header fields but the target).
    fn features(&self) -> usize {
        let header = self.csv.lines().next().unwrap_or("");
        header.split(',').count().saturating_sub(1)
    }

    fn info(&self) -> DatasetInfo {
        DatasetInfo {
            name: self.name,
            title: self.title,
            description: self.description,
            task: self.task,
            target: Some(self.target),
            default_rows: self.rows(),
            max_rows: self.rows(),
            features: self.features(),
            generated: false,
            source: self.source,
            license: self.license,
            drift: false,
        }
    }
}

/// What [`super::list`] shows for the classic tables.
pub(super) fn infos() -> Vec<DatasetInfo> {
    TABLES.iter().map(Classic::info).collect()
}

/// The classic table `name` as CSV bytes: every row when `rows` is `None` or the table
/// size, else a seeded random subset of `rows` rows in the original order. `rows` has
/// been checked against the table size by the caller.
pub(super) fn generate(
    name: &str,
    rows: Option<usize>,
    seed: u64,
) -> Result<Vec<u8>, DatasetError> {
    let table =
        TABLES
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| DatasetError::UnknownDataset {
                name: name.to_string(),
                known: TABLES.iter().map(|t| t.name).collect::<Vec<_>>().join(", "),
            })?;
    let damaged = |detail: String| DatasetError::Embedded {
        name: table.name,
        detail,
    };
    let total = table.rows();
    // Which rows to write: all, or a seeded random subset of `rows` of them.
    let keep: Vec<bool> = match rows {
        Some(n) if n < total => {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut keep = vec![false; total];
            for i in rand::seq::index::sample(&mut rng, total, n) {
                keep[i] = true;
            }
            keep
        }
        _ => vec![true; total],
    };

    let mut reader = csv::ReaderBuilder::new().from_reader(table.csv.as_bytes());
    let mut w = csv_writer();
    let header = reader
        .byte_headers()
        .map_err(|e| damaged(e.to_string()))?
        .clone();
    w.write_byte_record(&header)?;
    let mut seen = 0;
    for (i, record) in reader.byte_records().enumerate() {
        let record = record.map_err(|e| damaged(e.to_string()))?;
        seen += 1;
        if keep.get(i).copied().unwrap_or(false) {
            w.write_byte_record(&record)?;
        }
    }
    if seen != total {
        return Err(damaged(format!(
            "{seen} records where {total} lines were expected"
        )));
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::super::tests::parse;
    use super::*;

    #[test]
    fn tables_have_the_expected_shape() {
        let expected = [
            ("iris", 150, 4, 3),
            ("wine", 178, 13, 3),
            ("breast_cancer", 569, 30, 2),
            ("diabetes", 442, 10, 214),
        ];
        for (table, (name, rows, features, distinct_targets)) in TABLES.iter().zip(expected) {
            assert_eq!(table.name, name);
            let (header, body) = parse(&generate(name, None, 42).unwrap());
            assert_eq!(body.len(), rows, "{name}");
            assert_eq!(table.rows(), rows);
            assert_eq!(header.len(), features + 1, "{name}");
            assert_eq!(table.features(), features);
            assert_eq!(header.last().unwrap(), table.target);
            for h in &header {
                assert!(
                    h.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                    "{name}: {h}"
                );
            }
            let mut targets: Vec<&str> = body.iter().map(|r| r[features].as_str()).collect();
            targets.sort_unstable();
            targets.dedup();
            assert_eq!(targets.len(), distinct_targets, "{name}");
            for row in &body {
                for cell in &row[..features] {
                    assert!(cell.parse::<f64>().is_ok(), "{name}: {cell}");
                }
            }
        }
        let (_, iris) = parse(&generate("iris", None, 42).unwrap());
        assert_eq!(iris[0], ["5.1", "3.5", "1.4", "0.2", "setosa"]);
        let (_, cancer) = parse(&generate("breast_cancer", None, 42).unwrap());
        assert!(
            cancer.iter().any(|r| r[30] == "malignant") && cancer.iter().any(|r| r[30] == "benign")
        );
    }

    #[test]
    fn whole_table_is_the_embedded_file() {
        for table in &TABLES {
            assert_eq!(generate(table.name, None, 1).unwrap(), table.csv.as_bytes());
            assert_eq!(
                generate(table.name, Some(table.rows()), 1).unwrap(),
                table.csv.as_bytes()
            );
        }
    }

    #[test]
    fn subsets_are_seeded_and_keep_the_original_order() {
        let all = parse(&generate("iris", None, 0).unwrap()).1;
        let a = parse(&generate("iris", Some(30), 3).unwrap()).1;
        let b = parse(&generate("iris", Some(30), 3).unwrap()).1;
        let c = parse(&generate("iris", Some(30), 4).unwrap()).1;
        assert_eq!(a.len(), 30);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Every kept row appears in the full table, in increasing position.
        let mut last = None;
        for row in &a {
            let pos = all
                .iter()
                .enumerate()
                .position(|(i, r)| r == row && last.is_none() || last < Some(i));
            assert!(pos.is_some());
            last = pos;
        }
    }
}
