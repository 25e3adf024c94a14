"""Published transition matrices, built in (origin/parent in rows, classes from the bottom).

=====================  ======================================================================
``us_chetty_2014()``   US national quintiles, Chetty, Hendren, Kline & Saez (2014), QJE 129(4),
                       from Online Data Table 1 (1980-82 cohorts); P(Q1->Q1) 33.7%, P(Q1->Q5) 7.5%
``uk_blanden_2005()``  UK quartiles, Blanden, Gregg & Machin (2005), 1970 British Cohort Study
                       (rows renormalised; ``uk_blanden_2005_printed()`` is the printed table)
``giddy_us_states()``  US states' income quintiles 1929-2009, counts from the PySAL giddy docs
``altham_ferrie_2007()`` Altham & Ferrie (2007) Table 1 counts (4 x 4 occupations)
=====================  ======================================================================

Each also exists under the Rust function's name (``us_chetty_2014_quintiles()``, ...).
"""

from __future__ import annotations

from typing import List

import numpy as np

from . import _mobility as _m
from ._matrix import TransitionMatrix

__all__ = [
    "NAMES",
    "by_name",
    "us_chetty_2014",
    "uk_blanden_2005",
    "giddy_us_states",
    "altham_ferrie_2007",
    "us_chetty_2014_quintiles",
    "uk_blanden_2005_quartiles",
    "giddy_us_states_quintiles",
    "altham_ferrie_2007_table1",
    "uk_blanden_2005_printed",
]

#: The short names :func:`by_name` knows.
NAMES: List[str] = list(_m.published_names())


def by_name(name: str) -> TransitionMatrix:
    """A built-in table by its short name (one of :data:`NAMES`)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, not {type(name).__name__}")
    tm = TransitionMatrix(_m.published_table(name))
    tm.name = name
    return tm


def us_chetty_2014_quintiles() -> TransitionMatrix:
    """US national quintile matrix, Chetty, Hendren, Kline & Saez (2014), "Where is the Land of
    Opportunity?", QJE 129(4), aggregated from Online Data Table 1; parent shares 1/5."""
    return by_name("us_chetty_2014")


def uk_blanden_2005_quartiles() -> TransitionMatrix:
    """UK quartile matrix, Blanden, Gregg & Machin (2005), father's income by son's earnings at
    30 (1970 BCS), rows renormalised from the 2-decimal printed table."""
    return by_name("uk_blanden_2005")


def giddy_us_states_quintiles() -> TransitionMatrix:
    """US states' per-capita income quintiles, one-year transitions 1929-2009 (48 states; the
    counts printed in the PySAL giddy documentation; n = 3840)."""
    return by_name("giddy_us_states")


def altham_ferrie_2007_table1() -> TransitionMatrix:
    """Altham & Ferrie (2007), Historical Methods 40(1), Table 1 counts (4 x 4)."""
    return by_name("altham_ferrie_2007")


def uk_blanden_2005_printed() -> np.ndarray:
    """The Blanden, Gregg & Machin (2005) quartile table exactly as printed (rows off by 0.01)."""
    return _m.uk_blanden_2005_printed()


us_chetty_2014 = us_chetty_2014_quintiles
uk_blanden_2005 = uk_blanden_2005_quartiles
giddy_us_states = giddy_us_states_quintiles
altham_ferrie_2007 = altham_ferrie_2007_table1
