//! An LU factorisation with partial pivoting: determinant, inverse and linear solve.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use super::check_square_finite;
use crate::error::{MobilityError, Result};

/// An LU factorisation `PA = LU` with partial pivoting, stored compactly.
struct Lu {
    /// L below the diagonal (unit diagonal implied), U on and above it.
    lu: Array2<f64>,
    /// Row `i` of `PA` is row `perm[i]` of `A`.
    perm: Vec<usize>,
    /// +1 or -1: the sign of the permutation.
    sign: f64,
    /// Largest absolute entry of `A` (for the relative singularity test).
    scale: f64,
}

impl Lu {
    /// Doolittle elimination with partial pivoting; never fails (zero pivots are kept).
    fn new(a: ArrayView2<f64>) -> Lu {
        let n = a.nrows();
        let mut lu = a.to_owned();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut sign = 1.0;
        let scale = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        for col in 0..n {
            let mut piv = col;
            for r in col + 1..n {
                if lu[[r, col]].abs() > lu[[piv, col]].abs() {
                    piv = r;
                }
            }
            if piv != col {
                for c in 0..n {
                    lu.swap([piv, c], [col, c]);
                }
                perm.swap(piv, col);
                sign = -sign;
            }
            let p = lu[[col, col]];
            if p == 0.0 {
                continue;
            }
            for r in col + 1..n {
                let f = lu[[r, col]] / p;
                lu[[r, col]] = f;
                if f != 0.0 {
                    for c in col + 1..n {
                        lu[[r, c]] -= f * lu[[col, c]];
                    }
                }
            }
        }
        Lu {
            lu,
            perm,
            sign,
            scale,
        }
    }

    fn det(&self) -> f64 {
        self.sign * self.lu.diag().iter().product::<f64>()
    }

    /// Fails when a pivot is below `k * eps * max|a_ij|`.
    fn check_nonsingular(&self, what: &str) -> Result<()> {
        let n = self.lu.nrows();
        let tol = n as f64 * f64::EPSILON * self.scale;
        if let Some(i) = (0..n).find(|&i| self.lu[[i, i]].abs() <= tol) {
            return Err(MobilityError::Undefined {
                what: what.into(),
                reason: format!(
                    "the matrix is singular to working precision (pivot {} of {n} is {:e}, \
                     below the tolerance {tol:e})",
                    i + 1,
                    self.lu[[i, i]]
                ),
            });
        }
        Ok(())
    }

    /// Solves `A x = b` given the factorisation.
    fn solve_vec(&self, b: ArrayView1<f64>) -> Array1<f64> {
        let n = self.lu.nrows();
        let mut x = Array1::from_iter(self.perm.iter().map(|&p| b[p]));
        for i in 0..n {
            let mut s = x[i];
            for j in 0..i {
                s -= self.lu[[i, j]] * x[j];
            }
            x[i] = s;
        }
        for i in (0..n).rev() {
            let mut s = x[i];
            for j in i + 1..n {
                s -= self.lu[[i, j]] * x[j];
            }
            x[i] = s / self.lu[[i, i]];
        }
        x
    }
}

/// The determinant of a real square matrix.
///
/// # Formula
/// ```text
/// PA = LU  =>  det A = sign(P) * prod_i u_ii
/// ```
///
/// # Errors
/// [`MobilityError::NotSquare`], [`MobilityError::EmptyInput`] or [`MobilityError::InvalidEntry`]
/// (NaN or infinite entry). A singular matrix is not an error: its determinant is 0 (or a
/// rounding-level number).
///
/// # Complexity
/// O(k^3) time, O(k^2) memory.
///
/// # Source
/// Gaussian elimination with partial pivoting; Golub & Van Loan (2013), *Matrix Computations*,
/// 4th ed., section 3.4.
///
/// # Example
/// ```
/// use mobility::linalg::determinant;
/// use ndarray::array;
/// let d = determinant(array![[0.9, 0.1], [0.2, 0.8]].view()).unwrap();
/// assert!((d - 0.7).abs() < 1e-15);
/// ```
pub fn determinant(a: ArrayView2<f64>) -> Result<f64> {
    check_square_finite(a, "matrix")?;
    let d = Lu::new(a).det();
    if !d.is_finite() {
        return Err(MobilityError::Undefined {
            what: "determinant".into(),
            reason: "it overflows f64".into(),
        });
    }
    Ok(d)
}

/// The inverse of a real square matrix.
///
/// # Formula
/// ```text
/// A A^-1 = I;  column j of A^-1 solves A x = e_j through PA = LU
/// ```
///
/// # Errors
/// [`MobilityError::NotSquare`], [`MobilityError::EmptyInput`], [`MobilityError::InvalidEntry`],
/// and [`MobilityError::Undefined`] when the matrix is singular to working precision: some pivot
/// `|u_ii| <= k * eps * max |a_ij|`.
///
/// # Complexity
/// O(k^3) time, O(k^2) memory.
///
/// # Source
/// Golub & Van Loan (2013), *Matrix Computations*, 4th ed., sections 3.2-3.4.
///
/// # Example
/// ```
/// use mobility::linalg::inverse;
/// use ndarray::array;
/// let inv = inverse(array![[2.0, 0.0], [0.0, 4.0]].view()).unwrap();
/// assert_eq!(inv, array![[0.5, 0.0], [0.0, 0.25]]);
/// assert!(inverse(array![[1.0, 2.0], [2.0, 4.0]].view()).is_err());
/// ```
pub fn inverse(a: ArrayView2<f64>) -> Result<Array2<f64>> {
    let n = check_square_finite(a, "matrix")?;
    let lu = Lu::new(a);
    lu.check_nonsingular("inverse")?;
    let mut inv = Array2::zeros((n, n));
    let mut e = Array1::zeros(n);
    for j in 0..n {
        e.fill(0.0);
        e[j] = 1.0;
        let x = lu.solve_vec(e.view());
        inv.column_mut(j).assign(&x);
    }
    finite_or_undefined(inv, "inverse")
}

/// Solves the linear system `A x = b` for a real square `A`.
///
/// # Formula
/// ```text
/// PA = LU;  L y = P b (forward substitution);  U x = y (back substitution)
/// ```
///
/// # Errors
/// [`MobilityError::NotSquare`], [`MobilityError::EmptyInput`], [`MobilityError::InvalidEntry`]
/// for `A`; [`MobilityError::LengthMismatch`] or [`MobilityError::NonFinite`] for `b`; and
/// [`MobilityError::Undefined`] when `A` is singular to working precision (see [`inverse`]).
///
/// # Complexity
/// O(k^3) time, O(k^2) memory.
///
/// # Source
/// Golub & Van Loan (2013), *Matrix Computations*, 4th ed., sections 3.1-3.4.
///
/// # Example
/// ```
/// use mobility::linalg::solve;
/// use ndarray::array;
/// let x = solve(array![[2.0, 1.0], [1.0, 3.0]].view(), array![3.0, 5.0].view()).unwrap();
/// assert!((x[0] - 0.8).abs() < 1e-15 && (x[1] - 1.4).abs() < 1e-15);
/// ```
pub fn solve(a: ArrayView2<f64>, b: ArrayView1<f64>) -> Result<Array1<f64>> {
    let n = check_square_finite(a, "matrix")?;
    if b.len() != n {
        return Err(MobilityError::LengthMismatch {
            what: "right-hand side".into(),
            expected: n,
            found: b.len(),
        });
    }
    if let Some((index, &value)) = b.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(MobilityError::NonFinite {
            what: "right-hand side".into(),
            index,
            value,
        });
    }
    let lu = Lu::new(a);
    lu.check_nonsingular("solution of the linear system")?;
    finite_or_undefined(lu.solve_vec(b), "solution of the linear system")
}

fn finite_or_undefined<D: ndarray::Dimension>(
    x: ndarray::Array<f64, D>,
    what: &str,
) -> Result<ndarray::Array<f64, D>> {
    if x.iter().all(|v| v.is_finite()) {
        Ok(x)
    } else {
        Err(MobilityError::Undefined {
            what: what.into(),
            reason: "the result overflows f64 (the matrix is nearly singular)".into(),
        })
    }
}
