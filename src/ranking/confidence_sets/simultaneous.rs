//! The simultaneous (Romano-Wolf max-t) step-down: the active ordered pairs, the per-draw
//! maximum (dense and SIMD-dispatched, or bounded over standard-error buckets) and the steps.

use rayon::prelude::*;

use super::draws::{DRAW_BLOCK, Problem};
use super::options::{RankSetOptions, SetKind};
use super::sets::quantile7;

/// No argmax pair: the draw's maximum is the floor 0 (no active pair had a positive value).
const NONE: u64 = u64::MAX;

fn pack(a: usize, b: usize) -> u64 {
    ((a as u64) << 32) | b as u64
}

fn unpack(x: u64) -> (usize, usize) {
    ((x >> 32) as usize, (x & 0xffff_ffff) as usize)
}

/// State of one simultaneous procedure: the active ordered pairs as masked weights.
pub(super) struct Active {
    p: usize,
    /// `w[a p + b]` = weight of active pair `(a, b)`, 0 when inactive.
    w: Vec<f64>,
    /// Minus the transpose of `w`: `wtn[b p + a] = -w[a p + b]`.
    wtn: Vec<f64>,
    on: Vec<bool>,
}

impl Active {
    fn is_on(&self, a: usize, b: usize) -> bool {
        self.on[a * self.p + b]
    }
    fn off(&mut self, a: usize, b: usize) {
        let p = self.p;
        self.on[a * p + b] = false;
        self.w[a * p + b] = 0.0;
        self.wtn[b * p + a] = 0.0;
    }
}

/// Maximum over the active pairs of one block of draws, dense: `O(p^2 / 2)` per draw.
/// Writes `(T, argmax)` for the draws `r` of the block with `need[r]`.
fn dense_block(
    z: &[f64],
    p: usize,
    act: &Active,
    rows: &[usize],
    need: &[bool],
    t: &mut [f64],
    arg: &mut [u64],
) {
    let count = need.len();
    let mut best = vec![(0.0f64, usize::MAX); count];
    pulp::Arch::new().dispatch(|| {
        for &j in rows {
            let w = &act.w[j * p + j + 1..(j + 1) * p];
            let wn = &act.wtn[j * p + j + 1..(j + 1) * p];
            for r in 0..count {
                if !need[r] {
                    continue;
                }
                let zr = &z[r * p..(r + 1) * p];
                let m = row_max(zr[j], &zr[j + 1..], w, wn);
                if m > best[r].0 {
                    best[r] = (m, j);
                }
            }
        }
    });
    for r in 0..count {
        if !need[r] {
            continue;
        }
        let (m, j) = best[r];
        t[r] = m;
        arg[r] = NONE;
        if j == usize::MAX {
            continue;
        }
        let zr = &z[r * p..(r + 1) * p];
        for k in j + 1..p {
            let d = zr[j] - zr[k];
            if d * act.w[j * p + k] == m {
                arg[r] = pack(j, k);
                break;
            }
            if d * act.wtn[j * p + k] == m {
                arg[r] = pack(k, j);
                break;
            }
        }
    }
}

/// `max(0, max_k max((zj - z_k) w_k, (zj - z_k) wn_k))` in eight independent lanes, written
/// so that it compiles to packed multiplies and `max` (inlined into a SIMD-dispatched caller).
#[inline(always)]
pub(super) fn row_max(zj: f64, z: &[f64], w: &[f64], wn: &[f64]) -> f64 {
    const L: usize = 8;
    let mut m = [0.0f64; L];
    let n = z.len() / L * L;
    for ((zc, wc), nc) in z[..n]
        .chunks_exact(L)
        .zip(w[..n].chunks_exact(L))
        .zip(wn[..n].chunks_exact(L))
    {
        for l in 0..L {
            let d = zj - zc[l];
            let a = d * wc[l];
            let b = d * nc[l];
            let v = if a > b { a } else { b };
            m[l] = if v > m[l] { v } else { m[l] };
        }
    }
    let mut out = 0.0f64;
    for v in m {
        out = if v > out { v } else { out };
    }
    for k in n..z.len() {
        let d = zj - z[k];
        let (a, b) = (d * w[k], d * wn[k]);
        let v = if a > b { a } else { b };
        out = if v > out { v } else { out };
    }
    out
}

/// Buckets of populations sorted by standard error, for the bounded maximum.
struct Buckets {
    /// Population order by ascending standard error.
    order: Vec<usize>,
    /// Bucket boundaries in `order`.
    bounds: Vec<(usize, usize)>,
    /// `max 1 / sigma_ab` over the pairs `a in A, b in B` (row-major, `nb x nb`): with any
    /// covariance, `(Z_a - Z_b) / sigma_ab <= (max Z_A - min Z_B) inv_lo[A][B]` when positive.
    inv_lo: Vec<f64>,
}

impl Buckets {
    fn new(pr: &Problem) -> Self {
        let (p, se) = (pr.p, &pr.se);
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|&a, &b| se[a].total_cmp(&se[b]).then(a.cmp(&b)));
        let size = ((p as f64).sqrt().ceil() as usize).max(1);
        let bounds: Vec<(usize, usize)> = (0..p.div_ceil(size))
            .map(|b| (b * size, ((b + 1) * size).min(p)))
            .collect();
        let nb = bounds.len();
        let inv_lo: Vec<f64> = (0..nb * nb)
            .into_par_iter()
            .map(|i| {
                let ((sa, ea), (sb, eb)) = (bounds[i / nb], bounds[i % nb]);
                let mut m = 0.0f64;
                for &a in &order[sa..ea] {
                    for &b in &order[sb..eb] {
                        if a != b {
                            m = m.max(pr.weight(a, b));
                        }
                    }
                }
                m
            })
            .collect();
        Buckets {
            order,
            bounds,
            inv_lo,
        }
    }
}

/// Maximum over active pairs for one draw with bucket bounds (independent estimates).
/// `zs` is the draw in bucket order, `ws` the active weights in bucket order, `bp_on` which
/// bucket pairs hold an active pair.
fn bucket_max(
    zs: &[f64],
    ws: &[f64],
    bk: &Buckets,
    bp_on: &[bool],
    scratch: &mut (Vec<f64>, Vec<f64>, Vec<f64>),
) -> (f64, u64) {
    let p = zs.len();
    let nb = bk.bounds.len();
    let (zmax, zmin, bound) = scratch;
    for (b, &(s, e)) in bk.bounds.iter().enumerate() {
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        for &v in &zs[s..e] {
            hi = hi.max(v);
            lo = lo.min(v);
        }
        zmax[b] = hi;
        zmin[b] = lo;
    }
    let mut top = (0.0f64, usize::MAX);
    for a in 0..nb {
        for b in 0..nb {
            let i = a * nb + b;
            let num = zmax[a] - zmin[b];
            bound[i] = if bp_on[i] && num > 0.0 {
                num * bk.inv_lo[i]
            } else {
                0.0
            };
            if bound[i] > top.0 {
                top = (bound[i], i);
            }
        }
    }
    let mut t = 0.0f64;
    let mut arg = NONE;
    if top.1 == usize::MAX {
        return (t, arg);
    }
    let scan = |i: usize, t: &mut f64, arg: &mut u64| {
        let (sa, ea) = bk.bounds[i / nb];
        let (sb, eb) = bk.bounds[i % nb];
        for a in sa..ea {
            let za = zs[a];
            let wrow = &ws[a * p..(a + 1) * p];
            for b in sb..eb {
                let v = (za - zs[b]) * wrow[b];
                if v > *t {
                    *t = v;
                    *arg = pack(a, b);
                }
            }
        }
    };
    scan(top.1, &mut t, &mut arg);
    for i in 0..nb * nb {
        if i != top.1 && bound[i] > t {
            scan(i, &mut t, &mut arg);
        }
    }
    (t, arg)
}

/// The simultaneous procedure over the initial pair set `act`; returns the critical values
/// and leaves the rejected pairs switched off in `rejected`.
pub(super) fn simultaneous(
    pr: &Problem,
    act: &mut Active,
    z: &[f64],
    o: &RankSetOptions,
    rejected: &mut Vec<(usize, usize)>,
) -> Vec<f64> {
    let p = pr.p;
    let draws = o.draws;
    let buckets = (!o.exhaustive_max).then(|| Buckets::new(pr));
    // bucket-ordered draws (for the bounded maximum), computed once
    let zs: Vec<f64> = match &buckets {
        Some(bk) => {
            let mut zs = vec![0.0; z.len()];
            zs.par_chunks_mut(p)
                .zip(z.par_chunks(p))
                .for_each(|(dst, src)| {
                    for (q, &j) in bk.order.iter().enumerate() {
                        dst[q] = src[j];
                    }
                });
            zs
        }
        None => Vec::new(),
    };
    let mut t = vec![0.0; draws];
    let mut arg = vec![NONE; draws];
    let mut need = vec![true; draws];
    let mut crit = Vec::new();
    loop {
        let any_on = act.on.iter().any(|&b| b);
        if !any_on {
            break;
        }
        match &buckets {
            None => {
                let rows: Vec<usize> = (0..p)
                    .filter(|&j| {
                        act.w[j * p + j + 1..(j + 1) * p].iter().any(|&v| v != 0.0)
                            || act.wtn[j * p + j + 1..(j + 1) * p]
                                .iter()
                                .any(|&v| v != 0.0)
                    })
                    .collect();
                z.par_chunks(DRAW_BLOCK * p)
                    .zip(t.par_chunks_mut(DRAW_BLOCK))
                    .zip(arg.par_chunks_mut(DRAW_BLOCK))
                    .zip(need.par_chunks(DRAW_BLOCK))
                    .for_each(|(((zb, tb), ab), nb)| {
                        if nb.iter().any(|&x| x) {
                            dense_block(zb, p, act, &rows, nb, tb, ab);
                        }
                    });
            }
            Some(bk) => {
                let nb = bk.bounds.len();
                // weights and bucket-pair flags in bucket order
                let mut ws = vec![0.0; p * p];
                ws.par_chunks_mut(p).enumerate().for_each(|(qa, row)| {
                    let a = bk.order[qa];
                    for (qb, v) in row.iter_mut().enumerate() {
                        *v = act.w[a * p + bk.order[qb]];
                    }
                });
                let mut bp_on = vec![false; nb * nb];
                for (ia, &(sa, ea)) in bk.bounds.iter().enumerate() {
                    for (ib, &(sb, eb)) in bk.bounds.iter().enumerate() {
                        bp_on[ia * nb + ib] = (sa..ea)
                            .any(|qa| ws[qa * p + sb..qa * p + eb].iter().any(|&v| v != 0.0));
                    }
                }
                z.par_chunks(DRAW_BLOCK * p)
                    .zip(zs.par_chunks(DRAW_BLOCK * p))
                    .zip(t.par_chunks_mut(DRAW_BLOCK))
                    .zip(arg.par_chunks_mut(DRAW_BLOCK))
                    .zip(need.par_chunks(DRAW_BLOCK))
                    .for_each(|((((_, zsb), tb), ab), nbk)| {
                        let mut scratch = (vec![0.0; nb], vec![0.0; nb], vec![0.0; nb * nb]);
                        for r in 0..nbk.len() {
                            if nbk[r] {
                                let (m, a) = bucket_max(
                                    &zsb[r * p..(r + 1) * p],
                                    &ws,
                                    bk,
                                    &bp_on,
                                    &mut scratch,
                                );
                                tb[r] = m;
                                ab[r] = if a == NONE {
                                    NONE
                                } else {
                                    let (qa, qb) = unpack(a);
                                    pack(bk.order[qa], bk.order[qb])
                                };
                            }
                        }
                    });
            }
        }
        let mut tq = t.clone();
        let c = quantile7(&mut tq, o.coverage);
        crit.push(c);
        let mut new = Vec::new();
        for a in 0..p {
            for b in 0..p {
                if act.is_on(a, b) && pr.stat(a, b) > c {
                    new.push((a, b));
                }
            }
        }
        if new.is_empty() {
            break;
        }
        for &(a, b) in &new {
            act.off(a, b);
        }
        rejected.extend_from_slice(&new);
        if !o.stepdown {
            break;
        }
        for r in 0..draws {
            need[r] = arg[r] != NONE && {
                let (a, b) = unpack(arg[r]);
                !act.is_on(a, b)
            };
        }
    }
    crit
}

/// The initial active pairs for `kind` and the populations `j` in `members`.
pub(super) fn initial_pairs(pr: &Problem, kind: SetKind, members: &[bool]) -> Active {
    let p = pr.p;
    let mut act = Active {
        p,
        w: vec![0.0; p * p],
        wtn: vec![0.0; p * p],
        on: vec![false; p * p],
    };
    for a in 0..p {
        for b in 0..p {
            if a == b {
                continue;
            }
            let on = match kind {
                SetKind::TwoSided => members[a] || members[b],
                SetKind::Upper => members[a],
                SetKind::Lower => members[b],
            };
            if on {
                act.on[a * p + b] = true;
                let w = pr.weight(a, b);
                act.w[a * p + b] = w;
                act.wtn[b * p + a] = -w;
            }
        }
    }
    act
}
