//! The `mobility` tool's commands as library calls: everything the tool computes and says.
//!
//! ```text
//! argv --(the binary: parse only)--> a typed request (`None`: an option not given)
//!      --command::<name>::run--> checks the options against each other, reads the input,
//!        computes, builds the output (text or JSON) and its notes
//!      --(the binary: print only)--> stdout, one-line notes and errors on stderr
//! ```
//! Each module takes one command's request: [`analyze`], [`table`], [`published`], [`places`],
//! [`report`], [`demo`]; [`values`] parses option values (numbers, names, sizes) with the
//! messages the tool shows. Nothing here prints or exits: a command returns a [`Reply`] (its
//! [`Output`] and [`Note`]s) or a [`CommandError`] (a usage error, exit status 2, or a problem
//! with the data, exit status 1), each a single line naming the option, or the file, line and
//! column where it can. An input of `-` is standard input.

use std::fmt;
use std::io::Write;

use serde::Serialize;

use crate::MobilityError;
use crate::error::Parameter;
use crate::inference::{Bootstrap, CiMethod};
use crate::io::csv::{self, Columns, CsvOptions, Delimiter, DroppedRows, Missing};
use crate::measures::Weighting;
use crate::rank::Rule;

pub mod analyze;
pub mod demo;
pub mod places;
pub mod published;
pub mod report;
pub mod table;
pub mod values;

/// Why a command stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// Bad arguments (exit status 2).
    Usage(String),
    /// Bad data (exit status 1).
    Data(String),
}

impl CommandError {
    /// A usage error of `command`, pointing at its help: `MESSAGE (see mobility COMMAND --help)`.
    pub fn usage(command: &str, message: impl fmt::Display) -> CommandError {
        CommandError::Usage(format!("{message} (see mobility {command} --help)"))
    }

    /// The message, on one line (line breaks become spaces).
    pub fn message(&self) -> String {
        match self {
            CommandError::Usage(m) | CommandError::Data(m) => m.replace(['\n', '\r'], " "),
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// A command's result, or why it stopped.
pub type Result<T> = std::result::Result<T, CommandError>;

/// A line for stderr beside the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Information: `note: ...` (rows dropped, a header row, a streamed file).
    Info(String),
    /// Something that may make the results unreliable: `warning: ...`.
    Warning(String),
}

impl fmt::Display for Note {
    /// `note: TEXT` or `warning: TEXT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Info(t) => write!(f, "note: {t}"),
            Note::Warning(t) => write!(f, "warning: {t}"),
        }
    }
}

/// A value that writes itself as pretty JSON (any `Serialize` type).
pub trait JsonOutput {
    /// Writes `self` as pretty-printed JSON to `w`, streamed (no copy of the whole text).
    ///
    /// # Errors
    /// Writing fails.
    fn write_json(&self, w: &mut dyn Write) -> std::io::Result<()>;
}

impl<T: Serialize> JsonOutput for T {
    fn write_json(&self, w: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(w, self).map_err(std::io::Error::from)
    }
}

/// What a command prints on stdout.
pub enum Output {
    /// Text for a person.
    Text(String),
    /// A JSON document (`--json`).
    Json(Box<dyn JsonOutput>),
}

impl Output {
    /// The JSON output of `value`.
    pub fn json(value: impl Serialize + 'static) -> Output {
        Output::Json(Box::new(value))
    }

    /// Writes the output to `w` (JSON with a final line break) and flushes it.
    ///
    /// # Errors
    /// Writing fails (a closed pipe is `ErrorKind::BrokenPipe`).
    pub fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Output::Text(t) => w.write_all(t.as_bytes())?,
            Output::Json(v) => {
                v.write_json(w)?;
                w.write_all(b"\n")?;
            }
        }
        w.flush()
    }
}

/// A command's output and the notes for stderr.
pub struct Reply {
    /// What goes to stdout.
    pub output: Output,
    /// Notes and warnings for stderr, in order.
    pub notes: Vec<Note>,
}

impl Reply {
    /// Text without notes.
    pub fn text(text: String) -> Reply {
        Reply {
            output: Output::Text(text),
            notes: Vec::new(),
        }
    }
}

/// Paired status (`--parent`, `--child`, `--weight`), its classes (`--quantiles`, `--rule`), the
/// origin weights (`--pi`) and how the file is read (`--delimiter`, `--drop-missing`), as
/// `analyze`, `places` and `report` take them (`table` and `published` take `pi` only).
#[derive(Debug, Clone, Default)]
pub struct Pairs {
    /// `--parent COL`.
    pub parent: Option<String>,
    /// `--child COL`.
    pub child: Option<String>,
    /// `--weight COL`.
    pub weight: Option<String>,
    /// `--quantiles K` (default 5).
    pub quantiles: Option<usize>,
    /// `--rule RULE` (default midrank).
    pub rule: Option<Rule>,
    /// `--pi WEIGHTS` (default parent shares).
    pub pi: Option<Weighting>,
    /// `--delimiter D` (default ',').
    pub delimiter: Option<Delimiter>,
    /// `--drop-missing`.
    pub drop_missing: bool,
}

impl Pairs {
    /// `--parent` and `--child`, both required.
    pub(crate) fn columns(&self, command: &str) -> Result<(&str, &str)> {
        Ok((
            required(command, "parent", self.parent.as_deref())?,
            required(command, "child", self.child.as_deref())?,
        ))
    }

    /// The columns to read: parent, child and the weight when there is one.
    pub(crate) fn names<'a>(&'a self, parent: &'a str, child: &'a str) -> Vec<&'a str> {
        [Some(parent), Some(child), self.weight.as_deref()]
            .into_iter()
            .flatten()
            .collect()
    }

    /// `k` and the rule; only the midrank and split rules take `--weight`.
    pub(crate) fn classes(&self, command: &str) -> Result<(usize, Rule)> {
        let rule = self.rule.unwrap_or(Rule::Midrank);
        if self.weight.is_some() && !rule.takes_weights() {
            return Err(CommandError::usage(
                command,
                format!(
                    "--weight needs --rule midrank or split (the {rule} rule reproduces \
                     unweighted software)"
                ),
            ));
        }
        Ok((self.quantiles.unwrap_or(5), rule))
    }

    /// `--pi`, checked against `k` classes.
    pub(crate) fn pi(&self, k: usize, command: &str) -> Result<Weighting> {
        let pi = self.pi.clone().unwrap_or(Weighting::ParentShares);
        check_pi_len(&pi, k, command)?;
        Ok(pi)
    }

    /// How the CSV file is read.
    pub(crate) fn csv(&self) -> CsvOptions {
        CsvOptions {
            delimiter: self.delimiter.unwrap_or_default(),
            missing: if self.drop_missing {
                Missing::DropRow
            } else {
                Missing::Reject
            },
        }
    }
}

/// `--bootstrap B`, `--seed S`, `--ci METHOD`, as `analyze` and `report` take them.
#[derive(Debug, Clone, Copy, Default)]
pub struct BootstrapArgs {
    /// `--bootstrap B`: replicates.
    pub replicates: Option<usize>,
    /// `--seed S` (default 0).
    pub seed: Option<u64>,
    /// `--ci METHOD` (default percentile).
    pub ci: Option<CiMethod>,
}

impl BootstrapArgs {
    /// The replicates asked for; `--seed`, `--ci` (and `others`, given) need `--bootstrap`.
    pub(crate) fn replicates(
        &self,
        command: &str,
        others: &[(&str, bool)],
    ) -> Result<Option<usize>> {
        if self.replicates.is_none() {
            let seed = [("seed", self.seed.is_some())];
            let ci = [("ci", self.ci.is_some())];
            refuse(
                command,
                seed.iter().chain(others).chain(&ci),
                "applies to the bootstrap (add --bootstrap B)",
            )?;
        }
        Ok(self.replicates)
    }

    /// The bootstrap asked for (as [`BootstrapArgs::replicates`] checks it).
    pub(crate) fn build(
        &self,
        command: &str,
        others: &[(&str, bool)],
    ) -> Result<Option<Bootstrap>> {
        Ok(self.replicates(command, others)?.map(|b| {
            Bootstrap::new(b)
                .seed(self.seed.unwrap_or(0))
                .ci(self.ci.unwrap_or_default())
        }))
    }
}

/// `Some(value)` or "--NAME is required (e.g. --NAME income)".
pub(crate) fn required<'a>(command: &str, name: &str, value: Option<&'a str>) -> Result<&'a str> {
    value.ok_or_else(|| {
        CommandError::usage(
            command,
            format!("--{name} is required (e.g. --{name} income)"),
        )
    })
}

/// The single positional argument (the file or the table name).
pub(crate) fn one<'a>(command: &str, positionals: &'a [String], what: &str) -> Result<&'a str> {
    match positionals {
        [one] => Ok(one),
        [] => Err(CommandError::usage(command, format!("missing {what}"))),
        [_, extra, ..] => Err(CommandError::usage(
            command,
            format!("unexpected argument '{extra}' (one {what} only)"),
        )),
    }
}

/// Refuses the first option given (`(name, given)`): it belongs to another mode (`why`).
pub(crate) fn refuse<'a>(
    command: &str,
    options: impl IntoIterator<Item = &'a (&'a str, bool)>,
    why: &str,
) -> Result<()> {
    match options.into_iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(CommandError::usage(command, format!("--{name} {why}"))),
        None => Ok(()),
    }
}

/// Custom origin weights must have one weight per class (the library would also refuse them;
/// this names the option).
pub(crate) fn check_pi_len(pi: &Weighting, k: usize, command: &str) -> Result<()> {
    match pi {
        Weighting::Custom(v) if v.len() != k => Err(CommandError::usage(
            command,
            format!("--pi has {} weights but there are {k} classes", v.len()),
        )),
        _ => Ok(()),
    }
}

/// A library error about the data, as one line: `FILE: line N, column 'x': problem`.
pub(crate) fn data(e: MobilityError, source: Option<&str>) -> CommandError {
    match e {
        MobilityError::Input {
            path,
            location,
            message,
        } => CommandError::Data(match location {
            Some(l) => format!("{path}: {l}: {message}"),
            None => format!("{path}: {message}"),
        }),
        other => CommandError::Data(match source {
            Some(s) => format!("{s}: {other}"),
            None => other.to_string(),
        }),
    }
}

/// Errors from the origin weighting: bad custom weights are usage errors; a stationary
/// distribution that is not unique is a property of the data.
pub(crate) fn pi_error(e: MobilityError, source: &str) -> CommandError {
    match &e {
        MobilityError::InvalidParameter {
            name: Parameter::Pi | Parameter::OriginWeights,
            reason,
        } => CommandError::Usage(format!("invalid --pi: {reason}")),
        _ => CommandError::Data(format!("{source}: --pi: {e}")),
    }
}

/// A library error about paired status, pointing at the weight column where it is about weights.
pub(crate) fn status_error(
    e: MobilityError,
    columns: &Columns,
    weight: Option<&str>,
) -> CommandError {
    match (e, weight) {
        (MobilityError::NegativeWeight { index, value }, Some(w)) => data(
            columns.error_at(
                index,
                w,
                format!("negative weight ({value}); weights must be >= 0"),
            ),
            None,
        ),
        (MobilityError::ZeroTotalWeight { .. }, Some(w)) => zero_weights(&columns.source, w),
        (e, _) => data(e, Some(&columns.source)),
    }
}

/// "FILE: column 'w': every weight is zero".
pub(crate) fn zero_weights(source: &str, weight: &str) -> CommandError {
    CommandError::Data(format!("{source}: column '{weight}': every weight is zero"))
}

/// "dropped N rows with missing values (the first on line L, column 'c')".
pub(crate) fn dropped_note(d: &DroppedRows) -> String {
    format!(
        "dropped {} row{} with missing values (the first on line {}, column '{}')",
        d.rows,
        if d.rows == 1 { "" } else { "s" },
        d.first_line,
        d.first_column
    )
}

/// The warning for a cluster bootstrap on fewer than 30 clusters (Python's `MobilityWarning`
/// says the same).
pub(crate) fn few_clusters(n: usize) -> Option<Note> {
    (n < 30).then(|| {
        Note::Warning(format!(
            "only {n} clusters: the cluster bootstrap needs many (30 or more) for reliable \
             standard errors and intervals"
        ))
    })
}

/// ", unweighted" or ", KIND weights 'w'" (`kind` may be empty) for a command's header.
pub(crate) fn weights_phrase(weight: Option<&str>, kind: &str) -> String {
    match weight {
        None => ", unweighted".to_string(),
        Some(w) => format!(", {kind}weights '{w}'"),
    }
}

/// Paired status columns from `file` (`-`: standard input), with the labels of `label` when it
/// is given.
pub(crate) fn read_columns(
    file: &str,
    names: &[&str],
    label: Option<&str>,
    options: &CsvOptions,
) -> Result<(Columns, Option<Vec<String>>)> {
    let stdin = || std::io::stdin().lock();
    let read = match (label, file) {
        (Some(l), "-") => csv::read_labelled_columns_from(stdin(), "<stdin>", names, l, options)
            .map(|r| (r.columns, Some(r.labels))),
        (Some(l), _) => {
            csv::read_labelled_columns(file, names, l, options).map(|r| (r.columns, Some(r.labels)))
        }
        (None, "-") => {
            csv::read_columns_from(stdin(), "<stdin>", names, options).map(|c| (c, None))
        }
        (None, _) => csv::read_columns(file, names, options).map(|c| (c, None)),
    };
    read.map_err(|e| data(e, None))
}

/// A k x k table from `file` (`-`: standard input).
pub(crate) fn read_table(file: &str, delimiter: Option<Delimiter>) -> Result<csv::Table> {
    let options = CsvOptions {
        delimiter: delimiter.unwrap_or_default(),
        missing: Missing::Reject,
    };
    if file == "-" {
        csv::read_table_from(std::io::stdin().lock(), "<stdin>", &options)
    } else {
        csv::read_table(file, &options)
    }
    .map_err(|e| data(e, None))
}

#[cfg(test)]
mod tests {
    use super::published::{PublishedRequest, run as published};
    use super::table::{TableRequest, run as table};
    use super::*;

    fn data(name: &str) -> String {
        format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    fn text(reply: &Reply) -> &str {
        match &reply.output {
            Output::Text(t) => t,
            Output::Json(_) => panic!("JSON, not text"),
        }
    }

    #[test]
    fn a_command_returns_its_output_and_notes() {
        let r = published(&PublishedRequest {
            positionals: vec!["us_chetty_2014".into()],
            ..Default::default()
        })
        .unwrap();
        assert!(text(&r).starts_with("mobility published: us_chetty_2014\n"));
        let mut json = Vec::new();
        let r = published(&PublishedRequest {
            json: true,
            ..Default::default()
        })
        .unwrap();
        r.output.write_to(&mut json).unwrap();
        let names: Vec<String> = serde_json::from_slice(&json).unwrap();
        assert_eq!(names, crate::published::NAMES);
    }

    #[test]
    fn options_that_do_not_fit_are_usage_errors_naming_the_option() {
        let e = published(&PublishedRequest {
            positionals: vec!["mars".into()],
            ..Default::default()
        });
        assert!(matches!(&e, Err(CommandError::Usage(m)) if m.contains("unknown table 'mars'")));
        let e = table(&TableRequest {
            positionals: vec![data("counts5.csv")],
            renormalise: true,
            ..Default::default()
        });
        assert_eq!(
            e.err().map(|e| e.message()),
            Some(
                "--renormalise applies to probability tables (add --probabilities); a count table \
                 gives its own shares (see mobility table --help)"
                    .to_string()
            )
        );
    }

    #[test]
    fn data_errors_name_the_file_and_line() {
        let e = table(&TableRequest {
            positionals: vec![data("negative_count.csv")],
            ..Default::default()
        });
        assert!(
            matches!(&e, Err(CommandError::Data(m)) if m.contains("negative_count.csv: line 2, column 1: count -4 is negative"))
        );
    }

    #[test]
    fn notes_say_note_or_warning() {
        assert_eq!(Note::Info("x".into()).to_string(), "note: x");
        assert_eq!(
            few_clusters(3).map(|n| n.to_string()).unwrap_or_default(),
            "warning: only 3 clusters: the cluster bootstrap needs many (30 or more) for \
             reliable standard errors and intervals"
        );
        assert!(few_clusters(30).is_none());
    }
}
