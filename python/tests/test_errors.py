"""Every error path: MobilityError (a ValueError) with the core's message, TypeError for types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mobility
from mobility import MobilityError, TransitionMatrix

P = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
C = np.array([2.0, 1.0, 4.0, 3.0, 6.0, 5.0])


def test_error_class():
    assert issubclass(MobilityError, ValueError)
    assert MobilityError.__module__ == "mobility"
    with pytest.raises(MobilityError) as info:
        mobility.transition_matrix(P, C[:5], quantiles=2)
    assert info.value.kind == "LengthMismatch"
    assert info.value.details == {"what": "child status", "expected": 6, "found": 5}
    assert str(info.value) == "child status: expected 6 values, found 5"


def test_nan_and_inf():
    p = P.copy()
    p[3] = np.nan
    with pytest.raises(MobilityError, match="1 row with missing values .*first at row 3.*dropna=True"):
        mobility.transition_matrix(p, C, quantiles=2)
    p[3] = np.inf
    with pytest.raises(MobilityError, match="parent status at index 3 is inf"):
        mobility.transition_matrix(p, C, quantiles=2)
    with pytest.raises(MobilityError, match="index 3 is inf"):
        mobility.transition_matrix(p, C, quantiles=2, dropna=True)  # inf is not missing


def test_weights():
    with pytest.raises(MobilityError, match="weight at index 2 is negative"):
        mobility.transition_matrix(P, C, quantiles=2, weights=[1, 1, -1, 1, 1, 1])
    with pytest.raises(MobilityError, match="total weight is zero"):
        mobility.transition_matrix(P, C, quantiles=2, weights=np.zeros(6))
    with pytest.raises(MobilityError, match="weights: expected 6 values, found 2"):
        mobility.transition_matrix(P, C, quantiles=2, weights=[1, 1])
    with pytest.raises(MobilityError, match="midrank"):
        mobility.transition_matrix(P, C, quantiles=2, weights=np.ones(6), rule="giddy")


def test_lengths_and_empty():
    with pytest.raises(MobilityError, match="expected 6 values, found 5"):
        mobility.transition_matrix(P, C[:5])
    with pytest.raises(MobilityError, match="expected 6 values, found 5"):
        mobility.transition_matrix(P, C[:5], dropna=True)
    with pytest.raises(MobilityError, match="is empty"):
        mobility.transition_matrix([], [])
    with pytest.raises(MobilityError, match="one-dimensional"):
        mobility.transition_matrix(np.ones((3, 2)), np.ones((3, 2)))


@pytest.mark.parametrize("k", [1, 0, -3])
def test_k_below_2(k):
    with pytest.raises(MobilityError, match="at least 2"):
        mobility.transition_matrix(P, C, quantiles=k)
    with pytest.raises(MobilityError, match="at least 2"):
        TransitionMatrix.from_classes([1, 1], [1, 1], k=k)
    with pytest.raises(MobilityError, match="at least 2"):
        mobility.Cutoffs.quantiles(P, k=max(k, 0))


def test_unknown_rule():
    with pytest.raises(MobilityError, match="'median' is not a rule"):
        mobility.transition_matrix(P, C, rule="median")


def test_bad_tables():
    with pytest.raises(MobilityError, match="must be square, got 2 rows and 3 columns"):
        TransitionMatrix.from_counts(np.ones((2, 3)))
    with pytest.raises(MobilityError, match="row 1, column 2 is -1"):
        TransitionMatrix.from_counts([[1, -1], [1, 1]])
    with pytest.raises(MobilityError, match="row 2, column 1 is NaN"):
        TransitionMatrix.from_counts([[1, 1], [np.nan, 1]])
    with pytest.raises(MobilityError, match="total weight is zero"):
        TransitionMatrix.from_counts(np.zeros((3, 3)))
    with pytest.raises(MobilityError, match="at least 2"):
        TransitionMatrix.from_counts([[1.0]])
    with pytest.raises(MobilityError, match="two-dimensional"):
        TransitionMatrix.from_counts([1.0, 2.0])


def test_rows_not_summing_to_one():
    bad = [[0.5, 0.4], [0.5, 0.5]]
    with pytest.raises(MobilityError, match="row 1 of the probability table sums to 0.9"):
        TransitionMatrix.from_probabilities(bad)
    ok = TransitionMatrix.from_probabilities(bad, renormalise=True)
    assert ok.probabilities[0].sum() == pytest.approx(1.0, abs=1e-15)
    assert TransitionMatrix.from_probabilities(bad, tolerance=0.2).k == 2
    with pytest.raises(MobilityError, match="parent shares"):
        TransitionMatrix.from_probabilities(np.eye(2), parent_shares=[0.7, 0.7])
    with pytest.raises(MobilityError, match="parent shares"):
        TransitionMatrix.from_probabilities(np.eye(2), parent_shares=[0.5, 0.3, 0.2])
    with pytest.raises(MobilityError, match="row 2"):
        mobility.shorrocks_trace([[0.5, 0.5], [0.5, 0.4]])
    with pytest.raises(MobilityError, match="row 2"):
        mobility.stationary_distribution([[0.5, 0.5], [0.0, 0.0]])


def test_classes_out_of_range():
    with pytest.raises(MobilityError, match="parent classes at index 1 is class 3, outside 1..=2"):
        TransitionMatrix.from_classes([1, 3], [1, 2], k=2)
    with pytest.raises(MobilityError, match="child classes at index 0 is class -1"):
        TransitionMatrix.from_classes([1, 2], [-1, 2], k=2)
    with pytest.raises(MobilityError, match="child classes at index 0 is class 0"):
        TransitionMatrix.from_classes([1, 2], [0, 2], k=2)
    with pytest.raises(MobilityError, match="not a whole class number"):
        TransitionMatrix.from_classes([1, 2.5], [1, 2], k=2)
    with pytest.raises(MobilityError, match="missing values"):
        TransitionMatrix.from_classes([1, np.nan], [1, 2], k=2)
    assert TransitionMatrix.from_classes([1, np.nan], [1, 2], k=2, dropna=True).n_dropped == 1


def test_pi_errors():
    tm = mobility.published.giddy_us_states()
    with pytest.raises(MobilityError, match="invalid pi"):
        tm.measures(pi="parents-ish")
    with pytest.raises(MobilityError, match="origin weights pi"):
        tm.measures(pi=[0.5, 0.5])
    with pytest.raises(MobilityError, match="sum to 1"):
        tm.measures(pi=[0.5] * 5)
    with pytest.raises(TypeError, match="pi"):
        tm.measures(pi=3)
    reducible = TransitionMatrix.from_probabilities(np.eye(3))
    # no unique stationary distribution: the pi-weighted measures are undefined, the rest reported
    m = reducible.measures(pi="stationary")
    assert m["immobility_ratio"] is None and m["bartholomew"] is None
    assert m["shorrocks_trace"] == 0.0
    with pytest.raises(MobilityError, match="not unique"):
        reducible.origin_weights("stationary")
    assert reducible.steady_state is None


def test_cutoff_errors():
    with pytest.raises(MobilityError, match="strictly increasing"):
        mobility.transition_matrix(P, C, bands=[3, 2])
    with pytest.raises(MobilityError, match="'middle'"):
        mobility.transition_matrix(P, C, bands=[3], closed="middle")
    with pytest.raises(MobilityError, match="at most one"):
        mobility.transition_matrix(P, C, bands=[3], reference=(P, C))
    with pytest.raises(MobilityError, match="disagrees"):
        mobility.transition_matrix(P, C, bands=[3], quantiles=4)
    with pytest.raises(TypeError, match="reference"):
        mobility.transition_matrix(P, C, reference=P)
    with pytest.raises(TypeError, match="cutoffs"):
        mobility.transition_matrix(P, C, cutoffs=[1, 2])
    a = mobility.Cutoffs.fixed([2.0])
    b = mobility.Cutoffs.fixed([2.0, 4.0])
    with pytest.raises(MobilityError, match="parent cut-offs make 2 classes, child cut-offs 3"):
        mobility.transition_matrix(P, C, cutoffs=(a, b))


def test_wrong_types():
    with pytest.raises(TypeError):
        mobility.transition_matrix("abc", C)
    with pytest.raises(TypeError):
        mobility.transition_matrix(["a", "b"], ["c", "d"])
    with pytest.raises(TypeError):
        mobility.transition_matrix(P, C, quantiles=2.5)
    with pytest.raises(TypeError):
        mobility.transition_matrix(P, C, quantiles="5")
    with pytest.raises(TypeError):
        mobility.transition_matrix(P, C, quantiles=True)
    with pytest.raises(TypeError):
        mobility.transition_matrix(P, C, rule=3)
    with pytest.raises(TypeError):
        mobility.transition_matrix(np.array([1 + 2j, 3j]), np.array([1.0, 2.0]))
    with pytest.raises(TypeError):
        mobility.transition_matrix(np.array([True, False]), np.array([1.0, 2.0]))
    with pytest.raises(TypeError):
        mobility.transition_matrix(5.0, 3.0)
    with pytest.raises(TypeError):
        mobility.transition_matrix(P, "child_income")  # a name without a DataFrame
    with pytest.raises(TypeError):
        mobility.transition_matrix(P)  # child missing
    with pytest.raises(TypeError):
        mobility.transition_matrix()
    with pytest.raises(TypeError):
        mobility.transition_matrix(P, C, parent=P)
    with pytest.raises(TypeError):
        mobility.transition_matrix(pd.Series(["x", "y"]), pd.Series([1.0, 2.0]))
    with pytest.raises(TypeError):
        mobility.transition_matrix(pd.DataFrame({"a": P}), C)  # DataFrame without column names
    with pytest.raises(TypeError):
        mobility.transition_matrix(pd.DataFrame({"a": P, "b": C}), parent=0, child="b")
    with pytest.raises(TypeError):
        TransitionMatrix.from_counts("table")
    with pytest.raises(TypeError):
        TransitionMatrix.from_counts([["a", "b"], ["c", "d"]])
    with pytest.raises(TypeError):
        TransitionMatrix(np.eye(2))
    with pytest.raises(TypeError):
        mobility.shorrocks_trace(None)
    with pytest.raises(TypeError):
        mobility.matrix_power(np.eye(2), 1.5)
    with pytest.raises(TypeError):
        TransitionMatrix.from_json(3)
    with pytest.raises(TypeError):
        mobility.published.by_name(3)


def test_missing_column():
    df = pd.DataFrame({"a": P, "b": C})
    with pytest.raises(KeyError, match="child column 'x' is not in the DataFrame"):
        mobility.transition_matrix(df, parent="a", child="x")
    with pytest.raises(TypeError, match="name its columns"):
        mobility.transition_matrix(df, parent="a")


def test_bad_json():
    with pytest.raises(MobilityError, match="invalid transition matrix JSON"):
        TransitionMatrix.from_json('{"k": 2}')
    d = mobility.published.giddy_us_states().to_dict()
    d["probabilities"] = [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(MobilityError, match="does not match k = 5"):
        TransitionMatrix.from_dict(d)
    with pytest.raises(MobilityError, match="invalid cut-offs JSON"):
        mobility.Cutoffs.from_json("[]")


def test_markov_errors():
    with pytest.raises(MobilityError, match="invalid period_years"):
        mobility.convergence(np.eye(2) * 0.5 + 0.25, period_years=-1)
    with pytest.raises(MobilityError, match="beta"):
        mobility.generations_to_mean(1.5, 0.5)
    with pytest.raises(MobilityError, match="states"):
        mobility.expected_time_to_exit(np.full((2, 2), 0.5), [])
    with pytest.raises(MobilityError, match="needs every cell > 0"):
        mobility.altham_independence(np.eye(3))
    with pytest.raises(MobilityError, match="n"):
        mobility.matrix_power(np.eye(2), -1)
    with pytest.raises(MobilityError, match="fractional rank"):
        mobility.class_of_rank(1.5, 5)


def test_empty_class_is_kept():
    # Heavy ties: with k = 4 and only 2 distinct parent values, some classes stay empty.
    p = [1, 1, 1, 2, 2, 2]
    c = [1, 2, 3, 4, 5, 6]
    tm = mobility.transition_matrix(p, c, quantiles=4)
    assert tm.k == 4
    assert tm.empty_rows()
    assert not tm.is_stochastic()
    m = tm.measures()
    assert m["shorrocks_trace"] is None
    with pytest.raises(MobilityError, match="has no observations"):
        tm.spectrum()
    assert "<table" in tm._repr_html_()  # display never raises
    assert tm.report()["empty_parent_classes"]
