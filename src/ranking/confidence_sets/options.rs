//! The options of the rank confidence sets and the sets they return: [`Uncertainty`],
//! [`SetKind`], [`RankSetOptions`], [`RankSet`], [`RankConfidenceSets`] and [`TauSet`].

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Parameter, Result};

/// Default number of bootstrap draws.
pub const DEFAULT_DRAWS: usize = 10_000;

/// The uncertainty of the estimates: a full covariance matrix or independent standard errors.
#[derive(Debug, Clone, Copy)]
pub enum Uncertainty<'a> {
    /// The `p x p` covariance matrix of the estimates (symmetric, positive semi-definite).
    Covariance(ArrayView2<'a, f64>),
    /// Standard errors of independent estimates (`Sigma = diag(se^2)`).
    StandardErrors(&'a [f64]),
}

/// Which rank confidence set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SetKind {
    /// `{L_j, ..., U_j}`.
    #[default]
    TwoSided,
    /// A lower bound on the rank: `{L_j, ..., p}` (for "is among the best": tau-best).
    Lower,
    /// An upper bound on the rank: `{1, ..., U_j}` (for "is among the worst": tau-worst).
    Upper,
}

impl SetKind {
    /// Parses `"two-sided"`, `"lower"` or `"upper"` (underscores and hyphens both accepted).
    ///
    /// # Formula
    /// ```text
    /// "two-sided" | "two_sided" -> TwoSided,  "lower" -> Lower,  "upper" -> Upper
    /// ```
    ///
    /// # Errors
    /// [`MobilityError::InvalidParameter`] for any other name.
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Example
    /// ```
    /// use mobility::ranking::SetKind;
    /// assert_eq!(SetKind::parse("two-sided").unwrap(), SetKind::TwoSided);
    /// assert!(SetKind::parse("both").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "two-sided" | "twosided" => Ok(SetKind::TwoSided),
            "lower" => Ok(SetKind::Lower),
            "upper" => Ok(SetKind::Upper),
            _ => Err(MobilityError::invalid(
                Parameter::Kind,
                format!("'{name}' is not one of 'two-sided', 'lower', 'upper'"),
            )),
        }
    }
}

/// Options of [`rank_confidence_sets`](super::rank_confidence_sets) (and, with `kind`, `simultaneous` and `indices`
/// overridden, of [`tau_best`](super::tau_best) and [`tau_worst`](super::tau_worst)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankSetOptions {
    /// Nominal coverage `1 - alpha`, in `[0.5, 1)`; 0.95 by default.
    pub coverage: f64,
    /// Two-sided, lower or upper bounds.
    pub kind: SetKind,
    /// One procedure for all populations in `indices` (true, default) or one per population.
    pub simultaneous: bool,
    /// Step-down refinement (default true).
    pub stepdown: bool,
    /// Bootstrap draws from `N(0, Sigma)` (default 10^4).
    pub draws: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Rank 1 = the largest estimate (default); `false` ranks the smallest first.
    pub largest_first: bool,
    /// The populations whose ranks are wanted (zero-based); `None` = all.
    pub indices: Option<Vec<usize>>,
    /// Force the dense `O(p^2)` maximum per draw even with independent estimates (the bucketed
    /// maximum gives bit-identical critical values; this switch exists to check that).
    pub exhaustive_max: bool,
}

impl Default for RankSetOptions {
    fn default() -> Self {
        RankSetOptions {
            coverage: 0.95,
            kind: SetKind::TwoSided,
            simultaneous: true,
            stepdown: true,
            draws: DEFAULT_DRAWS,
            seed: 0,
            largest_first: true,
            indices: None,
            exhaustive_max: false,
        }
    }
}

/// One population's rank and its confidence set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankSet {
    /// Zero-based position of the population in the input.
    pub index: usize,
    /// Its estimate.
    pub estimate: f64,
    /// Its standard error `sqrt(Sigma_jj)`.
    pub se: f64,
    /// Estimated rank `1 + #{k : theta_hat_k > theta_hat_j}` (ties share the best rank).
    pub rank: usize,
    /// Lower end of the set (1 for `SetKind::Upper`).
    pub lower: usize,
    /// Upper end of the set (`p` for `SetKind::Lower`).
    pub upper: usize,
}

/// Confidence sets for the ranks of `p` populations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankConfidenceSets {
    /// Number of populations ranked.
    pub p: usize,
    /// Nominal coverage.
    pub coverage: f64,
    /// Two-sided, lower or upper.
    pub kind: SetKind,
    /// Simultaneous (true) or marginal sets.
    pub simultaneous: bool,
    /// Whether the step-down refinement ran.
    pub stepdown: bool,
    /// Bootstrap draws.
    pub draws: usize,
    /// Seed.
    pub seed: u64,
    /// Rank 1 = largest estimate (true) or smallest.
    pub largest_first: bool,
    /// Whether a full covariance (true) or independent standard errors were used.
    pub full_covariance: bool,
    /// Critical value of each step (simultaneous sets; empty for marginal sets).
    pub critical_values: Vec<f64>,
    /// One row per requested population, in the order of `indices` (input order by default).
    pub rows: Vec<RankSet>,
}

/// A tau-best or tau-worst set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TauSet {
    /// `tau`.
    pub tau: usize,
    /// `"best"` or `"worst"`.
    pub which: String,
    /// Zero-based indices of the populations in the set, ascending.
    pub indices: Vec<usize>,
    /// The simultaneous one-sided rank bounds the set is read from.
    pub bounds: RankConfidenceSets,
}

pub(super) fn check_options(o: &RankSetOptions) -> Result<()> {
    if !(o.coverage.is_finite() && (0.5..1.0).contains(&o.coverage)) {
        return Err(MobilityError::invalid(
            Parameter::Coverage,
            format!("must lie in [0.5, 1), got {}", o.coverage),
        ));
    }
    if o.draws == 0 {
        return Err(MobilityError::invalid(
            Parameter::Draws,
            "must be at least 1",
        ));
    }
    Ok(())
}
