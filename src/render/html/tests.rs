//! Unit tests of the page model and the rendered page.

use super::*;
use crate::places::report::{PlaceTable, PlacesOptions, places_report};
use crate::simulate::{LogNormal, Simulation, simulate};

/// Simulated pairs in three groups that differ in persistence and growth.
fn data() -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<String>) {
    let (mut p, mut c, mut w, mut g) = (vec![], vec![], vec![], vec![]);
    for (i, (name, rho, growth)) in [
        ("North", 0.5, 0.1),
        ("<script>alert(1)</script> & \"South\"", 0.3, -0.1),
        ("East", 0.4, 0.0),
    ]
    .into_iter()
    .enumerate()
    {
        let spec = Simulation::new(1_500, rho, 3 + i as u64)
            .with_child(LogNormal::new(10.0 + growth, 0.8).unwrap());
        let pairs = simulate(&spec).unwrap();
        w.extend((0..pairs.parent.len()).map(|u| 0.5 + (u % 4) as f64 * 0.5));
        g.extend(std::iter::repeat_n(name.to_string(), pairs.parent.len()));
        p.extend(pairs.parent);
        c.extend(pairs.child);
    }
    (p, c, w, g)
}

fn options(bootstrap: bool) -> ReportOptions {
    ReportOptions {
        bootstrap: bootstrap.then_some(BootstrapOptions {
            replicates: 30,
            seed: 7,
            level: 0.9,
            ci: CiMethod::Percentile,
            progress: None,
        }),
        source: Source {
            name: "panel <v2> & \"final\".csv".into(),
            parent: Some("parent_income".into()),
            child: Some("child_income".into()),
            weights: Some("w".into()),
            groups: Some("region".into()),
            rows_read: Some(4_510),
            dropped: vec![DroppedRows {
                rows: 10,
                reason: "parent_income is missing".into(),
            }],
            command: Some("mobility report panel.csv --parent parent_income --child child_income --weight w --by region -o r.html".into()),
        },
        ..ReportOptions::default()
    }
}

#[test]
fn page_numbers_equal_the_library_results() {
    let (p, c, w, g) = data();
    let page = ReportPage::from_data(&p, &c, Some(&w), Some(&g), &options(true)).unwrap();
    // the matrix report is the JSON Report of the same matrix
    let tm = TransitionMatrix::from_status(&p, &c, Some(&w), &ClassSpec::quantiles(5)).unwrap();
    let report = tm.report(&Weighting::ParentShares).unwrap();
    assert_eq!(page.analysis.report, report);
    // the analysis is the AnalysisReport `mobility analyze --json` prints for the same pairs
    let rm = rank_mobility(&p, &c, Some(&w)).unwrap();
    let b = options(true).bootstrap.unwrap();
    let bootstrap = Bootstrap::new(b.replicates)
        .seed(b.seed)
        .level(b.level)
        .ci(b.ci)
        .statistics(Selection::Measures);
    let boot = bootstrap
        .run(&p, &c, Some(&w), &ClassSpec::quantiles(5))
        .unwrap();
    let mut analysis = AnalysisReport::new(report.clone(), Ok(rm.clone()), Some(&boot))
        .with_weights(Some(&w), crate::WeightKind::Sampling)
        .with_tie_spans(&tm, &p, &c, Some(&w), crate::Rule::Midrank)
        .unwrap();
    // the rank measures on the same replicates, as `mobility analyze --bootstrap` reports them
    analysis.rank_inference = Some(
        crate::inference::rank_bootstrap::rank_bootstrap(&p, &c, Some(&w), &bootstrap)
            .unwrap()
            .estimates(),
    );
    assert_eq!(
        serde_json::to_value(&page.analysis).unwrap(),
        serde_json::to_value(&analysis).unwrap()
    );
    // headline values are the registry measures, in the order of HEADLINE
    let names: Vec<HeadlineMeasure> = page.headline.iter().map(|h| h.measure).collect();
    assert_eq!(names, HEADLINE.to_vec());
    for h in &page.headline {
        let want = match h.measure {
            HeadlineMeasure::Rank(m) => m.value(&rm),
            HeadlineMeasure::Matrix(m) => report.measures.value(m),
        };
        assert_eq!(h.value, want, "{}", h.measure.name());
        assert_eq!(h.description, h.measure.info().description);
        assert!(h.ci_low.is_some() || matches!(h.measure, HeadlineMeasure::Rank(_)));
    }
    assert_eq!(page.analysis.rank_measures.as_ref(), Some(&rm));
    let b = page.binned.as_ref().unwrap();
    assert_eq!(b.bins, 20);
    assert!((b.slope - rm.rank_rank_slope).abs() < 1e-12);
    // classes carry the cut-offs in data units
    let cut = report.parent_cutoffs.as_ref().unwrap();
    assert_eq!(page.classes[0].parent_upper, Some(cut[0]));
    assert_eq!(page.classes[4].parent_upper, cut.get(4).copied());
    // bootstrap intervals and provenance
    let sf = page
        .headline
        .iter()
        .find(|h| h.measure == HeadlineMeasure::Matrix(Measure::BottomPersistence))
        .unwrap();
    assert!(sf.ci_low.unwrap() <= sf.value.unwrap() && sf.value.unwrap() <= sf.ci_high.unwrap());
    let bs = page.analysis.bootstrap.as_ref().unwrap();
    assert_eq!((bs.replicates, bs.seed, bs.level), (30, 7, 0.9));
    assert_eq!(page.provenance.rows_used, Some(p.len()));
    assert_eq!(page.provenance.library_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(page.provenance.tie_rule.as_deref(), Some("midrank"));
    // long run: the stationary distribution of the report, generations from the IGE
    assert_eq!(page.long_run.stationary, report.steady_state);
    let g2m = page.long_run.generations.as_ref().unwrap();
    assert_eq!(g2m.beta, rm.ige.unwrap());
    assert_eq!(page.long_run.path.len() as u64, g2m.generations + 2);
    assert!((page.long_run.path[0] - g2m.ratio).abs() < 1e-12);
    // groups: one row per group, the score is bottom_to_top of that group's matrix
    let places = page.places.as_ref().unwrap();
    assert_eq!(places.rows.len(), 3);
    let table = by_group(&p, &c, Some(&w), &g, &GroupOptions::new(5)).unwrap();
    for row in &table.rows {
        let e = places.rows.iter().find(|r| r.name == row.group).unwrap();
        assert_eq!(Some(e.estimate), row.measures.bottom_to_top);
        assert_eq!(e.levelling, row.levelling.levelling_up);
    }
    let mut ranks: Vec<usize> = places.rows.iter().map(|r| r.mobility_rank).collect();
    ranks.sort();
    assert_eq!(ranks, vec![1, 2, 3]);
    // the model round-trips through JSON
    let json = serde_json::to_string(&page).unwrap();
    let back: ReportPage = serde_json::from_str(&json).unwrap();
    assert_eq!(back, page);
}

#[test]
fn every_section_is_rendered_with_its_numbers() {
    let (p, c, w, g) = data();
    let page = ReportPage::from_data(&p, &c, Some(&w), Some(&g), &options(true)).unwrap();
    let html = render(&page).unwrap();
    for id in [
        "measured", "matrix", "headline", "rankrank", "longrun", "places", "all", "methods",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\"")),
            "section {id}"
        );
    }
    for needle in [
        "Sticky floor",
        "Sticky ceiling",
        "Rags to riches",
        "Moving up",
        "Moving down",
        "Shorrocks",
        "Rank-rank slope",
        "Absolute upward mobility",
        "Q1 = poorest fifth",
        "poorest fifth",
        "generations",
        "League table",
        "Levels up and mobile",
        "Mobile, not levelling up",
        "Levels up, not mobile",
        "<span class=\"arg\">mobility</span> <span class=\"arg\">report</span> <span class=\"arg\">panel.csv</span>",
        "parent_income is missing",
        "90% percentile intervals",
        "4,510",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    // the printed numbers are the model's
    for h in &page.headline {
        assert!(
            html.contains(&h.display),
            "{} {}",
            h.measure.name(),
            h.display
        );
        let sentence = h.sentence.replace('\'', "&#x27;");
        assert!(html.contains(&sentence), "{sentence}");
    }
    let sf = page.analysis.report.measures.bottom_persistence.unwrap();
    assert!(html.contains(&format!("{:.1}%", 100.0 * sf)));
    assert!(html.contains(&format!(
        "{:.4}",
        page.analysis.report.measures.shorrocks_trace.unwrap()
    )));
    // each chart has a title, a description and a role; every figure has a CSV download
    assert_eq!(html.matches("<svg ").count(), 5);
    assert_eq!(html.matches("role=\"img\"").count(), 5);
    assert_eq!(html.matches("<title id=").count(), 5);
    assert_eq!(html.matches("<desc id=").count(), 5);
    assert!(html.matches("href=\"data:text&#x2f;csv").count() >= 7);
    // the CSV of the matrix decodes to the matrix
    assert!(html.contains("data:text&#x2f;csv;charset=utf-8,parent_class,child_class,probability"));
    // deterministic
    assert_eq!(render(&page).unwrap(), html);
}

#[test]
fn user_strings_are_escaped() {
    let (p, c, w, g) = data();
    let html = render(&ReportPage::from_data(&p, &c, Some(&w), Some(&g), &options(false)).unwrap())
        .unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<v2>"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(html.contains("panel &lt;v2&gt; &amp; &quot;final&quot;.csv"));
    // the one script is ours: inline, no src
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("<script>\n(function () {"));
}

/// Every `href`/`src` of the page, and anything that could make a browser fetch.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("http://"), "an http URL");
    assert!(!lower.contains("https://"), "an https URL");
    assert!(!lower.contains("<link"), "a <link>");
    assert!(!lower.contains("<script src"), "a <script src>");
    assert!(!lower.contains(" src="), "a src attribute");
    assert!(!lower.contains("@import"), "a CSS import");
    assert!(!lower.contains("url("), "a CSS url()");
    assert!(!lower.contains("<iframe") && !lower.contains("<img"));
    for (i, _) in lower.match_indices("href=\"") {
        let rest = &lower[i + 6..];
        assert!(
            rest.starts_with('#') || rest.starts_with("data:"),
            "href to {}",
            &rest[..rest.len().min(40)]
        );
    }
}

#[test]
fn no_external_resources() {
    let (p, c, w, g) = data();
    let page = ReportPage::from_data(&p, &c, Some(&w), Some(&g), &options(true)).unwrap();
    assert_self_contained(&render(&page).unwrap());
    let us = crate::published::us_chetty_2014_quintiles();
    assert_self_contained(
        &render(&ReportPage::from_results(&ReportResults::new(&us)).unwrap()).unwrap(),
    );
}

#[test]
fn an_empty_class_is_shown_empty_not_as_zeros() {
    // parent class 2 of 3 has nobody; child class 3 nobody reached
    let counts = ndarray::array![[4.0, 1.0, 0.0], [0.0, 0.0, 0.0], [2.0, 3.0, 0.0]];
    let tm = TransitionMatrix::from_counts(counts.view()).unwrap();
    let page = ReportPage::from_results(&ReportResults::new(&tm)).unwrap();
    assert!(page.classes[1].empty_parent && page.classes[2].empty_child);
    assert_eq!(page.analysis.report.empty_parent_classes, vec![2]);
    let html = render(&page).unwrap();
    assert!(html.contains("no parents in this class"));
    // the table view: three blank cells in row C2, not "0.0"
    let matrix_table = html.split("class=\"data matrix\"").nth(1).unwrap();
    let row = matrix_table
        .split("<tr><th scope=\"row\">C2</th>")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap();
    assert_eq!(row.matches("class=\"empty\"").count(), 3, "{row}");
    assert!(!row.contains("0.0</td>"));
    // undefined measures say so instead of showing a number
    assert!(page.analysis.report.measures.shorrocks_trace.is_none());
    let sh = page
        .headline
        .iter()
        .find(|h| h.measure == HeadlineMeasure::Matrix(Measure::ShorrocksTrace))
        .unwrap();
    assert_eq!(sh.display, "–");
    assert!(sh.sentence.contains("Undefined"));
    // no rank measures without microdata
    assert!(
        page.headline
            .iter()
            .all(|h| matches!(h.measure, HeadlineMeasure::Matrix(_)))
    );
    assert!(!html.contains("<section id=\"rankrank\""));
    assert!(!html.contains("<section id=\"places\""));
}

#[test]
fn size_of_741_places_stays_small() {
    // 741 synthetic places with long names, as many as Chetty et al.'s commuting zones
    let places: Vec<PlaceTable> = (0..741)
        .map(|c| {
            let a = 0.25 + 0.3 * ((c * 37 % 741) as f64 / 741.0);
            let b = 0.1 + 0.1 * ((c * 11 % 741) as f64 / 741.0);
            let p = ndarray::Array2::from_shape_fn((5, 5), |(i, j)| {
                if i == j {
                    a
                } else if j == 4 {
                    b * (1.0 - a) / (b + 3.0 * 0.25)
                } else {
                    0.25 * (1.0 - a) / (b + 3.0 * 0.25)
                }
            });
            let p = p.clone() / &p.sum_axis(ndarray::Axis(1)).insert_axis(ndarray::Axis(1));
            PlaceTable {
                id: format!("{c}"),
                name: format!("Commuting Zone Number {c} of Somewhere"),
                region: "ZZ".into(),
                size: Some(1000.0 + c as f64 * 97.0),
                probabilities: Some(p),
                parent_shares: Some(vec![0.3, 0.25, 0.2, 0.15, 0.1]),
                child_shares: None,
            }
        })
        .collect();
    let report = places_report(&places, &PlacesOptions::default()).unwrap();
    let us = crate::published::us_chetty_2014_quintiles();
    let mut results = ReportResults::new(&us);
    results.places = Some(&report);
    let page = ReportPage::from_results(&results).unwrap();
    assert_eq!(page.places.as_ref().unwrap().rows.len(), 741);
    let html = render(&page).unwrap();
    assert_self_contained(&html);
    assert!(html.len() < 400_000, "{} bytes", html.len());
    assert!(
        html.len() > 100_000,
        "the league table is missing: {} bytes",
        html.len()
    );
    assert_eq!(
        html.matches("<tr><th scope=\"row\">Commuting Zone").count(),
        741
    );
}

#[test]
fn rank_confidence_sets_are_shown_and_checked() {
    let (p, c, w, g) = data();
    let tm = TransitionMatrix::from_status(&p, &c, Some(&w), &ClassSpec::quantiles(5)).unwrap();
    let table = by_group(&p, &c, Some(&w), &g, &GroupOptions::new(5)).unwrap();
    let mut results = ReportResults::new(&tm);
    results.groups = Some(&table);
    results.rank_confidence = Some(RankConfidence {
        rank: vec![1, 2, 3],
        lower: vec![1, 1, 2],
        upper: vec![2, 3, 3],
        shrunk: vec![Some(0.05), None, Some(0.04)],
        method: "test sets".into(),
    });
    let html = render(&ReportPage::from_results(&results).unwrap()).unwrap();
    assert!(html.contains("<th scope=\"col\">Rank set</th>"));
    assert!(html.contains("<td>1–3</td>"));
    assert!(html.contains("test sets"));
    results.rank_confidence.as_mut().unwrap().lower.pop();
    assert!(matches!(
        ReportPage::from_results(&results),
        Err(MobilityError::LengthMismatch { .. })
    ));
}

#[test]
fn bad_input_is_a_typed_error() {
    let o = ReportOptions::default();
    assert!(ReportPage::from_data(&[], &[], None, None, &o).is_err());
    assert!(ReportPage::from_data(&[1.0, 2.0], &[1.0], None, None, &o).is_err());
    assert!(
        ReportPage::from_data(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0], None, None, &o).is_err()
    );
    let bins = ReportOptions {
        bins: 1,
        ..ReportOptions::default()
    };
    let x: Vec<f64> = (0..50).map(f64::from).collect();
    assert!(ReportPage::from_data(&x, &x, None, None, &bins).is_err());
    let groups = vec!["a".to_string(); 3];
    assert!(ReportPage::from_data(&x, &x, None, Some(&groups), &o).is_err());
}

#[test]
fn constant_parents_leave_a_note_not_an_error() {
    // every parent has the same status: no rank measures, as `mobility analyze` notes
    let parent = vec![1.0; 50];
    let child: Vec<f64> = (0..50).map(f64::from).collect();
    let page =
        ReportPage::from_data(&parent, &child, None, None, &ReportOptions::default()).unwrap();
    assert!(page.analysis.rank_measures.is_none() && page.binned.is_none());
    let note = page.analysis.rank_note.clone().unwrap();
    let html = render(&page).unwrap();
    assert!(
        html.contains(&format!("Rank and income measures: {note}")),
        "{note}"
    );
    assert!(!html.contains("<section id=\"rankrank\""));
}

#[test]
fn league_table_intervals_come_from_the_joint_places_bootstrap() {
    use crate::inference::places_bootstrap::{
        PlaceMeasure, PlacesBootstrapOptions, places_bootstrap,
    };
    let (p, c, w, g) = data();
    let mut o = options(true);
    o.source.dropped = Vec::new();
    let page = ReportPage::from_data(&p, &c, Some(&w), Some(&g), &o).unwrap();
    let section = page.places.as_ref().unwrap();
    let b = o.bootstrap.as_ref().unwrap();
    // the same bootstrap run directly: each group's SE gives its interval estimate +- z se
    let boot = places_bootstrap(
        &p,
        &c,
        Some(&w),
        &g,
        None::<&[u32]>,
        &PlacesBootstrapOptions {
            seed: b.seed,
            ..PlacesBootstrapOptions::new(
                5,
                PlaceMeasure::Matrix(Measure::BottomToTop),
                b.replicates,
            )
        },
    )
    .unwrap();
    let z = crate::normal::quantile(0.5 + b.level / 2.0).unwrap();
    for row in &section.rows {
        let est = boot.places.iter().find(|e| e.place == row.id).unwrap();
        approx::assert_abs_diff_eq!(est.estimate.unwrap(), row.estimate, epsilon = 1e-12);
        let se = est.se.unwrap();
        assert_eq!(row.ci_low, Some(row.estimate - z * se));
        assert_eq!(row.ci_high, Some(row.estimate + z * se));
    }
    let rc = section.rank_confidence.as_ref().unwrap();
    assert_eq!(rc.rank.len(), section.rows.len());
    for i in 0..rc.rank.len() {
        assert!(rc.lower[i] <= rc.rank[i] && rc.rank[i] <= rc.upper[i]);
        assert!(rc.shrunk[i].is_some());
    }
    // the point ranks order the estimates (1 = most mobile)
    let mut by_rank: Vec<(usize, f64)> = rc
        .rank
        .iter()
        .zip(&section.rows)
        .map(|(&r, row)| (r, row.estimate))
        .collect();
    by_rank.sort_by_key(|x| x.0);
    assert!(by_rank.windows(2).all(|x| x[0].1 >= x[1].1));
    // without a bootstrap: neither
    let plain = ReportPage::from_data(&p, &c, Some(&w), Some(&g), &options(false)).unwrap();
    let s = plain.places.unwrap();
    assert!(s.rank_confidence.is_none() && s.rows.iter().all(|r| r.ci_low.is_none()));
}
