"""Streaming transition matrices: the exact multi-pass pipeline of the Rust core
(``mobility::stream``) driven from Python, shared by :mod:`mobility.dask`,
:mod:`mobility.spark` and :func:`mobility.transition_matrix` on inputs that do not fit in
memory (a polars ``LazyFrame``, a pyarrow dataset, a Parquet or CSV path).

How it works::

    pipeline = StreamPipeline(k, rule, weighted, by)        (the client)
    while (pass_ := pipeline.next_pass()) is not None:       2-4 passes
        s_b = pass_.summarize(batch_b)                       every batch / partition (workers)
        pipeline.advance(StreamSummary.merge_all([s_1, s_2, ...]))   exact, any order
    pipeline.finish()["matrix"]

The search passes find the cut-offs **exactly** (key-prefix histograms, refinement, gathering),
the last pass counts against them; all sums are exact (integers, fixed-point weights), so the
result is bit-identical for any partitioning and equals the in-memory
:func:`mobility.transition_matrix` bit for bit for every rule without weights and with
whole-number or dyadic weights; with general fractional weights the streamed sums are the
correctly rounded ones and the in-memory ``f64`` sums may differ in the last bits. Memory is
independent of the number of rows (``O(k^2 (1 + groups))`` counts, ``O(k 2^16)`` histograms,
plus one batch).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, cast

import numpy as np

from ._optional import require
from ._args import _missing_rows
from ._input import as_float_array, label_codes
from ._mobility import TransitionMatrix as _RawMatrix
from ._mobility import (
    Cutoffs,
    MobilityError,
    StreamPass,
    StreamPipeline,
    StreamSummary,
    stream_file,
    summarize_poisson,
)

__all__ = [
    "Columns",
    "PartStats",
    "PoissonBootstrap",
    "is_streamable",
    "make_pipeline",
    "prepare",
    "summarize_frame",
    "summarize_poisson_frame",
    "merge",
    "drive",
    "finish_matrix",
    "finish_groups",
    "stream_transition_matrix",
]


@dataclass(frozen=True)
class Columns:
    """The column names a streamed computation reads."""

    parent: str
    child: str
    weights: Optional[str] = None
    by: Optional[str] = None
    id: Optional[str] = None

    def names(self) -> List[str]:
        """The columns to select, in order, without duplicates."""
        out: List[str] = []
        for c in (self.parent, self.child, self.weights, self.by, self.id):
            if c is not None and c not in out:
                out.append(c)
        return out


@dataclass
class PartStats:
    """What a partition reports besides its summary: dropped rows and its group labels
    (``str(label) -> label``, so the client can give results the original labels)."""

    dropped: int = 0
    labels: Optional[Dict[str, Any]] = None

    def add(self, other: "PartStats") -> "PartStats":
        labels = None
        if self.labels is not None or other.labels is not None:
            labels = dict(self.labels or {})
            labels.update(other.labels or {})
        return PartStats(self.dropped + other.dropped, labels)


def check_names(cols: Columns) -> None:
    for role, name in (("parent", cols.parent), ("child", cols.child)):
        if not isinstance(name, str):
            raise TypeError(f"{role}= must be a column name (str), not {type(name).__name__}")
    for role, optional in (("weights", cols.weights), ("by", cols.by), ("id", cols.id)):
        if optional is not None and not isinstance(optional, str):
            raise TypeError(f"{role}= must be a column name (str) or None")


def make_pipeline(
    k: int,
    rule: str,
    weighted: bool,
    by: bool,
    pair: Optional[Tuple[Cutoffs, Cutoffs]],
) -> StreamPipeline:
    """The driver for k classes by rule (or counting against the given cut-off pair)."""
    if pair is None:
        return StreamPipeline(k=k, rule=rule, weighted=weighted, by=by)
    return StreamPipeline(
        k=pair[0].k,
        rule=rule,
        weighted=weighted,
        by=by,
        parent_cutoffs=pair[0],
        child_cutoffs=pair[1],
    )


def _float(values: Any, what: str) -> np.ndarray:
    """A float64 array from a pandas/polars Series, numpy array or pyarrow (chunked) array."""
    mod = type(values).__module__.split(".", 1)[0]
    if mod == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
            raise TypeError(f"{what} must be numbers, not the Arrow type {values.type}")
        if values.null_count:
            values = pc.fill_null(pc.cast(values, pa.float64()), math.nan)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
        # zero-copy for a float64 array without nulls
        return np.ascontiguousarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    return as_float_array(values, what)


def _labels(values: Any) -> Any:
    mod = type(values).__module__.split(".", 1)[0]
    if mod == "pyarrow":
        return values.to_pylist()
    return values


def prepare(
    frame: Any, cols: Columns, dropna: bool
) -> Tuple[Dict[str, Any], PartStats]:
    """A batch's arrays as keyword arguments of :meth:`StreamPass.summarize` (plus ``ids``
    when ``cols.id`` is set), rows with a missing value dropped under ``dropna``.

    ``frame`` is anything indexable by column name: a pandas or polars DataFrame, a pyarrow
    Table or RecordBatch, a dict of arrays.
    """
    if _root(frame) == "pyarrow":
        get = frame.column
    else:
        get = frame.__getitem__
    p = _float(get(cols.parent), "parent status")
    c = _float(get(cols.child), "child status")
    w = None if cols.weights is None else _float(get(cols.weights), "weights")
    ids = None
    if cols.id is not None:
        raw = get(cols.id)
        if _root(raw) == "pyarrow":
            raw = raw.to_numpy(zero_copy_only=False)
        ids = np.asarray(raw)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"record ids (id={cols.id!r}) must be integers, not {ids.dtype}")
    codes = labels = None
    stats = PartStats()
    missing = None
    if cols.by is not None:
        codes, labels, missing = label_codes(_labels(get(cols.by)), "group labels")
    n = p.shape[0]
    mask = None
    if dropna:
        mask = _missing_rows(p, c, w, missing)
    elif missing is not None and missing.any():
        raise MobilityError(
            f"group labels have {int(missing.sum())} missing values (None, NaN or NA) in a "
            "batch. Pass dropna=True to drop incomplete rows."
        )
    if mask is not None and mask.any():
        keep = ~mask
        stats.dropped = int(mask.sum())
        p, c = np.ascontiguousarray(p[keep]), np.ascontiguousarray(c[keep])
        w = None if w is None else np.ascontiguousarray(w[keep])
        ids = None if ids is None else ids[keep]
        codes = None if codes is None else codes[keep]
    kwargs: Dict[str, Any] = {"parent": p, "child": c, "weights": w}
    if codes is not None:
        assert labels is not None  # the codes come with their labels
        kwargs["group_codes"] = np.ascontiguousarray(codes, dtype=np.int64)
        kwargs["group_labels"] = [str(x) for x in labels]
        stats.labels = {str(x): x for x in labels}
    if ids is not None:
        kwargs["ids"] = np.ascontiguousarray(ids.astype(np.uint64, copy=False))
    del n
    return kwargs, stats


def _root(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def summarize_frame(
    pass_: StreamPass, frame: Any, cols: Columns, dropna: bool
) -> Tuple[StreamSummary, PartStats]:
    """One partition's summary for ``pass_`` (the function Dask and Spark workers run)."""
    kwargs, stats = prepare(frame, cols, dropna)
    kwargs.pop("ids", None)
    if kwargs["parent"].shape[0] == 0:
        return pass_.empty(), stats
    return pass_.summarize(**kwargs), stats


def summarize_poisson_frame(
    passes: Sequence[Optional[StreamPass]],
    frame: Any,
    cols: Columns,
    dropna: bool,
    seed: int,
    first_id: int,
) -> Tuple[List[Optional[StreamSummary]], PartStats]:
    """One partition's summaries for the estimate (``passes[0]``, original weights) and the
    Poisson replicates ``1..B`` (``passes[b]``; None for a finished pipeline).

    Record ids come from ``cols.id`` or are the global row positions ``first_id + i`` (taken
    before ``dropna``), so every record gets the same replicate weights in any partitioning.
    """
    kwargs, stats = prepare(frame, cols, dropna)
    if "ids" in kwargs:
        ids = kwargs.pop("ids")
    else:
        n_all = len(frame) if _root(frame) != "pyarrow" else frame.num_rows
        ids = np.arange(first_id, first_id + n_all, dtype=np.uint64)
        if stats.dropped:
            p_all = _float(
                frame.column(cols.parent) if _root(frame) == "pyarrow" else frame[cols.parent],
                "parent status",
            )
            ids = ids[_kept_mask(frame, cols, p_all)]
    est = passes[0]
    out: List[Optional[StreamSummary]] = [None] * len(passes)
    if kwargs["parent"].shape[0] == 0:
        return [None if p is None else p.empty() for p in passes], stats
    if est is not None:
        out[0] = est.summarize(**kwargs)
    rest = list(passes[1:])
    if any(p is not None for p in rest):
        out[1:] = summarize_poisson(
            rest,
            list(range(len(rest))),
            kwargs["parent"],
            kwargs["child"],
            np.ascontiguousarray(ids, dtype=np.uint64),
            int(seed),
            weights=kwargs["weights"],
            group_codes=kwargs.get("group_codes"),
            group_labels=kwargs.get("group_labels"),
        )
    return out, stats


def _kept_mask(frame: Any, cols: Columns, p: np.ndarray) -> np.ndarray:
    get = frame.column if _root(frame) == "pyarrow" else frame.__getitem__
    mask = np.isnan(p) | np.isnan(_float(get(cols.child), "child status"))
    if cols.weights is not None:
        mask |= np.isnan(_float(get(cols.weights), "weights"))
    if cols.by is not None:
        mask |= label_codes(_labels(get(cols.by)), "group labels")[2]
    keep: np.ndarray = ~mask
    return keep


def merge(items: Sequence[Tuple[Any, PartStats]]) -> Tuple[Any, PartStats]:
    """Merges partition results: a summary (or a list of summaries, elementwise) and stats."""
    stats = PartStats()
    for _, s in items:
        stats = stats.add(s)
    first = items[0][0]
    if isinstance(first, list):
        merged: List[Optional[StreamSummary]] = []
        for b in range(len(first)):
            parts = [it[0][b] for it in items if it[0][b] is not None]
            merged.append(StreamSummary.merge_all(parts) if parts else None)
        return merged, stats
    return StreamSummary.merge_all([it[0] for it in items]), stats


def progress_callback(progress: Any) -> Tuple[Optional[Callable[[int, str], None]], Callable[[], None]]:
    """``(on_pass, close)`` for a ``progress=`` argument: ``None``/``False`` nothing; ``True`` a
    tqdm bar over the passes (an ImportError naming the ``progress`` extra without tqdm); a
    callable is called as ``progress(pass_number, name)`` before each pass (number from 1, name
    ``"cut-offs"`` or ``"counts"``)."""
    if progress is None or progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    require("tqdm", "progress=True")
    from tqdm.auto import tqdm

    bar = tqdm(desc="mobility passes", unit="pass")

    def on_pass(i: int, name: str) -> None:
        if i > 1:
            bar.update(1)
        bar.set_postfix_str(f"pass {i}: {name}")

    def close() -> None:
        bar.update(1)
        bar.close()

    return on_pass, close


def drive(
    pipeline: StreamPipeline,
    run_pass: Callable[[StreamPass], Tuple[StreamSummary, PartStats]],
    progress: Any = None,
) -> Tuple[Dict[str, Any], PartStats]:
    """Runs every pass: ``run_pass(pass)`` returns the merged summary over all partitions;
    ``progress`` as :func:`progress_callback`."""
    on_pass, close = progress_callback(progress)
    stats = PartStats()
    i = 0
    try:
        while True:
            pass_ = pipeline.next_pass()
            if pass_ is None:
                break
            i += 1
            if on_pass is not None:
                name = pass_.name
                on_pass(i, name() if callable(name) else name)
            merged, stats = run_pass(pass_)
            pipeline.advance(merged)
    finally:
        close()
    return pipeline.finish(), stats


def finish_matrix(result: Dict[str, Any], stats: PartStats) -> Any:
    """The :class:`mobility.TransitionMatrix` of a finished pipeline."""
    from ._matrix import TransitionMatrix

    return TransitionMatrix(result["matrix"], stats.dropped)


def finish_groups(result: Dict[str, Any], stats: PartStats) -> Tuple[Dict[Any, Any], List[Any]]:
    """``({label: TransitionMatrix}, empty_groups)`` of a finished ``by`` pipeline, labels in
    the in-memory :func:`mobility.by_group` order (sorted when they sort)."""
    from ._matrix import TransitionMatrix

    back = stats.labels or {}
    pairs = [(back.get(s, s), m) for s, m in result["groups"]]
    try:
        pairs.sort(key=lambda x: x[0])
    except TypeError:
        pass
    matrices = {g: TransitionMatrix(m) for g, m in pairs if m is not None}
    empty = [g for g, m in pairs if m is None]
    return matrices, empty


def cutoff_pair_of_reference(reference_run: Callable[[StreamPipeline], None], k: int, rule: str,
                             weighted: bool) -> Tuple[Cutoffs, Cutoffs]:
    """The cut-offs of a streamed reference population (its search passes only)."""
    pipeline = StreamPipeline(k=k, rule=rule, weighted=weighted, by=False)
    reference_run(pipeline)
    pair = pipeline.cutoffs()
    if pair is None:  # pragma: no cover - the runner stops at the counting pass
        raise MobilityError("the reference search did not finish")
    return pair


# --------------------------------------------------------------------------- Poisson bootstrap
class PoissonBootstrap:
    """A Poisson bootstrap of a streamed transition matrix (:func:`mobility.dask.poisson_bootstrap`).

    Replicate ``b`` weights record ``u`` by ``m_ub w_u`` with ``m_ub ~ Poisson(1)`` drawn from a
    hash of ``(record id, b, seed)`` (splitmix64, inverse cdf; Hanley & MacGibbon 2006), and
    re-estimates everything (cut-offs included) with exact sums, so the result does not depend
    on the partitioning. Attributes: ``estimate`` (the :class:`mobility.TransitionMatrix`),
    ``replicates`` (one matrix per replicate), ``seed``, ``level``; :meth:`values` (replicate x
    measure), :meth:`to_frame` (estimate, se, percentile ci_low / ci_high per measure).
    """

    def __init__(self, estimate: Any, replicates: List[Any], seed: int, level: float) -> None:
        self.estimate = estimate
        self.replicates = replicates
        self.seed = int(seed)
        self.level = float(level)

    def __reduce__(self) -> Any:
        return (PoissonBootstrap, (self.estimate, self.replicates, self.seed, self.level))

    @property
    def measure_names(self) -> List[str]:
        """The measures of the estimate, in their canonical order."""
        return list(self.estimate.measures().keys())

    def values(self) -> np.ndarray:
        """Replicate x measure values (NaN where a measure is undefined in a replicate)."""
        names = self.measure_names
        out = np.full((len(self.replicates), len(names)), np.nan)
        for b, tm in enumerate(self.replicates):
            m = tm.measures()
            for j, name in enumerate(names):
                v = m.get(name)
                if v is not None:
                    out[b, j] = v
        return out

    def counts(self) -> np.ndarray:
        """Replicate x k x k weighted counts."""
        return np.stack([tm.counts for tm in self.replicates])

    def to_frame(self) -> Any:
        """pandas DataFrame: measure, estimate, se, ci_low, ci_high (percentile intervals)."""
        require("pandas")
        import pandas as pd

        names = self.measure_names
        vals = self.values()
        est = self.estimate.measures()
        a = (1.0 - self.level) / 2.0
        rows = []
        for j, name in enumerate(names):
            v = vals[:, j]
            v = v[np.isfinite(v)]
            rows.append(
                {
                    "measure": name,
                    "estimate": est.get(name),
                    "se": float(np.std(v, ddof=1)) if v.size > 1 else None,
                    "ci_low": float(np.quantile(v, a)) if v.size else None,
                    "ci_high": float(np.quantile(v, 1.0 - a)) if v.size else None,
                }
            )
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return f"PoissonBootstrap(B={len(self.replicates)}, seed={self.seed}, k={self.estimate.k})"


def drive_poisson(
    k: int,
    rule: str,
    weighted: bool,
    pair: Optional[Tuple[Cutoffs, Cutoffs]],
    replicates: int,
    run_pass: Callable[[List[Optional[StreamPass]]], Tuple[List[Optional[StreamSummary]], PartStats]],
    seed: int,
    level: float,
) -> PoissonBootstrap:
    """Runs the estimate and ``replicates`` Poisson pipelines side by side, pass by pass."""
    from ._matrix import TransitionMatrix

    if replicates < 1:
        raise MobilityError(f"replicates must be at least 1, got {replicates}")
    if pair is None and rule != "midrank":
        raise MobilityError(
            f"the Poisson bootstrap weights the rows, and rule {rule!r} takes no weights: "
            "use rule='midrank', or give cutoffs=, bands= or reference="
        )
    pipes = [make_pipeline(k, rule, weighted, False, pair)]
    pipes += [make_pipeline(k, rule, True, False, pair) for _ in range(replicates)]
    stats = PartStats()
    while True:
        passes = [p.next_pass() for p in pipes]
        if all(p is None for p in passes):
            break
        merged, stats = run_pass(passes)
        for pipe, pass_, s in zip(pipes, passes, merged):
            if pass_ is not None:
                pipe.advance(s if s is not None else pass_.empty())
    mats = [TransitionMatrix(cast(_RawMatrix, p.finish()["matrix"])) for p in pipes]
    mats[0] = TransitionMatrix(cast(_RawMatrix, pipes[0].finish()["matrix"]), stats.dropped)
    return PoissonBootstrap(mats[0], mats[1:], seed, level)


# --------------------------------------------------------------------------- local inputs
_PATH_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def is_streamable(data: Any) -> bool:
    """Whether :func:`mobility.transition_matrix` streams ``data``: a polars ``LazyFrame``, a
    pyarrow dataset, or a path (str / ``os.PathLike``) to a Parquet or CSV file or a directory of
    Parquet files."""
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        return os.path.isdir(path) or os.path.splitext(path)[1].lower() in _PATH_FORMATS
    root = _root(data)
    if root == "polars" and type(data).__name__ == "LazyFrame":
        return True
    if root == "pyarrow" and hasattr(data, "to_batches") and hasattr(data, "schema") and not hasattr(data, "num_rows"):
        return True  # a pyarrow.dataset.Dataset (Tables and RecordBatches have num_rows)
    return False


def _iter_batches(data: Any, names: List[str], batch_rows: int) -> Iterable[Any]:
    root = _root(data)
    if root == "polars":
        lf = data.select(names)
        collect_batches = getattr(lf, "collect_batches", None)
        if collect_batches is not None:
            yield from collect_batches(chunk_size=batch_rows)
        else:  # older polars: one collected frame, sliced (memory O(n))
            yield from lf.collect().iter_slices(batch_rows)
        return
    # pyarrow dataset
    yield from data.to_batches(columns=names, batch_size=batch_rows)


def stream_transition_matrix(
    data: Any,
    cols: Columns,
    k: int,
    rule: str,
    pair: Optional[Tuple[Cutoffs, Cutoffs]],
    dropna: bool,
    batch_rows: int = 1 << 20,
    progress: Any = None,
) -> Any:
    """The transition matrix of a LazyFrame, pyarrow dataset or file path, streamed
    (``progress`` as :func:`progress_callback`)."""
    check_names(cols)
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        if os.path.isdir(path):
            require("pyarrow")
            import pyarrow.dataset as pads

            data = pads.dataset(path, format="parquet")
        else:
            fmt = _PATH_FORMATS[os.path.splitext(path)[1].lower()]
            kwargs: Dict[str, Any] = {}
            if pair is not None:
                kwargs = {"parent_cutoffs": pair[0], "child_cutoffs": pair[1]}
            res = stream_file(
                path,
                fmt,
                cols.parent,
                cols.child,
                weights=cols.weights,
                k=k if pair is None else pair[0].k,
                rule=rule,
                dropna=dropna,
                **kwargs,
            )
            dropped = cast(int, res.get("dropped", 0))
            return finish_matrix(res, PartStats(dropped=int(dropped)))
    names = cols.names()
    missing_cols = [c for c in names if c not in _schema_names(data)]
    if missing_cols:
        from ._input import ColumnNotFoundError

        raise ColumnNotFoundError(
            f"column {missing_cols[0]!r} is not in the input (columns: "
            f"{', '.join(repr(c) for c in _schema_names(data)[:12])})"
        )
    pipeline = make_pipeline(k, rule, cols.weights is not None, False, pair)

    def run_pass(pass_: StreamPass) -> Tuple[StreamSummary, PartStats]:
        acc = pass_.empty()
        stats = PartStats()
        for batch in _iter_batches(data, names, batch_rows):
            s, st = summarize_frame(pass_, batch, cols, dropna)
            acc = StreamSummary.merge_all([acc, s])
            stats = stats.add(st)
        return acc, stats

    res, stats = drive(pipeline, run_pass, progress)
    return finish_matrix(res, stats)


def _schema_names(data: Any) -> List[str]:
    if _root(data) == "polars":
        schema = data.collect_schema() if hasattr(data, "collect_schema") else data.schema
        return list(schema.names() if hasattr(schema, "names") else schema.keys())
    return list(data.schema.names)
