//! The `split` tie rule (docs/FORMULAS.md#rule-split): every class holds exactly `W / k`, it reduces to
//! `midrank` when no tie group straddles a boundary, it matches a brute-force computation of the
//! interval overlaps, and it is invariant to row order, increasing transforms and duplication.

mod common;

use mobility::inference::{AnalyticOptions, Bootstrap, Selection, quantile_copula};
use mobility::{ClassSpec, Rule, TransitionCounts, TransitionMatrix, quantile::Cutoffs};
use proptest::prelude::*;

use common::samples::shuffled_order;

fn split(k: usize) -> ClassSpec {
    ClassSpec::Quantiles {
        k,
        rule: Rule::Split,
    }
}

fn counts(p: &[f64], c: &[f64], w: Option<&[f64]>, spec: &ClassSpec) -> ndarray::Array2<f64> {
    TransitionCounts::from_status(p, c, w, spec)
        .unwrap()
        .counts()
        .to_owned()
}

/// An independent implementation: each unit's membership is the overlap of its tie group's rank
/// interval with the class intervals, `n_ij = sum_u w_u f^P_u(i) f^C_u(j)`.
fn brute_force(p: &[f64], c: &[f64], w: &[f64], k: usize) -> Vec<Vec<f64>> {
    let memberships = |x: &[f64]| -> Vec<Vec<f64>> {
        let total: f64 = w.iter().sum();
        x.iter()
            .map(|&v| {
                let below: f64 = x
                    .iter()
                    .zip(w)
                    .filter(|(y, _)| **y < v)
                    .map(|(_, w)| w)
                    .sum();
                let tie: f64 = x
                    .iter()
                    .zip(w)
                    .filter(|(y, _)| **y == v)
                    .map(|(_, w)| w)
                    .sum();
                let (lo, hi) = (below / total, (below + tie) / total);
                (0..k)
                    .map(|j| {
                        let (a, b) = (j as f64 / k as f64, (j + 1) as f64 / k as f64);
                        if hi > lo {
                            (hi.min(b) - lo.max(a)).max(0.0) / (hi - lo)
                        } else {
                            // zero-weight group: the class of its rank point
                            f64::from(u8::from(
                                ((k as f64 * lo).ceil() as usize).clamp(1, k) == j + 1,
                            ))
                        }
                    })
                    .collect()
            })
            .collect()
    };
    let (fp, fc) = (memberships(p), memberships(c));
    let mut n = vec![vec![0.0; k]; k];
    for u in 0..p.len() {
        for i in 0..k {
            for j in 0..k {
                n[i][j] += w[u] * fp[u][i] * fc[u][j];
            }
        }
    }
    n
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-12 * scale.max(1.0)
}

#[test]
fn zero_inflated_example_of_the_specification() {
    // 488 zeros and 512 distinct positive values: the zero group's interval [0, 0.488] gives
    // memberships 0.2/0.488, 0.2/0.488, 0.088/0.488 in classes 1, 2, 3.
    let x: Vec<f64> = (0..1000)
        .map(|i| if i < 488 { 0.0 } else { i as f64 })
        .collect();
    let cuts = Cutoffs::quantiles(&x, None, 5, Rule::Split).unwrap();
    let m = cuts.memberships(0.0).unwrap();
    assert_eq!(m.iter().map(|c| c.0).collect::<Vec<_>>(), vec![1, 2, 3]);
    for (got, want) in m
        .iter()
        .map(|c| c.1)
        .zip([0.2 / 0.488, 0.2 / 0.488, 0.088 / 0.488])
    {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    // the two boundaries inside the zeros carry their fractions; the others fall between values
    let splits: Vec<Option<f64>> = cuts.cuts().iter().map(|c| c.split).collect();
    assert!((splits[0].unwrap() - 0.2 / 0.488).abs() < 1e-12);
    assert!((splits[1].unwrap() - 0.4 / 0.488).abs() < 1e-12);
    assert_eq!(&splits[2..], &[None, None]);
    let tm = TransitionMatrix::from_status(&x, &x, None, &split(5)).unwrap();
    assert!(tm.empty_rows().is_empty());
    for s in tm.parent_shares() {
        assert!((s - 0.2).abs() < 1e-15);
    }
    // midrank leaves class 1 empty
    let mid = TransitionMatrix::from_status(&x, &x, None, &ClassSpec::quantiles(5)).unwrap();
    assert_eq!(mid.empty_rows(), vec![0]);
}

#[test]
fn matches_the_brute_force_overlaps() {
    let mut s = 7u64;
    let mut next = |m: u64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) % m
    };
    for case in 0..40 {
        let n = 5 + (case * 7) % 60;
        let ties = 2 + (case as u64 % 9);
        let p: Vec<f64> = (0..n).map(|_| next(ties) as f64).collect();
        let c: Vec<f64> = (0..n).map(|_| next(ties + 3) as f64).collect();
        let w: Vec<f64> = (0..n).map(|_| next(4) as f64).collect();
        if w.iter().sum::<f64>() == 0.0 {
            continue;
        }
        for k in [2usize, 3, 4, 5, 7] {
            let got = counts(&p, &c, Some(&w), &split(k));
            let want = brute_force(&p, &c, &w, k);
            let total: f64 = w.iter().sum();
            for i in 0..k {
                for j in 0..k {
                    assert!(
                        close(got[[i, j]], want[i][j], total),
                        "case {case} k={k} ({i},{j}): {} vs {}",
                        got[[i, j]],
                        want[i][j]
                    );
                }
            }
        }
    }
}

#[test]
fn reduces_to_midrank_when_no_group_straddles() {
    // distinct values, k divides n: every unit interval lies inside one class
    let p: Vec<f64> = (0..60).map(|i| ((i * 37) % 60) as f64).collect();
    let c: Vec<f64> = (0..60).map(|i| ((i * 11) % 60) as f64 * 1.5).collect();
    for k in [2usize, 3, 4, 5, 6, 10, 12] {
        assert_eq!(
            counts(&p, &c, None, &split(k)),
            counts(&p, &c, None, &ClassSpec::quantiles(k))
        );
    }
    // ties aligned with the boundaries: four groups of 5 among 20 units, k = 4
    let p: Vec<f64> = (0..20).map(|i| (i / 5) as f64).collect();
    let c: Vec<f64> = (0..20).map(|i| ((i * 3) % 20 / 5) as f64).collect();
    assert_eq!(
        counts(&p, &c, None, &split(4)),
        counts(&p, &c, None, &ClassSpec::quantiles(4))
    );
    let cuts = Cutoffs::quantiles(&p, None, 4, Rule::Split).unwrap();
    assert!(!cuts.has_split());
}

#[test]
fn a_single_unit_on_a_boundary_is_shared() {
    // n = 48, k = 5: every class holds 9.6 units (docs/FORMULAS.md#rule-split, property 2)
    let x: Vec<f64> = (0..48).map(f64::from).collect();
    let tm = TransitionMatrix::from_status(&x, &x, None, &split(5)).unwrap();
    let counts = tm.counts().unwrap();
    for i in 0..5 {
        assert!((counts.row(i).sum() - 9.6).abs() < 1e-12);
        assert!((counts.column(i).sum() - 9.6).abs() < 1e-12);
    }
}

#[test]
fn bootstrap_and_analytic_standard_errors() {
    // a zero-inflated parent variable, child related to it
    let n = 800;
    let p: Vec<f64> = (0..n)
        .map(|i| {
            if i % 5 < 2 {
                0.0
            } else {
                ((i * 7919) % 1000) as f64
            }
        })
        .collect();
    let c: Vec<f64> = p
        .iter()
        .enumerate()
        .map(|(i, &x)| x + ((i * 104729) % 700) as f64)
        .collect();
    let spec = split(5);
    let b = Bootstrap::new(200)
        .seed(3)
        .statistics(Selection::Measures)
        .run(&p, &c, None, &spec)
        .unwrap();
    let floor = b.get("bottom_persistence").unwrap();
    let se = floor.se.unwrap();
    assert!(se > 0.005 && se < 0.2, "bootstrap se {se}");
    // the same seed gives the same result
    let again = Bootstrap::new(200)
        .seed(3)
        .statistics(Selection::Measures)
        .run(&p, &c, None, &spec)
        .unwrap();
    assert_eq!(again.get("bottom_persistence").unwrap().se, Some(se));
    let opts = AnalyticOptions {
        rule: Rule::Split,
        ..Default::default()
    };
    let a = quantile_copula(&p, &c, None, 5, &opts).unwrap();
    let ase = a.get("bottom_persistence").unwrap().se.unwrap();
    assert!(ase > 0.005 && ase < 0.2, "analytic se {ase}");
    // within a factor of two of the bootstrap
    assert!(ase / se > 0.5 && ase / se < 2.0, "{ase} vs {se}");
    // other rules are refused by the copula
    let giddy = AnalyticOptions {
        rule: Rule::Giddy,
        ..Default::default()
    };
    assert!(quantile_copula(&p, &c, None, 5, &giddy).is_err());
}

#[test]
fn cut_fractions_round_trip_through_json() {
    let x: Vec<f64> = (0..50).map(|i| (i / 20) as f64).collect();
    let cuts = Cutoffs::quantiles(&x, None, 4, Rule::Split).unwrap();
    assert!(cuts.has_split());
    let json = serde_json::to_string(&cuts).unwrap();
    assert!(json.contains("\"split\""));
    let back: Cutoffs = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cuts);
    // a fraction outside (0, 1) is refused
    let mut bad = cuts.cuts().to_vec();
    bad[0].split = Some(1.5);
    assert!(Cutoffs::from_cuts(bad, cuts.source()).is_err());
}

fn pairs() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>)> {
    (2usize..60).prop_flat_map(|n| {
        (
            prop::collection::vec(0u8..6, n),
            prop::collection::vec(0u8..9, n),
            prop::collection::vec(0u8..4, n),
        )
            .prop_map(|(p, c, w)| {
                let p: Vec<f64> = p.into_iter().map(f64::from).collect();
                let c: Vec<f64> = c.into_iter().map(f64::from).collect();
                let mut w: Vec<f64> = w.into_iter().map(f64::from).collect();
                w[0] = w[0].max(1.0);
                (p, c, w)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_class_holds_w_over_k((p, c, w) in pairs(), k in 2usize..9) {
        let n = counts(&p, &c, Some(&w), &split(k));
        let total: f64 = w.iter().sum();
        for i in 0..k {
            prop_assert!(close(n.row(i).sum(), total / k as f64, total));
            prop_assert!(close(n.column(i).sum(), total / k as f64, total));
        }
        prop_assert!(close(n.sum(), total, total));
    }

    #[test]
    fn row_order_never_matters((p, c, w) in pairs(), k in 2usize..8, seed in any::<u64>()) {
        let n = p.len();
        let order = shuffled_order(n, seed);
        let perm = |v: &[f64]| order.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        prop_assert_eq!(
            counts(&p, &c, Some(&w), &split(k)),
            counts(&perm(&p), &perm(&c), Some(&perm(&w)), &split(k))
        );
    }

    #[test]
    fn increasing_transforms_never_change_the_matrix((p, c, w) in pairs(), k in 2usize..8) {
        let f = |v: &[f64]| v.iter().map(|x| (x / 3.0).exp() * 1000.0 + 7.0).collect::<Vec<f64>>();
        let g = |v: &[f64]| v.iter().map(|x| x.powi(3) - 40.0).collect::<Vec<f64>>();
        prop_assert_eq!(
            counts(&p, &c, Some(&w), &split(k)),
            counts(&f(&p), &g(&c), Some(&w), &split(k))
        );
    }

    #[test]
    fn weight_two_equals_the_pair_twice((p, c, w) in pairs(), k in 2usize..8) {
        let (mut p2, mut c2) = (Vec::new(), Vec::new());
        for i in 0..p.len() {
            for _ in 0..(w[i] as usize) {
                p2.push(p[i]);
                c2.push(c[i]);
            }
        }
        prop_assert_eq!(
            counts(&p, &c, Some(&w), &split(k)),
            counts(&p2, &c2, None, &split(k))
        );
    }

    #[test]
    fn doubly_stochastic((p, c, w) in pairs(), k in 2usize..8) {
        let tm = TransitionMatrix::from_status(&p, &c, Some(&w), &split(k)).unwrap();
        prop_assert!(tm.empty_rows().is_empty() && tm.empty_columns().is_empty());
        for j in 0..k {
            prop_assert!((tm.probabilities().column(j).sum() - 1.0).abs() < 1e-12);
            prop_assert!((tm.parent_shares()[j] - 1.0 / k as f64).abs() < 1e-12);
        }
    }
}

#[test]
fn tie_spans_name_the_group_and_the_rule_to_consider() {
    use mobility::error::Side;
    use mobility::measures::Weighting;
    use mobility::quantile::tie_spans;
    use mobility::rankbased::rank_mobility;
    use mobility::report::AnalysisReport;
    let x: Vec<f64> = (0..1000)
        .map(|i| if i < 488 { 0.0 } else { i as f64 })
        .collect();
    let y: Vec<f64> = (0..1000).map(|i| ((i * 7) % 1000) as f64).collect();
    let cuts = Cutoffs::quantiles(&x, None, 5, Rule::Midrank).unwrap();
    let spans = tie_spans(&x, None, &cuts, Rule::Midrank, Side::Parent).unwrap();
    assert_eq!(spans.len(), 1);
    let s = &spans[0];
    assert_eq!(
        (s.value, s.records, s.spans.clone()),
        (0.0, 488, vec![1, 2, 3])
    );
    assert!((s.weight_share - 0.488).abs() < 1e-15);
    assert_eq!(s.assigned, vec![(2, 1.0)]);
    assert_eq!(s.suggestion, Some(Rule::Split));
    let labels = mobility::matrix::class_labels(5);
    let text = s.message(&labels);
    assert!(text.contains("488 rows (48.8% of the weight)"), "{text}");
    assert!(text.contains("spans classes Q1, Q2, Q3"), "{text}");
    assert!(text.contains("consider the split rule"), "{text}");
    // under split the group is still reported, with its shares and no suggestion
    let cuts = Cutoffs::quantiles(&x, None, 5, Rule::Split).unwrap();
    let spans = tie_spans(&x, None, &cuts, Rule::Split, Side::Parent).unwrap();
    assert_eq!(spans[0].suggestion, None);
    assert!(
        spans[0]
            .message(&labels)
            .contains("Q1 41.0%, Q2 41.0%, Q3 18.0%")
    );
    // no tie group: nothing; the report carries the spans in JSON
    let tm = TransitionMatrix::from_status(&x, &y, None, &ClassSpec::quantiles(5)).unwrap();
    let report = AnalysisReport::new(
        tm.report(&Weighting::ParentShares).unwrap(),
        rank_mobility(&x, &y, None),
        None,
    )
    .with_tie_spans(&tm, &x, &y, None, Rule::Midrank)
    .unwrap();
    assert_eq!(report.tie_spans.as_ref().map(Vec::len), Some(1));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["tie_spans"][0]["spans"], serde_json::json!([1, 2, 3]));
    assert_eq!(json["tie_spans"][0]["side"], "parent");
    let text = mobility::render::analysis::render_analysis(&report, &labels);
    assert!(text.contains("Ties across class boundaries"));
    // a single unit on a boundary is not a tie group
    let z: Vec<f64> = (0..48).map(f64::from).collect();
    let cuts = Cutoffs::quantiles(&z, None, 5, Rule::Midrank).unwrap();
    assert!(
        tie_spans(&z, None, &cuts, Rule::Midrank, Side::Child)
            .unwrap()
            .is_empty()
    );
}
