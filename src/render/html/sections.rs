//! The page's places and groups sections: the league table rows, the medians, the contrast lists,
//! and (for groups) the places bootstrap's intervals and the rank confidence sets.

use std::collections::HashMap;

use super::{
    BootstrapOptions, HeadlineMeasure, PlaceEntry, PlacesSection, RankConfidence, ReportOptions,
    median, text,
};
use crate::error::{MobilityError, Result};
use crate::places::groups::GroupTable;
use crate::places::report::{ExcludedPlace, MobilityScore, PlacesReport};
use crate::rankbased::rank_mobility;

pub(super) fn places_section(p: &PlacesReport) -> PlacesSection {
    let rows: Vec<PlaceEntry> = p
        .places
        .iter()
        .map(|r| PlaceEntry {
            id: r.id.clone(),
            name: if r.name.is_empty() {
                r.id.clone()
            } else {
                r.name.clone()
            },
            region: r.region.clone(),
            size: r.size,
            estimate: r.mobility_score,
            ci_low: None,
            ci_high: None,
            levelling: r.levelling_score,
            mobility_rank: r.mobility_rank,
            levelling_rank: r.levelling_rank,
        })
        .collect();
    let label = |c: &crate::places::report::Contrast| {
        if c.region.is_empty() {
            c.name.clone()
        } else {
            format!("{}, {}", c.name, c.region)
        }
    };
    section(
        "places",
        p.options.mobility_score,
        rows,
        p.levelling_not_mobility.iter().map(label).collect(),
        p.mobility_not_levelling.iter().map(label).collect(),
        p.options.contrast_fraction,
        p.score_correlation,
        p.excluded.clone(),
    )
}

#[allow(clippy::too_many_arguments)]
fn section(
    kind: &str,
    score: MobilityScore,
    rows: Vec<PlaceEntry>,
    levelling_not_mobility: Vec<String>,
    mobility_not_levelling: Vec<String>,
    contrast_fraction: f64,
    score_correlation: Option<f64>,
    excluded: Vec<ExcludedPlace>,
) -> PlacesSection {
    let lev: Vec<f64> = rows.iter().map(|r| r.levelling).collect();
    let mob: Vec<f64> = rows.iter().map(|r| r.estimate).collect();
    PlacesSection {
        kind: kind.into(),
        score_title: match score.measure() {
            Some(m) => text::title(HeadlineMeasure::Matrix(m)).to_string(),
            None => "Top access ratio".into(),
        },
        score: score.name().to_string(),
        levelling_median: median(&lev),
        mobility_median: median(&mob),
        rows,
        rank_confidence: None,
        levelling_not_mobility,
        mobility_not_levelling,
        contrast_fraction,
        score_correlation,
        excluded,
        rank_note: None,
    }
}

/// Ranks 1 = highest, ties in input order.
fn ranks_desc(v: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[b].total_cmp(&v[a]));
    let mut rank = vec![0; v.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r + 1;
    }
    rank
}

/// The groups' intervals and rank confidence sets in the league table: a joint places bootstrap
/// of the mobility score (the whole sample resampled, national cut-offs re-estimated in each
/// replicate, [`crate::inference::places_bootstrap`]), normal intervals `estimate +- z se` at the
/// bootstrap's level, and simultaneous rank confidence sets with shrunk estimates from
/// [`crate::ranking::rank_places`] at the same level. Nothing for `top_access_ratio` (a ratio of
/// two cells, not a registry measure the places bootstrap knows).
///
/// # Errors
/// What the places bootstrap and the ranking reject (fewer than 2 places with an estimate,
/// replicates out of range).
///
/// # Complexity
/// `O(B (n + G k^2))` for the bootstrap, then the rank sets' draws.
pub(super) fn league_table_intervals(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    groups: &[String],
    b: &BootstrapOptions,
    options: &ReportOptions,
    section: &mut PlacesSection,
) -> Result<()> {
    use crate::inference::places_bootstrap::{
        PlaceMeasure, PlacesBootstrapOptions, places_bootstrap,
    };
    use crate::ranking::{PlaceRankingOptions, rank_places};
    let Some(measure) = options.mobility_score.measure() else {
        return Ok(());
    };
    let boot_options = PlacesBootstrapOptions {
        rule: options.rule,
        seed: b.seed,
        weighting: options.weighting.clone(),
        progress: b.progress.clone(),
        ..PlacesBootstrapOptions::new(options.k, PlaceMeasure::Matrix(measure), b.replicates)
    };
    let boot = places_bootstrap(
        parent,
        child,
        weights,
        groups,
        None::<&[u32]>,
        &boot_options,
    )?;
    let z = crate::normal::quantile(0.5 + b.level / 2.0).ok_or_else(|| {
        MobilityError::invalid(
            crate::error::Parameter::Level,
            format!("{} is not a confidence level in (0, 1)", b.level),
        )
    })?;
    let se: HashMap<&str, f64> = boot
        .places
        .iter()
        .filter_map(|p| p.se.map(|s| (p.place.as_str(), s)))
        .collect();
    for row in &mut section.rows {
        if let Some(&s) = se.get(row.id.as_str()) {
            row.ci_low = Some(row.estimate - z * s);
            row.ci_high = Some(row.estimate + z * s);
        }
    }
    let mut ro = PlaceRankingOptions {
        tau: None,
        ..PlaceRankingOptions::default()
    };
    ro.rank_sets.coverage = b.level;
    ro.rank_sets.seed = b.seed;
    let ranked = match rank_places(&boot, &ro) {
        Ok(r) => r,
        // fewer than two places with an SE: intervals only
        Err(e) => {
            section.rank_note = Some(e.to_string());
            return Ok(());
        }
    };
    let by_place: HashMap<&str, &crate::ranking::PlaceRankRow<String>> =
        ranked.rows.iter().map(|r| (r.place.as_str(), r)).collect();
    // rank sets only when every row of the table was ranked (aligned with the rows)
    let aligned: Option<Vec<_>> = section
        .rows
        .iter()
        .map(|row| by_place.get(row.id.as_str()).copied())
        .collect();
    if let Some(aligned) = aligned {
        section.rank_confidence = Some(RankConfidence {
            rank: aligned.iter().map(|r| r.rank).collect(),
            lower: aligned.iter().map(|r| r.lower).collect(),
            upper: aligned.iter().map(|r| r.upper).collect(),
            shrunk: aligned.iter().map(|r| Some(r.shrunk)).collect(),
            method: format!(
                "Mogstad, Romano, Shaikh and Wilhelm (2024), {:.0}% simultaneous sets from a joint \
                 bootstrap of {} replicates; shrunk estimates after Chetty and Hendren (2018)",
                100.0 * b.level,
                b.replicates
            ),
        });
    }
    Ok(())
}

pub(super) fn groups_section(
    g: &GroupTable<String>,
    score: MobilityScore,
    contrast_fraction: f64,
) -> PlacesSection {
    let value = |r: &crate::places::groups::GroupRow<String>| match score {
        MobilityScore::BottomToTop => r.measures.bottom_to_top,
        MobilityScore::UpwardFromBottom => r.measures.upward_from_bottom,
        MobilityScore::TopAccessRatio => r.levelling.top_access.ratio,
        MobilityScore::ShorrocksTrace => r.measures.shorrocks_trace,
    };
    let mut excluded = Vec::new();
    let mut kept = Vec::new();
    for r in &g.rows {
        match value(r) {
            Some(v) => kept.push((r, v)),
            None => excluded.push(ExcludedPlace {
                id: r.group.clone(),
                name: r.group.clone(),
                reason: format!("{} is undefined", score.name()),
            }),
        }
    }
    for e in &g.empty_groups {
        excluded.push(ExcludedPlace {
            id: e.clone(),
            name: e.clone(),
            reason: "no weight".into(),
        });
    }
    let mob: Vec<f64> = kept.iter().map(|(_, v)| *v).collect();
    let lev: Vec<f64> = kept.iter().map(|(r, _)| r.levelling.levelling_up).collect();
    let (mr, lr) = (ranks_desc(&mob), ranks_desc(&lev));
    let m = kept.len();
    let cut = ((contrast_fraction * m as f64).ceil() as usize).max(1);
    let rows: Vec<PlaceEntry> = kept
        .iter()
        .enumerate()
        .map(|(i, (r, v))| PlaceEntry {
            id: r.group.clone(),
            name: r.group.clone(),
            region: String::new(),
            size: Some(r.weight),
            estimate: *v,
            ci_low: None,
            ci_high: None,
            levelling: r.levelling.levelling_up,
            mobility_rank: mr[i],
            levelling_rank: lr[i],
        })
        .collect();
    let pick = |well: &[usize], badly: &[usize]| -> Vec<String> {
        (0..m)
            .filter(|&i| well[i] <= cut && badly[i] > m - cut)
            .map(|i| rows[i].name.clone())
            .collect()
    };
    let lnm = pick(&lr, &mr);
    let mnl = pick(&mr, &lr);
    let corr = if m >= 2 {
        rank_mobility(&lev, &mob, None)
            .ok()
            .and_then(|r| r.spearman)
    } else {
        None
    };
    section(
        "groups",
        score,
        rows,
        lnm,
        mnl,
        contrast_fraction,
        corr,
        excluded,
    )
}
