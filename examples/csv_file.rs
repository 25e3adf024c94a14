//! Reading a CSV file: the mobilityIndexR income panel (125 people, incomes at t0..t10), origin
//! t0, destination t9, quintiles.
//!
//! ```text
//! cargo run --example csv_file
//! ```
//!
//! The panel lives in ../shared/data beside the repository; without it the example says so and
//! shows the same steps on a small table written in the code. The command-line tool does the
//! same job:
//!
//! ```text
//! mobility analyze incomeMobility.csv --parent t0 --child t9 --quantiles 5
//! ```

use std::path::Path;

use mobility::io::csv::{CsvOptions, Missing, read_columns, read_columns_from};
use mobility::io::text::render_report;
use mobility::{ClassSpec, Rule, TransitionMatrix, Weighting};

const PANEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/mobilityindexr/incomeMobility.csv"
);

fn main() -> mobility::Result<()> {
    if Path::new(PANEL).exists() {
        // 1. Read the two columns. Errors name the file, line and column (try a wrong name).
        let columns = read_columns(PANEL, &["t0", "t9"], &CsvOptions::default())?;
        let (origin, destination) = (columns.get("t0").unwrap(), columns.get("t9").unwrap());
        println!("Read {} rows of t0 and t9 from {PANEL}\n", columns.len());

        // 2. Quintile classes (midrank rule, as Chetty et al. 2014) and the matrix.
        let tm =
            TransitionMatrix::from_status(origin, destination, None, &ClassSpec::quantiles(5))?;

        // 3. Every measure, and a printable report (what `mobility analyze` prints).
        let report = tm.report(&Weighting::ParentShares)?;
        print!("{}", render_report(&report, &tm.labels()));

        // The same with R's rule (mobilityIndexR uses quantile type 7 with left-closed classes).
        let r = TransitionMatrix::from_status(
            origin,
            destination,
            None,
            &ClassSpec::Quantiles {
                k: 5,
                rule: Rule::RType7,
            },
        )?;
        let m = r.measures(&Weighting::ParentShares)?;
        println!(
            "\nWith --rule r-type7: Shorrocks trace {:.4}, P(Q1 -> Q1) {:.4}",
            m.shorrocks_trace.unwrap_or(f64::NAN),
            m.bottom_persistence.unwrap_or(f64::NAN)
        );
    } else {
        println!(
            "{PANEL} is not here (the shared data folder sits beside the repository).\n\
             Showing the same steps on a small CSV written in the code.\n"
        );
    }

    // Your own CSV: a header row naming the columns; empty cells or NA are an error unless you
    // ask to drop those rows. Any `std::io::Read` works (a file, stdin, bytes).
    let my_csv = "\
family,parent_income,child_income,weight
1,12000,18000,1.0
2,25000,21000,1.5
3,31000,40000,1.0
4,47000,39000,0.5
5,52000,,1.0
6,80000,76000,2.0
7,9000,15000,1.0
8,64000,90000,1.0
";
    let options = CsvOptions {
        missing: Missing::DropRow,
        ..CsvOptions::default()
    };
    let cols = read_columns_from(
        my_csv.as_bytes(),
        "my.csv",
        &["parent_income", "child_income", "weight"],
        &options,
    )?;
    if let Some(d) = &cols.dropped {
        println!(
            "\nmy.csv: dropped {} row(s) with missing values (first on line {})",
            d.rows, d.first_line
        );
    }
    let tm = TransitionMatrix::from_status(
        cols.get("parent_income").unwrap(),
        cols.get("child_income").unwrap(),
        cols.get("weight"),
        &ClassSpec::quantiles(2),
    )?;
    println!(
        "my.csv, weighted halves: P(stay in bottom half) = {:.3}, P(stay in top half) = {:.3}",
        tm.probabilities()[[0, 0]],
        tm.probabilities()[[1, 1]]
    );

    // A broken file: the error says where and what.
    let broken = "parent,child\n1,2\n3,n/a?\n";
    if let Err(e) = read_columns_from(
        broken.as_bytes(),
        "broken.csv",
        &["parent", "child"],
        &CsvOptions::default(),
    ) {
        println!("A broken file is rejected: {e}");
    }
    Ok(())
}
