//! Beyond the matrix: rank and income measures, groups and places, levelling up.

use mobility::io::place_matrices;
use mobility::places::groups::{self, GroupOptions};
use mobility::places::report::{self, MobilityScore, PlaceTable, PlacesOptions};
use mobility::rankbased::{self, RankBasis};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::args::{Vector, add_functions, pairs_to_py, with_pairs};
use crate::convert::{self, IntoPy, slice, to_py};
use crate::matrix::{PyCutoffs, PyTransitionMatrix};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    add_functions!(
        m,
        rank_mobility,
        rank_mobility_national,
        kendall_tau_b,
        ige,
        absolute_mobility,
        binned_rank_means,
        by_group,
        read_place_matrices,
        places_report,
    );
    Ok(())
}

/// `#[pyfunction]`s `name(parent, child, weights=None)`: the core's `rankbased::name` of the
/// pairs (GIL released) as a dict.
macro_rules! pair_measures {
    ($($(#[doc = $doc:literal])+ $name:ident;)+) => {
        $(
            $(#[doc = $doc])+
            #[pyfunction]
            #[pyo3(signature = (parent, child, weights=None))]
            fn $name<'py>(
                py: Python<'py>,
                parent: Vector<'py>,
                child: Vector<'py>,
                weights: Option<Vector<'py>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                pairs_to_py(py, &parent, &child, weights.as_ref(), rankbased::$name)
            }
        )+
    };
}

pair_measures! {
    /// Rank and income measures of paired status (the core's `RankMobility` as a dict).
    rank_mobility;
    /// The intergenerational elasticity (a dict: elasticity, intercept, log_correlation, used,
    /// dropped).
    ige;
    /// Absolute mobility with both tie rules (a dict: greater, greater_or_equal).
    absolute_mobility;
}

/// Rank measures of a sub-population on national ranks (a dict).
#[pyfunction]
#[pyo3(signature = (parent, child, national_parent_ranks, national_child_ranks, weights=None))]
fn rank_mobility_national<'py>(
    py: Python<'py>,
    parent: Vector<'py>,
    child: Vector<'py>,
    national_parent_ranks: Vector<'py>,
    national_child_ranks: Vector<'py>,
    weights: Option<Vector<'py>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (rp, rc) = (slice(&national_parent_ranks), slice(&national_child_ranks));
    pairs_to_py(py, &parent, &child, weights.as_ref(), |p, c, w| {
        rankbased::rank_mobility_national(p, c, w, &rp, &rc)
    })
}

/// Kendall's tau-b with ties (None when either variable is constant).
#[pyfunction]
#[pyo3(signature = (x, y, weights=None))]
fn kendall_tau_b(
    py: Python<'_>,
    x: Vector<'_>,
    y: Vector<'_>,
    weights: Option<Vector<'_>>,
) -> PyResult<Option<f64>> {
    with_pairs(py, &x, &y, weights.as_ref(), rankbased::kendall_tau_b).py()
}

/// Mean child rank in `bins` equal bins of parent rank with the fitted rank-rank line (the core's
/// `BinnedRanks` as a dict: bins, n, total_weight, rows, slope, intercept; ranks on 0-100).
#[pyfunction]
#[pyo3(signature = (parent, child, weights=None, bins=20))]
fn binned_rank_means<'py>(
    py: Python<'py>,
    parent: Vector<'py>,
    child: Vector<'py>,
    weights: Option<Vector<'py>>,
    bins: usize,
) -> PyResult<Bound<'py, PyAny>> {
    pairs_to_py(py, &parent, &child, weights.as_ref(), |p, c, w| {
        mobility::binned::binned_rank_means(p, c, w, bins)
    })
}

fn rank_basis(basis: &str) -> PyResult<RankBasis> {
    basis.parse::<RankBasis>().py()
}

/// One row per group (integer group codes): the core's `GroupTable` as a dict whose `matrix`
/// entries (and `national`) are compiled `TransitionMatrix` objects.
#[pyfunction]
#[pyo3(signature = (parent, child, groups, weights=None, k=5, rule="midrank", ranks="national",
    pi=None))]
#[allow(clippy::too_many_arguments)]
fn by_group<'py>(
    py: Python<'py>,
    parent: Vector<'py>,
    child: Vector<'py>,
    groups: PyReadonlyArray1<'py, i64>,
    weights: Option<Vector<'py>>,
    k: usize,
    rule: &str,
    ranks: &str,
    pi: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = GroupOptions {
        k,
        rule: convert::rule(rule)?,
        basis: rank_basis(ranks)?,
        weighting: convert::weighting(pi)?,
    };
    let g = slice(&groups);
    let table = with_pairs(py, &parent, &child, weights.as_ref(), |p, c, w| {
        groups::by_group(p, c, w, &g[..], &options)
    })
    .py()?;
    // Plain data from serde, then the matrices and cut-offs as compiled objects.
    let d = to_py(py, &table)?;
    let rows = d.get_item("rows")?;
    let rows = rows.cast::<PyList>()?;
    for (row, r) in rows.iter().zip(&table.rows) {
        row.set_item("matrix", Py::new(py, PyTransitionMatrix(r.matrix.clone()))?)?;
    }
    d.set_item(
        "national",
        Py::new(py, PyTransitionMatrix(table.national.clone()))?,
    )?;
    d.set_item(
        "national_parent_cutoffs",
        Py::new(py, PyCutoffs(table.national_parent_cutoffs.clone()))?,
    )?;
    d.set_item(
        "national_child_cutoffs",
        Py::new(py, PyCutoffs(table.national_child_cutoffs.clone()))?,
    )?;
    Ok(d)
}

/// Published place matrices (Chetty et al. 2014, Online Data Table 6 layout) as a list of dicts.
#[pyfunction]
fn read_place_matrices(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let places = py
        .detach(|| place_matrices::read_place_matrices(&path))
        .py()?;
    to_py(py, &places)
}

/// Places ranked on levelling up and on mobility (the core's `PlacesReport` as a dict). The
/// places come as JSON text (the core's `PlaceTable` list).
#[pyfunction]
#[pyo3(signature = (places_json, mobility_score="bottom_to_top", row_tolerance=0.01,
    contrast_fraction=0.2, pi=None))]
fn places_report<'py>(
    py: Python<'py>,
    places_json: &str,
    mobility_score: &str,
    row_tolerance: f64,
    contrast_fraction: f64,
    pi: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let places: Vec<PlaceTable> = convert::from_json(places_json, "place tables")?;
    let options = PlacesOptions {
        mobility_score: mobility_score.parse::<MobilityScore>().py()?,
        row_tolerance,
        contrast_fraction,
        weighting: convert::weighting(pi)?,
    };
    let r = py
        .detach(|| report::places_report(&places, &options))
        .py()?;
    to_py(py, &r)
}
