//! The measure registry against the README and the outputs that read from it.

use mobility::registry::{self, Measure, RankMeasure};

/// The README's measure table, rows `| `name` | `formula` | description |`, between the
/// `<!-- measures -->` markers.
fn readme_rows() -> Vec<(String, String, String)> {
    let readme = include_str!("../README.md");
    let start = readme.find("<!-- measures -->").expect("start marker");
    let end = readme.find("<!-- /measures -->").expect("end marker");
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<String> = l
                .replace("\\|", "\u{0}")
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().replace('\u{0}', "|"))
                .collect();
            let unquote = |s: &str| s.trim_matches('`').to_string();
            (unquote(&cells[0]), unquote(&cells[1]), cells[2].clone())
        })
        .collect()
}

fn expected_table() -> String {
    registry::all()
        .map(|i| {
            format!(
                "| `{}` | `{}` | {} |\n",
                i.name,
                i.formula.replace('|', "\\|"),
                i.description
            )
        })
        .collect()
}

#[test]
fn readme_measure_table_matches_the_registry() {
    let rows = readme_rows();
    let expected: Vec<(String, String, String)> = registry::all()
        .map(|i| {
            (
                i.name.to_string(),
                i.formula.to_string(),
                i.description.to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        expected,
        "README measure table out of step with the registry; it should read:\n{}",
        expected_table()
    );
}

/// The part of `spec` from the line `start` up to the next line that begins with `end`.
fn section<'a>(spec: &'a str, start: &str, end: &str) -> &'a str {
    let from = spec
        .find(&format!("\n{start}\n"))
        .unwrap_or_else(|| panic!("docs/FORMULAS.md has no heading {start:?}"));
    let rest = &spec[from + 1..];
    let to = rest[start.len()..]
        .find(&format!("\n{end}"))
        .map_or(rest.len(), |i| i + start.len());
    &rest[..to]
}

/// The specification defines every measure: a row that starts with the measure's name
/// (`| `name` |`, or `| `name` (with ...) |`) in its definition table in docs/FORMULAS.md (the
/// matrix measures' "The table", section 5 for the rank and income measures), and every
/// registry entry has a title for headings.
#[test]
fn the_specification_defines_every_measure() {
    let spec = include_str!("../docs/FORMULAS.md");
    let matrix = section(spec, "### The table", "### ");
    let ranks = section(spec, "## 5. Rank and income measures", "## ");
    for info in registry::all() {
        let table = if info.family == "matrix" {
            matrix
        } else {
            ranks
        };
        let row = format!("| `{}`", info.name);
        assert!(
            table.lines().any(|l| l.starts_with(&row)),
            "docs/FORMULAS.md has no row for {} in its definition table (a line starting with {row})",
            info.name
        );
        assert!(!info.title.is_empty(), "{} has no title", info.name);
    }
}

#[test]
fn every_measure_has_a_json_key_and_a_value_accessor() {
    let us = mobility::published::us_chetty_2014_quintiles();
    let m = us.measures(&Default::default()).unwrap();
    let json = serde_json::to_value(&m).unwrap();
    for &measure in Measure::ALL {
        let v = json[measure.name()].as_f64();
        assert_eq!(v, m.value(measure), "{measure}");
        assert_eq!(m.get(measure.name()), Some(m.value(measure)));
    }
    let parent: Vec<f64> = (0..50).map(|i| i as f64).collect();
    let child: Vec<f64> = (0..50).map(|i| ((i * 17) % 50) as f64 + 1.0).collect();
    let r = mobility::rankbased::rank_mobility(&parent, &child, None).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    for &measure in RankMeasure::ALL {
        assert_eq!(
            json[measure.name()].as_f64(),
            measure.value(&r),
            "{measure}"
        );
    }
}

#[test]
fn describe_and_measures_table_read_the_registry() {
    assert_eq!(mobility::measures::MEASURES.len(), Measure::ALL.len());
    for (&(name, description), &m) in mobility::measures::MEASURES.iter().zip(Measure::ALL) {
        assert_eq!(name, m.name());
        assert_eq!(description, m.info().description);
        assert_eq!(mobility::measures::describe(name), Some(description));
    }
    assert_eq!(
        mobility::measures::describe("rank_rank_slope"),
        Some(RankMeasure::RankRankSlope.info().description)
    );
    let e = "sticky_floor".parse::<Measure>().unwrap_err().to_string();
    assert!(e.contains("'sticky_floor' is not a matrix measure"), "{e}");
    assert!(e.contains("bottom_persistence"), "{e}");
}
