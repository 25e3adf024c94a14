//! The exact cut-off search over partitioned data: per-partition summaries of key prefixes,
//! merged, refined until every cut-off's value is pinned down.
//!
//! ```text
//! pass 1   histogram on the top 16 bits of the sort key (+ row count and exact total weight)
//! pass r   for each target, the bucket range that can hold it: histogram again on the next bits,
//!          or, once it holds few rows, gather its (key, weight) pairs; a single key needs only
//!          its exact weight
//! resolve  exactly: k W(x < x*) <= m W < k W(x <= x*)   (midrank, weighted)
//!          C(x < x*) <= p < C(x <= x*)                 (order statistic p, other rules)
//! ```
//! Every decision compares exact sums ([`ExactSum`], row counts in `u64`), so the cut-offs do
//! not depend on how the rows are partitioned. The per-bucket `f64` weights of a histogram pass
//! only *guide* the next probe (with a rigorous error margin); they never decide a cut-off.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::exact::ExactSum;
use super::{Batch, add_each};
use crate::error::{MobilityError, Parameter, Result};
use crate::quantile::{Cut, CutoffSource, Cutoffs, giddy_cuts, stata_cuts, type7_cuts};
use crate::rank::{Rule, from_sort_key, sort_key};

/// Rows per parallel work unit inside a batch.
const CHUNK: usize = 1 << 16;
/// Buckets of the first histogram: the top 16 bits of the sort key.
const FIRST_BITS: u32 = 16;
/// Total (key, weight) pairs gathered over all probes of one pass, at most (64 MiB).
const GATHER_TOTAL: u64 = 1 << 22;
/// Histogram buckets over all probes of a refinement pass, at most (4 MiB per worker thread).
const HIST_TOTAL: u64 = 1 << 18;

/// What a partition does with the rows whose key falls in one probe interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeMode {
    /// Count (and weigh) rows per bucket `(key - lo) >> shift`.
    Histogram {
        /// Bits dropped from `key - lo`.
        shift: u32,
        /// Number of buckets, `((hi - lo) >> shift) + 1`.
        buckets: u32,
    },
    /// Keep every `(key, weight)` pair.
    Collect,
    /// Only the exact count and weight (a single key).
    Sum,
}

/// A closed interval of sort keys `[lo, hi]` to summarise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// Smallest key.
    pub lo: u64,
    /// Largest key.
    pub hi: u64,
    /// What to record.
    pub mode: ProbeMode,
}

/// The probes of one search pass, for parents (`vars[0]`) and children (`vars[1]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPlan {
    /// Whether rows carry weights.
    pub weighted: bool,
    /// Disjoint probes sorted by `lo`, per variable.
    pub vars: [Vec<Probe>; 2],
}

/// Exact count and weight of the rows in one slot (a probe or a gap between probes).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SlotSum {
    /// Rows.
    pub count: u64,
    /// Exact weight (zero when unweighted).
    pub weight: ExactSum,
}

impl SlotSum {
    /// Adds the slots of other rows into `slots`, slot by slot.
    fn merge_each(slots: &mut [SlotSum], other: &[SlotSum]) {
        for (x, y) in slots.iter_mut().zip(other) {
            x.count += y.count;
            x.weight.merge(&y.weight);
        }
    }
}

/// What a probe recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeData {
    /// Rows per bucket, and their weight in `f64` (empty when unweighted; a guide only).
    Histogram {
        /// Rows per bucket (sparse: `(bucket, rows, weight)` for non-empty buckets).
        buckets: Vec<(u32, u64, f64)>,
    },
    /// The gathered `(key, weight)` pairs, in any order.
    Members(Vec<(u64, f64)>),
    /// Nothing beyond the slot sums.
    Sum,
}

/// One variable's part of a [`SearchSummary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarSummary {
    /// Slots `gap_0, probe_0, gap_1, probe_1, ..., gap_P`: rows below, in and between probes.
    pub slots: Vec<SlotSum>,
    /// Per probe, what it recorded.
    pub probes: Vec<ProbeData>,
}

/// The mergeable summary of one partition (or many, merged) for one [`SearchPlan`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSummary {
    /// Rows summarised.
    pub rows: u64,
    /// Parents and children.
    pub vars: [VarSummary; 2],
}

/// Dense working form of a probe's histogram.
struct DenseProbe {
    counts: Vec<u64>,
    weights: Vec<f64>,
    members: Vec<(u64, f64)>,
}

struct DenseVar {
    slots: Vec<SlotSum>,
    probes: Vec<DenseProbe>,
}

impl SearchPlan {
    /// Summarises one batch (in parallel over fixed chunks of rows).
    ///
    /// # Complexity
    /// `O(n log P)` for `P` probes; memory one histogram per probe per worker thread.
    pub fn summarize(&self, batch: &Batch<'_>) -> SearchSummary {
        let cols = [batch.parent, batch.child];
        let vars = [0usize, 1].map(|v| {
            let probes = &self.vars[v];
            let n = cols[v].len();
            let dense = if n <= 4 * CHUNK {
                // small batches (file chunks, already read in parallel): one histogram
                self.dense_chunk(probes, cols[v], batch.weight)
            } else {
                (0..n)
                    .into_par_iter()
                    .step_by(CHUNK)
                    .map(|start| {
                        let end = (start + CHUNK).min(n);
                        let w = batch.weight.map(|w| &w[start..end]);
                        self.dense_chunk(probes, &cols[v][start..end], w)
                    })
                    .reduce(|| self.empty_dense(probes), merge_dense)
            };
            sparse(dense)
        });
        SearchSummary {
            rows: batch.parent.len() as u64,
            vars,
        }
    }

    /// The identity of [`SearchSummary::merge`] for this plan (an empty partition).
    pub fn empty(&self) -> SearchSummary {
        SearchSummary {
            rows: 0,
            vars: [0, 1].map(|v| VarSummary {
                slots: vec![SlotSum::default(); 2 * self.vars[v].len() + 1],
                probes: self.vars[v]
                    .iter()
                    .map(|p| match p.mode {
                        ProbeMode::Histogram { .. } => ProbeData::Histogram {
                            buckets: Vec::new(),
                        },
                        _ => ProbeData::Sum,
                    })
                    .collect(),
            }),
        }
    }

    fn empty_dense(&self, probes: &[Probe]) -> DenseVar {
        DenseVar {
            slots: vec![SlotSum::default(); 2 * probes.len() + 1],
            probes: probes
                .iter()
                .map(|p| match p.mode {
                    ProbeMode::Histogram { buckets, .. } => DenseProbe {
                        counts: vec![0; buckets as usize],
                        weights: if self.weighted {
                            vec![0.0; buckets as usize]
                        } else {
                            Vec::new()
                        },
                        members: Vec::new(),
                    },
                    _ => DenseProbe {
                        counts: Vec::new(),
                        weights: Vec::new(),
                        members: Vec::new(),
                    },
                })
                .collect(),
        }
    }

    fn dense_chunk(&self, probes: &[Probe], x: &[f64], w: Option<&[f64]>) -> DenseVar {
        let mut d = self.empty_dense(probes);
        let los: Vec<u64> = probes.iter().map(|p| p.lo).collect();
        for (i, &v) in x.iter().enumerate() {
            let key = sort_key(v);
            let j = los.partition_point(|&lo| lo <= key);
            let wi = w.map_or(1.0, |w| w[i]);
            let slot = if j > 0 && key <= probes[j - 1].hi {
                let p = &probes[j - 1];
                let dp = &mut d.probes[j - 1];
                match p.mode {
                    ProbeMode::Histogram { shift, .. } => {
                        let b = ((key - p.lo) >> shift) as usize;
                        dp.counts[b] += 1;
                        if self.weighted {
                            dp.weights[b] += wi;
                        }
                    }
                    ProbeMode::Collect => dp.members.push((key, wi)),
                    ProbeMode::Sum => {}
                }
                2 * (j - 1) + 1
            } else {
                2 * j
            };
            let s = &mut d.slots[slot];
            s.count += 1;
            if self.weighted {
                s.weight.add(wi);
            }
        }
        d
    }
}

fn merge_dense(mut a: DenseVar, b: DenseVar) -> DenseVar {
    SlotSum::merge_each(&mut a.slots, &b.slots);
    for (x, y) in a.probes.iter_mut().zip(b.probes) {
        add_each(&mut x.counts, &y.counts);
        add_each(&mut x.weights, &y.weights);
        x.members.extend(y.members);
    }
    a
}

fn sparse(d: DenseVar) -> VarSummary {
    VarSummary {
        slots: d.slots,
        probes: d
            .probes
            .into_iter()
            .map(|p| {
                if !p.counts.is_empty() {
                    ProbeData::Histogram {
                        buckets: p
                            .counts
                            .iter()
                            .enumerate()
                            .filter(|(_, c)| **c > 0)
                            .map(|(b, &c)| (b as u32, c, p.weights.get(b).copied().unwrap_or(0.0)))
                            .collect(),
                    }
                } else if !p.members.is_empty() {
                    ProbeData::Members(p.members)
                } else {
                    ProbeData::Sum
                }
            })
            .collect(),
    }
}

impl SearchSummary {
    /// Adds `other` (a summary of other rows for the same plan) into `self`: exact counts and
    /// weights add, gathered pairs concatenate. Associative and commutative in every field that
    /// decides a cut-off.
    ///
    /// # Errors
    /// Summaries of different plans (shapes differ).
    ///
    /// # Complexity
    /// `O(buckets + members)`.
    pub fn merge(&mut self, other: SearchSummary) -> Result<()> {
        self.rows += other.rows;
        for (a, b) in self.vars.iter_mut().zip(other.vars) {
            if a.slots.len() != b.slots.len() || a.probes.len() != b.probes.len() {
                return Err(incompatible());
            }
            SlotSum::merge_each(&mut a.slots, &b.slots);
            for (x, y) in a.probes.iter_mut().zip(b.probes) {
                let merged = match (std::mem::replace(x, ProbeData::Sum), y) {
                    (ProbeData::Histogram { buckets: p }, ProbeData::Histogram { buckets: q }) => {
                        ProbeData::Histogram {
                            buckets: merge_buckets(p, q),
                        }
                    }
                    (ProbeData::Members(mut p), ProbeData::Members(q)) => {
                        p.extend(q);
                        ProbeData::Members(p)
                    }
                    (ProbeData::Members(p), ProbeData::Sum)
                    | (ProbeData::Sum, ProbeData::Members(p)) => ProbeData::Members(p),
                    (ProbeData::Histogram { buckets }, ProbeData::Sum)
                    | (ProbeData::Sum, ProbeData::Histogram { buckets }) => {
                        ProbeData::Histogram { buckets }
                    }
                    (ProbeData::Sum, ProbeData::Sum) => ProbeData::Sum,
                    _ => return Err(incompatible()),
                };
                *x = merged;
            }
        }
        Ok(())
    }
}

fn incompatible() -> MobilityError {
    MobilityError::Incompatible {
        reason: "search summaries of different passes cannot be merged".into(),
    }
}

fn merge_buckets(p: Vec<(u32, u64, f64)>, q: Vec<(u32, u64, f64)>) -> Vec<(u32, u64, f64)> {
    let mut out = Vec::with_capacity(p.len() + q.len());
    let (mut i, mut j) = (0, 0);
    while i < p.len() || j < q.len() {
        if j == q.len() || (i < p.len() && p[i].0 < q[j].0) {
            out.push(p[i]);
            i += 1;
        } else if i == p.len() || q[j].0 < p[i].0 {
            out.push(q[j]);
            j += 1;
        } else {
            out.push((p[i].0, p[i].1 + q[j].1, p[i].2 + q[j].2));
            i += 1;
            j += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The driver side: targets, refinement, resolution
// ---------------------------------------------------------------------------------------------

/// The value holding a target, with the exact measure below it and at it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Found {
    key: u64,
    below: ExactSum,
    tie: ExactSum,
}

/// Find the smallest key `x*` with `scale * M(<= x*) > t` (`M` weight or row count).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Target {
    scale: u64,
    t: ExactSum,
    lo: u64,
    hi: u64,
    count: u64,
    found: Option<Found>,
}

/// The state of an exact cut-off search for parents and children (driver side; serde so a
/// driver can be checkpointed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutoffSearch {
    k: usize,
    rule: Rule,
    weighted: bool,
    rows: u64,
    total: ExactSum,
    positions: Vec<usize>,
    targets: [Vec<Target>; 2],
    plan: Option<SearchPlan>,
    passes: usize,
    gather_total: u64,
    /// How many targets at the end are not the rule's order statistics but the records at the
    /// class boundaries `floor(m n / k)` (their tie groups are the tie-span candidates).
    #[serde(default)]
    holders: usize,
}

impl CutoffSearch {
    /// A search for `k` quantile classes under `rule` of both parents and children.
    ///
    /// # Errors
    /// `k` out of range; weights with a rule other than `midrank` (as [`Cutoffs::quantiles`]).
    pub fn new(k: usize, rule: Rule, weighted: bool) -> Result<CutoffSearch> {
        crate::error::check_k_requested(k)?;
        if rule == Rule::Split {
            return Err(MobilityError::invalid(
                Parameter::Rule,
                "the split rule is not available for streamed or chunked data yet; read the \
                 data in memory (TransitionMatrix::from_status) or use midrank",
            ));
        }
        if weighted && rule != Rule::Midrank {
            return Err(MobilityError::invalid(
                Parameter::Rule,
                format!("the {rule} rule reproduces unweighted software; use midrank with weights"),
            ));
        }
        let first = Probe {
            lo: 0,
            hi: u64::MAX,
            mode: ProbeMode::Histogram {
                shift: 64 - FIRST_BITS,
                buckets: 1 << FIRST_BITS,
            },
        };
        Ok(CutoffSearch {
            k,
            rule,
            weighted,
            rows: 0,
            total: ExactSum::zero(),
            positions: Vec::new(),
            targets: [Vec::new(), Vec::new()],
            plan: Some(SearchPlan {
                weighted,
                vars: [vec![first.clone()], vec![first]],
            }),
            passes: 0,
            gather_total: GATHER_TOTAL,
            holders: 0,
        })
    }

    /// Gathers at most `pairs` `(key, weight)` pairs per pass over all cut-offs (default 2^22)
    /// before refining by another histogram pass instead: a memory / passes trade-off.
    pub fn set_gather_limit(&mut self, pairs: u64) {
        self.gather_total = pairs.max(1);
    }

    /// The next pass to run over all partitions, or `None` when the cut-offs are known.
    pub fn plan(&self) -> Option<&SearchPlan> {
        self.plan.as_ref()
    }

    /// Passes completed.
    pub fn passes(&self) -> usize {
        self.passes
    }

    /// Rows seen (after the first pass).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Feeds the merged summary of the current plan over **all** partitions.
    ///
    /// # Errors
    /// No rows, zero total weight, a summary of another plan, or data that changed between
    /// passes (a target no longer where the previous pass put it).
    pub fn advance(&mut self, merged: SearchSummary) -> Result<()> {
        let Some(plan) = self.plan.take() else {
            return Err(MobilityError::Incompatible {
                reason: "the cut-off search is already complete".into(),
            });
        };
        if merged.vars[0].slots.len() != 2 * plan.vars[0].len() + 1
            || merged.vars[1].slots.len() != 2 * plan.vars[1].len() + 1
        {
            return Err(incompatible());
        }
        if self.passes == 0 {
            self.start(&merged)?;
        } else if merged.rows != self.rows {
            return Err(changed());
        }
        self.passes += 1;
        let weighted = self.weighted;
        let n_targets = (self.targets[0].len() + self.targets[1].len()).max(1) as u64;
        let limit = (self.gather_total / n_targets).max(1);
        let mut next: [Vec<Probe>; 2] = [Vec::new(), Vec::new()];
        #[allow(clippy::needless_range_loop)] // v indexes plan, summary, targets and next
        for v in 0..2 {
            let probes = &plan.vars[v];
            let sums = &merged.vars[v];
            let measure = |s: &SlotSum| {
                if weighted {
                    s.weight.clone()
                } else {
                    ExactSum::of(s.count as f64)
                }
            };
            // exact measure (and rows) below each probe
            let mut bases = Vec::with_capacity(probes.len());
            let mut below = ExactSum::zero();
            let mut below_rows = 0u64;
            for j in 0..probes.len() {
                below.merge(&measure(&sums.slots[2 * j]));
                below_rows += sums.slots[2 * j].count;
                bases.push((below.clone(), below_rows));
                below.merge(&measure(&sums.slots[2 * j + 1]));
                below_rows += sums.slots[2 * j + 1].count;
            }
            for target in self.targets[v].iter_mut().filter(|t| t.found.is_none()) {
                let j = probes
                    .iter()
                    .position(|p| p.lo <= target.lo && target.hi <= p.hi)
                    .ok_or_else(changed)?;
                let p = &probes[j];
                let (base, base_rows) = &bases[j];
                let inside = &sums.slots[2 * j + 1];
                match (&p.mode, &sums.probes[j]) {
                    (ProbeMode::Sum, _) => {
                        let tie = measure(inside);
                        check_holds(target, base, &tie)?;
                        target.found = Some(Found {
                            key: p.lo,
                            below: base.clone(),
                            tie,
                        });
                    }
                    (ProbeMode::Collect, ProbeData::Members(m)) => {
                        target.found = Some(resolve(m, base, target, weighted)?);
                    }
                    (ProbeMode::Histogram { shift, .. }, ProbeData::Histogram { buckets }) => {
                        let (lo, hi, count) = narrow(
                            buckets, p.lo, p.hi, *shift, base, *base_rows, target, weighted,
                            self.rows,
                        )
                        .ok_or_else(changed)?;
                        target.lo = lo;
                        target.hi = hi;
                        target.count = count;
                    }
                    _ => return Err(changed()),
                }
            }
            // next probes: the union of the open targets' intervals
            let mut open: Vec<(u64, u64, u64)> = self.targets[v]
                .iter()
                .filter(|t| t.found.is_none())
                .map(|t| (t.lo, t.hi, t.count))
                .collect();
            open.sort_unstable();
            let mut merged_iv: Vec<(u64, u64, u64)> = Vec::new();
            for (lo, hi, c) in open {
                match merged_iv.last_mut() {
                    Some(last) if lo <= last.1 => {
                        if (lo, hi) != (last.0, last.1) {
                            last.2 = last.2.saturating_add(c);
                        }
                        last.1 = last.1.max(hi);
                    }
                    _ => merged_iv.push((lo, hi, c)),
                }
            }
            next[v] = merged_iv
                .into_iter()
                .map(|(lo, hi, count)| Probe {
                    lo,
                    hi,
                    mode: if lo == hi {
                        ProbeMode::Sum
                    } else if count <= limit {
                        ProbeMode::Collect
                    } else {
                        // as fine as a budget of 2^18 buckets (4 MiB) over all targets allows
                        let span_bits = 64 - (hi - lo).leading_zeros();
                        let bits = (63 - (HIST_TOTAL / n_targets).max(1).leading_zeros())
                            .clamp(8, FIRST_BITS);
                        let shift = span_bits.saturating_sub(bits);
                        ProbeMode::Histogram {
                            shift,
                            buckets: (((hi - lo) >> shift) + 1) as u32,
                        }
                    },
                })
                .collect();
            // targets whose interval was absorbed by a union keep theirs: probes contain them
        }
        if next[0].is_empty() && next[1].is_empty() {
            self.plan = None;
        } else {
            self.plan = Some(SearchPlan {
                weighted,
                vars: next,
            });
        }
        Ok(())
    }

    fn start(&mut self, merged: &SearchSummary) -> Result<()> {
        self.rows = merged.rows;
        if self.rows == 0 {
            return Err(MobilityError::EmptyInput {
                what: "parent status".into(),
            });
        }
        let k = self.k as u64;
        let n = self.rows;
        let mut total = ExactSum::zero();
        for s in &merged.vars[0].slots {
            total.merge(&s.weight);
        }
        if self.weighted && total.is_zero() {
            return Err(MobilityError::ZeroTotalWeight {
                what: "weights".into(),
            });
        }
        self.total = total;
        let whole = |t: ExactSum, scale: u64| Target {
            scale,
            t,
            lo: 0,
            hi: u64::MAX,
            count: n,
            found: None,
        };
        let targets: Vec<Target> = match self.rule {
            Rule::Midrank => {
                let w = if self.weighted {
                    self.total.clone()
                } else {
                    ExactSum::of(n as f64)
                };
                (1..k).map(|m| whole(w.mul_small(m), k)).collect()
            }
            rule => {
                let n = usize::try_from(n).map_err(|_| too_many())?;
                let mut positions = Vec::new();
                let mut record = |p: &[usize]| {
                    positions = p.to_vec();
                    vec![0.0; p.len()]
                };
                match rule {
                    Rule::StataXtile => drop(stata_cuts(n, self.k, &mut record)),
                    Rule::Giddy => drop(giddy_cuts(n, self.k, &mut record)),
                    _ => drop(type7_cuts(n, self.k, false, &mut record)),
                }
                self.positions = positions;
                // and the record at each boundary position m n / k: the group holding it is
                // the one a tie span can be (midrank's cut-offs are those records already)
                let boundaries =
                    (1..k).map(|m| (u128::from(m) * u128::from(n as u64) / u128::from(k)) as u64);
                self.holders = self.k - 1;
                self.positions
                    .iter()
                    .map(|&p| p as u64)
                    .chain(boundaries)
                    .map(|p| whole(ExactSum::of(p as f64), 1))
                    .collect()
            }
        };
        self.targets = [targets.clone(), targets];
        Ok(())
    }

    /// The parent and child cut-offs, once [`CutoffSearch::plan`] is `None`.
    ///
    /// # Errors
    /// The search is not complete.
    pub fn cutoffs(&self) -> Result<(Cutoffs, Cutoffs)> {
        if self.plan.is_some() || self.passes == 0 {
            return Err(MobilityError::Incompatible {
                reason: "the cut-off search needs more passes".into(),
            });
        }
        let n = self.rows as usize;
        let k = self.k as u64;
        let side = |v: usize| -> Result<Cutoffs> {
            let found: Vec<&Found> = self.targets[v]
                .iter()
                .map(|t| t.found.as_ref().ok_or_else(changed))
                .collect::<Result<_>>()?;
            let cuts = match self.rule {
                Rule::Midrank => found
                    .iter()
                    .zip(&self.targets[v])
                    .map(|(f, t)| Cut {
                        value: from_sort_key(f.key),
                        // k (2 below + tie) <= 2 m W
                        inclusive: (&f.below.mul_small(2) + &f.tie).mul_small(k)
                            <= t.t.mul_small(2),
                        split: None,
                    })
                    .collect(),
                rule => {
                    let stats: Vec<f64> = found[..found.len() - self.holders]
                        .iter()
                        .map(|f| from_sort_key(f.key))
                        .collect();
                    match rule {
                        Rule::StataXtile => stata_cuts(n, self.k, |_| stats),
                        Rule::Giddy => giddy_cuts(n, self.k, |_| stats),
                        _ => type7_cuts(n, self.k, false, |_| stats),
                    }
                }
            };
            Cutoffs::from_cuts(cuts, CutoffSource::Quantiles(self.rule))
        };
        Ok((side(0)?, side(1)?))
    }
}

impl CutoffSearch {
    /// The parent and child values of the records at the class boundaries `floor(m n / k)`
    /// (as sort keys), once the search is complete: with the cut-off values, the values whose
    /// tie groups can span a boundary (empty under `midrank`, whose cut-offs are those values).
    pub fn boundary_keys(&self) -> [Vec<u64>; 2] {
        [0, 1].map(|v| {
            let t = &self.targets[v];
            t[t.len().saturating_sub(self.holders)..]
                .iter()
                .filter_map(|t| t.found.as_ref().map(|f| f.key))
                .collect()
        })
    }
}

fn too_many() -> MobilityError {
    MobilityError::invalid(Parameter::Rows, "more rows than this platform can index")
}

fn changed() -> MobilityError {
    MobilityError::Incompatible {
        reason: "the data changed between passes of the cut-off search (every pass must see the \
                 same rows)"
            .into(),
    }
}

/// `scale * below <= t < scale * (below + tie)`, or the data changed.
fn check_holds(target: &Target, below: &ExactSum, tie: &ExactSum) -> Result<()> {
    let lo = below.mul_small(target.scale);
    let hi = (below + tie).mul_small(target.scale);
    if lo <= target.t && target.t < hi {
        Ok(())
    } else {
        Err(changed())
    }
}

/// Resolves a target among gathered members, exactly.
fn resolve(
    members: &[(u64, f64)],
    base: &ExactSum,
    target: &Target,
    weighted: bool,
) -> Result<Found> {
    let mut m: Vec<(u64, u64)> = members.iter().map(|&(k, w)| (k, w.to_bits())).collect();
    m.sort_unstable();
    let mut cum = base.clone();
    let mut i = 0;
    while i < m.len() {
        let key = m[i].0;
        let mut tie = ExactSum::zero();
        let mut rows = 0u64;
        while i < m.len() && m[i].0 == key {
            if weighted {
                tie.add(f64::from_bits(m[i].1));
            }
            rows += 1;
            i += 1;
        }
        if !weighted {
            tie = ExactSum::of(rows as f64);
        }
        let next = &cum + &tie;
        if next.mul_small(target.scale) > target.t {
            check_holds(target, &cum, &tie)?;
            return Ok(Found {
                key,
                below: cum,
                tie,
            });
        }
        cum = next;
    }
    Err(changed())
}

/// The bucket range of a histogram that holds the target: `(lo, hi, rows)`.
#[allow(clippy::too_many_arguments)]
fn narrow(
    buckets: &[(u32, u64, f64)],
    lo: u64,
    hi: u64,
    shift: u32,
    base: &ExactSum,
    base_rows: u64,
    target: &Target,
    weighted: bool,
    n: u64,
) -> Option<(u64, u64, u64)> {
    let range = |b: u32| {
        let start = lo + (u64::from(b) << shift);
        let end = start.saturating_add((1u64 << shift) - 1).min(hi);
        (start, end)
    };
    let (first, last) = if weighted {
        // f64 guide with a rigorous margin: each bucket sum of c_b terms and the prefix sums
        // are within (n + 4) u of exact (u = 2^-53); widen by twice that.
        let delta = (n as f64 + 8.0) * f64::EPSILON;
        let t = target.t.to_f64();
        let s = target.scale as f64;
        let mut cum = base.to_f64();
        let (mut first, mut last) = (None, None);
        for (i, &(_, _, w)) in buckets.iter().enumerate() {
            cum += w;
            if first.is_none() && s * cum * (1.0 + delta) > t * (1.0 - delta) {
                first = Some(i);
            }
            if s * cum * (1.0 - delta) > t * (1.0 + delta) {
                last = Some(i);
                break;
            }
        }
        let first = first.unwrap_or(buckets.len().checked_sub(1)?);
        (first, last.unwrap_or(buckets.len() - 1))
    } else {
        // exact on row counts
        let t = target.t.to_f64() as u128; // a whole number below 2^64 * k
        let s = u128::from(target.scale);
        let mut cum = u128::from(base_rows);
        let mut found = None;
        for (i, &(_, c, _)) in buckets.iter().enumerate() {
            cum += u128::from(c);
            if s * cum > t {
                found = Some(i);
                break;
            }
        }
        let i = found?;
        (i, i)
    };
    let rows = buckets[first..=last].iter().map(|b| b.1).sum();
    Some((range(buckets[first].0).0, range(buckets[last].0).1, rows))
}
