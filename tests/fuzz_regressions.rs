//! Replays every file in `fuzz/regressions/<target>/` and `fuzz/corpus/<target>/` through the
//! fuzz targets' bodies (`fuzz/src/checks.rs`), on stable: inputs that once crashed a target stay
//! fixed, and the seed corpus keeps passing, without nightly or `cargo fuzz`.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

fn replay(kind: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind);
    let mut replayed = 0;
    for target in checks::TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| checks::run(target, &data));
            assert!(outcome.is_ok(), "{target}: {} fails", file.display());
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn crashes_found_by_fuzzing_stay_fixed() {
    // the directory may be empty (nothing found yet); each file in it must pass
    replay("regressions");
}

#[test]
fn the_seed_corpus_passes_on_stable() {
    assert!(
        replay("corpus") >= checks::TARGETS.len(),
        "a seed per target"
    );
}

#[test]
fn the_issue_reproducers_pass() {
    // issue 9, item 1: a header alone used to crash the place-matrix reader
    checks::place_matrices(
        b"cz,p_par1_kid1,p_par1_kid2,p_par2_kid1,p_par2_kid2,frac_par_q1,frac_par_q2,p_par4294967296_kid1\n",
    );
    checks::place_matrices(b"cz,p_par1_kid1,p_par100000_kid1\n");
    // item 2: weights whose sum overflows
    let mut bytes = vec![3u8, 1];
    for x in [
        1.0f64, 2.0, 3.0, 4.0, 1.0, 2.0, 4.0, 3.0, 1e308, 1e308, 1.0, 1.0,
    ] {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    checks::pipeline(&bytes);
}
