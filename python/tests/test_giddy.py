"""Differential tests against PySAL giddy on the same data (giddy is pip-installable)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import mobility

import giddy.markov  # noqa: E402
import giddy.mobility  # noqa: E402
import mapclassify  # noqa: E402

from conftest import lognormal_pairs  # noqa: E402


def giddy_counts(parent: np.ndarray, child: np.ndarray, k: int) -> np.ndarray:
    """giddy's way: mapclassify Quantiles classes of each column, then Markov counts."""
    yb = np.column_stack(
        [mapclassify.Quantiles(parent, k=k).yb, mapclassify.Quantiles(child, k=k).yb]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = giddy.markov.Markov(yb, classes=np.arange(k), summary=False)
    return np.asarray(m.transitions, dtype=float), m


@pytest.mark.parametrize("k,n,seed", [(5, 2_000, 1), (10, 5_000, 2), (4, 48, 3), (5, 333, 4)])
def test_giddy_rule_reproduces_giddy_counts(k, n, seed):
    p, c = lognormal_pairs(n, rho=0.6, seed=seed)
    counts, _ = giddy_counts(p, c, k)
    tm = mobility.transition_matrix(p, c, quantiles=k, rule="giddy")
    np.testing.assert_array_equal(tm.counts, counts)


def test_giddy_rule_with_ties():
    rng = np.random.default_rng(9)
    p = rng.integers(0, 40, 1_000).astype(float)  # heavy ties, every cut point distinct
    c = np.round(p + rng.normal(0, 10, 1_000))
    counts, _ = giddy_counts(p, c, 5)
    tm = mobility.transition_matrix(p, c, quantiles=5, rule="giddy")
    np.testing.assert_array_equal(tm.counts, counts)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_measures_agree_with_giddy(seed):
    p, c = lognormal_pairs(3_000, rho=0.5, seed=seed)
    counts, gm = giddy_counts(p, c, 5)
    tm = mobility.TransitionMatrix.from_counts(counts)
    P = np.asarray(gm.p)
    np.testing.assert_allclose(tm.probabilities, P, atol=1e-15)
    ours = tm.measures(pi="uniform")
    gmm = giddy.mobility.markov_mobility
    assert ours["shorrocks_trace"] == pytest.approx(gmm(P, measure="P"), abs=1e-12)
    assert ours["determinant_giddy"] == pytest.approx(gmm(P, measure="D"), abs=1e-12)
    assert ours["second_eigenvalue"] == pytest.approx(gmm(P, measure="L2"), abs=1e-10)
    assert ours["bartholomew"] == pytest.approx(gmm(P, measure="B2"), abs=1e-12)
    ini = tm.parent_shares
    assert mobility.giddy_b1(P, ini) == pytest.approx(gmm(P, measure="B1", ini=ini), abs=1e-12)
    assert tm.measures()["bartholomew"] == pytest.approx(gmm(P, measure="B2", ini=ini), abs=1e-12)
    # steady state and sojourn times
    np.testing.assert_allclose(tm.steady_state, np.asarray(gm.steady_state).ravel(), atol=1e-10)
    np.testing.assert_allclose(
        tm.class_profile()["expected_stay"], np.asarray(gm.sojourn_time).ravel(), rtol=1e-12
    )
    np.testing.assert_allclose(
        mobility.mean_first_passage_times(P), np.asarray(gm.mfpt), rtol=1e-9
    )


def _random_tied_arrays(count: int, seed: int):
    """Small arrays with heavy ties: n in 2..40, values from small integer ranges, k in 2..10."""
    rng = np.random.default_rng(seed)
    for t in range(count):
        n = int(rng.integers(2, 41))
        k = int(rng.integers(2, 11))
        y = rng.integers(0, int(rng.integers(1, 13)) + 1, n).astype(float)
        if t % 3 == 1:
            y = y / 7.0  # values that are not whole numbers
        elif t % 3 == 2:
            y = y * 0.1 - 0.3
        yield y, k


def test_giddy_cuts_match_mapclassify_bit_for_bit_on_random_tied_arrays():
    """3000 random tied arrays: the giddy cuts are mapclassify's bins and the classes its yb.

    mapclassify's bins are the distinct values of its k percentiles (the last is max(y)); where
    cuts coincide it shrinks k, while mobility keeps k classes. So mapclassify's label of a value
    in our class c is the number of distinct values among our first c - 1 cuts.
    """
    mismatches = []
    for y, k in _random_tied_arrays(3000, seed=20240611):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mc = mapclassify.Quantiles(y, k=k)
        cuts = mobility.Cutoffs.quantiles(y, None, k, "giddy")
        ours = np.asarray(cuts.values)
        bins = np.unique(np.append(ours, y.max()))
        same_bins = bins.shape == mc.bins.shape and np.array_equal(
            bins.view(np.int64), np.asarray(mc.bins, dtype=float).view(np.int64)
        )
        classes = np.asarray(cuts.classify(y))
        label = np.array([len(np.unique(ours[: c - 1])) for c in range(1, k + 1)])
        same_classes = np.array_equal(label[classes - 1], np.asarray(mc.yb))
        if not (same_bins and same_classes):
            mismatches.append((y.tolist(), k, ours.tolist(), mc.bins.tolist()))
    assert mismatches == [], f"{len(mismatches)} of 3000 differ, first: {mismatches[:3]}"


def test_giddy_cut_below_five_for_sixteen_values_nine_classes():
    y = np.arange(16.0)
    mc = mapclassify.Quantiles(y, k=9)
    cuts = mobility.Cutoffs.quantiles(y, None, 9, "giddy")
    assert cuts.values[2] == mc.bins[2] == 4.999999999999999
    np.testing.assert_array_equal(cuts.classify(y) - 1, mc.yb)
