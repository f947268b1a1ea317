//! The families' subgraphs as driftlab's export writes them (`crate::onnx::export`'s
//! `families.rs`), read back into models: each reader follows its writer node for node.

use super::{finite, floats, index, refused, Cursor, Shape, MAX_CELLS, MAX_TARGETS};
use crate::models::boosting::{BoostedTree, BoostingModel};
use crate::models::forest::ForestModel;
use crate::models::gaussian_nb::GaussianNbModel;
use crate::models::kmeans::KMeansModel;
use crate::models::knn::KnnModel;
use crate::models::mlp::{Activation, MlpModel};
use crate::models::tree::TreeModel;
use crate::onnx::import::build::Feat;
use crate::onnx::import::ImportError;
use crate::score::{BinarySvm, Kernel, LinearModel, LogisticModel, Model, SvmModel};

/// The family's subgraph over the features `x` (`p` wide).
pub(super) fn family(
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
                binarize: None,
            })
            .collect();
        let (found, _) = crate::onnx::import::svm::svm(n, feats)?;
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
