//! `mobility analyze`: paired status -> quantile matrix, rank measures, optional bootstrap, per
//! group with `--by`; a panel of period columns with `--periods`.

use std::path::Path;

use crate::io::chunked_csv::StreamColumns;
use crate::panel::Panel;
use crate::render::analysis::render_analysis;
use crate::render::panel::render_panel;
use crate::render::text::render_report;
use crate::stream::OnPass;
use crate::stream::RunOptions;
use crate::stream::file::{
    AnalyzeOptions, FileFormat, FileSource, ReadMode, analyze, analyze_columns,
    default_memory_limit,
};
use crate::stream::source::{Partition, group_codes};
use crate::weights::{WeightInfo, WeightKind};
use crate::{ClassSpec, MobilityError, Parameter};

use super::{
    BootstrapArgs, CommandError, Note, Output, Pairs, Reply, Result, data, dropped_note,
    few_clusters, one, pi_error, read_columns, refuse, status_error, weights_phrase, zero_weights,
};

const COMMAND: &str = "analyze";

/// What `mobility analyze` was asked.
#[derive(Default)]
pub struct AnalyzeRequest<'a> {
    /// The file (`-`: standard input, read as CSV).
    pub positionals: Vec<String>,
    /// Columns, classes, origin weights, CSV reading.
    pub pairs: Pairs,
    /// `--format csv|parquet` (default: from the extension).
    pub format: Option<FileFormat>,
    /// `--by COL`: per-group matrices on the national cut-offs.
    pub by: Option<String>,
    /// `--memory-limit BYTES` (default [`default_memory_limit`]).
    pub memory_limit: Option<u64>,
    /// `--no-rank-measures`.
    pub no_rank_measures: bool,
    /// `--quiet`: no note about a streamed file.
    pub quiet: bool,
    /// `--json`.
    pub json: bool,
    /// `--bootstrap`, `--seed`, `--ci`.
    pub bootstrap: BootstrapArgs,
    /// `--cluster COL`: cluster ids for the bootstrap.
    pub cluster: Option<String>,
    /// `--weight-kind KIND` (needs `--weight`).
    pub weight_kind: Option<WeightKind>,
    /// `--periods t0,t1,...`: a panel.
    pub periods: Option<String>,
    /// Called before each streamed pass (a progress display).
    pub on_pass: Option<OnPass<'a>>,
    /// Counts the bootstrap's finished replicates (a progress display).
    pub progress: Option<crate::progress::ProgressCounter>,
}

/// Runs `mobility analyze`.
///
/// # Errors
/// [`CommandError::Usage`] for options that do not fit together, [`CommandError::Data`] for the
/// file (it cannot be read, a column is missing, a value is not a number, ...).
pub fn run(r: &AnalyzeRequest<'_>) -> Result<Reply> {
    if r.periods.is_some() {
        return run_panel(r);
    }
    let bootstrap = r
        .bootstrap
        .build(COMMAND, &[("cluster", r.cluster.is_some())])?
        .map(|b| match &r.progress {
            Some(counter) => b.progress(counter.clone()),
            None => b,
        });
    let file = one(COMMAND, &r.positionals, "FILE")?;
    let (parent, child) = r.pairs.columns(COMMAND)?;
    let weight = r.pairs.weight.as_deref();
    let weight_kind = weight_kind(r)?;
    let (k, rule) = r.pairs.classes(COMMAND)?;
    let pi = r.pairs.pi(k, COMMAND)?;
    let options = r.pairs.csv();
    let (cluster, by) = (r.cluster.as_deref(), r.by.as_deref());
    if by.is_some() && cluster.is_some() {
        return Err(CommandError::usage(
            COMMAND,
            "--by and --cluster cannot be combined (the bootstrap runs on the whole sample)",
        ));
    }
    let memory_limit = r.memory_limit.unwrap_or_else(default_memory_limit);
    let analyze_options = AnalyzeOptions {
        classes: ClassSpec::Quantiles { k, rule },
        weighting: pi,
        rank_measures: !r.no_rank_measures,
        bootstrap,
        weight_kind,
        group_is_cluster: cluster.is_some(),
        memory_limit,
        run: RunOptions {
            gather_limit: None,
            on_pass: r.on_pass,
        },
    };
    let source;
    let result = if file == "-" {
        if by.is_some() || r.format == Some(FileFormat::Parquet) {
            return Err(CommandError::usage(
                COMMAND,
                "standard input is read as CSV without --by; give a file for --by or Parquet",
            ));
        }
        // cluster ids are read as text (numbers or names: a family id, a state)
        let names = r.pairs.names(parent, child);
        let (columns, ids) = read_columns(file, &names, cluster, &options)?;
        source = columns.source.clone();
        let get = |name: &str| columns.get(name).expect("column was read").to_vec();
        let part = Partition {
            parent: get(parent),
            child: get(child),
            weight: weight.map(get),
            group: ids.as_deref().map(group_codes),
        };
        let mut r = analyze_columns(&part, &analyze_options)
            .map_err(|e| status_error(e, &columns, weight))?;
        r.dropped = columns.dropped.clone();
        r
    } else {
        let columns = StreamColumns {
            parent: parent.into(),
            child: child.into(),
            weight: weight.map(Into::into),
            group: by.or(cluster).map(Into::into),
        };
        let src = FileSource::open(Path::new(file), r.format, &columns, &options)
            .map_err(|e| data(e, None))?;
        source = file.to_string();
        analyze(&src, &analyze_options).map_err(|e| file_error(e, &source, weight))?
    };
    let mut notes: Vec<Note> = (result.analysis.bootstrap.as_ref())
        .and_then(|b| b.clusters)
        .and_then(few_clusters)
        .into_iter()
        .collect();
    if let Some(ReadMode::Streamed { passes }) = result.mode
        && !r.quiet
    {
        notes.push(Note::Info(format!(
            "{source} streamed in {passes} passes (its columns exceed the memory limit of {}); \
             rank measures are not computed",
            crate::limits::size_text(memory_limit)
        )));
    }
    let dropped = result.dropped.as_ref().map(dropped_note);
    if r.json {
        notes.extend(dropped.map(Note::Info));
        return Ok(Reply {
            output: Output::json(result),
            notes,
        });
    }
    let mut out = format!(
        "mobility analyze: {source}, parent '{parent}' -> child '{child}'\n{} rows{}; {k} quantile \
         classes by the {rule} rule\n",
        result.rows,
        weights_phrase(weight, &format!("{weight_kind} ")),
    );
    if let Some(d) = dropped {
        out.push_str(&format!("{d}\n"));
    }
    let labels = (result.matrix.as_ref())
        .map(|m| m.labels())
        .unwrap_or_default();
    out.push_str(&render_analysis(&result.analysis, &labels));
    for g in &result.groups {
        out.push_str(&format!(
            "\ngroup '{}' (national cut-offs):\n{}",
            g.group,
            render_report(&g.report, &labels)
        ));
    }
    Ok(Reply {
        output: Output::Text(out),
        notes,
    })
}

/// `--weight-kind`, which needs `--weight`.
fn weight_kind(r: &AnalyzeRequest<'_>) -> Result<WeightKind> {
    if r.pairs.weight.is_none() {
        refuse(
            COMMAND,
            &[("weight-kind", r.weight_kind.is_some())],
            "says what the weights mean (add --weight COLUMN)",
        )?;
    }
    Ok(r.weight_kind.unwrap_or_default())
}

/// A library error about a file's rows: weights point at the weight column.
fn file_error(e: MobilityError, source: &str, weight: Option<&str>) -> CommandError {
    match (e, weight) {
        (MobilityError::ZeroTotalWeight { .. }, Some(w)) => zero_weights(source, w),
        (e @ MobilityError::InvalidParameter { .. }, _) if e.parameter() == Some(Parameter::Pi) => {
            pi_error(e, source)
        }
        (e, _) => data(e, Some(source)),
    }
}

/// `analyze --periods t0,t1,...`: the pooled, per-transition and homogeneity report of a panel.
fn run_panel(r: &AnalyzeRequest<'_>) -> Result<Reply> {
    let b = &r.bootstrap;
    refuse(
        COMMAND,
        &[
            ("parent", r.pairs.parent.is_some()),
            ("child", r.pairs.child.is_some()),
            ("bootstrap", b.replicates.is_some()),
            ("seed", b.seed.is_some()),
            ("cluster", r.cluster.is_some()),
            ("ci", b.ci.is_some()),
        ],
        "does not apply with --periods (a panel: the period columns give origin and destination; \
         the panel bootstrap is not available yet)",
    )?;
    let file = one(COMMAND, &r.positionals, "FILE.csv")?;
    let periods: Vec<&str> = (r.periods.as_deref().unwrap_or_default())
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if periods.len() < 2 {
        return Err(CommandError::usage(
            COMMAND,
            "--periods expects two or more period columns in time order, e.g. t0,t1,t2",
        ));
    }
    let weight = r.pairs.weight.as_deref();
    let weight_kind = weight_kind(r)?;
    let (k, rule) = r.pairs.classes(COMMAND)?;
    let pi = r.pairs.pi(k, COMMAND)?;
    let mut names: Vec<&str> = periods.clone();
    names.extend(weight);
    let (columns, _) = read_columns(file, &names, None, &r.pairs.csv())?;
    let source = columns.source.clone();
    let get = |name: &str| columns.get(name).expect("column was read");
    let weights = weight.map(get);
    let series: Vec<&[f64]> = periods.iter().map(|p| get(p)).collect();
    let spec = ClassSpec::Quantiles { k, rule };
    let panel = Panel::new(&series, weights, weight_kind, &spec)
        .map_err(|e| status_error(e, &columns, weight))?;
    let names: Vec<String> = periods.iter().map(|s| s.to_string()).collect();
    let mut report = panel
        .report(&names, &pi)
        .map_err(|e| pi_error(e, &source))?;
    report.weights = weights.map(|w| WeightInfo::new(w, weight_kind));
    let dropped = columns.dropped.as_ref().map(dropped_note);
    if r.json {
        return Ok(Reply {
            output: Output::json(report),
            notes: dropped.map(Note::Info).into_iter().collect(),
        });
    }
    let mut out = format!(
        "mobility analyze: {source}, periods {}\n{} rows{}; {k} quantile classes per period by the \
         {rule} rule\n",
        periods.join(" -> "),
        columns.len(),
        weights_phrase(weight, &format!("{weight_kind} ")),
    );
    if let Some(d) = dropped {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&render_panel(&report, &panel.pooled.labels()));
    Ok(Reply::text(out))
}
