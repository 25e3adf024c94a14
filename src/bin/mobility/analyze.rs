//! `mobility analyze`: paired status -> quantile matrix, rank measures, optional bootstrap.

use mobility::inference::{Bootstrap, CiMethod, Selection};
use mobility::io::csv::{self, Columns, CsvOptions};
use mobility::panel::Panel;
use mobility::rankbased::rank_mobility;
use mobility::render::analysis::render_analysis;
use mobility::render::panel::render_panel;
use mobility::report::AnalysisReport;
use mobility::{ClassSpec, MobilityError, TransitionMatrix, WeightKind};

use crate::args::{self, Args, flag, value};
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
    let file = args::one_positional(&args, "FILE.csv")?;
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
    let names: Vec<&str> = [Some(parent), Some(child), weight]
        .into_iter()
        .flatten()
        .collect();
    // cluster ids are read as text (numbers or names: a family id, a state)
    let (columns, cluster_ids) = match cluster {
        Some(c) => {
            let l = if file == "-" {
                csv::read_labelled_columns_from(
                    std::io::stdin().lock(),
                    "<stdin>",
                    &names,
                    c,
                    &options,
                )
            } else {
                csv::read_labelled_columns(file, &names, c, &options)
            }
            .map_err(|e| data(e, None))?;
            (l.columns, Some(l.labels))
        }
        None => (
            if file == "-" {
                csv::read_columns_from(std::io::stdin().lock(), "<stdin>", &names, &options)
            } else {
                csv::read_columns(file, &names, &options)
            }
            .map_err(|e| data(e, None))?,
            None,
        ),
    };
    let source = columns.source.clone();
    let get = |name: &str| columns.get(name).expect("column was read");
    let weights = weight.map(get);
    let spec = ClassSpec::Quantiles { k, rule };
    let tm = TransitionMatrix::from_status(get(parent), get(child), weights, &spec)
        .map_err(|e| status_error(e, &columns, weight))?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, &source))?;
    let inference = match bootstrap {
        None => None,
        Some(b) => {
            let mut b = b
                .weighting(pi.clone())
                .statistics(Selection::Measures)
                .weight_kind(weight_kind);
            if let Some(ids) = &cluster_ids {
                // equal ids (as text, trimmed) form a cluster
                b = b.clusters(ids);
                if let Some(n) = few_clusters(ids) {
                    eprintln!(
                        "mobility: warning: only {n} clusters: the cluster bootstrap needs many \
                         (30 or more) for reliable standard errors and intervals"
                    );
                }
            }
            Some(
                b.run(get(parent), get(child), weights, &spec)
                    .map_err(|e| status_error(e, &columns, weight))?,
            )
        }
    };
    // Undefined only when every parent has the same status: a note, not an error.
    let ranks = rank_mobility(get(parent), get(child), weights);
    let analysis = AnalysisReport::new(report, ranks, inference.as_ref())
        .with_tie_spans(&tm, get(parent), get(child), weights, rule)
        .map_err(|e| data(e, Some(&source)))?
        .with_weights(weights, weight_kind);
    let dropped = columns.dropped.as_ref().map(dropped_note);
    if args.has("json") {
        if let Some(d) = &dropped {
            eprintln!("mobility: note: {d}");
        }
        return print_json(&analysis);
    }
    let mut out = format!(
        "mobility analyze: {source}, parent '{parent}' -> child '{child}'\n{} rows{}; {k} quantile \
         classes by the {rule} rule\n",
        columns.len(),
        weight.map_or_else(
            || ", unweighted".to_string(),
            |w| format!(", {weight_kind} weights '{w}'")
        ),
    );
    if let Some(d) = dropped {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&render_analysis(&analysis, &tm.labels()));
    emit(&out)
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

/// The number of distinct cluster ids when below 30 (the cluster bootstrap is unreliable).
fn few_clusters(ids: &[String]) -> Option<usize> {
    let n = ids.iter().collect::<std::collections::HashSet<_>>().len();
    (n < 30).then_some(n)
}

/// `--bootstrap B`, `--seed S`, `--ci METHOD` as a builder (`--cluster` is added by the caller).
fn bootstrap_options(args: &Args) -> Outcome<Option<Bootstrap>> {
    let Some(b) = args.get("bootstrap") else {
        args::refuse(
            args,
            &["seed", "cluster", "ci"],
            "applies to the bootstrap (add --bootstrap B)",
        )?;
        return Ok(None);
    };
    let replicates = match b.trim().parse::<i64>() {
        Ok(b) if b >= 2 => b as usize,
        _ => {
            return Err(args::usage(
                "analyze",
                format!("--bootstrap expects a whole number of replicates (2 or more), got '{b}'"),
            ));
        }
    };
    let seed: u64 = args::number(args, "seed", 0, "a whole number >= 0")?;
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
