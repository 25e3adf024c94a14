//! `mobility published`: the built-in published tables, and one table's measures.

use crate::measures::Weighting;
use crate::published;
use crate::render::text::render_report;

use super::{CommandError, Output, Reply, Result, check_pi_len, one, pi_error};

const COMMAND: &str = "published";

/// What `mobility published` was asked.
#[derive(Debug, Clone, Default)]
pub struct PublishedRequest {
    /// The table's name (none: the list of tables).
    pub positionals: Vec<String>,
    /// `--pi WEIGHTS`.
    pub pi: Option<Weighting>,
    /// `--json`.
    pub json: bool,
}

/// The built-in table `name`, or a usage error of `command` listing the names.
pub(crate) fn table(command: &str, name: &str) -> Result<crate::TransitionMatrix> {
    published::by_name(name).ok_or_else(|| {
        CommandError::usage(
            command,
            format!(
                "unknown table '{name}'; the built-in tables are {}",
                published::NAMES.join(", ")
            ),
        )
    })
}

/// Runs `mobility published`.
///
/// # Errors
/// [`CommandError::Usage`]: an unknown table, `--pi` that does not fit it.
pub fn run(r: &PublishedRequest) -> Result<Reply> {
    if r.positionals.is_empty() {
        if r.json {
            return Ok(Reply {
                output: Output::json(published::NAMES),
                notes: Vec::new(),
            });
        }
        let list: String = (published::NAMES.iter())
            .map(|n| format!("  {n:<20} {}\n", published::describe(n).unwrap_or_default()))
            .collect();
        return Ok(Reply::text(format!(
            "Built-in tables (mobility published NAME):\n{list}"
        )));
    }
    let name = one(COMMAND, &r.positionals, "table name")?;
    let tm = table(COMMAND, name)?;
    let pi = r.pi.clone().unwrap_or(Weighting::ParentShares);
    check_pi_len(&pi, tm.k(), COMMAND)?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, name))?;
    if r.json {
        return Ok(Reply {
            output: Output::json(report),
            notes: Vec::new(),
        });
    }
    Ok(Reply::text(format!(
        "mobility published: {name}\n{}",
        render_report(&report, &tm.labels())
    )))
}
