"""One row per group or place (a ``by=`` column: region, cohort, sex): matrix, measures, rank
measures, levelling up and how far downward mobility falls, against the national distribution
(the Rust core's ``mobility::places::groups``).

Two bases for a group's matrix and rank-rank line (``ranks=``):

- ``"national"`` (default; Chetty et al. 2014 for commuting zones): classes against the whole
  sample's quantiles, rank-rank line on national ranks. The matrix is then not bistochastic and
  its shares show where the group sits in the nation;
- ``"local"``: classes and ranks within the group (mobility inside a closed population).

Levelling up and the downward fall are always against the national distribution.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Dict, Hashable, Iterator, List, Optional, Sequence

import numpy as np

from ._optional import require
from . import _mobility
from ._input import check_k, label_codes, missing_error, resolve_pairs
from ._matrix import TransitionMatrix
from ._mobility import Cutoffs, MobilityError
from ._results import MeasureValues, Record, frame_html, local
from .levelling import Levelling
from .rankbased import RankMobility

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._args import Pi

__all__ = ["by_group", "GroupTable", "GroupRow", "DownwardFall"]


class DownwardFall(Record):
    """How far downward mobility goes in a group: children who end in a lower national class
    than their parents. ``share`` of the group; their mean fall in national rank points
    (0-100), in multiples of the national median (``x_p / m_p - x_c / m_c``) and in classes
    (None when nobody falls)."""

    share: float
    mean_fall_rank_points: Optional[float]
    mean_fall_median_multiples: Optional[float]
    mean_fall_classes: Optional[float]


class GroupRow(Record):
    """One group's row: label, size, matrix (a :class:`mobility.TransitionMatrix`), its
    canonical measures, rank measures (None when undefined), levelling and downward fall.
    ``to_dict()`` gives the matrix as its own :meth:`TransitionMatrix.to_dict`."""

    group: Hashable
    units: int
    weight: float
    population_share: float
    matrix: TransitionMatrix
    measures: MeasureValues
    rank: Optional[RankMobility]
    levelling: Levelling
    fall: DownwardFall


#: Rank columns of :meth:`GroupTable.to_frame`.
_RANK_COLUMNS = tuple(
    k
    for k in RankMobility.fields()
    if k not in ("n", "total_weight", "rank_basis", "share_child_rank_equal_parent")
)


class GroupTable(Record):
    """The table :func:`by_group` returns: one :class:`GroupRow` per group, with the national
    reference.

    - :meth:`to_frame`: the tidy pandas DataFrame, one row per group: ``group``, ``units``,
      ``weight``, ``share`` (of the total weight), the canonical measures, the rank measures
      (``rank_rank_slope``, ``rank_rank_intercept``, ``absolute_upward_mobility``,
      ``spearman``, ``kendall_tau_b``, ``share_child_rank_above_parent``, ``ige``,
      ``ige_dropped``, ``absolute_mobility``, ``absolute_mobility_at_least``), the
      decomposition (``total_mobility``, ``structural_mobility``, ``exchange_mobility``), the
      levelling-up score (``levelling_up``, ``mean_parent_class``, ``mean_child_class``,
      ``bottom_share_change``, ``top_share_change``), the fall (``fall_share``,
      ``mean_fall_rank_points``, ``mean_fall_median_multiples``, ``mean_fall_classes``) and
      access to the top (``middle_to_top``, ``top_access_ratio``);
    - :attr:`matrices`: ``{label: TransitionMatrix}``; ``table[label]`` one :class:`GroupRow`,
      iteration goes over the rows;
    - :attr:`national`: the whole sample's matrix, with its cut-offs and medians.

    ``to_dict()`` is the core's serde form (as ``mobility places --by ... --json``, with the
    labels); ``n_dropped`` (rows dropped with ``dropna=True``) is outside it.
    """

    k: int
    rule: str
    basis: str
    national: TransitionMatrix
    national_parent_cutoffs: Cutoffs
    national_child_cutoffs: Cutoffs
    national_parent_median: float
    national_child_median: float
    rows: List[GroupRow]
    empty_groups: List[Hashable]
    n_dropped: int = local(0)

    @property
    def groups(self) -> List[Hashable]:
        """The group labels, in row order (sorted where the labels sort)."""
        return [r.group for r in self.rows]

    @property
    def matrices(self) -> Dict[Hashable, TransitionMatrix]:
        """``{label: TransitionMatrix}`` (national or local classes per the basis)."""
        return {r.group: r.matrix for r in self.rows}

    def __getitem__(self, label: Hashable) -> GroupRow:
        for r in self.rows:
            if r.group == label:
                return r
        raise KeyError(f"{label!r} is not a group of this table")

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[GroupRow]:  # type: ignore[override]
        return iter(self.rows)

    def to_frame(self) -> "pd.DataFrame":
        """The tidy DataFrame, one row per group (see the class docs)."""
        require("pandas")
        import pandas as pd

        def nan(v: Optional[float]) -> float:
            return np.nan if v is None else v

        records = []
        for r in self.rows:
            row: Dict[str, Any] = {
                "group": r.group,
                "units": r.units,
                "weight": r.weight,
                "share": r.population_share,
            }
            row.update({k: nan(v) for k, v in r.measures.items()})
            for key in _RANK_COLUMNS:
                row[key] = np.nan if r.rank is None else nan(getattr(r.rank, key))
            lev, f = r.levelling.columns(), r.fall
            del lev["mean_fall_classes"]  # the fall's, below
            top = {key: nan(lev.pop(key)) for key in ("middle_to_top", "top_access_ratio")}
            row.update(lev)
            row.update(
                {
                    "fall_share": f.share,
                    "mean_fall_rank_points": nan(f.mean_fall_rank_points),
                    "mean_fall_median_multiples": nan(f.mean_fall_median_multiples),
                    "mean_fall_classes": nan(f.mean_fall_classes),
                }
            )
            row.update(top)
            records.append(row)
        out: pd.DataFrame = pd.DataFrame(records)
        return out

    def __repr__(self) -> str:
        return (
            f"GroupTable(k={self.k}, {len(self.rows)} groups, {self.basis} ranks, "
            f"rule={self.rule!r})"
        )

    def _repr_html_(self) -> str:
        cols = [
            "group", "units", "share", "levelling_up", "structural_mobility",
            "exchange_mobility", "bottom_to_top", "top_access_ratio", "rank_rank_slope",
            "absolute_upward_mobility", "mean_fall_rank_points",
        ]
        return frame_html(self, self.to_frame, cols, 3, max_rows=30)


def by_group(
    data: Any = None,
    child: Any = None,
    by: Any = None,
    weights: Any = None,
    quantiles: int = 5,
    ranks: str = "national",
    *,
    parent: Any = None,
    groups: Any = None,
    rule: str = "midrank",
    pi: "Pi" = "parent",
    dropna: bool = False,
) -> GroupTable:
    """Mobility per group: matrix, measures, rank measures, levelling up and downward fall, one
    row per group, against the national (whole-sample) distribution::

        national:  classes c_p(u), c_c(u) against the whole sample's quantile cut-offs,
                   mid-ranks r_p(u), r_c(u), medians m_p, m_c
        group g:   n^g_ij = sum_{u in g} w_u [c_p(u) = i][c_c(u) = j]
                   fall:  mean of 100 (r_p - r_c), x_p/m_p - x_c/m_c, i - j over units with j < i

    Call forms::

        by_group(df, parent="parent_income", child="child_income", by="region", weights="w")
        by_group(parent_values, child_values, groups=region_labels, weights=w)

    ``by`` (a column name with a DataFrame) or ``groups`` (an array) holds the group labels:
    strings, numbers or categories (rows are sorted by label where the labels sort). ``ranks``:
    ``"national"`` (default) or ``"local"`` (see the module docs). ``quantiles`` = k classes
    by ``rule``; ``pi`` weights the matrix measures. Missing values (labels included) raise
    unless ``dropna=True``. Groups whose weights are all zero are listed in ``empty_groups``.

    Returns a :class:`GroupTable` (``.to_frame()``, ``.matrices``, ``.national``).
    """
    from ._args import _drop_missing, _pi_arg

    k = check_k(quantiles)
    if not isinstance(rule, str):
        raise TypeError(f"rule must be a string, not {type(rule).__name__}")
    if not isinstance(ranks, str):
        raise TypeError(f"ranks must be 'national' or 'local', not {type(ranks).__name__}")
    if by is not None and groups is not None:
        raise TypeError("give the group labels once: by= (a column name or array) or groups=")
    labels_obj = by if by is not None else groups
    if labels_obj is None:
        raise TypeError(
            "by_group() needs the group labels: by='column' with a DataFrame, or groups=array"
        )
    p, c, w, extras, index, _ = resolve_pairs(
        "by_group", data, child, weights, parent, {"groups": labels_obj}
    )
    codes, labels, missing = label_codes(extras["groups"], "group labels")
    if codes.shape[0] != p.shape[0]:
        raise MobilityError(f"groups: expected {p.shape[0]} values, found {codes.shape[0]}")
    n_dropped = 0
    if dropna:
        keep_codes = codes
        p, c, w, n_dropped, keep = _drop_missing(p, c, w, missing)
        if keep is not None:
            keep_codes = codes[keep]
        codes = np.ascontiguousarray(keep_codes)
    else:
        if missing.any():
            first = int(np.flatnonzero(missing)[0])
            raise MobilityError(
                f"group labels have {int(missing.sum())} missing values (None, NaN or NA); the "
                f"first at row {first}. Pass dropna=True to drop incomplete rows."
            )
        if p.shape == c.shape and (w is None or w.shape == p.shape):
            err = missing_error([("parent status", p), ("child status", c), ("weights", w)], index)
            if err is not None:
                raise err
    raw = _mobility.by_group(
        p, c, codes, w, k=k, rule=rule, ranks=ranks, pi=_pi_arg(pi)
    )
    table = GroupTable.from_value(raw, n_dropped=n_dropped)
    # the core numbers the groups 0, 1, ...: give the rows their labels
    return dataclasses.replace(
        table,
        rows=[dataclasses.replace(r, group=labels[_code(r.group)]) for r in table.rows],
        empty_groups=[labels[_code(g)] for g in table.empty_groups],
    )


def _code(g: Hashable) -> int:
    assert isinstance(g, int)
    return g
