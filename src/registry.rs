//! The measure registry: the one place where each measure is named, described and defined.
//!
//! Every matrix measure is a [`Measure`] and every rank or income measure a [`RankMeasure`]. Each
//! carries a [`MeasureInfo`]: its snake_case name (the JSON key, the CLI and Python name), a
//! one-line description in plain language, its formula, its source, and what it needs from the
//! data to be defined ([`Need`]). The [`Measures`] struct, the bootstrap's statistic selection,
//! the analytic standard errors, the places scores, the text renderers and the Python
//! descriptions all read from here; adding a measure is one entry below (with the expression that
//! computes it) and, for a matrix measure, its analytic gradient if it has one.
//!
//! Notation (docs/FORMULAS.md#notation): `P = [p_ij]` row-stochastic, parent (origin) class in rows,
//! classes `1..k` from the bottom; `pi` origin weights summing to 1.
//!
//! # Example
//! ```
//! use mobility::registry::{Measure, Need};
//! let m: Measure = "bottom_persistence".parse().unwrap();
//! assert_eq!(m, Measure::BottomPersistence);
//! assert_eq!(m.info().formula, "p_11");
//! assert_eq!(m.info().needs, &[Need::BottomRow]);
//! assert_eq!(m.to_string(), "bottom_persistence");
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Parameter, Result};
use crate::measures::MatrixInputs;
use crate::rankbased::RankMobility;

/// What a measure needs from the data to be defined; without it the measure is `None` (JSON
/// `null`), never NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// The bottom parent class has observations.
    BottomRow,
    /// The top parent class has observations.
    TopRow,
    /// Every parent class has observations (the matrix is stochastic).
    EveryRow,
    /// Origin weights `pi` (and every parent class with weight observed).
    Pi,
    /// Every cell of `P` is positive.
    PositiveCells,
    /// Parents do not all have the same status (the rank-rank line is defined).
    VaryingParents,
    /// Neither parents nor children all have the same status.
    VaryingBoth,
    /// At least two pairs with positive parent and child status, and varying parent status.
    PositiveStatus,
}

impl Need {
    /// The requirement in words.
    pub fn describe(self) -> &'static str {
        match self {
            Need::BottomRow => "the bottom parent class has observations",
            Need::TopRow => "the top parent class has observations",
            Need::EveryRow => "every parent class has observations",
            Need::Pi => "origin weights pi, with every weighted parent class observed",
            Need::PositiveCells => "every cell of P is positive",
            Need::VaryingParents => "parents do not all have the same status",
            Need::VaryingBoth => "neither parents nor children all have the same status",
            Need::PositiveStatus => "two or more pairs with positive status on both sides",
        }
    }
}

/// The scale a measure is on (for display: how many decimals, what a value means).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// A share or probability in `[0, 1]`.
    Share,
    /// An index, 0 = no mobility (may exceed 1 for some matrices).
    Index,
    /// Classes (mean class jump).
    Classes,
    /// A correlation or slope, in `[-1, 1]` for the usual data.
    Slope,
    /// Percentile rank points, 0-100.
    RankPoints,
    /// A distance (Altham's), 0 = independence.
    Distance,
}

/// Everything the registry knows about one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MeasureInfo {
    /// The snake_case name: JSON key, CLI and Python name.
    pub name: &'static str,
    /// The short title a reader knows the measure by ("Sticky floor"), for headings.
    pub title: &'static str,
    /// One line in plain language, for people who are not economists.
    pub description: &'static str,
    /// The formula in the notation of docs/FORMULAS.md#notation.
    pub formula: &'static str,
    /// Where the measure comes from.
    pub source: &'static str,
    /// What it needs to be defined.
    pub needs: &'static [Need],
    /// Its scale.
    pub scale: Scale,
    /// `matrix` or `rank`.
    pub family: &'static str,
}

/// Declares a measure enum with its registry entries and its evaluation.
macro_rules! measure_enum {
    (
        $(#[$meta:meta])* $name:ident, $family:literal, $input:ty, $all:ident, $what:literal;
        $( $(#[$vmeta:meta])* $variant:ident = $field:ident {
            $title:literal, $desc:literal, $formula:literal, $source:literal, [$($need:ident),*], $scale:ident,
            $compute:expr
        } )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( #[doc = $desc] $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every measure of this family, in registry (reporting) order.
            pub const $all: &'static [$name] = &[ $( $name::$variant, )* ];

            /// The registry entry.
            pub const fn info(self) -> &'static MeasureInfo {
                match self {
                    $( $name::$variant => &MeasureInfo {
                        name: stringify!($field),
                        title: $title,
                        description: $desc,
                        formula: $formula,
                        source: $source,
                        needs: &[$(Need::$need),*],
                        scale: Scale::$scale,
                        family: $family,
                    }, )*
                }
            }

            /// The snake_case name.
            pub const fn name(self) -> &'static str {
                self.info().name
            }

            /// The value of this measure from its inputs; `None` where undefined.
            #[allow(clippy::redundant_closure_call)]
            pub(crate) fn evaluate(self, x: &$input) -> Option<f64> {
                match self {
                    $( $name::$variant => ($compute)(x), )*
                }
                .filter(|v: &f64| v.is_finite())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $name {
            type Err = MobilityError;

            /// The snake_case name (`-` accepted for `_`, any case).
            fn from_str(s: &str) -> Result<$name> {
                let norm = s.trim().to_ascii_lowercase().replace('-', "_");
                $name::$all
                    .iter()
                    .copied()
                    .find(|m| m.name() == norm)
                    .ok_or_else(|| MobilityError::UnknownName {
                        parameter: Parameter::Measure,
                        given: s.to_string(),
                        expected: $name::$all.iter().map(|m| m.name().to_string()).collect(),
                        what: $what.to_string(),
                    })
            }
        }
    };
}

measure_enum! {
    /// A matrix measure: a summary of the transition matrix `P`.
    Measure, "matrix", MatrixInputs<'_>, ALL, "matrix measure";
    BottomPersistence = bottom_persistence {
        "Sticky floor",
        "of children born in the bottom class, the share who stay there",
        "p_11", "OECD (2018) sticky floor", [BottomRow], Share,
        |x: &MatrixInputs| x.cell(0, 0)
    }
    TopPersistence = top_persistence {
        "Sticky ceiling",
        "of children born in the top class, the share who stay there",
        "p_kk", "OECD (2018) sticky ceiling", [TopRow], Share,
        |x: &MatrixInputs| x.cell(x.k - 1, x.k - 1)
    }
    UpwardFromBottom = upward_from_bottom {
        "Escape from the bottom",
        "of children born in the bottom class, the share who leave it",
        "1 - p_11", "OECD (2018)", [BottomRow], Share,
        |x: &MatrixInputs| x.cell(0, 0).map(|v| 1.0 - v)
    }
    DownwardFromTop = downward_from_top {
        "Fall from the top",
        "of children born in the top class, the share who fall out of it",
        "1 - p_kk", "OECD (2018)", [TopRow], Share,
        |x: &MatrixInputs| x.cell(x.k - 1, x.k - 1).map(|v| 1.0 - v)
    }
    BottomToTop = bottom_to_top {
        "Rags to riches",
        "of children born in the bottom class, the share who reach the top",
        "p_1k", "Chetty et al. (2014): P(Q5 | Q1)", [BottomRow], Share,
        |x: &MatrixInputs| x.cell(0, x.k - 1)
    }
    TopToBottom = top_to_bottom {
        "Riches to rags",
        "of children born in the top class, the share who end at the bottom",
        "p_k1", "Chetty et al. (2014)", [TopRow], Share,
        |x: &MatrixInputs| x.cell(x.k - 1, 0)
    }
    UpwardShare = upward_share {
        "Moving up",
        "share of children who end in a higher class than their parents",
        "sum_i pi_i sum_{j>i} p_ij", "Bartholomew (1973)", [Pi], Share,
        |x: &MatrixInputs| x.weighted(|i, j| f64::from(u8::from(j > i)))
    }
    DownwardShare = downward_share {
        "Moving down",
        "share of children who end in a lower class than their parents",
        "sum_i pi_i sum_{j<i} p_ij", "Bartholomew (1973)", [Pi], Share,
        |x: &MatrixInputs| x.weighted(|i, j| f64::from(u8::from(j < i)))
    }
    ImmobilityRatio = immobility_ratio {
        "Staying put",
        "share of children who end in the same class as their parents",
        "sum_i pi_i p_ii", "Bibby (1975)", [Pi], Share,
        |x: &MatrixInputs| x.weighted(|i, j| f64::from(u8::from(i == j)))
    }
    PraisBibby = prais_bibby {
        "Prais-Bibby index",
        "share of children who end in a different class from their parents",
        "1 - sum_i pi_i p_ii", "Bibby (1975); mobilityIndexR", [Pi], Share,
        |x: &MatrixInputs| x.weighted(|i, j| f64::from(u8::from(i == j))).map(|v| 1.0 - v)
    }
    ShorrocksTrace = shorrocks_trace {
        "Shorrocks' mobility index",
        "how far from everyone staying put: 0 nobody moves, 1 origin does not matter",
        "(k - tr P) / (k - 1)", "Prais (1955); Shorrocks (1978)", [EveryRow], Index,
        |x: &MatrixInputs| x.full().then(|| crate::measures::trace_index(x.k, x.p.diag().sum()))
    }
    DeterminantShorrocks = determinant_shorrocks {
        "Determinant index",
        "mobility from the determinant of P: 0 nobody moves, 1 origin does not matter",
        "1 - |det P|^(1/(k-1))", "Shorrocks (1978)", [EveryRow], Index,
        |x: &MatrixInputs| x.determinant().map(|d| crate::measures::determinant_index(x.k, d))
    }
    DeterminantGiddy = determinant_giddy {
        "Determinant index (giddy, Stata)",
        "the determinant index without the root, as PySAL giddy and Stata compute it",
        "1 - |det P|", "PySAL giddy; Stata igmobil", [EveryRow], Index,
        |x: &MatrixInputs| x.determinant().map(|d| 1.0 - d.abs())
    }
    SecondEigenvalue = second_eigenvalue {
        "Second-eigenvalue index",
        "how fast the effect of origin fades over generations (1 = at once)",
        "1 - |lambda_2|", "Sommers & Conlisk (1979)", [EveryRow], Index,
        |x: &MatrixInputs| {
            x.eigenvalues()
                .map(|e| crate::measures::second_eigenvalue_index(x.p, e))
        }
    }
    EigenvalueSum = eigenvalue_sum {
        "Eigenvalue index",
        "the trace index computed from all eigenvalues of P",
        "(k - sum_i |lambda_i|) / (k - 1)", "Shorrocks (1978)", [EveryRow], Index,
        |x: &MatrixInputs| x.eigenvalues().map(crate::measures::eigenvalue_sum_index)
    }
    Bartholomew = bartholomew {
        "Bartholomew's index",
        "average number of classes children move, scaled to 0-1",
        "sum_i pi_i sum_j p_ij |i - j| / (k - 1)", "Bartholomew (1973)", [Pi], Index,
        |x: &MatrixInputs| x.weighted(|i, j| i.abs_diff(j) as f64).map(|v| v / (x.k as f64 - 1.0))
    }
    MeanClassJump = mean_class_jump {
        "Mean class jump",
        "average number of classes children move up or down",
        "sum_i pi_i sum_j p_ij |i - j|", "mobilityIndexR average_movement", [Pi], Classes,
        |x: &MatrixInputs| x.weighted(|i, j| i.abs_diff(j) as f64)
    }
    AlthamIndependence = altham_independence {
        "Altham's distance from independence",
        "how strongly origin and destination are tied, whatever the class sizes",
        "d(P, J) = 2 k sqrt(sum_ij lambda_ij^2)", "Altham (1970); Altham & Ferrie (2007)",
        [EveryRow, PositiveCells], Distance,
        |x: &MatrixInputs| x.full().then(|| crate::measures::altham_independence(x.p).ok()).flatten()
    }
}

measure_enum! {
    /// A rank or income measure of paired parent and child status
    /// ([`crate::rankbased::RankMobility`]).
    RankMeasure, "rank", RankMobility, ALL, "rank measure";
    RankRankSlope = rank_rank_slope {
        "Rank-rank slope",
        "how much a child's rank rises with the parent's rank (0 = not at all)",
        "OLS slope of r_child on r_parent", "Chetty et al. (2014)", [VaryingParents], Slope,
        |r: &RankMobility| Some(r.rank_rank_slope)
    }
    RankRankIntercept = rank_rank_intercept {
        "Rank-rank intercept",
        "expected child rank (0-100) of a child whose parents rank at 0",
        "100 (mean r_child - slope mean r_parent)", "Chetty et al. (2014)", [VaryingParents],
        RankPoints,
        |r: &RankMobility| Some(r.rank_rank_intercept)
    }
    AbsoluteUpwardMobility = absolute_upward_mobility {
        "Absolute upward mobility",
        "expected child rank (0-100) of a child whose parents rank at 25",
        "intercept + 25 slope", "Chetty et al. (2014)", [VaryingParents], RankPoints,
        |r: &RankMobility| Some(r.absolute_upward_mobility)
    }
    Spearman = spearman {
        "Spearman's rank correlation",
        "how closely children's ranks follow their parents' ranks (Spearman)",
        "weighted Pearson correlation of r_parent and r_child", "Spearman (1904)", [VaryingBoth],
        Slope,
        |r: &RankMobility| r.spearman
    }
    KendallTauB = kendall_tau_b {
        "Kendall's tau-b",
        "how often two families are in the same order in both generations",
        "tau-b = (C - D) / sqrt((n0 - n1)(n0 - n2))", "Kendall (1945); Knight (1966)",
        [VaryingBoth], Slope,
        |r: &RankMobility| r.kendall_tau_b
    }
    ShareChildRankAboveParent = share_child_rank_above_parent {
        "Children ranked above their parents",
        "share of children ranked higher than their parents (ties do not count)",
        "sum_u w_u [r_child > r_parent] / sum_u w_u", "Chetty et al. (2014)", [], Share,
        |r: &RankMobility| Some(r.share_child_rank_above_parent)
    }
    ShareChildRankEqualParent = share_child_rank_equal_parent {
        "Children ranked with their parents",
        "share of children ranked exactly where their parents were",
        "sum_u w_u [r_child = r_parent] / sum_u w_u", "Chetty et al. (2014)", [], Share,
        |r: &RankMobility| Some(r.share_child_rank_equal_parent)
    }
    Ige = ige {
        "Intergenerational elasticity",
        "intergenerational elasticity: % change in child income per 1% in parents'",
        "OLS slope of ln(child) on ln(parent), positive pairs", "Solon (1992)",
        [PositiveStatus], Slope,
        |r: &RankMobility| r.ige
    }
    AbsoluteMobility = absolute_mobility {
        "Absolute mobility",
        "share of children with a higher status than their parents",
        "sum_u w_u [child > parent] / sum_u w_u", "Chetty et al. (2017)", [], Share,
        |r: &RankMobility| Some(r.absolute_mobility)
    }
    AbsoluteMobilityAtLeast = absolute_mobility_at_least {
        "Absolute mobility (at least equal)",
        "share of children with at least their parents' status",
        "sum_u w_u [child >= parent] / sum_u w_u", "Chetty et al. (2017)", [], Share,
        |r: &RankMobility| Some(r.absolute_mobility_at_least)
    }
}

/// Declares the [`Measures`] struct, one `Option<f64>` field per [`Measure`] (the JSON keys).
macro_rules! measures_struct {
    ( $( $variant:ident = $field:ident ),* $(,)? ) => {
        /// Every matrix measure of the registry; `None` where undefined for this matrix (see each
        /// [`Measure`]'s [`MeasureInfo::needs`]). Serialises as an object keyed by the names, in
        /// registry order.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct Measures {
            $(
                #[doc = concat!("`", stringify!($field), "`: see [`Measure::", stringify!($variant), "`].")]
                pub $field: Option<f64>,
            )*
        }

        impl Measures {
            /// Builds the struct from one value per measure.
            pub fn from_fn(mut f: impl FnMut(Measure) -> Option<f64>) -> Measures {
                Measures { $( $field: f(Measure::$variant), )* }
            }

            /// One measure's value (`None` where undefined).
            pub fn value(&self, m: Measure) -> Option<f64> {
                match m { $( Measure::$variant => self.$field, )* }
            }
        }

        // The struct and the registry list the same measures in the same order.
        const _: () = {
            let order = [$( Measure::$variant ),*];
            assert!(order.len() == Measure::ALL.len());
            let mut i = 0;
            while i < order.len() {
                assert!(order[i] as usize == Measure::ALL[i] as usize);
                i += 1;
            }
        };
    };
}

measures_struct! {
    BottomPersistence = bottom_persistence,
    TopPersistence = top_persistence,
    UpwardFromBottom = upward_from_bottom,
    DownwardFromTop = downward_from_top,
    BottomToTop = bottom_to_top,
    TopToBottom = top_to_bottom,
    UpwardShare = upward_share,
    DownwardShare = downward_share,
    ImmobilityRatio = immobility_ratio,
    PraisBibby = prais_bibby,
    ShorrocksTrace = shorrocks_trace,
    DeterminantShorrocks = determinant_shorrocks,
    DeterminantGiddy = determinant_giddy,
    SecondEigenvalue = second_eigenvalue,
    EigenvalueSum = eigenvalue_sum,
    Bartholomew = bartholomew,
    MeanClassJump = mean_class_jump,
    AlthamIndependence = altham_independence,
}

impl Measure {
    /// Whether the measure depends on the origin weights `pi`.
    pub fn uses_pi(self) -> bool {
        self.info().needs.contains(&Need::Pi)
    }
}

impl RankMeasure {
    /// This measure's value in a [`RankMobility`].
    pub fn value(self, r: &RankMobility) -> Option<f64> {
        self.evaluate(r)
    }
}

impl Measures {
    /// `(name, value)` pairs in registry order.
    pub fn to_pairs(&self) -> Vec<(&'static str, Option<f64>)> {
        Measure::ALL
            .iter()
            .map(|&m| (m.name(), self.value(m)))
            .collect()
    }

    /// One measure by its name (`None` for an unknown name; `Some(None)` where undefined).
    pub fn get(&self, name: &str) -> Option<Option<f64>> {
        name.parse::<Measure>().ok().map(|m| self.value(m))
    }
}

/// Every registry entry: the matrix measures, then the rank measures.
pub fn all() -> impl Iterator<Item = &'static MeasureInfo> {
    Measure::ALL
        .iter()
        .map(|m| m.info())
        .chain(RankMeasure::ALL.iter().map(|m| m.info()))
}

/// A measure's registry entry by name (matrix or rank measure).
pub fn lookup(name: &str) -> Option<&'static MeasureInfo> {
    all().find(|i| i.name == name)
}

/// The measures a compact view of a matrix shows first, in this order (Python's text and HTML
/// views of a `TransitionMatrix`).
pub const HEADLINE: [Measure; 6] = [
    Measure::ShorrocksTrace,
    Measure::BottomPersistence,
    Measure::TopPersistence,
    Measure::BottomToTop,
    Measure::ImmobilityRatio,
    Measure::SecondEigenvalue,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_registry_names() {
        for &m in Measure::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.name());
            assert_eq!(m.name().parse::<Measure>().unwrap(), m);
        }
        for &m in RankMeasure::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.name());
            assert_eq!(m.name().parse::<RankMeasure>().unwrap(), m);
        }
        // the JSON keys are the names, in registry order
        let json = serde_json::to_string(&Measures::from_fn(|_| None)).unwrap();
        let expected: String = Measure::ALL
            .iter()
            .map(|m| format!("\"{}\":null", m.name()))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(json, format!("{{{expected}}}"));
    }

    #[test]
    fn names_are_unique_and_descriptions_short() {
        let all: Vec<&MeasureInfo> = all().collect();
        for (i, a) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
            assert!(a.description.len() <= 80, "{}", a.name);
            assert!(!a.formula.is_empty() && !a.source.is_empty());
        }
        assert!("nope".parse::<Measure>().is_err());
    }
}
