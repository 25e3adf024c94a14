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
//! access to the top. This is the measure of one matrix; [`crate::places::groups::by_group`]
//! computes it for every group of microdata and [`crate::places::report::places_report`] for a
//! set of published place matrices.

use ndarray::Axis;
use serde::{Deserialize, Serialize};

use crate::matrix::TransitionMatrix;

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
