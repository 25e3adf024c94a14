//! `mobility demo`: the quickstart demonstration on built-in data (simulated, US and UK).

use mobility::render::demo::{DemoOptions, quickstart};

use crate::args::{self, value};
use crate::{Outcome, data, emit};

const HELP: &str = include_str!("help/demo.txt");

pub fn run(raw: &[String]) -> Outcome<()> {
    let Some(args) = args::parse("demo", raw, &[value("n"), value("seed")])? else {
        return emit(HELP);
    };
    if !args.positionals.is_empty() {
        return Err(args::usage("demo", "takes no file (the data are built in)"));
    }
    let defaults = DemoOptions::default();
    let options = DemoOptions {
        n: args::whole(
            &args,
            "n",
            defaults.n,
            "a whole number of pairs",
            mobility::limits::MAX_SIMULATED as u64,
        )?,
        seed: args::whole(
            &args,
            "seed",
            defaults.seed,
            "a whole number >= 0",
            u64::MAX,
        )?,
        ..defaults
    };
    emit(&quickstart(&options).map_err(|e| data(e, None))?)
}
