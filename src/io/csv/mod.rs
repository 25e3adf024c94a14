//! Numeric columns and k x k tables from CSV files.
//!
//! Every problem is a [`MobilityError::Input`] naming the file, the place in it and what is wrong:
//! lines are numbered from 1 as an editor shows them, counting the header row, and columns are
//! named as in the header (or numbered from 1 in a table without one). Cells are trimmed; quoting
//! follows RFC 4180 as the `csv` crate reads it. A UTF-8 byte-order mark is skipped; UTF-16 input
//! ("the file looks like UTF-16; save it as UTF-8"), other text that is not UTF-8 (naming the
//! byte) and a quote that is never closed (naming the line it opens on) are errors with the same
//! words as the chunked reader's ([`crate::io::chunked_csv`]).
//!
//! Missing values are the empty cell and the markers `NA`, `N/A`, `NaN`, `null` and `.` (any
//! case), as R, pandas, numpy and Stata write them. By default they are an error that says how
//! many rows have one and where the first is; [`Missing::DropRow`] drops those rows instead.
//!
//! ```
//! use mobility::io::csv::{read_columns_from, CsvOptions};
//! let data = "id,parent,child\n1,10,12\n2,20,18\n3,30,35\n";
//! let cols = read_columns_from(data.as_bytes(), "pairs.csv", &["parent", "child"],
//!                              &CsvOptions::default()).unwrap();
//! assert_eq!(cols.get("child").unwrap(), &[12.0, 18.0, 35.0]);
//! assert_eq!(cols.line(2), Some(4)); // the third data row is line 4 of the file
//!
//! let err = read_columns_from("parent,child\n1,x\n".as_bytes(), "bad.csv", &["parent", "child"],
//!                             &CsvOptions::default()).unwrap_err();
//! assert_eq!(err.to_string(), "bad.csv, line 2, column 'child': 'x' is not a number");
//! ```
//!
//! The two readers, [`read_columns`] (named columns under a header row, optionally with a label
//! column) and [`read_table`] (a k x k table, its header and labels detected), share this
//! module's record loop, cell parsing and messages.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result};
use crate::io::encoding::{self, QuoteWatch};
use crate::io::{input, io_error};

mod columns;
mod table;
#[cfg(test)]
mod tests;

pub use columns::{
    Columns, DroppedRows, LabelledColumns, read_columns, read_columns_from, read_labelled_columns,
    read_labelled_columns_from,
};
pub use table::{Table, read_table, read_table_from};

/// The character between fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    /// `,` (the default).
    #[default]
    Comma,
    /// `;` (spreadsheets in locales with a decimal comma write it; numbers must still use `.`).
    Semicolon,
    /// A tab (`.tsv` files).
    Tab,
}

impl Delimiter {
    /// The delimiter byte.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }
}

crate::error::named_enum!(Delimiter, Delimiter, "delimiter", {
    Comma => "," | "comma",
    Semicolon => ";" | "semicolon",
    Tab => "tab" | "\t" | "\\t",
});

/// What to do with a row that has a missing value in a column that is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Fail, saying how many rows have a missing value and which is the first (the default).
    #[default]
    Reject,
    /// Drop the row (listwise deletion) and count it in [`Columns::dropped`].
    DropRow,
}

/// How to read a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct CsvOptions {
    /// The field delimiter.
    pub delimiter: Delimiter,
    /// Missing values in the columns read (tables never accept them).
    pub missing: Missing,
}

/// A CSV reader over `reader` as `options` say (fields trimmed, rows of any length), watching
/// for UTF-16 input and quotes never closed.
fn csv_reader<R: Read>(
    reader: R,
    source: &str,
    options: &CsvOptions,
    has_headers: bool,
) -> Result<csv::Reader<QuoteWatch<R>>> {
    let watch = QuoteWatch::new(reader, source, options.delimiter.byte())?;
    Ok(csv::ReaderBuilder::new()
        .delimiter(options.delimiter.byte())
        .flexible(true)
        .trim(csv::Trim::All)
        .has_headers(has_headers)
        .from_reader(watch))
}

/// Calls `visit(line, record)` for every remaining record (`line` where it starts, 1-based), and
/// fails on a record the CSV parser rejects or a quote that swallowed the rest of the file.
fn each_record<R: Read>(
    rdr: &mut csv::Reader<QuoteWatch<R>>,
    source: &str,
    mut visit: impl FnMut(u64, &csv::ByteRecord) -> Result<()>,
) -> Result<()> {
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return check_quotes(rdr, source, 0),
            Err(e) => return Err(csv_error(source, &e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        check_quotes(rdr, source, line)?;
        visit(line, &record)?;
    }
}

/// The header row's fields as text, each checked to be UTF-8 (the message names the line and
/// the field).
pub(crate) fn header_fields<F: AsRef<[u8]>>(
    source: &str,
    fields: impl IntoIterator<Item = F>,
    header_line: u64,
) -> Result<Vec<String>> {
    fields
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            encoding::check_utf8(
                source,
                Some(format!("line {header_line}")),
                &format!("header field {}", i + 1),
                h.as_ref(),
            )?;
            Ok(String::from_utf8_lossy(h.as_ref()).into_owned())
        })
        .collect()
}

/// `line N: F fields, but REFERENCE has E` (`reference`: `the header (line 1)`, `line 2`).
fn field_count_error(
    source: &str,
    line: u64,
    fields: usize,
    reference: &str,
    expected: usize,
) -> MobilityError {
    input(
        source,
        Some(format!("line {line}")),
        format!("{fields} fields, but {reference} has {expected}"),
    )
}

/// `line N, column M ('label')`, or `line N, column M` without a label.
fn cell_location(line: u64, field: usize, label: Option<&str>) -> String {
    match label {
        Some(label) if !label.is_empty() => {
            format!("line {line}, column {field} ('{}')", quote_free(label))
        }
        _ => format!("line {line}, column {field}"),
    }
}

/// A quote still open at the end of the data, when the record starting on `line` is the one it
/// swallowed (`line` 0: at the end of the data).
fn check_quotes<R: Read>(rdr: &csv::Reader<QuoteWatch<R>>, source: &str, line: u64) -> Result<()> {
    match rdr.get_ref().unterminated() {
        Some((quote, record)) if line == 0 || line >= record => {
            Err(encoding::unterminated_quote(source, quote))
        }
        _ => Ok(()),
    }
}

/// Opens `path`, with the name messages give it (a directory is an error).
pub(crate) fn open(path: &Path) -> Result<(File, String)> {
    let source = path.display().to_string();
    if path.is_dir() {
        return Err(input(&source, None, "is a directory, not a CSV file"));
    }
    let file = File::open(path).map_err(|e| io_error(&source, &e))?;
    Ok((file, source))
}

/// A CSV parser error, located at its line.
fn csv_error(source: &str, e: &csv::Error) -> MobilityError {
    let location = e.position().map(|p| format!("line {}", p.line()));
    match e.kind() {
        csv::ErrorKind::Io(io) => {
            let MobilityError::Input { message, .. } = io_error(source, io) else {
                unreachable!("io_error returns Input")
            };
            input(source, location, message)
        }
        _ => input(source, location, format!("cannot parse the CSV: {e}")),
    }
}

/// ` (WHAT one field: is the delimiter ';'?)` when `field`, the only field of a line read with
/// `delimiter`, contains another delimiter (the hint `analyze` and `table` give for a
/// semicolon- or tab-separated file read as comma-separated).
pub(crate) fn delimiter_hint(field: &str, delimiter: Delimiter, what: &str) -> Option<String> {
    [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab]
        .into_iter()
        .filter(|d| *d != delimiter)
        .find(|d| field.as_bytes().contains(&d.byte()))
        .map(|d| {
            format!(
                " ({what} one field: is the delimiter {}?)",
                match d {
                    Delimiter::Comma => "','",
                    Delimiter::Semicolon => "';'",
                    Delimiter::Tab => "a tab",
                }
            )
        })
}

/// The position of the column `name` in `header`, or a message listing the columns there are
/// (with a near miss or a delimiter hint) or naming the duplicates.
pub(crate) fn find_column(
    source: &str,
    header: &[String],
    header_line: u64,
    name: &str,
    options: &CsvOptions,
) -> Result<usize> {
    let found: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.as_str() == name)
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => Ok(*i),
        [] => {
            const SHOW: usize = 20;
            let mut list: Vec<String> = header
                .iter()
                .take(SHOW)
                .map(|h| format!("'{}'", quote_free(h)))
                .collect();
            if header.len() > SHOW {
                list.push(format!("and {} more", header.len() - SHOW));
            }
            let mut message = format!(
                "no such column in the header (line {header_line}); the columns are {}",
                list.join(", ")
            );
            if let Some(h) = header.iter().find(|h| h.eq_ignore_ascii_case(name)) {
                message.push_str(&format!(" (did you mean '{}'?)", quote_free(h)));
            } else if header.len() == 1
                && let Some(hint) = delimiter_hint(&header[0], options.delimiter, "the header has")
            {
                message.push_str(&hint);
            }
            Err(input(source, Some(format!("column '{name}'")), message))
        }
        many => Err(input(
            source,
            Some(format!("column '{name}'")),
            format!(
                "the header (line {header_line}) has {} columns with this name (fields {}); rename them",
                many.len(),
                many.iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// One parsed cell.
enum Cell {
    Number(f64),
    Missing,
    Infinite,
    NotNumber,
}

impl Cell {
    /// What is wrong with the cell `raw`, for a message.
    fn problem(&self, raw: &[u8]) -> String {
        if let Err(e) = std::str::from_utf8(raw) {
            return encoding::not_utf8("the cell", raw, &e);
        }
        match self {
            Cell::Missing => format!("missing value ({})", show_cell(raw)),
            Cell::Infinite => format!("{} is not a finite number", show_cell(raw)),
            _ => format!("{} is not a number", show_cell(raw)),
        }
    }
}

/// A cell as a number, a missing value, an infinity or text.
fn parse_cell(raw: &[u8]) -> Cell {
    let Ok(s) = std::str::from_utf8(raw) else {
        return Cell::NotNumber;
    };
    let s = s.trim();
    if is_missing(s.as_bytes()) {
        return Cell::Missing;
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Cell::Number(v),
        Ok(v) if v.is_nan() => Cell::Missing,
        Ok(_) => Cell::Infinite,
        Err(_) => Cell::NotNumber,
    }
}

/// Whether a (trimmed) cell is a missing value: empty, `.`, `NA`, `N/A`, `NaN` or `null`.
pub(crate) fn is_missing(s: &[u8]) -> bool {
    s.is_empty()
        || s == b"."
        || [&b"na"[..], b"n/a", b"nan", b"null"]
            .iter()
            .any(|m| s.eq_ignore_ascii_case(m))
}

/// A cell for a message: `empty cell`, or the cell in quotes, control characters escaped, long
/// cells cut.
pub(crate) fn show_cell(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let s = s.trim();
    if s.is_empty() {
        return "empty cell".to_string();
    }
    const MAX: usize = 40;
    let mut out: String = quote_free(s).chars().take(MAX).collect();
    if s.chars().count() > MAX {
        out.push_str("...");
    }
    format!("'{out}'")
}

/// Escapes control characters so a message stays on one line.
fn quote_free(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
