//! Status to classes, matrix and every measure: N = 10^6 and 10^7 simulated pairs, deciles,
//! unweighted and weighted (issue: 10^7 pairs in at most 0.25 s on 2 cores).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mobility::simulate::{Simulation, simulate};
use mobility::{ClassSpec, TransitionMatrix, Weighting};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("status_to_measures_deciles");
    group.sample_size(10);
    for n in [1_000_000usize, 10_000_000] {
        let pairs = simulate(&Simulation::new(n, 0.5, 42)).expect("simulation");
        let weights: Vec<f64> = (0..n)
            .map(|i| 0.5 + ((i as f64) * 0.618_033_988_7).fract())
            .collect();
        let spec = ClassSpec::quantiles(10);
        group.bench_with_input(BenchmarkId::new("unweighted", n), &n, |b, _| {
            b.iter(|| {
                let tm = TransitionMatrix::from_status(&pairs.parent, &pairs.child, None, &spec)
                    .unwrap();
                black_box(tm.measures(&Weighting::ParentShares).unwrap())
            })
        });
        group.bench_with_input(BenchmarkId::new("weighted", n), &n, |b, _| {
            b.iter(|| {
                let tm = TransitionMatrix::from_status(
                    &pairs.parent,
                    &pairs.child,
                    Some(&weights),
                    &spec,
                )
                .unwrap();
                black_box(tm.measures(&Weighting::ParentShares).unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
