//! Published place matrices from CSV, in the layout of Chetty et al. (2014), Online Data Table 6
//! (one row per place, cells `p_par{i}_kid{j}`, shares `frac_par_q{i}` and `frac_kid_q{j}`), as
//! [`PlaceTable`]s for [`crate::places::report::places_report`].
//!
//! Errors name the file, the line and the column, with the words of the other CSV readers
//! ([`crate::io::csv`]) for UTF-16 input, text that is not UTF-8 and a quote never closed.

use std::path::Path;

use ndarray::Array2;

use crate::error::{MAX_CLASSES, MobilityError, Result};
use crate::places::report::PlaceTable;

/// Reads place matrices in the layout of Chetty et al. (2014), Online Data Table 6: one row per
/// place, cells `p_par{i}_kid{j}` (i, j = 1..k), shares `frac_par_q{i}` and `frac_kid_q{j}`.
///
/// The first column is the place identifier; a column named `*name` gives the name, `state` or
/// `region` the region, and the first column starting with `n_` the size. `k` is the largest `i`
/// in the cell columns. Empty cells are read as missing: a place with any empty cell has
/// `probabilities = None` (and shares `None` likewise); it is kept so the caller can count it.
/// Values are kept as printed (no renormalisation: see [`crate::places::report::places_report`]).
///
/// # Errors
/// [`MobilityError::Input`] when the file cannot be read, has no `p_par*_kid*` columns, misses a
/// cell column for some `i, j <= k`, or holds a value that is not a number (naming the line and
/// column).
///
/// # Complexity
/// `O(rows k^2)`.
///
/// # Example
/// ```no_run
/// let places = mobility::io::place_matrices::read_place_matrices(
///     "../shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv",
/// ).unwrap();
/// assert_eq!(places.len(), 741);
/// ```
pub fn read_place_matrices(path: impl AsRef<Path>) -> Result<Vec<PlaceTable>> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let input_error = |location: Option<String>, message: String| MobilityError::Input {
        path: shown.clone(),
        location,
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| input_error(None, e.to_string()))?;
    // UTF-16 input and a quote never closed are named as the CSV readers name them
    let watch = crate::io::encoding::QuoteWatch::new(file, &shown, b',')?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(watch);
    let raw_headers = reader
        .byte_headers()
        .map_err(|e| input_error(None, e.to_string()))?
        .clone();
    if let Some((quote, _)) = reader.get_ref().unterminated() {
        return Err(crate::io::encoding::unterminated_quote(&shown, quote));
    }
    let headers: Vec<String> = crate::io::csv::header_fields(&shown, &raw_headers, 1)?
        .into_iter()
        .map(|h| h.trim().to_string())
        .collect();
    let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    // cell columns
    let mut k = 0;
    for h in &headers {
        if let Some((i, j)) = parse_cell(h) {
            k = k.max(i).max(j);
        }
    }
    if k < 2 {
        return Err(input_error(
            None,
            "no p_par{i}_kid{j} columns (expected the layout of Chetty et al. 2014, table 6)"
                .into(),
        ));
    }
    if k > MAX_CLASSES {
        return Err(input_error(
            None,
            format!(
                "a p_par{{i}}_kid{{j}} column names class {k}; at most {MAX_CLASSES} classes \
                 are supported (check the header)"
            ),
        ));
    }
    let mut cell_col = vec![0usize; k * k];
    for i in 1..=k {
        for j in 1..=k {
            cell_col[(i - 1) * k + (j - 1)] = find(&format!("p_par{i}_kid{j}"))
                .ok_or_else(|| input_error(None, format!("column p_par{i}_kid{j} is missing")))?;
        }
    }
    let share_cols = |prefix: &str| -> Option<Vec<usize>> {
        (1..=k)
            .map(|i| find(&format!("{prefix}{i}")))
            .collect::<Option<Vec<usize>>>()
    };
    let par_cols = share_cols("frac_par_q");
    let kid_cols = share_cols("frac_kid_q");
    let name_col = headers
        .iter()
        .position(|h| h.to_ascii_lowercase().ends_with("name"));
    let region_col = find("state").or_else(|| find("region"));
    let size_col = headers.iter().position(|h| h.starts_with("n_"));

    let mut places = Vec::new();
    let mut record = csv::StringRecord::new();
    for line in 0.. {
        let line_no = line + 2; // header is line 1
        let more = reader.read_record(&mut record);
        if let Some((quote, _)) = reader.get_ref().unterminated() {
            return Err(crate::io::encoding::unterminated_quote(&shown, quote));
        }
        if !more.map_err(|e| input_error(Some(format!("line {line_no}")), e.to_string()))? {
            break;
        }
        let text = |c: usize| record.get(c).unwrap_or("").trim();
        let number = |c: usize| -> Result<Option<f64>> {
            let t = text(c);
            if t.is_empty() || crate::io::csv::is_missing(t.as_bytes()) {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(input_error(
                    Some(format!("line {line_no}, column '{}'", headers[c])),
                    format!(
                        "{} is not a finite number",
                        crate::io::csv::show_cell(t.as_bytes())
                    ),
                )),
            }
        };
        let cells: Vec<Option<f64>> = cell_col.iter().map(|&c| number(c)).collect::<Result<_>>()?;
        let probabilities = cells
            .iter()
            .copied()
            .collect::<Option<Vec<f64>>>()
            .map(|v| Array2::from_shape_vec((k, k), v).expect("k * k cells"));
        let shares = |cols: &Option<Vec<usize>>| -> Result<Option<Vec<f64>>> {
            match cols {
                None => Ok(None),
                Some(cols) => Ok(cols
                    .iter()
                    .map(|&c| number(c))
                    .collect::<Result<Vec<Option<f64>>>>()?
                    .into_iter()
                    .collect::<Option<Vec<f64>>>()),
            }
        };
        places.push(PlaceTable {
            id: normalise_id(text(0)),
            name: name_col.map_or(String::new(), |c| text(c).to_string()),
            region: region_col.map_or(String::new(), |c| text(c).to_string()),
            size: match size_col {
                Some(c) => number(c)?,
                None => None,
            },
            probabilities,
            parent_shares: shares(&par_cols)?,
            child_shares: shares(&kid_cols)?,
        });
    }
    Ok(places)
}

/// `p_par{i}_kid{j}` -> `(i, j)`.
fn parse_cell(h: &str) -> Option<(usize, usize)> {
    let rest = h.strip_prefix("p_par")?;
    let (i, j) = rest.split_once("_kid")?;
    Some((i.parse().ok()?, j.parse().ok()?))
}

/// `"100.0"` -> `"100"` (identifiers printed as floats).
fn normalise_id(s: &str) -> String {
    match s.strip_suffix(".0") {
        Some(head) if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) => {
            head.to_string()
        }
        _ => s.to_string(),
    }
}
