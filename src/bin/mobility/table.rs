//! `mobility table`: arguments -> `mobility::command::table`.

use mobility::command::table::{self, TableRequest};
use mobility::command::values;
use mobility::command::{Reply, Result};

use crate::args::Args;

pub fn run(raw: &[String]) -> Result<Reply> {
    let spec = "probabilities parent-shares= child-in-rows top-first renormalise tolerance= pi= \
                delimiter= json";
    let Some(a) = Args::parse("table", raw, spec)? else {
        return Ok(Reply::text(include_str!("help/table.txt").into()));
    };
    table::run(&TableRequest {
        positionals: a.positionals.clone(),
        probabilities: a.flag("probabilities"),
        parent_shares: a.get("parent-shares", values::list)?,
        child_in_rows: a.flag("child-in-rows"),
        top_first: a.flag("top-first"),
        renormalise: a.flag("renormalise"),
        tolerance: a.get("tolerance", |s| values::number(s, "a number >= 0"))?,
        pi: a.get("pi", values::pi)?,
        delimiter: a.get("delimiter", values::delimiter)?,
        json: a.flag("json"),
    })
}
