//! `Rule::Giddy` reproduces PySAL mapclassify `Quantiles` bit for bit (mapclassify 2.10.0,
//! numpy 2.4.6, scipy 1.17.1; the expected values below were printed by
//! `mapclassify.Quantiles(y, k).bins` and `.yb`, with `repr` so every digit is kept).

use mobility::{Rule, quantile::Cutoffs};

fn check(y: &[f64], k: usize, inner_bins: &[f64], yb: &[u32]) {
    let cuts = Cutoffs::quantiles(y, None, k, Rule::Giddy).unwrap();
    let got = cuts.values();
    assert_eq!(got.len(), inner_bins.len(), "y={y:?} k={k}");
    for (g, want) in got.iter().zip(inner_bins) {
        assert_eq!(
            g.to_bits(),
            want.to_bits(),
            "y={y:?} k={k}: cut {g} vs mapclassify {want}"
        );
    }
    let classes = cuts.classify(y).unwrap();
    let zero_based: Vec<u32> = classes.iter().map(|c| c - 1).collect();
    assert_eq!(zero_based, yb, "y={y:?} k={k}");
}

#[test]
fn sixteen_values_nine_classes_cut_below_five() {
    // The known case: mapclassify's third cut is 4.999999999999999, so 5 is in class 3 (0-based).
    let y: Vec<f64> = (0..16).map(f64::from).collect();
    check(
        &y,
        9,
        &[
            1.6666666666666665,
            3.333333333333333,
            4.999999999999999,
            6.666666666666666,
            8.333333333333334,
            10.000000000000002,
            11.666666666666664,
            13.333333333333332,
        ],
        &[0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 7, 8, 8],
    );
}

#[test]
fn small_tied_samples_match_mapclassify() {
    check(&[1.0, 2.0, 2.0, 2.0, 3.0], 2, &[2.0], &[0, 0, 0, 0, 1]);
    check(
        &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0],
        4,
        &[2.5, 4.0, 5.0],
        &[1, 0, 1, 0, 2, 3, 0, 3, 2, 1, 2],
    );
    check(
        &[5.0, 5.0, 1.0, 1.0, 1.0, 2.0, 9.0, 9.0],
        5,
        &[1.0, 1.8000000000000003, 5.0, 7.400000000000002],
        &[2, 2, 0, 0, 0, 2, 4, 4],
    );
    let tenths: Vec<f64> = (0..10).map(|i| f64::from(i) * 0.1).collect();
    check(
        &tenths,
        7,
        &[
            0.1285714285714286,
            0.25714285714285723,
            0.3857142857142858,
            0.5142857142857143,
            0.642857142857143,
            0.7714285714285716,
        ],
        &[0, 0, 1, 2, 3, 3, 4, 5, 6, 6],
    );
}

#[test]
fn hundred_values_seven_classes() {
    let y: Vec<f64> = (0..100).map(f64::from).collect();
    let cuts = Cutoffs::quantiles(&y, None, 7, Rule::Giddy)
        .unwrap()
        .values();
    let want: [f64; 6] = [
        14.142857142857144,
        28.28571428571429,
        42.42857142857143,
        56.57142857142858,
        70.71428571428572,
        84.85714285714286,
    ];
    assert_eq!(
        cuts.iter().map(|c| c.to_bits()).collect::<Vec<_>>(),
        want.iter().map(|c| c.to_bits()).collect::<Vec<_>>()
    );
}

#[test]
fn collapsed_cuts_keep_k_classes() {
    // mapclassify: bins [1.0, 7.0] (k shrinks to 2), yb [0, 0, 0, 0, 0, 1, 1, 1, 1, 1].
    // Here k = 3 is kept: the same two groups, in classes 1 and 2, and class 3 is empty.
    let y = [0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 7.0, 7.0, 7.0, 7.0];
    check(&y, 3, &[1.0, 7.0], &[0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
}

#[test]
fn interpolating_equal_values_can_land_an_ulp_below_them() {
    // y = 0.1 m - 0.3 for m in {1, 1, 2}: mapclassify's bins (k = 9, numpy.unique sorts them)
    // hold two different floats printed as -0.2: the data value -0.19999999999999998 and an
    // interpolation between two copies of it, -0.2. The cuts come out sorted.
    let y = [0.1 - 0.3, 0.1 - 0.3, 0.2 - 0.3];
    assert_eq!(y[0], -0.19999999999999998);
    let cuts = Cutoffs::quantiles(&y, None, 9, Rule::Giddy).unwrap();
    let v = cuts.values();
    assert!(v.windows(2).all(|w| w[0] <= w[1]), "{v:?}");
    assert!(
        v.contains(&-0.2) && v.contains(&-0.19999999999999998),
        "{v:?}"
    );
    // mapclassify's yb: [1, 1, 6] (one bin, -0.2, lies below the data value -0.19999999999999998)
    let below = |x: f64| {
        let mut d: Vec<f64> = v.iter().copied().filter(|&c| c < x).collect();
        d.dedup();
        d.len()
    };
    assert_eq!(y.map(below), [1, 1, 6]);
}
