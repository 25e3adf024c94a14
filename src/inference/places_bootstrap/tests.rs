//! Tests of the places bootstrap against `by_group` on the same (multiplied) weights.
#![allow(clippy::needless_range_loop)]

use super::layout::tie_starts;
use super::*;
use crate::inference::bootstrap::Draw;
use crate::places::groups::{GroupOptions, by_group};
use crate::rank::{sort_key, sorted_keys};
use crate::registry::Measure;

fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<u32>) {
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(7);
    let mut next = || rand::RngExt::random::<f64>(&mut rng);
    let mut parent = Vec::new();
    let mut child = Vec::new();
    let mut w = Vec::new();
    let mut place = Vec::new();
    for i in 0..n {
        let g = (i % 7) as u32;
        let p = (next() * 50.0).floor() + g as f64 * 3.0; // ties, places differ
        parent.push(p);
        child.push(p * 0.5 + (next() * 40.0).floor() + (g % 3) as f64 * 4.0);
        w.push(((i * 13) % 4) as f64 + 0.5);
        place.push(g);
    }
    (parent, child, w, place)
}

fn by_group_value(
    parent: &[f64],
    child: &[f64],
    w: Option<&[f64]>,
    place: &[u32],
    k: usize,
    m: PlaceMeasure,
) -> Vec<Option<f64>> {
    let t = by_group(parent, child, w, place, &GroupOptions::new(k)).unwrap();
    t.rows
        .iter()
        .map(|r| match m {
            PlaceMeasure::Matrix(x) => r.measures.value(x),
            PlaceMeasure::LevellingUp => Some(r.levelling.levelling_up),
            PlaceMeasure::Structural => Some(r.levelling.decomposition.structural),
            PlaceMeasure::Exchange => Some(r.levelling.decomposition.exchange),
            PlaceMeasure::RankRankSlope => r.rank.as_ref().map(|x| x.rank_rank_slope),
            PlaceMeasure::RankRankIntercept => r.rank.as_ref().map(|x| x.rank_rank_intercept),
            PlaceMeasure::AbsoluteUpwardMobility => {
                r.rank.as_ref().map(|x| x.absolute_upward_mobility)
            }
            PlaceMeasure::NationalRankCorrelation => {
                unreachable!("checked against national_rank_correlations")
            }
        })
        .collect()
}

/// The weighted Pearson correlation of the national mid-ranks within each place, directly.
fn national_rank_correlations(
    parent: &[f64],
    child: &[f64],
    w: Option<&[f64]>,
    place: &[u32],
) -> Vec<f64> {
    let rp = crate::rank::fractional_ranks(parent, w).unwrap();
    let rc = crate::rank::fractional_ranks(child, w).unwrap();
    let places = *place.iter().max().unwrap() as usize + 1;
    (0..places as u32)
        .map(|g| {
            let units: Vec<usize> = (0..parent.len()).filter(|&u| place[u] == g).collect();
            let wt = |u: usize| w.map_or(1.0, |w| w[u]);
            let sw: f64 = units.iter().map(|&u| wt(u)).sum();
            let mean = |r: &[f64]| units.iter().map(|&u| wt(u) * r[u]).sum::<f64>() / sw;
            let (mp, mc) = (mean(&rp), mean(&rc));
            let m2 = |a: &[f64], ma: f64, b: &[f64], mb: f64| {
                units
                    .iter()
                    .map(|&u| wt(u) * (a[u] - ma) * (b[u] - mb))
                    .sum::<f64>()
                    / sw
            };
            m2(&rp, mp, &rc, mc) / (m2(&rp, mp, &rp, mp) * m2(&rc, mc, &rc, mc)).sqrt()
        })
        .collect()
}

#[test]
fn national_rank_correlation_is_pearson_on_national_ranks() {
    let (p, c, w, g) = data(3000);
    for weights in [None, Some(&w[..])] {
        let opts = PlacesBootstrapOptions::new(4, PlaceMeasure::NationalRankCorrelation, 50);
        let r = places_bootstrap(&p, &c, weights, &g, None::<&[u32]>, &opts).unwrap();
        let want = national_rank_correlations(&p, &c, weights, &g);
        for (e, want) in r.places.iter().zip(want) {
            let got = e.estimate.unwrap();
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
            assert!(e.se.unwrap() > 0.0 && e.se.unwrap() < 0.2);
        }
    }
    assert_eq!(
        "national-rank-correlation".parse::<PlaceMeasure>().unwrap(),
        PlaceMeasure::NationalRankCorrelation
    );
}

const MEASURES: [PlaceMeasure; 6] = [
    PlaceMeasure::Matrix(Measure::BottomToTop),
    PlaceMeasure::Matrix(Measure::ShorrocksTrace),
    PlaceMeasure::LevellingUp,
    PlaceMeasure::Exchange,
    PlaceMeasure::RankRankSlope,
    PlaceMeasure::AbsoluteUpwardMobility,
];

fn close(a: &[Option<f64>], b: &[Option<f64>]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        match (x, y) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{x} vs {y}"),
            _ => assert_eq!(x.is_some(), y.is_some()),
        }
    }
}

#[test]
fn full_sample_equals_by_group() {
    let (p, c, w, g) = data(3000);
    for m in MEASURES {
        for weights in [None, Some(&w[..])] {
            let opts = PlacesBootstrapOptions::new(4, m, 2);
            let r = places_bootstrap(&p, &c, weights, &g, None::<&[u32]>, &opts).unwrap();
            let got: Vec<Option<f64>> = r.places.iter().map(|x| x.estimate).collect();
            close(&got, &by_group_value(&p, &c, weights, &g, 4, m));
        }
    }
}

/// A joint replicate equals `by_group` on the weights `w m` (re-estimated national cut-offs
/// and ranks), for multiplicities drawn by the engine.
#[test]
fn joint_replicate_equals_by_group_on_multiplied_weights() {
    for n in [500usize, 60_000] {
        let (p, c, _, g) = data(n);
        for m in MEASURES {
            let spec = ClassSpec::quantiles(5);
            let tm = TransitionMatrix::from_status(&p, &c, None, &spec).unwrap();
            let design =
                Design::new(&p, &c, None, None, &spec, &tm, CutoffMode::Reestimate).unwrap();
            let mut s = design.scratch();
            design.draw(Draw::Resample { seed: 9, stream: 1 }, &mut s);
            let original = design.original_rows();
            let mut mult = vec![0.0; n];
            for (u, &i) in original.iter().enumerate() {
                mult[i as usize] = f64::from(design.multiplicity(&s, u));
            }
            let want = by_group_value(&p, &c, Some(&mult), &g, 5, m);
            close(&replicate_values(&p, &c, &g, m, 9, 1), &want);
        }
    }
}

/// Replicate `stream` of seed `seed` through the places bootstrap's own code path.
fn replicate_values(
    p: &[f64],
    c: &[f64],
    g: &[u32],
    m: PlaceMeasure,
    seed: u64,
    stream: u64,
) -> Vec<Option<f64>> {
    let spec = ClassSpec::quantiles(5);
    let tm = TransitionMatrix::from_status(p, c, None, &spec).unwrap();
    let design = Design::new(p, c, None, None, &spec, &tm, CutoffMode::Reestimate).unwrap();
    let n = p.len();
    let original = design.original_rows();
    let pu: Vec<f64> = original.iter().map(|&i| p[i as usize]).collect();
    let cu: Vec<f64> = original.iter().map(|&i| c[i as usize]).collect();
    let place: Vec<u32> = original.iter().map(|&i| g[i as usize]).collect();
    let csorted = sorted_keys(&cu);
    let mut cpos = vec![0u32; n];
    for (pos, &(_, u)) in csorted.iter().enumerate() {
        cpos[u as usize] = pos as u32;
    }
    let corder: Vec<u32> = csorted.iter().map(|&(_, u)| u).collect();
    let layout = Layout {
        n,
        k: 5,
        place,
        w: vec![1.0; n],
        cell: vec![0; n],
        cpos,
        corder,
        ptie: tie_starts(n, |u| sort_key(pu[u])),
        ctie: tie_starts(n, |q| csorted[q].0),
        rp: vec![0.0; n],
        rc: vec![0.0; n],
        members: Vec::new(),
        start: vec![0; 8],
    };
    let ev = match m {
        PlaceMeasure::Matrix(x) => Some(Evaluator::new(
            5,
            Weighting::ParentShares,
            vec![Statistic::Measure { name: x }],
        )),
        _ => None,
    };
    let mut s = design.scratch();
    let mut acc = Acc::new(7, 5, n, m.needs_ranks());
    assert!(joint_replicate(
        &layout,
        &design,
        &mut s,
        &mut acc,
        seed,
        stream,
        CutoffMode::Reestimate
    ));
    layout.values(m, ev.as_ref(), &acc, 7)
}

#[test]
fn covariance_diagonal_is_se_squared_and_symmetric() {
    let (p, c, _, g) = data(4000);
    let opts = PlacesBootstrapOptions::new(4, PlaceMeasure::LevellingUp, 60);
    let r = places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &opts).unwrap();
    let cov = r.covariance.as_ref().unwrap();
    for (a, row) in cov.iter().enumerate() {
        let se = r.places[a].se.unwrap();
        assert!((row[a] - se * se).abs() < 1e-12 * (1.0 + se * se));
        for (b, &x) in row.iter().enumerate() {
            assert!((x - cov[b][a]).abs() < 1e-12);
        }
    }
    // the independent bootstrap: diagonal, SEs of the same order
    let ind = PlacesBootstrapOptions {
        resampling: PlaceResampling::Independent,
        ..opts.clone()
    };
    let q = places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &ind).unwrap();
    let qc = q.covariance.as_ref().unwrap();
    for a in 0..7 {
        for b in 0..7 {
            if a != b {
                assert_eq!(qc[a][b], 0.0);
            }
        }
        let (x, y) = (r.places[a].se.unwrap(), q.places[a].se.unwrap());
        assert!(x / y > 0.5 && x / y < 2.0, "{x} {y}");
    }
    // bit-identical reruns
    let again = places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &opts).unwrap();
    assert_eq!(again, r);
}

#[test]
fn measure_names_parse() {
    assert_eq!(
        "levelling-up".parse::<PlaceMeasure>().unwrap(),
        PlaceMeasure::LevellingUp
    );
    assert_eq!(
        "bottom_to_top".parse::<PlaceMeasure>().unwrap(),
        PlaceMeasure::Matrix(Measure::BottomToTop)
    );
    assert!("nope".parse::<PlaceMeasure>().is_err());
    let (p, c, _, g) = data(100);
    let mut opts = PlacesBootstrapOptions::new(4, PlaceMeasure::LevellingUp, 10);
    opts.rule = Rule::Giddy;
    assert!(places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &opts).is_err());
    opts.cutoffs = CutoffMode::Fixed;
    assert!(places_bootstrap(&p, &c, None, &g, None::<&[u32]>, &opts).is_ok());
}

#[test]
fn every_place_measure_name_parses_back() {
    let all = PlaceMeasure::OTHERS
        .iter()
        .copied()
        .chain(Measure::ALL.iter().map(|&m| PlaceMeasure::Matrix(m)));
    let mut names = std::collections::HashSet::new();
    for m in all {
        assert_eq!(m.name().parse::<PlaceMeasure>().unwrap(), m, "{m}");
        assert!(names.insert(m.name()), "{m} named twice");
    }
    assert!(
        PlaceMeasure::OTHERS
            .iter()
            .all(|m| !matches!(m, PlaceMeasure::Matrix(_)))
    );
}
