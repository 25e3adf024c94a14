"""Panels: several periods of the same units (docs/FORMULAS.md#panels)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from . import _mobility
from ._input import as_float_array, check_k, column, is_frame
from ._matrix import TransitionMatrix
from ._mobility import MobilityError

__all__ = ["Panel", "panel_transition_matrix"]


class Panel:
    """A panel's pooled matrix, its per-transition matrices and the test of time homogeneity.

    Attributes
    ----------
    pooled : TransitionMatrix
        Counts summed over the ``T - 1`` transitions (what PySAL giddy's ``Markov`` returns for
        a ``T``-column panel).
    transitions : list of TransitionMatrix
        One matrix per transition ``t -> t + 1``, each period classified on its own.
    time_homogeneity : dict or None
        The Anderson & Goodman (1957) test: ``likelihood_ratio`` and ``chi_square`` (each with
        ``statistic``, ``df``, ``p_value``) and per-row contributions; ``None`` with two periods.
    periods : list of str
    """

    __slots__ = ("pooled", "transitions", "time_homogeneity", "periods", "_report")

    def __init__(self, report: Dict[str, Any], pooled: Any, transitions: List[Any]) -> None:
        self._report = report
        self.pooled = TransitionMatrix(pooled)
        self.transitions = [TransitionMatrix(t) for t in transitions]
        self.time_homogeneity = report.get("time_homogeneity")
        self.periods = list(report["periods"])

    def report(self) -> Dict[str, Any]:
        """The panel as one dict (the CLI's ``analyze --periods ... --json``)."""
        return dict(self._report)

    @property
    def note(self) -> Optional[str]:
        """Why the homogeneity test is missing, or how the counts were scaled for it."""
        return self._report.get("time_homogeneity_note")

    def __repr__(self) -> str:
        h = self.time_homogeneity
        test = (
            "no homogeneity test"
            if h is None
            else f"time homogeneity G = {h['likelihood_ratio']['statistic']:.3f}, "
            f"p = {h['likelihood_ratio']['p_value']:.4f}"
        )
        return (
            f"Panel({len(self.periods)} periods {', '.join(self.periods)}; k = {self.pooled.k}; "
            f"{test})"
        )


def panel_transition_matrix(
    data: Any,
    periods: Sequence[Any],
    quantiles: int = 5,
    weights: Any = None,
    rule: str = "midrank",
    *,
    weights_kind: str = "sampling",
) -> Panel:
    """The pooled quantile transition matrix of a panel, with per-transition matrices and the
    Anderson & Goodman (1957) test of time homogeneity::

        n_ij(t) = sum_u w_u [class_t(u) = i] [class_{t+1}(u) = j]     n_ij = sum_t n_ij(t)

    ``data`` is a DataFrame (pandas, polars, or a dict of columns) and ``periods`` the period
    column names in time order, or ``data=None`` and ``periods`` a list of arrays (or a 2-D
    array with one column per period). Each period is classified on its own under ``rule``.
    ``weights`` (a column name or an array) and ``weights_kind`` as in
    :func:`mobility.transition_matrix`.

    Example
    -------
    >>> import mobility
    >>> p = mobility.panel_transition_matrix(None, [[1, 2, 3, 4], [2, 1, 3, 4], [1, 2, 4, 3]],
    ...                                      quantiles=2)
    >>> p.pooled.counts.sum()
    8.0
    """
    k = check_k(quantiles)
    if isinstance(periods, np.ndarray) and periods.ndim == 2 and data is None:
        periods = [periods[:, t] for t in range(periods.shape[1])]
    if not isinstance(periods, (list, tuple)) or len(periods) < 2:
        raise MobilityError("periods: give two or more period columns (or arrays) in time order")
    if data is not None:
        if not (is_frame(data) or isinstance(data, dict)):
            raise TypeError(
                "data must be a DataFrame (or a dict of columns) with periods naming its "
                "columns, or None with periods a list of arrays"
            )
        names = [str(p) for p in periods]
        series = [as_float_array(column(data, p, "period"), f"period {p!r}") for p in periods]
        if isinstance(weights, str):
            weights = column(data, weights, "weights")
    else:
        names = [f"t{t}" for t in range(len(periods))]
        series = [as_float_array(p, f"period {t}") for t, p in enumerate(periods)]
    w = None if weights is None else as_float_array(weights, "weights")
    report, pooled, transitions = _mobility.panel(
        series, names, w, k=k, rule=rule, weight_kind=weights_kind
    )
    return Panel(report, pooled, transitions)
