//! Running the `mobility` binary as a user runs it, for the command-line tests: the fixture
//! paths, a run that never panics, a command that must succeed or fail with one clear line, a
//! scratch file, and JSON compared with the library's up to the last bits of floats.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The path of fixture `name` in tests/data.
pub fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `FILE --parent parent_income --child child_income EXTRA...`: the columns of the pairs.csv
/// and regions.csv fixtures.
pub fn income_columns<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![file, "--parent", "parent_income", "--child", "child_income"];
    args.extend_from_slice(extra);
    args
}

/// `mobility COMMAND FILE --parent parent_income --child child_income EXTRA...`.
pub fn income_args<'a>(command: &'a str, file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![command];
    args.extend(income_columns(file, extra));
    args
}

/// `mobility analyze - --parent p --child c EXTRA...`: columns `p` and `c` of a CSV on stdin.
pub fn analyze_stdin<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["analyze", "-", "--parent", "p", "--child", "c"];
    args.extend_from_slice(extra);
    args
}

/// `mobility analyze FILE --parent t0 --child t9 --quantiles K EXTRA...`: the first and last
/// periods of the mobilityIndexR panels in ../shared/data.
pub fn t0_to_t9<'a>(file: &'a str, k: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "analyze",
        file,
        "--parent",
        "t0",
        "--child",
        "t9",
        "--quantiles",
        k,
    ];
    args.extend_from_slice(extra);
    args
}

/// The `mobility` binary with no input on stdin (set another stdin on it to give one).
pub fn mobility() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mobility"));
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to the end, writing `stdin` to it when given (a command that fails before reading
/// all of its input closes the pipe: not an error here); asserts that neither output stream
/// shows a panic or a backtrace.
pub fn output(cmd: &mut Command, stdin: Option<&str>) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(s) = stdin {
        let mut input = child.stdin.take().expect("stdin");
        if let Err(e) = input.write_all(s.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    let out = child.wait_with_output().expect("the binary finishes");
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains("panicked"), "a panic: {text}");
        assert!(!text.contains("RUST_BACKTRACE"), "a backtrace: {text}");
    }
    out
}

/// `mobility ARGS` with nothing on stdin.
pub fn run(args: &[&str]) -> Output {
    output(mobility().args(args), None)
}

/// `mobility ARGS` reading `stdin`.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    output(mobility().args(args), Some(stdin))
}

/// The stdout and stderr of `out`, asserting that the command `what` succeeded.
pub fn succeeded(out: Output, what: &[&str]) -> (String, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{what:?} failed: {stderr}");
    (String::from_utf8(out.stdout).expect("UTF-8 output"), stderr)
}

/// Runs a command that must succeed; returns its stdout and stderr.
pub fn ok_with_stderr(args: &[&str]) -> (String, String) {
    succeeded(run(args), args)
}

/// Runs a command that must succeed (stderr may hold notes); returns its stdout.
pub fn stdout_of(args: &[&str]) -> String {
    ok_with_stderr(args).0
}

/// Runs a command that must succeed silently on stderr; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let (stdout, stderr) = ok_with_stderr(args);
    assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    stdout
}

/// [`ok`], its stdout parsed as JSON.
pub fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("valid JSON")
}

/// Runs a command that must fail with `code`, nothing on stdout and exactly one line on stderr,
/// `mobility: error: ...`, containing every part of `expected`; returns that line.
pub fn fails(args: &[&str], code: i32, expected: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    assert_eq!(
        stderr.lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    assert!(stderr.starts_with("mobility: error: "), "{stderr}");
    for part in expected {
        assert!(stderr.contains(part), "{args:?}: '{part}' not in: {stderr}");
    }
    stderr
}

/// `2 * n_families` made-up rows of two children per family, with columns `family` (the id
/// `{id_prefix}{f}`), `p`, `c` (parent and child incomes), `w` (weights 1 to 3) and `t2` (a third
/// period).
pub fn families(n_families: usize, id_prefix: &str) -> String {
    let mut csv = String::from("family,p,c,w,t2\n");
    for i in 0..(2 * n_families) {
        let f = i / 2;
        csv.push_str(&format!(
            "{id_prefix}{f},{},{},{},{}\n",
            (i * 37) % 120,
            (i * 53) % 121 + f,
            1 + i % 3,
            (i * 17) % 119
        ));
    }
    csv
}

/// Writes `text` to file `name` in this test process's own temporary folder; returns its path.
pub fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mobility-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// JSON values equal, numbers up to 1e-13 relative (serde_json's default float parser is not
/// correctly rounded), everything else exactly; a failure names the path of the first
/// difference (`$.measures.shorrocks_trace`).
pub fn assert_same(cli: &Value, lib: &Value) {
    fn walk(a: &Value, b: &Value, path: &str) {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                assert!(
                    (x - y).abs() <= 1e-13 * x.abs().max(y.abs()).max(1.0),
                    "{path}: {x} != {y}"
                );
            }
            (Value::Array(x), Value::Array(y)) => {
                assert_eq!(x.len(), y.len(), "{path}: lengths differ");
                for (i, (a, b)) in x.iter().zip(y).enumerate() {
                    walk(a, b, &format!("{path}[{i}]"));
                }
            }
            (Value::Object(x), Value::Object(y)) => {
                let kx: Vec<_> = x.keys().collect();
                let ky: Vec<_> = y.keys().collect();
                assert_eq!(kx, ky, "{path}: keys differ");
                for (key, a) in x {
                    walk(a, &y[key], &format!("{path}.{key}"));
                }
            }
            _ => assert_eq!(a, b, "{path}"),
        }
    }
    walk(cli, lib, "$");
}
