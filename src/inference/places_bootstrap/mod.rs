//! Standard errors and the joint covariance of every place's measure, from microdata with a place
//! column: the **joint places bootstrap** and the cheaper **independent-places** bootstrap.
//!
//! Places are measured against **national** cut-offs and ranks estimated from the same sample, so
//! their estimates share that estimation noise and are correlated. The joint bootstrap resamples
//! the whole sample (units, or whole clusters), re-estimates the national cut-offs (and national
//! ranks) in every replicate and recomputes every place's measure on them:
//!
//! ```text
//! replicate b:  m ~ Multinomial(n; 1/n, ..., 1/n) over units (or clusters), v_u = w_u m_u
//!               national cut-offs and mid-ranks re-estimated on the weights v
//!               n^g_ij(b) = sum_{u in g} v_u [c_p(u) = i][c_c(u) = j]  ->  theta_g(b)
//! se_g        = sd_b theta_g(b)
//! Sigma_gh    = cov_b(theta_g(b), theta_h(b))   (over the replicates where both are defined)
//! ```
//!
//! The independent bootstrap resamples each place's own units (`n_g` draws with replacement
//! within place `g`, independently across places) with the national cut-offs and ranks fixed at
//! their full-sample values; its covariance is diagonal.
//!
//! # Which one is right
//! - **Joint** when the places together make up the sample the national cut-offs come from (the
//!   usual case: a national survey or register split by place). It is the only one giving the
//!   covariance, and it is what rank confidence sets need when places are large relative to the
//!   nation (a region of a country, a handful of states), because then a place's own units move
//!   the national cut-offs and nearby places move together. Use it also when the sampling design
//!   is clustered (households, schools) across places: resample the clusters.
//! - **Independent** when every place is a small share of the national sample (hundreds of
//!   commuting zones or constituencies): the national cut-offs are then estimated far more
//!   precisely than any place's measure, the cross-place covariance is of order `n_g / n`, and
//!   per-place sampling noise is all that matters. It is also right when places are sampled
//!   separately (a stratified design with fixed place sizes), where the joint bootstrap would
//!   wrongly let place sizes vary. Its standard errors ignore the noise of the national
//!   cut-offs, so they are slightly small when places are large.
//!
//! # Measures
//! Any matrix measure of the registry ([`Measure`](crate::registry::Measure)) on the place's matrix over national classes,
//! the levelling-up score, structural and exchange mobility ([`crate::places::levelling`]), and the
//! rank-rank slope, intercept and absolute upward mobility of the place on national ranks
//! ([`PlaceMeasure`]). Full-sample estimates equal those of [`crate::places::groups::by_group`] with the
//! national basis.
//!
//! # Performance
//! Both variables are sorted once; a replicate is the engine's multinomial draw and cut search
//! ([`crate::inference::bootstrap`]) plus one pass scattering each drawn unit's weight into its
//! place's `k x k` table, `O(n + places k^2)`. See [`places_bootstrap`] for measured times.
//!
//! # Files
//! `mod.rs` (options, results, [`places_bootstrap`]), `measure.rs` ([`PlaceMeasure`]),
//! `layout.rs` (the data in the engine's unit order, per-place sums, the joint and independent
//! replicates), `moments.rs` (standard errors and the pairwise-complete covariance).

mod layout;
mod measure;
mod moments;
#[cfg(test)]
mod tests;

use std::fmt::Debug;
use std::hash::Hash;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bootstrap::{CutoffMode, Design, Resampling, check_resampled, dense_ids, dense_labels};
use super::{Evaluator, Statistic};
use crate::error::{
    MobilityError, Parameter, Result, check_finite, check_k, check_same_length, check_weights,
};
use crate::matrix::{ClassSpec, TransitionMatrix};
use crate::measures::Weighting;
use crate::rank::{Rule, check_index_range};
use layout::{Acc, Layout, full_sample, independent_replicate, joint_replicate};
use moments::moments;

pub use measure::PlaceMeasure;

/// Joint (whole-sample) or independent (within-place) resampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PlaceResampling {
    /// Resample the whole sample (or its clusters), re-estimate national cut-offs and ranks.
    #[default]
    Joint,
    /// Resample each place's units separately, national cut-offs and ranks fixed.
    Independent,
}

crate::error::named_enum!(PlaceResampling, Kind, "places resampling", {
    Joint => "joint",
    Independent => "independent",
});

/// Options of [`places_bootstrap`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacesBootstrapOptions {
    /// Number of national classes.
    pub k: usize,
    /// Tie rule of the national quantile classes (the joint bootstrap with re-estimated cut-offs
    /// needs `midrank`).
    pub rule: Rule,
    /// The measure.
    pub measure: PlaceMeasure,
    /// Origin weights of the matrix measures.
    pub weighting: Weighting,
    /// Number of replicates `B` (at least 2).
    pub replicates: usize,
    /// Seed of the random streams (replicate `b` uses ChaCha8 stream `b`).
    pub seed: u64,
    /// Joint or independent.
    pub resampling: PlaceResampling,
    /// Joint only: re-estimate the national cut-offs and ranks (default) or keep them fixed.
    pub cutoffs: CutoffMode,
    /// Return the `p x p` covariance matrix (joint: `p^2` numbers; default true).
    pub covariance: bool,
    /// Counts each finished replicate (a progress display; not part of the settings).
    #[serde(skip)]
    pub progress: Option<crate::progress::ProgressCounter>,
}

impl PlacesBootstrapOptions {
    /// `k` national classes, the `midrank` rule, joint resampling with re-estimated cut-offs,
    /// `B` replicates, seed 0, parent-share weighting, the covariance returned.
    pub fn new(k: usize, measure: PlaceMeasure, replicates: usize) -> PlacesBootstrapOptions {
        PlacesBootstrapOptions {
            k,
            rule: Rule::Midrank,
            measure,
            weighting: Weighting::ParentShares,
            replicates,
            seed: 0,
            resampling: PlaceResampling::Joint,
            cutoffs: CutoffMode::Reestimate,
            covariance: true,
            progress: None,
        }
    }
}

/// One place's estimate and bootstrap standard error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceEstimate<G> {
    /// The place label.
    pub place: G,
    /// Rows of microdata.
    pub units: usize,
    /// Total weight (`units` without weights).
    pub weight: f64,
    /// The full-sample estimate (`None` where undefined, e.g. no parent in the bottom class).
    pub estimate: Option<f64>,
    /// Bootstrap standard error (`None` with fewer than 2 defined replicates).
    pub se: Option<f64>,
    /// Replicates in which the measure was undefined for this place.
    pub undefined_replicates: usize,
}

/// The result of [`places_bootstrap`]: one row per place (in label order) and the covariance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacesBootstrap<G> {
    /// The measure.
    pub measure: PlaceMeasure,
    /// Number of national classes.
    pub k: usize,
    /// Joint or independent.
    pub resampling: PlaceResampling,
    /// Whether the national cut-offs and ranks were re-estimated in each replicate.
    pub cutoffs: CutoffMode,
    /// Units or clusters resampled (joint), or units within places (independent).
    pub units: Resampling,
    /// Number of replicates.
    pub replicates: usize,
    /// Seed.
    pub seed: u64,
    /// One row per place with positive weight, in label order.
    pub places: Vec<PlaceEstimate<G>>,
    /// The `p x p` bootstrap covariance of the places' estimates (rows and columns in the order
    /// of `places`), over the replicates where both are defined; `None` when not asked for. An
    /// entry is 0 where fewer than 2 replicates define both places (their SE is then `None`).
    /// Independent resampling: diagonal.
    pub covariance: Option<Vec<Vec<f64>>>,
}

impl<G> PlacesBootstrap<G> {
    /// The covariance as an ndarray matrix (`None` when not computed).
    pub fn covariance_matrix(&self) -> Option<ndarray::Array2<f64>> {
        let c = self.covariance.as_ref()?;
        let p = c.len();
        Some(ndarray::Array2::from_shape_fn((p, p), |(a, b)| c[a][b]))
    }
}

/// Standard errors and the joint covariance of every place's measure, by the joint (whole-sample)
/// or the independent (within-place) bootstrap.
///
/// # Formula
/// ```text
/// joint:        m ~ Multinomial(n; 1/n, ...) over units (or clusters), v_u = w_u m_u;
///               national cut-offs and mid-ranks r_p, r_c re-estimated on v (or kept);
///               n^g_ij = sum_{u in g} v_u [c_p(u) = i][c_c(u) = j];  theta_g(b) = theta(n^g(b))
///               rank measures: weighted OLS of r_c on r_p within g (weights v)
/// independent:  n_g draws with replacement from place g's own units, national classes and ranks
///               fixed at the full sample's
/// se_g = sd_b theta_g(b);  Sigma_gh = cov_b(theta_g(b), theta_h(b)) (pairwise-complete)
/// ```
///
/// # Errors
/// Empty input; lengths of `child`, `weights`, `places` or `clusters` that differ from `parent`;
/// NaN or infinite status; bad weights; `k < 2`; fewer than 2 replicates; weights with a rule
/// other than `midrank`; the joint bootstrap with re-estimated cut-offs and a rule other than
/// `midrank` (use `CutoffMode::Fixed` or the independent bootstrap); clusters with the
/// independent bootstrap; fewer than 2 units or clusters.
///
/// # Complexity
/// Two sorts once; per replicate `O(n + p k^2)` plus the measure on each place's table;
/// replicates in parallel, bit-identical for any number of threads. The covariance costs
/// `O(B p^2)` (matrix products). Measured (`benches/ranking.rs`, 2 shared cores, under load):
/// see the README and the report of issue 11.
///
/// # Example
/// ```
/// use mobility::inference::places_bootstrap::{
///     PlaceMeasure, PlacesBootstrapOptions, places_bootstrap,
/// };
/// let n = 2000;
/// let parent: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64).collect();
/// let child: Vec<f64> = parent.iter().enumerate().map(|(i, p)| p + ((i * 31) % 700) as f64).collect();
/// let place: Vec<u32> = (0..n).map(|i| (i % 4) as u32).collect();
/// let options = PlacesBootstrapOptions::new(4, PlaceMeasure::LevellingUp, 50);
/// let r = places_bootstrap(&parent, &child, None, &place, None::<&[u32]>, &options).unwrap();
/// assert_eq!(r.places.len(), 4);
/// assert!(r.places.iter().all(|p| p.se.unwrap() > 0.0));
/// assert_eq!(r.covariance.unwrap().len(), 4);
/// ```
pub fn places_bootstrap<G, C>(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    places: &[G],
    clusters: Option<&[C]>,
    options: &PlacesBootstrapOptions,
) -> Result<PlacesBootstrap<G>>
where
    G: Clone + Eq + Hash + Ord + Debug + Send + Sync,
    C: Ord,
{
    let k = options.k;
    check_k(k)?;
    check_finite(parent, "parent status")?;
    check_same_length(parent.len(), child.len(), "child status")?;
    check_finite(child, "child status")?;
    check_same_length(parent.len(), places.len(), "places")?;
    check_index_range(parent.len())?;
    check_weights(weights, parent.len())?;
    if options.replicates < 2 {
        return Err(MobilityError::invalid(
            Parameter::Replicates,
            format!(
                "{} bootstrap replicates; at least 2 are needed",
                options.replicates
            ),
        ));
    }
    if k * k > usize::from(u16::MAX) {
        return Err(MobilityError::invalid(
            Parameter::NumberOfClasses,
            format!("{k} classes; the places bootstrap allows at most 255"),
        ));
    }
    let n = parent.len();
    let joint = options.resampling == PlaceResampling::Joint;
    let mode = if joint {
        options.cutoffs
    } else {
        CutoffMode::Fixed
    };
    if joint && mode == CutoffMode::Reestimate && options.rule != Rule::Midrank {
        return Err(MobilityError::invalid(
            Parameter::Rule,
            format!(
                "the joint places bootstrap re-estimates cut-offs with the midrank rule only (got \
                 {}); keep the cut-offs fixed or resample places independently",
                options.rule
            ),
        ));
    }
    let dense =
        clusters.map(|c| check_same_length(n, c.len(), "cluster ids").map(|()| dense_ids(c)));
    let dense = dense.transpose()?;
    if dense.is_some() && !joint {
        return Err(MobilityError::invalid(
            Parameter::Clusters,
            "clusters are resampled by the joint bootstrap only",
        ));
    }
    let dense_ref = dense.as_ref().map(|(c, g)| (c.as_slice(), *g));
    check_resampled(n, dense_ref)?;
    let spec = ClassSpec::Quantiles {
        k,
        rule: options.rule,
    };
    let tm = TransitionMatrix::from_status(parent, child, weights, &spec)?;
    let design = Design::new(parent, child, weights, dense_ref, &spec, &tm, mode)?;

    // Dense place ids in label order.
    let (place_by_row, labels) = dense_labels(places);
    let np = labels.len();
    let layout = Layout::new(&design, &tm, parent, child, weights, &place_by_row, np);
    let measure = options.measure;
    let ranks = measure.needs_ranks();
    let evaluator = match measure {
        PlaceMeasure::Matrix(m) => Some(Evaluator::new(
            k,
            options.weighting.clone(),
            vec![Statistic::Measure { name: m }],
        )),
        _ => None,
    };
    let evaluator = evaluator.as_ref();

    // Full sample.
    let mut acc = Acc::new(np, k, n, ranks);
    full_sample(&layout, &mut acc);
    let estimates = layout.values(measure, evaluator, &acc, np);
    let units: Vec<usize> = (0..np)
        .map(|g| layout.start[g + 1] - layout.start[g])
        .collect();
    let weight_of: Vec<f64> = {
        let mut s = vec![0.0; np];
        layout
            .place
            .iter()
            .zip(&layout.w)
            .for_each(|(&g, &w)| s[g as usize] += w);
        s
    };

    let b = options.replicates;
    let seed = options.seed;
    let reps: Vec<Vec<Option<f64>>> = (0..b)
        .into_par_iter()
        .map_init(
            || (design.scratch(), Acc::new(np, k, n, ranks)),
            |(s, acc), r| {
                acc.clear();
                let ok = if joint {
                    joint_replicate(&layout, &design, s, acc, seed, r as u64, mode)
                } else {
                    independent_replicate(&layout, acc, seed, r as u64, ranks);
                    true
                };
                let values = if ok {
                    layout.values(measure, evaluator, acc, np)
                } else {
                    vec![None; np]
                };
                options.progress.as_ref().inspect(|p| p.tick());
                values
            },
        )
        .collect();

    let (se, cov) = moments(&reps, np, options.covariance, joint);
    let rows: Vec<PlaceEstimate<G>> = (0..np)
        .map(|g| PlaceEstimate {
            place: labels[g].clone(),
            units: units[g],
            weight: weight_of[g],
            estimate: estimates[g],
            se: se[g],
            undefined_replicates: reps.iter().filter(|r| r[g].is_none()).count(),
        })
        .collect();
    // places with zero total weight have no matrix: left out, as by_group does
    let keep: Vec<usize> = (0..np).filter(|&g| weight_of[g] > 0.0).collect();
    let covariance = cov.map(|c| {
        keep.iter()
            .map(|&a| keep.iter().map(|&b| c[a * np + b]).collect())
            .collect()
    });
    let places_out = keep.iter().map(|&g| rows[g].clone()).collect();
    Ok(PlacesBootstrap {
        measure,
        k,
        resampling: options.resampling,
        cutoffs: mode,
        units: Resampling::new(n, dense.as_ref().map(|(_, g)| *g)),
        replicates: b,
        seed,
        places: places_out,
        covariance,
    })
}
