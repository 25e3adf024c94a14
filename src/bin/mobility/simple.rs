//! `mobility table`, `published` and `demo`: arguments -> `mobility::command`.

use mobility::command::demo::DemoRequest;
use mobility::command::published::PublishedRequest;
use mobility::command::table::TableRequest;
use mobility::command::values::{self, count};
use mobility::command::{Reply, Result, demo, published, table};

use crate::args::Args;

pub fn table(raw: &[String]) -> Result<Reply> {
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

pub fn published(raw: &[String]) -> Result<Reply> {
    let Some(a) = Args::parse("published", raw, "pi= json")? else {
        return Ok(Reply::text(include_str!("help/published.txt").into()));
    };
    published::run(&PublishedRequest {
        positionals: a.positionals.clone(),
        pi: a.get("pi", values::pi)?,
        json: a.flag("json"),
    })
}

pub fn demo(raw: &[String]) -> Result<Reply> {
    let Some(a) = Args::parse("demo", raw, "n= seed=")? else {
        return Ok(Reply::text(include_str!("help/demo.txt").into()));
    };
    demo::run(&DemoRequest {
        positionals: a.positionals.clone(),
        n: a.get("n", values::simulated)?,
        seed: a.get("seed", count)?,
    })
}
