//! Cut-offs and class assignment: from the data itself, from a reference population, or fixed.
//!
//! A set of [`Cutoffs`] for `k` classes is `k - 1` [`Cut`]s in status units. A unit with status
//! `x` is in class `<= m` exactly when `x < cut_m.value`, or `x == cut_m.value` and
//! `cut_m.inclusive`. Every rule in [`Rule`] is expressed this way, so classes computed against a
//! reference population (national ranks for a place) or fixed bands use the same code path.
//!
//! # Finding quantile cut-offs without sorting
//! Classes need only the `k - 1` cut-off order statistics, not full ranks. [`Cutoffs::quantiles`]
//! finds them by a weighted radix selection on order-preserving integer keys of the values: a pass
//! for the key range, one parallel histogram pass (65,536 buckets on the top 16 bits of the
//! observed range), one pass gathering the few buckets that hold a cut-off, then the same on the
//! next 16 bits of the (small) gathered set. `O(n)` time, with working memory proportional to the
//! gathered buckets, not to `n`.
//!
//! Layout: this file holds the cut-off types and classifiers; `select` the radix selection;
//! `rules` each rule's cut-offs from the order statistics it needs; `ties` the tie spans at the
//! cut-offs and their tally.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{
    MobilityError, Result, check_finite, check_k, check_k_requested, check_weights,
};
use crate::rank::{Rule, check_index_range, sort_key};

mod rules;
mod select;
#[cfg(test)]
mod tests;
mod ties;

use rules::midrank_cuts;
pub(crate) use rules::{giddy_cuts, stata_cuts, type7_cuts};
use select::order_statistics;
pub use ties::{CutoffTally, TieSpan, tie_spans};

/// One boundary between class `m` and class `m + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cut {
    /// The cut-off in status units.
    pub value: f64,
    /// Whether a unit whose status equals `value` belongs to the lower class.
    pub inclusive: bool,
    /// Rule `split` only: the boundary falls strictly inside the tie group at `value`, and this
    /// fraction (in `(0, 1)`) of each of the group's units belongs to the classes at or below the
    /// boundary, the rest above (docs/FORMULAS.md#rule-split). `None` for every other cut; `inclusive`
    /// then still gives the class of the group's midpoint, as under `midrank`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<f64>,
}

impl Cut {
    /// The smallest sort key that lies above this cut.
    #[inline]
    fn boundary(self) -> u64 {
        sort_key(self.value) + u64::from(self.inclusive)
    }
}

/// Where a set of cut-offs came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutoffSource {
    /// Quantiles of a population under a tie rule.
    Quantiles(Rule),
    /// Bounds given by the user in status units.
    Fixed,
}

/// Which side of a fixed bound a unit exactly on it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Closed {
    /// Bands `[b_{m-1}, b_m)`: a unit on a bound goes up (the usual reading of income bands).
    #[default]
    Left,
    /// Bands `(b_{m-1}, b_m]`: a unit on a bound stays down.
    Right,
}

crate::error::named_enum!(Closed, Closed, "side", {
    Left => "left",
    Right => "right",
});

/// The `k - 1` cut-offs that define `k` classes, numbered from the bottom.
///
/// Deserialisation validates with [`Cutoffs::from_cuts`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCutoffs")]
pub struct Cutoffs {
    cuts: Vec<Cut>,
    source: CutoffSource,
}

/// The serialised form of [`Cutoffs`], checked by [`Cutoffs::from_cuts`] before use.
#[derive(Deserialize)]
struct RawCutoffs {
    cuts: Vec<Cut>,
    source: CutoffSource,
}

impl TryFrom<RawCutoffs> for Cutoffs {
    type Error = MobilityError;

    fn try_from(raw: RawCutoffs) -> Result<Cutoffs> {
        Cutoffs::from_cuts(raw.cuts, raw.source)
    }
}

impl Cutoffs {
    /// Quantile cut-offs of `values` for `k` classes under `rule`.
    ///
    /// # Formula
    /// ```text
    /// midrank      class <= m  iff  k (W(x < x_i) + W(x = x_i)/2) <= m W       (= ceil(k r_i) <= m)
    /// giddy        q_m = x_(h) interpolated at h = m (n-1)/k (0-based),  class = 1 + #{m : q_m < x}
    /// r-type7      same q_m,                                             class = 1 + #{m : q_m <= x}
    /// stata-xtile  q_m = (x_(nm/k) + x_(nm/k+1))/2 if nm/k is whole, else x_(ceil(nm/k)) (1-based),
    ///              class = 1 + #{m : q_m < x}
    /// ```
    /// Sources: Chetty et al. (2014) for `midrank`; PySAL mapclassify `Quantiles`, R `quantile`
    /// type 7 (Hyndman & Fan 1996) with `cut(right = FALSE)`, Stata `_pctile`/`xtile`. Positions
    /// are computed in exact integer arithmetic, except for `giddy`, which follows mapclassify's
    /// floating-point percentile positions (`h = (w + (m-1) w)/100 (n-1)`, `w = 100/k`) and
    /// interpolation step by step so its cuts are bit for bit mapclassify's. Where mapclassify's
    /// cuts coincide it drops the repeats and shrinks `k`; here `k` is kept (empty classes).
    ///
    /// # Errors
    /// `k < 2` or above [`crate::error::MAX_CLASSES`], empty or non-finite values, bad weights, or
    /// weights with a rule other than `midrank` (the other rules reproduce unweighted software).
    ///
    /// # Complexity
    /// `O(n)` time (a parallel histogram pass and a gathering pass), no `O(n)` extra memory beyond
    /// the buckets that hold a cut-off.
    ///
    /// # Example
    /// ```
    /// use mobility::{quantile::Cutoffs, Rule};
    /// let x: Vec<f64> = (1..=10).map(f64::from).collect();
    /// let cuts = Cutoffs::quantiles(&x, None, 5, Rule::Midrank).unwrap();
    /// let classes: Vec<usize> = x.iter().map(|&v| cuts.class_of(v).unwrap()).collect();
    /// assert_eq!(classes, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    /// ```
    pub fn quantiles(
        values: &[f64],
        weights: Option<&[f64]>,
        k: usize,
        rule: Rule,
    ) -> Result<Cutoffs> {
        check_k(k)?;
        check_finite(values, "status")?;
        check_index_range(values.len())?;
        let relative = crate::rank::relative_weights(weights, values.len())?;
        let weights = relative.as_deref();
        let total = check_weights(weights, values.len())?;
        Self::quantiles_checked(values, weights, total, k, rule)
    }

    /// [`Cutoffs::quantiles`] after the caller has validated `values` and `weights` and summed the
    /// weights to `total` (saves passes over data already checked).
    pub(crate) fn quantiles_checked(
        values: &[f64],
        weights: Option<&[f64]>,
        total: f64,
        k: usize,
        rule: Rule,
    ) -> Result<Cutoffs> {
        check_k_requested(k)?;
        if weights.is_some() && !rule.takes_weights() {
            return Err(MobilityError::invalid(
                crate::error::Parameter::Rule,
                format!(
                    "the {rule} rule reproduces unweighted software; use midrank or split with \
                     weights"
                ),
            ));
        }
        let cuts = match rule {
            Rule::Midrank => midrank_cuts(values, weights, total, k, false),
            Rule::Split => midrank_cuts(values, weights, total, k, true),
            Rule::Giddy => giddy_cuts(values.len(), k, |p| order_statistics(values, p)),
            Rule::RType7 => type7_cuts(values.len(), k, false, |p| order_statistics(values, p)),
            Rule::StataXtile => stata_cuts(values.len(), k, |p| order_statistics(values, p)),
        };
        Ok(Cutoffs {
            cuts,
            source: CutoffSource::Quantiles(rule),
        })
    }

    /// Fixed cut-offs in status units: `bounds` are the `k - 1` inner bounds, strictly increasing.
    ///
    /// # Formula
    /// ```text
    /// Closed::Left:   class = 1 + #{m : b_m <= x}     (bands [b_{m-1}, b_m))
    /// Closed::Right:  class = 1 + #{m : b_m <  x}     (bands (b_{m-1}, b_m])
    /// ```
    ///
    /// # Errors
    /// No bound (k would be 1), a non-finite bound, or bounds not strictly increasing.
    ///
    /// # Complexity
    /// `O(k)`.
    ///
    /// # Example
    /// ```
    /// use mobility::quantile::{Closed, Cutoffs};
    /// let bands = Cutoffs::fixed(&[20_000.0, 50_000.0], Closed::Left).unwrap();
    /// assert_eq!(bands.k(), 3);
    /// assert_eq!(bands.class_of(20_000.0).unwrap(), 2);
    /// ```
    pub fn fixed(bounds: &[f64], closed: Closed) -> Result<Cutoffs> {
        check_k_requested(bounds.len() + 1)?;
        check_finite(bounds, "cut-offs")?;
        for (i, w) in bounds.windows(2).enumerate() {
            if w[1] <= w[0] {
                return Err(MobilityError::CutoffsNotIncreasing {
                    index: i + 2,
                    value: w[1],
                });
            }
        }
        let inclusive = closed == Closed::Right;
        Ok(Cutoffs {
            cuts: bounds
                .iter()
                .map(|&value| Cut {
                    value,
                    inclusive,
                    split: None,
                })
                .collect(),
            source: CutoffSource::Fixed,
        })
    }

    /// Cut-offs from explicit [`Cut`]s (e.g. read back from JSON).
    ///
    /// # Errors
    /// Fewer than one cut, a non-finite value, or cuts that would make a class's range decrease.
    ///
    /// # Complexity
    /// `O(k)`.
    pub fn from_cuts(cuts: Vec<Cut>, source: CutoffSource) -> Result<Cutoffs> {
        check_k_requested(cuts.len() + 1)?;
        let values: Vec<f64> = cuts.iter().map(|c| c.value).collect();
        check_finite(&values, "cut-offs")?;
        for (i, c) in cuts.iter().enumerate() {
            if let Some(f) = c.split
                && !(f > 0.0 && f < 1.0)
            {
                return Err(MobilityError::invalid(
                    crate::error::Parameter::Cutoffs,
                    format!(
                        "cut {}: a split fraction must lie strictly between 0 and 1, got {f}",
                        i + 1
                    ),
                ));
            }
        }
        for (i, w) in cuts.windows(2).enumerate() {
            if let (Some(a), Some(b)) = (w[0].split, w[1].split)
                && w[0].value == w[1].value
                && b < a
            {
                return Err(MobilityError::CutoffsNotIncreasing {
                    index: i + 2,
                    value: w[1].value,
                });
            }
            if w[1].boundary() < w[0].boundary() {
                return Err(MobilityError::CutoffsNotIncreasing {
                    index: i + 2,
                    value: w[1].value,
                });
            }
        }
        Ok(Cutoffs { cuts, source })
    }

    /// The number of classes, `k`.
    pub fn k(&self) -> usize {
        self.cuts.len() + 1
    }

    /// The `k - 1` cuts, from the bottom.
    pub fn cuts(&self) -> &[Cut] {
        &self.cuts
    }

    /// The cut-off values in status units, from the bottom.
    pub fn values(&self) -> Vec<f64> {
        self.cuts.iter().map(|c| c.value).collect()
    }

    /// Where these cut-offs came from.
    pub fn source(&self) -> CutoffSource {
        self.source
    }

    /// The class (1-based, from the bottom) of one status value.
    ///
    /// # Errors
    /// A NaN or infinite value.
    ///
    /// # Complexity
    /// `O(log k)`.
    pub fn class_of(&self, x: f64) -> Result<usize> {
        check_finite(&[x], "status")?;
        Ok(self.classifier().class0(sort_key(x)) + 1)
    }

    /// Classes (1-based) of many values, in their order.
    ///
    /// # Errors
    /// Empty input or a NaN or infinite value (naming its index).
    ///
    /// # Complexity
    /// `O(n log k)`, parallel.
    pub fn classify(&self, values: &[f64]) -> Result<Vec<u32>> {
        check_finite(values, "status")?;
        let c = self.classifier();
        Ok(values
            .par_iter()
            .with_min_len(1 << 14)
            .map(|&v| c.class0(sort_key(v)) as u32 + 1)
            .collect())
    }

    /// Whether some boundary shares a tie group between classes (rule `split`).
    pub fn has_split(&self) -> bool {
        self.cuts.iter().any(|c| c.split.is_some())
    }

    /// The class memberships of a value: `(class, fraction)` pairs (classes 1-based, fractions
    /// positive and summing to 1). One pair `(class_of(x), 1.0)` unless `x` is the value of a tie
    /// group that a `split` boundary falls inside.
    ///
    /// # Formula
    /// ```text
    /// F_m(x) = 1 if x below cut m, 0 if above, split_m if x = value_m of a split cut
    /// f(j)   = F_j(x) - F_{j-1}(x),   F_0 = 0, F_k = 1
    ///        = length(I_g ∩ C_j) / length(I_g)        (docs/FORMULAS.md#rule-split)
    /// ```
    ///
    /// # Errors
    /// A NaN or infinite value.
    ///
    /// # Complexity
    /// `O(k)`.
    ///
    /// # Example
    /// ```
    /// use mobility::{quantile::Cutoffs, Rule};
    /// // 0, 0, 0, 1, 2 in two classes: the boundary (2.5 of 5) falls inside the zeros
    /// let cuts = Cutoffs::quantiles(&[0.0, 0.0, 0.0, 1.0, 2.0], None, 2, Rule::Split).unwrap();
    /// let m = cuts.memberships(0.0).unwrap();
    /// assert_eq!(m.len(), 2);
    /// assert!((m[0].1 - 2.5 / 3.0).abs() < 1e-15 && m[0].0 == 1);
    /// assert_eq!(cuts.memberships(2.0).unwrap(), vec![(2, 1.0)]);
    /// ```
    pub fn memberships(&self, x: f64) -> Result<Vec<(usize, f64)>> {
        check_finite(&[x], "status")?;
        let s = self.splitter();
        let slot = s.slot(sort_key(x));
        Ok(s.shares(slot).iter().map(|&(c, f)| (c + 1, f)).collect())
    }

    pub(crate) fn splitter(&self) -> Splitter {
        let k = self.k();
        let classifier = self.classifier();
        let mut keys: Vec<u64> = self
            .cuts
            .iter()
            .filter(|c| c.split.is_some())
            .map(|c| sort_key(c.value))
            .collect();
        keys.dedup();
        let mut shares: Vec<Vec<(usize, f64)>> = (0..k).map(|j| vec![(j, 1.0)]).collect();
        for &key in &keys {
            // F_m: the fraction of the group at or below boundary m
            let below = |m: usize| -> f64 {
                if m == k - 1 {
                    return 1.0;
                }
                let c = self.cuts[m];
                match c.split {
                    Some(f) if sort_key(c.value) == key => f,
                    _ => {
                        if key >= c.boundary() {
                            0.0
                        } else {
                            1.0
                        }
                    }
                }
            };
            let mut prev = 0.0;
            let mut out = Vec::new();
            for j in 0..k {
                let f = below(j);
                if f > prev {
                    out.push((j, f - prev));
                }
                prev = f;
            }
            shares.push(out);
        }
        Splitter {
            classifier,
            keys,
            shares,
            k,
        }
    }

    pub(crate) fn classifier(&self) -> Classifier {
        Classifier {
            bounds: self.cuts.iter().map(|c| c.boundary()).collect(),
        }
    }
}

/// Cut-offs as sort-key boundaries: 0-based class = number of boundaries at or below the key.
#[derive(Debug, Clone)]
pub(crate) struct Classifier {
    bounds: Vec<u64>,
}

impl Classifier {
    /// 0-based class of a sort key.
    #[inline]
    pub(crate) fn class0(&self, key: u64) -> usize {
        if self.bounds.len() <= 32 {
            // branch-free count: the compiler vectorises it, and k is small
            self.bounds.iter().map(|&b| usize::from(key >= b)).sum()
        } else {
            self.bounds.partition_point(|&b| key >= b)
        }
    }
}

/// Fractional classification (rule `split`): a unit goes to a *slot*, its class `0..k` or, when
/// its value is a split tie group's, `k + g`; each slot has fixed class shares. Counting weights
/// per slot pair first and sharing them out at the end makes the counts independent of the row
/// order (exactly, for whole-number weights).
#[derive(Debug, Clone)]
pub(crate) struct Splitter {
    classifier: Classifier,
    /// Sort keys of the split tie groups, increasing.
    keys: Vec<u64>,
    /// Class shares `(class0, fraction)` of every slot.
    shares: Vec<Vec<(usize, f64)>>,
    k: usize,
}

impl Splitter {
    /// The number of slots, `k` + split groups.
    #[inline]
    pub(crate) fn slots(&self) -> usize {
        self.shares.len()
    }

    #[inline]
    pub(crate) fn slot(&self, key: u64) -> usize {
        if !self.keys.is_empty()
            && let Ok(g) = self.keys.binary_search(&key)
        {
            return self.k + g;
        }
        self.classifier.class0(key)
    }

    #[inline]
    pub(crate) fn shares(&self, slot: usize) -> &[(usize, f64)] {
        &self.shares[slot]
    }

    /// Shares a `slots x slots` table of weights (parent slot, child slot) out into the `k x k`
    /// counts `n_ij = sum_(a, b) s_ab f_a(i) f_b(j)`.
    pub(crate) fn expand(parent: &Splitter, child: &Splitter, slot_table: &[f64], out: &mut [f64]) {
        let (sp, sc, k) = (parent.slots(), child.slots(), parent.k);
        debug_assert_eq!(slot_table.len(), sp * sc);
        for a in 0..sp {
            for b in 0..sc {
                let s = slot_table[a * sc + b];
                if s == 0.0 {
                    continue;
                }
                for &(i, fi) in parent.shares(a) {
                    for &(j, fj) in child.shares(b) {
                        out[i * k + j] += s * fi * fj;
                    }
                }
            }
        }
    }
}
