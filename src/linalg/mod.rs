//! Dense linear algebra for small square matrices (k from 2 to about 100).
//!
//! The kernels the measures and the Markov dynamics need, and nothing more: all eigenvalues of a
//! general real matrix (through faer's real Schur decomposition, so complex conjugate pairs come out
//! as pairs), and an LU factorisation with partial pivoting for [`determinant`], [`inverse`] and
//! [`solve`]. Every function validates its input and returns a typed error instead of panicking or
//! returning NaN.
//!
//! Public so that a figure can be checked against the same solver the measures use (the
//! determinant behind `determinant_shorrocks`, the spectrum behind `second_eigenvalue`).
//!
//! Files: `complex.rs` (the [`Complex`] type and its arithmetic), `eigen.rs` ([`eigenvalues`], and
//! eigenvectors by inverse iteration for the analytic standard errors), `lu.rs` ([`determinant`],
//! [`inverse`], [`solve`]).

mod complex;
mod eigen;
mod lu;
#[cfg(test)]
mod tests;

use ndarray::ArrayView2;

use crate::error::{MobilityError, Result};

pub use complex::Complex;
pub use eigen::eigenvalues;
pub(crate) use eigen::{Eigen, eigen_decomposition};
pub use lu::{determinant, inverse, solve};

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
