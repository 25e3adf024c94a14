//! Tests of `mobility::simulate`: reproducibility, thread-count invariance, moments of the simulated
//! pairs, and the closed forms and invariants of the Gaussian copula transition matrix.

use mobility::MobilityError;
mod common;

use mobility::simulate::{
    CHUNK_LEN, Correlation, LogNormal, Simulation, gaussian_copula_matrix, simulate,
    simulate_weighted,
};
use std::f64::consts::PI;

use common::pool::in_pool;

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Zero-based ranks (continuous data: no ties).
fn ranks(x: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0; x.len()];
    for (rank, &i) in idx.iter().enumerate() {
        r[i] = rank;
    }
    r
}

fn logs(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v.ln()).collect()
}

#[test]
fn same_seed_same_output() {
    let spec = Simulation::new(100_003, 0.4, 11);
    assert_eq!(simulate(&spec).unwrap(), simulate(&spec).unwrap());
}

#[test]
fn different_seed_different_output() {
    let a = simulate(&Simulation::new(1_000, 0.4, 11)).unwrap();
    let b = simulate(&Simulation::new(1_000, 0.4, 12)).unwrap();
    assert!(a.parent.iter().zip(&b.parent).all(|(x, y)| x != y));
    assert!(a.child.iter().zip(&b.child).all(|(x, y)| x != y));
}

#[test]
fn chunks_draw_different_streams() {
    // Pair i of chunk 0 and pair i of chunk 1 must differ.
    let p = simulate(&Simulation::new(2 * CHUNK_LEN, 0.4, 3)).unwrap();
    assert!((0..100).all(|i| p.parent[i] != p.parent[CHUNK_LEN + i]));
}

#[test]
fn prefix_property() {
    // A shorter sample is a prefix of a longer one with the same seed.
    let short = simulate(&Simulation::new(CHUNK_LEN + 17, -0.3, 5)).unwrap();
    let long = simulate(&Simulation::new(3 * CHUNK_LEN, -0.3, 5)).unwrap();
    assert_eq!(short.parent[..], long.parent[..CHUNK_LEN + 17]);
    assert_eq!(short.child[..], long.child[..CHUNK_LEN + 17]);
}

#[test]
fn bit_identical_on_1_2_4_threads() {
    let spec = Simulation::new(5 * CHUNK_LEN + 1_234, 0.6, 2024);
    let one = in_pool(1, || simulate(&spec).unwrap());
    let two = in_pool(2, || simulate(&spec).unwrap());
    let four = in_pool(4, || simulate(&spec).unwrap());
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&one.parent), bits(&two.parent));
    assert_eq!(bits(&one.child), bits(&two.child));
    assert_eq!(bits(&one.parent), bits(&four.parent));
    assert_eq!(bits(&one.child), bits(&four.child));

    let w1 = in_pool(1, || simulate_weighted(&spec).unwrap());
    let w4 = in_pool(4, || simulate_weighted(&spec).unwrap());
    assert_eq!(bits(&w1.weight), bits(&w4.weight));
}

#[test]
fn weighted_pairs_match_unweighted() {
    let spec = Simulation::new(CHUNK_LEN + 99, 0.2, 8);
    let w = simulate_weighted(&spec).unwrap();
    let p = simulate(&spec).unwrap();
    assert_eq!(w.parent, p.parent);
    assert_eq!(w.child, p.child);
    assert!(w.weight.iter().all(|&x| x > 0.0 && x.is_finite()));
    let mean = w.weight.iter().sum::<f64>() / w.weight.len() as f64;
    assert!((mean - 1.0).abs() < 0.01, "mean weight {mean}");
    // Weights are independent of status.
    assert!(pearson(&logs(&w.weight), &logs(&w.parent)).abs() < 0.02);
}

#[test]
fn log_correlation_near_rho() {
    for &rho in &[-0.7, 0.0, 0.3, 0.8] {
        let p = simulate(&Simulation::new(200_000, rho, 77)).unwrap();
        let r = pearson(&logs(&p.parent), &logs(&p.child));
        assert!((r - rho).abs() < 0.01, "rho = {rho}, sample {r}");
    }
}

#[test]
fn spearman_near_target() {
    for &rho_s in &[-0.4, 0.35, 0.9] {
        let spec = Simulation::new(200_000, 0.0, 99)
            .with_correlation(Correlation::Spearman(rho_s))
            .with_child(LogNormal::new(9.0, 1.2).unwrap());
        let p = simulate(&spec).unwrap();
        let rp: Vec<f64> = ranks(&p.parent).into_iter().map(|r| r as f64).collect();
        let rc: Vec<f64> = ranks(&p.child).into_iter().map(|r| r as f64).collect();
        let s = pearson(&rp, &rc);
        assert!((s - rho_s).abs() < 0.01, "rho_s = {rho_s}, sample {s}");
    }
}

#[test]
fn marginal_moments() {
    let spec = Simulation::new(200_000, 0.5, 1)
        .with_parent(LogNormal::new(10.5, 0.7).unwrap())
        .with_child(LogNormal::new(9.0, 1.3).unwrap());
    let p = simulate(&spec).unwrap();
    let lp = logs(&p.parent);
    let lc = logs(&p.child);
    let n = lp.len() as f64;
    let mean_p = lp.iter().sum::<f64>() / n;
    let mean_c = lc.iter().sum::<f64>() / n;
    let sd_p = (lp.iter().map(|x| (x - mean_p).powi(2)).sum::<f64>() / n).sqrt();
    let sd_c = (lc.iter().map(|x| (x - mean_c).powi(2)).sum::<f64>() / n).sqrt();
    // Standard errors: 0.7 / sqrt(2e5) ~ 0.0016, 1.3 / sqrt(2e5) ~ 0.003.
    assert!((mean_p - 10.5).abs() < 0.01, "{mean_p}");
    assert!((mean_c - 9.0).abs() < 0.015, "{mean_c}");
    assert!((sd_p - 0.7).abs() < 0.01, "{sd_p}");
    assert!((sd_c - 1.3).abs() < 0.015, "{sd_c}");
}

#[test]
fn perfect_dependence() {
    let up = simulate(&Simulation::new(1_000, 1.0, 4)).unwrap();
    assert_eq!(up.parent, up.child);
    let down = simulate(&Simulation::new(1_000, -1.0, 4)).unwrap();
    let mu = 10.5;
    for (p, c) in down.parent.iter().zip(&down.child) {
        // log p - mu = -(log c - mu)
        assert!((p.ln() - mu + c.ln() - mu).abs() < 1e-9);
    }
}

#[test]
fn invalid_parameters() {
    let ok = Simulation::new(10, 0.5, 1);
    let is_invalid =
        |s: Simulation| matches!(simulate(&s), Err(MobilityError::InvalidParameter { .. }));
    assert!(is_invalid(Simulation { n: 0, ..ok }));
    assert!(is_invalid(ok.with_correlation(Correlation::Pearson(1.01))));
    assert!(is_invalid(
        ok.with_correlation(Correlation::Pearson(f64::NAN))
    ));
    assert!(is_invalid(ok.with_correlation(Correlation::Spearman(-1.5))));
    assert!(is_invalid(ok.with_parent(LogNormal {
        mu: 0.0,
        sigma: 0.0
    })));
    assert!(is_invalid(ok.with_parent(LogNormal {
        mu: 0.0,
        sigma: -1.0
    })));
    assert!(is_invalid(ok.with_child(LogNormal {
        mu: f64::INFINITY,
        sigma: 1.0
    })));
    assert!(is_invalid(ok.with_child(LogNormal {
        mu: 0.0,
        sigma: f64::NAN
    })));
    assert!(is_invalid(ok.with_child(LogNormal {
        mu: 650.0,
        sigma: 10.0
    })));
    assert!(simulate(&ok).is_ok());
}

#[test]
fn spec_serde_round_trip() {
    let spec = Simulation::new(12, 0.1, 3).with_correlation(Correlation::Spearman(0.2));
    let json = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<Simulation>(&json).unwrap(), spec);
    let pairs = simulate(&spec).unwrap();
    let json = serde_json::to_string(&pairs).unwrap();
    let back: mobility::simulate::SimulatedPairs = serde_json::from_str(&json).unwrap();
    // serde_json without its `float_roundtrip` feature may be off by an ulp.
    let all = |p: &mobility::simulate::SimulatedPairs| {
        p.parent
            .iter()
            .chain(&p.child)
            .copied()
            .collect::<Vec<f64>>()
    };
    for (a, b) in all(&back).iter().zip(&all(&pairs)) {
        assert!((a - b).abs() <= 4.0 * f64::EPSILON * b);
    }
}

#[test]
fn matrix_closed_forms() {
    for k in 2..=7 {
        let p = gaussian_copula_matrix(0.0, k).unwrap();
        assert!(p.iter().all(|&x| x == 1.0 / k as f64));
        let p = gaussian_copula_matrix(1.0, k).unwrap();
        for ((i, j), &x) in p.indexed_iter() {
            assert_eq!(x, if i == j { 1.0 } else { 0.0 });
        }
        let p = gaussian_copula_matrix(-1.0, k).unwrap();
        for ((i, j), &x) in p.indexed_iter() {
            assert_eq!(x, if i + j == k - 1 { 1.0 } else { 0.0 });
        }
    }
    // k = 2: P(both above the median) = 1/4 + asin(rho) / (2 pi), so p_22 = 1/2 + asin(rho) / pi.
    for i in -100..=100 {
        let rho = i as f64 / 100.0;
        let p = gaussian_copula_matrix(rho, 2).unwrap();
        let stay = 0.5 + rho.asin() / PI;
        assert!((p[[1, 1]] - stay).abs() < 1e-14, "rho = {rho}");
        assert!((p[[0, 0]] - stay).abs() < 1e-14, "rho = {rho}");
        assert!((p[[0, 1]] - (1.0 - stay)).abs() < 1e-14, "rho = {rho}");
    }
}

#[test]
fn matrix_is_bistochastic_and_symmetric() {
    let rhos = [
        -0.99999, -0.999, -0.95, -0.9, -0.6, -0.3, -1e-6, 1e-6, 0.2, 0.5, 0.74, 0.8, 0.93, 0.99,
        0.999, 0.99999,
    ];
    for &rho in &rhos {
        for k in [2, 3, 4, 5, 10, 20, 100] {
            let p = gaussian_copula_matrix(rho, k).unwrap();
            assert!(p.iter().all(|&x| (0.0..=1.0).contains(&x)));
            for row in p.rows() {
                assert!((row.sum() - 1.0).abs() < 1e-12, "rho {rho} k {k}");
            }
            for col in p.columns() {
                assert!((col.sum() - 1.0).abs() < 1e-12, "rho {rho} k {k}");
            }
            for i in 0..k {
                for j in 0..k {
                    assert_eq!(p[[i, j]], p[[j, i]]);
                    // Cells are differences of four CDF values scaled by k: absolute error ~ k eps.
                    let d = (p[[i, j]] - p[[k - 1 - i, k - 1 - j]]).abs();
                    assert!(
                        d < 16.0 * f64::EPSILON * k as f64,
                        "rho {rho} k {k} ({i}, {j})"
                    );
                }
            }
        }
    }
}

#[test]
fn matrix_monotone_in_rho() {
    // Staying in the top class grows with rho.
    let mut last = 0.0;
    for i in 0..=20 {
        let rho = -1.0 + i as f64 / 10.0;
        let p = gaussian_copula_matrix(rho, 5).unwrap();
        assert!(p[[4, 4]] >= last, "rho {rho}");
        last = p[[4, 4]];
    }
    // Persistence is strongest at the extremes: p_11 and p_kk are their rows' largest entries,
    // and the bottom row decreases from left to right.
    let p = gaussian_copula_matrix(0.5, 5).unwrap();
    for j in 1..5 {
        assert!(p[[0, 0]] > p[[0, j]]);
        assert!(p[[4, 4]] > p[[4, 4 - j]]);
        assert!(p[[0, j - 1]] > p[[0, j]]);
    }
}

#[test]
fn matrix_errors() {
    assert_eq!(
        gaussian_copula_matrix(0.5, 1),
        Err(MobilityError::TooFewClasses { k: 1 })
    );
    assert_eq!(
        gaussian_copula_matrix(0.5, 0),
        Err(MobilityError::TooFewClasses { k: 0 })
    );
    for rho in [1.0000001, -2.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            gaussian_copula_matrix(rho, 5),
            Err(MobilityError::InvalidParameter { .. })
        ));
    }
}

#[test]
fn simulated_quintile_matrix_matches_population() {
    let k = 5;
    let n = 1_000_000;
    let p = simulate(&Simulation::new(n, 0.5, 20_140_101)).unwrap();
    let rp = ranks(&p.parent);
    let rc = ranks(&p.child);
    let mut counts = [[0usize; 5]; 5];
    for (a, b) in rp.iter().zip(&rc) {
        counts[a * k / n][b * k / n] += 1;
    }
    let truth = gaussian_copula_matrix(0.5, k).unwrap();
    for i in 0..k {
        let row: usize = counts[i].iter().sum();
        assert_eq!(row, n / k);
        for j in 0..k {
            let freq = counts[i][j] as f64 / row as f64;
            assert!(
                (freq - truth[[i, j]]).abs() < 0.005,
                "cell ({i}, {j}): simulated {freq}, population {}",
                truth[[i, j]]
            );
        }
    }
}
