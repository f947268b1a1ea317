//! ONNX import: an ONNX graph (as skl2onnx and onnxmltools write them for tabular models)
//! becomes a driftlab artifact, scored by the existing training-free scorer — so the page,
//! the CLI and the edge give an imported model the same bits as a trained one — and
//! monitored against the reference table given with it.
//!
//! # How a graph becomes an artifact
//!
//! [`import_model`] decodes the protobuf ([`crate::onnx::decode_model`]), checks the opsets
//! (the default domain and `ai.onnx.ml` only), sorts the nodes topologically (a cycle is
//! refused, naming a node on it), then walks them once, giving every value a meaning
//! (`build.rs`): *features* (each one a reference column, imputed, shifted and scaled, or a
//! column's one-hot indicator), a *network* being assembled layer by layer, the model's
//! *probabilities*, *label* or *value*. Preprocessing operators fold into the features;
//! the model operator becomes one of driftlab's families over them; the operators after it
//! (ZipMap, Cast, the Normalizer skl2onnx puts after probabilities, ArgMax and the label
//! lookup) are checked to compute what the family's scorer outputs. The features then
//! become a [`FittedPipeline`](crate::prep::FittedPipeline) (one step per column, in the input order) and the model's
//! feature indices are remapped onto the pipeline's. Every operator a graph holds that
//! this does not know is refused with its name, its node and the list of what is read.
//!
//! # Operator coverage
//!
//! | operator | becomes |
//! | --- | --- |
//! | Imputer (NaN replaced) | the column step's fill (a column without one: the reference mean) |
//! | Scaler; Add/Sub/Mul/Div by constants (MinMaxScaler) | the column step's center and scale (scale > 0) |
//! | OneHotEncoder (text input, `cats_strings`) | a one-hot step, categories sorted; `zeros=1` → unseen ignored, `0` → error |
//! | Concat (axis 1), FeatureVectorizer, ArrayFeatureExtractor / Gather (constant columns) | the order of the features (the model is remapped onto the pipeline's) |
//! | Cast, Identity, Reshape, Flatten, ZipMap, CastMap | pass-through |
//! | LinearClassifier: 2 classes LOGISTIC (one row, or skl2onnx's ±w pair), k classes SOFTMAX | `logistic` |
//! | LinearRegressor (one target) | `linear` |
//! | TreeEnsembleRegressor (SUM, AVERAGE); TreeEnsemble of ai.onnx.ml 5 (one target, NONE; a constant Add after it is its base value) | `boosting` regressor |
//! | TreeEnsembleClassifier: 2 classes LOGISTIC, k classes SOFTMAX (one class per tree) | `boosting` |
//! | TreeEnsembleClassifier: one tree, NONE | `tree` |
//! | TreeEnsembleClassifier: several trees, NONE (scikit-learn's random forest, extra trees) | `forest` with soft voting (the mean of the trees' class frequencies) |
//! | MatMul/Gemm + Add (bias) + Relu/Tanh/Sigmoid …, Softmax or Sigmoid (+ Sub 1 − p, Concat), ArgMax + ArrayFeatureExtractor (labels) | `mlp` (classifier, or regressor when the last layer is linear with one output) |
//! | SVMRegressor (LINEAR, RBF, POLY of a whole degree 1–10) | `svm` regressor |
//! | SVMClassifier with Platt's prob_a/prob_b (scikit-learn's `SVC(probability=True)`; LINEAR, RBF, POLY of degree 2 or 3) | `svm` classifier with libsvm's one-vs-one machines (`one_vs_one`, `svm.rs`) |
//! | Normalizer L1 after probabilities | a no-op (it is one) |
//! | Normalizer (L1, L2, MAX) on the features the model reads | the pipeline's row norm (`normalize`), after every column's step |
//! | Binarizer (after the Imputer and the Scaler) | the numeric step's `binarize` threshold (a one-hot indicator cut in [0, 1) is left as it is) |
//! | LabelEncoder on a text input (`keys_strings` → `values_int64s` or `values_floats`; skl2onnx's OrdinalEncoder) | an `ordinal` step: category → number, unseen or missing → `default_int64` (−1) or `default_float` |
//! | LabelEncoder on the label | the class names |
//! | **refused**: SVMClassifier without probabilities (`SVC(probability=False)`), in liblinear's mode, with a SIGMOID kernel or a post-transform; LinearClassifier one-vs-rest or NONE; OneHotEncoder on numbers; TreeEnsemble with a post-transform or several targets, or EQ/NEQ/MEMBER splits; every other operator | an error naming the operator, its node, the reason and what is read |
//! | **refused**: a Normalizer whose output anything but the model reads (a Scaler, a Concat with other features, a column pick); a Binarizer on a binarized feature or an ordinal code, or before a Scaler; a LabelEncoder from numbers (`keys_int64s`) or to strings | an error naming the operator, its node and the reason |
//!
//! ## Normalizer, Binarizer and LabelEncoder on the inputs
//!
//! Each becomes a pipeline step (`crate::prep`), so the page, the CLI and the edge scorer
//! transform with the same code; an artifact that carries one is written as version 3.
//! - **Binarizer** is an optional threshold on the numeric step, applied after its
//!   imputation, centring and scaling — where ONNX-ML graphs put it (after the Imputer and
//!   the Scaler); a Scaler or an Imputer after it is refused, because the step cannot
//!   express it. onnxruntime compares its `float32` value with the threshold, driftlab its
//!   `float64` one: they agree but for a value within `float32` rounding of the threshold
//!   (never at the threshold 0, where both keep the sign of `x − center`).
//! - **Normalizer** is a row step on the whole feature vector the columns make, applied
//!   after the columns' steps and before the model. A norm does not depend on the order of
//!   the features, so the graph's order may differ from the pipeline's, but every feature
//!   must be read once: a Normalizer over a subset, or whose output is shifted, scaled or
//!   concatenated with other features, is refused. Imported pipelines have no crosses, and
//!   a pipeline with both is refused on load. Monitoring is unchanged: input warnings and
//!   drift look at the raw columns, before any step. ONNX's `MAX` divides by the largest
//!   value, signed (onnxruntime: a row `[-1, -2, -4]` becomes `[1, 2, 4]`), which is what
//!   driftlab computes; scikit-learn's `norm="max"` divides by the largest magnitude, and
//!   skl2onnx exports it as `MAX`, so such a graph differs from its scikit-learn pipeline on
//!   rows whose largest magnitude is negative — driftlab follows the graph (the
//!   `normalizer_max` fixture's rows include such rows).
//! - **LabelEncoder** on a text input (what skl2onnx writes for an `OrdinalEncoder`, in a
//!   ColumnTransformer too) is an `ordinal` step: the categories sorted with their numbers;
//!   a category not among them and a missing cell (which ONNX sees as the empty string,
//!   itself looked up first) take the encoder's default (−1 unless set) and are flagged.
//!
//! Fixtures `normalizer_l1/l2/max`, `binarizer`, `binarizer_tree`, `ordinal_mixed` and
//! `ordinal_forest` reproduce onnxruntime within 1.3e-7 on all their stored rows.
//!
//! # driftlab's own exports
//!
//! A file written by `driftlab export --format onnx` carries its artifact's pipeline,
//! model and class names in its metadata; the import takes them from there after checking
//! that they export to the very graph the file holds (`own.rs`), so every family driftlab
//! exports comes back as the same model, scoring bit for bit as before. Such a file needs
//! a reference table with the columns it was trained on.
//!
//! Without that entry (a tool kept only the graph), a file whose producer is `driftlab` is
//! read operator by operator (`stripped/`): the exporter's subgraphs — `IsNaN`, `IsInf`,
//! `Or`, `Where`, `Sub`, `Div` per numeric column (then `Greater`, `Cast` when it is
//! binarized); `Equal`, `Where`, `Equal`, `Cast` per one-hot column; `LabelEncoder`,
//! `Cast` per ordinal column; `ReduceL1`/`ReduceL2`/`ReduceMax` and its guard, `Div` (the row
//! norm); `Slice`, `Mul`, `Sin` crosses; `LinearClassifier`, `LinearRegressor`,
//! `TreeEnsembleRegressor` (+ `Div` for a forest, + `Sigmoid` or `Softmax` for boosting),
//! `Unsqueeze`/`Sub`/`Mul`/`ReduceSum`/`Softmax` (naive Bayes), `ArgMin`/`Sqrt`
//! (k-means), `Gemm` and activations (mlp), `MatMul`/`Exp`/`Pow`/`Sigmoid` or
//! `SVMClassifier` (svm), `TopK`/`Gather`/`Equal`/`ReduceSum`/`ReduceMean` (kNN), then
//! `ArgMax`/`Gather`/`Identity` — are recognised in the order the exporter writes them,
//! the family is rebuilt from their constants, and the result is exported again and
//! compared with the file node for node (so what is recognised is proven, not guessed).
//! Scores: bit for bit for every family but those the graph rounds (logistic and the
//! linear family keep `f32` coefficients: within 1.1e-7; naive Bayes' variances and priors
//! are recovered from inverse variances and constants: bit for bit on the test's data,
//! held to 1e-12). An operator out of place is refused naming it, its node and the shapes
//! that are read. These operators are read only there: a skl2onnx graph with an `IsNaN`
//! is still refused by the general walk.
//!
//! # Inputs and the reference table
//!
//! The reference table (the CSV the model was trained on, or one like it) gives the model
//! its columns, their kinds, the ranges behind input warnings and the profile behind drift
//! monitoring. The rule that ties the graph's inputs to its columns:
//! - when every graph input is named after a reference column, each input is that column
//!   (skl2onnx's one input per column, as for a ColumnTransformer); a text input needs a
//!   categorical column;
//! - otherwise the graph must have one numeric tensor input, `n` wide, and the reference
//!   `n` columns besides the target, all numeric, in the order the model reads them.
//!
//! # f32
//!
//! ONNX-ML computes in `f32`; driftlab scores in `f64`. Weights, thresholds and leaf
//! values are `f32` numbers kept exactly as `f64`. For the tree families the scorer's
//! `x < t` test is given the threshold that makes it agree with ONNX's `(f32) x <= t` on
//! every `f64` input (see `trees.rs`): splits on raw inputs agree exactly. Sums and
//! exponentials are computed in `f64`, so probabilities differ from onnxruntime's by its
//! `f32` rounding (the fixtures in `tests/fixtures/onnx/` agree within 1e-6).
//!
//! # Missing values
//!
//! driftlab's pipeline fills every missing or infinite number before the model (and flags
//! the row). A graph with an Imputer gives the fill; a graph without one gives none, and
//! the reference column's mean is used (ONNX would pass the NaN on).

//! # Cost
//!
//! Importing a 100-tree random forest (depth 8, 1.9 MB of ONNX) with a 10,000-row reference
//! takes 105–191 ms natively on the project's loaded 2-core machine (`make bench`); a
//! profile of the run puts the ONNX work itself (protobuf decoding, the walk, the trees'
//! renumbering, the artifact's hash) at about 40 ms of CPU, the rest is the reference's
//! profile and fingerprint, which grow with its rows. Nothing here is in the page's first
//! module or the edge scorer (the `onnx` feature is off in both).

mod build;
mod graph;
mod own;
mod stripped;
mod svm;
mod trees;

use serde_json::json;

use crate::artifact::{Artifact, ArtifactError, Lineage};
use crate::onnx::OnnxError;
use crate::profile::{Profile, ProfileError};
use crate::table::Table;

/// What the caller adds to an import.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportOptions {
    /// When, as the caller stamps it (the core has no clock): the lineage's `created`.
    pub created: String,
}

/// Why an ONNX file could not be imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes are not a readable ONNX model.
    #[error(transparent)]
    Decode(#[from] OnnxError),
    /// The model imports an opset this importer does not read.
    #[error("the model uses operator set {domain} version {version}; the import reads {supported}; export the model again with an opset in that range (skl2onnx's target_opset)")]
    Opset {
        /// The domain.
        domain: String,
        /// Its version.
        version: i64,
        /// What is read.
        supported: String,
    },
    /// An operator the import does not map onto driftlab.
    #[error("operator {op} (domain {domain:?}) at node {node:?} is not supported by the import{why}; it reads: {supported}")]
    Unsupported {
        /// The operator.
        op: String,
        /// Its domain.
        domain: String,
        /// The node's name.
        node: String,
        /// Why, when the operator is known but this use of it is not.
        why: String,
        /// The operators it reads.
        supported: String,
    },
    /// A node whose attributes or inputs are not what the operator needs.
    #[error("node {node:?} ({op}): {what}")]
    Node {
        /// The operator.
        op: String,
        /// The node's name.
        node: String,
        /// What is wrong.
        what: String,
    },
    /// The graph's structure (a cycle, a value made twice or never, a damaged tensor).
    #[error("{0}")]
    Graph(String),
    /// The graph's inputs and the reference table do not fit together.
    #[error("{0}")]
    Inputs(String),
    /// The reference table could not be profiled.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The artifact made from the graph is inconsistent (a bug, or a model beyond limits).
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
}

/// Imports an ONNX model: `onnx_bytes` is the `.onnx` file, `reference` the table the
/// model was trained on (its columns feed the graph's inputs, see the module docs for the
/// rule; it becomes the drift reference), `target` that table's target column, if it has
/// one (left out of the inputs). The artifact's lineage says "imported from ONNX" with the
/// file's producer, its version and the FNV-1a hash of its bytes (in `params`), the
/// driftlab kind it became, and the reference's fingerprint and row count.
pub fn import_model(
    onnx_bytes: &[u8],
    reference: &Table,
    target: Option<&str>,
    options: &ImportOptions,
) -> Result<Artifact, ImportError> {
    let model = crate::onnx::decode_model(onnx_bytes)?;
    graph::check_opsets(&model)?;
    let g = model
        .graph
        .as_ref()
        .ok_or_else(|| ImportError::Graph("the model has no graph".into()))?;
    let own = own::embedded(&model);
    let ours = own.is_none() && stripped::is_driftlab(&model);
    let imported = match own {
        Some(text) => own::read(&model, text, reference, target)?,
        None if ours => stripped::read(&model, &graph::Graph::new(g)?, reference, target)?,
        None => build::build(&graph::Graph::new(g)?, reference, target)?,
    };
    // the embedded model's target, the one the stripped graph's metadata names, or the caller's
    let target = imported.pipeline.target.as_deref();
    let profile = Profile::from_table(reference, target)?;
    let opsets: serde_json::Map<String, serde_json::Value> = model
        .opset_import
        .iter()
        .map(|o| {
            (
                match o.domain.as_deref().unwrap_or("") {
                    "" => "ai.onnx".to_owned(),
                    d => d.to_owned(),
                },
                json!(o.version.unwrap_or(0)),
            )
        })
        .collect();
    let lineage = Lineage {
        driftlab_version: crate::VERSION.to_string(),
        created: options.created.clone(),
        dataset_fingerprint: format!("{:016x}", reference.fingerprint()),
        model_kind: imported.model.model_kind().name().to_string(),
        params: json!({
            "source": "imported from ONNX",
            "onnx": {
                "producer_name": model.producer_name.clone().unwrap_or_default(),
                "producer_version": model.producer_version.clone().unwrap_or_default(),
                "content_hash": format!("fnv1a64:{:016x}", crate::artifact::fnv1a64(onnx_bytes)),
                "ir_version": model.ir_version.unwrap_or(0),
                "opsets": opsets,
                "graph": g.name.clone().unwrap_or_default(),
                "operators": imported.operators,
            }
        }),
        seed: 0,
        test_fraction: 0.0,
        train_rows: reference.rows(),
        test_rows: 0,
        parent: None,
    };
    let artifact = Artifact::new(
        reference,
        imported.pipeline,
        imported.model,
        imported.classes,
        profile,
        None,
        lineage,
    )?;
    if own.is_some() {
        own::check(&model, &artifact)?;
    } else if ours {
        stripped::verify(&model, &artifact)?;
    }
    Ok(artifact)
}

/// Whether an artifact was made by [`import_model`] (its lineage says so).
pub fn is_imported(artifact: &Artifact) -> bool {
    artifact
        .lineage
        .params
        .get("source")
        .and_then(|s| s.as_str())
        == Some("imported from ONNX")
}

/// The operators the import reads, for errors and the docs.
pub const SUPPORTED: &str =
    "ai.onnx.ml: Scaler, Imputer, OneHotEncoder, LabelEncoder (on labels), \
ArrayFeatureExtractor, FeatureVectorizer, ZipMap, CastMap, Normalizer (L1, L2, MAX just before the model; L1 after probabilities), \
Binarizer (after the Scaler), LabelEncoder (text input to numbers), \
LinearClassifier, LinearRegressor, SVMRegressor (linear, RBF, polynomial), \
SVMClassifier (scikit-learn's SVC with probabilities: linear, RBF, polynomial of degree 2 or 3), \
TreeEnsembleClassifier, TreeEnsembleRegressor, TreeEnsemble (opset 5: a regressor); default domain: Cast, Concat, Gemm, \
MatMul, Add, Mul, Sub, Div (constant shifts and scales of features; Sub also as 1 − p), Gather (columns), Relu, Tanh, Sigmoid, Softmax, Identity, Reshape, Flatten, \
ArgMax, Constant";
