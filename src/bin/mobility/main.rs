//! `mobility`: quantile transition matrices and mobility measures from CSV files.
//!
//! Argument parsing and printing only: the library reads (`mobility::io::csv`), computes, builds
//! the output types (`mobility::report`, `mobility::groups`, `mobility::levelling`) and renders
//! them (`mobility::render`). Exit status: 0 on success, 2 for a usage error, 1 for a problem
//! with the data; every error is one line on stderr.

mod analyze;
mod args;
mod demo;
mod places;
mod progress;
mod published;
mod report;
mod table;

use std::io::Write;
use std::process::ExitCode;

use mobility::MobilityError;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const HELP: &str = include_str!("help/main.txt");

/// Why the program stops.
pub enum Failure {
    /// Bad arguments: exit status 2.
    Usage(String),
    /// Bad data: exit status 1.
    Data(String),
}

/// A command's result.
pub type Outcome<T> = std::result::Result<T, Failure>;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "mobility: error: internal error{at}: {}; please report this",
            one_line(&what)
        );
    }));
    match run(std::env::args_os().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("mobility: error: {}", one_line(&m));
            ExitCode::from(2)
        }
        Err(Failure::Data(m)) => {
            eprintln!("mobility: error: {}", one_line(&m));
            ExitCode::from(1)
        }
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn run(args: Vec<std::ffi::OsString>) -> Outcome<()> {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| {
            a.into_string()
                .map_err(|a| Failure::Usage(format!("argument {a:?} is not valid UTF-8")))
        })
        .collect::<Outcome<_>>()?;
    let Some((command, rest)) = args.split_first() else {
        return Err(Failure::Usage(
            "no command given; usage: mobility analyze|table|published|places|report|demo ... (see \
             mobility --help)"
                .into(),
        ));
    };
    match command.as_str() {
        "-h" | "--help" | "help" => emit(HELP),
        "-V" | "--version" => emit(&format!("mobility {VERSION}\n")),
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
            Err(Failure::Usage(format!("unknown command '{other}'{hint}")))
        }
    }
}

/// A library error about the data, as one line: `FILE: line N, column 'x': problem`.
pub fn data(e: MobilityError, source: Option<&str>) -> Failure {
    match e {
        MobilityError::Input {
            path,
            location,
            message,
        } => Failure::Data(match location {
            Some(l) => format!("{path}: {l}: {message}"),
            None => format!("{path}: {message}"),
        }),
        other => Failure::Data(match source {
            Some(s) => format!("{s}: {other}"),
            None => other.to_string(),
        }),
    }
}

/// Errors from the origin weighting: bad custom weights are usage errors; a stationary
/// distribution that is not unique is a property of the data.
pub fn pi_error(e: MobilityError, source: &str) -> Failure {
    match &e {
        MobilityError::InvalidParameter {
            name: mobility::Parameter::Pi | mobility::Parameter::OriginWeights,
            reason,
        } => Failure::Usage(format!("invalid --pi: {reason}")),
        _ => Failure::Data(format!("{source}: --pi: {e}")),
    }
}

/// The warning for a cluster bootstrap on fewer than 30 clusters (Python's `MobilityWarning`
/// says the same).
pub fn warn_if_few_clusters(n: usize) {
    if n >= 30 {
        return;
    }
    eprintln!(
        "mobility: warning: only {n} clusters: the cluster bootstrap needs many (30 or more) for \
         reliable standard errors and intervals"
    );
}

/// "dropped N rows with missing values (the first on line L, column 'c')".
pub fn dropped_note(d: &mobility::io::csv::DroppedRows) -> String {
    format!(
        "dropped {} row{} with missing values (the first on line {}, column '{}')",
        d.rows,
        if d.rows == 1 { "" } else { "s" },
        d.first_line,
        d.first_column
    )
}

/// Prints `value` as pretty JSON, streamed to stdout (no copy of the whole text is built).
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Outcome<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Data(format!("cannot write JSON: {e}"))),
    }
}

/// Writes to stdout; a closed pipe (`mobility ... | head`) is not an error.
pub fn emit(text: &str) -> Outcome<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Data(format!("cannot write the output: {e}"))),
    }
}
