//! Tests of the design: every kernel against `TransitionCounts::from_status` on the same weights.

use super::design::Kernel;
use super::*;
use crate::matrix::{TransitionCounts, TransitionMatrix};
use crate::rank::Rule;

/// A deterministic pseudo-random sequence (no RNG dependency in the oracle).
fn lcg(seed: u64, n: usize) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        })
        .collect()
}

fn data(n: usize, ties: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let a = lcg(1, n);
    let b = lcg(2, n);
    let parent: Vec<f64> = a.iter().map(|&x| (x % ties) as f64).collect();
    let child: Vec<f64> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| ((x % ties) + (y % ties)) as f64 * 0.5)
        .collect();
    let weights: Vec<f64> = b.iter().map(|&y| (y % 4) as f64).collect();
    (parent, child, weights)
}

fn design_table(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    spec: &ClassSpec,
    mode: CutoffMode,
    draw: Draw,
) -> Vec<f64> {
    let tm = TransitionMatrix::from_status(parent, child, weights, spec).unwrap();
    let d = Design::new(parent, child, weights, None, spec, &tm, mode).unwrap();
    let mut s = Scratch::new(&d);
    d.draw(draw, &mut s);
    d.count(&mut s);
    s.table
}

/// [`design_table`] with the cut-offs re-estimated in the replicate (the default mode).
fn reestimated_table(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    spec: &ClassSpec,
    draw: Draw,
) -> Vec<f64> {
    design_table(parent, child, weights, spec, CutoffMode::Reestimate, draw)
}

/// The table of the pairs counted directly by `TransitionCounts::from_status`, laid out as the
/// design's table.
fn direct_table(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    spec: &ClassSpec,
) -> Vec<f64> {
    let counts = TransitionCounts::from_status(parent, child, weights, spec).unwrap();
    counts.counts().iter().copied().collect()
}

/// A replicate's weights: its multiplicities `m`, times the weights when there are any.
fn replicate_weights(m: &[u32], weights: Option<&[f64]>) -> Vec<f64> {
    match weights {
        None => m.iter().map(|&x| f64::from(x)).collect(),
        Some(w) => m.iter().zip(w).map(|(&x, &w)| f64::from(x) * w).collect(),
    }
}

fn leak(m: Vec<u32>) -> &'static [u32] {
    Box::leak(m.into_boxed_slice())
}

#[test]
fn full_sample_matches_from_status() {
    for (n, ties) in [
        (7usize, 3u64),
        (100, 1000),
        (5000, 17),
        (5000, 1_000_000),
        (70_000, 50),
    ] {
        let (p, c, w) = data(n, ties);
        for k in [2usize, 3, 5, 10] {
            for rule in [Rule::Midrank, Rule::Giddy, Rule::StataXtile, Rule::Split] {
                let spec = ClassSpec::Quantiles { k, rule };
                let want = direct_table(&p, &c, None, &spec);
                let got = reestimated_table(&p, &c, None, &spec, Draw::Full);
                assert_eq!(got, want, "n={n} k={k} {rule}");
            }
            for rule in [Rule::Midrank, Rule::Split] {
                let spec = ClassSpec::Quantiles { k, rule };
                let want = direct_table(&p, &c, Some(&w), &spec);
                let got = reestimated_table(&p, &c, Some(&w), &spec, Draw::Full);
                assert_eq!(got, want);
            }
        }
    }
}

#[test]
fn replicate_matches_weights_times_multiplicity() {
    // The fast kernel on multiplicities m equals from_status with weights w m (whole-number
    // weights: exact), for heavy ties, no ties, and zero weights.
    for (n, ties) in [
        (50usize, 4u64),
        (3000, 25),
        (3000, 1_000_000),
        (40_000, 300),
    ] {
        let (p, c, w) = data(n, ties);
        for seed in 0..4u64 {
            let m: Vec<u32> = lcg(10 + seed, n).iter().map(|&x| (x % 3) as u32).collect();
            let m = leak(m);
            for (k, rule) in [2usize, 4, 10]
                .into_iter()
                .flat_map(|k| [(k, Rule::Midrank), (k, Rule::Split)])
            {
                let spec = ClassSpec::Quantiles { k, rule };
                let wm = replicate_weights(m, None);
                let want = direct_table(&p, &c, Some(&wm), &spec);
                let got = reestimated_table(&p, &c, None, &spec, Draw::Given(m));
                assert_eq!(got, want);
                let wm = replicate_weights(m, Some(&w));
                if wm.iter().sum::<f64>() > 0.0 {
                    let want = direct_table(&p, &c, Some(&wm), &spec);
                    let got = reestimated_table(&p, &c, Some(&w), &spec, Draw::Given(m));
                    assert_eq!(got, want);
                }
            }
            // generic rules: the expanded sample
            let spec = ClassSpec::Quantiles {
                k: 5,
                rule: Rule::Giddy,
            };
            let mut ep = Vec::new();
            let mut ec = Vec::new();
            for i in 0..n {
                for _ in 0..m[i] {
                    ep.push(p[i]);
                    ec.push(c[i]);
                }
            }
            let want = direct_table(&ep, &ec, None, &spec);
            let got = reestimated_table(&p, &c, None, &spec, Draw::Given(m));
            assert_eq!(got, want);
        }
    }
}

#[test]
fn frequency_draws_are_the_replicate_weights() {
    // with frequency weights a replicate's weight of record u is M_u itself
    for (n, ties) in [(50usize, 4u64), (3000, 25), (40_000, 300)] {
        let (p, c, w) = data(n, ties);
        let m = leak(lcg(21, n).iter().map(|&x| (x % 5) as u32).collect());
        let wm = replicate_weights(m, None);
        for rule in [Rule::Midrank, Rule::Split] {
            let spec = ClassSpec::Quantiles { k: 5, rule };
            let want = direct_table(&p, &c, Some(&wm), &spec);
            let got = reestimated_table(&p, &c, Some(&w), &spec, Draw::Frequency(m));
            assert_eq!(got, want);
        }
    }
    // a frequency draw puts round(W) units on the records in proportion to w
    let (p, c, w) = data(200, 30);
    let spec = ClassSpec::quantiles(4);
    let tm = TransitionMatrix::from_status(&p, &c, Some(&w), &spec).unwrap();
    let mut d = Design::new(&p, &c, Some(&w), None, &spec, &tm, CutoffMode::Reestimate).unwrap();
    d.use_frequency_draws(0);
    let mut s = Scratch::new(&d);
    d.draw(Draw::Resample { seed: 9, stream: 0 }, &mut s);
    let total: u32 = s.large.iter().sum();
    assert_eq!(f64::from(total), w.iter().sum::<f64>().round());
    for (u, &x) in s.large.iter().enumerate() {
        if d.weights.as_ref().unwrap()[u] == 0.0 {
            assert_eq!(x, 0, "a record of weight 0 is never drawn");
        }
    }
}

#[test]
fn fixed_mode_keeps_full_sample_classes() {
    let (p, c, _) = data(2000, 1_000_000);
    let m = leak(lcg(5, 2000).iter().map(|&x| (x % 3) as u32).collect());
    let spec = ClassSpec::quantiles(5);
    let tm = TransitionMatrix::from_status(&p, &c, None, &spec).unwrap();
    let fixed = ClassSpec::Cutoffs {
        parent: tm.parent_cutoffs().cloned().unwrap(),
        child: tm.child_cutoffs().cloned().unwrap(),
    };
    let wm = replicate_weights(m, None);
    let want = direct_table(&p, &c, Some(&wm), &fixed);
    let got = design_table(&p, &c, None, &spec, CutoffMode::Fixed, Draw::Given(m));
    assert_eq!(got, want);

    // split cut-offs kept fixed: the fractional memberships of the full sample
    let (p, c, _) = data(2000, 40);
    let spec = ClassSpec::Quantiles {
        k: 5,
        rule: Rule::Split,
    };
    let tm = TransitionMatrix::from_status(&p, &c, None, &spec).unwrap();
    assert!(tm.parent_cutoffs().unwrap().has_split());
    let fixed = ClassSpec::Cutoffs {
        parent: tm.parent_cutoffs().cloned().unwrap(),
        child: tm.child_cutoffs().cloned().unwrap(),
    };
    let want = direct_table(&p, &c, Some(&wm), &fixed);
    let got = design_table(&p, &c, None, &spec, CutoffMode::Fixed, Draw::Given(m));
    assert_eq!(got, want);
}

#[test]
fn zones_and_their_fallback_are_exact() {
    let n = 100_000;
    let (p, c, w) = data(n, 5_000);
    let spec = ClassSpec::quantiles(5);
    let tm = TransitionMatrix::from_status(&p, &c, None, &spec).unwrap();
    let d = Design::new(&p, &c, None, None, &spec, &tm, CutoffMode::Reestimate).unwrap();
    let Kernel::Midrank(mk) = &d.kernel else {
        panic!("midrank kernel expected")
    };
    let z = mk.zones.as_ref().expect("zones for n = 100,000, k = 5");
    assert!(z.uncertain.len() < n / 4);
    // random multiplicities stay within the zones; dropping the lower half of the parents
    // moves every cut far outside them (the full-scan fallback)
    let median = {
        let mut s = p.clone();
        s.sort_by(f64::total_cmp);
        s[n / 2]
    };
    let random: Vec<u32> = lcg(77, n).iter().map(|&x| (x % 3) as u32).collect();
    let skewed: Vec<u32> = p.iter().map(|&x| u32::from(x >= median) * 2).collect();
    let mut large = random.clone();
    large[17] = 300; // multiplicities above 255 take the u32 buffer
    for m in [random, skewed, large] {
        let m = leak(m);
        let mut s = Scratch::new(&d);
        d.draw(Draw::Given(m), &mut s);
        d.count(&mut s);
        let wm = replicate_weights(m, None);
        let want = direct_table(&p, &c, Some(&wm), &spec);
        assert_eq!(s.table, want);
        let wm = replicate_weights(m, Some(&w));
        let want = direct_table(&p, &c, Some(&wm), &spec);
        let got = reestimated_table(&p, &c, Some(&w), &spec, Draw::Given(m));
        assert_eq!(got, want);
    }
}

#[test]
fn dense_cluster_ids() {
    let (d, g) = dense_ids(&["b", "a", "b", "c"]);
    assert_eq!(g, 3);
    assert_eq!(d[0], d[2]);
    let mut seen = d.clone();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen, vec![0, 1, 2]);
    // keyed on the ids, not their positions: numbered in sorted order
    assert_eq!(d, vec![1, 0, 1, 2]);
    let (e, _) = dense_ids(&["c", "b", "a", "b"]);
    assert_eq!((e[0], e[1], e[2]), (d[3], d[0], d[1]));
    assert_eq!(dense_ids::<u8>(&[]), (vec![], 0));
    let keys: Vec<u64> = [-2.5, -0.0, 0.0, 1e-300, 3.0]
        .iter()
        .map(|&x| numeric_cluster_key(x))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(keys[1], keys[2]);
}
