"""`transition_matrix()`: the main entry point, from pairs in memory (or streamed inputs) to a
:class:`mobility.TransitionMatrix`."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

from ._args import ClassSpec, _cutoff_pair, _drop_missing
from ._input import check_k, label_codes, missing_error, resolve_pairs
from ._matrix import TransitionMatrix
from ._mobility import MobilityError
from ._mobility import TransitionMatrix as _RawMatrix

__all__ = ["transition_matrix"]


def transition_matrix(
    data: Any = None,
    child: Any = None,
    quantiles: int = 5,
    weights: Any = None,
    rule: str = "midrank",
    *,
    parent: Any = None,
    dropna: bool = False,
    reference: Any = None,
    cutoffs: Any = None,
    bands: Optional[Sequence[float]] = None,
    closed: str = "left",
    bootstrap: Optional[int] = None,
    seed: Optional[int] = None,
    ci: Optional[str] = None,
    level: Optional[float] = None,
    cluster: Any = None,
    weights_kind: str = "sampling",
    warn: bool = True,
) -> TransitionMatrix:
    """The quantile transition matrix of paired parent and child status (incomes, scores, ...).

    Two call forms::

        transition_matrix(parent_values, child_values, quantiles=5, weights=w)
        transition_matrix(df, parent="parent_income", child="child_income", weights="w",
                          quantiles=5)

    In the first, ``data`` is the parent status and ``child`` the child status (numpy arrays of
    any real dtype, pandas or polars Series, lists; contiguous float64 is used without a copy).
    In the second, ``data`` is a pandas or polars DataFrame (or a dict of columns) and
    ``parent``, ``child`` and ``weights`` name its columns. ``parent=`` may also be given as an
    array with ``data`` omitted.

    Classes (``quantiles`` = k, from the bottom) come from each side's own distribution under
    the tie ``rule``:

    - ``"midrank"`` (default; Chetty et al. 2014): weighted fractional rank
      ``r = (W(x < x_i) + W(x = x_i)/2) / W``, class ``ceil(k r)``; ties share a class; the
      only rule that takes weights;
    - ``"giddy"`` (PySAL giddy / mapclassify Quantiles), ``"r-type7"`` (R type-7 quantiles with
      left-closed intervals, mobilityIndexR), ``"stata-xtile"`` (Stata ``xtile``);
    - ``"split"``: a tie group (or a single unit) whose rank interval ``[B/W, (B+T)/W]`` crosses
      a class boundary is shared among the classes it overlaps, in proportion to the overlap, so
      every class holds exactly ``1/k`` (zero incomes no longer empty the bottom class); takes
      weights; equals ``midrank`` when no group straddles a boundary.

    ``weights_kind``: what the weights mean, ``"sampling"`` (default: a row is one sampled unit
    with a design weight; the bootstrap draws rows, analytic SEs use Kish effective counts) or
    ``"frequency"`` (a row stands for ``w`` identical units, as in grouped data: n = sum of the
    weights, the bootstrap draws the units, analytic SEs use the weighted counts).

    With ``warn=True`` (default) a :class:`mobility.MobilityWarning` is issued for every tie
    group that spans several classes (its value, size, the classes and the rule to consider)
    and for empty classes.

    Alternatives to quantiles of the data itself:

    - ``reference=(ref_parent, ref_child[, ref_weights])`` or a reference DataFrame with the
      same column names: classes against another population's quantiles (a place ranked
      against national cut-offs, as Chetty et al. 2014 do for commuting zones);
    - ``cutoffs=`` a :class:`mobility.Cutoffs` (both sides) or a ``(parent, child)`` pair;
    - ``bands=[b_1, ..., b_{k-1}]``: fixed bounds in status units, ``closed="left"`` for bands
      ``[b_{m-1}, b_m)`` or ``"right"`` for ``(b_{m-1}, b_m]``.

    Missing values (NaN, None, pandas NA, polars null) raise :class:`MobilityError` naming how
    many rows and the first one, unless ``dropna=True``: then incomplete rows are dropped and
    the result's ``n_dropped`` says how many. Infinite values and negative weights always raise.

    Cost: O(n) (cut-offs by radix selection, no sort), with the GIL released.

    Inputs larger than memory: a polars ``LazyFrame``, a pyarrow dataset, or a path to a
    Parquet or CSV file (or a directory of Parquet files) as ``data`` is **streamed** in batches
    through the exact multi-pass pipeline (:mod:`mobility._stream`; memory independent of the
    number of rows), with the same result as in memory (bit for bit for every rule without
    weights and with whole-number or dyadic weights). The streamed matrix keeps no microdata
    (no ``bootstrap=``).

    Inference: ``bootstrap=B`` runs :meth:`TransitionMatrix.bootstrap` with ``B`` replicates
    right away (``seed``, ``ci`` = ``"bca"`` or ``"percentile"``, ``level`` and ``cluster``, a
    column name or an array of ids, are passed on); the result is ``tm.inference`` and
    ``tm.summary()`` gains ``se``, ``ci_low`` and ``ci_high``. With ``dropna=True`` rows with a
    missing cluster id are dropped too.

    Returns
    -------
    TransitionMatrix

    Example
    -------
    >>> import mobility
    >>> tm = mobility.transition_matrix([1, 2, 3, 4], [2, 1, 4, 3], quantiles=2)
    >>> tm.probabilities.tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    k = check_k(quantiles)
    if not isinstance(rule, str):
        raise TypeError(f"rule must be a string, not {type(rule).__name__}")
    if bootstrap is None:
        for name, value in (("seed", seed), ("ci", ci), ("level", level), ("cluster", cluster)):
            if value is not None:
                raise TypeError(
                    f"{name}= applies to the bootstrap: add bootstrap=B (the number of "
                    f"replicates), or call tm.bootstrap(...) on the matrix"
                )
    from . import _stream

    if data is not None and _stream.is_streamable(data):
        # a polars LazyFrame, a pyarrow dataset, a Parquet or CSV path: streamed in batches
        if bootstrap is not None:
            raise TypeError(
                "bootstrap= needs the pairs in memory: collect the input first, or use "
                "mobility.dask.poisson_bootstrap for a streamed bootstrap"
            )
        pair = _cutoff_pair(reference, cutoffs, bands, closed, k, rule, (parent, child, weights))
        streamed: TransitionMatrix = _stream.stream_transition_matrix(
            data, _stream.Columns(parent, child, weights), k, rule, pair, dropna
        )
        return streamed
    extra = {} if cluster is None else {"cluster": cluster}
    p, c, w, extras, index, frame = resolve_pairs(
        "transition_matrix", data, child, weights, parent, extra
    )
    names: Tuple[Any, Any, Any] = (None, None, None)
    if frame is not None:
        names = (parent, child, weights)
    pair = _cutoff_pair(reference, cutoffs, bands, closed, k, rule, names)
    cluster_missing = None
    if "cluster" in extras:
        _, _, cluster_missing = label_codes(extras["cluster"], "cluster ids")
    n_dropped = 0
    keep = None
    if dropna:
        p, c, w, n_dropped, keep = _drop_missing(p, c, w, cluster_missing)
    if weights_kind not in ("sampling", "frequency"):
        raise MobilityError(
            f"invalid weights_kind: {weights_kind!r}; expected 'sampling' or 'frequency'"
        )
    spec: ClassSpec = {"k": k, "rule": rule, "weight_kind": weights_kind}
    if pair is not None:
        spec["parent_cutoffs"], spec["child_cutoffs"] = pair
    try:
        raw = _RawMatrix.from_status((p, c, w), spec)
    except MobilityError as e:
        if getattr(e, "kind", None) == "NonFinite":
            better = missing_error(
                [("parent status", p), ("child status", c), ("weights", w)], index
            )
            if better is not None:
                raise better from None
        raise
    tm = TransitionMatrix(raw, n_dropped)._attach((p, c, w), spec, frame, keep)
    if frame is not None and isinstance(parent, str) and isinstance(child, str):
        tm._name = f"{parent} -> {child}"
    if warn:
        from ._warnings import warn_data

        warn_data(raw, p, c, w, rule if pair is None else "midrank", raw.labels)
    if bootstrap is not None:
        options: Dict[str, Any] = {}
        if ci is not None:
            options["ci"] = ci
        if level is not None:
            options["level"] = level
        if "cluster" in extras:
            options["cluster"] = extras["cluster"]
        tm.bootstrap(bootstrap, 0 if seed is None else seed, **options)
    return tm
