//! Fitting Gaussian naive Bayes through linfa-bayes.

use linfa::prelude::*;
use linfa::traits::Fit;
use ndarray::{Array1, Array2, Axis};

use super::{GaussianNb, GaussianNbModel, GaussianNbParams};
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, TrainError};

impl Trainer for GaussianNb {
    fn fit(
        params: &GaussianNbParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(GaussianNbModel, Box<dyn Reference>), TrainError> {
        let x = data.x;
        let p = x.ncols();
        let (yi, k) = data.classes()?;
        if (0..k).any(|c| !yi.contains(&c)) {
            return Err(TrainError::MissingClass);
        }
        let ds = DatasetBase::new(x.view(), Array1::from(yi.to_vec()));
        let smoothing = params.var_smoothing;
        let fitted = linfa_bayes::GaussianNb::params()
            .var_smoothing(smoothing)
            .fit(&ds)
            .map_err(|e| data.error(e))?;
        // linfa keeps the statistics private; they are recomputed here with the same
        // ndarray operations (the parity test proves they agree).
        let var_all = x.var_axis(Axis(0), 0.0);
        let epsilon = smoothing * var_all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut means = Vec::with_capacity(k * p);
        let mut variances = Vec::with_capacity(k * p);
        let mut priors = Vec::with_capacity(k);
        for c in 0..k {
            let rows: Vec<usize> = (0..yi.len()).filter(|&i| yi[i] == c).collect();
            let xc = x.select(Axis(0), &rows);
            let mean = xc.mean_axis(Axis(0)).ok_or(TrainError::MissingClass)?;
            let var = xc.var_axis(Axis(0), 0.0);
            means.extend(mean.iter());
            variances.extend(var.iter().map(|v| v + epsilon));
            priors.push(rows.len() as f64 / yi.len() as f64);
        }
        progress(Progress::fitted(None));
        let model = GaussianNbModel {
            means,
            variances,
            priors,
        };
        Ok((model, Box::new(Linfa(fitted))))
    }
}

struct Linfa(linfa_bayes::GaussianNb<f64, usize>);

impl Reference for Linfa {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        use linfa_bayes::NaiveBayes;
        let v: Array1<usize> = self.0.predict(x);
        let (probs, _classes) = self.0.predict_proba(x.view());
        v.iter()
            .zip(probs.rows())
            .map(|(&c, p)| Prediction {
                value: c as f64,
                probabilities: p.to_vec(),
            })
            .collect()
    }
}
