"""Type stubs for the compiled module `mobility._mobility` (thin wrappers over the Rust core).

Arrays are float64 numpy arrays; 1-d inputs must be float64 (the package converts other types).
"""

from typing import Any, Dict, List, Optional, Sequence, Tuple, TypedDict, Union

import numpy as np
import numpy.typing as npt

from ._args import BootstrapOptions, ClassSpec
from ._results import BootstrapSettings

_F64 = npt.NDArray[np.float64]
_Pi = Union[str, Sequence[float], None]
#: Paired status and optional weights, ``(parent, child, weights)`` (``TransitionMatrix._data``).
_Pairs = Tuple[_F64, _F64, Optional[_F64]]
_I64 = npt.NDArray[np.int64]

#: A core result in its serde form (plain dicts, lists, floats, None): the package turns it into
#: its typed record with ``Record.from_value`` (``mobility._results``), which checks the keys.
_Serde = Dict[str, object]

class Spectrum(TypedDict):
    """``TransitionMatrix.spectrum()``."""

    eigenvalues: npt.NDArray[np.complex128]
    abs_eigenvalues: _F64
    steady_state: Optional[_F64]

class ClassProfile(TypedDict):
    """``TransitionMatrix.class_profile()``: one entry per class (None for an empty class)."""

    persistence: List[Optional[float]]
    prais: List[Optional[float]]
    upward: List[Optional[float]]
    downward: List[Optional[float]]
    expected_stay: List[Optional[float]]

class Convergence(TypedDict):
    """``markov.convergence()``."""

    lambda2: complex
    lambda2_modulus: float
    half_life: float
    period_years: Optional[float]
    lambda2_modulus_per_year: Optional[float]
    half_life_years: Optional[float]

class GenerationsToMean(TypedDict):
    """``markov.generations_to_mean()``."""

    generations: int
    beta: float
    ratio: float
    tolerance: float
    initial_log_gap: float
    final_log_gap: float

class RegistryEntry(TypedDict):
    """One entry of ``measure_registry()``."""

    name: str
    title: str
    description: str
    formula: str
    source: str
    needs: List[str]
    scale: str
    family: str

__version__: str

class MobilityError(ValueError):
    """An input the core rejects; `kind` names the error, `details` holds its fields."""

    kind: Optional[str]
    details: Optional[Dict[str, object]]

class Cutoffs:
    """Cut-offs in status units that define `k` classes (`k - 1` cuts, from the bottom)."""

    @staticmethod
    def quantiles(
        values: npt.ArrayLike,
        weights: Optional[npt.ArrayLike] = None,
        k: int = 5,
        rule: str = "midrank",
    ) -> "Cutoffs": ...
    @staticmethod
    def fixed(bounds: Sequence[float], closed: str = "left") -> "Cutoffs": ...
    @staticmethod
    def from_json(s: str) -> "Cutoffs": ...
    @property
    def k(self) -> int: ...
    @property
    def values(self) -> _F64: ...
    @property
    def inclusive(self) -> List[bool]: ...
    @property
    def source(self) -> str: ...
    def class_of(self, x: float) -> int: ...
    def classify(self, values: npt.ArrayLike) -> _I64: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

class TransitionMatrix:
    """The compiled matrix; the package wraps it in `mobility.TransitionMatrix`."""

    @staticmethod
    def from_status(data: _Pairs, classes: ClassSpec) -> "TransitionMatrix": ...
    @staticmethod
    def from_classes(
        parent: _I64,
        child: _I64,
        k: int,
        weights: Optional[_F64] = None,
    ) -> "TransitionMatrix": ...
    @staticmethod
    def from_counts(table: _F64) -> "TransitionMatrix": ...
    @staticmethod
    def from_probabilities(
        table: _F64,
        parent_shares: Optional[Sequence[float]] = None,
        renormalise: bool = False,
        child_in_rows: bool = False,
        tolerance: float = 1e-6,
    ) -> "TransitionMatrix": ...
    @staticmethod
    def from_json(s: str) -> "TransitionMatrix": ...
    def to_json(self) -> str: ...
    @property
    def k(self) -> int: ...
    @property
    def n(self) -> Optional[float]: ...
    @property
    def counts(self) -> Optional[_F64]: ...
    @property
    def probabilities(self) -> _F64: ...
    @property
    def parent_shares(self) -> _F64: ...
    @property
    def child_shares(self) -> _F64: ...
    @property
    def parent_cutoffs(self) -> Optional[Cutoffs]: ...
    @property
    def child_cutoffs(self) -> Optional[Cutoffs]: ...
    @property
    def labels(self) -> List[str]: ...
    def empty_rows(self) -> List[int]: ...
    def empty_columns(self) -> List[int]: ...
    def is_stochastic(self) -> bool: ...
    def joint(self) -> _F64: ...
    def inflow(self) -> _F64: ...
    def origin_weights(self, pi: _Pi = None) -> _F64: ...
    def measures(self, pi: _Pi = None) -> Dict[str, Optional[float]]: ...
    def class_profile(self) -> ClassProfile: ...
    def spectrum(self) -> Spectrum: ...
    def report_json(self, pi: _Pi = None) -> str: ...
    def analysis_report_json(
        self,
        data: _Pairs,
        pi: _Pi = None,
        bootstrap: Optional[BootstrapResult] = None,
        rank_inference: Optional[str] = None,
        rule: Optional[str] = None,
        weight_kind: str = "sampling",
    ) -> str: ...
    def decompose(self) -> _Serde: ...
    def levelling(self) -> _Serde: ...
    def __eq__(self, other: object) -> bool: ...

# measures
def shorrocks_trace(p: _F64) -> float: ...
def determinant_shorrocks(p: _F64) -> float: ...
def determinant_giddy(p: _F64) -> float: ...
def second_eigenvalue(p: _F64) -> float: ...
def eigenvalue_sum(p: _F64) -> float: ...
def eigenvalues(p: _F64) -> npt.NDArray[np.complex128]: ...
def bartholomew(p: _F64, pi: Optional[Sequence[float]] = None) -> float: ...
def mean_class_jump(p: _F64, pi: Optional[Sequence[float]] = None) -> float: ...
def immobility_ratio(p: _F64, pi: Optional[Sequence[float]] = None) -> float: ...
def upward_share(p: _F64, pi: Optional[Sequence[float]] = None) -> float: ...
def downward_share(p: _F64, pi: Optional[Sequence[float]] = None) -> float: ...
def giddy_b1(p: _F64, pi: Optional[Sequence[float]] = None) -> float: ...
def altham_distance(p: _F64, q: _F64) -> float: ...
def altham_independence(p: _F64) -> float: ...
def measure_table() -> List[Tuple[str, str]]: ...
def measure_registry() -> List[RegistryEntry]: ...
def option_names(option: str) -> List[str]: ...
def canonical_name(option: str, value: str) -> str: ...
def headline_measures() -> List[str]: ...

# markov
def check_stochastic(p: _F64) -> int: ...
def communicating_classes(p: _F64) -> List[List[int]]: ...
def closed_classes(p: _F64) -> List[List[int]]: ...
def stationary_distribution(p: _F64) -> _F64: ...
def stationary_distributions(p: _F64) -> List[_F64]: ...
def matrix_power(p: _F64, n: int) -> _F64: ...
def mean_first_passage_times(p: _F64) -> _F64: ...
def expected_stay(p: _F64) -> _F64: ...
def expected_time_to_exit(p: _F64, states: Sequence[int]) -> _F64: ...
def convergence(p: _F64, period_years: Optional[float] = None) -> Convergence: ...
def generations_to_mean(beta: float, ratio: float, tolerance: float = 0.05) -> GenerationsToMean: ...

# ranks, labels
def fractional_ranks(values: _F64, weights: Optional[_F64] = None) -> _F64: ...
def class_of_rank(r: float, k: int) -> int: ...
def class_labels(k: int) -> List[str]: ...

# published tables
def published_table(name: str) -> TransitionMatrix: ...
def published_names() -> List[str]: ...
def uk_blanden_2005_printed() -> _F64: ...

# simulator
def simulate(
    n: int,
    rho: float,
    seed: int,
    correlation: str,
    parent: Tuple[float, float],
    child: Tuple[float, float],
    weighted: bool,
) -> Dict[str, _F64]: ...
def gaussian_copula_matrix(rho: float, k: int) -> _F64: ...

# inference
_Statistics = Union[str, Sequence[str], None]

class ProgressCounter:
    """Replicates finished by a running bootstrap (shared with the core)."""

    def __init__(self) -> None: ...
    def done(self) -> int: ...

class BootstrapResult:
    """The core's bootstrap result; the package wraps it in `mobility.BootstrapResult`."""

    @staticmethod
    def from_json(s: str) -> "BootstrapResult": ...
    def to_json(self) -> str: ...
    def settings(self) -> BootstrapSettings: ...
    def names(self) -> List[str]: ...
    def columns(self) -> Dict[str, List[Union[str, int, float, None]]]: ...
    def replicates(self, name: str) -> _F64: ...
    def replicate_values(self, name: str) -> _F64: ...
    def undefined_at(self, name: str) -> List[int]: ...
    def get(self, name: str) -> Dict[str, object]: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...

def bootstrap(
    data: _Pairs,
    classes: ClassSpec,
    options: BootstrapOptions,
    clusters: Optional[_I64] = None,
    progress: Optional[ProgressCounter] = None,
) -> BootstrapResult: ...
def rank_bootstrap_json(
    data: _Pairs,
    options: BootstrapOptions,
    clusters: Optional[_I64] = None,
    progress: Optional[ProgressCounter] = None,
) -> Optional[str]: ...

#: One group of ``bootstrap_difference``: its pairs and cluster ids.
_Group = Tuple[_Pairs, Optional[_I64]]

def bootstrap_difference(
    a: _Group, b: _Group, classes: ClassSpec, options: BootstrapOptions
) -> Tuple[BootstrapResult, BootstrapResult, BootstrapResult]: ...
def row_multinomial(
    tm: TransitionMatrix,
    row_counts: Optional[Sequence[float]] = None,
    pi: _Pi = None,
    level: float = 0.95,
    statistics: _Statistics = None,
) -> _Serde: ...
def quantile_copula(
    parent: _F64,
    child: _F64,
    weights: Optional[_F64] = None,
    k: int = 5,
    pi: _Pi = None,
    level: float = 0.95,
    statistics: _Statistics = None,
    bandwidth: Optional[float] = None,
    rule: str = "midrank",
    weight_kind: str = "sampling",
) -> _Serde: ...
def kish_row_counts(parent: _F64, weights: Optional[_F64], cutoffs: Cutoffs) -> List[float]: ...
def homogeneity(tables: Sequence[_F64]) -> _Serde: ...
def joint_homogeneity(tables: Sequence[_F64]) -> _Serde: ...
def altham_bootstrap(
    p: _F64, q: _F64, replicates: int = 1000, seed: int = 0, level: float = 0.95
) -> _Serde: ...

# rank measures, groups, places
def rank_mobility(parent: _F64, child: _F64, weights: Optional[_F64] = None) -> _Serde: ...
def binned_rank_means(
    parent: _F64, child: _F64, weights: Optional[_F64] = None, bins: int = 20
) -> _Serde: ...
def rank_mobility_national(
    parent: _F64,
    child: _F64,
    national_parent_ranks: _F64,
    national_child_ranks: _F64,
    weights: Optional[_F64] = None,
) -> _Serde: ...
def kendall_tau_b(x: _F64, y: _F64, weights: Optional[_F64] = None) -> Optional[float]: ...
def ige(parent: _F64, child: _F64, weights: Optional[_F64] = None) -> _Serde: ...
def absolute_mobility(
    parent: _F64, child: _F64, weights: Optional[_F64] = None
) -> _Serde: ...
def by_group(
    parent: _F64,
    child: _F64,
    groups: _I64,
    weights: Optional[_F64] = None,
    k: int = 5,
    rule: str = "midrank",
    ranks: str = "national",
    pi: _Pi = None,
) -> _Serde: ...
def read_place_matrices(path: str) -> List[_Serde]: ...
def places_report(
    places_json: str,
    mobility_score: str = "bottom_to_top",
    row_tolerance: float = 0.01,
    contrast_fraction: float = 0.2,
    pi: _Pi = None,
) -> _Serde: ...
def html_report(
    parent: _F64,
    child: _F64,
    weights: Optional[_F64] = None,
    groups: Optional[List[str]] = None,
    k: int = 5,
    rule: str = "midrank",
    pi: _Pi = None,
    bins: int = 20,
    bootstrap: Optional[int] = None,
    seed: int = 0,
    ci: str = "bca",
    level: float = 0.95,
    title: Optional[str] = None,
    source_json: Optional[str] = None,
    weight_kind: str = "sampling",
) -> str: ...
def html_report_matrix(
    matrix: TransitionMatrix,
    pi: _Pi = None,
    title: Optional[str] = None,
    source_json: Optional[str] = None,
) -> str: ...

# ranking places (python/src/ranking.rs)
def rank_confidence_sets(
    estimates: _F64,
    cov: Optional[npt.NDArray[np.float64]] = None,
    se: Optional[_F64] = None,
    coverage: float = 0.95,
    kind: str = "two-sided",
    simultaneous: bool = True,
    stepdown: bool = True,
    draws: int = 10000,
    seed: int = 0,
    largest_first: bool = True,
    indices: Optional[List[int]] = None,
) -> Dict[str, Any]: ...
def tau_set(
    estimates: _F64,
    tau: int,
    which: str,
    cov: Optional[npt.NDArray[np.float64]] = None,
    se: Optional[_F64] = None,
    coverage: float = 0.95,
    stepdown: bool = True,
    draws: int = 10000,
    seed: int = 0,
    largest_first: bool = True,
) -> Dict[str, Any]: ...
def shrink(
    estimates: _F64, se: _F64, method: str = "moments", target: Optional[float] = None
) -> Dict[str, Any]: ...
def rank_rank_regression(
    parent: _F64,
    child: _F64,
    weights: Optional[_F64] = None,
    groups: Optional[_I64] = None,
    weight_kind: str = "sampling",
    covariance: bool = True,
) -> Dict[str, Any]: ...
def rank_places(
    parent: _F64,
    child: _F64,
    places: List[str],
    weights: Optional[_F64] = None,
    measure: str = "absolute_upward_mobility",
    k: int = 5,
    replicates: int = 500,
    resample: str = "joint",
    seed: int = 0,
    min_size: int = 0,
    coverage: float = 0.95,
    tau: int = 10,
    draws: int = 10000,
    simultaneous: bool = True,
    clusters: Optional[_I64] = None,
    progress: Optional[ProgressCounter] = None,
) -> Dict[str, Any]: ...

# ---- streaming (python/src/stream.rs): the exact multi-pass pipeline, picklable pieces
class StreamSummary:
    @staticmethod
    def merge_all(summaries: Sequence["StreamSummary"]) -> "StreamSummary": ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(b: bytes) -> "StreamSummary": ...

class StreamPass:
    def summarize(
        self,
        parent: _F64,
        child: _F64,
        weights: Optional[_F64] = None,
        group_codes: Optional[_I64] = None,
        group_labels: Optional[List[str]] = None,
    ) -> StreamSummary: ...
    def empty(self) -> StreamSummary: ...
    @property
    def name(self) -> str: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(b: bytes) -> "StreamPass": ...

class StreamPipeline:
    def __init__(
        self,
        k: int = 5,
        rule: str = "midrank",
        weighted: bool = False,
        by: bool = False,
        parent_cutoffs: Optional[Cutoffs] = None,
        child_cutoffs: Optional[Cutoffs] = None,
        gather_limit: Optional[int] = None,
    ) -> None: ...
    def next_pass(self) -> Optional[StreamPass]: ...
    def advance(self, merged: StreamSummary) -> None: ...
    def cutoffs(self) -> Optional[Tuple[Cutoffs, Cutoffs]]: ...
    def finish(self) -> _Serde: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(b: bytes) -> "StreamPipeline": ...

def poisson_weights(
    ids: npt.NDArray[np.uint64], replicate: int, seed: int, weights: Optional[_F64] = None
) -> _F64: ...
def summarize_poisson(
    passes: Sequence[Optional[StreamPass]],
    replicates: Sequence[int],
    parent: _F64,
    child: _F64,
    ids: npt.NDArray[np.uint64],
    seed: int,
    weights: Optional[_F64] = None,
    group_codes: Optional[_I64] = None,
    group_labels: Optional[List[str]] = None,
) -> List[Optional[StreamSummary]]: ...
def stream_file(
    path: str,
    format: str,
    parent: str,
    child: str,
    weights: Optional[str] = None,
    by: Optional[str] = None,
    k: int = 5,
    rule: str = "midrank",
    parent_cutoffs: Optional[Cutoffs] = None,
    child_cutoffs: Optional[Cutoffs] = None,
    dropna: bool = False,
) -> _Serde: ...

# panels and tie diagnostics (python/src/panel.rs)
def tie_spans(
    values: _F64,
    cutoffs: Cutoffs,
    weights: Optional[_F64] = None,
    rule: str = "midrank",
    side: str = "parent",
    labels: Optional[List[str]] = None,
) -> List[_Serde]: ...
def panel(
    periods: Sequence[_F64],
    names: List[str],
    weights: Optional[_F64] = None,
    k: int = 5,
    rule: str = "midrank",
    weight_kind: str = "sampling",
) -> Tuple[_Serde, TransitionMatrix, List[TransitionMatrix]]: ...
