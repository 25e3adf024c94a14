//! Tie-span diagnostics (`tie_spans`: the tie groups whose rank interval crosses a class
//! boundary) and panels of several periods of the same units.

use mobility::error::Side;
use mobility::panel::Panel;
use mobility::quantile::tie_spans as core_tie_spans;
use mobility::{ClassSpec, WeightKind};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::add_functions;
use crate::convert::{self, IntoPy, slice, to_py};
use crate::matrix::{PyCutoffs, PyTransitionMatrix};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    add_functions!(m, tie_spans, panel);
    Ok(())
}

/// Tie groups whose rank interval crosses a class boundary of `cutoffs`: a list of dicts (the
/// core's `TieSpan`) with a `message` naming classes by `labels`.
#[pyfunction]
#[pyo3(signature = (values, cutoffs, weights=None, rule="midrank", side="parent", labels=None))]
fn tie_spans<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    cutoffs: PyRef<'py, PyCutoffs>,
    weights: Option<PyReadonlyArray1<'py, f64>>,
    rule: &str,
    side: &str,
    labels: Option<Vec<String>>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let rule = convert::rule(rule)?;
    let side = if side == "child" {
        Side::Child
    } else {
        Side::Parent
    };
    let v = slice(&values);
    let w = weights.as_ref().map(slice);
    let cuts = cutoffs.0.clone();
    let spans = py
        .detach(|| core_tie_spans(&v, w.as_deref(), &cuts, rule, side))
        .py()?;
    let labels = labels.unwrap_or_else(|| mobility::matrix::class_labels(cuts.k()));
    spans
        .iter()
        .map(|s| {
            let d = to_py(py, s)?;
            d.cast::<PyDict>()?
                .set_item("message", s.message(&labels))?;
            Ok(d)
        })
        .collect()
}

/// A panel: the report (dict), the pooled matrix and the per-transition matrices.
#[pyfunction]
#[pyo3(signature = (periods, names, weights=None, k=5, rule="midrank", weight_kind="sampling"))]
#[allow(clippy::type_complexity)]
fn panel<'py>(
    py: Python<'py>,
    periods: Vec<PyReadonlyArray1<'py, f64>>,
    names: Vec<String>,
    weights: Option<PyReadonlyArray1<'py, f64>>,
    k: usize,
    rule: &str,
    weight_kind: &str,
) -> PyResult<(
    Bound<'py, PyAny>,
    PyTransitionMatrix,
    Vec<PyTransitionMatrix>,
)> {
    let spec = ClassSpec::Quantiles {
        k,
        rule: convert::rule(rule)?,
    };
    let kind: WeightKind = weight_kind.parse().py()?;
    let series: Vec<Vec<f64>> = periods.iter().map(|p| slice(p).to_vec()).collect();
    let w = weights.as_ref().map(|w| slice(w).to_vec());
    let result = py.detach(|| -> mobility::Result<_> {
        let views: Vec<&[f64]> = series.iter().map(|s| s.as_slice()).collect();
        let p = Panel::new(&views, w.as_deref(), kind, &spec)?;
        let mut report = p.report(&names, &mobility::Weighting::ParentShares)?;
        report.weights = w
            .as_deref()
            .map(|w| mobility::weights::WeightInfo::new(w, kind));
        Ok((p, report))
    });
    let (p, report) = result.py()?;
    Ok((
        to_py(py, &report)?,
        PyTransitionMatrix(p.pooled),
        p.transitions.into_iter().map(PyTransitionMatrix).collect(),
    ))
}
