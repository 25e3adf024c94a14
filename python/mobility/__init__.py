"""mobility: social mobility measurement, from paired parent/child status to every standard
measure, with a Rust core.

The data path, top to bottom (each step callable on its own)::

    status (incomes, scores)  ->  fractional ranks      mobility.fractional_ranks
                              ->  classes (cut-offs)    mobility.Cutoffs
                              ->  transition matrix P   mobility.transition_matrix
                              ->  measures              TransitionMatrix.measures / .summary
                              ->  inference             TransitionMatrix.bootstrap / .standard_errors
                              ->  dynamics              mobility.markov

Beyond the matrix, from the same pairs: rank measures (:func:`rank_mobility`: rank-rank slope,
absolute upward mobility, Spearman, Kendall's tau-b, IGE, absolute mobility), groups and places
(:func:`by_group`), levelling up against social mobility (:meth:`TransitionMatrix.decompose`,
:meth:`TransitionMatrix.levelling`, :func:`places_report`), and comparisons of groups or periods
(:func:`homogeneity`, :func:`altham_bootstrap`, :func:`bootstrap_difference`).

Notation (docs/FORMULAS.md#notation): classes ``1..k`` numbered from the bottom; matrices have the origin
(parent) in rows, ``p_ij = P(child in j | parent in i)``; ``pi`` the origin weights of summary
measures (parent shares by default).

Quick start::

    import mobility
    tm = mobility.transition_matrix(df, parent="parent_income", child="child_income",
                                    quantiles=5)
    tm.measures()      # dict: every canonical measure by name
    tm.summary()       # pandas DataFrame: measure, value, description
    tm.plot()          # heat map (matplotlib)
    tm = mobility.transition_matrix(df, parent="p", child="c", bootstrap=1000, seed=1)
    tm.inference.to_frame()   # estimate, se, ci_low, ci_high for every measure and cell

Beyond memory and one machine: :func:`transition_matrix` streams a polars ``LazyFrame``, a
pyarrow dataset or a Parquet / CSV path in batches (exact cut-offs from mergeable summaries);
``mobility.dask`` and ``mobility.spark`` (``import`` them explicitly; extras ``dask``, ``spark``)
give the same matrices from distributed DataFrames, and ``mobility.dask.poisson_bootstrap`` a
bootstrap that does not depend on the partitioning.

Errors: bad inputs raise :class:`MobilityError` (a ``ValueError``) with the core's message;
wrong types raise ``TypeError``.
"""

# Only the public API is bound here (test_api.py: dir(mobility) is __all__ plus submodules):
# helpers are imported under private names and no `from __future__` feature is bound.
from typing import Any as _Any, List as _List, Tuple as _Tuple

from . import _mobility
from ._results import FloatArray as _FloatArray
from ._input import ColumnNotFoundError
from ._input import as_float_array as _as_float_array
from ._matrix import MEASURES, TransitionMatrix, describe, transition_matrix
from ._report import report
from ._mobility import Cutoffs, MobilityError
from . import groups, inference, levelling, markov, measures, published, rankbased
from . import ranking
from ._simulate import gaussian_copula_matrix, simulate
from .groups import *  # noqa: F401,F403 - the names in groups.__all__, and so on below
from .inference import *  # noqa: F401,F403
from .levelling import *  # noqa: F401,F403
from .markov import *  # noqa: F401,F403
from .measures import *  # noqa: F401,F403
from .rankbased import *  # noqa: F401,F403
from .ranking import *  # noqa: F401,F403
from ._warnings import MobilityWarning
from .panel import Panel, panel_transition_matrix

__version__: str = _mobility.__version__

# Python-raised MobilityErrors carry the same attributes as the core's (None there).
MobilityError.kind = None
MobilityError.details = None

#: The tie rules ``transition_matrix(rule=...)`` takes (the core's ``Rule::NAMES``).
RULES: _Tuple[str, ...] = tuple(_mobility.option_names("rule"))

#: The weight kinds ``transition_matrix(weights_kind=...)`` takes (the core's ``WeightKind``).
WEIGHT_KINDS: _Tuple[str, ...] = tuple(_mobility.option_names("weight_kind"))


def fractional_ranks(values: _Any, weights: _Any = None) -> _FloatArray:
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


def class_labels(k: int) -> _List[str]:
    """Display labels: Q1..Q4 / Q1..Q5, D1..D10, P1..P100, otherwise C1..Ck."""
    return _mobility.class_labels(int(k))


__all__ = [
    "__version__",
    "MobilityError",
    "MobilityWarning",
    "Panel",
    "panel_transition_matrix",
    "WEIGHT_KINDS",
    "ColumnNotFoundError",
    "TransitionMatrix",
    "transition_matrix",
    "report",
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
    "inference",
    "rankbased",
    "groups",
    "levelling",
    "simulate",
    "gaussian_copula_matrix",
    "ranking",
]
# measures, Markov dynamics, inference, rank measures, groups, places and levelling up
__all__ += measures.__all__
__all__ += markov.__all__
__all__ += inference.__all__
__all__ += rankbased.__all__
__all__ += groups.__all__
__all__ += levelling.__all__
__all__ += ranking.__all__
