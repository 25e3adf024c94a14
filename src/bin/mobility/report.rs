//! `mobility report`: one self-contained HTML file of an analysis (paired status from a CSV
//! file, a built-in published table, or a k x k table), written by `mobility::render::html`.

use mobility::inference::CiMethod;
use mobility::io::chunked_csv::StreamColumns;
use mobility::io::csv::{self, Columns, CsvOptions, Missing};
use mobility::measures::Weighting;
use mobility::published;
use mobility::render::html::{
    BootstrapOptions, DroppedRows, ReportOptions, ReportPage, ReportResults, Source, render,
};
use mobility::stream::file::{FileFormat, FileSource};
use mobility::{MobilityError, Parameter, TransitionMatrix};

use crate::analyze::status_error;
use crate::args::{self, Args, flag, value};
use crate::{Failure, Outcome, data, emit, pi_error};

const HELP: &str = include_str!("help/report.txt");

pub fn run(raw: &[String]) -> Outcome<()> {
    // The command line as typed, for the page's "to reproduce" line.
    let command = std::iter::once("mobility report".to_string())
        .chain(raw.iter().map(|a| shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    // `-o FILE` is the one short option.
    let raw: Vec<String> = raw
        .iter()
        .map(|a| match a.strip_prefix("-o") {
            Some("") => "--output".to_string(),
            Some(rest) if !rest.starts_with('-') => format!("--output={rest}"),
            _ => a.clone(),
        })
        .collect();
    let opts = [
        value("parent"),
        value("child"),
        value("weight"),
        value("by"),
        value("quantiles"),
        value("rule"),
        value("pi"),
        value("bins"),
        value("delimiter"),
        value("format"),
        flag("drop-missing"),
        value("bootstrap"),
        value("seed"),
        value("ci"),
        value("title"),
        value("output"),
        value("published"),
        value("table"),
        flag("probabilities"),
        flag("top-first"),
    ];
    let Some(args) = args::parse("report", &raw, &opts)? else {
        return emit(HELP);
    };
    let output = args.get("output").ok_or_else(|| {
        args::usage(
            "report",
            "-o FILE is required (the HTML file to write, e.g. -o report.html)",
        )
    })?;
    let page = match (args.get("published"), args.get("table")) {
        (Some(_), Some(_)) => {
            return Err(args::usage(
                "report",
                "--published and --table are two sources; give one",
            ));
        }
        (Some(name), None) => published_page(&args, name, &command)?,
        (None, Some(file)) => table_page(&args, file, &command)?,
        (None, None) => pairs_page(&args, &command)?,
    };
    let html = render(&page).map_err(|e| Failure::Data(e.to_string()))?;
    if output == "-" {
        return emit(&html);
    }
    std::fs::write(output, &html)
        .map_err(|e| Failure::Data(format!("cannot write {output}: {e}")))?;
    emit(&format!(
        "mobility report: wrote {output} ({} KB)\n",
        html.len().div_ceil(1024)
    ))
}

/// The options that only paired status takes.
const PAIRS_ONLY: [&str; 11] = [
    "parent",
    "child",
    "weight",
    "by",
    "quantiles",
    "rule",
    "bins",
    "drop-missing",
    "bootstrap",
    "seed",
    "ci",
];

/// The columns (and `--by` labels) of a Parquet file, read whole into memory as the CSV path
/// reads a CSV file.
fn parquet_columns(
    file: &str,
    names: &[&str],
    by: Option<&str>,
    options: &CsvOptions,
) -> Outcome<(Columns, Option<Vec<String>>)> {
    let columns = StreamColumns {
        parent: names[0].into(),
        child: names[1].into(),
        weight: names.get(2).map(|w| w.to_string()),
        group: by.map(Into::into),
    };
    let src = FileSource::open(
        std::path::Path::new(file),
        Some(FileFormat::Parquet),
        &columns,
        options,
    )
    .map_err(|e| data(e, None))?;
    let (part, dropped) = src.read_all().map_err(|e| data(e, Some(file)))?;
    let n = part.parent.len();
    let labels = part
        .group
        .map(|(codes, labels)| codes.iter().map(|&c| labels[c as usize].clone()).collect());
    let mut values = vec![part.parent, part.child];
    values.extend(part.weight);
    Ok((
        Columns {
            source: file.to_string(),
            names: names.iter().map(|s| s.to_string()).collect(),
            values,
            // data rows, numbered from 1 (a Parquet file has no header line)
            lines: (1..=n as u64).collect(),
            dropped,
        },
        labels,
    ))
}

/// A report from paired status in a CSV or Parquet file.
fn pairs_page(args: &Args, command: &str) -> Outcome<ReportPage> {
    args::refuse(
        args,
        &["probabilities", "top-first"],
        "applies to --table (a k x k table)",
    )?;
    let bootstrap = bootstrap_options(args)?;
    let file = args::one_positional(args, "FILE.csv (or --published NAME, --table FILE)")?;
    let parent = args.required("parent")?;
    let child = args.required("child")?;
    let weight = args.get("weight");
    let by = args.get("by");
    let (k, rule) = args::class_options(args, weight.is_some())?;
    let pi = args::pi(args)?;
    args::check_pi_len(&pi, k, "report")?;
    let bins: usize = args::whole(args, "bins", 20, "a whole number of bins, 2..=1000", 1000)?;
    if !(2..=1000).contains(&bins) {
        return Err(args::usage(
            "report",
            format!("--bins must lie between 2 and 1000, got {bins}"),
        ));
    }
    let options = CsvOptions {
        delimiter: args::delimiter(args)?,
        missing: args::missing(args),
    };
    let names: Vec<&str> = [Some(parent), Some(child), weight]
        .into_iter()
        .flatten()
        .collect();
    let stdin = file == "-";
    let format: Option<FileFormat> = match args.get("format") {
        None => None,
        Some(f) => Some(
            f.parse()
                .map_err(|e: MobilityError| args::usage("report", e))?,
        ),
    };
    let parquet = !stdin
        && format.unwrap_or_else(|| FileFormat::from_path(std::path::Path::new(file)))
            == FileFormat::Parquet;
    let (columns, labels) = if parquet {
        parquet_columns(file, &names, by, &options)?
    } else {
        match by {
            Some(by) => {
                let read = if stdin {
                    csv::read_labelled_columns_from(
                        std::io::stdin().lock(),
                        "<stdin>",
                        &names,
                        by,
                        &options,
                    )
                } else {
                    csv::read_labelled_columns(file, &names, by, &options)
                }
                .map_err(|e| data(e, None))?;
                (read.columns, Some(read.labels))
            }
            None => {
                let read = if stdin {
                    csv::read_columns_from(std::io::stdin().lock(), "<stdin>", &names, &options)
                } else {
                    csv::read_columns(file, &names, &options)
                }
                .map_err(|e| data(e, None))?;
                (read, None)
            }
        }
    };
    let get = |name: &str| columns.get(name).expect("column was read");
    let dropped = columns.dropped.as_ref();
    let source = Source {
        name: columns.source.clone(),
        parent: Some(parent.to_string()),
        child: Some(child.to_string()),
        weights: weight.map(str::to_string),
        groups: by.map(str::to_string),
        rows_read: Some(columns.len() + dropped.map_or(0, |d| d.rows)),
        dropped: dropped
            .map(|d| DroppedRows {
                rows: d.rows,
                reason: format!(
                    "missing values; the first on line {}, column '{}'",
                    d.first_line, d.first_column
                ),
            })
            .into_iter()
            .collect(),
        command: Some(command.to_string()),
    };
    let report_options = ReportOptions {
        title: args.get("title").map(str::to_string),
        k,
        rule,
        weighting: pi,
        bins,
        bootstrap,
        source,
        ..ReportOptions::default()
    };
    ReportPage::from_data(
        get(parent),
        get(child),
        weight.map(get),
        labels.as_deref(),
        &report_options,
    )
    .map_err(|e| match e {
        MobilityError::InvalidParameter {
            name: Parameter::Weighting,
            reason,
        } => Failure::Data(format!("{}: --pi: {reason}", columns.source)),
        e @ MobilityError::InvalidParameter {
            name: Parameter::Pi | Parameter::OriginWeights,
            ..
        } => pi_error(e, &columns.source),
        e => status_error(e, &columns, weight),
    })
}

/// `--bootstrap B`, `--seed S`, `--ci METHOD`, as `mobility analyze` takes them.
fn bootstrap_options(args: &Args) -> Outcome<Option<BootstrapOptions>> {
    if !args.has("bootstrap") {
        args::refuse(
            args,
            &["seed", "ci"],
            "applies to the bootstrap (add --bootstrap B)",
        )?;
        return Ok(None);
    }
    let replicates = args::replicates(args, 0)?;
    Ok(Some(BootstrapOptions {
        replicates,
        seed: args::whole(args, "seed", 0, "a whole number >= 0", u64::MAX)?,
        level: 0.95,
        ci: args::option(args, "ci", CiMethod::default())?,
    }))
}

/// Refuses the options of paired status for a report of a finished table.
fn refuse_pairs(args: &Args, source: &str) -> Outcome<()> {
    args::refuse(
        args,
        &PAIRS_ONLY,
        &format!("applies to paired status in a CSV file, not to {source}"),
    )?;
    match args.positionals.first() {
        Some(extra) => Err(args::usage(
            "report",
            format!("unexpected argument '{extra}' (the table comes from {source})"),
        )),
        None => Ok(()),
    }
}

/// The page of a finished matrix.
fn matrix_page(
    args: &Args,
    tm: &TransitionMatrix,
    pi: Weighting,
    source: Source,
) -> Outcome<ReportPage> {
    let name = source.name.clone();
    let mut results = ReportResults::new(tm);
    results.weighting = pi;
    results.source = source;
    results.title = args.get("title").map(str::to_string);
    ReportPage::from_results(&results).map_err(|e| pi_error(e, &name))
}

/// `--published NAME`: a built-in published table.
fn published_page(args: &Args, name: &str, command: &str) -> Outcome<ReportPage> {
    refuse_pairs(args, "--published")?;
    args::refuse(
        args,
        &["probabilities", "top-first", "delimiter"],
        "applies to --table, not to --published",
    )?;
    let Some(tm) = published::by_name(name) else {
        return Err(args::usage(
            "report",
            format!(
                "unknown table '{name}'; the built-in tables are {}",
                published::NAMES.join(", ")
            ),
        ));
    };
    let pi = args::pi(args)?;
    args::check_pi_len(&pi, tm.k(), "report")?;
    let source = Source {
        name: match published::describe(name) {
            Some(d) => format!("{name}: {d}"),
            None => name.to_string(),
        },
        command: Some(command.to_string()),
        ..Source::default()
    };
    matrix_page(args, &tm, pi, source)
}

/// `--table FILE [--probabilities]`: a k x k count (or probability) table, parents in rows.
fn table_page(args: &Args, file: &str, command: &str) -> Outcome<ReportPage> {
    refuse_pairs(args, "--table")?;
    let options = CsvOptions {
        delimiter: args::delimiter(args)?,
        missing: Missing::Reject,
    };
    let table = if file == "-" {
        csv::read_table_from(std::io::stdin().lock(), "<stdin>", &options)
    } else {
        csv::read_table(file, &options)
    }
    .map_err(|e| data(e, None))?;
    let probabilities = args.has("probabilities");
    // --top-first: class 1 of the file is the top; reversed as `mobility table --top-first`
    let top_first = args.has("top-first");
    let values = if top_first {
        table.values.slice(ndarray::s![..;-1, ..;-1]).to_owned()
    } else {
        table.values.clone()
    };
    let tm = if probabilities {
        TransitionMatrix::from_probabilities(values.view(), &Default::default())
    } else {
        TransitionMatrix::from_counts(values.view())
    }
    .map_err(|e| crate::table::table_error(e, &table, probabilities, false, top_first))?;
    let pi = args::pi(args)?;
    args::check_pi_len(&pi, tm.k(), "report")?;
    let source = Source {
        name: table.source.clone(),
        command: Some(command.to_string()),
        ..Source::default()
    };
    matrix_page(args, &tm, pi, source)
}

/// An argument as a POSIX shell reads it back: bare when it is safe, else in single quotes.
fn shell_quote(a: &str) -> String {
    let safe = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if safe {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a.csv"), "a.csv");
        assert_eq!(shell_quote("my file.csv"), "'my file.csv'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
