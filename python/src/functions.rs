//! Plain functions: measures over a matrix, Markov dynamics, ranks, published tables.

use mobility::{markov, measures, published, rank};
use numpy::{Complex64, IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::{add_functions, set_fields};
use crate::convert::{IntoPy, mat2, py_err, slice, to_py, vec1};
use crate::matrix::PyTransitionMatrix;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // measures
    add_matrix_measures(m)?;
    add_weighted_measures(m)?;
    add_functions!(
        m,
        eigenvalues,
        altham_distance,
        measure_table,
        measure_registry,
        option_names,
        canonical_name,
        headline_measures,
    );
    // markov
    add_functions!(
        m,
        check_stochastic,
        communicating_classes,
        closed_classes,
        stationary_distribution,
        stationary_distributions,
        matrix_power,
        mean_first_passage_times,
        expected_stay,
        expected_time_to_exit,
        convergence,
        generations_to_mean,
    );
    // ranks and labels
    add_functions!(m, fractional_ranks, class_of_rank, class_labels,);
    // published tables
    add_functions!(m, published_table, published_names, uk_blanden_2005_printed,);
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

/// `#[pyfunction]`s `name(p)`: the core's `measures::name` of the matrix `p`; `add` adds them
/// to the module.
macro_rules! matrix_measures {
    ($add:ident; $($name:ident),+ $(,)?) => {
        $(
            #[pyfunction]
            fn $name(p: Mat<'_>) -> PyResult<f64> {
                measures::$name(&p.as_array()).py()
            }
        )+

        fn $add(m: &Bound<'_, PyModule>) -> PyResult<()> {
            add_functions!(m, $($name),+);
            Ok(())
        }
    };
}

/// `#[pyfunction]`s `name(p, pi=None)`: the core's `measures::name` of the matrix `p` under the
/// origin weights `pi` ([`pi_or_uniform`]); `add` adds them to the module.
macro_rules! weighted_measures {
    ($add:ident; $($name:ident),+ $(,)?) => {
        $(
            #[pyfunction]
            #[pyo3(signature = (p, pi=None))]
            fn $name(p: Mat<'_>, pi: Option<Vec<f64>>) -> PyResult<f64> {
                let pi = pi_or_uniform(&p, pi);
                measures::$name(&p.as_array(), &pi).py()
            }
        )+

        fn $add(m: &Bound<'_, PyModule>) -> PyResult<()> {
            add_functions!(m, $($name),+);
            Ok(())
        }
    };
}

matrix_measures!(add_matrix_measures; shorrocks_trace, determinant_shorrocks, determinant_giddy,
    second_eigenvalue, eigenvalue_sum, altham_independence);

weighted_measures!(add_weighted_measures; bartholomew, mean_class_jump, immobility_ratio,
    upward_share, downward_share, giddy_b1);

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
fn altham_distance(p: Mat<'_>, q: Mat<'_>) -> PyResult<f64> {
    measures::altham_distance(&p.as_array(), &q.as_array()).py()
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

/// `#[pyfunction]`s `name(p)`: the core's `markov::name` of the matrix `p` as a numpy array
/// (`$array`, built by `$to`: [`vec1`] for a vector, [`mat2`] for a matrix).
macro_rules! markov_arrays {
    ($($name:ident -> $array:ident by $to:ident),+ $(,)?) => {
        $(
            #[pyfunction]
            fn $name<'py>(py: Python<'py>, p: Mat<'py>) -> PyResult<Bound<'py, $array<f64>>> {
                Ok($to(py, markov::$name(&p.as_array()).py()?))
            }
        )+
    };
}

markov_arrays!(
    stationary_distribution -> PyArray1 by vec1,
    mean_first_passage_times -> PyArray2 by mat2,
    expected_stay -> PyArray1 by vec1,
);

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
    set_fields!(d, c; lambda2_modulus, half_life, period_years, lambda2_modulus_per_year,
        half_life_years);
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
    set_fields!(d, g; generations, beta, ratio, tolerance, initial_log_gap, final_log_gap);
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
