"""Every input type gives the same matrix as contiguous float64 numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import mobility
from conftest import lognormal_pairs


@pytest.fixture(scope="module")
def data():
    p, c = lognormal_pairs(3_000, seed=7)
    # Whole numbers so integer dtypes carry the same values.
    p, c = np.round(p), np.round(c)
    w = np.random.default_rng(3).uniform(0.5, 2.0, p.size)
    return p, c, w


@pytest.fixture(scope="module")
def expected(data):
    p, c, w = data
    return (
        mobility.transition_matrix(p, c, quantiles=5),
        mobility.transition_matrix(p, c, quantiles=5, weights=w),
    )


def same(a: mobility.TransitionMatrix, b: mobility.TransitionMatrix) -> None:
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)


def test_lists(data, expected):
    p, c, w = data
    same(mobility.transition_matrix(p.tolist(), c.tolist()), expected[0])
    same(mobility.transition_matrix(list(p), tuple(c), weights=w.tolist()), expected[1])


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint32, np.float32, np.float64])
def test_numpy_dtypes(data, expected, dtype):
    p, c, _ = data
    got = mobility.transition_matrix(p.astype(dtype), c.astype(dtype))
    if dtype == np.float32:
        # float32 rounds large incomes: compare with the same rounding done by hand.
        ref = mobility.transition_matrix(
            p.astype(np.float32).astype(np.float64), c.astype(np.float32).astype(np.float64)
        )
        same(got, ref)
    else:
        same(got, expected[0])


def test_non_contiguous(data, expected):
    p, c, w = data
    both = np.stack([p, c], axis=1)  # columns of a C-ordered 2-d array are strided
    assert not both[:, 0].flags["C_CONTIGUOUS"]
    same(mobility.transition_matrix(both[:, 0], both[:, 1]), expected[0])
    doubled = np.repeat(p, 2)[::2]
    same(mobility.transition_matrix(doubled, c), expected[0])
    fortran = np.asfortranarray(np.stack([p, c]))
    same(mobility.transition_matrix(fortran[0], fortran[1]), expected[0])


def test_pandas_series_and_frame(data, expected):
    p, c, w = data
    s_p, s_c, s_w = pd.Series(p), pd.Series(c), pd.Series(w)
    same(mobility.transition_matrix(s_p, s_c), expected[0])
    same(mobility.transition_matrix(s_p, s_c, weights=s_w), expected[1])
    df = pd.DataFrame({"parent_income": p, "child_income": c, "w": w})
    same(mobility.transition_matrix(df, parent="parent_income", child="child_income"), expected[0])
    same(
        mobility.transition_matrix(
            df, parent="parent_income", child="child_income", weights="w", quantiles=5
        ),
        expected[1],
    )
    # Nullable extension dtypes.
    df2 = df.astype({"parent_income": "Int64", "child_income": "Float64"})
    same(mobility.transition_matrix(df2, parent="parent_income", child="child_income"), expected[0])
    # A non-default index is irrelevant to the result.
    df3 = df.set_index(pd.Index(np.arange(p.size)[::-1] * 3))
    same(mobility.transition_matrix(df3, parent="parent_income", child="child_income"), expected[0])


def test_pandas_na_and_dropna(data):
    p, c, _ = data
    df = pd.DataFrame({"p": p, "c": c}).astype({"p": "Float64", "c": "Float64"})
    df.loc[5, "p"] = pd.NA
    df.loc[9, "c"] = pd.NA
    df.loc[11, "p"] = np.nan
    with pytest.raises(mobility.MobilityError, match=r"3 rows with missing values.*first at row 5"):
        mobility.transition_matrix(df, parent="p", child="c")
    tm = mobility.transition_matrix(df, parent="p", child="c", dropna=True)
    assert tm.n_dropped == 3
    assert tm.n == p.size - 3
    keep = np.ones(p.size, bool)
    keep[[5, 9, 11]] = False
    same(tm, mobility.transition_matrix(p[keep], c[keep]))
    # object dtype with None
    obj = pd.Series([1.0, None, 3.0, 4.0, 5.0, 6.0], dtype=object)
    with pytest.raises(mobility.MobilityError, match="1 row with missing"):
        mobility.transition_matrix(obj, np.arange(6.0), quantiles=2)
    assert mobility.transition_matrix(obj, np.arange(6.0), quantiles=2, dropna=True).n_dropped == 1


def test_missing_reports_index_label():
    df = pd.DataFrame({"p": [1.0, 2.0, np.nan, 4.0], "c": [1.0, 2.0, 3.0, 4.0]}, index=list("abcd"))
    with pytest.raises(mobility.MobilityError, match="row 2 \\(index label 'c'\\)"):
        mobility.transition_matrix(df, parent="p", child="c", quantiles=2)


def test_list_with_none_and_weights_nan():
    tm = mobility.transition_matrix(
        [1, 2, None, 4, 5], [5, 4, 3, 2, 1], quantiles=2, weights=[1, 1, 1, np.nan, 1], dropna=True
    )
    assert tm.n_dropped == 2 and tm.n == 3.0


def test_polars(data, expected):
    p, c, w = data
    df = pl.DataFrame({"parent_income": p, "child_income": c, "w": w})
    same(mobility.transition_matrix(df, parent="parent_income", child="child_income"), expected[0])
    same(
        mobility.transition_matrix(df, parent="parent_income", child="child_income", weights="w"),
        expected[1],
    )
    same(mobility.transition_matrix(df["parent_income"], df["child_income"]), expected[0])
    ints = df.with_columns(pl.col("parent_income").cast(pl.Int64), pl.col("child_income").cast(pl.Int32))
    same(mobility.transition_matrix(ints, parent="parent_income", child="child_income"), expected[0])
    same(mobility.transition_matrix(df.lazy(), parent="parent_income", child="child_income"), expected[0])


def test_polars_nulls():
    df = pl.DataFrame({"p": [1, 2, None, 4, 5, 6], "c": [1.0, 2.0, 3.0, float("nan"), 5.0, 6.0]})
    with pytest.raises(mobility.MobilityError, match="2 rows with missing values.*first at row 2"):
        mobility.transition_matrix(df, parent="p", child="c", quantiles=2)
    tm = mobility.transition_matrix(df, parent="p", child="c", quantiles=2, dropna=True)
    assert tm.n_dropped == 2 and tm.n == 4.0


def test_dict_of_columns(data, expected):
    p, c, _ = data
    same(mobility.transition_matrix({"a": p, "b": c}, parent="a", child="b"), expected[0])


def test_parent_keyword_without_data(data, expected):
    p, c, _ = data
    same(mobility.transition_matrix(parent=p, child=c), expected[0])


def test_zero_copy_for_contiguous_float64(data):
    p, _, _ = data
    from mobility._input import as_float_array

    assert as_float_array(p, "x") is p
    s = pd.Series(p)
    assert np.shares_memory(as_float_array(s, "x"), s.to_numpy())


def test_tables_from_lists_frames(expected):
    counts = expected[0].counts
    for table in (counts, counts.tolist(), pd.DataFrame(counts), pl.DataFrame(counts)):
        tm = mobility.TransitionMatrix.from_counts(table)
        np.testing.assert_array_equal(tm.probabilities, expected[0].probabilities)
    assert mobility.shorrocks_trace(expected[0]) == pytest.approx(
        expected[0].measures()["shorrocks_trace"], abs=1e-15
    )


def test_numeric_strings_are_refused_in_object_columns_too():
    import pandas as pd

    good = np.array([4.0, 3.0, 2.0, 1.0])
    for strings in (
        pd.Series(["1", "2", "3", "4"], dtype=object),
        np.array(["1", "2", "3", "4"], dtype=object),
        pd.Series([1.0, "2", 3.0, 4.0], dtype=object),
        np.array([1.0, b"2", 3.0, 4.0], dtype=object),
    ):
        with pytest.raises(TypeError, match="text such as"):
            mobility.transition_matrix(strings, good, quantiles=2)
    # object columns of numbers (and missing values) still work
    tm = mobility.transition_matrix(
        pd.Series([1, 2.5, None, 4], dtype=object), good, quantiles=2, dropna=True
    )
    assert tm.n == 3


def test_reference_pairs_must_have_equal_lengths():
    p = np.arange(20.0)
    c = p[::-1].copy()
    with pytest.raises(mobility.MobilityError, match="reference child status: expected 20"):
        mobility.transition_matrix(p, c, quantiles=2, reference=(p, c[:-3]))
    with pytest.raises(mobility.MobilityError, match="reference weights: expected 20"):
        mobility.transition_matrix(p, c, quantiles=2, reference=(p, c, np.ones(5)))
    assert mobility.transition_matrix(p, c, quantiles=2, reference=(p, c)).k == 2
