//! A fast parallel CSV reader for the streaming passes: the file is cut into chunks at line
//! boundaries (outside quotes) by one sequential scan, chunks are read with positional reads
//! (`pread`, never a whole-file memory map, so the address space used is a few chunks however
//! large the file: it runs under `ulimit -v`) and parsed in parallel, only the columns asked for
//! are parsed, and numbers are parsed by `fast-float2`.
//!
//! Messages follow [`crate::io::csv`]: `file, line N, column 'name': what is wrong`, lines
//! numbered from 1 as an editor shows them (the header is line 1). Cells are trimmed; a field in
//! double quotes may hold the delimiter, newlines and doubled quotes (RFC 4180). Missing values
//! (the empty cell, `NA`, `N/A`, `NaN`, `null`, `.`, any case) are an error unless
//! [`Missing::DropRow`] drops the row.
//!
//! ```
//! use mobility::io::chunked_csv::{CsvSource, StreamColumns};
//! use mobility::io::csv::CsvOptions;
//! let dir = std::env::temp_dir().join("mobility-chunked-doc");
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("pairs.csv");
//! std::fs::write(&path, "id,parent,child\n1,10,12\n2,20,18\n3,30,35\n").unwrap();
//! let cols = StreamColumns::new("parent", "child");
//! let src = CsvSource::open(&path, &cols, &CsvOptions::default()).unwrap();
//! let all = src.read_all().unwrap();
//! assert_eq!(all.child, vec![12.0, 18.0, 35.0]);
//! ```

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use rayon::prelude::*;

use crate::error::{MobilityError, Result};
use crate::io::csv::{CsvOptions, DroppedRows, Missing};
use crate::io::encoding::{self, HEAD_BYTES};
use crate::stream::source::{Partition, Source};
use crate::stream::{Pass, Summary};

/// Bytes per parallel chunk (cut at the next line end).
const CHUNK_BYTES: usize = 4 << 20;

/// The columns a streaming pass reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamColumns {
    /// Parent status column.
    pub parent: String,
    /// Child status column.
    pub child: String,
    /// Weight column.
    pub weight: Option<String>,
    /// Group column (`by`).
    pub group: Option<String>,
}

impl StreamColumns {
    /// Parent and child columns, no weights or groups.
    pub fn new(parent: &str, child: &str) -> StreamColumns {
        StreamColumns {
            parent: parent.into(),
            child: child.into(),
            weight: None,
            group: None,
        }
    }
}

/// A CSV file opened for streaming: header read, chunk bounds found (the file is read chunk by
/// chunk, never mapped whole).
pub struct CsvSource {
    source: String,
    file: File,
    len: usize,
    delimiter: u8,
    missing: Missing,
    fields: usize,
    /// Field index of parent, child, weight, group.
    index: [Option<usize>; 4],
    names: [String; 4],
    /// Byte ranges of the chunks (the body after the header).
    chunks: Vec<(usize, usize)>,
}

/// Rows dropped and kept by one pass over the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowStats {
    /// Rows kept.
    pub rows: u64,
    /// Rows dropped for missing values.
    pub dropped: u64,
}

fn input(source: &str, location: Option<String>, message: impl Into<String>) -> MobilityError {
    MobilityError::Input {
        path: source.to_string(),
        location,
        message: message.into(),
    }
}

/// One parsed chunk, or where its first problem is.
struct Parsed {
    part: Partition,
    dropped: u64,
    first_missing: Option<(usize, usize, String)>, // byte offset, column slot, shown cell
}

impl CsvSource {
    /// Opens `path`, reads the header and finds the columns.
    ///
    /// # Errors
    /// [`MobilityError::Input`]: the file cannot be opened, is empty, lacks a column or names
    /// one twice; it looks like UTF-16 or a header field is not UTF-8; a quote is never closed
    /// (the scan for chunk bounds finds it; named with the line it opens on). A UTF-8
    /// byte-order mark is skipped.
    ///
    /// # Complexity
    /// One sequential scan for quotes and chunk bounds (memchr speed).
    pub fn open(
        path: impl AsRef<Path>,
        columns: &StreamColumns,
        options: &CsvOptions,
    ) -> Result<CsvSource> {
        let path = path.as_ref();
        let source = path.display().to_string();
        if path.is_dir() {
            return Err(input(&source, None, "is a directory, not a CSV file"));
        }
        let file = File::open(path).map_err(|e| io_error(&source, &e))?;
        let len = file.metadata().map_err(|e| io_error(&source, &e))?.len() as usize;
        let delimiter = options.delimiter.byte();
        let (header_end, header) = {
            // read until the header record ends (outside quotes) or the file does
            let mut head = Vec::new();
            let end = loop {
                let want = (head.len().max(1 << 16) * 2).min(len);
                let got = head.len();
                head.resize(want, 0);
                read_exact_at(&file, &mut head[got..], got as u64)
                    .map_err(|e| io_error(&source, &e))?;
                let end = find_record_end(&head, 0);
                if end < head.len() || head.len() == len {
                    break end;
                }
            };
            let skip = encoding::check_start(&source, &head[..head.len().min(HEAD_BYTES)])?;
            if end == len
                && let Some(p) = open_quote(&head[..end], skip)
            {
                return Err(encoding::unterminated_quote(&source, line_at(&file, p)));
            }
            let fields = split_fields(&head[skip.min(end)..end], delimiter);
            let names: Vec<String> =
                crate::io::csv::header_fields(&source, fields.iter().map(|f| unquote(f)), 1)?
                    .into_iter()
                    .map(|h| h.trim().to_string())
                    .collect();
            ((end + 1).min(len), names)
        };
        if header.iter().all(String::is_empty) {
            return Err(input(
                &source,
                None,
                "the file is empty: expected a header row naming the columns",
            ));
        }
        let wanted = [
            Some(columns.parent.clone()),
            Some(columns.child.clone()),
            columns.weight.clone(),
            columns.group.clone(),
        ];
        let mut index = [None; 4];
        for (slot, name) in wanted.iter().enumerate() {
            if let Some(name) = name {
                index[slot] = Some(crate::io::csv::find_column(
                    &source, &header, 1, name, options,
                )?);
            }
        }
        let names = wanted.map(|n| n.unwrap_or_default());
        let (chunks, open) =
            chunk_bounds(&file, len, header_end, CHUNK_BYTES).map_err(|e| io_error(&source, &e))?;
        if let Some(p) = open {
            return Err(encoding::unterminated_quote(&source, line_at(&file, p)));
        }
        Ok(CsvSource {
            source,
            file,
            len,
            delimiter,
            missing: options.missing,
            fields: header.len(),
            index,
            names,
            chunks,
        })
    }

    /// Re-cuts the file into chunks of about `bytes` (default 4 MiB): smaller chunks use less
    /// memory per worker thread.
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn with_chunk_bytes(mut self, bytes: usize) -> Result<CsvSource> {
        let start = self.chunks.first().map_or(self.len, |c| c.0);
        self.chunks = chunk_bounds(&self.file, self.len, start, bytes.max(1))
            .map_err(|e| io_error(&self.source, &e))?
            .0;
        Ok(self)
    }

    /// The file's size in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.len as u64
    }

    /// The file (as given).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Number of data rows, estimated from the first chunk (for a memory budget; exact when the
    /// file is one chunk).
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn estimated_rows(&self) -> Result<u64> {
        let Some(&(a, b)) = self.chunks.first() else {
            return Ok(0);
        };
        let chunk = self.read_chunk(a, b)?;
        let lines = memchr::memchr_iter(b'\n', &chunk).count().max(1) as f64;
        let body = (self.len - a) as f64;
        Ok((lines * body / (b - a).max(1) as f64).ceil() as u64)
    }

    fn read_chunk(&self, a: usize, b: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; b - a];
        read_exact_at(&self.file, &mut buf, a as u64).map_err(|e| io_error(&self.source, &e))?;
        Ok(buf)
    }

    /// Whether a weight column is read.
    pub fn weighted(&self) -> bool {
        self.index[2].is_some()
    }

    /// Number of chunks the file is cut into.
    pub fn chunks(&self) -> usize {
        self.chunks.len()
    }

    /// Reads every row into memory (parsed in parallel): the fast path when the columns fit.
    ///
    /// # Errors
    /// As [`Source::summarize`].
    ///
    /// # Complexity
    /// `O(file size)`, parallel; memory 8 bytes per value read.
    pub fn read_all(&self) -> Result<Partition> {
        self.read_all_with_dropped().map(|r| r.0)
    }

    /// The columns this source reads.
    pub fn columns(&self) -> StreamColumns {
        let name = |i: usize| self.index[i].map(|_| self.names[i].clone());
        StreamColumns {
            parent: self.names[0].clone(),
            child: self.names[1].clone(),
            weight: name(2),
            group: name(3),
        }
    }

    /// [`CsvSource::read_all`], with the rows dropped for missing values (under
    /// [`Missing::DropRow`]).
    ///
    /// # Errors
    /// As [`Source::summarize`].
    pub fn read_all_with_dropped(&self) -> Result<(Partition, Option<DroppedRows>)> {
        let parts: Vec<Parsed> = self
            .chunks
            .par_iter()
            .map(|&(a, b)| self.parse(a, b))
            .collect::<Result<_>>()?;
        self.check_missing(&parts)?;
        let dropped_rows: u64 = parts.iter().map(|p| p.dropped).sum();
        let dropped = parts
            .iter()
            .find_map(|p| p.first_missing.clone())
            .map(|(pos, slot, _)| DroppedRows {
                rows: dropped_rows as usize,
                first_line: self.line_at(pos),
                first_column: self.names[slot].clone(),
            });
        let all = Partition::concat(
            parts.iter().map(|p| &p.part),
            self.weighted(),
            self.index[3].is_some(),
        );
        if all.parent.is_empty() {
            return Err(input(&self.source, None, "no data rows"));
        }
        Ok((all, dropped))
    }

    /// Rows kept and dropped (one parallel pass).
    ///
    /// # Errors
    /// As [`Source::summarize`].
    pub fn row_stats(&self) -> Result<RowStats> {
        let parts: Vec<(u64, u64)> = self
            .chunks
            .par_iter()
            .map(|&(a, b)| {
                self.parse(a, b)
                    .map(|p| (p.part.parent.len() as u64, p.dropped))
            })
            .collect::<Result<_>>()?;
        Ok(RowStats {
            rows: parts.iter().map(|p| p.0).sum(),
            dropped: parts.iter().map(|p| p.1).sum(),
        })
    }

    fn check_missing(&self, parts: &[Parsed]) -> Result<()> {
        if self.missing == Missing::DropRow {
            return Ok(());
        }
        let total: u64 = parts.iter().map(|p| p.dropped).sum();
        if let Some((pos, slot, cell)) = parts.iter().find_map(|p| p.first_missing.clone()) {
            let line = self.line_at(pos);
            let rows = if total == 1 {
                "1 row has a missing value".to_string()
            } else {
                format!("{total} rows have missing values")
            };
            return Err(input(
                &self.source,
                Some(format!("line {line}, column '{}'", self.names[slot])),
                format!(
                    "missing value ({cell}); {rows} in the columns used, the first on line {line}"
                ),
            ));
        }
        Ok(())
    }

    /// The editor line of a byte offset (only computed for messages).
    fn line_at(&self, pos: usize) -> u64 {
        line_at(&self.file, pos)
    }

    fn parse(&self, start: usize, end: usize) -> Result<Parsed> {
        thread_local! {
            // one chunk buffer per worker thread, reused (no fresh pages per chunk)
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|buf| {
            buf.clear();
            buf.resize(end - start, 0);
            read_exact_at(&self.file, buf, start as u64).map_err(|e| io_error(&self.source, &e))?;
            self.parse_bytes(buf, start)
        })
    }

    /// Parses one chunk's bytes; `base` is its offset in the file (for line numbers).
    fn parse_bytes(&self, data: &[u8], base: usize) -> Result<Parsed> {
        let (start, end) = (0usize, data.len());
        let d = self.delimiter;
        let [ip, ic, iw, ig] = self.index;
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
                    &self.source,
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
                        missing.get_or_insert((slot, show_cell(raw)));
                        continue;
                    }
                    if let Err(e) = std::str::from_utf8(t) {
                        let l = self.line_at(line_start);
                        return Err(input(
                            &self.source,
                            Some(format!("line {l}, column '{}'", self.names[slot])),
                            encoding::not_utf8("the label", t, &e),
                        ));
                    }
                    let next = labels.len() as u32;
                    let code = *lookup.entry(t.to_vec()).or_insert_with(|| {
                        labels.push(String::from_utf8_lossy(t).into_owned());
                        next
                    });
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
                            let l = self.line_at(line_start);
                            return Err(input(
                                &self.source,
                                Some(format!("line {l}, column '{}'", self.names[slot])),
                                format!(
                                    "negative weight ({}); weights must be >= 0",
                                    String::from_utf8_lossy(t)
                                ),
                            ));
                        }
                        row[slot] = v;
                    }
                    Ok(v) if v.is_nan() => {
                        missing.get_or_insert((slot, show_cell(raw)));
                    }
                    _ if is_missing(t) => {
                        missing.get_or_insert((slot, show_cell(raw)));
                    }
                    other => {
                        let l = self.line_at(line_start);
                        let what = if let Err(e) = std::str::from_utf8(t) {
                            encoding::not_utf8("the cell", t, &e)
                        } else if other.is_ok() {
                            format!("{} is not a finite number", show_cell(t))
                        } else {
                            format!("{} is not a number", show_cell(t))
                        };
                        return Err(input(
                            &self.source,
                            Some(format!("line {l}, column '{}'", self.names[slot])),
                            what,
                        ));
                    }
                }
            }
            if let Some((slot, cell)) = missing {
                if ig.is_some() && codes.len() > part.parent.len() {
                    codes.pop(); // the group code of a dropped row
                }
                dropped += 1;
                if first_missing.is_none() {
                    first_missing = Some((line_start, slot, cell));
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
        Ok(Parsed {
            part,
            dropped,
            first_missing,
        })
    }
}

impl Source for CsvSource {
    fn summarize(&self, pass: &Pass) -> Result<Summary> {
        type Missed = Option<(usize, usize, String)>;
        let (acc, dropped, first_missing) = self
            .chunks
            .par_iter()
            .map(|&(a, b)| {
                let p = self.parse(a, b)?;
                let s = pass.summarize(&p.part.batch())?;
                Ok((s, p.dropped, p.first_missing))
            })
            .try_reduce(
                || (pass.empty(), 0, None),
                |(mut a, da, fa): (Summary, u64, Missed), (b, db, fb)| {
                    a.merge(b)?;
                    let first = match (fa, fb) {
                        (Some(x), Some(y)) => Some(if x.0 <= y.0 { x } else { y }),
                        (x, y) => x.or(y),
                    };
                    Ok((a, da + db, first))
                },
            )?;
        self.check_missing(&[Parsed {
            part: Partition::default(),
            dropped,
            first_missing,
        }])?;
        Ok(acc)
    }
}

/// The line (1-based) of byte `pos` of the file.
fn line_at(file: &File, pos: usize) -> u64 {
    let mut lines = 1u64;
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0usize;
    while at < pos {
        let n = (pos - at).min(buf.len());
        if read_exact_at(file, &mut buf[..n], at as u64).is_err() {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        at += n;
    }
    lines
}

/// Where the quote still open at the end of `data` opens (quote parity from `from`, as this
/// reader splits fields), if one is.
fn open_quote(data: &[u8], from: usize) -> Option<usize> {
    let mut open = None;
    for (i, &b) in data.iter().enumerate().skip(from) {
        if b == b'"' {
            open = if open.is_some() { None } else { Some(i) };
        }
    }
    open
}

fn io_error(source: &str, e: &std::io::Error) -> MobilityError {
    let message = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => format!("cannot read the file: {e}"),
    };
    input(source, None, message)
}

/// The end of the record starting at `pos` (index of its `\n`, or the length), skipping
/// newlines inside quotes.
fn find_record_end(data: &[u8], pos: usize) -> usize {
    let Some(nl) = memchr::memchr(b'\n', &data[pos..]).map(|p| pos + p) else {
        return data.len();
    };
    if memchr::memchr(b'"', &data[pos..nl]).is_none() {
        return nl;
    }
    let mut inside = false;
    for (i, &b) in data[pos..].iter().enumerate() {
        match b {
            b'"' => inside = !inside,
            b'\n' if !inside => return pos + i,
            _ => {}
        }
    }
    data.len()
}

/// A chunk's byte range `(start, end)`.
type Span = (usize, usize);

/// Chunk bounds of about [`CHUNK_BYTES`], each ending at a record end outside quotes: in
/// parallel when the file has no quote ([`plain_chunk_bounds`]), else by one sequential scan.
/// Also where a quote still open at the end of the file opens, if one is.
fn chunk_bounds(
    file: &File,
    len: usize,
    start: usize,
    chunk_bytes: usize,
) -> std::io::Result<(Vec<Span>, Option<usize>)> {
    match plain_chunk_bounds(file, len, start, chunk_bytes)? {
        Some(chunks) => Ok((chunks, None)),
        None => scan_chunk_bounds(file, len, start, chunk_bytes),
    }
}

/// The chunk bounds of a file with no quote at all, found in parallel: each chunk of about
/// `chunk_bytes` ends at the first newline at or after its nominal end. `None` when a quote
/// appears anywhere (a newline may then be inside a field: [`scan_chunk_bounds`] tracks it).
fn plain_chunk_bounds(
    file: &File,
    len: usize,
    start: usize,
    chunk_bytes: usize,
) -> std::io::Result<Option<Vec<Span>>> {
    let blocks = (len.saturating_sub(start)).div_ceil(chunk_bytes);
    // per block [start + i c - 1, start + (i + 1) c - 1): whether it has a quote, and the
    // position just after its first newline (a record start at or after start + i c)
    let scans: Vec<(bool, Option<usize>)> = (0..blocks)
        .into_par_iter()
        .map_init(Vec::new, |buf: &mut Vec<u8>, i| {
            let a = (start + i * chunk_bytes).saturating_sub(1).max(start);
            let b = (start + (i + 1) * chunk_bytes - 1).min(len);
            buf.clear();
            buf.resize(b - a, 0);
            read_exact_at(file, buf, a as u64)?;
            let quote = memchr::memchr(b'"', buf).is_some();
            let newline = if i == 0 {
                Some(start)
            } else {
                memchr::memchr(b'\n', buf).map(|p| a + p + 1)
            };
            Ok((quote, newline))
        })
        .collect::<std::io::Result<_>>()?;
    if scans.iter().any(|s| s.0) {
        return Ok(None);
    }
    let mut bounds: Vec<usize> = scans.iter().filter_map(|s| s.1).collect();
    bounds.push(len);
    bounds.dedup();
    Ok(Some(
        bounds
            .windows(2)
            .map(|w| (w[0], w[1]))
            .filter(|(a, b)| a < b)
            .collect(),
    ))
}

/// Chunk bounds by one sequential scan of the body in 1 MiB blocks, quote parity tracked across
/// blocks (blocks without quotes are skipped at memchr speed).
fn scan_chunk_bounds(
    file: &File,
    len: usize,
    start: usize,
    chunk_bytes: usize,
) -> std::io::Result<(Vec<Span>, Option<usize>)> {
    let mut opened = 0usize;
    const BLOCK: usize = 1 << 20;
    let mut out = Vec::new();
    let mut a = start;
    let mut inside = false;
    let mut buf = vec![0u8; BLOCK];
    let mut at = start;
    while at < len {
        let n = (len - at).min(BLOCK);
        let block = &mut buf[..n];
        read_exact_at(file, block, at as u64)?;
        let mut i = 0usize;
        if memchr::memchr(b'"', block).is_none() {
            // parity unchanged in this block: cut at the first newline at or after each target
            while !inside && i <= n {
                let target = (a + chunk_bytes).max(at + i);
                if target >= at + n {
                    break;
                }
                match memchr::memchr(b'\n', &block[target - at..]) {
                    Some(p) => {
                        let b = target + p + 1;
                        out.push((a, b));
                        a = b;
                        i = b - at;
                    }
                    None => break,
                }
            }
        } else {
            for (j, &c) in block.iter().enumerate() {
                if c == b'"' {
                    inside = !inside;
                    if inside {
                        opened = at + j;
                    }
                } else if c == b'\n' && !inside && at + j >= a + chunk_bytes {
                    let b = at + j + 1;
                    out.push((a, b));
                    a = b;
                }
            }
        }
        at += n;
    }
    if a < len {
        out.push((a, len));
    }
    Ok((out, inside.then_some(opened)))
}

/// Fills `buf` from `pos` with positional reads (no shared file offset, so threads can read
/// chunks at once).
fn read_exact_at(file: &File, buf: &mut [u8], pos: u64) -> std::io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(file, &mut buf[done..], pos + done as u64)?;
        #[cfg(windows)]
        let n =
            std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], pos + done as u64)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file is shorter than when it was opened",
            ));
        }
        done += n;
    }
    Ok(())
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

fn split_fields(line: &[u8], d: u8) -> Vec<&[u8]> {
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
fn unquote(raw: &[u8]) -> Vec<u8> {
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

fn is_missing(t: &[u8]) -> bool {
    t.is_empty()
        || t == b"."
        || [&b"na"[..], b"n/a", b"nan", b"null"]
            .iter()
            .any(|m| t.eq_ignore_ascii_case(m))
}

fn show_cell(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let s = s.trim();
    if s.is_empty() {
        return "empty cell".to_string();
    }
    let mut out: String = s
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .take(40)
        .collect();
    if s.chars().count() > 40 {
        out.push_str("...");
    }
    format!("'{out}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("mobility-chunked-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn quotes_crlf_blank_lines_and_groups() {
        let p = write(
            "q.csv",
            "\"id\",parent,child,w,region\r\n1,\"1,5\",2,1,\"north\"\r\n\r\n2, 3 ,4,2,\"so\nuth\"\r\n3,5,6,0,north\r\n",
        );
        let mut cols = StreamColumns::new("child", "w");
        cols.group = Some("region".into());
        let s = CsvSource::open(&p, &cols, &CsvOptions::default()).unwrap();
        let a = s.read_all().unwrap();
        assert_eq!(a.parent, vec![2.0, 4.0, 6.0]);
        assert_eq!(a.child, vec![1.0, 2.0, 0.0]);
        let (codes, labels) = a.group.unwrap();
        assert_eq!(labels, vec!["north".to_string(), "so\nuth".to_string()]);
        assert_eq!(codes, vec![0, 1, 0]);
        // a quoted number with a comma is not a number: line 2, column 'parent'
        let e = CsvSource::open(
            &p,
            &StreamColumns::new("parent", "child"),
            &CsvOptions::default(),
        )
        .unwrap()
        .read_all()
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}, line 2, column 'parent': '1,5' is not a number",
                p.display()
            )
        );
    }

    #[test]
    fn messages_name_file_line_and_column() {
        let p = write("m.csv", "parent,child\n1,2\n3,\n5,NA\n");
        let s = CsvSource::open(
            &p,
            &StreamColumns::new("parent", "child"),
            &CsvOptions::default(),
        )
        .unwrap();
        let e = s.read_all().unwrap_err().to_string();
        assert!(e.ends_with("line 3, column 'child': missing value (empty cell); 2 rows have missing values in the columns used, the first on line 3"), "{e}");
        let drop = CsvOptions {
            missing: Missing::DropRow,
            ..CsvOptions::default()
        };
        let s = CsvSource::open(&p, &StreamColumns::new("parent", "child"), &drop).unwrap();
        assert_eq!(
            s.row_stats().unwrap(),
            RowStats {
                rows: 1,
                dropped: 2
            }
        );
        let p = write("f.csv", "parent,child\n1,2\n3,4,5\n");
        let e = CsvSource::open(
            &p,
            &StreamColumns::new("parent", "child"),
            &CsvOptions::default(),
        )
        .unwrap()
        .read_all()
        .unwrap_err()
        .to_string();
        assert!(
            e.ends_with("line 3: 3 fields, but the header (line 1) has 2"),
            "{e}"
        );
        let e = CsvSource::open(
            &p,
            &StreamColumns::new("parent", "kid"),
            &CsvOptions::default(),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            e.contains("column 'kid': no such column in the header (line 1); the columns are 'parent', 'child'"),
            "{e}"
        );
        let p = write("w.csv", "parent,child,w\n1,2,-1\n");
        let mut c = StreamColumns::new("parent", "child");
        c.weight = Some("w".into());
        let e = CsvSource::open(&p, &c, &CsvOptions::default())
            .unwrap()
            .read_all()
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("line 2, column 'w': negative weight (-1); weights must be >= 0"),
            "{e}"
        );
        let p = write("i.csv", "parent,child\n1,inf\n");
        let e = CsvSource::open(
            &p,
            &StreamColumns::new("parent", "child"),
            &CsvOptions::default(),
        )
        .unwrap()
        .read_all()
        .unwrap_err()
        .to_string();
        assert!(
            e.ends_with("line 2, column 'child': 'inf' is not a finite number"),
            "{e}"
        );
    }

    #[test]
    fn chunks_split_at_line_ends_outside_quotes() {
        let mut text = String::from("a,b\n");
        for i in 0..200_000 {
            if i % 1000 == 0 {
                text.push_str(&format!("\"{i}\",\"x\ny\"\n"));
            } else {
                text.push_str(&format!("{i},{}\n", i % 7));
            }
        }
        let p = write("big.csv", &text);
        let c = StreamColumns::new("a", "a");
        for bytes in [usize::MAX / 4, 10_000, 777, 1] {
            let s = CsvSource::open(&p, &c, &CsvOptions::default())
                .unwrap()
                .with_chunk_bytes(bytes)
                .unwrap();
            let a = s.read_all().unwrap();
            assert_eq!(a.parent.len(), 200_000);
            assert!(a.parent.iter().enumerate().all(|(i, &v)| v == i as f64));
            assert!(s.chunks.windows(2).all(|w| w[0].1 == w[1].0));
            if bytes == 777 {
                assert!(s.chunks() > 1000);
            }
        }
    }

    #[test]
    fn quote_free_chunks_are_found_in_parallel_and_split_at_line_ends() {
        // no quote anywhere: the parallel bounds; long and short lines, CRLF and blank lines
        let mut text = String::from("a,b\r\n");
        for i in 0..50_000 {
            if i % 997 == 0 {
                text.push_str(&format!("{i},{}\r\n\r\n", "9".repeat(3000)));
            } else {
                text.push_str(&format!("{i},{}\n", i % 7));
            }
        }
        let p = write("plain.csv", &text);
        let c = StreamColumns::new("a", "a");
        for bytes in [usize::MAX / 4, 10_000, 777, 13, 1] {
            let s = CsvSource::open(&p, &c, &CsvOptions::default())
                .unwrap()
                .with_chunk_bytes(bytes)
                .unwrap();
            let a = s.read_all().unwrap();
            assert_eq!(a.parent.len(), 50_000, "chunks of {bytes} bytes");
            assert!(a.parent.iter().enumerate().all(|(i, &v)| v == i as f64));
            assert!(s.chunks.windows(2).all(|w| w[0].1 == w[1].0));
            assert_eq!(s.chunks.last().map(|c| c.1), Some(text.len()));
            assert!(
                s.chunks
                    .iter()
                    .all(|&(a, b)| a < b && text.as_bytes()[a - 1] == b'\n')
            );
            if bytes <= 777 {
                assert!(s.chunks() > 500, "{} chunks of {bytes} bytes", s.chunks());
            }
        }
    }
}
