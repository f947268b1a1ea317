//! Data drift: two-sample tests between a reference and a current sample, the automatic
//! choice of test per column, and the dataset verdict ([`DriftReport`]).
//!
//! # The tests
//! | name | columns | value reported | drift when | default threshold |
//! | --- | --- | --- | --- | --- |
//! | `ks` | numeric | KS statistic `D`, p-value ([`ks_2samp`], SciPy's `ks_2samp(method="auto")`) | `p < t` | 0.05 |
//! | `chisquare` | categorical, boolean, low-cardinality numeric | Pearson χ², p-value ([`chisquare_gof`]: current counts against reference proportions) | `p < t` | 0.05 |
//! | `z` | binary (two values) | pooled two-proportion `z`, p-value ([`z_test`]) | `p < t` | 0.05 |
//! | `psi` | any | PSI ([`psi`], [`psi_from_counts`]; bin by bin against a profile, for charts: [`psi_bins`]) | `PSI ≥ t` | 0.1 |
//! | `jensenshannon` | any | Jensen–Shannon distance, base 2, in `[0, 1]` ([`jensenshannon`]) | `JS ≥ t` | 0.1 |
//! | `wasserstein` | numeric | Wasserstein-1 distance / reference std ([`wasserstein_normed`]) | `W ≥ t` | 0.1 |
//!
//! Conventions:
//! * **Missing values** (NaN, the missing category code, a missing boolean) are removed
//!   before testing and reported per side (`missing_reference`, `missing_current`); they
//!   are never mixed into a test. Infinite numbers are values (KS orders them; they make
//!   Wasserstein `+∞`). The slice-level functions refuse NaN and empty samples.
//! * **Categories** are matched by label across the two samples. For `chisquare` (goodness
//!   of fit, as Evidently does) a category seen only in the current sample has expected
//!   count 0, so χ² is `+∞` and `p = 0`: a new category is drift. The 2×K contingency
//!   test ([`chi2_contingency`]) is offered too; there a new category is an ordinary column.
//! * **PSI** uses 10 bins with inner edges at the reference deciles (NumPy's linear
//!   quantiles), the outer bins open to `∓∞`, bins right-closed, and every proportion
//!   clipped below at `1e-4` (the credit-risk convention); equal-width bins are an option
//!   ([`PsiOptions`]). On categorical columns PSI runs per category with the same clip.
//! * **Jensen–Shannon** is in base 2 (so it lies in `[0, 1]`; Evidently uses the natural
//!   logarithm). Numeric columns with more than 5 distinct values are binned into 30
//!   equal-width bins over the combined finite range (infinities go to the outer bins);
//!   otherwise each distinct value is a category.
//! * **Wasserstein** is divided by `max(std_ref, 0.001)` (population std), as Evidently.
//! * In JSON an infinite statistic is written as the string `"inf"`.
//!
//! # Automatic choice (Evidently's defaults)
//! With `n` the non-missing reference rows and `k` the distinct non-missing values over
//! both samples: when `n ≤ 1000`, numeric columns with `k > 5` get `ks`, everything else
//! `chisquare` (`k > 2`) or `z` (`k ≤ 2`); when `n > 1000`, numeric columns with `k > 5`
//! get `wasserstein`, everything else `jensenshannon`. The dataset drifts when at least
//! half the tested columns drift ([`DriftOptions::drift_share`]). Every choice and
//! threshold can be overridden globally or per column, and each report row says why the
//! test was chosen.
//!
//! # Against a stored profile
//! [`drift_report_from_profile`] takes the reference side from a [`Profile`](crate::Profile)
//! (the one inside every model artifact) instead of raw rows, with the same tests, choices
//! and report. Its module docs say how each test reads the profile and give the measured
//! approximation error (exact for profiles of at most 200 values; KS statistic within
//! 0.01, distances within about 0.01, on the tested cases).

mod ks;
mod profile_ref;
mod psi;
mod report;
pub(crate) mod special;
mod stats;

pub use ks::{kolmogn_sf, ks_2samp, ks_p_value, smirnov_sf, KsMethod, KsResult, KS_MAX_EXACT_N};
pub use profile_ref::drift_report_from_profile;
pub use psi::{psi_bins, PsiBin, PsiBins};
pub use report::{drift_report, ColumnDrift, ColumnOverride, DriftOptions, DriftReport, TestKind};
pub use special::{chi2_sf, erfc, normal_two_sided_p};
pub use stats::{
    chi2_contingency, chisquare_gof, jensenshannon, psi, psi_from_counts, wasserstein,
    wasserstein_normed, z_test, ContingencyResult, PsiBinning, PsiOptions, TestResult,
    WassersteinResult, MAX_PSI_BINS, WASSERSTEIN_STD_FLOOR,
};

use crate::table::ColumnKind;

fn column_label(column: &Option<String>) -> String {
    match column {
        Some(c) => format!("column {c:?}: "),
        None => String::new(),
    }
}

/// What went wrong computing drift. Each message names the column (when there is one)
/// and the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DriftError {
    /// A sample has no (non-missing) values.
    #[error("{}the {side} sample has no non-missing values: a drift test needs at least one value on each side (drop the column, or check that the file and the column are the right ones)", column_label(column))]
    EmptySample {
        /// The column, when known.
        column: Option<String>,
        /// `"reference"` or `"current"`.
        side: &'static str,
    },
    /// A NaN reached a slice-level test.
    #[error("{}the {side} sample contains NaN: remove missing values first (drift_report counts them for you)", column_label(column))]
    NotANumber {
        /// The column, when known.
        column: Option<String>,
        /// `"reference"` or `"current"`.
        side: &'static str,
    },
    /// A requested column is absent from one of the tables.
    #[error("column {column:?} is not in the {side} table: check the spelling, or leave it out of the column list (the {side} table has: {available})")]
    MissingColumn {
        /// The column.
        column: String,
        /// `"reference"` or `"current"`.
        side: &'static str,
        /// The columns the table does have, comma-separated.
        available: String,
    },
    /// The column has different kinds in the two tables.
    #[error("column {column:?} is {reference} in the reference but {current} in the current table: make the two files agree (e.g. the same spelling of numbers and missing values)")]
    KindMismatch {
        /// The column.
        column: String,
        /// Kind in the reference.
        reference: ColumnKind,
        /// Kind in the current table.
        current: ColumnKind,
    },
    /// A test was forced on a column it cannot handle.
    #[error("column {column:?} ({kind}): the {test} test does not apply: {hint}")]
    Unsupported {
        /// The column.
        column: String,
        /// The test name.
        test: &'static str,
        /// The column kind.
        kind: ColumnKind,
        /// What to use instead.
        hint: String,
    },
    /// An unknown test name.
    #[error("unknown drift test {0:?}: use one of auto, ks, chisquare, z, psi, jensenshannon, wasserstein")]
    UnknownTest(String),
    /// A threshold outside its range.
    #[error(
        "{}threshold {value} is invalid for the {test} test: {range}",
        column_label(column)
    )]
    InvalidThreshold {
        /// The column, when the threshold is per column.
        column: Option<String>,
        /// The test name.
        test: &'static str,
        /// The rejected value.
        value: f64,
        /// The valid range.
        range: &'static str,
    },
    /// Anything else the caller passed that cannot be tested.
    #[error("{0}")]
    InvalidInput(String),
}
