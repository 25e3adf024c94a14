//! Places ranked on levelling up and on social mobility, from published place matrices.
//!
//! ```text
//! PlaceTable per place (e.g. Chetty et al. 2014's 741 commuting zones, read by
//!   crate::io::place_matrices::read_place_matrices)
//!   --clean-----> suppressed places excluded, rows within row_tolerance of 1 rescaled
//!   --measure---> Levelling (crate::places::levelling) and every matrix measure
//!   --rank------> levelling rank, mobility rank (MobilityScore), Spearman between the scores
//!   --contrast--> places that do well on one axis and badly on the other
//! ```
//!
//! [`places_report`] does all of it; for microdata with a place or group column, see
//! [`crate::places::groups::by_group`].

use ndarray::{Array2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result};
use crate::matrix::{ProbabilityOptions, TransitionMatrix};
use crate::measures::{Measures, Weighting};
use crate::places::levelling::Levelling;
use crate::registry::Measure;
use crate::serde_nd;

/// One place's published matrix and shares, as read from a file (before any cleaning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceTable {
    /// Place identifier (e.g. the commuting-zone code).
    pub id: String,
    /// Place name.
    pub name: String,
    /// Region (e.g. the state), empty when the file has none.
    pub region: String,
    /// Population size column (e.g. children in the cohorts), when given.
    pub size: Option<f64>,
    /// `p_ij` = P(child in national class j | parent in national class i), parents in rows;
    /// `None` when any cell is empty (suppressed).
    #[serde(with = "serde_nd::option_matrix")]
    pub probabilities: Option<Array2<f64>>,
    /// The place's parent shares over national classes, when given in full.
    pub parent_shares: Option<Vec<f64>>,
    /// The place's child shares over national classes, when given in full.
    pub child_shares: Option<Vec<f64>>,
}

/// The social-mobility axis of a places report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MobilityScore {
    /// `p_1k`: P(top | bottom), Chetty et al. (2014)'s P(Q5 | Q1). The default.
    #[default]
    BottomToTop,
    /// `1 - p_11`: the share of bottom-class children who leave the bottom.
    UpwardFromBottom,
    /// `p_1k / p_mk`: access to the top from the bottom relative to the middle.
    TopAccessRatio,
    /// Shorrocks' trace index `(k - tr P) / (k - 1)`.
    ShorrocksTrace,
}

impl MobilityScore {
    /// Every score, in documentation order.
    pub const ALL: [MobilityScore; 4] = [
        MobilityScore::BottomToTop,
        MobilityScore::UpwardFromBottom,
        MobilityScore::TopAccessRatio,
        MobilityScore::ShorrocksTrace,
    ];

    /// The score's name (as the CLI and Python take it).
    pub fn name(self) -> &'static str {
        match self {
            MobilityScore::TopAccessRatio => "top_access_ratio",
            m => m.measure().expect("a registry measure").name(),
        }
    }

    /// The registry measure this score is (`None` for `top_access_ratio`, a ratio of two cells).
    pub fn measure(self) -> Option<Measure> {
        match self {
            MobilityScore::BottomToTop => Some(Measure::BottomToTop),
            MobilityScore::UpwardFromBottom => Some(Measure::UpwardFromBottom),
            MobilityScore::TopAccessRatio => None,
            MobilityScore::ShorrocksTrace => Some(Measure::ShorrocksTrace),
        }
    }

    /// A one-line description (the registry's for a measure).
    pub fn description(self) -> &'static str {
        match self.measure() {
            Some(m) => m.info().description,
            None => "access to the top from the bottom relative to the middle, p_1k / p_mk",
        }
    }

    fn value(self, m: &Measures, l: &Levelling) -> Option<f64> {
        match self.measure() {
            Some(measure) => m.value(measure),
            None => l.top_access.ratio,
        }
    }
}

impl std::str::FromStr for MobilityScore {
    type Err = MobilityError;

    fn from_str(s: &str) -> Result<MobilityScore> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        MobilityScore::ALL
            .into_iter()
            .find(|m| m.name() == norm)
            .ok_or_else(|| {
                let names: Vec<&str> = MobilityScore::ALL.iter().map(|m| m.name()).collect();
                MobilityError::unknown(crate::error::Parameter::MobilityScore, s, &names, "score")
            })
    }
}

/// Options of [`places_report`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacesOptions {
    /// The social-mobility axis.
    pub mobility_score: MobilityScore,
    /// A row (or a share vector) whose sum is further than this from 1 excludes the place;
    /// closer ones are rescaled to sum to 1 (disclosure noise, rounding) and counted.
    pub row_tolerance: f64,
    /// "Does well" = in the top `contrast_fraction` of ranked places on an axis; "badly" = in the
    /// bottom `contrast_fraction`.
    pub contrast_fraction: f64,
    /// Origin weights for the matrix measures.
    pub weighting: Weighting,
}

impl Default for PlacesOptions {
    fn default() -> Self {
        PlacesOptions {
            mobility_score: MobilityScore::BottomToTop,
            row_tolerance: 0.01,
            contrast_fraction: 0.2,
            weighting: Weighting::ParentShares,
        }
    }
}

/// One ranked place of a [`PlacesReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceRow {
    /// Place identifier.
    pub id: String,
    /// Place name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Population size, when given.
    pub size: Option<f64>,
    /// The levelling-up score (`levelling.levelling_up`: mean national class of children minus
    /// that of parents).
    pub levelling_score: f64,
    /// The social-mobility score chosen in [`PlacesOptions::mobility_score`].
    pub mobility_score: f64,
    /// Rank on levelling up among ranked places, 1 = most levelling up (ties: file order).
    pub levelling_rank: usize,
    /// Rank on mobility, 1 = most mobile.
    pub mobility_rank: usize,
    /// Rows of this place's matrix that were rescaled to sum to 1.
    pub rows_renormalised: usize,
    /// Largest gap between the published child shares and `parent shares . P` (0 when the file
    /// gives no child shares).
    pub child_share_gap: f64,
    /// Shares, structural/exchange split, levelling-up score, fall and access to the top.
    pub levelling: Levelling,
    /// Every canonical matrix measure.
    pub measures: Measures,
}

/// A place left out of the ranking, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcludedPlace {
    /// Place identifier.
    pub id: String,
    /// Place name.
    pub name: String,
    /// Why it was left out.
    pub reason: String,
}

/// A place that does well on one axis and badly on the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contrast {
    /// Place identifier.
    pub id: String,
    /// Place name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Its rank on levelling up.
    pub levelling_rank: usize,
    /// Its rank on mobility.
    pub mobility_rank: usize,
}

/// Places ranked on levelling up and on social mobility, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacesReport {
    /// Number of classes.
    pub k: usize,
    /// The options used.
    pub options: PlacesOptions,
    /// Ranked places, in file order.
    pub places: Vec<PlaceRow>,
    /// Places left out (suppressed cells, missing shares, rows too far from 1, undefined score).
    pub excluded: Vec<ExcludedPlace>,
    /// Rows rescaled to sum to 1, over all ranked places.
    pub rows_renormalised: usize,
    /// Ranked places with at least one rescaled row.
    pub places_renormalised: usize,
    /// Largest `|row sum - 1|` among ranked places before rescaling.
    pub max_row_deviation: f64,
    /// Spearman correlation across ranked places between the two scores (`None` if fewer than 2
    /// places or a constant score).
    pub score_correlation: Option<f64>,
    /// Places in the top fraction on levelling up and the bottom fraction on mobility.
    pub levelling_not_mobility: Vec<Contrast>,
    /// Places in the top fraction on mobility and the bottom fraction on levelling up.
    pub mobility_not_levelling: Vec<Contrast>,
}

impl PlacesReport {
    /// The ranked places ordered by levelling rank (best first).
    pub fn by_levelling(&self) -> Vec<&PlaceRow> {
        let mut v: Vec<&PlaceRow> = self.places.iter().collect();
        v.sort_by_key(|p| p.levelling_rank);
        v
    }

    /// The ranked places ordered by mobility rank (best first).
    pub fn by_mobility(&self) -> Vec<&PlaceRow> {
        let mut v: Vec<&PlaceRow> = self.places.iter().collect();
        v.sort_by_key(|p| p.mobility_rank);
        v
    }
}

/// Ranks published place matrices on levelling up and on social mobility, and lists the places
/// that do well on one and badly on the other.
///
/// Cleaning, in this order, each step counted or reported:
/// 1. a place with any empty (suppressed) cell, or without full parent shares, is excluded;
/// 2. a row of `P` (or the parent share vector) whose sum is within `row_tolerance` of 1 is
///    rescaled to sum to 1 (disclosure noise and rounding: Chetty et al.'s table 6 rows are off by
///    at most 2e-7) and, when it was more than 1e-12 off, counted in `rows_renormalised`; further
///    than `row_tolerance` off, or all zero, excludes the place;
/// 3. child shares are `parent shares . P` (consistent with the joint table); the published child
///    shares are only compared (`child_share_gap`);
/// 4. a place whose mobility score is undefined (e.g. `P(top | middle) = 0` for the ratio) is
///    excluded.
///
/// Ranks: 1 = highest score, ties broken by file order. With `m` ranked places and
/// `c = ceil(contrast_fraction m)`, "does well" is rank `<= c` and "does badly" rank `> m - c`.
///
/// # Formula
/// ```text
/// levelling score = sum_j j f_.j - sum_i i f_i.        f = pi_i p_ij over national classes
/// mobility score  = p_1k (default), 1 - p_11, p_1k / p_mk, or (k - tr P)/(k - 1)
/// ```
///
/// # Errors
/// [`MobilityError::InvalidParameter`] for a `row_tolerance` that is negative or not finite or a
/// `contrast_fraction` outside `(0, 0.5]`; [`MobilityError::Incompatible`] when places have
/// different `k`; [`MobilityError::EmptyInput`] when no place can be ranked.
///
/// # Complexity
/// `O(places k^3)` (eigenvalues per place), parallel over places; a few milliseconds for 741
/// quintile matrices.
///
/// # Example
/// ```
/// use mobility::places::report::{PlaceTable, PlacesOptions, places_report};
/// use ndarray::array;
/// let place = |id: &str, p: ndarray::Array2<f64>, s: Vec<f64>| PlaceTable {
///     id: id.into(), name: id.into(), region: String::new(), size: None,
///     probabilities: Some(p), parent_shares: Some(s), child_shares: None,
/// };
/// let places = vec![
///     // rising: most children above their parents' class, but the bottom stays put
///     place("A", array![[0.9, 0.1], [0.0, 1.0]], vec![0.5, 0.5]),
///     // fluid but sinking
///     place("B", array![[0.6, 0.4], [0.5, 0.5]], vec![0.2, 0.8]),
/// ];
/// let r = places_report(&places, &PlacesOptions::default()).unwrap();
/// assert_eq!(r.places[0].levelling_rank, 1);
/// assert_eq!(r.places[1].mobility_rank, 1);
/// ```
pub fn places_report(places: &[PlaceTable], options: &PlacesOptions) -> Result<PlacesReport> {
    if !(options.row_tolerance.is_finite() && options.row_tolerance >= 0.0) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::RowTolerance,
            format!(
                "must be a finite number >= 0, got {}",
                options.row_tolerance
            ),
        ));
    }
    if !(options.contrast_fraction > 0.0 && options.contrast_fraction <= 0.5) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::ContrastFraction,
            format!("must lie in (0, 0.5], got {}", options.contrast_fraction),
        ));
    }
    let k = places
        .iter()
        .find_map(|p| p.probabilities.as_ref().map(|m| m.nrows()))
        .ok_or_else(|| MobilityError::EmptyInput {
            what: format!(
                "places with a complete matrix (each of the {} places has a missing cell)",
                places.len()
            ),
        })?;
    if let Some(p) = places
        .iter()
        .find(|p| p.probabilities.as_ref().is_some_and(|m| m.dim() != (k, k)))
    {
        let dim = p
            .probabilities
            .as_ref()
            .map(|m| m.dim())
            .unwrap_or_default();
        return Err(MobilityError::Incompatible {
            reason: format!(
                "place {} has a {} x {} matrix, the first complete place {k} x {k}",
                p.id, dim.0, dim.1
            ),
        });
    }

    let cleaned: Vec<std::result::Result<Cleaned, String>> = places
        .par_iter()
        .with_min_len(16)
        .map(|p| clean_place(p, k, options))
        .collect();

    let mut rows = Vec::new();
    let mut excluded = Vec::new();
    for (p, c) in places.iter().zip(cleaned) {
        match c {
            Ok(c) => rows.push((p, c)),
            Err(reason) => excluded.push(ExcludedPlace {
                id: p.id.clone(),
                name: p.name.clone(),
                reason,
            }),
        }
    }
    if rows.is_empty() {
        const SHOW: usize = 5;
        let mut shown: Vec<String> = excluded
            .iter()
            .take(SHOW)
            .map(|e| format!("{}: {}", e.id, e.reason))
            .collect();
        if excluded.len() > SHOW {
            shown.push(format!("and {} more", excluded.len() - SHOW));
        }
        return Err(MobilityError::EmptyInput {
            what: format!(
                "places that can be ranked (all {} were excluded: {})",
                excluded.len(),
                shown.join("; ")
            ),
        });
    }
    let m = rows.len();
    let rank_of = |score: &dyn Fn(&Cleaned) -> f64| -> Vec<usize> {
        let mut order: Vec<usize> = (0..m).collect();
        // descending score, ties in file order (stable sort)
        order.sort_by(|&a, &b| score(&rows[b].1).total_cmp(&score(&rows[a].1)));
        let mut rank = vec![0; m];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r + 1;
        }
        rank
    };
    let levelling_rank = rank_of(&|c| c.levelling.levelling_up);
    let mobility_rank = rank_of(&|c| c.mobility);
    let cut = ((options.contrast_fraction * m as f64).ceil() as usize).max(1);
    let contrast = |i: usize, rows: &[(&PlaceTable, Cleaned)]| Contrast {
        id: rows[i].0.id.clone(),
        name: rows[i].0.name.clone(),
        region: rows[i].0.region.clone(),
        levelling_rank: levelling_rank[i],
        mobility_rank: mobility_rank[i],
    };
    let mut levelling_not_mobility: Vec<Contrast> = (0..m)
        .filter(|&i| levelling_rank[i] <= cut && mobility_rank[i] > m - cut)
        .map(|i| contrast(i, &rows))
        .collect();
    levelling_not_mobility.sort_by_key(|c| c.levelling_rank);
    let mut mobility_not_levelling: Vec<Contrast> = (0..m)
        .filter(|&i| mobility_rank[i] <= cut && levelling_rank[i] > m - cut)
        .map(|i| contrast(i, &rows))
        .collect();
    mobility_not_levelling.sort_by_key(|c| c.mobility_rank);

    let levelling_scores: Vec<f64> = rows.iter().map(|r| r.1.levelling.levelling_up).collect();
    let mobility_scores: Vec<f64> = rows.iter().map(|r| r.1.mobility).collect();
    let score_correlation = if m >= 2 {
        crate::rankbased::rank_mobility(&levelling_scores, &mobility_scores, None)
            .ok()
            .and_then(|r| r.spearman)
    } else {
        None
    };

    let rows_renormalised = rows.iter().map(|r| r.1.rows_renormalised).sum();
    let places_renormalised = rows.iter().filter(|r| r.1.rows_renormalised > 0).count();
    let max_row_deviation = rows
        .iter()
        .map(|r| r.1.max_row_deviation)
        .fold(0.0, f64::max);
    let places = rows
        .into_iter()
        .enumerate()
        .map(|(i, (p, c))| PlaceRow {
            id: p.id.clone(),
            name: p.name.clone(),
            region: p.region.clone(),
            size: p.size,
            levelling_score: c.levelling.levelling_up,
            mobility_score: c.mobility,
            levelling_rank: levelling_rank[i],
            mobility_rank: mobility_rank[i],
            rows_renormalised: c.rows_renormalised,
            child_share_gap: c.child_share_gap,
            levelling: c.levelling,
            measures: c.measures,
        })
        .collect();
    Ok(PlacesReport {
        k,
        options: options.clone(),
        places,
        excluded,
        rows_renormalised,
        places_renormalised,
        max_row_deviation,
        score_correlation,
        levelling_not_mobility,
        mobility_not_levelling,
    })
}

/// Row sums this close to 1 are floating-point representation, not noise: left as they are.
const ROW_EXACT: f64 = 1e-12;

/// A place after cleaning.
struct Cleaned {
    levelling: Levelling,
    measures: Measures,
    mobility: f64,
    rows_renormalised: usize,
    max_row_deviation: f64,
    child_share_gap: f64,
}

/// Cleans and measures one place; `Err(reason)` excludes it.
fn clean_place(
    place: &PlaceTable,
    k: usize,
    options: &PlacesOptions,
) -> std::result::Result<Cleaned, String> {
    let tol = options.row_tolerance;
    let Some(p) = &place.probabilities else {
        return Err("suppressed: matrix cells are empty".into());
    };
    let Some(shares) = &place.parent_shares else {
        return Err("parent shares are missing".into());
    };
    if shares.len() != k {
        return Err(format!("{} parent shares for {k} classes", shares.len()));
    }
    if let Some(((i, j), v)) = p.indexed_iter().find(|(_, v)| !v.is_finite() || **v < 0.0) {
        return Err(format!("cell ({}, {}) is {v}", i + 1, j + 1));
    }
    if let Some(v) = shares.iter().find(|v| !v.is_finite() || **v < 0.0) {
        return Err(format!("a parent share is {v}"));
    }
    let mut p = p.clone();
    let mut rows_renormalised = 0;
    let mut max_row_deviation: f64 = 0.0;
    for (i, mut row) in p.axis_iter_mut(Axis(0)).enumerate() {
        let sum = row.sum();
        let dev = (sum - 1.0).abs();
        if sum <= 0.0 || dev > tol {
            return Err(format!(
                "row {} sums to {sum} (more than {tol} from 1)",
                i + 1
            ));
        }
        max_row_deviation = max_row_deviation.max(dev);
        if dev > ROW_EXACT {
            row.mapv_inplace(|v| v / sum);
            rows_renormalised += 1;
        }
    }
    let share_sum: f64 = shares.iter().sum();
    if (share_sum - 1.0).abs() > tol {
        return Err(format!(
            "parent shares sum to {share_sum} (more than {tol} from 1)"
        ));
    }
    let shares: Vec<f64> = shares.iter().map(|v| v / share_sum).collect();
    let tm = TransitionMatrix::from_probabilities(
        p.view(),
        &ProbabilityOptions {
            parent_shares: Some(shares),
            tolerance: 1e-9,
            renormalise: false,
            child_in_rows: false,
        },
    )
    .map_err(|e| e.to_string())?;
    let child_share_gap = place.child_shares.as_ref().map_or(0.0, |c| {
        c.iter()
            .zip(tm.child_shares())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    });
    let measures = tm.measures(&options.weighting).map_err(|e| e.to_string())?;
    let levelling = tm.levelling();
    let mobility = options
        .mobility_score
        .value(&measures, &levelling)
        .ok_or_else(|| format!("{} is undefined", options.mobility_score.name()))?;
    Ok(Cleaned {
        levelling,
        measures,
        mobility,
        rows_renormalised,
        max_row_deviation,
        child_share_gap,
    })
}
