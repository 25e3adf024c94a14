"""`mobility.report()`: one self-contained HTML report, written by the Rust renderer (the page
`mobility report` writes)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _mobility
from ._input import check_k, label_codes, resolve_pairs
from ._mobility import MobilityError

__all__ = ["report"]

PathLike = Union[str, "os.PathLike[str]"]


def _call(fn: str, first: str, given: Sequence[Tuple[str, Any, Any]]) -> str:
    """The call as the user wrote it: ``fn(first, name=value, ...)`` for every argument that
    differs from its default (column names and numbers as Python literals)."""
    parts = [first] if first else []
    for name, value, default in given:
        if value is default or (value is not None and default is not None and value == default):
            continue
        if isinstance(value, (os.PathLike,)):
            value = os.fspath(value)
        if isinstance(value, (str, int, float, bool)) or value is None:
            parts.append(f"{name}={value!r}")
        else:
            parts.append(f"{name}=...")
    return f"{fn}({', '.join(parts)})"


def _source_json(
    name: str,
    columns: Dict[str, Optional[str]],
    rows_read: Optional[int],
    dropped: int,
    command: str,
) -> str:
    return json.dumps(
        {
            "name": name,
            "parent": columns.get("parent"),
            "child": columns.get("child"),
            "weights": columns.get("weights"),
            "groups": columns.get("groups"),
            "rows_read": rows_read,
            "dropped": (
                [{"rows": dropped, "reason": "missing values"}] if dropped else []
            ),
            "command": command,
        }
    )


def _write(html: str, path: Optional[PathLike]) -> Union[str, Path]:
    if path is None:
        return html
    out = Path(path)
    out.write_text(html, encoding="utf-8")
    return out


def _bootstrap_args(
    bootstrap: Optional[int], seed: Optional[int], ci: Optional[str], level: Optional[float]
) -> Dict[str, Any]:
    if bootstrap is None:
        for name, value in (("seed", seed), ("ci", ci), ("level", level)):
            if value is not None:
                raise TypeError(f"{name}= applies to the bootstrap: add bootstrap=B replicates")
        return {}
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)):
        raise TypeError(f"bootstrap must be a whole number of replicates, not {type(bootstrap).__name__}")
    if bootstrap < 2:
        raise MobilityError(f"bootstrap needs 2 or more replicates, got {bootstrap}")
    return {
        "bootstrap": int(bootstrap),
        "seed": 0 if seed is None else int(seed),
        "ci": "bca" if ci is None else ci,
        "level": 0.95 if level is None else float(level),
    }


def report(
    data: Any = None,
    child: Any = None,
    *,
    parent: Any = None,
    weights: Any = None,
    by: Any = None,
    quantiles: int = 5,
    rule: str = "midrank",
    pi: Any = None,
    bins: int = 20,
    bootstrap: Optional[int] = None,
    seed: Optional[int] = None,
    ci: Optional[str] = None,
    level: Optional[float] = None,
    title: Optional[str] = None,
    source: Optional[str] = None,
    dropna: bool = False,
    path: Optional[PathLike] = None,
) -> Union[str, Path]:
    """A shareable report of paired status: one self-contained HTML file (no network access
    when opened, readable without JavaScript, printable), the page ``mobility report`` writes.

    Call forms as :func:`mobility.transition_matrix`::

        mobility.report(df, parent="parent_income", child="child_income", weights="w",
                        by="region", quantiles=5, bootstrap=1000, seed=1, path="report.html")
        mobility.report(parent_values, child_values, path="report.html")

    The page states what was measured (``source``: the data's name, shown on the page; rows
    used and dropped with ``dropna=True``; weights, classes and cut-offs, tie ``rule``, ``pi``,
    bootstrap settings, the library version and this call), shows the transition matrix as a
    heat map, the headline measures in plain language (with ``bootstrap`` intervals), the
    rank-rank picture (``bins`` of parent rank), the long run, with ``by`` (a column name or
    one label per pair) a league table of the groups and the levelling-up vs social-mobility
    scatter, and the methods with their sources. Every figure's data downloads as CSV.

    Returns the written path (a :class:`pathlib.Path`) when ``path`` is given, else the HTML.
    """
    k = check_k(quantiles)
    boot = _bootstrap_args(bootstrap, seed, ci, level)
    extra = {} if by is None else {"groups": by}
    p, c, w, extras, _index, frame = resolve_pairs(
        "report", data, child, weights, parent, extra
    )
    labels: Optional[List[str]] = None
    label_missing = None
    if by is not None:
        codes, names, label_missing = label_codes(extras["groups"], "group labels")
        labels = [str(names[i]).strip() if i >= 0 else "" for i in codes]
    rows_read = int(p.shape[0])
    dropped = 0
    if dropna:
        mask = np.isnan(p) | np.isnan(c)
        if w is not None and w.shape == p.shape:
            mask |= np.isnan(w)
        if label_missing is not None and label_missing.shape == mask.shape:
            mask |= label_missing
        dropped = int(mask.sum())
        if dropped:
            keep = ~mask
            p, c = np.ascontiguousarray(p[keep]), np.ascontiguousarray(c[keep])
            w = None if w is None else np.ascontiguousarray(w[keep])
            if labels is not None:
                labels = [g for g, kept in zip(labels, keep) if kept]
    elif label_missing is not None and label_missing.any():
        first_missing = int(np.argmax(label_missing))
        raise MobilityError(
            f"{int(label_missing.sum())} group labels are missing (the first in row "
            f"{first_missing}); "
            "pass dropna=True to drop those rows"
        )
    is_named = frame is not None
    columns = {
        "parent": parent if is_named and isinstance(parent, str) else None,
        "child": child if is_named and isinstance(child, str) else None,
        "weights": (weights if is_named and isinstance(weights, str) else
                    (None if weights is None else "weights")),
        "groups": (by if is_named and isinstance(by, str) else
                   (None if by is None else "groups")),
    }
    if source is None:
        source = "a data frame" if is_named else "arrays"
    first = "df" if is_named else ("parent, child" if child is not None else "")
    command = _call(
        "mobility.report",
        first,
        [
            ("parent", parent if is_named else None, None),
            ("child", child if is_named else None, None),
            ("weights", weights if is_named else None, None),
            ("by", by if is_named else None, None),
            ("quantiles", quantiles, 5),
            ("rule", rule, "midrank"),
            ("pi", pi, None),
            ("bins", bins, 20),
            ("bootstrap", bootstrap, None),
            ("seed", seed, None),
            ("ci", ci, None),
            ("level", level, None),
            ("title", title, None),
            ("source", source if source not in ("a data frame", "arrays") else None, None),
            ("dropna", dropna, False),
            ("path", path, None),
        ],
    )
    html = _mobility.html_report(
        p,
        c,
        weights=w,
        groups=labels,
        k=k,
        rule=rule,
        pi=pi,
        bins=bins,
        title=title,
        source_json=_source_json(source, columns, rows_read, dropped, command),
        **boot,
    )
    return _write(html, path)
