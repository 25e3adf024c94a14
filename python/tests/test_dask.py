"""mobility.dask on a real Dask LocalCluster (2 worker processes): streamed == in-memory bit for
bit, for every partitioning, rule, weighting and tie pattern; the Poisson bootstrap does not
depend on the partitioning; results and pipeline pieces pickle."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import mobility
from mobility import _mobility

dask = pytest.importorskip("dask", reason="dask is a test dependency (make test installs it)")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import mobility.dask as mdask  # noqa: E402

RULES = ["midrank", "giddy", "r-type7", "stata-xtile"]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def frame(n: int = 3000, seed: int = 3) -> pd.DataFrame:
    """Heavy ties (status on 0..24), whole, dyadic and fractional weights, groups, ids."""
    rng = np.random.default_rng(seed)
    p = rng.integers(0, 25, n).astype(float)
    c = np.clip(p + rng.integers(-6, 7, n), 0, 30).astype(float)
    return pd.DataFrame(
        {
            "p": p,
            "c": c,
            "w_int": rng.integers(1, 6, n).astype(float),
            "w_dyadic": rng.integers(1, 17, n) / 8.0,
            "w_frac": rng.uniform(0.1, 3.0, n),
            "g": rng.choice(["north", "south", "east", "west"], n),
            "uid": rng.permutation(n).astype(np.int64) * 7 + 11,
        }
    )


DF = frame()


def partitioned(df: pd.DataFrame, layout: str):
    """1, 3 or 8 even partitions, unbalanced ones, or some empty."""
    if layout in ("1", "3", "8"):
        return dd.from_pandas(df, npartitions=int(layout), sort=False)
    n = len(df)
    if layout == "unbalanced":
        bounds = [0, 1, 7, n - 500, n]
    else:  # "empty": empty partitions first, in the middle and last
        bounds = [0, 0, 900, 900, 900, n, n]
    pieces = [dask.delayed(df.iloc[a:b].copy()) for a, b in zip(bounds[:-1], bounds[1:])]
    ddf = dd.from_delayed(pieces, meta=df.iloc[:0])
    if layout == "empty":
        lengths = ddf.map_partitions(len).compute().tolist()
        assert 0 in lengths and lengths[0] == 0 and lengths[-1] == 0
    return ddf


LAYOUTS = ["1", "3", "8", "unbalanced", "empty"]


def assert_same(streamed, direct):
    assert isinstance(streamed, mobility.TransitionMatrix)
    assert streamed == direct
    np.testing.assert_array_equal(streamed.counts, direct.counts)
    np.testing.assert_array_equal(streamed.probabilities, direct.probabilities)
    np.testing.assert_array_equal(streamed.parent_cutoffs.values, direct.parent_cutoffs.values)
    np.testing.assert_array_equal(streamed.child_cutoffs.values, direct.child_cutoffs.values)
    assert streamed.parent_cutoffs.inclusive == direct.parent_cutoffs.inclusive
    assert streamed.measures() == direct.measures()  # every measure, exactly


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("rule", RULES)
def test_unweighted_every_rule_every_layout(client, layout, rule):
    ddf = partitioned(DF, layout)
    for k in (4, 10):
        direct = mobility.transition_matrix(DF, parent="p", child="c", quantiles=k, rule=rule)
        streamed = mdask.transition_matrix(ddf, parent="p", child="c", quantiles=k, rule=rule)
        assert_same(streamed, direct)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("wcol", ["w_int", "w_dyadic"])
def test_exact_weights_bit_for_bit(client, layout, wcol):
    ddf = partitioned(DF, layout)
    direct = mobility.transition_matrix(DF, parent="p", child="c", weights=wcol, quantiles=5)
    streamed = mdask.transition_matrix(ddf, parent="p", child="c", weights=wcol, quantiles=5)
    assert_same(streamed, direct)


def test_fractional_weights_identical_across_partitionings(client):
    """Exact accumulation: the same bits for every partitioning; the in-memory sequential f64
    sums agree to rounding (cut-offs and row membership exactly)."""
    results = [
        mdask.transition_matrix(
            partitioned(DF, layout), parent="p", child="c", weights="w_frac", quantiles=5
        )
        for layout in LAYOUTS
    ]
    for r in results[1:]:
        assert r == results[0]
        np.testing.assert_array_equal(r.counts, results[0].counts)
    direct = mobility.transition_matrix(DF, parent="p", child="c", weights="w_frac", quantiles=5)
    np.testing.assert_array_equal(results[0].parent_cutoffs.values, direct.parent_cutoffs.values)
    np.testing.assert_allclose(results[0].counts, direct.counts, rtol=1e-12)


def test_continuous_status_and_reference(client):
    rng = np.random.default_rng(8)
    n = 5000
    p = np.exp(rng.standard_normal(n))
    c = np.exp(0.5 * np.log(p) + rng.standard_normal(n))
    df = pd.DataFrame({"p": p, "c": c})
    ddf = dd.from_pandas(df, npartitions=5, sort=False)
    assert_same(
        mdask.transition_matrix(ddf, parent="p", child="c", quantiles=10),
        mobility.transition_matrix(df, parent="p", child="c", quantiles=10),
    )
    ref = df.iloc[:2000]
    place = df.iloc[2000:]
    direct = mobility.transition_matrix(
        place, parent="p", child="c", quantiles=5, reference=ref
    )
    for reference in (ref, dd.from_pandas(ref, npartitions=3, sort=False)):
        streamed = mdask.transition_matrix(
            dd.from_pandas(place, npartitions=4, sort=False),
            parent="p", child="c", quantiles=5, reference=reference,
        )
        assert streamed == direct
    bands = [0.5, 1.0, 2.0]
    assert mdask.transition_matrix(ddf, parent="p", child="c", bands=bands) == (
        mobility.transition_matrix(df, parent="p", child="c", bands=bands)
    )


def test_dropna_counts_dropped_rows(client):
    df = DF.copy()
    df.loc[[3, 500, 2999], "c"] = np.nan
    direct = mobility.transition_matrix(df, parent="p", child="c", quantiles=5, dropna=True)
    streamed = mdask.transition_matrix(
        partitioned(df, "unbalanced"), parent="p", child="c", quantiles=5, dropna=True
    )
    assert streamed == direct and streamed.n_dropped == direct.n_dropped == 3
    with pytest.raises(mobility.MobilityError):
        mdask.transition_matrix(partitioned(df, "3"), parent="p", child="c")


def test_errors(client):
    ddf = partitioned(DF, "3")
    with pytest.raises(mobility.ColumnNotFoundError):
        mdask.transition_matrix(ddf, parent="nope", child="c")
    with pytest.raises(mobility.MobilityError):
        mdask.transition_matrix(ddf, parent="p", child="c", weights="w_int", rule="giddy")
    with pytest.raises(TypeError):
        mdask.transition_matrix(DF, parent="p", child="c")


@pytest.mark.parametrize("layout", ["1", "8", "empty"])
def test_group_matrices_equal_by_group(client, layout):
    table = mobility.by_group(DF, parent="p", child="c", by="g", weights="w_int", quantiles=4)
    national, matrices, empty = mdask.group_matrices(
        partitioned(DF, layout), parent="p", child="c", by="g", weights="w_int", quantiles=4
    )
    assert national == table.national
    assert list(matrices) == list(table.matrices)
    for g, m in table.matrices.items():
        assert matrices[g] == m
    assert empty == table.empty_groups


def test_by_group_and_rank_mobility_gathered(client):
    ddf = partitioned(DF, "3")
    t1 = mobility.by_group(DF, parent="p", child="c", by="g", quantiles=5)
    t2 = mdask.by_group(ddf, parent="p", child="c", by="g", quantiles=5)
    pd.testing.assert_frame_equal(t1.to_frame(), t2.to_frame())
    r1 = mobility.rank_mobility(DF, parent="p", child="c", weights="w_frac")
    r2 = mdask.rank_mobility(ddf, parent="p", child="c", weights="w_frac")
    assert r1 == r2


def test_poisson_bootstrap_independent_of_partitioning(client):
    runs = {
        layout: mdask.poisson_bootstrap(
            partitioned(DF, layout), parent="p", child="c", quantiles=5, replicates=12, seed=4
        )
        for layout in ("1", "3", "unbalanced", "empty")
    }
    ref = runs["1"]
    assert len(ref.replicates) == 12
    for b in runs.values():
        np.testing.assert_array_equal(b.counts(), ref.counts())
        assert [m.parent_cutoffs for m in b.replicates] == [m.parent_cutoffs for m in ref.replicates]
        np.testing.assert_array_equal(b.values(), ref.values())
    # replicates differ from each other and from the estimate; the estimate is the plain matrix
    assert ref.estimate == mobility.transition_matrix(DF, parent="p", child="c", quantiles=5)
    assert len({m.counts.tobytes() for m in ref.replicates}) == 12
    # replicate totals: sum of Poisson(1) counts, mean n
    totals = np.array([m.n for m in ref.replicates])
    assert abs(totals.mean() / len(DF) - 1) < 0.05
    frame_ = ref.to_frame()
    se = frame_.set_index("measure")["se"]
    assert se["shorrocks_trace"] > 0 and se["immobility_ratio"] > 0
    # a different seed, different replicates
    other = mdask.poisson_bootstrap(
        partitioned(DF, "3"), parent="p", child="c", quantiles=5, replicates=12, seed=5
    )
    assert not np.array_equal(other.counts(), ref.counts())


def test_poisson_bootstrap_with_ids_and_fractional_weights(client):
    """With a record-id column the rows may come in any order and partitioning."""
    shuffled = DF.sample(frac=1.0, random_state=1).reset_index(drop=True)
    a = mdask.poisson_bootstrap(
        partitioned(DF, "3"), parent="p", child="c", weights="w_frac", id="uid",
        replicates=6, seed=9,
    )
    b = mdask.poisson_bootstrap(
        partitioned(shuffled, "unbalanced"), parent="p", child="c", weights="w_frac", id="uid",
        replicates=6, seed=9,
    )
    np.testing.assert_array_equal(a.counts(), b.counts())
    np.testing.assert_array_equal(a.values(), b.values())
    # the replicate weights are the documented Poisson draws: replicate 0 by hand
    ids = DF["uid"].to_numpy().astype(np.uint64)
    w0 = _mobility.poisson_weights(ids, 0, 9, DF["w_frac"].to_numpy())
    by_hand = mobility.transition_matrix(DF["p"], DF["c"], weights=w0, quantiles=5)
    np.testing.assert_allclose(a.replicates[0].counts, by_hand.counts, rtol=1e-12)
    np.testing.assert_array_equal(
        a.replicates[0].parent_cutoffs.values, by_hand.parent_cutoffs.values
    )
    with pytest.raises(mobility.MobilityError):
        mdask.poisson_bootstrap(partitioned(DF, "3"), parent="p", child="c", rule="giddy")


def test_poisson_weights_pure_function():
    ids = np.arange(100_000, dtype=np.uint64)
    w = _mobility.poisson_weights(ids, 3, 1)
    np.testing.assert_array_equal(w[500:600], _mobility.poisson_weights(ids[500:600], 3, 1))
    assert abs(w.mean() - 1) < 0.02 and abs(w.var() - 1) < 0.03
    assert (w == np.floor(w)).all() and w.min() == 0


def test_pickling(client):
    ddf = partitioned(DF, "3")
    tm = mdask.transition_matrix(ddf, parent="p", child="c", weights="w_dyadic", quantiles=5)
    back = pickle.loads(pickle.dumps(tm))
    assert back == tm and back.measures() == tm.measures()
    # results travel back from workers: pickled on the worker, compared on the client
    remote = client.submit(lambda t: t, tm).result()
    assert remote == tm
    bs = mdask.poisson_bootstrap(ddf, parent="p", child="c", replicates=3, seed=1)
    bs2 = pickle.loads(pickle.dumps(bs))
    np.testing.assert_array_equal(bs2.counts(), bs.counts())
    # pipeline pieces: pass, summary and driver state round-trip as bytes
    pipe = _mobility.StreamPipeline(k=5)
    pass_ = pipe.next_pass()
    assert pickle.loads(pickle.dumps(pass_)) == pass_
    s = pass_.summarize(DF["p"].to_numpy(), DF["c"].to_numpy())
    assert pickle.loads(pickle.dumps(s)) == s
    pipe.advance(s)
    pipe2 = pickle.loads(pickle.dumps(pipe))
    while (p := pipe.next_pass()) is not None:
        s = p.summarize(DF["p"].to_numpy(), DF["c"].to_numpy())
        pipe.advance(s)
        pipe2.advance(pickle.loads(pickle.dumps(s)))
    assert pipe2.next_pass() is None
    assert pipe.finish()["matrix"] == pipe2.finish()["matrix"]
