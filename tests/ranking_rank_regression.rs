//! Rank-rank regression inference (Chetverikov & Wilhelm 2023, arXiv:2310.15512): the O(n)
//! passes against a brute-force O(n^2) evaluation of the influence function written from the
//! general design-matrix formulas (shared/reference/rank_inference_notes.md, sections 1.3-1.5),
//! against a leave-one-out jackknife that re-ranks every replicate, and against Monte Carlo
//! spread; coefficients against rankbased::rank_mobility(_national).

use mobility::rank::fractional_ranks;
use mobility::rankbased::{rank_mobility, rank_mobility_national};
use mobility::ranking::{RankRankOptions, WeightKind, rank_rank_regression};
use mobility::simulate::{Simulation, simulate};
use ndarray::{Array1, Array2};

fn inv2(m: &Array2<f64>) -> Array2<f64> {
    mobility::linalg::inverse(m.view()).unwrap()
}

/// Sigma-hat from the notes with weights omega = w / W: explicit Z (n x 2G: per group an
/// intercept column and a rank column), V = (Z' Omega Z)^-1, M_lk = V_lk / V_kk, nu = Z M,
/// h1, h2, h3 by double loops, psi = (h1 + h2 + h3) / s, Sigma = sum kappa psi psi'.
fn brute(parent: &[f64], child: &[f64], w: Option<&[f64]>, g: &[usize], freq: bool) -> Array2<f64> {
    let n = parent.len();
    let rx = fractional_ranks(parent, w).unwrap();
    let ry = fractional_ranks(child, w).unwrap();
    let wt: Vec<f64> = w.map_or(vec![1.0; n], |w| w.to_vec());
    let total: f64 = wt.iter().sum();
    let om: Vec<f64> = wt.iter().map(|v| v / total).collect();
    let ng = g.iter().max().unwrap() + 1;
    let k = 2 * ng;
    let mut z = Array2::<f64>::zeros((n, k));
    for i in 0..n {
        z[[i, 2 * g[i]]] = 1.0;
        z[[i, 2 * g[i] + 1]] = rx[i];
    }
    let mut zz = Array2::<f64>::zeros((k, k));
    let mut zy = Array1::<f64>::zeros(k);
    for i in 0..n {
        for a in 0..k {
            zy[a] += om[i] * z[[i, a]] * ry[i];
            for b in 0..k {
                zz[[a, b]] += om[i] * z[[i, a]] * z[[i, b]];
            }
        }
    }
    let v = inv2(&zz);
    let theta = v.dot(&zy);
    let eps: Vec<f64> = (0..n).map(|i| ry[i] - z.row(i).dot(&theta)).collect();
    let m = Array2::from_shape_fn((k, k), |(l, kk)| v[[l, kk]] / v[[kk, kk]]);
    let nu = z.dot(&m);
    let s: Vec<f64> = (0..k)
        .map(|kk| (0..n).map(|j| om[j] * nu[[j, kk]].powi(2)).sum())
        .collect();
    let mk: Vec<f64> = (0..k)
        .map(|kk| (0..n).map(|j| om[j] * nu[[j, kk]] * eps[j]).sum())
        .collect();
    let ind = |a: f64, b: f64| {
        if a < b {
            1.0
        } else if a == b {
            0.5
        } else {
            0.0
        }
    };
    let mut psi = Array2::<f64>::zeros((n, k));
    for i in 0..n {
        for kk in 0..k {
            let gk = kk / 2;
            let rho = theta[2 * gk + 1];
            let h1 = nu[[i, kk]] * eps[i];
            let mut h2 = mk[kk];
            let mut h3 = mk[kk];
            for j in 0..n {
                h2 += om[j]
                    * ((ind(ry[i], ry[j]) - ry[j]) - rho * (ind(rx[i], rx[j]) - rx[j]))
                    * nu[[j, kk]];
                let rg = 2 * g[j] + 1;
                h3 += om[j] * (ind(rx[i], rx[j]) - rx[j]) * eps[j] * m[[rg, kk]];
            }
            psi[[i, kk]] = (h1 + h2 + h3) / s[kk];
        }
    }
    let mut sig = Array2::<f64>::zeros((k, k));
    for i in 0..n {
        let kap = if freq { om[i] / total } else { om[i] * om[i] };
        for a in 0..k {
            for b in 0..k {
                sig[[a, b]] += kap * psi[[i, a]] * psi[[i, b]];
            }
        }
    }
    sig
}

fn data(n: usize, rho: f64, seed: u64, ties: bool) -> (Vec<f64>, Vec<f64>) {
    let s = simulate(&Simulation::new(n, rho, seed)).unwrap();
    if ties {
        // coarse status: many ties
        let r = |v: &Vec<f64>| v.iter().map(|x| (x / 8000.0).round()).collect::<Vec<_>>();
        (r(&s.parent), r(&s.child))
    } else {
        (s.parent, s.child)
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-12)
}

#[test]
fn variance_matches_brute_force_influence_function() {
    for (n, ties, weighted, groups) in [
        (120, false, false, 1),
        (150, true, false, 1),
        (140, true, true, 1),
        (160, false, false, 3),
        (180, true, true, 3),
    ] {
        let (p, c) = data(n, 0.5, n as u64, ties);
        let w: Vec<f64> = (0..n).map(|i| 0.5 + ((i * 37) % 11) as f64 / 5.0).collect();
        let w = weighted.then_some(&w[..]);
        let g: Vec<usize> = (0..n).map(|i| (i * 7 + i / 3) % groups).collect();
        for freq in [false, true] {
            let o = RankRankOptions {
                weight_kind: if freq {
                    WeightKind::Frequency
                } else {
                    WeightKind::Sampling
                },
                covariance: true,
            };
            let rr = rank_rank_regression(&p, &c, w, (groups > 1).then_some(&g[..]), &o).unwrap();
            let b = brute(&p, &c, w, &g, freq);
            let cov = rr.covariance.as_ref().unwrap();
            for a in 0..2 * groups {
                for bb in 0..2 * groups {
                    let scale = [a, bb]
                        .iter()
                        .map(|x| if x % 2 == 0 { 100.0 } else { 1.0 })
                        .product::<f64>();
                    assert!(
                        (cov[a][bb] - scale * b[[a, bb]]).abs()
                            <= 1e-9 * scale * b[[a, a]].max(b[[bb, bb]]),
                        "n={n} ties={ties} w={weighted} G={groups} ({a},{bb}): {} vs {}",
                        cov[a][bb],
                        scale * b[[a, bb]]
                    );
                }
            }
            for (gi, row) in rr.rows.iter().enumerate() {
                assert!(close(
                    row.slope_se,
                    b[[2 * gi + 1, 2 * gi + 1]].sqrt(),
                    1e-9
                ));
                assert!(close(
                    row.intercept_se,
                    100.0 * b[[2 * gi, 2 * gi]].sqrt(),
                    1e-9
                ));
            }
            // diagonal-only path agrees
            let d = rank_rank_regression(
                &p,
                &c,
                w,
                (groups > 1).then_some(&g[..]),
                &RankRankOptions {
                    covariance: false,
                    ..o
                },
            )
            .unwrap();
            assert!(d.covariance.is_none());
            for (x, y) in d.rows.iter().zip(&rr.rows) {
                assert!(
                    close(x.slope_se, y.slope_se, 1e-12)
                        && close(x.intercept_se, y.intercept_se, 1e-12)
                );
            }
        }
    }
}

#[test]
fn coefficients_match_rank_mobility() {
    let (p, c) = data(2000, 0.4, 1, true);
    let rr = rank_rank_regression(&p, &c, None, None, &RankRankOptions::default()).unwrap();
    let m = rank_mobility(&p, &c, None).unwrap();
    assert!(close(rr.rows[0].slope, m.rank_rank_slope, 1e-12));
    assert!(close(rr.rows[0].intercept, m.rank_rank_intercept, 1e-10));
    assert_eq!(rr.rows[0].n, 2000);
    // grouped: national ranks, as rank_mobility_national
    let g: Vec<usize> = (0..2000).map(|i| i % 4).collect();
    let rr = rank_rank_regression(&p, &c, None, Some(&g), &RankRankOptions::default()).unwrap();
    let rp = fractional_ranks(&p, None).unwrap();
    let rc = fractional_ranks(&c, None).unwrap();
    for row in &rr.rows {
        let idx: Vec<usize> = (0..2000).filter(|&i| g[i] == row.group).collect();
        let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let m = rank_mobility_national(&pick(&p), &pick(&c), None, &pick(&rp), &pick(&rc)).unwrap();
        assert!(close(row.slope, m.rank_rank_slope, 1e-10));
        assert!(close(row.intercept, m.rank_rank_intercept, 1e-10));
        assert_eq!(row.n, 500);
    }
}

#[test]
fn frequency_weights_equal_listing_units_twice() {
    let (p, c) = data(300, 0.3, 4, true);
    let w: Vec<f64> = (0..300).map(|i| (1 + i % 3) as f64).collect();
    let (mut pe, mut ce) = (Vec::new(), Vec::new());
    for i in 0..300 {
        for _ in 0..w[i] as usize {
            pe.push(p[i]);
            ce.push(c[i]);
        }
    }
    let o = RankRankOptions {
        weight_kind: WeightKind::Frequency,
        covariance: true,
    };
    let a = rank_rank_regression(&p, &c, Some(&w), None, &o).unwrap();
    let b = rank_rank_regression(&pe, &ce, None, None, &o).unwrap();
    assert!(close(a.rows[0].slope, b.rows[0].slope, 1e-12));
    assert!(close(a.rows[0].slope_se, b.rows[0].slope_se, 1e-10));
    assert!(close(a.rows[0].intercept_se, b.rows[0].intercept_se, 1e-10));
    // sampling weights are scale invariant
    let s = RankRankOptions::default();
    let x = rank_rank_regression(&p, &c, Some(&w), None, &s).unwrap();
    let w10: Vec<f64> = w.iter().map(|v| v * 10.0).collect();
    let y = rank_rank_regression(&p, &c, Some(&w10), None, &s).unwrap();
    assert!(close(x.rows[0].slope_se, y.rows[0].slope_se, 1e-12));
}

#[test]
fn variance_matches_jackknife_with_reranking() {
    // leave-one-out: re-rank the remaining n - 1 units each time (the estimated ranks move)
    let n = 300;
    let (p, c) = data(n, 0.5, 21, false);
    let rr = rank_rank_regression(&p, &c, None, None, &RankRankOptions::default()).unwrap();
    let mut loo = Vec::with_capacity(n);
    for i in 0..n {
        let pp: Vec<f64> = (0..n).filter(|&j| j != i).map(|j| p[j]).collect();
        let cc: Vec<f64> = (0..n).filter(|&j| j != i).map(|j| c[j]).collect();
        loo.push(rank_mobility(&pp, &cc, None).unwrap().rank_rank_slope);
    }
    let mean = loo.iter().sum::<f64>() / n as f64;
    let jk =
        ((n - 1) as f64 / n as f64 * loo.iter().map(|v| (v - mean).powi(2)).sum::<f64>()).sqrt();
    let ratio = rr.rows[0].slope_se / jk;
    eprintln!(
        "CW SE / jackknife {ratio:.4}, naive / jackknife {:.4}",
        rr.rows[0].slope_se_naive / jk
    );
    assert!(
        (0.85..1.15).contains(&ratio),
        "CW SE / jackknife SE = {ratio}"
    );
    // and the naive SE is visibly different (too large at rho = 0.5)
    assert!(
        rr.rows[0].slope_se_naive / jk > 1.1,
        "{}",
        rr.rows[0].slope_se_naive / jk
    );
}

#[test]
fn variance_matches_monte_carlo_spread() {
    // smaller version of the example: 400 samples of n = 500 from a Gaussian copula
    let (samples, n) = (400, 500);
    let mut slopes = Vec::new();
    let mut ints = Vec::new();
    let (mut se, mut se_int, mut naive) = (0.0, 0.0, 0.0);
    for s in 0..samples {
        let (p, c) = data(n, 0.5, 1000 + s, false);
        let rr = rank_rank_regression(&p, &c, None, None, &RankRankOptions::default()).unwrap();
        slopes.push(rr.rows[0].slope);
        ints.push(rr.rows[0].intercept);
        se += rr.rows[0].slope_se / samples as f64;
        se_int += rr.rows[0].intercept_se / samples as f64;
        naive += rr.rows[0].slope_se_naive / samples as f64;
    }
    let sd = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    };
    let r = se / sd(&slopes);
    let ri = se_int / sd(&ints);
    // Monte Carlo SD of an SD estimate from 400 samples: about 3.5%
    assert!((0.88..1.12).contains(&r), "slope: mean SE / MC SD = {r}");
    assert!(
        (0.88..1.12).contains(&ri),
        "intercept: mean SE / MC SD = {ri}"
    );
    let rn = naive / sd(&slopes);
    eprintln!("slope SE/MC {r:.4}, intercept SE/MC {ri:.4}, naive/MC {rn:.4}");
    // the naive SE overstates the spread at rho = 0.5 (about 1.14 here)
    assert!(rn > 1.07, "naive / MC = {rn}");
}

#[test]
fn errors_are_typed() {
    let o = RankRankOptions::default();
    assert!(rank_rank_regression(&[], &[], None, None, &o).is_err());
    assert!(rank_rank_regression(&[1.0, 2.0], &[1.0], None, None, &o).is_err());
    assert!(rank_rank_regression(&[1.0, f64::NAN], &[1.0, 2.0], None, None, &o).is_err());
    assert!(rank_rank_regression(&[1.0, 1.0], &[1.0, 2.0], None, None, &o).is_err());
    assert!(rank_rank_regression(&[1.0, 2.0], &[1.0, 2.0], Some(&[1.0, -1.0]), None, &o).is_err());
    // group 1 has no members
    let e = rank_rank_regression(
        &[1.0, 2.0, 3.0],
        &[1.0, 2.0, 3.0],
        None,
        Some(&[0, 0, 2]),
        &o,
    )
    .unwrap_err();
    assert!(e.to_string().contains("group 1"), "{e}");
    assert!(rank_rank_regression(&[1.0, 2.0], &[1.0, 2.0], None, Some(&[0]), &o).is_err());
}
