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

use std::ops::{AddAssign, SubAssign};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result, check_finite, check_same_length, check_weights};
use crate::rank::{check_index_range, sort_key};

/// Fixed chunk length of the parallel `O(n)` passes (results never depend on the thread count).
const CHUNK: usize = 1 << 16;
/// Merge-sort segments at least this long are split across threads.
const PAR_MERGE_MIN: usize = 1 << 15;
/// Merge-sort segments at most this long are insertion-sorted.
const SMALL: usize = 24;

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
    let relative = crate::rank::relative_weights(weights, parent.len())?;
    let weights = relative.as_deref();
    check_pairs(parent, child, weights)?;
    let canon = Canonical::new(parent, child, weights, None);
    let (parent, child, weights) = canon.view();
    let total = check_pairs(parent, child, weights)?;
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
    let (parent, child, weights) = canon.view();
    let total = check_pairs(parent, child, weights)?;
    let national = canon.national.as_ref().map(|(a, b)| (&a[..], &b[..]));
    let mut r = rank_core(parent, child, weights, total, national)?;
    r.total_weight = relative.restore(r.total_weight).unwrap_or(r.total_weight);
    Ok(r)
}

fn check_pairs(parent: &[f64], child: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    check_finite(parent, "parent status")?;
    check_same_length(parent.len(), child.len(), "child status")?;
    check_finite(child, "child status")?;
    check_index_range(parent.len())?;
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
    let relative = crate::rank::relative_weights(weights, x.len())?;
    let weights = relative.as_deref();
    check_pairs(x, y, weights)?;
    let canon = Canonical::new(x, y, weights, None);
    let (x, y, weights) = canon.view();
    let total = check_pairs(x, y, weights)?;
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
    let relative = crate::rank::relative_weights(weights, parent.len())?;
    let weights = relative.as_deref();
    check_pairs(parent, child, weights)?;
    let canon = Canonical::new(parent, child, weights, None);
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
    let relative = crate::rank::relative_weights(weights, parent.len())?;
    let weights = relative.as_deref();
    check_pairs(parent, child, weights)?;
    let canon = Canonical::new(parent, child, weights, None);
    let (parent, child, weights) = canon.view();
    let total = check_pairs(parent, child, weights)?;
    let s = income_pass(parent, child, weights, 0.0, 0.0);
    Ok(AbsoluteMobility {
        greater: s.gt / total,
        greater_or_equal: s.ge / total,
    })
}

/// The rows in a canonical order (by parent, child, weight, then national ranks): every sum over
/// it, hence every rank measure, is the same bit for bit for any order of the rows. Rows equal
/// in all keys are interchangeable, so an unstable sort is enough.
struct Canonical {
    parent: Vec<f64>,
    child: Vec<f64>,
    weights: Option<Vec<f64>>,
    national: Option<(Vec<f64>, Vec<f64>)>,
}

impl Canonical {
    fn new(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        national: Option<(&[f64], &[f64])>,
    ) -> Canonical {
        let order: Vec<u32> = match national {
            None => {
                // the keys laid out next to each other: the sort reads memory in order
                let mut keyed: Vec<([u64; 3], u32)> = (0..parent.len())
                    .into_par_iter()
                    .with_min_len(CHUNK)
                    .map(|i| {
                        let w = weights.map_or(0, |w| w[i].to_bits());
                        ([sort_key(parent[i]), sort_key(child[i]), w], i as u32)
                    })
                    .collect();
                if keyed.len() >= PARALLEL_SORT_MIN {
                    keyed.par_sort_unstable();
                } else {
                    keyed.sort_unstable();
                }
                keyed.into_iter().map(|k| k.1).collect()
            }
            Some((a, b)) => {
                let mut order: Vec<u32> = (0..parent.len() as u32).collect();
                order.par_sort_unstable_by_key(|&i| {
                    let i = i as usize;
                    (
                        sort_key(parent[i]),
                        sort_key(child[i]),
                        weights.map_or(0, |w| w[i].to_bits()),
                        (sort_key(a[i]), sort_key(b[i])),
                    )
                });
                order
            }
        };
        let pick = |x: &[f64]| -> Vec<f64> {
            order
                .par_iter()
                .with_min_len(CHUNK)
                .map(|&i| x[i as usize])
                .collect()
        };
        Canonical {
            parent: pick(parent),
            child: pick(child),
            weights: weights.map(pick),
            national: national.map(|(a, b)| (pick(a), pick(b))),
        }
    }

    fn view(&self) -> (&[f64], &[f64], Option<&[f64]>) {
        (&self.parent, &self.child, self.weights.as_deref())
    }
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

/// Weight of the pairs whose child rank is above, and equal to, their parent rank, decided in
/// exact arithmetic.
///
/// The weighted mid-rank of a unit is `(B + T/2) / W` (`B` the weight strictly below it, `T`
/// its tie group's weight), so child and parent ranks compare as the integers `2B + T`. Every
/// weight is an integer multiple of `2^lsb` (`lsb` the lowest set bit over all weights), so those
/// sums are held exactly in fixed point with enough 64-bit limbs for `2W`: two limbs whenever the
/// weights span less than about `2^(124 - log2 n)` (any realistic survey weights), more for wider
/// ranges. The sums are then independent of the summation order, and equal ranks compare equal.
///
/// ```text
/// child rank > parent rank  iff  2 B_c + T_c > 2 B_p + T_p      (exact, fixed point 2^lsb)
/// ```
///
/// `O(n log n)` (one sort by each variable) and `O(n L)` memory for `L` limbs.
fn exact_rank_shares(parent: &[f64], child: &[f64], w: &[f64]) -> (f64, f64) {
    let n = w.len();
    // w = m 2^e with m odd (or w = 0)
    let parts: Vec<(u64, i32)> = w
        .par_iter()
        .with_min_len(CHUNK)
        .map(|&x| {
            let bits = x.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i32;
            let frac = bits & ((1u64 << 52) - 1);
            let (m, e) = if exp == 0 {
                (frac, -1074)
            } else {
                (frac | (1u64 << 52), exp - 1075)
            };
            if m == 0 {
                (0, 0)
            } else {
                (m >> m.trailing_zeros(), e + m.trailing_zeros() as i32)
            }
        })
        .collect();
    let nonzero = parts.iter().filter(|p| p.0 != 0);
    let Some(lsb) = nonzero.clone().map(|p| p.1).min() else {
        return (0.0, 0.0);
    };
    let top = nonzero
        .map(|p| p.1 + 63 - p.0.leading_zeros() as i32)
        .max()
        .expect("a nonzero weight");
    // 2W <= 2 n 2^(top + 1): bits above 2^lsb needed, plus a spare
    let bits = (top - lsb + 1) as usize + 2 + (usize::BITS - n.leading_zeros()) as usize;
    let limbs = bits / 64 + 1;
    let add_weight = |acc: &mut [u64], i: usize| {
        let (m, e) = parts[i];
        if m == 0 {
            return;
        }
        let off = (e - lsb) as usize;
        let (at, sh) = (off / 64, off % 64);
        let lo = m << sh;
        let hi = if sh == 0 { 0 } else { m >> (64 - sh) };
        add_limbs(&mut acc[at..], &[lo, hi]);
    };
    // 2B + T for every unit, ties by status key; written per unit into `out`, or compared
    let walk = |status: &[f64], visit: &mut dyn FnMut(usize, &[u64])| {
        let mut order: Vec<(u64, u32)> = status
            .par_iter()
            .with_min_len(CHUNK)
            .enumerate()
            .map(|(i, &x)| (sort_key(x), i as u32))
            .collect();
        if order.len() >= PARALLEL_SORT_MIN {
            order.par_sort_unstable();
        } else {
            order.sort_unstable();
        }
        let (mut below, mut at_or_below, mut key) =
            (vec![0u64; limbs], vec![0u64; limbs], vec![0u64; limbs]);
        let mut s = 0;
        while s < n {
            let mut e = s;
            at_or_below.copy_from_slice(&below);
            while e < n && order[e].0 == order[s].0 {
                add_weight(&mut at_or_below, order[e].1 as usize);
                e += 1;
            }
            key.copy_from_slice(&below);
            add_limbs(&mut key, &at_or_below);
            for &(_, i) in &order[s..e] {
                visit(i as usize, &key);
            }
            std::mem::swap(&mut below, &mut at_or_below);
            s = e;
        }
    };
    let mut parent_key = vec![0u64; n * limbs];
    walk(parent, &mut |i, key| {
        parent_key[i * limbs..(i + 1) * limbs].copy_from_slice(key);
    });
    let (mut above, mut equal) = (0.0, 0.0);
    walk(child, &mut |i, key| {
        let p = &parent_key[i * limbs..(i + 1) * limbs];
        match key.iter().rev().cmp(p.iter().rev()) {
            std::cmp::Ordering::Greater => above += w[i],
            std::cmp::Ordering::Equal => equal += w[i],
            std::cmp::Ordering::Less => {}
        }
    });
    (above, equal)
}

/// `acc += x` on little-endian 64-bit limbs (`x` no longer than `acc`; no overflow by sizing).
fn add_limbs(acc: &mut [u64], x: &[u64]) {
    let mut carry = false;
    for (j, a) in acc.iter_mut().enumerate() {
        let v = x.get(j).copied().unwrap_or(0);
        if j >= x.len() && !carry {
            break;
        }
        let (s1, c1) = a.overflowing_add(v);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *a = s2;
        carry = c1 || c2;
    }
}

/// Mean logs of up to 1024 evenly spaced positive pairs (0 when there are none).
fn log_shift(parent: &[f64], child: &[f64]) -> (f64, f64) {
    let step = (parent.len() / 1024).max(1);
    let (mut sp, mut sc, mut m) = (0.0, 0.0, 0.0);
    for i in (0..parent.len()).step_by(step) {
        if parent[i] > 0.0 && child[i] > 0.0 {
            sp += parent[i].ln();
            sc += child[i].ln();
            m += 1.0;
        }
    }
    if m > 0.0 {
        (sp / m, sc / m)
    } else {
        (0.0, 0.0)
    }
}

/// What the joint pass returns: moments of the local ranks and Kendall's tau-b.
struct Joint {
    moments: Moments,
    kendall: Option<f64>,
}

/// Below this many pairs a sequential sort beats rayon's.
const PARALLEL_SORT_MIN: usize = 1 << 16;

/// Ranks, rank moments and Kendall's tau-b with two sorts and no random memory access.
///
/// 1. Sort the pairs by `(parent, child)`; the parent's mid-ranks come off the sorted order,
///    and ties in parent status are ordered by child status (Knight's secondary key).
/// 2. Merge sort the `(child key, parent rank)` sequence on the child key, counting discordant
///    pairs (Knight 1966); the result is the child's sorted order.
/// 3. Walk it: child mid-ranks, the rank moments, and the joint ties (runs of equal child key
///    and parent rank).
fn joint_pass(parent: &[f64], child: &[f64], weights: Option<&[f64]>, total: f64) -> Joint {
    match weights {
        None => {
            let mut pairs: Vec<(u64, u64)> = parent
                .par_iter()
                .zip(child)
                .with_min_len(CHUNK)
                .map(|(&p, &c)| (sort_key(p), sort_key(c)))
                .collect();
            // the rows come in canonical order, which is this order: the check is one pass
            if pairs.is_sorted() {
                // nothing to do
            } else if pairs.len() >= PARALLEL_SORT_MIN {
                pairs.par_sort_unstable();
            } else {
                pairs.sort_unstable();
            }
            let (seq, tie_sq_x) = parent_ranks(
                &pairs,
                |p| p.0,
                None,
                total,
                |p, prank| Unit { key: p.1, prank },
            );
            drop(pairs);
            joint_rest(seq, tie_sq_x, total)
        }
        Some(w) => {
            let mut triples: Vec<(u64, u64, f64)> = parent
                .par_iter()
                .zip(child)
                .zip(w)
                .with_min_len(CHUNK)
                .map(|((&p, &c), &w)| (sort_key(p), sort_key(c), w))
                .collect();
            // the weight breaks ties so the order (and every sum) is fully determined
            let cmp = |a: &(u64, u64, f64), b: &(u64, u64, f64)| {
                a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2))
            };
            if triples.is_sorted_by(|a, b| cmp(a, b).is_le()) {
                // nothing to do: canonical order
            } else if triples.len() >= PARALLEL_SORT_MIN {
                triples.par_sort_unstable_by(cmp);
            } else {
                triples.sort_unstable_by(cmp);
            }
            let (seq, tie_sq_x) = parent_ranks(
                &triples,
                |p| p.0,
                Some(&|p: &(u64, u64, f64)| p.2),
                total,
                |p, prank| WUnit {
                    key: p.1,
                    prank,
                    w: p.2,
                },
            );
            drop(triples);
            joint_rest(seq, tie_sq_x, total)
        }
    }
}

/// Parent mid-ranks from the pairs sorted by parent key, turned into merge-sort elements; also
/// `sum_g W_g^2` over the parent's tie groups.
fn parent_ranks<T: Sync, E: Send>(
    sorted: &[T],
    key: impl Fn(&T) -> u64 + Sync,
    weight: Option<&(dyn Fn(&T) -> f64 + Sync)>,
    total: f64,
    make: impl Fn(&T, f64) -> E + Sync + Send,
) -> (Vec<E>, f64) {
    let (ranks, tie_sq) = sorted_midranks(sorted, &key, weight, total);
    let seq = sorted
        .par_iter()
        .zip(ranks.par_iter())
        .with_min_len(CHUNK)
        .map(|(p, &r)| make(p, r))
        .collect();
    (seq, tie_sq)
}

/// Mid-ranks of a sequence sorted by `key` (ties share the mean rank of their group) and
/// `sum_g W_g^2` over tie groups, in parallel fixed chunks.
///
/// Without weights the arithmetic is exactly that of `crate::rank::fractional_ranks`
/// (`(start + len/2) / n`, exact in floating point). With weights, the weight below a group that
/// spans a chunk boundary is taken from chunk prefix sums, so every chunk computes the same rank
/// for it; results never depend on the number of threads.
fn sorted_midranks<T: Sync>(
    seq: &[T],
    key: &(impl Fn(&T) -> u64 + Sync),
    weight: Option<&(dyn Fn(&T) -> f64 + Sync)>,
    total: f64,
) -> (Vec<f64>, f64) {
    let n = seq.len();
    let w = |i: usize| weight.map_or(1.0, |f| f(&seq[i]));
    // weight before the start of each chunk
    let chunk_sums: Vec<f64> = match weight {
        None => seq.chunks(CHUNK).map(|c| c.len() as f64).collect(),
        Some(f) => seq
            .par_chunks(CHUNK)
            .map(|c| c.iter().map(f).sum())
            .collect(),
    };
    let mut prefix = Vec::with_capacity(chunk_sums.len());
    let mut acc = 0.0;
    for s in &chunk_sums {
        prefix.push(acc);
        acc += s;
    }
    // weight strictly before position `pos` (0 <= pos <= n)
    let below_at = |pos: usize| -> f64 {
        match weight {
            None => pos as f64,
            Some(_) => {
                let c = pos / CHUNK;
                if c >= prefix.len() {
                    return acc;
                }
                prefix[c] + (c * CHUNK..pos).map(w).sum::<f64>()
            }
        }
    };
    let run_end = |s: usize| s + seq[s..].partition_point(|x| key(x) <= key(&seq[s]));
    let run_start = |pos: usize| seq[..pos].partition_point(|x| key(x) < key(&seq[pos]));
    let mut ranks = vec![0.0; n];
    let tie_sq: Vec<f64> = ranks
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, out)| {
            let (a, b) = (c * CHUNK, c * CHUNK + out.len());
            let mut tie_sq = 0.0;
            let mut s = run_start(a);
            let mut below = if s < a { below_at(s) } else { prefix[c] };
            while s < b {
                let mut e = s + 1;
                let mut tie = w(s);
                // stops at b + 1 at the latest: then the group crosses into the next chunk
                while e < n && e <= b && key(&seq[e]) == key(&seq[s]) {
                    tie += w(e);
                    e += 1;
                }
                if s < a || e > b {
                    // a group that crosses a chunk boundary: the same arithmetic in every chunk
                    e = run_end(s);
                    below = below_at(s);
                    tie = match weight {
                        None => (e - s) as f64,
                        Some(_) => below_at(e) - below,
                    };
                }
                let r = (below + tie / 2.0) / total;
                out[s.max(a) - a..e.min(b) - a].fill(r);
                if s >= a {
                    tie_sq += tie * tie;
                }
                below += tie;
                s = e;
            }
            tie_sq
        })
        .collect();
    (ranks, tie_sq.iter().sum())
}

fn joint_rest<E: Element>(mut seq: Vec<E>, tie_sq_x: f64, total: f64) -> Joint {
    let discordant = E::to_f64(sort_counting(&mut seq));
    let n = seq.len();
    let weighted = |e: &E| e.weight();
    let unit = seq.first().is_none_or(|e| e.is_unit());
    let (rank_y, tie_sq_y) = sorted_midranks(
        &seq,
        &|e: &E| e.key(),
        if unit { None } else { Some(&weighted) },
        total,
    );
    // Rank moments, and joint ties: runs of equal (child key, parent rank) that start in the
    // chunk (within a run of equal child keys the merge kept parent order, so they are
    // consecutive).
    let same = |x: &E, y: &E| x.key() == y.key() && x.prank().to_bits() == y.prank().to_bits();
    let partials: Vec<(Moments, f64)> = seq
        .par_chunks(CHUNK)
        .zip(rank_y.par_chunks(CHUNK))
        .enumerate()
        .map(|(c, (chunk, ry))| {
            let mut m = Moments::default();
            let mut joint_sq = 0.0;
            let start = c * CHUNK;
            for (t, (e, &r)) in chunk.iter().zip(ry).enumerate() {
                m.add(e.weight(), e.prank(), r);
                let pos = start + t;
                if pos == 0 || !same(&seq[pos - 1], e) {
                    let mut w = e.weight();
                    let mut q = pos + 1;
                    while q < n && same(&seq[q], e) {
                        w += seq[q].weight();
                        q += 1;
                    }
                    joint_sq += w * w;
                }
            }
            (m, joint_sq)
        })
        .collect();
    let mut moments = Moments::default();
    let mut joint_sq = 0.0;
    for (m, j) in &partials {
        moments.merge(m);
        joint_sq += j;
    }
    let w2 = total * total;
    let tx = (w2 - tie_sq_x) / 2.0;
    let ty = (w2 - tie_sq_y) / 2.0;
    let kendall = (tx > 1e-12 * w2 && ty > 1e-12 * w2).then(|| {
        let both = (w2 - tie_sq_x - tie_sq_y + joint_sq) / 2.0;
        ((both - 2.0 * discordant) / (tx * ty).sqrt()).clamp(-1.0, 1.0)
    });
    Joint { moments, kendall }
}

/// Weighted first and second moments of two rank variables, centred at 1/2, and the up/equal
/// shares.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    w: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
    above: f64,
    equal: f64,
}

impl Moments {
    #[inline]
    fn add(&mut self, w: f64, rx: f64, ry: f64) {
        let (dx, dy) = (rx - 0.5, ry - 0.5);
        self.w += w;
        self.sx += w * dx;
        self.sy += w * dy;
        self.sxx += w * dx * dx;
        self.syy += w * dy * dy;
        self.sxy += w * dx * dy;
        // branch-free: the comparison is a coin flip on real data
        self.above += w * f64::from(u8::from(ry > rx));
        self.equal += w * f64::from(u8::from(ry == rx));
    }

    fn merge(&mut self, o: &Moments) {
        self.w += o.w;
        self.sx += o.sx;
        self.sy += o.sy;
        self.sxx += o.sxx;
        self.syy += o.syy;
        self.sxy += o.sxy;
        self.above += o.above;
        self.equal += o.equal;
    }

    fn mean_x(&self) -> f64 {
        0.5 + self.sx / self.w
    }

    fn mean_y(&self) -> f64 {
        0.5 + self.sy / self.w
    }

    /// Centred sums of squares and products.
    fn centred(&self) -> (f64, f64, f64) {
        let (mx, my) = (self.sx / self.w, self.sy / self.w);
        (
            self.sxx - self.w * mx * mx,
            self.syy - self.w * my * my,
            self.sxy - self.w * mx * my,
        )
    }

    fn slope(&self) -> Option<f64> {
        let (cxx, _, cxy) = self.centred();
        (self.w > 0.0 && cxx > 1e-14 * self.w).then(|| cxy / cxx)
    }

    fn correlation(&self) -> Option<f64> {
        let (cxx, cyy, cxy) = self.centred();
        (self.w > 0.0 && cxx > 1e-14 * self.w && cyy > 1e-14 * self.w)
            .then(|| (cxy / (cxx * cyy).sqrt()).clamp(-1.0, 1.0))
    }
}

/// Moments of given ranks in input order (national ranks of a group).
fn moments_in_order(rx: &[f64], ry: &[f64], weights: Option<&[f64]>) -> Moments {
    let partials: Vec<Moments> = rx
        .par_chunks(CHUNK)
        .zip(ry.par_chunks(CHUNK))
        .enumerate()
        .map(|(c, (xs, ys))| {
            let mut m = Moments::default();
            for (t, (&x, &y)) in xs.iter().zip(ys).enumerate() {
                m.add(weights.map_or(1.0, |w| w[c * CHUNK + t]), x, y);
            }
            m
        })
        .collect();
    let mut total = Moments::default();
    for p in &partials {
        total.merge(p);
    }
    total
}

// ---------------------------------------------------------------------------------------------
// Income pass: absolute mobility and the log-log regression
// ---------------------------------------------------------------------------------------------

/// Sums of the income pass; the log sums are taken about the shift `(sx, sy)` (near the log
/// means, so the centred products lose no digits).
#[derive(Debug, Clone, Copy, Default)]
struct IncomeSums {
    gt: f64,
    ge: f64,
    used: usize,
    dropped: usize,
    sx: f64,
    sy: f64,
    log_w: f64,
    lx: f64,
    ly: f64,
    lxx: f64,
    lyy: f64,
    lxy: f64,
}

impl IncomeSums {
    fn merge(&mut self, o: &IncomeSums) {
        self.gt += o.gt;
        self.ge += o.ge;
        self.used += o.used;
        self.dropped += o.dropped;
        self.log_w += o.log_w;
        self.lx += o.lx;
        self.ly += o.ly;
        self.lxx += o.lxx;
        self.lyy += o.lyy;
        self.lxy += o.lxy;
    }

    fn ige(&self) -> Ige {
        let w = self.log_w;
        let mut out = Ige {
            elasticity: None,
            intercept: None,
            log_correlation: None,
            used: self.used,
            dropped: self.dropped,
        };
        if self.used < 2 || w <= 0.0 {
            return out;
        }
        let (mx, my) = (self.lx / w, self.ly / w);
        let cxx = self.lxx - w * mx * mx;
        let cyy = self.lyy - w * my * my;
        let cxy = self.lxy - w * mx * my;
        let sxx = self.lxx.max(f64::MIN_POSITIVE);
        let syy = self.lyy.max(f64::MIN_POSITIVE);
        // a variance below 1e-12 of the raw second moment is rounding, not variation
        if cxx > 1e-12 * sxx {
            let beta = cxy / cxx;
            out.elasticity = Some(beta);
            out.intercept = Some((my + self.sy) - beta * (mx + self.sx));
            if cyy > 1e-12 * syy {
                out.log_correlation = Some((cxy / (cxx * cyy).sqrt()).clamp(-1.0, 1.0));
            }
        }
        out
    }
}

/// Absolute-mobility counts and log-regression sums, logs shifted by `(sx, sy)`.
fn income_pass(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    sx: f64,
    sy: f64,
) -> IncomeSums {
    let partials: Vec<IncomeSums> = parent
        .par_chunks(CHUNK)
        .zip(child.par_chunks(CHUNK))
        .enumerate()
        .map(|(c, (ps, cs))| {
            let mut s = IncomeSums::default();
            for (t, (&p, &y)) in ps.iter().zip(cs).enumerate() {
                let w = weights.map_or(1.0, |w| w[c * CHUNK + t]);
                if y > p {
                    s.gt += w;
                }
                if y >= p {
                    s.ge += w;
                }
                if p > 0.0 && y > 0.0 {
                    let (lx, ly) = (p.ln() - sx, y.ln() - sy);
                    s.used += 1;
                    s.log_w += w;
                    s.lx += w * lx;
                    s.ly += w * ly;
                    s.lxx += w * lx * lx;
                    s.lyy += w * ly * ly;
                    s.lxy += w * lx * ly;
                } else {
                    s.dropped += 1;
                }
            }
            s
        })
        .collect();
    let mut total = IncomeSums {
        sx,
        sy,
        ..IncomeSums::default()
    };
    for p in &partials {
        total.merge(p);
    }
    total
}

// ---------------------------------------------------------------------------------------------
// Kendall's tau-b: Knight's merge sort, weighted or not
// ---------------------------------------------------------------------------------------------

/// An element of the sequence whose inversions are counted: a child sort key, the parent's tie
/// group and a mass (1, or the pair's weight).
trait Element: Copy + Send + Sync {
    /// Exact for unit weights (`u64` counts), `f64` with weights.
    type Mass: Copy + Send + Default + AddAssign + SubAssign + std::ops::Add<Output = Self::Mass>;
    fn key(&self) -> u64;
    /// The parent's mid-rank (identifies the parent's tie group).
    fn prank(&self) -> f64;
    /// Whether the element type carries unit weights only.
    fn is_unit(&self) -> bool;
    fn weight(&self) -> f64;
    fn mass(&self) -> Self::Mass;
    /// `mass(self) * other` if `cond`, else 0 (branch-free).
    fn times_if(&self, other: Self::Mass, cond: bool) -> Self::Mass;
    /// `mass(self)` if `cond`, else 0 (branch-free).
    fn mass_if(&self, cond: bool) -> Self::Mass;
    fn to_f64(m: Self::Mass) -> f64;
    /// `*y` if `take_y`, else `*x`.
    fn pick(take_y: bool, x: &Self, y: &Self) -> Self;
}

/// 1.0 if `cond`, else 0.0: multiplying by it zeroes a mass without a branch (a select on an
/// `f64` compiles to a branch on x86-64, and these conditions are coin flips in a merge).
#[inline]
fn unit_if(cond: bool) -> f64 {
    // LLVM turns `f64::from(u8::from(cond))` back into a select (a mispredicted branch): the
    // opaque integer keeps it an integer-to-float conversion
    std::hint::black_box(u64::from(cond)) as f64
}

#[derive(Debug, Clone, Copy)]
struct Unit {
    key: u64,
    prank: f64,
}

impl Element for Unit {
    type Mass = u64;
    #[inline]
    fn is_unit(&self) -> bool {
        true
    }
    #[inline]
    fn key(&self) -> u64 {
        self.key
    }
    #[inline]
    fn prank(&self) -> f64 {
        self.prank
    }
    #[inline]
    fn weight(&self) -> f64 {
        1.0
    }
    #[inline]
    fn mass(&self) -> u64 {
        1
    }
    #[inline]
    fn times_if(&self, other: u64, cond: bool) -> u64 {
        other * u64::from(cond)
    }
    #[inline]
    fn mass_if(&self, cond: bool) -> u64 {
        u64::from(cond)
    }
    fn to_f64(m: u64) -> f64 {
        m as f64
    }
    #[inline]
    fn pick(take_y: bool, x: &Self, y: &Self) -> Self {
        if take_y { *y } else { *x }
    }
}

#[derive(Debug, Clone, Copy)]
struct WUnit {
    key: u64,
    prank: f64,
    w: f64,
}

impl Element for WUnit {
    type Mass = f64;
    #[inline]
    fn is_unit(&self) -> bool {
        false
    }
    #[inline]
    fn key(&self) -> u64 {
        self.key
    }
    #[inline]
    fn prank(&self) -> f64 {
        self.prank
    }
    #[inline]
    fn weight(&self) -> f64 {
        self.w
    }
    #[inline]
    fn mass(&self) -> f64 {
        self.w
    }
    #[inline]
    fn times_if(&self, other: f64, cond: bool) -> f64 {
        // exact: w other 1 = w other, w other 0 = 0 (weights and masses are finite)
        self.w * other * unit_if(cond)
    }
    #[inline]
    fn mass_if(&self, cond: bool) -> f64 {
        self.w * unit_if(cond)
    }
    fn to_f64(m: f64) -> f64 {
        m
    }
    #[inline]
    fn pick(take_y: bool, x: &Self, y: &Self) -> Self {
        // selects the address (a conditional move), not the 24-byte value: LLVM would load both
        // and choose the f64 field with a mispredicted branch
        *std::hint::select_unpredictable(take_y, y, x)
    }
}

fn mass_of<E: Element>(v: &[E]) -> E::Mass {
    v.iter().fold(E::Mass::default(), |m, e| m + e.mass())
}

/// Stable sort of `v` by key, returning the mass of strict inversions (`i < j`,
/// `key_i > key_j`), weighted by `mass_i mass_j`.
fn sort_counting<E: Element>(v: &mut [E]) -> E::Mass {
    if v.len() <= SMALL {
        return insertion_count(v);
    }
    let mut scratch: Vec<E> = v.par_iter().with_min_len(CHUNK).copied().collect();
    sort_in_place(v, &mut scratch)
}

/// Sorts `v` (result in `v`; `scratch` of the same length is work space).
fn sort_in_place<E: Element>(v: &mut [E], scratch: &mut [E]) -> E::Mass {
    let n = v.len();
    if n <= SMALL {
        return insertion_count(v);
    }
    let mid = n / 2;
    let (sa, sb) = scratch.split_at_mut(mid);
    let (va, vb) = v.split_at_mut(mid);
    let (ia, ib) = if n >= PAR_MERGE_MIN {
        rayon::join(|| sort_into(va, sa), || sort_into(vb, sb))
    } else {
        (sort_into(va, sa), sort_into(vb, sb))
    };
    ia + ib + merge_counting(sa, sb, v)
}

/// Sorts the contents of `v` into `out` (`v` is work space).
fn sort_into<E: Element>(v: &mut [E], out: &mut [E]) -> E::Mass {
    let n = v.len();
    if n <= SMALL {
        out.copy_from_slice(v);
        return insertion_count(out);
    }
    let mid = n / 2;
    let (va, vb) = v.split_at_mut(mid);
    let (oa, ob) = out.split_at_mut(mid);
    let (ia, ib) = if n >= PAR_MERGE_MIN {
        rayon::join(|| sort_in_place(va, oa), || sort_in_place(vb, ob))
    } else {
        (sort_in_place(va, oa), sort_in_place(vb, ob))
    };
    ia + ib + merge_counting(va, vb, out)
}

/// Stable merge of sorted `a` and `b` into `out`, returning the mass of cross inversions.
/// Long merges are split in two independent merges (at the middle of `a` and the first element
/// of `b` not below it) and run in parallel; the split depends only on the data.
fn merge_counting<E: Element>(a: &[E], b: &[E], out: &mut [E]) -> E::Mass {
    if a.len() + b.len() >= 2 * PAR_MERGE_MIN && a.len() >= 2 && !b.is_empty() {
        let i = a.len() / 2;
        let pivot = a[i].key();
        let j = b.partition_point(|e| e.key() < pivot);
        // every b[..j] lies strictly below every a[i..]: all those pairs are inversions
        let cross = {
            let left = mass_of(&a[i..]);
            b[..j]
                .iter()
                .fold(E::Mass::default(), |m, e| m + e.times_if(left, true))
        };
        let (lo, hi) = out.split_at_mut(i + j);
        let (x, y) = rayon::join(
            || merge_counting(&a[..i], &b[..j], lo),
            || merge_counting(&a[i..], &b[j..], hi),
        );
        return x + y + cross;
    }
    merge_sequential(a, b, out)
}

/// Branch-free stable merge counting the mass of cross inversions.
#[inline]
fn merge_sequential<E: Element>(a: &[E], b: &[E], out: &mut [E]) -> E::Mass {
    let out = &mut out[..a.len() + b.len()];
    let mut left = mass_of(a);
    let mut inv = E::Mass::default();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        let take_b = y.key() < x.key();
        out[i + j] = E::pick(take_b, &a[i], &b[j]);
        inv += y.times_if(left, take_b);
        left -= x.mass_if(!take_b);
        i += usize::from(!take_b);
        j += usize::from(take_b);
    }
    let k = i + j;
    out[k..k + a.len() - i].copy_from_slice(&a[i..]);
    let k = k + a.len() - i;
    out[k..].copy_from_slice(&b[j..]);
    inv
}

/// Insertion sort counting the mass of strict inversions.
#[inline]
fn insertion_count<E: Element>(v: &mut [E]) -> E::Mass {
    let mut inv = E::Mass::default();
    for t in 1..v.len() {
        let x = v[t];
        let mut s = t;
        let mut shifted = E::Mass::default();
        while s > 0 && v[s - 1].key() > x.key() {
            shifted += v[s - 1].mass();
            v[s] = v[s - 1];
            s -= 1;
        }
        v[s] = x;
        inv += x.times_if(shifted, true);
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(keys: &[u64]) -> Vec<Unit> {
        keys.iter().map(|&key| Unit { key, prank: 0.0 }).collect()
    }

    #[test]
    fn merge_sort_counts_inversions() {
        let mut v = units(&(0..1000u64).rev().collect::<Vec<_>>());
        assert_eq!(sort_counting(&mut v), 1000 * 999 / 2);
        // with ties, long enough for the parallel split and the parallel merge
        let keys: Vec<u64> = (0..100_000u64).map(|i| (i * 7919) % 1013).collect();
        // reference count with a Fenwick tree over the keys
        let mut tree = vec![0u64; 1014];
        let mut brute = 0u64;
        for (seen, &v) in keys.iter().enumerate() {
            let mut at_most = 0; // earlier keys <= v
            let mut i = v as usize + 1;
            while i > 0 {
                at_most += tree[i];
                i &= i - 1;
            }
            brute += seen as u64 - at_most;
            let mut i = v as usize + 1;
            while i < tree.len() {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
        let mut v = units(&keys);
        assert_eq!(sort_counting(&mut v), brute);
        assert!(v.windows(2).all(|p| p[0].key <= p[1].key));
        // weighted with unit weights agrees
        let mut w: Vec<WUnit> = keys
            .iter()
            .map(|&key| WUnit {
                key,
                prank: 0.0,
                w: 1.0,
            })
            .collect();
        assert_eq!(sort_counting(&mut w), brute as f64);
    }

    #[test]
    fn chunked_midranks_across_chunk_boundaries() {
        // tie groups of 1000 and one of 150,000 straddle many chunk boundaries
        let n = 400_000usize;
        let values: Vec<f64> = (0..n)
            .map(|i| {
                if (100_000..250_000).contains(&i) {
                    100.0
                } else {
                    (i / 1000) as f64
                }
            })
            .collect();
        let weights: Vec<f64> = (0..n).map(|i| 0.5 + (i % 7) as f64 * 0.25).collect();
        let keyed: Vec<(u64, f64)> = values
            .iter()
            .zip(&weights)
            .map(|(&v, &w)| (sort_key(v), w))
            .collect(); // already sorted by value
        assert!(keyed.windows(2).all(|p| p[0].0 <= p[1].0));
        let total: f64 = weights.iter().sum();
        let (ranks, tie_sq) = sorted_midranks(
            &keyed,
            &|p: &(u64, f64)| p.0,
            Some(&|p: &(u64, f64)| p.1),
            total,
        );
        let reference = crate::rank::fractional_ranks(&values, Some(&weights)).unwrap();
        for i in 0..n {
            assert!((ranks[i] - reference[i]).abs() < 1e-12, "{i}");
            if i > 0 && values[i] == values[i - 1] {
                assert_eq!(ranks[i].to_bits(), ranks[i - 1].to_bits(), "{i}");
            }
        }
        let mut expect = 0.0;
        let mut i = 0;
        while i < n {
            let mut j = i;
            let mut w = 0.0;
            while j < n && values[j] == values[i] {
                w += weights[j];
                j += 1;
            }
            expect += w * w;
            i = j;
        }
        assert!((tie_sq - expect).abs() < 1e-9 * expect);
        // unit weights: bit-identical to fractional_ranks
        let (ranks, tie_sq) = sorted_midranks(&keyed, &|p: &(u64, f64)| p.0, None, n as f64);
        assert_eq!(ranks, crate::rank::fractional_ranks(&values, None).unwrap());
        // 100 + 150 groups of 1000 outside the big group of 150,000
        assert_eq!(tie_sq, 250.0 * 1e6 + 150_000f64.powi(2));
    }

    #[test]
    fn ranks_match_fractional_ranks() {
        let x = [3.0, 1.0, 2.0, 2.0, 5.0, 1.0];
        let w = [1.0, 0.5, 2.0, 1.0, 0.25, 3.0];
        let total: f64 = w.iter().sum();
        let mut triples: Vec<(u64, u64, f64)> = x
            .iter()
            .zip(&w)
            .map(|(&v, &w)| (sort_key(v), 0, w))
            .collect();
        triples.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)));
        let (seq, _) = parent_ranks(
            &triples,
            |p| p.0,
            Some(&|p: &(u64, u64, f64)| p.2),
            total,
            |p, r| (p.0, r),
        );
        let r = crate::rank::fractional_ranks(&x, Some(&w)).unwrap();
        for (i, &v) in x.iter().enumerate() {
            let found = seq.iter().find(|(k, _)| *k == sort_key(v)).unwrap().1;
            assert_eq!(found, r[i]);
        }
    }
}
