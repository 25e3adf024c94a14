//! Unit tests of the rank confidence sets' helpers.

use super::sets::{estimated_ranks, quantile7};

#[test]
fn quantile_type7() {
    let mut v = vec![4.0, 1.0, 3.0, 2.0];
    assert_eq!(quantile7(&mut v, 0.5), 2.5);
    let mut v = vec![4.0, 1.0, 3.0, 2.0];
    assert_eq!(quantile7(&mut v, 1.0), 4.0);
    let mut v = vec![4.0, 1.0, 3.0, 2.0];
    assert!((quantile7(&mut v, 0.9) - 3.7).abs() < 1e-12);
}

#[test]
fn ranks_share_best_on_ties() {
    assert_eq!(estimated_ranks(&[1.0, 3.0, 3.0, 2.0]), vec![4, 1, 1, 3]);
}
