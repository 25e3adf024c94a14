//! [`TableHint`]: why a table read as probabilities may have failed its row sums, in words that
//! name the option to pass (the CLI's flags, Python's keyword arguments).

use ndarray::{ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Why a table read as probabilities may have failed its row sums: the hint the CLI and Python
/// add to a [`MobilityError::RowSum`](crate::MobilityError::RowSum) error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableHint {
    /// The columns sum to 1: the child class is probably in rows.
    ChildInRows,
    /// Whole numbers: probably a count table.
    CountTable,
    /// Rows sum to about 100: percentages, to be read as counts.
    Percentages,
    /// Nothing else fits: a rounded table, to be rescaled.
    Renormalise,
}

impl TableHint {
    /// The hint for a probability table (as given, before any transpose) whose row sums failed
    /// with a row summing to `row_sum`.
    ///
    /// # Complexity
    /// `O(k^2)`.
    ///
    /// # Example
    /// ```
    /// use mobility::matrix::TableHint;
    /// let t = ndarray::array![[0.5, 0.25], [0.5, 0.75]];
    /// assert_eq!(TableHint::for_table(t.view(), false, 1e-6, 0.75), TableHint::ChildInRows);
    /// ```
    pub fn for_table(
        table: ArrayView2<f64>,
        child_in_rows: bool,
        tolerance: f64,
        row_sum: f64,
    ) -> TableHint {
        let columns_sum_to_one = table
            .sum_axis(Axis(0))
            .iter()
            .all(|s| (s - 1.0).abs() <= tolerance);
        if !child_in_rows && columns_sum_to_one {
            TableHint::ChildInRows
        } else if table.iter().all(|x| x.fract() == 0.0) && row_sum > 1.5 {
            TableHint::CountTable
        } else if row_sum > 1.5 {
            TableHint::Percentages
        } else {
            TableHint::Renormalise
        }
    }

    /// The hint in words, naming options as `option` spells them (the CLI passes its flags,
    /// Python its keyword arguments).
    pub fn text(self, option: impl Fn(TableOption) -> &'static str) -> String {
        match self {
            TableHint::ChildInRows => format!(
                "the columns sum to 1: is the child class in rows? pass {}",
                option(TableOption::ChildInRows)
            ),
            TableHint::CountTable => format!(
                "whole numbers: is it a count table? leave out {}",
                option(TableOption::Probabilities)
            ),
            TableHint::Percentages => format!(
                "rows summing to about 100 are percentages: leave out {} to read them as counts",
                option(TableOption::Probabilities)
            ),
            TableHint::Renormalise => format!(
                "pass {} to rescale a rounded table",
                option(TableOption::Renormalise)
            ),
        }
    }
}

/// The options a [`TableHint`] may point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableOption {
    /// Transpose a table printed with the child class in rows.
    ChildInRows,
    /// Read the table as probabilities.
    Probabilities,
    /// Rescale rows that miss 1.
    Renormalise,
}
