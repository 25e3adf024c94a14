"""One row per group or place (a ``by=`` column: region, cohort, sex): matrix, measures, rank
measures, levelling up and how far downward mobility falls, against the national distribution
(the Rust core's ``mobility::groups``).

Two bases for a group's matrix and rank-rank line (``ranks=``):

- ``"national"`` (default; Chetty et al. 2014 for commuting zones): classes against the whole
  sample's quantiles, rank-rank line on national ranks. The matrix is then not bistochastic and
  its shares show where the group sits in the nation;
- ``"local"``: classes and ranks within the group (mobility inside a closed population).

Levelling up and the downward fall are always against the national distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

from . import _mobility
from ._input import as_float_array, check_k, label_codes, missing_error, resolve_pairs
from ._mobility import Cutoffs, MobilityError
from ._results import Record
from .levelling import Levelling
from .rankbased import RANK_FIELDS, RankMobility

__all__ = ["by_group", "GroupTable", "GroupRow", "DownwardFall"]


@dataclass(frozen=True, eq=False)
class DownwardFall(Record):
    """How far downward mobility goes in a group: children who end in a lower national class
    than their parents. ``share`` of the group; their mean fall in national rank points
    (0-100), in multiples of the national median (``x_p / m_p - x_c / m_c``) and in classes
    (None when nobody falls)."""

    share: float
    mean_fall_rank_points: Optional[float]
    mean_fall_median_multiples: Optional[float]
    mean_fall_classes: Optional[float]


@dataclass(frozen=True, eq=False)
class GroupRow(Record):
    """One group's row: label, size, matrix (a :class:`mobility.TransitionMatrix`), its
    canonical measures, rank measures (None when undefined), levelling and downward fall."""

    group: Any
    units: int
    weight: float
    population_share: float
    matrix: Any
    measures: Dict[str, Optional[float]]
    rank: Optional[RankMobility]
    levelling: Levelling
    fall: DownwardFall

    def to_dict(self) -> Dict[str, Any]:
        """Plain data; the matrix as its own :meth:`TransitionMatrix.to_dict`."""
        d = super().to_dict()
        d["matrix"] = self.matrix.to_dict()
        return d


#: Rank columns of :meth:`GroupTable.to_frame`.
_RANK_COLUMNS = tuple(
    k for k in RANK_FIELDS if k not in ("n", "total_weight", "rank_basis", "share_child_rank_equal_parent")
)


class GroupTable:
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
    - :attr:`matrices`: ``{label: TransitionMatrix}``; ``table[label]`` one :class:`GroupRow`;
    - :attr:`national`: the whole sample's matrix, with its cut-offs and medians.
    """

    __slots__ = (
        "k", "rule", "basis", "national", "national_parent_cutoffs", "national_child_cutoffs",
        "national_parent_median", "national_child_median", "rows", "empty_groups", "n_dropped",
    )

    def __init__(
        self,
        k: int,
        rule: str,
        basis: str,
        national: Any,
        national_parent_cutoffs: Cutoffs,
        national_child_cutoffs: Cutoffs,
        national_parent_median: float,
        national_child_median: float,
        rows: List[GroupRow],
        empty_groups: List[Any],
        n_dropped: int = 0,
    ) -> None:
        self.k = k
        self.rule = rule
        self.basis = basis
        self.national = national
        self.national_parent_cutoffs = national_parent_cutoffs
        self.national_child_cutoffs = national_child_cutoffs
        self.national_parent_median = national_parent_median
        self.national_child_median = national_child_median
        self.rows = rows
        self.empty_groups = empty_groups
        self.n_dropped = n_dropped

    @property
    def groups(self) -> List[Any]:
        """The group labels, in row order (sorted where the labels sort)."""
        return [r.group for r in self.rows]

    @property
    def matrices(self) -> Dict[Any, Any]:
        """``{label: TransitionMatrix}`` (national or local classes per the basis)."""
        return {r.group: r.matrix for r in self.rows}

    def __getitem__(self, label: Any) -> GroupRow:
        for r in self.rows:
            if r.group == label:
                return r
        raise KeyError(f"{label!r} is not a group of this table")

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[GroupRow]:
        return iter(self.rows)

    def to_frame(self) -> Any:
        """The tidy DataFrame, one row per group (see the class docs)."""
        import pandas as pd

        def nan(v: Any) -> Any:
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
            lev, d, t, f = r.levelling, r.levelling.decomposition, r.levelling.top_access, r.fall
            row.update(
                {
                    "total_mobility": d.total,
                    "structural_mobility": d.structural,
                    "exchange_mobility": d.exchange,
                    "levelling_up": lev.levelling_up,
                    "mean_parent_class": lev.mean_parent_class,
                    "mean_child_class": lev.mean_child_class,
                    "bottom_share_change": lev.bottom_share_change,
                    "top_share_change": lev.top_share_change,
                    "fall_share": f.share,
                    "mean_fall_rank_points": nan(f.mean_fall_rank_points),
                    "mean_fall_median_multiples": nan(f.mean_fall_median_multiples),
                    "mean_fall_classes": nan(f.mean_fall_classes),
                    "middle_to_top": nan(t.middle_to_top),
                    "top_access_ratio": nan(t.ratio),
                }
            )
            records.append(row)
        return pd.DataFrame(records)

    def to_dict(self) -> Dict[str, Any]:
        """Plain Python data (as ``mobility places --by ... --json``, with the labels)."""
        return {
            "k": self.k,
            "rule": self.rule,
            "basis": self.basis,
            "national": self.national.to_dict(),
            "national_parent_cutoffs": _cutoffs_dict(self.national_parent_cutoffs),
            "national_child_cutoffs": _cutoffs_dict(self.national_child_cutoffs),
            "national_parent_median": self.national_parent_median,
            "national_child_median": self.national_child_median,
            "rows": [r.to_dict() for r in self.rows],
            "empty_groups": list(self.empty_groups),
        }

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        return (
            GroupTable,
            tuple(getattr(self, name) for name in GroupTable.__slots__),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GroupTable):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"GroupTable(k={self.k}, {len(self.rows)} groups, {self.basis} ranks, "
            f"rule={self.rule!r})"
        )

    def _repr_html_(self) -> str:
        try:
            frame = self.to_frame()
        except ImportError:  # pragma: no cover
            return f"<pre>{self!r}</pre>"
        import html

        cols = [
            "group", "units", "share", "levelling_up", "structural_mobility",
            "exchange_mobility", "bottom_to_top", "top_access_ratio", "rank_rank_slope",
            "absolute_upward_mobility", "mean_fall_rank_points",
        ]
        return f"<p>{html.escape(repr(self))}</p>" + frame[cols].to_html(
            index=False, max_rows=30, float_format=lambda v: f"{v:.3f}"
        )


def _ordered(measures: Dict[str, Any]) -> Dict[str, Optional[float]]:
    """Measures in FORMULAS.md order (the serde bridge sorts keys)."""
    from ._matrix import MEASURES

    return {name: measures.get(name) for name in MEASURES}


def _cutoffs_dict(c: Cutoffs) -> Dict[str, Any]:
    import json

    return json.loads(c.to_json())


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
    pi: Any = "parent",
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
    from ._matrix import TransitionMatrix, _drop_missing, _pi_arg

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
    p_obj, c_obj, w_obj, extras, index, _ = resolve_pairs(
        "by_group", data, child, weights, parent, {"groups": labels_obj}
    )
    p = as_float_array(p_obj, "parent status")
    c = as_float_array(c_obj, "child status")
    w = None if w_obj is None else as_float_array(w_obj, "weights")
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
    rows = []
    for r in raw["rows"]:
        rows.append(
            GroupRow(
                group=labels[r["group"]],
                units=r["units"],
                weight=r["weight"],
                population_share=r["population_share"],
                matrix=TransitionMatrix(r["matrix"]),
                measures=_ordered(r["measures"]),
                rank=None if r["rank"] is None else RankMobility._from(r["rank"]),
                levelling=Levelling._from(r["levelling"]),
                fall=DownwardFall(**r["fall"]),
            )
        )
    return GroupTable(
        k=raw["k"],
        rule=raw["rule"],
        basis=raw["basis"],
        national=TransitionMatrix(raw["national"]),
        national_parent_cutoffs=raw["national_parent_cutoffs"],
        national_child_cutoffs=raw["national_child_cutoffs"],
        national_parent_median=raw["national_parent_median"],
        national_child_median=raw["national_child_median"],
        rows=rows,
        empty_groups=[labels[g] for g in raw["empty_groups"]],
        n_dropped=n_dropped,
    )
