"""The canonical mobility measures of docs/FORMULAS.md#measures-table as plain functions over a matrix.

Each function takes a row-stochastic matrix ``P`` (origin/parent classes in rows, numbered
from the bottom; a numpy array, nested lists, a DataFrame or a :class:`TransitionMatrix`) and
raises :class:`mobility.MobilityError` if it is not square, has fewer than 2 classes, or a row
does not sum to 1 (within 1e-9). Weighted measures take origin weights ``pi`` (k numbers summing
to 1); **uniform** ``1/k`` when omitted, as in giddy. For every measure at once, with parent
shares as the default weights, use :meth:`TransitionMatrix.measures`.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np
import numpy.typing as npt

from . import _mobility as _m
from ._input import as_matrix, as_vector

__all__ = [
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
]


def _pi(pi: Optional[Sequence[float]]) -> Optional[List[float]]:
    return None if pi is None else as_vector(pi, "pi")


def shorrocks_trace(p: Any) -> float:
    """Shorrocks' trace index (Prais 1955; Shorrocks 1978; giddy ``P``, Stata igmobil).

    ``M_P = (k - tr P) / (k - 1)``: 0 when nobody moves (P = I), 1 under perfect mobility
    (every row equal to 1/k), above 1 for matrices that favour moving.

    >>> shorrocks_trace([[0.8, 0.2], [0.3, 0.7]])
    0.5
    """
    return _m.shorrocks_trace(as_matrix(p))


def determinant_shorrocks(p: Any) -> float:
    """Shorrocks' determinant index ``1 - |det P|^(1/(k-1))`` (Shorrocks 1978; R incdist)."""
    return _m.determinant_shorrocks(as_matrix(p))


def determinant_giddy(p: Any) -> float:
    """The determinant index without the root, ``1 - |det P|`` (PySAL giddy ``D``, Stata igmobil)."""
    return _m.determinant_giddy(as_matrix(p))


def second_eigenvalue(p: Any) -> float:
    """``1 - |lambda_2|``, lambda_2 the eigenvalue of second-largest modulus, possibly complex
    (Sommers & Conlisk 1979; giddy ``L2``)."""
    return _m.second_eigenvalue(as_matrix(p))


def eigenvalue_sum(p: Any) -> float:
    """Shorrocks' eigenvalue index ``(k - sum_i |lambda_i|) / (k - 1)`` (Shorrocks 1978); differs
    from the trace index when eigenvalues are complex."""
    return _m.eigenvalue_sum(as_matrix(p))


def eigenvalues(p: Any) -> "npt.NDArray[np.complex128]":
    """Eigenvalues of ``P`` (complex128), sorted by modulus, largest first (pure Rust, faer)."""
    return _m.eigenvalues(as_matrix(p))


def bartholomew(p: Any, pi: Optional[Sequence[float]] = None) -> float:
    """Bartholomew's index ``sum_i pi_i sum_j p_ij |i - j| / (k - 1)`` (Bartholomew 1973; giddy
    ``B2``). ``pi`` defaults to uniform, as in giddy and igmobil."""
    return _m.bartholomew(as_matrix(p), _pi(pi))


def mean_class_jump(p: Any, pi: Optional[Sequence[float]] = None) -> float:
    """Mean absolute class jump ``sum_i pi_i sum_j p_ij |i - j|`` (mobilityIndexR
    ``average_movement`` with parent-share weights). ``pi`` defaults to uniform."""
    return _m.mean_class_jump(as_matrix(p), _pi(pi))


def immobility_ratio(p: Any, pi: Optional[Sequence[float]] = None) -> float:
    """Share staying in their parents' class, ``sum_i pi_i p_ii``; ``prais_bibby = 1 - it``
    (Bibby 1975). ``pi`` defaults to uniform."""
    return _m.immobility_ratio(as_matrix(p), _pi(pi))


def upward_share(p: Any, pi: Optional[Sequence[float]] = None) -> float:
    """Share moving up, ``sum_i pi_i sum_{j>i} p_ij``. ``pi`` defaults to uniform."""
    return _m.upward_share(as_matrix(p), _pi(pi))


def downward_share(p: Any, pi: Optional[Sequence[float]] = None) -> float:
    """Share moving down, ``sum_i pi_i sum_{j<i} p_ij``. ``pi`` defaults to uniform."""
    return _m.downward_share(as_matrix(p), _pi(pi))


def giddy_b1(p: Any, pi: Optional[Sequence[float]] = None) -> float:
    """giddy's ``B1 = (k - k sum_i pi_i p_ii) / (k - 1)``; equals :func:`shorrocks_trace` for
    uniform ``pi`` (the default)."""
    return _m.giddy_b1(as_matrix(p), _pi(pi))


def altham_distance(p: Any, q: Any) -> float:
    """Altham's distance between two tables (Altham 1970; Altham & Ferrie 2007)::

        d(P, Q) = sqrt( sum_{i,l,j,m} ln( p_ij p_lm q_im q_lj / (p_im p_lj q_ij q_lm) )^2 )

    Invariant to row and column margins (counts or probabilities give the same value). A zero
    cell raises :class:`MobilityError` (the log odds ratio is infinite).
    """
    return _m.altham_distance(as_matrix(p, "p"), as_matrix(q, "q"))


def altham_independence(p: Any) -> float:
    """Altham's distance from independence ``d(P, J) = 2 k sqrt(sum_ij lambda_ij^2)``, lambda the
    double-centred ``ln P`` (Altham 1970)."""
    return _m.altham_independence(as_matrix(p))
