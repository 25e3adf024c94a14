//! Simulated samples: Gaussian pairs drawn from a ChaCha8 stream per sample, log-normal incomes
//! built on them, and the population quantile matrix of a Gaussian copula. Shared by the
//! inference and rank tests, `examples/coverage.rs` and the benches (which include this file by
//! path).
#![allow(dead_code)]

use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// `n` standard bivariate normal pairs with correlation `rho`, from stream `stream` of `seed`.
pub fn gaussian_pairs(n: usize, rho: f64, seed: u64, stream: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let s = (1.0 - rho * rho).sqrt();
    (0..n)
        .map(|_| {
            let x: f64 = rng.sample(StandardNormal);
            let e: f64 = rng.sample(StandardNormal);
            (x, rho * x + s * e)
        })
        .unzip()
}

/// `n` log-normal parent and child incomes, `exp(mu + sigma * z)` of the [`gaussian_pairs`]
/// (stream 0 of `seed`): log correlation `rho`.
pub fn lognormal_pairs(n: usize, rho: f64, seed: u64, mu: f64, sigma: f64) -> (Vec<f64>, Vec<f64>) {
    let (x, y) = gaussian_pairs(n, rho, seed, 0);
    let income = |z: &f64| (mu + sigma * z).exp();
    (
        x.iter().map(income).collect(),
        y.iter().map(income).collect(),
    )
}

/// The population quantile transition matrix of a Gaussian copula with correlation `rho`
/// (`mobility::simulate::gaussian_copula_matrix`: Drezner-Wesolowsky/Genz bivariate normal).
pub fn gaussian_copula_matrix(rho: f64, k: usize) -> Array2<f64> {
    mobility::simulate::gaussian_copula_matrix(rho, k).expect("valid rho and k")
}

/// Mean and standard deviation (divisor n - 1).
pub fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v.sqrt())
}

/// splitmix64: a small deterministic generator for test data.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `0..m`.
    pub fn below(&mut self, m: u64) -> u64 {
        self.next() % m
    }

    /// A uniform number in [0, 1) with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A permutation of `0..n` shuffled deterministically from `seed` (Fisher-Yates on a
/// [`SplitMix`] stream), for checks that row order never matters.
pub fn shuffled_order(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix(seed);
    for i in (1..n).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    order
}
