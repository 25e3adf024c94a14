//! An exact, order-independent sum of non-negative `f64` values.
//!
//! Every finite `f64` is an integer multiple of `2^-1074` (the smallest subnormal), and the
//! largest is below `2^1024`. [`ExactSum`] keeps the sum as a fixed-point integer in units of
//! `2^-1074`, in 36 little-endian 64-bit limbs (2304 bits: the whole `f64` range, 2^64 summands
//! of the largest value, and a factor of up to 2^20 for [`ExactSum::mul_small`]). Adding is integer
//! addition, so the sum is **exact** and the same for any order and any partitioning of the
//! summands; [`ExactSum::to_f64`] rounds once, to nearest (ties to even).
//!
//! ```text
//! S = sum_u w_u   (exact, in Z * 2^-1074)        to_f64(S) = round_nearest_even(S)
//! ```
//!
//! At the crate root because both sides of the data path use it: the tie tallies and the
//! selection (`quantile`), the weights summary (`weights`) and the streamed passes (`stream`,
//! which re-exports it as `stream::ExactSum` and `stream::exact`).
//!
//! With whole-number weights whose running sums stay below `2^53` every `f64` sum is exact too, so
//! the in-memory path (which sums in `f64`) and the streaming path (which sums here) agree bit
//! for bit; with arbitrary fractional weights the streaming sums are the correctly rounded ones.

use std::cmp::Ordering;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const LIMBS: usize = 36;
const MANT_MASK: u64 = (1u64 << 52) - 1;

/// An exact sum of non-negative finite `f64`s (fixed point in units of `2^-1074`).
///
/// # Formula
/// ```text
/// value = sum_i limb_i 2^(64 i - 1074)
/// ```
///
/// # Complexity
/// [`ExactSum::add`] is `O(1)` amortised (two limbs and a carry); merging, comparing and
/// rounding are `O(36)`. 288 bytes.
///
/// # Example
/// ```
/// use mobility::stream::ExactSum;
/// let mut a = ExactSum::zero();
/// for w in [0.1, 0.2, 0.3] {
///     a.add(w);
/// }
/// let mut b = ExactSum::zero();
/// for w in [0.3, 0.2, 0.1] {
///     b.add(w);
/// }
/// assert_eq!(a, b); // any order gives the same exact sum
/// assert_eq!(a.to_f64(), 0.6); // rounded once (0.1 + 0.2 + 0.3 in f64 is 0.6000000000000001)
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ExactSum {
    limbs: [u64; LIMBS],
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum::zero()
    }
}

impl std::fmt::Debug for ExactSum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExactSum({:e})", self.to_f64())
    }
}

impl ExactSum {
    /// Zero.
    pub const fn zero() -> ExactSum {
        ExactSum { limbs: [0; LIMBS] }
    }

    /// The exact value of one non-negative finite `f64`.
    pub fn of(x: f64) -> ExactSum {
        let mut s = ExactSum::zero();
        s.add(x);
        s
    }

    /// Whether the sum is zero.
    pub fn is_zero(&self) -> bool {
        self.limbs.iter().all(|&l| l == 0)
    }

    /// Adds one value. The caller guarantees `x` is finite and `>= 0` (validated input);
    /// a negative or non-finite value is ignored (it can never be a valid weight).
    #[inline]
    pub fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        if bits >> 63 != 0 || !x.is_finite() {
            return; // -0.0 adds nothing; negatives are rejected upstream
        }
        let exp = (bits >> 52) as u32;
        let mant = if exp == 0 {
            bits & MANT_MASK
        } else {
            (bits & MANT_MASK) | (1u64 << 52)
        };
        if mant == 0 {
            return;
        }
        // value = mant * 2^(max(exp, 1) - 1075) = mant * 2^-1074 * 2^(max(exp,1) - 1)
        let pos = exp.max(1) - 1;
        let limb = (pos / 64) as usize;
        let wide = u128::from(mant) << (pos % 64);
        self.add_at(limb, wide as u64);
        self.add_at(limb + 1, (wide >> 64) as u64);
    }

    #[inline]
    fn add_at(&mut self, mut limb: usize, v: u64) {
        if v == 0 {
            return;
        }
        let (s, mut carry) = self.limbs[limb].overflowing_add(v);
        self.limbs[limb] = s;
        while carry && limb + 1 < LIMBS {
            limb += 1;
            let (s, c) = self.limbs[limb].overflowing_add(1);
            self.limbs[limb] = s;
            carry = c;
        }
    }

    /// Merges `other` into `sums` cell by cell: two tallies of the same cells merged.
    pub(crate) fn merge_each(sums: &mut [ExactSum], other: &[ExactSum]) {
        sums.iter_mut().zip(other).for_each(|(a, b)| a.merge(b));
    }

    /// Adds another exact sum (merging partitions).
    pub fn merge(&mut self, other: &ExactSum) {
        let mut carry = false;
        for (a, &b) in self.limbs.iter_mut().zip(&other.limbs) {
            let (s1, c1) = a.overflowing_add(b);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *a = s2;
            carry = c1 || c2;
        }
    }

    /// `self * m` for a small integer `m` (class counts, `2k`); exact while the result fits the
    /// 2304-bit accumulator (any `m < 2^20` with sums of at most 2^64 `f64` values).
    pub fn mul_small(&self, m: u64) -> ExactSum {
        let mut out = ExactSum::zero();
        let mut carry: u128 = 0;
        for (o, &a) in out.limbs.iter_mut().zip(&self.limbs) {
            let p = u128::from(a) * u128::from(m) + carry;
            *o = p as u64;
            carry = p >> 64;
        }
        out
    }

    /// The sum rounded to the nearest `f64` (ties to even); `f64::INFINITY` above `f64::MAX`.
    pub fn to_f64(&self) -> f64 {
        self.to_f64_scaled(0)
    }

    /// The sum times `2^e`, rounded once to the nearest `f64` (ties to even) when the result is
    /// normal (a subnormal result is rounded twice); `f64::INFINITY` above `f64::MAX`. Lets a sum
    /// beyond the `f64` range be read in relative units.
    pub fn to_f64_scaled(&self, e: i32) -> f64 {
        let Some(top) = self.limbs.iter().rposition(|&l| l != 0) else {
            return 0.0;
        };
        let len = 64 * top as u32 + (64 - self.limbs[top].leading_zeros()); // bit length
        if len <= 53 {
            // an integer below 2^53 times 2^-1074: exactly representable
            let m = u128::from(self.limbs[0]) | (u128::from(self.limbs[1]) << 64);
            return libm::scalbn(m as f64, e - 1074);
        }
        let bit = |i: u32| (self.limbs[(i / 64) as usize] >> (i % 64)) & 1;
        let mut t: u64 = 0;
        for i in (len - 53..len).rev() {
            t = (t << 1) | bit(i);
        }
        let guard = bit(len - 54) == 1;
        let sticky = {
            let below = len - 54; // bits 0..below
            let full = (below / 64) as usize;
            self.limbs[..full].iter().any(|&l| l != 0)
                || (!below.is_multiple_of(64)
                    && self.limbs[full] & ((1u64 << (below % 64)) - 1) != 0)
        };
        let mut shift = len - 53; // value = t * 2^(shift - 1074)
        if guard && (sticky || t & 1 == 1) {
            t += 1;
            if t == 1u64 << 53 {
                t >>= 1;
                shift += 1;
            }
        }
        // t in [2^52, 2^53): biased exponent = shift - 1074 + 52 + 1023 (+ e)
        let biased = i64::from(shift) + 1 + i64::from(e);
        if biased >= 2047 {
            return f64::INFINITY;
        }
        if biased <= 0 {
            return libm::scalbn(t as f64, shift as i32 - 1074 + e);
        }
        f64::from_bits(((biased as u64) << 52) | (t & MANT_MASK))
    }
}

impl PartialOrd for ExactSum {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ExactSum {
    fn cmp(&self, other: &Self) -> Ordering {
        self.limbs.iter().rev().cmp(other.limbs.iter().rev())
    }
}

impl std::ops::Add<&ExactSum> for &ExactSum {
    type Output = ExactSum;
    fn add(self, rhs: &ExactSum) -> ExactSum {
        let mut s = self.clone();
        s.merge(rhs);
        s
    }
}

/// Serialised compactly: the index of the lowest non-zero limb and the limbs from there to the
/// highest non-zero one (`[]` for zero).
#[derive(Serialize, Deserialize)]
struct Packed(usize, Vec<u64>);

impl Serialize for ExactSum {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let lo = self.limbs.iter().position(|&l| l != 0);
        let packed = match lo {
            None => Packed(0, Vec::new()),
            Some(lo) => {
                let hi = self.limbs.iter().rposition(|&l| l != 0).unwrap_or(lo);
                Packed(lo, self.limbs[lo..=hi].to_vec())
            }
        };
        packed.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ExactSum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<ExactSum, D::Error> {
        let Packed(lo, limbs) = Packed::deserialize(d)?;
        if lo + limbs.len() > LIMBS {
            return Err(serde::de::Error::custom("exact sum has too many limbs"));
        }
        let mut s = ExactSum::zero();
        s.limbs[lo..lo + limbs.len()].copy_from_slice(&limbs);
        Ok(s)
    }
}

/// Adds `other` into `totals` cell by cell: two tallies of the same cells (row counts, `f64`
/// weights, histogram buckets) merged. For exact sums see [`ExactSum::merge_each`].
pub(crate) fn add_each<T: Copy + std::ops::AddAssign>(totals: &mut [T], other: &[T]) {
    totals.iter_mut().zip(other).for_each(|(a, &b)| *a += b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_values_round_trip() {
        for x in [
            0.0,
            1.0,
            0.1,
            1e-310,
            f64::from_bits(1),
            f64::MIN_POSITIVE,
            123456.789,
            1e300,
            f64::MAX,
            (1u64 << 53) as f64,
        ] {
            assert_eq!(ExactSum::of(x).to_f64(), x, "{x:e}");
        }
    }

    #[test]
    fn sums_are_correctly_rounded() {
        // integers: exact
        let mut s = ExactSum::zero();
        for i in 0..1000u32 {
            s.add(f64::from(i));
        }
        assert_eq!(s.to_f64(), 499_500.0);
        // 2^53 + 1 is not representable: ties to even gives 2^53
        let mut t = ExactSum::of((1u64 << 53) as f64);
        t.add(1.0);
        assert_eq!(t.to_f64(), (1u64 << 53) as f64);
        t.add(1.0); // 2^53 + 2 is representable
        assert_eq!(t.to_f64(), (1u64 << 53) as f64 + 2.0);
        // 1 + 2^-60: rounds to 1; 1e16 + 1 + 1 = 1e16 + 2 exactly
        let mut u = ExactSum::of(1.0);
        u.add(2f64.powi(-60));
        assert_eq!(u.to_f64(), 1.0);
        let mut v = ExactSum::of(1e16);
        v.add(1.0);
        v.add(1.0);
        assert_eq!(v.to_f64(), 1e16 + 2.0);
        // max + max overflows f64 but not the sum
        let mut w = ExactSum::of(f64::MAX);
        w.add(f64::MAX);
        assert_eq!(w.to_f64(), f64::INFINITY);
        assert!(w > ExactSum::of(f64::MAX));
    }

    #[test]
    fn order_and_partition_independent() {
        let xs: Vec<f64> = (0..5000)
            .map(|i| ((i as f64) * 0.618_033_988_7).fract() * 10f64.powi(i % 7 - 3))
            .collect();
        let mut a = ExactSum::zero();
        xs.iter().for_each(|&x| a.add(x));
        let mut parts = [ExactSum::zero(), ExactSum::zero(), ExactSum::zero()];
        for (i, &x) in xs.iter().rev().enumerate() {
            parts[i % 3].add(x);
        }
        let mut b = ExactSum::zero();
        parts.iter().for_each(|p| b.merge(p));
        assert_eq!(a, b);
        // the result is the f64 nearest to the exact rational sum: check against a
        // compensated sum in f64 (Neumaier) rounded, which is exact to well below an ulp here
        let (mut s, mut c) = (0.0f64, 0.0f64);
        for &x in &xs {
            let t = s + x;
            c += if s.abs() >= x.abs() {
                (s - t) + x
            } else {
                (x - t) + s
            };
            s = t;
        }
        assert_eq!(a.to_f64(), s + c);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<ExactSum>(&json).unwrap(), a);
        assert_eq!(serde_json::to_string(&ExactSum::zero()).unwrap(), "[0,[]]");
    }

    #[test]
    fn multiply_and_compare() {
        let a = ExactSum::of(0.1);
        let b = a.mul_small(3);
        let mut c = ExactSum::zero();
        for _ in 0..3 {
            c.add(0.1);
        }
        assert_eq!(b, c);
        assert!(b > ExactSum::of(0.3) || b < ExactSum::of(0.3)); // 3 * 0.1 != 0.3 exactly
        assert!(ExactSum::of(2.0) > ExactSum::of(1.0));
        assert_eq!(ExactSum::of(2.0), ExactSum::of(1.0).mul_small(2));
    }
}
