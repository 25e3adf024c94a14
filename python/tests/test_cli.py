"""The Python package and the Rust CLI (`mobility analyze --json`) agree on the same data: the
matrix report, the rank measures and the bootstrap, exactly."""

from __future__ import annotations

import csv
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

import mobility
from conftest import REPO, lognormal_pairs


def cli_json(*args: str) -> dict:
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--bin", "mobility", "--", *args, "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    # `analyze --json` adds the rank measures of the pairs under `rank_measures` (issue 5) and,
    # with --bootstrap, the `inference` and `bootstrap` keys (issue 4): `TransitionMatrix.report()`
    # builds the same object for a matrix made from pairs, so reports are compared whole.
    return json.loads(out.stdout)


def write_csv(path: Path, columns: dict) -> None:
    names = list(columns)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for row in zip(*(columns[n] for n in names)):
            w.writerow([repr(float(v)) for v in row])  # repr round-trips every float64


def assert_same(a, b, path="report"):
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), path
        for key in a:
            assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == b or (math.isnan(a) and math.isnan(b)), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize(
    "k,rule,weighted,pi",
    [(5, "midrank", False, "parent"), (10, "midrank", True, "uniform"), (4, "giddy", False, "stationary")],
)
def test_analyze_json_matches_python(tmp_path, k, rule, weighted, pi):
    p, c = lognormal_pairs(3_000, seed=k)
    cols = {"p": p, "c": c}
    args = ["analyze", str(tmp_path / "pairs.csv"), "--parent", "p", "--child", "c",
            "--quantiles", str(k), "--rule", rule, "--pi", pi]
    w = None
    if weighted:
        w = np.random.default_rng(k).uniform(0.5, 2.0, p.size)
        cols["w"] = w
        args += ["--weight", "w"]
    write_csv(tmp_path / "pairs.csv", cols)
    ours = mobility.transition_matrix(p, c, quantiles=k, weights=w, rule=rule).report(pi=pi)
    assert_same(cli_json(*args), ours)


@pytest.mark.validation
def test_analyze_json_on_the_mobilityindexr_panel(shared_data):
    path = shared_data / "mobilityindexr" / "incomeMobility.csv"
    import pandas as pd

    panel = pd.read_csv(path)
    ours = mobility.transition_matrix(panel, parent="t0", child="t9", quantiles=5).report()
    assert_same(cli_json("analyze", str(path), "--parent", "t0", "--child", "t9"), ours)


def test_published_json_matches_python():
    for name in mobility.published.NAMES:
        assert_same(cli_json("published", name), mobility.published.by_name(name).report())


def test_drop_missing_matches_dropna(tmp_path):
    p, c = lognormal_pairs(500, seed=21)
    p[[3, 40]] = np.nan
    c[[40, 77]] = np.nan
    path = tmp_path / "gaps.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["p", "c"])
        for a, b in zip(p, c):
            w.writerow(["" if np.isnan(a) else repr(float(a)), "" if np.isnan(b) else repr(float(b))])
    ours = mobility.transition_matrix(p, c, dropna=True)
    assert ours.n_dropped == 3
    assert_same(
        cli_json("analyze", str(path), "--parent", "p", "--child", "c", "--drop-missing"),
        ours.report(),
    )


def test_report_has_the_cli_rank_measures(tmp_path):
    p, c = lognormal_pairs(2_000, seed=31)
    c[::7] = p[::7]  # ties between generations
    write_csv(tmp_path / "pairs.csv", {"p": p, "c": c})
    cli = cli_json("analyze", str(tmp_path / "pairs.csv"), "--parent", "p", "--child", "c")
    ranks = mobility.rank_mobility(p, c)
    assert_same(cli["rank_measures"], ranks.to_dict())
    assert set(cli["rank_measures"]) >= {
        "rank_rank_slope", "rank_rank_intercept", "absolute_upward_mobility", "spearman",
        "kendall_tau_b", "share_child_rank_above_parent",
    }
    assert_same(cli, mobility.transition_matrix(p, c).report())


def test_rank_measures_null_when_undefined(tmp_path):
    # every parent has the same status: the rank-rank slope does not exist
    c = np.arange(10, dtype=float)
    p = np.full(10, 3.0)
    write_csv(tmp_path / "flat.csv", {"p": p, "c": c})
    cli = cli_json("analyze", str(tmp_path / "flat.csv"), "--parent", "p", "--child", "c",
                   "--quantiles", "2")
    assert cli["rank_measures"] is None
    assert_same(cli, mobility.transition_matrix(p, c, quantiles=2).report())


@pytest.mark.parametrize(
    "k,weighted,cluster,ci,pi",
    [
        (5, False, False, "bca", "parent"),
        (4, True, False, "percentile", "uniform"),
        (10, False, True, "bca", "parent"),
        (5, True, True, "bca", "stationary"),
    ],
)
def test_bootstrap_json_matches_python(tmp_path, k, weighted, cluster, ci, pi):
    p, c = lognormal_pairs(2_500, seed=40 + k)
    cols = {"p": p, "c": c}
    args = ["analyze", str(tmp_path / "pairs.csv"), "--parent", "p", "--child", "c",
            "--quantiles", str(k), "--pi", pi, "--bootstrap", "120", "--seed", "17", "--ci", ci]
    w = ids = None
    if weighted:
        w = np.random.default_rng(k).uniform(0.5, 2.0, p.size)
        cols["w"] = w
        args += ["--weight", "w"]
    if cluster:
        ids = (np.arange(p.size) // 3).astype(float)
        cols["family"] = ids
        args += ["--cluster", "family"]
    write_csv(tmp_path / "pairs.csv", cols)
    cli = cli_json(*args)
    tm = mobility.transition_matrix(
        p, c, quantiles=k, weights=w, bootstrap=120, seed=17, ci=ci, cluster=ids
    )
    # the rank measures' bootstrap is opt-in in Python (it re-sorts in every replicate)
    assert tm.rank_inference is None and "rank_inference" not in tm.report()
    tm.bootstrap(120, seed=17, ci=ci, cluster=ids, rank_measures=True)
    assert cli["rank_inference"] is not None and tm.rank_inference == cli["rank_inference"]
    if pi == "parent":
        # the default bootstrap runs every statistic, the CLI the measures: the same figures
        assert_same(cli, tm.report())
    tm.bootstrap(
        120, seed=17, ci=ci, cluster=ids, pi=pi, statistics="measures", rank_measures=True
    )
    assert_same(cli, tm.report(pi=pi))
