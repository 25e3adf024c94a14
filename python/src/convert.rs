//! Conversions at the boundary: errors, arrays, JSON values, option strings.

use std::borrow::Cow;

use mobility::Rule;
use mobility::measures::Weighting;
use numpy::ndarray::{Array1, Array2};
use numpy::{Element, IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::IntoPyObjectExt;
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

create_exception!(
    mobility,
    MobilityError,
    PyValueError,
    "An input the mobility core rejects (empty data, NaN, negative weights, a bad table, ...).\n\n\
     A subclass of ValueError. `str(err)` is the core's message; `err.kind` names the error\n\
     (e.g. 'LengthMismatch', 'NonFinite') and `err.details` holds its fields as a dict."
);

/// Converts a core error into `mobility.MobilityError` with `kind` and `details` attributes.
pub fn py_err(e: mobility::MobilityError) -> PyErr {
    Python::attach(|py| {
        let err = MobilityError::new_err(e.to_string());
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(&e)
            && let Some((kind, details)) = map.into_iter().next()
        {
            let value = err.value(py);
            // Attribute failures would only hide detail; the message is already set.
            let _ = value.setattr("kind", kind);
            if let Ok(d) = json_to_py(py, &details) {
                let _ = value.setattr("details", d);
            }
        }
        err
    })
}

/// `Result` mapping for the core's results.
pub trait IntoPy<T> {
    /// Map the error to a Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for mobility::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

/// A contiguous view of a 1-d array (float64 values, integer ids): borrowed when the array is
/// contiguous, copied otherwise (strided views).
pub fn slice<'a, T: Element + Clone>(a: &'a PyReadonlyArray1<'_, T>) -> Cow<'a, [T]> {
    match a.as_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(a.as_array().to_vec()),
    }
}

/// Rule from its name.
pub fn rule(name: &str) -> PyResult<Rule> {
    name.parse::<Rule>().py()
}

/// An optional argument that was given and is not `None`.
pub fn given<'a, 'py>(arg: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    arg.filter(|a| !a.is_none())
}

/// Origin weighting from `"parent"`, `"uniform"`, `"stationary"` or a sequence of numbers.
pub fn weighting(pi: Option<&Bound<'_, PyAny>>) -> PyResult<Weighting> {
    let Some(pi) = given(pi) else {
        return Ok(Weighting::ParentShares);
    };
    if let Ok(s) = pi.cast::<PyString>() {
        let s: String = s.extract()?;
        let s = s.as_str();
        if s.contains(',') || s.trim().parse::<f64>().is_ok() {
            return Err(PyValueError::new_err(format!(
                "invalid pi '{s}': pass weights as a sequence of numbers, not a string"
            )));
        }
        return s.parse::<Weighting>().py();
    }
    match pi.extract::<Vec<f64>>() {
        Ok(v) => Ok(Weighting::Custom(v)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "pi must be 'parent', 'uniform', 'stationary' or a sequence of k numbers, not {}",
            pi.get_type().name()?
        ))),
    }
}

/// A numpy vector from an owned array.
pub fn vec1<'py>(py: Python<'py>, a: Array1<f64>) -> Bound<'py, PyArray1<f64>> {
    a.into_pyarray(py)
}

/// A numpy matrix from an owned array.
pub fn mat2<'py>(py: Python<'py>, a: Array2<f64>) -> Bound<'py, PyArray2<f64>> {
    a.into_pyarray(py)
}

/// Python objects from a JSON value (null -> None, objects -> dict, arrays -> list).
pub fn json_to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)?
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)?
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?
            }
        }
        Value::String(s) => s.into_bound_py_any(py)?,
        Value::Array(a) => {
            let list = PyList::empty(py);
            for x in a {
                list.append(json_to_py(py, x)?)?;
            }
            list.into_any()
        }
        Value::Object(o) => {
            let dict = PyDict::new(py);
            for (k, x) in o {
                dict.set_item(k, json_to_py(py, x)?)?;
            }
            dict.into_any()
        }
    })
}

/// JSON text of a core value.
pub fn to_json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// A core value from JSON text.
pub fn from_json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> PyResult<T> {
    serde_json::from_str(s).map_err(|e| MobilityError::new_err(format!("invalid {what} JSON: {e}")))
}

/// Python data (dicts, lists, floats, None) from a core value, through its serde form.
pub fn to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(v).map_err(|e| PyValueError::new_err(e.to_string()))?;
    json_to_py(py, &value)
}
