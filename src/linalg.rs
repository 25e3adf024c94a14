//! Dense linear algebra for small square matrices (k from 2 to about 100).
//!
//! The kernels the measures and the Markov dynamics need, and nothing more: all eigenvalues of a
//! general real matrix (through faer's real Schur decomposition, so complex conjugate pairs come out
//! as pairs), and an LU factorisation with partial pivoting for [`determinant`], [`inverse`] and
//! [`solve`]. Every function validates its input and returns a typed error instead of panicking or
//! returning NaN.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result};

/// A complex number `re + i im`, as returned by [`eigenvalues`].
///
/// # Formula
/// ```text
/// z = re + i im,   |z| = sqrt(re^2 + im^2)
/// ```
///
/// # Complexity
/// Constant size.
///
/// # Example
/// ```
/// use mobility::linalg::Complex;
/// let z = Complex { re: 3.0, im: -4.0 };
/// assert_eq!(z.modulus(), 5.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Complex {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

impl Complex {
    /// The modulus (absolute value) `|z|`, computed without overflow.
    ///
    /// # Formula
    /// ```text
    /// |z| = sqrt(re^2 + im^2)   (f64::hypot)
    /// ```
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Example
    /// ```
    /// use mobility::linalg::Complex;
    /// assert_eq!(Complex { re: 0.0, im: -2.0 }.modulus(), 2.0);
    /// ```
    pub fn modulus(&self) -> f64 {
        self.re.hypot(self.im)
    }
}

/// Checks that `a` is a non-empty square matrix of finite numbers; returns its order.
pub(crate) fn check_square_finite(a: ArrayView2<f64>, what: &str) -> Result<usize> {
    let (rows, cols) = a.dim();
    if rows != cols {
        return Err(MobilityError::NotSquare {
            what: what.into(),
            rows,
            cols,
        });
    }
    if rows == 0 {
        return Err(MobilityError::EmptyInput { what: what.into() });
    }
    if let Some(((r, c), &value)) = a.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(MobilityError::InvalidEntry {
            what: what.into(),
            row: r + 1,
            col: c + 1,
            value,
        });
    }
    Ok(rows)
}

/// All eigenvalues of a general real square matrix, sorted by modulus, largest first.
///
/// Complex eigenvalues come in conjugate pairs (faer's real Schur form keeps the 2x2 blocks
/// together); the member with positive imaginary part is listed first. Moduli that agree to a
/// relative `1e-10` count as ties and are ordered by real part, then imaginary part, both
/// descending, so the order is deterministic (for a stochastic matrix the eigenvalue 1 comes before
/// -1 even when rounding makes `|-1|` a hair larger).
///
/// # Formula
/// ```text
/// det(A - lambda I) = 0;   |lambda_1| >= |lambda_2| >= ... >= |lambda_k|
/// ```
///
/// # Errors
/// [`MobilityError::NotSquare`], [`MobilityError::EmptyInput`] for a 0 x 0 matrix,
/// [`MobilityError::InvalidEntry`] for a NaN or infinite entry, and [`MobilityError::Undefined`] if
/// the QR iteration does not converge.
///
/// # Complexity
/// O(k^3) time (Hessenberg reduction and Francis double-shift QR), O(k^2) memory.
///
/// # Source
/// Francis (1961, 1962) QR algorithm as implemented in faer 0.24 (`Mat::eigenvalues`); ordering
/// by modulus as in Sommers & Conlisk (1979) and giddy's `L2`.
///
/// # Example
/// ```
/// use mobility::linalg::eigenvalues;
/// use ndarray::array;
/// // A rotation by 90 degrees has eigenvalues +i and -i.
/// let a = array![[0.0, -1.0], [1.0, 0.0]];
/// let ev = eigenvalues(a.view()).unwrap();
/// assert!((ev[0].im - 1.0).abs() < 1e-12 && (ev[1].im + 1.0).abs() < 1e-12);
/// assert!((ev[0].modulus() - 1.0).abs() < 1e-12);
/// ```
pub fn eigenvalues(a: ArrayView2<f64>) -> Result<Vec<Complex>> {
    let k = check_square_finite(a, "matrix")?;
    let m = faer::Mat::<f64>::from_fn(k, k, |i, j| a[[i, j]]);
    let raw = m.eigenvalues().map_err(|_| MobilityError::Undefined {
        what: "eigenvalues".into(),
        reason: "the QR iteration did not converge".into(),
    })?;
    let mut ev: Vec<Complex> = raw
        .into_iter()
        .map(|z| Complex { re: z.re, im: z.im })
        .collect();
    if ev.iter().any(|z| !z.re.is_finite() || !z.im.is_finite()) {
        return Err(MobilityError::Undefined {
            what: "eigenvalues".into(),
            reason: "the computation overflowed (entries too large)".into(),
        });
    }
    sort_eigenvalues(&mut ev);
    Ok(ev)
}

/// Sorts by modulus descending; near-equal moduli (relative 1e-10) by real then imaginary part.
fn sort_eigenvalues(ev: &mut [Complex]) {
    ev.sort_by(|a, b| b.modulus().total_cmp(&a.modulus()));
    let scale = ev.first().map_or(0.0, |z| z.modulus());
    let tol = 1e-10 * scale;
    let mut start = 0;
    while start < ev.len() {
        let mut end = start + 1;
        while end < ev.len() && ev[end - 1].modulus() - ev[end].modulus() <= tol {
            end += 1;
        }
        ev[start..end].sort_by(|a, b| b.re.total_cmp(&a.re).then(b.im.total_cmp(&a.im)));
        start = end;
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;
    use proptest::prelude::*;

    fn us_states() -> Array2<f64> {
        let counts = array![
            [729.0, 71.0, 1.0, 0.0, 0.0],
            [72.0, 567.0, 80.0, 3.0, 0.0],
            [0.0, 81.0, 631.0, 86.0, 2.0],
            [0.0, 3.0, 86.0, 573.0, 56.0],
            [0.0, 0.0, 1.0, 57.0, 741.0]
        ];
        let sums = counts.sum_axis(ndarray::Axis(1));
        &counts / &sums.insert_axis(ndarray::Axis(1))
    }

    #[test]
    fn giddy_us_states_eigenvalues_and_determinant() {
        // giddy (PySAL) `Markov` on the US state per-capita income quintiles, 1929-2009.
        let p = us_states();
        let moduli: Vec<f64> = eigenvalues(p.view())
            .unwrap()
            .iter()
            .map(Complex::modulus)
            .collect();
        let expected = [
            1.0,
            0.9602179976918405,
            0.8796775147866766,
            0.7449320086581036,
            0.6248127988234649,
        ];
        for (m, e) in moduli.iter().zip(expected) {
            assert_abs_diff_eq!(*m, e, epsilon = 1e-9);
        }
        let d = determinant(p.view()).unwrap();
        assert_abs_diff_eq!(1.0 - d.abs(), 0.6068485462369559, epsilon = 1e-9);
    }

    #[test]
    fn rotation_like_complex_pair() {
        // Block diagonal: a scaled rotation (0.6 +/- 0.8i, modulus 1) and a real 0.5.
        let a = array![[0.6, -0.8, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 0.5]];
        let ev = eigenvalues(a.view()).unwrap();
        assert_eq!(ev.len(), 3);
        assert_abs_diff_eq!(ev[0].re, 0.6, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[0].im, 0.8, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[1].re, 0.6, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[1].im, -0.8, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[2].re, 0.5, epsilon = 1e-12);
        assert_eq!(ev[2].im, 0.0);

        // A cyclic permutation of 3 states: eigenvalues are the cube roots of unity.
        let c = array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]];
        let ev = eigenvalues(c.view()).unwrap();
        assert_abs_diff_eq!(ev[0].re, 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[0].im, 0.0, epsilon = 1e-12);
        let h = 3f64.sqrt() / 2.0;
        assert_abs_diff_eq!(ev[1].re, -0.5, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[1].im, h, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[2].re, -0.5, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[2].im, -h, epsilon = 1e-12);
    }

    #[test]
    fn ties_in_modulus_put_one_before_minus_one() {
        let a = array![[0.0, 1.0], [1.0, 0.0]];
        let ev = eigenvalues(a.view()).unwrap();
        assert_abs_diff_eq!(ev[0].re, 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[1].re, -1.0, epsilon = 1e-12);
        let id = Array2::<f64>::eye(4);
        assert!(
            eigenvalues(id.view())
                .unwrap()
                .iter()
                .all(|z| *z == Complex { re: 1.0, im: 0.0 })
        );
    }

    #[test]
    fn known_inverse_and_solve() {
        let a = array![[4.0, 3.0, 0.0], [3.0, 4.0, -1.0], [0.0, -1.0, 4.0]];
        let inv = inverse(a.view()).unwrap();
        let prod = a.dot(&inv);
        for ((i, j), v) in prod.indexed_iter() {
            assert_abs_diff_eq!(*v, if i == j { 1.0 } else { 0.0 }, epsilon = 1e-14);
        }
        assert_abs_diff_eq!(determinant(a.view()).unwrap(), 24.0, epsilon = 1e-12);
        let x = solve(a.view(), array![24.0, 30.0, -24.0].view()).unwrap();
        assert_abs_diff_eq!(x[0], 3.0, epsilon = 1e-12);
        assert_abs_diff_eq!(x[1], 4.0, epsilon = 1e-12);
        assert_abs_diff_eq!(x[2], -5.0, epsilon = 1e-12);
        // Pivoting is needed here (zero in the top-left corner); det of a swap is -1.
        let s = array![[0.0, 1.0], [1.0, 0.0]];
        assert_eq!(determinant(s.view()).unwrap(), -1.0);
        assert_eq!(inverse(s.view()).unwrap(), s);
    }

    #[test]
    fn errors_not_panics() {
        let ns = Array2::<f64>::zeros((2, 3));
        assert!(matches!(
            eigenvalues(ns.view()),
            Err(MobilityError::NotSquare { .. })
        ));
        assert!(matches!(
            determinant(ns.view()),
            Err(MobilityError::NotSquare { .. })
        ));
        let e = Array2::<f64>::zeros((0, 0));
        assert!(matches!(
            eigenvalues(e.view()),
            Err(MobilityError::EmptyInput { .. })
        ));
        let nan = array![[1.0, f64::NAN], [0.0, 1.0]];
        assert!(matches!(
            eigenvalues(nan.view()),
            Err(MobilityError::InvalidEntry { row: 1, col: 2, .. })
        ));
        assert!(matches!(
            inverse(array![[f64::INFINITY]].view()),
            Err(MobilityError::InvalidEntry { .. })
        ));
        let sing = array![[1.0, 1.0], [1.0, 1.0]];
        assert!(matches!(
            inverse(sing.view()),
            Err(MobilityError::Undefined { .. })
        ));
        assert!(matches!(
            solve(sing.view(), array![1.0, 2.0].view()),
            Err(MobilityError::Undefined { .. })
        ));
        assert_eq!(determinant(sing.view()).unwrap(), 0.0);
        assert!(matches!(
            solve(Array2::<f64>::eye(2).view(), array![1.0].view()),
            Err(MobilityError::LengthMismatch { .. })
        ));
        assert!(matches!(
            solve(Array2::<f64>::eye(2).view(), array![1.0, f64::NAN].view()),
            Err(MobilityError::NonFinite { index: 1, .. })
        ));
        // Relative tolerance: a tiny but well-conditioned matrix is fine.
        let tiny = array![[1e-200, 0.0], [0.0, 1e-200]];
        assert!(inverse(tiny.view()).is_ok());
    }

    /// Random row-stochastic matrices of order 2..=8, with some exact zeros.
    fn stochastic() -> impl Strategy<Value = Array2<f64>> {
        (2usize..=8).prop_flat_map(|k| {
            proptest::collection::vec(prop_oneof![1 => Just(0.0), 4 => 0.0..1.0f64], k * k)
                .prop_map(move |v| {
                    let mut a = Array2::from_shape_vec((k, k), v).unwrap();
                    for (i, mut row) in a.rows_mut().into_iter().enumerate() {
                        row[i] += 0.01;
                        let s = row.sum();
                        row /= s;
                    }
                    a
                })
        })
    }

    proptest! {
        #[test]
        fn eigenvalue_sum_is_trace_and_product_is_determinant(p in stochastic()) {
            let ev = eigenvalues(p.view()).unwrap();
            let (sre, sim) = ev.iter().fold((0.0, 0.0), |(r, i), z| (r + z.re, i + z.im));
            prop_assert!((sre - p.diag().sum()).abs() < 1e-10);
            prop_assert!(sim.abs() < 1e-10);
            let (pre, pim) = ev.iter().fold((1.0, 0.0), |(r, i), z| {
                (r * z.re - i * z.im, r * z.im + i * z.re)
            });
            let d = determinant(p.view()).unwrap();
            prop_assert!((pre - d).abs() < 1e-10, "product {pre} vs det {d}");
            prop_assert!(pim.abs() < 1e-10);
            // Stochastic: the spectral radius is 1 and 1 comes first.
            prop_assert!((ev[0].re - 1.0).abs() < 1e-9 && ev[0].im.abs() < 1e-9);
            for w in ev.windows(2) {
                prop_assert!(w[0].modulus() >= w[1].modulus() - 1e-9);
            }
        }

        #[test]
        fn inverse_times_matrix_is_identity(p in stochastic()) {
            let k = p.nrows();
            let a = Array2::<f64>::eye(k) * 2.0 - &p; // diagonally dominant, invertible
            let inv = inverse(a.view()).unwrap();
            let prod = a.dot(&inv);
            for ((i, j), v) in prod.indexed_iter() {
                let id = if i == j { 1.0 } else { 0.0 };
                prop_assert!((v - id).abs() < 1e-12, "entry ({}, {}) is {}", i, j, v);
            }
        }
    }
}
