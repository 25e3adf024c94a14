"""The README's table "Names across Rust, CLI and Python" names things that exist: every CLI
option is in its command's ``--help``, every Python keyword is a parameter of each function it
lists, every Rust ``Type::item`` is declared in the crate (the type, and the item in its file)."""

from __future__ import annotations

import inspect
import re
import subprocess
from functools import lru_cache
from typing import Any, List, Tuple

import pytest

import mobility
from conftest import REPO

COMMANDS = ("analyze", "table", "published", "places")


def table_rows() -> List[Tuple[str, str, str, str]]:
    text = (REPO / "README.md").read_text()
    start = text.index("### Names across Rust, CLI and Python")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        if not line.startswith("| ") or line.startswith("| idea") or line.startswith("| ---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 4, line
        rows.append((cells[0], cells[1], cells[2], cells[3]))
    return rows


ROWS = table_rows()


@lru_cache(maxsize=None)
def cli_help() -> str:
    out = []
    for cmd in COMMANDS:
        r = subprocess.run(
            ["cargo", "run", "--quiet", "--bin", "mobility", "--", cmd, "--help"],
            cwd=REPO, capture_output=True, text=True, check=False,
        )
        assert r.returncode == 0, r.stderr
        out.append(r.stdout)
    return "\n".join(out)


def resolve(path: str) -> Any:
    obj: Any = mobility
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def python_uses(cell: str) -> List[Tuple[str, str]]:
    """(keyword, function) pairs of a Python cell: ``name=`` (f, g) pairs every name with f, g."""
    pairs = []
    for m in re.finditer(r"`(\w+)=`(?:\s*\(([^)]*)\))?", cell):
        name, funcs = m.group(1), m.group(2)
        assert funcs, f"{name}= lists no function in {cell!r}"
        pairs.extend((name, f.strip()) for f in funcs.split(","))
    return pairs


def test_the_table_is_there_and_complete():
    ideas = [r[0] for r in ROWS]
    assert len(ideas) >= 18
    for word in ("classes", "tie rule", "origin weights", "clusters", "missing", "seed",
                 "replicates", "interval", "level", "reference", "bounds", "group", "measure"):
        assert any(word in idea for idea in ideas), word


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_python_keywords_exist(row):
    for name, func in python_uses(row[3]):
        params = inspect.signature(resolve(func)).parameters
        assert name in params, f"{func} has no parameter {name!r} (README names table)"


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_cli_options_exist(row):
    for option in re.findall(r"`(--[a-z-]+)`", row[2]):
        assert re.search(rf"(^|\s){re.escape(option)}\b", cli_help(), re.M), option


@lru_cache(maxsize=None)
def rust_sources() -> List[Tuple[str, str]]:
    return [(str(p), p.read_text()) for p in (REPO / "src").rglob("*.rs")]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_rust_names_exist(row):
    for m in re.finditer(r"\b([A-Z]\w+|[a-z_]+)::(\w+)", row[1]):
        owner, item = m.groups()
        if owner == "mobility":  # a module of the crate
            lib = (REPO / "src" / "lib.rs").read_text()
            assert re.search(rf"pub mod {item}\b", lib), m.group(0)
            continue
        if not owner[0].isupper():  # a function of a module
            files = [t for p, t in rust_sources() if p.endswith(f"/{owner}.rs")]
            assert any(re.search(rf"pub fn {item}\b", t) for t in files), m.group(0)
            continue
        decl = re.compile(rf"pub (struct|enum) {owner}\b")
        files = [t for _, t in rust_sources() if decl.search(t)]
        assert files, f"no pub struct/enum {owner}"
        assert any(re.search(rf"\b{item}\b", t) for t in files), m.group(0)
    for name in re.findall(r"`([A-Z]\w+)`", row[1]):
        declared = rf"pub (struct|enum|trait) {name}\b|^\s*impl {name}\b"
        assert any(re.search(declared, t, re.M) for _, t in rust_sources()), name


def test_specification_links_resolve():
    """Comments, rustdoc, docstrings and the READMEs cite the specification in the repository,
    ``docs/FORMULAS.md#anchor``, and every anchor they cite exists; nothing points at files
    outside the repository (the data in ../shared/data aside)."""
    spec = (REPO / "docs" / "FORMULAS.md").read_text()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', spec))
    assert "reference-figures" in anchors and "notation" in anchors
    roots = [REPO / "src", REPO / "tests", REPO / "python" / "mobility", REPO / "python" / "src",
             REPO / "python" / "tests", REPO / "examples", REPO / "benches"]
    files = [
        p for root in roots for p in root.rglob("*")
        if p.suffix in (".rs", ".py", ".pyi") and p.name != "test_names.py"
    ]
    files += [REPO / "README.md", REPO / "python" / "README.md"]
    cited = 0
    for path in files:
        text = path.read_text()
        for anchor in re.findall(r"docs/FORMULAS\.md#([A-Za-z0-9_-]+)", text):
            assert anchor in anchors, f"{path.name}: docs/FORMULAS.md#{anchor} is not an anchor"
            cited += 1
        bare = re.findall(r"(?<!docs/)\bFORMULAS\.md|vectors\.json|\.\./shared/(?!data)", text)
        assert not bare, f"{path.name} cites {bare[0]} outside the repository"
    assert cited >= 20
