//! `mobility report`: arguments -> `mobility::command::report` (`-o FILE` is the one short
//! option).

use mobility::command::report::{self, ReportRequest};
use mobility::command::values::{bins, format};
use mobility::command::{Reply, Result};

use crate::args::Args;
use crate::progress::Progress;

const SPEC: &str = "parent= child= weight= by= quantiles= rule= pi= bins= delimiter= format= \
                    drop-missing bootstrap= seed= ci= title= output= published= table= \
                    probabilities top-first";

pub fn run(raw: &[String]) -> Result<Reply> {
    let long: Vec<String> = (raw.iter())
        .map(|a| match a.strip_prefix("-o") {
            Some("") => "--output".to_string(),
            Some(rest) if !rest.starts_with('-') => format!("--output={rest}"),
            _ => a.clone(),
        })
        .collect();
    let Some(a) = Args::parse("report", &long, SPEC)? else {
        return Ok(Reply::text(include_str!("help/report.txt").into()));
    };
    let progress = Progress::new(false, false);
    let reply = report::run(&ReportRequest {
        command_line: raw.to_vec(),
        positionals: a.positionals.clone(),
        pairs: a.pairs()?,
        by: a.text("by"),
        bins: a.get("bins", bins)?,
        format: a.get("format", format)?,
        bootstrap: a.bootstrap()?,
        title: a.text("title"),
        output: a.text("output"),
        published: a.text("published"),
        table: a.text("table"),
        probabilities: a.flag("probabilities"),
        top_first: a.flag("top-first"),
        progress: progress.replicates(),
    });
    progress.finish();
    reply
}
