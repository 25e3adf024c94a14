//! The weighted shares of pairs whose child rank is above, or equal to, their parent rank,
//! decided in exact fixed-point arithmetic.

use rayon::prelude::*;

use super::{CHUNK, PARALLEL_SORT_MIN};
use crate::rank::sort_key;

/// Weight of the pairs whose child rank is above, and equal to, their parent rank, decided in
/// exact arithmetic.
///
/// The weighted mid-rank of a unit is `(B + T/2) / W` (`B` the weight strictly below it, `T`
/// its tie group's weight), so child and parent ranks compare as the integers `2B + T`. Every
/// weight is an integer multiple of `2^lsb` (`lsb` the lowest set bit over all weights), so those
/// sums are held exactly in fixed point with enough 64-bit limbs for `2W`: two limbs whenever the
/// weights span less than about `2^(124 - log2 n)` (any realistic survey weights), more for wider
/// ranges. The sums are then independent of the summation order, and equal ranks compare equal.
///
/// ```text
/// child rank > parent rank  iff  2 B_c + T_c > 2 B_p + T_p      (exact, fixed point 2^lsb)
/// ```
///
/// `O(n log n)` (one sort by each variable) and `O(n L)` memory for `L` limbs.
pub(super) fn exact_rank_shares(parent: &[f64], child: &[f64], w: &[f64]) -> (f64, f64) {
    let n = w.len();
    // w = m 2^e with m odd (or w = 0)
    let parts: Vec<(u64, i32)> = w
        .par_iter()
        .with_min_len(CHUNK)
        .map(|&x| {
            let bits = x.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i32;
            let frac = bits & ((1u64 << 52) - 1);
            let (m, e) = if exp == 0 {
                (frac, -1074)
            } else {
                (frac | (1u64 << 52), exp - 1075)
            };
            if m == 0 {
                (0, 0)
            } else {
                (m >> m.trailing_zeros(), e + m.trailing_zeros() as i32)
            }
        })
        .collect();
    let nonzero = parts.iter().filter(|p| p.0 != 0);
    let Some(lsb) = nonzero.clone().map(|p| p.1).min() else {
        return (0.0, 0.0);
    };
    let top = nonzero
        .map(|p| p.1 + 63 - p.0.leading_zeros() as i32)
        .max()
        .expect("a nonzero weight");
    // 2W <= 2 n 2^(top + 1): bits above 2^lsb needed, plus a spare
    let bits = (top - lsb + 1) as usize + 2 + (usize::BITS - n.leading_zeros()) as usize;
    let limbs = bits / 64 + 1;
    let add_weight = |acc: &mut [u64], i: usize| {
        let (m, e) = parts[i];
        if m == 0 {
            return;
        }
        let off = (e - lsb) as usize;
        let (at, sh) = (off / 64, off % 64);
        let lo = m << sh;
        let hi = if sh == 0 { 0 } else { m >> (64 - sh) };
        add_limbs(&mut acc[at..], &[lo, hi]);
    };
    // 2B + T for every unit, ties by status key; written per unit into `out`, or compared
    let walk = |status: &[f64], visit: &mut dyn FnMut(usize, &[u64])| {
        let mut order: Vec<(u64, u32)> = status
            .par_iter()
            .with_min_len(CHUNK)
            .enumerate()
            .map(|(i, &x)| (sort_key(x), i as u32))
            .collect();
        if order.len() >= PARALLEL_SORT_MIN {
            order.par_sort_unstable();
        } else {
            order.sort_unstable();
        }
        let (mut below, mut at_or_below, mut key) =
            (vec![0u64; limbs], vec![0u64; limbs], vec![0u64; limbs]);
        let mut s = 0;
        while s < n {
            let mut e = s;
            at_or_below.copy_from_slice(&below);
            while e < n && order[e].0 == order[s].0 {
                add_weight(&mut at_or_below, order[e].1 as usize);
                e += 1;
            }
            key.copy_from_slice(&below);
            add_limbs(&mut key, &at_or_below);
            for &(_, i) in &order[s..e] {
                visit(i as usize, &key);
            }
            std::mem::swap(&mut below, &mut at_or_below);
            s = e;
        }
    };
    let mut parent_key = vec![0u64; n * limbs];
    walk(parent, &mut |i, key| {
        parent_key[i * limbs..(i + 1) * limbs].copy_from_slice(key);
    });
    let (mut above, mut equal) = (0.0, 0.0);
    walk(child, &mut |i, key| {
        let p = &parent_key[i * limbs..(i + 1) * limbs];
        match key.iter().rev().cmp(p.iter().rev()) {
            std::cmp::Ordering::Greater => above += w[i],
            std::cmp::Ordering::Equal => equal += w[i],
            std::cmp::Ordering::Less => {}
        }
    });
    (above, equal)
}

/// `acc += x` on little-endian 64-bit limbs (`x` no longer than `acc`; no overflow by sizing).
fn add_limbs(acc: &mut [u64], x: &[u64]) {
    let mut carry = false;
    for (j, a) in acc.iter_mut().enumerate() {
        let v = x.get(j).copied().unwrap_or(0);
        if j >= x.len() && !carry {
            break;
        }
        let (s1, c1) = a.overflowing_add(v);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *a = s2;
        carry = c1 || c2;
    }
}
