//! The true transition matrix of the Gaussian copula ([`gaussian_copula_matrix`]), the
//! bivariate normal CDF behind it (Genz's version of Drezner and Wesolowsky), and the univariate
//! normal cdf and quantile (`phi`, `normal_quantile`) the draws use too.

use std::f64::consts::PI;

use ndarray::Array2;

use super::check_unit_interval;
use crate::error::{Result, check_k};

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
/// [`MobilityError::TooFewClasses`]: crate::MobilityError::TooFewClasses
/// [`MobilityError::InvalidParameter`]: crate::MobilityError::InvalidParameter
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
pub(super) fn phi(x: f64) -> f64 {
    crate::normal::cdf(x)
}

/// Standard normal quantile `Phi^-1(p)` for `p` in `(0, 1)` ([`crate::normal`]).
pub(super) fn normal_quantile(p: f64) -> f64 {
    crate::normal::quantile(p).unwrap_or(f64::NAN)
}

/// `P(Z1 <= x, Z2 <= y)` for standard normals with correlation `r`, `|r| < 1`.
pub(super) fn bvn_lower(x: f64, y: f64, r: f64) -> f64 {
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
pub(super) fn bvn_upper(h: f64, k: f64, r: f64) -> f64 {
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
