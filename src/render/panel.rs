//! Text of a [`PanelReport`]: the pooled matrix, each transition's headline measures, and the
//! test of time homogeneity.

use crate::panel::PanelReport;
use crate::render::text::{render_report, wrap};

/// The pooled report ([`render_report`]), a line per transition (sticky floor, ceiling,
/// Shorrocks trace) and the Anderson-Goodman test.
///
/// # Complexity
/// `O(T k^2)`.
pub fn render_panel(r: &PanelReport, labels: &[String]) -> String {
    let t = r.periods.len();
    let mut out = format!(
        "Panel of {t} periods ({}): {} transitions pooled\n\n",
        r.periods.join(", "),
        r.transitions.len()
    );
    if let Some(w) = &r.weights {
        out.push_str(&format!("Weights: {}\n\n", w.describe()));
    }
    out.push_str("Pooled over the transitions\n");
    out.push_str(&render_report(&r.pooled, labels));
    out.push_str("\nPer transition (each period classified on its own)\n");
    let f = |v: Option<f64>| v.map_or_else(|| "undefined".to_string(), |v| format!("{v:.4}"));
    out.push_str("  transition            n   sticky floor  sticky ceiling  Shorrocks trace\n");
    for tr in &r.transitions {
        let m = &tr.report.measures;
        out.push_str(&format!(
            "  {:<14} {:>8}  {:>12}  {:>14}  {:>15}\n",
            format!("{} -> {}", tr.from, tr.to),
            tr.report
                .n
                .map_or_else(|| "-".to_string(), crate::render::text::format_count),
            f(m.bottom_persistence),
            f(m.top_persistence),
            f(m.shorrocks_trace),
        ));
    }
    if let Some(h) = &r.time_homogeneity {
        out.push_str(&wrap(
            &format!(
                "\nTime homogeneity (Anderson & Goodman 1957; H0: the same P in every \
                 transition): G = {:.3}, df = {}, p = {:.4}; Pearson X^2 = {:.3}, p = {:.4}",
                h.likelihood_ratio.statistic,
                h.likelihood_ratio.df,
                h.likelihood_ratio.p_value,
                h.chi_square.statistic,
                h.chi_square.p_value
            ),
            2,
        ));
    }
    if let Some(n) = &r.time_homogeneity_note {
        out.push_str(&wrap(&format!("  ({n})"), 3));
    }
    out
}
