//! One row per group or place (a `by=` column: region, cohort, sex): matrix, measures, rank
//! measures, levelling up and how far downward mobility falls, against the national distribution.
//!
//! ```text
//! national cut-offs (whole sample) --classify once--> national classes of every unit
//!        |                                                  |
//!        |                              scatter counts by group: n^g_ij  (O(n))
//!        v                                                  v
//! national ranks r_p, r_c  ------------------>  per group: matrix, measures, Levelling,
//!                                               rank measures, downward fall
//! ```
//!
//! Two bases for a group's matrix and rank-rank line ([`RankBasis`]):
//! - [`RankBasis::National`] (the default for places, as Chetty et al. 2014 do for commuting
//!   zones): classes against national quantiles, rank-rank slope on national ranks. The matrix is
//!   then not bistochastic and its shares show where the group sits in the nation.
//! - [`RankBasis::Local`]: classes and ranks within the group (mobility inside a closed
//!   population, e.g. a cohort or a country of a pooled file).
//!
//! Levelling up ([`Levelling`]) and the downward fall are always against the national
//! distribution, whatever the basis.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{
    MobilityError, Result, check_finite, check_k, check_same_length, check_weights,
};
use crate::exact::add_each;
use crate::matrix::{ClassSpec, TransitionCounts, TransitionMatrix};
use crate::measures::{Measures, Weighting};
use crate::places::levelling::Levelling;
use crate::quantile::Cutoffs;
use crate::rank::{Rule, check_index_range, fractional_ranks};
use crate::rankbased::{RankBasis, RankMobility, rank_mobility, rank_mobility_national};

/// Options of [`by_group`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupOptions {
    /// Number of classes.
    pub k: usize,
    /// Tie rule for the (national or local) quantile classes.
    pub rule: Rule,
    /// National or local classes and ranks for each group's matrix and rank-rank line.
    pub basis: RankBasis,
    /// Origin weights for the matrix measures.
    pub weighting: Weighting,
}

impl GroupOptions {
    /// `k` classes, `midrank`, national basis, parent-share weighting.
    pub fn new(k: usize) -> GroupOptions {
        GroupOptions {
            k,
            rule: Rule::Midrank,
            basis: RankBasis::National,
            weighting: Weighting::ParentShares,
        }
    }
}

impl Default for GroupOptions {
    /// Quintiles against national cut-offs.
    fn default() -> Self {
        GroupOptions::new(5)
    }
}

/// How far downward mobility goes in a group: children who end in a lower **national** class
/// than their parents, and how far they fall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DownwardFall {
    /// Weighted share of the group's units whose child class is below the parent class.
    pub share: f64,
    /// Mean fall in national rank points (0-100) of those units: `100 (r_p - r_c)`, with
    /// `r_p, r_c` the national mid-ranks of parent and child. `None` when nobody falls.
    pub mean_fall_rank_points: Option<f64>,
    /// Mean fall in status relative to the national median of each generation:
    /// `x_p / m_p - x_c / m_c` (multiples of the median), `m_p, m_c` the national parent and child
    /// medians. `None` when nobody falls or a median is not positive.
    pub mean_fall_median_multiples: Option<f64>,
    /// Mean fall in national classes, `i - j`. `None` when nobody falls.
    pub mean_fall_classes: Option<f64>,
}

/// One group's row of a [`GroupTable`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow<G> {
    /// The group label.
    pub group: G,
    /// Number of units (rows of microdata).
    pub units: usize,
    /// Total weight (`units` without weights).
    pub weight: f64,
    /// The group's share of the total weight.
    pub population_share: f64,
    /// The group's transition matrix: national classes ([`RankBasis::National`]) or the group's
    /// own quantile classes ([`RankBasis::Local`]).
    pub matrix: TransitionMatrix,
    /// Every canonical measure of `matrix`.
    pub measures: Measures,
    /// Rank and income measures (rank-rank line on national or local ranks per the basis;
    /// Spearman and Kendall within the group). `None` when undefined (every parent in the group
    /// has the same status).
    pub rank: Option<RankMobility>,
    /// Levelling up and social mobility over national classes.
    pub levelling: Levelling,
    /// How far downward mobility goes, against national classes, ranks and medians.
    pub fall: DownwardFall,
}

/// The table [`by_group`] returns: one row per group, with the national reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupTable<G> {
    /// Number of classes.
    pub k: usize,
    /// Tie rule.
    pub rule: Rule,
    /// Basis of each row's matrix and rank-rank line.
    pub basis: RankBasis,
    /// The whole sample's matrix (its own quantile classes).
    pub national: TransitionMatrix,
    /// National parent cut-offs.
    pub national_parent_cutoffs: Cutoffs,
    /// National child cut-offs.
    pub national_child_cutoffs: Cutoffs,
    /// National parent median: the smallest value with at least half the weight at or below it
    /// (the midpoint with the next value when exactly half is; with unit weights and an even count,
    /// the mean of the two middle values).
    pub national_parent_median: f64,
    /// National child median.
    pub national_child_median: f64,
    /// One row per group with positive weight, in the order of the labels.
    pub rows: Vec<GroupRow<G>>,
    /// Groups whose units all have weight 0 (no matrix exists).
    pub empty_groups: Vec<G>,
}

/// Per-group sums of the one classification pass.
#[derive(Debug, Clone, Default)]
struct GroupSums {
    units: usize,
    /// Exact sums ([`crate::rank::exact_weight`] quanta, or whole units without weights): the
    /// counts do not depend on the order of the rows.
    weight: i128,
    counts: Vec<i128>,
    fall_w: i128,
    fall_rank: f64,
    fall_median: f64,
    fall_class: f64,
}

/// Mobility per group: matrix, measures, rank measures, levelling up and downward fall, one row per
/// group, against the national distribution.
///
/// # Formula
/// ```text
/// national:  c_p(u), c_c(u) = class of parent and child status against the whole sample's
///            quantile cut-offs;  r_p(u), r_c(u) national mid-ranks;  m_p, m_c national medians
/// group g:   n^g_ij = sum_{u in g} w_u [c_p(u) = i][c_c(u) = j]     (Levelling, National matrix)
///            fall:  F_g = {u in g : c_c(u) < c_p(u)}
///                   mean_fall_rank_points      = sum_F w 100 (r_p - r_c) / sum_F w
///                   mean_fall_median_multiples = sum_F w (x_p / m_p - x_c / m_c) / sum_F w
/// ```
/// Local basis: each group's matrix uses its own quantile cut-offs and its rank measures its own
/// ranks ([`rank_mobility`]); national basis: national classes and [`rank_mobility_national`].
///
/// # Errors
/// Empty input; lengths of `child`, `weights` or `groups` that differ from `parent`; NaN or
/// infinite status; bad weights; `k < 2`; weights with a rule other than `midrank`; measures that
/// cannot be weighted as asked (e.g. `Weighting::Stationary` for a group whose chain has no unique
/// stationary distribution, naming the group).
///
/// # Complexity
/// Classes and counts: `O(n)` after the national cut-offs (one classification, one scatter of
/// counts by group). Rank measures: the national ranks (two sorts) and one sort per group,
/// `O(n log n)` in all, parallel over groups. Memory `O(n + groups k^2)`.
///
/// # Example
/// ```
/// use mobility::places::groups::{GroupOptions, by_group};
/// let parent = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let child = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, 7.0];
/// let region = ["north", "north", "north", "north", "south", "south", "south", "south"];
/// let t = by_group(&parent, &child, None, &region, &GroupOptions::new(2)).unwrap();
/// assert_eq!(t.rows.len(), 2);
/// assert_eq!(t.rows[0].group, "north");
/// // the north's parents and children are all in the bottom national half
/// assert_eq!(t.rows[0].levelling.parent_shares, vec![1.0, 0.0]);
/// assert_eq!(t.rows[0].levelling.levelling_up, 0.0);
/// ```
pub fn by_group<G>(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    groups: &[G],
    options: &GroupOptions,
) -> Result<GroupTable<G>>
where
    G: Clone + Eq + Hash + Ord + Debug + Send + Sync,
{
    let k = options.k;
    check_k(k)?;
    check_finite(parent, "parent status")?;
    check_same_length(parent.len(), child.len(), "child status")?;
    check_finite(child, "child status")?;
    check_same_length(parent.len(), groups.len(), "groups")?;
    check_index_range(parent.len())?;
    let relative = crate::rank::relative_weights(weights, parent.len())?;
    let weights = relative.as_deref();
    check_weights(weights, parent.len())?;
    let n = parent.len();

    // National reference: cut-offs, classes, ranks and medians.
    let ((pcut, ccut), (rp, rc)) = rayon::join(
        || {
            rayon::join(
                || Cutoffs::quantiles(parent, weights, k, options.rule),
                || Cutoffs::quantiles(child, weights, k, options.rule),
            )
        },
        || {
            rayon::join(
                || fractional_ranks(parent, weights),
                || fractional_ranks(child, weights),
            )
        },
    );
    let (pcut, ccut, rp, rc) = (pcut?, ccut?, rp?, rc?);
    let (mp, mc) = rayon::join(
        || weighted_median(parent, weights),
        || weighted_median(child, weights),
    );
    let (pclass, cclass) = (pcut.classify(parent)?, ccut.classify(child)?);

    // Dense group ids, in label order.
    let mut labels: Vec<&G> = {
        let mut seen: HashMap<&G, ()> = HashMap::new();
        for g in groups {
            seen.entry(g).or_insert(());
        }
        seen.into_keys().collect()
    };
    labels.sort();
    let index: HashMap<&G, u32> = labels
        .iter()
        .enumerate()
        .map(|(i, g)| (*g, i as u32))
        .collect();
    let ids: Vec<u32> = groups.iter().map(|g| index[g]).collect();
    let ng = labels.len();
    crate::limits::check_group_cells(ng, k)?;

    // One pass: national counts and fall sums per group.
    let mut sums = vec![
        GroupSums {
            counts: vec![0; k * k],
            ..GroupSums::default()
        };
        ng
    ];
    let medians_ok = mp > 0.0 && mc > 0.0;
    for u in 0..n {
        let s = &mut sums[ids[u] as usize];
        let w = weights.map_or(1.0, |w| w[u]);
        let q = weights.map_or(1, |w| crate::rank::exact_weight(w[u]));
        let (i, j) = (pclass[u] as usize - 1, cclass[u] as usize - 1);
        s.units += 1;
        s.weight += q;
        s.counts[i * k + j] += q;
        if j < i {
            s.fall_w += q;
            s.fall_rank += w * 100.0 * (rp[u] - rc[u]);
            s.fall_class += w * (i - j) as f64;
            if medians_ok {
                s.fall_median += w * (parent[u] / mp - child[u] / mc);
            }
        }
    }

    // Units of each group, contiguous (counting sort by id).
    let mut start = vec![0usize; ng + 1];
    for &g in &ids {
        start[g as usize + 1] += 1;
    }
    for g in 0..ng {
        start[g + 1] += start[g];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; n];
    for (u, &g) in ids.iter().enumerate() {
        order[fill[g as usize]] = u as u32;
        fill[g as usize] += 1;
    }

    // Exact sums back to f64 (relative units), and a k x k table of them in the weights' units.
    let to_f64 = |q: i128| {
        if weights.is_some() {
            crate::rank::exact_total(q)
        } else {
            q as f64
        }
    };
    let in_weight_units = |cells: &[i128]| {
        let mut table =
            ndarray::Array2::from_shape_vec((k, k), cells.iter().map(|&q| to_f64(q)).collect())
                .expect("k * k counts");
        relative.restore_all(&mut table);
        table
    };
    let total = to_f64(sums.iter().map(|s| s.weight).sum());

    let rows: Vec<Option<GroupRow<G>>> = (0..ng)
        .into_par_iter()
        .map(|g| -> Result<Option<GroupRow<G>>> {
            let s = &sums[g];
            if s.weight <= 0 {
                return Ok(None);
            }
            let (weight, fall_w) = (to_f64(s.weight), to_f64(s.fall_w));
            let members = &order[start[g]..start[g + 1]];
            let pick = |v: &[f64]| -> Vec<f64> { members.iter().map(|&u| v[u as usize]).collect() };
            let (gp, gc) = (pick(parent), pick(child));
            let gw = weights.map(pick);
            let counts = in_weight_units(&s.counts);
            let mut national_classes = TransitionCounts::from_table(counts.view())?.to_matrix();
            national_classes.set_cutoffs(pcut.clone(), ccut.clone());
            let levelling = national_classes.levelling();
            let (matrix, rank) = match options.basis {
                RankBasis::National => {
                    let rank =
                        rank_mobility_national(&gp, &gc, gw.as_deref(), &pick(&rp), &pick(&rc))
                            .ok();
                    (national_classes, rank)
                }
                RankBasis::Local => {
                    let m = TransitionMatrix::from_status(
                        &gp,
                        &gc,
                        gw.as_deref(),
                        &ClassSpec::Quantiles {
                            k,
                            rule: options.rule,
                        },
                    )?;
                    (m, rank_mobility(&gp, &gc, gw.as_deref()).ok())
                }
            };
            let measures = matrix.measures(&options.weighting).map_err(|e| {
                MobilityError::invalid(
                    crate::error::Parameter::Weighting,
                    format!("group {:?}: {e}", labels[g]),
                )
            })?;
            let fell = s.fall_w > 0;
            Ok(Some(GroupRow {
                group: labels[g].clone(),
                units: s.units,
                weight: relative.restore(weight).unwrap_or(weight),
                population_share: weight / total,
                matrix,
                measures,
                rank,
                levelling,
                fall: DownwardFall {
                    share: fall_w / weight,
                    mean_fall_rank_points: fell.then(|| s.fall_rank / fall_w),
                    mean_fall_median_multiples: (fell && medians_ok)
                        .then(|| s.fall_median / fall_w),
                    mean_fall_classes: fell.then(|| s.fall_class / fall_w),
                },
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut all = vec![0i128; k * k];
    for s in &sums {
        add_each(&mut all, &s.counts);
    }
    let all = in_weight_units(&all);
    let mut national = TransitionCounts::from_table(all.view())?.to_matrix();
    national.set_cutoffs(pcut.clone(), ccut.clone());
    let empty_groups = rows
        .iter()
        .zip(&labels)
        .filter(|(r, _)| r.is_none())
        .map(|(_, g)| (*g).clone())
        .collect();
    Ok(GroupTable {
        k,
        rule: options.rule,
        basis: options.basis,
        national,
        national_parent_cutoffs: pcut,
        national_child_cutoffs: ccut,
        national_parent_median: mp,
        national_child_median: mc,
        rows: rows.into_iter().flatten().collect(),
        empty_groups,
    })
}

/// The (weighted) median: the smallest value `x` with `W(X <= x) >= W/2`; when `W(X <= x)` is
/// exactly `W/2`, the midpoint of `x` and the next larger value (so with unit weights and an even
/// count, the mean of the two middle values, as usual).
///
/// Inputs are assumed validated (finite values, non-negative weights with a positive total).
///
/// # Complexity
/// `O(n)` without weights (selection), `O(n log n)` with weights (one sort).
fn weighted_median(values: &[f64], weights: Option<&[f64]>) -> f64 {
    match weights {
        None => {
            let mut v = values.to_vec();
            let n = v.len();
            let (_, &mut hi, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
            if n % 2 == 1 {
                hi
            } else {
                let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (lo + hi) / 2.0
            }
        }
        Some(w) => {
            let mut pairs: Vec<(u64, f64)> = values
                .iter()
                .zip(w)
                .map(|(&x, &w)| (crate::rank::sort_key(x), w))
                .collect();
            pairs.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let total: f64 = pairs.iter().map(|p| p.1).sum();
            let half = total / 2.0;
            let mut cum = 0.0;
            let mut i = 0;
            while i < pairs.len() {
                let key = pairs[i].0;
                while i < pairs.len() && pairs[i].0 == key {
                    cum += pairs[i].1;
                    i += 1;
                }
                if cum > half {
                    return crate::rank::from_sort_key(key);
                }
                if cum == half {
                    // the next value carrying weight
                    let next = pairs[i..].iter().find(|p| p.1 > 0.0).map(|p| p.0);
                    let x = crate::rank::from_sort_key(key);
                    return next.map_or(x, |k| (x + crate::rank::from_sort_key(k)) / 2.0);
                }
            }
            crate::rank::from_sort_key(pairs[pairs.len() - 1].0)
        }
    }
}
