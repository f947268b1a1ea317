//! Each family's fitted form as ONNX nodes over the feature matrix (`[N, p]`, double).

use super::graph::{doubles, floats, int, ints, string, strings, tensor, Graph, ML};
use crate::models::boosting::BoostingModel;
use crate::models::gaussian_nb::GaussianNbModel;
use crate::models::kmeans::KMeansModel;
use crate::models::knn::KnnModel;
use crate::models::linear::LinearModel;
use crate::models::logistic::LogisticModel;
use crate::models::mlp::{Activation, MlpModel};
use crate::models::svm::{Kernel, OneVsOne, SvmModel};
use crate::models::tree::TreeModel;
use crate::models::Model;
use crate::onnx::proto::tensor_proto::DataType;

/// What a family's nodes leave for the graph's outputs.
pub(super) enum Scores {
    /// Class probabilities `[N, k]`, float or (when `double`) double.
    Classes {
        /// The tensor's name.
        probabilities: String,
        /// Whether it is double (else float).
        double: bool,
        /// The predicted class index `[N]` (int64) when it is not the most probable class
        /// (libsvm's one-vs-one votes); `None`: the most probable.
        votes: Option<String>,
    },
    /// The predicted value `[N, 1]`, float.
    Value(String),
    /// The cluster index `[N]` (int64) and the distance to each centroid `[N, k]` (float).
    Clusters {
        /// The nearest centroid.
        label: String,
        /// The distances.
        scores: String,
    },
}

/// The nodes of `model` reading `x` (`p` features). Every family has its graph.
pub(super) fn scores(g: &mut Graph, x: &str, p: usize, model: &Model) -> Scores {
    match model {
        Model::Logistic(m) => logistic(g, x, p, m),
        Model::Linear(m) | Model::Ridge(m) | Model::Lasso(m) | Model::Elasticnet(m) => {
            linear(g, x, m)
        }
        Model::Tree(m) => tree(g, x, m),
        Model::Forest(m) => forest(g, x, &m.trees, m.n_classes, m.soft_voting),
        Model::Boosting(m) => boosting(g, x, m),
        Model::GaussianNb(m) => gaussian_nb(g, x, p, m),
        Model::Kmeans(m) => kmeans(g, x, m),
        Model::Mlp(m) => mlp(g, x, m),
        Model::Svm(m) => svm(g, x, p, m),
        Model::Knn(m) => knn(g, x, p, m),
    }
}

/// `LinearClassifier`: two classes as `σ(±(w·x + b))` (the positive class's row `w`, the
/// other's `−w`, so the two probabilities sum to 1 as driftlab's do); more as a softmax of
/// one row of coefficients per class.
fn logistic(g: &mut Graph, x: &str, p: usize, m: &LogisticModel) -> Scores {
    let k = m.n_classes;
    let (coefficients, intercepts, post) = if k == 2 {
        let mut c = Vec::with_capacity(2 * p);
        let mut b = Vec::with_capacity(2);
        for class in 0..2 {
            let sign = if class == m.positive { 1.0 } else { -1.0 };
            c.extend(m.weights.iter().map(|w| (sign * w) as f32));
            b.push((sign * m.intercepts[0]) as f32);
        }
        (c, b, "LOGISTIC")
    } else {
        // driftlab keeps the weights feature-major (p × k), ONNX class-major (k × p)
        let mut c = Vec::with_capacity(k * p);
        for class in 0..k {
            c.extend((0..p).map(|j| m.weights[j * k + class] as f32));
        }
        (
            c,
            m.intercepts.iter().map(|&b| b as f32).collect(),
            "SOFTMAX",
        )
    };
    let out = g.node(
        ML,
        "LinearClassifier",
        &[x],
        2,
        vec![
            ints("classlabels_ints", (0..k as i64).collect()),
            floats("coefficients", coefficients),
            floats("intercepts", intercepts),
            int("multi_class", 0),
            string("post_transform", post),
        ],
    );
    Scores::Classes {
        probabilities: out[1].clone(),
        double: false,
        votes: None,
    }
}

/// `LinearRegressor`: `w·x + b`, on the features cast to float (onnxruntime implements it
/// for float inputs only).
fn linear(g: &mut Graph, x: &str, m: &LinearModel) -> Scores {
    let x = cast(g, x, DataType::Float);
    let y = g.node(
        ML,
        "LinearRegressor",
        &[&x],
        1,
        vec![
            floats(
                "coefficients",
                m.weights.iter().map(|&w| w as f32).collect(),
            ),
            floats("intercepts", vec![m.intercept as f32]),
            int("targets", 1),
        ],
    );
    Scores::Value(y[0].clone())
}

/// One tree's node arrays, as the tree families store them.
struct Nodes<'a> {
    feature: &'a [usize],
    threshold: &'a [f64],
    left: &'a [i64],
    right: &'a [i64],
    /// The child a missing value goes to (boosted trees, and trees trained on missing
    /// values); `None`: the right one (NaN is not less than any threshold).
    missing: Option<&'a [i64]>,
}

/// A `TreeEnsembleRegressor` (`SUM`, no post-transform) of `n_targets` outputs: the raw
/// sums, float `[N, n_targets]`. Thresholds, leaf weights and base values go in as double
/// tensors (`*_as_tensor`), so a row is routed by the same comparison driftlab makes.
/// `leaf(tree, node)` lists a leaf's `(target, weight)` pairs.
fn tree_ensemble(
    g: &mut Graph,
    x: &str,
    trees: &[Nodes],
    n_targets: usize,
    base: Option<&[f64]>,
    mut leaf: impl FnMut(usize, usize) -> Vec<(usize, f64)>,
) -> String {
    let (mut tree_ids, mut node_ids, mut features, mut modes) = (vec![], vec![], vec![], vec![]);
    let (mut values, mut trues, mut falses, mut tracks) = (vec![], vec![], vec![], vec![]);
    let (mut t_trees, mut t_nodes, mut t_ids, mut t_weights) = (vec![], vec![], vec![], vec![]);
    for (t, n) in trees.iter().enumerate() {
        for i in 0..n.left.len() {
            tree_ids.push(t as i64);
            node_ids.push(i as i64);
            if n.left[i] < 0 {
                modes.push("LEAF");
                features.push(0);
                values.push(0.0);
                trues.push(0);
                falses.push(0);
                tracks.push(0);
                for (target, w) in leaf(t, i) {
                    t_trees.push(t as i64);
                    t_nodes.push(i as i64);
                    t_ids.push(target as i64);
                    t_weights.push(w);
                }
            } else {
                modes.push("BRANCH_LT");
                features.push(n.feature[i] as i64);
                values.push(n.threshold[i]);
                trues.push(n.left[i]);
                falses.push(n.right[i]);
                tracks.push(i64::from(n.missing.is_some_and(|m| m[i] == n.left[i])));
            }
        }
    }
    let mut attrs = vec![
        string("aggregate_function", "SUM"),
        int("n_targets", n_targets as i64),
        ints("nodes_falsenodeids", falses),
        ints("nodes_featureids", features),
        ints("nodes_missing_value_tracks_true", tracks),
        strings("nodes_modes", &modes),
        ints("nodes_nodeids", node_ids),
        ints("nodes_treeids", tree_ids),
        ints("nodes_truenodeids", trues),
        tensor("nodes_values_as_tensor", doubles(&[values.len()], &values)),
        string("post_transform", "NONE"),
        ints("target_ids", t_ids),
        ints("target_nodeids", t_nodes),
        ints("target_treeids", t_trees),
        tensor(
            "target_weights_as_tensor",
            doubles(&[t_weights.len()], &t_weights),
        ),
    ];
    if let Some(b) = base {
        attrs.push(tensor("base_values_as_tensor", doubles(&[b.len()], b)));
    }
    g.node(ML, "TreeEnsembleRegressor", &[x], 1, attrs)
        .remove(0)
}

fn tree_nodes(t: &TreeModel) -> Nodes<'_> {
    Nodes {
        feature: &t.feature,
        threshold: &t.threshold,
        left: &t.left,
        right: &t.right,
        missing: t.missing.as_deref(),
    }
}

/// A decision tree: each leaf's class distribution, one target per class.
fn tree(g: &mut Graph, x: &str, m: &TreeModel) -> Scores {
    let k = m.n_classes;
    let probabilities = tree_ensemble(g, x, &[tree_nodes(m)], k, None, |_, node| {
        (0..k)
            .map(|c| (c, m.distribution[node * k + c]))
            .filter(|&(_, w)| w != 0.0)
            .collect()
    });
    Scores::Classes {
        probabilities,
        double: false,
        votes: None,
    }
}

/// A forest: each leaf votes 1 for its class; the votes (exact in float) divided by the
/// number of trees are driftlab's vote fractions. A soft-voting forest (imported from
/// scikit-learn) sums its leaves' class distributions instead, divided the same way: the
/// mean of the trees' probabilities, as skl2onnx writes scikit-learn's forests.
fn forest(g: &mut Graph, x: &str, trees: &[TreeModel], k: usize, soft: bool) -> Scores {
    let nodes: Vec<Nodes> = trees.iter().map(tree_nodes).collect();
    let votes = tree_ensemble(g, x, &nodes, k, None, |t, node| {
        let tree = &trees[t];
        if soft {
            (0..k)
                .map(|c| (c, tree.distribution[node * k + c]))
                .filter(|&(_, w)| w != 0.0)
                .collect()
        } else if tree.class[node] < k {
            vec![(tree.class[node], 1.0)]
        } else {
            Vec::new()
        }
    });
    let n = g.floats("trees", &[], &[trees.len() as f32]);
    Scores::Classes {
        probabilities: g.op("Div", &[&votes, &n], vec![]),
        double: false,
        votes: None,
    }
}

/// Boosted trees: the raw sums from the base score (missing values routed as trained),
/// then the link in double: identity, the sigmoid as `[1 − p, p]`, or the softmax.
fn boosting(g: &mut Graph, x: &str, m: &BoostingModel) -> Scores {
    let outputs = m.outputs();
    let nodes: Vec<Nodes> = m
        .trees
        .iter()
        .map(|t| Nodes {
            feature: &t.feature,
            threshold: &t.threshold,
            left: &t.left,
            right: &t.right,
            missing: Some(&t.missing),
        })
        .collect();
    let raw = tree_ensemble(g, x, &nodes, outputs, Some(&m.base_score), |t, node| {
        vec![(t % outputs, m.trees[t].value[node])]
    });
    match m.n_classes {
        0 => Scores::Value(raw),
        2 => {
            let raw = cast(g, &raw, DataType::Double);
            let p = g.op("Sigmoid", &[&raw], vec![]);
            let one = g.doubles("one", &[], &[1.0]);
            let q = g.op("Sub", &[&one, &p], vec![]);
            Scores::Classes {
                probabilities: g.op("Concat", &[&q, &p], vec![int("axis", 1)]),
                double: true,
                votes: None,
            }
        }
        _ => {
            let raw = cast(g, &raw, DataType::Double);
            Scores::Classes {
                probabilities: g.op("Softmax", &[&raw], vec![int("axis", 1)]),
                double: true,
                votes: None,
            }
        }
    }
}

/// `x` as `to`.
pub(super) fn cast(g: &mut Graph, x: &str, to: DataType) -> String {
    g.op("Cast", &[x], vec![int("to", to as i64)])
}

/// The squared distance of every row to every one of `k` centres (`[k, p]`), optionally
/// weighted per centre and feature: `Σ_j w_cj (x_j − c_cj)²`, double `[N, k]`.
fn distances(g: &mut Graph, x: &str, p: usize, centres: &[f64], weights: Option<&[f64]>) -> String {
    let k = centres.len() / p.max(1);
    let axis = g.ints("axis", &[1], &[1]);
    let x3 = g.op("Unsqueeze", &[x, &axis], vec![]);
    let c = g.doubles("centres", &[k, p], centres);
    let d = g.op("Sub", &[&x3, &c], vec![]);
    let mut sq = g.op("Mul", &[&d, &d], vec![]);
    if let Some(w) = weights {
        let w = g.doubles("weights", &[k, p], w);
        sq = g.op("Mul", &[&sq, &w], vec![]);
    }
    let last = g.ints("axis", &[1], &[2]);
    g.op("ReduceSum", &[&sq, &last], vec![int("keepdims", 0)])
}

/// Gaussian naive Bayes: `ln prior − ½ Σ ln(2πσ²) − ½ Σ (x − μ)²/σ²` per class, softmaxed.
fn gaussian_nb(g: &mut Graph, x: &str, p: usize, m: &GaussianNbModel) -> Scores {
    let k = m.priors.len();
    let inverse: Vec<f64> = m.variances.iter().map(|s| 1.0 / s).collect();
    let constants: Vec<f64> = (0..k)
        .map(|c| {
            let logs: f64 = m.variances[c * p..(c + 1) * p]
                .iter()
                .map(|s| libm::log(2.0 * std::f64::consts::PI * s))
                .sum();
            libm::log(m.priors[c]) - 0.5 * logs
        })
        .collect();
    let s = distances(g, x, p, &m.means, Some(&inverse));
    let half = g.doubles("half", &[], &[0.5]);
    let s = g.op("Mul", &[&s, &half], vec![]);
    let c = g.doubles("constants", &[k], &constants);
    let jll = g.op("Sub", &[&c, &s], vec![]);
    Scores::Classes {
        probabilities: g.op("Softmax", &[&jll], vec![int("axis", 1)]),
        double: true,
        votes: None,
    }
}

/// k-means: the nearest centroid (first on ties, as driftlab) and the Euclidean distance
/// to each (scikit-learn's `transform`, skl2onnx's `scores`).
fn kmeans(g: &mut Graph, x: &str, m: &KMeansModel) -> Scores {
    let s = distances(g, x, m.n_features, &m.centroids, None);
    let label = g.op("ArgMin", &[&s], vec![int("axis", 1), int("keepdims", 0)]);
    let d = g.op("Sqrt", &[&s], vec![]);
    Scores::Clusters {
        label,
        scores: cast(g, &d, DataType::Float),
    }
}

/// A network: `Gemm` (weights `n_out × n_in`, transposed) and the activation per hidden
/// layer, in double; the output softmaxed (classes) or as is (one value).
fn mlp(g: &mut Graph, x: &str, m: &MlpModel) -> Scores {
    let mut h = x.to_string();
    for l in 0..m.depth() {
        let (n_in, n_out) = (m.sizes[l], m.sizes[l + 1]);
        let w = g.doubles("weights", &[n_out, n_in], &m.weights[l]);
        let b = g.doubles("biases", &[n_out], &m.biases[l]);
        h = g.op("Gemm", &[&h, &w, &b], vec![int("transB", 1)]);
        h = match m.activations.get(l) {
            Some(Activation::Tanh) => g.op("Tanh", &[&h], vec![]),
            Some(Activation::Relu) => g.op("Relu", &[&h], vec![]),
            Some(Activation::Sigmoid) => g.op("Sigmoid", &[&h], vec![]),
            Some(Activation::Linear) | None => h,
        };
    }
    if m.n_classes == 0 {
        Scores::Value(cast(g, &h, DataType::Float))
    } else {
        Scores::Classes {
            probabilities: g.op("Softmax", &[&h], vec![int("axis", 1)]),
            double: true,
            votes: None,
        }
    }
}

/// A support vector machine, in double: every machine's decision value `Σ αᵢ K(svᵢ, x) − ρ`
/// (`w·x − ρ` for the linear kernel) as one `MatMul` over the support vectors of all
/// machines stacked (each machine's α in its own column), then Platt's `1 / (1 + e^(a·f + b))`
/// per machine, combined as driftlab does: `[1 − p, p]` for two classes, the one-vs-rest
/// probabilities normalised to sum to 1 for more, the decision value for a regressor.
/// (driftlab computes Platt's probability in float, as linfa does: onnxruntime's double
/// differs from it by float's rounding, a few 1e-8.)
fn svm(g: &mut Graph, x: &str, p: usize, m: &SvmModel) -> Scores {
    if let Some(o) = &m.one_vs_one {
        return svm_one_vs_one(g, x, m, o);
    }
    let machines = m.machines.len();
    let decision = match m.kernel {
        Kernel::Linear => {
            // W: p × machines
            let mut w = vec![0.0; p * machines];
            for (c, s) in m.machines.iter().enumerate() {
                for (j, v) in s.weights.iter().enumerate() {
                    w[j * machines + c] = *v;
                }
            }
            let w = g.doubles("weights", &[p, machines], &w);
            g.op("MatMul", &[x, &w], vec![])
        }
        Kernel::Gaussian { eps } => {
            let (vectors, alpha, total) = stacked(m, p);
            let d = distances(g, x, p, &vectors, None);
            let eps = g.doubles("eps", &[], &[-eps]);
            let z = g.op("Div", &[&d, &eps], vec![]);
            let k = g.op("Exp", &[&z], vec![]);
            let alpha = g.doubles("alpha", &[total, machines], &alpha);
            g.op("MatMul", &[&k, &alpha], vec![])
        }
        Kernel::Polynomial { constant, degree } => {
            let (vectors, alpha, total) = stacked(m, p);
            let sv = g.doubles("support_vectors", &[total, p], &vectors);
            let dot = g.op("Gemm", &[x, &sv], vec![int("transB", 1)]);
            let c = g.doubles("constant", &[], &[constant]);
            let z = g.op("Add", &[&dot, &c], vec![]);
            let d = g.doubles("degree", &[], &[degree]);
            let k = g.op("Pow", &[&z, &d], vec![]);
            let alpha = g.doubles("alpha", &[total, machines], &alpha);
            g.op("MatMul", &[&k, &alpha], vec![])
        }
    };
    let rho: Vec<f64> = m.machines.iter().map(|s| s.rho).collect();
    let rho = g.doubles("rho", &[machines], &rho);
    let f = g.op("Sub", &[&decision, &rho], vec![]);
    if m.n_classes == 0 {
        return Scores::Value(cast(g, &f, DataType::Float));
    }
    let (a, b): (Vec<f64>, Vec<f64>) = m
        .machines
        .iter()
        .map(|s| s.platt.unwrap_or((0.0, 0.0)))
        .unzip();
    // p = 1 / (1 + e^(a·f + b)) = σ(−(a·f + b))
    let a = g.doubles(
        "platt_a",
        &[machines],
        &a.iter().map(|v| -v).collect::<Vec<_>>(),
    );
    let b = g.doubles(
        "platt_b",
        &[machines],
        &b.iter().map(|v| -v).collect::<Vec<_>>(),
    );
    let z = g.op("Mul", &[&f, &a], vec![]);
    let z = g.op("Add", &[&z, &b], vec![]);
    let q = g.op("Sigmoid", &[&z], vec![]);
    let probabilities = if m.n_classes == 2 {
        let one = g.doubles("one", &[], &[1.0]);
        let r = g.op("Sub", &[&one, &q], vec![]);
        g.op("Concat", &[&r, &q], vec![int("axis", 1)])
    } else {
        let axis = g.ints("axis", &[1], &[1]);
        let total = g.op("ReduceSum", &[&q, &axis], vec![int("keepdims", 1)]);
        g.op("Div", &[&q, &total], vec![])
    };
    Scores::Classes {
        probabilities,
        double: true,
        votes: None,
    }
}

/// An imported scikit-learn SVC written back as the SVMClassifier it came from: its
/// attributes are `f32` values, kept exactly, so onnxruntime scores it as it scored the
/// original (its class index is the vote winner, which the label follows).
fn svm_one_vs_one(g: &mut Graph, x: &str, m: &SvmModel, o: &OneVsOne) -> Scores {
    let f32s = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<f32>>();
    let (kernel, constant, degree) = match m.kernel {
        Kernel::Linear => ("LINEAR", 0.0, 0.0),
        Kernel::Gaussian { .. } => ("RBF", 0.0, 0.0),
        Kernel::Polynomial { constant, degree } => ("POLY", constant, degree),
    };
    let attrs = vec![
        ints("classlabels_ints", (0..m.n_classes as i64).collect()),
        floats("coefficients", f32s(&o.coefficients)),
        floats("kernel_params", f32s(&[o.gamma, constant, degree])),
        string("kernel_type", kernel),
        string("post_transform", "NONE"),
        floats("prob_a", f32s(&o.prob_a)),
        floats("prob_b", f32s(&o.prob_b)),
        floats("rho", f32s(&o.rho)),
        floats("support_vectors", f32s(&o.support_vectors)),
        ints(
            "vectors_per_class",
            o.vectors_per_class.iter().map(|v| *v as i64).collect(),
        ),
    ];
    let mut out = g.node(ML, "SVMClassifier", &[x], 2, attrs);
    let probabilities = out.remove(1);
    Scores::Classes {
        probabilities,
        double: false,
        votes: Some(out.remove(0)),
    }
}

/// The support vectors of every machine stacked (`total × p`), and their α as a
/// `total × machines` matrix with each machine's in its own column.
fn stacked(m: &SvmModel, p: usize) -> (Vec<f64>, Vec<f64>, usize) {
    let machines = m.machines.len();
    let total: usize = m.machines.iter().map(|s| s.alpha.len()).sum();
    let mut vectors = Vec::with_capacity(total * p);
    let mut alpha = vec![0.0; total * machines];
    let mut row = 0;
    for (c, s) in m.machines.iter().enumerate() {
        vectors.extend_from_slice(&s.support_vectors);
        for a in &s.alpha {
            alpha[row * machines + c] = *a;
            row += 1;
        }
    }
    (vectors, alpha, total)
}

/// k nearest neighbours: the squared distance to every stored row, `TopK` of the smallest
/// (ties to the lower stored index, as driftlab's search breaks them), their targets
/// gathered, then the vote fractions (classes) or the mean (a regressor). The graph holds
/// every stored row, as the artifact does.
fn knn(g: &mut Graph, x: &str, p: usize, m: &KnnModel) -> Scores {
    let n = m.targets.len();
    let k = m.k.min(n).max(1);
    let d = distances(g, x, p, &m.points, None);
    let kk = g.ints("k", &[1], &[k as i64]);
    let top = g.node(
        "",
        "TopK",
        &[&d, &kk],
        2,
        vec![int("axis", 1), int("largest", 0), int("sorted", 1)],
    );
    let targets = g.doubles("targets", &[n], &m.targets);
    let near = g.op("Gather", &[&targets, &top[1]], vec![int("axis", 0)]);
    if m.n_classes == 0 {
        let axis = g.ints("axis", &[1], &[1]);
        let mean = g.op("ReduceMean", &[&near, &axis], vec![int("keepdims", 1)]);
        return Scores::Value(cast(g, &mean, DataType::Float));
    }
    let classes: Vec<f64> = (0..m.n_classes).map(|c| c as f64).collect();
    let classes = g.doubles("classes", &[m.n_classes], &classes);
    let last = g.ints("axis", &[1], &[2]);
    let near = g.op("Unsqueeze", &[&near, &last], vec![]);
    let hit = g.op("Equal", &[&near, &classes], vec![]);
    let hit = cast(g, &hit, DataType::Double);
    let axis = g.ints("axis", &[1], &[1]);
    let votes = g.op("ReduceSum", &[&hit, &axis], vec![int("keepdims", 0)]);
    let total = g.doubles("k", &[], &[k as f64]);
    Scores::Classes {
        probabilities: g.op("Div", &[&votes, &total], vec![]),
        double: true,
        votes: None,
    }
}
