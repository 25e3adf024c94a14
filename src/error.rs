//! The one error type of the crate.
//!
//! Every fallible function returns [`Result`]; each variant carries the fields a caller needs to
//! point at the problem (which input, which row or column, which value). The messages are written
//! for people: the CLI prints them as they are and the Python bindings raise them as `ValueError`.

use serde::{Deserialize, Serialize};

/// Everything that can go wrong in `mobility`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum MobilityError {
    /// An input that must hold at least one element (or one unit of positive weight) is empty.
    #[error("{what} is empty")]
    EmptyInput {
        /// Which input, e.g. "parent status".
        what: String,
    },
    /// Two inputs that must be paired have different lengths.
    #[error("{what}: expected {expected} values, found {found}")]
    LengthMismatch {
        /// Which input, e.g. "child status".
        what: String,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// A value is NaN or infinite.
    #[error("{what} at index {index} is {value} (values must be finite numbers)")]
    NonFinite {
        /// Which input.
        what: String,
        /// Zero-based position of the offending value.
        index: usize,
        /// The value itself (NaN or +/-inf).
        value: f64,
    },
    /// A weight is negative.
    #[error("weight at index {index} is negative ({value}); weights must be >= 0")]
    NegativeWeight {
        /// Zero-based position.
        index: usize,
        /// The weight.
        value: f64,
    },
    /// All weights are zero, so no share or rank is defined.
    #[error("{what}: the total weight is zero")]
    ZeroTotalWeight {
        /// Which input.
        what: String,
    },
    /// The number of classes is below 2.
    #[error("the number of classes must be at least 2, got {k}")]
    TooFewClasses {
        /// The number asked for.
        k: usize,
    },
    /// A table that must be k x k is not square.
    #[error("{what} must be square, got {rows} rows and {cols} columns")]
    NotSquare {
        /// Which table.
        what: String,
        /// Rows found.
        rows: usize,
        /// Columns found.
        cols: usize,
    },
    /// A table entry is negative, NaN or infinite.
    #[error(
        "{what}: entry in row {row}, column {col} is {value} (entries must be finite and >= 0)"
    )]
    InvalidEntry {
        /// Which table.
        what: String,
        /// One-based row (parent class).
        row: usize,
        /// One-based column (child class).
        col: usize,
        /// The value found.
        value: f64,
    },
    /// A row of a probability table does not sum to 1 within the tolerance.
    #[error(
        "row {row} of the probability table sums to {}, not 1 (tolerance {tolerance}); \
         pass renormalise to rescale rounded tables",
        short(*.sum)
    )]
    RowSum {
        /// One-based row.
        row: usize,
        /// Its sum.
        sum: f64,
        /// The tolerance in force.
        tolerance: f64,
    },
    /// A class label lies outside 1..=k.
    #[error("{what} at index {index} is class {class}, outside 1..={k}")]
    ClassOutOfRange {
        /// Which input.
        what: String,
        /// Zero-based position.
        index: usize,
        /// The class found.
        class: i64,
        /// The number of classes.
        k: usize,
    },
    /// Cut-offs are not in increasing order.
    #[error(
        "cut-offs must be strictly increasing: cut-off {index} ({value}) is not above the one before it"
    )]
    CutoffsNotIncreasing {
        /// One-based position of the offending cut-off.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// The parts of a stored object (a deserialised matrix or result) do not agree with each
    /// other.
    #[error("inconsistent input: {what}")]
    Inconsistent {
        /// What does not agree.
        what: String,
    },
    /// Two objects that must agree (same k, same cut-offs) do not.
    #[error("incompatible inputs: {reason}")]
    Incompatible {
        /// What differs.
        reason: String,
    },
    /// A parameter is outside its domain.
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// Which parameter ([`Parameter`]'s `Display` is the name as the user writes it).
        name: Parameter,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A name (an option value such as a rule, a measure, a basis) is not one of the accepted
    /// spellings.
    #[error(
        "invalid {parameter}: '{given}' is not a {what}; expected {}",
        or_list(expected)
    )]
    UnknownName {
        /// Which parameter.
        parameter: Parameter,
        /// What was given.
        given: String,
        /// The accepted spellings (each type's `SPELLINGS` list).
        expected: Vec<String>,
        /// What kind of name, e.g. "rule".
        what: String,
    },
    /// A quantity is not defined for this input (e.g. a singular matrix where an inverse is needed).
    #[error("{what} is undefined: {reason}")]
    Undefined {
        /// The quantity.
        what: String,
        /// Why.
        reason: String,
    },
    /// Reading or parsing a file failed.
    #[error("{path}{}: {message}", location.as_ref().map(|l| format!(", {l}")).unwrap_or_default())]
    Input {
        /// The file.
        path: String,
        /// Where in it ("line 4", "column 'income'"), when known.
        location: Option<String>,
        /// The problem.
        message: String,
    },
}

/// A number for a message: at most 10 decimals, trailing zeros dropped (0.8999999999999999 -> 0.9).
fn short(x: f64) -> String {
    let s = format!("{x:.10}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, MobilityError>;

impl MobilityError {
    /// Shorthand for [`MobilityError::InvalidParameter`].
    pub fn invalid(name: Parameter, reason: impl Into<String>) -> Self {
        MobilityError::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }

    /// Shorthand for [`MobilityError::UnknownName`], with the accepted spellings.
    pub fn unknown(parameter: Parameter, given: &str, expected: &[&str], what: &str) -> Self {
        MobilityError::UnknownName {
            parameter,
            given: given.to_string(),
            expected: expected.iter().map(|s| s.to_string()).collect(),
            what: what.to_string(),
        }
    }

    /// The parameter this error is about, if it is about one.
    pub fn parameter(&self) -> Option<Parameter> {
        match self {
            MobilityError::InvalidParameter { name, .. } => Some(*name),
            MobilityError::UnknownName { parameter, .. } => Some(*parameter),
            _ => None,
        }
    }
}

/// Which side of a parent/child pair (or the common marginal) a parameter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The parents' distribution.
    Parent,
    /// The children's distribution.
    Child,
    /// One marginal for both.
    Marginal,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Parent => "parent",
            Side::Child => "child",
            Side::Marginal => "marginal",
        })
    }
}

macro_rules! parameters {
    ( $( $(#[$m:meta])* $variant:ident => $shown:literal, )* ) => {
        /// A parameter an error can be about. `Display` gives it as the user writes it (as in
        /// the messages); serde gives the snake_case variant name.
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Parameter {
            $( $(#[$m])* #[doc = concat!("`", $shown, "`")] $variant, )*
            /// `mu` of a log-normal marginal.
            Mu(Side),
            /// `sigma` of a log-normal marginal.
            Sigma(Side),
            /// `mu` and `sigma` together.
            MuAndSigma(Side),
        }

        impl std::fmt::Display for Parameter {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $( Parameter::$variant => f.write_str($shown), )*
                    Parameter::Mu(s) => write!(f, "{s} mu"),
                    Parameter::Sigma(s) => write!(f, "{s} sigma"),
                    Parameter::MuAndSigma(s) => write!(f, "{s} mu and sigma"),
                }
            }
        }
    };
}

parameters! {
    Pi => "pi",
    OriginWeights => "origin weights pi",
    ParentShares => "parent shares",
    ChildShares => "child shares",
    Weighting => "weighting",
    Rule => "rule",
    Ranks => "ranks",
    Closed => "closed",
    Cutoffs => "cutoffs",
    Correlation => "correlation",
    PearsonRho => "correlation (Pearson rho)",
    SpearmanRho => "correlation (Spearman rho_s)",
    Rho => "rho",
    Ci => "ci",
    Level => "level",
    Replicates => "replicates",
    JackknifeGroups => "jackknife_groups",
    Clusters => "clusters",
    Status => "status",
    Statistic => "statistic",
    Selection => "statistics",
    Measure => "measure",
    RowCounts => "row counts",
    EffectiveRowCounts => "effective row counts",
    Bandwidth => "bandwidth",
    Method => "method",
    Tables => "tables",
    FirstTable => "first table",
    SecondTable => "second table",
    Df => "df",
    Tolerance => "tolerance",
    // Ranking places (issue 11).
    Kind => "kind",
    Coverage => "coverage",
    Draws => "draws",
    StandardErrors => "standard errors",
    Covariance => "covariance matrix",
    Indices => "indices",
    Tau => "tau",
    Target => "target",
    MinSize => "min_size",
    NumberOfClasses => "number of classes",
    N => "n",
    States => "states",
    PeriodYears => "period_years",
    Beta => "beta",
    Ratio => "ratio",
    ParentRank => "parent_rank",
    NationalParentRanks => "national parent ranks",
    NationalChildRanks => "national child ranks",
    FractionalRank => "r",
    Name => "name",
    MobilityScore => "mobility_score",
    RowTolerance => "row_tolerance",
    ContrastFraction => "contrast_fraction",
    Delimiter => "delimiter",
    Bins => "bins",
    Json => "json",
    WeightKind => "weight kind",
    Periods => "periods",
    Weights => "weights",
    By => "by",
    Rows => "rows",
    Summary => "summary",
    Ids => "ids",
    Format => "format",
    MemoryLimit => "memory limit",
}

/// Checks that `values` is non-empty and holds only finite numbers.
///
/// # Errors
/// [`MobilityError::EmptyInput`] or [`MobilityError::NonFinite`] naming `what`.
pub(crate) fn check_finite(values: &[f64], what: &str) -> Result<()> {
    if values.is_empty() {
        return Err(MobilityError::EmptyInput { what: what.into() });
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(MobilityError::NonFinite {
            what: what.into(),
            index,
            value,
        });
    }
    Ok(())
}

/// Checks optional weights against a length: finite, non-negative, positive total.
///
/// Returns the total weight (`n` when `weights` is `None`).
///
/// # Errors
/// [`MobilityError::LengthMismatch`], [`MobilityError::NonFinite`],
/// [`MobilityError::NegativeWeight`] or [`MobilityError::ZeroTotalWeight`].
pub(crate) fn check_weights(weights: Option<&[f64]>, n: usize) -> Result<f64> {
    let total = check_weight_values(weights, n)?;
    if total <= 0.0 {
        return Err(MobilityError::ZeroTotalWeight {
            what: "weights".into(),
        });
    }
    Ok(total)
}

/// As [`check_weights`], but a zero total is allowed (counting a chunk against fixed cut-offs).
///
/// # Errors
/// [`MobilityError::LengthMismatch`], [`MobilityError::NonFinite`] or
/// [`MobilityError::NegativeWeight`].
pub(crate) fn check_weight_values(weights: Option<&[f64]>, n: usize) -> Result<f64> {
    let Some(w) = weights else {
        return Ok(n as f64);
    };
    if w.len() != n {
        return Err(MobilityError::LengthMismatch {
            what: "weights".into(),
            expected: n,
            found: w.len(),
        });
    }
    let mut total = 0.0;
    for (index, &value) in w.iter().enumerate() {
        if !value.is_finite() {
            return Err(MobilityError::NonFinite {
                what: "weights".into(),
                index,
                value,
            });
        }
        if value < 0.0 {
            return Err(MobilityError::NegativeWeight { index, value });
        }
        total += value;
    }
    Ok(total)
}

/// Checks that two paired inputs have the same length.
///
/// # Errors
/// [`MobilityError::LengthMismatch`] naming `what` (the second input).
pub(crate) fn check_same_length(expected: usize, found: usize, what: &str) -> Result<()> {
    if expected != found {
        return Err(MobilityError::LengthMismatch {
            what: what.into(),
            expected,
            found,
        });
    }
    Ok(())
}

/// The most classes a matrix may have: per-mille classes. Tables are `k x k` and the spectral
/// measures cost `O(k^3)` (about a second at `k = 1000`, minutes at `k = 3000`), so `k` is
/// bounded wherever it comes from (an option, a table's size, a header, a cut-off list).
pub const MAX_CLASSES: usize = 1000;

/// Checks `2 <= k <=` [`MAX_CLASSES`].
///
/// # Errors
/// [`MobilityError::TooFewClasses`] or [`MobilityError::InvalidParameter`].
pub fn check_k(k: usize) -> Result<()> {
    if k < 2 {
        return Err(MobilityError::TooFewClasses { k });
    }
    if k > MAX_CLASSES {
        return Err(MobilityError::invalid(
            Parameter::NumberOfClasses,
            format!(
                "{k} is more than the {MAX_CLASSES} supported (per-mille classes); \
                 use fewer classes or aggregate the table"
            ),
        ));
    }
    Ok(())
}

/// Checks `2 <= k <=` [`MAX_CLASSES`] for classes requested by the user (as [`check_k`]).
///
/// # Errors
/// [`MobilityError::TooFewClasses`] or [`MobilityError::InvalidParameter`].
pub(crate) fn check_k_requested(k: usize) -> Result<()> {
    check_k(k)
}

/// Gives a fieldless user-facing enum its one spelling list: `SPELLINGS` (every accepted
/// spelling, canonical names first), `name()`, `Display` (the canonical name) and `FromStr`
/// (any listed spelling, any case, `-` and `_` alike), failing with
/// [`MobilityError::UnknownName`] that lists the canonical names.
macro_rules! named_enum {
    ($ty:ident, $param:ident, $what:literal, { $( $variant:ident => $name:literal $(| $alias:literal)* ),* $(,)? }) => {
        impl $ty {
            /// The canonical names, one per value, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($name),*];
            /// Every accepted spelling: the canonical names, then the aliases.
            pub const SPELLINGS: &'static [&'static str] = &[$($name,)* $($($alias,)*)*];

            /// The canonical name (as the CLI, Python and serde write it).
            pub const fn name(self) -> &'static str {
                match self { $( $ty::$variant => $name, )* }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::error::MobilityError;

            fn from_str(s: &str) -> $crate::error::Result<$ty> {
                let norm = |x: &str| x.trim().to_ascii_lowercase().replace('-', "_");
                let given = norm(s);
                $(
                    if norm($name) == given $(|| norm($alias) == given)* {
                        return Ok($ty::$variant);
                    }
                )*
                Err($crate::error::MobilityError::unknown(
                    $crate::error::Parameter::$param,
                    s,
                    $ty::NAMES,
                    $what,
                ))
            }
        }
    };
}
pub(crate) use named_enum;
