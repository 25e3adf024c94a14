//! Named numeric columns under a header row, and a label column to group by.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{
    Cell, CsvOptions, Missing, check_quotes, csv_error, csv_reader, each_record, encoding,
    field_count_error, find_column, header_fields, input, open, parse_cell, show_cell,
};
use crate::error::{MobilityError, Result};

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
    let (file, source) = open(path.as_ref())?;
    read_columns_from(file, &source, names, options)
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
    let (file, source) = open(path.as_ref())?;
    read_labelled_columns_from(file, &source, names, label, options)
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

/// The reader behind [`read_columns_from`] and [`read_labelled_columns_from`].
fn read_impl<R: Read>(
    reader: R,
    source: &str,
    names: &[&str],
    label: Option<&str>,
    options: &CsvOptions,
) -> Result<LabelledColumns> {
    let mut rdr = csv_reader(reader, source, options, true)?;
    let headers = rdr
        .byte_headers()
        .map_err(|e| csv_error(source, &e))?
        .clone();
    let header_line = headers.position().map_or(1, |p| p.line());
    check_quotes(&rdr, source, header_line)?;
    let header = header_fields(source, &headers, header_line)?;
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
    let reference = format!("the header (line {header_line})");
    each_record(&mut rdr, source, |line, record| {
        if record.len() != header.len() {
            return Err(field_count_error(
                source,
                line,
                record.len(),
                &reference,
                header.len(),
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
            return Ok(());
        }
        for (column, &v) in values.iter_mut().zip(&row) {
            column.push(v);
        }
        labels.extend(row_label);
        lines.push(line);
        Ok(())
    })?;
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
