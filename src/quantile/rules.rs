//! The cut-offs of each quantile [`Rule`](crate::rank::Rule) from the order statistics they need:
//! `midrank` and `split` from weighted positions, `r-type7`, `giddy` (mapclassify) and
//! `stata-xtile` from a few order statistics that a caller supplies (the in-memory selection, or
//! the streaming search of [`crate::stream`]).

use super::Cut;
use super::select::locate;
use crate::rank::from_sort_key;

/// The order statistics a rule needs, fetched once and looked up by position.
struct OrderStats {
    /// The 0-based positions, ascending, each once.
    positions: Vec<usize>,
    /// The value at each position.
    values: Vec<f64>,
}

impl OrderStats {
    /// The values at `positions` (any order, repeats allowed) from `stats`, which returns the
    /// values at ascending distinct 0-based order-statistic positions.
    fn fetch(
        positions: impl IntoIterator<Item = usize>,
        stats: impl FnOnce(&[usize]) -> Vec<f64>,
    ) -> OrderStats {
        let mut positions: Vec<usize> = positions.into_iter().collect();
        positions.sort_unstable();
        positions.dedup();
        let values = stats(&positions);
        OrderStats { positions, values }
    }

    /// The value at position `p` (one of those fetched).
    fn at(&self, p: usize) -> f64 {
        self.values[self
            .positions
            .binary_search(&p)
            .expect("position requested")]
    }
}

/// `midrank` (and, with `split`, `split`) cut-offs: the value holding each weighted position
/// `m W / k`, inclusive when its mid-position is at or below it.
pub(super) fn midrank_cuts(
    values: &[f64],
    weights: Option<&[f64]>,
    total: f64,
    k: usize,
    split: bool,
) -> Vec<Cut> {
    let kf = k as f64;
    // class <= m  iff  k (below + tie/2) <= m W; the value holding position m W / k is found
    // with the comparison scaled by k so whole-number weights stay exact.
    let targets: Vec<f64> = (1..k).map(|m| m as f64 * total).collect();
    locate(values, weights, kf, &targets)
        .into_iter()
        .zip(targets)
        .map(|(l, t)| Cut {
            value: from_sort_key(l.key),
            inclusive: kf * (2.0 * l.below + l.tie) <= 2.0 * t,
            // the boundary t / k lies strictly inside [below, below + tie]: share the group
            split: (split && l.tie > 0.0 && kf * l.below < t && t < kf * (l.below + l.tie)).then(
                || ((t - kf * l.below) / (kf * l.tie)).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON),
            ),
        })
        .collect()
}

/// Type-7 cut points `q_m`, m = 1..k-1, at h = m (n - 1) / k, from `stats`, which returns the
/// values at the given ascending 0-based order-statistic positions (the in-memory selection or
/// the streaming search, [`crate::stream`]).
pub(crate) fn type7_cuts(
    n: usize,
    k: usize,
    right_closed: bool,
    stats: impl FnOnce(&[usize]) -> Vec<f64>,
) -> Vec<Cut> {
    let spots: Vec<(usize, usize)> = (1..k)
        .map(|m| ((m * (n - 1)) / k, (m * (n - 1)) % k))
        .collect();
    // with n <= k neighbouring cuts share positions out of order
    let stats = OrderStats::fetch(
        spots.iter().flat_map(|&(lo, _)| [lo, (lo + 1).min(n - 1)]),
        stats,
    );
    spots
        .iter()
        .map(|&(lo, rem)| {
            let a = stats.at(lo);
            let b = stats.at((lo + 1).min(n - 1));
            let value = if rem == 0 || a == b {
                a
            } else {
                // h is strictly between the positions: so is the cut between the values
                strictly_between(a, b, a + (rem as f64 / k as f64) * (b - a), right_closed)
            };
            Cut {
                value,
                inclusive: right_closed,
                split: None,
            }
        })
        .collect()
}

/// PySAL mapclassify `Quantiles` cut points, in the floating-point steps mapclassify 2.x takes.
///
/// mapclassify's `quantile(y, k)` evaluates `scipy.stats.scoreatpercentile(y, per)` (interpolation
/// `'fraction'`) at `per` from `numpy.arange(w, 100 + w, w)`, `w = 100 / k`; numpy fills that
/// range as `w + i ((w + w) - w) = w + i w`. The inner cuts are the first `k - 1` of these,
/// computed here with the same IEEE operations, so they agree bit for bit (e.g. `y = 0..15`,
/// `k = 9`: the third cut is `4.999999999999999`, not 5). mapclassify then drops repeated cut
/// values (`numpy.unique`, which also sorts them) and shrinks `k`; this crate sorts the cuts
/// and keeps all `k` classes (some empty), so the two agree on which values share a class and on
/// the class order, and the labels agree whenever no two cuts coincide.
///
/// ```text
/// per_m = w + (m - 1) w,  idx = per_m / 100 (n - 1),  i = floor(idx)
/// q_m   = x_(i)                                        if idx = i
///       = (x_(i) (i + 1 - idx) + x_(i+1) (idx - i)) / ((i + 1 - idx) + (idx - i))  otherwise
/// ```
///
/// `stats` as in [`type7_cuts`].
pub(crate) fn giddy_cuts(n: usize, k: usize, stats: impl FnOnce(&[usize]) -> Vec<f64>) -> Vec<Cut> {
    let w = 100.0 / k as f64;
    let last = (n - 1) as f64;
    let spots: Vec<(usize, f64)> = (1..k)
        .map(|m| {
            let per = w + (m - 1) as f64 * w;
            let idx = per / 100.0 * last;
            (idx as usize, idx) // idx >= 0: the cast truncates as Python's int() does
        })
        .collect();
    let stats = OrderStats::fetch(
        spots
            .iter()
            .flat_map(|&(lo, _)| [lo.min(n - 1), (lo + 1).min(n - 1)]),
        stats,
    );
    let mut cuts: Vec<Cut> = spots
        .iter()
        .map(|&(lo, idx)| {
            let value = if lo as f64 == idx {
                stats.at(lo.min(n - 1))
            } else {
                let (a, b) = (stats.at(lo), stats.at((lo + 1).min(n - 1)));
                let (w0, w1) = ((lo + 1) as f64 - idx, idx - lo as f64);
                giddy_interpolate(a, b, w0, w1)
            };
            Cut {
                value,
                inclusive: true,
                split: None,
            }
        })
        .collect();
    // Interpolating between two equal order statistics can land an ulp off them, so the cuts
    // need not be monotone; mapclassify sorts them (numpy.unique), and so does this.
    cuts.sort_by(|a, b| a.value.total_cmp(&b.value));
    cuts
}

/// A cut that interpolation puts at `v` between neighbouring order statistics `a < b` (no value
/// of the data lies strictly between them), for a position strictly between theirs: `v` when it
/// lies strictly between `a` and `b`; when rounding put it on or past one of them (neighbours a
/// few ulps apart, a subnormal scale, an overflowing sum), the float next to the nearer side
/// inside `(a, b)`, or, when `a` and `b` are adjacent floats, the one of them that still leaves
/// `a` below the cut and `b` above it (`a` for `inclusive` cuts, `b` otherwise). Units are then
/// classed as by a cut strictly between `a` and `b` whatever the scale, so the classes do not
/// change under a strictly increasing transform of status.
fn strictly_between(a: f64, b: f64, v: f64, inclusive: bool) -> f64 {
    debug_assert!(a < b);
    if a < v && v < b {
        return v;
    }
    let up = a.next_up();
    if up < b {
        if v <= a { up } else { b.next_down() }
    } else if inclusive {
        a
    } else {
        b
    }
}

/// `x 2^e`, exactly unless the result is subnormal (one rounding then).
fn scale2(x: f64, e: i32) -> f64 {
    let half = e / 2;
    let pow = |e: i32| f64::from_bits(((e + 1023) as u64) << 52);
    x * pow(half) * pow(e - half)
}

/// mapclassify's interpolation `(a w0 + b w1) / (w0 + w1)` between neighbouring order
/// statistics `a <= b`, bit for bit where the data are of ordinary size. Where they are tiny
/// (`max(|a|, |b|) < 2^-900`, where `a w0` would lose bits as a subnormal) or huge (`> 2^1000`,
/// where the sum could overflow), the same IEEE steps are taken on `a` and `b` scaled exactly by
/// a power of two into `[1, 2)`, and the cut keeps the place they give it relative to `a` and
/// `b` (below `a`, on `a`, strictly between, on `b`, above `b`): so `giddy` classes do not change
/// when status is multiplied by any power of two, subnormal results included.
fn giddy_interpolate(a: f64, b: f64, w0: f64, w1: f64) -> f64 {
    let m = a.abs().max(b.abs());
    let ordinary = m == 0.0 || (2f64.powi(-900)..=2f64.powi(1000)).contains(&m);
    if ordinary {
        return (a * w0 + b * w1) / (w0 + w1);
    }
    let s = -(m.log2().floor() as i32);
    let (a2, b2) = (scale2(a, s), scale2(b, s));
    let v = (a2 * w0 + b2 * w1) / (w0 + w1);
    if v == a2 {
        a
    } else if v == b2 {
        b
    } else if v < a2 {
        Some(a.next_down()).filter(|d| d.is_finite()).unwrap_or(a)
    } else if v > b2 {
        Some(b.next_up()).filter(|u| u.is_finite()).unwrap_or(b)
    } else {
        strictly_between(a, b, scale2(v, -s), true)
    }
}

/// Stata `_pctile` default (type 2) cut points, right-closed as `xtile` uses them; `stats` as in
/// [`type7_cuts`].
pub(crate) fn stata_cuts(n: usize, k: usize, stats: impl FnOnce(&[usize]) -> Vec<f64>) -> Vec<Cut> {
    // 1-based order statistic i = n m / k; 0-based positions below
    let spots: Vec<(usize, bool)> = (1..k)
        .map(|m| {
            let whole = (n * m).is_multiple_of(k);
            let i = (n * m) / k; // floor
            if whole {
                (i.saturating_sub(1), true) // average of x_(i) and x_(i+1), 1-based
            } else {
                (i, false) // x_(ceil(nm/k)), 1-based = 0-based floor(nm/k)
            }
        })
        .collect();
    let stats = OrderStats::fetch(
        spots.iter().flat_map(|&(p, avg)| {
            let next = avg.then_some((p + 1).min(n - 1));
            std::iter::once(p).chain(next)
        }),
        stats,
    );
    spots
        .iter()
        .map(|&(p, avg)| {
            let a = stats.at(p);
            let value = if avg {
                let b = stats.at((p + 1).min(n - 1));
                if a == b {
                    a
                } else {
                    let mid = (a + b) / 2.0;
                    let mid = if mid.is_finite() {
                        mid
                    } else {
                        a / 2.0 + b / 2.0
                    };
                    strictly_between(a, b, mid, true)
                }
            } else {
                a
            };
            Cut {
                value,
                inclusive: true,
                split: None,
            }
        })
        .collect()
}
