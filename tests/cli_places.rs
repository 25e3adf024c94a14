//! `mobility places`: groups from microdata and published place matrices, checked against the
//! library; every usage and data error checked for its exit status and one-line message.
//! Fixture: tests/data/regions.csv (90 made-up pairs in three regions, with weights).

mod common;

use mobility::io::csv::{CsvOptions, read_labelled_columns};
use mobility::io::place_matrices::read_place_matrices;
use mobility::places::groups::{GroupOptions, by_group};
use mobility::places::report::{PlacesOptions, places_report};
use mobility::rankbased::RankBasis;
use serde_json::Value;

use common::cli::{assert_same, data, fails, income_args, ok, run, scratch};

fn library_groups(weighted: bool, basis: RankBasis, k: usize) -> Value {
    let names = ["parent_income", "child_income", "weight"];
    let read = read_labelled_columns(
        data("regions.csv"),
        &names,
        "region",
        &CsvOptions::default(),
    )
    .unwrap();
    let c = &read.columns;
    let options = GroupOptions {
        basis,
        ..GroupOptions::new(k)
    };
    let t = by_group(
        c.get("parent_income").unwrap(),
        c.get("child_income").unwrap(),
        weighted.then(|| c.get("weight").unwrap()),
        &read.labels,
        &options,
    )
    .unwrap();
    serde_json::to_value(t).unwrap()
}

/// `mobility places FILE --parent parent_income --child child_income EXTRA...`.
fn microdata<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    income_args("places", file, extra)
}

#[test]
fn groups_json_matches_the_library() {
    let file = data("regions.csv");
    let base = microdata(&file, &["--by", "region"]);
    let v: Value = serde_json::from_str(&ok(&[&base[..], &["--json"]].concat())).unwrap();
    assert_same(&v, &library_groups(false, RankBasis::National, 5));
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert_eq!(v["rows"][0]["group"], "North East");
    assert_eq!(v["basis"], "national");
    let v: Value = serde_json::from_str(&ok(&[
        &base[..],
        &[
            "--weight",
            "weight",
            "--ranks",
            "local",
            "--quantiles",
            "3",
            "--json",
        ],
    ]
    .concat()))
    .unwrap();
    assert_same(&v, &library_groups(true, RankBasis::Local, 3));
    let row = &v["rows"][1];
    for key in ["levelling", "fall", "rank", "measures", "matrix"] {
        assert!(row.get(key).is_some(), "{key}");
    }
    assert!(row["levelling"]["decomposition"]["structural"].is_number());
    assert!(row["rank"]["rank_rank_slope"].is_number());
}

#[test]
fn groups_human_output() {
    let out = ok(&microdata(
        &data("regions.csv"),
        &["--by", "region", "--weight", "weight"],
    ));
    for needle in [
        "North East",
        "South",
        "West",
        "level",
        "struct",
        "AUM",
        "national ranks",
    ] {
        assert!(out.contains(needle), "{needle} missing:\n{out}");
    }
    assert!(
        out.lines().skip(1).all(|l| l.chars().count() <= 100),
        "{out}"
    );
}

/// [`scratch`] as a path string.
fn write_temp(name: &str, text: &str) -> String {
    scratch(name, text).display().to_string()
}

#[test]
fn matrices_json_matches_the_library() {
    let text = "cz,cz_name,state,n_children,p_par1_kid1,p_par1_kid2,p_par2_kid1,p_par2_kid2,\
                frac_par_q1,frac_par_q2,frac_kid_q1,frac_kid_q2\n\
                1.0,Alpha,AA,100,0.6,0.4,0.3,0.7,0.5,0.5,0.45,0.55\n\
                2.0,Beta,BB,200,0.9,0.1,0.1,0.9,0.2,0.8,0.26,0.74\n\
                3.0,Gamma,CC,50,0.5,0.5000001,0.5,0.5,0.6,0.4,0.5,0.5\n\
                4.0,Delta,DD,,,,,,,,,\n";
    let path = write_temp("places.csv", text);
    let v: Value = serde_json::from_str(&ok(&[
        "places",
        &path,
        "--matrices",
        "--fraction",
        "0.34",
        "--json",
    ]))
    .unwrap();
    let lib = places_report(
        &read_place_matrices(&path).unwrap(),
        &PlacesOptions {
            contrast_fraction: 0.34,
            ..PlacesOptions::default()
        },
    )
    .unwrap();
    assert_same(&v, &serde_json::to_value(&lib).unwrap());
    assert_eq!(v["places"].as_array().unwrap().len(), 3);
    assert_eq!(v["excluded"][0]["id"], "4");
    assert_eq!(v["rows_renormalised"], 1);
    let out = ok(&[
        "places",
        &path,
        "--matrices",
        "--score",
        "upward_from_bottom",
        "--top",
        "2",
    ]);
    assert!(
        out.contains("Most levelling up") && out.contains("upward_from_bottom"),
        "{out}"
    );
    assert!(out.contains("1 left out"), "{out}");
    std::fs::remove_file(&path).ok();
}

#[test]
fn places_errors() {
    let file = data("regions.csv");
    let f = file.as_str();
    let microdata_errors: [(&[&str], i32, &[&str]); 5] = [
        (&[], 2, &["--by is required"]),
        (
            &["--by", "region", "--score", "bottom_to_top"],
            2,
            &["--score applies to published matrices"],
        ),
        (
            &["--by", "region", "--ranks", "global"],
            2,
            &["unknown --ranks 'global'"],
        ),
        (
            &["--by", "county"],
            1,
            &["column 'county'", "no such column"],
        ),
        (
            &["--by", "region", "--weight", "weight", "--rule", "giddy"],
            2,
            &["--weight needs --rule midrank"],
        ),
    ];
    for (extra, code, expected) in microdata_errors {
        fails(&microdata(f, extra), code, expected);
    }
    fails(
        &["places", f, "--matrices", "--by", "region"],
        2,
        &["--by applies to microdata"],
    );
    fails(&["places", f, "--matrices"], 1, &["p_par{i}_kid{j}"]);
    fails(
        &["places", f, "--matrices", "--score", "fluidity"],
        2,
        &["unknown --score"],
    );
    let path = write_temp(
        "tiny.csv",
        "cz,p_par1_kid1,p_par1_kid2,p_par2_kid1,p_par2_kid2,frac_par_q1,frac_par_q2\n1,0.5,0.5,0.5,0.5,0.5,0.5\n",
    );
    fails(
        &["places", &path, "--matrices", "--fraction", "0.9"],
        2,
        &["invalid --fraction"],
    );
    std::fs::remove_file(&path).ok();
    // a missing group label: an error naming the line, or dropped with --drop-missing
    let path = write_temp(
        "missing-label.csv",
        "region,p,c\nA,1,2\n,2,1\nB,3,4\nB,4,3\nA,5,6\n",
    );
    let by_region = [
        "places",
        &path,
        "--parent",
        "p",
        "--child",
        "c",
        "--by",
        "region",
        "--quantiles",
        "2",
    ];
    fails(
        &by_region,
        1,
        &["line 3", "column 'region'", "missing value"],
    );
    let out = run(&[&by_region[..], &["--drop-missing", "--json"]].concat());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("dropped 1 row"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 2);
    std::fs::remove_file(&path).ok();
}

#[test]
fn help_lists_places() {
    assert!(ok(&["--help"]).contains("mobility places"));
    let help = ok(&["places", "--help"]);
    assert!(help.contains("--by COL") && help.contains("--matrices"));
}
