"""The TransitionMatrix API: properties, measures, views, serialisation, display, Markov."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

import mobility
from mobility import TransitionMatrix
from conftest import lognormal_pairs

CANONICAL = [
    "bottom_persistence",
    "top_persistence",
    "upward_from_bottom",
    "downward_from_top",
    "bottom_to_top",
    "top_to_bottom",
    "upward_share",
    "downward_share",
    "immobility_ratio",
    "prais_bibby",
    "shorrocks_trace",
    "determinant_shorrocks",
    "determinant_giddy",
    "second_eigenvalue",
    "eigenvalue_sum",
    "bartholomew",
    "mean_class_jump",
    "altham_independence",
]


@pytest.fixture(scope="module")
def tm():
    p, c = lognormal_pairs(5_000, seed=11)
    return mobility.transition_matrix(p, c, quantiles=5)


def test_properties(tm):
    assert tm.k == 5 and tm.n == 5_000.0
    assert tm.counts.shape == (5, 5) and tm.counts.sum() == 5_000
    np.testing.assert_allclose(tm.probabilities.sum(axis=1), 1.0, atol=1e-15)
    np.testing.assert_allclose(tm.parent_shares, 0.2, atol=1e-15)
    np.testing.assert_allclose(tm.child_shares, tm.parent_shares @ tm.probabilities, atol=1e-15)
    assert tm.labels == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert tm.parent_cutoffs.k == 5 and tm.parent_cutoffs.source == "midrank"
    assert tm.n_dropped == 0
    np.testing.assert_allclose(tm.joint(), tm.counts / 5_000, atol=1e-15)
    np.testing.assert_allclose(tm.inflow().sum(axis=0), 1.0, atol=1e-15)
    np.testing.assert_allclose(tm.origin_weights("uniform"), 0.2)


def test_measures_dict(tm):
    m = tm.measures()
    assert list(m) == CANONICAL
    assert list(mobility.MEASURES) == CANONICAL
    assert all(isinstance(v, float) for v in m.values())
    assert m["upward_share"] + m["downward_share"] + m["immobility_ratio"] == pytest.approx(1.0)
    # The plain functions agree with the dict.
    P = tm.probabilities
    assert mobility.shorrocks_trace(P) == pytest.approx(m["shorrocks_trace"], abs=1e-15)
    assert mobility.determinant_shorrocks(P) == pytest.approx(m["determinant_shorrocks"], abs=1e-15)
    assert mobility.determinant_giddy(P) == pytest.approx(m["determinant_giddy"], abs=1e-15)
    assert mobility.second_eigenvalue(P) == pytest.approx(m["second_eigenvalue"], abs=1e-15)
    assert mobility.eigenvalue_sum(P) == pytest.approx(m["eigenvalue_sum"], abs=1e-15)
    pi = tm.parent_shares
    assert mobility.bartholomew(P, pi) == pytest.approx(m["bartholomew"], abs=1e-15)
    assert mobility.mean_class_jump(P, pi) == pytest.approx(m["mean_class_jump"], abs=1e-15)
    assert mobility.immobility_ratio(P, pi) == pytest.approx(m["immobility_ratio"], abs=1e-15)
    assert mobility.upward_share(P, pi) == pytest.approx(m["upward_share"], abs=1e-15)
    assert mobility.downward_share(P, pi) == pytest.approx(m["downward_share"], abs=1e-15)
    assert mobility.altham_independence(P) == pytest.approx(m["altham_independence"], abs=1e-9)
    # pi choices
    for pi_arg in ("parent", "uniform", "stationary", [0.1, 0.2, 0.3, 0.2, 0.2], np.full(5, 0.2)):
        assert list(tm.measures(pi=pi_arg)) == CANONICAL
    registry = {e["name"]: e for e in mobility._mobility.measure_registry()}
    assert mobility.describe("shorrocks_trace") == registry["shorrocks_trace"]["description"]
    assert registry["shorrocks_trace"]["formula"] == "(k - tr P) / (k - 1)"


def test_summary_and_frame(tm):
    s = tm.summary()
    assert list(s.columns) == ["measure", "value", "description"]
    assert list(s["measure"]) == CANONICAL
    assert s["value"].dtype == np.float64
    f = tm.to_frame()
    assert list(f.index) == [f"parent Q{i}" for i in range(1, 6)]
    assert list(f.columns) == [f"child Q{i}" for i in range(1, 6)]
    np.testing.assert_array_equal(f.to_numpy(), tm.probabilities)
    np.testing.assert_array_equal(tm.to_frame("counts").to_numpy(), tm.counts)
    d = mobility.transition_matrix(*lognormal_pairs(1_000), quantiles=10)
    assert d.to_frame().index[-1] == "parent D10"
    with pytest.raises(mobility.MobilityError, match="counts of this matrix are unknown"):
        mobility.published.us_chetty_2014().to_frame("counts")


def test_report_matches_measures(tm):
    r = tm.report()
    for key in (
        "k", "n", "counts", "matrix", "parent_shares", "child_shares", "pi", "measures",
        "class_profile", "steady_state", "abs_eigenvalues", "empty_parent_classes",
        "empty_child_classes", "parent_cutoffs", "child_cutoffs",
    ):
        assert key in r
    assert r["measures"] == tm.measures()
    assert r["pi"] == "parent_shares"
    assert tm.report(pi="uniform")["pi"] == "uniform"
    json.dumps(r)  # plain JSON data


def test_dict_json_pickle_round_trips(tm):
    for obj in (tm, mobility.published.us_chetty_2014(), mobility.published.giddy_us_states()):
        assert TransitionMatrix.from_dict(obj.to_dict()) == obj
        assert TransitionMatrix.from_json(obj.to_json()) == obj
        again = pickle.loads(pickle.dumps(obj))
        assert again == obj
        np.testing.assert_array_equal(again.probabilities, obj.probabilities)
        assert again.measures() == obj.measures()
    p = np.array([1.0, 2.0, np.nan, 4.0, 5.0])
    dropped = mobility.transition_matrix(p, p, quantiles=2, dropna=True)
    assert pickle.loads(pickle.dumps(dropped)).n_dropped == 1
    assert TransitionMatrix.from_json(dropped.to_json()).n_dropped == 1
    cut = tm.parent_cutoffs
    assert pickle.loads(pickle.dumps(cut)) == cut
    assert mobility.Cutoffs.from_json(cut.to_json()) == cut
    d = tm.to_dict()
    assert d["counts"] == tm.counts.tolist() and d["k"] == 5


def test_repr_html_and_text(tm):
    h = tm._repr_html_()
    assert h.startswith("<div") and "<table" in h
    for label in tm.labels:
        assert f">{label}<" in h
    assert "shorrocks_trace" in h and "n = 5,000" in h
    assert "background-color" in h
    assert "TransitionMatrix(k=5" in repr(tm) and "Q5" in repr(tm)
    us = mobility.published.us_chetty_2014()._repr_html_()
    assert "probability table" in us
    assert "D10" in mobility.transition_matrix(*lognormal_pairs(500), quantiles=10)._repr_html_()


def test_plot_agg(tm):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = tm.plot()
    assert [t.get_text() for t in ax.get_xticklabels()] == tm.labels
    assert ax.get_ylabel() == "parent class"
    fig, ax2 = plt.subplots()
    assert tm.plot(ax=ax2, kind="inflow", annotate=False, colorbar=False) is ax2
    plt.close("all")


def test_class_profile_and_spectrum(tm):
    cp = tm.class_profile()
    assert set(cp) == {"persistence", "prais", "upward", "downward", "expected_stay"}
    P = tm.probabilities
    np.testing.assert_allclose(cp["persistence"], np.diag(P))
    np.testing.assert_allclose(cp["expected_stay"], 1 / (1 - np.diag(P)))
    s = tm.spectrum()
    assert s["eigenvalues"].dtype == np.complex128
    assert abs(s["eigenvalues"][0]) == pytest.approx(1.0)
    np.testing.assert_allclose(s["steady_state"] @ P, s["steady_state"], atol=1e-12)
    np.testing.assert_allclose(tm.steady_state, s["steady_state"])
    absorbing = TransitionMatrix.from_probabilities([[1.0, 0.0], [0.5, 0.5]])
    assert absorbing.class_profile()["expected_stay"][0] == float("inf")


def test_markov_functions():
    P = np.array([[0.9, 0.1], [0.3, 0.7]])
    np.testing.assert_allclose(mobility.stationary_distribution(P), [0.75, 0.25])
    np.testing.assert_allclose(mobility.markov.matrix_power(P, 2), P @ P)
    m = mobility.mean_first_passage_times(P)
    assert m[0, 1] == pytest.approx(10.0) and m[0, 0] == pytest.approx(4 / 3)
    assert mobility.mean_first_passage_times(np.eye(2))[0, 1] == float("inf")
    np.testing.assert_allclose(mobility.expected_stay(P), [10.0, 1 / 0.3])
    assert mobility.expected_time_to_exit(P, [0])[0] == pytest.approx(10.0)
    c = mobility.convergence([[0.75, 0.25], [0.25, 0.75]], period_years=30)
    assert c["lambda2_modulus"] == pytest.approx(0.5)
    assert c["half_life_years"] == pytest.approx(30.0)
    assert isinstance(c["lambda2"], complex)
    g = mobility.generations_to_mean(0.5, 0.5)
    assert g["generations"] >= 1 and g["tolerance"] == 0.05
    assert mobility.closed_classes(np.eye(2)) == [[0], [1]]
    assert mobility.communicating_classes(P) == [[0, 1]]
    assert len(mobility.stationary_distributions(np.eye(3))) == 3
    assert mobility.check_stochastic(P) == 2
    ev = mobility.eigenvalues(P)
    np.testing.assert_allclose(np.abs(ev), [1.0, 0.6])
    tm = TransitionMatrix.from_probabilities(P)
    np.testing.assert_allclose(tm.matrix_power(3), P @ P @ P)
    assert tm.convergence()["half_life"] == pytest.approx(np.log(0.5) / np.log(0.6))
    np.testing.assert_allclose(mobility.markov.stationary_distribution(tm), [0.75, 0.25])


def test_from_classes_and_counts():
    x = np.array([1, 2, 2, 1])
    y = np.array([1, 2, 1, 1])
    tm = TransitionMatrix.from_classes(x, y, k=2, weights=[1.0, 2.0, 1.0, 1.0])
    np.testing.assert_array_equal(tm.counts, [[2.0, 0.0], [1.0, 2.0]])
    same = TransitionMatrix.from_counts([[2, 0], [1, 2]])
    np.testing.assert_array_equal(same.probabilities, tm.probabilities)
    floats = TransitionMatrix.from_classes(x.astype(float), pd.Series(y), k=2)
    assert floats.n == 4


def test_from_probabilities_options():
    p = np.array([[0.6, 0.4], [0.2, 0.8]])
    t = TransitionMatrix.from_probabilities(p.T, child_in_rows=True, parent_shares=[0.3, 0.7])
    np.testing.assert_array_equal(t.probabilities, p)
    np.testing.assert_allclose(t.parent_shares, [0.3, 0.7])
    np.testing.assert_allclose(t.child_shares, [0.3, 0.7] @ p)
    assert t.n is None and t.counts is None


def test_reference_cutoffs_and_bands():
    p, c = lognormal_pairs(4_000, seed=5)
    # A "place": the top half of parents, ranked against everyone (national cut-offs).
    place = p > np.median(p)
    tm = mobility.transition_matrix(p[place], c[place], quantiles=5, reference=(p, c))
    assert tm.parent_shares[0] == 0.0 and tm.parent_shares[4] > 0.35
    national = mobility.transition_matrix(p, c, quantiles=5)
    assert tm.parent_cutoffs == national.parent_cutoffs
    via_cutoffs = mobility.transition_matrix(
        p[place], c[place], cutoffs=(national.parent_cutoffs, national.child_cutoffs)
    )
    assert via_cutoffs == tm
    df = pd.DataFrame({"pp": p, "cc": c})
    via_frame = mobility.transition_matrix(
        df[place], parent="pp", child="cc", quantiles=5, reference=df
    )
    assert via_frame == tm
    bands = mobility.transition_matrix(p, c, bands=[20_000, 40_000, 80_000])
    assert bands.k == 4 and bands.parent_cutoffs.source == "fixed"
    expected = np.searchsorted([20_000, 40_000, 80_000], p, side="right") + 1
    np.testing.assert_array_equal(bands.parent_cutoffs.classify(p), expected)
    right = mobility.transition_matrix([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], bands=[2.0], closed="right")
    np.testing.assert_array_equal(right.counts, [[2.0, 0.0], [0.0, 1.0]])


def test_rules_and_ranks():
    x = np.arange(1.0, 49.0)
    sizes = np.bincount(mobility.Cutoffs.quantiles(x, k=5, rule="giddy").classify(x))[1:]
    assert sizes.tolist() == [10, 9, 10, 9, 10]  # FORMULAS.md: giddy rule, n = 48, k = 5
    for rule in mobility.RULES:
        assert mobility.transition_matrix(x, x[::-1], quantiles=4, rule=rule).k == 4
    np.testing.assert_array_equal(mobility.fractional_ranks([10, 20, 20, 30]), [0.125, 0.5, 0.5, 0.875])
    assert mobility.class_of_rank(0.2, 5) == 1 and mobility.class_of_rank(0.2000001, 5) == 2
    assert mobility.class_labels(10)[0] == "D1"


def test_simulate():
    a = mobility.simulate(10_000, 0.5, seed=3)
    b = mobility.simulate(10_000, 0.5, seed=3)
    np.testing.assert_array_equal(a["parent"], b["parent"])
    assert set(a) == {"parent", "child"}
    assert np.corrcoef(np.log(a["parent"]), np.log(a["child"]))[0, 1] == pytest.approx(0.5, abs=0.03)
    w = mobility.simulate(1_000, 0.5, seed=3, weighted=True)
    assert set(w) == {"parent", "child", "weight"}
    np.testing.assert_array_equal(w["parent"], mobility.simulate(1_000, 0.5, seed=3)["parent"])
    truth = mobility.gaussian_copula_matrix(0.5, 5)
    est = mobility.transition_matrix(a["parent"], a["child"], quantiles=5).probabilities
    assert np.abs(est - truth).max() < 0.05
    s = mobility.simulate(50_000, 0.4, seed=1, correlation="spearman")
    spearman = np.corrcoef(mobility.fractional_ranks(s["parent"]), mobility.fractional_ranks(s["child"]))
    assert spearman[0, 1] == pytest.approx(0.4, abs=0.02)
    with pytest.raises(mobility.MobilityError):
        mobility.simulate(10, 1.5)
    with pytest.raises(mobility.MobilityError):
        mobility.simulate(0, 0.5)
    with pytest.raises(mobility.MobilityError, match="correlation"):
        mobility.simulate(10, 0.5, correlation="kendall")
    with pytest.raises(TypeError):
        mobility.simulate(10.5, 0.5)


def test_gil_released_in_threads():
    from concurrent.futures import ThreadPoolExecutor

    s = mobility.simulate(200_000, 0.5, seed=2)
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda _: mobility.transition_matrix(s["parent"], s["child"]), range(4)))
    assert all(r == results[0] for r in results)


def test_version():
    assert mobility.__version__ == "0.1.0"


def test_cutoffs_take_array_likes():
    c = mobility.Cutoffs.quantiles([1, 2, 3, 4, 5, 6], k=3)
    assert c.k == 3 and c.source == "midrank"
    np.testing.assert_array_equal(c.classify([1, 2, 3, 4, 5, 6]), [1, 1, 2, 2, 3, 3])
    assert c.class_of(3.5) == 2
    w = mobility.Cutoffs.quantiles(pd.Series([1.0, 2.0, 3.0, 4.0]), weights=[3, 1, 1, 1], k=2)
    assert w.classify(np.array([1, 2], dtype=np.int32)).tolist() == [1, 2]
    assert "Cutoffs(k=3" in repr(c)
    f = mobility.Cutoffs.fixed([10.0, 20.0], closed="right")
    assert f.inclusive == [True, True] and f.values.tolist() == [10.0, 20.0]
