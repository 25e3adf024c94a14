//! Poisson bootstrap weights that do not depend on the partitioning: each record's replicate
//! weight is a pure function of `(record id, replicate, seed)`.
//!
//! ```text
//! h      = splitmix64(splitmix64(splitmix64(seed) ^ id) ^ replicate)     (three rounds, 64 bits)
//! u      = (h >> 11) / 2^53                                               uniform on [0, 1)
//! m      = min { m >= 0 : u < F(m) },  F the Poisson(1) cdf  F(m) = e^-1 sum_{j<=m} 1/j!
//! w*_u,b = m * w_u        (m alone when unweighted)
//! ```
//! A record therefore gets the same replicate weight on whichever worker, in whichever
//! partition and order it is read, so a streamed Poisson bootstrap (every replicate a weighted
//! streamed computation with exact sums) gives bit-identical results for every partitioning.
//! The cdf is tabulated once as 53-bit integer thresholds (`F(m) 2^53`, rounded down), so the
//! draw compares integers only; `m` is capped at 20 (`1 - F(20) < 2^-53`, so the cap never
//! binds for a 53-bit `u` beyond the table).
//!
//! Source: the Poisson(1) bootstrap of Hanley & MacGibbon (2006), "Creating non-parametric
//! bootstrap samples using Poisson frequencies", *Computer Methods and Programs in Biomedicine*
//! 83(1); splitmix64 of Steele, Lea & Flood (2014), "Fast splittable pseudorandom number
//! generators", OOPSLA.

use std::sync::OnceLock;

use crate::error::{MobilityError, Parameter, Result};

const CAP: usize = 20;

/// One splitmix64 output for state `x` (Steele, Lea & Flood 2014).
///
/// # Formula
/// ```text
/// z = x + 0x9E3779B97F4A7C15;  z = (z ^ z>>30) * 0xBF58476D1CE4E5B9;
/// z = (z ^ z>>27) * 0x94D049BB133111EB;  z ^ z>>31        (wrapping, 64 bits)
/// ```
///
/// # Complexity
/// `O(1)`.
#[inline]
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 64-bit hash of `(id, replicate, seed)` the draw uses.
///
/// # Formula
/// `splitmix64(splitmix64(splitmix64(seed) ^ id) ^ replicate)`.
///
/// # Complexity
/// `O(1)`.
#[inline]
pub fn record_hash(id: u64, replicate: u64, seed: u64) -> u64 {
    splitmix64(splitmix64(splitmix64(seed) ^ id) ^ replicate)
}

fn thresholds() -> &'static [u64; CAP + 1] {
    static T: OnceLock<[u64; CAP + 1]> = OnceLock::new();
    T.get_or_init(|| {
        let scale = (1u64 << 53) as f64;
        let mut t = [0u64; CAP + 1];
        let mut p = (-1.0f64).exp();
        let mut cdf = 0.0f64;
        for (m, slot) in t.iter_mut().enumerate() {
            if m > 0 {
                p /= m as f64;
            }
            cdf += p;
            *slot = ((cdf * scale) as u64).min(1u64 << 53);
        }
        t[CAP] = 1u64 << 53; // everything above the table is the cap
        t
    })
}

/// The Poisson(1) replicate count of record `id` in replicate `replicate` under `seed`.
///
/// # Formula
/// `m = min { m : u < F(m) }` with `u = (record_hash >> 11) / 2^53` (module docs).
///
/// # Complexity
/// `O(1)` (at most 21 integer comparisons; 1.72 on average).
///
/// # Example
/// ```
/// use mobility::stream::poisson::poisson_count;
/// let draws: Vec<u32> = (0..100_000).map(|id| poisson_count(id, 0, 7)).collect();
/// let mean = draws.iter().map(|&m| m as f64).sum::<f64>() / draws.len() as f64;
/// assert!((mean - 1.0).abs() < 0.02);
/// assert_eq!(poisson_count(12, 3, 7), poisson_count(12, 3, 7));
/// ```
#[inline]
pub fn poisson_count(id: u64, replicate: u64, seed: u64) -> u32 {
    let u = record_hash(id, replicate, seed) >> 11;
    let t = thresholds();
    let mut m = 0;
    while m < CAP && u >= t[m] {
        m += 1;
    }
    m as u32
}

/// Replicate weights of a batch: `m(id_u, replicate, seed) * w_u` (or `m` alone).
///
/// # Formula
/// Module docs; the product of a small whole number and `w_u` is one rounded `f64` product,
/// the same on every machine.
///
/// # Errors
/// `weights` of another length than `ids`.
///
/// # Complexity
/// `O(n)`.
pub fn replicate_weights(
    ids: &[u64],
    replicate: u64,
    seed: u64,
    weights: Option<&[f64]>,
) -> Result<Vec<f64>> {
    match weights {
        None => Ok(ids
            .iter()
            .map(|&id| f64::from(poisson_count(id, replicate, seed)))
            .collect()),
        Some(w) => {
            if w.len() != ids.len() {
                return Err(MobilityError::invalid(
                    Parameter::Weights,
                    format!(
                        "expected {} values (one per id), found {}",
                        ids.len(),
                        w.len()
                    ),
                ));
            }
            Ok(ids
                .iter()
                .zip(w)
                .map(|(&id, &x)| f64::from(poisson_count(id, replicate, seed)) * x)
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // splitmix64 with state 0 then 0x9E3779B97F4A7C15, ...: the first outputs of the
        // reference generator seeded with 0 (Vigna's splitmix64.c).
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn poisson_frequencies_match_the_pmf() {
        let n = 400_000u64;
        let mut freq = [0u64; CAP + 1];
        for id in 0..n {
            freq[poisson_count(id, 5, 11) as usize] += 1;
        }
        let e = (-1.0f64).exp();
        let mut p = e;
        for (m, &f) in freq.iter().enumerate().take(6) {
            if m > 0 {
                p /= m as f64;
            }
            let expected = p * n as f64;
            // 5 standard deviations of a binomial count.
            let sd = (expected * (1.0 - p)).sqrt();
            assert!(
                (f as f64 - expected).abs() < 5.0 * sd,
                "m = {m}: {f} vs {expected}"
            );
        }
    }

    #[test]
    fn weights_are_pure_functions_of_the_record() {
        let ids: Vec<u64> = (0..1000).collect();
        let w: Vec<f64> = (0..1000).map(|i| 0.5 + i as f64 * 0.1).collect();
        let all = replicate_weights(&ids, 2, 9, Some(&w)).unwrap();
        let tail = replicate_weights(&ids[400..], 2, 9, Some(&w[400..])).unwrap();
        assert_eq!(&all[400..], &tail[..]);
        assert_ne!(
            replicate_weights(&ids, 2, 9, None).unwrap(),
            replicate_weights(&ids, 3, 9, None).unwrap()
        );
        assert!(replicate_weights(&ids, 0, 0, Some(&w[1..])).is_err());
    }
}
