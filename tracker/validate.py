"""Validation stage: raw register -> typed tables + every cell error at once.

Pre-cleaning (``cells``) turns raw cells into typed values and records unparseable ones; the pandera
schemas built from the contract (``schema``) then check the parsed frames. A row with errors is never
dropped: it stays in its table, its bad cells set to NA, and is listed in ``error_rows``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
import pandera.pandas as pa

from . import cells
from .contract import Column, Contract, Tab, load_contract
from .layout import LocatedTable, locate_all
from .messages import message
from .schema import across_clashes, build_schema, match_key, reference_keys
from .sheets import RawRegister


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int | None
    column: str
    value: str | None
    code: str
    message: str
    tab: str = field(default="", compare=False)  # contract tab key, for grouping
    key: str = field(default="", compare=False)  # contract column key

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Table:
    """One tab after validation. ``values`` holds valid typed values (bad cells NA), ``text`` the cells
    as the editor wrote them; both are indexed by the spreadsheet's own row numbers."""

    tab: Tab
    sheet: str
    header_row: int | None
    headers: dict[str, str]
    values: pd.DataFrame
    text: pd.DataFrame
    error_rows: frozenset[int]
    present: bool = True  # False: an optional tab the register does not have (empty, left out of summaries)

    def header(self, key: str) -> str:
        return self.headers.get(key, self.tab.column(key).header)


@dataclass(frozen=True)
class ValidatedRegister:
    source: str
    tables: dict[str, Table]
    errors: tuple[CellError, ...]

    def summary(self) -> dict[str, Any]:
        present = [t for t in self.tables.values() if t.present]
        return {
            "source": self.source,
            "error_count": len(self.errors),
            "by_code": dict(Counter(e.code for e in self.errors)),
            "by_sheet": dict(Counter(e.sheet for e in self.errors)),
            "rows": {t.sheet: len(t.values) for t in present},
            "rows_with_errors": {t.sheet: len(t.error_rows) for t in present},
        }


_PARSERS = {
    "text": cells.parse_text,
    "integer": cells.parse_integer,
    "number": cells.parse_number,
    "date": cells.parse_date,
    "enum": cells.parse_enum,
    "bool": cells.parse_bool,
    "multi": cells.parse_multi,
    "id_number": cells.parse_id_number,
    "phone": cells.parse_phone,
}


def _parse(col: Column, raw: pd.Series) -> cells.Parsed:
    if col.type == "code":
        return cells.parse_code(raw, col.digits or 0)
    return _PARSERS[col.type](raw)


@dataclass
class _Work:
    located: LocatedTable
    parsed: pd.DataFrame  # positional index (pandera needs a RangeIndex, see notes)
    text: pd.DataFrame
    bad: dict[str, pd.Series]
    numeric: dict[str, pd.Series]


def _prepare(located: LocatedTable) -> _Work:
    raw = located.raw.reset_index(drop=True)
    parsed, bad, numeric, text = {}, {}, {}, {}
    for col in located.tab.columns:
        if col.key not in raw:
            continue
        column = raw[col.key]  # one Series object: the cell parsers remember what they learnt about it
        result = _parse(col, column)
        parsed[col.key] = result.values
        bad[col.key] = result.bad
        numeric[col.key] = cells.display_kinds(column)[1]
        text[col.key] = cells.display_column(column)
        if col.type == "date":  # a serial-number cell (Google Sheets) is shown as the date it stands for
            serial = numeric[col.key] & result.values.notna()
            text[col.key] = text[col.key].mask(serial, result.values.dt.strftime("%Y-%m-%d"))
    index = pd.RangeIndex(len(raw))
    return _Work(located, pd.DataFrame(parsed, index=index), pd.DataFrame(text, index=index), bad, numeric)


class _Collector:
    def __init__(self, work: _Work, today: date) -> None:
        self.work = work
        self.today = today
        self.rows = work.located.raw.index.to_numpy()
        self.errors: list[CellError] = []
        self.seen: set[tuple[int, str]] = set()

    def add(self, position: int | None, key: str, code: str, detail: str = "") -> None:
        tab = self.work.located.tab
        col = tab.column(key)
        if position is None:
            self.errors.append(CellError(self.work.located.sheet, None, col.header, None, code,
                                         message(code, col, None, self.today), tab.key, key))
            return
        if (position, key) in self.seen:
            return
        self.seen.add((position, key))
        value = self.work.text[key].iat[position] if key in self.work.text else None
        value = None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else value
        numeric = bool(self.work.numeric[key].iat[position]) if key in self.work.numeric else False
        header = self.work.located.headers.get(key, col.header)
        text = message(code, col, value, self.today, numeric=numeric, detail=detail)
        self.errors.append(CellError(self.work.located.sheet, int(self.rows[position]), header, value, code,
                                     text, tab.key, key))


def _detail(work: _Work, code: str, key: str, position: int, tables: dict[str, _Work]) -> str:
    tab = work.located.tab
    rows = work.located.raw.index.to_numpy()
    if code == "duplicate":
        for rule in (u for u in tab.unique if u.report == key):
            folded = pd.DataFrame({k: match_key(work.parsed[k]) for k in rule.columns})
            mine = tuple(folded.iloc[position])
            first = next(i for i, r in enumerate(folded.itertuples(index=False)) if tuple(r) == mine)
            if first != position:
                return f"第 {rows[first]} 行"
        return _across_detail(work, key, position, tables)
    if code == "reference":
        ref = next(r for r in tab.references if r.report == key)
        target = tables[ref.tab].located
        if len(ref.columns) > 1:
            parts = "、".join(f"{work.located.headers.get(c, c)}「{work.parsed[c].iat[position]}」"
                              for c in ref.columns[:-1])
            return f"（{parts}）在「{target.sheet}」工作表中找不到"
        return f"在「{target.sheet}」工作表中找不到"
    if code == "date_order":
        order = next(o for o in tab.date_order if o.end == key)
        start = work.text[order.start].iat[position]
        return f"{work.located.headers.get(order.start, order.start)}「{start}」"
    return ""


def _across_detail(work: _Work, key: str, position: int, tables: dict[str, _Work]) -> str:
    """Where a value clashing with another tab (``unique_across``) is, e.g.
    「监测户」工作表第 5 行（户编号「H0002」）的「户主身份证号」."""
    for rule in (u for u in work.located.tab.unique_across if u.report == key and u.tab in tables):
        target = tables[rule.tab]
        clashes = across_clashes(rule, work.parsed.iloc[[position]].reset_index(drop=True), target.parsed)
        if len(clashes):
            other = int(clashes["other"].iat[0])
            header = {c.key: target.located.headers.get(c.key, c.header) for c in target.located.tab.columns}
            where = "、".join(f"{header[t]}「{target.text[t].iat[other]}」"
                             for _, t in rule.allow_same if t in target.text)
            column = "、".join(header[t] for t in rule.tab_columns)
            return (f"「{target.located.sheet}」工作表第 {target.located.raw.index[other]} 行"
                    f"{f'（{where}）' if where else ''}的「{column}」")
    return "其他记录"


def _run_schema(work: _Work, collector: _Collector, references: dict[str, frozenset[tuple[str, ...]]],
                tables: dict[str, _Work], today: date) -> None:
    schema = build_schema(work.located.tab, set(work.parsed.columns), references, today,
                          {key: other.parsed for key, other in tables.items()})
    try:
        schema.validate(work.parsed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        for check, position in cases[["check", "index"]].drop_duplicates().itertuples(index=False):
            position = int(position)
            if check == "not_nullable":
                continue  # handled from the raw cells below, so unparseable cells aren't called empty
            code, _, key = str(check).partition(":")
            if not key or work.bad.get(key, pd.Series(dtype=bool)).get(position, False):
                continue
            collector.add(position, key, code, _detail(work, code, key, position, tables))


def _finish(work: _Work, collector: _Collector) -> Table:
    located = work.located
    rows = located.raw.index
    values = work.parsed.copy()
    for error in collector.errors:
        if error.row is not None and error.key in values:
            values.loc[rows.get_loc(error.row), error.key] = pd.NA
    values.index = rows
    text = work.text.copy()
    text.index = rows
    error_rows = frozenset(e.row for e in collector.errors if e.row is not None)
    return Table(located.tab, located.sheet, located.header_row, dict(located.headers), values, text,
                 error_rows, located.present)


def validate(register: RawRegister, contract: Contract | None = None, today: date | None = None
             ) -> ValidatedRegister:
    """Validate a whole register; raises SourceError only when a required tab is missing."""
    contract = contract or load_contract()
    today = today or cells.today_in_china()
    located = locate_all(register, contract)
    works = {key: _prepare(loc) for key, loc in located.items()}
    references = {
        ref.tab: reference_keys(works[ref.tab].parsed, ref.columns)
        for tab in contract.tabs
        for ref in tab.references
        if ref.tab in works
    }
    tables: dict[str, Table] = {}
    errors: list[CellError] = []
    for key, work in works.items():
        collector = _Collector(work, today)
        for missing in work.located.missing:
            if work.located.tab.column(missing).required:
                collector.add(None, missing, "missing_column")
        for col in work.located.tab.columns:
            if col.key not in work.parsed:
                continue
            bad = work.bad[col.key]
            code = "id_number" if col.type == "id_number" else "type"
            for position in bad[bad].index:
                collector.add(int(position), col.key, code)
            if col.required:
                empty = work.parsed[col.key].isna() & ~bad
                for position in empty[empty].index:
                    collector.add(int(position), col.key, "required")
        _run_schema(work, collector, references, works, today)
        tables[key] = _finish(work, collector)
        errors.extend(collector.errors)
    order = {tab.key: i for i, tab in enumerate(contract.tabs)}
    col_order = {(tab.key, c.key): i for tab in contract.tabs for i, c in enumerate(tab.columns)}
    errors.sort(key=lambda e: (order[e.tab], e.row or 0, col_order[(e.tab, e.key)]))
    return ValidatedRegister(register.source, tables, tuple(errors))
