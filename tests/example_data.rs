//! The example files in `examples/data/` (the README's commands use them) are made by the
//! simulator with fixed seeds: this test rebuilds them and checks the shipped files are exactly
//! that. `MOBILITY_WRITE_EXAMPLES=1 cargo test --test example_data` rewrites them.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use mobility::published;
use mobility::simulate::{LogNormal, Simulation, simulate};

/// Four regions of 1,000 adult children and their parents: incomes in whole units, survey weights,
/// and a family id shared by two siblings (text ids, for `--cluster family`).
fn cohort() -> String {
    let mut out = String::from("parent_income,child_income,weight,region,family\n");
    let regions = [
        ("North East", 0.45, 9.9),
        ("London", 0.30, 10.4),
        ("Midlands", 0.40, 10.1),
        ("South West", 0.35, 10.2),
    ];
    let mut family = 0usize;
    for (r, (name, rho, mu)) in regions.into_iter().enumerate() {
        let spec = Simulation::new(1_000, rho, 11 + r as u64)
            .with_parent(LogNormal::new(mu, 0.7).unwrap())
            .with_child(LogNormal::new(mu + 0.1, 0.8).unwrap());
        let pairs = simulate(&spec).unwrap();
        for (i, (p, c)) in pairs.parent.iter().zip(&pairs.child).enumerate() {
            if i % 2 == 0 {
                family += 1;
            }
            let weight = 0.5 + ((i * 7 + r) % 5) as f64 * 0.25;
            writeln!(out, "{:.0},{:.0},{weight},{name},fam{family}", p, c).unwrap();
        }
    }
    out
}

/// 1,500 people observed in three periods with many zero incomes (the bottom 30%, 20% and 15%
/// of each period), for `--rule split` and `--periods t0,t1,t2`.
fn panel() -> String {
    let a = simulate(&Simulation::new(1_500, 0.6, 21)).unwrap();
    let b = simulate(&Simulation::new(1_500, 0.6, 22)).unwrap();
    let t0 = a.parent.clone();
    let t1 = a.child.clone();
    let t2: Vec<f64> = t1
        .iter()
        .zip(&b.child)
        .map(|(x, y)| 0.6 * x + 0.4 * y)
        .collect();
    let zero_below = |v: &[f64], share: f64| -> Vec<f64> {
        let mut sorted = v.to_vec();
        sorted.sort_by(f64::total_cmp);
        let cut = sorted[(share * v.len() as f64) as usize];
        v.iter()
            .map(|&x| if x < cut { 0.0 } else { x.round() })
            .collect()
    };
    let (t0, t1, t2) = (
        zero_below(&t0, 0.3),
        zero_below(&t1, 0.2),
        zero_below(&t2, 0.15),
    );
    let mut out = String::from("t0,t1,t2,w\n");
    for i in 0..t0.len() {
        writeln!(out, "{},{},{},{}", t0[i], t1[i], t2[i], 1 + i % 3).unwrap();
    }
    out
}

/// Heights of 1,078 parent/child pairs in whole inches, grouped: one row per (parent, child)
/// pair of heights with the number of people, as Pearson and Lee's table is published.
fn heights() -> String {
    let spec = Simulation::new(1_078, 0.5, 31)
        .with_parent(LogNormal::new(68.0f64.ln(), 0.04).unwrap())
        .with_child(LogNormal::new(69.0f64.ln(), 0.04).unwrap());
    let pairs = simulate(&spec).unwrap();
    let mut cells: BTreeMap<(i64, i64), u32> = BTreeMap::new();
    for (p, c) in pairs.parent.iter().zip(&pairs.child) {
        *cells
            .entry((p.round() as i64, c.round() as i64))
            .or_default() += 1;
    }
    let mut out = String::from("parent,child,frequency\n");
    for ((p, c), n) in cells {
        writeln!(out, "{p},{c},{n}").unwrap();
    }
    out
}

/// The published US quintile matrix (Chetty, Hendren, Kline & Saez 2014), parent quintile in
/// rows, as a probability table with a header.
fn us_quintiles() -> String {
    let us = published::us_chetty_2014_quintiles();
    let mut out = String::from("Q1,Q2,Q3,Q4,Q5\n");
    for row in us.probabilities().rows() {
        let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
        writeln!(out, "{}", cells.join(",")).unwrap();
    }
    out
}

#[test]
fn shipped_example_files_are_the_simulators_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let write = std::env::var_os("MOBILITY_WRITE_EXAMPLES").is_some();
    for (name, text) in [
        ("cohort.csv", cohort()),
        ("panel.csv", panel()),
        ("heights.csv", heights()),
        ("us_quintiles.csv", us_quintiles()),
    ] {
        let path = dir.join(name);
        if write {
            std::fs::write(&path, &text).unwrap();
        }
        let shipped = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (MOBILITY_WRITE_EXAMPLES=1 makes it)",
                path.display()
            )
        });
        assert!(
            shipped == text,
            "{name} differs from the simulator's output"
        );
    }
}
