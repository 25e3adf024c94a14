//! Shared helpers for the inference tests and `examples/coverage.rs`: Gaussian pairs and the
//! exact quantile transition matrix of a Gaussian copula.
#![allow(dead_code)]

use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use statrs::distribution::{ContinuousCDF, Normal};

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

/// The population quantile transition matrix of a Gaussian copula with correlation `rho`:
/// `p_ab = k P(U in class a, V in class b)`, by the conditional form
/// `k * integral over u in ((a-1)/k, a/k] of [Phi((z_b - rho z(u))/s) - Phi((z_{b-1} - rho z(u))/s)] du`
/// (midpoint rule on 4,000 points a row; error far below 1e-6).
pub fn gaussian_copula_matrix(rho: f64, k: usize) -> Array2<f64> {
    let nd = Normal::standard();
    let s = (1.0 - rho * rho).sqrt();
    let z: Vec<f64> = (0..=k)
        .map(|m| match m {
            0 => f64::NEG_INFINITY,
            m if m == k => f64::INFINITY,
            m => nd.inverse_cdf(m as f64 / k as f64),
        })
        .collect();
    let steps = 4000;
    let mut p = Array2::zeros((k, k));
    for a in 0..k {
        let (lo, hi) = (a as f64 / k as f64, (a + 1) as f64 / k as f64);
        let h = (hi - lo) / steps as f64;
        for t in 0..steps {
            let u = lo + (t as f64 + 0.5) * h;
            let zu = nd.inverse_cdf(u);
            for b in 0..k {
                let up = if b + 1 == k {
                    1.0
                } else {
                    nd.cdf((z[b + 1] - rho * zu) / s)
                };
                let dn = if b == 0 {
                    0.0
                } else {
                    nd.cdf((z[b] - rho * zu) / s)
                };
                p[[a, b]] += (up - dn) * h * k as f64;
            }
        }
    }
    p
}

/// Mean and standard deviation (divisor n - 1).
pub fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v.sqrt())
}
