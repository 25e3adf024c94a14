//! Panels: `T >= 2` periods of the same units (docs/FORMULAS.md#panels).
//!
//! ```text
//! n_ij(t) = sum_u w_u [class_t(u) = i] [class_{t+1}(u) = j]      per-transition counts, t = 0..T-2
//! n_ij    = sum_t n_ij(t)                                          pooled (giddy's Markov on a panel)
//! ```
//!
//! Each period is classified on its own distribution (quantiles under the rule, `split`
//! memberships multiplying), or against given cut-offs. The pooled matrix is the estimate of a
//! time-homogeneous first-order chain (Anderson & Goodman 1957), which the
//! [time-homogeneity test](crate::inference::homogeneity) checks on the `T - 1` tables.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Parameter, Result, check_same_length};
use crate::inference::{HomogeneityTest, homogeneity};
use crate::matrix::{ClassSpec, TransitionCounts, TransitionMatrix};
use crate::measures::Weighting;
use crate::report::Report;
use crate::weights::{WeightInfo, WeightKind};

/// A panel's pooled and per-transition matrices and the test of time homogeneity.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The pooled matrix (counts summed over the `T - 1` transitions).
    pub pooled: TransitionMatrix,
    /// The matrix of each transition `t -> t + 1`.
    pub transitions: Vec<TransitionMatrix>,
    /// The Anderson-Goodman test that every transition has the same `P` (`None` with `T = 2`
    /// or when it has no degrees of freedom; see `homogeneity_note`).
    pub homogeneity: Option<HomogeneityTest>,
    /// Why the test is missing, or how the counts were scaled for it.
    pub homogeneity_note: Option<String>,
}

impl Panel {
    /// The panel of `periods` (one slice per period, in time order, the same units in the same
    /// order) under `spec`, with optional weights of the units and their kind.
    ///
    /// # Formula
    /// ```text
    /// n_ij(t) = sum_u w_u f_t,u(i) f_t+1,u(j)      n_ij = sum_t n_ij(t)
    /// G   = 2 sum_t sum_ij n_ij(t) ln(p_ij(t) / p_ij)        X^2 = sum_t sum_ij n_i.(t) (p_ij(t) - p_ij)^2 / p_ij
    /// df  = sum_i (#{t : n_i.(t) > 0} - 1) (#{j : n_ij > 0} - 1)
    /// ```
    /// The test needs counts: with sampling weights every table is scaled by `n_eff / W`
    /// (Kish's effective size over the total weight, a design-effect correction in the spirit
    /// of Rao & Scott 1981), and the note says so; frequency weights are counts as they stand.
    /// Source: Anderson & Goodman (1957), "Statistical inference about Markov chains", Ann.
    /// Math. Statist. 28(1); giddy's `Markov` pools the same way.
    ///
    /// # Errors
    /// Fewer than two periods, periods of different lengths, and every error of
    /// [`TransitionCounts::from_status`].
    ///
    /// # Complexity
    /// `T - 1` matrices, each `O(n)` (`O(n log n)` never needed), plus `O(T k^2)`.
    ///
    /// # Example
    /// ```
    /// use mobility::{ClassSpec, panel::Panel, WeightKind};
    /// let t0 = [1.0, 2.0, 3.0, 4.0];
    /// let t1 = [2.0, 1.0, 3.0, 4.0];
    /// let t2 = [1.0, 2.0, 4.0, 3.0];
    /// let p = Panel::new(&[&t0, &t1, &t2], None, WeightKind::Sampling, &ClassSpec::quantiles(2))
    ///     .unwrap();
    /// assert_eq!(p.transitions.len(), 2);
    /// assert_eq!(p.pooled.counts().unwrap().sum(), 8.0);
    /// ```
    pub fn new(
        periods: &[&[f64]],
        weights: Option<&[f64]>,
        kind: WeightKind,
        spec: &ClassSpec,
    ) -> Result<Panel> {
        if periods.len() < 2 {
            return Err(MobilityError::invalid(
                Parameter::Periods,
                format!(
                    "{} period(s); a panel needs at least 2 (T - 1 >= 1 transitions)",
                    periods.len()
                ),
            ));
        }
        for p in &periods[1..] {
            check_same_length(periods[0].len(), p.len(), "period")?;
        }
        let counts: Vec<TransitionCounts> = periods
            .windows(2)
            .map(|w| TransitionCounts::from_status(w[0], w[1], weights, spec))
            .collect::<Result<_>>()?;
        let k = counts[0].k();
        let mut pooled = Array2::<f64>::zeros((k, k));
        for c in &counts {
            pooled += &c.counts();
        }
        let transitions: Vec<TransitionMatrix> = counts.iter().map(|c| c.to_matrix()).collect();
        let pooled = TransitionMatrix::from_counts(pooled.view())?;
        let (homogeneity, homogeneity_note) = if counts.len() < 2 {
            (
                None,
                Some("two periods give one transition: nothing to test".to_string()),
            )
        } else {
            let scale = match (weights, kind) {
                (Some(w), WeightKind::Sampling) => {
                    let info = WeightInfo::new(w, kind);
                    Some(info.sample_size / info.total)
                }
                _ => None,
            };
            let tables: Vec<Array2<f64>> = counts
                .iter()
                .map(|c| c.counts().mapv(|x| x * scale.unwrap_or(1.0)))
                .collect();
            let views: Vec<_> = tables.iter().map(|t| t.view()).collect();
            match homogeneity(&views) {
                Ok(t) => (
                    Some(t),
                    scale.map(|s| {
                        format!(
                            "sampling weights: the counts were scaled by n_eff / W = {s:.4} \
                             (Kish) for the test"
                        )
                    }),
                ),
                Err(e) => (None, Some(format!("time homogeneity: {e}"))),
            }
        };
        Ok(Panel {
            pooled,
            transitions,
            homogeneity,
            homogeneity_note,
        })
    }

    /// The panel as one serde record: the pooled [`Report`] (flattened: `k`, `n`, `counts`,
    /// `matrix`, `measures`, ...), then `periods`, `transitions` (one report per transition)
    /// and `time_homogeneity`.
    ///
    /// # Errors
    /// An invalid `weighting` for these matrices.
    ///
    /// # Complexity
    /// `O(T k^3)`.
    pub fn report(&self, names: &[String], weighting: &Weighting) -> Result<PanelReport> {
        Ok(PanelReport {
            pooled: self.pooled.report(weighting)?,
            periods: names.to_vec(),
            transitions: self
                .transitions
                .iter()
                .enumerate()
                .map(|(t, m)| {
                    Ok(TransitionReport {
                        from: names.get(t).cloned().unwrap_or_else(|| t.to_string()),
                        to: names
                            .get(t + 1)
                            .cloned()
                            .unwrap_or_else(|| (t + 1).to_string()),
                        report: m.report(weighting)?,
                    })
                })
                .collect::<Result<_>>()?,
            time_homogeneity: self.homogeneity.clone(),
            time_homogeneity_note: self.homogeneity_note.clone(),
            weights: None,
        })
    }
}

/// One transition of a panel: its periods and its matrix report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionReport {
    /// The origin period's name.
    pub from: String,
    /// The destination period's name.
    pub to: String,
    /// The transition's matrix.
    #[serde(flatten)]
    pub report: Report,
}

/// What `analyze --periods ... --json` prints: the pooled matrix's report with the panel's parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelReport {
    /// The pooled matrix.
    #[serde(flatten)]
    pub pooled: Report,
    /// The period names, in time order.
    pub periods: Vec<String>,
    /// Each transition's matrix.
    pub transitions: Vec<TransitionReport>,
    /// The test of time homogeneity (Anderson & Goodman 1957).
    pub time_homogeneity: Option<HomogeneityTest>,
    /// Why the test is missing, or how the counts were scaled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_homogeneity_note: Option<String>,
    /// The weights and their kind (`None` without weights).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightInfo>,
}
