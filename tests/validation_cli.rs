//! The `mobility` tool on the real files in ../shared/data (run by CI with
//! `--features validation`): the three mobilityIndexR panels (125 rows each; one with many zero
//! incomes, one of grades with ties at 1.0) and the Chetty et al. (2014) national matrix written
//! out as a CSV table.
#![cfg(feature = "validation")]

mod common;

use mobility::io::csv::{CsvOptions, read_columns};
use mobility::measures::{MEASURES, Weighting};
use mobility::{ClassSpec, Rule, TransitionMatrix, published};
use serde_json::Value;

use common::cli::{json, scratch, t0_to_t9};
use common::figures::CHETTY_2014_CORNERS;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mobilityindexr");

fn panel(name: &str) -> String {
    format!("{SHARED}/{name}")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Rows of observed parent classes sum to 1, empty ones are all zero; shares sum to 1; every
/// canonical measure is a number or null.
fn sane(v: &Value, k: usize, n: f64) {
    assert_eq!(v["k"], k);
    assert_eq!(v["n"].as_f64(), Some(n));
    let empty: Vec<usize> = v["empty_parent_classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect();
    for (i, row) in v["matrix"].as_array().unwrap().iter().enumerate() {
        let sum: f64 = floats(row).iter().sum();
        let expected = if empty.contains(&(i + 1)) { 0.0 } else { 1.0 };
        assert!(
            (sum - expected).abs() < 1e-12,
            "row {} sums to {sum}",
            i + 1
        );
    }
    for key in ["parent_shares", "child_shares"] {
        let s: f64 = floats(&v[key]).iter().sum();
        assert!((s - 1.0).abs() < 1e-12, "{key} sum to {s}");
    }
    let counts: f64 = v["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(floats)
        .sum();
    assert!((counts - n).abs() < 1e-9);
    for &(name, _) in MEASURES {
        let m = &v["measures"][name];
        assert!(m.is_number() || m.is_null(), "{name}: {m}");
    }
}

#[test]
fn income_panel_t0_to_t9() {
    let file = panel("incomeMobility.csv");
    let v = json(&t0_to_t9(&file, "5", &["--json"]));
    sane(&v, 5, 125.0);
    // 125 distinct incomes: every quintile holds 25.
    assert_eq!(floats(&v["parent_shares"]), vec![0.2; 5]);
    assert_eq!(floats(&v["child_shares"]), vec![0.2; 5]);
    assert!(v["measures"]["shorrocks_trace"].is_number());
    // The same as the library on the same columns.
    let c = read_columns(&file, &["t0", "t9"], &CsvOptions::default()).unwrap();
    let tm = TransitionMatrix::from_status(
        c.get("t0").unwrap(),
        c.get("t9").unwrap(),
        None,
        &ClassSpec::quantiles(5),
    )
    .unwrap();
    let m = tm.measures(&Weighting::ParentShares).unwrap();
    let cli = v["measures"]["shorrocks_trace"].as_f64().unwrap();
    assert!((cli - m.shorrocks_trace.unwrap()).abs() < 1e-12);
}

#[test]
fn zero_inflated_panel_with_heavy_ties() {
    // 61 of 125 parents have zero income at t0: one tie group, which no rule but `split`
    // divides (split: tests/validation_realdata.rs).
    let file = panel("incomeZeroInfMobility.csv");
    for rule in Rule::ALL.into_iter().filter(|r| *r != Rule::Split) {
        let v = json(&t0_to_t9(&file, "5", &["--rule", rule.name(), "--json"]));
        sane(&v, 5, 125.0);
        let parents = floats(&v["parent_shares"]);
        assert!(
            parents
                .iter()
                .any(|&s| (s - 61.0 / 125.0).abs() < 1e-12 || (s - 0.6).abs() < 1e-12),
            "{rule}: the zero group is not one class: {parents:?}"
        );
        // An empty class is kept and reported, never dropped.
        assert!(!v["empty_parent_classes"].as_array().unwrap().is_empty());
        assert!(v["measures"]["shorrocks_trace"].is_null());
    }
}

#[test]
fn grade_panel_all_rules_and_deciles() {
    let file = panel("gradeMobility.csv");
    for rule in Rule::ALL {
        for k in ["4", "5", "10"] {
            let v = json(&t0_to_t9(&file, k, &["--rule", rule.name(), "--json"]));
            sane(&v, k.parse().unwrap(), 125.0);
        }
    }
}

#[test]
fn chetty_matrix_as_a_csv_table() {
    let us = published::us_chetty_2014_quintiles();
    let p = &us.probabilities();
    // As Chetty et al. (2014) print Table II: child quintile in rows, with labels.
    let mut full = String::from("child \\ parent,Q1,Q2,Q3,Q4,Q5\n");
    let mut rounded = full.clone();
    for j in 0..5 {
        full.push_str(&format!("Q{}", j + 1));
        rounded.push_str(&format!("Q{}", j + 1));
        for i in 0..5 {
            full.push_str(&format!(",{:?}", p[[i, j]]));
            rounded.push_str(&format!(",{:.1}", 100.0 * p[[i, j]]));
        }
        full.push('\n');
        rounded.push('\n');
    }
    let full_path = scratch("chetty_full.csv", &full);
    let rounded_path = scratch("chetty_table2_percent.csv", &rounded);

    let v = json(&[
        "table",
        full_path.to_str().unwrap(),
        "--probabilities",
        "--child-in-rows",
        "--json",
    ]);
    assert!(v["n"].is_null() && v["counts"].is_null());
    let lib = us.measures(&Weighting::ParentShares).unwrap();
    for (name, value) in lib.to_pairs() {
        let cli = v["measures"][name].as_f64().unwrap();
        assert!((cli - value.unwrap()).abs() < 1e-12, "{name}");
    }
    // Chetty et al. (2014), Table II: Q1 -> Q1 33.7%, Q1 -> Q5 7.5%, Q5 -> Q1 10.9%, Q5 -> Q5 36.5%.
    let m = &v["matrix"];
    for (i, j, published) in CHETTY_2014_CORNERS {
        let x = m[i][j].as_f64().unwrap();
        assert!((x - published).abs() < 5e-4, "P[{i}][{j}] = {x}");
    }

    // Percentages to one decimal read as counts give the same matrix to rounding.
    let pct = json(&[
        "table",
        rounded_path.to_str().unwrap(),
        "--child-in-rows",
        "--json",
    ]);
    let q = &pct["matrix"];
    for i in 0..5 {
        for j in 0..5 {
            let d = q[i][j].as_f64().unwrap() - p[[i, j]];
            assert!(d.abs() < 1e-3, "({i}, {j}) differs by {d}");
        }
    }
    std::fs::remove_file(&full_path).unwrap();
    std::fs::remove_file(&rounded_path).unwrap();
}
