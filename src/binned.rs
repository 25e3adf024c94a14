//! The rank-rank picture of Chetty, Hendren, Kline & Saez (2014, figure II): the mean child rank
//! in `B` equal bins of parent rank, with the fitted rank-rank line.
//!
//! ```text
//! r_p, r_c        weighted fractional mid-ranks (crate::rank::fractional_ranks), in (0, 1)
//! bin b(u)        ceil(B r_p(u)), clamped to 1..=B (the crate's class rule, docs/FORMULAS.md#rule-midrank)
//! mean child rank 100 sum_{u in b} w_u r_c(u) / sum_{u in b} w_u             (0-100 scale)
//! fitted line     100 (alpha + beta r_p): the weighted OLS of r_c on r_p over all pairs
//! ```
//!
//! The line is fitted to the pairs, not to the bin means, so its slope is exactly
//! [`crate::rankbased::RankMobility::rank_rank_slope`]. The HTML report draws this picture and
//! Python's plotting uses the same numbers.

use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Parameter, Result, check_same_length, check_weights};
use crate::rank::{check_pairs, class_of_rank, fractional_ranks};

/// The default number of parent-rank bins (Chetty et al. 2014 draw 20 "vingtiles" in figure II
/// of the paper; 100 in the online appendix).
pub const DEFAULT_BINS: usize = 20;

/// One bin of parent rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankBin {
    /// 1-based bin number, from the bottom.
    pub bin: usize,
    /// Lower edge of the bin in parent rank, 0-100 (`100 (b - 1) / B`).
    pub parent_rank_low: f64,
    /// Upper edge, 0-100 (`100 b / B`).
    pub parent_rank_high: f64,
    /// Number of pairs in the bin.
    pub units: usize,
    /// Total weight in the bin.
    pub weight: f64,
    /// Weighted mean parent rank of the bin, 0-100; `None` for an empty bin (ties can leave a
    /// bin with nobody in it).
    pub mean_parent_rank: Option<f64>,
    /// Weighted mean child rank of the bin, 0-100; `None` for an empty bin.
    pub mean_child_rank: Option<f64>,
}

/// Mean child rank by bin of parent rank, and the rank-rank line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinnedRanks {
    /// Number of bins `B`.
    pub bins: usize,
    /// Number of pairs.
    pub n: usize,
    /// Total weight (`n` without weights).
    pub total_weight: f64,
    /// The bins, from the bottom (all `B` of them; empty ones have `None` means).
    pub rows: Vec<RankBin>,
    /// Rank-rank slope: weighted OLS slope of child rank on parent rank over the pairs.
    pub slope: f64,
    /// Intercept of the fitted line on the 0-100 scale (expected child rank at parent rank 0).
    pub intercept: f64,
}

impl BinnedRanks {
    /// The fitted line at parent rank `p` (0-100): `intercept + slope p`.
    pub fn fitted(&self, parent_rank: f64) -> f64 {
        self.intercept + self.slope * parent_rank
    }
}

/// Mean child rank in `bins` equal bins of parent rank, with the fitted rank-rank line, from
/// paired status (each side ranked in its own distribution).
///
/// # Formula
/// ```text
/// r = (W(x < x_u) + W(x = x_u)/2) / W                  parents and children ranked apart
/// b(u) = ceil(B r_p(u)) in 1..=B
/// mean child rank_b = 100 sum_{b(u)=b} w_u r_c(u) / sum_{b(u)=b} w_u
/// slope = cov_w(r_p, r_c) / var_w(r_p),  intercept = 100 (mean r_c - slope mean r_p)
/// ```
/// Source: Chetty, Hendren, Kline & Saez (2014), "Where is the Land of Opportunity? The
/// Geography of Intergenerational Mobility in the United States", QJE 129(4), figure II.
///
/// # Errors
/// As [`fractional_ranks`] for either side (empty, non-finite, bad weights), lengths that differ,
/// `bins < 2` or `bins > 1000`, constant parent status (no slope).
///
/// # Complexity
/// Two sorts (`O(n log n)`, in parallel), then one `O(n)` pass.
///
/// # Example
/// ```
/// let parent: Vec<f64> = (0..100).map(f64::from).collect();
/// let b = mobility::binned::binned_rank_means(&parent, &parent, None, 20).unwrap();
/// assert_eq!(b.rows.len(), 20);
/// assert!((b.slope - 1.0).abs() < 1e-12);
/// assert!((b.rows[0].mean_child_rank.unwrap() - 2.5).abs() < 1e-12); // ranks 0.5 .. 4.5
/// ```
pub fn binned_rank_means(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    bins: usize,
) -> Result<BinnedRanks> {
    check_pairs(parent, child, weights)?;
    check_bins(bins)?;
    let (rp, rc) = rayon::join(
        || fractional_ranks(parent, weights),
        || fractional_ranks(child, weights),
    );
    binned_from_ranks(&rp?, &rc?, weights, bins)
}

/// The same picture from ranks already in hand (e.g. national ranks of a place's members), each
/// in `[0, 1]`.
///
/// # Formula
/// As [`binned_rank_means`], with the given ranks.
///
/// # Errors
/// Lengths that differ, an empty input, a rank outside `[0, 1]` or not finite, bad weights,
/// `bins` outside `2..=1000`, constant parent ranks.
///
/// # Complexity
/// `O(n)`.
///
/// # Example
/// ```
/// let b = mobility::binned::binned_from_ranks(&[0.25, 0.75], &[0.75, 0.25], None, 2).unwrap();
/// assert_eq!(b.rows[0].mean_child_rank, Some(75.0));
/// assert!((b.slope + 1.0).abs() < 1e-12);
/// ```
pub fn binned_from_ranks(
    parent_ranks: &[f64],
    child_ranks: &[f64],
    weights: Option<&[f64]>,
    bins: usize,
) -> Result<BinnedRanks> {
    check_bins(bins)?;
    if parent_ranks.is_empty() {
        return Err(MobilityError::EmptyInput {
            what: "parent ranks".into(),
        });
    }
    check_same_length(parent_ranks.len(), child_ranks.len(), "child ranks")?;
    for (what, r) in [("parent ranks", parent_ranks), ("child ranks", child_ranks)] {
        if let Some((i, v)) = r
            .iter()
            .enumerate()
            .find(|(_, v)| !(v.is_finite() && (0.0..=1.0).contains(*v)))
        {
            return Err(MobilityError::invalid(
                Parameter::Status,
                format!("{what}: entry {i} is {v}; ranks must lie in [0, 1]"),
            ));
        }
    }
    let total = check_weights(weights, parent_ranks.len())?;
    let w = |u: usize| weights.map_or(1.0, |w| w[u]);

    let mut units = vec![0usize; bins];
    let mut weight = vec![0.0; bins];
    let mut sum_p = vec![0.0; bins];
    let mut sum_c = vec![0.0; bins];
    let (mut mp, mut mc) = (0.0, 0.0);
    for (u, (&p, &c)) in parent_ranks.iter().zip(child_ranks).enumerate() {
        let b = class_of_rank(p, bins) - 1;
        let wu = w(u);
        units[b] += 1;
        weight[b] += wu;
        sum_p[b] += wu * p;
        sum_c[b] += wu * c;
        mp += wu * p;
        mc += wu * c;
    }
    mp /= total;
    mc /= total;
    // second pass about the means: stable for large n
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (u, (&p, &c)) in parent_ranks.iter().zip(child_ranks).enumerate() {
        let (dx, dy) = (p - mp, c - mc);
        sxy += w(u) * dx * dy;
        sxx += w(u) * dx * dx;
    }
    if sxx <= 0.0 {
        return Err(MobilityError::Undefined {
            what: "the rank-rank slope".into(),
            reason: "parent ranks are constant".into(),
        });
    }
    let slope = sxy / sxx;
    let bf = bins as f64;
    let rows = (0..bins)
        .map(|b| {
            let has = weight[b] > 0.0;
            RankBin {
                bin: b + 1,
                parent_rank_low: 100.0 * b as f64 / bf,
                parent_rank_high: 100.0 * (b + 1) as f64 / bf,
                units: units[b],
                weight: weight[b],
                mean_parent_rank: has.then(|| 100.0 * sum_p[b] / weight[b]),
                mean_child_rank: has.then(|| 100.0 * sum_c[b] / weight[b]),
            }
        })
        .collect();
    Ok(BinnedRanks {
        bins,
        n: parent_ranks.len(),
        total_weight: total,
        rows,
        slope,
        intercept: 100.0 * (mc - slope * mp),
    })
}

fn check_bins(bins: usize) -> Result<()> {
    if !(2..=1000).contains(&bins) {
        return Err(MobilityError::invalid(
            Parameter::Bins,
            format!("must lie between 2 and 1000, got {bins}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rankbased::rank_mobility;

    /// Ranks by the definition, in O(n^2): share strictly below plus half the ties.
    fn brute_ranks(x: &[f64], w: &[f64]) -> Vec<f64> {
        let total: f64 = w.iter().sum();
        x.iter()
            .map(|&xi| {
                let below: f64 = x
                    .iter()
                    .zip(w)
                    .filter(|(v, _)| **v < xi)
                    .map(|(_, w)| w)
                    .sum();
                let tie: f64 = x
                    .iter()
                    .zip(w)
                    .filter(|(v, _)| **v == xi)
                    .map(|(_, w)| w)
                    .sum();
                (below + tie / 2.0) / total
            })
            .collect()
    }

    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn matches_brute_force_with_weights_and_ties() {
        let mut s = 7u64;
        let n = 503;
        // coarse values force ties; child depends on parent
        let parent: Vec<f64> = (0..n).map(|_| (lcg(&mut s) * 60.0).floor()).collect();
        let child: Vec<f64> = parent
            .iter()
            .map(|p| (p + lcg(&mut s) * 80.0).floor())
            .collect();
        let w: Vec<f64> = (0..n).map(|_| 0.2 + lcg(&mut s) * 3.0).collect();
        for bins in [2, 7, 20, 100] {
            let got = binned_rank_means(&parent, &child, Some(&w), bins).unwrap();
            let (rp, rc) = (brute_ranks(&parent, &w), brute_ranks(&child, &w));
            for b in 0..bins {
                // bin membership by the definition: b < B r <= b + 1 (r = 0 in the bottom bin;
                // the same relative fuzz as the class rule absorbs the rounding of r)
                let members: Vec<usize> = (0..n)
                    .filter(|&u| {
                        let x = bins as f64 * rp[u] * (1.0 - 1e-12);
                        (x > b as f64 || b == 0) && (x <= (b + 1) as f64 || b + 1 == bins)
                    })
                    .collect();
                let wt: f64 = members.iter().map(|&u| w[u]).sum();
                let row = &got.rows[b];
                assert_eq!(row.units, members.len(), "bins {bins} bin {b}");
                assert!((row.weight - wt).abs() < 1e-9);
                if wt > 0.0 {
                    let mc: f64 = members.iter().map(|&u| w[u] * rc[u]).sum::<f64>() / wt;
                    let mp: f64 = members.iter().map(|&u| w[u] * rp[u]).sum::<f64>() / wt;
                    assert!((row.mean_child_rank.unwrap() - 100.0 * mc).abs() < 1e-9);
                    assert!((row.mean_parent_rank.unwrap() - 100.0 * mp).abs() < 1e-9);
                } else {
                    assert_eq!(row.mean_child_rank, None);
                }
            }
            assert_eq!(got.rows.iter().map(|r| r.units).sum::<usize>(), n);
            // the fitted line is the pairs' rank-rank regression
            let rm = rank_mobility(&parent, &child, Some(&w)).unwrap();
            assert!((got.slope - rm.rank_rank_slope).abs() < 1e-12);
            assert!((got.intercept - rm.rank_rank_intercept).abs() < 1e-9);
        }
    }

    #[test]
    fn weight_two_equals_listing_twice() {
        let parent = [1.0, 2.0, 3.0, 4.0, 5.0];
        let child = [2.0, 1.0, 5.0, 3.0, 4.0];
        let w = [1.0, 2.0, 1.0, 1.0, 2.0];
        let a = binned_rank_means(&parent, &child, Some(&w), 4).unwrap();
        let p2 = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 5.0];
        let c2 = [2.0, 1.0, 1.0, 5.0, 3.0, 4.0, 4.0];
        let b = binned_rank_means(&p2, &c2, None, 4).unwrap();
        for (x, y) in a.rows.iter().zip(&b.rows) {
            assert_eq!(x.weight, y.weight);
            match (x.mean_child_rank, y.mean_child_rank) {
                (Some(u), Some(v)) => assert!((u - v).abs() < 1e-12),
                (u, v) => assert_eq!(u, v),
            }
        }
        assert!((a.slope - b.slope).abs() < 1e-12);
    }

    #[test]
    fn errors_are_typed() {
        assert!(binned_rank_means(&[1.0, 2.0], &[1.0, 2.0], None, 1).is_err());
        assert!(binned_rank_means(&[1.0, 2.0], &[1.0], None, 5).is_err());
        assert!(binned_rank_means(&[], &[], None, 5).is_err());
        assert!(binned_rank_means(&[1.0, f64::NAN], &[1.0, 2.0], None, 5).is_err());
        assert!(matches!(
            binned_rank_means(&[3.0, 3.0], &[1.0, 2.0], None, 5),
            Err(MobilityError::Undefined { .. })
        ));
        assert!(binned_from_ranks(&[0.5, 1.5], &[0.5, 0.5], None, 5).is_err());
    }
}
