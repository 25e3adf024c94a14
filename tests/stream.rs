//! Streamed (partitioned, multi-pass) results equal the in-memory path bit for bit.

mod common;

use mobility::quantile::Cutoffs;
use mobility::stream::source::Partition;
use mobility::stream::{
    ExactSum, Pass, Pipeline, RunOptions, SliceSource, StreamSpec, Summary, run,
};
use mobility::{ClassSpec, Rule, TransitionCounts, TransitionMatrix, Weighting};

use common::samples::{SplitMix, shuffled_order};

struct Data {
    parent: Vec<f64>,
    child: Vec<f64>,
    weight: Option<Vec<f64>>,
    group: Vec<String>,
}

/// `ties`: values drawn from few distinct levels (heavy ties), else continuous with a spike.
fn data(n: usize, seed: u64, ties: bool, weights: Option<&str>) -> Data {
    let mut rng = SplitMix(seed);
    let mut parent = Vec::with_capacity(n);
    let mut child = Vec::with_capacity(n);
    for _ in 0..n {
        let p: f64 = if ties {
            rng.below(7) as f64 * 1000.0
        } else if rng.unit() < 0.2 {
            0.0
        } else {
            (rng.unit() * 12.0).exp()
        };
        let c: f64 = if ties {
            rng.below(5) as f64 - 2.0
        } else {
            p * 0.4 + (rng.unit() * 11.0).exp()
        };
        parent.push(p);
        child.push(c);
    }
    let weight = weights.map(|kind| {
        (0..n)
            .map(|_| match kind {
                "int" => rng.below(9) as f64,
                "dyadic" => (1 + rng.below(399)) as f64 / 16.0,
                _ => rng.unit() * 3.0 + 0.01,
            })
            .collect()
    });
    let group = (0..n)
        .map(|i| format!("g{}", (i * 7 + i / 3) % 5))
        .collect();
    Data {
        parent,
        child,
        weight,
        group,
    }
}

/// Splits into partitions of the given relative sizes (zeros make empty partitions); rows are
/// dealt in a scrambled order so partitions are not contiguous ranges.
fn partition(d: &Data, sizes: &[usize], by: bool) -> SliceSource {
    let n = d.parent.len();
    let total: usize = sizes.iter().sum();
    let order = shuffled_order(n, 99);
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, &s) in sizes.iter().enumerate() {
        let end = if i + 1 == sizes.len() {
            n
        } else {
            start + n * s / total
        };
        let rows = &order[start..end];
        let labels: Vec<String> = vec!["g4", "g0", "g3", "g1", "g2"]
            .into_iter()
            .map(String::from)
            .collect();
        parts.push(Partition {
            parent: rows.iter().map(|&u| d.parent[u]).collect(),
            child: rows.iter().map(|&u| d.child[u]).collect(),
            weight: d
                .weight
                .as_ref()
                .map(|w| rows.iter().map(|&u| w[u]).collect()),
            group: by.then(|| {
                (
                    rows.iter()
                        .map(|&u| labels.iter().position(|l| *l == d.group[u]).unwrap() as u32)
                        .collect(),
                    labels.clone(),
                )
            }),
        });
        start = end;
    }
    SliceSource { parts }
}

const SPLITS: [&[usize]; 6] = [
    &[1],
    &[1, 1, 1],
    &[1, 1, 1, 1, 1, 1, 1, 1],
    &[50, 1, 3, 0, 7, 0, 2, 20],
    &[0, 0, 1],
    &[1, 0],
];

fn streamed(
    source: &SliceSource,
    k: usize,
    rule: Rule,
    weighted: bool,
    by: bool,
) -> mobility::stream::StreamResult {
    streamed_limit(source, k, rule, weighted, by, None)
}

fn streamed_limit(
    source: &SliceSource,
    k: usize,
    rule: Rule,
    weighted: bool,
    by: bool,
    gather_limit: Option<u64>,
) -> mobility::stream::StreamResult {
    let spec = StreamSpec {
        classes: ClassSpec::Quantiles { k, rule },
        weighted,
        by,
    };
    let options = RunOptions {
        gather_limit,
        ..RunOptions::default()
    };
    run(source, spec, &options).unwrap()
}

fn check_equal(d: &Data, k: usize, rule: Rule) {
    check_equal_limit(d, k, rule, None);
    // a tiny gather budget forces histogram refinement passes (deeper levels)
    if k == 5 || k == 100 {
        check_equal_limit(d, k, rule, Some(64));
    }
}

fn check_equal_limit(d: &Data, k: usize, rule: Rule, limit: Option<u64>) {
    let w = d.weight.as_deref();
    let direct =
        TransitionCounts::from_status(&d.parent, &d.child, w, &ClassSpec::Quantiles { k, rule })
            .unwrap();
    for sizes in SPLITS {
        let s = partition(d, sizes, false);
        let r = streamed_limit(&s, k, rule, w.is_some(), false, limit);
        assert_eq!(
            r.counts, direct,
            "k={k} {rule} split {sizes:?} limit {limit:?}"
        );
        // bit for bit: cut-offs (values, inclusive flags), counts, and every measure
        let (a, b) = (r.matrix().unwrap(), direct.to_matrix());
        assert_eq!(a, b);
        let ma = a.measures(&Weighting::ParentShares).unwrap();
        let mb = b.measures(&Weighting::ParentShares).unwrap();
        assert_eq!(
            serde_json::to_string(&ma).unwrap(),
            serde_json::to_string(&mb).unwrap()
        );
        // the tie spans and the weights summary from the counting pass, as in memory
        let spans = |v: &[f64], side, t: usize, cuts| {
            let tally = &r.ties.as_ref().expect("tallied")[t];
            let streamed = tally
                .spans(cuts, rule, side)
                .unwrap()
                .expect("every boundary held");
            assert_eq!(
                streamed,
                mobility::quantile::tie_spans(v, w, cuts, rule, side).unwrap(),
                "tie spans k={k} {rule} split {sizes:?}"
            );
        };
        spans(
            &d.parent,
            mobility::error::Side::Parent,
            0,
            a.parent_cutoffs().unwrap(),
        );
        spans(
            &d.child,
            mobility::error::Side::Child,
            1,
            a.child_cutoffs().unwrap(),
        );
        if let Some(w) = w {
            let kind = mobility::WeightKind::Sampling;
            let info = r.weights.as_ref().expect("weighted").info(kind);
            assert_eq!(info, mobility::weights::WeightInfo::new(w, kind));
        }
        assert!(r.passes >= 2 && r.passes <= 8, "{} passes", r.passes);
        if limit.is_some() && d.parent.len() > 10_000 {
            assert!(
                r.passes >= 4,
                "refinement passes expected, got {}",
                r.passes
            );
        }
    }
}

#[test]
fn every_rule_unweighted_equals_in_memory() {
    for (n, seed, ties) in [
        (1usize, 1u64, false),
        (2, 2, true),
        (9, 3, false),
        (1000, 4, true),
        (30_000, 5, false),
        (30_000, 6, true),
    ] {
        let d = data(n, seed, ties, None);
        for rule in Rule::ALL.into_iter().filter(|r| *r != Rule::Split) {
            for k in [2usize, 5, 10] {
                check_equal(&d, k, rule);
            }
        }
    }
}

#[test]
fn weighted_midrank_equals_in_memory() {
    for kind in ["int", "dyadic"] {
        for (n, seed, ties) in [
            (7usize, 11u64, false),
            (5000, 12, true),
            (40_000, 13, false),
        ] {
            let mut d = data(n, seed, ties, Some(kind));
            if let Some(w) = d.weight.as_mut() {
                w[0] = 1.0; // a positive total even for n tiny with zero weights
            }
            for k in [2usize, 4, 10, 100] {
                check_equal(&d, k, Rule::Midrank);
            }
        }
    }
}

#[test]
fn fractional_weights_are_partition_independent_and_correctly_rounded() {
    let d = data(20_000, 21, false, Some("real"));
    let w = d.weight.as_deref().unwrap();
    let direct =
        TransitionCounts::from_status(&d.parent, &d.child, Some(w), &ClassSpec::quantiles(10))
            .unwrap();
    let first = streamed(
        &partition(&d, SPLITS[0], false),
        10,
        Rule::Midrank,
        true,
        false,
    );
    for sizes in SPLITS {
        let r = streamed(&partition(&d, sizes, false), 10, Rule::Midrank, true, false);
        assert_eq!(r, first, "split {sizes:?}"); // bit-identical for any partitioning
    }
    // same cut-offs as in memory here (no knife-edge ties), counts the exactly rounded sums
    assert_eq!(first.counts.parent_cutoffs(), direct.parent_cutoffs());
    assert_eq!(first.counts.child_cutoffs(), direct.child_cutoffs());
    let pc = direct.parent_cutoffs().unwrap();
    let cc = direct.child_cutoffs().unwrap();
    let mut exact = vec![ExactSum::zero(); 100];
    for ((&p, &c), &wu) in d.parent.iter().zip(&d.child).zip(w) {
        let i = pc.class_of(p).unwrap() - 1;
        let j = cc.class_of(c).unwrap() - 1;
        exact[i * 10 + j].add(wu);
    }
    for (cell, e) in first.counts.counts().iter().zip(&exact) {
        assert_eq!(*cell, e.to_f64());
    }
    for (a, b) in first.counts.counts().iter().zip(direct.counts().iter()) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0));
    }
}

#[test]
fn groups_use_national_cutoffs() {
    let d = data(12_000, 31, false, Some("int"));
    let w = d.weight.as_deref().unwrap();
    let national = ClassSpec::reference(&d.parent, &d.child, Some(w), 5, Rule::Midrank).unwrap();
    for sizes in SPLITS {
        let r = streamed(&partition(&d, sizes, true), 5, Rule::Midrank, true, true);
        assert_eq!(r.groups.len(), 5);
        for (label, counts) in &r.groups {
            let rows: Vec<usize> = (0..d.parent.len())
                .filter(|&u| d.group[u] == *label)
                .collect();
            let p: Vec<f64> = rows.iter().map(|&u| d.parent[u]).collect();
            let c: Vec<f64> = rows.iter().map(|&u| d.child[u]).collect();
            let gw: Vec<f64> = rows.iter().map(|&u| w[u]).collect();
            let mut direct = TransitionCounts::from_status(&p, &c, Some(&gw), &national).unwrap();
            assert_eq!(counts.counts(), direct.counts(), "{label} {sizes:?}");
            assert_eq!(counts.units(), direct.units());
            direct.merge(counts).unwrap(); // same cut-offs: mergeable
        }
    }
}

#[test]
fn given_cutoffs_need_one_pass_and_summaries_travel_as_bytes() {
    let d = data(5000, 41, true, None);
    let spec = ClassSpec::Cutoffs {
        parent: Cutoffs::fixed(&[1000.0, 3000.0], mobility::quantile::Closed::Left).unwrap(),
        child: Cutoffs::fixed(&[-1.0, 0.5], mobility::quantile::Closed::Right).unwrap(),
    };
    let direct = TransitionCounts::from_status(&d.parent, &d.child, None, &spec).unwrap();
    let s = partition(&d, &[3, 0, 5], false);
    // drive by hand, shipping every plan and summary through bytes as a cluster would
    let mut p = Pipeline::new(StreamSpec {
        classes: spec,
        weighted: false,
        by: false,
    })
    .unwrap();
    let mut passes = 0;
    while let Some(pass) = p.next_pass() {
        passes += 1;
        let pass: Pass = serde_json::from_slice(&serde_json::to_vec(&pass).unwrap()).unwrap();
        let mut acc = pass.empty();
        for part in &s.parts {
            let bytes = pass.summarize(&part.batch()).unwrap().to_bytes().unwrap();
            acc.merge(Summary::from_bytes(&bytes).unwrap()).unwrap();
        }
        p.advance(acc).unwrap();
    }
    assert_eq!(passes, 1);
    assert_eq!(p.finish().unwrap().counts, direct);
}

#[test]
fn bad_input_is_an_error() {
    let d = data(100, 51, false, None);
    let mut s = partition(&d, &[1, 1], false);
    s.parts[1].child[3] = f64::NAN;
    let spec = StreamSpec {
        classes: ClassSpec::quantiles(4),
        weighted: false,
        by: false,
    };
    assert!(run(&s, spec.clone(), &RunOptions::default()).is_err());
    let empty = SliceSource {
        parts: vec![Partition::default()],
    };
    assert!(matches!(
        run(&empty, spec, &RunOptions::default()),
        Err(mobility::MobilityError::EmptyInput { .. })
    ));
    let w = StreamSpec {
        classes: ClassSpec::Quantiles {
            k: 4,
            rule: Rule::Giddy,
        },
        weighted: true,
        by: false,
    };
    assert!(Pipeline::new(w).is_err());
}

#[test]
fn wide_dynamic_range_and_extreme_values() {
    let mut d = data(50_000, 61, false, None);
    d.parent[5] = -1e300;
    d.parent[6] = 1e300;
    d.parent[7] = 1e-300;
    d.parent[8] = -0.0;
    d.child[9] = f64::MAX;
    d.child[10] = -f64::MAX;
    for rule in Rule::ALL.into_iter().filter(|r| *r != Rule::Split) {
        check_equal(&d, 10, rule);
    }
    let direct =
        TransitionMatrix::from_status(&d.parent, &d.child, None, &ClassSpec::quantiles(3)).unwrap();
    let r = streamed(
        &partition(&d, &[2, 1], false),
        3,
        Rule::Midrank,
        false,
        false,
    );
    assert_eq!(r.matrix().unwrap(), direct);
}
