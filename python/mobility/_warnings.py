"""`MobilityWarning` and the data warnings a matrix built from microdata raises."""

from __future__ import annotations

import warnings
from typing import Any, Optional

import numpy as np

from . import _mobility


class MobilityWarning(UserWarning):
    """A result is valid but probably not what was meant: a tie group spans several classes
    (consider ``rule="split"``), a class is empty, or few clusters were resampled."""


def warn_data(
    raw: Any, p: np.ndarray, c: np.ndarray, w: Optional[np.ndarray], rule: str, labels: Any
) -> None:
    """Warns about tie groups spanning classes and empty classes of a matrix from status."""
    labels = list(labels)
    for side, values, cuts in (
        ("parent", p, raw.parent_cutoffs),
        ("child", c, raw.child_cutoffs),
    ):
        if cuts is None:
            continue
        for span in _mobility.tie_spans(values, cuts, w, rule=rule, side=side, labels=labels):
            warnings.warn(str(span["message"]), MobilityWarning, stacklevel=3)
    for what, idx in (("parent", raw.empty_rows()), ("child", raw.empty_columns())):
        if len(idx):
            names = ", ".join(labels[i] for i in idx)
            plural = "es" if len(idx) > 1 else ""
            consequence = (
                "; measures that need every row are undefined" if what == "parent" else ""
            )
            warnings.warn(
                f"empty {what} class{plural}: {names} (no observations{consequence}); a tie "
                f"group spanning classes is the usual cause: rule='split' shares it",
                MobilityWarning,
                stacklevel=3,
            )


#: Fewer distinct clusters than this draw a ``MobilityWarning`` from a cluster bootstrap (the
#: CLI's ``--cluster`` warns at the same count).
MIN_CLUSTERS: int = 30


def few_clusters_message(n: int, what: str = "") -> Optional[str]:
    """The warning for a cluster bootstrap over `n` distinct clusters (None from 30 on); the
    wording of ``mobility analyze --cluster``."""
    if n >= MIN_CLUSTERS:
        return None
    return (
        f"only {n} clusters{what}: the cluster bootstrap needs many (30 or more) for reliable "
        "standard errors and intervals"
    )


def warn_few_clusters(codes: np.ndarray, what: str = "", stacklevel: int = 3) -> None:
    """Warns (``MobilityWarning``) when the cluster ids `codes` hold fewer than 30 distinct
    values."""
    message = few_clusters_message(int(np.unique(codes).shape[0]), what)
    if message is not None:
        warnings.warn(message, MobilityWarning, stacklevel=stacklevel)
