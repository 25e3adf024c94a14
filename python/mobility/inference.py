"""Inference: bootstrap and analytic confidence intervals for every measure, and comparisons of
groups or periods (the Rust core's ``mobility::inference``).

=============================  ==================================================================
``TransitionMatrix.bootstrap`` the bootstrap of a matrix built from microdata: units or clusters
                               resampled (weights respected), cut-offs and classes re-estimated
                               in every replicate, percentile and BCa intervals, replicates kept
                               (also ``transition_matrix(..., bootstrap=B)``)
``BootstrapResult``            its result: ``to_frame()`` (tidy intervals), ``replicates(name)``
``row_multinomial``            delta-method SEs with known class bounds (rows multinomial)
``quantile_copula``            SEs of the quantile matrix accounting for estimated cut-offs
``homogeneity``                chi-square and G tests that groups share P (by origin row)
``joint_homogeneity``          the same for the whole joint table (origin margins included)
``altham_bootstrap``           Altham's d(P, Q) with a multinomial bootstrap interval
``bootstrap_difference``       the bootstrap of theta_A - theta_B for every statistic
=============================  ==================================================================

Statistic names: the canonical measures of docs/FORMULAS.md#measures-table (``shorrocks_trace``, ...), cells
``p_i_j`` (row ``i`` = parent class, 1-based from the bottom) and per-class entries
``persistence_i``, ``prais_i``, ``upward_i``, ``downward_i``, ``expected_stay_i``,
``steady_state_i``. Where a statistic is undefined (an empty parent class in a replicate) the
result counts it (``undefined_replicates``) and says why (``note``); never a silent NaN.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union, cast

import numpy as np

from ._optional import require
from . import _mobility
from ._input import as_float_array, as_matrix, check_k, label_codes, resolve_pairs
from ._mobility import BootstrapResult as _RawBootstrap
from ._mobility import Cutoffs, MobilityError
from ._results import (
    BootstrapSettings,
    FloatArray,
    Record,
    StatisticSummary,
    Weighting,
    frame_html,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._args import BootstrapOptions, ClassSpec, Pi
    from ._matrix import TransitionMatrix

__all__ = [
    "BootstrapResult",
    "AnalyticResult",
    "DifferenceResult",
    "HomogeneityTest",
    "JointHomogeneityTest",
    "TestStatistic",
    "RowContribution",
    "AlthamComparison",
    "row_multinomial",
    "quantile_copula",
    "kish_row_counts",
    "homogeneity",
    "homogeneity_test",
    "joint_homogeneity",
    "altham_bootstrap",
    "bootstrap_difference",
]

#: Columns of the tidy frames, in order.
_FRAME_COLUMNS = (
    "statistic",
    "kind",
    "row",
    "col",
    "class",
    "vector",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "undefined_replicates",
    "percentile_low",
    "percentile_high",
    "bca_low",
    "bca_high",
    "bias_correction",
    "acceleration",
    "note",
)
_INT_COLUMNS = ("row", "col", "class")


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a whole number, not {type(seed).__name__}")
    if not 0 <= int(seed) < 2**64:
        raise MobilityError(f"seed must be a whole number from 0 to 2^64 - 1, got {seed}")
    return int(seed)


def _bootstrap_options(
    replicates: Any,
    seed: Any,
    ci: Any,
    level: Any,
    cutoffs: Any,
    pi: Any,
    jackknife_groups: Any,
    statistics: Any,
    weight_kind: str,
) -> "BootstrapOptions":
    """The compiled bootstrap's options from the public arguments, each checked (shared by
    :meth:`TransitionMatrix.bootstrap` and :func:`bootstrap_difference`)."""
    from ._args import BootstrapOptions, _check_count, _check_str, _pi_arg, _statistics_arg

    return BootstrapOptions(
        replicates=_check_count(replicates, "replicates"),
        seed=_check_seed(seed),
        ci=_check_str(ci, "ci"),
        level=float(level),
        cutoffs=_check_str(cutoffs, "cutoffs"),
        pi=_pi_arg(pi),
        jackknife_groups=_check_count(jackknife_groups, "jackknife_groups"),
        statistics=_statistics_arg(statistics),
        weight_kind=weight_kind,
    )


def _frame(columns: Mapping[str, Sequence[Any]], kind: Optional[str]) -> "pd.DataFrame":
    require("pandas")
    import pandas as pd

    data: Dict[str, Any] = {}
    for name in _FRAME_COLUMNS:
        if name not in columns:
            continue
        values = columns[name]
        if name in _INT_COLUMNS:
            data[name] = pd.array(values, dtype="Int64")
        elif name in ("statistic", "kind", "vector", "note"):
            data[name] = pd.array(values, dtype=object)
        elif name == "undefined_replicates":
            data[name] = np.asarray(values, dtype=np.int64)
        else:
            data[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    frame = pd.DataFrame(data)
    if kind is not None:
        if kind not in ("measure", "cell", "class"):
            raise MobilityError(f"invalid kind: {kind!r}; expected 'measure', 'cell' or 'class'")
        frame = frame[frame["kind"] == kind].reset_index(drop=True)
    out: pd.DataFrame = frame
    return out


class BootstrapResult:
    """The bootstrap distribution of every selected statistic of a transition matrix.

    Made by :meth:`TransitionMatrix.bootstrap` (or ``transition_matrix(..., bootstrap=B)``).

    - :meth:`to_frame`: one row per statistic with ``statistic``, ``kind`` (``measure``,
      ``cell``, ``class``), ``row``, ``col`` (cells), ``class`` and ``vector`` (per-class
      entries), ``estimate`` (full sample), ``se`` (bootstrap standard error), ``ci_low``,
      ``ci_high`` (the interval chosen with ``ci``), ``undefined_replicates``, both intervals
      (``percentile_*``, ``bca_*``), the BCa ``bias_correction`` and ``acceleration``, and a
      ``note`` where something is undefined;
    - :meth:`replicates`: the replicate values of one statistic (numpy);
    - :meth:`get` / ``result[name]``: one statistic's summary as a dict;
    - :attr:`settings`: k, replicates, seed, level, ci, cutoffs, resampling, weighting.

    Pickles and round-trips through :meth:`to_dict` / :meth:`from_dict` (the core's serde form,
    replicates included).
    """

    __slots__ = ("_raw", "_settings")

    def __init__(self, raw: _RawBootstrap) -> None:
        if not isinstance(raw, _RawBootstrap):
            raise TypeError(
                "BootstrapResult is made by TransitionMatrix.bootstrap(...) or "
                "transition_matrix(..., bootstrap=B)"
            )
        self._raw = raw
        self._settings: BootstrapSettings = raw.settings()

    # ------------------------------------------------------------------ settings
    @property
    def settings(self) -> BootstrapSettings:
        """``k``, ``replicates``, ``seed``, ``level``, ``ci``, ``cutoffs`` (``reestimate`` or
        ``fixed``), ``resample`` (``units`` or ``clusters``), ``clusters``, ``units``,
        ``jackknife_groups`` and ``weighting`` (the core's form of ``pi``)."""
        return self._settings.copy()

    @property
    def k(self) -> int:
        """Number of classes."""
        return self._settings["k"]

    @property
    def replicate_count(self) -> int:
        """Number of bootstrap replicates B."""
        return self._settings["replicates"]

    @property
    def seed(self) -> int:
        """The seed."""
        return self._settings["seed"]

    @property
    def level(self) -> float:
        """The confidence level."""
        return self._settings["level"]

    @property
    def ci(self) -> str:
        """The interval reported as ``ci_low``/``ci_high``: ``"bca"`` or ``"percentile"``."""
        return self._settings["ci"]

    @property
    def names(self) -> List[str]:
        """Statistic names, in result order (measures, cells row by row, per-class entries)."""
        return self._raw.names()

    # ------------------------------------------------------------------ access
    def to_frame(self, kind: Optional[str] = None) -> "pd.DataFrame":
        """The tidy pandas DataFrame of intervals (see the class docs); ``kind`` = ``"measure"``,
        ``"cell"`` or ``"class"`` keeps those rows only."""
        return _frame(self._raw.columns(), kind)

    def get(self, name: str) -> StatisticSummary:
        """One statistic's summary: ``statistic``, ``name``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``percentile`` and ``bca`` intervals (``{"low", "high"}``),
        ``bias_correction``, ``acceleration``, ``undefined_replicates``, ``note``. KeyError
        for an unknown name."""
        d = self._raw.get(name)
        d.pop("replicates", None)
        d.pop("undefined_at", None)
        return cast(StatisticSummary, d)

    def __getitem__(self, name: str) -> StatisticSummary:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in set(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self._raw)

    def replicates(self, name: str, aligned: bool = False) -> FloatArray:
        """The replicate values of one statistic, in replicate order.

        By default only the defined values (as the core keeps them); ``aligned=True`` gives all
        ``B`` values with NaN where the statistic was undefined (e.g. an empty parent class).
        """
        if aligned:
            return self._raw.replicate_values(name)
        return self._raw.replicates(name)

    def undefined_at(self, name: str) -> List[int]:
        """0-based numbers of the replicates in which a statistic was undefined."""
        return self._raw.undefined_at(name)

    # ------------------------------------------------------------------ the CLI's JSON
    # ------------------------------------------------------------------ conversion
    def to_dict(self) -> Dict[str, Any]:
        """Plain Python data: the core's serde form (settings, then every statistic with its
        replicates)."""
        d: Dict[str, Any] = json.loads(self._raw.to_json())
        return d

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict`."""
        return self._raw.to_json()

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "BootstrapResult":
        """A result from :meth:`to_dict` output."""
        if not isinstance(data, dict):
            raise TypeError(f"from_dict takes a dict, not {type(data).__name__}")
        return cls(_RawBootstrap.from_json(json.dumps(data)))

    @classmethod
    def from_json(cls, text: str) -> "BootstrapResult":
        """A result from :meth:`to_json` text."""
        if not isinstance(text, (str, bytes)):
            raise TypeError(f"from_json takes JSON text, not {type(text).__name__}")
        return cls(_RawBootstrap.from_json(text if isinstance(text, str) else text.decode()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BootstrapResult):
            return NotImplemented
        return self._raw == other._raw

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, Tuple[Any]]:
        return (BootstrapResult, (self._raw,))

    def __repr__(self) -> str:
        s = self._settings
        what = (
            f"{s['clusters']} clusters" if s["resample"] == "clusters" else f"{s['units']} units"
        )
        return (
            f"BootstrapResult(k={s['k']}, B={s['replicates']}, seed={s['seed']}, {what}, "
            f"cut-offs {s['cutoffs']}, {s['ci']} {s['level']:.0%} intervals, "
            f"{len(self)} statistics)"
        )

    def _repr_html_(self) -> str:
        cols = ["statistic", "estimate", "se", "ci_low", "ci_high", "undefined_replicates"]
        return frame_html(self, lambda: self.to_frame("measure"), cols, 4)


# ---------------------------------------------------------------------------------------------
# Analytic standard errors
# ---------------------------------------------------------------------------------------------


def _analytic_method(method: Any) -> str:
    """``"auto"``, or the library's canonical method name (``row_multinomial``,
    ``empirical_copula``; spellings such as ``multinomial`` and ``copula`` accepted)."""
    if not isinstance(method, str):
        raise TypeError(f"method must be a string, not {type(method).__name__}")
    if method.strip().lower() == "auto":
        return "auto"
    return _mobility.canonical_name("method", method)


class AnalyticEstimate(Record):
    """One statistic's analytic estimate: ``statistic`` (the core's tagged form: ``kind`` and
    ``name``, ``row``/``col`` or ``vector``/``class``), ``name``, ``estimate``, ``se``,
    ``ci_low``, ``ci_high`` and ``note`` (why a standard error is missing)."""

    statistic: Dict[str, Union[str, int]]
    name: str
    estimate: Optional[float]
    se: Optional[float]
    ci_low: Optional[float]
    ci_high: Optional[float]
    note: Optional[str]


class AnalyticResult(Record):
    """Analytic (delta-method) standard errors and normal intervals ``estimate -+ z se``.

    Made by :meth:`TransitionMatrix.standard_errors`, :func:`row_multinomial` or
    :func:`quantile_copula`. ``method`` is ``"row_multinomial"`` or ``"empirical_copula"``;
    ``effective_n`` the (Kish effective) sample size behind the copula variance and
    ``bandwidth`` its copula-derivative bandwidth (None for the row model); ``row_counts`` the
    row counts behind the row-multinomial variance (None for the copula model).
    ``result[name]`` / :meth:`get` is one statistic as a dict; :meth:`to_frame` gives one row
    per statistic (``statistic``, ``kind``, ``row``, ``col``, ``class``, ``vector``,
    ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``note``: why a standard error is missing,
    e.g. a singular matrix for the determinant).
    """

    method: str
    k: int
    level: float
    effective_n: Optional[float]
    row_counts: Optional[List[float]]
    bandwidth: Optional[float]
    weighting: Weighting
    statistics: List[AnalyticEstimate]

    @property
    def names(self) -> List[str]:
        """Statistic names, in result order."""
        return [s.name for s in self.statistics]

    def get(self, name: str) -> AnalyticEstimate:
        """One statistic (``estimate["se"]`` or ``estimate.se``; KeyError for an unknown
        name)."""
        for s in self.statistics:
            if s.name == name:
                return s
        raise KeyError(f"{name!r} is not a statistic of this result")

    def __getitem__(self, name: str) -> AnalyticEstimate:
        return self.get(name)

    def __len__(self) -> int:
        return len(self.statistics)

    def to_frame(self, kind: Optional[str] = None) -> "pd.DataFrame":
        """The tidy pandas DataFrame (see the class docs)."""
        cols: Dict[str, List[Any]] = {
            key: []
            for key in (
                "statistic", "kind", "row", "col", "class", "vector",
                "estimate", "se", "ci_low", "ci_high", "note",
            )
        }
        for s in self.statistics:
            st = s.statistic
            cols["statistic"].append(s.name)
            for key in ("kind", "row", "col", "class", "vector"):
                cols[key].append(st.get(key))
            for key in ("estimate", "se", "ci_low", "ci_high", "note"):
                cols[key].append(getattr(s, key))
        return _frame(cols, kind)

    def __repr__(self) -> str:
        return (
            f"AnalyticResult(method={self.method!r}, k={self.k}, level={self.level}, "
            f"{len(self)} statistics)"
        )


def _stats_arg(statistics: Any) -> Any:
    from ._args import _statistics_arg

    return _statistics_arg(statistics)


def _pi(pi: Any) -> Any:
    from ._args import _pi_arg

    return _pi_arg(pi)


def row_multinomial(
    tm: Any,
    row_counts: Any = None,
    *,
    pi: Any = "parent",
    level: float = 0.95,
    statistics: Union[str, Sequence[str]] = "all",
) -> AnalyticResult:
    """Row-multinomial (known class bounds) delta-method standard errors of a matrix.

    Given the row totals each row of counts is an independent multinomial::

        Var(p_ij) = p_ij (1 - p_ij) / n_i.     Cov(p_ij, p_il) = -p_ij p_il / n_i.
        Var(M)    = sum_i [ sum_j p_ij g_ij^2 - (sum_j p_ij g_ij)^2 ] / n_i.,  g = dM/dP
        trace:  se = sqrt( sum_i p_ii (1 - p_ii) / n_i. ) / (k - 1)

    ``row_counts`` replaces ``n_i.`` (e.g. Kish effective counts from
    :func:`kish_row_counts` for weighted data; needed for a probability table, which has no
    counts). For quantile classes estimated from the same data, see :func:`quantile_copula`.
    """
    from ._matrix import TransitionMatrix

    if not isinstance(tm, TransitionMatrix):
        tm = TransitionMatrix.from_counts(tm)
    rows = None
    if row_counts is not None:
        rows = [float(x) for x in as_float_array(row_counts, "row_counts")]
    raw = _mobility.row_multinomial(
        tm._raw, row_counts=rows, pi=_pi(pi), level=float(level), statistics=_stats_arg(statistics)
    )
    return AnalyticResult.from_value(raw)


def quantile_copula(
    data: Any = None,
    child: Any = None,
    quantiles: int = 5,
    weights: Any = None,
    *,
    parent: Any = None,
    pi: Any = "parent",
    level: float = 0.95,
    statistics: Union[str, Sequence[str]] = "all",
    bandwidth: Optional[float] = None,
) -> AnalyticResult:
    """Standard errors of the quantile matrix that account for the estimated cut-offs (the
    empirical-copula limit), with ``midrank`` quantile classes.

    The quantile matrix is ``k`` times a rectangle increment of the empirical copula, whose
    limit is ``G(u,v) = B(u,v) - dC/du B(u,1) - dC/dv B(1,v)`` (Rüschendorf 1976; Fermanian,
    Radulović & Wegkamp 2004). Under independence ``n Var(p_ab) = (1 - 1/k)^2`` against the
    naive ``1 - 1/k``. Copula derivatives by finite differences with half-width
    ``h = 0.5 n^(-1/3)`` (capped at ``1/(2k)``) unless ``bandwidth`` is given.

    Call forms as :func:`mobility.transition_matrix` (arrays, or a DataFrame and column names).
    """
    p, c, w, _, _, _ = resolve_pairs(
        "quantile_copula", data, child, weights, parent
    )
    k = check_k(quantiles)
    raw = _mobility.quantile_copula(
        p, c, w, k=k, pi=_pi(pi), level=float(level), statistics=_stats_arg(statistics),
        bandwidth=None if bandwidth is None else float(bandwidth),
    )
    return AnalyticResult.from_value(raw)


def kish_row_counts(parent: Any, weights: Any, cutoffs: Cutoffs) -> FloatArray:
    """Kish effective counts per parent class, ``(sum w)^2 / sum w^2`` over the units of each
    class (Kish 1965, section 11.7); the row totals without weights."""
    if not isinstance(cutoffs, Cutoffs):
        raise TypeError(f"cutoffs must be a mobility.Cutoffs, not {type(cutoffs).__name__}")
    p = as_float_array(parent, "parent status")
    w = None if weights is None else as_float_array(weights, "weights")
    return np.asarray(_mobility.kish_row_counts(p, w, cutoffs))


# ---------------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------------


class TestStatistic(Record):
    """A test statistic with its degrees of freedom and chi-square p-value."""

    __test__ = False  # not a pytest class

    statistic: float
    df: int
    p_value: float


class RowContribution(Record):
    """One origin row's share of a homogeneity test."""

    row: int
    chi_square: float
    likelihood_ratio: float
    df: int


class HomogeneityTest(Record):
    """Do the groups share each origin row's destination distribution?

    ``chi_square`` (Pearson) and ``likelihood_ratio`` (G), each a :class:`TestStatistic`, and
    the per-row contributions ``rows``. :meth:`to_frame` gives the rows as a DataFrame.
    """

    groups: int
    k: int
    chi_square: TestStatistic
    likelihood_ratio: TestStatistic
    rows: Tuple[RowContribution, ...] = ()

    def to_frame(self) -> "pd.DataFrame":
        """The per-row contributions: ``row``, ``chi_square``, ``likelihood_ratio``, ``df``."""
        require("pandas")
        import pandas as pd

        out: pd.DataFrame = pd.DataFrame([r.to_dict() for r in self.rows])
        return out


class JointHomogeneityTest(Record):
    """Do the groups share the whole joint table (origin margins included)?"""

    groups: int
    chi_square: TestStatistic
    likelihood_ratio: TestStatistic


def _count_tables(tables: Any, fn: str) -> List[np.ndarray]:
    from ._matrix import TransitionMatrix

    if isinstance(tables, np.ndarray):
        if tables.ndim == 3:
            tables = list(tables)
        else:
            raise MobilityError(
                f"{fn} takes a sequence of 2 or more k x k count tables (or a 3-d array), "
                f"got an array of shape {tables.shape}"
            )
    if isinstance(tables, TransitionMatrix) or not isinstance(tables, (list, tuple)):
        raise TypeError(
            f"{fn} takes a sequence of count tables or TransitionMatrix objects, "
            f"e.g. {fn}([counts_a, counts_b]), not {type(tables).__name__}"
        )
    out = []
    for i, t in enumerate(tables):
        if isinstance(t, TransitionMatrix):
            if t.counts is None:
                raise MobilityError(
                    f"matrix {i + 1} has no counts (a probability table): the test needs counts"
                )
            out.append(np.ascontiguousarray(t.counts))
        else:
            out.append(as_matrix(t, f"count table {i + 1}"))
    return out


def homogeneity(tables: Any) -> HomogeneityTest:
    """Test whether two or more groups (or periods) share their transition matrices, origin row
    by origin row (Anderson & Goodman 1957; Bishop, Fienberg & Holland 1975, ch. 7)::

        for each origin row i:  e_gij = n_gi. N_i.j / N_i..      (N pooled over groups)
        X^2 = sum (n - e)^2 / e        G = 2 sum n ln(n / e)
        df  = sum_i (groups with n_gi. > 0 - 1)(non-empty pooled columns of row i - 1)

    ``tables``: a sequence of k x k **count** tables (arrays, nested lists, DataFrames) or
    :class:`TransitionMatrix` objects with counts, or a 3-d array. Expected counts come from the
    pooled row of the same origin class (giddy's ``kullback`` uses destination totals instead
    and rejects a true null almost always). Survey-weighted counts make the p-values invalid.
    """
    return HomogeneityTest.from_value(_mobility.homogeneity(_count_tables(tables, "homogeneity")))


#: Alias of :func:`homogeneity`.
homogeneity_test = homogeneity


def joint_homogeneity(tables: Any) -> JointHomogeneityTest:
    """Test whether the groups share the whole joint table (origin margins included): the
    groups x k^2 contingency table, ``e_g(ij) = n_g.. N_ij / N``."""
    return JointHomogeneityTest.from_value(
        _mobility.joint_homogeneity(_count_tables(tables, "joint_homogeneity"))
    )


class Interval(Record):
    """A confidence interval ``[low, high]``."""

    low: float
    high: float


class AlthamComparison(Record):
    """Altham's ``d(P, Q)`` with a bootstrap standard error and percentile ``interval`` (also
    as ``ci_low``, ``ci_high``; None when too few replicates are defined)."""

    distance: float
    se: Optional[float]
    interval: Optional[Interval]
    level: float
    replicate_count: int
    undefined_replicates: int
    replicates: FloatArray

    @property
    def ci_low(self) -> Optional[float]:
        """The interval's lower end."""
        return None if self.interval is None else self.interval.low

    @property
    def ci_high(self) -> Optional[float]:
        """The interval's upper end."""
        return None if self.interval is None else self.interval.high


def altham_bootstrap(
    p: Any, q: Any, replicates: int = 1000, seed: int = 0, level: float = 0.95
) -> AlthamComparison:
    """Altham's distance between two count tables (Altham 1970; Altham & Ferrie 2007) with a
    multinomial bootstrap: each replicate redraws each table from a multinomial with its
    (rounded) total and observed cell shares::

        d(P, Q) = 2 k sqrt( sum_ij (lambda^P_ij - lambda^Q_ij)^2 ),  lambda = double-centred ln

    A replicate with a zero cell has no distance and is counted in ``undefined_replicates``.
    Tables: count arrays or :class:`TransitionMatrix` objects with counts. For the distance
    alone see :func:`mobility.altham_distance`.
    """
    from ._args import _check_count

    pt, qt = _count_tables([p, q], "altham_bootstrap")
    d = _mobility.altham_bootstrap(
        pt, qt, _check_count(replicates, "replicates"), _check_seed(seed), float(level)
    )
    return AlthamComparison.from_value(d)


class DifferenceResult:
    """The bootstrap of ``theta_A - theta_B`` for every statistic between two groups.

    ``a`` and ``b``: each group's :class:`BootstrapResult`; ``differences``: a
    :class:`BootstrapResult` of the differences (estimate, se, intervals, replicates; its
    settings are group A's). :meth:`to_frame` is ``differences.to_frame()``.
    """

    __slots__ = ("a", "b", "differences")

    def __init__(self, a: BootstrapResult, b: BootstrapResult, differences: BootstrapResult):
        self.a = a
        self.b = b
        self.differences = differences

    def to_frame(self, kind: Optional[str] = None) -> "pd.DataFrame":
        """The tidy frame of the differences (columns as :meth:`BootstrapResult.to_frame`)."""
        return self.differences.to_frame(kind)

    def get(self, name: str) -> StatisticSummary:
        """One statistic's difference."""
        return self.differences.get(name)

    def __getitem__(self, name: str) -> StatisticSummary:
        return self.get(name)

    def to_dict(self) -> Dict[str, Any]:
        """``{"a": ..., "b": ..., "differences": [...]}`` (the core's serde form)."""
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "differences": self.differences.to_dict()["statistics"],
        }

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        return (DifferenceResult, (self.a, self.b, self.differences))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DifferenceResult):
            return NotImplemented
        return (self.a, self.b, self.differences) == (other.a, other.b, other.differences)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DifferenceResult(B={self.a.replicate_count}, {len(self.differences)} statistics)"

    def _repr_html_(self) -> str:
        return self.differences._repr_html_()


def _group_arrays(g: Any, which: str) -> Tuple[Any, Optional["ClassSpec"]]:
    """(``((parent, child, weights), cluster codes)`` for the core, spec of a TransitionMatrix
    or None)."""
    from ._matrix import TransitionMatrix

    if isinstance(g, TransitionMatrix):
        return (g._need_data(f"bootstrap_difference (group {which})"), None), g._spec
    if isinstance(g, dict):
        unknown = set(g) - {"parent", "child", "weights", "cluster"}
        if unknown or "parent" not in g or "child" not in g:
            raise TypeError(
                f"group {which} as a dict needs the keys 'parent' and 'child' (optional "
                f"'weights', 'cluster'); got {sorted(g)}"
            )
        p, c, w, cl = g["parent"], g["child"], g.get("weights"), g.get("cluster")
    elif isinstance(g, (tuple, list)) and len(g) in (2, 3):
        p, c = g[0], g[1]
        w = g[2] if len(g) == 3 else None
        cl = None
    else:
        raise TypeError(
            f"group {which} must be a TransitionMatrix built from microdata, a tuple "
            f"(parent, child[, weights]) or a dict with 'parent', 'child' (and 'weights', "
            f"'cluster'), not {type(g).__name__}"
        )
    pa = as_float_array(p, f"group {which} parent status")
    ca = as_float_array(c, f"group {which} child status")
    wa = None if w is None else as_float_array(w, f"group {which} weights")
    codes = None
    if cl is not None:
        codes, _, missing = label_codes(cl, f"group {which} cluster ids")
        if missing.any():
            raise MobilityError(
                f"group {which} cluster ids have {int(missing.sum())} missing values"
            )
        from ._warnings import warn_few_clusters

        warn_few_clusters(codes, f" in group {which}", stacklevel=4)
    return ((pa, ca, wa), codes), None


def bootstrap_difference(
    a: Any,
    b: Any,
    quantiles: Optional[int] = None,
    *,
    replicates: int = 1000,
    seed: int = 0,
    ci: str = "bca",
    level: float = 0.95,
    cutoffs: str = "reestimate",
    rule: Optional[str] = None,
    pi: Any = "parent",
    statistics: Union[str, Sequence[str]] = "all",
    jackknife_groups: int = 30,
) -> DifferenceResult:
    """The bootstrap difference ``theta_A - theta_B`` of every statistic between two independent
    groups (or periods), each resampled within itself with cut-offs re-estimated::

        d*_b = theta*_A,b - theta*_B,b      se = sd(d*_b); percentile and BCa intervals

    ``a`` and ``b``: :class:`TransitionMatrix` objects built from microdata (their quantiles,
    rule and cut-offs are used; they must agree), tuples ``(parent, child[, weights])``, or
    dicts with ``parent``, ``child`` and optional ``weights`` and ``cluster`` (ids resampled
    whole). ``quantiles`` (default 5 for raw arrays) and ``rule`` (default ``"midrank"``) set
    the classes of raw arrays. Other options as :meth:`TransitionMatrix.bootstrap`. Group A
    uses random streams ``b``, group B streams ``2^40 + b`` of the same seed.
    """
    ga, spec_a = _group_arrays(a, "a")
    gb, spec_b = _group_arrays(b, "b")
    specs = [s for s in (spec_a, spec_b) if s is not None]
    if len(specs) == 2 and specs[0] != specs[1]:
        raise MobilityError(
            "the two matrices were built with different classes (quantiles, rule or cut-offs); "
            "bootstrap_difference needs the same class specification for both groups"
        )
    spec: ClassSpec
    if specs:
        spec = specs[0]
        if quantiles is not None and check_k(quantiles) != spec["k"]:
            raise MobilityError(
                f"quantiles={quantiles} disagrees with the matrices' k = {spec['k']}"
            )
        if rule is not None and rule != spec["rule"]:
            raise MobilityError(f"rule={rule!r} disagrees with the matrices' rule {spec['rule']!r}")
    else:
        spec = {"k": check_k(5 if quantiles is None else quantiles), "rule": rule or "midrank"}
    options = _bootstrap_options(
        replicates, seed, ci, level, cutoffs, pi, jackknife_groups, statistics,
        spec.get("weight_kind", "sampling"),
    )
    a_raw, b_raw, d_raw = _mobility.bootstrap_difference(ga, gb, spec, options)
    return DifferenceResult(BootstrapResult(a_raw), BootstrapResult(b_raw), BootstrapResult(d_raw))
