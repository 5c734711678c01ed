"""What the rules stage hands on: findings with a stable rule id, severity and the next action."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from typing import Any, Literal, overload

import numpy as np

from tracker.common import paused_gc

from .basis import BASES

Severity = Literal["error", "warning", "information"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "information": 2}
SEVERITY_LABEL: dict[str, str] = {"error": "问题", "warning": "提醒", "information": "提示"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    next_action: str
    household: str | None = None  # 户编号; None for village- and county-level findings
    township: str | None = None
    village: str | None = None
    sheet: str | None = None
    row: int | None = None
    basis: str = ""  # "": the rule's own basis; else the part of the rule it rests on (tracker.rules.basis)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "household": self.household,
            "township": self.township,
            "village": self.village,
            "message": self.message,
            "next_action": self.next_action,
            "sheet": self.sheet,
            "row": self.row,
            **grounds(self.rule, self.basis),
        }


FIELDS = ("rule", "severity", "message", "next_action", "household", "township", "village", "sheet", "row", "basis")
_AS_DICT_ORDER = ("rule", "severity", "household", "township", "village", "message", "next_action", "sheet", "row")


@cache
def _grounds(rule: str, variant: str) -> tuple[tuple[dict[str, str], ...], str | None]:
    found = BASES.get(f"{rule}:{variant}" if variant else rule)
    return ((), None) if found is None else (tuple(found.as_dicts()), found.setting or None)


def grounds(rule: str, variant: str = "") -> dict[str, Any]:
    """A finding's JSON fields of what it rests on: ``citations`` (document, clause, verbatim quote; empty when it
    rests on no document) and ``setting`` (what the county's policy file or this system sets; null when none)."""
    citations, setting = _grounds(rule, variant or "")
    return {"citations": [dict(c) for c in citations], "setting": setting}


class Pending:
    """A column of findings made when first needed: the parts (arrays, or functions making them) in the order
    the rules gave them, then put in the findings' order."""

    def __init__(self, parts: list[Sequence[Any] | Callable[[], Sequence[Any]]], order: np.ndarray) -> None:
        self.parts, self.order = parts, order

    def resolve(self) -> np.ndarray:
        arrays = []
        for part in self.parts:
            values = part() if callable(part) else part
            array = np.empty(len(values), dtype=object)
            array[:] = list(values)
            arrays.append(array)
        return np.concatenate(arrays)[self.order] if arrays else np.empty(0, dtype=object)


class FindingList(Sequence[Finding]):
    """Findings kept column by column (one object array per field of :class:`Finding`, in ``FIELDS`` order).

    It is a sequence of :class:`Finding` like the tuple it stands for (equal to a tuple or list of the same
    findings); the objects are made when first asked for, all at once, and kept: a million findings cost
    their columns until someone wants them one by one."""

    def __init__(self, columns: dict[str, np.ndarray | Pending], order: np.ndarray | None = None) -> None:
        """``order``: the columns (all but pending ones) are in the rules' order, this puts them in the
        findings' order, column by column as they are asked for."""
        self._columns = {name: columns[name] for name in FIELDS}
        self._order = order
        self._sorted: set[str] = set()
        self._objects: tuple[Finding, ...] | None = None

    def column(self, name: str) -> np.ndarray:
        """One field of every finding (object array; do not modify). A pending column is made now."""
        column = self._columns[name]
        if isinstance(column, Pending):
            column = self._columns[name] = column.resolve()
            self._sorted.add(name)
        elif self._order is not None and name not in self._sorted:
            column = self._columns[name] = column[self._order]
            self._sorted.add(name)
        return column

    def __len__(self) -> int:
        return len(self._columns["rule"])

    def _all(self) -> tuple[Finding, ...]:
        if self._objects is None:
            new, set_dict = object.__new__, object.__setattr__
            with paused_gc():  # a frozen dataclass without __post_init__: its fields are its __dict__
                objects = list(map(new, repeat(Finding, len(self))))
                values = zip(*(self.column(name).tolist() for name in FIELDS), strict=True)
                list(map(set_dict, objects, repeat("__dict__"), map(dict, map(zip, repeat(FIELDS), values))))
            self._objects = tuple(objects)
        return self._objects

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Finding, ...]: ...

    def __getitem__(self, index: int | slice) -> Finding | tuple[Finding, ...]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingList):
            other = other._all()
        if isinstance(other, (tuple, list)):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"FindingList({len(self)} findings)"

    def dicts(self) -> list[dict[str, Any]]:
        """``[f.as_dict() for f in self]`` without making the Finding objects."""
        columns = [self.column(name).tolist() for name in _AS_DICT_ORDER]
        pairs = list(zip(self.column("rule").tolist(), self.column("basis").tolist(), strict=True))
        each = {pair: grounds(*pair) for pair in set(pairs)}  # once per (rule, part), not per finding
        with paused_gc():
            out = list(map(dict, map(zip, repeat(_AS_DICT_ORDER), zip(*columns, strict=True))))
            for item, pair in zip(out, pairs, strict=True):
                item.update(each[pair])
            return out
