//! Times the joint places bootstrap at 10^6 pairs, 741 places of unequal size, B = 1000, and the
//! rank confidence sets of the 741 places from its covariance (issue 11's speed target).
//!
//! `cargo run --release --example places_bootstrap_speed [n] [B]`

use std::time::Instant;

use mobility::inference::places_bootstrap::{
    PlaceMeasure, PlacesBootstrapOptions, places_bootstrap,
};
use mobility::ranking::{PlaceRankingOptions, rank_places};
use mobility::registry::Measure;
use mobility::simulate::{Simulation, simulate};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(1_000_000);
    let b = args.get(1).copied().unwrap_or(1000);
    let pairs = simulate(&Simulation::new(n, 0.4, 3)).unwrap();
    // place sizes from about 200 to 20,000 people at n = 10^6 (squared uniform)
    let place: Vec<u32> = (0..n as u64)
        .map(|i| ((i.wrapping_mul(2654435761) % 1_000_003) as f64 / 1_000_003.0).powi(2))
        .map(|u| ((u * 741.0) as u32).min(740))
        .collect();
    for measure in [
        PlaceMeasure::LevellingUp,
        PlaceMeasure::Matrix(Measure::BottomToTop),
        PlaceMeasure::RankRankSlope,
    ] {
        let o = PlacesBootstrapOptions::new(5, measure, b);
        let t = Instant::now();
        let r = places_bootstrap(
            &pairs.parent,
            &pairs.child,
            None,
            &place,
            None::<&[u32]>,
            &o,
        )
        .unwrap();
        let boot = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let ranked = rank_places(&r, &PlaceRankingOptions::default()).unwrap();
        let sets = t.elapsed().as_secs_f64();
        let sizes: Vec<usize> = r.places.iter().map(|p| p.units).collect();
        println!(
            "{measure}: n = {n}, {} places ({}..{} units), B = {b}: bootstrap {boot:.2} s, \
             rank sets + shrinkage (full covariance, 10^4 draws) {sets:.2} s; {} places in \
             [1, 10] rank sets",
            r.places.len(),
            sizes.iter().min().unwrap(),
            sizes.iter().max().unwrap(),
            ranked.rows.iter().filter(|x| x.upper <= 10).count()
        );
    }
}
