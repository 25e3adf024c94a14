"""The public API as a user writes it, for the type checker (``make test-types``).

mypy checks this file with ``--strict`` (python/pyproject.toml). Every result and every
attribute of every result type goes through ``assert_type``, which fails for a value typed
``Any``: each must have its precise type in the package's annotations and stubs. The file also runs (``python tests/typing_usage.py``), so the types
are checked against real values.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Dict, Hashable, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

import mobility
from mobility import (
    AnalyticResult,
    BootstrapResult,
    Decomposition,
    DifferenceResult,
    GroupTable,
    Levelling,
    PlacesReport,
    PlaceTable,
    RankMobility,
    TransitionMatrix,
)
from mobility.groups import DownwardFall, GroupRow
from mobility.inference import (
    AlthamComparison,
    AnalyticEstimate,
    HomogeneityTest,
    Interval,
    JointHomogeneityTest,
    RowContribution,
    TestStatistic,
)
from mobility.levelling import Contrast, ExcludedPlace, PlaceRow, PlacesOptions, TopAccess
from mobility._results import MeasureValues
from mobility.rankbased import AbsoluteMobility, Ige

if TYPE_CHECKING:
    from typing_extensions import assert_type
else:

    def assert_type(value: object, _type: object) -> object:
        return value


F64 = npt.NDArray[np.float64]

rng = np.random.default_rng(1)
parent: F64 = rng.lognormal(10.0, 0.7, 600)
child: F64 = np.exp(0.4 * np.log(parent) + rng.normal(6.0, 0.6, 600))
weights: F64 = rng.uniform(0.5, 2.0, 600)
region: List[str] = [("north", "south", "east")[i % 3] for i in range(600)]

# ------------------------------------------------------------------ the matrix and its measures
tm = mobility.transition_matrix(parent, child, quantiles=4, weights=weights)
assert_type(tm, TransitionMatrix)
assert_type(tm.k, int)
assert_type(tm.n, Optional[float])
assert_type(tm.probabilities, F64)
assert_type(tm.labels, List[str])
measures = tm.measures()
assert_type(measures, Dict[str, Optional[float]])
trace = assert_type(measures["shorrocks_trace"], Optional[float])
spectrum = tm.spectrum()
moduli = assert_type(spectrum["abs_eigenvalues"], F64)
steady = assert_type(spectrum["steady_state"], Optional[F64])
profile = tm.class_profile()
persistence = assert_type(profile["persistence"], List[Optional[float]])
conv = tm.convergence(period_years=30.0)
half_life = assert_type(conv["half_life"], float)
lambda2 = assert_type(conv["lambda2"], complex)
gens = mobility.markov.generations_to_mean(0.4, 0.5)
generations = assert_type(gens["generations"], int)
description = assert_type(mobility.describe("shorrocks_trace"), str)
rules = assert_type(mobility.RULES, Tuple[str, ...])
labels = assert_type(mobility.class_labels(5), List[str])
ranks = assert_type(mobility.fractional_ranks(parent), F64)

# ------------------------------------------------------------------ decomposition, levelling
dec = tm.decompose()
assert_type(dec, Decomposition)
total = assert_type(dec.total + dec.structural + dec.exchange, float)
lev = tm.levelling()
assert_type(lev, Levelling)
lev_k = assert_type(lev.k, int)
lev_shares = assert_type(lev.parent_shares + lev.child_shares, F64)
assert_type(lev.decomposition, Decomposition)
lev_scores = assert_type((
    lev.mean_parent_class + lev.mean_child_class + lev.levelling_up + lev.bottom_share_change
    + lev.top_share_change + lev.upward_share + lev.downward_share
), float)
lev_fall = assert_type(lev.mean_fall_classes, Optional[float])
top = lev.top_access
assert_type(top, TopAccess)
middle = assert_type(top.middle_class, int)
top_values = assert_type((
    top.bottom_to_top, top.middle_to_top, top.ratio,
), Tuple[Optional[float], Optional[float], Optional[float]])
lev_columns = assert_type(lev.columns(), Dict[str, Optional[float]])

# ------------------------------------------------------------------ rank measures
rm = tm.rank_mobility()
assert_type(rm, RankMobility)
rank_ints = assert_type((rm.n, rm.ige_dropped, rm.n_dropped), Tuple[int, int, int])
rank_floats = assert_type((
    rm.total_weight, rm.rank_rank_slope, rm.rank_rank_intercept, rm.absolute_upward_mobility,
    rm.share_child_rank_above_parent, rm.share_child_rank_equal_parent, rm.absolute_mobility,
    rm.absolute_mobility_at_least,
), Tuple[float, float, float, float, float, float, float, float])
rank_optional = assert_type((rm.spearman, rm.kendall_tau_b, rm.ige), Tuple[Optional[float], Optional[float], Optional[float]])
basis = assert_type(rm.rank_basis, str)
at_25 = assert_type(rm.expected_child_rank(25.0), float)
along = assert_type(rm.expected_child_rank(np.array([10.0, 50.0])), F64)
assert_type(mobility.rank_mobility(parent, child), RankMobility)
binned = assert_type(mobility.binned_rank_means(parent, child, bins=4), mobility.BinnedRanks)
binned_ints = assert_type((binned.bins, binned.n, binned.n_dropped), Tuple[int, int, int])
binned_floats = assert_type((binned.total_weight, binned.slope, binned.intercept,
                             binned.fitted(25.0)), Tuple[float, float, float, float])
binned_line = assert_type(binned.fitted(np.array([0.0, 100.0])), F64)
first_bin = assert_type(binned.rows[0], mobility.RankBin)
bin_numbers = assert_type((first_bin.bin, first_bin.units), Tuple[int, int])
bin_floats = assert_type((first_bin.parent_rank_low, first_bin.parent_rank_high,
                          first_bin.weight), Tuple[float, float, float])
bin_means = assert_type((first_bin.mean_parent_rank, first_bin.mean_child_rank),
                        Tuple[Optional[float], Optional[float]])
matrix_name = assert_type(tm.name, Optional[str])
tau = assert_type(mobility.kendall_tau_b(parent, child), Optional[float])
ige = mobility.ige(parent, child)
assert_type(ige, Ige)
ige_values = assert_type((
    ige.elasticity, ige.intercept, ige.log_correlation, ige.used, ige.dropped,
), Tuple[Optional[float], Optional[float], Optional[float], int, int])
am = mobility.absolute_mobility(parent, child)
assert_type(am, AbsoluteMobility)
am_values = assert_type((am.greater, am.greater_or_equal), Tuple[float, float])

# ------------------------------------------------------------------ inference
boot = tm.bootstrap(40, seed=3)
assert_type(boot, BootstrapResult)
assert_type(tm.inference, Optional[BootstrapResult])
settings = boot.settings
boot_ints = assert_type((
    settings["k"], settings["replicates"], settings["units"], settings["jackknife_groups"],
), Tuple[int, int, int, int])
clusters = assert_type(settings["clusters"], Optional[int])
boot_strs = assert_type((settings["ci"], settings["cutoffs"], settings["resample"]), Tuple[str, str, str])
seed = assert_type(boot.seed, int)
level = assert_type(boot.level, float)
names = assert_type(boot.names, List[str])
summary = boot["shorrocks_trace"]
se = assert_type(summary["se"], Optional[float])
undefined = assert_type(summary["undefined_replicates"], int)
bca = summary["bca"]
bca_low = assert_type(None if bca is None else bca["low"], Optional[float])
replicates = assert_type(boot.replicates("shorrocks_trace"), F64)
undefined_at = assert_type(boot.undefined_at("shorrocks_trace"), List[int])
assert BootstrapResult.from_dict(boot.to_dict()) == boot

ana = tm.standard_errors()
assert_type(ana, AnalyticResult)
ana_fields = assert_type((ana.method, ana.k, ana.level), Tuple[str, int, float])
ana_optional = assert_type((
    ana.effective_n, ana.row_counts, ana.bandwidth,
), Tuple[Optional[float], Optional[List[float]], Optional[float]])
estimate = ana["p_1_1"]
assert_type(estimate, AnalyticEstimate)
est = assert_type((
    estimate.estimate, estimate.se, estimate.ci_low, estimate.ci_high, estimate.note,
), Tuple[Optional[float], Optional[float], Optional[float], Optional[float], Optional[str]])
est_name = assert_type(estimate.name, str)
assert_type(mobility.row_multinomial(tm), AnalyticResult)
assert_type(mobility.quantile_copula(parent, child, quantiles=4), AnalyticResult)

counts = np.array([[60.0, 40.0], [30.0, 70.0]])
other = np.array([[50.0, 50.0], [45.0, 55.0]])
hom = mobility.homogeneity([counts, other])
assert_type(hom, HomogeneityTest)
chi = hom.chi_square
assert_type(chi, TestStatistic)
chi_values = assert_type((chi.statistic, chi.df, chi.p_value), Tuple[float, int, float])
hom_ints = assert_type((hom.groups, hom.k), Tuple[int, int])
row0 = hom.rows[0]
assert_type(row0, RowContribution)
row_values = assert_type((
    row0.row, row0.chi_square, row0.likelihood_ratio, row0.df,
), Tuple[int, float, float, int])
joint = mobility.joint_homogeneity([counts, other])
assert_type(joint, JointHomogeneityTest)
joint_g = assert_type(joint.likelihood_ratio.statistic, float)
alt = mobility.altham_bootstrap(counts, other, replicates=50, seed=2)
assert_type(alt, AlthamComparison)
alt_values = assert_type((
    alt.distance, alt.se, alt.level, alt.replicate_count, alt.undefined_replicates,
), Tuple[float, Optional[float], float, int, int])
alt_interval = alt.interval
assert_type(alt_interval, Optional[Interval])
alt_ci = assert_type((alt.ci_low, alt.ci_high), Tuple[Optional[float], Optional[float]])
alt_replicates = assert_type(alt.replicates, F64)
diff = mobility.bootstrap_difference(
    (parent[:300], child[:300]), (parent[300:], child[300:]), 4, replicates=30, seed=1
)
assert_type(diff, DifferenceResult)
assert_type(diff.a, BootstrapResult)
diff_se = assert_type(diff["shorrocks_trace"]["se"], Optional[float])

# ------------------------------------------------------------------ groups and places
table = mobility.by_group(parent, child, groups=region, quantiles=4)
assert_type(table, GroupTable)
table_fields = assert_type((
    table.k, table.rule, table.basis, table.national_parent_median,
    table.national_child_median, table.n_dropped,
), Tuple[int, str, str, float, float, int])
assert_type(table.national, TransitionMatrix)
cut = assert_type(table.national_parent_cutoffs, mobility.Cutoffs)
groups = assert_type(table.groups, List[Hashable])
matrices = assert_type(table.matrices, Dict[Hashable, TransitionMatrix])
row = table["north"]
assert_type(row, GroupRow)
row_fields = assert_type((
    row.group, row.units, row.weight, row.population_share,
), Tuple[Hashable, int, float, float])
assert_type(row.matrix, TransitionMatrix)
row_measures = assert_type(row.measures, MeasureValues)
assert_type(row.rank, Optional[RankMobility])
assert_type(row.levelling, Levelling)
fall = row.fall
assert_type(fall, DownwardFall)
fall_values = assert_type((
    fall.share, fall.mean_fall_rank_points, fall.mean_fall_median_multiples,
    fall.mean_fall_classes,
), Tuple[float, Optional[float], Optional[float], Optional[float]])
empty = assert_type(table.empty_groups, List[Hashable])
for each in table:
    assert_type(each, GroupRow)

place_a = PlaceTable(
    id="A", name="A", region="", size=100.0,
    probabilities=np.array([[0.7, 0.3], [0.3, 0.7]]),
    parent_shares=np.array([0.5, 0.5]), child_shares=np.array([0.5, 0.5]),
)
place_b = PlaceTable(
    id="B", name="B", region="", size=None,
    probabilities=np.array([[0.5, 0.5], [0.4, 0.6]]),
    parent_shares=np.array([0.6, 0.4]), child_shares=None,
)
place_probabilities = assert_type(place_a.probabilities, Optional[F64])
report = mobility.places_report([place_a, place_b])
assert_type(report, PlacesReport)
report_fields = assert_type((
    report.k, report.rows_renormalised, report.places_renormalised, report.max_row_deviation,
    report.score_correlation, report.mobility_score,
), Tuple[int, int, int, float, Optional[float], str])
options = report.options
assert_type(options, PlacesOptions)
option_values = assert_type((
    options.mobility_score, options.row_tolerance, options.contrast_fraction,
), Tuple[str, float, float])
place = report.places[0]
assert_type(place, PlaceRow)
place_fields = assert_type((
    place.id, place.name, place.region, place.size, place.levelling_score, place.mobility_score,
    place.levelling_rank, place.mobility_rank, place.rows_renormalised, place.child_share_gap,
), Tuple[str, str, str, Optional[float], float, float, int, int, int, float])
assert_type(place.levelling, Levelling)
place_measures = assert_type(place.measures, MeasureValues)
excluded = assert_type(report.excluded, List[ExcludedPlace])
contrasts = assert_type(report.levelling_not_mobility + report.mobility_not_levelling, List[Contrast])
for c in contrasts:
    contrast_fields = assert_type((
        c.id, c.name, c.region, c.levelling_rank, c.mobility_rank,
    ), Tuple[str, str, str, int, int])
assert_type(report.levelling("A"), Levelling)

# ------------------------------------------------------------------ records behave alike
for record in (dec, lev, rm, ige, am, hom, alt, table, report, ana, place_a):
    keys = assert_type(record.keys(), List[str])
    assert pickle.loads(pickle.dumps(record)) == record
    assert list(record.to_dict()) == keys

print("typing_usage: ok")
