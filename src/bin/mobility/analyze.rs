//! `mobility analyze`: arguments -> `mobility::command::analyze`, with a progress spinner.

use mobility::command::analyze::{self, AnalyzeRequest};
use mobility::command::values::{format, name, size};
use mobility::command::{Reply, Result};

use crate::args::Args;
use crate::progress::Progress;

const SPEC: &str = "parent= child= weight= quantiles= rule= pi= delimiter= format= by= \
                    memory-limit= no-rank-measures quiet drop-missing json bootstrap= seed= \
                    cluster= ci= weight-kind= periods=";

pub fn run(raw: &[String]) -> Result<Reply> {
    let Some(a) = Args::parse("analyze", raw, SPEC)? else {
        return Ok(Reply::text(include_str!("help/analyze.txt").into()));
    };
    let mut request = AnalyzeRequest {
        positionals: a.positionals.clone(),
        pairs: a.pairs()?,
        format: a.get("format", format)?,
        by: a.text("by"),
        memory_limit: a.get("memory-limit", size)?,
        no_rank_measures: a.flag("no-rank-measures"),
        quiet: a.flag("quiet"),
        json: a.flag("json"),
        bootstrap: a.bootstrap()?,
        cluster: a.text("cluster"),
        weight_kind: a.get("weight-kind", name)?,
        periods: a.text("periods"),
        on_pass: None,
        progress: None,
    };
    let progress = Progress::new(request.quiet, request.json);
    request.progress = progress.replicates();
    let on_pass = |i: usize, name: &str| progress.pass(i, name);
    request.on_pass = Some(&on_pass);
    let reply = analyze::run(&request);
    progress.finish();
    reply
}
