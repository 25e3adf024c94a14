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

use std::fs::File;
use std::io::Read;
use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result};
use crate::io::encoding::{self, QuoteWatch};
use crate::serde_nd;

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

/// Rows dropped for missing values under [`Missing::DropRow`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedRows {
    /// How many rows were dropped.
    pub rows: usize,
    /// The line of the first.
    pub first_line: u64,
    /// The column of its first missing cell.
    pub first_column: String,
}

/// Named numeric columns read from a CSV file with a header row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Columns {
    /// The file (as given) or the name of the stream.
    pub source: String,
    /// The column names, in the order asked for.
    pub names: Vec<String>,
    /// One vector per name, all of the same length (one value per kept data row).
    pub values: Vec<Vec<f64>>,
    /// The line each kept data row starts on (1-based, the header being line 1).
    pub lines: Vec<u64>,
    /// Rows dropped for missing values, if any.
    pub dropped: Option<DroppedRows>,
}

impl Columns {
    /// The values of the column `name`, if it was read.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.values[i].as_slice())
    }

    /// The number of data rows kept.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no data row was kept.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The file line of the 0-based data row `index`.
    pub fn line(&self, index: usize) -> Option<u64> {
        self.lines.get(index).copied()
    }

    /// An [`MobilityError::Input`] pointing at data row `index` (0-based, as library errors
    /// report it) in column `column`.
    pub fn error_at(
        &self,
        index: usize,
        column: &str,
        message: impl Into<String>,
    ) -> MobilityError {
        let location = match self.line(index) {
            Some(line) => format!("line {line}, column '{column}'"),
            None => format!("column '{column}'"),
        };
        input(&self.source, Some(location), message)
    }
}

/// A k x k table of numbers read from CSV, with its labels when the file had them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The file (as given) or the name of the stream.
    pub source: String,
    /// The numbers, as laid out in the file (rows as rows).
    #[serde(with = "serde_nd::matrix")]
    pub values: Array2<f64>,
    /// The header row's labels over the numeric columns, when the file had a header.
    pub column_labels: Option<Vec<String>>,
    /// The line of the header row, when the file had one.
    pub header_line: Option<u64>,
    /// The first column's labels, when the file had a label column.
    pub row_labels: Option<Vec<String>>,
    /// The line of each table row (1-based).
    pub lines: Vec<u64>,
    /// The 1-based field number of the first numeric column (2 with a label column).
    pub first_column: usize,
}

impl Table {
    /// Where cell `(row, col)` (0-based table indices) is in the file: `line N, column M`, with the
    /// column's label when there is one.
    pub fn location(&self, row: usize, col: usize) -> String {
        let line = self.lines.get(row).copied().unwrap_or(0);
        let field = self.first_column + col;
        match self.column_labels.as_ref().and_then(|l| l.get(col)) {
            Some(label) if !label.is_empty() => {
                format!("line {line}, column {field} ('{}')", quote_free(label))
            }
            _ => format!("line {line}, column {field}"),
        }
    }

    /// An [`MobilityError::Input`] pointing at cell `(row, col)` (0-based).
    pub fn error_at(&self, row: usize, col: usize, message: impl Into<String>) -> MobilityError {
        input(&self.source, Some(self.location(row, col)), message)
    }

    /// An [`MobilityError::Input`] pointing at table row `row` (0-based).
    pub fn row_error(&self, row: usize, message: impl Into<String>) -> MobilityError {
        let line = self.lines.get(row).copied().unwrap_or(0);
        input(&self.source, Some(format!("line {line}")), message)
    }
}

/// Reads the named columns of a CSV file with a header row as `f64` vectors.
///
/// # Errors
/// [`MobilityError::Input`] naming the file and, where it applies, the line and column: the file
/// cannot be opened or read; it is empty; a name is not in the header (the message lists the
/// columns there are) or appears in it twice; a row has more or fewer fields than the header; a
/// cell is not a number (quoted in the message) or is infinite; a cell is missing (the message
/// says how many rows have one and where the first is) unless `options.missing` drops them; no
/// data row is left; the file looks like UTF-16, a header field or cell is not UTF-8, or a quote
/// is never closed.
///
/// # Complexity
/// `O(rows x fields)` time, one pass; memory: the columns asked for plus one line number per row.
pub fn read_columns(
    path: impl AsRef<Path>,
    names: &[&str],
    options: &CsvOptions,
) -> Result<Columns> {
    let path = path.as_ref();
    let source = path.display().to_string();
    read_columns_from(open(path, &source)?, &source, names, options)
}

/// As [`read_columns`], from any reader (`source` names it in messages, e.g. `<stdin>`).
///
/// # Errors
/// As [`read_columns`].
pub fn read_columns_from<R: Read>(
    reader: R,
    source: &str,
    names: &[&str],
    options: &CsvOptions,
) -> Result<Columns> {
    Ok(read_impl(reader, source, names, None, options)?.columns)
}

/// Numeric columns and one column of labels (e.g. a region or cohort to group by).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledColumns {
    /// The numeric columns.
    pub columns: Columns,
    /// The label of each kept row, trimmed, in the same order.
    pub labels: Vec<String>,
}

/// As [`read_columns`], plus the text column `label` (e.g. `--by region`). A row whose label is
/// missing (empty or a missing-value marker) counts as a row with a missing value: an error, or
/// dropped with [`Missing::DropRow`].
///
/// # Errors
/// As [`read_columns`], for `label` too.
///
/// # Complexity
/// `O(rows x fields)` time, one pass.
pub fn read_labelled_columns(
    path: impl AsRef<Path>,
    names: &[&str],
    label: &str,
    options: &CsvOptions,
) -> Result<LabelledColumns> {
    let path = path.as_ref();
    let source = path.display().to_string();
    read_labelled_columns_from(open(path, &source)?, &source, names, label, options)
}

/// As [`read_labelled_columns`], from any reader.
///
/// # Errors
/// As [`read_labelled_columns`].
pub fn read_labelled_columns_from<R: Read>(
    reader: R,
    source: &str,
    names: &[&str],
    label: &str,
    options: &CsvOptions,
) -> Result<LabelledColumns> {
    read_impl(reader, source, names, Some(label), options)
}

fn read_impl<R: Read>(
    reader: R,
    source: &str,
    names: &[&str],
    label: Option<&str>,
    options: &CsvOptions,
) -> Result<LabelledColumns> {
    let watch = QuoteWatch::new(reader, source, options.delimiter.byte())?;
    let mut rdr = builder(options).has_headers(true).from_reader(watch);
    let headers = rdr
        .byte_headers()
        .map_err(|e| csv_error(source, &e))?
        .clone();
    let header_line = headers.position().map_or(1, |p| p.line());
    check_quotes(&rdr, source, header_line)?;
    for (i, h) in headers.iter().enumerate() {
        encoding::check_utf8(
            source,
            Some(format!("line {header_line}")),
            &format!("header field {}", i + 1),
            h,
        )?;
    }
    let header: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(input(
            source,
            None,
            "the file is empty: expected a header row naming the columns",
        ));
    }
    let index: Vec<usize> = names
        .iter()
        .map(|name| find_column(source, &header, header_line, name, options))
        .collect::<Result<_>>()?;
    let label_index = label
        .map(|name| find_column(source, &header, header_line, name, options))
        .transpose()?;
    let mut labels = Vec::new();

    let mut values: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut lines = Vec::new();
    let mut row = vec![0.0; names.len()];
    let mut missing = 0usize;
    let mut first_missing: Option<(u64, usize, String)> = None;
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => {
                check_quotes(&rdr, source, 0)?;
                break;
            }
            Err(e) => return Err(csv_error(source, &e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        check_quotes(&rdr, source, line)?;
        if record.len() != header.len() {
            return Err(input(
                source,
                Some(format!("line {line}")),
                format!(
                    "{} fields, but the header (line {header_line}) has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        let mut row_missing = false;
        for (c, &i) in index.iter().enumerate() {
            match parse_cell(&record[i]) {
                Cell::Number(v) => row[c] = v,
                Cell::Missing => {
                    if !row_missing && first_missing.is_none() {
                        first_missing = Some((line, c, show_cell(&record[i])));
                    }
                    row_missing = true;
                }
                bad => {
                    return Err(input(
                        source,
                        Some(format!("line {line}, column '{}'", names[c])),
                        bad.problem(&record[i]),
                    ));
                }
            }
        }
        let mut row_label = None;
        if let (Some(i), Some(name)) = (label_index, label) {
            match parse_cell(&record[i]) {
                Cell::Missing => {
                    if !row_missing && first_missing.is_none() {
                        first_missing = Some((line, names.len(), show_cell(&record[i])));
                    }
                    row_missing = true;
                }
                _ => match std::str::from_utf8(&record[i]) {
                    Ok(t) => row_label = Some(t.trim().to_string()),
                    Err(e) => {
                        return Err(input(
                            source,
                            Some(format!("line {line}, column '{name}'")),
                            encoding::not_utf8("the label", &record[i], &e),
                        ));
                    }
                },
            }
        }
        if row_missing {
            missing += 1;
            continue;
        }
        for (column, &v) in values.iter_mut().zip(&row) {
            column.push(v);
        }
        labels.extend(row_label);
        lines.push(line);
    }
    let column_name = |c: usize| names.get(c).copied().or(label).unwrap_or("");
    let dropped = match first_missing {
        None => None,
        Some((line, c, cell)) => {
            if options.missing == Missing::Reject {
                let rows = if missing == 1 {
                    "1 row has a missing value".to_string()
                } else {
                    format!("{missing} rows have missing values")
                };
                return Err(input(
                    source,
                    Some(format!("line {line}, column '{}'", column_name(c))),
                    format!(
                        "missing value ({cell}); {rows} in the columns used, the first on line {line}"
                    ),
                ));
            }
            Some(DroppedRows {
                rows: missing,
                first_line: line,
                first_column: column_name(c).to_string(),
            })
        }
    };
    if lines.is_empty() {
        let message = if dropped.is_some() {
            "every data row has a missing value in the columns used"
        } else {
            "no data rows after the header"
        };
        return Err(input(source, None, message));
    }
    Ok(LabelledColumns {
        columns: Columns {
            source: source.to_string(),
            names: names.iter().map(|n| n.to_string()).collect(),
            values,
            lines,
            dropped,
        },
        labels,
    })
}

/// Reads a k x k table of numbers (counts or probabilities) from a CSV file.
///
/// The file may have a header row and a first column of labels; they are detected:
/// - a header row: every cell of the first line after the first is not a number (`Q1`, `child 2`)
///   or they are exactly the class numbers `1, 2, ..., m` and the table is square only with them
///   taken as a header;
/// - a label column: likewise for the first column below the header;
/// - a first cell that is empty or text with both numeric class-number labels makes both.
///
/// Every other cell must be a finite number. A last column that is empty on every line (a
/// trailing delimiter) is ignored. Whether the table is square and its entries valid for a
/// matrix is checked by the caller (e.g. [`TransitionMatrix::from_counts`]), except that the
/// shape must be square here.
///
/// [`TransitionMatrix::from_counts`]: crate::TransitionMatrix::from_counts
///
/// # Errors
/// [`MobilityError::Input`]: the file cannot be read or is empty; lines with different numbers of
/// fields; a cell that is not a finite number (quoted, with its line and column); a table that is
/// not square (the message says what was taken as header and labels, and asks whether the
/// delimiter is `;` or a tab when each line is one field holding one); the file looks like
/// UTF-16, a cell is not UTF-8, or a quote is never closed.
///
/// # Complexity
/// `O(k^2)`.
pub fn read_table(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Table> {
    let path = path.as_ref();
    let source = path.display().to_string();
    read_table_from(open(path, &source)?, &source, options)
}

/// As [`read_table`], from any reader (`source` names it in messages).
///
/// # Errors
/// As [`read_table`].
pub fn read_table_from<R: Read>(reader: R, source: &str, options: &CsvOptions) -> Result<Table> {
    let watch = QuoteWatch::new(reader, source, options.delimiter.byte())?;
    let mut rdr = builder(options).has_headers(false).from_reader(watch);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => {
                check_quotes(&rdr, source, 0)?;
                break;
            }
            Err(e) => return Err(csv_error(source, &e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        check_quotes(&rdr, source, line)?;
        for (j, cell) in record.iter().enumerate() {
            encoding::check_utf8(
                source,
                Some(format!("line {line}, column {}", j + 1)),
                "the cell",
                cell,
            )?;
        }
        if let Some(first) = rows.first()
            && record.len() != first.len()
        {
            return Err(input(
                source,
                Some(format!("line {line}")),
                format!(
                    "{} fields, but line {} has {}",
                    record.len(),
                    lines[0],
                    first.len()
                ),
            ));
        }
        rows.push(
            record
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect(),
        );
        lines.push(line);
    }
    if rows.is_empty() || rows.iter().all(|r| r.iter().all(String::is_empty)) {
        return Err(input(source, None, "the file is empty: expected a table"));
    }
    let one_field = rows[0].len() == 1;
    // A trailing delimiter on every line makes an empty last column.
    if rows[0].len() > 1 && rows.iter().all(|r| r.last().is_some_and(String::is_empty)) {
        rows.iter_mut().for_each(|r| {
            r.pop();
        });
    }
    let (n_rows, n_cols) = (rows.len(), rows[0].len());
    let number = |i: usize, j: usize| matches!(parse_cell(rows[i][j].as_bytes()), Cell::Number(_));
    let text = |i: usize, j: usize| matches!(parse_cell(rows[i][j].as_bytes()), Cell::NotNumber);
    let class_numbers = |cells: Vec<&String>| {
        !cells.is_empty()
            && cells
                .iter()
                .enumerate()
                .all(|(m, c)| c.parse::<f64>().is_ok_and(|v| v == (m + 1) as f64))
    };
    // Labels are text (not numbers, not missing-value markers), or class numbers 1, 2, ...
    let text_row = n_cols > 1 && (1..n_cols).all(|j| text(0, j));
    let text_col = n_rows > 1 && (1..n_rows).all(|i| text(i, 0));
    let numbered_row =
        |with_corner: bool| class_numbers(rows[0].iter().skip(usize::from(with_corner)).collect());
    let numbered_col = |with_corner: bool| {
        class_numbers(
            rows.iter()
                .skip(usize::from(with_corner))
                .map(|r| &r[0])
                .collect(),
        )
    };
    let mut header = text_row;
    let mut labels = text_col;
    if !header && !labels && !number(0, 0) && numbered_row(true) && numbered_col(true) {
        header = true;
        labels = true;
    }
    let size = |h: bool, l: bool| (n_rows - usize::from(h), n_cols - usize::from(l));
    let (r, c) = size(header, labels);
    if r != c {
        if !header && r == c + 1 && numbered_row(labels) {
            header = true;
        } else if !labels && c == r + 1 && numbered_col(header) {
            labels = true;
        }
    }
    let (r, c) = size(header, labels);
    let (h, l) = (usize::from(header), usize::from(labels));
    if r != c || r == 0 {
        let mut taken = Vec::new();
        if header {
            taken.push(format!("line {} as a header", lines[0]));
        }
        if labels {
            taken.push("the first column as labels".to_string());
        }
        let mut after = if taken.is_empty() {
            String::new()
        } else {
            format!(" (taking {})", taken.join(" and "))
        };
        if one_field
            && let Some(hint) = delimiter_hint(&rows[0][0], options.delimiter, "each line has")
        {
            after.push_str(&hint);
        }
        return Err(input(
            source,
            None,
            format!(
                "the table must be square (k x k), but it has {r} rows and {c} columns of numbers{after}"
            ),
        ));
    }
    let mut values = Array2::zeros((r, c));
    for i in 0..r {
        for j in 0..c {
            let cell = &rows[i + h][j + l];
            match parse_cell(cell.as_bytes()) {
                Cell::Number(v) => values[[i, j]] = v,
                bad => {
                    let header_label = header.then(|| rows[0][j + l].as_str());
                    let location = match header_label {
                        Some(lab) if !lab.is_empty() => format!(
                            "line {}, column {} ('{}')",
                            lines[i + h],
                            j + l + 1,
                            quote_free(lab)
                        ),
                        _ => format!("line {}, column {}", lines[i + h], j + l + 1),
                    };
                    return Err(input(source, Some(location), bad.problem(cell.as_bytes())));
                }
            }
        }
    }
    Ok(Table {
        source: source.to_string(),
        values,
        column_labels: header.then(|| rows[0][l..].to_vec()),
        header_line: header.then_some(lines[0]),
        row_labels: labels.then(|| rows[h..].iter().map(|row| row[0].clone()).collect()),
        lines: lines[h..].to_vec(),
        first_column: l + 1,
    })
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

fn builder(options: &CsvOptions) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.delimiter(options.delimiter.byte())
        .flexible(true)
        .trim(csv::Trim::All);
    b
}

fn input(source: &str, location: Option<String>, message: impl Into<String>) -> MobilityError {
    MobilityError::Input {
        path: source.to_string(),
        location,
        message: message.into(),
    }
}

fn open(path: &Path, source: &str) -> Result<File> {
    if path.is_dir() {
        return Err(input(source, None, "is a directory, not a CSV file"));
    }
    File::open(path).map_err(|e| io_error(source, &e))
}

fn io_error(source: &str, e: &std::io::Error) -> MobilityError {
    let message = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => format!("cannot read the file: {e}"),
    };
    input(source, None, message)
}

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

fn parse_cell(raw: &[u8]) -> Cell {
    let Ok(s) = std::str::from_utf8(raw) else {
        return Cell::NotNumber;
    };
    let s = s.trim();
    if is_missing(s) {
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
pub(crate) fn is_missing(s: &str) -> bool {
    s.is_empty()
        || s == "."
        || ["na", "n/a", "nan", "null"]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(data: &str, names: &[&str]) -> Result<Columns> {
        read_columns_from(data.as_bytes(), "t.csv", names, &CsvOptions::default())
    }

    fn table(data: &str) -> Result<Table> {
        read_table_from(data.as_bytes(), "t.csv", &CsvOptions::default())
    }

    fn message(e: MobilityError) -> String {
        e.to_string()
    }

    #[test]
    fn reads_named_columns_in_the_order_asked() {
        let c = cols("a,b,c\n1,2,3\n4,5,6\n", &["c", "a"]).unwrap();
        assert_eq!(c.values, vec![vec![3.0, 6.0], vec![1.0, 4.0]]);
        assert_eq!(c.lines, vec![2, 3]);
        assert_eq!(c.len(), 2);
        assert_eq!(c.get("b"), None);
    }

    #[test]
    fn quotes_bom_and_whitespace() {
        let c = cols("\u{feff}\"a\",\"b\"\n\" 1.5 \",  -2e3 \n", &["a", "b"]).unwrap();
        assert_eq!(c.values, vec![vec![1.5], vec![-2000.0]]);
    }

    #[test]
    fn multi_line_quoted_field_keeps_line_numbers() {
        let c = cols("note,x\n\"two\nlines\",1\nok,2\n", &["x"]).unwrap();
        assert_eq!(c.lines, vec![2, 4]);
    }

    #[test]
    fn missing_column_lists_the_columns() {
        let e = message(cols("id,t0,t9\n1,2,3\n", &["T9"]).unwrap_err());
        assert_eq!(
            e,
            "t.csv, column 'T9': no such column in the header (line 1); the columns are 'id', \
             't0', 't9' (did you mean 't9'?)"
        );
    }

    #[test]
    fn wrong_delimiter_is_suggested() {
        let e = message(cols("a;b\n1;2\n", &["a"]).unwrap_err());
        assert!(
            e.ends_with("(the header has one field: is the delimiter ';'?)"),
            "{e}"
        );
        let opts = CsvOptions {
            delimiter: Delimiter::Semicolon,
            ..CsvOptions::default()
        };
        let c = read_columns_from("a;b\n1;2\n".as_bytes(), "t", &["b"], &opts).unwrap();
        assert_eq!(c.values, vec![vec![2.0]]);
    }

    #[test]
    fn duplicate_header_names() {
        let e = message(cols("a,b,a\n1,2,3\n", &["a"]).unwrap_err());
        assert!(
            e.contains("has 2 columns with this name (fields 1, 3)"),
            "{e}"
        );
    }

    #[test]
    fn non_numeric_cell_is_quoted_with_line_and_column() {
        let e = message(cols("a,b\n1,2\n3,abc\n", &["a", "b"]).unwrap_err());
        assert_eq!(e, "t.csv, line 3, column 'b': 'abc' is not a number");
    }

    #[test]
    fn infinite_cell() {
        let e = message(cols("a\n1\n-inf\n", &["a"]).unwrap_err());
        assert_eq!(
            e,
            "t.csv, line 3, column 'a': '-inf' is not a finite number"
        );
    }

    #[test]
    fn missing_values_are_counted_and_located() {
        let e = message(cols("a,b\n1,2\n3,\n4,NA\nNaN,5\n", &["a", "b"]).unwrap_err());
        assert_eq!(
            e,
            "t.csv, line 3, column 'b': missing value (empty cell); 3 rows have missing values \
             in the columns used, the first on line 3"
        );
        let one = message(cols("a,b\n1,2\n3,NA\n", &["a", "b"]).unwrap_err());
        assert!(
            one.contains("missing value ('NA'); 1 row has a missing value"),
            "{one}"
        );
    }

    #[test]
    fn missing_values_in_unused_columns_do_not_matter() {
        let c = cols("a,b\n1,\n2,NA\n", &["a"]).unwrap();
        assert_eq!(c.values, vec![vec![1.0, 2.0]]);
    }

    #[test]
    fn drop_missing_rows() {
        let opts = CsvOptions {
            missing: Missing::DropRow,
            ..CsvOptions::default()
        };
        let c = read_columns_from(
            "a,b\n1,2\n3,\n.,4\n5,6\n".as_bytes(),
            "t",
            &["a", "b"],
            &opts,
        )
        .unwrap();
        assert_eq!(c.values, vec![vec![1.0, 5.0], vec![2.0, 6.0]]);
        assert_eq!(c.lines, vec![2, 5]);
        assert_eq!(
            c.dropped,
            Some(DroppedRows {
                rows: 2,
                first_line: 3,
                first_column: "b".into()
            })
        );
        let e = read_columns_from("a\nNA\n".as_bytes(), "t", &["a"], &opts).unwrap_err();
        assert!(message(e).contains("every data row has a missing value"));
    }

    #[test]
    fn ragged_rows() {
        let e = message(cols("a,b,c\n1,2,3\n4,5\n", &["a"]).unwrap_err());
        assert_eq!(e, "t.csv, line 3: 2 fields, but the header (line 1) has 3");
    }

    #[test]
    fn empty_file_and_no_rows() {
        assert!(message(cols("", &["a"]).unwrap_err()).contains("the file is empty"));
        assert!(message(cols("a,b\n", &["a"]).unwrap_err()).contains("no data rows"));
    }

    #[test]
    fn missing_file() {
        let e = read_columns("/nonexistent/x.csv", &["a"], &CsvOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "/nonexistent/x.csv: no such file");
        let d = read_table("/", &CsvOptions::default()).unwrap_err();
        assert_eq!(d.to_string(), "/: is a directory, not a CSV file");
    }

    #[test]
    fn error_at_maps_rows_to_lines() {
        let c = cols("w\n1\n-1\n", &["w"]).unwrap();
        assert_eq!(
            c.error_at(1, "w", "negative").to_string(),
            "t.csv, line 3, column 'w': negative"
        );
    }

    #[test]
    fn delimiter_from_str() {
        assert_eq!(",".parse::<Delimiter>().unwrap(), Delimiter::Comma);
        assert_eq!(
            "semicolon".parse::<Delimiter>().unwrap(),
            Delimiter::Semicolon
        );
        assert_eq!("\t".parse::<Delimiter>().unwrap(), Delimiter::Tab);
        assert_eq!("TAB".parse::<Delimiter>().unwrap(), Delimiter::Tab);
        assert!("|".parse::<Delimiter>().is_err());
    }

    #[test]
    fn plain_table() {
        let t = table("1,2\n3,4\n").unwrap();
        assert_eq!(t.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
        assert_eq!(t.column_labels, None);
        assert_eq!(t.row_labels, None);
        assert_eq!(t.location(1, 1), "line 2, column 2");
    }

    #[test]
    fn table_with_header_and_labels() {
        let t = table("parent,Q1,Q2\nQ1,5,1\nQ2,2,6\n").unwrap();
        assert_eq!(t.values, ndarray::array![[5.0, 1.0], [2.0, 6.0]]);
        assert_eq!(t.column_labels, Some(vec!["Q1".into(), "Q2".into()]));
        assert_eq!(t.row_labels, Some(vec!["Q1".into(), "Q2".into()]));
        assert_eq!(t.lines, vec![2, 3]);
        assert_eq!(t.location(0, 1), "line 2, column 3 ('Q2')");
    }

    #[test]
    fn table_with_empty_corner_and_header_only() {
        let t = table(",a,b\nx,1,2\ny,3,4\n").unwrap();
        assert_eq!(t.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
        let h = table("a,b\n1,2\n3,4\n").unwrap();
        assert_eq!(h.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
        assert_eq!(h.row_labels, None);
        let l = table("x,1,2\ny,3,4\n").unwrap();
        assert_eq!(l.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
        assert_eq!(l.column_labels, None);
    }

    #[test]
    fn table_with_numeric_class_labels() {
        let both = table("parent,1,2\n1,5,1\n2,2,6\n").unwrap();
        assert_eq!(both.values, ndarray::array![[5.0, 1.0], [2.0, 6.0]]);
        let head = table("1,2\n5,1\n2,6\n").unwrap();
        assert_eq!(head.values, ndarray::array![[5.0, 1.0], [2.0, 6.0]]);
        let col = table("1,5,1\n2,2,6\n").unwrap();
        assert_eq!(col.values, ndarray::array![[5.0, 1.0], [2.0, 6.0]]);
        let text_header_numeric_labels = table("p,Q1,Q2\n1,5,1\n2,2,6\n").unwrap();
        assert_eq!(
            text_header_numeric_labels.values,
            ndarray::array![[5.0, 1.0], [2.0, 6.0]]
        );
    }

    #[test]
    fn trailing_delimiter_is_ignored() {
        let t = table("1,2,\n3,4,\n").unwrap();
        assert_eq!(t.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
    }

    #[test]
    fn table_errors() {
        let e = message(table("1,2,3\n4,5,6\n").unwrap_err());
        assert_eq!(
            e,
            "t.csv: the table must be square (k x k), but it has 2 rows and 3 columns of numbers"
        );
        let e = message(table("a,b\n1,2\n3,4\n5,6\n").unwrap_err());
        assert!(
            e.contains("3 rows and 2 columns of numbers (taking line 1 as a header)"),
            "{e}"
        );
        let e = message(table("Q1,Q2\n1,x\n3,4\n").unwrap_err());
        assert_eq!(e, "t.csv, line 2, column 2 ('Q2'): 'x' is not a number");
        let e = message(table("1,2\n3,\n").unwrap_err());
        assert_eq!(e, "t.csv, line 2, column 2: missing value (empty cell)");
        let e = message(table("1,2\n3,4,5\n").unwrap_err());
        assert_eq!(e, "t.csv, line 2: 3 fields, but line 1 has 2");
        let e = message(table("").unwrap_err());
        assert!(e.contains("empty"), "{e}");
        let e = message(table("1,2\nnan,4\n").unwrap_err());
        assert!(e.contains("line 2, column 1: missing value ('nan')"), "{e}");
    }

    #[test]
    fn control_characters_are_escaped() {
        let e = message(cols("a\n\"x\ny\"\n", &["a"]).unwrap_err());
        assert!(!e.contains('\n'), "{e}");
        assert!(e.contains("'x\\ny'"), "{e}");
    }
}
