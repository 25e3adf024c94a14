"""Transition matrices of Spark DataFrames (opt-in extra ``mobility[spark]``): each pass runs
``mapInArrow`` over the partitions, every partition's Arrow batches are summarised by the Rust
pipeline and sent back as one binary cell, and the driver merges them exactly
(``mobility._stream``).

::

    import mobility.spark
    tm = mobility.spark.transition_matrix(sdf, parent="p", child="c", quantiles=10)

Same results as :func:`mobility.transition_matrix` on the collected data (bit for bit for every
rule without weights and with whole-number or dyadic weights; see :mod:`mobility.dask`), for
any partitioning. Needs ``pyspark >= 3.3`` (``mapInArrow``) and ``pyarrow``; the workers must be
able to import ``mobility`` (the same Python environment).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from . import _distributed
from ._distributed import check_quantiles_rule, require_columns
from ._mobility import StreamPipeline
from ._stream import Columns, PartStats, check_names, drive

__all__ = ["transition_matrix", "group_matrices"]

_SCHEMA = "summary binary, dropped long"


def _summarize_partition(pass_bytes: bytes, cols: Columns, dropna: bool) -> Any:
    """The function ``mapInArrow`` runs: one output row per partition."""

    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from ._mobility import StreamPass, StreamSummary
        from ._stream import summarize_frame

        pass_ = StreamPass.from_bytes(pass_bytes)
        acc = pass_.empty()
        dropped = 0
        for rb in batches:
            s, st = summarize_frame(pass_, rb, cols, dropna)
            acc = StreamSummary.merge_all([acc, s])
            dropped += st.dropped
        yield pa.RecordBatch.from_pydict(
            {"summary": [acc.to_bytes()], "dropped": [dropped]},
            schema=pa.schema([("summary", pa.binary()), ("dropped", pa.int64())]),
        )

    return fn


def _labels_of(sdf: Any, by: str) -> Dict[str, Any]:
    """``str(label) -> label`` of the group column (one small distinct query)."""
    return {str(r[0]): r[0] for r in sdf.select(by).distinct().collect() if r[0] is not None}


def _run(sdf: Any, pipeline: StreamPipeline, cols: Columns, dropna: bool) -> Tuple[Any, PartStats]:
    """Every pass of ``pipeline`` as one Spark job over the columns ``cols`` (checked first)."""
    from ._mobility import StreamSummary

    check_names(cols)
    require_columns(list(sdf.columns), cols.names())
    selected = sdf.select(*cols.names())

    def run_pass(pass_: Any) -> Tuple[Any, PartStats]:
        fn = _summarize_partition(bytes(pass_.to_bytes()), cols, dropna)
        rows = selected.mapInArrow(fn, _SCHEMA).collect()
        parts = [StreamSummary.from_bytes(bytes(r["summary"])) for r in rows]
        merged = StreamSummary.merge_all(parts) if parts else pass_.empty()
        return merged, PartStats(dropped=sum(int(r["dropped"]) for r in rows))

    return drive(pipeline, run_pass)


def transition_matrix(
    sdf: Any,
    *,
    parent: str,
    child: str,
    weights: Optional[str] = None,
    quantiles: int = 5,
    rule: str = "midrank",
    reference: Any = None,
    cutoffs: Any = None,
    bands: Optional[Sequence[float]] = None,
    closed: str = "left",
    dropna: bool = False,
) -> Any:
    """The quantile transition matrix of a Spark DataFrame, streamed exactly through
    ``mapInArrow`` (arguments as :func:`mobility.transition_matrix`, column names only;
    ``reference`` in-memory: a pandas DataFrame or a tuple of arrays).

    Cost: 2-4 Spark jobs (one per pass), each ``O(n log k)`` on the executors; driver memory
    independent of ``n`` (one summary per partition).
    """
    from ._args import _cutoff_pair

    k = check_quantiles_rule(quantiles, rule)
    cols = Columns(parent, child, weights)
    pair = _cutoff_pair(reference, cutoffs, bands, closed, k, rule, (parent, child, weights))

    def run(pipeline: StreamPipeline) -> Tuple[Any, PartStats]:
        return _run(sdf, pipeline, cols, dropna)

    return _distributed.matrix(run, cols, k, rule, pair)


def group_matrices(
    sdf: Any,
    *,
    parent: str,
    child: str,
    by: str,
    weights: Optional[str] = None,
    quantiles: int = 5,
    rule: str = "midrank",
    dropna: bool = False,
) -> Tuple[Any, Dict[Any, Any], List[Any]]:
    """Per-group matrices against the national cut-offs: ``(national, {label: matrix},
    empty_groups)``, as :func:`mobility.dask.group_matrices`."""
    k = check_quantiles_rule(quantiles, rule)
    cols = Columns(parent, child, weights, by)

    def run(pipeline: StreamPipeline) -> Tuple[Any, PartStats]:
        res, stats = _run(sdf, pipeline, cols, dropna)
        stats.labels = _labels_of(sdf, by)
        return res, stats

    return _distributed.group_matrices(run, cols, k, rule)
