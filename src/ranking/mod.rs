//! Ranking places honestly: confidence sets for ranks, tau-best / tau-worst sets, empirical-Bayes
//! shrinkage of noisy places, and valid inference for rank-rank regressions.
//!
//! ```text
//! estimates + covariance (or SEs) --confidence_sets--> rank sets {L_j..U_j}, tau-best/worst
//! estimates + SEs                 --shrinkage-------->  shrunk estimates, signal variance
//! microdata (parent, child, group) --rank_regression-> slopes, intercepts, CW (2023) SEs
//! ```
//!
//! Every function takes plain slices (estimates, standard errors, codes) and an ndarray view
//! for a covariance, and returns a serde struct with one row per population, so a places table
//! (with a joint bootstrap covariance or independent SEs) can feed them directly.
//!
//! Sources: Mogstad, Romano, Shaikh & Wilhelm (2024, Review of Economic Studies 91(1)) for rank
//! sets; Chetty & Hendren (2018, QJE 133(3)) for shrinkage; Chetverikov & Wilhelm (2023,
//! arXiv:2310.15512) for rank-rank regressions.

pub mod confidence_sets;
pub mod places;
pub mod rank_regression;
pub mod shrinkage;

pub use confidence_sets::{
    DEFAULT_DRAWS, RankConfidenceSets, RankSet, RankSetOptions, SetKind, TauSet, Uncertainty,
    parametric_draws, rank_confidence_sets, tau_best, tau_worst,
};
pub use places::{
    ExcludedPlace, PlaceInput, PlaceRankRow, PlaceRanking, PlaceRankingOptions, rank_places,
    rank_places_table,
};
pub use rank_regression::{
    RankRankOptions, RankRankRegression, RankRankRow, WeightKind, rank_rank_regression,
};
pub use shrinkage::{Shrinkage, ShrinkageOptions, ShrunkEstimate, SignalVariance, shrink};

use crate::error::{MobilityError, Parameter, Result};

/// Checks that `se` holds `p` standard errors, each finite and `>= 0` (shared by the rank sets
/// with independent estimates and by the shrinkage).
///
/// # Errors
/// [`MobilityError::LengthMismatch`] when `se.len() != p`; [`MobilityError::InvalidParameter`]
/// naming the first negative or non-finite entry.
fn check_standard_errors(se: &[f64], p: usize) -> Result<()> {
    if se.len() != p {
        return Err(MobilityError::LengthMismatch {
            what: "standard errors".into(),
            expected: p,
            found: se.len(),
        });
    }
    if let Some((i, &v)) = se
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(MobilityError::invalid(
            Parameter::StandardErrors,
            format!("entry {i} is {v}; standard errors must be finite and >= 0"),
        ));
    }
    Ok(())
}
