//! Validation on the real data in ../shared/data (run by CI with `--features validation`).
#![cfg(feature = "validation")]

mod common;

use mobility::{Rule, TransitionCounts, published, quantile::Cutoffs};

use common::figures::assert_chetty_2014_corners;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

/// PySAL giddy's US-states example: per-capita incomes of 48 states (usjoin.csv), quintiles
/// within each year by mapclassify `Quantiles` (our `giddy` rule), one-year transitions pooled
/// over 1929-2009. giddy prints these counts; we must reproduce them exactly.
#[test]
fn giddy_rule_reproduces_the_us_states_counts() {
    let mut reader =
        csv::Reader::from_path(format!("{SHARED}/us_state_income/usjoin.csv")).unwrap();
    let rows: Vec<Vec<f64>> = reader
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .skip(2)
                .map(|v| v.parse::<f64>().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 48);
    let years = rows[0].len();
    assert_eq!(years, 81);
    let classes: Vec<Vec<usize>> = (0..years)
        .map(|t| {
            let y: Vec<f64> = rows.iter().map(|r| r[t]).collect();
            let cuts = Cutoffs::quantiles(&y, None, 5, Rule::Giddy).unwrap();
            cuts.classify(&y)
                .unwrap()
                .into_iter()
                .map(|c| c as usize)
                .collect()
        })
        .collect();
    let mut total = TransitionCounts::from_classes(&classes[0], &classes[1], None, 5).unwrap();
    for t in 1..years - 1 {
        total
            .merge(&TransitionCounts::from_classes(&classes[t], &classes[t + 1], None, 5).unwrap())
            .unwrap();
    }
    let published = published::giddy_us_states_quintiles();
    assert_eq!(total.counts(), published.counts().as_ref().unwrap().view());
}

/// Chetty et al. (2014) national table 1 (child bin in rows, parent centile in columns), turned
/// into weighted pairs and aggregated the authors' way (child quintile = floor((bin - 1)/20) + 1,
/// parent quintile by centile): the published corners 33.7%, 7.5%, 10.9%, 36.5%.
#[test]
fn chetty_national_table_gives_the_published_corners() {
    let path = format!("{SHARED}/chetty2014_national/table1_child_bin_given_parent_centile.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let (mut parent, mut child, mut weight) = (Vec::new(), Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.unwrap();
        let bin: usize = record[0].parse().unwrap();
        for centile in 1..=100usize {
            let p: f64 = record[centile].parse().unwrap();
            parent.push((centile - 1) / 20 + 1);
            child.push((bin - 1) / 20 + 1);
            weight.push(p / 100.0);
        }
    }
    let tm = TransitionCounts::from_classes(&parent, &child, Some(&weight), 5)
        .unwrap()
        .to_matrix();
    let p = &tm.probabilities();
    assert_chetty_2014_corners(p.view());
    // and the whole matrix is the built-in one
    let builtin = published::us_chetty_2014_quintiles();
    for (a, b) in p.iter().zip(builtin.probabilities().iter()) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}
