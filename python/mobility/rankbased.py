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

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union, overload

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

from ._optional import require
from . import _mobility
from ._input import as_float_array, missing_error, resolve_pairs
from ._mobility import MobilityError
from ._results import FloatArray, Record, local

__all__ = [
    "RankMobility",
    "Ige",
    "AbsoluteMobility",
    "rank_mobility",
    "rank_mobility_national",
    "kendall_tau_b",
    "ige",
    "absolute_mobility",
    "RankBin",
    "BinnedRanks",
    "binned_rank_means",
    "plot_rank_rank",
]

#: One-line descriptions of the rank and income measures (from the core's measure registry).
DESCRIPTIONS: Dict[str, str] = {
    e["name"]: e["description"] for e in _mobility.measure_registry() if e["family"] == "rank"
}


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
    #: Rows dropped for missing values (``dropna=True``); 0 otherwise. Not in ``to_dict()``.
    n_dropped: int = local(0)

    @overload
    def expected_child_rank(self, parent_rank: float) -> float: ...
    @overload
    def expected_child_rank(self, parent_rank: FloatArray) -> FloatArray: ...
    def expected_child_rank(self, parent_rank: Any) -> Union[float, FloatArray]:
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
        return _on_line(self.rank_rank_intercept, self.rank_rank_slope, p)

    def to_frame(self) -> "pd.DataFrame":
        """A tidy pandas DataFrame: ``measure``, ``value``, ``description`` (NaN where
        undefined)."""
        require("pandas")
        import pandas as pd

        names = [k for k in self.fields() if k in DESCRIPTIONS]
        out: pd.DataFrame = pd.DataFrame(
            {
                "measure": names,
                "value": [np.nan if getattr(self, k) is None else float(getattr(self, k)) for k in names],
                "description": [DESCRIPTIONS[k] for k in names],
            }
        )
        return out

    def __repr__(self) -> str:
        def f(v: Optional[float], d: int = 4) -> str:
            return "None" if v is None else f"{v:.{d}f}"

        return (
            f"RankMobility(n={self.n}, rank_rank_slope={f(self.rank_rank_slope)}, "
            f"absolute_upward_mobility={f(self.absolute_upward_mobility, 2)}, "
            f"spearman={f(self.spearman)}, kendall_tau_b={f(self.kendall_tau_b)}, "
            f"ige={f(self.ige)}, absolute_mobility={f(self.absolute_mobility)})"
        )


def _on_line(intercept: float, slope: float, parent_rank: Any) -> Union[float, FloatArray]:
    """``intercept + slope p`` at parent rank ``p`` (0-100): a float for a number, else an
    array."""
    out: FloatArray = intercept + slope * np.asarray(parent_rank, dtype=np.float64)
    return float(out) if out.ndim == 0 else out


class Ige(Record):
    """The intergenerational elasticity: OLS slope of ln(child) on ln(parent) over the pairs
    with both status values positive; ``used`` and ``dropped`` count the pairs."""

    elasticity: Optional[float]
    intercept: Optional[float]
    log_correlation: Optional[float]
    used: int
    dropped: int


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
    from ._args import _drop_missing

    p, c, w, _, index, _ = resolve_pairs(fn, data, child, weights, parent, names=names)
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
    return RankMobility.from_value(_mobility.rank_mobility(p, c, w), n_dropped=dropped)


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
    return RankMobility.from_value(_mobility.rank_mobility_national(p, c, rp, rc, w))


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
    return Ige.from_value(_mobility.ige(p, c, w))


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
    return AbsoluteMobility.from_value(_mobility.absolute_mobility(p, c, w))


class RankBin(Record):
    """One bin of parent rank: ``bin`` (1-based, from the bottom), its edges
    ``parent_rank_low`` / ``parent_rank_high`` (0-100), ``units``, ``weight``, and the weighted
    ``mean_parent_rank`` and ``mean_child_rank`` (0-100; None for an empty bin, which ties can
    leave)."""

    bin: int
    parent_rank_low: float
    parent_rank_high: float
    units: int
    weight: float
    mean_parent_rank: Optional[float]
    mean_child_rank: Optional[float]


class BinnedRanks(Record):
    """Mean child rank in equal bins of parent rank with the fitted rank-rank line (the core's
    ``mobility::binned::BinnedRanks``): ``bins``, ``n``, ``total_weight``, ``rows`` (every
    bin, from the bottom), ``slope`` and ``intercept`` (0-100 scale) of the weighted OLS line
    of child rank on parent rank over the pairs (so ``slope`` is
    :attr:`RankMobility.rank_rank_slope`). ``n_dropped`` is local, as in :class:`RankMobility`.
    """

    bins: int
    n: int
    total_weight: float
    rows: List[RankBin]
    slope: float
    intercept: float
    #: Rows dropped for missing values (``dropna=True``); 0 otherwise. Not in ``to_dict()``.
    n_dropped: int = local(0)

    @overload
    def fitted(self, parent_rank: float) -> float: ...
    @overload
    def fitted(self, parent_rank: FloatArray) -> FloatArray: ...
    def fitted(self, parent_rank: Any) -> Union[float, FloatArray]:
        """The fitted line ``intercept + slope p`` at parent rank ``p`` (0-100; a number or an
        array)."""
        return _on_line(self.intercept, self.slope, parent_rank)

    def to_frame(self) -> "pd.DataFrame":
        """One row per bin (the :class:`RankBin` fields; NaN means for empty bins)."""
        require("pandas")
        import pandas as pd

        out: pd.DataFrame = pd.DataFrame(
            {
                name: [np.nan if getattr(r, name) is None else getattr(r, name) for r in self.rows]
                for name in RankBin.fields()
            }
        )
        return out


def binned_rank_means(
    data: Any = None,
    child: Any = None,
    weights: Any = None,
    *,
    parent: Any = None,
    bins: int = 20,
    dropna: bool = False,
) -> BinnedRanks:
    """Mean child rank in ``bins`` equal bins of parent rank, with the fitted rank-rank line
    (Chetty, Hendren, Kline & Saez 2014, QJE 129(4), figure II: 20 bins; 100 in their online
    appendix)::

        r = (W(x < x_u) + W(x = x_u)/2) / W        parents and children ranked apart
        b(u) = ceil(B r_p(u)) in 1..B
        mean child rank_b = 100 sum_{b(u)=b} w_u r_c(u) / sum_{b(u)=b} w_u
        slope = cov_w(r_p, r_c) / var_w(r_p),  intercept = 100 (mean r_c - slope mean r_p)

    Call forms as :func:`rank_mobility`. Raises :class:`MobilityError` for ``bins`` outside
    2..1000 or constant parent status.

    >>> b = binned_rank_means(list(range(100)), list(range(100)), bins=20)
    >>> len(b.rows), round(b.slope, 9), b.rows[0].mean_child_rank
    (20, 1.0, 2.5)
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
        raise TypeError(f"bins must be an integer, not {type(bins).__name__}")
    if bins < 2:
        raise MobilityError(f"invalid bins: {bins}; at least 2 bins are needed")
    p, c, w, dropped = _pairs("binned_rank_means", data, child, weights, parent, dropna)
    return BinnedRanks.from_value(
        _mobility.binned_rank_means(p, c, w, bins=int(bins)), n_dropped=dropped
    )


def plot_rank_rank(
    data: Any = None,
    child: Any = None,
    weights: Any = None,
    *,
    parent: Any = None,
    bins: int = 20,
    dropna: bool = False,
    ax: Any = None,
    title: Optional[str] = None,
    color: str = "C0",
    line_color: str = "C3",
) -> Any:
    """The binned rank-rank scatter of Chetty et al. (2014, figure II): mean child rank in
    ``bins`` (20, or 100) equal bins of parent rank, with the fitted rank-rank line and its
    slope in the legend. Call forms as :func:`rank_mobility` (arrays, or a DataFrame with
    ``parent=``/``child=``/``weights=`` column names); the numbers are
    :func:`binned_rank_means`. Draws on ``ax`` (a new figure when None) and returns the Axes.
    Needs matplotlib (``pip install "mobility[matplotlib]"``)."""
    require("matplotlib", "plot_rank_rank()")
    import matplotlib.pyplot as plt

    b = binned_rank_means(data, child, weights, parent=parent, bins=bins, dropna=dropna)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 5.0))
    shown = [r for r in b.rows if r.mean_child_rank is not None]
    xs = [r.mean_parent_rank for r in shown]
    ys = [r.mean_child_rank for r in shown]
    ax.scatter(xs, ys, s=22, color=color, label=f"mean child rank, {b.bins} bins of parent rank",
               zorder=3)
    grid = np.array([0.0, 100.0])
    ax.plot(grid, b.fitted(grid), color=line_color, linewidth=1.5,
            label=f"rank-rank line, slope = {b.slope:.3f}", zorder=2)
    ax.set_xlim(0.0, 100.0)
    ax.set_ylim(0.0, 100.0)
    ax.set_xlabel("parent rank (percentile)")
    ax.set_ylabel("mean child rank (percentile)")
    if title is None:
        n = f"n = {b.n:,}"
        if isinstance(parent, str) and isinstance(child, str):
            title = f"{parent} -> {child}: rank-rank, {n}"
        else:
            title = f"Rank-rank relationship, {n}"
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    return ax
