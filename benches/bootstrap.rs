//! Bootstrap of all decile statistics, B = 1,000 replicates at N = 10^6, re-ranking in every
//! replicate (the target: at most 10 s on 2 cores).

use std::hint::black_box;

#[path = "../tests/common/samples.rs"]
mod samples;

use criterion::{Criterion, criterion_group, criterion_main};
use mobility::ClassSpec;
use mobility::inference::{Bootstrap, Selection};

fn bench(c: &mut Criterion) {
    // stream 0 of seed 1
    let (parent, child) = samples::gaussian_pairs(1_000_000, 0.4, 1, 0);
    let weights: Vec<f64> = (0..parent.len())
        .map(|i| 1.0 + (i % 7) as f64 / 3.0)
        .collect();
    let spec = ClassSpec::quantiles(10);
    let mut group = c.benchmark_group("bootstrap");
    group.sample_size(10);
    group.bench_function("deciles_all_statistics_b1000_n1e6", |b| {
        b.iter(|| {
            Bootstrap::new(1000)
                .seed(7)
                .run(black_box(&parent), black_box(&child), None, &spec)
                .unwrap()
        })
    });
    group.bench_function("deciles_measures_weighted_b1000_n1e6", |b| {
        b.iter(|| {
            Bootstrap::new(1000)
                .seed(7)
                .statistics(Selection::Measures)
                .run(black_box(&parent), black_box(&child), Some(&weights), &spec)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
