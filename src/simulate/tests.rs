//! Tests of the bivariate normal CDF, the normal quantile and the Spearman conversion.

use super::copula::{bvn_lower, bvn_upper, normal_quantile, phi};
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
