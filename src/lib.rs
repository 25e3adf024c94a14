//! mobility: social mobility measurement.
#![deny(missing_docs)]

pub mod error;

pub use error::{MobilityError, Result};
