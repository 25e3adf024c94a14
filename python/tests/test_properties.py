"""Property tests (hypothesis, bounded examples) for the invariants of issue 9: no NaN from valid
input, weights are relative (scale-free, bit for bit), row order never matters for exact sums,
JSON round-trips and malformed JSON raises MobilityError, and sizes from input are bounded."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mobility

SETTINGS = settings(max_examples=40, deadline=None)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
# weights with few mantissa bits, so 2**m * w is exact at every scale used below
coarse_weight = st.integers(min_value=1, max_value=64).map(float)


@st.composite
def pairs(draw, weighted=True):
    n = draw(st.integers(min_value=4, max_value=60))
    parent = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    child = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    w = np.array(draw(st.lists(coarse_weight, min_size=n, max_size=n))) if weighted else None
    k = draw(st.integers(min_value=2, max_value=6))
    return parent, child, w, k


def _matrix(parent, child, w, k):
    return mobility.transition_matrix(parent, child, quantiles=k, weights=w)


@SETTINGS
@given(pairs())
def test_valid_input_gives_finite_probabilities_and_a_json_round_trip(case):
    parent, child, w, k = case
    tm = _matrix(parent, child, w, k)
    p = np.asarray(tm.probabilities)
    assert np.isfinite(p).all() and (p >= 0).all()
    assert np.isfinite(np.asarray(tm.parent_shares)).all()
    back = mobility.TransitionMatrix.from_json(tm.to_json())
    assert np.array_equal(np.asarray(back.probabilities), p)
    assert "NaN" not in tm.to_json()


@SETTINGS
@given(pairs(), st.sampled_from([-1070, -600, -1, 3, 500, 1010]))
def test_weights_are_relative_bit_for_bit(case, m):
    parent, child, w, k = case
    scaled = np.ldexp(w, m)
    assert np.array_equal(np.ldexp(scaled, -m), w)  # exact at this scale
    a, b = _matrix(parent, child, w, k), _matrix(parent, child, scaled, k)
    assert np.array_equal(np.asarray(a.probabilities), np.asarray(b.probabilities))
    assert np.array_equal(np.asarray(a.parent_shares), np.asarray(b.parent_shares))
    if np.unique(parent).size > 1:
        ra = mobility.rank_mobility(parent, child, weights=w)
        rb = mobility.rank_mobility(parent, child, weights=scaled)
        assert ra.rank_rank_slope == rb.rank_rank_slope
        assert ra.spearman == rb.spearman
        assert ra.kendall_tau_b == rb.kendall_tau_b


@SETTINGS
@given(pairs(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter_with_whole_number_weights(case, rnd):
    parent, child, w, k = case
    order = list(range(len(parent)))
    rnd.shuffle(order)
    a = _matrix(parent, child, w, k)
    b = _matrix(parent[order], child[order], w[order], k)
    assert np.array_equal(np.asarray(a.probabilities), np.asarray(b.probabilities))
    assert np.array_equal(np.asarray(a.counts), np.asarray(b.counts))


def test_overflowing_weights_give_finite_results():
    tm = _matrix(np.array([1.0, 2, 3, 4]), np.array([1.0, 2, 4, 3]), np.array([1e308, 1e308, 1, 1]), 2)
    assert np.isfinite(np.asarray(tm.probabilities)).all()
    assert "null" not in tm.to_json()


@SETTINGS
@given(st.text(max_size=200))
def test_malformed_json_raises_mobility_error(text):
    for cls in (mobility.TransitionMatrix, mobility._mobility.BootstrapResult):
        try:
            cls.from_json(text)
        except mobility.MobilityError:
            pass


def test_deeply_nested_json_raises_mobility_error():
    with pytest.raises(mobility.MobilityError):
        mobility.TransitionMatrix.from_json("[" * 100_000)


def test_tampered_matrix_json_is_refused():
    tm = _matrix(np.arange(20.0), np.arange(20.0)[::-1], None, 2)
    raw = json.loads(tm.to_json())
    raw["probabilities"][0] = [-0.5, 1.5]
    with pytest.raises(mobility.MobilityError):
        mobility.TransitionMatrix.from_json(json.dumps(raw))


@pytest.mark.parametrize(
    "call",
    [
        lambda: mobility.class_labels(10**10),
        lambda: mobility.gaussian_copula_matrix(0.5, 10**6),
        lambda: mobility.simulate(10**12, 0.5),
        lambda: _matrix(np.arange(50.0), np.arange(50.0), None, 2).bootstrap(10**9),
        lambda: mobility._mobility.altham_bootstrap(
            np.array([[6.0, 4.0], [3.0, 7.0]]), np.array([[5.0, 5.0], [5.0, 5.0]]), 10**10
        ),
    ],
)
def test_sizes_from_input_are_bounded(call):
    with pytest.raises(mobility.MobilityError, match="supported|more than"):
        call()
