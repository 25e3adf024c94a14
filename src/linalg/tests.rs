//! Tests of the linear algebra against giddy (PySAL) and closed forms.

use ndarray::Array2;

use super::*;
use approx::assert_abs_diff_eq;
use ndarray::array;
use proptest::prelude::*;

fn us_states() -> Array2<f64> {
    crate::published::giddy_us_states_quintiles()
        .probabilities()
        .clone()
}

#[test]
fn giddy_us_states_eigenvalues_and_determinant() {
    // giddy (PySAL) `Markov` on the US state per-capita income quintiles, 1929-2009.
    let p = us_states();
    let moduli: Vec<f64> = eigenvalues(p.view())
        .unwrap()
        .iter()
        .map(Complex::modulus)
        .collect();
    let expected = [
        1.0,
        0.9602179976918405,
        0.8796775147866766,
        0.7449320086581036,
        0.6248127988234649,
    ];
    for (m, e) in moduli.iter().zip(expected) {
        assert_abs_diff_eq!(*m, e, epsilon = 1e-9);
    }
    let d = determinant(p.view()).unwrap();
    assert_abs_diff_eq!(1.0 - d.abs(), 0.6068485462369559, epsilon = 1e-9);
}

#[test]
fn rotation_like_complex_pair() {
    // Block diagonal: a scaled rotation (0.6 +/- 0.8i, modulus 1) and a real 0.5.
    let a = array![[0.6, -0.8, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 0.5]];
    let ev = eigenvalues(a.view()).unwrap();
    assert_eq!(ev.len(), 3);
    assert_abs_diff_eq!(ev[0].re, 0.6, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[0].im, 0.8, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[1].re, 0.6, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[1].im, -0.8, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[2].re, 0.5, epsilon = 1e-12);
    assert_eq!(ev[2].im, 0.0);

    // A cyclic permutation of 3 states: eigenvalues are the cube roots of unity.
    let c = array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]];
    let ev = eigenvalues(c.view()).unwrap();
    assert_abs_diff_eq!(ev[0].re, 1.0, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[0].im, 0.0, epsilon = 1e-12);
    let h = 3f64.sqrt() / 2.0;
    assert_abs_diff_eq!(ev[1].re, -0.5, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[1].im, h, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[2].re, -0.5, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[2].im, -h, epsilon = 1e-12);
}

#[test]
fn ties_in_modulus_put_one_before_minus_one() {
    let a = array![[0.0, 1.0], [1.0, 0.0]];
    let ev = eigenvalues(a.view()).unwrap();
    assert_abs_diff_eq!(ev[0].re, 1.0, epsilon = 1e-12);
    assert_abs_diff_eq!(ev[1].re, -1.0, epsilon = 1e-12);
    let id = Array2::<f64>::eye(4);
    assert!(
        eigenvalues(id.view())
            .unwrap()
            .iter()
            .all(|z| *z == Complex { re: 1.0, im: 0.0 })
    );
}

#[test]
fn known_inverse_and_solve() {
    let a = array![[4.0, 3.0, 0.0], [3.0, 4.0, -1.0], [0.0, -1.0, 4.0]];
    let inv = inverse(a.view()).unwrap();
    let prod = a.dot(&inv);
    for ((i, j), v) in prod.indexed_iter() {
        assert_abs_diff_eq!(*v, if i == j { 1.0 } else { 0.0 }, epsilon = 1e-14);
    }
    assert_abs_diff_eq!(determinant(a.view()).unwrap(), 24.0, epsilon = 1e-12);
    let x = solve(a.view(), array![24.0, 30.0, -24.0].view()).unwrap();
    assert_abs_diff_eq!(x[0], 3.0, epsilon = 1e-12);
    assert_abs_diff_eq!(x[1], 4.0, epsilon = 1e-12);
    assert_abs_diff_eq!(x[2], -5.0, epsilon = 1e-12);
    // Pivoting is needed here (zero in the top-left corner); det of a swap is -1.
    let s = array![[0.0, 1.0], [1.0, 0.0]];
    assert_eq!(determinant(s.view()).unwrap(), -1.0);
    assert_eq!(inverse(s.view()).unwrap(), s);
}

#[test]
fn errors_not_panics() {
    let ns = Array2::<f64>::zeros((2, 3));
    assert!(matches!(
        eigenvalues(ns.view()),
        Err(MobilityError::NotSquare { .. })
    ));
    assert!(matches!(
        determinant(ns.view()),
        Err(MobilityError::NotSquare { .. })
    ));
    let e = Array2::<f64>::zeros((0, 0));
    assert!(matches!(
        eigenvalues(e.view()),
        Err(MobilityError::EmptyInput { .. })
    ));
    let nan = array![[1.0, f64::NAN], [0.0, 1.0]];
    assert!(matches!(
        eigenvalues(nan.view()),
        Err(MobilityError::InvalidEntry { row: 1, col: 2, .. })
    ));
    assert!(matches!(
        inverse(array![[f64::INFINITY]].view()),
        Err(MobilityError::InvalidEntry { .. })
    ));
    let sing = array![[1.0, 1.0], [1.0, 1.0]];
    assert!(matches!(
        inverse(sing.view()),
        Err(MobilityError::Undefined { .. })
    ));
    assert!(matches!(
        solve(sing.view(), array![1.0, 2.0].view()),
        Err(MobilityError::Undefined { .. })
    ));
    assert_eq!(determinant(sing.view()).unwrap(), 0.0);
    assert!(matches!(
        solve(Array2::<f64>::eye(2).view(), array![1.0].view()),
        Err(MobilityError::LengthMismatch { .. })
    ));
    assert!(matches!(
        solve(Array2::<f64>::eye(2).view(), array![1.0, f64::NAN].view()),
        Err(MobilityError::NonFinite { index: 1, .. })
    ));
    // Relative tolerance: a tiny but well-conditioned matrix is fine.
    let tiny = array![[1e-200, 0.0], [0.0, 1e-200]];
    assert!(inverse(tiny.view()).is_ok());
}

/// Random row-stochastic matrices of order 2..=8, with some exact zeros.
fn stochastic() -> impl Strategy<Value = Array2<f64>> {
    (2usize..=8).prop_flat_map(|k| {
        proptest::collection::vec(prop_oneof![1 => Just(0.0), 4 => 0.0..1.0f64], k * k).prop_map(
            move |v| {
                let mut a = Array2::from_shape_vec((k, k), v).unwrap();
                for (i, mut row) in a.rows_mut().into_iter().enumerate() {
                    row[i] += 0.01;
                    let s = row.sum();
                    row /= s;
                }
                a
            },
        )
    })
}

proptest! {
    #[test]
    fn eigenvalue_sum_is_trace_and_product_is_determinant(p in stochastic()) {
        let ev = eigenvalues(p.view()).unwrap();
        let (sre, sim) = ev.iter().fold((0.0, 0.0), |(r, i), z| (r + z.re, i + z.im));
        prop_assert!((sre - p.diag().sum()).abs() < 1e-10);
        prop_assert!(sim.abs() < 1e-10);
        let (pre, pim) = ev.iter().fold((1.0, 0.0), |(r, i), z| {
            (r * z.re - i * z.im, r * z.im + i * z.re)
        });
        let d = determinant(p.view()).unwrap();
        prop_assert!((pre - d).abs() < 1e-10, "product {pre} vs det {d}");
        prop_assert!(pim.abs() < 1e-10);
        // Stochastic: the spectral radius is 1 and 1 comes first.
        prop_assert!((ev[0].re - 1.0).abs() < 1e-9 && ev[0].im.abs() < 1e-9);
        for w in ev.windows(2) {
            prop_assert!(w[0].modulus() >= w[1].modulus() - 1e-9);
        }
    }

    #[test]
    fn inverse_times_matrix_is_identity(p in stochastic()) {
        let k = p.nrows();
        let a = Array2::<f64>::eye(k) * 2.0 - &p; // diagonally dominant, invertible
        let inv = inverse(a.view()).unwrap();
        let prod = a.dot(&inv);
        for ((i, j), v) in prod.indexed_iter() {
            let id = if i == j { 1.0 } else { 0.0 };
            prop_assert!((v - id).abs() < 1e-12, "entry ({}, {}) is {}", i, j, v);
        }
    }
}
