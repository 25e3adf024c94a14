//! The nonparametric bootstrap of a quantile transition matrix, re-ranking in every replicate.
//!
//! A replicate resamples units (pairs) with replacement, or whole clusters (a family, a state in
//! a pooled panel) when a cluster id is given, respecting the weights: a drawn unit carries its
//! weight times the number of times it was drawn. It then **re-estimates the quantile cut-offs and
//! the classes** on the replicate sample (unless [`CutoffMode::Fixed`] asks to keep the
//! full-sample cut-offs, e.g. national cut-offs treated as known), counts the `k x k` table and
//! recomputes every canonical measure, every cell `p_ij` and every per-class vector entry.
//!
//! # How a replicate avoids sorting (the `midrank` rule)
//! Both variables are sorted **once**. A unit is numbered by its position in the parent order, and
//! the child order is split into about `sqrt(n)` blocks whose boundaries never split a tie group
//! (the same for the parent order). A replicate then costs three linear passes and no sort:
//!
//! 1. multiplicities `m_u`: `n` uniform draws of a unit, each incrementing its count (a
//!    multinomial `(n; 1/n, ..., 1/n)` draw), or the same over clusters;
//! 2. one pass over the units in parent order accumulating `v_u = w_u m_u` per parent block and
//!    per child block; the cumulative block weights locate, for each cut `m = 1..k-1`, the one
//!    block holding it, which is scanned tie group by tie group with exactly the comparison of
//!    [`Cutoffs::quantiles`](crate::quantile::Cutoffs::quantiles):
//!    `k W(x < x*) <= m W < k W(x <= x*)`, the cut inclusive iff `k (2 W(x < x*) + W(x = x*)) <= 2 m W`
//!    (whole-number weights keep this exact);
//! 3. one pass counting the table: a unit's parent class is fixed by its block unless the block
//!    holds a cut, likewise its child class.
//!
//! The other tie rules (`giddy`, `r-type7`, `stata-xtile`) take the generic path: the replicate
//! sample is expanded by multiplicity and [`Cutoffs::quantiles`](crate::quantile::Cutoffs::quantiles)
//! is called on it (`O(n)` radix selection, a buffer of `n` values per thread): slower, exact.
//! Given cut-offs ([`ClassSpec::Cutoffs`]) and [`CutoffMode::Fixed`] classify every unit once and
//! only recount.
//!
//! # Reproducibility
//! Replicate `b` draws from its own ChaCha8 stream (`ChaCha8Rng::seed_from_u64(seed)`,
//! `set_stream(b)`), and each replicate is computed sequentially, so the results are
//! bit-identical for any number of threads.
//!
//! # Intervals
//! Percentile (type-7 quantiles of the replicates) and BCa (Efron 1987). The BCa acceleration
//! comes from a **grouped (delete-a-group) jackknife**: units (or clusters) are split into `G`
//! groups by fixed assignment (unit at parent-rank position `u`, or cluster number `c`, goes to
//! group `u mod G`, `c mod G`), each group is deleted in turn with the cut-offs re-estimated, and
//! `a = sum e_g^3 / (6 (sum e_g^2)^(3/2))` with `e_g = mean - theta_(g)`. The delete-one jackknife
//! would cost `n` full estimations; with `G` groups the third and second moments of the group
//! effects estimate those of the unit influence values (Efron & Tibshirani 1993, ch. 14 and 11.5).

use std::collections::HashMap;
use std::hash::Hash;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{
    CiMethod, Evaluator, Interval, Selection, Statistic, acceleration, check_level,
    jackknife_effects, summarize,
};
use crate::error::{MobilityError, Result, check_finite, check_same_length, check_weights};
use crate::matrix::{ClassSpec, TransitionMatrix};
use crate::measures::Weighting;
use crate::quantile::Cutoffs;
use crate::rank::{Rule, check_index_range, sort_key, sorted_keys};

/// Whether quantile cut-offs are re-estimated in every replicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CutoffMode {
    /// Re-rank and re-classify every replicate (the default; the cut-offs are estimates).
    #[default]
    Reestimate,
    /// Keep the full-sample cut-offs (treated as known, e.g. national cut-offs). Given cut-offs
    /// ([`ClassSpec::Cutoffs`]) are always fixed.
    Fixed,
}

/// What was resampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", rename_all = "snake_case")]
pub enum Resampling {
    /// Units (pairs), drawn with replacement.
    Units {
        /// Number of units.
        units: usize,
    },
    /// Whole clusters, drawn with replacement.
    Clusters {
        /// Number of clusters.
        clusters: usize,
        /// Number of units.
        units: usize,
    },
}

/// Configuration of a bootstrap run (a builder).
///
/// # Example
/// ```
/// use mobility::inference::{Bootstrap, CiMethod};
/// use mobility::ClassSpec;
/// let parent: Vec<f64> = (0..400).map(|i| ((i * 7919) % 400) as f64).collect();
/// let child: Vec<f64> = parent.iter().enumerate().map(|(i, p)| p + ((i * 31) % 97) as f64 * 3.0).collect();
/// let result = Bootstrap::new(200)
///     .seed(42)
///     .ci(CiMethod::Bca)
///     .run(&parent, &child, None, &ClassSpec::quantiles(4))
///     .unwrap();
/// let trace = result.get("shorrocks_trace").unwrap();
/// assert!(trace.se.unwrap() > 0.0);
/// assert!(trace.ci_low.unwrap() <= trace.estimate.unwrap());
/// assert_eq!(result.replicates("p_1_1").unwrap().len(), 200);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap {
    replicates: usize,
    seed: u64,
    ci: CiMethod,
    level: f64,
    clusters: Option<(Vec<u32>, usize)>,
    cutoffs: CutoffMode,
    weighting: Weighting,
    jackknife_groups: usize,
    selection: Selection,
}

/// Default number of groups of the grouped jackknife behind the BCa acceleration.
pub const DEFAULT_JACKKNIFE_GROUPS: usize = 30;

impl Bootstrap {
    /// `replicates` bootstrap replicates (B), seed 0, percentile intervals at 95%, units
    /// resampled, cut-offs re-estimated, parent-share weighting, every statistic.
    pub fn new(replicates: usize) -> Bootstrap {
        Bootstrap {
            replicates,
            seed: 0,
            ci: CiMethod::Percentile,
            level: 0.95,
            clusters: None,
            cutoffs: CutoffMode::Reestimate,
            weighting: Weighting::ParentShares,
            jackknife_groups: DEFAULT_JACKKNIFE_GROUPS,
            selection: Selection::All,
        }
    }

    /// The seed of the random streams (replicate `b` uses stream `b` of ChaCha8 seeded with it).
    pub fn seed(mut self, seed: u64) -> Bootstrap {
        self.seed = seed;
        self
    }

    /// Which interval `ci_low`/`ci_high` report (both are always computed).
    pub fn ci(mut self, method: CiMethod) -> Bootstrap {
        self.ci = method;
        self
    }

    /// The confidence level, in (0, 1) (checked when the bootstrap runs).
    pub fn level(mut self, level: f64) -> Bootstrap {
        self.level = level;
        self
    }

    /// Resample whole clusters: one id per unit (any hashable type; equal ids form a cluster).
    pub fn clusters<T: Hash + Eq>(mut self, ids: &[T]) -> Bootstrap {
        self.clusters = Some(dense_ids(ids));
        self
    }

    /// Re-estimate the cut-offs in every replicate (default) or keep the full-sample ones.
    pub fn cutoffs(mut self, mode: CutoffMode) -> Bootstrap {
        self.cutoffs = mode;
        self
    }

    /// The origin weights `pi` of the weighted summary measures (parent shares by default).
    pub fn weighting(mut self, weighting: Weighting) -> Bootstrap {
        self.weighting = weighting;
        self
    }

    /// Number of groups `G >= 2` of the grouped jackknife for the BCa acceleration (default 30;
    /// capped at the number of units or clusters, which gives the delete-one jackknife).
    pub fn jackknife_groups(mut self, groups: usize) -> Bootstrap {
        self.jackknife_groups = groups;
        self
    }

    /// Which statistics to compute (all by default). Selecting only cell-based measures
    /// (persistence, trace, ...) skips the eigenvalue and determinant work per replicate.
    pub fn statistics(mut self, selection: Selection) -> Bootstrap {
        self.selection = selection;
        self
    }

    /// Runs the bootstrap on paired status.
    ///
    /// # Formula
    /// ```text
    /// replicate b: m ~ Multinomial(n; 1/n, ..., 1/n) over units (or clusters),
    ///              weights w_u m_u, classes re-estimated, theta*_b = theta(table*_b)
    /// se = sd_b(theta*_b); percentile and BCa intervals (see the module docs)
    /// ```
    ///
    /// # Errors
    /// Everything [`TransitionMatrix::from_status`] rejects; fewer than 2 replicates; a level
    /// outside (0, 1); cluster ids of the wrong length; fewer than 2 units or clusters; fewer than
    /// 2 jackknife groups; invalid custom origin weights; an unknown statistic name.
    ///
    /// # Complexity
    /// Two sorts once, then `O(n + k^3)` per replicate (`midrank` rule, no allocation of
    /// `O(n)` buffers per replicate: one set per thread), `B + G` replicates in parallel.
    pub fn run(
        &self,
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        spec: &ClassSpec,
    ) -> Result<BootstrapResult> {
        let clusters = self.clusters.as_ref().map(|(c, g)| (c.as_slice(), *g));
        let raw = self.run_raw(parent, child, weights, clusters, spec, 0)?;
        Ok(self.finish(raw))
    }

    /// Validates the configuration and the data, runs the replicates and the jackknife.
    pub(crate) fn run_raw(
        &self,
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        clusters: Option<(&[u32], usize)>,
        spec: &ClassSpec,
        stream_base: u64,
    ) -> Result<RawRun> {
        if self.replicates < 2 {
            return Err(MobilityError::invalid(
                "replicates",
                format!("{} bootstrap replicates; at least 2 are needed", self.replicates),
            ));
        }
        check_level(self.level)?;
        if self.jackknife_groups < 2 {
            return Err(MobilityError::invalid(
                "jackknife_groups",
                format!("{} groups; at least 2 are needed", self.jackknife_groups),
            ));
        }
        check_finite(parent, "parent status")?;
        check_same_length(parent.len(), child.len(), "child status")?;
        check_finite(child, "child status")?;
        check_index_range(parent.len())?;
        check_weights(weights, parent.len())?;
        if let Some((ids, _)) = clusters {
            check_same_length(parent.len(), ids.len(), "cluster ids")?;
        }
        let n = parent.len();
        let resampled = clusters.map_or(n, |(_, g)| g);
        if resampled < 2 {
            return Err(MobilityError::invalid(
                if clusters.is_some() {
                    "clusters"
                } else {
                    "status"
                },
                format!(
                    "{resampled} {} to resample; the bootstrap needs at least 2",
                    if clusters.is_some() {
                        "cluster"
                    } else {
                        "unit"
                    }
                ),
            ));
        }
        let tm = TransitionMatrix::from_status(parent, child, weights, spec)?;
        let k = tm.k;
        if !matches!(self.weighting, Weighting::Stationary) {
            tm.origin_weights(&self.weighting)?;
        }
        let stats = self.selection.resolve(k)?;
        let evaluator = Evaluator::new(k, self.weighting.clone(), stats);
        let estimates = evaluator.eval_matrix(&tm);

        let mode = match spec {
            ClassSpec::Cutoffs { .. } => CutoffMode::Fixed,
            ClassSpec::Quantiles { .. } => self.cutoffs,
        };
        let design = Design::new(parent, child, weights, clusters, spec, &tm, mode)?;
        let groups = self.jackknife_groups.min(resampled);

        let b = self.replicates;
        let seed = self.seed;
        let reps: Vec<Vec<Option<f64>>> = (0..b)
            .into_par_iter()
            .map_init(
                || Scratch::new(&design),
                |s, r| {
                    design.draw(Draw::Resample(seed, stream_base + r as u64), s);
                    design.count(s);
                    evaluator.eval_counts(&s.table)
                },
            )
            .collect();
        let jack: Vec<Vec<Option<f64>>> = (0..groups)
            .into_par_iter()
            .map_init(
                || Scratch::new(&design),
                |s, g| {
                    design.draw(Draw::DeleteGroup { group: g, groups }, s);
                    design.count(s);
                    evaluator.eval_counts(&s.table)
                },
            )
            .collect();
        Ok(RawRun {
            k,
            stats: evaluator.stats,
            estimates,
            reps,
            jack,
            resampling: match clusters {
                None => Resampling::Units { units: n },
                Some((_, g)) => Resampling::Clusters {
                    clusters: g,
                    units: n,
                },
            },
            cutoffs: mode,
            groups,
        })
    }

    /// Summarises a raw run.
    pub(crate) fn finish(&self, raw: RawRun) -> BootstrapResult {
        let statistics = (0..raw.stats.len())
            .map(|s| {
                let column: Vec<Option<f64>> = raw.reps.iter().map(|r| r[s]).collect();
                let jack: Vec<Option<f64>> = raw.jack.iter().map(|r| r[s]).collect();
                let accel = jackknife_effects(&jack).map(|e| acceleration(&e));
                self.summary(raw.stats[s].clone(), raw.estimates[s], &column, accel)
            })
            .collect();
        BootstrapResult {
            k: raw.k,
            replicate_count: self.replicates,
            seed: self.seed,
            level: self.level,
            ci: self.ci,
            cutoffs: raw.cutoffs,
            resampling: raw.resampling,
            jackknife_groups: raw.groups,
            weighting: self.weighting.clone(),
            statistics,
        }
    }

    /// One statistic's summary from its replicate column (`None` = undefined in that replicate).
    pub(crate) fn summary(
        &self,
        statistic: Statistic,
        estimate: Option<f64>,
        column: &[Option<f64>],
        accel: Option<f64>,
    ) -> StatisticSummary {
        let replicates: Vec<f64> = column.iter().flatten().copied().collect();
        let undefined_at: Vec<usize> = column
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_none())
            .map(|(b, _)| b)
            .collect();
        let sum = summarize(estimate, &replicates, accel, self.level);
        let mut note = sum.note;
        if estimate.is_none() {
            note = Some("undefined in the full sample".to_string());
        }
        let chosen = match self.ci {
            CiMethod::Percentile => sum.percentile,
            CiMethod::Bca => sum.bca,
        };
        StatisticSummary {
            name: statistic.name(),
            statistic,
            estimate,
            se: sum.se,
            ci_low: chosen.map(|i| i.low),
            ci_high: chosen.map(|i| i.high),
            percentile: sum.percentile,
            bca: sum.bca,
            bias_correction: sum.bias_correction,
            acceleration: accel,
            undefined_replicates: undefined_at.len(),
            undefined_at,
            replicates,
            note,
        }
    }

    /// The configured number of replicates.
    pub fn replicate_count(&self) -> usize {
        self.replicates
    }

    /// The configured confidence level.
    pub fn confidence_level(&self) -> f64 {
        self.level
    }

    /// The configured interval method.
    pub fn ci_method(&self) -> CiMethod {
        self.ci
    }

    /// Whether cluster ids were given to the builder.
    pub(crate) fn has_clusters(&self) -> bool {
        self.clusters.is_some()
    }
}

/// Dense cluster numbers `0..G` in order of first appearance, and `G`.
pub(crate) fn dense_ids<T: Hash + Eq>(ids: &[T]) -> (Vec<u32>, usize) {
    let mut map: HashMap<&T, u32> = HashMap::new();
    let dense = ids
        .iter()
        .map(|id| {
            let next = map.len() as u32;
            *map.entry(id).or_insert(next)
        })
        .collect();
    (dense, map.len())
}

/// Replicate and jackknife values before summarising.
#[derive(Debug, Clone)]
pub(crate) struct RawRun {
    pub(crate) k: usize,
    pub(crate) stats: Vec<Statistic>,
    pub(crate) estimates: Vec<Option<f64>>,
    /// `reps[b][s]`: statistic `s` in replicate `b`.
    pub(crate) reps: Vec<Vec<Option<f64>>>,
    /// `jack[g][s]`: statistic `s` with jackknife group `g` deleted.
    pub(crate) jack: Vec<Vec<Option<f64>>>,
    pub(crate) resampling: Resampling,
    pub(crate) cutoffs: CutoffMode,
    pub(crate) groups: usize,
}

/// The bootstrap distribution of one statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatisticSummary {
    /// What this is.
    pub statistic: Statistic,
    /// Its name ([`Statistic::name`]).
    pub name: String,
    /// The full-sample estimate (`None` if undefined there).
    pub estimate: Option<f64>,
    /// Bootstrap standard error: the standard deviation of the defined replicates.
    pub se: Option<f64>,
    /// Lower bound of the interval chosen with [`Bootstrap::ci`].
    pub ci_low: Option<f64>,
    /// Upper bound of the interval chosen with [`Bootstrap::ci`].
    pub ci_high: Option<f64>,
    /// The percentile interval.
    pub percentile: Option<Interval>,
    /// The BCa interval (`None` with a `note` when it cannot be formed).
    pub bca: Option<Interval>,
    /// The BCa bias correction `z0`.
    pub bias_correction: Option<f64>,
    /// The BCa acceleration `a` (grouped jackknife).
    pub acceleration: Option<f64>,
    /// Replicates in which the statistic was undefined (e.g. an empty parent class).
    pub undefined_replicates: usize,
    /// Their indices (0-based replicate numbers).
    pub undefined_at: Vec<usize>,
    /// The defined replicate values, in replicate order.
    pub replicates: Vec<f64>,
    /// Why something is missing, when it is.
    pub note: Option<String>,
}

impl StatisticSummary {
    /// The replicate values aligned with the replicate numbers (`None` where undefined).
    pub fn replicate_values(&self) -> Vec<Option<f64>> {
        let total = self.replicates.len() + self.undefined_at.len();
        let mut out = Vec::with_capacity(total);
        let mut defined = self.replicates.iter();
        let mut undefined = self.undefined_at.iter().peekable();
        for b in 0..total {
            if undefined.peek() == Some(&&b) {
                undefined.next();
                out.push(None);
            } else {
                out.push(defined.next().copied());
            }
        }
        out
    }
}

/// The result of [`Bootstrap::run`]: one [`StatisticSummary`] per statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapResult {
    /// Number of classes.
    pub k: usize,
    /// Number of bootstrap replicates B.
    pub replicate_count: usize,
    /// The seed.
    pub seed: u64,
    /// Confidence level.
    pub level: f64,
    /// The interval reported as `ci_low`/`ci_high`.
    pub ci: CiMethod,
    /// Whether cut-offs were re-estimated in each replicate.
    pub cutoffs: CutoffMode,
    /// What was resampled.
    pub resampling: Resampling,
    /// Groups of the grouped jackknife used for the BCa acceleration.
    pub jackknife_groups: usize,
    /// The origin weighting of the weighted measures.
    pub weighting: Weighting,
    /// Every statistic, in [`Statistic::all`] order (or the selection's).
    pub statistics: Vec<StatisticSummary>,
}

impl BootstrapResult {
    /// One statistic by name ([`Statistic::name`]: `shorrocks_trace`, `p_1_1`, `persistence_1`).
    pub fn get(&self, name: &str) -> Option<&StatisticSummary> {
        self.statistics.iter().find(|s| s.name == name)
    }

    /// The defined replicate values of a statistic, in replicate order.
    pub fn replicates(&self, name: &str) -> Option<&[f64]> {
        self.get(name).map(|s| s.replicates.as_slice())
    }
}

// ---------------------------------------------------------------------------------------------
// The design: data arranged once for fast replicates
// ---------------------------------------------------------------------------------------------

/// How a replicate's multiplicities are formed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Draw {
    /// Multinomial resampling from stream `stream` of the seed.
    Resample(u64, u64),
    /// Every unit once, except jackknife group `group` of `groups` (deleted).
    DeleteGroup { group: usize, groups: usize },
    /// Every unit once (the full sample).
    #[cfg(test)]
    Full,
    /// Given multiplicities by original unit index (tests).
    #[cfg(test)]
    Given(&'static [u32]),
}

/// Units are numbered `u = 0..n` by their position in the parent sort order.
#[derive(Debug)]
pub(crate) struct Design {
    n: usize,
    k: usize,
    /// Weights by unit.
    weights: Option<Vec<f64>>,
    /// Cluster number by unit, and the number of clusters.
    clusters: Option<(Vec<u32>, usize)>,
    /// Original index of each unit (tests only need it).
    #[cfg_attr(not(test), allow(dead_code))]
    original: Vec<u32>,
    kernel: Kernel,
}

#[derive(Debug)]
enum Kernel {
    Midrank(MidrankKernel),
    /// Cell index `i k + j` of every unit (classes never change).
    Fixed(Vec<u32>),
    Generic(GenericKernel),
}

/// Per-thread buffers, reused across replicates.
pub(crate) struct Scratch {
    m: Vec<u32>,
    cluster_m: Vec<u32>,
    hp: Vec<f64>,
    hc: Vec<f64>,
    pcuts: Vec<u32>,
    ccuts: Vec<u32>,
    cblock_class: Vec<u32>,
    table: Vec<f64>,
    expanded_p: Vec<f64>,
    expanded_c: Vec<f64>,
}

impl Scratch {
    fn new(d: &Design) -> Scratch {
        let (hp, hc) = match &d.kernel {
            Kernel::Midrank(mk) => (
                vec![0.0; mk.pblocks.len() - 1],
                vec![0.0; mk.cblocks.len() - 1],
            ),
            _ => (Vec::new(), Vec::new()),
        };
        Scratch {
            m: vec![0; d.n],
            cluster_m: vec![0; d.clusters.as_ref().map_or(0, |c| c.1)],
            cblock_class: vec![0; hc.len()],
            hp,
            hc,
            pcuts: Vec::with_capacity(d.k),
            ccuts: Vec::with_capacity(d.k),
            table: vec![0.0; d.k * d.k],
            expanded_p: Vec::new(),
            expanded_c: Vec::new(),
        }
    }
}

impl Design {
    fn new(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        clusters: Option<(&[u32], usize)>,
        spec: &ClassSpec,
        tm: &TransitionMatrix,
        mode: CutoffMode,
    ) -> Result<Design> {
        let n = parent.len();
        let k = tm.k;
        let psorted = sorted_keys(parent);
        let original: Vec<u32> = psorted.iter().map(|&(_, i)| i).collect();
        let by_unit = |x: &[f64]| -> Vec<f64> { original.iter().map(|&i| x[i as usize]).collect() };
        let child_u = by_unit(child);
        let kernel = match (spec, mode) {
            (ClassSpec::Quantiles { rule, .. }, CutoffMode::Reestimate) => {
                if *rule == Rule::Midrank {
                    Kernel::Midrank(MidrankKernel::new(
                        psorted.iter().map(|&(key, _)| key).collect(),
                        &child_u,
                    ))
                } else {
                    Kernel::Generic(GenericKernel {
                        rule: *rule,
                        parent: by_unit(parent),
                        child: child_u,
                    })
                }
            }
            _ => {
                let missing = || MobilityError::Undefined {
                    what: "fixed cut-offs".into(),
                    reason: "the full-sample matrix carries no cut-offs".into(),
                };
                let pc = tm.parent_cutoffs.as_ref().ok_or_else(missing)?.classifier();
                let cc = tm.child_cutoffs.as_ref().ok_or_else(missing)?.classifier();
                Kernel::Fixed(
                    psorted
                        .iter()
                        .zip(&child_u)
                        .map(|(&(key, _), &c)| (pc.class0(key) * k + cc.class0(sort_key(c))) as u32)
                        .collect(),
                )
            }
        };
        Ok(Design {
            n,
            k,
            weights: weights.map(by_unit),
            clusters: clusters.map(|(ids, g)| {
                (
                    original.iter().map(|&i| ids[i as usize]).collect::<Vec<u32>>(),
                    g,
                )
            }),
            original,
            kernel,
        })
    }

    /// Fills `s.m` with the multiplicity of every unit.
    pub(crate) fn draw(&self, draw: Draw, s: &mut Scratch) {
        match draw {
            Draw::Resample(seed, stream) => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(stream);
                match &self.clusters {
                    None => {
                        s.m.fill(0);
                        let n = self.n as u32;
                        for _ in 0..self.n {
                            s.m[rng.random_range(0..n) as usize] += 1;
                        }
                    }
                    Some((ids, g)) => {
                        s.cluster_m.fill(0);
                        let g = *g as u32;
                        for _ in 0..g {
                            s.cluster_m[rng.random_range(0..g) as usize] += 1;
                        }
                        for (m, &c) in s.m.iter_mut().zip(ids) {
                            *m = s.cluster_m[c as usize];
                        }
                    }
                }
            }
            Draw::DeleteGroup { group, groups } => match &self.clusters {
                None => s
                    .m
                    .iter_mut()
                    .enumerate()
                    .for_each(|(u, m)| *m = u32::from(u % groups != group)),
                Some((ids, _)) => s
                    .m
                    .iter_mut()
                    .zip(ids)
                    .for_each(|(m, &c)| *m = u32::from(c as usize % groups != group)),
            },
            #[cfg(test)]
            Draw::Full => s.m.fill(1),
            #[cfg(test)]
            Draw::Given(by_original) => {
                for (m, &i) in s.m.iter_mut().zip(&self.original) {
                    *m = by_original[i as usize];
                }
            }
        }
    }

    /// Counts the replicate's `k x k` table into `s.table` from `s.m`.
    pub(crate) fn count(&self, s: &mut Scratch) {
        let m = std::mem::take(&mut s.m);
        match &self.weights {
            None => self.count_with(&Unweighted { m: &m }, s),
            Some(w) => self.count_with(&Weighted { m: &m, w }, s),
        }
        s.m = m;
    }

    fn count_with<V: Values>(&self, v: &V, s: &mut Scratch) {
        s.table.fill(0.0);
        match &self.kernel {
            Kernel::Midrank(mk) => mk.count(self.k, v, s),
            Kernel::Fixed(cells) => {
                for (x, &c) in v.range(0, self.n).zip(cells) {
                    s.table[c as usize] += x;
                }
            }
            Kernel::Generic(g) => g.count(self.k, v, s),
        }
    }
}

/// The replicate weight `v_u = w_u m_u` of a unit.
trait Values {
    fn at(&self, u: usize) -> f64;
    fn range(&self, start: usize, end: usize) -> impl Iterator<Item = f64> + '_;
    fn multiplicity(&self, u: usize) -> u32;
}

struct Unweighted<'a> {
    m: &'a [u32],
}

impl Values for Unweighted<'_> {
    #[inline]
    fn at(&self, u: usize) -> f64 {
        f64::from(self.m[u])
    }
    #[inline]
    fn range(&self, start: usize, end: usize) -> impl Iterator<Item = f64> + '_ {
        self.m[start..end].iter().map(|&x| f64::from(x))
    }
    #[inline]
    fn multiplicity(&self, u: usize) -> u32 {
        self.m[u]
    }
}

struct Weighted<'a> {
    m: &'a [u32],
    w: &'a [f64],
}

impl Values for Weighted<'_> {
    #[inline]
    fn at(&self, u: usize) -> f64 {
        f64::from(self.m[u]) * self.w[u]
    }
    #[inline]
    fn range(&self, start: usize, end: usize) -> impl Iterator<Item = f64> + '_ {
        self.m[start..end]
            .iter()
            .zip(&self.w[start..end])
            .map(|(&x, &w)| f64::from(x) * w)
    }
    #[inline]
    fn multiplicity(&self, u: usize) -> u32 {
        self.m[u]
    }
}

/// Marks a child block that holds a cut (its units are classified one by one).
const BOUNDARY: u32 = u32::MAX;

/// Sorted orders and tie-aligned blocks for the `midrank` rule.
#[derive(Debug)]
struct MidrankKernel {
    /// Parent sort key by unit (units are in parent order).
    pkey: Vec<u64>,
    /// Parent block starts, then `n`.
    pblocks: Vec<u32>,
    /// Child sort key by child position.
    ckey: Vec<u64>,
    /// Unit at each child position.
    corder: Vec<u32>,
    /// Child position of each unit.
    cpos: Vec<u32>,
    /// Child block of each unit.
    cblock: Vec<u16>,
    /// Child block starts, then `n`.
    cblocks: Vec<u32>,
}

/// About `sqrt(n)` positions a block, at least 64, and never more than 60,000 blocks (so a block
/// number fits a `u16`).
fn block_size(n: usize) -> usize {
    ((n as f64).sqrt().ceil() as usize)
        .max(64)
        .max(n.div_ceil(60_000))
}

/// Block starts (then `n`) of about `size` positions whose boundaries never split a tie group.
fn tie_blocks(n: usize, size: usize, key: impl Fn(usize) -> u64) -> Vec<u32> {
    let mut starts = vec![0u32];
    let mut s = 0;
    while s < n {
        let mut e = (s + size).min(n);
        while e < n && key(e) == key(e - 1) {
            e += 1;
        }
        starts.push(e as u32);
        s = e;
    }
    starts
}

/// 0-based class of a sort position: the number of cut positions at or below it.
#[inline]
fn class_of_position(cuts: &[u32], pos: u32) -> usize {
    cuts.iter().map(|&c| usize::from(pos >= c)).sum()
}

impl MidrankKernel {
    fn new(pkey: Vec<u64>, child_by_unit: &[f64]) -> MidrankKernel {
        let n = pkey.len();
        let csorted = sorted_keys(child_by_unit);
        let size = block_size(n);
        let pblocks = tie_blocks(n, size, |i| pkey[i]);
        let cblocks = tie_blocks(n, size, |i| csorted[i].0);
        let mut cpos = vec![0u32; n];
        let mut cblock = vec![0u16; n];
        for (b, w) in cblocks.windows(2).enumerate() {
            for pos in w[0]..w[1] {
                let u = csorted[pos as usize].1 as usize;
                cpos[u] = pos;
                cblock[u] = b as u16;
            }
        }
        let (ckey, corder) = csorted.into_iter().unzip();
        MidrankKernel {
            pkey,
            pblocks,
            ckey,
            corder,
            cpos,
            cblock,
            cblocks,
        }
    }

    fn count<V: Values>(&self, k: usize, v: &V, s: &mut Scratch) {
        // Pass 1: replicate weight per parent block and per child block.
        s.hc.fill(0.0);
        for (b, w) in self.pblocks.windows(2).enumerate() {
            let (st, en) = (w[0] as usize, w[1] as usize);
            let mut acc = 0.0;
            for (x, &cb) in v.range(st, en).zip(&self.cblock[st..en]) {
                acc += x;
                s.hc[cb as usize] += x;
            }
            s.hp[b] = acc;
        }
        let total: f64 = s.hp.iter().sum();
        if total <= 0.0 {
            return; // an all-zero table: every statistic undefined
        }
        // Cut positions on each side.
        resolve_cuts(
            &s.hp,
            &self.pblocks,
            total,
            k,
            |pos| self.pkey[pos],
            |pos| v.at(pos),
            &mut s.pcuts,
        );
        resolve_cuts(
            &s.hc,
            &self.cblocks,
            total,
            k,
            |pos| self.ckey[pos],
            |pos| v.at(self.corder[pos] as usize),
            &mut s.ccuts,
        );
        for (b, w) in self.cblocks.windows(2).enumerate() {
            let lo = class_of_position(&s.ccuts, w[0]);
            let hi = class_of_position(&s.ccuts, w[1] - 1);
            s.cblock_class[b] = if lo == hi { lo as u32 } else { BOUNDARY };
        }
        // Pass 2: the table.
        let ccuts = &s.ccuts;
        let cbc = &s.cblock_class;
        let child_class = |u: usize, cb: u16| -> usize {
            let c = cbc[cb as usize];
            if c == BOUNDARY {
                class_of_position(ccuts, self.cpos[u])
            } else {
                c as usize
            }
        };
        for w in self.pblocks.windows(2) {
            let (st, en) = (w[0] as usize, w[1] as usize);
            let lo = class_of_position(&s.pcuts, w[0]);
            let hi = class_of_position(&s.pcuts, w[1] - 1);
            if lo == hi {
                let row = &mut s.table[lo * k..(lo + 1) * k];
                for ((x, &cb), u) in v.range(st, en).zip(&self.cblock[st..en]).zip(st..) {
                    row[child_class(u, cb)] += x;
                }
            } else {
                for ((x, &cb), u) in v.range(st, en).zip(&self.cblock[st..en]).zip(st..) {
                    let r = class_of_position(&s.pcuts, u as u32);
                    s.table[r * k + child_class(u, cb)] += x;
                }
            }
        }
    }
}

/// The `k - 1` cut positions of one side: class `<= m` iff sort position `< cuts[m-1]`.
///
/// Exactly the `midrank` comparison of `Cutoffs::quantiles`: the tie group `x*` holding the cut
/// satisfies `k W(x < x*) <= m W < k W(x <= x*)`, and the cut includes it iff
/// `k (2 W(x < x*) + W(x = x*)) <= 2 m W`.
fn resolve_cuts(
    hist: &[f64],
    blocks: &[u32],
    total: f64,
    k: usize,
    key: impl Fn(usize) -> u64,
    val: impl Fn(usize) -> f64,
    cuts: &mut Vec<u32>,
) {
    cuts.clear();
    let kf = k as f64;
    let nb = hist.len();
    let n = blocks[nb];
    let mut b = 0;
    let mut cum = 0.0;
    for m in 1..k {
        let t = m as f64 * total;
        while b < nb && kf * (cum + hist[b]) <= t {
            cum += hist[b];
            b += 1;
        }
        if b == nb {
            cuts.push(n); // reachable only by rounding with fractional weights
            continue;
        }
        let (st, en) = (blocks[b] as usize, blocks[b + 1] as usize);
        let mut below = cum;
        let mut pos = st;
        let mut cut = en as u32;
        while pos < en {
            let k0 = key(pos);
            let start = pos;
            let mut tie = 0.0;
            while pos < en && key(pos) == k0 {
                tie += val(pos);
                pos += 1;
            }
            if t < kf * (below + tie) {
                cut = if kf * (2.0 * below + tie) <= 2.0 * t {
                    pos as u32
                } else {
                    start as u32
                };
                break;
            }
            below += tie;
        }
        cuts.push(cut);
    }
}

/// Rules other than `midrank`: expand the replicate by multiplicity and re-run the selection.
#[derive(Debug)]
struct GenericKernel {
    rule: Rule,
    parent: Vec<f64>,
    child: Vec<f64>,
}

impl GenericKernel {
    fn count<V: Values>(&self, k: usize, v: &V, s: &mut Scratch) {
        s.expanded_p.clear();
        s.expanded_c.clear();
        for (u, (&p, &c)) in self.parent.iter().zip(&self.child).enumerate() {
            for _ in 0..v.multiplicity(u) {
                s.expanded_p.push(p);
                s.expanded_c.push(c);
            }
        }
        if s.expanded_p.is_empty() {
            return;
        }
        // The values are finite and k >= 2 (checked on the full sample), and the non-midrank rules
        // are unweighted, so the selection cannot fail here.
        let (Ok(pc), Ok(cc)) = (
            Cutoffs::quantiles(&s.expanded_p, None, k, self.rule),
            Cutoffs::quantiles(&s.expanded_c, None, k, self.rule),
        ) else {
            return;
        };
        let (pc, cc) = (pc.classifier(), cc.classifier());
        for (u, (&p, &c)) in self.parent.iter().zip(&self.child).enumerate() {
            let x = v.at(u);
            if x != 0.0 {
                s.table[pc.class0(sort_key(p)) * k + cc.class0(sort_key(c))] += x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::TransitionCounts;

    /// A deterministic pseudo-random sequence (no RNG dependency in the oracle).
    fn lcg(seed: u64, n: usize) -> Vec<u64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                x >> 33
            })
            .collect()
    }

    fn data(n: usize, ties: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let a = lcg(1, n);
        let b = lcg(2, n);
        let parent: Vec<f64> = a.iter().map(|&x| (x % ties) as f64).collect();
        let child: Vec<f64> = a
            .iter()
            .zip(&b)
            .map(|(&x, &y)| ((x % ties) + (y % ties)) as f64 * 0.5)
            .collect();
        let weights: Vec<f64> = b.iter().map(|&y| (y % 4) as f64).collect();
        (parent, child, weights)
    }

    fn design_table(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        spec: &ClassSpec,
        mode: CutoffMode,
        draw: Draw,
    ) -> Vec<f64> {
        let tm = TransitionMatrix::from_status(parent, child, weights, spec).unwrap();
        let d = Design::new(parent, child, weights, None, spec, &tm, mode).unwrap();
        let mut s = Scratch::new(&d);
        d.draw(draw, &mut s);
        d.count(&mut s);
        s.table
    }

    fn leak(m: Vec<u32>) -> &'static [u32] {
        Box::leak(m.into_boxed_slice())
    }

    #[test]
    fn full_sample_matches_from_status() {
        for (n, ties) in [(7usize, 3u64), (100, 1000), (5000, 17), (5000, 1_000_000), (70_000, 50)] {
            let (p, c, w) = data(n, ties);
            for k in [2usize, 3, 5, 10] {
                for rule in [Rule::Midrank, Rule::Giddy, Rule::StataXtile] {
                    let spec = ClassSpec::Quantiles { k, rule };
                    let want = TransitionCounts::from_status(&p, &c, None, &spec).unwrap();
                    let got = design_table(&p, &c, None, &spec, CutoffMode::Reestimate, Draw::Full);
                    assert_eq!(got, want.counts().iter().copied().collect::<Vec<_>>(), "n={n} k={k} {rule}");
                }
                let spec = ClassSpec::quantiles(k);
                let want = TransitionCounts::from_status(&p, &c, Some(&w), &spec).unwrap();
                let got = design_table(&p, &c, Some(&w), &spec, CutoffMode::Reestimate, Draw::Full);
                assert_eq!(got, want.counts().iter().copied().collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn replicate_matches_weights_times_multiplicity() {
        // The fast kernel on multiplicities m equals from_status with weights w m (whole-number
        // weights: exact), for heavy ties, no ties, and zero weights.
        for (n, ties) in [(50usize, 4u64), (3000, 25), (3000, 1_000_000), (40_000, 300)] {
            let (p, c, w) = data(n, ties);
            for seed in 0..4u64 {
                let m: Vec<u32> = lcg(10 + seed, n).iter().map(|&x| (x % 3) as u32).collect();
                let m = leak(m);
                for k in [2usize, 4, 10] {
                    let spec = ClassSpec::quantiles(k);
                    let wm: Vec<f64> = m.iter().map(|&x| f64::from(x)).collect();
                    let want = TransitionCounts::from_status(&p, &c, Some(&wm), &spec).unwrap();
                    let got =
                        design_table(&p, &c, None, &spec, CutoffMode::Reestimate, Draw::Given(m));
                    assert_eq!(got, want.counts().iter().copied().collect::<Vec<_>>());
                    let wm: Vec<f64> = m.iter().zip(&w).map(|(&x, &w)| f64::from(x) * w).collect();
                    if wm.iter().sum::<f64>() > 0.0 {
                        let want =
                            TransitionCounts::from_status(&p, &c, Some(&wm), &spec).unwrap();
                        let got = design_table(
                            &p,
                            &c,
                            Some(&w),
                            &spec,
                            CutoffMode::Reestimate,
                            Draw::Given(m),
                        );
                        assert_eq!(got, want.counts().iter().copied().collect::<Vec<_>>());
                    }
                }
                // generic rules: the expanded sample
                let spec = ClassSpec::Quantiles { k: 5, rule: Rule::Giddy };
                let mut ep = Vec::new();
                let mut ec = Vec::new();
                for i in 0..n {
                    for _ in 0..m[i] {
                        ep.push(p[i]);
                        ec.push(c[i]);
                    }
                }
                let want = TransitionCounts::from_status(&ep, &ec, None, &spec).unwrap();
                let got = design_table(&p, &c, None, &spec, CutoffMode::Reestimate, Draw::Given(m));
                assert_eq!(got, want.counts().iter().copied().collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn fixed_mode_keeps_full_sample_classes() {
        let (p, c, _) = data(2000, 1_000_000);
        let m = leak(lcg(5, 2000).iter().map(|&x| (x % 3) as u32).collect());
        let spec = ClassSpec::quantiles(5);
        let tm = TransitionMatrix::from_status(&p, &c, None, &spec).unwrap();
        let fixed = ClassSpec::Cutoffs {
            parent: tm.parent_cutoffs.clone().unwrap(),
            child: tm.child_cutoffs.clone().unwrap(),
        };
        let wm: Vec<f64> = m.iter().map(|&x| f64::from(x)).collect();
        let want = TransitionCounts::from_status(&p, &c, Some(&wm), &fixed).unwrap();
        let got = design_table(&p, &c, None, &spec, CutoffMode::Fixed, Draw::Given(m));
        assert_eq!(got, want.counts().iter().copied().collect::<Vec<_>>());
    }

    #[test]
    fn blocks_never_split_ties() {
        let keys: Vec<u64> = (0..1000).map(|i| i / 100).collect();
        let b = tie_blocks(1000, 64, |i| keys[i]);
        for &s in &b[1..b.len() - 1] {
            assert_ne!(keys[s as usize], keys[s as usize - 1]);
        }
        assert_eq!(*b.last().unwrap(), 1000);
    }

    #[test]
    fn dense_cluster_ids() {
        let (d, g) = dense_ids(&["b", "a", "b", "c"]);
        assert_eq!(d, vec![0, 1, 0, 2]);
        assert_eq!(g, 3);
    }
}
