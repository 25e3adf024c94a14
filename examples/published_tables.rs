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
    // (name, short title for the comparison, source)
    let sources = [
        (
            "us_chetty_2014",
            "US Q5",
            "US national quintiles, Chetty, Hendren, Kline & Saez (2014), QJE",
        ),
        (
            "uk_blanden_2005",
            "UK Q4",
            "UK quartiles, Blanden, Gregg & Machin (2005), 1970 cohort",
        ),
        (
            "giddy_us_states",
            "states Q5",
            "US state income quintiles, 1-year moves 1929-2009 (PySAL giddy)",
        ),
        (
            "altham_ferrie_2007",
            "A&F 4x4",
            "Altham & Ferrie (2007), Table 1: 4 x 4 occupational counts",
        ),
    ];
    let mut reports = Vec::new();
    for name in published::NAMES {
        let tm = published::by_name(name).expect("a built-in name");
        let source = sources
            .iter()
            .find(|(n, ..)| *n == name)
            .map_or("", |(.., s)| s);
        println!("{name}: {source}");
        match tm.n {
            Some(n) => println!("  k = {}, n = {n}", tm.k),
            None => println!("  k = {}, probabilities only", tm.k),
        }
        let labels = tm.labels();
        print!("  {:<8}", "parent");
        for l in &labels {
            print!("{l:>8}");
        }
        println!();
        for (i, l) in labels.iter().enumerate() {
            print!("  {l:<8}");
            for v in tm.probabilities.row(i) {
                print!("{v:>8.4}");
            }
            println!();
        }
        println!();
        reports.push(tm.report(&Weighting::ParentShares)?);
    }
    println!("Measures (origin weights = parent shares; compare tables with the same k)\n");
    for (name, title, _) in &sources {
        println!("{title:>9} = {name}");
    }
    println!();
    let titles: Vec<&str> = published::NAMES
        .iter()
        .map(|name| {
            sources
                .iter()
                .find(|(n, ..)| n == name)
                .map_or(*name, |(_, t, _)| t)
        })
        .collect();
    let refs: Vec<&_> = reports.iter().collect();
    print!("{}", render_comparison(&titles, &refs));
    Ok(())
}
