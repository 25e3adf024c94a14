//! Published matrices, built in for examples, tests and comparisons.
//!
//! Each function returns the table as its source printed or distributed it, with the origin
//! (parent) in rows, and cites it. Published figures for these tables are checked in
//! `tests/golden.rs`.

use ndarray::{Array2, array};

use crate::matrix::{ProbabilityOptions, TransitionMatrix};

/// United States, national quintiles: Chetty, Hendren, Kline & Saez (2014), "Where is the Land of
/// Opportunity? The Geography of Intergenerational Mobility in the United States", QJE 129(4),
/// aggregated from Online Data Table 1 (1980-82 cohorts; the paper's Table II prints it rounded,
/// child quintile in rows). Parent shares are 1/5 by construction.
///
/// # Example
/// ```
/// let us = mobility::published::us_chetty_2014_quintiles();
/// assert_eq!((us.probabilities()[[0, 0]] * 1000.0).round() / 1000.0, 0.337); // Q1 -> Q1 33.7%
/// assert_eq!((us.probabilities()[[0, 4]] * 1000.0).round() / 1000.0, 0.075); // Q1 -> Q5 7.5%
/// ```
pub fn us_chetty_2014_quintiles() -> TransitionMatrix {
    let p = array![
        [
            0.336832906154859,
            0.2801802824594932,
            0.18415688077177064,
            0.12340990572526887,
            0.0754200248886082
        ],
        [
            0.24226754144258425,
            0.24236120657652538,
            0.21656102968227248,
            0.17558026107977334,
            0.12322996121884454
        ],
        [
            0.17779309191790918,
            0.19842451601445787,
            0.2208360334842835,
            0.22043099271673122,
            0.18251536586661835
        ],
        [
            0.1336668695568026,
            0.1598042370688388,
            0.20850605969906,
            0.24436828872675345,
            0.2536545449485451
        ],
        [
            0.10947238210428657,
            0.11923209942407455,
            0.16989142241856678,
            0.23621608716206535,
            0.36518800889100667
        ],
    ];
    TransitionMatrix::from_probabilities(p.view(), &ProbabilityOptions::default())
        .expect("published table is stochastic")
}

/// United Kingdom, quartiles: Blanden, Gregg & Machin (2005), "Intergenerational Mobility in
/// Europe and North America" (CEP / Sutton Trust): father's income quartile (son aged 16) by son's
/// earnings quartile at 30, 1970 British Cohort Study (as distributed in the R package
/// markovchain, data `blanden`). Printed to 2 decimals: rows 2 and 3 sum to 1.01 and 0.99, so the
/// rows are renormalised here; [`uk_blanden_2005_printed`] gives the table as printed.
///
/// # Example
/// ```
/// let uk = mobility::published::uk_blanden_2005_quartiles();
/// assert!((uk.probabilities().row(1).sum() - 1.0).abs() < 1e-15);
/// ```
pub fn uk_blanden_2005_quartiles() -> TransitionMatrix {
    let options = ProbabilityOptions {
        renormalise: true,
        ..ProbabilityOptions::default()
    };
    TransitionMatrix::from_probabilities(uk_blanden_2005_printed().view(), &options)
        .expect("renormalised table")
}

/// The Blanden, Gregg & Machin (2005) quartile table exactly as printed (rows do not all sum to 1).
pub fn uk_blanden_2005_printed() -> Array2<f64> {
    array![
        [0.38, 0.29, 0.22, 0.11],
        [0.25, 0.28, 0.26, 0.22],
        [0.21, 0.26, 0.28, 0.24],
        [0.16, 0.17, 0.25, 0.42],
    ]
}

/// US states' per-capita income quintiles, one-year transitions pooled over 1929-2009 (48 states,
/// BEA data as shipped with PySAL; the transition counts printed in the PySAL giddy documentation).
///
/// # Example
/// ```
/// let m = mobility::published::giddy_us_states_quintiles();
/// assert_eq!(m.n(), Some(3840.0));
/// ```
pub fn giddy_us_states_quintiles() -> TransitionMatrix {
    let counts = array![
        [729.0, 71.0, 1.0, 0.0, 0.0],
        [72.0, 567.0, 80.0, 3.0, 0.0],
        [0.0, 81.0, 631.0, 86.0, 2.0],
        [0.0, 3.0, 86.0, 573.0, 56.0],
        [0.0, 0.0, 1.0, 57.0, 741.0],
    ];
    TransitionMatrix::from_counts(counts.view()).expect("published counts")
}

/// Altham & Ferrie (2007), "Comparing Contingency Tables: Tools for Analyzing Data from Two
/// Groups Cross-Classified by Two Characteristics", Historical Methods 40(1):3-16, Table 1 counts
/// (4 x 4 occupational classes, as in the R package logmult's `iac` example).
pub fn altham_ferrie_2007_table1() -> TransitionMatrix {
    let counts = array![
        [260.0, 715.0, 424.0, 142.0],
        [195.0, 3245.0, 454.0, 247.0],
        [158.0, 874.0, 751.0, 327.0],
        [70.0, 664.0, 246.0, 228.0],
    ];
    TransitionMatrix::from_counts(counts.view()).expect("published counts")
}

/// Every built-in table by a short name: `us_chetty_2014`, `uk_blanden_2005`,
/// `giddy_us_states`, `altham_ferrie_2007`.
pub fn by_name(name: &str) -> Option<TransitionMatrix> {
    match name {
        "us_chetty_2014" => Some(us_chetty_2014_quintiles()),
        "uk_blanden_2005" => Some(uk_blanden_2005_quartiles()),
        "giddy_us_states" => Some(giddy_us_states_quintiles()),
        "altham_ferrie_2007" => Some(altham_ferrie_2007_table1()),
        _ => None,
    }
}

/// A one-line source for a built-in table, by the names [`by_name`] knows.
///
/// # Example
/// ```
/// assert!(mobility::published::describe("us_chetty_2014").unwrap().contains("Chetty"));
/// assert_eq!(mobility::published::describe("nowhere"), None);
/// ```
pub fn describe(name: &str) -> Option<&'static str> {
    match name {
        "us_chetty_2014" => {
            Some("US national quintiles, Chetty, Hendren, Kline & Saez (2014), QJE")
        }
        "uk_blanden_2005" => {
            Some("UK quartiles, Blanden, Gregg & Machin (2005), 1970 British Cohort Study")
        }
        "giddy_us_states" => {
            Some("US state income quintiles, 1-year moves 1929-2009 (PySAL giddy), counts")
        }
        "altham_ferrie_2007" => Some("Altham & Ferrie (2007), Table 1: 4 x 4 occupational counts"),
        _ => None,
    }
}

/// The names [`by_name`] knows.
pub const NAMES: [&str; 4] = [
    "us_chetty_2014",
    "uk_blanden_2005",
    "giddy_us_states",
    "altham_ferrie_2007",
];
