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
        let mut sums = WeightSums::default();
        sums.add(weights);
        sums.info(kind)
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

/// Exact, mergeable sums of weights: what [`WeightInfo`] needs, the same for any order and any
/// partitioning of the rows (the streaming counting pass keeps one per chunk).
///
/// # Formula
/// ```text
/// W = sum w (exact)       for each binade e (w = f 2^e, f in [1, 2)):  Q_e = sum fl(f^2) (exact)
/// Kish n = (W 2^-s)^2 / sum_e Q_e 2^(2 (e - s)),  s the binade of max w
/// ```
/// (each `fl(f^2)` is the correctly rounded square, so the sum of squares is scale-free and
/// never overflows).
///
/// # Complexity
/// [`WeightSums::add`] is `O(n)`, parallel over fixed chunks; memory `O(binades)`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WeightSums {
    records: u64,
    total: crate::exact::ExactSum,
    max: f64,
    /// `(e, Q_e)` in ascending `e`.
    squares: Vec<(i32, crate::exact::ExactSum)>,
}

impl WeightSums {
    /// Adds the weights of some rows (checked by the caller: finite, `>= 0`).
    pub fn add(&mut self, weights: &[f64]) {
        use rayon::prelude::*;
        let parts: Vec<WeightSums> = weights
            .par_chunks(1 << 16)
            .map(|chunk| {
                let mut s = WeightSums::default();
                let mut last: Option<usize> = None;
                for &w in chunk {
                    s.records += 1;
                    if w <= 0.0 {
                        continue;
                    }
                    s.total.add(w);
                    s.max = s.max.max(w);
                    let (m, e) = libm::frexp(w); // w = m 2^e, m in [0.5, 1)
                    let (f, e) = (2.0 * m, e - 1);
                    let at = match last {
                        Some(i) if s.squares[i].0 == e => i,
                        _ => match s.squares.binary_search_by_key(&e, |q| q.0) {
                            Ok(i) => i,
                            Err(i) => {
                                s.squares.insert(i, (e, crate::exact::ExactSum::zero()));
                                i
                            }
                        },
                    };
                    s.squares[at].1.add(f * f);
                    last = Some(at);
                }
                s
            })
            .collect();
        for p in &parts {
            self.merge(p);
        }
    }

    /// Adds `other` (the sums of other rows).
    pub fn merge(&mut self, other: &WeightSums) {
        self.records += other.records;
        self.total.merge(&other.total);
        self.max = self.max.max(other.max);
        for (e, q) in &other.squares {
            match self.squares.binary_search_by_key(e, |x| x.0) {
                Ok(i) => self.squares[i].1.merge(q),
                Err(i) => self.squares.insert(i, (*e, q.clone())),
            }
        }
    }

    /// The summary, the weights read as `kind`.
    pub fn info(&self, kind: WeightKind) -> WeightInfo {
        // a total beyond f64::MAX is read in relative units (W 2^-s, as the counts are)
        let s = if self.max > 0.0 {
            libm::frexp(self.max).1 - 1
        } else {
            0
        };
        let total = match self.total.to_f64() {
            t if t.is_finite() => t,
            _ => self.total.to_f64_scaled(-s),
        };
        let sample_size = match kind {
            WeightKind::Frequency => total,
            WeightKind::Sampling if self.max > 0.0 => {
                let s1 = self.total.to_f64_scaled(-s);
                let s2: f64 = self
                    .squares
                    .iter()
                    .map(|(e, q)| libm::scalbn(q.to_f64(), 2 * (e - s)))
                    .sum();
                s1 * s1 / s2
            }
            WeightKind::Sampling => 0.0,
        };
        WeightInfo {
            kind,
            records: self.records as usize,
            total,
            sample_size,
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

    #[test]
    fn weight_sums_do_not_depend_on_order_or_partitioning() {
        let w: Vec<f64> = (0..300_000u64)
            .map(|i| ((i * 2_654_435_761) % 1_000_003) as f64 * 1.7e-3 + 0.1)
            .collect();
        let mut reversed = w.clone();
        reversed.reverse();
        let mut parts = WeightSums::default();
        for chunk in reversed.chunks(77_777) {
            let mut p = WeightSums::default();
            p.add(chunk);
            parts.merge(&p);
        }
        for kind in WeightKind::ALL {
            let whole = WeightInfo::new(&w, kind);
            assert_eq!(parts.info(kind), whole);
            assert_eq!(whole.records, w.len());
        }
        // Kish's n against the two-pass closed form
        let (s1, s2) = w.iter().fold((0.0, 0.0), |(a, b), x| (a + x, b + x * x));
        approx::assert_relative_eq!(
            WeightInfo::new(&w, WeightKind::Sampling).sample_size,
            s1 * s1 / s2,
            max_relative = 1e-12
        );
    }
}
