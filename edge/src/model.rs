//! Reads the parts of an artifact the scorer needs (the fitted pipeline, the model, the
//! class labels) from a parsed document into the core's own types, field for field as
//! their serde derives name them: one reader per model family, dispatched on the
//! registry's kind names. `tests.rs` checks the result equals the core's
//! `Artifact::from_bytes` for every model kind.

use crate::json::Json;
use driftlab::models::boosting::{BoostedTree, BoostingModel};
use driftlab::models::forest::ForestModel;
use driftlab::models::gaussian_nb::GaussianNbModel;
use driftlab::models::kmeans::KMeansModel;
use driftlab::models::knn::KnnModel;
use driftlab::models::linear::LinearModel;
use driftlab::models::logistic::LogisticModel;
use driftlab::models::mlp::{Activation, MlpModel};
use driftlab::models::svm::{BinarySvm, Kernel, OneVsOne, SvmModel};
use driftlab::models::tree::TreeModel;
use driftlab::models::{Model, ModelKind};
use driftlab::prep::{
    CrossOp, FittedColumn, FittedCross, FittedPipeline, FittedStep, Norm, Quoted, Unseen,
};
use driftlab::table::ColumnKind;

type R<T> = Result<T, String>;

fn field<'v, 'a>(v: &'v Json<'a>, key: &str) -> R<&'v Json<'a>> {
    v.get(key)
        .ok_or_else(|| format!("missing field {}", Quoted(key)))
}

fn f64_of(v: &Json<'_>, key: &str) -> R<f64> {
    field(v, key)?
        .as_f64()
        .ok_or_else(|| format!("{} must be a finite number", Quoted(key)))
}

/// Where `word` is among `options`, or "unknown {what} \"word\"" (one reader for every
/// closed list of names: a `match` with its own message each costs more bytes).
fn pick(word: &str, what: &str, options: &[&str]) -> R<usize> {
    options
        .iter()
        .position(|o| *o == word)
        .ok_or_else(|| format!("unknown {what} {}", Quoted(word)))
}

fn usize_of(v: &Json<'_>, key: &str) -> R<usize> {
    field(v, key)?
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("{} must be a non-negative integer", Quoted(key)))
}

fn str_of<'v>(v: &'v Json<'_>, key: &str) -> R<&'v str> {
    field(v, key)?
        .as_str()
        .ok_or_else(|| format!("{} must be a string", Quoted(key)))
}

fn array_of<'v, 'a>(v: &'v Json<'a>, key: &str) -> R<&'v [Json<'a>]> {
    field(v, key)?
        .as_array()
        .ok_or_else(|| format!("{} must be an array", Quoted(key)))
}

/// `f` over every item, stopping at the first error. A plain loop: `collect::<Result<..>>`
/// instantiates an iterator adapter per call site, which costs the edge scorer kilobytes.
fn map_all<'v, 'a, T>(items: &'v [Json<'a>], mut f: impl FnMut(&'v Json<'a>) -> R<T>) -> R<Vec<T>> {
    let mut out = Vec::with_capacity(items.len());
    for x in items {
        out.push(f(x)?);
    }
    Ok(out)
}

fn list<T>(v: &Json<'_>, key: &str, f: impl Fn(&Json<'_>) -> Option<T>) -> R<Vec<T>> {
    map_all(array_of(v, key)?, |x| {
        f(x).ok_or_else(|| format!("{} holds a value of the wrong type", Quoted(key)))
    })
}

fn f64s(v: &Json<'_>, key: &str) -> R<Vec<f64>> {
    list(v, key, |x| x.as_f64())
}

fn usizes(v: &Json<'_>, key: &str) -> R<Vec<usize>> {
    list(v, key, |x| x.as_u64().and_then(|n| usize::try_from(n).ok()))
}

fn strings(v: &Json<'_>, key: &str) -> R<Vec<String>> {
    list(v, key, |x| x.as_str().map(str::to_owned))
}

/// The class labels (`[]` when absent).
pub(crate) fn classes(doc: &Json<'_>) -> R<Vec<String>> {
    match doc.get("classes") {
        None => Ok(Vec::new()),
        Some(_) => strings(doc, "classes"),
    }
}

/// The fitted pipeline.
pub(crate) fn pipeline(v: &Json<'_>) -> R<FittedPipeline> {
    let target = match field(v, "target")? {
        Json::Null => None,
        t => Some(
            t.as_str()
                .ok_or("\"target\" must be a string or null")?
                .to_owned(),
        ),
    };
    let inputs = map_all(array_of(v, "inputs")?, |c| {
        let kind = [
            ColumnKind::Numeric,
            ColumnKind::Categorical,
            ColumnKind::Boolean,
        ][pick(
            str_of(c, "kind")?,
            "column kind",
            &["numeric", "categorical", "boolean"],
        )?];
        let s = field(c, "step")?;
        let names = ["numeric", "ordinal", "one_hot", "drop"];
        let step = match pick(str_of(s, "step")?, "pipeline step", &names)? {
            0 => FittedStep::Numeric {
                fill: f64_of(s, "fill")?,
                center: f64_of(s, "center")?,
                scale: f64_of(s, "scale")?,
                min: f64_of(s, "min")?,
                max: f64_of(s, "max")?,
                keep: match s.get("keep") {
                    None | Some(Json::Bool(false)) => false,
                    Some(Json::Bool(true)) => true,
                    _ => return Err("\"keep\" must be true or false".into()),
                },
                binarize: match s.get("binarize") {
                    None => None,
                    Some(_) => Some(f64_of(s, "binarize")?),
                },
            },
            1 => FittedStep::Ordinal {
                categories: strings(s, "categories")?,
                codes: f64s(s, "codes")?,
                default: f64_of(s, "default")?,
            },
            2 => FittedStep::OneHot {
                fill: str_of(s, "fill")?.to_owned(),
                categories: strings(s, "categories")?,
                unseen: [Unseen::Ignore, Unseen::Error]
                    [pick(str_of(s, "unseen")?, "unseen policy", &["ignore", "error"])?],
            },
            _ => FittedStep::Drop,
        };
        Ok(FittedColumn {
            name: str_of(c, "name")?.to_owned(),
            kind,
            step,
        })
    })?;
    // feature crosses, absent from pipelines without any
    let crosses = match v.get("crosses") {
        None => Vec::new(),
        Some(_) => map_all(array_of(v, "crosses")?, |c| {
            let op = [CrossOp::Square, CrossOp::Product, CrossOp::Sin][pick(
                str_of(c, "op")?,
                "feature cross",
                &["square", "product", "sin"],
            )?];
            Ok(FittedCross {
                op,
                of: usizes(c, "of")?,
            })
        })?,
    };
    Ok(FittedPipeline {
        target,
        inputs,
        features: strings(v, "features")?,
        crosses,
        // a row norm, absent from pipelines without one
        normalize: match v.get("normalize") {
            None => None,
            Some(_) => Some(
                [Norm::L1, Norm::L2, Norm::Max]
                    [pick(str_of(v, "normalize")?, "row norm", &["l1", "l2", "max"])?],
            ),
        },
    })
}

// One reader per family, as its fitted form's serde derive names the fields (the
// registry, `driftlab::models`, lists the kinds; `model` dispatches on its names).

fn logistic(v: &Json<'_>) -> R<LogisticModel> {
    Ok(LogisticModel {
        n_classes: usize_of(v, "n_classes")?,
        weights: f64s(v, "weights")?,
        intercepts: f64s(v, "intercepts")?,
        positive: usize_of(v, "positive")?,
    })
}

/// Ordinary least squares, and the elastic-net family (ridge, lasso, elasticnet).
fn linear(v: &Json<'_>) -> R<LinearModel> {
    Ok(LinearModel {
        weights: f64s(v, "weights")?,
        intercept: f64_of(v, "intercept")?,
    })
}

fn tree(v: &Json<'_>) -> R<TreeModel> {
    let i64s = |key| list(v, key, |x| x.as_i64());
    Ok(TreeModel {
        feature: usizes(v, "feature")?,
        threshold: f64s(v, "threshold")?,
        left: i64s("left")?,
        right: i64s("right")?,
        class: usizes(v, "class")?,
        distribution: f64s(v, "distribution")?,
        n_classes: usize_of(v, "n_classes")?,
        // absent unless the tree learned where missing values go
        missing: match v.get("missing") {
            None => None,
            Some(_) => Some(i64s("missing")?),
        },
    })
}

fn forest(v: &Json<'_>) -> R<ForestModel> {
    Ok(ForestModel {
        trees: map_all(array_of(v, "trees")?, tree)?,
        n_classes: usize_of(v, "n_classes")?,
        // absent from artifacts but those imported from scikit-learn's forests
        soft_voting: match v.get("soft_voting") {
            None => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err("\"soft_voting\" must be true or false".into()),
        },
    })
}

fn boosted_tree(v: &Json<'_>) -> R<BoostedTree> {
    let i64s = |key| list(v, key, |x| x.as_i64());
    Ok(BoostedTree {
        feature: usizes(v, "feature")?,
        threshold: f64s(v, "threshold")?,
        left: i64s("left")?,
        right: i64s("right")?,
        missing: i64s("missing")?,
        value: f64s(v, "value")?,
    })
}

fn boosting(v: &Json<'_>) -> R<BoostingModel> {
    Ok(BoostingModel {
        n_features: usize_of(v, "n_features")?,
        n_classes: usize_of(v, "n_classes")?,
        base_score: f64s(v, "base_score")?,
        learning_rate: f64_of(v, "learning_rate")?,
        trees: map_all(array_of(v, "trees")?, boosted_tree)?,
        importance: f64s(v, "importance")?,
    })
}

fn gaussian_nb(v: &Json<'_>) -> R<GaussianNbModel> {
    Ok(GaussianNbModel {
        means: f64s(v, "means")?,
        variances: f64s(v, "variances")?,
        priors: f64s(v, "priors")?,
    })
}

fn machine(v: &Json<'_>) -> R<BinarySvm> {
    let platt = match field(v, "platt")? {
        Json::Null => None,
        Json::Arr(ab) if ab.len() == 2 => Some((
            ab[0].as_f64().ok_or("\"platt\" must hold numbers")?,
            ab[1].as_f64().ok_or("\"platt\" must hold numbers")?,
        )),
        _ => return Err("\"platt\" must be null or a pair of numbers".into()),
    };
    Ok(BinarySvm {
        alpha: f64s(v, "alpha")?,
        support_vectors: f64s(v, "support_vectors")?,
        weights: f64s(v, "weights")?,
        rho: f64_of(v, "rho")?,
        platt,
    })
}

fn svm(v: &Json<'_>) -> R<SvmModel> {
    let k = field(v, "kernel")?;
    let kernel = match str_of(k, "type")? {
        "linear" => Kernel::Linear,
        "gaussian" => Kernel::Gaussian {
            eps: f64_of(k, "eps")?,
        },
        "polynomial" => Kernel::Polynomial {
            constant: f64_of(k, "constant")?,
            degree: f64_of(k, "degree")?,
        },
        t => return Err(format!("unknown svm kernel {}", Quoted(t))),
    };
    Ok(SvmModel {
        kernel,
        n_features: usize_of(v, "n_features")?,
        machines: map_all(array_of(v, "machines")?, machine)?,
        n_classes: usize_of(v, "n_classes")?,
        // absent but from scikit-learn's SVC imported through ONNX
        one_vs_one: match v.get("one_vs_one") {
            None => None,
            Some(o) => Some(OneVsOne {
                vectors_per_class: usizes(o, "vectors_per_class")?,
                support_vectors: f64s(o, "support_vectors")?,
                coefficients: f64s(o, "coefficients")?,
                rho: f64s(o, "rho")?,
                prob_a: f64s(o, "prob_a")?,
                prob_b: f64s(o, "prob_b")?,
                gamma: f64_of(o, "gamma")?,
            }),
        },
    })
}

fn knn(v: &Json<'_>) -> R<KnnModel> {
    Ok(KnnModel {
        k: usize_of(v, "k")?,
        points: f64s(v, "points")?,
        targets: f64s(v, "targets")?,
        n_classes: usize_of(v, "n_classes")?,
    })
}

fn kmeans(v: &Json<'_>) -> R<KMeansModel> {
    Ok(KMeansModel {
        n_features: usize_of(v, "n_features")?,
        centroids: f64s(v, "centroids")?,
    })
}

fn mlp(v: &Json<'_>) -> R<MlpModel> {
    let matrices = |key| {
        map_all(array_of(v, key)?, |layer| {
            let items = layer
                .as_array()
                .ok_or_else(|| format!("{} must hold arrays", Quoted(key)))?;
            map_all(items, |x| {
                x.as_f64()
                    .ok_or_else(|| format!("{} holds a value that is not a number", Quoted(key)))
            })
        })
    };
    let activations = map_all(array_of(v, "activations")?, |a| {
        // the fitted form's serde names (lowercase words)
        let i = pick(
            a.as_str().unwrap_or(""),
            "activation",
            &["tanh", "relu", "sigmoid", "linear"],
        )?;
        Ok([
            Activation::Tanh,
            Activation::Relu,
            Activation::Sigmoid,
            Activation::Linear,
        ][i])
    })?;
    Ok(MlpModel {
        sizes: usizes(v, "sizes")?,
        activations,
        weights: matrices("weights")?,
        biases: matrices("biases")?,
        n_classes: usize_of(v, "n_classes")?,
    })
}

/// The model, by its `kind` tag: the registry's kind, then that family's reader (a new
/// kind is a compile error here until its reader is written).
pub(crate) fn model(v: &Json<'_>) -> R<Model> {
    let name = str_of(v, "kind")?;
    let kind =
        ModelKind::from_name(name).ok_or_else(|| format!("unknown model kind {}", Quoted(name)))?;
    Ok(match kind {
        ModelKind::Logistic => Model::Logistic(logistic(v)?),
        ModelKind::Linear => Model::Linear(linear(v)?),
        ModelKind::Ridge => Model::Ridge(linear(v)?),
        ModelKind::Lasso => Model::Lasso(linear(v)?),
        ModelKind::Elasticnet => Model::Elasticnet(linear(v)?),
        ModelKind::Tree => Model::Tree(tree(v)?),
        ModelKind::Forest => Model::Forest(forest(v)?),
        ModelKind::Boosting => Model::Boosting(boosting(v)?),
        ModelKind::GaussianNb => Model::GaussianNb(gaussian_nb(v)?),
        ModelKind::Svm => Model::Svm(svm(v)?),
        ModelKind::Knn => Model::Knn(knn(v)?),
        ModelKind::Kmeans => Model::Kmeans(kmeans(v)?),
        ModelKind::Mlp => Model::Mlp(mlp(v)?),
    })
}
