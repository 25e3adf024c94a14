//! The simulator: Gaussian-copula pairs with log-normal marginals, and the copula's true matrix.

use mobility::simulate::{self as sim, Correlation, CorrelationKind, LogNormal, Simulation};
use numpy::{IntoPyArray, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::add_functions;
use crate::convert::{IntoPy, mat2};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    add_functions!(m, simulate, gaussian_copula_matrix);
    Ok(())
}

/// `n` simulated pairs: dict of numpy arrays `parent`, `child` (and `weight` when weighted).
/// `parent` and `child` are the log-normal marginals `(mu, sigma)`; the package's `simulate`
/// holds the defaults.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn simulate<'py>(
    py: Python<'py>,
    n: usize,
    rho: f64,
    seed: u64,
    correlation: &str,
    parent: (f64, f64),
    child: (f64, f64),
    weighted: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let correlation = Correlation::new(correlation.parse::<CorrelationKind>().py()?, rho);
    let spec = Simulation::new(n, rho, seed)
        .with_correlation(correlation)
        .with_parent(LogNormal::new(parent.0, parent.1).py()?)
        .with_child(LogNormal::new(child.0, child.1).py()?);
    let d = PyDict::new(py);
    if weighted {
        let w = py.detach(|| sim::simulate_weighted(&spec)).py()?;
        d.set_item("parent", w.parent.into_pyarray(py))?;
        d.set_item("child", w.child.into_pyarray(py))?;
        d.set_item("weight", w.weight.into_pyarray(py))?;
    } else {
        let s = py.detach(|| sim::simulate(&spec)).py()?;
        d.set_item("parent", s.parent.into_pyarray(py))?;
        d.set_item("child", s.child.into_pyarray(py))?;
    }
    Ok(d)
}

/// The population quantile transition matrix of the Gaussian copula with correlation `rho`.
#[pyfunction]
fn gaussian_copula_matrix<'py>(
    py: Python<'py>,
    rho: f64,
    k: usize,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    Ok(mat2(py, sim::gaussian_copula_matrix(rho, k).py()?))
}
