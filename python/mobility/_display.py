"""Text, HTML and matplotlib views of a TransitionMatrix (no plotting import until asked)."""

from __future__ import annotations

import html as _html
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import numpy as np

from ._optional import require
from . import _mobility

if TYPE_CHECKING:  # pragma: no cover
    from ._matrix import TransitionMatrix
    from ._results import StatisticSummary

#: The measures shown under the table, in this order (the core's ``registry::HEADLINE``).
HEADLINE: Tuple[str, ...] = tuple(_mobility.headline_measures())


def _fmt(v: Optional[float], digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "n/a"
    return f"{v:.{digits}f}"


def _n_text(tm: "TransitionMatrix") -> str:
    n = tm.n
    if n is None:
        return "n unknown (probability table)"
    if float(n).is_integer():
        return f"n = {int(n):,}"
    return f"n = {n:,.2f} (weighted)"


def _safe_measures(tm: "TransitionMatrix") -> Dict[str, Optional[float]]:
    try:
        return tm.measures()
    except Exception:  # a display must never raise
        return {}


def text(tm: "TransitionMatrix") -> str:
    """A compact plain-text view: header, the matrix, the headline measures."""
    labels: List[str] = tm.labels
    p = tm.probabilities
    k = tm.k
    head = f"TransitionMatrix(k={k}, {_n_text(tm)}"
    if tm.n_dropped:
        head += f", {tm.n_dropped:,} rows dropped"
    head += ")"
    if k > 12:
        return head
    width = max(6, max(len(x) for x in labels) + 1)
    lines = [head, "parent \\ child " + "".join(f"{x:>{width}}" for x in labels)]
    for i, lab in enumerate(labels):
        row = "".join(f"{v:>{width}.3f}" for v in p[i])
        lines.append(f"{lab:<15}{row}")
    m = _safe_measures(tm)
    if m:
        lines.append("  ".join(f"{name}={_fmt(m.get(name))}" for name in HEADLINE[:4]))
    return "\n".join(lines)


def _cell_style(v: float, vmax: float) -> str:
    a = 0.0 if vmax <= 0 else max(0.0, min(1.0, v / vmax))
    color = "#ffffff" if a > 0.6 else "#111111"
    return (
        f"background-color: rgba(8, 81, 156, {0.08 + 0.87 * a:.3f}); color: {color}; "
        "text-align: right; padding: 3px 8px; font-variant-numeric: tabular-nums;"
    )


def _headline_intervals(
    tm: "TransitionMatrix",
) -> Optional[Tuple[Dict[str, "StatisticSummary"], str]]:
    """The bootstrap summaries of the headline measures (parent-share weighting, as the values
    shown) and the interval's caption, or None before a matching bootstrap."""
    try:
        boot = tm._matching_inference("parent")
        if boot is None:
            return None
        found = {name: boot.get(name) for name in HEADLINE if name in boot}
        settings = boot.settings
        resample = (
            f"{settings['clusters']} clusters"
            if settings["resample"] == "clusters"
            else f"{settings['units']:,} units"
        )
        method = "BCa" if settings["ci"] == "bca" else settings["ci"]
        caption = (
            f"{settings['replicates']:,} bootstrap replicates over {resample}; "
            f"se and {100 * settings['level']:g}% {method} interval"
        )
    except Exception:  # a display must never raise
        return None
    return (found, caption) if found else None


def _interval_table(
    m: Dict[str, Optional[float]], found: Dict[str, "StatisticSummary"], caption: str
) -> str:
    """The headline measures with their bootstrap SE and interval, one row each."""
    esc = _html.escape
    cell = "padding: 2px 8px; text-align: right; font-variant-numeric: tabular-nums;"
    head = "padding: 2px 8px; text-align: left; font-weight: 600;"
    rows = [
        '<table style="border-collapse: collapse; font-size: 0.9em; margin-top: 6px;">',
        f'<caption style="caption-side: top; text-align: left;">{esc(caption)}</caption>',
        f'<thead><tr><th style="{head}">measure</th><th style="{head}">value</th>'
        f'<th style="{head}">se</th><th style="{head}">interval</th></tr></thead><tbody>',
    ]
    notes = []
    for name in HEADLINE:
        s = found.get(name)
        if s is None:
            se, ci = "", ""
        else:
            se = _fmt(s["se"])
            ci = (
                "n/a"
                if s["ci_low"] is None or s["ci_high"] is None
                else f"{_fmt(s['ci_low'])} .. {_fmt(s['ci_high'])}"
            )
            if s["note"]:
                notes.append(f"{name}: {s['note']}")
                ci += " *"
        rows.append(
            f'<tr><td style="padding: 2px 8px;"><code>{esc(name)}</code></td>'
            f'<td style="{cell}">{esc(_fmt(m.get(name)))}</td>'
            f'<td style="{cell}">{esc(se)}</td><td style="{cell}">{esc(ci)}</td></tr>'
        )
    rows.append("</tbody></table>")
    if notes:
        rows.append(
            '<p style="font-size: 0.85em; margin-top: 2px;">'
            + "<br>".join(f"* {esc(n)}" for n in notes)
            + "</p>"
        )
    return "".join(rows)


def html(tm: "TransitionMatrix") -> str:
    """A shaded heat-map table with labelled classes and the headline measures (pure HTML)."""
    esc = _html.escape
    labels = tm.labels
    p = tm.probabilities
    k = tm.k
    vmax = float(p.max()) if p.size else 0.0
    digits = 3 if k <= 10 else 2
    th = "padding: 3px 8px; text-align: center; font-weight: 600;"
    caption = f"Transition matrix P(child class | parent class), k = {k}, {_n_text(tm)}"
    if tm.n_dropped:
        caption += f", {tm.n_dropped:,} rows with missing values dropped"
    out = [
        '<div class="mobility-transition-matrix">',
        '<table style="border-collapse: collapse; font-size: 0.9em;">',
        f'<caption style="caption-side: top; text-align: left; padding-bottom: 4px;">'
        f"{esc(caption)}</caption>",
        "<thead><tr>",
        f'<th style="{th}">parent \\ child</th>',
    ]
    out.extend(f'<th style="{th}">{esc(lab)}</th>' for lab in labels)
    out.append(f'<th style="{th}">parent share</th></tr></thead><tbody>')
    shares = tm.parent_shares
    for i, lab in enumerate(labels):
        out.append(f'<tr><th style="{th}">{esc(lab)}</th>')
        out.extend(
            f'<td style="{_cell_style(float(v), vmax)}">{float(v):.{digits}f}</td>' for v in p[i]
        )
        out.append(
            f'<td style="text-align: right; padding: 3px 8px;">{float(shares[i]):.{digits}f}</td>'
            "</tr>"
        )
    out.append("</tbody></table>")
    m = _safe_measures(tm)
    intervals = _headline_intervals(tm)
    if m and intervals is not None:
        out.append(_interval_table(m, *intervals))
    elif m:
        items = "".join(
            f'<li><code>{esc(name)}</code> = {esc(_fmt(m.get(name)))}</li>' for name in HEADLINE
        )
        out.append(
            '<ul style="list-style: none; padding-left: 0; margin-top: 6px; font-size: 0.9em;">'
            f"{items}</ul>"
        )
    empty = tm.empty_rows()
    if empty:
        out.append(
            "<p>Parent classes with no observations: "
            f"{esc(', '.join(labels[i] for i in empty))}</p>"
        )
    out.append("</div>")
    return "".join(out)


#: What one cell of each kind of table is: the colour-bar label.
COLORBAR_LABELS: Dict[str, str] = {
    "probabilities": "share of the parent class",
    "counts": "count",
    "joint": "share of all pairs",
    "inflow": "share of the child class",
}

_TITLES: Dict[str, str] = {
    "probabilities": "P(child class | parent class)",
    "counts": "Counts",
    "joint": "Joint distribution",
    "inflow": "P(parent class | child class)",
}


def _empty_mask(tm: "TransitionMatrix", kind: str) -> np.ndarray:
    """True on the cells of empty classes: rows of empty parent classes (columns of empty child
    classes in the inflow view), where a share is undefined rather than 0."""
    mask = np.zeros((tm.k, tm.k), dtype=bool)
    if kind == "probabilities":
        mask[tm.empty_rows(), :] = True
    elif kind == "inflow":
        mask[:, tm.empty_columns()] = True
    return mask


def default_title(tm: "TransitionMatrix", kind: str = "probabilities") -> str:
    """``"<name>: P(child class | parent class), n = 1,234"`` (the name when known)."""
    what = _TITLES.get(kind, kind)
    head = what if tm.name is None else f"{tm.name}: {what}"
    n = tm.n
    if n is None:
        return head
    return f"{head}, n = {int(n):,}" if float(n).is_integer() else f"{head}, n = {n:,.1f}"


def plot(
    tm: "TransitionMatrix",
    ax: Any = None,
    *,
    kind: str = "probabilities",
    annotate: bool = True,
    fmt: str = ".2f",
    cmap: str = "Blues",
    colorbar: bool = True,
    title: Optional[str] = None,
) -> Any:
    """A labelled heat map of the matrix on `ax` (a new figure when None); returns the Axes.
    Empty classes are drawn hatched grey with the word "empty" (their shares are undefined,
    not 0); the colour bar says what a cell is; the title names the data (when known) and n."""
    require("matplotlib")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    table = np.asarray(tm._table(kind), dtype=np.float64)
    mask = _empty_mask(tm, kind)
    if ax is None:
        size = min(10.0, 2.0 + 0.7 * tm.k)
        _, ax = plt.subplots(figsize=(size + 1.2, size))
    shown = np.ma.masked_array(table, mask=mask)
    colours = plt.get_cmap(cmap).with_extremes(bad="0.85")
    image = ax.imshow(shown, cmap=colours, vmin=0.0, aspect="equal")
    for i, j in zip(*np.nonzero(mask)):
        ax.add_patch(
            Rectangle(
                (j - 0.5, i - 0.5), 1.0, 1.0, fill=False, hatch="//", edgecolor="0.6",
                linewidth=0.0,
            )
        )
    labels = tm.labels
    step = max(1, tm.k // 20)
    ticks = list(range(0, tm.k, step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[i] for i in ticks])
    ax.set_yticks(ticks)
    ax.set_yticklabels([labels[i] for i in ticks])
    ax.set_xlabel("child class")
    ax.set_ylabel("parent class")
    ax.set_title(default_title(tm, kind) if title is None else title)
    if annotate and tm.k <= 12:
        vmax = float(table[~mask].max()) if (~mask).any() else 0.0
        for i in range(tm.k):
            for j in range(tm.k):
                if mask[i, j]:
                    ax.text(j, i, "empty", ha="center", va="center", fontsize=7,
                            color="0.35", style="italic")
                    continue
                v = float(table[i, j])
                ax.text(
                    j,
                    i,
                    format(v, fmt),
                    ha="center",
                    va="center",
                    fontsize=8 if tm.k > 7 else 9,
                    color="white" if vmax > 0 and v / vmax > 0.6 else "black",
                )
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        bar.set_label(COLORBAR_LABELS.get(kind, kind))
    return ax
