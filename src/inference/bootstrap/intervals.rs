//! Interval arithmetic shared by the bootstraps and the comparisons: type-7 quantiles, the
//! grouped-jackknife acceleration, and the standard error, percentile and BCa intervals of a
//! replicate column.

use crate::inference::{Interval, normal_cdf, normal_quantile};

/// Type-7 (linear interpolation) quantile of sorted values, `p` in [0, 1].
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The BCa acceleration from jackknife (or grouped-jackknife) effects `e_g = mean - theta_(g)`.
///
/// ```text
/// a = sum_g e_g^3 / (6 (sum_g e_g^2)^(3/2))        (0 when every effect is 0)
/// ```
pub(crate) fn acceleration(effects: &[f64]) -> f64 {
    let s2: f64 = effects.iter().map(|e| e * e).sum();
    if s2 <= 0.0 {
        return 0.0;
    }
    let s3: f64 = effects.iter().map(|e| e * e * e).sum();
    s3 / (6.0 * s2.powf(1.5))
}

/// Jackknife effects `mean - theta_(g)` of defined jackknife values; `None` if any is undefined.
pub(crate) fn jackknife_effects(values: &[Option<f64>]) -> Option<Vec<f64>> {
    let v: Vec<f64> = values.iter().copied().collect::<Option<Vec<f64>>>()?;
    if v.is_empty() {
        return None;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    Some(v.iter().map(|x| mean - x).collect())
}

/// The standard deviation of values (divisor `n - 1`); `None` for fewer than 2 values.
///
/// ```text
/// sd = sqrt( sum_b (x_b - mean)^2 / (B - 1) )
/// ```
pub(crate) fn standard_deviation(values: &[f64]) -> Option<f64> {
    let b = values.len();
    if b < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / b as f64;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (b - 1) as f64;
    Some(var.sqrt())
}

/// The summary of one statistic's bootstrap distribution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    pub(crate) se: Option<f64>,
    pub(crate) percentile: Option<Interval>,
    pub(crate) bca: Option<Interval>,
    pub(crate) bias_correction: Option<f64>,
    pub(crate) note: Option<String>,
}

/// The note of a statistic whose BCa interval does not contain its full-sample estimate (while
/// the percentile interval does).
pub const BCA_EXCLUDES_ESTIMATE: &str = "the BCa interval excludes the estimate (a skewed or \
     bounded bootstrap distribution; compare the percentile interval)";

/// SE, percentile and BCa intervals from defined replicate values.
///
/// # Formula
/// ```text
/// se  = sd(theta*_b)   (divisor B' - 1, B' defined replicates)
/// percentile: [Q(alpha/2), Q(1 - alpha/2)], Q the type-7 quantile of the replicates
/// BCa: z0 = Phi^-1((#{theta* < theta} + #{theta* = theta}/2) / B'),
///      alpha_1,2 = Phi(z0 + (z0 + z_{alpha/2, 1-alpha/2}) / (1 - a (z0 + z_..))),
///      interval [Q(alpha_1), Q(alpha_2)]
/// ```
pub(crate) fn summarize(
    estimate: Option<f64>,
    replicates: &[f64],
    acceleration: Option<f64>,
    level: f64,
) -> Summary {
    let b = replicates.len();
    let mut note = None;
    if b < 2 {
        return Summary {
            se: None,
            percentile: None,
            bca: None,
            bias_correction: None,
            note: Some(format!(
                "{b} defined replicate(s): at least 2 are needed for a standard error"
            )),
        };
    }
    let mut sorted = replicates.to_vec();
    sorted.sort_by(f64::total_cmp);
    let alpha = 1.0 - level;
    let percentile = Some(Interval {
        low: quantile_sorted(&sorted, alpha / 2.0),
        high: quantile_sorted(&sorted, 1.0 - alpha / 2.0),
    });
    let mut bias_correction = None;
    let bca = match (estimate, acceleration) {
        (Some(theta), Some(a)) => {
            let below = sorted.partition_point(|&x| x < theta);
            let at_or_below = sorted.partition_point(|&x| x <= theta);
            let share = (below as f64 + 0.5 * (at_or_below - below) as f64) / b as f64;
            match normal_quantile(share) {
                Some(z0) => {
                    bias_correction = Some(z0);
                    let adjust = |p: f64| -> Option<f64> {
                        let z = normal_quantile(p)?;
                        let denom = 1.0 - a * (z0 + z);
                        (denom > 0.0).then(|| normal_cdf(z0 + (z0 + z) / denom))
                    };
                    match (adjust(alpha / 2.0), adjust(1.0 - alpha / 2.0)) {
                        (Some(lo), Some(hi)) => Some(Interval {
                            low: quantile_sorted(&sorted, lo),
                            high: quantile_sorted(&sorted, hi),
                        }),
                        _ => {
                            note = Some(
                                "BCa interval undefined: the acceleration is too large for \
                                 this level"
                                    .to_string(),
                            );
                            None
                        }
                    }
                }
                None => {
                    note = Some(format!(
                        "BCa interval undefined: {} of the replicates lie on one side of the \
                         estimate (bias correction infinite)",
                        if share <= 0.0 { "none" } else { "all" }
                    ));
                    None
                }
            }
        }
        (Some(_), None) => {
            note = Some(
                "BCa interval undefined: the statistic is undefined in a jackknife sample".into(),
            );
            None
        }
        (None, _) => None,
    };
    if let Some(theta) = estimate {
        let outside =
            |i: &Option<Interval>| i.as_ref().is_some_and(|i| theta < i.low || theta > i.high);
        if note.is_none() && outside(&percentile) {
            // a statistic near its bound (a determinant index near 1, a distance near 0) can have a
            // bootstrap distribution entirely on one side of the estimate: say so, do not hide it
            // (GaltonFamilies, k = 5: determinant_shorrocks 0.9692, percentile [0.881, 0.968],
            // BCa [0.971, 0.994])
            let which = if outside(&bca) {
                "percentile and BCa"
            } else {
                "percentile"
            };
            note = Some(format!(
                "the estimate lies outside its bootstrap interval ({which}): the bootstrap \
                 distribution is strongly biased (e.g. a measure near its bound); read the \
                 interval with caution"
            ));
        } else if note.is_none() && outside(&bca) {
            // the percentile interval holds the estimate but the BCa one does not: the bias
            // correction and acceleration moved the interval past it (GaltonFamilies, k = 5:
            // determinant_shorrocks 0.9692 with BCa [0.9698, 0.9927])
            note = Some(BCA_EXCLUDES_ESTIMATE.into());
        }
    }
    Summary {
        se: standard_deviation(replicates),
        percentile,
        bca,
        bias_correction,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.0), 1.0);
        assert_eq!(quantile_sorted(&s, 1.0), 4.0);
        assert_eq!(quantile_sorted(&s, 0.5), 2.5);
    }

    #[test]
    fn an_estimate_outside_its_interval_is_flagged() {
        let replicates: Vec<f64> = (0..200).map(|i| 1.0 + f64::from(i) / 200.0).collect();
        let s = summarize(Some(1.01), &replicates, Some(0.0), 0.95);
        let (p, b) = (s.percentile.unwrap(), s.bca.unwrap());
        assert!(
            1.01 < p.low && !(b.low <= 1.01 && 1.01 <= b.high),
            "{p:?} {b:?}"
        );
        let note = s.note.unwrap();
        assert!(
            note.contains("outside its bootstrap interval (percentile and BCa)"),
            "{note}"
        );
        let s = summarize(Some(1.5), &replicates, Some(0.0), 0.95);
        assert!(s.note.is_none());
    }

    #[test]
    fn a_bca_interval_excluding_the_estimate_is_flagged() {
        // 195 replicates i/195 below the estimate 1 and five far above (2..=6): the percentile
        // 95% interval [0.0255, 1.0200] holds the estimate (type-7 interpolation across the
        // gap), while BCa (z0 = Phi^-1(0.975), a = 0) starts at Q(0.975) = 1.02 above it
        let mut replicates: Vec<f64> = (0..195).map(|i| f64::from(i) / 195.0).collect();
        replicates.extend([2.0, 3.0, 4.0, 5.0, 6.0]);
        let s = summarize(Some(1.0), &replicates, Some(0.0), 0.95);
        let (p, b) = (s.percentile.unwrap(), s.bca.unwrap());
        assert!(p.low <= 1.0 && 1.0 <= p.high, "percentile {p:?}");
        assert!((p.high - 1.02).abs() < 1e-9, "percentile {p:?}");
        assert!(b.low > 1.01, "BCa {b:?}");
        assert_eq!(s.note.as_deref(), Some(BCA_EXCLUDES_ESTIMATE));
        // the estimate inside both intervals: no note
        let s = summarize(Some(0.5), &replicates, Some(0.0), 0.95);
        assert!(s.note.is_none(), "{:?}", s.note);
    }

    #[test]
    fn bca_equals_percentile_without_bias_or_acceleration() {
        // symmetric replicates around the estimate, a = 0: z0 = 0, BCa = percentile
        let reps: Vec<f64> = (0..1001).map(|i| (i as f64 - 500.0) / 100.0).collect();
        let s = summarize(Some(0.0), &reps, Some(0.0), 0.9);
        let (p, b) = (s.percentile.unwrap(), s.bca.unwrap());
        assert!((p.low - b.low).abs() < 1e-6 && (p.high - b.high).abs() < 1e-6);
        assert_eq!(s.bias_correction, Some(0.0));
        // all replicates above the estimate: BCa undefined, with a note
        let s = summarize(Some(-10.0), &reps, Some(0.0), 0.9);
        assert!(s.bca.is_none() && s.note.is_some());
    }

    #[test]
    fn acceleration_of_symmetric_effects_is_zero() {
        assert_eq!(acceleration(&[1.0, -1.0, 2.0, -2.0]), 0.0);
        assert_eq!(acceleration(&[0.0, 0.0]), 0.0);
        assert!(acceleration(&[3.0, -1.0, -1.0, -1.0]) > 0.0);
    }
}
