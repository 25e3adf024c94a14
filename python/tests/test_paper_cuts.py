"""Issue 13, items 5 and 7 on the Python side: few-cluster warnings, the BCa note, intervals
in the notebook display, optional dependencies naming their extra, full descriptions, a clean
``dir(mobility)``, the binned rank-rank scatter and labelled heat maps."""

from __future__ import annotations

import csv
import types
import warnings

import numpy as np
import pytest

import mobility
from conftest import SHARED_DATA, lognormal_pairs

FEW_CLUSTERS = "the cluster bootstrap needs many (30 or more)"


# ------------------------------------------------------------------ 1. few clusters
def _clustered(n_clusters: int, n: int = 600, seed: int = 3):
    p, c = lognormal_pairs(n, seed=seed)
    ids = np.array([f"family-{i % n_clusters}" for i in range(n)])
    return p, c, ids


def test_bootstrap_with_few_clusters_warns():
    p, c, ids = _clustered(12)
    tm = mobility.transition_matrix(p, c, quantiles=3, warn=False)
    with pytest.warns(mobility.MobilityWarning, match=r"only 12 clusters") as rec:
        tm.bootstrap(20, seed=1, cluster=ids, rank_measures=False)
    assert any(FEW_CLUSTERS in str(w.message) for w in rec)
    # the warning points at the caller's line, not inside the package
    assert all(w.filename == __file__ for w in rec if FEW_CLUSTERS in str(w.message))


def test_transition_matrix_bootstrap_with_few_clusters_warns():
    pd = pytest.importorskip("pandas")
    p, c, ids = _clustered(8)
    df = pd.DataFrame({"p": p, "c": c, "fam": ids})
    with pytest.warns(mobility.MobilityWarning, match=r"only 8 clusters") as rec:
        mobility.transition_matrix(df, parent="p", child="c", quantiles=3, bootstrap=20,
                                   cluster="fam", warn=False)
    hits = [w for w in rec if FEW_CLUSTERS in str(w.message)]
    assert len(hits) == 1 and hits[0].filename == __file__


def test_bootstrap_difference_with_few_clusters_warns():
    p, c, ids = _clustered(5)
    a = {"parent": p, "child": c, "cluster": ids}
    with pytest.warns(mobility.MobilityWarning, match=r"only 5 clusters in group a"):
        mobility.bootstrap_difference(a, (p, c), quantiles=3, replicates=10,
                                      statistics="measures")


def test_thirty_clusters_do_not_warn():
    p, c, ids = _clustered(30)
    tm = mobility.transition_matrix(p, c, quantiles=3, warn=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", mobility.MobilityWarning)
        tm.bootstrap(10, seed=1, cluster=ids, rank_measures=False)


# ------------------------------------------------------------------ 2. BCa excludes the estimate
def _galton():
    path = SHARED_DATA / "rdatasets" / "galton_families.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    with path.open() as f:
        rows = list(csv.DictReader(f))
    parent = np.array([float(r["midparentHeight"]) for r in rows])
    child = np.array([float(r["childHeight"]) for r in rows])
    family = np.array([r["family"] for r in rows])
    return parent, child, family


@pytest.mark.validation
def test_galton_bca_excluding_the_estimate_has_a_note():
    """GaltonFamilies (934 children, 205 families), quintiles of mid-parent and child height:
    the issue's determinant_shorrocks 0.9692 with a BCa interval above it. Wherever a
    statistic's BCa interval misses its estimate, the result says so."""
    parent, child, _ = _galton()
    tm = mobility.transition_matrix(parent, child, quantiles=5, warn=False)
    assert tm.measures()["determinant_shorrocks"] == pytest.approx(0.9692, abs=5e-5)
    boot = tm.bootstrap(1000, seed=1, statistics="measures", rank_measures=False)
    s = boot["determinant_shorrocks"]
    assert s["bca"] is not None and not (s["bca"]["low"] <= s["estimate"] <= s["bca"]["high"])
    assert s["note"] is not None and "interval" in s["note"]
    flagged = 0
    for name in boot:
        s = boot[name]
        if s["estimate"] is None or s["bca"] is None:
            continue
        if not (s["bca"]["low"] <= s["estimate"] <= s["bca"]["high"]):
            flagged += 1
            assert s["note"], name
    assert flagged >= 1
    frame = boot.to_frame("measure").set_index("statistic")
    assert frame.loc["determinant_shorrocks", "note"]
    # the report (the CLI's --json) carries the note too, only where there is one
    inference = tm.report()["inference"]
    assert "percentile and BCa" in inference["determinant_shorrocks"]["note"]
    assert "note" not in inference["shorrocks_trace"]


def test_every_interval_missing_its_estimate_has_the_matching_note():
    """Over every statistic (measures, cells, per-class entries) of a small sample: an estimate
    outside the percentile interval gets the "outside its bootstrap interval" note, one inside
    it but outside the BCa interval the core's BCa note (constructed case in
    src/inference/mod.rs, a_bca_interval_excluding_the_estimate_is_flagged)."""
    p, c = lognormal_pairs(400, seed=12)
    tm = mobility.transition_matrix(p, c, quantiles=5, warn=False)
    boot = tm.bootstrap(300, seed=3, rank_measures=False)
    for name in boot:
        s = boot[name]
        if s["estimate"] is None or s["bca"] is None or s["percentile"] is None:
            continue
        in_pct = s["percentile"]["low"] <= s["estimate"] <= s["percentile"]["high"]
        in_bca = s["bca"]["low"] <= s["estimate"] <= s["bca"]["high"]
        if in_pct and not in_bca:
            assert s["note"].startswith("the BCa interval excludes the estimate"), name
        elif not in_pct:
            assert "outside its bootstrap interval" in s["note"], name


# ------------------------------------------------------------------ 3. notebook display
def test_repr_html_of_a_bootstrapped_matrix_shows_intervals():
    p, c = lognormal_pairs(800, seed=5)
    tm = mobility.transition_matrix(p, c, quantiles=4, warn=False)
    plain = tm._repr_html_()
    assert " .. " not in plain
    boot = tm.bootstrap(50, seed=2, rank_measures=False)
    html = tm._repr_html_()
    assert "50 bootstrap replicates" in html and "95% BCa" in html
    for name in mobility._display.HEADLINE:
        s = boot[name]
        if s["se"] is None:
            continue
        assert f"{s['se']:.3f}" in html, name
        assert f"{s['ci_low']:.3f} .. {s['ci_high']:.3f}" in html, name
    # a bootstrap with other origin weights does not describe the values shown
    tm.bootstrap(20, seed=2, pi="uniform", rank_measures=False)
    assert " .. " not in tm._repr_html_()


# ------------------------------------------------------------------ 4. optional dependencies
@pytest.fixture
def without(monkeypatch):
    """Makes the named top-level modules fail to import, as if not installed (a None entry in
    ``sys.modules`` stops an import with ModuleNotFoundError)."""
    import sys

    def hide(*names: str) -> None:
        for mod in list(sys.modules):
            if mod.split(".", 1)[0] in names:
                monkeypatch.delitem(sys.modules, mod)
        for name in names:
            monkeypatch.setitem(sys.modules, name, None)

    return hide


@pytest.mark.parametrize(
    "missing, extra, call",
    [
        ("pandas", "pandas", lambda tm: tm.summary()),
        ("pandas", "pandas", lambda tm: tm.to_frame()),
        ("pandas", "pandas", lambda tm: tm.rank_mobility().to_frame()),
        ("matplotlib", "matplotlib", lambda tm: tm.plot()),
        ("matplotlib", "matplotlib", lambda tm: mobility.plot_rank_rank(*tm._data[:2])),
        ("tqdm", "progress", lambda tm: mobility._stream.progress_callback(True)),
    ],
)
def test_a_missing_optional_dependency_names_its_extra(without, missing, extra, call):
    p, c = lognormal_pairs(300, seed=2)
    tm = mobility.transition_matrix(p, c, quantiles=3, warn=False)
    without(missing)
    with pytest.raises(ImportError) as info:
        call(tm)
    assert type(info.value) is ImportError  # not the bare ModuleNotFoundError
    message = str(info.value)
    assert f'pip install "mobility[{extra}]"' in message and missing in message
    assert "()" in message or "progress=True" in message  # what needed it


def test_every_optional_import_goes_through_the_helper():
    """No plain ``import pandas`` / ``matplotlib`` / ``pyarrow`` / ``tqdm`` at run time in the
    package without ``require`` before it (typing-only imports and imports of an object's own
    module excepted)."""
    from pathlib import Path

    root = Path(mobility.__file__).parent
    for path in root.glob("*.py"):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            s = line.strip()
            if not s.startswith(("import pandas", "import matplotlib", "import tqdm",
                                 "from tqdm", "import pyarrow.dataset")):
                continue
            if "# the object" in line or any("TYPE_CHECKING" in x for x in lines[max(0, i - 3):i]):
                continue  # typing only, or the input's own module (already imported)
            previous = [x.strip() for x in lines[max(0, i - 2):i]]
            assert any(x.startswith("require(") for x in previous), f"{path.name}:{i + 1}"


def test_optional_extras_exist_in_pyproject():
    from pathlib import Path

    from mobility._optional import EXTRAS

    text = (Path(mobility.__file__).parents[1] / "pyproject.toml").read_text()
    block = text[text.index("[project.optional-dependencies]"):text.index("[tool.maturin]")]
    for extra in set(EXTRAS.values()):
        assert f"\n{extra} = [" in block, extra


# ------------------------------------------------------------------ 5. full descriptions
def test_summary_descriptions_are_full_text():
    pd = pytest.importorskip("pandas")
    p, c = lognormal_pairs(500, seed=4)
    frame = mobility.transition_matrix(p, c, quantiles=5, warn=False).summary()
    assert list(frame["description"]) == [mobility.MEASURES[m] for m in frame["measure"]]
    assert max(len(d) for d in frame["description"]) > 50
    assert not any(d.endswith("...") for d in frame["description"])
    with pd.option_context("display.max_colwidth", None):
        assert mobility.MEASURES["determinant_shorrocks"] in frame.to_string()


# ------------------------------------------------------------------ 6. dir(mobility)
def test_dir_mobility_is_the_public_api():
    for name in dir(mobility):
        if name.startswith("_"):
            continue
        obj = getattr(mobility, name)
        is_submodule = isinstance(obj, types.ModuleType) and obj.__name__.startswith("mobility.")
        assert name in mobility.__all__ or is_submodule, name
    for name in ("Any", "Optional", "Tuple", "List", "np", "annotations", "FloatArray"):
        assert name not in dir(mobility), name
    for name in mobility.__all__:
        assert hasattr(mobility, name), name
    assert len(set(mobility.__all__)) == len(mobility.__all__)


@pytest.mark.parametrize("module", ["groups", "inference", "levelling", "markov", "measures",
                                    "rankbased", "ranking", "published"])
def test_submodule_all_names_only_their_own_public_api(module):
    mod = getattr(mobility, module)
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        assert not isinstance(obj, types.ModuleType), f"{module}.{name}"
        assert not name.startswith("_"), f"{module}.{name}"
        home = getattr(obj, "__module__", None)
        assert home is None or home.startswith("mobility"), f"{module}.{name} from {home}"


# ------------------------------------------------------------------ 7. binned rank-rank scatter
def test_binned_rank_means_by_hand():
    # 8 pairs, 4 bins: parents ranked 1/16, 3/16, ..., 15/16 -> two per bin
    parent = np.arange(8.0)
    child = np.array([1.0, 0.0, 3.0, 2.0, 5.0, 4.0, 7.0, 6.0])
    b = mobility.binned_rank_means(parent, child, bins=4)
    assert b.bins == 4 and b.n == 8 and len(b.rows) == 4
    ranks = (np.arange(8) + 0.5) / 8 * 100
    for r in b.rows:
        i = 2 * (r.bin - 1)
        assert r.units == 2 and r.weight == 2.0
        assert r.mean_parent_rank == pytest.approx(ranks[i:i + 2].mean())
        assert r.mean_child_rank == pytest.approx(ranks[i:i + 2].mean())  # swaps within a bin
        assert (r.parent_rank_low, r.parent_rank_high) == (25.0 * (r.bin - 1), 25.0 * r.bin)
    rc = (np.argsort(np.argsort(child)) + 0.5) / 8
    rp = (np.arange(8) + 0.5) / 8
    slope = np.cov(rp, rc, bias=True)[0, 1] / np.var(rp)
    assert b.slope == pytest.approx(slope, abs=1e-12)
    assert b.intercept == pytest.approx(100 * (rc.mean() - slope * rp.mean()), abs=1e-9)


def test_binned_slope_is_the_rank_rank_slope_and_frames_work():
    pd = pytest.importorskip("pandas")
    p, c = lognormal_pairs(3000, rho=0.4, seed=8)
    w = np.random.default_rng(2).uniform(0.5, 2.0, p.size)
    df = pd.DataFrame({"pi": p, "ci": c, "w": w})
    b = mobility.binned_rank_means(df, parent="pi", child="ci", weights="w", bins=20)
    r = mobility.rank_mobility(df, parent="pi", child="ci", weights="w")
    assert b.slope == pytest.approx(r.rank_rank_slope, abs=1e-12)
    assert b.total_weight == pytest.approx(w.sum())
    frame = b.to_frame()
    assert list(frame["bin"]) == list(range(1, 21))
    assert frame["weight"].sum() == pytest.approx(w.sum())
    with pytest.raises(mobility.MobilityError):
        mobility.binned_rank_means(p, c, bins=1)


def test_plot_rank_rank_draws_bins_line_and_slope():
    pd = pytest.importorskip("pandas")
    import matplotlib.pyplot as plt

    p, c = lognormal_pairs(2000, rho=0.5, seed=9)
    df = pd.DataFrame({"parent_income": p, "child_income": c})
    ax = mobility.plot_rank_rank(df, parent="parent_income", child="child_income")
    b = mobility.binned_rank_means(p, c, bins=20)
    points = ax.collections[0].get_offsets()
    assert points.shape == (20, 2)
    np.testing.assert_allclose(points[:, 1], [r.mean_child_rank for r in b.rows])
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_ydata(), [b.intercept, b.intercept + 100 * b.slope])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(f"slope = {b.slope:.3f}" in t for t in legend)
    assert "parent_income -> child_income" in ax.get_title() and "n = 2,000" in ax.get_title()
    assert ax.get_xlabel().startswith("parent rank")
    fig, ax2 = plt.subplots()
    assert mobility.plot_rank_rank(p, c, bins=100, ax=ax2) is ax2
    assert ax2.collections[0].get_offsets().shape == (100, 2)
    plt.close("all")


# ------------------------------------------------------------------ 8. heat map labels
def test_heat_map_has_a_labelled_colour_bar_and_a_title_with_name_and_n():
    pd = pytest.importorskip("pandas")
    import matplotlib.pyplot as plt

    p, c = lognormal_pairs(1234, seed=6)
    df = pd.DataFrame({"father": p, "son": c})
    tm = mobility.transition_matrix(df, parent="father", child="son", quantiles=4, warn=False)
    assert tm.name == "father -> son"
    ax = tm.plot()
    colourbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert colourbar_axes[0].get_ylabel() == "share of the parent class"
    assert ax.get_title() == "father -> son: P(child class | parent class), n = 1,234"
    tm.name = "NLSY wages"
    assert tm.plot().get_title().startswith("NLSY wages: ")
    assert mobility.published.by_name("us_chetty_2014").plot().get_title().startswith(
        "us_chetty_2014: P(child class")
    plt.close("all")


def test_empty_classes_are_drawn_empty_not_zero():
    import matplotlib.pyplot as plt

    # heavy ties at zero: under midrank every zero parent sits in Q2, Q1 is empty
    rng = np.random.default_rng(4)
    parent = np.where(rng.uniform(size=1000) < 0.6, 0.0, rng.lognormal(10, 1, 1000))
    child = rng.lognormal(10, 1, 1000)
    tm = mobility.transition_matrix(parent, child, quantiles=4, warn=False)
    assert tm.empty_rows() == [0]
    ax = tm.plot()
    texts = [(t.get_position(), t.get_text()) for t in ax.texts]
    first_row = [s for (x, y), s in texts if y == 0]
    assert first_row == ["empty"] * 4
    assert "0.00" not in first_row
    image = ax.images[0]
    data = image.get_array()
    assert np.ma.is_masked(data) and data.mask[0].all() and not data.mask[1:].any()
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 4
    plt.close("all")
