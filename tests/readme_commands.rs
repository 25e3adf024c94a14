//! Every `mobility ...` command in the README's "Command line" block runs as written from the
//! repository's root and succeeds (files named by `-o` go to a scratch folder; commands that read
//! `../shared` run where it exists).

mod common;

use std::path::Path;

use common::cli::{mobility, output};

fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = &readme[readme
        .find("## Command line")
        .expect("a Command line section")..];
    let block = &section[section.find("```sh").expect("a sh block") + 5..];
    let block = &block[..block.find("```").expect("the block ends")];
    block
        .lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim().to_string())
        .filter(|l| l.starts_with("mobility "))
        .collect()
}

#[test]
fn every_readme_command_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = std::env::temp_dir().join(format!("mobility-readme-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let commands = readme_commands();
    assert!(commands.len() >= 10, "{commands:?}");
    let mut ran = 0;
    for line in &commands {
        let mut args: Vec<String> = line.split_whitespace().skip(1).map(String::from).collect();
        if args.iter().any(|a| a.starts_with("../shared")) && !root.join("../shared/data").is_dir()
        {
            continue;
        }
        if let Some(i) = args.iter().position(|a| a == "-o") {
            args[i + 1] = scratch.join(&args[i + 1]).to_string_lossy().into_owned();
        }
        let out = output(mobility().args(&args).current_dir(root), None);
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{line}: no output");
        ran += 1;
    }
    assert!(ran >= 10);
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn demo_takes_its_size_and_refuses_bad_ones() {
    let run = |args: &[&str]| output(mobility().arg("demo").args(args), None);
    let small = run(&["--n", "3000", "--seed", "5"]);
    assert!(small.status.success());
    let text = String::from_utf8_lossy(&small.stdout);
    assert!(
        text.contains("Simulated 3,000 parent/child pairs"),
        "{text}"
    );
    assert!(text.contains("rank correlation 0.35, seed 5"), "{text}");
    for (args, needle) in [
        (&["--n", "1000000000"][..], "100000000"),
        (&["--n", "x"][..], "--n"),
        (&["file.csv"][..], "takes no file"),
    ] {
        let out = run(args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
