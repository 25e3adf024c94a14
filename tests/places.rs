//! Groups and places: the structural/exchange split, levelling up, the per-group table against
//! national cut-offs, and the report over published place matrices.

mod common;

use approx::assert_abs_diff_eq;
use mobility::io::place_matrices::read_place_matrices;
use mobility::places::groups::{GroupOptions, GroupTable, by_group};
use mobility::places::report::{MobilityScore, PlaceTable, PlacesOptions, places_report};
use mobility::rank::fractional_ranks;
use mobility::rankbased::{RankBasis, rank_mobility, rank_mobility_national};
use mobility::{ClassSpec, MobilityError, TransitionMatrix, Weighting};
use ndarray::{Array2, array};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use common::pool::in_pool;

/// Pairs in three regions with different levels: region 0 poorer, region 2 richer, and region 1
/// moving up between the generations.
fn regional_sample(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut parent, mut child, mut region) = (vec![], vec![], vec![]);
    for u in 0..n {
        let g = (u % 3) as u32;
        let (lp, lc) = match g {
            0 => (-0.3, -0.3),
            1 => (-0.2, 0.2),
            _ => (0.4, 0.3),
        };
        let a: f64 = StandardNormal.sample(&mut rng);
        let b: f64 = StandardNormal.sample(&mut rng);
        parent.push((10.0 + lp + 0.6 * a).exp());
        child.push((10.0 + lc + 0.6 * (0.5 * a + 0.866 * b)).exp());
        region.push(g);
    }
    (parent, child, region)
}

fn subset(v: &[f64], region: &[u32], g: u32) -> Vec<f64> {
    v.iter()
        .zip(region)
        .filter(|(_, r)| **r == g)
        .map(|(x, _)| *x)
        .collect()
}

#[test]
fn decomposition_closed_forms() {
    // Quantile classes of the data itself: shares equal, all mobility is exchange.
    let parent: Vec<f64> = (0..100).map(f64::from).collect();
    let child: Vec<f64> = (0..100).map(|i| f64::from((i * 37) % 100)).collect();
    let tm =
        TransitionMatrix::from_status(&parent, &child, None, &ClassSpec::quantiles(5)).unwrap();
    let d = tm.decompose();
    assert_abs_diff_eq!(d.structural, 0.0, epsilon = 1e-15);
    assert_abs_diff_eq!(d.exchange, d.total, epsilon = 1e-15);
    let m = tm.measures(&Weighting::ParentShares).unwrap();
    assert_abs_diff_eq!(d.total, 1.0 - m.immobility_ratio.unwrap(), epsilon = 1e-15);
    // A hand example: joint table /100.
    let tm = TransitionMatrix::from_counts(
        array![[10.0, 20.0, 10.0], [0.0, 20.0, 10.0], [0.0, 5.0, 25.0]].view(),
    )
    .unwrap();
    let d = tm.decompose();
    // T = 1 - 0.55; rows (0.4, 0.3, 0.3), columns (0.1, 0.45, 0.45): S = (0.3 + 0.15 + 0.15)/2
    assert_abs_diff_eq!(d.total, 0.45, epsilon = 1e-15);
    assert_abs_diff_eq!(d.structural, 0.3, epsilon = 1e-15);
    assert_abs_diff_eq!(d.exchange, 0.15, epsilon = 1e-15);
    // Identity: no mobility at all.
    let id = TransitionMatrix::from_counts(Array2::<f64>::eye(4).view()).unwrap();
    let d = id.decompose();
    assert_eq!((d.total, d.structural, d.exchange), (0.0, 0.0, 0.0));
    // A published national table with uniform shares: S = 0 up to the table's own noise (its
    // columns, aggregated from percentiles, sum to 1/5 within 1e-5).
    let us = mobility::published::us_chetty_2014_quintiles();
    let d = us.decompose();
    assert!(d.structural < 2e-5, "{}", d.structural);
}

#[test]
fn levelling_hand_example() {
    let tm = TransitionMatrix::from_counts(
        array![[10.0, 20.0, 10.0], [0.0, 20.0, 10.0], [0.0, 5.0, 25.0]].view(),
    )
    .unwrap();
    let l = tm.levelling();
    assert_eq!(l.k, 3);
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-15);
    assert!(close(&l.parent_shares, &[0.4, 0.3, 0.3]));
    assert!(close(&l.child_shares, &[0.1, 0.45, 0.45]));
    // mean classes 1.9 and 2.35
    assert_abs_diff_eq!(l.mean_parent_class, 1.9, epsilon = 1e-15);
    assert_abs_diff_eq!(l.mean_child_class, 2.35, epsilon = 1e-15);
    assert_abs_diff_eq!(l.levelling_up, 0.45, epsilon = 1e-15);
    assert_abs_diff_eq!(l.bottom_share_change, 0.3, epsilon = 1e-15);
    assert_abs_diff_eq!(l.top_share_change, 0.15, epsilon = 1e-15);
    assert_abs_diff_eq!(l.upward_share, 0.4, epsilon = 1e-15);
    assert_abs_diff_eq!(l.downward_share, 0.05, epsilon = 1e-15);
    assert_eq!(l.mean_fall_classes, Some(1.0));
    // k = 3: the middle class is 2; P(top | bottom) = 0.25, P(top | middle) = 1/3
    assert_eq!(l.top_access.middle_class, 2);
    assert_abs_diff_eq!(l.top_access.bottom_to_top.unwrap(), 0.25, epsilon = 1e-15);
    assert_abs_diff_eq!(l.top_access.ratio.unwrap(), 0.75, epsilon = 1e-15);
    // falls of two classes count twice
    let tm = TransitionMatrix::from_counts(
        array![[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [2.0, 1.0, 1.0]].view(),
    )
    .unwrap();
    assert_abs_diff_eq!(
        tm.levelling().mean_fall_classes.unwrap(),
        1.5,
        epsilon = 1e-15
    );
    // middle classes: ceil(k / 2)
    for (k, m) in [(2, 1), (4, 2), (5, 3), (10, 5)] {
        let tm = TransitionMatrix::from_counts(Array2::<f64>::ones((k, k)).view()).unwrap();
        assert_eq!(tm.levelling().top_access.middle_class, m);
        // two classes have no middle to compare the bottom with
        let want = if k >= 3 { Some(1.0) } else { None };
        assert_eq!(tm.levelling().top_access.ratio, want);
    }
    // an empty bottom row: access undefined
    let tm = TransitionMatrix::from_counts(array![[0.0, 0.0], [1.0, 1.0]].view()).unwrap();
    assert_eq!(tm.levelling().top_access.bottom_to_top, None);
    assert_eq!(tm.levelling().top_access.ratio, None);
}

#[test]
fn groups_against_national_cutoffs_agree_with_the_core() {
    let (parent, child, region) = regional_sample(3000, 1);
    let t = by_group(&parent, &child, None, &region, &GroupOptions::new(5)).unwrap();
    assert_eq!(t.basis, RankBasis::National);
    assert_eq!(t.rows.len(), 3);
    assert_eq!(
        t.rows.iter().map(|r| r.group).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert_eq!(t.rows.iter().map(|r| r.units).sum::<usize>(), 3000);
    assert_abs_diff_eq!(
        t.rows.iter().map(|r| r.population_share).sum::<f64>(),
        1.0,
        epsilon = 1e-12
    );
    // the national matrix is the whole sample's own quintile matrix
    let national =
        TransitionMatrix::from_status(&parent, &child, None, &ClassSpec::quantiles(5)).unwrap();
    assert_eq!(t.national.counts(), national.counts());
    let spec = ClassSpec::reference(&parent, &child, None, 5, mobility::Rule::Midrank).unwrap();
    let rp = fractional_ranks(&parent, None).unwrap();
    let rc = fractional_ranks(&child, None).unwrap();
    for row in &t.rows {
        let (gp, gc) = (
            subset(&parent, &region, row.group),
            subset(&child, &region, row.group),
        );
        let direct = TransitionMatrix::from_status(&gp, &gc, None, &spec).unwrap();
        assert_eq!(row.matrix.counts(), direct.counts());
        assert_eq!(row.matrix.probabilities(), direct.probabilities());
        assert_eq!(row.levelling, direct.levelling());
        assert_eq!(
            row.measures,
            direct.measures(&Weighting::ParentShares).unwrap()
        );
        let rank = rank_mobility_national(
            &gp,
            &gc,
            None,
            &subset(&rp, &region, row.group),
            &subset(&rc, &region, row.group),
        )
        .unwrap();
        assert_eq!(row.rank.as_ref().unwrap(), &rank);
    }
    // the poorer region 0 sits low, the rising region 1 levels up, the richer region 2 high
    let (r0, r1, r2) = (&t.rows[0], &t.rows[1], &t.rows[2]);
    assert!(r0.levelling.parent_shares[0] > 0.2 && r2.levelling.parent_shares[4] > 0.2);
    assert!(
        r1.levelling.levelling_up > 0.3,
        "{}",
        r1.levelling.levelling_up
    );
    assert!(r1.levelling.decomposition.structural > 0.1);
    assert!(
        r0.rank.as_ref().unwrap().absolute_upward_mobility
            < r1.rank.as_ref().unwrap().absolute_upward_mobility
    );
}

#[test]
fn groups_with_local_ranks() {
    let (parent, child, region) = regional_sample(1500, 2);
    let labels: Vec<String> = region.iter().map(|g| format!("region-{g}")).collect();
    let opts = GroupOptions {
        basis: RankBasis::Local,
        ..GroupOptions::new(4)
    };
    let t = by_group(&parent, &child, None, &labels, &opts).unwrap();
    for (g, row) in t.rows.iter().enumerate() {
        assert_eq!(row.group, format!("region-{g}"));
        let (gp, gc) = (
            subset(&parent, &region, g as u32),
            subset(&child, &region, g as u32),
        );
        let local =
            TransitionMatrix::from_status(&gp, &gc, None, &ClassSpec::quantiles(4)).unwrap();
        assert_eq!(row.matrix, local);
        // local classes: shares 1/4, no structural mobility in the local matrix
        assert!(row.matrix.decompose().structural < 1e-12);
        assert_eq!(
            row.rank.as_ref().unwrap(),
            &rank_mobility(&gp, &gc, None).unwrap()
        );
        // levelling is still against national classes
        let spec = ClassSpec::reference(&parent, &child, None, 4, mobility::Rule::Midrank).unwrap();
        let nat = TransitionMatrix::from_status(&gp, &gc, None, &spec).unwrap();
        assert_eq!(row.levelling, nat.levelling());
    }
}

#[test]
fn downward_fall_hand_example() {
    // 8 units, k = 2, national medians: parents 4.5, children 45.
    let parent = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    let child = [50.0, 60.0, 10.0, 20.0, 70.0, 30.0, 80.0, 40.0];
    let group = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];
    let t = by_group(&parent, &child, None, &group, &GroupOptions::new(2)).unwrap();
    assert_eq!(t.national_parent_median, 4.5);
    assert_eq!(t.national_child_median, 45.0);
    let a = &t.rows[0];
    let b = &t.rows[1];
    // group a: all parents in the bottom half; nobody can fall
    assert_eq!(a.fall.share, 0.0);
    assert_eq!(a.fall.mean_fall_rank_points, None);
    // group b: parents 6 and 8 (top half) have children 30 and 40 (bottom half): they fall
    assert_eq!(b.fall.share, 0.5);
    // national ranks: parent 6 -> 0.6875, 8 -> 0.9375; child 30 -> 0.3125, 40 -> 0.4375
    assert_abs_diff_eq!(
        b.fall.mean_fall_rank_points.unwrap(),
        100.0 * ((0.6875 - 0.3125) + (0.9375 - 0.4375)) / 2.0,
        epsilon = 1e-12
    );
    assert_abs_diff_eq!(
        b.fall.mean_fall_median_multiples.unwrap(),
        ((6.0 / 4.5 - 30.0 / 45.0) + (8.0 / 4.5 - 40.0 / 45.0)) / 2.0,
        epsilon = 1e-12
    );
    assert_eq!(b.fall.mean_fall_classes, Some(1.0));
    assert_eq!(b.levelling.mean_fall_classes, Some(1.0));
}

/// [`by_group`] with every row in the one group 0 and two classes.
fn one_group(parent: &[f64], child: &[f64], weights: Option<&[f64]>) -> GroupTable<i32> {
    let group = vec![0; parent.len()];
    by_group(parent, child, weights, &group, &GroupOptions::new(2)).unwrap()
}

#[test]
fn national_medians() {
    // odd count: the middle value; weights: the value where half the weight is reached
    let t = one_group(&[1.0, 9.0, 5.0], &[2.0, 4.0, 6.0], None);
    assert_eq!(
        (t.national_parent_median, t.national_child_median),
        (5.0, 4.0)
    );
    let w = [1.0, 3.0, 1.0];
    let t = one_group(&[1.0, 9.0, 5.0], &[2.0, 4.0, 6.0], Some(&w));
    assert_eq!(
        (t.national_parent_median, t.national_child_median),
        (9.0, 4.0)
    );
    // exactly half the weight at or below 2: midpoint with the next value
    let w = [1.0, 1.0, 2.0];
    let t = one_group(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], Some(&w));
    assert_eq!(t.national_parent_median, 2.5);
}

#[test]
fn zero_weight_groups_are_listed() {
    let parent = [1.0, 2.0, 3.0, 4.0, 5.0];
    let child = [1.0, 3.0, 2.0, 5.0, 4.0];
    let group = [1u8, 1, 2, 2, 3];
    let w = [1.0, 1.0, 1.0, 1.0, 0.0];
    let t = by_group(&parent, &child, Some(&w), &group, &GroupOptions::new(2)).unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.empty_groups, vec![3u8]);
}

#[test]
fn group_errors() {
    let p = [1.0, 2.0, 3.0];
    assert!(matches!(
        by_group(&p, &p, None, &[1, 2], &GroupOptions::new(2)),
        Err(MobilityError::LengthMismatch { .. })
    ));
    assert!(matches!(
        by_group(&p, &p, None, &[1, 2, 3], &GroupOptions::new(1)),
        Err(MobilityError::TooFewClasses { .. })
    ));
    assert!(matches!(
        by_group(
            &p,
            &[1.0, f64::NAN, 2.0],
            None,
            &[1, 2, 3],
            &GroupOptions::new(2)
        ),
        Err(MobilityError::NonFinite { .. })
    ));
    let weighted_giddy = GroupOptions {
        rule: mobility::Rule::Giddy,
        ..GroupOptions::new(2)
    };
    assert!(matches!(
        by_group(&p, &p, Some(&[1.0, 1.0, 1.0]), &[1, 2, 3], &weighted_giddy),
        Err(MobilityError::InvalidParameter { .. })
    ));
    let empty: [f64; 0] = [];
    let no_groups: [u8; 0] = [];
    assert!(by_group(&empty, &empty, None, &no_groups, &GroupOptions::new(2)).is_err());
    // a group whose parents are all tied: its rank measures are undefined, the row stays
    let t = by_group(
        &[1.0, 1.0, 2.0, 3.0],
        &[1.0, 2.0, 3.0, 4.0],
        None,
        &["x", "x", "y", "y"],
        &GroupOptions::new(2),
    )
    .unwrap();
    assert_eq!(t.rows[0].rank, None);
    assert!(t.rows[1].rank.is_some());
}

#[test]
fn groups_same_for_one_and_two_threads() {
    let (parent, child, region) = regional_sample(90_000, 3);
    let w: Vec<f64> = (0..parent.len()).map(|i| 1.0 + (i % 5) as f64).collect();
    let run = |threads: usize| {
        in_pool(threads, || {
            by_group(&parent, &child, Some(&w), &region, &GroupOptions::new(5)).unwrap()
        })
    };
    assert_eq!(run(1), run(2));
}

proptest! {
    #[test]
    fn weight_two_equals_duplicated_unit_in_groups(seed in 0u64..500, dup in 0usize..60) {
        let (parent, child, region) = regional_sample(60, seed);
        let i = dup % 60;
        let mut w = vec![1.0; 60];
        w[i] = 2.0;
        let a = by_group(&parent, &child, Some(&w), &region, &GroupOptions::new(3)).unwrap();
        let (mut p2, mut c2, mut r2) = (parent.clone(), child.clone(), region.clone());
        p2.push(parent[i]);
        c2.push(child[i]);
        r2.push(region[i]);
        let b = by_group(&p2, &c2, None, &r2, &GroupOptions::new(3)).unwrap();
        for (x, y) in a.rows.iter().zip(&b.rows) {
            prop_assert_eq!(&x.matrix.counts(), &y.matrix.counts());
            prop_assert!((x.weight - y.weight).abs() < 1e-12);
            prop_assert!((x.levelling.levelling_up - y.levelling.levelling_up).abs() < 1e-12);
            prop_assert!((x.fall.share - y.fall.share).abs() < 1e-12);
            match (x.fall.mean_fall_rank_points, y.fall.mean_fall_rank_points) {
                (Some(p), Some(q)) => prop_assert!((p - q).abs() < 1e-9),
                (p, q) => prop_assert_eq!(p, q),
            }
        }
    }

    #[test]
    fn decomposition_bounds(cells in prop::collection::vec(0u8..20, 16)) {
        let counts = Array2::from_shape_vec((4, 4), cells.into_iter().map(f64::from).collect()).unwrap();
        prop_assume!(counts.sum() > 0.0);
        let tm = TransitionMatrix::from_counts(counts.view()).unwrap();
        let d = tm.decompose();
        prop_assert!(d.structural >= 0.0 && d.exchange >= -1e-15 && d.total <= 1.0 + 1e-15);
        prop_assert!((d.total - d.structural - d.exchange).abs() < 1e-15);
        let l = tm.levelling();
        prop_assert!((l.upward_share + l.downward_share - d.total).abs() < 1e-12);
        // mean class shift = sum over flows of (j - i) f_ij
        let f = tm.joint();
        let shift: f64 = f.indexed_iter().map(|((i, j), v)| (j as f64 - i as f64) * v).sum();
        prop_assert!((l.levelling_up - shift).abs() < 1e-12);
    }
}

fn place(id: &str, p: Array2<f64>, shares: Vec<f64>) -> PlaceTable {
    PlaceTable {
        id: id.into(),
        name: format!("Place {id}"),
        region: "XX".into(),
        size: Some(100.0),
        probabilities: Some(p),
        parent_shares: Some(shares),
        child_shares: None,
    }
}

#[test]
fn places_report_cleans_ranks_and_contrasts() {
    let mobile_sinking = array![[0.5, 0.5], [0.5, 0.5]];
    let places = vec![
        // levels up (children richer than parents), immobile at the bottom
        place("1", array![[0.95, 0.05], [0.0, 1.0]], vec![0.3, 0.7]),
        // mobile, but the place sinks: parents mostly top, children half and half
        place("2", mobile_sinking.clone(), vec![0.1, 0.9]),
        // a row off by 1e-4: rescaled and counted
        place("3", array![[0.8, 0.2001], [0.3, 0.7]], vec![0.5, 0.5]),
        // a row off by 0.05: excluded
        place("4", array![[0.8, 0.25], [0.3, 0.7]], vec![0.5, 0.5]),
        // suppressed
        PlaceTable {
            probabilities: None,
            ..place("5", mobile_sinking.clone(), vec![0.5, 0.5])
        },
        // shares missing
        PlaceTable {
            parent_shares: None,
            ..place("6", mobile_sinking.clone(), vec![0.5, 0.5])
        },
        // neutral
        place("7", array![[0.7, 0.3], [0.3, 0.7]], vec![0.5, 0.5]),
        place("8", array![[0.75, 0.25], [0.25, 0.75]], vec![0.5, 0.5]),
    ];
    let r = places_report(&places, &PlacesOptions::default()).unwrap();
    assert_eq!(r.k, 2);
    assert_eq!(
        r.places.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        vec!["1", "2", "3", "7", "8"]
    );
    assert_eq!(
        r.excluded.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        vec!["4", "5", "6"]
    );
    assert!(
        r.excluded[0].reason.contains("row 1"),
        "{}",
        r.excluded[0].reason
    );
    assert!(r.excluded[1].reason.contains("suppressed"));
    assert!(r.excluded[2].reason.contains("shares"));
    assert_eq!(r.rows_renormalised, 1);
    assert_eq!(r.places_renormalised, 1);
    assert_abs_diff_eq!(r.max_row_deviation, 1e-4, epsilon = 1e-12);
    let p3 = &r.places[2];
    assert_abs_diff_eq!(
        p3.measures.bottom_to_top.unwrap(),
        0.2001 / 1.0001,
        epsilon = 1e-15
    );
    // place 1 levels up most, place 2 is the most mobile from the bottom
    let by_id = |id: &str| r.places.iter().find(|p| p.id == id).unwrap();
    assert_eq!(by_id("1").levelling_rank, 1);
    assert_eq!(by_id("2").mobility_rank, 1);
    assert_eq!(by_id("2").levelling_rank, 5);
    assert_eq!(by_id("1").mobility_rank, 5);
    assert_eq!(r.by_levelling()[0].id, "1");
    assert_eq!(r.by_mobility()[0].id, "2");
    // 5 ranked places, fraction 0.2 -> the top 1 and the bottom 1
    assert_eq!(r.levelling_not_mobility.len(), 1);
    assert_eq!(r.levelling_not_mobility[0].id, "1");
    assert_eq!(r.mobility_not_levelling[0].id, "2");
    // levelling scores: place 1: child shares (0.285, 0.715): 1.715 - 1.7
    assert_abs_diff_eq!(by_id("1").levelling_score, 0.015, epsilon = 1e-12);
    // rank ties keep file order: places 7 and 8 both have levelling 0
    assert!(by_id("7").levelling_rank < by_id("8").levelling_rank);
    assert!(r.score_correlation.is_some());
    // JSON round trip (serde_json may move the last bit of a float)
    let json = serde_json::to_string(&r).unwrap();
    let back: mobility::places::report::PlacesReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.excluded, r.excluded);
    assert_eq!(back.levelling_not_mobility, r.levelling_not_mobility);
    for (a, b) in back.places.iter().zip(&r.places) {
        assert_eq!(
            (a.levelling_rank, a.mobility_rank),
            (b.levelling_rank, b.mobility_rank)
        );
        assert_abs_diff_eq!(a.levelling_score, b.levelling_score, epsilon = 1e-15);
    }
    let v = serde_json::to_value(&r).unwrap();
    assert!(v["places"][0]["levelling"]["decomposition"]["structural"].is_number());
    assert_eq!(v["options"]["mobility_score"], "bottom_to_top");
}

#[test]
fn places_report_other_scores_and_errors() {
    let places = vec![
        place(
            "a",
            array![[0.6, 0.3, 0.1], [0.3, 0.4, 0.3], [0.1, 0.3, 0.6]],
            vec![0.3, 0.4, 0.3],
        ),
        // P(top | middle) = 0: the ratio is undefined, the place is excluded on that axis
        place(
            "b",
            array![[0.6, 0.3, 0.1], [0.5, 0.5, 0.0], [0.1, 0.3, 0.6]],
            vec![0.3, 0.4, 0.3],
        ),
    ];
    let opts = PlacesOptions {
        mobility_score: MobilityScore::TopAccessRatio,
        ..PlacesOptions::default()
    };
    let r = places_report(&places, &opts).unwrap();
    assert_eq!(r.places.len(), 1);
    assert_abs_diff_eq!(r.places[0].mobility_score, 1.0 / 3.0, epsilon = 1e-15);
    assert!(r.excluded[0].reason.contains("top_access_ratio"));
    for s in [
        "bottom_to_top",
        "upward-from-bottom",
        "top_access_ratio",
        "shorrocks_trace",
    ] {
        assert!(s.parse::<MobilityScore>().is_ok());
    }
    assert!("trace".parse::<MobilityScore>().is_err());
    let bad = |o: PlacesOptions| places_report(&places, &o).unwrap_err();
    assert!(matches!(
        bad(PlacesOptions {
            contrast_fraction: 0.0,
            ..PlacesOptions::default()
        }),
        MobilityError::InvalidParameter { .. }
    ));
    assert!(matches!(
        bad(PlacesOptions {
            contrast_fraction: 0.6,
            ..PlacesOptions::default()
        }),
        MobilityError::InvalidParameter { .. }
    ));
    assert!(matches!(
        bad(PlacesOptions {
            row_tolerance: f64::NAN,
            ..PlacesOptions::default()
        }),
        MobilityError::InvalidParameter { .. }
    ));
    let mixed = vec![
        places[0].clone(),
        place("c", array![[0.5, 0.5], [0.5, 0.5]], vec![0.5, 0.5]),
    ];
    assert!(matches!(
        places_report(&mixed, &PlacesOptions::default()),
        Err(MobilityError::Incompatible { .. })
    ));
    assert!(matches!(
        places_report(&[], &PlacesOptions::default()),
        Err(MobilityError::EmptyInput { .. })
    ));
}

fn temp_csv(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("mobility-{}-{name}.csv", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn reads_the_chetty_table_6_layout() {
    let header = "cz,cz_name,state,n_children,p_par1_kid1,p_par1_kid2,p_par2_kid1,p_par2_kid2,\
                  frac_par_q1,frac_par_q2,frac_kid_q1,frac_kid_q2";
    let text = format!(
        "{header}\n100.0,Springfield,IL,500.0,0.6,0.4,0.3,0.7,0.5,0.5,0.45,0.55\n\
         200.0,Shelbyville,IL,,,,,,,,,\n"
    );
    let path = temp_csv("ok", &text);
    let places = read_place_matrices(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(places.len(), 2);
    assert_eq!(places[0].id, "100");
    assert_eq!(places[0].name, "Springfield");
    assert_eq!(places[0].region, "IL");
    assert_eq!(places[0].size, Some(500.0));
    assert_eq!(
        places[0].probabilities,
        Some(array![[0.6, 0.4], [0.3, 0.7]])
    );
    assert_eq!(places[0].parent_shares, Some(vec![0.5, 0.5]));
    assert_eq!(places[0].child_shares, Some(vec![0.45, 0.55]));
    assert_eq!(places[1].probabilities, None);
    assert_eq!(places[1].size, None);
    let r = places_report(&places, &PlacesOptions::default()).unwrap();
    assert_abs_diff_eq!(r.places[0].child_share_gap, 0.0, epsilon = 1e-15);

    let path = temp_csv(
        "bad-number",
        &format!("{header}\n1,A,B,1,0.6,x,0.3,0.7,0.5,0.5,0.5,0.5\n"),
    );
    let err = read_place_matrices(&path).unwrap_err();
    std::fs::remove_file(&path).ok();
    let msg = err.to_string();
    assert!(matches!(err, MobilityError::Input { .. }));
    assert!(
        msg.contains("line 2") && msg.contains("p_par1_kid2"),
        "{msg}"
    );

    let path = temp_csv("no-cells", "id,name\n1,A\n");
    assert!(matches!(
        read_place_matrices(&path),
        Err(MobilityError::Input { .. })
    ));
    std::fs::remove_file(&path).ok();
    let path = temp_csv(
        "missing-cell",
        "id,p_par1_kid1,p_par1_kid2,p_par2_kid1\n1,0.5,0.5,0.5\n",
    );
    let err = read_place_matrices(&path).unwrap_err();
    std::fs::remove_file(&path).ok();
    assert!(err.to_string().contains("p_par2_kid2"), "{err}");
    assert!(matches!(
        read_place_matrices("/nonexistent/mobility/places.csv"),
        Err(MobilityError::Input { .. })
    ));
}
