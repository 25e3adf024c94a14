"""`Record`: the behaviour shared by the small result dataclasses (to_dict, item access, equality)."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Iterator, List

import numpy as np

__all__ = ["Record", "plain"]


def plain(value: Any) -> Any:
    """Plain Python data: records as dicts, arrays and tuples as lists, numpy scalars as Python."""
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
    return value


class Record:
    """Mixin for frozen dataclasses: ``to_dict()``, ``record["field"]``, ``keys()``, equality by
    content (numpy fields included). Instances pickle as ordinary dataclasses."""

    __slots__ = ()

    def to_dict(self) -> Dict[str, Any]:
        """The fields as plain Python data (nested records as dicts, arrays as lists)."""
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def keys(self) -> List[str]:
        """The field names."""
        return [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> Any:
        if key not in self.keys():
            raise KeyError(f"{key!r}: {type(self).__name__} has {', '.join(self.keys())}")
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]
