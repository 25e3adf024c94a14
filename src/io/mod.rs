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
pub(crate) mod streaming;
/// The text renderers moved to [`crate::render::text`]; this path is kept for existing code.
pub use crate::render::text;

use crate::error::MobilityError;

/// A [`MobilityError::Input`] on `source` (the file as given), at `location` if known.
pub(crate) fn input(
    source: &str,
    location: Option<String>,
    message: impl Into<String>,
) -> MobilityError {
    MobilityError::Input {
        path: source.to_string(),
        location,
        message: message.into(),
    }
}

/// A read error in the words of the messages (`no such file`, `permission denied`).
pub(crate) fn io_error(source: &str, e: &std::io::Error) -> MobilityError {
    let message = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => format!("cannot read the file: {e}"),
    };
    input(source, None, message)
}
