//! The `midrank` counting kernel: both orders sorted once, safe zones around the cut positions,
//! and the exact scan it falls back to.

use super::design::{Scratch, Values};
use crate::rank::sorted_keys;

/// Marks a unit outside every safe zone of a side.
pub(super) const NONE: u16 = u16::MAX;

/// Sorted orders for the `midrank` rule, with the safe zones that make most units cost one add.
///
/// Around each full-sample cut position lies an *uncertain interval* of `+-6` replicate standard
/// deviations of that position (widened to whole tie groups, overlapping ones merged). A replicate
/// whose every cut falls in its interval leaves the classes of all units outside the intervals
/// unchanged (the *safe zones*), so one streaming pass adds each unit's replicate weight to the
/// (parent zone, child zone) cell it belongs to, and only the few units inside an interval are
/// classified one by one. A replicate with a cut outside its interval (probability about 1e-9 a
/// cut) falls back to the full exact scan of both orders.
#[derive(Debug)]
pub(super) struct MidrankKernel {
    /// Parent sort key by unit (units are in parent order).
    pub(super) pkey: Vec<u64>,
    /// Child sort key by child position.
    pub(super) ckey: Vec<u64>,
    /// Unit at each child position.
    pub(super) corder: Vec<u32>,
    /// Child position of each unit.
    pub(super) cpos: Vec<u32>,
    /// `None` when the intervals would cover most units (small `n` or large `k`).
    pub(super) zones: Option<Zones>,
}

#[derive(Debug)]
pub(super) struct Zones {
    pub(super) parent: Side,
    pub(super) child: Side,
    /// Per unit: `pz * zc + cz` for units in parent safe zone `pz` and child safe zone `cz`, else
    /// the last slot.
    pub(super) pair: Vec<u16>,
    /// Units in an uncertain interval on either side: unit, child position, and the safe zones
    /// (or [`NONE`]).
    pub(super) uncertain: Vec<Uncertain>,
    /// Number of slots of the pair table (the last one collects the uncertain units).
    pub(super) slots: usize,
}

/// A unit in an uncertain interval on either side.
#[derive(Debug, Clone, Copy)]
pub(super) struct Uncertain {
    pub(super) unit: u32,
    pub(super) cpos: u32,
    pub(super) pz: u16,
    pub(super) cz: u16,
}

/// The main pass adds into this many interleaved copies of the pair table (unit `u` into copy
/// `u mod 4`), so consecutive adds to one cell do not wait on each other.
pub(super) const LANES: usize = 4;

/// The uncertain intervals of one side (positions `[a, b)`, tie-aligned) and its safe zones.
#[derive(Debug)]
pub(super) struct Side {
    pub(super) intervals: Vec<(u32, u32)>,
    /// The cuts `m` (1-based, `lo..hi`) whose full-sample positions lie in each interval.
    pub(super) cuts: Vec<(usize, usize)>,
    /// The 0-based class of safe zone `z` (before interval `z`; the last one after every interval).
    pub(super) safe_class: Vec<u32>,
}

/// 0-based class of a sort position: the number of cut positions at or below it.
#[inline]
pub(super) fn class_of_position(cuts: &[u32], pos: u32) -> usize {
    cuts.iter().map(|&c| usize::from(pos >= c)).sum()
}

/// Cut positions for the targets `m W`, `m` in `ms`, found by walking the tie groups of positions
/// `[a, b)`, with weight `before` below `a`. Exactly the `midrank` comparison of
/// `Cutoffs::quantiles`: the tie group `x*` holding a target satisfies
/// `k W(x < x*) <= m W < k W(x <= x*)`, and the cut includes it iff
/// `k (2 W(x < x*) + W(x = x*)) <= 2 m W`. Returns `false` if a target's group is not in `[a, b)`.
#[allow(clippy::too_many_arguments)]
pub(super) fn cuts_in(
    a: usize,
    b: usize,
    before: f64,
    ms: std::ops::Range<usize>,
    total: f64,
    kf: f64,
    key: &impl Fn(usize) -> u64,
    val: &impl Fn(usize) -> f64,
    out: &mut Vec<u32>,
) -> bool {
    let mut m = ms.start;
    if m < ms.end && kf * before > m as f64 * total {
        return false;
    }
    let mut below = before;
    let mut pos = a;
    while pos < b && m < ms.end {
        let k0 = key(pos);
        let start = pos;
        let mut tie = 0.0;
        while pos < b && key(pos) == k0 {
            tie += val(pos);
            pos += 1;
        }
        while m < ms.end {
            let t = m as f64 * total;
            if t >= kf * (below + tie) {
                break;
            }
            out.push(if kf * (2.0 * below + tie) <= 2.0 * t {
                pos as u32
            } else {
                start as u32
            });
            m += 1;
        }
        below += tie;
    }
    m == ms.end
}

/// All `k - 1` cut positions of one side by one scan (a target beyond the total, reachable only
/// by rounding with fractional weights, cuts at `n`).
pub(super) fn full_cuts(
    n: usize,
    k: usize,
    total: f64,
    key: &impl Fn(usize) -> u64,
    val: &impl Fn(usize) -> f64,
    out: &mut Vec<u32>,
) {
    out.clear();
    cuts_in(0, n, 0.0, 1..k, total, k as f64, key, val, out);
    out.resize(k - 1, n as u32);
}

impl Side {
    /// Intervals of `+-delta_m` positions around the full-sample cuts `cuts`, widened to whole
    /// tie groups and merged.
    fn new(n: usize, cuts: &[u32], deltas: &[usize], key: impl Fn(usize) -> u64) -> Side {
        let mut intervals: Vec<(u32, u32)> = Vec::new();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for (i, (&c, &d)) in cuts.iter().zip(deltas).enumerate() {
            let c = c as usize;
            let mut a = c.saturating_sub(d);
            let mut b = (c + d).min(n);
            while a > 0 && a < n && key(a) == key(a - 1) {
                a -= 1;
            }
            while b > 0 && b < n && key(b) == key(b - 1) {
                b += 1;
            }
            let m = i + 1;
            match (intervals.last_mut(), ranges.last_mut()) {
                (Some(last), Some(r)) if a as u32 <= last.1 => {
                    last.1 = last.1.max(b as u32);
                    r.1 = m + 1;
                }
                _ => {
                    intervals.push((a as u32, b as u32));
                    ranges.push((m, m + 1));
                }
            }
        }
        let mut safe_class = vec![0u32];
        safe_class.extend(ranges.iter().map(|r| (r.1 - 1) as u32));
        Side {
            intervals,
            cuts: ranges,
            safe_class,
        }
    }

    /// Safe zone of every position (`NONE` inside an interval).
    fn zone_of_positions(&self, n: usize) -> Vec<u16> {
        let mut out = vec![NONE; n];
        let mut start = 0usize;
        for (z, &(a, b)) in self.intervals.iter().enumerate() {
            out[start..a as usize].fill(z as u16);
            start = b as usize;
        }
        out[start..n].fill(self.intervals.len() as u16);
        out
    }

    /// This replicate's cuts, if each lies in its interval; `safe` and `inside` are the replicate
    /// weights of the safe zones and intervals.
    #[allow(clippy::too_many_arguments)]
    fn replicate_cuts(
        &self,
        total: f64,
        kf: f64,
        safe: &[f64],
        inside: &[f64],
        key: &impl Fn(usize) -> u64,
        val: &impl Fn(usize) -> f64,
        out: &mut Vec<u32>,
    ) -> bool {
        out.clear();
        let mut before = 0.0;
        for (i, &(a, b)) in self.intervals.iter().enumerate() {
            before += safe[i];
            let (lo, hi) = self.cuts[i];
            if !cuts_in(
                a as usize,
                b as usize,
                before,
                lo..hi,
                total,
                kf,
                key,
                val,
                out,
            ) {
                return false;
            }
            before += inside[i];
        }
        true
    }
}

impl MidrankKernel {
    pub(super) fn new(
        pkey: Vec<u64>,
        child_by_unit: &[f64],
        weights: Option<&[f64]>,
        k: usize,
        inflation: f64,
    ) -> MidrankKernel {
        let n = pkey.len();
        let csorted = sorted_keys(child_by_unit);
        let mut cpos = vec![0u32; n];
        for (pos, &(_, u)) in csorted.iter().enumerate() {
            cpos[u as usize] = pos as u32;
        }
        let (ckey, corder): (Vec<u64>, Vec<u32>) = csorted.into_iter().unzip();
        let mut mk = MidrankKernel {
            pkey,
            ckey,
            corder,
            cpos,
            zones: None,
        };
        if k <= 255 {
            mk.zones = mk.build_zones(n, k, weights, inflation);
        }
        mk
    }

    fn build_zones(
        &self,
        n: usize,
        k: usize,
        weights: Option<&[f64]>,
        inflation: f64,
    ) -> Option<Zones> {
        let w = |u: usize| weights.map_or(1.0, |w| w[u]);
        let total: f64 = (0..n).map(w).sum();
        let mut pcuts = Vec::new();
        let mut ccuts = Vec::new();
        full_cuts(n, k, total, &|p| self.pkey[p], &w, &mut pcuts);
        full_cuts(
            n,
            k,
            total,
            &|p| self.ckey[p],
            &|p| w(self.corder[p] as usize),
            &mut ccuts,
        );
        let deltas: Vec<usize> = (1..k)
            .map(|m| {
                let p = m as f64 / k as f64;
                (6.0 * (n as f64 * inflation * p * (1.0 - p)).sqrt()).ceil() as usize + 16
            })
            .collect();
        let parent = Side::new(n, &pcuts, &deltas, |p| self.pkey[p]);
        let child = Side::new(n, &ccuts, &deltas, |p| self.ckey[p]);
        let pz = parent.zone_of_positions(n);
        let cz_pos = child.zone_of_positions(n);
        let zc = child.safe_class.len();
        let slot = (parent.safe_class.len() * zc) as u16;
        let mut uncertain = Vec::new();
        let pair: Vec<u16> = (0..n)
            .map(|u| {
                let (a, b) = (pz[u], cz_pos[self.cpos[u] as usize]);
                if a == NONE || b == NONE {
                    uncertain.push(Uncertain {
                        unit: u as u32,
                        cpos: self.cpos[u],
                        pz: a,
                        cz: b,
                    });
                    slot
                } else {
                    a * zc as u16 + b
                }
            })
            .collect();
        // Zones pay off only when most units are safe.
        (uncertain.len() * 2 <= n).then_some(Zones {
            parent,
            child,
            pair,
            uncertain,
            slots: slot as usize + 1,
        })
    }

    pub(super) fn count<V: Values>(&self, n: usize, k: usize, v: &V, s: &mut Scratch) {
        if let Some(z) = &self.zones {
            if self.count_zones(z, k, v, s) {
                return;
            }
            s.table.fill(0.0);
        }
        self.count_full(n, k, v, s);
    }

    /// The exact scan of both orders (no zones).
    fn count_full<V: Values>(&self, n: usize, k: usize, v: &V, s: &mut Scratch) {
        let total: f64 = v.range(0, n).sum();
        if total <= 0.0 {
            return; // an all-zero table: every statistic undefined
        }
        full_cuts(n, k, total, &|p| self.pkey[p], &|p| v.at(p), &mut s.pcuts);
        full_cuts(
            n,
            k,
            total,
            &|p| self.ckey[p],
            &|p| v.at(self.corder[p] as usize),
            &mut s.ccuts,
        );
        for (u, x) in v.range(0, n).enumerate() {
            if x != 0.0 {
                let r = class_of_position(&s.pcuts, u as u32);
                let c = class_of_position(&s.ccuts, self.cpos[u]);
                s.table[r * k + c] += x;
            }
        }
    }

    /// One streaming pass plus the uncertain units; `false` if a cut left its interval.
    fn count_zones<V: Values>(&self, z: &Zones, k: usize, v: &V, s: &mut Scratch) -> bool {
        let n = z.pair.len();
        let slots = z.slots;
        s.tab.fill(0.0);
        let body = n / LANES * LANES;
        {
            let (l0, rest) = s.tab.split_at_mut(slots);
            let (l1, rest) = rest.split_at_mut(slots);
            let (l2, l3) = rest.split_at_mut(slots);
            let mut xs = v.range(0, body);
            for p in z.pair[..body].chunks_exact(LANES) {
                // the iterator yields exactly `body` values
                let (Some(a), Some(b), Some(c), Some(d)) =
                    (xs.next(), xs.next(), xs.next(), xs.next())
                else {
                    break;
                };
                l0[p[0] as usize] += a;
                l1[p[1] as usize] += b;
                l2[p[2] as usize] += c;
                l3[p[3] as usize] += d;
            }
            for (x, &p) in v.range(body, n).zip(&z.pair[body..]) {
                l0[p as usize] += x;
            }
            for lane in [&*l1, &*l2, &*l3] {
                for (t, x) in l0.iter_mut().zip(lane) {
                    *t += x;
                }
            }
        }
        let zc = z.child.safe_class.len();
        let tab = &s.tab[..slots - 1];
        s.psafe.fill(0.0);
        s.csafe.fill(0.0);
        for (pz, row) in tab.chunks_exact(zc).enumerate() {
            s.psafe[pz] += row.iter().sum::<f64>();
            for (c, &x) in s.csafe.iter_mut().zip(row) {
                *c += x;
            }
        }
        for &Uncertain { unit, pz, cz, .. } in &z.uncertain {
            let x = v.at(unit as usize);
            if pz != NONE {
                s.psafe[pz as usize] += x;
            }
            if cz != NONE {
                s.csafe[cz as usize] += x;
            }
        }
        for (t, &(a, b)) in s.pint.iter_mut().zip(&z.parent.intervals) {
            *t = v.range(a as usize, b as usize).sum();
        }
        for (t, &(a, b)) in s.cint.iter_mut().zip(&z.child.intervals) {
            *t = self.corder[a as usize..b as usize]
                .iter()
                .map(|&u| v.at(u as usize))
                .sum();
        }
        let total = s.psafe.iter().sum::<f64>() + s.pint.iter().sum::<f64>();
        if total <= 0.0 {
            return true; // an all-zero table
        }
        let kf = k as f64;
        if !z.parent.replicate_cuts(
            total,
            kf,
            &s.psafe,
            &s.pint,
            &|p| self.pkey[p],
            &|p| v.at(p),
            &mut s.pcuts,
        ) || !z.child.replicate_cuts(
            total,
            kf,
            &s.csafe,
            &s.cint,
            &|p| self.ckey[p],
            &|p| v.at(self.corder[p] as usize),
            &mut s.ccuts,
        ) {
            return false;
        }
        for (pz, row) in s.tab[..slots - 1].chunks_exact(zc).enumerate() {
            let r = z.parent.safe_class[pz] as usize;
            for (cz, &x) in row.iter().enumerate() {
                s.table[r * k + z.child.safe_class[cz] as usize] += x;
            }
        }
        for &Uncertain { unit, cpos, pz, cz } in &z.uncertain {
            let x = v.at(unit as usize);
            if x == 0.0 {
                continue;
            }
            let r = if pz == NONE {
                class_of_position(&s.pcuts, unit)
            } else {
                z.parent.safe_class[pz as usize] as usize
            };
            let c = if cz == NONE {
                class_of_position(&s.ccuts, cpos)
            } else {
                z.child.safe_class[cz as usize] as usize
            };
            s.table[r * k + c] += x;
        }
        true
    }
}
