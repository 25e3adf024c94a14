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
//! [`Missing::DropRow`]: crate::io::csv::Missing::DropRow
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

use std::fs::File;
use std::path::Path;

use rayon::prelude::*;

use crate::error::Result;
use crate::io::csv::{CsvOptions, DroppedRows};
use crate::io::encoding::{self, HEAD_BYTES};
use crate::io::{input, io_error};
use crate::stream::source::{Partition, Source};
use crate::stream::{Pass, Summary};

mod bounds;
mod parse;
#[cfg(test)]
mod tests;

pub use crate::io::streaming::StreamColumns;
use crate::io::streaming::{FileParts, PartRead, Projection, Reading};
use bounds::{chunk_bounds, find_record_end, line_at, open_quote, read_exact_at};
use parse::{split_fields, unquote};

/// Bytes per parallel chunk (cut at the next line end).
const CHUNK_BYTES: usize = 4 << 20;

/// A CSV file opened for streaming: header read, chunk bounds found (the file is read chunk by
/// chunk, never mapped whole).
pub struct CsvSource {
    /// The file's name, the columns read (their fields) and what to do with a missing value.
    reading: Reading,
    file: File,
    len: usize,
    delimiter: u8,
    fields: usize,
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

impl CsvSource {
    /// Opens `path`, reads the header and finds the columns.
    ///
    /// # Errors
    /// [`MobilityError::Input`](crate::MobilityError::Input): the file cannot be opened, is
    /// empty, lacks a column or names one twice; it looks like UTF-16 or a header field is not
    /// UTF-8; a quote is never closed (the scan for chunk bounds finds it; named with the line
    /// it opens on). A UTF-8 byte-order mark is skipped.
    ///
    /// # Complexity
    /// One sequential scan for quotes and chunk bounds (memchr speed).
    pub fn open(
        path: impl AsRef<Path>,
        columns: &StreamColumns,
        options: &CsvOptions,
    ) -> Result<CsvSource> {
        let (file, source) = crate::io::csv::open(path.as_ref())?;
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
        let projection = Projection::find(columns, |_, name| {
            crate::io::csv::find_column(&source, &header, 1, name, options)
        })?;
        let (chunks, open) =
            chunk_bounds(&file, len, header_end, CHUNK_BYTES).map_err(|e| io_error(&source, &e))?;
        if let Some(p) = open {
            return Err(encoding::unterminated_quote(&source, line_at(&file, p)));
        }
        Ok(CsvSource {
            reading: Reading {
                source,
                projection,
                missing: options.missing,
            },
            file,
            len,
            delimiter,
            fields: header.len(),
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
            .map_err(|e| io_error(&self.reading.source, &e))?
            .0;
        Ok(self)
    }

    /// The file's size in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.len as u64
    }

    /// The file (as given).
    pub fn source(&self) -> &str {
        &self.reading.source
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
        read_exact_at(&self.file, &mut buf, a as u64)
            .map_err(|e| io_error(&self.reading.source, &e))?;
        Ok(buf)
    }

    /// Whether a weight column is read.
    pub fn weighted(&self) -> bool {
        self.reading.projection.weighted()
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
        self.reading.projection.columns()
    }

    /// [`CsvSource::read_all`], with the rows dropped for missing values (under
    /// [`Missing::DropRow`](crate::io::csv::Missing::DropRow)).
    ///
    /// # Errors
    /// As [`Source::summarize`].
    pub fn read_all_with_dropped(&self) -> Result<(Partition, Option<DroppedRows>)> {
        let (all, dropped) = self.read_all_parts()?;
        if all.parent.is_empty() {
            return Err(input(&self.reading.source, None, "no data rows"));
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

    /// The editor line of a byte offset (only computed for messages).
    fn line_at(&self, pos: usize) -> u64 {
        line_at(&self.file, pos)
    }
}

impl FileParts for CsvSource {
    fn reading(&self) -> &Reading {
        &self.reading
    }

    fn parts(&self) -> usize {
        self.chunks.len()
    }

    fn read_part(&self, i: usize) -> Result<PartRead> {
        let (a, b) = self.chunks[i];
        self.parse(a, b)
    }

    fn place(&self, at: u64) -> (&'static str, u64) {
        ("line", self.line_at(at as usize))
    }
}

impl Source for CsvSource {
    fn summarize(&self, pass: &Pass) -> Result<Summary> {
        self.summarize_parts(pass)
    }
}
