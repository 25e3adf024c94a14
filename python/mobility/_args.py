"""Argument checks shared by :func:`mobility.transition_matrix`, the
:class:`mobility.TransitionMatrix` methods and the other entry points: origin weights
(``pi=``, and its core serde form), counts and strings, ``statistics=``, dropping rows with a
missing value, and the cut-off pair of ``reference=`` / ``cutoffs=`` / ``bands=``. Also the
dicts the compiled bootstrap and matrix functions take as single arguments
(:class:`ClassSpec`, :class:`BootstrapOptions`)."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, TypedDict, Union

import numpy as np

from ._input import as_float_array, as_vector, column, is_frame
from ._mobility import Cutoffs, MobilityError

#: An origin weighting: a name (``"parent"``, ``"stationary"``, ...), a vector, or None.
Pi = Union[str, Sequence[float], np.ndarray, None]


class _Quantiles(TypedDict):
    k: int
    rule: str


class ClassSpec(_Quantiles, total=False):
    """How the classes of a matrix from pairs are made, as the matrix keeps it
    (``TransitionMatrix._spec``) and the compiled ``TransitionMatrix.from_status``,
    ``bootstrap`` and ``bootstrap_difference`` take it: ``k`` quantile classes under the tie
    ``rule``, or both cut-offs (then ``k`` and ``rule`` are not used). ``weight_kind`` (what
    the weights mean) is kept alongside; the compiled functions read it from
    :class:`BootstrapOptions`."""

    weight_kind: str
    parent_cutoffs: Cutoffs
    child_cutoffs: Cutoffs


class BootstrapOptions(TypedDict):
    """The settings of the compiled ``bootstrap``, ``rank_bootstrap_json`` and
    ``bootstrap_difference``, checked (every key given: the public functions hold the
    defaults). Made by ``mobility.inference._bootstrap_options``."""

    replicates: int
    seed: int
    ci: str
    level: float
    cutoffs: str
    pi: Pi
    jackknife_groups: int
    statistics: Union[str, List[str]]
    weight_kind: str


def _pi_arg(pi: Pi) -> Any:
    if pi is None or isinstance(pi, str):
        return pi
    return as_vector(pi, "pi")


def _weighting_json(pi: Pi) -> Any:
    """The core's serde form of a weighting (to compare with a bootstrap's)."""
    if pi is None:
        return "parent_shares"
    if isinstance(pi, str):
        name = pi.strip().lower().replace("-", "_")
        if name in ("parent", "parent_shares", "parents"):
            return "parent_shares"
        if name in ("stationary", "steady_state"):
            return "stationary"
        return name
    return {"custom": as_vector(pi, "pi")}


def _check_count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be a whole number, not {type(value).__name__}")
    if value < 0:
        raise MobilityError(f"{what} must be a whole number >= 0, got {value}")
    return int(value)


def _check_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {type(value).__name__}")
    return value


def _statistics_arg(statistics: Any) -> Any:
    if isinstance(statistics, str):
        return statistics
    if isinstance(statistics, (list, tuple)) and all(isinstance(s, str) for s in statistics):
        return list(statistics)
    raise TypeError(
        "statistics must be 'all', 'measures' or a list of statistic names, "
        f"not {type(statistics).__name__}"
    )


def _missing_rows(
    p: np.ndarray,
    c: np.ndarray,
    w: Optional[np.ndarray],
    extra: Optional[np.ndarray] = None,
) -> np.ndarray:
    """The rows with a missing (NaN) parent status, child status or weight, or flagged in
    ``extra`` (missing labels or cluster ids)."""
    mask: np.ndarray = np.isnan(p) | np.isnan(c)
    if w is not None:
        mask |= np.isnan(w)
    if extra is not None:
        mask |= extra
    return mask


def _drop_missing(
    p: np.ndarray,
    c: np.ndarray,
    w: Optional[np.ndarray],
    extra: Optional[np.ndarray] = None,
) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray], int, Optional[np.ndarray]]:
    """Rows without a missing value; also how many were dropped and the mask kept (None when
    nothing was dropped)."""
    if p.shape != c.shape or (w is not None and w.shape != p.shape):
        return p, c, w, 0, None  # the core reports the length mismatch
    if extra is not None and extra.shape != p.shape:
        extra = None
    mask = _missing_rows(p, c, w, extra)
    dropped = int(mask.sum())
    if dropped == 0:
        return p, c, w, 0, None
    keep = ~mask
    return (
        np.ascontiguousarray(p[keep]),
        np.ascontiguousarray(c[keep]),
        None if w is None else np.ascontiguousarray(w[keep]),
        dropped,
        keep,
    )


def _cutoff_pair(
    reference: Any,
    cutoffs: Any,
    bands: Any,
    closed: str,
    quantiles: int,
    rule: str,
    names: Tuple[Any, Any, Any],
) -> Optional[Tuple[Cutoffs, Cutoffs]]:
    given = [x is not None for x in (reference, cutoffs, bands)]
    if sum(given) > 1:
        raise MobilityError("give at most one of reference=, cutoffs= and bands=")
    if reference is not None:
        if is_frame(reference):
            pname, cname, wname = names
            if not isinstance(pname, str) or not isinstance(cname, str):
                raise TypeError(
                    "reference= as a DataFrame needs parent= and child= column names"
                )
            rp = column(reference, pname, "parent")
            rc = column(reference, cname, "child")
            rw = column(reference, wname, "weights") if isinstance(wname, str) else None
        elif isinstance(reference, (tuple, list)) and len(reference) in (2, 3):
            rp, rc = reference[0], reference[1]
            rw = reference[2] if len(reference) == 3 else None
        else:
            raise TypeError(
                "reference must be (parent_values, child_values[, weights]) or a DataFrame, "
                f"not {type(reference).__name__}"
            )
        rp = as_float_array(rp, "reference parent status")
        rc = as_float_array(rc, "reference child status")
        rw = None if rw is None else as_float_array(rw, "reference weights")
        # the reference is a population of pairs: one parent and one child status per unit
        for what, arr in (("child status", rc), ("weights", rw)):
            if arr is not None and arr.shape[0] != rp.shape[0]:
                raise MobilityError(
                    f"reference {what}: expected {rp.shape[0]} values (one per reference parent), "
                    f"found {arr.shape[0]}"
                )
        return (
            Cutoffs.quantiles(rp, rw, quantiles, rule),
            Cutoffs.quantiles(rc, rw, quantiles, rule),
        )
    if cutoffs is not None:
        if isinstance(cutoffs, Cutoffs):
            pair = (cutoffs, cutoffs)
        elif (
            isinstance(cutoffs, (tuple, list))
            and len(cutoffs) == 2
            and all(isinstance(c, Cutoffs) for c in cutoffs)
        ):
            pair = (cutoffs[0], cutoffs[1])
        else:
            raise TypeError(
                "cutoffs must be a mobility.Cutoffs (both sides) or a pair "
                f"(parent_cutoffs, child_cutoffs), not {type(cutoffs).__name__}"
            )
    elif bands is not None:
        fixed = Cutoffs.fixed(as_vector(bands, "bands"), closed)
        pair = (fixed, fixed)
    else:
        return None
    if quantiles != 5 and quantiles != pair[0].k:
        raise MobilityError(
            f"quantiles={quantiles} disagrees with the {pair[0].k} classes the cut-offs define"
        )
    return pair
