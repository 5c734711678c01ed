"""The register as the rules see it: typed columns, which cells are empty or invalid, measures joined.

"Rules judge only what valid cells allow": a cell is *known* when it holds a valid value, *empty* when
nothing was written (or its whole column is absent), *invalid* when something was written but validation
rejected it. A rule may treat an empty cell as the thing it checks (no 风险消除日期 written), never an invalid
one: an invalid cell is reported by ``tracker validate`` and makes the rule abstain for that household.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from tracker.validate import Table, ValidatedRegister, ValueCodes, textops, translate

from .policy import Policy

Messages = Sequence[str] | Callable[[], Sequence[str]]
FINDING_COLUMNS = ("rule", "severity", "message", "next_action", "household", "township", "village", "sheet",
                   "row")


def fold(values: pd.Series) -> pd.Series:
    """:func:`tracker.validate.schema.match_key` of text values as objects (None where missing), folded by
    :func:`tracker.validate.textops.match_texts` (plain ASCII text without NFKC): a million 户编号 well under a
    second."""
    cells = values.to_numpy(dtype=object, na_value=None)
    out = np.full(len(cells), None, dtype=object)
    known = np.flatnonzero(values.notna().to_numpy())
    out[known] = textops.match_texts(cells[known])
    return pd.Series(out, index=values.index, dtype=object)


def _lookup(keys: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Row label of ``keys`` (first occurrence) for each value of ``wanted``; -1 where none."""
    keys = keys.dropna()
    index = pd.Index(keys.to_numpy(dtype=object))
    first = ~index.duplicated()
    rows, index = keys.index.to_numpy()[first], index[first]
    position = index.get_indexer(wanted.to_numpy(dtype=object, na_value=None))
    return np.where(position >= 0, rows[np.maximum(position, 0)] if len(rows) else -1, -1)


def _owners(household_ids: pd.Series, measure_ids: pd.Series) -> pd.Series:
    """The 监测户 row of each measure's 户编号, matched as :func:`match_key` folds them (-1: no household).

    Validation has already emptied 户编号 that fold to a duplicate, so an exact match of the text is the
    folded match; only the measures left over are folded (most registers have none)."""
    owner = _lookup(household_ids, measure_ids)
    rest = (owner < 0) & measure_ids.notna().to_numpy()
    if rest.any():
        owner[rest] = _lookup(fold(household_ids), fold(measure_ids[rest]))
    return pd.Series(owner, index=measure_ids.index, dtype="int64")


def _owners_encoded(households: TabView, measures: TabView) -> pd.Series | None:
    """:func:`_owners` from the folded ids validation made (None when it has none). Valid 户编号 of
    different households never fold alike (validation empties the later ones), so the household of a
    measure is the one valid 户编号 that folds like the measure's."""
    mine, theirs = measures.table.encoded.get("household_id"), households.table.encoded.get("household_id")
    if mine is None or theirs is None:
        return None
    wanted = mine.folded_rows()
    have = translate(mine.column, theirs.column)[theirs.column.codes]
    have[theirs.dropped] = -1
    rows = households.values.index.to_numpy()
    at = np.flatnonzero(have >= 0)[::-1]  # the first household wins: assigned last
    lookup = np.full(len(mine.column.folded[1]) + 1, -1, dtype=np.int64)
    lookup[have[at]] = rows[at]
    owner = np.where(wanted >= 0, lookup[np.maximum(wanted, 0)] if len(lookup) else -1, -1)
    return pd.Series(owner, index=measures.values.index, dtype="int64")


def true(mask: pd.Series) -> pd.Series:
    """A nullable boolean Series with NA read as False (an undecidable condition never accuses)."""
    return mask.fillna(False).astype(bool)


@dataclass
class TabView:
    """One validated tab with every contract column present (absent columns read as empty)."""

    table: Table
    values: pd.DataFrame
    invalid_cells: dict[str, pd.Series]

    @classmethod
    def of(cls, table: Table, errors: dict[str, list[int]]) -> TabView:
        keys = [c.key for c in table.tab.columns]
        values = table.values if list(table.values.columns) == keys else table.values.reindex(columns=keys)
        for col in table.tab.columns:  # absent columns: give them their usual dtype
            if col.key not in table.values:
                dtype = {"date": "datetime64[s]", "number": "Float64", "integer": "Int64"}.get(col.type, "string")
                values[col.key] = pd.Series(pd.NA if dtype != "datetime64[s]" else pd.NaT, index=values.index,
                                            dtype=dtype)
        invalid = {k: pd.Series(values.index.isin(rows), index=values.index) for k, rows in errors.items()}
        return cls(table, values, invalid)

    @property
    def sheet(self) -> str:
        return self.table.sheet

    def header(self, key: str) -> str:
        return self.table.header(key)

    def _encoded(self, key: str) -> ValueCodes | None:
        """The encoded text column ``key`` (None for other columns, or when validation gave none)."""
        found = self.table.encoded.get(key)
        return found if found is not None and self.values[key].dtype == "string" else None

    def invalid(self, key: str) -> pd.Series:
        found = self.invalid_cells.get(key)
        return found if found is not None else pd.Series(False, index=self.values.index)

    def known(self, key: str) -> pd.Series:
        encoded = self._encoded(key)
        if encoded is not None:
            return pd.Series(encoded.known(), index=self.values.index)
        return self.values[key].notna()

    def empty(self, key: str) -> pd.Series:
        return ~self.known(key) & ~self.invalid(key)

    def has_role(self, key: str, *roles: str) -> pd.Series:
        """Per row: is the (valid) value one whose role (schemas/register.yaml ``roles``) is among ``roles``?
        Rules read roles, never values, so a county's 边缘易致贫户 is judged as its 边缘户."""
        out = pd.Series(False, index=self.values.index)
        for value in self.table.tab.column(key).values_with(*roles):
            out |= self.is_(key, value)
        return out

    def holds_role(self, key: str, *roles: str) -> pd.Series:
        """Per row of a multi column (several values in a cell): does any (valid) value have one of ``roles``?"""
        wanted = frozenset(self.table.tab.column(key).values_with(*roles))

        def holds(items: object) -> bool:
            return isinstance(items, tuple) and not wanted.isdisjoint(items)

        encoded = self.table.encoded.get(key)
        if encoded is not None:  # once per distinct cell, not per row
            return pd.Series(encoded.satisfies(holds), index=self.values.index)
        return self.values[key].map(holds).astype(bool)

    def role(self, key: str) -> pd.Series:
        """Per row: the role of the value (None where empty, invalid or without a role)."""
        column = self.table.tab.column(key)
        out = pd.Series(None, index=self.values.index, dtype=object)
        for value, role in column.roles:
            out[self.is_(key, value).to_numpy()] = role
        return out

    def is_(self, key: str, value: str) -> pd.Series:
        encoded = self._encoded(key)
        if encoded is not None:
            return pd.Series(encoded.equals(value), index=self.values.index)
        return true(self.values[key] == value)

    def written(self, key: str, fill: str | None = None) -> pd.Series:
        """A text column as written, stripped, as objects (None where empty, or ``fill``). Valid cells are
        already the stripped text; only cells validation rejected (e.g. a village missing from 行政村) are taken
        from the raw text."""
        encoded = self._encoded(key)
        values = self.values[key]
        cells = encoded.objects(fill) if encoded is not None else values.to_numpy(dtype=object, na_value=fill)
        lost = self.invalid(key).to_numpy()
        if lost.any():
            if encoded is not None:  # the cells as written, without building the whole text frame
                written = pd.Series([encoded.column.text_at(p) for p in np.flatnonzero(lost)], dtype=object)
            else:
                written = self.table.text[key][lost]
            text = written.astype("string").str.strip().replace("", pd.NA)
            cells = cells.copy()
            cells[lost] = text.to_numpy(dtype=object, na_value=fill)
        return pd.Series(cells, index=values.index, dtype=object)  # None stays None (no str dtype, no NaN)

    def positions(self, rows: np.ndarray) -> np.ndarray:
        """Positions of the spreadsheet rows ``rows`` (-1 where no such row)."""
        index = self.values.index
        if len(index) and index.is_monotonic_increasing and index.is_unique:
            at = np.minimum(np.searchsorted(index.to_numpy(), rows), len(index) - 1)
            return np.where(index.to_numpy()[at] == rows, at, -1)
        return index.get_indexer(rows)


@dataclass
class Context:
    """Everything a rule reads, prepared once per evaluation."""

    policy: Policy
    as_of: date
    households: TabView
    measures: TabView
    villages: TabView
    household_id: pd.Series  # 户编号 as written ("" when empty: None is kept for village/county findings)
    monitored: pd.Series  # bool
    measure_household: pd.Series  # household row of each measure (-1 when it matches none), by measure row
    members: TabView | None = None  # the optional 家庭成员 tab (None, or not present, when the register has none)

    @cached_property
    def income(self) -> str:
        """The income concept the register keeps, as its header names it without the unit (人均可支配收入, or a
        county's 人均纯收入): the messages call it so."""
        written = self.households.table.headers.get("income_per_capita") or "人均可支配收入"
        return re.sub(r"[（(]\s*元\s*[）)]\s*$", "", written.strip()) or "人均可支配收入"

    @cached_property
    def township(self) -> pd.Series:
        return self.households.written("township")

    @cached_property
    def village(self) -> pd.Series:
        return self.households.written("village")

    @cached_property
    def _measure_household_id(self) -> np.ndarray:
        return self.measures.written("household_id", fill="").to_numpy(dtype=object)

    @cached_property
    def _arrays(self) -> dict[str, np.ndarray]:
        return {"household": self.household_id.to_numpy(dtype=object),
                "township": self.township.to_numpy(dtype=object), "village": self.village.to_numpy(dtype=object)}

    @classmethod
    def build(cls, validated: ValidatedRegister, policy: Policy, as_of: date) -> Context:
        by_tab: dict[str, dict[str, list[int]]] = {}
        for e in validated.errors:
            if e.row is not None:
                by_tab.setdefault(e.tab, {}).setdefault(e.key, []).append(e.row)
        views = {key: TabView.of(table, by_tab.get(key, {})) for key, table in validated.tables.items()}
        h, m = views["households"], views["measures"]
        measure_household = _owners_encoded(h, m)
        if measure_household is None:
            measure_household = _owners(h.values["household_id"], m.values["household_id"])
        return cls(policy=policy, as_of=as_of, households=h, measures=m, villages=views["villages"],
                   household_id=h.written("household_id", fill=""),
                   monitored=h.has_role("status", "monitoring"), measure_household=measure_household,
                   members=views.get("members"))

    @property
    def h(self) -> pd.DataFrame:
        return self.households.values

    @property
    def m(self) -> pd.DataFrame:
        return self.measures.values

    @property
    def day(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    @cached_property
    def owner_positions(self) -> np.ndarray:
        """By 帮扶措施 row: position of its household's row in the 监测户 tab (-1: none)."""
        owner = self.measure_household.to_numpy()
        return np.where(owner >= 0, self.households.positions(owner), -1)

    def per_household(self, measure_mask: pd.Series) -> pd.Series:
        """For each household row: does any of its measures satisfy ``measure_mask``?"""
        owners = self.owner_positions[true(measure_mask).to_numpy()]
        out = np.zeros(len(self.h), dtype=bool)
        out[owners[owners >= 0]] = True
        return pd.Series(out, index=self.h.index)

    def measures_per_household(self, measure_mask: pd.Series) -> pd.Series:
        """For each household row: how many of its measures satisfy ``measure_mask`` (int64)."""
        owners = self.owner_positions[true(measure_mask).to_numpy()]
        return pd.Series(np.bincount(owners[owners >= 0], minlength=len(self.h)).astype(np.int64), index=self.h.index)

    def household_findings(self, mask: pd.Series, messages: Messages, next_action: str | Sequence[str]
                           ) -> FindingsFrame:
        """Findings on rows of the 监测户 tab; ``messages`` are in the order of the flagged rows (or a function
        making them, called when the findings are read)."""
        flags = true(mask).to_numpy()
        rows = mask.index[flags]
        if mask.index is self.h.index or mask.index.equals(self.h.index):  # by position: no label lookups
            at = np.flatnonzero(flags)
            household, township, village = (self._arrays[k][at] for k in ("household", "township", "village"))
        else:
            household, township, village = (s.loc[rows].to_numpy(dtype=object)
                                            for s in (self.household_id, self.township, self.village))
        return _frame(messages, {
            "next_action": next_action, "household": household, "township": township, "village": village,
            "sheet": self.households.sheet, "row": rows.to_numpy(),
        })

    def measure_findings(self, mask: pd.Series, messages: Messages, next_action: str | Sequence[str]
                         ) -> FindingsFrame:
        """Findings on rows of the 帮扶措施 tab, carrying their household's 户编号, township and village."""
        flags = true(mask).to_numpy()
        rows = mask.index[flags]
        if mask.index is self.m.index or mask.index.equals(self.m.index):  # by position: no label lookups
            at = np.flatnonzero(flags)
            owner = self.owner_positions[at]

            def of_owner(name: str) -> np.ndarray:
                picked = np.full(len(owner), None, dtype=object)  # no household: None (also when there are none)
                known = owner >= 0
                picked[known] = self._arrays[name][owner[known]]
                return np.where(pd.isna(picked), None, picked)

            household, township, village = of_owner("household"), of_owner("township"), of_owner("village")
            own_id = self._measure_household_id[at]
        else:
            labels = self.measure_household.loc[rows].to_numpy()

            def of_series(series: pd.Series) -> np.ndarray:
                picked = series.reindex(labels).to_numpy(dtype=object)  # -1 (no household) gives NaN
                return np.where(pd.isna(picked), None, picked)

            household, township, village = (of_series(s) for s in (self.household_id, self.township, self.village))
            own_id = self._measure_household_id[self.measures.positions(rows.to_numpy())]
        return _frame(messages, {
            "next_action": next_action, "household": np.where(pd.isna(household), own_id, household),
            "township": township, "village": village,
            "sheet": self.measures.sheet, "row": rows.to_numpy(),
        })


class FindingsFrame:
    """A rule's findings column by column: what a ``pd.DataFrame`` of them would hold, without building one.
    ``messages`` are text (in row order), or a function making them when the findings are read."""

    def __init__(self, messages: Messages, columns: dict[str, object]) -> None:
        size = len(columns["row"])  # type: ignore[arg-type]
        self.columns = {name: _column(value, size) for name, value in columns.items()}
        self.messages = messages

    def __len__(self) -> int:
        return len(self.columns["row"])

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def insert(self, loc: int, name: str, value: object) -> None:
        self.columns[name] = _column(value, len(self))


def _column(value: object, size: int) -> np.ndarray:
    """A column as an array (object, or int64 rows); one value stands for every row."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuO":
        return value
    out = np.empty(size if not isinstance(value, np.ndarray | list) else len(value), dtype=object)
    out[:] = value
    return out


def _frame(messages: Messages, columns: dict[str, object]) -> FindingsFrame:
    return FindingsFrame(messages if callable(messages) else list(messages), columns)


Findings = pd.DataFrame | FindingsFrame  # what a rule's check returns
