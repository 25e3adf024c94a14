"""Turning user data (numpy, pandas, polars, lists) into contiguous float64 arrays.

pandas and polars are never imported here: objects are recognised by their type's module, so
the package works (and imports fast) without them.
"""

from __future__ import annotations

import numbers
from typing import Any, Dict, Hashable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ._mobility import MobilityError

__all__ = [
    "is_frame",
    "column",
    "as_float_array",
    "as_int_array",
    "as_matrix",
    "check_k",
    "missing_error",
    "resolve_pairs",
    "label_codes",
    "ColumnNotFoundError",
]


class ColumnNotFoundError(MobilityError, KeyError):
    """A column name that is not in the DataFrame: a :class:`MobilityError` (so a
    ``ValueError``) and a ``KeyError`` (as pandas raises for a missing column)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _module_root(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def is_frame(obj: Any) -> bool:
    """Whether `obj` is a pandas or polars DataFrame (or a mapping of column name -> values)."""
    root = _module_root(obj)
    if root == "pandas" and type(obj).__name__ == "DataFrame":
        return True
    if root == "polars" and type(obj).__name__ in ("DataFrame", "LazyFrame"):
        return True
    return isinstance(obj, Mapping)


def column(frame: Any, name: Any, role: str) -> Any:
    """The column `name` of a DataFrame (or mapping), with an error naming the role if absent."""
    if not isinstance(name, str):
        raise TypeError(
            f"with a DataFrame as the first argument, {role} must be a column name (str), "
            f"not {type(name).__name__}"
        )
    if _module_root(frame) == "polars" and type(frame).__name__ == "LazyFrame":
        frame = frame.collect()
    try:
        columns = list(frame.columns) if hasattr(frame, "columns") else list(frame.keys())
    except Exception:  # pragma: no cover - exotic mappings
        columns = []
    if name not in columns:
        shown = ", ".join(repr(c) for c in columns[:12])
        more = ", ..." if len(columns) > 12 else ""
        raise ColumnNotFoundError(
            f"{role} column {name!r} is not in the DataFrame (columns: {shown}{more})"
        )
    return frame[name]


def _type_error(what: str, obj: Any, detail: str = "") -> TypeError:
    extra = f" ({detail})" if detail else ""
    return TypeError(
        f"{what} must be numbers: a numpy array, pandas or polars Series, or a list, "
        f"not {type(obj).__name__}{extra}"
    )


def as_float_array(obj: Any, what: str) -> np.ndarray:
    """A 1-d contiguous float64 array from any real-valued array-like.

    Missing values (None, NaN, pandas NA, polars null) become NaN. Contiguous float64 input is
    returned as is (no copy). Strings, booleans, complex numbers, dicts and scalars raise
    `TypeError`; a 2-d array raises `MobilityError` (a `ValueError`).
    """
    if isinstance(obj, (str, bytes, Mapping)) or obj is None or isinstance(obj, numbers.Number):
        raise _type_error(what, obj)
    root = _module_root(obj)
    if root == "pandas":
        if type(obj).__name__ == "DataFrame":
            raise TypeError(
                f"{what} is a DataFrame; pass it as the first argument and name the columns, "
                f"e.g. transition_matrix(df, parent='...', child='...')"
            )
        kind = getattr(obj.dtype, "kind", "O")
        if kind in "bcSUMm":
            raise _type_error(what, obj, f"dtype {obj.dtype}")
        if kind == "O":
            # object columns: checked value by value below (numeric strings are refused)
            return as_float_array(obj.to_numpy(dtype=object), what)
        try:
            arr = obj.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as e:
            raise _type_error(what, obj, f"dtype {obj.dtype}: {e}") from None
    elif root == "polars":
        if type(obj).__name__ in ("DataFrame", "LazyFrame"):
            raise TypeError(
                f"{what} is a DataFrame; pass it as the first argument and name the columns"
            )
        dtype = obj.dtype
        if not dtype.is_numeric():
            raise _type_error(what, obj, f"dtype {dtype}")
        if obj.null_count() > 0:
            obj = obj.cast(_polars_float64(obj)).fill_null(float("nan"))
        arr = obj.to_numpy()
    else:
        try:
            arr = np.asarray(obj)
        except (TypeError, ValueError) as e:
            raise _type_error(what, obj, str(e)) from None
        if arr.dtype == object:
            text = next((v for v in arr.ravel() if isinstance(v, (str, bytes))), None)
            if text is not None:
                raise _type_error(what, obj, f"it holds text such as {text!r}")
            try:
                arr = np.array(
                    [np.nan if (v is None or _is_na(v)) else v for v in arr.ravel()],
                    dtype=np.float64,
                ).reshape(arr.shape)
            except (TypeError, ValueError) as e:
                raise _type_error(what, obj, str(e)) from None
    if arr.dtype.kind not in "iuf":
        raise _type_error(what, obj, f"dtype {arr.dtype}")
    if arr.ndim != 1:
        raise MobilityError(f"{what} must be one-dimensional, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def _polars_float64(series: Any) -> Any:
    import polars as pl  # only reached with a polars Series in hand

    return pl.Float64


def _is_na(v: Any) -> bool:
    """pandas.NA, NaT, float NaN without importing pandas."""
    if type(v).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(v != v)
    except Exception:
        return False


def as_int_array(obj: Any, what: str) -> np.ndarray:
    """Classes as a contiguous int64 array; floats must be whole numbers, no missing values."""
    arr = as_float_array(obj, what) if not (
        isinstance(obj, np.ndarray) and obj.dtype.kind in "iu"
    ) else obj
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise MobilityError(
                f"{what} has {int(bad.sum())} missing or non-finite values; the first at row {i}"
            )
        frac = arr != np.round(arr)
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise MobilityError(f"{what} at row {i} is {arr[i]}, not a whole class number")
    if arr.ndim != 1:
        raise MobilityError(f"{what} must be one-dimensional, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def as_matrix(obj: Any, what: str = "matrix") -> np.ndarray:
    """A 2-d float64 array from a matrix-like (numpy, nested lists, pandas/polars DataFrame)."""
    if hasattr(obj, "probabilities") and hasattr(obj, "measures"):
        probabilities: np.ndarray = obj.probabilities
        return probabilities
    if isinstance(obj, (str, bytes, Mapping)) or obj is None or isinstance(obj, numbers.Number):
        raise TypeError(f"{what} must be a k x k table of numbers, not {type(obj).__name__}")
    root = _module_root(obj)
    if root in ("pandas", "polars") and hasattr(obj, "to_numpy"):
        obj = obj.to_numpy()
    try:
        arr = np.asarray(obj)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what} must be a k x k table of numbers ({e})") from None
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{what} must be a k x k table of numbers ({e})") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{what} must be a k x k table of numbers, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise MobilityError(f"{what} must be two-dimensional (k x k), got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def as_vector(obj: Any, what: str) -> List[float]:
    """A short vector (pi, shares, bounds) as a list of floats."""
    if isinstance(obj, (str, bytes, Mapping)) or isinstance(obj, numbers.Number):
        raise TypeError(f"{what} must be a sequence of numbers, not {type(obj).__name__}")
    arr = as_float_array(obj, what)
    return [float(x) for x in arr]


def check_k(k: Any, what: str = "quantiles") -> int:
    """An integer number of classes >= 2."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"{what} must be an integer number of classes, not {type(k).__name__}")
    n = int(k)
    if n < 2:
        raise MobilityError(f"the number of classes must be at least 2, got {n}")
    return n


def missing_error(
    arrays: Sequence[Tuple[str, Optional[np.ndarray]]], index: Optional[Any] = None
) -> Optional[MobilityError]:
    """A clear error for missing values (NaN) in paired inputs, or None if there are none."""
    parts = []
    first = None
    mask = None
    for name, arr in arrays:
        if arr is None:
            continue
        m = np.isnan(arr)
        c = int(m.sum())
        if c:
            parts.append(f"{name}: {c}")
            if mask is None:
                mask = m
            elif mask.shape == m.shape:
                mask = mask | m
            else:  # lengths differ (reported separately): count the longer one's rows
                mask = m if m.size > mask.size else mask
    if mask is None:
        return None
    rows = int(mask.sum())
    first = int(np.flatnonzero(mask)[0])
    label = ""
    if index is not None:
        try:
            lab = index[first]
            if lab != first:
                label = f" (index label {lab!r})"
        except Exception:
            pass
    return MobilityError(
        f"{rows} row{'s' if rows != 1 else ''} with missing values (NaN, None or NA; "
        f"{', '.join(parts)}); the first at row {first}{label}. "
        f"Pass dropna=True to drop incomplete rows."
    )


def resolve_pairs(
    fn: str,
    data: Any,
    child: Any,
    weights: Any,
    parent: Any,
    extra: Optional[Mapping[str, Any]] = None,
    names: Tuple[str, str] = ("parent status", "child status"),
) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray], Dict[str, Any], Any, Any]:
    """The pairs behind the two call forms shared by the pair functions.

    ``fn(parent_values, child_values, weights=w)`` or ``fn(df, parent='p', child='c',
    weights='w')``. `extra` maps a role (``'cluster'``, ``'groups'``) to a column name (with a
    DataFrame) or an array. Returns ``(parent, child, weights, extras, index, frame)``: the
    status and weights as float64 arrays (:func:`as_float_array`; ``names`` name the status
    arrays in errors; weights ``None`` when not given), the extras as given (not converted), the
    row labels when known and the DataFrame (or None).
    """
    p_obj, c_obj, w_obj, extras, index, frame = _pair_objects(
        fn, data, child, weights, parent, extra
    )
    p = as_float_array(p_obj, names[0])
    c = as_float_array(c_obj, names[1])
    w = None if w_obj is None else as_float_array(w_obj, "weights")
    return p, c, w, extras, index, frame


def _pair_objects(
    fn: str,
    data: Any,
    child: Any,
    weights: Any,
    parent: Any,
    extra: Optional[Mapping[str, Any]],
) -> Tuple[Any, Any, Any, Dict[str, Any], Any, Any]:
    """The raw objects of :func:`resolve_pairs` (not yet converted)."""
    extra = dict(extra or {})
    if data is not None and is_frame(data):
        if parent is None or child is None:
            raise TypeError(
                f"with a DataFrame as the first argument, name its columns: "
                f"{fn}(df, parent='...', child='...')"
            )
        p_obj = column(data, parent, "parent")
        c_obj = column(data, child, "child")
        w_obj = None if weights is None else column(data, weights, "weights")
        extras = {
            role: (column(data, v, role) if isinstance(v, str) else v)
            for role, v in extra.items()
        }
        return p_obj, c_obj, w_obj, extras, getattr(data, "index", None), data
    if data is not None and parent is not None:
        raise TypeError(
            "parent given twice: pass the parent values either first or as parent=, "
            "or pass a DataFrame first and column names as parent= and child="
        )
    p_obj = data if data is not None else parent
    if p_obj is None:
        raise TypeError(f"{fn}() needs the parent status (or a DataFrame)")
    if child is None:
        raise TypeError(f"{fn}() needs the child status")
    named = [role for role, v in extra.items() if isinstance(v, str)]
    if isinstance(child, str) or isinstance(weights, str) or named:
        raise TypeError(
            f"column names need a DataFrame as the first argument: "
            f"{fn}(df, parent='...', child='...')"
        )
    return p_obj, child, weights, extra, getattr(p_obj, "index", None), None


def label_codes(obj: Any, what: str) -> Tuple[np.ndarray, List[Hashable], np.ndarray]:
    """Integer codes for labels of any type (strings, numbers, categories).

    Returns ``(codes, labels, missing)``: int64 codes ``0..L-1`` numbering the labels in sorted
    order (first-appearance order when the labels cannot be sorted, e.g. mixed types), the
    labels themselves (Python scalars), and a boolean mask of missing labels (None, NaN, NA),
    whose codes are -1.
    """
    if isinstance(obj, (str, bytes, Mapping)) or obj is None or isinstance(obj, numbers.Number):
        raise TypeError(
            f"{what} must be a sequence of labels (an array, Series or list), "
            f"not {type(obj).__name__}"
        )
    root = _module_root(obj)
    if root == "pandas":
        import pandas as pd  # the object is a pandas one already

        if type(obj).__name__ == "DataFrame":
            raise TypeError(f"{what} must be one column, not a DataFrame")
        codes, uniques = pd.factorize(obj, sort=True, use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.int64)
        labels = [_python_scalar(u) for u in np.asarray(uniques, dtype=object)]
        return codes, labels, codes < 0
    if root == "polars":
        obj = obj.to_list()
    if isinstance(obj, (list, tuple)) and len({type(v) for v in obj} - {type(None)}) > 1:
        # mixed types (e.g. 1 and "a"): keep each label as it is (numpy would make 1 "1")
        arr = np.empty(len(obj), dtype=object)
        arr[:] = obj
    else:
        arr = np.asarray(obj)
    if arr.ndim != 1:
        raise MobilityError(f"{what} must be one-dimensional, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        missing = np.isnan(arr)
    elif arr.dtype == object:
        missing = np.array([v is None or _is_na(v) for v in arr], dtype=bool)
    else:
        missing = np.zeros(arr.shape, dtype=bool)
    codes = np.full(arr.shape, -1, dtype=np.int64)
    present = arr[~missing]
    try:
        uniques, inverse = np.unique(present, return_inverse=True)
        codes[~missing] = inverse.reshape(-1)
        labels = [_python_scalar(u) for u in uniques]
    except TypeError:  # labels that do not sort (mixed types): first appearance
        seen: Dict[Hashable, int] = {}
        out = []
        for v in present.tolist():
            out.append(seen.setdefault(v, len(seen)))
        codes[~missing] = np.asarray(out, dtype=np.int64)
        labels = list(seen)
    return codes, labels, missing


def _python_scalar(v: Any) -> Any:
    """numpy scalars as Python ones (labels in frames and dicts print and compare naturally)."""
    return v.item() if isinstance(v, np.generic) else v


def check_ids(codes: np.ndarray, missing: np.ndarray, n: int, what: str) -> np.ndarray:
    """``codes`` (from :func:`label_codes`) when there is one per row and none is missing;
    ``MobilityError`` naming the count and the first missing row otherwise."""
    if codes.shape[0] != n:
        raise MobilityError(f"{what}: expected {n} values, found {codes.shape[0]}")
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise MobilityError(
            f"{what} have {int(missing.sum())} missing values; the first at row {first}"
        )
    return codes
