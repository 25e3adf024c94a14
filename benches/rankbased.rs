//! Rank measures (rank-rank slope, Spearman, Kendall's tau-b, IGE, absolute mobility) on 10^6 and
//! 10^7 simulated log-normal pairs (issue 5: 10^7 pairs in under 1 s on 2 cores).

#[path = "../tests/common/samples.rs"]
mod samples;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mobility::rankbased::{kendall_tau_b, rank_mobility};
use std::hint::black_box;

/// Log-normal parent and child incomes (log mean 10.5, log standard deviation 0.7) with log
/// correlation `rho`.
fn pairs(n: usize, rho: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    samples::lognormal_pairs(n, rho, seed, 10.5, 0.7)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("rank_mobility");
    group.sample_size(10);
    for n in [1_000_000usize, 10_000_000] {
        let (parent, child) = pairs(n, 0.4, 7);
        let weights: Vec<f64> = (0..n)
            .map(|i| 0.5 + ((i as f64) * 0.618_033_988_7).fract())
            .collect();
        group.bench_with_input(BenchmarkId::new("unweighted", n), &n, |b, _| {
            b.iter(|| black_box(rank_mobility(&parent, &child, None).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("weighted", n), &n, |b, _| {
            b.iter(|| black_box(rank_mobility(&parent, &child, Some(&weights)).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("kendall_tau_b", n), &n, |b, _| {
            b.iter(|| black_box(kendall_tau_b(&parent, &child, None).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
