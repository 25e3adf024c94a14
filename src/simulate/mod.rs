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
//! # Layout
//! This file holds the model's parameters ([`Correlation`], [`LogNormal`], [`Simulation`]);
//! `draw` draws the pairs ([`simulate`], [`simulate_weighted`]); `copula` computes the true
//! matrix ([`gaussian_copula_matrix`]) and the bivariate normal CDF behind it.
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

use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result};

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

mod copula;
mod draw;
#[cfg(test)]
mod tests;

pub use copula::gaussian_copula_matrix;
pub use draw::{SimulatedPairs, WeightedPairs, simulate, simulate_weighted};
