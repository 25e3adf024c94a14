//! Streaming and distributed transition matrices (`mobility.dask`, `mobility.spark`,
//! `mobility._stream`): the core's [`Pipeline`] as picklable objects.
//!
//! A `StreamPipeline` hands out `StreamPass`es; a worker turns its rows into a `StreamSummary`
//! with `StreamPass.summarize` (GIL released; contiguous float64 numpy arrays are read without a
//! copy); summaries merge in any order (`StreamSummary.merge_all`, exact) and go back to
//! `StreamPipeline.advance`. Passes and summaries pickle as the core's compact JSON bytes
//! (`Summary::to_bytes`), so they travel between Dask or Spark workers. `poisson_weights` and
//! `summarize_poisson` give the partition-independent Poisson bootstrap
//! ([`mobility::stream::poisson`]).

use mobility::error::Parameter;
use mobility::io::chunked_csv::{CsvSource, StreamColumns};
use mobility::io::csv::{CsvOptions, Missing};
use mobility::io::parquet::ParquetSource;
use mobility::stream::poisson::replicate_weights;
use mobility::stream::{
    self, Batch, GroupColumn, Pass, Pipeline, StreamResult, StreamSpec, Summary,
};
use mobility::{ClassSpec, MobilityError, TransitionCounts};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::PyTypeInfo;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use rayon::prelude::*;

use crate::args::{add_functions, with_pairs};
use crate::convert::{IntoPy, py_err, slice};
use crate::matrix::{PyCutoffs, PyTransitionMatrix, class_spec};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStreamPipeline>()?;
    m.add_class::<PyStreamPass>()?;
    m.add_class::<PyStreamSummary>()?;
    add_functions!(m, poisson_weights, summarize_poisson, stream_file);
    Ok(())
}

fn bytes_err(what: &str, e: impl std::fmt::Display) -> PyErr {
    py_err(MobilityError::invalid(
        Parameter::Summary,
        format!("{what}: {e}"),
    ))
}

/// Compact JSON bytes of a pass or a pipeline (`what` names it in an error).
fn json_bytes<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
    what: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let b = serde_json::to_vec(value).map_err(|e| bytes_err(what, e))?;
    Ok(PyBytes::new(py, &b))
}

/// A pass or a pipeline from its [`json_bytes`].
fn from_json_bytes<T: serde::de::DeserializeOwned>(b: &[u8], what: &str) -> PyResult<T> {
    serde_json::from_slice(b).map_err(|e| bytes_err(what, e))
}

/// `__reduce__` of a class pickled as its bytes: `(T.from_bytes, (bytes,))`.
fn reduce_to_bytes<'py, T: PyTypeInfo>(
    py: Python<'py>,
    bytes: Bound<'py, PyBytes>,
) -> PyResult<Bound<'py, PyTuple>> {
    let ctor = py.get_type::<T>().getattr("from_bytes")?;
    PyTuple::new(py, [ctor, PyTuple::new(py, [bytes])?.into_any()])
}

/// One pass over all partitions (picklable; ship it to the workers).
#[pyclass(
    module = "mobility._mobility",
    name = "StreamPass",
    frozen,
    eq,
    from_py_object
)]
#[derive(Clone, PartialEq)]
pub struct PyStreamPass(pub Pass);

/// A partition's (or many merged partitions') summary for one pass (picklable bytes).
#[pyclass(
    module = "mobility._mobility",
    name = "StreamSummary",
    frozen,
    eq,
    from_py_object
)]
#[derive(Clone, PartialEq)]
pub struct PyStreamSummary(pub Summary);

/// The driver of a streamed computation (runs on the client).
#[pyclass(module = "mobility._mobility", name = "StreamPipeline")]
#[derive(Clone)]
pub struct PyStreamPipeline(pub Pipeline);

/// Owned or borrowed group codes and labels of a batch.
struct Groups {
    codes: Vec<u32>,
    labels: Vec<String>,
}

fn groups_of(
    codes: Option<PyReadonlyArray1<'_, i64>>,
    labels: Option<Vec<String>>,
) -> PyResult<Option<Groups>> {
    match (codes, labels) {
        (None, None) => Ok(None),
        (Some(c), Some(labels)) => {
            let n = labels.len() as i64;
            let codes = c
                .as_array()
                .iter()
                .enumerate()
                .map(|(i, &x)| {
                    if (0..n).contains(&x) {
                        Ok(x as u32)
                    } else {
                        Err(py_err(MobilityError::invalid(
                            Parameter::By,
                            format!("row {i}: code {x} outside 0..{n}"),
                        )))
                    }
                })
                .collect::<PyResult<Vec<u32>>>()?;
            Ok(Some(Groups { codes, labels }))
        }
        _ => Err(PyValueError::new_err(
            "give both group_codes and group_labels, or neither",
        )),
    }
}

fn batch<'a>(
    parent: &'a [f64],
    child: &'a [f64],
    weight: Option<&'a [f64]>,
    groups: &'a Option<Groups>,
) -> Batch<'a> {
    Batch {
        parent,
        child,
        weight,
        group: groups.as_ref().map(|g| GroupColumn {
            codes: &g.codes,
            labels: &g.labels,
        }),
    }
}

#[pymethods]
impl PyStreamPass {
    /// Summarises one batch of rows (GIL released; O(n log k)).
    #[pyo3(signature = (parent, child, weights=None, group_codes=None, group_labels=None))]
    fn summarize(
        &self,
        py: Python<'_>,
        parent: PyReadonlyArray1<'_, f64>,
        child: PyReadonlyArray1<'_, f64>,
        weights: Option<PyReadonlyArray1<'_, f64>>,
        group_codes: Option<PyReadonlyArray1<'_, i64>>,
        group_labels: Option<Vec<String>>,
    ) -> PyResult<PyStreamSummary> {
        let groups = groups_of(group_codes, group_labels)?;
        let s = with_pairs(py, &parent, &child, weights.as_ref(), |p, c, w| {
            self.0.summarize(&batch(p, c, w, &groups))
        });
        Ok(PyStreamSummary(s.py()?))
    }

    /// The summary of no rows (the identity of the merge).
    fn empty(&self) -> PyStreamSummary {
        PyStreamSummary(self.0.empty())
    }

    /// `"cut-offs"` or `"counts"`.
    #[getter]
    fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Compact JSON bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        json_bytes(py, &self.0, "pass")
    }

    /// A pass from `to_bytes`.
    #[staticmethod]
    fn from_bytes(b: &[u8]) -> PyResult<Self> {
        Ok(PyStreamPass(from_json_bytes(b, "pass")?))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_to_bytes::<PyStreamPass>(py, self.to_bytes(py)?)
    }

    fn __repr__(&self) -> String {
        format!("StreamPass({})", self.0.name())
    }
}

#[pymethods]
impl PyStreamSummary {
    /// The exact merge of summaries of the same pass (any order and grouping; GIL released).
    #[staticmethod]
    fn merge_all(py: Python<'_>, summaries: Vec<PyStreamSummary>) -> PyResult<Self> {
        let mut it = summaries.into_iter().map(|s| s.0);
        let Some(first) = it.next() else {
            return Err(PyValueError::new_err(
                "merge_all needs at least one summary",
            ));
        };
        let rest: Vec<Summary> = it.collect();
        let merged = py.detach(|| -> mobility::Result<Summary> {
            let mut acc = first;
            for s in rest {
                acc.merge(s)?;
            }
            Ok(acc)
        });
        Ok(PyStreamSummary(merged.py()?))
    }

    /// Compact JSON bytes (`Summary::to_bytes`).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let b = py.detach(|| self.0.to_bytes()).py()?;
        Ok(PyBytes::new(py, &b))
    }

    /// A summary from `to_bytes`.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, b: &[u8]) -> PyResult<Self> {
        Ok(PyStreamSummary(py.detach(|| Summary::from_bytes(b)).py()?))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_to_bytes::<PyStreamSummary>(py, self.to_bytes(py)?)
    }

    fn __repr__(&self) -> String {
        match &self.0 {
            Summary::Search(_) => "StreamSummary(cut-offs)".into(),
            Summary::Count(c) => format!("StreamSummary(counts, {} rows)", c.all.rows),
        }
    }
}

fn matrix_or_none(c: &TransitionCounts) -> Option<PyTransitionMatrix> {
    (c.total() > 0.0).then(|| PyTransitionMatrix(c.to_matrix()))
}

fn result_dict<'py>(py: Python<'py>, r: &StreamResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("matrix", PyTransitionMatrix(r.matrix().py()?))?;
    let groups = PyList::empty(py);
    for (label, counts) in &r.groups {
        groups.append((label.clone(), matrix_or_none(counts)))?;
    }
    d.set_item("groups", groups)?;
    d.set_item("passes", r.passes)?;
    Ok(d)
}

#[pymethods]
impl PyStreamPipeline {
    /// A pipeline: `k` quantile classes by `rule` (or both cut-offs given: counting only).
    #[new]
    #[pyo3(signature = (k=5, rule="midrank", weighted=false, by=false, parent_cutoffs=None, child_cutoffs=None, gather_limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        k: usize,
        rule: &str,
        weighted: bool,
        by: bool,
        parent_cutoffs: Option<PyRef<'_, PyCutoffs>>,
        child_cutoffs: Option<PyRef<'_, PyCutoffs>>,
        gather_limit: Option<u64>,
    ) -> PyResult<Self> {
        let classes = class_spec(k, rule, parent_cutoffs.as_deref(), child_cutoffs.as_deref())?;
        let mut p = Pipeline::new(StreamSpec {
            classes,
            weighted,
            by,
        })
        .py()?;
        if let Some(g) = gather_limit {
            p = p.with_gather_limit(g);
        }
        Ok(PyStreamPipeline(p))
    }

    /// The next pass, or None when the result is ready.
    fn next_pass(&self) -> Option<PyStreamPass> {
        self.0.next_pass().map(PyStreamPass)
    }

    /// Feeds the merged summary of the current pass over all partitions.
    fn advance(&mut self, py: Python<'_>, merged: PyStreamSummary) -> PyResult<()> {
        let p = &mut self.0;
        py.detach(|| p.advance(merged.0)).py()
    }

    /// The (parent, child) cut-offs once the search is over, else None.
    fn cutoffs(&self) -> Option<(PyCutoffs, PyCutoffs)> {
        self.0.cutoffs().map(|(p, c)| (PyCutoffs(p), PyCutoffs(c)))
    }

    /// The result: `{"matrix", "groups": [(label, matrix or None)], "passes"}`.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = self.0.clone().finish().py()?;
        result_dict(py, &r)
    }

    /// JSON bytes of the whole driver state.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        json_bytes(py, &self.0, "pipeline")
    }

    /// A pipeline from `to_bytes`.
    #[staticmethod]
    fn from_bytes(b: &[u8]) -> PyResult<Self> {
        Ok(PyStreamPipeline(from_json_bytes(b, "pipeline")?))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_to_bytes::<PyStreamPipeline>(py, self.to_bytes(py)?)
    }
}

/// Poisson(1) bootstrap weights `m(id, replicate, seed) * w` (a pure function of each record).
#[pyfunction]
#[pyo3(signature = (ids, replicate, seed, weights=None))]
fn poisson_weights<'py>(
    py: Python<'py>,
    ids: PyReadonlyArray1<'_, u64>,
    replicate: u64,
    seed: u64,
    weights: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let ids = slice(&ids);
    let w = weights.as_ref().map(slice);
    let out = py
        .detach(|| replicate_weights(&ids, replicate, seed, w.as_deref()))
        .py()?;
    Ok(out.into_pyarray(py))
}

/// One batch summarised for many Poisson replicates at once: `passes[b]` (None for a finished
/// replicate) over the rows weighted by `poisson_weights(ids, replicates[b], seed, weights)`.
/// Parallel over replicates, GIL released.
#[pyfunction]
#[pyo3(signature = (passes, replicates, parent, child, ids, seed, weights=None, group_codes=None, group_labels=None))]
#[allow(clippy::too_many_arguments)]
fn summarize_poisson(
    py: Python<'_>,
    passes: Vec<Option<PyStreamPass>>,
    replicates: Vec<u64>,
    parent: PyReadonlyArray1<'_, f64>,
    child: PyReadonlyArray1<'_, f64>,
    ids: PyReadonlyArray1<'_, u64>,
    seed: u64,
    weights: Option<PyReadonlyArray1<'_, f64>>,
    group_codes: Option<PyReadonlyArray1<'_, i64>>,
    group_labels: Option<Vec<String>>,
) -> PyResult<Vec<Option<PyStreamSummary>>> {
    if passes.len() != replicates.len() {
        return Err(PyValueError::new_err(
            "summarize_poisson: one replicate number per pass",
        ));
    }
    let groups = groups_of(group_codes, group_labels)?;
    let (p, c) = (slice(&parent), slice(&child));
    let w = weights.as_ref().map(slice);
    let ids = slice(&ids);
    if ids.len() != p.len() {
        return Err(py_err(MobilityError::invalid(
            Parameter::Ids,
            format!("expected {} record ids, found {}", p.len(), ids.len()),
        )));
    }
    let out = py.detach(|| -> mobility::Result<Vec<Option<Summary>>> {
        passes
            .par_iter()
            .zip(replicates.par_iter())
            .map(|(pass, &r)| match pass {
                None => Ok(None),
                Some(pass) => {
                    let rw = replicate_weights(&ids, r, seed, w.as_deref())?;
                    pass.0
                        .summarize(&batch(&p, &c, Some(&rw), &groups))
                        .map(Some)
                }
            })
            .collect()
    });
    Ok(out
        .py()?
        .into_iter()
        .map(|s| s.map(PyStreamSummary))
        .collect())
}

/// Streams a CSV or Parquet file through the pipeline on this machine (memory independent of
/// the number of rows; GIL released).
#[pyfunction]
#[pyo3(signature = (path, format, parent, child, weights=None, by=None, k=5, rule="midrank", parent_cutoffs=None, child_cutoffs=None, dropna=false))]
#[allow(clippy::too_many_arguments)]
fn stream_file<'py>(
    py: Python<'py>,
    path: &str,
    format: &str,
    parent: &str,
    child: &str,
    weights: Option<String>,
    by: Option<String>,
    k: usize,
    rule: &str,
    parent_cutoffs: Option<PyRef<'_, PyCutoffs>>,
    child_cutoffs: Option<PyRef<'_, PyCutoffs>>,
    dropna: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let classes: ClassSpec =
        class_spec(k, rule, parent_cutoffs.as_deref(), child_cutoffs.as_deref())?;
    let columns = StreamColumns {
        parent: parent.into(),
        child: child.into(),
        weight: weights.clone(),
        group: by.clone(),
    };
    let missing = if dropna {
        Missing::DropRow
    } else {
        Missing::Reject
    };
    let spec = StreamSpec {
        classes,
        weighted: weights.is_some(),
        by: by.is_some(),
    };
    let r = py.detach(|| -> mobility::Result<(StreamResult, u64)> {
        match format {
            "parquet" => {
                let src = ParquetSource::open(path, &columns, missing)?;
                let (r, counted) = run_counting(&src, spec)?;
                Ok((r, src.rows().saturating_sub(counted)))
            }
            "csv" => {
                let opts = CsvOptions {
                    missing,
                    ..CsvOptions::default()
                };
                let src = CsvSource::open(path, &columns, &opts)?;
                let (r, _) = run_counting(&src, spec)?;
                let dropped = if dropna { src.row_stats()?.dropped } else { 0 };
                Ok((r, dropped))
            }
            other => Err(MobilityError::invalid(
                Parameter::Format,
                format!("'{other}': expected 'csv' or 'parquet'"),
            )),
        }
    });
    let (r, dropped) = r.py()?;
    let d = result_dict(py, &r)?;
    d.set_item("dropped", dropped)?;
    Ok(d)
}

/// [`stream::run`], also returning the rows the counting pass counted.
fn run_counting(
    source: &dyn stream::Source,
    spec: StreamSpec,
) -> mobility::Result<(StreamResult, u64)> {
    let mut pipeline = Pipeline::new(spec)?;
    let mut counted = 0;
    while let Some(pass) = pipeline.next_pass() {
        let merged = source.summarize(&pass)?;
        if let Summary::Count(c) = &merged {
            counted = c.all.rows;
        }
        pipeline.advance(merged)?;
    }
    Ok((pipeline.finish()?, counted))
}
