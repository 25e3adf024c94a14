//! Empirical-Bayes shrinkage of noisy place estimates toward the national mean (Chetty &
//! Hendren 2018).
//!
//! ```text
//! theta_hat_j = theta_j + e_j,   e_j ~ (0, s_j^2),   theta_j ~ (mu, sigma^2)   (places j = 1..p)
//! mu_hat      = sum_j theta_hat_j / s_j^2 / sum_j 1 / s_j^2       precision-weighted mean
//! sigma^2_hat = max(0, var(theta_hat) - mean(s^2))                signal variance (moments)
//! lambda_j    = sigma^2_hat / (sigma^2_hat + s_j^2)               reliability
//! theta*_j    = mu_hat + lambda_j (theta_hat_j - mu_hat)          shrunk (posterior mean)
//! se*_j       = sqrt(lambda_j) s_j                                posterior standard deviation
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Parameter, Result, check_finite};

/// How the signal variance `sigma^2` of the true place effects is estimated.
///
/// ```
/// use mobility::ranking::SignalVariance;
/// let m: SignalVariance = "precision-weighted".parse().unwrap();
/// assert_eq!(m, SignalVariance::PrecisionWeighted);
/// assert_eq!(m.to_string(), "precision_weighted");
/// assert!("median".parse::<SignalVariance>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SignalVariance {
    /// Unweighted moments, as Chetty & Hendren (2018): the variance of the estimates around the
    /// shrinkage target minus the mean squared standard error, floored at 0.
    #[default]
    Moments,
    /// Precision-weighted moments: both the variance and the noise term weighted by `1/s_j^2`
    /// (the noise term is then `p / sum 1/s_j^2`, the harmonic mean of `s_j^2`), floored at 0.
    PrecisionWeighted,
}

crate::error::named_enum!(SignalVariance, Method, "shrinkage method", {
    Moments => "moments",
    PrecisionWeighted => "precision_weighted",
});

/// Options of [`shrink`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ShrinkageOptions {
    /// Signal-variance estimator.
    pub signal_variance: SignalVariance,
    /// The shrinkage target; `None` = the precision-weighted mean of the estimates. Pass the
    /// national estimate to shrink toward it.
    pub target: Option<f64>,
}

/// One place's raw and shrunk estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShrunkEstimate {
    /// Zero-based position in the input.
    pub index: usize,
    /// Raw estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Reliability `lambda_j = sigma^2 / (sigma^2 + s_j^2)`.
    pub reliability: f64,
    /// Shrunk estimate (posterior mean).
    pub shrunk: f64,
    /// Posterior standard deviation `sqrt(lambda_j) s_j`.
    pub shrunk_se: f64,
}

/// Result of [`shrink`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shrinkage {
    /// The target `mu` the estimates are shrunk toward.
    pub target: f64,
    /// Estimated signal variance `sigma^2` (>= 0).
    pub signal_variance: f64,
    /// Mean noise variance entering the estimator (`mean s^2`, or the harmonic mean when
    /// precision-weighted).
    pub noise_variance: f64,
    /// Total variance of the estimates around the target (same weighting).
    pub total_variance: f64,
    /// Estimator used.
    pub method: SignalVariance,
    /// One row per place, input order.
    pub rows: Vec<ShrunkEstimate>,
}

/// Empirical-Bayes (James-Stein type) shrinkage of place estimates toward a common mean, as
/// Chetty & Hendren (2018) do for county effects.
///
/// # Formula
/// ```text
/// mu      = sum theta_j / s_j^2 / sum 1/s_j^2      (or options.target)
/// Moments:            sigma^2 = max(0, (1/p) sum (theta_j - mu)^2 - (1/p) sum s_j^2)
/// PrecisionWeighted:  w_j = 1/s_j^2,  sigma^2 = max(0, sum w (theta - mu)^2 / sum w - p / sum w)
/// lambda_j = sigma^2 / (sigma^2 + s_j^2),  theta*_j = mu + lambda_j (theta_j - mu),
/// se*_j = sqrt(lambda_j) s_j
/// ```
/// The posterior standard deviation treats `mu` and `sigma^2` as known (with hundreds of places
/// their estimation error is small next to `s_j`). A place with `s_j = 0` keeps its estimate.
/// With `sigma^2 = 0` every place is shrunk to `mu` (posterior SD 0).
///
/// # Errors
/// Empty or non-finite estimates; standard errors of another length, negative, non-finite or
/// all zero (with the default target); a non-finite target.
///
/// # Complexity
/// `O(p)`.
///
/// # Source
/// Chetty & Hendren (2018), "The impacts of neighborhoods on intergenerational mobility II:
/// county-level estimates", QJE 133(3), 1163-1228, section V (signal variance as total variance
/// minus the mean squared standard error; shrunk estimates `mu + lambda (theta_hat - mu)`);
/// Morris (1983), "Parametric empirical Bayes inference", JASA 78.
///
/// # Example
/// ```
/// use mobility::ranking::{shrink, ShrinkageOptions};
/// let est = [1.0, -1.0, 3.0, -3.0];
/// let se = [1.0; 4];
/// let s = shrink(&est, &se, &ShrinkageOptions::default()).unwrap();
/// assert_eq!(s.target, 0.0);
/// assert!((s.signal_variance - 4.0).abs() < 1e-12); // 5 - 1
/// assert!((s.rows[2].shrunk - 2.4).abs() < 1e-12); // 3 * 4 / 5
/// ```
pub fn shrink(estimates: &[f64], se: &[f64], options: &ShrinkageOptions) -> Result<Shrinkage> {
    check_finite(estimates, "estimates")?;
    let p = estimates.len();
    super::check_standard_errors(se, p)?;
    let target = match options.target {
        Some(t) if !t.is_finite() => {
            return Err(MobilityError::invalid(
                Parameter::Target,
                format!("must be finite, got {t}"),
            ));
        }
        Some(t) => t,
        None => {
            if let Some(j) = se.iter().position(|&s| s == 0.0) {
                // a place known exactly: the precision-weighted mean is the mean of those places
                let exact: Vec<f64> = (j..p)
                    .filter(|&k| se[k] == 0.0)
                    .map(|k| estimates[k])
                    .collect();
                exact.iter().sum::<f64>() / exact.len() as f64
            } else {
                let (num, den) = estimates
                    .iter()
                    .zip(se)
                    .fold((0.0, 0.0), |(n, d), (&t, &s)| {
                        (n + t / (s * s), d + 1.0 / (s * s))
                    });
                num / den
            }
        }
    };
    let (total, noise) = match options.signal_variance {
        SignalVariance::Moments => {
            let pf = p as f64;
            let tot = estimates.iter().map(|t| (t - target).powi(2)).sum::<f64>() / pf;
            let noise = se.iter().map(|s| s * s).sum::<f64>() / pf;
            (tot, noise)
        }
        SignalVariance::PrecisionWeighted => {
            if se.contains(&0.0) {
                return Err(MobilityError::invalid(
                    Parameter::StandardErrors,
                    "precision weights 1/se^2 need every standard error > 0",
                ));
            }
            let wsum: f64 = se.iter().map(|s| 1.0 / (s * s)).sum();
            let tot = estimates
                .iter()
                .zip(se)
                .map(|(t, s)| (t - target).powi(2) / (s * s))
                .sum::<f64>()
                / wsum;
            (tot, p as f64 / wsum)
        }
    };
    let signal = (total - noise).max(0.0);
    let rows = estimates
        .iter()
        .zip(se)
        .enumerate()
        .map(|(index, (&estimate, &s))| {
            let reliability = if s == 0.0 {
                1.0
            } else {
                signal / (signal + s * s)
            };
            ShrunkEstimate {
                index,
                estimate,
                se: s,
                reliability,
                shrunk: target + reliability * (estimate - target),
                shrunk_se: reliability.sqrt() * s,
            }
        })
        .collect();
    Ok(Shrinkage {
        target,
        signal_variance: signal,
        noise_variance: noise,
        total_variance: total,
        method: options.signal_variance,
        rows,
    })
}
