//! The results of a bootstrap run: per-statistic summaries, the settings record and the estimate
//! table of a report.

use serde::{Deserialize, Serialize};

use super::{CutoffMode, Resampling};
use crate::error::{MobilityError, Result};
use crate::inference::{CiMethod, Interval, Statistic, check_level};
use crate::measures::Weighting;
use crate::weights::WeightKind;

/// The bootstrap distribution of one statistic: `S` says what it is, a [`Statistic`] of the
/// matrix bootstrap ([`StatisticSummary`]) or a
/// [`RankMeasure`](crate::registry::RankMeasure) of the rank bootstrap
/// ([`RankMeasureSummary`](crate::inference::rank_bootstrap::RankMeasureSummary)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapSummary<S> {
    /// What this is.
    pub statistic: S,
    /// Its name ([`Statistic::name`], [`RankMeasure::name`](crate::registry::RankMeasure::name)).
    pub name: String,
    /// The full-sample estimate (`None` if undefined there).
    pub estimate: Option<f64>,
    /// Bootstrap standard error: the standard deviation of the defined replicates.
    pub se: Option<f64>,
    /// Lower bound of the interval chosen with [`Bootstrap::ci`](super::Bootstrap::ci).
    pub ci_low: Option<f64>,
    /// Upper bound of the interval chosen with [`Bootstrap::ci`](super::Bootstrap::ci).
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

/// The bootstrap distribution of one matrix statistic.
pub type StatisticSummary = BootstrapSummary<Statistic>;

/// What a [`BootstrapSummary`] can be of: a value that names itself (its `name` field).
pub(crate) trait Summarised {
    /// The name the summary carries.
    fn summary_name(&self) -> String;
}

impl Summarised for Statistic {
    fn summary_name(&self) -> String {
        self.name()
    }
}

impl Summarised for crate::registry::RankMeasure {
    fn summary_name(&self) -> String {
        self.name().to_string()
    }
}

impl<S> BootstrapSummary<S> {
    /// Estimate, SE, chosen interval, undefined replicates and note (the report's entry).
    pub fn estimate(&self) -> Estimate {
        Estimate {
            estimate: self.estimate,
            se: self.se,
            ci_low: self.ci_low,
            ci_high: self.ci_high,
            undefined_replicates: self.undefined_replicates,
            note: self.note.clone(),
        }
    }

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

/// What is resampled, by name: rows (units) or whole clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResampleUnit {
    /// Rows, each with its weight.
    Units,
    /// Whole clusters.
    Clusters,
}

crate::error::named_enum!(ResampleUnit, Clusters, "resampling unit", {
    Units => "units",
    Clusters => "clusters",
});

/// The settings of a bootstrap run, in one flat record: what the CLI prints under `bootstrap`
/// and Python's `BootstrapResult.settings` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapSettings {
    /// Number of classes.
    pub k: usize,
    /// Number of replicates `B`.
    pub replicates: usize,
    /// The seed of the random streams.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub level: f64,
    /// The interval reported as `ci_low` / `ci_high`.
    pub ci: CiMethod,
    /// Whether the cut-offs were re-estimated in every replicate.
    pub cutoffs: CutoffMode,
    /// Rows or clusters.
    pub resample: ResampleUnit,
    /// The number of clusters, when clusters were resampled.
    pub clusters: Option<usize>,
    /// The number of rows.
    pub units: usize,
    /// Groups of the grouped jackknife behind the BCa acceleration.
    pub jackknife_groups: usize,
    /// The origin weighting of the measures.
    pub weighting: Weighting,
    /// What the weights meant: `sampling` (records drawn) or `frequency` (units drawn).
    #[serde(default)]
    pub weight_kind: WeightKind,
}

/// One statistic's estimate, standard error, interval and undefined replicates: an entry of the
/// `inference` object of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate on the full sample.
    pub estimate: Option<f64>,
    /// The bootstrap standard error.
    pub se: Option<f64>,
    /// Lower bound of the chosen interval.
    pub ci_low: Option<f64>,
    /// Upper bound of the chosen interval.
    pub ci_high: Option<f64>,
    /// Replicates in which the statistic was undefined.
    pub undefined_replicates: usize,
    /// What to know when reading the interval (the [`StatisticSummary::note`]: an estimate
    /// outside its interval, a BCa interval that excludes it, why something is missing); absent
    /// from the JSON when there is nothing to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Estimates by statistic name, in result order (serialised as an object keyed by name).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EstimateTable(pub Vec<(String, Estimate)>);

impl EstimateTable {
    /// The estimate of each summary, keyed by its name, in order.
    pub fn of<S>(summaries: &[BootstrapSummary<S>]) -> EstimateTable {
        EstimateTable(
            summaries
                .iter()
                .map(|s| (s.name.clone(), s.estimate()))
                .collect(),
        )
    }
}

impl Serialize for EstimateTable {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, e) in &self.0 {
            map.serialize_entry(name, e)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for EstimateTable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = EstimateTable;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of estimates keyed by statistic name")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<EstimateTable, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Estimate>()? {
                    out.push(entry);
                }
                Ok(EstimateTable(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Declares [`BootstrapResult`] and the unchecked `RawBootstrapResult` it is deserialised
/// through from one list of fields (so the two cannot drift apart), and the conversion that
/// validates the raw form into the result.
macro_rules! bootstrap_result {
    ($($(#[$attr:meta])* $field:ident: $ty:ty,)*) => {
        /// The result of [`Bootstrap::run`](super::Bootstrap::run): one [`StatisticSummary`] per
        /// statistic.
        ///
        /// Deserialisation validates with [`BootstrapResult::validate`] (the checks a run
        /// guarantees).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(try_from = "RawBootstrapResult")]
        pub struct BootstrapResult {
            $($(#[$attr])* pub $field: $ty,)*
        }

        /// The serialised form of a [`BootstrapResult`], checked before it becomes one.
        #[derive(Deserialize)]
        struct RawBootstrapResult {
            $($(#[$attr])* $field: $ty,)*
        }

        impl TryFrom<RawBootstrapResult> for BootstrapResult {
            type Error = MobilityError;

            fn try_from(r: RawBootstrapResult) -> Result<BootstrapResult> {
                let out = BootstrapResult {
                    $($field: r.$field,)*
                };
                out.validate()?;
                Ok(out)
            }
        }
    };
}

bootstrap_result! {
    /// Number of classes.
    k: usize,
    /// Number of bootstrap replicates B.
    replicate_count: usize,
    /// The seed.
    seed: u64,
    /// Confidence level.
    level: f64,
    /// The interval reported as `ci_low`/`ci_high`.
    ci: CiMethod,
    /// Whether cut-offs were re-estimated in each replicate.
    cutoffs: CutoffMode,
    /// What was resampled.
    resampling: Resampling,
    /// Groups of the grouped jackknife used for the BCa acceleration.
    jackknife_groups: usize,
    /// The origin weighting of the weighted measures.
    weighting: Weighting,
    /// What the weights meant (how records were drawn; sampling when absent: results written
    /// before it existed).
    #[serde(default)]
    weight_kind: WeightKind,
    /// Every statistic, in [`Statistic::all`] order (or the selection's).
    statistics: Vec<StatisticSummary>,
}

impl BootstrapResult {
    /// Checks what a run guarantees: `k` and `B` within their limits, a level in (0, 1), at least
    /// 2 units (clusters no more than units), and per statistic `B` replicates in all (defined
    /// ones finite, undefined indices increasing and below `B`), finite estimates, standard
    /// errors `>= 0` and intervals with `low <= high`.
    ///
    /// # Errors
    /// [`MobilityError::Inconsistent`] or [`MobilityError::InvalidParameter`] saying which part.
    ///
    /// # Complexity
    /// `O(B)` per statistic.
    pub fn validate(&self) -> Result<()> {
        crate::error::check_k(self.k)?;
        crate::limits::check_replicates(self.replicate_count)?;
        check_level(self.level)?;
        let bad = |what: String| Err(MobilityError::Inconsistent { what });
        let (units, clusters) = match self.resampling {
            Resampling::Units { units } => (units, units),
            Resampling::Clusters { clusters, units } => (units, clusters),
        };
        if units < 2 || clusters < 2 || clusters > units {
            return bad(format!(
                "resampling of {clusters} clusters or units among {units} units (at least 2, \
                 clusters no more than units)"
            ));
        }
        if self.jackknife_groups < 2 || self.jackknife_groups > clusters {
            return bad(format!(
                "{} jackknife groups for {clusters} resampled units",
                self.jackknife_groups
            ));
        }
        let b = self.replicate_count;
        for s in &self.statistics {
            let name = &s.name;
            if s.replicates.len() + s.undefined_at.len() != b
                || s.undefined_replicates != s.undefined_at.len()
            {
                return bad(format!(
                    "statistic {name}: {} defined and {} undefined replicates, not {b}",
                    s.replicates.len(),
                    s.undefined_at.len()
                ));
            }
            if s.undefined_at.windows(2).any(|w| w[1] <= w[0])
                || s.undefined_at.last().is_some_and(|&u| u >= b)
            {
                return bad(format!(
                    "statistic {name}: undefined replicate numbers must increase and be below {b}"
                ));
            }
            if s.replicates.iter().any(|v| !v.is_finite()) {
                return bad(format!("statistic {name}: a replicate value is not finite"));
            }
            let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
            if ![
                s.estimate,
                s.se,
                s.ci_low,
                s.ci_high,
                s.bias_correction,
                s.acceleration,
            ]
            .into_iter()
            .all(finite)
                || s.se.is_some_and(|x| x < 0.0)
            {
                return bad(format!(
                    "statistic {name}: estimates, standard errors and interval bounds must be \
                     finite (standard errors >= 0)"
                ));
            }
            let ordered = |lo: Option<f64>, hi: Option<f64>| match (lo, hi) {
                (Some(l), Some(h)) => l <= h,
                _ => true,
            };
            let interval = |i: &Option<Interval>| {
                i.as_ref()
                    .is_none_or(|i| i.low.is_finite() && i.high.is_finite() && i.low <= i.high)
            };
            if !ordered(s.ci_low, s.ci_high) || !interval(&s.percentile) || !interval(&s.bca) {
                return bad(format!(
                    "statistic {name}: an interval is not finite or its low bound is above its \
                     high bound"
                ));
            }
        }
        Ok(())
    }

    /// The run's settings as one record.
    pub fn settings(&self) -> BootstrapSettings {
        let (resample, clusters, units) = self.resampling.record();
        BootstrapSettings {
            k: self.k,
            replicates: self.replicate_count,
            seed: self.seed,
            level: self.level,
            ci: self.ci,
            cutoffs: self.cutoffs,
            resample,
            clusters,
            units,
            jackknife_groups: self.jackknife_groups,
            weighting: self.weighting.clone(),
            weight_kind: self.weight_kind,
        }
    }

    /// Estimate, SE, interval and undefined replicates of every statistic, by name.
    pub fn estimates(&self) -> EstimateTable {
        EstimateTable::of(&self.statistics)
    }

    /// One statistic by name ([`Statistic::name`]: `shorrocks_trace`, `p_1_1`, `persistence_1`).
    pub fn get(&self, name: &str) -> Option<&StatisticSummary> {
        self.statistics.iter().find(|s| s.name == name)
    }

    /// The defined replicate values of a statistic, in replicate order.
    pub fn replicates(&self, name: &str) -> Option<&[f64]> {
        self.get(name).map(|s| s.replicates.as_slice())
    }
}
