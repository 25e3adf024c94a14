//! `mobility table` as a user with a published table runs it: tables printed with the top class
//! first (`--top-first`), the file's own class labels, what was taken as a header (JSON and a
//! note), a semicolon-separated file read without `--delimiter`, the row-sum tolerance bound;
//! and whole-number options that overflow ("too large", not "expects a whole number").

mod common;

use mobility::TransitionMatrix;
use serde_json::Value;

use common::cli::{data, fails, income_args, json, run, scratch};

/// Goodman (1979), from Glass (1954): British father-son occupational status, 8 x 8 counts,
/// father in rows, son in columns, **class 1 the highest status**. As shipped in R's `datasets`
/// package (`occupationalStatus`), typed in here.
const OCCUPATIONAL_STATUS: [[f64; 8]; 8] = [
    [50., 19., 26., 8., 7., 11., 6., 2.],
    [16., 40., 34., 18., 11., 20., 8., 3.],
    [12., 35., 65., 66., 35., 88., 23., 21.],
    [11., 20., 58., 110., 40., 183., 64., 32.],
    [2., 8., 12., 23., 25., 46., 28., 12.],
    [12., 28., 102., 162., 90., 554., 230., 177.],
    [0., 6., 19., 40., 21., 158., 143., 71.],
    [0., 3., 14., 32., 15., 126., 91., 106.],
];

/// The occupational-status table as R writes it (`write.csv`): a header `"","1",...,"8"` and
/// a first column of class numbers.
fn occupational_csv() -> String {
    let mut s = String::from("\"\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\"\n");
    for (i, row) in OCCUPATIONAL_STATUS.iter().enumerate() {
        s.push_str(&format!("\"{}\"", i + 1));
        for v in row {
            s.push_str(&format!(",{v}"));
        }
        s.push('\n');
    }
    s
}

fn measure(v: &Value, name: &str) -> f64 {
    v["measures"][name]
        .as_f64()
        .unwrap_or_else(|| panic!("{name}"))
}

#[test]
fn top_first_puts_the_sticky_floor_at_the_bottom_class() {
    let path = scratch("occupational_status.csv", &occupational_csv());
    let file = path.to_str().unwrap();
    let v = json(&["table", file, "--top-first", "--json"]);
    // father class 8 (the lowest status): 106 of 387 sons stay, none reach class 1
    let bottom_row: f64 = OCCUPATIONAL_STATUS[7].iter().sum();
    let top_row: f64 = OCCUPATIONAL_STATUS[0].iter().sum();
    assert_eq!(bottom_row, 387.0);
    assert_eq!(top_row, 129.0);
    assert!((measure(&v, "bottom_persistence") - 106.0 / 387.0).abs() < 1e-15);
    assert!((measure(&v, "top_persistence") - 50.0 / 129.0).abs() < 1e-15);
    assert_eq!(measure(&v, "bottom_to_top"), 0.0);
    assert!((measure(&v, "top_to_bottom") - 2.0 / 129.0).abs() < 1e-15);
    assert_eq!(v["n"].as_f64(), Some(3498.0));
    assert_eq!(v["top_first"], Value::Bool(true));
    let labels: Vec<&str> = v["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(labels, ["8", "7", "6", "5", "4", "3", "2", "1"]);
    // the same as the library on the reversed table
    let mut reversed = ndarray::Array2::zeros((8, 8));
    for i in 0..8 {
        for j in 0..8 {
            reversed[[i, j]] = OCCUPATIONAL_STATUS[7 - i][7 - j];
        }
    }
    let tm = TransitionMatrix::from_counts(reversed.view()).unwrap();
    let lib = serde_json::to_value(tm.report(&Default::default()).unwrap()).unwrap();
    for key in [
        "matrix",
        "counts",
        "parent_shares",
        "measures",
        "steady_state",
    ] {
        assert_eq!(v[key], lib[key], "{key}");
    }
    // without --top-first the bottom class is the file's class 1
    let plain = json(&["table", file, "--json"]);
    assert!((measure(&plain, "bottom_persistence") - 50.0 / 129.0).abs() < 1e-15);
    assert_eq!(plain["top_first"], Value::Bool(false));

    // text: the file's labels, reversed, name the rows and columns
    let out = run(&["table", file, "--top-first"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("reversed: the file lists the top class first"),
        "{text}"
    );
    let grid = text
        .lines()
        .find(|l| l.trim_start().starts_with("parent\\child"))
        .unwrap();
    let heads: Vec<&str> = grid.split_whitespace().skip(1).collect();
    assert_eq!(heads, ["8", "7", "6", "5", "4", "3", "2", "1"]);
    let first: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("parent\\child"))
        .nth(1)
        .unwrap()
        .split_whitespace()
        .take(2)
        .collect();
    assert_eq!(first, ["8", "0.2739"], "{text}");
}

#[test]
fn top_first_reverses_parent_shares_and_error_locations() {
    // a probability table, top class first, with parent shares in the file's order
    let path = scratch("probs_top.csv", "0.7,0.3\n0.2,0.8\n");
    let file = path.to_str().unwrap();
    let v = json(&[
        "table",
        file,
        "--probabilities",
        "--top-first",
        "--parent-shares",
        "0.25,0.75",
        "--json",
    ]);
    assert_eq!(v["matrix"], serde_json::json!([[0.8, 0.2], [0.3, 0.7]]));
    assert_eq!(v["parent_shares"], serde_json::json!([0.75, 0.25]));
    // an error names the file's line, not the reversed index
    let bad = scratch("bad_top.csv", "0.7,0.3\n0.2,0.9\n0.1,0.9\n");
    let bad = bad.to_str().unwrap();
    let bad3 = scratch("bad3.csv", "0.7,0.2,0.1\n0.2,0.9,0.1\n0.1,0.1,0.8\n");
    fails(
        &[
            "table",
            bad3.to_str().unwrap(),
            "--probabilities",
            "--top-first",
        ],
        1,
        &["line 2: parent class 2 sums to 1.2"],
    );
    fails(&["table", bad, "--top-first"], 1, &["must be square"]);
    let neg = scratch("neg_top.csv", "5,-1,2\n1,2,3\n4,5,6\n");
    fails(
        &["table", neg.to_str().unwrap(), "--top-first"],
        1,
        &["line 1, column 2: count -1 is negative"],
    );
}

#[test]
fn default_labels_are_the_librarys() {
    let quint = scratch(
        "q5.csv",
        "5,1,1,1,1\n1,5,1,1,1\n1,1,5,1,1\n1,1,1,5,1\n1,1,1,1,5\n",
    );
    let v = json(&["table", quint.to_str().unwrap(), "--json"]);
    assert_eq!(
        v["labels"],
        serde_json::json!(mobility::matrix::class_labels(5))
    );
    assert_eq!(v["labels"][0], "Q1");
    let three = scratch("c3.csv", "5,1,1\n1,5,1\n1,1,5\n");
    let out = run(&["table", three.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("parent\\child      C1      C2      C3"),
        "{text}"
    );
    // labels that repeat are not used
    let dup = scratch("dup.csv", "a,a,b\n5,1,1\n1,5,1\n1,1,5\n");
    let v = json(&["table", dup.to_str().unwrap(), "--json"]);
    assert_eq!(v["labels"], serde_json::json!(["C1", "C2", "C3"]));
}

#[test]
fn the_json_says_what_was_taken_as_a_header() {
    let named = scratch("named.csv", "Q1,Q2\n3,1\n1,3\n");
    let v = json(&["table", named.to_str().unwrap(), "--json"]);
    assert_eq!(
        v["header"],
        serde_json::json!({"line": 1, "labels": ["Q1", "Q2"], "numeric": false})
    );
    assert_eq!(v["labels"], serde_json::json!(["Q1", "Q2"]));
    let bare = scratch("bare.csv", "3,1\n1,3\n");
    let v = json(&["table", bare.to_str().unwrap(), "--json"]);
    assert!(v["header"].is_null());
    assert!(v["row_labels"].is_null());
    // a first line of class numbers (1, 2) is taken as a header: said in the JSON and, in
    // text mode, as a note on stderr
    let numbered = scratch("numbered.csv", "1,2\n3,1\n1,3\n");
    let v = json(&["table", numbered.to_str().unwrap(), "--json"]);
    assert_eq!(
        v["header"],
        serde_json::json!({"line": 1, "labels": ["1", "2"], "numeric": true})
    );
    let out = run(&["table", numbered.to_str().unwrap()]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim_end(),
        format!(
            "mobility: note: {}: line 1 was taken as a header row (class numbers 1, 2), not as \
             a row of the table",
            numbered.display()
        )
    );
    // text labels need no note
    let out = run(&["table", named.to_str().unwrap()]);
    assert!(out.stderr.is_empty());
}

#[test]
fn a_semicolon_table_without_delimiter_is_hinted() {
    let semi = scratch("semi.csv", "Q1;Q2\n3;1\n1;3\n");
    let file = semi.to_str().unwrap();
    fails(
        &["table", file],
        1,
        &[
            "must be square",
            "(each line has one field: is the delimiter ';'?)",
        ],
    );
    let v = json(&["table", file, "--delimiter", ";", "--json"]);
    assert_eq!(v["k"], 2);
}

#[test]
fn a_tolerance_above_one_half_is_refused() {
    let p = scratch("p.csv", "1,4\n4,1\n");
    let file = p.to_str().unwrap();
    for t in ["10", "0.51"] {
        fails(
            &["table", file, "--probabilities", "--tolerance", t],
            2,
            &[&format!("--tolerance must be at most 0.5, got {t}")],
        );
    }
    // at the bound the table is still refused: the rows sum to 5
    fails(
        &["table", file, "--probabilities", "--tolerance", "0.5"],
        1,
        &["parent class 1 sums to 5, not 1"],
    );
}

#[test]
fn overflowing_whole_numbers_are_too_large() {
    let data: String = (0..40).map(|i| format!("{i},{}\n", (i * 7) % 40)).collect();
    let pairs = scratch("pairs.csv", &format!("p,c\n{data}"));
    let f = pairs.to_str().unwrap();
    let huge = "99999999999999999999";
    let analyze = ["analyze", f, "--parent", "p", "--child", "c"];
    let report = [
        "report",
        f,
        "--parent",
        "p",
        "--child",
        "c",
        "-o",
        "/dev/null",
    ];
    let with = |base: &[&str], extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            with(&analyze, &["--quantiles", huge]),
            format!("--quantiles {huge} is too large (at most 1000)"),
        ),
        (
            with(&analyze, &["--bootstrap", huge]),
            format!("--bootstrap {huge} is too large (at most 100000)"),
        ),
        (
            with(&analyze, &["--bootstrap", "10", "--seed", huge]),
            format!("--seed {huge} is too large (at most 18446744073709551615)"),
        ),
        (
            with(&report, &["--bins", huge]),
            format!("--bins {huge} is too large (at most 1000)"),
        ),
        (
            with(&report, &["--bins", "5000"]),
            "--bins 5000 is too large (at most 1000)".to_string(),
        ),
        (
            with(
                &["places", f, "--parent", "p", "--child", "c", "--by", "p"],
                &["--min-size", huge],
            ),
            format!("--min-size {huge} is too large (at most 18446744073709551615)"),
        ),
        (
            vec!["demo".to_string(), "--n".to_string(), huge.to_string()],
            format!("--n {huge} is too large (at most 100000000)"),
        ),
        (
            vec!["demo".to_string(), "--seed".to_string(), huge.to_string()],
            format!("--seed {huge} is too large (at most 18446744073709551615)"),
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(&args, 2, &[&expected]);
    }
    // not a whole number: still "expects"
    let args: Vec<&str> = analyze
        .iter()
        .copied()
        .chain(["--bootstrap", "10", "--seed", "-3"])
        .collect();
    fails(&args, 2, &["--seed expects a whole number >= 0, got '-3'"]);
}

/// The same table as shipped in ../shared/data (R's `occupationalStatus` written by Rdatasets).
#[cfg(feature = "validation")]
#[test]
fn the_shared_occupational_status_file_with_top_first() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/rdatasets/occupational_status.csv"
    );
    let shared = json(&["table", file, "--top-first", "--json"]);
    let typed = scratch("occupational_typed.csv", &occupational_csv());
    let typed = json(&["table", typed.to_str().unwrap(), "--top-first", "--json"]);
    for key in ["matrix", "counts", "measures", "labels"] {
        assert_eq!(shared[key], typed[key], "{key}");
    }
    assert!((measure(&shared, "bottom_persistence") - 106.0 / 387.0).abs() < 1e-15);
}

/// `places --by` names the national classes as `analyze` and `table` do (`class_labels`).
#[test]
fn places_names_classes_as_the_other_commands() {
    let file = data("regions.csv");
    for (k, first, last) in [("5", "Q1", "Q5"), ("10", "D1", "D10"), ("3", "C1", "C3")] {
        let args = income_args("places", &file, &["--by", "region", "--quantiles", k]);
        let out = run(&args);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&format!("par {first} kid {first}")), "{text}");
        assert!(
            text.contains(&format!("Classes {first}..{last} are the national")),
            "{text}"
        );
        assert_eq!(mobility::matrix::class_labels(k.parse().unwrap())[0], first);
    }
}
