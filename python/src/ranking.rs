//! Ranking places: confidence sets for ranks, tau-best / tau-worst, shrinkage, rank-rank
//! regression inference (the core's `mobility::ranking`). Results come back as dicts.

use mobility::ranking::{
    self, RankRankOptions, RankSetOptions, SetKind, ShrinkageOptions, SignalVariance, Uncertainty,
    WeightKind,
};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::args::{Vector, add_functions, pairs_to_py, with_pairs};
use crate::convert::{IntoPy, slice, to_py};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    add_functions!(
        m,
        rank_confidence_sets,
        tau_set,
        shrink,
        rank_rank_regression,
        rank_places,
    );
    Ok(())
}

/// Runs `f` on the uncertainty given as a covariance matrix or a vector of SEs.
fn with_uncertainty<T: Send>(
    py: Python<'_>,
    cov: Option<PyReadonlyArray2<'_, f64>>,
    se: Option<Vector<'_>>,
    f: impl FnOnce(&Uncertainty<'_>) -> mobility::Result<T> + Send,
) -> PyResult<T> {
    match (cov, se) {
        (Some(c), None) => {
            let view = c.as_array();
            let owned = view.to_owned();
            py.detach(|| f(&Uncertainty::Covariance(owned.view()))).py()
        }
        (None, Some(s)) => {
            let s = slice(&s).into_owned();
            py.detach(|| f(&Uncertainty::StandardErrors(&s))).py()
        }
        _ => Err(PyValueError::new_err(
            "pass exactly one of a covariance matrix or a vector of standard errors",
        )),
    }
}

/// Confidence sets for ranks (a dict: the core's RankConfidenceSets).
#[pyfunction]
#[pyo3(signature = (estimates, cov=None, se=None, coverage=0.95, kind="two-sided",
                    simultaneous=true, stepdown=true, draws=10000, seed=0,
                    largest_first=true, indices=None))]
#[allow(clippy::too_many_arguments)]
fn rank_confidence_sets<'py>(
    py: Python<'py>,
    estimates: Vector<'py>,
    cov: Option<PyReadonlyArray2<'py, f64>>,
    se: Option<Vector<'py>>,
    coverage: f64,
    kind: &str,
    simultaneous: bool,
    stepdown: bool,
    draws: usize,
    seed: u64,
    largest_first: bool,
    indices: Option<Vec<usize>>,
) -> PyResult<Bound<'py, PyAny>> {
    let est = slice(&estimates).into_owned();
    let o = RankSetOptions {
        coverage,
        kind: SetKind::parse(kind).py()?,
        simultaneous,
        stepdown,
        draws,
        seed,
        largest_first,
        indices,
        exhaustive_max: false,
    };
    let r = with_uncertainty(py, cov, se, |u| ranking::rank_confidence_sets(&est, u, &o))?;
    to_py(py, &r)
}

/// tau-best (`which="best"`) or tau-worst set (a dict: the core's TauSet).
#[pyfunction]
#[pyo3(signature = (estimates, tau, which, cov=None, se=None, coverage=0.95, stepdown=true,
                    draws=10000, seed=0, largest_first=true))]
#[allow(clippy::too_many_arguments)]
fn tau_set<'py>(
    py: Python<'py>,
    estimates: Vector<'py>,
    tau: usize,
    which: &str,
    cov: Option<PyReadonlyArray2<'py, f64>>,
    se: Option<Vector<'py>>,
    coverage: f64,
    stepdown: bool,
    draws: usize,
    seed: u64,
    largest_first: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let est = slice(&estimates).into_owned();
    let o = RankSetOptions {
        coverage,
        stepdown,
        draws,
        seed,
        largest_first,
        ..Default::default()
    };
    let best = match which {
        "best" => true,
        "worst" => false,
        _ => return Err(PyValueError::new_err("which must be 'best' or 'worst'")),
    };
    let r = with_uncertainty(py, cov, se, |u| {
        if best {
            ranking::tau_best(&est, u, tau, &o)
        } else {
            ranking::tau_worst(&est, u, tau, &o)
        }
    })?;
    to_py(py, &r)
}

/// Empirical-Bayes shrinkage (a dict: the core's Shrinkage).
#[pyfunction]
#[pyo3(signature = (estimates, se, method="moments", target=None))]
fn shrink<'py>(
    py: Python<'py>,
    estimates: Vector<'py>,
    se: Vector<'py>,
    method: &str,
    target: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let signal_variance: SignalVariance = method.parse().py()?;
    let (e, s) = (slice(&estimates), slice(&se));
    let o = ShrinkageOptions {
        signal_variance,
        target,
    };
    let r = py.detach(|| ranking::shrink(&e, &s, &o)).py()?;
    to_py(py, &r)
}

/// Rank-rank regressions with Chetverikov-Wilhelm SEs (a dict: the core's RankRankRegression).
#[pyfunction]
#[pyo3(signature = (parent, child, weights=None, groups=None, weight_kind="sampling",
                    covariance=true))]
fn rank_rank_regression<'py>(
    py: Python<'py>,
    parent: Vector<'py>,
    child: Vector<'py>,
    weights: Option<Vector<'py>>,
    groups: Option<PyReadonlyArray1<'py, i64>>,
    weight_kind: &str,
    covariance: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let weight_kind: WeightKind = weight_kind.parse().py()?;
    let g: Option<Vec<usize>> = match &groups {
        Some(a) => Some(
            a.as_array()
                .iter()
                .map(|&v| usize::try_from(v))
                .collect::<Result<_, _>>()
                .map_err(|_| PyValueError::new_err("group codes must be >= 0"))?,
        ),
        None => None,
    };
    let o = RankRankOptions {
        weight_kind,
        covariance,
    };
    pairs_to_py(py, &parent, &child, weights.as_ref(), |p, c, w| {
        ranking::rank_rank_regression(p, c, w, g.as_deref(), &o)
    })
}

/// The joint (or independent) places bootstrap and the places ranking (a dict with
/// `places_bootstrap`, the core's PlacesBootstrap with its covariance, and `ranking`, the core's
/// PlaceRanking).
#[pyfunction]
#[pyo3(signature = (parent, child, places, weights=None, measure="absolute_upward_mobility",
                    k=5, replicates=500, resample="joint", seed=0, min_size=0, coverage=0.95,
                    tau=10, draws=10000, simultaneous=true, clusters=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn rank_places<'py>(
    py: Python<'py>,
    parent: Vector<'py>,
    child: Vector<'py>,
    places: Vec<String>,
    weights: Option<Vector<'py>>,
    measure: &str,
    k: usize,
    replicates: usize,
    resample: &str,
    seed: u64,
    min_size: usize,
    coverage: f64,
    tau: usize,
    draws: usize,
    simultaneous: bool,
    clusters: Option<numpy::PyReadonlyArray1<'py, i64>>,
    progress: Option<PyRef<'py, crate::inference::PyProgressCounter>>,
) -> PyResult<Bound<'py, PyAny>> {
    use mobility::inference::places_bootstrap::{
        PlaceMeasure, PlaceResampling, PlacesBootstrapOptions, places_bootstrap,
    };
    let measure: PlaceMeasure = measure.parse().py()?;
    let resampling: PlaceResampling = resample.parse().py()?;
    let ids = clusters.as_ref().map(slice);
    let options = PlacesBootstrapOptions {
        seed,
        resampling,
        progress: progress.as_ref().map(|c| c.counter()),
        ..PlacesBootstrapOptions::new(k, measure, replicates)
    };
    let mut ro = ranking::PlaceRankingOptions {
        min_size,
        tau: (tau > 0).then_some(tau),
        ..Default::default()
    };
    ro.rank_sets.coverage = coverage;
    ro.rank_sets.seed = seed;
    ro.rank_sets.draws = draws;
    ro.rank_sets.simultaneous = simultaneous;
    let (boot, ranked) = with_pairs(py, &parent, &child, weights.as_ref(), |p, c, w| {
        let boot = places_bootstrap(p, c, w, &places, ids.as_deref(), &options)?;
        let ranked = ranking::rank_places(&boot, &ro)?;
        mobility::Result::Ok((boot, ranked))
    })
    .py()?;
    let out = pyo3::types::PyDict::new(py);
    out.set_item("places_bootstrap", to_py(py, &boot)?)?;
    out.set_item("ranking", to_py(py, &ranked)?)?;
    Ok(out.into_any())
}
