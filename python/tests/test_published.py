"""Published figures reproduced through Python (sources cited next to each figure)."""

from __future__ import annotations

import numpy as np
import pytest

import mobility


def test_chetty_2014_quintile_corners():
    # Chetty, Hendren, Kline & Saez (2014), QJE 129(4), Table II / Online Data Table 1:
    # P(Q1->Q1) 33.7%, P(Q1->Q5) 7.5%, P(Q5->Q1) 10.9%, P(Q5->Q5) 36.5%.
    us = mobility.published.us_chetty_2014()
    m = us.measures()
    assert round(m["bottom_persistence"], 3) == 0.337
    assert round(m["bottom_to_top"], 3) == 0.075
    assert round(m["top_to_bottom"], 3) == 0.109
    assert round(m["top_persistence"], 3) == 0.365
    assert us.n is None and us.counts is None
    np.testing.assert_allclose(us.parent_shares, np.full(5, 0.2))


def test_chetty_2014_computed_uniform_figures():
    # docs/FORMULAS.md#ref-chetty-2014, computed_uniform_pi
    m = mobility.published.us_chetty_2014().measures(pi="uniform")
    assert m["shorrocks_trace"] == pytest.approx(0.897603389041643, abs=1e-12)
    assert m["determinant_shorrocks"] == pytest.approx(0.9812853591703768, abs=1e-12)
    assert m["second_eigenvalue"] == pytest.approx(0.6780654746899898, abs=1e-12)
    assert m["bartholomew"] == pytest.approx(0.3096954854059357, abs=1e-12)
    assert m["altham_independence"] == pytest.approx(17.59504949723427, abs=1e-9)
    assert m["upward_share"] == pytest.approx(0.3670278498715852, abs=1e-12)


def test_giddy_us_states_figures():
    # PySAL giddy documentation (US states' income quintiles, 1929-2009): markov_mobility
    # P = 0.19758992000997844, D = 0.6068485462369559, L2 = 0.03978200230815965, uniform pi;
    # B1 and B2 with ini = [0.1, 0.2, 0.2, 0.4, 0.1]; steady_state as printed by giddy.
    tm = mobility.published.giddy_us_states()
    assert tm.n == 3840
    m = tm.measures(pi="uniform")
    assert m["shorrocks_trace"] == pytest.approx(0.19758992000997844, abs=1e-12)
    assert m["determinant_giddy"] == pytest.approx(0.6068485462369559, abs=1e-12)
    assert m["second_eigenvalue"] == pytest.approx(0.03978200230815965, abs=1e-12)
    ini = [0.1, 0.2, 0.2, 0.4, 0.1]
    assert mobility.giddy_b1(tm.probabilities, ini) == pytest.approx(0.2277675878319787, abs=1e-12)
    assert tm.measures(pi=ini)["bartholomew"] == pytest.approx(0.04636660119478926, abs=1e-12)
    np.testing.assert_allclose(
        tm.steady_state,
        [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187],
        atol=1e-8,
    )
    prais = tm.class_profile()["prais"]
    np.testing.assert_allclose(
        prais, [0.08988764, 0.21468144, 0.21125, 0.20194986, 0.07259074], atol=1e-8
    )
    np.testing.assert_allclose(
        tm.spectrum()["abs_eigenvalues"],
        [1.0, 0.9602179976918405, 0.8796775147866766, 0.7449320086581036, 0.6248127988234649],
        atol=1e-12,
    )


def test_blanden_uk_quartiles():
    # Blanden, Gregg & Machin (2005); docs/FORMULAS.md#ref-blanden-2005: computed after renormalising rows, uniform pi.
    uk = mobility.published.uk_blanden_2005()
    m = uk.measures(pi="uniform")
    assert m["shorrocks_trace"] == pytest.approx(0.8799813314664799, abs=1e-12)
    assert m["determinant_shorrocks"] == pytest.approx(0.9370708009210255, abs=1e-12)
    assert m["second_eigenvalue"] == pytest.approx(0.7271382093276034, abs=1e-12)
    assert m["bartholomew"] == pytest.approx(0.3333239157249059, abs=1e-12)
    printed = mobility.published.uk_blanden_2005_printed()
    with pytest.raises(mobility.MobilityError, match="row 2"):
        mobility.TransitionMatrix.from_probabilities(printed)
    again = mobility.TransitionMatrix.from_probabilities(printed, renormalise=True)
    np.testing.assert_allclose(again.probabilities, uk.probabilities, atol=1e-15)


def test_altham_ferrie_table1():
    # Altham & Ferrie (2007) Table 1; docs/FORMULAS.md#ref-altham-ferrie-2007: d(P, J) = 11.45359324029523.
    tm = mobility.published.altham_ferrie_2007()
    assert tm.measures()["altham_independence"] == pytest.approx(11.45359324029523, abs=1e-9)
    assert mobility.altham_independence(tm.counts) == pytest.approx(11.45359324029523, abs=1e-9)


def test_mobilityindexr_toy_classes():
    # mobilityIndexR test suite: classes given, prais_bibby 0.6, average_movement 1.1
    # (parent-share weights).
    x = [1, 2, 3, 4, 1, 2, 1, 4, 3, 1]
    y = [2, 1, 3, 2, 1, 4, 4, 2, 3, 1]
    tm = mobility.TransitionMatrix.from_classes(x, y, k=4)
    m = tm.measures()
    assert m["prais_bibby"] == pytest.approx(0.6, abs=1e-15)
    assert m["mean_class_jump"] == pytest.approx(1.1, abs=1e-15)


@pytest.mark.parametrize("k", [2, 5, 10])
def test_closed_forms(k):
    # Perfect mobility J/k and immobility I (docs/FORMULAS.md#ref-closed-forms, k = 5).
    j = mobility.TransitionMatrix.from_probabilities(np.full((k, k), 1.0 / k))
    m = j.measures()
    assert m["shorrocks_trace"] == pytest.approx(1.0, abs=1e-12)
    assert m["second_eigenvalue"] == pytest.approx(1.0, abs=1e-12)
    assert m["bartholomew"] == pytest.approx((k + 1) / (3 * k), abs=1e-12)
    i = mobility.TransitionMatrix.from_probabilities(np.eye(k))
    mi = i.measures()
    assert mi["shorrocks_trace"] == 0.0 and mi["bartholomew"] == 0.0
    assert mi["altham_independence"] is None  # zero cells: undefined, not inf or NaN


def test_published_by_name_and_names():
    assert set(mobility.published.NAMES) == {
        "us_chetty_2014",
        "uk_blanden_2005",
        "giddy_us_states",
        "altham_ferrie_2007",
    }
    for name in mobility.published.NAMES:
        assert isinstance(mobility.published.by_name(name), mobility.TransitionMatrix)
    with pytest.raises(mobility.MobilityError, match="not a built-in table"):
        mobility.published.by_name("nowhere")
    assert mobility.published.us_chetty_2014_quintiles() == mobility.published.us_chetty_2014()
