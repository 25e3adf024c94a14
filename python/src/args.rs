//! Argument plumbing the bindings share: registering a module's functions, paired status (and
//! optional weights) handed to the core with the GIL released, dicts of a core value's fields.

use std::borrow::Cow;

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::convert::{IntoPy, slice, to_py};

/// A 1-d float64 numpy array argument (any strides).
pub type Vector<'py> = PyReadonlyArray1<'py, f64>;

/// Paired status and optional weights as one argument, the tuple `(parent, child, weights)`
/// (the package keeps it as `TransitionMatrix._data`).
#[derive(FromPyObject)]
pub struct Pairs<'py>(pub Vector<'py>, pub Vector<'py>, pub Option<Vector<'py>>);

/// Contiguous views of [`Pairs`]: parent, child and weights.
pub type PairSlices<'a> = (Cow<'a, [f64]>, Cow<'a, [f64]>, Option<Cow<'a, [f64]>>);

impl Pairs<'_> {
    /// The arrays as slices, borrowed where contiguous (as [`slice`] does).
    pub fn slices(&self) -> PairSlices<'_> {
        (slice(&self.0), slice(&self.1), self.2.as_ref().map(slice))
    }

    /// [`with_pairs`] on these arrays.
    pub fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&[f64], &[f64], Option<&[f64]>) -> T + Send,
    ) -> T {
        with_pairs(py, &self.0, &self.1, self.2.as_ref(), f)
    }
}

/// Adds every listed `#[pyfunction]` to the module `m`:
/// `add_functions!(m, rank_mobility, ige)`.
macro_rules! add_functions {
    ($m:expr, $($f:ident),+ $(,)?) => {
        $( $m.add_function(::pyo3::wrap_pyfunction!($f, $m)?)?; )+
    };
}
pub(crate) use add_functions;

/// Runs `f` on paired status and optional weights with the GIL released. The arrays are
/// borrowed where contiguous and copied otherwise (strided views), as [`slice`] does.
pub fn with_pairs<T: Send>(
    py: Python<'_>,
    parent: &Vector<'_>,
    child: &Vector<'_>,
    weights: Option<&Vector<'_>>,
    f: impl FnOnce(&[f64], &[f64], Option<&[f64]>) -> T + Send,
) -> T {
    let (p, c) = (slice(parent), slice(child));
    let w = weights.map(slice);
    py.detach(|| f(&p, &c, w.as_deref()))
}

/// [`with_pairs`] for a core function with a serde result: the result as Python data.
pub fn pairs_to_py<'py, T: serde::Serialize + Send>(
    py: Python<'py>,
    parent: &Vector<'_>,
    child: &Vector<'_>,
    weights: Option<&Vector<'_>>,
    f: impl FnOnce(&[f64], &[f64], Option<&[f64]>) -> mobility::Result<T> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let r = with_pairs(py, parent, child, weights, f).py()?;
    to_py(py, &r)
}

/// Sets `d[name] = value.name` for each listed field of a core value, in the order given:
/// `set_fields!(d, profile; persistence, prais)`. Unlike [`to_py`] (serde: keys sorted,
/// infinite and NaN floats as `None`) it keeps the fields' order and their values as they are.
macro_rules! set_fields {
    ($d:expr, $value:expr; $($field:ident),+ $(,)?) => {
        $( $d.set_item(stringify!($field), $value.$field)?; )+
    };
}
pub(crate) use set_fields;
