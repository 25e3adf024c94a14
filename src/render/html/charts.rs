//! The report's charts, drawn with the `plotters` SVG backend (no fonts needed: SVG text is
//! laid out by the browser) and given a `<title>`, a `<desc>` and `role="img"` afterwards.
//!
//! Palette: viridis for the heat map (perceptually uniform, readable in grey and by the common
//! colour-vision deficiencies); Okabe & Ito (2008) for categories.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::render::escape;
use super::{LongRun, PlacesSection};
use crate::binned::BinnedRanks;
use crate::error::{MobilityError, Result};

/// Okabe-Ito blue.
const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe-Ito vermillion.
const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe-Ito orange.
const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe-Ito sky blue.
const SKY: RGBColor = RGBColor(86, 180, 233);
const GREY: RGBColor = RGBColor(110, 110, 110);
const LIGHT: RGBColor = RGBColor(225, 225, 225);
const INK: RGBColor = RGBColor(25, 25, 25);
const FONT: &str = "sans-serif";

fn chart_error<E: std::fmt::Debug>(what: &str) -> impl Fn(E) -> MobilityError + '_ {
    move |e| MobilityError::Undefined {
        what: format!("the {what} chart"),
        reason: format!("{e:?}"),
    }
}

/// Draws with `f` on an SVG of `size` and returns the accessible SVG element.
fn svg(
    size: (u32, u32),
    id: &str,
    title: &str,
    desc: &str,
    f: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<()>,
) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error(id))?;
        f(&root)?;
        root.present().map_err(chart_error(id))?;
    }
    Ok(accessible(&buf, size, id, title, desc))
}

/// Replaces the opening `<svg ...>` of plotters' output by one with a role, a label, a title and
/// a description; drops the fixed size (CSS scales the chart) and the XML namespace (implicit in
/// HTML).
fn accessible(svg: &str, size: (u32, u32), id: &str, title: &str, desc: &str) -> String {
    let body = svg.find('>').map_or(svg, |i| &svg[i + 1..]);
    format!(
        "<svg viewBox=\"0 0 {w} {h}\" class=\"chart\" style=\"max-width:{w}px\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"xMidYMid meet\">\
         <title id=\"{id}-title\">{t}</title><desc id=\"{id}-desc\">{d}</desc>{body}",
        w = size.0,
        h = size.1,
        t = escape(title),
        d = escape(desc),
    )
}

/// A font size in CSS pixels (plotters' SVG backend writes `size / 1.24`).
fn px(size: u32) -> f64 {
    f64::from(size) * 1.24
}

fn style(size: u32, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FONT, px(size)).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

fn bold(size: u32, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FONT, px(size), FontStyle::Bold).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// The transition matrix as a heat map: parents in rows (bottom class on top, as in the table),
/// children in columns, the share printed in each cell, an empty parent class left blank, and
/// the parent and child shares in the margins.
pub(super) fn heat_map(
    labels: &[String],
    p: &ndarray::Array2<f64>,
    empty_rows: &[usize],
    empty_cols: &[usize],
    parent_shares: &[f64],
    child_shares: &[f64],
    desc: &str,
) -> Result<String> {
    let k = labels.len();
    let values = k <= 12;
    let cell: i32 = if values { 80 } else { (640 / k as i32).max(4) };
    let (left, top, right, bottom) = (110, 64, 130, if values { 70 } else { 40 });
    let w = left + cell * k as i32 + right;
    let h = top + cell * k as i32 + bottom;
    let vmax = p.iter().copied().fold(0.0, f64::max).max(1e-12);
    let label_every = if values { 1 } else { (k / 10).max(1) };
    svg(
        (w as u32, h as u32),
        "heatmap",
        "Transition matrix heat map",
        desc,
        |root| {
            let e = chart_error("heat map");
            let x0 = left;
            let y0 = top;
            let gw = cell * k as i32;
            root.draw(&Text::new(
                "Child's class (poorest to richest)",
                (x0 + gw / 2, 14),
                bold(15, INK, HPos::Center, VPos::Center),
            ))
            .map_err(&e)?;
            root.draw(&Text::new(
                "Parents' class",
                (8, 14),
                bold(15, INK, HPos::Left, VPos::Center),
            ))
            .map_err(&e)?;
            root.draw(&Text::new(
                "Share of parents",
                (x0 + gw + 8, top - 14),
                bold(12, INK, HPos::Left, VPos::Center),
            ))
            .map_err(&e)?;
            for i in 0..k {
                let y = y0 + cell * i as i32;
                let x = x0 + cell * i as i32;
                if i % label_every == 0 || i + 1 == k {
                    let mut col = labels[i].clone();
                    if empty_cols.contains(&i) {
                        col.push_str(" (none)");
                    }
                    root.draw(&Text::new(
                        col,
                        (x + cell / 2, top - 14),
                        style(13, INK, HPos::Center, VPos::Center),
                    ))
                    .map_err(&e)?;
                    root.draw(&Text::new(
                        labels[i].clone(),
                        (x0 - 10, y + cell / 2),
                        style(13, INK, HPos::Right, VPos::Center),
                    ))
                    .map_err(&e)?;
                }
                if empty_rows.contains(&i) {
                    root.draw(&Rectangle::new(
                        [(x0, y), (x0 + gw, y + cell)],
                        WHITE.filled(),
                    ))
                    .map_err(&e)?;
                    root.draw(&Rectangle::new(
                        [(x0, y), (x0 + gw, y + cell)],
                        GREY.stroke_width(1),
                    ))
                    .map_err(&e)?;
                    root.draw(&Text::new(
                        "no parents in this class: row empty",
                        (x0 + gw / 2, y + cell / 2),
                        style(13, GREY, HPos::Center, VPos::Center),
                    ))
                    .map_err(&e)?;
                } else {
                    for j in 0..k {
                        let v = p[[i, j]];
                        let t = (v / vmax) as f32;
                        let fill = ViridisRGB.get_color(t);
                        let xj = x0 + cell * j as i32;
                        root.draw(&Rectangle::new(
                            [(xj, y), (xj + cell, y + cell)],
                            fill.filled(),
                        ))
                        .map_err(&e)?;
                        if values {
                            let ink = if t < 0.6 { WHITE } else { INK };
                            let text = if i == j {
                                bold(14, ink, HPos::Center, VPos::Center)
                            } else {
                                style(14, ink, HPos::Center, VPos::Center)
                            };
                            root.draw(&Text::new(
                                format!("{:.1}", 100.0 * v),
                                (xj + cell / 2, y + cell / 2),
                                text,
                            ))
                            .map_err(&e)?;
                        }
                    }
                }
                // margins: parent share right of the row, child share under the column
                if values || i % label_every == 0 {
                    root.draw(&Text::new(
                        format!("{:.1}%", 100.0 * parent_shares[i]),
                        (x0 + gw + 10, y + cell / 2),
                        style(13, INK, HPos::Left, VPos::Center),
                    ))
                    .map_err(&e)?;
                }
                if values {
                    root.draw(&Text::new(
                        format!("{:.1}%", 100.0 * child_shares[i]),
                        (x + cell / 2, y0 + gw + 16),
                        style(13, INK, HPos::Center, VPos::Center),
                    ))
                    .map_err(&e)?;
                }
            }
            if values {
                root.draw(&Text::new(
                    "Share of children",
                    (x0 - 10, y0 + gw + 16),
                    bold(12, INK, HPos::Right, VPos::Center),
                ))
                .map_err(&e)?;
                root.draw(&Text::new(
                    "Cells: % of the row's children in each class",
                    (x0 + gw / 2, y0 + gw + 42),
                    style(12, GREY, HPos::Center, VPos::Center),
                ))
                .map_err(&e)?;
            }
            Ok(())
        },
    )
}

/// The rank-rank picture: mean child rank per bin of parent rank, and the fitted line.
pub(super) fn rank_rank(b: &BinnedRanks, desc: &str) -> Result<String> {
    let (lo, hi) = b
        .rows
        .iter()
        .filter_map(|r| r.mean_child_rank)
        .chain([b.fitted(0.0), b.fitted(100.0)])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, c), v| {
            (a.min(v), c.max(v))
        });
    let ylo = ((lo - 5.0) / 10.0).floor().max(0.0) * 10.0;
    let yhi = ((hi + 5.0) / 10.0).ceil().min(10.0) * 10.0;
    svg((640, 420), "rankrank", "Rank-rank picture", desc, |root| {
        let e = chart_error("rank-rank");
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(46)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..100f64, ylo..yhi)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .bold_line_style(LIGHT)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("Parents' income rank (percentile)")
            .y_desc("Children's mean income rank")
            .label_style((FONT, px(14)))
            .axis_desc_style((FONT, px(15)))
            .draw()
            .map_err(&e)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, b.fitted(0.0)), (100.0, b.fitted(100.0))],
                VERMILLION.stroke_width(3),
            ))
            .map_err(&e)?
            .label(format!("fitted line, slope {:.3}", b.slope))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], VERMILLION.stroke_width(3)));
        chart
            .draw_series(
                b.rows
                    .iter()
                    .filter_map(|r| r.mean_parent_rank.zip(r.mean_child_rank))
                    .map(|pt| Circle::new(pt, 5, BLUE.filled())),
            )
            .map_err(&e)?
            .label(format!("mean child rank in each of {} bins", b.bins))
            .legend(|(x, y)| Circle::new((x + 10, y), 5, BLUE.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(LIGHT)
            .label_font((FONT, px(14)))
            .draw()
            .map_err(&e)?;
        Ok(())
    })
}

/// Parent shares beside the long-run (stationary) distribution, one pair of bars per class.
pub(super) fn long_run(labels: &[String], lr: &LongRun, desc: &str) -> Result<String> {
    let Some(st) = &lr.stationary else {
        return Ok(String::new());
    };
    let k = labels.len();
    let ymax = st
        .iter()
        .chain(&lr.parent_shares)
        .copied()
        .fold(0.0, f64::max)
        * 100.0
        * 1.15;
    let width = (120 + 60 * k as u32).clamp(420, 860);
    svg(
        (width, 350),
        "longrun",
        "Long-run distribution",
        desc,
        |root| {
            let e = chart_error("long-run");
            // the key, above the plot (plotters' legend box would cover the bars)
            for (n, (colour, text)) in [
                (SKY, "parents today"),
                (BLUE, "long run, if this matrix applied every generation"),
            ]
            .into_iter()
            .enumerate()
            {
                let y = 16 + 22 * n as i32;
                root.draw(&Rectangle::new([(70, y - 7), (86, y + 7)], colour.filled()))
                    .map_err(&e)?;
                root.draw(&Text::new(
                    text,
                    (94, y),
                    style(14, INK, HPos::Left, VPos::Center),
                ))
                .map_err(&e)?;
            }
            let mut chart = ChartBuilder::on(root)
                .margin(14)
                .margin_top(60)
                .x_label_area_size(40)
                .y_label_area_size(52)
                .build_cartesian_2d(-0.5f64..(k as f64 - 0.5), 0f64..ymax.max(1.0))
                .map_err(&e)?;
            let every = (k / 10).max(1);
            let shown = (0..k).filter(|i| i % every == 0);
            bar_axes(
                &mut chart,
                "% of families",
                shown.map(|i| (i, labels[i].clone())),
            )
            .map_err(&e)?;
            let bar = 0.38;
            chart
                .draw_series(lr.parent_shares.iter().enumerate().map(|(i, v)| {
                    Rectangle::new([(i as f64 - bar, 0.0), (i as f64, 100.0 * v)], SKY.filled())
                }))
                .map_err(&e)?;
            chart
                .draw_series(st.iter().enumerate().map(|(i, v)| {
                    Rectangle::new(
                        [(i as f64, 0.0), (i as f64 + bar, 100.0 * v)],
                        BLUE.filled(),
                    )
                }))
                .map_err(&e)?;
            Ok(())
        },
    )
}

/// The axes of a bar chart over categories: a light horizontal grid with whole-number y labels
/// under `y_desc`, and each category's label under its bar at `x = i` (the x axis has no ticks
/// of its own).
fn bar_axes<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    y_desc: &str,
    categories: impl Iterator<Item = (usize, String)>,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(LIGHT)
        .x_labels(0)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc(y_desc)
        .label_style((FONT, px(13)))
        .axis_desc_style((FONT, px(14)))
        .draw()?;
    chart.draw_series(categories.map(|(i, label)| {
        EmptyElement::at((i as f64, 0.0))
            + Text::new(label, (0, 8), style(13, INK, HPos::Center, VPos::Top))
    }))?;
    Ok(())
}

/// Expected income of a bottom-class family relative to the mean, generation by generation.
pub(super) fn generations(lr: &LongRun, desc: &str) -> Result<String> {
    if lr.path.is_empty() {
        return Ok(String::new());
    }
    let n = lr.path.len();
    let width = (140 + 56 * n as u32).clamp(420, 860);
    svg(
        (width, 300),
        "generations",
        "Generations to the mean",
        desc,
        |root| {
            let e = chart_error("generations");
            let mut chart = ChartBuilder::on(root)
                .margin(14)
                .x_label_area_size(44)
                .y_label_area_size(52)
                .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..110f64)
                .map_err(&e)?;
            let name = |g: usize| {
                if g == 0 {
                    "today".to_string()
                } else {
                    format!("+{g}")
                }
            };
            bar_axes(
                &mut chart,
                "% of the average income",
                (0..n).map(|g| (g, name(g))),
            )
            .map_err(&e)?;
            chart
                .draw_series(lr.path.iter().enumerate().map(|(g, v)| {
                    Rectangle::new(
                        [(g as f64 - 0.32, 0.0), (g as f64 + 0.32, 100.0 * v)],
                        ORANGE.filled(),
                    )
                }))
                .map_err(&e)?;
            chart
                .draw_series(lr.path.iter().enumerate().map(|(g, v)| {
                    EmptyElement::at((g as f64, 100.0 * v))
                        + Text::new(
                            format!("{:.0}%", 100.0 * v),
                            (0, -4),
                            style(12, INK, HPos::Center, VPos::Bottom),
                        )
                }))
                .map_err(&e)?;
            chart
                .draw_series(LineSeries::new(
                    [(-0.5, 100.0), (n as f64 - 0.5, 100.0)],
                    GREY.stroke_width(2),
                ))
                .map_err(&e)?;
            Ok(())
        },
    )
}

/// Levelling up (x) against social mobility (y), one point per place, split at the medians into
/// four labelled quadrants; the places that do well on one axis and badly on the other are drawn
/// in vermillion and numbered (`L1..` levelling up but not mobile, `M1..` the reverse), the
/// numbers matching the lists beside the chart.
pub(super) fn scatter(s: &PlacesSection, desc: &str) -> Result<String> {
    let xs: Vec<f64> = s.rows.iter().map(|r| r.levelling).collect();
    let ys: Vec<f64> = s.rows.iter().map(|r| r.estimate).collect();
    let span = |v: &[f64]| {
        let (a, b) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(*x), b.max(*x))
            });
        let pad = ((b - a) * 0.08).max(1e-6);
        (a - pad, b + pad)
    };
    let (x0, x1) = span(&xs);
    let (y0, y1) = span(&ys);
    let full = |r: &super::PlaceEntry| {
        if r.region.is_empty() {
            r.name.clone()
        } else {
            format!("{}, {}", r.name, r.region)
        }
    };
    // the number of a contrast place in its list, e.g. "L2"
    let tag = |r: &super::PlaceEntry| -> Option<String> {
        let name = full(r);
        if let Some(i) = s.levelling_not_mobility.iter().position(|n| *n == name) {
            return Some(format!("L{}", i + 1));
        }
        s.mobility_not_levelling
            .iter()
            .position(|n| *n == name)
            .map(|i| format!("M{}", i + 1))
    };
    let small = s.rows.len() <= 40;
    svg(
        (800, 580),
        "scatter",
        "Levelling up against social mobility",
        desc,
        |root| {
            let e = chart_error("scatter");
            let pct = s.score != "top_access_ratio" && s.score != "shorrocks_trace";
            let mut chart = ChartBuilder::on(root)
                .margin(18)
                .x_label_area_size(54)
                .y_label_area_size(72)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(&e)?;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .bold_line_style(LIGHT)
                .x_desc("Levelling up: children's mean national class minus parents'")
                .y_desc(format!("Social mobility: {}", s.score_title))
                .y_label_formatter(&|v| {
                    if pct {
                        format!("{:.0}%", 100.0 * v)
                    } else {
                        format!("{v:.2}")
                    }
                })
                .x_label_formatter(&|v| format!("{v:+.2}"))
                .label_style((FONT, px(14)))
                .axis_desc_style((FONT, px(15)))
                .draw()
                .map_err(&e)?;
            let (mx, my) = (s.levelling_median, s.mobility_median);
            chart
                .draw_series([
                    PathElement::new([(mx, y0), (mx, y1)], GREY.stroke_width(1)),
                    PathElement::new([(x0, my), (x1, my)], GREY.stroke_width(1)),
                ])
                .map_err(&e)?;
            let q = |x: f64, y: f64, text: &str, h: HPos, v: VPos| {
                let dx = if matches!(h, HPos::Left) { 6 } else { -6 };
                let dy = if matches!(v, VPos::Top) { 6 } else { -6 };
                EmptyElement::at((x, y))
                    + Text::new(text.to_string(), (dx, dy), bold(14, GREY, h, v))
            };
            chart
                .draw_series([
                    q(x1, y1, "Levels up and mobile", HPos::Right, VPos::Top),
                    q(x0, y1, "Mobile, not levelling up", HPos::Left, VPos::Top),
                    q(x1, y0, "Levels up, not mobile", HPos::Right, VPos::Bottom),
                    q(x0, y0, "Neither", HPos::Left, VPos::Bottom),
                ])
                .map_err(&e)?;
            let radius = if small { 6 } else { 3 };
            chart
                .draw_series(s.rows.iter().filter(|r| tag(r).is_none()).map(|r| {
                    Circle::new((r.levelling, r.estimate), radius, BLUE.mix(0.5).filled())
                }))
                .map_err(&e)?;
            chart
                .draw_series(
                    s.rows
                        .iter()
                        .filter(|r| tag(r).is_some())
                        .map(|r| Circle::new((r.levelling, r.estimate), 5, VERMILLION.filled())),
                )
                .map_err(&e)?;
            // labels: the contrast numbers, and every name when there are few places; each put
            // right, left, above or below its point, whichever first clears the labels already
            // placed and the plot's edges
            let (px0, py0) = chart.backend_coord(&(x0, y1));
            let (px1, py1) = chart.backend_coord(&(x1, y0));
            let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
            let mut labels = Vec::new();
            for r in &s.rows {
                let t = tag(r);
                let text = match (&t, small) {
                    (Some(t), true) => format!("{t} {}", r.name),
                    (Some(t), false) => t.clone(),
                    (None, true) => r.name.clone(),
                    (None, false) => continue,
                };
                let (cx, cy) = chart.backend_coord(&(r.levelling, r.estimate));
                let w = (text.chars().count() as f64 * 8.2) as i32 + 4;
                let h = 16;
                let candidates = [
                    (HPos::Left, VPos::Center, 8, 0, (cx + 8, cy - h / 2)),
                    (HPos::Right, VPos::Center, -8, 0, (cx - 8 - w, cy - h / 2)),
                    (HPos::Center, VPos::Bottom, 0, -7, (cx - w / 2, cy - 7 - h)),
                    (HPos::Center, VPos::Top, 0, 7, (cx - w / 2, cy + 7)),
                    (HPos::Left, VPos::Bottom, 6, -6, (cx + 6, cy - 6 - h)),
                    (HPos::Left, VPos::Top, 6, 6, (cx + 6, cy + 6)),
                ];
                let fits = |(bx, by): (i32, i32)| {
                    bx >= px0
                        && bx + w <= px1
                        && by >= py0
                        && by + h <= py1
                        && placed.iter().all(|&(ax, ay, aw, ah)| {
                            bx + w <= ax || ax + aw <= bx || by + h <= ay || ay + ah <= by
                        })
                };
                let pick = candidates
                    .iter()
                    .find(|c| fits(c.4))
                    .unwrap_or(if cx + 8 + w > px1 {
                        &candidates[1]
                    } else {
                        &candidates[0]
                    });
                placed.push((pick.4.0, pick.4.1, w, h));
                let ink = if t.is_some() { VERMILLION } else { INK };
                labels.push(
                    EmptyElement::at((r.levelling, r.estimate))
                        + Text::new(text, (pick.2, pick.3), bold(13, ink, pick.0, pick.1)),
                );
            }
            chart.draw_series(labels).map_err(&e)?;
            Ok(())
        },
    )
}
