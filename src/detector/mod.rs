//! Streaming change detectors with one small interface in River's shape.
//!
//! A [`Detector`] sees one value at a time through [`Detector::update`] and raises a drift
//! alarm (and, for some, an earlier warning). As in River, the flags are read-only between
//! updates and a detector that raised an alarm resets itself on the next update, so every
//! alarm starts a fresh watch. Defaults equal River's (version recorded in
//! `tests/fixtures/drift/detectors.json`), so users can cross-check:
//!
//! | name | input | defaults |
//! | --- | --- | --- |
//! | `adwin` ([`Adwin`]) | any real | delta 0.002, clock 32, max_buckets 5, min_window_length 5, grace_period 10 |
//! | `ddm` ([`Ddm`]) | 1 = error, 0 = correct | warm_start 30, warning_threshold 2, drift_threshold 3 |
//! | `eddm` ([`Eddm`]) | 1 = error, 0 = correct | warm_start 30, alpha 0.95, beta 0.9 |
//! | `page-hinkley` ([`PageHinkley`]) | any real | min_instances 30, delta 0.005, threshold 50, alpha 0.9999, mode both |
//! | `kswin` ([`Kswin`]) | any real | alpha 0.005, window_size 100, stat_size 30, seed 0 |
//!
//! NaN inputs are skipped: the state does not change and the previous flags stay. Indices
//! reported by [`run`] are 0-based positions in the input.

mod adwin;
mod binary;
mod kswin;
mod page_hinkley;

pub use adwin::Adwin;
pub use binary::{Ddm, Eddm};
pub use kswin::Kswin;
pub use page_hinkley::{PageHinkley, PhMode};

use serde::Serialize;

/// What a detector reports after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum DetectorState {
    /// Nothing to report.
    Stable,
    /// The warning zone (DDM, EDDM): drift may be coming.
    Warning,
    /// A change was detected at this update.
    Drift,
}

/// A streaming change detector.
pub trait Detector {
    /// Feeds one value and returns the state after it. If the previous update raised a
    /// drift alarm, the detector first resets itself (as River does).
    fn update(&mut self, x: f64) -> DetectorState;
    /// True when the last update raised a drift alarm.
    fn drift_detected(&self) -> bool;
    /// True when the last update is in the warning zone (always false for detectors
    /// without one).
    fn warning_detected(&self) -> bool;
    /// Forgets everything seen so far (parameters stay).
    fn reset(&mut self);
    /// The detector's name as used by [`build`] and the CLI.
    fn name(&self) -> &'static str;
    /// The effective parameters, as `(name, value)` pairs in a fixed order.
    fn params(&self) -> Vec<(&'static str, String)>;
}

pub(crate) fn state(drift: bool, warning: bool) -> DetectorState {
    if drift {
        DetectorState::Drift
    } else if warning {
        DetectorState::Warning
    } else {
        DetectorState::Stable
    }
}

/// What went wrong building a detector.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DetectorError {
    /// No detector by that name.
    #[error("unknown detector {0:?}: use one of adwin, ddm, eddm, page-hinkley, kswin")]
    UnknownDetector(String),
    /// A parameter the detector does not have.
    #[error("{detector} has no parameter {param:?}: its parameters are {valid}")]
    UnknownParam {
        /// The detector.
        detector: &'static str,
        /// The rejected parameter.
        param: String,
        /// The valid parameters, comma-separated.
        valid: String,
    },
    /// A parameter value out of range or unparsable.
    #[error("{detector}: {param}={value:?} is invalid: {range}")]
    InvalidValue {
        /// The detector.
        detector: &'static str,
        /// The parameter.
        param: String,
        /// The rejected value.
        value: String,
        /// The valid range.
        range: String,
    },
}

/// Alarm and warning positions of one pass over a stream (0-based indices).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Indices where a drift alarm was raised.
    pub alarms: Vec<usize>,
    /// Indices in the warning zone.
    pub warnings: Vec<usize>,
}

/// The CLI's `monitor` output: `{"detector", "params", "alarms", "warnings"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct RunReport {
    /// Detector name.
    pub detector: String,
    /// Effective parameters (defaults filled in), by name.
    pub params: std::collections::BTreeMap<String, String>,
    /// Indices where a drift alarm was raised.
    pub alarms: Vec<usize>,
    /// Indices in the warning zone.
    pub warnings: Vec<usize>,
}

impl RunReport {
    /// Packs a detector's name and parameters with a [`Run`].
    pub fn new(detector: &dyn Detector, run: Run) -> Self {
        RunReport {
            detector: detector.name().to_owned(),
            params: detector
                .params()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            alarms: run.alarms,
            warnings: run.warnings,
        }
    }
}

/// Feeds every value to `detector` and records where it alarmed and warned.
pub fn run(detector: &mut dyn Detector, xs: &[f64]) -> Run {
    let mut out = Run::default();
    for (i, &x) in xs.iter().enumerate() {
        detector.update(x);
        if detector.drift_detected() {
            out.alarms.push(i);
        }
        if detector.warning_detected() {
            out.warnings.push(i);
        }
    }
    out
}

/// Parameter parsing helpers shared by the detectors.
pub(crate) struct Params<'a> {
    detector: &'static str,
    valid: &'static [&'static str],
    given: &'a [(String, String)],
}

impl<'a> Params<'a> {
    pub(crate) fn new(
        detector: &'static str,
        valid: &'static [&'static str],
        given: &'a [(String, String)],
    ) -> Result<Self, DetectorError> {
        for (k, _) in given {
            let k = k.trim().replace('-', "_");
            if !valid.contains(&k.as_str()) {
                return Err(DetectorError::UnknownParam {
                    detector,
                    param: k,
                    valid: valid.join(", "),
                });
            }
        }
        Ok(Params {
            detector,
            valid,
            given,
        })
    }

    fn raw(&self, name: &str) -> Option<&'a str> {
        debug_assert!(self.valid.contains(&name));
        self.given
            .iter()
            .rev()
            .find(|(k, _)| k.trim().replace('-', "_") == name)
            .map(|(_, v)| v.trim())
    }

    fn invalid(&self, name: &str, value: &str, range: &str) -> DetectorError {
        DetectorError::InvalidValue {
            detector: self.detector,
            param: name.to_owned(),
            value: value.to_owned(),
            range: range.to_owned(),
        }
    }

    /// A float in the range described by `ok` / `range`.
    pub(crate) fn f64(
        &self,
        name: &str,
        default: f64,
        ok: impl Fn(f64) -> bool,
        range: &str,
    ) -> Result<f64, DetectorError> {
        match self.raw(name) {
            None => Ok(default),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if ok(x) => Ok(x),
                _ => Err(self.invalid(name, v, range)),
            },
        }
    }

    /// An integer in `[min, max]`.
    pub(crate) fn int(
        &self,
        name: &str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<u64, DetectorError> {
        match self.raw(name) {
            None => Ok(default),
            Some(v) => match v.parse::<u64>() {
                Ok(x) if (min..=max).contains(&x) => Ok(x),
                _ => Err(self.invalid(name, v, &format!("an integer from {min} to {max}"))),
            },
        }
    }

    /// One of a list of words.
    pub(crate) fn word(
        &self,
        name: &str,
        default: &'static str,
        words: &[&'static str],
    ) -> Result<&'static str, DetectorError> {
        match self.raw(name) {
            None => Ok(default),
            Some(v) => words
                .iter()
                .find(|w| w.eq_ignore_ascii_case(v))
                .copied()
                .ok_or_else(|| self.invalid(name, v, &format!("one of {}", words.join(", ")))),
        }
    }

    pub(crate) fn invalid_combo(&self, name: &str, value: String, range: &str) -> DetectorError {
        self.invalid(name, &value, range)
    }
}

/// Builds a detector by name (`adwin`, `ddm`, `eddm`, `page-hinkley`, `kswin`) with
/// `key=value` parameters; unspecified ones take River's defaults. An unknown parameter
/// gets an error listing the valid ones; a bad value gets an error stating the range.
///
/// ```
/// use driftlab::detector::{build, run};
/// let mut d = build("page-hinkley", &[("threshold".into(), "20".into())])?;
/// let xs: Vec<f64> = (0..200).map(|i| if i < 100 { 0.0 } else { 5.0 }).collect();
/// let r = run(d.as_mut(), &xs);
/// assert!(r.alarms.iter().any(|&i| i >= 100));
/// # Ok::<(), driftlab::detector::DetectorError>(())
/// ```
pub fn build(name: &str, params: &[(String, String)]) -> Result<Box<dyn Detector>, DetectorError> {
    match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "adwin" => Ok(Box::new(Adwin::from_params(params)?)),
        "ddm" => Ok(Box::new(Ddm::from_params(params)?)),
        "eddm" => Ok(Box::new(Eddm::from_params(params)?)),
        "page-hinkley" | "pagehinkley" | "ph" => Ok(Box::new(PageHinkley::from_params(params)?)),
        "kswin" => Ok(Box::new(Kswin::from_params(params)?)),
        _ => Err(DetectorError::UnknownDetector(name.to_owned())),
    }
}
