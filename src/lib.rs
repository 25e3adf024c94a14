//! mobility: social mobility measurement.
#![deny(missing_docs)]

pub mod error;
pub mod linalg;
pub mod markov;

pub use error::{MobilityError, Result};
