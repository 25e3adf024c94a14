"""mobility streaming against DuckDB and polars on the same file, in one run (issue 10, item 7).

Every method goes from a cold process to the decile transition matrix (counts) of the same
10^7-row ``parent,child,weight`` file (CSV, then Parquet), each in its own process under
``/usr/bin/time -v`` (wall time and peak RSS of the whole process, interpreter included):

  mobility   mobility.transition_matrix(path, parent=, child=, quantiles=10) + .measures()
             (the Rust streaming pipeline: parallel mmap CSV / Parquet reader, exact cut-offs)
  duckdb     read_csv / read_parquet, quantile_disc cut-offs (deciles), class = number of cut-offs
             below, count(*) group by both classes
  polars     read_csv / read_parquet, qcut(10) of both columns, group_by().len()
  reader     polars' reader alone (the floor for any tool reading the file)

The data (mobility.simulate, rho = 0.5, weights in [0.5, 1.5)) is written once to
``target/compare-files/``. ``--weighted`` adds the weighted mobility run; ``--rows`` changes N
(``--rows 100000000`` for the 10^8 Parquet measurement, ``--formats parquet``).

    .venv/bin/python benches/compare_files.py [--rows 10000000] [--repeat 2]

Needs ``duckdb`` and ``polars`` (``pip install duckdb polars``) besides mobility.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPTS = {
    "mobility": """
        import mobility, sys
        tm = mobility.transition_matrix(sys.argv[1], parent="parent", child="child", quantiles=10)
        m = tm.measures()
        print(int(tm.n), m["shorrocks_trace"])
    """,
    "mobility-weighted": """
        import mobility, sys
        tm = mobility.transition_matrix(sys.argv[1], parent="parent", child="child",
                                        weights="weight", quantiles=10)
        print(tm.n, tm.measures()["shorrocks_trace"])
    """,
    "duckdb": """
        import duckdb, sys
        path = sys.argv[1]
        reader = "read_parquet" if path.endswith(".parquet") else "read_csv"
        qs = ", ".join(str(i / 10) for i in range(1, 10))
        con = duckdb.connect()
        con.execute(f"create temp table t as select parent, child from {reader}('{path}')")
        cp, cc = con.execute(
            f"select quantile_disc(parent, [{qs}]), quantile_disc(child, [{qs}]) from t"
        ).fetchone()
        cls = lambda col, cuts: " + ".join(f"({col} > {c})::int" for c in cuts)
        rows = con.execute(
            f"select {cls('parent', cp)} as i, {cls('child', cc)} as j, count(*) from t "
            "group by i, j"
        ).fetchall()
        print(sum(r[2] for r in rows), len(rows))
    """,
    "polars": """
        import polars as pl, sys
        path = sys.argv[1]
        df = (pl.read_parquet(path, columns=["parent", "child"]) if path.endswith(".parquet")
              else pl.read_csv(path, columns=["parent", "child"]))
        labels = [str(i) for i in range(10)]
        out = (df.select(pl.col("parent").qcut(10, labels=labels).alias("i"),
                         pl.col("child").qcut(10, labels=labels).alias("j"))
                 .group_by("i", "j").len())
        print(out["len"].sum(), out.height)
    """,
    "reader": """
        import polars as pl, sys
        path = sys.argv[1]
        df = (pl.read_parquet(path, columns=["parent", "child"]) if path.endswith(".parquet")
              else pl.read_csv(path, columns=["parent", "child"]))
        print(df.height)
    """,
}


def make_files(rows: int, formats) -> dict:
    import numpy as np
    import polars as pl

    import mobility

    d = ROOT / "target" / "compare-files"
    d.mkdir(parents=True, exist_ok=True)
    out = {f: d / f"pairs_{rows}.{f}" for f in formats}
    if all(p.exists() for p in out.values()):
        return out
    frames = []
    chunk = 10_000_000
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        sim = mobility.simulate(n, rho=0.5, seed=42 + start)
        p, c = sim["parent"], sim["child"]
        w = 0.5 + np.modf(np.arange(start, start + n) * 0.6180339887)[0]
        frames.append(pl.DataFrame({"parent": p, "child": c, "weight": w}))
    df = pl.concat(frames)
    if "csv" in out and not out["csv"].exists():
        df.write_csv(out["csv"])
    if "parquet" in out and not out["parquet"].exists():
        df.write_parquet(out["parquet"], compression="snappy", row_group_size=1 << 20)
    return out


def run(script: str, path: Path):
    code = textwrap.dedent(SCRIPTS[script])
    proc = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    h, m, s = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return seconds, rss / 1024.0, proc.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--formats", default="csv,parquet")
    ap.add_argument("--weighted", action="store_true")
    ap.add_argument("--methods", default="mobility,duckdb,polars,reader")
    args = ap.parse_args()
    formats = args.formats.split(",")
    files = make_files(args.rows, formats)
    methods = args.methods.split(",")
    if args.weighted:
        methods.insert(1, "mobility-weighted")
    print(f"{args.rows:,} rows, deciles, best of {args.repeat} (wall s, peak RSS MB)")
    print(f"{'format':8} {'method':18} {'time s':>8} {'RSS MB':>8}  output")
    for fmt in formats:
        path = files[fmt]
        size = os.path.getsize(path) / 1e6
        print(f"-- {path.name} ({size:.0f} MB)")
        for method in methods:
            runs = [run(method, path) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r[0])
            print(f"{fmt:8} {method:18} {best[0]:8.2f} {max(r[1] for r in runs):8.0f}  {best[2]}")


if __name__ == "__main__":
    main()
