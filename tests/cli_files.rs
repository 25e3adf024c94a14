//! `mobility analyze FILE` on CSV and Parquet: read into columns when they fit the memory
//! limit, streamed otherwise; the JSON is the same for the same data in either format, from
//! standard input (the in-memory CSV reader), and streamed (the matrix, cut-offs and group
//! matrices bit for bit; rank measures are only computed in memory). Also the issue's "done
//! means": a Parquet file analysed under `ulimit -v` smaller than its columns in memory.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::Value;

use common::cli::{data, mobility, output, succeeded};
use common::samples::SplitMix;

struct Rows {
    parent: Vec<f64>,
    child: Vec<f64>,
    weight: Vec<f64>,
    region: Vec<String>,
}

/// Deterministic pairs with heavy ties and whole-number weights (exact sums in any order).
fn rows(n: usize) -> Rows {
    let mut rng = SplitMix(0x9E37_79B9_7F4A_7C15);
    let mut next = || rng.next();
    let mut r = Rows {
        parent: Vec::with_capacity(n),
        child: Vec::with_capacity(n),
        weight: Vec::with_capacity(n),
        region: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let p = (next() % 500) as f64 * 100.0;
        let c = 0.5 * p + (next() % 300) as f64 * 75.5;
        r.parent.push(p);
        r.child.push(c);
        r.weight.push((1 + next() % 4) as f64);
        r.region.push(format!("r{}", next() % 3));
    }
    r
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mobility-cli-files-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_csv(path: &Path, r: &Rows) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "p,c,w,region").unwrap();
    for i in 0..r.parent.len() {
        writeln!(
            f,
            "{:?},{:?},{:?},{}",
            r.parent[i], r.child[i], r.weight[i], r.region[i]
        )
        .unwrap();
    }
}

/// Folder `name` holding the same `n` [`rows`] as pairs.csv and pairs.parquet (row groups of
/// `group_rows`): the folder and the two files.
fn pairs_files(name: &str, n: usize, group_rows: usize) -> (PathBuf, PathBuf, PathBuf) {
    let d = dir(name);
    let r = rows(n);
    let (csv, pq) = (d.join("pairs.csv"), d.join("pairs.parquet"));
    write_csv(&csv, &r);
    write_parquet(&pq, &r, group_rows);
    (d, csv, pq)
}

fn write_parquet(path: &Path, r: &Rows, group_rows: usize) {
    let schema = Arc::new(
        parse_message_type(
            "message pairs { required double p; required double c; required double w; \
             required binary region (UTF8); }",
        )
        .unwrap(),
    );
    let props = Arc::new(WriterProperties::builder().build());
    let file = std::fs::File::create(path).unwrap();
    let mut w = SerializedFileWriter::new(file, schema, props).unwrap();
    let n = r.parent.len();
    let mut a = 0;
    while a < n {
        let b = (a + group_rows).min(n);
        let mut rg = w.next_row_group().unwrap();
        let mut i = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            let values = [&r.parent, &r.child, &r.weight];
            if i < 3 {
                col.typed::<DoubleType>()
                    .write_batch(&values[i][a..b], None, None)
                    .unwrap();
            } else {
                let v: Vec<ByteArray> = r.region[a..b]
                    .iter()
                    .map(|s| ByteArray::from(s.as_str()))
                    .collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&v, None, None)
                    .unwrap();
            }
            col.close().unwrap();
            i += 1;
        }
        rg.close().unwrap();
        a = b;
    }
    w.close().unwrap();
}

/// `mobility ARGS`, reading file `stdin` when given.
fn run(args: &[&str], stdin: Option<&Path>) -> Output {
    let mut cmd = mobility();
    cmd.args(args);
    if let Some(p) = stdin {
        cmd.stdin(std::fs::File::open(p).unwrap());
    }
    output(&mut cmd, None)
}

/// [`run`] of a command that must succeed, its stdout parsed as JSON.
fn json(args: &[&str], stdin: Option<&Path>) -> Value {
    let (stdout, _) = succeeded(run(args, stdin), args);
    serde_json::from_str(&stdout).unwrap()
}

fn analyze(file: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["analyze", file, "--parent", "p", "--child", "c", "--json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn csv_parquet_stdin_and_streamed_give_the_same_json() {
    let (d, csv, pq) = pairs_files("same", 5000, 1100);
    let (csv, pq) = (csv.to_str().unwrap(), pq.to_str().unwrap());
    for extra in [
        vec!["--quantiles", "10"],
        vec!["--quantiles", "5", "--weight", "w"],
        vec!["--quantiles", "4", "--rule", "r-type7"],
    ] {
        let in_memory = json(&strs(&analyze("-", &extra)), Some(Path::new(csv)));
        assert!(in_memory["rank_measures"].is_object());
        assert_eq!(
            json(&strs(&analyze(csv, &extra)), None),
            in_memory,
            "{extra:?}"
        );
        let mut pq_extra = extra.clone();
        pq_extra.extend(["--format", "parquet"]);
        assert_eq!(
            json(&strs(&analyze(pq, &extra)), None),
            in_memory,
            "{extra:?}"
        );
        // streamed: the same matrix report; rank measures are not computed
        let mut no_ranks = extra.clone();
        no_ranks.push("--no-rank-measures");
        let reference = json(&strs(&analyze(csv, &no_ranks)), None);
        assert!(reference["rank_measures"].is_null());
        let mut streamed = extra.clone();
        streamed.extend(["--memory-limit", "1K", "--quiet"]);
        assert_eq!(
            json(&strs(&analyze(csv, &streamed)), None),
            reference.clone(),
            "{extra:?}"
        );
        assert_eq!(
            json(&strs(&analyze(pq, &streamed)), None),
            reference.clone(),
            "{extra:?}"
        );
        let mut without_ranks = in_memory.clone();
        without_ranks["rank_measures"] = Value::Null;
        assert_eq!(reference, without_ranks);
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn by_groups_use_national_cutoffs_in_memory_and_streamed() {
    let (d, csv, pq) = pairs_files("by", 3000, 700);
    let (csv, pq) = (csv.to_str().unwrap(), pq.to_str().unwrap());
    let args = ["--by", "region", "--weight", "w", "--no-rank-measures"];
    let in_memory = json(&strs(&analyze(csv, &args)), None);
    let groups = in_memory["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    let mut total = 0.0;
    for g in groups {
        assert_eq!(g["parent_cutoffs"], in_memory["parent_cutoffs"]);
        total += g["n"].as_f64().unwrap();
    }
    assert_eq!(total, in_memory["n"].as_f64().unwrap());
    let mut streamed = args.to_vec();
    streamed.extend(["--memory-limit", "1", "--quiet"]);
    assert_eq!(json(&strs(&analyze(csv, &streamed)), None), in_memory);
    assert_eq!(json(&strs(&analyze(pq, &streamed)), None), in_memory);
    std::fs::remove_dir_all(&d).unwrap();
}

/// The "done means" at a small scale: under `ulimit -v` 160 MiB the default run streams
/// the 3*10^6-row file (its in-memory estimate is above a third of the limit) and prints the same
/// JSON as the in-memory path without the limit; a `--memory-limit` that would hold the file
/// in memory is refused, and one that holds a small file is not.
#[cfg(target_os = "linux")]
#[test]
fn parquet_larger_than_the_allowed_memory_streams_under_ulimit() {
    let d = dir("ulimit");
    let n: usize = 3_000_000;
    let r = rows(n);
    let pq = d.join("cohort.parquet");
    write_parquet(&pq, &r, 1 << 17);
    drop(r);
    let pq = pq.to_str().unwrap();
    let base = ["--quantiles", "10", "--no-rank-measures"];
    let reference = json(&strs(&analyze(pq, &base)), None);
    let limit_kib = 160 * 1024; // 160 MiB of address space; the columns alone need 3e6 x 48 B
    let bin = env!("CARGO_BIN_EXE_mobility");
    let under = |extra: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v {limit_kib}; exec {bin} analyze {pq} --parent p --child c \
                 --quantiles 10 --json --quiet {extra}"
            ))
            .env("MALLOC_ARENA_MAX", "2")
            .env("RAYON_NUM_THREADS", "2")
            .output()
            .unwrap()
    };
    let streamed = under("");
    assert!(
        streamed.status.success(),
        "{}{}",
        String::from_utf8_lossy(&streamed.stderr),
        String::from_utf8_lossy(&streamed.stdout)
    );
    let streamed: Value = serde_json::from_slice(&streamed.stdout).unwrap();
    assert_eq!(streamed, reference);
    // the default memory limit under this ulimit (a third of it) is below the columns' size,
    // so the run above was streamed: with rank measures asked, they are null
    assert!(streamed["rank_measures"].is_null());
    // a memory limit that lets in columns the address space cannot hold is refused with a
    // message, not left to abort on a failed allocation in the in-memory path
    let refused = under("--memory-limit 1G");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    for expected in [
        "invalid memory limit: 1024 MB lets the columns (about 228 MB)",
        "ulimit -v, 160 MB",
        "give at most 53 MB (the file is then streamed)",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
    // a large limit on a small file is no risk: it runs in memory as before
    let small = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {limit_kib}; exec {bin} analyze {} --parent parent_income \
             --child child_income --json --memory-limit 100G",
            data("pairs.csv")
        ))
        .env("MALLOC_ARENA_MAX", "2")
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .unwrap();
    assert!(
        small.status.success(),
        "{}",
        String::from_utf8_lossy(&small.stderr)
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// `mobility report` reads Parquet as it reads CSV: the same page for the same rows (apart from
/// the file's name), groups and bootstrap included.
#[test]
fn report_from_parquet_equals_report_from_csv() {
    let (d, csv, pq) = pairs_files("report", 2000, 300);
    let page = |file: &Path| {
        let out_file = d.join("page.html");
        let out = run(
            &[
                "report",
                file.to_str().unwrap(),
                "--parent",
                "p",
                "--child",
                "c",
                "--weight",
                "w",
                "--by",
                "region",
                "--quantiles",
                "3",
                "--bootstrap",
                "20",
                "--seed",
                "2",
                "-o",
                out_file.to_str().unwrap(),
            ],
            None,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(&out_file).unwrap()
    };
    let from_csv = page(&csv);
    let from_parquet = page(&pq).replace("pairs.parquet", "pairs.csv");
    assert!(from_csv.contains("Rank set"));
    assert_eq!(from_csv, from_parquet);
    std::fs::remove_dir_all(&d).unwrap();
}
