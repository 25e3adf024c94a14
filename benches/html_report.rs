//! The HTML report (issue 12: under a second for 10^6 pairs without a bootstrap): everything the
//! page shows computed from microdata (`ReportPage::from_data`: matrix, measures, rank measures,
//! the rank-rank picture, long run) and the page rendered; and rendering 741 places.

use criterion::{Criterion, criterion_group, criterion_main};
use mobility::io::place_matrices::read_place_matrices;
use mobility::places::report::{PlacesOptions, places_report};
use mobility::render::html::{ReportOptions, ReportPage, ReportResults, render};
use mobility::simulate::{Simulation, simulate};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let pairs = simulate(&Simulation::new(1_000_000, 0.45, 1)).expect("simulated pairs");
    let options = ReportOptions::default();
    let mut g = c.benchmark_group("html_report");
    g.sample_size(10);
    g.bench_function(
        "from_data + render, 10^6 pairs, quintiles, no bootstrap",
        |b| {
            b.iter(|| {
                let page = ReportPage::from_data(
                    black_box(&pairs.parent),
                    black_box(&pairs.child),
                    None,
                    None,
                    &options,
                )
                .expect("page");
                render(&page).expect("html").len()
            })
        },
    );
    let page = ReportPage::from_data(&pairs.parent, &pairs.child, None, None, &options).unwrap();
    g.bench_function("render only, 10^6 pairs' page", |b| {
        b.iter(|| render(black_box(&page)).expect("html").len())
    });
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv"
    );
    if let Ok(places) = read_place_matrices(path) {
        let report = places_report(&places, &PlacesOptions::default()).unwrap();
        let us = mobility::published::us_chetty_2014_quintiles();
        g.bench_function("from_results + render, 741 commuting zones", |b| {
            b.iter(|| {
                let mut r = ReportResults::new(&us);
                r.places = Some(black_box(&report));
                render(&ReportPage::from_results(&r).expect("page"))
                    .expect("html")
                    .len()
            })
        });
    } else {
        eprintln!("{path} not found: the 741-place bench is skipped");
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
