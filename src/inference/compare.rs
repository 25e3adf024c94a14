//! Comparing groups or periods: homogeneity tests, Altham's distance, bootstrap differences.
//!
//! - [`homogeneity`]: do two or more groups share each origin row's destination distribution?
//!   Chi-square and likelihood-ratio (G) statistics on **count** matrices with expected counts from
//!   the pooled row **of the same origin class** (PySAL giddy's `kullback` uses destination totals
//!   instead and rejects a true null almost always; docs/FORMULAS.md#homogeneity).
//! - [`joint_homogeneity`]: do the groups share the whole joint table (origin margins included)?
//! - [`altham_bootstrap`]: Altham's `d(P, Q)` between two count tables with a bootstrap interval.
//! - [`bootstrap_difference`]: the bootstrap distribution of `theta_A - theta_B` for every
//!   statistic, resampling each group independently (with re-estimated cut-offs in each).

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::bootstrap::{Bootstrap, BootstrapResult, StatisticSummary, dense_ids};
use super::{Interval, acceleration, check_level, jackknife_effects, summarize};
use crate::error::{MobilityError, Result, check_k};
use crate::matrix::ClassSpec;
use crate::measures::altham_distance;

/// A test statistic with its degrees of freedom and chi-square p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestStatistic {
    /// The statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// `P(chi2_df >= statistic)`.
    pub p_value: f64,
}

/// One origin row's share of a [`HomogeneityTest`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RowContribution {
    /// Origin class, 1-based.
    pub row: usize,
    /// Pearson chi-square contribution.
    pub chi_square: f64,
    /// Likelihood-ratio (G) contribution.
    pub likelihood_ratio: f64,
    /// Degrees of freedom: (groups with observations in this row - 1) x (non-empty pooled
    /// columns of this row - 1).
    pub df: usize,
}

/// The homogeneity test of transition matrices across groups, by origin row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomogeneityTest {
    /// Number of groups.
    pub groups: usize,
    /// Number of classes.
    pub k: usize,
    /// Pearson's chi-square.
    pub chi_square: TestStatistic,
    /// The likelihood-ratio statistic G.
    pub likelihood_ratio: TestStatistic,
    /// Per-row contributions.
    pub rows: Vec<RowContribution>,
}

/// The test that the groups share the whole joint table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JointHomogeneityTest {
    /// Number of groups.
    pub groups: usize,
    /// Pearson's chi-square.
    pub chi_square: TestStatistic,
    /// The likelihood-ratio statistic G.
    pub likelihood_ratio: TestStatistic,
}

fn check_tables(tables: &[ArrayView2<f64>]) -> Result<usize> {
    if tables.len() < 2 {
        return Err(MobilityError::invalid(
            crate::error::Parameter::Tables,
            format!("{} table(s); a comparison needs at least 2", tables.len()),
        ));
    }
    let (rows, cols) = tables[0].dim();
    for (g, t) in tables.iter().enumerate() {
        let (r, c) = t.dim();
        if r != c {
            return Err(MobilityError::NotSquare {
                what: format!("count table {}", g + 1),
                rows: r,
                cols: c,
            });
        }
        if (r, c) != (rows, cols) {
            return Err(MobilityError::Incompatible {
                reason: format!(
                    "count table {} is {r} x {c}, table 1 is {rows} x {cols}",
                    g + 1
                ),
            });
        }
        for ((i, j), &v) in t.indexed_iter() {
            if !v.is_finite() || v < 0.0 {
                return Err(MobilityError::InvalidEntry {
                    what: format!("count table {}", g + 1),
                    row: i + 1,
                    col: j + 1,
                    value: v,
                });
            }
        }
        if t.sum() <= 0.0 {
            return Err(MobilityError::ZeroTotalWeight {
                what: format!("count table {}", g + 1),
            });
        }
    }
    check_k(rows)?;
    Ok(rows)
}

/// Pearson and G contributions of a groups x categories table (rows of `observed`), expected
/// counts from the pooled categories; returns `(chi2, g, df)`.
fn contingency(observed: &[Vec<f64>]) -> (f64, f64, usize) {
    let totals: Vec<f64> = observed.iter().map(|r| r.iter().sum()).collect();
    let cats = observed.first().map_or(0, Vec::len);
    let pooled: Vec<f64> = (0..cats)
        .map(|j| observed.iter().map(|r| r[j]).sum())
        .collect();
    let grand: f64 = totals.iter().sum();
    let live_groups = totals.iter().filter(|&&t| t > 0.0).count();
    let live_cats = pooled.iter().filter(|&&c| c > 0.0).count();
    if grand <= 0.0 || live_groups < 2 || live_cats < 2 {
        return (0.0, 0.0, 0);
    }
    let (mut chi2, mut g) = (0.0, 0.0);
    for (row, &t) in observed.iter().zip(&totals) {
        if t <= 0.0 {
            continue;
        }
        for (&o, &c) in row.iter().zip(&pooled) {
            if c <= 0.0 {
                continue;
            }
            let e = t * c / grand;
            chi2 += (o - e) * (o - e) / e;
            if o > 0.0 {
                g += 2.0 * o * (o / e).ln();
            }
        }
    }
    (chi2, g.max(0.0), (live_groups - 1) * (live_cats - 1))
}

fn test_statistic(statistic: f64, df: usize) -> Result<TestStatistic> {
    if df == 0 {
        return Err(MobilityError::Undefined {
            what: "the homogeneity test".into(),
            reason: "no row has observations in two groups and two non-empty columns \
                     (0 degrees of freedom)"
                .into(),
        });
    }
    let dist = ChiSquared::new(df as f64)
        .map_err(|e| MobilityError::invalid(crate::error::Parameter::Df, e.to_string()))?;
    Ok(TestStatistic {
        statistic,
        df,
        p_value: dist.sf(statistic),
    })
}

/// Tests whether two or more groups share their transition matrices, origin row by origin row.
///
/// # Formula
/// ```text
/// for each origin row i:  e_gij = n_gi. N_i.j / N_i..     (N pooled over groups)
/// X^2 = sum_i sum_g sum_j (n_gij - e_gij)^2 / e_gij        G = 2 sum n_gij ln(n_gij / e_gij)
/// df  = sum_i (groups with n_gi. > 0 - 1) (non-empty pooled columns of row i - 1)
/// ```
/// Under H0 (the same `P` in every group, any origin margins) both are asymptotically chi-square
/// with `df` degrees of freedom (Anderson & Goodman 1957; Bishop, Fienberg & Holland 1975,
/// ch. 7). Cells with `e = 0` (a column empty in the pooled row) are left out. The tables must hold
/// **counts** (survey-weighted counts make the p-values invalid).
///
/// # Errors
/// Fewer than 2 tables, tables not square or of different sizes, a negative or non-finite entry,
/// an all-zero table, or 0 degrees of freedom.
///
/// # Complexity
/// `O(groups k^2)`.
///
/// # Example
/// ```
/// use mobility::inference::homogeneity;
/// use ndarray::array;
/// // the same P = [[0.8, 0.2], [0.4, 0.6]] with different origin margins: X^2 = 0
/// let a = array![[80.0, 20.0], [40.0, 60.0]];
/// let b = array![[8.0, 2.0], [120.0, 180.0]];
/// let t = homogeneity(&[a.view(), b.view()]).unwrap();
/// assert!(t.chi_square.statistic.abs() < 1e-12);
/// assert_eq!(t.chi_square.df, 2);
/// assert!((t.chi_square.p_value - 1.0).abs() < 1e-12);
/// ```
pub fn homogeneity(tables: &[ArrayView2<f64>]) -> Result<HomogeneityTest> {
    let k = check_tables(tables)?;
    let mut rows = Vec::with_capacity(k);
    let (mut chi2, mut g, mut df) = (0.0, 0.0, 0);
    for i in 0..k {
        let observed: Vec<Vec<f64>> = tables.iter().map(|t| t.row(i).to_vec()).collect();
        let (c, l, d) = contingency(&observed);
        chi2 += c;
        g += l;
        df += d;
        rows.push(RowContribution {
            row: i + 1,
            chi_square: c,
            likelihood_ratio: l,
            df: d,
        });
    }
    Ok(HomogeneityTest {
        groups: tables.len(),
        k,
        chi_square: test_statistic(chi2, df)?,
        likelihood_ratio: test_statistic(g, df)?,
        rows,
    })
}

/// Tests whether two or more groups share the whole joint table (origin margins included).
///
/// # Formula
/// ```text
/// the groups x k^2 contingency table of cells: e_g(ij) = n_g.. N_ij / N
/// df = (non-empty groups - 1) (non-empty pooled cells - 1)
/// ```
///
/// # Errors
/// As [`homogeneity`].
///
/// # Complexity
/// `O(groups k^2)`.
pub fn joint_homogeneity(tables: &[ArrayView2<f64>]) -> Result<JointHomogeneityTest> {
    check_tables(tables)?;
    let observed: Vec<Vec<f64>> = tables.iter().map(|t| t.iter().copied().collect()).collect();
    let (chi2, g, df) = contingency(&observed);
    Ok(JointHomogeneityTest {
        groups: tables.len(),
        chi_square: test_statistic(chi2, df)?,
        likelihood_ratio: test_statistic(g, df)?,
    })
}

/// Altham's distance between two count tables with a bootstrap standard error and interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlthamComparison {
    /// `d(P, Q)`.
    pub distance: f64,
    /// Bootstrap standard error (`None` with fewer than 2 defined replicates).
    pub se: Option<f64>,
    /// Percentile interval.
    pub interval: Option<Interval>,
    /// Confidence level.
    pub level: f64,
    /// Replicates drawn.
    pub replicate_count: usize,
    /// Replicates in which a zero cell made the distance undefined.
    pub undefined_replicates: usize,
    /// The defined replicate values.
    pub replicates: Vec<f64>,
}

/// Altham's `d(P, Q)` (Altham 1970; Altham & Ferrie 2007) between two count tables, with a
/// multinomial bootstrap: each replicate redraws each table's cells from a multinomial with the
/// table's (rounded) total and observed cell shares (the unit bootstrap with fixed classes).
///
/// # Formula
/// ```text
/// d(P, Q) = 2 k sqrt( sum_ij (lambda^P_ij - lambda^Q_ij)^2 ),  lambda = double-centred ln table
/// replicate: n*_P ~ Multinomial(n_P; n_P,ij / n_P), likewise Q; d* = d(n*_P, n*_Q)
/// ```
/// A replicate with a zero cell has no distance and is counted in `undefined_replicates`.
///
/// A distance is a norm: sampling noise only adds to it, so when the two tables are close the
/// replicates lie above the observed distance and the interval says how large `d` can be, not
/// whether the tables differ. To test equality of the mobility regimes use [`homogeneity`].
///
/// # Errors
/// As [`altham_distance`] on the tables (zero cells included), fewer than 2 replicates, a level
/// outside (0, 1).
///
/// # Complexity
/// `O(B k^2)`; replicates in parallel, reproducible for a seed (stream `b` per replicate).
///
/// # Example
/// ```
/// use mobility::inference::altham_bootstrap;
/// use ndarray::array;
/// let a = array![[60.0, 40.0], [30.0, 70.0]];
/// let b = array![[50.0, 50.0], [50.0, 50.0]];
/// let r = altham_bootstrap(a.view(), b.view(), 500, 1, 0.95).unwrap();
/// assert!((r.distance - 2.0 * (3.5f64).ln()).abs() < 1e-12);
/// assert!(r.interval.unwrap().low < r.distance);
/// ```
pub fn altham_bootstrap(
    p: ArrayView2<f64>,
    q: ArrayView2<f64>,
    replicates: usize,
    seed: u64,
    level: f64,
) -> Result<AlthamComparison> {
    check_level(level)?;
    crate::limits::check_replicates(replicates)?;
    check_tables(&[p, q])?;
    let distance = altham_distance(&p, &q)?;
    let reps: Vec<Option<f64>> = (0..replicates)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64);
            let ps = multinomial_table(p, &mut rng);
            let qs = multinomial_table(q, &mut rng);
            altham_distance(&ps, &qs).ok()
        })
        .collect();
    let defined: Vec<f64> = reps.iter().flatten().copied().collect();
    let (se, interval) = spread(&defined, level);
    Ok(AlthamComparison {
        distance,
        se,
        interval,
        level,
        replicate_count: replicates,
        undefined_replicates: replicates - defined.len(),
        replicates: defined,
    })
}

/// Standard deviation and percentile interval of defined replicates.
fn spread(values: &[f64], level: f64) -> (Option<f64>, Option<Interval>) {
    let s = summarize(None, values, None, level);
    (s.se, s.percentile)
}

/// A multinomial redraw of a table with its rounded total, by conditional binomials.
fn multinomial_table(t: ArrayView2<f64>, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let total: f64 = t.sum();
    let mut left = total.round() as u64;
    let mut mass = 1.0;
    let cells: Vec<f64> = t.iter().map(|&x| x / total).collect();
    let mut out = Vec::with_capacity(cells.len());
    for (idx, &share) in cells.iter().enumerate() {
        let draw = if idx + 1 == cells.len() || left == 0 {
            left
        } else {
            let pr = (share / mass).clamp(0.0, 1.0);
            Binomial::new(left, pr).map_or(0, |d| d.sample(rng))
        };
        out.push(draw as f64);
        left -= draw;
        mass -= share;
    }
    Array2::from_shape_vec(t.dim(), out).expect("same shape")
}

/// One group of microdata for [`bootstrap_difference`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group<'a> {
    /// Parent status.
    pub parent: &'a [f64],
    /// Child status.
    pub child: &'a [f64],
    /// Optional survey weights.
    pub weights: Option<&'a [f64]>,
    /// Optional cluster ids (clusters are resampled whole).
    pub clusters: Option<&'a [u64]>,
}

impl<'a> Group<'a> {
    /// A group of paired status without weights or clusters.
    pub fn new(parent: &'a [f64], child: &'a [f64]) -> Group<'a> {
        Group {
            parent,
            child,
            weights: None,
            clusters: None,
        }
    }
}

/// Bootstrap distributions of two groups and of their differences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DifferenceResult {
    /// Group A's bootstrap.
    pub a: BootstrapResult,
    /// Group B's bootstrap.
    pub b: BootstrapResult,
    /// `theta_A - theta_B` for every statistic: estimate, SE, intervals, replicates.
    pub differences: Vec<StatisticSummary>,
}

impl DifferenceResult {
    /// The difference of one statistic by name.
    pub fn get(&self, name: &str) -> Option<&StatisticSummary> {
        self.differences.iter().find(|s| s.name == name)
    }
}

/// The bootstrap difference `theta_A - theta_B` of every statistic between two independent
/// groups (or periods), each resampled within itself with cut-offs re-estimated per `boot`.
///
/// # Formula
/// ```text
/// d*_b = theta*_A,b - theta*_B,b   (independent resamples; group A streams b, group B streams
///                                   2^40 + b of the same seed)
/// se = sd(d*_b); percentile interval; BCa with acceleration from the pooled grouped-jackknife
/// effects {e^A_g} U {-e^B_g} (equal group counts G keep both on one scale)
/// ```
/// A replicate where the statistic is undefined in either group is counted as undefined.
///
/// # Errors
/// As [`Bootstrap::run`] for either group; cluster ids set on `boot` itself (give them per
/// group); cluster ids of the wrong length.
///
/// # Complexity
/// Two bootstraps.
///
/// # Example
/// ```
/// use mobility::inference::{bootstrap_difference, Bootstrap, Group};
/// use mobility::ClassSpec;
/// let pa: Vec<f64> = (0..300).map(|i| i as f64).collect();
/// let ca: Vec<f64> = (0..300).map(|i| (i + (i * 7) % 60) as f64).collect();
/// let cb: Vec<f64> = (0..300).map(|i| ((i * 7919) % 300) as f64).collect();
/// let r = bootstrap_difference(
///     &Bootstrap::new(100).seed(3),
///     &Group::new(&pa, &ca),
///     &Group::new(&pa, &cb),
///     &ClassSpec::quantiles(3),
/// ).unwrap();
/// let d = r.get("shorrocks_trace").unwrap();
/// assert!(d.estimate.unwrap() < 0.0); // group A is less mobile
/// ```
pub fn bootstrap_difference(
    boot: &Bootstrap,
    a: &Group<'_>,
    b: &Group<'_>,
    spec: &ClassSpec,
) -> Result<DifferenceResult> {
    if boot.has_clusters() {
        return Err(MobilityError::invalid(
            crate::error::Parameter::Clusters,
            "give cluster ids per group (Group::clusters), not on the Bootstrap builder",
        ));
    }
    let run = |g: &Group<'_>, base: u64| {
        let dense = g.clusters.map(dense_ids);
        boot.run_raw(
            g.parent,
            g.child,
            g.weights,
            dense.as_ref().map(|(ids, n)| (ids.as_slice(), *n)),
            spec,
            base,
        )
    };
    let ra = run(a, 0)?;
    let rb = run(b, 1 << 40)?;
    if ra.k != rb.k {
        return Err(MobilityError::Incompatible {
            reason: format!("group A has k = {}, group B k = {}", ra.k, rb.k),
        });
    }
    let differences = (0..ra.stats.len())
        .map(|s| {
            let est = ra.estimates[s].zip(rb.estimates[s]).map(|(x, y)| x - y);
            let column: Vec<Option<f64>> = ra
                .reps
                .iter()
                .zip(&rb.reps)
                .map(|(x, y)| x[s].zip(y[s]).map(|(x, y)| x - y))
                .collect();
            let ja: Vec<Option<f64>> = ra.jack.iter().map(|r| r[s]).collect();
            let jb: Vec<Option<f64>> = rb.jack.iter().map(|r| r[s]).collect();
            let accel = jackknife_effects(&ja)
                .zip(jackknife_effects(&jb))
                .map(|(ea, eb)| {
                    let mut all = ea;
                    all.extend(eb.into_iter().map(|e| -e));
                    acceleration(&all)
                });
            boot.summary(ra.stats[s].clone(), est, &column, accel)
        })
        .collect();
    Ok(DifferenceResult {
        a: boot.finish(ra),
        b: boot.finish(rb),
        differences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn contingency_by_hand() {
        // 2 groups x 2 categories: [[10, 20], [20, 10]], pooled [30, 30], totals 30 each
        // e = 15 everywhere: X^2 = 4 * 25/15 = 20/3; G = 2 * (2*10 ln(10/15) + 2*20 ln(20/15))
        let (c, g, df) = contingency(&[vec![10.0, 20.0], vec![20.0, 10.0]]);
        assert!((c - 20.0 / 3.0).abs() < 1e-12);
        let want = 2.0 * (20.0 * (10.0f64 / 15.0).ln() + 40.0 * (20.0f64 / 15.0).ln());
        assert!((g - want).abs() < 1e-12);
        assert_eq!(df, 1);
        // a group with no observations and an empty column drop out of df
        let (_, _, df) = contingency(&[vec![1.0, 2.0, 0.0], vec![0.0; 3], vec![3.0, 1.0, 0.0]]);
        assert_eq!(df, 1);
    }

    #[test]
    fn multinomial_redraw_keeps_total() {
        let t = array![[3.0, 5.0], [7.0, 85.0]];
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..50 {
            let d = multinomial_table(t.view(), &mut rng);
            assert_eq!(d.sum(), 100.0);
        }
    }
}
