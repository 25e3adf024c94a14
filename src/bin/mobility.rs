//! `mobility`: quantile transition matrices and mobility measures from CSV files.
//!
//! Argument parsing and printing only; the work is done by the `mobility` library
//! (`mobility::io::csv` reads, `mobility::io::text` renders). Exit status: 0 on success, 2 for a
//! usage error, 1 for a problem with the data; every error is one line on stderr.

use std::io::Write;
use std::process::ExitCode;

use mobility::inference::{
    Bootstrap, BootstrapResult, CiMethod, CutoffMode, Resampling, Selection,
};
use mobility::io::csv::{self, Columns, CsvOptions, Delimiter, Missing, Table};
use mobility::io::text::render_report;
use mobility::matrix::ProbabilityOptions;
use mobility::measures::Weighting;
use mobility::{ClassSpec, MobilityError, Rule, TransitionMatrix, published};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Most classes `analyze` accepts (the k x k tables are allocated per thread chunk).
const MAX_K: usize = mobility::error::MAX_CLASSES;

const HELP: &str = "\
mobility: social mobility from parent and child status

Usage:
  mobility analyze FILE.csv --parent COL --child COL [options]   pairs -> quantile matrix
  mobility table FILE.csv [options]                             a k x k count or probability table
  mobility published [NAME]                                     a built-in published table
  mobility --help | --version

Each command prints the transition matrix P (parent class in rows, from the bottom), class shares,
every mobility measure with a one-line description, the stationary distribution and eigenvalue
moduli; --json prints one JSON object instead. Run 'mobility COMMAND --help' for the options.

Exit status: 0 success, 1 bad data, 2 bad usage.
";

const ANALYZE_HELP: &str = "\
mobility analyze: quantile transition matrix and measures from paired parent/child status

Usage:
  mobility analyze FILE.csv --parent COL --child COL [options]

FILE.csv has a header row naming the columns ('-' reads standard input). Parents and children are
each ranked in their own distribution and cut into K quantile classes.

Options:
  --parent COL          column with the parent's (origin) status, e.g. income     [required]
  --child COL           column with the child's (destination) status              [required]
  --weight COL          column of survey weights (>= 0; needs --rule midrank)
  --quantiles K         number of classes, 2..=1000: 4 quartiles, 5 quintiles,
                        10 deciles                                                [default: 5]
  --rule RULE           tie rule: midrank (Chetty et al. 2014), giddy (PySAL),
                        r-type7 (R / mobilityIndexR), stata-xtile (Stata)         [default: midrank]
  --pi WEIGHTS          origin weights of the summary measures: parent, uniform,
                        stationary, or k numbers 'a,b,...' summing to 1           [default: parent]
  --drop-missing        drop rows with an empty or NA cell in these columns
                        (default: report them as an error)
  --delimiter D         field delimiter: ',' ';' or tab                          [default: ,]
  --json                print one JSON object (k, n, counts, matrix, shares, measures, ...)
  -h, --help            this help

Bootstrap (standard errors and 95% intervals for every measure):
  --bootstrap B         B >= 2 replicates, resampling rows (with their weights) and
                        re-estimating the cut-offs and classes in each replicate
  --seed S              seed of the random streams; same seed, same result on any
                        number of threads                                         [default: 0]
  --cluster COL         resample whole clusters: a numeric id column (a family, a state)
  --ci METHOD           interval: bca or percentile                            [default: bca]
  With --json the object gains an 'inference' key (for each measure: estimate, se, ci_low,
  ci_high, undefined_replicates) and a 'bootstrap' key (the settings); 'measures' is unchanged.

Examples:
  mobility analyze incomes.csv --parent t0 --child t9 --quantiles 5
  mobility analyze incomes.csv --parent t0 --child t9 --bootstrap 1000 --seed 1 --ci bca
";

const TABLE_HELP: &str = "\
mobility table: measures of a k x k transition table

Usage:
  mobility table FILE.csv [options]

FILE.csv holds a k x k table, parent (origin) classes in rows from the bottom; an optional header
row and first column of labels are detected. Without --probabilities the table holds counts.

Options:
  --probabilities       the table holds P(child class | parent class); rows sum to 1
  --parent-shares LIST  parent class shares 'a,b,...' for a probability table
                        (default: 1/k each)
  --child-in-rows       the table is printed with the child class in rows (e.g. Chetty
                        et al. 2014, Table II): transpose it
  --renormalise         rescale rows of a rounded probability table that miss 1
  --tolerance X         how far a row sum may be from 1                           [default: 1e-6]
  --pi WEIGHTS          origin weights: parent, uniform, stationary or 'a,b,...'  [default: parent]
  --delimiter D         field delimiter: ',' ';' or tab                          [default: ,]
  --json                print one JSON object
  -h, --help            this help

Example:
  mobility table chetty_table2.csv --probabilities --child-in-rows --renormalise
";

const PUBLISHED_HELP: &str = "\
mobility published: a built-in published transition table and its measures

Usage:
  mobility published            list the names
  mobility published NAME [--pi WEIGHTS] [--json]

Names:
  us_chetty_2014       US national quintiles, Chetty, Hendren, Kline & Saez (2014), QJE
  uk_blanden_2005      UK quartiles, Blanden, Gregg & Machin (2005), 1970 British Cohort Study
  giddy_us_states      US state income quintiles 1929-2009 (PySAL giddy), counts
  altham_ferrie_2007   Altham & Ferrie (2007) Table 1, 4 x 4 occupational counts

Options:
  --pi WEIGHTS          origin weights: parent, uniform, stationary or 'a,b,...'  [default: parent]
  --json                print one JSON object
  -h, --help            this help
";

/// Why the program stops.
enum Failure {
    /// Bad arguments: exit status 2.
    Usage(String),
    /// Bad data: exit status 1.
    Data(String),
}

type Outcome<T> = std::result::Result<T, Failure>;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "mobility: error: internal error{at}: {}; please report this",
            one_line(&what)
        );
    }));
    match run(std::env::args_os().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("mobility: error: {}", one_line(&m));
            ExitCode::from(2)
        }
        Err(Failure::Data(m)) => {
            eprintln!("mobility: error: {}", one_line(&m));
            ExitCode::from(1)
        }
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn run(args: Vec<std::ffi::OsString>) -> Outcome<()> {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| {
            a.into_string()
                .map_err(|a| Failure::Usage(format!("argument {a:?} is not valid UTF-8")))
        })
        .collect::<Outcome<_>>()?;
    let Some((command, rest)) = args.split_first() else {
        return Err(Failure::Usage(
            "no command given; usage: mobility analyze|table|published ... (see mobility --help)"
                .into(),
        ));
    };
    match command.as_str() {
        "-h" | "--help" | "help" => emit(HELP),
        "-V" | "--version" => emit(&format!("mobility {VERSION}\n")),
        "analyze" | "analyse" => analyze(rest),
        "table" => table(rest),
        "published" => published_table(rest),
        other => {
            let hint = if other.ends_with(".csv") || other.ends_with(".tsv") {
                format!("; did you mean 'mobility analyze {other} --parent COL --child COL'?")
            } else if other.starts_with('-') {
                "; options come after the command (see mobility --help)".to_string()
            } else {
                "; expected analyze, table or published (see mobility --help)".to_string()
            };
            Err(Failure::Usage(format!("unknown command '{other}'{hint}")))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Argument parsing

/// One option a command accepts.
struct Opt {
    name: &'static str,
    takes_value: bool,
}

const fn flag(name: &'static str) -> Opt {
    Opt {
        name,
        takes_value: false,
    }
}

const fn value(name: &'static str) -> Opt {
    Opt {
        name,
        takes_value: true,
    }
}

/// Parsed arguments of one command.
struct Args {
    command: &'static str,
    positionals: Vec<String>,
    given: Vec<(&'static str, Option<String>)>,
}

impl Args {
    fn has(&self, name: &str) -> bool {
        self.given.iter().any(|(n, _)| *n == name)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.given
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn required(&self, name: &str) -> Outcome<&str> {
        self.get(name).ok_or_else(|| {
            usage(
                self.command,
                format!("--{name} is required (e.g. --{name} income)"),
            )
        })
    }
}

fn usage(command: &str, message: impl std::fmt::Display) -> Failure {
    Failure::Usage(format!("{message} (see mobility {command} --help)"))
}

/// Parses `--name value`, `--name=value`, flags and positionals. `None` means help was asked for.
fn parse(command: &'static str, args: &[String], opts: &[Opt]) -> Outcome<Option<Args>> {
    let mut parsed = Args {
        command,
        positionals: Vec::new(),
        given: Vec::new(),
    };
    // Help wins over everything else on the line, even a bad option.
    if args
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "-h" || a == "--help")
    {
        return Ok(None);
    }
    let mut i = 0;
    let mut only_positionals = false;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if only_positionals || arg == "-" || !arg.starts_with('-') {
            parsed.positionals.push(arg.clone());
            continue;
        }
        if arg == "--" {
            only_positionals = true;
            continue;
        }
        let Some(body) = arg.strip_prefix("--") else {
            return Err(usage(command, format!("unknown option '{arg}'")));
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let name = if name == "renormalize" {
            "renormalise"
        } else {
            name
        };
        let Some(opt) = opts.iter().find(|o| o.name == name) else {
            let known: Vec<String> = opts.iter().map(|o| format!("--{}", o.name)).collect();
            return Err(usage(
                command,
                format!(
                    "unknown option '--{name}' for '{command}'; it takes {}",
                    known.join(", ")
                ),
            ));
        };
        if parsed.has(opt.name) {
            return Err(usage(command, format!("--{} is given twice", opt.name)));
        }
        let v = if opt.takes_value {
            match inline {
                Some(v) => Some(v),
                None => match args.get(i) {
                    Some(v) if !v.starts_with("--") => {
                        i += 1;
                        Some(v.clone())
                    }
                    _ => return Err(usage(command, format!("--{} needs a value", opt.name))),
                },
            }
        } else {
            if inline.is_some() {
                return Err(usage(command, format!("--{} takes no value", opt.name)));
            }
            None
        };
        if opt.takes_value && v.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(usage(command, format!("--{} needs a value", opt.name)));
        }
        parsed.given.push((opt.name, v));
    }
    Ok(Some(parsed))
}

/// The single positional argument (the file or the table name).
fn one_positional<'a>(args: &'a Args, what: &str) -> Outcome<&'a str> {
    match args.positionals.as_slice() {
        [one] => Ok(one),
        [] => Err(usage(args.command, format!("missing {what}"))),
        [_, extra, ..] => Err(usage(
            args.command,
            format!("unexpected argument '{extra}' (one {what} only)"),
        )),
    }
}

fn parse_pi(args: &Args) -> Outcome<Weighting> {
    match args.get("pi") {
        None => Ok(Weighting::ParentShares),
        Some(s) => {
            let w: Weighting = s.parse().map_err(|_| {
                usage(
                    args.command,
                    format!(
                        "invalid --pi '{s}': expected parent, uniform, stationary or \
                         comma-separated weights"
                    ),
                )
            })?;
            if let Weighting::Custom(v) = &w
                && v.iter().any(|x| !x.is_finite() || *x < 0.0)
            {
                return Err(usage(
                    args.command,
                    format!("invalid --pi '{s}': weights must be finite and >= 0"),
                ));
            }
            Ok(w)
        }
    }
}

fn parse_delimiter(args: &Args) -> Outcome<Delimiter> {
    match args.get("delimiter") {
        None => Ok(Delimiter::Comma),
        Some(s) => s.parse().map_err(|_| {
            usage(
                args.command,
                format!("invalid --delimiter '{s}': expected ',', ';' or tab"),
            )
        }),
    }
}

/// Checks custom origin weights against `k` (the library would also refuse them; this names the
/// option).
fn check_pi_len(pi: &Weighting, k: usize, command: &str) -> Outcome<()> {
    if let Weighting::Custom(v) = pi
        && v.len() != k
    {
        return Err(usage(
            command,
            format!("--pi has {} weights but there are {k} classes", v.len()),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Commands

fn analyze(raw: &[String]) -> Outcome<()> {
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
    ];
    let Some(args) = parse("analyze", raw, &opts)? else {
        return emit(ANALYZE_HELP);
    };
    let bootstrap = parse_bootstrap(&args)?;
    let file = one_positional(&args, "FILE.csv")?;
    let parent = args.required("parent")?;
    let child = args.required("child")?;
    let weight = args.get("weight");
    let k = match args.get("quantiles") {
        None => 5,
        Some(s) => match s.trim().parse::<i64>() {
            Ok(k) if (2..=MAX_K as i64).contains(&k) => k as usize,
            Ok(k) if k < 2 => {
                return Err(usage(
                    "analyze",
                    format!("--quantiles must be at least 2, got {k}"),
                ));
            }
            Ok(k) => {
                return Err(usage(
                    "analyze",
                    format!("--quantiles must be at most {MAX_K}, got {k}"),
                ));
            }
            Err(_) => {
                return Err(usage(
                    "analyze",
                    format!("--quantiles expects a whole number of classes (2 or more), got '{s}'"),
                ));
            }
        },
    };
    let rule: Rule = match args.get("rule") {
        None => Rule::Midrank,
        Some(s) => s.parse().map_err(|_| {
            usage(
                "analyze",
                format!("unknown --rule '{s}'; expected midrank, giddy, r-type7 or stata-xtile"),
            )
        })?,
    };
    if weight.is_some() && rule != Rule::Midrank {
        return Err(usage(
            "analyze",
            format!(
                "--weight needs --rule midrank (the {rule} rule reproduces unweighted software)"
            ),
        ));
    }
    let pi = parse_pi(&args)?;
    check_pi_len(&pi, k, "analyze")?;
    let options = CsvOptions {
        delimiter: parse_delimiter(&args)?,
        missing: if args.has("drop-missing") {
            Missing::DropRow
        } else {
            Missing::Reject
        },
    };
    let json = args.has("json");

    let mut names = vec![parent, child];
    if let Some(w) = weight {
        names.push(w);
    }
    if let Some(c) = bootstrap.as_ref().and_then(|b| b.cluster) {
        names.push(c);
    }
    let columns = if file == "-" {
        csv::read_columns_from(std::io::stdin().lock(), "<stdin>", &names, &options)
    } else {
        csv::read_columns(file, &names, &options)
    }
    .map_err(|e| data(e, None))?;
    let source = columns.source.clone();
    let get = |name: &str| columns.get(name).expect("column was read");
    let weights = weight.map(get);
    let spec = ClassSpec::Quantiles { k, rule };
    let tm = TransitionMatrix::from_status(get(parent), get(child), weights, &spec)
        .map_err(|e| analyze_error(e, &columns, weight))?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, &source))?;
    let inference = match &bootstrap {
        None => None,
        Some(b) => {
            let mut boot = Bootstrap::new(b.replicates)
                .seed(b.seed)
                .ci(b.ci)
                .weighting(pi.clone())
                .statistics(Selection::Measures);
            if let Some(c) = b.cluster {
                // numeric ids: equal values (-0 and 0 alike) form a cluster
                let ids: Vec<u64> = get(c).iter().map(|x| (x + 0.0).to_bits()).collect();
                boot = boot.clusters(&ids);
            }
            Some(
                boot.run(get(parent), get(child), weights, &spec)
                    .map_err(|e| analyze_error(e, &columns, weight))?,
            )
        }
    };

    let dropped = columns.dropped.as_ref().map(|d| {
        format!(
            "dropped {} row{} with missing values (the first on line {}, column '{}')",
            d.rows,
            if d.rows == 1 { "" } else { "s" },
            d.first_line,
            d.first_column
        )
    });
    if json {
        if let Some(d) = &dropped {
            eprintln!("mobility: note: {d}");
        }
        return match &inference {
            None => print_json(&report),
            Some(r) => print_json(&WithInference {
                report: &report,
                inference: InferenceJson(r),
                bootstrap: bootstrap_settings_json(r),
            }),
        };
    }
    let mut out = format!(
        "mobility analyze: {source}, parent '{parent}' -> child '{child}'\n{} rows{}; {k} quantile \
         classes by the {rule} rule\n",
        columns.len(),
        weight.map_or_else(
            || ", unweighted".to_string(),
            |w| format!(", weights '{w}'")
        ),
    );
    if let Some(d) = dropped {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&render_report(&report, &tm.labels()));
    if let Some(r) = &inference {
        out.push_str(&render_inference(r));
    }
    emit(&out)
}

/// The bootstrap options of `analyze`.
struct BootstrapArgs<'a> {
    replicates: usize,
    seed: u64,
    cluster: Option<&'a str>,
    ci: CiMethod,
}

fn parse_bootstrap(args: &Args) -> Outcome<Option<BootstrapArgs<'_>>> {
    let Some(b) = args.get("bootstrap") else {
        for only in ["seed", "cluster", "ci"] {
            if args.has(only) {
                return Err(usage(
                    "analyze",
                    format!("--{only} applies to the bootstrap (add --bootstrap B)"),
                ));
            }
        }
        return Ok(None);
    };
    let replicates = match b.trim().parse::<i64>() {
        Ok(b) if b >= 2 => b as usize,
        _ => {
            return Err(usage(
                "analyze",
                format!("--bootstrap expects a whole number of replicates (2 or more), got '{b}'"),
            ));
        }
    };
    let seed = match args.get("seed") {
        None => 0,
        Some(s) => s.trim().parse::<u64>().map_err(|_| {
            usage(
                "analyze",
                format!("--seed expects a whole number >= 0, got '{s}'"),
            )
        })?,
    };
    let ci = match args.get("ci") {
        None => CiMethod::default(),
        Some(s) => s.parse().map_err(|_| {
            usage(
                "analyze",
                format!("unknown --ci '{s}'; expected percentile or bca"),
            )
        })?,
    };
    Ok(Some(BootstrapArgs {
        replicates,
        seed,
        cluster: args.get("cluster"),
        ci,
    }))
}

/// The report's JSON object with the `inference` and `bootstrap` keys after its own.
#[derive(serde::Serialize)]
struct WithInference<'a> {
    #[serde(flatten)]
    report: &'a mobility::report::Report,
    inference: InferenceJson<'a>,
    bootstrap: serde_json::Value,
}

/// `{measure: {estimate, se, ci_low, ci_high, undefined_replicates}}` in canonical order.
struct InferenceJson<'a>(&'a BootstrapResult);

impl serde::Serialize for InferenceJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.statistics.len()))?;
        for s in &self.0.statistics {
            map.serialize_entry(
                &s.name,
                &serde_json::json!({
                    "estimate": s.estimate,
                    "se": s.se,
                    "ci_low": s.ci_low,
                    "ci_high": s.ci_high,
                    "undefined_replicates": s.undefined_replicates,
                }),
            )?;
        }
        map.end()
    }
}

fn bootstrap_settings_json(r: &BootstrapResult) -> serde_json::Value {
    let (resample, clusters) = match r.resampling {
        Resampling::Units { .. } => ("units", None),
        Resampling::Clusters { clusters, .. } => ("clusters", Some(clusters)),
    };
    serde_json::json!({
        "replicates": r.replicate_count,
        "seed": r.seed,
        "ci": r.ci.to_string(),
        "level": r.level,
        "cutoffs": match r.cutoffs {
            CutoffMode::Reestimate => "reestimated in each replicate",
            CutoffMode::Fixed => "fixed",
        },
        "resample": resample,
        "clusters": clusters,
        "jackknife_groups": r.jackknife_groups,
    })
}

/// The bootstrap section of the human-readable output.
fn render_inference(r: &BootstrapResult) -> String {
    let what = match r.resampling {
        Resampling::Units { units } => format!("of the {units} rows"),
        Resampling::Clusters { clusters, .. } => format!("of the {clusters} clusters"),
    };
    let cutoffs = match r.cutoffs {
        CutoffMode::Reestimate => "cut-offs re-estimated in each",
        CutoffMode::Fixed => "cut-offs fixed",
    };
    let interval = format!(
        "{}% {} interval",
        (r.level * 100.0).round(),
        match r.ci {
            CiMethod::Percentile => "percentile",
            CiMethod::Bca => "BCa",
        }
    );
    let mut out = format!(
        "\nBootstrap: {} replicates (seed {}) {what}, {cutoffs}\n",
        r.replicate_count, r.seed
    );
    let line = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        format!("  {a:<24} {b:>10} {c:>10}   {d:<24} {e}")
            .trim_end()
            .to_string()
            + "\n"
    };
    out.push_str(&line("measure", "estimate", "se", &interval, "undefined"));
    let num = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
    for s in &r.statistics {
        let ci = match (s.ci_low, s.ci_high) {
            (Some(lo), Some(hi)) => format!("[{lo:.4}, {hi:.4}]"),
            _ => "-".to_string(),
        };
        let undefined = if s.undefined_replicates > 0 {
            format!("in {} of {}", s.undefined_replicates, r.replicate_count)
        } else {
            String::new()
        };
        out.push_str(&line(
            &s.name,
            &num(s.estimate),
            &num(s.se),
            &ci,
            &undefined,
        ));
    }
    out
}

fn table(raw: &[String]) -> Outcome<()> {
    let opts = [
        flag("probabilities"),
        value("parent-shares"),
        flag("child-in-rows"),
        flag("renormalise"),
        value("tolerance"),
        value("pi"),
        value("delimiter"),
        flag("json"),
    ];
    let Some(args) = parse("table", raw, &opts)? else {
        return emit(TABLE_HELP);
    };
    let file = one_positional(&args, "FILE.csv")?;
    let probabilities = args.has("probabilities");
    for only in ["parent-shares", "renormalise", "tolerance"] {
        if args.has(only) && !probabilities {
            return Err(usage(
                "table",
                format!(
                    "--{only} applies to probability tables (add --probabilities); a count table \
                     gives its own shares"
                ),
            ));
        }
    }
    let parent_shares = args
        .get("parent-shares")
        .map(|s| parse_list(s, "parent-shares"))
        .transpose()?;
    let tolerance = match args.get("tolerance") {
        None => ProbabilityOptions::default().tolerance,
        Some(s) => match s.trim().parse::<f64>() {
            Ok(t) if t.is_finite() && t >= 0.0 => t,
            _ => {
                return Err(usage(
                    "table",
                    format!("--tolerance expects a number >= 0, got '{s}'"),
                ));
            }
        },
    };
    let child_in_rows = args.has("child-in-rows");
    let pi = parse_pi(&args)?;
    let options = CsvOptions {
        delimiter: parse_delimiter(&args)?,
        missing: Missing::Reject,
    };
    let json = args.has("json");

    let table = if file == "-" {
        csv::read_table_from(std::io::stdin().lock(), "<stdin>", &options)
    } else {
        csv::read_table(file, &options)
    }
    .map_err(|e| data(e, None))?;
    let source = table.source.clone();
    let k = table.values.nrows();
    if let Some(s) = &parent_shares
        && s.len() != k
    {
        return Err(usage(
            "table",
            format!(
                "--parent-shares has {} values but the table has {k} classes",
                s.len()
            ),
        ));
    }
    check_pi_len(&pi, k, "table")?;
    let tm = if probabilities {
        let opts = ProbabilityOptions {
            parent_shares,
            tolerance,
            renormalise: args.has("renormalise"),
            child_in_rows,
        };
        TransitionMatrix::from_probabilities(table.values.view(), &opts)
    } else if child_in_rows {
        TransitionMatrix::from_counts(table.values.t())
    } else {
        TransitionMatrix::from_counts(table.values.view())
    }
    .map_err(|e| table_error(e, &table, probabilities, child_in_rows))?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, &source))?;
    if json {
        return print_json(&report);
    }
    let mut layout = Vec::new();
    if let Some(line) = table.header_line {
        layout.push(format!("header row on line {line}"));
    }
    if table.row_labels.is_some() {
        layout.push("labels in column 1".to_string());
    }
    if child_in_rows {
        layout.push("transposed: child classes were in rows".to_string());
    }
    let layout = if layout.is_empty() {
        String::new()
    } else {
        format!(" ({})", layout.join("; "))
    };
    let mut out = format!(
        "mobility table: {source}, a {k} x {k} {} table{layout}\n",
        if probabilities {
            "probability"
        } else {
            "count"
        }
    );
    out.push_str(&render_report(&report, &tm.labels()));
    emit(&out)
}

fn published_table(raw: &[String]) -> Outcome<()> {
    let opts = [value("pi"), flag("json")];
    let Some(args) = parse("published", raw, &opts)? else {
        return emit(PUBLISHED_HELP);
    };
    if args.positionals.is_empty() {
        if args.has("json") {
            return print_json(&published::NAMES);
        }
        return emit(&format!(
            "Built-in tables (mobility published NAME):\n{}",
            published::NAMES
                .iter()
                .map(|n| format!("  {n}\n"))
                .collect::<String>()
        ));
    }
    let name = one_positional(&args, "table name")?;
    let Some(tm) = published::by_name(name) else {
        return Err(usage(
            "published",
            format!(
                "unknown table '{name}'; the built-in tables are {}",
                published::NAMES.join(", ")
            ),
        ));
    };
    let pi = parse_pi(&args)?;
    check_pi_len(&pi, tm.k, "published")?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, name))?;
    if args.has("json") {
        return print_json(&report);
    }
    let mut out = format!("mobility published: {name}\n");
    out.push_str(&render_report(&report, &tm.labels()));
    emit(&out)
}

// ---------------------------------------------------------------------------------------------
// Errors and output

/// A library error about the data, as one line: `FILE: line N, column 'x': problem`.
fn data(e: MobilityError, source: Option<&str>) -> Failure {
    match e {
        MobilityError::Input {
            path,
            location,
            message,
        } => Failure::Data(match location {
            Some(l) => format!("{path}: {l}: {message}"),
            None => format!("{path}: {message}"),
        }),
        other => Failure::Data(match source {
            Some(s) => format!("{s}: {other}"),
            None => other.to_string(),
        }),
    }
}

fn analyze_error(e: MobilityError, columns: &Columns, weight: Option<&str>) -> Failure {
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

fn table_error(e: MobilityError, table: &Table, probabilities: bool, transposed: bool) -> Failure {
    let what = if probabilities {
        "probability"
    } else {
        "count"
    };
    let source = table.source.as_str();
    // Library indices are 1-based (parent row, child column) of the possibly transposed table.
    let cell = |row: usize, col: usize| {
        if transposed {
            (col - 1, row - 1)
        } else {
            (row - 1, col - 1)
        }
    };
    match e {
        MobilityError::InvalidEntry {
            row, col, value, ..
        } => {
            let (r, c) = cell(row, col);
            data(
                table.error_at(
                    r,
                    c,
                    format!("{what} {value} is negative; entries must be >= 0"),
                ),
                None,
            )
        }
        MobilityError::RowSum {
            row,
            sum,
            tolerance,
        } => {
            let v = &table.values;
            let near_one =
                |sums: ndarray::Array1<f64>| sums.iter().all(|s| (s - 1.0).abs() <= tolerance);
            let hint = if !transposed && near_one(v.sum_axis(ndarray::Axis(0))) {
                "the columns sum to 1: is the child class in rows? pass --child-in-rows"
            } else if v.iter().all(|x| x.fract() == 0.0) && sum > 1.5 {
                "whole numbers: is it a count table? leave out --probabilities"
            } else if sum > 1.5 {
                "rows summing to about 100 are percentages: leave out --probabilities to read \
                 them as counts"
            } else {
                "pass --renormalise to rescale a rounded table"
            };
            let message =
                format!("parent class {row} sums to {sum}, not 1 (tolerance {tolerance}); {hint}");
            if transposed {
                Failure::Data(format!(
                    "{source}: column {}: {message}",
                    table.first_column + row - 1
                ))
            } else {
                data(table.row_error(row - 1, message), None)
            }
        }
        MobilityError::ZeroTotalWeight { .. } => {
            Failure::Data(format!("{source}: every count in the table is zero"))
        }
        MobilityError::TooFewClasses { k } => Failure::Data(format!(
            "{source}: the table is {k} x {k}; a transition table needs at least 2 classes"
        )),
        MobilityError::InvalidParameter { name, reason } if name == "parent shares" => {
            usage("table", format!("invalid --parent-shares: {reason}"))
        }
        other => data(other, Some(source)),
    }
}

/// Errors from the origin weighting: bad custom weights are usage errors; a stationary
/// distribution that is not unique is a property of the data.
fn pi_error(e: MobilityError, source: &str) -> Failure {
    match &e {
        MobilityError::InvalidParameter { name, reason } if name.contains("pi") => {
            Failure::Usage(format!("invalid --pi: {reason}"))
        }
        _ => Failure::Data(format!("{source}: --pi: {e}")),
    }
}

fn parse_list(s: &str, name: &str) -> Outcome<Vec<f64>> {
    s.split(',')
        .map(|x| match x.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(usage(
                "table",
                format!(
                    "invalid --{name} '{s}': expected comma-separated numbers >= 0 (e.g. \
                     0.2,0.2,0.2,0.2,0.2)"
                ),
            )),
        })
        .collect()
}

fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Outcome<()> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Data(format!("cannot write JSON: {e}")))?;
    emit(&format!("{json}\n"))
}

/// Writes to stdout; a closed pipe (`mobility ... | head`) is not an error.
fn emit(text: &str) -> Outcome<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Data(format!("cannot write the output: {e}"))),
    }
}
