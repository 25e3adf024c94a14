"""Dask on a 2-worker LocalCluster against the same Parquet file (issue 10, item 8).

    .venv/bin/python benches/dask_parquet.py target/compare-files/pairs_100000000.parquet

Prints the wall time of ``mobility.dask.transition_matrix`` (deciles, from the file on disk,
``dd.read_parquet`` recomputed per pass), the number of passes, the peak RSS of each worker
process and of the client, and the measures' first figure, so it can be compared with the
CLI's streamed and in-memory runs (benches/compare_files.py) on the same file.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time


def main() -> None:
    path = sys.argv[1]
    import dask.dataframe as dd
    import psutil
    from distributed import Client, LocalCluster

    import mobility
    import mobility.dask

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      memory_limit="4GiB", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        peaks = {pid: 0 for pid in pids}
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                for pid in pids:
                    try:
                        peaks[pid] = max(peaks[pid], psutil.Process(pid).memory_info().rss)
                    except psutil.Error:
                        pass
                time.sleep(0.05)

        t = threading.Thread(target=watch, daemon=True)
        t.start()
        ddf = dd.read_parquet(path, columns=["parent", "child"])
        start = time.perf_counter()
        tm = mobility.dask.transition_matrix(ddf, parent="parent", child="child", quantiles=10)
        wall = time.perf_counter() - start
        stop.set()
        t.join()
        m = tm.measures()
        print(f"dask 2 workers: {wall:.2f} s, n = {int(tm.n)}, partitions = {ddf.npartitions}, "
              f"shorrocks_trace = {m['shorrocks_trace']}")
        for pid in pids:
            print(f"  worker {pid}: peak RSS {peaks[pid] / 2**20:.0f} MB")
        client_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  client: peak RSS {client_mb:.0f} MB")


if __name__ == "__main__":
    main()
