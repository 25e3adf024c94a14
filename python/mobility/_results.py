"""Result records, declared once each, built from the core's serde value by one conversion.

The Rust core serialises every result with serde; the binding hands that value to Python as
plain data (dicts, lists, floats, None). A result class here is its field list with types, and
nothing else that repeats the core's shape::

    class Decomposition(Record):
        total: float
        structural: float
        exchange: float

``Record`` makes each subclass a frozen dataclass, and :meth:`Record.from_value` converts the
core's value by the declared types: nested records, lists and tuples of records, ``Optional``,
float arrays (``NDArray[np.float64]``) and classes with a ``_from_core`` hook
(``TransitionMatrix``, :class:`MeasureValues`). The conversion is strict: a key the core sends
that the class does not declare is an error, so the Python classes cannot drift from the
core's structs unnoticed (the tests convert every result). Fields the core does not send (such
as ``n_dropped``, counted in Python) are declared with :func:`local`: outside ``to_dict()``,
``keys()``, equality and ``repr``.

Every record has ``to_dict()`` (the core's serde form, as the CLI's ``--json`` prints it),
``record["field"]``, ``keys()``, equality by content (numpy fields included) and pickles as an
ordinary dataclass.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import typing
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypedDict,
    TypeVar,
    Union,
)

import numpy as np
import numpy.typing as npt

__all__ = [
    "Record",
    "frame_html",
    "MeasureValues",
    "Weighting",
    "FloatArray",
    "StatisticId",
    "IntervalDict",
    "StatisticSummary",
    "BootstrapSettings",
    "local",
    "plain",
]

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Callable[[Any], Any]:
        return lambda cls: cls


R = TypeVar("R", bound="Record")

#: A float64 numpy array.
FloatArray = npt.NDArray[np.float64]

#: The core's origin weighting in its serde form: ``"parent_shares"``, ``"uniform"``,
#: ``"stationary"`` or ``{"custom": [w_1, ..., w_k]}``.
Weighting = Union[str, Dict[str, List[float]]]

_LOCAL = "mobility.local"


def local(default: Any) -> Any:
    """A field computed in Python, not sent by the core: outside ``to_dict()``, ``keys()``,
    equality and ``repr``."""
    return dataclasses.field(default=default, repr=False, compare=False, metadata={_LOCAL: True})


def plain(value: Any) -> Any:
    """Plain Python data: records and matrices as dicts, arrays and tuples as lists, numpy
    scalars as Python numbers, cut-offs as their JSON form."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return json.loads(to_json())
    return value


def frame_html(
    result: object,
    frame: Callable[[], "pd.DataFrame"],
    columns: Sequence[str],
    digits: int,
    max_rows: Optional[int] = None,
) -> str:
    """A notebook view: the result's repr over some columns of its frame (the repr alone
    without pandas)."""
    import html

    try:
        table = frame()
    except ImportError:  # pragma: no cover - pandas missing
        return f"<pre>{html.escape(repr(result))}</pre>"
    out: str = f"<p>{html.escape(repr(result))}</p>" + table[list(columns)].to_html(
        index=False, max_rows=max_rows, float_format=lambda v: f"{v:.{digits}f}"
    )
    return out


_HINTS: Dict[type, Dict[str, Any]] = {}


def _hints(cls: type) -> Dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        module = sys.modules[cls.__module__]
        hints = typing.get_type_hints(cls, vars(module))
        _HINTS[cls] = hints
    return hints


def _convert(tp: Any, value: Any) -> Any:
    """The core's plain value as the declared type ``tp``."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union:
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if origin is np.ndarray:
        return np.asarray(value, dtype=np.float64)
    if origin in (list, tuple) and args:
        items = [_convert(args[0], v) for v in value]
        return tuple(items) if origin is tuple else items
    if isinstance(tp, type):
        if issubclass(tp, Record):
            return tp.from_value(value)
        hook = getattr(tp, "_from_core", None)
        if hook is not None and not isinstance(value, tp):
            return hook(value)
    return value


@dataclass_transform(frozen_default=True, eq_default=False)
class Record:
    """Base of the result records: each subclass is a frozen dataclass of its declared fields,
    built from the core's value by :meth:`from_value`."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, eq=False)(cls)

    @classmethod
    def fields(cls) -> Tuple[str, ...]:
        """The core's field names, in declaration order (local fields left out)."""
        return tuple(
            f.name for f in dataclasses.fields(cls) if not f.metadata.get(_LOCAL)  # type: ignore[arg-type]
        )

    @classmethod
    def from_value(cls: Type[R], value: Mapping[str, Any], **local_fields: Any) -> R:
        """The record from the core's serde value (a mapping of field names to plain data),
        with the local fields given as keywords. Raises ``TypeError`` for a key the class does
        not declare or a missing field."""
        if not isinstance(value, Mapping):
            raise TypeError(f"{cls.__name__} takes a mapping, not {type(value).__name__}")
        names = cls.fields()
        extra = [key for key in value if key not in names]
        if extra:
            raise TypeError(
                f"{cls.__name__}: the core sends {', '.join(map(repr, extra))}, which the class "
                f"does not declare (declared: {', '.join(names)})"
            )
        hints = _hints(cls)
        kwargs = {name: _convert(hints[name], value[name]) for name in names if name in value}
        return cls(**kwargs, **local_fields)

    def to_dict(self) -> Dict[str, Any]:
        """The fields as plain Python data (the core's serde form): nested records as dicts,
        arrays as lists."""
        return {name: plain(getattr(self, name)) for name in self.fields()}

    def keys(self) -> List[str]:
        """The field names."""
        return list(self.fields())

    def __getitem__(self, key: str) -> Any:
        if key not in self.fields():
            raise KeyError(f"{key!r}: {type(self).__name__} has {', '.join(self.fields())}")
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields())

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]


class MeasureValues(Dict[str, Optional[float]]):
    """Every canonical measure by name (None where undefined), in the registry's order (the
    serde bridge sorts keys)."""

    @classmethod
    def _from_core(cls, value: Mapping[str, Optional[float]]) -> "MeasureValues":
        from ._matrix import MEASURES

        return cls({name: value.get(name) for name in MEASURES})


# The dicts the compiled BootstrapResult returns (kept as dicts; typed here for checkers).

#: A statistic in the core's tagged form: ``{"kind": "measure", "name": ...}``,
#: ``{"kind": "cell", "row": i, "col": j}`` or ``{"kind": "class", "vector": ..., "class": i}``.
StatisticId = Dict[str, Union[str, int]]


class IntervalDict(TypedDict):
    """A confidence interval."""

    low: float
    high: float


class StatisticSummary(TypedDict):
    """One bootstrap statistic (``BootstrapResult.get``)."""

    statistic: StatisticId
    name: str
    estimate: Optional[float]
    se: Optional[float]
    ci_low: Optional[float]
    ci_high: Optional[float]
    percentile: Optional[IntervalDict]
    bca: Optional[IntervalDict]
    bias_correction: Optional[float]
    acceleration: Optional[float]
    undefined_replicates: int
    note: Optional[str]


class BootstrapSettings(TypedDict):
    """The bootstrap's settings (the core's ``BootstrapSettings``; the CLI's ``bootstrap``)."""

    k: int
    replicates: int
    seed: int
    level: float
    ci: str
    cutoffs: str
    resample: str
    clusters: Optional[int]
    units: int
    jackknife_groups: int
    weighting: Weighting
