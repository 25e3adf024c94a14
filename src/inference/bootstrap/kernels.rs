//! The counting kernels of the rules other than `midrank`: the generic one (expand the replicate
//! by multiplicity and re-select) and the `split` one (fractional memberships).

use super::design::{Scratch, Values};
use crate::quantile::{Cutoffs, Splitter};
use crate::rank::{Rule, sort_key};

/// Rules other than `midrank`: expand the replicate by multiplicity and re-run the selection.
#[derive(Debug)]
pub(super) struct GenericKernel {
    pub(super) rule: Rule,
    pub(super) parent: Vec<f64>,
    pub(super) child: Vec<f64>,
}

impl GenericKernel {
    pub(super) fn count<V: Values>(&self, k: usize, v: &V, s: &mut Scratch) {
        s.expanded_p.clear();
        s.expanded_c.clear();
        for (u, (&p, &c)) in self.parent.iter().zip(&self.child).enumerate() {
            for _ in 0..v.multiplicity(u) {
                s.expanded_p.push(p);
                s.expanded_c.push(c);
            }
        }
        if s.expanded_p.is_empty() {
            return;
        }
        // The values are finite and k >= 2 (checked on the full sample), and the non-midrank rules
        // are unweighted, so the selection cannot fail here.
        let (Ok(pc), Ok(cc)) = (
            Cutoffs::quantiles(&s.expanded_p, None, k, self.rule),
            Cutoffs::quantiles(&s.expanded_c, None, k, self.rule),
        ) else {
            return;
        };
        let (pc, cc) = (pc.classifier(), cc.classifier());
        for (u, (&p, &c)) in self.parent.iter().zip(&self.child).enumerate() {
            let x = v.at(u);
            if x != 0.0 {
                s.table[pc.class0(sort_key(p)) * k + cc.class0(sort_key(c))] += x;
            }
        }
    }
}

/// Rule `split`: the replicate's weights `w_u m_u` give new tie-group intervals, so the split
/// cut-offs are re-selected on them (weighted, no expansion); or fixed splitters and slot cells.
#[derive(Debug)]
pub(super) struct SplitKernel {
    pub(super) parent: Vec<f64>,
    pub(super) child: Vec<f64>,
    /// Fixed cut-offs: the two splitters and every unit's slot cell.
    pub(super) fixed: Option<(Splitter, Splitter, Vec<u32>)>,
}

impl SplitKernel {
    pub(super) fn count<V: Values>(&self, n: usize, k: usize, v: &V, s: &mut Scratch) {
        if let Some((ps, cs, cells)) = &self.fixed {
            s.slot_table.clear();
            s.slot_table.resize(ps.slots() * cs.slots(), 0.0);
            for (x, &c) in v.range(0, n).zip(cells) {
                s.slot_table[c as usize] += x;
            }
            Splitter::expand(ps, cs, &s.slot_table, &mut s.table);
            return;
        }
        s.replicate_w.clear();
        s.replicate_w.extend(v.range(0, n));
        let total: f64 = s.replicate_w.iter().sum();
        if total <= 0.0 {
            return;
        }
        // The values are finite, the weights valid and k checked on the full sample.
        let (Ok(pc), Ok(cc)) = (
            Cutoffs::quantiles_checked(&self.parent, Some(&s.replicate_w), total, k, Rule::Split),
            Cutoffs::quantiles_checked(&self.child, Some(&s.replicate_w), total, k, Rule::Split),
        ) else {
            return;
        };
        let (ps, cs) = (pc.splitter(), cc.splitter());
        let sc = cs.slots();
        s.slot_table.clear();
        s.slot_table.resize(ps.slots() * sc, 0.0);
        for ((&p, &c), &x) in self.parent.iter().zip(&self.child).zip(&s.replicate_w) {
            if x != 0.0 {
                s.slot_table[ps.slot(sort_key(p)) * sc + cs.slot(sort_key(c))] += x;
            }
        }
        Splitter::expand(&ps, &cs, &s.slot_table, &mut s.table);
    }
}
