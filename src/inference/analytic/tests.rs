//! Tests of the gradients against finite differences and of the copula influence values.

use super::*;
use crate::registry::Measure;
use ndarray::{Array1, Array2, array};

/// Central finite differences of a measure along row-preserving directions
/// `e_ij - e_il`, compared with the analytic gradient's projection.
fn check_gradient(p: &Array2<f64>, name: &str, weighting: Weighting) {
    let tm = TransitionMatrix::from_probabilities(p.view(), &Default::default()).unwrap();
    let ctx = Context::new(&tm, &weighting).unwrap();
    let s = Statistic::parse(name, tm.k()).unwrap();
    let g = ctx.gradient(&s).unwrap();
    let eval = |q: &Array2<f64>| -> f64 {
        let tm = TransitionMatrix::from_probabilities(q.view(), &Default::default()).unwrap();
        Evaluator::new(tm.k(), weighting.clone(), vec![s.clone()]).eval_matrix(&tm)[0].unwrap()
    };
    let k = tm.k();
    let h = 1e-6;
    for i in 0..k {
        for j in 0..k {
            let l = (j + 1) % k;
            let mut up = p.clone();
            up[[i, j]] += h;
            up[[i, l]] -= h;
            let mut dn = p.clone();
            dn[[i, j]] -= h;
            dn[[i, l]] += h;
            let fd = (eval(&up) - eval(&dn)) / (2.0 * h);
            let an = g[[i, j]] - g[[i, l]];
            assert!(
                (fd - an).abs() < 1e-6 * (1.0 + an.abs()),
                "{name} ({i},{j}): finite difference {fd}, analytic {an}"
            );
        }
    }
}

#[test]
fn gradients_match_finite_differences() {
    let p = array![
        [0.5, 0.3, 0.15, 0.05],
        [0.25, 0.4, 0.25, 0.1],
        [0.15, 0.2, 0.4, 0.25],
        [0.05, 0.15, 0.3, 0.5]
    ];
    // a matrix with a complex second eigenvalue (a rotation-like chain)
    let c = array![[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1]];
    for m in [&p, &c] {
        // every registry measure (with each weighting where it weights by origin), and entries
        // of the per-class vectors
        for &measure in Measure::ALL {
            let weightings = if measure.uses_pi() {
                vec![Weighting::Uniform, Weighting::Stationary]
            } else {
                vec![Weighting::Uniform]
            };
            for w in weightings {
                check_gradient(m, measure.name(), w);
            }
        }
        for name in ["expected_stay_2", "steady_state_1", "steady_state_3"] {
            check_gradient(m, name, Weighting::Uniform);
        }
    }
}

#[test]
fn independence_closed_form() {
    // exact independence table: n Var(p_ab) = (1 - 1/k)^2 for every cell
    let k = 5;
    let q = Array2::from_elem((k, k), 1.0 / (k * k) as f64);
    let rows = Array1::from_elem(k, 1.0 / k as f64);
    let alpha = vec![vec![1.0 / k as f64; k]; k - 1];
    for a in 0..k {
        for b in 0..k {
            let mut g = Array2::zeros((k, k));
            g[[a, b]] = 1.0;
            let f = copula_influence(&g, &rows, &alpha, &alpha).unwrap();
            let m1: f64 = q.iter().zip(&f).map(|(q, f)| q * f).sum();
            let m2: f64 = q.iter().zip(&f).map(|(q, f)| q * f * f).sum();
            let v = m2 - m1 * m1;
            let want = (1.0 - 1.0 / k as f64).powi(2);
            assert!((v - want).abs() < 1e-12, "cell {a},{b}: {v} vs {want}");
        }
    }
}
