"""Ranking places: rank confidence sets, tau-best/worst, shrinkage, rank-rank regression SEs
(the interface contract of issue 11)."""

import pickle

import numpy as np
import pytest

import mobility
from mobility import MobilityError


def test_rank_sets_contract():
    cs = mobility.rank_confidence_sets([10.0, 5.0, 4.9, 0.0], [0.1] * 4, draws=2000)
    assert isinstance(cs.rank, np.ndarray) and isinstance(cs.lower, np.ndarray)
    assert cs.rank.tolist() == [1, 2, 3, 4]
    assert cs.lower.tolist() == [1, 2, 2, 4]
    assert cs.upper.tolist() == [1, 3, 3, 4]
    rev = mobility.rank_confidence_sets([10.0, 5.0, 4.9, 0.0], [0.1] * 4, draws=2000,
                                        largest_first=False)
    assert rev.rank.tolist() == [4, 3, 2, 1]
    assert pickle.loads(pickle.dumps(cs)) == cs


def test_covariance_and_se_vector_agree():
    rng = np.random.default_rng(1)
    se = rng.uniform(0.05, 0.2, 40)
    est = rng.normal(0, 0.2, 40)
    a = mobility.rank_confidence_sets(est, se, seed=3, draws=1000)
    b = mobility.rank_confidence_sets(est, np.diag(se**2), seed=3, draws=1000)
    assert (a.lower == b.lower).all() and (a.upper == b.upper).all()
    assert not a.full_covariance and b.full_covariance
    for kind in ["two-sided", "lower", "upper"]:
        for simultaneous in [True, False]:
            c = mobility.rank_confidence_sets(est, se, kind=kind, simultaneous=simultaneous,
                                              draws=500)
            assert (c.lower <= c.rank).all() and (c.rank <= c.upper).all()
            if kind == "lower":
                assert (c.upper == 40).all()
            if kind == "upper":
                assert (c.lower == 1).all()


def test_tau_best_and_worst():
    est = [10.0, 5.0, 4.9, 0.0]
    assert mobility.tau_best(est, [0.1] * 4, 2, draws=2000).tolist() == [0, 1, 2]
    assert mobility.tau_worst([10.0, 5.0, 0.05, 0.0], [0.1] * 4, 1, draws=2000).tolist() == [2, 3]
    with pytest.raises(MobilityError):
        mobility.tau_best(est, [0.1] * 4, 5)


def test_errors():
    with pytest.raises(MobilityError):
        mobility.rank_confidence_sets([1.0, 2.0], [1.0])
    with pytest.raises(MobilityError):
        mobility.rank_confidence_sets([1.0, 2.0], [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(MobilityError):
        mobility.rank_confidence_sets([1.0, 2.0], [1.0, 1.0], kind="sideways")
    with pytest.raises(MobilityError):
        mobility.rank_confidence_sets([1.0, 2.0], [1.0, 1.0], coverage=1.5)
    with pytest.raises(TypeError):
        mobility.rank_confidence_sets([1.0, 2.0], [1.0, 1.0], seed=1.5)


def test_shrinkage():
    s = mobility.shrink([1.0, -1.0, 3.0, -3.0], [1.0] * 4)
    assert s.signal_variance == pytest.approx(4.0)
    assert s.shrunk[2] == pytest.approx(2.4)
    assert list(s.to_frame().columns) == ["estimate", "se", "reliability", "shrunk", "shrunk_se"]


def test_rank_rank_regression_contract():
    sim = mobility.simulate(3000, rho=0.5, seed=4)
    parent, child = np.asarray(sim["parent"]), np.asarray(sim["child"])
    rr = mobility.rank_rank_regression(parent, child)
    f = rr.to_frame()
    assert list(f.columns) == ["group", "n", "slope", "intercept", "slope_se", "intercept_se",
                               "slope_se_naive", "intercept_se_naive"]
    assert len(f) == 1
    m = mobility.rank_mobility(parent, child)
    assert f.slope[0] == pytest.approx(m.rank_rank_slope, abs=1e-12)
    assert f.intercept[0] == pytest.approx(m.rank_rank_intercept, abs=1e-9)
    assert 0 < f.slope_se[0] < f.slope_se_naive[0]
    # grouped, DataFrame call form, national ranks
    pd = pytest.importorskip("pandas")
    g = np.where(np.arange(3000) % 3 == 0, "north", "south")
    df = pd.DataFrame({"p": parent, "c": child, "g": g})
    rr = mobility.rank_rank_regression(df, parent="p", child="c", by="g")
    f = rr.to_frame()
    assert f.group.tolist() == ["north", "south"]
    assert f.n.tolist() == [1000, 2000]
    assert rr.covariance.shape == (4, 4)
    ranks_p = mobility.fractional_ranks(parent)
    ranks_c = mobility.fractional_ranks(child)
    north = g == "north"
    m = mobility.rank_mobility_national(parent[north], child[north], ranks_p[north], ranks_c[north])
    assert f.slope[0] == pytest.approx(m.rank_rank_slope, abs=1e-10)
    assert np.sqrt(rr.covariance[1, 1]) == pytest.approx(f.slope_se[0])


def test_plot_ranks():
    plt = pytest.importorskip("matplotlib.pyplot")
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(2)
    est = rng.normal(size=30)
    names = [f"place {i}" for i in range(30)]
    ax = mobility.plot_ranks(est, np.full(30, 0.3), names=names, highlight=["place 3"],
                             draws=500)
    assert ax.get_ylabel().startswith("rank")
    assert any(t.get_text() == "place 3" for t in ax.texts)
    plt.close("all")


def test_rank_places_frame_and_plot():
    import pandas as pd

    rng = np.random.default_rng(5)
    n = 4000
    place = rng.integers(0, 8, n)
    place[:40] = 8  # a tiny place
    parent = rng.lognormal(10, 0.7, n)
    child = parent ** 0.4 * rng.lognormal(6, 0.5, n) * np.where(place == 1, 2.5, 1.0)
    df = pd.DataFrame({"p": parent, "c": child, "g": [f"town{i}" for i in place]})
    frame = mobility.rank_places(
        df, parent="p", child="c", by="g", measure="absolute_upward_mobility",
        bootstrap=100, min_size=100, tau=2, seed=1,
    )
    assert list(frame.columns) == list(mobility.ranking.PLACE_RANK_COLUMNS)
    assert len(frame) == 8
    assert frame.attrs["excluded"][0]["place"] == "town8"
    top = frame.iloc[0]
    assert top["place"] == "town1" and top["rank"] == 1 and top["lower"] == 1
    assert (frame["lower"] <= frame["rank"]).all() and (frame["rank"] <= frame["upper"]).all()
    assert (frame["se"] > 0).all()
    cov = np.asarray(frame.attrs["covariance"])
    assert cov.shape == (9, 9)
    assert np.allclose(np.diag(cov)[:8] ** 0.5, frame.sort_values("place")["se"].to_numpy()[:8])
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = mobility.plot_ranks(frame, highlight=["town1"])
    assert ax.get_ylabel().startswith("rank")
    with pytest.raises(mobility.MobilityError):
        mobility.rank_places(df, parent="p", child="c", by="g", measure="nope")


def test_rank_places_resamples_whole_clusters():
    import pandas as pd

    rng = np.random.default_rng(8)
    n = 3000
    place = rng.integers(0, 5, n)
    parent = rng.lognormal(10, 0.7, n)
    child = parent ** 0.4 * rng.lognormal(6, 0.5, n)
    family = [f"f{i // 3}" for i in range(n)]
    df = pd.DataFrame({"p": parent, "c": child, "g": [f"town{i}" for i in place], "fam": family})
    common = dict(parent="p", child="c", by="g", bootstrap=60, tau=0, seed=3)
    by_column = mobility.rank_places(df, cluster="fam", **common)
    by_array = mobility.rank_places(df, cluster=np.array(family), **common)
    units = mobility.rank_places(df, **common)
    pd.testing.assert_frame_equal(by_column, by_array)
    assert not np.allclose(by_column.sort_values("place")["se"], units.sort_values("place")["se"])
    # the ids in the same sorted order (any spelling): the same draws
    codes = 5 * pd.factorize(pd.Series(family), sort=True)[0] + 2
    pd.testing.assert_frame_equal(by_column, mobility.rank_places(df, cluster=codes, **common))
    with pytest.warns(mobility.MobilityWarning, match="only 10 clusters"):
        mobility.rank_places(df, cluster=np.arange(n) % 10, **common)
    with pytest.raises(MobilityError, match="missing"):
        mobility.rank_places(df, cluster=[None] + family[1:], **common)


def test_rank_places_progress_counts_the_replicates_and_keeps_the_result():
    rng = np.random.default_rng(9)
    n = 3000
    place = [f"town{i}" for i in rng.integers(0, 6, n)]
    parent = rng.lognormal(10, 0.7, n)
    child = parent ** 0.4 * rng.lognormal(6, 0.5, n)
    seen = []
    common = dict(by=place, bootstrap=40, seed=2, tau=2, as_frame=False)
    with_progress = mobility.rank_places(
        parent, child, progress=lambda done, total: seen.append((done, total)), **common
    )
    assert with_progress == mobility.rank_places(parent, child, **common)
    assert seen[-1] == (40, 40)
