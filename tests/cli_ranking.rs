//! `mobility places --rank-ci`: SEs from the joint places bootstrap, shrunk estimates, ranks and
//! rank confidence sets in the text and JSON output, agreeing with the library.

mod common;

use mobility::inference::places_bootstrap::{
    PlaceMeasure, PlacesBootstrapOptions, places_bootstrap,
};
use mobility::ranking::{PlaceRankingOptions, rank_places};
use serde_json::Value;

use common::cli::{run, scratch, stdout_of};
use common::samples::SplitMix;

fn write_csv() -> (std::path::PathBuf, Vec<f64>, Vec<f64>, Vec<String>) {
    let mut rng = SplitMix(11);
    let mut next = || rng.unit();
    let (mut p, mut c, mut g) = (Vec::new(), Vec::new(), Vec::new());
    let mut text = String::from("parent,child,place\n");
    for i in 0..3000 {
        // place "p0" is tiny (30 rows), "p1" strongly upward
        let place = if i < 30 { 0 } else { 1 + i % 8 };
        let a = next();
        let b = next();
        let shift = if place == 1 { 0.6 } else { 0.0 };
        let (pp, cc) = (
            (a * 1000.0).round(),
            ((0.5 * a + 0.5 * b + shift) * 1000.0).round(),
        );
        text.push_str(&format!("{pp},{cc},p{place}\n"));
        p.push(pp);
        c.push(cc);
        g.push(format!("p{place}"));
    }
    (scratch("places.csv", &text), p, c, g)
}

/// `mobility places FILE --parent parent --child child --by place EXTRA...`: the columns
/// [`write_csv`] writes.
fn places_args<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "places", file, "--parent", "parent", "--child", "child", "--by", "place",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn rank_ci_text_and_json_match_the_library() {
    let (path, p, c, g) = write_csv();
    let file = path.to_str().unwrap();
    let common = places_args(
        file,
        &[
            "--measure",
            "levelling_up",
            "--bootstrap",
            "100",
            "--rank-ci",
            "--min-size",
            "100",
            "--tau",
            "2",
        ],
    );
    let json: Value =
        serde_json::from_str(&stdout_of(&[&common[..], &["--json"]].concat())).unwrap();
    // the group table keeps its keys; the tiny place is not in it
    assert!(
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["group"] != "p0")
    );
    let ranking = &json["ranking"];
    assert_eq!(ranking["p"], 8);
    assert_eq!(ranking["excluded"][0]["place"], "p0");
    assert_eq!(ranking["excluded"][0]["units"], 30);
    // the library on the same data and settings
    let boot = places_bootstrap(
        &p,
        &c,
        None,
        &g,
        None::<&[u32]>,
        &PlacesBootstrapOptions::new(5, PlaceMeasure::LevellingUp, 100),
    )
    .unwrap();
    let lib = rank_places(
        &boot,
        &PlaceRankingOptions {
            min_size: 100,
            tau: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    for (row, want) in ranking["rows"].as_array().unwrap().iter().zip(&lib.rows) {
        assert_eq!(row["place"], want.place.as_str());
        assert_eq!(row["units"], want.units);
        assert_eq!(row["se"].as_f64().unwrap(), want.se);
        assert_eq!(row["shrunk"].as_f64().unwrap(), want.shrunk);
        assert_eq!(row["rank"], want.rank);
        assert_eq!(row["lower"], want.lower);
        assert_eq!(row["upper"], want.upper);
    }
    // the strongly upward place is first and distinguishable from all others
    let top = lib.by_rank()[0];
    assert_eq!(top.place, "p1");
    assert_eq!((top.lower, top.upper), (1, 1));
    assert!(json["places_bootstrap"]["covariance"].is_null());
    let text = stdout_of(&common);
    assert!(text.contains("Places ranked on levelling_up"));
    assert!(text.contains("rank set"));
    assert!(text.contains("[1, 1]"));
    assert!(text.contains("p0 (30 units, below the minimum size 100)"));
    assert!(text.contains("1 group with fewer than 100 units not shown"));
}

#[test]
fn rank_options_need_microdata_and_valid_names() {
    let (path, ..) = write_csv();
    let file = path.to_str().unwrap();
    let out = run(&places_args(file, &["--measure", "nope", "--rank-ci"]));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
    let out = run(&["places", file, "--matrices", "--rank-ci"]);
    assert!(!out.status.success());
}

/// `--cluster COL` resamples whole clusters in the joint places bootstrap, with text ids: the
/// same SEs as the library with those ids, different from the units' bootstrap.
#[test]
fn cluster_ids_resample_whole_clusters() {
    let (_, p, c, g) = write_csv();
    // families of three consecutive rows, with text ids
    let fam: Vec<String> = (0..p.len()).map(|i| format!("f{}", i / 3)).collect();
    let mut text = String::from("parent,child,place,family\n");
    for i in 0..p.len() {
        text.push_str(&format!("{},{},{},{}\n", p[i], c[i], g[i], fam[i]));
    }
    let path = scratch("families.csv", &text);
    let file = path.to_str().unwrap();
    let args = |cluster: bool| {
        let mut a = places_args(
            file,
            &[
                "--rank-ci",
                "--bootstrap",
                "60",
                "--seed",
                "4",
                "--tau",
                "0",
                "--json",
            ],
        );
        if cluster {
            a.extend(["--cluster", "family"]);
        }
        a
    };
    let clustered: Value = serde_json::from_str(&stdout_of(&args(true))).unwrap();
    let units: Value = serde_json::from_str(&stdout_of(&args(false))).unwrap();
    let boot = &clustered["places_bootstrap"];
    assert_eq!(boot["units"]["clusters"], 1000);
    assert_eq!(boot["units"]["unit"], "clusters");
    let lib = places_bootstrap(
        &p,
        &c,
        None,
        &g,
        Some(&fam),
        &PlacesBootstrapOptions {
            seed: 4,
            ..PlacesBootstrapOptions::new(5, PlaceMeasure::AbsoluteUpwardMobility, 60)
        },
    )
    .unwrap();
    let mut differs = false;
    for (j, e) in lib.places.iter().enumerate() {
        let se = boot["places"][j]["se"].as_f64().unwrap();
        assert_eq!(Some(se), e.se, "{}", e.place);
        differs |= units["places_bootstrap"]["places"][j]["se"].as_f64() != Some(se);
    }
    assert!(differs);
    // standard input is read once; the bootstrap options are needed
    let out = run(&places_args(file, &["--cluster", "family"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --rank-ci"));
    std::fs::remove_file(&path).unwrap();
}
