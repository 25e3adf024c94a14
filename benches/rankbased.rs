//! Rank measures (rank-rank slope, Spearman, Kendall's tau-b, IGE, absolute mobility) on 10^6 and
//! 10^7 simulated log-normal pairs (issue 5: 10^7 pairs in under 1 s on 2 cores).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mobility::rankbased::{kendall_tau_b, rank_mobility};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;

/// Log-normal parent and child incomes with log correlation `rho`.
fn pairs(n: usize, rho: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut parent = Vec::with_capacity(n);
    let mut child = Vec::with_capacity(n);
    for _ in 0..n {
        let a: f64 = StandardNormal.sample(&mut rng);
        let b: f64 = StandardNormal.sample(&mut rng);
        parent.push((10.5 + 0.7 * a).exp());
        child.push((10.5 + 0.7 * (rho * a + (1.0 - rho * rho).sqrt() * b)).exp());
    }
    (parent, child)
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
