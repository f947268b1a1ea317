//! Fitting support vector machines through linfa-svm: one machine per class
//! (one-vs-rest; one for two classes) with Platt scaling, or one ε-SVR.

use linfa::prelude::*;
use linfa::traits::Fit;
use ndarray::{Array1, Array2};

use super::{svm_combine, BinarySvm, Kernel, Svm, SvmKernel, SvmModel, SvmParams};
use crate::models::fit::regression;
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, Target, TrainError};

impl Trainer for Svm {
    fn fit(
        params: &SvmParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(SvmModel, Box<dyn Reference>), TrainError> {
        // linfa-svm fits owned matrices only
        let x = &data.x.to_owned();
        let kernel = kernel_of(params, x);
        let c = params.c;
        match data.y {
            Target::Classes { indices, labels } => {
                let k = labels.len();
                let machines_for: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
                let mut fitted = Vec::new();
                let mut machines = Vec::new();
                for (step, &class) in machines_for.iter().enumerate() {
                    let t: Vec<bool> = indices.iter().map(|&i| i == class).collect();
                    if !t.iter().any(|&b| b) || t.iter().all(|&b| b) {
                        return Err(TrainError::MissingClass);
                    }
                    let ds = DatasetBase::new(x.clone(), Array1::from(t));
                    let svm: linfa_svm::Svm<f64, Pr> = svm_builder::<Pr>(params, &kernel)
                        .pos_neg_weights(c, c)
                        .fit(&ds)
                        .map_err(|e| data.error(e))?;
                    let mut m = extract_machine(&svm, &kernel, x);
                    m.platt = Some(platt_coeffs(&svm).ok_or_else(|| {
                        data.error("could not read the Platt coefficients of the fitted SVM")
                    })?);
                    machines.push(m);
                    fitted.push(svm);
                    progress(Progress::step(
                        step as u64 + 1,
                        machines_for.len() as u64,
                        None,
                    ));
                }
                let model = SvmModel {
                    kernel,
                    n_features: x.ncols(),
                    machines,
                    n_classes: k,
                    one_vs_one: None,
                };
                Ok((model, Box::new(Classes(fitted, k))))
            }
            Target::Values(v) => {
                let ds = DatasetBase::new(x.clone(), Array1::from(v.clone()));
                let svm: linfa_svm::Svm<f64, f64> = svm_builder::<f64>(params, &kernel)
                    .c_svr(c, Some(params.epsilon))
                    .fit(&ds)
                    .map_err(|e| data.error(e))?;
                let m = extract_machine(&svm, &kernel, x);
                progress(Progress::fitted(None));
                let model = SvmModel {
                    kernel,
                    n_features: x.ncols(),
                    machines: vec![m],
                    n_classes: 0,
                    one_vs_one: None,
                };
                Ok((model, Box::new(Values(svm))))
            }
            Target::None => Err(TrainError::NeedsTarget(data.kind.name())),
        }
    }
}

/// linfa's one-vs-rest machines and the number of classes.
struct Classes(Vec<linfa_svm::Svm<f64, Pr>>, usize);

impl Reference for Classes {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        let per: Vec<Array1<Pr>> = self.0.iter().map(|m| m.predict(x)).collect();
        (0..x.nrows())
            .map(|i| {
                let probs: Vec<f64> = per.iter().map(|p| *p[i] as f64).collect();
                svm_combine(&probs, self.1)
            })
            .collect()
    }
}

/// linfa's ε-SVR.
struct Values(linfa_svm::Svm<f64, f64>);

impl Reference for Values {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        regression(self.0.predict(x))
    }
}

/// Reads `probability_coeffs: Some((a, b))` from linfa's `Debug` output: the Platt
/// coefficients are private in linfa-svm 0.8.1 and `Debug` prints floats exactly.
fn platt_coeffs<T: std::fmt::Debug>(svm: &linfa_svm::Svm<f64, T>) -> Option<(f64, f64)> {
    let text = format!("{svm:?}");
    let start = text.find("probability_coeffs: Some((")? + "probability_coeffs: Some((".len();
    let rest = &text[start..];
    let end = rest.find("))")?;
    let (a, b) = rest[..end].split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// The kernel of the fitted form; `gamma = 0` is scikit-learn's `"scale"`.
fn kernel_of(params: &SvmParams, x: &Array2<f64>) -> Kernel {
    match params.kernel {
        SvmKernel::Linear => Kernel::Linear,
        SvmKernel::Poly => Kernel::Polynomial {
            constant: params.coef0,
            degree: params.degree,
        },
        SvmKernel::Rbf => {
            let mut gamma = params.gamma;
            if gamma == 0.0 {
                let n = x.len() as f64;
                let mean = x.sum() / n;
                let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                gamma = if var > 0.0 {
                    1.0 / (x.ncols() as f64 * var)
                } else {
                    1.0
                };
            }
            Kernel::Gaussian { eps: 1.0 / gamma }
        }
    }
}

fn svm_builder<T>(params: &SvmParams, kernel: &Kernel) -> linfa_svm::SvmParams<f64, T> {
    let b = linfa_svm::Svm::<f64, T>::params().eps(params.tolerance);
    match *kernel {
        Kernel::Linear => b.linear_kernel(),
        Kernel::Gaussian { eps } => b.gaussian_kernel(eps),
        Kernel::Polynomial { constant, degree } => b.polynomial_kernel(constant, degree),
    }
}

/// The plain form of one fitted machine: support vectors and signed alphas (the training
/// rows whose |α| exceeds linfa's 100·ε cut), or the combined hyperplane for the linear kernel.
fn extract_machine<T>(svm: &linfa_svm::Svm<f64, T>, kernel: &Kernel, x: &Array2<f64>) -> BinarySvm {
    let cut = 100.0 * f64::EPSILON;
    let p = x.ncols();
    let mut alpha = Vec::new();
    let mut support_vectors = Vec::new();
    let mut weights = Vec::new();
    if matches!(kernel, Kernel::Linear) {
        // linfa: w += target(i)·α_raw(i)·xᵢ over every training row, in order; its alphas
        // are signed by the target already (in classification and regression alike).
        let mut w = Array1::<f64>::zeros(p);
        for (i, row) in x.rows().into_iter().enumerate() {
            w.scaled_add(svm.alpha[i], &row);
        }
        weights = w.to_vec();
    } else {
        for (i, &a) in svm.alpha.iter().enumerate() {
            if a.abs() > cut {
                alpha.push(a);
                support_vectors.extend(x.row(i).iter());
            }
        }
    }
    BinarySvm {
        alpha,
        support_vectors,
        weights,
        rho: svm.rho,
        platt: None,
    }
}
