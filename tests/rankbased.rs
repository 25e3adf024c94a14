//! Rank and income measures: closed forms, brute-force references, invariances, error paths.

mod common;

use approx::assert_abs_diff_eq;
use mobility::MobilityError;
use mobility::rank::fractional_ranks;
use mobility::rankbased::{
    RankBasis, RankMobility, absolute_mobility, ige, kendall_tau_b, rank_mobility,
    rank_mobility_national,
};
use proptest::prelude::*;

use common::pool::in_pool;

/// O(n^2) weighted Kendall tau-b straight from the definition (pair weight w_i w_j).
fn tau_b_brute(x: &[f64], y: &[f64], w: Option<&[f64]>) -> Option<f64> {
    let wt = |i: usize| w.map_or(1.0, |w| w[i]);
    let (mut num, mut tx, mut ty) = (0.0, 0.0, 0.0);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let pw = wt(i) * wt(j);
            let sx = (x[i] - x[j]).signum() * f64::from(u8::from(x[i] != x[j]));
            let sy = (y[i] - y[j]).signum() * f64::from(u8::from(y[i] != y[j]));
            num += pw * sx * sy;
            tx += pw * sx.abs();
            ty += pw * sy.abs();
        }
    }
    (tx > 0.0 && ty > 0.0).then(|| num / (tx * ty).sqrt())
}

/// Weighted OLS of child mid-rank on parent mid-rank, and the Pearson correlation, the direct way.
fn rank_ols(parent: &[f64], child: &[f64], w: Option<&[f64]>) -> (f64, f64, Option<f64>) {
    let rp = fractional_ranks(parent, w).unwrap();
    let rc = fractional_ranks(child, w).unwrap();
    let wt = |i: usize| w.map_or(1.0, |w| w[i]);
    let total: f64 = (0..rp.len()).map(wt).sum();
    let mp = (0..rp.len()).map(|i| wt(i) * rp[i]).sum::<f64>() / total;
    let mc = (0..rp.len()).map(|i| wt(i) * rc[i]).sum::<f64>() / total;
    let sxx: f64 = (0..rp.len()).map(|i| wt(i) * (rp[i] - mp).powi(2)).sum();
    let syy: f64 = (0..rp.len()).map(|i| wt(i) * (rc[i] - mc).powi(2)).sum();
    let sxy: f64 = (0..rp.len())
        .map(|i| wt(i) * (rp[i] - mp) * (rc[i] - mc))
        .sum();
    let slope = sxy / sxx;
    let corr = (syy > 1e-15).then(|| sxy / (sxx * syy).sqrt());
    (slope, 100.0 * (mc - slope * mp), corr)
}

/// Log-normal incomes, log mean 10 and log standard deviation 0.8, log correlation `rho`.
fn lognormal_pairs(n: usize, rho: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    common::samples::lognormal_pairs(n, rho, seed, 10.0, 0.8)
}

#[test]
fn perfect_positive_dependence() {
    let parent: Vec<f64> = (1..=200).map(f64::from).collect();
    let child: Vec<f64> = parent.iter().map(|p| 3.0 * p + 7.0).collect();
    let m = rank_mobility(&parent, &child, None).unwrap();
    assert_abs_diff_eq!(m.rank_rank_slope, 1.0, epsilon = 1e-12);
    assert_abs_diff_eq!(m.rank_rank_intercept, 0.0, epsilon = 1e-9);
    assert_abs_diff_eq!(m.absolute_upward_mobility, 25.0, epsilon = 1e-9);
    assert_abs_diff_eq!(m.spearman.unwrap(), 1.0, epsilon = 1e-12);
    assert_eq!(m.kendall_tau_b, Some(1.0));
    assert_eq!(m.share_child_rank_above_parent, 0.0);
    assert_eq!(m.share_child_rank_equal_parent, 1.0);
    assert_eq!(m.absolute_mobility, 1.0);
    assert_eq!(m.n, 200);
    assert_eq!(m.rank_basis, RankBasis::Local);
    // child = parent: the IGE is 1, nobody earns more, everybody earns at least as much
    let same = rank_mobility(&parent, &parent, None).unwrap();
    assert_abs_diff_eq!(same.ige.unwrap(), 1.0, epsilon = 1e-12);
    assert_eq!(same.absolute_mobility, 0.0);
    assert_eq!(same.absolute_mobility_at_least, 1.0);
}

#[test]
fn perfect_negative_dependence() {
    let parent: Vec<f64> = (1..=101).map(f64::from).collect();
    let child: Vec<f64> = parent.iter().map(|p| 1000.0 / p).collect();
    let m = rank_mobility(&parent, &child, None).unwrap();
    assert_abs_diff_eq!(m.rank_rank_slope, -1.0, epsilon = 1e-12);
    assert_abs_diff_eq!(m.rank_rank_intercept, 100.0, epsilon = 1e-9);
    assert_abs_diff_eq!(m.absolute_upward_mobility, 75.0, epsilon = 1e-9);
    assert_abs_diff_eq!(m.spearman.unwrap(), -1.0, epsilon = 1e-12);
    assert_eq!(m.kendall_tau_b, Some(-1.0));
    // 50 of 101 below the middle move up; the middle unit keeps rank 0.5
    assert_abs_diff_eq!(
        m.share_child_rank_above_parent,
        50.0 / 101.0,
        epsilon = 1e-15
    );
    assert_abs_diff_eq!(
        m.share_child_rank_equal_parent,
        1.0 / 101.0,
        epsilon = 1e-15
    );
    assert_abs_diff_eq!(m.ige.unwrap(), -1.0, epsilon = 1e-12);
}

#[test]
fn independence_in_expectation() {
    let n = 200_000;
    let (parent, child) = lognormal_pairs(n, 0.0, 11);
    let m = rank_mobility(&parent, &child, None).unwrap();
    let se = 1.0 / (n as f64).sqrt();
    assert!(m.rank_rank_slope.abs() < 4.0 * se, "{}", m.rank_rank_slope);
    assert!(m.spearman.unwrap().abs() < 4.0 * se);
    assert!(m.kendall_tau_b.unwrap().abs() < 4.0 * se);
    assert!((m.absolute_upward_mobility - 50.0).abs() < 100.0 * 4.0 * se);
    assert!((m.share_child_rank_above_parent - 0.5).abs() < 4.0 * se);
    assert!((m.absolute_mobility - 0.5).abs() < 4.0 * se);
    assert!(m.ige.unwrap().abs() < 4.0 * se);
}

#[test]
fn gaussian_copula_closed_forms() {
    // For a bivariate normal with correlation rho: Spearman = (6/pi) asin(rho/2),
    // Kendall = (2/pi) asin(rho), and the IGE of the log-normals is rho.
    let n = 400_000;
    let rho: f64 = 0.5;
    let (parent, child) = lognormal_pairs(n, rho, 3);
    let m = rank_mobility(&parent, &child, None).unwrap();
    let pi = std::f64::consts::PI;
    let spearman = 6.0 / pi * (rho / 2.0).asin();
    let kendall = 2.0 / pi * rho.asin();
    assert!((m.spearman.unwrap() - spearman).abs() < 0.006);
    assert!((m.rank_rank_slope - spearman).abs() < 0.006);
    assert!((m.kendall_tau_b.unwrap() - kendall).abs() < 0.005);
    assert!((m.ige.unwrap() - rho).abs() < 0.006);
}

#[test]
fn matches_direct_computation_with_ties_and_weights() {
    let parent = [1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0, 8.0, 9.0, 9.0];
    let child = [2.0, 1.0, 4.0, 4.0, 3.0, 7.0, 7.0, 6.0, 9.0, 2.0];
    let w = [1.0, 0.5, 2.0, 1.5, 1.0, 3.0, 0.25, 1.0, 2.0, 0.75];
    for weights in [None, Some(&w[..])] {
        let m = rank_mobility(&parent, &child, weights).unwrap();
        let (slope, intercept, corr) = rank_ols(&parent, &child, weights);
        assert_abs_diff_eq!(m.rank_rank_slope, slope, epsilon = 1e-12);
        assert_abs_diff_eq!(m.rank_rank_intercept, intercept, epsilon = 1e-10);
        assert_abs_diff_eq!(m.spearman.unwrap(), corr.unwrap(), epsilon = 1e-12);
        assert_abs_diff_eq!(
            m.kendall_tau_b.unwrap(),
            tau_b_brute(&parent, &child, weights).unwrap(),
            epsilon = 1e-12
        );
        assert_abs_diff_eq!(
            kendall_tau_b(&parent, &child, weights).unwrap().unwrap(),
            m.kendall_tau_b.unwrap(),
            epsilon = 0.0
        );
        assert_abs_diff_eq!(
            m.expected_child_rank(25.0).unwrap(),
            m.absolute_upward_mobility,
            epsilon = 1e-12
        );
    }
}

#[test]
fn intercept_is_half_minus_half_slope() {
    // mid-ranks average exactly 1/2, so intercept = 50 (1 - slope)
    let (parent, child) = lognormal_pairs(5000, 0.4, 5);
    let m = rank_mobility(&parent, &child, None).unwrap();
    assert_abs_diff_eq!(
        m.rank_rank_intercept,
        50.0 * (1.0 - m.rank_rank_slope),
        epsilon = 1e-9
    );
}

#[test]
fn knight_example_with_ties() {
    // Ties in x only, in y only, and in both.
    let x = [1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 4.0];
    let y = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 1.0];
    let tau = kendall_tau_b(&x, &y, None).unwrap().unwrap();
    assert_abs_diff_eq!(tau, tau_b_brute(&x, &y, None).unwrap(), epsilon = 1e-15);
    // constant variables: tau-b undefined
    assert_eq!(kendall_tau_b(&x, &[5.0; 8], None).unwrap(), None);
    assert_eq!(kendall_tau_b(&[5.0; 8], &y, None).unwrap(), None);
}

#[test]
fn constant_child_gives_zero_slope_and_no_correlations() {
    let parent = [1.0, 2.0, 3.0, 4.0];
    let m = rank_mobility(&parent, &[7.0; 4], None).unwrap();
    assert_eq!(m.rank_rank_slope, 0.0);
    assert_abs_diff_eq!(m.rank_rank_intercept, 50.0, epsilon = 1e-12);
    assert_eq!(m.spearman, None);
    assert_eq!(m.kendall_tau_b, None);
    assert_eq!(m.ige, Some(0.0));
}

#[test]
fn invariant_to_strictly_increasing_transforms() {
    let (parent, child) = lognormal_pairs(3000, 0.3, 9);
    let base = rank_mobility(&parent, &child, None).unwrap();
    let tp: Vec<f64> = parent.iter().map(|v| v.ln() * 2.0 - 40.0).collect();
    let tc: Vec<f64> = child.iter().map(|v| v.powf(3.0) + 1.0).collect();
    let t = rank_mobility(&tp, &tc, None).unwrap();
    assert_eq!(t.rank_rank_slope, base.rank_rank_slope);
    assert_eq!(t.rank_rank_intercept, base.rank_rank_intercept);
    assert_eq!(t.absolute_upward_mobility, base.absolute_upward_mobility);
    assert_eq!(t.spearman, base.spearman);
    assert_eq!(t.kendall_tau_b, base.kendall_tau_b);
    assert_eq!(
        t.share_child_rank_above_parent,
        base.share_child_rank_above_parent
    );
}

#[test]
fn ige_power_law_and_dropped_pairs() {
    let parent: [f64; 7] = [1.0, 2.0, 4.0, 8.0, 0.0, -3.0, 16.0];
    let child: Vec<f64> = parent.iter().map(|&p| 5.0 * p.abs().powf(0.4)).collect();
    let r = ige(&parent, &child, None).unwrap();
    assert_abs_diff_eq!(r.elasticity.unwrap(), 0.4, epsilon = 1e-12);
    assert_abs_diff_eq!(r.intercept.unwrap(), 5f64.ln(), epsilon = 1e-12);
    assert_abs_diff_eq!(r.log_correlation.unwrap(), 1.0, epsilon = 1e-12);
    assert_eq!((r.used, r.dropped), (5, 2));
    let m = rank_mobility(&parent, &child, None).unwrap();
    assert_abs_diff_eq!(m.ige.unwrap(), 0.4, epsilon = 1e-12);
    assert_eq!(m.ige_dropped, 2);
    // no positive pair: undefined, everything dropped
    let r = ige(&[0.0, -1.0], &[1.0, 2.0], None).unwrap();
    assert_eq!((r.elasticity, r.used, r.dropped), (None, 0, 2));
    // weights: weight 0 pairs count as used but do not move the slope
    let r = ige(
        &[1.0, 2.0, 4.0, 3.0],
        &[1.0, 2.0, 4.0, 100.0],
        Some(&[1.0, 1.0, 1.0, 0.0]),
    )
    .unwrap();
    assert_abs_diff_eq!(r.elasticity.unwrap(), 1.0, epsilon = 1e-12);
}

#[test]
fn absolute_mobility_tie_rule() {
    let parent = [10.0, 20.0, 30.0, 40.0];
    let child = [15.0, 20.0, 25.0, 40.0];
    let am = absolute_mobility(&parent, &child, None).unwrap();
    assert_eq!(am.greater, 0.25);
    assert_eq!(am.greater_or_equal, 0.75);
    let am = absolute_mobility(&parent, &child, Some(&[3.0, 1.0, 0.0, 0.0])).unwrap();
    assert_eq!(am.greater, 0.75);
    assert_eq!(am.greater_or_equal, 1.0);
}

#[test]
fn national_ranks_of_the_whole_population_equal_local() {
    let (parent, child) = lognormal_pairs(2000, 0.4, 21);
    let rp = fractional_ranks(&parent, None).unwrap();
    let rc = fractional_ranks(&child, None).unwrap();
    let local = rank_mobility(&parent, &child, None).unwrap();
    let nat = rank_mobility_national(&parent, &child, None, &rp, &rc).unwrap();
    assert_eq!(nat.rank_basis, RankBasis::National);
    assert_abs_diff_eq!(nat.rank_rank_slope, local.rank_rank_slope, epsilon = 1e-12);
    assert_abs_diff_eq!(
        nat.absolute_upward_mobility,
        local.absolute_upward_mobility,
        epsilon = 1e-9
    );
    assert_eq!(
        nat.share_child_rank_above_parent,
        local.share_child_rank_above_parent
    );
    // a sub-population on national ranks: the top half of parents has a mean parent rank of
    // about 3/4, so its intercept is not 50 (1 - slope)
    let top: Vec<usize> = (0..2000).filter(|&i| rp[i] > 0.5).collect();
    let pick = |v: &[f64]| top.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let g = rank_mobility_national(&pick(&parent), &pick(&child), None, &pick(&rp), &pick(&rc))
        .unwrap();
    let (slope, intercept, _) = {
        let (x, y) = (pick(&rp), pick(&rc));
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
        (sxy / sxx, 100.0 * (my - sxy / sxx * mx), ())
    };
    assert_abs_diff_eq!(g.rank_rank_slope, slope, epsilon = 1e-10);
    assert_abs_diff_eq!(g.rank_rank_intercept, intercept, epsilon = 1e-8);
}

#[test]
fn same_result_for_one_and_two_threads() {
    // long enough for the parallel sort, the parallel merges and several chunks
    let (parent, child) = lognormal_pairs(300_000, 0.4, 1);
    let parent: Vec<f64> = parent.iter().map(|v| (v / 1000.0).round()).collect(); // ties
    let w: Vec<f64> = (0..parent.len()).map(|i| 0.5 + (i % 7) as f64).collect();
    let run = |threads: usize, weights: Option<&[f64]>| -> RankMobility {
        in_pool(threads, || rank_mobility(&parent, &child, weights).unwrap())
    };
    assert_eq!(run(1, None), run(2, None));
    assert_eq!(run(1, Some(&w)), run(2, Some(&w)));
}

#[test]
fn integer_weights_equal_replication_at_scale() {
    // Heavy ties (rounded incomes) so tie groups straddle the 65,536-element chunks of the
    // parallel passes; weights 1..3 against the pairs listed that many times.
    let (parent, child) = lognormal_pairs(60_000, 0.4, 17);
    let parent: Vec<f64> = parent.iter().map(|v| (v / 5000.0).round()).collect();
    let child: Vec<f64> = child.iter().map(|v| (v / 5000.0).round()).collect();
    let w: Vec<f64> = (0..parent.len()).map(|i| 1.0 + (i % 3) as f64).collect();
    let (mut rp, mut rc) = (vec![], vec![]);
    for i in 0..parent.len() {
        for _ in 0..w[i] as usize {
            rp.push(parent[i]);
            rc.push(child[i]);
        }
    }
    assert!(rp.len() > 100_000);
    let a = rank_mobility(&parent, &child, Some(&w)).unwrap();
    let b = rank_mobility(&rp, &rc, None).unwrap();
    let close = |x: f64, y: f64| (x - y).abs() < 1e-10;
    assert!(close(a.rank_rank_slope, b.rank_rank_slope));
    assert!(close(a.rank_rank_intercept, b.rank_rank_intercept));
    assert!(close(a.spearman.unwrap(), b.spearman.unwrap()));
    assert!(close(a.kendall_tau_b.unwrap(), b.kendall_tau_b.unwrap()));
    assert!(close(
        a.share_child_rank_above_parent,
        b.share_child_rank_above_parent
    ));
    assert!(close(
        a.share_child_rank_equal_parent,
        b.share_child_rank_equal_parent
    ));
    assert!(close(a.ige.unwrap(), b.ige.unwrap()));
    // and the ranks of the replicated pairs are those of fractional_ranks
    let (slope, _, corr) = rank_ols(&rp, &rc, None);
    assert!(close(b.rank_rank_slope, slope));
    assert!(close(b.spearman.unwrap(), corr.unwrap()));
}

#[test]
fn json_field_names() {
    let m = rank_mobility(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0], None).unwrap();
    let v = serde_json::to_value(&m).unwrap();
    for key in [
        "rank_rank_slope",
        "rank_rank_intercept",
        "absolute_upward_mobility",
        "spearman",
        "kendall_tau_b",
        "share_child_rank_above_parent",
        "ige",
        "ige_dropped",
        "absolute_mobility",
        "n",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let back: RankMobility = serde_json::from_value(v).unwrap();
    assert_eq!(back, m);
}

#[test]
fn errors_name_the_problem() {
    assert!(matches!(
        rank_mobility(&[], &[], None),
        Err(MobilityError::EmptyInput { .. })
    ));
    assert!(matches!(
        rank_mobility(&[1.0, 2.0], &[1.0], None),
        Err(MobilityError::LengthMismatch { .. })
    ));
    assert!(matches!(
        rank_mobility(&[1.0, f64::NAN], &[1.0, 2.0], None),
        Err(MobilityError::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        rank_mobility(&[1.0, 2.0], &[1.0, f64::INFINITY], None),
        Err(MobilityError::NonFinite { .. })
    ));
    assert!(matches!(
        rank_mobility(&[1.0, 2.0], &[1.0, 2.0], Some(&[1.0, -1.0])),
        Err(MobilityError::NegativeWeight { index: 1, .. })
    ));
    assert!(matches!(
        rank_mobility(&[1.0, 2.0], &[1.0, 2.0], Some(&[0.0, 0.0])),
        Err(MobilityError::ZeroTotalWeight { .. })
    ));
    assert!(matches!(
        rank_mobility(&[1.0, 2.0], &[1.0, 2.0], Some(&[1.0])),
        Err(MobilityError::LengthMismatch { .. })
    ));
    let err = rank_mobility(&[3.0, 3.0, 3.0], &[1.0, 2.0, 3.0], None).unwrap_err();
    assert!(matches!(err, MobilityError::Undefined { .. }));
    assert!(err.to_string().contains("rank-rank slope"), "{err}");
    // all the weight on one parent value
    assert!(rank_mobility(&[1.0, 2.0], &[1.0, 2.0], Some(&[1.0, 0.0])).is_err());
    let m = rank_mobility(&[1.0, 2.0], &[1.0, 2.0], None).unwrap();
    assert!(m.expected_child_rank(-1.0).is_err());
    assert!(m.expected_child_rank(100.5).is_err());
    assert!(m.expected_child_rank(f64::NAN).is_err());
    assert!(matches!(
        rank_mobility_national(&[1.0, 2.0], &[1.0, 2.0], None, &[0.5], &[0.5, 0.5]),
        Err(MobilityError::LengthMismatch { .. })
    ));
    assert!(matches!(
        rank_mobility_national(&[1.0, 2.0], &[1.0, 2.0], None, &[0.5, 1.5], &[0.5, 0.5]),
        Err(MobilityError::InvalidParameter { .. })
    ));
    assert!(kendall_tau_b(&[1.0], &[f64::NAN], None).is_err());
    assert!(ige(&[1.0], &[], None).is_err());
    assert!(absolute_mobility(&[], &[], None).is_err());
}

/// Small values so that ties in x, y and both are frequent.
fn tied_pairs() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>)> {
    (2usize..60).prop_flat_map(|n| {
        (
            prop::collection::vec(0u8..6, n),
            prop::collection::vec(0u8..6, n),
            prop::collection::vec(prop::sample::select(vec![0.5, 1.0, 2.0, 3.0]), n),
        )
            .prop_map(|(x, y, w)| {
                (
                    x.into_iter().map(f64::from).collect(),
                    y.into_iter().map(f64::from).collect(),
                    w,
                )
            })
    })
}

proptest! {
    #[test]
    fn tau_b_matches_brute_force((x, y, w) in tied_pairs()) {
        let fast = kendall_tau_b(&x, &y, None).unwrap();
        let slow = tau_b_brute(&x, &y, None);
        prop_assert_eq!(fast.is_some(), slow.is_some());
        if let (Some(a), Some(b)) = (fast, slow) {
            prop_assert!((a - b).abs() < 1e-12, "{} vs {}", a, b);
        }
        let fast = kendall_tau_b(&x, &y, Some(&w)).unwrap();
        let slow = tau_b_brute(&x, &y, Some(&w));
        prop_assert_eq!(fast.is_some(), slow.is_some());
        if let (Some(a), Some(b)) = (fast, slow) {
            prop_assert!((a - b).abs() < 1e-12, "{} vs {}", a, b);
        }
    }

    #[test]
    fn spearman_equals_slope_without_ties(seed in 0u64..1000, n in 3usize..300) {
        let (parent, child) = lognormal_pairs(n, 0.3, seed);
        let m = rank_mobility(&parent, &child, None).unwrap();
        prop_assert!((m.spearman.unwrap() - m.rank_rank_slope).abs() < 1e-12);
    }

    #[test]
    fn weight_two_equals_a_duplicated_pair((x, y, w) in tied_pairs(), dup in 0usize..60) {
        let i = dup % x.len();
        if x.iter().all(|v| *v == x[0]) {
            return Ok(()); // slope undefined either way
        }
        let mut wx = vec![1.0; x.len()];
        wx[i] = 2.0;
        let weighted = rank_mobility(&x, &y, Some(&wx)).unwrap();
        let mut dx = x.clone();
        let mut dy = y.clone();
        dx.push(x[i]);
        dy.push(y[i]);
        let dup = rank_mobility(&dx, &dy, None).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-10;
        prop_assert!(close(weighted.rank_rank_slope, dup.rank_rank_slope));
        prop_assert!(close(weighted.rank_rank_intercept, dup.rank_rank_intercept));
        prop_assert!(close(weighted.share_child_rank_above_parent, dup.share_child_rank_above_parent));
        prop_assert!(close(weighted.absolute_mobility, dup.absolute_mobility));
        prop_assert!(close(weighted.absolute_mobility_at_least, dup.absolute_mobility_at_least));
        match (weighted.kendall_tau_b, dup.kendall_tau_b) {
            (Some(a), Some(b)) => prop_assert!(close(a, b), "{} vs {}", a, b),
            (a, b) => prop_assert_eq!(a, b),
        }
        match (weighted.spearman, dup.spearman) {
            (Some(a), Some(b)) => prop_assert!(close(a, b)),
            (a, b) => prop_assert_eq!(a, b),
        }
        match (weighted.ige, dup.ige) {
            (Some(a), Some(b)) => prop_assert!(close(a, b)),
            (a, b) => prop_assert_eq!(a, b),
        }
        // general weights against the brute-force tau
        let general = kendall_tau_b(&x, &y, Some(&w)).unwrap();
        let slow = tau_b_brute(&x, &y, Some(&w));
        prop_assert_eq!(general.is_some(), slow.is_some());
    }

    #[test]
    fn row_order_never_matters((x, y, w) in tied_pairs(), shift in 0usize..60) {
        if x.iter().all(|v| *v == x[0]) {
            return Ok(());
        }
        let k = shift % x.len();
        let rot = |v: &[f64]| { let mut r = v.to_vec(); r.rotate_left(k); r };
        let a = rank_mobility(&x, &y, Some(&w)).unwrap();
        let b = rank_mobility(&rot(&x), &rot(&y), Some(&rot(&w))).unwrap();
        prop_assert!((a.rank_rank_slope - b.rank_rank_slope).abs() < 1e-12);
        match (a.kendall_tau_b, b.kendall_tau_b) {
            (Some(p), Some(q)) => prop_assert!((p - q).abs() < 1e-12),
            (p, q) => prop_assert_eq!(p, q),
        }
    }
}
