//! The model families, one folder each, and the registry that lists them once.
//!
//! A family is everything driftlab knows about one kind of model, in `models/<family>/`:
//!
//! | piece | where | compiled |
//! | --- | --- | --- |
//! | typed parameters: a struct with `Default`, ranges, a doc line per field | `<family>/mod.rs`, `family_params!` ([`params`]) | always (the page lists them before the trainers load) |
//! | the fitted form: plain numbers; its serde shape is the artifact's `model` | `<family>/mod.rs` | always |
//! | scoring and validation of the fitted form ([`Predict`]) | `<family>/mod.rs` | always, no linfa (the edge scorer) |
//! | the catalog entry: a summary line, a paragraph for newcomers, the tasks ([`Family`]) | the registry line, `<family>/mod.rs` | always |
//! | the fit: linfa, or driftlab's own trainer where linfa is slow ([`Trainer`]) | `<family>/fit.rs` | feature `train` |
//!
//! The registry at the bottom of this file has one line per model kind. From it come
//! [`ModelKind`] (the names the CLI, the page and artifacts use), [`ModelParams`] (the
//! typed parameters a [`TrainRequest`](crate::train::TrainRequest) carries), [`Model`]
//! (the fitted form of any kind, tagged by `kind` in the artifact), the dispatch of
//! scoring, validation and fitting, and the [`catalog`] that `driftlab train --help`,
//! the page's Model panel (`Workbench.modelKinds()`) and the messages that suggest
//! another kind read.
//!
//! # Adding a family
//!
//! 1. **Its folder**, `src/models/<family>/`, modelled on `knn/` (the smallest):
//!    - `mod.rs`: the parameters with `family_params!` (each field: doc line, type,
//!      default, range — the same line becomes rustdoc, the page's help and `--help`;
//!      a word-valued parameter is an enum made with `param_words!`); the fitted form
//!      (`#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]`, plain `Vec<f64>`s
//!      and numbers: it is the artifact's `model` object, so rename nothing once
//!      shipped); `impl Predict` for it (task, outputs, feature count, `validate` that
//!      rejects every array a hand-edited artifact could get wrong, and `predict` for one
//!      row, which must not panic on a validated model); and a unit struct named after
//!      the kind with `impl Family` (the `ABOUT` paragraph, the `TASKS`, the parameters'
//!      and the fitted form's types).
//!    - `fit.rs`, behind `#[cfg(feature = "train")] mod fit;`: `impl Trainer` for the
//!      kind — `fit`, returning the fitted form and a [`Reference`] that predicts with the
//!      trainer's own objects (so that `tests/parity_models.rs` can hold the scorer to
//!      it), and `min_rows` if it needs more than two rows.
//! 2. **One line in the registry** below: `/// summary` then `Kind = "name" => family::Kind;`.
//!    The new variant makes every exhaustive `match` on [`ModelKind`] outside this file a
//!    compile error until it is handled; there is one, the edge's reader.
//! 3. **The edge's reader**, `edge/src/model.rs`: one function that reads the fitted form
//!    from the edge's own small JSON parser (the edge links no serde derives, for size),
//!    and its arm in `model()`.
//!
//! Nothing else in the code changes: the CLI's `--model` choices and `--param` help, the
//! page's kind menu, parameter inputs and text, the parameter checks, and the training
//! errors that suggest a classifier or a regressor all come from the registry. The tests
//! that hold the registry together go through [`ModelKind::ALL`] and fail until the new
//! kind is in them: `models/tests.rs` (add its documented defaults to `DOCUMENTED`) and
//! the edge's `reads_artifacts_as_the_core_does_and_scores_identically` (the edge reads
//! it exactly as the core's `Artifact::from_bytes`). Then give it its parity test in
//! `tests/parity_models.rs` (one line), a row in `scripts/fixtures_models.py` for the
//! README's scikit-learn table, and its name in the README's list of kinds.
//!
//! # Kinds and families
//!
//! A kind is what a user picks; a family is a folder. Most families have one kind. The
//! elastic-net family (`elastic_net/`) has three — `ridge`, `lasso` and `elasticnet` —
//! because they are one objective (scikit-learn's elastic net) with the L1 share fixed at
//! 0, fixed at 1, or free; they share the fitted form and the scoring of
//! ordinary least squares (`linear/`'s [`LinearModel`](linear::LinearModel)), and only
//! their parameter lists differ. They stay three kinds, as the CLI, the page and every
//! artifact already name them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::score::{Prediction, Result, ScoreError, Task};

pub mod params;
pub(crate) use params::{family_params, param_words};
pub use params::{ParamAssign, ParamError, ParamField, ParamSet, ParamSpec, ParamType, ParamValue};

#[cfg(feature = "train")]
pub(crate) mod fit;
#[cfg(feature = "train")]
use crate::train::{Progress, TrainError};
#[cfg(feature = "train")]
pub use fit::{FitData, Reference, Trainer};

pub mod elastic_net;
pub mod forest;
pub mod gaussian_nb;
pub mod kmeans;
pub mod knn;
pub mod linear;
pub mod logistic;
pub mod svm;
pub mod tree;

/// The tasks a kind solves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tasks {
    /// Predicts a class from a categorical, boolean or small-integer target.
    pub classification: bool,
    /// Predicts a number from a numeric target.
    pub regression: bool,
    /// Groups rows without a target.
    pub clustering: bool,
}

impl Tasks {
    /// A classifier only.
    pub const CLASSIFICATION: Tasks = Tasks {
        classification: true,
        regression: false,
        clustering: false,
    };
    /// A regressor only.
    pub const REGRESSION: Tasks = Tasks {
        classification: false,
        regression: true,
        clustering: false,
    };
    /// Either, by the target (or `TaskChoice`).
    pub const BOTH: Tasks = Tasks {
        classification: true,
        regression: true,
        clustering: false,
    };
    /// Clustering, without a target.
    pub const CLUSTERING: Tasks = Tasks {
        classification: false,
        regression: false,
        clustering: true,
    };
}

/// A model family's fitted form: what the scorer needs of it. Always compiled (the edge
/// scorer has no trainers); called through [`Model`], which checks the row width first.
pub trait Predict {
    /// The task this fitted model solves.
    fn task(&self) -> Task;
    /// Number of classes for classifiers, clusters for clustering, 0 for regressors.
    fn n_outputs(&self) -> usize;
    /// Number of input features the model expects.
    fn n_features(&self) -> usize;
    /// Whether rows wider than [`Predict::n_features`] are scored (trees read features by
    /// index, so extra trailing features are harmless); others need the exact width.
    fn accepts_wider_rows(&self) -> bool {
        false
    }
    /// Checks that the arrays agree with each other and with `n_features` inputs (every
    /// artifact is validated on load, so scoring never indexes out of bounds).
    fn validate(&self, n_features: usize) -> Result<()>;
    /// Scores one transformed row of a width [`Model`] has checked.
    fn predict(&self, x: &[f64]) -> Result<Prediction>;
    /// A fast path for [`Model::predict_batch`], for rows of the exact width: the
    /// predictions of a family whose row scorer cannot fail, collected without a `Result`
    /// per row, or `None` for the row loop (a linear model on 100,000 × 20 rows, natively:
    /// 80–90 M rows/s this way, 62 M through the loop).
    fn predict_batch(&self, _data: &[f64], _cols: usize) -> Option<Vec<Prediction>> {
        None
    }
    /// A fast path for [`Model::predict_batch_into`], for rows of the exact width and
    /// cleared buffers: fills them and returns the number of probabilities per row, or
    /// `None` to let the row-by-row loop score them (the same numbers either way).
    fn predict_batch_into(
        &self,
        _data: &[f64],
        _cols: usize,
        _values: &mut Vec<f64>,
        _probabilities: &mut Vec<f64>,
    ) -> Option<usize> {
        None
    }
}

/// One model kind's place in the registry: its catalog text, its tasks, its typed
/// parameters and its fitted form (its trainer is [`Trainer`], with the `train` feature).
/// Implemented by a unit struct per kind in the family's folder (see the module docs for
/// the recipe).
pub trait Family {
    /// What the kind is and when to pick it, in a few plain sentences (the page shows it
    /// under the kind menu).
    const ABOUT: &'static str;
    /// The tasks it solves.
    const TASKS: Tasks;
    /// Its typed hyperparameters (made by `family_params!`).
    type Params: ParamAssign + Default + Clone + fmt::Debug + PartialEq;
    /// Its fitted form, as the artifact stores it.
    type Fitted: Predict + Clone + fmt::Debug + PartialEq;
    /// The most training rows it takes (`None`: no limit but time), so that no row count
    /// can exhaust a browser tab's memory (a Wasm allocation failure kills the engine) or
    /// hold it for minutes. A family that sets it says why in [`Family::too_many_rows`].
    const MAX_ROWS: Option<usize> = None;
    /// Why `rows` training rows of `features` features are too many (for the error that
    /// refuses them before fitting; only asked when [`Family::MAX_ROWS`] is exceeded).
    fn too_many_rows(rows: usize, features: usize) -> String {
        format!("{rows} rows of {features} features are more than it fits in a browser tab")
    }
}

/// One kind in the catalog: what the CLI's `--help`, the page and the docs show.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct KindInfo {
    /// The kind's name (`logistic`, …).
    pub kind: &'static str,
    /// One line: what it is.
    pub summary: &'static str,
    /// A few sentences for a newcomer: what it does and when to pick it.
    pub about: &'static str,
    /// Whether it classifies.
    pub classifies: bool,
    /// Whether it regresses.
    pub regresses: bool,
    /// Whether it clusters (needs no target).
    pub clusters: bool,
    /// Its hyperparameters, in order.
    pub params: Vec<ParamInfo>,
    /// The most training rows it takes, if it has a limit ([`Family::MAX_ROWS`]).
    pub max_rows: Option<usize>,
}

/// One hyperparameter in the catalog.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ParamInfo {
    /// Key, as in `--param key=value`.
    pub name: &'static str,
    /// The default, as `--param` takes it (`1`, `0.0001`, `true`, `gini`).
    pub default: String,
    /// What it does.
    pub doc: &'static str,
    /// Type and range in words: `a number in (0, inf]`, `an integer in [1, 100]`,
    /// `true or false`, `one of a, b`.
    pub range: String,
}

/// Every kind with its text, tasks and parameters, in [`ModelKind::ALL`]'s order.
pub fn catalog() -> Vec<KindInfo> {
    ModelKind::ALL.iter().map(|k| k.info()).collect()
}

impl ModelKind {
    /// Parses a kind name; the error lists the valid names.
    pub fn parse(name: &str) -> std::result::Result<ModelKind, ParamError> {
        ModelKind::from_name(name).ok_or_else(|| ParamError::UnknownKind {
            kind: name.to_string(),
            valid: ModelKind::ALL.iter().map(|k| k.name()).collect(),
        })
    }

    /// The kind of a name, if there is one.
    pub fn from_name(name: &str) -> Option<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether the kind only classifies (needs a class target).
    pub fn classifies_only(self) -> bool {
        self.tasks() == Tasks::CLASSIFICATION
    }

    /// Whether the kind only regresses (needs a numeric target).
    pub fn regresses_only(self) -> bool {
        self.tasks() == Tasks::REGRESSION
    }

    /// The names of the kinds whose tasks pass `solves`, comma-separated (for messages
    /// that suggest another kind).
    pub fn names_where(solves: impl Fn(Tasks) -> bool) -> String {
        let names: Vec<&str> = ModelKind::ALL
            .into_iter()
            .filter(|k| solves(k.tasks()))
            .map(ModelKind::name)
            .collect();
        names.join(", ")
    }

    /// The hyperparameters the kind takes, with their ranges and docs (the defaults are
    /// [`ModelParams::defaults`]).
    pub fn specs(self) -> &'static [ParamSpec] {
        ModelParams::defaults(self).as_set().specs()
    }

    /// The kind's catalog entry.
    pub fn info(self) -> KindInfo {
        let defaults = ModelParams::defaults(self);
        let set = defaults.as_set();
        let tasks = self.tasks();
        KindInfo {
            kind: self.name(),
            summary: self.summary(),
            about: self.about(),
            classifies: tasks.classification,
            regresses: tasks.regression,
            clusters: tasks.clustering,
            params: set
                .specs()
                .iter()
                .map(|s| ParamInfo {
                    name: s.name,
                    default: set.get(s.name).map(|v| v.to_string()).unwrap_or_default(),
                    doc: s.doc,
                    range: s.ty.describe(),
                })
                .collect(),
            max_rows: self.max_training_rows(),
        }
    }

    /// Checks, before fitting, that `rows` training rows of `features` features fit this
    /// kind ([`Family::MAX_ROWS`]); the error says why and names the kinds that take them.
    #[cfg(feature = "train")]
    pub fn check_size(self, rows: usize, features: usize) -> std::result::Result<(), TrainError> {
        match self.max_training_rows() {
            Some(max) if rows > max => Err(TrainError::TooManyRows {
                kind: self.name(),
                rows,
                max,
                why: self.too_many_rows(rows, features),
                instead: ModelKind::ALL
                    .into_iter()
                    .filter(|k| {
                        let (a, b) = (k.tasks(), self.tasks());
                        k.max_training_rows().is_none()
                            && (a.classification && b.classification
                                || a.regression && b.regression)
                    })
                    .map(ModelKind::name)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ModelParams {
    /// Sets one parameter from text (the CLI's `--param`, a page input), checking the key
    /// (an unknown one is an error naming the valid keys) and the value's range.
    pub fn set(&mut self, key: &str, value: &str) -> std::result::Result<(), ParamError> {
        let kind = self.kind().name();
        params::set_text(self.as_set_mut(), kind, key, value)
    }

    /// Parses `key=value` strings over the defaults of `kind`.
    pub fn parse<S: AsRef<str>>(
        kind: ModelKind,
        pairs: &[S],
    ) -> std::result::Result<ModelParams, ParamError> {
        let mut params = ModelParams::defaults(kind);
        for pair in pairs {
            let pair = pair.as_ref();
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| ParamError::Syntax(pair.to_string()))?;
            params.set(k.trim(), v)?;
        }
        Ok(params)
    }

    /// Checks every field against its range (fields set in code skip the text checks).
    pub fn validate(&self) -> std::result::Result<(), ParamError> {
        params::validate(self.as_set(), self.kind().name())
    }

    /// Every parameter by key, as the artifact's `lineage.params` records them.
    pub fn values(&self) -> BTreeMap<String, ParamValue> {
        params::values(self.as_set())
    }

    /// Reads parameters back from [`ModelParams::values`]' form (an artifact's lineage):
    /// every key must be a parameter of `kind` with a valid value, and none may be missing.
    pub fn from_values(
        kind: ModelKind,
        values: &BTreeMap<String, ParamValue>,
    ) -> std::result::Result<ModelParams, ParamError> {
        let mut params = ModelParams::defaults(kind);
        params::assign_values(params.as_set_mut(), kind.name(), values)?;
        Ok(params)
    }
}

/// As `{"kind": "...", "values": {...}}`, the values as [`ModelParams::values`] writes them.
impl Serialize for ModelParams {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form {
            kind: ModelKind,
            values: BTreeMap<String, ParamValue>,
        }
        Form {
            kind: self.kind(),
            values: self.values(),
        }
        .serialize(s)
    }
}

/// Reads [`ModelParams`]' serialized form, checking keys and values as
/// [`ModelParams::from_values`] does.
impl<'de> Deserialize<'de> for ModelParams {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Form {
            kind: ModelKind,
            values: BTreeMap<String, ParamValue>,
        }
        let form = Form::deserialize(d)?;
        ModelParams::from_values(form.kind, &form.values).map_err(serde::de::Error::custom)
    }
}

impl Model {
    /// The kind name (`logistic`, `linear`, …, `kmeans`), as in the CLI.
    pub fn kind(&self) -> &'static str {
        self.model_kind().name()
    }

    /// Scores one transformed row. The caller ensures the row width (see [`Model::validate`]);
    /// a wrong width is an error, never a panic.
    pub fn predict_row(&self, x: &[f64]) -> Result<Prediction> {
        self.check_width(x.len())?;
        self.predict_unchecked(x)
    }

    /// An error unless rows `cols` wide can be scored.
    pub(crate) fn check_width(&self, cols: usize) -> Result<()> {
        let p = self.n_features();
        if (!self.accepts_wider_rows() && cols != p) || cols < p {
            return Err(ScoreError::Width {
                row: 0,
                expected: p,
                got: cols,
            });
        }
        Ok(())
    }
}

/// Makes the registry's types and their dispatch from its lines (see the module docs).
macro_rules! registry {
    ($(
        $(#[doc = $doc:literal])+
        $kind:ident = $name:literal => $family:ty;
    )+) => {
        /// The model kinds driftlab trains, one per line of the registry.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum ModelKind {
            $( $(#[doc = $doc])+ $kind, )+
        }

        impl ModelKind {
            /// Every kind, in the order the CLI lists them.
            pub const ALL: [ModelKind; [$($name),+].len()] = [$(ModelKind::$kind),+];

            /// The name used by the CLI, the page and artifacts.
            pub fn name(self) -> &'static str {
                match self {
                    $(ModelKind::$kind => $name,)+
                }
            }

            /// One line: what the kind is (its doc in the registry).
            pub fn summary(self) -> &'static str {
                match self {
                    $(ModelKind::$kind => concat!($($doc),+).trim_ascii(),)+
                }
            }

            /// A few sentences for a newcomer (the family's [`Family::ABOUT`]).
            pub fn about(self) -> &'static str {
                match self {
                    $(ModelKind::$kind => <$family as Family>::ABOUT,)+
                }
            }

            /// The tasks the kind solves.
            pub fn tasks(self) -> Tasks {
                match self {
                    $(ModelKind::$kind => <$family as Family>::TASKS,)+
                }
            }

            /// The most training rows the kind takes (the family's [`Family::MAX_ROWS`]).
            pub fn max_training_rows(self) -> Option<usize> {
                match self {
                    $(ModelKind::$kind => <$family as Family>::MAX_ROWS,)+
                }
            }

            /// Why `rows` rows of `features` features are too many for the kind.
            #[cfg(feature = "train")]
            fn too_many_rows(self, rows: usize, features: usize) -> String {
                match self {
                    $(ModelKind::$kind => <$family as Family>::too_many_rows(rows, features),)+
                }
            }
        }

        /// The typed hyperparameters of one kind, as a
        /// [`TrainRequest`](crate::train::TrainRequest) carries them.
        #[derive(Clone, Debug, PartialEq)]
        pub enum ModelParams {
            $( $(#[doc = $doc])+ $kind(<$family as Family>::Params), )+
        }

        impl ModelParams {
            /// The defaults of `kind`.
            pub fn defaults(kind: ModelKind) -> ModelParams {
                match kind {
                    $(ModelKind::$kind => ModelParams::$kind(Default::default()),)+
                }
            }

            /// The kind these parameters are for.
            pub fn kind(&self) -> ModelKind {
                match self {
                    $(ModelParams::$kind(_) => ModelKind::$kind,)+
                }
            }

            /// The parameters, read by key.
            pub fn as_set(&self) -> &dyn ParamSet {
                match self {
                    $(ModelParams::$kind(p) => p,)+
                }
            }

            fn as_set_mut(&mut self) -> &mut dyn ParamAssign {
                match self {
                    $(ModelParams::$kind(p) => p,)+
                }
            }

            /// Training rows the kind needs at least with these parameters.
            #[cfg(feature = "train")]
            pub fn min_rows(&self) -> usize {
                match self {
                    $(ModelParams::$kind(p) => <$family as Trainer>::min_rows(p),)+
                }
            }

            /// Fits the kind (see [`Trainer::fit`]).
            #[cfg(feature = "train")]
            pub(crate) fn fit(
                &self,
                data: &FitData<'_>,
                progress: &mut dyn FnMut(Progress),
            ) -> std::result::Result<(Model, Box<dyn Reference>), TrainError> {
                match self {
                    $(ModelParams::$kind(p) => {
                        let (fitted, reference) = <$family as Trainer>::fit(p, data, progress)?;
                        Ok((Model::$kind(fitted), reference))
                    })+
                }
            }
        }

        /// A trained model in plain parameters, tagged by its kind as the CLI names it
        /// (the artifact's `model`).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "kebab-case")]
        pub enum Model {
            $( $(#[doc = $doc])+ $kind(<$family as Family>::Fitted), )+
        }

        impl Model {
            /// The model's kind.
            pub fn model_kind(&self) -> ModelKind {
                match self {
                    $(Model::$kind(_) => ModelKind::$kind,)+
                }
            }

            /// The task this model solves.
            pub fn task(&self) -> Task {
                match self {
                    $(Model::$kind(m) => m.task(),)+
                }
            }

            /// Number of classes for classifiers, clusters for k-means, 0 for regressors.
            pub fn n_outputs(&self) -> usize {
                match self {
                    $(Model::$kind(m) => m.n_outputs(),)+
                }
            }

            /// Number of input features the model expects.
            pub fn n_features(&self) -> usize {
                match self {
                    $(Model::$kind(m) => m.n_features(),)+
                }
            }

            /// Checks that the model's arrays agree with each other and with `n_features`
            /// inputs (every artifact is validated on load, so scoring never indexes out of
            /// bounds).
            pub fn validate(&self, n_features: usize) -> Result<()> {
                match self {
                    $(Model::$kind(m) => m.validate(n_features),)+
                }
            }

            fn accepts_wider_rows(&self) -> bool {
                match self {
                    $(Model::$kind(m) => m.accepts_wider_rows(),)+
                }
            }

            /// [`Model::predict_row`] for a row whose width was checked.
            pub(crate) fn predict_unchecked(&self, x: &[f64]) -> Result<Prediction> {
                match self {
                    $(Model::$kind(m) => m.predict(x),)+
                }
            }

            /// Scores rows of a checked width, one family's loop (see [`Model::predict_batch`]).
            pub(crate) fn predict_rows(&self, data: &[f64], cols: usize) -> Result<Vec<Prediction>> {
                match self {
                    $(Model::$kind(m) => crate::score::predict_rows(m, data, cols),)+
                }
            }

            /// The family's fast path of [`Model::predict_batch_into`], if it has one.
            pub(crate) fn predict_batch_fast(
                &self,
                data: &[f64],
                cols: usize,
                values: &mut Vec<f64>,
                probabilities: &mut Vec<f64>,
            ) -> Option<usize> {
                match self {
                    $(Model::$kind(m) => m.predict_batch_into(data, cols, values, probabilities),)+
                }
            }
        }
    };
}

registry! {
    /// Logistic regression (binary or multinomial), L2-penalised, L-BFGS.
    Logistic = "logistic" => logistic::Logistic;
    /// Ordinary least squares.
    Linear = "linear" => linear::Linear;
    /// Ridge regression (elastic net with `l1_ratio = 0`).
    Ridge = "ridge" => elastic_net::Ridge;
    /// Lasso (elastic net with `l1_ratio = 1`).
    Lasso = "lasso" => elastic_net::Lasso;
    /// Elastic net.
    Elasticnet = "elasticnet" => elastic_net::ElasticNet;
    /// Decision tree classifier.
    Tree = "tree" => tree::Tree;
    /// Random forest classifier (bagged decision trees).
    Forest = "forest" => forest::Forest;
    /// Gaussian naive Bayes.
    GaussianNb = "gaussian-nb" => gaussian_nb::GaussianNb;
    /// Support vector machine (classification by one-vs-rest, or regression).
    Svm = "svm" => svm::Svm;
    /// k-nearest neighbours (classification or regression).
    Knn = "knn" => knn::Knn;
    /// k-means clustering.
    Kmeans = "kmeans" => kmeans::KMeans;
}

#[cfg(test)]
mod tests;

/// The error of a fitted form whose arrays disagree (a corrupted or hand-edited artifact).
pub(crate) fn bad(msg: &str) -> ScoreError {
    ScoreError::Invalid(msg.to_string())
}

/// An error unless every value of `v` is finite.
pub(crate) fn finite(v: &[f64], what: &str) -> Result<()> {
    if v.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(bad(&format!("{what} holds a NaN or infinite value")))
    }
}
