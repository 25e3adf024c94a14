//! Published figures, typed in with their citations (../shared/reference/vectors.json), checked
//! to 1e-9 where the source gives full precision.

use approx::assert_abs_diff_eq;
use mobility::measures::{self, Weighting};
use mobility::{TransitionCounts, TransitionMatrix, published};

const TOL: f64 = 1e-9;

fn m(tm: &TransitionMatrix, w: Weighting) -> mobility::Measures {
    tm.measures(&w).unwrap()
}

/// PySAL giddy documentation and tests: US state per-capita income quintiles, one-year
/// transitions pooled over 1929-2009 (usjoin.csv). Figures printed by giddy.
#[test]
fn giddy_us_states_quintiles() {
    let tm = published::giddy_us_states_quintiles();
    let p = &tm.probabilities();
    let u = m(&tm, Weighting::Uniform);
    assert_abs_diff_eq!(
        u.shorrocks_trace.unwrap(),
        0.19758992000997844,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        u.determinant_giddy.unwrap(),
        0.6068485462369559,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        u.second_eigenvalue.unwrap(),
        0.03978200230815965,
        epsilon = TOL
    );
    let pi = [0.1, 0.2, 0.2, 0.4, 0.1];
    assert_abs_diff_eq!(
        measures::giddy_b1(p, &pi).unwrap(),
        0.2277675878319787,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        measures::bartholomew(p, &pi).unwrap(),
        0.04636660119478926,
        epsilon = TOL
    );
    let c = m(&tm, Weighting::Custom(pi.to_vec()));
    assert_abs_diff_eq!(c.bartholomew.unwrap(), 0.04636660119478926, epsilon = TOL);
    // printed to 8 decimals
    let s = tm.spectrum().unwrap();
    let steady = [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187];
    for (a, b) in s.steady_state.unwrap().iter().zip(steady) {
        assert_abs_diff_eq!(*a, b, epsilon = 5e-9);
    }
    let prais = [0.08988764, 0.21468144, 0.21125, 0.20194986, 0.07259074];
    for (a, b) in tm.class_profile().prais.iter().zip(prais) {
        assert_abs_diff_eq!(a.unwrap(), b, epsilon = 5e-9);
    }
    // computed with the FORMULAS.md definitions, uniform pi
    assert_abs_diff_eq!(
        u.determinant_shorrocks.unwrap(),
        0.2081553779582196,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        u.eigenvalue_sum.unwrap(),
        0.19758992000997844,
        epsilon = TOL
    );
    assert_abs_diff_eq!(u.bartholomew.unwrap(), 0.04018465407902057, epsilon = TOL);
    assert_abs_diff_eq!(
        u.mean_class_jump.unwrap(),
        0.16073861631608227,
        epsilon = TOL
    );
    let abs = [
        1.0000000000000009,
        0.9602179976918405,
        0.8796775147866766,
        0.7449320086581036,
        0.6248127988234649,
    ];
    for (a, b) in s.abs_eigenvalues.iter().zip(abs) {
        assert_abs_diff_eq!(*a, b, epsilon = TOL);
    }
}

/// Chetty, Hendren, Kline & Saez (2014) QJE 129(4), national quintile matrix (Table II, rounded):
/// Q1->Q1 33.7%, Q1->Q5 7.5%, Q5->Q1 10.9%, Q5->Q5 36.5%.
#[test]
fn chetty_2014_us_national_quintiles() {
    let tm = published::us_chetty_2014_quintiles();
    let u = m(&tm, Weighting::Uniform);
    assert_abs_diff_eq!(u.bottom_persistence.unwrap(), 0.337, epsilon = 5e-4);
    assert_abs_diff_eq!(u.bottom_to_top.unwrap(), 0.075, epsilon = 5e-4);
    assert_abs_diff_eq!(u.top_to_bottom.unwrap(), 0.109, epsilon = 5e-4);
    assert_abs_diff_eq!(u.top_persistence.unwrap(), 0.365, epsilon = 5e-4);
    let printed = [
        [0.337, 0.28, 0.184, 0.123, 0.075],
        [0.242, 0.242, 0.217, 0.176, 0.123],
        [0.178, 0.198, 0.221, 0.22, 0.183],
        [0.134, 0.16, 0.209, 0.244, 0.254],
        [0.109, 0.119, 0.17, 0.236, 0.365],
    ];
    for (i, row) in printed.iter().enumerate() {
        for (j, &want) in row.iter().enumerate() {
            assert_abs_diff_eq!(tm.probabilities()[[i, j]], want, epsilon = 5e-4);
        }
    }
    // computed with the FORMULAS.md definitions, uniform pi
    assert_abs_diff_eq!(u.shorrocks_trace.unwrap(), 0.897603389041643, epsilon = TOL);
    assert_abs_diff_eq!(
        u.determinant_shorrocks.unwrap(),
        0.9812853591703768,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        u.determinant_giddy.unwrap(),
        0.9999998773334965,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        u.second_eigenvalue.unwrap(),
        0.6780654746899898,
        epsilon = TOL
    );
    assert_abs_diff_eq!(u.eigenvalue_sum.unwrap(), 0.8976033890416428, epsilon = TOL);
    assert_abs_diff_eq!(u.bartholomew.unwrap(), 0.3096954854059357, epsilon = TOL);
    assert_abs_diff_eq!(
        u.mean_class_jump.unwrap(),
        1.2387819416237429,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        u.immobility_ratio.unwrap(),
        0.2819172887666856,
        epsilon = TOL
    );
    assert_abs_diff_eq!(u.upward_share.unwrap(), 0.3670278498715852, epsilon = TOL);
    assert_abs_diff_eq!(u.downward_share.unwrap(), 0.3510548613617292, epsilon = TOL);
    assert_abs_diff_eq!(
        u.altham_independence.unwrap(),
        17.59504949723427,
        epsilon = TOL
    );
    let abs = [
        1.0000000000000004,
        0.3219345253100102,
        0.07940066218818961,
        0.007621624372392314,
        0.0006296319628359723,
    ];
    for (a, b) in tm.spectrum().unwrap().abs_eigenvalues.iter().zip(abs) {
        assert_abs_diff_eq!(*a, b, epsilon = TOL);
    }
    // parent shares are uniform for a probability table, so the default weighting agrees
    assert_eq!(m(&tm, Weighting::ParentShares), u);
}

/// Blanden, Gregg & Machin (2005), UK quartiles (printed to 2 decimals; rows renormalised).
#[test]
fn blanden_gregg_machin_2005_uk_quartiles() {
    let tm = published::uk_blanden_2005_quartiles();
    let u = m(&tm, Weighting::Uniform);
    assert_abs_diff_eq!(
        u.shorrocks_trace.unwrap(),
        0.8799813314664799,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        u.determinant_shorrocks.unwrap(),
        0.9370708009210255,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        u.second_eigenvalue.unwrap(),
        0.7271382093276034,
        epsilon = TOL
    );
    assert_abs_diff_eq!(u.bartholomew.unwrap(), 0.3333239157249059, epsilon = TOL);
}

/// Altham & Ferrie (2007), Table 1 counts: d(P, J).
#[test]
fn altham_ferrie_2007_table1() {
    let tm = published::altham_ferrie_2007_table1();
    assert_abs_diff_eq!(
        m(&tm, Weighting::Uniform).altham_independence.unwrap(),
        11.45359324029523,
        epsilon = TOL
    );
    // counts and probabilities give the same distance
    let d = measures::altham_independence(tm.counts().as_ref().unwrap()).unwrap();
    assert_abs_diff_eq!(d, 11.45359324029523, epsilon = TOL);
}

/// mobilityIndexR test suite: classes given, 10 units. prais_bibby 0.6 and mean class jump 1.1
/// (average_movement, parent-share weights).
#[test]
fn mobilityindexr_toy() {
    let x = [1, 2, 3, 4, 1, 2, 1, 4, 3, 1];
    let y = [2, 1, 3, 2, 1, 4, 4, 2, 3, 1];
    let tm = TransitionCounts::from_classes(&x, &y, None, 4)
        .unwrap()
        .to_matrix();
    let p = m(&tm, Weighting::ParentShares);
    assert_abs_diff_eq!(p.prais_bibby.unwrap(), 0.6, epsilon = 1e-12);
    assert_abs_diff_eq!(p.mean_class_jump.unwrap(), 1.1, epsilon = 1e-12);
}

/// Closed forms: perfect mobility P = J/5 and immobility P = I.
#[test]
fn closed_forms_k5() {
    let j = TransitionMatrix::from_counts(ndarray::Array2::from_elem((5, 5), 1.0).view()).unwrap();
    let u = m(&j, Weighting::Uniform);
    assert_abs_diff_eq!(u.shorrocks_trace.unwrap(), 1.0, epsilon = 1e-12);
    assert_abs_diff_eq!(u.determinant_shorrocks.unwrap(), 1.0, epsilon = 1e-12);
    assert_abs_diff_eq!(u.second_eigenvalue.unwrap(), 1.0, epsilon = 1e-12);
    assert_abs_diff_eq!(u.mean_class_jump.unwrap(), 1.6, epsilon = 1e-12);
    assert_abs_diff_eq!(u.bartholomew.unwrap(), 0.4, epsilon = 1e-12);
    assert_abs_diff_eq!(u.altham_independence.unwrap(), 0.0, epsilon = 1e-12);
    let i = TransitionMatrix::from_counts(ndarray::Array2::eye(5).view()).unwrap();
    let u = m(&i, Weighting::Uniform);
    for v in [
        u.shorrocks_trace,
        u.determinant_shorrocks,
        u.second_eigenvalue,
        u.mean_class_jump,
        u.bartholomew,
    ] {
        assert_abs_diff_eq!(v.unwrap(), 0.0, epsilon = 1e-12);
    }
    assert_eq!(u.altham_independence, None, "zero cells: undefined");
    // stationary weighting is undefined for the reducible identity: the weighted measures are
    // undefined, the others still reported
    let s = i.measures(&Weighting::Stationary).unwrap();
    assert_eq!(
        (s.immobility_ratio, s.bartholomew, s.upward_share),
        (None, None, None)
    );
    assert_eq!(s.shorrocks_trace, Some(0.0));
    assert!(i.origin_weights(&Weighting::Stationary).is_err());
}
