//! Confidence sets for ranks: exhaustive re-implementation of the definitions for small p (same
//! draws), fast paths against the dense path, thread independence, simulated coverage, errors.
//!
//! Definitions: Mogstad, Romano, Shaikh & Wilhelm (2024), Review of Economic Studies 91(1);
//! procedures (A)-(D) and tau-best/worst as written out in shared/reference/rank_inference_notes.md.

mod common;

use mobility::MobilityError;
use mobility::ranking::{
    RankConfidenceSets, RankSetOptions, SetKind, Uncertainty, parametric_draws,
    rank_confidence_sets, tau_best, tau_worst,
};
use ndarray::{Array2, array};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use common::pool::in_pool;

/// Type-7 quantile by full sort.
fn q7(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// The procedure straight from the definitions: ordered pair sets, max statistic over every
/// active pair for every draw, strict rejections, step-down. Returns (L, U, critical values).
fn brute(
    theta: &[f64],
    cov: &Array2<f64>,
    z: &Array2<f64>,
    kind: SetKind,
    j_set: &[usize],
    stepdown: bool,
    coverage: f64,
) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
    let p = theta.len();
    let sd = |a: usize, b: usize| {
        (cov[[a, a]] + cov[[b, b]] - 2.0 * cov[[a, b]])
            .max(0.0)
            .sqrt()
    };
    let in_j = |x: usize| j_set.contains(&x);
    let mut active: Vec<(usize, usize)> = Vec::new();
    for a in 0..p {
        for b in 0..p {
            if a != b {
                let on = match kind {
                    SetKind::TwoSided => in_j(a) || in_j(b),
                    SetKind::Upper => in_j(a),
                    SetKind::Lower => in_j(b),
                };
                if on {
                    active.push((a, b));
                }
            }
        }
    }
    let mut rejected = Vec::new();
    let mut crit = Vec::new();
    while !active.is_empty() {
        let t: Vec<f64> = (0..z.nrows())
            .map(|r| {
                active
                    .iter()
                    .filter(|&&(a, b)| sd(a, b) > 1e-12)
                    .map(|&(a, b)| (z[[r, a]] - z[[r, b]]) / sd(a, b))
                    .fold(0.0, f64::max)
            })
            .collect();
        let c = q7(t, coverage);
        crit.push(c);
        let stat = |a: usize, b: usize| {
            let d = theta[a] - theta[b];
            if sd(a, b) > 1e-12 {
                d / sd(a, b)
            } else if d > 0.0 {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            }
        };
        let new: Vec<(usize, usize)> = active
            .iter()
            .copied()
            .filter(|&(a, b)| stat(a, b) > c)
            .collect();
        if new.is_empty() {
            break;
        }
        active.retain(|x| !new.contains(x));
        rejected.extend(new);
        if !stepdown {
            break;
        }
    }
    let mut lower = vec![1; p];
    let mut upper = vec![p; p];
    for &(a, b) in &rejected {
        upper[a] -= 1;
        lower[b] += 1;
    }
    match kind {
        SetKind::Lower => upper = vec![p; p],
        SetKind::Upper => lower = vec![1; p],
        SetKind::TwoSided => {}
    }
    (lower, upper, crit)
}

fn random_cov(p: usize, seed: u64, singular: bool) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cols = if singular { p - 2 } else { p + 3 };
    let a = Array2::from_shape_fn((p, cols), |_| {
        let v: f64 = StandardNormal.sample(&mut rng);
        0.3 * v
    });
    a.dot(&a.t())
}

fn cases() -> Vec<(Vec<f64>, Array2<f64>, bool)> {
    let theta1 = vec![0.0, 0.3, 0.35, 1.2, 2.0, 2.1];
    let se = [0.1, 0.2, 0.05, 0.3, 0.1, 0.15];
    let diag = Array2::from_diag(&ndarray::arr1(&se.map(|s| s * s)));
    let theta2 = vec![1.0, 0.2, 0.9, -0.5, 0.4, 0.0, 0.6];
    vec![
        (theta1.clone(), diag, true),
        (theta2.clone(), random_cov(7, 3, false), false),
        (theta2, random_cov(7, 4, true), false),
    ]
}

#[test]
fn matches_exhaustive_definition_for_small_p() {
    for (case, (theta, cov, is_diag)) in cases().into_iter().enumerate() {
        let p = theta.len();
        let se: Vec<f64> = (0..p).map(|i| cov[[i, i]].sqrt()).collect();
        let unc = if is_diag {
            Uncertainty::StandardErrors(&se)
        } else {
            Uncertainty::Covariance(cov.view())
        };
        let draws = 3000;
        let z = parametric_draws(&unc, draws, 11).unwrap();
        for kind in [SetKind::TwoSided, SetKind::Lower, SetKind::Upper] {
            for stepdown in [true, false] {
                for largest_first in [true, false] {
                    let th: Vec<f64> = if largest_first {
                        theta.clone()
                    } else {
                        theta.iter().map(|x| -x).collect()
                    };
                    let o = RankSetOptions {
                        kind,
                        stepdown,
                        draws,
                        seed: 11,
                        largest_first,
                        coverage: 0.9,
                        ..Default::default()
                    };
                    // simultaneous over all, and over a subset
                    for j_set in [(0..p).collect::<Vec<_>>(), vec![1, 3]] {
                        let cs = rank_confidence_sets(
                            &theta,
                            &unc,
                            &RankSetOptions {
                                indices: Some(j_set.clone()),
                                ..o.clone()
                            },
                        )
                        .unwrap();
                        let (lo, up, crit) = brute(&th, &cov, &z, kind, &j_set, stepdown, 0.9);
                        assert_eq!(cs.critical_values.len(), crit.len(), "case {case} {kind:?}");
                        for (a, b) in cs.critical_values.iter().zip(&crit) {
                            assert!((a - b).abs() < 1e-12, "case {case}: {a} vs {b}");
                        }
                        for row in &cs.rows {
                            let j = row.index;
                            assert_eq!(
                                (row.lower, row.upper),
                                (lo[j], up[j]),
                                "case {case} {kind:?} sd={stepdown} lf={largest_first} j={j}"
                            );
                            assert!(row.lower <= row.rank && row.rank <= row.upper);
                        }
                    }
                    // marginal: one procedure per population
                    let cs = rank_confidence_sets(
                        &theta,
                        &unc,
                        &RankSetOptions {
                            simultaneous: false,
                            ..o.clone()
                        },
                    )
                    .unwrap();
                    for row in &cs.rows {
                        let (lo, up, _) = brute(&th, &cov, &z, kind, &[row.index], stepdown, 0.9);
                        assert_eq!((row.lower, row.upper), (lo[row.index], up[row.index]));
                    }
                }
            }
        }
    }
}

#[test]
fn estimated_ranks_and_reversal() {
    let est = [3.0, 1.0, 2.0, 2.0];
    let se = [0.1; 4];
    let o = RankSetOptions {
        draws: 500,
        ..Default::default()
    };
    let cs = rank_confidence_sets(&est, &Uncertainty::StandardErrors(&se), &o).unwrap();
    let ranks: Vec<usize> = cs.rows.iter().map(|r| r.rank).collect();
    assert_eq!(ranks, vec![1, 4, 2, 2]);
    let cs = rank_confidence_sets(
        &est,
        &Uncertainty::StandardErrors(&se),
        &RankSetOptions {
            largest_first: false,
            ..o
        },
    )
    .unwrap();
    let ranks: Vec<usize> = cs.rows.iter().map(|r| r.rank).collect();
    assert_eq!(ranks, vec![4, 1, 2, 2]);
    // tied estimates are never separated
    assert_eq!((cs.rows[2].lower, cs.rows[2].upper), (2, 3));
}

fn realistic(p: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut est = Vec::new();
    let mut se = Vec::new();
    for j in 0..p {
        let size = 200.0 * 100f64.powf(j as f64 / p as f64);
        let s = 1.0 / size.sqrt();
        let e: f64 = StandardNormal.sample(&mut rng);
        let t: f64 = StandardNormal.sample(&mut rng);
        est.push(0.03 * t + s * e);
        se.push(s);
    }
    (est, se)
}

/// The sets with options `o` (the bucketed maximum) and with `exhaustive_max` (the dense scan),
/// for checks that the two agree.
fn fast_and_dense(
    est: &[f64],
    uncertainty: &Uncertainty<'_>,
    o: &RankSetOptions,
) -> (RankConfidenceSets, RankConfidenceSets) {
    let fast = rank_confidence_sets(est, uncertainty, o).unwrap();
    let dense = rank_confidence_sets(
        est,
        uncertainty,
        &RankSetOptions {
            exhaustive_max: true,
            ..o.clone()
        },
    )
    .unwrap();
    (fast, dense)
}

#[test]
fn bucketed_maximum_equals_dense_and_full_path() {
    let (est, se) = realistic(150, 5);
    for kind in [SetKind::TwoSided, SetKind::Lower] {
        let o = RankSetOptions {
            draws: 1000,
            seed: 3,
            kind,
            ..Default::default()
        };
        let (fast, dense) = fast_and_dense(&est, &Uncertainty::StandardErrors(&se), &o);
        assert_eq!(fast.critical_values, dense.critical_values);
        assert_eq!(fast.rows, dense.rows);
        assert!(
            fast.critical_values.len() >= 2,
            "step-down should take steps"
        );
        let cov = Array2::from_diag(&ndarray::Array1::from_iter(se.iter().map(|s| s * s)));
        let full = rank_confidence_sets(&est, &Uncertainty::Covariance(cov.view()), &o).unwrap();
        assert_eq!(full.critical_values, dense.critical_values);
        assert_eq!(full.rows, dense.rows);
    }
    // a full (correlated) covariance: bucket bounds use max 1/sigma_ab over each bucket pair
    let cov = random_cov(90, 6, false);
    let est: Vec<f64> = (0..90).map(|j| ((j * 37) % 90) as f64 * 0.01).collect();
    for simultaneous in [true, false] {
        let o = RankSetOptions {
            draws: 800,
            seed: 5,
            simultaneous,
            ..Default::default()
        };
        let (fast, dense) = fast_and_dense(&est, &Uncertainty::Covariance(cov.view()), &o);
        assert_eq!(fast, dense);
    }
}

#[test]
fn same_result_on_one_and_two_threads() {
    let (est, se) = realistic(120, 8);
    let o = RankSetOptions {
        draws: 700,
        seed: 9,
        ..Default::default()
    };
    let cov = random_cov(40, 2, false);
    let run = |threads: usize| {
        in_pool(threads, || {
            let a = rank_confidence_sets(&est, &Uncertainty::StandardErrors(&se), &o).unwrap();
            let b = rank_confidence_sets(
                &est[..40],
                &Uncertainty::Covariance(cov.view()),
                &RankSetOptions {
                    simultaneous: false,
                    ..o.clone()
                },
            )
            .unwrap();
            (a, b)
        })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn tau_sets_read_the_simultaneous_bounds() {
    let (est, se) = realistic(60, 12);
    let unc = Uncertainty::StandardErrors(&se);
    let o = RankSetOptions {
        draws: 2000,
        seed: 1,
        ..Default::default()
    };
    let two = rank_confidence_sets(&est, &unc, &o).unwrap();
    let best = tau_best(&est, &unc, 5, &o).unwrap();
    let worst = tau_worst(&est, &unc, 5, &o).unwrap();
    // with J = all, procedures (A), (C), (D) reject the same pairs (notes, section 3)
    for ((t, b), w) in two
        .rows
        .iter()
        .zip(&best.bounds.rows)
        .zip(&worst.bounds.rows)
    {
        assert_eq!(t.lower, b.lower);
        assert_eq!(t.upper, w.upper);
    }
    let expect: Vec<usize> = two
        .rows
        .iter()
        .filter(|r| r.lower <= 5)
        .map(|r| r.index)
        .collect();
    assert_eq!(best.indices, expect);
    let expect: Vec<usize> = two
        .rows
        .iter()
        .filter(|r| r.upper >= 56)
        .map(|r| r.index)
        .collect();
    assert_eq!(worst.indices, expect);
    // the sets hold at least tau populations: the estimated top 5 are always in
    assert!(best.indices.len() >= 5);
    assert!(
        two.rows
            .iter()
            .filter(|r| r.rank <= 5)
            .all(|r| best.indices.contains(&r.index))
    );
}

#[test]
fn simultaneous_sets_cover_true_ranks() {
    // smaller version of examples/ranking_places.rs: 200 samples of 30 places
    let p = 30;
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let theta: Vec<f64> = (0..p).map(|j| j as f64 * 0.02).collect();
    let se: Vec<f64> = (0..p)
        .map(|j| 0.02 + 0.03 * ((j * 7) % 5) as f64 / 4.0)
        .collect();
    let true_rank = |j: usize| 1 + theta.iter().filter(|&&t| t > theta[j]).count();
    let samples = 200;
    let mut covered = 0;
    for s in 0..samples {
        let est: Vec<f64> = (0..p)
            .map(|j| {
                let e: f64 = StandardNormal.sample(&mut rng);
                theta[j] + se[j] * e
            })
            .collect();
        let cs = rank_confidence_sets(
            &est,
            &Uncertainty::StandardErrors(&se),
            &RankSetOptions {
                draws: 1000,
                seed: s,
                ..Default::default()
            },
        )
        .unwrap();
        if cs
            .rows
            .iter()
            .all(|r| r.lower <= true_rank(r.index) && true_rank(r.index) <= r.upper)
        {
            covered += 1;
        }
    }
    let rate = covered as f64 / samples as f64;
    // nominal 0.95; the procedure is conservative. 0.90 is 4 Monte Carlo SDs below 0.95.
    assert!(rate >= 0.90, "simultaneous coverage {rate}");
}

#[test]
fn degenerate_covariances_are_handled() {
    // two estimates perfectly correlated with equal variance: their difference is known
    let cov = array![[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    let est = [2.0, 1.0, 1.5];
    let o = RankSetOptions {
        draws: 500,
        ..Default::default()
    };
    let cs = rank_confidence_sets(&est, &Uncertainty::Covariance(cov.view()), &o).unwrap();
    // 0 is known to beat 1; 2 is uncertain against both
    assert_eq!((cs.rows[0].lower, cs.rows[0].upper), (1, 2));
    assert_eq!((cs.rows[1].lower, cs.rows[1].upper), (2, 3));
    // zero standard errors everywhere: ranks are known
    let cs = rank_confidence_sets(&est, &Uncertainty::StandardErrors(&[0.0; 3]), &o).unwrap();
    for r in &cs.rows {
        assert_eq!((r.lower, r.upper), (r.rank, r.rank));
    }
    // one population
    let cs = rank_confidence_sets(&[1.0], &Uncertainty::StandardErrors(&[1.0]), &o).unwrap();
    assert_eq!((cs.rows[0].lower, cs.rows[0].upper), (1, 1));
}

#[test]
fn errors_are_typed() {
    let est = [1.0, 2.0];
    let o = RankSetOptions::default();
    let se = Uncertainty::StandardErrors(&[1.0, 1.0]);
    let bad = |r: Result<_, MobilityError>| assert!(r.is_err());
    bad(rank_confidence_sets(&est, &Uncertainty::StandardErrors(&[1.0]), &o).map(|_| ()));
    bad(rank_confidence_sets(&est, &Uncertainty::StandardErrors(&[1.0, -1.0]), &o).map(|_| ()));
    bad(rank_confidence_sets(&[1.0, f64::NAN], &se, &o).map(|_| ()));
    bad(rank_confidence_sets(&[], &Uncertainty::StandardErrors(&[]), &o).map(|_| ()));
    // invalid options on otherwise valid input
    let bad_options =
        |options: RankSetOptions| bad(rank_confidence_sets(&est, &se, &options).map(|_| ()));
    for coverage in [0.3, 1.0, f64::NAN] {
        bad_options(RankSetOptions {
            coverage,
            ..o.clone()
        });
    }
    bad_options(RankSetOptions {
        draws: 0,
        ..o.clone()
    });
    bad_options(RankSetOptions {
        indices: Some(vec![2]),
        ..o.clone()
    });
    let not_psd = array![[1.0, 2.0], [2.0, 1.0]];
    let e = rank_confidence_sets(&est, &Uncertainty::Covariance(not_psd.view()), &o).unwrap_err();
    assert!(e.to_string().contains("positive semi-definite"), "{e}");
    let asym = array![[1.0, 0.5], [0.1, 1.0]];
    let e = rank_confidence_sets(&est, &Uncertainty::Covariance(asym.view()), &o).unwrap_err();
    assert!(e.to_string().contains("symmetric"), "{e}");
    let rect = Array2::<f64>::zeros((2, 3));
    bad(rank_confidence_sets(&est, &Uncertainty::Covariance(rect.view()), &o).map(|_| ()));
    bad(tau_best(&est, &se, 0, &o).map(|_| ()));
    bad(tau_worst(&est, &se, 3, &o).map(|_| ()));
    assert!(SetKind::parse("sideways").is_err());
    assert_eq!(SetKind::parse("Two_Sided").unwrap(), SetKind::TwoSided);
}

/// Marginal sets with bucket pruning equal the full scan exactly (every kind, SEs spanning two
/// orders of magnitude), with and without step-down.
#[test]
fn marginal_bucket_pruning_equals_full_scan() {
    let (est, se) = realistic(200, 9);
    for kind in [SetKind::TwoSided, SetKind::Lower, SetKind::Upper] {
        for stepdown in [true, false] {
            let o = RankSetOptions {
                draws: 700,
                seed: 4,
                kind,
                stepdown,
                simultaneous: false,
                ..Default::default()
            };
            let (fast, dense) = fast_and_dense(&est, &Uncertainty::StandardErrors(&se), &o);
            assert_eq!(fast, dense, "{kind:?} stepdown={stepdown}");
        }
    }
}
