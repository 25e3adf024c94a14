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
//! Any matrix measure of the registry ([`Measure`]) on the place's matrix over national classes,
//! the levelling-up score, structural and exchange mobility ([`crate::levelling`]), and the
//! rank-rank slope, intercept and absolute upward mobility of the place on national ranks
//! ([`PlaceMeasure`]). Full-sample estimates equal those of [`crate::groups::by_group`] with the
//! national basis.
//!
//! # Performance
//! Both variables are sorted once; a replicate is the engine's multinomial draw and cut search
//! ([`crate::inference::bootstrap`]) plus one pass scattering each drawn unit's weight into its
//! place's `k x k` table, `O(n + places k^2)`. See [`places_bootstrap`] for measured times.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;

use faer::Mat;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bootstrap::{CutoffMode, Design, Draw, Resampling, check_resampled, dense_ids};
use super::{Evaluator, Statistic, standard_deviation};
use crate::error::{
    MobilityError, Parameter, Result, check_finite, check_k, check_same_length, check_weights,
};
use crate::matrix::{ClassSpec, TransitionMatrix};
use crate::measures::Weighting;
use crate::rank::{Rule, check_index_range, sort_key, sorted_keys};
use crate::registry::Measure;

/// A place-level measure the places bootstrap (and the places ranking) can report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceMeasure {
    /// A matrix measure of the place's matrix over national classes.
    Matrix(Measure),
    /// Mean national class of children minus that of parents ([`crate::levelling::Levelling`]).
    LevellingUp,
    /// Structural mobility `1/2 sum_i |f_i. - f_.i|` over national classes.
    Structural,
    /// Exchange mobility `T - S`.
    Exchange,
    /// Rank-rank slope on national ranks.
    RankRankSlope,
    /// Rank-rank intercept on national ranks (0-100).
    RankRankIntercept,
    /// Absolute upward mobility on national ranks: expected child rank (0-100) at parent rank 25.
    AbsoluteUpwardMobility,
    /// Correlation of parents' and children's national ranks within the place (Pearson on the
    /// national mid-ranks; Spearman's rho when the place is the whole nation).
    NationalRankCorrelation,
}

impl PlaceMeasure {
    /// The names of the measures that are not matrix measures.
    pub const OTHER_NAMES: [&'static str; 7] = [
        "levelling_up",
        "structural",
        "exchange",
        "rank_rank_slope",
        "rank_rank_intercept",
        "absolute_upward_mobility",
        "national_rank_correlation",
    ];

    /// The snake_case name (a registry name for matrix and rank measures).
    pub fn name(self) -> &'static str {
        match self {
            PlaceMeasure::Matrix(m) => m.name(),
            PlaceMeasure::LevellingUp => "levelling_up",
            PlaceMeasure::Structural => "structural",
            PlaceMeasure::Exchange => "exchange",
            PlaceMeasure::RankRankSlope => "rank_rank_slope",
            PlaceMeasure::RankRankIntercept => "rank_rank_intercept",
            PlaceMeasure::AbsoluteUpwardMobility => "absolute_upward_mobility",
            PlaceMeasure::NationalRankCorrelation => "national_rank_correlation",
        }
    }

    /// A line in plain language.
    pub fn description(self) -> &'static str {
        match self {
            PlaceMeasure::Matrix(m) => m.info().description,
            PlaceMeasure::LevellingUp => {
                "levelling up: mean national class of children minus that of parents"
            }
            PlaceMeasure::Structural => "structural mobility: forced by the change of class shares",
            PlaceMeasure::Exchange => "exchange mobility: reshuffling beyond the change of shares",
            PlaceMeasure::RankRankSlope => {
                "how much a child's national rank rises with the parent's (0 = not at all)"
            }
            PlaceMeasure::RankRankIntercept => {
                "expected national rank (0-100) of a child whose parents rank at 0"
            }
            PlaceMeasure::AbsoluteUpwardMobility => {
                "expected national rank (0-100) of a child whose parents rank at 25"
            }
            PlaceMeasure::NationalRankCorrelation => {
                "correlation of parents' and children's national ranks within the place"
            }
        }
    }

    fn needs_ranks(self) -> bool {
        matches!(
            self,
            PlaceMeasure::RankRankSlope
                | PlaceMeasure::RankRankIntercept
                | PlaceMeasure::AbsoluteUpwardMobility
                | PlaceMeasure::NationalRankCorrelation
        )
    }
}

impl std::fmt::Display for PlaceMeasure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for PlaceMeasure {
    type Err = MobilityError;

    /// A matrix measure name, or `levelling_up`, `structural`, `exchange`, `rank_rank_slope`,
    /// `rank_rank_intercept`, `absolute_upward_mobility`, `national_rank_correlation` (`-` accepted for `_`, any case).
    fn from_str(s: &str) -> Result<PlaceMeasure> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        if let Ok(m) = norm.parse::<Measure>() {
            return Ok(PlaceMeasure::Matrix(m));
        }
        let other = [
            PlaceMeasure::LevellingUp,
            PlaceMeasure::Structural,
            PlaceMeasure::Exchange,
            PlaceMeasure::RankRankSlope,
            PlaceMeasure::RankRankIntercept,
            PlaceMeasure::AbsoluteUpwardMobility,
            PlaceMeasure::NationalRankCorrelation,
        ];
        other
            .into_iter()
            .find(|m| {
                m.name() == norm || (norm == "aum" && *m == PlaceMeasure::AbsoluteUpwardMobility)
            })
            .ok_or_else(|| MobilityError::UnknownName {
                parameter: Parameter::Measure,
                given: s.to_string(),
                expected: Measure::ALL
                    .iter()
                    .map(|m| m.name().to_string())
                    .chain(PlaceMeasure::OTHER_NAMES.iter().map(|n| n.to_string()))
                    .collect(),
                what: "place measure".to_string(),
            })
    }
}

impl Serialize for PlaceMeasure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for PlaceMeasure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

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

/// The data arranged once: units in parent sort order (the engine's numbering).
struct Layout {
    n: usize,
    k: usize,
    /// Place of each unit.
    place: Vec<u32>,
    /// Weight of each unit (1 without weights).
    w: Vec<f64>,
    /// Full-sample national 0-based cell `i k + j` of each unit.
    cell: Vec<u16>,
    /// Child sort position of each unit, and the unit at each child position.
    cpos: Vec<u32>,
    corder: Vec<u32>,
    /// Tie-group starts in parent order (units) and child order (positions), with `n` at the end.
    ptie: Vec<u32>,
    ctie: Vec<u32>,
    /// Full-sample national mid-ranks of each unit (parent, child).
    rp: Vec<f64>,
    rc: Vec<f64>,
    /// Units of each place (contiguous), for the independent bootstrap.
    members: Vec<u32>,
    start: Vec<usize>,
}

/// Per-place sums of one replicate.
struct Acc {
    counts: Vec<f64>,
    /// Per place: sum v, sum v rp, sum v rc, sum v rp^2, sum v rp rc, sum v rc^2.
    ranks: Vec<[f64; 6]>,
    cclass: Vec<u8>,
    rp: Vec<f64>,
    rc_pos: Vec<f64>,
}

impl Acc {
    fn new(places: usize, k: usize, n: usize, ranks: bool) -> Acc {
        Acc {
            counts: vec![0.0; places * k * k],
            ranks: if ranks {
                vec![[0.0; 6]; places]
            } else {
                Vec::new()
            },
            cclass: vec![0; n],
            rp: if ranks { vec![0.0; n] } else { Vec::new() },
            rc_pos: if ranks { vec![0.0; n] } else { Vec::new() },
        }
    }

    fn clear(&mut self) {
        self.counts.fill(0.0);
        self.ranks.iter_mut().for_each(|r| *r = [0.0; 6]);
    }
}

/// Tie-group starts of a sorted key sequence, with `n` at the end.
fn tie_starts(n: usize, key: impl Fn(usize) -> u64) -> Vec<u32> {
    let mut out = Vec::new();
    for i in 0..n {
        if i == 0 || key(i) != key(i - 1) {
            out.push(i as u32);
        }
    }
    out.push(n as u32);
    out
}

/// Mid-ranks `(W(<) + W(=)/2) / W` over tie groups of an order; `val(pos)` the weight at a
/// position, `out[pos]` the rank.
fn midranks(ties: &[u32], total: f64, val: impl Fn(usize) -> f64, out: &mut [f64]) {
    let mut below = 0.0;
    for g in ties.windows(2) {
        let (a, b) = (g[0] as usize, g[1] as usize);
        let tie: f64 = (a..b).map(&val).sum();
        let r = (below + tie / 2.0) / total;
        out[a..b].fill(r);
        below += tie;
    }
}

impl Layout {
    /// One place's measure from its table (and rank sums).
    fn evaluate(
        &self,
        measure: PlaceMeasure,
        evaluator: Option<&Evaluator>,
        counts: &[f64],
        ranks: Option<&[f64; 6]>,
    ) -> Option<f64> {
        let k = self.k;
        let total: f64 = counts.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let value = match measure {
            PlaceMeasure::Matrix(_) => evaluator.and_then(|e| e.eval_counts(counts)[0]),
            PlaceMeasure::LevellingUp | PlaceMeasure::Structural | PlaceMeasure::Exchange => {
                let mut rows = vec![0.0; k];
                let mut cols = vec![0.0; k];
                let mut diag = 0.0;
                for i in 0..k {
                    for j in 0..k {
                        let f = counts[i * k + j] / total;
                        rows[i] += f;
                        cols[j] += f;
                        if i == j {
                            diag += f;
                        }
                    }
                }
                let t = (1.0 - diag).max(0.0);
                let s = (0.5
                    * rows
                        .iter()
                        .zip(&cols)
                        .map(|(a, b)| (a - b).abs())
                        .sum::<f64>())
                .min(t);
                match measure {
                    PlaceMeasure::LevellingUp => Some(
                        (0..k)
                            .map(|i| (i + 1) as f64 * (cols[i] - rows[i]))
                            .sum::<f64>(),
                    ),
                    PlaceMeasure::Structural => Some(s),
                    _ => Some(t - s),
                }
            }
            _ => {
                let &[sw, sp, sc, spp, spc, scc] = ranks?;
                if sw <= 0.0 {
                    return None;
                }
                let (mp, mc) = (sp / sw, sc / sw);
                let var = spp / sw - mp * mp;
                // a place whose parents all share one national rank has no rank-rank line
                if var <= 1e-14 * (mp * mp).max(1e-300) {
                    return None;
                }
                let cov = spc / sw - mp * mc;
                let slope = cov / var;
                let intercept = 100.0 * (mc - slope * mp);
                match measure {
                    PlaceMeasure::RankRankSlope => Some(slope),
                    PlaceMeasure::RankRankIntercept => Some(intercept),
                    PlaceMeasure::NationalRankCorrelation => {
                        // children all at one national rank: no correlation
                        let var_c = scc / sw - mc * mc;
                        (var_c > 1e-14 * (mc * mc).max(1e-300))
                            .then(|| (cov / (var * var_c).sqrt()).clamp(-1.0, 1.0))
                    }
                    _ => Some(intercept + 25.0 * slope),
                }
            }
        };
        value.filter(|v| v.is_finite())
    }

    /// Every place's measure from an accumulated replicate.
    fn values(
        &self,
        measure: PlaceMeasure,
        evaluator: Option<&Evaluator>,
        acc: &Acc,
        places: usize,
    ) -> Vec<Option<f64>> {
        let kk = self.k * self.k;
        (0..places)
            .map(|g| {
                self.evaluate(
                    measure,
                    evaluator,
                    &acc.counts[g * kk..(g + 1) * kk],
                    acc.ranks.get(g),
                )
            })
            .collect()
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
    let mut labels: Vec<&G> = {
        let mut seen: HashMap<&G, ()> = HashMap::new();
        places.iter().for_each(|g| {
            seen.entry(g).or_insert(());
        });
        seen.into_keys().collect()
    };
    labels.sort();
    let index: HashMap<&G, u32> = labels
        .iter()
        .enumerate()
        .map(|(i, g)| (*g, i as u32))
        .collect();
    let np = labels.len();

    // Units in the engine's order (parent sort order).
    let original = design.original_rows();
    let by_unit = |x: &[f64]| -> Vec<f64> { original.iter().map(|&i| x[i as usize]).collect() };
    let pu = by_unit(parent);
    let cu = by_unit(child);
    let w: Vec<f64> = weights.map_or_else(|| vec![1.0; n], by_unit);
    let place: Vec<u32> = original
        .iter()
        .map(|&i| index[&places[i as usize]])
        .collect();
    let csorted = sorted_keys(&cu);
    let mut cpos = vec![0u32; n];
    for (pos, &(_, u)) in csorted.iter().enumerate() {
        cpos[u as usize] = pos as u32;
    }
    let corder: Vec<u32> = csorted.iter().map(|&(_, u)| u).collect();
    let ptie = tie_starts(n, |u| sort_key(pu[u]));
    let ctie = tie_starts(n, |p| csorted[p].0);
    let pcls = tm
        .parent_cutoffs()
        .expect("quantile classes carry cut-offs")
        .classifier();
    let ccls = tm
        .child_cutoffs()
        .expect("quantile classes carry cut-offs")
        .classifier();
    let cell: Vec<u16> = (0..n)
        .map(|u| (pcls.class0(sort_key(pu[u])) * k + ccls.class0(sort_key(cu[u]))) as u16)
        .collect();
    let total: f64 = w.iter().sum();
    let mut rp = vec![0.0; n];
    midranks(&ptie, total, |u| w[u], &mut rp);
    let mut rc_pos = vec![0.0; n];
    midranks(&ctie, total, |p| w[corder[p] as usize], &mut rc_pos);
    let rc: Vec<f64> = (0..n).map(|u| rc_pos[cpos[u] as usize]).collect();
    let mut start = vec![0usize; np + 1];
    place.iter().for_each(|&g| start[g as usize + 1] += 1);
    for g in 0..np {
        start[g + 1] += start[g];
    }
    let mut fill = start.clone();
    let mut members = vec![0u32; n];
    for (u, &g) in place.iter().enumerate() {
        members[fill[g as usize]] = u as u32;
        fill[g as usize] += 1;
    }
    let layout = Layout {
        n,
        k,
        place,
        w,
        cell,
        cpos,
        corder,
        ptie,
        ctie,
        rp,
        rc,
        members,
        start,
    };
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
                if ok {
                    layout.values(measure, evaluator, acc, np)
                } else {
                    vec![None; np]
                }
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

/// The full sample's sums: national classes and ranks, weights `w`.
fn full_sample(l: &Layout, acc: &mut Acc) {
    let kk = l.k * l.k;
    for u in 0..l.n {
        let v = l.w[u];
        if v == 0.0 {
            continue;
        }
        let g = l.place[u] as usize;
        acc.counts[g * kk + l.cell[u] as usize] += v;
        if !acc.ranks.is_empty() {
            add_ranks(&mut acc.ranks[g], v, l.rp[u], l.rc[u]);
        }
    }
}

#[inline]
fn add_ranks(s: &mut [f64; 6], v: f64, rp: f64, rc: f64) {
    s[0] += v;
    s[1] += v * rp;
    s[2] += v * rc;
    s[3] += v * rp * rp;
    s[4] += v * rp * rc;
    s[5] += v * rc * rc;
}

/// One joint replicate into `acc`; `false` when the replicate has zero total weight.
fn joint_replicate(
    l: &Layout,
    design: &Design,
    s: &mut super::bootstrap::Scratch,
    acc: &mut Acc,
    seed: u64,
    stream: u64,
    mode: CutoffMode,
) -> bool {
    design.draw(Draw::Resample { seed, stream }, s);
    let kk = l.k * l.k;
    let k = l.k;
    let ranks = !acc.ranks.is_empty();
    let v = |u: usize| f64::from(design.multiplicity(s, u)) * l.w[u];
    let reestimate = mode == CutoffMode::Reestimate;
    let total: f64 = (0..l.n).map(v).sum();
    if total <= 0.0 {
        return false;
    }
    if ranks {
        if reestimate {
            midranks(&l.ptie, total, v, &mut acc.rp);
            midranks(&l.ctie, total, |p| v(l.corder[p] as usize), &mut acc.rc_pos);
        } else {
            acc.rp.copy_from_slice(&l.rp);
            for u in 0..l.n {
                acc.rc_pos[l.cpos[u] as usize] = l.rc[u];
            }
        }
    }
    if reestimate {
        design.count(s);
        let Some((pcuts, ccuts)) = design.cut_positions(s) else {
            return false;
        };
        // child classes by child position: runs between the cut positions
        let mut from = 0usize;
        for (c, &cut) in ccuts
            .iter()
            .chain(std::iter::once(&(l.n as u32)))
            .enumerate()
        {
            let to = (cut as usize).clamp(from, l.n);
            acc.cclass[from..to].fill(c as u8);
            from = to;
        }
        let mut from = 0usize;
        for (i, &cut) in pcuts
            .iter()
            .chain(std::iter::once(&(l.n as u32)))
            .enumerate()
        {
            let to = (cut as usize).clamp(from, l.n);
            for u in from..to {
                let m = design.multiplicity(s, u);
                if m == 0 {
                    continue;
                }
                let x = f64::from(m) * l.w[u];
                let g = l.place[u] as usize;
                let j = acc.cclass[l.cpos[u] as usize] as usize;
                acc.counts[g * kk + i * k + j] += x;
                if ranks {
                    let rc = acc.rc_pos[l.cpos[u] as usize];
                    add_ranks(&mut acc.ranks[g], x, acc.rp[u], rc);
                }
            }
            from = to;
        }
    } else {
        for u in 0..l.n {
            let m = design.multiplicity(s, u);
            if m == 0 {
                continue;
            }
            let x = f64::from(m) * l.w[u];
            let g = l.place[u] as usize;
            acc.counts[g * kk + l.cell[u] as usize] += x;
            if ranks {
                add_ranks(&mut acc.ranks[g], x, l.rp[u], l.rc[u]);
            }
        }
    }
    true
}

/// One independent replicate: each place's units resampled within the place, classes and
/// ranks fixed.
fn independent_replicate(l: &Layout, acc: &mut Acc, seed: u64, stream: u64, ranks: bool) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let kk = l.k * l.k;
    for g in 0..l.start.len() - 1 {
        let members = &l.members[l.start[g]..l.start[g + 1]];
        let m = members.len() as u32;
        for _ in 0..m {
            let u = members[rng.random_range(0..m) as usize] as usize;
            let x = l.w[u];
            acc.counts[g * kk + l.cell[u] as usize] += x;
            if ranks {
                add_ranks(&mut acc.ranks[g], x, l.rp[u], l.rc[u]);
            }
        }
    }
}

/// Standard errors and (optionally) the pairwise-complete covariance of the replicate columns.
fn moments(
    reps: &[Vec<Option<f64>>],
    np: usize,
    covariance: bool,
    joint: bool,
) -> (Vec<Option<f64>>, Option<Vec<f64>>) {
    let b = reps.len();
    let se: Vec<Option<f64>> = (0..np)
        .map(|g| {
            let vals: Vec<f64> = reps.iter().filter_map(|r| r[g]).collect();
            standard_deviation(&vals)
        })
        .collect();
    if !covariance {
        return (se, None);
    }
    let mut cov = vec![0.0; np * np];
    if !joint {
        for g in 0..np {
            cov[g * np + g] = se[g].map_or(0.0, |s| s * s);
        }
        return (se, Some(cov));
    }
    // Centre each column on its defined mean (exact for complete columns; pairwise sums below
    // correct the means where a column has undefined replicates).
    let means: Vec<f64> = (0..np)
        .map(|g| {
            let (s, c) = reps
                .iter()
                .filter_map(|r| r[g])
                .fold((0.0, 0usize), |(s, c), x| (s + x, c + 1));
            if c > 0 { s / c as f64 } else { 0.0 }
        })
        .collect();
    let x = Mat::<f64>::from_fn(b, np, |r, g| reps[r][g].map_or(0.0, |v| v - means[g]));
    let m = Mat::<f64>::from_fn(b, np, |r, g| f64::from(u8::from(reps[r][g].is_some())));
    let sxx = x.transpose() * &x;
    let complete = reps.iter().all(|r| r.iter().all(Option::is_some));
    if complete {
        let d = (b - 1) as f64;
        for a in 0..np {
            for c in 0..np {
                cov[a * np + c] = sxx[(a, c)] / d;
            }
        }
        return (se, Some(cov));
    }
    let nn = m.transpose() * &m;
    let sx = x.transpose() * &m; // sx[(a, c)] = sum over both defined of x_a
    for a in 0..np {
        for c in 0..np {
            let cnt = nn[(a, c)];
            if cnt < 2.0 || se[a].is_none() || se[c].is_none() {
                continue;
            }
            cov[a * np + c] = (sxx[(a, c)] - sx[(a, c)] * sx[(c, a)] / cnt) / (cnt - 1.0);
        }
    }
    (se, Some(cov))
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use crate::groups::{GroupOptions, by_group};

    fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<u32>) {
        let mut x = 7u64;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as f64 / (1u64 << 31) as f64
        };
        let mut parent = Vec::new();
        let mut child = Vec::new();
        let mut w = Vec::new();
        let mut place = Vec::new();
        for i in 0..n {
            let g = (i % 7) as u32;
            let p = (next() * 50.0).floor() + g as f64 * 3.0; // ties, places differ
            parent.push(p);
            child.push(p * 0.5 + (next() * 40.0).floor() + (g % 3) as f64 * 4.0);
            w.push(((i * 13) % 4) as f64 + 0.5);
            place.push(g);
        }
        (parent, child, w, place)
    }

    fn by_group_value(
        parent: &[f64],
        child: &[f64],
        w: Option<&[f64]>,
        place: &[u32],
        k: usize,
        m: PlaceMeasure,
    ) -> Vec<Option<f64>> {
        let t = by_group(parent, child, w, place, &GroupOptions::new(k)).unwrap();
        t.rows
            .iter()
            .map(|r| match m {
                PlaceMeasure::Matrix(x) => r.measures.value(x),
                PlaceMeasure::LevellingUp => Some(r.levelling.levelling_up),
                PlaceMeasure::Structural => Some(r.levelling.decomposition.structural),
                PlaceMeasure::Exchange => Some(r.levelling.decomposition.exchange),
                PlaceMeasure::RankRankSlope => r.rank.as_ref().map(|x| x.rank_rank_slope),
                PlaceMeasure::RankRankIntercept => r.rank.as_ref().map(|x| x.rank_rank_intercept),
                PlaceMeasure::AbsoluteUpwardMobility => {
                    r.rank.as_ref().map(|x| x.absolute_upward_mobility)
                }
                PlaceMeasure::NationalRankCorrelation => {
                    unreachable!("checked against national_rank_correlations")
                }
            })
            .collect()
    }

    /// The weighted Pearson correlation of the national mid-ranks within each place, directly.
    fn national_rank_correlations(
        parent: &[f64],
        child: &[f64],
        w: Option<&[f64]>,
        place: &[u32],
    ) -> Vec<f64> {
        let rp = crate::rank::fractional_ranks(parent, w).unwrap();
        let rc = crate::rank::fractional_ranks(child, w).unwrap();
        let places = *place.iter().max().unwrap() as usize + 1;
        (0..places as u32)
            .map(|g| {
                let units: Vec<usize> = (0..parent.len()).filter(|&u| place[u] == g).collect();
                let wt = |u: usize| w.map_or(1.0, |w| w[u]);
                let sw: f64 = units.iter().map(|&u| wt(u)).sum();
                let mean = |r: &[f64]| units.iter().map(|&u| wt(u) * r[u]).sum::<f64>() / sw;
                let (mp, mc) = (mean(&rp), mean(&rc));
                let m2 = |a: &[f64], ma: f64, b: &[f64], mb: f64| {
                    units
                        .iter()
                        .map(|&u| wt(u) * (a[u] - ma) * (b[u] - mb))
                        .sum::<f64>()
                        / sw
                };
                m2(&rp, mp, &rc, mc) / (m2(&rp, mp, &rp, mp) * m2(&rc, mc, &rc, mc)).sqrt()
            })
            .collect()
    }

    #[test]
    fn national_rank_correlation_is_pearson_on_national_ranks() {
        let (p, c, w, g) = data(3000);
        for weights in [None, Some(&w[..])] {
            let opts = PlacesBootstrapOptions::new(4, PlaceMeasure::NationalRankCorrelation, 50);
            let r = places_bootstrap(&p, &c, weights, &g, None::<&[u32]>, &opts).unwrap();
            let want = national_rank_correlations(&p, &c, weights, &g);
            for (e, want) in r.places.iter().zip(want) {
                let got = e.estimate.unwrap();
                assert!((got - want).abs() < 1e-9, "{got} vs {want}");
                assert!(e.se.unwrap() > 0.0 && e.se.unwrap() < 0.2);
            }
        }
        assert_eq!(
            "national-rank-correlation".parse::<PlaceMeasure>().unwrap(),
            PlaceMeasure::NationalRankCorrelation
        );
    }

    const MEASURES: [PlaceMeasure; 6] = [
        PlaceMeasure::Matrix(Measure::BottomToTop),
        PlaceMeasure::Matrix(Measure::ShorrocksTrace),
        PlaceMeasure::LevellingUp,
        PlaceMeasure::Exchange,
        PlaceMeasure::RankRankSlope,
        PlaceMeasure::AbsoluteUpwardMobility,
    ];

    fn close(a: &[Option<f64>], b: &[Option<f64>]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            match (x, y) {
                (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{x} vs {y}"),
                _ => assert_eq!(x.is_some(), y.is_some()),
            }
        }
    }

    #[test]
    fn full_sample_equals_by_group() {
        let (p, c, w, g) = data(3000);
        for m in MEASURES {
            for weights in [None, Some(&w[..])] {
                let opts = PlacesBootstrapOptions::new(4, m, 2);
                let r = places_bootstrap(&p, &c, weights, &g, None::<&[u32]>, &opts).unwrap();
                let got: Vec<Option<f64>> = r.places.iter().map(|x| x.estimate).collect();
                close(&got, &by_group_value(&p, &c, weights, &g, 4, m));
            }
        }
    }

    /// A joint replicate equals `by_group` on the weights `w m` (re-estimated national cut-offs
    /// and ranks), for multiplicities drawn by the engine.
    #[test]
    fn joint_replicate_equals_by_group_on_multiplied_weights() {
        for n in [500usize, 60_000] {
            let (p, c, _, g) = data(n);
            for m in MEASURES {
                let spec = ClassSpec::quantiles(5);
                let tm = TransitionMatrix::from_status(&p, &c, None, &spec).unwrap();
                let design =
                    Design::new(&p, &c, None, None, &spec, &tm, CutoffMode::Reestimate).unwrap();
                let mut s = design.scratch();
                design.draw(Draw::Resample { seed: 9, stream: 1 }, &mut s);
                let original = design.original_rows();
                let mut mult = vec![0.0; n];
                for (u, &i) in original.iter().enumerate() {
                    mult[i as usize] = f64::from(design.multiplicity(&s, u));
                }
                let want = by_group_value(&p, &c, Some(&mult), &g, 5, m);
                close(&replicate_values(&p, &c, &g, m, 9, 1), &want);
            }
        }
    }

    /// Replicate `stream` of seed `seed` through the places bootstrap's own code path.
    fn replicate_values(
        p: &[f64],
        c: &[f64],
        g: &[u32],
        m: PlaceMeasure,
        seed: u64,
        stream: u64,
    ) -> Vec<Option<f64>> {
        let spec = ClassSpec::quantiles(5);
        let tm = TransitionMatrix::from_status(p, c, None, &spec).unwrap();
        let design = Design::new(p, c, None, None, &spec, &tm, CutoffMode::Reestimate).unwrap();
        let n = p.len();
        let original = design.original_rows();
        let pu: Vec<f64> = original.iter().map(|&i| p[i as usize]).collect();
        let cu: Vec<f64> = original.iter().map(|&i| c[i as usize]).collect();
        let place: Vec<u32> = original.iter().map(|&i| g[i as usize]).collect();
        let csorted = sorted_keys(&cu);
        let mut cpos = vec![0u32; n];
        for (pos, &(_, u)) in csorted.iter().enumerate() {
            cpos[u as usize] = pos as u32;
        }
        let corder: Vec<u32> = csorted.iter().map(|&(_, u)| u).collect();
        let layout = Layout {
            n,
            k: 5,
            place,
            w: vec![1.0; n],
            cell: vec![0; n],
            cpos,
            corder,
            ptie: tie_starts(n, |u| sort_key(pu[u])),
            ctie: tie_starts(n, |q| csorted[q].0),
            rp: vec![0.0; n],
            rc: vec![0.0; n],
            members: Vec::new(),
            start: vec![0; 8],
        };
        let ev = match m {
            PlaceMeasure::Matrix(x) => Some(Evaluator::new(
                5,
                Weighting::ParentShares,
                vec![Statistic::Measure { name: x }],
            )),
            _ => None,
        };
        let mut s = design.scratch();
        let mut acc = Acc::new(7, 5, n, m.needs_ranks());
        assert!(joint_replicate(
            &layout,
            &design,
            &mut s,
            &mut acc,
            seed,
            stream,
            CutoffMode::Reestimate
        ));
        layout.values(m, ev.as_ref(), &acc, 7)
    }

    #[test]
    fn covariance_diagonal_is_se_squared_and_symmetric() {
        let (p, c, _, g) = data(4000);
        let opts = PlacesBootstrapOptions::new(4, PlaceMeasure::LevellingUp, 60);
        let r = places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &opts).unwrap();
        let cov = r.covariance.as_ref().unwrap();
        for (a, row) in cov.iter().enumerate() {
            let se = r.places[a].se.unwrap();
            assert!((row[a] - se * se).abs() < 1e-12 * (1.0 + se * se));
            for (b, &x) in row.iter().enumerate() {
                assert!((x - cov[b][a]).abs() < 1e-12);
            }
        }
        // the independent bootstrap: diagonal, SEs of the same order
        let ind = PlacesBootstrapOptions {
            resampling: PlaceResampling::Independent,
            ..opts.clone()
        };
        let q = places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &ind).unwrap();
        let qc = q.covariance.as_ref().unwrap();
        for a in 0..7 {
            for b in 0..7 {
                if a != b {
                    assert_eq!(qc[a][b], 0.0);
                }
            }
            let (x, y) = (r.places[a].se.unwrap(), q.places[a].se.unwrap());
            assert!(x / y > 0.5 && x / y < 2.0, "{x} {y}");
        }
        // bit-identical reruns
        let again = places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &opts).unwrap();
        assert_eq!(again, r);
    }

    #[test]
    fn measure_names_parse() {
        assert_eq!(
            "levelling-up".parse::<PlaceMeasure>().unwrap(),
            PlaceMeasure::LevellingUp
        );
        assert_eq!(
            "bottom_to_top".parse::<PlaceMeasure>().unwrap(),
            PlaceMeasure::Matrix(Measure::BottomToTop)
        );
        assert!("nope".parse::<PlaceMeasure>().is_err());
        let (p, c, _, g) = data(100);
        let mut opts = PlacesBootstrapOptions::new(4, PlaceMeasure::LevellingUp, 10);
        opts.rule = Rule::Giddy;
        assert!(places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &opts).is_err());
        opts.cutoffs = CutoffMode::Fixed;
        assert!(places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &opts).is_ok());
    }
}
