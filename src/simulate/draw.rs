//! Drawing the pairs: chunks of [`CHUNK_LEN`] pairs in parallel, each from its own ChaCha8
//! stream, so the output does not depend on the number of threads; weights from streams of
//! their own.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{CHUNK_LEN, Simulation, WEIGHT_SIGMA, WEIGHT_STREAM};
use crate::error::Result;

/// Simulated parent and child status, paired by position.
///
/// # Formula
/// ```text
/// (parent[i], child[i]), i = 0..n, independent across i
/// ```
///
/// # Errors
/// None (a plain result type).
///
/// # Complexity
/// O(n) memory.
///
/// # Source
/// Gaussian copula with log-normal marginals.
///
/// # Example
/// ```
/// use mobility::simulate::{simulate, Simulation};
/// let pairs = simulate(&Simulation::new(5, 0.5, 3)).unwrap();
/// assert_eq!((pairs.parent.len(), pairs.child.len()), (5, 5));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedPairs {
    /// Parent status, all positive.
    pub parent: Vec<f64>,
    /// Child status, all positive.
    pub child: Vec<f64>,
}

/// Simulated pairs with positive unit weights, independent of status.
///
/// # Formula
/// ```text
/// weight[i] = exp(WEIGHT_SIGMA u - WEIGHT_SIGMA^2 / 2),  u ~ N(0, 1)   (mean 1)
/// ```
///
/// # Errors
/// None (a plain result type).
///
/// # Complexity
/// O(n) memory.
///
/// # Source
/// Log-normal survey weights; Aitchison and Brown (1957).
///
/// # Example
/// ```
/// use mobility::simulate::{simulate_weighted, Simulation};
/// let w = simulate_weighted(&Simulation::new(5, 0.5, 3)).unwrap();
/// assert!(w.weight.iter().all(|&x| x > 0.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedPairs {
    /// Parent status, all positive.
    pub parent: Vec<f64>,
    /// Child status, all positive.
    pub child: Vec<f64>,
    /// Unit weights, all positive, mean 1 in expectation.
    pub weight: Vec<f64>,
}

/// The random generator of chunk `stream`: key from `seed`, ChaCha stream `stream`.
fn chunk_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Draws `n` parent/child pairs from the Gaussian copula with log-normal marginals.
///
/// Deterministic given `spec`: the same seed gives bit-identical output on any number of threads
/// (chunks of [`CHUNK_LEN`] pairs, chunk `c` from ChaCha8 key `seed_from_u64(seed)`, stream `c`;
/// normals by the ziggurat method of `rand_distr`).
///
/// # Formula
/// ```text
/// z1, e ~ N(0, 1) independent,  z2 = rho z1 + sqrt(1 - rho^2) e
/// parent = exp(mu_p + sigma_p z1),  child = exp(mu_c + sigma_c z2)
/// corr(log parent, log child) = rho,  Spearman(parent, child) = (6 / pi) asin(rho / 2)
/// ```
///
/// # Errors
/// [`MobilityError::InvalidParameter`] if `n == 0`, the correlation is outside `[-1, 1]` or not
/// finite, a `mu` is not finite, a `sigma` is not finite and positive, or `|mu| + 10 sigma > 700`.
///
/// [`MobilityError::InvalidParameter`]: crate::MobilityError::InvalidParameter
///
/// # Complexity
/// O(n) time (parallel over chunks), O(n) memory (two `Vec<f64>`).
///
/// # Source
/// Gaussian copula (e.g. Nelsen 2006, *An Introduction to Copulas*, sec. 2.3); Chetty et al.
/// (2014) for rank-based mobility; Doornik (2005) for the ziggurat normal generator.
///
/// # Example
/// ```
/// use mobility::simulate::{simulate, Simulation};
/// let spec = Simulation::new(10_000, 0.5, 42);
/// let a = simulate(&spec).unwrap();
/// let b = simulate(&spec).unwrap();
/// assert_eq!(a, b); // reproducible
/// assert!(a.parent.iter().chain(&a.child).all(|&x| x > 0.0 && x.is_finite()));
/// ```
pub fn simulate(spec: &Simulation) -> Result<SimulatedPairs> {
    let rho = spec.validate()?;
    let s = ((1.0 - rho) * (1.0 + rho)).max(0.0).sqrt();
    let (mu_p, sigma_p) = (spec.parent.mu, spec.parent.sigma);
    let (mu_c, sigma_c) = (spec.child.mu, spec.child.sigma);
    let seed = spec.seed;

    let mut parent = vec![0.0f64; spec.n];
    let mut child = vec![0.0f64; spec.n];
    parent
        .par_chunks_mut(CHUNK_LEN)
        .zip(child.par_chunks_mut(CHUNK_LEN))
        .enumerate()
        .for_each(|(c, (p_chunk, c_chunk))| {
            let mut rng = chunk_rng(seed, c as u64);
            for (p, ch) in p_chunk.iter_mut().zip(c_chunk.iter_mut()) {
                let z1: f64 = StandardNormal.sample(&mut rng);
                let e: f64 = StandardNormal.sample(&mut rng);
                let z2 = rho * z1 + s * e;
                *p = (mu_p + sigma_p * z1).exp();
                *ch = (mu_c + sigma_c * z2).exp();
            }
        });
    Ok(SimulatedPairs { parent, child })
}

/// Draws `n` pairs as [`simulate`] does, plus positive log-normal unit weights.
///
/// The pairs are bit-identical to `simulate(spec)`; the weights come from separate streams
/// (`2^63 + c` for chunk `c`) and are independent of status.
///
/// # Formula
/// ```text
/// (parent, child) as in simulate
/// weight = exp(0.5 u - 0.125),  u ~ N(0, 1)   (WEIGHT_SIGMA = 0.5, E[weight] = 1)
/// ```
///
/// # Errors
/// As [`simulate`].
///
/// # Complexity
/// O(n) time (parallel), O(n) memory (three `Vec<f64>`).
///
/// # Source
/// Gaussian copula; Aitchison and Brown (1957) for the log-normal weights.
///
/// # Example
/// ```
/// use mobility::simulate::{simulate, simulate_weighted, Simulation};
/// let spec = Simulation::new(1_000, 0.3, 5);
/// let w = simulate_weighted(&spec).unwrap();
/// assert_eq!(w.parent, simulate(&spec).unwrap().parent);
/// assert_eq!(w.weight.len(), 1_000);
/// ```
pub fn simulate_weighted(spec: &Simulation) -> Result<WeightedPairs> {
    let SimulatedPairs { parent, child } = simulate(spec)?;
    let seed = spec.seed;
    let shift = -0.5 * WEIGHT_SIGMA * WEIGHT_SIGMA;
    let mut weight = vec![0.0f64; spec.n];
    weight
        .par_chunks_mut(CHUNK_LEN)
        .enumerate()
        .for_each(|(c, w_chunk)| {
            let mut rng = chunk_rng(seed, WEIGHT_STREAM + c as u64);
            for w in w_chunk.iter_mut() {
                let u: f64 = StandardNormal.sample(&mut rng);
                *w = (WEIGHT_SIGMA * u + shift).exp();
            }
        });
    Ok(WeightedPairs {
        parent,
        child,
        weight,
    })
}
