//! `share_child_rank_above_parent` / `share_child_rank_equal_parent` with weights decide each
//! comparison of ranks exactly: checked against an O(n^2) brute force in exact integer
//! arithmetic (every weight below is a multiple of 2^-60, so `w 2^60` is an exact `i128`).

mod common;

use mobility::rankbased::rank_mobility;

use common::samples::SplitMix;

/// Exact `(above, equal)` weight shares from the definition `r = (B + T/2) / W`.
fn brute_force(p: &[f64], c: &[f64], w: &[f64]) -> (f64, f64) {
    let scaled: Vec<i128> = w
        .iter()
        .map(|&x| {
            let s = x * (1u64 << 60) as f64; // exact: a power-of-two scaling
            assert_eq!(s.fract(), 0.0, "weight {x} is not a multiple of 2^-60");
            s as i128
        })
        .collect();
    // 2B + T, with B the weight strictly below and T the weight tied (the unit included)
    let key = |v: &[f64], u: usize| -> i128 {
        (0..v.len())
            .map(|j| scaled[j] * (2 * i128::from(v[j] < v[u]) + i128::from(v[j] == v[u])))
            .sum()
    };
    let (mut above, mut equal, mut total) = (0i128, 0i128, 0i128);
    for (u, &wu) in scaled.iter().enumerate() {
        let (kc, kp) = (key(c, u), key(p, u));
        above += wu * i128::from(kc > kp);
        equal += wu * i128::from(kc == kp);
        total += wu;
    }
    (above as f64 / total as f64, equal as f64 / total as f64)
}

#[test]
fn the_reported_case_has_an_equal_share() {
    let p = [2.0, 1.0, 3.0, 0.0];
    let c = [0.0, 2.0, 3.0, 1.0];
    let w = [
        2.4782196754945516,
        1.3428614224655397,
        2.300245837349265,
        2.6475925355321364,
    ];
    let m = rank_mobility(&p, &c, Some(&w)).unwrap();
    let total: f64 = w.iter().sum();
    // unit 3 is top in both orders: its ranks are equal (same set of units below it)
    assert!((m.share_child_rank_equal_parent - w[2] / total).abs() < 1e-15);
    assert!((m.share_child_rank_equal_parent - 0.262).abs() < 1e-3);
    let (above, equal) = brute_force(&p, &c, &w);
    assert!((m.share_child_rank_above_parent - above).abs() < 1e-12);
    assert!((m.share_child_rank_equal_parent - equal).abs() < 1e-12);
}

#[test]
fn twenty_thousand_random_weighted_sets_match_the_exact_brute_force() {
    let mut rng = SplitMix(0x5EED_2024);
    let (mut checked, mut mismatches) = (0, Vec::new());
    for set in 0..20_000 {
        let n = 2 + rng.below(9) as usize;
        let levels = 2 + rng.below(4);
        let p: Vec<f64> = (0..n).map(|_| rng.below(levels) as f64).collect();
        let c: Vec<f64> = (0..n).map(|_| rng.below(levels) as f64).collect();
        let w: Vec<f64> = (0..n)
            .map(|_| match set % 4 {
                0 => 0.25 + 2.75 * rng.unit(), // float weights, random mantissas
                1 => rng.below(4) as f64,      // whole numbers, zeros included
                2 => (1 + rng.below(12)) as f64 / 4.0, // dyadic: unequal sets may tie exactly
                _ => [0.1, 0.2, 0.3, 0.6, 1.0 / 3.0][rng.below(5) as usize], // decimal-ish
            })
            .collect();
        let Ok(m) = rank_mobility(&p, &c, Some(&w)) else {
            continue; // parent ranks constant (or zero total weight): no slope, no report
        };
        checked += 1;
        let (above, equal) = brute_force(&p, &c, &w);
        if (m.share_child_rank_above_parent - above).abs() > 1e-12
            || (m.share_child_rank_equal_parent - equal).abs() > 1e-12
        {
            mismatches.push((p, c, w));
        }
    }
    assert!(checked > 15_000, "only {checked} sets checked");
    assert!(
        mismatches.is_empty(),
        "{} of {checked} weighted sets differ, first {:?}",
        mismatches.len(),
        mismatches.first()
    );
}

#[test]
fn wide_weight_ranges_use_more_limbs_and_stay_exact() {
    // weights spanning 2^-200 .. 2^200: far beyond two 64-bit limbs
    let tiny = 2f64.powi(-200);
    let huge = 2f64.powi(200);
    let p = [0.0, 1.0, 2.0, 3.0];
    let c = [1.0, 0.0, 3.0, 2.0];
    // unit 3 (p = 3, c = 2): parent 2B+T = 2(tiny + 1 + huge) + tiny... set so ranks tie exactly
    let w = [tiny, tiny, huge, huge];
    let m = rank_mobility(&p, &c, Some(&w)).unwrap();
    // parent keys: u0: tiny, u1: 2tiny + tiny = 3tiny, u2: 4tiny + huge, u3: 4tiny + 2huge + huge
    // child keys:  u1: tiny, u0: 2tiny + tiny,     u3: 4tiny + huge, u2: 4tiny + 2huge + huge
    // so u0 up, u1 down, u2 up, u3 down; no equal ranks
    let total = 2.0 * tiny + 2.0 * huge;
    assert_eq!(m.share_child_rank_equal_parent, 0.0);
    assert!((m.share_child_rank_above_parent - (tiny + huge) / total).abs() < 1e-15);
    // an exact tie across a 130-bit range (three limbs): u3 is top in both orders, and the
    // float sums below it (1 + 2^30 + 2^-100 in different orders) need not agree
    let tiny = 2f64.powi(-100);
    let big = 2f64.powi(30);
    let w = [tiny, 1.0, big, 3.0];
    let p = [0.0, 1.0, 2.0, 3.0];
    let c = [2.0, 1.0, 0.0, 3.0];
    let m = rank_mobility(&p, &c, Some(&w)).unwrap();
    let total = tiny + 1.0 + big + 3.0;
    assert!((m.share_child_rank_equal_parent - 3.0 / total).abs() < 1e-15);
    // u0 and u1 move up (big lands below them), u2 down
    assert!((m.share_child_rank_above_parent - (tiny + 1.0) / total).abs() < 1e-15);
}
