//! Plain-language wording of the report: class names, a one-line sentence per headline measure
//! with its number filled in, and the methods table (definition and source per measure).
//!
//! Keyed by canonical measure name (FORMULAS.md); kept here until the measure registry carries
//! plain-language descriptions.

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

/// The short title of a headline measure ("Sticky floor"), by canonical name.
pub fn title(name: &str) -> Option<&'static str> {
    Some(match name {
        "bottom_persistence" => "Sticky floor",
        "top_persistence" => "Sticky ceiling",
        "bottom_to_top" => "Rags to riches",
        "top_to_bottom" => "Riches to rags",
        "upward_from_bottom" => "Escape from the bottom",
        "upward_share" => "Moving up",
        "downward_share" => "Moving down",
        "immobility_ratio" => "Staying put",
        "shorrocks_trace" => "Shorrocks' mobility index",
        "rank_rank_slope" => "Rank-rank slope",
        "absolute_upward_mobility" => "Absolute upward mobility",
        "bartholomew" => "Bartholomew's index",
        "second_eigenvalue" => "Second-eigenvalue index",
        _ => return None,
    })
}

/// One sentence a non-economist understands, with the value filled in, for a headline measure;
/// `None` for a name without a sentence.
///
/// Shares (`value` in `[0, 1]`) are written as percentages; the rank measures are on their own
/// scales (slope per rank point, absolute upward mobility a percentile rank 0-100).
pub fn sentence(name: &str, value: f64, k: usize) -> Option<String> {
    let c = class_noun(k);
    let v = percent(value);
    Some(match name {
        "bottom_persistence" => {
            format!("Of children born in the poorest {c}, {v} stay in the poorest {c}.")
        }
        "top_persistence" => {
            format!("Of children born in the richest {c}, {v} stay in the richest {c}.")
        }
        "bottom_to_top" => {
            format!("Of children born in the poorest {c}, {v} reach the richest {c}.")
        }
        "top_to_bottom" => {
            format!("Of children born in the richest {c}, {v} fall to the poorest {c}.")
        }
        "upward_from_bottom" => {
            format!("Of children born in the poorest {c}, {v} climb out of it.")
        }
        "upward_share" => format!("{v} of children end up in a higher {c} than their parents."),
        "downward_share" => format!("{v} of children end up in a lower {c} than their parents."),
        "immobility_ratio" => format!("{v} of children end up in the same {c} as their parents."),
        "shorrocks_trace" => format!(
            "On a scale from 0 (every child stays in their parents' {c}) to 1 (where you start \
             makes no difference), mobility here scores {value:.2}."
        ),
        "rank_rank_slope" => format!(
            "Children of parents 10 percentiles higher up stand on average {:.1} percentiles \
             higher themselves (0 would mean parents' rank does not matter, 10 that it is \
             passed on in full).",
            10.0 * value
        ),
        "absolute_upward_mobility" => format!(
            "Children whose parents were at the 25th percentile reach on average the \
             {} percentile (50 is the middle).",
            ordinal(value.round() as i64)
        ),
        "bartholomew" => format!(
            "Children move on average {value:.2} of the largest possible distance between \
             classes."
        ),
        "second_eigenvalue" => format!(
            "How fast the link to the parents' class fades across generations: {value:.2} \
             (0 = it never fades, 1 = it is gone in one generation)."
        ),
        _ => return None,
    })
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
    /// The formula, in the notation of FORMULAS.md.
    pub formula: String,
    /// The source.
    pub source: String,
}

/// The methods table: every measure the report shows, with its definition and source.
pub fn methods() -> Vec<Method> {
    let m = |name: &str, title: &str, formula: &str, source: &str| Method {
        name: name.into(),
        title: title.into(),
        formula: formula.into(),
        source: source.into(),
    };
    vec![
        m(
            "transition_matrix",
            "Transition matrix",
            "p_ij = n_ij / n_i.: the share of children of parents in class i who are in class j",
            "Prais (1955); classes by weighted mid-rank, class = ceil(k r) (Chetty et al. 2014)",
        ),
        m(
            "bottom_persistence",
            "Sticky floor",
            "p_11",
            "OECD (2018), A Broken Social Elevator? How to Promote Social Mobility",
        ),
        m(
            "top_persistence",
            "Sticky ceiling",
            "p_kk",
            "OECD (2018), A Broken Social Elevator?",
        ),
        m(
            "bottom_to_top",
            "Rags to riches",
            "p_1k (Q1 to Q5 with quintiles)",
            "Chetty, Hendren, Kline & Saez (2014), QJE 129(4)",
        ),
        m(
            "upward_share",
            "Moving up",
            "sum_i pi_i sum_{j>i} p_ij",
            "OECD (2018); pi = origin weights (parent shares by default)",
        ),
        m(
            "downward_share",
            "Moving down",
            "sum_i pi_i sum_{j<i} p_ij",
            "OECD (2018)",
        ),
        m(
            "shorrocks_trace",
            "Shorrocks' mobility index",
            "(k - trace P) / (k - 1)",
            "Prais (1955); Shorrocks (1978), Econometrica 46(5)",
        ),
        m(
            "rank_rank_slope",
            "Rank-rank slope",
            "weighted OLS slope of child rank on parent rank (ranks in (0, 1), ties at the mid-rank)",
            "Chetty, Hendren, Kline & Saez (2014), QJE 129(4)",
        ),
        m(
            "absolute_upward_mobility",
            "Absolute upward mobility",
            "intercept + 25 slope: the expected child rank (0-100) at parent rank 25",
            "Chetty, Hendren, Kline & Saez (2014)",
        ),
        m(
            "binned_ranks",
            "Rank-rank picture",
            "mean child rank in B equal bins of parent rank, bin = ceil(B r_p), with the fitted line",
            "Chetty, Hendren, Kline & Saez (2014), figure II",
        ),
        m(
            "steady_state",
            "Long-run distribution",
            "pi* with pi* P = pi*: the class shares if this matrix applied generation after generation",
            "Prais (1955); computed by the GTH algorithm (Grassmann, Taksar & Heyman 1985)",
        ),
        m(
            "half_life",
            "Half-life",
            "ln(1/2) / ln |lambda_2|: generations for the pull of the starting class to halve",
            "Sommers & Conlisk (1979); Shorrocks (1978)",
        ),
        m(
            "generations_to_mean",
            "Generations to the mean",
            "min n with beta^n |ln y| <= 0.05, beta the IGE, y the bottom class's mean income over the overall mean",
            "OECD (2018), ch. 1, figure 1.1",
        ),
        m(
            "levelling_up",
            "Levelling up (places)",
            "mean national class of children minus that of parents: sum_j j f_.j - sum_i i f_i.",
            "this library (FORMULAS.md, structural vs exchange; Sobel 1983)",
        ),
        m(
            "bootstrap",
            "Intervals",
            "bootstrap over units (or clusters), cut-offs re-estimated in every replicate; BCa or percentile",
            "Efron (1987), JASA 82(397)",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_fill_in_the_number() {
        assert_eq!(
            sentence("bottom_persistence", 0.337, 5).unwrap(),
            "Of children born in the poorest fifth, 33.7% stay in the poorest fifth."
        );
        assert!(
            sentence("bottom_to_top", 0.075, 5)
                .unwrap()
                .contains("7.5% reach the richest fifth")
        );
        assert!(
            sentence("absolute_upward_mobility", 41.3, 5)
                .unwrap()
                .contains("41st percentile")
        );
        assert!(sentence("no_such_measure", 0.1, 5).is_none());
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(class_noun(10), "tenth");
    }
}
