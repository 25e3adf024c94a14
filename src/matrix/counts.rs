//! [`TransitionCounts`]: weighted joint counts `n_ij` of parent class by child class, counted in
//! fixed chunks (order- and thread-independent), mergeable across chunks of a file.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ClassSpec, TransitionMatrix, check_table};
use crate::error::{
    MobilityError, Result, check_k_requested, check_same_length, check_weight_values, check_weights,
};
use crate::exact::add_each;
use crate::quantile::{Classifier, Cutoffs, Splitter};
use crate::rank::{check_status_pairs, sort_key};
use crate::serde_nd;

/// Weighted joint counts of parent class by child class, with the cut-offs that made them.
///
/// Counts built with the same cut-offs [`merge`](TransitionCounts::merge) (associatively), so a
/// file too large for memory can be counted in chunks against fixed or reference cut-offs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionCounts {
    #[serde(with = "serde_nd::matrix")]
    pub(super) counts: Array2<f64>,
    pub(super) units: u64,
    pub(super) parent_cutoffs: Option<Cutoffs>,
    pub(super) child_cutoffs: Option<Cutoffs>,
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
        check_status_pairs(parent, child)?;
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
                spec.check_cutoff_classes()?;
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
    let total = exact_tally(parent, child, weights, k * k, |p, x| {
        pc.class0(sort_key(p)) * k + cc.class0(sort_key(x))
    });
    Array2::from_shape_vec((k, k), total).expect("k * k values")
}

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
    let slots = exact_tally(parent, child, weights, sp * sc, |p, x| {
        ps.slot(sort_key(p)) * sc + cs.slot(sort_key(x))
    });
    let mut total = vec![0.0f64; k * k];
    Splitter::expand(ps, cs, &slots, &mut total);
    Array2::from_shape_vec((k, k), total).expect("k * k values")
}

/// The weight of each of `cells` cells, `cell(parent, child)` giving a pair's cell: one partial
/// tally per fixed-length chunk, in parallel, summed in chunk order. The sums are exact (whole
/// units, or relative-weight quanta in `i128`), so the tally does not depend on the order of the
/// rows or the number of threads, bit for bit.
fn exact_tally(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    cells: usize,
    cell: impl Fn(f64, f64) -> usize + Sync,
) -> Vec<f64> {
    // one partial table per chunk: long chunks for many cells keep the partials small
    let chunk = COUNT_CHUNK.max(4 * cells);
    let partials: Vec<Vec<i128>> = parent
        .par_chunks(chunk)
        .zip(child.par_chunks(chunk))
        .enumerate()
        .map(|(c, (ps, cs))| {
            let mut local = vec![0i128; cells];
            match weights {
                None => {
                    for (&p, &x) in ps.iter().zip(cs) {
                        local[cell(p, x)] += 1;
                    }
                }
                Some(w) => {
                    let ws = &w[c * chunk..c * chunk + ps.len()];
                    for ((&p, &x), &wi) in ps.iter().zip(cs).zip(ws) {
                        local[cell(p, x)] += crate::rank::exact_weight(wi);
                    }
                }
            }
            local
        })
        .collect();
    let mut total = vec![0i128; cells];
    for part in &partials {
        add_each(&mut total, part);
    }
    let value = |q: i128| match weights {
        None => q as f64,
        Some(_) => crate::rank::exact_total(q),
    };
    total.into_iter().map(value).collect()
}
