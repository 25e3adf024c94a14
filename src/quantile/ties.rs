//! Tie groups across class boundaries: which tie groups of the status have a class boundary
//! strictly inside their rank interval (docs/FORMULAS.md#ties-compared), found without a sort
//! from a mergeable tally at the cut-off values ([`CutoffTally`]; the streaming counting pass
//! keeps one per side).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Cutoffs;
use super::select::{CHUNK, Located, locate};
use crate::error::{MobilityError, Result, check_finite, check_weights};
use crate::exact::{ExactSum, add_each};
use crate::rank::{Rule, check_index_range, from_sort_key, sort_key};

/// A tie group whose rank interval crosses a class boundary (docs/FORMULAS.md#ties-compared):
/// under every rule but `split` the group cannot be divided, so the classes it spans cannot all
/// hold `1/k`; under `split` it is shared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TieSpan {
    /// Parent or child status.
    pub side: crate::error::Side,
    /// The tied value.
    pub value: f64,
    /// How many records hold it.
    pub records: u64,
    /// The group's share of the total weight, `T_g / W`.
    pub weight_share: f64,
    /// The group's rank interval `[B_g / W, (B_g + T_g) / W]`.
    pub rank_interval: (f64, f64),
    /// The classes (1-based) the interval overlaps.
    pub spans: Vec<usize>,
    /// Where the rule put the group: `(class, fraction)`, one class with fraction 1 unless the
    /// rule is `split`.
    pub assigned: Vec<(usize, f64)>,
    /// The rule in use.
    pub rule: Rule,
    /// The rule to consider instead (`split`), `None` when it is already in use.
    pub suggestion: Option<Rule>,
}

impl TieSpan {
    /// One plain-language sentence, naming classes with `labels` (1-based class `c` is
    /// `labels[c - 1]`).
    pub fn message(&self, labels: &[String]) -> String {
        let name = |c: usize| {
            labels
                .get(c - 1)
                .cloned()
                .unwrap_or_else(|| format!("C{c}"))
        };
        let spans: Vec<String> = self.spans.iter().map(|&c| name(c)).collect();
        let head = format!(
            "{} status: {} rows ({:.1}% of the weight) share the value {}; their rank interval \
             [{:.3}, {:.3}] spans classes {}",
            self.side,
            self.records,
            100.0 * self.weight_share,
            crate::render::text::significant(self.value),
            self.rank_interval.0,
            self.rank_interval.1,
            spans.join(", ")
        );
        match self.suggestion {
            Some(s) => format!(
                "{head}; the {} rule puts them all in {}, so the classes cannot hold 1/k each \
                 (consider the {s} rule, which shares the group among the classes it spans)",
                self.rule,
                self.assigned
                    .first()
                    .map_or_else(String::new, |a| name(a.0))
            ),
            None => {
                let shares: Vec<String> = self
                    .assigned
                    .iter()
                    .map(|&(c, f)| format!("{} {:.1}%", name(c), 100.0 * f))
                    .collect();
                format!(
                    "{head}; the {} rule shares them: {}",
                    self.rule,
                    shares.join(", ")
                )
            }
        }
    }
}

/// The tie groups of `values` (two or more records) whose rank interval has a class boundary
/// `m / k` of `cutoffs` strictly inside it, and where the cut-offs put them.
///
/// # Formula
/// ```text
/// group g spans when  k B_g < m W < k (B_g + T_g)  for some m = 1..k-1
/// spans = floor(k B_g / W) + 1 ..= ceil(k (B_g + T_g) / W)
/// ```
///
/// # Errors
/// Empty or non-finite values, bad weights or a zero total weight.
///
/// # Complexity
/// One pass measuring the cut-off values, `O(n log k)` (the weighted selection as well for a
/// boundary no cut-off value holds): no sort.
///
/// # Example
/// ```
/// use mobility::{error::Side, quantile::{tie_spans, Cutoffs}, Rule};
/// let x = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
/// let cuts = Cutoffs::quantiles(&x, None, 5, Rule::Midrank).unwrap();
/// let spans = tie_spans(&x, None, &cuts, Rule::Midrank, Side::Parent).unwrap();
/// assert_eq!(spans.len(), 1);
/// assert_eq!(spans[0].spans, vec![1, 2, 3]);
/// assert_eq!(spans[0].assigned, vec![(2, 1.0)]); // the midpoint 0.25 is in class 2
/// ```
pub fn tie_spans(
    values: &[f64],
    weights: Option<&[f64]>,
    cutoffs: &Cutoffs,
    rule: Rule,
    side: crate::error::Side,
) -> Result<Vec<TieSpan>> {
    check_finite(values, "status")?;
    check_index_range(values.len())?;
    check_weights(weights, values.len())?;
    // A group spans a boundary m / k only if it holds the weighted position m W / k. That group
    // is almost always at a cut-off value, so one pass measures the cut-off values first; the
    // selection finds any position they do not hold.
    let mut tally = CutoffTally::new(cutoffs, &[], weights.is_some());
    tally.add(values, weights);
    let total = tally.total();
    let targets = tally.targets();
    let mut holders = tally.holders();
    let missing: Vec<f64> = targets
        .iter()
        .zip(&holders)
        .filter(|(_, h)| h.is_none())
        .map(|(&t, _)| t)
        .collect();
    if !missing.is_empty() {
        let kf = cutoffs.k() as f64;
        let located = locate(values, weights, kf, &missing);
        let mut extra = CutoffTally::at_keys(
            cutoffs.k(),
            located.iter().map(|l| l.key).collect(),
            weights.is_some(),
        );
        extra.add(values, weights);
        let mut found = located.into_iter().map(|l| {
            let records = extra.records_at(l.key);
            (l, records)
        });
        for h in holders.iter_mut().filter(|h| h.is_none()) {
            *h = found.next();
        }
    }
    spans_of(cutoffs, total, &targets, &holders, rule, side)
}

/// The tie spans from the group holding each boundary position (`None`: unknown, skipped).
fn spans_of(
    cutoffs: &Cutoffs,
    total: f64,
    targets: &[f64],
    holders: &[Option<(Located, u64)>],
    rule: Rule,
    side: crate::error::Side,
) -> Result<Vec<TieSpan>> {
    let k = cutoffs.k();
    let kf = k as f64;
    let mut groups: Vec<(Located, u64)> = Vec::new();
    for (h, &t) in holders.iter().zip(targets) {
        // the boundary is strictly inside the group when k B < t (t < k (B + T) holds)
        if let Some((l, records)) = *h
            && kf * l.below < t
            && groups.last().is_none_or(|g| g.0.key != l.key)
        {
            groups.push((l, records));
        }
    }
    let mut out = Vec::new();
    for &(g, records) in &groups {
        if records < 2 {
            continue;
        }
        let (below, tie) = (g.below, g.tie);
        let (lo, hi) = (kf * below, kf * (below + tie));
        let first = ((lo / total).floor() as usize + 1).clamp(1, k);
        let last = ((hi / total).ceil() as usize).clamp(1, k);
        let value = from_sort_key(g.key);
        out.push(TieSpan {
            side,
            value,
            records,
            weight_share: tie / total,
            rank_interval: (below / total, (below + tie) / total),
            spans: (first..=last).collect(),
            assigned: cutoffs.memberships(value)?,
            rule,
            suggestion: (rule != Rule::Split).then_some(Rule::Split),
        });
    }
    Ok(out)
}

/// Records and weight at each cut-off value and between consecutive ones: what the tie-span
/// diagnostics need, as a mergeable summary (the streaming counting pass keeps one per side).
/// Sums are exact ([`ExactSum`]), so any order and partitioning of the rows gives the same.
///
/// # Formula
/// ```text
/// for sorted distinct cut values c_1 < ... < c_J:  at_j = sum_u w_u [x_u = c_j],
/// between_j = sum_u w_u [c_(j-1) < x_u < c_j];  B(c_j) = sum_(i<j) (between_i + at_i) + between_j
/// ```
///
/// # Complexity
/// [`CutoffTally::add`] is `O(n log J)`, parallel over fixed chunks; `O(J)` memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutoffTally {
    k: usize,
    keys: Vec<u64>,
    /// Per slot `2j` (between keys `j - 1` and `j`) and `2j + 1` (at key `j`): records.
    records: Vec<u64>,
    /// Per slot: exact weight (empty when unweighted).
    weight: Vec<ExactSum>,
}

impl CutoffTally {
    /// An empty tally at the values of `cutoffs` and at the values with sort keys `extra`
    /// (`weighted`: rows carry weights).
    pub fn new(cutoffs: &Cutoffs, extra: &[u64], weighted: bool) -> CutoffTally {
        let keys: Vec<u64> = cutoffs
            .cuts()
            .iter()
            .map(|c| sort_key(c.value))
            .chain(extra.iter().copied())
            .collect();
        CutoffTally::at_keys(cutoffs.k(), keys, weighted)
    }

    fn at_keys(k: usize, mut keys: Vec<u64>, weighted: bool) -> CutoffTally {
        keys.sort_unstable();
        keys.dedup();
        let slots = 2 * keys.len() + 1;
        CutoffTally {
            k,
            records: vec![0; slots],
            weight: if weighted {
                vec![ExactSum::zero(); slots]
            } else {
                Vec::new()
            },
            keys,
        }
    }

    /// Adds rows (`weights` given exactly when the tally is weighted; the caller checks values
    /// and weights).
    pub fn add(&mut self, values: &[f64], weights: Option<&[f64]>) {
        let keys = &self.keys;
        let slot = |v: f64| match keys.binary_search(&sort_key(v)) {
            Ok(j) => 2 * j + 1,
            Err(j) => 2 * j,
        };
        let weights = weights.filter(|_| !self.weight.is_empty());
        let parts: Vec<CutoffTally> = values
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                // this chunk's slots (the keys stay with `self`)
                let mut t = CutoffTally {
                    k: self.k,
                    keys: Vec::new(),
                    records: vec![0; self.records.len()],
                    weight: vec![ExactSum::zero(); self.weight.len()],
                };
                match weights {
                    Some(w) => {
                        let w = &w[c * CHUNK..c * CHUNK + chunk.len()];
                        for (&v, &wi) in chunk.iter().zip(w) {
                            let s = slot(v);
                            t.records[s] += 1;
                            t.weight[s].add(wi);
                        }
                    }
                    None => chunk.iter().for_each(|&v| t.records[slot(v)] += 1),
                }
                t
            })
            .collect();
        for t in &parts {
            self.merge_slots(t);
        }
    }

    fn merge_slots(&mut self, other: &CutoffTally) {
        add_each(&mut self.records, &other.records);
        ExactSum::merge_each(&mut self.weight, &other.weight);
    }

    /// Adds `other` (a tally of other rows at the same cut-offs).
    ///
    /// # Errors
    /// [`MobilityError::Incompatible`]: different cut-offs or weighting.
    pub fn merge(&mut self, other: &CutoffTally) -> Result<()> {
        if self.keys != other.keys || self.k != other.k || self.weight.len() != other.weight.len() {
            return Err(MobilityError::Incompatible {
                reason: "tie tallies of different cut-offs cannot be merged".into(),
            });
        }
        self.merge_slots(other);
        Ok(())
    }

    /// The total weight `W` (the number of rows when unweighted), rounded once.
    pub fn total(&self) -> f64 {
        if self.weight.is_empty() {
            self.records.iter().sum::<u64>() as f64
        } else {
            let mut all = ExactSum::zero();
            self.weight.iter().for_each(|w| all.merge(w));
            all.to_f64()
        }
    }

    /// The boundary positions `m W`, `m = 1..k-1` (on the scale `k` times the rank).
    fn targets(&self) -> Vec<f64> {
        let total = self.total();
        (1..self.k).map(|m| m as f64 * total).collect()
    }

    /// Per cut-off value: the weight below and at it (each rounded once) and its records.
    fn measured(&self) -> Vec<(Located, u64)> {
        let exact = |s: usize| -> ExactSum {
            if self.weight.is_empty() {
                ExactSum::of(self.records[s] as f64)
            } else {
                self.weight[s].clone()
            }
        };
        let mut below = ExactSum::zero();
        self.keys
            .iter()
            .enumerate()
            .map(|(j, &key)| {
                below.merge(&exact(2 * j));
                let at = exact(2 * j + 1);
                let l = Located {
                    key,
                    below: below.to_f64(),
                    tie: at.to_f64(),
                };
                below.merge(&at);
                (l, self.records[2 * j + 1])
            })
            .collect()
    }

    fn records_at(&self, key: u64) -> u64 {
        self.keys
            .binary_search(&key)
            .map_or(0, |j| self.records[2 * j + 1])
    }

    /// For each boundary position, the cut-off value whose group holds it, if one does.
    fn holders(&self) -> Vec<Option<(Located, u64)>> {
        let kf = self.k as f64;
        let measured = self.measured();
        self.targets()
            .iter()
            .map(|&t| {
                measured
                    .iter()
                    .find(|(l, _)| kf * l.below <= t && t < kf * (l.below + l.tie))
                    .copied()
            })
            .collect()
    }

    /// The tie spans of the rows tallied, when every boundary position is held by the group of
    /// a tallied value: always under `midrank` and `split` (the cut-offs are the values at those
    /// positions) and, for the other rules, when the tally includes the records at the boundary
    /// positions (the streaming search finds them: [`crate::stream::CutoffSearch::boundary_keys`]);
    /// `None` otherwise.
    ///
    /// # Errors
    /// As [`Cutoffs::memberships`].
    pub fn spans(
        &self,
        cutoffs: &Cutoffs,
        rule: Rule,
        side: crate::error::Side,
    ) -> Result<Option<Vec<TieSpan>>> {
        let holders = self.holders();
        if holders.iter().any(Option::is_none) {
            return Ok(None);
        }
        spans_of(cutoffs, self.total(), &self.targets(), &holders, rule, side).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sort-based definition the selection-based `tie_spans` must reproduce.
    fn naive_spans(
        values: &[f64],
        weights: Option<&[f64]>,
        k: usize,
    ) -> Vec<(f64, u64, f64, Vec<usize>)> {
        let total: f64 = weights.map_or(values.len() as f64, |w| w.iter().sum());
        let kf = k as f64;
        let mut idx: Vec<usize> = (0..values.len()).collect();
        idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let w = |i: usize| weights.map_or(1.0, |w| w[i]);
        let (mut out, mut below, mut start) = (Vec::new(), 0.0, 0);
        while start < idx.len() {
            let v = values[idx[start]];
            let (mut end, mut tie) = (start, 0.0);
            while end < idx.len() && values[idx[end]] == v {
                tie += w(idx[end]);
                end += 1;
            }
            let (lo, hi) = (kf * below, kf * (below + tie));
            let crosses = (1..k).any(|m| lo < m as f64 * total && (m as f64 * total) < hi);
            if end - start >= 2 && crosses {
                let first = ((lo / total).floor() as usize + 1).clamp(1, k);
                let last = ((hi / total).ceil() as usize).clamp(1, k);
                out.push((
                    v,
                    (end - start) as u64,
                    tie / total,
                    (first..=last).collect(),
                ));
            }
            below += tie;
            start = end;
        }
        out
    }

    #[test]
    fn tie_spans_match_the_sorted_definition() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % m
        };
        let mut found = 0;
        for case in 0..3000 {
            let n = 1 + next(40) as usize;
            let distinct = 1 + next(8);
            let k = 2 + next(9) as usize;
            let values: Vec<f64> = (0..n).map(|_| next(distinct) as f64).collect();
            let weights: Option<Vec<f64>> =
                (case % 2 == 1).then(|| (0..n).map(|_| next(4) as f64).collect());
            let w = weights.as_deref();
            if w.is_some_and(|w| w.iter().sum::<f64>() == 0.0) {
                continue;
            }
            // every rule's cut-offs (the unweighted ones may hold no boundary's group)
            let rules = [
                Rule::Midrank,
                Rule::Giddy,
                Rule::RType7,
                Rule::StataXtile,
                Rule::Split,
            ];
            let rule = if w.is_some() {
                Rule::Midrank
            } else {
                rules[case / 2 % 5]
            };
            let cuts = Cutoffs::quantiles(&values, w, k, rule).unwrap();
            let got = tie_spans(&values, w, &cuts, rule, crate::error::Side::Child).unwrap();
            let got: Vec<_> = got
                .iter()
                .map(|s| (s.value, s.records, s.weight_share, s.spans.clone()))
                .collect();
            assert_eq!(
                got,
                naive_spans(&values, w, k),
                "case {case}: {values:?} {w:?} k={k}"
            );
            found += got.len();
        }
        assert!(
            found > 1000,
            "only {found} spanning groups: the cases do not exercise ties"
        );
    }
}
