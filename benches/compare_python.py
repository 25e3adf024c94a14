"""Time mobility against numpy, pandas and giddy on the same simulated data (Python).

For each N (default 10^6 and 10^7) and deciles, every method goes from two float64 arrays of
parent and child incomes to the decile transition matrix plus its summary measures:

  mobility   mobility.transition_matrix(p, c, quantiles=10) + .measures()
  numpy      np.quantile cut-offs + np.searchsorted + np.bincount, then the measures in numpy
  pandas     pd.qcut + pd.crosstab(normalize="index"), then the measures in numpy
  giddy      mapclassify.Quantiles classes + giddy.markov.Markov + giddy.mobility.markov_mobility

Then the bootstrap (issue 4): mobility's B = 1,000 replicates of every decile measure, cell and
per-class entry at N = 10^6, cut-offs and classes re-estimated in every replicate
(``tm.bootstrap(1000)``), against a naive numpy bootstrap (resample indices, np.quantile,
searchsorted, bincount, the measures) timed on a few replicates and extrapolated to B = 1,000
(``--bootstrap-n``, ``--bootstrap-b``, ``--naive-replicates``; ``--bootstrap-n 0`` skips it).

Each method runs in its own subprocess on the same seeded data (mobility.simulate, rho = 0.5),
so its peak memory can be measured alone: the resident-set high-water mark is reset after the
data exist (/proc/self/clear_refs) and read after the runs, giving the working memory the method
needed on top of the input (tracemalloc is the fallback where clear_refs is unavailable; it sees
only Python allocations). Times are the best of --repeat runs, wall clock, including the Python
call. Run with the release build (`make develop` builds it):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benches/compare_python.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Callable, Dict

import numpy as np

K = 10


def measures_numpy(counts: np.ndarray) -> Dict[str, float]:
    """The headline measures from a count matrix, in numpy (what a numpy user would write)."""
    k = counts.shape[0]
    p = counts / counts.sum(axis=1, keepdims=True)
    ev = np.linalg.eigvals(p)
    mods = np.sort(np.abs(ev))[::-1]
    pi = counts.sum(axis=1) / counts.sum()
    i, j = np.indices((k, k))
    return {
        "shorrocks_trace": (k - np.trace(p)) / (k - 1),
        "determinant_shorrocks": 1 - abs(np.linalg.det(p)) ** (1 / (k - 1)),
        "second_eigenvalue": 1 - mods[1],
        "bartholomew": float((pi[:, None] * p * np.abs(i - j)).sum() / (k - 1)),
        "bottom_persistence": p[0, 0],
        "top_persistence": p[-1, -1],
    }


def run_mobility(p: np.ndarray, c: np.ndarray):
    import mobility

    tm = mobility.transition_matrix(p, c, quantiles=K)
    return tm.counts, tm.measures()


def run_numpy(p: np.ndarray, c: np.ndarray):
    qs = np.arange(1, K) / K
    cp = np.searchsorted(np.quantile(p, qs), p, side="right")
    cc = np.searchsorted(np.quantile(c, qs), c, side="right")
    counts = np.bincount(cp * K + cc, minlength=K * K).reshape(K, K).astype(float)
    return counts, measures_numpy(counts)


def run_pandas(p: np.ndarray, c: np.ndarray):
    import pandas as pd

    cp = pd.qcut(p, K, labels=False)
    cc = pd.qcut(c, K, labels=False)
    table = pd.crosstab(cp, cc)
    counts = table.to_numpy(dtype=float)
    return counts, measures_numpy(counts)


def run_giddy(p: np.ndarray, c: np.ndarray):
    import warnings

    import giddy.markov
    import giddy.mobility
    import mapclassify

    yb = np.column_stack([mapclassify.Quantiles(p, k=K).yb, mapclassify.Quantiles(c, k=K).yb])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = giddy.markov.Markov(yb, classes=np.arange(K), summary=False)
    pm = np.asarray(m.p)
    out = {name: giddy.mobility.markov_mobility(pm, measure=name) for name in ("P", "D", "L2", "B2")}
    return np.asarray(m.transitions, dtype=float), out


METHODS: Dict[str, Callable] = {
    "mobility": run_mobility,
    "numpy": run_numpy,
    "pandas": run_pandas,
    "giddy": run_giddy,
}


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def child(method: str, n: int, repeat: int) -> None:
    """One method in this process: print a JSON line with times and peak extra memory."""
    import mobility

    sim = mobility.simulate(n, 0.5, seed=1)
    p, c = sim["parent"], sim["child"]
    fn = METHODS[method]
    fn(p[:1000].copy(), c[:1000].copy())  # imports and warm-up outside the measurement
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the high-water mark of the resident set
        base = _status_kib("VmRSS")
        tracer = None
    except OSError:
        import tracemalloc

        tracemalloc.start()
        tracer = tracemalloc
        base = 0
    times = []
    counts = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        counts, _ = fn(p, c)
        times.append(time.perf_counter() - t0)
    if tracer is None:
        peak_mib = max(0, _status_kib("VmHWM") - base) / 1024
        how = "rss"
    else:
        peak_mib = tracer.get_traced_memory()[1] / 2**20
        how = "tracemalloc"
    print(
        json.dumps(
            {
                "method": method,
                "n": n,
                "best_s": min(times),
                "times": times,
                "peak_mib": peak_mib,
                "memory": how,
                "total": float(np.asarray(counts).sum()),
                "diag": np.diag(np.asarray(counts)).tolist(),
            }
        )
    )


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info

        return "; ".join(
            f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
            f"threads={i.get('num_threads')}"
            for i in threadpool_info()
        )
    except Exception as e:  # pragma: no cover
        return f"threadpoolctl unavailable ({e})"


def bootstrap_timing(n: int, b: int, naive_reps: int) -> None:
    """mobility's bootstrap against a naive numpy one (extrapolated from a few replicates)."""
    import mobility

    sim = mobility.simulate(n, 0.5, seed=1)
    p, c = sim["parent"], sim["child"]
    tm = mobility.transition_matrix(p, c, quantiles=K)
    tm.bootstrap(10, seed=0)  # warm-up (thread pool)
    t0 = time.perf_counter()
    result = tm.bootstrap(b, seed=1)
    t_mobility = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    for _ in range(naive_reps):
        idx = rng.integers(0, n, n)
        run_numpy(p[idx], c[idx])
    per_rep = (time.perf_counter() - t0) / naive_reps
    print(f"Bootstrap, N = {n:,}, deciles, B = {b:,} (every measure, cell and per-class entry, "
          f"cut-offs re-estimated in each replicate)")
    print(f"  mobility  {t_mobility:>8.2f} s   ({len(result)} statistics, BCa and percentile)")
    print(f"  numpy     {per_rep * b:>8.1f} s   (naive: {per_rep:.3f} s a replicate x {b:,}, "
          f"from {naive_reps} replicates; 6 measures only)")
    print(f"  speed-up  {per_rep * b / t_mobility:>8.0f}x\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[10**6, 10**7])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bootstrap-n", type=int, default=10**6)
    ap.add_argument("--bootstrap-b", type=int, default=1000)
    ap.add_argument("--naive-replicates", type=int, default=3)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    import mobility

    import numpy

    print(f"mobility {mobility.__version__}, numpy {numpy.__version__}, Python {sys.version.split()[0]}")
    print(f"BLAS: {blas_info()}")
    print(
        "OPENBLAS_CORETYPE="
        + os.environ.get("OPENBLAS_CORETYPE", "(unset)")
        + " OPENBLAS_L2_SIZE="
        + os.environ.get("OPENBLAS_L2_SIZE", "(unset)")
    )
    print(f"deciles (k = {K}); best of {args.repeat} runs; peak = extra resident memory of the run\n")
    for n in args.n:
        rows = []
        for method in args.methods:
            repeat = args.repeat if not (method == "giddy" and n >= 10**7) else 1
            out = subprocess.run(
                [sys.executable, __file__, "--child", method, str(n), str(repeat)],
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                print(f"{method} failed at N = {n}:\n{out.stderr[-2000:]}")
                continue
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        if not rows:
            continue
        ref = next((r for r in rows if r["method"] == "mobility"), rows[0])
        fastest_other = min((r["best_s"] for r in rows if r["method"] != "mobility"), default=None)
        print(f"N = {n:,}")
        print(f"  {'method':<10}{'time (s)':>10}{'x mobility':>12}{'peak MiB':>10}  counts agree")
        for r in rows:
            agree = r["total"] == ref["total"] and r["diag"] == ref["diag"]
            print(
                f"  {r['method']:<10}{r['best_s']:>10.3f}{r['best_s'] / ref['best_s']:>12.1f}"
                f"{r['peak_mib']:>10.0f}  {'yes' if agree else 'no (tie/cut-point rule differs)'}"
            )
        if fastest_other is not None:
            print(f"  speed-up over the fastest other route: {fastest_other / ref['best_s']:.1f}x\n")
    if args.bootstrap_n > 0:
        bootstrap_timing(args.bootstrap_n, args.bootstrap_b, args.naive_replicates)


if __name__ == "__main__":
    main()
