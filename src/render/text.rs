//! Plain-text rendering of a matrix [`Report`] for a terminal (at most 100 columns, 4 decimals).
//!
//! What the `mobility` tool prints without `--json`, and what the examples print.
//!
//! ```
//! use mobility::io::text::render_report;
//! let us = mobility::published::us_chetty_2014_quintiles();
//! let text = render_report(&us.report(&Default::default()).unwrap(), &us.labels());
//! assert!(text.contains("bottom_persistence"));
//! assert!(text.lines().all(|l| l.chars().count() <= 100));
//! ```

use crate::matrix::class_labels;
use crate::measures::{MEASURES, Weighting, describe};
use crate::report::Report;

/// The widest line the renderers write.
pub const WIDTH: usize = 100;

/// Matrices with more classes than this are not printed (the JSON output has them).
pub const MAX_PRINTED_K: usize = 20;

const DECIMALS: usize = 4;

/// Renders a [`Report`]: `n`, the matrix `P` with class labels, the per-class table (shares,
/// counts, persistence, up and down shares, expected stay, stationary distribution), empty
/// classes, cut-offs, the measures with a one-line description each, and the eigenvalue moduli.
///
/// `labels` names the classes (e.g. [`TransitionMatrix::labels`]); when its length is not `k`,
/// `C1..Ck`-style labels from [`class_labels`] are used. A measure that is not defined prints as
/// `undefined`. Lines are at most [`WIDTH`] characters; for `k > `[`MAX_PRINTED_K`] the matrix
/// and per-class table are left out with a note.
///
/// [`TransitionMatrix::labels`]: crate::TransitionMatrix::labels
///
/// # Complexity
/// `O(k^2)`.
pub fn render_report(report: &Report, labels: &[String]) -> String {
    let k = report.k;
    let labels = if labels.len() == k {
        labels.to_vec()
    } else {
        class_labels(k)
    };
    let mut out = String::new();
    match report.n {
        Some(n) => out.push_str(&format!(
            "{k} classes, n = {} (total weight)\n",
            format_count(n)
        )),
        None => out.push_str(&format!(
            "{k} classes, probability table (n and counts unknown)\n"
        )),
    }

    if k <= MAX_PRINTED_K {
        out.push_str(
            "\nTransition matrix P: P(child class | parent class), parent in rows; rows sum to 1\n",
        );
        let rows: Vec<Row> = (0..k)
            .map(|i| Row {
                label: labels[i].clone(),
                cells: report.matrix.row(i).iter().map(|&v| fixed(v)).collect(),
            })
            .collect();
        grid(&mut out, "parent\\child", &labels, &rows);

        out.push_str("\nBy class\n");
        let mut rows = vec![
            vec_row(
                "parent share",
                report.parent_shares.iter().map(|&v| Some(v)),
            ),
            vec_row("child share", report.child_shares.iter().map(|&v| Some(v))),
        ];
        if let Some(counts) = &report.counts {
            rows.push(Row {
                label: "parents (n)".into(),
                cells: counts
                    .rows()
                    .into_iter()
                    .map(|r| format_count(r.sum()))
                    .collect(),
            });
        }
        let profile = &report.class_profile;
        rows.push(vec_row("stay p_ii", profile.persistence.iter().copied()));
        rows.push(vec_row("move up", profile.upward.iter().copied()));
        rows.push(vec_row("move down", profile.downward.iter().copied()));
        rows.push(Row {
            label: "expected stay".into(),
            cells: profile
                .expected_stay
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Some(v) if v.is_finite() => format!("{v:.2}"),
                    // `1 / (1 - p_ii)` with p_ii = 1: the class is never left.
                    Some(_) => "inf".into(),
                    None if profile.persistence[i] == Some(1.0) => "inf".into(),
                    None => "-".into(),
                })
                .collect(),
        });
        if let Some(s) = &report.steady_state {
            rows.push(vec_row("stationary", s.iter().map(|&v| Some(v))));
        }
        grid(&mut out, "", &labels, &rows);
        out.push_str(
            "  (expected stay = 1 / (1 - p_ii) generations; stationary = long-run shares pi* P = pi*)\n",
        );
    } else {
        out.push_str(&format!(
            "\n(the {k} x {k} matrix and per-class figures are not printed; use --json)\n"
        ));
    }

    let named = |idx: &[usize]| -> String {
        idx.iter()
            .map(|&i| labels.get(i - 1).cloned().unwrap_or_else(|| i.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !report.empty_parent_classes.is_empty() {
        out.push_str(&wrap(
            &format!(
                "\nEmpty parent classes: {} (no observations; whole-matrix measures are undefined)",
                named(&report.empty_parent_classes)
            ),
            0,
        ));
    }
    if !report.empty_child_classes.is_empty() {
        out.push_str(&wrap(
            &format!(
                "\nEmpty child classes: {} (no child reached them)",
                named(&report.empty_child_classes)
            ),
            0,
        ));
    }
    if report.parent_cutoffs.is_some() || report.child_cutoffs.is_some() {
        out.push_str("\nCut-offs in status units (upper bound of each class but the top)\n");
        for (who, cuts, splits) in [
            (
                "parent",
                &report.parent_cutoffs,
                &report.parent_cutoff_splits,
            ),
            ("child", &report.child_cutoffs, &report.child_cutoff_splits),
        ] {
            if let Some(c) = cuts {
                let list: Vec<String> = c
                    .iter()
                    .enumerate()
                    .map(|(m, &v)| match splits.as_ref().and_then(|s| s[m]) {
                        Some(f) => {
                            format!("{} ({:.1}% of the tie below)", significant(v), 100.0 * f)
                        }
                        None => significant(v),
                    })
                    .collect();
                out.push_str(&wrap(&format!("  {who:<8}{}", list.join(", ")), 10));
            }
        }
        if report.parent_cutoff_splits.is_some() || report.child_cutoff_splits.is_some() {
            out.push_str(&wrap(
                "  (split rule: a tie group on a boundary is shared between the classes it \
                 spans; every class holds exactly 1/k)",
                4,
            ));
        }
    }

    out.push_str(&format!(
        "\nMeasures (origin weights pi = {})\n",
        weighting_name(&report.pi)
    ));
    let name_w = MEASURES.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, value) in report.measures.to_pairs() {
        let line = format!(
            "  {name:<name_w$}  {:>9}  {}",
            value.map_or_else(|| "undefined".to_string(), fixed),
            describe(name).unwrap_or("")
        );
        out.push_str(&wrap(&line, name_w + 15));
    }

    match &report.abs_eigenvalues {
        Some(e) => {
            let list: Vec<String> = e.iter().map(|&v| fixed(v)).collect();
            out.push_str(&wrap(
                &format!(
                    "\nEigenvalue moduli |lambda|, largest first: {}",
                    list.join(" ")
                ),
                2,
            ));
        }
        None => out.push_str("\nEigenvalues: undefined (a parent class is empty)\n"),
    }
    if report.steady_state.is_none() {
        out.push_str("Stationary distribution: not unique (or a parent class is empty)\n");
    }
    out
}

/// Renders the canonical measures of several reports side by side, one column per report
/// (headed by `titles`), with each measure's one-line description below its name.
///
/// Reports may have different `k`; extra titles or reports are ignored. Columns are as wide as
/// the longest title (at least 9 characters): six columns of short titles (up to 9 characters)
/// stay within [`WIDTH`].
///
/// # Complexity
/// `O(m)` for `m` reports.
///
/// # Example
/// ```
/// use mobility::{io::text::render_comparison, published};
/// let us = published::us_chetty_2014_quintiles().report(&Default::default()).unwrap();
/// let uk = published::uk_blanden_2005_quartiles().report(&Default::default()).unwrap();
/// let text = render_comparison(&["US", "UK"], &[&us, &uk]);
/// assert!(text.contains("shorrocks_trace"));
/// ```
pub fn render_comparison(titles: &[&str], reports: &[&Report]) -> String {
    let m = titles.len().min(reports.len());
    let name_w = MEASURES.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let col_w = titles[..m]
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(0)
        .max(9)
        + 2;
    let mut out = format!("  {:<name_w$}", "measure");
    for t in &titles[..m] {
        out.push_str(&format!("{t:>col_w$}"));
    }
    out.push('\n');
    out.push_str(&format!("  {:<name_w$}", "k"));
    for r in &reports[..m] {
        out.push_str(&format!("{:>col_w$}", r.k));
    }
    out.push('\n');
    for (idx, (name, _)) in MEASURES.iter().enumerate() {
        out.push_str(&format!("  {name:<name_w$}"));
        for r in &reports[..m] {
            let v = r.measures.to_pairs()[idx].1;
            out.push_str(&format!(
                "{:>col_w$}",
                v.map_or_else(|| "undefined".to_string(), fixed)
            ));
        }
        out.push('\n');
        out.push_str(&wrap(&format!("      {}", describe(name).unwrap_or("")), 6));
    }
    out
}

/// A human name for an origin weighting.
pub fn weighting_name(w: &Weighting) -> String {
    match w {
        Weighting::ParentShares => "parent shares".into(),
        Weighting::Uniform => "uniform 1/k".into(),
        Weighting::Stationary => "the stationary distribution".into(),
        Weighting::Custom(v) => format!(
            "({})",
            v.iter()
                .map(|&x| significant(x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

struct Row {
    label: String,
    cells: Vec<String>,
}

fn vec_row(label: &str, values: impl Iterator<Item = Option<f64>>) -> Row {
    Row {
        label: label.into(),
        cells: values
            .map(|v| v.map_or_else(|| "-".into(), fixed))
            .collect(),
    }
}

/// A labelled grid with one column per class, split into blocks of columns to fit [`WIDTH`].
fn grid(out: &mut String, corner: &str, labels: &[String], rows: &[Row]) {
    let label_w = rows
        .iter()
        .map(|r| r.label.chars().count())
        .chain([corner.chars().count()])
        .max()
        .unwrap_or(0);
    let col_w = rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.chars().count()))
        .chain(labels.iter().map(|l| l.chars().count()))
        .max()
        .unwrap_or(0)
        + 2;
    let per_block = ((WIDTH - 2 - label_w) / col_w).max(1);
    let k = labels.len();
    let mut start = 0;
    while start < k {
        let end = (start + per_block).min(k);
        if start > 0 {
            out.push('\n');
        }
        out.push_str(&format!("  {corner:<label_w$}"));
        for l in &labels[start..end] {
            out.push_str(&format!("{l:>col_w$}"));
        }
        out.push('\n');
        for r in rows {
            out.push_str(&format!("  {:<label_w$}", r.label));
            for c in &r.cells[start..end.min(r.cells.len())] {
                out.push_str(&format!("{c:>col_w$}"));
            }
            out.push('\n');
        }
        start = end;
    }
}

fn fixed(v: f64) -> String {
    let s = format!("{v:.DECIMALS$}");
    // No "-0.0000".
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A count: whole numbers without decimals, others with one.
pub(crate) fn format_count(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A status value with up to 6 significant digits, no trailing zeros.
pub(crate) fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..15).contains(&magnitude) {
        return format!("{v:.5e}");
    }
    let decimals = (5 - magnitude).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Wraps one logical line at [`WIDTH`] on spaces, continuation lines indented by `indent`;
/// returns it with a trailing newline. A leading newline is kept.
/// Wraps `line` at [`WIDTH`], continuation lines indented by `indent`; ends with a newline.
pub(crate) fn wrap(line: &str, indent: usize) -> String {
    let (lead, line) = match line.strip_prefix('\n') {
        Some(rest) => ("\n", rest),
        None => ("", line),
    };
    let mut out = String::from(lead);
    let mut current = String::new();
    for word in split_keep_leading(line) {
        let len = current.chars().count();
        if len + word.chars().count() > WIDTH && !current.trim().is_empty() {
            out.push_str(current.trim_end());
            out.push('\n');
            current = " ".repeat(indent);
            current.push_str(word.trim_start());
        } else {
            current.push_str(word);
        }
    }
    out.push_str(current.trim_end());
    out.push('\n');
    out
}

/// Splits into words, each with the spaces before it (so alignment padding survives).
fn split_keep_leading(s: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        while i < bytes.len() && bytes[i] != b' ' {
            i += 1;
        }
        words.push(&s[start..i]);
        start = i;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClassSpec, TransitionMatrix, published};

    fn check_width(text: &str) {
        for l in text.lines() {
            assert!(l.chars().count() <= WIDTH, "too wide: {l:?}");
        }
    }

    #[test]
    fn published_report_has_every_part() {
        let us = published::us_chetty_2014_quintiles();
        let text = render_report(&us.report(&Weighting::ParentShares).unwrap(), &us.labels());
        check_width(&text);
        assert!(text.contains("probability table"));
        assert!(text.contains("  Q1            0.3368  0.2802"), "{text}");
        for (name, _) in MEASURES {
            assert!(text.contains(name), "{name}");
        }
        assert!(text.contains("Eigenvalue moduli"));
        assert!(text.contains("stationary"));
        assert!(!text.contains("Cut-offs"));
    }

    #[test]
    fn deciles_from_status_fit_and_show_cutoffs() {
        let parent: Vec<f64> = (0..200).map(|i| f64::from(i) * 100.0).collect();
        let child: Vec<f64> = (0..200).map(|i| f64::from((i * 37) % 200)).collect();
        let tm = TransitionMatrix::from_status(&parent, &child, None, &ClassSpec::quantiles(10))
            .unwrap();
        let text = render_report(&tm.report(&Weighting::Uniform).unwrap(), &tm.labels());
        check_width(&text);
        assert!(text.contains("n = 200"));
        assert!(text.contains("D10"));
        assert!(text.contains("parents (n)"));
        assert!(text.contains("Cut-offs"));
        assert!(text.contains("pi = uniform 1/k"));
    }

    #[test]
    fn empty_class_and_undefined_measures() {
        let tm = TransitionMatrix::from_counts(
            ndarray::array![[3.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 2.0]].view(),
        )
        .unwrap();
        let text = render_report(&tm.report(&Weighting::ParentShares).unwrap(), &[]);
        check_width(&text);
        assert!(text.contains("Empty parent classes: C2"), "{text}");
        assert!(text.contains("Empty child classes: C2"), "{text}");
        assert!(text.contains("undefined"));
        assert!(text.contains("Eigenvalues: undefined"));
    }

    #[test]
    fn large_k_is_summarised() {
        let tm = TransitionMatrix::from_counts(ndarray::Array2::eye(25).view()).unwrap();
        let text = render_report(&tm.report(&Weighting::ParentShares).unwrap(), &tm.labels());
        check_width(&text);
        assert!(text.contains("not printed"));
    }

    #[test]
    fn twelve_to_twenty_classes_split_into_blocks() {
        let tm = TransitionMatrix::from_counts(
            ndarray::Array2::from_shape_fn((20, 20), |(i, j)| 1.0 + (i * j) as f64 * 1e5).view(),
        )
        .unwrap();
        let text = render_report(&tm.report(&Weighting::ParentShares).unwrap(), &tm.labels());
        check_width(&text);
        assert!(text.contains("C20"));
    }

    #[test]
    fn comparison_side_by_side() {
        let us = published::us_chetty_2014_quintiles()
            .report(&Weighting::ParentShares)
            .unwrap();
        let uk = published::uk_blanden_2005_quartiles()
            .report(&Weighting::ParentShares)
            .unwrap();
        let text = render_comparison(&["US 2014", "UK 2005"], &[&us, &uk]);
        check_width(&text);
        assert!(text.contains("0.3368"));
        assert!(text.contains("UK 2005"));
    }

    #[test]
    fn number_formats() {
        assert_eq!(fixed(-0.00001), "0.0000");
        assert_eq!(fixed(0.33683), "0.3368");
        assert_eq!(format_count(125.0), "125");
        assert_eq!(format_count(12.75), "12.8");
        assert_eq!(significant(39235.0), "39235");
        assert_eq!(significant(0.685), "0.685");
        assert_eq!(significant(1234567.891), "1234568");
        assert_eq!(significant(1e-9), "1.00000e-9");
    }

    #[test]
    fn wrapping_keeps_indent() {
        let long = format!("  {:<20}  {}", "x", "word ".repeat(30));
        let w = wrap(&long, 24);
        check_width(&w);
        assert!(w.lines().nth(1).unwrap().starts_with(&" ".repeat(24)));
    }
}
