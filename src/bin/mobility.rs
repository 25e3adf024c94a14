//! `mobility`: quantile transition matrices and mobility measures from CSV files.
//!
//! Argument parsing and printing only; the work is done by the `mobility` library
//! (`mobility::io::csv` reads, `mobility::io::text` renders). Exit status: 0 on success, 2 for a
//! usage error, 1 for a problem with the data; every error is one line on stderr.

use std::io::Write;
use std::process::ExitCode;

use mobility::groups::{GroupOptions, GroupTable, by_group};
use mobility::inference::{
    Bootstrap, BootstrapResult, CiMethod, CutoffMode, Resampling, Selection,
};
use mobility::io::csv::{self, Columns, CsvOptions, Delimiter, Missing, Table};
use mobility::io::text::render_report;
use mobility::levelling::{
    MobilityScore, PlaceRow, PlacesOptions, PlacesReport, places_report, read_place_matrices,
};
use mobility::matrix::ProbabilityOptions;
use mobility::measures::Weighting;
use mobility::rankbased::{RankBasis, RankMobility, rank_mobility};
use mobility::report::Report;
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
  mobility places FILE.csv --parent COL --child COL --by COL    one row per group or place
  mobility places FILE.csv --matrices                           rank published place matrices
  mobility --help | --version

Each command prints the transition matrix P (parent class in rows, from the bottom), class shares,
every mobility measure with a one-line description, the stationary distribution and eigenvalue
moduli (analyze adds the rank and income measures: rank-rank slope, absolute upward mobility,
Spearman, Kendall's tau-b, IGE, absolute mobility); --json prints one JSON object instead.
'places' puts levelling up and social mobility side by side for groups or places.
Run 'mobility COMMAND --help' for the options.

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
  --json                print one JSON object (k, n, counts, matrix, shares, measures, ...,
                        and rank_measures: rank_rank_slope, rank_rank_intercept,
                        absolute_upward_mobility, spearman, kendall_tau_b,
                        share_child_rank_above_parent, ige, absolute_mobility, ...)
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

const PLACES_HELP: &str = "\
mobility places: levelling up and social mobility side by side, per group or place

Usage:
  mobility places FILE.csv --parent COL --child COL --by COL [options]
  mobility places FILE.csv --matrices [options]

With --by, FILE.csv holds paired status and a group column (region, cohort, sex). Classes are cut
at the national (whole-file) quantiles; for each group the command prints its size, its parent and
child shares over the national classes, the levelling-up score (mean national class of children
minus that of parents), the structural and exchange parts of its mobility, P(top | bottom) and its
ratio to P(top | middle), the rank-rank slope and absolute upward mobility, and the mean fall in
national rank points of children who end below their parents' class.

With --matrices, FILE.csv holds published place matrices in the layout of Chetty et al. (2014),
Online Data Table 6 (p_par{i}_kid{j}, frac_par_q{i}, frac_kid_q{j}; one row per place): places
are ranked on levelling up and on social mobility, and those that do well on one and badly on the
other are listed.

Options with --by:
  --parent COL          column with the parent's status                          [required]
  --child COL           column with the child's status                           [required]
  --by COL              column of group labels (any text)                        [required]
  --weight COL          column of survey weights (>= 0; needs --rule midrank)
  --quantiles K         number of national classes, 2..=1000                     [default: 5]
  --rule RULE           tie rule: midrank, giddy, r-type7, stata-xtile            [default: midrank]
  --ranks BASIS         national: each group's matrix and rank-rank line on national classes
                        and ranks (Chetty et al. 2014 for places); local: within the group
                                                                                [default: national]
  --drop-missing        drop rows with an empty or NA cell in these columns
Options with --matrices:
  --score NAME          the mobility axis: bottom_to_top (P(top | bottom)),
                        upward_from_bottom, top_access_ratio, shorrocks_trace
                                                                            [default: bottom_to_top]
  --fraction F          'does well' = top F of places on an axis, 'badly' = bottom F
                                                                                  [default: 0.2]
  --row-tolerance X     rows within X of summing to 1 are rescaled (and counted), further ones
                        exclude the place                                        [default: 0.01]
  --top N               places listed per axis in the text output               [default: 10]
Both:
  --pi WEIGHTS          origin weights of the matrix measures                     [default: parent]
  --delimiter D         field delimiter: ',' ';' or tab (with --by)              [default: ,]
  --json                print one JSON object
  -h, --help            this help

Examples:
  mobility places pairs.csv --parent parent_income --child child_income --by region
  mobility places table6_cz_quintile_matrices.csv --matrices --score bottom_to_top
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
            "no command given; usage: mobility analyze|table|published|places ... (see mobility \
             --help)"
                .into(),
        ));
    };
    match command.as_str() {
        "-h" | "--help" | "help" => emit(HELP),
        "-V" | "--version" => emit(&format!("mobility {VERSION}\n")),
        "analyze" | "analyse" => analyze(rest),
        "table" => table(rest),
        "published" => published_table(rest),
        "places" => places(rest),
        other => {
            let hint = if other.ends_with(".csv") || other.ends_with(".tsv") {
                format!("; did you mean 'mobility analyze {other} --parent COL --child COL'?")
            } else if other.starts_with('-') {
                "; options come after the command (see mobility --help)".to_string()
            } else {
                "; expected analyze, table, published or places (see mobility --help)".to_string()
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
    let (k, rule) = class_options("analyze", &args, weight.is_some())?;
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
    // Undefined only when every parent has the same status (the matrix above is then degenerate
    // too): reported as null / a note, not an error.
    let ranks = rank_mobility(get(parent), get(child), weights);
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
            None => print_json(&AnalyzeJson {
                report: &report,
                rank_measures: ranks.as_ref().ok(),
            }),
            Some(r) => print_json(&WithInference {
                report: &report,
                rank_measures: ranks.as_ref().ok(),
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
    out.push_str(&render_rank_measures(&ranks));
    if let Some(r) = &inference {
        out.push_str(&render_inference(r));
    }
    emit(&out)
}

/// `analyze --json`: the report's keys and `rank_measures`.
#[derive(serde::Serialize)]
struct AnalyzeJson<'a> {
    #[serde(flatten)]
    report: &'a Report,
    rank_measures: Option<&'a RankMobility>,
}

fn render_rank_measures(ranks: &Result<RankMobility, MobilityError>) -> String {
    let m = match ranks {
        Ok(m) => m,
        Err(e) => return format!("\nRank and income measures: {e}\n"),
    };
    let opt = |v: Option<f64>| v.map_or_else(|| "undefined".to_string(), |v| format!("{v:.4}"));
    let rows: Vec<(&str, String, String)> = vec![
        (
            "rank_rank_slope",
            format!("{:.4}", m.rank_rank_slope),
            "OLS slope, child rank on parent rank (Chetty et al. 2014)".into(),
        ),
        (
            "rank_rank_intercept",
            format!("{:.2}", m.rank_rank_intercept),
            "expected child rank (0-100) at parent rank 0".into(),
        ),
        (
            "absolute_upward_mobility",
            format!("{:.2}", m.absolute_upward_mobility),
            "expected child rank (0-100) at parent rank 25".into(),
        ),
        (
            "spearman",
            opt(m.spearman),
            "correlation of parent and child ranks (Spearman)".into(),
        ),
        (
            "kendall_tau_b",
            opt(m.kendall_tau_b),
            "Kendall's tau-b (ties counted)".into(),
        ),
        (
            "share_child_rank_above_parent",
            format!("{:.4}", m.share_child_rank_above_parent),
            "share with child rank > parent rank (ties: not up)".into(),
        ),
        (
            "ige",
            opt(m.ige),
            format!(
                "log-log slope; {} pair{} with status <= 0 dropped",
                m.ige_dropped,
                if m.ige_dropped == 1 { "" } else { "s" }
            ),
        ),
        (
            "absolute_mobility",
            format!("{:.4}", m.absolute_mobility),
            "share with child status > parent's (Chetty et al. 2017)".into(),
        ),
        (
            "absolute_mobility_at_least",
            format!("{:.4}", m.absolute_mobility_at_least),
            "share with child status >= parent's".into(),
        ),
    ];
    let mut out =
        String::from("\nRank and income measures (mid-ranks, ties share their mean rank)\n");
    for (name, value, what) in rows {
        out.push_str(&format!("  {name:<29} {value:>8}  {what}\n"));
    }
    out
}

/// The bootstrap options of `analyze`.
struct BootstrapArgs<'a> {
    replicates: usize,
    seed: u64,
    cluster: Option<&'a str>,
    ci: CiMethod,
}

/// `--quantiles K` (default 5) and `--rule RULE` (default midrank), checked together with
/// `--weight` (only the midrank rule takes weights).
fn class_options(command: &str, args: &Args, weighted: bool) -> Outcome<(usize, Rule)> {
    let k = match args.get("quantiles") {
        None => 5,
        Some(s) => match s.trim().parse::<i64>() {
            Ok(k) if (2..=MAX_K as i64).contains(&k) => k as usize,
            Ok(k) if k < 2 => {
                return Err(usage(
                    command,
                    format!("--quantiles must be at least 2, got {k}"),
                ));
            }
            Ok(k) => {
                return Err(usage(
                    command,
                    format!("--quantiles must be at most {MAX_K}, got {k}"),
                ));
            }
            Err(_) => {
                return Err(usage(
                    command,
                    format!("--quantiles expects a whole number of classes (2 or more), got '{s}'"),
                ));
            }
        },
    };
    let rule: Rule = match args.get("rule") {
        None => Rule::Midrank,
        Some(s) => s.parse().map_err(|_| {
            usage(
                command,
                format!("unknown --rule '{s}'; expected midrank, giddy, r-type7 or stata-xtile"),
            )
        })?,
    };
    if weighted && rule != Rule::Midrank {
        return Err(usage(
            command,
            format!(
                "--weight needs --rule midrank (the {rule} rule reproduces unweighted software)"
            ),
        ));
    }
    Ok((k, rule))
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
    rank_measures: Option<&'a RankMobility>,
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
                .map(|n| format!("  {n:<20} {}\n", published::describe(n).unwrap_or_default()))
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
    check_pi_len(&pi, tm.k(), "published")?;
    let report = tm.report(&pi).map_err(|e| pi_error(e, name))?;
    if args.has("json") {
        return print_json(&report);
    }
    let mut out = format!("mobility published: {name}\n");
    out.push_str(&render_report(&report, &tm.labels()));
    emit(&out)
}

fn places(raw: &[String]) -> Outcome<()> {
    let opts = [
        value("parent"),
        value("child"),
        value("by"),
        value("weight"),
        value("quantiles"),
        value("rule"),
        value("ranks"),
        flag("drop-missing"),
        flag("matrices"),
        value("score"),
        value("fraction"),
        value("row-tolerance"),
        value("top"),
        value("pi"),
        value("delimiter"),
        flag("json"),
    ];
    let Some(args) = parse("places", raw, &opts)? else {
        return emit(PLACES_HELP);
    };
    let file = one_positional(&args, "FILE.csv")?;
    let pi = parse_pi(&args)?;
    if args.has("matrices") {
        for only in [
            "parent",
            "child",
            "by",
            "weight",
            "quantiles",
            "rule",
            "ranks",
            "drop-missing",
            "delimiter",
        ] {
            if args.has(only) {
                return Err(usage(
                    "places",
                    format!("--{only} applies to microdata (--by), not to --matrices"),
                ));
            }
        }
        return place_matrices(&args, file, pi);
    }
    for only in ["score", "fraction", "row-tolerance", "top"] {
        if args.has(only) {
            return Err(usage(
                "places",
                format!("--{only} applies to published matrices (add --matrices)"),
            ));
        }
    }
    let parent = args.required("parent")?;
    let child = args.required("child")?;
    let by = args.required("by")?;
    let weight = args.get("weight");
    let (k, rule) = class_options("places", &args, weight.is_some())?;
    let basis = match args.get("ranks").map(|s| s.trim().to_ascii_lowercase()) {
        None => RankBasis::National,
        Some(s) if s == "national" => RankBasis::National,
        Some(s) if s == "local" => RankBasis::Local,
        Some(s) => {
            return Err(usage(
                "places",
                format!("unknown --ranks '{s}'; expected national or local"),
            ));
        }
    };
    check_pi_len(&pi, k, "places")?;
    let options = CsvOptions {
        delimiter: parse_delimiter(&args)?,
        missing: if args.has("drop-missing") {
            Missing::DropRow
        } else {
            Missing::Reject
        },
    };
    let mut names = vec![parent, child];
    if let Some(w) = weight {
        names.push(w);
    }
    let read = if file == "-" {
        csv::read_labelled_columns_from(std::io::stdin().lock(), "<stdin>", &names, by, &options)
    } else {
        csv::read_labelled_columns(file, &names, by, &options)
    }
    .map_err(|e| data(e, None))?;
    let columns = &read.columns;
    let source = columns.source.clone();
    let get = |name: &str| columns.get(name).expect("column was read");
    let weights = weight.map(get);
    let group_options = GroupOptions {
        k,
        rule,
        basis,
        weighting: pi,
    };
    let table = by_group(
        get(parent),
        get(child),
        weights,
        &read.labels,
        &group_options,
    )
    .map_err(|e| match e {
        MobilityError::InvalidParameter {
            name: mobility::Parameter::Weighting,
            reason,
        } => Failure::Data(format!("{source}: --pi: {reason}")),
        e => analyze_error(e, columns, weight),
    })?;
    if let Some(d) = &columns.dropped {
        eprintln!(
            "mobility: note: dropped {} row{} with missing values (the first on line {}, column \
             '{}')",
            d.rows,
            if d.rows == 1 { "" } else { "s" },
            d.first_line,
            d.first_column
        );
    }
    if args.has("json") {
        return print_json(&table);
    }
    let mut out = format!(
        "mobility places: {source}, parent '{parent}' -> child '{child}', groups by '{by}'\n{} \
         rows{}; {k} national quantile classes by the {rule} rule; {} ranks\n",
        columns.len(),
        weight.map_or_else(
            || ", unweighted".to_string(),
            |w| format!(", weights '{w}'")
        ),
        match basis {
            RankBasis::National => "national",
            RankBasis::Local => "local (within-group)",
        }
    );
    out.push_str(&render_groups(&table));
    emit(&out)
}

fn render_groups(t: &GroupTable<String>) -> String {
    let k = t.k;
    let mut out = String::new();
    out.push_str(&format!(
        "National medians: parents {}, children {}\n\n",
        t.national_parent_median, t.national_child_median
    ));
    let width = t
        .rows
        .iter()
        .map(|r| r.group.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 16);
    out.push_str(&format!(
        "  {:<width$} {:>7} {:>5} {:>6} {:>6} {:>6} {:>6} {:>5} {:>6} {:>6} {:>6} {:>5} {:>5}\n",
        "group",
        "units",
        "share",
        "par C1",
        "kid C1",
        "level",
        "struct",
        "exch",
        "topbot",
        "access",
        "slope",
        "AUM",
        "fall"
    ));
    let opt = |v: Option<f64>, d: usize| v.map_or_else(|| "-".to_string(), |v| format!("{v:.d$}"));
    for r in &t.rows {
        let l = &r.levelling;
        let name: String = r.group.chars().take(width).collect();
        out.push_str(&format!(
            "  {:<width$} {:>7} {:>5.3} {:>6.3} {:>6.3} {:>+6.3} {:>6.3} {:>5.3} {:>6} {:>6} {:>6} {:>5} \
             {:>5}\n",
            name,
            r.units,
            r.population_share,
            l.parent_shares[0],
            l.child_shares[0],
            l.levelling_up,
            l.decomposition.structural,
            l.decomposition.exchange,
            opt(l.top_access.bottom_to_top, 3),
            opt(l.top_access.ratio, 2),
            opt(r.rank.as_ref().map(|m| m.rank_rank_slope), 3),
            opt(r.rank.as_ref().map(|m| m.absolute_upward_mobility), 1),
            opt(r.fall.mean_fall_rank_points, 1),
        ));
    }
    if !t.empty_groups.is_empty() {
        out.push_str(&format!(
            "  ({} group{} with zero total weight left out: {})\n",
            t.empty_groups.len(),
            if t.empty_groups.len() == 1 { "" } else { "s" },
            t.empty_groups.join(", ")
        ));
    }
    let ranks = match t.basis {
        RankBasis::National => "national",
        RankBasis::Local => "within-group",
    };
    out.push_str(&format!(
        "\nClasses C1..C{k} are the national (whole-file) quantile classes.
  share   the group's share of the total weight
  par C1  its parents' share in the bottom national class; kid C1: its children's
  level   levelling up: mean national class of its children minus that of its parents
  struct  structural mobility, 1/2 sum |parent share - child share| over national classes
  exch    exchange mobility: the share changing class minus struct
  topbot  P(top class | bottom class); access: that divided by P(top | middle class)
  slope   rank-rank slope; AUM: expected child rank at parent rank 25 ({ranks} ranks)
  fall    mean drop in national rank points of children who end below their parents' class
"
    ));
    out
}

fn place_matrices(args: &Args, file: &str, pi: Weighting) -> Outcome<()> {
    let mobility_score: MobilityScore = match args.get("score") {
        None => MobilityScore::BottomToTop,
        Some(s) => s.parse().map_err(|_| {
            usage(
                "places",
                format!(
                    "unknown --score '{s}'; expected bottom_to_top, upward_from_bottom, \
                     top_access_ratio or shorrocks_trace"
                ),
            )
        })?,
    };
    let number = |name: &str, default: f64| -> Outcome<f64> {
        match args.get(name) {
            None => Ok(default),
            Some(s) => s
                .trim()
                .parse::<f64>()
                .map_err(|_| usage("places", format!("--{name} expects a number, got '{s}'"))),
        }
    };
    let defaults = PlacesOptions::default();
    let contrast_fraction = number("fraction", defaults.contrast_fraction)?;
    let row_tolerance = number("row-tolerance", defaults.row_tolerance)?;
    let top = match args.get("top") {
        None => 10,
        Some(s) => s
            .trim()
            .parse::<usize>()
            .map_err(|_| usage("places", format!("--top expects a whole number, got '{s}'")))?,
    };
    if file == "-" {
        return Err(usage(
            "places",
            "--matrices reads a file, not standard input",
        ));
    }
    let table = read_place_matrices(file).map_err(|e| data(e, None))?;
    if let Some(k) = table
        .iter()
        .find_map(|p| p.probabilities.as_ref().map(|m| m.nrows()))
    {
        check_pi_len(&pi, k, "places")?;
    }
    let options = PlacesOptions {
        mobility_score,
        row_tolerance,
        contrast_fraction,
        weighting: pi,
    };
    let report = places_report(&table, &options).map_err(|e| match e {
        MobilityError::InvalidParameter { name, reason } => {
            let option = match name {
                mobility::Parameter::ContrastFraction => "fraction".to_string(),
                mobility::Parameter::RowTolerance => "row-tolerance".to_string(),
                other => other.to_string(),
            };
            usage("places", format!("invalid --{option}: {reason}"))
        }
        e => data(e, Some(file)),
    })?;
    if args.has("json") {
        return print_json(&report);
    }
    let mut out = format!(
        "mobility places: {file}, {} published place matrices ({} x {})\n",
        table.len(),
        report.k,
        report.k
    );
    out.push_str(&render_places(&report, top));
    emit(&out)
}

fn render_places(r: &PlacesReport, top: usize) -> String {
    let mut out = String::new();
    let m = r.places.len();
    let score = r.options.mobility_score.name();
    out.push_str(&format!(
        "{m} places ranked, {} left out{}\n",
        r.excluded.len(),
        r.excluded
            .first()
            .map_or(String::new(), |e| format!(" (e.g. {}: {})", e.id, e.reason))
    ));
    out.push_str(&format!(
        "{} rows in {} places did not sum to 1 (largest gap {:.1e}) and were rescaled\n",
        r.rows_renormalised, r.places_renormalised, r.max_row_deviation
    ));
    if let Some(c) = r.score_correlation {
        out.push_str(&format!(
            "Spearman correlation of the two axes across places: {c:+.3}\n"
        ));
    }
    let label = |p: &PlaceRow| {
        let s = if p.region.is_empty() {
            p.name.clone()
        } else {
            format!("{}, {}", p.name, p.region)
        };
        let s = if s.is_empty() { p.id.clone() } else { s };
        s.chars().take(26).collect::<String>()
    };
    let list = |out: &mut String, title: &str, rows: &[&PlaceRow], first: bool| {
        out.push_str(&format!("\n{title}\n"));
        out.push_str(&format!(
            "  {:>4}  {:<26} {:>9} {:>6} {:>9} {:>6}\n",
            "rank", "place", "levelling", "rank", score, "rank"
        ));
        for p in rows {
            out.push_str(&format!(
                "  {:>4}  {:<26} {:>+9.3} {:>6} {:>9.4} {:>6}\n",
                if first {
                    p.levelling_rank
                } else {
                    p.mobility_rank
                },
                label(p),
                p.levelling_score,
                p.levelling_rank,
                p.mobility_score,
                p.mobility_rank
            ));
        }
    };
    let by_l = r.by_levelling();
    let by_m = r.by_mobility();
    list(
        &mut out,
        &format!("Most levelling up (mean national class of children minus parents), top {top}"),
        &by_l[..top.min(m)],
        true,
    );
    list(
        &mut out,
        &format!("Most mobile ({score}), top {top}"),
        &by_m[..top.min(m)],
        false,
    );
    let find = |id: &str| r.places.iter().find(|p| p.id == id).expect("ranked place");
    let pct = (r.options.contrast_fraction * 100.0).round();
    let contrast_rows =
        |c: &[mobility::levelling::Contrast]| c.iter().map(|c| find(&c.id)).collect::<Vec<_>>();
    list(
        &mut out,
        &format!(
            "Levelling up without mobility: top {pct}% on levelling up, bottom {pct}% on {score} \
             ({} places)",
            r.levelling_not_mobility.len()
        ),
        &contrast_rows(&r.levelling_not_mobility),
        true,
    );
    list(
        &mut out,
        &format!(
            "Mobility without levelling up: top {pct}% on {score}, bottom {pct}% on levelling up \
             ({} places)",
            r.mobility_not_levelling.len()
        ),
        &contrast_rows(&r.mobility_not_levelling),
        false,
    );
    out
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
        MobilityError::InvalidParameter {
            name: mobility::Parameter::ParentShares,
            reason,
        } => usage("table", format!("invalid --parent-shares: {reason}")),
        other => data(other, Some(source)),
    }
}

/// Errors from the origin weighting: bad custom weights are usage errors; a stationary
/// distribution that is not unique is a property of the data.
fn pi_error(e: MobilityError, source: &str) -> Failure {
    match &e {
        MobilityError::InvalidParameter {
            name: mobility::Parameter::Pi | mobility::Parameter::OriginWeights,
            reason,
        } => Failure::Usage(format!("invalid --pi: {reason}")),
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
