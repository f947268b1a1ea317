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

use super::build::{range_of, Feat, Imported};
use super::graph::{Graph, Node, Tensor, Values};
use super::ImportError;
use crate::artifact::Artifact;
use crate::models::boosting::{BoostedTree, BoostingModel};
use crate::models::forest::ForestModel;
use crate::models::gaussian_nb::GaussianNbModel;
use crate::models::kmeans::KMeansModel;
use crate::models::knn::KnnModel;
use crate::models::mlp::{Activation, MlpModel};
use crate::models::tree::TreeModel;
use crate::onnx::proto::ModelProto;
use crate::prep::{Cross, CrossOp, FittedColumn, FittedCross, FittedPipeline, FittedStep, Unseen};
use crate::score::{BinarySvm, Kernel, LinearModel, LogisticModel, Model, SvmModel};
use crate::table::{ColumnKind, Table};

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
                parts.push(out(d).to_owned());
                features.push(name.to_owned());
                let (min, max, mean) = range_of(&column.data);
                FittedStep::Numeric {
                    fill: if fill.is_nan() { mean } else { fill },
                    center,
                    scale,
                    min,
                    max,
                    keep: fill.is_nan(),
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

/// The family's subgraph over the features `x` (`p` wide).
fn family(
    c: &mut Cursor<'_, '_>,
    kind: &str,
    x: &str,
    p: usize,
) -> Result<(Model, Shape), ImportError> {
    let probs = |double| Shape::Classes {
        double,
        votes: false,
    };
    Ok(match kind {
        "logistic" => (logistic(c, p)?, probs(false)),
        "linear" | "ridge" | "lasso" | "elasticnet" => {
            c.next("Cast")?;
            let n = c.next("LinearRegressor")?;
            let weights = floats(n, "coefficients")?;
            let intercept = floats(n, "intercepts")?;
            if weights.len() != p || intercept.len() != 1 {
                return Err(n.bad(format!(
                    "{} coefficients and {} intercepts for {p} features; driftlab's export writes p and 1",
                    weights.len(),
                    intercept.len()
                )));
            }
            let m = LinearModel {
                weights,
                intercept: intercept[0],
            };
            let model = match kind {
                "linear" => Model::Linear(m),
                "ridge" => Model::Ridge(m),
                "lasso" => Model::Lasso(m),
                _ => Model::Elasticnet(m),
            };
            (model, Shape::Value)
        }
        "tree" => {
            let (trees, k, _) = ensemble(c, p, false)?;
            let model = match trees.into_iter().next() {
                Some(t) => Model::Tree(t.tree(k)),
                None => return Err(ImportError::Graph("the tree ensemble has no tree".into())),
            };
            (model, probs(false))
        }
        "forest" => {
            let (trees, k, _) = ensemble(c, p, false)?;
            let div = c.next("Div")?;
            if c.number(div, 1)? != trees.len() as f64 {
                return Err(div.bad("divides by a number that is not the count of trees"));
            }
            // hard voting: every leaf votes 1 for one class; anything else is soft
            let soft = trees.iter().any(|t| {
                t.leaves
                    .iter()
                    .any(|l| !matches!(&l[..], [(_, w)] if *w == 1.0))
            });
            let trees = trees.into_iter().map(|t| t.tree(k)).collect::<Vec<_>>();
            (
                Model::Forest(ForestModel {
                    trees,
                    n_classes: k,
                    soft_voting: soft,
                }),
                probs(false),
            )
        }
        "boosting" => boosting(c, p)?,
        "gaussian_nb" => (gaussian_nb(c, x, p)?, probs(true)),
        "kmeans" => {
            let (centroids, _) = distances(c, x, p, false)?;
            c.next("ArgMin")?;
            c.next("Sqrt")?;
            c.next("Cast")?;
            (
                Model::Kmeans(KMeansModel {
                    n_features: p,
                    centroids,
                }),
                Shape::Clusters,
            )
        }
        "mlp" => mlp(c, p)?,
        "svm" => svm(c, x, p)?,
        "knn" => knn(c, x, p)?,
        other => {
            let n = c.peek().map_or_else(String::new, |n| n.name.clone());
            return Err(ImportError::Graph(format!(
                "the file says driftlab wrote it, but its graph's name ({:?}, at node {n:?}) names no driftlab family: without the driftlab.model entry the family is read from the name driftlab_<family>; export the model again",
                format!("driftlab_{other}")
            )));
        }
    })
}

fn logistic(c: &mut Cursor<'_, '_>, p: usize) -> Result<Model, ImportError> {
    let n = c.next("LinearClassifier")?;
    let coef = floats(n, "coefficients")?;
    let icpt = floats(n, "intercepts")?;
    let k = n.ints("classlabels_ints").len();
    if k < 2 || coef.len() != k * p || icpt.len() != k {
        return Err(n.bad(format!(
            "{} coefficients and {} intercepts for {k} classes of {p} features",
            coef.len(),
            icpt.len()
        )));
    }
    Ok(Model::Logistic(if k == 2 {
        // the positive class's row is +w, the other's −w (class 1 is driftlab's positive)
        LogisticModel {
            n_classes: 2,
            weights: coef[p..].to_vec(),
            intercepts: vec![icpt[1]],
            positive: 1,
        }
    } else {
        let mut weights = vec![0.0; k * p];
        for class in 0..k {
            for j in 0..p {
                weights[j * k + class] = coef[class * p + j];
            }
        }
        LogisticModel {
            n_classes: k,
            weights,
            intercepts: icpt,
            positive: 1,
        }
    }))
}

/// One tree of a `TreeEnsembleRegressor`, as the exporter writes it.
struct RawTree {
    feature: Vec<usize>,
    threshold: Vec<f64>,
    left: Vec<i64>,
    right: Vec<i64>,
    /// Missing values follow the true (left) branch.
    track: Vec<bool>,
    /// Each leaf's `(target, weight)` pairs (empty for branches).
    leaves: Vec<Vec<(usize, f64)>>,
}

impl RawTree {
    fn missing(&self) -> Vec<i64> {
        (0..self.left.len())
            .map(|i| match (self.left[i], self.track[i]) {
                (l, _) if l < 0 => -1,
                (l, true) => l,
                _ => self.right[i],
            })
            .collect()
    }

    /// As a decision tree of `k` classes: each leaf's class distribution.
    fn tree(self, k: usize) -> TreeModel {
        let n = self.left.len();
        let mut distribution = vec![0.0; n * k];
        for (i, leaf) in self.leaves.iter().enumerate() {
            for &(c, w) in leaf {
                distribution[i * k + c] = w;
            }
        }
        let class = (0..n)
            .map(|i| crate::score::argmax(&distribution[i * k..(i + 1) * k]))
            .collect();
        let missing = self.track.iter().any(|&t| t).then(|| self.missing());
        TreeModel {
            feature: self.feature,
            threshold: self.threshold,
            left: self.left,
            right: self.right,
            class,
            distribution,
            n_classes: k,
            missing,
        }
    }
}

/// A `TreeEnsembleRegressor` as the exporter writes it: node ids `0..n` per tree, trees
/// `0..t` in order. Returns the trees, the targets and the base values.
fn ensemble(
    c: &mut Cursor<'_, '_>,
    p: usize,
    base: bool,
) -> Result<(Vec<RawTree>, usize, Vec<f64>), ImportError> {
    let n = c.next("TreeEnsembleRegressor")?;
    if n.string("aggregate_function", "SUM")? != "SUM"
        || n.string("post_transform", "NONE")? != "NONE"
    {
        return Err(refused(
            n,
            "driftlab's export sums the trees with no post-transform",
        ));
    }
    let k = usize::try_from(n.int("n_targets", 1))
        .ok()
        .filter(|k| (1..=MAX_TARGETS).contains(k))
        .ok_or_else(|| n.bad(format!("n_targets must be 1 to {MAX_TARGETS}")))?;
    let tree_ids = n.ints("nodes_treeids");
    let node_ids = n.ints("nodes_nodeids");
    let modes = n.strings("nodes_modes")?;
    let features = n.ints("nodes_featureids");
    let values = floats(n, "nodes_values")?;
    let trues = n.ints("nodes_truenodeids");
    let falses = n.ints("nodes_falsenodeids");
    let tracks = n.ints("nodes_missing_value_tracks_true");
    let len = tree_ids.len();
    if [
        node_ids.len(),
        modes.len(),
        features.len(),
        values.len(),
        trues.len(),
        falses.len(),
        tracks.len(),
    ]
    .iter()
    .any(|&l| l != len)
    {
        return Err(n.bad("the node attributes have different lengths"));
    }
    let mut trees: Vec<RawTree> = Vec::new();
    for i in 0..len {
        let t = tree_ids[i];
        if t == trees.len() as i64 {
            trees.push(RawTree {
                feature: vec![],
                threshold: vec![],
                left: vec![],
                right: vec![],
                track: vec![],
                leaves: vec![],
            });
        }
        let last = trees.len() as i64 - 1;
        let tree = match trees.last_mut() {
            Some(tree) if t == last => tree,
            _ => {
                return Err(n.bad(format!(
                    "tree id {t} out of order; driftlab's export numbers trees 0, 1, …"
                )))
            }
        };
        if node_ids[i] != tree.left.len() as i64 {
            return Err(n.bad(format!(
                "node id {} of tree {t} out of order; driftlab's export numbers nodes 0, 1, …",
                node_ids[i]
            )));
        }
        match modes[i].as_str() {
            "LEAF" => {
                tree.feature.push(0);
                tree.threshold.push(0.0);
                tree.left.push(-1);
                tree.right.push(-1);
            }
            "BRANCH_LT" => {
                let f = index(n, features[i] as f64, p, "the feature id")?;
                tree.feature.push(f);
                tree.threshold.push(values[i]);
                tree.left.push(trues[i]);
                tree.right.push(falses[i]);
            }
            other => {
                return Err(refused(
                    n,
                    &format!("a {other} node; driftlab's export writes BRANCH_LT and LEAF"),
                ))
            }
        }
        tree.track.push(tracks[i] != 0);
        tree.leaves.push(Vec::new());
    }
    // children come after their node, as the export numbers them (no cycle, no reuse of
    // the root), within the tree
    let mut cells = 0usize;
    for (t, tree) in trees.iter().enumerate() {
        let size = tree.left.len() as i64;
        for (i, (&l, &r)) in tree.left.iter().zip(&tree.right).enumerate() {
            let i = i as i64;
            if (l >= 0 || r >= 0) && !(l > i && l < size && r > i && r < size) {
                return Err(n.bad(format!(
                    "tree {t} node {i} has children {l} and {r}; driftlab's export numbers a node's children after it, within its {size} nodes"
                )));
            }
        }
        cells = cells.saturating_add(tree.left.len().saturating_mul(k));
    }
    // a tree's class distributions take nodes × targets numbers: bounded before any is made
    if cells > MAX_CELLS {
        return Err(n.bad(format!(
            "{len} nodes of {k} targets would take {cells} numbers; the import reads at most {MAX_CELLS}"
        )));
    }
    let t_trees = n.ints("target_treeids");
    let t_nodes = n.ints("target_nodeids");
    let t_ids = n.ints("target_ids");
    let weights = floats(n, "target_weights")?;
    if [t_nodes.len(), t_ids.len(), weights.len()]
        .iter()
        .any(|&l| l != t_trees.len())
    {
        return Err(n.bad("the target attributes have different lengths"));
    }
    for i in 0..t_trees.len() {
        let tree = index(n, t_trees[i] as f64, trees.len(), "the target's tree id")?;
        let node = index(
            n,
            t_nodes[i] as f64,
            trees[tree].left.len(),
            "the target's node id",
        )?;
        let target = index(n, t_ids[i] as f64, k, "the target id")?;
        if trees[tree].left[node] >= 0 {
            return Err(n.bad(format!("tree {tree} node {node} is a branch with a weight")));
        }
        trees[tree].leaves[node].push((target, weights[i]));
    }
    let base_values = floats(n, "base_values")?;
    if base && base_values.len() != k || !base && !base_values.is_empty() {
        return Err(refused(
            n,
            "base values where driftlab's export writes none, or the wrong number of them",
        ));
    }
    Ok((trees, k, base_values))
}

fn boosting(c: &mut Cursor<'_, '_>, p: usize) -> Result<(Model, Shape), ImportError> {
    let (trees, outputs, base_score) = ensemble(c, p, true)?;
    let n_classes = if c.is("Cast") {
        c.next("Cast")?;
        if c.is("Sigmoid") {
            c.next("Sigmoid")?;
            c.next("Sub")?;
            c.next("Concat")?;
            2
        } else {
            c.next("Softmax")?;
            outputs
        }
    } else {
        0
    };
    if (n_classes == 2 || n_classes == 0) != (outputs == 1) || n_classes == 1 {
        return Err(ImportError::Graph(format!(
            "the boosted trees have {outputs} outputs, which does not fit their link"
        )));
    }
    let mut boosted = Vec::with_capacity(trees.len());
    for (t, tree) in trees.into_iter().enumerate() {
        let missing = tree.missing();
        let mut value = vec![0.0; tree.left.len()];
        for (i, leaf) in tree.leaves.iter().enumerate() {
            match &leaf[..] {
                [] => {}
                [(target, w)] if *target == t % outputs => value[i] = *w,
                _ => {
                    return Err(ImportError::Graph(format!(
                        "boosted tree {t} node {i} does not write one value to output {}, as driftlab's export does",
                        t % outputs
                    )))
                }
            }
        }
        boosted.push(BoostedTree {
            feature: tree.feature,
            threshold: tree.threshold,
            left: tree.left,
            right: tree.right,
            missing,
            value,
        });
    }
    let shape = Shape::of(n_classes);
    Ok((
        Model::Boosting(BoostingModel {
            n_features: p,
            n_classes,
            base_score,
            learning_rate: 1.0,
            trees: boosted,
            importance: vec![0.0; p],
        }),
        shape,
    ))
}

/// `Unsqueeze, Sub, Mul[, Mul weights], ReduceSum`: the centres (`k × p`) and the weights.
fn distances(
    c: &mut Cursor<'_, '_>,
    x: &str,
    p: usize,
    weighted: bool,
) -> Result<(Vec<f64>, Vec<f64>), ImportError> {
    let u = c.next("Unsqueeze")?;
    if u.input(0) != Some(x) {
        return Err(refused(
            u,
            "driftlab's export computes distances from the features",
        ));
    }
    let s = c.next("Sub")?;
    let centres = c.numbers(s, 1)?.to_vec();
    if p == 0 || centres.is_empty() || centres.len() % p != 0 {
        return Err(s.bad(format!(
            "{} centre values are not rows of {p} features",
            centres.len()
        )));
    }
    c.next("Mul")?;
    let weights = if weighted {
        let w = c.next("Mul")?;
        let w = c.numbers(w, 1)?.to_vec();
        if w.len() != centres.len() {
            return Err(ImportError::Graph(
                "the distance weights do not match the centres".into(),
            ));
        }
        w
    } else {
        Vec::new()
    };
    c.next("ReduceSum")?;
    Ok((centres, weights))
}

fn gaussian_nb(c: &mut Cursor<'_, '_>, x: &str, p: usize) -> Result<Model, ImportError> {
    let (means, inverse) = distances(c, x, p, true)?;
    c.next("Mul")?;
    let sub = c.next("Sub")?;
    let constants = c.numbers(sub, 0)?;
    c.next("Softmax")?;
    let k = means.len() / p;
    if constants.len() != k {
        return Err(sub.bad(format!(
            "{} class constants for {k} classes",
            constants.len()
        )));
    }
    let variances: Vec<f64> = inverse.iter().map(|v| 1.0 / v).collect();
    let priors: Vec<f64> = (0..k)
        .map(|class| {
            let logs: f64 = variances[class * p..(class + 1) * p]
                .iter()
                .map(|s| libm::log(2.0 * std::f64::consts::PI * s))
                .sum();
            libm::exp(constants[class] + 0.5 * logs)
        })
        .collect();
    if variances
        .iter()
        .chain(&priors)
        .any(|v: &f64| !(v.is_finite() && *v > 0.0))
    {
        return Err(sub.bad(
            "the inverse variances and class constants give a variance or prior that is not a positive finite number",
        ));
    }
    Ok(Model::GaussianNb(GaussianNbModel {
        means,
        variances,
        priors,
    }))
}

fn mlp(c: &mut Cursor<'_, '_>, p: usize) -> Result<(Model, Shape), ImportError> {
    let mut sizes = vec![p];
    let (mut weights, mut biases, mut activations) = (vec![], vec![], vec![]);
    while c.is("Gemm") {
        let g = c.next("Gemm")?;
        let w = c.constant(g, 1)?;
        let n_in = sizes.last().copied().unwrap_or(0);
        let n_out = match w.dims[..] {
            [o, i] if i == n_in => o,
            _ => {
                return Err(g.bad(format!(
                    "weights of shape {:?} after a layer of {n_in}",
                    w.dims
                )))
            }
        };
        let b = c.numbers(g, 2)?;
        if b.len() != n_out {
            return Err(g.bad("the biases do not match the weights"));
        }
        let w = w.numbers(&g.name)?;
        finite(g, "the weights", w)?;
        weights.push(w.to_vec());
        biases.push(b.to_vec());
        sizes.push(n_out);
        let a = match c.peek().map(|n| n.op) {
            Some("Tanh") => Activation::Tanh,
            Some("Relu") => Activation::Relu,
            Some("Sigmoid") => Activation::Sigmoid,
            _ => Activation::Linear,
        };
        if a != Activation::Linear {
            c.at += 1;
        }
        activations.push(a);
    }
    // the output layer has no activation
    if activations.pop() != Some(Activation::Linear) {
        return Err(ImportError::Graph(
            "the network's last layer has an activation, which driftlab's export does not write"
                .into(),
        ));
    }
    let (n_classes, shape) = if c.is("Softmax") {
        c.next("Softmax")?;
        (
            sizes.last().copied().unwrap_or(0),
            Shape::Classes {
                double: true,
                votes: false,
            },
        )
    } else {
        c.next("Cast")?;
        (0, Shape::Value)
    };
    Ok((
        Model::Mlp(MlpModel {
            sizes,
            activations,
            weights,
            biases,
            n_classes,
        }),
        shape,
    ))
}

fn svm(c: &mut Cursor<'_, '_>, x: &str, p: usize) -> Result<(Model, Shape), ImportError> {
    if c.is("SVMClassifier") {
        let n = c.next("SVMClassifier")?;
        let feats = (0..p)
            .map(|col| Feat::Col {
                col,
                fill: None,
                offset: 0.0,
                scale: 1.0,
            })
            .collect();
        let (found, _) = super::svm::svm(n, feats)?;
        return Ok((
            found.model,
            Shape::Classes {
                double: false,
                votes: true,
            },
        ));
    }
    // the decision values of every machine: [N, machines]
    let (kernel, vectors, alpha) = if c.is("MatMul") {
        let m = c.next("MatMul")?;
        (Kernel::Linear, Vec::new(), c.constant(m, 1)?)
    } else if c.is("Unsqueeze") {
        let (vectors, _) = distances(c, x, p, false)?;
        let d = c.next("Div")?;
        let eps = -c.number(d, 1)?;
        c.next("Exp")?;
        let m = c.next("MatMul")?;
        (Kernel::Gaussian { eps }, vectors, c.constant(m, 1)?)
    } else {
        let g = c.next("Gemm")?;
        let vectors = c.numbers(g, 1)?.to_vec();
        let a = c.next("Add")?;
        let constant = c.number(a, 1)?;
        let pw = c.next("Pow")?;
        let degree = c.number(pw, 1)?;
        let m = c.next("MatMul")?;
        (
            Kernel::Polynomial { constant, degree },
            vectors,
            c.constant(m, 1)?,
        )
    };
    let (rows, machines) = match alpha.dims[..] {
        [r, m] if m > 0 => (r, m),
        _ => {
            return Err(ImportError::Graph(format!(
                "the machines' matrix has shape {:?}",
                alpha.dims
            )))
        }
    };
    let alpha = alpha.numbers("MatMul")?;
    if alpha.iter().any(|a| !a.is_finite()) {
        return Err(ImportError::Graph(
            "the machines' coefficients hold a number that is not finite; driftlab's export writes finite ones".into(),
        ));
    }
    let sub = c.next("Sub")?;
    let rho = c.numbers(sub, 1)?;
    if rho.len() != machines {
        return Err(sub.bad(format!("{} offsets for {machines} machines", rho.len())));
    }
    let mut ms: Vec<BinarySvm> = rho
        .iter()
        .map(|&rho| BinarySvm {
            alpha: vec![],
            support_vectors: vec![],
            weights: vec![],
            rho,
            platt: None,
        })
        .collect();
    if matches!(kernel, Kernel::Linear) {
        if rows != p {
            return Err(ImportError::Graph(format!(
                "{rows} weights per machine for {p} features"
            )));
        }
        // W is p × machines: row j holds every machine's weight of feature j
        for row in alpha.chunks_exact(machines) {
            for (m, w) in ms.iter_mut().zip(row) {
                m.weights.push(*w);
            }
        }
    } else {
        if vectors.len() != rows * p {
            return Err(ImportError::Graph(format!(
                "{} support vector values for {rows} vectors of {p} features",
                vectors.len()
            )));
        }
        // each vector belongs to the machine whose column holds its α (they are stacked
        // machine by machine; a zero α stays with the machine before)
        let mut owner = 0;
        for (r, row) in alpha.chunks_exact(machines).enumerate() {
            if let Some(m) = row.iter().position(|a| *a != 0.0) {
                if m < owner {
                    return Err(ImportError::Graph(
                        "the support vectors are not stacked machine by machine".into(),
                    ));
                }
                owner = m;
            }
            ms[owner].alpha.push(row[owner]);
            ms[owner]
                .support_vectors
                .extend_from_slice(&vectors[r * p..(r + 1) * p]);
        }
    }
    let n_classes = if c.is("Mul") {
        let mul = c.next("Mul")?;
        let a = c.numbers(mul, 1)?;
        let add = c.next("Add")?;
        let b = c.numbers(add, 1)?;
        if a.len() != machines || b.len() != machines {
            return Err(mul.bad("Platt's parameters do not match the machines"));
        }
        for (i, m) in ms.iter_mut().enumerate() {
            m.platt = Some((-a[i], -b[i]));
        }
        c.next("Sigmoid")?;
        if c.is("Sub") {
            c.next("Sub")?;
            c.next("Concat")?;
            2
        } else {
            c.next("ReduceSum")?;
            c.next("Div")?;
            machines
        }
    } else {
        c.next("Cast")?;
        0
    };
    let shape = Shape::of(n_classes);
    Ok((
        Model::Svm(SvmModel {
            kernel,
            n_features: p,
            machines: ms,
            n_classes,
            one_vs_one: None,
        }),
        shape,
    ))
}

fn knn(c: &mut Cursor<'_, '_>, x: &str, p: usize) -> Result<(Model, Shape), ImportError> {
    let (points, _) = distances(c, x, p, false)?;
    let rows = points.len() / p;
    let top = c.next("TopK")?;
    let k = index(top, c.number(top, 1)?, rows + 1, "k (the neighbours)")?;
    if k == 0 {
        return Err(top.bad("k is 0"));
    }
    let g = c.next("Gather")?;
    let targets = c.numbers(g, 0)?.to_vec();
    if targets.len() != rows {
        return Err(g.bad(format!("{} targets for {rows} stored rows", targets.len())));
    }
    let (n_classes, shape) = if c.is("ReduceMean") {
        c.next("ReduceMean")?;
        c.next("Cast")?;
        (0, Shape::Value)
    } else {
        c.next("Unsqueeze")?;
        let e = c.next("Equal")?;
        let classes = c.numbers(e, 1)?.len();
        c.next("Cast")?;
        c.next("ReduceSum")?;
        c.next("Div")?;
        (
            classes,
            Shape::Classes {
                double: true,
                votes: false,
            },
        )
    };
    Ok((
        Model::Knn(KnnModel {
            k,
            points,
            targets,
            n_classes,
        }),
        shape,
    ))
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
