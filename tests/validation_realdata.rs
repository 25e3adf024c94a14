//! Issue 13 on the real data in ../shared/data (run with `--features validation`): the `split`
//! rule on mobilityIndexR's zero-inflated panel.
#![cfg(feature = "validation")]

use mobility::inference::{Bootstrap, Selection};
use mobility::io::csv::{CsvOptions, read_columns};
use mobility::measures::Weighting;
use mobility::{ClassSpec, Rule, TransitionMatrix};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

fn columns(file: &str, names: &[&str]) -> Vec<Vec<f64>> {
    let c = read_columns(format!("{SHARED}/{file}"), names, &CsvOptions::default()).unwrap();
    names.iter().map(|n| c.get(n).unwrap().to_vec()).collect()
}

/// mobilityIndexR `incomeZeroInfMobility`, t0 -> t9, quintiles: 61 of 125 parents (48.8%) have
/// zero income. Under `midrank` they all sit in Q2 and Q1 is empty; under `split` the zero group's
/// interval [0, 0.488] is shared 0.2 / 0.2 / 0.088 among Q1, Q2, Q3 and every class holds 1/5.
#[test]
fn split_rule_on_the_zero_inflated_panel() {
    let v = columns("mobilityindexr/incomeZeroInfMobility.csv", &["t0", "t9"]);
    let (p, c) = (&v[0], &v[1]);
    assert_eq!(p.len(), 125);
    assert_eq!(p.iter().filter(|&&x| x == 0.0).count(), 61);

    let mid = TransitionMatrix::from_status(p, c, None, &ClassSpec::quantiles(5)).unwrap();
    assert_eq!(mid.empty_rows(), vec![0]);
    assert_eq!(
        mid.measures(&Weighting::ParentShares)
            .unwrap()
            .bottom_persistence,
        None
    );

    let spec = ClassSpec::Quantiles {
        k: 5,
        rule: Rule::Split,
    };
    let tm = TransitionMatrix::from_status(p, c, None, &spec).unwrap();
    assert!(tm.empty_rows().is_empty() && tm.empty_columns().is_empty());
    for (a, b) in tm.parent_shares().iter().zip(tm.child_shares()) {
        assert!(
            (a - 0.2).abs() < 1e-14 && (b - 0.2).abs() < 1e-14,
            "{a} {b}"
        );
    }
    let cuts = tm.parent_cutoffs().unwrap();
    let m = cuts.memberships(0.0).unwrap();
    let fractions: Vec<f64> = m.iter().map(|x| x.1).collect();
    assert_eq!(m.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 2, 3]);
    for (got, want) in fractions
        .iter()
        .zip([0.2 / 0.488, 0.2 / 0.488, 0.088 / 0.488])
    {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }

    let measures = tm.measures(&Weighting::ParentShares).unwrap();
    let floor = measures.bottom_persistence.unwrap();
    // Hand check: the Q1 row holds 25 units' weight, all from the zero group (each with
    // membership 0.2/0.488 = 0.4098); the floor is the share of that weight whose child is in Q1.
    let zero_q1 = 0.2 / 0.488;
    let ccuts = tm.child_cutoffs().unwrap();
    let in_q1: f64 = p
        .iter()
        .zip(c)
        .filter(|(x, _)| **x == 0.0)
        .map(|(_, y)| {
            ccuts
                .memberships(*y)
                .unwrap()
                .iter()
                .filter(|m| m.0 == 1)
                .map(|m| m.1)
                .sum::<f64>()
        })
        .sum();
    assert!((floor - in_q1 * zero_q1 / 25.0).abs() < 1e-12);

    let b = Bootstrap::new(1000)
        .seed(1)
        .statistics(Selection::Measures)
        .run(p, c, None, &spec)
        .unwrap();
    let s = b.get("bottom_persistence").unwrap();
    let (lo, hi) = (s.ci_low.unwrap(), s.ci_high.unwrap());
    println!(
        "split, zero-inflated t0 -> t9: parent shares {:?}, child shares {:?}, zero group \
         memberships {fractions:?}; sticky floor {floor:.4}, bootstrap se {:.4}, 95% BCa \
         [{lo:.4}, {hi:.4}]; trace {:.4}",
        tm.parent_shares().to_vec(),
        tm.child_shares().to_vec(),
        s.se.unwrap(),
        measures.shorrocks_trace.unwrap(),
    );
    assert!(lo < floor && floor < hi, "{lo} {floor} {hi}");
    assert!(s.se.unwrap() > 0.01 && s.se.unwrap() < 0.2);
}
