//! The walk over the sorted nodes: every value gets a meaning ([`Val`]), preprocessing
//! folds into per-feature steps ([`Feat`]), the model operator becomes a driftlab family,
//! and at the end the features become a [`FittedPipeline`] with the model remapped onto it.

use std::collections::HashMap;

use super::graph::{Graph, Node, Tensor, Values};
use super::{trees, ImportError, SUPPORTED};
use crate::models::mlp::{Activation, MlpModel};
use crate::prep::{FittedColumn, FittedPipeline, FittedStep, Unseen};
use crate::score::{LinearModel, LogisticModel, Model};
use crate::table::{ColumnData, ColumnKind, Table};

/// One feature of a `[N, k]` tensor, in terms of the reference columns.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Feat {
    /// `(fill-if-missing(x) − offset) · scale` of column `col`.
    Col {
        col: usize,
        fill: Option<f64>,
        offset: f64,
        scale: f64,
    },
    /// 1 when column `col` holds `cat`, else 0.
    Ind { col: usize, cat: String },
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
}

pub(super) fn unsupported_pub(node: &Node<'_>, why: &str) -> ImportError {
    unsupported(node, why)
}

fn unsupported(node: &Node<'_>, why: &str) -> ImportError {
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
        supported: SUPPORTED.into(),
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
    let (pipeline, map) = pipeline(reference, target, &input_columns, &found, &walk.categories)?;
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

    fn feats(&self, node: &Node<'g>, i: usize) -> Result<Vec<Feat>, ImportError> {
        match self.get(node, i)? {
            Val::Feats(f) => Ok(f),
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
            ("", "Identity" | "Cast" | "Flatten" | "Reshape") | ("ai.onnx.ml", "ZipMap" | "CastMap") => {
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
            ("ai.onnx.ml", "Normalizer") => match self.get(node, 0)? {
                Val::Probs if node.string("norm", "MAX")? == "L1" => self.set(node, 0, Val::Probs),
                Val::Raw(why) => {
                    return Err(unsupported(
                        node,
                        &format!("it normalises {why}, which no driftlab family computes"),
                    ))
                }
                _ => {
                    return Err(unsupported(
                        node,
                        "a Normalizer scales each row by its norm; driftlab's pipeline scales each column on its own, so only the L1 Normalizer after class probabilities (a no-op) is read",
                    ))
                }
            },
            ("ai.onnx.ml", "Binarizer") => {
                return Err(unsupported(
                    node,
                    "driftlab's pipeline has no step that turns a number into 0/1 by a threshold",
                ))
            }
            ("ai.onnx.ml", "LabelEncoder") => match self.get(node, 0)? {
                Val::Label => {
                    let found = self
                        .found
                        .as_mut()
                        .ok_or_else(|| node.bad("relabels a label before any model"))?;
                    relabel(node, &mut found.classes)?;
                    self.set(node, 0, Val::Label);
                }
                _ => {
                    return Err(unsupported(
                        node,
                        "a LabelEncoder on inputs makes ordinal codes, which driftlab's pipeline does not (it one-hot encodes categories); it is read on a classifier's labels",
                    ))
                }
            },
            ("ai.onnx.ml", "LinearClassifier") => self.linear_classifier(node)?,
            ("ai.onnx.ml", "LinearRegressor") => self.linear_regressor(node)?,
            ("ai.onnx.ml", "TreeEnsembleClassifier" | "TreeEnsembleRegressor" | "TreeEnsemble") => {
                let feats = self.feats(node, 0)?;
                let (found, outputs) = trees::ensemble(node, feats)?;
                self.found(node, found)?;
                for (i, v) in outputs.into_iter().enumerate() {
                    self.set(node, i, v.into_val());
                }
            }
            ("ai.onnx.ml", "SVMClassifier" | "SVMRegressor") => {
                let feats = self.feats(node, 0)?;
                let (found, outputs) = trees::svm(node, feats)?;
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
            ("", "Sub") => match (self.get(node, 0)?, self.positive(node, 1)?) {
                (Val::Const(c), Val::Positive) if c.numbers(&node.name)?.iter().all(|&v| v == 1.0) => {
                    self.set(node, 0, Val::Negative)
                }
                _ => {
                    return Err(unsupported(
                        node,
                        "Sub is read only as 1 − p, the other class's probability after a sigmoid",
                    ))
                }
            },
            ("", "ArgMax") => match self.get(node, 0)? {
                Val::Probs if node.int("axis", 0) == 1 || node.int("axis", 0) == -1 => {
                    self.set(node, 0, Val::ArgMax)
                }
                _ => return Err(unsupported(node, "ArgMax is read over class probabilities (axis 1)")),
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

    fn imputer(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let mut feats = self.feats(node, 0)?;
        let values = node.floats("imputed_value_floats")?;
        let replaced = node.float("replaced_value_float", f32::NAN);
        if !replaced.is_nan() {
            return Err(unsupported(
                node,
                "it replaces a number, not NaN; driftlab imputes missing values only",
            ));
        }
        if values.len() != 1 && values.len() != feats.len() {
            return Err(node.bad(format!(
                "{} imputed values for {} features",
                values.len(),
                feats.len()
            )));
        }
        for (i, f) in feats.iter_mut().enumerate() {
            let v = values[if values.len() == 1 { 0 } else { i }];
            match f {
                Feat::Col {
                    fill: fill @ None,
                    offset,
                    scale,
                    ..
                } if *offset == 0.0 && *scale == 1.0 => *fill = Some(v),
                _ => {
                    return Err(unsupported(
                        node,
                        "it imputes a feature that was already imputed, scaled or encoded; driftlab imputes raw columns",
                    ))
                }
            }
        }
        self.set(node, 0, Val::Feats(feats));
        Ok(())
    }

    fn scaler(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let mut feats = self.feats(node, 0)?;
        let offsets = node.floats("offset")?;
        let scales = node.floats("scale")?;
        let pick = |v: &[f64], i: usize, d: f64| match v.len() {
            0 => Ok(d),
            1 => Ok(v[0]),
            n if n == feats.len() => Ok(v[i]),
            n => Err(node.bad(format!("{n} values for {} features", feats.len()))),
        };
        let mut out = Vec::with_capacity(feats.len());
        for (i, f) in feats.iter().enumerate() {
            let (o, s) = (pick(&offsets, i, 0.0)?, pick(&scales, i, 1.0)?);
            match f {
                Feat::Col {
                    col,
                    fill,
                    offset,
                    scale,
                } => {
                    if !(s.is_finite() && s > 0.0 && o.is_finite()) {
                        return Err(unsupported(
                            node,
                            &format!(
                                "feature {} is scaled by {s} (offset {o}); driftlab scales by a positive number (a constant column's scale is 1)",
                                i + 1
                            ),
                        ));
                    }
                    // ((x − a)·b − o)·s = (x − (a + o/b))·(b·s)
                    out.push(Feat::Col {
                        col: *col,
                        fill: *fill,
                        offset: offset + o / scale,
                        scale: scale * s,
                    });
                }
                Feat::Ind { .. } if o == 0.0 && s == 1.0 => out.push(f.clone()),
                Feat::Ind { .. } => {
                    return Err(unsupported(
                        node,
                        "it scales a one-hot indicator; driftlab scales numeric columns only",
                    ))
                }
            }
        }
        feats.clear();
        self.set(node, 0, Val::Feats(out));
        Ok(())
    }

    fn one_hot(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let col = match self.get(node, 0)? {
            Val::Text(col) => col,
            Val::Feats(_) => {
                return Err(unsupported(
                    node,
                    "it one-hot encodes numbers (cats_int64s); driftlab one-hot encodes categorical columns: give that column as text (string input) to the exporter",
                ))
            }
            other => {
                return Err(unsupported(
                    node,
                    &format!("it reads {}", describe(&other)),
                ))
            }
        };
        let cats = node.strings("cats_strings")?;
        if cats.is_empty() {
            return Err(node.bad("no cats_strings: the categories of a text column"));
        }
        let unseen = if node.int("zeros", 1) == 1 {
            Unseen::Ignore
        } else {
            Unseen::Error
        };
        let feats = cats
            .iter()
            .map(|c| Feat::Ind {
                col,
                cat: c.clone(),
            })
            .collect();
        let entry = self.categories.entry(col).or_insert((Vec::new(), unseen));
        for c in cats {
            if !entry.0.contains(&c) {
                entry.0.push(c);
            }
        }
        self.set(node, 0, Val::Feats(feats));
        Ok(())
    }

    fn concat(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let n = node.proto.input.len();
        if node.op == "Concat" && n == 2 {
            if let (Val::Negative, Val::Positive) = (self.get(node, 0)?, self.positive(node, 1)?) {
                self.set(node, 0, Val::Probs);
                return Ok(());
            }
        }
        if node.op == "Concat" && !matches!(node.int("axis", 1), 1 | -1) {
            return Err(unsupported(
                node,
                "Concat is read along the features (axis 1)",
            ));
        }
        let mut all = Vec::new();
        for i in 0..n {
            all.extend(self.feats(node, i)?);
        }
        if node.op == "FeatureVectorizer" {
            let dims = node.ints("inputdimensions");
            if !dims.is_empty() && dims.iter().sum::<i64>() != all.len() as i64 {
                return Err(node.bad(format!(
                    "inputdimensions sum to {} but the inputs hold {} features",
                    dims.iter().sum::<i64>(),
                    all.len()
                )));
            }
        }
        self.set(node, 0, Val::Feats(all));
        Ok(())
    }

    fn extract(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        match (self.get(node, 0)?, self.get(node, 1)?) {
            (Val::Feats(f), Val::Const(idx)) => {
                let idx = idx.numbers(&node.name)?;
                let mut out = Vec::with_capacity(idx.len().min(f.len()));
                for &i in idx {
                    let i = i as i64;
                    let at = if i < 0 { f.len() as i64 + i } else { i };
                    out.push(
                        usize::try_from(at)
                            .ok()
                            .and_then(|at| f.get(at))
                            .cloned()
                            .ok_or_else(|| {
                                node.bad(format!("index {i} is outside the {} features", f.len()))
                            })?,
                    );
                }
                self.set(node, 0, Val::Feats(out));
            }
            (Val::Text(col), Val::Const(_)) => self.set(node, 0, Val::Text(col)),
            (Val::Const(classes), Val::ArgMax) => {
                let labels: Vec<String> = match &classes.values {
                    Values::Numbers(v) => v.iter().map(|x| label_of_number(*x)).collect(),
                    Values::Strings(s) => s.clone(),
                };
                let found = self
                    .found
                    .as_mut()
                    .ok_or_else(|| node.bad("looks up a class before any model"))?;
                if labels.len() != found.classes.len() {
                    return Err(node.bad(format!(
                        "{} class labels for a model of {} classes",
                        labels.len(),
                        found.classes.len()
                    )));
                }
                found.classes = labels;
                self.set(node, 0, Val::Label);
            }
            (a, b) => {
                return Err(unsupported(
                    node,
                    &format!(
                        "it reads {} at {}; it is read on features with constant indices, or on a constant list of classes at the predicted class",
                        describe(&b),
                        describe(&a)
                    ),
                ))
            }
        }
        Ok(())
    }

    fn linear_classifier(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let feats = self.feats(node, 0)?;
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
        let feats = self.feats(node, 0)?;
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

    /// MatMul(X, W) or Gemm(X, W, b): a new layer of the network.
    fn matmul(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let mut net = match self.get(node, 0)? {
            Val::Feats(feats) => Net {
                feats,
                layers: Vec::new(),
            },
            Val::Net(n) => n,
            other => {
                return Err(unsupported(
                    node,
                    &format!("it multiplies {}", describe(&other)),
                ))
            }
        };
        if let Some(last) = net.layers.last() {
            if last.activation.is_none() && node.op == "MatMul" {
                return Err(unsupported(
                    node,
                    "two weight layers without an activation between them",
                ));
            }
        }
        let w = self.constant(node, 1)?;
        let n_in = net.width();
        let trans_a = node.int("transA", 0);
        let trans_b = node.int("transB", 0);
        let (alpha, beta) = (
            f64::from(node.float("alpha", 1.0)),
            f64::from(node.float("beta", 1.0)),
        );
        if trans_a != 0 || (node.op == "Gemm" && (alpha != 1.0 || beta != 1.0)) {
            return Err(unsupported(
                node,
                "Gemm is read with transA = 0 and alpha = beta = 1",
            ));
        }
        let values = w.numbers(&node.name)?;
        let (rows, cols) = match w.dims[..] {
            [r, c] => (r, c),
            _ => return Err(node.bad(format!("the weights have shape {:?}, not a matrix", w.dims))),
        };
        let (fan_in, n_out) = if trans_b != 0 {
            (cols, rows)
        } else {
            (rows, cols)
        };
        if fan_in != n_in {
            return Err(node.bad(format!("weights of {rows} × {cols} for {n_in} inputs")));
        }
        // driftlab: row j holds neuron j's weights
        let mut weights = vec![0.0; n_out * n_in];
        for j in 0..n_out {
            for i in 0..n_in {
                weights[j * n_in + i] = if trans_b != 0 {
                    values[j * cols + i]
                } else {
                    values[i * cols + j]
                };
            }
        }
        let mut layer = Layer {
            n_in,
            weights,
            biases: vec![0.0; n_out],
            biased: false,
            activation: None,
        };
        if node.op == "Gemm" {
            if let Some(name) = node.input(2) {
                let _ = name;
                let b = self.constant(node, 2)?;
                add_bias(node, &mut layer, b.numbers(&node.name)?)?;
            }
        }
        net.layers.push(layer);
        self.set(node, 0, Val::Net(net));
        Ok(())
    }

    /// Add, Sub, Mul or Div of features and a constant (skl2onnx writes MinMaxScaler so):
    /// folded into each feature's shift and scale.
    fn affine(&mut self, node: &Node<'g>) -> Result<bool, ImportError> {
        let (feats, c, const_first) = match (self.get(node, 0)?, self.get(node, 1)?) {
            (Val::Feats(f), Val::Const(c)) => (f, c, false),
            (Val::Const(c), Val::Feats(f)) if matches!(node.op, "Add" | "Mul") => (f, c, true),
            _ => return Ok(false),
        };
        let _ = const_first;
        let v = c.numbers(&node.name)?;
        if v.len() != 1 && v.len() != feats.len() {
            return Err(node.bad(format!(
                "{} constants for {} features",
                v.len(),
                feats.len()
            )));
        }
        let mut out = Vec::with_capacity(feats.len());
        for (i, f) in feats.into_iter().enumerate() {
            let k = v[if v.len() == 1 { 0 } else { i }];
            match f {
                Feat::Col {
                    col,
                    fill,
                    offset,
                    scale,
                } => {
                    // (x − o)·s  op  k, kept as (x − o')·s'
                    let (offset, scale) = match node.op {
                        "Add" => (offset - k / scale, scale),
                        "Sub" => (offset + k / scale, scale),
                        "Mul" => (offset, scale * k),
                        _ => (offset, scale / k),
                    };
                    if !(scale.is_finite() && scale > 0.0 && offset.is_finite()) {
                        return Err(unsupported(
                            node,
                            &format!("feature {} ends up scaled by {scale}; driftlab scales by a positive number", i + 1),
                        ));
                    }
                    out.push(Feat::Col {
                        col,
                        fill,
                        offset,
                        scale,
                    });
                }
                ind @ Feat::Ind { .. }
                    if (k == 0.0 && matches!(node.op, "Add" | "Sub"))
                        || (k == 1.0 && matches!(node.op, "Mul" | "Div")) =>
                {
                    out.push(ind)
                }
                Feat::Ind { .. } => {
                    return Err(unsupported(node, "it shifts or scales a one-hot indicator"))
                }
            }
        }
        self.set(node, 0, Val::Feats(out));
        Ok(true)
    }

    fn add(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        if self.affine(node)? {
            return Ok(());
        }
        // a constant added to a regressor's value (TreeEnsemble has no base value of its
        // own): into the model's base score or intercept
        if let (Val::Value, Val::Const(c)) | (Val::Const(c), Val::Value) =
            (self.get(node, 0)?, self.get(node, 1)?)
        {
            let v = c.numbers(&node.name)?;
            let found = self
                .found
                .as_mut()
                .ok_or_else(|| node.bad("adds to a value before any model"))?;
            match (&mut found.model, v) {
                (Model::Boosting(b), [k]) if b.n_classes == 0 => b.base_score[0] += k,
                (Model::Linear(l), [k]) => l.intercept += k,
                _ => {
                    return Err(unsupported(
                        node,
                        "Add after a model is read as one constant added to a tree ensemble's or a linear regressor's value",
                    ))
                }
            }
            self.set(node, 0, Val::Value);
            return Ok(());
        }
        let (mut net, b) = match (self.get(node, 0)?, self.get(node, 1)?) {
            (Val::Net(n), Val::Const(b)) | (Val::Const(b), Val::Net(n)) => (n, b),
            _ => {
                return Err(unsupported(
                    node,
                    "Add is read as a layer's bias: a network's weighted sums plus a constant",
                ))
            }
        };
        let layer = net
            .layers
            .last_mut()
            .filter(|l| l.activation.is_none())
            .ok_or_else(|| unsupported(node, "a bias added after an activation"))?;
        add_bias(node, layer, b.numbers(&node.name)?)?;
        self.set(node, 0, Val::Net(net));
        Ok(())
    }

    fn mul(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        if self.affine(node)? {
            return Ok(());
        }
        match (self.get(node, 0)?, self.get(node, 1)?) {
            (v @ (Val::Net(_) | Val::Feats(_)), Val::Const(c))
            | (Val::Const(c), v @ (Val::Net(_) | Val::Feats(_)))
                if c.numbers(&node.name)?.iter().all(|&x| x == 1.0) =>
            {
                self.set(node, 0, v);
                Ok(())
            }
            (Val::Net(mut net), Val::Const(c)) | (Val::Const(c), Val::Net(mut net)) => {
                let s = c.numbers(&node.name)?;
                let layer = net
                    .layers
                    .last_mut()
                    .filter(|l| l.activation.is_none() && s.len() == 1)
                    .ok_or_else(|| {
                        unsupported(node, "Mul is read as a scalar on a layer's weighted sums")
                    })?;
                for w in layer.weights.iter_mut().chain(layer.biases.iter_mut()) {
                    *w *= s[0];
                }
                self.set(node, 0, Val::Net(net));
                Ok(())
            }
            _ => Err(unsupported(
                node,
                "Mul is read as a constant scalar on a network's weighted sums",
            )),
        }
    }

    fn activation(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let mut net = match self.get(node, 0)? {
            Val::Net(n) => n,
            other => {
                return Err(unsupported(
                    node,
                    &format!(
                        "{} is read on a network's weighted sums, not on {}",
                        node.op,
                        describe(&other)
                    ),
                ))
            }
        };
        let a = match node.op {
            "Relu" => Activation::Relu,
            "Tanh" => Activation::Tanh,
            _ => Activation::Sigmoid,
        };
        let Some(last) = net.layers.last_mut().filter(|l| l.activation.is_none()) else {
            return Err(unsupported(
                node,
                "an activation with no weighted sums before it",
            ));
        };
        last.activation = Some(a);
        self.set(node, 0, Val::Net(net));
        Ok(())
    }

    /// The network is complete: a classifier (after its Softmax, or a sigmoid on one output,
    /// which is read as the last activation and turned into a two-class softmax) or a
    /// regressor (the graph's output is the last layer's sum).
    fn finish_net(&mut self, mut net: Net, softmax: Option<&Node<'g>>) -> Result<Val, ImportError> {
        let sigmoid_out = net
            .layers
            .last()
            .is_some_and(|l| l.activation == Some(Activation::Sigmoid) && l.biases.len() == 1);
        let n_classes = match (softmax, sigmoid_out) {
            (Some(node), _) => {
                if net.layers.last().is_some_and(|l| l.activation.is_some()) {
                    return Err(unsupported(node, "a softmax after an activation"));
                }
                let k = net.width();
                if k < 2 {
                    return Err(unsupported(node, "a softmax over one output"));
                }
                k
            }
            (None, true) => {
                // σ(z) = softmax([0, z])[1]: a zero row for class 0
                let last = net
                    .layers
                    .last_mut()
                    .ok_or_else(|| ImportError::Graph("empty network".into()))?;
                let mut weights = vec![0.0; last.n_in];
                weights.extend_from_slice(&last.weights);
                last.weights = weights;
                last.biases.insert(0, 0.0);
                last.activation = None;
                2
            }
            (None, false) => {
                if net.layers.last().is_some_and(|l| l.activation.is_some()) || net.width() != 1 {
                    return Err(ImportError::Graph(
                        "a network whose output is not one linear value (a regressor) or class probabilities (a softmax, or a sigmoid on one output)".into(),
                    ));
                }
                0
            }
        };
        if net.layers.is_empty() {
            return Err(ImportError::Graph("a network without layers".into()));
        }
        let mut sizes = vec![net.feats.len()];
        sizes.extend(net.layers.iter().map(|l| l.biases.len()));
        let depth = net.layers.len();
        let mut activations = Vec::new();
        for (i, l) in net.layers.iter().enumerate() {
            if i + 1 < depth {
                activations.push(l.activation.unwrap_or(Activation::Linear));
            }
        }
        let model = MlpModel {
            sizes,
            activations,
            weights: net.layers.iter().map(|l| l.weights.clone()).collect(),
            biases: net.layers.iter().map(|l| l.biases.clone()).collect(),
            n_classes,
        };
        let node_for_error = softmax;
        let f = Found {
            model: Model::Mlp(model),
            feats: std::mem::take(&mut net.feats),
            classes: (0..n_classes).map(|c| c.to_string()).collect(),
        };
        if self.found.is_some() {
            return Err(match node_for_error {
                Some(n) => unsupported(n, "the graph already has a model"),
                None => ImportError::Graph("the graph has two models".into()),
            });
        }
        self.found = Some(f);
        if sigmoid_out && softmax.is_none() {
            return Ok(Val::Positive);
        }
        Ok(if n_classes == 0 {
            Val::Value
        } else {
            Val::Probs
        })
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

fn add_bias(node: &Node<'_>, layer: &mut Layer, b: &[f64]) -> Result<(), ImportError> {
    if layer.biased {
        return Err(unsupported(node, "a second bias on one layer"));
    }
    let n = layer.biases.len();
    match b.len() {
        1 => layer.biases.iter_mut().for_each(|x| *x = b[0]),
        len if len == n => layer.biases.copy_from_slice(b),
        len => return Err(node.bad(format!("{len} biases for {n} neurons"))),
    }
    layer.biased = true;
    Ok(())
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

/// The pipeline the features make (one step per input column, in the graph's input order)
/// and the map from the graph's feature index to the pipeline's.
fn pipeline(
    reference: &Table,
    target: Option<&str>,
    columns: &[usize],
    found: &Found,
    declared: &HashMap<usize, (Vec<String>, Unseen)>,
) -> Result<(FittedPipeline, Vec<usize>), ImportError> {
    let mut inputs = Vec::with_capacity(columns.len());
    let mut features = Vec::new();
    // per column: its first feature index in the pipeline, and its categories
    let mut at: HashMap<usize, (usize, Vec<String>)> = HashMap::new();
    for &col in columns {
        let column = &reference.columns()[col];
        let uses: Vec<&Feat> = found
            .feats
            .iter()
            .filter(|f| match f {
                Feat::Col { col: c, .. } | Feat::Ind { col: c, .. } => *c == col,
            })
            .collect();
        let step = match uses.first() {
            None => FittedStep::Drop,
            Some(Feat::Col {
                fill,
                offset,
                scale,
                ..
            }) => {
                if uses.iter().any(|u| *u != uses[0]) {
                    return Err(ImportError::Graph(format!(
                        "column {:?} feeds the model twice, transformed differently; driftlab gives a column one step",
                        column.name
                    )));
                }
                let (min, max, mean) = range_of(&column.data);
                FittedStep::Numeric {
                    fill: fill.unwrap_or(mean),
                    center: *offset,
                    scale: 1.0 / scale,
                    min,
                    max,
                }
            }
            Some(Feat::Ind { .. }) => {
                let (mut cats, unseen) = declared
                    .get(&col)
                    .cloned()
                    .unwrap_or((Vec::new(), Unseen::Ignore));
                for u in &uses {
                    match u {
                        Feat::Ind { cat, .. } if !cats.contains(cat) => cats.push(cat.clone()),
                        Feat::Ind { .. } => {}
                        Feat::Col { .. } => {
                            return Err(ImportError::Graph(format!(
                                "column {:?} feeds the model both as a number and one-hot encoded",
                                column.name
                            )))
                        }
                    }
                }
                cats.sort();
                cats.dedup();
                FittedStep::OneHot {
                    // a missing category is unseen, as ONNX's encoder sees an empty string
                    fill: String::new(),
                    categories: cats,
                    unseen,
                }
            }
        };
        let fitted = FittedColumn {
            name: column.name.clone(),
            kind: column.kind(),
            step,
        };
        match &fitted.step {
            FittedStep::Numeric { .. } => {
                at.insert(col, (features.len(), Vec::new()));
                features.push(column.name.clone());
            }
            FittedStep::OneHot { categories, .. } => {
                at.insert(col, (features.len(), categories.clone()));
                features.extend(categories.iter().map(|c| format!("{}={c}", column.name)));
            }
            FittedStep::Drop => {}
        }
        inputs.push(fitted);
    }
    let map = found
        .feats
        .iter()
        .map(|f| match f {
            Feat::Col { col, .. } => at.get(col).map(|a| a.0),
            Feat::Ind { col, cat } => at
                .get(col)
                .and_then(|(start, cats)| cats.iter().position(|c| c == cat).map(|i| start + i)),
        })
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| {
            ImportError::Graph("a feature reads a column the graph does not take as input".into())
        })?;
    Ok((
        FittedPipeline {
            target: target.map(str::to_owned),
            inputs,
            features,
            crosses: Vec::new(),
        },
        map,
    ))
}

/// The smallest and largest finite values and the mean of a reference column.
fn range_of(data: &ColumnData) -> (f64, f64, f64) {
    let values: Vec<f64> = match data {
        ColumnData::Numeric(v) => v.iter().copied().filter(|x| x.is_finite()).collect(),
        ColumnData::Boolean(v) => v.iter().flatten().map(|b| f64::from(*b)).collect(),
        ColumnData::Categorical { .. } => Vec::new(),
    };
    if values.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    (min, max, if mean.is_finite() { mean } else { 0.0 })
}

/// The model over the pipeline's features: graph feature `i` is pipeline feature `map[i]`
/// (`width` in all). Weights of one pipeline feature read twice add up; pipeline features
/// the graph never reads (a category it dropped) get weight 0.
fn remap(model: Model, map: &[usize], width: usize) -> Result<Model, ImportError> {
    let identity = map.len() == width && map.iter().enumerate().all(|(i, &m)| i == m);
    if identity {
        return Ok(model);
    }
    let spread = |w: &[f64]| {
        let mut out = vec![0.0; width];
        for (i, &m) in map.iter().enumerate() {
            out[m] += w[i];
        }
        out
    };
    Ok(match model {
        Model::Linear(m) => Model::Linear(LinearModel {
            weights: spread(&m.weights),
            intercept: m.intercept,
        }),
        Model::Logistic(m) if m.n_classes == 2 => Model::Logistic(LogisticModel {
            weights: spread(&m.weights),
            ..m
        }),
        Model::Logistic(m) => {
            let k = m.n_classes;
            let mut weights = vec![0.0; width * k];
            for (i, &t) in map.iter().enumerate() {
                for c in 0..k {
                    weights[t * k + c] += m.weights[i * k + c];
                }
            }
            Model::Logistic(LogisticModel { weights, ..m })
        }
        Model::Mlp(mut m) => {
            let n_in = m.sizes[0];
            let first = &m.weights[0];
            let mut w = Vec::with_capacity(first.len() / n_in.max(1) * width);
            for row in first.chunks_exact(n_in.max(1)) {
                w.extend(spread(row));
            }
            m.weights[0] = w;
            m.sizes[0] = width;
            Model::Mlp(m)
        }
        other => trees::remap(other, map, width)?,
    })
}
