//! ONNX export: an [`Artifact`] — its fitted pipeline and its model — as one ONNX graph
//! that onnxruntime (or any ONNX runtime with the `ai.onnx.ml` operators) scores as
//! driftlab does.
//!
//! # The graph's contract
//!
//! **Inputs: one per raw column**, named as the column, shaped `[N, 1]` — skl2onnx's
//! convention for a `ColumnTransformer` pipeline over a table of mixed types, which is
//! what an onnxruntime user of a tabular model feeds (`{age: Float64Array, city: [...]}`).
//! A column with the numeric step (numbers, and booleans as 1 or 0) is a `double` tensor,
//! a missing cell NaN; a one-hot encoded column is a `string` tensor, a missing cell the
//! empty string. Inputs are double, not float, so that the pipeline computes on the very
//! numbers driftlab computes on: a float input would round a raw value (an amount of
//! 1234.56) before a tree compares it with its threshold.
//!
//! **Outputs**, named as skl2onnx names them (with `zipmap=False`):
//!
//! | task | outputs |
//! | --- | --- |
//! | classification | `label` (string `[N]`: the class label), `probabilities` (float `[N, k]`, in the artifact's class order) |
//! | regression | `variable` (float `[N, 1]`) |
//! | clustering | `label` (int64 `[N]`: the cluster), `scores` (float `[N, k]`: the Euclidean distance to each centroid) |
//!
//! Opsets: the default domain at 19 (string `Equal` for the one-hot encoding) and
//! `ai.onnx.ml` at 3 (the tree ensembles' double `*_as_tensor` attributes); IR version 9.
//!
//! # Pipeline and families
//!
//! | driftlab | ONNX |
//! | --- | --- |
//! | numeric step: impute (NaN and ±∞), then `(x − center) / scale` | `IsNaN`, `IsInf`, `Or`, `Where`, `Sub`, `Div` (double) |
//! | one-hot step: a missing category imputed, unseen ones all zeros | `Equal` with `""`, `Where`, `Equal` against the categories, `Cast` |
//! | crosses `x²`, `x·y`, `sin x` | `Slice`, `Mul`, `Sin` (appended after the columns' features, as in driftlab) |
//! | numeric step's `binarize` threshold | `Greater` and `Cast` to double (onnxruntime has no double kernel for ONNX-ML's Binarizer) |
//! | ordinal step | ONNX-ML's `LabelEncoder` (`keys_strings` → `values_floats`, `default_float`), `Cast` to double; refused when a code is not exact in `float32` |
//! | row norm (`normalize`) | `ReduceL1`, `ReduceL2` or `ReduceMax` over the features, a norm of 0 or not finite replaced by 1, `Div` (double: ONNX-ML's Normalizer outputs floats) |
//! | logistic (two classes, multinomial) | `LinearClassifier` (`LOGISTIC` over `±w`, `SOFTMAX`) |
//! | linear, ridge, lasso, elastic net | `LinearRegressor` |
//! | tree | `TreeEnsembleRegressor` with one target per class (the leaf's class distribution) |
//! | forest | `TreeEnsembleRegressor` voting 1 per tree (soft voting: the leaf's class distribution), `Div` by the number of trees |
//! | boosting | `TreeEnsembleRegressor` (base values, missing-value tracking), then `Sigmoid` (as `[1 − p, p]`) or `Softmax` |
//! | gaussian-nb | `Unsqueeze`, `Sub`, `Mul`, `ReduceSum`, `Softmax` (double) |
//! | kmeans | the same distances, `ArgMin`, `Sqrt` |
//! | mlp | `Gemm` and `Tanh`/`Relu`/`Sigmoid` per layer, `Softmax` (double) |
//! | svm (linear, Gaussian, polynomial kernels) | `MatMul` over the stacked support vectors (`Exp` of the distances, or `Pow` of the dot products), Platt's `Sigmoid`, the one-vs-rest normalisation (double) |
//! | knn | the distance to every stored row, `TopK` (ties to the lower index, as driftlab), `Gather` of their targets, the vote fractions or the mean (double) |
//!
//! The class label is `Gather(classes, ArgMax(probabilities))`. The trees are written as
//! regressors rather than `TreeEnsembleClassifier` because onnxruntime's classifier
//! post-processes two-class ensembles in its own way (it fills in the second class from the
//! first); the regressor's sums are exactly the numbers driftlab adds, and the link after it
//! is written out.
//!
//! The model's metadata names the artifact's hash, its kind and target, and carries the
//! artifact itself as JSON ([`MODEL_KEY`]): `driftlab import` reads a
//! file driftlab wrote back from that entry, once it has checked that the entry exports to
//! the file's graph (`crate::onnx::import`'s `own.rs`); a file that lost the entry is
//! read from its graph, these subgraphs recognised (`stripped/`). It doubles the file for the tree
//! families (the trees are written twice, and the artifact's profile with them: 86,626 →
//! 181,534 B for the 100-tree forest of `tests/onnx/` on fraud) — the cost of an exact
//! round trip.
//!
//! A column whose unseen-category policy is `error` is refused ([`ExportError::Step`]):
//! ONNX cannot refuse one row of a batch, so the graph would score rows driftlab refuses.
//!
//! # Float and double: how close onnxruntime comes
//!
//! The `ai.onnx.ml` operators compute in float (32 bits): `LinearClassifier` and
//! `LinearRegressor` keep their coefficients as floats, and every tree ensemble's output
//! is a float tensor. The pipeline, the networks, naive Bayes and k-means are written with
//! double tensors and are cast to float only at the output. What that means:
//!
//! - **Trees route every row as driftlab does**: the features are computed in double and
//!   the thresholds are double (`nodes_values_as_tensor`), so the comparison is the same;
//!   only the leaf sums are rounded to float at the end (a relative 6·10⁻⁸).
//! - **Linear models** differ by the float rounding of the weights and the float dot
//!   product: about 10⁻⁷ of the largest term, so a logistic probability moves by less than
//!   10⁻⁶ unless the logit is in the hundreds (where the probability is 0 or 1 anyway).
//! - **Outputs** are float: a probability is within 6·10⁻⁸ of driftlab's double; a
//!   regressor's value within a relative 6·10⁻⁸ after the computation above.
//! - **Labels** follow the probabilities; where two classes' probabilities are closer than
//!   float can tell (a tie to 10⁻⁷), onnxruntime may name the other one.
//!
//! `tests/onnx/export.test.mjs` holds onnxruntime (onnxruntime-node 1.31.1, from npm) to
//! driftlab's probabilities within 1e-6 on every row of every exported family, trained on
//! bundled datasets with imputation, scaling and one-hot encoding in the pipeline. Measured
//! there (29 models of the 13 kinds, 17,336 rows; with two scikit-learn forests imported
//! and exported again, 17,456), the largest differences are 2.0·10⁻⁷ for logistic
//! regression (probabilities) and the linear family (relative), under 10⁻⁷ for the
//! trees, the forests, boosting, the networks, naive Bayes, the SVMs and kNN; every label
//! agrees.

mod families;
mod graph;

use crate::artifact::Artifact;
use crate::onnx::proto::{
    tensor_proto::DataType, GraphProto, ModelProto, OperatorSetIdProto, StringStringEntryProto,
};
use crate::prep::{FittedCross, FittedPipeline, FittedStep, Norm, Unseen};
use families::{cast, Scores};
use graph::{int, value_info, Graph, ML};

/// The default domain's opset the graphs import.
pub const OPSET: i64 = 19;
/// The `ai.onnx.ml` opset the graphs import.
pub const ML_OPSET: i64 = 3;
/// The ONNX IR version written.
pub const IR_VERSION: i64 = 9;
/// The metadata entry that carries the artifact as JSON, so that the import reads
/// driftlab's own export back exactly (`crate::onnx::import`
/// checks the graph against it).
pub const MODEL_KEY: &str = "driftlab.model";

/// Why an artifact cannot be exported to ONNX.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A pipeline step ONNX cannot express, or a column name the graph cannot take.
    #[error("column {column:?} cannot be exported to ONNX: {why}")]
    Step {
        /// The column.
        column: String,
        /// Why, and the fix.
        why: String,
    },
}

/// The output names of each task (skl2onnx's).
fn output_names(artifact: &Artifact) -> &'static [&'static str] {
    use crate::score::Task;
    match artifact.model.task() {
        Task::Classification => &["label", "probabilities"],
        Task::Regression => &["variable"],
        Task::Clustering => &["label", "scores"],
    }
}

/// The artifact as an ONNX model (see the module docs for the graph's contract).
pub fn export(artifact: &Artifact) -> Result<ModelProto, ExportError> {
    let outputs = output_names(artifact);
    let pipeline = &artifact.pipeline;
    if let Some(c) = pipeline
        .inputs
        .iter()
        .find(|c| outputs.contains(&c.name.as_str()))
    {
        return Err(ExportError::Step {
            column: c.name.clone(),
            why: format!(
                "the graph's outputs are named {}, and an input cannot share an output's name: rename the column and train again",
                outputs.join(" and ")
            ),
        });
    }
    let mut g = Graph::new(
        pipeline
            .inputs
            .iter()
            .map(|c| c.name.clone())
            .chain(outputs.iter().map(|s| s.to_string())),
    );
    let (inputs, x) = features(&mut g, pipeline)?;
    let p = pipeline.features.len();
    let scores = families::scores(&mut g, &x, p, &artifact.model);
    let mut out = Vec::new();
    match scores {
        Scores::Classes {
            probabilities,
            double,
            votes,
        } => {
            let k = artifact.classes.len();
            // the class index: the most probable class, or the SVMClassifier's vote winner
            let index = votes.unwrap_or_else(|| {
                g.op(
                    "ArgMax",
                    &[&probabilities],
                    vec![int("axis", 1), int("keepdims", 0)],
                )
            });
            let classes = g.strings("classes", &[k], &artifact.classes);
            g.node_into(
                "",
                "Gather",
                &[&classes, &index],
                &["label".into()],
                vec![int("axis", 0)],
            );
            let probabilities = if double {
                cast(&mut g, &probabilities, DataType::Float)
            } else {
                probabilities
            };
            g.node_into(
                "",
                "Identity",
                &[&probabilities],
                &["probabilities".into()],
                vec![],
            );
            out.push(value_info("label", DataType::String, None));
            out.push(value_info("probabilities", DataType::Float, Some(k)));
        }
        Scores::Value(v) => {
            g.node_into("", "Identity", &[&v], &["variable".into()], vec![]);
            out.push(value_info("variable", DataType::Float, Some(1)));
        }
        Scores::Clusters { label, scores } => {
            let k = artifact.model.n_outputs();
            g.node_into("", "Identity", &[&label], &["label".into()], vec![]);
            g.node_into("", "Identity", &[&scores], &["scores".into()], vec![]);
            out.push(value_info("label", DataType::Int64, None));
            out.push(value_info("scores", DataType::Float, Some(k)));
        }
    }
    let kind = artifact.model.model_kind().name();
    let graph = GraphProto {
        node: g.nodes,
        name: Some(format!("driftlab_{}", kind.replace('-', "_"))),
        initializer: g.initializers,
        doc_string: Some(format!(
            "A driftlab {kind} model and its fitted pipeline, exported from the artifact {}.",
            artifact.hash
        )),
        input: inputs,
        output: out,
        ..GraphProto::default()
    };
    let meta = |key: &str, value: &str| StringStringEntryProto {
        key: Some(key.to_string()),
        value: Some(value.to_string()),
    };
    Ok(ModelProto {
        ir_version: Some(IR_VERSION),
        opset_import: vec![
            OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(OPSET),
            },
            OperatorSetIdProto {
                domain: Some(ML.to_string()),
                version: Some(ML_OPSET),
            },
        ],
        producer_name: Some("driftlab".into()),
        producer_version: Some(env!("CARGO_PKG_VERSION").into()),
        domain: Some("driftlab".into()),
        model_version: Some(i64::from(artifact.version)),
        doc_string: Some(format!("driftlab {kind} model")),
        graph: Some(graph),
        metadata_props: vec![
            meta("driftlab.artifact_hash", &artifact.hash),
            meta("driftlab.model_kind", kind),
            meta(
                "driftlab.target",
                artifact.schema.target.as_deref().unwrap_or(""),
            ),
            meta(MODEL_KEY, &embedded(artifact)),
        ],
        ..ModelProto::default()
    })
}

/// The artifact as the [`MODEL_KEY`] entry holds it (serialising it cannot fail; an empty
/// entry would be refused by the import).
fn embedded(artifact: &Artifact) -> String {
    serde_json::to_string(artifact).unwrap_or_default()
}

/// The artifact as ONNX bytes (the protobuf of [`export`]).
pub fn to_bytes(artifact: &Artifact) -> Result<Vec<u8>, ExportError> {
    Ok(crate::onnx::encode_model(&export(artifact)?))
}

/// The graph inputs (one per column) and the nodes that turn them into the feature matrix
/// `[N, p]` (double), returning its name.
fn features(
    g: &mut Graph,
    pipeline: &FittedPipeline,
) -> Result<(Vec<crate::onnx::proto::ValueInfoProto>, String), ExportError> {
    let mut inputs = Vec::new();
    let mut parts = Vec::new();
    for column in &pipeline.inputs {
        let x = column.name.as_str();
        match &column.step {
            FittedStep::Numeric {
                fill,
                center,
                scale,
                keep,
                binarize,
                ..
            } => {
                // a kept column's missing cells stay NaN, for the trees' learned sides
                let fill = if *keep { f64::NAN } else { *fill };
                inputs.push(value_info(x, DataType::Double, Some(1)));
                let nan = g.op("IsNaN", &[x], vec![]);
                let inf = g.op("IsInf", &[x], vec![]);
                let bad = g.op("Or", &[&nan, &inf], vec![]);
                let fill = g.doubles("fill", &[], &[fill]);
                let v = g.op("Where", &[&bad, &fill, x], vec![]);
                let center = g.doubles("center", &[], &[*center]);
                let v = g.op("Sub", &[&v, &center], vec![]);
                let scale = g.doubles("scale", &[], &[*scale]);
                let v = g.op("Div", &[&v, &scale], vec![]);
                parts.push(match binarize {
                    // ONNX-ML's Binarizer has no double kernel in onnxruntime: x > t as 1 or 0
                    Some(t) => {
                        let t = g.doubles("threshold", &[], &[*t]);
                        let above = g.op("Greater", &[&v, &t], vec![]);
                        cast(g, &above, DataType::Double)
                    }
                    None => v,
                });
            }
            FittedStep::Ordinal {
                categories,
                codes,
                default,
            } => {
                // ONNX-ML's LabelEncoder (opset 2) maps strings to floats: the codes must
                // be floats exactly for the graph to compute driftlab's numbers
                let exact = |v: f64| f64::from(v as f32) == v;
                if !codes.iter().all(|&c| exact(c)) || !exact(*default) {
                    return Err(ExportError::Step {
                        column: column.name.clone(),
                        why: "its ordinal codes are not all exact as 32-bit floats, which ONNX-ML's LabelEncoder writes: number the categories with whole numbers below 2^24".into(),
                    });
                }
                inputs.push(value_info(x, DataType::String, Some(1)));
                let keys: Vec<&str> = categories.iter().map(String::as_str).collect();
                let coded = g.node(
                    ML,
                    "LabelEncoder",
                    &[x],
                    1,
                    vec![
                        graph::strings("keys_strings", &keys),
                        graph::floats("values_floats", codes.iter().map(|&c| c as f32).collect()),
                        graph::float("default_float", *default as f32),
                    ],
                );
                parts.push(cast(g, &coded[0], DataType::Double));
            }
            FittedStep::OneHot {
                fill,
                categories,
                unseen,
            } => {
                if *unseen == Unseen::Error {
                    return Err(ExportError::Step {
                        column: column.name.clone(),
                        why: "its pipeline refuses unseen categories, and an ONNX graph cannot refuse one row of a batch: set the column's unseen policy to ignore (unseen categories encode as zeros and are flagged) and train again".into(),
                    });
                }
                inputs.push(value_info(x, DataType::String, Some(1)));
                if categories.is_empty() {
                    continue;
                }
                let empty = g.strings("empty", &[], &[String::new()]);
                let missing = g.op("Equal", &[x, &empty], vec![]);
                let fill = g.strings("fill", &[], std::slice::from_ref(fill));
                let v = g.op("Where", &[&missing, &fill, x], vec![]);
                let cats = g.strings("categories", &[categories.len()], categories);
                let hot = g.op("Equal", &[&v, &cats], vec![]);
                parts.push(cast(g, &hot, DataType::Double));
            }
            FittedStep::Drop => {}
        }
    }
    if parts.is_empty() {
        let column = pipeline
            .inputs
            .first()
            .map_or_else(String::new, |c| c.name.clone());
        return Err(ExportError::Step {
            column,
            why: "the pipeline gives the model no features (every categorical column saw no category in training): train on rows with values".into(),
        });
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    let mut x = g.op("Concat", &refs, vec![int("axis", 1)]);
    if let Some(norm) = pipeline.normalize {
        x = normalize(g, &x, norm);
    }
    if !pipeline.crosses.is_empty() {
        let mut all = vec![x.clone()];
        for cross in &pipeline.crosses {
            all.push(cross_node(g, &x, cross));
        }
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        x = g.op("Concat", &refs, vec![int("axis", 1)]);
    }
    Ok((inputs, x))
}

/// The row norm ([`Norm`]) in double: ONNX-ML's Normalizer outputs floats, so the graph
/// divides by `ReduceL1`, `ReduceL2` or `ReduceMax` over the features, a norm that is 0 or
/// not finite replaced by 1 (driftlab leaves such a row as it is).
fn normalize(g: &mut Graph, x: &str, norm: Norm) -> String {
    let axes = g.ints("axes", &[1], &[1]);
    let reduce = match norm {
        Norm::L1 => "ReduceL1",
        Norm::L2 => "ReduceL2",
        Norm::Max => "ReduceMax",
    };
    let n = g.op(reduce, &[x, &axes], vec![int("keepdims", 1)]);
    let zero = g.doubles("zero", &[], &[0.0]);
    let is_zero = g.op("Equal", &[&n, &zero], vec![]);
    let nan = g.op("IsNaN", &[&n], vec![]);
    let inf = g.op("IsInf", &[&n], vec![]);
    let bad = g.op("Or", &[&is_zero, &nan], vec![]);
    let bad = g.op("Or", &[&bad, &inf], vec![]);
    let one = g.doubles("one", &[], &[1.0]);
    let n = g.op("Where", &[&bad, &one, &n], vec![]);
    g.op("Div", &[x, &n], vec![])
}

/// One cross: `x²`, `x·y` or `sin x` of features by index, `[N, 1]`.
fn cross_node(g: &mut Graph, x: &str, cross: &FittedCross) -> String {
    use crate::prep::CrossOp;
    let mut column = |i: usize| {
        let start = g.ints("start", &[1], &[i as i64]);
        let end = g.ints("end", &[1], &[i as i64 + 1]);
        let axis = g.ints("axis", &[1], &[1]);
        g.op("Slice", &[x, &start, &end, &axis], vec![])
    };
    let a = column(cross.of.first().copied().unwrap_or(0));
    match cross.op {
        CrossOp::Square => g.op("Mul", &[&a, &a], vec![]),
        CrossOp::Product => {
            let b = column(cross.of.get(1).copied().unwrap_or(0));
            g.op("Mul", &[&a, &b], vec![])
        }
        CrossOp::Sin => g.op("Sin", &[&a], vec![]),
    }
}

#[cfg(test)]
mod tests;
