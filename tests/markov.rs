//! Markov dynamics: golden values (giddy), reducible chains, closed forms and invariants.

use approx::assert_abs_diff_eq;
use mobility::MobilityError;
use mobility::linalg::{determinant, eigenvalues, inverse};
use mobility::markov::*;
use ndarray::{Array1, Array2, Axis, array};
use proptest::prelude::*;

const INF: f64 = f64::INFINITY;

/// PySAL giddy: US state per-capita income quintile transitions, 48 states, 1929-2009 (counts).
fn us_states() -> Array2<f64> {
    mobility::published::giddy_us_states_quintiles()
        .probabilities()
        .clone()
}

fn assert_close(a: &Array2<f64>, b: &Array2<f64>, eps: f64) {
    assert_eq!(a.dim(), b.dim());
    for ((idx, x), y) in a.indexed_iter().zip(b.iter()) {
        if x.is_infinite() || y.is_infinite() {
            assert_eq!(x, y, "at {idx:?}");
        } else {
            assert!((x - y).abs() <= eps, "at {idx:?}: {x} vs {y}");
        }
    }
}

/// Kemeny & Snell's fundamental-matrix formula for an irreducible chain (independent method):
/// Z = (I - P + 1 pi)^-1, m_ij = (z_jj - z_ij) / pi_j (i != j), m_jj = 1 / pi_j.
fn mfpt_fundamental(p: &Array2<f64>) -> Array2<f64> {
    let k = p.nrows();
    let pi = stationary_distribution(p).unwrap();
    let w = Array2::from_shape_fn((k, k), |(_, j)| pi[j]);
    let z = inverse((Array2::<f64>::eye(k) - p + &w).view()).unwrap();
    Array2::from_shape_fn((k, k), |(i, j)| {
        if i == j {
            1.0 / pi[j]
        } else {
            (z[[j, j]] - z[[i, j]]) / pi[j]
        }
    })
}

#[test]
fn giddy_us_states_stationary_distribution() {
    // giddy `Markov(q5).steady_state` (Rey et al., PySAL giddy documentation).
    let p = us_states();
    let pi = stationary_distribution(&p).unwrap();
    let giddy = [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187];
    for (a, b) in pi.iter().zip(giddy) {
        assert_abs_diff_eq!(*a, b, epsilon = 1e-8);
    }
    let pi_p = pi.dot(&p);
    for (a, b) in pi_p.iter().zip(pi.iter()) {
        assert_abs_diff_eq!(*a, *b, epsilon = 1e-15);
    }
    assert_abs_diff_eq!(pi.sum(), 1.0, epsilon = 1e-15);
    assert_eq!(stationary_distributions(&p).unwrap(), vec![pi.clone()]);
    assert_eq!(
        communicating_classes(&p).unwrap(),
        vec![vec![0, 1, 2, 3, 4]]
    );

    // MFPT: diagonal is 1 / pi* (giddy convention); off-diagonal agrees with the fundamental matrix.
    let m = mean_first_passage_times(&p).unwrap();
    for i in 0..5 {
        assert_abs_diff_eq!(m[[i, i]], 1.0 / pi[i], epsilon = 1e-9);
    }
    assert_close(&m, &mfpt_fundamental(&p), 1e-8);

    // Convergence: |lambda_2| = 0.9602179976918405 (giddy eigenvalue moduli).
    let c = convergence(&p, Some(1.0)).unwrap();
    assert_abs_diff_eq!(c.lambda2_modulus, 0.9602179976918405, epsilon = 1e-9);
    let hl = 0.5f64.ln() / 0.9602179976918405f64.ln();
    assert_abs_diff_eq!(c.half_life, hl, epsilon = 1e-6);
    assert_abs_diff_eq!(c.half_life_years.unwrap(), hl, epsilon = 1e-6);
    assert_abs_diff_eq!(
        c.lambda2_modulus_per_year.unwrap(),
        c.lambda2_modulus,
        epsilon = 1e-15
    );
}

#[test]
fn identity_matrix_is_fully_reducible_and_never_panics() {
    let id = Array2::<f64>::eye(5);
    let closed = closed_classes(&id).unwrap();
    assert_eq!(closed, (0..5).map(|i| vec![i]).collect::<Vec<_>>());
    assert_eq!(communicating_classes(&id).unwrap(), closed);
    let all = stationary_distributions(&id).unwrap();
    assert_eq!(all.len(), 5);
    for (i, pi) in all.iter().enumerate() {
        let mut e = Array1::zeros(5);
        e[i] = 1.0;
        assert_eq!(pi, &e);
    }
    let err = stationary_distribution(&id).unwrap_err();
    assert!(matches!(err, MobilityError::Undefined { .. }));
    assert!(
        err.to_string().contains("stationary_distributions"),
        "{err}"
    );

    let m = mean_first_passage_times(&id).unwrap();
    for ((i, j), v) in m.indexed_iter() {
        if i == j {
            assert_eq!(*v, 1.0);
        } else {
            assert_eq!(*v, INF);
        }
    }
    assert_eq!(expected_stay(&id).unwrap(), Array1::from_elem(5, INF));
    let c = convergence(&id, None).unwrap();
    assert_eq!(c.lambda2_modulus, 1.0);
    assert_eq!(c.half_life, INF);
    assert_eq!(c.half_life_years, None);
    assert_eq!(matrix_power(&id, 7).unwrap(), id);
}

#[test]
fn absorbing_class_and_transient_class() {
    // Class 0 absorbing; {1, 2} communicate but leak into 0.
    let p = array![[1.0, 0.0, 0.0], [0.2, 0.5, 0.3], [0.1, 0.4, 0.5]];
    assert_eq!(
        communicating_classes(&p).unwrap(),
        vec![vec![0], vec![1, 2]]
    );
    assert_eq!(closed_classes(&p).unwrap(), vec![vec![0]]);
    assert_eq!(stationary_distribution(&p).unwrap(), array![1.0, 0.0, 0.0]);

    // Time to absorption: (I - Q)^-1 1 with Q = [[0.5, 0.3], [0.4, 0.5]], det(I - Q) = 0.13.
    let m = mean_first_passage_times(&p).unwrap();
    let expected = array![
        [1.0, INF, INF],
        [0.8 / 0.13, INF, INF],
        [0.9 / 0.13, INF, INF]
    ];
    assert_close(&m, &expected, 1e-12);

    let t = expected_time_to_exit(&p, &[1, 2]).unwrap();
    assert_abs_diff_eq!(t[0], 0.0);
    assert_abs_diff_eq!(t[1], 0.8 / 0.13, epsilon = 1e-12);
    assert_abs_diff_eq!(t[2], 0.9 / 0.13, epsilon = 1e-12);
    // The absorbing class is never left.
    assert_eq!(expected_time_to_exit(&p, &[0]).unwrap()[0], INF);
    assert_eq!(expected_stay(&p).unwrap(), array![INF, 2.0, 2.0]);
}

#[test]
fn transient_state_feeding_a_closed_class() {
    let p = array![[0.5, 0.5, 0.0], [0.0, 0.3, 0.7], [0.0, 0.6, 0.4]];
    let m = mean_first_passage_times(&p).unwrap();
    // Closed class {1, 2}: pi = (0.6, 0.7) / 1.3; m_12 = 1 / 0.7, m_21 = 1 / 0.6.
    // From 0: geometric wait of 2 to enter 1; to reach 2: 2 + m_12.
    let expected = array![
        [INF, 2.0, 2.0 + 1.0 / 0.7],
        [INF, 1.3 / 0.6, 1.0 / 0.7],
        [INF, 1.0 / 0.6, 1.3 / 0.7]
    ];
    assert_close(&m, &expected, 1e-12);
    let pi = stationary_distribution(&p).unwrap();
    assert_abs_diff_eq!(pi[0], 0.0);
    assert_abs_diff_eq!(pi[1], 0.6 / 1.3, epsilon = 1e-15);
}

#[test]
fn two_closed_classes_with_a_transient_state() {
    let p = array![[1.0, 0.0, 0.0], [0.3, 0.4, 0.3], [0.0, 0.0, 1.0]];
    assert_eq!(closed_classes(&p).unwrap(), vec![vec![0], vec![2]]);
    let m = mean_first_passage_times(&p).unwrap();
    // From 1, class 0 is reached with probability 1/2 only: infinite expectation.
    assert_close(
        &m,
        &array![[1.0, INF, INF], [INF, INF, INF], [INF, INF, 1.0]],
        0.0,
    );
    assert!(stationary_distribution(&p).is_err());
    assert_eq!(convergence(&p, None).unwrap().half_life, INF);
}

#[test]
fn unobserved_class_is_rejected_with_its_row() {
    // giddy's mfpt crashes here; we return a clear error.
    let p = array![[0.5, 0.5, 0.0], [0.2, 0.8, 0.0], [0.0, 0.0, 0.0]];
    for err in [
        mean_first_passage_times(&p).unwrap_err(),
        stationary_distribution(&p).unwrap_err(),
        matrix_power(&p, 2).unwrap_err(),
        convergence(&p, None).unwrap_err(),
    ] {
        assert!(matches!(err, MobilityError::Undefined { .. }));
        assert!(err.to_string().contains("row 3"), "{err}");
    }
}

#[test]
fn two_state_closed_forms() {
    let (a, b) = (0.2, 0.35);
    let p = array![[1.0 - a, a], [b, 1.0 - b]];
    let m = mean_first_passage_times(&p).unwrap();
    assert_abs_diff_eq!(m[[0, 1]], 1.0 / a, epsilon = 1e-12);
    assert_abs_diff_eq!(m[[1, 0]], 1.0 / b, epsilon = 1e-12);
    assert_abs_diff_eq!(m[[0, 0]], (a + b) / b, epsilon = 1e-12);
    assert_abs_diff_eq!(m[[1, 1]], (a + b) / a, epsilon = 1e-12);
    // lambda_2 = 1 - a - b.
    let c = convergence(&p, Some(25.0)).unwrap();
    let l2: f64 = 1.0 - a - b;
    assert_abs_diff_eq!(c.lambda2_modulus, l2, epsilon = 1e-12);
    assert_abs_diff_eq!(c.half_life, 0.5f64.ln() / l2.ln(), epsilon = 1e-9);
    assert_abs_diff_eq!(
        c.lambda2_modulus_per_year.unwrap(),
        l2.powf(1.0 / 25.0),
        epsilon = 1e-12
    );
    assert_abs_diff_eq!(
        c.half_life_years.unwrap(),
        25.0 * 0.5f64.ln() / l2.ln(),
        epsilon = 1e-7
    );
    // P^n = 1 pi + (1 - a - b)^n (I - 1 pi) for the two-state chain.
    let p5 = matrix_power(&p, 5).unwrap();
    let pi0 = b / (a + b);
    assert_abs_diff_eq!(p5[[0, 0]], pi0 + l2.powi(5) * (1.0 - pi0), epsilon = 1e-14);
    assert_eq!(expected_stay(&p).unwrap(), array![1.0 / a, 1.0 / b]);
}

#[test]
fn convergence_edge_cases() {
    // Periodic chain: eigenvalues 1 and -1.
    let c = convergence(&array![[0.0, 1.0], [1.0, 0.0]], None).unwrap();
    assert_eq!(c.half_life, INF);
    assert_abs_diff_eq!(c.lambda2.re, -1.0, epsilon = 1e-12);
    // Rank one (all rows equal): lambda_2 = 0, converged in one step.
    let c = convergence(&array![[0.3, 0.7], [0.3, 0.7]], Some(5.0)).unwrap();
    assert!(c.lambda2_modulus < 1e-15);
    assert!(c.half_life.abs() < 1e-2);
    for bad in [0.0, -1.0, f64::NAN, INF] {
        assert!(matches!(
            convergence(&array![[0.5, 0.5], [0.5, 0.5]], Some(bad)),
            Err(MobilityError::InvalidParameter { .. })
        ));
    }
    // A 3-cycle has complex lambda_2 of modulus 1.
    let c = convergence(
        &array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]],
        None,
    )
    .unwrap();
    assert!(c.lambda2.im > 0.0);
    assert_eq!(c.half_life, INF);
}

#[test]
fn matrix_powers() {
    let p = us_states();
    assert_eq!(matrix_power(&p, 0).unwrap(), Array2::<f64>::eye(5));
    assert_eq!(matrix_power(&p, 1).unwrap(), p);
    let p2 = matrix_power(&p, 2).unwrap();
    assert_close(&p2, &p.dot(&p), 1e-15);
    for s in p2.sum_axis(Axis(1)) {
        assert_abs_diff_eq!(s, 1.0, epsilon = 1e-14);
    }
    // Far into the future every row approaches pi*.
    let p_far = matrix_power(&p, 2000).unwrap();
    let pi = stationary_distribution(&p).unwrap();
    for row in p_far.rows() {
        for (a, b) in row.iter().zip(pi.iter()) {
            assert_abs_diff_eq!(*a, *b, epsilon = 1e-12);
        }
    }
}

#[test]
fn expected_time_to_exit_validation() {
    let p = us_states();
    assert!(matches!(
        expected_time_to_exit(&p, &[]),
        Err(MobilityError::InvalidParameter { .. })
    ));
    assert!(matches!(
        expected_time_to_exit(&p, &[5]),
        Err(MobilityError::InvalidParameter { .. })
    ));
    // Leaving every class is impossible; duplicates are harmless.
    assert_eq!(
        expected_time_to_exit(&p, &[0, 1, 2, 3, 4, 4]).unwrap(),
        Array1::from_elem(5, INF)
    );
    let stay = expected_stay(&p).unwrap();
    let t0 = expected_time_to_exit(&p, &[0]).unwrap();
    assert_abs_diff_eq!(t0[0], stay[0], epsilon = 1e-12);
    assert_abs_diff_eq!(stay[0], 801.0 / 72.0, epsilon = 1e-12);
}

#[test]
fn generations_to_mean_closed_form() {
    // Hand computation: |ln 0.5| = 0.6931; ln(0.05 / 0.6931) / ln 0.5 = 3.793 -> 4.
    let g = generations_to_mean(0.5, 0.5, 0.05).unwrap();
    assert_eq!(g.generations, 4);
    assert_abs_diff_eq!(g.initial_log_gap, 0.5f64.ln());
    assert_abs_diff_eq!(g.final_log_gap, 0.5f64.ln() / 16.0, epsilon = 1e-15);
    // beta 0.4, y 0.3: |ln 0.3| = 1.2040; ln(0.05 / 1.2040) / ln 0.4 = 3.471 -> 4
    // (0.4^3 * 1.204 = 0.0771 > 0.05, 0.4^4 * 1.204 = 0.0308 <= 0.05).
    assert_eq!(generations_to_mean(0.4, 0.3, 0.05).unwrap().generations, 4);
    // beta 0.2: ln(0.05 / 1.2040) / ln 0.2 = 1.976 -> 2.
    assert_eq!(generations_to_mean(0.2, 0.3, 0.05).unwrap().generations, 2);
    // A ratio above the mean works symmetrically: |ln(1/0.3)| = |ln 0.3|.
    assert_eq!(
        generations_to_mean(0.4, 1.0 / 0.3, 0.05)
            .unwrap()
            .generations,
        4
    );
    // Already within the tolerance: 0 generations (y = 1 in particular).
    assert_eq!(generations_to_mean(0.5, 1.0, 0.05).unwrap().generations, 0);
    assert_eq!(generations_to_mean(0.5, 1.04, 0.05).unwrap().generations, 0);
    // Persistence near 1 is slow but finite.
    let g = generations_to_mean(0.99, 0.5, 0.05).unwrap();
    assert_eq!(g.generations, 262); // ln(0.05 / 0.6931) / ln 0.99 = 261.6
    for (beta, y, eps) in [
        (0.0, 0.5, 0.05),
        (1.0, 0.5, 0.05),
        (-0.3, 0.5, 0.05),
        (f64::NAN, 0.5, 0.05),
        (0.5, 0.0, 0.05),
        (0.5, -1.0, 0.05),
        (0.5, INF, 0.05),
        (0.5, 0.5, 0.0),
        (0.5, 0.5, f64::NAN),
    ] {
        assert!(matches!(
            generations_to_mean(beta, y, eps),
            Err(MobilityError::InvalidParameter { .. })
        ));
    }
}

/// Random row-stochastic matrices of order 2..=7; about a third of the entries are exact zeros,
/// so reducible chains (several closed classes, transient states) occur often.
fn stochastic() -> impl Strategy<Value = Array2<f64>> {
    (2usize..=7).prop_flat_map(|k| {
        (
            proptest::collection::vec(prop_oneof![1 => Just(0.0), 2 => 0.001..1.0f64], k * k),
            proptest::collection::vec(0..k, k),
        )
            .prop_map(move |(v, fallback)| {
                let mut a = Array2::from_shape_vec((k, k), v).unwrap();
                for (i, mut row) in a.rows_mut().into_iter().enumerate() {
                    if row.sum() == 0.0 {
                        row[fallback[i]] = 1.0;
                    }
                    let s = row.sum();
                    row /= s;
                }
                a
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn stationary_distributions_are_invariant(p in stochastic()) {
        let all = stationary_distributions(&p).unwrap();
        let closed = closed_classes(&p).unwrap();
        prop_assert_eq!(all.len(), closed.len());
        for (pi, class) in all.iter().zip(&closed) {
            prop_assert!((pi.sum() - 1.0).abs() < 1e-12);
            prop_assert!(pi.iter().all(|v| *v >= 0.0));
            for (i, v) in pi.iter().enumerate() {
                if class.binary_search(&i).is_err() {
                    prop_assert_eq!(*v, 0.0);
                } else {
                    prop_assert!(*v > 0.0);
                }
            }
            let pi_p = pi.dot(&p);
            for (a, b) in pi_p.iter().zip(pi.iter()) {
                prop_assert!((a - b).abs() < 1e-12, "pi P != pi: {} vs {}", a, b);
            }
        }
        match stationary_distribution(&p) {
            Ok(pi) => {
                prop_assert_eq!(closed.len(), 1);
                prop_assert_eq!(&pi, &all[0]);
            }
            Err(e) => {
                prop_assert!(closed.len() > 1);
                let undefined = matches!(e, MobilityError::Undefined { .. });
                prop_assert!(undefined);
            }
        }
        // Communicating classes partition 0..k.
        let mut seen: Vec<usize> = communicating_classes(&p).unwrap().concat();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..p.nrows()).collect::<Vec<_>>());
    }

    #[test]
    fn powers_stay_stochastic(p in stochastic(), a in 0u32..12, b in 0u32..12) {
        let pa = matrix_power(&p, a).unwrap();
        let pb = matrix_power(&p, b).unwrap();
        let pab = matrix_power(&p, a + b).unwrap();
        for s in pab.sum_axis(Axis(1)) {
            prop_assert!((s - 1.0).abs() < 1e-12);
        }
        let prod = pa.dot(&pb);
        for (x, y) in prod.iter().zip(pab.iter()) {
            prop_assert!((x - y).abs() < 1e-12);
        }
    }

    #[test]
    fn mfpt_satisfies_first_step_equations(p in stochastic()) {
        let k = p.nrows();
        let m = mean_first_passage_times(&p).unwrap();
        let closed = closed_classes(&p).unwrap();
        let all = stationary_distributions(&p).unwrap();
        for j in 0..k {
            for i in 0..k {
                // m_ij = 1 + sum_{l != j} p_il m_lj, with 0 * inf read as 0 (no edge).
                let mut rhs = 1.0;
                for l in 0..k {
                    if l != j && p[[i, l]] > 0.0 {
                        rhs += p[[i, l]] * m[[l, j]];
                    }
                }
                let v = m[[i, j]];
                prop_assert!(!v.is_nan());
                if v.is_finite() {
                    prop_assert!(v >= 1.0);
                    prop_assert!((v - rhs).abs() <= 1e-8 * v.max(1.0), "m[{},{}] = {} vs {}", i, j, v, rhs);
                } else {
                    prop_assert!(rhs.is_infinite());
                }
            }
            // Diagonal: finite exactly on recurrent states, and then 1 / pi_j.
            match closed.iter().position(|c| c.binary_search(&j).is_ok()) {
                Some(c) => prop_assert!((m[[j, j]] - 1.0 / all[c][j]).abs() <= 1e-8 * m[[j, j]]),
                None => prop_assert_eq!(m[[j, j]], f64::INFINITY),
            }
        }
    }

    #[test]
    fn mfpt_matches_fundamental_matrix_on_positive_chains(
        p in stochastic().prop_map(|p| {
            let k = p.nrows() as f64;
            p * 0.9 + 0.1 / k
        })
    ) {
        let m = mean_first_passage_times(&p).unwrap();
        let z = mfpt_fundamental(&p);
        for (a, b) in m.iter().zip(z.iter()) {
            prop_assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0));
        }
    }

    #[test]
    fn eigen_and_convergence_consistent(p in stochastic()) {
        let ev = eigenvalues(p.view()).unwrap();
        let c = convergence(&p, Some(2.0)).unwrap();
        if c.lambda2_modulus == 1.0 {
            // exactly 1 by structure (several closed classes or a periodic one): the numerical
            // eigenvalue is 1 to its accuracy, not to the last bit
            prop_assert!((ev[1].modulus() - 1.0).abs() < 1e-9, "{:?}", ev[1]);
        } else {
            prop_assert!((c.lambda2_modulus - ev[1].modulus().min(1.0)).abs() < 1e-15);
        }
        prop_assert!(c.half_life >= 0.0 && !c.half_life.is_nan());
        let d = determinant(p.view()).unwrap();
        prop_assert!(d.abs() <= 1.0 + 1e-12);
        if closed_classes(&p).unwrap().len() > 1 {
            prop_assert!(c.lambda2_modulus > 1.0 - 1e-9);
        }
    }

    #[test]
    fn exit_time_of_single_class_is_expected_stay(p in stochastic(), i in 0usize..7) {
        let i = i % p.nrows();
        let t = expected_time_to_exit(&p, &[i]).unwrap();
        let s = expected_stay(&p).unwrap();
        if s[i].is_finite() {
            prop_assert!((t[i] - s[i]).abs() <= 1e-9 * s[i]);
        } else {
            prop_assert_eq!(t[i], f64::INFINITY);
        }
        for (j, v) in t.iter().enumerate() {
            if j != i {
                prop_assert_eq!(*v, 0.0);
            }
        }
    }
}

/// Found by the property test above: a periodic closed class {0, 1} next to transient states.
/// Its second eigenvalue is -1; the solver's modulus is 1 to about 1e-15, the convergence summary
/// exactly 1 (and the half-life infinite).
#[test]
fn periodic_class_with_transient_states_has_unit_second_modulus() {
    let p = ndarray::array![
        [0.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
        [
            0.08429852258528374,
            0.0,
            0.21714646117152037,
            0.6985550162431958
        ],
        [0.0, 0.5406385991075614, 0.0, 0.45936140089243843]
    ];
    let c = convergence(&p, None).unwrap();
    assert_eq!(c.lambda2_modulus, 1.0);
    assert_eq!(c.half_life, f64::INFINITY);
    let ev = eigenvalues(p.view()).unwrap();
    assert!((ev[1].modulus() - 1.0).abs() < 1e-9, "{:?}", ev[1]);
}
