"""Optional dependencies: one import helper whose error names the extra to install."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Dict, Optional

#: The extra of python/pyproject.toml ``[project.optional-dependencies]`` that installs each
#: optional top-level module.
EXTRAS: Dict[str, str] = {
    "pandas": "pandas",
    "polars": "polars",
    "matplotlib": "matplotlib",
    "dask": "dask",
    "distributed": "dask",
    "pyarrow": "arrow",
    "pyspark": "spark",
    "tqdm": "progress",
}


def install_hint(module: str) -> str:
    """``pip install "mobility[<extra>]"`` for the top-level package of `module`."""
    root = module.split(".", 1)[0]
    extra = EXTRAS.get(root)
    if extra is None:
        return f"pip install {root}"
    return f'pip install "mobility[{extra}]"'


def require(module: str, feature: Optional[str] = None) -> ModuleType:
    """Imports `module` (e.g. ``"pandas"``, ``"matplotlib.pyplot"``), or raises ImportError
    naming the extra that installs it and the `feature` that needs it (by default the calling
    function, ``"plot()"``).

    >>> require("math").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        root = module.split(".", 1)[0]
        missing = (e.name or root).split(".", 1)[0]
        if missing != root:  # the module is there but one of its own dependencies is not
            raise
        what = feature or f"{sys._getframe(1).f_code.co_name}()"
        raise ImportError(
            f"{what} needs the optional dependency {root}, which is not installed: "
            f"{install_hint(root)}",
            name=root,
        ) from None
