"""``TransitionMatrix.from_counts(..., top_first=True)`` and ``from_probabilities(...,
top_first=True)``: published tables that list the top class first (occupational status tables)
are reversed so the sticky floor is the table's last class, as ``mobility table --top-first``.
"""

import numpy as np
import pytest

import mobility
from mobility import TransitionMatrix

# Goodman (1979), from Glass (1954): British father-son occupational status, 8 x 8 counts, father
# in rows, son in columns, class 1 the highest status (R datasets `occupationalStatus`).
OCCUPATIONAL_STATUS = [
    [50, 19, 26, 8, 7, 11, 6, 2],
    [16, 40, 34, 18, 11, 20, 8, 3],
    [12, 35, 65, 66, 35, 88, 23, 21],
    [11, 20, 58, 110, 40, 183, 64, 32],
    [2, 8, 12, 23, 25, 46, 28, 12],
    [12, 28, 102, 162, 90, 554, 230, 177],
    [0, 6, 19, 40, 21, 158, 143, 71],
    [0, 3, 14, 32, 15, 126, 91, 106],
]


def test_top_first_counts_put_the_sticky_floor_at_the_last_class():
    tm = TransitionMatrix.from_counts(OCCUPATIONAL_STATUS, top_first=True)
    m = tm.measures()
    assert tm.n == 3498
    assert m["bottom_persistence"] == pytest.approx(106 / 387, abs=1e-15)
    assert m["top_persistence"] == pytest.approx(50 / 129, abs=1e-15)
    assert m["bottom_to_top"] == 0.0
    assert m["top_to_bottom"] == pytest.approx(2 / 129, abs=1e-15)
    reversed_table = np.array(OCCUPATIONAL_STATUS, dtype=float)[::-1, ::-1]
    plain = TransitionMatrix.from_counts(reversed_table)
    np.testing.assert_array_equal(tm.probabilities, plain.probabilities)
    np.testing.assert_array_equal(tm.counts, plain.counts)
    # without top_first the bottom class is the table's first (the top): the wrong end
    wrong = TransitionMatrix.from_counts(OCCUPATIONAL_STATUS)
    assert wrong.measures()["bottom_persistence"] == pytest.approx(50 / 129, abs=1e-15)


def test_top_first_probabilities_reverse_the_parent_shares_too():
    p = [[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6]]
    reversed_p = np.array(p)[::-1, ::-1]
    tm = TransitionMatrix.from_probabilities(p, parent_shares=[0.2, 0.3, 0.5], top_first=True)
    plain = TransitionMatrix.from_probabilities(reversed_p, parent_shares=[0.5, 0.3, 0.2])
    np.testing.assert_array_equal(tm.probabilities, plain.probabilities)
    np.testing.assert_allclose(tm.probabilities, reversed_p, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(tm.parent_shares, [0.5, 0.3, 0.2])
    assert tm.measures()["bottom_persistence"] == pytest.approx(0.6)
    assert tm.measures() == plain.measures()
    # child_in_rows first, then reversed
    t = TransitionMatrix.from_probabilities(
        np.array(p).T.tolist(), child_in_rows=True, top_first=True
    )
    np.testing.assert_array_equal(
        t.probabilities, TransitionMatrix.from_probabilities(reversed_p).probabilities
    )


def test_top_first_keeps_the_errors():
    with pytest.raises(mobility.MobilityError):
        TransitionMatrix.from_counts([[1, -1], [1, 1]], top_first=True)
    with pytest.raises(mobility.MobilityError):
        TransitionMatrix.from_probabilities([[0.5, 0.5], [1, 4]], top_first=True, tolerance=10)


@pytest.mark.validation
def test_the_shared_occupational_status_file(shared_data):
    pd = pytest.importorskip("pandas")
    path = shared_data / "rdatasets" / "occupational_status.csv"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    table = pd.read_csv(path, index_col=0)
    np.testing.assert_array_equal(table.to_numpy(), OCCUPATIONAL_STATUS)
    tm = TransitionMatrix.from_counts(table, top_first=True)
    assert tm.measures()["bottom_persistence"] == pytest.approx(106 / 387, abs=1e-15)
