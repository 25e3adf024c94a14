"""Progress of a bootstrap running in the core: the core counts finished replicates on a
``ProgressCounter`` while the GIL is released, and a thread here shows the count.

``progress=`` takes ``None``/``False`` (nothing), ``True`` (a tqdm bar; ``pip install
"mobility[progress]"``) or a callable, called as ``progress(done, total)`` whenever the count
moves (from the polling thread) and once at the end.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

from ._mobility import ProgressCounter
from ._optional import require

_POLL_SECONDS = 0.1


@contextmanager
def replicate_progress(progress: Any, total: int, desc: str) -> Iterator[Optional[ProgressCounter]]:
    """A counter to hand to the core and a display of it (``None`` without ``progress``)."""
    if progress is None or progress is False:
        yield None
        return
    if progress is True:
        require("tqdm", "progress=True")
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=desc, unit="replicate")

        def show(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        close: Callable[[], None] = bar.close
    elif callable(progress):
        show, close = progress, lambda: None
    else:
        raise TypeError(f"progress must be True, False, None or a callable, not {progress!r}")
    counter = ProgressCounter()
    stop = threading.Event()

    def poll() -> None:
        seen = -1
        while not stop.wait(_POLL_SECONDS):
            done = counter.done()
            if done != seen:
                seen = done
                show(done, total)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield counter
    finally:
        stop.set()
        thread.join()
        show(counter.done(), total)
        close()
