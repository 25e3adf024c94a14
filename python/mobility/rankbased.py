"""Rank and income measures of intergenerational mobility, from the same pairs as the matrix
(the Rust core's ``mobility::rankbased``)::

    r_p, r_c   weighted fractional mid-ranks of parent and child status, in (0, 1)
    slope      weighted OLS slope of r_c on r_p                  (Chetty et al. 2014)
    intercept  100 (mean r_c - slope mean r_p)                    0-100 scale
    AUM        intercept + 25 slope: expected child rank at parent rank 25 (0-100)
    Spearman   weighted Pearson correlation of r_p and r_c
    tau-b      Kendall's tau-b with ties (Knight 1966), O(n log n)
    IGE        OLS slope of ln(child) on ln(parent), positive pairs only
    absolute   share of children with status above their parents' (Chetty et al. 2017)

One sort per variable, then linear passes, with the GIL released. Weights act as frequency
weights (a pair with weight 2 counts as the pair listed twice, Kendall's tau included). Every
function takes the two call forms of :func:`mobility.transition_matrix`: arrays
``f(parent, child, weights=w)`` or a DataFrame ``f(df, parent="p", child="c", weights="w")``,
with ``dropna=True`` to drop incomplete rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np

from . import _mobility
from ._input import as_float_array, missing_error, resolve_pairs
from ._mobility import MobilityError
from ._results import Record

__all__ = [
    "RankMobility",
    "Ige",
    "AbsoluteMobility",
    "rank_mobility",
    "rank_mobility_national",
    "kendall_tau_b",
    "ige",
    "absolute_mobility",
]

#: The fields of the core's RankMobility (the CLI's ``rank_measures`` keys), in order.
RANK_FIELDS = (
    "n",
    "total_weight",
    "rank_basis",
    "rank_rank_slope",
    "rank_rank_intercept",
    "absolute_upward_mobility",
    "spearman",
    "kendall_tau_b",
    "share_child_rank_above_parent",
    "share_child_rank_equal_parent",
    "ige",
    "ige_dropped",
    "absolute_mobility",
    "absolute_mobility_at_least",
)

#: One-line descriptions of the rank and income measures (from the core's measure registry).
DESCRIPTIONS: Dict[str, str] = {
    e["name"]: e["description"] for e in _mobility.measure_registry() if e["family"] == "rank"
}


@dataclass(frozen=True, eq=False)
class RankMobility(Record):
    """Rank and income mobility measures of one set of parent/child pairs.

    ``to_dict()`` gives the core's fields (the CLI's ``rank_measures``): ``n``,
    ``total_weight``, ``rank_basis`` (``"local"`` or ``"national"``), ``rank_rank_slope``,
    ``rank_rank_intercept`` and ``absolute_upward_mobility`` (0-100 scale), ``spearman``,
    ``kendall_tau_b`` (None when a variable is constant), ``share_child_rank_above_parent``,
    ``share_child_rank_equal_parent``, ``ige`` (None when undefined) with ``ige_dropped``
    (pairs with status <= 0 left out), ``absolute_mobility`` (``child > parent``) and
    ``absolute_mobility_at_least`` (``>=``). ``n_dropped`` (rows dropped for missing values with
    ``dropna=True``) is an attribute outside ``to_dict()``.
    """

    n: int
    total_weight: float
    rank_basis: str
    rank_rank_slope: float
    rank_rank_intercept: float
    absolute_upward_mobility: float
    spearman: Optional[float]
    kendall_tau_b: Optional[float]
    share_child_rank_above_parent: float
    share_child_rank_equal_parent: float
    ige: Optional[float]
    ige_dropped: int
    absolute_mobility: float
    absolute_mobility_at_least: float

    @classmethod
    def _from(cls, d: Dict[str, Any], n_dropped: int = 0) -> "RankMobility":
        out = cls(**{k: d[k] for k in RANK_FIELDS})
        object.__setattr__(out, "_n_dropped", int(n_dropped))
        return out

    @property
    def n_dropped(self) -> int:
        """Rows dropped for missing values (``dropna=True``); 0 otherwise."""
        return getattr(self, "_n_dropped", 0)

    def expected_child_rank(self, parent_rank: Any) -> Union[float, np.ndarray]:
        """Expected child rank (0-100) at parent rank ``p`` (0-100) on the fitted rank-rank line,
        ``intercept + slope p``; ``expected_child_rank(25)`` is the absolute upward mobility.
        Takes a number or an array; raises :class:`MobilityError` outside [0, 100]."""
        p = np.asarray(parent_rank, dtype=np.float64)
        bad = ~((p >= 0.0) & (p <= 100.0))
        if bad.any():
            first = p[bad].flat[0]
            raise MobilityError(
                f"invalid parent_rank: must lie between 0 and 100 (a percentile rank), got {first}"
            )
        out = self.rank_rank_intercept + self.rank_rank_slope * p
        return float(out) if out.ndim == 0 else out

    def to_frame(self) -> Any:
        """A tidy pandas DataFrame: ``measure``, ``value``, ``description`` (NaN where
        undefined)."""
        import pandas as pd

        names = [k for k in RANK_FIELDS if k in DESCRIPTIONS]
        return pd.DataFrame(
            {
                "measure": names,
                "value": [np.nan if getattr(self, k) is None else float(getattr(self, k)) for k in names],
                "description": [DESCRIPTIONS[k] for k in names],
            }
        )

    def __repr__(self) -> str:
        def f(v: Optional[float], d: int = 4) -> str:
            return "None" if v is None else f"{v:.{d}f}"

        return (
            f"RankMobility(n={self.n}, rank_rank_slope={f(self.rank_rank_slope)}, "
            f"absolute_upward_mobility={f(self.absolute_upward_mobility, 2)}, "
            f"spearman={f(self.spearman)}, kendall_tau_b={f(self.kendall_tau_b)}, "
            f"ige={f(self.ige)}, absolute_mobility={f(self.absolute_mobility)})"
        )


@dataclass(frozen=True, eq=False)
class Ige(Record):
    """The intergenerational elasticity: OLS slope of ln(child) on ln(parent) over the pairs
    with both status values positive; ``used`` and ``dropped`` count the pairs."""

    elasticity: Optional[float]
    intercept: Optional[float]
    log_correlation: Optional[float]
    used: int
    dropped: int


@dataclass(frozen=True, eq=False)
class AbsoluteMobility(Record):
    """Absolute mobility (Chetty et al. 2017): the weighted share with ``child > parent``
    (``greater``, their definition) and with ``child >= parent`` (``greater_or_equal``)."""

    greater: float
    greater_or_equal: float


def _pairs(
    fn: str,
    data: Any,
    child: Any,
    weights: Any,
    parent: Any,
    dropna: bool,
    names: Tuple[str, str] = ("parent status", "child status"),
) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray], int]:
    from ._matrix import _drop_missing

    p_obj, c_obj, w_obj, _, index, _ = resolve_pairs(fn, data, child, weights, parent)
    p = as_float_array(p_obj, names[0])
    c = as_float_array(c_obj, names[1])
    w = None if w_obj is None else as_float_array(w_obj, "weights")
    if dropna:
        p, c, w, dropped, _ = _drop_missing(p, c, w)
        return p, c, w, dropped
    if p.shape == c.shape and (w is None or w.shape == p.shape):
        err = missing_error([(names[0], p), (names[1], c), ("weights", w)], index)
        if err is not None:
            raise err
    return p, c, w, 0


def rank_mobility(
    data: Any = None,
    child: Any = None,
    weights: Any = None,
    *,
    parent: Any = None,
    dropna: bool = False,
) -> RankMobility:
    """Rank-rank slope, intercept, absolute upward mobility, Spearman, Kendall's tau-b, the
    share moving up in rank, the IGE and absolute mobility, from one call::

        r_i   = (W(x < x_i) + W(x = x_i)/2) / W       weighted mid-ranks
        slope = cov_w(r_p, r_c) / var_w(r_p)
        intercept = 100 (mean r_c - slope mean r_p)    AUM = intercept + 25 slope
        tau_b = (C - D) / sqrt(T_x T_y)                 (Knight's merge sort, O(n log n))
        up    = sum w [r_c > r_p] / W                   IGE over positive pairs
        AM    = sum w [y_c > y_p] / W,  AM>= with >=

    Sources: Chetty, Hendren, Kline & Saez (2014), QJE 129(4); Chetty et al. (2017), Science
    356; Knight (1966), JASA 61. On Chetty et al.'s national table the slope is 0.341.

    Call forms: ``rank_mobility(parent, child, weights=w)`` or
    ``rank_mobility(df, parent="p", child="c", weights="w")``. Missing values raise unless
    ``dropna=True`` (the result's ``n_dropped`` says how many rows went). Raises
    :class:`MobilityError` when every parent has the same status.

    >>> m = rank_mobility([10, 20, 30, 40, 50], [12, 35, 25, 60, 45])
    >>> round(m.rank_rank_slope, 6), round(m.kendall_tau_b, 6)
    (0.8, 0.6)
    """
    p, c, w, dropped = _pairs("rank_mobility", data, child, weights, parent, dropna)
    return RankMobility._from(_mobility.rank_mobility(p, c, w), dropped)


def rank_mobility_national(
    parent: Any,
    child: Any,
    national_parent_ranks: Any,
    national_child_ranks: Any,
    weights: Any = None,
) -> RankMobility:
    """Rank measures of a sub-population (a place, a group) on national ranks: the slope,
    intercept, absolute upward mobility and the share moving up use the given national ranks
    (in [0, 1], e.g. :func:`mobility.fractional_ranks` of the whole sample); Spearman and
    Kendall use the group's own ranks; the IGE and absolute mobility the status values."""
    p = as_float_array(parent, "parent status")
    c = as_float_array(child, "child status")
    rp = as_float_array(national_parent_ranks, "national parent ranks")
    rc = as_float_array(national_child_ranks, "national child ranks")
    w = None if weights is None else as_float_array(weights, "weights")
    return RankMobility._from(_mobility.rank_mobility_national(p, c, rp, rc, w))


def kendall_tau_b(
    data: Any = None,
    y: Any = None,
    weights: Any = None,
    *,
    x: Any = None,
    dropna: bool = False,
) -> Optional[float]:
    """Kendall's tau-b with ties, weighted by pair weights ``w_i w_j``, in O(n log n)::

        tau_b = (C - D) / sqrt(T_x T_y),  T_x = sum_{i<j} w_i w_j [x_i != x_j]

    None when either variable is constant. Without weights this is SciPy's ``kendalltau``
    (tau-b) and R's ``cor(method = "kendall")``. Kendall (1945); Knight (1966). Call forms:
    ``kendall_tau_b(x, y)`` or ``kendall_tau_b(df, x="a", y="b")``.

    >>> kendall_tau_b([1, 1, 2, 3], [1, 2, 3, 3])
    0.8
    """
    p, c, w, _ = _pairs("kendall_tau_b", data, y, weights, x, dropna, ("x", "y"))
    return _mobility.kendall_tau_b(p, c, w)


def ige(
    data: Any = None,
    child: Any = None,
    weights: Any = None,
    *,
    parent: Any = None,
    dropna: bool = False,
) -> Ige:
    """The intergenerational elasticity: OLS slope of ln(child) on ln(parent) over the pairs
    with both incomes positive, with how many pairs were dropped (Becker & Tomes 1979; Solon
    1992)::

        beta = sum w (ln y_p - m_p)(ln y_c - m_c) / sum w (ln y_p - m_p)^2

    >>> r = ige([1, 4, 16, 0], [1, 2, 4, 3])
    >>> round(r.elasticity, 6), r.used, r.dropped
    (0.5, 3, 1)
    """
    p, c, w, _ = _pairs("ige", data, child, weights, parent, dropna)
    return Ige(**_mobility.ige(p, c, w))


def absolute_mobility(
    data: Any = None,
    child: Any = None,
    weights: Any = None,
    *,
    parent: Any = None,
    dropna: bool = False,
) -> AbsoluteMobility:
    """Absolute mobility (Chetty et al. 2017): the weighted share of children with status above
    their parents', with both tie rules (``greater``: ``>``; ``greater_or_equal``: ``>=``).
    Values are compared as given: deflate both generations to the same prices first for "in
    real terms".

    >>> absolute_mobility([1, 2, 3, 4], [2, 2, 1, 5]).to_dict()
    {'greater': 0.5, 'greater_or_equal': 0.75}
    """
    p, c, w, _ = _pairs("absolute_mobility", data, child, weights, parent, dropna)
    return AbsoluteMobility(**_mobility.absolute_mobility(p, c, w))
