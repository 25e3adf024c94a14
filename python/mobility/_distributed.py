"""The plumbing :mod:`mobility.dask` and :mod:`mobility.spark` share: the argument and column
checks, the pipeline for a matrix (or per-group matrices) and the results assembled from the
finished pipeline. Each backend brings only a :data:`Runner`, how every pass of a pipeline
runs over its partitions (``mobility._stream.drive`` with its own ``run_pass``)."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ._mobility import Cutoffs, StreamPipeline
from ._stream import Columns, PartStats, finish_groups, finish_matrix, make_pipeline

__all__ = ["Runner", "check_quantiles_rule", "require_columns", "matrix", "group_matrices"]

#: Runs every pass of a pipeline over the partitions: ``(pipeline.finish(), stats)``.
Runner = Callable[[StreamPipeline], Tuple[Dict[str, Any], PartStats]]


def check_quantiles_rule(quantiles: int, rule: Any) -> int:
    """The number of classes ``k`` (``check_k``), once ``rule`` is known to be a string."""
    from ._input import check_k

    k = check_k(quantiles)
    if not isinstance(rule, str):
        raise TypeError(f"rule must be a string, not {type(rule).__name__}")
    return k


def require_columns(present: Sequence[Any], names: Sequence[str], list_present: bool = False) -> None:
    """A ``ColumnNotFoundError`` for the first of ``names`` not among the frame's columns
    ``present`` (which it lists, the first 12, when ``list_present``)."""
    for name in names:
        if name not in present:
            from ._input import ColumnNotFoundError

            if list_present:
                shown = ", ".join(repr(c) for c in present[:12])
                raise ColumnNotFoundError(
                    f"column {name!r} is not in the DataFrame (columns: {shown})"
                )
            raise ColumnNotFoundError(f"column {name!r} is not in the DataFrame")


def matrix(
    run: Runner, cols: Columns, k: int, rule: str, pair: Optional[Tuple[Cutoffs, Cutoffs]]
) -> Any:
    """The streamed :class:`mobility.TransitionMatrix` of the columns ``cols`` (classes by
    ``rule``, or against the cut-off ``pair``); with ``cols.by``, ``(matrix, {label:
    matrix})``, the groups against the national cut-offs counted in the same passes."""
    pipeline = make_pipeline(k, rule, cols.weights is not None, cols.by is not None, pair)
    res, stats = run(pipeline)
    tm = finish_matrix(res, stats)
    if cols.by is None:
        return tm
    return tm, finish_groups(res, stats)[0]


def group_matrices(
    run: Runner, cols: Columns, k: int, rule: str
) -> Tuple[Any, Dict[Any, Any], List[Any]]:
    """``(national, {label: TransitionMatrix}, empty_groups)`` of the columns ``cols`` grouped
    by ``cols.by``, against the national cut-offs."""
    pipeline = make_pipeline(k, rule, cols.weights is not None, True, None)
    res, stats = run(pipeline)
    matrices, empty = finish_groups(res, stats)
    return finish_matrix(res, stats), matrices, empty
