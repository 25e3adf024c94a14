//! Issue 13 from the command line, on data written here: text cluster ids and the few-clusters
//! warning, `--weight-kind`, `--rule split`, `--periods`.

mod common;

use common::cli::{analyze_stdin, families, run_with_stdin};

/// `mobility ARGS` reading `stdin`: whether it succeeded, its stdout and its stderr.
fn run(args: &[&str], stdin: &str) -> (bool, String, String) {
    let out = run_with_stdin(args, stdin);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn text_cluster_ids_and_the_few_clusters_warning() {
    let base = analyze_stdin(&[
        "--quantiles",
        "3",
        "--bootstrap",
        "40",
        "--cluster",
        "family",
        "--json",
    ]);
    let (ok, out, err) = run(&base, &families(60, "fam-"));
    assert!(ok, "{err}");
    assert!(err.is_empty(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bootstrap"]["clusters"], 60);
    let (ok, _, err) = run(&base, &families(10, "fam-"));
    assert!(ok, "{err}");
    assert!(err.contains("only 10 clusters"), "{err}");
}

#[test]
fn weight_kind_split_and_periods() {
    let csv = families(60, "fam-");
    let (ok, out, err) = run(
        &analyze_stdin(&[
            "--weight",
            "w",
            "--weight-kind",
            "frequency",
            "--rule",
            "split",
            "--bootstrap",
            "30",
            "--json",
        ]),
        &csv,
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["weights"]["kind"], "frequency");
    assert_eq!(v["bootstrap"]["weight_kind"], "frequency");
    assert_eq!(v["weights"]["sample_size"], v["weights"]["total"]);
    let (ok, out, _) = run(&analyze_stdin(&["--weight", "w"]), &csv);
    assert!(ok);
    assert!(
        out.contains("Weights: sampling weights: 120 records"),
        "{out}"
    );
    // --weight-kind needs --weight; an unknown kind is refused
    let (ok, _, err) = run(&analyze_stdin(&["--weight-kind", "frequency"]), &csv);
    assert!(!ok && err.contains("--weight-kind"), "{err}");
    let (ok, _, err) = run(
        &analyze_stdin(&["--weight", "w", "--weight-kind", "design"]),
        &csv,
    );
    assert!(!ok && err.contains("design"), "{err}");
    // a panel of three periods
    let (ok, out, err) = run(
        &[
            "analyze",
            "-",
            "--periods",
            "p,c,t2",
            "--quantiles",
            "4",
            "--json",
        ],
        &csv,
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n"], 240.0);
    assert_eq!(v["transitions"][1]["from"], "c");
    let (ok, _, err) = run(
        &["analyze", "-", "--periods", "p", "--quantiles", "4"],
        &csv,
    );
    assert!(!ok && err.contains("two or more period columns"), "{err}");
    let (ok, _, err) = run(&["analyze", "-", "--periods", "p,c", "--parent", "p"], &csv);
    assert!(!ok && err.contains("--parent"), "{err}");
}
