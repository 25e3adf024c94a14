//! Confidence sets for ranks, and the tau-best / tau-worst sets (Mogstad, Romano, Shaikh &
//! Wilhelm 2024).
//!
//! ```text
//! theta_hat (p estimates), Sigma (p x p, or diag(se^2))        rank_j = 1 + #{k : theta_k > theta_j}
//! Delta_jk = theta_j - theta_k,  sigma_jk = sqrt(S_jj + S_kk - 2 S_jk)
//! Z^(r) ~ N(0, Sigma), r = 1..R                        (parametric bootstrap, R = 10^4 by default)
//! T_P(r) = max over ordered pairs (a, b) in P of (Z_a - Z_b) / sigma_ab
//! c(P)   = (1 - alpha) quantile of T_P(1..R)                   (type 7 interpolation)
//! reject (a, b) in P when Delta_ab / sigma_ab > c(P)           ("theta_a > theta_b")
//! step-down: P <- P minus rejected, recompute c, until nothing new is rejected
//! L_j = 1 + #{k : (k, j) rejected},   U_j = p - #{k : (j, k) rejected}
//! ```
//!
//! Which pairs start in `P` depends on the set wanted (`J` = the populations asked for):
//! two-sided: every ordered pair touching `J`; lower bounds (`{L_j..p}`): the pairs `(k, j)`,
//! `j in J`; upper bounds (`{1..U_j}`): the pairs `(j, k)`, `j in J`. Simultaneous sets run one
//! procedure for all of `J` (they cover every true rank in `J` at once with probability about
//! `1 - alpha`); marginal sets run one per `j` with `J = {j}` (each covers its own rank).
//! tau-best is `{j : L_j <= tau}` from the simultaneous lower bounds over all populations,
//! tau-worst `{j : U_j >= p - tau + 1}` from the simultaneous upper bounds.
//!
//! # The bootstrap, fast
//! The draws are generated once (block `b` of [`DRAW_BLOCK`] draws from ChaCha8 stream `b`, so
//! results are bit-identical on any number of threads) and **re-used by every step** of the
//! step-down: a step keeps a draw's maximum whenever the pair that attained it is still in `P`
//! and recomputes only the others (the maximum over a subset can only fall when its argmax
//! leaves). For the simultaneous sets the populations are sorted by standard error into about
//! `sqrt(p)` buckets, and `max 1/sigma_ab` is stored for every bucket pair; for each draw the
//! bound `(max Z in A - min Z in B) max_{A x B} 1/sigma_ab` on every bucket pair lets all but a
//! few bucket pairs be skipped, so a draw costs about `O(p)` instead of `O(p^2)` (any
//! covariance; the bound is tight when `sigma_ab` varies smoothly with the standard errors, as
//! for independent places or places sharing national cut-offs). The exhaustive `O(p^2 / 2)`
//! maximum (`exhaustive_max`) is a blocked, SIMD-dispatched pass and gives bit-identical
//! critical values. Marginal sets cost `O(R p)` per population and step (blocked over draws).
//!
//! csranks (the R package) draws afresh at each step; re-using the draws is the usual
//! Romano-Wolf implementation and leaves each step's critical value with the same distribution.

//!
//! # Layout
//! - `options`: the options and result types ([`RankSetOptions`], [`RankConfidenceSets`], ...).
//! - `draws`: the validated estimates and covariance, and the Gaussian bootstrap draws.
//! - `simultaneous`: the simultaneous (Romano-Wolf max-t) step-down, dense and bucketed.
//! - `marginal`: the marginal step-downs, one per population, run side by side.
//! - `sets`: the entry points [`rank_confidence_sets`], [`tau_best`], [`tau_worst`].

// Index loops over pairs (a, b) read several arrays at once; iterators would hide the algebra.
#![allow(clippy::needless_range_loop)]

mod draws;
mod marginal;
mod options;
mod sets;
mod simultaneous;

pub use draws::{DRAW_BLOCK, parametric_draws};
pub use options::{
    DEFAULT_DRAWS, RankConfidenceSets, RankSet, RankSetOptions, SetKind, TauSet, Uncertainty,
};
pub use sets::{rank_confidence_sets, tau_best, tau_worst};

#[cfg(test)]
mod tests;
