//! Metrics that judge a model: classification, regression and clustering scores, ROC and
//! precision–recall curves, a cost-aware threshold table, reliability (calibration) bins
//! and a per-class report.
//!
//! Every definition follows scikit-learn's (1.9), so that a number shown in driftlab can be
//! cross-checked there; `tests/parity_metrics.rs` compares against fixtures written by
//! `scripts/fixtures_models.py`. The places where definitions differ between libraries:
//!
//! - **ROC AUC with tied scores**: rows with equal scores form one step of the curve and the
//!   area under that step is a trapezoid, which equals the Mann–Whitney probability with
//!   ties counted as one half (`roc_auc_score`). Multiclass AUC is one-vs-rest, macro
//!   averaged (`multi_class="ovr", average="macro"`).
//! - **Average precision** is the step sum `Σ (Rₙ − Rₙ₋₁) · Pₙ` over distinct thresholds, with
//!   no interpolation (`average_precision_score`); multiclass is one-vs-rest, macro.
//! - **Log loss** clips every probability into `[ε, 1 − ε]` with `ε = f64::EPSILON`
//!   (`2.22e-16`) and does not renormalise rows (`log_loss` since 1.5).
//! - **Brier score**: binary is the mean squared error of the positive-class probability;
//!   multiclass is the mean over rows of `Σₖ (pₖ − yₖ)²` (`brier_score_loss`, whose
//!   `scale_by_half="auto"` gives exactly these two).
//! - **Precision, recall, F1** use the positive class for two classes and the macro average
//!   for more; a zero denominator gives 0 (scikit-learn's `zero_division` default). F1 is
//!   `2·tp / (2·tp + fp + fn)`. Macro and weighted averages run over the labels that occur in
//!   the true or the predicted labels, as scikit-learn does when `labels` is not given.
//! - **MAPE** divides by `max(|y|, ε)` (`mean_absolute_percentage_error`); it is a fraction,
//!   not a percentage.
//! - **Silhouette** uses Euclidean distance; a row alone in its cluster scores 0. A
//!   clustering's test metrics measure it on a seeded sample of [`SILHOUETTE_SAMPLE`] rows
//!   when the test split is larger (`silhouette_score(sample_size=…)`).
//! - **Calibration** bins are `n_bins` equal-width bins of `[0, 1]`; a probability equal to an
//!   inner edge falls in the lower bin (`calibration_curve(strategy="uniform")`).

mod columns;
pub use columns::{from_table, Predicted};
mod cluster;
pub use cluster::{inertia, silhouette, silhouette_sampled, SILHOUETTE_SAMPLE, SILHOUETTE_SEED};
mod thin;
pub use thin::{thin, CURVE_TOLERANCE};

use serde::{Deserialize, Serialize};

/// Errors from computing metrics: what is wrong with the inputs and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// Two inputs that must have one entry per row have different lengths.
    #[error("{what} has {got} entries but there are {expected} rows; pass one per row")]
    LengthMismatch {
        /// Which input is the wrong length.
        what: &'static str,
        /// The number of rows.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// There are no rows to score.
    #[error("no rows to compute metrics on; pass at least one row")]
    Empty,
    /// A column that is absent, of the wrong kind, or holds a missing cell.
    #[error("{0}")]
    Column(String),
    /// A metric that needs both classes was given only one (ROC AUC, average precision).
    #[error("{metric} is undefined when the true labels hold only one class; evaluate on rows of both classes")]
    SingleClass {
        /// The metric that is undefined.
        metric: &'static str,
    },
    /// A label index is not below the number of classes.
    #[error("row {row}: class index {index} is out of range for {n_classes} classes")]
    BadLabel {
        /// The row.
        row: usize,
        /// The index found.
        index: usize,
        /// The number of classes.
        n_classes: usize,
    },
    /// A score, probability or value is NaN or infinite (or a probability lies outside [0, 1]).
    #[error("row {row}: {what} {value} is not valid; scores must be finite and probabilities within [0, 1]")]
    InvalidValue {
        /// The row.
        row: usize,
        /// What the value is.
        what: &'static str,
        /// The value found.
        value: f64,
    },
    /// A parameter is out of range.
    #[error("{0}")]
    InvalidParameter(String),
}

/// The result type of this module.
pub type Result<T> = std::result::Result<T, MetricsError>;

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected != got {
        return Err(MetricsError::LengthMismatch {
            what,
            expected,
            got,
        });
    }
    Ok(())
}

fn check_labels(y: &[usize], n_classes: usize) -> Result<()> {
    for (row, &index) in y.iter().enumerate() {
        if index >= n_classes {
            return Err(MetricsError::BadLabel {
                row,
                index,
                n_classes,
            });
        }
    }
    Ok(())
}

fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    for (row, &value) in values.iter().enumerate() {
        if !value.is_finite() {
            return Err(MetricsError::InvalidValue { row, what, value });
        }
    }
    Ok(())
}

fn check_probabilities(values: &[f64], per_row: usize) -> Result<()> {
    for (i, &value) in values.iter().enumerate() {
        if !(0.0..=1.0).contains(&value) {
            return Err(MetricsError::InvalidValue {
                row: i / per_row.max(1),
                what: "probability",
                value,
            });
        }
    }
    Ok(())
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// A confusion matrix: `matrix[true][predicted]` counts, with the class labels in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ConfusionMatrix {
    /// Class labels, in the order of rows and columns.
    pub labels: Vec<String>,
    /// Counts; rows are the true label, columns the predicted label.
    pub matrix: Vec<Vec<u64>>,
}

/// Counts `matrix[true][predicted]` over `n_classes` classes.
pub fn confusion_counts(
    y_true: &[usize],
    y_pred: &[usize],
    n_classes: usize,
) -> Result<Vec<Vec<u64>>> {
    check_len("predictions", y_true.len(), y_pred.len())?;
    check_labels(y_true, n_classes)?;
    check_labels(y_pred, n_classes)?;
    let mut matrix = vec![vec![0u64; n_classes]; n_classes];
    for (&t, &p) in y_true.iter().zip(y_pred) {
        matrix[t][p] += 1;
    }
    Ok(matrix)
}

/// Fraction of rows whose predicted class equals the true class.
pub fn accuracy(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    check_len("predictions", y_true.len(), y_pred.len())?;
    if y_true.is_empty() {
        return Err(MetricsError::Empty);
    }
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(correct as f64 / y_true.len() as f64)
}

/// Precision, recall, F1 and support of one class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ClassReport {
    /// The class label.
    pub label: String,
    /// `tp / (tp + fp)`, 0 when nothing was predicted as this class.
    pub precision: f64,
    /// `tp / (tp + fn)`, 0 when the class does not occur.
    pub recall: f64,
    /// `2·tp / (2·tp + fp + fn)`, 0 when the denominator is 0.
    pub f1: f64,
    /// Number of rows whose true label is this class.
    pub support: u64,
}

/// Per-class precision, recall, F1 and support from a confusion matrix (one entry per label).
pub fn per_class_report(matrix: &[Vec<u64>], labels: &[String]) -> Vec<ClassReport> {
    let k = matrix.len();
    (0..k)
        .map(|c| {
            let tp = matrix[c][c] as f64;
            let support: u64 = matrix[c].iter().sum();
            let predicted: u64 = matrix.iter().map(|row| row[c]).sum();
            let fp = predicted as f64 - tp;
            let fne = support as f64 - tp;
            ClassReport {
                label: labels.get(c).cloned().unwrap_or_else(|| c.to_string()),
                precision: ratio(tp, tp + fp),
                recall: ratio(tp, tp + fne),
                f1: ratio(2.0 * tp, 2.0 * tp + fp + fne),
                support,
            }
        })
        .collect()
}

/// Indices of the classes that occur in the true or the predicted labels.
fn present(matrix: &[Vec<u64>]) -> Vec<usize> {
    (0..matrix.len())
        .filter(|&c| matrix[c].iter().sum::<u64>() > 0 || matrix.iter().any(|row| row[c] > 0))
        .collect()
}

/// The sorted binary classification curve of scikit-learn's `_binary_clf_curve`: for each
/// distinct score (descending), the cumulative false and true positives at that threshold.
struct ClfCurve {
    fps: Vec<f64>,
    tps: Vec<f64>,
    thresholds: Vec<f64>,
}

fn binary_clf_curve(y_true: &[bool], scores: &[f64]) -> Result<ClfCurve> {
    check_len("scores", y_true.len(), scores.len())?;
    if y_true.is_empty() {
        return Err(MetricsError::Empty);
    }
    check_finite("score", scores)?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // Descending by score; ties keep a fixed order (their order does not change the curve).
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut fps = Vec::new();
    let mut tps = Vec::new();
    let mut thresholds = Vec::new();
    let mut tp = 0.0;
    for (i, &row) in order.iter().enumerate() {
        if y_true[row] {
            tp += 1.0;
        }
        let last = i + 1 == order.len() || scores[order[i + 1]] != scores[row];
        if last {
            tps.push(tp);
            fps.push((i + 1) as f64 - tp);
            thresholds.push(scores[row]);
        }
    }
    Ok(ClfCurve {
        fps,
        tps,
        thresholds,
    })
}

/// A ROC curve, as scikit-learn's `roc_curve(drop_intermediate=True)` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct RocCurve {
    /// False positive rates, increasing from 0 to 1.
    pub fpr: Vec<f64>,
    /// True positive rates, increasing from 0 to 1.
    pub tpr: Vec<f64>,
    /// Score thresholds (predict positive when `score >= threshold`), decreasing; the first
    /// is `+∞` (written as `null` in JSON), the point where nothing is predicted positive.
    pub thresholds: Vec<f64>,
}

/// The ROC curve of `scores` for the positive rows of `y_true`; needs both classes.
pub fn roc_curve(y_true: &[bool], scores: &[f64]) -> Result<RocCurve> {
    let c = binary_clf_curve(y_true, scores)?;
    let n = c.tps.len();
    // Drop points collinear with their neighbours, as scikit-learn does.
    let mut keep = Vec::with_capacity(n);
    for i in 0..n {
        let edge = i == 0 || i + 1 == n;
        let bend = !edge
            && ((c.fps[i + 1] - c.fps[i]) - (c.fps[i] - c.fps[i - 1]) != 0.0
                || (c.tps[i + 1] - c.tps[i]) - (c.tps[i] - c.tps[i - 1]) != 0.0);
        if edge || bend {
            keep.push(i);
        }
    }
    let pos = c.tps[n - 1];
    let neg = c.fps[n - 1];
    if pos == 0.0 || neg == 0.0 {
        return Err(MetricsError::SingleClass {
            metric: "ROC curve",
        });
    }
    let mut fpr = vec![0.0];
    let mut tpr = vec![0.0];
    let mut thresholds = vec![f64::INFINITY];
    for &i in &keep {
        fpr.push(c.fps[i] / neg);
        tpr.push(c.tps[i] / pos);
        thresholds.push(c.thresholds[i]);
    }
    Ok(RocCurve {
        fpr,
        tpr,
        thresholds,
    })
}

/// Trapezoidal area under a curve given by increasing `x`.
fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2)
        .zip(y.windows(2))
        .map(|(xs, ys)| (xs[1] - xs[0]) * (ys[0] + ys[1]) / 2.0)
        .sum()
}

/// Area under the ROC curve of binary labels and scores (ties as trapezoids).
pub fn roc_auc(y_true: &[bool], scores: &[f64]) -> Result<f64> {
    let curve = roc_curve(y_true, scores).map_err(|e| match e {
        MetricsError::SingleClass { .. } => MetricsError::SingleClass { metric: "ROC AUC" },
        other => other,
    })?;
    Ok(trapezoid(&curve.fpr, &curve.tpr))
}

/// A precision–recall curve, as scikit-learn's `precision_recall_curve` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct PrCurve {
    /// Precision at each threshold, then a final 1.
    pub precision: Vec<f64>,
    /// Recall at each threshold (decreasing), then a final 0.
    pub recall: Vec<f64>,
    /// Every distinct score, increasing; one fewer than the points.
    pub thresholds: Vec<f64>,
}

/// The precision–recall curve of `scores` for the positive rows of `y_true`.
pub fn precision_recall_curve(y_true: &[bool], scores: &[f64]) -> Result<PrCurve> {
    let c = binary_clf_curve(y_true, scores)?;
    let n = c.tps.len();
    let pos = c.tps[n - 1];
    if pos == 0.0 {
        return Err(MetricsError::SingleClass {
            metric: "precision-recall curve",
        });
    }
    let mut precision = Vec::with_capacity(n + 1);
    let mut recall = Vec::with_capacity(n + 1);
    let mut thresholds = Vec::with_capacity(n);
    for i in (0..n).rev() {
        let ps = c.tps[i] + c.fps[i];
        precision.push(if ps == 0.0 { 0.0 } else { c.tps[i] / ps });
        recall.push(c.tps[i] / pos);
        thresholds.push(c.thresholds[i]);
    }
    precision.push(1.0);
    recall.push(0.0);
    Ok(PrCurve {
        precision,
        recall,
        thresholds,
    })
}

/// Average precision of binary labels and scores: `Σ (Rₙ − Rₙ₋₁) · Pₙ`.
pub fn average_precision(y_true: &[bool], scores: &[f64]) -> Result<f64> {
    let curve = precision_recall_curve(y_true, scores).map_err(|e| match e {
        MetricsError::SingleClass { .. } => MetricsError::SingleClass {
            metric: "average precision",
        },
        other => other,
    })?;
    // Recall decreases along the arrays; sum over consecutive pairs.
    let mut ap = 0.0;
    for i in 0..curve.recall.len() - 1 {
        ap -= (curve.recall[i + 1] - curve.recall[i]) * curve.precision[i];
    }
    Ok(ap)
}

/// Mean negative log-likelihood of the true classes under row-major `proba` (`n × k`),
/// probabilities clipped into `[ε, 1 − ε]`.
pub fn log_loss(y_true: &[usize], proba: &[f64], n_classes: usize) -> Result<f64> {
    if y_true.is_empty() {
        return Err(MetricsError::Empty);
    }
    check_len("probabilities", y_true.len() * n_classes, proba.len())?;
    check_labels(y_true, n_classes)?;
    check_probabilities(proba, n_classes)?;
    let eps = f64::EPSILON;
    let total: f64 = y_true
        .iter()
        .enumerate()
        .map(|(i, &t)| -libm::log(proba[i * n_classes + t].clamp(eps, 1.0 - eps)))
        .sum();
    Ok(total / y_true.len() as f64)
}

/// Brier score: binary (`n_classes == 2`) is the mean of `(p₁ − y)²`; multiclass the mean of
/// `Σₖ (pₖ − yₖ)²`.
pub fn brier(y_true: &[usize], proba: &[f64], n_classes: usize) -> Result<f64> {
    if y_true.is_empty() {
        return Err(MetricsError::Empty);
    }
    check_len("probabilities", y_true.len() * n_classes, proba.len())?;
    check_labels(y_true, n_classes)?;
    check_probabilities(proba, n_classes)?;
    let mut total = 0.0;
    for (i, &t) in y_true.iter().enumerate() {
        let row = &proba[i * n_classes..(i + 1) * n_classes];
        total += row
            .iter()
            .enumerate()
            .map(|(k, &p)| {
                let y = if k == t { 1.0 } else { 0.0 };
                (y - p) * (y - p)
            })
            .sum::<f64>();
    }
    let mean = total / y_true.len() as f64;
    Ok(if n_classes <= 2 { mean / 2.0 } else { mean })
}

/// One-vs-rest macro average of a binary score metric over the classes present in `y_true`.
fn ovr_macro(
    y_true: &[usize],
    proba: &[f64],
    n_classes: usize,
    metric: fn(&[bool], &[f64]) -> Result<f64>,
) -> Result<f64> {
    let mut sum = 0.0;
    let mut count = 0usize;
    for c in 0..n_classes {
        let y: Vec<bool> = y_true.iter().map(|&t| t == c).collect();
        if !y.iter().any(|&b| b) {
            continue;
        }
        let s: Vec<f64> = (0..y_true.len())
            .map(|i| proba[i * n_classes + c])
            .collect();
        sum += metric(&y, &s)?;
        count += 1;
    }
    Ok(sum / count as f64)
}

/// Regression metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct RegressionMetrics {
    /// Coefficient of determination (`1 − SSres/SStot`; 0 when the truth is constant and the
    /// prediction is not exact, 1 when it is, as scikit-learn's `force_finite`).
    pub r2: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Mean absolute percentage error, as a fraction, dividing by `max(|y|, ε)`.
    pub mape: f64,
}

/// Regression metrics of predictions against true values.
pub fn regression(y_true: &[f64], y_pred: &[f64]) -> Result<RegressionMetrics> {
    check_len("predictions", y_true.len(), y_pred.len())?;
    if y_true.is_empty() {
        return Err(MetricsError::Empty);
    }
    check_finite("true value", y_true)?;
    check_finite("prediction", y_pred)?;
    let n = y_true.len() as f64;
    let mean = y_true.iter().sum::<f64>() / n;
    let mut ss_res = 0.0;
    let mut ss_tot = 0.0;
    let mut abs = 0.0;
    let mut pct = 0.0;
    for (&t, &p) in y_true.iter().zip(y_pred) {
        ss_res += (t - p) * (t - p);
        ss_tot += (t - mean) * (t - mean);
        abs += (t - p).abs();
        pct += (t - p).abs() / t.abs().max(f64::EPSILON);
    }
    let r2 = if ss_tot == 0.0 {
        if ss_res == 0.0 {
            1.0
        } else {
            0.0
        }
    } else {
        1.0 - ss_res / ss_tot
    };
    Ok(RegressionMetrics {
        r2,
        rmse: (ss_res / n).sqrt(),
        mae: abs / n,
        mape: pct / n,
    })
}

/// Classification metrics under the keys of DESIGN.md.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ClassificationMetrics {
    /// Fraction correct.
    pub accuracy: f64,
    /// Precision of the positive class (binary) or the macro average.
    pub precision: f64,
    /// Recall of the positive class (binary) or the macro average.
    pub recall: f64,
    /// F1 of the positive class (binary) or the macro average.
    pub f1: f64,
    /// ROC AUC (binary, or one-vs-rest macro); `None` without probabilities or with one class.
    pub roc_auc: Option<f64>,
    /// Average precision (binary, or one-vs-rest macro); `None` as for `roc_auc`.
    pub average_precision: Option<f64>,
    /// Log loss with clipping; `None` without probabilities.
    pub log_loss: Option<f64>,
    /// Brier score; `None` without probabilities.
    pub brier: Option<f64>,
    /// Unweighted mean of per-class F1.
    pub macro_f1: f64,
    /// Support-weighted mean of per-class F1.
    pub weighted_f1: f64,
    /// Confusion matrix, rows = true label.
    pub confusion_matrix: ConfusionMatrix,
    /// Per-class precision, recall, F1 and support.
    pub per_class: Vec<ClassReport>,
}

/// Computes [`ClassificationMetrics`] from class indices into `labels`, optional row-major
/// probabilities (`n × labels.len()`), and the positive class for two-class problems
/// (`None`: index 1).
pub fn classification(
    y_true: &[usize],
    y_pred: &[usize],
    proba: Option<&[f64]>,
    labels: &[String],
    positive: Option<usize>,
) -> Result<ClassificationMetrics> {
    let k = labels.len();
    if y_true.is_empty() {
        return Err(MetricsError::Empty);
    }
    let matrix = confusion_counts(y_true, y_pred, k)?;
    let report = per_class_report(&matrix, labels);
    let present = present(&matrix);
    let macro_of = |f: fn(&ClassReport) -> f64| -> f64 {
        present.iter().map(|&c| f(&report[c])).sum::<f64>() / present.len().max(1) as f64
    };
    let total: u64 = report.iter().map(|r| r.support).sum();
    let weighted_f1 = present
        .iter()
        .map(|&c| report[c].f1 * report[c].support as f64)
        .sum::<f64>()
        / total.max(1) as f64;
    let macro_f1 = macro_of(|r| r.f1);
    let (precision, recall, f1) = if k == 2 {
        let p = positive.unwrap_or(1);
        if p >= 2 {
            return Err(MetricsError::InvalidParameter(format!(
                "positive class index {p} is out of range for 2 classes"
            )));
        }
        (report[p].precision, report[p].recall, report[p].f1)
    } else {
        (macro_of(|r| r.precision), macro_of(|r| r.recall), macro_f1)
    };
    let (mut roc, mut ap, mut ll, mut br) = (None, None, None, None);
    if let Some(proba) = proba {
        ll = Some(log_loss(y_true, proba, k)?);
        br = Some(brier(y_true, proba, k)?);
        if k == 2 {
            let p = positive.unwrap_or(1);
            let y: Vec<bool> = y_true.iter().map(|&t| t == p).collect();
            let s: Vec<f64> = (0..y.len()).map(|i| proba[i * 2 + p]).collect();
            roc = roc_auc(&y, &s).ok();
            ap = average_precision(&y, &s).ok();
        } else if k > 2 {
            roc = ovr_macro(y_true, proba, k, roc_auc).ok();
            ap = ovr_macro(y_true, proba, k, average_precision).ok();
        }
    }
    Ok(ClassificationMetrics {
        accuracy: accuracy(y_true, y_pred)?,
        precision,
        recall,
        f1,
        roc_auc: roc,
        average_precision: ap,
        log_loss: ll,
        brier: br,
        macro_f1,
        weighted_f1,
        confusion_matrix: ConfusionMatrix {
            labels: labels.to_vec(),
            matrix,
        },
        per_class: report,
    })
}

/// One row of a threshold table: the confusion counts and their cost at one threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ThresholdRow {
    /// Rows with `score >= threshold` are predicted positive.
    pub threshold: f64,
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// True negatives.
    pub tn: u64,
    /// False negatives.
    pub fn_: u64,
    /// `tp / (tp + fp)`, 0 when nothing is predicted positive.
    pub precision: f64,
    /// `tp / (tp + fn)`.
    pub recall: f64,
    /// `2·tp / (2·tp + fp + fn)`.
    pub f1: f64,
    /// `cost_fp · fp + cost_fn · fn`, in total.
    pub cost: f64,
    /// `cost / rows`: the expected cost of one scored row.
    pub expected_cost: f64,
}

/// A threshold table with the threshold of least total cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ThresholdTable {
    /// Cost of one false positive.
    pub cost_fp: f64,
    /// Cost of one false negative.
    pub cost_fn: f64,
    /// One row per threshold, in the order given.
    pub rows: Vec<ThresholdRow>,
    /// Index into `rows` of the least total cost (the first on ties).
    pub best: usize,
}

/// The 101 thresholds `0.00, 0.01, …, 1.00`, for probability scores.
pub fn default_thresholds() -> Vec<f64> {
    (0..=100).map(|i| i as f64 / 100.0).collect()
}

/// Precision, recall, F1 and cost at each threshold, for a cost of a false positive and of a
/// false negative (the fraud trade-off). Costs must be finite and non-negative.
pub fn threshold_table(
    y_true: &[bool],
    scores: &[f64],
    thresholds: &[f64],
    cost_fp: f64,
    cost_fn: f64,
) -> Result<ThresholdTable> {
    check_len("scores", y_true.len(), scores.len())?;
    if y_true.is_empty() {
        return Err(MetricsError::Empty);
    }
    check_finite("score", scores)?;
    for (name, c) in [("cost_fp", cost_fp), ("cost_fn", cost_fn)] {
        if !c.is_finite() || c < 0.0 {
            return Err(MetricsError::InvalidParameter(format!(
                "{name} must be a finite number >= 0, got {c}"
            )));
        }
    }
    if thresholds.is_empty() || thresholds.iter().any(|t| t.is_nan()) {
        return Err(MetricsError::InvalidParameter(
            "thresholds must be a non-empty list of numbers".into(),
        ));
    }
    // Sort scores once; count positives at or above each threshold by binary search.
    let mut pos: Vec<f64> = Vec::new();
    let mut neg: Vec<f64> = Vec::new();
    for (&y, &s) in y_true.iter().zip(scores) {
        if y {
            pos.push(s)
        } else {
            neg.push(s)
        }
    }
    pos.sort_by(f64::total_cmp);
    neg.sort_by(f64::total_cmp);
    let at_or_above = |v: &[f64], t: f64| (v.len() - v.partition_point(|&s| s < t)) as u64;
    let n = y_true.len() as f64;
    let mut rows = Vec::with_capacity(thresholds.len());
    for &t in thresholds {
        let tp = at_or_above(&pos, t);
        let fp = at_or_above(&neg, t);
        let fn_ = pos.len() as u64 - tp;
        let tn = neg.len() as u64 - fp;
        let (tpf, fpf, fnf) = (tp as f64, fp as f64, fn_ as f64);
        let cost = cost_fp * fpf + cost_fn * fnf;
        rows.push(ThresholdRow {
            threshold: t,
            tp,
            fp,
            tn,
            fn_,
            precision: ratio(tpf, tpf + fpf),
            recall: ratio(tpf, tpf + fnf),
            f1: ratio(2.0 * tpf, 2.0 * tpf + fpf + fnf),
            cost,
            expected_cost: cost / n,
        });
    }
    let mut best = 0;
    for (i, r) in rows.iter().enumerate() {
        if r.cost < rows[best].cost {
            best = i;
        }
    }
    Ok(ThresholdTable {
        cost_fp,
        cost_fn,
        rows,
        best,
    })
}

/// One reliability bin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct CalibrationBin {
    /// Lower edge of the bin.
    pub lower: f64,
    /// Upper edge of the bin.
    pub upper: f64,
    /// Rows whose probability falls in the bin.
    pub count: u64,
    /// Mean predicted probability in the bin (`None` when empty).
    pub mean_predicted: Option<f64>,
    /// Fraction of positive rows in the bin (`None` when empty).
    pub fraction_positive: Option<f64>,
}

/// Reliability bins of predicted probabilities for the positive rows of `y_true`:
/// `n_bins` equal-width bins of `[0, 1]` (scikit-learn's `calibration_curve` with
/// `strategy="uniform"` returns the non-empty ones).
pub fn calibration(y_true: &[bool], proba: &[f64], n_bins: usize) -> Result<Vec<CalibrationBin>> {
    check_len("probabilities", y_true.len(), proba.len())?;
    if y_true.is_empty() {
        return Err(MetricsError::Empty);
    }
    if n_bins == 0 {
        return Err(MetricsError::InvalidParameter(
            "n_bins must be at least 1".into(),
        ));
    }
    check_probabilities(proba, 1)?;
    let edges: Vec<f64> = (0..=n_bins)
        .map(|i| {
            // numpy.linspace: start + i * step, with the last edge exactly 1.
            if i == n_bins {
                1.0
            } else {
                i as f64 * (1.0 / n_bins as f64)
            }
        })
        .collect();
    let inner = &edges[1..n_bins];
    let mut sums = vec![0.0; n_bins];
    let mut trues = vec![0.0; n_bins];
    let mut counts = vec![0u64; n_bins];
    for (&y, &p) in y_true.iter().zip(proba) {
        // numpy.searchsorted(side="left"): the first inner edge >= p.
        let b = inner.partition_point(|&e| e < p);
        sums[b] += p;
        trues[b] += if y { 1.0 } else { 0.0 };
        counts[b] += 1;
    }
    Ok((0..n_bins)
        .map(|b| CalibrationBin {
            lower: edges[b],
            upper: edges[b + 1],
            count: counts[b],
            mean_predicted: (counts[b] > 0).then(|| sums[b] / counts[b] as f64),
            fraction_positive: (counts[b] > 0).then(|| trues[b] / counts[b] as f64),
        })
        .collect())
}

/// Clustering metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ClusteringMetrics {
    /// Sum of squared distances of rows to their assigned centroid.
    pub inertia: f64,
    /// Mean silhouette coefficient; `None` unless `2 <= clusters used <= rows - 1`. Above
    /// [`SILHOUETTE_SAMPLE`] test rows it is measured on a seeded sample of that many
    /// ([`silhouette_sampled`]).
    pub silhouette: Option<f64>,
}

/// Test metrics by task, as stored in artifacts and shown by `evaluate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(untagged)]
pub enum TestMetrics {
    /// A classifier's metrics.
    Classification(ClassificationMetrics),
    /// A regressor's metrics.
    Regression(RegressionMetrics),
    /// A clustering's metrics.
    Clustering(ClusteringMetrics),
}

impl TestMetrics {
    /// Accuracy, for classifiers.
    pub fn accuracy(&self) -> Option<f64> {
        match self {
            TestMetrics::Classification(m) => Some(m.accuracy),
            _ => None,
        }
    }

    /// R², for regressors.
    pub fn r2(&self) -> Option<f64> {
        match self {
            TestMetrics::Regression(m) => Some(m.r2),
            _ => None,
        }
    }
}

/// The curves that judge a binary (or one-vs-rest) score, shaped for charts: the ROC and
/// precision–recall curves are [thinned](thin) to [`CURVE_TOLERANCE`] (25,000 test rows
/// give about 25,000 points, a chart shows a few hundred), while ROC AUC and average
/// precision in [`ClassificationMetrics`] come from the full curves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct BinaryCurves {
    /// The class treated as positive.
    pub positive: String,
    /// ROC curve, thinned for drawing (`None` when the rows hold one class only).
    pub roc: Option<RocCurve>,
    /// Precision–recall curve, thinned for drawing (`None` without positive rows).
    pub pr: Option<PrCurve>,
    /// Ten reliability bins.
    pub calibration: Vec<CalibrationBin>,
    /// Threshold table over `0.00..=1.00` with unit costs.
    pub thresholds: ThresholdTable,
}

/// ROC, PR, calibration and a unit-cost threshold table for class `positive`'s probability
/// (column `positive` of row-major `proba`, `n × n_classes`).
pub fn binary_curves(
    y_true: &[usize],
    proba: &[f64],
    n_classes: usize,
    positive: usize,
    label: &str,
) -> Result<BinaryCurves> {
    check_len("probabilities", y_true.len() * n_classes, proba.len())?;
    if positive >= n_classes {
        return Err(MetricsError::InvalidParameter(format!(
            "positive class index {positive} is out of range for {n_classes} classes"
        )));
    }
    let y: Vec<bool> = y_true.iter().map(|&t| t == positive).collect();
    let s: Vec<f64> = (0..y.len())
        .map(|i| proba[i * n_classes + positive])
        .collect();
    Ok(BinaryCurves {
        positive: label.to_string(),
        roc: roc_curve(&y, &s).ok().map(|c| c.thinned(CURVE_TOLERANCE)),
        pr: precision_recall_curve(&y, &s)
            .ok()
            .map(|c| c.thinned(CURVE_TOLERANCE)),
        calibration: calibration(&y, &s, 10)?,
        thresholds: threshold_table(&y, &s, &default_thresholds(), 1.0, 1.0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_with_ties_counts_half() {
        // One positive tied with one negative: AUC = 0.5.
        assert_eq!(roc_auc(&[true, false], &[0.5, 0.5]).unwrap(), 0.5);
        assert_eq!(
            roc_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap(),
            0.75
        );
    }

    #[test]
    fn average_precision_matches_sklearn_doc() {
        let ap = average_precision(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap();
        assert!((ap - 0.8333333333333333).abs() < 1e-15);
    }

    #[test]
    fn single_class_is_an_error() {
        assert!(matches!(
            roc_auc(&[true, true], &[0.1, 0.2]),
            Err(MetricsError::SingleClass { .. })
        ));
    }

    #[test]
    fn log_loss_clips() {
        let l = log_loss(&[0], &[0.0, 1.0], 2).unwrap();
        assert!((l - -(f64::EPSILON).ln()).abs() < 1e-12);
    }
}
