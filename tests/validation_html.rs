//! The HTML report of Chetty et al. (2014)'s 741 commuting zones (Online Data Table 6), read from
//! ../shared/data (run by CI with `--features validation`): a few hundred KB, self-contained, the
//! league table complete.
#![cfg(feature = "validation")]

use mobility::io::place_matrices::read_place_matrices;
use mobility::places::report::{PlacesOptions, places_report};
use mobility::render::html::{ReportPage, ReportResults, render};

const CZ: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv"
);

#[test]
fn commuting_zone_report_is_a_few_hundred_kb() {
    let places = read_place_matrices(CZ).unwrap();
    assert_eq!(places.len(), 741);
    let report = places_report(&places, &PlacesOptions::default()).unwrap();
    let us = mobility::published::us_chetty_2014_quintiles();
    let mut results = ReportResults::new(&us);
    results.places = Some(&report);
    let page = ReportPage::from_results(&results).unwrap();
    let html = render(&page).unwrap();
    assert!(html.len() < 400_000, "{} bytes", html.len());
    let rows = html.split("id=\"league\"").nth(1).unwrap();
    let rows = rows.split("</table>").next().unwrap();
    assert_eq!(
        rows.matches("<tr><th scope=\"row\">").count(),
        report.places.len()
    );
    // the published national corners are the headline numbers (Chetty et al. 2014: 33.7%, 7.5%)
    assert!(html.contains("33.7%") && html.contains("7.5%"));
    assert!(!html.to_ascii_lowercase().contains("http"));
    // the places left out are named with their reason
    for e in &report.excluded {
        assert!(html.contains(&e.name), "{}", e.name);
    }
}
