//! Drawing a replicate: the multiplicities of the units (multinomial over units or clusters,
//! frequency draws, a deleted jackknife group), and the dense cluster numbers they rest on.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::design::{Design, Scratch};

/// How a replicate's multiplicities are formed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Draw {
    /// Multinomial resampling from stream `stream` of ChaCha8 seeded with `seed`.
    Resample { seed: u64, stream: u64 },
    /// Every unit once, except jackknife group `group` of `groups` (deleted).
    DeleteGroup { group: usize, groups: usize },
    /// Every unit once (the full sample).
    #[cfg(test)]
    Full,
    /// Given multiplicities by original unit index (tests).
    #[cfg(test)]
    Given(&'static [u32]),
    /// Given frequency draws `M_u` by original unit index: the replicate weights (tests).
    #[cfg(test)]
    Frequency(&'static [u32]),
}

impl Design {
    /// weight of record `u` is the number of times it was drawn.
    /// Frequency draws: `round(W)` units over the records, `W` the total weight in the
    /// weights' own units (`2^shift` times the relative weights the design holds).
    pub(crate) fn use_frequency_draws(&mut self, shift: i32) {
        if let Some(w) = &self.weights {
            let mut cum = 0.0;
            let cdf: Vec<f64> = w
                .iter()
                .map(|&x| {
                    cum += x;
                    cum
                })
                .collect();
            let draws = libm::scalbn(cum, shift).round().max(1.0) as u64;
            self.frequency = Some((cdf, draws));
        }
    }

    /// Fills the scratch multiplicities of every unit.
    pub(crate) fn draw(&self, draw: Draw, s: &mut Scratch) {
        match draw {
            Draw::Resample { seed, stream } => {
                let rng = || {
                    let mut r = ChaCha8Rng::seed_from_u64(seed);
                    r.set_stream(stream);
                    r
                };
                s.multiplicity_is_weight = false;
                if let (None, Some((cdf, draws))) = (&self.clusters, &self.frequency) {
                    // M ~ Multinomial(round(W); w_u / W): inverse-CDF draws of a unit
                    let mut r = rng();
                    let total = cdf[cdf.len() - 1];
                    s.large.clear();
                    s.large.resize(self.n, 0);
                    for _ in 0..*draws {
                        let x = r.random::<f64>() * total;
                        let u = cdf.partition_point(|&c| c <= x).min(self.n - 1);
                        s.large[u] += 1;
                    }
                    s.is_large = true;
                    s.multiplicity_is_weight = true;
                    return;
                }
                match &self.clusters {
                    None => {
                        let n = self.n as u32;
                        let mut r = rng();
                        s.small.fill(0);
                        let mut overflow = false;
                        for _ in 0..self.n {
                            let c = &mut s.small[r.random_range(0..n) as usize];
                            *c = c.wrapping_add(1);
                            overflow |= *c == 0;
                        }
                        s.is_large = overflow;
                        if overflow {
                            // the same draws again, counted in u32
                            let mut r = rng();
                            s.large.clear();
                            s.large.resize(self.n, 0);
                            for _ in 0..self.n {
                                s.large[r.random_range(0..n) as usize] += 1;
                            }
                        }
                    }
                    Some((ids, g)) => {
                        let mut r = rng();
                        s.cluster_m.fill(0);
                        let g = *g as u32;
                        for _ in 0..g {
                            s.cluster_m[r.random_range(0..g) as usize] += 1;
                        }
                        let cm = std::mem::take(&mut s.cluster_m);
                        s.store(ids.iter().map(|&c| cm[c as usize]));
                        s.cluster_m = cm;
                    }
                }
            }
            Draw::DeleteGroup { group, groups } => {
                s.is_large = false;
                s.multiplicity_is_weight = false;
                match &self.clusters {
                    None => s
                        .small
                        .iter_mut()
                        .enumerate()
                        .for_each(|(u, m)| *m = u8::from(u % groups != group)),
                    Some((ids, _)) => s
                        .small
                        .iter_mut()
                        .zip(ids)
                        .for_each(|(m, &c)| *m = u8::from(c as usize % groups != group)),
                }
            }
            #[cfg(test)]
            Draw::Full => {
                s.is_large = false;
                s.multiplicity_is_weight = false;
                s.small.fill(1);
            }
            #[cfg(test)]
            Draw::Given(by_original) | Draw::Frequency(by_original) => {
                let m: Vec<u32> = self
                    .original
                    .iter()
                    .map(|&i| by_original[i as usize])
                    .collect();
                s.store(m.into_iter());
                s.multiplicity_is_weight = matches!(draw, Draw::Frequency(_));
            }
        }
    }
}

/// Dense cluster numbers `0..G`, and `G`, keyed on the cluster ids: clusters are numbered in the
/// sorted order of their ids, so a cluster's number, hence its draws in every replicate and its
/// jackknife group, depends neither on the order of the rows nor on how the ids are spelled, as
/// long as the spelling keeps their order (the CLI sorts numeric ids by value and text ids by
/// their bytes; Python codes labels in the same sorted order, so both give the same draws).
pub(crate) fn dense_ids<T: Ord>(ids: &[T]) -> (Vec<u32>, usize) {
    let (number, labels) = dense_labels(ids);
    (number, labels.len())
}

/// [`dense_ids`] with the distinct ids themselves: each row's number `0..G` and the ids in
/// sorted order (number `g` is `labels[g]`).
pub(crate) fn dense_labels<T: Ord>(ids: &[T]) -> (Vec<u32>, Vec<&T>) {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
    let mut number = vec![0u32; ids.len()];
    let mut labels: Vec<&T> = Vec::new();
    for (i, &row) in order.iter().enumerate() {
        if i == 0 || ids[order[i - 1] as usize] != ids[row as usize] {
            labels.push(&ids[row as usize]);
        }
        number[row as usize] = (labels.len() - 1) as u32;
    }
    (number, labels)
}

/// A key for a finite `f64` cluster id whose integer order is the numeric order (`-0.0` and
/// `0.0` are one id), for [`Bootstrap::clusters`](super::Bootstrap::clusters) on numeric ids.
pub fn numeric_cluster_key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}
