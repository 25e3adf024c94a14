//! `mobility report`: the HTML file is written, self-contained, its numbers are those of
//! `mobility analyze --json` (the page embeds the same analysis as a JSON download), the
//! reproducing command is the command line, and bad input exits with one clear line.

mod common;

use serde_json::Value;

use common::cli::{data, fails, income_columns, run};

/// A fresh output path in the test's own temporary folder.
fn out_path(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mobility-cli-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

/// Runs `mobility report ... -o PATH` and returns the page.
fn report(args: &[&str], name: &str) -> String {
    let path = out_path(name);
    let mut all: Vec<&str> = vec!["report"];
    all.extend_from_slice(args);
    all.extend(["-o", &path]);
    let out = run(&all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{all:?} failed: {stderr}");
    assert!(stderr.is_empty(), "{all:?} wrote to stderr: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!("mobility report: wrote {path} (")),
        "{stdout}"
    );
    let html = std::fs::read_to_string(&path).expect("the report was written");
    std::fs::remove_file(&path).unwrap();
    html
}

fn analyze_json(args: &[&str]) -> Value {
    let mut all = vec!["analyze"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = run(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The page's embedded JSON download (a percent-encoded `data:` URI), parsed.
fn embedded_json(html: &str) -> Value {
    // the template escapes '/' in attribute values
    let prefix = "data:application&#x2f;json;charset=utf-8,";
    let start = html.find(prefix).expect("a JSON download");
    let rest = &html[start + prefix.len()..];
    let encoded = &rest[..rest.find('"').unwrap()];
    let mut bytes = Vec::new();
    let raw = encoded.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let hex = std::str::from_utf8(&raw[i + 1..i + 3]).unwrap();
            bytes.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    serde_json::from_slice(&bytes).unwrap()
}

/// One self-contained file: no external reference of any kind.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    let lower = html.to_ascii_lowercase();
    for needle in [
        "http:",
        "https:",
        "src=\"//",
        "href=\"//",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!lower.contains(needle), "external reference {needle:?}");
    }
    // every src= is inline
    assert!(!lower.contains(" src=\""), "an src attribute");
}

/// The one line of the page's reproducing command.
fn command_line(html: &str) -> String {
    let start = html.find("<pre class=\"command\"><code>").unwrap();
    let rest = &html[start + "<pre class=\"command\"><code>".len()..];
    // as the browser shows it: tags out, entities decoded
    let mut text = String::new();
    let mut in_tag = false;
    for ch in rest[..rest.find("</code>").unwrap()].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&#x2f;", "/")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn pairs_report_equals_analyze_json() {
    let file = data("pairs.csv");
    let common = income_columns(&file, &["--weight", "weight", "--quantiles", "4"]);
    let html = report(&common, "pairs.html");
    assert_self_contained(&html);
    let page = embedded_json(&html);
    assert_eq!(page["analysis"], analyze_json(&common));
    // what was measured
    for needle in [
        "pairs.csv",
        "parent_income",
        "child_income",
        "40",
        "4 quartiles",
        "midrank",
        "no bootstrap",
        env!("CARGO_PKG_VERSION"),
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let cmd = command_line(&html);
    assert!(
        cmd.starts_with(&format!(
            "mobility report {file} --parent parent_income --child child_income --weight weight \
             --quantiles 4 -o "
        )),
        "{cmd}"
    );
}

#[test]
fn bootstrap_and_groups() {
    let file = data("regions.csv");
    let pairs = income_columns(
        &file,
        &["--bootstrap", "40", "--seed", "3", "--ci", "percentile"],
    );
    let mut with_groups = pairs.to_vec();
    with_groups.extend(["--by", "region", "--title", "Regions <test>"]);
    let html = report(&with_groups, "regions.html");
    assert_self_contained(&html);
    let page = embedded_json(&html);
    // the bootstrap estimates and settings too
    let analysis = analyze_json(&pairs);
    assert!(analysis["inference"].is_object());
    assert_eq!(page["analysis"], analysis);
    assert!(html.contains("<section id=\"places\""));
    assert!(html.contains("North East"));
    assert!(html.contains("<title>Regions &lt;test&gt;</title>"));
    assert!(html.contains("40 replicates, seed 3, 95% percentile intervals"));
    // the league table has each group's interval (the page model's test checks their values
    // and the rank sets: render::html::tests; tests/cli_files.rs shows them from the CLI); with
    // 30 rows per region two regions never have a child in the top class: the page says why
    // their ranks cannot be given
    assert!(html.contains("<th scope=\"col\">Interval</th>"));
    assert!(html.contains(
        "rank confidence sets and shrunk estimates (rank confidence sets is undefined: 1 place(s) \
         left to rank; at least 2 are needed)"
    ));
    assert!(command_line(&html).contains("--title 'Regions <test>'"));
}

#[test]
fn dropped_rows_are_reported() {
    let file = data("missing_values.csv");
    let html = report(
        &income_columns(&file, &["--quantiles", "2", "--drop-missing"]),
        "missing.html",
    );
    assert!(html.contains("missing values; the first on line 3, column &#x27;child_income&#x27;"));
}

/// The embedded analysis of a finished table: the matrix report, without rank measures.
fn matrix_part(html: &str) -> Value {
    let mut analysis = embedded_json(html)["analysis"].clone();
    let rank = analysis.as_object_mut().unwrap().remove("rank_measures");
    assert_eq!(rank, Some(Value::Null));
    analysis
}

#[test]
fn published_and_table_reports() {
    let html = report(&["--published", "us_chetty_2014"], "us.html");
    assert_self_contained(&html);
    let out = run(&["published", "us_chetty_2014", "--json"]);
    let published: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(matrix_part(&html), published);
    assert!(html.contains("Chetty"));
    assert!(html.contains("33.7%"));

    let file = data("counts5.csv");
    let html = report(&["--table", &file], "table.html");
    let out = run(&["table", &file, "--json"]);
    let mut table: Value = serde_json::from_slice(&out.stdout).unwrap();
    // table --json also says how the file was read; the report's analysis is the matrix part
    for key in ["header", "row_labels", "labels", "top_first"] {
        assert!(
            table.as_object_mut().unwrap().remove(key).is_some(),
            "{key}"
        );
    }
    assert_eq!(matrix_part(&html), table);
}

/// `report --table FILE --top-first` reverses the table as `table --top-first` does.
#[test]
fn table_report_with_top_first() {
    let dir = std::env::temp_dir().join(format!("mobility-report-top-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("top_first.csv");
    // class 1 (the top) first; reversed, the bottom class's row is 2, 1, 1 of 4
    std::fs::write(&file, "6,3,1\n2,6,2\n1,1,2\n").unwrap();
    let file = file.to_str().unwrap().to_string();
    let html = report(&["--table", &file, "--top-first"], "top_first.html");
    let out = run(&["table", &file, "--top-first", "--json"]);
    let mut table: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["header", "row_labels", "labels", "top_first"] {
        table.as_object_mut().unwrap().remove(key);
    }
    let page = matrix_part(&html);
    assert_eq!(page, table);
    assert_eq!(page["matrix"][0], serde_json::json!([0.5, 0.25, 0.25]));
    assert_eq!(page["measures"]["bottom_persistence"], 0.5);
    let out = run(&[
        "report",
        "--published",
        "us_chetty_2014",
        "--top-first",
        "-o",
        &out_path("never.html"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--top-first applies to --table"));
}

#[test]
fn writes_to_standard_output() {
    let out = run(&["report", "--published", "uk_blanden_2005", "-o", "-"]);
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert_self_contained(&html);
}

#[test]
fn bad_input_exits_with_one_clear_line() {
    let pairs = data("pairs.csv");
    let out = out_path("never.html");
    let p = ["--parent", "parent_income", "--child", "child_income"];
    let with = |extra: &[&'static str]| -> Vec<String> {
        let mut v = vec!["report".to_string(), pairs.clone()];
        v.extend(p.iter().map(|s| s.to_string()));
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let call = |v: &Vec<String>, code: i32, expected: &[&str]| {
        let args: Vec<&str> = v.iter().map(String::as_str).collect();
        fails(&args, code, expected);
    };
    // usage errors (2)
    call(&with(&[]), 2, &["-o FILE is required"]);
    let mut v = with(&["--quantiles", "1", "-o"]);
    v.push(out.clone());
    call(&v, 2, &["--quantiles must be at least 2"]);
    let mut v = with(&["--seed", "1", "-o"]);
    v.push(out.clone());
    call(&v, 2, &["--seed applies to the bootstrap"]);
    let mut v = with(&["--rule", "nope", "-o"]);
    v.push(out.clone());
    call(&v, 2, &["unknown --rule 'nope'", "midrank"]);
    let mut v = with(&["--bins", "1", "-o"]);
    v.push(out.clone());
    call(&v, 2, &["--bins must lie between 2 and 1000"]);
    fails(
        &["report", "--published", "nowhere", "-o", &out],
        2,
        &["unknown table 'nowhere'", "us_chetty_2014"],
    );
    fails(
        &[
            "report",
            "--published",
            "us_chetty_2014",
            "--parent",
            "x",
            "-o",
            &out,
        ],
        2,
        &["--parent applies to paired status"],
    );
    fails(
        &[
            "report",
            "--published",
            "us_chetty_2014",
            "--table",
            "t.csv",
            "-o",
            &out,
        ],
        2,
        &["give one"],
    );
    // data errors (1)
    let mut v = with(&["--weight", "nope", "-o"]);
    v.push(out.clone());
    call(&v, 1, &["nope"]);
    let neg = data("negative_weight.csv");
    fails(
        &[
            "report",
            &neg,
            "--parent",
            "parent_income",
            "--child",
            "child_income",
            "--weight",
            "weight",
            "-o",
            &out,
        ],
        1,
        &["negative weight"],
    );
    fails(
        &[
            "report",
            "missing.csv",
            "--parent",
            "a",
            "--child",
            "b",
            "-o",
            &out,
        ],
        1,
        &["missing.csv"],
    );
    fails(
        &[
            "report",
            "--published",
            "us_chetty_2014",
            "-o",
            "/nonexistent/dir/r.html",
        ],
        1,
        &["cannot write /nonexistent/dir/r.html"],
    );
    assert!(!std::path::Path::new(&out).exists());
}
