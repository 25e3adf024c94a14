//! The copula side of the quantile-class standard errors: the copula-derivative windows and
//! the influence values they give.

use ndarray::{Array1, Array2, Axis};

use crate::error::{MobilityError, Result};
use crate::quantile::Splitter;

/// `rows[a][b]` for cut `a = 1..k-1` (index `a - 1`): the weighted distribution of `other` classes
/// among units whose rank lies in `(a/k - h, a/k + h]`.
pub(super) fn derivative_windows(
    ranks: &[f64],
    other: &[u32],
    weights: Option<&[f64]>,
    k: usize,
    h: f64,
) -> Result<Vec<Vec<f64>>> {
    let kf = k as f64;
    let mut out = vec![vec![0.0; k]; k - 1];
    for (u, (&r, &c)) in ranks.iter().zip(other).enumerate() {
        // the nearest cut; windows of half-width <= 1/(2k) do not overlap
        let a = (r * kf).round();
        if a < 1.0 || a > kf - 1.0 {
            continue;
        }
        let ua = a / kf;
        if r > ua - h && r <= ua + h {
            out[a as usize - 1][c as usize - 1] += weights.map_or(1.0, |w| w[u]);
        }
    }
    normalise_windows(out, k, h)
}

/// [`derivative_windows`] for `split` classes: a unit with rank interval `[lo, hi]` counts in
/// the window `(a/k - h, a/k + h]` with the share of its interval inside it (a point rank when
/// `lo = hi`), and in each `other` class with its membership.
pub(super) fn split_windows(
    intervals: &[(f64, f64)],
    other: &[usize],
    splitter: &Splitter,
    weights: Option<&[f64]>,
    k: usize,
    h: f64,
) -> Result<Vec<Vec<f64>>> {
    let kf = k as f64;
    let mut out = vec![vec![0.0; k]; k - 1];
    for (u, (&(lo, hi), &slot)) in intervals.iter().zip(other).enumerate() {
        let w = weights.map_or(1.0, |w| w[u]);
        if w == 0.0 {
            continue;
        }
        let first = ((lo - h) * kf).ceil().max(1.0) as usize;
        let last = (((hi + h) * kf).floor() as usize).min(k - 1);
        for a in first..=last {
            let ua = a as f64 / kf;
            let (wl, wh) = (ua - h, ua + h);
            let share = if hi > lo {
                ((hi.min(wh) - lo.max(wl)) / (hi - lo)).max(0.0)
            } else if lo > wl && lo <= wh {
                1.0
            } else {
                0.0
            };
            if share > 0.0 {
                for &(c, f) in splitter.shares(slot) {
                    out[a - 1][c] += w * share * f;
                }
            }
        }
    }
    normalise_windows(out, k, h)
}

/// Each window's weights as shares (rows summing to 1).
///
/// # Errors
/// [`MobilityError::Undefined`] for a window holding no weight (a bandwidth too narrow).
fn normalise_windows(mut out: Vec<Vec<f64>>, k: usize, h: f64) -> Result<Vec<Vec<f64>>> {
    for (a, row) in out.iter_mut().enumerate() {
        let s: f64 = row.iter().sum();
        if s <= 0.0 {
            return Err(MobilityError::Undefined {
                what: "the copula derivative".into(),
                reason: format!(
                    "no unit has a rank within {h} of the cut {}/{k}; use a wider bandwidth",
                    a + 1
                ),
            });
        }
        row.iter_mut().for_each(|x| *x /= s);
    }
    Ok(out)
}

/// The influence values `f(i, j)` of the quantile-matrix statistic with gradient `g`.
pub(super) fn copula_influence(
    g: &Array2<f64>,
    rows: &Array1<f64>,
    alpha: &[Vec<f64>],
    beta: &[Vec<f64>],
) -> std::result::Result<Array2<f64>, String> {
    let k = g.nrows();
    let mut gg = g.clone();
    for (i, mut r) in gg.axis_iter_mut(Axis(0)).enumerate() {
        if r.iter().any(|&x| x != 0.0) {
            if rows[i] <= 0.0 {
                return Err(format!("parent class {} has no observations", i + 1));
            }
            r.mapv_inplace(|x| x / rows[i]);
        }
    }
    // c_a, a = 1..k-1 (index a-1), and the suffix sums S_alpha(i) = sum_{a >= i} c_a.
    let c: Vec<f64> = (0..k - 1)
        .map(|a| {
            (0..k)
                .map(|b| (gg[[a + 1, b]] - gg[[a, b]]) * alpha[a][b])
                .sum()
        })
        .collect();
    let d: Vec<f64> = (0..k - 1)
        .map(|b| {
            (0..k)
                .map(|a| (gg[[a, b + 1]] - gg[[a, b]]) * beta[b][a])
                .sum()
        })
        .collect();
    let suffix = |v: &[f64]| -> Vec<f64> {
        let mut s = vec![0.0; k];
        for i in (0..k - 1).rev() {
            s[i] = s[i + 1] + v[i];
        }
        s
    };
    let (sa, sb) = (suffix(&c), suffix(&d));
    Ok(Array2::from_shape_fn((k, k), |(i, j)| {
        gg[[i, j]] + sa[i] + sb[j]
    }))
}
