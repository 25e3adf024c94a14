//! Kendall's tau-b: Knight's (1966) merge sort counting discordant pairs, weighted or not.
//!
//! The pairs sorted by parent (ties by child) are merge sorted on the child key; every strict
//! inversion met in a merge is a discordant pair, weighted by the product of the two masses.
//! Unit weights count exactly in `u64` ([`Unit`]), weights in `f64` ([`WUnit`]). Long segments
//! sort and merge in parallel, split where only the data decides, so counts never depend on the
//! number of threads.

use std::ops::{AddAssign, SubAssign};

use rayon::prelude::*;

use super::CHUNK;

/// Merge-sort segments at least this long are split across threads.
const PAR_MERGE_MIN: usize = 1 << 15;
/// Merge-sort segments at most this long are insertion-sorted.
const SMALL: usize = 24;

/// The weight an element carries: [`One`] (unit weights, counted exactly in `u64`) or an `f64`.
/// Everything about an element that depends on whether it is weighted lives here; the merge sort
/// is one generic over it.
pub(super) trait Weight: Copy + Send + Sync {
    /// Exact for unit weights (`u64` counts), `f64` with weights.
    type Mass: Copy + Send + Default + AddAssign + SubAssign + std::ops::Add<Output = Self::Mass>;
    /// Whether this is the unit weight.
    const UNIT: bool;
    /// The weight as an `f64`.
    fn value(&self) -> f64;
    /// The weight as a mass.
    fn mass(&self) -> Self::Mass;
    /// `mass(self) * other` if `cond`, else 0 (branch-free).
    fn times_if(&self, other: Self::Mass, cond: bool) -> Self::Mass;
    /// `mass(self)` if `cond`, else 0 (branch-free).
    fn mass_if(&self, cond: bool) -> Self::Mass;
    /// A mass as an `f64`.
    fn to_f64(m: Self::Mass) -> f64;
    /// `*y` if `take_y`, else `*x`, chosen the way that is fastest for elements of this weight.
    fn pick<T: Copy>(take_y: bool, x: &T, y: &T) -> T;
}

/// 1.0 if `cond`, else 0.0: multiplying by it zeroes a mass without a branch (a select on an
/// `f64` compiles to a branch on x86-64, and these conditions are coin flips in a merge).
#[inline]
fn unit_if(cond: bool) -> f64 {
    // LLVM turns `f64::from(u8::from(cond))` back into a select (a mispredicted branch): the
    // opaque integer keeps it an integer-to-float conversion
    std::hint::black_box(u64::from(cond)) as f64
}

/// The unit weight (takes no space: a [`Unit`] is 16 bytes).
#[derive(Debug, Clone, Copy)]
pub(super) struct One;

impl Weight for One {
    type Mass = u64;
    const UNIT: bool = true;
    #[inline]
    fn value(&self) -> f64 {
        1.0
    }
    #[inline]
    fn mass(&self) -> u64 {
        1
    }
    #[inline]
    fn times_if(&self, other: u64, cond: bool) -> u64 {
        other * u64::from(cond)
    }
    #[inline]
    fn mass_if(&self, cond: bool) -> u64 {
        u64::from(cond)
    }
    fn to_f64(m: u64) -> f64 {
        m as f64
    }
    #[inline]
    fn pick<T: Copy>(take_y: bool, x: &T, y: &T) -> T {
        if take_y { *y } else { *x }
    }
}

impl Weight for f64 {
    type Mass = f64;
    const UNIT: bool = false;
    #[inline]
    fn value(&self) -> f64 {
        *self
    }
    #[inline]
    fn mass(&self) -> f64 {
        *self
    }
    #[inline]
    fn times_if(&self, other: f64, cond: bool) -> f64 {
        // exact: w other 1 = w other, w other 0 = 0 (weights and masses are finite)
        *self * other * unit_if(cond)
    }
    #[inline]
    fn mass_if(&self, cond: bool) -> f64 {
        *self * unit_if(cond)
    }
    fn to_f64(m: f64) -> f64 {
        m
    }
    #[inline]
    fn pick<T: Copy>(take_y: bool, x: &T, y: &T) -> T {
        // selects the address (a conditional move), not the 24-byte value: LLVM would load both
        // and choose the f64 field with a mispredicted branch
        *std::hint::select_unpredictable(take_y, y, x)
    }
}

/// An element of the sequence whose inversions are counted: a child sort key, the parent's
/// mid-rank (identifying the parent's tie group) and a weight `W` (its mass).
#[derive(Debug, Clone, Copy)]
pub(super) struct Keyed<W> {
    pub(super) key: u64,
    pub(super) prank: f64,
    pub(super) w: W,
}

/// An unweighted element (16 bytes).
pub(super) type Unit = Keyed<One>;
/// A weighted element (24 bytes).
pub(super) type WUnit = Keyed<f64>;

fn mass_of<W: Weight>(v: &[Keyed<W>]) -> W::Mass {
    v.iter().fold(W::Mass::default(), |m, e| m + e.w.mass())
}

/// Stable sort of `v` by key, returning the mass of strict inversions (`i < j`,
/// `key_i > key_j`), weighted by `mass_i mass_j`.
pub(super) fn sort_counting<W: Weight>(v: &mut [Keyed<W>]) -> W::Mass {
    if v.len() <= SMALL {
        return insertion_count(v);
    }
    let mut scratch: Vec<Keyed<W>> = v.par_iter().with_min_len(CHUNK).copied().collect();
    sort_in_place(v, &mut scratch)
}

/// Sorts `v` (result in `v`; `scratch` of the same length is work space).
fn sort_in_place<W: Weight>(v: &mut [Keyed<W>], scratch: &mut [Keyed<W>]) -> W::Mass {
    let n = v.len();
    if n <= SMALL {
        return insertion_count(v);
    }
    let mid = n / 2;
    let (sa, sb) = scratch.split_at_mut(mid);
    let (va, vb) = v.split_at_mut(mid);
    let (ia, ib) = if n >= PAR_MERGE_MIN {
        rayon::join(|| sort_into(va, sa), || sort_into(vb, sb))
    } else {
        (sort_into(va, sa), sort_into(vb, sb))
    };
    ia + ib + merge_counting(sa, sb, v)
}

/// Sorts the contents of `v` into `out` (`v` is work space).
fn sort_into<W: Weight>(v: &mut [Keyed<W>], out: &mut [Keyed<W>]) -> W::Mass {
    let n = v.len();
    if n <= SMALL {
        out.copy_from_slice(v);
        return insertion_count(out);
    }
    let mid = n / 2;
    let (va, vb) = v.split_at_mut(mid);
    let (oa, ob) = out.split_at_mut(mid);
    let (ia, ib) = if n >= PAR_MERGE_MIN {
        rayon::join(|| sort_in_place(va, oa), || sort_in_place(vb, ob))
    } else {
        (sort_in_place(va, oa), sort_in_place(vb, ob))
    };
    ia + ib + merge_counting(va, vb, out)
}

/// Stable merge of sorted `a` and `b` into `out`, returning the mass of cross inversions.
/// Long merges are split in two independent merges (at the middle of `a` and the first element
/// of `b` not below it) and run in parallel; the split depends only on the data.
fn merge_counting<W: Weight>(a: &[Keyed<W>], b: &[Keyed<W>], out: &mut [Keyed<W>]) -> W::Mass {
    if a.len() + b.len() >= 2 * PAR_MERGE_MIN && a.len() >= 2 && !b.is_empty() {
        let i = a.len() / 2;
        let pivot = a[i].key;
        let j = b.partition_point(|e| e.key < pivot);
        // every b[..j] lies strictly below every a[i..]: all those pairs are inversions
        let cross = {
            let left = mass_of(&a[i..]);
            b[..j]
                .iter()
                .fold(W::Mass::default(), |m, e| m + e.w.times_if(left, true))
        };
        let (lo, hi) = out.split_at_mut(i + j);
        let (x, y) = rayon::join(
            || merge_counting(&a[..i], &b[..j], lo),
            || merge_counting(&a[i..], &b[j..], hi),
        );
        return x + y + cross;
    }
    merge_sequential(a, b, out)
}

/// Branch-free stable merge counting the mass of cross inversions.
#[inline]
fn merge_sequential<W: Weight>(a: &[Keyed<W>], b: &[Keyed<W>], out: &mut [Keyed<W>]) -> W::Mass {
    let out = &mut out[..a.len() + b.len()];
    let mut left = mass_of(a);
    let mut inv = W::Mass::default();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        let take_b = y.key < x.key;
        out[i + j] = W::pick(take_b, &a[i], &b[j]);
        inv += y.w.times_if(left, take_b);
        left -= x.w.mass_if(!take_b);
        i += usize::from(!take_b);
        j += usize::from(take_b);
    }
    let k = i + j;
    out[k..k + a.len() - i].copy_from_slice(&a[i..]);
    let k = k + a.len() - i;
    out[k..].copy_from_slice(&b[j..]);
    inv
}

/// Insertion sort counting the mass of strict inversions.
#[inline]
fn insertion_count<W: Weight>(v: &mut [Keyed<W>]) -> W::Mass {
    let mut inv = W::Mass::default();
    for t in 1..v.len() {
        let x = v[t];
        let mut s = t;
        let mut shifted = W::Mass::default();
        while s > 0 && v[s - 1].key > x.key {
            shifted += v[s - 1].w.mass();
            v[s] = v[s - 1];
            s -= 1;
        }
        v[s] = x;
        inv += x.w.times_if(shifted, true);
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(keys: &[u64]) -> Vec<Unit> {
        keys.iter()
            .map(|&key| Unit {
                key,
                prank: 0.0,
                w: One,
            })
            .collect()
    }

    #[test]
    fn merge_sort_counts_inversions() {
        let mut v = units(&(0..1000u64).rev().collect::<Vec<_>>());
        assert_eq!(sort_counting(&mut v), 1000 * 999 / 2);
        // with ties, long enough for the parallel split and the parallel merge
        let keys: Vec<u64> = (0..100_000u64).map(|i| (i * 7919) % 1013).collect();
        // reference count with a Fenwick tree over the keys
        let mut tree = vec![0u64; 1014];
        let mut brute = 0u64;
        for (seen, &v) in keys.iter().enumerate() {
            let mut at_most = 0; // earlier keys <= v
            let mut i = v as usize + 1;
            while i > 0 {
                at_most += tree[i];
                i &= i - 1;
            }
            brute += seen as u64 - at_most;
            let mut i = v as usize + 1;
            while i < tree.len() {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
        let mut v = units(&keys);
        assert_eq!(sort_counting(&mut v), brute);
        assert!(v.windows(2).all(|p| p[0].key <= p[1].key));
        // weighted with unit weights agrees
        let mut w: Vec<WUnit> = keys
            .iter()
            .map(|&key| WUnit {
                key,
                prank: 0.0,
                w: 1.0,
            })
            .collect();
        assert_eq!(sort_counting(&mut w), brute as f64);
    }
}
