"""Levelling up versus social mobility, for a place or a group, against the national
distribution (the Rust core's ``mobility::places``).

With classes cut at **national** quantiles, a place's matrix says both how its children moved
within the distribution (social, or positional, mobility) and how the place's distribution itself
moved between the generations (levelling up)::

    f_ij = pi_i p_ij                   the place's joint table over national classes
    T = 1 - sum_i f_ii                 total mobility (share changing class)
    S = 1/2 sum_i |f_i. - f_.i|        structural mobility: forced by the change of shares
    E = T - S                          exchange mobility: reshuffling beyond it
    levelling_up = sum_j j f_.j - sum_i i f_i.     mean national class, children minus parents

- :meth:`TransitionMatrix.decompose` -> :class:`Decomposition` (``total``, ``structural``,
  ``exchange``); :meth:`TransitionMatrix.levelling` -> :class:`Levelling`;
- :func:`read_place_matrices` reads published place matrices (Chetty et al. 2014, Online Data
  Table 6: 741 US commuting zones); :func:`places_report` ranks places on both axes and lists
  those that do well on one and badly on the other (:class:`PlacesReport`);
- for microdata with a place or group column, see :func:`mobility.by_group`.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from ._optional import require
from . import _mobility
from ._mobility import MobilityError
from ._results import FloatArray, MeasureValues, Record, Weighting, frame_html

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._args import Pi
    from ._matrix import TransitionMatrix

__all__ = [
    "Decomposition",
    "TopAccess",
    "Levelling",
    "PlaceTable",
    "PlacesReport",
    "PlacesOptions",
    "PlaceRow",
    "ExcludedPlace",
    "Contrast",
    "MOBILITY_SCORES",
    "read_place_matrices",
    "places_report",
]

#: The social-mobility axes :func:`places_report` takes (the core's ``MobilityScore`` names).
MOBILITY_SCORES: Tuple[str, ...] = tuple(_mobility.option_names("mobility_score"))


class Decomposition(Record):
    """Total, structural and exchange mobility: ``T = 1 - sum_i f_ii``,
    ``S = 1/2 sum_i |f_i. - f_.i|``, ``E = T - S`` (Sobel 1983;
    docs/FORMULAS.md#structural-exchange)."""

    total: float
    structural: float
    exchange: float


class TopAccess(Record):
    """Access to the top class from the bottom against from the middle (``m = ceil(k/2)``):
    ``bottom_to_top = p_1k``, ``middle_to_top = p_mk``, ``ratio = p_1k / p_mk`` (None where
    undefined)."""

    middle_class: int
    bottom_to_top: Optional[float]
    middle_to_top: Optional[float]
    ratio: Optional[float]


class Levelling(Record):
    """Levelling up and social mobility of one place or group over national classes.

    ``parent_shares`` and ``child_shares`` (``f_i.``, ``f_.j``), ``decomposition``
    (:class:`Decomposition`), ``mean_parent_class`` and ``mean_child_class`` (1-based),
    ``levelling_up`` (their difference, in national classes), ``bottom_share_change``
    (``f_1. - f_.1``), ``top_share_change`` (``f_.k - f_k.``), ``upward_share`` and
    ``downward_share`` (of the joint table), ``mean_fall_classes`` (the mean drop of those who
    end below their parents' class; None when nobody falls) and ``top_access``
    (:class:`TopAccess`).
    """

    k: int
    parent_shares: FloatArray
    child_shares: FloatArray
    decomposition: Decomposition
    mean_parent_class: float
    mean_child_class: float
    levelling_up: float
    bottom_share_change: float
    top_share_change: float
    upward_share: float
    downward_share: float
    mean_fall_classes: Optional[float]
    top_access: TopAccess

    def columns(self) -> Dict[str, Optional[float]]:
        """The flat columns of the group and place frames: ``total_mobility``,
        ``structural_mobility``, ``exchange_mobility``, ``levelling_up``,
        ``mean_parent_class``, ``mean_child_class``, ``bottom_share_change``,
        ``top_share_change``, ``mean_fall_classes``, ``middle_to_top``, ``top_access_ratio``."""
        d, t = self.decomposition, self.top_access
        return {
            "total_mobility": d.total,
            "structural_mobility": d.structural,
            "exchange_mobility": d.exchange,
            "levelling_up": self.levelling_up,
            "mean_parent_class": self.mean_parent_class,
            "mean_child_class": self.mean_child_class,
            "bottom_share_change": self.bottom_share_change,
            "top_share_change": self.top_share_change,
            "mean_fall_classes": self.mean_fall_classes,
            "middle_to_top": t.middle_to_top,
            "top_access_ratio": t.ratio,
        }


# ---------------------------------------------------------------------------------------------
# Published place matrices
# ---------------------------------------------------------------------------------------------


class PlaceTable(Record):
    """One place's published matrix and shares over national classes.

    ``probabilities``: ``p_ij`` = P(child in national class j | parent in national class i),
    parents in rows (None when a cell is suppressed); ``parent_shares`` and ``child_shares``
    over national classes (None when not given in full); ``size`` a population column when the
    file has one.
    """

    id: str
    name: str = ""
    region: str = ""
    size: Optional[float] = None
    probabilities: Optional[FloatArray] = None
    parent_shares: Optional[FloatArray] = None
    child_shares: Optional[FloatArray] = None


def read_place_matrices(path: Union[str, "os.PathLike[str]"]) -> List[PlaceTable]:
    """Read place matrices in the layout of Chetty et al. (2014), Online Data Table 6: one row
    per place, cells ``p_par{i}_kid{j}``, shares ``frac_par_q{i}`` and ``frac_kid_q{j}``.

    The first column is the place identifier; a column named ``*name`` gives the name,
    ``state`` or ``region`` the region, the first ``n_*`` column the size. A place with an
    empty (suppressed) cell has ``probabilities = None``; it is kept so it can be counted.
    Values are kept as printed (see :func:`places_report` for the cleaning).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path, not {type(path).__name__}")
    return [PlaceTable.from_value(d) for d in _mobility.read_place_matrices(os.fspath(path))]


class Contrast(Record):
    """A place that does well on one axis and badly on the other."""

    id: str
    name: str
    region: str
    levelling_rank: int
    mobility_rank: int


class ExcludedPlace(Record):
    """A place left out of the ranking, and why."""

    id: str
    name: str
    reason: str


class PlacesOptions(Record):
    """The options of a places report (the core's ``PlacesOptions``)."""

    mobility_score: str
    row_tolerance: float
    contrast_fraction: float
    weighting: Weighting


class PlaceRow(Record):
    """One ranked place: both scores with their ranks (1 = best), the rows rescaled, the gap
    between the printed and the implied child shares, its :class:`Levelling` and every
    canonical measure."""

    id: str
    name: str
    region: str
    size: Optional[float]
    levelling_score: float
    mobility_score: float
    levelling_rank: int
    mobility_rank: int
    rows_renormalised: int
    child_share_gap: float
    levelling: Levelling
    measures: MeasureValues


def _nan(v: Optional[float]) -> float:
    return np.nan if v is None else v


class PlacesReport(Record):
    """Places ranked on levelling up and on social mobility, side by side.

    - :meth:`to_frame`: one row per ranked place (file order, or ``sort_by``): ``id``,
      ``name``, ``region``, ``size``, the two axes ``levelling_score`` (mean national class of
      children minus that of parents) and ``mobility_score`` (the chosen measure) with their
      ranks (1 = best), the structural/exchange split, share changes, mean fall, access to the
      top, ``rows_renormalised``, ``child_share_gap`` and every canonical measure;
    - :attr:`levelling_not_mobility` / :attr:`mobility_not_levelling`: the contrast lists
      (:class:`Contrast`), also as one frame from :meth:`contrasts`;
    - :attr:`excluded`: places left out and why; :attr:`score_correlation`: Spearman's
      correlation of the two axes across places; the cleaning counts (``rows_renormalised``,
      ``places_renormalised``, ``max_row_deviation``); :attr:`options`.

    ``to_dict()`` is the core's serde form (``mobility places --matrices --json``).
    """

    k: int
    options: PlacesOptions
    places: List[PlaceRow]
    excluded: List[ExcludedPlace]
    rows_renormalised: int
    places_renormalised: int
    max_row_deviation: float
    score_correlation: Optional[float]
    levelling_not_mobility: List[Contrast]
    mobility_not_levelling: List[Contrast]

    @property
    def mobility_score(self) -> str:
        """The social-mobility axis."""
        return self.options.mobility_score

    def __len__(self) -> int:
        return len(self.places)

    def levelling(self, place_id: str) -> Levelling:
        """The full :class:`Levelling` of one ranked place (KeyError if it is not ranked)."""
        for p in self.places:
            if p.id == place_id:
                return p.levelling
        raise KeyError(f"{place_id!r} is not a ranked place")

    def to_frame(self, sort_by: Optional[str] = None) -> "pd.DataFrame":
        """One row per ranked place (see the class docs). ``sort_by``: ``"levelling"`` or
        ``"mobility"`` orders by that rank (best first); file order otherwise."""
        require("pandas")
        import pandas as pd

        if sort_by is not None and sort_by not in ("levelling", "mobility"):
            raise MobilityError(
                f"invalid sort_by: {sort_by!r}; expected 'levelling' or 'mobility'"
            )
        rows = []
        for p in self.places:
            row: Dict[str, Any] = {
                "id": p.id,
                "name": p.name,
                "region": p.region,
                "size": _nan(p.size),
                "levelling_score": p.levelling_score,
                "levelling_rank": p.levelling_rank,
                "mobility_score": p.mobility_score,
                "mobility_rank": p.mobility_rank,
            }
            lev = p.levelling.columns()
            del lev["levelling_up"]  # the levelling score
            row.update({k: _nan(v) for k, v in lev.items()})
            row["rows_renormalised"] = p.rows_renormalised
            row["child_share_gap"] = p.child_share_gap
            row.update({k: _nan(v) for k, v in p.measures.items()})
            rows.append(row)
        frame = pd.DataFrame(rows)
        if sort_by is not None:
            frame = frame.sort_values(f"{sort_by}_rank").reset_index(drop=True)
        out: pd.DataFrame = frame
        return out

    def contrasts(self) -> "pd.DataFrame":
        """Both contrast lists as one DataFrame with a ``contrast`` column
        (``"levelling_not_mobility"`` or ``"mobility_not_levelling"``)."""
        require("pandas")
        import pandas as pd

        rows = [
            {"contrast": kind, **c.to_dict()}
            for kind, items in (
                ("levelling_not_mobility", self.levelling_not_mobility),
                ("mobility_not_levelling", self.mobility_not_levelling),
            )
            for c in items
        ]
        columns = ["contrast", *Contrast.fields()]
        out: pd.DataFrame = pd.DataFrame(rows, columns=columns)
        return out

    def __repr__(self) -> str:
        corr = self.score_correlation
        return (
            f"PlacesReport(k={self.k}, {len(self)} places ranked, {len(self.excluded)} "
            f"excluded, mobility_score={self.mobility_score!r}, "
            f"score_correlation={'None' if corr is None else f'{corr:+.3f}'})"
        )

    def _repr_html_(self) -> str:
        cols = [
            "id", "name", "region", "levelling_score", "levelling_rank",
            "mobility_score", "mobility_rank", "structural_mobility", "exchange_mobility",
        ]
        return frame_html(self, self.to_frame, cols, 4, max_rows=20)


def _place_json(
    places: Union[str, "os.PathLike[str]", Sequence[PlaceTable], Mapping[str, "TransitionMatrix"]],
) -> str:
    """The core's PlaceTable list as JSON text, from a path, PlaceTables or matrices."""
    from ._matrix import TransitionMatrix

    if isinstance(places, (str, os.PathLike)):
        places = read_place_matrices(places)
    items: List[Dict[str, Any]] = []
    if isinstance(places, Mapping):
        for name, tm in places.items():
            if not isinstance(tm, TransitionMatrix):
                raise TypeError(
                    f"places as a mapping must map names to TransitionMatrix objects; "
                    f"{name!r} maps to {type(tm).__name__}"
                )
            items.append(
                {
                    "id": str(name),
                    "name": str(name),
                    "region": "",
                    "size": tm.n,
                    "probabilities": tm.probabilities.tolist(),
                    "parent_shares": tm.parent_shares.tolist(),
                    "child_shares": tm.child_shares.tolist(),
                }
            )
    elif isinstance(places, Sequence) and all(isinstance(p, PlaceTable) for p in places):
        items = [p.to_dict() for p in places if isinstance(p, PlaceTable)]
    else:
        raise TypeError(
            "places must be a file path (Chetty et al. 2014 table 6 layout), a list of "
            "PlaceTable (from read_place_matrices) or a mapping name -> TransitionMatrix, "
            f"not {type(places).__name__}"
        )
    return json.dumps(items, allow_nan=False)


def places_report(
    places: Union[str, "os.PathLike[str]", Sequence[PlaceTable], Mapping[str, "TransitionMatrix"]],
    mobility_score: str = "bottom_to_top",
    *,
    row_tolerance: float = 0.01,
    contrast_fraction: float = 0.2,
    pi: "Pi" = "parent",
) -> PlacesReport:
    """Rank places on levelling up and on social mobility, and list the places that do well on
    one and badly on the other.

    ``places``: a file path in the layout of Chetty et al. (2014), Online Data Table 6 (e.g.
    ``shared/data/chetty2014_cz/table6_cz_quintile_matrices.csv``, 741 commuting zones), a list
    of :class:`PlaceTable`, or a mapping name -> :class:`TransitionMatrix` over national classes
    (with their parent shares).

    Axes::

        levelling score = sum_j j f_.j - sum_i i f_i.     f = pi_i p_ij over national classes
        mobility score  = p_1k ("bottom_to_top", default), 1 - p_11 ("upward_from_bottom"),
                          p_1k / p_mk ("top_access_ratio") or (k - tr P)/(k - 1)
                          ("shorrocks_trace")

    Cleaning: a place with a suppressed cell or without parent shares is excluded; rows (and
    the parent shares) within ``row_tolerance`` of summing to 1 are rescaled and counted,
    further ones exclude the place; child shares are ``parent shares . P``. Ranks: 1 = highest
    score, ties in file order; "does well" = the top ``contrast_fraction`` of ranked places.
    ``pi`` weights the matrix measures. Milliseconds for 741 places.
    """
    from ._args import _pi_arg

    if not isinstance(mobility_score, str):
        raise TypeError(f"mobility_score must be a string, not {type(mobility_score).__name__}")
    data = _mobility.places_report(
        _place_json(places),
        mobility_score=mobility_score,
        row_tolerance=float(row_tolerance),
        contrast_fraction=float(contrast_fraction),
        pi=_pi_arg(pi),
    )
    return PlacesReport.from_value(data)
