"""Ranking places honestly (the Rust core's ``mobility::ranking``).

* :func:`rank_confidence_sets`: confidence sets for ranks (Mogstad, Romano, Shaikh & Wilhelm
  2024, Review of Economic Studies 91(1)), marginal or simultaneous, two-sided / lower / upper,
  with the step-down refinement, from estimates and a covariance matrix (or a vector of SEs)::

      rank_j = 1 + #{k : theta_k > theta_j}          (rank 1 = largest; largest_first=False flips)
      Z ~ N(0, Sigma),  T = max over pairs (Z_a - Z_b) / sd(a - b),  c = (1 - alpha) quantile
      reject "a beats b" when (theta_a - theta_b) / sd(a - b) > c; step down on the pairs left
      lower_j = 1 + #{beaten by},   upper_j = p - #{beats}

* :func:`tau_best`, :func:`tau_worst`: the populations among the ``tau`` best / worst with
  ``coverage`` confidence (indices).
* :func:`shrink`: empirical-Bayes estimates toward the precision-weighted mean (Chetty &
  Hendren 2018, QJE 133(3)), with the signal variance.
* :func:`rank_rank_regression`: rank-rank slope and intercept (0-100 scale) with standard
  errors that account for estimated ranks (Chetverikov & Wilhelm 2023, arXiv:2310.15512), for the
  whole sample or per group on national ranks, beside the naive OLS standard errors.
* :func:`plot_ranks`: places ordered by estimate with their rank confidence sets as bars.

Every heavy step runs in Rust with the GIL released.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

from ._optional import require
from . import _mobility
from ._args import _missing_rows
from ._input import (
    as_float_array,
    check_ids,
    label_codes,
    missing_error,
    resolve_pairs,
)
from ._mobility import MobilityError
from ._results import Record

__all__ = [
    "RankConfidenceSets",
    "RankRankRegression",
    "Shrinkage",
    "rank_confidence_sets",
    "tau_best",
    "tau_worst",
    "shrink",
    "rank_rank_regression",
    "plot_ranks",
    "rank_places",
    "PLACE_RANK_COLUMNS",
]

#: Columns of the frame :func:`rank_places` returns, in order.
PLACE_RANK_COLUMNS = (
    "place", "units", "weight", "estimate", "se", "shrunk", "reliability", "rank",
    "shrunk_rank", "lower", "upper", "tau_best", "tau_worst",
)

#: Columns of :meth:`RankRankRegression.to_frame`, in order (the interface contract).
RANK_RANK_COLUMNS = (
    "group",
    "n",
    "slope",
    "intercept",
    "slope_se",
    "intercept_se",
    "slope_se_naive",
    "intercept_se_naive",
)


def _seed(seed: Any) -> int:
    if seed is None:
        return 0
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a whole number, not {type(seed).__name__}")
    if not 0 <= int(seed) < 2**64:
        raise MobilityError(f"seed must be a whole number from 0 to 2^64 - 1, got {seed}")
    return int(seed)


def _uncertainty(cov: Any, p: int) -> Dict[str, np.ndarray]:
    """``{"cov": matrix}`` or ``{"se": vector}`` from a covariance matrix or a vector of SEs."""
    if cov is None:
        raise TypeError("pass a covariance matrix or a vector of standard errors")
    arr = np.asarray(cov, dtype=np.float64)
    if arr.ndim == 1:
        return {"se": np.ascontiguousarray(arr)}
    if arr.ndim == 2:
        return {"cov": np.ascontiguousarray(arr)}
    raise MobilityError(f"cov must be a p x p matrix or a vector of p standard errors, got {arr.ndim} dimensions")


def _settings(
    unc: Dict[str, np.ndarray],
    coverage: Any,
    stepdown: Any,
    draws: Any,
    seed: Any,
    largest_first: Any,
) -> Dict[str, Any]:
    """The core's keyword arguments the rank confidence sets and the tau-best / tau-worst sets
    share: the settings, converted, and the uncertainty ``unc`` (:func:`_uncertainty`)."""
    return {
        "coverage": float(coverage),
        "stepdown": bool(stepdown),
        "draws": int(draws),
        "seed": _seed(seed),
        "largest_first": bool(largest_first),
        **unc,
    }


def _estimates(estimates: Any) -> np.ndarray:
    return as_float_array(estimates, "estimates")


def _names(names: Any, p: int) -> Optional[List[Any]]:
    if names is None:
        idx = None
    else:
        idx = list(names)
        if len(idx) != p:
            raise MobilityError(f"names: expected {p} names, found {len(idx)}")
    return idx


class RankConfidenceSets(Record):
    """Confidence sets for ranks.

    ``rank``, ``lower``, ``upper`` (numpy int arrays, one entry per requested population, in the
    order of ``indices``), ``estimate``, ``se``, ``index``; the settings; ``critical_values``
    (one per step of a simultaneous procedure); ``names`` when given. ``to_frame()`` gives one
    row per population; ``plot()`` draws the sets.
    """

    index: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    rank: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    p: int
    coverage: float
    kind: str
    simultaneous: bool
    stepdown: bool
    draws: int
    seed: int
    largest_first: bool
    full_covariance: bool
    critical_values: np.ndarray
    names: Optional[List[Any]] = None

    @classmethod
    def _from(cls, d: Dict[str, Any], names: Optional[List[Any]]) -> "RankConfidenceSets":
        rows = d["rows"]

        def col(k: str, t: Any) -> np.ndarray:
            return np.array([r[k] for r in rows], dtype=t)

        idx = col("index", np.int64)
        return cls(
            index=idx,
            estimate=col("estimate", np.float64),
            se=col("se", np.float64),
            rank=col("rank", np.int64),
            lower=col("lower", np.int64),
            upper=col("upper", np.int64),
            p=d["p"],
            coverage=d["coverage"],
            kind=d["kind"].replace("_", "-"),
            simultaneous=d["simultaneous"],
            stepdown=d["stepdown"],
            draws=d["draws"],
            seed=d["seed"],
            largest_first=d["largest_first"],
            full_covariance=d["full_covariance"],
            critical_values=np.asarray(d["critical_values"], dtype=np.float64),
            names=None if names is None else [names[i] for i in idx],
        )

    def to_frame(self) -> Any:
        """A pandas DataFrame: ``name`` (when given), ``index, estimate, se, rank, lower, upper``."""
        require("pandas")
        import pandas as pd

        cols: Dict[str, Any] = {
            "index": self.index,
            "estimate": self.estimate,
            "se": self.se,
            "rank": self.rank,
            "lower": self.lower,
            "upper": self.upper,
        }
        if self.names is not None:
            cols = {"name": self.names, **cols}
        return pd.DataFrame(cols)

    def plot(self, highlight: Optional[Sequence[Any]] = None, ax: Any = None, **kw: Any) -> Any:
        """The ranking plot (see :func:`plot_ranks`)."""
        return _plot(self, highlight=highlight, ax=ax, **kw)

    def __repr__(self) -> str:
        kind = ("simultaneous" if self.simultaneous else "marginal") + " " + self.kind
        return f"RankConfidenceSets(p={self.p}, {kind}, coverage={self.coverage}, draws={self.draws})"


def rank_confidence_sets(
    estimates: Any,
    cov: Any,
    coverage: float = 0.95,
    kind: str = "two-sided",
    simultaneous: bool = True,
    stepdown: bool = True,
    draws: int = 10000,
    seed: Any = None,
    *,
    largest_first: bool = True,
    indices: Optional[Sequence[int]] = None,
    names: Any = None,
) -> RankConfidenceSets:
    """Confidence sets for the ranks of ``p`` populations (Mogstad, Romano, Shaikh & Wilhelm 2024).

    ``cov`` is the ``p x p`` covariance matrix of the estimates (e.g. a joint bootstrap's) or a
    vector of ``p`` standard errors (independent estimates). ``kind``: ``"two-sided"``
    (``{lower..upper}``), ``"lower"`` (``{lower..p}``) or ``"upper"`` (``{1..upper}``).
    ``simultaneous=True`` covers all true ranks at once with probability about ``coverage``;
    ``False`` gives marginal sets. Rank 1 is the largest estimate unless ``largest_first=False``.
    ``seed=None`` means seed 0 (results are reproducible). ``names`` labels the populations.

    >>> cs = rank_confidence_sets([10.0, 5.0, 4.9, 0.0], [0.1] * 4, draws=2000)
    >>> cs.lower.tolist(), cs.upper.tolist()
    ([1, 2, 2, 4], [1, 3, 3, 4])
    """
    est = _estimates(estimates)
    unc = _uncertainty(cov, est.size)
    nm = _names(names, est.size)
    d = _mobility.rank_confidence_sets(
        est,
        **_settings(unc, coverage, stepdown, draws, seed, largest_first),
        kind=str(kind),
        simultaneous=bool(simultaneous),
        indices=None if indices is None else [int(i) for i in indices],
    )
    return RankConfidenceSets._from(d, nm)


def _tau(which: str, estimates: Any, cov: Any, tau: int, coverage: float, draws: int, seed: Any,
         stepdown: bool, largest_first: bool) -> np.ndarray:
    est = _estimates(estimates)
    unc = _uncertainty(cov, est.size)
    d = _mobility.tau_set(
        est, int(tau), which, **_settings(unc, coverage, stepdown, draws, seed, largest_first)
    )
    return np.asarray(d["indices"], dtype=np.int64)


def tau_best(
    estimates: Any,
    cov: Any,
    tau: int,
    coverage: float = 0.95,
    draws: int = 10000,
    seed: Any = None,
    *,
    stepdown: bool = True,
    largest_first: bool = True,
) -> np.ndarray:
    """Indices of the populations that are among the ``tau`` best (largest estimates, or
    smallest with ``largest_first=False``) with confidence ``coverage``: the set contains every
    population whose true rank is ``<= tau`` with probability about ``coverage``
    (``{j : lower_j <= tau}`` from simultaneous one-sided lower bounds over all populations).

    >>> tau_best([10.0, 5.0, 4.9, 0.0], [0.1] * 4, 2, draws=2000).tolist()
    [0, 1, 2]
    """
    return _tau("best", estimates, cov, tau, coverage, draws, seed, stepdown, largest_first)


def tau_worst(
    estimates: Any,
    cov: Any,
    tau: int,
    coverage: float = 0.95,
    draws: int = 10000,
    seed: Any = None,
    *,
    stepdown: bool = True,
    largest_first: bool = True,
) -> np.ndarray:
    """Indices of the populations among the ``tau`` worst with confidence ``coverage``
    (``{j : upper_j >= p - tau + 1}`` from simultaneous upper bounds)."""
    return _tau("worst", estimates, cov, tau, coverage, draws, seed, stepdown, largest_first)


class Shrinkage(Record):
    """Empirical-Bayes shrinkage: ``target``, ``signal_variance``, ``noise_variance``,
    ``total_variance``, ``method`` and per place ``estimate``, ``se``, ``reliability``,
    ``shrunk``, ``shrunk_se`` (numpy arrays)."""

    target: float
    signal_variance: float
    noise_variance: float
    total_variance: float
    method: str
    estimate: np.ndarray
    se: np.ndarray
    reliability: np.ndarray
    shrunk: np.ndarray
    shrunk_se: np.ndarray

    def to_frame(self) -> Any:
        """A pandas DataFrame: ``estimate, se, reliability, shrunk, shrunk_se``."""
        require("pandas")
        import pandas as pd

        return pd.DataFrame(
            {
                "estimate": self.estimate,
                "se": self.se,
                "reliability": self.reliability,
                "shrunk": self.shrunk,
                "shrunk_se": self.shrunk_se,
            }
        )


def shrink(estimates: Any, se: Any, method: str = "moments", target: Optional[float] = None) -> Shrinkage:
    """Empirical-Bayes shrinkage toward the precision-weighted mean (Chetty & Hendren 2018)::

        mu = sum theta / se^2 / sum 1 / se^2   (or `target`)
        signal variance = max(0, var(theta) - mean(se^2))        method="moments"
                          (precision-weighted moments with method="precision_weighted")
        lambda = signal / (signal + se^2),  shrunk = mu + lambda (theta - mu),  sd = sqrt(lambda) se

    >>> s = shrink([1.0, -1.0, 3.0, -3.0], [1.0] * 4)
    >>> round(s.signal_variance, 12), round(float(s.shrunk[2]), 12)
    (4.0, 2.4)
    """
    d = _mobility.shrink(_estimates(estimates), as_float_array(se, "standard errors"), method, target)
    def col(k: str) -> np.ndarray:
        return np.array([r[k] for r in d["rows"]], dtype=np.float64)

    return Shrinkage(
        target=d["target"],
        signal_variance=d["signal_variance"],
        noise_variance=d["noise_variance"],
        total_variance=d["total_variance"],
        method=d["method"],
        estimate=col("estimate"),
        se=col("se"),
        reliability=col("reliability"),
        shrunk=col("shrunk"),
        shrunk_se=col("shrunk_se"),
    )


class RankRankRegression(Record):
    """Rank-rank regressions with Chetverikov-Wilhelm standard errors.

    ``rows``: one dict per group (``group``, ``n``, ``total_weight``, ``slope``, ``intercept``
    (0-100), ``slope_se``, ``intercept_se``, ``slope_se_naive``, ``intercept_se_naive``,
    ``slope_se_hc``, ``intercept_se_hc``); ``covariance``: the ``2G x 2G`` covariance of
    ``(intercept_0, slope_0, intercept_1, ...)`` (intercepts on the 0-100 scale) or None;
    ``n``, ``total_weight``, ``weight_kind``.
    """

    n: int
    total_weight: float
    weight_kind: str
    rows: List[Dict[str, Any]]
    covariance: Optional[np.ndarray]

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per group (one row without ``by``) and the columns
        ``group, n, slope, intercept, slope_se, intercept_se, slope_se_naive,
        intercept_se_naive``."""
        require("pandas")
        import pandas as pd

        return pd.DataFrame({c: [r[c] for r in self.rows] for c in RANK_RANK_COLUMNS})

    @property
    def slope(self) -> np.ndarray:
        """Slopes, one per group."""
        return np.array([r["slope"] for r in self.rows])

    @property
    def slope_se(self) -> np.ndarray:
        """Chetverikov-Wilhelm standard errors of the slopes."""
        return np.array([r["slope_se"] for r in self.rows])


def rank_rank_regression(
    data: Any = None,
    child: Any = None,
    weights: Any = None,
    by: Any = None,
    *,
    parent: Any = None,
    weight_kind: str = "sampling",
    covariance: Optional[bool] = None,
    dropna: bool = False,
) -> RankRankRegression:
    """Rank-rank slope and intercept (0-100 scale) with standard errors that account for the
    ranks being estimated (Chetverikov & Wilhelm 2023), and the naive OLS ones beside them.

    Call forms: ``rank_rank_regression(parent, child, weights=w, by=g)`` or
    ``rank_rank_regression(df, parent="p", child="c", weights="w", by="g")``. Ranks are weighted
    mid-ranks in the **whole** sample (national) when ``by`` is given; each group gets its own
    slope and intercept, and ``covariance`` (default: when there are at most 50 groups) the
    joint covariance across groups. ``weight_kind="sampling"`` (default) treats weights as
    sampling weights in the variance, ``"frequency"`` as counts of identical units.

    >>> rr = rank_rank_regression([1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 4, 3, 6, 5, 8, 7])
    >>> round(rr.rows[0]["slope"], 6)
    0.904762
    """
    extra = {} if by is None else {"groups": by}
    p, c, w, extras, index, _ = resolve_pairs(
        "rank_rank_regression", data, child, weights, parent, extra
    )
    labels = None
    codes = None
    gmiss = None
    if by is not None:
        codes, labels, gmiss = label_codes(extras["groups"], "by")
        if codes.size != p.size:
            raise MobilityError(f"by: expected {p.size} labels, found {codes.size}")
    keep = None
    if dropna:
        m = _missing_rows(p, c, w, gmiss)
        if m.any():
            keep = ~m
    else:
        err = missing_error([("parent", p), ("child", c), ("weights", w)], index)
        if err is not None:
            raise err
        if gmiss is not None and gmiss.any():
            raise MobilityError(f"by: {int(gmiss.sum())} missing group labels (pass dropna=True to drop them)")
    if keep is not None:
        p, c = p[keep], c[keep]
        w = None if w is None else w[keep]
        codes = None if codes is None else codes[keep]
    if codes is not None:
        # renumber the groups present
        present, codes = np.unique(codes, return_inverse=True)
        assert labels is not None  # codes come with their labels
        labels = [labels[i] for i in present]
        codes = np.ascontiguousarray(codes, dtype=np.int64)
    ng = 1 if labels is None else len(labels)
    cov_flag = (ng <= 50) if covariance is None else bool(covariance)
    d = _mobility.rank_rank_regression(
        np.ascontiguousarray(p), np.ascontiguousarray(c),
        None if w is None else np.ascontiguousarray(w), codes, weight_kind, cov_flag,
    )
    rows = d["rows"]
    if labels is not None:
        for r in rows:
            r["group"] = labels[r["group"]]
    else:
        for r in rows:
            r["group"] = "all"
    cov = None if d["covariance"] is None else np.asarray(d["covariance"], dtype=np.float64)
    return RankRankRegression(
        n=d["n"], total_weight=d["total_weight"], weight_kind=d["weight_kind"], rows=rows,
        covariance=cov,
    )


def _plot(cs: Union[RankConfidenceSets, "_FrameSets"], highlight: Optional[Sequence[Any]] = None, ax: Any = None,
          title: Optional[str] = None, color: str = "0.6", highlight_color: str = "C3") -> Any:
    require("matplotlib")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    order = np.argsort(cs.rank, kind="stable")
    x = np.arange(1, order.size + 1)
    labels = cs.names if cs.names is not None else [int(i) for i in cs.index]
    hl = set() if highlight is None else set(highlight)
    lo, up, rk = cs.lower[order], cs.upper[order], cs.rank[order]
    is_hl = np.array([labels[i] in hl for i in order], dtype=bool)
    ax.vlines(x[~is_hl], lo[~is_hl], up[~is_hl], color=color, linewidth=1)
    ax.plot(x[~is_hl], rk[~is_hl], ".", color=color, markersize=3)
    if is_hl.any():
        ax.vlines(x[is_hl], lo[is_hl], up[is_hl], color=highlight_color, linewidth=2)
        ax.plot(x[is_hl], rk[is_hl], "o", color=highlight_color, markersize=4)
        for xi, i, r in zip(x[is_hl], order[is_hl], rk[is_hl]):
            ax.annotate(str(labels[i]), (xi, r), xytext=(4, 4), textcoords="offset points",
                        color=highlight_color, fontsize=8)
    ax.set_xlabel("places ordered by estimate")
    ax.set_ylabel("rank (1 = largest)" if cs.largest_first else "rank (1 = smallest)")
    ax.invert_yaxis()
    kind = "simultaneous" if cs.simultaneous else "marginal"
    ax.set_title(title or f"{int(round(100 * cs.coverage))}% {kind} confidence sets for ranks")
    return ax


def rank_places(
    data: Any = None,
    child: Any = None,
    by: Any = None,
    weights: Any = None,
    *,
    parent: Any = None,
    measure: str = "absolute_upward_mobility",
    k: int = 5,
    bootstrap: int = 500,
    resample: str = "joint",
    rank_ci: bool = True,
    min_size: int = 0,
    coverage: float = 0.95,
    tau: int = 10,
    draws: int = 10000,
    simultaneous: bool = True,
    seed: Any = None,
    as_frame: bool = True,
    cluster: Any = None,
    progress: Any = None,
) -> Any:
    """Rank places honestly from microdata with a place column: each place's estimate of
    ``measure`` against national classes and ranks, its standard error from the joint places
    bootstrap (``resample="joint"``: the whole sample resampled, national cut-offs and ranks
    re-estimated in every replicate, giving the joint covariance; ``"independent"``: each
    place's units resampled with the national cut-offs fixed, right when every place is a small
    share of the nation), its empirical-Bayes shrunk estimate, its rank and rank confidence set
    (Mogstad, Romano, Shaikh & Wilhelm 2024) and whether it is in the tau-best / tau-worst sets.

    Call forms as :func:`mobility.transition_matrix`: ``rank_places(parent, child, by=g)`` or
    ``rank_places(df, parent="p", child="c", by="g")``. ``measure`` is any matrix measure name,
    ``levelling_up``, ``structural``, ``exchange``, ``rank_rank_slope``,
    ``rank_rank_intercept``, ``absolute_upward_mobility`` or ``national_rank_correlation`` (the
    correlation of the national ranks within the place). ``cluster`` (ids, or a column name)
    resamples whole clusters in the joint bootstrap. Places with fewer than
    ``min_size`` rows are left out (listed in ``frame.attrs["excluded"]``). ``progress=True``
    shows a tqdm bar over the bootstrap replicates; a callable gets ``(done, total)``.

    Returns a pandas DataFrame with :data:`PLACE_RANK_COLUMNS`, one row per place in rank order
    (``attrs`` hold the settings, the signal variance and the covariance of the bootstrap's places,
    in the order of ``attrs["places"]``, as nested lists: ``np.asarray(frame.attrs["covariance"])``),
    or the raw dict with
    ``as_frame=False``. ``plot_ranks(frame)`` draws it.
    """
    if not rank_ci:
        raise MobilityError("rank_places computes rank confidence sets; rank_ci=False is not supported")
    extra = {"groups": by}
    if cluster is not None:
        extra["cluster"] = cluster
    p, c, w, extras, index, _ = resolve_pairs(
        "rank_places", data, child, weights, parent, extra
    )
    err = missing_error([("parent", p), ("child", c), ("weights", w)], index)
    if err is not None:
        raise err
    groups = extras.get("groups")
    if groups is None:
        raise MobilityError("rank_places needs by= (a place label per row)")
    labels = [str(x) for x in np.asarray(groups, dtype=object).tolist()]
    if len(labels) != p.size:
        raise MobilityError(f"by: expected {p.size} labels, found {len(labels)}")
    codes = None
    if "cluster" in extras:
        codes, _, missing = label_codes(extras["cluster"], "cluster ids")
        check_ids(codes, missing, p.size, "cluster ids")
        from ._warnings import warn_few_clusters

        warn_few_clusters(codes, stacklevel=3)  # the wording of the CLI and tm.bootstrap
    from ._progress import replicate_progress

    with replicate_progress(progress, int(bootstrap), "mobility places bootstrap") as counter:
        d = _mobility.rank_places(
            np.ascontiguousarray(p), np.ascontiguousarray(c), labels,
            None if w is None else np.ascontiguousarray(w), measure, int(k), int(bootstrap),
            resample, _seed(seed), int(min_size), float(coverage), int(tau), int(draws),
            bool(simultaneous), clusters=codes, progress=counter,
        )
    if not as_frame:
        return d
    require("pandas")
    import pandas as pd

    r = d["ranking"]
    frame = pd.DataFrame(r["rows"], columns=list(PLACE_RANK_COLUMNS))
    frame = frame.sort_values(["rank", "place"], kind="stable").reset_index(drop=True)
    boot = d["places_bootstrap"]
    cov = boot.get("covariance")
    for key in ("measure", "p", "coverage", "simultaneous", "full_covariance", "draws",
                "largest_first", "tau", "shrinkage_target", "signal_variance", "excluded"):
        frame.attrs[key] = r[key]
    frame.attrs["replicates"] = boot["replicates"]
    frame.attrs["resampling"] = boot["resampling"]
    frame.attrs["places"] = [row["place"] for row in boot["places"]]
    # a nested list (pandas compares attrs on concat; arrays would make that ambiguous)
    frame.attrs["covariance"] = None if cov is None else [list(map(float, r)) for r in cov]
    return frame


class _FrameSets:
    """A rank_places frame seen as rank confidence sets, for the plot."""

    def __init__(self, frame: Any):
        self.rank = np.asarray(frame["rank"], dtype=np.int64)
        self.lower = np.asarray(frame["lower"], dtype=np.int64)
        self.upper = np.asarray(frame["upper"], dtype=np.int64)
        self.names = list(frame["place"])
        self.index = np.arange(len(frame))
        self.largest_first = bool(frame.attrs.get("largest_first", True))
        self.simultaneous = bool(frame.attrs.get("simultaneous", True))
        self.coverage = float(frame.attrs.get("coverage", 0.95))


def plot_ranks(
    estimates: Any,
    cov: Any = None,
    names: Any = None,
    highlight: Optional[Sequence[Any]] = None,
    ax: Any = None,
    **options: Any,
) -> Any:
    """The ranking plot: places ordered by estimate, each with its rank confidence set as a
    vertical bar and its estimated rank as a dot; the places named in ``highlight`` are drawn
    in colour and labelled. ``estimates`` may be a :class:`RankConfidenceSets` or a
    :func:`rank_places` frame (then ``cov`` is not needed); otherwise the sets are computed with ``rank_confidence_sets(estimates, cov,
    names=names, **options)``. matplotlib is imported only here. Returns the Axes.
    """
    cs: Union[RankConfidenceSets, _FrameSets]
    if isinstance(estimates, RankConfidenceSets):
        cs = estimates
    elif hasattr(estimates, "columns") and {"rank", "lower", "upper", "place"} <= set(estimates.columns):
        cs = _FrameSets(estimates)  # a rank_places frame
    else:
        cs = rank_confidence_sets(estimates, cov, names=names, **options)
    return _plot(cs, highlight=highlight, ax=ax)
