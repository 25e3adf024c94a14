//! Writes shareable HTML reports: one of simulated regions (microdata with weights and a group
//! column, bootstrap intervals) and, when `../shared/data` is beside the crate, one of Chetty et
//! al. (2014)'s 741 US commuting zones against the published national quintile matrix.
//!
//! Run: `cargo run --release --example html_report -- [output folder]`
//! (default `target/report-artifacts`). Open the `.html` files in any browser: they load nothing
//! from the network.

use std::path::PathBuf;
use std::time::Instant;

use mobility::inference::CiMethod;
use mobility::io::place_matrices::read_place_matrices;
use mobility::places::report::{PlacesOptions, places_report};
use mobility::render::html::{
    BootstrapOptions, ReportOptions, ReportPage, ReportResults, Source, render,
};
use mobility::simulate::{LogNormal, Simulation, simulate_weighted};

fn main() {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/report-artifacts")
        });
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("cannot create {}: {e}", out.display());
        std::process::exit(1);
    }
    if let Err(e) = simulated(&out) {
        eprintln!("simulated report: {e}");
        std::process::exit(1);
    }
    let cz = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv");
    if cz.exists() {
        if let Err(e) = commuting_zones(&cz, &out) {
            eprintln!("commuting-zone report: {e}");
            std::process::exit(1);
        }
    } else {
        println!(
            "{} not found: the commuting-zone report is skipped",
            cz.display()
        );
    }
}

/// Renders `page` to file `name` in folder `out`: its path and size in KB.
fn write_page(
    page: &ReportPage,
    out: &std::path::Path,
    name: &str,
) -> Result<(PathBuf, usize), Box<dyn std::error::Error>> {
    let html = render(page)?;
    let path = out.join(name);
    std::fs::write(&path, &html)?;
    Ok((path, html.len() / 1024))
}

/// Six simulated regions: different persistence and different growth between the generations.
fn simulated(out: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let regions = [
        ("North & East <coast>", 0.55, 0.10),
        ("Southern Uplands", 0.35, -0.05),
        ("Metro \"Central\"", 0.45, 0.25),
        ("Western Plains", 0.30, 0.00),
        ("River Valley", 0.60, -0.10),
        ("Lakes & Islands", 0.40, 0.15),
    ];
    let (mut parent, mut child, mut weight, mut group) = (vec![], vec![], vec![], vec![]);
    for (r, (name, rho, growth)) in regions.iter().enumerate() {
        let spec = Simulation::new(4_000 + 1_500 * r, *rho, 11 + r as u64)
            .with_parent(LogNormal::new(10.0 + 0.05 * r as f64, 0.7)?)
            .with_child(LogNormal::new(10.1 + growth, 0.75)?);
        let pairs = simulate_weighted(&spec)?;
        group.extend(std::iter::repeat_n(name.to_string(), pairs.parent.len()));
        parent.extend(pairs.parent);
        child.extend(pairs.child);
        weight.extend(pairs.weight);
    }
    let options = ReportOptions {
        bootstrap: Some(BootstrapOptions {
            replicates: 200,
            seed: 1,
            level: 0.95,
            ci: CiMethod::Bca,
            progress: None,
        }),
        source: Source {
            name: "simulated regions (mobility::simulate)".into(),
            parent: Some("parent_income".into()),
            child: Some("child_income".into()),
            weights: Some("w".into()),
            groups: Some("region".into()),
            rows_read: Some(parent.len() + 37),
            dropped: vec![mobility::render::html::DroppedRows {
                rows: 37,
                reason: "child_income is missing".into(),
            }],
            command: Some("cargo run --release --example html_report".into()),
        },
        ..ReportOptions::default()
    };
    let t = Instant::now();
    let page = ReportPage::from_data(&parent, &child, Some(&weight), Some(&group), &options)?;
    let (path, kb) = write_page(&page, out, "simulated_regions.html")?;
    println!(
        "{}: {} pairs, {} KB, {:.2} s (with a bootstrap of 200)",
        path.display(),
        parent.len(),
        kb,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Chetty et al. (2014), Online Data Table 6: 741 commuting zones against national quintiles.
fn commuting_zones(
    csv: &std::path::Path,
    out: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let places = read_place_matrices(csv)?;
    let report = places_report(&places, &PlacesOptions::default())?;
    let national = mobility::published::us_chetty_2014_quintiles();
    let mut results = ReportResults::new(&national);
    results.places = Some(&report);
    results.title = Some("Social mobility across 741 US commuting zones".into());
    results.source = Source {
        name: "Chetty, Hendren, Kline & Saez (2014), Online Data Table 6 (commuting zones) and the national quintile matrix".into(),
        rows_read: Some(places.len()),
        command: Some(
            "cargo run --release --example html_report   # reads ../shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv".into(),
        ),
        ..Source::default()
    };
    let page = ReportPage::from_results(&results)?;
    let (path, kb) = write_page(&page, out, "commuting_zones.html")?;
    println!(
        "{}: {} places ranked, {} left out, {} KB, {:.3} s",
        path.display(),
        report.places.len(),
        report.excluded.len(),
        kb,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
