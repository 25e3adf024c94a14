"""Markov dynamics of a transition matrix: long-run shares, P^n, first passage times, speed.

Functions take a row-stochastic ``P`` (numpy array, nested lists or a
:class:`mobility.TransitionMatrix`; origin in rows). Class indices here are **0-based**
(0 = bottom), as in numpy. Reducible chains never crash: what does not exist is an error
(a non-unique stationary distribution) or ``inf`` (a class that cannot be reached).
Sources: Kemeny & Snell (1960), *Finite Markov Chains*; Grassmann, Taksar & Heyman (1985)
for the GTH stationary distribution; Sommers & Conlisk (1979) for convergence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from ._mobility import Convergence, GenerationsToMean

import numpy as np

from ._results import FloatArray

from . import _mobility as _m
from ._input import as_matrix

__all__ = [
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


def check_stochastic(p: Any) -> int:
    """Check that ``P`` is square, k >= 2, entries finite and >= 0, rows summing to 1 within 1e-9;
    return k. Raises :class:`mobility.MobilityError` naming the offending row."""
    return _m.check_stochastic(as_matrix(p))


def communicating_classes(p: Any) -> List[List[int]]:
    """The communicating classes of the chain (0-based class indices)."""
    return _m.communicating_classes(as_matrix(p))


def closed_classes(p: Any) -> List[List[int]]:
    """The closed (recurrent) communicating classes (0-based)."""
    return _m.closed_classes(as_matrix(p))


def stationary_distribution(p: Any) -> FloatArray:
    """The stationary distribution ``pi* P = pi*``, ``sum pi* = 1`` (GTH; Grassmann, Taksar &
    Heyman 1985). Raises :class:`mobility.MobilityError` when it is not unique (several closed
    classes): use :func:`stationary_distributions`. giddy calls it ``steady_state``."""
    return _m.stationary_distribution(as_matrix(p))


def stationary_distributions(p: Any) -> List[FloatArray]:
    """One stationary distribution per closed class (zero outside it)."""
    return _m.stationary_distributions(as_matrix(p))


def matrix_power(p: Any, n: int) -> FloatArray:
    """``P^n`` (repeated squaring): class of the descendant n generations on; grandchildren n = 2."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be a non-negative integer, not {type(n).__name__}")
    if n < 0:
        raise _m.MobilityError(f"invalid n: must be >= 0, got {n}")
    return _m.matrix_power(as_matrix(p), int(n))


def mean_first_passage_times(p: Any) -> FloatArray:
    """Mean first passage times ``m_ij`` (generations to first reach j from i); the diagonal is
    the mean return time ``1 / pi*_i`` (giddy ``mfpt``); ``inf`` where j cannot be reached."""
    return _m.mean_first_passage_times(as_matrix(p))


def expected_stay(p: Any) -> FloatArray:
    """Expected consecutive generations in each class, ``1 / (1 - p_ii)`` (giddy
    ``sojourn_time``); ``inf`` for an absorbing class."""
    return _m.expected_stay(as_matrix(p))


def expected_time_to_exit(p: Any, states: Sequence[int]) -> FloatArray:
    """Expected generations before leaving the set ``states`` (0-based), per starting class:
    ``t_S = (I - P[S, S])^-1 1``; 0 outside S; ``inf`` if leaving is not certain."""
    return _m.expected_time_to_exit(as_matrix(p), [int(s) for s in states])


def convergence(p: Any, period_years: Optional[float] = None) -> "Convergence":
    """Second eigenvalue and speed of convergence (Sommers & Conlisk 1979)::

        half_life = ln(1/2) / ln |lambda_2|        (inf if |lambda_2| = 1)
        per year  = |lambda_2|^(1/s),  half_life_years = s * half_life   (s = period_years)

    Returns a dict: ``lambda2`` (complex), ``lambda2_modulus``, ``half_life``,
    ``period_years``, ``lambda2_modulus_per_year``, ``half_life_years``.
    """
    return _m.convergence(as_matrix(p), None if period_years is None else float(period_years))


def generations_to_mean(beta: float, ratio: float, tolerance: float = 0.05) -> "GenerationsToMean":
    """Generations for a family at income ``ratio`` to the mean to reach it (OECD 2018 framing)::

        log gap after n generations = beta^n ln(ratio);  n* = ceil(ln(eps / |ln ratio|) / ln beta)

    ``beta`` is the IGE (0 < beta < 1), ``ratio`` e.g. the bottom-decile mean over the overall
    mean, ``tolerance`` eps on the absolute log gap. The OECD does not publish its tolerance;
    docs/FORMULAS.md#generations-to-mean records that 0.05 is said to reproduce the published US (5) and Denmark (2)
    figures, which this package has not verified.
    """
    return _m.generations_to_mean(float(beta), float(ratio), float(tolerance))
