//! `mobility places`: groups of paired status on national classes (`--by`), with an optional
//! places bootstrap and ranking, or published place matrices ranked on levelling up and on
//! social mobility (`--matrices`).

use crate::inference::places_bootstrap::{
    PlaceMeasure, PlaceResampling, PlacesBootstrap, PlacesBootstrapOptions, places_bootstrap,
};
use crate::inference::{CutoffMode, Resampling};
use crate::io::csv::{self, Columns, CsvOptions};
use crate::io::place_matrices::read_place_matrices;
use crate::places::groups::{GroupOptions, by_group};
use crate::places::report::{MobilityScore, PlacesOptions, places_report};
use crate::rank::Rule;
use crate::rankbased::RankBasis;
use crate::ranking::{PlaceRanking, PlaceRankingOptions, rank_places};
use crate::render::places::{render_groups, render_places, render_ranking};
use crate::{MobilityError, Parameter};

use super::{
    CommandError, Note, Output, Pairs, Reply, Result, check_pi_len, data, dropped_note,
    few_clusters, one, read_columns, refuse, required, status_error, weights_phrase,
};

const COMMAND: &str = "places";

/// What `mobility places` was asked.
#[derive(Debug, Clone, Default)]
pub struct PlacesRequest {
    /// The file (`-`: standard input, not with `--matrices` or `--cluster`).
    pub positionals: Vec<String>,
    /// Columns, classes, origin weights, CSV reading (microdata; `pi` also for `--matrices`).
    pub pairs: Pairs,
    /// `--by COL`: the place (group) column.
    pub by: Option<String>,
    /// `--ranks national|local`.
    pub ranks: Option<RankBasis>,
    /// `--matrices`: the file holds published place matrices.
    pub matrices: bool,
    /// `--score`: the mobility score of `--matrices`.
    pub score: Option<MobilityScore>,
    /// `--fraction F` (`--matrices`).
    pub fraction: Option<f64>,
    /// `--row-tolerance T` (`--matrices`).
    pub row_tolerance: Option<f64>,
    /// `--top N`: places shown (`--matrices`, default 10).
    pub top: Option<usize>,
    /// `--json`.
    pub json: bool,
    /// `--measure M`: the places bootstrap's measure.
    pub measure: Option<PlaceMeasure>,
    /// `--bootstrap B` (default 500).
    pub bootstrap: Option<usize>,
    /// `--seed S`.
    pub seed: Option<u64>,
    /// `--rank-ci`: the places ranking with rank confidence sets.
    pub rank_ci: bool,
    /// `--min-size N`: places with fewer units are not shown or ranked.
    pub min_size: Option<usize>,
    /// `--resample joint|within`.
    pub resample: Option<PlaceResampling>,
    /// `--cluster COL`: cluster ids for the places bootstrap.
    pub cluster: Option<String>,
    /// `--coverage C` of the rank sets (default 0.95).
    pub coverage: Option<f64>,
    /// `--tau N`: top-tau sets (0: none; default 10).
    pub tau: Option<usize>,
    /// Counts the places bootstrap's finished replicates (a progress display).
    pub progress: Option<crate::progress::ProgressCounter>,
}

impl PlacesRequest {
    /// Whether the places bootstrap and ranking were asked for.
    fn ranked(&self) -> bool {
        self.measure.is_some() || self.bootstrap.is_some() || self.rank_ci
    }
}

/// Runs `mobility places`.
///
/// # Errors
/// [`CommandError::Usage`] for options that do not fit together, [`CommandError::Data`] for
/// the file.
pub fn run(r: &PlacesRequest) -> Result<Reply> {
    let file = one(COMMAND, &r.positionals, "FILE.csv")?;
    let p = &r.pairs;
    if r.matrices {
        let microdata = [
            ("parent", p.parent.is_some()),
            ("child", p.child.is_some()),
            ("by", r.by.is_some()),
            ("weight", p.weight.is_some()),
            ("quantiles", p.quantiles.is_some()),
            ("rule", p.rule.is_some()),
            ("ranks", r.ranks.is_some()),
            ("drop-missing", p.drop_missing),
            ("delimiter", p.delimiter.is_some()),
            ("measure", r.measure.is_some()),
            ("bootstrap", r.bootstrap.is_some()),
            ("seed", r.seed.is_some()),
            ("rank-ci", r.rank_ci),
            ("cluster", r.cluster.is_some()),
            ("min-size", r.min_size.is_some()),
            ("resample", r.resample.is_some()),
            ("coverage", r.coverage.is_some()),
            ("tau", r.tau.is_some()),
        ];
        refuse(
            COMMAND,
            &microdata,
            "applies to microdata (--by), not to --matrices",
        )?;
        return place_matrices(r, file);
    }
    refuse(
        COMMAND,
        &[
            ("score", r.score.is_some()),
            ("fraction", r.fraction.is_some()),
            ("row-tolerance", r.row_tolerance.is_some()),
            ("top", r.top.is_some()),
        ],
        "applies to published matrices (add --matrices)",
    )?;
    let (parent, child) = p.columns(COMMAND)?;
    let by = required(COMMAND, "by", r.by.as_deref())?;
    let weight = p.weight.as_deref();
    let (k, rule) = p.classes(COMMAND)?;
    let basis = r.ranks.unwrap_or(RankBasis::National);
    let pi = p.pi(k, COMMAND)?;
    let options = p.csv();
    let names = p.names(parent, child);
    let (columns, labels) = read_columns(file, &names, Some(by), &options)?;
    let labels = labels.unwrap_or_default();
    let source = columns.source.clone();
    let get = |name: &str| columns.get(name).expect("column was read");
    let weights = weight.map(get);
    let group_options = GroupOptions {
        k,
        rule,
        basis,
        weighting: pi,
    };
    let mut table = by_group(get(parent), get(child), weights, &labels, &group_options).map_err(
        |e| match e {
            MobilityError::InvalidParameter {
                name: Parameter::Weighting,
                reason,
            } => CommandError::Data(format!("{source}: --pi: {reason}")),
            e => status_error(e, &columns, weight),
        },
    )?;
    let mut notes: Vec<Note> = (columns.dropped.as_ref())
        .map(|d| Note::Info(dropped_note(d)))
        .into_iter()
        .collect();
    let min_size = r.min_size.unwrap_or(0);
    let clusters = cluster_ids(r, file, &names, &columns, &options, &mut notes)?;
    let ranking = ranking(
        r,
        (get(parent), get(child), weights),
        &labels,
        clusters.as_deref(),
        (k, rule),
    )?;
    let small = table.rows.iter().filter(|r| r.units < min_size).count();
    table.rows.retain(|r| r.units >= min_size);
    if r.json {
        let Some((boot, ranked)) = ranking else {
            return Ok(Reply {
                output: Output::json(table),
                notes,
            });
        };
        let json = |e: serde_json::Error| CommandError::Data(e.to_string());
        let mut v = serde_json::to_value(&table).map_err(json)?;
        let mut boot = serde_json::to_value(&boot).map_err(json)?;
        boot.as_object_mut().map(|o| o.remove("covariance"));
        if let Some(o) = v.as_object_mut() {
            o.insert("places_bootstrap".into(), boot);
            o.insert(
                "ranking".into(),
                serde_json::to_value(&ranked).map_err(json)?,
            );
        }
        return Ok(Reply {
            output: Output::json(v),
            notes,
        });
    }
    let mut out = format!(
        "mobility places: {source}, parent '{parent}' -> child '{child}', groups by '{by}'\n{} \
         rows{}; {k} national quantile classes by the {rule} rule; {} ranks\n",
        columns.len(),
        weights_phrase(weight, ""),
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
                Resampling::Clusters { clusters, .. } => format!(" of {clusters} clusters"),
                Resampling::Units { .. } => String::new(),
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
    Ok(Reply {
        output: Output::Text(out),
        notes,
    })
}

/// `--cluster COL`: the cluster ids (text or numbers) of the rows `columns` kept, read from the
/// file a second time (standard input is read once: refused).
fn cluster_ids(
    r: &PlacesRequest,
    file: &str,
    names: &[&str],
    columns: &Columns,
    options: &CsvOptions,
    notes: &mut Vec<Note>,
) -> Result<Option<Vec<String>>> {
    let Some(cluster) = r.cluster.as_deref() else {
        return Ok(None);
    };
    if !r.ranked() {
        return Err(CommandError::usage(
            COMMAND,
            "--cluster applies to the places bootstrap (add --rank-ci)",
        ));
    }
    if file == "-" {
        return Err(CommandError::usage(
            COMMAND,
            "--cluster needs a file (standard input can be read only once)",
        ));
    }
    let ids =
        csv::read_labelled_columns(file, names, cluster, options).map_err(|e| data(e, None))?;
    if ids.columns.lines != columns.lines {
        return Err(CommandError::Data(format!(
            "{file}: the rows with a missing cluster id ('{cluster}') are not those with a missing \
             place; fill in or remove the missing values first"
        )));
    }
    let n = (ids.labels.iter())
        .collect::<std::collections::HashSet<_>>()
        .len();
    notes.extend(few_clusters(n));
    Ok(Some(ids.labels))
}

/// `--measure`, `--bootstrap`, `--rank-ci` and friends: the places bootstrap and the ranking.
fn ranking(
    r: &PlacesRequest,
    (parent, child, weights): (&[f64], &[f64], Option<&[f64]>),
    labels: &[String],
    clusters: Option<&[String]>,
    (k, rule): (usize, Rule),
) -> Result<Option<(PlacesBootstrap<String>, PlaceRanking<String>)>> {
    if !r.ranked() {
        refuse(
            COMMAND,
            &[
                ("seed", r.seed.is_some()),
                ("resample", r.resample.is_some()),
                ("coverage", r.coverage.is_some()),
                ("tau", r.tau.is_some()),
            ],
            "applies to the places ranking (add --rank-ci)",
        )?;
        return Ok(None);
    }
    let measure = r.measure.unwrap_or(PlaceMeasure::AbsoluteUpwardMobility);
    let seed = r.seed.unwrap_or(0);
    let options = PlacesBootstrapOptions {
        rule,
        seed,
        resampling: r.resample.unwrap_or(PlaceResampling::Joint),
        progress: r.progress.clone(),
        ..PlacesBootstrapOptions::new(k, measure, r.bootstrap.unwrap_or(500))
    };
    let boot = places_bootstrap(parent, child, weights, labels, clusters, &options)
        .map_err(|e| CommandError::usage(COMMAND, format!("places bootstrap: {e}")))?;
    let mut ro = PlaceRankingOptions {
        min_size: r.min_size.unwrap_or(0),
        ..PlaceRankingOptions::default()
    };
    ro.rank_sets.coverage = r.coverage.unwrap_or(0.95);
    ro.rank_sets.seed = seed;
    let tau = r.tau.unwrap_or(10);
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
        .map_err(|e| CommandError::Data(format!("places ranking: {e}")))?;
    Ok(Some((boot, ranked)))
}

/// `--matrices`: published place matrices, ranked on levelling up and on mobility.
fn place_matrices(r: &PlacesRequest, file: &str) -> Result<Reply> {
    let defaults = PlacesOptions::default();
    if file == "-" {
        return Err(CommandError::usage(
            COMMAND,
            "--matrices reads a file, not standard input",
        ));
    }
    let table = read_place_matrices(file).map_err(|e| data(e, None))?;
    let pi = r.pairs.pi.clone().unwrap_or_default();
    if let Some(k) = (table.iter()).find_map(|p| p.probabilities.as_ref().map(|m| m.nrows())) {
        check_pi_len(&pi, k, COMMAND)?;
    }
    let options = PlacesOptions {
        mobility_score: r.score.unwrap_or(MobilityScore::BottomToTop),
        row_tolerance: r.row_tolerance.unwrap_or(defaults.row_tolerance),
        contrast_fraction: r.fraction.unwrap_or(defaults.contrast_fraction),
        weighting: pi,
    };
    let report = places_report(&table, &options).map_err(|e| match e {
        MobilityError::InvalidParameter { name, reason } => {
            let option = match name {
                Parameter::ContrastFraction => "fraction".to_string(),
                Parameter::RowTolerance => "row-tolerance".to_string(),
                other => other.to_string(),
            };
            CommandError::usage(COMMAND, format!("invalid --{option}: {reason}"))
        }
        e => data(e, Some(file)),
    })?;
    if r.json {
        return Ok(Reply {
            output: Output::json(report),
            notes: Vec::new(),
        });
    }
    let mut out = format!(
        "mobility places: {file}, {} published place matrices ({} x {})\n",
        table.len(),
        report.k,
        report.k
    );
    out.push_str(&render_places(&report, r.top.unwrap_or(10)));
    Ok(Reply::text(out))
}
