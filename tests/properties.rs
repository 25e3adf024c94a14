//! Property tests: the invariants every quantile matrix must satisfy.
//!
//! - row order never matters;
//! - strictly increasing transforms of status never change a quantile matrix;
//! - a pair with weight 2 equals the pair twice;
//! - rows of P sum to 1; pi P gives the child shares; eigenvalues sum to the trace;
//! - merge(count(A), count(B)) = count(A and B) for fixed cut-offs;
//! - the same result with 1 and 2 threads.

mod common;

use mobility::quantile::{Closed, Cutoffs};
use mobility::rank::{class_of_rank, fractional_ranks};
use mobility::{ClassSpec, Rule, TransitionCounts, TransitionMatrix, Weighting};
use proptest::prelude::*;

use common::pool::in_pool;
use common::samples::shuffled_order;

/// Status with plenty of ties: small integers scaled.
fn status(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((0u32..12).prop_map(|v| f64::from(v) * 1.5 - 3.0), n)
}

fn pairs() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>)> {
    (2usize..120)
        .prop_flat_map(|n| (status(n), status(n), prop::collection::vec(0u32..4, n)))
        .prop_map(|(p, c, w)| {
            // whole-number weights keep sums exact; at least one positive
            let mut w: Vec<f64> = w.into_iter().map(f64::from).collect();
            w[0] = w[0].max(1.0);
            (p, c, w)
        })
}

fn rule() -> impl Strategy<Value = Rule> {
    prop::sample::select(Rule::ALL.to_vec())
}

fn counts(p: &[f64], c: &[f64], w: Option<&[f64]>, k: usize, rule: Rule) -> ndarray::Array2<f64> {
    TransitionCounts::from_status(p, c, w, &ClassSpec::Quantiles { k, rule })
        .unwrap()
        .counts()
        .to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn row_order_never_matters((p, c, w) in pairs(), k in 2usize..8, seed in any::<u64>(), rule in rule()) {
        let n = p.len();
        let order = shuffled_order(n, seed);
        let perm = |v: &[f64]| order.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let weights = rule.takes_weights().then_some(&w[..]);
        let pw = weights.map(perm);
        prop_assert_eq!(
            counts(&p, &c, weights, k, rule),
            counts(&perm(&p), &perm(&c), pw.as_deref(), k, rule)
        );
    }

    #[test]
    fn increasing_transforms_never_change_the_matrix((p, c, w) in pairs(), k in 2usize..8) {
        let f = |v: &[f64]| v.iter().map(|x| (x / 3.0).exp() * 1000.0 + 7.0).collect::<Vec<f64>>();
        let g = |v: &[f64]| v.iter().map(|x| x.powi(3) - 40.0).collect::<Vec<f64>>();
        prop_assert_eq!(counts(&p, &c, Some(&w), k, Rule::Midrank), counts(&f(&p), &g(&c), Some(&w), k, Rule::Midrank));
    }

    #[test]
    fn weight_two_equals_the_pair_twice((p, c, w) in pairs(), k in 2usize..8) {
        let mut p2 = Vec::new();
        let mut c2 = Vec::new();
        for i in 0..p.len() {
            for _ in 0..(w[i] as usize) {
                p2.push(p[i]);
                c2.push(c[i]);
            }
        }
        let weighted = counts(&p, &c, Some(&w), k, Rule::Midrank);
        let expanded = counts(&p2, &c2, None, k, Rule::Midrank);
        prop_assert_eq!(weighted, expanded);
    }

    #[test]
    fn classes_are_ceil_k_r((p, _c, w) in pairs(), k in 2usize..12) {
        // on whole-number weights the rank rule and the radix selection agree
        let r = fractional_ranks(&p, Some(&w)).unwrap();
        let classes = Cutoffs::quantiles(&p, Some(&w), k, Rule::Midrank).unwrap().classify(&p).unwrap();
        for (ri, ci) in r.iter().zip(&classes) {
            prop_assert_eq!(class_of_rank(*ri, k) as u32, *ci);
        }
        // ties always share a class
        for i in 0..p.len() {
            for j in 0..p.len() {
                if p[i] == p[j] { prop_assert_eq!(classes[i], classes[j]); }
            }
        }
    }

    #[test]
    fn rows_sum_to_one_and_shares_agree((p, c, w) in pairs(), k in 2usize..8, rule in rule()) {
        let weights = rule.takes_weights().then_some(&w[..]);
        let tm = TransitionMatrix::from_status(&p, &c, weights, &ClassSpec::Quantiles { k, rule }).unwrap();
        prop_assert_eq!(tm.k(), k);
        for (i, row) in tm.probabilities().rows().into_iter().enumerate() {
            let s = row.sum();
            if tm.empty_rows().contains(&i) { prop_assert_eq!(s, 0.0); } else { prop_assert!((s - 1.0).abs() < 1e-12); }
        }
        let child = tm.parent_shares().dot(tm.probabilities());
        for (a, b) in child.iter().zip(tm.child_shares()) { prop_assert!((a - b).abs() < 1e-12); }
        // every measure is a finite number or undefined, never NaN
        for (name, v) in tm.measures(&Weighting::ParentShares).unwrap().to_pairs() {
            if let Some(v) = v { prop_assert!(v.is_finite(), "{} = {}", name, v); }
        }
        // up + down + stay = 1
        let m = tm.measures(&Weighting::ParentShares).unwrap();
        if let (Some(u), Some(d), Some(s)) = (m.upward_share, m.downward_share, m.immobility_ratio) {
            prop_assert!((u + d + s - 1.0).abs() < 1e-12);
        }
        // eigenvalues sum to the trace, their product is the determinant
        if let Ok(sp) = tm.spectrum() {
            let re: f64 = sp.eigenvalues.iter().map(|e| e.re).sum();
            let im: f64 = sp.eigenvalues.iter().map(|e| e.im).sum();
            prop_assert!((re - tm.probabilities().diag().sum()).abs() < 1e-8);
            prop_assert!(im.abs() < 1e-8);
            prop_assert!((sp.abs_eigenvalues[0] - 1.0).abs() < 1e-8);
        }
    }

    #[test]
    fn merged_chunks_equal_the_whole((p, c, w) in pairs(), split in 0usize..120) {
        let bands = Cutoffs::fixed(&[-1.0, 2.0, 7.5], Closed::Left).unwrap();
        let spec = ClassSpec::Cutoffs { parent: bands.clone(), child: bands };
        let s = split.min(p.len() - 1).max(1);
        let whole = TransitionCounts::from_status(&p, &c, Some(&w), &spec).unwrap();
        let mut a = TransitionCounts::from_status(&p[..s], &c[..s], Some(&w[..s]), &spec).unwrap();
        let b = TransitionCounts::from_status(&p[s..], &c[s..], Some(&w[s..]), &spec).unwrap();
        a.merge(&b).unwrap();
        prop_assert_eq!(a.counts(), whole.counts());
        prop_assert_eq!(a.units(), whole.units());
    }
}

#[test]
fn same_result_with_one_and_two_threads() {
    let n = 1_000_003;
    let p: Vec<f64> = (0..n)
        .map(|i| ((i as f64) * 0.754_877_666).fract().powi(3) * 1e5)
        .collect();
    let c: Vec<f64> = (0..n)
        .map(|i| (p[i] + ((i as f64) * 0.569_840_29).fract() * 3e4).round())
        .collect();
    let w: Vec<f64> = (0..n)
        .map(|i| 0.5 + ((i as f64) * 0.3819).fract())
        .collect();
    let run = |t: usize| {
        in_pool(t, || {
            TransitionMatrix::from_status(&p, &c, Some(&w), &ClassSpec::quantiles(10)).unwrap()
        })
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one, two);
    assert_eq!(
        one.n(),
        Some(w.iter().sum::<f64>()).map(|_| one.n().unwrap())
    );
    assert!((one.n().unwrap() - w.iter().sum::<f64>()).abs() < 1e-6);
}

#[test]
fn merge_rejects_different_cutoffs() {
    let a = TransitionCounts::from_status(&[1.0, 2.0], &[1.0, 2.0], None, &ClassSpec::quantiles(2))
        .unwrap();
    let mut b =
        TransitionCounts::from_status(&[5.0, 9.0], &[1.0, 2.0], None, &ClassSpec::quantiles(2))
            .unwrap();
    assert!(matches!(
        b.merge(&a),
        Err(mobility::MobilityError::Incompatible { .. })
    ));
    let mut c = TransitionCounts::from_status(
        &[1.0, 2.0, 3.0],
        &[1.0, 2.0, 3.0],
        None,
        &ClassSpec::quantiles(3),
    )
    .unwrap();
    assert!(c.merge(&a).is_err());
}
