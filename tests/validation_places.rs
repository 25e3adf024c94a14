//! Rank measures and places on the real data in ../shared/data (run with
//! `cargo test --features validation --test validation_places`).
#![cfg(feature = "validation")]

mod common;

use approx::assert_abs_diff_eq;
use mobility::TransitionCounts;
use mobility::io::place_matrices::read_place_matrices;
use mobility::places::report::{PlacesOptions, places_report};
use mobility::rankbased::rank_mobility;

use common::cli::json;
use common::figures::assert_chetty_2014_corners;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

/// Chetty et al. (2014) Online Data Table 1 as weighted pairs: parent centile `p` (status `p`),
/// child income bin `b` (status `b`), weight `P(b | p) / 100`. Children in one bin share a
/// mid-rank: bin 4 (zero income, 6.1%) is one tied group, as the authors rank it.
fn national_pairs() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let path = format!("{SHARED}/chetty2014_national/table1_child_bin_given_parent_centile.csv");
    let mut reader = csv::Reader::from_path(&path).expect("table 1");
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.len(), 101, "kid_fam_bin + 100 parent centiles");
    let (mut parent, mut child, mut weight) = (vec![], vec![], vec![]);
    for record in reader.records() {
        let record = record.unwrap();
        let bin: f64 = record[0].parse().unwrap();
        for p in 1..=100 {
            let prob: f64 = record[p].parse().unwrap();
            parent.push(p as f64);
            child.push(bin);
            weight.push(prob / 100.0);
        }
    }
    (parent, child, weight)
}

/// Chetty, Hendren, Kline & Saez (2014), "Where is the Land of Opportunity?", QJE 129(4),
/// Table I (national, core sample): rank-rank slope 0.341. Our figure from Online Data Table 1
/// is 0.3406; the tolerance is the published rounding (0.0005).
#[test]
fn chetty_national_rank_rank_slope() {
    let (parent, child, weight) = national_pairs();
    assert_eq!(parent.len(), 96 * 100);
    let m = rank_mobility(&parent, &child, Some(&weight)).unwrap();
    println!(
        "rank-rank slope {:.4}, intercept {:.2}, AUM {:.2}, Spearman {:.4}, Kendall {:.4}, \
         P(child rank > parent rank) {:.4}",
        m.rank_rank_slope,
        m.rank_rank_intercept,
        m.absolute_upward_mobility,
        m.spearman.unwrap(),
        m.kendall_tau_b.unwrap(),
        m.share_child_rank_above_parent
    );
    assert!(
        (m.rank_rank_slope - 0.341).abs() <= 0.0005,
        "slope {}",
        m.rank_rank_slope
    );
    // The parent ranks are uniform, so the intercept is 50 (1 - slope) and AUM = 50 - 25 slope.
    assert_abs_diff_eq!(
        m.rank_rank_intercept,
        50.0 * (1.0 - m.rank_rank_slope),
        epsilon = 1e-3
    );
    assert_abs_diff_eq!(
        m.absolute_upward_mobility,
        m.rank_rank_intercept + 25.0 * m.rank_rank_slope,
        epsilon = 1e-12
    );
    // Table 1's columns sum to 1 up to rounding: the total weight is 1 within 1e-5.
    assert_abs_diff_eq!(m.total_weight, 1.0, epsilon = 1e-5);
}

/// Chetty et al. (2014), Table II (national quintile transition matrix, printed with the child
/// quintile in rows): Q1->Q1 33.7%, Q1->Q5 7.5%, Q5->Q1 10.9%, Q5->Q5 36.5%. Aggregated the
/// authors' way: child quintile = floor((bin - 1) / 20) + 1, parent quintile by centile.
#[test]
fn chetty_national_quintile_corners_from_weighted_classes() {
    let (parent, child, weight) = national_pairs();
    let pq: Vec<usize> = parent.iter().map(|&p| (p as usize - 1) / 20 + 1).collect();
    let cq: Vec<usize> = child.iter().map(|&b| (b as usize - 1) / 20 + 1).collect();
    let tm = TransitionCounts::from_classes(&pq, &cq, Some(&weight), 5)
        .unwrap()
        .to_matrix();
    let p = &tm.probabilities();
    assert_chetty_2014_corners(p.view());
}

/// Chetty et al. (2014), Online Data Table 6: 741 commuting zones. The QJE abstract: "the
/// probability that a child reaches the top quintile of the national income distribution
/// starting from a family in the bottom quintile is 4.4% in Charlotte but 12.9% in San Jose".
#[test]
fn commuting_zone_report() {
    let path = format!("{SHARED}/chetty2014_cz/table6_cz_quintile_matrices.csv");
    let places = read_place_matrices(&path).unwrap();
    assert_eq!(places.len(), 741);
    let suppressed = places.iter().filter(|p| p.probabilities.is_none()).count();
    assert_eq!(suppressed, 12);
    let r = places_report(&places, &PlacesOptions::default()).unwrap();
    assert_eq!(r.k, 5);
    assert_eq!(r.places.len(), 729);
    assert_eq!(r.excluded.len(), 12);
    assert!(r.excluded.iter().all(|e| e.reason.contains("suppressed")));
    // rows are printed to 7 digits: disclosure noise and rounding of at most 2e-7
    assert!(r.max_row_deviation <= 2.5e-7, "{}", r.max_row_deviation);
    assert!(r.rows_renormalised > 0);
    // the published child shares agree with parent shares . P
    assert!(r.places.iter().all(|p| p.child_share_gap < 1e-6));
    let find = |name: &str| r.places.iter().find(|p| p.name == name).unwrap();
    assert!((find("Charlotte").mobility_score - 0.044).abs() <= 0.0005);
    assert!((find("San Jose").mobility_score - 0.129).abs() <= 0.0005);
    // ranks are permutations of 1..=729
    let mut lr: Vec<usize> = r.places.iter().map(|p| p.levelling_rank).collect();
    lr.sort_unstable();
    assert_eq!(lr, (1..=729).collect::<Vec<_>>());
    // population-weighted, children stand where parents stood nationally: the size-weighted mean
    // levelling-up score is close to 0 (the CZs cover the nation)
    let (num, den) = r.places.iter().fold((0.0, 0.0), |(a, b), p| {
        let s = p.size.unwrap_or(0.0);
        (a + s * p.levelling_score, b + s)
    });
    println!(
        "size-weighted levelling-up {:.4}; Spearman(levelling, P(Q5|Q1)) {:?}; {} + {} contrasts",
        num / den,
        r.score_correlation,
        r.levelling_not_mobility.len(),
        r.mobility_not_levelling.len()
    );
    assert!((num / den).abs() < 0.05, "{}", num / den);
}

/// The CLI on the same file: `mobility places FILE --matrices --json` agrees with the library.
#[test]
fn commuting_zones_through_the_cli() {
    let path = format!("{SHARED}/chetty2014_cz/table6_cz_quintile_matrices.csv");
    let v = json(&["places", &path, "--matrices", "--json"]);
    assert_eq!(v["places"].as_array().unwrap().len(), 729);
    assert_eq!(v["excluded"].as_array().unwrap().len(), 12);
    let lib = places_report(
        &read_place_matrices(&path).unwrap(),
        &PlacesOptions::default(),
    )
    .unwrap();
    assert_eq!(
        v["levelling_not_mobility"].as_array().unwrap().len(),
        lib.levelling_not_mobility.len()
    );
    let san_jose = v["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "San Jose")
        .unwrap();
    assert!((san_jose["mobility_score"].as_f64().unwrap() - 0.129).abs() <= 0.0005);
}
