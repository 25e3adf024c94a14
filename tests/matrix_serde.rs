//! A `TransitionMatrix` read from JSON goes through the constructor checks.

use mobility::matrix::RawTransitionMatrix;
use mobility::{ClassSpec, MobilityError, TransitionMatrix, published};

fn from_counts() -> TransitionMatrix {
    let parent: Vec<f64> = (0..40).map(f64::from).collect();
    let child: Vec<f64> = (0..40).map(|i| f64::from((i * 7) % 40)).collect();
    TransitionMatrix::from_status(&parent, &child, None, &ClassSpec::quantiles(4)).unwrap()
}

fn reject(edit: impl FnOnce(&mut RawTransitionMatrix), base: TransitionMatrix) -> MobilityError {
    let mut raw = base.into_parts();
    edit(&mut raw);
    let json = serde_json::to_string(&raw).unwrap();
    assert!(
        serde_json::from_str::<TransitionMatrix>(&json).is_err(),
        "{json}"
    );
    TransitionMatrix::from_parts(raw).unwrap_err()
}

#[test]
fn round_trips() {
    for tm in [from_counts(), published::us_chetty_2014_quintiles()] {
        let json = serde_json::to_string(&tm).unwrap();
        assert_eq!(serde_json::from_str::<TransitionMatrix>(&json).unwrap(), tm);
    }
}

#[test]
fn rejects_each_broken_invariant() {
    let us = published::us_chetty_2014_quintiles;
    let e = reject(|r| r.probabilities[[0, 0]] = -0.1, us());
    assert!(
        matches!(e, MobilityError::InvalidEntry { row: 1, col: 1, .. }),
        "{e}"
    );
    let e = reject(|r| r.probabilities[[1, 1]] = f64::NAN, us());
    assert!(
        matches!(e, MobilityError::InvalidEntry { row: 2, col: 2, .. }),
        "{e}"
    );
    let e = reject(|r| r.probabilities[[2, 0]] += 0.01, us());
    assert!(matches!(e, MobilityError::RowSum { row: 3, .. }), "{e}");
    // an all-zero row is an empty class only in a matrix with counts
    let e = reject(|r| r.probabilities.row_mut(0).fill(0.0), us());
    assert!(matches!(e, MobilityError::RowSum { row: 1, .. }), "{e}");
    let e = reject(|r| r.k = 4, us());
    assert!(e.to_string().contains("does not match k = 4"), "{e}");
    let e = reject(|r| r.k = 1, us());
    assert!(matches!(e, MobilityError::TooFewClasses { k: 1 }), "{e}");
    let e = reject(|r| r.parent_shares[0] = 0.5, us());
    assert!(e.to_string().contains("parent shares"), "{e}");
    let e = reject(|r| r.child_shares[0] = -0.2, us());
    assert!(e.to_string().contains("child shares"), "{e}");
    let e = reject(|r| r.parent_shares = ndarray::array![0.5, 0.5], us());
    assert!(matches!(e, MobilityError::LengthMismatch { .. }), "{e}");

    let e = reject(|r| r.n = Some(-1.0), from_counts());
    assert!(e.to_string().contains("total weight"), "{e}");
    let e = reject(|r| r.n = Some(41.0), from_counts());
    assert!(matches!(e, MobilityError::Inconsistent { .. }), "{e}");
    let e = reject(|r| r.counts.as_mut().unwrap()[[0, 0]] += 1.0, from_counts());
    assert!(matches!(e, MobilityError::Inconsistent { .. }), "{e}");
    let e = reject(|r| r.counts.as_mut().unwrap()[[0, 1]] = -1.0, from_counts());
    assert!(matches!(e, MobilityError::InvalidEntry { .. }), "{e}");
    // cut-offs of another k
    let five = TransitionMatrix::from_status(
        &[1.0, 2.0, 3.0, 4.0, 5.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0],
        None,
        &ClassSpec::quantiles(5),
    )
    .unwrap();
    let cut5 = five.parent_cutoffs().cloned();
    let e = reject(|r| r.parent_cutoffs = cut5, from_counts());
    assert!(matches!(e, MobilityError::Inconsistent { .. }), "{e}");
}

#[test]
fn non_increasing_cutoffs_are_rejected_in_json() {
    let tm = from_counts();
    let json = serde_json::to_value(&tm).unwrap();
    let mut bad = json.clone();
    // the second cut-off moved below the first
    bad["parent_cutoffs"]["cuts"][1]["value"] = serde_json::json!(5.0);
    assert!(serde_json::from_value::<TransitionMatrix>(bad).is_err());
    assert!(serde_json::from_value::<TransitionMatrix>(json).is_ok());
}
