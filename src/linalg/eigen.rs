//! Eigenvalues of a general real matrix (faer's real Schur form) and, for the delta method,
//! eigenvectors by inverse iteration in complex arithmetic.

use ndarray::{Array2, ArrayView2};

use super::{Complex, check_square_finite};
use crate::error::{MobilityError, Result};

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

/// An eigenvalue with right (`P x = lambda x`) and left (`y' P = lambda y'`) eigenvectors scaled so
/// that `y' x = 1` (no conjugation).
#[derive(Debug, Clone)]
pub(crate) struct Eigen {
    /// The eigenvalue.
    pub(crate) value: Complex,
    /// Its right eigenvector `x`.
    pub(crate) right: Vec<Complex>,
    /// Its left eigenvector `y`, scaled so that `y' x = 1`.
    pub(crate) left: Vec<Complex>,
}

/// Every eigenvalue of `P` (in [`eigenvalues`] order) with its right and left eigenvectors
/// (inverse iteration in complex arithmetic), for the delta-method gradients of eigenvalues.
///
/// # Errors
/// A message when [`eigenvalues`] fails, an eigenvalue is repeated (within `1e-8` of the largest
/// entry), defective, or inverse iteration does not converge.
///
/// # Complexity
/// `O(k^4)`: two LU factorisations of order `k` per eigenvalue.
pub(crate) fn eigen_decomposition(p: &Array2<f64>) -> std::result::Result<Vec<Eigen>, String> {
    let k = p.nrows();
    let values = eigenvalues(p.view()).map_err(|e| e.to_string())?;
    let scale = p.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
    let mut out = Vec::with_capacity(k);
    for (l, v) in values.iter().enumerate() {
        let lambda = *v;
        for (m, w) in values.iter().enumerate() {
            if m != l && (*w - lambda).modulus() <= 1e-8 * scale {
                return Err(format!(
                    "eigenvalue {} is repeated: its derivative is not defined",
                    l + 1
                ));
            }
        }
        let right = inverse_iteration(p, lambda, false, scale)?;
        let left = inverse_iteration(p, lambda, true, scale)?;
        let s = left
            .iter()
            .zip(&right)
            .fold(Complex::ZERO, |acc, (&a, &b)| acc + a * b);
        if s.modulus() < 1e-12 {
            return Err(format!(
                "eigenvalue {} is defective (left and right eigenvectors orthogonal)",
                l + 1
            ));
        }
        let left = left.into_iter().map(|y| y / s).collect();
        out.push(Eigen {
            value: lambda,
            right,
            left,
        });
    }
    Ok(out)
}

/// An eigenvector of `P` (or of `P'` when `transpose`) for eigenvalue `lambda`: three steps of
/// inverse iteration with the shift `lambda` (a zero pivot is replaced by `1e-14 scale`).
fn inverse_iteration(
    p: &Array2<f64>,
    lambda: Complex,
    transpose: bool,
    scale: f64,
) -> std::result::Result<Vec<Complex>, String> {
    let k = p.nrows();
    let at = |i: usize, j: usize| if transpose { p[[j, i]] } else { p[[i, j]] };
    // LU with partial pivoting of A = P - lambda I (row-major, in place)
    let mut a: Vec<Complex> = (0..k * k)
        .map(|idx| {
            let (i, j) = (idx / k, idx % k);
            let mut x = Complex::new(at(i, j), 0.0);
            if i == j {
                x = x - lambda;
            }
            x
        })
        .collect();
    let mut perm: Vec<usize> = (0..k).collect();
    let tiny = 1e-14 * scale;
    for c in 0..k {
        let piv = (c..k)
            .max_by(|&x, &y| a[x * k + c].modulus().total_cmp(&a[y * k + c].modulus()))
            .expect("non-empty");
        if piv != c {
            for j in 0..k {
                a.swap(c * k + j, piv * k + j);
            }
            perm.swap(c, piv);
        }
        if a[c * k + c].modulus() < tiny {
            a[c * k + c] = Complex::new(tiny, 0.0);
        }
        let d = a[c * k + c];
        for r in c + 1..k {
            let f = a[r * k + c] / d;
            a[r * k + c] = f;
            for j in c + 1..k {
                let t = a[c * k + j];
                a[r * k + j] = a[r * k + j] - f * t;
            }
        }
    }
    let solve = |b: &[Complex]| -> Vec<Complex> {
        let mut y: Vec<Complex> = perm.iter().map(|&i| b[i]).collect();
        for r in 0..k {
            for j in 0..r {
                let t = a[r * k + j] * y[j];
                y[r] = y[r] - t;
            }
        }
        for r in (0..k).rev() {
            for j in r + 1..k {
                let t = a[r * k + j] * y[j];
                y[r] = y[r] - t;
            }
            y[r] = y[r] / a[r * k + r];
        }
        y
    };
    let mut x: Vec<Complex> = (0..k)
        .map(|i| Complex::new(1.0 + 0.1 * i as f64, 0.05 * (i % 3) as f64))
        .collect();
    for _ in 0..3 {
        x = solve(&x);
        let norm = x
            .iter()
            .map(|z| z.modulus() * z.modulus())
            .sum::<f64>()
            .sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return Err("inverse iteration for an eigenvector failed".into());
        }
        x.iter_mut().for_each(|z| *z = z.scale(1.0 / norm));
    }
    // residual check: |A x - lambda x| small
    let resid = (0..k)
        .map(|i| {
            let mut s = Complex::ZERO;
            for (j, &xj) in x.iter().enumerate() {
                s = s + Complex::new(at(i, j), 0.0) * xj;
            }
            (s - lambda * x[i]).modulus()
        })
        .fold(0.0f64, f64::max);
    if resid > 1e-7 * scale {
        return Err(format!(
            "inverse iteration did not converge for eigenvalue {:.6}{:+.6}i",
            lambda.re, lambda.im
        ));
    }
    Ok(x)
}
