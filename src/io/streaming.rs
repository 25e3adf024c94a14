//! What the two streaming file sources share, the CSV reader ([`crate::io::chunked_csv`]) and the
//! Parquet reader ([`crate::io::parquet`]): the columns a pass reads ([`StreamColumns`]) and
//! where they are in the file ([`Projection`]), with the file's name and missing-value rule
//! ([`Reading`]); a file read in parts (CSV chunks, Parquet row groups, [`FileParts`]) whose
//! parts are read in parallel, gathered in file order or summarised and merged; and the rows
//! dropped for a missing value, with the message for the first of them.

use rayon::prelude::*;

use crate::error::Result;
use crate::io::csv::{DroppedRows, Missing};
use crate::io::input;
use crate::stream::source::Partition;
use crate::stream::{Pass, Summary};

/// The columns a streaming pass reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamColumns {
    /// Parent status column.
    pub parent: String,
    /// Child status column.
    pub child: String,
    /// Weight column.
    pub weight: Option<String>,
    /// Group column (`by`).
    pub group: Option<String>,
}

impl StreamColumns {
    /// Parent and child columns, no weights or groups.
    pub fn new(parent: &str, child: &str) -> StreamColumns {
        StreamColumns {
            parent: parent.into(),
            child: child.into(),
            weight: None,
            group: None,
        }
    }
}

/// Where the columns asked for are in a file. Slots are `0` parent, `1` child, `2` weight,
/// `3` group.
#[derive(Debug, Clone)]
pub(crate) struct Projection {
    /// The field (CSV) or leaf column (Parquet) of each slot read.
    pub(crate) index: [Option<usize>; 4],
    /// The name of each slot's column (empty for a slot not read).
    pub(crate) names: [String; 4],
}

impl Projection {
    /// Finds each column of `columns`, slot by slot, with `find(slot, name)`; the first error
    /// ends the search.
    pub(crate) fn find(
        columns: &StreamColumns,
        mut find: impl FnMut(usize, &str) -> Result<usize>,
    ) -> Result<Projection> {
        let wanted = [
            Some(columns.parent.clone()),
            Some(columns.child.clone()),
            columns.weight.clone(),
            columns.group.clone(),
        ];
        let mut index = [None; 4];
        for (slot, name) in wanted.iter().enumerate() {
            if let Some(name) = name {
                index[slot] = Some(find(slot, name)?);
            }
        }
        Ok(Projection {
            index,
            names: wanted.map(Option::unwrap_or_default),
        })
    }

    /// Whether a weight column is read.
    pub(crate) fn weighted(&self) -> bool {
        self.index[2].is_some()
    }

    /// Whether a group column is read.
    pub(crate) fn grouped(&self) -> bool {
        self.index[3].is_some()
    }

    /// The columns read, as asked for.
    pub(crate) fn columns(&self) -> StreamColumns {
        let name = |i: usize| self.index[i].map(|_| self.names[i].clone());
        StreamColumns {
            parent: self.names[0].clone(),
            child: self.names[1].clone(),
            weight: name(2),
            group: name(3),
        }
    }
}

/// What a streaming source reads and how: the file's name for messages, the columns and what
/// to do with a row that has a missing value.
pub(crate) struct Reading {
    /// The file (as given).
    pub(crate) source: String,
    /// The columns read and where they are.
    pub(crate) projection: Projection,
    /// What to do with a row that has a missing value.
    pub(crate) missing: Missing,
}

/// The first missing value of a part: where its row is, the column and the cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Missed {
    /// Where the row is: its byte offset in a CSV file, its 0-based row in a Parquet file.
    pub(crate) at: u64,
    /// The column's slot (as in [`Projection`]).
    pub(crate) slot: usize,
    /// The cell as messages show it (`empty cell`, `'NA'`, `null`).
    pub(crate) cell: String,
}

/// What one part of a file read: the rows kept, the rows dropped for a missing value and the
/// first of those.
pub(crate) struct PartRead {
    /// The rows kept.
    pub(crate) part: Partition,
    /// Rows with a missing value (dropped, or refused under [`Missing::Reject`]).
    pub(crate) dropped: u64,
    /// The first of them.
    pub(crate) first_missing: Option<Missed>,
}

/// The rows with a missing value over parts in file order: how many, and the earliest.
#[derive(Default)]
struct MissingTally {
    rows: u64,
    first: Option<Missed>,
}

impl MissingTally {
    /// Adds a part's rows with a missing value (the part may come before or after the others).
    fn add(mut self, dropped: u64, first: Option<Missed>) -> MissingTally {
        self.rows += dropped;
        self.first = match (self.first, first) {
            (Some(x), Some(y)) => Some(if x.at <= y.at { x } else { y }),
            (x, y) => x.or(y),
        };
        self
    }
}

/// A file read in parts, each part on its own worker thread.
pub(crate) trait FileParts: Sync {
    /// What the source reads and how.
    fn reading(&self) -> &Reading;

    /// The number of parts.
    fn parts(&self) -> usize;

    /// Reads part `i`.
    fn read_part(&self, i: usize) -> Result<PartRead>;

    /// How the file numbers the row at `at` ([`Missed::at`]) for people: `("line", 3)` in a
    /// CSV file, `("row", 2)` in a Parquet file.
    fn place(&self, at: u64) -> (&'static str, u64);

    /// Every part read into memory (in parallel), joined in file order, and the rows dropped
    /// for missing values (under [`Missing::DropRow`]; `first_line` is [`FileParts::place`]'s
    /// number).
    ///
    /// # Errors
    /// A part cannot be read; a missing value under [`Missing::Reject`].
    fn read_all_parts(&self) -> Result<(Partition, Option<DroppedRows>)> {
        let parts: Vec<PartRead> = (0..self.parts())
            .into_par_iter()
            .map(|i| self.read_part(i))
            .collect::<Result<_>>()?;
        let tally = parts.iter().fold(MissingTally::default(), |t, p| {
            t.add(p.dropped, p.first_missing.clone())
        });
        check_missing(self, &tally)?;
        let dropped = tally.first.map(|first| DroppedRows {
            rows: tally.rows as usize,
            first_line: self.place(first.at).1,
            first_column: self.reading().projection.names[first.slot].clone(),
        });
        let projection = &self.reading().projection;
        let all = Partition::concat(
            parts.iter().map(|p| &p.part),
            projection.weighted(),
            projection.grouped(),
        );
        Ok((all, dropped))
    }

    /// `pass` over every part (in parallel), the summaries merged.
    ///
    /// # Errors
    /// A part cannot be read or summarised; a missing value under [`Missing::Reject`].
    fn summarize_parts(&self, pass: &Pass) -> Result<Summary> {
        let (acc, tally) = (0..self.parts())
            .into_par_iter()
            .map(|i| {
                let read = self.read_part(i)?;
                let s = pass.summarize(&read.part.batch())?;
                Ok((
                    s,
                    MissingTally::default().add(read.dropped, read.first_missing),
                ))
            })
            .try_reduce(
                || (pass.empty(), MissingTally::default()),
                |(mut a, ta), (b, tb)| {
                    a.merge(b)?;
                    Ok((a, ta.add(tb.rows, tb.first)))
                },
            )?;
        check_missing(self, &tally)?;
        Ok(acc)
    }
}

/// Under [`Missing::Reject`], the error for the first missing value: `file, line 3, column
/// 'child': missing value (empty cell); 2 rows have missing values in the columns used, the
/// first on line 3`.
fn check_missing<F: FileParts + ?Sized>(file: &F, tally: &MissingTally) -> Result<()> {
    if file.reading().missing == Missing::DropRow {
        return Ok(());
    }
    let Some(first) = &tally.first else {
        return Ok(());
    };
    let (unit, n) = file.place(first.at);
    let rows = if tally.rows == 1 {
        "1 row has a missing value".to_string()
    } else {
        format!("{} rows have missing values", tally.rows)
    };
    Err(input(
        &file.reading().source,
        Some(format!(
            "{unit} {n}, column '{}'",
            file.reading().projection.names[first.slot]
        )),
        format!(
            "missing value ({}); {rows} in the columns used, the first on {unit} {n}",
            first.cell
        ),
    ))
}
