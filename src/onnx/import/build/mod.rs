//! The walk over the sorted nodes: every value gets a meaning ([`Val`]), preprocessing
//! folds into per-feature steps ([`Feat`]), the model operator becomes a driftlab family,
//! and at the end the features become a [`FittedPipeline`] with the model remapped onto it.

use std::collections::HashMap;

use super::graph::{Graph, Node, Tensor, Values};
use super::{svm, trees, ImportError, SUPPORTED};
use crate::models::mlp::{Activation, MlpModel};
use crate::prep::{FittedColumn, FittedPipeline, FittedStep, Norm, Unseen};
use crate::score::{LinearModel, LogisticModel, Model};
use crate::table::{ColumnData, ColumnKind, Table};

mod assemble;
mod network;
mod steps;

pub(super) use assemble::range_of;
use assemble::{pipeline, remap};

/// One feature of a `[N, k]` tensor, in terms of the reference columns.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Feat {
    /// `(fill-if-missing(x) − offset) · scale` of column `col`, then, under a Binarizer,
    /// 1 when that is above `binarize` and 0 otherwise.
    Col {
        col: usize,
        fill: Option<f64>,
        offset: f64,
        scale: f64,
        binarize: Option<f64>,
    },
    /// 1 when column `col` holds `cat`, else 0.
    Ind { col: usize, cat: String },
    /// The number a LabelEncoder gives column `col`'s category (`Walk::ordinals`).
    Ord { col: usize },
}

/// A dense layer: `n_out × n_in` weights (row `j`: neuron `j`), biases, activation.
#[derive(Clone, Debug)]
struct Layer {
    n_in: usize,
    weights: Vec<f64>,
    biases: Vec<f64>,
    biased: bool,
    activation: Option<Activation>,
}

/// A network being assembled from MatMul/Gemm, Add and activations.
#[derive(Clone, Debug)]
struct Net {
    feats: Vec<Feat>,
    layers: Vec<Layer>,
}

impl Net {
    fn width(&self) -> usize {
        self.layers
            .last()
            .map_or(self.feats.len(), |l| l.biases.len())
    }
}

/// What a value means.
#[derive(Clone, Debug)]
enum Val {
    /// Numeric features, `[N, k]`.
    Feats(Vec<Feat>),
    /// Numeric features divided by the row's norm (a Normalizer): only a model reads them.
    Normed(Vec<Feat>, Norm),
    /// A categorical column as a text tensor.
    Text(usize),
    /// A constant.
    Const(Tensor),
    /// A network in assembly.
    Net(Net),
    /// A two-class network's probability of class 1 (a sigmoid output).
    Positive,
    /// `1 −` that probability.
    Negative,
    /// The model's class probabilities, as the family's scorer gives them.
    Probs,
    /// The model's predicted class.
    Label,
    /// The index of the model's predicted class (ArgMax of the probabilities).
    ArgMax,
    /// A regressor's value.
    Value,
    /// Something the model computes that driftlab's scorer does not output (why).
    Raw(String),
}

/// The model found in the graph, over the graph's features.
pub(super) struct Found {
    pub(super) model: Model,
    pub(super) feats: Vec<Feat>,
    pub(super) classes: Vec<String>,
}

/// What [`build`] returns.
pub(super) struct Imported {
    pub(super) pipeline: FittedPipeline,
    pub(super) model: Model,
    pub(super) classes: Vec<String>,
    /// The operators of the graph, in order, for the lineage.
    pub(super) operators: Vec<String>,
}

struct Walk<'g> {
    vals: HashMap<&'g str, Val>,
    found: Option<Found>,
    /// Categories a OneHotEncoder declares per column (all of them, used or not).
    categories: HashMap<usize, (Vec<String>, Unseen)>,
    /// A LabelEncoder's map per column: its keys and numbers, and the default.
    ordinals: HashMap<usize, Ordinal>,
    /// The norm of the Normalizer whose output the model reads.
    norm: Option<Norm>,
}

/// A LabelEncoder on a text column: category → number, and the number of any other.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Ordinal {
    pub(super) keys: Vec<String>,
    pub(super) values: Vec<f64>,
    pub(super) default: f64,
}

/// Why an operator cannot read a Normalizer's output.
const NORMALIZED: &str = "it reads the output of a Normalizer on the inputs; driftlab divides the whole feature vector by its norm just before the model, so only the model may read it (put the Normalizer last in the scikit-learn pipeline, before the estimator)";

pub(super) fn unsupported_pub(node: &Node<'_>, why: &str) -> ImportError {
    unsupported(node, why)
}

fn unsupported(node: &Node<'_>, why: &str) -> ImportError {
    unsupported_from(node, why, SUPPORTED)
}

/// An unsupported operator, with `supported`: what the reader that met it reads.
pub(super) fn unsupported_from(node: &Node<'_>, why: &str, supported: &str) -> ImportError {
    ImportError::Unsupported {
        op: node.op.to_owned(),
        domain: if node.domain.is_empty() {
            "ai.onnx".into()
        } else {
            node.domain.to_owned()
        },
        node: node.name.clone(),
        why: if why.is_empty() {
            String::new()
        } else {
            format!(" ({why})")
        },
        supported: supported.into(),
    }
}

/// Walks the graph and assembles the pipeline and the model.
pub(super) fn build(
    graph: &Graph<'_>,
    reference: &Table,
    target: Option<&str>,
) -> Result<Imported, ImportError> {
    if let Some(t) = target {
        if reference.column(t).is_none() {
            return Err(ImportError::Inputs(format!(
                "the target {t:?} is not a column of the reference table; its columns are: {}",
                reference.column_names().join(", ")
            )));
        }
    }
    let mut walk = Walk {
        vals: HashMap::new(),
        found: None,
        categories: HashMap::new(),
        ordinals: HashMap::new(),
        norm: None,
    };
    let input_columns = bind_inputs(graph, reference, target, &mut walk)?;
    for (name, t) in &graph.constants {
        walk.vals.insert(name, Val::Const(t.clone()));
    }
    let mut operators = Vec::new();
    for node in &graph.nodes {
        if !operators.iter().any(|o| o == node.op) {
            operators.push(node.op.to_owned());
        }
        walk.node(node)?;
    }
    // the graph's outputs must be what the model's scorer gives
    for out in &graph.proto.output {
        let name = out.name.as_deref().unwrap_or("");
        match walk.vals.get(name).cloned() {
            Some(Val::Probs | Val::Label | Val::Value) => {}
            Some(Val::Net(net)) => {
                let value = walk.finish_net(net, None)?;
                walk.vals.insert(name_static(graph, name), value);
            }
            Some(Val::Raw(why)) => {
                return Err(ImportError::Graph(format!(
                    "the graph's output {name:?} is {why}, which driftlab's scorer does not compute"
                )))
            }
            Some(Val::Feats(_) | Val::Text(_) | Val::Const(_)) => {
                return Err(ImportError::Graph(format!(
                    "the graph's output {name:?} is not a model's prediction (a transformed input or a constant); the import reads graphs that end in a model"
                )))
            }
            Some(other) => {
                return Err(ImportError::Graph(format!(
                    "the graph's output {name:?} is an intermediate of the model ({other:?}), not its prediction"
                )))
            }
            None => {
                return Err(ImportError::Graph(format!(
                    "the graph's output {name:?} is made by no node"
                )))
            }
        }
    }
    let found = walk.found.take().ok_or_else(|| {
        ImportError::Graph(
            "the graph has no model operator (LinearClassifier, TreeEnsemble…, a network's MatMul/Gemm): nothing to score".into(),
        )
    })?;
    let (mut pipeline, map) = pipeline(
        reference,
        target,
        &input_columns,
        &found,
        &walk.categories,
        &walk.ordinals,
    )?;
    if let Some(norm) = walk.norm {
        // the norm is the same over any order of the features, but not over a feature
        // read twice or one the graph leaves out
        let mut sorted = map.clone();
        sorted.sort_unstable();
        if !sorted.iter().copied().eq(0..pipeline.width()) {
            return Err(ImportError::Graph(format!(
                "the Normalizer divides {} features by their norm, but the columns' steps make {} (a column read twice, or a category the graph leaves out); driftlab normalises the whole feature vector its columns make",
                map.len(),
                pipeline.width()
            )));
        }
        pipeline.normalize = Some(norm);
    }
    let model = remap(found.model, &map, pipeline.width())?;
    Ok(Imported {
        pipeline,
        model,
        classes: found.classes,
        operators,
    })
}

/// The `'g` name of an output (the key the walk stores it under).
fn name_static<'g>(graph: &Graph<'g>, name: &str) -> &'g str {
    graph
        .proto
        .output
        .iter()
        .filter_map(|o| o.name.as_deref())
        .find(|n| *n == name)
        .unwrap_or("")
}

/// Ties the graph's inputs to the reference columns (see the module docs for the rule);
/// returns the columns the graph reads, in order.
fn bind_inputs<'g>(
    graph: &Graph<'g>,
    reference: &Table,
    target: Option<&str>,
    walk: &mut Walk<'g>,
) -> Result<Vec<usize>, ImportError> {
    use crate::onnx::proto::type_proto::Value as Ty;
    let inputs: Vec<_> = graph
        .proto
        .input
        .iter()
        .filter(|v| {
            !graph
                .constants
                .contains_key(v.name.as_deref().unwrap_or(""))
        })
        .collect();
    if inputs.is_empty() {
        return Err(ImportError::Inputs("the graph has no inputs".into()));
    }
    let elem_and_width = |v: &crate::onnx::proto::ValueInfoProto| match v
        .r#type
        .as_ref()
        .and_then(|t| t.value.as_ref())
    {
        Some(Ty::TensorType(t)) => {
            let width = t.shape.as_ref().and_then(|s| {
                use crate::onnx::proto::tensor_shape_proto::dimension::Value as D;
                match s.dim.len() {
                    2 => match s.dim[1].value {
                        Some(D::DimValue(w)) => usize::try_from(w).ok(),
                        _ => None,
                    },
                    1 => Some(1),
                    _ => None,
                }
            });
            Some((t.elem_type.unwrap_or(0), width))
        }
        _ => None,
    };
    let names: Vec<&str> = reference
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| Some(*n) != target)
        .collect();
    let by_name = inputs
        .iter()
        .all(|v| names.contains(&v.name.as_deref().unwrap_or("")));
    let mut used = Vec::new();
    if by_name {
        for v in &inputs {
            let name = v.name.as_deref().unwrap_or("");
            let col = reference
                .columns()
                .iter()
                .position(|c| c.name == name)
                .unwrap_or(0);
            let (elem, width) = elem_and_width(v).ok_or_else(|| {
                ImportError::Inputs(format!("graph input {name:?} is not a tensor"))
            })?;
            if width.is_some_and(|w| w != 1) {
                return Err(ImportError::Inputs(format!(
                    "graph input {name:?} is named after a reference column but is {} wide; one input per column must be one value wide",
                    width.unwrap_or(0)
                )));
            }
            let kind = reference.columns()[col].kind();
            let val = if elem == 8 {
                if kind != ColumnKind::Categorical {
                    return Err(ImportError::Inputs(format!(
                        "graph input {name:?} is text but reference column {name:?} is {kind}: give a CSV where that column holds categories"
                    )));
                }
                Val::Text(col)
            } else {
                numeric_column(reference, col)?;
                Val::Feats(vec![plain(col)])
            };
            walk.vals.insert(name_of(graph, name), val);
            used.push(col);
        }
        return Ok(used);
    }
    if inputs.len() != 1 {
        let missing: Vec<&str> = inputs
            .iter()
            .filter_map(|v| v.name.as_deref())
            .filter(|n| !names.contains(n))
            .collect();
        return Err(ImportError::Inputs(format!(
            "the graph has {} inputs ({}) and the reference has no column named {}; give one input per column named after the columns, or one numeric input as wide as the reference's columns besides the target",
            inputs.len(),
            inputs.iter().filter_map(|v| v.name.as_deref()).collect::<Vec<_>>().join(", "),
            missing.join(", ")
        )));
    }
    let v = inputs[0];
    let name = v.name.as_deref().unwrap_or("");
    let (elem, width) = elem_and_width(v)
        .ok_or_else(|| ImportError::Inputs(format!("graph input {name:?} is not a tensor")))?;
    if !matches!(elem, 1 | 6 | 7 | 11) {
        return Err(ImportError::Inputs(format!(
            "graph input {name:?} has element type {elem}; one input for all columns must be numeric (float, double, int32, int64); a text input must be named after its reference column"
        )));
    }
    if let Some(w) = width {
        if w != names.len() {
            return Err(ImportError::Inputs(format!(
                "graph input {name:?} is {w} values wide, and the reference has {} columns besides the target ({}): the rule is one numeric column per value, in order — give a CSV with the model's {w} input columns{}",
                names.len(),
                names.join(", "),
                if target.is_none() { " (and name the target column with --target if it has one)" } else { "" }
            )));
        }
    }
    let mut feats = Vec::new();
    for (col, c) in reference.columns().iter().enumerate() {
        if Some(c.name.as_str()) == target {
            continue;
        }
        numeric_column(reference, col)?;
        feats.push(plain(col));
        used.push(col);
    }
    walk.vals.insert(name_of(graph, name), Val::Feats(feats));
    Ok(used)
}

fn name_of<'g>(graph: &Graph<'g>, name: &str) -> &'g str {
    graph
        .proto
        .input
        .iter()
        .filter_map(|o| o.name.as_deref())
        .find(|n| *n == name)
        .unwrap_or("")
}

fn plain(col: usize) -> Feat {
    Feat::Col {
        col,
        fill: None,
        offset: 0.0,
        scale: 1.0,
        binarize: None,
    }
}

fn numeric_column(reference: &Table, col: usize) -> Result<(), ImportError> {
    let c = &reference.columns()[col];
    match c.kind() {
        ColumnKind::Numeric | ColumnKind::Boolean => Ok(()),
        ColumnKind::Categorical => Err(ImportError::Inputs(format!(
            "reference column {:?} holds categories, but the graph reads it as a number; give the CSV the model was trained on (numbers in that column), or a graph with one text input named {:?}",
            c.name, c.name
        ))),
    }
}

impl<'g> Walk<'g> {
    fn get(&self, node: &Node<'g>, i: usize) -> Result<Val, ImportError> {
        let name = node
            .input(i)
            .ok_or_else(|| node.bad(format!("input {} is missing", i + 1)))?;
        self.vals
            .get(name)
            .cloned()
            .ok_or_else(|| node.bad(format!("reads {name:?}, which has no value")))
    }

    fn set(&mut self, node: &Node<'g>, i: usize, v: Val) {
        if let Some(o) = node.proto.output.get(i).filter(|o| !o.is_empty()) {
            self.vals.insert(o.as_str(), v);
        }
    }

    /// The features a model operator reads: plain, or a Normalizer's (whose norm the
    /// pipeline then ends with).
    fn model_feats(&mut self, node: &Node<'g>, i: usize) -> Result<Vec<Feat>, ImportError> {
        match self.get(node, i)? {
            Val::Normed(f, norm) => {
                self.norm = Some(norm);
                Ok(f)
            }
            _ => self.feats(node, i),
        }
    }

    fn feats(&self, node: &Node<'g>, i: usize) -> Result<Vec<Feat>, ImportError> {
        match self.get(node, i)? {
            Val::Feats(f) => Ok(f),
            Val::Normed(..) => Err(unsupported(node, NORMALIZED)),
            Val::Text(_) => Err(unsupported(
                node,
                "it reads a text column; numbers are needed here",
            )),
            other => Err(unsupported(
                node,
                &format!("it reads {}, not input features", describe(&other)),
            )),
        }
    }

    fn constant(&self, node: &Node<'g>, i: usize) -> Result<Tensor, ImportError> {
        match self.get(node, i)? {
            Val::Const(t) => Ok(t),
            other => Err(unsupported(
                node,
                &format!(
                    "input {} must be a constant, it is {}",
                    i + 1,
                    describe(&other)
                ),
            )),
        }
    }

    fn found(&mut self, node: &Node<'g>, f: Found) -> Result<(), ImportError> {
        if self.found.is_some() {
            return Err(unsupported(
                node,
                "the graph already has a model; the import reads one model per graph (no stacking or ensembles of models)",
            ));
        }
        self.found = Some(f);
        Ok(())
    }

    fn node(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        match (node.domain, node.op) {
            ("", "Identity" | "Cast" | "Flatten" | "Reshape")
            | ("ai.onnx.ml", "ZipMap" | "CastMap") => {
                let v = self.get(node, 0)?;
                if let Val::Text(_) = v {
                    if node.op == "Cast" && node.int("to", 8) != 8 {
                        return Err(unsupported(node, "it casts a text column to numbers"));
                    }
                }
                if let Val::Net(net) = &v {
                    if node.op != "Identity" && node.op != "Cast" && net.width() == 0 {
                        return Err(node.bad("empty network"));
                    }
                }
                self.set(node, 0, v);
            }
            ("", "Constant") => {
                let t = node
                    .tensor_attribute("value")
                    .ok_or_else(|| unsupported(node, "only a Constant with a tensor `value`"))?;
                let t = super::graph::tensor(t, &node.name)?;
                self.set(node, 0, Val::Const(t));
            }
            ("ai.onnx.ml", "Imputer") => self.imputer(node)?,
            ("ai.onnx.ml", "Scaler") => self.scaler(node)?,
            ("ai.onnx.ml", "OneHotEncoder") => self.one_hot(node)?,
            ("ai.onnx.ml", "FeatureVectorizer") | ("", "Concat") => self.concat(node)?,
            ("ai.onnx.ml", "ArrayFeatureExtractor") => self.extract(node)?,
            ("", "Gather") if matches!(node.int("axis", 0), 1 | -1) => self.extract(node)?,
            ("ai.onnx.ml", "Normalizer") => {
                let norm = node.string("norm", "MAX")?;
                if !matches!(norm.as_str(), "MAX" | "L1" | "L2") {
                    return Err(node.bad(format!(
                        "norm {norm:?} is none of ONNX's MAX, L1 and L2; the file is damaged or not an ONNX-ML graph"
                    )));
                }
                match self.get(node, 0)? {
                    Val::Probs if norm == "L1" => self.set(node, 0, Val::Probs),
                    Val::Raw(why) => {
                        return Err(unsupported(
                            node,
                            &format!("it normalises {why}, which no driftlab family computes"),
                        ))
                    }
                    Val::Feats(f) => {
                        let norm = match norm.as_str() {
                            "L1" => Norm::L1,
                            "L2" => Norm::L2,
                            _ => Norm::Max,
                        };
                        self.set(node, 0, Val::Normed(f, norm));
                    }
                    other => {
                        return Err(unsupported(
                            node,
                            &format!(
                                "it normalises {}; it is read on input features (before the model) or on class probabilities (L1)",
                                describe(&other)
                            ),
                        ))
                    }
                }
            }
            ("ai.onnx.ml", "Binarizer") => self.binarizer(node)?,
            ("ai.onnx.ml", "LabelEncoder") => match self.get(node, 0)? {
                Val::Text(col) => self.ordinal(node, col)?,
                Val::Label => {
                    let found = self
                        .found
                        .as_mut()
                        .ok_or_else(|| node.bad("relabels a label before any model"))?;
                    relabel(node, &mut found.classes)?;
                    self.set(node, 0, Val::Label);
                }
                other => {
                    return Err(unsupported(
                        node,
                        &format!(
                            "it encodes {}; it is read on a text input (an OrdinalEncoder) or on a classifier's labels",
                            describe(&other)
                        ),
                    ))
                }
            },
            ("ai.onnx.ml", "LinearClassifier") => self.linear_classifier(node)?,
            ("ai.onnx.ml", "LinearRegressor") => self.linear_regressor(node)?,
            ("ai.onnx.ml", "TreeEnsembleClassifier" | "TreeEnsembleRegressor" | "TreeEnsemble") => {
                let feats = self.model_feats(node, 0)?;
                let (found, outputs) = trees::ensemble(node, feats)?;
                self.found(node, found)?;
                for (i, v) in outputs.into_iter().enumerate() {
                    self.set(node, i, v.into_val());
                }
            }
            ("ai.onnx.ml", "SVMClassifier" | "SVMRegressor") => {
                let feats = self.model_feats(node, 0)?;
                let (found, outputs) = svm::svm(node, feats)?;
                self.found(node, found)?;
                for (i, v) in outputs.into_iter().enumerate() {
                    self.set(node, i, v.into_val());
                }
            }
            ("", "MatMul" | "Gemm") => self.matmul(node)?,
            ("", "Add") => self.add(node)?,
            ("", "Mul") => self.mul(node)?,
            ("", "Relu" | "Tanh" | "Sigmoid") => self.activation(node)?,
            ("", "Softmax") => match self.get(node, 0)? {
                Val::Net(net) => {
                    let v = self.finish_net(net, Some(node))?;
                    self.set(node, 0, v);
                }
                Val::Probs => self.set(node, 0, Val::Probs),
                other => {
                    return Err(unsupported(
                        node,
                        &format!("it reads {}, not a network's outputs", describe(&other)),
                    ))
                }
            },
            ("", "Sub" | "Div") if self.affine(node)? => {}
            ("", "Sub") => {
                match (self.get(node, 0)?, self.positive(node, 1)?) {
                    (Val::Const(c), Val::Positive)
                        if c.numbers(&node.name)?.iter().all(|&v| v == 1.0) =>
                    {
                        self.set(node, 0, Val::Negative)
                    }
                    _ => return Err(unsupported(
                        node,
                        "Sub is read only as 1 − p, the other class's probability after a sigmoid",
                    )),
                }
            }
            ("", "ArgMax") => match self.get(node, 0)? {
                Val::Probs if node.int("axis", 0) == 1 || node.int("axis", 0) == -1 => {
                    self.set(node, 0, Val::ArgMax)
                }
                _ => {
                    return Err(unsupported(
                        node,
                        "ArgMax is read over class probabilities (axis 1)",
                    ))
                }
            },
            _ => return Err(unsupported(node, "")),
        }
        Ok(())
    }

    /// Input `i`, where a one-output network ending in a sigmoid becomes the model (its
    /// output, the probability of class 1, is then read as such everywhere).
    fn positive(&mut self, node: &Node<'g>, i: usize) -> Result<Val, ImportError> {
        match self.get(node, i)? {
            Val::Net(net)
                if net.layers.last().is_some_and(|l| {
                    l.activation == Some(Activation::Sigmoid) && l.biases.len() == 1
                }) =>
            {
                let v = self.finish_net(net, None)?;
                if let Some(name) = node.input(i) {
                    if let Some(slot) = self.vals.get_mut(name) {
                        *slot = v.clone();
                    }
                }
                Ok(v)
            }
            v => Ok(v),
        }
    }

    fn linear_classifier(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let feats = self.model_feats(node, 0)?;
        let p = feats.len();
        let coef = node.floats("coefficients")?;
        let intercepts = node.floats("intercepts")?;
        let classes = class_labels(node)?;
        let post = node.string("post_transform", "NONE")?;
        let k = classes.len();
        if p == 0 || coef.len() % p != 0 {
            return Err(node.bad(format!(
                "{} coefficients are not a whole number of rows of {p} features",
                coef.len()
            )));
        }
        let rows = coef.len() / p;
        if !intercepts.is_empty() && intercepts.len() != rows {
            return Err(node.bad(format!(
                "{} intercepts for {rows} coefficient rows",
                intercepts.len()
            )));
        }
        let b = |r: usize| intercepts.get(r).copied().unwrap_or(0.0);
        let row = |r: usize| &coef[r * p..(r + 1) * p];
        let model = match (k, rows, post.as_str()) {
            (2, 1, "LOGISTIC") => LogisticModel {
                n_classes: 2,
                weights: row(0).to_vec(),
                intercepts: vec![b(0)],
                positive: 1,
            },
            (2, 2, "LOGISTIC")
                if row(0).iter().zip(row(1)).all(|(a, c)| *a == -c) && b(0) == -b(1) =>
            {
                LogisticModel {
                    n_classes: 2,
                    weights: row(1).to_vec(),
                    intercepts: vec![b(1)],
                    positive: 1,
                }
            }
            (k, r, "SOFTMAX") if k >= 2 && r == k => {
                // class-major (ONNX) to feature-major (driftlab)
                let mut weights = vec![0.0; p * k];
                for c in 0..k {
                    for f in 0..p {
                        weights[f * k + c] = coef[c * p + f];
                    }
                }
                LogisticModel {
                    n_classes: k,
                    weights,
                    intercepts: (0..k).map(b).collect(),
                    positive: 0,
                }
            }
            (k, r, "LOGISTIC") if k > 2 && r == k => {
                self.set(node, 0, Val::Raw("a one-vs-rest classifier's labels".into()));
                self.set(
                    node,
                    1,
                    Val::Raw("one-vs-rest sigmoids (multi_class='ovr'); driftlab's logistic family is multinomial (softmax)".into()),
                );
                return Ok(());
            }
            (_, _, "NONE") => {
                self.set(node, 0, Val::Raw("the labels of a linear classifier without probabilities".into()));
                self.set(
                    node,
                    1,
                    Val::Raw("raw decision scores without probabilities (a linear SVM or a classifier with post_transform NONE)".into()),
                );
                return Ok(());
            }
            _ => {
                return Err(unsupported(
                    node,
                    &format!(
                        "{k} classes, {rows} coefficient rows and post_transform {post}; read are: two classes with LOGISTIC, two or more with SOFTMAX"
                    ),
                ))
            }
        };
        self.found(
            node,
            Found {
                model: Model::Logistic(model),
                feats,
                classes,
            },
        )?;
        self.set(node, 0, Val::Label);
        self.set(node, 1, Val::Probs);
        Ok(())
    }

    fn linear_regressor(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let feats = self.model_feats(node, 0)?;
        let coef = node.floats("coefficients")?;
        let intercepts = node.floats("intercepts")?;
        if node.int("targets", 1) != 1 || coef.len() != feats.len() || intercepts.len() > 1 {
            return Err(unsupported(
                node,
                &format!(
                    "{} coefficients for {} features and {} targets; one target is read",
                    coef.len(),
                    feats.len(),
                    node.int("targets", 1)
                ),
            ));
        }
        if node.string("post_transform", "NONE")? != "NONE" {
            return Err(unsupported(
                node,
                "a regressor's post_transform must be NONE",
            ));
        }
        self.found(
            node,
            Found {
                model: Model::Linear(LinearModel {
                    weights: coef,
                    intercept: intercepts.first().copied().unwrap_or(0.0),
                }),
                feats,
                classes: Vec::new(),
            },
        )?;
        self.set(node, 0, Val::Value);
        Ok(())
    }
}

/// A class label of a number: an integer without a decimal point.
fn label_of_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

/// A classifier's labels from `classlabels_strings` or `classlabels_ints` (`classlabels_int64s`).
pub(super) fn class_labels(node: &Node<'_>) -> Result<Vec<String>, ImportError> {
    let strings = node.strings("classlabels_strings")?;
    if !strings.is_empty() {
        return Ok(strings);
    }
    let ints = match node.ints("classlabels_ints") {
        [] => node.ints("classlabels_int64s"),
        v => v,
    };
    Ok(ints.iter().map(|i| i.to_string()).collect())
}

/// Applies a LabelEncoder's mapping to class labels.
fn relabel(node: &Node<'_>, classes: &mut [String]) -> Result<(), ImportError> {
    let keys: Vec<String> = match node.strings("keys_strings")? {
        v if !v.is_empty() => v,
        _ => node
            .ints("keys_int64s")
            .iter()
            .map(|i| i.to_string())
            .collect(),
    };
    let values: Vec<String> = match node.strings("values_strings")? {
        v if !v.is_empty() => v,
        _ => node
            .ints("values_int64s")
            .iter()
            .map(|i| i.to_string())
            .collect(),
    };
    if keys.len() != values.len() {
        return Err(node.bad(format!("{} keys for {} values", keys.len(), values.len())));
    }
    for c in classes.iter_mut() {
        if let Some(i) = keys.iter().position(|k| k == c) {
            *c = values[i].clone();
        }
    }
    Ok(())
}

fn describe(v: &Val) -> String {
    match v {
        Val::Feats(f) => format!("{} input features", f.len()),
        Val::Normed(f, _) => format!("{} normalised input features", f.len()),
        Val::Text(_) => "a text column".into(),
        Val::Const(_) => "a constant".into(),
        Val::Net(_) => "a network's weighted sums".into(),
        Val::Positive | Val::Negative => "a class probability".into(),
        Val::Probs => "class probabilities".into(),
        Val::Label => "predicted labels".into(),
        Val::ArgMax => "the predicted class index".into(),
        Val::Value => "a predicted value".into(),
        Val::Raw(why) => why.clone(),
    }
}

/// What a model operator's output means, as the tree and SVM readers say it.
pub(super) enum Out {
    /// Class probabilities.
    Probs,
    /// Predicted labels.
    Label,
    /// A regressor's value.
    Value,
}

impl Out {
    fn into_val(self) -> Val {
        match self {
            Out::Probs => Val::Probs,
            Out::Label => Val::Label,
            Out::Value => Val::Value,
        }
    }
}
