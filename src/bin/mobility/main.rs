//! `mobility`: quantile transition matrices and mobility measures from CSV files.
//!
//! Argument parsing and printing only: `mobility::command` checks the options, reads, computes
//! and builds every output and message. Exit status: 0 on success, 2 for a usage error, 1 for a
//! problem with the data; every error is one line on stderr.

mod analyze;
mod args;
mod demo;
mod places;
mod progress;
mod published;
mod report;
mod table;

use std::io::{BufWriter, ErrorKind};
use std::process::ExitCode;

use mobility::command::{CommandError, Output, Reply, Result};

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let p = info.payload();
        let what = (p.downcast_ref::<&str>().map(|s| s.to_string()))
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = (info.location())
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = what.replace(['\n', '\r'], " ");
        eprintln!("mobility: error: internal error{at}: {what}; please report this");
    }));
    let failure = match run(std::env::args_os().skip(1).collect()).and_then(print) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(e) => e,
    };
    eprintln!("mobility: error: {failure}");
    ExitCode::from(if matches!(failure, CommandError::Usage(_)) {
        2
    } else {
        1
    })
}

fn run(args: Vec<std::ffi::OsString>) -> Result<Reply> {
    let args: Vec<String> = (args.into_iter())
        .map(|a| {
            a.into_string()
                .map_err(|a| CommandError::Usage(format!("argument {a:?} is not valid UTF-8")))
        })
        .collect::<Result<_>>()?;
    let Some((command, rest)) = args.split_first() else {
        return Err(CommandError::Usage(
            "no command given; usage: mobility analyze|table|published|places|report|demo ... (see \
             mobility --help)"
                .into(),
        ));
    };
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(Reply::text(include_str!("help/main.txt").into())),
        "-V" | "--version" => Ok(Reply::text(format!(
            "mobility {}\n",
            env!("CARGO_PKG_VERSION")
        ))),
        "analyze" | "analyse" => analyze::run(rest),
        "table" => table::run(rest),
        "published" => published::run(rest),
        "places" => places::run(rest),
        "report" => report::run(rest),
        "demo" => demo::run(rest),
        other => {
            let hint = if other.ends_with(".csv") || other.ends_with(".tsv") {
                format!("; did you mean 'mobility analyze {other} --parent COL --child COL'?")
            } else if other.starts_with('-') {
                "; options come after the command (see mobility --help)".to_string()
            } else {
                "; expected analyze, table, published, places, report or demo (see mobility --help)"
                    .to_string()
            };
            Err(CommandError::Usage(format!(
                "unknown command '{other}'{hint}"
            )))
        }
    }
}

/// Prints the notes on stderr and the output on stdout; a closed pipe (`mobility ... | head`)
/// is not an error.
fn print(reply: Reply) -> Result<()> {
    for note in &reply.notes {
        eprintln!("mobility: {note}");
    }
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match reply.output.write_to(&mut out) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(CommandError::Data(match reply.output {
                Output::Json(_) => format!("cannot write JSON: {e}"),
                Output::Text(_) => format!("cannot write the output: {e}"),
            }))
        }
        _ => Ok(()),
    }
}
