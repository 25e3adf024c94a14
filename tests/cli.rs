//! The `mobility` command-line tool, run as a user runs it: outputs checked against the library
//! called directly, every error path checked for its exit status and its one-line message.
//! Fixtures are small made-up files in tests/data.

mod common;

use mobility::io::csv::{CsvOptions, read_columns};
use mobility::matrix::ProbabilityOptions;
use mobility::measures::{MEASURES, Weighting};
use mobility::registry::RankMeasure;
use mobility::{ClassSpec, Rule, TransitionMatrix, published};
use serde_json::Value;

use std::process::Stdio;

use common::cli::{
    analyze_stdin, assert_same, data, fails, income_args, json, ok, run, run_with_stdin,
};

fn library_report(tm: &TransitionMatrix, w: &Weighting) -> Value {
    serde_json::to_value(tm.report(w).unwrap()).unwrap()
}

/// What `analyze --json` prints for tests/data/pairs.csv: the matrix report plus the rank
/// measures of the pairs (which depend on neither k nor the rule).
fn pairs_expected(k: usize, rule: Rule, weighted: bool, w: &Weighting) -> Value {
    let mut v = library_report(&pairs_matrix(k, rule, weighted), w);
    let names = ["parent_income", "child_income", "weight"];
    let c = read_columns(data("pairs.csv"), &names, &CsvOptions::default()).unwrap();
    let ranks = mobility::rankbased::rank_mobility(
        c.get("parent_income").unwrap(),
        c.get("child_income").unwrap(),
        weighted.then(|| c.get("weight").unwrap()),
    )
    .unwrap();
    v["rank_measures"] = serde_json::to_value(ranks).unwrap();
    let (p, ch) = (
        c.get("parent_income").unwrap(),
        c.get("child_income").unwrap(),
    );
    let wts = weighted.then(|| c.get("weight").unwrap());
    let tm = pairs_matrix(k, rule, weighted);
    let mut spans = Vec::new();
    for (side, values, cuts) in [
        (mobility::error::Side::Parent, p, tm.parent_cutoffs()),
        (mobility::error::Side::Child, ch, tm.child_cutoffs()),
    ] {
        spans
            .extend(mobility::quantile::tie_spans(values, wts, cuts.unwrap(), rule, side).unwrap());
    }
    v["tie_spans"] = serde_json::to_value(spans).unwrap();
    if let Some(w) = wts {
        v["weights"] = serde_json::to_value(mobility::weights::WeightInfo::new(
            w,
            mobility::WeightKind::Sampling,
        ))
        .unwrap();
    }
    v
}

fn pairs_matrix(k: usize, rule: Rule, weighted: bool) -> TransitionMatrix {
    let names = ["parent_income", "child_income", "weight"];
    let c = read_columns(data("pairs.csv"), &names, &CsvOptions::default()).unwrap();
    let w = weighted.then(|| c.get("weight").unwrap());
    TransitionMatrix::from_status(
        c.get("parent_income").unwrap(),
        c.get("child_income").unwrap(),
        w,
        &ClassSpec::Quantiles { k, rule },
    )
    .unwrap()
}

/// `table --json` without the keys that say how the file was read (`header`, `row_labels`,
/// `labels`, `top_first`): the library's report.
fn table_report(v: &Value) -> Value {
    let mut v = v.clone();
    let o = v.as_object_mut().unwrap();
    for key in ["header", "row_labels", "labels", "top_first"] {
        assert!(o.remove(key).is_some(), "table --json has no '{key}'");
    }
    v
}

/// `table --json` (without the keys that say how the file was read) is the library's report of
/// `tm` under parent-share weights.
fn assert_table_report(v: &Value, tm: &TransitionMatrix) {
    assert_same(
        &table_report(v),
        &library_report(tm, &Weighting::ParentShares),
    );
}

fn check_keys(v: &Value) {
    for key in [
        "k",
        "n",
        "counts",
        "matrix",
        "parent_shares",
        "child_shares",
        "measures",
        "steady_state",
        "abs_eigenvalues",
    ] {
        assert!(v.get(key).is_some(), "no key {key}");
    }
    let measures = v["measures"].as_object().unwrap();
    for &(name, _) in MEASURES {
        let m = &measures[name];
        assert!(m.is_number() || m.is_null(), "{name}: {m}");
    }
    for row in v["matrix"].as_array().unwrap() {
        let sum: f64 = row
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-12, "row sums to {sum}");
    }
}

// ---------------------------------------------------------------------------------------------
// analyze

#[test]
fn analyze_human_output() {
    let out = ok(&analyze_args(&data("pairs.csv"), &[]));
    assert!(out.contains("parent 'parent_income' -> child 'child_income'"));
    assert!(out.contains("40 rows, unweighted; 5 quantile classes by the midrank rule"));
    assert!(out.contains("n = 40"));
    assert!(out.contains("  Q1 "));
    assert!(out.contains("Cut-offs"));
    for &(name, _) in MEASURES {
        assert!(out.contains(name), "{name} missing");
    }
    assert!(out.contains("Eigenvalue moduli"));
    assert!(out.contains("Rank and income measures"));
    assert!(out.contains("absolute_upward_mobility"));
    // every line but the header that echoes the (machine-dependent) file path fits 100 columns
    assert!(
        out.lines()
            .filter(|l| !l.contains("tests/data/"))
            .all(|l| l.chars().count() <= 100)
    );
    // The values are the library's, to 4 decimals.
    let m = pairs_matrix(5, Rule::Midrank, false)
        .measures(&Weighting::ParentShares)
        .unwrap();
    let trace = format!("{:.4}", m.shorrocks_trace.unwrap());
    assert!(
        out.lines()
            .any(|l| l.contains("shorrocks_trace") && l.contains(&trace))
    );
}

#[test]
fn analyze_json_matches_the_library() {
    let v = json(&analyze_args(&data("pairs.csv"), &["--json"]));
    check_keys(&v);
    assert_same(
        &v,
        &pairs_expected(5, Rule::Midrank, false, &Weighting::ParentShares),
    );
    for measure in RankMeasure::ALL {
        let key = measure.name();
        assert!(v["rank_measures"][key].is_number(), "rank_measures.{key}");
    }
    assert_eq!(v["k"], 5);
    assert_eq!(v["n"].as_f64(), Some(40.0));
    assert!(v["counts"].is_array());
}

#[test]
fn analyze_with_weights_rule_quantiles_and_pi() {
    let v = json(&[
        "analyze",
        &data("pairs.csv"),
        "--parent=parent_income",
        "--child",
        "child_income",
        "--weight",
        "weight",
        "--quantiles",
        "4",
        "--pi",
        "uniform",
        "--json",
    ]);
    check_keys(&v);
    assert_same(
        &v,
        &pairs_expected(4, Rule::Midrank, true, &Weighting::Uniform),
    );
    let total: f64 = read_columns(data("pairs.csv"), &["weight"], &CsvOptions::default())
        .unwrap()
        .values[0]
        .iter()
        .sum();
    assert_eq!(v["n"].as_f64(), Some(total));

    for rule in ["giddy", "r-type7", "stata-xtile"] {
        let v = json(&analyze_args(
            &data("pairs.csv"),
            &[
                "--rule",
                rule,
                "--quantiles",
                "3",
                "--pi",
                "0.2,0.3,0.5",
                "--json",
            ],
        ));
        assert_same(
            &v,
            &pairs_expected(
                3,
                rule.parse().unwrap(),
                false,
                &Weighting::Custom(vec![0.2, 0.3, 0.5]),
            ),
        );
    }
}

#[test]
fn analyze_deciles_fit_in_100_columns() {
    let out = ok(&analyze_args(&data("pairs.csv"), &["--quantiles", "10"]));
    assert!(out.contains("D10"));
    for l in out.lines().filter(|l| !l.contains("tests/data/")) {
        assert!(l.chars().count() <= 100, "too wide: {l}");
    }
}

#[test]
fn analyze_drop_missing() {
    let file = data("missing_values.csv");
    let args = analyze_args(&file, &["--quantiles", "2", "--drop-missing"]);
    let out = ok(&args);
    assert!(out.contains("dropped 2 rows with missing values (the first on line 3"));
    assert!(out.contains("4 rows"));
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let o = run(&with_json);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["n"].as_f64(), Some(4.0));
    let note = String::from_utf8_lossy(&o.stderr);
    assert!(note.starts_with("mobility: note: dropped 2 rows"), "{note}");
}

#[test]
fn analyze_reads_stdin_and_other_delimiters() {
    let csv = "p,c\n1,2\n2,1\n3,4\n4,3\n";
    let o = run_with_stdin(&analyze_stdin(&["--quantiles", "2", "--json"]), csv);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["matrix"], serde_json::json!([[1.0, 0.0], [0.0, 1.0]]));

    let semicolon = data("semicolon.csv");
    let columns = [
        "analyze", &semicolon, "--parent", "parent", "--child", "child",
    ];
    let v = json(
        &[
            &columns[..],
            &["--quantiles", "3", "--delimiter", ";", "--json"],
        ]
        .concat(),
    );
    assert_eq!(v["n"].as_f64(), Some(6.0));
    fails(
        &columns,
        1,
        &["semicolon.csv: column 'parent'", "is the delimiter ';'?"],
    );
}

// ---------------------------------------------------------------------------------------------
// table

#[test]
fn table_of_counts() {
    let out = ok(&["table", &data("counts5.csv")]);
    assert!(out.contains("a 5 x 5 count table (header row on line 1; labels in column 1)"));
    assert!(out.contains("n = 500"));
    assert!(out.contains("0.4000  0.2500  0.1800  0.1100  0.0600"));

    let v = json(&["table", &data("counts5.csv"), "--json"]);
    check_keys(&v);
    assert_eq!(v["header"]["line"], 1);
    assert_eq!(v["labels"][0], v["row_labels"][0]);
    let counts = ndarray::array![
        [40.0, 25.0, 18.0, 11.0, 6.0],
        [26.0, 28.0, 22.0, 15.0, 9.0],
        [18.0, 22.0, 24.0, 21.0, 15.0],
        [10.0, 16.0, 22.0, 27.0, 25.0],
        [6.0, 9.0, 14.0, 26.0, 45.0],
    ];
    let tm = TransitionMatrix::from_counts(counts.view()).unwrap();
    assert_table_report(&v, &tm);
}

#[test]
fn table_of_counts_with_child_in_rows() {
    let v = json(&[
        "table",
        &data("counts_child_in_rows.csv"),
        "--child-in-rows",
        "--json",
    ]);
    let file = ndarray::array![[12.0, 3.0, 1.0], [5.0, 10.0, 4.0], [3.0, 7.0, 15.0]];
    let tm = TransitionMatrix::from_counts(file.t()).unwrap();
    assert_table_report(&v, &tm);
    assert_eq!(v["counts"][0], serde_json::json!([12.0, 5.0, 3.0]));
}

#[test]
fn table_of_probabilities_with_child_in_rows_and_parent_shares() {
    let v = json(&[
        "table",
        &data("probs_child_in_rows.csv"),
        "--probabilities",
        "--child-in-rows",
        "--parent-shares",
        "0.5,0.3,0.2",
        "--json",
    ]);
    check_keys(&v);
    assert!(v["n"].is_null());
    assert!(v["counts"].is_null());
    let file = ndarray::array![[0.5, 0.25, 0.125], [0.25, 0.5, 0.375], [0.25, 0.25, 0.5]];
    let opts = ProbabilityOptions {
        parent_shares: Some(vec![0.5, 0.3, 0.2]),
        child_in_rows: true,
        ..ProbabilityOptions::default()
    };
    let tm = TransitionMatrix::from_probabilities(file.view(), &opts).unwrap();
    assert_table_report(&v, &tm);
    assert_eq!(v["matrix"][2], serde_json::json!([0.125, 0.375, 0.5]));
}

#[test]
fn rounded_table_needs_renormalise() {
    fails(
        &["table", &data("probs_rounded.csv"), "--probabilities"],
        1,
        &[
            "probs_rounded.csv: line 3: parent class 2 sums to 1.01, not 1",
            "--renormalise",
        ],
    );
    let v = json(&[
        "table",
        &data("probs_rounded.csv"),
        "--probabilities",
        "--renormalise",
        "--json",
    ]);
    // The same table, as printed by Blanden et al. (2005), is built in.
    assert_table_report(&v, &published::uk_blanden_2005_quartiles());
    // A wide enough tolerance accepts it without rescaling.
    let loose = json(&[
        "table",
        &data("probs_rounded.csv"),
        "--probabilities",
        "--tolerance",
        "0.02",
        "--json",
    ]);
    assert_eq!(loose["k"], 4);
}

// ---------------------------------------------------------------------------------------------
// published, help, version

#[test]
fn published_tables() {
    let list = ok(&["published"]);
    for name in published::NAMES {
        assert!(list.contains(name));
        let out = ok(&["published", name]);
        assert!(out.contains(&format!("mobility published: {name}")));
        assert!(out.contains("shorrocks_trace"));
        let v = json(&["published", name, "--json"]);
        check_keys(&v);
        let tm = published::by_name(name).unwrap();
        assert_same(&v, &library_report(&tm, &Weighting::ParentShares));
    }
    let us = json(&["published", "us_chetty_2014", "--json"]);
    let p11 = us["measures"]["bottom_persistence"].as_f64().unwrap();
    assert!((p11 - 0.337).abs() < 5e-4); // Chetty et al. (2014): Q1 -> Q1 33.7%
    let names: Value = json(&["published", "--json"]);
    assert_eq!(names.as_array().unwrap().len(), published::NAMES.len());
}

#[test]
fn help_and_version() {
    let top = ok(&["--help"]);
    assert!(top.contains("mobility analyze FILE.csv --parent COL --child COL"));
    assert_eq!(ok(&["-h"]), top);
    for (command, needle) in [
        ("analyze", "--quantiles K"),
        ("table", "--child-in-rows"),
        ("published", "us_chetty_2014"),
    ] {
        let help = ok(&[command, "--help"]);
        assert!(help.contains(needle), "{command}");
        assert!(help.lines().all(|l| l.chars().count() <= 100));
        // Help wins over other arguments, even bad ones.
        assert_eq!(ok(&[command, "--bogus", "-h"]), help);
    }
    assert_eq!(
        ok(&["--version"]).trim(),
        format!("mobility {}", env!("CARGO_PKG_VERSION"))
    );
}

// ---------------------------------------------------------------------------------------------
// Errors: exit 1 for data, 2 for usage, one line naming the file, line, column and problem

/// `mobility analyze FILE --parent parent_income --child child_income EXTRA...`.
fn analyze_args<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    income_args("analyze", file, extra)
}

#[test]
fn data_errors_name_file_line_and_column() {
    // (fixture, options, parts of the message): each a data error, exit 1
    let data_errors: [(&str, &[&str], &[&str]); 7] = [
        ("no_such_file.csv", &[], &["no_such_file.csv: no such file"]),
        (
            "non_numeric.csv",
            &[],
            &["non_numeric.csv: line 3, column 'child_income': '31,000' is not a number"],
        ),
        (
            "missing_values.csv",
            &[],
            &[
                "missing_values.csv: line 3, column 'child_income': missing value (empty cell)",
                "2 rows have missing values",
                "the first on line 3",
            ],
        ),
        (
            "nan.csv",
            &[],
            &["nan.csv: line 4, column 'parent_income': missing value ('NaN')"],
        ),
        (
            "ragged.csv",
            &[],
            &["ragged.csv: line 4: 2 fields, but the header (line 1) has 3"],
        ),
        (
            "negative_weight.csv",
            &["--weight", "weight"],
            &["negative_weight.csv: line 4, column 'weight': negative weight (-2)"],
        ),
        ("", &[], &["is a directory"]),
    ];
    for (file, extra, expected) in data_errors {
        fails(&analyze_args(&data(file), extra), 1, expected);
    }
    let pairs = data("pairs.csv");
    fails(
        &[
            "analyze",
            &pairs,
            "--parent",
            "parent",
            "--child",
            "child_income",
        ],
        1,
        &[
            "pairs.csv: column 'parent': no such column",
            "'id', 'parent_income', 'child_income', 'weight'",
        ],
    );
}

#[test]
fn table_errors() {
    // (fixture, options, exit status, parts of the message)
    let cases: [(&str, &[&str], i32, &[&str]); 9] = [
        (
            "not_square.csv",
            &[],
            1,
            &["not_square.csv: the table must be square (k x k), but it has 2 rows and 3 columns"],
        ),
        (
            "negative_count.csv",
            &[],
            1,
            &["negative_count.csv: line 2, column 1: count -4 is negative"],
        ),
        (
            "probs_child_in_rows.csv",
            &["--probabilities"],
            1,
            &["sums to 0.875, not 1", "pass --child-in-rows"],
        ),
        (
            "counts5.csv",
            &["--probabilities"],
            1,
            &[
                "counts5.csv: line 2: parent class 1 sums to 100",
                "count table",
            ],
        ),
        (
            "table_nan.csv",
            &[],
            1,
            &["table_nan.csv: line 2, column 3 ('Q2'): missing value ('NaN')"],
        ),
        (
            "probs_child_in_rows.csv",
            &[
                "--probabilities",
                "--child-in-rows",
                "--parent-shares",
                "0.5,0.5",
            ],
            2,
            &["--parent-shares has 2 values but the table has 3 classes"],
        ),
        (
            "probs_child_in_rows.csv",
            &[
                "--probabilities",
                "--child-in-rows",
                "--parent-shares",
                "0.5,0.3,0.3",
            ],
            2,
            &["invalid --parent-shares: must sum to 1"],
        ),
        (
            "counts5.csv",
            &["--renormalise"],
            2,
            &["--renormalise applies to probability tables"],
        ),
        (
            "counts5.csv",
            &["--pi", "0.5,0.5"],
            2,
            &["--pi has 2 weights but there are 5 classes"],
        ),
    ];
    for (file, extra, code, expected) in cases {
        let file = data(file);
        let mut args = vec!["table", &file];
        args.extend_from_slice(extra);
        fails(&args, code, expected);
    }
}

#[test]
fn one_by_one_table_is_rejected() {
    let o = run_with_stdin(&["table", "-"], "7\n");
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("<stdin>: the table is 1 x 1"), "{e}");
}

#[test]
fn usage_errors() {
    let pairs = data("pairs.csv");
    let pairs_usage_errors: [(&[&str], &[&str]); 11] = [
        (
            &["--quantiles", "1"],
            &["--quantiles must be at least 2, got 1"],
        ),
        (
            &["--quantiles", "five"],
            &["--quantiles expects a whole number", "'five'"],
        ),
        (
            &["--quantiles", "100000"],
            &["--quantiles must be at most 1000"],
        ),
        (
            &["--rule", "median"],
            &[
                "unknown --rule 'median'",
                "midrank, giddy, r-type7, stata-xtile or split",
            ],
        ),
        (
            &["--frobnicate"],
            &["unknown option '--frobnicate' for 'analyze'", "--help"],
        ),
        (&["--child", "weight"], &["--child is given twice"]),
        (&["--json=yes"], &["--json takes no value"]),
        (&["other.csv"], &["unexpected argument 'other.csv'"]),
        (
            &["--weight", "weight", "--rule", "giddy"],
            &["--weight needs --rule midrank"],
        ),
        (&["--pi", "sideways"], &["invalid --pi 'sideways'"]),
        (&["--delimiter", "|"], &["invalid --delimiter '|'"]),
    ];
    for (extra, expected) in pairs_usage_errors {
        fails(&analyze_args(&pairs, extra), 2, expected);
    }
    fails(
        &["analyze", &pairs, "--parent", "parent_income"],
        2,
        &["--child is required"],
    );
    fails(
        &["analyze", &pairs, "--parent", "--child", "child_income"],
        2,
        &["--parent needs a value"],
    );
    fails(
        &["analyze", "--parent", "a", "--child", "b"],
        2,
        &["missing FILE"],
    );
    fails(&[], 2, &["no command given"]);
    fails(&["frobnicate"], 2, &["unknown command 'frobnicate'"]);
    fails(
        &["data.csv"],
        2,
        &["did you mean 'mobility analyze data.csv"],
    );
    fails(
        &["published", "mars"],
        2,
        &["unknown table 'mars'", "us_chetty_2014"],
    );
    fails(
        &[
            "table",
            &data("counts5.csv"),
            "--tolerance",
            "-1",
            "--probabilities",
        ],
        2,
        &["--tolerance expects a number >= 0"],
    );
}

#[test]
fn stationary_pi_that_is_not_unique_leaves_the_weighted_measures_undefined() {
    // Two closed classes: {1} and {2, 3}: no unique stationary distribution.
    let o = run_with_stdin(
        &["table", "-", "--pi", "stationary", "--json"],
        "5,0,0\n0,3,1\n0,2,2\n",
    );
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["measures"]["immobility_ratio"].is_null());
    assert!(v["measures"]["bartholomew"].is_null());
    assert!(v["steady_state"].is_null());
    assert_eq!(v["measures"]["shorrocks_trace"], 0.375);
}

#[test]
fn output_to_a_closed_pipe_is_not_an_error() {
    let mut child = common::cli::mobility()
        .args(["published", "us_chetty_2014"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
