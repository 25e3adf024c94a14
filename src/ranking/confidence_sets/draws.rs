//! The estimates and their covariance prepared for the parametric bootstrap ([`Problem`]:
//! validation, `1 / sigma_ab`, the Cholesky or eigen square root) and the Gaussian draws
//! `Z ~ N(0, Sigma)` ([`parametric_draws`]).

use faer::{Mat, Side};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::options::Uncertainty;
use crate::error::{MobilityError, Parameter, Result, check_finite};
use crate::ranking::check_standard_errors;

/// Number of bootstrap draws generated from one ChaCha8 stream (and processed together).
pub const DRAW_BLOCK: usize = 64;

/// The covariance prepared for the bootstrap.
pub(super) struct Problem {
    pub(super) p: usize,
    /// Estimates, oriented so that larger is better.
    pub(super) theta: Vec<f64>,
    pub(super) se: Vec<f64>,
    /// `1 / sigma_ab` (p x p, row-major); `+inf` where `sigma_ab = 0` (a known difference).
    inv: Vec<f64>,
    /// Draw generator: standard errors (diagonal) or `L^T` with `L L^T = Sigma`.
    draw_gen: Gen,
}

enum Gen {
    Diagonal,
    Full(Mat<f64>),
}

/// Relative tolerance below which a variance of a difference counts as zero.
const ZERO_VAR: f64 = 1e-12;

impl Problem {
    pub(super) fn new(
        estimates: &[f64],
        unc: &Uncertainty<'_>,
        largest_first: bool,
    ) -> Result<Self> {
        check_finite(estimates, "estimates")?;
        let p = estimates.len();
        let theta: Vec<f64> = if largest_first {
            estimates.to_vec()
        } else {
            estimates.iter().map(|&x| -x).collect()
        };
        match unc {
            Uncertainty::StandardErrors(se) => {
                check_standard_errors(se, p)?;
                let var: Vec<f64> = se.iter().map(|s| s * s).collect();
                let scale = var.iter().cloned().fold(0.0, f64::max);
                let inv = inv_matrix(p, scale, |a, b| var[a] + var[b]);
                Ok(Problem {
                    p,
                    theta,
                    se: se.to_vec(),
                    inv,
                    draw_gen: Gen::Diagonal,
                })
            }
            Uncertainty::Covariance(s) => {
                if s.nrows() != s.ncols() {
                    return Err(MobilityError::NotSquare {
                        what: "covariance matrix".into(),
                        rows: s.nrows(),
                        cols: s.ncols(),
                    });
                }
                if s.nrows() != p {
                    return Err(MobilityError::LengthMismatch {
                        what: "covariance matrix rows".into(),
                        expected: p,
                        found: s.nrows(),
                    });
                }
                let mut scale = 0.0f64;
                for i in 0..p {
                    for j in 0..p {
                        let v = s[[i, j]];
                        if !v.is_finite() {
                            return Err(MobilityError::InvalidEntry {
                                what: "covariance matrix".into(),
                                row: i + 1,
                                col: j + 1,
                                value: v,
                            });
                        }
                    }
                    scale = scale.max(s[[i, i]]);
                }
                for i in 0..p {
                    if s[[i, i]] < 0.0 {
                        return Err(MobilityError::InvalidEntry {
                            what: "covariance matrix (diagonal)".into(),
                            row: i + 1,
                            col: i + 1,
                            value: s[[i, i]],
                        });
                    }
                    for j in 0..i {
                        let (a, b) = (s[[i, j]], s[[j, i]]);
                        if (a - b).abs() > 1e-10 * scale.max(f64::MIN_POSITIVE) {
                            return Err(MobilityError::invalid(
                                Parameter::Covariance,
                                format!(
                                    "not symmetric: entry ({}, {}) is {a} but ({}, {}) is {b}",
                                    i + 1,
                                    j + 1,
                                    j + 1,
                                    i + 1
                                ),
                            ));
                        }
                    }
                }
                let sym = |a: usize, b: usize| 0.5 * (s[[a, b]] + s[[b, a]]);
                let inv = inv_matrix(p, scale, |a, b| s[[a, a]] + s[[b, b]] - 2.0 * sym(a, b));
                let lt = cholesky_t(p, scale, &sym)?;
                Ok(Problem {
                    p,
                    theta,
                    se: (0..p).map(|i| s[[i, i]].sqrt()).collect(),
                    inv,
                    draw_gen: Gen::Full(lt),
                })
            }
        }
    }

    /// Fills `out` (`count x p`, row-major) with the draws of block `block`.
    fn block_draws(&self, seed: u64, block: usize, count: usize, out: &mut [f64]) {
        let p = self.p;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(block as u64);
        for v in out[..count * p].iter_mut() {
            *v = StandardNormal.sample(&mut rng);
        }
        match &self.draw_gen {
            Gen::Diagonal => {
                for row in out[..count * p].chunks_exact_mut(p) {
                    for (v, s) in row.iter_mut().zip(&self.se) {
                        *v *= s;
                    }
                }
            }
            Gen::Full(lt) => {
                let u = Mat::<f64>::from_fn(count, p, |r, j| out[r * p + j]);
                let z = &u * lt;
                for r in 0..count {
                    for j in 0..p {
                        out[r * p + j] = z[(r, j)];
                    }
                }
            }
        }
    }

    /// All `draws x p` draws, row-major (parallel over blocks).
    pub(super) fn all_draws(&self, seed: u64, draws: usize) -> Vec<f64> {
        let p = self.p;
        let mut z = vec![0.0; draws * p];
        if p == 0 {
            return z;
        }
        z.par_chunks_mut(DRAW_BLOCK * p)
            .enumerate()
            .for_each(|(b, chunk)| {
                let count = chunk.len() / p;
                self.block_draws(seed, b, count, chunk);
            });
        z
    }

    /// Studentized estimate `Delta_ab / sigma_ab` (`+-inf` for a known non-zero difference).
    pub(super) fn stat(&self, a: usize, b: usize) -> f64 {
        let d = self.theta[a] - self.theta[b];
        let inv = self.inv[a * self.p + b];
        if inv.is_infinite() {
            if d > 0.0 {
                f64::INFINITY
            } else if d < 0.0 {
                f64::NEG_INFINITY
            } else {
                0.0
            }
        } else {
            d * inv
        }
    }

    /// The weight a draw's difference gets: `1 / sigma_ab`, or 0 for a known difference (its
    /// bootstrap difference is exactly 0).
    pub(super) fn weight(&self, a: usize, b: usize) -> f64 {
        let v = self.inv[a * self.p + b];
        if v.is_finite() { v } else { 0.0 }
    }
}

fn inv_matrix(p: usize, scale: f64, var: impl Fn(usize, usize) -> f64 + Sync) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    let tol = ZERO_VAR * scale;
    inv.par_chunks_mut(p.max(1))
        .enumerate()
        .for_each(|(a, row)| {
            for (b, v) in row.iter_mut().enumerate() {
                if a != b {
                    let s2 = var(a, b);
                    *v = if s2 > tol {
                        1.0 / s2.sqrt()
                    } else {
                        f64::INFINITY
                    };
                }
            }
        });
    inv
}

/// `L^T` with `L L^T = Sigma`: faer's Cholesky, or for a singular (positive semi-definite)
/// `Sigma` the symmetric square root `V max(Lambda, 0)^(1/2)` from its eigen-decomposition.
fn cholesky_t(p: usize, scale: f64, s: &(dyn Fn(usize, usize) -> f64 + Sync)) -> Result<Mat<f64>> {
    let m = Mat::<f64>::from_fn(p, p, s);
    if p == 0 {
        return Ok(m);
    }
    if let Ok(llt) = m.llt(Side::Lower) {
        let l = llt.L();
        return Ok(Mat::from_fn(p, p, |i, j| l[(j, i)]));
    }
    let evd = m
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| MobilityError::Undefined {
            what: "covariance square root".into(),
            reason: "the eigen-decomposition did not converge".into(),
        })?;
    let u = evd.U();
    let lam = evd.S().column_vector();
    let min = (0..p).map(|i| lam[i]).fold(f64::INFINITY, f64::min);
    if min < -1e-8 * scale.max(f64::MIN_POSITIVE) {
        return Err(MobilityError::invalid(
            Parameter::Covariance,
            format!("not positive semi-definite (smallest eigenvalue {min:e})"),
        ));
    }
    // Z = U sqrt(Lambda) u: row r of the draws is u_r (sqrt(Lambda) U^T) = u_r G, G_kj = sqrt(l_k) U_jk
    Ok(Mat::from_fn(p, p, |k, j| {
        lam[k].max(0.0).sqrt() * u[(j, k)]
    }))
}

/// The parametric bootstrap draws `Z^(1..R) ~ N(0, Sigma)` the rank sets use, as an `R x p`
/// array (row `r` is draw `r`).
///
/// # Formula
/// ```text
/// u ~ N(0, I_p) (ChaCha8 key seed, stream b for draws 64 b .. 64 b + 63, ziggurat normals)
/// Z = diag(se) u (independent) or Z = L u with L L' = Sigma (Cholesky; for a singular Sigma
/// L = V max(Lambda, 0)^(1/2) from its eigen-decomposition)
/// ```
///
/// # Errors
/// As [`rank_confidence_sets`](super::rank_confidence_sets) for the uncertainty; `draws == 0`.
///
/// # Complexity
/// `O(R p)` independent, `O(R p^2 + p^3)` full; parallel over blocks, bit-identical for any
/// number of threads.
///
/// # Example
/// ```
/// use mobility::ranking::{parametric_draws, Uncertainty};
/// let z = parametric_draws(&Uncertainty::StandardErrors(&[1.0, 0.0]), 100, 7).unwrap();
/// assert_eq!(z.dim(), (100, 2));
/// assert!(z.column(1).iter().all(|&v| v == 0.0));
/// ```
pub fn parametric_draws(
    uncertainty: &Uncertainty<'_>,
    draws: usize,
    seed: u64,
) -> Result<ndarray::Array2<f64>> {
    if draws == 0 {
        return Err(MobilityError::invalid(
            Parameter::Draws,
            "must be at least 1",
        ));
    }
    let p = match uncertainty {
        Uncertainty::Covariance(s) => s.nrows(),
        Uncertainty::StandardErrors(se) => se.len(),
    };
    let pr = Problem::new(&vec![0.0; p], uncertainty, true)?;
    let z = pr.all_draws(seed, draws);
    ndarray::Array2::from_shape_vec((draws, p), z).map_err(|e| MobilityError::Undefined {
        what: "draws".into(),
        reason: e.to_string(),
    })
}
