//! Files on one machine, as `mobility analyze FILE` reads them: CSV or Parquet, parsed **once
//! into columns** when they fit a memory budget (then everything is the in-memory path: the
//! same matrix, rank measures and bootstrap), **streamed** in bounded memory otherwise (cut-off
//! search passes, then one counting pass; the matrix is bit-identical, see [`crate::stream`]).
//!
//! ```text
//! estimate  = rows (from the file's first chunk, or Parquet metadata) x bytes per row
//! in memory   when estimate <= memory limit  (or the source is standard input)
//! streamed    otherwise: memory O(threads x chunk + k^2 groups), independent of the rows
//! ```
//! Rank measures need every unit's rank (`O(n)` keys): they are computed in memory only; a
//! streamed file leaves them out (`rank_measures: null`, with a note saying why).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Parameter, Result};
use crate::inference::bootstrap::numeric_cluster_key;
use crate::inference::{Bootstrap, Selection};
use crate::io::chunked_csv::{CsvSource, StreamColumns};
use crate::io::csv::{CsvOptions, DroppedRows};
use crate::io::parquet::ParquetSource;
use crate::limits::size_text;
use crate::matrix::{ClassSpec, TransitionMatrix};
use crate::measures::Weighting;
use crate::rankbased::rank_mobility;
use crate::report::{AnalysisReport, Report};
use crate::stream::source::{Partition, Source};
use crate::stream::{Pass, RunOptions, StreamSpec, Summary};
use crate::weights::WeightKind;

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Comma- (or `;`, tab) separated values with a header row.
    Csv,
    /// Apache Parquet (uncompressed, snappy, gzip, lz4 or brotli pages; not zstd).
    Parquet,
}

crate::error::named_enum!(FileFormat, Format, "file format", {
    Csv => "csv" | "tsv" | "txt",
    Parquet => "parquet" | "pq",
});

impl FileFormat {
    /// The format a path's extension names (`.parquet`, `.pq`: Parquet; anything else: CSV).
    pub fn from_path(path: &Path) -> FileFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq") => {
                FileFormat::Parquet
            }
            _ => FileFormat::Csv,
        }
    }
}

/// An opened CSV or Parquet file, read chunk by chunk (a [`Source`]).
pub enum FileSource {
    /// A CSV file.
    Csv(CsvSource),
    /// A Parquet file.
    Parquet(ParquetSource),
}

impl FileSource {
    /// Opens `path` as `format` (`None`: from the extension), finding `columns`.
    ///
    /// # Errors
    /// [`MobilityError::Input`]: the file cannot be read, a column is missing.
    pub fn open(
        path: &Path,
        format: Option<FileFormat>,
        columns: &StreamColumns,
        options: &CsvOptions,
    ) -> Result<FileSource> {
        Ok(
            match format.unwrap_or_else(|| FileFormat::from_path(path)) {
                FileFormat::Csv => FileSource::Csv(CsvSource::open(path, columns, options)?),
                FileFormat::Parquet => {
                    FileSource::Parquet(ParquetSource::open(path, columns, options.missing)?)
                }
            },
        )
    }

    /// Data rows: exact for Parquet (metadata), estimated from the first chunk for CSV.
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn estimated_rows(&self) -> Result<u64> {
        match self {
            FileSource::Csv(s) => s.estimated_rows(),
            FileSource::Parquet(s) => Ok(s.rows()),
        }
    }

    /// Reads every row into columns (in parallel), with the rows dropped for missing values.
    ///
    /// # Errors
    /// As the source's reader.
    pub fn read_all(&self) -> Result<(Partition, Option<DroppedRows>)> {
        match self {
            FileSource::Csv(s) => s.read_all_with_dropped(),
            FileSource::Parquet(s) => s.read_all_with_dropped(),
        }
    }
}

impl Source for FileSource {
    fn summarize(&self, pass: &Pass) -> Result<Summary> {
        match self {
            FileSource::Csv(s) => s.summarize(pass),
            FileSource::Parquet(s) => s.summarize(pass),
        }
    }
}

/// Bytes the in-memory path holds per row of `columns` (the columns, the sort keys and ranks of
/// the cut-off selection and the rank measures), for the memory budget.
pub fn bytes_per_row(columns: &StreamColumns, rank_measures: bool) -> u64 {
    let values = 2 + u64::from(columns.weight.is_some()) + u64::from(columns.group.is_some());
    8 * values + 24 + if rank_measures { 40 } else { 0 }
}

/// A default memory budget: half the memory available (Linux `/proc/meminfo`), a third of the
/// address-space limit (`ulimit -v`, [`address_space_limit`]) when that is smaller, 4 GiB where
/// neither is known.
pub fn default_memory_limit() -> u64 {
    let available = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemAvailable:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|kib| kib * 1024 / 2);
    match (available, in_memory_ceiling()) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 4 << 30,
    }
}

/// This process's address-space limit in bytes (`ulimit -v`, Linux `/proc/self/limits`), `None`
/// where it is unlimited or unknown.
pub fn address_space_limit() -> Option<u64> {
    std::fs::read_to_string("/proc/self/limits")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Max address space"))
        .and_then(|l| l.split_whitespace().nth(3)?.parse::<u64>().ok())
}

/// The most the in-memory path may hold under the address-space limit: a third of it, as its
/// peak is taken as up to three times the columns (`None` where there is no limit).
fn in_memory_ceiling() -> Option<u64> {
    address_space_limit().map(ceiling_of)
}

/// A third of an address-space limit of `space` bytes.
fn ceiling_of(space: u64) -> u64 {
    space / 3
}

/// Checks that columns of `columns_bytes` may be held in memory under this process's
/// address-space limit: the in-memory path's peak (the columns, their sort keys and ranks, sort
/// buffers, the allocator) is taken as up to three times the columns, as
/// [`default_memory_limit`] takes a third of the limit. Above that the process could fail to
/// allocate and abort, so the run is refused with a message instead.
///
/// # Errors
/// [`MobilityError::InvalidParameter`] (`memory limit`) when `columns_bytes` is above a third of
/// the address-space limit; `limit` (the budget that let the columns in) is named in the message.
pub fn check_in_memory_fits(columns_bytes: u64, limit: u64) -> Result<()> {
    match address_space_limit() {
        Some(space) if columns_bytes > ceiling_of(space) => Err(MobilityError::invalid(
            Parameter::MemoryLimit,
            format!(
                "{} lets the columns (about {}) be held in memory, but the in-memory path may \
                 need up to three times that, above this process's address-space limit \
                 (ulimit -v, {}); give at most {} (the file is then streamed) or raise \
                 ulimit -v",
                size_text(limit),
                size_text(columns_bytes),
                size_text(space),
                size_text(ceiling_of(space))
            ),
        )),
        _ => Ok(()),
    }
}

/// How `analyze` reads a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// Parsed once into columns.
    InMemory,
    /// Streamed in this many passes over the file.
    Streamed {
        /// Passes (cut-off search passes plus one counting pass).
        passes: usize,
    },
}

/// What [`analyze`] computes.
pub struct AnalyzeOptions<'a> {
    /// The quantile classes.
    pub classes: ClassSpec,
    /// Origin weights of the summary measures.
    pub weighting: Weighting,
    /// Compute the rank measures (needs the rows in memory).
    pub rank_measures: bool,
    /// Bootstrap (needs the rows in memory), with `--cluster` ids from the group column.
    pub bootstrap: Option<Bootstrap>,
    /// What the weights mean for the bootstrap and the sample size.
    pub weight_kind: WeightKind,
    /// The group column holds cluster ids for the bootstrap (not `by` groups).
    pub group_is_cluster: bool,
    /// Bytes the columns may take in memory; above it the file is streamed.
    pub memory_limit: u64,
    /// Progress callback and gathering limit of the streamed passes.
    pub run: RunOptions<'a>,
}

/// One group's matrix report (against the national cut-offs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    /// The group's label.
    pub group: String,
    /// Its matrix report; keys at the top level.
    #[serde(flatten)]
    pub report: Report,
}

/// The result of [`analyze`]: what `mobility analyze --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileAnalysis {
    /// Matrix report, rank measures, bootstrap: the keys of the in-memory analysis.
    #[serde(flatten)]
    pub analysis: AnalysisReport,
    /// Per group, against the national cut-offs (only with `by`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupReport>,
    /// The whole-sample matrix (for the text renderer).
    #[serde(skip)]
    pub matrix: Option<TransitionMatrix>,
    /// Data rows used.
    #[serde(skip)]
    pub rows: u64,
    /// Rows dropped for missing values.
    #[serde(skip)]
    pub dropped: Option<DroppedRows>,
    /// How the file was read.
    #[serde(skip)]
    pub mode: Option<ReadMode>,
}

/// The analysis of a file: in memory when its columns fit `options.memory_limit`, streamed
/// otherwise (the matrix and group matrices bit-identical either way; rank measures and the
/// bootstrap only in memory).
///
/// # Formula
/// As [`TransitionMatrix::from_status`], [`rank_mobility`] and [`Bootstrap::run`].
///
/// # Errors
/// As the readers and the in-memory functions; [`MobilityError::InvalidParameter`] when a
/// bootstrap is asked of a file too large for the memory limit, or when the limit lets in
/// columns the address-space limit cannot hold ([`check_in_memory_fits`]).
///
/// # Complexity
/// In memory: one parallel parse, then the in-memory core. Streamed: `O(n log k)` per pass,
/// typically 3-4 passes, memory independent of `n`.
pub fn analyze(source: &FileSource, options: &AnalyzeOptions<'_>) -> Result<FileAnalysis> {
    let columns_bytes = source.estimated_rows()?.saturating_mul(bytes_per_row(
        &source_columns(source),
        options.rank_measures,
    ));
    if columns_bytes <= options.memory_limit {
        check_in_memory_fits(columns_bytes, options.memory_limit)?;
        let (part, dropped) = source.read_all()?;
        let mut out = analyze_columns(&part, options)?;
        out.dropped = dropped;
        return Ok(out);
    }
    if options.bootstrap.is_some() {
        return Err(MobilityError::invalid(
            Parameter::Replicates,
            format!(
                "the bootstrap needs the rows in memory (about {}, above the memory limit of \
                 {}); raise the limit",
                size_text(columns_bytes),
                size_text(options.memory_limit)
            ),
        ));
    }
    let weighted = matches!(source, FileSource::Csv(s) if s.weighted())
        || matches!(source, FileSource::Parquet(s) if s.weighted());
    let by = source_columns(source).group.is_some() && !options.group_is_cluster;
    let spec = StreamSpec {
        classes: options.classes.clone(),
        weighted,
        by,
    };
    let result = crate::stream::run(source, spec, &options.run)?;
    let tm = result.matrix()?;
    let report = tm.report(&options.weighting)?;
    let note = Err(MobilityError::Incompatible {
        reason: format!(
            "rank measures not computed: they need every row's rank in memory (about {}, \
             above the memory limit of {})",
            size_text(columns_bytes),
            size_text(options.memory_limit)
        ),
    });
    let groups = group_reports(&result.groups, &options.weighting)?;
    let mut analysis = AnalysisReport::new(report, note, None);
    analysis.weights = result.weights.as_ref().map(|s| s.info(options.weight_kind));
    if let (ClassSpec::Quantiles { rule, .. }, Some(ties)) = (&options.classes, &result.ties) {
        analysis.tie_spans = streamed_tie_spans(&tm, ties, *rule)?;
    }
    Ok(FileAnalysis {
        analysis,
        groups,
        rows: result.rows,
        matrix: Some(tm),
        dropped: None,
        mode: Some(ReadMode::Streamed {
            passes: result.passes,
        }),
    })
}

/// The tie spans from the counting pass's tallies (the same as the in-memory path finds), or
/// `None` when the matrix has no cut-offs or a boundary position was not tallied.
fn streamed_tie_spans(
    tm: &TransitionMatrix,
    ties: &[crate::quantile::CutoffTally; 2],
    rule: crate::Rule,
) -> Result<Option<Vec<crate::quantile::TieSpan>>> {
    let mut spans = Vec::new();
    for (side, tally, cuts) in [
        (crate::error::Side::Parent, &ties[0], tm.parent_cutoffs()),
        (crate::error::Side::Child, &ties[1], tm.child_cutoffs()),
    ] {
        let Some(cuts) = cuts else {
            return Ok(None);
        };
        match tally.spans(cuts, rule, side)? {
            Some(s) => spans.extend(s),
            None => return Ok(None),
        }
    }
    Ok(Some(spans))
}

fn source_columns(source: &FileSource) -> StreamColumns {
    match source {
        FileSource::Csv(s) => s.columns(),
        FileSource::Parquet(s) => s.columns(),
    }
}

fn group_reports(
    groups: &[(String, crate::TransitionCounts)],
    weighting: &Weighting,
) -> Result<Vec<GroupReport>> {
    groups
        .iter()
        .map(|(g, c)| {
            Ok(GroupReport {
                group: g.clone(),
                report: c.to_matrix().report(weighting).map_err(|e| {
                    MobilityError::Incompatible {
                        reason: format!("group '{g}': {e}"),
                    }
                })?,
            })
        })
        .collect()
}

/// The in-memory half of [`analyze`]: columns already read (a file that fits, or standard
/// input).
///
/// # Errors
/// As [`TransitionMatrix::from_status`], [`TransitionMatrix::report`] and [`Bootstrap::run`];
/// cluster ids that are not numbers.
///
/// # Complexity
/// As the in-memory functions.
pub fn analyze_columns(part: &Partition, options: &AnalyzeOptions<'_>) -> Result<FileAnalysis> {
    let spec = &options.classes;
    let weights = part.weight.as_deref();
    let tm = TransitionMatrix::from_status(&part.parent, &part.child, weights, spec)?;
    let report = tm.report(&options.weighting)?;
    let mut rank_inference = None;
    let inference = match &options.bootstrap {
        None => None,
        Some(b) => {
            let mut b = b
                .clone()
                .weighting(options.weighting.clone())
                .statistics(Selection::Measures)
                .weight_kind(options.weight_kind);
            if let (true, Some((codes, labels))) = (options.group_is_cluster, &part.group) {
                // Numeric ids (every id a finite number): equal values (-0 and 0 alike) form a
                // cluster, numbered in numeric order; otherwise text ids, trimmed, in byte
                // order. Python numbers its labels in the same order, so both draw alike.
                let numeric: Option<Vec<u64>> = labels
                    .iter()
                    .map(|l| match l.trim().parse::<f64>() {
                        Ok(x) if x.is_finite() => Some(numeric_cluster_key(x)),
                        _ => None,
                    })
                    .collect();
                b = match numeric {
                    Some(values) => {
                        let ids: Vec<u64> = codes.iter().map(|&c| values[c as usize]).collect();
                        b.clusters(&ids)
                    }
                    None => {
                        let ids: Vec<&str> =
                            codes.iter().map(|&c| labels[c as usize].trim()).collect();
                        b.clusters(&ids)
                    }
                };
            }
            // the rank measures on the same replicates (undefined rank measures: no rows)
            if options.rank_measures {
                rank_inference = crate::inference::rank_bootstrap::rank_bootstrap(
                    &part.parent,
                    &part.child,
                    weights,
                    &b,
                )
                .ok()
                .map(|r| r.estimates());
            }
            Some(b.run(&part.parent, &part.child, weights, spec)?)
        }
    };
    let ranks = if options.rank_measures {
        rank_mobility(&part.parent, &part.child, weights)
    } else {
        Err(MobilityError::Incompatible {
            reason: "rank measures not computed (ask with --rank-measures)".into(),
        })
    };
    let groups = match (&part.group, options.group_is_cluster) {
        (Some(_), false) => {
            let (parent, child) = (
                tm.parent_cutoffs().cloned().expect("from status"),
                tm.child_cutoffs().cloned().expect("from status"),
            );
            let spec = StreamSpec {
                classes: ClassSpec::Cutoffs { parent, child },
                weighted: weights.is_some(),
                by: true,
            };
            let mut pipeline = crate::stream::Pipeline::new(spec)?;
            while let Some(pass) = pipeline.next_pass() {
                let summary = pass.summarize(&part.batch())?;
                pipeline.advance(summary)?;
            }
            group_reports(&pipeline.finish()?.groups, &options.weighting)?
        }
        _ => Vec::new(),
    };
    let mut analysis = AnalysisReport::new(report, ranks, inference.as_ref())
        .with_weights(weights, options.weight_kind);
    if let ClassSpec::Quantiles { rule, .. } = options.classes {
        analysis = analysis.with_tie_spans(&tm, &part.parent, &part.child, weights, rule)?;
    }
    analysis.rank_inference = rank_inference;
    Ok(FileAnalysis {
        analysis,
        groups,
        rows: part.parent.len() as u64,
        matrix: Some(tm),
        dropped: None,
        mode: Some(ReadMode::InMemory),
    })
}
