//! Ranking places (issue 11): rank confidence sets at p = 741 places and R = 10^4 draws
//! (independent SEs and a full covariance; simultaneous two-sided step-down and marginal), and
//! rank-rank regression standard errors (Chetverikov & Wilhelm) at n = 10^6 pairs.

use criterion::{Criterion, criterion_group, criterion_main};
use mobility::inference::places_bootstrap::{
    PlaceMeasure, PlacesBootstrapOptions, places_bootstrap,
};
use mobility::ranking::{
    RankRankOptions, RankSetOptions, Uncertainty, rank_confidence_sets, rank_rank_regression,
};
use mobility::registry::Measure;
use mobility::simulate::{Simulation, simulate};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;

/// 741 places of 200 to 20,000 people: true effects with SD 0.03, sampling SE 1/sqrt(size).
fn places(p: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (mut est, mut se) = (Vec::new(), Vec::new());
    for j in 0..p {
        let size = 200.0 * 100f64.powf(((j * 389) % p) as f64 / p as f64);
        let s = 0.28 / size.sqrt();
        let a: f64 = StandardNormal.sample(&mut rng);
        let b: f64 = StandardNormal.sample(&mut rng);
        est.push(0.4 + 0.03 * a + s * b);
        se.push(s);
    }
    (est, se)
}

/// A full covariance: independent noise plus a common national-cut-off component.
fn full_cov(se: &[f64]) -> Array2<f64> {
    let p = se.len();
    Array2::from_shape_fn((p, p), |(i, j)| {
        let common = 0.3 * se[i] * se[j];
        if i == j { se[i] * se[i] } else { common }
    })
}

fn bench(c: &mut Criterion) {
    let (est, se) = places(741);
    let cov = full_cov(&se);
    let o = RankSetOptions::default();
    let mut g = c.benchmark_group("rank_sets_p741_R10000");
    g.sample_size(10);
    g.bench_function("diagonal_simultaneous", |b| {
        b.iter(|| {
            black_box(rank_confidence_sets(&est, &Uncertainty::StandardErrors(&se), &o).unwrap())
        })
    });
    g.bench_function("full_simultaneous", |b| {
        b.iter(|| {
            black_box(rank_confidence_sets(&est, &Uncertainty::Covariance(cov.view()), &o).unwrap())
        })
    });
    let m = RankSetOptions {
        simultaneous: false,
        ..o.clone()
    };
    g.bench_function("diagonal_marginal", |b| {
        b.iter(|| {
            black_box(rank_confidence_sets(&est, &Uncertainty::StandardErrors(&se), &m).unwrap())
        })
    });
    g.finish();

    let pairs = simulate(&Simulation::new(1_000_000, 0.4, 3)).unwrap();
    let groups: Vec<usize> = (0..1_000_000).map(|i| (i * 31) % 10).collect();
    let mut g = c.benchmark_group("rank_rank_se_n1e6");
    g.sample_size(10);
    for (name, groups) in [
        ("whole_sample", None),
        ("10_groups_with_covariance", Some(&groups[..])),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    rank_rank_regression(
                        &pairs.parent,
                        &pairs.child,
                        None,
                        groups,
                        &RankRankOptions::default(),
                    )
                    .unwrap(),
                )
            })
        });
    }
    g.finish();

    // The joint places bootstrap: 10^6 pairs in 741 places of unequal size, B = 1000.
    let place: Vec<u32> = (0..1_000_000u64)
        .map(|i| ((i.wrapping_mul(2654435761) % 1_000_003) as f64 / 1_000_003.0).powi(2))
        .map(|u| (u * 741.0) as u32)
        .collect();
    let mut g = c.benchmark_group("places_bootstrap_n1e6_p741_B1000");
    g.sample_size(10);
    for (name, measure) in [
        ("joint_levelling_up", PlaceMeasure::LevellingUp),
        (
            "joint_bottom_to_top",
            PlaceMeasure::Matrix(Measure::BottomToTop),
        ),
        ("joint_rank_rank_slope", PlaceMeasure::RankRankSlope),
    ] {
        let o = PlacesBootstrapOptions::new(5, measure, 1000);
        g.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    places_bootstrap(
                        &pairs.parent,
                        &pairs.child,
                        None,
                        &place,
                        None::<&[u32]>,
                        &o,
                    )
                    .unwrap(),
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
