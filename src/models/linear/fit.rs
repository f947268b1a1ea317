//! Fitting ordinary least squares through linfa-linear.

use linfa::prelude::*;
use linfa::traits::Fit;
use ndarray::{Array1, Array2};

use super::{Linear, LinearModel, LinearParams};
use crate::models::fit::regression;
use crate::models::{FitData, Reference, Trainer};
use crate::score::Prediction;
use crate::train::{Progress, TrainError};

impl Trainer for Linear {
    fn fit(
        params: &LinearParams,
        data: &FitData<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(LinearModel, Box<dyn Reference>), TrainError> {
        let yv = data.values()?;
        let ds = DatasetBase::new(data.x.view(), Array1::from(yv.to_vec()));
        let fitted = linfa_linear::LinearRegression::new()
            .with_intercept(params.fit_intercept)
            .fit(&ds)
            .map_err(|e| data.error(e))?;
        let model = LinearModel {
            weights: fitted.params().to_vec(),
            intercept: fitted.intercept(),
        };
        progress(Progress::fitted(None));
        Ok((model, Box::new(Ols(fitted))))
    }
}

struct Ols(linfa_linear::FittedLinearRegression<f64>);

impl Reference for Ols {
    fn predict(&self, x: &Array2<f64>) -> Vec<Prediction> {
        regression(self.0.predict(x))
    }
}
