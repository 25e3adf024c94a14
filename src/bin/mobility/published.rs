//! `mobility published`: a built-in published table and its measures.

use mobility::published;
use mobility::render::text::render_report;

use crate::args::{self, flag, value};
use crate::{Outcome, emit, pi_error, print_json};

const HELP: &str = include_str!("help/published.txt");

pub fn run(raw: &[String]) -> Outcome<()> {
    let Some(args) = args::parse("published", raw, &[value("pi"), flag("json")])? else {
        return emit(HELP);
    };
    if args.positionals.is_empty() {
        if args.has("json") {
            return print_json(&published::NAMES);
        }
        let list: String = published::NAMES
            .iter()
            .map(|n| format!("  {n:<20} {}\n", published::describe(n).unwrap_or_default()))
            .collect();
        return emit(&format!(
            "Built-in tables (mobility published NAME):\n{list}"
        ));
    }
    let name = args::one_positional(&args, "table name")?;
    let Some(tm) = published::by_name(name) else {
        return Err(args::usage(
            "published",
            format!(
                "unknown table '{name}'; the built-in tables are {}",
                published::NAMES.join(", ")
            ),
        ));
    };
    let pi = args::pi(&args)?;
    args::check_pi_len(&pi, tm.k(), "published")?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, name))?;
    if args.has("json") {
        return print_json(&report);
    }
    emit(&format!(
        "mobility published: {name}\n{}",
        render_report(&report, &tm.labels())
    ))
}
