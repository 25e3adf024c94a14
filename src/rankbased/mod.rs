//! Rank and income measures of intergenerational mobility, from the same pairs as the matrix.
//!
//! ```text
//! r_p, r_c   weighted fractional mid-ranks of parent and child status, in (0, 1)
//!            (crate::rank::fractional_ranks: ties share the mean rank of their group)
//! slope      weighted OLS slope of r_c on r_p                  (Chetty et al. 2014)
//! intercept  100 (mean r_c - slope mean r_p)                    0-100 scale
//! AUM        intercept + 25 slope: expected child rank at parent rank 25 (0-100)
//! Spearman   weighted Pearson correlation of r_p and r_c
//! tau-b      Kendall's tau-b with ties (Knight 1966), O(n log n)
//! IGE        OLS slope of ln(child) on ln(parent), positive pairs only
//! absolute   share of children with status above their parents' (Chetty et al. 2017)
//! ```
//!
//! [`rank_mobility`] computes all of them with **one sort per variable** (the two sorts run in
//! parallel), then `O(n)` passes, then a parallel merge sort for Kendall's tau. Weights are
//! optional everywhere and act as frequency weights: a pair with weight 2 counts exactly as the
//! same pair listed twice (Kendall's tau included).
//!
//! Every rank measure is invariant to strictly increasing transforms of either variable; the IGE
//! and absolute mobility are not (they use the status values themselves).
//!
//! Inside: `canonical` puts the rows in one order (so results do not depend on the input order),
//! `joint` computes both variables' mid-ranks, the rank moments and the ties, `kendall` counts
//! the discordant pairs by Knight's merge sort, `income` is the pass over the status values
//! (absolute mobility, the log-log regression) and `exact` decides the weighted shares of
//! children ranked above or level with their parents in fixed point.

mod canonical;
mod exact;
mod income;
mod joint;
mod kendall;

use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result, check_same_length, check_weights};
use crate::rank::check_pairs;
use canonical::Canonical;
use exact::exact_rank_shares;
use income::{income_pass, log_shift};
use joint::{joint_pass, moments_in_order};

/// Fixed chunk length of the parallel `O(n)` passes (results never depend on the thread count).
const CHUNK: usize = 1 << 16;
/// Below this many pairs a sequential sort beats rayon's.
const PARALLEL_SORT_MIN: usize = 1 << 16;

/// Which ranks a rank-rank regression uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RankBasis {
    /// Ranks within the population passed in (a whole country, or a group on its own).
    #[default]
    Local,
    /// Ranks in the national (whole-sample) distribution, as Chetty et al. (2014) use for
    /// commuting zones: a group's slope and intercept are then on the national scale.
    National,
}

crate::error::named_enum!(RankBasis, Ranks, "rank basis", {
    National => "national",
    Local => "local",
});

/// Rank and income mobility measures of one set of parent/child pairs.
///
/// Field names are part of the interface: the CLI's `analyze --json` prints the rank fields
/// under `rank_measures` and Python's `rank_mobility(...).to_dict()` returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankMobility {
    /// Number of pairs.
    pub n: usize,
    /// Total weight (`n` without weights).
    pub total_weight: f64,
    /// Ranks the regression used: local (the pairs' own distribution) or national.
    pub rank_basis: RankBasis,
    /// Rank-rank slope: weighted OLS slope of child rank on parent rank (Chetty et al. 2014).
    pub rank_rank_slope: f64,
    /// Rank-rank intercept on the 0-100 scale: expected child rank of a parent at rank 0.
    pub rank_rank_intercept: f64,
    /// Absolute upward mobility on the 0-100 scale: expected child rank at parent rank 25,
    /// `intercept + 25 slope` (Chetty et al. 2014).
    pub absolute_upward_mobility: f64,
    /// Spearman's rho: weighted Pearson correlation of the mid-ranks (local ranks); `None` when
    /// either variable is constant.
    pub spearman: Option<f64>,
    /// Kendall's tau-b with ties, weighted by pair weights `w_i w_j`; `None` when either
    /// variable is constant.
    pub kendall_tau_b: Option<f64>,
    /// Weighted share of pairs with child rank strictly above parent rank (equal ranks do not
    /// count; see `share_child_rank_equal_parent`).
    pub share_child_rank_above_parent: f64,
    /// Weighted share of pairs whose child and parent ranks are exactly equal (with weights the
    /// comparison is made in exact fixed-point arithmetic, not on rounded float ranks).
    pub share_child_rank_equal_parent: f64,
    /// Intergenerational elasticity: OLS slope of ln(child) on ln(parent) over the pairs where
    /// both are positive; `None` when fewer than two such pairs or ln(parent) is constant.
    pub ige: Option<f64>,
    /// Pairs left out of the IGE because the parent's or the child's status is `<= 0`.
    pub ige_dropped: usize,
    /// Absolute mobility (Chetty et al. 2017): weighted share with child status strictly above
    /// the parent's (`child > parent`).
    pub absolute_mobility: f64,
    /// The `>=` variant: weighted share with child status at least the parent's.
    pub absolute_mobility_at_least: f64,
}

impl RankMobility {
    /// Expected child rank (0-100) of a parent at rank `parent_rank` (0-100) on the fitted
    /// rank-rank line; `expected_child_rank(25.0)` is the absolute upward mobility.
    ///
    /// # Formula
    /// ```text
    /// E[child rank | parent rank p] = intercept + slope p          (0-100 scale)
    /// ```
    ///
    /// # Errors
    /// [`MobilityError::InvalidParameter`] unless `0 <= parent_rank <= 100`.
    ///
    /// # Example
    /// ```
    /// let parent = [1.0, 2.0, 3.0, 4.0];
    /// let m = mobility::rankbased::rank_mobility(&parent, &parent, None).unwrap();
    /// assert!((m.expected_child_rank(75.0).unwrap() - 75.0).abs() < 1e-12);
    /// ```
    pub fn expected_child_rank(&self, parent_rank: f64) -> Result<f64> {
        if !(0.0..=100.0).contains(&parent_rank) {
            return Err(MobilityError::invalid(
                crate::error::Parameter::ParentRank,
                format!("must lie between 0 and 100 (a percentile rank), got {parent_rank}"),
            ));
        }
        Ok(self.rank_rank_intercept + self.rank_rank_slope * parent_rank)
    }
}

/// Rank-rank slope, intercept, absolute upward mobility, Spearman, Kendall's tau-b, the share
/// moving up in rank, the IGE and absolute mobility, all from one call.
///
/// # Formula
/// ```text
/// r_i   = (W(x < x_i) + W(x = x_i)/2) / W       weighted mid-ranks, parents and children apart
/// slope = sum w (r_p - mean r_p)(r_c - mean r_c) / sum w (r_p - mean r_p)^2
/// intercept = 100 (mean r_c - slope mean r_p)      (= 50 (1 - slope): mid-ranks average 1/2)
/// AUM   = intercept + 25 slope
/// rho_S = cov_w(r_p, r_c) / sqrt(var_w(r_p) var_w(r_c))
/// tau_b = (C - D) / sqrt((W^2 - sum_g Wx_g^2)/2 (W^2 - sum_h Wy_h^2)/2)
///         C, D: sum of w_i w_j over concordant / discordant pairs;
///         Wx_g, Wy_h, Wxy_l: weights of tied groups in x, y, (x, y);
///         C - D = (W^2 - sum Wx^2 - sum Wy^2 + sum Wxy^2)/2 - 2 D
/// up    = sum w [r_c > r_p] / W                 (ties: equal ranks count as not up)
/// IGE   = OLS slope of ln y_c on ln y_p over pairs with y_p > 0 and y_c > 0
/// AM    = sum w [y_c > y_p] / W,   AM>= = sum w [y_c >= y_p] / W
/// ```
/// With both ranks uniform (no ties, unit weights) the slope equals Spearman's rho. Absolute
/// mobility compares the values as given: for "in real terms" deflate both generations' incomes
/// to the same prices before calling (Chetty et al. 2017 use the CPI-U-RS).
///
/// Sources: Chetty, Hendren, Kline & Saez (2014), "Where is the Land of Opportunity?", QJE
/// 129(4) (rank-rank slope, absolute upward mobility); Chetty, Grusky, Hell, Hendren, Manduca &
/// Narang (2017), "The fading American dream", Science 356 (absolute mobility); Knight (1966),
/// "A computer method for calculating Kendall's tau with ungrouped data", JASA 61 (tau-b by
/// merge sort); Solon (1992) and Becker & Tomes (1979) for the IGE.
///
/// # Errors
/// Empty input, lengths that differ, NaN or infinite status, bad weights (negative, non-finite,
/// zero total), more than `u32::MAX` pairs; [`MobilityError::Undefined`] when every parent has
/// the same status (the rank-rank slope does not exist).
///
/// # Complexity
/// `O(n log n)`: one sort per variable (the parent's by a parallel pattern-defeating quicksort on
/// `(parent, child)` pairs, the child's by the counting merge sort), `O(n)` passes in fixed
/// chunks, and a parallel merge sort counting discordant pairs. About `48 n` bytes of working
/// memory (`72 n` with weights). Results do not depend on the number of threads.
///
/// # Example
/// ```
/// use mobility::rankbased::rank_mobility;
/// let parent = [10.0, 20.0, 30.0, 40.0, 50.0];
/// let child = [12.0, 35.0, 25.0, 60.0, 45.0];
/// let m = rank_mobility(&parent, &child, None).unwrap();
/// assert!((m.rank_rank_slope - 0.8).abs() < 1e-12); // no ties: slope = Spearman's rho
/// assert!((m.spearman.unwrap() - 0.8).abs() < 1e-12);
/// assert!((m.kendall_tau_b.unwrap() - 0.6).abs() < 1e-12); // 8 concordant, 2 discordant
/// assert!((m.absolute_upward_mobility - (10.0 + 25.0 * 0.8)).abs() < 1e-9);
/// assert_eq!(m.absolute_mobility, 0.6); // 3 of 5 children above their parents
/// ```
pub fn rank_mobility(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
) -> Result<RankMobility> {
    let (canon, relative, total) = canonical_pairs(parent, child, weights)?;
    let (parent, child, weights) = canon.view();
    let mut r = rank_core(parent, child, weights, total, None)?;
    r.total_weight = relative.restore(r.total_weight).unwrap_or(r.total_weight);
    Ok(r)
}

/// Rank measures of a sub-population (a place, a group) whose members' national ranks are known:
/// the regression, intercept, absolute upward mobility and the share moving up use the given
/// national ranks (in `(0, 1)`, as [`crate::rank::fractional_ranks`] returns them for the whole
/// sample); Spearman and Kendall use the group's own ranks (they are correlations within the
/// group); the IGE and absolute mobility use the status values.
///
/// # Formula
/// As [`rank_mobility`], with `r_p, r_c` the national ranks in the slope, intercept, AUM and
/// share moving up.
///
/// # Errors
/// As [`rank_mobility`]; national ranks of the wrong length or outside `[0, 1]`.
///
/// # Complexity
/// As [`rank_mobility`].
pub fn rank_mobility_national(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    national_parent_ranks: &[f64],
    national_child_ranks: &[f64],
) -> Result<RankMobility> {
    let relative = crate::rank::relative_weights(weights, parent.len())?;
    let weights = relative.as_deref();
    check_pairs(parent, child, weights)?;
    for (what, r) in [
        (
            crate::error::Parameter::NationalParentRanks,
            national_parent_ranks,
        ),
        (
            crate::error::Parameter::NationalChildRanks,
            national_child_ranks,
        ),
    ] {
        check_same_length(parent.len(), r.len(), &what.to_string())?;
        if let Some((i, &v)) = r
            .iter()
            .enumerate()
            .find(|(_, v)| !(0.0..=1.0).contains(*v))
        {
            return Err(MobilityError::invalid(
                what,
                format!("entry {i} is {v}; ranks must lie in [0, 1]"),
            ));
        }
    }
    let canon = Canonical::new(
        parent,
        child,
        weights,
        Some((national_parent_ranks, national_child_ranks)),
    );
    let total = canonical_total(&canon)?;
    let (parent, child, weights) = canon.view();
    let national = canon.national.as_ref().map(|(a, b)| (&a[..], &b[..]));
    let mut r = rank_core(parent, child, weights, total, national)?;
    r.total_weight = relative.restore(r.total_weight).unwrap_or(r.total_weight);
    Ok(r)
}

/// What every measure on pairs does first: makes the weights relative (scale-free results),
/// validates the pairs and puts them in canonical order (order-free results). Returns the rows
/// in that order, the relative weights (whose `restore` gives totals in the input's scale) and
/// the total weight summed in canonical order.
fn canonical_pairs<'w>(
    parent: &[f64],
    child: &[f64],
    weights: Option<&'w [f64]>,
) -> Result<(Canonical, crate::rank::RelativeWeights<'w>, f64)> {
    let relative = crate::rank::relative_weights(weights, parent.len())?;
    check_pairs(parent, child, relative.as_deref())?;
    let canon = Canonical::new(parent, child, relative.as_deref(), None);
    let total = canonical_total(&canon)?;
    Ok((canon, relative, total))
}

/// The total weight of rows in canonical order (the status was checked before reordering).
fn canonical_total(canon: &Canonical) -> Result<f64> {
    let (parent, _, weights) = canon.view();
    check_weights(weights, parent.len())
}

/// Kendall's tau-b with ties, weighted by pair weights `w_i w_j`, in `O(n log n)`.
///
/// Returns `None` when either variable is constant (the denominator is zero).
///
/// # Formula
/// ```text
/// tau_b = (C - D) / sqrt(T_x T_y)
/// T_x   = sum_{i<j} w_i w_j [x_i != x_j] = (W^2 - sum_g Wx_g^2) / 2   (T_y likewise)
/// C - D = (W^2 - sum Wx_g^2 - sum Wy_h^2 + sum Wxy_l^2) / 2 - 2 D
/// D     = sum_{i<j} w_i w_j [(x_i - x_j)(y_i - y_j) < 0]
/// ```
/// Knight's algorithm: sort by `(x, y)`, then count the pairs a stable merge sort on `y` has to
/// exchange; that count is `D` (with weights, each exchange of a right-half element past the
/// remaining left half adds its weight times their total weight). Weight 2 gives the same tau as
/// the pair listed twice. Without weights this is the tau-b of SciPy's `kendalltau` and R's
/// `cor(method = "kendall")`.
///
/// Sources: Kendall (1945), "The treatment of ties in ranking problems", Biometrika 33; Knight
/// (1966), JASA 61, 436-439.
///
/// # Errors
/// As [`rank_mobility`] (empty, lengths, non-finite values, bad weights).
///
/// # Complexity
/// `O(n log n)`: a parallel sort on `(x, y)` and a parallel counting merge sort on `y`; `O(n)`
/// memory.
///
/// # Example
/// ```
/// use mobility::rankbased::kendall_tau_b;
/// // x ties in the first two, y ties in the last two: C = 3, D = 1, T_x = T_y = 5.
/// let tau = kendall_tau_b(&[1.0, 1.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 3.0], None).unwrap();
/// assert!((tau.unwrap() - 0.8).abs() < 1e-12);
/// ```
pub fn kendall_tau_b(x: &[f64], y: &[f64], weights: Option<&[f64]>) -> Result<Option<f64>> {
    let (canon, _, total) = canonical_pairs(x, y, weights)?;
    let (x, y, weights) = canon.view();
    Ok(joint_pass(x, y, weights, total).kendall)
}

/// The intergenerational elasticity (log-log OLS) and how many pairs it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ige {
    /// The elasticity `beta`: OLS slope of ln(child) on ln(parent); `None` when fewer than two
    /// positive pairs or ln(parent) is constant.
    pub elasticity: Option<f64>,
    /// The intercept of that regression (log points).
    pub intercept: Option<f64>,
    /// Correlation of ln(parent) and ln(child) (the intergenerational correlation); `None` when
    /// either is constant.
    pub log_correlation: Option<f64>,
    /// Pairs used (both status values `> 0`).
    pub used: usize,
    /// Pairs dropped (parent or child status `<= 0`).
    pub dropped: usize,
}

/// Intergenerational elasticity: OLS slope of ln(child income) on ln(parent income), over the
/// pairs where both incomes are positive, with the number of pairs dropped.
///
/// # Formula
/// ```text
/// beta = sum w (ln y_p - m_p)(ln y_c - m_c) / sum w (ln y_p - m_p)^2    over y_p > 0, y_c > 0
/// ```
/// Sources: Becker & Tomes (1979); Solon (1992), "Intergenerational income mobility in the United
/// States", AER 82; docs/FORMULAS.md#ige.
///
/// # Errors
/// As [`rank_mobility`] (empty, lengths, non-finite values, bad weights).
///
/// # Complexity
/// `O(n)`: two parallel passes in fixed chunks.
///
/// # Example
/// ```
/// use mobility::rankbased::ige;
/// // child = parent^0.5 exactly; the zero-income pair is dropped
/// let r = ige(&[1.0, 4.0, 16.0, 0.0], &[1.0, 2.0, 4.0, 3.0], None).unwrap();
/// assert!((r.elasticity.unwrap() - 0.5).abs() < 1e-12);
/// assert_eq!((r.used, r.dropped), (3, 1));
/// ```
pub fn ige(parent: &[f64], child: &[f64], weights: Option<&[f64]>) -> Result<Ige> {
    let (canon, _, _) = canonical_pairs(parent, child, weights)?;
    let (parent, child, weights) = canon.view();
    // First pass: the log means (the shift that keeps the second pass accurate).
    let first = income_pass(parent, child, weights, 0.0, 0.0);
    let (sx, sy) = if first.log_w > 0.0 {
        (first.lx / first.log_w, first.ly / first.log_w)
    } else {
        (0.0, 0.0)
    };
    Ok(income_pass(parent, child, weights, sx, sy).ige())
}

/// Absolute mobility: shares of children whose status exceeds their parents'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbsoluteMobility {
    /// Weighted share with `child > parent` (Chetty et al. 2017's definition).
    pub greater: f64,
    /// Weighted share with `child >= parent`.
    pub greater_or_equal: f64,
}

/// Absolute mobility (Chetty et al. 2017): the weighted share of children with status above
/// their parents', with both tie rules.
///
/// The values are compared as given: "in real terms" means the caller deflates both generations
/// to the same prices first (and, as Chetty et al. 2017 do, measures both at the same age).
///
/// # Formula
/// ```text
/// AM   = sum_i w_i [y_c,i >  y_p,i] / W
/// AM>= = sum_i w_i [y_c,i >= y_p,i] / W
/// ```
/// Source: Chetty, Grusky, Hell, Hendren, Manduca & Narang (2017), "The fading American dream:
/// trends in absolute income mobility since 1940", Science 356(6336).
///
/// # Errors
/// As [`rank_mobility`].
///
/// # Complexity
/// `O(n)`, parallel.
///
/// # Example
/// ```
/// let am = mobility::rankbased::absolute_mobility(&[1.0, 2.0, 3.0, 4.0], &[2.0, 2.0, 1.0, 5.0], None)
///     .unwrap();
/// assert_eq!((am.greater, am.greater_or_equal), (0.5, 0.75));
/// ```
pub fn absolute_mobility(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
) -> Result<AbsoluteMobility> {
    let (canon, _, total) = canonical_pairs(parent, child, weights)?;
    let (parent, child, weights) = canon.view();
    let s = income_pass(parent, child, weights, 0.0, 0.0);
    Ok(AbsoluteMobility {
        greater: s.gt / total,
        greater_or_equal: s.ge / total,
    })
}

// ---------------------------------------------------------------------------------------------
// The shared core
// ---------------------------------------------------------------------------------------------

fn rank_core(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    total: f64,
    national: Option<(&[f64], &[f64])>,
) -> Result<RankMobility> {
    let n = parent.len();
    let (joint, income) = rayon::join(
        || joint_pass(parent, child, weights, total),
        || {
            // The log regression is shifted by log means from a strided sample (accuracy only:
            // the slope does not depend on the shift).
            let (sp, sc) = log_shift(parent, child);
            income_pass(parent, child, weights, sp, sc)
        },
    );
    let local = joint.moments;
    let regression = match national {
        None => local,
        Some((rp, rc)) => moments_in_order(rp, rc, weights),
    };
    let slope = regression.slope().ok_or_else(|| MobilityError::Undefined {
        what: "the rank-rank slope".into(),
        reason: "every parent has the same status (or all the weight is on one parent value), \
                 so parent ranks do not vary"
            .into(),
    })?;
    let intercept = 100.0 * (regression.mean_y() - slope * regression.mean_x());
    let ige = income.ige();
    // Unweighted local ranks are (start + len/2)/n, exact and so compared exactly; weighted ones
    // are float prefix sums in two different orders, so their comparison is redone exactly.
    let (above, equal) = match (weights, national) {
        (Some(w), None) => exact_rank_shares(parent, child, w),
        _ => (regression.above, regression.equal),
    };
    Ok(RankMobility {
        n,
        total_weight: total,
        rank_basis: if national.is_some() {
            RankBasis::National
        } else {
            RankBasis::Local
        },
        rank_rank_slope: slope,
        rank_rank_intercept: intercept,
        absolute_upward_mobility: intercept + 25.0 * slope,
        spearman: local.correlation(),
        kendall_tau_b: joint.kendall,
        share_child_rank_above_parent: above / regression.w,
        share_child_rank_equal_parent: equal / regression.w,
        ige: ige.elasticity,
        ige_dropped: ige.dropped,
        absolute_mobility: income.gt / total,
        absolute_mobility_at_least: income.ge / total,
    })
}
