//! The quickstart demonstration (`mobility demo`, `cargo run --release --example quickstart`): a
//! simulated population and the published US and UK matrices side by side in an OECD-style
//! table, as text.
//!
//! 1. Simulate `n` parent/child income pairs (log-normal) whose rank correlation is 0.35, close to
//!    the US rank-rank slope of Chetty et al. (2014), and build the decile and quintile
//!    matrices (timed).
//! 2. Load the published US quintile matrix (Chetty, Hendren, Kline & Saez 2014) and the UK
//!    quartile matrix (Blanden, Gregg & Machin 2005).
//! 3. The headline measures of all four matrices side by side, each with a one-line explanation.

use std::time::Instant;

use crate::error::Result;
use crate::markov::convergence;
use crate::measures::{Measures, Weighting};
use crate::published;
use crate::simulate::{Correlation, Simulation, gaussian_copula_matrix, simulate};
use crate::{ClassSpec, TransitionMatrix};

/// Appends a line (`format!` arguments) to a `String`.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

/// Appends text (`format!` arguments) to a `String`.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {
        $out.push_str(&format!($($arg)*))
    };
}

/// What the demonstration simulates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoOptions {
    /// Simulated pairs (at most [`crate::limits::MAX_SIMULATED`]).
    pub n: usize,
    /// Spearman rank correlation of parent and child status.
    pub rank_correlation: f64,
    /// Seed of the simulation.
    pub seed: u64,
}

impl Default for DemoOptions {
    /// 1,000,000 pairs, rank correlation 0.35, seed 42.
    fn default() -> Self {
        DemoOptions {
            n: 1_000_000,
            rank_correlation: 0.35,
            seed: 42,
        }
    }
}

/// The demonstration's text: simulation and timings, three matrices, the side-by-side measures.
///
/// # Errors
/// What [`simulate`] rejects (`n` above the limit or below 2, a correlation outside (-1, 1)).
///
/// # Complexity
/// `O(n log n)` (simulation and two sorts per matrix).
///
/// # Example
/// ```
/// use mobility::render::demo::{DemoOptions, quickstart};
/// let text = quickstart(&DemoOptions { n: 2_000, ..DemoOptions::default() }).unwrap();
/// assert!(text.contains("United States (Chetty et al. 2014), quintiles"));
/// assert!(text.contains("sticky floor"));
/// ```
pub fn quickstart(options: &DemoOptions) -> Result<String> {
    let mut out = String::new();
    say!(out, "mobility quickstart\n");
    // 1. A simulated population.
    let spec = Simulation::new(options.n, 0.0, options.seed)
        .with_correlation(Correlation::Spearman(options.rank_correlation));
    let t = Instant::now();
    let pairs = simulate(&spec)?;
    let simulated_in = t.elapsed();
    let t = Instant::now();
    let deciles = TransitionMatrix::from_status(
        &pairs.parent,
        &pairs.child,
        None,
        &ClassSpec::quantiles(10),
    )?;
    let deciles_in = t.elapsed();
    let t = Instant::now();
    let quintiles =
        TransitionMatrix::from_status(&pairs.parent, &pairs.child, None, &ClassSpec::quantiles(5))?;
    let quintiles_in = t.elapsed();
    say!(
        out,
        "Simulated {} parent/child pairs in {:.3} s\n  (log-normal incomes, rank correlation \
         {}, seed {}).",
        thousands(options.n),
        simulated_in.as_secs_f64(),
        options.rank_correlation,
        options.seed,
    );
    say!(
        out,
        "Ranked both generations and built the decile matrix in {:.3} s, the quintile matrix in \
         {:.3} s\n  (all cores; cargo run --release for these times).",
        deciles_in.as_secs_f64(),
        quintiles_in.as_secs_f64()
    );
    let truth = gaussian_copula_matrix(spec.correlation.latent()?, 5)?;
    say!(
        out,
        "Simulated P(Q1 -> Q1) = {:.4}; the model's population value is {:.4}.\n",
        quintiles.probabilities()[[0, 0]],
        truth[[0, 0]]
    );

    // 2. Published matrices.
    let us = published::us_chetty_2014_quintiles();
    let uk = published::uk_blanden_2005_quartiles();

    matrix_text(
        &mut out,
        "Simulated quintiles: P(child quintile | parent quintile)",
        &quintiles,
    );
    matrix_text(
        &mut out,
        "United States (Chetty et al. 2014), quintiles",
        &us,
    );
    matrix_text(
        &mut out,
        "United Kingdom (Blanden et al. 2005), quartiles",
        &uk,
    );

    // 3. The report.
    let columns = [
        ("sim D10", &deciles),
        ("sim Q5", &quintiles),
        ("US Q5", &us),
        ("UK Q4", &uk),
    ];
    let measures: Vec<Measures> = columns
        .iter()
        .map(|(_, m)| m.measures(&Weighting::ParentShares))
        .collect::<Result<_>>()?;
    let half_lives: Vec<Option<f64>> = columns
        .iter()
        .map(|(_, m)| {
            convergence(m.probabilities(), None)
                .ok()
                .map(|c| c.half_life)
        })
        .collect();

    say!(
        out,
        "Mobility report (bottom = poorest class, top = richest; pi = parent shares)\n"
    );
    put!(out, "  {:<40}", "");
    for (title, _) in &columns {
        put!(out, "{title:>10}");
    }
    say!(out, "");
    let rows: [DemoLine; 10] = [
        (
            "sticky floor  P(bottom | bottom)",
            "children of the poorest class who stay there (OECD 2018)",
            |m| m.bottom_persistence,
        ),
        (
            "sticky ceiling  P(top | top)",
            "children of the richest class who stay there",
            |m| m.top_persistence,
        ),
        (
            "upward from the bottom  1 - P(b | b)",
            "children of the poorest class who climb at least one class",
            |m| m.upward_from_bottom,
        ),
        (
            "rags to riches  P(top | bottom)",
            "Chetty et al. (2014): P(Q5 | Q1), 7.5% in the US",
            |m| m.bottom_to_top,
        ),
        (
            "riches to rags  P(bottom | top)",
            "children of the richest class who fall to the bottom",
            |m| m.top_to_bottom,
        ),
        (
            "immobility  sum pi_i p_ii",
            "share of all children in their parents' class",
            |m| m.immobility_ratio,
        ),
        (
            "moved up",
            "share of all children in a higher class than their parents",
            |m| m.upward_share,
        ),
        (
            "Shorrocks trace  (k - tr P)/(k - 1)",
            "0 = everyone stays, 1 = origin does not matter (Shorrocks 1978)",
            |m| m.shorrocks_trace,
        ),
        (
            "second eigenvalue  1 - |lambda_2|",
            "speed of convergence to the long run (Sommers & Conlisk 1979)",
            |m| m.second_eigenvalue,
        ),
        (
            "Bartholomew  mean |jump| / (k - 1)",
            "average distance moved, as a share of the widest jump",
            |m| m.bartholomew,
        ),
    ];
    for (label, explanation, get) in rows {
        put!(out, "  {label:<40}");
        for m in &measures {
            put!(
                out,
                "{:>10}",
                get(m).map_or("-".to_string(), |v| format!("{v:.3}"))
            );
        }
        say!(out, "\n      {explanation}");
    }
    put!(out, "  {:<40}", "half-life of advantage (generations)");
    for h in &half_lives {
        put!(
            out,
            "{:>10}",
            h.map_or("-".to_string(), |v| format!("{v:.2}"))
        );
    }
    say!(
        out,
        "\n      generations for the gap to the long-run distribution to halve"
    );
    let (sim, real) = (&measures[1], &measures[2]);
    let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    say!(
        out,
        "\nMeasures depend on the number of classes: compare deciles with deciles, quintiles with\n\
         quintiles. The Gaussian copula is symmetric (floor {} = ceiling {}); the US matrix is not:\n\
         its floor is {} and children born at the top fall to the bottom with probability {}\n\
         (the copula: {}).",
        show(sim.bottom_persistence),
        show(sim.top_persistence),
        show(real.bottom_persistence),
        show(real.top_to_bottom),
        show(sim.top_to_bottom),
    );
    Ok(out)
}

/// A report line: label, one-line explanation, and the measure it shows.
type DemoLine = (&'static str, &'static str, fn(&Measures) -> Option<f64>);

fn matrix_text(out: &mut String, title: &str, tm: &TransitionMatrix) {
    say!(out, "{title}");
    let labels = tm.labels();
    put!(out, "  {:<8}", "parent");
    for l in &labels {
        put!(out, "{l:>8}");
    }
    say!(out, "");
    for (i, l) in labels.iter().enumerate() {
        put!(out, "  {l:<8}");
        for v in tm.probabilities().row(i) {
            put!(out, "{v:>8.3}");
        }
        say!(out, "");
    }
    say!(out, "");
}

/// `1000000` as `1,000,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
