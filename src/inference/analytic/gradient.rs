//! The gradients `g_ij = dM/dp_ij` of every statistic (module docs of `analytic`), from one
//! context computed per matrix.

use ndarray::{Array1, Array2, Axis};

use crate::error::Result;
use crate::inference::{ClassVector, Statistic};
use crate::linalg;
use crate::markov;
use crate::matrix::TransitionMatrix;
use crate::measures::Weighting;
use crate::registry::Measure;

pub(super) type Grad = std::result::Result<Array2<f64>, String>;

/// Everything the gradients need, computed once per matrix.
pub(super) struct Context {
    pub(super) k: usize,
    pub(super) p: Array2<f64>,
    pub(super) empty: Vec<usize>,
    /// Origin weights, or why they are unavailable.
    pub(super) pi: std::result::Result<Array1<f64>, String>,
    pub(super) stationary_weighting: bool,
    /// Stationary distribution and fundamental matrix `Z = (I - P + 1 pi*)^-1`.
    pub(super) long_run: std::result::Result<(Array1<f64>, Array2<f64>), String>,
    /// `det P` and `P^-1`.
    pub(super) inverse: std::result::Result<(f64, Array2<f64>), String>,
    /// Eigenvalues with left and right eigenvectors, by decreasing modulus.
    pub(super) eigen: std::result::Result<Vec<linalg::Eigen>, String>,
}

impl Context {
    pub(super) fn new(tm: &TransitionMatrix, weighting: &Weighting) -> Result<Context> {
        let p = tm.probabilities().clone();
        let k = tm.k();
        let empty = tm.empty_rows();
        let stationary_weighting = matches!(weighting, Weighting::Stationary);
        let pi = match tm.origin_weights(weighting) {
            Ok(pi) => Ok(pi),
            Err(e) if stationary_weighting => Err(e.to_string()),
            Err(e) => return Err(e),
        };
        let full = empty.is_empty();
        let not_full = || {
            format!(
                "parent class {} has no observations",
                empty.first().map_or(0, |i| i + 1)
            )
        };
        let long_run = if full {
            markov::stationary_distribution(&p)
                .map_err(|e| e.to_string())
                .and_then(|pi| {
                    let mut a = Array2::<f64>::eye(k) - &p;
                    for mut r in a.axis_iter_mut(Axis(0)) {
                        r += &pi;
                    }
                    linalg::inverse(a.view())
                        .map(|z| (pi, z))
                        .map_err(|e| e.to_string())
                })
        } else {
            Err(not_full())
        };
        let inverse = if full {
            linalg::determinant(p.view())
                .and_then(|d| linalg::inverse(p.view()).map(|inv| (d, inv)))
                .map_err(|e| format!("no gradient of the determinant: {e}"))
        } else {
            Err(not_full())
        };
        let eigen = if full {
            linalg::eigen_decomposition(&p)
        } else {
            Err(not_full())
        };
        Ok(Context {
            k,
            p,
            empty,
            pi,
            stationary_weighting,
            long_run,
            inverse,
            eigen,
        })
    }

    fn unit(&self, i: usize, j: usize) -> Array2<f64> {
        let mut g = Array2::zeros((self.k, self.k));
        g[[i, j]] = 1.0;
        g
    }

    /// `M = sum_i pi_i sum_j p_ij c(i, j)`.
    fn weighted(&self, c: impl Fn(usize, usize) -> f64) -> Grad {
        let pi = self.pi.as_ref().map_err(Clone::clone)?;
        let k = self.k;
        let mut g = Array2::from_shape_fn((k, k), |(i, j)| pi[i] * c(i, j));
        if self.stationary_weighting {
            let (_, z) = self.long_run.as_ref().map_err(Clone::clone)?;
            let r: Array1<f64> =
                Array1::from_shape_fn(k, |i| (0..k).map(|j| self.p[[i, j]] * c(i, j)).sum());
            let zr = z.dot(&r);
            for i in 0..k {
                for j in 0..k {
                    g[[i, j]] += pi[i] * zr[j];
                }
            }
        }
        Ok(g)
    }

    /// `d|lambda_l| / dP` for eigenvalue `l` (0-based, by modulus).
    fn modulus_gradient(&self, l: usize) -> Grad {
        let eig = self.eigen.as_ref().map_err(Clone::clone)?;
        let e = &eig[l];
        let modulus = e.value.modulus();
        if modulus == 0.0 {
            return Err("the modulus of a zero eigenvalue has no derivative".into());
        }
        let k = self.k;
        Ok(Array2::from_shape_fn((k, k), |(i, j)| {
            (e.value.conj() * e.left[i] * e.right[j]).re / modulus
        }))
    }

    pub(super) fn gradient(&self, s: &Statistic) -> Grad {
        let k = self.k;
        let kf = k as f64;
        let row_needed = |i: usize| -> std::result::Result<(), String> {
            if self.empty.contains(&i) {
                Err(format!("parent class {} has no observations", i + 1))
            } else {
                Ok(())
            }
        };
        match s {
            Statistic::Cell { row, col } => {
                row_needed(row - 1)?;
                Ok(self.unit(row - 1, col - 1))
            }
            Statistic::Class { vector, class } => {
                let i = class - 1;
                if *vector != ClassVector::SteadyState {
                    row_needed(i)?;
                }
                match vector {
                    ClassVector::Persistence => Ok(self.unit(i, i)),
                    ClassVector::Prais => Ok(-self.unit(i, i)),
                    ClassVector::Upward => Ok(Array2::from_shape_fn((k, k), |(a, b)| {
                        f64::from(u8::from(a == i && b > i))
                    })),
                    ClassVector::Downward => Ok(Array2::from_shape_fn((k, k), |(a, b)| {
                        f64::from(u8::from(a == i && b < i))
                    })),
                    ClassVector::ExpectedStay => {
                        let stay = 1.0 - self.p[[i, i]];
                        if stay <= 0.0 {
                            return Err("p_ii = 1: the expected stay is infinite".into());
                        }
                        Ok(self.unit(i, i) / (stay * stay))
                    }
                    ClassVector::SteadyState => {
                        let (pi, z) = self.long_run.as_ref().map_err(Clone::clone)?;
                        Ok(Array2::from_shape_fn((k, k), |(a, b)| pi[a] * z[[b, i]]))
                    }
                }
            }
            Statistic::Measure { name } => match name {
                Measure::BottomPersistence => row_needed(0).map(|_| self.unit(0, 0)),
                Measure::TopPersistence => row_needed(k - 1).map(|_| self.unit(k - 1, k - 1)),
                Measure::UpwardFromBottom => row_needed(0).map(|_| -self.unit(0, 0)),
                Measure::DownwardFromTop => row_needed(k - 1).map(|_| -self.unit(k - 1, k - 1)),
                Measure::BottomToTop => row_needed(0).map(|_| self.unit(0, k - 1)),
                Measure::TopToBottom => row_needed(k - 1).map(|_| self.unit(k - 1, 0)),
                Measure::UpwardShare => self.weighted(|i, j| f64::from(u8::from(j > i))),
                Measure::DownwardShare => self.weighted(|i, j| f64::from(u8::from(j < i))),
                Measure::ImmobilityRatio => self.weighted(|i, j| f64::from(u8::from(i == j))),
                Measure::PraisBibby => self.weighted(|i, j| -f64::from(u8::from(i == j))),
                Measure::MeanClassJump => self.weighted(|i, j| i.abs_diff(j) as f64),
                Measure::Bartholomew => self.weighted(|i, j| i.abs_diff(j) as f64 / (kf - 1.0)),
                Measure::ShorrocksTrace => {
                    if let Some(&i) = self.empty.first() {
                        return Err(format!("parent class {} has no observations", i + 1));
                    }
                    Ok(Array2::eye(k) / -(kf - 1.0))
                }
                Measure::DeterminantGiddy | Measure::DeterminantShorrocks => {
                    let (det, inv) = self.inverse.as_ref().map_err(Clone::clone)?;
                    let ad = det.abs();
                    // d|det|/dp_ij = |det| (P^-1)_ji
                    let scale = if *name == Measure::DeterminantGiddy {
                        -ad
                    } else {
                        -ad.powf(1.0 / (kf - 1.0)) / (kf - 1.0)
                    };
                    Ok(inv.t().to_owned() * scale)
                }
                Measure::SecondEigenvalue => {
                    let eig = self.eigen.as_ref().map_err(Clone::clone)?;
                    let m2 = eig[1].value.modulus();
                    let tol = 1e-8 * m2.max(1e-300);
                    if (eig[0].value.modulus() - m2).abs() <= tol {
                        return Err("|lambda_2| = |lambda_1|: the second eigenvalue is not \
                                    separated"
                            .into());
                    }
                    // the conjugate partner of a complex lambda_2 shares its modulus (smooth);
                    // any other eigenvalue of the same modulus makes |lambda_2| a kink
                    let partner = eig[1].value.im != 0.0;
                    let next = if partner { 3 } else { 2 };
                    if partner && (k < 3 || (eig[2].value - eig[1].value.conj()).modulus() > 1e-8) {
                        return Err("could not pair the complex second eigenvalue".into());
                    }
                    if next < k && (eig[next].value.modulus() - m2).abs() <= tol {
                        return Err(
                            "two distinct eigenvalues share the second-largest modulus: \
                                    1 - |lambda_2| has no derivative here"
                                .into(),
                        );
                    }
                    Ok(-self.modulus_gradient(1)?)
                }
                Measure::EigenvalueSum => {
                    let mut g = Array2::zeros((k, k));
                    for l in 0..k {
                        g = g + self.modulus_gradient(l)?;
                    }
                    Ok(g / -(kf - 1.0))
                }
                Measure::AlthamIndependence => {
                    if let Some(&i) = self.empty.first() {
                        return Err(format!("parent class {} has no observations", i + 1));
                    }
                    if self.p.iter().any(|&x| x <= 0.0) {
                        return Err("a zero cell: Altham's distance is undefined".into());
                    }
                    let l = self.p.mapv(f64::ln);
                    let rm = l.mean_axis(Axis(1)).expect("k >= 2");
                    let cm = l.mean_axis(Axis(0)).expect("k >= 2");
                    let all = l.mean().expect("k >= 2");
                    let lam =
                        Array2::from_shape_fn((k, k), |(i, j)| l[[i, j]] - rm[i] - cm[j] + all);
                    let d = 2.0 * kf * lam.iter().map(|x| x * x).sum::<f64>().sqrt();
                    if d <= 0.0 {
                        return Err(
                            "d(P, J) = 0 (independence): the distance has no derivative \
                                    there"
                                .into(),
                        );
                    }
                    Ok(Array2::from_shape_fn((k, k), |(i, j)| {
                        4.0 * kf * kf * lam[[i, j]] / (d * self.p[[i, j]])
                    }))
                }
                // A registry measure without a gradient above has no analytic standard error.
                #[allow(unreachable_patterns)]
                other => Err(format!("no analytic gradient for '{other}'")),
            },
        }
    }
}
