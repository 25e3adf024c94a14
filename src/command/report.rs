//! `mobility report`: one self-contained HTML file of an analysis (paired status from a CSV or
//! Parquet file, a built-in published table, or a k x k table), written by
//! [`crate::render::html`].

use crate::io::chunked_csv::StreamColumns;
use crate::io::csv::{Columns, CsvOptions};
use crate::measures::Weighting;
use crate::published;
use crate::render::html::{
    BootstrapOptions, DroppedRows, ReportOptions, ReportPage, ReportResults, Source, render,
};
use crate::stream::file::{FileFormat, FileSource};
use crate::{MobilityError, Parameter, TransitionMatrix};

use super::table::{oriented, table_error};
use super::{
    BootstrapArgs, CommandError, Pairs, Reply, Result, check_pi_len, data, one, pi_error,
    read_columns, refuse, status_error,
};

const COMMAND: &str = "report";

/// What `mobility report` was asked.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    /// The arguments after `report`, as typed (for the page's "to reproduce" line).
    pub command_line: Vec<String>,
    /// The file of paired status (`-`: standard input).
    pub positionals: Vec<String>,
    /// Columns, classes, origin weights, CSV reading.
    pub pairs: Pairs,
    /// `--by COL`: places.
    pub by: Option<String>,
    /// `--bins N` of the rank-rank picture (default 20).
    pub bins: Option<usize>,
    /// `--format csv|parquet`.
    pub format: Option<FileFormat>,
    /// `--bootstrap`, `--seed`, `--ci`.
    pub bootstrap: BootstrapArgs,
    /// `--title TEXT`.
    pub title: Option<String>,
    /// `-o FILE` / `--output FILE` (`-`: standard output).
    pub output: Option<String>,
    /// `--published NAME`: a built-in table.
    pub published: Option<String>,
    /// `--table FILE`: a k x k table.
    pub table: Option<String>,
    /// `--probabilities` (with `--table`).
    pub probabilities: bool,
    /// `--top-first` (with `--table`).
    pub top_first: bool,
    /// Counts the bootstrap's finished replicates (a progress display).
    pub progress: Option<crate::progress::ProgressCounter>,
}

/// Runs `mobility report`: writes the page to `-o FILE` and says so, or returns it as the
/// output with `-o -`.
///
/// # Errors
/// [`CommandError::Usage`] for options that do not fit together, [`CommandError::Data`] for the
/// input, or when the file cannot be written.
pub fn run(r: &ReportRequest) -> Result<Reply> {
    let output = r.output.as_deref().ok_or_else(|| {
        CommandError::usage(
            COMMAND,
            "-o FILE is required (the HTML file to write, e.g. -o report.html)",
        )
    })?;
    let command = std::iter::once("mobility report".to_string())
        .chain(r.command_line.iter().map(|a| shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let page = match (&r.published, &r.table) {
        (Some(_), Some(_)) => {
            return Err(CommandError::usage(
                COMMAND,
                "--published and --table are two sources; give one",
            ));
        }
        (Some(name), None) => published_page(r, name, &command)?,
        (None, Some(file)) => table_page(r, file, &command)?,
        (None, None) => pairs_page(r, &command)?,
    };
    let html = render(&page).map_err(|e| CommandError::Data(e.to_string()))?;
    if output == "-" {
        return Ok(Reply::text(html));
    }
    std::fs::write(output, &html)
        .map_err(|e| CommandError::Data(format!("cannot write {output}: {e}")))?;
    Ok(Reply::text(format!(
        "mobility report: wrote {output} ({} KB)\n",
        html.len().div_ceil(1024)
    )))
}

/// The columns (and `--by` labels) of a Parquet file, read whole into memory as the CSV path
/// reads a CSV file.
fn parquet_columns(
    file: &str,
    names: &[&str],
    by: Option<&str>,
    options: &CsvOptions,
) -> Result<(Columns, Option<Vec<String>>)> {
    let columns = StreamColumns {
        parent: names[0].into(),
        child: names[1].into(),
        weight: names.get(2).map(|w| w.to_string()),
        group: by.map(Into::into),
    };
    let path = std::path::Path::new(file);
    let src = FileSource::open(path, Some(FileFormat::Parquet), &columns, options)
        .map_err(|e| data(e, None))?;
    let (part, dropped) = src.read_all().map_err(|e| data(e, Some(file)))?;
    let n = part.parent.len();
    let labels = (part.group)
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
fn pairs_page(r: &ReportRequest, command: &str) -> Result<ReportPage> {
    refuse(
        COMMAND,
        &[
            ("probabilities", r.probabilities),
            ("top-first", r.top_first),
        ],
        "applies to --table (a k x k table)",
    )?;
    let b = &r.bootstrap;
    let bootstrap = (b.replicates(COMMAND, &[])?).map(|replicates| BootstrapOptions {
        replicates,
        seed: b.seed.unwrap_or(0),
        level: 0.95,
        ci: b.ci.unwrap_or_default(),
        progress: r.progress.clone(),
    });
    let file = one(
        COMMAND,
        &r.positionals,
        "FILE.csv (or --published NAME, --table FILE)",
    )?;
    let p = &r.pairs;
    let (parent, child) = p.columns(COMMAND)?;
    let (weight, by) = (p.weight.as_deref(), r.by.as_deref());
    let (k, rule) = p.classes(COMMAND)?;
    let pi = p.pi(k, COMMAND)?;
    let options = p.csv();
    let names = p.names(parent, child);
    let parquet = file != "-"
        && (r.format).unwrap_or_else(|| FileFormat::from_path(std::path::Path::new(file)))
            == FileFormat::Parquet;
    let (columns, labels) = if parquet {
        parquet_columns(file, &names, by, &options)?
    } else {
        read_columns(file, &names, by, &options)?
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
        dropped: (dropped.into_iter())
            .map(|d| DroppedRows {
                rows: d.rows,
                reason: format!(
                    "missing values; the first on line {}, column '{}'",
                    d.first_line, d.first_column
                ),
            })
            .collect(),
        command: Some(command.to_string()),
    };
    let report_options = ReportOptions {
        title: r.title.clone(),
        k,
        rule,
        weighting: pi,
        bins: r.bins.unwrap_or(20),
        bootstrap,
        source,
        ..ReportOptions::default()
    };
    let (parent, child, weights) = (get(parent), get(child), weight.map(get));
    ReportPage::from_data(parent, child, weights, labels.as_deref(), &report_options).map_err(|e| {
        match e {
            MobilityError::InvalidParameter {
                name: Parameter::Weighting,
                reason,
            } => CommandError::Data(format!("{}: --pi: {reason}", columns.source)),
            e @ MobilityError::InvalidParameter {
                name: Parameter::Pi | Parameter::OriginWeights,
                ..
            } => pi_error(e, &columns.source),
            e => status_error(e, &columns, weight),
        }
    })
}

/// Refuses the options of paired status for a report of a finished table.
fn refuse_pairs(r: &ReportRequest, source: &str) -> Result<()> {
    let (p, b) = (&r.pairs, &r.bootstrap);
    let pairs_only = [
        ("parent", p.parent.is_some()),
        ("child", p.child.is_some()),
        ("weight", p.weight.is_some()),
        ("by", r.by.is_some()),
        ("quantiles", p.quantiles.is_some()),
        ("rule", p.rule.is_some()),
        ("bins", r.bins.is_some()),
        ("drop-missing", p.drop_missing),
        ("bootstrap", b.replicates.is_some()),
        ("seed", b.seed.is_some()),
        ("ci", b.ci.is_some()),
    ];
    refuse(
        COMMAND,
        &pairs_only,
        &format!("applies to paired status in a CSV file, not to {source}"),
    )?;
    match r.positionals.first() {
        Some(extra) => Err(CommandError::usage(
            COMMAND,
            format!("unexpected argument '{extra}' (the table comes from {source})"),
        )),
        None => Ok(()),
    }
}

/// The page of a finished matrix.
fn matrix_page(
    r: &ReportRequest,
    tm: &TransitionMatrix,
    pi: Weighting,
    source: Source,
) -> Result<ReportPage> {
    let name = source.name.clone();
    let mut results = ReportResults::new(tm);
    results.weighting = pi;
    results.source = source;
    results.title = r.title.clone();
    ReportPage::from_results(&results).map_err(|e| pi_error(e, &name))
}

/// `--published NAME`: a built-in published table.
fn published_page(r: &ReportRequest, name: &str, command: &str) -> Result<ReportPage> {
    refuse_pairs(r, "--published")?;
    refuse(
        COMMAND,
        &[
            ("probabilities", r.probabilities),
            ("top-first", r.top_first),
            ("delimiter", r.pairs.delimiter.is_some()),
        ],
        "applies to --table, not to --published",
    )?;
    let tm = super::published::table(COMMAND, name)?;
    let pi = r.pairs.pi.clone().unwrap_or_default();
    check_pi_len(&pi, tm.k(), COMMAND)?;
    let source = Source {
        name: match published::describe(name) {
            Some(d) => format!("{name}: {d}"),
            None => name.to_string(),
        },
        command: Some(command.to_string()),
        ..Source::default()
    };
    matrix_page(r, &tm, pi, source)
}

/// `--table FILE [--probabilities]`: a k x k count (or probability) table, parents in rows.
fn table_page(r: &ReportRequest, file: &str, command: &str) -> Result<ReportPage> {
    refuse_pairs(r, "--table")?;
    let table = super::read_table(file, r.pairs.delimiter)?;
    // --top-first: class 1 of the file is the top; reversed as `mobility table --top-first`
    let values = oriented(&table, r.top_first);
    let tm = if r.probabilities {
        TransitionMatrix::from_probabilities(values.view(), &Default::default())
    } else {
        TransitionMatrix::from_counts(values.view())
    }
    .map_err(|e| table_error(e, &table, r.probabilities, false, r.top_first))?;
    let pi = r.pairs.pi.clone().unwrap_or_default();
    check_pi_len(&pi, tm.k(), COMMAND)?;
    let source = Source {
        name: table.source.clone(),
        command: Some(command.to_string()),
        ..Source::default()
    };
    matrix_page(r, &tm, pi, source)
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
