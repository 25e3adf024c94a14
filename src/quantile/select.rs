//! Weighted selection of order statistics without sorting: a radix selection on the
//! order-preserving integer keys of the values (a pass for the key range, a parallel histogram of
//! the top 16 bits of the observed range, a pass gathering the buckets that hold a target, then
//! the same on the next bits of the small gathered set).

use rayon::prelude::*;

use crate::exact::add_each;
use crate::rank::{from_sort_key, sort_key};

/// The value that holds a weighted position, and the weight below and at it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Located {
    /// The value's sort key.
    pub(super) key: u64,
    /// The weight of the values below it.
    pub(super) below: f64,
    /// Its own weight (of all units tied at it).
    pub(super) tie: f64,
}

/// Fixed chunk length for parallel passes: results never depend on the number of threads.
pub(super) const CHUNK: usize = 1 << 18;
const BUCKET_BITS: u32 = 16;
const BUCKETS: usize = 1 << BUCKET_BITS;
/// Gathered sets at most this long are sorted instead of histogrammed again.
const SORT_MAX: usize = 4096;

/// For each target `t` (ascending, each in `[0, scale * W)`), the distinct value `x*` with
/// `scale * W(x < x*) <= t < scale * W(x <= x*)`. Comparing `scale * cumulative` with `t`
/// keeps the arithmetic exact for whole-number weights.
///
/// Keys are taken relative to the smallest one, and the first histogram uses the top 16 bits of
/// the observed key range, so the buckets are fine wherever the data lie.
pub(super) fn locate(
    values: &[f64],
    weights: Option<&[f64]>,
    scale: f64,
    targets: &[f64],
) -> Vec<Located> {
    // Pass 0: the key range (min and max are exact, so any reduction order gives the same).
    let (lo, hi) = values
        .par_chunks(CHUNK)
        .map(|chunk| {
            chunk.iter().fold((u64::MAX, 0u64), |(lo, hi), &v| {
                let key = sort_key(v);
                (lo.min(key), hi.max(key))
            })
        })
        .reduce(|| (u64::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    let span_bits = 64 - (hi - lo).leading_zeros();
    let shift = span_bits.saturating_sub(BUCKET_BITS);
    let bucket = |v: f64| ((sort_key(v) - lo) >> shift) as usize;

    // Pass 1: weight per bucket, in fixed chunks summed in chunk order.
    let partials: Vec<Vec<f64>> = values
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut h = vec![0.0f64; BUCKETS];
            match weights {
                None => chunk.iter().for_each(|&v| h[bucket(v)] += 1.0),
                Some(w) => {
                    let w = &w[c * CHUNK..c * CHUNK + chunk.len()];
                    chunk.iter().zip(w).for_each(|(&v, &wi)| h[bucket(v)] += wi);
                }
            }
            h
        })
        .collect();
    let mut hist = vec![0.0f64; BUCKETS];
    for part in &partials {
        add_each(&mut hist, part);
    }
    drop(partials);
    let hits = bucket_hits(&hist, scale, 0.0, targets);

    // Pass 2: gather the members of the buckets that hold a target.
    let mut slot = vec![u16::MAX; BUCKETS];
    let mut groups: Vec<(usize, f64)> = Vec::new(); // (bucket, weight below it)
    for &(b, base) in &hits {
        if slot[b] == u16::MAX {
            slot[b] = groups.len() as u16;
            groups.push((b, base));
        }
    }
    let gathered: Vec<Vec<Vec<(u64, f64)>>> = values
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut out = vec![Vec::new(); groups.len()];
            for (i, &v) in chunk.iter().enumerate() {
                let s = slot[bucket(v)];
                if s != u16::MAX {
                    let w = weights.map_or(1.0, |w| w[c * CHUNK + i]);
                    out[s as usize].push((sort_key(v) - lo, w));
                }
            }
            out
        })
        .collect();

    // Resolve each gathered bucket on the remaining bits.
    let mut result = Vec::with_capacity(targets.len());
    for (g, &(b, base)) in groups.iter().enumerate() {
        let mut members: Vec<(u64, f64)> =
            gathered.iter().flat_map(|c| c[g].iter().copied()).collect();
        let group_targets: Vec<f64> = hits
            .iter()
            .zip(targets)
            .filter(|((hb, _), _)| *hb == b)
            .map(|(_, &t)| t)
            .collect();
        resolve(
            &mut members,
            shift,
            base,
            scale,
            &group_targets,
            &mut result,
        );
    }
    for l in &mut result {
        l.key += lo;
    }
    result
}

/// For each target, the bucket holding it and the weight of all lower buckets.
fn bucket_hits(hist: &[f64], scale: f64, base: f64, targets: &[f64]) -> Vec<(usize, f64)> {
    let mut hits = Vec::with_capacity(targets.len());
    let mut cum = base;
    let mut b = 0;
    for &t in targets {
        while b < hist.len() && scale * (cum + hist[b]) <= t {
            cum += hist[b];
            b += 1;
        }
        if b == hist.len() {
            // a target at or past the total (only by rounding): it belongs to the top value
            let last = hist.iter().rposition(|&h| h > 0.0).unwrap_or(0);
            hits.push((last, cum - hist[last]));
        } else {
            hits.push((b, cum));
        }
    }
    hits
}

/// Resolves targets inside one gathered bucket whose (relative) keys agree on `key >> shift`.
fn resolve(
    members: &mut [(u64, f64)],
    shift: u32,
    base: f64,
    scale: f64,
    targets: &[f64],
    out: &mut Vec<Located>,
) {
    let Some(&(first, _)) = members.first() else {
        return; // unreachable: a bucket holding a target has members
    };
    let all_tied = members.iter().all(|m| m.0 == first);
    if all_tied {
        let tie = members.iter().map(|m| m.1).sum();
        out.extend(targets.iter().map(|_| Located {
            key: first,
            below: base,
            tie,
        }));
        return;
    }
    if members.len() <= SORT_MAX || shift == 0 {
        members.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut cum = base;
        let mut i = 0;
        let mut t = 0;
        while i < members.len() && t < targets.len() {
            let key = members[i].0;
            let mut tie = 0.0;
            while i < members.len() && members[i].0 == key {
                tie += members[i].1;
                i += 1;
            }
            while t < targets.len() && targets[t] < scale * (cum + tie) {
                out.push(Located {
                    key,
                    below: cum,
                    tie,
                });
                t += 1;
            }
            cum += tie;
        }
        // rounding guard: attribute any remaining target to the last value
        while t < targets.len() {
            let last = members[members.len() - 1].0;
            let tie: f64 = members.iter().filter(|m| m.0 == last).map(|m| m.1).sum();
            out.push(Located {
                key: last,
                below: cum - tie,
                tie,
            });
            t += 1;
        }
        return;
    }
    let next = shift.saturating_sub(BUCKET_BITS);
    let mask = (1u64 << (shift - next)) - 1;
    let bucket = |key: u64| ((key >> next) & mask) as usize;
    let mut hist = vec![0.0f64; BUCKETS];
    for &(key, w) in members.iter() {
        hist[bucket(key)] += w;
    }
    let hits = bucket_hits(&hist, scale, base, targets);
    let mut start = 0;
    while start < hits.len() {
        let (b, sub_base) = hits[start];
        let end = start + hits[start..].iter().take_while(|h| h.0 == b).count();
        let mut sub: Vec<(u64, f64)> = members
            .iter()
            .copied()
            .filter(|m| bucket(m.0) == b)
            .collect();
        resolve(&mut sub, next, sub_base, scale, &targets[start..end], out);
        start = end;
    }
}

/// The value at each 0-based order-statistic position (unit weights).
pub(super) fn order_statistics(values: &[f64], positions: &[usize]) -> Vec<f64> {
    let targets: Vec<f64> = positions.iter().map(|&p| p as f64 + 0.5).collect();
    locate(values, None, 1.0, &targets)
        .into_iter()
        .map(|l| from_sort_key(l.key))
        .collect()
}
