//! mobility: social mobility measurement.
#![deny(missing_docs)]

pub mod error;
pub mod simulate;

pub use error::{MobilityError, Result};
