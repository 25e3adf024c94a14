//! The HTML report: `html_report` (paired status) and `html_report_matrix` (a finished matrix),
//! both rendered by `mobility::render::html`, so Python writes the page the CLI writes.

use mobility::inference::CiMethod;
use mobility::render::html::{
    BootstrapOptions, ReportOptions, ReportPage, ReportResults, Source, render,
};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::args::{add_functions, with_pairs};
use crate::convert::{self, IntoPy};
use crate::matrix::PyTransitionMatrix;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    add_functions!(m, html_report, html_report_matrix);
    Ok(())
}

/// The source block as the package sends it: the JSON form of `mobility::render::html::Source`.
fn source(json: Option<&str>) -> PyResult<Source> {
    json.map_or_else(
        || Ok(Source::default()),
        |s| convert::from_json(s, "report source"),
    )
}

/// The HTML report of paired status (one self-contained page), as a string.
///
/// `groups` (one label per pair) adds the league table and the levelling-up scatter;
/// `bootstrap` replicates add intervals (`seed`, `ci`, `level`). `source_json` describes the
/// data (name, columns, rows read and dropped, the reproducing call).
#[pyfunction]
#[pyo3(signature = (parent, child, weights=None, groups=None, k=5, rule="midrank", pi=None,
    bins=20, bootstrap=None, seed=0, ci="bca", level=0.95, title=None, source_json=None,
    weight_kind="sampling"))]
#[allow(clippy::too_many_arguments)]
fn html_report(
    py: Python<'_>,
    parent: PyReadonlyArray1<'_, f64>,
    child: PyReadonlyArray1<'_, f64>,
    weights: Option<PyReadonlyArray1<'_, f64>>,
    groups: Option<Vec<String>>,
    k: usize,
    rule: &str,
    pi: Option<&Bound<'_, PyAny>>,
    bins: usize,
    bootstrap: Option<usize>,
    seed: u64,
    ci: &str,
    level: f64,
    title: Option<String>,
    source_json: Option<&str>,
    weight_kind: &str,
) -> PyResult<String> {
    let ci: CiMethod = ci.parse().py()?;
    let options = ReportOptions {
        weight_kind: weight_kind.parse().py()?,
        title,
        k,
        rule: convert::rule(rule)?,
        weighting: convert::weighting(pi)?,
        bins,
        bootstrap: bootstrap.map(|replicates| BootstrapOptions {
            replicates,
            seed,
            level,
            ci,
            progress: None,
        }),
        source: source(source_json)?,
        ..ReportOptions::default()
    };
    with_pairs(py, &parent, &child, weights.as_ref(), |p, c, w| {
        ReportPage::from_data(p, c, w, groups.as_deref(), &options).and_then(|page| render(&page))
    })
    .py()
}

/// The HTML report of a finished matrix (a published or count table: no rank measures).
#[pyfunction]
#[pyo3(signature = (matrix, pi=None, title=None, source_json=None))]
fn html_report_matrix(
    matrix: &PyTransitionMatrix,
    pi: Option<&Bound<'_, PyAny>>,
    title: Option<String>,
    source_json: Option<&str>,
) -> PyResult<String> {
    let mut results = ReportResults::new(&matrix.0);
    results.weighting = convert::weighting(pi)?;
    results.title = title;
    results.source = source(source_json)?;
    ReportPage::from_results(&results)
        .and_then(|page| render(&page))
        .py()
}
