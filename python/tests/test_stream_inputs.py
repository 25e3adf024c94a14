"""mobility.transition_matrix on inputs it streams (polars LazyFrame, pyarrow dataset, Parquet
and CSV paths): the same matrix as in memory, bit for bit, batch size notwithstanding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mobility
from mobility import _stream

pa = pytest.importorskip("pyarrow", reason="pyarrow is a test dependency")
pq = pytest.importorskip("pyarrow.parquet")
pads = pytest.importorskip("pyarrow.dataset")
pl = pytest.importorskip("polars")

RULES = ["midrank", "giddy", "r-type7", "stata-xtile"]


def frame(n: int = 20_000, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = np.round(np.exp(rng.standard_normal(n)), 1)  # ties
    c = np.round(np.exp(0.4 * np.log(p + 0.1) + rng.standard_normal(n)), 2)
    return pd.DataFrame({"p": p, "c": c, "w": rng.integers(1, 9, n) / 4.0})


DF = frame()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("stream")
    table = pa.Table.from_pandas(DF, preserve_index=False)
    pq.write_table(table, d / "one.parquet", row_group_size=3000)
    parts = d / "parts"
    parts.mkdir()
    for i, (a, b) in enumerate([(0, 7000), (7000, 7000), (7000, 20_000)]):
        pq.write_table(table.slice(a, b - a), parts / f"part-{i}.parquet")
    DF.to_csv(d / "one.csv", index=False)
    return d


def direct(rule="midrank", weights=None, k=5):
    return mobility.transition_matrix(DF, parent="p", child="c", weights=weights, quantiles=k,
                                      rule=rule)


@pytest.mark.parametrize("rule", RULES)
def test_lazyframe(rule):
    lf = pl.from_pandas(DF).lazy()
    assert mobility.transition_matrix(lf, parent="p", child="c", quantiles=7, rule=rule) == (
        direct(rule, k=7)
    )
    # small batches: many summaries merged
    tm = _stream.stream_transition_matrix(
        lf, _stream.Columns("p", "c"), 7, rule, None, False, batch_rows=1234
    )
    assert tm == direct(rule, k=7)


def test_lazyframe_weighted_and_scan(files):
    lf = pl.scan_parquet(files / "one.parquet")
    assert mobility.transition_matrix(lf, parent="p", child="c", weights="w") == direct(
        weights="w"
    )


@pytest.mark.parametrize("rule", RULES)
def test_dataset(files, rule):
    ds = pads.dataset(files / "parts", format="parquet")
    assert _stream.is_streamable(ds)
    assert mobility.transition_matrix(ds, parent="p", child="c", rule=rule) == direct(rule)


def test_paths(files):
    for path in (files / "one.parquet", str(files / "one.parquet"), files / "one.csv",
                 files / "parts"):
        assert mobility.transition_matrix(path, parent="p", child="c", weights="w") == direct(
            weights="w"
        ), path
        tm = mobility.transition_matrix(path, parent="p", child="c", quantiles=10,
                                        rule="stata-xtile")
        assert tm == direct("stata-xtile", k=10)


def test_reference_and_bands_with_streams(files):
    ref = DF.iloc[:5000]
    tm = mobility.transition_matrix(files / "one.parquet", parent="p", child="c", reference=ref)
    assert tm == mobility.transition_matrix(DF, parent="p", child="c", reference=ref)
    lf = pl.from_pandas(DF).lazy()
    assert mobility.transition_matrix(lf, parent="p", child="c", bands=[0.5, 1, 2]) == (
        mobility.transition_matrix(DF, parent="p", child="c", bands=[0.5, 1, 2])
    )


def test_missing_values_and_errors(files, tmp_path):
    df = DF.copy()
    df.loc[[10, 11, 15000], "p"] = np.nan
    lf = pl.from_pandas(df).lazy()
    with pytest.raises(mobility.MobilityError):
        mobility.transition_matrix(lf, parent="p", child="c")
    tm = mobility.transition_matrix(lf, parent="p", child="c", dropna=True)
    want = mobility.transition_matrix(df, parent="p", child="c", dropna=True)
    assert tm == want and tm.n_dropped == 3
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "na.parquet")
    assert mobility.transition_matrix(tmp_path / "na.parquet", parent="p", child="c",
                                      dropna=True) == want
    with pytest.raises(mobility.ColumnNotFoundError):
        mobility.transition_matrix(lf, parent="zz", child="c")
    with pytest.raises(mobility.MobilityError):
        mobility.transition_matrix(tmp_path / "absent.parquet", parent="p", child="c")
    with pytest.raises(TypeError):
        mobility.transition_matrix(lf, parent="p", child="c", bootstrap=10)


def test_bounded_batches_on_a_larger_stream(files):
    """200,000 rows streamed in 4,096-row batches: no batch holds more than 4,096 rows, and the
    result equals the in-memory matrix."""
    rng = np.random.default_rng(5)
    n = 200_000
    p = rng.standard_normal(n)
    c = 0.3 * p + rng.standard_normal(n)
    lf = pl.DataFrame({"p": p, "c": c}).lazy()
    seen = []
    orig = _stream._iter_batches

    def spy(data, names, batch_rows):
        for b in orig(data, names, batch_rows):
            seen.append(len(b))
            yield b

    _stream._iter_batches = spy
    try:
        tm = _stream.stream_transition_matrix(
            lf, _stream.Columns("p", "c"), 10, "midrank", None, False, batch_rows=4096
        )
    finally:
        _stream._iter_batches = orig
    assert max(seen) <= 4096 and sum(seen) % n == 0 and sum(seen) // n >= 3
    assert tm == mobility.transition_matrix(p, c, quantiles=10)


@pytest.mark.parametrize("compression", ["uncompressed", "snappy", "lz4"])
def test_parquet_written_by_polars_many_row_groups(tmp_path, compression):
    """Row groups decoded on several threads at once (regression: the shared file offset of
    cloned descriptors made concurrent row-group reads decode the wrong bytes)."""
    rng = np.random.default_rng(11)
    n = 300_000
    df = pl.DataFrame({"parent": rng.standard_normal(n), "child": rng.standard_normal(n)})
    path = tmp_path / f"pl_{compression}.parquet"
    df.write_parquet(path, compression=compression, row_group_size=1 << 15)
    want = mobility.transition_matrix(df.to_numpy()[:, 0], df.to_numpy()[:, 1], quantiles=10)
    assert mobility.transition_matrix(path, parent="parent", child="child", quantiles=10) == want
