//! `mobility analyze`: paired status -> quantile matrix, rank measures, optional bootstrap.

use std::path::Path;

use mobility::Parameter;
use mobility::inference::{Bootstrap, CiMethod};
use mobility::io::chunked_csv::StreamColumns;
use mobility::io::csv::{self, Columns, CsvOptions};
use mobility::panel::Panel;
use mobility::render::analysis::render_analysis;
use mobility::render::panel::render_panel;
use mobility::render::text::render_report;
use mobility::stream::RunOptions;
use mobility::stream::file::{
    AnalyzeOptions, FileFormat, FileSource, ReadMode, analyze, analyze_columns,
    default_memory_limit,
};
use mobility::stream::source::{Partition, group_codes};
use mobility::{ClassSpec, MobilityError, WeightKind};

use crate::args::{self, Args, flag, value};
use crate::progress::Progress;
use crate::{Failure, Outcome, data, dropped_note, emit, pi_error, print_json};

const HELP: &str = include_str!("help/analyze.txt");

pub fn run(raw: &[String]) -> Outcome<()> {
    let opts = [
        value("parent"),
        value("child"),
        value("weight"),
        value("quantiles"),
        value("rule"),
        value("pi"),
        value("delimiter"),
        value("format"),
        value("by"),
        value("memory-limit"),
        flag("no-rank-measures"),
        flag("quiet"),
        flag("drop-missing"),
        flag("json"),
        value("bootstrap"),
        value("seed"),
        value("cluster"),
        value("ci"),
        value("weight-kind"),
        value("periods"),
    ];
    let Some(args) = args::parse("analyze", raw, &opts)? else {
        return emit(HELP);
    };
    if args.has("periods") {
        return run_panel(&args);
    }
    let bootstrap = bootstrap_options(&args)?;
    let file = args::one_positional(&args, "FILE")?;
    let parent = args.required("parent")?;
    let child = args.required("child")?;
    let weight = args.get("weight");
    if weight.is_none() {
        args::refuse(
            &args,
            &["weight-kind"],
            "says what the weights mean (add --weight COLUMN)",
        )?;
    }
    let weight_kind: WeightKind = args::option(&args, "weight-kind", WeightKind::default())?;
    let (k, rule) = args::class_options(&args, weight.is_some())?;
    let pi = args::pi(&args)?;
    args::check_pi_len(&pi, k, "analyze")?;
    let options = CsvOptions {
        delimiter: args::delimiter(&args)?,
        missing: args::missing(&args),
    };
    let cluster = args.get("cluster");
    let by = args.get("by");
    if by.is_some() && cluster.is_some() {
        return Err(args::usage(
            "analyze",
            "--by and --cluster cannot be combined (the bootstrap runs on the whole sample)",
        ));
    }
    let format: Option<FileFormat> = match args.get("format") {
        None => None,
        Some(f) => Some(
            f.parse()
                .map_err(|e: MobilityError| args::usage("analyze", e))?,
        ),
    };
    let memory_limit = match args.get("memory-limit") {
        None => default_memory_limit(),
        Some(m) => args::bytes(m).ok_or_else(|| {
            args::usage(
                "analyze",
                format!(
                    "--memory-limit expects a size such as 500M, 4G or 1000000 bytes, got '{m}'"
                ),
            )
        })?,
    };
    let progress = Progress::new(args.has("quiet"), args.has("json"));
    let on_pass = |i: usize, name: &str| progress.pass(i, name);
    let analyze_options = AnalyzeOptions {
        classes: ClassSpec::Quantiles { k, rule },
        weighting: pi.clone(),
        rank_measures: !args.has("no-rank-measures"),
        bootstrap,
        weight_kind,
        group_is_cluster: cluster.is_some(),
        memory_limit,
        run: RunOptions {
            gather_limit: None,
            on_pass: Some(&on_pass),
        },
    };
    let source;
    let result = if file == "-" {
        if by.is_some() || format == Some(FileFormat::Parquet) {
            return Err(args::usage(
                "analyze",
                "standard input is read as CSV without --by; give a file for --by or Parquet",
            ));
        }
        let names: Vec<&str> = [Some(parent), Some(child), weight]
            .into_iter()
            .flatten()
            .collect();
        let stdin = std::io::stdin().lock();
        // cluster ids are read as text (numbers or names: a family id, a state)
        let (columns, ids) = match cluster {
            Some(c) => {
                let l = csv::read_labelled_columns_from(stdin, "<stdin>", &names, c, &options)
                    .map_err(|e| data(e, None))?;
                (l.columns, Some(l.labels))
            }
            None => (
                csv::read_columns_from(stdin, "<stdin>", &names, &options)
                    .map_err(|e| data(e, None))?,
                None,
            ),
        };
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
        let src = FileSource::open(Path::new(file), format, &columns, &options)
            .map_err(|e| data(e, None))?;
        source = file.to_string();
        analyze(&src, &analyze_options).map_err(|e| file_error(e, &source, weight))?
    };
    progress.finish();
    if let Some(n) = result.analysis.bootstrap.as_ref().and_then(|b| b.clusters) {
        crate::warn_if_few_clusters(n);
    }
    let dropped = result.dropped.as_ref().map(dropped_note);
    if let Some(ReadMode::Streamed { passes }) = result.mode
        && !args.has("quiet")
    {
        eprintln!(
            "mobility: note: {source} streamed in {passes} passes (its columns exceed the \
                 memory limit of {} MB); rank measures are not computed",
            memory_limit >> 20
        );
    }
    if args.has("json") {
        if let Some(d) = &dropped {
            eprintln!("mobility: note: {d}");
        }
        return print_json(&result);
    }
    let mut out = format!(
        "mobility analyze: {source}, parent '{parent}' -> child '{child}'\n{} rows{}; {k} quantile \
         classes by the {rule} rule\n",
        result.rows,
        weight.map_or_else(
            || ", unweighted".to_string(),
            |w| format!(", {weight_kind} weights '{w}'")
        ),
    );
    if let Some(d) = dropped {
        out.push_str(&format!("{d}\n"));
    }
    let labels = result
        .matrix
        .as_ref()
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
    emit(&out)
}

/// A library error about a file's rows: weights point at the weight column.
fn file_error(e: MobilityError, source: &str, weight: Option<&str>) -> Failure {
    match (e, weight) {
        (MobilityError::ZeroTotalWeight { .. }, Some(w)) => {
            Failure::Data(format!("{source}: column '{w}': every weight is zero"))
        }
        (e @ MobilityError::InvalidParameter { .. }, _) if e.parameter() == Some(Parameter::Pi) => {
            pi_error(e, source)
        }
        (e, _) => data(e, Some(source)),
    }
}

/// `analyze --periods t0,t1,...`: the pooled, per-transition and homogeneity report of a panel.
fn run_panel(args: &Args) -> Outcome<()> {
    args::refuse(
        args,
        &["parent", "child", "bootstrap", "seed", "cluster", "ci"],
        "does not apply with --periods (a panel: the period columns give origin and destination; \
         the panel bootstrap is not available yet)",
    )?;
    let file = args::one_positional(args, "FILE.csv")?;
    let periods: Vec<&str> = args
        .get("periods")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if periods.len() < 2 {
        return Err(args::usage(
            "analyze",
            "--periods expects two or more period columns in time order, e.g. t0,t1,t2",
        ));
    }
    let weight = args.get("weight");
    if weight.is_none() {
        args::refuse(
            args,
            &["weight-kind"],
            "says what the weights mean (add --weight COLUMN)",
        )?;
    }
    let weight_kind: WeightKind = args::option(args, "weight-kind", WeightKind::default())?;
    let (k, rule) = args::class_options(args, weight.is_some())?;
    let pi = args::pi(args)?;
    args::check_pi_len(&pi, k, "analyze")?;
    let options = CsvOptions {
        delimiter: args::delimiter(args)?,
        missing: args::missing(args),
    };
    let mut names: Vec<&str> = periods.clone();
    names.extend(weight);
    let columns = if file == "-" {
        csv::read_columns_from(std::io::stdin().lock(), "<stdin>", &names, &options)
    } else {
        csv::read_columns(file, &names, &options)
    }
    .map_err(|e| data(e, None))?;
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
    report.weights = weights.map(|w| mobility::weights::WeightInfo::new(w, weight_kind));
    let dropped = columns.dropped.as_ref().map(dropped_note);
    if args.has("json") {
        if let Some(d) = &dropped {
            eprintln!("mobility: note: {d}");
        }
        return print_json(&report);
    }
    let mut out = format!(
        "mobility analyze: {source}, periods {}\n{} rows{}; {k} quantile classes per period by the \
         {rule} rule\n",
        periods.join(" -> "),
        columns.len(),
        weight.map_or_else(
            || ", unweighted".to_string(),
            |w| format!(", {weight_kind} weights '{w}'")
        ),
    );
    if let Some(d) = dropped {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&render_panel(&report, &panel.pooled.labels()));
    emit(&out)
}

/// `--bootstrap B`, `--seed S`, `--ci METHOD` as a builder (`--cluster` is added by the caller).
fn bootstrap_options(args: &Args) -> Outcome<Option<Bootstrap>> {
    if !args.has("bootstrap") {
        args::refuse(
            args,
            &["seed", "cluster", "ci"],
            "applies to the bootstrap (add --bootstrap B)",
        )?;
        return Ok(None);
    }
    let replicates = args::replicates(args, 0)?;
    let seed: u64 = args::whole(args, "seed", 0, "a whole number >= 0", u64::MAX)?;
    let ci: CiMethod = args::option(args, "ci", CiMethod::default())?;
    Ok(Some(Bootstrap::new(replicates).seed(seed).ci(ci)))
}

/// A library error about paired status, pointing at the weight column where it is about weights.
pub fn status_error(e: MobilityError, columns: &Columns, weight: Option<&str>) -> Failure {
    let source = columns.source.as_str();
    match (e, weight) {
        (MobilityError::NegativeWeight { index, value }, Some(w)) => data(
            columns.error_at(
                index,
                w,
                format!("negative weight ({value}); weights must be >= 0"),
            ),
            None,
        ),
        (MobilityError::ZeroTotalWeight { .. }, Some(w)) => {
            Failure::Data(format!("{source}: column '{w}': every weight is zero"))
        }
        (e, _) => data(e, Some(source)),
    }
}
