//! Plain functions: measures over a matrix, Markov dynamics, ranks, published tables.

use mobility::{markov, measures, published, rank};
use numpy::{Complex64, IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{IntoPy, mat2, py_err, slice, to_py, vec1};
use crate::matrix::PyTransitionMatrix;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // measures
    m.add_function(wrap_pyfunction!(shorrocks_trace, m)?)?;
    m.add_function(wrap_pyfunction!(determinant_shorrocks, m)?)?;
    m.add_function(wrap_pyfunction!(determinant_giddy, m)?)?;
    m.add_function(wrap_pyfunction!(second_eigenvalue, m)?)?;
    m.add_function(wrap_pyfunction!(eigenvalue_sum, m)?)?;
    m.add_function(wrap_pyfunction!(eigenvalues, m)?)?;
    m.add_function(wrap_pyfunction!(bartholomew, m)?)?;
    m.add_function(wrap_pyfunction!(mean_class_jump, m)?)?;
    m.add_function(wrap_pyfunction!(immobility_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(upward_share, m)?)?;
    m.add_function(wrap_pyfunction!(downward_share, m)?)?;
    m.add_function(wrap_pyfunction!(giddy_b1, m)?)?;
    m.add_function(wrap_pyfunction!(altham_distance, m)?)?;
    m.add_function(wrap_pyfunction!(altham_independence, m)?)?;
    m.add_function(wrap_pyfunction!(measure_table, m)?)?;
    m.add_function(wrap_pyfunction!(measure_registry, m)?)?;
    m.add_function(wrap_pyfunction!(option_names, m)?)?;
    m.add_function(wrap_pyfunction!(canonical_name, m)?)?;
    m.add_function(wrap_pyfunction!(headline_measures, m)?)?;
    // markov
    m.add_function(wrap_pyfunction!(check_stochastic, m)?)?;
    m.add_function(wrap_pyfunction!(communicating_classes, m)?)?;
    m.add_function(wrap_pyfunction!(closed_classes, m)?)?;
    m.add_function(wrap_pyfunction!(stationary_distribution, m)?)?;
    m.add_function(wrap_pyfunction!(stationary_distributions, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_power, m)?)?;
    m.add_function(wrap_pyfunction!(mean_first_passage_times, m)?)?;
    m.add_function(wrap_pyfunction!(expected_stay, m)?)?;
    m.add_function(wrap_pyfunction!(expected_time_to_exit, m)?)?;
    m.add_function(wrap_pyfunction!(convergence, m)?)?;
    m.add_function(wrap_pyfunction!(generations_to_mean, m)?)?;
    // ranks and labels
    m.add_function(wrap_pyfunction!(fractional_ranks, m)?)?;
    m.add_function(wrap_pyfunction!(class_of_rank, m)?)?;
    m.add_function(wrap_pyfunction!(class_labels, m)?)?;
    // published tables
    m.add_function(wrap_pyfunction!(published_table, m)?)?;
    m.add_function(wrap_pyfunction!(published_names, m)?)?;
    m.add_function(wrap_pyfunction!(uk_blanden_2005_printed, m)?)?;
    Ok(())
}

type Mat<'py> = PyReadonlyArray2<'py, f64>;

/// `pi` for the plain weighted measures: uniform `1/k` when not given.
fn pi_or_uniform(p: &Mat<'_>, pi: Option<Vec<f64>>) -> Vec<f64> {
    pi.unwrap_or_else(|| {
        let k = p.as_array().nrows().max(1);
        vec![1.0 / k as f64; k]
    })
}

#[pyfunction]
fn shorrocks_trace(p: Mat<'_>) -> PyResult<f64> {
    measures::shorrocks_trace(&p.as_array()).py()
}

#[pyfunction]
fn determinant_shorrocks(p: Mat<'_>) -> PyResult<f64> {
    measures::determinant_shorrocks(&p.as_array()).py()
}

#[pyfunction]
fn determinant_giddy(p: Mat<'_>) -> PyResult<f64> {
    measures::determinant_giddy(&p.as_array()).py()
}

#[pyfunction]
fn second_eigenvalue(p: Mat<'_>) -> PyResult<f64> {
    measures::second_eigenvalue(&p.as_array()).py()
}

#[pyfunction]
fn eigenvalue_sum(p: Mat<'_>) -> PyResult<f64> {
    measures::eigenvalue_sum(&p.as_array()).py()
}

#[pyfunction]
fn eigenvalues<'py>(py: Python<'py>, p: Mat<'py>) -> PyResult<Bound<'py, PyArray1<Complex64>>> {
    let ev = measures::eigenvalues(&p.as_array()).py()?;
    Ok(ev
        .iter()
        .map(|z| Complex64::new(z.re, z.im))
        .collect::<Vec<_>>()
        .into_pyarray(py))
}

#[pyfunction]
#[pyo3(signature = (p, pi=None))]
fn bartholomew(p: Mat<'_>, pi: Option<Vec<f64>>) -> PyResult<f64> {
    let pi = pi_or_uniform(&p, pi);
    measures::bartholomew(&p.as_array(), &pi).py()
}

#[pyfunction]
#[pyo3(signature = (p, pi=None))]
fn mean_class_jump(p: Mat<'_>, pi: Option<Vec<f64>>) -> PyResult<f64> {
    let pi = pi_or_uniform(&p, pi);
    measures::mean_class_jump(&p.as_array(), &pi).py()
}

#[pyfunction]
#[pyo3(signature = (p, pi=None))]
fn immobility_ratio(p: Mat<'_>, pi: Option<Vec<f64>>) -> PyResult<f64> {
    let pi = pi_or_uniform(&p, pi);
    measures::immobility_ratio(&p.as_array(), &pi).py()
}

#[pyfunction]
#[pyo3(signature = (p, pi=None))]
fn upward_share(p: Mat<'_>, pi: Option<Vec<f64>>) -> PyResult<f64> {
    let pi = pi_or_uniform(&p, pi);
    measures::upward_share(&p.as_array(), &pi).py()
}

#[pyfunction]
#[pyo3(signature = (p, pi=None))]
fn downward_share(p: Mat<'_>, pi: Option<Vec<f64>>) -> PyResult<f64> {
    let pi = pi_or_uniform(&p, pi);
    measures::downward_share(&p.as_array(), &pi).py()
}

#[pyfunction]
#[pyo3(signature = (p, pi=None))]
fn giddy_b1(p: Mat<'_>, pi: Option<Vec<f64>>) -> PyResult<f64> {
    let pi = pi_or_uniform(&p, pi);
    measures::giddy_b1(&p.as_array(), &pi).py()
}

#[pyfunction]
fn altham_distance(p: Mat<'_>, q: Mat<'_>) -> PyResult<f64> {
    measures::altham_distance(&p.as_array(), &q.as_array()).py()
}

#[pyfunction]
fn altham_independence(p: Mat<'_>) -> PyResult<f64> {
    measures::altham_independence(&p.as_array()).py()
}

/// Every registry entry (matrix then rank measures): name, description, formula, source, needs,
/// scale, family.
#[pyfunction]
fn measure_registry(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let all: Vec<&mobility::registry::MeasureInfo> = mobility::registry::all().collect();
    to_py(py, &all)
}

/// Every matrix measure's name and one-line description, in registry order.
#[pyfunction]
fn measure_table() -> Vec<(&'static str, &'static str)> {
    measures::MEASURES.to_vec()
}

/// The canonical names an option takes, from the library's one spelling list per enum:
/// `rule`, `ci`, `cutoffs`, `resample`, `ranks`, `closed`, `correlation`, `mobility_score`.
#[pyfunction]
fn option_names(option: &str) -> PyResult<Vec<&'static str>> {
    use mobility::inference::{CiMethod, CutoffMode, ResampleUnit};
    Ok(match option {
        "rule" => mobility::Rule::NAMES.to_vec(),
        "ci" => CiMethod::NAMES.to_vec(),
        "cutoffs" => CutoffMode::NAMES.to_vec(),
        "resample" => ResampleUnit::NAMES.to_vec(),
        "ranks" => mobility::rankbased::RankBasis::NAMES.to_vec(),
        "closed" => mobility::quantile::Closed::NAMES.to_vec(),
        "weight_kind" => mobility::weights::WeightKind::NAMES.to_vec(),
        "correlation" => mobility::simulate::CorrelationKind::NAMES.to_vec(),
        "mobility_score" => mobility::places::report::MobilityScore::ALL
            .iter()
            .map(|s| s.name())
            .collect(),
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown option {option:?}"
            )));
        }
    })
}

/// The canonical name of an option value, parsed by the library (`FromStr`: any accepted
/// spelling, any case); `MobilityError` naming the accepted names otherwise.
#[pyfunction]
fn canonical_name(option: &str, value: &str) -> PyResult<&'static str> {
    use mobility::inference::{AnalyticMethod, CiMethod, CutoffMode};
    Ok(match option {
        "rule" => value.parse::<mobility::Rule>().py()?.name(),
        "ci" => value.parse::<CiMethod>().py()?.name(),
        "cutoffs" => value.parse::<CutoffMode>().py()?.name(),
        "method" => value.parse::<AnalyticMethod>().py()?.name(),
        "ranks" => value.parse::<mobility::rankbased::RankBasis>().py()?.name(),
        "mobility_score" => value
            .parse::<mobility::places::report::MobilityScore>()
            .py()?
            .name(),
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown option {option:?}"
            )));
        }
    })
}

/// The measures a compact view shows first (`mobility::registry::HEADLINE`), by name.
#[pyfunction]
fn headline_measures() -> Vec<&'static str> {
    mobility::registry::HEADLINE
        .iter()
        .map(|m| m.name())
        .collect()
}

#[pyfunction]
fn check_stochastic(p: Mat<'_>) -> PyResult<usize> {
    markov::check_stochastic(&p.as_array()).py()
}

#[pyfunction]
fn communicating_classes(p: Mat<'_>) -> PyResult<Vec<Vec<usize>>> {
    markov::communicating_classes(&p.as_array()).py()
}

#[pyfunction]
fn closed_classes(p: Mat<'_>) -> PyResult<Vec<Vec<usize>>> {
    markov::closed_classes(&p.as_array()).py()
}

#[pyfunction]
fn stationary_distribution<'py>(
    py: Python<'py>,
    p: Mat<'py>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    Ok(vec1(
        py,
        markov::stationary_distribution(&p.as_array()).py()?,
    ))
}

#[pyfunction]
fn stationary_distributions<'py>(
    py: Python<'py>,
    p: Mat<'py>,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    Ok(markov::stationary_distributions(&p.as_array())
        .py()?
        .into_iter()
        .map(|v| vec1(py, v))
        .collect())
}

#[pyfunction]
fn matrix_power<'py>(py: Python<'py>, p: Mat<'py>, n: u32) -> PyResult<Bound<'py, PyArray2<f64>>> {
    Ok(mat2(py, markov::matrix_power(&p.as_array(), n).py()?))
}

#[pyfunction]
fn mean_first_passage_times<'py>(
    py: Python<'py>,
    p: Mat<'py>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    Ok(mat2(
        py,
        markov::mean_first_passage_times(&p.as_array()).py()?,
    ))
}

#[pyfunction]
fn expected_stay<'py>(py: Python<'py>, p: Mat<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
    Ok(vec1(py, markov::expected_stay(&p.as_array()).py()?))
}

#[pyfunction]
fn expected_time_to_exit<'py>(
    py: Python<'py>,
    p: Mat<'py>,
    states: Vec<usize>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    Ok(vec1(
        py,
        markov::expected_time_to_exit(&p.as_array(), &states).py()?,
    ))
}

#[pyfunction]
#[pyo3(signature = (p, period_years=None))]
fn convergence<'py>(
    py: Python<'py>,
    p: Mat<'py>,
    period_years: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let c = markov::convergence(&p.as_array(), period_years).py()?;
    let d = PyDict::new(py);
    d.set_item(
        "lambda2",
        pyo3::types::PyComplex::from_doubles(py, c.lambda2.re, c.lambda2.im),
    )?;
    d.set_item("lambda2_modulus", c.lambda2_modulus)?;
    d.set_item("half_life", c.half_life)?;
    d.set_item("period_years", c.period_years)?;
    d.set_item("lambda2_modulus_per_year", c.lambda2_modulus_per_year)?;
    d.set_item("half_life_years", c.half_life_years)?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (beta, ratio, tolerance=0.05))]
fn generations_to_mean<'py>(
    py: Python<'py>,
    beta: f64,
    ratio: f64,
    tolerance: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let g = markov::generations_to_mean(beta, ratio, tolerance).py()?;
    let d = PyDict::new(py);
    d.set_item("generations", g.generations)?;
    d.set_item("beta", g.beta)?;
    d.set_item("ratio", g.ratio)?;
    d.set_item("tolerance", g.tolerance)?;
    d.set_item("initial_log_gap", g.initial_log_gap)?;
    d.set_item("final_log_gap", g.final_log_gap)?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (values, weights=None))]
fn fractional_ranks<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    weights: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let v = slice(&values);
    let w = weights.as_ref().map(slice);
    let r = py.detach(|| rank::fractional_ranks(&v, w.as_deref()));
    Ok(r.py()?.into_pyarray(py))
}

#[pyfunction]
fn class_of_rank(r: f64, k: usize) -> PyResult<usize> {
    mobility::error::check_k(k).py()?;
    if !(r.is_finite() && r > 0.0 && r <= 1.0) {
        return Err(py_err(mobility::MobilityError::invalid(
            mobility::error::Parameter::FractionalRank,
            format!("a fractional rank must lie in (0, 1], got {r}"),
        )));
    }
    Ok(rank::class_of_rank(r, k))
}

#[pyfunction]
fn class_labels(k: usize) -> PyResult<Vec<String>> {
    mobility::error::check_k(k).py()?;
    Ok(mobility::matrix::class_labels(k))
}

#[pyfunction]
fn published_table(name: &str) -> PyResult<PyTransitionMatrix> {
    published::by_name(name)
        .map(PyTransitionMatrix)
        .ok_or_else(|| {
            py_err(mobility::MobilityError::invalid(
                mobility::error::Parameter::Name,
                format!(
                    "'{name}' is not a built-in table; expected one of {}",
                    published::NAMES.join(", ")
                ),
            ))
        })
}

#[pyfunction]
fn published_names() -> Vec<&'static str> {
    published::NAMES.to_vec()
}

#[pyfunction]
fn uk_blanden_2005_printed<'py>(py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
    mat2(py, published::uk_blanden_2005_printed())
}
