//! Ranking places honestly (issue 11), on simulated places with known true mobility.
//!
//! 533 places of 200 to 20,000 people (sizes log-uniform). Each place has its own true
//! rank-rank slope (higher = less mobile); its microdata are simulated from a Gaussian copula
//! with that rank correlation, and the place's slope and its standard error (Chetverikov &
//! Wilhelm 2023, local ranks within the place) are estimated from them. The story:
//! 1. which ranks are distinguishable (simultaneous 95% rank sets: the extremes) and which are not
//!    (most of the middle);
//! 2. the places that are among the 10 least mobile with 95% confidence (tau-best);
//! 3. how empirical-Bayes shrinkage (Chetty & Hendren 2018) re-orders the top of the table;
//! 4. Monte Carlo coverage of the simultaneous rank sets over 500 samples (estimates redrawn
//!    from N(true slope, SE^2) with the SEs of step 1, so each sample takes milliseconds);
//! 5. the rank-rank regression SEs against Monte Carlo spread (2,000 samples of n = 500), whole
//!    sample and two groups on national ranks.
//!
//! Run: `cargo run --release --example ranking_places`

use std::time::Instant;

use mobility::ranking::{
    RankRankOptions, RankSetOptions, ShrinkageOptions, Uncertainty, rank_confidence_sets,
    rank_rank_regression, shrink, tau_best,
};
use mobility::simulate::{Correlation, Simulation, simulate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

const PLACES: usize = 533;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    // sizes 200..20,000, log-uniform; true slopes around 0.30 with SD 0.08 (Chetty et al. 2014
    // report commuting-zone slopes from about 0.1 to 0.5)
    let sizes: Vec<usize> = (0..PLACES)
        .map(|_| {
            let u: f64 = rand::RngExt::random(&mut rng);
            (200.0 * 100f64.powf(u)).round() as usize
        })
        .collect();
    let truth: Vec<f64> = (0..PLACES)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            (0.30 + 0.08 * z).clamp(0.02, 0.7)
        })
        .collect();
    let t0 = Instant::now();
    let fits: Vec<(f64, f64)> = (0..PLACES)
        .into_par_iter()
        .map(|j| {
            let spec = Simulation::new(sizes[j], 0.0, 10_000 + j as u64)
                .with_correlation(Correlation::Spearman(truth[j]));
            let d = simulate(&spec).unwrap();
            let rr =
                rank_rank_regression(&d.parent, &d.child, None, None, &RankRankOptions::default())
                    .unwrap();
            (rr.rows[0].slope, rr.rows[0].slope_se)
        })
        .collect();
    let est: Vec<f64> = fits.iter().map(|f| f.0).collect();
    let se: Vec<f64> = fits.iter().map(|f| f.1).collect();
    println!(
        "{PLACES} places, {} people in all; estimates and SEs from microdata in {:.2} s",
        sizes.iter().sum::<usize>(),
        t0.elapsed().as_secs_f64()
    );
    let true_rank = |j: usize| 1 + truth.iter().filter(|&&t| t > truth[j]).count();

    // 1. simultaneous rank sets (rank 1 = largest slope = least mobile)
    let unc = Uncertainty::StandardErrors(&se);
    let t0 = Instant::now();
    let cs = rank_confidence_sets(&est, &unc, &RankSetOptions::default())?;
    println!(
        "\n1. Simultaneous 95% rank sets (two-sided, step-down, 10^4 draws) in {:.3} s; critical values {:?}",
        t0.elapsed().as_secs_f64(),
        cs.critical_values
            .iter()
            .map(|c| (c * 1000.0).round() / 1000.0)
            .collect::<Vec<_>>()
    );
    let mut by_rank: Vec<usize> = (0..PLACES).collect();
    by_rank.sort_by_key(|&j| cs.rows[j].rank);
    println!("   rank  size    slope    se     95% set     true rank");
    let show = |j: usize| {
        let r = &cs.rows[j];
        println!(
            "   {:>4} {:>6}  {:.3}  {:.3}   [{:>3}, {:>3}]   {:>4}",
            r.rank,
            sizes[j],
            r.estimate,
            r.se,
            r.lower,
            r.upper,
            true_rank(j)
        );
    };
    for &j in by_rank.iter().take(8) {
        show(j);
    }
    println!("   ...");
    for &j in &by_rank[PLACES / 2 - 2..PLACES / 2 + 2] {
        show(j);
    }
    println!("   ...");
    for &j in by_rank.iter().skip(PLACES - 5) {
        show(j);
    }
    let width: Vec<usize> = cs.rows.iter().map(|r| r.upper - r.lower + 1).collect();
    let narrow = width.iter().filter(|&&w| w <= PLACES / 10).count();
    let mid: Vec<usize> = by_rank[PLACES / 4..3 * PLACES / 4].to_vec();
    let mid_wide = mid.iter().filter(|&&j| width[j] > PLACES / 4).count();
    let top_bottom_20: Vec<usize> = by_rank[..20]
        .iter()
        .chain(&by_rank[PLACES - 20..])
        .copied()
        .collect();
    let ext_width = top_bottom_20.iter().map(|&j| width[j]).sum::<usize>() as f64 / 40.0;
    let mid_width = mid.iter().map(|&j| width[j]).sum::<usize>() as f64 / mid.len() as f64;
    let top_half = cs.rows.iter().filter(|r| r.upper <= PLACES / 2).count();
    let bottom_half = cs.rows.iter().filter(|r| r.lower > PLACES / 2).count();
    let anything = cs
        .rows
        .iter()
        .filter(|r| r.lower > 1 || r.upper < PLACES)
        .count();
    println!(
        "   sets of at most {} ranks (a tenth of the table): {narrow} of {PLACES} places; known to be in the least mobile half: {top_half}, in the most mobile half: {bottom_half}; sets narrower than the whole table: {anything}",
        PLACES / 10
    );
    println!(
        "   mean set width: the 20 top and 20 bottom places {ext_width:.0} ranks; the middle half {mid_width:.0} ranks ({mid_wide} of {} wider than a quarter of the table)",
        mid.len()
    );

    // 2. tau-best: the 10 least mobile
    let best = tau_best(&est, &unc, 10, &RankSetOptions::default())?;
    let true_top: Vec<usize> = (0..PLACES).filter(|&j| true_rank(j) <= 10).collect();
    println!(
        "\n2. Places among the 10 least mobile with 95% confidence: {} places; it holds {} of the 10 truly least mobile",
        best.indices.len(),
        true_top.iter().filter(|j| best.indices.contains(j)).count()
    );

    // 3. shrinkage
    let sh = shrink(&est, &se, &ShrinkageOptions::default())?;
    println!(
        "\n3. Empirical-Bayes shrinkage: target {:.4}, signal SD {:.4} (true SD of slopes {:.4}), mean noise SD {:.4}",
        sh.target,
        sh.signal_variance.sqrt(),
        sd(&truth),
        sh.noise_variance.sqrt()
    );
    let mut by_shrunk: Vec<usize> = (0..PLACES).collect();
    by_shrunk.sort_by(|&a, &b| sh.rows[b].shrunk.total_cmp(&sh.rows[a].shrunk));
    println!("   raw top 10 (size, true rank)       shrunk top 10 (size, true rank)");
    for i in 0..10 {
        let (a, b) = (by_rank[i], by_shrunk[i]);
        println!(
            "   {:>2}. {:.3} ({:>5}, {:>3})            {:.3} -> {:.3} ({:>5}, {:>3})",
            i + 1,
            est[a],
            sizes[a],
            true_rank(a),
            est[b],
            sh.rows[b].shrunk,
            sizes[b],
            true_rank(b)
        );
    }
    let mean_size = |v: &[usize]| v.iter().map(|&j| sizes[j] as f64).sum::<f64>() / v.len() as f64;
    let mean_true =
        |v: &[usize]| v.iter().map(|&j| true_rank(j) as f64).sum::<f64>() / v.len() as f64;
    println!(
        "   raw top 10: mean size {:.0}, mean true rank {:.1}; shrunk top 10: mean size {:.0}, mean true rank {:.1}",
        mean_size(&by_rank[..10]),
        mean_true(&by_rank[..10]),
        mean_size(&by_shrunk[..10]),
        mean_true(&by_shrunk[..10])
    );
    let mse = |v: &dyn Fn(usize) -> f64| {
        (0..PLACES).map(|j| (v(j) - truth[j]).powi(2)).sum::<f64>() / PLACES as f64
    };
    println!(
        "   root mean squared error against the truth: raw {:.4}, shrunk {:.4}",
        mse(&|j| est[j]).sqrt(),
        mse(&|j| sh.rows[j].shrunk).sqrt()
    );

    // 4. Monte Carlo coverage of the simultaneous sets
    let samples = 500u64;
    let t0 = Instant::now();
    let mut covered = 0;
    let mut tau_cov = 0;
    for s in 0..samples {
        let mut r = ChaCha8Rng::seed_from_u64(90_000 + s);
        let e: Vec<f64> = (0..PLACES)
            .map(|j| {
                let z: f64 = StandardNormal.sample(&mut r);
                truth[j] + se[j] * z
            })
            .collect();
        let o = RankSetOptions {
            seed: s,
            ..Default::default()
        };
        let c = rank_confidence_sets(&e, &unc, &o)?;
        if c.rows
            .iter()
            .all(|r| r.lower <= true_rank(r.index) && true_rank(r.index) <= r.upper)
        {
            covered += 1;
        }
        // tau-best reads the same lower bounds
        let set: Vec<usize> = c
            .rows
            .iter()
            .filter(|r| r.lower <= 10)
            .map(|r| r.index)
            .collect();
        if true_top.iter().all(|j| set.contains(j)) {
            tau_cov += 1;
        }
    }
    let rate = covered as f64 / samples as f64;
    println!(
        "\n4. Monte Carlo over {samples} samples (10^4 draws each, {:.1} s): simultaneous sets cover all {PLACES} true ranks in {:.1}% (MC SE {:.1} points); the 10-best set holds all 10 truly least mobile in {:.1}%",
        t0.elapsed().as_secs_f64(),
        100.0 * rate,
        100.0 * (rate * (1.0 - rate) / samples as f64).sqrt(),
        100.0 * tau_cov as f64 / samples as f64
    );

    // 5. rank-rank regression SEs against Monte Carlo spread
    let reps = 2000u64;
    let n = 500;
    let res: Vec<[f64; 9]> = (0..reps)
        .into_par_iter()
        .map(|s| {
            let d = simulate(&Simulation::new(n, 0.5, 500_000 + s)).unwrap();
            let a =
                rank_rank_regression(&d.parent, &d.child, None, None, &RankRankOptions::default())
                    .unwrap();
            let g: Vec<usize> = (0..n).map(|i| i % 2).collect();
            let b = rank_rank_regression(
                &d.parent,
                &d.child,
                None,
                Some(&g),
                &RankRankOptions::default(),
            )
            .unwrap();
            let cov = b.covariance.as_ref().unwrap();
            [
                a.rows[0].slope,
                a.rows[0].slope_se,
                a.rows[0].slope_se_naive,
                b.rows[0].slope,
                b.rows[1].slope,
                b.rows[0].slope_se,
                b.rows[0].slope_se_naive,
                cov[1][3],
                b.rows[0].intercept,
            ]
        })
        .collect();
    let col = |k: usize| res.iter().map(|r| r[k]).collect::<Vec<f64>>();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let mc = sd(&col(0));
    println!(
        "\n5. Rank-rank slope, {reps} samples of n = {n} (Gaussian copula, rho = 0.5): MC SD {:.4}; mean CW SE / MC SD = {:.3}, mean naive OLS SE / MC SD = {:.3}",
        mc,
        mean(&col(1)) / mc,
        mean(&col(2)) / mc
    );
    let (g0, g1) = (col(3), col(4));
    let mcg = sd(&g0);
    let mg0 = mean(&g0);
    let mg1 = mean(&g1);
    let mc_cov = g0
        .iter()
        .zip(&g1)
        .map(|(a, b)| (a - mg0) * (b - mg1))
        .sum::<f64>()
        / (reps - 1) as f64;
    println!(
        "   two groups on national ranks: group-0 slope MC SD {:.4}; CW SE / MC SD = {:.3}, naive / MC SD = {:.3}; cross-group covariance CW {:.2e} vs MC {:.2e}",
        mcg,
        mean(&col(5)) / mcg,
        mean(&col(6)) / mcg,
        mean(&col(7)),
        mc_cov
    );
    Ok(())
}

fn sd(v: &[f64]) -> f64 {
    let m = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}
