//! mobility: social mobility measurement.
#![deny(missing_docs)]

pub mod error;
pub mod inference;
pub mod linalg;
pub mod markov;
pub mod matrix;
pub mod measures;
pub mod published;
pub mod quantile;
pub mod rank;
pub mod report;
pub mod serde_nd;

pub use error::{MobilityError, Result};
pub use matrix::{ClassSpec, TransitionCounts, TransitionMatrix};
pub use measures::{Measures, Weighting};
pub use rank::Rule;
