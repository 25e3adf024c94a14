//! Simulated parent/child status pairs and the true transition matrix of the Gaussian copula.
//!
//! The simulator draws `n` pairs `(parent, child)` whose dependence is a Gaussian copula with a
//! chosen correlation and whose marginals are log-normal. It exists for examples, benchmarks,
//! tests and power analysis: the population quantile transition matrix of the same model is known
//! ([`gaussian_copula_matrix`]), so estimators can be checked against the truth.
//!
//! # Model
//! ```text
//! z1 ~ N(0, 1),  e ~ N(0, 1) independent
//! z2 = rho z1 + sqrt(1 - rho^2) e                  (corr(z1, z2) = rho)
//! parent = exp(mu_p + sigma_p z1),  child = exp(mu_c + sigma_c z2)
//! ```
//! `rho` is the Pearson correlation of log parent and log child status. Because ranks do not change
//! under the increasing maps `exp(mu + sigma z)`, the Spearman rank correlation of `(parent, child)`
//! is that of `(z1, z2)`, `rho_s = (6 / pi) asin(rho / 2)` (Pearson 1907; Kruskal 1958), and every
//! quantile transition matrix depends on `rho` only, never on the marginals.
//!
//! # Reproducibility
//! Pairs are generated in fixed chunks of [`CHUNK_LEN`] pairs, in parallel with rayon. Chunk `c`
//! (pairs `c * CHUNK_LEN ..`) draws from its own ChaCha8 generator: key
//! `ChaCha8Rng::seed_from_u64(seed)`, stream `c`. The chunk length does not depend on the number of
//! threads, so the output is bit-identical on 1, 2 or any number of threads. Weights
//! ([`simulate_weighted`]) use streams `2^63 + c` of the same key, so adding weights never changes
//! the pairs.
//!
//! # Sources
//! - Chetty, R., Hendren, N., Kline, P. and Saez, E. (2014). Where is the land of opportunity? The
//!   geography of intergenerational mobility in the United States. *Quarterly Journal of
//!   Economics* 129(4), 1553-1623 (rank-rank correlations and quintile transition matrices).
//! - Pearson, K. (1907). *On further methods of determining correlation.* Drapers' Company Research
//!   Memoirs, Biometric Series IV; Kruskal, W. H. (1958). Ordinal measures of association.
//!   *JASA* 53(284), 814-861 (Spearman's rho of the bivariate normal).
//! - Drezner, Z. and Wesolowsky, G. O. (1990). On the computation of the bivariate normal integral.
//!   *J. Statist. Comput. Simul.* 35, 101-107; Genz, A. (2004). Numerical computation of
//!   rectangular bivariate and trivariate normal and t probabilities. *Statistics and Computing*
//!   14, 251-260 (the bivariate normal CDF used by [`gaussian_copula_matrix`]).

use std::f64::consts::PI;

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result, check_k};

/// Number of pairs generated from one random stream (the unit of parallel work).
///
/// Fixed, so that results do not depend on the number of threads.
pub const CHUNK_LEN: usize = 65_536;

/// Standard deviation of log weights drawn by [`simulate_weighted`].
pub const WEIGHT_SIGMA: f64 = 0.5;

/// Default location of log status, `mu = 10.5` (median `exp(10.5)`, about 36,300).
pub const DEFAULT_MU: f64 = 10.5;

/// Default scale of log status, `sigma = 0.7` (Gini `2 Phi(0.7 / sqrt 2) - 1`, about 0.38).
pub const DEFAULT_SIGMA: f64 = 0.7;

/// Stream offset for the weights of chunk `c` (stream `WEIGHT_STREAM + c`).
const WEIGHT_STREAM: u64 = 1 << 63;

/// How strongly parent and child status are associated in the Gaussian copula.
///
/// # Formula
/// ```text
/// Pearson(rho)    rho = corr(z1, z2) = corr(log parent, log child)
/// Spearman(rho_s) rho = 2 sin(pi rho_s / 6)         (Pearson 1907; Kruskal 1958)
/// ```
///
/// # Errors
/// [`Correlation::latent`] returns [`MobilityError::InvalidParameter`] for values outside
/// `[-1, 1]` or not finite.
///
/// # Complexity
/// O(1).
///
/// # Example
/// ```
/// use mobility::simulate::Correlation;
/// // Spearman 0.5 is a latent correlation of 2 sin(pi / 12), about 0.5176.
/// let rho = Correlation::Spearman(0.5).latent().unwrap();
/// assert!((rho - 2.0 * (std::f64::consts::PI / 12.0).sin()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Correlation {
    /// Pearson correlation of the latent normals, i.e. of log parent and log child status.
    Pearson(f64),
    /// Spearman rank correlation of parent and child status (any marginals).
    Spearman(f64),
}

/// Which correlation a [`Correlation`] gives: the user-facing name of its variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CorrelationKind {
    /// Pearson correlation of log status (the latent normals). The default.
    #[default]
    Pearson,
    /// Spearman rank correlation of status.
    Spearman,
}

crate::error::named_enum!(CorrelationKind, Correlation, "correlation", {
    Pearson => "pearson",
    Spearman => "spearman",
});

impl Correlation {
    /// A correlation of the given kind and value.
    pub fn new(kind: CorrelationKind, rho: f64) -> Correlation {
        match kind {
            CorrelationKind::Pearson => Correlation::Pearson(rho),
            CorrelationKind::Spearman => Correlation::Spearman(rho),
        }
    }

    /// The correlation `rho` of the latent normals.
    ///
    /// # Formula
    /// ```text
    /// Pearson(rho)    -> rho
    /// Spearman(rho_s) -> 2 sin(pi rho_s / 6)   (exactly +/-1 at rho_s = +/-1)
    /// ```
    ///
    /// # Errors
    /// [`MobilityError::InvalidParameter`] if the value is not finite or outside `[-1, 1]`.
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Pearson (1907); Kruskal (1958), JASA 53, 814-861.
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::Correlation;
    /// assert_eq!(Correlation::Pearson(0.4).latent().unwrap(), 0.4);
    /// assert_eq!(Correlation::Spearman(1.0).latent().unwrap(), 1.0);
    /// assert!(Correlation::Pearson(1.5).latent().is_err());
    /// ```
    pub fn latent(&self) -> Result<f64> {
        match *self {
            Correlation::Pearson(rho) => {
                check_unit_interval(rho, crate::error::Parameter::PearsonRho)?;
                Ok(rho)
            }
            Correlation::Spearman(rho_s) => {
                check_unit_interval(rho_s, crate::error::Parameter::SpearmanRho)?;
                Ok(spearman_to_latent(rho_s))
            }
        }
    }

    /// The Spearman rank correlation of parent and child status implied by this correlation.
    ///
    /// # Formula
    /// ```text
    /// rho_s = (6 / pi) asin(rho / 2)
    /// ```
    ///
    /// # Errors
    /// [`MobilityError::InvalidParameter`] if the value is not finite or outside `[-1, 1]`.
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Pearson (1907); Kruskal (1958), JASA 53, 814-861.
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::Correlation;
    /// // asin(1/2) = pi/6, so Pearson 1 has Spearman 1; Pearson 0.5 about 0.4826.
    /// assert!((Correlation::Pearson(1.0).spearman().unwrap() - 1.0).abs() < 1e-15);
    /// let rs = Correlation::Pearson(0.5).spearman().unwrap();
    /// assert!((rs - 6.0 / std::f64::consts::PI * 0.25f64.asin()).abs() < 1e-15);
    /// ```
    pub fn spearman(&self) -> Result<f64> {
        match *self {
            Correlation::Spearman(rho_s) => {
                check_unit_interval(rho_s, crate::error::Parameter::SpearmanRho)?;
                Ok(rho_s)
            }
            Correlation::Pearson(rho) => {
                check_unit_interval(rho, crate::error::Parameter::PearsonRho)?;
                Ok(6.0 / PI * (rho / 2.0).asin())
            }
        }
    }
}

/// Rank correlation to latent correlation, exact at the end points.
fn spearman_to_latent(rho_s: f64) -> f64 {
    if rho_s.abs() == 1.0 {
        rho_s
    } else {
        (2.0 * (PI * rho_s / 6.0).sin()).clamp(-1.0, 1.0)
    }
}

fn check_unit_interval(value: f64, name: crate::error::Parameter) -> Result<()> {
    if !value.is_finite() || !(-1.0..=1.0).contains(&value) {
        return Err(MobilityError::invalid(
            name,
            format!("must be a finite number in [-1, 1], got {value}"),
        ));
    }
    Ok(())
}

/// A log-normal marginal: `exp(mu + sigma Z)` with `Z ~ N(0, 1)`.
///
/// The default, `mu = 10.5` and `sigma = 0.7`, looks roughly like annual household incomes:
/// median `exp(10.5)` about 36,300, mean `exp(mu + sigma^2 / 2)` about 46,400, Gini about 0.38.
///
/// # Formula
/// ```text
/// X = exp(mu + sigma Z)
/// median = exp(mu),  mean = exp(mu + sigma^2 / 2),  Gini = 2 Phi(sigma / sqrt 2) - 1
/// ```
///
/// # Errors
/// [`LogNormal::new`] returns [`MobilityError::InvalidParameter`] for a non-finite `mu`, a
/// `sigma` that is not finite and positive, or `|mu| + 10 sigma > 700` (values would overflow to
/// infinity or underflow to zero).
///
/// # Complexity
/// O(1).
///
/// # Source
/// Aitchison, J. and Brown, J. A. C. (1957). *The Lognormal Distribution.* Cambridge UP.
///
/// # Example
/// ```
/// use mobility::simulate::LogNormal;
/// let m = LogNormal::default();
/// assert_eq!((m.mu, m.sigma), (10.5, 0.7));
/// assert!((m.mean() - (10.5f64 + 0.245).exp()).abs() < 1e-9);
/// assert!(LogNormal::new(0.0, 0.0).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogNormal {
    /// Mean of the log.
    pub mu: f64,
    /// Standard deviation of the log (> 0).
    pub sigma: f64,
}

impl Default for LogNormal {
    fn default() -> Self {
        LogNormal {
            mu: DEFAULT_MU,
            sigma: DEFAULT_SIGMA,
        }
    }
}

impl LogNormal {
    /// A validated log-normal marginal.
    ///
    /// # Formula
    /// ```text
    /// X = exp(mu + sigma Z),  Z ~ N(0, 1)
    /// ```
    ///
    /// # Errors
    /// [`MobilityError::InvalidParameter`] unless `mu` is finite, `sigma` is finite and positive
    /// and `|mu| + 10 sigma <= 700`.
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Aitchison and Brown (1957).
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::LogNormal;
    /// let m = LogNormal::new(0.0, 1.0).unwrap();
    /// assert_eq!(m.sigma, 1.0);
    /// assert!(LogNormal::new(f64::NAN, 1.0).is_err());
    /// ```
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        let m = LogNormal { mu, sigma };
        m.validate(crate::error::Side::Marginal)?;
        Ok(m)
    }

    /// The mean `exp(mu + sigma^2 / 2)`.
    ///
    /// # Formula
    /// ```text
    /// E[X] = exp(mu + sigma^2 / 2)
    /// ```
    ///
    /// # Errors
    /// None.
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Aitchison and Brown (1957).
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::LogNormal;
    /// assert!((LogNormal { mu: 0.0, sigma: 1.0 }.mean() - 0.5f64.exp()).abs() < 1e-15);
    /// ```
    pub fn mean(&self) -> f64 {
        (self.mu + 0.5 * self.sigma * self.sigma).exp()
    }

    fn validate(&self, what: crate::error::Side) -> Result<()> {
        if !self.mu.is_finite() {
            return Err(MobilityError::invalid(
                crate::error::Parameter::Mu(what),
                format!("must be finite, got {}", self.mu),
            ));
        }
        if !self.sigma.is_finite() || self.sigma <= 0.0 {
            return Err(MobilityError::invalid(
                crate::error::Parameter::Sigma(what),
                format!("must be finite and > 0, got {}", self.sigma),
            ));
        }
        if self.mu.abs() + 10.0 * self.sigma > 700.0 {
            return Err(MobilityError::invalid(
                crate::error::Parameter::MuAndSigma(what),
                format!(
                    "|mu| + 10 sigma must be <= 700 so that exp(mu + sigma z) stays finite and \
                     positive, got mu = {} and sigma = {}",
                    self.mu, self.sigma
                ),
            ));
        }
        Ok(())
    }
}

/// Parameters of a simulation: sample size, dependence, marginals and seed.
///
/// Build with [`Simulation::new`] and adjust with the `with_*` methods or the public fields.
///
/// # Formula
/// ```text
/// z1 ~ N(0, 1),  z2 = rho z1 + sqrt(1 - rho^2) e,  e ~ N(0, 1)
/// parent = exp(parent.mu + parent.sigma z1),  child = exp(child.mu + child.sigma z2)
/// ```
///
/// # Errors
/// [`simulate`] validates: `n >= 1`, the correlation in `[-1, 1]`, both marginals valid (see
/// [`LogNormal::new`]); all failures are [`MobilityError::InvalidParameter`].
///
/// # Complexity
/// Construction O(1); see [`simulate`] for generation.
///
/// # Source
/// Gaussian copula with log-normal marginals; Chetty et al. (2014) for rank-based mobility.
///
/// # Example
/// ```
/// use mobility::simulate::{Correlation, LogNormal, Simulation};
/// let spec = Simulation::new(1_000, 0.4, 7)
///     .with_correlation(Correlation::Spearman(0.35))
///     .with_child(LogNormal::new(10.7, 0.8).unwrap());
/// assert_eq!(spec.parent, LogNormal::default());
/// let json = serde_json::to_string(&spec).unwrap();
/// assert_eq!(serde_json::from_str::<Simulation>(&json).unwrap(), spec);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Number of pairs (>= 1).
    pub n: usize,
    /// Dependence between parent and child status.
    pub correlation: Correlation,
    /// Marginal of parent status.
    pub parent: LogNormal,
    /// Marginal of child status.
    pub child: LogNormal,
    /// Seed of the random streams.
    pub seed: u64,
}

impl Simulation {
    /// `n` pairs with latent (log-status) correlation `rho`, default marginals and `seed`.
    ///
    /// Both marginals are [`LogNormal::default`] (`mu = 10.5`, `sigma = 0.7`).
    ///
    /// # Formula
    /// ```text
    /// correlation = Pearson(rho),  parent = child = LogNormal { mu: 10.5, sigma: 0.7 }
    /// ```
    ///
    /// # Errors
    /// None here; parameters are checked by [`simulate`] and [`Simulation::validate`].
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Gaussian copula; Aitchison and Brown (1957) for log-normal incomes.
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::{Correlation, Simulation};
    /// let spec = Simulation::new(10, 0.3, 1);
    /// assert_eq!(spec.correlation, Correlation::Pearson(0.3));
    /// ```
    pub fn new(n: usize, rho: f64, seed: u64) -> Self {
        Simulation {
            n,
            correlation: Correlation::Pearson(rho),
            parent: LogNormal::default(),
            child: LogNormal::default(),
            seed,
        }
    }

    /// The same simulation with another correlation.
    ///
    /// # Formula
    /// ```text
    /// self.correlation = correlation
    /// ```
    ///
    /// # Errors
    /// None here; checked by [`simulate`].
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Pearson (1907); Kruskal (1958) for the Spearman conversion.
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::{Correlation, Simulation};
    /// let spec = Simulation::new(10, 0.0, 1).with_correlation(Correlation::Spearman(0.3));
    /// assert_eq!(spec.correlation, Correlation::Spearman(0.3));
    /// ```
    pub fn with_correlation(mut self, correlation: Correlation) -> Self {
        self.correlation = correlation;
        self
    }

    /// The same simulation with another parent marginal.
    ///
    /// # Formula
    /// ```text
    /// parent = exp(marginal.mu + marginal.sigma z1)
    /// ```
    ///
    /// # Errors
    /// None here; checked by [`simulate`].
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Aitchison and Brown (1957).
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::{LogNormal, Simulation};
    /// let spec = Simulation::new(10, 0.3, 1).with_parent(LogNormal { mu: 0.0, sigma: 1.0 });
    /// assert_eq!(spec.parent.mu, 0.0);
    /// ```
    pub fn with_parent(mut self, marginal: LogNormal) -> Self {
        self.parent = marginal;
        self
    }

    /// The same simulation with another child marginal.
    ///
    /// # Formula
    /// ```text
    /// child = exp(marginal.mu + marginal.sigma z2)
    /// ```
    ///
    /// # Errors
    /// None here; checked by [`simulate`].
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Aitchison and Brown (1957).
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::{LogNormal, Simulation};
    /// let spec = Simulation::new(10, 0.3, 1).with_child(LogNormal { mu: 1.0, sigma: 2.0 });
    /// assert_eq!(spec.child.sigma, 2.0);
    /// ```
    pub fn with_child(mut self, marginal: LogNormal) -> Self {
        self.child = marginal;
        self
    }

    /// The same simulation with another seed.
    ///
    /// # Formula
    /// ```text
    /// chunk c draws from ChaCha8Rng::seed_from_u64(seed) with stream c
    /// ```
    ///
    /// # Errors
    /// None.
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Bernstein, D. J. (2008). ChaCha, a variant of Salsa20.
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::Simulation;
    /// assert_eq!(Simulation::new(10, 0.3, 1).with_seed(9).seed, 9);
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks the parameters and returns the latent correlation `rho`.
    ///
    /// # Formula
    /// ```text
    /// n >= 1,  rho in [-1, 1],  mu finite,  0 < sigma < inf,  |mu| + 10 sigma <= 700
    /// ```
    ///
    /// # Errors
    /// [`MobilityError::InvalidParameter`] naming the offending parameter.
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Source
    /// Pearson (1907); Kruskal (1958).
    ///
    /// # Example
    /// ```
    /// use mobility::simulate::Simulation;
    /// assert_eq!(Simulation::new(10, 0.3, 1).validate().unwrap(), 0.3);
    /// assert!(Simulation::new(0, 0.3, 1).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<f64> {
        crate::limits::check_simulated(self.n)?;
        let rho = self.correlation.latent()?;
        self.parent.validate(crate::error::Side::Parent)?;
        self.child.validate(crate::error::Side::Child)?;
        Ok(rho)
    }
}

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

/// The population quantile transition matrix of the Gaussian copula with correlation `rho`.
///
/// Entry `(i, j)` (zero-based) is the probability that the child is in quantile class `j` given that
/// the parent is in class `i`, with `k` equal-probability classes. It depends on `rho` only (not
/// on the marginals), is symmetric, centro-symmetric and bistochastic.
///
/// # Formula
/// ```text
/// c_m = Phi^-1(m / k), m = 1..k-1;  c_0 = -inf, c_k = +inf
/// F(x, y) = P(Z1 <= x, Z2 <= y)          bivariate normal CDF, correlation rho
/// p_ij = k [F(c_i+1, c_j+1) - F(c_i, c_j+1) - F(c_i+1, c_j) + F(c_i, c_j)]
/// rho = 0: p_ij = 1/k;  rho = 1: identity;  rho = -1: p_ij = 1 if i + j = k - 1
/// k = 2: p_00 = p_11 = 1/2 + asin(rho) / pi   (Sheppard 1899)
/// ```
/// `F` is computed with Genz's (2004) double-precision version of the Drezner-Wesolowsky (1990)
/// algorithm (Gauss-Legendre quadrature in `asin(rho)`, a tail expansion for `|rho| >= 0.925`),
/// accurate to about 1e-15 absolute, with `Phi` from `libm::erfc` and the cut-offs from statrs'
/// `inverse_cdf` polished by Newton steps; rows sum to 1 within a few ulps.
///
/// # Errors
/// [`MobilityError::TooFewClasses`] if `k < 2`; [`MobilityError::InvalidParameter`] if `rho` is
/// not finite or outside `[-1, 1]`.
///
/// # Complexity
/// O(k^2) bivariate normal evaluations of at most 20 nodes each; O(k^2) memory.
///
/// # Source
/// Sheppard, W. F. (1899). On the application of the theory of error to cases of normal
/// distribution and normal correlation. *Phil. Trans. R. Soc. A* 192, 101-167; Drezner and
/// Wesolowsky (1990); Genz (2004), *Statistics and Computing* 14, 251-260.
///
/// # Example
/// ```
/// use mobility::simulate::gaussian_copula_matrix;
/// // k = 2, rho = 1/2: staying above the median has probability 1/2 + asin(1/2)/pi = 2/3.
/// let p = gaussian_copula_matrix(0.5, 2).unwrap();
/// assert!((p[[1, 1]] - 2.0 / 3.0).abs() < 1e-14);
/// assert!((p[[0, 1]] - 1.0 / 3.0).abs() < 1e-14);
/// // Quintiles, rho = 0.5: every row is a probability distribution.
/// let q = gaussian_copula_matrix(0.5, 5).unwrap();
/// for row in q.rows() {
///     assert!((row.sum() - 1.0).abs() < 1e-12);
/// }
/// ```
pub fn gaussian_copula_matrix(rho: f64, k: usize) -> Result<Array2<f64>> {
    check_k(k)?;
    check_unit_interval(rho, crate::error::Parameter::Rho)?;
    if rho == 0.0 {
        return Ok(Array2::from_elem((k, k), 1.0 / k as f64));
    }
    if rho == 1.0 {
        return Ok(Array2::eye(k));
    }
    if rho == -1.0 {
        return Ok(Array2::from_shape_fn((k, k), |(i, j)| {
            if i + j == k - 1 { 1.0 } else { 0.0 }
        }));
    }

    // Cut-offs c_0..c_k, exactly antisymmetric: c_{k-m} = -c_m.
    let mut c = vec![0.0f64; k + 1];
    c[0] = f64::NEG_INFINITY;
    c[k] = f64::INFINITY;
    for m in 1..k {
        if 2 * m < k {
            // m / k lies in (0, 1/2): inverse_cdf cannot panic.
            c[m] = normal_quantile(m as f64 / k as f64);
            c[k - m] = -c[m];
        } else if 2 * m == k {
            c[m] = 0.0;
        }
    }

    // F[i][j] = P(Z1 <= c_i, Z2 <= c_j), exactly symmetric.
    let kf = k as f64;
    let mut f = vec![vec![0.0f64; k + 1]; k + 1];
    for i in 1..=k {
        for j in i..=k {
            let v = if j == k {
                i as f64 / kf
            } else {
                bvn_lower(c[i], c[j], rho)
            };
            f[i][j] = v;
            f[j][i] = v;
        }
    }

    Ok(Array2::from_shape_fn((k, k), |(i, j)| {
        // Grouped so that (i, j) and (j, i) round identically: the matrix is exactly symmetric.
        let joint = (f[i + 1][j + 1] + f[i][j]) - (f[i][j + 1] + f[i + 1][j]);
        (kf * joint).max(0.0)
    }))
}

/// Standard normal CDF (the crate's one accurate `Phi`, [`crate::normal`]).
fn phi(x: f64) -> f64 {
    crate::normal::cdf(x)
}

/// Standard normal quantile `Phi^-1(p)` for `p` in `(0, 1)` ([`crate::normal`]).
fn normal_quantile(p: f64) -> f64 {
    crate::normal::quantile(p).unwrap_or(f64::NAN)
}

/// `P(Z1 <= x, Z2 <= y)` for standard normals with correlation `r`, `|r| < 1`.
fn bvn_lower(x: f64, y: f64, r: f64) -> f64 {
    bvn_upper(-x, -y, r)
}

// Gauss-Legendre nodes (positive half, on [-1, 1]) and weights for 6, 12 and 20 points, as
// printed in Genz (2004); some carry a 17th digit that f64 rounds away.
#[allow(clippy::excessive_precision)]
const GL6: [(f64, f64); 3] = [
    (0.932_469_514_203_152_2, 0.171_324_492_379_170_5),
    (0.661_209_386_466_264_7, 0.360_761_573_048_138_4),
    (0.238_619_186_083_197_0, 0.467_913_934_572_690_4),
];
#[allow(clippy::excessive_precision)]
const GL12: [(f64, f64); 6] = [
    (0.981_560_634_246_719_1, 0.047_175_336_386_511_77),
    (0.904_117_256_370_475_0, 0.106_939_325_995_318_3),
    (0.769_902_674_194_305_0, 0.160_078_328_543_346_4),
    (0.587_317_954_286_617_1, 0.203_167_426_723_065_9),
    (0.367_831_498_998_180_2, 0.233_492_536_538_354_7),
    (0.125_233_408_511_469_2, 0.249_147_045_813_402_9),
];
#[allow(clippy::excessive_precision)]
const GL20: [(f64, f64); 10] = [
    (0.993_128_599_185_094_9, 0.017_614_007_139_152_12),
    (0.963_971_927_277_913_8, 0.040_601_429_800_386_94),
    (0.912_234_428_251_325_9, 0.062_672_048_334_109_06),
    (0.839_116_971_822_218_8, 0.083_276_741_576_704_75),
    (0.746_331_906_460_150_8, 0.101_930_119_817_240_4),
    (0.636_053_680_726_515_0, 0.118_194_531_961_518_4),
    (0.510_867_001_950_827_1, 0.131_688_638_449_176_6),
    (0.373_706_088_715_419_6, 0.142_096_109_318_382_1),
    (0.227_785_851_141_645_1, 0.149_172_986_472_603_7),
    (0.076_526_521_133_497_33, 0.152_753_387_130_725_9),
];

/// `P(Z1 > h, Z2 > k)` for standard normals with correlation `r`, `|r| < 1`, finite or infinite
/// limits.
///
/// Drezner and Wesolowsky (1990) with Genz's (2004) double-precision modifications: for
/// `|r| < 0.925` Gauss-Legendre quadrature of Plackett's identity
/// `dF/dr = phi2(h, k; r)` over `asin(r)`; otherwise an asymptotic expansion of the integral
/// in `sqrt(1 - r^2)` corrected by quadrature.
fn bvn_upper(h: f64, k: f64, r: f64) -> f64 {
    if h == f64::INFINITY || k == f64::INFINITY {
        return 0.0;
    }
    if h == f64::NEG_INFINITY {
        return if k == f64::NEG_INFINITY { 1.0 } else { phi(-k) };
    }
    if k == f64::NEG_INFINITY {
        return phi(-h);
    }
    let nodes: &[(f64, f64)] = if r.abs() < 0.3 {
        &GL6
    } else if r.abs() < 0.75 {
        &GL12
    } else {
        &GL20
    };
    let two_pi = 2.0 * PI;
    let mut hk = h * k;
    let value = if r.abs() < 0.925 {
        let hs = 0.5 * (h * h + k * k);
        let asr = r.asin();
        let mut sum = 0.0;
        for &(x, w) in nodes {
            for t in [1.0 - x, 1.0 + x] {
                let sn = (0.5 * asr * t).sin();
                sum += w * ((sn * hk - hs) / (1.0 - sn * sn)).exp();
            }
        }
        sum * asr / (2.0 * two_pi) + phi(-h) * phi(-k)
    } else {
        let mut k = k;
        if r < 0.0 {
            k = -k;
            hk = -hk;
        }
        let mut bvn = 0.0;
        if r.abs() < 1.0 {
            let a2 = (1.0 - r) * (1.0 + r);
            let mut a = a2.sqrt();
            let bs = (h - k) * (h - k);
            let c = (4.0 - hk) / 8.0;
            let d = (12.0 - hk) / 16.0;
            let asr = -0.5 * (bs / a2 + hk);
            if asr > -100.0 {
                bvn = a
                    * asr.exp()
                    * (1.0 - c * (bs - a2) * (1.0 - d * bs / 5.0) / 3.0 + c * d * a2 * a2 / 5.0);
            }
            if hk > -100.0 {
                let b = bs.sqrt();
                let sp = two_pi.sqrt() * phi(-b / a);
                bvn -= (-0.5 * hk).exp() * sp * b * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0);
            }
            a *= 0.5;
            for &(x, w) in nodes {
                for t in [1.0 - x, 1.0 + x] {
                    let xs = (a * t) * (a * t);
                    let rs = (1.0 - xs).sqrt();
                    let asr = -0.5 * (bs / xs + hk);
                    if asr > -100.0 {
                        let sp = 1.0 + c * xs * (1.0 + d * xs);
                        let ep = (-hk * (1.0 - rs) / (2.0 * (1.0 + rs))).exp() / rs;
                        bvn += a * w * asr.exp() * (ep - sp);
                    }
                }
            }
            bvn = -bvn / two_pi;
        }
        if r > 0.0 {
            bvn + phi(-h.max(k))
        } else {
            -bvn + (phi(-h) - phi(-k)).max(0.0)
        }
    };
    value.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `P(Z1 <= x, Z2 <= y)` by composite Simpson over z1 in [-14, x] of
    /// `phi(z1) Phi((y - r z1) / s)`, an independent check of `bvn_lower`.
    fn bvn_lower_quadrature(x: f64, y: f64, r: f64) -> f64 {
        let s = ((1.0 - r) * (1.0 + r)).sqrt();
        let lo = -14.0;
        let hi = x.min(14.0);
        let n = 40_000;
        let h = (hi - lo) / n as f64;
        let g = |z: f64| (-0.5 * z * z).exp() / (2.0 * PI).sqrt() * phi((y - r * z) / s);
        let mut sum = g(lo) + g(hi);
        for i in 1..n {
            let z = lo + i as f64 * h;
            sum += if i % 2 == 1 { 4.0 } else { 2.0 } * g(z);
        }
        sum * h / 3.0
    }

    #[test]
    fn bvn_matches_independent_quadrature() {
        let rhos = [
            -0.999, -0.99, -0.95, -0.93, -0.9, -0.5, -0.2, 0.1, 0.29, 0.31, 0.6, 0.74, 0.76, 0.9,
            0.924, 0.926, 0.95, 0.99, 0.999,
        ];
        let points = [
            (0.0, 0.0),
            (-0.841_621_233_572_914_2, 0.253_347_103_135_799_7),
            (1.5, -0.3),
            (-2.0, -1.0),
            (2.5, 2.0),
            (-3.0, 3.0),
            (0.7, 0.7),
        ];
        for &r in &rhos {
            for &(x, y) in &points {
                let a = bvn_lower(x, y, r);
                let b = bvn_lower_quadrature(x, y, r);
                assert!(
                    (a - b).abs() < 1e-10,
                    "r = {r}, x = {x}, y = {y}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn bvn_orthant_closed_form() {
        // P(Z1 <= 0, Z2 <= 0) = 1/4 + asin(r) / (2 pi)   (Sheppard 1899)
        for i in -99..=99 {
            let r = i as f64 / 100.0;
            let want = 0.25 + r.asin() / (2.0 * PI);
            assert!((bvn_lower(0.0, 0.0, r) - want).abs() < 1e-15, "r = {r}");
        }
    }

    #[test]
    fn bvn_infinite_limits() {
        assert_eq!(bvn_upper(f64::INFINITY, 0.0, 0.5), 0.0);
        assert_eq!(bvn_upper(f64::NEG_INFINITY, f64::NEG_INFINITY, 0.5), 1.0);
        assert!((bvn_upper(f64::NEG_INFINITY, 1.0, 0.5) - phi(-1.0)).abs() < 1e-16);
    }

    #[test]
    fn quantile_inverts_phi() {
        for k in [2usize, 3, 5, 7, 10, 100, 1000] {
            for m in 1..k {
                let p = m as f64 / k as f64;
                let z = normal_quantile(p);
                // Limited by the spacing of f64 near z: Phi'(z) ulp(z) / p is a few eps.
                assert!((phi(z) - p).abs() <= 32.0 * f64::EPSILON * p, "k {k} m {m}");
            }
        }
        // Phi^-1(0.975) = 1.959963984540054 (standard tables).
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
    }

    #[test]
    fn spearman_conversion_end_points() {
        assert_eq!(spearman_to_latent(1.0), 1.0);
        assert_eq!(spearman_to_latent(-1.0), -1.0);
        assert_eq!(spearman_to_latent(0.0), 0.0);
    }
}
