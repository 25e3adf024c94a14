"""Inference through Python: the bootstrap, analytic standard errors and comparisons (issue 4)."""

from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import mobility
from mobility import MobilityError, TransitionMatrix
from conftest import REPO, lognormal_pairs

FRAME_COLUMNS = [
    "statistic", "kind", "row", "col", "class", "vector", "estimate", "se", "ci_low", "ci_high",
    "undefined_replicates", "percentile_low", "percentile_high", "bca_low", "bca_high",
    "bias_correction", "acceleration", "note",
]


@pytest.fixture(scope="module")
def boot():
    p, c = lognormal_pairs(2_000, rho=0.5, seed=11)
    tm = mobility.transition_matrix(p, c, quantiles=5, bootstrap=200, seed=1)
    return tm, tm.inference


# ------------------------------------------------------------------------------ the bootstrap


def test_bootstrap_is_kept_on_the_matrix(boot):
    tm, r = boot
    assert isinstance(r, mobility.BootstrapResult)
    assert tm.inference is r and tm.bootstrap_result is r
    assert r.replicate_count == 200 and r.seed == 1 and r.k == 5
    assert r.ci == "bca" and r.level == 0.95
    s = r.settings
    assert s["cutoffs"] == "reestimate" and s["resample"] == "units" and s["units"] == 2_000
    assert s["weighting"] == "parent_shares"


def test_tidy_frame(boot):
    tm, r = boot
    f = r.to_frame()
    assert list(f.columns) == FRAME_COLUMNS
    k = tm.k
    assert len(f) == len(mobility.MEASURES) + k * k + 6 * k
    assert f["kind"].value_counts().to_dict() == {"class": 6 * k, "cell": k * k, "measure": 18}
    measures = f[f["kind"] == "measure"]
    assert list(measures["statistic"]) == list(mobility.MEASURES)
    # the estimates are the matrix's own figures
    m = tm.measures()
    for name, est in zip(measures["statistic"], measures["estimate"]):
        assert est == m[name] or (m[name] is None and np.isnan(est))
    cells = r.to_frame("cell")
    assert list(cells.columns) == FRAME_COLUMNS
    for _, row in cells.iterrows():
        assert row["statistic"] == f"p_{row['row']}_{row['col']}"
        assert row["estimate"] == tm.probabilities[row["row"] - 1, row["col"] - 1]
    classes = r.to_frame("class")
    assert set(classes["vector"]) == {
        "persistence", "prais", "upward", "downward", "expected_stay", "steady_state",
    }
    assert classes["class"].between(1, k).all()
    # intervals bracket, se positive, nothing undefined in this well-filled sample
    ok = measures.dropna(subset=["se"])
    assert (ok["se"] > 0).all()
    assert (ok["ci_low"] <= ok["ci_high"]).all()
    assert (f["undefined_replicates"] == 0).all()
    # the chosen interval is BCa
    assert np.allclose(f["ci_low"], f["bca_low"], equal_nan=True)
    with pytest.raises(MobilityError, match="invalid kind"):
        r.to_frame("cells")


def test_replicates_and_get(boot):
    _, r = boot
    reps = r.replicates("shorrocks_trace")
    assert reps.shape == (200,) and reps.dtype == np.float64
    assert np.array_equal(r.replicates("shorrocks_trace", aligned=True), reps)
    d = r["p_1_1"]
    assert d["name"] == "p_1_1" and d["statistic"] == {"kind": "cell", "row": 1, "col": 1}
    assert d["se"] == pytest.approx(np.std(r.replicates("p_1_1"), ddof=1), rel=1e-12)
    assert "shorrocks_trace" in r and "nonsense" not in r
    assert len(r) == len(r.names) == len(list(r))
    with pytest.raises(KeyError, match="not a statistic"):
        r.replicates("nonsense")
    with pytest.raises(KeyError):
        r["p_9_9"]


def test_reproducible_for_a_seed():
    p, c = lognormal_pairs(1_500, seed=2)
    tm = mobility.transition_matrix(p, c, quantiles=4)
    a = tm.bootstrap(100, seed=5)
    b = tm.bootstrap(100, seed=5)
    assert a == b and a.to_dict() == b.to_dict()
    assert tm.bootstrap(100, seed=6) != a
    # transition_matrix(bootstrap=...) is the same call
    again = mobility.transition_matrix(p, c, quantiles=4, bootstrap=100, seed=5)
    assert again.inference == a


_THREADS_SCRIPT = """
import sys, hashlib
import mobility
sys.path.insert(0, {tests!r})
from conftest import lognormal_pairs
p, c = lognormal_pairs(30_000, seed=4)
w = (p % 7) + 0.5
tm = mobility.transition_matrix(p, c, quantiles=10, weights=w)
r = tm.bootstrap(64, seed=9, cluster=(p * 1000).astype(int) % 500)
print(hashlib.sha256(r.to_json().encode()).hexdigest())
"""


def test_identical_for_one_and_two_threads():
    script = _THREADS_SCRIPT.format(tests=str(REPO / "python" / "tests"))
    digests = []
    for threads in ("1", "2"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
        )
        assert out.returncode == 0, out.stderr
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1]


def test_summary_gains_intervals(boot):
    tm, r = boot
    s = tm.summary()
    assert list(s.columns) == ["measure", "value", "description", "se", "ci_low", "ci_high"]
    trace = s.set_index("measure").loc["shorrocks_trace"]
    assert trace["se"] == r["shorrocks_trace"]["se"]
    assert trace["ci_low"] == r["shorrocks_trace"]["ci_low"]
    # another pi than the bootstrap's: no interval columns (they would not match the values)
    assert list(tm.summary(pi="uniform").columns) == ["measure", "value", "description"]
    plain = mobility.transition_matrix(*lognormal_pairs(200, seed=3))
    assert list(plain.summary().columns) == ["measure", "value", "description"]


def test_report_gains_inference_like_the_cli(boot):
    tm, r = boot
    rep = tm.report()
    assert set(rep["inference"]) == set(mobility.MEASURES)
    assert rep["inference"]["shorrocks_trace"] == {
        key: r["shorrocks_trace"][key]
        for key in ("estimate", "se", "ci_low", "ci_high", "undefined_replicates")
    }
    assert rep["bootstrap"] == {
        "k": 5, "replicates": 200, "seed": 1, "ci": "bca", "level": 0.95,
        "cutoffs": "reestimate", "resample": "units", "clusters": None, "units": 2000,
        "jackknife_groups": 30, "weighting": "parent_shares", "weight_kind": "sampling",
    }
    assert "inference" not in tm.report(pi="uniform")


def test_selection_options_and_methods():
    p, c = lognormal_pairs(1_000, seed=8)
    tm = mobility.transition_matrix(p, c, quantiles=4)
    only = tm.bootstrap(50, seed=1, statistics=["bottom_persistence", "p_2_3", "upward_4"])
    assert only.names == ["bottom_persistence", "p_2_3", "upward_4"]
    assert list(only.to_frame()["kind"]) == ["measure", "cell", "class"]
    measures = tm.bootstrap(50, seed=1, statistics="measures")
    assert measures.names == list(mobility.MEASURES)
    full = tm.bootstrap(50, seed=1)
    # the selection does not change a statistic's draws
    assert np.array_equal(full.replicates("p_2_3"), only.replicates("p_2_3"))
    perc = tm.bootstrap(50, seed=1, ci="percentile", level=0.9)
    f = perc.to_frame()
    assert perc.ci == "percentile" and perc.level == 0.9
    assert np.allclose(f["ci_low"], f["percentile_low"], equal_nan=True)
    fixed = tm.bootstrap(50, seed=1, cutoffs="fixed")
    assert fixed.settings["cutoffs"] == "fixed"
    assert not np.array_equal(fixed.replicates("p_1_1"), full.replicates("p_1_1"))
    uniform = tm.bootstrap(50, seed=1, pi="uniform", statistics="measures")
    assert uniform.settings["weighting"] == "uniform"
    assert uniform["bartholomew"]["estimate"] == tm.measures(pi="uniform")["bartholomew"]
    # the newest run is the one kept
    assert tm.inference is uniform


def test_clusters_by_column_and_by_array():
    p, c = lognormal_pairs(1_200, seed=9)
    family = np.repeat([f"fam{i}" for i in range(400)], 3)
    df = pd.DataFrame({"p": p, "c": c, "family": family})
    tm = mobility.transition_matrix(
        df, parent="p", child="c", bootstrap=60, seed=2, cluster="family"
    )
    r = tm.inference
    assert r.settings["resample"] == "clusters" and r.settings["clusters"] == 400
    # the same ids as an array, as integer codes in the same order, or later with tm.bootstrap:
    # the same draws (clusters are numbered in the sorted order of their ids)
    codes = 7 * pd.factorize(family, sort=True)[0] - 1000
    assert tm.bootstrap(60, seed=2, cluster=family) == r
    assert tm.bootstrap(60, seed=2, cluster=codes) == r
    # nor does the order of the rows matter
    order = np.random.default_rng(4).permutation(len(p))
    tm2 = mobility.transition_matrix(
        df.iloc[order], parent="p", child="c", bootstrap=60, seed=2, cluster="family"
    )
    assert tm2.inference == r
    assert tm.bootstrap(60, seed=2, cluster="family") == r


def test_dropna_drops_missing_cluster_ids_too():
    p, c = lognormal_pairs(300, seed=10)
    family = np.arange(300) // 2
    df = pd.DataFrame({"p": p, "c": c, "family": family.astype(float)})
    df.loc[[5, 9], "family"] = np.nan
    df.loc[20, "p"] = np.nan
    tm = mobility.transition_matrix(
        df, parent="p", child="c", dropna=True, bootstrap=20, cluster="family"
    )
    assert tm.n_dropped == 3 and tm.n == 297
    # the full-length column still lines up with the rows kept
    tm.bootstrap(20, cluster=df["family"].fillna(-1))
    with pytest.raises(MobilityError, match="cluster ids have 2 missing values"):
        mobility.transition_matrix(df.dropna(subset=["p"]), parent="p", child="c").bootstrap(
            20, cluster=df.dropna(subset=["p"])["family"]
        )


def test_weighted_and_from_classes_bootstrap():
    p, c = lognormal_pairs(800, seed=12)
    w = np.random.default_rng(1).uniform(0.5, 2.0, p.size)
    tm = mobility.transition_matrix(p, c, quantiles=4, weights=w)
    r = tm.bootstrap(40, seed=3)
    assert r["p_1_1"]["estimate"] == tm.probabilities[0, 0]
    # classes given by the user: resampled with the classes fixed
    pq = (np.arange(400) % 4) + 1
    cq = ((np.arange(400) * 7) % 4) + 1
    tc = TransitionMatrix.from_classes(pq, cq, k=4)
    rc = tc.bootstrap(30, seed=1)
    assert rc["p_1_1"]["estimate"] == tc.probabilities[0, 0]
    # bands are fixed cut-offs
    tb = mobility.transition_matrix(p, c, bands=[30_000, 40_000, 60_000])
    rb = tb.bootstrap(30, seed=1)
    assert rb["p_2_2"]["estimate"] == tb.probabilities[1, 1]


def test_pickle_and_dict_round_trips(boot):
    tm, r = boot
    assert pickle.loads(pickle.dumps(r)) == r
    assert mobility.BootstrapResult.from_dict(r.to_dict()) == r
    assert mobility.BootstrapResult.from_json(r.to_json()) == r
    back = pickle.loads(pickle.dumps(tm))
    assert back == tm and back.inference == r and back.has_data
    assert back.bootstrap(20, seed=1) == tm.bootstrap(20, seed=1)
    tm.bootstrap(200, seed=1)  # restore the fixture's run
    light = tm.without_data()
    assert light == tm and not light.has_data and light.inference is not None
    assert len(pickle.dumps(light)) < len(pickle.dumps(tm))
    d = r.to_dict()
    assert d["replicate_count"] == 200 and len(d["statistics"]) == len(r)
    assert "html" not in repr(r) and "BootstrapResult(k=5, B=200" in repr(r)
    assert "<table" in r._repr_html_()


# ------------------------------------------------------------------------------ analytic SEs


def test_row_multinomial_closed_forms():
    tm = TransitionMatrix.from_counts([[60, 40], [30, 70]])
    r = tm.standard_errors()  # a table: the row model
    assert r.method == "row_multinomial"
    assert r["p_1_1"]["se"] == pytest.approx(math.sqrt(0.6 * 0.4 / 100), abs=1e-15)
    assert r["shorrocks_trace"]["se"] == pytest.approx(
        math.sqrt(0.6 * 0.4 / 100 + 0.7 * 0.3 / 100), abs=1e-15
    )
    z = 1.959963984540054
    assert r["p_1_1"]["ci_low"] == pytest.approx(0.6 - z * math.sqrt(0.0024), abs=1e-12)
    assert mobility.row_multinomial(tm) == r
    assert mobility.row_multinomial([[60, 40], [30, 70]]) == r
    f = r.to_frame()
    assert list(f.columns) == [
        "statistic", "kind", "row", "col", "class", "vector", "estimate", "se", "ci_low",
        "ci_high", "note",
    ]
    # effective counts halve the information: se grows by sqrt(2)
    half = tm.standard_errors("multinomial", row_counts=[50, 50])
    assert half["p_1_1"]["se"] == pytest.approx(math.sqrt(2) * r["p_1_1"]["se"], rel=1e-12)
    # a probability table needs effective counts
    prob = TransitionMatrix.from_probabilities([[0.6, 0.4], [0.3, 0.7]])
    with pytest.raises(MobilityError, match="no counts"):
        prob.standard_errors()
    assert prob.standard_errors(row_counts=[100, 100])["p_1_1"]["se"] == r["p_1_1"]["se"]


def test_copula_standard_errors():
    p, c = lognormal_pairs(4_000, rho=0.0, seed=13)
    tm = mobility.transition_matrix(p, c, quantiles=4)
    r = tm.standard_errors()  # quantile classes of the data: the copula model
    assert r.method == "empirical_copula" and r.effective_n == 4_000
    # under independence n Var(p_ab) is about (1 - 1/k)^2
    assert r["p_1_1"]["se"] * math.sqrt(4_000) == pytest.approx(0.75, abs=0.1)
    naive = tm.standard_errors("multinomial")
    assert naive["p_1_1"]["se"] > r["p_1_1"]["se"]
    same = mobility.quantile_copula(p, c, quantiles=4)
    assert same == r
    frame = pd.DataFrame({"a": p, "b": c})
    assert mobility.quantile_copula(frame, parent="a", child="b", quantiles=4) == r
    assert tm.standard_errors(bandwidth=0.05).bandwidth == 0.05
    # weighted microdata with known bounds: Kish effective counts
    w = np.random.default_rng(2).uniform(0.5, 2.0, p.size)
    tb = mobility.transition_matrix(p, c, bands=[30_000, 40_000, 60_000], weights=w)
    rb = tb.standard_errors()
    assert rb.method == "row_multinomial"
    kish = mobility.kish_row_counts(p, w, tb.parent_cutoffs)
    assert rb.row_counts == pytest.approx(list(kish))
    with pytest.raises(MobilityError, match="midrank or split quantile classes"):
        tb.standard_errors("copula")
    with pytest.raises(MobilityError, match="bandwidth applies"):
        tb.standard_errors("multinomial", bandwidth=0.1)
    with pytest.raises(MobilityError, match="invalid method"):
        tm.standard_errors("delta")


# ------------------------------------------------------------------------------ comparisons


def _chi2_sf_df2(x):
    return math.exp(-x / 2)


def _chi2_sf_df3(x):
    return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)


def test_homogeneity_by_hand():
    a = np.array([[30.0, 10.0], [10.0, 30.0]])
    b = np.array([[20.0, 20.0], [10.0, 30.0]])
    t = mobility.homogeneity([a, b])
    # row 1: pooled [50, 30], both totals 40: e = [25, 15]; row 2 identical: no contribution
    x2 = 2 * (5**2 / 25 + 5**2 / 15)
    g = 2 * (30 * math.log(30 / 25) + 10 * math.log(10 / 15)
             + 20 * math.log(20 / 25) + 20 * math.log(20 / 15))
    assert t.groups == 2 and t.k == 2
    assert t.chi_square.statistic == pytest.approx(x2, rel=1e-12)
    assert t.likelihood_ratio.statistic == pytest.approx(g, rel=1e-12)
    assert t.chi_square.df == 2 and t.likelihood_ratio.df == 2
    assert t.chi_square.p_value == pytest.approx(_chi2_sf_df2(x2), rel=1e-9)
    assert t.likelihood_ratio.p_value == pytest.approx(_chi2_sf_df2(g), rel=1e-9)
    assert t.rows[1].chi_square == 0.0 and t.rows[0].df == 1
    assert list(t.to_frame().columns) == ["row", "chi_square", "likelihood_ratio", "df"]
    d = t.to_dict()
    assert d["chi_square"]["df"] == 2 and len(d["rows"]) == 2
    assert t["chi_square"] == t.chi_square
    # TransitionMatrix objects and a 3-d array give the same test; the alias too
    same = mobility.homogeneity([TransitionMatrix.from_counts(a), TransitionMatrix.from_counts(b)])
    assert same == t == mobility.homogeneity(np.stack([a, b])) == mobility.homogeneity_test([a, b])
    # the same P with other origin margins: X^2 = 0, p = 1 (giddy's kullback would reject)
    t0 = mobility.homogeneity([[[80, 20], [40, 60]], [[8, 2], [120, 180]]])
    assert t0.chi_square.statistic == pytest.approx(0.0, abs=1e-12)
    assert t0.chi_square.p_value == pytest.approx(1.0)


def test_joint_homogeneity_by_hand():
    a = np.array([[30.0, 10.0], [10.0, 30.0]])
    b = np.array([[20.0, 20.0], [10.0, 30.0]])
    t = mobility.joint_homogeneity([a, b])
    # pooled cells [50, 30, 20, 60], both totals 80: e = [25, 15, 10, 30]
    x2 = 2 * (5**2 / 25 + 5**2 / 15)
    assert t.chi_square.statistic == pytest.approx(x2, rel=1e-12)
    assert t.chi_square.df == 3
    assert t.chi_square.p_value == pytest.approx(_chi2_sf_df3(x2), rel=1e-9)


def test_altham_bootstrap():
    a = np.array([[60.0, 40.0], [30.0, 70.0]])
    b = np.array([[50.0, 50.0], [50.0, 50.0]])
    r = mobility.altham_bootstrap(a, b, replicates=300, seed=4)
    # the odds ratios are 3.5 and 1: d = 2 ln 3.5 for 2 x 2 tables
    assert r.distance == pytest.approx(2 * math.log(3.5), rel=1e-12)
    assert r.distance == pytest.approx(mobility.altham_distance(a, b), rel=1e-12)
    assert r.replicate_count == 300 and r.replicates.shape == (300 - r.undefined_replicates,)
    assert r.ci_low < r.distance < r.ci_high and r.se > 0
    assert mobility.altham_bootstrap(a, b, replicates=300, seed=4) == r
    assert mobility.altham_bootstrap(
        TransitionMatrix.from_counts(a), b, replicates=300, seed=4
    ) == r


def test_bootstrap_difference():
    pa, ca = lognormal_pairs(1_000, rho=0.7, seed=21)
    pb, cb = lognormal_pairs(1_000, rho=0.2, seed=22)
    d = mobility.bootstrap_difference((pa, ca), (pb, cb), quantiles=4, replicates=80, seed=3)
    assert isinstance(d, mobility.DifferenceResult)
    trace = d["shorrocks_trace"]
    ta = mobility.transition_matrix(pa, ca, quantiles=4)
    tb = mobility.transition_matrix(pb, cb, quantiles=4)
    assert trace["estimate"] == pytest.approx(
        ta.measures()["shorrocks_trace"] - tb.measures()["shorrocks_trace"], abs=1e-15
    )
    assert trace["ci_high"] < 0  # rho = 0.7 is less mobile than rho = 0.2
    # the differences are the groups' replicates, replicate by replicate
    diff = d.differences.replicates("p_1_1")
    assert np.allclose(diff, d.a.replicates("p_1_1") - d.b.replicates("p_1_1"))
    assert d.a.seed == 3 and d.a.replicate_count == 80
    # group A alone is A's own bootstrap (streams 0..B)
    assert d.a == ta.bootstrap(80, seed=3)
    # matrices built from microdata give the same result as their arrays
    same = mobility.bootstrap_difference(ta, tb, replicates=80, seed=3)
    assert same == d
    assert list(d.to_frame().columns) == FRAME_COLUMNS
    assert pickle.loads(pickle.dumps(d)) == d
    dicts = mobility.bootstrap_difference(
        {"parent": pa, "child": ca, "cluster": np.arange(1_000) // 2},
        {"parent": pb, "child": cb},
        quantiles=4, replicates=30, statistics="measures",
    )
    assert dicts.a.settings["resample"] == "clusters"
    with pytest.raises(MobilityError, match="different classes"):
        mobility.bootstrap_difference(ta, mobility.transition_matrix(pb, cb, quantiles=5))
    with pytest.raises(MobilityError, match="disagrees"):
        mobility.bootstrap_difference(ta, tb, quantiles=5)


# ------------------------------------------------------------------------------ error paths


def test_bootstrap_errors():
    p, c = lognormal_pairs(300, seed=30)
    tm = mobility.transition_matrix(p, c)
    table = TransitionMatrix.from_counts(tm.counts)
    with pytest.raises(MobilityError, match="needs the microdata"):
        table.bootstrap(100)
    with pytest.raises(MobilityError, match="needs the microdata"):
        mobility.published.us_chetty_2014().bootstrap()
    with pytest.raises(MobilityError, match="needs the microdata"):
        TransitionMatrix.from_json(tm.to_json()).bootstrap()
    with pytest.raises(MobilityError, match="needs the microdata"):
        table.rank_mobility()
    with pytest.raises(MobilityError, match="needs the microdata"):
        mobility.bootstrap_difference(table, tm)
    with pytest.raises(MobilityError, match="ci.*expected percentile or bca"):
        tm.bootstrap(10, ci="student")
    with pytest.raises(MobilityError, match="'sometimes' is not a cut-off mode; expected reestimate or fixed"):
        tm.bootstrap(10, cutoffs="sometimes")
    with pytest.raises(MobilityError, match="at least 2"):
        tm.bootstrap(1)
    with pytest.raises(MobilityError, match="level"):
        tm.bootstrap(10, level=1.5)
    with pytest.raises(MobilityError, match="seed must be a whole number from 0"):
        tm.bootstrap(10, seed=-1)
    with pytest.raises(TypeError, match="replicates must be a whole number"):
        tm.bootstrap(10.5)
    with pytest.raises(TypeError, match="seed must be a whole number"):
        tm.bootstrap(10, seed="one")
    with pytest.raises(TypeError, match="ci must be a string"):
        tm.bootstrap(10, ci=None)
    with pytest.raises(MobilityError, match="'p_9_9'.*outside"):
        tm.bootstrap(10, statistics=["p_9_9"])
    with pytest.raises(MobilityError, match="neither a canonical measure"):
        tm.bootstrap(10, statistics="nonsense")
    with pytest.raises(TypeError, match="statistics must be"):
        tm.bootstrap(10, statistics=5)
    with pytest.raises(MobilityError, match="cluster ids: expected 300 values, found 3"):
        tm.bootstrap(10, cluster=[1, 2, 3])
    with pytest.raises(TypeError, match="column name, but this matrix was not built from a DataFrame"):
        tm.bootstrap(10, cluster="family")
    df = pd.DataFrame({"p": p, "c": c})
    with pytest.raises(mobility.ColumnNotFoundError, match="cluster column 'family'"):
        mobility.transition_matrix(df, parent="p", child="c", bootstrap=10, cluster="family")
    with pytest.raises(ValueError, match="cluster column 'family'"):
        mobility.transition_matrix(df, parent="p", child="c").bootstrap(10, cluster="family")
    with pytest.raises(TypeError, match="seed= applies to the bootstrap"):
        mobility.transition_matrix(p, c, seed=3)
    with pytest.raises(TypeError, match="cluster= applies to the bootstrap"):
        mobility.transition_matrix(p, c, cluster=np.arange(300))
    with pytest.raises(TypeError, match="BootstrapResult is made by"):
        mobility.BootstrapResult({"k": 5})
    with pytest.raises(MobilityError, match="invalid bootstrap result JSON"):
        mobility.BootstrapResult.from_json("{}")


def test_comparison_errors():
    a = np.array([[30.0, 10.0], [10.0, 30.0]])
    with pytest.raises(MobilityError, match="at least 2"):
        mobility.homogeneity([a])
    with pytest.raises(MobilityError, match="sequence of 2 or more"):
        mobility.homogeneity(a)
    with pytest.raises(TypeError, match="sequence of count tables"):
        mobility.homogeneity(TransitionMatrix.from_counts(a))
    with pytest.raises(MobilityError, match="count table 2 is 3 x 3"):
        mobility.homogeneity([a, np.ones((3, 3))])
    with pytest.raises(MobilityError, match="count table 2"):
        mobility.homogeneity([a, [[1, -1], [1, 1]]])
    with pytest.raises(MobilityError, match="no counts"):
        mobility.homogeneity([a, TransitionMatrix.from_probabilities([[0.5, 0.5], [0.5, 0.5]])])
    with pytest.raises(MobilityError, match="0 degrees of freedom"):
        mobility.homogeneity([[[1, 0], [0, 1]], [[2, 0], [0, 3]]])
    with pytest.raises(MobilityError, match="at least 2"):
        mobility.altham_bootstrap(a, a, replicates=1)
    with pytest.raises(MobilityError):
        mobility.altham_bootstrap(a, [[1, 0], [1, 1]])  # a zero cell: no log odds ratio
    with pytest.raises(TypeError, match="group a must be"):
        mobility.bootstrap_difference(np.ones(5), ([1.0, 2.0], [2.0, 1.0]))
    with pytest.raises(TypeError, match="needs the keys 'parent' and 'child'"):
        mobility.bootstrap_difference({"parent": [1.0, 2.0]}, ([1.0, 2.0], [2.0, 1.0]))


def test_bootstrap_progress_counts_every_replicate_and_keeps_the_result():
    rng = np.random.default_rng(7)
    p = rng.lognormal(size=2000)
    c = p * rng.lognormal(size=2000)
    tm = mobility.transition_matrix(p, c, quantiles=4)
    seen = []
    with_progress = tm.bootstrap(60, seed=3, jackknife_groups=10, rank_measures=True,
                                 progress=lambda done, total: seen.append((done, total)))
    rank_with = tm.rank_inference
    plain = tm.bootstrap(60, seed=3, jackknife_groups=10, rank_measures=True)
    assert with_progress.to_json() == plain.to_json()
    assert rank_with == tm.rank_inference
    # the last call reports everything done: (60 + 10) matrix and (60 + 10) rank replicates
    assert seen[-1] == (140, 140)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
    tm.bootstrap(20, seed=1, jackknife_groups=5, progress=True)  # a tqdm bar
    with pytest.raises(TypeError, match="progress must be"):
        tm.bootstrap(20, progress="yes")


def test_the_matrix_only_bootstrap_options_leave_the_rank_bootstrap_alone():
    # the rank bootstrap gets the same options as the matrix bootstrap; the cut-off mode, the
    # origin weights and the statistic selection are the matrix's only
    rng = np.random.default_rng(11)
    p = rng.lognormal(size=600)
    c = p * rng.lognormal(size=600)
    tm = mobility.transition_matrix(p, c, quantiles=4)
    tm.bootstrap(40, seed=5, jackknife_groups=8, rank_measures=True)
    default = tm.rank_inference
    assert default is not None
    tm.bootstrap(40, seed=5, jackknife_groups=8, rank_measures=True, cutoffs="fixed",
                 pi="uniform", statistics=["shorrocks_trace"])
    assert tm.rank_inference == default
