"""Rank and income measures, decomposition and levelling through Python (issue 5)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import polars as pl
import pytest

import mobility
from mobility import MobilityError, TransitionMatrix
from conftest import lognormal_pairs

CONTRACT = {
    "rank_rank_slope", "rank_rank_intercept", "absolute_upward_mobility", "spearman",
    "kendall_tau_b", "share_child_rank_above_parent",
}


def midranks(x, w=None):
    """Weighted mid-ranks by brute force: (W(x < x_i) + W(x = x_i)/2) / W."""
    x = np.asarray(x, dtype=float)
    w = np.ones_like(x) if w is None else np.asarray(w, dtype=float)
    below = np.array([w[x < v].sum() for v in x])
    equal = np.array([w[x == v].sum() for v in x])
    return (below + equal / 2) / w.sum()


def tau_b_brute(x, y, w=None):
    """Kendall's tau-b over all pairs, weights w_i w_j (O(n^2))."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    w = np.ones_like(x) if w is None else np.asarray(w, float)
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    ww = w[:, None] * w[None, :]
    upper = np.triu(np.ones_like(ww, dtype=bool), 1)
    s = (ww * dx * dy)[upper].sum()
    tx = (ww * (dx != 0))[upper].sum()
    ty = (ww * (dy != 0))[upper].sum()
    return s / math.sqrt(tx * ty)


def weighted_slope(x, y, w):
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    return np.sum(w * (x - mx) * (y - my)) / np.sum(w * (x - mx) ** 2), mx, my


def test_closed_forms_without_ties():
    p, c = lognormal_pairs(500, rho=0.4, seed=3)
    m = mobility.rank_mobility(p, c)
    assert CONTRACT <= set(m.to_dict())
    n = p.size
    rp, rc = midranks(p), midranks(c)
    d = np.argsort(np.argsort(p)) - np.argsort(np.argsort(c))
    rho = 1 - 6 * np.sum(d.astype(float) ** 2) / (n * (n**2 - 1))
    # no ties, unit weights: slope = Spearman's rho = the textbook formula
    assert m.rank_rank_slope == pytest.approx(rho, abs=1e-12)
    assert m.spearman == pytest.approx(rho, abs=1e-12)
    # mid-ranks average 1/2: intercept = 50 (1 - slope); AUM = intercept + 25 slope
    assert m.rank_rank_intercept == pytest.approx(50 * (1 - m.rank_rank_slope), abs=1e-9)
    assert m.absolute_upward_mobility == pytest.approx(
        m.rank_rank_intercept + 25 * m.rank_rank_slope, abs=1e-12
    )
    assert m.expected_child_rank(25) == pytest.approx(m.absolute_upward_mobility, abs=1e-12)
    assert m.expected_child_rank(np.array([0.0, 100.0])) == pytest.approx(
        [m.rank_rank_intercept, m.rank_rank_intercept + 100 * m.rank_rank_slope]
    )
    assert m.kendall_tau_b == pytest.approx(tau_b_brute(p, c), abs=1e-12)
    assert m.share_child_rank_above_parent == pytest.approx(np.mean(rc > rp), abs=1e-15)
    assert m.absolute_mobility == pytest.approx(np.mean(c > p), abs=1e-15)
    beta = np.polyfit(np.log(p), np.log(c), 1)[0]
    assert m.ige == pytest.approx(beta, abs=1e-10) and m.ige_dropped == 0
    assert m.n == n and m.total_weight == n and m.rank_basis == "local"


def test_closed_forms_with_ties_and_weights():
    rng = np.random.default_rng(5)
    p = rng.integers(0, 12, 300).astype(float)
    c = rng.integers(0, 9, 300).astype(float)
    w = rng.uniform(0.2, 3.0, 300)
    m = mobility.rank_mobility(p, c, weights=w)
    rp, rc = midranks(p, w), midranks(c, w)
    slope, mx, my = weighted_slope(rp, rc, w)
    assert m.rank_rank_slope == pytest.approx(slope, abs=1e-12)
    assert m.rank_rank_intercept == pytest.approx(100 * (my - slope * mx), abs=1e-9)
    assert m.kendall_tau_b == pytest.approx(tau_b_brute(p, c, w), abs=1e-12)
    assert m.share_child_rank_above_parent == pytest.approx(np.sum(w * (rc > rp)) / w.sum())
    assert m.share_child_rank_equal_parent == pytest.approx(np.sum(w * (rc == rp)) / w.sum())
    assert m.absolute_mobility == pytest.approx(np.sum(w * (c > p)) / w.sum())
    assert m.absolute_mobility_at_least == pytest.approx(np.sum(w * (c >= p)) / w.sum())
    # zeros are dropped from the IGE and counted
    assert m.ige_dropped == int(np.sum((p <= 0) | (c <= 0)))
    # frequency weights: weight 2 is the pair listed twice
    p2, c2 = lognormal_pairs(200, seed=6)
    twice = mobility.rank_mobility(np.r_[p2, p2], np.r_[c2, c2])
    weighted = mobility.rank_mobility(p2, c2, weights=np.full(200, 2.0))
    for key in CONTRACT:
        assert getattr(weighted, key) == pytest.approx(getattr(twice, key), abs=1e-12)


def test_separate_functions():
    assert mobility.kendall_tau_b([1, 1, 2, 3], [1, 2, 3, 3]) == pytest.approx(0.8, abs=1e-12)
    assert mobility.kendall_tau_b([1, 2, 3], [5, 5, 5]) is None
    r = mobility.ige([1, 4, 16, 0], [1, 2, 4, 3])
    assert r.elasticity == pytest.approx(0.5, abs=1e-12) and (r.used, r.dropped) == (3, 1)
    am = mobility.absolute_mobility([1, 2, 3, 4], [2, 2, 1, 5])
    assert am.to_dict() == {"greater": 0.5, "greater_or_equal": 0.75}
    assert am["greater"] == 0.5
    m = mobility.rank_mobility([10, 20, 30, 40, 50], [12, 35, 25, 60, 45])
    assert (m.rank_rank_slope, m.kendall_tau_b, m.absolute_mobility) == pytest.approx((0.8, 0.6, 0.6))


def test_national_ranks():
    p, c = lognormal_pairs(1_000, seed=7)
    rp, rc = mobility.fractional_ranks(p), mobility.fractional_ranks(c)
    place = slice(0, 300)
    m = mobility.rank_mobility_national(p[place], c[place], rp[place], rc[place])
    assert m.rank_basis == "national"
    slope, mx, my = weighted_slope(rp[place], rc[place], np.ones(300))
    assert m.rank_rank_slope == pytest.approx(slope, abs=1e-12)
    # Spearman and Kendall stay within the group
    assert m.kendall_tau_b == pytest.approx(mobility.kendall_tau_b(p[place], c[place]))


def test_call_forms_and_inputs():
    p, c = lognormal_pairs(400, seed=8)
    w = np.linspace(0.5, 1.5, 400)
    ref = mobility.rank_mobility(p, c, weights=w)
    df = pd.DataFrame({"a": p, "b": c, "w": w})
    assert mobility.rank_mobility(df, parent="a", child="b", weights="w") == ref
    assert mobility.rank_mobility(pl.DataFrame(df), parent="a", child="b", weights="w") == ref
    assert mobility.rank_mobility(list(p), list(c), list(w)) == ref
    assert mobility.rank_mobility(parent=p, child=c, weights=w) == ref
    assert mobility.kendall_tau_b(df, x="a", y="b") == mobility.kendall_tau_b(p, c)
    assert mobility.ige(df, parent="a", child="b") == mobility.ige(p, c)
    assert mobility.absolute_mobility(df, parent="a", child="b") == mobility.absolute_mobility(p, c)
    # the matrix's own pairs
    tm = mobility.transition_matrix(df, parent="a", child="b", weights="w")
    assert tm.rank_mobility() == ref
    # missing values: an error, or dropped and counted
    gappy = df.copy()
    gappy.loc[[4, 9], "b"] = np.nan
    with pytest.raises(MobilityError, match="2 rows with missing values.*dropna=True"):
        mobility.rank_mobility(gappy, parent="a", child="b")
    dropped = mobility.rank_mobility(gappy, parent="a", child="b", dropna=True)
    assert dropped.n_dropped == 2 and dropped.n == 398
    assert "n_dropped" not in dropped.to_dict()
    # results pickle and compare by value
    assert pickle.loads(pickle.dumps(ref)) == ref
    assert "rank_rank_slope=" in repr(ref)
    frame = ref.to_frame()
    assert list(frame.columns) == ["measure", "value", "description"]
    assert frame.set_index("measure").loc["kendall_tau_b", "value"] == ref.kendall_tau_b


def test_rank_errors():
    with pytest.raises(MobilityError, match="rank-rank slope is undefined: every parent has the same status"):
        mobility.rank_mobility([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(MobilityError, match="expected 3 values, found 2"):
        mobility.rank_mobility([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(MobilityError, match="negative"):
        mobility.rank_mobility([1.0, 2.0], [2.0, 1.0], weights=[1.0, -1.0])
    with pytest.raises(MobilityError, match="index 1 is inf"):
        mobility.ige([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(TypeError, match="column names need a DataFrame"):
        mobility.rank_mobility([1.0, 2.0], "child")
    with pytest.raises(TypeError, match="needs the child status"):
        mobility.rank_mobility([1.0, 2.0])
    with pytest.raises(mobility.ColumnNotFoundError, match="child column 'x'"):
        mobility.rank_mobility(pd.DataFrame({"a": [1.0, 2.0]}), parent="a", child="x")
    m = mobility.rank_mobility([1.0, 2.0, 3.0], [2.0, 1.0, 3.0])
    with pytest.raises(MobilityError, match="between 0 and 100"):
        m.expected_child_rank(101)
    with pytest.raises(MobilityError, match="between 0 and 100"):
        m.expected_child_rank([10, np.nan])
    with pytest.raises(MobilityError, match="national parent ranks"):
        mobility.rank_mobility_national([1.0, 2.0], [2.0, 1.0], [0.2, 1.5], [0.5, 0.5])


# ------------------------------------------------------------------------------ decomposition


def test_decompose_closed_forms():
    # half the bottom-class parents' children moved up, nobody moved down
    tm = TransitionMatrix.from_counts([[25, 25], [0, 50]])
    d = tm.decompose()
    assert (d.total, d.structural, d.exchange) == (0.25, 0.25, 0.0)
    assert d.to_dict() == {"total": 0.25, "structural": 0.25, "exchange": 0.0}
    assert d["total"] == 0.25
    lev = tm.levelling()
    assert lev.levelling_up == 0.25 and lev.mean_fall_classes is None
    assert lev.parent_shares.tolist() == [0.5, 0.5] and lev.child_shares.tolist() == [0.25, 0.75]
    assert lev.top_access.middle_class == 1
    assert lev.decomposition == d
    assert pickle.loads(pickle.dumps(lev)) == lev
    assert lev.to_dict()["top_access"]["bottom_to_top"] == 0.5
    # two classes have no middle: no bottom-versus-middle comparison
    assert lev.top_access.middle_to_top is None and lev.top_access.ratio is None
    # a pure swap: every move is exchange
    swap = TransitionMatrix.from_counts([[0, 10], [10, 0]]).decompose()
    assert (swap.total, swap.structural, swap.exchange) == (1.0, 0.0, 1.0)


@pytest.mark.parametrize("k", [2, 4, 5, 10])
def test_same_population_classes_are_all_exchange(k):
    p, c = lognormal_pairs(3_000, seed=k)
    tm = mobility.transition_matrix(p, c, quantiles=k)
    d = tm.decompose()
    assert d.structural == pytest.approx(0.0, abs=1e-12)
    assert d.total == pytest.approx(1 - tm.measures()["immobility_ratio"], abs=1e-12)
    assert d.exchange == pytest.approx(d.total, abs=1e-12)
    assert tm.levelling().levelling_up == pytest.approx(0.0, abs=1e-12)


def test_place_against_national_cutoffs_levels_up():
    # a place whose children all earn 20% more: against national cut-offs it levels up
    p, c = lognormal_pairs(4_000, seed=14)
    place_p, place_c = p[:1_000], c[:1_000] * 1.2
    tm = mobility.transition_matrix(place_p, place_c, reference=(p, c))
    d, lev = tm.decompose(), tm.levelling()
    assert d.structural > 0.02 and lev.levelling_up > 0
    assert d.structural == pytest.approx(
        0.5 * np.abs(tm.parent_shares - tm.child_shares).sum(), abs=1e-12
    )
    assert lev.mean_child_class - lev.mean_parent_class == pytest.approx(lev.levelling_up)


@pytest.mark.validation
def test_chetty_national_rank_rank_slope(shared_data):
    """Chetty, Hendren, Kline & Saez (2014), QJE 129(4), Table I: national rank-rank slope
    0.341. Online Data Table 1 as weighted pairs (parent centile, child bin, P(bin | centile) /
    100) gives 0.3406; the tolerance is the published rounding."""
    table = pd.read_csv(
        shared_data / "chetty2014_national" / "table1_child_bin_given_parent_centile.csv"
    )
    pairs = table.melt(id_vars="kid_fam_bin", var_name="parent", value_name="p")
    pairs["parent"] = pairs["parent"].str.removeprefix("par_frac_bin_").astype(float)
    pairs["weight"] = pairs["p"] / 100
    m = mobility.rank_mobility(pairs, parent="parent", child="kid_fam_bin", weights="weight")
    assert abs(m.rank_rank_slope - 0.341) <= 0.0005
    assert m.rank_rank_intercept == pytest.approx(50 * (1 - m.rank_rank_slope), abs=1e-3)
    assert m.total_weight == pytest.approx(1.0, abs=1e-5)
