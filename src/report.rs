//! The library's outputs, as serde types: [`Report`] (one transition matrix: what `table` and
//! `published` print with `--json`) and [`AnalysisReport`] (a matrix from paired status with its
//! rank measures, bootstrap inference and hints: what `analyze --json` prints and Python's
//! `.report()` returns). Group and place tables are [`crate::places::groups::GroupTable`] and
//! [`crate::places::report::PlacesReport`]. The text renderers of [`crate::render`] read these.

use serde::{Deserialize, Serialize};

use crate::error::{Result, Side};
use crate::inference::{BootstrapResult, BootstrapSettings, EstimateTable};
use crate::matrix::TransitionMatrix;
use crate::measures::{ClassProfile, Measures, Weighting};
use crate::quantile::{TieSpan, tie_spans};
use crate::rank::Rule;
use crate::rankbased::RankMobility;
use crate::serde_nd;
use crate::weights::{WeightInfo, WeightKind};

/// A matrix from paired status with everything computed from the same pairs: the matrix
/// [`Report`] (its keys at the top level), the rank and income measures, and optionally the
/// bootstrap (estimates by measure and the settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisReport {
    /// The matrix report; its keys are the top-level keys of the JSON object.
    #[serde(flatten)]
    pub report: Report,
    /// Rank and income measures (`null` when undefined: every parent has the same status).
    pub rank_measures: Option<RankMobility>,
    /// Why the rank measures are undefined, when they are (for the text; not serialised).
    #[serde(skip)]
    pub rank_note: Option<String>,
    /// Bootstrap estimate, SE and interval of each measure, when a bootstrap was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<EstimateTable>,
    /// The bootstrap's settings, when one was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapSettings>,
    /// Bootstrap estimate, SE and interval of each rank and income measure
    /// ([`crate::inference::rank_bootstrap`]), when one was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_inference: Option<EstimateTable>,
    /// Tie groups whose rank interval crosses a class boundary ([`crate::quantile::tie_spans`]),
    /// parent then child; empty when none does; `None` (no key) when not computed: a table, or
    /// a file streamed because its rows exceed the memory limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tie_spans: Option<Vec<TieSpan>>,
    /// The weights and what they mean (`None` without weights).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightInfo>,
}

impl AnalysisReport {
    /// Puts the matrix report, the rank measures (or why they are undefined) and the bootstrap
    /// together.
    pub fn new(
        report: Report,
        rank_measures: Result<RankMobility>,
        bootstrap: Option<&BootstrapResult>,
    ) -> AnalysisReport {
        let (rank_measures, rank_note) = match rank_measures {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.to_string())),
        };
        AnalysisReport {
            report,
            rank_measures,
            rank_note,
            inference: bootstrap.map(BootstrapResult::estimates),
            bootstrap: bootstrap.map(BootstrapResult::settings),
            rank_inference: None,
            tie_spans: None,
            weights: None,
        }
    }

    /// Names the weights and their kind in the report.
    pub fn with_weights(mut self, weights: Option<&[f64]>, kind: WeightKind) -> AnalysisReport {
        self.weights = weights.map(|w| WeightInfo::new(w, kind));
        self
    }

    /// Adds the tie-span diagnostics of the parent and child status the matrix was built from
    /// (classes from `tm`'s cut-offs under `rule`); nothing when `tm` has no cut-offs.
    ///
    /// # Errors
    /// As [`crate::quantile::tie_spans`].
    ///
    /// # Complexity
    /// One pass per side, `O(n log k)` ([`crate::quantile::tie_spans`]).
    pub fn with_tie_spans(
        mut self,
        tm: &TransitionMatrix,
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        rule: Rule,
    ) -> Result<AnalysisReport> {
        let mut spans = Vec::new();
        for (side, values, cuts) in [
            (Side::Parent, parent, tm.parent_cutoffs()),
            (Side::Child, child, tm.child_cutoffs()),
        ] {
            if let Some(c) = cuts {
                spans.extend(tie_spans(values, weights, c, rule, side)?);
            }
        }
        self.tie_spans = Some(spans);
        Ok(self)
    }
}

/// Everything about a matrix a reader needs, with stable key names (docs/FORMULAS.md#measures-table names for the
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
    /// Rule `split`: for each parent cut-off, the fraction of the tie group at that value that
    /// belongs to the classes at or below the boundary (`None` for a cut between values).
    /// Present only when some boundary falls inside a tie group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_cutoff_splits: Option<Vec<Option<f64>>>,
    /// The same for the child cut-offs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_cutoff_splits: Option<Vec<Option<f64>>>,
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
            parent_cutoff_splits: self.parent_cutoffs().and_then(split_fractions),
            child_cutoff_splits: self.child_cutoffs().and_then(split_fractions),
        })
    }
}

/// The split fractions of a set of cut-offs, when any boundary falls inside a tie group.
fn split_fractions(c: &crate::quantile::Cutoffs) -> Option<Vec<Option<f64>>> {
    c.has_split()
        .then(|| c.cuts().iter().map(|cut| cut.split).collect())
}
