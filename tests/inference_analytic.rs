//! Analytic standard errors: closed forms, the independence limit, a small Monte Carlo check of
//! the empirical-copula SEs, agreement with the bootstrap for known bounds, undefined gradients,
//! errors. (The full Monte Carlo study is examples/coverage.rs.)

mod common;

use common::samples::{gaussian_pairs, mean_sd};
use mobility::inference::analytic::Bandwidth;
use mobility::inference::{
    AnalyticMethod, AnalyticOptions, Bootstrap, RowCounts, Selection, kish_row_counts,
    quantile_copula, row_multinomial,
};
use mobility::matrix::ProbabilityOptions;
use mobility::quantile::{Closed, Cutoffs};
use mobility::{ClassSpec, MobilityError, TransitionMatrix, Weighting};
use ndarray::array;

fn names(v: &[&str]) -> Selection {
    Selection::Names(v.iter().map(|s| s.to_string()).collect())
}

#[test]
fn row_multinomial_closed_forms() {
    let counts = array![[50.0, 30.0, 20.0], [20.0, 50.0, 30.0], [10.0, 30.0, 60.0]];
    let tm = TransitionMatrix::from_counts(counts.view()).unwrap();
    let r = row_multinomial(&tm, &RowCounts::Observed, &AnalyticOptions::default()).unwrap();
    assert_eq!(r.method, AnalyticMethod::RowMultinomial);
    assert_eq!(r.row_counts, Some(vec![100.0, 100.0, 100.0]));
    let se = |n: &str| r.get(n).unwrap().se.unwrap();
    // cells: sqrt(p (1 - p) / n_i.)
    assert!((se("p_1_2") - (0.3f64 * 0.7 / 100.0).sqrt()).abs() < 1e-15);
    assert!((se("bottom_persistence") - (0.5f64 * 0.5 / 100.0).sqrt()).abs() < 1e-15);
    assert!((se("upward_from_bottom") - se("bottom_persistence")).abs() < 1e-15);
    // trace: sqrt(sum p_ii (1 - p_ii) / n_i.) / (k - 1)  (docs/FORMULAS.md#analytic-row-multinomial)
    let trace = (0.25f64 / 100.0 + 0.25 / 100.0 + 0.24 / 100.0).sqrt() / 2.0;
    assert!((se("shorrocks_trace") - trace).abs() < 1e-15);
    // upward share of row 2 only: Var = p(1-p)/n with p = 0.3, times pi_2^2 = 1/9; rows add
    let up = ((1.0f64 / 9.0) * (0.5 * 0.5 / 100.0 + 0.3 * 0.7 / 100.0)).sqrt();
    assert!((se("upward_share") - up).abs() < 1e-15);
    // normal interval
    let e = r.get("p_1_2").unwrap();
    assert!((e.ci_high.unwrap() - e.estimate.unwrap() - 1.959964 * e.se.unwrap()).abs() < 1e-6);
    // every smooth statistic has a standard error on this matrix
    for s in &r.statistics {
        assert!(s.se.is_some(), "{}: {:?}", s.name, s.note);
    }
    // effective counts scale the variance
    let half = row_multinomial(
        &tm,
        &RowCounts::Effective(vec![50.0; 3]),
        &AnalyticOptions::default(),
    )
    .unwrap();
    let ratio = half.get("determinant_shorrocks").unwrap().se.unwrap()
        / r.get("determinant_shorrocks").unwrap().se.unwrap();
    assert!((ratio - 2f64.sqrt()).abs() < 1e-12);
}

#[test]
fn kish_counts() {
    let cuts = Cutoffs::fixed(&[0.0], Closed::Left).unwrap();
    let x = [-1.0, -2.0, -3.0, 1.0, 2.0];
    assert_eq!(kish_row_counts(&x, None, &cuts).unwrap(), vec![3.0, 2.0]);
    let w = [1.0, 1.0, 2.0, 5.0, 0.0];
    let n = kish_row_counts(&x, Some(&w), &cuts).unwrap();
    assert!((n[0] - 16.0 / 6.0).abs() < 1e-15 && (n[1] - 1.0).abs() < 1e-15);
}

#[test]
fn independence_limit_of_the_copula_variance() {
    // docs/FORMULAS.md#analytic-copula: under independence n Var(p_ab) = (1 - 1/k)^2, against the naive (1 - 1/k)
    let n = 40_000;
    let (p, c) = gaussian_pairs(n, 0.0, 1, 0);
    let k = 4;
    let r = quantile_copula(&p, &c, None, k, &AnalyticOptions::default()).unwrap();
    assert_eq!(r.method, AnalyticMethod::EmpiricalCopula);
    assert_eq!(r.effective_n, Some(n as f64));
    for name in ["p_1_1", "p_2_3", "p_4_4"] {
        let nv = r.get(name).unwrap().se.unwrap().powi(2) * n as f64;
        let want = (1.0 - 1.0 / k as f64).powi(2);
        assert!(
            (nv / want - 1.0).abs() < 0.05,
            "{name}: n Var = {nv}, closed form {want}"
        );
    }
}

#[test]
fn copula_standard_errors_match_the_simulated_spread() {
    // 300 samples of N = 2,000 (Gaussian copula): mean estimated SE within 15% of the Monte
    // Carlo SD (known to about +-4%) for p_11, p_kk and the trace. The full study (2,000
    // samples, 5% agreement, k = 4, 5, 10, rho = 0, 0.3, 0.6) is examples/coverage.rs.
    for (k, rho) in [(4usize, 0.3), (10, 0.6)] {
        let sel = vec![
            "p_1_1".to_string(),
            format!("p_{k}_{k}"),
            "shorrocks_trace".to_string(),
        ];
        let opts = AnalyticOptions {
            selection: Selection::Names(sel.clone()),
            ..Default::default()
        };
        let mut est = vec![Vec::new(); 3];
        let mut se = vec![Vec::new(); 3];
        for r in 0..300 {
            let (p, c) = gaussian_pairs(2000, rho, 17, r);
            let a = quantile_copula(&p, &c, None, k, &opts).unwrap();
            for (i, name) in sel.iter().enumerate() {
                let e = a.get(name).unwrap();
                est[i].push(e.estimate.unwrap());
                se[i].push(e.se.unwrap());
            }
        }
        for i in 0..3 {
            let (_, sd) = mean_sd(&est[i]);
            let (mean_se, _) = mean_sd(&se[i]);
            let ratio = mean_se / sd;
            assert!((0.85..1.15).contains(&ratio), "k={k} {}: {ratio}", sel[i]);
        }
    }
}

#[test]
fn row_model_matches_the_bootstrap_with_known_bounds() {
    // fixed income bands: the row-multinomial delta method and the unit bootstrap agree for the
    // smooth indices
    let (p, c) = gaussian_pairs(20_000, 0.6, 2, 0);
    let bands = Cutoffs::fixed(&[-0.8, -0.2, 0.3, 0.9], Closed::Left).unwrap();
    let spec = ClassSpec::Cutoffs {
        parent: bands.clone(),
        child: bands,
    };
    let tm = TransitionMatrix::from_status(&p, &c, None, &spec).unwrap();
    let stats = [
        "shorrocks_trace",
        "determinant_shorrocks",
        "determinant_giddy",
        "second_eigenvalue",
        "eigenvalue_sum",
        "altham_independence",
        "bartholomew",
        "steady_state_1",
        "expected_stay_5",
    ];
    let opts = AnalyticOptions {
        selection: names(&stats),
        weighting: Weighting::Uniform,
        ..Default::default()
    };
    let an = row_multinomial(&tm, &RowCounts::Observed, &opts).unwrap();
    let boot = Bootstrap::new(400)
        .seed(3)
        .weighting(Weighting::Uniform)
        .statistics(names(&stats))
        .run(&p, &c, None, &spec)
        .unwrap();
    for name in stats {
        let ratio = boot.get(name).unwrap().se.unwrap() / an.get(name).unwrap().se.unwrap();
        assert!(
            (0.87..1.15).contains(&ratio),
            "{name}: bootstrap / delta = {ratio}"
        );
    }
}

#[test]
fn undefined_gradients_are_explained() {
    // a singular matrix: no determinant gradient; repeated eigenvalues: no eigenvalue gradient
    let p = array![[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.2, 0.8]];
    let tm =
        TransitionMatrix::from_probabilities(p.view(), &ProbabilityOptions::default()).unwrap();
    let r = row_multinomial(
        &tm,
        &RowCounts::Effective(vec![100.0; 3]),
        &AnalyticOptions::default(),
    )
    .unwrap();
    let det = r.get("determinant_giddy").unwrap();
    assert_eq!(det.estimate, Some(1.0));
    assert!(det.se.is_none() && det.note.as_deref().unwrap().contains("determinant"));
    assert!(r.get("altham_independence").unwrap().se.is_none());
    assert!(r.get("shorrocks_trace").unwrap().se.is_some());
    // an empty parent class
    let counts = array![[5.0, 5.0], [0.0, 0.0]];
    let tm = TransitionMatrix::from_counts(counts.view()).unwrap();
    let r = row_multinomial(&tm, &RowCounts::Observed, &AnalyticOptions::default()).unwrap();
    assert!(r.get("p_1_1").unwrap().se.is_some());
    let p22 = r.get("p_2_2").unwrap();
    assert!(p22.estimate.is_none() && p22.se.is_none() && p22.note.is_some());
    assert!(r.get("shorrocks_trace").unwrap().se.is_none());
}

#[test]
fn errors_are_typed() {
    let probs = array![[0.5, 0.5], [0.2, 0.8]];
    let tm =
        TransitionMatrix::from_probabilities(probs.view(), &ProbabilityOptions::default()).unwrap();
    let opts = AnalyticOptions::default();
    assert!(matches!(
        row_multinomial(&tm, &RowCounts::Observed, &opts),
        Err(MobilityError::InvalidParameter { .. })
    ));
    assert!(matches!(
        row_multinomial(&tm, &RowCounts::Effective(vec![1.0]), &opts),
        Err(MobilityError::LengthMismatch { .. })
    ));
    assert!(row_multinomial(&tm, &RowCounts::Effective(vec![1.0, -1.0]), &opts).is_err());
    let bad_level = AnalyticOptions {
        level: 0.0,
        ..Default::default()
    };
    assert!(row_multinomial(&tm, &RowCounts::Effective(vec![9.0, 9.0]), &bad_level).is_err());
    let (p, c) = gaussian_pairs(500, 0.5, 3, 0);
    let wide = AnalyticOptions {
        bandwidth: Bandwidth::Value(0.3),
        ..Default::default()
    };
    assert!(matches!(
        quantile_copula(&p, &c, None, 4, &wide),
        Err(MobilityError::InvalidParameter { .. })
    ));
    assert!(matches!(
        quantile_copula(&p, &c, None, 1, &opts),
        Err(MobilityError::TooFewClasses { k: 1 })
    ));
    assert!(quantile_copula(&p, &c[..10], None, 4, &opts).is_err());
    // a window with no unit: 10 units, deciles, a tiny bandwidth
    let few: Vec<f64> = (0..10).map(f64::from).collect();
    let narrow = AnalyticOptions {
        bandwidth: Bandwidth::Value(1e-6),
        ..Default::default()
    };
    assert!(matches!(
        quantile_copula(&few, &few, None, 10, &narrow),
        Err(MobilityError::Undefined { .. })
    ));
}
