//! The marginal step-downs (`J = {j}` for each population), blocked over draws and pruned
//! with standard-error buckets.

use rayon::prelude::*;

use super::draws::Problem;
use super::options::{RankSetOptions, SetKind};
use super::sets::quantile7;
use super::simultaneous::row_max;

/// Draws processed together by the marginal procedure (a cache-sized block of `Z`).
const MARGINAL_BLOCK: usize = 256;

/// The marginal procedures (`J = {j}` for each `j` in `members`), run side by side so that each
/// block of draws is read once per step for all populations. Returns `(N-_j, N+_j)` per member:
/// the numbers of populations found better and worse than `j`.
pub(super) fn marginal(
    pr: &Problem,
    members: &[usize],
    z: &[f64],
    o: &RankSetOptions,
) -> Vec<(usize, usize)> {
    let p = pr.p;
    let draws = o.draws;
    let nj = members.len();
    // per member: a (pair (j, k): "j better than k") and bn (minus the weight of (k, j))
    let mut a = vec![0.0; nj * p];
    let mut bn = vec![0.0; nj * p];
    let (mut on_a, mut on_b) = (vec![false; nj * p], vec![false; nj * p]);
    for (m, &j) in members.iter().enumerate() {
        for k in 0..p {
            if k == j {
                continue;
            }
            let w = pr.weight(j, k);
            if matches!(o.kind, SetKind::TwoSided | SetKind::Upper) {
                a[m * p + k] = w;
                on_a[m * p + k] = true;
            }
            if matches!(o.kind, SetKind::TwoSided | SetKind::Lower) {
                bn[m * p + k] = -w;
                on_b[m * p + k] = true;
            }
        }
    }
    let mut running: Vec<bool> = (0..nj)
        .map(|m| {
            on_a[m * p..(m + 1) * p]
                .iter()
                .chain(&on_b[m * p..(m + 1) * p])
                .any(|&x| x)
        })
        .collect();
    let mut counts = vec![(0usize, 0usize); nj];
    // t[r * nj + m]: maximum of draw r for member m
    let mut t = vec![0.0; draws * nj];
    // Bucket pruning (as the simultaneous path): populations sorted by standard error into about
    // sqrt(p) buckets; for member j a bucket B can raise the maximum only if
    // max(z_j - min z_B, max z_B - z_j) max_{k in B} w_jk exceeds it. The bound is valid in
    // floating point (rounding is monotone), so the maxima are bit-identical to the full scan.
    let buckets = (!o.exhaustive_max && p >= 64).then(|| {
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|&x, &y| pr.se[x].total_cmp(&pr.se[y]).then(x.cmp(&y)));
        let size = (p as f64).sqrt().ceil() as usize;
        let bounds: Vec<(usize, usize)> = (0..p.div_ceil(size))
            .map(|b| (b * size, ((b + 1) * size).min(p)))
            .collect();
        (order, bounds)
    });
    while running.iter().any(|&x| x) {
        let live: Vec<usize> = (0..nj).filter(|&m| running[m]).collect();
        if let Some((order, bounds)) = &buckets {
            let nb = bounds.len();
            // largest active weight of each member in each bucket
            let mut wmax = vec![0.0f64; nj * nb];
            for &m in &live {
                for (b, &(s0, e0)) in bounds.iter().enumerate() {
                    let mut x = 0.0f64;
                    for &k in &order[s0..e0] {
                        x = x.max(a[m * p + k]).max(-bn[m * p + k]);
                    }
                    wmax[m * nb + b] = x;
                }
            }
            z.par_chunks(MARGINAL_BLOCK * p)
                .zip(t.par_chunks_mut(MARGINAL_BLOCK * nj))
                .for_each(|(zb, tb)| {
                    let count = zb.len() / p;
                    let mut lo = vec![0.0f64; count * nb];
                    let mut hi = vec![0.0f64; count * nb];
                    for r in 0..count {
                        let zr = &zb[r * p..(r + 1) * p];
                        for (b, &(s0, e0)) in bounds.iter().enumerate() {
                            let (mut h, mut l) = (f64::NEG_INFINITY, f64::INFINITY);
                            for &k in &order[s0..e0] {
                                h = h.max(zr[k]);
                                l = l.min(zr[k]);
                            }
                            lo[r * nb + b] = l;
                            hi[r * nb + b] = h;
                        }
                    }
                    let mut bound = vec![0.0f64; nb];
                    for &m in &live {
                        let j = members[m];
                        let (am, bm) = (&a[m * p..(m + 1) * p], &bn[m * p..(m + 1) * p]);
                        let wm = &wmax[m * nb..(m + 1) * nb];
                        for r in 0..count {
                            let zr = &zb[r * p..(r + 1) * p];
                            let zj = zr[j];
                            let mut top = (0.0f64, usize::MAX);
                            for b in 0..nb {
                                let d = (zj - lo[r * nb + b]).max(hi[r * nb + b] - zj);
                                let x = if wm[b] > 0.0 { d * wm[b] } else { 0.0 };
                                // NaN (0 * inf) must be scanned
                                bound[b] = if x.is_nan() { f64::INFINITY } else { x };
                                if bound[b] > top.0 {
                                    top = (bound[b], b);
                                }
                            }
                            let mut tm = 0.0f64;
                            let scan = |b: usize, tm: &mut f64| {
                                let (s0, e0) = bounds[b];
                                for &k in &order[s0..e0] {
                                    let d = zj - zr[k];
                                    let (x, y) = (d * am[k], d * bm[k]);
                                    let v = if x > y { x } else { y };
                                    *tm = if v > *tm { v } else { *tm };
                                }
                            };
                            if top.1 != usize::MAX {
                                scan(top.1, &mut tm);
                                for b in 0..nb {
                                    if b != top.1 && bound[b] > tm {
                                        scan(b, &mut tm);
                                    }
                                }
                            }
                            tb[r * nj + m] = tm;
                        }
                    }
                });
        } else {
            z.par_chunks(MARGINAL_BLOCK * p)
                .zip(t.par_chunks_mut(MARGINAL_BLOCK * nj))
                .for_each(|(zb, tb)| {
                    let count = zb.len() / p;
                    pulp::Arch::new().dispatch(|| {
                        for &m in &live {
                            let j = members[m];
                            let (am, bm) = (&a[m * p..(m + 1) * p], &bn[m * p..(m + 1) * p]);
                            for r in 0..count {
                                let zr = &zb[r * p..(r + 1) * p];
                                tb[r * nj + m] = row_max(zr[j], zr, am, bm);
                            }
                        }
                    });
                });
        }
        let crits: Vec<(usize, f64)> = live
            .par_iter()
            .map(|&m| {
                let mut col: Vec<f64> = (0..draws).map(|r| t[r * nj + m]).collect();
                (m, quantile7(&mut col, o.coverage))
            })
            .collect();
        for (m, c) in crits {
            let j = members[m];
            let mut any = false;
            for k in 0..p {
                if on_a[m * p + k] && pr.stat(j, k) > c {
                    on_a[m * p + k] = false;
                    a[m * p + k] = 0.0;
                    counts[m].1 += 1;
                    any = true;
                }
                if on_b[m * p + k] && pr.stat(k, j) > c {
                    on_b[m * p + k] = false;
                    bn[m * p + k] = 0.0;
                    counts[m].0 += 1;
                    any = true;
                }
            }
            let left = on_a[m * p..(m + 1) * p]
                .iter()
                .chain(&on_b[m * p..(m + 1) * p])
                .any(|&x| x);
            running[m] = any && o.stepdown && left;
        }
    }
    counts
}
