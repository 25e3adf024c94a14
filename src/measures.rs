//! The canonical mobility measures of FORMULAS.md, under exactly those names.
//!
//! Two ways in:
//! - plain functions over any row-stochastic matrix (`&ArrayRef2<f64>`: an `Array2` or a view),
//!   for people who already have a matrix: [`shorrocks_trace`], [`determinant_shorrocks`], ...;
//! - [`TransitionMatrix::measures`], which computes every measure at once, with the origin
//!   weighting `pi` chosen by [`Weighting`] (parent shares by default), and reports a measure as
//!   undefined (`None`, JSON `null`) where the matrix does not support it (an empty parent class,
//!   a zero cell for Altham's distance).
//!
//! Notation: `P = [p_ij]` row-stochastic, origin (parent) in rows, classes `1..k` from the bottom;
//! `pi` origin weights summing to 1.

use ndarray::{Array1, Array2, ArrayRef2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result};
use crate::linalg::{self, Complex};
use crate::markov;
use crate::matrix::{TransitionMatrix, check_shares};

pub use crate::markov::check_stochastic;

fn check_pi(p: &ArrayRef2<f64>, pi: &[f64]) -> Result<Vec<f64>> {
    check_shares(pi, p.nrows(), 1e-6, crate::error::Parameter::OriginWeights)
}

/// Shorrocks' trace index (Prais 1955; Shorrocks 1978; giddy `P`, Stata igmobil).
///
/// # Formula
/// ```text
/// M_P = (k - tr P) / (k - 1)          0 = immobile (P = I), 1 = perfect mobility (P = J/k)
/// ```
///
/// # Errors
/// `p` not row-stochastic ([`check_stochastic`]: rows must sum to 1 within 1e-9).
///
/// # Complexity
/// `O(k^2)` (the check), `O(k)` the index.
///
/// # Example
/// ```
/// let p = ndarray::array![[0.8, 0.2], [0.3, 0.7]];
/// assert!((mobility::measures::shorrocks_trace(&p).unwrap() - 0.5).abs() < 1e-15);
/// ```
pub fn shorrocks_trace(p: &ArrayRef2<f64>) -> Result<f64> {
    check_stochastic(p)?;
    Ok(trace_index(p.nrows(), p.diag().sum()))
}

/// Shorrocks' determinant index (Shorrocks 1978; R incdist).
///
/// # Formula
/// ```text
/// M_D = 1 - |det P|^(1/(k-1))
/// ```
///
/// # Errors
/// `p` not row-stochastic.
///
/// # Complexity
/// `O(k^3)` (LU).
///
/// # Example
/// ```
/// let p = ndarray::array![[0.8, 0.2], [0.3, 0.7]];
/// assert!((mobility::measures::determinant_shorrocks(&p).unwrap() - 0.5).abs() < 1e-12);
/// ```
pub fn determinant_shorrocks(p: &ArrayRef2<f64>) -> Result<f64> {
    check_stochastic(p)?;
    Ok(determinant_index(p.nrows(), linalg::determinant(p.view())?))
}

/// The determinant index without the root, as PySAL giddy (`D`) and Stata igmobil compute it.
///
/// # Formula
/// ```text
/// M_D' = 1 - |det P|
/// ```
///
/// # Errors
/// `p` not row-stochastic.
///
/// # Complexity
/// `O(k^3)`.
///
/// # Example
/// ```
/// let p = ndarray::array![[0.8, 0.2], [0.3, 0.7]];
/// assert!((mobility::measures::determinant_giddy(&p).unwrap() - 0.5).abs() < 1e-12);
/// ```
pub fn determinant_giddy(p: &ArrayRef2<f64>) -> Result<f64> {
    check_stochastic(p)?;
    Ok(1.0 - linalg::determinant(p.view())?.abs())
}

/// Eigenvalues of `P`, sorted by modulus, largest first (complex pairs kept whole).
///
/// # Errors
/// `p` not row-stochastic, or the eigenvalue iteration fails.
///
/// # Complexity
/// `O(k^3)`.
pub fn eigenvalues(p: &ArrayRef2<f64>) -> Result<Vec<Complex>> {
    check_stochastic(p)?;
    linalg::eigenvalues(p.view())
}

/// The second-eigenvalue index (Sommers & Conlisk 1979; giddy `L2`).
///
/// # Formula
/// ```text
/// M_2 = 1 - |lambda_2|,   lambda_2 the eigenvalue of second-largest modulus (may be complex)
/// ```
/// Exactly 0 when `|lambda_2| = 1` (two or more closed classes, or a periodic chain), decided
/// from the zero pattern of `P` rather than from the eigenvalue solver's rounding; never
/// negative.
///
/// # Errors
/// `p` not row-stochastic, or the eigenvalue iteration fails.
///
/// # Complexity
/// `O(k^3)`.
///
/// # Example
/// ```
/// let p = ndarray::array![[0.8, 0.2], [0.3, 0.7]]; // eigenvalues 1 and 0.5
/// assert!((mobility::measures::second_eigenvalue(&p).unwrap() - 0.5).abs() < 1e-12);
/// ```
pub fn second_eigenvalue(p: &ArrayRef2<f64>) -> Result<f64> {
    Ok(second_eigenvalue_index(p, &eigenvalues(p)?))
}

/// Shorrocks' eigenvalue-sum index: the trace index with moduli, which differs from it when
/// eigenvalues are complex (Shorrocks 1978).
///
/// # Formula
/// ```text
/// M_E = (k - sum_i |lambda_i|) / (k - 1)
/// ```
///
/// # Errors
/// `p` not row-stochastic, or the eigenvalue iteration fails.
///
/// # Complexity
/// `O(k^3)`.
///
/// # Example
/// ```
/// let p = ndarray::array![[0.8, 0.2], [0.3, 0.7]];
/// assert!((mobility::measures::eigenvalue_sum(&p).unwrap() - 0.5).abs() < 1e-12);
/// ```
pub fn eigenvalue_sum(p: &ArrayRef2<f64>) -> Result<f64> {
    Ok(eigenvalue_sum_index(&eigenvalues(p)?))
}

// The index formulas, shared by the plain functions and `TransitionMatrix::measures`.

pub(crate) fn trace_index(k: usize, trace: f64) -> f64 {
    let k = k as f64;
    (k - trace) / (k - 1.0)
}

pub(crate) fn determinant_index(k: usize, det: f64) -> f64 {
    1.0 - det.abs().powf(1.0 / (k as f64 - 1.0))
}

/// `1 - |lambda_2|` with `|lambda_2|` from [`crate::markov::second_modulus`]: exactly 0 when the
/// chain structurally has `|lambda_2| = 1` (several closed classes, or a periodic one), never
/// negative otherwise.
pub(crate) fn second_eigenvalue_index(p: &ArrayRef2<f64>, eigenvalues: &[Complex]) -> f64 {
    1.0 - crate::markov::second_modulus(p, eigenvalues[1])
}

pub(crate) fn eigenvalue_sum_index(eigenvalues: &[Complex]) -> f64 {
    trace_index(
        eigenvalues.len(),
        eigenvalues.iter().map(Complex::modulus).sum(),
    )
}

/// Bartholomew's index: the mean absolute class jump, scaled to `[0, 1]` (Bartholomew 1973;
/// giddy `B2`, which defaults to uniform `pi`; igmobil uses uniform `pi`).
///
/// # Formula
/// ```text
/// B = sum_i pi_i sum_j p_ij |i - j| / (k - 1)
/// ```
///
/// # Errors
/// `p` not row-stochastic; `pi` of the wrong length, negative, or not summing to 1.
///
/// # Complexity
/// `O(k^2)`.
///
/// # Example
/// ```
/// let p = ndarray::array![[0.8, 0.2], [0.3, 0.7]];
/// let b = mobility::measures::bartholomew(&p, &[0.5, 0.5]).unwrap();
/// assert!((b - 0.25).abs() < 1e-15);
/// ```
pub fn bartholomew(p: &ArrayRef2<f64>, pi: &[f64]) -> Result<f64> {
    Ok(mean_class_jump(p, pi)? / (p.nrows() as f64 - 1.0))
}

/// Mean absolute class jump (mobilityIndexR `average_movement` with parent-share weights).
///
/// # Formula
/// ```text
/// J = sum_i pi_i sum_j p_ij |i - j|
/// ```
///
/// # Errors
/// As [`bartholomew`].
///
/// # Complexity
/// `O(k^2)`.
pub fn mean_class_jump(p: &ArrayRef2<f64>, pi: &[f64]) -> Result<f64> {
    check_stochastic(p)?;
    let pi = check_pi(p, pi)?;
    Ok(weighted_rows(p, &pi, |i, j| i.abs_diff(j) as f64))
}

/// Immobility ratio: the weighted share staying in their parents' class.
/// `prais_bibby = 1 - immobility_ratio` (Bibby 1975; mobilityIndexR `prais_bibby`).
///
/// # Formula
/// ```text
/// I = sum_i pi_i p_ii
/// ```
///
/// # Errors
/// As [`bartholomew`].
///
/// # Complexity
/// `O(k^2)`.
pub fn immobility_ratio(p: &ArrayRef2<f64>, pi: &[f64]) -> Result<f64> {
    check_stochastic(p)?;
    let pi = check_pi(p, pi)?;
    Ok(weighted_rows(p, &pi, |i, j| f64::from(u8::from(i == j))))
}

/// Share moving up: `upward_share + downward_share + immobility_ratio = 1`.
///
/// # Formula
/// ```text
/// U = sum_i pi_i sum_{j > i} p_ij
/// ```
///
/// # Errors
/// As [`bartholomew`].
///
/// # Complexity
/// `O(k^2)`.
pub fn upward_share(p: &ArrayRef2<f64>, pi: &[f64]) -> Result<f64> {
    check_stochastic(p)?;
    let pi = check_pi(p, pi)?;
    Ok(weighted_rows(p, &pi, |i, j| f64::from(u8::from(j > i))))
}

/// Share moving down.
///
/// # Formula
/// ```text
/// D = sum_i pi_i sum_{j < i} p_ij
/// ```
///
/// # Errors
/// As [`bartholomew`].
///
/// # Complexity
/// `O(k^2)`.
pub fn downward_share(p: &ArrayRef2<f64>, pi: &[f64]) -> Result<f64> {
    check_stochastic(p)?;
    let pi = check_pi(p, pi)?;
    Ok(weighted_rows(p, &pi, |i, j| f64::from(u8::from(j < i))))
}

/// giddy's `B1`: the trace index with origin weights (equals [`shorrocks_trace`] for uniform `pi`).
///
/// # Formula
/// ```text
/// B1 = (k - k sum_i pi_i p_ii) / (k - 1)
/// ```
///
/// # Errors
/// As [`bartholomew`].
///
/// # Complexity
/// `O(k^2)`.
pub fn giddy_b1(p: &ArrayRef2<f64>, pi: &[f64]) -> Result<f64> {
    let k = p.nrows() as f64;
    Ok((k - k * immobility_ratio(p, pi)?) / (k - 1.0))
}

fn weighted_rows(p: &ArrayRef2<f64>, pi: &[f64], f: impl Fn(usize, usize) -> f64) -> f64 {
    p.indexed_iter()
        .map(|((i, j), &v)| pi[i] * v * f(i, j))
        .sum()
}

/// Altham's distance between two tables: the size of the difference in their log odds ratios,
/// invariant to row and column margins (Altham 1970; Altham & Ferrie 2007).
///
/// # Formula
/// ```text
/// d(P, Q) = sqrt( sum_{i,l,j,m} ln( p_ij p_lm q_im q_lj / (p_im p_lj q_ij q_lm) )^2 )
///         = 2 k sqrt( sum_ij (lambda^P_ij - lambda^Q_ij)^2 ),  lambda = double-centred ln table
/// ```
/// Counts or probabilities give the same value (margins cancel). `Q` may be of another shape only
/// if it is of the same `r x c` size.
///
/// # Errors
/// Shapes that differ, fewer than 2 rows or columns, a negative or non-finite entry, or a zero
/// cell (the log odds ratio is infinite; add a constant to the counts first if that is wanted).
///
/// # Complexity
/// `O(r c)`.
///
/// # Example
/// ```
/// let p = ndarray::array![[2.0, 1.0], [1.0, 2.0]];
/// let q = ndarray::array![[1.0, 1.0], [1.0, 1.0]];
/// // 2 x 2: d = 2 |ln OR| = 2 ln 4
/// let d = mobility::measures::altham_distance(&p, &q).unwrap();
/// assert!((d - 2.0 * 4f64.ln()).abs() < 1e-12);
/// ```
pub fn altham_distance(p: &ArrayRef2<f64>, q: &ArrayRef2<f64>) -> Result<f64> {
    if p.dim() != q.dim() {
        return Err(MobilityError::Incompatible {
            reason: format!("tables of shapes {:?} and {:?}", p.dim(), q.dim()),
        });
    }
    let lp = double_centred_log(p, crate::error::Parameter::FirstTable)?;
    let lq = double_centred_log(q, crate::error::Parameter::SecondTable)?;
    let (r, c) = p.dim();
    let ss: f64 = lp.iter().zip(&lq).map(|(a, b)| (a - b).powi(2)).sum();
    // sum over (i,l,j,m) of (x_ij + x_lm - x_im - x_lj)^2 = 4 r c sum x^2 for double-centred x
    Ok((4.0 * (r * c) as f64 * ss).sqrt())
}

/// Altham's distance from independence, `d(P, J)` with `J` the all-ones table.
///
/// # Formula
/// ```text
/// d(P, J) = 2 k sqrt( sum_ij lambda_ij^2 ),  lambda = double-centred ln P
/// ```
///
/// # Errors
/// As [`altham_distance`].
///
/// # Complexity
/// `O(k^2)`.
pub fn altham_independence(p: &ArrayRef2<f64>) -> Result<f64> {
    altham_distance(p, &Array2::ones(p.dim()))
}

fn double_centred_log(t: &ArrayRef2<f64>, param: crate::error::Parameter) -> Result<Array2<f64>> {
    let what = param.to_string();
    let (r, c) = t.dim();
    if r < 2 || c < 2 {
        return Err(MobilityError::invalid(
            param,
            "needs at least 2 rows and 2 columns",
        ));
    }
    for ((i, j), &v) in t.indexed_iter() {
        if !v.is_finite() || v <= 0.0 {
            return Err(MobilityError::InvalidEntry {
                what: format!("{what} (Altham's distance needs every cell > 0)"),
                row: i + 1,
                col: j + 1,
                value: v,
            });
        }
    }
    let l = t.mapv(f64::ln);
    let rows = l.mean_axis(Axis(1)).expect("c >= 2");
    let cols = l.mean_axis(Axis(0)).expect("r >= 2");
    let all = l.mean().expect("non-empty");
    Ok(Array2::from_shape_fn((r, c), |(i, j)| {
        l[[i, j]] - rows[i] - cols[j] + all
    }))
}

/// The origin weights `pi` used by the weighted summary measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Parent shares `n_i. / n`: the actual flows (the default).
    #[default]
    ParentShares,
    /// `1/k` for every class (giddy's and igmobil's convention).
    Uniform,
    /// The stationary distribution of `P` (must be unique).
    Stationary,
    /// A user vector (length `k`, non-negative, summing to 1).
    Custom(Vec<f64>),
}

impl std::str::FromStr for Weighting {
    type Err = MobilityError;

    /// `parent` (or `parent_shares`), `uniform`, `stationary`, or comma-separated numbers.
    fn from_str(s: &str) -> Result<Weighting> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "parent" | "parent_shares" | "parents" => Ok(Weighting::ParentShares),
            "uniform" => Ok(Weighting::Uniform),
            "stationary" | "steady_state" => Ok(Weighting::Stationary),
            other => other
                .split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<std::result::Result<Vec<f64>, _>>()
                .map(Weighting::Custom)
                .map_err(|_| {
                    MobilityError::invalid(
                        crate::error::Parameter::Pi,
                        format!(
                            "'{s}': expected parent, uniform, stationary or comma-separated weights"
                        ),
                    )
                }),
        }
    }
}

pub use crate::registry::{Measure, Measures};

/// Canonical matrix measure names, in registry order, with the one-line description of each
/// (from [`crate::registry`]).
pub const MEASURES: &[(&str, &str)] = &{
    let mut out = [("", ""); Measure::ALL.len()];
    let mut i = 0;
    while i < Measure::ALL.len() {
        let info = Measure::ALL[i].info();
        out[i] = (info.name, info.description);
        i += 1;
    }
    out
};

/// A measure's one-line description, by name (matrix or rank measure; [`crate::registry`]).
pub fn describe(name: &str) -> Option<&'static str> {
    crate::registry::lookup(name).map(|i| i.description)
}

/// What the registry's matrix measures are computed from: `P`, its empty rows, the origin
/// weights, and the determinant and eigenvalues (computed once, when first asked for).
pub(crate) struct MatrixInputs<'a> {
    pub(crate) p: &'a Array2<f64>,
    pub(crate) k: usize,
    empty: Vec<usize>,
    /// `pi`, when every row with weight is observed and some observed row carries weight.
    pi: Option<Vec<f64>>,
    det: std::cell::OnceCell<Option<f64>>,
    eig: std::cell::OnceCell<Option<Vec<Complex>>>,
}

impl<'a> MatrixInputs<'a> {
    /// The inputs of `tm` with origin weights `pi` (`None`: the weighted measures are undefined).
    pub(crate) fn new(tm: &'a TransitionMatrix, pi: Option<Vec<f64>>) -> MatrixInputs<'a> {
        let empty = tm.empty_rows();
        let k = tm.k();
        let pi = pi.filter(|pi| {
            empty.iter().all(|&i| pi[i] == 0.0)
                && (0..k).any(|i| pi[i] > 0.0 && !empty.contains(&i))
        });
        MatrixInputs {
            p: tm.probabilities(),
            k,
            empty,
            pi,
            det: std::cell::OnceCell::new(),
            eig: std::cell::OnceCell::new(),
        }
    }

    /// `p_ij` when row `i` is observed.
    pub(crate) fn cell(&self, i: usize, j: usize) -> Option<f64> {
        (!self.empty.contains(&i)).then(|| self.p[[i, j]])
    }

    /// Every row observed.
    pub(crate) fn full(&self) -> bool {
        self.empty.is_empty()
    }

    /// `sum_i pi_i sum_j p_ij f(i, j)` when `pi` is usable.
    pub(crate) fn weighted(&self, f: impl Fn(usize, usize) -> f64) -> Option<f64> {
        self.pi.as_ref().map(|pi| weighted_rows(self.p, pi, f))
    }

    /// `det P` when every row is observed.
    pub(crate) fn determinant(&self) -> Option<f64> {
        *self.det.get_or_init(|| {
            self.full()
                .then(|| linalg::determinant(self.p.view()).ok())
                .flatten()
        })
    }

    /// The eigenvalues of `P` when every row is observed.
    pub(crate) fn eigenvalues(&self) -> Option<&[Complex]> {
        self.eig
            .get_or_init(|| {
                self.full()
                    .then(|| linalg::eigenvalues(self.p.view()).ok())
                    .flatten()
            })
            .as_deref()
    }
}

/// Per-class vectors (`None` for a class with no parents).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassProfile {
    /// `p_ii`.
    pub persistence: Vec<Option<f64>>,
    /// Prais vector `1 - p_ii` (giddy `prais`).
    pub prais: Vec<Option<f64>>,
    /// `sum_{j>i} p_ij`.
    pub upward: Vec<Option<f64>>,
    /// `sum_{j<i} p_ij`.
    pub downward: Vec<Option<f64>>,
    /// Expected generations in the class, `1 / (1 - p_ii)` (giddy `sojourn_time`); infinite when
    /// `p_ii = 1` (JSON `null`).
    pub expected_stay: Vec<Option<f64>>,
}

/// The spectrum and long run of `P`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spectrum {
    /// Eigenvalues, largest modulus first.
    pub eigenvalues: Vec<Complex>,
    /// Their moduli.
    pub abs_eigenvalues: Vec<f64>,
    /// The stationary distribution, when unique.
    pub steady_state: Option<Vec<f64>>,
}

impl TransitionMatrix {
    /// The origin weights `pi` for a [`Weighting`].
    ///
    /// # Errors
    /// `Stationary` when the chain has no unique stationary distribution (or an empty row);
    /// `Custom` of the wrong length, negative, or not summing to 1.
    pub fn origin_weights(&self, weighting: &Weighting) -> Result<Array1<f64>> {
        match weighting {
            Weighting::ParentShares => Ok(self.parent_shares().clone()),
            Weighting::Uniform => Ok(Array1::from_elem(self.k(), 1.0 / self.k() as f64)),
            Weighting::Stationary => markov::stationary_distribution(self.probabilities()),
            Weighting::Custom(v) => Ok(Array1::from(check_shares(
                v,
                self.k(),
                1e-6,
                crate::error::Parameter::OriginWeights,
            )?)),
        }
    }

    /// Every canonical measure, with origin weights `pi` per `weighting`.
    ///
    /// Cell measures need their row observed; the whole-matrix indices (trace, determinant,
    /// eigenvalues, Altham) need every row observed; the weighted shares need every row with
    /// `pi_i > 0` observed; Altham needs every cell positive. Otherwise the measure is `None`.
    ///
    /// # Formula
    /// See each field of [`Measures`] and the plain functions of this module.
    ///
    /// With [`Weighting::Stationary`] on a chain without a unique stationary distribution (a
    /// reducible chain, or an empty row), the weighted measures are `None`; the rest are reported.
    ///
    /// # Errors
    /// A [`Weighting::Custom`] vector of the wrong length, negative, or not summing to 1.
    ///
    /// # Complexity
    /// `O(k^3)`.
    ///
    /// # Example
    /// ```
    /// use mobility::{TransitionMatrix, measures::Weighting};
    /// let tm = TransitionMatrix::from_counts(ndarray::array![[8.0, 2.0], [2.0, 8.0]].view()).unwrap();
    /// let m = tm.measures(&Weighting::ParentShares).unwrap();
    /// assert_eq!(m.bottom_persistence, Some(0.8));
    /// assert!((m.shorrocks_trace.unwrap() - 0.4).abs() < 1e-12);
    /// ```
    pub fn measures(&self, weighting: &Weighting) -> Result<Measures> {
        // A chain without a unique stationary distribution leaves the pi-weighted measures
        // undefined; the others do not depend on pi and are still reported.
        let pi = match (weighting, self.origin_weights(weighting)) {
            (Weighting::Stationary, Err(MobilityError::Undefined { .. })) => None,
            (_, weights) => Some(weights?.to_vec()),
        };
        let inputs = MatrixInputs::new(self, pi);
        Ok(Measures::from_fn(|m| m.evaluate(&inputs)))
    }

    /// Per-class persistence, Prais vector, up and down shares and expected stay.
    ///
    /// # Complexity
    /// `O(k^2)`.
    pub fn class_profile(&self) -> ClassProfile {
        let p = self.probabilities();
        let empty = self.empty_rows();
        let per = |f: &dyn Fn(usize) -> f64| -> Vec<Option<f64>> {
            (0..self.k())
                .map(|i| (!empty.contains(&i)).then(|| f(i)))
                .collect()
        };
        ClassProfile {
            persistence: per(&|i| p[[i, i]]),
            prais: per(&|i| 1.0 - p[[i, i]]),
            upward: per(&|i| p.row(i).iter().skip(i + 1).sum()),
            downward: per(&|i| p.row(i).iter().take(i).sum()),
            expected_stay: per(&|i| {
                let stay = 1.0 - p[[i, i]];
                if stay > 0.0 {
                    1.0 / stay
                } else {
                    f64::INFINITY
                }
            }),
        }
    }

    /// Eigenvalues, their moduli and the stationary distribution (when unique).
    ///
    /// # Errors
    /// [`MobilityError::Undefined`] when a parent class is empty (the matrix is not stochastic),
    /// or the eigenvalue iteration fails.
    ///
    /// # Complexity
    /// `O(k^3)`.
    pub fn spectrum(&self) -> Result<Spectrum> {
        if let Some(&i) = self.empty_rows().first() {
            return Err(MobilityError::Undefined {
                what: "the spectrum".into(),
                reason: format!("parent class {} has no observations", i + 1),
            });
        }
        let eigenvalues = linalg::eigenvalues(self.probabilities().view())?;
        Ok(Spectrum {
            abs_eigenvalues: eigenvalues.iter().map(Complex::modulus).collect(),
            eigenvalues,
            steady_state: markov::stationary_distribution(self.probabilities())
                .ok()
                .map(|s| s.to_vec()),
        })
    }
}
