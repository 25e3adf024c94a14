//! `mobility published`: arguments -> `mobility::command::published`.

use mobility::command::published::{self, PublishedRequest};
use mobility::command::values;
use mobility::command::{Reply, Result};

use crate::args::Args;

pub fn run(raw: &[String]) -> Result<Reply> {
    let Some(a) = Args::parse("published", raw, "pi= json")? else {
        return Ok(Reply::text(include_str!("help/published.txt").into()));
    };
    published::run(&PublishedRequest {
        positionals: a.positionals.clone(),
        pi: a.get("pi", values::pi)?,
        json: a.flag("json"),
    })
}
