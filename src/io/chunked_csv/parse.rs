//! Record parsing: one chunk's bytes into the columns asked for. A record ends at a newline
//! outside quotes; only the fields up to the last one needed are cut out; numbers are parsed by
//! `fast-float2`, group labels numbered in the order they appear; a row with a missing value is
//! counted (and dropped or reported, as [`Missing`](crate::io::csv::Missing) says).

use std::collections::HashMap;

use super::CsvSource;
use super::bounds::{find_record_end, read_exact_at};
use crate::error::{MobilityError, Result};
use crate::io::csv::{is_missing, show_cell};
use crate::io::encoding;
use crate::io::streaming::{Missed, PartRead};
use crate::io::{input, io_error};
use crate::stream::source::Partition;

impl CsvSource {
    /// Reads the chunk `start..end` (into a buffer kept per worker thread) and parses it.
    pub(super) fn parse(&self, start: usize, end: usize) -> Result<PartRead> {
        thread_local! {
            // one chunk buffer per worker thread, reused (no fresh pages per chunk)
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|buf| {
            buf.clear();
            buf.resize(end - start, 0);
            read_exact_at(&self.file, buf, start as u64)
                .map_err(|e| io_error(&self.reading.source, &e))?;
            self.parse_bytes(buf, start)
        })
    }

    /// Parses one chunk's bytes; `base` is its offset in the file (for line numbers).
    fn parse_bytes(&self, data: &[u8], base: usize) -> Result<PartRead> {
        let (start, end) = (0usize, data.len());
        let d = self.delimiter;
        let [ip, ic, iw, ig] = self.reading.projection.index;
        let (ip, ic) = (ip.unwrap_or(0), ic.unwrap_or(0));
        let slots: Vec<(usize, usize)> = [Some(ip), Some(ic), iw, ig]
            .iter()
            .enumerate()
            .filter_map(|(s, i)| i.map(|i| (i, s)))
            .collect();
        let max_field = slots.iter().map(|s| s.0).max().unwrap_or(0);
        let mut part = Partition::default();
        let guess = (end - start) / 16;
        part.parent.reserve(guess);
        part.child.reserve(guess);
        let mut weight: Vec<f64> = Vec::new();
        let mut codes: Vec<u32> = Vec::new();
        let mut labels: Vec<String> = Vec::new();
        let mut lookup: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut dropped = 0u64;
        let mut first_missing = None;
        let mut pos = start;
        let mut cells: Vec<(usize, usize)> = vec![(0, 0); max_field + 1];
        // Most numeric files have no quote at all: then a record ends at the next newline and a
        // field at the next delimiter, found in one scan of the line.
        let chunk_quoted = memchr::memchr(b'"', data).is_some();
        while pos < end {
            let line_end = if chunk_quoted {
                find_record_end(data, pos)
            } else {
                memchr::memchr(b'\n', &data[pos..]).map_or(end, |p| pos + p)
            };
            let mut line = &data[pos..line_end];
            let line_start = base + pos;
            pos = line_end + 1;
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            if line.first().is_none_or(u8::is_ascii_whitespace)
                && line.iter().all(u8::is_ascii_whitespace)
            {
                continue; // blank line (as the csv crate skips them)
            }
            let quoted = chunk_quoted && memchr::memchr(b'"', line).is_some();
            let nfields = if quoted {
                // field bounds up to the last needed one, then count the rest
                let mut nfields = 0usize;
                let mut i = 0usize;
                loop {
                    let fend = field_end_quoted(line, i, d);
                    if nfields <= max_field {
                        cells[nfields] = (i, fend);
                    }
                    nfields += 1;
                    if fend >= line.len() {
                        break nfields;
                    }
                    i = fend + 1;
                }
            } else {
                split_plain(line, d, &mut cells)
            };
            if nfields != self.fields {
                let l = self.line_at(line_start);
                return Err(input(
                    &self.reading.source,
                    Some(format!("line {l}")),
                    format!(
                        "{nfields} fields, but the header (line 1) has {}",
                        self.fields
                    ),
                ));
            }
            let mut row = [0.0f64; 3];
            let mut missing = None;
            for &(field, slot) in &slots {
                let (a, b) = cells[field];
                let raw = &line[a..b];
                if slot == 3 {
                    let cell = unquote(raw);
                    let t = trim(&cell);
                    if is_missing(t) {
                        missing.get_or_insert_with(|| (slot, show_cell(raw)));
                        continue;
                    }
                    if let Err(e) = std::str::from_utf8(t) {
                        let what = encoding::not_utf8("the label", t, &e);
                        return Err(self.cell_error(line_start, slot, what));
                    }
                    let code = match lookup.get(t) {
                        Some(&code) => code,
                        None => {
                            let code = labels.len() as u32;
                            labels.push(String::from_utf8_lossy(t).into_owned());
                            lookup.insert(t.to_vec(), code);
                            code
                        }
                    };
                    codes.push(code);
                    continue;
                }
                let owned;
                let t = if chunk_quoted && raw.contains(&b'"') {
                    owned = unquote(raw);
                    trim(&owned)
                } else {
                    trim(raw)
                };
                match fast_float2::parse::<f64, _>(t) {
                    Ok(v) if v.is_finite() => {
                        if slot == 2 && v < 0.0 {
                            let what = format!(
                                "negative weight ({}); weights must be >= 0",
                                String::from_utf8_lossy(t)
                            );
                            return Err(self.cell_error(line_start, slot, what));
                        }
                        row[slot] = v;
                    }
                    Ok(v) if v.is_nan() => {
                        missing.get_or_insert_with(|| (slot, show_cell(raw)));
                    }
                    _ if is_missing(t) => {
                        missing.get_or_insert_with(|| (slot, show_cell(raw)));
                    }
                    other => {
                        let what = if let Err(e) = std::str::from_utf8(t) {
                            encoding::not_utf8("the cell", t, &e)
                        } else if other.is_ok() {
                            format!("{} is not a finite number", show_cell(t))
                        } else {
                            format!("{} is not a number", show_cell(t))
                        };
                        return Err(self.cell_error(line_start, slot, what));
                    }
                }
            }
            if let Some((slot, cell)) = missing {
                if ig.is_some() && codes.len() > part.parent.len() {
                    codes.pop(); // the group code of a dropped row
                }
                dropped += 1;
                if first_missing.is_none() {
                    first_missing = Some(Missed {
                        at: line_start as u64,
                        slot,
                        cell,
                    });
                }
                continue;
            }
            part.parent.push(row[0]);
            part.child.push(row[1]);
            if iw.is_some() {
                weight.push(row[2]);
            }
        }
        if iw.is_some() {
            part.weight = Some(weight);
        }
        if ig.is_some() {
            part.group = Some((codes, labels));
        }
        Ok(PartRead {
            part,
            dropped,
            first_missing,
        })
    }

    /// `line N, column 'name': what` for the cell of column `slot` in the record at byte
    /// `line_start` (the line is only counted for the message).
    fn cell_error(&self, line_start: usize, slot: usize, what: String) -> MobilityError {
        let l = self.line_at(line_start);
        input(
            &self.reading.source,
            Some(format!(
                "line {l}, column '{}'",
                self.reading.projection.names[slot]
            )),
            what,
        )
    }
}

/// The bounds of the first `cells.len()` fields of a line without quotes, and its number of
/// fields: one scan for the delimiter.
fn split_plain(line: &[u8], d: u8, cells: &mut [(usize, usize)]) -> usize {
    let mut nfields = 0usize;
    let mut start = 0usize;
    for i in memchr::memchr_iter(d, line) {
        if let Some(cell) = cells.get_mut(nfields) {
            *cell = (start, i);
        }
        nfields += 1;
        start = i + 1;
    }
    if let Some(cell) = cells.get_mut(nfields) {
        *cell = (start, line.len());
    }
    nfields + 1
}

pub(super) fn split_fields(line: &[u8], d: u8) -> Vec<&[u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let e = field_end_quoted(line, i, d);
        out.push(&line[i..e]);
        if e >= line.len() {
            break;
        }
        i = e + 1;
    }
    out
}

/// End of the field starting at `i` (quotes respected).
fn field_end_quoted(line: &[u8], i: usize, d: u8) -> usize {
    let mut inside = false;
    for (j, &b) in line[i..].iter().enumerate() {
        if b == b'"' {
            inside = !inside;
        } else if b == d && !inside {
            return i + j;
        }
    }
    line.len()
}

/// A field without its surrounding quotes, doubled quotes undone.
pub(super) fn unquote(raw: &[u8]) -> Vec<u8> {
    let t = trim(raw);
    if t.len() >= 2 && t[0] == b'"' && t[t.len() - 1] == b'"' {
        let inner = &t[1..t.len() - 1];
        let mut out = Vec::with_capacity(inner.len());
        let mut k = 0;
        while k < inner.len() {
            out.push(inner[k]);
            if inner[k] == b'"' && inner.get(k + 1) == Some(&b'"') {
                k += 1;
            }
            k += 1;
        }
        out
    } else {
        t.to_vec()
    }
}

/// `b` without ASCII white space around it.
fn trim(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &b[s..e.max(s)]
}
