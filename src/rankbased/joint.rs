//! The joint pass: both variables' mid-ranks, the rank moments, the ties and Kendall's tau-b,
//! with two sorts and no random memory access.

use rayon::prelude::*;

use super::kendall::{Keyed, One, Unit, WUnit, Weight, sort_counting};
use super::{CHUNK, PARALLEL_SORT_MIN};
use crate::rank::sort_key;

/// What the joint pass returns: moments of the local ranks and Kendall's tau-b.
pub(super) struct Joint {
    pub(super) moments: Moments,
    pub(super) kendall: Option<f64>,
}

/// Ranks, rank moments and Kendall's tau-b with two sorts and no random memory access.
///
/// 1. Sort the pairs by `(parent, child)`; the parent's mid-ranks come off the sorted order,
///    and ties in parent status are ordered by child status (Knight's secondary key).
/// 2. Merge sort the `(child key, parent rank)` sequence on the child key, counting discordant
///    pairs (Knight 1966); the result is the child's sorted order.
/// 3. Walk it: child mid-ranks, the rank moments, and the joint ties (runs of equal child key
///    and parent rank).
pub(super) fn joint_pass(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    total: f64,
) -> Joint {
    match weights {
        None => {
            let mut pairs: Vec<(u64, u64)> = parent
                .par_iter()
                .zip(child)
                .with_min_len(CHUNK)
                .map(|(&p, &c)| (sort_key(p), sort_key(c)))
                .collect();
            // the rows come in canonical order, which is this order: the check is one pass
            if pairs.is_sorted() {
                // nothing to do
            } else if pairs.len() >= PARALLEL_SORT_MIN {
                pairs.par_sort_unstable();
            } else {
                pairs.sort_unstable();
            }
            let (seq, tie_sq_x) = parent_ranks(
                &pairs,
                |p| p.0,
                None,
                total,
                |p, prank| Unit {
                    key: p.1,
                    prank,
                    w: One,
                },
            );
            drop(pairs);
            joint_rest(seq, tie_sq_x, total)
        }
        Some(w) => {
            let mut triples: Vec<(u64, u64, f64)> = parent
                .par_iter()
                .zip(child)
                .zip(w)
                .with_min_len(CHUNK)
                .map(|((&p, &c), &w)| (sort_key(p), sort_key(c), w))
                .collect();
            // the weight breaks ties so the order (and every sum) is fully determined
            let cmp = |a: &(u64, u64, f64), b: &(u64, u64, f64)| {
                a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2))
            };
            if triples.is_sorted_by(|a, b| cmp(a, b).is_le()) {
                // nothing to do: canonical order
            } else if triples.len() >= PARALLEL_SORT_MIN {
                triples.par_sort_unstable_by(cmp);
            } else {
                triples.sort_unstable_by(cmp);
            }
            let (seq, tie_sq_x) = parent_ranks(
                &triples,
                |p| p.0,
                Some(&|p: &(u64, u64, f64)| p.2),
                total,
                |p, prank| WUnit {
                    key: p.1,
                    prank,
                    w: p.2,
                },
            );
            drop(triples);
            joint_rest(seq, tie_sq_x, total)
        }
    }
}

/// Parent mid-ranks from the pairs sorted by parent key, turned into merge-sort elements; also
/// `sum_g W_g^2` over the parent's tie groups.
fn parent_ranks<T: Sync, E: Send>(
    sorted: &[T],
    key: impl Fn(&T) -> u64 + Sync,
    weight: Option<&(dyn Fn(&T) -> f64 + Sync)>,
    total: f64,
    make: impl Fn(&T, f64) -> E + Sync + Send,
) -> (Vec<E>, f64) {
    let (ranks, tie_sq) = sorted_midranks(sorted, &key, weight, total);
    let seq = sorted
        .par_iter()
        .zip(ranks.par_iter())
        .with_min_len(CHUNK)
        .map(|(p, &r)| make(p, r))
        .collect();
    (seq, tie_sq)
}

/// Mid-ranks of a sequence sorted by `key` (ties share the mean rank of their group) and
/// `sum_g W_g^2` over tie groups, in parallel fixed chunks.
///
/// Without weights the arithmetic is exactly that of `crate::rank::fractional_ranks`
/// (`(start + len/2) / n`, exact in floating point). With weights, the weight below a group that
/// spans a chunk boundary is taken from chunk prefix sums, so every chunk computes the same rank
/// for it; results never depend on the number of threads.
fn sorted_midranks<T: Sync>(
    seq: &[T],
    key: &(impl Fn(&T) -> u64 + Sync),
    weight: Option<&(dyn Fn(&T) -> f64 + Sync)>,
    total: f64,
) -> (Vec<f64>, f64) {
    let n = seq.len();
    let w = |i: usize| weight.map_or(1.0, |f| f(&seq[i]));
    // weight before the start of each chunk
    let chunk_sums: Vec<f64> = match weight {
        None => seq.chunks(CHUNK).map(|c| c.len() as f64).collect(),
        Some(f) => seq
            .par_chunks(CHUNK)
            .map(|c| c.iter().map(f).sum())
            .collect(),
    };
    let mut prefix = Vec::with_capacity(chunk_sums.len());
    let mut acc = 0.0;
    for s in &chunk_sums {
        prefix.push(acc);
        acc += s;
    }
    // weight strictly before position `pos` (0 <= pos <= n)
    let below_at = |pos: usize| -> f64 {
        match weight {
            None => pos as f64,
            Some(_) => {
                let c = pos / CHUNK;
                if c >= prefix.len() {
                    return acc;
                }
                prefix[c] + (c * CHUNK..pos).map(w).sum::<f64>()
            }
        }
    };
    let run_end = |s: usize| s + seq[s..].partition_point(|x| key(x) <= key(&seq[s]));
    let run_start = |pos: usize| seq[..pos].partition_point(|x| key(x) < key(&seq[pos]));
    let mut ranks = vec![0.0; n];
    let tie_sq: Vec<f64> = ranks
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, out)| {
            let (a, b) = (c * CHUNK, c * CHUNK + out.len());
            let mut tie_sq = 0.0;
            let mut s = run_start(a);
            let mut below = if s < a { below_at(s) } else { prefix[c] };
            while s < b {
                let mut e = s + 1;
                let mut tie = w(s);
                // stops at b + 1 at the latest: then the group crosses into the next chunk
                while e < n && e <= b && key(&seq[e]) == key(&seq[s]) {
                    tie += w(e);
                    e += 1;
                }
                if s < a || e > b {
                    // a group that crosses a chunk boundary: the same arithmetic in every chunk
                    e = run_end(s);
                    below = below_at(s);
                    tie = match weight {
                        None => (e - s) as f64,
                        Some(_) => below_at(e) - below,
                    };
                }
                let r = (below + tie / 2.0) / total;
                out[s.max(a) - a..e.min(b) - a].fill(r);
                if s >= a {
                    tie_sq += tie * tie;
                }
                below += tie;
                s = e;
            }
            tie_sq
        })
        .collect();
    (ranks, tie_sq.iter().sum())
}

fn joint_rest<W: Weight>(mut seq: Vec<Keyed<W>>, tie_sq_x: f64, total: f64) -> Joint {
    let discordant = W::to_f64(sort_counting(&mut seq));
    let n = seq.len();
    let weighted = |e: &Keyed<W>| e.w.value();
    let unit = W::UNIT || seq.is_empty();
    let (rank_y, tie_sq_y) = sorted_midranks(
        &seq,
        &|e: &Keyed<W>| e.key,
        if unit { None } else { Some(&weighted) },
        total,
    );
    // Rank moments, and joint ties: runs of equal (child key, parent rank) that start in the
    // chunk (within a run of equal child keys the merge kept parent order, so they are
    // consecutive).
    let same =
        |x: &Keyed<W>, y: &Keyed<W>| x.key == y.key && x.prank.to_bits() == y.prank.to_bits();
    let partials: Vec<(Moments, f64)> = seq
        .par_chunks(CHUNK)
        .zip(rank_y.par_chunks(CHUNK))
        .enumerate()
        .map(|(c, (chunk, ry))| {
            let mut m = Moments::default();
            let mut joint_sq = 0.0;
            let start = c * CHUNK;
            for (t, (e, &r)) in chunk.iter().zip(ry).enumerate() {
                m.add(e.w.value(), e.prank, r);
                let pos = start + t;
                if pos == 0 || !same(&seq[pos - 1], e) {
                    let mut w = e.w.value();
                    let mut q = pos + 1;
                    while q < n && same(&seq[q], e) {
                        w += seq[q].w.value();
                        q += 1;
                    }
                    joint_sq += w * w;
                }
            }
            (m, joint_sq)
        })
        .collect();
    let mut moments = Moments::default();
    let mut joint_sq = 0.0;
    for (m, j) in &partials {
        moments.merge(m);
        joint_sq += j;
    }
    let w2 = total * total;
    let tx = (w2 - tie_sq_x) / 2.0;
    let ty = (w2 - tie_sq_y) / 2.0;
    let kendall = (tx > 1e-12 * w2 && ty > 1e-12 * w2).then(|| {
        let both = (w2 - tie_sq_x - tie_sq_y + joint_sq) / 2.0;
        ((both - 2.0 * discordant) / (tx * ty).sqrt()).clamp(-1.0, 1.0)
    });
    Joint { moments, kendall }
}

/// Weighted first and second moments of two rank variables, centred at 1/2, and the up/equal
/// shares.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Moments {
    pub(super) w: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
    pub(super) above: f64,
    pub(super) equal: f64,
}

impl Moments {
    #[inline]
    fn add(&mut self, w: f64, rx: f64, ry: f64) {
        let (dx, dy) = (rx - 0.5, ry - 0.5);
        self.w += w;
        self.sx += w * dx;
        self.sy += w * dy;
        self.sxx += w * dx * dx;
        self.syy += w * dy * dy;
        self.sxy += w * dx * dy;
        // branch-free: the comparison is a coin flip on real data
        self.above += w * f64::from(u8::from(ry > rx));
        self.equal += w * f64::from(u8::from(ry == rx));
    }

    fn merge(&mut self, o: &Moments) {
        self.w += o.w;
        self.sx += o.sx;
        self.sy += o.sy;
        self.sxx += o.sxx;
        self.syy += o.syy;
        self.sxy += o.sxy;
        self.above += o.above;
        self.equal += o.equal;
    }

    pub(super) fn mean_x(&self) -> f64 {
        0.5 + self.sx / self.w
    }

    pub(super) fn mean_y(&self) -> f64 {
        0.5 + self.sy / self.w
    }

    /// Centred sums of squares and products.
    fn centred(&self) -> (f64, f64, f64) {
        let (mx, my) = (self.sx / self.w, self.sy / self.w);
        (
            self.sxx - self.w * mx * mx,
            self.syy - self.w * my * my,
            self.sxy - self.w * mx * my,
        )
    }

    pub(super) fn slope(&self) -> Option<f64> {
        let (cxx, _, cxy) = self.centred();
        (self.w > 0.0 && cxx > 1e-14 * self.w).then(|| cxy / cxx)
    }

    pub(super) fn correlation(&self) -> Option<f64> {
        let (cxx, cyy, cxy) = self.centred();
        (self.w > 0.0 && cxx > 1e-14 * self.w && cyy > 1e-14 * self.w)
            .then(|| (cxy / (cxx * cyy).sqrt()).clamp(-1.0, 1.0))
    }
}

/// Moments of given ranks in input order (national ranks of a group).
pub(super) fn moments_in_order(rx: &[f64], ry: &[f64], weights: Option<&[f64]>) -> Moments {
    let partials: Vec<Moments> = rx
        .par_chunks(CHUNK)
        .zip(ry.par_chunks(CHUNK))
        .enumerate()
        .map(|(c, (xs, ys))| {
            let mut m = Moments::default();
            for (t, (&x, &y)) in xs.iter().zip(ys).enumerate() {
                m.add(weights.map_or(1.0, |w| w[c * CHUNK + t]), x, y);
            }
            m
        })
        .collect();
    let mut total = Moments::default();
    for p in &partials {
        total.merge(p);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_midranks_across_chunk_boundaries() {
        // tie groups of 1000 and one of 150,000 straddle many chunk boundaries
        let n = 400_000usize;
        let values: Vec<f64> = (0..n)
            .map(|i| {
                if (100_000..250_000).contains(&i) {
                    100.0
                } else {
                    (i / 1000) as f64
                }
            })
            .collect();
        let weights: Vec<f64> = (0..n).map(|i| 0.5 + (i % 7) as f64 * 0.25).collect();
        let keyed: Vec<(u64, f64)> = values
            .iter()
            .zip(&weights)
            .map(|(&v, &w)| (sort_key(v), w))
            .collect(); // already sorted by value
        assert!(keyed.windows(2).all(|p| p[0].0 <= p[1].0));
        let total: f64 = weights.iter().sum();
        let (ranks, tie_sq) = sorted_midranks(
            &keyed,
            &|p: &(u64, f64)| p.0,
            Some(&|p: &(u64, f64)| p.1),
            total,
        );
        let reference = crate::rank::fractional_ranks(&values, Some(&weights)).unwrap();
        for i in 0..n {
            assert!((ranks[i] - reference[i]).abs() < 1e-12, "{i}");
            if i > 0 && values[i] == values[i - 1] {
                assert_eq!(ranks[i].to_bits(), ranks[i - 1].to_bits(), "{i}");
            }
        }
        let mut expect = 0.0;
        let mut i = 0;
        while i < n {
            let mut j = i;
            let mut w = 0.0;
            while j < n && values[j] == values[i] {
                w += weights[j];
                j += 1;
            }
            expect += w * w;
            i = j;
        }
        assert!((tie_sq - expect).abs() < 1e-9 * expect);
        // unit weights: bit-identical to fractional_ranks
        let (ranks, tie_sq) = sorted_midranks(&keyed, &|p: &(u64, f64)| p.0, None, n as f64);
        assert_eq!(ranks, crate::rank::fractional_ranks(&values, None).unwrap());
        // 100 + 150 groups of 1000 outside the big group of 150,000
        assert_eq!(tie_sq, 250.0 * 1e6 + 150_000f64.powi(2));
    }

    #[test]
    fn ranks_match_fractional_ranks() {
        let x = [3.0, 1.0, 2.0, 2.0, 5.0, 1.0];
        let w = [1.0, 0.5, 2.0, 1.0, 0.25, 3.0];
        let total: f64 = w.iter().sum();
        let mut triples: Vec<(u64, u64, f64)> = x
            .iter()
            .zip(&w)
            .map(|(&v, &w)| (sort_key(v), 0, w))
            .collect();
        triples.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)));
        let (seq, _) = parent_ranks(
            &triples,
            |p| p.0,
            Some(&|p: &(u64, u64, f64)| p.2),
            total,
            |p, r| (p.0, r),
        );
        let r = crate::rank::fractional_ranks(&x, Some(&w)).unwrap();
        for (i, &v) in x.iter().enumerate() {
            let found = seq.iter().find(|(k, _)| *k == sort_key(v)).unwrap().1;
            assert_eq!(found, r[i]);
        }
    }
}
