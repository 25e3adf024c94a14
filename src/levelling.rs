//! Levelling up versus social mobility, for a place or a group, against the national distribution.
//!
//! Policy debates treat the two as rivals. With classes cut at **national** quantiles, a place's
//! transition matrix says both how its children moved within the distribution (social, or
//! positional, mobility) and how the place's distribution itself moved between the generations
//! (levelling up):
//!
//! ```text
//! f_ij = pi_i p_ij                   the place's joint table over national classes
//! f_i. , f_.j                        its parent and child shares (not 1/k)
//! T = 1 - sum_i f_ii                 total mobility (share changing class)
//! S = 1/2 sum_i |f_i. - f_.i|        structural mobility: forced by the change of shares
//! E = T - S                          exchange mobility: reshuffling beyond it
//! levelling_up = sum_j j f_.j - sum_i i f_i.     mean national class, children minus parents
//! ```
//!
//! [`TransitionMatrix::decompose`] gives `T, S, E` for any matrix; [`TransitionMatrix::levelling`]
//! adds the shares, the levelling-up score, how far downward mobility falls (in classes) and
//! access to the top. [`places_report`] ranks a set of published place matrices (e.g. Chetty et
//! al. 2014's 741 commuting zones, read by [`read_place_matrices`]) on both axes and lists the
//! places that do well on one and badly on the other. For microdata with a place or group column,
//! see [`crate::groups::by_group`].

use std::path::Path;

use ndarray::{Array2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{MAX_CLASSES, MobilityError, Result};
use crate::matrix::{ProbabilityOptions, TransitionMatrix};
use crate::measures::{Measures, Weighting};
use crate::registry::Measure;
use crate::serde_nd;

/// Total, structural and exchange mobility of a joint table (docs/FORMULAS.md#structural-exchange, "Structural vs
/// exchange").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Decomposition {
    /// `T = 1 - sum_i f_ii`: the share of units in a different class from their parents.
    pub total: f64,
    /// `S = 1/2 sum_i |f_i. - f_.i|`: the least mobility the change in class shares forces.
    pub structural: f64,
    /// `E = T - S`: mobility beyond what the change in shares forces (reshuffling).
    pub exchange: f64,
}

/// Access to the top class from the bottom against from the middle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopAccess {
    /// The middle class used, 1-based: `ceil(k / 2)` (3 of 5 quintiles, 5 of 10 deciles, 2 of 4:
    /// the lower middle for even `k`).
    pub middle_class: usize,
    /// `p_1k`: P(top | bottom); `None` when the bottom parent class is empty.
    pub bottom_to_top: Option<f64>,
    /// `p_mk`: P(top | middle); `None` when the middle parent class is empty or `k < 3` (two
    /// classes have no middle).
    pub middle_to_top: Option<f64>,
    /// `p_1k / p_mk`: 1 means children of the bottom class reach the top as often as children
    /// of the middle class; `None` when either is undefined or `p_mk = 0`.
    pub ratio: Option<f64>,
}

/// Levelling up and social mobility of one place or group, over national classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Levelling {
    /// Number of classes.
    pub k: usize,
    /// Parent shares `f_i.` over the (national) classes.
    pub parent_shares: Vec<f64>,
    /// Child shares `f_.j` over the (national) classes.
    pub child_shares: Vec<f64>,
    /// Total, structural and exchange mobility.
    pub decomposition: Decomposition,
    /// Mean class of parents, `sum_i i f_i.` (1-based classes).
    pub mean_parent_class: f64,
    /// Mean class of children, `sum_j j f_.j`.
    pub mean_child_class: f64,
    /// The levelling-up score: `mean_child_class - mean_parent_class`, in national classes. Positive
    /// when the place's children stand higher in the national distribution than its parents
    /// did; 0 when its distribution did not move (then `S = 0` too).
    pub levelling_up: f64,
    /// `f_1. - f_.1`: how much smaller the bottom class is among children than among parents.
    pub bottom_share_change: f64,
    /// `f_.k - f_k.`: how much larger the top class is among children than among parents.
    pub top_share_change: f64,
    /// Share of units in a higher class than their parents, `sum_{j>i} f_ij`.
    pub upward_share: f64,
    /// Share of units in a lower class than their parents, `sum_{j<i} f_ij`.
    pub downward_share: f64,
    /// How far downward mobility goes, in classes: the mean drop `i - j` of those who end below
    /// their parents' class, `sum_{j<i} f_ij (i - j) / sum_{j<i} f_ij`; `None` when nobody
    /// falls.
    pub mean_fall_classes: Option<f64>,
    /// Access to the top from the bottom against from the middle.
    pub top_access: TopAccess,
}

impl TransitionMatrix {
    /// Total, structural and exchange mobility of the joint table `f_ij = pi_i p_ij` (parent
    /// shares times `P`; `n_ij / n` from counts).
    ///
    /// With classes from the same population (quantile classes of the data itself) the parent and
    /// child shares are equal and `S = 0`: all mobility is exchange (positional). With national
    /// cut-offs applied to a place, `S` measures how the place's distribution moved between the
    /// generations.
    ///
    /// # Formula
    /// ```text
    /// T = 1 - sum_i f_ii,   S = 1/2 sum_i |f_i. - f_.i|,   E = T - S
    /// ```
    /// Sources: Sobel (1983), "Structural mobility, circulation mobility and the analysis of
    /// occupational mobility", *American Sociological Review* 48; docs/FORMULAS.md#structural-exchange ("Structural vs
    /// exchange").
    ///
    /// # Complexity
    /// `O(k^2)`.
    ///
    /// # Example
    /// ```
    /// use mobility::TransitionMatrix;
    /// // A place where half the bottom-class parents' children moved up and nobody moved down.
    /// let tm = TransitionMatrix::from_counts(ndarray::array![[25.0, 25.0], [0.0, 50.0]].view()).unwrap();
    /// let d = tm.decompose();
    /// assert_eq!((d.total, d.structural, d.exchange), (0.25, 0.25, 0.0));
    /// ```
    pub fn decompose(&self) -> Decomposition {
        let f = self.joint();
        let total = 1.0 - f.diag().sum();
        let rows = f.sum_axis(Axis(1));
        let cols = f.sum_axis(Axis(0));
        let structural = 0.5
            * rows
                .iter()
                .zip(&cols)
                .map(|(a, b)| (a - b).abs())
                .sum::<f64>();
        // clamp rounding: 0 <= S <= T always holds in exact arithmetic
        let total = total.max(0.0);
        let structural = structural.min(total);
        Decomposition {
            total,
            structural,
            exchange: total - structural,
        }
    }

    /// Levelling up and social mobility of this matrix: shares, the structural/exchange split, the
    /// levelling-up score, how far downward mobility goes (in classes) and access to the top.
    ///
    /// Meant for matrices whose classes are national (a place's microdata against
    /// [`crate::ClassSpec::reference`] cut-offs, or a published place matrix with its shares);
    /// on a matrix with its own quantile classes the shares are equal and `levelling_up = 0`.
    ///
    /// # Formula
    /// ```text
    /// levelling_up = sum_j j f_.j - sum_i i f_i.            (classes 1..k)
    /// bottom_share_change = f_1. - f_.1,  top_share_change = f_.k - f_k.
    /// mean_fall_classes = sum_{j<i} f_ij (i - j) / sum_{j<i} f_ij
    /// top access ratio  = p_1k / p_mk,  m = ceil(k/2)
    /// ```
    /// Sources: Chetty et al. (2014) for P(Q5 | Q1); docs/FORMULAS.md#structural-exchange for `T, S, E`.
    ///
    /// # Complexity
    /// `O(k^2)`.
    ///
    /// # Example
    /// ```
    /// use mobility::TransitionMatrix;
    /// let tm = TransitionMatrix::from_counts(ndarray::array![[25.0, 25.0], [0.0, 50.0]].view()).unwrap();
    /// let l = tm.levelling();
    /// assert_eq!(l.levelling_up, 0.25); // mean class 1.75 for children, 1.5 for parents
    /// assert_eq!(l.mean_fall_classes, None); // nobody fell
    /// ```
    pub fn levelling(&self) -> Levelling {
        let k = self.k();
        let f = self.joint();
        let parent_shares: Vec<f64> = f.sum_axis(Axis(1)).to_vec();
        let child_shares: Vec<f64> = f.sum_axis(Axis(0)).to_vec();
        let mean = |s: &[f64]| {
            s.iter()
                .enumerate()
                .map(|(i, v)| (i + 1) as f64 * v)
                .sum::<f64>()
        };
        let (mean_parent_class, mean_child_class) = (mean(&parent_shares), mean(&child_shares));
        let (mut up, mut down, mut fall) = (0.0, 0.0, 0.0);
        for ((i, j), &v) in f.indexed_iter() {
            if j > i {
                up += v;
            } else if j < i {
                down += v;
                fall += v * (i - j) as f64;
            }
        }
        let empty = self.empty_rows();
        let row = |i: usize| (!empty.contains(&i)).then(|| self.probabilities()[[i, k - 1]]);
        let middle = k.div_ceil(2);
        let bottom_to_top = row(0);
        // with k = 2 the "middle" would be the bottom class itself: no comparison to make
        let middle_to_top = if k >= 3 { row(middle - 1) } else { None };
        let ratio = match (bottom_to_top, middle_to_top) {
            (Some(b), Some(m)) if m > 0.0 => Some(b / m),
            _ => None,
        };
        Levelling {
            k,
            decomposition: self.decompose(),
            mean_parent_class,
            mean_child_class,
            levelling_up: mean_child_class - mean_parent_class,
            bottom_share_change: parent_shares[0] - child_shares[0],
            top_share_change: child_shares[k - 1] - parent_shares[k - 1],
            upward_share: up,
            downward_share: down,
            mean_fall_classes: (down > 0.0).then(|| fall / down),
            top_access: TopAccess {
                middle_class: middle,
                bottom_to_top,
                middle_to_top,
                ratio,
            },
            parent_shares,
            child_shares,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Published place matrices
// ---------------------------------------------------------------------------------------------

/// One place's published matrix and shares, as read from a file (before any cleaning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceTable {
    /// Place identifier (e.g. the commuting-zone code).
    pub id: String,
    /// Place name.
    pub name: String,
    /// Region (e.g. the state), empty when the file has none.
    pub region: String,
    /// Population size column (e.g. children in the cohorts), when given.
    pub size: Option<f64>,
    /// `p_ij` = P(child in national class j | parent in national class i), parents in rows;
    /// `None` when any cell is empty (suppressed).
    #[serde(with = "serde_nd::option_matrix")]
    pub probabilities: Option<Array2<f64>>,
    /// The place's parent shares over national classes, when given in full.
    pub parent_shares: Option<Vec<f64>>,
    /// The place's child shares over national classes, when given in full.
    pub child_shares: Option<Vec<f64>>,
}

/// Reads place matrices in the layout of Chetty et al. (2014), Online Data Table 6: one row per
/// place, cells `p_par{i}_kid{j}` (i, j = 1..k), shares `frac_par_q{i}` and `frac_kid_q{j}`.
///
/// The first column is the place identifier; a column named `*name` gives the name, `state` or
/// `region` the region, and the first column starting with `n_` the size. `k` is the largest `i`
/// in the cell columns. Empty cells are read as missing: a place with any empty cell has
/// `probabilities = None` (and shares `None` likewise); it is kept so the caller can count it.
/// Values are kept as printed (no renormalisation: see [`places_report`]).
///
/// # Errors
/// [`MobilityError::Input`] when the file cannot be read, has no `p_par*_kid*` columns, misses a
/// cell column for some `i, j <= k`, or holds a value that is not a number (naming the line and
/// column).
///
/// # Complexity
/// `O(rows k^2)`.
///
/// # Example
/// ```no_run
/// let places = mobility::levelling::read_place_matrices(
///     "../shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv",
/// ).unwrap();
/// assert_eq!(places.len(), 741);
/// ```
pub fn read_place_matrices(path: impl AsRef<Path>) -> Result<Vec<PlaceTable>> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let input_error = |location: Option<String>, message: String| MobilityError::Input {
        path: shown.clone(),
        location,
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| input_error(None, e.to_string()))?;
    // UTF-16 input and a quote never closed are named as the CSV readers name them
    let watch = crate::io::encoding::QuoteWatch::new(file, &shown, b',')?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(watch);
    let raw_headers = reader
        .byte_headers()
        .map_err(|e| input_error(None, e.to_string()))?
        .clone();
    if let Some((quote, _)) = reader.get_ref().unterminated() {
        return Err(crate::io::encoding::unterminated_quote(&shown, quote));
    }
    let mut headers: Vec<String> = Vec::with_capacity(raw_headers.len());
    for (i, h) in raw_headers.iter().enumerate() {
        crate::io::encoding::check_utf8(
            &shown,
            Some("line 1".to_string()),
            &format!("header field {}", i + 1),
            h,
        )?;
        headers.push(String::from_utf8_lossy(h).trim().to_string());
    }
    let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    // cell columns
    let mut k = 0;
    for h in &headers {
        if let Some((i, j)) = parse_cell(h) {
            k = k.max(i).max(j);
        }
    }
    if k < 2 {
        return Err(input_error(
            None,
            "no p_par{i}_kid{j} columns (expected the layout of Chetty et al. 2014, table 6)"
                .into(),
        ));
    }
    if k > MAX_CLASSES {
        return Err(input_error(
            None,
            format!(
                "a p_par{{i}}_kid{{j}} column names class {k}; at most {MAX_CLASSES} classes \
                 are supported (check the header)"
            ),
        ));
    }
    let mut cell_col = vec![0usize; k * k];
    for i in 1..=k {
        for j in 1..=k {
            cell_col[(i - 1) * k + (j - 1)] = find(&format!("p_par{i}_kid{j}"))
                .ok_or_else(|| input_error(None, format!("column p_par{i}_kid{j} is missing")))?;
        }
    }
    let share_cols = |prefix: &str| -> Option<Vec<usize>> {
        (1..=k)
            .map(|i| find(&format!("{prefix}{i}")))
            .collect::<Option<Vec<usize>>>()
    };
    let par_cols = share_cols("frac_par_q");
    let kid_cols = share_cols("frac_kid_q");
    let name_col = headers
        .iter()
        .position(|h| h.to_ascii_lowercase().ends_with("name"));
    let region_col = find("state").or_else(|| find("region"));
    let size_col = headers.iter().position(|h| h.starts_with("n_"));

    let mut places = Vec::new();
    let mut record = csv::StringRecord::new();
    for line in 0.. {
        let line_no = line + 2; // header is line 1
        let more = reader.read_record(&mut record);
        if let Some((quote, _)) = reader.get_ref().unterminated() {
            return Err(crate::io::encoding::unterminated_quote(&shown, quote));
        }
        if !more.map_err(|e| input_error(Some(format!("line {line_no}")), e.to_string()))? {
            break;
        }
        let text = |c: usize| record.get(c).unwrap_or("").trim();
        let number = |c: usize| -> Result<Option<f64>> {
            let t = text(c);
            if t.is_empty() || crate::io::csv::is_missing(t) {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(input_error(
                    Some(format!("line {line_no}, column '{}'", headers[c])),
                    format!(
                        "{} is not a finite number",
                        crate::io::csv::show_cell(t.as_bytes())
                    ),
                )),
            }
        };
        let cells: Vec<Option<f64>> = cell_col.iter().map(|&c| number(c)).collect::<Result<_>>()?;
        let probabilities = cells
            .iter()
            .copied()
            .collect::<Option<Vec<f64>>>()
            .map(|v| Array2::from_shape_vec((k, k), v).expect("k * k cells"));
        let shares = |cols: &Option<Vec<usize>>| -> Result<Option<Vec<f64>>> {
            match cols {
                None => Ok(None),
                Some(cols) => Ok(cols
                    .iter()
                    .map(|&c| number(c))
                    .collect::<Result<Vec<Option<f64>>>>()?
                    .into_iter()
                    .collect::<Option<Vec<f64>>>()),
            }
        };
        places.push(PlaceTable {
            id: normalise_id(text(0)),
            name: name_col.map_or(String::new(), |c| text(c).to_string()),
            region: region_col.map_or(String::new(), |c| text(c).to_string()),
            size: match size_col {
                Some(c) => number(c)?,
                None => None,
            },
            probabilities,
            parent_shares: shares(&par_cols)?,
            child_shares: shares(&kid_cols)?,
        });
    }
    Ok(places)
}

/// `p_par{i}_kid{j}` -> `(i, j)`.
fn parse_cell(h: &str) -> Option<(usize, usize)> {
    let rest = h.strip_prefix("p_par")?;
    let (i, j) = rest.split_once("_kid")?;
    Some((i.parse().ok()?, j.parse().ok()?))
}

/// `"100.0"` -> `"100"` (identifiers printed as floats).
fn normalise_id(s: &str) -> String {
    match s.strip_suffix(".0") {
        Some(head) if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) => {
            head.to_string()
        }
        _ => s.to_string(),
    }
}

/// The social-mobility axis of a places report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MobilityScore {
    /// `p_1k`: P(top | bottom), Chetty et al. (2014)'s P(Q5 | Q1). The default.
    #[default]
    BottomToTop,
    /// `1 - p_11`: the share of bottom-class children who leave the bottom.
    UpwardFromBottom,
    /// `p_1k / p_mk`: access to the top from the bottom relative to the middle.
    TopAccessRatio,
    /// Shorrocks' trace index `(k - tr P) / (k - 1)`.
    ShorrocksTrace,
}

impl MobilityScore {
    /// Every score, in documentation order.
    pub const ALL: [MobilityScore; 4] = [
        MobilityScore::BottomToTop,
        MobilityScore::UpwardFromBottom,
        MobilityScore::TopAccessRatio,
        MobilityScore::ShorrocksTrace,
    ];

    /// The score's name (as the CLI and Python take it).
    pub fn name(self) -> &'static str {
        match self {
            MobilityScore::TopAccessRatio => "top_access_ratio",
            m => m.measure().expect("a registry measure").name(),
        }
    }

    /// The registry measure this score is (`None` for `top_access_ratio`, a ratio of two cells).
    pub fn measure(self) -> Option<Measure> {
        match self {
            MobilityScore::BottomToTop => Some(Measure::BottomToTop),
            MobilityScore::UpwardFromBottom => Some(Measure::UpwardFromBottom),
            MobilityScore::TopAccessRatio => None,
            MobilityScore::ShorrocksTrace => Some(Measure::ShorrocksTrace),
        }
    }

    /// A one-line description (the registry's for a measure).
    pub fn description(self) -> &'static str {
        match self.measure() {
            Some(m) => m.info().description,
            None => "access to the top from the bottom relative to the middle, p_1k / p_mk",
        }
    }

    fn value(self, m: &Measures, l: &Levelling) -> Option<f64> {
        match self.measure() {
            Some(measure) => m.value(measure),
            None => l.top_access.ratio,
        }
    }
}

impl std::str::FromStr for MobilityScore {
    type Err = MobilityError;

    fn from_str(s: &str) -> Result<MobilityScore> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        MobilityScore::ALL
            .into_iter()
            .find(|m| m.name() == norm)
            .ok_or_else(|| {
                let names: Vec<&str> = MobilityScore::ALL.iter().map(|m| m.name()).collect();
                MobilityError::unknown(crate::error::Parameter::MobilityScore, s, &names, "score")
            })
    }
}

/// Options of [`places_report`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacesOptions {
    /// The social-mobility axis.
    pub mobility_score: MobilityScore,
    /// A row (or a share vector) whose sum is further than this from 1 excludes the place;
    /// closer ones are rescaled to sum to 1 (disclosure noise, rounding) and counted.
    pub row_tolerance: f64,
    /// "Does well" = in the top `contrast_fraction` of ranked places on an axis; "badly" = in the
    /// bottom `contrast_fraction`.
    pub contrast_fraction: f64,
    /// Origin weights for the matrix measures.
    pub weighting: Weighting,
}

impl Default for PlacesOptions {
    fn default() -> Self {
        PlacesOptions {
            mobility_score: MobilityScore::BottomToTop,
            row_tolerance: 0.01,
            contrast_fraction: 0.2,
            weighting: Weighting::ParentShares,
        }
    }
}

/// One ranked place of a [`PlacesReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceRow {
    /// Place identifier.
    pub id: String,
    /// Place name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Population size, when given.
    pub size: Option<f64>,
    /// The levelling-up score (`levelling.levelling_up`: mean national class of children minus
    /// that of parents).
    pub levelling_score: f64,
    /// The social-mobility score chosen in [`PlacesOptions::mobility_score`].
    pub mobility_score: f64,
    /// Rank on levelling up among ranked places, 1 = most levelling up (ties: file order).
    pub levelling_rank: usize,
    /// Rank on mobility, 1 = most mobile.
    pub mobility_rank: usize,
    /// Rows of this place's matrix that were rescaled to sum to 1.
    pub rows_renormalised: usize,
    /// Largest gap between the published child shares and `parent shares . P` (0 when the file
    /// gives no child shares).
    pub child_share_gap: f64,
    /// Shares, structural/exchange split, levelling-up score, fall and access to the top.
    pub levelling: Levelling,
    /// Every canonical matrix measure.
    pub measures: Measures,
}

/// A place left out of the ranking, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcludedPlace {
    /// Place identifier.
    pub id: String,
    /// Place name.
    pub name: String,
    /// Why it was left out.
    pub reason: String,
}

/// A place that does well on one axis and badly on the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contrast {
    /// Place identifier.
    pub id: String,
    /// Place name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Its rank on levelling up.
    pub levelling_rank: usize,
    /// Its rank on mobility.
    pub mobility_rank: usize,
}

/// Places ranked on levelling up and on social mobility, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacesReport {
    /// Number of classes.
    pub k: usize,
    /// The options used.
    pub options: PlacesOptions,
    /// Ranked places, in file order.
    pub places: Vec<PlaceRow>,
    /// Places left out (suppressed cells, missing shares, rows too far from 1, undefined score).
    pub excluded: Vec<ExcludedPlace>,
    /// Rows rescaled to sum to 1, over all ranked places.
    pub rows_renormalised: usize,
    /// Ranked places with at least one rescaled row.
    pub places_renormalised: usize,
    /// Largest `|row sum - 1|` among ranked places before rescaling.
    pub max_row_deviation: f64,
    /// Spearman correlation across ranked places between the two scores (`None` if fewer than 2
    /// places or a constant score).
    pub score_correlation: Option<f64>,
    /// Places in the top fraction on levelling up and the bottom fraction on mobility.
    pub levelling_not_mobility: Vec<Contrast>,
    /// Places in the top fraction on mobility and the bottom fraction on levelling up.
    pub mobility_not_levelling: Vec<Contrast>,
}

impl PlacesReport {
    /// The ranked places ordered by levelling rank (best first).
    pub fn by_levelling(&self) -> Vec<&PlaceRow> {
        let mut v: Vec<&PlaceRow> = self.places.iter().collect();
        v.sort_by_key(|p| p.levelling_rank);
        v
    }

    /// The ranked places ordered by mobility rank (best first).
    pub fn by_mobility(&self) -> Vec<&PlaceRow> {
        let mut v: Vec<&PlaceRow> = self.places.iter().collect();
        v.sort_by_key(|p| p.mobility_rank);
        v
    }
}

/// Ranks published place matrices on levelling up and on social mobility, and lists the places
/// that do well on one and badly on the other.
///
/// Cleaning, in this order, each step counted or reported:
/// 1. a place with any empty (suppressed) cell, or without full parent shares, is excluded;
/// 2. a row of `P` (or the parent share vector) whose sum is within `row_tolerance` of 1 is
///    rescaled to sum to 1 (disclosure noise and rounding: Chetty et al.'s table 6 rows are off by
///    at most 2e-7) and, when it was more than 1e-12 off, counted in `rows_renormalised`; further
///    than `row_tolerance` off, or all zero, excludes the place;
/// 3. child shares are `parent shares . P` (consistent with the joint table); the published child
///    shares are only compared (`child_share_gap`);
/// 4. a place whose mobility score is undefined (e.g. `P(top | middle) = 0` for the ratio) is
///    excluded.
///
/// Ranks: 1 = highest score, ties broken by file order. With `m` ranked places and
/// `c = ceil(contrast_fraction m)`, "does well" is rank `<= c` and "does badly" rank `> m - c`.
///
/// # Formula
/// ```text
/// levelling score = sum_j j f_.j - sum_i i f_i.        f = pi_i p_ij over national classes
/// mobility score  = p_1k (default), 1 - p_11, p_1k / p_mk, or (k - tr P)/(k - 1)
/// ```
///
/// # Errors
/// [`MobilityError::InvalidParameter`] for a `row_tolerance` that is negative or not finite or a
/// `contrast_fraction` outside `(0, 0.5]`; [`MobilityError::Incompatible`] when places have
/// different `k`; [`MobilityError::EmptyInput`] when no place can be ranked.
///
/// # Complexity
/// `O(places k^3)` (eigenvalues per place), parallel over places; a few milliseconds for 741
/// quintile matrices.
///
/// # Example
/// ```
/// use mobility::levelling::{PlaceTable, PlacesOptions, places_report};
/// use ndarray::array;
/// let place = |id: &str, p: ndarray::Array2<f64>, s: Vec<f64>| PlaceTable {
///     id: id.into(), name: id.into(), region: String::new(), size: None,
///     probabilities: Some(p), parent_shares: Some(s), child_shares: None,
/// };
/// let places = vec![
///     // rising: most children above their parents' class, but the bottom stays put
///     place("A", array![[0.9, 0.1], [0.0, 1.0]], vec![0.5, 0.5]),
///     // fluid but sinking
///     place("B", array![[0.6, 0.4], [0.5, 0.5]], vec![0.2, 0.8]),
/// ];
/// let r = places_report(&places, &PlacesOptions::default()).unwrap();
/// assert_eq!(r.places[0].levelling_rank, 1);
/// assert_eq!(r.places[1].mobility_rank, 1);
/// ```
pub fn places_report(places: &[PlaceTable], options: &PlacesOptions) -> Result<PlacesReport> {
    if !(options.row_tolerance.is_finite() && options.row_tolerance >= 0.0) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::RowTolerance,
            format!(
                "must be a finite number >= 0, got {}",
                options.row_tolerance
            ),
        ));
    }
    if !(options.contrast_fraction > 0.0 && options.contrast_fraction <= 0.5) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::ContrastFraction,
            format!("must lie in (0, 0.5], got {}", options.contrast_fraction),
        ));
    }
    let k = places
        .iter()
        .find_map(|p| p.probabilities.as_ref().map(|m| m.nrows()))
        .ok_or_else(|| MobilityError::EmptyInput {
            what: format!(
                "places with a complete matrix (each of the {} places has a missing cell)",
                places.len()
            ),
        })?;
    if let Some(p) = places
        .iter()
        .find(|p| p.probabilities.as_ref().is_some_and(|m| m.dim() != (k, k)))
    {
        let dim = p
            .probabilities
            .as_ref()
            .map(|m| m.dim())
            .unwrap_or_default();
        return Err(MobilityError::Incompatible {
            reason: format!(
                "place {} has a {} x {} matrix, the first complete place {k} x {k}",
                p.id, dim.0, dim.1
            ),
        });
    }

    let cleaned: Vec<std::result::Result<Cleaned, String>> = places
        .par_iter()
        .with_min_len(16)
        .map(|p| clean_place(p, k, options))
        .collect();

    let mut rows = Vec::new();
    let mut excluded = Vec::new();
    for (p, c) in places.iter().zip(cleaned) {
        match c {
            Ok(c) => rows.push((p, c)),
            Err(reason) => excluded.push(ExcludedPlace {
                id: p.id.clone(),
                name: p.name.clone(),
                reason,
            }),
        }
    }
    if rows.is_empty() {
        const SHOW: usize = 5;
        let mut shown: Vec<String> = excluded
            .iter()
            .take(SHOW)
            .map(|e| format!("{}: {}", e.id, e.reason))
            .collect();
        if excluded.len() > SHOW {
            shown.push(format!("and {} more", excluded.len() - SHOW));
        }
        return Err(MobilityError::EmptyInput {
            what: format!(
                "places that can be ranked (all {} were excluded: {})",
                excluded.len(),
                shown.join("; ")
            ),
        });
    }
    let m = rows.len();
    let rank_of = |score: &dyn Fn(&Cleaned) -> f64| -> Vec<usize> {
        let mut order: Vec<usize> = (0..m).collect();
        // descending score, ties in file order (stable sort)
        order.sort_by(|&a, &b| score(&rows[b].1).total_cmp(&score(&rows[a].1)));
        let mut rank = vec![0; m];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r + 1;
        }
        rank
    };
    let levelling_rank = rank_of(&|c| c.levelling.levelling_up);
    let mobility_rank = rank_of(&|c| c.mobility);
    let cut = ((options.contrast_fraction * m as f64).ceil() as usize).max(1);
    let contrast = |i: usize, rows: &[(&PlaceTable, Cleaned)]| Contrast {
        id: rows[i].0.id.clone(),
        name: rows[i].0.name.clone(),
        region: rows[i].0.region.clone(),
        levelling_rank: levelling_rank[i],
        mobility_rank: mobility_rank[i],
    };
    let mut levelling_not_mobility: Vec<Contrast> = (0..m)
        .filter(|&i| levelling_rank[i] <= cut && mobility_rank[i] > m - cut)
        .map(|i| contrast(i, &rows))
        .collect();
    levelling_not_mobility.sort_by_key(|c| c.levelling_rank);
    let mut mobility_not_levelling: Vec<Contrast> = (0..m)
        .filter(|&i| mobility_rank[i] <= cut && levelling_rank[i] > m - cut)
        .map(|i| contrast(i, &rows))
        .collect();
    mobility_not_levelling.sort_by_key(|c| c.mobility_rank);

    let levelling_scores: Vec<f64> = rows.iter().map(|r| r.1.levelling.levelling_up).collect();
    let mobility_scores: Vec<f64> = rows.iter().map(|r| r.1.mobility).collect();
    let score_correlation = if m >= 2 {
        crate::rankbased::rank_mobility(&levelling_scores, &mobility_scores, None)
            .ok()
            .and_then(|r| r.spearman)
    } else {
        None
    };

    let rows_renormalised = rows.iter().map(|r| r.1.rows_renormalised).sum();
    let places_renormalised = rows.iter().filter(|r| r.1.rows_renormalised > 0).count();
    let max_row_deviation = rows
        .iter()
        .map(|r| r.1.max_row_deviation)
        .fold(0.0, f64::max);
    let places = rows
        .into_iter()
        .enumerate()
        .map(|(i, (p, c))| PlaceRow {
            id: p.id.clone(),
            name: p.name.clone(),
            region: p.region.clone(),
            size: p.size,
            levelling_score: c.levelling.levelling_up,
            mobility_score: c.mobility,
            levelling_rank: levelling_rank[i],
            mobility_rank: mobility_rank[i],
            rows_renormalised: c.rows_renormalised,
            child_share_gap: c.child_share_gap,
            levelling: c.levelling,
            measures: c.measures,
        })
        .collect();
    Ok(PlacesReport {
        k,
        options: options.clone(),
        places,
        excluded,
        rows_renormalised,
        places_renormalised,
        max_row_deviation,
        score_correlation,
        levelling_not_mobility,
        mobility_not_levelling,
    })
}

/// Row sums this close to 1 are floating-point representation, not noise: left as they are.
const ROW_EXACT: f64 = 1e-12;

/// A place after cleaning.
struct Cleaned {
    levelling: Levelling,
    measures: Measures,
    mobility: f64,
    rows_renormalised: usize,
    max_row_deviation: f64,
    child_share_gap: f64,
}

/// Cleans and measures one place; `Err(reason)` excludes it.
fn clean_place(
    place: &PlaceTable,
    k: usize,
    options: &PlacesOptions,
) -> std::result::Result<Cleaned, String> {
    let tol = options.row_tolerance;
    let Some(p) = &place.probabilities else {
        return Err("suppressed: matrix cells are empty".into());
    };
    let Some(shares) = &place.parent_shares else {
        return Err("parent shares are missing".into());
    };
    if shares.len() != k {
        return Err(format!("{} parent shares for {k} classes", shares.len()));
    }
    if let Some(((i, j), v)) = p.indexed_iter().find(|(_, v)| !v.is_finite() || **v < 0.0) {
        return Err(format!("cell ({}, {}) is {v}", i + 1, j + 1));
    }
    if let Some(v) = shares.iter().find(|v| !v.is_finite() || **v < 0.0) {
        return Err(format!("a parent share is {v}"));
    }
    let mut p = p.clone();
    let mut rows_renormalised = 0;
    let mut max_row_deviation: f64 = 0.0;
    for (i, mut row) in p.axis_iter_mut(Axis(0)).enumerate() {
        let sum = row.sum();
        let dev = (sum - 1.0).abs();
        if sum <= 0.0 || dev > tol {
            return Err(format!(
                "row {} sums to {sum} (more than {tol} from 1)",
                i + 1
            ));
        }
        max_row_deviation = max_row_deviation.max(dev);
        if dev > ROW_EXACT {
            row.mapv_inplace(|v| v / sum);
            rows_renormalised += 1;
        }
    }
    let share_sum: f64 = shares.iter().sum();
    if (share_sum - 1.0).abs() > tol {
        return Err(format!(
            "parent shares sum to {share_sum} (more than {tol} from 1)"
        ));
    }
    let shares: Vec<f64> = shares.iter().map(|v| v / share_sum).collect();
    let tm = TransitionMatrix::from_probabilities(
        p.view(),
        &ProbabilityOptions {
            parent_shares: Some(shares),
            tolerance: 1e-9,
            renormalise: false,
            child_in_rows: false,
        },
    )
    .map_err(|e| e.to_string())?;
    let child_share_gap = place.child_shares.as_ref().map_or(0.0, |c| {
        c.iter()
            .zip(tm.child_shares())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    });
    let measures = tm.measures(&options.weighting).map_err(|e| e.to_string())?;
    let levelling = tm.levelling();
    let mobility = options
        .mobility_score
        .value(&measures, &levelling)
        .ok_or_else(|| format!("{} is undefined", options.mobility_score.name()))?;
    Ok(Cleaned {
        levelling,
        measures,
        mobility,
        rows_renormalised,
        max_row_deviation,
        child_share_gap,
    })
}
