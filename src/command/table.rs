//! `mobility table`: a k x k count or probability table from a CSV file, and its measures.

use serde::Serialize;

use crate::io::csv::{Delimiter, Table};
use crate::matrix::{MAX_ROW_TOLERANCE, ProbabilityOptions, TableHint, TableOption};
use crate::measures::Weighting;
use crate::render::text::render_report;
use crate::report::Report;
use crate::{MobilityError, Parameter, TransitionMatrix};

use super::{CommandError, Note, Output, Reply, Result, check_pi_len, data, one, pi_error, refuse};

const COMMAND: &str = "table";

/// What `mobility table` was asked.
#[derive(Debug, Clone, Default)]
pub struct TableRequest {
    /// The file (`-`: standard input).
    pub positionals: Vec<String>,
    /// `--probabilities`: the entries are row probabilities, not counts.
    pub probabilities: bool,
    /// `--parent-shares a,b,...` (probability tables).
    pub parent_shares: Option<Vec<f64>>,
    /// `--child-in-rows`: the file is transposed.
    pub child_in_rows: bool,
    /// `--top-first`: the file lists the top class first.
    pub top_first: bool,
    /// `--renormalise`: rescale rows that miss 1 (probability tables).
    pub renormalise: bool,
    /// `--tolerance T` for row sums (probability tables).
    pub tolerance: Option<f64>,
    /// `--pi WEIGHTS`.
    pub pi: Option<Weighting>,
    /// `--delimiter D`.
    pub delimiter: Option<Delimiter>,
    /// `--json`.
    pub json: bool,
}

/// Runs `mobility table`.
///
/// # Errors
/// [`CommandError::Usage`] for options that do not fit the table, [`CommandError::Data`] for
/// the file (not square, a negative count, a row that does not sum to 1, ...).
pub fn run(r: &TableRequest) -> Result<Reply> {
    let file = one(COMMAND, &r.positionals, "FILE.csv")?;
    if !r.probabilities {
        refuse(
            COMMAND,
            &[
                ("parent-shares", r.parent_shares.is_some()),
                ("renormalise", r.renormalise),
                ("tolerance", r.tolerance.is_some()),
            ],
            "applies to probability tables (add --probabilities); a count table gives its own \
             shares",
        )?;
    }
    let tolerance = r
        .tolerance
        .unwrap_or(ProbabilityOptions::default().tolerance);
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(CommandError::usage(
            COMMAND,
            format!("--tolerance expects a number >= 0, got '{tolerance}'"),
        ));
    }
    if tolerance > MAX_ROW_TOLERANCE {
        return Err(CommandError::usage(
            COMMAND,
            format!(
                "--tolerance must be at most {MAX_ROW_TOLERANCE}, got {tolerance}: a row that \
                 misses 1 by more is not a rounded probability row (is the table in percent or \
                 counts?)"
            ),
        ));
    }
    let (top_first, child_in_rows) = (r.top_first, r.child_in_rows);
    let mut pi = r.pi.clone().unwrap_or(Weighting::ParentShares);
    let mut parent_shares = r.parent_shares.clone();
    let table = super::read_table(file, r.delimiter)?;
    let source = table.source.clone();
    let k = table.values.nrows();
    if let Some(s) = &parent_shares
        && s.len() != k
    {
        return Err(CommandError::usage(
            COMMAND,
            format!(
                "--parent-shares has {} values but the table has {k} classes",
                s.len()
            ),
        ));
    }
    check_pi_len(&pi, k, COMMAND)?;
    // --top-first: the file's class 1 is the top; reverse both axes (and the per-class
    // options, given in the file's order) so class 1 is the bottom, as everywhere else.
    if top_first {
        if let Some(s) = parent_shares.as_mut() {
            s.reverse();
        }
        if let Weighting::Custom(w) = &mut pi {
            w.reverse();
        }
    }
    let values = oriented(&table, top_first);
    let labels = class_names(&table, k, top_first);
    let tm = if r.probabilities {
        let opts = ProbabilityOptions {
            parent_shares,
            tolerance,
            renormalise: r.renormalise,
            child_in_rows,
        };
        TransitionMatrix::from_probabilities(values.view(), &opts)
    } else if child_in_rows {
        TransitionMatrix::from_counts(values.t())
    } else {
        TransitionMatrix::from_counts(values.view())
    }
    .map_err(|e| table_error(e, &table, r.probabilities, child_in_rows, top_first))?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, &source))?;
    let numeric_header = (table.column_labels.as_ref())
        .is_some_and(|l| l.iter().any(|c| c.trim().parse::<f64>().is_ok()));
    if r.json {
        return Ok(Reply {
            output: Output::json(TableJson {
                report,
                header: table.header_line.map(|line| Header {
                    line,
                    labels: table.column_labels.clone().unwrap_or_default(),
                    numeric: numeric_header,
                }),
                row_labels: table.row_labels.clone(),
                labels,
                top_first,
            }),
            notes: Vec::new(),
        });
    }
    let mut notes = Vec::new();
    if let (Some(line), true) = (table.header_line, numeric_header) {
        notes.push(Note::Info(format!(
            "{source}: line {line} was taken as a header row (class numbers {}), not as a row of \
             the table",
            table
                .column_labels
                .as_deref()
                .unwrap_or_default()
                .join(", ")
        )));
    }
    let mut layout = Vec::new();
    if let Some(line) = table.header_line {
        layout.push(format!("header row on line {line}"));
    }
    if table.row_labels.is_some() {
        layout.push("labels in column 1".to_string());
    }
    if child_in_rows {
        layout.push("transposed: child classes were in rows".to_string());
    }
    if top_first {
        layout.push("reversed: the file lists the top class first".to_string());
    }
    let layout = if layout.is_empty() {
        String::new()
    } else {
        format!(" ({})", layout.join("; "))
    };
    let kind = if r.probabilities {
        "probability"
    } else {
        "count"
    };
    let mut out = format!("mobility table: {source}, a {k} x {k} {kind} table{layout}\n");
    out.push_str(&render_report(&report, &labels));
    Ok(Reply {
        output: Output::Text(out),
        notes,
    })
}

/// The table's values, both axes reversed with `--top-first` (class 1 at the bottom).
pub(crate) fn oriented(table: &Table, top_first: bool) -> ndarray::Array2<f64> {
    if top_first {
        table.values.slice(ndarray::s![..;-1, ..;-1]).to_owned()
    } else {
        table.values.clone()
    }
}

/// `table --json`: the report, and how the file was read.
#[derive(Serialize)]
struct TableJson {
    #[serde(flatten)]
    report: Report,
    /// The header row, when the first line was taken as one.
    header: Option<Header>,
    /// The first column's labels as in the file, when it had them.
    row_labels: Option<Vec<String>>,
    /// The class names, in the order of the matrix (bottom class first).
    labels: Vec<String>,
    /// Whether the file's order was reversed (`--top-first`).
    top_first: bool,
}

#[derive(Serialize)]
struct Header {
    /// The line of the file taken as the header.
    line: u64,
    /// Its labels over the numeric columns, as in the file.
    labels: Vec<String>,
    /// Whether its labels are numbers (class numbers `1, 2, ..., k`), so the line could have
    /// been read as data.
    numeric: bool,
}

/// The class names in the order of the matrix: the file's own labels (the header's, else the
/// label column's) when they are there, non-empty and distinct, otherwise the library's
/// defaults (`class_labels`: Q1..Q5, D1..D10, P1..P100, else C1..Ck); reversed with
/// `--top-first`.
fn class_names(table: &Table, k: usize, top_first: bool) -> Vec<String> {
    let usable = |l: &Vec<String>| {
        let mut seen = std::collections::HashSet::new();
        l.len() == k
            && l.iter()
                .all(|x| !x.trim().is_empty() && seen.insert(x.trim()))
    };
    match [&table.column_labels, &table.row_labels]
        .into_iter()
        .flatten()
        .find(|l| usable(l))
    {
        Some(l) => {
            let mut l: Vec<String> = l.iter().map(|x| x.trim().to_string()).collect();
            if top_first {
                l.reverse();
            }
            l
        }
        None => crate::matrix::class_labels(k),
    }
}

/// The CLI's spelling of the options a [`TableHint`] points to.
fn flag_name(o: TableOption) -> &'static str {
    match o {
        TableOption::ChildInRows => "--child-in-rows",
        TableOption::Probabilities => "--probabilities",
        TableOption::Renormalise => "--renormalise",
    }
}

/// A library error about a table, at its place in the file (`transposed`: `--child-in-rows`,
/// `reversed`: `--top-first`), with a hint at the option that reads it right.
pub(crate) fn table_error(
    e: MobilityError,
    table: &Table,
    probabilities: bool,
    transposed: bool,
    reversed: bool,
) -> CommandError {
    let k = table.values.nrows();
    // 0-based index into the table as passed to the library -> index in the file
    let flip = |i: usize| if reversed { k - 1 - i } else { i };
    let what = if probabilities {
        "probability"
    } else {
        "count"
    };
    let source = table.source.as_str();
    match e {
        MobilityError::InvalidEntry {
            row, col, value, ..
        } => {
            // library indices are 1-based (parent row, child column) of the possibly transposed table
            let (r, c) = if transposed {
                (flip(col - 1), flip(row - 1))
            } else {
                (flip(row - 1), flip(col - 1))
            };
            let message = format!("{what} {value} is negative; entries must be >= 0");
            data(table.error_at(r, c, message), None)
        }
        MobilityError::RowSum {
            row,
            sum,
            tolerance,
        } => {
            let hint = TableHint::for_table(table.values.view(), transposed, tolerance, sum);
            let message = format!(
                "parent class {} sums to {sum}, not 1 (tolerance {tolerance}); {}",
                flip(row - 1) + 1,
                hint.text(flag_name)
            );
            if transposed {
                let column = table.first_column + flip(row - 1);
                CommandError::Data(format!("{source}: column {column}: {message}"))
            } else {
                data(table.row_error(flip(row - 1), message), None)
            }
        }
        MobilityError::ZeroTotalWeight { .. } => {
            CommandError::Data(format!("{source}: every count in the table is zero"))
        }
        MobilityError::TooFewClasses { k } => CommandError::Data(format!(
            "{source}: the table is {k} x {k}; a transition table needs at least 2 classes"
        )),
        MobilityError::InvalidParameter {
            name: Parameter::ParentShares,
            reason,
        } => CommandError::usage(COMMAND, format!("invalid --parent-shares: {reason}")),
        other => data(other, Some(source)),
    }
}
