//! Text of group and place tables: [`GroupTable`] (one row per group on national classes) and
//! [`PlacesReport`] (places ranked on levelling up and on social mobility).

use crate::places::groups::GroupTable;
use crate::places::report::{Contrast, PlaceRow, PlacesReport};
use crate::rankbased::RankBasis;
use crate::ranking::places::PlaceRanking;

/// The group table with its legend.
pub fn render_groups(t: &GroupTable<String>) -> String {
    // class names as everywhere (`class_labels`: Q1..Q5, D1..D10, P1..P100, else C1..Ck)
    let labels = crate::matrix::class_labels(t.k);
    let (first, last) = (&labels[0], &labels[labels.len() - 1]);
    let mut out = String::new();
    out.push_str(&format!(
        "National medians: parents {}, children {}\n\n",
        t.national_parent_median, t.national_child_median
    ));
    let width = t
        .rows
        .iter()
        .map(|r| r.group.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 16);
    out.push_str(&format!(
        "  {:<width$} {:>7} {:>5} {:>6} {:>6} {:>6} {:>6} {:>5} {:>6} {:>6} {:>6} {:>5} {:>5}\n",
        "group",
        "units",
        "share",
        format!("par {first}"),
        format!("kid {first}"),
        "level",
        "struct",
        "exch",
        "topbot",
        "access",
        "slope",
        "AUM",
        "fall"
    ));
    let opt = |v: Option<f64>, d: usize| v.map_or_else(|| "-".to_string(), |v| format!("{v:.d$}"));
    for r in &t.rows {
        let l = &r.levelling;
        let name: String = r.group.chars().take(width).collect();
        out.push_str(&format!(
            "  {:<width$} {:>7} {:>5.3} {:>6.3} {:>6.3} {:>+6.3} {:>6.3} {:>5.3} {:>6} {:>6} {:>6} {:>5} \
             {:>5}\n",
            name,
            r.units,
            r.population_share,
            l.parent_shares[0],
            l.child_shares[0],
            l.levelling_up,
            l.decomposition.structural,
            l.decomposition.exchange,
            opt(l.top_access.bottom_to_top, 3),
            opt(l.top_access.ratio, 2),
            opt(r.rank.as_ref().map(|m| m.rank_rank_slope), 3),
            opt(r.rank.as_ref().map(|m| m.absolute_upward_mobility), 1),
            opt(r.fall.mean_fall_rank_points, 1),
        ));
    }
    if !t.empty_groups.is_empty() {
        out.push_str(&format!(
            "  ({} group{} with zero total weight left out: {})\n",
            t.empty_groups.len(),
            if t.empty_groups.len() == 1 { "" } else { "s" },
            t.empty_groups.join(", ")
        ));
    }
    let ranks = match t.basis {
        RankBasis::National => "national",
        RankBasis::Local => "within-group",
    };
    out.push_str(&format!(
        "\nClasses {first}..{last} are the national (whole-file) quantile classes.
  share   the group's share of the total weight
  par {first}  its parents' share in the bottom national class; kid {first}: its children's
  level   levelling up: mean national class of its children minus that of its parents
  struct  structural mobility, 1/2 sum |parent share - child share| over national classes
  exch    exchange mobility: the share changing class minus struct
  topbot  P(top class | bottom class); access: that divided by P(top | middle class)
  slope   rank-rank slope; AUM: expected child rank at parent rank 25 ({ranks} ranks)
  fall    mean drop in national rank points of children who end below their parents' class
"
    ));
    out
}

/// The places report: counts, the axes' correlation, the top `top` places on each axis and the
/// two contrasts.
pub fn render_places(r: &PlacesReport, top: usize) -> String {
    let mut out = String::new();
    let m = r.places.len();
    let score = r.options.mobility_score.name();
    out.push_str(&format!(
        "{m} places ranked, {} left out{}\n",
        r.excluded.len(),
        r.excluded
            .first()
            .map_or(String::new(), |e| format!(" (e.g. {}: {})", e.id, e.reason))
    ));
    out.push_str(&format!(
        "{} rows in {} places did not sum to 1 (largest gap {:.1e}) and were rescaled\n",
        r.rows_renormalised, r.places_renormalised, r.max_row_deviation
    ));
    if let Some(c) = r.score_correlation {
        out.push_str(&format!(
            "Spearman correlation of the two axes across places: {c:+.3}\n"
        ));
    }
    let label = |p: &PlaceRow| {
        let s = if p.region.is_empty() {
            p.name.clone()
        } else {
            format!("{}, {}", p.name, p.region)
        };
        let s = if s.is_empty() { p.id.clone() } else { s };
        s.chars().take(26).collect::<String>()
    };
    let list = |out: &mut String, title: &str, rows: &[&PlaceRow], first: bool| {
        out.push_str(&format!("\n{title}\n"));
        out.push_str(&format!(
            "  {:>4}  {:<26} {:>9} {:>6} {:>9} {:>6}\n",
            "rank", "place", "levelling", "rank", score, "rank"
        ));
        for p in rows {
            out.push_str(&format!(
                "  {:>4}  {:<26} {:>+9.3} {:>6} {:>9.4} {:>6}\n",
                if first {
                    p.levelling_rank
                } else {
                    p.mobility_rank
                },
                label(p),
                p.levelling_score,
                p.levelling_rank,
                p.mobility_score,
                p.mobility_rank
            ));
        }
    };
    let by_l = r.by_levelling();
    let by_m = r.by_mobility();
    list(
        &mut out,
        &format!("Most levelling up (mean national class of children minus parents), top {top}"),
        &by_l[..top.min(m)],
        true,
    );
    list(
        &mut out,
        &format!("Most mobile ({score}), top {top}"),
        &by_m[..top.min(m)],
        false,
    );
    let find = |id: &str| r.places.iter().find(|p| p.id == id).expect("ranked place");
    let pct = (r.options.contrast_fraction * 100.0).round();
    let contrast_rows = |c: &[Contrast]| c.iter().map(|c| find(&c.id)).collect::<Vec<_>>();
    list(
        &mut out,
        &format!(
            "Levelling up without mobility: top {pct}% on levelling up, bottom {pct}% on {score} \
             ({} places)",
            r.levelling_not_mobility.len()
        ),
        &contrast_rows(&r.levelling_not_mobility),
        true,
    );
    list(
        &mut out,
        &format!(
            "Mobility without levelling up: top {pct}% on {score}, bottom {pct}% on levelling up \
             ({} places)",
            r.mobility_not_levelling.len()
        ),
        &contrast_rows(&r.mobility_not_levelling),
        false,
    );
    out
}

/// The ranked places: one line per place in rank order with its size, estimate, standard error,
/// shrunk estimate, rank and rank confidence set, and the tau-best / tau-worst marks; then the
/// places left out and a legend.
///
/// # Complexity
/// `O(p log p)`.
pub fn render_ranking(r: &PlaceRanking<String>) -> String {
    let mut out = String::new();
    let what = r.measure.map_or_else(
        || "the estimate".to_string(),
        |m| format!("{} ({})", m.name(), m.description()),
    );
    out.push_str(&format!(
        "\nPlaces ranked on {what}: {} places{}; rank 1 = the {} value\n",
        r.p,
        if r.min_size > 0 {
            format!(" with at least {} units", r.min_size)
        } else {
            String::new()
        },
        if r.largest_first {
            "largest"
        } else {
            "smallest"
        }
    ));
    out.push_str(&format!(
        "{}% {} rank confidence sets ({} draws, {}); shrinkage toward {:.4}, signal SD {:.4}\n",
        (r.coverage * 100.0).round(),
        if r.simultaneous {
            "simultaneous"
        } else {
            "marginal"
        },
        r.draws,
        if r.full_covariance {
            "joint covariance of the places"
        } else {
            "independent places"
        },
        r.shrinkage_target,
        r.signal_variance.sqrt()
    ));
    let width = r
        .rows
        .iter()
        .map(|x| x.place.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 20);
    out.push_str(&format!(
        "  {:>5} {:<width$} {:>7} {:>9} {:>8} {:>9} {:>6} {:>11}  {}\n",
        "rank", "place", "units", "estimate", "se", "shrunk", "s.rank", "rank set", "tau"
    ));
    for row in r.by_rank() {
        let name: String = row.place.chars().take(width).collect();
        let tau = match (row.tau_best, row.tau_worst) {
            (Some(true), Some(true)) => "both",
            (Some(true), _) => "best",
            (_, Some(true)) => "worst",
            _ => "",
        };
        out.push_str(&format!(
            "  {:>5} {:<width$} {:>7} {:>9.4} {:>8.4} {:>9.4} {:>6} {:>11}  {tau}\n",
            row.rank,
            name,
            row.units,
            row.estimate,
            row.se,
            row.shrunk,
            row.shrunk_rank,
            format!("[{}, {}]", row.lower, row.upper),
        ));
    }
    if !r.excluded.is_empty() {
        out.push_str(&format!(
            "  ({} place{} left out: {})\n",
            r.excluded.len(),
            if r.excluded.len() == 1 { "" } else { "s" },
            r.excluded
                .iter()
                .take(10)
                .map(|e| format!("{} ({})", e.place, e.reason))
                .collect::<Vec<_>>()
                .join(", ")
                + if r.excluded.len() > 10 { ", ..." } else { "" }
        ));
    }
    let tau = r.tau.map_or_else(String::new, |t| {
        format!(
            "\n  tau       best: in the tau-best set, which holds all of the true {t} best places with \
             {0}% confidence (a place outside it is not among the {t} best); worst: likewise for \
             the {t} worst",
            (r.coverage * 100.0).round()
        )
    });
    out.push_str(&format!(
        "
  units     rows of microdata in the place
  se        standard error (bootstrap)
  shrunk    empirical-Bayes estimate: pulled toward the mean the more, the noisier the place
  s.rank    rank of the shrunk estimate
  rank set  the ranks the place may hold with {}% confidence (Mogstad et al. 2024){tau}
",
        (r.coverage * 100.0).round()
    ));
    out
}
