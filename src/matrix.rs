//! Transition counts (mergeable, for chunked data) and the transition matrix.
//!
//! ```text
//! n_ij  weighted joint counts (parent class i, child class j)      TransitionCounts
//! p_ij  = n_ij / n_i.   P(child in j | parent in i), rows sum to 1  TransitionMatrix
//! ```
//!
//! Rows are always the origin (parent), numbered from the bottom. A class with no observations
//! keeps its row: `k` never shrinks. Such a row is all zeros in `P`, is listed by
//! [`TransitionMatrix::empty_rows`], and the measures that need it report themselves undefined.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{
    MobilityError, Result, check_finite, check_k, check_k_requested, check_same_length,
    check_weight_values, check_weights,
};
use crate::quantile::{Classifier, Cutoffs, Splitter};
use crate::rank::{Rule, check_index_range, sort_key};
use crate::serde_nd;

/// How status becomes classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassSpec {
    /// `k` quantile classes of the data itself, parents and children each ranked in their own
    /// distribution (the usual intergenerational matrix).
    Quantiles {
        /// Number of classes.
        k: usize,
        /// Tie rule.
        rule: Rule,
    },
    /// Classes against given cut-offs: a reference population's quantiles (national ranks for a
    /// place) or fixed bands in status units.
    Cutoffs {
        /// Cut-offs for parents.
        parent: Cutoffs,
        /// Cut-offs for children.
        child: Cutoffs,
    },
}

impl ClassSpec {
    /// `k` quantile classes under the default `midrank` rule.
    pub fn quantiles(k: usize) -> ClassSpec {
        ClassSpec::Quantiles {
            k,
            rule: Rule::Midrank,
        }
    }

    /// Classes of a sub-population (a place, a group) against a reference population: the cut-offs
    /// are the reference's parent and child quantiles (e.g. national quintiles, as Chetty et al.
    /// 2014 do for commuting zones). The sub-population's matrix is then not bistochastic.
    ///
    /// # Errors
    /// As [`Cutoffs::quantiles`] for either side.
    pub fn reference(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        k: usize,
        rule: Rule,
    ) -> Result<ClassSpec> {
        check_same_length(parent.len(), child.len(), "reference child status")?;
        Ok(ClassSpec::Cutoffs {
            parent: Cutoffs::quantiles(parent, weights, k, rule)?,
            child: Cutoffs::quantiles(child, weights, k, rule)?,
        })
    }

    /// The number of classes.
    pub fn k(&self) -> usize {
        match self {
            ClassSpec::Quantiles { k, .. } => *k,
            ClassSpec::Cutoffs { parent, .. } => parent.k(),
        }
    }
}

/// Weighted joint counts of parent class by child class, with the cut-offs that made them.
///
/// Counts built with the same cut-offs [`merge`](TransitionCounts::merge) (associatively), so a
/// file too large for memory can be counted in chunks against fixed or reference cut-offs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionCounts {
    #[serde(with = "serde_nd::matrix")]
    counts: Array2<f64>,
    units: u64,
    parent_cutoffs: Option<Cutoffs>,
    child_cutoffs: Option<Cutoffs>,
}

/// Fixed chunk length of the counting pass (never depends on the thread count).
const COUNT_CHUNK: usize = 1 << 16;

impl TransitionCounts {
    /// Counts from paired status: classes per `spec`, then the weighted joint table.
    ///
    /// # Formula
    /// ```text
    /// n_ij = sum_u w_u [c_parent(u) = i] [c_child(u) = j]
    /// ```
    ///
    /// # Errors
    /// Empty input, lengths that differ, NaN or infinite status, bad weights (a zero total only with quantile classes), `k < 2`, parent and
    /// child cut-offs with different `k`.
    ///
    /// # Complexity
    /// `O(n)`: cut-offs by radix selection ([`Cutoffs::quantiles`]), then one fused parallel pass
    /// that classifies both sides and counts. No `O(n)` allocation.
    ///
    /// # Example
    /// ```
    /// use mobility::{ClassSpec, TransitionCounts};
    /// let parent = [1.0, 2.0, 3.0, 4.0];
    /// let child = [2.0, 1.0, 4.0, 3.0];
    /// let c = TransitionCounts::from_status(&parent, &child, None, &ClassSpec::quantiles(2)).unwrap();
    /// assert_eq!(c.counts()[[0, 0]], 2.0);
    /// assert_eq!(c.total(), 4.0);
    /// ```
    pub fn from_status(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        spec: &ClassSpec,
    ) -> Result<TransitionCounts> {
        check_finite(parent, "parent status")?;
        check_same_length(parent.len(), child.len(), "child status")?;
        check_finite(child, "child status")?;
        check_index_range(parent.len())?;
        // relative weights: no finite weights overflow or vanish (counts are restored below)
        let relative = crate::rank::relative_weights(weights, parent.len())?;
        let weights = relative.as_deref();
        // a zero total is fine against given cut-offs (an empty chunk); quantiles need weight
        let total = check_weight_values(weights, parent.len())?;
        let (parent_cutoffs, child_cutoffs) = match spec {
            ClassSpec::Quantiles { k, rule } => {
                check_k_requested(*k)?;
                if total <= 0.0 {
                    return Err(MobilityError::ZeroTotalWeight {
                        what: "weights".into(),
                    });
                }
                let (p, c) = rayon::join(
                    || Cutoffs::quantiles_checked(parent, weights, total, *k, *rule),
                    || Cutoffs::quantiles_checked(child, weights, total, *k, *rule),
                );
                (p?, c?)
            }
            ClassSpec::Cutoffs { parent, child } => {
                if parent.k() != child.k() {
                    return Err(MobilityError::Incompatible {
                        reason: format!(
                            "parent cut-offs make {} classes, child cut-offs {}",
                            parent.k(),
                            child.k()
                        ),
                    });
                }
                (parent.clone(), child.clone())
            }
        };
        let mut counts = if parent_cutoffs.has_split() || child_cutoffs.has_split() {
            count_pairs_split(
                parent,
                child,
                weights,
                &parent_cutoffs.splitter(),
                &child_cutoffs.splitter(),
                parent_cutoffs.k(),
            )
        } else {
            count_pairs(
                parent,
                child,
                weights,
                &parent_cutoffs.classifier(),
                &child_cutoffs.classifier(),
                parent_cutoffs.k(),
            )
        };
        // Counts in the weights' units when that scaling is exact (no overflow, nothing below
        // the normal range); otherwise they stay in relative units (probabilities and shares
        // are the same either way, bit for bit).
        relative.restore_all(&mut counts);
        Ok(TransitionCounts {
            counts,
            units: parent.len() as u64,
            parent_cutoffs: Some(parent_cutoffs),
            child_cutoffs: Some(child_cutoffs),
        })
    }

    /// Counts from classes the user already has (1-based, `1..=k`).
    ///
    /// # Errors
    /// Empty input, lengths that differ, a class outside `1..=k`, bad weights, `k < 2`.
    ///
    /// # Complexity
    /// `O(n)`.
    ///
    /// # Example
    /// ```
    /// use mobility::TransitionCounts;
    /// let c = TransitionCounts::from_classes(&[1, 1, 2], &[1, 2, 2], None, 2).unwrap();
    /// assert_eq!(c.counts()[[0, 1]], 1.0);
    /// ```
    pub fn from_classes(
        parent: &[usize],
        child: &[usize],
        weights: Option<&[f64]>,
        k: usize,
    ) -> Result<TransitionCounts> {
        check_k_requested(k)?;
        if parent.is_empty() {
            return Err(MobilityError::EmptyInput {
                what: "parent classes".into(),
            });
        }
        check_same_length(parent.len(), child.len(), "child classes")?;
        check_weights(weights, parent.len())?;
        for (what, classes) in [("parent classes", parent), ("child classes", child)] {
            if let Some((index, &class)) =
                classes.iter().enumerate().find(|(_, c)| **c < 1 || **c > k)
            {
                return Err(MobilityError::ClassOutOfRange {
                    what: what.into(),
                    index,
                    class: class as i64,
                    k,
                });
            }
        }
        let mut counts = Array2::zeros((k, k));
        for (u, (&i, &j)) in parent.iter().zip(child).enumerate() {
            counts[[i - 1, j - 1]] += weights.map_or(1.0, |w| w[u]);
        }
        Ok(TransitionCounts {
            counts,
            units: parent.len() as u64,
            parent_cutoffs: None,
            child_cutoffs: None,
        })
    }

    /// Counts from a published k x k count table (parent classes in rows, from the bottom).
    ///
    /// # Errors
    /// Not square, `k < 2`, an entry negative or not finite, or an all-zero table.
    ///
    /// # Complexity
    /// `O(k^2)`.
    pub fn from_table(table: ArrayView2<f64>) -> Result<TransitionCounts> {
        check_table(table, "count table")?;
        if table.sum() <= 0.0 {
            return Err(MobilityError::ZeroTotalWeight {
                what: "count table".into(),
            });
        }
        Ok(TransitionCounts {
            counts: table.to_owned(),
            units: 0,
            parent_cutoffs: None,
            child_cutoffs: None,
        })
    }

    /// Counts assembled by the streaming path ([`crate::stream`]) from merged partition sums.
    pub(crate) fn from_parts(
        counts: Array2<f64>,
        units: u64,
        parent_cutoffs: Option<Cutoffs>,
        child_cutoffs: Option<Cutoffs>,
    ) -> TransitionCounts {
        TransitionCounts {
            counts,
            units,
            parent_cutoffs,
            child_cutoffs,
        }
    }

    /// Adds `other` into `self`. Both must have the same `k` and the same cut-offs (or none): counts
    /// from different quantile cut-offs are not comparable.
    ///
    /// # Errors
    /// [`MobilityError::Incompatible`] naming what differs.
    ///
    /// # Complexity
    /// `O(k^2)`.
    pub fn merge(&mut self, other: &TransitionCounts) -> Result<()> {
        if self.k() != other.k() {
            return Err(MobilityError::Incompatible {
                reason: format!(
                    "cannot merge counts with k = {} and k = {}",
                    self.k(),
                    other.k()
                ),
            });
        }
        if self.parent_cutoffs != other.parent_cutoffs || self.child_cutoffs != other.child_cutoffs
        {
            return Err(MobilityError::Incompatible {
                reason: "counts were built with different cut-offs; classify every chunk against \
                         the same (fixed or reference) cut-offs before merging"
                    .into(),
            });
        }
        self.counts += &other.counts;
        self.units += other.units;
        Ok(())
    }

    /// The number of classes.
    pub fn k(&self) -> usize {
        self.counts.nrows()
    }

    /// The weighted joint counts `n_ij` (parents in rows).
    pub fn counts(&self) -> ArrayView2<'_, f64> {
        self.counts.view()
    }

    /// Total weight `n`.
    pub fn total(&self) -> f64 {
        self.counts.sum()
    }

    /// Number of units (rows of microdata) counted; 0 for a published table.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// The parent cut-offs, when the counts came from status.
    pub fn parent_cutoffs(&self) -> Option<&Cutoffs> {
        self.parent_cutoffs.as_ref()
    }

    /// The child cut-offs, when the counts came from status.
    pub fn child_cutoffs(&self) -> Option<&Cutoffs> {
        self.child_cutoffs.as_ref()
    }

    /// The transition matrix of these counts.
    pub fn to_matrix(&self) -> TransitionMatrix {
        TransitionMatrix::build(self)
    }
}

/// The fused classify-and-count pass, in fixed chunks summed in order (thread-count invariant).
fn count_pairs(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    pc: &Classifier,
    cc: &Classifier,
    k: usize,
) -> Array2<f64> {
    // one k x k partial table per chunk: long chunks for large k keep the partials small
    let chunk = COUNT_CHUNK.max(4 * k * k);
    // Exact sums (whole units, or relative-weight quanta in i128): the counts do not depend
    // on the order of the rows or the number of threads, bit for bit.
    let partials: Vec<Vec<i128>> = parent
        .par_chunks(chunk)
        .zip(child.par_chunks(chunk))
        .enumerate()
        .map(|(c, (ps, cs))| {
            let mut local = vec![0i128; k * k];
            match weights {
                None => {
                    for (&p, &x) in ps.iter().zip(cs) {
                        local[pc.class0(sort_key(p)) * k + cc.class0(sort_key(x))] += 1;
                    }
                }
                Some(w) => {
                    let ws = &w[c * chunk..c * chunk + ps.len()];
                    for ((&p, &x), &wi) in ps.iter().zip(cs).zip(ws) {
                        local[pc.class0(sort_key(p)) * k + cc.class0(sort_key(x))] +=
                            crate::rank::exact_weight(wi);
                    }
                }
            }
            local
        })
        .collect();
    let mut total = vec![0i128; k * k];
    for part in &partials {
        total.iter_mut().zip(part).for_each(|(t, p)| *t += p);
    }
    let value = |q: i128| match weights {
        None => q as f64,
        Some(_) => crate::rank::exact_total(q),
    };
    Array2::from_shape_vec((k, k), total.into_iter().map(value).collect()).expect("k * k values")
}

/// The largest row-sum tolerance of [`TransitionMatrix::from_probabilities`]: rows printed
/// rounded miss 1 by far less, so a larger tolerance would rescale tables that are not
/// probabilities (rows summing to 5, percentages).
pub const MAX_ROW_TOLERANCE: f64 = 0.5;

/// Joint counts under fractional (`split`) memberships: weights summed exactly per (parent
/// slot, child slot) in fixed chunks (order- and thread-independent, as [`count_pairs`]), then
/// shared out, `n_ij = sum_u w_u f^P_u(i) f^C_u(j)`.
fn count_pairs_split(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    ps: &Splitter,
    cs: &Splitter,
    k: usize,
) -> Array2<f64> {
    let (sp, sc) = (ps.slots(), cs.slots());
    let chunk = COUNT_CHUNK.max(4 * sp * sc);
    let partials: Vec<Vec<i128>> = parent
        .par_chunks(chunk)
        .zip(child.par_chunks(chunk))
        .enumerate()
        .map(|(c, (pv, cv))| {
            let mut local = vec![0i128; sp * sc];
            for (u, (&p, &x)) in pv.iter().zip(cv).enumerate() {
                let q = weights.map_or(1, |w| crate::rank::exact_weight(w[c * chunk + u]));
                local[ps.slot(sort_key(p)) * sc + cs.slot(sort_key(x))] += q;
            }
            local
        })
        .collect();
    let mut exact = vec![0i128; sp * sc];
    for part in &partials {
        exact.iter_mut().zip(part).for_each(|(t, p)| *t += p);
    }
    let slots: Vec<f64> = exact
        .into_iter()
        .map(|q| match weights {
            None => q as f64,
            Some(_) => crate::rank::exact_total(q),
        })
        .collect();
    let mut total = vec![0.0f64; k * k];
    Splitter::expand(ps, cs, &slots, &mut total);
    Array2::from_shape_vec((k, k), total).expect("k * k values")
}

fn check_table(table: ArrayView2<f64>, what: &str) -> Result<()> {
    let (rows, cols) = table.dim();
    if rows != cols {
        return Err(MobilityError::NotSquare {
            what: what.into(),
            rows,
            cols,
        });
    }
    check_k(rows)?;
    for ((i, j), &v) in table.indexed_iter() {
        if !v.is_finite() || v < 0.0 {
            return Err(MobilityError::InvalidEntry {
                what: what.into(),
                row: i + 1,
                col: j + 1,
                value: v,
            });
        }
    }
    Ok(())
}

/// Options for reading a published probability table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbabilityOptions {
    /// Parent shares `n_i. / n`; uniform `1/k` when `None` (the table alone does not say).
    pub parent_shares: Option<Vec<f64>>,
    /// How far a row sum may be from 1.
    pub tolerance: f64,
    /// Rescale rows that miss 1 by more than the tolerance (tables printed rounded) instead of
    /// failing.
    pub renormalise: bool,
    /// The table was printed with the child class in rows (e.g. Chetty et al. 2014, Table II):
    /// transpose it first.
    pub child_in_rows: bool,
}

impl Default for ProbabilityOptions {
    fn default() -> Self {
        ProbabilityOptions {
            parent_shares: None,
            tolerance: 1e-6,
            renormalise: false,
            child_in_rows: false,
        }
    }
}

/// A parent-to-child transition matrix `P` with its counts (when known) and class shares.
///
/// The fields are private: every matrix is built by a constructor ([`TransitionMatrix::from_status`],
/// [`TransitionMatrix::from_counts`], [`TransitionMatrix::from_probabilities`], ...) or read back
/// from JSON through the same checks ([`TransitionMatrix::from_parts`]), so its invariants hold:
/// `k >= 2`, every entry finite and in `[0, 1]`, each row summing to 1 (or all zero for an empty
/// parent class), shares valid, counts (when known) consistent with `P` and `n`, cut-offs of
/// length `k - 1` and strictly increasing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawTransitionMatrix")]
pub struct TransitionMatrix {
    k: usize,
    n: Option<f64>,
    #[serde(with = "serde_nd::option_matrix")]
    counts: Option<Array2<f64>>,
    #[serde(with = "serde_nd::matrix")]
    probabilities: Array2<f64>,
    #[serde(with = "serde_nd::vector")]
    parent_shares: Array1<f64>,
    #[serde(with = "serde_nd::vector")]
    child_shares: Array1<f64>,
    parent_cutoffs: Option<Cutoffs>,
    child_cutoffs: Option<Cutoffs>,
}

/// The serialised form of a [`TransitionMatrix`], checked by [`TransitionMatrix::from_parts`]
/// on the way in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawTransitionMatrix {
    /// Number of classes.
    pub k: usize,
    /// Total weight `n`, when the matrix came from counts.
    pub n: Option<f64>,
    /// Weighted joint counts `n_ij`, when known.
    #[serde(with = "serde_nd::option_matrix")]
    pub counts: Option<Array2<f64>>,
    /// Row-stochastic `P` (an empty row is all zeros).
    #[serde(with = "serde_nd::matrix")]
    pub probabilities: Array2<f64>,
    /// Parent (origin) shares.
    #[serde(with = "serde_nd::vector")]
    pub parent_shares: Array1<f64>,
    /// Child (destination) shares.
    #[serde(with = "serde_nd::vector")]
    pub child_shares: Array1<f64>,
    /// Parent cut-offs, when built from status.
    pub parent_cutoffs: Option<Cutoffs>,
    /// Child cut-offs, when built from status.
    pub child_cutoffs: Option<Cutoffs>,
}

impl TryFrom<RawTransitionMatrix> for TransitionMatrix {
    type Error = MobilityError;

    fn try_from(raw: RawTransitionMatrix) -> Result<TransitionMatrix> {
        TransitionMatrix::from_parts(raw)
    }
}

/// How far a stored row sum, share sum or count may be from what it must be.
const STORED_TOLERANCE: f64 = 1e-9;

impl TransitionMatrix {
    /// A matrix from its parts (as serialised), with every invariant checked.
    ///
    /// # Errors
    /// `k < 2` or shapes that do not match `k`; an entry of `P` not finite or outside `[0, 1]`;
    /// a row of `P` not summing to 1 within 1e-9 (an all-zero row is an empty class, allowed only
    /// with counts); shares of the wrong length, negative or not summing to 1; counts negative or
    /// not finite, or not giving `P`, `n` and the shares; `n` negative or not finite; cut-offs of
    /// the wrong length or not strictly increasing.
    ///
    /// # Complexity
    /// `O(k^2)`.
    ///
    /// # Example
    /// ```
    /// let us = mobility::published::us_chetty_2014_quintiles();
    /// let json = serde_json::to_string(&us).unwrap();
    /// let back: mobility::TransitionMatrix = serde_json::from_str(&json).unwrap();
    /// assert_eq!(back, us);
    /// let mut raw = us.into_parts();
    /// raw.probabilities[[0, 0]] = -0.1;
    /// assert!(mobility::TransitionMatrix::from_parts(raw).is_err());
    /// ```
    pub fn from_parts(raw: RawTransitionMatrix) -> Result<TransitionMatrix> {
        use crate::error::Parameter;
        let k = raw.k;
        check_k(k)?;
        let p = &raw.probabilities;
        if p.dim() != (k, k) {
            return Err(MobilityError::Inconsistent {
                what: format!(
                    "the probabilities are {} x {}, which does not match k = {k}",
                    p.nrows(),
                    p.ncols()
                ),
            });
        }
        for ((i, j), &v) in p.indexed_iter() {
            if !v.is_finite() || !(0.0..=1.0).contains(&v) {
                return Err(MobilityError::InvalidEntry {
                    what: "probabilities (each must lie in [0, 1])".into(),
                    row: i + 1,
                    col: j + 1,
                    value: v,
                });
            }
        }
        for (i, r) in p.axis_iter(Axis(0)).enumerate() {
            let sum = r.sum();
            let empty_ok = sum == 0.0 && raw.counts.is_some();
            if !empty_ok && (sum - 1.0).abs() > STORED_TOLERANCE {
                return Err(MobilityError::RowSum {
                    row: i + 1,
                    sum,
                    tolerance: STORED_TOLERANCE,
                });
            }
        }
        for (shares, param) in [
            (&raw.parent_shares, Parameter::ParentShares),
            (&raw.child_shares, Parameter::ChildShares),
        ] {
            let s = shares.as_slice().unwrap_or(&[]).to_vec();
            // all-zero shares belong to an all-zero (empty chunk) count table
            if !(raw.counts.is_some() && s.iter().all(|&x| x == 0.0)) {
                check_shares(&s, k, STORED_TOLERANCE, param)?;
            }
        }
        if let Some(n) = raw.n
            && !(n.is_finite() && n >= 0.0)
        {
            return Err(MobilityError::invalid(
                Parameter::N,
                format!("the total weight must be a finite number >= 0, got {n}"),
            ));
        }
        if let Some(c) = &raw.counts {
            check_table(c.view(), "counts")?;
            if c.nrows() != k {
                return Err(MobilityError::LengthMismatch {
                    what: "count rows".into(),
                    expected: k,
                    found: c.nrows(),
                });
            }
            let rebuilt = TransitionCounts {
                counts: c.clone(),
                units: 0,
                parent_cutoffs: None,
                child_cutoffs: None,
            }
            .to_matrix();
            let close = |a: &Array2<f64>, b: &Array2<f64>| {
                a.iter()
                    .zip(b)
                    .all(|(x, y)| (x - y).abs() <= STORED_TOLERANCE)
            };
            let close1 = |a: &Array1<f64>, b: &Array1<f64>| {
                a.iter()
                    .zip(b)
                    .all(|(x, y)| (x - y).abs() <= STORED_TOLERANCE)
            };
            let total = c.sum();
            let n_ok = raw
                .n
                .is_some_and(|n| (n - total).abs() <= STORED_TOLERANCE * total.max(1.0));
            if !n_ok
                || !close(&rebuilt.probabilities, p)
                || !close1(&rebuilt.parent_shares, &raw.parent_shares)
                || !close1(&rebuilt.child_shares, &raw.child_shares)
            {
                return Err(MobilityError::Inconsistent {
                    what: "the counts do not give the stored n, probabilities and shares".into(),
                });
            }
        }
        for (cuts, side) in [
            (&raw.parent_cutoffs, "parent"),
            (&raw.child_cutoffs, "child"),
        ] {
            if let Some(c) = cuts {
                if c.k() != k {
                    return Err(MobilityError::Inconsistent {
                        what: format!("the {side} cut-offs make {} classes, not k = {k}", c.k()),
                    });
                }
                // the checks of the constructor (a tie may make `[x, x]` cut-offs, one
                // exclusive and one inclusive: its classes stay apart)
                Cutoffs::from_cuts(c.cuts().to_vec(), c.source())?;
            }
        }
        Ok(TransitionMatrix {
            k,
            n: raw.n,
            counts: raw.counts,
            probabilities: raw.probabilities,
            parent_shares: raw.parent_shares,
            child_shares: raw.child_shares,
            parent_cutoffs: raw.parent_cutoffs,
            child_cutoffs: raw.child_cutoffs,
        })
    }

    /// The parts of this matrix (the serialised form).
    pub fn into_parts(self) -> RawTransitionMatrix {
        RawTransitionMatrix {
            k: self.k,
            n: self.n,
            counts: self.counts,
            probabilities: self.probabilities,
            parent_shares: self.parent_shares,
            child_shares: self.child_shares,
            parent_cutoffs: self.parent_cutoffs,
            child_cutoffs: self.child_cutoffs,
        }
    }

    /// Number of classes.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Total weight `n`, when the matrix came from counts.
    pub fn n(&self) -> Option<f64> {
        self.n
    }

    /// Weighted joint counts `n_ij`, when known.
    pub fn counts(&self) -> Option<&Array2<f64>> {
        self.counts.as_ref()
    }

    /// Row-stochastic `P`, parents in rows (an empty row is all zeros).
    pub fn probabilities(&self) -> &Array2<f64> {
        &self.probabilities
    }

    /// Parent (origin) shares `n_i. / n`.
    pub fn parent_shares(&self) -> &Array1<f64> {
        &self.parent_shares
    }

    /// Child (destination) shares `n_.j / n` (`= parent_shares . P`).
    pub fn child_shares(&self) -> &Array1<f64> {
        &self.child_shares
    }

    /// Parent cut-offs, when built from status.
    pub fn parent_cutoffs(&self) -> Option<&Cutoffs> {
        self.parent_cutoffs.as_ref()
    }

    /// Child cut-offs, when built from status.
    pub fn child_cutoffs(&self) -> Option<&Cutoffs> {
        self.child_cutoffs.as_ref()
    }

    /// Records the cut-offs the classes were made with (counts classified elsewhere against them).
    pub(crate) fn set_cutoffs(&mut self, parent: Cutoffs, child: Cutoffs) {
        debug_assert!(parent.k() == self.k && child.k() == self.k);
        self.parent_cutoffs = Some(parent);
        self.child_cutoffs = Some(child);
    }
}

impl TransitionMatrix {
    fn build(counts: &TransitionCounts) -> TransitionMatrix {
        let n_ij = &counts.counts;
        let k = n_ij.nrows();
        let total = n_ij.sum();
        let row = n_ij.sum_axis(Axis(1));
        let mut p = n_ij.clone();
        for (mut r, &s) in p.axis_iter_mut(Axis(0)).zip(&row) {
            if s > 0.0 {
                r.mapv_inplace(|v| v / s);
            }
        }
        let (parent_shares, child_shares) = if total > 0.0 {
            (row / total, n_ij.sum_axis(Axis(0)) / total)
        } else {
            (Array1::zeros(k), Array1::zeros(k))
        };
        TransitionMatrix {
            k,
            n: Some(total),
            counts: Some(n_ij.clone()),
            probabilities: p,
            parent_shares,
            child_shares,
            parent_cutoffs: counts.parent_cutoffs.clone(),
            child_cutoffs: counts.child_cutoffs.clone(),
        }
    }

    /// The quantile transition matrix of paired status: the main entry point for microdata.
    ///
    /// # Formula
    /// ```text
    /// p_ij = n_ij / n_i.,   n_ij = sum_u w_u [parent class = i][child class = j]
    /// ```
    ///
    /// # Errors
    /// As [`TransitionCounts::from_status`], and a zero total weight.
    ///
    /// # Complexity
    /// `O(n)` (see [`TransitionCounts::from_status`]).
    ///
    /// # Example
    /// ```
    /// use mobility::{ClassSpec, TransitionMatrix};
    /// let parent = [10.0, 20.0, 30.0, 40.0];
    /// let child = [15.0, 12.0, 50.0, 45.0];
    /// let tm = TransitionMatrix::from_status(&parent, &child, None, &ClassSpec::quantiles(2)).unwrap();
    /// assert_eq!(tm.probabilities()[[0, 0]], 1.0);
    /// assert_eq!(tm.parent_shares().to_vec(), vec![0.5, 0.5]);
    /// ```
    pub fn from_status(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        spec: &ClassSpec,
    ) -> Result<TransitionMatrix> {
        let counts = TransitionCounts::from_status(parent, child, weights, spec)?;
        if counts.total() <= 0.0 {
            return Err(MobilityError::ZeroTotalWeight {
                what: "weights".into(),
            });
        }
        Ok(counts.to_matrix())
    }

    /// The matrix of a published k x k count table (parents in rows).
    ///
    /// # Errors
    /// As [`TransitionCounts::from_table`].
    ///
    /// # Complexity
    /// `O(k^2)`.
    ///
    /// # Example
    /// ```
    /// use mobility::TransitionMatrix;
    /// let tm = TransitionMatrix::from_counts(ndarray::array![[3.0, 1.0], [1.0, 3.0]].view()).unwrap();
    /// assert_eq!(tm.probabilities()[[0, 0]], 0.75);
    /// ```
    pub fn from_counts(table: ArrayView2<f64>) -> Result<TransitionMatrix> {
        Ok(TransitionCounts::from_table(table)?.to_matrix())
    }

    /// The matrix of a published probability table.
    ///
    /// Rows must sum to 1 within `options.tolerance`, unless `options.renormalise` asks to rescale
    /// them (tables printed rounded). `n` and the counts are unknown; parent shares are uniform
    /// unless given.
    ///
    /// # Errors
    /// Not square, `k < 2`, a bad entry, a row sum off by more than the tolerance (without
    /// `renormalise`), an all-zero row with `renormalise`, parent shares of the wrong length,
    /// negative, or not summing to 1 within the tolerance.
    ///
    /// # Complexity
    /// `O(k^2)`.
    ///
    /// # Example
    /// ```
    /// use mobility::{TransitionMatrix, matrix::ProbabilityOptions};
    /// let printed = ndarray::array![[0.38, 0.29, 0.22, 0.11], [0.25, 0.28, 0.26, 0.22],
    ///                               [0.21, 0.26, 0.28, 0.24], [0.16, 0.17, 0.25, 0.42]];
    /// assert!(TransitionMatrix::from_probabilities(printed.view(), &ProbabilityOptions::default()).is_err());
    /// let opts = ProbabilityOptions { renormalise: true, ..Default::default() };
    /// let tm = TransitionMatrix::from_probabilities(printed.view(), &opts).unwrap();
    /// assert!((tm.probabilities().row(1).sum() - 1.0).abs() < 1e-15);
    /// ```
    pub fn from_probabilities(
        table: ArrayView2<f64>,
        options: &ProbabilityOptions,
    ) -> Result<TransitionMatrix> {
        let table = if options.child_in_rows {
            table.t()
        } else {
            table
        };
        check_table(table, "probability table")?;
        let k = table.nrows();
        if !(0.0..=MAX_ROW_TOLERANCE).contains(&options.tolerance) {
            return Err(MobilityError::invalid(
                crate::error::Parameter::Tolerance,
                format!(
                    "must lie in [0, {MAX_ROW_TOLERANCE}], got {}: a row that misses 1 by more \
                     is not a rounded probability row (is the table in percent or counts?)",
                    options.tolerance
                ),
            ));
        }
        let mut p = table.to_owned();
        for (i, mut r) in p.axis_iter_mut(Axis(0)).enumerate() {
            let sum = r.sum();
            if (sum - 1.0).abs() > options.tolerance && (!options.renormalise || sum <= 0.0) {
                return Err(MobilityError::RowSum {
                    row: i + 1,
                    sum,
                    tolerance: options.tolerance,
                });
            }
            r.mapv_inplace(|v| v / sum);
        }
        let parent_shares = match &options.parent_shares {
            None => Array1::from_elem(k, 1.0 / k as f64),
            Some(s) => Array1::from(check_shares(
                s,
                k,
                options.tolerance.max(1e-9),
                crate::error::Parameter::ParentShares,
            )?),
        };
        let child_shares = parent_shares.dot(&p);
        Ok(TransitionMatrix {
            k,
            n: None,
            counts: None,
            probabilities: p,
            parent_shares,
            child_shares,
            parent_cutoffs: None,
            child_cutoffs: None,
        })
    }

    /// Zero-based indices of parent classes with no observations (all-zero rows of `P`).
    pub fn empty_rows(&self) -> Vec<usize> {
        self.probabilities
            .axis_iter(Axis(0))
            .enumerate()
            .filter(|(_, r)| r.sum() == 0.0)
            .map(|(i, _)| i)
            .collect()
    }

    /// Zero-based indices of child classes nobody reached (all-zero columns).
    pub fn empty_columns(&self) -> Vec<usize> {
        (0..self.k)
            .filter(|&j| self.child_shares[j] == 0.0)
            .collect()
    }

    /// Whether every row of `P` sums to 1 (no empty parent class).
    pub fn is_stochastic(&self) -> bool {
        self.empty_rows().is_empty()
    }

    /// The joint distribution `f_ij = pi_i p_ij` (parent shares times `P`; `n_ij / n` from counts).
    pub fn joint(&self) -> Array2<f64> {
        let mut f = self.probabilities.clone();
        for (mut r, &s) in f.axis_iter_mut(Axis(0)).zip(&self.parent_shares) {
            r.mapv_inplace(|v| v * s);
        }
        f
    }

    /// The inflow view: `P(parent in i | child in j)`, each column summing to 1 (a column nobody
    /// reached is all zeros).
    pub fn inflow(&self) -> Array2<f64> {
        let mut f = self.joint();
        for (mut c, &s) in f.axis_iter_mut(Axis(1)).zip(&self.child_shares) {
            if s > 0.0 {
                c.mapv_inplace(|v| v / s);
            }
        }
        f
    }

    /// Class labels for display: `Q1..Q5` for quintiles, `D1..D10` for deciles, `C1..Ck` otherwise
    /// (`Q1..Q4` for quartiles, `P1..P100` for percentiles).
    pub fn labels(&self) -> Vec<String> {
        class_labels(self.k)
    }
}

/// Class labels: quartiles and quintiles `Q`, deciles `D`, percentiles `P`, otherwise `C`.
pub fn class_labels(k: usize) -> Vec<String> {
    let prefix = match k {
        4 | 5 => "Q",
        10 => "D",
        100 => "P",
        _ => "C",
    };
    (1..=k).map(|i| format!("{prefix}{i}")).collect()
}

/// Validates a share vector: length `k`, finite, non-negative, summing to 1 within `tolerance`.
pub(crate) fn check_shares(
    s: &[f64],
    k: usize,
    tolerance: f64,
    param: crate::error::Parameter,
) -> Result<Vec<f64>> {
    let what = &param.to_string();
    check_same_length(k, s.len(), what)?;
    check_finite(s, what)?;
    if let Some((index, &value)) = s.iter().enumerate().find(|(_, v)| **v < 0.0) {
        return Err(MobilityError::invalid(
            param,
            format!("entry {} is negative ({value})", index + 1),
        ));
    }
    let sum: f64 = s.iter().sum();
    if (sum - 1.0).abs() > tolerance {
        return Err(MobilityError::invalid(
            param,
            format!("must sum to 1, sum to {sum}"),
        ));
    }
    Ok(s.iter().map(|v| v / sum).collect())
}

/// Why a table read as probabilities may have failed its row sums: the hint the CLI and Python
/// add to a [`MobilityError::RowSum`] error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableHint {
    /// The columns sum to 1: the child class is probably in rows.
    ChildInRows,
    /// Whole numbers: probably a count table.
    CountTable,
    /// Rows sum to about 100: percentages, to be read as counts.
    Percentages,
    /// Nothing else fits: a rounded table, to be rescaled.
    Renormalise,
}

impl TableHint {
    /// The hint for a probability table (as given, before any transpose) whose row sums failed
    /// with a row summing to `row_sum`.
    ///
    /// # Complexity
    /// `O(k^2)`.
    ///
    /// # Example
    /// ```
    /// use mobility::matrix::TableHint;
    /// let t = ndarray::array![[0.5, 0.25], [0.5, 0.75]];
    /// assert_eq!(TableHint::for_table(t.view(), false, 1e-6, 0.75), TableHint::ChildInRows);
    /// ```
    pub fn for_table(
        table: ArrayView2<f64>,
        child_in_rows: bool,
        tolerance: f64,
        row_sum: f64,
    ) -> TableHint {
        let columns_sum_to_one = table
            .sum_axis(Axis(0))
            .iter()
            .all(|s| (s - 1.0).abs() <= tolerance);
        if !child_in_rows && columns_sum_to_one {
            TableHint::ChildInRows
        } else if table.iter().all(|x| x.fract() == 0.0) && row_sum > 1.5 {
            TableHint::CountTable
        } else if row_sum > 1.5 {
            TableHint::Percentages
        } else {
            TableHint::Renormalise
        }
    }

    /// The hint in words, naming options as `option` spells them (the CLI passes its flags,
    /// Python its keyword arguments).
    pub fn text(self, option: impl Fn(TableOption) -> &'static str) -> String {
        match self {
            TableHint::ChildInRows => format!(
                "the columns sum to 1: is the child class in rows? pass {}",
                option(TableOption::ChildInRows)
            ),
            TableHint::CountTable => format!(
                "whole numbers: is it a count table? leave out {}",
                option(TableOption::Probabilities)
            ),
            TableHint::Percentages => format!(
                "rows summing to about 100 are percentages: leave out {} to read them as counts",
                option(TableOption::Probabilities)
            ),
            TableHint::Renormalise => format!(
                "pass {} to rescale a rounded table",
                option(TableOption::Renormalise)
            ),
        }
    }
}

/// The options a [`TableHint`] may point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableOption {
    /// Transpose a table printed with the child class in rows.
    ChildInRows,
    /// Read the table as probabilities.
    Probabilities,
    /// Rescale rows that miss 1.
    Renormalise,
}
