"""Groups (by_group) and places (places_report) through Python (issue 5)."""

from __future__ import annotations

import json
import pickle
import subprocess

import numpy as np
import pandas as pd
import polars as pl
import pytest

import mobility
from mobility import MobilityError
from conftest import REPO, lognormal_pairs

REGIONS = np.array(["north", "south", "east", "west"])


@pytest.fixture(scope="module")
def population():
    p, c = lognormal_pairs(4_000, rho=0.45, seed=50)
    region = REGIONS[(np.arange(4_000) * 7919) % 4]
    # the south's children earn more: it levels up against the nation
    c = np.where(region == "south", c * 1.3, c)
    w = np.random.default_rng(3).uniform(0.5, 2.0, 4_000)
    return pd.DataFrame({"parent": p, "child": c, "region": region, "w": w})


def test_string_labels_national_ranks(population):
    df = population
    t = mobility.by_group(df, parent="parent", child="child", by="region")
    assert isinstance(t, mobility.GroupTable)
    assert t.groups == ["east", "north", "south", "west"]  # sorted labels
    assert t.basis == "national" and t.k == 5 and t.rule == "midrank"
    f = t.to_frame()
    assert list(f["group"]) == t.groups
    assert list(f.columns[:4]) == ["group", "units", "weight", "share"]
    for name in mobility.MEASURES:
        assert name in f.columns
    for name in [
        "rank_rank_slope", "rank_rank_intercept", "absolute_upward_mobility", "spearman",
        "kendall_tau_b", "share_child_rank_above_parent", "ige", "absolute_mobility",
        "total_mobility", "structural_mobility", "exchange_mobility", "levelling_up",
        "fall_share", "mean_fall_rank_points", "mean_fall_median_multiples", "mean_fall_classes",
        "middle_to_top", "top_access_ratio",
    ]:
        assert name in f.columns, name
    assert f["units"].sum() == len(df) and f["share"].sum() == pytest.approx(1.0)
    # the south levels up, the others (slightly) down
    by = f.set_index("group")
    assert by.loc["south", "levelling_up"] > 0.2
    assert (by.drop("south")["levelling_up"] < 0).all()
    # each group's matrix is its units over national classes
    south = df[df["region"] == "south"]
    own = mobility.transition_matrix(
        south, parent="parent", child="child",
        cutoffs=(t.national_parent_cutoffs, t.national_child_cutoffs),
    )
    assert np.array_equal(t.matrices["south"].counts, own.counts)
    assert np.allclose(t["south"].matrix.probabilities, own.probabilities)
    assert t["south"].levelling.decomposition == own.decompose()
    assert t["south"].rank.rank_basis == "national"
    # the national matrix is the whole sample's
    whole = mobility.transition_matrix(df, parent="parent", child="child")
    assert np.array_equal(t.national.counts, whole.counts)
    assert t.national_parent_median == pytest.approx(np.median(df["parent"]))


def test_local_ranks(population):
    df = population
    t = mobility.by_group(df, parent="parent", child="child", by="region", ranks="local",
                          weights="w", quantiles=4)
    assert t.basis == "local"
    for label in t.groups:
        part = df[df["region"] == label]
        own = mobility.transition_matrix(part, parent="parent", child="child", weights="w",
                                         quantiles=4)
        assert t.matrices[label] == own
        assert t[label].rank == mobility.rank_mobility(part, parent="parent", child="child",
                                                       weights="w")
        assert t[label].measures == own.measures()
        # classes within the group: shares 1/k up to the weight on each cut, so (almost) no
        # structural mobility in its own matrix
        assert own.decompose().structural < 0.005
    # levelling is still against the nation
    nat = mobility.by_group(df, parent="parent", child="child", by="region", weights="w",
                            quantiles=4)
    assert t["south"].levelling == nat["south"].levelling


def test_label_types_and_call_forms(population):
    df = population
    ref = mobility.by_group(df, parent="parent", child="child", by="region").to_frame()
    arrays = mobility.by_group(df["parent"].to_numpy(), df["child"].to_numpy(),
                               groups=df["region"].to_numpy()).to_frame()
    pd.testing.assert_frame_equal(ref, arrays)
    frame = pl.DataFrame({"parent": df["parent"].to_numpy(), "child": df["child"].to_numpy(),
                          "region": df["region"].tolist()})
    polars = mobility.by_group(frame, parent="parent", child="child", by="region")
    pd.testing.assert_frame_equal(ref, polars.to_frame())
    cat = df.assign(region=df["region"].astype("category"))
    pd.testing.assert_frame_equal(
        ref, mobility.by_group(cat, parent="parent", child="child", by="region").to_frame()
    )
    # numbers as labels keep their type and order
    codes = {"east": 30, "north": 4, "south": 100, "west": 7}
    nums = mobility.by_group(df["parent"], df["child"], by=df["region"].map(codes).to_numpy())
    assert nums.groups == [4, 7, 30, 100]
    assert all(isinstance(g, int) for g in nums.groups)
    assert nums[100].levelling == mobility.by_group(
        df, parent="parent", child="child", by="region")["south"].levelling
    # a list of labels with mixed types still works (first-appearance order)
    mixed = ["a" if i % 2 else 1 for i in range(len(df))]
    assert mobility.by_group(df["parent"], df["child"], groups=mixed).groups == [1, "a"]


def test_missing_labels_and_dropna(population):
    df = population.copy()
    df.loc[[3, 10], "region"] = None
    df.loc[20, "parent"] = np.nan
    with pytest.raises(MobilityError, match="group labels have 2 missing values"):
        mobility.by_group(df, parent="parent", child="child", by="region")
    t = mobility.by_group(df, parent="parent", child="child", by="region", dropna=True)
    assert t.n_dropped == 3 and t.to_frame()["units"].sum() == len(df) - 3


def test_group_table_round_trips(population):
    t = mobility.by_group(population, parent="parent", child="child", by="region")
    assert pickle.loads(pickle.dumps(t)) == t
    d = t.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert [r["group"] for r in d["rows"]] == t.groups
    assert "GroupTable(k=5, 4 groups" in repr(t) and "<table" in t._repr_html_()
    assert [r.group for r in t] == t.groups and len(t) == 4


def test_places_cli_json_agrees(tmp_path, population):
    path = tmp_path / "places.csv"
    population.to_csv(path, index=False)
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--bin", "mobility", "--", "places", str(path), "--parent",
         "parent", "--child", "child", "--by", "region", "--weight", "w", "--json"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stderr
    cli = json.loads(out.stdout)
    ours = mobility.by_group(population, parent="parent", child="child", by="region", weights="w")
    d = ours.to_dict()
    assert [r["group"] for r in cli["rows"]] == [r["group"] for r in d["rows"]]
    for a, b in zip(cli["rows"], d["rows"]):
        assert a["levelling"] == b["levelling"]
        assert a["rank"] == b["rank"] and a["fall"] == b["fall"]
        assert a["matrix"]["counts"] == b["matrix"]["counts"]


def test_group_errors(population):
    df = population
    with pytest.raises(mobility.ColumnNotFoundError, match="groups column 'county'"):
        mobility.by_group(df, parent="parent", child="child", by="county")
    with pytest.raises(ValueError, match="groups column 'county'"):
        mobility.by_group(df, parent="parent", child="child", by="county")
    with pytest.raises(TypeError, match="needs the group labels"):
        mobility.by_group(df, parent="parent", child="child")
    with pytest.raises(TypeError, match="give the group labels once"):
        mobility.by_group(df, parent="parent", child="child", by="region", groups=df["region"])
    with pytest.raises(MobilityError, match="groups: expected 4000 values, found 3"):
        mobility.by_group(df["parent"], df["child"], groups=["a", "b", "c"])
    with pytest.raises(MobilityError, match="'county' is not a rank basis; expected national or local"):
        mobility.by_group(df, parent="parent", child="child", by="region", ranks="county")
    with pytest.raises(TypeError, match="column names need a DataFrame"):
        mobility.by_group(df["parent"], df["child"], by="region")
    with pytest.raises(MobilityError, match="at least 2"):
        mobility.by_group(df, parent="parent", child="child", by="region", quantiles=1)
    with pytest.raises(TypeError, match="labels"):
        mobility.by_group(df["parent"], df["child"], groups=5)
    t = mobility.by_group(df, parent="parent", child="child", by="region")
    with pytest.raises(KeyError, match="not a group"):
        t["nowhere"]


# ------------------------------------------------------------------------------ places


def two_places():
    return [
        mobility.PlaceTable("A", "Rising", probabilities=np.array([[0.9, 0.1], [0.0, 1.0]]),
                            parent_shares=np.array([0.5, 0.5])),
        mobility.PlaceTable("B", "Fluid", probabilities=np.array([[0.6, 0.4], [0.5, 0.5]]),
                            parent_shares=np.array([0.2, 0.8])),
    ]


def test_places_report_small():
    r = mobility.places_report(two_places())
    f = r.to_frame()
    assert list(f["id"]) == ["A", "B"]
    assert list(f["levelling_rank"]) == [1, 2] and list(f["mobility_rank"]) == [2, 1]
    # A: parents (0.5, 0.5), children (0.45, 0.55): levelling up 0.05
    assert f.loc[0, "levelling_score"] == pytest.approx(0.05)
    assert f.loc[1, "mobility_score"] == pytest.approx(0.4)  # P(top | bottom)
    for name in ["levelling_score", "levelling_rank", "mobility_score", "mobility_rank",
                 "structural_mobility", "exchange_mobility", "top_access_ratio"]:
        assert name in f.columns
    assert r.score_correlation == pytest.approx(-1.0)
    # the same places as matrices with their parent shares
    mats = {
        p.id: mobility.TransitionMatrix.from_probabilities(p.probabilities, parent_shares=p.parent_shares)
        for p in two_places()
    }
    rm = mobility.places_report(mats)
    assert rm.to_frame()["levelling_score"].tolist() == pytest.approx(f["levelling_score"].tolist())
    trace = mobility.places_report(two_places(), "shorrocks_trace")
    assert trace.mobility_score == "shorrocks_trace"
    assert pickle.loads(pickle.dumps(r)) == r
    assert r.levelling("A").levelling_up == pytest.approx(0.05)


def test_places_errors(tmp_path):
    with pytest.raises(MobilityError, match="'mobility': is not a score|not a score"):
        mobility.places_report(two_places(), "mobility")
    with pytest.raises(MobilityError, match="contrast_fraction"):
        mobility.places_report(two_places(), contrast_fraction=0.9)
    with pytest.raises(MobilityError, match="row_tolerance"):
        mobility.places_report(two_places(), row_tolerance=-1)
    with pytest.raises(TypeError, match="places must be a file path"):
        mobility.places_report(42)
    with pytest.raises(TypeError, match="mapping name -> TransitionMatrix|maps to"):
        mobility.places_report({"A": np.eye(2)})
    with pytest.raises(MobilityError, match="cannot|No such file|not found|os error"):
        mobility.read_place_matrices(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,x\n1,2\n")
    with pytest.raises(MobilityError, match="no p_par"):
        mobility.read_place_matrices(bad)
    with pytest.raises(TypeError, match="path must be a file path"):
        mobility.read_place_matrices(3)
    with pytest.raises(MobilityError, match="invalid sort_by"):
        mobility.places_report(two_places()).to_frame(sort_by="size")


@pytest.mark.validation
def test_commuting_zones(shared_data):
    """Chetty et al. (2014), Online Data Table 6: 741 commuting zones, national quintiles."""
    path = shared_data / "chetty2014_cz" / "table6_cz_quintile_matrices.csv"
    places = mobility.read_place_matrices(path)
    assert len(places) == 741
    r = mobility.places_report(path)
    f = r.to_frame()
    assert len(f) + len(r.excluded) == 741
    assert sorted(f["levelling_rank"]) == list(range(1, len(f) + 1))
    assert sorted(f["mobility_rank"]) == list(range(1, len(f) + 1))
    assert r.levelling_not_mobility and r.mobility_not_levelling
    c = r.contrasts()
    assert set(c["contrast"]) == {"levelling_not_mobility", "mobility_not_levelling"}
    m, cut = len(f), int(np.ceil(0.2 * len(f)))
    for row in r.levelling_not_mobility:
        assert row.levelling_rank <= cut and row.mobility_rank > m - cut
    # the same report from the parsed tables and from the CLI
    assert mobility.places_report(places) == r
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--bin", "mobility", "--", "places", str(path), "--matrices",
         "--json"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == r.to_dict()
    best = r.to_frame(sort_by="levelling").iloc[0]
    assert best["levelling_rank"] == 1
