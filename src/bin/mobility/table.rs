//! `mobility table`: a k x k count or probability table from a CSV file.

use mobility::io::csv::{self, CsvOptions, Missing, Table};
use mobility::matrix::{ProbabilityOptions, TableHint, TableOption};
use mobility::render::text::render_report;
use mobility::{MobilityError, Parameter, TransitionMatrix};

use crate::args::{self, flag, value};
use crate::{Failure, Outcome, data, emit, pi_error, print_json};

const HELP: &str = include_str!("help/table.txt");

pub fn run(raw: &[String]) -> Outcome<()> {
    let opts = [
        flag("probabilities"),
        value("parent-shares"),
        flag("child-in-rows"),
        flag("renormalise"),
        value("tolerance"),
        value("pi"),
        value("delimiter"),
        flag("json"),
    ];
    let Some(args) = args::parse("table", raw, &opts)? else {
        return emit(HELP);
    };
    let file = args::one_positional(&args, "FILE.csv")?;
    let probabilities = args.has("probabilities");
    if !probabilities {
        args::refuse(
            &args,
            &["parent-shares", "renormalise", "tolerance"],
            "applies to probability tables (add --probabilities); a count table gives its own \
             shares",
        )?;
    }
    let parent_shares = args::list(&args, "parent-shares")?;
    let tolerance: f64 = args::number(
        &args,
        "tolerance",
        ProbabilityOptions::default().tolerance,
        "a number >= 0",
    )?;
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(args::usage(
            "table",
            format!("--tolerance expects a number >= 0, got '{tolerance}'"),
        ));
    }
    let child_in_rows = args.has("child-in-rows");
    let pi = args::pi(&args)?;
    let options = CsvOptions {
        delimiter: args::delimiter(&args)?,
        missing: Missing::Reject,
    };
    let table = if file == "-" {
        csv::read_table_from(std::io::stdin().lock(), "<stdin>", &options)
    } else {
        csv::read_table(file, &options)
    }
    .map_err(|e| data(e, None))?;
    let source = table.source.clone();
    let k = table.values.nrows();
    if let Some(s) = &parent_shares
        && s.len() != k
    {
        return Err(args::usage(
            "table",
            format!(
                "--parent-shares has {} values but the table has {k} classes",
                s.len()
            ),
        ));
    }
    args::check_pi_len(&pi, k, "table")?;
    let tm = if probabilities {
        let opts = ProbabilityOptions {
            parent_shares,
            tolerance,
            renormalise: args.has("renormalise"),
            child_in_rows,
        };
        TransitionMatrix::from_probabilities(table.values.view(), &opts)
    } else if child_in_rows {
        TransitionMatrix::from_counts(table.values.t())
    } else {
        TransitionMatrix::from_counts(table.values.view())
    }
    .map_err(|e| table_error(e, &table, probabilities, child_in_rows))?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, &source))?;
    if args.has("json") {
        return print_json(&report);
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
    let layout = if layout.is_empty() {
        String::new()
    } else {
        format!(" ({})", layout.join("; "))
    };
    let kind = if probabilities {
        "probability"
    } else {
        "count"
    };
    let mut out = format!("mobility table: {source}, a {k} x {k} {kind} table{layout}\n");
    out.push_str(&render_report(&report, &tm.labels()));
    emit(&out)
}

/// The CLI's spelling of the options a [`TableHint`] points to.
fn flag_name(o: TableOption) -> &'static str {
    match o {
        TableOption::ChildInRows => "--child-in-rows",
        TableOption::Probabilities => "--probabilities",
        TableOption::Renormalise => "--renormalise",
    }
}

pub fn table_error(
    e: MobilityError,
    table: &Table,
    probabilities: bool,
    transposed: bool,
) -> Failure {
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
                (col - 1, row - 1)
            } else {
                (row - 1, col - 1)
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
                "parent class {row} sums to {sum}, not 1 (tolerance {tolerance}); {}",
                hint.text(flag_name)
            );
            if transposed {
                let column = table.first_column + row - 1;
                Failure::Data(format!("{source}: column {column}: {message}"))
            } else {
                data(table.row_error(row - 1, message), None)
            }
        }
        MobilityError::ZeroTotalWeight { .. } => {
            Failure::Data(format!("{source}: every count in the table is zero"))
        }
        MobilityError::TooFewClasses { k } => Failure::Data(format!(
            "{source}: the table is {k} x {k}; a transition table needs at least 2 classes"
        )),
        MobilityError::InvalidParameter {
            name: Parameter::ParentShares,
            reason,
        } => args::usage("table", format!("invalid --parent-shares: {reason}")),
        other => data(other, Some(source)),
    }
}
