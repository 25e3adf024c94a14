//! Every built-in published table with its measures.
//!
//! ```text
//! cargo run --example published_tables
//! ```
//!
//! The command-line tool prints one table in full: `mobility published us_chetty_2014`.

use mobility::io::text::render_comparison;
use mobility::{Weighting, published};

fn main() -> mobility::Result<()> {
    // short titles for the side-by-side comparison
    let titles = [
        ("us_chetty_2014", "US Q5"),
        ("uk_blanden_2005", "UK Q4"),
        ("giddy_us_states", "states Q5"),
        ("altham_ferrie_2007", "A&F 4x4"),
    ];
    let mut reports = Vec::new();
    for name in published::NAMES {
        let tm = published::by_name(name).expect("a built-in name");
        let source = published::describe(name).unwrap_or_default();
        println!("{name}: {source}");
        match tm.n() {
            Some(n) => println!("  k = {}, n = {n}", tm.k()),
            None => println!("  k = {}, probabilities only", tm.k()),
        }
        let labels = tm.labels();
        print!("  {:<8}", "parent");
        for l in &labels {
            print!("{l:>8}");
        }
        println!();
        for (i, l) in labels.iter().enumerate() {
            print!("  {l:<8}");
            for v in tm.probabilities().row(i) {
                print!("{v:>8.4}");
            }
            println!();
        }
        println!();
        reports.push(tm.report(&Weighting::ParentShares)?);
    }
    println!("Measures (origin weights = parent shares; compare tables with the same k)\n");
    for (name, title) in &titles {
        println!("{title:>9} = {name}");
    }
    println!();
    let columns: Vec<&str> = published::NAMES
        .iter()
        .map(|name| {
            titles
                .iter()
                .find(|(n, _)| n == name)
                .map_or(*name, |(_, t)| t)
        })
        .collect();
    let refs: Vec<&_> = reports.iter().collect();
    print!("{}", render_comparison(&columns, &refs));
    Ok(())
}
