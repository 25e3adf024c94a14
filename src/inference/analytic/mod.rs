//! Analytic (delta-method) standard errors for cells, measures and per-class vectors.
//!
//! Two sampling models, one gradient code:
//!
//! - [`row_multinomial`]: the class bounds are **known** (fixed bands, or reference cut-offs
//!   treated as known), so given the row totals each row of counts is an independent multinomial:
//!
//!   ```text
//!   Var(p_ij) = p_ij (1 - p_ij) / n_i.     Cov(p_ij, p_il) = -p_ij p_il / n_i.     rows independent
//!   Var(M)    = sum_i [ sum_j p_ij g_ij^2 - (sum_j p_ij g_ij)^2 ] / n_i.,   g_ij = dM/dp_ij
//!   ```
//!
//!   With survey weights the row count `n_i.` is replaced by the row's Kish effective count
//!   `(sum w)^2 / sum w^2` ([`kish_row_counts`]).
//! - [`quantile_copula`]: the classes are **sample quantiles** (cut-offs estimated from the same
//!   data). The quantile matrix is `k` times a rectangle increment of the empirical copula `C_n`,
//!   whose limit is `G(u,v) = B(u,v) - dC/du B(u,1) - dC/dv B(1,v)` (B a C-Brownian bridge;
//!   Rüschendorf 1976, Fermanian, Radulović & Wegkamp 2004). See [`quantile_copula`] for the
//!   influence function this gives and the estimator of the copula derivatives.
//!
//! Gradients `g_ij = dM/dp_ij` (docs/FORMULAS.md#analytic): cells and cell measures are indicator
//! matrices; the trace `-I/(k-1)`; the weighted shares `pi_i c_ij` (with `c_ij` the share's
//! indicator, plus `pi_i (Z r)_j` for stationary weights, Z the fundamental matrix); the
//! determinant `d det / d p_ij = det(P) (P^-1)_ji`; an eigenvalue `d lambda / d p_ij =
//! y_i x_j / (y'x)` with `y`, `x` left and right eigenvectors (inverse iteration in complex
//! arithmetic), and for its modulus `Re(conj(lambda) dlambda) / |lambda|`, so a complex
//! `lambda_2` is handled; Altham's `d(P, J)`: `4 k^2 lambda_ij / (d p_ij)` with `lambda` the
//! double-centred `ln P`; the stationary distribution `d pi*_l / d p_ij = pi*_i Z_jl`. Only the
//! component of `g` within row-sum-preserving directions matters; the variance formulas ignore
//! the rest. Where a gradient does not exist (a singular matrix, a repeated eigenvalue, a second
//! eigenvalue whose modulus ties with another, `d(P, J) = 0`) the standard error is `None` with a
//! note.
//!
//! Files: `mod.rs` (options, results, [`kish_row_counts`], [`row_multinomial`],
//! [`quantile_copula`]), `copula.rs` (the copula-derivative windows and influence values),
//! `gradient.rs` (the gradients of every statistic); eigenvectors come from
//! [`crate::linalg`] (`eigen.rs`).

mod copula;
mod gradient;
#[cfg(test)]
mod tests;

use ndarray::Axis;
use serde::{Deserialize, Serialize};

use super::{Evaluator, Selection, Statistic, check_level, normal_quantile};
use crate::error::{
    MobilityError, Result, check_finite, check_k, check_same_length, check_weights,
};
use crate::matrix::{ClassSpec, TransitionMatrix};
use crate::measures::Weighting;
use crate::quantile::Cutoffs;
use crate::rank::{Rule, fractional_ranks, rank_intervals, sort_key};
use crate::weights::WeightKind;
use copula::{copula_influence, derivative_windows, split_windows};
use gradient::Context;

/// Which sampling model produced the standard errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalyticMethod {
    /// Independent multinomial rows given the row totals (known class bounds).
    RowMultinomial,
    /// The empirical-copula limit (quantile classes with estimated cut-offs).
    EmpiricalCopula,
}

crate::error::named_enum!(AnalyticMethod, Method, "standard-error method", {
    RowMultinomial => "row_multinomial" | "multinomial",
    EmpiricalCopula => "empirical_copula" | "copula" | "quantile_copula",
});

/// The row totals used by [`row_multinomial`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowCounts {
    /// The row sums of the matrix's counts (right for unweighted counts).
    Observed,
    /// Given effective row counts, e.g. Kish's from [`kish_row_counts`] for weighted data.
    Effective(Vec<f64>),
}

/// The bandwidth of the copula-derivative estimator of [`quantile_copula`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Bandwidth {
    /// `h = 0.5 n^(-1/3)`, capped at `1 / (2k)` (see [`quantile_copula`]).
    #[default]
    Auto,
    /// A half-width in rank units, in (0, 1/(2k)].
    Value(f64),
}

/// Options shared by the analytic estimators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticOptions {
    /// Origin weights of the weighted measures.
    pub weighting: Weighting,
    /// Confidence level of the normal intervals.
    pub level: f64,
    /// Which statistics.
    pub selection: Selection,
    /// Bandwidth for [`quantile_copula`] (ignored by [`row_multinomial`]).
    pub bandwidth: Bandwidth,
    /// The tie rule of [`quantile_copula`]'s classes: `midrank` (default) or `split`.
    pub rule: Rule,
    /// What the weights mean: the copula's `n` is `W` for frequency weights, Kish's effective
    /// size for sampling weights (docs/FORMULAS.md#weight-kinds).
    pub weight_kind: WeightKind,
}

impl Default for AnalyticOptions {
    fn default() -> Self {
        AnalyticOptions {
            weighting: Weighting::ParentShares,
            level: 0.95,
            selection: Selection::All,
            bandwidth: Bandwidth::Auto,
            rule: Rule::Midrank,
            weight_kind: WeightKind::Sampling,
        }
    }
}

/// One statistic's analytic standard error and normal interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticEstimate {
    /// What this is.
    pub statistic: Statistic,
    /// Its name.
    pub name: String,
    /// The estimate.
    pub estimate: Option<f64>,
    /// The delta-method standard error.
    pub se: Option<f64>,
    /// `estimate - z se`.
    pub ci_low: Option<f64>,
    /// `estimate + z se`.
    pub ci_high: Option<f64>,
    /// Why the standard error is missing, when it is.
    pub note: Option<String>,
}

/// Analytic standard errors of every selected statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticResult {
    /// The sampling model.
    pub method: AnalyticMethod,
    /// Number of classes.
    pub k: usize,
    /// Confidence level of the intervals.
    pub level: f64,
    /// The (effective) sample size behind the copula variance; `None` for the row model.
    pub effective_n: Option<f64>,
    /// The row counts behind the row-multinomial variance; `None` for the copula model.
    pub row_counts: Option<Vec<f64>>,
    /// The copula-derivative bandwidth used; `None` for the row model.
    pub bandwidth: Option<f64>,
    /// The origin weighting of the weighted measures.
    pub weighting: Weighting,
    /// One entry per statistic.
    pub statistics: Vec<AnalyticEstimate>,
}

impl AnalyticResult {
    /// One statistic by name ([`Statistic::name`]).
    pub fn get(&self, name: &str) -> Option<&AnalyticEstimate> {
        self.statistics.iter().find(|s| s.name == name)
    }
}

/// Kish effective counts per parent class: `(sum_i w)^2 / sum_i w^2` over the units of each class.
///
/// # Formula
/// ```text
/// n_eff,i = (sum_{u in class i} w_u)^2 / sum_{u in class i} w_u^2      (n_i. without weights)
/// ```
/// Source: Kish (1965), *Survey Sampling*, section 11.7.
///
/// # Errors
/// Empty or non-finite status, bad weights.
///
/// # Complexity
/// `O(n log k)`.
///
/// # Example
/// ```
/// use mobility::inference::kish_row_counts;
/// use mobility::quantile::{Closed, Cutoffs};
/// let cuts = Cutoffs::fixed(&[10.0], Closed::Left).unwrap();
/// let n = kish_row_counts(&[1.0, 2.0, 11.0, 12.0], Some(&[1.0, 3.0, 2.0, 2.0]), &cuts).unwrap();
/// assert_eq!(n, vec![16.0 / 10.0, 2.0]);
/// ```
pub fn kish_row_counts(
    parent: &[f64],
    weights: Option<&[f64]>,
    cutoffs: &Cutoffs,
) -> Result<Vec<f64>> {
    check_finite(parent, "parent status")?;
    check_weights(weights, parent.len())?;
    let classes = cutoffs.classify(parent)?;
    let k = cutoffs.k();
    let mut s1 = vec![0.0; k];
    let mut s2 = vec![0.0; k];
    for (u, &c) in classes.iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[u]);
        s1[c as usize - 1] += w;
        s2[c as usize - 1] += w * w;
    }
    Ok(s1
        .iter()
        .zip(&s2)
        .map(|(&a, &b)| if b > 0.0 { a * a / b } else { 0.0 })
        .collect())
}

/// Row-multinomial (known class bounds) delta-method standard errors.
///
/// # Formula
/// ```text
/// Var(M) = sum_i [ sum_j p_ij g_ij^2 - (sum_j p_ij g_ij)^2 ] / n_i.,     g_ij = dM/dp_ij
/// trace:  se = sqrt( sum_i p_ii (1 - p_ii) / n_i. ) / (k - 1)
/// ```
/// Conditional on the row totals, so parent-share weights `pi_i = n_i./n` are fixed; stationary
/// weights carry their own derivative. Gradients: see the module documentation.
///
/// # Errors
/// [`RowCounts::Observed`] for a matrix without counts (a published probability table: give
/// effective counts), effective counts of the wrong length or negative or not finite, a level
/// outside (0, 1), an invalid custom weighting, an unknown statistic name.
///
/// # Complexity
/// `O(k^3)` per statistic needing `P^-1` or eigenvectors (computed once), `O(k^2)` otherwise.
///
/// # Example
/// ```
/// use mobility::inference::{row_multinomial, AnalyticOptions, RowCounts};
/// use mobility::TransitionMatrix;
/// let tm = TransitionMatrix::from_counts(ndarray::array![[60.0, 40.0], [30.0, 70.0]].view()).unwrap();
/// let r = row_multinomial(&tm, &RowCounts::Observed, &AnalyticOptions::default()).unwrap();
/// let p11 = r.get("p_1_1").unwrap().se.unwrap();
/// assert!((p11 - (0.6f64 * 0.4 / 100.0).sqrt()).abs() < 1e-15);
/// let trace = r.get("shorrocks_trace").unwrap().se.unwrap();
/// assert!((trace - (0.6f64 * 0.4 / 100.0 + 0.7 * 0.3 / 100.0).sqrt()).abs() < 1e-15);
/// ```
pub fn row_multinomial(
    tm: &TransitionMatrix,
    rows: &RowCounts,
    options: &AnalyticOptions,
) -> Result<AnalyticResult> {
    check_level(options.level)?;
    let k = tm.k();
    let n_i: Vec<f64> = match rows {
        RowCounts::Observed => match &tm.counts() {
            Some(c) => c.sum_axis(Axis(1)).to_vec(),
            None => {
                return Err(MobilityError::invalid(
                    crate::error::Parameter::RowCounts,
                    "the matrix has no counts (a probability table); pass effective row counts",
                ));
            }
        },
        RowCounts::Effective(v) => {
            check_same_length(k, v.len(), "effective row counts")?;
            check_finite(v, "effective row counts")?;
            if let Some((i, &x)) = v.iter().enumerate().find(|(_, x)| **x < 0.0) {
                return Err(MobilityError::invalid(
                    crate::error::Parameter::EffectiveRowCounts,
                    format!("entry {} is negative ({x})", i + 1),
                ));
            }
            v.clone()
        }
    };
    let p = tm.probabilities();
    let statistics = delta_method(tm, options, |g| {
        let mut v = 0.0;
        for i in 0..k {
            let (mut m1, mut m2) = (0.0, 0.0);
            for j in 0..k {
                m1 += p[[i, j]] * g[[i, j]];
                m2 += p[[i, j]] * g[[i, j]] * g[[i, j]];
            }
            let vi = (m2 - m1 * m1).max(0.0);
            if vi > 0.0 {
                if n_i[i] <= 0.0 {
                    return Err(format!("parent class {} has no observations", i + 1));
                }
                v += vi / n_i[i];
            }
        }
        Ok(v)
    })?;
    Ok(AnalyticResult {
        method: AnalyticMethod::RowMultinomial,
        k,
        level: options.level,
        effective_n: None,
        row_counts: Some(n_i),
        bandwidth: None,
        weighting: options.weighting.clone(),
        statistics,
    })
}

/// Standard errors of the quantile matrix that account for the estimated cut-offs (the
/// empirical-copula limit), with `midrank` quantile classes.
///
/// # Formula
/// With `u_a = a/k`, `v_b = b/k`, joint cell shares `q_ij`, row shares `q_i.` and
/// `G_ab = g_ab / q_a.` (`g = dM/dP`), the influence of a unit in cell `(i, j)` on `M` is
///
/// ```text
/// f(i, j) = G_ij + sum_{a=i}^{k-1} c_a + sum_{b=j}^{k-1} d_b
/// c_a = sum_b (G_{a+1,b} - G_{a,b}) alpha_a(b),   alpha_a(b) = P(child class b | parent rank u_a)
/// d_b = sum_a (G_{a,b+1} - G_{a,b}) beta_b(a),    beta_b(a)  = P(parent class a | child rank v_b)
/// n Var(M) = sum_ij q_ij f(i,j)^2 - (sum_ij q_ij f(i,j))^2
/// ```
///
/// This is the rectangle increment of `G(u,v) = B(u,v) - dC/du B(u,1) - dC/dv B(1,v)`:
/// `alpha_a(b) = dC/du(u_a, v_b) - dC/du(u_a, v_{b-1})`, `beta_b(a)` likewise in `v`. Under
/// independence `n Var(p_ab) = (1 - 1/k)^2` (against the naive `1 - 1/k`).
///
/// The copula derivatives are estimated by finite differences of the empirical copula: `alpha_a`
/// is the (weighted) distribution of child classes among units whose parent mid-rank lies within
/// `h` of `u_a`, `beta_b` likewise with the roles swapped. `h = 0.5 n^(-1/3)` by default, capped
/// at `1/(2k)` so that a window never reaches past the neighbouring cut. With weights, `n` is the
/// Kish effective size `(sum w)^2 / sum w^2` (sampling weights) or `W = sum w` (frequency
/// weights, [`AnalyticOptions::weight_kind`]). The theory assumes continuous status (no ties).
///
/// With [`Rule::Split`] ([`AnalyticOptions::rule`]) the classes are the fractional `split`
/// memberships, and the derivative windows spread each unit uniformly over its tie group's rank
/// interval (the distributional transform: ties broken at random), so a unit counts in a window
/// with the share of its interval inside it and in each class with its membership. This treats
/// the data as continuous status whose ties were broken at random; under heavy ties (a large
/// share of zeros) the standard errors are an approximation, and the bootstrap is the safer
/// choice.
///
/// # Errors
/// As [`TransitionMatrix::from_status`]; a level outside (0, 1); a bandwidth outside
/// (0, 1/(2k)]; a derivative window holding no unit; an invalid weighting or statistic name.
///
/// # Complexity
/// Two sorts (`O(n log n)`), then `O(n + k^2)` per statistic.
///
/// # Example
/// ```
/// use mobility::inference::{quantile_copula, AnalyticOptions};
/// // 2,000 independent pairs: n Var(p_11) is about (1 - 1/k)^2, not 1 - 1/k
/// let n = 2000;
/// let parent: Vec<f64> = (0..n).map(|i| i as f64).collect();
/// let child: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64).collect();
/// let r = quantile_copula(&parent, &child, None, 4, &AnalyticOptions::default()).unwrap();
/// let se = r.get("p_1_1").unwrap().se.unwrap();
/// assert!((se * (n as f64).sqrt() - 0.75).abs() < 0.1);
/// ```
pub fn quantile_copula(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    k: usize,
    options: &AnalyticOptions,
) -> Result<AnalyticResult> {
    check_level(options.level)?;
    check_k(k)?;
    let rule = options.rule;
    if !matches!(rule, Rule::Midrank | Rule::Split) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::Rule,
            format!(
                "the empirical-copula standard errors need midrank or split classes, not {rule}"
            ),
        ));
    }
    let tm =
        TransitionMatrix::from_status(parent, child, weights, &ClassSpec::Quantiles { k, rule })?;
    let kf = k as f64;
    let h_max = 0.5 / kf;
    check_weights(weights, parent.len())?;
    let n_eff = options.weight_kind.sample_size(weights, parent.len());
    let h = match options.bandwidth {
        Bandwidth::Auto => (0.5 * n_eff.powf(-1.0 / 3.0)).min(h_max),
        Bandwidth::Value(h) => {
            if !(h > 0.0 && h <= h_max) {
                return Err(MobilityError::invalid(
                    crate::error::Parameter::Bandwidth,
                    format!("{h} is outside (0, 1/(2k)] = (0, {h_max}]"),
                ));
            }
            h
        }
    };
    let (alpha, beta) = if rule == Rule::Split {
        let (pi, ci) = rayon::join(
            || rank_intervals(parent, weights),
            || rank_intervals(child, weights),
        );
        let (pi, ci) = (pi?, ci?);
        let ps = tm.parent_cutoffs().expect("from status").splitter();
        let cs = tm.child_cutoffs().expect("from status").splitter();
        let pslot: Vec<usize> = parent.iter().map(|&x| ps.slot(sort_key(x))).collect();
        let cslot: Vec<usize> = child.iter().map(|&x| cs.slot(sort_key(x))).collect();
        (
            split_windows(&pi, &cslot, &cs, weights, k, h)?,
            split_windows(&ci, &pslot, &ps, weights, k, h)?,
        )
    } else {
        let (pr, cr) = rayon::join(
            || fractional_ranks(parent, weights),
            || fractional_ranks(child, weights),
        );
        let (pr, cr) = (pr?, cr?);
        let pcl = tm
            .parent_cutoffs()
            .as_ref()
            .expect("from status")
            .classify(parent)?;
        let ccl = tm
            .child_cutoffs()
            .as_ref()
            .expect("from status")
            .classify(child)?;
        (
            derivative_windows(&pr, &ccl, weights, k, h)?,
            derivative_windows(&cr, &pcl, weights, k, h)?,
        )
    };

    let q = tm.joint();
    let rows = tm.parent_shares();
    let statistics = delta_method(&tm, options, |g| {
        let f = copula_influence(g, rows, &alpha, &beta)?;
        let m1: f64 = q.iter().zip(&f).map(|(q, f)| q * f).sum();
        let m2: f64 = q.iter().zip(&f).map(|(q, f)| q * f * f).sum();
        Ok((m2 - m1 * m1).max(0.0) / n_eff)
    })?;
    Ok(AnalyticResult {
        method: AnalyticMethod::EmpiricalCopula,
        k,
        level: options.level,
        effective_n: Some(n_eff),
        row_counts: None,
        bandwidth: Some(h),
        weighting: options.weighting.clone(),
        statistics,
    })
}

/// Every selected statistic of `tm` with its delta-method standard error and normal interval at
/// `options.level`: `variance` maps a statistic's gradient to the variance of its estimate (the
/// part that differs between the estimators), or says why there is none.
fn delta_method(
    tm: &TransitionMatrix,
    options: &AnalyticOptions,
    variance: impl Fn(&ndarray::Array2<f64>) -> std::result::Result<f64, String>,
) -> Result<Vec<AnalyticEstimate>> {
    let k = tm.k();
    let ctx = Context::new(tm, &options.weighting)?;
    let stats = options.selection.resolve(k)?;
    let evaluator = Evaluator::new(k, options.weighting.clone(), stats);
    let estimates = evaluator.eval_matrix(tm);
    let z = z_value(options.level);
    Ok(evaluator
        .stats
        .iter()
        .zip(estimates)
        .map(|(s, est)| {
            let var = ctx.gradient(s).and_then(|g| variance(&g));
            estimate_entry(s, est, var, z)
        })
        .collect())
}

fn z_value(level: f64) -> f64 {
    normal_quantile(0.5 + level / 2.0).expect("level checked in (0, 1)")
}

fn estimate_entry(
    s: &Statistic,
    estimate: Option<f64>,
    var: std::result::Result<f64, String>,
    z: f64,
) -> AnalyticEstimate {
    let (se, note) = match (estimate, var) {
        (None, _) => (None, Some("undefined for this matrix".to_string())),
        (Some(_), Ok(v)) => (Some(v.sqrt()), None),
        (Some(_), Err(reason)) => (None, Some(reason)),
    };
    let ci = estimate.zip(se).map(|(e, s)| (e - z * s, e + z * s));
    AnalyticEstimate {
        statistic: s.clone(),
        name: s.name(),
        estimate,
        se,
        ci_low: ci.map(|c| c.0),
        ci_high: ci.map(|c| c.1),
        note,
    }
}
