//! driftlab's own exports read operator by operator, when the `driftlab.model` metadata
//! entry is gone (a tool that rewrites metadata, an optimiser that keeps only the graph).
//!
//! # Why recognition of the exporter's subgraphs, not a tensor interpreter
//!
//! The exporter (`crate::onnx::export`) writes a few fixed shapes: per column
//! `IsNaN, IsInf, Or, Where, Sub, Div` or `Equal, Where, Equal, Cast`, a `Concat`, the
//! crosses' `Slice`/`Mul`/`Sin`, one family subgraph, then `ArgMax, Gather, Cast, Identity`.
//! A general interpreter of `Where`, `TopK`, `ReduceSum`… would need shapes, broadcasting
//! and dtypes for every operator, and would still have to turn its result back into a
//! family the scorer, the monitor and the edge know. So this module reads those shapes in
//! the order the exporter writes them (a cursor over the nodes), takes the numbers from
//! their constants and builds the family's model directly. What is recognised is then
//! proven: the model and pipeline found are exported again and the new graph must equal
//! the file's node for node (names, attributes, inputs, outputs) and constant for constant
//! (see [`verify`]); a graph edited by hand, or a different producer's, is refused with the
//! first node that differs. It is tried only for files whose producer is `driftlab`;
//! every other graph goes through the general walk (`build`), which reads skl2onnx's
//! shapes.
//!
//! # What comes back exactly
//!
//! The graph holds double constants for the pipeline, the trees' thresholds and leaves,
//! the networks, k-means, the SVMs and kNN: those come back bit for bit and score as the
//! exported artifact did. Three things are rounded or folded by the export and come back
//! as close as the graph allows:
//! - `LinearClassifier` and `LinearRegressor` keep their coefficients as `f32`: a logistic
//!   or linear model comes back with `f32` weights (scores within about 1e-7 relative of
//!   the original, the graph's own precision);
//! - naive Bayes is written as inverse variances and per-class constants: the variances
//!   (`1 / (1/σ²)`) and priors (`exp` of the constant plus `½ Σ ln 2πσ²`) come back within
//!   a few ulps, scores held to 1e-12 (bit for bit on the test's fraud and iris models);
//! - what the graph never held: a numeric column's fill when it kept missing values for
//!   the trees (the reference mean is used; the scorer does not read it), the training
//!   ranges behind input warnings (taken from the reference table, as for any import), a
//!   hard-voting forest's leaf frequencies (it scores by the leaf's class), boosting's
//!   learning rate (folded into the leaves: 1 is recorded) and importances (zeros), the
//!   categories of a one-hot column that saw none, and a dropped column (it has no input).
//!
//! `src/onnx/export/tests.rs` exports one model of every family (classes, two and three,
//! regression, clusters; the SVM's three kernels; trees that keep missing values; crosses)
//! with the entry removed and holds the imported model's scores to the original's: bit for
//! bit, but logistic and the linear family (largest relative difference 1.1e-7, the `f32`
//! coefficients). `tests/onnx_import.rs` does the same for every imported fixture model
//! (scikit-learn's soft-voting forests, SVCs, LightGBM, XGBoost…), bit for bit.
//!
//! # Hostile graphs
//!
//! Every count comes from the bytes there (the nodes' attribute lists, the constants'
//! checked sizes); the trees' per-node class distributions are bounded (`MAX_CELLS`) before
//! they are made; a child must follow its node; every number the export writes finite must
//! be finite (a NaN would make an artifact that cannot be read back: `make fuzz` found it).
//! `tests/fixtures/onnx/hostile/own_*` hold a Where three values wide, a TopK beyond the
//! rows, an operator out of place, an unknown family, a hand-written copy, a tree of 4096
//! targets over 10,000 nodes, and the fuzzer's NaN support vector.

mod families;

use super::build::{range_of, Imported};
use super::graph::{Graph, Node, Tensor, Values};
use super::ImportError;
use crate::artifact::Artifact;
use crate::onnx::proto::ModelProto;
use crate::prep::{
    Cross, CrossOp, FittedColumn, FittedCross, FittedPipeline, FittedStep, Norm, Unseen,
};
use crate::table::{ColumnKind, Table};
use families::family;

/// What the recogniser reads, for its errors.
pub(super) const OWN: &str = "driftlab's own export without its driftlab.model entry: \
IsNaN, IsInf, Or, Where, Sub, Div (numeric columns); Equal, Where, Equal, Cast (one-hot columns); \
Concat, Slice, Mul, Sin (crosses); LinearClassifier (logistic); Cast, LinearRegressor (linear family); \
TreeEnsembleRegressor (tree), + Div (forest), + Cast, Sigmoid, Sub, Concat or Softmax (boosting); \
Unsqueeze, Sub, Mul, ReduceSum, Softmax (naive Bayes), + ArgMin, Sqrt (k-means); \
Gemm, Tanh, Relu, Sigmoid, Softmax (mlp); MatMul, Exp, Gemm, Add, Pow, Sigmoid, ReduceSum, Div, SVMClassifier (svm); \
TopK, Gather, Equal, ReduceSum, ReduceMean (knn); ArgMax, Gather, Cast, Identity (outputs)";

/// The most targets (classes) a tree ensemble may declare here.
const MAX_TARGETS: usize = 4096;
/// The most numbers the trees' per-node class distributions may take (nodes × targets, all
/// trees): 256 MB of `f64`; a 100-tree forest of depth 8 over 10 classes takes 511,000.
const MAX_CELLS: usize = 1 << 25;

/// Whether the file says driftlab wrote it.
pub(super) fn is_driftlab(model: &ModelProto) -> bool {
    model.producer_name.as_deref() == Some("driftlab")
}

/// How the family's output reaches the graph's outputs.
enum Shape {
    /// Class probabilities (double or float), with the SVMClassifier's vote winner or not.
    Classes { double: bool, votes: bool },
    /// One value.
    Value,
    /// Clusters.
    Clusters,
}

impl Shape {
    /// A regressor's value (`n_classes` 0), or double class probabilities.
    fn of(n_classes: usize) -> Shape {
        if n_classes == 0 {
            Shape::Value
        } else {
            Shape::Classes {
                double: true,
                votes: false,
            }
        }
    }
}

/// The nodes in the exporter's order.
struct Cursor<'a, 'g> {
    graph: &'a Graph<'g>,
    at: usize,
}

fn refused(node: &Node<'_>, why: &str) -> ImportError {
    super::build::unsupported_from(node, why, OWN)
}

impl<'a, 'g> Cursor<'a, 'g> {
    fn peek(&self) -> Option<&'a Node<'g>> {
        self.graph.nodes.get(self.at)
    }

    fn is(&self, op: &str) -> bool {
        self.peek().is_some_and(|n| n.op == op)
    }

    /// The next node, which must be `op`.
    fn next(&mut self, op: &str) -> Result<&'a Node<'g>, ImportError> {
        match self.peek() {
            Some(n) if n.op == op => {
                self.at += 1;
                Ok(n)
            }
            Some(n) => Err(refused(
                n,
                &format!("the file says driftlab wrote it, and driftlab's export writes {op} at this point"),
            )),
            None => Err(ImportError::Graph(format!(
                "the graph ends where driftlab's export writes {op}: the file was cut or edited; export the model again"
            ))),
        }
    }

    /// Input `i` of `node`, a constant.
    fn constant(&self, node: &Node<'_>, i: usize) -> Result<&'a Tensor, ImportError> {
        node.input(i)
            .and_then(|n| self.graph.constants.get(n))
            .ok_or_else(|| {
                node.bad(format!(
                    "input {i} is not a constant, where driftlab's export writes one"
                ))
            })
    }

    /// Input `i`'s numbers, every one finite (the export writes no NaN or infinity into a
    /// model; a kept column's NaN fill is read by [`Cursor::fill`]).
    fn numbers(&self, node: &Node<'_>, i: usize) -> Result<&'a [f64], ImportError> {
        let v = self.constant(node, i)?.numbers(&node.name)?;
        finite(node, &format!("input {i}"), v)?;
        Ok(v)
    }

    /// A numeric column's fill: one number, NaN when the column keeps missing values.
    fn fill(&self, node: &Node<'_>) -> Result<f64, ImportError> {
        match self.constant(node, 1)?.numbers(&node.name)? {
            [v] if v.is_infinite() => Err(node.bad(format!(
                "input 1 holds the fill {v}, where driftlab's export writes a finite number or NaN"
            ))),
            [v] => Ok(*v),
            v => Err(node.bad(format!(
                "input 1 holds {} numbers where driftlab's export writes one fill",
                v.len()
            ))),
        }
    }

    fn number(&self, node: &Node<'_>, i: usize) -> Result<f64, ImportError> {
        match self.numbers(node, i)? {
            [v] => Ok(*v),
            v => Err(node.bad(format!(
                "input {i} holds {} numbers where driftlab's export writes one",
                v.len()
            ))),
        }
    }

    fn strings(&self, node: &Node<'_>, i: usize) -> Result<&'a [String], ImportError> {
        match &self.constant(node, i)?.values {
            Values::Strings(s) => Ok(s),
            Values::Numbers(_) => Err(node.bad(format!("input {i} holds numbers, not text"))),
        }
    }
}

/// Refuses a NaN or an infinity among `what`'s numbers.
fn finite(node: &Node<'_>, what: &str, v: &[f64]) -> Result<(), ImportError> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(node.bad(format!(
            "{what} holds {} at position {i}, where driftlab's export writes finite numbers",
            v[i]
        ))),
        None => Ok(()),
    }
}

/// An attribute's numbers, every one finite.
fn floats(node: &Node<'_>, name: &str) -> Result<Vec<f64>, ImportError> {
    let v = node.floats(name)?;
    finite(node, name, &v)?;
    Ok(v)
}

/// A node's first output.
fn out<'n>(node: &'n Node<'_>) -> &'n str {
    node.proto.output.first().map_or("", String::as_str)
}

/// A count or an index read from a constant: a whole number in `0..limit`.
fn index(node: &Node<'_>, v: f64, limit: usize, what: &str) -> Result<usize, ImportError> {
    if v.fract() == 0.0 && v >= 0.0 && v < limit as f64 {
        Ok(v as usize)
    } else {
        Err(node.bad(format!("{what} {v} is not in 0..{limit}")))
    }
}

/// Reads a graph driftlab's export wrote (see the module docs).
pub(super) fn read(
    model: &ModelProto,
    graph: &Graph<'_>,
    reference: &Table,
    target: Option<&str>,
) -> Result<Imported, ImportError> {
    let kind = graph
        .proto
        .name
        .as_deref()
        .and_then(|n| n.strip_prefix("driftlab_"))
        .unwrap_or("")
        .to_owned();
    let meta_target = model
        .metadata_props
        .iter()
        .find(|p| p.key.as_deref() == Some("driftlab.target"))
        .and_then(|p| p.value.clone())
        .filter(|t| !t.is_empty() && reference.column(t).is_some());
    let target = target.map(str::to_owned).or(meta_target);
    if let Some(t) = &target {
        if reference.column(t).is_none() {
            return Err(ImportError::Inputs(format!(
                "the target {t:?} is not a column of the reference table; its columns are: {}",
                reference.column_names().join(", ")
            )));
        }
    }
    let mut c = Cursor { graph, at: 0 };
    let (pipeline, x) = pipeline(&mut c, reference, target)?;
    let p = pipeline.width();
    let (model_found, shape) = family(&mut c, &kind, &x, p)?;
    let classes = match shape {
        Shape::Classes { double, votes } => {
            if !votes {
                c.next("ArgMax")?;
            }
            let g = c.next("Gather")?;
            let classes = c.strings(g, 0)?.to_vec();
            if double {
                c.next("Cast")?;
            }
            c.next("Identity")?;
            classes
        }
        Shape::Value => {
            c.next("Identity")?;
            Vec::new()
        }
        Shape::Clusters => {
            c.next("Identity")?;
            c.next("Identity")?;
            Vec::new()
        }
    };
    if let Some(n) = c.peek() {
        return Err(refused(
            n,
            "driftlab's export ends the graph before it: the file was edited after the export",
        ));
    }
    let mut operators: Vec<String> = Vec::new();
    for n in &graph.nodes {
        if !operators.iter().any(|o| o == n.op) {
            operators.push(n.op.to_owned());
        }
    }
    Ok(Imported {
        pipeline,
        model: model_found,
        classes,
        operators,
    })
}

/// The columns' steps, their `Concat` and the crosses: the pipeline and the name of the
/// feature matrix.
fn pipeline(
    c: &mut Cursor<'_, '_>,
    reference: &Table,
    target: Option<String>,
) -> Result<(FittedPipeline, String), ImportError> {
    use crate::onnx::proto::type_proto::Value as Ty;
    let mut inputs = Vec::new();
    let mut features = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for v in &c.graph.proto.input {
        let name = v.name.as_deref().unwrap_or("");
        let column = reference
            .columns()
            .iter()
            .find(|col| col.name == name)
            .ok_or_else(|| {
                ImportError::Inputs(format!(
                    "the model reads the column {name:?}, which the reference table lacks: give the table it was trained on"
                ))
            })?;
        let elem = match v.r#type.as_ref().and_then(|t| t.value.as_ref()) {
            Some(Ty::TensorType(t)) => t.elem_type.unwrap_or(0),
            _ => 0,
        };
        let kind = column.kind();
        let step = match elem {
            // double: a numeric (or boolean) column
            11 => {
                if kind == ColumnKind::Categorical {
                    return Err(ImportError::Inputs(format!(
                        "the model reads the column {name:?} as numbers, the reference table holds categories there: give the table it was trained on"
                    )));
                }
                let nan = c.next("IsNaN")?;
                if nan.input(0) != Some(name) {
                    return Err(refused(nan, "driftlab's export tests each column input in turn"));
                }
                c.next("IsInf")?;
                c.next("Or")?;
                let w = c.next("Where")?;
                let fill = c.fill(w)?;
                let s = c.next("Sub")?;
                let center = c.number(s, 1)?;
                let d = c.next("Div")?;
                let scale = c.number(d, 1)?;
                // a binarized column: Greater than its threshold, cast to double
                let binarize = if c.peek().is_some_and(|n| n.op == "Greater" && n.input(0) == Some(out(d))) {
                    let g = c.next("Greater")?;
                    let t = c.number(g, 1)?;
                    parts.push(out(c.next("Cast")?).to_owned());
                    Some(t)
                } else {
                    parts.push(out(d).to_owned());
                    None
                };
                features.push(name.to_owned());
                let (min, max, mean) = range_of(&column.data);
                FittedStep::Numeric {
                    fill: if fill.is_nan() { mean } else { fill },
                    center,
                    scale,
                    min,
                    max,
                    keep: fill.is_nan(),
                    binarize,
                }
            }
            // text: a one-hot column
            8 => {
                if kind != ColumnKind::Categorical {
                    return Err(ImportError::Inputs(format!(
                        "the model reads the column {name:?} as categories, the reference table holds {kind} there: give the table it was trained on"
                    )));
                }
                if c.peek()
                    .is_some_and(|n| n.op == "LabelEncoder" && n.input(0) == Some(name))
                {
                    // an ordinal column: ONNX-ML's LabelEncoder, cast to double
                    let e = c.next("LabelEncoder")?;
                    let categories = e.strings("keys_strings")?;
                    let codes = e.floats("values_floats")?;
                    let default = f64::from(e.float("default_float", -0.0));
                    if codes.len() != categories.len() {
                        return Err(refused(e, "driftlab's export gives each key a number"));
                    }
                    parts.push(out(c.next("Cast")?).to_owned());
                    features.push(name.to_owned());
                    FittedStep::Ordinal {
                        categories,
                        codes,
                        default,
                    }
                } else if c.peek()
                    .is_some_and(|n| n.op == "Equal" && n.input(0) == Some(name))
                {
                    c.next("Equal")?;
                    let w = c.next("Where")?;
                    let fill = c.strings(w, 1)?.first().cloned().unwrap_or_default();
                    let e = c.next("Equal")?;
                    let categories = c.strings(e, 1)?.to_vec();
                    let cast = c.next("Cast")?;
                    parts.push(out(cast).to_owned());
                    features.extend(categories.iter().map(|cat| format!("{name}={cat}")));
                    FittedStep::OneHot {
                        fill,
                        categories,
                        unseen: Unseen::Ignore,
                    }
                } else {
                    FittedStep::OneHot {
                        fill: String::new(),
                        categories: Vec::new(),
                        unseen: Unseen::Ignore,
                    }
                }
            }
            other => {
                return Err(ImportError::Inputs(format!(
                    "graph input {name:?} has element type {other}; driftlab's export writes double (numbers) or string (categories) inputs"
                )))
            }
        };
        inputs.push(FittedColumn {
            name: name.to_owned(),
            kind,
            step,
        });
    }
    let concat = c.next("Concat")?;
    if concat.proto.input != parts {
        return Err(refused(
            concat,
            "driftlab's export concatenates the columns' features in input order",
        ));
    }
    let mut x = out(concat).to_owned();
    // a row norm: the reduction, its guard against 0 and non-finite norms, the division
    let norms = [
        ("ReduceL1", Norm::L1),
        ("ReduceL2", Norm::L2),
        ("ReduceMax", Norm::Max),
    ];
    let mut normalize = None;
    if let Some(&(op, norm)) = norms.iter().find(|(op, _)| c.is(op)) {
        c.next(op)?;
        for op in ["Equal", "IsNaN", "IsInf", "Or", "Or", "Where"] {
            c.next(op)?;
        }
        x = out(c.next("Div")?).to_owned();
        normalize = Some(norm);
    }
    let p = features.len();
    let mut crosses = Vec::new();
    if c.is("Slice") {
        let mut all = vec![x.clone()];
        while c.is("Slice") {
            let a = slice(c, p)?;
            let (op, of, node) = if c.is("Slice") {
                let b = slice(c, p)?;
                (CrossOp::Product, vec![a, b], c.next("Mul")?)
            } else if c.is("Mul") {
                (CrossOp::Square, vec![a], c.next("Mul")?)
            } else {
                (CrossOp::Sin, vec![a], c.next("Sin")?)
            };
            all.push(out(node).to_owned());
            let column = features[of[0]].clone();
            features.push(
                match op {
                    CrossOp::Square => Cross::Square { column },
                    CrossOp::Product => Cross::Product {
                        column,
                        with: features[of[1]].clone(),
                    },
                    CrossOp::Sin => Cross::Sin { column },
                }
                .name(),
            );
            crosses.push(FittedCross { op, of });
        }
        let concat = c.next("Concat")?;
        if concat.proto.input != all {
            return Err(refused(
                concat,
                "driftlab's export concatenates the features and their crosses in order",
            ));
        }
        x = out(concat).to_owned();
    }
    Ok((
        FittedPipeline {
            target,
            inputs,
            features,
            crosses,
            normalize,
        },
        x,
    ))
}

/// One `Slice` of a feature column: its index.
fn slice(c: &mut Cursor<'_, '_>, p: usize) -> Result<usize, ImportError> {
    let s = c.next("Slice")?;
    let start = c.numbers(s, 1)?.first().copied().unwrap_or(-1.0);
    index(s, start, p, "the sliced feature")
}

/// Checks that the artifact exports to the file's graph: every node and input/output
/// alike, and every constant alike — numbers within 1e-12 relative where the reading
/// rounds them (naive Bayes), exactly otherwise. Names the first node that differs.
pub(super) fn verify(model: &ModelProto, artifact: &Artifact) -> Result<(), ImportError> {
    let again = crate::onnx::export::export(artifact).map_err(|e| {
        ImportError::Graph(format!(
            "the model read from driftlab's graph cannot be exported again ({e}), so the reading cannot be checked"
        ))
    })?;
    let (Some(a), Some(m)) = (again.graph.as_ref(), model.graph.as_ref()) else {
        return Err(ImportError::Graph("the model has no graph".into()));
    };
    fn enc<M: prost::Message>(m: &M) -> Vec<u8> {
        m.encode_to_vec()
    }
    let differ = |what: String| {
        ImportError::Graph(format!(
            "the file says driftlab wrote it, but {what} is not what driftlab's export writes for the model read from it: the graph was changed after the export; export the model from driftlab again"
        ))
    };
    for (i, n) in m.node.iter().enumerate() {
        if a.node.get(i).map(enc) != Some(enc(n)) {
            let name = match n.name.as_deref() {
                Some(s) if !s.is_empty() => s.to_owned(),
                _ => format!("#{i} (unnamed)"),
            };
            return Err(differ(format!(
                "node {name:?} ({})",
                n.op_type.as_deref().unwrap_or("")
            )));
        }
    }
    if a.node.len() != m.node.len() {
        return Err(differ("the number of nodes".into()));
    }
    if a.input.iter().map(enc).ne(m
        .input
        .iter()
        .map(enc::<crate::onnx::proto::ValueInfoProto>))
        || a.output.iter().map(enc).ne(m
            .output
            .iter()
            .map(enc::<crate::onnx::proto::ValueInfoProto>))
    {
        return Err(differ("the graph's inputs or outputs".into()));
    }
    if a.initializer.len() != m.initializer.len() {
        return Err(differ("the number of constants".into()));
    }
    let close = |x: f64, y: f64| {
        x.to_bits() == y.to_bits() || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
    };
    for (x, y) in a.initializer.iter().zip(&m.initializer) {
        let mut xs = x.clone();
        let mut ys = y.clone();
        let (dx, dy) = (
            std::mem::take(&mut xs.double_data),
            std::mem::take(&mut ys.double_data),
        );
        if enc(&xs) != enc(&ys)
            || dx.len() != dy.len()
            || dx.iter().zip(&dy).any(|(u, v)| !close(*u, *v))
        {
            return Err(differ(format!(
                "the constant {:?}",
                y.name.as_deref().unwrap_or("")
            )));
        }
    }
    Ok(())
}
