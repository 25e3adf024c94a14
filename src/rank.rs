//! Fractional ranks and the tie rules that turn status into classes.
//!
//! The default rule, [`Rule::Midrank`], follows Chetty, Hendren, Kline & Saez (2014): a unit's
//! fractional rank is the weighted share of the population strictly below it plus half the weight
//! of its tie group,
//!
//! ```text
//! r_i = (W(x < x_i) + W(x = x_i) / 2) / W        W = sum of weights
//! ```
//!
//! so with unit weights and no ties the ranks are `(j - 1/2) / n`, `j = 1..n`. Tied values always
//! share a rank, and the result does not depend on the order of the rows.
//!
//! The other rules reproduce other software's class assignment exactly (see
//! [`crate::quantile`]); they are defined on cut points, not ranks.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use std::borrow::Cow;

use crate::error::{Result, check_finite, check_weight_values, check_weights};

/// How quantile classes are formed from status (docs/FORMULAS.md#ranks).
///
/// Every rule but `split` keeps tied values in one class (`split` gives them one *fractional*
/// membership), and none ever shrinks `k`: a class that ends up empty is kept and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Weighted fractional mid-ranks, class `ceil(k r)` (Chetty et al. 2014). The default; the only
    /// rule that takes survey weights.
    #[default]
    Midrank,
    /// PySAL giddy / mapclassify `Quantiles`: type-7 cut points, right-closed intervals.
    Giddy,
    /// R `quantile(type = 7)` + `cut(right = FALSE, include.lowest = TRUE)` (mobilityIndexR):
    /// type-7 cut points, left-closed intervals, the top one closed.
    RType7,
    /// Stata `xtile`: `_pctile` default (type 2) cut points, right-closed intervals.
    StataXtile,
    /// Fractional membership: a tie group (or a single unit) whose rank interval
    /// `[B/W, (B + T)/W]` crosses class boundaries is shared among the classes it overlaps, in
    /// proportion to the overlap, so every class holds exactly `W / k` (docs/FORMULAS.md#rule-split).
    /// Takes weights; equals `midrank` when no group straddles a boundary.
    Split,
}

impl Rule {
    /// All rules, in documentation order.
    pub const ALL: [Rule; 5] = [
        Rule::Midrank,
        Rule::Giddy,
        Rule::RType7,
        Rule::StataXtile,
        Rule::Split,
    ];

    /// Whether the rule accepts weights (`midrank` and `split`; the others reproduce unweighted
    /// software).
    pub const fn takes_weights(self) -> bool {
        matches!(self, Rule::Midrank | Rule::Split)
    }
}

crate::error::named_enum!(Rule, Rule, "rule", {
    Midrank => "midrank",
    Giddy => "giddy",
    RType7 => "r-type7" | "rtype7",
    StataXtile => "stata-xtile",
    Split => "split",
});

/// Order-preserving map from a finite `f64` to `u64`: `a < b` iff `sort_key(a) < sort_key(b)`,
/// and `-0.0` and `0.0` map to the same key (they are tied).
#[inline]
pub(crate) fn sort_key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits(); // + 0.0 turns -0.0 into 0.0
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Inverse of [`sort_key`].
#[inline]
pub(crate) fn from_sort_key(key: u64) -> f64 {
    let bits = if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    };
    f64::from_bits(bits)
}

/// Below this many values a sequential sort beats rayon's.
const PARALLEL_SORT_MIN: usize = 1 << 16;

/// Sorts `(key, index)` pairs; the index breaks ties so the order is fully determined.
pub(crate) fn sorted_keys(values: &[f64]) -> Vec<(u64, u32)> {
    let mut pairs: Vec<(u64, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (sort_key(v), i as u32))
        .collect();
    if pairs.len() >= PARALLEL_SORT_MIN {
        pairs.par_sort_unstable();
    } else {
        pairs.sort_unstable();
    }
    pairs
}

/// Weighted fractional mid-ranks of `values`, in (0, 1), in the input's order.
///
/// # Formula
/// ```text
/// r_i = (W(x < x_i) + W(x = x_i) / 2) / W,   W = sum_j w_j   (w_j = 1 without weights)
/// ```
/// Source: Chetty, Hendren, Kline & Saez (2014), "Where is the Land of Opportunity?", QJE 129(4):
/// ties get the mean rank of the tie group. A unit with weight 0 gets the rank its value would have.
///
/// # Errors
/// Empty input, NaN or infinite values, weights of the wrong length, negative or non-finite
/// weights, or a zero total weight ([`crate::MobilityError`]). More than `u32::MAX` values is an
/// [`crate::MobilityError::InvalidParameter`].
///
/// # Complexity
/// One sort: `O(n log n)` time (parallel above 65,536 values), `O(n)` extra memory.
///
/// # Example
/// ```
/// let r = mobility::rank::fractional_ranks(&[10.0, 30.0, 20.0, 20.0], None).unwrap();
/// assert_eq!(r, vec![0.125, 0.875, 0.5, 0.5]);
/// ```
pub fn fractional_ranks(values: &[f64], weights: Option<&[f64]>) -> Result<Vec<f64>> {
    let mut ranks = vec![0.0; values.len()];
    // exact sums (order of the rows never matters): whole units, or relative-weight quanta
    for_each_tie_group(values, weights, 1i128 << 90, |rows, below, tie, total| {
        let r = exact_total(2 * below + tie) / (2.0 * exact_total(total));
        for &(_, i) in rows {
            ranks[i as usize] = r;
        }
    })?;
    Ok(ranks)
}

/// Validates `values` (finite, indexable by `u32`) and `weights`, makes the weights relative,
/// and walks the tie groups of `values` in ascending order with exact sums: each row weighs
/// `unit` without weights, or its relative weight in quanta ([`exact_weight`]). Calls
/// `visit(rows, below, tie, total)` per group with the group's `(key, row)` entries, the exact
/// weight of the rows below it, its own and the total (all order-free and scale-free).
fn for_each_tie_group(
    values: &[f64],
    weights: Option<&[f64]>,
    unit: i128,
    mut visit: impl FnMut(&[(u64, u32)], i128, i128, i128),
) -> Result<()> {
    check_finite(values, "status")?;
    check_index_range(values.len())?;
    let relative = relative_weights(weights, values.len())?;
    let weights = relative.as_deref();
    check_weights(weights, values.len())?;
    let sorted = sorted_keys(values);
    let weight = |i: u32| weights.map_or(unit, |w| exact_weight(w[i as usize]));
    let total: i128 = sorted.iter().map(|&(_, i)| weight(i)).sum();
    let mut below = 0i128;
    let mut start = 0;
    while start < sorted.len() {
        let key = sorted[start].0;
        let mut end = start;
        let mut tie = 0i128;
        while end < sorted.len() && sorted[end].0 == key {
            tie += weight(sorted[end].1);
            end += 1;
        }
        visit(&sorted[start..end], below, tie, total);
        below += tie;
        start = end;
    }
    Ok(())
}

/// Weights made relative: divided by the power of two `2^(e-1)` at or below the largest one, so
/// the largest lies in `[1, 2)`. Multiplying by a power of two is exact, so results built on the
/// relative weights do not depend on the weights' scale (`w` and `2^m w` give bit-identical
/// results) and no sum of finite weights overflows or underflows to zero.
pub(crate) struct RelativeWeights<'a> {
    /// The relative weights (`None` without weights).
    pub weights: Option<Cow<'a, [f64]>>,
    /// `e - 1`: original = relative x `2^shift`.
    pub shift: i32,
}

impl RelativeWeights<'_> {
    /// The relative weights as a slice.
    pub fn as_deref(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// `x 2^shift` (back to the weights' units), or `None` if that is not finite.
    pub fn restore(&self, x: f64) -> Option<f64> {
        let y = libm::scalbn(x, self.shift);
        y.is_finite().then_some(y)
    }

    /// Every value `x 2^shift` in place (back to the weights' units) when that is exact: no
    /// result (nor their sum) overflows and no non-zero one falls below the normal range (where the scaling
    /// would round away bits, and probabilities computed from the counts would then depend on
    /// the weights' scale). Otherwise the values stay in relative units; returns whether they
    /// were restored.
    pub fn restore_all(&self, values: &mut ndarray::Array2<f64>) -> bool {
        let exact = libm::scalbn(values.sum(), self.shift).is_finite()
            && values.iter().all(|&x| {
                let y = libm::scalbn(x, self.shift);
                y.is_finite() && (x == 0.0 || y.is_normal())
            });
        if exact {
            values.mapv_inplace(|x| libm::scalbn(x, self.shift));
        }
        exact
    }
}

/// Validates `weights` against `n` (as [`check_weight_values`]: length, finite, `>= 0`; a zero
/// total is left to the caller) and makes them relative ([`RelativeWeights`]).
pub(crate) fn relative_weights(weights: Option<&[f64]>, n: usize) -> Result<RelativeWeights<'_>> {
    check_weight_values(weights, n)?;
    let Some(w) = weights else {
        return Ok(RelativeWeights {
            weights: None,
            shift: 0,
        });
    };
    let max = w.iter().copied().fold(0.0f64, f64::max);
    if max == 0.0 {
        return Ok(RelativeWeights {
            weights: Some(Cow::Borrowed(w)),
            shift: 0,
        });
    }
    let (_, e) = libm::frexp(max); // max = m 2^e, m in [0.5, 1)
    let shift = e - 1;
    if shift == 0 {
        return Ok(RelativeWeights {
            weights: Some(Cow::Borrowed(w)),
            shift,
        });
    }
    Ok(RelativeWeights {
        weights: Some(Cow::Owned(
            w.iter().map(|&x| libm::scalbn(x, -shift)).collect(),
        )),
        shift,
    })
}

/// Fixed-point quantum of [`exact_weight`]: `2^-90` of the largest relative weight's binade.
const WEIGHT_QUANTUM_BITS: i32 = 90;

/// A relative weight (in `[0, 2)`, see [`RelativeWeights`]) as a whole number of `2^-90`
/// quanta. Sums of these are exact in `i128` for up to `2^36` units and do not depend on the
/// order of the terms; weights from `2^-37` up keep all 53 bits, smaller ones are cut to the
/// quantum.
#[inline]
pub(crate) fn exact_weight(w: f64) -> i128 {
    libm::scalbn(w, WEIGHT_QUANTUM_BITS) as i128
}

/// An exact sum of [`exact_weight`]s back as the nearest `f64` (relative units).
#[inline]
pub(crate) fn exact_total(q: i128) -> f64 {
    libm::scalbn(q as f64, -WEIGHT_QUANTUM_BITS)
}

/// Each unit's tie-group rank interval `[B_g / W, (B_g + T_g) / W]`, in the input's order
/// (docs/FORMULAS.md#rule-split); its midpoint is the mid-rank of [`fractional_ranks`].
pub(crate) fn rank_intervals(values: &[f64], weights: Option<&[f64]>) -> Result<Vec<(f64, f64)>> {
    let mut out = vec![(0.0, 0.0); values.len()];
    // relative weights and exact sums, as fractional_ranks: scale- and order-free
    for_each_tie_group(values, weights, 1, |rows, below, tie, total| {
        let share = |q: i128| (q as f64) / (total as f64);
        let iv = (share(below), share(below + tie));
        for &(_, i) in rows {
            out[i as usize] = iv;
        }
    })?;
    Ok(out)
}

/// The checks of paired status every measure on pairs starts with: finite parent and child
/// status of the same length, indexable by `u32`, and valid weights. Returns the total weight.
///
/// # Errors
/// The first that fails of [`check_finite`], [`check_same_length`](crate::error::check_same_length),
/// [`check_index_range`] and [`check_weights`], in that order.
pub(crate) fn check_pairs(parent: &[f64], child: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    check_status_pairs(parent, child)?;
    check_weights(weights, parent.len())
}

/// The checks of paired status without the weights: finite parent and child status of the same
/// length, indexable by `u32`.
///
/// # Errors
/// The first that fails of [`check_finite`], [`check_same_length`](crate::error::check_same_length)
/// and [`check_index_range`], in that order.
pub(crate) fn check_status_pairs(parent: &[f64], child: &[f64]) -> Result<()> {
    check_finite(parent, "parent status")?;
    crate::error::check_same_length(parent.len(), child.len(), "child status")?;
    check_finite(child, "child status")?;
    check_index_range(parent.len())
}

/// Rejects inputs whose indices do not fit the packed `u32` used in sorting.
pub(crate) fn check_index_range(n: usize) -> Result<()> {
    if n > u32::MAX as usize {
        return Err(crate::MobilityError::invalid(
            crate::error::Parameter::Status,
            format!(
                "{n} values is more than this version handles ({})",
                u32::MAX
            ),
        ));
    }
    Ok(())
}

/// The class `ceil(k r)` of a fractional rank, clamped to `1..=k` (docs/FORMULAS.md#rule-midrank).
///
/// [`crate::quantile::Cutoffs::quantiles`] decides the same comparison in exact arithmetic; this
/// helper is for ranks already in hand.
///
/// # Example
/// ```
/// assert_eq!(mobility::rank::class_of_rank(0.1, 5), 1);
/// assert_eq!(mobility::rank::class_of_rank(0.2, 5), 1);
/// assert_eq!(mobility::rank::class_of_rank(0.2000001, 5), 2);
/// ```
pub fn class_of_rank(r: f64, k: usize) -> usize {
    // A relative fuzz of 1e-12 absorbs the rounding of r itself: (5 + 1/2)/10 * 100 is
    // 55.000000000000014 in floating point but exactly 55, class 55. Real ranks are at least
    // 1/(2W) apart, far more than the fuzz.
    ((k as f64 * r * (1.0 - 1e-12)).ceil() as usize).clamp(1, k.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_preserve_order_and_tie_signed_zero() {
        let xs = [-1e300, -2.5, -1e-300, -0.0, 0.0, 1e-300, 3.0, 1e300];
        for w in xs.windows(2) {
            assert!(sort_key(w[0]) <= sort_key(w[1]));
        }
        assert_eq!(sort_key(-0.0), sort_key(0.0));
        for &x in &xs {
            assert_eq!(from_sort_key(sort_key(x)), x + 0.0);
        }
    }

    #[test]
    fn unit_ranks_without_ties() {
        let r = fractional_ranks(&[3.0, 1.0, 2.0, 4.0], None).unwrap();
        assert_eq!(r, vec![0.625, 0.125, 0.375, 0.875]);
    }

    #[test]
    fn weighted_ranks() {
        // weight 2 on the middle value equals the value twice
        let r = fractional_ranks(&[1.0, 2.0, 3.0], Some(&[1.0, 2.0, 1.0])).unwrap();
        let d = fractional_ranks(&[1.0, 2.0, 2.0, 3.0], None).unwrap();
        assert_eq!(r, vec![d[0], d[1], d[3]]);
    }

    #[test]
    fn rule_names_round_trip() {
        for r in Rule::ALL {
            assert_eq!(r.name().parse::<Rule>().unwrap(), r);
        }
        assert!("median".parse::<Rule>().is_err());
    }
}
