"""Transition matrices of Dask DataFrames: partitions summarised on the workers, summaries
merged by a tree reduction, the client driving a few exact passes (``mobility._stream``).

::

    import dask.dataframe as dd, mobility.dask
    ddf = dd.read_parquet("cohort/*.parquet")
    tm = mobility.dask.transition_matrix(ddf, parent="p", child="c", quantiles=10)

Each pass reads every partition once (``ddf`` is recomputed per pass: ``ddf.persist()`` first
when it fits in the cluster's memory), summarises it on a worker (``O(k 2^16)`` bytes for a
cut-off pass, ``O(k^2)`` per group for the counting pass) and merges the summaries exactly, so
the result is **bit-identical for every partitioning** (1, 3, 8, unbalanced or empty partitions)
and equals the in-memory :func:`mobility.transition_matrix` bit for bit for every rule without
weights and with whole-number or dyadic weights (general fractional weights: the streamed sums
are the correctly rounded ones; the in-memory sequential ``f64`` sums may differ in the last
bits). Typically 2-3 cut-off passes plus one counting pass.

What is streamed and what is gathered:

- :func:`transition_matrix`, :func:`group_matrices` (per-group matrices against national
  cut-offs) and :func:`poisson_bootstrap`: streamed, client memory independent of the rows;
- :func:`rank_mobility` and :func:`by_group`: rank measures and the downward fall need every
  unit's national rank, so these **gather** the needed columns to the client (``O(n)``: 8 bytes
  per column and row, plus about 24 bytes a row inside the rank engine) and call the in-memory
  function, whose result they return unchanged. The matrices of :func:`by_group` are also
  available streamed (:func:`group_matrices`), equal to ``by_group(...).matrices``.

Works with any Dask scheduler; with a ``distributed.Client`` active, the partitions are
summarised on its workers.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import _distributed
from ._distributed import Runner, check_quantiles_rule, require_columns
from ._mobility import StreamPipeline
from ._optional import require
from ._stream import (
    Columns,
    PartStats,
    PoissonBootstrap,
    check_names,
    cutoff_pair_of_reference,
    drive,
    drive_poisson,
    merge,
    summarize_frame,
    summarize_poisson_frame,
)

__all__ = [
    "transition_matrix",
    "group_matrices",
    "by_group",
    "rank_mobility",
    "poisson_bootstrap",
    "PoissonBootstrap",
]

#: Summaries merged per task in the tree reduction.
FAN_IN = 8


def _dask() -> Any:
    return require("dask", "mobility.dask")


def _check_frame(ddf: Any) -> None:
    if not hasattr(ddf, "to_delayed") or not hasattr(ddf, "npartitions"):
        raise TypeError(
            f"mobility.dask functions take a dask DataFrame, not {type(ddf).__name__}"
        )


def _columns(ddf: Any, cols: Columns) -> List[Any]:
    """The partitions (delayed pandas frames) of the columns ``cols``, checked."""
    check_names(cols)
    names = cols.names()
    require_columns(list(ddf.columns), names, list_present=True)
    parts: List[Any] = ddf[names].to_delayed()
    return parts


def _merge_task(*items: Tuple[Any, PartStats]) -> Tuple[Any, PartStats]:
    return merge(items)


def _tree(parts: List[Any]) -> Any:
    dask = _dask()
    while len(parts) > 1:
        parts = [
            dask.delayed(_merge_task, pure=True)(*parts[i : i + FAN_IN])
            for i in range(0, len(parts), FAN_IN)
        ]
    return parts[0]


def _merged(tasks: List[Any]) -> Tuple[Any, PartStats]:
    """The partition summaries ``tasks`` (delayed), merged by the tree reduction and computed."""
    computed: Any = _dask().compute(_tree(tasks))
    (out,) = computed
    return out  # type: ignore[no-any-return]


def _summarized(pass_: Any, parts: List[Any], cols: Columns, dropna: bool) -> Tuple[Any, PartStats]:
    """One pass over every partition: the merged summary and stats."""
    dask = _dask()
    p = dask.delayed(pass_, pure=True)
    return _merged(
        [dask.delayed(summarize_frame, pure=True)(p, part, cols, dropna) for part in parts]
    )


def _runner(parts: List[Any], cols: Columns, dropna: bool, progress: Any = None) -> Runner:
    """Runs every pass of a pipeline over the partitions ``parts``."""

    def run(pipeline: StreamPipeline) -> Tuple[Dict[str, Any], PartStats]:
        return drive(pipeline, lambda pass_: _summarized(pass_, parts, cols, dropna), progress)

    return run


def _pair(
    ddf: Any,
    parent: str,
    child: str,
    weights: Optional[str],
    k: int,
    rule: str,
    reference: Any,
    cutoffs: Any,
    bands: Any,
    closed: str,
    dropna: bool,
) -> Any:
    from ._args import _cutoff_pair

    if reference is not None and hasattr(reference, "to_delayed"):
        # a dask reference population: its search passes only, streamed the same way
        if cutoffs is not None or bands is not None:
            from ._mobility import MobilityError

            raise MobilityError("give at most one of reference=, cutoffs= and bands=")
        rcols = Columns(parent, child, weights)
        rparts = _columns(reference, rcols)

        def search(pipe: StreamPipeline) -> None:
            while pipe.cutoffs() is None:
                pipe.advance(_summarized(pipe.next_pass(), rparts, rcols, dropna)[0])

        return cutoff_pair_of_reference(search, k, rule, weights is not None)
    return _cutoff_pair(reference, cutoffs, bands, closed, k, rule, (parent, child, weights))


def transition_matrix(
    ddf: Any,
    *,
    parent: str,
    child: str,
    weights: Optional[str] = None,
    quantiles: int = 5,
    rule: str = "midrank",
    by: Optional[str] = None,
    reference: Any = None,
    cutoffs: Any = None,
    bands: Optional[Sequence[float]] = None,
    closed: str = "left",
    dropna: bool = False,
    progress: Any = None,
) -> Any:
    """The quantile transition matrix of a Dask DataFrame, streamed exactly.

    ``progress``: ``True`` shows a tqdm bar over the passes (when tqdm is installed), a
    callable is called as ``progress(pass_number, name)`` before each pass.

    Arguments as :func:`mobility.transition_matrix` (column names only). ``reference`` may be
    another Dask DataFrame with the same column names (its cut-offs are streamed too), a pandas
    DataFrame or a ``(parent, child[, weights])`` tuple. ``by`` (a column): the per-group
    matrices against the national cut-offs are computed in the same passes and returned as
    ``(national_matrix, {label: matrix})``; see :func:`group_matrices`.

    Returns the same :class:`mobility.TransitionMatrix` as the in-memory call (no microdata
    attached: ``bootstrap`` / ``rank_mobility`` methods need the in-memory matrix; use
    :func:`poisson_bootstrap` and :func:`rank_mobility` here).

    Cost: 2-4 passes over the partitions, each ``O(n log k)`` on the workers; client memory
    independent of ``n``.
    """
    _check_frame(ddf)
    k = check_quantiles_rule(quantiles, rule)
    cols = Columns(parent, child, weights, by)
    parts = _columns(ddf, cols)
    pair = _pair(ddf, parent, child, weights, k, rule, reference, cutoffs, bands, closed, dropna)
    return _distributed.matrix(_runner(parts, cols, dropna, progress), cols, k, rule, pair)


def group_matrices(
    ddf: Any,
    *,
    parent: str,
    child: str,
    by: str,
    weights: Optional[str] = None,
    quantiles: int = 5,
    rule: str = "midrank",
    dropna: bool = False,
    progress: Any = None,
) -> Tuple[Any, Dict[Any, Any], List[Any]]:
    """Per-group transition matrices against the national (whole-frame) cut-offs, streamed:
    ``(national, {label: TransitionMatrix}, empty_groups)``, equal bit for bit to
    ``mobility.by_group(...)``'s ``national``, ``matrices`` and ``empty_groups``.

    Client memory ``O(k^2 G)`` for G groups, independent of the rows.
    """
    _check_frame(ddf)
    k = check_quantiles_rule(quantiles, rule)
    cols = Columns(parent, child, weights, by)
    parts = _columns(ddf, cols)
    return _distributed.group_matrices(_runner(parts, cols, dropna, progress), cols, k, rule)


def _gather(ddf: Any, names: List[str]) -> Any:
    _check_frame(ddf)
    require_columns(list(ddf.columns), names)
    return ddf[names].compute()


def rank_mobility(
    ddf: Any,
    *,
    parent: str,
    child: str,
    weights: Optional[str] = None,
    **kwargs: Any,
) -> Any:
    """Rank measures (:func:`mobility.rank_mobility`) of a Dask DataFrame.

    **Gathers** the parent, child (and weight) columns to the client: ``O(n)`` memory (8 bytes
    per column and row, plus about 24 bytes a row in the rank engine), since every rank measure
    needs every unit's rank. The result is the in-memory one, unchanged.
    """
    from .rankbased import rank_mobility as _rank_mobility

    names = [c for c in (parent, child, weights) if c is not None]
    df = _gather(ddf, names)
    return _rank_mobility(df, parent=parent, child=child, weights=weights, **kwargs)


def by_group(
    ddf: Any,
    *,
    parent: str,
    child: str,
    by: str,
    weights: Optional[str] = None,
    **kwargs: Any,
) -> Any:
    """:func:`mobility.by_group` of a Dask DataFrame: the same :class:`mobility.GroupTable`.

    **Gathers** the four columns to the client (``O(n)`` memory: rank measures and the downward
    fall per group need every unit's national rank and the national medians). For the matrices
    alone in bounded memory, use :func:`group_matrices` (equal to this table's matrices).
    """
    from .groups import by_group as _by_group

    names = [c for c in (parent, child, weights, by) if c is not None]
    df = _gather(ddf, names)
    return _by_group(df, parent=parent, child=child, by=by, weights=weights, **kwargs)


def poisson_bootstrap(
    ddf: Any,
    *,
    parent: str,
    child: str,
    weights: Optional[str] = None,
    quantiles: int = 5,
    rule: str = "midrank",
    replicates: int = 200,
    seed: int = 0,
    id: Optional[str] = None,
    reference: Any = None,
    cutoffs: Any = None,
    bands: Optional[Sequence[float]] = None,
    closed: str = "left",
    level: float = 0.95,
    dropna: bool = False,
) -> PoissonBootstrap:
    """A Poisson bootstrap at scale whose result does not depend on the partitioning.

    Replicate ``b`` weights record ``u`` by ``m_ub w_u``, ``m_ub ~ Poisson(1)`` a pure function
    of ``(record id, b, seed)`` (``mobility::stream::poisson``: splitmix64 hash, inverse-cdf
    draw), and re-estimates the cut-offs and counts with exact sums. Record ids: the integer
    column ``id``, or the global row position (row order must then be the same in every
    partitioning; it is for re-partitionings of one frame). All replicates share the passes:
    each pass reads every partition once and summarises it for every replicate (cost ``B + 1``
    times a single matrix's, in parallel over replicates on each worker).

    Quantile cut-offs need ``rule="midrank"`` (the only weighted rule); with ``cutoffs=``,
    ``bands=`` or ``reference=`` (fixed classes) any rule works.

    Returns a :class:`PoissonBootstrap` (``estimate``, ``replicates``, ``to_frame()``).
    """
    dask = _dask()
    _check_frame(ddf)
    k = check_quantiles_rule(quantiles, rule)
    cols = Columns(parent, child, weights, None, id)
    parts = _columns(ddf, cols)
    pair = _pair(ddf, parent, child, weights, k, rule, reference, cutoffs, bands, closed, dropna)
    if id is None:
        lengths = dask.compute(*[dask.delayed(len)(p) for p in parts])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64).tolist()
    else:
        starts = [0] * len(parts)

    def run_pass(passes: List[Any]) -> Tuple[List[Any], PartStats]:
        ps = dask.delayed(passes, pure=True)
        return _merged(
            [
                dask.delayed(summarize_poisson_frame, pure=True)(ps, part, cols, dropna, seed, s0)
                for part, s0 in zip(parts, starts)
            ]
        )

    return drive_poisson(
        k, rule, weights is not None, pair, int(replicates), run_pass, int(seed), float(level)
    )
