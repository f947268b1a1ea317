//! Typed hyperparameters per model kind, parsed from `key=value` strings (the CLI's
//! `--param`) or from JSON, with documented defaults and ranges. Unknown keys list the valid
//! ones; bad values say the valid range. Validation happens before any fitting.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The model families driftlab trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Logistic regression (binary or multinomial), L2-penalised, L-BFGS.
    Logistic,
    /// Ordinary least squares.
    Linear,
    /// Ridge regression (elastic net with `l1_ratio = 0`).
    Ridge,
    /// Lasso (elastic net with `l1_ratio = 1`).
    Lasso,
    /// Elastic net.
    Elasticnet,
    /// Decision tree classifier.
    Tree,
    /// Random forest classifier (bagged decision trees).
    Forest,
    /// Gaussian naive Bayes.
    GaussianNb,
    /// Support vector machine (classification by one-vs-rest, or regression).
    Svm,
    /// k-nearest neighbours (classification or regression).
    Knn,
    /// k-means clustering.
    Kmeans,
}

impl ModelKind {
    /// Every kind, in the order the CLI lists them.
    pub const ALL: [ModelKind; 11] = [
        ModelKind::Logistic,
        ModelKind::Linear,
        ModelKind::Ridge,
        ModelKind::Lasso,
        ModelKind::Elasticnet,
        ModelKind::Tree,
        ModelKind::Forest,
        ModelKind::GaussianNb,
        ModelKind::Svm,
        ModelKind::Knn,
        ModelKind::Kmeans,
    ];

    /// The name used by the CLI, the page and artifacts.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Logistic => "logistic",
            ModelKind::Linear => "linear",
            ModelKind::Ridge => "ridge",
            ModelKind::Lasso => "lasso",
            ModelKind::Elasticnet => "elasticnet",
            ModelKind::Tree => "tree",
            ModelKind::Forest => "forest",
            ModelKind::GaussianNb => "gaussian-nb",
            ModelKind::Svm => "svm",
            ModelKind::Knn => "knn",
            ModelKind::Kmeans => "kmeans",
        }
    }

    /// Parses a kind name; the error lists the valid names.
    pub fn parse(name: &str) -> Result<ModelKind, ParamError> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| ParamError::UnknownKind {
                kind: name.to_string(),
                valid: ModelKind::ALL.iter().map(|k| k.name()).collect(),
            })
    }

    /// The most training rows the kind takes (`None`: no limit but time), so that no row
    /// count can exhaust the memory of a Wasm tab (4 GiB at most, a panic in the allocator
    /// would kill the engine) or hold it for minutes:
    ///
    /// - `svm`: linfa's SMO solver keeps the kernel of every pair of training rows, n² × 8
    ///   bytes: 10,000 rows are 800 MB, 50,000 would be 20 GB (the page's engine crashed
    ///   with "capacity overflow" there; 20,000 rows took 23.5 s).
    /// - `knn`: every answer scans the training rows, so judging the held-out rows costs
    ///   test × training distances: at 50,000 rows 37 s in the page; 20,000 training rows
    ///   keep it to a few seconds.
    pub fn max_training_rows(self) -> Option<usize> {
        match self {
            ModelKind::Svm => Some(10_000),
            ModelKind::Knn => Some(20_000),
            _ => None,
        }
    }

    /// Checks, before fitting, that `rows` training rows of `features` features fit this
    /// kind (see [`ModelKind::max_training_rows`]); the error says why and what to do.
    #[cfg(feature = "train")]
    pub fn check_size(self, rows: usize, features: usize) -> Result<(), super::TrainError> {
        let Some(max) = self.max_training_rows() else {
            return Ok(());
        };
        if rows <= max {
            return Ok(());
        }
        let why = match self {
            ModelKind::Svm => {
                let bytes = (rows as f64) * (rows as f64) * 8.0;
                format!(
                    "its solver keeps a kernel value for every pair of training rows ({:.1} GB for {rows} rows), more memory than a browser tab has",
                    bytes / 1e9
                )
            }
            _ => format!(
                "every answer compares the row with all {rows} training rows ({features} features each), so judging the test rows would take minutes"
            ),
        };
        Err(super::TrainError::TooManyRows {
            kind: self.name(),
            rows,
            max,
            why,
            instead: "logistic, tree, forest or gaussian-nb",
        })
    }

    /// Whether the kind only classifies (needs a class target).
    pub fn classifies_only(self) -> bool {
        matches!(
            self,
            ModelKind::Logistic | ModelKind::Tree | ModelKind::Forest | ModelKind::GaussianNb
        )
    }

    /// Whether the kind only regresses (needs a numeric target).
    pub fn regresses_only(self) -> bool {
        matches!(
            self,
            ModelKind::Linear | ModelKind::Ridge | ModelKind::Lasso | ModelKind::Elasticnet
        )
    }

    /// The hyperparameters the kind takes, with defaults and ranges.
    pub fn specs(self) -> &'static [ParamSpec] {
        use ParamType::*;
        const INTERCEPT: ParamSpec = ParamSpec {
            name: "fit_intercept",
            ty: Bool,
            default: "true",
            doc: "fit an intercept term",
        };
        const MAX_ITER: ParamSpec = ParamSpec {
            name: "max_iterations",
            ty: Int {
                min: 1,
                max: 1_000_000,
            },
            default: "1000",
            doc: "coordinate-descent iterations",
        };
        const TOL: ParamSpec = ParamSpec {
            name: "tolerance",
            ty: Float {
                min: 0.0,
                max: f64::INFINITY,
                min_open: true,
            },
            default: "0.0001",
            doc: "stop when the largest coefficient update is below this",
        };
        match self {
            ModelKind::Logistic => &[
                ParamSpec { name: "alpha", ty: Float { min: 0.0, max: f64::INFINITY, min_open: false }, default: "1", doc: "L2 penalty strength (scikit-learn's C = 1/alpha)" },
                ParamSpec { name: "max_iterations", ty: Int { min: 1, max: 1_000_000 }, default: "100", doc: "L-BFGS iterations (scikit-learn's max_iter)" },
                ParamSpec { name: "gradient_tolerance", ty: Float { min: 0.0, max: f64::INFINITY, min_open: true }, default: "0.0001", doc: "stop when the largest component of the per-row gradient is at most this (scikit-learn's tol)" },
                INTERCEPT,
            ],
            ModelKind::Linear => &[INTERCEPT],
            ModelKind::Ridge | ModelKind::Lasso => &[
                ParamSpec { name: "alpha", ty: Float { min: 0.0, max: f64::INFINITY, min_open: false }, default: "1", doc: "penalty strength on the mean squared error/2 scale (scikit-learn's ElasticNet alpha)" },
                MAX_ITER,
                TOL,
                INTERCEPT,
            ],
            ModelKind::Elasticnet => &[
                ParamSpec { name: "alpha", ty: Float { min: 0.0, max: f64::INFINITY, min_open: false }, default: "1", doc: "penalty strength (scikit-learn's ElasticNet alpha)" },
                ParamSpec { name: "l1_ratio", ty: Float { min: 0.0, max: 1.0, min_open: false }, default: "0.5", doc: "share of the L1 penalty" },
                MAX_ITER,
                TOL,
                INTERCEPT,
            ],
            ModelKind::Tree => &[
                ParamSpec { name: "criterion", ty: Choice(&["gini", "entropy"]), default: "gini", doc: "split quality" },
                ParamSpec { name: "max_depth", ty: Int { min: 0, max: 1_000 }, default: "0", doc: "maximum depth; 0 means unlimited" },
                ParamSpec { name: "min_samples_split", ty: Float { min: 1.0, max: f64::INFINITY, min_open: false }, default: "2", doc: "rows a node needs to be split" },
                ParamSpec { name: "min_samples_leaf", ty: Float { min: 1.0, max: f64::INFINITY, min_open: false }, default: "1", doc: "rows each child of a split needs" },
                ParamSpec { name: "min_impurity_decrease", ty: Float { min: 0.0, max: f64::INFINITY, min_open: false }, default: "0.00001", doc: "impurity decrease a split needs" },
            ],
            ModelKind::Forest => &[
                ParamSpec { name: "n_trees", ty: Int { min: 1, max: 10_000 }, default: "100", doc: "trees in the forest" },
                ParamSpec { name: "bootstrap_proportion", ty: Float { min: 0.0, max: 1.0, min_open: true }, default: "1", doc: "rows drawn (with replacement) per tree, as a share of the training rows" },
                ParamSpec { name: "feature_proportion", ty: Float { min: 0.0, max: 1.0, min_open: true }, default: "1", doc: "features drawn per tree (linfa draws per tree, not per split)" },
                ParamSpec { name: "max_depth", ty: Int { min: 0, max: 1_000 }, default: "0", doc: "maximum depth of each tree; 0 means unlimited" },
                ParamSpec { name: "criterion", ty: Choice(&["gini", "entropy"]), default: "gini", doc: "split quality" },
            ],
            ModelKind::GaussianNb => &[
                ParamSpec { name: "var_smoothing", ty: Float { min: 0.0, max: f64::INFINITY, min_open: false }, default: "0.000000001", doc: "share of the largest feature variance added to every variance" },
            ],
            ModelKind::Svm => &[
                ParamSpec { name: "c", ty: Float { min: 0.0, max: f64::INFINITY, min_open: true }, default: "1", doc: "penalty of margin violations" },
                ParamSpec { name: "kernel", ty: Choice(&["rbf", "linear", "poly"]), default: "rbf", doc: "kernel" },
                ParamSpec { name: "gamma", ty: Float { min: 0.0, max: f64::INFINITY, min_open: false }, default: "0", doc: "rbf width 1/eps; 0 means scikit-learn's \"scale\", 1/(features × variance of the inputs)" },
                ParamSpec { name: "degree", ty: Float { min: 1.0, max: 10.0, min_open: false }, default: "3", doc: "poly degree" },
                ParamSpec { name: "coef0", ty: Float { min: f64::NEG_INFINITY, max: f64::INFINITY, min_open: false }, default: "1", doc: "poly constant" },
                ParamSpec { name: "epsilon", ty: Float { min: 0.0, max: f64::INFINITY, min_open: false }, default: "0.1", doc: "regression: width of the insensitive tube" },
                ParamSpec { name: "tolerance", ty: Float { min: 0.0, max: f64::INFINITY, min_open: true }, default: "0.001", doc: "SMO stopping threshold" },
            ],
            ModelKind::Knn => &[
                ParamSpec { name: "k", ty: Int { min: 1, max: 10_000 }, default: "5", doc: "neighbours consulted" },
            ],
            ModelKind::Kmeans => &[
                ParamSpec { name: "k", ty: Int { min: 1, max: 10_000 }, default: "3", doc: "clusters" },
                ParamSpec { name: "n_runs", ty: Int { min: 1, max: 1_000 }, default: "10", doc: "restarts; the best inertia wins" },
                ParamSpec { name: "max_iterations", ty: Int { min: 1, max: 1_000_000 }, default: "300", doc: "iterations per run" },
                ParamSpec { name: "tolerance", ty: Float { min: 0.0, max: f64::INFINITY, min_open: true }, default: "0.0001", doc: "stop when centroids move less than this" },
            ],
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type and valid range of a hyperparameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamType {
    /// A number in `[min, max]` (or `(min, max]` when `min_open`).
    Float {
        /// Lower bound.
        min: f64,
        /// Upper bound (inclusive).
        max: f64,
        /// Whether `min` itself is excluded.
        min_open: bool,
    },
    /// An integer in `[min, max]`.
    Int {
        /// Lower bound.
        min: u64,
        /// Upper bound.
        max: u64,
    },
    /// `true` or `false`.
    Bool,
    /// One of the listed words.
    Choice(&'static [&'static str]),
}

impl ParamType {
    /// The type and range in words, e.g. `a number in (0, 1]`.
    pub fn describe(&self) -> String {
        match *self {
            ParamType::Float { min, max, min_open } => {
                let lo = if min_open { "(" } else { "[" };
                format!("a number in {lo}{min}, {max}]")
            }
            ParamType::Int { min, max } => format!("an integer in [{min}, {max}]"),
            ParamType::Bool => "true or false".into(),
            ParamType::Choice(c) => format!("one of {}", c.join(", ")),
        }
    }

    fn parse(&self, text: &str) -> Option<ParamValue> {
        let text = text.trim();
        match *self {
            ParamType::Float { min, max, min_open } => {
                let v: f64 = text.parse().ok()?;
                let ok = !v.is_nan() && v <= max && (v > min || (!min_open && v == min));
                ok.then_some(ParamValue::Float(v))
            }
            ParamType::Int { min, max } => {
                let v: u64 = text.parse().ok()?;
                (min..=max).contains(&v).then_some(ParamValue::Int(v))
            }
            ParamType::Bool => match text {
                "true" | "1" | "yes" => Some(ParamValue::Bool(true)),
                "false" | "0" | "no" => Some(ParamValue::Bool(false)),
                _ => None,
            },
            ParamType::Choice(c) => c
                .contains(&text)
                .then(|| ParamValue::Text(text.to_string())),
        }
    }
}

/// One hyperparameter: name, type and range, default, and what it does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// Key, as in `--param key=value`.
    pub name: &'static str,
    /// Type and range.
    pub ty: ParamType,
    /// Default, as text.
    pub default: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// A resolved hyperparameter value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(u64),
    /// A number.
    Float(f64),
    /// A word.
    Text(String),
}

/// What is wrong with a hyperparameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    /// The model kind is not known.
    #[error("unknown model kind `{kind}`; valid kinds: {}", valid.join(", "))]
    UnknownKind {
        /// The name given.
        kind: String,
        /// The valid names.
        valid: Vec<&'static str>,
    },
    /// The key is not a parameter of the kind.
    #[error("`{key}` is not a parameter of {kind}; valid parameters: {}", valid.join(", "))]
    UnknownKey {
        /// The key given.
        key: String,
        /// The model kind.
        kind: &'static str,
        /// Its valid keys.
        valid: Vec<&'static str>,
    },
    /// The value is out of range or of the wrong type.
    #[error("{kind} parameter `{key}` = `{value}` is invalid; expected {expected}")]
    BadValue {
        /// The key.
        key: String,
        /// The model kind.
        kind: &'static str,
        /// The value given.
        value: String,
        /// The valid range.
        expected: String,
    },
    /// A `--param` argument without `=`.
    #[error("parameter `{0}` must look like key=value")]
    Syntax(String),
}

/// Hyperparameters of one model kind: every key of [`ModelKind::specs`], resolved (defaults
/// filled in), so the artifact records exactly what was used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// The model kind.
    pub kind: ModelKind,
    /// Every parameter by name.
    pub values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// The defaults of `kind`.
    pub fn defaults(kind: ModelKind) -> Params {
        let values = kind
            .specs()
            .iter()
            .map(|s| {
                let v =
                    s.ty.parse(s.default)
                        .unwrap_or(ParamValue::Text(s.default.into()));
                (s.name.to_string(), v)
            })
            .collect();
        Params { kind, values }
    }

    /// Sets one parameter from text, checking the key and the value's range.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        let specs = self.kind.specs();
        let spec = specs
            .iter()
            .find(|s| s.name == key)
            .ok_or_else(|| ParamError::UnknownKey {
                key: key.to_string(),
                kind: self.kind.name(),
                valid: specs.iter().map(|s| s.name).collect(),
            })?;
        let v = spec.ty.parse(value).ok_or_else(|| ParamError::BadValue {
            key: key.to_string(),
            kind: self.kind.name(),
            value: value.to_string(),
            expected: spec.ty.describe(),
        })?;
        self.values.insert(key.to_string(), v);
        Ok(())
    }

    /// Parses `key=value` strings over the defaults of `kind`.
    pub fn parse<S: AsRef<str>>(kind: ModelKind, pairs: &[S]) -> Result<Params, ParamError> {
        let mut params = Params::defaults(kind);
        for pair in pairs {
            let pair = pair.as_ref();
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| ParamError::Syntax(pair.to_string()))?;
            params.set(k.trim(), v)?;
        }
        Ok(params)
    }

    /// Re-validates every value (for parameters that came from JSON).
    pub fn validate(&self) -> Result<(), ParamError> {
        let specs = self.kind.specs();
        for (k, v) in &self.values {
            let text = match v {
                ParamValue::Bool(b) => b.to_string(),
                ParamValue::Int(i) => i.to_string(),
                ParamValue::Float(f) => f.to_string(),
                ParamValue::Text(t) => t.clone(),
            };
            let mut probe = Params {
                kind: self.kind,
                values: BTreeMap::new(),
            };
            probe.set(k, &text)?;
        }
        for s in specs {
            if !self.values.contains_key(s.name) {
                return Err(ParamError::BadValue {
                    key: s.name.into(),
                    kind: self.kind.name(),
                    value: String::new(),
                    expected: s.ty.describe(),
                });
            }
        }
        Ok(())
    }

    /// A number parameter (an integer reads as a number too).
    pub fn f64(&self, key: &str) -> f64 {
        match self.values.get(key) {
            Some(ParamValue::Float(v)) => *v,
            Some(ParamValue::Int(v)) => *v as f64,
            _ => f64::NAN,
        }
    }

    /// An integer parameter.
    pub fn u64(&self, key: &str) -> u64 {
        match self.values.get(key) {
            Some(ParamValue::Int(v)) => *v,
            Some(ParamValue::Float(v)) if *v >= 0.0 => *v as u64,
            _ => 0,
        }
    }

    /// A boolean parameter.
    pub fn bool(&self, key: &str) -> bool {
        matches!(self.values.get(key), Some(ParamValue::Bool(true)))
    }

    /// A word parameter.
    pub fn text(&self, key: &str) -> &str {
        match self.values.get(key) {
            Some(ParamValue::Text(t)) => t,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_errors_help() {
        for kind in ModelKind::ALL {
            let p = Params::defaults(kind);
            assert_eq!(p.values.len(), kind.specs().len(), "{kind}");
            p.validate().unwrap();
        }
        let e = Params::parse(ModelKind::Logistic, &["alpah=1"]).unwrap_err();
        assert!(e.to_string().contains("valid parameters: alpha"), "{e}");
        let e = Params::parse(ModelKind::Logistic, &["alpha=-1"]).unwrap_err();
        assert!(e.to_string().contains("[0, inf]"), "{e}");
        let p = Params::parse(ModelKind::Knn, &["k=7"]).unwrap();
        assert_eq!(p.u64("k"), 7);
    }
}
