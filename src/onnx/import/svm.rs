//! Support vector machines: ONNX-ML's SVMRegressor and SVMClassifier onto the svm family.
//!
//! | ONNX | driftlab |
//! | --- | --- |
//! | SVMRegressor, LINEAR, RBF or POLY (whole degrees 1–10; γ folded into the support vectors) | `svm` regressor (one machine, f64 arithmetic) |
//! | SVMClassifier with `vectors_per_class`, `prob_a`/`prob_b`, post NONE; LINEAR, RBF, or POLY of degree 2 or 3 (scikit-learn's `SVC(probability=True)`) | `svm` classifier with libsvm's one-vs-one machines ([`OneVsOne`]): onnxruntime's `f32` kernels, votes, pairwise Platt and pairwise coupling |
//! | SVMClassifier without `prob_a`/`prob_b` (`SVC(probability=False)`) | refused: onnxruntime outputs votes and raw decision values there, not probabilities, and driftlab's scorer, monitor and edge speak probabilities |
//! | SVMClassifier without `vectors_per_class` (liblinear's mode), SIGMOID kernels, other polynomial degrees, a post-transform | refused, naming what is read |
//!
//! The arrays' sizes are checked against each other before anything is built (a declared
//! count never sizes an allocation), so a hostile node gets an error naming the attribute.

use super::build::{class_labels, unsupported_pub as unsupported, Feat, Found, Out};
use super::graph::Node;
use super::ImportError;
use crate::models::svm::OneVsOne;
use crate::score::{BinarySvm, Kernel, Model, SvmModel};

/// Reads an SVMRegressor or an SVMClassifier (see the module docs).
pub(super) fn svm(node: &Node<'_>, feats: Vec<Feat>) -> Result<(Found, Vec<Out>), ImportError> {
    let p = feats.len();
    let kernel_type = node.string("kernel_type", "LINEAR")?;
    let params = node.floats("kernel_params")?;
    let sv = node.floats("support_vectors")?;
    let coef = node.floats("coefficients")?;
    let rho = node.floats("rho")?;
    for (name, v) in [
        ("kernel_params", &params),
        ("support_vectors", &sv),
        ("coefficients", &coef),
        ("rho", &rho),
    ] {
        if v.iter().any(|x| !x.is_finite()) {
            return Err(node.bad(format!("{name} holds a value that is not a finite number")));
        }
    }
    if p == 0 || sv.len() % p != 0 {
        return Err(node.bad(format!(
            "{} support vector values are not rows of {p} features",
            sv.len()
        )));
    }
    let n_sv = sv.len() / p;
    let gamma = params.first().copied().unwrap_or(0.0);
    let kernel = match kernel_type.as_str() {
        "LINEAR" => Kernel::Linear,
        "RBF" => {
            if gamma <= 0.0 {
                return Err(node.bad(format!("RBF gamma {gamma}")));
            }
            Kernel::Gaussian { eps: 1.0 / gamma }
        }
        "POLY" => {
            let degree = params.get(2).copied().unwrap_or(0.0);
            if node.op == "SVMClassifier" && degree != 2.0 && degree != 3.0 {
                return Err(unsupported(
                    node,
                    &format!("a polynomial kernel of degree {degree}; degrees 2 and 3 are read"),
                ));
            }
            // the regressor scores in f64 with `pow`: any whole degree from 1 to 10
            if !(degree.fract() == 0.0 && (1.0..=10.0).contains(&degree)) {
                return Err(unsupported(
                    node,
                    &format!("a polynomial kernel of degree {degree}; whole degrees from 1 to 10 are read"),
                ));
            }
            Kernel::Polynomial {
                constant: params.get(1).copied().unwrap_or(0.0),
                degree,
            }
        }
        other => {
            return Err(unsupported(
                node,
                &format!(
                    "kernel {other}; read are LINEAR, RBF and POLY kernels (SVMClassifier: POLY of degree 2 or 3)"
                ),
            ))
        }
    };
    if node.op == "SVMClassifier" {
        return classifier(node, feats, kernel, gamma, sv, coef, rho);
    }
    if coef.len() != n_sv || rho.len() != 1 || n_sv == 0 {
        return Err(unsupported(
            node,
            &format!(
                "{} coefficients and {} offsets for {n_sv} support vectors: read is one machine",
                coef.len(),
                rho.len()
            ),
        ));
    }
    if node.int("one_class", 0) != 0 {
        return Err(unsupported(node, "a one-class SVM (novelty detection)"));
    }
    // ONNX: Σ cᵢ K(svᵢ, x) + ρ; driftlab: Σ αᵢ K(svᵢ, x) − ρ'
    let mut machine = BinarySvm {
        alpha: coef.clone(),
        support_vectors: Vec::new(),
        weights: Vec::new(),
        rho: -rho[0],
        platt: None,
    };
    match kernel {
        Kernel::Linear => {
            let mut w = vec![0.0; p];
            for (c, row) in coef.iter().zip(sv.chunks_exact(p)) {
                for (wi, x) in w.iter_mut().zip(row) {
                    *wi += c * x;
                }
            }
            machine.weights = w;
        }
        // ONNX's (γ·x·sv + c)^d as driftlab's (x·sv' + c)^d with sv' = γ·sv (the product of
        // two f32 values is exact in f64)
        Kernel::Polynomial { .. } => {
            machine.support_vectors = sv.iter().map(|v| gamma * v).collect()
        }
        _ => machine.support_vectors = sv,
    }
    let model = SvmModel {
        kernel,
        n_features: p,
        machines: vec![machine],
        n_classes: 0,
        one_vs_one: None,
    };
    Ok((
        Found {
            model: Model::Svm(model),
            feats,
            classes: Vec::new(),
        },
        vec![Out::Value],
    ))
}

/// scikit-learn's `SVC(probability=True)`: libsvm's one-vs-one machines.
fn classifier(
    node: &Node<'_>,
    feats: Vec<Feat>,
    kernel: Kernel,
    gamma: f64,
    support_vectors: Vec<f64>,
    coefficients: Vec<f64>,
    rho: Vec<f64>,
) -> Result<(Found, Vec<Out>), ImportError> {
    let p = feats.len();
    let classes = class_labels(node)?;
    let k = classes.len();
    if k < 2 {
        return Err(node.bad(format!("{k} class labels; a classifier needs at least two")));
    }
    let per_class = node.ints("vectors_per_class");
    if per_class.is_empty() {
        return Err(unsupported(
            node,
            "an SVMClassifier without vectors_per_class (liblinear's mode, one weight row per class); read is libsvm's SVC, whose support vectors are listed per class",
        ));
    }
    let post = node.string("post_transform", "NONE")?;
    if post != "NONE" {
        return Err(unsupported(
            node,
            &format!("post_transform {post}; read is NONE, as skl2onnx writes an SVC"),
        ));
    }
    let prob_a = node.floats("prob_a")?;
    let prob_b = node.floats("prob_b")?;
    if prob_a.is_empty() && prob_b.is_empty() {
        return Err(unsupported(
            node,
            "an SVM classifier without Platt's prob_a and prob_b (scikit-learn's SVC(probability=False)): onnxruntime then outputs votes and raw decision values, not probabilities; fit the SVC with probability=True and convert it again",
        ));
    }
    if per_class.len() != k {
        return Err(node.bad(format!(
            "vectors_per_class has {} counts for {k} class labels",
            per_class.len()
        )));
    }
    let mut vectors_per_class = Vec::with_capacity(k);
    let mut n_sv = 0usize;
    for (c, &v) in per_class.iter().enumerate() {
        let v = usize::try_from(v)
            .map_err(|_| node.bad(format!("vectors_per_class[{c}] is {v}, not a count")))?;
        n_sv = n_sv
            .checked_add(v)
            .ok_or_else(|| node.bad("vectors_per_class adds up past any file's size"))?;
        vectors_per_class.push(v);
    }
    let pairs = k * (k - 1) / 2;
    let expect = |name: &str, got: usize, want: Option<usize>| {
        if Some(got) == want {
            Ok(())
        } else {
            Err(node.bad(format!(
                "{name} holds {got} values; {k} classes with {n_sv} support vectors of {p} features need {}",
                want.map_or("more than any file holds".into(), |w| w.to_string())
            )))
        }
    };
    if n_sv == 0 {
        return Err(node.bad("vectors_per_class counts no support vector"));
    }
    expect(
        "support_vectors",
        support_vectors.len(),
        n_sv.checked_mul(p),
    )?;
    expect("coefficients", coefficients.len(), n_sv.checked_mul(k - 1))?;
    expect("rho", rho.len(), Some(pairs))?;
    expect("prob_a", prob_a.len(), Some(pairs))?;
    expect("prob_b", prob_b.len(), Some(pairs))?;
    if prob_a.iter().chain(&prob_b).any(|x| !x.is_finite()) {
        return Err(node.bad("prob_a or prob_b holds a value that is not a finite number"));
    }
    let model = SvmModel {
        kernel,
        n_features: p,
        machines: Vec::new(),
        n_classes: k,
        one_vs_one: Some(OneVsOne {
            vectors_per_class,
            support_vectors,
            coefficients,
            rho,
            prob_a,
            prob_b,
            gamma,
        }),
    };
    Ok((
        Found {
            model: Model::Svm(model),
            feats,
            classes,
        },
        vec![Out::Label, Out::Probs],
    ))
}
