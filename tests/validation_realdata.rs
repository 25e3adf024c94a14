//! Issue 13 on the real data in ../shared/data (run with `--features validation`): the `split`
//! rule on mobilityIndexR's zero-inflated panel.
#![cfg(feature = "validation")]

mod common;

use mobility::inference::{Bootstrap, Selection};
use mobility::io::csv::{CsvOptions, read_columns};
use mobility::measures::Weighting;
use mobility::{ClassSpec, Rule, TransitionMatrix};

use common::cli::{ok_with_stderr, t0_to_t9};

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

/// The CLI says when the zeros span classes, in text and JSON, and `--rule split` fills Q1.
#[test]
fn cli_reports_the_zero_group_and_the_split_rule() {
    let file = format!("{SHARED}/mobilityindexr/incomeZeroInfMobility.csv");
    let args = t0_to_t9(&file, "5", &[]);
    let (text, _) = ok_with_stderr(&args);
    assert!(text.contains("Ties across class boundaries"), "{text}");
    assert!(
        text.contains("61 rows (48.8% of the weight) share the value 0"),
        "{text}"
    );
    assert!(text.contains("consider the split rule"), "{text}");
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let (json, _) = ok_with_stderr(&json_args);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["tie_spans"][0]["spans"], serde_json::json!([1, 2, 3]));
    assert_eq!(v["tie_spans"][0]["assigned"], serde_json::json!([[2, 1.0]]));
    json_args.extend(["--rule", "split"]);
    let (json, _) = ok_with_stderr(&json_args);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["empty_parent_classes"], serde_json::json!([]));
    let splits = &v["parent_cutoff_splits"];
    assert!(
        (splits[0].as_f64().unwrap() - 0.2 / 0.488).abs() < 1e-12,
        "{splits}"
    );
    assert!(v["measures"]["bottom_persistence"].as_f64().is_some());
    assert!(v["tie_spans"][0]["suggestion"].is_null());
}

/// Pearson & Lee's father-son heights (`gp == "fs"`): 179 grouped rows with a `frequency`
/// column standing for 1,078 pairs.
fn pearson_lee_fathers_sons() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut r = csv::Reader::from_path(format!("{SHARED}/rdatasets/pearson_lee.csv")).unwrap();
    let (mut p, mut c, mut w) = (Vec::new(), Vec::new(), Vec::new());
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[4] == "fs" {
            c.push(rec[1].parse::<f64>().unwrap());
            p.push(rec[2].parse::<f64>().unwrap());
            w.push(rec[3].parse::<f64>().unwrap());
        }
    }
    (p, c, w)
}

/// Frequency weights: the bootstrap resamples the 1,078 people, not the 179 rows, and its
/// standard error of the sticky floor is close to the binomial one with the row's people; the
/// record (sampling-weight) bootstrap is about three times larger (issue 13: 0.093 vs 0.033).
#[test]
fn pearson_lee_standard_errors_under_both_weight_kinds() {
    use mobility::WeightKind;
    use mobility::inference::{AnalyticOptions, RowCounts, kish_row_counts, row_multinomial};
    let (p, c, w) = pearson_lee_fathers_sons();
    assert_eq!((p.len(), w.iter().sum::<f64>()), (179, 1078.0));
    let spec = ClassSpec::quantiles(5);
    let tm = TransitionMatrix::from_status(&p, &c, Some(&w), &spec).unwrap();
    let row1 = tm.counts().unwrap().row(0).sum();
    let floor = tm
        .measures(&Weighting::ParentShares)
        .unwrap()
        .bottom_persistence
        .unwrap();
    let binomial = (floor * (1.0 - floor) / row1).sqrt();
    let run = |kind: WeightKind| {
        Bootstrap::new(1000)
            .seed(1)
            .statistics(Selection::Measures)
            .weight_kind(kind)
            .run(&p, &c, Some(&w), &spec)
            .unwrap()
    };
    let freq = run(WeightKind::Frequency);
    let samp = run(WeightKind::Sampling);
    assert_eq!(freq.weight_kind, WeightKind::Frequency);
    assert_eq!(freq.settings().weight_kind, WeightKind::Frequency);
    let fse = freq.get("bottom_persistence").unwrap().se.unwrap();
    let sse = samp.get("bottom_persistence").unwrap().se.unwrap();
    // analytic row-multinomial: frequency = the weighted row totals, sampling = Kish counts
    let opts = AnalyticOptions::default();
    let afreq = row_multinomial(&tm, &RowCounts::Observed, &opts).unwrap();
    let kish = kish_row_counts(&p, Some(&w), tm.parent_cutoffs().unwrap()).unwrap();
    let asamp = row_multinomial(&tm, &RowCounts::Effective(kish.clone()), &opts).unwrap();
    let af = afreq.get("bottom_persistence").unwrap().se.unwrap();
    let asp = asamp.get("bottom_persistence").unwrap().se.unwrap();
    println!(
        "Pearson-Lee father-son, quintiles: Q1 row holds {row1} people, sticky floor {floor:.4}; \
         binomial se {binomial:.4}; bootstrap se frequency {fse:.4}, sampling {sse:.4}; \
         row-multinomial se frequency {af:.4}, sampling (Kish n_1 = {:.1}) {asp:.4}",
        kish[0]
    );
    assert!((af - binomial).abs() < 1e-12);
    assert!(
        fse > 0.6 * binomial && fse < 1.6 * binomial,
        "{fse} vs {binomial}"
    );
    assert!(sse > 2.0 * fse, "{sse} vs {fse}");
    assert!(asp > af);
}

/// A panel: `analyze --periods` pools the transitions of the mobilityIndexR income panel and
/// its pooled counts are the sum of the per-transition counts of `analyze --parent --child`.
#[test]
fn panel_pools_the_transitions() {
    let file = format!("{SHARED}/mobilityindexr/incomeMobility.csv");
    let (json, _) = ok_with_stderr(&[
        "analyze",
        &file,
        "--periods",
        "t0,t1,t2",
        "--quantiles",
        "5",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["periods"], serde_json::json!(["t0", "t1", "t2"]));
    assert_eq!(v["n"], 250.0);
    let mut sum = vec![vec![0.0; 5]; 5];
    for (a, b) in [("t0", "t1"), ("t1", "t2")] {
        let (j, _) = ok_with_stderr(&[
            "analyze",
            &file,
            "--parent",
            a,
            "--child",
            b,
            "--quantiles",
            "5",
            "--json",
        ]);
        let t: serde_json::Value = serde_json::from_str(&j).unwrap();
        for i in 0..5 {
            for jj in 0..5 {
                sum[i][jj] += t["counts"][i][jj].as_f64().unwrap();
            }
        }
    }
    for i in 0..5 {
        for j in 0..5 {
            assert_eq!(v["counts"][i][j].as_f64().unwrap(), sum[i][j]);
        }
    }
    assert_eq!(v["transitions"].as_array().unwrap().len(), 2);
    let h = &v["time_homogeneity"];
    assert!(h["likelihood_ratio"]["p_value"].as_f64().is_some());
    let (text, _) = ok_with_stderr(&["analyze", &file, "--periods", "t0,t1,t2,t3"]);
    assert!(
        text.contains("Time homogeneity (Anderson & Goodman 1957"),
        "{text}"
    );
}
