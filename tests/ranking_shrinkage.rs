//! Empirical-Bayes shrinkage (Chetty & Hendren 2018): closed forms and invariants.

use mobility::ranking::{ShrinkageOptions, SignalVariance, shrink};

#[test]
fn closed_form_moments() {
    // precision-weighted mean of (1, 2, 4) with se (1, 1, 2): (1 + 2 + 1) / (1 + 1 + 0.25)
    let est = [1.0, 2.0, 4.0];
    let se = [1.0, 1.0, 2.0];
    let s = shrink(&est, &se, &ShrinkageOptions::default()).unwrap();
    let mu = 4.0 / 2.25;
    assert!((s.target - mu).abs() < 1e-12);
    let tot = est.iter().map(|t| (t - mu).powi(2)).sum::<f64>() / 3.0;
    assert!((s.total_variance - tot).abs() < 1e-12);
    assert!((s.noise_variance - 2.0).abs() < 1e-12);
    let sig = (tot - 2.0_f64).max(0.0);
    assert!((s.signal_variance - sig).abs() < 1e-12);
    for r in &s.rows {
        let lam = sig / (sig + r.se * r.se);
        assert!((r.reliability - lam).abs() < 1e-12);
        assert!((r.shrunk - (mu + lam * (r.estimate - mu))).abs() < 1e-12);
        assert!((r.shrunk_se - lam.sqrt() * r.se).abs() < 1e-12);
    }
}

#[test]
fn precision_weighted_and_target() {
    let est = [0.0, 10.0, 20.0];
    let se = [1.0, 2.0, 4.0];
    let s = shrink(
        &est,
        &se,
        &ShrinkageOptions {
            signal_variance: SignalVariance::PrecisionWeighted,
            target: Some(5.0),
        },
    )
    .unwrap();
    assert_eq!(s.target, 5.0);
    let wsum = 1.0 + 0.25 + 1.0 / 16.0;
    let tot = (25.0 + 25.0 / 4.0 + 225.0 / 16.0) / wsum;
    assert!((s.total_variance - tot).abs() < 1e-12);
    assert!((s.noise_variance - 3.0 / wsum).abs() < 1e-12);
    assert!((s.signal_variance - (tot - 3.0 / wsum)).abs() < 1e-12);
}

#[test]
fn pure_noise_shrinks_to_the_mean_and_noisier_places_move_more() {
    let est = [0.1, -0.1, 0.05, -0.05];
    let se = [1.0; 4];
    let s = shrink(&est, &se, &ShrinkageOptions::default()).unwrap();
    assert_eq!(s.signal_variance, 0.0);
    assert!(
        s.rows
            .iter()
            .all(|r| (r.shrunk - s.target).abs() < 1e-15 && r.shrunk_se == 0.0)
    );
    // same raw estimate, larger SE: shrunk further toward the target
    let est = [2.0, 2.0, -2.0, 0.0, 1.0];
    let se = [0.1, 1.0, 0.3, 0.2, 0.5];
    let s = shrink(&est, &se, &ShrinkageOptions::default()).unwrap();
    assert!((s.rows[1].shrunk - s.target).abs() < (s.rows[0].shrunk - s.target).abs());
    // a place known exactly keeps its estimate
    let s = shrink(
        &[1.0, 3.0, 5.0],
        &[0.0, 1.0, 1.0],
        &ShrinkageOptions::default(),
    )
    .unwrap();
    assert_eq!(s.rows[0].shrunk, 1.0);
    assert_eq!(s.target, 1.0);
}

#[test]
fn errors_are_typed() {
    let o = ShrinkageOptions::default();
    assert!(shrink(&[], &[], &o).is_err());
    assert!(shrink(&[1.0], &[1.0, 2.0], &o).is_err());
    assert!(shrink(&[1.0], &[-1.0], &o).is_err());
    assert!(shrink(&[f64::NAN], &[1.0], &o).is_err());
    let pw = ShrinkageOptions {
        signal_variance: SignalVariance::PrecisionWeighted,
        target: None,
    };
    assert!(shrink(&[1.0, 2.0], &[0.0, 1.0], &pw).is_err());
    let bad = ShrinkageOptions {
        target: Some(f64::INFINITY),
        ..o
    };
    assert!(shrink(&[1.0], &[1.0], &bad).is_err());
}
