//! `mobility._mobility`: the compiled core of the Python package `mobility`.
//!
//! This layer only converts: numpy arrays in and out (zero-copy for contiguous float64 input),
//! `MobilityError` to the Python exception `mobility.MobilityError` (a `ValueError`), and the
//! core's result structs to Python objects. The GIL is released around every call whose cost
//! grows with the data. Users import the pure-Python package `mobility`, which handles pandas,
//! polars, lists, missing values and presentation.

use pyo3::prelude::*;

mod args;
mod beyond;
mod convert;
mod functions;
mod inference;
mod matrix;
mod panel;
mod ranking;
mod report;
mod simulate;
mod stream;

pub use convert::MobilityError;

/// The compiled module.
#[pymodule]
fn _mobility(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("MobilityError", py.get_type::<MobilityError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    matrix::register(m)?;
    functions::register(m)?;
    simulate::register(m)?;
    inference::register(m)?;
    beyond::register(m)?;
    report::register(m)?;
    ranking::register(m)?;
    panel::register(m)?;
    stream::register(m)?;
    Ok(())
}
