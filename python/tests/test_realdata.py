"""Issue 13 from Python: the split rule, tie-span and empty-class warnings, frequency weights,
and panels (pooled counts cross-checked against PySAL giddy's Markov)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import mobility

from conftest import lognormal_pairs


def zero_inflated(n: int = 1000, seed: int = 3):
    rng = np.random.default_rng(seed)
    p = np.where(np.arange(n) < int(0.488 * n), 0.0, rng.lognormal(10, 0.7, n))
    c = np.where(rng.random(n) < 0.1, 0.0, rng.lognormal(10, 0.7, n))
    return p, c


def test_split_rule_fills_every_class():
    p, c = zero_inflated()
    with pytest.warns(mobility.MobilityWarning, match="consider the split rule"):
        mid = mobility.transition_matrix(p, c, quantiles=5)
    assert mid.measures()["bottom_persistence"] is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tm = mobility.transition_matrix(p, c, quantiles=5, rule="split")
    # the zeros are still reported (with their shares), but no class is empty
    messages = [str(w.message) for w in caught if issubclass(w.category, mobility.MobilityWarning)]
    assert any("shares them: Q1 41.0%, Q2 41.0%, Q3 18.0%" in m for m in messages), messages
    assert not any("empty" in m for m in messages)
    np.testing.assert_allclose(tm.parent_shares, 0.2, atol=1e-14)
    np.testing.assert_allclose(tm.child_shares, 0.2, atol=1e-14)
    assert tm.measures()["bottom_persistence"] is not None
    assert "split" in mobility.RULES
    # bootstrap and analytic standard errors
    b = tm.bootstrap(200, seed=1, statistics="measures")
    assert b.get("bottom_persistence")["se"] > 0
    se = tm.standard_errors(method="copula", statistics="measures")
    assert se.to_frame().set_index("statistic").loc["bottom_persistence", "se"] > 0


def test_split_equals_midrank_without_straddling_ties():
    p, c = lognormal_pairs(1000, seed=5)
    a = mobility.transition_matrix(p, c, quantiles=5, rule="split")
    b = mobility.transition_matrix(p, c, quantiles=5)
    np.testing.assert_array_equal(a.counts, b.counts)


def test_empty_classes_warn():
    # three values only, deciles: several classes must be empty
    p = np.repeat([1.0, 2.0, 3.0], 100)
    c = np.tile([1.0, 2.0, 3.0], 100)
    with pytest.warns(mobility.MobilityWarning, match="empty parent class"):
        mobility.transition_matrix(p, c, quantiles=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mobility.transition_matrix(p, c, quantiles=10, warn=False)


def test_frequency_weights_resample_the_units():
    # 60 records standing for 6,000 people: frequency SEs are about sqrt(100) smaller
    rng = np.random.default_rng(2)
    p = rng.normal(size=60)
    c = 0.5 * p + rng.normal(size=60)
    w = np.full(60, 100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mobility.MobilityWarning)
        fr = mobility.transition_matrix(p, c, quantiles=4, weights=w, weights_kind="frequency")
        sa = mobility.transition_matrix(p, c, quantiles=4, weights=w)
    bf = fr.bootstrap(300, seed=1, statistics="measures")
    bs = sa.bootstrap(300, seed=1, statistics="measures")
    assert bf.settings["weight_kind"] == "frequency"
    assert bs.settings["weight_kind"] == "sampling"
    ratio = bs.get("shorrocks_trace")["se"] / bf.get("shorrocks_trace")["se"]
    assert 5 < ratio < 20, ratio
    # analytic: frequency uses the weighted row counts, sampling Kish's (here 15 per row)
    af = fr.standard_errors(method="multinomial", statistics=["p_1_1"]).to_frame()
    as_ = sa.standard_errors(method="multinomial", statistics=["p_1_1"]).to_frame()
    assert as_["se"].iloc[0] / af["se"].iloc[0] == pytest.approx(10.0, rel=1e-9)
    with pytest.raises(mobility.MobilityError, match="weights_kind"):
        mobility.transition_matrix(p, c, weights=w, weights_kind="design")


def test_panel_pools_like_giddy_markov():
    giddy_markov = pytest.importorskip("giddy.markov")
    mapclassify = pytest.importorskip("mapclassify")
    rng = np.random.default_rng(11)
    t = 6
    y = np.cumsum(rng.normal(size=(300, t)), axis=1) + rng.normal(size=(300, 1)) * 3
    panel = mobility.panel_transition_matrix(None, y, quantiles=5, rule="giddy")
    yb = np.column_stack([mapclassify.Quantiles(y[:, j], k=5).yb for j in range(t)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = giddy_markov.Markov(yb, classes=np.arange(5), summary=False)
    np.testing.assert_array_equal(panel.pooled.counts, np.asarray(m.transitions, dtype=float))
    assert len(panel.transitions) == t - 1
    h = panel.time_homogeneity
    assert h["likelihood_ratio"]["df"] > 0 and 0 <= h["likelihood_ratio"]["p_value"] <= 1
    # a DataFrame with period columns gives the same
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({f"t{j}": y[:, j] for j in range(t)})
    again = mobility.panel_transition_matrix(df, periods=list(df.columns), quantiles=5, rule="giddy")
    np.testing.assert_array_equal(again.pooled.counts, panel.pooled.counts)
    assert again.report()["periods"] == list(df.columns)
    assert "Panel(6 periods" in repr(again)


@pytest.mark.validation
def test_zero_inflated_panel_with_split(shared_data):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(shared_data / "mobilityindexr" / "incomeZeroInfMobility.csv")
    with pytest.warns(mobility.MobilityWarning, match="61 rows"):
        mobility.transition_matrix(df, parent="t0", child="t9", quantiles=5)
    tm = mobility.transition_matrix(df, parent="t0", child="t9", quantiles=5, rule="split",
                                    warn=False)
    np.testing.assert_allclose(tm.parent_shares, 0.2, atol=1e-14)
    assert tm.measures()["bottom_persistence"] == pytest.approx(0.2295, abs=5e-5)


@pytest.mark.validation
def test_pearson_lee_frequency_weights(shared_data):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(shared_data / "rdatasets" / "pearson_lee.csv")
    fs = df[df.gp == "fs"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mobility.MobilityWarning)
        fr = mobility.transition_matrix(fs, parent="parent", child="child", weights="frequency",
                                        weights_kind="frequency")
        sa = mobility.transition_matrix(fs, parent="parent", child="child", weights="frequency")
    f = fr.bootstrap(1000, seed=1, statistics="measures").get("bottom_persistence")["se"]
    s = sa.bootstrap(1000, seed=1, statistics="measures").get("bottom_persistence")["se"]
    assert f == pytest.approx(0.035, abs=0.005)
    assert s == pytest.approx(0.093, abs=0.01)
