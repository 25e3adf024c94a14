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
//!
//! The counting pass is in `counts` ([`TransitionCounts`]), the matrix here, and the hint for a
//! published table that fails its row sums in `hint` ([`TableHint`]).

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result, check_finite, check_k, check_same_length};
use crate::quantile::Cutoffs;
use crate::rank::Rule;
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

    /// Checks that the parent and child cut-offs of a [`ClassSpec::Cutoffs`] make the same
    /// number of classes (quantile classes always do).
    ///
    /// # Errors
    /// [`MobilityError::Incompatible`] giving both numbers.
    pub(crate) fn check_cutoff_classes(&self) -> Result<()> {
        match self {
            ClassSpec::Cutoffs { parent, child } if parent.k() != child.k() => {
                Err(MobilityError::Incompatible {
                    reason: format!(
                        "parent cut-offs make {} classes, child cut-offs {}",
                        parent.k(),
                        child.k()
                    ),
                })
            }
            _ => Ok(()),
        }
    }

    /// The number of classes.
    pub fn k(&self) -> usize {
        match self {
            ClassSpec::Quantiles { k, .. } => *k,
            ClassSpec::Cutoffs { parent, .. } => parent.k(),
        }
    }
}

mod counts;
mod hint;

pub use counts::TransitionCounts;
pub use hint::{TableHint, TableOption};

/// The largest row-sum tolerance of [`TransitionMatrix::from_probabilities`]: rows printed
/// rounded miss 1 by far less, so a larger tolerance would rescale tables that are not
/// probabilities (rows summing to 5, percentages).
pub const MAX_ROW_TOLERANCE: f64 = 0.5;

pub(crate) fn check_table(table: ArrayView2<f64>, what: &str) -> Result<()> {
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
