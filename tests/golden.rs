//! Published figures, typed in with their citations (docs/FORMULAS.md#reference-figures), checked
//! to 1e-9 where the source gives full precision.

use mobility::measures::{self, Weighting};
use mobility::{TransitionCounts, TransitionMatrix, published};

const TOL: f64 = 1e-9;

fn m(tm: &TransitionMatrix, w: Weighting) -> mobility::Measures {
    tm.measures(&w).unwrap()
}

/// Asserts that each measure named is defined and within `tol` of its published (or computed)
/// figure; a failure names the case and the measure. Expands to one [`check_figures`] table.
macro_rules! assert_figures {
    ($case:expr, $m:expr, $tol:expr, { $($measure:ident: $figure:expr),+ $(,)? }) => {
        check_figures(
            $case,
            $tol,
            &[$((stringify!($measure), $m.$measure, $figure)),+],
        )
    };
}

/// Each `(name, value, figure)` row: `value` is defined and within `tol` of `figure`.
fn check_figures(case: &str, tol: f64, rows: &[(&str, Option<f64>, f64)]) {
    for &(name, value, figure) in rows {
        let value = value.unwrap_or_else(|| panic!("{case}: {name} is undefined"));
        assert!(
            (value - figure).abs() <= tol,
            "{case}: {name} = {value}, expected {figure} (tolerance {tol})"
        );
    }
}

/// As many values as figures, each within `tol` of the figure at its position; a failure names
/// the case, the series and the position.
fn check_series(case: &str, series: &str, tol: f64, values: &[f64], figures: &[f64]) {
    assert_eq!(
        values.len(),
        figures.len(),
        "{case}: {series} has {} values, {} figures",
        values.len(),
        figures.len()
    );
    for (i, (value, figure)) in values.iter().zip(figures).enumerate() {
        assert!(
            (value - figure).abs() <= tol,
            "{case}: {series}[{i}] = {value}, expected {figure} (tolerance {tol})"
        );
    }
}

/// PySAL giddy documentation and tests: US state per-capita income quintiles, one-year
/// transitions pooled over 1929-2009 (usjoin.csv). Figures printed by giddy.
#[test]
fn giddy_us_states_quintiles() {
    let case = "giddy US states";
    let tm = published::giddy_us_states_quintiles();
    let p = &tm.probabilities();
    let u = m(&tm, Weighting::Uniform);
    assert_figures!(case, u, TOL, {
        shorrocks_trace: 0.19758992000997844,
        determinant_giddy: 0.6068485462369559,
        second_eigenvalue: 0.03978200230815965,
    });
    let pi = [0.1, 0.2, 0.2, 0.4, 0.1];
    let c = m(&tm, Weighting::Custom(pi.to_vec()));
    check_figures(
        case,
        TOL,
        &[
            (
                "giddy_b1",
                Some(measures::giddy_b1(p, &pi).unwrap()),
                0.2277675878319787,
            ),
            (
                "bartholomew",
                Some(measures::bartholomew(p, &pi).unwrap()),
                0.04636660119478926,
            ),
            ("custom-pi bartholomew", c.bartholomew, 0.04636660119478926),
        ],
    );
    // printed to 8 decimals
    let s = tm.spectrum().unwrap();
    let steady = [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187];
    check_series(
        case,
        "steady_state",
        5e-9,
        &s.steady_state.unwrap(),
        &steady,
    );
    let prais = [0.08988764, 0.21468144, 0.21125, 0.20194986, 0.07259074];
    let profile: Vec<f64> = tm
        .class_profile()
        .prais
        .iter()
        .map(|a| a.unwrap())
        .collect();
    check_series(case, "prais", 5e-9, &profile, &prais);
    // computed with the docs/FORMULAS.md#measures-table definitions, uniform pi
    assert_figures!(case, u, TOL, {
        determinant_shorrocks: 0.2081553779582196,
        eigenvalue_sum: 0.19758992000997844,
        bartholomew: 0.04018465407902057,
        mean_class_jump: 0.16073861631608227,
    });
    let abs = [
        1.0000000000000009,
        0.9602179976918405,
        0.8796775147866766,
        0.7449320086581036,
        0.6248127988234649,
    ];
    check_series(case, "abs_eigenvalues", TOL, &s.abs_eigenvalues, &abs);
}

/// Chetty, Hendren, Kline & Saez (2014) QJE 129(4), national quintile matrix (Table II, rounded):
/// Q1->Q1 33.7%, Q1->Q5 7.5%, Q5->Q1 10.9%, Q5->Q5 36.5%.
#[test]
fn chetty_2014_us_national_quintiles() {
    let case = "Chetty 2014";
    let tm = published::us_chetty_2014_quintiles();
    let u = m(&tm, Weighting::Uniform);
    assert_figures!(case, u, 5e-4, {
        bottom_persistence: 0.337,
        bottom_to_top: 0.075,
        top_to_bottom: 0.109,
        top_persistence: 0.365,
    });
    let printed = [
        [0.337, 0.28, 0.184, 0.123, 0.075],
        [0.242, 0.242, 0.217, 0.176, 0.123],
        [0.178, 0.198, 0.221, 0.22, 0.183],
        [0.134, 0.16, 0.209, 0.244, 0.254],
        [0.109, 0.119, 0.17, 0.236, 0.365],
    ];
    let probabilities = tm.probabilities();
    for (i, row) in printed.iter().enumerate() {
        let values: Vec<f64> = probabilities.row(i).to_vec();
        check_series(case, &format!("matrix row {i}"), 5e-4, &values, row);
    }
    // computed with the docs/FORMULAS.md#measures-table definitions, uniform pi
    assert_figures!(case, u, TOL, {
        shorrocks_trace: 0.897603389041643,
        determinant_shorrocks: 0.9812853591703768,
        determinant_giddy: 0.9999998773334965,
        second_eigenvalue: 0.6780654746899898,
        eigenvalue_sum: 0.8976033890416428,
        bartholomew: 0.3096954854059357,
        mean_class_jump: 1.2387819416237429,
        immobility_ratio: 0.2819172887666856,
        upward_share: 0.3670278498715852,
        downward_share: 0.3510548613617292,
        altham_independence: 17.59504949723427,
    });
    let abs = [
        1.0000000000000004,
        0.3219345253100102,
        0.07940066218818961,
        0.007621624372392314,
        0.0006296319628359723,
    ];
    check_series(
        case,
        "abs_eigenvalues",
        TOL,
        &tm.spectrum().unwrap().abs_eigenvalues,
        &abs,
    );
    // parent shares are uniform for a probability table, so the default weighting agrees
    assert_eq!(m(&tm, Weighting::ParentShares), u);
}

/// Blanden, Gregg & Machin (2005), UK quartiles (printed to 2 decimals; rows renormalised).
#[test]
fn blanden_gregg_machin_2005_uk_quartiles() {
    let tm = published::uk_blanden_2005_quartiles();
    assert_figures!("Blanden 2005", m(&tm, Weighting::Uniform), TOL, {
        shorrocks_trace: 0.8799813314664799,
        determinant_shorrocks: 0.9370708009210255,
        second_eigenvalue: 0.7271382093276034,
        bartholomew: 0.3333239157249059,
    });
}

/// Altham & Ferrie (2007), Table 1 counts: d(P, J).
#[test]
fn altham_ferrie_2007_table1() {
    let tm = published::altham_ferrie_2007_table1();
    // counts and probabilities give the same distance
    let d = measures::altham_independence(tm.counts().as_ref().unwrap()).unwrap();
    check_figures(
        "Altham & Ferrie 2007",
        TOL,
        &[
            (
                "altham_independence",
                m(&tm, Weighting::Uniform).altham_independence,
                11.45359324029523,
            ),
            (
                "altham_independence of the counts",
                Some(d),
                11.45359324029523,
            ),
        ],
    );
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
    assert_figures!("mobilityIndexR toy", m(&tm, Weighting::ParentShares), 1e-12, {
        prais_bibby: 0.6,
        mean_class_jump: 1.1,
    });
}

/// Closed forms: perfect mobility P = J/5 and immobility P = I.
#[test]
fn closed_forms_k5() {
    let j = TransitionMatrix::from_counts(ndarray::Array2::from_elem((5, 5), 1.0).view()).unwrap();
    assert_figures!("P = J/5", m(&j, Weighting::Uniform), 1e-12, {
        shorrocks_trace: 1.0,
        determinant_shorrocks: 1.0,
        second_eigenvalue: 1.0,
        mean_class_jump: 1.6,
        bartholomew: 0.4,
        altham_independence: 0.0,
    });
    let i = TransitionMatrix::from_counts(ndarray::Array2::eye(5).view()).unwrap();
    let u = m(&i, Weighting::Uniform);
    assert_figures!("P = I", u, 1e-12, {
        shorrocks_trace: 0.0,
        determinant_shorrocks: 0.0,
        second_eigenvalue: 0.0,
        mean_class_jump: 0.0,
        bartholomew: 0.0,
    });
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
