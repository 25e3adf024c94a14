//! Input and output for people with files: numeric columns and k x k tables from CSV
//! ([`csv`]), and a plain-text rendering of a [`Report`](crate::report::Report) ([`text`]).
//!
//! The `mobility` command-line tool is built from these pieces; the examples reuse them.

pub mod chunked_csv;
pub mod csv;
pub mod parquet;
pub mod text;
