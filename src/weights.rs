//! What a weight means: frequency weights (a record stands for `w` identical units) or sampling
//! weights (a record is one sampled unit with design weight `w`). Point estimates never depend on
//! it; the sample size `n`, standard errors, the bootstrap and tests do
//! (docs/FORMULAS.md#weight-kinds).

use serde::{Deserialize, Serialize};

/// The meaning of the weights, for inference (`--weight-kind`, Python `weights_kind=`).
///
/// ```text
///               n            bootstrap                                   row / copula SE
/// frequency     W = sum w    Multinomial(round(W); w_u / W) over records  n_i. = sum w, n = W
/// sampling      R records    Multinomial(R; 1/R), weight w_u m_u          Kish (sum w)^2 / sum w^2
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WeightKind {
    /// A record is one sampled unit with design weight `w` (the default).
    #[default]
    Sampling,
    /// A record stands for `w` identical units (grouped data with a count column).
    Frequency,
}

impl WeightKind {
    /// Both kinds, in documentation order.
    pub const ALL: [WeightKind; 2] = [WeightKind::Sampling, WeightKind::Frequency];

    /// The sample size used by inference: `W` for frequency weights, Kish's effective size
    /// `W^2 / sum w^2` for sampling weights (the number of records without weights).
    ///
    /// # Formula
    /// ```text
    /// frequency  n = sum_u w_u          sampling  n = (sum_u w_u)^2 / sum_u w_u^2
    /// ```
    ///
    /// # Complexity
    /// `O(n)`.
    ///
    /// # Example
    /// ```
    /// use mobility::weights::WeightKind;
    /// let w = [1.0, 3.0];
    /// assert_eq!(WeightKind::Frequency.sample_size(Some(&w), 2), 4.0);
    /// assert_eq!(WeightKind::Sampling.sample_size(Some(&w), 2), 16.0 / 10.0);
    /// assert_eq!(WeightKind::Sampling.sample_size(None, 7), 7.0);
    /// ```
    pub fn sample_size(self, weights: Option<&[f64]>, records: usize) -> f64 {
        let Some(w) = weights else {
            return records as f64;
        };
        let (s1, s2) = w.iter().fold((0.0, 0.0), |(a, b), x| (a + x, b + x * x));
        match self {
            WeightKind::Frequency => s1,
            WeightKind::Sampling => {
                if s2 > 0.0 {
                    s1 * s1 / s2
                } else {
                    0.0
                }
            }
        }
    }
}

/// The weights of an analysis, as its outputs name them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightInfo {
    /// What the weights mean.
    pub kind: WeightKind,
    /// The number of records `R`.
    pub records: usize,
    /// The total weight `W`.
    pub total: f64,
    /// The sample size inference uses: `W` (frequency) or Kish's `W^2 / sum w^2` (sampling).
    pub sample_size: f64,
}

impl WeightInfo {
    /// The summary of `weights` read as `kind`.
    ///
    /// # Complexity
    /// `O(n)`.
    pub fn new(weights: &[f64], kind: WeightKind) -> WeightInfo {
        // On the relative weights (scale-free, no overflow), back in the weights' units where
        // that is finite (as the counts are); sums are exact, so row order does not matter.
        let relative = crate::rank::relative_weights(Some(weights), weights.len()).ok();
        let rel = relative
            .as_ref()
            .and_then(|r| r.as_deref())
            .unwrap_or(weights);
        let restore = |x: f64| relative.as_ref().and_then(|r| r.restore(x)).unwrap_or(x);
        let total =
            crate::rank::exact_total(rel.iter().map(|&w| crate::rank::exact_weight(w)).sum());
        let sample_size = match kind {
            WeightKind::Frequency => restore(total),
            // Kish's (sum w)^2 / sum w^2 is scale-free
            WeightKind::Sampling => kind.sample_size(Some(rel), rel.len()),
        };
        WeightInfo {
            kind,
            records: weights.len(),
            total: restore(total),
            sample_size,
        }
    }

    /// One line for text output.
    pub fn describe(&self) -> String {
        let f = crate::render::text::format_count;
        match self.kind {
            WeightKind::Frequency => format!(
                "frequency weights: {} records stand for {} units (n = {} for inference)",
                self.records,
                f(self.total),
                f(self.sample_size)
            ),
            WeightKind::Sampling => format!(
                "sampling weights: {} records, total weight {}, Kish effective n {}",
                self.records,
                f(self.total),
                f(self.sample_size)
            ),
        }
    }
}

crate::error::named_enum!(WeightKind, WeightKind, "weight kind", {
    Sampling => "sampling",
    Frequency => "frequency" | "freq" | "fweight",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in WeightKind::ALL {
            assert_eq!(k.name().parse::<WeightKind>().unwrap(), k);
        }
        assert!("design".parse::<WeightKind>().is_err());
    }

    #[test]
    fn weight_summary_is_finite_and_scale_free() {
        let w = [1.0, 3.0];
        let s = WeightInfo::new(&w, WeightKind::Sampling);
        assert_eq!((s.total, s.sample_size, s.records), (4.0, 1.6, 2));
        let f = WeightInfo::new(&w, WeightKind::Frequency);
        assert_eq!((f.total, f.sample_size), (4.0, 4.0));
        // a total beyond f64::MAX stays in relative units, as the counts do: never inf
        let huge = WeightInfo::new(&[1e308, 1e308, 1.0, 1.0], WeightKind::Sampling);
        assert!(huge.total.is_finite() && huge.sample_size.is_finite());
        approx::assert_abs_diff_eq!(huge.sample_size, 2.0, epsilon = 1e-12);
        let tiny: Vec<f64> = w.iter().map(|x| x * 1e-300).collect();
        approx::assert_abs_diff_eq!(
            WeightInfo::new(&tiny, WeightKind::Sampling).sample_size,
            1.6,
            epsilon = 1e-12
        );
    }
}
