//! Quickstart: a simulated population and the published US and UK matrices, side by side in an
//! OECD-style report (the same text as `mobility demo`, which builds no dev-dependency).
//!
//! ```text
//! cargo run --release --example quickstart
//! ```
//!
//! 1. Simulate 1,000,000 parent/child income pairs whose rank correlation is 0.35, close to the US
//!    rank-rank slope of Chetty et al. (2014), and build the decile and quintile transition
//!    matrices (timed).
//! 2. Load the published US quintile matrix (Chetty, Hendren, Kline & Saez 2014) and the UK
//!    quartile matrix (Blanden, Gregg & Machin 2005).
//! 3. Print the headline measures of all four matrices side by side.

use mobility::render::demo::{DemoOptions, quickstart};

fn main() -> mobility::Result<()> {
    print!("{}", quickstart(&DemoOptions::default())?);
    Ok(())
}
