//! The measures a place can be ranked on, by name.

use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Parameter, Result};
use crate::registry::{Measure, RankMeasure};

/// A place-level measure the places bootstrap (and the places ranking) can report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceMeasure {
    /// A matrix measure of the place's matrix over national classes.
    Matrix(Measure),
    /// Mean national class of children minus that of parents ([`crate::places::levelling::Levelling`]).
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
    /// The measures that are not matrix measures.
    pub const OTHERS: [PlaceMeasure; 7] = [
        PlaceMeasure::LevellingUp,
        PlaceMeasure::Structural,
        PlaceMeasure::Exchange,
        PlaceMeasure::RankRankSlope,
        PlaceMeasure::RankRankIntercept,
        PlaceMeasure::AbsoluteUpwardMobility,
        PlaceMeasure::NationalRankCorrelation,
    ];

    /// The snake_case name (a registry name for matrix and rank measures).
    pub fn name(self) -> &'static str {
        match self {
            PlaceMeasure::Matrix(m) => m.name(),
            PlaceMeasure::LevellingUp => "levelling_up",
            PlaceMeasure::Structural => "structural",
            PlaceMeasure::Exchange => "exchange",
            PlaceMeasure::RankRankSlope => RankMeasure::RankRankSlope.name(),
            PlaceMeasure::RankRankIntercept => RankMeasure::RankRankIntercept.name(),
            PlaceMeasure::AbsoluteUpwardMobility => RankMeasure::AbsoluteUpwardMobility.name(),
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

    /// Whether the measure needs the national ranks (not only the classes).
    pub(super) fn needs_ranks(self) -> bool {
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
        PlaceMeasure::OTHERS
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
                    .chain(PlaceMeasure::OTHERS.iter().map(|m| m.name().to_string()))
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
