//! The standard normal distribution for the whole crate: one accurate `Phi` and `Phi^-1`.
//!
//! ```text
//! cdf(x)      = Phi(x) = erfc(-x / sqrt 2) / 2
//! quantile(p) = Phi^-1(p), p in (0, 1): statrs' inverse_cdf, then two Newton steps on cdf
//! ```
//!
//! `libm::erfc` (the FreeBSD/musl implementation, within about 1 ulp) rather than statrs'
//! `erfc`, whose relative error is near 1e-10 above 0.5 in statrs 0.19.1 (statrs PR #412): too
//! coarse for the copula cells, whose rows must sum to 1 within 1e-12. The Newton steps make
//! `cdf(quantile(p)) == p` within a few ulps. Used by the bootstrap's BCa intervals, the
//! analytic normal intervals and the Gaussian-copula matrices.

use std::f64::consts::{PI, SQRT_2};

use statrs::distribution::{ContinuousCDF, Normal};

/// `Phi(x)`, the standard normal distribution function.
pub(crate) fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / SQRT_2)
}

/// `Phi^-1(p)` for `p` in (0, 1); `None` outside (including NaN).
pub(crate) fn quantile(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let mut z = Normal::standard().inverse_cdf(p);
    for _ in 0..2 {
        let density = (-0.5 * z * z).exp() / (2.0 * PI).sqrt();
        if density > 0.0 {
            z -= (cdf(z) - p) / density;
        }
    }
    Some(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        assert_eq!(cdf(0.0), 0.5);
        assert!((cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-16);
        assert!((quantile(0.975).unwrap() - 1.959_963_984_540_054).abs() < 1e-15);
        assert_eq!(quantile(0.5), Some(0.0));
        assert_eq!(quantile(0.0), None);
        assert_eq!(quantile(1.0), None);
        assert_eq!(quantile(f64::NAN), None);
    }

    #[test]
    fn quantile_inverts_cdf() {
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            let z = quantile(p).unwrap();
            assert!((cdf(z) - p).abs() <= 32.0 * f64::EPSILON * p, "p {p}");
        }
        let tiny = quantile(1e-300).unwrap();
        assert!(tiny < -37.0 && tiny.is_finite());
    }
}
