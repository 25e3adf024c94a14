//! `TransitionMatrix` and `Cutoffs`: thin wrappers over the core types.

use mobility::matrix::ProbabilityOptions;
use mobility::quantile::{Closed, CutoffSource, Cutoffs};
use mobility::{ClassSpec, TransitionCounts, TransitionMatrix};
use numpy::{
    AllowTypeChange, Complex64, IntoPyArray, PyArray1, PyArrayLike1, PyReadonlyArray1,
    PyReadonlyArray2,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::args::{Pairs, set_fields};
use crate::convert::{self, IntoPy, mat2, py_err, slice, vec1};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCutoffs>()?;
    m.add_class::<PyTransitionMatrix>()?;
    Ok(())
}

/// Cut-offs in status units that define `k` classes (`k - 1` cuts, from the bottom).
///
/// A unit with status `x` is in class `<= m` when `x < value_m`, or `x == value_m` and cut `m`
/// is inclusive. Quantile cut-offs of a reference population (national ranks for a place) and
/// fixed income bands use the same rule.
#[pyclass(module = "mobility._mobility", name = "Cutoffs", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyCutoffs(pub Cutoffs);

#[pymethods]
impl PyCutoffs {
    /// Quantile cut-offs of `values` for `k` classes under a tie `rule`.
    #[staticmethod]
    #[pyo3(signature = (values, weights=None, k=5, rule="midrank"))]
    fn quantiles(
        py: Python<'_>,
        values: PyArrayLike1<'_, f64, AllowTypeChange>,
        weights: Option<PyArrayLike1<'_, f64, AllowTypeChange>>,
        k: usize,
        rule: &str,
    ) -> PyResult<Self> {
        let rule = convert::rule(rule)?;
        let v = slice(&values);
        let w = weights.as_ref().map(|w| slice(w));
        let cuts = py.detach(|| Cutoffs::quantiles(&v, w.as_deref(), k, rule));
        Ok(PyCutoffs(cuts.py()?))
    }

    /// Fixed cut-offs: the `k - 1` inner bounds in status units, strictly increasing.
    /// `closed="left"`: bands `[b_{m-1}, b_m)` (a unit on a bound goes up); `"right"`: `(b_{m-1}, b_m]`.
    #[staticmethod]
    #[pyo3(signature = (bounds, closed="left"))]
    fn fixed(bounds: Vec<f64>, closed: &str) -> PyResult<Self> {
        let closed: Closed = closed.parse().py()?;
        Ok(PyCutoffs(Cutoffs::fixed(&bounds, closed).py()?))
    }

    /// Cut-offs from their JSON form (as written by `to_json`).
    #[staticmethod]
    fn from_json(s: &str) -> PyResult<Self> {
        let c: Cutoffs = convert::from_json(s, "cut-offs")?;
        // Re-validate through the checked constructor.
        Ok(PyCutoffs(
            Cutoffs::from_cuts(c.cuts().to_vec(), c.source()).py()?,
        ))
    }

    /// The number of classes.
    #[getter]
    fn k(&self) -> usize {
        self.0.k()
    }

    /// The cut-off values in status units, from the bottom.
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.0.values().into_pyarray(py)
    }

    /// For each cut, whether a unit exactly on it belongs to the lower class.
    #[getter]
    fn inclusive(&self) -> Vec<bool> {
        self.0.cuts().iter().map(|c| c.inclusive).collect()
    }

    /// Where the cut-offs came from: a rule name (`"midrank"`, `"giddy"`, ...) or `"fixed"`.
    #[getter]
    fn source(&self) -> String {
        match self.0.source() {
            CutoffSource::Quantiles(rule) => rule.name().to_string(),
            CutoffSource::Fixed => "fixed".to_string(),
        }
    }

    /// The class (1-based, from the bottom) of one value.
    fn class_of(&self, x: f64) -> PyResult<usize> {
        self.0.class_of(x).py()
    }

    /// Classes (1-based) of many values, as an int64 array.
    fn classify<'py>(
        &self,
        py: Python<'py>,
        values: PyArrayLike1<'py, f64, AllowTypeChange>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let v = slice(&values);
        let classes = py.detach(|| {
            self.0
                .classify(&v)
                .map(|c| c.into_iter().map(i64::from).collect::<Vec<i64>>())
        });
        Ok(classes.py()?.into_pyarray(py))
    }

    /// JSON text (the core's serde form).
    fn to_json(&self) -> PyResult<String> {
        convert::to_json(&self.0)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let ctor = py.get_type::<PyCutoffs>().getattr("from_json")?;
        PyTuple::new(py, [ctor, PyTuple::new(py, [self.to_json()?])?.into_any()])
    }

    fn __repr__(&self) -> String {
        format!(
            "Cutoffs(k={}, source={:?}, values={:?}, inclusive={})",
            self.0.k(),
            self.source(),
            self.0.values(),
            format!("{:?}", self.inclusive())
                .replace("true", "True")
                .replace("false", "False")
        )
    }
}

/// The compiled transition matrix (the package wraps it in `mobility.TransitionMatrix`).
#[pyclass(module = "mobility._mobility", name = "TransitionMatrix", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyTransitionMatrix(pub TransitionMatrix);

/// The classes from `k` and a tie rule, or from both cut-offs (then `k` and `rule` are not used).
pub fn class_spec(
    k: usize,
    rule: &str,
    parent_cutoffs: Option<&PyCutoffs>,
    child_cutoffs: Option<&PyCutoffs>,
) -> PyResult<ClassSpec> {
    match (parent_cutoffs, child_cutoffs) {
        (None, None) => Ok(ClassSpec::Quantiles {
            k,
            rule: convert::rule(rule)?,
        }),
        (Some(p), Some(c)) => Ok(ClassSpec::Cutoffs {
            parent: p.0.clone(),
            child: c.0.clone(),
        }),
        _ => Err(PyValueError::new_err(
            "give both parent_cutoffs and child_cutoffs, or neither",
        )),
    }
}

/// The class specification as one argument: the dict `mobility._args.ClassSpec` the package
/// keeps as `TransitionMatrix._spec` (`k`, `rule` and, optionally, both cut-offs; its other
/// keys, such as `weight_kind`, are not read here).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Classes<'py> {
    k: usize,
    rule: String,
    #[pyo3(default)]
    parent_cutoffs: Option<PyRef<'py, PyCutoffs>>,
    #[pyo3(default)]
    child_cutoffs: Option<PyRef<'py, PyCutoffs>>,
}

impl Classes<'_> {
    /// The core's class specification ([`class_spec`]).
    pub fn spec(&self) -> PyResult<ClassSpec> {
        class_spec(
            self.k,
            &self.rule,
            self.parent_cutoffs.as_deref(),
            self.child_cutoffs.as_deref(),
        )
    }
}

#[pymethods]
impl PyTransitionMatrix {
    /// The transition matrix of paired status `(parent, child, weights)` over the given classes
    /// (O(n), GIL released).
    #[staticmethod]
    fn from_status(py: Python<'_>, data: Pairs<'_>, classes: Classes<'_>) -> PyResult<Self> {
        let spec = classes.spec()?;
        let tm = data.with(py, |p, c, w| TransitionMatrix::from_status(p, c, w, &spec));
        Ok(PyTransitionMatrix(tm.py()?))
    }

    /// The matrix of classes the user already has (integers 1..=k).
    #[staticmethod]
    #[pyo3(signature = (parent, child, k, weights=None))]
    fn from_classes(
        py: Python<'_>,
        parent: PyReadonlyArray1<'_, i64>,
        child: PyReadonlyArray1<'_, i64>,
        k: usize,
        weights: Option<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Self> {
        let (p, c) = (parent.as_array(), child.as_array());
        let w = weights.as_ref().map(slice);
        let tm = py.detach(|| -> mobility::Result<TransitionMatrix> {
            let to_usize = |a: numpy::ndarray::ArrayView1<'_, i64>, what: &str| {
                a.iter()
                    .enumerate()
                    .map(|(index, &class)| {
                        usize::try_from(class).map_err(|_| {
                            mobility::MobilityError::ClassOutOfRange {
                                what: what.into(),
                                index,
                                class,
                                k,
                            }
                        })
                    })
                    .collect::<mobility::Result<Vec<usize>>>()
            };
            let p = to_usize(p, "parent classes")?;
            let c = to_usize(c, "child classes")?;
            Ok(TransitionCounts::from_classes(&p, &c, w.as_deref(), k)?.to_matrix())
        });
        Ok(PyTransitionMatrix(tm.py()?))
    }

    /// The matrix of a k x k count table (parents in rows, from the bottom).
    #[staticmethod]
    fn from_counts(table: PyReadonlyArray2<'_, f64>) -> PyResult<Self> {
        Ok(PyTransitionMatrix(
            TransitionMatrix::from_counts(table.as_array()).py()?,
        ))
    }

    /// The matrix of a published probability table.
    #[staticmethod]
    #[pyo3(signature = (table, parent_shares=None, renormalise=false, child_in_rows=false, tolerance=1e-6))]
    fn from_probabilities(
        table: PyReadonlyArray2<'_, f64>,
        parent_shares: Option<Vec<f64>>,
        renormalise: bool,
        child_in_rows: bool,
        tolerance: f64,
    ) -> PyResult<Self> {
        let options = ProbabilityOptions {
            parent_shares,
            tolerance,
            renormalise,
            child_in_rows,
        };
        Ok(PyTransitionMatrix(
            TransitionMatrix::from_probabilities(table.as_array(), &options).py()?,
        ))
    }

    /// A matrix from its JSON form (as written by `to_json`).
    #[staticmethod]
    fn from_json(s: &str) -> PyResult<Self> {
        let tm: TransitionMatrix = convert::from_json(s, "transition matrix")?;
        check_deserialised(&tm)?;
        Ok(PyTransitionMatrix(tm))
    }

    /// JSON text (the core's serde form).
    fn to_json(&self) -> PyResult<String> {
        convert::to_json(&self.0)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let ctor = py.get_type::<PyTransitionMatrix>().getattr("from_json")?;
        PyTuple::new(py, [ctor, PyTuple::new(py, [self.to_json()?])?.into_any()])
    }

    /// Number of classes.
    #[getter]
    fn k(&self) -> usize {
        self.0.k()
    }

    /// Total weight, or None for a probability table.
    #[getter]
    fn n(&self) -> Option<f64> {
        self.0.n()
    }

    /// Weighted joint counts n_ij (parents in rows), or None when unknown.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> Option<Bound<'py, numpy::PyArray2<f64>>> {
        self.0.counts().cloned().map(|c| mat2(py, c))
    }

    /// Row-stochastic P (parents in rows).
    #[getter]
    fn probabilities<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray2<f64>> {
        mat2(py, self.0.probabilities().clone())
    }

    /// Parent shares n_i. / n.
    #[getter]
    fn parent_shares<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        vec1(py, self.0.parent_shares().clone())
    }

    /// Child shares n_.j / n.
    #[getter]
    fn child_shares<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        vec1(py, self.0.child_shares().clone())
    }

    /// Parent cut-offs, when built from status.
    #[getter]
    fn parent_cutoffs(&self) -> Option<PyCutoffs> {
        self.0.parent_cutoffs().cloned().map(PyCutoffs)
    }

    /// Child cut-offs, when built from status.
    #[getter]
    fn child_cutoffs(&self) -> Option<PyCutoffs> {
        self.0.child_cutoffs().cloned().map(PyCutoffs)
    }

    /// Class labels (Q1..Q5, D1..D10, ...).
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.0.labels()
    }

    /// Zero-based parent classes with no observations.
    fn empty_rows(&self) -> Vec<usize> {
        self.0.empty_rows()
    }

    /// Zero-based child classes nobody reached.
    fn empty_columns(&self) -> Vec<usize> {
        self.0.empty_columns()
    }

    /// Whether every row of P sums to 1.
    fn is_stochastic(&self) -> bool {
        self.0.is_stochastic()
    }

    /// Joint distribution f_ij = pi_i p_ij.
    fn joint<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray2<f64>> {
        mat2(py, self.0.joint())
    }

    /// Inflow view P(parent in i | child in j).
    fn inflow<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray2<f64>> {
        mat2(py, self.0.inflow())
    }

    /// Origin weights pi for a weighting.
    #[pyo3(signature = (pi=None))]
    fn origin_weights<'py>(
        &self,
        py: Python<'py>,
        pi: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let w = convert::weighting(pi)?;
        Ok(vec1(py, self.0.origin_weights(&w).py()?))
    }

    /// Every canonical measure (dict name -> float or None), in registry order (docs/FORMULAS.md#measures-table).
    #[pyo3(signature = (pi=None))]
    fn measures<'py>(
        &self,
        py: Python<'py>,
        pi: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let w = convert::weighting(pi)?;
        let m = self.0.measures(&w).py()?;
        let d = PyDict::new(py);
        for (name, value) in m.to_pairs() {
            d.set_item(name, value)?;
        }
        Ok(d)
    }

    /// Per-class vectors: dict of lists (None for a class with no parents).
    fn class_profile<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.0.class_profile();
        let d = PyDict::new(py);
        set_fields!(d, c; persistence, prais, upward, downward, expected_stay);
        Ok(d)
    }

    /// Eigenvalues (complex, largest modulus first), their moduli and the stationary distribution.
    fn spectrum<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.0.spectrum().py()?;
        let d = PyDict::new(py);
        let ev: Vec<Complex64> = s
            .eigenvalues
            .iter()
            .map(|z| Complex64::new(z.re, z.im))
            .collect();
        d.set_item("eigenvalues", ev.into_pyarray(py))?;
        d.set_item("abs_eigenvalues", s.abs_eigenvalues.into_pyarray(py))?;
        d.set_item("steady_state", s.steady_state.map(|v| v.into_pyarray(py)))?;
        Ok(d)
    }

    /// Total, structural and exchange mobility of the joint table (a dict).
    fn decompose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::convert::to_py(py, &self.0.decompose())
    }

    /// Levelling up and social mobility over the matrix's classes (a dict).
    fn levelling<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::convert::to_py(py, &self.0.levelling())
    }

    /// The full report (the CLI's `--json` object) as JSON text.
    #[pyo3(signature = (pi=None))]
    fn report_json(&self, pi: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let w = convert::weighting(pi)?;
        convert::to_json(&self.0.report(&w).py()?)
    }

    /// The analysis report of a matrix built from the pairs `(parent, child, weights)` (the
    /// CLI's `analyze --json` object, `mobility::report::AnalysisReport`) as JSON text: the
    /// matrix report, the rank measures of the pairs (`null` where undefined) and, when given,
    /// the bootstrap's estimates and settings (the estimates of the canonical measures only, as
    /// the CLI's).
    #[pyo3(signature = (data, pi=None, bootstrap=None, rank_inference=None, rule=None,
        weight_kind="sampling"))]
    #[allow(clippy::too_many_arguments)]
    fn analysis_report_json(
        &self,
        py: Python<'_>,
        data: Pairs<'_>,
        pi: Option<&Bound<'_, PyAny>>,
        bootstrap: Option<PyRef<'_, crate::inference::PyBootstrapResult>>,
        rank_inference: Option<&str>,
        rule: Option<&str>,
        weight_kind: &str,
    ) -> PyResult<String> {
        let kind: mobility::WeightKind = weight_kind.parse().py()?;
        let rule: Option<mobility::Rule> = rule.map(str::parse).transpose().py()?;
        let w = convert::weighting(pi)?;
        let rank_inference: Option<mobility::inference::EstimateTable> = rank_inference
            .map(|s| convert::from_json(s, "rank inference"))
            .transpose()?;
        let report = self.0.report(&w).py()?;
        let (p, c, wt) = data.slices();
        let ranks = py.detach(|| mobility::rankbased::rank_mobility(&p, &c, wt.as_deref()));
        let boot = bootstrap.as_ref().map(|b| &b.0);
        let mut analysis = mobility::report::AnalysisReport::new(report, ranks, boot)
            .with_weights(wt.as_deref(), kind);
        // quantile classes estimated by `rule`: where ties cross a class boundary (as the CLI)
        if let Some(rule) = rule {
            analysis = analysis
                .with_tie_spans(&self.0, &p, &c, wt.as_deref(), rule)
                .py()?;
        }
        // The report's estimates are the canonical measures' (the CLI bootstraps only those).
        if let (Some(table), Some(b)) = (analysis.inference.as_mut(), boot) {
            let measures: std::collections::HashSet<&str> = b
                .statistics
                .iter()
                .filter(|s| matches!(s.statistic, mobility::inference::Statistic::Measure { .. }))
                .map(|s| s.name.as_str())
                .collect();
            table.0.retain(|(name, _)| measures.contains(name.as_str()));
        }
        if boot.is_some() {
            analysis.rank_inference = rank_inference;
        }
        convert::to_json(&analysis)
    }

    fn __repr__(&self) -> String {
        format!(
            "TransitionMatrix(k={}, n={})",
            self.0.k(),
            self.0
                .n()
                .map_or_else(|| "None".to_string(), |n| n.to_string())
        )
    }
}

/// A deserialised matrix must be internally consistent (JSON can be edited by hand).
fn check_deserialised(tm: &TransitionMatrix) -> PyResult<()> {
    let k = tm.k();
    let bad = |what: &str| {
        Err(crate::convert::MobilityError::new_err(format!(
            "invalid transition matrix JSON: {what} does not match k = {k}"
        )))
    };
    if tm.probabilities().dim() != (k, k) {
        return bad("the matrix shape");
    }
    if tm.counts().as_ref().is_some_and(|c| c.dim() != (k, k)) {
        return bad("the counts shape");
    }
    if tm.parent_shares().len() != k || tm.child_shares().len() != k {
        return bad("the length of the shares");
    }
    if k < 2 {
        return Err(py_err(mobility::MobilityError::TooFewClasses { k }));
    }
    Ok(())
}
