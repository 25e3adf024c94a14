//! Inference for rank-rank regressions whose ranks are estimated (Chetverikov & Wilhelm 2023).
//!
//! ```text
//! R^X_i, R^Y_i  national (whole-sample) weighted mid-ranks, in (0, 1)  (crate::rank convention)
//! group g:      R^Y_i = a_g + rho_g R^X_i + e_i  by weighted OLS on the members of g
//!               intercept reported as 100 a_g (0-100 scale), like rankbased::rank_mobility
//! theta_hat_k - theta_k ~ sum_i omega_i psi_ik,   omega_i = w_i / W
//! psi_ik = (h1_ik + h2_ik + h3_ik) / s_k
//! h1_ik  = nu_ik e_i                                                     OLS score
//! h2_ik  = m_k + sum_j omega_j [(I(R^Y_i, R^Y_j) - R^Y_j) - rho_g (I(R^X_i, R^X_j) - R^X_j)] nu_jk
//! h3_ik  = m_k + M_{r(g),k} sum_j omega_j (I(R^X_i, R^X_j) - R^X_j) e_j       j in g
//! I(a, b) = 1{a < b} + 1{a = b} / 2,   s_k = sum_j omega_j nu_jk^2,   m_k = sum_j omega_j nu_jk e_j
//! nu_slope = R^X - mean_g R^X,   nu_intercept = 1 - R^X S1/S2,   M_{r,slope} = 1, M_{r,int} = -S1/S2
//! (S0, S1, S2 = sum over g of omega, omega R^X, omega R^X^2)
//! Var(theta_hat) = sum_i kappa_i psi_i psi_i'    kappa_i = omega_i^2 (sampling weights, and
//!                                                omega_i = 1/n without weights) or omega_i / W
//!                                                (frequency weights)
//! ```
//!
//! With mid-ranks, `sum_i omega_i I(R_i, R_j) = R_j` exactly (the crate's ranks are the
//! weighted mean of the comparison kernel with `omega = 1/2`), so the rank-estimation terms
//! average to zero. The `i` in `h2`, `h3` runs over the **whole** sample: a unit in one group
//! moves the national ranks of every other group's members, which is what correlates the
//! groups' estimates.

// Index loops over coefficients (a, b) mirror the matrix algebra.
#![allow(clippy::needless_range_loop)]

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result, check_finite, check_same_length, check_weights};
use crate::rank::fractional_ranks;

/// How weights enter the variance (the estimates are the same either way): the crate's one
/// `crate::weights::WeightKind`. Sampling (probability) weights give
/// `Var = sum_i (w_i / W)^2 psi_i psi_i'`, invariant to rescaling the weights (the linearisation
/// variance of a weighted estimator); frequency weights, a unit with weight `w` standing for `w`
/// identical units, give `Var = sum_i w_i psi_i psi_i' / W^2` (the same as listing each unit `w`
/// times).
pub use crate::weights::WeightKind;

/// Options of [`rank_rank_regression`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankRankOptions {
    /// How weights enter the variance.
    pub weight_kind: WeightKind,
    /// Compute the full covariance of all groups' coefficients (`O(n G^2)` time, `16 n G` bytes)
    /// instead of only the per-coefficient variances (`O(n G)` time, `O(n)` memory per thread).
    pub covariance: bool,
}

impl Default for RankRankOptions {
    fn default() -> Self {
        RankRankOptions {
            weight_kind: WeightKind::Sampling,
            covariance: true,
        }
    }
}

/// One group's rank-rank regression (one row for the whole sample without groups).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankRankRow {
    /// Group code (0 without groups).
    pub group: usize,
    /// Members.
    pub n: usize,
    /// Their total weight.
    pub total_weight: f64,
    /// Slope of child rank on parent rank.
    pub slope: f64,
    /// Intercept on the 0-100 scale.
    pub intercept: f64,
    /// Standard error of the slope accounting for estimated ranks (Chetverikov & Wilhelm).
    pub slope_se: f64,
    /// Standard error of the intercept (0-100 scale), accounting for estimated ranks.
    pub intercept_se: f64,
    /// Naive OLS standard error of the slope (ranks treated as data; homoskedastic, pooled
    /// residual variance with `n - 2G` degrees of freedom, as `lm` on the ranks).
    pub slope_se_naive: f64,
    /// Naive OLS standard error of the intercept (0-100 scale).
    pub intercept_se_naive: f64,
    /// Heteroskedasticity-robust (HC0) standard error of the slope, ranks treated as data.
    pub slope_se_hc: f64,
    /// HC0 standard error of the intercept (0-100 scale).
    pub intercept_se_hc: f64,
}

/// Rank-rank regressions with valid standard errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankRankRegression {
    /// Sample size.
    pub n: usize,
    /// Total weight.
    pub total_weight: f64,
    /// How weights entered the variance.
    pub weight_kind: WeightKind,
    /// One row per group, by group code.
    pub rows: Vec<RankRankRow>,
    /// Covariance of `(intercept_0, slope_0, intercept_1, slope_1, ...)` (intercepts on the
    /// 0-100 scale) when requested; rows of this nested vector are matrix rows.
    pub covariance: Option<Vec<Vec<f64>>>,
}

/// Per-group least-squares pieces.
struct Fit {
    members: Vec<usize>,
    weight: f64,
    s0: f64,
    s1: f64,
    s2: f64,
    xbar: f64,
    slope: f64,
    intercept: f64,
}

/// Indices in ascending order of `r` and the sorted values (read sequentially by the passes).
fn order_of(r: &[f64]) -> (Vec<u32>, Vec<f64>) {
    let mut o: Vec<(f64, u32)> = r.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    o.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    o.into_iter().map(|(v, i)| (i, v)).unzip()
}

/// `D(i) = sum_j (I(r_i, r_j) - r_j) c_j` for all i, written (added, times `scale`) into `out`.
/// `sorted = (order, values)` from [`order_of`].
fn kernel_pass(r: &[f64], sorted: &(Vec<u32>, Vec<f64>), c: &[f64], scale: f64, out: &mut [f64]) {
    let (order, vals) = sorted;
    let rc: f64 = r.iter().zip(c).map(|(a, b)| a * b).sum();
    let n = order.len();
    let mut above = 0.0; // sum of c_j with r_j > current block
    let mut end = n;
    while end > 0 {
        let v = vals[end - 1];
        let mut start = end - 1;
        while start > 0 && vals[start - 1] == v {
            start -= 1;
        }
        let block: f64 = order[start..end].iter().map(|&i| c[i as usize]).sum();
        let s = above + 0.5 * block - rc;
        for &i in &order[start..end] {
            out[i as usize] += scale * s;
        }
        above += block;
        end = start;
    }
}

/// Rank-rank regression slope and intercept with standard errors that account for the ranks
/// being estimated, for the whole sample or per group on national ranks (Chetverikov & Wilhelm
/// 2023), with the naive OLS and HC0 standard errors beside them.
///
/// # Formula
/// ```text
/// ranks: national weighted mid-ranks (W(x < x_i) + W(x = x_i)/2) / W of parent and child
/// per group g: slope_g, a_g by weighted OLS; intercept_g = 100 a_g
/// Var(theta_hat) = sum_i kappa_i psi_i psi_i',  psi as in the module docs (h1 + h2 + h3) / s_k
/// naive: sigma^2 (Z'W~Z)^-1, sigma^2 = sum w~ e^2 / (n - 2G), w~ = w n / W;  HC0: h1 alone
/// ```
/// Without groups this is the regression `rankbased::rank_mobility` reports (same slope and
/// intercept); with groups each row matches `rankbased::rank_mobility_national` on the group.
///
/// # Errors
/// Empty input, lengths that differ, NaN or infinite status, bad weights; group codes of
/// another length; a group code with no members, or a group whose members all have the same
/// parent rank ([`MobilityError::Undefined`]).
///
/// # Complexity
/// Two sorts (`O(n log n)`), then `5 G` linear passes (`O(n G)`), plus `O(n G^2)` for the full
/// covariance; memory `O(n)` (`16 n G` bytes more with the covariance). Parallel over groups and
/// chunks; the result does not depend on the number of threads.
///
/// # Source
/// Chetverikov & Wilhelm (2023), "Inference for rank-rank regressions", arXiv:2310.15512
/// (Theorem on the asymptotic distribution; the grouped design with pooled ranks as in the R
/// package csranks' `lmranks`, without its level-order bug in grouped `h3`); Chetty, Hendren,
/// Kline & Saez (2014) for the rank-rank slope on the 0-100 scale.
///
/// # Example
/// ```
/// use mobility::ranking::{rank_rank_regression, RankRankOptions};
/// let parent = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let child = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, 7.0];
/// let rr = rank_rank_regression(&parent, &child, None, None, &RankRankOptions::default()).unwrap();
/// let m = mobility::rankbased::rank_mobility(&parent, &child, None).unwrap();
/// assert!((rr.rows[0].slope - m.rank_rank_slope).abs() < 1e-12);
/// assert!((rr.rows[0].intercept - m.rank_rank_intercept).abs() < 1e-9);
/// assert!(rr.rows[0].slope_se > 0.0);
/// ```
pub fn rank_rank_regression(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    groups: Option<&[usize]>,
    options: &RankRankOptions,
) -> Result<RankRankRegression> {
    check_finite(parent, "parent status")?;
    check_same_length(parent.len(), child.len(), "child status")?;
    check_finite(child, "child status")?;
    let total = check_weights(weights, parent.len())?;
    let n = parent.len();
    if let Some(g) = groups {
        check_same_length(n, g.len(), "groups")?;
    }
    let rx = fractional_ranks(parent, weights)?;
    let ry = fractional_ranks(child, weights)?;
    let omega: Vec<f64> = match weights {
        Some(w) => w.iter().map(|&v| v / total).collect(),
        None => vec![1.0 / n as f64; n],
    };
    let kappa: Vec<f64> = match (weights, options.weight_kind) {
        (None, _) | (_, WeightKind::Sampling) => omega.iter().map(|o| o * o).collect(),
        (Some(_), WeightKind::Frequency) => omega.iter().map(|o| o / total).collect(),
    };
    let ng = groups.map_or(1, |g| g.iter().copied().max().map_or(1, |m| m + 1));
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ng];
    match groups {
        Some(g) => {
            for (i, &c) in g.iter().enumerate() {
                members[c].push(i);
            }
        }
        None => members[0] = (0..n).collect(),
    }
    let fits: Vec<Fit> = members
        .into_iter()
        .enumerate()
        .map(|(g, m)| fit_group(g, m, &rx, &ry, &omega))
        .collect::<Result<_>>()?;

    let (ox, oy) = rayon::join(|| order_of(&rx), || order_of(&ry));
    let ctx = Ctx {
        rx: &rx,
        ry: &ry,
        omega: &omega,
        kappa: &kappa,
        ox: &ox,
        oy: &oy,
    };
    // residuals
    let mut e = vec![0.0; n];
    for f in &fits {
        for &i in &f.members {
            e[i] = ry[i] - f.intercept - f.slope * rx[i];
        }
    }
    let npos = match weights {
        Some(w) => w.iter().filter(|&&v| v > 0.0).count(),
        None => n,
    };
    let ssr: f64 = (0..n).map(|i| omega[i] * e[i] * e[i]).sum::<f64>() * npos as f64;
    let df = npos as f64 - 2.0 * ng as f64;
    let sigma2 = if df > 0.0 { ssr / df } else { f64::NAN };

    let k = 2 * ng;
    let mut var = vec![0.0; k];
    let mut hc = vec![0.0; k];
    let mut cov = None;
    if options.covariance {
        let psi: Vec<(Vec<f64>, f64)> = fits
            .par_iter()
            .flat_map_iter(|f| {
                let [a, b] = ctx.psi(f, &e);
                [a, b]
            })
            .map(|(col, h)| (col, h))
            .collect();
        for (kk, (_, h)) in psi.iter().enumerate() {
            hc[kk] = *h;
        }
        let chunk = 1 << 15;
        let parts: Vec<Vec<f64>> = (0..n.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let (s, t) = (c * chunk, ((c + 1) * chunk).min(n));
                let mut acc = vec![0.0; k * k];
                for a in 0..k {
                    for b in 0..=a {
                        let (pa, pb) = (&psi[a].0[s..t], &psi[b].0[s..t]);
                        acc[a * k + b] = pa
                            .iter()
                            .zip(pb)
                            .zip(&kappa[s..t])
                            .map(|((x, y), w)| w * x * y)
                            .sum();
                    }
                }
                acc
            })
            .collect();
        let mut m = vec![vec![0.0; k]; k];
        for part in &parts {
            for a in 0..k {
                for b in 0..=a {
                    m[a][b] += part[a * k + b];
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                m[b][a] = m[a][b];
            }
        }
        // intercepts to the 0-100 scale
        for a in 0..k {
            for b in 0..k {
                let sa = if a % 2 == 0 { 100.0 } else { 1.0 };
                let sb = if b % 2 == 0 { 100.0 } else { 1.0 };
                m[a][b] *= sa * sb;
            }
            var[a] = m[a][a];
        }
        cov = Some(m);
    } else {
        let res: Vec<[(f64, f64); 2]> = fits
            .par_iter()
            .map(|f| {
                let [a, b] = ctx.psi(f, &e);
                let v = |col: &[f64]| col.iter().zip(&kappa).map(|(x, w)| w * x * x).sum::<f64>();
                [(v(&a.0), a.1), (v(&b.0), b.1)]
            })
            .collect();
        for (g, r) in res.iter().enumerate() {
            var[2 * g] = r[0].0 * 1e4;
            hc[2 * g] = r[0].1;
            var[2 * g + 1] = r[1].0;
            hc[2 * g + 1] = r[1].1;
        }
    }
    let rows = fits
        .iter()
        .enumerate()
        .map(|(g, f)| {
            let det = f.s0 * f.s2 - f.s1 * f.s1;
            let naive_slope = (sigma2 * f.s0 / (npos as f64 * det)).sqrt();
            let naive_int = (sigma2 * f.s2 / (npos as f64 * det)).sqrt();
            RankRankRow {
                group: g,
                n: f.members.len(),
                total_weight: f.weight * total,
                slope: f.slope,
                intercept: 100.0 * f.intercept,
                slope_se: var[2 * g + 1].sqrt(),
                intercept_se: var[2 * g].sqrt(),
                slope_se_naive: naive_slope,
                intercept_se_naive: 100.0 * naive_int,
                slope_se_hc: hc[2 * g + 1].sqrt(),
                intercept_se_hc: 100.0 * hc[2 * g].sqrt(),
            }
        })
        .collect();
    Ok(RankRankRegression {
        n,
        total_weight: total,
        weight_kind: options.weight_kind,
        rows,
        covariance: cov,
    })
}

fn fit_group(g: usize, members: Vec<usize>, rx: &[f64], ry: &[f64], omega: &[f64]) -> Result<Fit> {
    let undefined = |reason: String| MobilityError::Undefined {
        what: format!("rank-rank regression of group {g}"),
        reason,
    };
    if members.is_empty() {
        return Err(undefined("the group has no members".into()));
    }
    let s0: f64 = members.iter().map(|&i| omega[i]).sum();
    if s0 <= 0.0 {
        return Err(undefined("the group's weights sum to zero".into()));
    }
    let s1: f64 = members.iter().map(|&i| omega[i] * rx[i]).sum();
    let s2: f64 = members.iter().map(|&i| omega[i] * rx[i] * rx[i]).sum();
    let xbar = s1 / s0;
    let ybar = members.iter().map(|&i| omega[i] * ry[i]).sum::<f64>() / s0;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for &i in &members {
        let dx = rx[i] - xbar;
        sxx += omega[i] * dx * dx;
        sxy += omega[i] * dx * (ry[i] - ybar);
    }
    if sxx <= 1e-14 * s0 {
        return Err(undefined(
            "every member has the same parent rank (the slope does not exist)".into(),
        ));
    }
    let slope = sxy / sxx;
    Ok(Fit {
        members,
        weight: s0,
        s0,
        s1,
        s2,
        xbar,
        slope,
        intercept: ybar - slope * xbar,
    })
}

struct Ctx<'a> {
    rx: &'a [f64],
    ry: &'a [f64],
    omega: &'a [f64],
    kappa: &'a [f64],
    ox: &'a (Vec<u32>, Vec<f64>),
    oy: &'a (Vec<u32>, Vec<f64>),
}

impl Ctx<'_> {
    /// `psi_{., k}` over all n units for group `f`'s intercept and slope (intercept on the
    /// fraction scale), each with its HC0 variance.
    fn psi(&self, f: &Fit, e: &[f64]) -> [(Vec<f64>, f64); 2] {
        let n = self.rx.len();
        let ratio = f.s1 / f.s2;
        // e^g_j = omega_j e_j on the group
        let mut eg = vec![0.0; n];
        for &i in &f.members {
            eg[i] = self.omega[i] * e[i];
        }
        let mut ex = vec![0.0; n];
        kernel_pass(self.rx, self.ox, &eg, 1.0, &mut ex);
        let mut out = [(Vec::new(), 0.0), (Vec::new(), 0.0)];
        for (slot, is_slope) in [(0usize, false), (1usize, true)] {
            let nu = |i: usize| {
                if is_slope {
                    self.rx[i] - f.xbar
                } else {
                    1.0 - self.rx[i] * ratio
                }
            };
            let mut c = vec![0.0; n];
            let (mut s, mut m, mut h1sq) = (0.0, 0.0, 0.0);
            for &i in &f.members {
                let v = nu(i);
                c[i] = self.omega[i] * v;
                s += self.omega[i] * v * v;
                m += self.omega[i] * v * e[i];
            }
            let mut a = vec![0.0; n];
            kernel_pass(self.ry, self.oy, &c, 1.0, &mut a);
            kernel_pass(self.rx, self.ox, &c, -f.slope, &mut a);
            let mk = if is_slope { 1.0 } else { -ratio };
            for i in 0..n {
                a[i] += 2.0 * m + mk * ex[i];
            }
            for &i in &f.members {
                let h1 = nu(i) * e[i];
                a[i] += h1;
                h1sq += self.kappa[i] * (h1 / s) * (h1 / s);
            }
            for v in a.iter_mut() {
                *v /= s;
            }
            out[slot] = (a, h1sq);
        }
        out
    }
}
