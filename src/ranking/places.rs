//! A places table ranked honestly: one row per place with its size, estimate, standard error,
//! empirical-Bayes shrunk estimate, rank, rank confidence set and tau-best / tau-worst
//! membership.
//!
//! ```text
//! places table (estimates + covariance from the joint places bootstrap, or SEs)
//!   --min_size--> places kept (the others listed with the reason)
//!   --shrink----> shrunk estimates (Chetty & Hendren 2018), signal variance
//!   --rank sets-> rank, {lower..upper} (Mogstad, Romano, Shaikh & Wilhelm 2024)
//!   --tau-------> in the tau best / tau worst with the stated confidence
//! ```

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::confidence_sets::{
    RankSetOptions, Uncertainty, rank_confidence_sets, tau_best, tau_worst,
};
use super::shrinkage::{ShrinkageOptions, shrink};
use crate::error::{MobilityError, Result};
use crate::inference::places_bootstrap::{PlaceMeasure, PlacesBootstrap};

/// One place of a places table: its label, size, estimate and standard error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceInput<G> {
    /// The label.
    pub place: G,
    /// Rows of microdata (people).
    pub units: usize,
    /// Total weight.
    pub weight: f64,
    /// The estimate (`None` where undefined).
    pub estimate: Option<f64>,
    /// Its standard error (`None` where unknown).
    pub se: Option<f64>,
}

/// Options of [`rank_places`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceRankingOptions {
    /// Places with fewer units are left out (listed in `excluded`); 0 keeps every place.
    pub min_size: usize,
    /// Rank-set options (coverage, kind, simultaneous, step-down, draws, seed, order).
    pub rank_sets: RankSetOptions,
    /// `tau` of the tau-best / tau-worst sets; `None` skips them.
    pub tau: Option<usize>,
    /// Shrinkage options.
    pub shrinkage: ShrinkageOptions,
}

impl Default for PlaceRankingOptions {
    /// No minimum size, simultaneous two-sided 95% sets with step-down and 10^4 draws, rank 1 =
    /// the largest estimate, tau = 10, Chetty-Hendren moments shrinkage.
    fn default() -> Self {
        PlaceRankingOptions {
            min_size: 0,
            rank_sets: RankSetOptions::default(),
            tau: Some(10),
            shrinkage: ShrinkageOptions::default(),
        }
    }
}

/// One ranked place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceRankRow<G> {
    /// The label.
    pub place: G,
    /// Rows of microdata.
    pub units: usize,
    /// Total weight.
    pub weight: f64,
    /// The raw estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// The empirical-Bayes shrunk estimate.
    pub shrunk: f64,
    /// Reliability `sigma^2 / (sigma^2 + se^2)`.
    pub reliability: f64,
    /// Rank of the raw estimate (1 = largest unless `largest_first` is false).
    pub rank: usize,
    /// Rank of the shrunk estimate.
    pub shrunk_rank: usize,
    /// Lower end of the rank confidence set.
    pub lower: usize,
    /// Upper end of the rank confidence set.
    pub upper: usize,
    /// Among the `tau` best with the stated confidence (`None` without `tau`).
    pub tau_best: Option<bool>,
    /// Among the `tau` worst with the stated confidence.
    pub tau_worst: Option<bool>,
}

/// A place left out of the ranking, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcludedPlace<G> {
    /// The label.
    pub place: G,
    /// Rows of microdata.
    pub units: usize,
    /// Why.
    pub reason: String,
}

/// The result of [`rank_places`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceRanking<G> {
    /// The measure, when the table came from the places bootstrap.
    pub measure: Option<PlaceMeasure>,
    /// Places ranked.
    pub p: usize,
    /// The minimum size applied.
    pub min_size: usize,
    /// Nominal coverage of the rank sets.
    pub coverage: f64,
    /// Simultaneous (true) or marginal sets.
    pub simultaneous: bool,
    /// Whether the full covariance of the places was used (false: independent SEs).
    pub full_covariance: bool,
    /// Bootstrap draws of the rank sets.
    pub draws: usize,
    /// Rank 1 = the largest estimate.
    pub largest_first: bool,
    /// `tau` of the tau-best / tau-worst sets.
    pub tau: Option<usize>,
    /// Shrinkage target (the precision-weighted mean unless given).
    pub shrinkage_target: f64,
    /// Estimated signal variance of the true place values.
    pub signal_variance: f64,
    /// One row per ranked place, in input order.
    pub rows: Vec<PlaceRankRow<G>>,
    /// Places left out (too small, undefined estimate or no SE).
    pub excluded: Vec<ExcludedPlace<G>>,
}

impl<G> PlaceRanking<G> {
    /// The rows ordered by rank (ties in input order).
    pub fn by_rank(&self) -> Vec<&PlaceRankRow<G>> {
        let mut rows: Vec<&PlaceRankRow<G>> = self.rows.iter().collect();
        rows.sort_by_key(|r| r.rank);
        rows
    }
}

/// Ranks a places table: shrinkage, ranks, rank confidence sets and tau-best / tau-worst sets.
///
/// # Formula
/// ```text
/// kept = {g : units_g >= min_size, estimate and se defined, se > 0}
/// shrunk_g = mu + lambda_g (theta_g - mu),  lambda_g = sigma^2 / (sigma^2 + se_g^2)
/// rank_g = 1 + #{h : theta_h > theta_g};  {lower_g..upper_g} from Sigma restricted to kept
/// tau_best = {g : lower_g(lower bounds) <= tau},  tau_worst = {g : upper_g >= p - tau + 1}
/// ```
/// `covariance` (rows and columns in the order of `places`) is used when given; otherwise the
/// places are treated as independent with the given SEs.
///
/// # Errors
/// Fewer than 2 places kept; a covariance that is not `places x places`; what
/// [`rank_confidence_sets`], [`shrink`], [`tau_best`] reject (coverage, draws, tau > p).
///
/// # Complexity
/// That of [`rank_confidence_sets`] on the kept places (well under a second at 741 places and
/// 10^4 draws with SEs), plus `O(p^2)` to restrict a covariance.
///
/// # Example
/// ```
/// use mobility::ranking::places::{PlaceInput, PlaceRankingOptions, rank_places_table};
/// let places: Vec<PlaceInput<&str>> = [("a", 10.0), ("b", 5.0), ("c", 4.9), ("d", 0.0)]
///     .iter()
///     .map(|&(p, e)| PlaceInput { place: p, units: 100, weight: 100.0, estimate: Some(e), se: Some(0.1) })
///     .collect();
/// let o = PlaceRankingOptions { tau: Some(1), ..Default::default() };
/// let r = rank_places_table(&places, None, &o).unwrap();
/// assert_eq!((r.rows[0].rank, r.rows[0].lower, r.rows[0].upper), (1, 1, 1));
/// assert_eq!((r.rows[1].lower, r.rows[1].upper), (2, 3)); // b and c cannot be told apart
/// assert_eq!(r.rows[0].tau_best, Some(true));
/// ```
pub fn rank_places_table<G: Clone>(
    places: &[PlaceInput<G>],
    covariance: Option<&Array2<f64>>,
    options: &PlaceRankingOptions,
) -> Result<PlaceRanking<G>> {
    if let Some(c) = covariance
        && c.dim() != (places.len(), places.len())
    {
        return Err(MobilityError::LengthMismatch {
            what: "covariance of the places (rows and columns)".into(),
            expected: places.len(),
            found: if c.nrows() != places.len() {
                c.nrows()
            } else {
                c.ncols()
            },
        });
    }
    let mut kept = Vec::new();
    let mut excluded = Vec::new();
    for (i, p) in places.iter().enumerate() {
        let reason = if p.units < options.min_size {
            Some(format!(
                "{} units, below the minimum size {}",
                p.units, options.min_size
            ))
        } else if p.estimate.is_none() {
            Some("estimate undefined".to_string())
        } else if !p.se.is_some_and(|s| s > 0.0 && s.is_finite()) {
            Some("no positive standard error".to_string())
        } else {
            None
        };
        match reason {
            Some(reason) => excluded.push(ExcludedPlace {
                place: p.place.clone(),
                units: p.units,
                reason,
            }),
            None => kept.push(i),
        }
    }
    if kept.len() < 2 {
        return Err(MobilityError::Undefined {
            what: "rank confidence sets".into(),
            reason: format!(
                "{} place(s) left to rank; at least 2 are needed",
                kept.len()
            ),
        });
    }
    let est: Vec<f64> = kept
        .iter()
        .map(|&i| places[i].estimate.unwrap_or(0.0))
        .collect();
    let se: Vec<f64> = kept.iter().map(|&i| places[i].se.unwrap_or(0.0)).collect();
    let cov = covariance
        .map(|c| Array2::from_shape_fn((kept.len(), kept.len()), |(a, b)| c[[kept[a], kept[b]]]));
    let unc = match &cov {
        Some(c) => Uncertainty::Covariance(c.view()),
        None => Uncertainty::StandardErrors(&se),
    };
    let o = &options.rank_sets;
    let sets = rank_confidence_sets(&est, &unc, o)?;
    let shrunk = shrink(&est, &se, &options.shrinkage)?;
    let (best, worst) = match options.tau {
        Some(tau) => (
            Some(tau_best(&est, &unc, tau, o)?.indices),
            Some(tau_worst(&est, &unc, tau, o)?.indices),
        ),
        None => (None, None),
    };
    let rank_of = |values: &[f64], j: usize| {
        1 + values
            .iter()
            .filter(|&&v| {
                if o.largest_first {
                    v > values[j]
                } else {
                    v < values[j]
                }
            })
            .count()
    };
    let shrunk_values: Vec<f64> = shrunk.rows.iter().map(|r| r.shrunk).collect();
    let rows = kept
        .iter()
        .enumerate()
        .map(|(j, &i)| {
            let p = &places[i];
            let s = &sets.rows[j];
            PlaceRankRow {
                place: p.place.clone(),
                units: p.units,
                weight: p.weight,
                estimate: est[j],
                se: se[j],
                shrunk: shrunk.rows[j].shrunk,
                reliability: shrunk.rows[j].reliability,
                rank: s.rank,
                shrunk_rank: rank_of(&shrunk_values, j),
                lower: s.lower,
                upper: s.upper,
                tau_best: best.as_ref().map(|b| b.contains(&j)),
                tau_worst: worst.as_ref().map(|w| w.contains(&j)),
            }
        })
        .collect();
    Ok(PlaceRanking {
        measure: None,
        p: kept.len(),
        min_size: options.min_size,
        coverage: o.coverage,
        simultaneous: o.simultaneous,
        full_covariance: cov.is_some(),
        draws: o.draws,
        largest_first: o.largest_first,
        tau: options.tau,
        shrinkage_target: shrunk.target,
        signal_variance: shrunk.signal_variance,
        rows,
        excluded,
    })
}

/// Ranks the places of a [`PlacesBootstrap`]: its estimates and SEs, with its joint covariance
/// when it has one.
///
/// # Formula
/// As [`rank_places_table`], `Sigma` = the bootstrap covariance.
///
/// # Errors
/// As [`rank_places_table`].
///
/// # Complexity
/// As [`rank_places_table`].
pub fn rank_places<G: Clone>(
    places: &PlacesBootstrap<G>,
    options: &PlaceRankingOptions,
) -> Result<PlaceRanking<G>> {
    let table: Vec<PlaceInput<G>> = places
        .places
        .iter()
        .map(|p| PlaceInput {
            place: p.place.clone(),
            units: p.units,
            weight: p.weight,
            estimate: p.estimate,
            se: p.se,
        })
        .collect();
    let cov = places.covariance_matrix();
    let mut r = rank_places_table(&table, cov.as_ref(), options)?;
    r.measure = Some(places.measure);
    Ok(r)
}
