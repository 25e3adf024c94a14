//! Inference: the bootstrap, analytic standard errors and comparisons of groups or periods.

use mobility::inference::{
    self as inf, AnalyticOptions, Bandwidth, Bootstrap, BootstrapResult, CiMethod, CutoffMode,
    Group, RowCounts, Selection,
};
use mobility::{ClassSpec, WeightKind};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::args::{Pairs, add_functions, pairs_to_py};
use crate::convert::{self, IntoPy, slice, to_py};
use crate::matrix::{Classes, PyCutoffs, PyTransitionMatrix};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBootstrapResult>()?;
    m.add_class::<PyProgressCounter>()?;
    add_functions!(
        m,
        bootstrap,
        rank_bootstrap_json,
        bootstrap_difference,
        row_multinomial,
        quantile_copula,
        kish_row_counts,
        homogeneity,
        joint_homogeneity,
        altham_bootstrap,
    );
    Ok(())
}

/// Which statistics: `None`/`"all"`, `"measures"` or a sequence of names.
fn selection(statistics: Option<&Bound<'_, PyAny>>) -> PyResult<Selection> {
    let Some(s) = convert::given(statistics) else {
        return Ok(Selection::All);
    };
    if let Ok(text) = s.cast::<PyString>() {
        let text: String = text.extract()?;
        return match text.trim().to_ascii_lowercase().as_str() {
            "all" | "measures" => text.parse::<Selection>().py(),
            _ => Ok(Selection::Names(vec![text])),
        };
    }
    match s.extract::<Vec<String>>() {
        Ok(names) => Ok(Selection::Names(names)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "statistics must be 'all', 'measures' or a list of names, not {}",
            s.get_type().name()?
        ))),
    }
}

fn ci_method(ci: &str) -> PyResult<CiMethod> {
    ci.parse::<CiMethod>().py()
}

fn cutoff_mode(mode: &str) -> PyResult<CutoffMode> {
    mode.parse::<CutoffMode>().py()
}

/// The bootstrap's settings as one argument, the dict `mobility._args.BootstrapOptions` (every
/// key given: the package's public functions hold the defaults). The same options serve
/// `bootstrap`, `rank_bootstrap_json` and `bootstrap_difference`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct BootstrapOptions<'py> {
    replicates: usize,
    seed: u64,
    ci: String,
    level: f64,
    cutoffs: String,
    pi: Option<Bound<'py, PyAny>>,
    jackknife_groups: usize,
    statistics: Option<Bound<'py, PyAny>>,
    weight_kind: String,
}

impl BootstrapOptions<'_> {
    /// The core's builder of these settings (each value checked).
    fn builder(&self) -> PyResult<Bootstrap> {
        Ok(Bootstrap::new(self.replicates)
            .seed(self.seed)
            .ci(ci_method(&self.ci)?)
            .level(self.level)
            .cutoffs(cutoff_mode(&self.cutoffs)?)
            .weighting(convert::weighting(self.pi.as_ref())?)
            .jackknife_groups(self.jackknife_groups)
            .statistics(selection(self.statistics.as_ref())?)
            .weight_kind(self.weight_kind.parse::<WeightKind>().py()?))
    }
}

/// The builder with what a single run (not a comparison) takes besides: the progress counter
/// and the cluster ids, when given.
fn with_progress_and_clusters(
    mut boot: Bootstrap,
    progress: Option<&PyProgressCounter>,
    clusters: Option<&PyReadonlyArray1<'_, i64>>,
) -> Bootstrap {
    if let Some(counter) = progress {
        boot = boot.progress(counter.counter());
    }
    if let Some(ids) = clusters {
        boot = boot.clusters(&slice(ids)[..]);
    }
    boot
}

/// A count of finished replicates shared with a running bootstrap (the core's
/// `progress::ProgressCounter`): read `done()` from another thread while the GIL is released.
#[pyclass(module = "mobility._mobility", name = "ProgressCounter", frozen)]
#[derive(Clone, Default)]
pub struct PyProgressCounter(mobility::progress::ProgressCounter);

#[pymethods]
impl PyProgressCounter {
    #[new]
    fn new() -> Self {
        PyProgressCounter::default()
    }

    /// Replicates (and jackknife groups) finished so far.
    fn done(&self) -> u64 {
        self.0.done()
    }
}

impl PyProgressCounter {
    /// The shared core counter.
    pub fn counter(&self) -> mobility::progress::ProgressCounter {
        self.0.clone()
    }
}

/// A bootstrap run of every selected statistic (the core's `BootstrapResult`).
#[pyclass(module = "mobility._mobility", name = "BootstrapResult", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyBootstrapResult(pub BootstrapResult);

impl PyBootstrapResult {
    fn find(&self, name: &str) -> PyResult<&inf::StatisticSummary> {
        self.0.get(name).ok_or_else(|| {
            PyKeyError::new_err(format!(
                "{name:?} is not a statistic of this bootstrap (names: measures such as \
                 'shorrocks_trace', cells 'p_1_1', per-class entries 'persistence_1')"
            ))
        })
    }
}

#[pymethods]
impl PyBootstrapResult {
    /// A result from its JSON form (as written by `to_json`).
    #[staticmethod]
    fn from_json(s: &str) -> PyResult<Self> {
        Ok(PyBootstrapResult(convert::from_json(
            s,
            "bootstrap result",
        )?))
    }

    /// JSON text (the core's serde form, replicates included).
    fn to_json(&self) -> PyResult<String> {
        convert::to_json(&self.0)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let ctor = py.get_type::<PyBootstrapResult>().getattr("from_json")?;
        PyTuple::new(py, [ctor, PyTuple::new(py, [self.to_json()?])?.into_any()])
    }

    /// The run's settings: k, replicates, seed, level, ci, cutoffs, resampling, jackknife
    /// groups, weighting.
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_py(py, &self.0.settings())?
            .cast_into::<PyDict>()
            .map_err(Into::into)
    }

    /// Statistic names, in result order.
    fn names(&self) -> Vec<String> {
        self.0.statistics.iter().map(|s| s.name.clone()).collect()
    }

    /// One list per column of the tidy table (None where undefined).
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        use mobility::inference::Statistic;
        let stats = &self.0.statistics;
        let d = PyDict::new(py);
        let col = |f: &dyn Fn(&inf::StatisticSummary) -> Option<f64>| -> Vec<Option<f64>> {
            stats.iter().map(f).collect()
        };
        d.set_item(
            "statistic",
            stats.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        )?;
        let mut kind = Vec::new();
        let mut row = Vec::new();
        let mut colno = Vec::new();
        let mut class = Vec::new();
        let mut vector = Vec::new();
        for s in stats {
            match &s.statistic {
                Statistic::Measure { .. } => {
                    kind.push("measure");
                    row.push(None);
                    colno.push(None);
                    class.push(None);
                    vector.push(None);
                }
                Statistic::Cell { row: r, col: c } => {
                    kind.push("cell");
                    row.push(Some(*r));
                    colno.push(Some(*c));
                    class.push(None);
                    vector.push(None);
                }
                Statistic::Class {
                    vector: v,
                    class: c,
                } => {
                    kind.push("class");
                    row.push(None);
                    colno.push(None);
                    class.push(Some(*c));
                    vector.push(Some(v.name()));
                }
            }
        }
        d.set_item("kind", kind)?;
        d.set_item("row", row)?;
        d.set_item("col", colno)?;
        d.set_item("class", class)?;
        d.set_item("vector", vector)?;
        d.set_item("estimate", col(&|s| s.estimate))?;
        d.set_item("se", col(&|s| s.se))?;
        d.set_item("ci_low", col(&|s| s.ci_low))?;
        d.set_item("ci_high", col(&|s| s.ci_high))?;
        d.set_item("percentile_low", col(&|s| s.percentile.map(|i| i.low)))?;
        d.set_item("percentile_high", col(&|s| s.percentile.map(|i| i.high)))?;
        d.set_item("bca_low", col(&|s| s.bca.map(|i| i.low)))?;
        d.set_item("bca_high", col(&|s| s.bca.map(|i| i.high)))?;
        d.set_item("bias_correction", col(&|s| s.bias_correction))?;
        d.set_item("acceleration", col(&|s| s.acceleration))?;
        d.set_item(
            "undefined_replicates",
            stats
                .iter()
                .map(|s| s.undefined_replicates)
                .collect::<Vec<_>>(),
        )?;
        d.set_item(
            "note",
            stats.iter().map(|s| s.note.clone()).collect::<Vec<_>>(),
        )?;
        Ok(d)
    }

    /// The defined replicate values of one statistic, in replicate order.
    fn replicates<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(self.find(name)?.replicates.clone().into_pyarray(py))
    }

    /// All `B` replicate values of one statistic, NaN where it was undefined.
    fn replicate_values<'py>(
        &self,
        py: Python<'py>,
        name: &str,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(self
            .find(name)?
            .replicate_values()
            .into_iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect::<Vec<f64>>()
            .into_pyarray(py))
    }

    /// Indices (0-based) of the replicates in which a statistic was undefined.
    fn undefined_at(&self, name: &str) -> PyResult<Vec<usize>> {
        Ok(self.find(name)?.undefined_at.clone())
    }

    /// One statistic's summary as a dict (replicates left out).
    fn get<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let mut s = self.find(name)?.clone();
        s.replicates = Vec::new();
        s.undefined_at = Vec::new();
        to_py(py, &s)
    }

    fn __len__(&self) -> usize {
        self.0.statistics.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "BootstrapResult(k={}, replicates={}, seed={}, statistics={})",
            self.0.k,
            self.0.replicate_count,
            self.0.seed,
            self.0.statistics.len()
        )
    }
}

/// The bootstrap of paired status `(parent, child, weights)` over the given classes (GIL
/// released while the replicates run).
#[pyfunction]
#[pyo3(signature = (data, classes, options, clusters=None, progress=None))]
fn bootstrap(
    py: Python<'_>,
    data: Pairs<'_>,
    classes: Classes<'_>,
    options: BootstrapOptions<'_>,
    clusters: Option<PyReadonlyArray1<'_, i64>>,
    progress: Option<PyRef<'_, PyProgressCounter>>,
) -> PyResult<PyBootstrapResult> {
    let spec = classes.spec()?;
    let boot = options.builder()?;
    let boot = with_progress_and_clusters(boot, progress.as_deref(), clusters.as_ref());
    let result = data.with(py, |p, c, w| boot.run(p, c, w, &spec));
    Ok(PyBootstrapResult(result.py()?))
}

/// The bootstrap of the rank and income measures on the same draws as [`bootstrap`] with the
/// same options and `clusters` (the CLI's `rank_inference`; the cut-off mode, `pi` and
/// `statistics` do not change the rank measures): the core's `EstimateTable` as JSON text, or
/// `None` where the rank measures are undefined on the full sample (every parent with the same
/// status), as in the CLI.
#[pyfunction]
#[pyo3(signature = (data, options, clusters=None, progress=None))]
fn rank_bootstrap_json(
    py: Python<'_>,
    data: Pairs<'_>,
    options: BootstrapOptions<'_>,
    clusters: Option<PyReadonlyArray1<'_, i64>>,
    progress: Option<PyRef<'_, PyProgressCounter>>,
) -> PyResult<Option<String>> {
    let boot = options.builder()?;
    let boot = with_progress_and_clusters(boot, progress.as_deref(), clusters.as_ref());
    // the checks that do not depend on the data fail loudly, as in `bootstrap`
    mobility::limits::check_replicates(options.replicates).py()?;
    let result = data.with(py, |p, c, w| {
        mobility::inference::rank_bootstrap::rank_bootstrap(p, c, w, &boot)
    });
    match result {
        Ok(r) => Ok(Some(convert::to_json(&r.estimates())?)),
        Err(_) => Ok(None),
    }
}

/// One group's arrays for `bootstrap_difference`: `((parent, child, weights), clusters)`.
type GroupArrays<'py> = (Pairs<'py>, Option<PyReadonlyArray1<'py, i64>>);

fn cluster_ids(ids: &Option<PyReadonlyArray1<'_, i64>>) -> Option<Vec<u64>> {
    ids.as_ref()
        .map(|a| a.as_array().iter().map(|&x| x as u64).collect())
}

/// `theta_A - theta_B` for every statistic: group A's run, group B's run and the differences
/// (a result with group A's settings).
#[pyfunction]
fn bootstrap_difference(
    py: Python<'_>,
    a: GroupArrays<'_>,
    b: GroupArrays<'_>,
    classes: Classes<'_>,
    options: BootstrapOptions<'_>,
) -> PyResult<(PyBootstrapResult, PyBootstrapResult, PyBootstrapResult)> {
    let spec: ClassSpec = classes.spec()?;
    let boot = options.builder()?;
    let (ap, ac, aw) = a.0.slices();
    let acl = cluster_ids(&a.1);
    let (bp, bc, bw) = b.0.slices();
    let bcl = cluster_ids(&b.1);
    let result = py.detach(|| {
        let ga = Group {
            parent: &ap,
            child: &ac,
            weights: aw.as_deref(),
            clusters: acl.as_deref(),
        };
        let gb = Group {
            parent: &bp,
            child: &bc,
            weights: bw.as_deref(),
            clusters: bcl.as_deref(),
        };
        inf::bootstrap_difference(&boot, &ga, &gb, &spec)
    });
    let r = result.py()?;
    let diff = BootstrapResult {
        statistics: r.differences,
        ..r.a.clone()
    };
    Ok((
        PyBootstrapResult(r.a),
        PyBootstrapResult(r.b),
        PyBootstrapResult(diff),
    ))
}

fn analytic_options(
    pi: Option<&Bound<'_, PyAny>>,
    level: f64,
    statistics: Option<&Bound<'_, PyAny>>,
    bandwidth: Option<f64>,
) -> PyResult<AnalyticOptions> {
    Ok(AnalyticOptions {
        weighting: convert::weighting(pi)?,
        level,
        selection: selection(statistics)?,
        bandwidth: bandwidth.map_or(Bandwidth::Auto, Bandwidth::Value),
        ..Default::default()
    })
}

/// Row-multinomial delta-method standard errors (the core's `AnalyticResult` as a dict).
#[pyfunction]
#[pyo3(signature = (tm, row_counts=None, pi=None, level=0.95, statistics=None))]
fn row_multinomial<'py>(
    py: Python<'py>,
    tm: PyRef<'py, PyTransitionMatrix>,
    row_counts: Option<Vec<f64>>,
    pi: Option<&Bound<'py, PyAny>>,
    level: f64,
    statistics: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = analytic_options(pi, level, statistics, None)?;
    let rows = row_counts.map_or(RowCounts::Observed, RowCounts::Effective);
    let r = inf::row_multinomial(&tm.0, &rows, &options).py()?;
    to_py(py, &r)
}

/// Empirical-copula standard errors of the quantile matrix (GIL released).
#[pyfunction]
#[pyo3(signature = (parent, child, weights=None, k=5, pi=None, level=0.95, statistics=None,
    bandwidth=None, rule="midrank", weight_kind="sampling"))]
#[allow(clippy::too_many_arguments)]
fn quantile_copula<'py>(
    py: Python<'py>,
    parent: PyReadonlyArray1<'py, f64>,
    child: PyReadonlyArray1<'py, f64>,
    weights: Option<PyReadonlyArray1<'py, f64>>,
    k: usize,
    pi: Option<&Bound<'py, PyAny>>,
    level: f64,
    statistics: Option<&Bound<'py, PyAny>>,
    bandwidth: Option<f64>,
    rule: &str,
    weight_kind: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let options = AnalyticOptions {
        rule: convert::rule(rule)?,
        weight_kind: weight_kind.parse::<WeightKind>().py()?,
        ..analytic_options(pi, level, statistics, bandwidth)?
    };
    pairs_to_py(py, &parent, &child, weights.as_ref(), |p, c, w| {
        inf::quantile_copula(p, c, w, k, &options)
    })
}

/// Kish effective counts per parent class.
#[pyfunction]
#[pyo3(signature = (parent, weights, cutoffs))]
fn kish_row_counts(
    py: Python<'_>,
    parent: PyReadonlyArray1<'_, f64>,
    weights: Option<PyReadonlyArray1<'_, f64>>,
    cutoffs: PyRef<'_, PyCutoffs>,
) -> PyResult<Vec<f64>> {
    let p = slice(&parent);
    let w = weights.as_ref().map(slice);
    let cuts = cutoffs.0.clone();
    py.detach(|| inf::kish_row_counts(&p, w.as_deref(), &cuts))
        .py()
}

/// `#[pyfunction]`s `name(tables)`: the core's homogeneity test `inference::name` of the count
/// tables, as a dict.
macro_rules! homogeneity_tests {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {
        $(
            $(#[$doc])*
            #[pyfunction]
            fn $name<'py>(
                py: Python<'py>,
                tables: Vec<PyReadonlyArray2<'py, f64>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let views: Vec<_> = tables.iter().map(|t| t.as_array()).collect();
                to_py(py, &inf::$name(&views).py()?)
            }
        )+
    };
}

homogeneity_tests!(
    /// Homogeneity test of count tables, by origin row (a dict).
    homogeneity,
    /// Homogeneity test of the whole joint tables (a dict).
    joint_homogeneity,
);

/// Altham's distance between two count tables with a multinomial bootstrap (a dict; the
/// replicates as a numpy array).
#[pyfunction]
#[pyo3(signature = (p, q, replicates=1000, seed=0, level=0.95))]
fn altham_bootstrap<'py>(
    py: Python<'py>,
    p: PyReadonlyArray2<'py, f64>,
    q: PyReadonlyArray2<'py, f64>,
    replicates: usize,
    seed: u64,
    level: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let (pv, qv) = (p.as_array(), q.as_array());
    let mut r = py
        .detach(|| inf::altham_bootstrap(pv, qv, replicates, seed, level))
        .py()?;
    let reps = std::mem::take(&mut r.replicates);
    let d = to_py(py, &r)?;
    d.set_item("replicates", reps.into_pyarray(py))?;
    Ok(d)
}
