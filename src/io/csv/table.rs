//! A k x k table of numbers, with its header row and label column detected.

use std::io::Read;
use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{
    Cell, CsvOptions, cell_location, csv_reader, delimiter_hint, each_record, encoding,
    field_count_error, input, open, parse_cell,
};
use crate::error::{MobilityError, Result};
use crate::serde_nd;

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
        let label = self.column_labels.as_ref().and_then(|l| l.get(col));
        cell_location(line, self.first_column + col, label.map(String::as_str))
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
    let (file, source) = open(path.as_ref())?;
    read_table_from(file, &source, options)
}

/// As [`read_table`], from any reader (`source` names it in messages).
///
/// # Errors
/// As [`read_table`].
pub fn read_table_from<R: Read>(reader: R, source: &str, options: &CsvOptions) -> Result<Table> {
    let mut rdr = csv_reader(reader, source, options, false)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    each_record(&mut rdr, source, |line, record| {
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
            return Err(field_count_error(
                source,
                line,
                record.len(),
                &format!("line {}", lines[0]),
                first.len(),
            ));
        }
        rows.push(
            record
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect(),
        );
        lines.push(line);
        Ok(())
    })?;
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
                    let location = cell_location(lines[i + h], j + l + 1, header_label);
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
