//! Parquet files as a streaming [`Source`]: row groups are read in parallel, only the columns
//! asked for, with the pure-Rust `parquet` crate (no Arrow; snappy and lz4 pages).
//!
//! Status and weight columns may be `DOUBLE`, `FLOAT`, `INT32` or `INT64` (integers above 2^53
//! are rounded to `f64`); a group column `BYTE_ARRAY` (UTF-8) or an integer. A null is a missing
//! value: an error naming the row and column, unless [`Missing::DropRow`] drops the row.
//! Messages are `file, row N, column 'name': what is wrong`, rows numbered from 1 over the file.
//! Memory is one row group's columns per worker thread.

use std::fs::File;
use std::path::Path;

use parquet::basic::Type as PhysicalType;
use parquet::column::reader::ColumnReader;
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;

use crate::error::Result;
use crate::io::csv::{DroppedRows, Missing};
use crate::io::streaming::{FileParts, Missed, PartRead, Projection, Reading, StreamColumns};
use crate::io::{input, io_error};
use crate::stream::source::{Partition, Source};
use crate::stream::{Pass, Summary};

const BATCH: usize = 1 << 16;

/// A Parquet file opened for streaming.
pub struct ParquetSource {
    /// The file's name, the columns read (their leaf columns) and what to do with a null.
    reading: Reading,
    reader: SerializedFileReader<PosFile>,
    /// First row (0-based over the file) of each row group.
    offsets: Vec<u64>,
}

/// One column of a row group: values (nulls as NaN or empty labels) and which rows are null.
enum Col {
    Num(Vec<f64>),
    Text(Vec<String>),
}

impl ParquetSource {
    /// Opens `path` and finds the columns (leaf columns by name).
    ///
    /// # Errors
    /// [`MobilityError::Input`](crate::MobilityError::Input): the file cannot be opened or is
    /// not Parquet, a column is missing or of an unsupported type.
    pub fn open(
        path: impl AsRef<Path>,
        columns: &StreamColumns,
        missing: Missing,
    ) -> Result<ParquetSource> {
        let path = path.as_ref();
        let source = path.display().to_string();
        let file = File::open(path).map_err(|e| io_error(&source, &e))?;
        let reader = SerializedFileReader::new(PosFile(std::sync::Arc::new(file)))
            .map_err(|e| input(&source, None, format!("cannot read the Parquet file: {e}")))?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let leaves: Vec<String> = (0..schema.num_columns())
            .map(|i| schema.column(i).name().to_string())
            .collect();
        let projection = Projection::find(columns, |slot, name| {
            let found: Vec<usize> = (0..leaves.len()).filter(|&i| leaves[i] == *name).collect();
            let i = match found.as_slice() {
                [i] => *i,
                [] => {
                    let list: Vec<String> =
                        leaves.iter().take(20).map(|h| format!("'{h}'")).collect();
                    return Err(input(
                        &source,
                        None,
                        format!("no column '{name}'; the columns are {}", list.join(", ")),
                    ));
                }
                _ => {
                    return Err(input(
                        &source,
                        None,
                        format!("the column '{name}' appears {} times", found.len()),
                    ));
                }
            };
            let ty = schema.column(i).physical_type();
            let ok = match slot {
                3 => matches!(
                    ty,
                    PhysicalType::BYTE_ARRAY | PhysicalType::INT32 | PhysicalType::INT64
                ),
                _ => matches!(
                    ty,
                    PhysicalType::DOUBLE
                        | PhysicalType::FLOAT
                        | PhysicalType::INT32
                        | PhysicalType::INT64
                ),
            };
            if !ok || schema.column(i).max_rep_level() > 0 {
                return Err(input(
                    &source,
                    Some(format!("column '{name}'")),
                    format!(
                        "unsupported column type {ty} (expected a number{})",
                        if slot == 3 { " or text" } else { "" }
                    ),
                ));
            }
            Ok(i)
        })?;
        let mut offsets = Vec::new();
        let mut row = 0u64;
        for g in reader.metadata().row_groups() {
            offsets.push(row);
            row += g.num_rows().max(0) as u64;
        }
        Ok(ParquetSource {
            reading: Reading {
                source,
                projection,
                missing,
            },
            reader,
            offsets,
        })
    }

    /// Whether a weight column is read.
    pub fn weighted(&self) -> bool {
        self.reading.projection.weighted()
    }

    /// Number of row groups.
    pub fn row_groups(&self) -> usize {
        self.offsets.len()
    }

    /// Rows in the file (from the metadata).
    pub fn rows(&self) -> u64 {
        self.reader.metadata().file_metadata().num_rows().max(0) as u64
    }

    /// Reads every row into memory (row groups in parallel).
    ///
    /// # Errors
    /// As [`Source::summarize`].
    pub fn read_all(&self) -> Result<Partition> {
        self.read_all_with_dropped().map(|r| r.0)
    }

    /// The columns this source reads.
    pub fn columns(&self) -> StreamColumns {
        self.reading.projection.columns()
    }

    /// [`ParquetSource::read_all`], with the rows dropped for nulls (under
    /// [`Missing::DropRow`]; `first_line` is the 1-based data row, as Parquet has no lines).
    ///
    /// # Errors
    /// As [`Source::summarize`].
    pub fn read_all_with_dropped(&self) -> Result<(Partition, Option<DroppedRows>)> {
        self.read_all_parts()
    }

    fn read_group(&self, g: usize) -> Result<PartRead> {
        let rg = self.reader.get_row_group(g).map_err(|e| {
            input(
                &self.reading.source,
                Some(format!("row group {}", g + 1)),
                e.to_string(),
            )
        })?;
        let n = rg.metadata().num_rows().max(0) as usize;
        let mut cols: [Option<(Col, Vec<bool>)>; 4] = [None, None, None, None];
        for (slot, col) in cols.iter_mut().enumerate() {
            if let Some(i) = self.reading.projection.index[slot] {
                *col = Some(self.read_column(rg.as_ref(), i, n, slot)?);
            }
        }
        let offset = self.offsets[g];
        let mut part = Partition::default();
        let mut weight = Vec::new();
        let mut codes = Vec::new();
        let mut labels: Vec<String> = Vec::new();
        let mut lookup = std::collections::HashMap::new();
        let mut dropped = 0;
        let mut first_missing = None;
        for r in 0..n {
            if let Some(slot) = (0..4).find(|&s| cols[s].as_ref().is_some_and(|c| c.1[r])) {
                dropped += 1;
                if first_missing.is_none() {
                    first_missing = Some(Missed {
                        at: offset + r as u64,
                        slot,
                        cell: "null".to_string(),
                    });
                }
                continue;
            }
            let num = |s: usize| match &cols[s] {
                Some((Col::Num(v), _)) => v[r],
                _ => 0.0,
            };
            let (p, c) = (num(0), num(1));
            for (s, v) in [(0, p), (1, c), (2, num(2))] {
                if !v.is_finite() || (s == 2 && v < 0.0) {
                    let what = if v.is_finite() {
                        format!("negative weight ({v}); weights must be >= 0")
                    } else {
                        format!("{v} is not a finite number")
                    };
                    return Err(input(
                        &self.reading.source,
                        Some(format!(
                            "row {}, column '{}'",
                            offset + r as u64 + 1,
                            self.reading.projection.names[s]
                        )),
                        what,
                    ));
                }
            }
            part.parent.push(p);
            part.child.push(c);
            if self.reading.projection.index[2].is_some() {
                weight.push(num(2));
            }
            if let Some((Col::Text(t), _)) = &cols[3] {
                let next = labels.len() as u32;
                let code = *lookup.entry(t[r].clone()).or_insert_with(|| {
                    labels.push(t[r].clone());
                    next
                });
                codes.push(code);
            }
        }
        if self.reading.projection.index[2].is_some() {
            part.weight = Some(weight);
        }
        if self.reading.projection.index[3].is_some() {
            part.group = Some((codes, labels));
        }
        Ok(PartRead {
            part,
            dropped,
            first_missing,
        })
    }

    fn read_column(
        &self,
        rg: &dyn RowGroupReader,
        i: usize,
        n: usize,
        slot: usize,
    ) -> Result<(Col, Vec<bool>)> {
        let err = |e: parquet::errors::ParquetError| {
            input(
                &self.reading.source,
                Some(format!("column '{}'", self.reading.projection.names[slot])),
                e.to_string(),
            )
        };
        let max_def = rg.metadata().schema_descr().column(i).max_def_level();
        let reader = rg.get_column_reader(i).map_err(err)?;
        let mut defs: Vec<i16> = Vec::with_capacity(n);
        macro_rules! read_all {
            ($r:expr, $conv:expr) => {{
                let mut r = $r;
                let mut values = Vec::with_capacity(n);
                let mut d = Vec::new();
                let mut vals = Vec::new();
                loop {
                    d.clear();
                    vals.clear();
                    let (records, _, _) = r
                        .read_records(
                            BATCH,
                            if max_def > 0 { Some(&mut d) } else { None },
                            None,
                            &mut vals,
                        )
                        .map_err(err)?;
                    if records == 0 {
                        break;
                    }
                    if max_def > 0 {
                        let mut it = vals.iter();
                        for &l in &d {
                            defs.push(l);
                            values.push(if l == max_def {
                                it.next().map($conv)
                            } else {
                                None
                            });
                        }
                    } else {
                        values.extend(vals.iter().map(|v| Some($conv(v))));
                    }
                }
                values
            }};
        }
        let to_num = |v: Vec<Option<f64>>| {
            let nulls = v.iter().map(Option::is_none).collect();
            (
                Col::Num(v.into_iter().map(|x| x.unwrap_or(0.0)).collect()),
                nulls,
            )
        };
        let to_text = |v: Vec<Option<String>>| {
            let nulls = v.iter().map(Option::is_none).collect();
            (
                Col::Text(v.into_iter().map(Option::unwrap_or_default).collect()),
                nulls,
            )
        };
        let out = match reader {
            ColumnReader::DoubleColumnReader(r) if slot < 3 => to_num(read_all!(r, |v: &f64| *v)),
            ColumnReader::FloatColumnReader(r) if slot < 3 => {
                to_num(read_all!(r, |v: &f32| f64::from(*v)))
            }
            ColumnReader::Int32ColumnReader(r) if slot < 3 => {
                to_num(read_all!(r, |v: &i32| f64::from(*v)))
            }
            ColumnReader::Int64ColumnReader(r) if slot < 3 => {
                to_num(read_all!(r, |v: &i64| *v as f64))
            }
            ColumnReader::Int32ColumnReader(r) => to_text(read_all!(r, |v: &i32| v.to_string())),
            ColumnReader::Int64ColumnReader(r) => to_text(read_all!(r, |v: &i64| v.to_string())),
            ColumnReader::ByteArrayColumnReader(r) => {
                to_text(read_all!(r, |v: &parquet::data_type::ByteArray| {
                    String::from_utf8_lossy(v.data()).into_owned()
                }))
            }
            _ => {
                return Err(input(
                    &self.reading.source,
                    Some(format!("column '{}'", self.reading.projection.names[slot])),
                    "unsupported column type",
                ));
            }
        };
        let _ = defs;
        Ok(out)
    }
}

impl FileParts for ParquetSource {
    fn reading(&self) -> &Reading {
        &self.reading
    }

    fn parts(&self) -> usize {
        self.row_groups()
    }

    fn read_part(&self, g: usize) -> Result<PartRead> {
        self.read_group(g)
    }

    fn place(&self, at: u64) -> (&'static str, u64) {
        ("row", at + 1)
    }
}

impl Source for ParquetSource {
    fn summarize(&self, pass: &Pass) -> Result<Summary> {
        self.summarize_parts(pass)
    }
}

/// A file read with positional reads (`pread`), so row groups can be decoded on many threads at
/// once. The `parquet` crate's own `ChunkReader for File` clones the descriptor, whose clones
/// share one file offset: concurrent row-group readers then seek under each other and decode
/// the wrong bytes (seen as "snappy: corrupt input", short reads, or garbage values).
struct PosFile(std::sync::Arc<File>);

/// A sequential reader at its own offset into a [`PosFile`].
struct PosRead {
    file: std::sync::Arc<File>,
    pos: u64,
}

fn read_at(file: &File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, pos)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, pos)
    }
}

impl std::io::Read for PosRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = read_at(&self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl parquet::file::reader::Length for PosFile {
    fn len(&self) -> u64 {
        self.0.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

impl parquet::file::reader::ChunkReader for PosFile {
    type T = std::io::BufReader<PosRead>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(std::io::BufReader::new(PosRead {
            file: self.0.clone(),
            pos: start,
        }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let mut buf = vec![0u8; length];
        let mut done = 0;
        while done < length {
            let n = read_at(&self.0, &mut buf[done..], start + done as u64)
                .map_err(|e| parquet::errors::ParquetError::External(Box::new(e)))?;
            if n == 0 {
                return Err(parquet::errors::ParquetError::EOF(format!(
                    "expected to read {length} bytes at offset {start}, read only {done}"
                )));
            }
            done += n;
        }
        Ok(buf.into())
    }
}
