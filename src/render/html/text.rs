//! Plain-language wording of the report: class names, a short title and a one-line sentence per
//! headline measure with its number filled in (keyed by the registry's [`Measure`] and
//! [`RankMeasure`]), and the methods table: every registry measure's name, description, formula
//! and source, then the report's other figures.

use super::HeadlineMeasure;
use crate::registry::{Measure, RankMeasure, Scale};

/// How a reader names one class of `k`: "fifth" for quintiles, "tenth" for deciles.
pub fn class_noun(k: usize) -> String {
    match k {
        2 => "half".into(),
        3 => "third".into(),
        4 => "quarter".into(),
        5 => "fifth".into(),
        10 => "tenth".into(),
        20 => "twentieth".into(),
        100 => "percentile".into(),
        _ => format!("class (of {k})"),
    }
}

/// The classes as a group: "quintiles", "deciles", ...
pub fn class_kind(k: usize) -> String {
    match k {
        2 => "halves".into(),
        3 => "terciles".into(),
        4 => "quartiles".into(),
        5 => "quintiles".into(),
        10 => "deciles".into(),
        20 => "vingtiles".into(),
        100 => "percentiles".into(),
        _ => format!("{k} quantile classes"),
    }
}

/// A share as a percentage with one decimal, as the page prints every share: `33.7%`.
pub fn percent(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// The short title a reader knows a measure by ("Sticky floor"): the registry's
/// [`MeasureInfo::title`](crate::registry::MeasureInfo::title).
pub fn title(m: HeadlineMeasure) -> &'static str {
    m.info().title
}

/// One sentence a non-economist understands, with the value filled in. Measures without a
/// sentence of their own get the registry's description with the value.
///
/// Shares (`value` in `[0, 1]`) are written as percentages; the rank measures are on their own
/// scales (slope per rank point, absolute upward mobility a percentile rank 0-100).
pub fn sentence(m: HeadlineMeasure, value: f64, k: usize) -> String {
    use HeadlineMeasure::{Matrix, Rank};
    let c = class_noun(k);
    let v = percent(value);
    match m {
        Matrix(Measure::BottomPersistence) => {
            format!("Of children born in the poorest {c}, {v} stay in the poorest {c}.")
        }
        Matrix(Measure::TopPersistence) => {
            format!("Of children born in the richest {c}, {v} stay in the richest {c}.")
        }
        Matrix(Measure::BottomToTop) => {
            format!("Of children born in the poorest {c}, {v} reach the richest {c}.")
        }
        Matrix(Measure::TopToBottom) => {
            format!("Of children born in the richest {c}, {v} fall to the poorest {c}.")
        }
        Matrix(Measure::UpwardFromBottom) => {
            format!("Of children born in the poorest {c}, {v} climb out of it.")
        }
        Matrix(Measure::UpwardShare) => {
            format!("{v} of children end up in a higher {c} than their parents.")
        }
        Matrix(Measure::DownwardShare) => {
            format!("{v} of children end up in a lower {c} than their parents.")
        }
        Matrix(Measure::ImmobilityRatio) => {
            format!("{v} of children end up in the same {c} as their parents.")
        }
        Matrix(Measure::ShorrocksTrace) => format!(
            "On a scale from 0 (every child stays in their parents' {c}) to 1 (where you start \
             makes no difference), mobility here scores {value:.2}."
        ),
        Rank(RankMeasure::RankRankSlope) => format!(
            "Children of parents 10 percentiles higher up stand on average {:.1} percentiles \
             higher themselves (0 would mean parents' rank does not matter, 10 that it is \
             passed on in full).",
            10.0 * value
        ),
        Rank(RankMeasure::AbsoluteUpwardMobility) => format!(
            "Children whose parents were at the 25th percentile reach on average the \
             {} percentile (50 is the middle).",
            ordinal(value.round() as i64)
        ),
        Matrix(Measure::Bartholomew) => format!(
            "Children move on average {value:.2} of the largest possible distance between \
             classes."
        ),
        Matrix(Measure::SecondEigenvalue) => format!(
            "How fast the link to the parents' class fades across generations: {value:.2} \
             (0 = it never fades, 1 = it is gone in one generation)."
        ),
        other => {
            let d = other.info().description;
            let mut first = d.chars();
            let d = match first.next() {
                Some(f) => f.to_uppercase().chain(first).collect::<String>(),
                None => String::new(),
            };
            let shown = match other.info().scale {
                Scale::Share => v,
                _ => format!("{value:.2}"),
            };
            format!("{d}: {shown}.")
        }
    }
}

/// `1st`, `2nd`, `23rd`, `11th`.
pub fn ordinal(n: i64) -> String {
    let suffix = match (n % 100, n % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// One row of the methods section: a measure's definition and where it comes from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Method {
    /// Canonical name.
    pub name: String,
    /// What a reader calls it.
    pub title: String,
    /// What it says, in plain language.
    pub description: String,
    /// The formula, in the notation of docs/FORMULAS.md#notation.
    pub formula: String,
    /// The source.
    pub source: String,
}

/// The methods table: every registry measure (matrix measures, then rank measures) with its
/// description, formula and source, then the report's figures that are not registry measures
/// (the matrix itself, the rank-rank picture, the long run, levelling up, the intervals).
pub fn methods() -> Vec<Method> {
    let from_registry = Measure::ALL
        .iter()
        .map(|&m| HeadlineMeasure::Matrix(m))
        .chain(RankMeasure::ALL.iter().map(|&m| HeadlineMeasure::Rank(m)))
        .map(|m| {
            let info = m.info();
            Method {
                name: info.name.into(),
                title: title(m).into(),
                description: info.description.into(),
                formula: info.formula.into(),
                source: info.source.into(),
            }
        });
    let m = |name: &str, title: &str, description: &str, formula: &str, source: &str| Method {
        name: name.into(),
        title: title.into(),
        description: description.into(),
        formula: formula.into(),
        source: source.into(),
    };
    let figures = [
        m(
            "transition_matrix",
            "Transition matrix",
            "of children of parents in each class, the share in each class",
            "p_ij = n_ij / n_i.; classes by weighted mid-rank, class = ceil(k r)",
            "Prais (1955); Chetty et al. (2014)",
        ),
        m(
            "binned_ranks",
            "Rank-rank picture",
            "mean child rank at each level of parent rank, with the fitted line",
            "mean child rank in B equal bins of parent rank, bin = ceil(B r_p)",
            "Chetty, Hendren, Kline & Saez (2014), figure II",
        ),
        m(
            "steady_state",
            "Long-run distribution",
            "the class shares if this matrix applied generation after generation",
            "pi* with pi* P = pi*",
            "Prais (1955); GTH algorithm (Grassmann, Taksar & Heyman 1985)",
        ),
        m(
            "half_life",
            "Half-life",
            "generations for the pull of the starting class to halve",
            "ln(1/2) / ln |lambda_2|",
            "Sommers & Conlisk (1979); Shorrocks (1978)",
        ),
        m(
            "generations_to_mean",
            "Generations to the mean",
            "generations for a family in the poorest class to reach mean income",
            "min n with beta^n |ln y| <= 0.05; beta the IGE, y the bottom class's mean over the mean",
            "OECD (2018), ch. 1, figure 1.1",
        ),
        m(
            "levelling_up",
            "Levelling up (places)",
            "how far children of a place rise in national classes over their parents",
            "sum_j j f_.j - sum_i i f_i. (national classes)",
            "docs/FORMULAS.md#structural-exchange (structural vs exchange mobility; Sobel 1983)",
        ),
        m(
            "bootstrap",
            "Intervals",
            "the range the figure would likely take in another sample of the same size",
            "bootstrap over rows (or clusters), cut-offs re-estimated in every replicate",
            "Efron (1987), JASA 82(397): BCa; percentile",
        ),
    ];
    from_registry.chain(figures).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_fill_in_the_number() {
        use HeadlineMeasure::{Matrix, Rank};
        assert_eq!(
            sentence(Matrix(Measure::BottomPersistence), 0.337, 5),
            "Of children born in the poorest fifth, 33.7% stay in the poorest fifth."
        );
        assert!(
            sentence(Matrix(Measure::BottomToTop), 0.075, 5)
                .contains("7.5% reach the richest fifth")
        );
        assert!(
            sentence(Rank(RankMeasure::AbsoluteUpwardMobility), 41.3, 5)
                .contains("41st percentile")
        );
        // a measure without its own sentence: the registry description with the value
        assert_eq!(
            sentence(Rank(RankMeasure::AbsoluteMobility), 0.5, 5),
            "Share of children with a higher status than their parents: 50.0%."
        );
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(class_noun(10), "tenth");
    }

    #[test]
    fn methods_come_from_the_registry() {
        let methods = methods();
        for info in crate::registry::all() {
            let m = methods.iter().find(|m| m.name == info.name).unwrap();
            assert_eq!(
                (
                    m.description.as_str(),
                    m.formula.as_str(),
                    m.source.as_str()
                ),
                (info.description, info.formula, info.source)
            );
        }
        assert_eq!(
            title(HeadlineMeasure::Matrix(Measure::BottomPersistence)),
            "Sticky floor"
        );
    }
}
