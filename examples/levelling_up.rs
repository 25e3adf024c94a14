//! Levelling up versus social mobility across 741 US commuting zones.
//!
//! Data: Chetty, Hendren, Kline & Saez (2014), "Where is the Land of Opportunity?", QJE 129(4),
//! Online Data Table 6: a 5 x 5 matrix of national-quintile transitions per commuting zone (CZ),
//! with the CZ's parent and child shares over the national quintiles. Read from
//! `../shared/data/chetty2014_cz/` beside the crate.
//!
//! Two axes per place:
//! - levelling up: the mean national quintile of the CZ's children minus that of its parents
//!   (positive: the place's distribution moved up the national one between the generations);
//! - social mobility: P(top quintile | bottom quintile), Chetty et al.'s P(Q5 | Q1).
//!
//! Run: `cargo run --release --example levelling_up`

use std::path::PathBuf;

use mobility::io::place_matrices::read_place_matrices;
use mobility::places::report::{PlaceRow, PlacesOptions, PlacesReport, places_report};

fn main() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv");
    if !path.exists() {
        println!(
            "This example reads Chetty et al. (2014) Online Data Table 6 from\n  {}\n\
             which is not on this machine. Put the public file there (see ../shared/data/README.md)\n\
             and run it again.",
            path.display()
        );
        return;
    }
    let places = match read_place_matrices(&path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot read the commuting-zone table: {e}");
            std::process::exit(1);
        }
    };
    let report = match places_report(&places, &PlacesOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot build the report: {e}");
            std::process::exit(1);
        }
    };
    summary(&places.len(), &report);
    side_by_side(&report, 12);
    contrasts(&report);
    largest(&report, 12);
}

fn label(p: &PlaceRow) -> String {
    let mut s = format!("{}, {}", p.name, p.region);
    if s.chars().count() > 24 {
        s = s.chars().take(23).collect::<String>() + ".";
    }
    s
}

fn pct(v: f64) -> String {
    format!("{:5.1}%", 100.0 * v)
}

fn summary(read: &usize, r: &PlacesReport) {
    println!("Levelling up vs social mobility: US commuting zones (Chetty et al. 2014, table 6)");
    println!("================================================================================");
    println!(
        "{read} places read; {} ranked; {} left out ({}).",
        r.places.len(),
        r.excluded.len(),
        r.excluded.first().map_or("none".to_string(), |e| format!(
            "e.g. {}: {}",
            e.name, e.reason
        ))
    );
    println!(
        "{} rows in {} places did not sum to 1 (largest gap {:.1e}) and were rescaled.",
        r.rows_renormalised, r.places_renormalised, r.max_row_deviation
    );
    let us = mobility::published::us_chetty_2014_quintiles();
    println!(
        "National reference: P(Q5 | Q1) = {}; a place's levelling-up score is 0 when its \
         children sit where its parents sat in the national distribution.",
        pct(us.probabilities()[[0, 4]])
    );
    if let Some(c) = r.score_correlation {
        println!(
            "Across places the two axes are correlated at Spearman {c:+.2}: they are not the same \
             thing.\n"
        );
    }
}

fn side_by_side(r: &PlacesReport, n: usize) {
    let lev = r.by_levelling();
    let mob = r.by_mobility();
    println!(
        "{:<37} | {:<37}",
        "Most levelling up", "Most mobile (P(Q5 | Q1))"
    );
    println!(
        "{:>3}  {:<24} {:>6} {:>6} | {:>3}  {:<24} {:>6} {:>6}",
        "#", "place", "level", "Q5|Q1", "#", "place", "Q5|Q1", "level"
    );
    let row = |a: &PlaceRow, b: &PlaceRow| {
        println!(
            "{:>3}  {:<24} {:>+6.3} {} | {:>3}  {:<24} {} {:>+6.3}",
            a.levelling_rank,
            label(a),
            a.levelling_score,
            pct(a.mobility_score),
            b.mobility_rank,
            label(b),
            pct(b.mobility_score),
            b.levelling_score
        )
    };
    for i in 0..n.min(lev.len()) {
        row(lev[i], mob[i]);
    }
    println!(
        "{:>3}  {:<24} {:>6} {:>6} | {:>3}",
        "...", "", "", "", "..."
    );
    let m = lev.len();
    for i in m.saturating_sub(5)..m {
        row(lev[i], mob[i]);
    }
    println!();
}

fn contrasts(r: &PlacesReport) {
    let find = |id: &str| r.places.iter().find(|p| p.id == id).expect("ranked place");
    let m = r.places.len();
    let cut = (r.options.contrast_fraction * 100.0).round();
    println!(
        "Levelling up without mobility: top {cut}% on levelling up, bottom {cut}% on P(Q5 | Q1) \
         ({} places)",
        r.levelling_not_mobility.len()
    );
    for c in r.levelling_not_mobility.iter().take(15) {
        let p = find(&c.id);
        println!(
            "  {:<26} levelling #{:<3} ({:+.3})   P(Q5|Q1) #{:<3} of {m} ({})   structural {:.3}, exchange {:.3}",
            label(p),
            c.levelling_rank,
            p.levelling_score,
            c.mobility_rank,
            pct(p.mobility_score),
            p.levelling.decomposition.structural,
            p.levelling.decomposition.exchange
        );
    }
    println!(
        "\nMobility without levelling up: top {cut}% on P(Q5 | Q1), bottom {cut}% on levelling up \
         ({} places)",
        r.mobility_not_levelling.len()
    );
    for c in r.mobility_not_levelling.iter().take(15) {
        let p = find(&c.id);
        println!(
            "  {:<26} P(Q5|Q1) #{:<3} ({})   levelling #{:<3} of {m} ({:+.3})   structural {:.3}, exchange {:.3}",
            label(p),
            c.mobility_rank,
            pct(p.mobility_score),
            c.levelling_rank,
            p.levelling_score,
            p.levelling.decomposition.structural,
            p.levelling.decomposition.exchange
        );
    }
    println!();
}

fn largest(r: &PlacesReport, n: usize) {
    let mut big: Vec<&PlaceRow> = r.places.iter().filter(|p| p.size.is_some()).collect();
    big.sort_by(|a, b| b.size.unwrap_or(0.0).total_cmp(&a.size.unwrap_or(0.0)));
    println!("The {n} largest commuting zones (children in the 1980-85 cohorts)");
    println!(
        "  {:<24} {:>8} {:>9} {:>6} {:>8} {:>6} {:>10} {:>10}",
        "place", "children", "levelling", "rank", "Q5|Q1", "rank", "Q1 share", "Q1 share"
    );
    println!(
        "  {:<24} {:>8} {:>9} {:>6} {:>8} {:>6} {:>10} {:>10}",
        "", "", "score", "", "", "", "parents", "children"
    );
    for p in big.iter().take(n) {
        println!(
            "  {:<24} {:>8.0} {:>+9.3} {:>6} {:>8} {:>6} {:>10} {:>10}",
            label(p),
            p.size.unwrap_or(f64::NAN),
            p.levelling_score,
            p.levelling_rank,
            pct(p.mobility_score),
            p.mobility_rank,
            pct(p.levelling.parent_shares[0]),
            pct(p.levelling.child_shares[0])
        );
    }
}
