//! Validation of the inference tools on a known population (Gaussian copula).
//!
//! 1. Analytic standard errors: the empirical-copula SE (cut-offs estimated) and the naive
//!    row-multinomial SE of `p_11`, `p_kk` and the trace, against the Monte Carlo spread of the
//!    estimates over `R` simulated samples of `N = 2,000` (k = 4, 5, 10; rho = 0, 0.3, 0.6).
//! 2. Coverage of nominal 95% intervals (bootstrap percentile and BCa with re-estimated cut-offs,
//!    B replicates; analytic copula intervals) for bottom persistence and the trace over S
//!    simulated samples of N = 2,000, against the population values.
//!
//! Run: `cargo run --release --example coverage [S=1000] [B=1000] [R=2000]`.

#[path = "../tests/common/samples.rs"]
mod support;

use mobility::inference::{
    AnalyticOptions, Bootstrap, CiMethod, RowCounts, Selection, quantile_copula, row_multinomial,
};
use mobility::registry::Measure;
use mobility::{ClassSpec, TransitionMatrix};
use rayon::prelude::*;

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .map_or(default, |s| s.parse().expect("a whole number"))
}

fn main() {
    let samples = arg(1, 1000);
    let b = arg(2, 1000);
    let reps = arg(3, 2000);
    let n = 2000;
    standard_errors(n, reps);
    for (k, rho) in [(5, 0.5), (10, 0.5)] {
        coverage(n, k, rho, samples, b);
    }
}

fn standard_errors(n: usize, reps: usize) {
    println!("Analytic standard errors vs Monte Carlo spread: N = {n}, {reps} samples");
    println!(
        "ratio = mean estimated SE / Monte Carlo SD (1 = right; SD known to +-{:.1}%)",
        100.0 / (2.0 * reps as f64).sqrt()
    );
    println!(
        "{:>3} {:>4} | {:>8} {:>7} {:>7} | {:>8} {:>7} {:>7} | {:>8} {:>7} {:>7}",
        "k",
        "rho",
        "sd p11",
        "copula",
        "naive",
        "sd pkk",
        "copula",
        "naive",
        "sd trace",
        "copula",
        "naive"
    );
    for k in [4usize, 5, 10] {
        for rho in [0.0, 0.3, 0.6] {
            let names = vec![
                "p_1_1".to_string(),
                format!("p_{k}_{k}"),
                Measure::ShorrocksTrace.name().to_string(),
            ];
            let opts = AnalyticOptions {
                selection: Selection::Names(names.clone()),
                ..Default::default()
            };
            let out: Vec<[f64; 9]> = (0..reps)
                .into_par_iter()
                .map(|r| {
                    let (p, c) = support::gaussian_pairs(n, rho, 11, r as u64);
                    let cop = quantile_copula(&p, &c, None, k, &opts).unwrap();
                    let tm = TransitionMatrix::from_status(&p, &c, None, &ClassSpec::quantiles(k))
                        .unwrap();
                    let naive = row_multinomial(&tm, &RowCounts::Observed, &opts).unwrap();
                    let mut o = [0.0; 9];
                    for (i, name) in names.iter().enumerate() {
                        let e = cop.get(name).unwrap();
                        o[i] = e.estimate.unwrap();
                        o[3 + i] = e.se.unwrap();
                        o[6 + i] = naive.get(name).unwrap().se.unwrap();
                    }
                    o
                })
                .collect();
            let col = |i: usize| -> Vec<f64> { out.iter().map(|o| o[i]).collect() };
            print!("{k:>3} {rho:>4}");
            for i in 0..3 {
                let (_, sd) = support::mean_sd(&col(i));
                let (se, _) = support::mean_sd(&col(3 + i));
                let (naive, _) = support::mean_sd(&col(6 + i));
                print!(" | {sd:>8.5} {:>7.3} {:>7.3}", se / sd, naive / sd);
            }
            println!();
        }
    }
    println!();
}

fn coverage(n: usize, k: usize, rho: f64, samples: usize, b: usize) {
    let truth = support::gaussian_copula_matrix(rho, k);
    let true_p11 = truth[[0, 0]];
    let true_trace = (k as f64 - truth.diag().sum()) / (k as f64 - 1.0);
    let names = vec![
        Measure::BottomPersistence.name().to_string(),
        Measure::ShorrocksTrace.name().to_string(),
    ];
    let truths = [true_p11, true_trace];
    let boot = Bootstrap::new(b)
        .seed(2024)
        .ci(CiMethod::Bca)
        .statistics(Selection::Names(names.clone()));
    let opts = AnalyticOptions {
        selection: Selection::Names(names.clone()),
        ..Default::default()
    };
    let start = std::time::Instant::now();
    // hits[statistic][method]: percentile, BCa, analytic copula
    let mut hits = [[0usize; 3]; 2];
    let mut undefined = 0;
    for s in 0..samples {
        let (p, c) = support::gaussian_pairs(n, rho, 99, s as u64);
        let r = boot.run(&p, &c, None, &ClassSpec::quantiles(k)).unwrap();
        let a = quantile_copula(&p, &c, None, k, &opts).unwrap();
        for (i, name) in names.iter().enumerate() {
            let st = r.get(name).unwrap();
            undefined += st.undefined_replicates;
            let t = truths[i];
            let inside = |lo: Option<f64>, hi: Option<f64>| match (lo, hi) {
                (Some(lo), Some(hi)) => usize::from(lo <= t && t <= hi),
                _ => 0,
            };
            hits[i][0] += inside(st.percentile.map(|x| x.low), st.percentile.map(|x| x.high));
            hits[i][1] += inside(st.bca.map(|x| x.low), st.bca.map(|x| x.high));
            let e = a.get(name).unwrap();
            hits[i][2] += inside(e.ci_low, e.ci_high);
        }
    }
    println!(
        "Coverage of nominal 95% intervals: k = {k}, rho = {rho}, N = {n}, {samples} samples, \
         B = {b} ({:.1} s; {undefined} undefined replicate values)",
        start.elapsed().as_secs_f64()
    );
    println!(
        "(a rate is known to +-{:.1} points)",
        100.0 * (0.05 * 0.95 / samples as f64).sqrt()
    );
    println!(
        "{:>20} {:>8} | {:>10} {:>8} {:>17}",
        "statistic", "true", "percentile", "BCa", "analytic (copula)"
    );
    for (i, name) in names.iter().enumerate() {
        let rate = |h: usize| 100.0 * h as f64 / samples as f64;
        println!(
            "{name:>20} {:>8.5} | {:>9.1}% {:>7.1}% {:>16.1}%",
            truths[i],
            rate(hits[i][0]),
            rate(hits[i][1]),
            rate(hits[i][2])
        );
    }
    println!();
}
