//! One serialisable summary of a transition matrix: what the CLI prints with `--json` and what
//! the Python `to_dict()` of a report returns.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::matrix::TransitionMatrix;
use crate::measures::{ClassProfile, Measures, Weighting};
use crate::serde_nd;

/// Everything about a matrix a reader needs, with stable key names (FORMULAS.md names for the
/// measures; `null` where a value is undefined).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Number of classes.
    pub k: usize,
    /// Total weight, `null` for a probability table.
    pub n: Option<f64>,
    /// Weighted joint counts, `null` when unknown.
    #[serde(with = "serde_nd::option_matrix")]
    pub counts: Option<ndarray::Array2<f64>>,
    /// Row-stochastic `P`, parents in rows.
    #[serde(with = "serde_nd::matrix")]
    pub matrix: ndarray::Array2<f64>,
    /// Parent shares.
    #[serde(with = "serde_nd::vector")]
    pub parent_shares: ndarray::Array1<f64>,
    /// Child shares.
    #[serde(with = "serde_nd::vector")]
    pub child_shares: ndarray::Array1<f64>,
    /// The origin weighting the measures used.
    pub pi: Weighting,
    /// Every canonical measure.
    pub measures: Measures,
    /// Per-class vectors.
    pub class_profile: ClassProfile,
    /// The stationary distribution, when unique.
    pub steady_state: Option<Vec<f64>>,
    /// Moduli of the eigenvalues, largest first (`null` with an empty parent class).
    pub abs_eigenvalues: Option<Vec<f64>>,
    /// One-based parent classes with no observations.
    pub empty_parent_classes: Vec<usize>,
    /// One-based child classes nobody reached.
    pub empty_child_classes: Vec<usize>,
    /// Parent cut-offs in status units, when built from status.
    pub parent_cutoffs: Option<Vec<f64>>,
    /// Child cut-offs in status units, when built from status.
    pub child_cutoffs: Option<Vec<f64>>,
}

impl TransitionMatrix {
    /// The full [`Report`] of this matrix, measures weighted per `weighting`.
    ///
    /// # Errors
    /// As [`TransitionMatrix::measures`].
    ///
    /// # Complexity
    /// `O(k^3)`.
    ///
    /// # Example
    /// ```
    /// let r = mobility::published::us_chetty_2014_quintiles().report(&Default::default()).unwrap();
    /// let json = serde_json::to_value(&r).unwrap();
    /// assert_eq!(json["k"], 5);
    /// assert!(json["counts"].is_null());
    /// assert!(json["measures"]["shorrocks_trace"].is_number());
    /// ```
    pub fn report(&self, weighting: &Weighting) -> Result<Report> {
        let measures = self.measures(weighting)?;
        let spectrum = self.spectrum().ok();
        Ok(Report {
            k: self.k(),
            n: self.n(),
            counts: self.counts().cloned(),
            matrix: self.probabilities().clone(),
            parent_shares: self.parent_shares().clone(),
            child_shares: self.child_shares().clone(),
            pi: weighting.clone(),
            measures,
            class_profile: self.class_profile(),
            steady_state: spectrum.as_ref().and_then(|s| s.steady_state.clone()),
            abs_eigenvalues: spectrum.map(|s| s.abs_eigenvalues),
            empty_parent_classes: self.empty_rows().iter().map(|i| i + 1).collect(),
            empty_child_classes: self.empty_columns().iter().map(|i| i + 1).collect(),
            parent_cutoffs: self.parent_cutoffs().as_ref().map(|c| c.values()),
            child_cutoffs: self.child_cutoffs().as_ref().map(|c| c.values()),
        })
    }
}
