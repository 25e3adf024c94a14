"""mobility: social mobility measurement, from paired parent/child status to every standard
measure, with a Rust core.

The data path, top to bottom (each step callable on its own)::

    status (incomes, scores)  ->  fractional ranks      mobility.fractional_ranks
                              ->  classes (cut-offs)    mobility.Cutoffs
                              ->  transition matrix P   mobility.transition_matrix
                              ->  measures              TransitionMatrix.measures / .summary
                              ->  dynamics              mobility.markov

Notation (FORMULAS.md): classes ``1..k`` numbered from the bottom; matrices have the origin
(parent) in rows, ``p_ij = P(child in j | parent in i)``; ``pi`` the origin weights of summary
measures (parent shares by default).

Quick start::

    import mobility
    tm = mobility.transition_matrix(df, parent="parent_income", child="child_income",
                                    quantiles=5)
    tm.measures()      # dict: every canonical measure by name
    tm.summary()       # pandas DataFrame: measure, value, description
    tm.plot()          # heat map (matplotlib)

Errors: bad inputs raise :class:`MobilityError` (a ``ValueError``) with the core's message;
wrong types raise ``TypeError``.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _mobility
from ._input import as_float_array as _as_float_array
from ._matrix import MEASURES, TransitionMatrix, describe, transition_matrix
from ._mobility import Cutoffs, MobilityError
from . import markov, measures, published
from ._simulate import gaussian_copula_matrix, simulate
from .markov import (
    check_stochastic,
    closed_classes,
    communicating_classes,
    convergence,
    expected_stay,
    expected_time_to_exit,
    generations_to_mean,
    matrix_power,
    mean_first_passage_times,
    stationary_distribution,
    stationary_distributions,
)
from .measures import (
    altham_distance,
    altham_independence,
    bartholomew,
    determinant_giddy,
    determinant_shorrocks,
    downward_share,
    eigenvalue_sum,
    eigenvalues,
    giddy_b1,
    immobility_ratio,
    mean_class_jump,
    second_eigenvalue,
    shorrocks_trace,
    upward_share,
)

__version__: str = _mobility.__version__

# Python-raised MobilityErrors carry the same attributes as the core's (None there).
MobilityError.kind = None  # type: ignore[attr-defined]
MobilityError.details = None  # type: ignore[attr-defined]

#: The tie rules ``transition_matrix(rule=...)`` takes.
RULES = ("midrank", "giddy", "r-type7", "stata-xtile")


def fractional_ranks(values: Any, weights: Any = None) -> np.ndarray:
    """Weighted fractional mid-ranks in (0, 1) (Chetty et al. 2014)::

        r_i = (W(x < x_i) + W(x = x_i) / 2) / W,   W the total weight

    Ties get the mean rank of the tie; the result does not depend on row order. One sort
    (O(n log n)), GIL released.

    >>> fractional_ranks([10, 20, 20, 30]).tolist()
    [0.125, 0.5, 0.5, 0.875]
    """
    v = _as_float_array(values, "status")
    w = None if weights is None else _as_float_array(weights, "weights")
    return _mobility.fractional_ranks(v, w)


def class_of_rank(r: float, k: int) -> int:
    """The class ``ceil(k r)`` (clamped to 1..k) of a fractional rank ``r`` in (0, 1]."""
    return _mobility.class_of_rank(float(r), int(k))


def class_labels(k: int) -> list:
    """Display labels: Q1..Q4 / Q1..Q5, D1..D10, P1..P100, otherwise C1..Ck."""
    return _mobility.class_labels(int(k))


__all__ = [
    "__version__",
    "MobilityError",
    "TransitionMatrix",
    "transition_matrix",
    "Cutoffs",
    "MEASURES",
    "RULES",
    "describe",
    "fractional_ranks",
    "class_of_rank",
    "class_labels",
    "markov",
    "measures",
    "published",
    "simulate",
    "gaussian_copula_matrix",
    # measures
    "shorrocks_trace",
    "determinant_shorrocks",
    "determinant_giddy",
    "second_eigenvalue",
    "eigenvalue_sum",
    "eigenvalues",
    "bartholomew",
    "mean_class_jump",
    "immobility_ratio",
    "upward_share",
    "downward_share",
    "giddy_b1",
    "altham_distance",
    "altham_independence",
    # markov
    "check_stochastic",
    "communicating_classes",
    "closed_classes",
    "stationary_distribution",
    "stationary_distributions",
    "matrix_power",
    "mean_first_passage_times",
    "expected_stay",
    "expected_time_to_exit",
    "convergence",
    "generations_to_mean",
]
