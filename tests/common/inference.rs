//! Gaussian pairs drawn from a ChaCha8 stream per sample, and the population quantile matrix of a
//! Gaussian copula: shared by the inference tests and `examples/coverage.rs` (which includes this
//! file by path).
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
