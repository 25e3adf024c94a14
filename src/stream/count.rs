//! The counting pass: joint class counts per partition against known cut-offs, merged exactly.
//!
//! ```text
//! n_ij = sum_u w_u [c_p(u) = i][c_c(u) = j]    rows in u64, weights in ExactSum (exact, any order)
//! ```
//! [`crate::TransitionCounts::merge`] adds `f64` tables, which is exact for whole-number weights
//! (sums below 2^53) but not associative for fractional ones; the streaming path therefore keeps
//! each cell exact until the end and rounds once.

use std::collections::{BTreeMap, HashMap};

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::exact::ExactSum;
use super::{Batch, add_each};
use crate::error::{MobilityError, Parameter, Result};
use crate::matrix::TransitionCounts;
use crate::quantile::{CutoffTally, Cutoffs};
use crate::rank::sort_key;
use crate::weights::WeightSums;

const CHUNK: usize = 1 << 16;

/// The cut-offs a counting pass classifies against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountPlan {
    /// Parent cut-offs.
    pub parent: Cutoffs,
    /// Child cut-offs.
    pub child: Cutoffs,
    /// Whether rows carry weights.
    pub weighted: bool,
    /// Whether to count per group as well (a `by` column; the cut-offs are national).
    pub by: bool,
    /// Whether to tally the rows at and between the cut-off values (the tie-span diagnostics of
    /// quantile classes, [`CutoffTally`]).
    #[serde(default)]
    pub tie_spans: bool,
    /// Parent and child values (sort keys) to tally besides the cut-offs' (the records at the
    /// class boundaries, [`super::CutoffSearch::boundary_keys`]).
    #[serde(default)]
    pub boundary_keys: [Vec<u64>; 2],
}

/// Exact `k x k` cells: rows, and weights when weighted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cells {
    /// Rows.
    pub rows: u64,
    /// Rows per cell, row-major (parent class in rows).
    pub counts: Vec<u64>,
    /// Exact weight per cell (empty when unweighted).
    pub weights: Vec<ExactSum>,
}

impl Cells {
    fn new(k: usize, weighted: bool) -> Cells {
        Cells {
            rows: 0,
            counts: vec![0; k * k],
            weights: if weighted {
                vec![ExactSum::zero(); k * k]
            } else {
                Vec::new()
            },
        }
    }

    fn merge(&mut self, other: &Cells) {
        self.rows += other.rows;
        add_each(&mut self.counts, &other.counts);
        ExactSum::merge_each(&mut self.weights, &other.weights);
    }

    fn table(&self, k: usize) -> Array2<f64> {
        let v: Vec<f64> = if self.weights.is_empty() {
            self.counts.iter().map(|&c| c as f64).collect()
        } else {
            self.weights.iter().map(ExactSum::to_f64).collect()
        };
        Array2::from_shape_vec((k, k), v).expect("k * k cells")
    }
}

/// The mergeable result of a counting pass: all rows, and per group when `by`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountSummary {
    /// Number of classes.
    pub k: usize,
    /// All rows.
    pub all: Cells,
    /// Per group label (sorted).
    pub groups: BTreeMap<String, Cells>,
    /// Parent and child tallies at the cut-off values (when the plan asks for tie spans).
    #[serde(default)]
    pub ties: Option<Box<[CutoffTally; 2]>>,
    /// The weights' exact sums (when weighted).
    #[serde(default)]
    pub weights: Option<Box<WeightSums>>,
}

impl CountPlan {
    /// Counts one batch.
    ///
    /// # Errors
    /// `by` without a group column in the batch.
    ///
    /// # Complexity
    /// `O(n log k)`, parallel over fixed chunks; memory `O(k^2)` per chunk and group present.
    pub fn summarize(&self, batch: &Batch<'_>) -> Result<CountSummary> {
        let k = self.parent.k();
        let (pc, cc) = (self.parent.classifier(), self.child.classifier());
        if self.by && batch.group.is_none() {
            return Err(MobilityError::invalid(
                Parameter::By,
                "counting by group needs a group column",
            ));
        }
        let n = batch.parent.len();
        let weighted = self.weighted;
        // small batches (file chunks, already read in parallel) in one piece
        let step = if n <= 4 * CHUNK { n.max(1) } else { CHUNK };
        let (all, groups) = (0..n)
            .into_par_iter()
            .step_by(step)
            .map(|start| {
                let end = (start + step).min(n);
                let mut all = Cells::new(k, weighted);
                let mut groups: HashMap<u32, Cells> = HashMap::new();
                for u in start..end {
                    let cell = pc.class0(sort_key(batch.parent[u])) * k
                        + cc.class0(sort_key(batch.child[u]));
                    let w = batch.weight.map(|w| w[u]);
                    all.rows += 1;
                    all.counts[cell] += 1;
                    if let Some(w) = w {
                        all.weights[cell].add(w);
                    }
                    if self.by
                        && let Some(g) = &batch.group
                    {
                        let c = groups
                            .entry(g.codes[u])
                            .or_insert_with(|| Cells::new(k, weighted));
                        c.rows += 1;
                        c.counts[cell] += 1;
                        if let Some(w) = w {
                            c.weights[cell].add(w);
                        }
                    }
                }
                (all, groups)
            })
            .reduce(
                || (Cells::new(k, weighted), HashMap::new()),
                |(mut a, mut ga), (b, gb)| {
                    a.merge(&b);
                    for (g, c) in gb {
                        match ga.entry(g) {
                            std::collections::hash_map::Entry::Occupied(mut e) => {
                                e.get_mut().merge(&c)
                            }
                            std::collections::hash_map::Entry::Vacant(e) => {
                                e.insert(c);
                            }
                        }
                    }
                    (a, ga)
                },
            );
        let mut named: BTreeMap<String, Cells> = BTreeMap::new();
        if let Some(g) = &batch.group {
            for (code, cells) in groups {
                let label = g.labels.get(code as usize).ok_or_else(|| {
                    MobilityError::invalid(Parameter::By, format!("group code {code} has no label"))
                })?;
                match named.get_mut(label) {
                    Some(c) => c.merge(&cells),
                    None => {
                        named.insert(label.clone(), cells);
                    }
                }
            }
        }
        let mut summary = self.empty();
        if let Some(t) = &mut summary.ties {
            t[0].add(batch.parent, batch.weight);
            t[1].add(batch.child, batch.weight);
        }
        if let (Some(s), Some(w)) = (&mut summary.weights, batch.weight) {
            s.add(w);
        }
        summary.all = all;
        summary.groups = named;
        Ok(summary)
    }

    /// The identity of [`CountSummary::merge`] (an empty partition).
    pub fn empty(&self) -> CountSummary {
        CountSummary {
            k: self.parent.k(),
            all: Cells::new(self.parent.k(), self.weighted),
            groups: BTreeMap::new(),
            ties: self.tie_spans.then(|| {
                Box::new([
                    CutoffTally::new(&self.parent, &self.boundary_keys[0], self.weighted),
                    CutoffTally::new(&self.child, &self.boundary_keys[1], self.weighted),
                ])
            }),
            weights: self.weighted.then(Box::default),
        }
    }

    /// The merged counts as [`TransitionCounts`]: all rows, and per group (label order).
    pub fn finish(&self, s: &CountSummary) -> (TransitionCounts, Vec<(String, TransitionCounts)>) {
        let make = |c: &Cells| {
            TransitionCounts::from_parts(
                c.table(s.k),
                c.rows,
                Some(self.parent.clone()),
                Some(self.child.clone()),
            )
        };
        (
            make(&s.all),
            s.groups.iter().map(|(g, c)| (g.clone(), make(c))).collect(),
        )
    }
}

impl CountSummary {
    /// Adds `other` into `self` exactly (any order, any partitioning gives the same).
    ///
    /// # Errors
    /// Different `k` or weighting.
    ///
    /// # Complexity
    /// `O(k^2 (1 + groups))`.
    pub fn merge(&mut self, other: &CountSummary) -> Result<()> {
        if self.k != other.k || self.all.weights.len() != other.all.weights.len() {
            return Err(MobilityError::Incompatible {
                reason: "count summaries of different passes cannot be merged".into(),
            });
        }
        self.all.merge(&other.all);
        match (&mut self.ties, &other.ties) {
            (Some(a), Some(b)) => {
                a[0].merge(&b[0])?;
                a[1].merge(&b[1])?;
            }
            (None, Some(b)) => self.ties = Some(b.clone()),
            _ => {}
        }
        match (&mut self.weights, &other.weights) {
            (Some(a), Some(b)) => a.merge(b),
            (None, Some(b)) => self.weights = Some(b.clone()),
            _ => {}
        }
        for (g, c) in &other.groups {
            match self.groups.get_mut(g) {
                Some(x) => x.merge(c),
                None => {
                    self.groups.insert(g.clone(), c.clone());
                }
            }
        }
        Ok(())
    }
}
