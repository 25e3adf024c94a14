//! Tests of the cut-off rules and the selection behind them.

use super::*;
use crate::rank::{class_of_rank, fractional_ranks};

fn classes(values: &[f64], weights: Option<&[f64]>, k: usize, rule: Rule) -> Vec<u32> {
    Cutoffs::quantiles(values, weights, k, rule)
        .unwrap()
        .classify(values)
        .unwrap()
}

fn sizes(c: &[u32], k: usize) -> Vec<usize> {
    (1..=k as u32)
        .map(|m| c.iter().filter(|&&x| x == m).count())
        .collect()
}

#[test]
fn midrank_matches_ceil_k_r() {
    // many ties, several sizes, cross-check against the rank definition
    for n in [1usize, 2, 3, 7, 10, 48, 101, 5000, 20_000] {
        let values: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 13) as f64 * 0.5 - 2.0)
            .collect();
        for k in [2usize, 3, 4, 5, 10, 100] {
            let got = classes(&values, None, k, Rule::Midrank);
            let r = fractional_ranks(&values, None).unwrap();
            let want: Vec<u32> = r.iter().map(|&r| class_of_rank(r, k) as u32).collect();
            assert_eq!(got, want, "n={n} k={k}");
        }
    }
}

#[test]
fn midrank_distinct_values_equal_classes() {
    let values: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64).collect();
    assert_eq!(
        sizes(&classes(&values, None, 10, Rule::Midrank), 10),
        vec![100; 10]
    );
}

/// Naive type-7 cut points on a sorted copy, as numpy/R compute them.
fn naive_type7(values: &[f64], k: usize) -> Vec<f64> {
    let mut x = values.to_vec();
    x.sort_by(f64::total_cmp);
    let n = x.len();
    (1..k)
        .map(|m| {
            let (lo, rem) = ((m * (n - 1)) / k, (m * (n - 1)) % k);
            let hi = (lo + 1).min(n - 1);
            if rem == 0 || x[lo] == x[hi] {
                x[lo]
            } else {
                x[lo] + (rem as f64 / k as f64) * (x[hi] - x[lo])
            }
        })
        .collect()
}

#[test]
fn type7_cuts_match_the_naive_ones_even_with_fewer_values_than_classes() {
    for n in 1..=14usize {
        let values: Vec<f64> = (0..n)
            .map(|i| ((i * 5) % 7) as f64 + (i / 7) as f64 * 0.5)
            .collect();
        for k in 2..=20 {
            let got = Cutoffs::quantiles(&values, None, k, Rule::RType7)
                .unwrap()
                .values();
            assert_eq!(got, naive_type7(&values, k), "n={n} k={k}");
            // giddy: the same positions in mapclassify's floating-point steps
            let got = Cutoffs::quantiles(&values, None, k, Rule::Giddy)
                .unwrap()
                .values();
            for (g, t) in got.iter().zip(naive_type7(&values, k)) {
                assert!((g - t).abs() <= 1e-12 * t.abs().max(1.0), "n={n} k={k}");
            }
        }
    }
    // values 1, 2, 3 in giddy quintiles: cuts 1.4, 1.8, 2.2, 2.6, classes 1, 3, 5
    assert_eq!(
        classes(&[1.0, 2.0, 3.0], None, 5, Rule::Giddy),
        vec![1, 3, 5]
    );
}

#[test]
fn giddy_sizes_n48_k5() {
    let values: Vec<f64> = (0..48).map(|i| ((i * 17) % 48) as f64).collect();
    assert_eq!(
        sizes(&classes(&values, None, 5, Rule::Giddy), 5),
        vec![10, 9, 10, 9, 10]
    );
}

#[test]
fn rules_on_a_small_sample() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
    // type 7 quartile cuts: 3.25, 5.5, 7.75
    let c = Cutoffs::quantiles(&x, None, 4, Rule::Giddy).unwrap();
    assert_eq!(c.values(), vec![3.25, 5.5, 7.75]);
    // stata type 2 quartiles, n = 10: 2.5 -> x_(3) = 3; 5 -> (5+6)/2; 7.5 -> x_(8) = 8
    let s = Cutoffs::quantiles(&x, None, 4, Rule::StataXtile).unwrap();
    assert_eq!(s.values(), vec![3.0, 5.5, 8.0]);
    assert_eq!(
        classes(&x, None, 4, Rule::StataXtile),
        vec![1, 1, 1, 2, 2, 3, 3, 3, 4, 4]
    );
    // left- vs right-closed differ only on values equal to a cut
    let y = [1.0, 2.0, 2.0, 2.0, 3.0];
    assert_eq!(classes(&y, None, 2, Rule::Giddy), vec![1, 1, 1, 1, 2]);
    assert_eq!(classes(&y, None, 2, Rule::RType7), vec![1, 2, 2, 2, 2]);
}

#[test]
fn large_input_uses_histogram_levels() {
    // enough values to pass through both histogram levels, with a heavy tie at zero
    let n = 300_000;
    let values: Vec<f64> = (0..n)
        .map(|i| {
            if i % 5 == 0 {
                0.0
            } else {
                ((i as f64) * 0.618_033_988_7).fract() * 1e5
            }
        })
        .collect();
    let r = fractional_ranks(&values, None).unwrap();
    for k in [5, 10, 100] {
        let want: Vec<u32> = r.iter().map(|&r| class_of_rank(r, k) as u32).collect();
        assert_eq!(classes(&values, None, k, Rule::Midrank), want);
    }
    // extreme outliers make the first-level buckets coarse: the bulk needs deeper levels
    let mut wide: Vec<f64> = (0..n)
        .map(|i| 1.0 + ((i as f64) * 0.618_033_988_7).fract())
        .collect();
    wide[7] = -1e300;
    wide[11] = 1e300;
    wide[13] = 1e-300;
    let rw = fractional_ranks(&wide, None).unwrap();
    for k in [4, 10, 100] {
        let want: Vec<u32> = rw.iter().map(|&r| class_of_rank(r, k) as u32).collect();
        assert_eq!(classes(&wide, None, k, Rule::Midrank), want);
    }
    let w: Vec<f64> = (0..n).map(|i| (i % 3 + 1) as f64).collect();
    let rw = fractional_ranks(&values, Some(&w)).unwrap();
    let want: Vec<u32> = rw.iter().map(|&r| class_of_rank(r, 10) as u32).collect();
    assert_eq!(classes(&values, Some(&w), 10, Rule::Midrank), want);
}

#[test]
fn fixed_bands() {
    let left = Cutoffs::fixed(&[10.0, 20.0], Closed::Left).unwrap();
    let right = Cutoffs::fixed(&[10.0, 20.0], Closed::Right).unwrap();
    let x = [5.0, 10.0, 15.0, 20.0, 25.0];
    assert_eq!(left.classify(&x).unwrap(), vec![1, 2, 2, 3, 3]);
    assert_eq!(right.classify(&x).unwrap(), vec![1, 1, 2, 2, 3]);
    assert!(matches!(
        Cutoffs::fixed(&[3.0, 3.0], Closed::Left),
        Err(MobilityError::CutoffsNotIncreasing { index: 2, .. })
    ));
    assert!(matches!(
        Cutoffs::fixed(&[], Closed::Left),
        Err(MobilityError::TooFewClasses { k: 1 })
    ));
}

#[test]
fn weights_need_midrank() {
    assert!(Cutoffs::quantiles(&[1.0, 2.0], Some(&[1.0, 1.0]), 2, Rule::Giddy).is_err());
}
