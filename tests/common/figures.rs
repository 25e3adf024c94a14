//! Published figures that several tests check against.

use ndarray::ArrayView2;

/// Chetty, Hendren, Kline & Saez (2014), Table II, national quintile matrix: Q1 -> Q1 33.7%,
/// Q1 -> Q5 7.5%, Q5 -> Q1 10.9%, Q5 -> Q5 36.5% (printed to 0.1 points).
pub const CHETTY_2014_CORNERS: [(usize, usize, f64); 4] =
    [(0, 0, 0.337), (0, 4, 0.075), (4, 0, 0.109), (4, 4, 0.365)];

/// The four corners of quintile matrix `p` are Chetty et al.'s to their printed precision.
pub fn assert_chetty_2014_corners(p: ArrayView2<f64>) {
    for (i, j, published) in CHETTY_2014_CORNERS {
        let got = p[[i, j]];
        assert!(
            (got - published).abs() <= 5e-4,
            "P[{i}][{j}] = {got} vs {published}"
        );
    }
}
