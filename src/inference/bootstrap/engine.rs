//! Running a bootstrap: the checks, the replicates and the grouped jackknife, in parallel.

use rayon::prelude::*;

use super::design::{Design, Scratch};
use super::draw::Draw;
use super::{Bootstrap, CutoffMode, Resampling};
use crate::error::{MobilityError, Result, check_same_length, check_weights};
use crate::inference::{Evaluator, Statistic, check_level};
use crate::matrix::{ClassSpec, TransitionMatrix};
use crate::measures::Weighting;
use crate::rank::check_status_pairs;
use crate::weights::WeightKind;

impl Bootstrap {
    /// The checks of the configuration every bootstrap of the crate shares: the number of
    /// replicates ([`crate::limits::check_replicates`]), the level, at least 2 jackknife groups.
    pub(crate) fn check_settings(&self) -> Result<()> {
        crate::limits::check_replicates(self.replicates)?;
        check_level(self.level)?;
        if self.jackknife_groups < 2 {
            return Err(MobilityError::invalid(
                crate::error::Parameter::JackknifeGroups,
                format!("{} groups; at least 2 are needed", self.jackknife_groups),
            ));
        }
        Ok(())
    }

    /// Whether a replicate draws the `round(W)` units that frequency weights stand for, rather
    /// than resampling records or clusters: frequency weights, and a run without clusters.
    /// `clustered` is whether this run has clusters: the run's own, which may differ from the
    /// builder's (a comparison passes each group's).
    pub(crate) fn draws_frequencies(&self, clustered: bool) -> bool {
        self.weight_kind == WeightKind::Frequency && !clustered
    }

    /// The replicates of this bootstrap over `resampled` units or clusters, replicate `r` from
    /// stream `stream_base + r`: its replicate count, seed and progress counter, and its
    /// jackknife groups capped at `resampled`.
    pub(crate) fn runs(&self, stream_base: u64, resampled: usize) -> Runs<'_> {
        Runs {
            replicates: self.replicates,
            seed: self.seed,
            stream_base,
            groups: self.jackknife_groups.min(resampled),
            progress: self.progress_counter(),
        }
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
        self.check_settings()?;
        check_status_pairs(parent, child)?;
        let relative = crate::rank::relative_weights(weights, parent.len())?;
        let weights = relative.as_deref();
        check_weights(weights, parent.len())?;
        let n = parent.len();
        let resampled = check_resampled(n, clusters)?;
        let tm = TransitionMatrix::from_status(parent, child, weights, spec)?;
        let k = tm.k();
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
        let mut design = Design::new(parent, child, weights, clusters, spec, &tm, mode)?;
        if self.draws_frequencies(clusters.is_some()) {
            design.use_frequency_draws(relative.shift);
        }
        let runs = self.runs(stream_base, resampled);
        let groups = runs.groups;
        let (reps, jack) = run_replicates(
            &design,
            runs,
            || (),
            |s, ()| {
                design.count(s);
                evaluator.eval_counts(&s.table)
            },
        );
        Ok(RawRun {
            k,
            stats: evaluator.stats,
            estimates,
            reps,
            jack,
            resampling: Resampling::new(n, clusters.map(|(_, g)| g)),
            cutoffs: mode,
            groups,
        })
    }
}

/// Checks the cluster ids' length and that at least 2 units (or clusters) are resampled; returns
/// their number.
pub(crate) fn check_resampled(n: usize, clusters: Option<(&[u32], usize)>) -> Result<usize> {
    if let Some((ids, _)) = clusters {
        check_same_length(n, ids.len(), "cluster ids")?;
    }
    let resampled = clusters.map_or(n, |(_, g)| g);
    if resampled < 2 {
        return Err(MobilityError::invalid(
            if clusters.is_some() {
                crate::error::Parameter::Clusters
            } else {
                crate::error::Parameter::Status
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
    Ok(resampled)
}

/// What [`run_replicates`] runs: `replicates` draws from streams `stream_base + r` of `seed`,
/// `groups` jackknife deletions, each counted on `progress`.
#[derive(Clone, Copy)]
pub(crate) struct Runs<'a> {
    pub(crate) replicates: usize,
    pub(crate) seed: u64,
    pub(crate) stream_base: u64,
    pub(crate) groups: usize,
    pub(crate) progress: Option<&'a crate::progress::ProgressCounter>,
}

/// Statistic values by replicate (or jackknife group): `values[b][s]`, `None` where undefined.
pub(crate) type ReplicateValues = Vec<Vec<Option<f64>>>;

/// The values of `eval` in `replicates` bootstrap replicates (replicate `r` draws from ChaCha8
/// stream `stream_base + r` of `seed`) and with each of `groups` jackknife groups deleted:
/// `(reps[b][s], jack[g][s])`. `eval` reads the replicate's multiplicities from the scratch
/// (counting its table with [`Design::count`] when it needs one); `init` makes its per-thread
/// buffers; `progress` counts each replicate and group done.
///
/// # Complexity
/// `replicates + groups` draws and evaluations, in parallel; each replicate is computed
/// sequentially from its own stream, so the values are bit-identical for any number of threads.
pub(crate) fn run_replicates<T, I, F>(
    design: &Design,
    runs: Runs<'_>,
    init: I,
    eval: F,
) -> (ReplicateValues, ReplicateValues)
where
    I: Fn() -> T + Sync + Send,
    F: Fn(&mut Scratch, &mut T) -> Vec<Option<f64>> + Sync + Send,
{
    let Runs {
        replicates,
        seed,
        stream_base,
        groups,
        progress,
    } = runs;
    let reps = (0..replicates)
        .into_par_iter()
        .map_init(
            || (Scratch::new(design), init()),
            |(s, buf), r| {
                let stream = stream_base + r as u64;
                design.draw(Draw::Resample { seed, stream }, s);
                let values = eval(s, buf);
                progress.inspect(|p| p.tick());
                values
            },
        )
        .collect();
    let jack = (0..groups)
        .into_par_iter()
        .map_init(
            || (Scratch::new(design), init()),
            |(s, buf), g| {
                design.draw(Draw::DeleteGroup { group: g, groups }, s);
                let values = eval(s, buf);
                progress.inspect(|p| p.tick());
                values
            },
        )
        .collect();
    (reps, jack)
}

/// Replicate and jackknife values before summarising.
#[derive(Debug, Clone)]
pub(crate) struct RawRun {
    pub(crate) k: usize,
    pub(crate) stats: Vec<Statistic>,
    pub(crate) estimates: Vec<Option<f64>>,
    /// `reps[b][s]`: statistic `s` in replicate `b`.
    pub(crate) reps: ReplicateValues,
    /// `jack[g][s]`: statistic `s` with jackknife group `g` deleted.
    pub(crate) jack: ReplicateValues,
    pub(crate) resampling: Resampling,
    pub(crate) cutoffs: CutoffMode,
    pub(crate) groups: usize,
}
