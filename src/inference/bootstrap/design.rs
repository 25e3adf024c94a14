//! The design: the data arranged once (units in parent sort order, one counting kernel per tie
//! rule) so that a replicate costs a draw and a count, with per-thread buffers.

use super::CutoffMode;
use super::kernels::{GenericKernel, SplitKernel};
use super::midrank::{LANES, MidrankKernel};
use crate::error::{MobilityError, Result};
use crate::matrix::{ClassSpec, TransitionMatrix};
use crate::rank::{Rule, sort_key, sorted_keys};

/// Units are numbered `u = 0..n` by their position in the parent sort order.
#[derive(Debug)]
pub(crate) struct Design {
    pub(super) n: usize,
    pub(super) k: usize,
    /// Weights by unit.
    pub(super) weights: Option<Vec<f64>>,
    /// Cluster number by unit, and the number of clusters.
    pub(super) clusters: Option<(Vec<u32>, usize)>,
    /// Original index of each unit.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) original: Vec<u32>,
    pub(super) kernel: Kernel,
    /// Frequency weights: cumulative weights by unit and the number of units drawn, `round(W)`.
    pub(super) frequency: Option<(Vec<f64>, u64)>,
}

#[derive(Debug)]
pub(super) enum Kernel {
    Midrank(Box<MidrankKernel>),
    /// Cell index `i k + j` of every unit (classes never change).
    Fixed(Vec<u32>),
    Generic(GenericKernel),
    /// Rule `split`: fractional memberships, re-estimated per replicate or fixed.
    Split(Box<SplitKernel>),
}

/// Per-thread buffers, reused across replicates.
pub(crate) struct Scratch {
    /// Multiplicities while they all fit a byte (always, in practice: a multinomial
    /// `(n; 1/n, ...)` count above 255 has probability below 1e-500).
    pub(super) small: Vec<u8>,
    /// Multiplicities when one does not fit a byte (allocated on first need).
    pub(super) large: Vec<u32>,
    pub(super) is_large: bool,
    pub(super) cluster_m: Vec<u32>,
    /// Replicate weight per (parent safe zone, child safe zone), then one slot for the rest.
    pub(super) tab: Vec<f64>,
    pub(super) psafe: Vec<f64>,
    pub(super) csafe: Vec<f64>,
    pub(super) pint: Vec<f64>,
    pub(super) cint: Vec<f64>,
    pub(super) pcuts: Vec<u32>,
    pub(super) ccuts: Vec<u32>,
    pub(super) table: Vec<f64>,
    pub(super) expanded_p: Vec<f64>,
    pub(super) expanded_c: Vec<f64>,
    /// Replicate weights by unit and the slot table (rule `split`).
    pub(super) replicate_w: Vec<f64>,
    pub(super) slot_table: Vec<f64>,
    /// The multiplicities are the replicate weights (frequency draws), not factors of `w_u`.
    pub(super) multiplicity_is_weight: bool,
}

impl Scratch {
    pub(super) fn new(d: &Design) -> Scratch {
        let zones = match &d.kernel {
            Kernel::Midrank(mk) => mk.zones.as_ref(),
            _ => None,
        };
        let (zp, zc) = zones.map_or((0, 0), |z| {
            (z.parent.safe_class.len(), z.child.safe_class.len())
        });
        Scratch {
            small: vec![0; d.n],
            large: Vec::new(),
            is_large: false,
            cluster_m: vec![0; d.clusters.as_ref().map_or(0, |c| c.1)],
            tab: vec![0.0; LANES * (zp * zc + 1)],
            psafe: vec![0.0; zp],
            csafe: vec![0.0; zc],
            pint: vec![0.0; zp.saturating_sub(1)],
            cint: vec![0.0; zc.saturating_sub(1)],
            pcuts: Vec::with_capacity(d.k),
            ccuts: Vec::with_capacity(d.k),
            table: vec![0.0; d.k * d.k],
            expanded_p: Vec::new(),
            expanded_c: Vec::new(),
            replicate_w: Vec::new(),
            slot_table: Vec::new(),
            multiplicity_is_weight: false,
        }
    }

    /// Stores multiplicities given as `u32`, in the byte buffer when they fit.
    pub(super) fn store(&mut self, m: impl Iterator<Item = u32> + Clone) {
        if m.clone().all(|x| x <= u32::from(u8::MAX)) {
            self.is_large = false;
            self.small.iter_mut().zip(m).for_each(|(s, x)| *s = x as u8);
        } else {
            self.is_large = true;
            self.large.clear();
            self.large.extend(m);
        }
    }
}

impl Design {
    /// Arranges the data once: units in a canonical parent order, the kernel of the tie rule
    /// (or the fixed cells of fixed cut-offs).
    pub(crate) fn new(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        clusters: Option<(&[u32], usize)>,
        spec: &ClassSpec,
        tm: &TransitionMatrix,
        mode: CutoffMode,
    ) -> Result<Design> {
        let n = parent.len();
        let k = tm.k();
        let mut psorted = sorted_keys(parent);
        // A canonical unit order: parent ties broken by child, weight and cluster (not by row
        // position), so every replicate's draws, hence its result, do not depend on row order.
        let tie_key = |i: u32| {
            let i = i as usize;
            (
                sort_key(child[i]),
                weights.map_or(0, |w| w[i].to_bits()),
                clusters.map_or(0, |(c, _)| c[i]),
            )
        };
        for run in psorted.chunk_by_mut(|a, b| a.0 == b.0) {
            if run.len() > 1 {
                run.sort_by_key(|&(_, i)| tie_key(i));
            }
        }
        let original: Vec<u32> = psorted.iter().map(|&(_, i)| i).collect();
        let by_unit = |x: &[f64]| -> Vec<f64> { original.iter().map(|&i| x[i as usize]).collect() };
        let child_u = by_unit(child);
        let weights_u = weights.map(by_unit);
        let clusters_u = clusters.map(|(ids, g)| {
            (
                original
                    .iter()
                    .map(|&i| ids[i as usize])
                    .collect::<Vec<u32>>(),
                g,
            )
        });
        let kernel = match (spec, mode) {
            (ClassSpec::Quantiles { rule, .. }, CutoffMode::Reestimate) => {
                if *rule == Rule::Split {
                    Kernel::Split(Box::new(SplitKernel {
                        parent: by_unit(parent),
                        child: child_u.clone(),
                        fixed: None,
                    }))
                } else if *rule == Rule::Midrank {
                    // How much more a cut position moves between replicates than under unit
                    // resampling with equal weights: Kish's design effect of the weights times
                    // the mean cluster size seen by a unit.
                    let kish = weights_u.as_ref().map_or(1.0, |w| {
                        let (s1, s2) = w.iter().fold((0.0, 0.0), |(a, b), x| (a + x, b + x * x));
                        n as f64 * s2 / (s1 * s1)
                    });
                    let cluster = clusters_u.as_ref().map_or(1.0, |(ids, g)| {
                        let mut size = vec![0u64; *g];
                        ids.iter().for_each(|&c| size[c as usize] += 1);
                        size.iter().map(|&s| (s * s) as f64).sum::<f64>() / n as f64
                    });
                    Kernel::Midrank(Box::new(MidrankKernel::new(
                        psorted.iter().map(|&(key, _)| key).collect(),
                        &child_u,
                        weights_u.as_deref(),
                        k,
                        kish * cluster,
                    )))
                } else {
                    Kernel::Generic(GenericKernel {
                        rule: *rule,
                        parent: by_unit(parent),
                        child: child_u,
                    })
                }
            }
            _ => {
                let missing = || MobilityError::Undefined {
                    what: "fixed cut-offs".into(),
                    reason: "the full-sample matrix carries no cut-offs".into(),
                };
                let pcut = tm.parent_cutoffs().ok_or_else(missing)?;
                let ccut = tm.child_cutoffs().ok_or_else(missing)?;
                if pcut.has_split() || ccut.has_split() {
                    let (ps, cs) = (pcut.splitter(), ccut.splitter());
                    let cells = psorted
                        .iter()
                        .zip(&child_u)
                        .map(|(&(key, _), &c)| {
                            (ps.slot(key) * cs.slots() + cs.slot(sort_key(c))) as u32
                        })
                        .collect();
                    Kernel::Split(Box::new(SplitKernel {
                        parent: Vec::new(),
                        child: Vec::new(),
                        fixed: Some((ps, cs, cells)),
                    }))
                } else {
                    let pc = pcut.classifier();
                    let cc = ccut.classifier();
                    Kernel::Fixed(
                        psorted
                            .iter()
                            .zip(&child_u)
                            .map(|(&(key, _), &c)| {
                                (pc.class0(key) * k + cc.class0(sort_key(c))) as u32
                            })
                            .collect(),
                    )
                }
            }
        };
        Ok(Design {
            n,
            k,
            weights: weights_u,
            clusters: clusters_u,
            original,
            kernel,
            frequency: None,
        })
    }

    /// Counts the replicate's `k x k` table into `s.table` from its multiplicities.
    pub(crate) fn count(&self, s: &mut Scratch) {
        let small = std::mem::take(&mut s.small);
        let large = std::mem::take(&mut s.large);
        let weights = if s.multiplicity_is_weight {
            &None
        } else {
            &self.weights
        };
        match (weights, s.is_large) {
            (None, false) => self.count_with(&Unweighted { m: &small }, s),
            (None, true) => self.count_with(&Unweighted { m: &large }, s),
            (Some(w), false) => self.count_with(&Weighted { m: &small, w }, s),
            (Some(w), true) => self.count_with(&Weighted { m: &large, w }, s),
        }
        s.small = small;
        s.large = large;
    }

    pub(super) fn count_with<V: Values>(&self, v: &V, s: &mut Scratch) {
        s.table.fill(0.0);
        match &self.kernel {
            Kernel::Midrank(mk) => mk.count(self.n, self.k, v, s),
            Kernel::Fixed(cells) => {
                for (x, &c) in v.range(0, self.n).zip(cells) {
                    s.table[c as usize] += x;
                }
            }
            Kernel::Generic(g) => g.count(self.k, v, s),
            Kernel::Split(sk) => sk.count(self.n, self.k, v, s),
        }
    }
}

/// The replicate weight `v_u = w_u m_u` of a unit.
pub(super) trait Values {
    fn at(&self, u: usize) -> f64;
    fn range(&self, start: usize, end: usize) -> impl Iterator<Item = f64> + '_;
    fn multiplicity(&self, u: usize) -> u32;
}

pub(super) struct Unweighted<'a, T> {
    pub(super) m: &'a [T],
}

impl<T: Copy + Into<f64> + Into<u32>> Values for Unweighted<'_, T> {
    #[inline]
    fn at(&self, u: usize) -> f64 {
        self.m[u].into()
    }
    #[inline]
    fn range(&self, start: usize, end: usize) -> impl Iterator<Item = f64> + '_ {
        self.m[start..end].iter().map(|&x| x.into())
    }
    #[inline]
    fn multiplicity(&self, u: usize) -> u32 {
        self.m[u].into()
    }
}

pub(super) struct Weighted<'a, T> {
    pub(super) m: &'a [T],
    pub(super) w: &'a [f64],
}

impl<T: Copy + Into<f64> + Into<u32>> Values for Weighted<'_, T> {
    #[inline]
    fn at(&self, u: usize) -> f64 {
        let m: f64 = self.m[u].into();
        m * self.w[u]
    }
    #[inline]
    fn range(&self, start: usize, end: usize) -> impl Iterator<Item = f64> + '_ {
        self.m[start..end]
            .iter()
            .zip(&self.w[start..end])
            .map(|(&x, &w)| {
                let m: f64 = x.into();
                m * w
            })
    }
    #[inline]
    fn multiplicity(&self, u: usize) -> u32 {
        self.m[u].into()
    }
}

impl Design {
    /// Fresh per-thread buffers.
    pub(crate) fn scratch(&self) -> Scratch {
        Scratch::new(self)
    }

    /// The original row of each unit (units are numbered in parent sort order).
    pub(crate) fn original_rows(&self) -> &[u32] {
        &self.original
    }

    /// Whether the replicate last drawn into `s` gives each unit's weight as its multiplicity
    /// alone (frequency draws) rather than `w_u m_u`.
    pub(crate) fn multiplicity_is_weight(&self, s: &Scratch) -> bool {
        s.multiplicity_is_weight
    }

    /// The multiplicity of unit `u` in the replicate last drawn into `s`.
    #[inline]
    pub(crate) fn multiplicity(&self, s: &Scratch, u: usize) -> u32 {
        if s.is_large {
            s.large[u]
        } else {
            u32::from(s.small[u])
        }
    }

    /// After [`Design::count`] with the `midrank` kernel: the replicate's `k - 1` parent cut
    /// positions (unit numbers) and child cut positions (positions in the child sort order, by
    /// [`sorted_keys`] of the child status in unit order); a unit is in 0-based class
    /// `#{cuts <= position}`. `None` for the other kernels.
    pub(crate) fn cut_positions<'s>(&self, s: &'s Scratch) -> Option<(&'s [u32], &'s [u32])> {
        matches!(self.kernel, Kernel::Midrank(_)).then(|| (&s.pcuts[..], &s.ccuts[..]))
    }
}
