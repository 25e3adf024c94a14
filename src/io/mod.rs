//! Input and output for people with files: numeric columns and k x k tables from CSV
//! ([`csv`]), published place matrices ([`place_matrices`]); the plain-text renderers live in
//! [`crate::render`].
//!
//! The `mobility` command-line tool is built from these pieces; the examples reuse them.

pub mod chunked_csv;
pub mod csv;
pub(crate) mod encoding;
pub mod parquet;
pub mod place_matrices;
/// The text renderers moved to [`crate::render::text`]; this path is kept for existing code.
pub use crate::render::text;
