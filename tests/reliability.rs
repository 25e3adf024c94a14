//! Issue 9 (reliability): every size from input is bounded before allocation, valid input never
//! gives NaN / inf / null, and weights are relative (results do not depend on their scale).

mod common;

use mobility::inference::{Bootstrap, BootstrapResult, altham_bootstrap};
use mobility::io::place_matrices::read_place_matrices;
use mobility::places::groups::{GroupOptions, by_group};
use mobility::quantile::{Closed, Cutoffs};
use mobility::rankbased::{ige, kendall_tau_b, rank_mobility};
use mobility::simulate::{Simulation, gaussian_copula_matrix, simulate};
use mobility::{ClassSpec, MobilityError, TransitionMatrix, Weighting};
use ndarray::Array2;

use common::cli::{run, scratch};

fn message(e: MobilityError) -> String {
    e.to_string()
}

// ---------------------------------------------------------------------------------------------
// 1. Sizes from input are bounded
// ---------------------------------------------------------------------------------------------

#[test]
fn a_place_matrix_header_cannot_name_a_huge_class() {
    for big in ["4294967296", "100000", "18446744073709551615"] {
        let path = scratch(
            &format!("header-{big}.csv"),
            &format!(
                "cz,p_par1_kid1,p_par1_kid2,p_par2_kid1,p_par2_kid2,frac_par_q1,frac_par_q2,p_par{big}_kid1\n"
            ),
        );
        let m = message(read_place_matrices(&path).unwrap_err());
        assert!(m.contains("at most 1000 classes"), "{m}");
    }
}

/// A file of 2 x 2 place matrices (`cz` and the four cells) with data rows `rows`.
fn place_file(name: &str, rows: &str) -> std::path::PathBuf {
    scratch(
        name,
        &format!("cz,p_par1_kid1,p_par1_kid2,p_par2_kid1,p_par2_kid2\n{rows}"),
    )
}

#[test]
fn na_in_place_matrices_is_a_missing_value_and_inf_is_refused() {
    let path = place_file("na.csv", "1,NA,0.5,0.5,0.5\n2,0.5,0.5,0.5,0.5\n");
    let places = read_place_matrices(&path).unwrap();
    assert!(places[0].probabilities.is_none());
    assert!(places[1].probabilities.is_some());
    let path = place_file("inf.csv", "1,inf,0.5,0.5,0.5\n");
    let m = message(read_place_matrices(&path).unwrap_err());
    assert!(m.contains("'inf' is not a finite number"), "{m}");
}

#[test]
fn the_cli_refuses_a_huge_place_matrix_header() {
    let path = scratch(
        "cli-header.csv",
        "cz,p_par1_kid1,p_par1_kid2,p_par2_kid1,p_par2_kid2,frac_par_q1,frac_par_q2,p_par4294967296_kid1\n",
    );
    let out = run(&["places", "--matrices", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at most 1000 classes"), "{err}");
}

#[test]
fn bootstrap_replicates_are_bounded() {
    let parent: Vec<f64> = (0..40).map(f64::from).collect();
    let child: Vec<f64> = (0..40).map(|i| f64::from((i * 7) % 40)).collect();
    for b in [100_001usize, 1_000_000_000, usize::MAX] {
        let e = Bootstrap::new(b)
            .run(&parent, &child, None, &ClassSpec::quantiles(2))
            .unwrap_err();
        assert!(message(e).contains("more than the 100000 supported"));
    }
    let p = ndarray::array![[60.0, 40.0], [30.0, 70.0]];
    let e = altham_bootstrap(p.view(), p.view(), 10_000_000_000, 1, 0.95).unwrap_err();
    assert!(message(e).contains("more than the 100000 supported"));
}

#[test]
fn simulation_and_copula_sizes_are_bounded() {
    let e = simulate(&Simulation::new(1_000_000_000_000, 0.5, 1)).unwrap_err();
    assert!(message(e).contains("more than the 100000000"), "simulate");
    let e = gaussian_copula_matrix(0.5, 1_000_000).unwrap_err();
    assert!(message(e).contains("more than the 1000 supported"));
    assert!(mobility::error::check_k(10_000_000_000).is_err());
}

#[test]
fn tables_above_the_class_limit_are_refused() {
    let t = Array2::<f64>::ones((3000, 3000));
    let m = message(TransitionMatrix::from_counts(t.view()).unwrap_err());
    assert!(m.contains("3000 is more than the 1000 supported"), "{m}");
    let cuts: Vec<f64> = (0..100_000).map(f64::from).collect();
    assert!(Cutoffs::fixed(&cuts, Closed::Left).is_err());
}

#[test]
fn groups_times_classes_squared_is_bounded() {
    let parent: Vec<f64> = (0..500).map(f64::from).collect();
    let child = parent.clone();
    let groups: Vec<u32> = (0..500).collect();
    let m =
        message(by_group(&parent, &child, None, &groups, &GroupOptions::new(1000)).unwrap_err());
    assert!(m.contains("500 groups of 1000 x 1000"), "{m}");
    assert!(m.contains("use fewer classes"), "{m}");
}

#[test]
fn bootstrap_results_are_validated_when_read() {
    let parent: Vec<f64> = (0..60).map(f64::from).collect();
    let child: Vec<f64> = (0..60).map(|i| f64::from((i * 7) % 60)).collect();
    let r = Bootstrap::new(50)
        .seed(3)
        .run(&parent, &child, None, &ClassSpec::quantiles(2))
        .unwrap();
    let good = serde_json::to_value(&r).unwrap();
    let back: BootstrapResult = serde_json::from_value(good.clone()).unwrap();
    assert_eq!(back, r);
    let tamper = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        serde_json::from_value::<BootstrapResult>(v)
            .unwrap_err()
            .to_string()
    };
    assert!(tamper(&|v| v["replicate_count"] = 49.into()).contains("not 49"));
    assert!(tamper(&|v| v["replicate_count"] = 1_000_000_000u64.into()).contains("100000"));
    assert!(tamper(&|v| v["k"] = 100_000.into()).contains("1000 supported"));
    assert!(tamper(&|v| v["level"] = 1.5.into()).contains("level"));
    assert!(tamper(&|v| v["statistics"][0]["se"] = (-1.0).into()).contains(">= 0"));
    assert!(
        tamper(&|v| {
            v["statistics"][0]["ci_low"] = 2.0.into();
            v["statistics"][0]["ci_high"] = 1.0.into();
        })
        .contains("low bound")
    );
}

// ---------------------------------------------------------------------------------------------
// 2. No NaN, inf or null from valid input; weights are relative
// ---------------------------------------------------------------------------------------------

#[test]
fn weights_whose_sum_overflows_give_finite_results() {
    let parent = [1.0, 2.0, 3.0, 4.0];
    let child = [1.0, 2.0, 4.0, 3.0];
    let w = [1e308, 1e308, 1.0, 1.0];
    let tm =
        TransitionMatrix::from_status(&parent, &child, Some(&w), &ClassSpec::quantiles(2)).unwrap();
    assert!(tm.probabilities().iter().all(|p| p.is_finite()));
    assert!(tm.parent_shares().iter().all(|p| p.is_finite()));
    assert!(tm.n().unwrap().is_finite());
    let json = serde_json::to_string(&tm).unwrap();
    assert!(!json.contains("null"), "{json}");
    let back: TransitionMatrix = serde_json::from_str(&json).unwrap();
    assert_eq!(back, tm);
    let m = tm.measures(&Weighting::ParentShares).unwrap();
    assert!(m.shorrocks_trace.unwrap().is_finite());
    let r = rank_mobility(&parent, &child, Some(&w)).unwrap();
    assert!(r.rank_rank_slope.is_finite());
    assert!(r.spearman.unwrap().is_finite());
}

#[test]
fn huge_and_tiny_equal_weights_are_the_same_as_none() {
    let parent: Vec<f64> = (0..10).map(f64::from).collect();
    let child: Vec<f64> = (0..10).map(|i| f64::from(9 - i)).collect();
    for w in [1e200, 5e-324, 1.0, 1e-300, f64::MAX] {
        let ws = vec![w; 10];
        let r = rank_mobility(&parent, &child, Some(&ws)).unwrap();
        let near = |x: f64| (x + 1.0).abs() < 1e-12;
        assert!(r.spearman.is_some_and(near), "weight {w}: {:?}", r.spearman);
        assert!(r.kendall_tau_b.is_some_and(near), "weight {w}");
        assert!(
            kendall_tau_b(&parent, &child, Some(&ws))
                .unwrap()
                .is_some_and(near)
        );
        assert!(near(r.rank_rank_slope), "weight {w}");
    }
}

/// Weights with few mantissa bits, so `2^m w` is exact from the subnormal to the overflow end.
fn coarse_weights(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| f64::from(((i * 37) % 13 + 1) as u32))
        .collect()
}

#[test]
fn results_do_not_depend_on_the_scale_of_the_weights() {
    let n = 300;
    let parent: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1009) as f64 + 0.5).collect();
    let child: Vec<f64> = (0..n)
        .map(|i| ((i * 104_729) % 997) as f64 * 1.5 + 1.0)
        .collect();
    let w = coarse_weights(n);
    let fingerprint = |ws: &[f64]| {
        let tm = TransitionMatrix::from_status(&parent, &child, Some(ws), &ClassSpec::quantiles(5))
            .unwrap();
        let m = tm.measures(&Weighting::ParentShares).unwrap();
        let mut r = rank_mobility(&parent, &child, Some(ws)).unwrap();
        r.total_weight = 0.0; // in the weights' units: the one field that scales with them
        let i = ige(&parent, &child, Some(ws)).unwrap();
        let ranks = mobility::rank::fractional_ranks(&parent, Some(ws)).unwrap();
        serde_json::to_string(&(
            tm.probabilities(),
            tm.parent_shares(),
            tm.child_shares(),
            m,
            r,
            i,
            ranks,
        ))
        .unwrap()
    };
    let base = fingerprint(&w);
    assert!(!base.contains("null") || base.contains("\"note\""));
    // 2^-1070 puts the weights among the subnormals; 2^1019 next to f64::MAX
    for m in [-1070, -1000, -300, -1, 1, 7, 300, 1000, 1019] {
        let scaled: Vec<f64> = w.iter().map(|&x| libm::scalbn(x, m)).collect();
        assert!(scaled.iter().all(|&x| x > 0.0 && x.is_finite()));
        assert_eq!(
            scaled
                .iter()
                .map(|&x| libm::scalbn(x, -m))
                .collect::<Vec<_>>(),
            w,
            "2^{m} w is exact"
        );
        assert_eq!(fingerprint(&scaled), base, "weights x 2^{m}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Row order never matters, bit for bit (weights, clusters, bootstrap)
// ---------------------------------------------------------------------------------------------

mod row_order {
    use super::*;
    use proptest::prelude::*;

    /// Status with ties, arbitrary positive weights (full mantissas), cluster ids, a permutation.
    /// Parent, child, weights, cluster ids, permutation.
    type Case = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<u32>, Vec<usize>);

    fn case() -> impl Strategy<Value = Case> {
        (8usize..40).prop_flat_map(|n| {
            (
                prop::collection::vec((0u32..9).prop_map(|v| f64::from(v) * 1.25), n),
                prop::collection::vec((0u32..9).prop_map(|v| f64::from(v) * 0.5 - 1.0), n),
                prop::collection::vec(1e-3f64..1e3, n),
                prop::collection::vec(0u32..6, n),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            )
        })
    }

    fn permute<T: Copy>(v: &[T], order: &[usize]) -> Vec<T> {
        order.iter().map(|&i| v[i]).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn matrices_ranks_and_bootstraps_are_bit_identical_in_any_row_order(
            (p, c, w, g, order) in case()
        ) {
            let (p2, c2, w2, g2) =
                (permute(&p, &order), permute(&c, &order), permute(&w, &order), permute(&g, &order));
            let spec = ClassSpec::quantiles(3);
            let a = TransitionMatrix::from_status(&p, &c, Some(&w), &spec);
            let b = TransitionMatrix::from_status(&p2, &c2, Some(&w2), &spec);
            prop_assert_eq!(&a, &b);
            let ra = mobility::rank::fractional_ranks(&p, Some(&w)).unwrap();
            let rb = mobility::rank::fractional_ranks(&p2, Some(&w2)).unwrap();
            prop_assert_eq!(permute(&ra, &order), rb);
            let ma = rank_mobility(&p, &c, Some(&w)).map(|r| serde_json::to_string(&r).unwrap());
            let mb = rank_mobility(&p2, &c2, Some(&w2)).map(|r| serde_json::to_string(&r).unwrap());
            prop_assert_eq!(ma, mb);
            if a.is_ok() {
                for clustered in [false, true] {
                    let run = |p: &[f64], c: &[f64], w: &[f64], g: &[u32]| {
                        let mut boot = Bootstrap::new(20).seed(7).jackknife_groups(4);
                        if clustered {
                            boot = boot.clusters(g);
                        }
                        boot.run(p, c, Some(w), &spec)
                    };
                    let x = run(&p, &c, &w, &g);
                    let y = run(&p2, &c2, &w2, &g2);
                    match (x, y) {
                        (Ok(x), Ok(y)) => prop_assert_eq!(
                            serde_json::to_string(&x).unwrap(),
                            serde_json::to_string(&y).unwrap(),
                            "clustered: {}", clustered
                        ),
                        (x, y) => prop_assert_eq!(x.is_err(), y.is_err()),
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Clear messages
// ---------------------------------------------------------------------------------------------

#[test]
fn a_row_tolerance_above_one_half_is_refused() {
    let t = ndarray::array![[2.5, 2.5], [2.5, 2.5]]; // rows sum to 5
    let options = mobility::matrix::ProbabilityOptions {
        tolerance: 10.0,
        renormalise: true,
        ..Default::default()
    };
    let m = message(TransitionMatrix::from_probabilities(t.view(), &options).unwrap_err());
    assert!(m.contains("must lie in [0, 0.5], got 10"), "{m}");
}

#[test]
fn no_rankable_place_says_which_were_excluded_and_why() {
    let path = place_file("unrankable.csv", "7,NA,0.5,0.5,0.5\n8,0.9,0.9,0.9,0.9\n");
    let places = read_place_matrices(&path).unwrap();
    let options = mobility::places::report::PlacesOptions::default();
    let m = message(mobility::places::report::places_report(&places, &options).unwrap_err());
    assert!(m.contains("all 2 were excluded: 7: "), "{m}");
    assert!(m.contains("; 8: "), "{m}");
}

/// `mobility ARGS`: its exit status and stderr.
fn cli(args: &[&str]) -> (Option<i32>, String) {
    let out = run(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_bounds_bootstrap_and_quantiles() {
    let data: String = (0..50).map(|i| format!("{i},{}\n", (i * 7) % 50)).collect();
    let path = scratch("pairs.csv", &format!("p,c\n{data}"));
    let file = path.to_str().unwrap();
    let base = ["analyze", file, "--parent", "p", "--child", "c"];
    for (extra, expect) in [
        (
            ["--bootstrap", "9223372036854775807"],
            "more than the 100000 supported",
        ),
        (
            ["--bootstrap", "1000000000"],
            "more than the 100000 supported",
        ),
        (["--bootstrap", "99999999999999999999"], "is too large"),
        (["--quantiles", "99999999999999999999"], "is too large"),
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra).collect();
        let (code, err) = cli(&args);
        assert!(matches!(code, Some(1 | 2)), "{args:?}: {code:?} {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}
