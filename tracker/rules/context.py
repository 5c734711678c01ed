"""The register as the rules see it: typed columns, which cells are empty or invalid, measures joined.

"Rules judge only what valid cells allow": a cell is *known* when it holds a valid value, *empty* when
nothing was written (or its whole column is absent), *invalid* when something was written but validation
rejected it. A rule may treat an empty cell as the thing it checks (no 风险消除日期 written), never an invalid
one: an invalid cell is reported by ``tracker validate`` and makes the rule abstain for that household.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..policy import Policy
from ..schema import match_key
from ..validate import Table, ValidatedRegister

FINDING_COLUMNS = ("rule", "severity", "message", "next_action", "household", "township", "village", "sheet",
                   "row")


def fold(values: pd.Series) -> pd.Series:
    """:func:`tracker.schema.match_key`, with a fast path for plain ASCII text (where NFKC changes nothing,
    so folding is removing whitespace and upper-casing): joining a million 户编号 stays well under a second."""
    cells = values.to_numpy(dtype=object, na_value=None)
    plain = np.fromiter((v is not None and v.isascii() for v in cells), dtype=bool, count=len(cells))
    out = np.full(len(cells), None, dtype=object)
    out[plain] = ["".join(v.split()).upper() for v in cells[plain]]
    other = ~plain & values.notna().to_numpy()
    if other.any():
        out[other] = match_key(values[other]).to_numpy(dtype=object, na_value=None)
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


def true(mask: pd.Series) -> pd.Series:
    """A nullable boolean Series with NA read as False (an undecidable condition never accuses)."""
    return mask.fillna(False).astype(bool)


@dataclass
class TabView:
    """One validated tab with every contract column present (absent columns read as empty)."""

    table: Table
    values: pd.DataFrame
    text: pd.DataFrame
    invalid_cells: dict[str, pd.Series]

    @classmethod
    def of(cls, table: Table, errors: dict[str, list[int]]) -> TabView:
        keys = [c.key for c in table.tab.columns]
        values = table.values.reindex(columns=keys)
        for col in table.tab.columns:  # absent columns: give them their usual dtype
            if col.key not in table.values:
                dtype = {"date": "datetime64[s]", "number": "Float64", "integer": "Int64"}.get(col.type, "string")
                values[col.key] = pd.Series(pd.NA if dtype != "datetime64[s]" else pd.NaT, index=values.index,
                                            dtype=dtype)
        text = table.text.reindex(columns=keys)
        invalid = {k: pd.Series(values.index.isin(rows), index=values.index) for k, rows in errors.items()}
        return cls(table, values, text, invalid)

    @property
    def sheet(self) -> str:
        return self.table.sheet

    def header(self, key: str) -> str:
        return self.table.header(key)

    def invalid(self, key: str) -> pd.Series:
        found = self.invalid_cells.get(key)
        return found if found is not None else pd.Series(False, index=self.values.index)

    def known(self, key: str) -> pd.Series:
        return self.values[key].notna()

    def empty(self, key: str) -> pd.Series:
        return self.values[key].isna() & ~self.invalid(key)

    def is_(self, key: str, value: str) -> pd.Series:
        return true(self.values[key] == value)

    def written(self, key: str) -> pd.Series:
        """A text column as written, stripped, as objects (None where empty). Valid cells are already the
        stripped text; only cells validation rejected (e.g. a village missing from 行政村) are taken from the
        raw text."""
        values = self.values[key]
        out = pd.Series(values.to_numpy(dtype=object, na_value=None), index=values.index)
        lost = self.invalid(key).to_numpy()
        if lost.any():
            text = self.text[key][lost].astype("string").str.strip().replace("", pd.NA)
            out[lost] = text.to_numpy(dtype=object, na_value=None)
        return out


@dataclass
class Context:
    """Everything a rule reads, prepared once per evaluation."""

    policy: Policy
    as_of: date
    households: TabView
    measures: TabView
    villages: TabView
    household_id: pd.Series  # 户编号 as written ("" when empty: None is kept for village/county findings)
    township: pd.Series
    village: pd.Series
    monitored: pd.Series  # bool
    measure_household: pd.Series  # household row of each measure (-1 when it matches none), by measure row

    @classmethod
    def build(cls, validated: ValidatedRegister, policy: Policy, as_of: date) -> Context:
        by_tab: dict[str, dict[str, list[int]]] = {}
        for e in validated.errors:
            if e.row is not None:
                by_tab.setdefault(e.tab, {}).setdefault(e.key, []).append(e.row)
        views = {key: TabView.of(table, by_tab.get(key, {})) for key, table in validated.tables.items()}
        h, m = views["households"], views["measures"]
        measure_household = _owners(h.values["household_id"], m.values["household_id"])
        return cls(policy=policy, as_of=as_of, households=h, measures=m, villages=views["villages"],
                   household_id=h.written("household_id").fillna(""), township=h.written("township"),
                   village=h.written("village"),
                   monitored=h.is_("status", "监测中"), measure_household=measure_household)

    @property
    def h(self) -> pd.DataFrame:
        return self.households.values

    @property
    def m(self) -> pd.DataFrame:
        return self.measures.values

    @property
    def day(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    def per_household(self, measure_mask: pd.Series) -> pd.Series:
        """For each household row: does any of its measures satisfy ``measure_mask``?"""
        rows = self.measure_household[true(measure_mask) & (self.measure_household >= 0)]
        return pd.Series(self.h.index.isin(rows.unique()), index=self.h.index)

    def household_findings(self, mask: pd.Series, messages: Sequence[str], next_action: str | Sequence[str]
                           ) -> pd.DataFrame:
        """Findings on rows of the 监测户 tab; ``messages`` are in the order of the flagged rows."""
        rows = mask.index[true(mask).to_numpy()]
        return pd.DataFrame({
            "message": list(messages), "next_action": next_action,
            "household": self.household_id.loc[rows].to_numpy(dtype=object),
            "township": self.township.loc[rows].to_numpy(dtype=object),
            "village": self.village.loc[rows].to_numpy(dtype=object),
            "sheet": self.households.sheet, "row": rows.to_numpy(),
        }, columns=[c for c in FINDING_COLUMNS if c not in ("rule", "severity")])

    def measure_findings(self, mask: pd.Series, messages: Sequence[str], next_action: str | Sequence[str]
                         ) -> pd.DataFrame:
        """Findings on rows of the 帮扶措施 tab, carrying their household's 户编号, township and village."""
        rows = mask.index[true(mask).to_numpy()]
        owner = self.measure_household.loc[rows].to_numpy()

        def of_owner(series: pd.Series) -> np.ndarray:
            picked = series.reindex(owner).to_numpy(dtype=object)  # -1 (no household) gives NaN
            return np.where(pd.isna(picked), None, picked)

        household = of_owner(self.household_id)
        own_id = self.measures.written("household_id").fillna("").loc[rows].to_numpy(dtype=object)
        return pd.DataFrame({
            "message": list(messages), "next_action": next_action,
            "household": np.where(pd.isna(household), own_id, household),
            "township": of_owner(self.township), "village": of_owner(self.village),
            "sheet": self.measures.sheet, "row": rows.to_numpy(),
        }, columns=[c for c in FINDING_COLUMNS if c not in ("rule", "severity")])
