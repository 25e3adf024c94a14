//! `|lambda_2| = 1` (several closed classes, or a periodic chain) is decided from the zero
//! pattern: the half-life is infinite (JSON `null`) and `second_eigenvalue` exactly 0, where the
//! eigenvalue solver alone gives moduli like 0.9999999999999993 (a half-life near 10^15).

use mobility::TransitionMatrix;
use mobility::markov::convergence;
use mobility::matrix::ProbabilityOptions;
use mobility::measures::{Weighting, second_eigenvalue};
use ndarray::{Array2, array};

fn cycle(k: usize) -> Array2<f64> {
    Array2::from_shape_fn((k, k), |(i, j)| f64::from(u8::from(j == (i + 1) % k)))
}

fn assert_unit_modulus(p: &Array2<f64>) {
    let c = convergence(p, Some(30.0)).unwrap();
    assert_eq!(c.lambda2_modulus, 1.0, "{p}");
    assert_eq!(c.half_life, f64::INFINITY, "{p}");
    assert_eq!(c.half_life_years, Some(f64::INFINITY), "{p}");
    let json = serde_json::to_value(&c).unwrap();
    assert!(json["half_life"].is_null(), "{json}");
    let m2 = second_eigenvalue(p).unwrap();
    assert_eq!(m2.to_bits(), 0f64.to_bits(), "{p}: {m2}");
    let tm =
        TransitionMatrix::from_probabilities(p.view(), &ProbabilityOptions::default()).unwrap();
    let m = tm.measures(&Weighting::Uniform).unwrap();
    assert_eq!(
        m.second_eigenvalue.map(f64::to_bits),
        Some(0f64.to_bits()),
        "{p}"
    );
}

#[test]
fn cyclic_permutations_never_converge() {
    for k in 2..=12 {
        assert_unit_modulus(&cycle(k));
    }
}

#[test]
fn periodic_and_reducible_chains_never_converge() {
    // bipartite, period 2
    assert_unit_modulus(&array![
        [0.0, 0.0, 0.5, 0.5],
        [0.0, 0.0, 0.3, 0.7],
        [0.2, 0.8, 0.0, 0.0],
        [0.6, 0.4, 0.0, 0.0]
    ]);
    // period 3 with a transient class leaking into it
    assert_unit_modulus(&array![
        [0.4, 0.3, 0.3, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
        [0.0, 1.0, 0.0, 0.0]
    ]);
    // two closed classes, each aperiodic
    assert_unit_modulus(&array![
        [0.7, 0.3, 0.0, 0.0],
        [0.4, 0.6, 0.0, 0.0],
        [0.0, 0.0, 0.1, 0.9],
        [0.0, 0.0, 0.5, 0.5]
    ]);
    // the identity: every class absorbing
    assert_unit_modulus(&Array2::eye(5));
}

#[test]
fn ergodic_chains_keep_a_finite_half_life() {
    let c = convergence(&array![[0.75, 0.25], [0.25, 0.75]], None).unwrap();
    assert!((c.half_life - 1.0).abs() < 1e-9);
    // one closed class {1} and a transient class that stays a long time: |lambda_2| = 1 - 1e-6
    let p = array![[0.999_999, 0.000_001], [0.0, 1.0]];
    let c = convergence(&p, None).unwrap();
    assert!(c.half_life.is_finite() && c.lambda2_modulus < 1.0);
    assert!((c.lambda2_modulus - 0.999_999).abs() < 1e-12);
    let m2 = second_eigenvalue(&p).unwrap();
    assert!(m2 > 0.0 && (m2 - 1e-6).abs() < 1e-12, "{m2}");
    // a cycle with a self-loop is aperiodic: |lambda_2| < 1
    let q = cycle(4) * 0.9 + Array2::<f64>::eye(4) * 0.1;
    let c = convergence(&q, None).unwrap();
    assert!(c.lambda2_modulus < 1.0 && c.half_life.is_finite());
    assert!(second_eigenvalue(&q).unwrap() > 0.0);
}
