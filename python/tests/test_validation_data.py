"""Validation on the project's real data in ../shared/data (selected by `make test` only where
that folder exists; run alone with `pytest -m validation`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mobility

pytestmark = pytest.mark.validation


def test_chetty_national_table_gives_published_corners(shared_data):
    # Chetty, Hendren, Kline & Saez (2014), Online Data Table 1 aggregated the authors' way
    # (child quintile = floor((bin - 1)/20) + 1, parent quintile by centile): the published
    # Q1->Q1 33.7%, Q1->Q5 7.5%, Q5->Q1 10.9%, Q5->Q5 36.5%.
    table = pd.read_csv(shared_data / "chetty2014_national" / "table1_child_bin_given_parent_centile.csv")
    long = table.melt(id_vars="kid_fam_bin", var_name="centile", value_name="p")
    centile = long["centile"].str.replace("par_frac_bin_", "", regex=False).astype(int)
    tm = mobility.TransitionMatrix.from_classes(
        (centile - 1) // 20 + 1, (long["kid_fam_bin"] - 1) // 20 + 1, k=5, weights=long["p"] / 100
    )
    P = tm.probabilities
    assert abs(P[0, 0] - 0.337) <= 5e-4
    assert abs(P[0, 4] - 0.075) <= 5e-4
    assert abs(P[4, 0] - 0.109) <= 5e-4
    assert abs(P[4, 4] - 0.365) <= 5e-4
    np.testing.assert_allclose(P, mobility.published.us_chetty_2014().probabilities, atol=1e-6)


def test_us_states_giddy_rule_reproduces_published_counts(shared_data):
    # PySAL giddy docs: quintiles of US state incomes within each year, 1929-2009, pooled
    # one-year transitions; the counts are the built-in giddy_us_states table (n = 3840).
    usjoin = pd.read_csv(shared_data / "us_state_income" / "usjoin.csv")
    years = [c for c in usjoin.columns if c.isdigit()]
    y = usjoin[years].to_numpy(dtype=float)
    total = np.zeros((5, 5))
    for t in range(len(years) - 1):
        a = mobility.Cutoffs.quantiles(np.ascontiguousarray(y[:, t]), k=5, rule="giddy")
        b = mobility.Cutoffs.quantiles(np.ascontiguousarray(y[:, t + 1]), k=5, rule="giddy")
        ca = a.classify(np.ascontiguousarray(y[:, t]))
        cb = b.classify(np.ascontiguousarray(y[:, t + 1]))
        total += mobility.TransitionMatrix.from_classes(ca, cb, k=5).counts
    np.testing.assert_array_equal(total, mobility.published.giddy_us_states().counts)


def test_mobilityindexr_panel(shared_data):
    panel = pd.read_csv(shared_data / "mobilityindexr" / "incomeMobility.csv")
    tm = mobility.transition_matrix(panel, parent="t0", child="t9", quantiles=5, rule="r-type7")
    assert tm.n == 125
    np.testing.assert_allclose(tm.probabilities.sum(axis=1), 1.0)
    # polars gives the same matrix as pandas
    import polars as pl

    same = mobility.transition_matrix(
        pl.read_csv(shared_data / "mobilityindexr" / "incomeMobility.csv"),
        parent="t0",
        child="t9",
        quantiles=5,
        rule="r-type7",
    )
    assert same == tm
