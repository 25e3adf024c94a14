//! The rows in a canonical order, so that every rank measure is the same bit for bit for any
//! order of the input rows.

use rayon::prelude::*;

use super::{CHUNK, PARALLEL_SORT_MIN};
use crate::rank::sort_key;

/// The rows in a canonical order (by parent, child, weight, then national ranks): every sum over
/// it, hence every rank measure, is the same bit for bit for any order of the rows. Rows equal
/// in all keys are interchangeable, so an unstable sort is enough.
pub(super) struct Canonical {
    parent: Vec<f64>,
    child: Vec<f64>,
    weights: Option<Vec<f64>>,
    pub(super) national: Option<(Vec<f64>, Vec<f64>)>,
}

impl Canonical {
    pub(super) fn new(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        national: Option<(&[f64], &[f64])>,
    ) -> Canonical {
        let order: Vec<u32> = match national {
            None => {
                // the keys laid out next to each other: the sort reads memory in order
                let mut keyed: Vec<([u64; 3], u32)> = (0..parent.len())
                    .into_par_iter()
                    .with_min_len(CHUNK)
                    .map(|i| {
                        let w = weights.map_or(0, |w| w[i].to_bits());
                        ([sort_key(parent[i]), sort_key(child[i]), w], i as u32)
                    })
                    .collect();
                if keyed.len() >= PARALLEL_SORT_MIN {
                    keyed.par_sort_unstable();
                } else {
                    keyed.sort_unstable();
                }
                keyed.into_iter().map(|k| k.1).collect()
            }
            Some((a, b)) => {
                let mut order: Vec<u32> = (0..parent.len() as u32).collect();
                order.par_sort_unstable_by_key(|&i| {
                    let i = i as usize;
                    (
                        sort_key(parent[i]),
                        sort_key(child[i]),
                        weights.map_or(0, |w| w[i].to_bits()),
                        (sort_key(a[i]), sort_key(b[i])),
                    )
                });
                order
            }
        };
        let pick = |x: &[f64]| -> Vec<f64> {
            order
                .par_iter()
                .with_min_len(CHUNK)
                .map(|&i| x[i as usize])
                .collect()
        };
        Canonical {
            parent: pick(parent),
            child: pick(child),
            weights: weights.map(pick),
            national: national.map(|(a, b)| (pick(a), pick(b))),
        }
    }

    pub(super) fn view(&self) -> (&[f64], &[f64], Option<&[f64]>) {
        (&self.parent, &self.child, self.weights.as_deref())
    }
}
