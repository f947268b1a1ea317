//! Fitting the elastic-net family through linfa-elasticnet's coordinate descent.

use linfa::prelude::*;
use linfa::traits::Fit;
use ndarray::{Array1, Array2};

use super::{ElasticNet, ElasticNetParams, Lasso, PenaltyParams, Ridge};
use crate::models::fit::regression;
use crate::models::linear::LinearModel;
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, TrainError};

impl Trainer for Ridge {
    fn fit(
        params: &PenaltyParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
        fit(&with_l1_ratio(params, 0.0), data, progress)
    }
}

impl Trainer for Lasso {
    fn fit(
        params: &PenaltyParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
        fit(&with_l1_ratio(params, 1.0), data, progress)
    }
}

impl Trainer for ElasticNet {
    fn fit(
        params: &ElasticNetParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
        fit(params, data, progress)
    }
}

/// Ridge's or lasso's parameters as the elastic net's.
fn with_l1_ratio(p: &PenaltyParams, l1_ratio: f64) -> ElasticNetParams {
    ElasticNetParams {
        alpha: p.alpha,
        l1_ratio,
        max_iterations: p.max_iterations,
        tolerance: p.tolerance,
        fit_intercept: p.fit_intercept,
    }
}

fn fit(
    params: &ElasticNetParams,
    data: &FitData<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
    let yv = data.values()?;
    let ds = DatasetBase::new(data.x.view(), Array1::from(yv.to_vec()));
    let fitted = linfa_elasticnet::ElasticNet::params()
        .penalty(params.alpha)
        .l1_ratio(params.l1_ratio)
        .max_iterations(params.max_iterations.min(u32::MAX as u64) as u32)
        .tolerance(params.tolerance)
        .with_intercept(params.fit_intercept)
        .fit(&ds)
        .map_err(|e| data.error(e))?;
    let model = LinearModel {
        weights: fitted.hyperplane().to_vec(),
        intercept: fitted.intercept(),
    };
    progress(Progress::fitted(None));
    Ok((model, Box::new(Net(fitted))))
}

struct Net(linfa_elasticnet::ElasticNet<f64>);

impl Reference for Net {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        regression(self.0.predict(x))
    }
}
