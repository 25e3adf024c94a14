//! The fuzz targets' bodies, shared with `tests/fuzz_regressions.rs` (which includes this file
//! with `#[path]` and replays `fuzz/regressions/<target>/*` on stable). Each function takes the
//! fuzzer's bytes and panics only when an invariant of the library breaks: readers return a value
//! or a `MobilityError` (never panic), and every value read or computed round-trips through JSON
//! with no NaN or infinity.

#![allow(dead_code)]

use mobility::inference::BootstrapResult;
use mobility::io::csv::{CsvOptions, Delimiter, Missing, read_columns_from, read_table_from};
use mobility::rankbased::rank_mobility;
use mobility::report::{AnalysisReport, Report};
use mobility::{ClassSpec, Rule, TransitionMatrix, Weighting};

/// The names of the targets (one directory each under `fuzz/corpus` and `fuzz/regressions`).
pub const TARGETS: &[&str] = &[
    "csv_columns",
    "csv_table",
    "place_matrices",
    "deserialize",
    "pipeline",
];

/// Runs target `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "csv_columns" => csv_columns(data),
        "csv_table" => csv_table(data),
        "place_matrices" => place_matrices(data),
        "deserialize" => deserialize(data),
        "pipeline" => pipeline(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

fn options(flags: u8) -> CsvOptions {
    CsvOptions {
        delimiter: match flags % 3 {
            0 => Delimiter::Comma,
            1 => Delimiter::Semicolon,
            _ => Delimiter::Tab,
        },
        missing: if flags & 4 == 0 {
            Missing::Reject
        } else {
            Missing::DropRow
        },
    }
}

fn check_message(e: &mobility::MobilityError) {
    let m = e.to_string();
    assert!(!m.is_empty());
    assert!(m.len() < 4096, "an error message of {} bytes", m.len());
}

/// The CSV column reader on arbitrary bytes (first byte: delimiter and missing-value flags).
pub fn csv_columns(data: &[u8]) {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    match read_columns_from(body, "<fuzz>", &["a", "b"], &options(flags)) {
        Ok(cols) => {
            let (a, b) = (cols.get("a").unwrap(), cols.get("b").unwrap());
            assert_eq!(a.len(), b.len());
            assert!(a.iter().chain(b).all(|x| x.is_finite()));
            if !a.is_empty() {
                // the columns go through the pipeline without a panic
                let _ = TransitionMatrix::from_status(a, b, None, &ClassSpec::quantiles(2));
            }
        }
        Err(e) => check_message(&e),
    }
}

/// The k x k table reader on arbitrary bytes (first byte: delimiter flags).
pub fn csv_table(data: &[u8]) {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    match read_table_from(body, "<fuzz>", &options(flags)) {
        Ok(t) => {
            assert_eq!(t.values.nrows(), t.values.ncols());
            assert!(t.values.iter().all(|x| x.is_finite()));
            if let Ok(tm) = TransitionMatrix::from_counts(t.values.view()) {
                round_trip_matrix(&tm);
            }
        }
        Err(e) => check_message(&e),
    }
}

/// The place-matrix reader on arbitrary bytes (through a scratch file: it reads paths).
pub fn place_matrices(data: &[u8]) {
    let path =
        std::env::temp_dir().join(format!("mobility-fuzz-places-{}.csv", std::process::id()));
    std::fs::write(&path, data).expect("scratch file");
    match mobility::io::place_matrices::read_place_matrices(&path) {
        Ok(places) => {
            for p in &places {
                if let Some(m) = &p.probabilities {
                    assert_eq!(m.nrows(), m.ncols());
                    assert!(m.nrows() <= mobility::limits::MAX_CLASSES);
                    assert!(m.iter().all(|x| x.is_finite()));
                }
            }
        }
        Err(e) => check_message(&e),
    }
    let _ = std::fs::remove_file(&path);
}

/// Every serde deserialiser: whatever parses must validate, serialise and parse back equal.
pub fn deserialize(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(tm) = serde_json::from_str::<TransitionMatrix>(text) {
        round_trip_matrix(&tm);
    }
    if let Ok(r) = serde_json::from_str::<BootstrapResult>(text) {
        r.validate()
            .expect("a deserialised BootstrapResult is valid");
        let again: BootstrapResult = serde_json::from_str(&serde_json::to_string(&r).unwrap())
            .expect("a BootstrapResult round-trips");
        assert_eq!(again, r);
    }
    if let Ok(r) = serde_json::from_str::<Report>(text) {
        let _ = serde_json::to_string(&r).unwrap();
    }
    if let Ok(r) = serde_json::from_str::<AnalysisReport>(text) {
        let _ = serde_json::to_string(&r).unwrap();
    }
}

fn round_trip_matrix(tm: &TransitionMatrix) {
    assert!(tm.probabilities().iter().all(|x| x.is_finite()));
    assert!(tm.parent_shares().iter().all(|x| x.is_finite()));
    assert!(tm.n().is_none_or(f64::is_finite));
    let json = serde_json::to_string(tm).unwrap();
    let back: TransitionMatrix = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("a valid matrix does not read back: {e}\n{json}"));
    assert_eq!(&back, tm);
    let _ = tm.measures(&Weighting::ParentShares);
}

/// Reads `f64`s from bytes: 8 bytes each, non-finite values folded to finite ones.
fn numbers(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|c| {
            let x = f64::from_le_bytes(c.try_into().unwrap());
            if x.is_finite() { x } else { f64::from(c[0]) }
        })
        .collect()
}

/// The whole pipeline on arbitrary arrays, weights and k: byte 0 gives k (2..=17) and the rule,
/// byte 1 whether weights are used; the rest is parent, child (and weights) values.
pub fn pipeline(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let k = 2 + usize::from(data[0] % 16);
    let rule = Rule::NAMES[usize::from(data[0] / 16) % Rule::NAMES.len()]
        .parse::<Rule>()
        .unwrap();
    let weighted = data[1] % 2 == 1;
    let values = numbers(&data[2..]);
    let parts = if weighted { 3 } else { 2 };
    let n = values.len() / parts;
    if n == 0 {
        return;
    }
    let parent = &values[..n];
    let child = &values[n..2 * n];
    let weights: Option<Vec<f64>> =
        weighted.then(|| values[2 * n..3 * n].iter().map(|w| w.abs()).collect());
    let w = weights.as_deref();
    let spec = ClassSpec::Quantiles { k, rule };
    if let Ok(tm) = TransitionMatrix::from_status(parent, child, w, &spec) {
        assert_eq!(tm.k(), k);
        round_trip_matrix(&tm);
        if let Ok(report) = tm.report(&Weighting::ParentShares) {
            let json = serde_json::to_string(&report).unwrap();
            let back: Report = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
        }
        // weights are relative: doubling them changes nothing
        if let Some(w) = w {
            let doubled: Vec<f64> = w.iter().map(|x| x * 2.0).collect();
            if doubled.iter().all(|x| x.is_finite()) && w.iter().all(|&x| x == 0.0 || x.is_normal())
            {
                let tm2 =
                    TransitionMatrix::from_status(parent, child, Some(&doubled), &spec).unwrap();
                assert_eq!(tm2.probabilities(), tm.probabilities());
            }
        }
    }
    if let Ok(r) = rank_mobility(parent, child, w) {
        assert!(r.rank_rank_slope.is_finite());
        let json = serde_json::to_string(&r).unwrap();
        let back: mobility::rankbased::RankMobility = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
}
