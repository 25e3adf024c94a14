//! `mobility demo`: the quickstart demonstration on built-in data (simulated, US and UK).

use crate::render::demo::{DemoOptions, quickstart};

use super::{CommandError, Reply, Result, data};

/// What `mobility demo` was asked.
#[derive(Debug, Clone, Default)]
pub struct DemoRequest {
    /// Positional arguments (none is taken).
    pub positionals: Vec<String>,
    /// `--n N`: simulated pairs (default [`DemoOptions::default`]).
    pub n: Option<usize>,
    /// `--seed S`.
    pub seed: Option<u64>,
}

/// Runs `mobility demo`.
///
/// # Errors
/// [`CommandError::Usage`]: a file was given; [`CommandError::Data`]: the simulation fails.
pub fn run(r: &DemoRequest) -> Result<Reply> {
    if !r.positionals.is_empty() {
        return Err(CommandError::usage(
            "demo",
            "takes no file (the data are built in)",
        ));
    }
    let defaults = DemoOptions::default();
    let options = DemoOptions {
        n: r.n.unwrap_or(defaults.n),
        seed: r.seed.unwrap_or(defaults.seed),
        ..defaults
    };
    Ok(Reply::text(
        quickstart(&options).map_err(|e| data(e, None))?,
    ))
}
