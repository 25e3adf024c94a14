//! The places report on Chetty et al.'s 741 commuting-zone matrices (issue 5: milliseconds), and
//! `by_group` on simulated microdata with 741 places.

use criterion::{Criterion, criterion_group, criterion_main};
use mobility::io::place_matrices::read_place_matrices;
use mobility::places::groups::{GroupOptions, by_group};
use mobility::places::report::{PlaceTable, PlacesOptions, places_report};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;

/// The real table when ../shared/data is present, else 741 synthetic places of the same shape.
fn places() -> Vec<PlaceTable> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv"
    );
    if let Ok(p) = read_place_matrices(path) {
        return p;
    }
    eprintln!("{path} not found: benchmarking 741 synthetic places");
    (0..741)
        .map(|c| {
            let a = 0.3 + 0.2 * (c as f64 / 741.0);
            let p =
                ndarray::Array2::from_shape_fn(
                    (5, 5),
                    |(i, j)| {
                        if i == j { a } else { (1.0 - a) / 4.0 }
                    },
                );
            PlaceTable {
                id: c.to_string(),
                name: format!("place {c}"),
                region: String::new(),
                size: Some(1000.0),
                probabilities: Some(p),
                parent_shares: Some(vec![0.2; 5]),
                child_shares: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let table = places();
    let opts = PlacesOptions::default();
    c.bench_function("places_report/741_commuting_zones", |b| {
        b.iter(|| black_box(places_report(&table, &opts).unwrap()))
    });

    let n = 1_000_000;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut parent, mut child, mut place) = (vec![], vec![], vec![]);
    for u in 0..n {
        let g = (u % 741) as u32;
        let shift = (g as f64 / 741.0 - 0.5) * 0.6;
        let a: f64 = StandardNormal.sample(&mut rng);
        let e: f64 = StandardNormal.sample(&mut rng);
        parent.push((10.0 + shift + 0.7 * a).exp());
        child.push((10.0 + shift + 0.7 * (0.4 * a + 0.9 * e)).exp());
        place.push(g);
    }
    let mut group = c.benchmark_group("by_group");
    group.sample_size(10);
    group.bench_function("1e6_pairs_741_places_quintiles", |b| {
        b.iter(|| {
            black_box(by_group(&parent, &child, None, &place, &GroupOptions::new(5)).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
