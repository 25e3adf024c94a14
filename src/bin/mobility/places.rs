//! `mobility places`: arguments -> `mobility::command::places`.

use mobility::command::places::{self, PlacesRequest};
use mobility::command::values::{count, name, number, replicates};
use mobility::command::{Reply, Result};

use crate::args::Args;
use crate::progress::Progress;

const SPEC: &str = "parent= child= by= weight= quantiles= rule= ranks= drop-missing matrices \
                    score= fraction= row-tolerance= top= pi= delimiter= json measure= bootstrap= \
                    seed= rank-ci min-size= resample= cluster= coverage= tau=";

pub fn run(raw: &[String]) -> Result<Reply> {
    let Some(a) = Args::parse("places", raw, SPEC)? else {
        return Ok(Reply::text(include_str!("help/places.txt").into()));
    };
    let size = |n: &str| Ok(a.get(n, count)?.map(|v| v as usize));
    let progress = Progress::new(false, a.flag("json"));
    let reply = places::run(&PlacesRequest {
        positionals: a.positionals.clone(),
        pairs: a.pairs()?,
        by: a.text("by"),
        ranks: a.get("ranks", name)?,
        matrices: a.flag("matrices"),
        score: a.get("score", name)?,
        fraction: a.get("fraction", |s| number(s, "a number"))?,
        row_tolerance: a.get("row-tolerance", |s| number(s, "a number"))?,
        top: size("top")?,
        json: a.flag("json"),
        measure: a.get("measure", name)?,
        bootstrap: a.get("bootstrap", replicates)?,
        seed: a.get("seed", count)?,
        rank_ci: a.flag("rank-ci"),
        min_size: size("min-size")?,
        resample: a.get("resample", name)?,
        cluster: a.text("cluster"),
        coverage: a.get("coverage", |s| number(s, "a number in [0.5, 1)"))?,
        tau: size("tau")?,
        progress: progress.replicates(),
    });
    progress.finish();
    reply
}
