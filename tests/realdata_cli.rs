//! Issue 13 from the command line, on data written here: text cluster ids and the few-clusters
//! warning, `--weight-kind`, `--rule split`, `--periods`.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mobility"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // a command that fails before reading all of its input closes the pipe: not an error here
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn families(n_families: usize) -> String {
    let mut csv = String::from("family,p,c,w,t2\n");
    for i in 0..(2 * n_families) {
        let f = i / 2;
        csv.push_str(&format!(
            "fam-{f},{},{},{},{}\n",
            (i * 37) % 120,
            (i * 53) % 121 + f,
            1 + i % 3,
            (i * 17) % 119
        ));
    }
    csv
}

#[test]
fn text_cluster_ids_and_the_few_clusters_warning() {
    let base = [
        "analyze",
        "-",
        "--parent",
        "p",
        "--child",
        "c",
        "--quantiles",
        "3",
        "--bootstrap",
        "40",
        "--cluster",
        "family",
        "--json",
    ];
    let (ok, out, err) = run(&base, &families(60));
    assert!(ok, "{err}");
    assert!(err.is_empty(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bootstrap"]["clusters"], 60);
    let (ok, _, err) = run(&base, &families(10));
    assert!(ok, "{err}");
    assert!(err.contains("only 10 clusters"), "{err}");
}

#[test]
fn weight_kind_split_and_periods() {
    let csv = families(60);
    let (ok, out, err) = run(
        &[
            "analyze",
            "-",
            "--parent",
            "p",
            "--child",
            "c",
            "--weight",
            "w",
            "--weight-kind",
            "frequency",
            "--rule",
            "split",
            "--bootstrap",
            "30",
            "--json",
        ],
        &csv,
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["weights"]["kind"], "frequency");
    assert_eq!(v["bootstrap"]["weight_kind"], "frequency");
    assert_eq!(v["weights"]["sample_size"], v["weights"]["total"]);
    let (ok, out, _) = run(
        &[
            "analyze", "-", "--parent", "p", "--child", "c", "--weight", "w",
        ],
        &csv,
    );
    assert!(ok);
    assert!(
        out.contains("Weights: sampling weights: 120 records"),
        "{out}"
    );
    // --weight-kind needs --weight; an unknown kind is refused
    let (ok, _, err) = run(
        &[
            "analyze",
            "-",
            "--parent",
            "p",
            "--child",
            "c",
            "--weight-kind",
            "frequency",
        ],
        &csv,
    );
    assert!(!ok && err.contains("--weight-kind"), "{err}");
    let (ok, _, err) = run(
        &[
            "analyze",
            "-",
            "--parent",
            "p",
            "--child",
            "c",
            "--weight",
            "w",
            "--weight-kind",
            "design",
        ],
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
