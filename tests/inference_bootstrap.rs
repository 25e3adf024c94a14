//! Bootstrap: reproducibility, thread invariance, agreement with the analytic standard errors,
//! undefined replicates, clusters, weights, errors, and a small coverage study.

mod common;

use common::pool::in_pool;
use common::samples::{gaussian_copula_matrix, gaussian_pairs};
use mobility::inference::{
    AnalyticOptions, Bootstrap, BootstrapResult, CiMethod, CutoffMode, Resampling, RowCounts,
    Selection, quantile_copula, row_multinomial,
};
use mobility::{ClassSpec, MobilityError, Rule, TransitionMatrix, Weighting};

fn names(v: &[&str]) -> Selection {
    Selection::Names(v.iter().map(|s| s.to_string()).collect())
}

#[test]
fn small_coverage_study() {
    // 200 samples of N = 1,000 from a Gaussian copula (rho = 0.5, quintiles), B = 100 each:
    // nominal 95% percentile intervals must cover the population value 88-99% of the time.
    // (The full study, 1,000 samples with B = 1,000, is examples/coverage.rs.)
    let k = 5;
    let truth = gaussian_copula_matrix(0.5, k);
    let true_p11 = truth[[0, 0]];
    let true_trace = (k as f64 - truth.diag().sum()) / (k as f64 - 1.0);
    let boot = Bootstrap::new(100)
        .seed(5)
        .jackknife_groups(10)
        .statistics(names(&["bottom_persistence", "shorrocks_trace"]));
    let samples = 200;
    let mut hits = [0usize; 2];
    for s in 0..samples {
        let (p, c) = gaussian_pairs(1000, 0.5, 321, s);
        let r = boot.run(&p, &c, None, &ClassSpec::quantiles(k)).unwrap();
        for (h, (name, t)) in hits.iter_mut().zip([
            ("bottom_persistence", true_p11),
            ("shorrocks_trace", true_trace),
        ]) {
            let st = r.get(name).unwrap();
            *h += usize::from(st.ci_low.unwrap() <= t && t <= st.ci_high.unwrap());
        }
    }
    for h in hits {
        let rate = h as f64 / samples as f64;
        assert!((0.88..=0.99).contains(&rate), "coverage {rate}");
    }
}

#[test]
fn identical_for_one_and_two_threads_and_for_a_seed() {
    let (p, c) = gaussian_pairs(20_000, 0.4, 1, 0);
    let w: Vec<f64> = (0..p.len()).map(|i| 1.0 + (i % 5) as f64).collect();
    let clusters: Vec<u64> = (0..p.len() as u64).map(|i| i / 3).collect();
    let spec = ClassSpec::quantiles(5);
    let run = |b: &Bootstrap, w: Option<&[f64]>| b.run(&p, &c, w, &spec).unwrap();
    let boot = Bootstrap::new(60).seed(9).ci(CiMethod::Bca);
    let clustered = boot.clone().clusters(&clusters);
    for (b, w) in [
        (&boot, None),
        (&boot, Some(w.as_slice())),
        (&clustered, None),
    ] {
        let one: BootstrapResult = in_pool(1, || run(b, w));
        let two: BootstrapResult = in_pool(2, || run(b, w));
        assert_eq!(one, two);
        assert_eq!(one, run(b, w));
    }
    // another seed gives other replicates
    let a = run(&boot, None);
    let b = run(&boot.clone().seed(10), None);
    assert_ne!(a.replicates("p_1_1"), b.replicates("p_1_1"));
    assert_eq!(
        a.get("p_1_1").unwrap().estimate,
        b.get("p_1_1").unwrap().estimate
    );
}

#[test]
fn every_statistic_is_reported_with_its_replicates() {
    let (p, c) = gaussian_pairs(3000, 0.5, 2, 0);
    let r = Bootstrap::new(50)
        .ci(CiMethod::Percentile)
        .run(&p, &c, None, &ClassSpec::quantiles(4))
        .unwrap();
    assert_eq!(
        r.statistics.len(),
        mobility::Measure::ALL.len() + 16 + 6 * 4
    );
    assert_eq!(r.replicate_count, 50);
    assert_eq!(r.resampling, Resampling::Units { units: 3000 });
    assert_eq!(r.cutoffs, CutoffMode::Reestimate);
    let tm = TransitionMatrix::from_status(&p, &c, None, &ClassSpec::quantiles(4)).unwrap();
    let m = tm.measures(&Weighting::ParentShares).unwrap();
    for (name, value) in m.to_pairs() {
        let s = r.get(name).unwrap();
        assert_eq!(s.estimate, value, "{name}");
        assert_eq!(s.replicates.len() + s.undefined_replicates, 50);
        assert!(s.replicates.iter().all(|x| x.is_finite()));
        assert!(s.se.unwrap() > 0.0, "{name}");
        let pc = s.percentile.unwrap();
        assert!(pc.low <= pc.high);
        assert_eq!((s.ci_low, s.ci_high), (Some(pc.low), Some(pc.high)));
    }
    assert_eq!(
        r.get("p_2_3").unwrap().estimate,
        Some(tm.probabilities()[[1, 2]])
    );
    assert!(r.get("steady_state_4").unwrap().se.is_some());
    assert!(r.get("expected_stay_1").unwrap().se.is_some());
    // upward + downward + immobility = 1 in every replicate
    let (u, d, i) = (
        r.replicates("upward_share").unwrap(),
        r.replicates("downward_share").unwrap(),
        r.replicates("immobility_ratio").unwrap(),
    );
    for b in 0..50 {
        assert!((u[b] + d[b] + i[b] - 1.0).abs() < 1e-12);
    }
}

#[test]
fn undefined_replicates_are_counted_not_nan() {
    // n = 6, k = 3: a replicate drawing one low unit many times puts it in the middle class by
    // its mid-rank and leaves class 1 empty, so p_11 and the whole-matrix indices are undefined
    // there.
    let p = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let c = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0];
    let r = Bootstrap::new(2000)
        .seed(4)
        .run(&p, &c, None, &ClassSpec::quantiles(3))
        .unwrap();
    let s = r.get("bottom_persistence").unwrap();
    assert!(s.undefined_replicates > 0);
    assert_eq!(s.undefined_replicates, s.undefined_at.len());
    assert_eq!(s.replicates.len() + s.undefined_replicates, 2000);
    assert!(s.replicates.iter().all(|x| x.is_finite()));
    let aligned = s.replicate_values();
    assert_eq!(aligned.len(), 2000);
    for &b in &s.undefined_at {
        assert_eq!(aligned[b], None);
    }
    assert_eq!(
        aligned.iter().flatten().copied().collect::<Vec<f64>>(),
        s.replicates
    );
    // the trace needs every row: undefined at least as often
    let t = r.get("shorrocks_trace").unwrap();
    assert!(t.undefined_replicates >= s.undefined_replicates);
}

#[test]
fn agrees_with_the_analytic_standard_errors() {
    // Re-estimated cut-offs: the bootstrap SE of p_11 matches the empirical-copula SE; fixed
    // (known) cut-offs match the row-multinomial SE, which is larger for p_11.
    let (p, c) = gaussian_pairs(20_000, 0.5, 3, 0);
    let k = 5;
    let spec = ClassSpec::quantiles(k);
    let sel = names(&["bottom_persistence", "top_persistence", "shorrocks_trace"]);
    let re = Bootstrap::new(400)
        .seed(1)
        .statistics(sel.clone())
        .run(&p, &c, None, &spec)
        .unwrap();
    let fixed = Bootstrap::new(400)
        .seed(1)
        .statistics(sel.clone())
        .cutoffs(CutoffMode::Fixed)
        .run(&p, &c, None, &spec)
        .unwrap();
    assert_eq!(fixed.cutoffs, CutoffMode::Fixed);
    let opts = AnalyticOptions {
        selection: sel,
        ..Default::default()
    };
    let cop = quantile_copula(&p, &c, None, k, &opts).unwrap();
    let tm = TransitionMatrix::from_status(&p, &c, None, &spec).unwrap();
    let row = row_multinomial(&tm, &RowCounts::Observed, &opts).unwrap();
    for name in ["bottom_persistence", "top_persistence", "shorrocks_trace"] {
        let ratio = re.get(name).unwrap().se.unwrap() / cop.get(name).unwrap().se.unwrap();
        assert!(
            (0.88..1.12).contains(&ratio),
            "{name}: bootstrap / copula = {ratio}"
        );
        let ratio = fixed.get(name).unwrap().se.unwrap() / row.get(name).unwrap().se.unwrap();
        assert!(
            (0.88..1.12).contains(&ratio),
            "{name}: fixed / row = {ratio}"
        );
    }
    let naive_excess = fixed.get("bottom_persistence").unwrap().se.unwrap()
        / re.get("bottom_persistence").unwrap().se.unwrap();
    assert!(naive_excess > 1.05, "{naive_excess}");
}

#[test]
fn other_rules_take_the_generic_path() {
    let (p, c) = gaussian_pairs(4000, 0.5, 5, 0);
    let sel = names(&["bottom_persistence", "shorrocks_trace"]);
    let mid = Bootstrap::new(150)
        .seed(2)
        .statistics(sel.clone())
        .run(&p, &c, None, &ClassSpec::quantiles(5))
        .unwrap();
    for rule in [Rule::Giddy, Rule::RType7, Rule::StataXtile] {
        let spec = ClassSpec::Quantiles { k: 5, rule };
        let r = Bootstrap::new(150)
            .seed(2)
            .statistics(sel.clone())
            .run(&p, &c, None, &spec)
            .unwrap();
        for name in ["bottom_persistence", "shorrocks_trace"] {
            let ratio = r.get(name).unwrap().se.unwrap() / mid.get(name).unwrap().se.unwrap();
            assert!((0.8..1.25).contains(&ratio), "{rule} {name}: {ratio}");
        }
    }
}

#[test]
fn weights_are_scale_free_and_given_cutoffs_are_fixed() {
    let (p, c) = gaussian_pairs(5000, 0.3, 6, 0);
    let spec = ClassSpec::quantiles(4);
    let boot = Bootstrap::new(40).seed(8);
    let plain = boot.run(&p, &c, None, &spec).unwrap();
    let twos = vec![2.0; p.len()];
    let doubled = boot.run(&p, &c, Some(&twos), &spec).unwrap();
    for (a, b) in plain.statistics.iter().zip(&doubled.statistics) {
        assert_eq!(a.replicates, b.replicates, "{}", a.name);
    }
    // uneven weights change the estimate and still give a finite SE
    let w: Vec<f64> = (0..p.len()).map(|i| 0.5 + (i % 4) as f64).collect();
    let weighted = boot.run(&p, &c, Some(&w), &spec).unwrap();
    assert!(weighted.get("shorrocks_trace").unwrap().se.unwrap() > 0.0);
    // reference (national) cut-offs are given: nothing to re-estimate
    let (np, nc) = gaussian_pairs(10_000, 0.3, 7, 0);
    let reference = ClassSpec::reference(&np, &nc, None, 4, Rule::Midrank).unwrap();
    let r = boot.run(&p, &c, None, &reference).unwrap();
    assert_eq!(r.cutoffs, CutoffMode::Fixed);
}

#[test]
fn clusters_resample_whole_groups() {
    // sorted distinct parents and one unit per cluster: the same draws as unit resampling
    let (mut p, c0) = gaussian_pairs(3000, 0.5, 8, 0);
    let mut pairs: Vec<(f64, f64)> = p.iter().copied().zip(c0).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    p = pairs.iter().map(|x| x.0).collect();
    let c: Vec<f64> = pairs.iter().map(|x| x.1).collect();
    let ids: Vec<u32> = (0..3000).collect();
    let spec = ClassSpec::quantiles(4);
    let units = Bootstrap::new(400)
        .seed(3)
        .run(&p, &c, None, &spec)
        .unwrap();
    let singles = Bootstrap::new(400)
        .seed(3)
        .clusters(&ids)
        .run(&p, &c, None, &spec)
        .unwrap();
    assert_eq!(
        singles.resampling,
        Resampling::Clusters {
            clusters: 3000,
            units: 3000
        }
    );
    // Clusters are numbered by a hash of their id (row order never matters), so singleton
    // clusters draw other replicates than units do, from the same distribution: equal SEs.
    for (a, b) in units.statistics.iter().zip(&singles.statistics) {
        let (sa, sb) = (a.se.unwrap(), b.se.unwrap());
        assert!(
            (sa - sb).abs() <= 0.2 * sa.max(sb),
            "{}: {sa} vs {sb}",
            a.statistic.name()
        );
    }
    // every unit twice: resampling units ignores the duplication (SE too small by about
    // sqrt 2); resampling the pairs as clusters recovers the SE of the original sample
    let (p, c) = gaussian_pairs(4000, 0.5, 9, 0);
    let p2: Vec<f64> = p.iter().chain(&p).copied().collect();
    let c2: Vec<f64> = c.iter().chain(&c).copied().collect();
    let fam: Vec<usize> = (0..4000).chain(0..4000).collect();
    let sel = names(&["bottom_persistence", "shorrocks_trace"]);
    let b = Bootstrap::new(300).seed(1).statistics(sel);
    let original = b.run(&p, &c, None, &spec).unwrap();
    let naive = b.run(&p2, &c2, None, &spec).unwrap();
    let clustered = b.clone().clusters(&fam).run(&p2, &c2, None, &spec).unwrap();
    for name in ["bottom_persistence", "shorrocks_trace"] {
        let se = |r: &BootstrapResult| r.get(name).unwrap().se.unwrap();
        let ratio = se(&clustered) / se(&original);
        assert!(
            (0.85..1.15).contains(&ratio),
            "{name}: clustered / original {ratio}"
        );
        let ratio = se(&original) / se(&naive);
        assert!(
            (1.2..1.7).contains(&ratio),
            "{name}: original / naive {ratio}"
        );
    }
}

#[test]
fn bca_and_percentile_agree_for_a_large_sample() {
    let (p, c) = gaussian_pairs(20_000, 0.5, 10, 0);
    let r = Bootstrap::new(400)
        .seed(6)
        .ci(CiMethod::Bca)
        .statistics(names(&["shorrocks_trace", "second_eigenvalue"]))
        .run(&p, &c, None, &ClassSpec::quantiles(5))
        .unwrap();
    for s in &r.statistics {
        let (pc, bca) = (s.percentile.unwrap(), s.bca.unwrap());
        let se = s.se.unwrap();
        assert!((pc.low - bca.low).abs() < 0.5 * se && (pc.high - bca.high).abs() < 0.5 * se);
        assert_eq!(s.ci_low, Some(bca.low));
        assert!(s.acceleration.unwrap().abs() < 0.1);
        assert!(bca.low < s.estimate.unwrap() && s.estimate.unwrap() < bca.high);
    }
    assert_eq!(r.jackknife_groups, 30);
}

#[test]
fn stationary_weighting_and_statistic_selection() {
    let (p, c) = gaussian_pairs(2000, 0.5, 11, 0);
    let r = Bootstrap::new(20)
        .weighting(Weighting::Stationary)
        .statistics(Selection::Measures)
        .run(&p, &c, None, &ClassSpec::quantiles(4))
        .unwrap();
    assert_eq!(r.statistics.len(), mobility::Measure::ALL.len());
    assert!(r.get("bartholomew").unwrap().se.is_some());
    assert!(r.get("p_1_1").is_none());
}

#[test]
fn errors_are_typed() {
    let (p, c) = gaussian_pairs(100, 0.5, 12, 0);
    let spec = ClassSpec::quantiles(4);
    let invalid = |e: MobilityError, what: &str| match e {
        MobilityError::InvalidParameter { name, .. } => assert_eq!(name.to_string(), what),
        other => panic!("expected invalid {what}, got {other:?}"),
    };
    invalid(
        Bootstrap::new(1).run(&p, &c, None, &spec).unwrap_err(),
        "replicates",
    );
    invalid(
        Bootstrap::new(10)
            .level(1.0)
            .run(&p, &c, None, &spec)
            .unwrap_err(),
        "level",
    );
    invalid(
        Bootstrap::new(10)
            .jackknife_groups(1)
            .run(&p, &c, None, &spec)
            .unwrap_err(),
        "jackknife_groups",
    );
    invalid(
        Bootstrap::new(10)
            .statistics(names(&["nonsense"]))
            .run(&p, &c, None, &spec)
            .unwrap_err(),
        "statistic",
    );
    invalid(
        Bootstrap::new(10)
            .clusters(&vec![1; 100])
            .run(&p, &c, None, &spec)
            .unwrap_err(),
        "clusters",
    );
    invalid(
        Bootstrap::new(10)
            .run(&[1.0], &[2.0], None, &ClassSpec::quantiles(2))
            .unwrap_err(),
        "status",
    );
    assert!(matches!(
        Bootstrap::new(10)
            .clusters(&[1, 2, 3])
            .run(&p, &c, None, &spec)
            .unwrap_err(),
        MobilityError::LengthMismatch { .. }
    ));
    assert!(matches!(
        Bootstrap::new(10)
            .weighting(Weighting::Custom(vec![0.5, 0.5]))
            .run(&p, &c, None, &spec)
            .unwrap_err(),
        MobilityError::LengthMismatch { .. }
    ));
    let mut bad = p.clone();
    bad[3] = f64::NAN;
    assert!(matches!(
        Bootstrap::new(10).run(&bad, &c, None, &spec).unwrap_err(),
        MobilityError::NonFinite { index: 3, .. }
    ));
    assert!(matches!(
        Bootstrap::new(10)
            .run(&p, &c[..50], None, &spec)
            .unwrap_err(),
        MobilityError::LengthMismatch { .. }
    ));
    assert!(matches!(
        Bootstrap::new(10)
            .run(&p, &c, Some(&vec![-1.0; 100]), &spec)
            .unwrap_err(),
        MobilityError::NegativeWeight { .. }
    ));
}
