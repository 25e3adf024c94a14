"""mobility.spark on a local[2] Spark session (mapInArrow): the same matrices as in memory.

Runs when pyspark and Java are present (the `spark` extra); otherwise skipped with the reason
shown by ``pytest -rs``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import mobility

pyspark = pytest.importorskip(
    "pyspark", reason="pyspark not installed (pip install 'mobility[spark]'): Spark tests skipped"
)


def _java_ok() -> bool:
    java = shutil.which("java") or (
        os.path.join(os.environ["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in os.environ else None
    )
    if not java:
        return False
    try:
        return subprocess.run([java, "-version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


if not _java_ok():
    pytest.skip("no Java runtime found: Spark tests skipped", allow_module_level=True)

import mobility.spark as mspark  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

RULES = ["midrank", "giddy", "r-type7", "stata-xtile"]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    s = (
        SparkSession.builder.master("local[2]")
        .appName("mobility-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "700")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def frame(n: int = 4000, seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = rng.integers(0, 30, n).astype(float)
    c = np.clip(p + rng.integers(-8, 9, n), 0, 40).astype(float)
    return pd.DataFrame(
        {"p": p, "c": c, "w": rng.integers(1, 9, n) / 2.0,
         "g": rng.choice(["a", "b", "c"], n)}
    )


DF = frame()


@pytest.mark.parametrize("partitions", [1, 3, 8])
@pytest.mark.parametrize("rule", RULES)
def test_every_rule_and_partitioning(spark, partitions, rule):
    sdf = spark.createDataFrame(DF).repartition(partitions)
    tm = mspark.transition_matrix(sdf, parent="p", child="c", quantiles=5, rule=rule)
    assert tm == mobility.transition_matrix(DF, parent="p", child="c", quantiles=5, rule=rule)
    assert tm.measures() == mobility.transition_matrix(
        DF, parent="p", child="c", quantiles=5, rule=rule
    ).measures()


def test_weighted_groups_and_empty_partitions(spark):
    sdf = spark.createDataFrame(DF).repartition(8)
    tm = mspark.transition_matrix(sdf, parent="p", child="c", weights="w", quantiles=4)
    assert tm == mobility.transition_matrix(DF, parent="p", child="c", weights="w", quantiles=4)
    small = DF.iloc[:50]
    # hash-partitioned on 3 labels into 8 partitions: at least 5 are empty
    sdf_small = spark.createDataFrame(small).repartition(8, "g")
    sizes = sdf_small.rdd.glom().map(len).collect()
    assert len(sizes) == 8 and sizes.count(0) >= 5
    assert mspark.transition_matrix(sdf_small, parent="p", child="c", quantiles=3) == (
        mobility.transition_matrix(small, parent="p", child="c", quantiles=3)
    )
    table = mobility.by_group(DF, parent="p", child="c", by="g", weights="w", quantiles=4)
    national, matrices, empty = mspark.group_matrices(
        sdf, parent="p", child="c", by="g", weights="w", quantiles=4
    )
    assert national == table.national and empty == table.empty_groups
    assert matrices == table.matrices
