//! Comparisons: homogeneity tests (hand-computed example, size under H0, power, giddy's
//! `kullback` bug not copied), joint homogeneity, Altham's distance with a bootstrap interval,
//! and bootstrap differences between groups.

mod common;

use common::samples::gaussian_pairs;
use mobility::inference::{
    Bootstrap, Group, Selection, altham_bootstrap, bootstrap_difference, homogeneity,
    joint_homogeneity,
};
use mobility::measures::altham_distance;
use mobility::{ClassSpec, MobilityError};
use ndarray::{Array2, array};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use statrs::distribution::{ChiSquared, ContinuousCDF};

#[test]
fn hand_computed_example() {
    // Two groups, 2 x 2. Row 1: [[30, 10], [20, 20]], pooled [50, 30] of 80; expected group A
    // 40 * 50/80 = 25 and 15, group B 25 and 15: X^2 = 25/25 + 25/15 + 25/25 + 25/15 = 16/3.
    // Row 2: [[5, 15], [10, 30]], pooled [15, 45] of 60: expected A 5, 15 (exact), B 10, 30: 0.
    let a = array![[30.0, 10.0], [5.0, 15.0]];
    let b = array![[20.0, 20.0], [10.0, 30.0]];
    let t = homogeneity(&[a.view(), b.view()]).unwrap();
    assert!((t.chi_square.statistic - 16.0 / 3.0).abs() < 1e-12);
    assert_eq!(t.chi_square.df, 2);
    let g1 = 2.0
        * (30.0 * (30.0f64 / 25.0).ln()
            + 10.0 * (10.0f64 / 15.0).ln()
            + 20.0 * (20.0f64 / 25.0).ln()
            + 20.0 * (20.0f64 / 15.0).ln());
    assert!((t.likelihood_ratio.statistic - g1).abs() < 1e-12);
    assert!(t.rows[1].chi_square.abs() < 1e-12 && t.rows[1].likelihood_ratio.abs() < 1e-12);
    assert_eq!((t.rows[0].df, t.rows[1].df), (1, 1));
    let chi2 = ChiSquared::new(2.0).unwrap();
    assert!((t.chi_square.p_value - chi2.sf(16.0 / 3.0)).abs() < 1e-12);
    // three groups: df = (3 - 1)(2 - 1) per row
    let t3 = homogeneity(&[a.view(), b.view(), a.view()]).unwrap();
    assert_eq!(t3.chi_square.df, 4);
    assert_eq!(t3.groups, 3);
}

#[test]
fn origin_totals_not_destination_totals() {
    // docs/FORMULAS.md#homogeneity: giddy's `kullback` uses destination totals where origin totals belong and
    // rejects a true null. Same P, very different origin margins: our statistic is exactly 0.
    let p = array![[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.2, 0.7]];
    let table = |rows: [f64; 3]| Array2::from_shape_fn((3, 3), |(i, j)| rows[i] * p[[i, j]]);
    let a = table([1000.0, 100.0, 100.0]);
    let b = table([100.0, 100.0, 1000.0]);
    let t = homogeneity(&[a.view(), b.view()]).unwrap();
    assert!(t.chi_square.statistic < 1e-9 && t.likelihood_ratio.statistic < 1e-9);
    assert!(t.chi_square.p_value > 0.999);
    // the destination-total version of the expected counts would see a large difference
    let dest = |t: &Array2<f64>| t.sum_axis(ndarray::Axis(0));
    let (da, db) = (dest(&a), dest(&b));
    let pooled = &da + &db;
    let mut wrong = 0.0;
    for (d, total) in [(&da, da.sum()), (&db, db.sum())] {
        for j in 0..3 {
            let e = total * pooled[j] / pooled.sum();
            wrong += (d[j] - e).powi(2) / e;
        }
    }
    assert!(wrong > 100.0);
    // while the joint tables differ (different origin margins): the joint test rejects
    let j = joint_homogeneity(&[a.view(), b.view()]).unwrap();
    assert!(j.chi_square.p_value < 1e-10);
    assert_eq!(j.chi_square.df, 8);
}

/// Counts from `p` with row totals `rows` (a multinomial per row, by conditional binomials).
fn draw(p: &Array2<f64>, rows: &[u64], rng: &mut ChaCha8Rng) -> Array2<f64> {
    let k = p.nrows();
    let mut t = Array2::zeros((k, k));
    for i in 0..k {
        let (mut left, mut mass) = (rows[i], 1.0);
        for j in 0..k {
            let x = if j + 1 == k || left == 0 {
                left
            } else {
                Binomial::new(left, (p[[i, j]] / mass).clamp(0.0, 1.0))
                    .unwrap()
                    .sample(rng)
            };
            t[[i, j]] = x as f64;
            left -= x;
            mass -= p[[i, j]];
        }
    }
    t
}

#[test]
fn size_under_the_null_and_power() {
    let p = array![[0.5, 0.3, 0.2], [0.25, 0.45, 0.3], [0.15, 0.3, 0.55]];
    let q = array![[0.35, 0.35, 0.3], [0.25, 0.45, 0.3], [0.15, 0.3, 0.55]];
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let sims = 2000;
    let (mut chi, mut g, mut power) = (0, 0, 0);
    for _ in 0..sims {
        // asymmetric origin margins in the two groups
        let a = draw(&p, &[300, 150, 100], &mut rng);
        let b = draw(&p, &[100, 150, 300], &mut rng);
        let t = homogeneity(&[a.view(), b.view()]).unwrap();
        chi += usize::from(t.chi_square.p_value < 0.05);
        g += usize::from(t.likelihood_ratio.p_value < 0.05);
        let c = draw(&q, &[300, 150, 100], &mut rng);
        let b = draw(&p, &[300, 150, 100], &mut rng);
        power += usize::from(
            homogeneity(&[c.view(), b.view()])
                .unwrap()
                .chi_square
                .p_value
                < 0.05,
        );
    }
    let rate = |x: usize| x as f64 / sims as f64;
    println!(
        "size at 5%: chi-square {}, G {}; power {}",
        rate(chi),
        rate(g),
        rate(power)
    );
    assert!(
        (0.03..=0.07).contains(&rate(chi)),
        "chi-square size {}",
        rate(chi)
    );
    assert!((0.03..=0.07).contains(&rate(g)), "G size {}", rate(g));
    assert!(rate(power) > 0.8, "power {}", rate(power));
}

#[test]
fn altham_distance_with_an_interval() {
    let a = array![[60.0, 30.0, 10.0], [30.0, 45.0, 25.0], [10.0, 25.0, 65.0]];
    let b = array![[45.0, 35.0, 20.0], [30.0, 40.0, 30.0], [25.0, 25.0, 50.0]];
    let r = altham_bootstrap(a.view(), b.view(), 400, 7, 0.9).unwrap();
    assert_eq!(r.distance, altham_distance(&a, &b).unwrap());
    let i = r.interval.unwrap();
    assert!(i.low < r.distance && r.distance < i.high);
    assert!(r.se.unwrap() > 0.0);
    assert_eq!(r.replicates.len() + r.undefined_replicates, 400);
    assert_eq!(
        r,
        altham_bootstrap(a.view(), b.view(), 400, 7, 0.9).unwrap()
    );
    // small counts: some replicates hit a zero cell and are counted
    let s = array![[3.0, 1.0], [1.0, 3.0]];
    let r = altham_bootstrap(s.view(), s.view(), 300, 1, 0.95).unwrap();
    assert!(r.undefined_replicates > 0);
    assert!(r.replicates.iter().all(|x| x.is_finite()));
    // a zero cell in the data itself is an error
    let z = array![[0.0, 1.0], [1.0, 3.0]];
    assert!(altham_bootstrap(z.view(), s.view(), 10, 1, 0.95).is_err());
}

#[test]
fn bootstrap_difference_between_groups() {
    let (pa, ca) = gaussian_pairs(4000, 0.6, 1, 0);
    let (pb, cb) = gaussian_pairs(4000, 0.6, 1, 1);
    let (pc, cc) = gaussian_pairs(4000, 0.2, 1, 2);
    let sel = Selection::Names(vec!["shorrocks_trace".into(), "bottom_persistence".into()]);
    let boot = Bootstrap::new(300).seed(4).statistics(sel);
    let spec = ClassSpec::quantiles(5);
    let same =
        bootstrap_difference(&boot, &Group::new(&pa, &ca), &Group::new(&pb, &cb), &spec).unwrap();
    let differ =
        bootstrap_difference(&boot, &Group::new(&pa, &ca), &Group::new(&pc, &cc), &spec).unwrap();
    for name in ["shorrocks_trace", "bottom_persistence"] {
        let d = same.get(name).unwrap();
        let (a, b) = (same.a.get(name).unwrap(), same.b.get(name).unwrap());
        assert_eq!(d.estimate, Some(a.estimate.unwrap() - b.estimate.unwrap()));
        assert_eq!(d.replicates[7], a.replicates[7] - b.replicates[7]);
        // independent groups: var(d) = var(a) + var(b), roughly
        let want = (a.se.unwrap().powi(2) + b.se.unwrap().powi(2)).sqrt();
        assert!((d.se.unwrap() / want - 1.0).abs() < 0.15);
        assert!(
            d.ci_low.unwrap() < 0.0 && 0.0 < d.ci_high.unwrap(),
            "{name}"
        );
        let d = differ.get(name).unwrap();
        assert!(
            d.ci_high.unwrap() < 0.0 || d.ci_low.unwrap() > 0.0,
            "{name}"
        );
    }
    // group B's draws are independent of group A's (other streams)
    let twin =
        bootstrap_difference(&boot, &Group::new(&pa, &ca), &Group::new(&pa, &ca), &spec).unwrap();
    assert_ne!(
        twin.a.replicates("shorrocks_trace"),
        twin.b.replicates("shorrocks_trace")
    );
    // clusters go with each group, not on the builder
    let ids: Vec<u64> = (0..4000).map(|i| i / 2).collect();
    let mut ga = Group::new(&pa, &ca);
    ga.clusters = Some(&ids);
    assert!(bootstrap_difference(&boot, &ga, &Group::new(&pb, &cb), &spec).is_ok());
    assert!(matches!(
        bootstrap_difference(
            &boot.clone().clusters(&ids),
            &Group::new(&pa, &ca),
            &Group::new(&pb, &cb),
            &spec
        ),
        Err(MobilityError::InvalidParameter { .. })
    ));
}

#[test]
fn errors_are_typed() {
    let a = array![[1.0, 2.0], [3.0, 4.0]];
    let big = Array2::<f64>::ones((3, 3));
    assert!(matches!(
        homogeneity(&[a.view()]),
        Err(MobilityError::InvalidParameter { .. })
    ));
    assert!(matches!(
        homogeneity(&[a.view(), big.view()]),
        Err(MobilityError::Incompatible { .. })
    ));
    let neg = array![[1.0, -2.0], [3.0, 4.0]];
    assert!(matches!(
        homogeneity(&[a.view(), neg.view()]),
        Err(MobilityError::InvalidEntry { row: 1, col: 2, .. })
    ));
    let rect = Array2::<f64>::ones((2, 3));
    assert!(matches!(
        homogeneity(&[rect.view(), rect.view()]),
        Err(MobilityError::NotSquare { .. })
    ));
    let zero = Array2::<f64>::zeros((2, 2));
    assert!(matches!(
        homogeneity(&[a.view(), zero.view()]),
        Err(MobilityError::ZeroTotalWeight { .. })
    ));
    // no row observed in both groups: 0 degrees of freedom
    let top = array![[0.0, 0.0], [3.0, 4.0]];
    let bottom = array![[1.0, 2.0], [0.0, 0.0]];
    assert!(matches!(
        homogeneity(&[top.view(), bottom.view()]),
        Err(MobilityError::Undefined { .. })
    ));
    assert!(altham_bootstrap(a.view(), a.view(), 1, 0, 0.95).is_err());
    assert!(altham_bootstrap(a.view(), a.view(), 10, 0, 1.5).is_err());
}
