"""Shared fixtures for the Python tests of `mobility`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import matplotlib

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[2]
#: The project's real data (not copied into the repo): ../shared/data from the repository root.
SHARED_DATA = Path(os.environ.get("MOBILITY_SHARED_DATA", REPO.parent / "shared" / "data"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "validation: reads ../shared/data (selected by `make test` only where the data exists)",
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


def lognormal_pairs(n: int, rho: float = 0.5, seed: int = 1):
    """Parent and child incomes from a Gaussian copula with log-normal marginals."""
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal(n)
    z2 = rho * z1 + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    return np.exp(10.5 + 0.7 * z1), np.exp(10.5 + 0.7 * z2)


@pytest.fixture
def pairs():
    return lognormal_pairs(2_000)
