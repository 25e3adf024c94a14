//! HTML rendering of a [`ReportPage`]: a `minijinja` template (auto-escaping every string it is
//! given) filled with display-ready values, the charts of [`super::charts`], and every figure's
//! data as an embedded CSV download.

use minijinja::{Environment, Value};
use serde::Serialize;

use super::{HeadlineMeasure, ReportPage, charts};
use crate::error::{MobilityError, Result};
use crate::inference::{CiMethod, CutoffMode, ResampleUnit};
use crate::registry::{Measure, RankMeasure};

const TEMPLATE: &str = include_str!("report.html");
const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Escapes text for HTML element content and quoted attribute values.
///
/// # Example
/// ```text
/// escape("<b> & \"q\"") == "&lt;b&gt; &amp; &quot;q&quot;"
/// ```
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One CSV field, quoted when it needs to be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A CSV table as a `data:` URI (percent-encoded UTF-8), for a download link that needs no
/// server and no script.
pub(crate) fn csv_uri(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut csv = String::new();
    let line = |fields: Vec<String>| fields.join(",") + "\n";
    csv.push_str(&line(header.iter().map(|h| csv_field(h)).collect()));
    for r in rows {
        csv.push_str(&line(r.iter().map(|f| csv_field(f)).collect()));
    }
    let mut uri = String::from("data:text/csv;charset=utf-8,");
    for b in csv.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b'+' => {
                uri.push(b as char)
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri
}

/// A number for a CSV cell: full precision, empty when missing.
fn num(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x}"))
}

fn pct1(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// A status cut-off as the page prints it: a few significant digits, thousands separated.
fn status(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        let s = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 { format!("-{out}") } else { out }
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// A size (people, weight) as a whole number with thousands separated.
fn count(v: f64) -> String {
    if v.abs() >= 1000.0 {
        status(v)
    } else {
        format!("{v:.0}")
    }
}

#[derive(Serialize)]
struct Cell {
    text: String,
    /// An empty parent class: shown blank, not as zeros.
    empty: bool,
}

#[derive(Serialize)]
struct Place {
    name: String,
    region: String,
    size: String,
    size_v: String,
    estimate: String,
    interval: String,
    rank_set: String,
    shrunk: String,
    levelling: String,
    mobility_rank: usize,
    levelling_rank: usize,
}

#[derive(Serialize)]
struct KeyValue {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct MeasureRow {
    name: String,
    value: String,
    interval: String,
    description: String,
}

/// Renders the page as one self-contained HTML document.
///
/// Static tables and inline SVG charts (readable with JavaScript off); a small inline script
/// adds table sorting and opens the collapsed tables for printing. No external resource of any
/// kind is referenced: nothing is fetched when the file is opened. Every string from the caller
/// (source and column names, place names) is HTML-escaped.
///
/// # Errors
/// [`MobilityError::Undefined`] if a chart or the template fails to render (a bug, reported
/// rather than a panic).
///
/// # Complexity
/// `O(k^2 + places + bins)`.
pub fn render(page: &ReportPage) -> Result<String> {
    let r = &page.analysis.report;
    let boot = page.analysis.bootstrap.as_ref();
    let k = r.k;
    let labels = &page.labels;
    let noun = &page.class_noun;
    let prov = &page.provenance;

    // what was measured
    let mut measured = vec![KeyValue {
        key: "Data source".into(),
        value: prov.source.name.clone(),
    }];
    let col = |what: &str, c: &Option<String>| {
        c.as_ref().map(|c| KeyValue {
            key: what.into(),
            value: c.clone(),
        })
    };
    measured.extend(col("Parents' status", &prov.source.parent));
    measured.extend(col("Children's status", &prov.source.child));
    if let Some(n) = prov.source.rows_read {
        measured.push(KeyValue {
            key: "Rows read".into(),
            value: count(n as f64),
        });
    }
    if let Some(n) = prov.rows_used {
        measured.push(KeyValue {
            key: "Pairs used".into(),
            value: count(n as f64),
        });
    }
    let dropped: usize = prov.source.dropped.iter().map(|d| d.rows).sum();
    measured.push(KeyValue {
        key: "Rows dropped".into(),
        value: if prov.source.dropped.is_empty() {
            "none".into()
        } else if let [d] = prov.source.dropped.as_slice() {
            format!("{} ({})", count(d.rows as f64), d.reason)
        } else {
            format!(
                "{dropped}: {}",
                prov.source
                    .dropped
                    .iter()
                    .map(|d| format!("{} ({})", d.rows, d.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        },
    });
    measured.push(KeyValue {
        key: "Weights".into(),
        value: match (&prov.source.weights, prov.total_weight) {
            (Some(w), Some(t)) => format!("{w} (total weight {})", status(t)),
            (Some(w), None) => w.clone(),
            (None, Some(_)) => "none (every pair counts once)".into(),
            (None, None) => "not applicable: a published table of shares".into(),
        },
    });
    measured.extend(col("Groups", &prov.source.groups));
    measured.push(KeyValue {
        key: "Classes".into(),
        value: format!(
            "{k} {} ({} = poorest {noun}, {} = richest)",
            prov.classes,
            labels[0],
            labels[k - 1]
        ),
    });
    measured.push(KeyValue {
        key: "Tie rule".into(),
        value: prov
            .tie_rule
            .clone()
            .unwrap_or_else(|| "not applicable (classes given by the published table)".into()),
    });
    measured.push(KeyValue {
        key: "Origin weights pi".into(),
        value: prov.pi.clone(),
    });
    measured.push(KeyValue {
        key: "Uncertainty".into(),
        value: match boot {
            Some(b) => format!(
                "bootstrap, {} replicates, seed {}, {:.0}% {} intervals; {}; cut-offs {}",
                b.replicates,
                b.seed,
                100.0 * b.level,
                match b.ci {
                    CiMethod::Bca => "BCa",
                    CiMethod::Percentile => "percentile",
                },
                match (b.resample, b.clusters) {
                    (ResampleUnit::Clusters, Some(c)) => {
                        format!("{c} clusters ({} rows) drawn with replacement", b.units)
                    }
                    _ => format!("{} rows drawn with replacement", count(b.units as f64)),
                },
                match b.cutoffs {
                    CutoffMode::Reestimate => "re-estimated in every replicate",
                    CutoffMode::Fixed => "held at the full-sample values",
                }
            ),
            None => "no bootstrap: point estimates only".into(),
        },
    });
    measured.push(KeyValue {
        key: "Library".into(),
        value: format!("mobility {}", prov.library_version),
    });

    // classes
    let cut = |v: Option<f64>| v.map_or("–".to_string(), status);
    let has_cutoffs = page.classes.iter().any(|c| c.parent_upper.is_some());
    let classes: Vec<Vec<String>> = page
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let which = if i == 0 {
                format!("poorest {noun}")
            } else if i + 1 == k {
                format!("richest {noun}")
            } else {
                String::new()
            };
            let mut row = vec![c.label.clone(), which];
            if has_cutoffs {
                let upto = |v: Option<f64>| {
                    if i + 1 == k {
                        "and above".to_string()
                    } else {
                        format!("up to {}", cut(v))
                    }
                };
                row.push(upto(c.parent_upper));
                row.push(upto(c.child_upper));
            }
            row.push(if c.empty_parent {
                "empty".into()
            } else {
                pct1(c.parent_share)
            });
            row.push(if c.empty_child {
                "empty".into()
            } else {
                pct1(c.child_share)
            });
            row
        })
        .collect();
    let classes_csv = csv_uri(
        &[
            "class",
            "parent_upper_cutoff",
            "child_upper_cutoff",
            "parent_share",
            "child_share",
            "empty_parent",
            "empty_child",
        ],
        &page
            .classes
            .iter()
            .map(|c| {
                vec![
                    c.label.clone(),
                    num(c.parent_upper),
                    num(c.child_upper),
                    num(Some(c.parent_share)),
                    num(Some(c.child_share)),
                    c.empty_parent.to_string(),
                    c.empty_child.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );

    // matrix
    let empty_rows: Vec<usize> = r.empty_parent_classes.iter().map(|i| i - 1).collect();
    let empty_cols: Vec<usize> = r.empty_child_classes.iter().map(|i| i - 1).collect();
    let diag: Vec<f64> = (0..k)
        .filter(|i| !empty_rows.contains(i))
        .map(|i| r.matrix[[i, i]])
        .collect();
    let heat_desc = format!(
        "Heat map of the {k} by {k} transition matrix: rows are the parents' class from {} \
         (poorest) to {} (richest), columns the child's class; each cell is the percentage of \
         that row's children in that class (darker = fewer). Staying in the parents' class \
         (the diagonal) ranges from {} to {}.{} The table below gives every value.",
        labels[0],
        labels[k - 1],
        pct1(diag.iter().copied().fold(1.0, f64::min)),
        pct1(diag.iter().copied().fold(0.0, f64::max)),
        if empty_rows.is_empty() {
            String::new()
        } else {
            format!(
                " Parent classes {} have no observations and are left empty.",
                empty_rows
                    .iter()
                    .map(|&i| labels[i].clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let heat = charts::heat_map(
        labels,
        &r.matrix,
        &empty_rows,
        &empty_cols,
        r.parent_shares.as_slice().unwrap_or(&[]),
        r.child_shares.as_slice().unwrap_or(&[]),
        &heat_desc,
    )?;
    let matrix_rows: Vec<(String, Vec<Cell>, String)> = (0..k)
        .map(|i| {
            let cells = (0..k)
                .map(|j| {
                    if empty_rows.contains(&i) {
                        Cell {
                            text: String::new(),
                            empty: true,
                        }
                    } else {
                        Cell {
                            text: format!("{:.1}", 100.0 * r.matrix[[i, j]]),
                            empty: false,
                        }
                    }
                })
                .collect();
            (labels[i].clone(), cells, pct1(r.parent_shares[i]))
        })
        .collect();
    let child_share_row: Vec<String> = r.child_shares.iter().map(|&v| pct1(v)).collect();
    let mut matrix_csv_rows = Vec::new();
    for i in 0..k {
        for j in 0..k {
            let empty = empty_rows.contains(&i);
            matrix_csv_rows.push(vec![
                labels[i].clone(),
                labels[j].clone(),
                if empty {
                    String::new()
                } else {
                    num(Some(r.matrix[[i, j]]))
                },
                r.counts
                    .as_ref()
                    .map_or(String::new(), |c| num(Some(c[[i, j]]))),
                num(Some(r.parent_shares[i])),
                num(Some(r.child_shares[j])),
            ]);
        }
    }
    let matrix_csv = csv_uri(
        &[
            "parent_class",
            "child_class",
            "probability",
            "count",
            "parent_share",
            "child_share",
        ],
        &matrix_csv_rows,
    );

    // headline
    let headline_csv = csv_uri(
        &["measure", "title", "value", "ci_low", "ci_high", "sentence"],
        &page
            .headline
            .iter()
            .map(|h| {
                vec![
                    h.measure.name().to_string(),
                    h.title.clone(),
                    num(h.value),
                    num(h.ci_low),
                    num(h.ci_high),
                    h.sentence.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );

    // rank-rank
    let (rank_svg, rank_rows, rank_csv) = match &page.binned {
        Some(b) => {
            let first = b.rows.iter().find_map(|r| r.mean_child_rank);
            let last = b.rows.iter().rev().find_map(|r| r.mean_child_rank);
            let desc = format!(
                "Scatter of the mean child income rank in each of {} equal bins of parent \
                 income rank, with the fitted rank-rank line (slope {:.3}, intercept {:.1}). \
                 Children of the poorest bin reach rank {} on average, of the richest {}. The \
                 table below gives every point.",
                b.bins,
                b.slope,
                b.intercept,
                first.map_or("–".into(), |v| format!("{v:.1}")),
                last.map_or("–".into(), |v| format!("{v:.1}")),
            );
            let rows: Vec<Vec<String>> = b
                .rows
                .iter()
                .map(|r| {
                    vec![
                        format!("{:.0}–{:.0}", r.parent_rank_low, r.parent_rank_high),
                        r.mean_parent_rank.map_or("–".into(), |v| format!("{v:.1}")),
                        r.mean_child_rank.map_or("–".into(), |v| format!("{v:.1}")),
                        format!(
                            "{:.1}",
                            b.fitted(
                                r.mean_parent_rank
                                    .unwrap_or(0.5 * (r.parent_rank_low + r.parent_rank_high),)
                            )
                        ),
                        format!("{}", r.units),
                    ]
                })
                .collect();
            let csv = csv_uri(
                &[
                    "bin",
                    "parent_rank_low",
                    "parent_rank_high",
                    "units",
                    "weight",
                    "mean_parent_rank",
                    "mean_child_rank",
                    "fitted_child_rank",
                ],
                &b.rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.bin.to_string(),
                            num(Some(r.parent_rank_low)),
                            num(Some(r.parent_rank_high)),
                            r.units.to_string(),
                            num(Some(r.weight)),
                            num(r.mean_parent_rank),
                            num(r.mean_child_rank),
                            num(r.mean_parent_rank.map(|p| b.fitted(p))),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            (charts::rank_rank(b, &desc)?, rows, csv)
        }
        None => (String::new(), Vec::new(), String::new()),
    };

    // long run
    let lr = &page.long_run;
    let mut long_run_text = Vec::new();
    if let Some(st) = &lr.stationary {
        long_run_text.push(format!(
            "If this matrix applied generation after generation, the {} would settle at \
             {} of families in the poorest {noun} and {} in the richest.",
            page.provenance.classes,
            pct1(st[0]),
            pct1(st[k - 1])
        ));
    }
    if let Some(h) = lr.half_life {
        long_run_text.push(format!(
            "The pull of a family's starting class halves every {h:.1} generations \
             (|second eigenvalue| = {:.3}).",
            lr.lambda2_modulus.unwrap_or(f64::NAN)
        ));
    }
    if let Some(g) = &lr.generations {
        long_run_text.push(format!(
            "With an intergenerational elasticity of {:.2}, a family in the poorest {noun} \
             (on average {:.0}% of the mean income) would take about {} generations to come \
             within 5% of the mean income (OECD 2018's measure).",
            g.beta,
            100.0 * g.ratio,
            g.generations
        ));
    }
    let stationary_svg = match &lr.stationary {
        Some(st) => charts::long_run(
            labels,
            lr,
            &format!(
                "Bar chart of the share of families in each class: parents today (all near \
                 {}) beside the long-run distribution of this matrix ({} to {}).",
                pct1(1.0 / k as f64),
                pct1(st.iter().copied().fold(1.0, f64::min)),
                pct1(st.iter().copied().fold(0.0, f64::max))
            ),
        )?,
        None => String::new(),
    };
    let generations_svg = charts::generations(
        lr,
        &format!(
            "Bar chart of the expected income of a family in the poorest {noun}, as a \
             percentage of the mean, from today ({}) over the following generations ({}).",
            lr.path
                .first()
                .map_or("–".into(), |v| format!("{:.0}%", 100.0 * v)),
            lr.path
                .iter()
                .skip(1)
                .map(|v| format!("{:.0}%", 100.0 * v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )?;
    let long_run_csv = csv_uri(
        &["class", "parent_share", "stationary_share"],
        &(0..k)
            .map(|i| {
                vec![
                    labels[i].clone(),
                    num(lr.parent_shares.get(i).copied()),
                    num(lr.stationary.as_ref().and_then(|s| s.get(i).copied())),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let generations_csv = csv_uri(
        &["generation", "income_relative_to_mean"],
        &lr.path
            .iter()
            .enumerate()
            .map(|(g, v)| vec![g.to_string(), num(Some(*v))])
            .collect::<Vec<_>>(),
    );

    // places
    let mut places_ctx = Value::UNDEFINED;
    if let Some(s) = &page.places {
        let pct = s.score != "top_access_ratio" && s.score != "shorrocks_trace";
        let fmt = |v: f64| {
            if pct { pct1(v) } else { format!("{v:.3}") }
        };
        let rc = s.rank_confidence.as_ref();
        // the league table in order of mobility rank (1 = most mobile)
        let mut order: Vec<usize> = (0..s.rows.len()).collect();
        order.sort_by_key(|&i| rc.map_or(s.rows[i].mobility_rank, |c| c.rank[i]));
        let rows: Vec<Place> = order
            .iter()
            .map(|&i| (i, &s.rows[i]))
            .map(|(i, p)| Place {
                name: p.name.clone(),
                region: p.region.clone(),
                size: p.size.map_or("–".into(), count),
                size_v: p.size.map_or(String::new(), |v| format!("{v}")),
                estimate: fmt(p.estimate),
                interval: match (p.ci_low, p.ci_high) {
                    (Some(a), Some(b)) => format!("{}–{}", fmt(a), fmt(b)),
                    _ => "–".into(),
                },
                rank_set: rc.map_or("–".into(), |c| format!("{}–{}", c.lower[i], c.upper[i])),
                shrunk: rc.and_then(|c| c.shrunk[i]).map_or("–".into(), fmt),
                levelling: format!("{:+.3}", p.levelling),
                mobility_rank: rc.map_or(p.mobility_rank, |c| c.rank[i]),
                levelling_rank: p.levelling_rank,
            })
            .collect();
        let csv = csv_uri(
            &[
                "id",
                "name",
                "region",
                "size",
                s.score.as_str(),
                "ci_low",
                "ci_high",
                "mobility_rank",
                "rank_lower",
                "rank_upper",
                "shrunk",
                "levelling_up",
                "levelling_rank",
            ],
            &s.rows
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    vec![
                        p.id.clone(),
                        p.name.clone(),
                        p.region.clone(),
                        num(p.size),
                        num(Some(p.estimate)),
                        num(p.ci_low),
                        num(p.ci_high),
                        rc.map_or(p.mobility_rank, |c| c.rank[i]).to_string(),
                        rc.map_or(String::new(), |c| c.lower[i].to_string()),
                        rc.map_or(String::new(), |c| c.upper[i].to_string()),
                        num(rc.and_then(|c| c.shrunk[i])),
                        num(Some(p.levelling)),
                        p.levelling_rank.to_string(),
                    ]
                })
                .collect::<Vec<_>>(),
        );
        let n = s.rows.len();
        let per = ((s.contrast_fraction * n as f64).ceil() as usize).max(1);
        let desc = format!(
            "Scatter of {n} {kind}: levelling up (children's mean national class minus \
             parents') across, social mobility ({}) up, split at the medians ({:+.3} and {}) \
             into four quadrants. {} {kind} do well on levelling up and badly on mobility; {} \
             the other way round (top and bottom {per} of {n}); they are drawn in red and \
             listed beside the chart. The league table below gives every point.",
            s.score_title,
            s.levelling_median,
            fmt(s.mobility_median),
            s.levelling_not_mobility.len(),
            s.mobility_not_levelling.len(),
            kind = s.kind,
        );
        let scatter = charts::scatter(s, &desc)?;
        let (well_lev, well_mob) = (
            s.levelling_not_mobility.clone(),
            s.mobility_not_levelling.clone(),
        );
        places_ctx = minijinja::context! {
            kind => s.kind.clone(),
            score_title => s.score_title.clone(),
            n => n,
            per => per,
            fraction => format!("{:.0}%", 100.0 * s.contrast_fraction),
            correlation => s.score_correlation.map(|c| format!("{c:.2}")),
            levelling_not_mobility => well_lev,
            mobility_not_levelling => well_mob,
            scatter => Value::from_safe_string(scatter),
            rows => Value::from(minijinja::value::Serde(&rows)),
            csv => csv,
            has_rank_sets => rc.is_some(),
            has_regions => s.rows.iter().any(|p| !p.region.is_empty()),
            has_intervals => s.rows.iter().any(|p| p.ci_low.is_some()),
            has_shrunk => rc.is_some_and(|c| c.shrunk.iter().any(Option::is_some)),
            rank_method => rc.map(|c| c.method.clone()),
            rank_note => s.rank_note.clone(),
            excluded => excluded_by_reason(&s.excluded),
            small_warning => rc.is_none() && s.rows.iter().any(|p| p.size.is_some()),
        };
    }

    // all measures + intervals, with the registry's descriptions
    let estimate = |name: &str| {
        page.analysis
            .inference
            .as_ref()
            .and_then(|t| t.0.iter().find(|(n, _)| n == name))
            .map(|(_, e)| e)
    };
    let every: Vec<(HeadlineMeasure, Option<f64>)> = Measure::ALL
        .iter()
        .map(|&m| (HeadlineMeasure::Matrix(m), r.measures.value(m)))
        .chain(page.analysis.rank_measures.iter().flat_map(|rm| {
            RankMeasure::ALL
                .iter()
                .map(move |&m| (HeadlineMeasure::Rank(m), m.value(rm)))
        }))
        .collect();
    let all_measures: Vec<MeasureRow> = every
        .iter()
        .map(|&(m, v)| MeasureRow {
            name: m.name().into(),
            value: v.map_or("undefined".into(), |x| format!("{x:.4}")),
            interval: estimate(m.name())
                .and_then(|e| e.ci_low.zip(e.ci_high))
                .map_or(String::new(), |(a, b)| format!("{a:.4} to {b:.4}")),
            description: m.info().description.into(),
        })
        .collect();
    let measures_csv = csv_uri(
        &["measure", "value", "ci_low", "ci_high", "description"],
        &every
            .iter()
            .map(|&(m, v)| {
                let e = estimate(m.name());
                vec![
                    m.name().to_string(),
                    // full precision, not the rounded display
                    num(v),
                    num(e.and_then(|e| e.ci_low)),
                    num(e.and_then(|e| e.ci_high)),
                    m.info().description.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    // the JSON download: the matrix report and the national figures (places are in their CSV)
    let json = serde_json::to_string(&minijinja::context! {
        title => page.title.clone(),
        provenance => Value::from(minijinja::value::Serde(&page.provenance)),
        analysis => Value::from(minijinja::value::Serde(&page.analysis)),
        headline => Value::from(minijinja::value::Serde(&page.headline)),
        binned => Value::from(minijinja::value::Serde(&page.binned)),
        long_run => Value::from(minijinja::value::Serde(&page.long_run)),
    })
    .map_err(|e| MobilityError::Undefined {
        what: "the report JSON".into(),
        reason: e.to_string(),
    })?;
    let json_uri = {
        let mut u = String::from("data:application/json;charset=utf-8,");
        for b in json.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b',' | b':' => {
                    u.push(b as char)
                }
                _ => u.push_str(&format!("%{b:02X}")),
            }
        }
        u
    };

    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(template_error)?;
    let tmpl = env.get_template("report.html").map_err(template_error)?;
    let ctx = minijinja::context! {
        title => page.title.clone(),
        version => prov.library_version.clone(),
        command => prov.source.command.clone(),
        // each argument unbroken: lines break between arguments only
        command_html => prov.source.command.as_ref().map(|c| {
            Value::from_safe_string(
                c.split(' ')
                    .map(|a| format!("<span class=\"arg\">{}</span>", escape(a)))
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }),
        other_rule => prov.tie_rule.clone().filter(|r| r != "midrank"),
        published => prov.tie_rule.is_none(),
        measured => Value::from(minijinja::value::Serde(&measured)),
        noun => noun.clone(),
        kind => prov.classes.clone(),
        first => labels[0].clone(),
        last => labels[k - 1].clone(),
        k => k,
        labels => labels.clone(),
        has_cutoffs => has_cutoffs,
        classes => classes,
        classes_csv => classes_csv,
        heat => Value::from_safe_string(heat),
        matrix_rows => Value::from(minijinja::value::Serde(&matrix_rows)),
        child_share_row => child_share_row,
        matrix_csv => matrix_csv,
        has_empty => !empty_rows.is_empty() || !empty_cols.is_empty(),
        headline => Value::from(minijinja::value::Serde(&page.headline.clone())),
        bootstrapped => boot.is_some(),
        level => boot.map(|b| format!("{:.0}%", 100.0 * b.level)),
        headline_csv => headline_csv,
        rank_svg => Value::from_safe_string(rank_svg),
        rank_rows => rank_rows,
        rank_csv => rank_csv,
        slope => page.binned.as_ref().map(|b| format!("{:.3}", b.slope)),
        bins => page.binned.as_ref().map(|b| b.bins),
        long_run_text => long_run_text,
        stationary_svg => Value::from_safe_string(stationary_svg),
        generations_svg => Value::from_safe_string(generations_svg),
        long_run_csv => long_run_csv,
        generations_csv => generations_csv,
        has_generations => !lr.path.is_empty(),
        places => places_ctx,
        rank_note => page.analysis.rank_note.clone(),
        all_measures => Value::from(minijinja::value::Serde(&all_measures)),
        measures_csv => measures_csv,
        methods => Value::from(minijinja::value::Serde(&page.methods.clone())),
        json_uri => json_uri,
        style => Value::from_safe_string(STYLE.to_string()),
        script => Value::from_safe_string(SCRIPT.to_string()),
    };
    tmpl.render(ctx).map_err(template_error)
}

/// Left-out places grouped by reason: "suppressed: ...: East Grant UT, Steele ND".
fn excluded_by_reason(excluded: &[crate::places::report::ExcludedPlace]) -> Vec<String> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for e in excluded {
        let name = if e.name.is_empty() {
            e.id.clone()
        } else {
            e.name.clone()
        };
        match groups.iter_mut().find(|(r, _)| *r == e.reason) {
            Some((_, names)) => names.push(name),
            None => groups.push((e.reason.clone(), vec![name])),
        }
    }
    groups
        .into_iter()
        .map(|(reason, names)| format!("{reason} ({}): {}", names.len(), names.join(", ")))
        .collect()
}

fn template_error(e: minijinja::Error) -> MobilityError {
    MobilityError::Undefined {
        what: "the HTML report".into(),
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_and_csv() {
        assert_eq!(
            escape("<b> & \"q\" 'a'"),
            "&lt;b&gt; &amp; &quot;q&quot; &#39;a&#39;"
        );
        let uri = csv_uri(&["a", "b"], &[vec!["x,y".into(), "1".into()]]);
        assert_eq!(uri, "data:text/csv;charset=utf-8,a,b%0A%22x,y%22,1%0A");
        assert_eq!(status(1234567.0), "1,234,567");
        assert_eq!(status(-2500.0), "-2,500");
        assert_eq!(status(12.34), "12.3");
    }
}
