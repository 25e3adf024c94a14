"""The simulator (Gaussian copula, log-normal marginals), for examples, benchmarks and power."""

from __future__ import annotations

import numbers
from typing import Dict

import numpy as np

from ._results import FloatArray

from . import _mobility as _m

__all__ = ["simulate", "gaussian_copula_matrix"]


def simulate(
    n: int,
    rho: float,
    seed: int = 0,
    *,
    correlation: str = "pearson",
    parent_mu: float = 10.5,
    parent_sigma: float = 0.7,
    child_mu: float = 10.5,
    child_sigma: float = 0.7,
    weighted: bool = False,
) -> Dict[str, FloatArray]:
    """Simulate ``n`` parent/child status pairs (seeded, reproducible on any number of threads).

    Model (a Gaussian copula with log-normal marginals)::

        z1 ~ N(0, 1),  e ~ N(0, 1) independent,  z2 = rho z1 + sqrt(1 - rho^2) e
        parent = exp(parent_mu + parent_sigma z1),  child = exp(child_mu + child_sigma z2)

    ``rho`` is the Pearson correlation of log status (``correlation="pearson"``), or the
    Spearman rank correlation of the pairs (``correlation="spearman"``, converted with
    ``rho = 2 sin(pi rho_s / 6)``; Pearson 1907, Kruskal 1958). Quantile matrices depend on
    ``rho`` only; the true one is :func:`gaussian_copula_matrix`. With ``weighted=True`` a
    ``weight`` array of log-normal unit weights (mean 1, independent of status) is added.

    Returns a dict of float64 numpy arrays ``parent``, ``child`` (``weight``), ready for
    ``pandas.DataFrame(...)`` or ``transition_matrix(**...)``-style use.

    >>> sim = simulate(1000, 0.5, seed=1)
    >>> sim["parent"].shape
    (1000,)
    """
    for name, v in (("n", n), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must be an integer, not {type(v).__name__}")
    if n < 1:
        raise _m.MobilityError(f"invalid n: must be at least 1, got {n}")
    if seed < 0:
        raise _m.MobilityError(f"invalid seed: must be >= 0, got {seed}")
    parent = (float(parent_mu), float(parent_sigma))
    child = (float(child_mu), float(child_sigma))
    return _m.simulate(int(n), float(rho), int(seed), correlation, parent, child, bool(weighted))


def gaussian_copula_matrix(rho: float, k: int) -> FloatArray:
    """The population k-quantile transition matrix of the Gaussian copula with correlation
    ``rho`` (bivariate normal rectangle probabilities times k; Sheppard 1899, Genz 2004)."""
    return _m.gaussian_copula_matrix(float(rho), int(k))
