//! `mobility analyze --bootstrap B --seed S [--cluster COL] [--ci percentile|bca]`: the JSON gains
//! `inference` and `bootstrap` keys (the plain `measures` object is unchanged), the numbers are
//! the library's, thread count does not matter, and bad options are usage errors.

use std::process::Output;

mod common;

use mobility::ClassSpec;
use mobility::inference::{Bootstrap, CiMethod, Selection};
use mobility::io::csv::{CsvOptions, read_columns};
use mobility::measures::MEASURES;
use serde_json::Value;

use common::cli::{analyze_stdin, data, families, income_args, mobility, output, stdout_of};

fn pairs() -> String {
    data("pairs.csv")
}

/// `mobility ARGS` reading `stdin` when given, on `threads` threads when given.
fn run(args: &[&str], stdin: Option<&str>, threads: Option<&str>) -> Output {
    let mut cmd = mobility();
    cmd.args(args);
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    output(&mut cmd, stdin)
}

/// [`common::cli::fails`] with one expected part.
fn fails(args: &[&str], code: i32, expected: &str) {
    common::cli::fails(args, code, &[expected]);
}

/// `mobility analyze FILE --parent parent_income --child child_income EXTRA...`.
fn args<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    income_args("analyze", file, extra)
}

#[test]
fn json_gains_inference_and_keeps_measures() {
    let file = pairs();
    let plain: Value =
        serde_json::from_str(&stdout_of(&args(&file, &["--quantiles", "4", "--json"]))).unwrap();
    let extra = [
        "--quantiles",
        "4",
        "--json",
        "--bootstrap",
        "300",
        "--seed",
        "7",
        "--ci",
        "bca",
    ];
    let text = stdout_of(&args(&file, &extra));
    let boot: Value = serde_json::from_str(&text).unwrap();
    // every key of the plain report is there, unchanged, in the same order
    let (p, b) = (plain.as_object().unwrap(), boot.as_object().unwrap());
    for (key, value) in p {
        assert_eq!(&b[key], value, "{key}");
    }
    let keys: Vec<&String> = b.keys().collect();
    assert!(text.find("\"measures\"").unwrap() < text.find("\"inference\"").unwrap());
    // inference, bootstrap and rank_inference (issue 11: every rank measure, same replicates)
    assert_eq!(keys.len(), p.len() + 3);
    let ranks = b["rank_inference"].as_object().unwrap();
    assert_eq!(ranks.len(), mobility::registry::RankMeasure::ALL.len());
    for &m in mobility::registry::RankMeasure::ALL {
        assert!(ranks[m.name()]["se"].as_f64().unwrap() > 0.0, "{m}");
    }
    assert_eq!(b["bootstrap"]["replicates"], 300);
    assert_eq!(b["bootstrap"]["seed"], 7);
    assert_eq!(b["bootstrap"]["ci"], "bca");
    assert_eq!(b["bootstrap"]["resample"], "units");
    // the library with the same settings gives the same numbers
    let cols = read_columns(
        &file,
        &["parent_income", "child_income"],
        &CsvOptions::default(),
    )
    .unwrap();
    let lib = Bootstrap::new(300)
        .seed(7)
        .ci(CiMethod::Bca)
        .statistics(Selection::Measures)
        .run(
            cols.get("parent_income").unwrap(),
            cols.get("child_income").unwrap(),
            None,
            &ClassSpec::quantiles(4),
        )
        .unwrap();
    let inference = b["inference"].as_object().unwrap();
    assert_eq!(inference.len(), MEASURES.len());
    for &(name, _) in MEASURES {
        let e = &inference[name];
        for field in [
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "undefined_replicates",
        ] {
            assert!(e.get(field).is_some(), "{name}.{field}");
        }
        assert_eq!(e["estimate"], b["measures"][name], "{name}");
        let s = lib.get(name).unwrap();
        let num = |x: Option<f64>| x.map_or(Value::Null, |v| serde_json::json!(v));
        assert_eq!(e["se"], num(s.se), "{name}");
        assert_eq!(e["ci_low"], num(s.ci_low), "{name}");
        assert_eq!(e["ci_high"], num(s.ci_high), "{name}");
    }
}

#[test]
fn same_output_on_one_and_two_threads() {
    let file = pairs();
    let a = args(&file, &["--bootstrap", "200", "--seed", "11", "--json"]);
    let one = run(&a, None, Some("1"));
    let two = run(&a, None, Some("2"));
    assert!(one.status.success() && two.status.success());
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn human_output_lists_every_measure_with_its_interval() {
    let file = pairs();
    let out = stdout_of(&args(&file, &["--bootstrap", "100", "--seed", "1"]));
    let section = &out[out
        .find("Bootstrap: 100 replicates (seed 1) of the 40 rows")
        .unwrap()..];
    assert!(section.contains("95% BCa interval"));
    for &(name, _) in MEASURES {
        assert!(section.contains(name), "{name}");
    }
    for line in section.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
}

#[test]
fn clusters_from_a_column() {
    // 60 families of two children each; the cluster id column is numeric
    let csv = families(60, "");
    let a = analyze_stdin(&[
        "--quantiles",
        "3",
        "--bootstrap",
        "50",
        "--cluster",
        "family",
        "--json",
    ]);
    let out = run(&a, Some(&csv), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["bootstrap"]["resample"], "clusters");
    assert_eq!(v["bootstrap"]["clusters"], 60);
    assert!(v["inference"]["shorrocks_trace"]["se"].as_f64().unwrap() > 0.0);
}

#[test]
fn bootstrap_usage_errors() {
    let file = pairs();
    // (options, exit status, a part of the message)
    let cases: [(&[&str], i32, &str); 8] = [
        (&["--seed", "3"], 2, "--seed applies to the bootstrap"),
        (&["--ci", "bca"], 2, "--ci applies to the bootstrap"),
        (&["--cluster", "id"], 2, "--cluster applies"),
        (&["--bootstrap", "1"], 2, "--bootstrap expects"),
        (&["--bootstrap", "many"], 2, "--bootstrap expects"),
        (&["--bootstrap", "10", "--seed", "-1"], 2, "--seed expects"),
        (
            &["--bootstrap", "10", "--ci", "normal"],
            2,
            "unknown --ci 'normal'",
        ),
        (&["--bootstrap", "10", "--cluster", "nope"], 1, "nope"),
    ];
    for (extra, code, expected) in cases {
        fails(&args(&file, extra), code, expected);
    }
}
