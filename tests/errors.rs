//! Every error path of the core: a typed error with a message naming the problem, never a panic.

use mobility::matrix::ProbabilityOptions;
use mobility::measures::{self, Weighting};
use mobility::quantile::{Closed, Cutoffs};
use mobility::rank::fractional_ranks;
use mobility::{ClassSpec, MobilityError, Rule, TransitionCounts, TransitionMatrix};
use ndarray::array;

fn q(k: usize) -> ClassSpec {
    ClassSpec::quantiles(k)
}

fn err_of<T: std::fmt::Debug>(r: mobility::Result<T>) -> MobilityError {
    r.expect_err("expected an error")
}

#[test]
fn nan_and_infinity_name_the_input_and_index() {
    let e = err_of(TransitionMatrix::from_status(
        &[1.0, f64::NAN],
        &[1.0, 2.0],
        None,
        &q(2),
    ));
    assert!(
        matches!(&e, MobilityError::NonFinite { what, index: 1, .. } if what == "parent status")
    );
    assert_eq!(
        e.to_string(),
        "parent status at index 1 is NaN (values must be finite numbers)"
    );
    let e = err_of(TransitionMatrix::from_status(
        &[1.0, 2.0],
        &[f64::INFINITY, 2.0],
        None,
        &q(2),
    ));
    assert!(
        matches!(&e, MobilityError::NonFinite { what, index: 0, .. } if what == "child status")
    );
    assert!(fractional_ranks(&[f64::NEG_INFINITY], None).is_err());
}

#[test]
fn weights() {
    let e = err_of(TransitionMatrix::from_status(
        &[1.0, 2.0],
        &[1.0, 2.0],
        Some(&[1.0, -0.5]),
        &q(2),
    ));
    assert_eq!(
        e,
        MobilityError::NegativeWeight {
            index: 1,
            value: -0.5
        }
    );
    assert!(e.to_string().contains("negative"));
    let e = err_of(TransitionMatrix::from_status(
        &[1.0, 2.0],
        &[1.0, 2.0],
        Some(&[1.0]),
        &q(2),
    ));
    assert!(matches!(
        e,
        MobilityError::LengthMismatch {
            expected: 2,
            found: 1,
            ..
        }
    ));
    let e = err_of(TransitionMatrix::from_status(
        &[1.0, 2.0],
        &[1.0, 2.0],
        Some(&[0.0, 0.0]),
        &q(2),
    ));
    assert!(matches!(e, MobilityError::ZeroTotalWeight { .. }));
    let e = err_of(TransitionMatrix::from_status(
        &[1.0, 2.0],
        &[1.0, 2.0],
        Some(&[f64::NAN, 1.0]),
        &q(2),
    ));
    assert!(matches!(&e, MobilityError::NonFinite { what, .. } if what == "weights"));
    // zero weights against fixed cut-offs count nothing, but a matrix of nothing is an error
    let bands = Cutoffs::fixed(&[1.5], Closed::Left).unwrap();
    let spec = ClassSpec::Cutoffs {
        parent: bands.clone(),
        child: bands,
    };
    assert_eq!(
        TransitionCounts::from_status(&[1.0], &[2.0], Some(&[0.0]), &spec)
            .unwrap()
            .total(),
        0.0
    );
    assert!(TransitionMatrix::from_status(&[1.0], &[2.0], Some(&[0.0]), &spec).is_err());
}

#[test]
fn lengths_empty_and_k() {
    let e = err_of(TransitionMatrix::from_status(
        &[1.0, 2.0, 3.0],
        &[1.0, 2.0],
        None,
        &q(2),
    ));
    assert_eq!(e.to_string(), "child status: expected 3 values, found 2");
    let e = err_of(TransitionMatrix::from_status(&[], &[], None, &q(2)));
    assert_eq!(e.to_string(), "parent status is empty");
    for k in [0, 1] {
        let e = err_of(TransitionMatrix::from_status(
            &[1.0, 2.0],
            &[1.0, 2.0],
            None,
            &q(k),
        ));
        assert_eq!(e, MobilityError::TooFewClasses { k });
    }
    assert!(Cutoffs::quantiles(&[1.0], None, 1, Rule::Giddy).is_err());
    let e = err_of(TransitionMatrix::from_status(
        &[1.0, 2.0],
        &[1.0, 2.0],
        None,
        &q(1001),
    ));
    assert!(
        e.to_string()
            .contains("1001 is more than the 1000 supported")
    );
    assert!(TransitionCounts::from_classes(&[1], &[1], None, 5000).is_err());
}

#[test]
fn weights_with_a_software_rule() {
    let e = err_of(Cutoffs::quantiles(
        &[1.0, 2.0],
        Some(&[1.0, 1.0]),
        2,
        Rule::StataXtile,
    ));
    assert!(e.to_string().contains("midrank"));
    assert!("quartile".parse::<Rule>().is_err());
}

#[test]
fn classes_out_of_range() {
    let e = err_of(TransitionCounts::from_classes(
        &[1, 2, 5],
        &[1, 1, 1],
        None,
        4,
    ));
    assert!(matches!(
        e,
        MobilityError::ClassOutOfRange {
            index: 2,
            class: 5,
            k: 4,
            ..
        }
    ));
    let e = err_of(TransitionCounts::from_classes(&[1, 2], &[0, 1], None, 4));
    assert!(
        e.to_string()
            .contains("child classes at index 0 is class 0")
    );
    assert!(TransitionCounts::from_classes(&[], &[], None, 4).is_err());
    assert!(TransitionCounts::from_classes(&[1], &[1, 2], None, 4).is_err());
    assert!(TransitionCounts::from_classes(&[1], &[1], None, 1).is_err());
}

#[test]
fn count_tables() {
    let e = err_of(TransitionMatrix::from_counts(
        array![[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]].view(),
    ));
    assert_eq!(
        e,
        MobilityError::NotSquare {
            what: "count table".into(),
            rows: 2,
            cols: 3
        }
    );
    let e = err_of(TransitionMatrix::from_counts(
        array![[1.0, -2.0], [1.0, 2.0]].view(),
    ));
    assert!(matches!(
        e,
        MobilityError::InvalidEntry { row: 1, col: 2, .. }
    ));
    let e = err_of(TransitionMatrix::from_counts(
        array![[0.0, 0.0], [0.0, 0.0]].view(),
    ));
    assert!(matches!(e, MobilityError::ZeroTotalWeight { .. }));
    assert!(TransitionMatrix::from_counts(array![[1.0]].view()).is_err());
    // an empty parent class is kept and reported, not an error
    let tm = TransitionMatrix::from_counts(array![[1.0, 2.0], [0.0, 0.0]].view()).unwrap();
    assert_eq!(tm.empty_rows(), vec![1]);
    let m = tm.measures(&Weighting::ParentShares).unwrap();
    assert_eq!(m.bottom_persistence, Some(1.0 / 3.0));
    assert_eq!(m.top_persistence, None);
    assert_eq!(m.shorrocks_trace, None);
    assert!(
        m.upward_share.is_some(),
        "parent-share weights give the empty row weight 0"
    );
    assert!(
        tm.measures(&Weighting::Uniform)
            .unwrap()
            .upward_share
            .is_none()
    );
    assert!(tm.spectrum().is_err());
    // no weight on any observed row: the weighted shares are undefined, not 0
    let bands = Cutoffs::fixed(&[1.5], Closed::Left).unwrap();
    let spec = ClassSpec::Cutoffs {
        parent: bands.clone(),
        child: bands,
    };
    let nothing = TransitionCounts::from_status(&[1.0], &[2.0], Some(&[0.0]), &spec)
        .unwrap()
        .to_matrix();
    let m = nothing.measures(&Weighting::ParentShares).unwrap();
    assert_eq!(
        (
            m.upward_share,
            m.downward_share,
            m.immobility_ratio,
            m.prais_bibby
        ),
        (None, None, None, None)
    );
    assert_eq!(
        mobility::rank::class_of_rank(0.5, 0),
        1,
        "k = 0 does not panic"
    );
}

#[test]
fn probability_tables() {
    let rounded = array![[0.5, 0.5], [0.3, 0.6]];
    let e = err_of(TransitionMatrix::from_probabilities(
        rounded.view(),
        &ProbabilityOptions::default(),
    ));
    assert!(matches!(e, MobilityError::RowSum { row: 2, .. }));
    assert!(
        e.to_string()
            .contains("row 2 of the probability table sums to 0.9")
    );
    let fixed = ProbabilityOptions {
        renormalise: true,
        ..Default::default()
    };
    assert!(TransitionMatrix::from_probabilities(rounded.view(), &fixed).is_ok());
    let zero_row = array![[1.0, 0.0], [0.0, 0.0]];
    assert!(TransitionMatrix::from_probabilities(zero_row.view(), &fixed).is_err());
    let shares = ProbabilityOptions {
        parent_shares: Some(vec![0.5, 0.6]),
        ..Default::default()
    };
    let e = err_of(TransitionMatrix::from_probabilities(
        array![[1.0, 0.0], [0.0, 1.0]].view(),
        &shares,
    ));
    assert!(e.to_string().contains("parent shares"));
    let shares = ProbabilityOptions {
        parent_shares: Some(vec![1.0]),
        ..Default::default()
    };
    assert!(
        TransitionMatrix::from_probabilities(array![[1.0, 0.0], [0.0, 1.0]].view(), &shares)
            .is_err()
    );
    let bad_tol = ProbabilityOptions {
        tolerance: f64::NAN,
        ..Default::default()
    };
    assert!(
        TransitionMatrix::from_probabilities(array![[1.0, 0.0], [0.0, 1.0]].view(), &bad_tol)
            .is_err()
    );
}

#[test]
fn plain_measure_functions_check_their_matrix() {
    let not_stochastic = array![[0.5, 0.4], [0.5, 0.5]];
    assert!(matches!(
        measures::shorrocks_trace(&not_stochastic),
        Err(MobilityError::RowSum { row: 1, .. })
    ));
    let p = array![[0.5, 0.5], [0.5, 0.5]];
    assert!(measures::bartholomew(&p, &[0.5]).is_err());
    assert!(measures::bartholomew(&p, &[0.7, 0.7]).is_err());
    assert!(measures::bartholomew(&p, &[-0.5, 1.5]).is_err());
    let e = err_of(measures::altham_independence(&array![
        [1.0, 0.0],
        [0.0, 1.0]
    ]));
    assert!(e.to_string().contains("every cell > 0"));
    assert!(measures::altham_distance(&p, &array![[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]).is_err());
    assert!(measures::second_eigenvalue(&array![[f64::NAN, 1.0], [0.0, 1.0]]).is_err());
    assert!("sideways".parse::<Weighting>().is_err());
    let tm = mobility::published::us_chetty_2014_quintiles();
    assert!(tm.measures(&Weighting::Custom(vec![0.5, 0.5])).is_err());
}

#[test]
fn cutoffs() {
    assert!(matches!(
        Cutoffs::fixed(&[2.0, 1.0], Closed::Left),
        Err(MobilityError::CutoffsNotIncreasing { index: 2, .. })
    ));
    assert!(Cutoffs::fixed(&[f64::NAN], Closed::Left).is_err());
    let c = Cutoffs::fixed(&[1.0], Closed::Left).unwrap();
    assert!(c.class_of(f64::NAN).is_err());
    assert!(c.classify(&[]).is_err());
    let three = Cutoffs::fixed(&[1.0, 2.0], Closed::Left).unwrap();
    let spec = ClassSpec::Cutoffs {
        parent: c,
        child: three,
    };
    assert!(matches!(
        TransitionMatrix::from_status(&[1.0], &[1.0], None, &spec),
        Err(MobilityError::Incompatible { .. })
    ));
}
