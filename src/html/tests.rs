//! Unit tests of the page model and the rendered page.

use super::*;

#[test]
fn placeholder_builds() {
    let parent: Vec<f64> = (0..100).map(f64::from).collect();
    let page =
        ReportPage::from_data(&parent, &parent, None, None, &ReportOptions::default()).unwrap();
    assert_eq!(page.report.k, 5);
}
