//! How much drift each batch of a scenario has: the [`Schedule`] and its validation.

use serde::{Deserialize, Serialize};

use super::{invalid, ScenarioError};

/// How much drift each batch has, as a number in `[0, 1]` (0 = the training world).
///
/// Serialized with a `type` tag: `{"type": "abrupt", "at": 10, "from": 0, "to": 1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Schedule {
    /// The same drift for every batch.
    Constant {
        /// The drift.
        drift: f64,
    },
    /// `from` before batch `at`, `to` from batch `at` on.
    Abrupt {
        /// The first batch at the new drift (0-based).
        at: usize,
        /// Drift before.
        from: f64,
        /// Drift after.
        to: f64,
    },
    /// Gradual drift: two concepts side by side. Up to batch `start` every row comes from
    /// `from`; from then on a growing share of each batch's rows comes from `to` (the share
    /// ramps straight to all of them at batch `end`), the rest still from `from`, spread
    /// evenly through the batch. [`Schedule::drift_at`] gives the batch's mean level.
    Gradual {
        /// The last batch at `from`.
        start: usize,
        /// The first batch at `to` (greater than `start`).
        end: usize,
        /// Drift before the ramp.
        from: f64,
        /// Drift after the ramp.
        to: f64,
    },
    /// Incremental drift: one concept that moves. `from` up to batch `start`, then every row
    /// of a batch at the same level on a straight ramp reaching `to` at batch `end`, and
    /// `to` after.
    Incremental {
        /// The last batch at `from`.
        start: usize,
        /// The first batch at `to` (greater than `start`).
        end: usize,
        /// Drift before the ramp.
        from: f64,
        /// Drift after the ramp.
        to: f64,
    },
    /// A recurring pattern: `from` before batch `start`; from then on, in each `period`
    /// batches, the first `on` are at `to` and the rest at `from` (a concept that comes
    /// back, like a weekend or a season).
    Recurring {
        /// The first batch of the first `on` phase.
        start: usize,
        /// Length of one cycle, in batches (at least 2).
        period: usize,
        /// Batches at `to` in each cycle (1 to `period - 1`).
        on: usize,
        /// The usual drift.
        from: f64,
        /// The drift in the `on` phase.
        to: f64,
    },
    /// A smooth season: `from + (to − from) · (1 − cos(2π t / period)) / 2`, at `from` on
    /// batch 0 and at `to` half a period later.
    Seasonal {
        /// Length of one season, in batches (at least 2).
        period: usize,
        /// Drift at the start of a season.
        from: f64,
        /// Drift in the middle of a season.
        to: f64,
    },
}

impl Schedule {
    /// The drift of batch `t` (0-based), in `[0, 1]` for a validated schedule.
    pub fn drift_at(&self, t: usize) -> f64 {
        let d = match *self {
            Schedule::Constant { drift } => drift,
            Schedule::Abrupt { at, from, to } => {
                if t < at {
                    from
                } else {
                    to
                }
            }
            Schedule::Gradual {
                start,
                end,
                from,
                to,
            }
            | Schedule::Incremental {
                start,
                end,
                from,
                to,
            } => {
                if t <= start {
                    from
                } else if t >= end {
                    to
                } else {
                    let span = end.saturating_sub(start).max(1) as f64;
                    from + (to - from) * (t - start) as f64 / span
                }
            }
            Schedule::Recurring {
                start,
                period,
                on,
                from,
                to,
            } => {
                if t < start || period == 0 {
                    from
                } else if (t - start) % period < on {
                    to
                } else {
                    from
                }
            }
            Schedule::Seasonal { period, from, to } => {
                let period = period.max(1) as f64;
                let phase = 2.0 * std::f64::consts::PI * (t as f64 % period) / period;
                from + (to - from) * (1.0 - libm::cos(phase)) / 2.0
            }
        };
        if d.is_finite() {
            d.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// The drift of each of the `n` rows of batch `t`, when they differ (gradual drift:
    /// each row at `from` or at `to`, the share at `to` rounded to whole rows and spread
    /// evenly); `None` when every row is at [`Schedule::drift_at`].
    pub fn row_levels(&self, t: usize, n: usize) -> Option<Vec<f64>> {
        let Schedule::Gradual { from, to, .. } = *self else {
            return None;
        };
        let share = if to == from {
            0.0
        } else {
            ((self.drift_at(t) - from) / (to - from)).clamp(0.0, 1.0)
        };
        // row i comes from `to` when the running count of new rows steps up there
        let new_before = |i: usize| (i as f64 * share).round() as usize;
        Some(
            (0..n)
                .map(|i| {
                    if new_before(i + 1) > new_before(i) {
                        to
                    } else {
                        from
                    }
                })
                .collect(),
        )
    }

    /// Checks the levels are in `[0, 1]` and the shape is sensible.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let level = |name: &'static str, x: f64| {
            if x.is_finite() && (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(invalid(
                    name,
                    format!("{x} is not a drift level: use a number from 0 to 1"),
                ))
            }
        };
        match *self {
            Schedule::Constant { drift } => level("schedule.drift", drift),
            Schedule::Abrupt { from, to, .. } => {
                level("schedule.from", from)?;
                level("schedule.to", to)
            }
            Schedule::Gradual {
                start,
                end,
                from,
                to,
            }
            | Schedule::Incremental {
                start,
                end,
                from,
                to,
            } => {
                level("schedule.from", from)?;
                level("schedule.to", to)?;
                if end <= start {
                    return Err(invalid(
                        "schedule.end",
                        format!("the ramp must end after it starts (start {start}, end {end})"),
                    ));
                }
                Ok(())
            }
            Schedule::Recurring {
                period,
                on,
                from,
                to,
                ..
            } => {
                level("schedule.from", from)?;
                level("schedule.to", to)?;
                if period < 2 {
                    return Err(invalid(
                        "schedule.period",
                        "use a period of at least 2 batches",
                    ));
                }
                if on == 0 || on >= period {
                    return Err(invalid(
                        "schedule.on",
                        format!("use 1 to {} batches on in a period of {period}", period - 1),
                    ));
                }
                Ok(())
            }
            Schedule::Seasonal { period, from, to } => {
                level("schedule.from", from)?;
                level("schedule.to", to)?;
                if period < 2 {
                    return Err(invalid(
                        "schedule.period",
                        "use a period of at least 2 batches",
                    ));
                }
                Ok(())
            }
        }
    }
}
