//! Re-readable sources of row batches: in-memory partitions here; CSV ([`crate::io::chunked_csv`])
//! and Parquet ([`crate::io::parquet`]) files read in chunks.

use std::collections::HashMap;

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

    /// The partitions one after the other: columns appended, group labels renumbered into one
    /// dense code list (first appearance). `weighted` / `grouped` say whether the result has
    /// those columns (a file's partitions either all have them or none does).
    ///
    /// # Complexity
    /// `O(rows + labels)`.
    pub fn concat<'p>(
        parts: impl IntoIterator<Item = &'p Partition>,
        weighted: bool,
        grouped: bool,
    ) -> Partition {
        let parts: Vec<&Partition> = parts.into_iter().collect();
        let column = |f: fn(&Partition) -> &[f64]| -> Vec<f64> {
            par_concat(&parts.iter().map(|p| f(p)).collect::<Vec<_>>())
        };
        let mut all = Partition {
            parent: column(|p| &p.parent),
            child: column(|p| &p.child),
            ..Partition::default()
        };
        let weight = column(|p| p.weight.as_deref().unwrap_or(&[]));
        let mut labels: Vec<String> = Vec::new();
        let mut lookup: HashMap<String, u32> = HashMap::new();
        let mut codes = Vec::new();
        for p in &parts {
            if let Some((c, l)) = &p.group {
                let map: Vec<u32> = l
                    .iter()
                    .map(|s| code_of(&mut lookup, &mut labels, s))
                    .collect();
                codes.extend(c.iter().map(|&c| map[c as usize]));
            }
        }
        all.weight = weighted.then_some(weight);
        all.group = grouped.then_some((codes, labels));
        all
    }
}

/// The slices one after another, copied in parallel into one (zeroed, lazily mapped) vector.
fn par_concat(parts: &[&[f64]]) -> Vec<f64> {
    let mut out = vec![0.0; parts.iter().map(|p| p.len()).sum()];
    let mut rest = out.as_mut_slice();
    let mut pieces = Vec::with_capacity(parts.len());
    for p in parts {
        let (piece, tail) = rest.split_at_mut(p.len());
        pieces.push(piece);
        rest = tail;
    }
    pieces
        .into_par_iter()
        .zip(parts.par_iter())
        .for_each(|(dst, src)| dst.copy_from_slice(src));
    out
}

/// One label per row as dense codes (first appearance) and the distinct labels, the form of
/// [`Partition::group`].
///
/// # Complexity
/// `O(rows)` hash lookups.
pub fn group_codes<S: AsRef<str>>(labels: &[S]) -> (Vec<u32>, Vec<String>) {
    let mut lookup: HashMap<String, u32> = HashMap::new();
    let mut distinct = Vec::new();
    let codes = labels
        .iter()
        .map(|l| code_of(&mut lookup, &mut distinct, l.as_ref()))
        .collect();
    (codes, distinct)
}

/// The code of `label`, numbering it next when it is new.
fn code_of(lookup: &mut HashMap<String, u32>, labels: &mut Vec<String>, label: &str) -> u32 {
    if let Some(&c) = lookup.get(label) {
        return c;
    }
    labels.push(label.to_string());
    let c = (labels.len() - 1) as u32;
    lookup.insert(label.to_string(), c);
    c
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

#[cfg(test)]
mod concat_tests {
    use super::*;

    #[test]
    fn concat_renumbers_labels_in_first_appearance_order() {
        let part = |p: &[f64], codes: &[u32], labels: &[&str]| Partition {
            parent: p.to_vec(),
            child: p.to_vec(),
            weight: Some(vec![1.0; p.len()]),
            group: Some((
                codes.to_vec(),
                labels.iter().map(|s| s.to_string()).collect(),
            )),
        };
        let a = part(&[1.0, 2.0], &[0, 1], &["x", "y"]);
        let b = part(&[3.0, 4.0, 5.0], &[0, 1, 0], &["y", "z"]);
        let all = Partition::concat([&a, &b], true, true);
        assert_eq!(all.parent, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(all.weight.as_ref().map(Vec::len), Some(5));
        let (codes, labels) = all.group.unwrap();
        assert_eq!(labels, vec!["x", "y", "z"]);
        assert_eq!(codes, vec![0, 1, 1, 2, 1]);
        assert_eq!(
            group_codes(&["b", "a", "b"]),
            (vec![0, 1, 0], vec!["b".to_string(), "a".to_string()])
        );
        let bare = Partition::concat([&a], false, false);
        assert!(bare.weight.is_none() && bare.group.is_none());
    }
}
