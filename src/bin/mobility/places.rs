//! `mobility places`: groups of paired status on national classes (`--by`), or published place
//! matrices ranked on levelling up and on social mobility (`--matrices`).

use mobility::inference::CutoffMode;
use mobility::inference::places_bootstrap::{
    PlaceMeasure, PlaceResampling, PlacesBootstrap, PlacesBootstrapOptions, places_bootstrap,
};
use mobility::io::csv::{self, CsvOptions};
use mobility::io::place_matrices::read_place_matrices;
use mobility::measures::Weighting;
use mobility::places::groups::{GroupOptions, by_group};
use mobility::places::report::{MobilityScore, PlacesOptions, places_report};
use mobility::rankbased::RankBasis;
use mobility::ranking::{PlaceRanking, PlaceRankingOptions, rank_places};
use mobility::render::places::{render_groups, render_places, render_ranking};
use mobility::{MobilityError, Parameter};

use crate::analyze::status_error;
use crate::args::{self, Args, flag, value};
use crate::{Failure, Outcome, data, dropped_note, emit, print_json};

const HELP: &str = include_str!("help/places.txt");

pub fn run(raw: &[String]) -> Outcome<()> {
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
        value("measure"),
        value("bootstrap"),
        value("seed"),
        flag("rank-ci"),
        value("min-size"),
        value("resample"),
        value("cluster"),
        value("coverage"),
        value("tau"),
    ];
    let Some(args) = args::parse("places", raw, &opts)? else {
        return emit(HELP);
    };
    let file = args::one_positional(&args, "FILE.csv")?;
    let pi = args::pi(&args)?;
    if args.has("matrices") {
        let microdata = [
            "parent",
            "child",
            "by",
            "weight",
            "quantiles",
            "rule",
            "ranks",
            "drop-missing",
            "delimiter",
            "measure",
            "bootstrap",
            "seed",
            "rank-ci",
            "cluster",
            "min-size",
            "resample",
            "coverage",
            "tau",
        ];
        args::refuse(
            &args,
            &microdata,
            "applies to microdata (--by), not to --matrices",
        )?;
        return place_matrices(&args, file, pi);
    }
    args::refuse(
        &args,
        &["score", "fraction", "row-tolerance", "top"],
        "applies to published matrices (add --matrices)",
    )?;
    let parent = args.required("parent")?;
    let child = args.required("child")?;
    let by = args.required("by")?;
    let weight = args.get("weight");
    let (k, rule) = args::class_options(&args, weight.is_some())?;
    let basis: RankBasis = args::option(&args, "ranks", RankBasis::National)?;
    args::check_pi_len(&pi, k, "places")?;
    let options = CsvOptions {
        delimiter: args::delimiter(&args)?,
        missing: args::missing(&args),
    };
    let names: Vec<&str> = [Some(parent), Some(child), weight]
        .into_iter()
        .flatten()
        .collect();
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
            name: Parameter::Weighting,
            reason,
        } => Failure::Data(format!("{source}: --pi: {reason}")),
        e => status_error(e, columns, weight),
    })?;
    if let Some(d) = &columns.dropped {
        eprintln!("mobility: note: {}", dropped_note(d));
    }
    let min_size: usize = args::whole(&args, "min-size", 0, "a whole number >= 0", u64::MAX)?;
    let clusters = cluster_ids(&args, file, &names, columns, &options)?;
    let ranking = ranking(
        &args,
        (get(parent), get(child), weights),
        &read.labels,
        clusters.as_deref(),
        k,
        rule,
        min_size,
    )?;
    let mut table = table;
    let small = table.rows.iter().filter(|r| r.units < min_size).count();
    table.rows.retain(|r| r.units >= min_size);
    if args.has("json") {
        let Some((boot, ranked)) = ranking else {
            return print_json(&table);
        };
        let mut v = serde_json::to_value(&table).map_err(|e| Failure::Data(e.to_string()))?;
        let mut boot = serde_json::to_value(&boot).map_err(|e| Failure::Data(e.to_string()))?;
        boot.as_object_mut().map(|o| o.remove("covariance"));
        if let Some(o) = v.as_object_mut() {
            o.insert("places_bootstrap".into(), boot);
            o.insert(
                "ranking".into(),
                serde_json::to_value(&ranked).map_err(|e| Failure::Data(e.to_string()))?,
            );
        }
        return print_json(&v);
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
    if small > 0 {
        out.push_str(&format!(
            "  ({small} group{} with fewer than {min_size} units not shown)\n",
            if small == 1 { "" } else { "s" }
        ));
    }
    if let Some((boot, ranked)) = &ranking {
        out.push_str(&format!(
            "\nStandard errors: {} bootstrap{}, {} replicates (seed {}), national cut-offs {}\n",
            boot.resampling,
            match boot.units {
                mobility::inference::Resampling::Clusters { clusters, .. } =>
                    format!(" of {clusters} clusters"),
                mobility::inference::Resampling::Units { .. } => String::new(),
            },
            boot.replicates,
            boot.seed,
            match boot.cutoffs {
                CutoffMode::Reestimate => "and ranks re-estimated in each",
                CutoffMode::Fixed => "and ranks fixed",
            }
        ));
        out.push_str(&render_ranking(ranked));
    }
    emit(&out)
}

/// `--cluster COL`: the cluster ids (text or numbers) of the rows `columns` kept, read from the
/// file a second time (standard input is read once: refused).
fn cluster_ids(
    args: &Args,
    file: &str,
    names: &[&str],
    columns: &csv::Columns,
    options: &CsvOptions,
) -> Outcome<Option<Vec<String>>> {
    let Some(cluster) = args.get("cluster") else {
        return Ok(None);
    };
    if !["measure", "bootstrap", "rank-ci"]
        .iter()
        .any(|o| args.has(o))
    {
        return Err(args::usage(
            "places",
            "--cluster applies to the places bootstrap (add --rank-ci)",
        ));
    }
    if file == "-" {
        return Err(args::usage(
            "places",
            "--cluster needs a file (standard input can be read only once)",
        ));
    }
    let ids =
        csv::read_labelled_columns(file, names, cluster, options).map_err(|e| data(e, None))?;
    if ids.columns.lines != columns.lines {
        return Err(Failure::Data(format!(
            "{file}: the rows with a missing cluster id ('{cluster}') are not those with a missing \
             place; fill in or remove the missing values first"
        )));
    }
    let n = ids
        .labels
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    crate::warn_if_few_clusters(n);
    Ok(Some(ids.labels))
}

/// `--measure`, `--bootstrap`, `--rank-ci` and friends: the places bootstrap and the ranking.
fn ranking(
    args: &Args,
    (parent, child, weights): (&[f64], &[f64], Option<&[f64]>),
    labels: &[String],
    clusters: Option<&[String]>,
    k: usize,
    rule: mobility::rank::Rule,
    min_size: usize,
) -> Outcome<Option<(PlacesBootstrap<String>, PlaceRanking<String>)>> {
    let wanted = ["measure", "bootstrap", "rank-ci"]
        .iter()
        .any(|o| args.has(o));
    if !wanted {
        args::refuse(
            args,
            &["seed", "resample", "coverage", "tau"],
            "applies to the places ranking (add --rank-ci)",
        )?;
        return Ok(None);
    }
    let measure: PlaceMeasure =
        args::option(args, "measure", PlaceMeasure::AbsoluteUpwardMobility)?;
    let replicates: usize = args::replicates(args, 500)?;
    let seed: u64 = args::whole(args, "seed", 0, "a whole number >= 0", u64::MAX)?;
    let resampling: PlaceResampling = args::option(args, "resample", PlaceResampling::Joint)?;
    let coverage: f64 = args::number(args, "coverage", 0.95, "a number in [0.5, 1)")?;
    let tau: usize = args::whole(args, "tau", 10, "a whole number >= 0", u64::MAX)?;
    let options = PlacesBootstrapOptions {
        rule,
        seed,
        resampling,
        ..PlacesBootstrapOptions::new(k, measure, replicates)
    };
    let boot = places_bootstrap(parent, child, weights, labels, clusters, &options)
        .map_err(|e| args::usage("places", format!("places bootstrap: {e}")))?;
    let mut ro = PlaceRankingOptions {
        min_size,
        ..PlaceRankingOptions::default()
    };
    ro.rank_sets.coverage = coverage;
    ro.rank_sets.seed = seed;
    ro.tau = (tau > 0).then_some(tau);
    let ranked = rank_places(&boot, &ro)
        .or_else(|_| {
            // fewer places than tau: rank without the tau sets
            rank_places(
                &boot,
                &PlaceRankingOptions {
                    tau: None,
                    ..ro.clone()
                },
            )
        })
        .map_err(|e| Failure::Data(format!("places ranking: {e}")))?;
    Ok(Some((boot, ranked)))
}

fn place_matrices(args: &Args, file: &str, pi: Weighting) -> Outcome<()> {
    let mobility_score: MobilityScore = args::option(args, "score", MobilityScore::BottomToTop)?;
    let defaults = PlacesOptions::default();
    let contrast_fraction = args::number(args, "fraction", defaults.contrast_fraction, "a number")?;
    let row_tolerance = args::number(args, "row-tolerance", defaults.row_tolerance, "a number")?;
    let top: usize = args::whole(args, "top", 10, "a whole number >= 0", u64::MAX)?;
    if file == "-" {
        return Err(args::usage(
            "places",
            "--matrices reads a file, not standard input",
        ));
    }
    let table = read_place_matrices(file).map_err(|e| data(e, None))?;
    if let Some(k) = table
        .iter()
        .find_map(|p| p.probabilities.as_ref().map(|m| m.nrows()))
    {
        args::check_pi_len(&pi, k, "places")?;
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
                Parameter::ContrastFraction => "fraction".to_string(),
                Parameter::RowTolerance => "row-tolerance".to_string(),
                other => other.to_string(),
            };
            args::usage("places", format!("invalid --{option}: {reason}"))
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
