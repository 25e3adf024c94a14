//! The data arranged once for the places bootstrap, the per-place sums of a replicate, and the
//! joint and independent replicates that fill them.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::PlaceMeasure;
use crate::inference::Evaluator;
use crate::inference::bootstrap::{CutoffMode, Design, Draw, Scratch};
use crate::matrix::TransitionMatrix;
use crate::rank::{sort_key, sorted_keys};

/// The data arranged once: units in parent sort order (the engine's numbering).
pub(super) struct Layout {
    pub(super) n: usize,
    pub(super) k: usize,
    /// Place of each unit.
    pub(super) place: Vec<u32>,
    /// Weight of each unit (1 without weights).
    pub(super) w: Vec<f64>,
    /// Full-sample national 0-based cell `i k + j` of each unit.
    pub(super) cell: Vec<u16>,
    /// Child sort position of each unit, and the unit at each child position.
    pub(super) cpos: Vec<u32>,
    pub(super) corder: Vec<u32>,
    /// Tie-group starts in parent order (units) and child order (positions), with `n` at the end.
    pub(super) ptie: Vec<u32>,
    pub(super) ctie: Vec<u32>,
    /// Full-sample national mid-ranks of each unit (parent, child).
    pub(super) rp: Vec<f64>,
    pub(super) rc: Vec<f64>,
    /// Units of each place (contiguous), for the independent bootstrap.
    pub(super) members: Vec<u32>,
    pub(super) start: Vec<usize>,
}

/// Per-place sums of one replicate.
pub(super) struct Acc {
    pub(super) counts: Vec<f64>,
    /// Per place: sum v, sum v rp, sum v rc, sum v rp^2, sum v rp rc, sum v rc^2.
    pub(super) ranks: Vec<[f64; 6]>,
    pub(super) cclass: Vec<u8>,
    pub(super) rp: Vec<f64>,
    pub(super) rc_pos: Vec<f64>,
}

impl Acc {
    pub(super) fn new(places: usize, k: usize, n: usize, ranks: bool) -> Acc {
        Acc {
            counts: vec![0.0; places * k * k],
            ranks: if ranks {
                vec![[0.0; 6]; places]
            } else {
                Vec::new()
            },
            cclass: vec![0; n],
            rp: if ranks { vec![0.0; n] } else { Vec::new() },
            rc_pos: if ranks { vec![0.0; n] } else { Vec::new() },
        }
    }

    pub(super) fn clear(&mut self) {
        self.counts.fill(0.0);
        self.ranks.iter_mut().for_each(|r| *r = [0.0; 6]);
    }
}

/// Tie-group starts of a sorted key sequence, with `n` at the end.
pub(super) fn tie_starts(n: usize, key: impl Fn(usize) -> u64) -> Vec<u32> {
    let mut out = Vec::new();
    for i in 0..n {
        if i == 0 || key(i) != key(i - 1) {
            out.push(i as u32);
        }
    }
    out.push(n as u32);
    out
}

/// Mid-ranks `(W(<) + W(=)/2) / W` over tie groups of an order; `val(pos)` the weight at a
/// position, `out[pos]` the rank.
pub(super) fn midranks(ties: &[u32], total: f64, val: impl Fn(usize) -> f64, out: &mut [f64]) {
    let mut below = 0.0;
    for g in ties.windows(2) {
        let (a, b) = (g[0] as usize, g[1] as usize);
        let tie: f64 = (a..b).map(&val).sum();
        let r = (below + tie / 2.0) / total;
        out[a..b].fill(r);
        below += tie;
    }
}

impl Layout {
    /// One place's measure from its table (and rank sums).
    pub(super) fn evaluate(
        &self,
        measure: PlaceMeasure,
        evaluator: Option<&Evaluator>,
        counts: &[f64],
        ranks: Option<&[f64; 6]>,
    ) -> Option<f64> {
        let k = self.k;
        let total: f64 = counts.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let value = match measure {
            PlaceMeasure::Matrix(_) => evaluator.and_then(|e| e.eval_counts(counts)[0]),
            PlaceMeasure::LevellingUp | PlaceMeasure::Structural | PlaceMeasure::Exchange => {
                let mut rows = vec![0.0; k];
                let mut cols = vec![0.0; k];
                let mut diag = 0.0;
                for i in 0..k {
                    for j in 0..k {
                        let f = counts[i * k + j] / total;
                        rows[i] += f;
                        cols[j] += f;
                        if i == j {
                            diag += f;
                        }
                    }
                }
                let t = (1.0 - diag).max(0.0);
                let s = (0.5
                    * rows
                        .iter()
                        .zip(&cols)
                        .map(|(a, b)| (a - b).abs())
                        .sum::<f64>())
                .min(t);
                match measure {
                    PlaceMeasure::LevellingUp => Some(
                        (0..k)
                            .map(|i| (i + 1) as f64 * (cols[i] - rows[i]))
                            .sum::<f64>(),
                    ),
                    PlaceMeasure::Structural => Some(s),
                    _ => Some(t - s),
                }
            }
            _ => {
                let &[sw, sp, sc, spp, spc, scc] = ranks?;
                if sw <= 0.0 {
                    return None;
                }
                let (mp, mc) = (sp / sw, sc / sw);
                let var = spp / sw - mp * mp;
                // a place whose parents all share one national rank has no rank-rank line
                if var <= 1e-14 * (mp * mp).max(1e-300) {
                    return None;
                }
                let cov = spc / sw - mp * mc;
                let slope = cov / var;
                let intercept = 100.0 * (mc - slope * mp);
                match measure {
                    PlaceMeasure::RankRankSlope => Some(slope),
                    PlaceMeasure::RankRankIntercept => Some(intercept),
                    PlaceMeasure::NationalRankCorrelation => {
                        // children all at one national rank: no correlation
                        let var_c = scc / sw - mc * mc;
                        (var_c > 1e-14 * (mc * mc).max(1e-300))
                            .then(|| (cov / (var * var_c).sqrt()).clamp(-1.0, 1.0))
                    }
                    _ => Some(intercept + 25.0 * slope),
                }
            }
        };
        value.filter(|v| v.is_finite())
    }

    /// Every place's measure from an accumulated replicate.
    pub(super) fn values(
        &self,
        measure: PlaceMeasure,
        evaluator: Option<&Evaluator>,
        acc: &Acc,
        places: usize,
    ) -> Vec<Option<f64>> {
        let kk = self.k * self.k;
        (0..places)
            .map(|g| {
                self.evaluate(
                    measure,
                    evaluator,
                    &acc.counts[g * kk..(g + 1) * kk],
                    acc.ranks.get(g),
                )
            })
            .collect()
    }
}

impl Layout {
    /// Arranges the data in the engine's unit order (parent sort order): places, weights, the
    /// full-sample national cells and mid-ranks, the child order, the tie groups, and the units
    /// of each place. `place_by_row` is the dense place number (`0..np`) of each row.
    pub(super) fn new(
        design: &Design,
        tm: &TransitionMatrix,
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        place_by_row: &[u32],
        np: usize,
    ) -> Layout {
        let n = parent.len();
        let k = tm.k();
        let original = design.original_rows();
        let by_unit = |x: &[f64]| -> Vec<f64> { original.iter().map(|&i| x[i as usize]).collect() };
        let pu = by_unit(parent);
        let cu = by_unit(child);
        let w: Vec<f64> = weights.map_or_else(|| vec![1.0; n], by_unit);
        let place: Vec<u32> = original.iter().map(|&i| place_by_row[i as usize]).collect();
        let csorted = sorted_keys(&cu);
        let mut cpos = vec![0u32; n];
        for (pos, &(_, u)) in csorted.iter().enumerate() {
            cpos[u as usize] = pos as u32;
        }
        let corder: Vec<u32> = csorted.iter().map(|&(_, u)| u).collect();
        let ptie = tie_starts(n, |u| sort_key(pu[u]));
        let ctie = tie_starts(n, |p| csorted[p].0);
        let pcls = tm
            .parent_cutoffs()
            .expect("quantile classes carry cut-offs")
            .classifier();
        let ccls = tm
            .child_cutoffs()
            .expect("quantile classes carry cut-offs")
            .classifier();
        let cell: Vec<u16> = (0..n)
            .map(|u| (pcls.class0(sort_key(pu[u])) * k + ccls.class0(sort_key(cu[u]))) as u16)
            .collect();
        let total: f64 = w.iter().sum();
        let mut rp = vec![0.0; n];
        midranks(&ptie, total, |u| w[u], &mut rp);
        let mut rc_pos = vec![0.0; n];
        midranks(&ctie, total, |p| w[corder[p] as usize], &mut rc_pos);
        let rc: Vec<f64> = (0..n).map(|u| rc_pos[cpos[u] as usize]).collect();
        let mut start = vec![0usize; np + 1];
        place.iter().for_each(|&g| start[g as usize + 1] += 1);
        for g in 0..np {
            start[g + 1] += start[g];
        }
        let mut fill = start.clone();
        let mut members = vec![0u32; n];
        for (u, &g) in place.iter().enumerate() {
            members[fill[g as usize]] = u as u32;
            fill[g as usize] += 1;
        }
        Layout {
            n,
            k,
            place,
            w,
            cell,
            cpos,
            corder,
            ptie,
            ctie,
            rp,
            rc,
            members,
            start,
        }
    }
}

/// The full sample's sums: national classes and ranks, weights `w`.
pub(super) fn full_sample(l: &Layout, acc: &mut Acc) {
    let kk = l.k * l.k;
    for u in 0..l.n {
        let v = l.w[u];
        if v == 0.0 {
            continue;
        }
        let g = l.place[u] as usize;
        acc.counts[g * kk + l.cell[u] as usize] += v;
        if !acc.ranks.is_empty() {
            add_ranks(&mut acc.ranks[g], v, l.rp[u], l.rc[u]);
        }
    }
}

#[inline]
pub(super) fn add_ranks(s: &mut [f64; 6], v: f64, rp: f64, rc: f64) {
    s[0] += v;
    s[1] += v * rp;
    s[2] += v * rc;
    s[3] += v * rp * rp;
    s[4] += v * rp * rc;
    s[5] += v * rc * rc;
}

/// One joint replicate into `acc`; `false` when the replicate has zero total weight.
pub(super) fn joint_replicate(
    l: &Layout,
    design: &Design,
    s: &mut Scratch,
    acc: &mut Acc,
    seed: u64,
    stream: u64,
    mode: CutoffMode,
) -> bool {
    design.draw(Draw::Resample { seed, stream }, s);
    let kk = l.k * l.k;
    let k = l.k;
    let ranks = !acc.ranks.is_empty();
    let v = |u: usize| f64::from(design.multiplicity(s, u)) * l.w[u];
    let reestimate = mode == CutoffMode::Reestimate;
    let total: f64 = (0..l.n).map(v).sum();
    if total <= 0.0 {
        return false;
    }
    if ranks {
        if reestimate {
            midranks(&l.ptie, total, v, &mut acc.rp);
            midranks(&l.ctie, total, |p| v(l.corder[p] as usize), &mut acc.rc_pos);
        } else {
            acc.rp.copy_from_slice(&l.rp);
            for u in 0..l.n {
                acc.rc_pos[l.cpos[u] as usize] = l.rc[u];
            }
        }
    }
    if reestimate {
        design.count(s);
        let Some((pcuts, ccuts)) = design.cut_positions(s) else {
            return false;
        };
        // child classes by child position: runs between the cut positions
        let mut from = 0usize;
        for (c, &cut) in ccuts
            .iter()
            .chain(std::iter::once(&(l.n as u32)))
            .enumerate()
        {
            let to = (cut as usize).clamp(from, l.n);
            acc.cclass[from..to].fill(c as u8);
            from = to;
        }
        let mut from = 0usize;
        for (i, &cut) in pcuts
            .iter()
            .chain(std::iter::once(&(l.n as u32)))
            .enumerate()
        {
            let to = (cut as usize).clamp(from, l.n);
            for u in from..to {
                let m = design.multiplicity(s, u);
                if m == 0 {
                    continue;
                }
                let x = f64::from(m) * l.w[u];
                let g = l.place[u] as usize;
                let j = acc.cclass[l.cpos[u] as usize] as usize;
                acc.counts[g * kk + i * k + j] += x;
                if ranks {
                    let rc = acc.rc_pos[l.cpos[u] as usize];
                    add_ranks(&mut acc.ranks[g], x, acc.rp[u], rc);
                }
            }
            from = to;
        }
    } else {
        for u in 0..l.n {
            let m = design.multiplicity(s, u);
            if m == 0 {
                continue;
            }
            let x = f64::from(m) * l.w[u];
            let g = l.place[u] as usize;
            acc.counts[g * kk + l.cell[u] as usize] += x;
            if ranks {
                add_ranks(&mut acc.ranks[g], x, l.rp[u], l.rc[u]);
            }
        }
    }
    true
}

/// One independent replicate: each place's units resampled within the place, classes and
/// ranks fixed.
pub(super) fn independent_replicate(
    l: &Layout,
    acc: &mut Acc,
    seed: u64,
    stream: u64,
    ranks: bool,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let kk = l.k * l.k;
    for g in 0..l.start.len() - 1 {
        let members = &l.members[l.start[g]..l.start[g + 1]];
        let m = members.len() as u32;
        for _ in 0..m {
            let u = members[rng.random_range(0..m) as usize] as usize;
            let x = l.w[u];
            acc.counts[g * kk + l.cell[u] as usize] += x;
            if ranks {
                add_ranks(&mut acc.ranks[g], x, l.rp[u], l.rc[u]);
            }
        }
    }
}
