"""`TransitionMatrix`: the matrix with its counts, shares, cut-offs, measures, inference and
exports. Its builder :func:`transition_matrix` is in :mod:`mobility._builder` (importable from
here too), the argument checks the two share in :mod:`mobility._args`."""

from __future__ import annotations

import json
import numbers
import os
import sys
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ._optional import require
from ._progress import replicate_progress
from . import _display
from ._input import (
    check_ids,
    as_float_array,
    as_int_array,
    as_matrix,
    as_vector,
    check_k,
    column,
    label_codes,
    missing_error,
)
from . import _mobility
from ._mobility import Cutoffs, MobilityError
from ._mobility import TransitionMatrix as _RawMatrix
from ._mobility import bootstrap as _bootstrap
from ._mobility import rank_bootstrap_json as _rank_bootstrap_json
from ._mobility import measure_table as _measure_table
from ._results import FloatArray
from ._args import (
    ClassSpec,
    Pi,
    _check_count,
    _drop_missing,
    _pi_arg,
    _statistics_arg,
    _weighting_json,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._mobility import ClassProfile, Convergence, Spectrum
    from .inference import AnalyticResult, BootstrapResult
    from .levelling import Decomposition, Levelling
    from .rankbased import RankMobility

__all__ = ["TransitionMatrix", "transition_matrix", "MEASURES", "describe"]

#: Every canonical measure name (registry order, docs/FORMULAS.md#measures-table) with its one-line description.
MEASURES: Dict[str, str] = dict(_measure_table())


def describe(name: str) -> str:
    """The one-line description of a canonical measure (KeyError for an unknown name)."""
    try:
        return MEASURES[name]
    except KeyError:
        raise KeyError(
            f"{name!r} is not a canonical measure; known: {', '.join(MEASURES)}"
        ) from None


class TransitionMatrix:
    """A parent-to-child transition matrix ``P`` with its counts, shares and cut-offs.

    Rows are the origin (parent) classes and columns the destination (child) classes, both
    numbered from the bottom: ``p_ij = n_ij / n_i. = P(child in j | parent in i)``. A class with
    no observations keeps its row (``k`` never shrinks); measures that need it are ``None``.

    Build one with :func:`mobility.transition_matrix` (microdata), :meth:`from_counts`,
    :meth:`from_probabilities`, :meth:`from_classes` or :meth:`from_dict`; the built-in
    published tables are in :mod:`mobility.published`.

    A matrix built from microdata (:func:`mobility.transition_matrix`, :meth:`from_classes`)
    keeps a reference to its input arrays (no copy for contiguous float64), so it can be
    bootstrapped (:meth:`bootstrap`), give analytic standard errors that account for estimated
    cut-offs (:meth:`standard_errors`) and rank measures of the same pairs
    (:meth:`rank_mobility`). The latest bootstrap run is kept as :attr:`inference`.

    The matrix itself is immutable; objects compare equal when their matrices are equal (the
    kept data and the bootstrap are not compared), and pickle (the core's JSON form plus the
    kept arrays and bootstrap; :meth:`without_data` gives a light copy), so they travel between
    Dask or Spark workers.
    """

    __slots__ = (
        "_raw",
        "_n_dropped",
        "_data",
        "_spec",
        "_inference",
        "_rank_inference",
        "_ranks",
        "_frame",
        "_keep",
        "_name",
    )

    def __init__(self, raw: _RawMatrix, n_dropped: int = 0) -> None:
        if not isinstance(raw, _RawMatrix):
            raise TypeError(
                "TransitionMatrix is built with mobility.transition_matrix(...) or "
                "TransitionMatrix.from_counts / from_probabilities / from_classes / from_dict"
            )
        self._raw = raw
        self._n_dropped = int(n_dropped)
        # The microdata behind the matrix: (parent, child, weights) float64 arrays, and the class
        # specification (k, rule, cut-offs; and weight_kind): both as the compiled from_status
        # and bootstrap take them.
        self._data: Optional[Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]] = None
        self._spec: Optional[ClassSpec] = None
        self._inference: Optional[BootstrapResult] = None
        # The rank measures bootstrapped on the same draws (the core's EstimateTable as JSON).
        self._rank_inference: Optional[str] = None
        self._ranks: Optional[RankMobility] = None
        # The DataFrame it came from (for cluster= column names; never pickled) and the mask of
        # its rows that were used (when dropna dropped some).
        self._frame: Any = None
        self._keep: Optional[np.ndarray] = None
        self._name: Optional[str] = None

    @property
    def name(self) -> Optional[str]:
        """What the matrix was built from, for plot titles: ``"parent -> child"`` from a
        DataFrame's columns, the table's name for :mod:`mobility.published`; ``None`` when not
        known. Settable (a string or None)."""
        return self._name

    @name.setter
    def name(self, value: Optional[str]) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"name must be a string or None, not {type(value).__name__}")
        self._name = value

    @classmethod
    def _from_core(cls, raw: _RawMatrix) -> "TransitionMatrix":
        """The wrapper of a compiled matrix inside a core result (a group's matrix)."""
        return cls(raw)

    def _attach(
        self,
        data: Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]],
        spec: ClassSpec,
        frame: Any = None,
        keep: Optional[np.ndarray] = None,
    ) -> "TransitionMatrix":
        self._data = data
        self._spec = spec
        self._frame = frame
        self._keep = keep
        return self

    @property
    def _weight_kind(self) -> str:
        """What the weights of the microdata mean (``"sampling"`` unless given)."""
        spec = self._spec
        return "sampling" if spec is None else spec.get("weight_kind", "sampling")

    @property
    def _estimated_rule(self) -> Optional[str]:
        """The tie rule of classes estimated from the microdata (quantile classes); ``None``
        for a matrix from a table or from given cut-offs."""
        spec = self._spec
        if self._data is None or spec is None or "parent_cutoffs" in spec:
            return None
        return spec.get("rule", "midrank")

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_counts(cls, table: Any, *, top_first: bool = False) -> "TransitionMatrix":
        """The matrix of a published k x k table of (weighted) counts, parents in rows.

        ``p_ij = n_ij / n_i.``; parent shares ``n_i. / n``. Raises :class:`MobilityError` if the
        table is not square, has fewer than 2 classes, a negative or non-finite entry, or sums
        to zero.

        ``top_first=True``: the table lists the top class first (occupational status tables
        number class 1 as the highest); both axes are reversed so that class 1 is the bottom,
        as everywhere in this package, and the sticky floor is the table's last class (as
        ``mobility table FILE --top-first``).
        """
        counts = as_matrix(table, "count table")
        if top_first:
            counts = np.ascontiguousarray(counts[::-1, ::-1])
        return cls(_RawMatrix.from_counts(counts))

    @classmethod
    def from_probabilities(
        cls,
        table: Any,
        parent_shares: Optional[Sequence[float]] = None,
        renormalise: bool = False,
        child_in_rows: bool = False,
        tolerance: float = 1e-6,
        *,
        top_first: bool = False,
    ) -> "TransitionMatrix":
        """The matrix of a published probability table.

        Parameters
        ----------
        table : k x k array-like
            ``P(child class j | parent class i)`` with parents in rows (see ``child_in_rows``).
        parent_shares : sequence of k floats, optional
            ``n_i. / n``; uniform ``1/k`` when not given (the table alone does not say).
        renormalise : bool
            Rescale rows that miss 1 by more than ``tolerance`` (tables printed rounded)
            instead of raising.
        child_in_rows : bool
            The table was printed with the child class in rows (e.g. Chetty et al. 2014,
            Table II): it is transposed first.
        tolerance : float
            How far a row sum may be from 1 (at most 0.5).
        top_first : bool
            The table lists the top class first: both axes are reversed (after
            ``child_in_rows``) so that class 1 is the bottom; ``parent_shares`` are given in
            the table's order and reversed with it.

        ``n`` and ``counts`` are ``None`` for such a matrix.
        """
        shares = None if parent_shares is None else as_vector(parent_shares, "parent_shares")
        probabilities = as_matrix(table, "probability table")
        if top_first:
            probabilities = np.ascontiguousarray(probabilities[::-1, ::-1])
            if shares is not None:
                shares = shares[::-1]
        return cls(
            _RawMatrix.from_probabilities(
                probabilities,
                parent_shares=shares,
                renormalise=bool(renormalise),
                child_in_rows=bool(child_in_rows),
                tolerance=float(tolerance),
            )
        )

    @classmethod
    def from_classes(
        cls,
        parent_classes: Any,
        child_classes: Any,
        k: int,
        weights: Any = None,
        *,
        dropna: bool = False,
    ) -> "TransitionMatrix":
        """The matrix of classes the user already has (integers ``1..k``, 1 = bottom).

        ``n_ij = sum_u w_u [parent class = i][child class = j]``. Classes outside ``1..k``
        raise :class:`MobilityError` naming the first offending row.

        The matrix keeps the classes as its microdata: :meth:`bootstrap` resamples the units
        with the classes fixed (they are given, not estimated), and :meth:`rank_mobility` (and
        the ``rank_measures`` of :meth:`report`) are those of the class numbers themselves.
        """
        k = check_k(k, "k")
        pf = as_float_array(parent_classes, "parent classes")
        cf = as_float_array(child_classes, "child classes")
        w = None if weights is None else as_float_array(weights, "weights")
        n_dropped = 0
        if dropna:
            pf, cf, w, n_dropped, _ = _drop_missing(pf, cf, w)
        else:
            err = missing_error([("parent classes", pf), ("child classes", cf), ("weights", w)])
            if err is not None:
                raise err
        p = as_int_array(pf, "parent classes")
        c = as_int_array(cf, "child classes")
        tm = cls(_RawMatrix.from_classes(p, c, k, weights=w), n_dropped)
        # The classes are the status, cut at the half-integers: bootstrapping them resamples
        # units with the classes fixed (they are given, not estimated).
        bounds = Cutoffs.fixed([m + 0.5 for m in range(1, k)], "left")
        spec: ClassSpec = {
            "k": k, "rule": "midrank", "parent_cutoffs": bounds, "child_cutoffs": bounds
        }
        return tm._attach((p.astype(np.float64), c.astype(np.float64), w), spec)

    @classmethod
    def from_json(cls, text: str) -> "TransitionMatrix":
        """A matrix from :meth:`to_json` text (the Rust core's serde form)."""
        if not isinstance(text, (str, bytes)):
            raise TypeError(f"from_json takes JSON text, not {type(text).__name__}")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as e:  # JSONDecodeError, bad UTF-8, deep nesting
            raise MobilityError(f"invalid transition matrix JSON: {e}") from None
        if not isinstance(data, dict):
            raise MobilityError("invalid transition matrix JSON: expected an object")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "TransitionMatrix":
        """A matrix from :meth:`to_dict` output (the Rust core's serde form)."""
        if not isinstance(data, dict):
            raise TypeError(f"from_dict takes a dict, not {type(data).__name__}")
        data = dict(data)
        dropped = data.pop("n_dropped", 0) or 0
        if not isinstance(dropped, numbers.Integral) or isinstance(dropped, bool) or dropped < 0:
            raise MobilityError(
                f"invalid transition matrix: n_dropped must be a whole number >= 0, not {dropped!r}"
            )
        try:
            text = json.dumps(data, allow_nan=False)
        except (ValueError, TypeError, RecursionError) as e:
            raise MobilityError(f"invalid transition matrix: {e}") from None
        return cls(_RawMatrix.from_json(text), int(dropped))

    # ----------------------------------------------------------------- data
    @property
    def k(self) -> int:
        """Number of classes."""
        return self._raw.k

    @property
    def n(self) -> Optional[float]:
        """Total weight (the number of pairs when unweighted); ``None`` for a probability table."""
        return self._raw.n

    @property
    def counts(self) -> Optional[FloatArray]:
        """Weighted joint counts ``n_ij`` (parents in rows), or ``None`` when unknown."""
        return self._raw.counts

    @property
    def probabilities(self) -> FloatArray:
        """Row-stochastic ``P``, parents in rows (a row with no parents is all zeros)."""
        return self._raw.probabilities

    @property
    def parent_shares(self) -> FloatArray:
        """Parent (origin) shares ``n_i. / n``."""
        return self._raw.parent_shares

    @property
    def child_shares(self) -> FloatArray:
        """Child (destination) shares ``n_.j / n`` (= parent_shares @ P)."""
        return self._raw.child_shares

    @property
    def labels(self) -> List[str]:
        """Class labels: Q1..Q4 / Q1..Q5, D1..D10, P1..P100, otherwise C1..Ck."""
        return self._raw.labels

    @property
    def parent_cutoffs(self) -> Optional[Cutoffs]:
        """Parent cut-offs in status units, when built from status."""
        return self._raw.parent_cutoffs

    @property
    def child_cutoffs(self) -> Optional[Cutoffs]:
        """Child cut-offs in status units, when built from status."""
        return self._raw.child_cutoffs

    @property
    def n_dropped(self) -> int:
        """Rows dropped for missing values (``dropna=True``); 0 otherwise."""
        return self._n_dropped

    @property
    def steady_state(self) -> Optional[FloatArray]:
        """The stationary distribution ``pi* P = pi*`` when unique (``None`` otherwise)."""
        if not self._raw.is_stochastic():
            return None
        return self._raw.spectrum()["steady_state"]

    def empty_rows(self) -> List[int]:
        """Zero-based parent classes with no observations."""
        return self._raw.empty_rows()

    def empty_columns(self) -> List[int]:
        """Zero-based child classes nobody reached."""
        return self._raw.empty_columns()

    def is_stochastic(self) -> bool:
        """Whether every row of ``P`` sums to 1 (no empty parent class)."""
        return self._raw.is_stochastic()

    def joint(self) -> FloatArray:
        """The joint distribution ``f_ij = pi_i p_ij`` (``n_ij / n`` from counts)."""
        return self._raw.joint()

    def inflow(self) -> FloatArray:
        """The inflow view ``P(parent in i | child in j)``; each column sums to 1."""
        return self._raw.inflow()

    def origin_weights(self, pi: Pi = "parent") -> FloatArray:
        """The origin weights ``pi`` for ``"parent"``, ``"uniform"``, ``"stationary"`` or a vector."""
        return self._raw.origin_weights(_pi_arg(pi))

    # ----------------------------------------------------------------- measures
    def measures(self, pi: Pi = "parent") -> Dict[str, Optional[float]]:
        """Every canonical measure of docs/FORMULAS.md#measures-table, by name (``None`` where undefined).

        ``pi`` sets the origin weights of the weighted measures (``upward_share``,
        ``downward_share``, ``immobility_ratio``, ``prais_bibby``, ``bartholomew``,
        ``mean_class_jump``): ``"parent"`` (parent shares, the actual flows; default),
        ``"uniform"`` (``1/k``, giddy's and igmobil's convention), ``"stationary"`` or a
        sequence of k weights summing to 1.

        Formulas (``P = [p_ij]``, classes ``1..k`` from the bottom)::

            bottom_persistence    p_11                      OECD (2018) sticky floor
            top_persistence       p_kk                      OECD (2018) sticky ceiling
            upward_from_bottom    1 - p_11
            downward_from_top     1 - p_kk
            bottom_to_top         p_1k                      Chetty et al. (2014) P(Q5|Q1)
            top_to_bottom         p_k1
            upward_share          sum_i pi_i sum_{j>i} p_ij
            downward_share        sum_i pi_i sum_{j<i} p_ij
            immobility_ratio      sum_i pi_i p_ii
            prais_bibby           1 - immobility_ratio      Bibby (1975)
            shorrocks_trace       (k - tr P) / (k - 1)      Prais (1955), Shorrocks (1978)
            determinant_shorrocks 1 - |det P|^(1/(k-1))     Shorrocks (1978)
            determinant_giddy     1 - |det P|               PySAL giddy D, Stata igmobil
            second_eigenvalue     1 - |lambda_2|            Sommers & Conlisk (1979)
            eigenvalue_sum        (k - sum |lambda_i|)/(k-1) Shorrocks (1978)
            bartholomew           sum_i pi_i sum_j p_ij |i-j| / (k-1)   Bartholomew (1973)
            mean_class_jump       sum_i pi_i sum_j p_ij |i-j|
            altham_independence   d(P, J) = 2 k sqrt(sum lambda_ij^2)   Altham (1970)

        Example
        -------
        >>> import mobility
        >>> m = mobility.published.us_chetty_2014().measures()
        >>> round(m["bottom_to_top"], 3)
        0.075
        """
        return self._raw.measures(_pi_arg(pi))

    def class_profile(self) -> "ClassProfile":
        """Per-class vectors: ``persistence`` ``p_ii``, ``prais`` ``1 - p_ii``, ``upward``
        ``sum_{j>i} p_ij``, ``downward`` ``sum_{j<i} p_ij``, ``expected_stay`` ``1/(1 - p_ii)``
        (giddy ``sojourn_time``; ``inf`` for an absorbing class). ``None`` for a class with no
        parents."""
        return self._raw.class_profile()

    def spectrum(self) -> "Spectrum":
        """``eigenvalues`` (complex, largest modulus first), ``abs_eigenvalues`` and
        ``steady_state`` (``None`` unless unique). Raises :class:`MobilityError` when a parent
        class is empty."""
        return self._raw.spectrum()

    def report(self, pi: Pi = "parent") -> Dict[str, Any]:
        """Everything about the matrix as one dict: the library's report, the same object as
        the CLI's ``mobility analyze --json`` (``mobility::report::AnalysisReport``: k, n,
        counts, matrix, shares, pi, measures, class_profile, steady_state, abs_eigenvalues,
        empty classes, cut-offs). JSON semantics: values that are undefined or infinite are
        ``None``.

        As in the CLI, a matrix built from microdata adds ``rank_measures`` (the fields of
        :meth:`rank_mobility`; ``None`` when every parent has the same status), and after a
        bootstrap with the same ``pi`` the ``inference`` key (for each canonical measure:
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``undefined_replicates``) and the
        ``bootstrap`` key (the settings). A table (from counts or probabilities) has neither,
        like ``mobility published --json``.
        """
        if self._data is None:
            report: Dict[str, Any] = json.loads(self._raw.report_json(_pi_arg(pi)))
            return report
        boot = self._matching_inference(pi)
        analysis: Dict[str, Any] = json.loads(
            self._raw.analysis_report_json(
                self._data,
                pi=_pi_arg(pi),
                bootstrap=None if boot is None else boot._raw,
                rank_inference=self._rank_inference,
                rule=self._estimated_rule,
                weight_kind=self._weight_kind,
            )
        )
        return analysis

    def summary(self, pi: Pi = "parent") -> "pd.DataFrame":
        """A tidy pandas DataFrame with one row per canonical measure: ``measure``, ``value``,
        ``description`` (``value`` is NaN where the measure is undefined). Needs pandas.

        After a bootstrap (:meth:`bootstrap`, or ``transition_matrix(..., bootstrap=B)``) with
        the same ``pi``, the frame gains ``se``, ``ci_low`` and ``ci_high`` (the bootstrap
        standard error and the interval it was run with, BCa by default).
        """
        require("pandas")
        import pandas as pd

        m = self.measures(pi)
        frame = pd.DataFrame(
            {
                "measure": list(m),
                "value": [np.nan if v is None else v for v in m.values()],
                "description": [MEASURES[name] for name in m],
            }
        )
        boot = self._matching_inference(pi)
        if boot is not None:
            rows = boot.to_frame("measure").set_index("statistic")
            for key in ("se", "ci_low", "ci_high"):
                frame[key] = rows[key].reindex(list(m)).to_numpy(dtype=np.float64)
        out: pd.DataFrame = frame
        return out

    # ----------------------------------------------------------------- inference
    @property
    def has_data(self) -> bool:
        """Whether the matrix keeps the microdata it was built from (needed to bootstrap)."""
        return self._data is not None

    @property
    def inference(self) -> Optional["BootstrapResult"]:
        """The latest :class:`mobility.BootstrapResult` of this matrix (``None`` before any)."""
        return self._inference

    @property
    def rank_inference(self) -> Optional[Dict[str, Dict[str, Any]]]:
        """The rank and income measures of the latest bootstrap, on the same draws (as the
        CLI's ``rank_inference``): for each measure ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``undefined_replicates`` and, where there is something to say (e.g. the BCa
        interval excludes the estimate), ``note``. ``None`` before a bootstrap, after one with
        the default ``rank_measures=False``, or where the rank measures are undefined."""
        if self._rank_inference is None:
            return None
        table: Dict[str, Dict[str, Any]] = json.loads(self._rank_inference)
        return table

    @property
    def bootstrap_result(self) -> Optional["BootstrapResult"]:
        """Alias of :attr:`inference`."""
        return self._inference

    def _need_data(self, what: str) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
        if self._data is None:
            raise MobilityError(
                f"{what} needs the microdata: this matrix was built from a table (counts, "
                f"probabilities, JSON or a published matrix), which cannot be resampled. Build "
                f"it from the pairs with mobility.transition_matrix(parent, child, ...)"
            )
        return self._data

    def _matching_inference(self, pi: Pi) -> Optional["BootstrapResult"]:
        boot = self._inference
        if boot is None or boot.settings["weighting"] != _weighting_json(pi):
            return None
        return boot

    def bootstrap(
        self,
        replicates: int = 1000,
        seed: int = 0,
        *,
        ci: str = "bca",
        level: float = 0.95,
        cluster: Any = None,
        cutoffs: str = "reestimate",
        statistics: Union[str, Sequence[str]] = "all",
        pi: Pi = "parent",
        jackknife_groups: int = 30,
        rank_measures: bool = False,
        progress: Any = None,
    ) -> "BootstrapResult":
        """Bootstrap every measure, cell and per-class vector of this matrix.

        Each replicate draws the units (or whole clusters) with replacement, multiplies their
        weights by the draw counts and **re-estimates the quantile cut-offs and classes**
        before recomputing every statistic (``cutoffs="fixed"`` keeps the full-sample
        cut-offs, treating them as known; given cut-offs, bands or reference cut-offs are always
        fixed). One sort, then a linear pass per replicate; replicates run in parallel with the
        GIL released and give identical results for any number of threads (replicate ``b``
        draws from stream ``b`` of a ChaCha8 generator seeded with ``seed``)::

            se          = sd(theta*_b)                  (over defined replicates)
            percentile  = [Q(alpha/2), Q(1 - alpha/2)]
            BCa         = Efron (1987), acceleration from a grouped jackknife

        Parameters
        ----------
        replicates : int
            B >= 2 (1,000 for intervals).
        seed : int
            The seed (>= 0); the same seed gives the same result on any machine.
        ci : {"bca", "percentile"}
            The interval reported as ``ci_low``/``ci_high`` (both are always computed). BCa is
            the default: with re-estimated cut-offs the percentile interval over-covers.
        level : float
            Confidence level in (0, 1).
        cluster : array-like or str, optional
            Cluster ids (any labels; a column name when the matrix came from a DataFrame):
            whole clusters are resampled (families, states in a pooled panel).
        cutoffs : {"reestimate", "fixed"}
        statistics : "all", "measures" or a list of names
            Names as in :meth:`BootstrapResult.to_frame`: canonical measures, cells ``p_i_j``,
            per-class entries ``persistence_i`` (``prais``, ``upward``, ``downward``,
            ``expected_stay``, ``steady_state``).
        pi : origin weights of the weighted measures, as in :meth:`measures`.
        jackknife_groups : int
            Groups of the grouped jackknife behind the BCa acceleration.
        rank_measures : bool
            Also bootstrap the rank and income measures (:meth:`rank_mobility`) on the same
            draws, as ``mobility analyze --bootstrap`` does; kept as :attr:`rank_inference`
            and in :meth:`report` (then the same object as the CLI's JSON). Off by default:
            ranks are re-estimated in each replicate, ``O(B n log n)``, about 0.35 s per
            replicate at 10^6 pairs on 2 cores against 5 ms for the matrix measures.
        progress : bool or callable, optional
            ``True`` shows a tqdm bar over the replicates (``pip install "mobility[progress]"``);
            a callable is called as ``progress(done, total)`` as replicates finish (``total``
            counts the replicates and the jackknife groups, twice with ``rank_measures``).

        Returns
        -------
        BootstrapResult
            Also kept as :attr:`inference` (and used by :meth:`summary` and :meth:`report`).
        """
        from .inference import BootstrapResult, _bootstrap_options

        data = self._need_data("the bootstrap")
        spec = self._spec
        assert spec is not None  # `_attach` sets it with the microdata
        replicates = _check_count(replicates, "replicates")
        codes = None if cluster is None else self._cluster_codes(cluster)
        if codes is not None:
            from ._warnings import warn_few_clusters

            # the user's call: tm.bootstrap directly, or transition_matrix(..., bootstrap=B)
            warn_few_clusters(codes, stacklevel=4 if _called_from_builder() else 3)
        groups = _check_count(jackknife_groups, "jackknife_groups")
        total = (replicates + groups) * (2 if rank_measures else 1)
        with replicate_progress(progress, total, "mobility bootstrap") as counter:
            options = _bootstrap_options(
                replicates, seed, ci, level, cutoffs, pi, groups, statistics, self._weight_kind
            )
            raw = _bootstrap(data, spec, options, codes, counter)
            self._inference = BootstrapResult(raw)
            self._rank_inference = None
            if rank_measures:
                self._rank_inference = _rank_bootstrap_json(data, options, codes, counter)
        return self._inference

    def _cluster_codes(self, cluster: Any) -> np.ndarray:
        n = self._data[0].shape[0] if self._data is not None else 0
        if isinstance(cluster, str):
            if self._frame is None:
                raise TypeError(
                    f"cluster={cluster!r} is a column name, but this matrix was not built from "
                    f"a DataFrame: pass the cluster ids as an array"
                )
            cluster = column(self._frame, cluster, "cluster")
        codes, _, missing = label_codes(cluster, "cluster ids")
        keep = self._keep
        if keep is not None and codes.shape[0] == keep.shape[0] and codes.shape[0] != n:
            codes, missing = codes[keep], missing[keep]
        return check_ids(codes, missing, n, "cluster ids")

    def standard_errors(
        self,
        method: str = "auto",
        *,
        pi: Pi = "parent",
        level: float = 0.95,
        statistics: Union[str, Sequence[str]] = "all",
        row_counts: Any = None,
        bandwidth: Optional[float] = None,
    ) -> "AnalyticResult":
        """Analytic (delta-method) standard errors and normal intervals of every statistic.

        ``method``:

        - ``"copula"`` (:func:`mobility.quantile_copula`): the classes are sample quantiles of
          the same data, so the estimated cut-offs add variance; the empirical-copula limit
          ``G(u,v) = B(u,v) - dC/du B(u,1) - dC/dv B(1,v)``. Needs the microdata and
          ``midrank`` quantile classes of the data itself.
        - ``"multinomial"`` (:func:`mobility.row_multinomial`): known class bounds (fixed
          bands, reference cut-offs treated as known); rows are independent multinomials::

              Var(p_ij) = p_ij (1 - p_ij) / n_i.,  Var(M) = grad' Sigma grad

          ``row_counts`` replaces ``n_i.`` (default: the Kish effective counts
          ``(sum w)^2 / sum w^2`` of each parent class for weighted microdata, the observed row
          totals otherwise).
        - ``"auto"`` (default): ``"copula"`` for quantile classes estimated from the kept data
          with the midrank rule, ``"multinomial"`` otherwise.

        Returns an :class:`mobility.AnalyticResult` (``to_frame()``: statistic, estimate, se,
        ci_low, ci_high, note).
        """
        from .inference import AnalyticResult, _analytic_method

        method = _analytic_method(method)
        rule = self._estimated_rule
        estimated = rule in ("midrank", "split")
        kind = self._weight_kind
        if method == "auto":
            method = "empirical_copula" if estimated else "row_multinomial"
        stats = _statistics_arg(statistics)
        if method == "empirical_copula":
            p, c, w = self._need_data("copula standard errors")
            if rule is None or not estimated:
                raise MobilityError(
                    "copula standard errors are for midrank or split quantile classes estimated "
                    "from the data itself; this matrix has given cut-offs or another tie rule: "
                    "use method='multinomial'"
                )
            raw = _mobility.quantile_copula(
                p, c, w, k=self.k, pi=_pi_arg(pi), level=float(level), statistics=stats,
                bandwidth=None if bandwidth is None else float(bandwidth),
                rule=rule, weight_kind=kind,
            )
            return AnalyticResult.from_value(raw)
        if bandwidth is not None:
            raise MobilityError("bandwidth applies to method='copula' only")
        rows = None
        if row_counts is not None:
            rows = as_vector(row_counts, "row_counts")
        elif self._data is not None and self._data[2] is not None and kind == "sampling":
            p, _, w = self._data
            cut = self.parent_cutoffs
            assert cut is not None  # a matrix from microdata has its cut-offs
            rows = _mobility.kish_row_counts(p, w, cut)
        raw = _mobility.row_multinomial(
            self._raw, row_counts=rows, pi=_pi_arg(pi), level=float(level), statistics=stats
        )
        return AnalyticResult.from_value(raw)

    # ----------------------------------------------------------------- beyond the matrix
    def decompose(self) -> "Decomposition":
        """Total, structural and exchange mobility of the joint table ``f_ij = pi_i p_ij``::

            T = 1 - sum_i f_ii,   S = 1/2 sum_i |f_i. - f_.i|,   E = T - S

        With classes from the same population (quantile classes of the data) the parent and
        child shares are equal and ``S = 0``: all mobility is exchange. With national cut-offs
        applied to a place, ``S`` measures how the place's distribution moved (its levelling
        up). Sobel (1983); docs/FORMULAS.md#structural-exchange. Returns a :class:`mobility.Decomposition`.
        """
        from .levelling import Decomposition

        return Decomposition.from_value(self._raw.decompose())

    def levelling(self) -> "Levelling":
        """Levelling up and social mobility over this matrix's classes: shares, the
        structural/exchange split, the levelling-up score ``sum_j j f_.j - sum_i i f_i.`` (mean
        class of children minus that of parents), the mean fall in classes of those who end
        below their parents, and access to the top ``p_1k / p_mk`` (``m = ceil(k/2)``). Meant
        for matrices over national classes (a place against national cut-offs). Returns a
        :class:`mobility.Levelling`."""
        from .levelling import Levelling

        return Levelling.from_value(self._raw.levelling())

    def rank_mobility(self) -> "RankMobility":
        """Rank and income measures of the pairs the matrix was built from (rank-rank slope,
        intercept, absolute upward mobility, Spearman, Kendall's tau-b, IGE, absolute mobility):
        :func:`mobility.rank_mobility` on the kept data, computed once. Raises when the matrix
        has no microdata or every parent has the same status."""
        from .rankbased import RankMobility

        p, c, w = self._need_data("rank measures")
        if self._ranks is None:
            self._ranks = RankMobility.from_value(
                _mobility.rank_mobility(p, c, w), n_dropped=self._n_dropped
            )
        return self._ranks

    def _rank_result(self) -> Optional["RankMobility"]:
        """The rank measures, or None where undefined (as the CLI reports them)."""
        try:
            return self.rank_mobility()
        except MobilityError:
            return None

    def without_data(self) -> "TransitionMatrix":
        """A copy without the kept microdata (lighter to pickle; cannot be bootstrapped)."""
        out = TransitionMatrix(self._raw, self._n_dropped)
        out._inference = self._inference
        out._rank_inference = self._rank_inference
        return out

    # ----------------------------------------------------------------- Markov shortcuts
    def matrix_power(self, n: int) -> FloatArray:
        """``P^n``: class of the descendant ``n`` generations on (grandchildren: ``n = 2``)."""
        from . import markov

        return markov.matrix_power(self.probabilities, n)

    def mean_first_passage_times(self) -> FloatArray:
        """Mean first passage times (``inf`` where a class cannot be reached)."""
        from . import markov

        return markov.mean_first_passage_times(self.probabilities)

    def convergence(self, period_years: Optional[float] = None) -> "Convergence":
        """``lambda_2`` and the half-life ``ln(1/2) / ln |lambda_2|`` (see :func:`mobility.markov.convergence`)."""
        from . import markov

        return markov.convergence(self.probabilities, period_years)

    # ----------------------------------------------------------------- conversion
    def to_frame(self, kind: str = "probabilities") -> "pd.DataFrame":
        """The matrix as a labelled pandas DataFrame (rows ``parent Q1``.., columns ``child Q1``..).

        ``kind``: ``"probabilities"`` (default), ``"counts"``, ``"joint"`` or ``"inflow"``.
        """
        require("pandas")
        import pandas as pd

        table = self._table(kind)
        labels = self.labels
        out: pd.DataFrame = pd.DataFrame(
            table,
            index=pd.Index([f"parent {c}" for c in labels], name="parent"),
            columns=pd.Index([f"child {c}" for c in labels], name="child"),
        )
        return out

    def _table(self, kind: str) -> np.ndarray:
        if kind == "probabilities":
            return self.probabilities
        if kind == "counts":
            if self.counts is None:
                raise MobilityError("the counts of this matrix are unknown (a probability table)")
            return self.counts
        if kind == "joint":
            return self.joint()
        if kind == "inflow":
            return self.inflow()
        raise MobilityError(
            f"invalid kind: {kind!r}; expected 'probabilities', 'counts', 'joint' or 'inflow'"
        )

    def to_dict(self) -> Dict[str, Any]:
        """The matrix as plain Python data (the Rust core's serde form, plus ``n_dropped``)."""
        d: Dict[str, Any] = json.loads(self._raw.to_json())
        d["n_dropped"] = self._n_dropped
        return d

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict())

    # ----------------------------------------------------------------- display
    def to_html_report(
        self,
        path: Any = None,
        title: Optional[str] = None,
        *,
        pi: Pi = None,
        source: Optional[str] = None,
        bins: int = 20,
    ) -> Any:
        """Write the shareable HTML report of this matrix (one self-contained file, the page
        ``mobility report`` writes; see :func:`mobility.report`).

        A matrix built from microdata with quantile classes (:func:`mobility.transition_matrix`)
        gets the full page: rank measures and the rank-rank picture (``bins``), the long run;
        a finished table (published, counts, probabilities) gets the matrix, its measures and
        the long run. ``source`` names the data on the page. Returns the written path (a
        :class:`pathlib.Path`) when ``path`` is given, else the HTML text.
        """
        from . import _report

        given = [("title", title, None), ("pi", pi, None), ("source", source, None),
                 ("bins", bins, 20)]
        first = "" if path is None else repr(os.fspath(path))
        command = _report._call("tm.to_html_report", first, given)
        rule = self._estimated_rule
        if rule is not None:
            p, c, w = self._data  # type: ignore[misc]
            name = "the data passed to mobility.transition_matrix" if source is None else source
            columns = {"weights": None if w is None else "weights"}
            html = _mobility.html_report(
                p,
                c,
                weights=w,
                k=self.k,
                rule=rule,
                pi=_pi_arg(pi),
                bins=bins,
                title=title,
                source_json=_report._source_json(
                    name, columns, int(p.shape[0]) + self._n_dropped, self._n_dropped, command
                ),
                weight_kind=self._weight_kind,
            )
        else:
            name = "a transition matrix" if source is None else source
            html = _mobility.html_report_matrix(
                self._raw,
                pi=_pi_arg(pi),
                title=title,
                source_json=_report._source_json(name, {}, None, 0, command),
            )
        return _report._write(html, path)

    def _repr_html_(self) -> str:
        return _display.html(self)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw a labelled heat map with matplotlib (imported only here); returns the Axes.

        Keyword arguments: ``kind`` (``"probabilities"``, ``"counts"``, ``"joint"``,
        ``"inflow"``), ``annotate`` (write the values, default True), ``fmt`` (default
        ``".2f"``), ``cmap`` (default ``"Blues"``), ``colorbar`` (default True, labelled with
        what a cell is: ``"share of the parent class"`` for probabilities), ``title`` (default:
        what is shown, :attr:`name` when known, and n). Rows of empty parent classes are drawn
        hatched grey with the word "empty", not as zeros. Needs matplotlib
        (``pip install "mobility[matplotlib]"``).
        """
        return _display.plot(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        return _display.text(self)

    # ----------------------------------------------------------------- protocol
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TransitionMatrix):
            return NotImplemented
        return self._raw == other._raw and self._n_dropped == other._n_dropped

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        return (
            _restore,
            (
                self._raw.to_json(),
                self._n_dropped,
                self._data,
                self._spec,
                self._inference,
                self._rank_inference,
                self._name,
            ),
        )


def _restore(
    text: str,
    n_dropped: int,
    data: Any = None,
    spec: Any = None,
    inference: Any = None,
    rank_inference: Optional[str] = None,
    name: Optional[str] = None,
) -> TransitionMatrix:
    tm = TransitionMatrix(_RawMatrix.from_json(text), n_dropped)
    if data is not None:
        tm._attach(data, spec)
    tm._inference = inference
    tm._rank_inference = rank_inference
    tm._name = name
    return tm


def _called_from_builder() -> bool:
    """Whether the method calling this was called by :func:`transition_matrix` (its
    ``bootstrap=B``), so that a warning points at the user's line."""
    from . import _builder

    frame = sys._getframe(2)
    return frame.f_code.co_name == "transition_matrix" and frame.f_globals is vars(_builder)


# The builder, importable from here as before (it imports TransitionMatrix from this module).
from ._builder import transition_matrix  # noqa: E402
