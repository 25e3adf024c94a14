"""The HTML report from Python: `mobility.report(df, ...)` and `TransitionMatrix.to_html_report`
call the Rust renderer, so the page equals the one `mobility report` writes for the same input,
byte for byte apart from the reproducing call."""

from __future__ import annotations

import html as html_module
import json
import re
import subprocess
import urllib.parse
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mobility
from conftest import REPO, lognormal_pairs

COMMAND = re.compile(r'<pre class="command"><code>(.*?)</code></pre>', re.S)
JSON_URI = re.compile(r'href="data:application&#x2f;json;charset=utf-8,([^"]*)"')


def cli_report(*args: str) -> str:
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--bin", "mobility", "--", "report", *args, "-o", "-"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def embedded(html: str) -> dict:
    (uri,) = JSON_URI.findall(html)
    return json.loads(urllib.parse.unquote(uri))


def command(html: str) -> str:
    (cmd,) = COMMAND.findall(html)
    cmd = re.sub(r"<[^>]+>", "", cmd)
    return html_module.unescape(cmd)


def without_call(html: str) -> str:
    """The page with the reproducing call taken out (the line and the JSON download's copy)."""
    data = embedded(html)
    data["provenance"]["source"]["command"] = None
    html = JSON_URI.sub(lambda _: 'href="JSON"', html)
    return COMMAND.sub("CALL", html) + json.dumps(data, sort_keys=True)


@pytest.fixture
def pairs_csv(tmp_path: Path) -> Path:
    p, c = lognormal_pairs(900, 0.45, seed=4)
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "parent_income": p,
            "child_income": c,
            "w": rng.uniform(0.5, 2.0, p.size),
            "region": rng.choice(["North", "South & East", "West <coast>"], p.size),
        }
    )
    path = tmp_path / "cohort.csv"
    df.to_csv(path, index=False, float_format="%.17g")
    return path


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, engine="python")  # Python float(): exact round trip


def test_report_equals_the_cli_page(pairs_csv: Path, tmp_path: Path) -> None:
    df = read(pairs_csv)
    out = tmp_path / "py.html"
    written = mobility.report(
        df,
        parent="parent_income",
        child="child_income",
        weights="w",
        by="region",
        quantiles=4,
        bootstrap=25,
        seed=3,
        source=str(pairs_csv),
        path=out,
    )
    assert written == out
    py_html = out.read_text(encoding="utf-8")
    cli_html = cli_report(
        str(pairs_csv),
        "--parent", "parent_income",
        "--child", "child_income",
        "--weight", "w",
        "--by", "region",
        "--quantiles", "4",
        "--bootstrap", "25",
        "--seed", "3",
    )
    assert py_html != cli_html  # the reproducing calls differ ...
    assert without_call(py_html) == without_call(cli_html)  # ... and nothing else
    # the page shows the Python call; the CLI page the command line
    assert command(py_html) == (
        "mobility.report(df, parent='parent_income', child='child_income', weights='w', "
        f"by='region', quantiles=4, bootstrap=25, seed=3, source={str(pairs_csv)!r}, "
        f"path={str(out)!r})"
    )
    assert command(cli_html).startswith(f"mobility report {pairs_csv} --parent parent_income")
    assert embedded(py_html)["provenance"]["source"]["command"] == command(py_html)


def test_report_numbers_equal_the_matrix_report(pairs_csv: Path) -> None:
    df = read(pairs_csv)
    html = mobility.report(df, parent="parent_income", child="child_income", weights="w")
    assert isinstance(html, str) and html.startswith("<!DOCTYPE html>")
    tm = mobility.transition_matrix(
        df, parent="parent_income", child="child_income", weights="w"
    )
    analysis = embedded(html)["analysis"]
    report = tm.report()
    assert analysis["matrix"] == report["matrix"]
    assert analysis["measures"] == report["measures"]
    assert analysis["rank_measures"] == report["rank_measures"]
    assert "no bootstrap" in html and "a data frame" in html


def test_to_html_report_of_microdata_and_of_a_table(tmp_path: Path) -> None:
    p, c = lognormal_pairs(500, 0.5, seed=2)
    tm = mobility.transition_matrix(p, c, quantiles=5)
    out = tmp_path / "tm.html"
    assert tm.to_html_report(out, title="My cohort") == out
    html = out.read_text(encoding="utf-8")
    assert "<title>My cohort</title>" in html
    assert 'id="rankrank"' in html  # the data were kept: the full page
    assert command(html) == f"tm.to_html_report({str(out)!r}, title='My cohort')"
    # the same page as mobility.report on the same arrays, apart from the call and the source
    same = mobility.report(p, c, title="My cohort", source="the data passed to mobility.transition_matrix")
    assert without_call(same) == without_call(html)

    us = mobility.published.us_chetty_2014_quintiles()
    html = us.to_html_report(title="US")
    assert "33.7%" in html and 'id="rankrank"' not in html
    cli = cli_report("--published", "us_chetty_2014", "--title", "US")
    assert embedded(cli)["analysis"] == embedded(html)["analysis"]


def test_bad_input_raises() -> None:
    p, c = lognormal_pairs(100, 0.5, seed=1)
    with pytest.raises(mobility.MobilityError, match="classes"):
        mobility.report(p, c, quantiles=1)
    with pytest.raises(TypeError, match="bootstrap"):
        mobility.report(p, c, seed=1)
    with pytest.raises(mobility.MobilityError, match="bins"):
        mobility.report(p, c, bins=1)
    with pytest.raises(mobility.MobilityError, match="rule"):
        mobility.report(p, c, rule="nope")
    df = pd.DataFrame({"a": p, "b": c, "g": ["x"] * 99 + [None]})
    with pytest.raises(mobility.MobilityError, match="missing"):
        mobility.report(df, parent="a", child="b", by="g")
    html = mobility.report(df, parent="a", child="b", by="g", dropna=True)
    assert "1 (missing values)" in html
