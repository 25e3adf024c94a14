//! `mobility demo`: arguments -> `mobility::command::demo`.

use mobility::command::demo::{self, DemoRequest};
use mobility::command::values::{self, count};
use mobility::command::{Reply, Result};

use crate::args::Args;

pub fn run(raw: &[String]) -> Result<Reply> {
    let Some(a) = Args::parse("demo", raw, "n= seed=")? else {
        return Ok(Reply::text(include_str!("help/demo.txt").into()));
    };
    demo::run(&DemoRequest {
        positionals: a.positionals.clone(),
        n: a.get("n", values::simulated)?,
        seed: a.get("seed", count)?,
    })
}
