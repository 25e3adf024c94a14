//! Streaming and distributed transition matrices: exact cut-offs from mergeable summaries, then
//! counts, in a few passes over data that never has to fit in memory.
//!
//! ```text
//! partitions --summarize(pass)--> Summary --merge--> Summary --Pipeline::advance--> next pass
//!   pass 1..r  cut-off search (CutoffSearch: key-prefix histograms, refinement, gathering)
//!   pass r+1   counts against the cut-offs (CountPlan), per group with national cut-offs
//! ```
//! A [`Pipeline`] is the driver: it hands out a [`Pass`] (serde, so it can be shipped to Dask or
//! Spark workers), each partition turns its rows into a [`Summary`] with [`Pass::summarize`],
//! the summaries [`merge`](Summary::merge) in any order and grouping, and the merged summary
//! goes back to [`Pipeline::advance`]. On one machine, [`run`] does all of it over a [`Source`]
//! (a CSV or Parquet file, or in-memory partitions).
//!
//! # Exactness
//! Every decision and every count is exact: row counts are integers and weights are summed in
//! [`ExactSum`] (fixed point over the whole `f64` range), so the result is **bit-identical for
//! any partitioning and order**. It equals the in-memory path ([`crate::TransitionMatrix::from_status`])
//! bit for bit for all four rules without weights, and with weights whenever the in-memory `f64`
//! sums are exact (whole-number or dyadic weights with sums below 2^53); for general fractional
//! weights the streaming sums are the correctly rounded ones, and the in-memory sums may differ
//! from them in the last bits.
//!
//! Every [`Rule`](crate::Rule) is exact here: `midrank` needs the value holding a weighted position and the
//! weight below and at it (the tie split); `giddy`, `r-type7` and `stata-xtile` need order
//! statistics at whole positions, found the same way on row counts, then interpolated by the same
//! code as the in-memory path. (Weights with the last three are refused, as in memory.)
//!
//! # Passes and memory
//! The first pass histograms the top 16 bits of the sort key; each later pass narrows every
//! cut-off's bucket by up to 16 bits, or gathers its rows once it holds few (at most 2^22 pairs
//! over all cut-offs), or sums a single key. Typically 2-3 search passes plus one counting pass;
//! at most 6 search passes (64-bit keys). Memory is `O(k^2 (1 + groups))` for counts and
//! `O(k 2^16)` for histograms, independent of the number of rows.
//!
//! Rank measures ([`crate::rankbased`]) need every unit's rank: they are not streamed; computing
//! them holds `O(n)` keys (about 24 bytes a row), so use the in-memory path for them.

pub mod count;
pub mod file;
pub mod poisson;
pub mod search;
pub mod source;

use serde::{Deserialize, Serialize};

pub(crate) use crate::exact::add_each;
/// The exact sums moved to the crate root ([`crate::exact`]); their old paths still work.
pub use crate::exact::{self, ExactSum};
pub use count::{Cells, CountPlan, CountSummary};
pub use search::{CutoffSearch, SearchPlan, SearchSummary};
pub use source::{SliceSource, Source};

use crate::error::{
    MobilityError, Parameter, Result, check_finite, check_same_length, check_weight_values,
};
use crate::matrix::{ClassSpec, TransitionCounts, TransitionMatrix};
use crate::quantile::Cutoffs;

/// A group column of a batch: dense codes into this batch's labels.
#[derive(Debug, Clone, Copy)]
pub struct GroupColumn<'a> {
    /// One code per row.
    pub codes: &'a [u32],
    /// The label of each code.
    pub labels: &'a [String],
}

/// One batch of rows: parent and child status, optional weights and group.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// Parent status.
    pub parent: &'a [f64],
    /// Child status.
    pub child: &'a [f64],
    /// Survey weights.
    pub weight: Option<&'a [f64]>,
    /// Group of each row (for `by`).
    pub group: Option<GroupColumn<'a>>,
}

impl Batch<'_> {
    /// Checks lengths, finite status and weights (messages as the in-memory path's).
    ///
    /// # Errors
    /// As [`crate::TransitionCounts::from_status`], indices relative to the batch.
    pub fn validate(&self) -> Result<()> {
        if self.parent.is_empty() && self.child.is_empty() {
            return Ok(()); // an empty partition
        }
        check_finite(self.parent, "parent status")?;
        check_same_length(self.parent.len(), self.child.len(), "child status")?;
        check_finite(self.child, "child status")?;
        check_weight_values(self.weight, self.parent.len())?;
        if let Some(g) = &self.group {
            check_same_length(self.parent.len(), g.codes.len(), "groups")?;
        }
        Ok(())
    }
}

/// One pass over all partitions, as the driver asks for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    /// A step of the cut-off search.
    Search(SearchPlan),
    /// Counting against the cut-offs.
    Count(CountPlan),
}

/// A partition's (or many merged partitions') result for one [`Pass`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Summary {
    /// Of a search pass.
    Search(SearchSummary),
    /// Of the counting pass.
    Count(CountSummary),
}

impl Pass {
    /// Summarises one batch of rows (validated first).
    ///
    /// # Errors
    /// Invalid rows (non-finite status, bad weights, lengths), weights missing or present
    /// against the plan, a `by` pass without groups.
    ///
    /// # Complexity
    /// `O(n log k)`, parallel within the batch.
    pub fn summarize(&self, batch: &Batch<'_>) -> Result<Summary> {
        batch.validate()?;
        let weighted = match self {
            Pass::Search(p) => p.weighted,
            Pass::Count(p) => p.weighted,
        };
        if weighted != batch.weight.is_some() {
            return Err(MobilityError::invalid(
                Parameter::Weights,
                if weighted {
                    "this pass expects weights on every batch"
                } else {
                    "this pass was planned without weights"
                },
            ));
        }
        Ok(match self {
            Pass::Search(p) => Summary::Search(p.summarize(batch)),
            Pass::Count(p) => Summary::Count(p.summarize(batch)?),
        })
    }

    /// The summary of no rows (the identity of [`Summary::merge`]).
    pub fn empty(&self) -> Summary {
        match self {
            Pass::Search(p) => Summary::Search(p.empty()),
            Pass::Count(p) => Summary::Count(p.empty()),
        }
    }

    /// A short name for progress messages.
    pub fn name(&self) -> &'static str {
        match self {
            Pass::Search(_) => "cut-offs",
            Pass::Count(_) => "counts",
        }
    }
}

impl Summary {
    /// Adds `other` into `self` (summaries of the same pass over other rows).
    ///
    /// # Errors
    /// Summaries of different passes.
    ///
    /// # Complexity
    /// Linear in the summaries' size (never in the rows).
    pub fn merge(&mut self, other: Summary) -> Result<()> {
        match (self, other) {
            (Summary::Search(a), Summary::Search(b)) => a.merge(b),
            (Summary::Count(a), Summary::Count(b)) => a.merge(&b),
            _ => Err(MobilityError::Incompatible {
                reason: "summaries of different passes cannot be merged".into(),
            }),
        }
    }

    /// Compact JSON bytes (for shipping between workers).
    ///
    /// # Errors
    /// Never in practice (serialisation of plain data).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self)
            .map_err(|e| MobilityError::invalid(Parameter::Summary, e.to_string()))
    }

    /// Reads [`Summary::to_bytes`] back.
    ///
    /// # Errors
    /// Bytes that are not a summary.
    pub fn from_bytes(bytes: &[u8]) -> Result<Summary> {
        serde_json::from_slice(bytes)
            .map_err(|e| MobilityError::invalid(Parameter::Summary, e.to_string()))
    }
}

/// What to compute from a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamSpec {
    /// Quantile classes of the data (cut-offs found by the search) or given cut-offs (no search).
    pub classes: ClassSpec,
    /// Whether rows carry weights.
    pub weighted: bool,
    /// Also count per group, against the national (whole-stream) cut-offs.
    pub by: bool,
}

/// The result of a streamed computation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamResult {
    /// Counts of all rows (with the cut-offs).
    pub counts: TransitionCounts,
    /// Counts per group against the same cut-offs, in label order (empty without `by`).
    pub groups: Vec<(String, TransitionCounts)>,
    /// Passes over the data: cut-off search passes, plus one counting pass.
    pub passes: usize,
    /// Rows counted.
    #[serde(default)]
    pub rows: u64,
    /// Parent and child tallies at the cut-off values (quantile classes): the tie spans.
    #[serde(default)]
    pub ties: Option<Box<[crate::quantile::CutoffTally; 2]>>,
    /// The weights' exact sums (weighted rows): the weights summary.
    #[serde(default)]
    pub weights: Option<Box<crate::weights::WeightSums>>,
}

impl StreamResult {
    /// The transition matrix of all rows.
    ///
    /// # Errors
    /// A zero total weight.
    pub fn matrix(&self) -> Result<TransitionMatrix> {
        if self.counts.total() <= 0.0 {
            return Err(MobilityError::ZeroTotalWeight {
                what: "weights".into(),
            });
        }
        Ok(self.counts.to_matrix())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Stage {
    Search(Box<CutoffSearch>),
    Count(CountPlan),
    Done(StreamResult),
}

/// The driver of a streamed computation: hands out passes, takes merged summaries back.
///
/// # Example
/// ```
/// use mobility::stream::{Batch, Pipeline, StreamSpec};
/// use mobility::{ClassSpec, TransitionMatrix};
/// let parent: Vec<f64> = (0..100).map(|i| ((i * 37) % 100) as f64).collect();
/// let child: Vec<f64> = (0..100).map(|i| ((i * 91) % 100) as f64).collect();
/// let spec = StreamSpec { classes: ClassSpec::quantiles(5), weighted: false, by: false };
/// let mut pipeline = Pipeline::new(spec).unwrap();
/// while let Some(pass) = pipeline.next_pass() {
///     let mut merged = pass.empty();
///     for part in 0..3 {  // three partitions
///         let r = part * 40..((part + 1) * 40).min(100);
///         let b = Batch { parent: &parent[r.clone()], child: &child[r], weight: None, group: None };
///         merged.merge(pass.summarize(&b).unwrap()).unwrap();
///     }
///     pipeline.advance(merged).unwrap();
/// }
/// let streamed = pipeline.finish().unwrap().matrix().unwrap();
/// let direct = TransitionMatrix::from_status(&parent, &child, None, &ClassSpec::quantiles(5)).unwrap();
/// assert_eq!(streamed, direct);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    spec: StreamSpec,
    stage: Stage,
    passes: usize,
}

impl Pipeline {
    /// A pipeline for `spec`.
    ///
    /// # Errors
    /// Bad `k`, weights with a rule other than `midrank`, parent and child cut-offs with
    /// different `k`.
    pub fn new(spec: StreamSpec) -> Result<Pipeline> {
        let stage = match &spec.classes {
            ClassSpec::Quantiles { k, rule } => {
                Stage::Search(Box::new(CutoffSearch::new(*k, *rule, spec.weighted)?))
            }
            ClassSpec::Cutoffs { parent, child } => {
                spec.classes.check_cutoff_classes()?;
                Stage::Count(CountPlan {
                    parent: parent.clone(),
                    child: child.clone(),
                    weighted: spec.weighted,
                    by: spec.by,
                    tie_spans: false,
                    boundary_keys: [Vec::new(), Vec::new()],
                })
            }
        };
        Ok(Pipeline {
            spec,
            stage,
            passes: 0,
        })
    }

    /// Gathers at most `pairs` rows per search pass (see [`CutoffSearch::set_gather_limit`]).
    pub fn with_gather_limit(mut self, pairs: u64) -> Pipeline {
        if let Stage::Search(s) = &mut self.stage {
            s.set_gather_limit(pairs);
        }
        self
    }

    /// The next pass over all partitions, or `None` when the result is ready.
    pub fn next_pass(&self) -> Option<Pass> {
        match &self.stage {
            Stage::Search(s) => s.plan().cloned().map(Pass::Search),
            Stage::Count(p) => Some(Pass::Count(p.clone())),
            Stage::Done(_) => None,
        }
    }

    /// The cut-offs, once the search is over (before or after counting).
    pub fn cutoffs(&self) -> Option<(Cutoffs, Cutoffs)> {
        match &self.stage {
            Stage::Search(_) => None,
            Stage::Count(p) => Some((p.parent.clone(), p.child.clone())),
            Stage::Done(r) => Some((
                r.counts.parent_cutoffs()?.clone(),
                r.counts.child_cutoffs()?.clone(),
            )),
        }
    }

    /// Feeds the merged summary of the current pass over all partitions.
    ///
    /// # Errors
    /// A summary of another pass, no rows, a zero total weight, data that changed between passes.
    pub fn advance(&mut self, merged: Summary) -> Result<()> {
        self.passes += 1;
        let stage = std::mem::replace(&mut self.stage, Stage::Search(Box::new(placeholder())));
        self.stage = match (stage, merged) {
            (Stage::Search(mut s), Summary::Search(m)) => {
                s.advance(m)?;
                if s.plan().is_some() {
                    Stage::Search(s)
                } else {
                    let (parent, child) = s.cutoffs()?;
                    Stage::Count(CountPlan {
                        parent,
                        child,
                        weighted: self.spec.weighted,
                        by: self.spec.by,
                        tie_spans: true,
                        boundary_keys: s.boundary_keys(),
                    })
                }
            }
            (Stage::Count(p), Summary::Count(m)) => {
                if m.all.rows == 0 && !matches!(self.spec.classes, ClassSpec::Cutoffs { .. }) {
                    return Err(MobilityError::EmptyInput {
                        what: "parent status".into(),
                    });
                }
                let (counts, groups) = p.finish(&m);
                Stage::Done(StreamResult {
                    counts,
                    groups,
                    passes: self.passes,
                    rows: m.all.rows,
                    ties: m.ties,
                    weights: m.weights,
                })
            }
            _ => {
                return Err(MobilityError::Incompatible {
                    reason: "the summary is not of the pass this pipeline asked for".into(),
                });
            }
        };
        Ok(())
    }

    /// The result, once [`Pipeline::next_pass`] is `None`.
    ///
    /// # Errors
    /// Passes still to run.
    pub fn finish(self) -> Result<StreamResult> {
        match self.stage {
            Stage::Done(r) => Ok(r),
            _ => Err(MobilityError::Incompatible {
                reason: "the streamed computation needs more passes".into(),
            }),
        }
    }
}

fn placeholder() -> CutoffSearch {
    CutoffSearch::new(2, crate::Rule::Midrank, false).expect("k = 2 is valid")
}

/// A progress callback: pass number (from 1) and name.
pub type OnPass<'a> = &'a (dyn Fn(usize, &str) + Sync);

/// Options of [`run`].
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Most `(key, weight)` pairs gathered per search pass (`None`: 2^22).
    pub gather_limit: Option<u64>,
    /// Called before each pass with its number (from 1) and name, e.g. to drive a progress bar.
    pub on_pass: Option<OnPass<'a>>,
}

/// Runs a whole streamed computation over a re-readable [`Source`] on this machine: the entry
/// point the CLI calls for a file.
///
/// # Formula
/// As [`crate::TransitionCounts::from_status`] (same cut-offs, same counts).
///
/// # Errors
/// As the source's reader and [`Pipeline`].
///
/// # Complexity
/// `O(n log k)` per pass, typically 3-4 passes; memory independent of `n` (the source's batch
/// buffers, the summaries).
pub fn run(
    source: &dyn Source,
    spec: StreamSpec,
    options: &RunOptions<'_>,
) -> Result<StreamResult> {
    let mut pipeline = Pipeline::new(spec)?;
    if let Some(pairs) = options.gather_limit {
        pipeline = pipeline.with_gather_limit(pairs);
    }
    let mut i = 0;
    while let Some(pass) = pipeline.next_pass() {
        i += 1;
        if let Some(f) = options.on_pass {
            f(i, pass.name());
        }
        let merged = source.summarize(&pass)?;
        pipeline.advance(merged)?;
    }
    pipeline.finish()
}

/// The transition matrix of a source (all rows), streamed: [`run`] then the matrix.
///
/// # Errors
/// As [`run`], and a zero total weight.
///
/// # Complexity
/// As [`run`].
pub fn transition_matrix_from_source(
    source: &dyn Source,
    spec: StreamSpec,
    options: &RunOptions<'_>,
) -> Result<TransitionMatrix> {
    run(source, spec, options)?.matrix()
}
