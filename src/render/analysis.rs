//! Text of an [`AnalysisReport`]: the matrix report, then the rank and income measures (one line
//! each, with the registry's description), then the bootstrap table.

use crate::inference::{BootstrapSettings, CiMethod, CutoffMode, EstimateTable, ResampleUnit};
use crate::rankbased::RankMobility;
use crate::registry::{RankMeasure, Scale};
use crate::render::text::render_report;
use crate::report::AnalysisReport;

/// The whole analysis: [`render_report`], the rank measures and, when present, the bootstrap.
///
/// # Complexity
/// `O(k^2)`.
pub fn render_analysis(r: &AnalysisReport, labels: &[String]) -> String {
    let mut out = render_report(&r.report, labels);
    if let Some(w) = &r.weights {
        out.push_str(&format!("\nWeights: {}\n", w.describe()));
    }
    if let Some(spans) = &r.tie_spans {
        out.push_str(&render_tie_spans(spans, labels));
    }
    out.push_str(&render_rank_measures(
        r.rank_measures.as_ref(),
        r.rank_note.as_deref(),
    ));
    if let (Some(table), Some(settings)) = (&r.inference, &r.bootstrap) {
        out.push_str(&render_inference(table, settings));
        if let Some(ranks) = &r.rank_inference {
            out.push_str(&render_rank_inference(ranks, settings));
        }
    }
    out
}

/// The rank measures' bootstrap rows (same replicates as the matrix measures).
pub fn render_rank_inference(table: &EstimateTable, r: &BootstrapSettings) -> String {
    let body = render_inference(table, r);
    // keep the table, replace the settings line
    let rows: Vec<&str> = body.lines().skip(2).collect();
    format!(
        "\nRank and income measures, same bootstrap replicates (ranks re-estimated in each)\n{}\n",
        rows.join("\n")
    )
}

/// The tie-span notes: one wrapped paragraph per tie group whose rank interval crosses a class
/// boundary; nothing when there is none.
pub fn render_tie_spans(spans: &[crate::quantile::TieSpan], labels: &[String]) -> String {
    let mut out = String::new();
    if spans.is_empty() {
        return out;
    }
    out.push_str(
        "
Ties across class boundaries
",
    );
    for s in spans {
        out.push_str(&crate::render::text::wrap(
            &format!("  {}", s.message(labels)),
            4,
        ));
    }
    out
}

/// The rank and income measures, one line each with its registry description; `note` says why
/// they are undefined when `ranks` is `None`.
pub fn render_rank_measures(ranks: Option<&RankMobility>, note: Option<&str>) -> String {
    let Some(m) = ranks else {
        return format!(
            "\nRank and income measures: {}\n",
            note.unwrap_or("undefined")
        );
    };
    let mut out =
        String::from("\nRank and income measures (mid-ranks, ties share their mean rank)\n");
    for &measure in RankMeasure::ALL {
        let info = measure.info();
        let value = measure.value(m).map_or_else(
            || "undefined".to_string(),
            |v| match info.scale {
                Scale::RankPoints => format!("{v:.2}"),
                _ => format!("{v:.4}"),
            },
        );
        let what = if measure == RankMeasure::Ige {
            format!(
                "{}; {} pair{} with status <= 0 dropped",
                info.description,
                m.ige_dropped,
                if m.ige_dropped == 1 { "" } else { "s" }
            )
        } else {
            info.description.to_string()
        };
        out.push_str(&crate::render::text::wrap(
            &format!("  {:<29} {value:>8}  {what}", info.name),
            42,
        ));
    }
    out
}

/// The bootstrap section: settings, then estimate, SE, interval and undefined replicates per
/// statistic.
pub fn render_inference(table: &EstimateTable, r: &BootstrapSettings) -> String {
    let what = match (r.resample, r.clusters) {
        (ResampleUnit::Clusters, Some(clusters)) => format!("of the {clusters} clusters"),
        _ if r.weight_kind == crate::weights::WeightKind::Frequency => {
            format!(
                "of the units the {} rows stand for (frequency weights)",
                r.units
            )
        }
        _ => format!("of the {} rows", r.units),
    };
    let cutoffs = match r.cutoffs {
        CutoffMode::Reestimate => "cut-offs re-estimated in each",
        CutoffMode::Fixed => "cut-offs fixed",
    };
    let interval = format!(
        "{}% {} interval",
        (r.level * 100.0).round(),
        match r.ci {
            CiMethod::Percentile => "percentile",
            CiMethod::Bca => "BCa",
        }
    );
    let mut out = format!(
        "\nBootstrap: {} replicates (seed {}) {what}, {cutoffs}\n",
        r.replicates, r.seed
    );
    let line = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        format!("  {a:<24} {b:>10} {c:>10}   {d:<24} {e}")
            .trim_end()
            .to_string()
            + "\n"
    };
    out.push_str(&line("measure", "estimate", "se", &interval, "undefined"));
    let num = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
    let mut notes = Vec::new();
    for (name, s) in &table.0 {
        let mut ci = match (s.ci_low, s.ci_high) {
            (Some(lo), Some(hi)) => format!("[{lo:.4}, {hi:.4}]"),
            _ => "-".to_string(),
        };
        // a note on the interval (e.g. it excludes the estimate) is marked and listed below;
        // "undefined in the full sample" is what the "-" already says
        if let Some(note) = s.note.as_deref().filter(|_| s.estimate.is_some()) {
            ci.push_str(" *");
            notes.push(format!("  * {name}: {note}"));
        }
        let undefined = if s.undefined_replicates > 0 {
            format!("in {} of {}", s.undefined_replicates, r.replicates)
        } else {
            String::new()
        };
        out.push_str(&line(name, &num(s.estimate), &num(s.se), &ci, &undefined));
    }
    for note in notes {
        out.push_str(&crate::render::text::wrap(&note, 6));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inference::{BCA_EXCLUDES_ESTIMATE, Estimate};

    #[test]
    fn interval_notes_are_marked_and_listed() {
        let settings = BootstrapSettings {
            k: 5,
            replicates: 1000,
            seed: 1,
            level: 0.95,
            ci: CiMethod::Bca,
            cutoffs: CutoffMode::Reestimate,
            resample: ResampleUnit::Units,
            clusters: None,
            units: 934,
            jackknife_groups: 30,
            weighting: crate::measures::Weighting::ParentShares,
            weight_kind: crate::weights::WeightKind::Sampling,
        };
        let entry = |estimate: Option<f64>, note: Option<&str>| Estimate {
            estimate,
            se: Some(0.01),
            ci_low: Some(0.9698),
            ci_high: Some(0.9927),
            undefined_replicates: 0,
            note: note.map(str::to_string),
        };
        let table = EstimateTable(vec![
            ("shorrocks_trace".into(), entry(Some(0.5), None)),
            (
                "determinant_shorrocks".into(),
                entry(Some(0.9692), Some(BCA_EXCLUDES_ESTIMATE)),
            ),
            (
                "second_eigenvalue".into(),
                entry(None, Some("undefined in the full sample")),
            ),
        ]);
        let text = render_inference(&table, &settings);
        assert!(text.contains("[0.9698, 0.9927] *"), "{text}");
        assert_eq!(
            text.lines().filter(|l| l.ends_with(" *")).count(),
            1,
            "{text}"
        );
        let listed: String = text
            .lines()
            .skip_while(|l| !l.starts_with("  * determinant_shorrocks: "))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(listed.contains(BCA_EXCLUDES_ESTIMATE), "{text}");
        assert!(!text.contains("undefined in the full sample"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
        // the JSON carries the note only where there is one
        let json = serde_json::to_value(&table).unwrap();
        assert_eq!(json["determinant_shorrocks"]["note"], BCA_EXCLUDES_ESTIMATE);
        assert!(json["shorrocks_trace"].get("note").is_none());
    }
}
