//! A report people can share: one self-contained HTML file of a mobility analysis.
//!
//! Two steps, each one call:
//! - [`ReportPage`], the page model (a serde struct): built from microdata by
//!   [`ReportPage::from_data`], which computes everything, or from results already computed by
//!   [`ReportPage::from_results`];
//! - [`render`], which writes the page: static tables and inline SVG charts (drawn with the
//!   `plotters` SVG backend), readable with JavaScript off, printable, with every figure's data
//!   embedded as a CSV download (`data:` URIs). The page fetches nothing when opened.
//!
//! ```text
//! microdata --from_data--> ReportPage --render--> report.html
//! results ---from_results--^
//! ```
//!
//! # Example
//! ```
//! use mobility::render::html::{ReportOptions, ReportPage, render};
//! let parent: Vec<f64> = (0..200).map(|i| ((i * 37) % 200) as f64).collect();
//! let child: Vec<f64> = parent.iter().enumerate().map(|(i, p)| p + ((i * 53) % 90) as f64).collect();
//! let page = ReportPage::from_data(&parent, &child, None, None, &ReportOptions::default()).unwrap();
//! let html = render(&page).unwrap();
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("Sticky floor"));
//! ```

mod charts;
mod render;
mod sections;
use sections::{groups_section, league_table_intervals, places_section};
pub mod text;

use serde::{Deserialize, Serialize};

pub use render::render;

use crate::binned::{BinnedRanks, DEFAULT_BINS, binned_rank_means};
use crate::error::{MobilityError, Result};
use crate::inference::{Bootstrap, BootstrapResult, CiMethod, Selection};
use crate::markov;
use crate::matrix::{ClassSpec, TransitionMatrix, class_labels};
use crate::measures::Weighting;
use crate::places::groups::{GroupOptions, GroupTable, by_group};
use crate::places::report::{ExcludedPlace, MobilityScore, PlacesReport};
use crate::rank::Rule;
use crate::rankbased::{RankMobility, rank_mobility};
use crate::registry::{Measure, MeasureInfo, RankMeasure};
use crate::report::{AnalysisReport, Report};
use crate::weights::WeightKind;

/// A measure of the registry the page shows in its headline block: a matrix measure or a rank
/// measure. Serialises as the measure's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HeadlineMeasure {
    /// A matrix measure.
    Matrix(Measure),
    /// A rank measure (shown only when computed from paired status).
    Rank(RankMeasure),
}

impl HeadlineMeasure {
    /// The registry entry (name, description, formula, source).
    pub fn info(self) -> &'static MeasureInfo {
        match self {
            HeadlineMeasure::Matrix(m) => m.info(),
            HeadlineMeasure::Rank(m) => m.info(),
        }
    }

    /// The registry name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The value in an analysis (`None` where undefined or, for a rank measure, not computed).
    pub fn value(self, analysis: &AnalysisReport) -> Option<f64> {
        match self {
            HeadlineMeasure::Matrix(m) => analysis.report.measures.value(m),
            HeadlineMeasure::Rank(m) => analysis.rank_measures.as_ref().and_then(|r| m.value(r)),
        }
    }
}

/// The headline measures, in the order the page shows them.
pub const HEADLINE: [HeadlineMeasure; 8] = [
    HeadlineMeasure::Matrix(Measure::BottomPersistence),
    HeadlineMeasure::Matrix(Measure::TopPersistence),
    HeadlineMeasure::Matrix(Measure::BottomToTop),
    HeadlineMeasure::Matrix(Measure::UpwardShare),
    HeadlineMeasure::Matrix(Measure::DownwardShare),
    HeadlineMeasure::Matrix(Measure::ShorrocksTrace),
    HeadlineMeasure::Rank(RankMeasure::RankRankSlope),
    HeadlineMeasure::Rank(RankMeasure::AbsoluteUpwardMobility),
];

/// Tolerance `eps` on the log gap used for generations to the mean (docs/FORMULAS.md#generations-to-mean; OECD 2018).
pub const GENERATIONS_TOLERANCE: f64 = 0.05;

/// Rows left out of the analysis, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DroppedRows {
    /// How many rows.
    pub rows: usize,
    /// Why (e.g. "parent_income is missing").
    pub reason: String,
}

/// Where the data came from and how it was read: what the caller knows and the library cannot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Source {
    /// Data source name (a file name, a survey).
    pub name: String,
    /// Column (or variable) of parent status.
    pub parent: Option<String>,
    /// Column of child status.
    pub child: Option<String>,
    /// Column of weights, when weighted.
    pub weights: Option<String>,
    /// Column of groups or places.
    pub groups: Option<String>,
    /// Rows read from the source (before dropping).
    pub rows_read: Option<usize>,
    /// Rows dropped, and why.
    pub dropped: Vec<DroppedRows>,
    /// The exact command or Python call that reproduces this report.
    pub command: Option<String>,
}

/// Bootstrap settings of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapOptions {
    /// Replicates `B`.
    pub replicates: usize,
    /// Seed.
    pub seed: u64,
    /// Confidence level, in (0, 1).
    pub level: f64,
    /// Interval method.
    pub ci: CiMethod,
    /// Counts each finished replicate (a progress display; not part of the settings).
    #[serde(skip)]
    pub progress: Option<crate::progress::ProgressCounter>,
}

/// Options of [`ReportPage::from_data`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Title of the page (default "Social mobility report: <source>").
    pub title: Option<String>,
    /// Number of classes.
    pub k: usize,
    /// Tie rule.
    pub rule: Rule,
    /// Origin weights of the summary measures.
    pub weighting: Weighting,
    /// Bins of parent rank in the rank-rank picture (20 by default; 100 for percentiles).
    pub bins: usize,
    /// Bootstrap intervals, when wanted.
    pub bootstrap: Option<BootstrapOptions>,
    /// What the weights mean (how the bootstrap draws records; the sample size shown).
    pub weight_kind: WeightKind,
    /// Which measure ranks places on social mobility.
    pub mobility_score: MobilityScore,
    /// "Does well" / "does badly" = top / bottom fraction of places on an axis.
    pub contrast_fraction: f64,
    /// Provenance.
    pub source: Source,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            title: None,
            k: 5,
            rule: Rule::Midrank,
            weighting: Weighting::ParentShares,
            bins: DEFAULT_BINS,
            bootstrap: None,
            weight_kind: WeightKind::Sampling,
            mobility_score: MobilityScore::BottomToTop,
            contrast_fraction: 0.2,
            source: Source::default(),
        }
    }
}

/// What was measured: the provenance block at the top of the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The caller's description of the source.
    pub source: Source,
    /// Pairs used.
    pub rows_used: Option<usize>,
    /// Total weight used (equals `rows_used` without weights).
    pub total_weight: Option<f64>,
    /// Whether the analysis was weighted.
    pub weighted: bool,
    /// Tie rule, when classes came from the data.
    pub tie_rule: Option<String>,
    /// Number of classes.
    pub k: usize,
    /// "quintiles", "deciles", ...
    pub classes: String,
    /// The origin weighting of the summary measures, in words.
    pub pi: String,
    /// `mobility` version that wrote the page.
    pub library_version: String,
}

/// One class: its label, cut-offs in data units and shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRow {
    /// `Q1`, `D1`, ...
    pub label: String,
    /// Upper parent cut-off of the class in status units (`None` for the top class or when
    /// unknown).
    pub parent_upper: Option<f64>,
    /// Upper child cut-off.
    pub child_upper: Option<f64>,
    /// Parent share.
    pub parent_share: f64,
    /// Child share.
    pub child_share: f64,
    /// No parents in this class.
    pub empty_parent: bool,
    /// No children reached this class.
    pub empty_child: bool,
}

/// A headline measure with its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// The measure (serialised as its registry name).
    pub measure: HeadlineMeasure,
    /// Short title ("Sticky floor").
    pub title: String,
    /// The registry's one-line description.
    pub description: String,
    /// The value (`None` where undefined).
    pub value: Option<f64>,
    /// The value as printed ("34%", "0.79").
    pub display: String,
    /// Interval, when bootstrapped.
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    pub ci_high: Option<f64>,
    /// The interval as printed.
    pub ci_display: Option<String>,
    /// The plain-language sentence with the number filled in (or why it is undefined).
    pub sentence: String,
}

/// Long-run quantities of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LongRun {
    /// The stationary distribution, when unique.
    pub stationary: Option<Vec<f64>>,
    /// Parent shares, beside it.
    pub parent_shares: Vec<f64>,
    /// `|lambda_2|`.
    pub lambda2_modulus: Option<f64>,
    /// Generations for the gap to the long run to halve.
    pub half_life: Option<f64>,
    /// Generations to the mean (OECD 2018), when the IGE and income levels are known.
    pub generations: Option<markov::GenerationsToMean>,
    /// Expected income relative to the mean, generation 0, 1, ..., n* + 1 (the path drawn).
    pub path: Vec<f64>,
}

/// Rank confidence sets and shrunk estimates per place, aligned with [`PlacesSection::rows`]
/// (written by the ranking module; plain vectors so any ranking method can fill it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankConfidence {
    /// Point rank, 1 = best.
    pub rank: Vec<usize>,
    /// Lower end of the rank confidence set (best rank the place could have).
    pub lower: Vec<usize>,
    /// Upper end (worst rank).
    pub upper: Vec<usize>,
    /// Shrunk (empirical Bayes) estimate, where available.
    pub shrunk: Vec<Option<f64>>,
    /// The method, in words (e.g. "Mogstad et al. 2024, 95% joint").
    pub method: String,
}

/// One place or group of the league table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceEntry {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Size (population or weight), when known.
    pub size: Option<f64>,
    /// The social-mobility estimate.
    pub estimate: f64,
    /// Its interval, when known.
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
    /// The levelling-up score (national classes, children minus parents).
    pub levelling: f64,
    /// Rank on mobility, 1 = most mobile.
    pub mobility_rank: usize,
    /// Rank on levelling up.
    pub levelling_rank: usize,
}

/// Places or groups: the league table and the levelling-up vs mobility scatter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacesSection {
    /// "places" or "groups".
    pub kind: String,
    /// Canonical name of the mobility score.
    pub score: String,
    /// Its title.
    pub score_title: String,
    /// The rows, in input order.
    pub rows: Vec<PlaceEntry>,
    /// Rank confidence sets, when computed.
    pub rank_confidence: Option<RankConfidence>,
    /// Places in the top fraction on levelling up and the bottom fraction on mobility.
    pub levelling_not_mobility: Vec<String>,
    /// Places in the top fraction on mobility and the bottom fraction on levelling up.
    pub mobility_not_levelling: Vec<String>,
    /// The fraction used for "does well" / "badly".
    pub contrast_fraction: f64,
    /// Spearman correlation of the two scores across places.
    pub score_correlation: Option<f64>,
    /// Median levelling score (the scatter's vertical split).
    pub levelling_median: f64,
    /// Median mobility score (the horizontal split).
    pub mobility_median: f64,
    /// Places left out, and why.
    pub excluded: Vec<ExcludedPlace>,
    /// Why the rank confidence sets were not computed, when a bootstrap was run but they could
    /// not be (e.g. fewer than two places with a positive standard error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_note: Option<String>,
}

/// Everything the HTML report shows, as data. Serialises to JSON (the same numbers as the
/// page); [`render`] turns it into HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportPage {
    /// Page title.
    pub title: String,
    /// What was measured.
    pub provenance: Provenance,
    /// Class labels, `Q1` = poorest.
    pub labels: Vec<String>,
    /// One reader's word for a class ("fifth").
    pub class_noun: String,
    /// Classes with cut-offs and shares.
    pub classes: Vec<ClassRow>,
    /// The analysis, exactly as `mobility analyze --json` prints it: the matrix report (counts,
    /// P, shares, every measure), the rank measures when computed from paired status, and the
    /// bootstrap estimates and settings when a bootstrap was run.
    pub analysis: AnalysisReport,
    /// Headline measures with sentences.
    pub headline: Vec<Headline>,
    /// The rank-rank picture.
    pub binned: Option<BinnedRanks>,
    /// Long run.
    pub long_run: LongRun,
    /// Places or groups.
    pub places: Option<PlacesSection>,
    /// The methods table.
    pub methods: Vec<text::Method>,
}

/// Results already computed, for [`ReportPage::from_results`]. Only the matrix is required.
#[derive(Debug, Clone)]
pub struct ReportResults<'a> {
    /// The (national) transition matrix.
    pub matrix: &'a TransitionMatrix,
    /// Origin weights of the summary measures.
    pub weighting: Weighting,
    /// Tie rule used for the classes, when they came from data.
    pub rule: Option<Rule>,
    /// Rank measures.
    pub rank: Option<&'a RankMobility>,
    /// The rank-rank picture.
    pub binned: Option<&'a BinnedRanks>,
    /// Bootstrap result.
    pub bootstrap: Option<&'a BootstrapResult>,
    /// Bootstrap estimates of the rank measures on the same replicates
    /// ([`crate::inference::rank_bootstrap`]).
    pub rank_bootstrap: Option<&'a crate::inference::bootstrap::EstimateTable>,
    /// Generations to the mean.
    pub generations: Option<markov::GenerationsToMean>,
    /// A group table (microdata with a group column).
    pub groups: Option<&'a GroupTable<String>>,
    /// A places report (published place matrices).
    pub places: Option<&'a PlacesReport>,
    /// Rank confidence sets for the places or groups, aligned with their rows.
    pub rank_confidence: Option<RankConfidence>,
    /// Which measure ranks groups on mobility (a places report carries its own).
    pub mobility_score: MobilityScore,
    /// "Does well" fraction for groups.
    pub contrast_fraction: f64,
    /// Provenance.
    pub source: Source,
    /// Page title.
    pub title: Option<String>,
}

impl<'a> ReportResults<'a> {
    /// Results holding only `matrix` (parent-share weighting, no extras).
    pub fn new(matrix: &'a TransitionMatrix) -> ReportResults<'a> {
        ReportResults {
            matrix,
            weighting: Weighting::ParentShares,
            rule: None,
            rank: None,
            binned: None,
            bootstrap: None,
            rank_bootstrap: None,
            generations: None,
            groups: None,
            places: None,
            rank_confidence: None,
            mobility_score: MobilityScore::BottomToTop,
            contrast_fraction: 0.2,
            source: Source::default(),
            title: None,
        }
    }
}

impl ReportPage {
    /// Computes everything the page shows from paired status: the matrix and its report, rank
    /// measures and the rank-rank picture, the long run (generations to the mean from the IGE
    /// and the bottom class's mean parent income), bootstrap intervals when asked, and with
    /// `groups` one row per group against national classes.
    ///
    /// # Formula
    /// See [`TransitionMatrix::from_status`], [`rank_mobility`], [`binned_rank_means`],
    /// [`markov::generations_to_mean`] (`y` = mean parent status of class 1 over the overall
    /// mean, `eps` = [`GENERATIONS_TOLERANCE`]), [`by_group`], [`Bootstrap::run`].
    ///
    /// # Errors
    /// Whatever those reject (empty input, lengths that differ, non-finite status, bad weights,
    /// `k < 2`, bins outside `2..=1000`, bad bootstrap settings), and a group column of the
    /// wrong length.
    ///
    /// # Complexity
    /// `O(n log n)` (the sorts of the rank measures), plus `O(B n)` with a bootstrap.
    pub fn from_data(
        parent: &[f64],
        child: &[f64],
        weights: Option<&[f64]>,
        groups: Option<&[String]>,
        options: &ReportOptions,
    ) -> Result<ReportPage> {
        let spec = ClassSpec::Quantiles {
            k: options.k,
            rule: options.rule,
        };
        let tm = TransitionMatrix::from_status(parent, child, weights, &spec)?;
        let ((rank, binned), boot) = rayon::join(
            || {
                rayon::join(
                    || rank_mobility(parent, child, weights),
                    || binned_rank_means(parent, child, weights, options.bins),
                )
            },
            || {
                options.bootstrap.as_ref().map(|settings| {
                    let mut b = Bootstrap::new(settings.replicates)
                        .seed(settings.seed)
                        .level(settings.level)
                        .ci(settings.ci)
                        .weighting(options.weighting.clone())
                        .statistics(Selection::Measures)
                        .weight_kind(options.weight_kind);
                    if let Some(counter) = &settings.progress {
                        b = b.progress(counter.clone());
                    }
                    // the rank measures on the same replicates, as `mobility analyze` reports
                    let ranks = crate::inference::rank_bootstrap::rank_bootstrap(
                        parent, child, weights, &b,
                    )
                    .ok()
                    .map(|r| r.estimates());
                    b.run(parent, child, weights, &spec).map(|m| (m, ranks))
                })
            },
        );
        // Undefined only when every parent has the same status: a note on the page, as in
        // `mobility analyze`, not an error.
        let (rank, rank_note) = match rank {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.to_string())),
        };
        // The picture fails with the rank measures (constant parents); otherwise its error
        // (bins out of range) is the caller's.
        let binned = match (binned, &rank) {
            (Err(e), Some(_)) => return Err(e),
            (b, _) => b.ok(),
        };
        let (boot, rank_boot) = match boot.transpose()? {
            Some((m, r)) => (Some(m), r),
            None => (None, None),
        };
        let generations = rank.as_ref().and_then(|r| r.ige).and_then(|beta| {
            let ratio = bottom_class_ratio(parent, weights, &tm)?;
            markov::generations_to_mean(beta, ratio, GENERATIONS_TOLERANCE).ok()
        });
        let table = match groups {
            Some(g) => {
                let mut go = GroupOptions::new(options.k);
                go.rule = options.rule;
                go.weighting = options.weighting.clone();
                Some(by_group(parent, child, weights, g, &go)?)
            }
            None => None,
        };
        let mut source = options.source.clone();
        if weights.is_some() && source.weights.is_none() {
            source.weights = Some("weights".into());
        }
        let results = ReportResults {
            matrix: &tm,
            weighting: options.weighting.clone(),
            rule: Some(options.rule),
            rank: rank.as_ref(),
            binned: binned.as_ref(),
            bootstrap: boot.as_ref(),
            rank_bootstrap: rank_boot.as_ref(),
            generations,
            groups: table.as_ref(),
            places: None,
            rank_confidence: None,
            mobility_score: options.mobility_score,
            contrast_fraction: options.contrast_fraction,
            source,
            title: options.title.clone(),
        };
        let mut page = ReportPage::from_results(&results)?;
        page.analysis.rank_note = rank_note;
        // the diagnostics `mobility analyze` adds for data in memory: the same analysis object
        page.analysis = page
            .analysis
            .clone()
            .with_weights(weights, options.weight_kind)
            .with_tie_spans(&tm, parent, child, weights, options.rule)?;
        page.provenance.rows_used = Some(parent.len());
        page.provenance.weighted = weights.is_some();
        if let (Some(g), Some(b), Some(section)) =
            (groups, options.bootstrap.as_ref(), page.places.as_mut())
        {
            league_table_intervals(parent, child, weights, g, b, options, section)?;
        }
        Ok(page)
    }

    /// Builds the page from results already computed.
    ///
    /// # Errors
    /// As [`TransitionMatrix::report`] (a custom weighting of the wrong length); a rank
    /// confidence set whose length differs from the places'.
    ///
    /// # Complexity
    /// `O(k^3 + places log places)`.
    pub fn from_results(results: &ReportResults<'_>) -> Result<ReportPage> {
        let tm = results.matrix;
        let k = tm.k();
        let report = tm.report(&results.weighting)?;
        let labels = class_labels(k);
        let pc = report.parent_cutoffs.clone();
        let cc = report.child_cutoffs.clone();
        let classes = (0..k)
            .map(|i| ClassRow {
                label: labels[i].clone(),
                parent_upper: pc.as_ref().and_then(|c| c.get(i).copied()),
                child_upper: cc.as_ref().and_then(|c| c.get(i).copied()),
                parent_share: report.parent_shares[i],
                child_share: report.child_shares[i],
                empty_parent: report.empty_parent_classes.contains(&(i + 1)),
                empty_child: report.empty_child_classes.contains(&(i + 1)),
            })
            .collect();
        let long_run = long_run(tm, &report, results.generations.clone());
        let analysis = AnalysisReport {
            report,
            rank_measures: results.rank.cloned(),
            rank_note: None,
            inference: results.bootstrap.map(BootstrapResult::estimates),
            bootstrap: results.bootstrap.map(BootstrapResult::settings),
            rank_inference: results.rank_bootstrap.cloned(),
            tie_spans: None,
            weights: None,
        };
        let interval = |name: &str| {
            [&analysis.inference, &analysis.rank_inference]
                .into_iter()
                .flatten()
                .find_map(|t| t.0.iter().find(|(n, _)| n == name))
                .and_then(|(_, s)| s.ci_low.zip(s.ci_high))
        };
        let headline = HEADLINE
            .iter()
            // rank measures appear only when computed; matrix measures always (undefined ones
            // say why)
            .filter(|m| matches!(m, HeadlineMeasure::Matrix(_)) || analysis.rank_measures.is_some())
            .map(|&m| headline(m, m.value(&analysis), interval(m.name()), k))
            .collect();
        let places = match (results.places, results.groups) {
            (Some(p), _) => Some(places_section(p)),
            (None, Some(g)) => Some(groups_section(
                g,
                results.mobility_score,
                results.contrast_fraction,
            )),
            (None, None) => None,
        };
        let places = match (places, results.rank_confidence.clone()) {
            (Some(mut p), Some(rc)) => {
                let n = p.rows.len();
                if [
                    rc.rank.len(),
                    rc.lower.len(),
                    rc.upper.len(),
                    rc.shrunk.len(),
                ]
                .iter()
                .any(|&l| l != n)
                {
                    return Err(MobilityError::LengthMismatch {
                        what: "rank confidence sets".into(),
                        expected: n,
                        found: rc.rank.len(),
                    });
                }
                p.rank_confidence = Some(rc);
                Some(p)
            }
            (p, _) => p,
        };
        let name = if results.source.name.is_empty() {
            "data".to_string()
        } else {
            results.source.name.clone()
        };
        let provenance = Provenance {
            source: results.source.clone(),
            rows_used: results.rank.map(|r| r.n),
            total_weight: tm.n(),
            weighted: results.source.weights.is_some(),
            tie_rule: results.rule.map(|r| r.name().to_string()),
            k,
            classes: text::class_kind(k),
            pi: weighting_words(&results.weighting),
            library_version: env!("CARGO_PKG_VERSION").to_string(),
        };
        Ok(ReportPage {
            title: results
                .title
                .clone()
                .unwrap_or_else(|| format!("Social mobility report: {name}")),
            provenance,
            class_noun: text::class_noun(k),
            labels,
            classes,
            analysis,
            headline,
            binned: results.binned.cloned(),
            long_run,
            places,
            methods: text::methods(),
        })
    }
}

/// The origin weighting in words.
fn weighting_words(w: &Weighting) -> String {
    match w {
        Weighting::ParentShares => "parent shares (the actual flows)".into(),
        Weighting::Uniform => "uniform (1/k per class)".into(),
        Weighting::Stationary => "the stationary distribution".into(),
        Weighting::Custom(v) => format!(
            "custom: {}",
            v.iter()
                .map(|x| format!("{x:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The value as the page prints it, by the registry's scale: shares as percentages, indices
/// and slopes with two decimals, rank points with one.
fn display(m: HeadlineMeasure, v: f64) -> String {
    use crate::registry::Scale;
    match m.info().scale {
        Scale::Share => text::percent(v),
        Scale::RankPoints => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

fn headline(m: HeadlineMeasure, value: Option<f64>, ci: Option<(f64, f64)>, k: usize) -> Headline {
    let info = m.info();
    let sentence = match value {
        Some(v) => text::sentence(m, v, k),
        None => format!(
            "Undefined here: it needs {}.",
            info.needs
                .iter()
                .map(|n| n.describe())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    };
    Headline {
        measure: m,
        title: text::title(m).to_string(),
        description: info.description.to_string(),
        value,
        display: value.map_or("–".into(), |v| display(m, v)),
        ci_low: ci.map(|c| c.0),
        ci_high: ci.map(|c| c.1),
        ci_display: ci.map(|(a, b)| format!("{} to {}", display(m, a), display(m, b))),
        sentence,
    }
}

/// Mean parent status of the bottom parent class over the overall mean (for generations to the
/// mean); `None` when either mean is not positive or the class is empty.
fn bottom_class_ratio(
    parent: &[f64],
    weights: Option<&[f64]>,
    tm: &TransitionMatrix,
) -> Option<f64> {
    let cut = tm.parent_cutoffs()?;
    let first = cut.cuts().first()?;
    let (mut all_w, mut all_s, mut bot_w, mut bot_s) = (0.0, 0.0, 0.0, 0.0);
    for (u, &x) in parent.iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[u]);
        all_w += w;
        all_s += w * x;
        let below = if first.inclusive {
            x <= first.value
        } else {
            x < first.value
        };
        if below {
            bot_w += w;
            bot_s += w * x;
        }
    }
    let (overall, bottom) = (all_s / all_w, bot_s / bot_w);
    (bot_w > 0.0 && overall > 0.0 && bottom > 0.0).then(|| bottom / overall)
}

fn long_run(
    tm: &TransitionMatrix,
    report: &Report,
    generations: Option<markov::GenerationsToMean>,
) -> LongRun {
    let conv = tm
        .is_stochastic()
        .then(|| markov::convergence(tm.probabilities(), None).ok())
        .flatten();
    let path = generations
        .as_ref()
        .map(|g| {
            (0..=g.generations + 1)
                .map(|n| (g.beta.powf(n as f64) * g.initial_log_gap).exp())
                .collect()
        })
        .unwrap_or_default();
    LongRun {
        stationary: report.steady_state.clone(),
        parent_shares: report.parent_shares.to_vec(),
        lambda2_modulus: conv.as_ref().map(|c| c.lambda2_modulus),
        half_life: conv.map(|c| c.half_life).filter(|h| h.is_finite()),
        generations,
        path,
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

#[cfg(test)]
mod tests;
