//! Re-readable sources of row batches: in-memory partitions here; CSV ([`crate::io::chunked_csv`])
//! and Parquet ([`crate::io::parquet`]) files read in chunks.

use rayon::prelude::*;

use super::{Batch, GroupColumn, Pass, Summary};
use crate::error::Result;

/// Rows that can be read several times (once per pass), batch by batch.
pub trait Source: Sync {
    /// Summarises every row for `pass`, merging the batches' summaries (in any order: the merge
    /// is exact).
    ///
    /// # Errors
    /// Read or parse errors (naming file, line and column), invalid rows.
    fn summarize(&self, pass: &Pass) -> Result<Summary>;
}

/// Merges per-batch results produced in parallel.
///
/// # Errors
/// The first error of any batch.
pub fn merge_all(
    pass: &Pass,
    parts: impl ParallelIterator<Item = Result<Summary>>,
) -> Result<Summary> {
    parts.try_reduce(
        || pass.empty(),
        |mut a, b| {
            a.merge(b)?;
            Ok(a)
        },
    )
}

/// Owned columns of some partitions (for tests and for Python's in-memory chunks).
#[derive(Debug, Clone, Default)]
pub struct Partition {
    /// Parent status.
    pub parent: Vec<f64>,
    /// Child status.
    pub child: Vec<f64>,
    /// Weights.
    pub weight: Option<Vec<f64>>,
    /// Group codes and labels.
    pub group: Option<(Vec<u32>, Vec<String>)>,
}

impl Partition {
    /// This partition as a borrowed batch.
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            parent: &self.parent,
            child: &self.child,
            weight: self.weight.as_deref(),
            group: self
                .group
                .as_ref()
                .map(|(codes, labels)| GroupColumn { codes, labels }),
        }
    }
}

/// Partitions held in memory, summarised one by one.
#[derive(Debug, Clone, Default)]
pub struct SliceSource {
    /// The partitions (any may be empty).
    pub parts: Vec<Partition>,
}

impl Source for SliceSource {
    fn summarize(&self, pass: &Pass) -> Result<Summary> {
        let mut acc = pass.empty();
        for p in &self.parts {
            acc.merge(pass.summarize(&p.batch())?)?;
        }
        Ok(acc)
    }
}
