//! Bounds on every size that comes from input, checked before anything is allocated.
//!
//! Each limit is set for a real user with a national register (tens of millions of pairs in
//! memory, 10^10 pairs streamed in chunks, up to per-mille classes, up to 10^5 bootstrap
//! replicates) and keeps one call under a few GB of memory and about a minute of time. A request
//! above a limit fails with [`MobilityError::InvalidParameter`] stating the limit and what to do.
//! `docs/LIMITS.md` gives the reasons.

use crate::error::{MobilityError, Parameter, Result};

pub use crate::error::MAX_CLASSES;

/// The most bootstrap replicates of one run: `10^5` (percentile and BCa intervals at the 99.9%
/// level need about 10^4; each replicate keeps one `f64` per statistic).
pub const MAX_REPLICATES: usize = 100_000;

/// The most pairs one call of [`crate::simulate::simulate`] returns: `10^8` (two `Vec<f64>`, 1.6
/// GB; simulate larger populations in several calls with different seeds).
pub const MAX_SIMULATED: usize = 100_000_000;

/// The most cells (`groups x k^2`) of all group or place tables held at once: `5 x 10^7` (400 MB
/// per table of `f64`; e.g. 3,000 counties in percentiles take 3 x 10^7).
pub const MAX_GROUP_CELLS: usize = 50_000_000;

/// Checks `2 <= replicates <=` [`MAX_REPLICATES`].
///
/// # Formula
/// ```text
/// 2 <= B <= 100000
/// ```
///
/// # Errors
/// [`MobilityError::InvalidParameter`] for [`Parameter::Replicates`].
///
/// # Complexity
/// O(1).
///
/// # Example
/// ```
/// assert!(mobility::limits::check_replicates(1000).is_ok());
/// assert!(mobility::limits::check_replicates(1_000_000_000).is_err());
/// ```
pub fn check_replicates(replicates: usize) -> Result<()> {
    if replicates < 2 {
        return Err(MobilityError::invalid(
            Parameter::Replicates,
            format!("{replicates} bootstrap replicates; at least 2 are needed"),
        ));
    }
    if replicates > MAX_REPLICATES {
        return Err(MobilityError::invalid(
            Parameter::Replicates,
            format!(
                "{replicates} bootstrap replicates is more than the {MAX_REPLICATES} supported; \
                 10,000 give intervals accurate to about 0.1 percentage point"
            ),
        ));
    }
    Ok(())
}

/// Checks `1 <= n <=` [`MAX_SIMULATED`] pairs to simulate.
///
/// # Formula
/// ```text
/// 1 <= n <= 10^8
/// ```
///
/// # Errors
/// [`MobilityError::InvalidParameter`] for [`Parameter::N`].
///
/// # Complexity
/// O(1).
///
/// # Example
/// ```
/// assert!(mobility::limits::check_simulated(1_000_000).is_ok());
/// assert!(mobility::limits::check_simulated(1_000_000_000_000).is_err());
/// ```
pub fn check_simulated(n: usize) -> Result<()> {
    if n == 0 {
        return Err(MobilityError::invalid(
            Parameter::N,
            "must be at least 1, got 0",
        ));
    }
    if n > MAX_SIMULATED {
        return Err(MobilityError::invalid(
            Parameter::N,
            format!(
                "{n} pairs is more than the {MAX_SIMULATED} one call simulates (1.6 GB); \
                 simulate in several calls with different seeds"
            ),
        ));
    }
    Ok(())
}

/// Checks that `groups` tables of `k x k` cells stay within [`MAX_GROUP_CELLS`].
///
/// # Formula
/// ```text
/// groups * k^2 <= 5 x 10^7
/// ```
///
/// # Errors
/// [`MobilityError::InvalidParameter`] for [`Parameter::NumberOfClasses`].
///
/// # Complexity
/// O(1).
///
/// # Example
/// ```
/// assert!(mobility::limits::check_group_cells(3000, 100).is_ok());
/// assert!(mobility::limits::check_group_cells(500, 1000).is_err());
/// ```
pub fn check_group_cells(groups: usize, k: usize) -> Result<()> {
    let cells = groups.saturating_mul(k).saturating_mul(k);
    if cells > MAX_GROUP_CELLS {
        return Err(MobilityError::invalid(
            Parameter::NumberOfClasses,
            format!(
                "{groups} groups of {k} x {k} tables hold {cells} cells, more than the \
                 {MAX_GROUP_CELLS} supported; use fewer classes (e.g. {}) or fewer groups",
                largest_k(groups)
            ),
        ));
    }
    Ok(())
}

/// The largest `k` for which `groups` tables fit.
fn largest_k(groups: usize) -> usize {
    let per = MAX_GROUP_CELLS / groups.max(1);
    ((per as f64).sqrt().floor() as usize).max(2)
}

/// A size in bytes as a message gives it: whole MB from 1 MB up, whole KB below, bytes below
/// 1 KB (so a small memory limit never reads "0 MB").
pub(crate) fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MB", b >> 20),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        1 => "1 byte".into(),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn sizes_below_a_megabyte_are_not_zero_megabytes() {
        assert_eq!(size_text(0), "0 bytes");
        assert_eq!(size_text(1), "1 byte");
        assert_eq!(size_text(2048), "2 KB");
        assert_eq!(size_text((1 << 20) - 1), "1023 KB");
        assert_eq!(size_text(3 << 20), "3 MB");
    }
}
