"""Validation stage: raw register -> typed tables + every cell error at once.

Pre-cleaning (``cells``) turns raw cells into typed values and records unparseable ones; the checks of the
contract (``schema`` builds them as a pandera schema, ``checks`` runs the same checks vectorized) then judge
the parsed values. A row with errors is never dropped: it stays in its table, its bad cells set to NA, and
is listed in ``error_rows``.

Each column is handled on its distinct cells (``distinct``): a million rows repeat a few thousand dates,
amounts and names, and what a cell parses to, how it is shown and whether it passes a column check depend
on the cell alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd

from tracker.register import (
    Contract,
    FileNote,
    LocatedTable,
    RawRegister,
    Shape,
    Tab,
    load_contract,
    locate_all,
    reshape,
)
from tracker.validate import cells

from .checks import Checker, Details, TabData
from .distinct import DistinctColumn, ValueCodes
from .messages import message


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


@dataclass(frozen=True, eq=False)
class Table:
    """One tab after validation. ``values`` holds valid typed values (bad cells NA), ``text`` the cells
    as the editor wrote them; both are indexed by the spreadsheet's own row numbers.

    ``text_data`` is the ``text`` frame, or a function making it: it is made when first asked for (checking
    a register never needs it; the site does).

    ``months`` maps a date column's key to the rows (spreadsheet row numbers) whose date was written to the month
    only (``202104``, ``2021-04``): their value is the month's last day (:mod:`tracker.validate.months`)."""

    tab: Tab
    sheet: str
    header_row: int | None
    headers: dict[str, str]
    values: pd.DataFrame
    text_data: pd.DataFrame | Callable[[], pd.DataFrame] = field(repr=False)
    error_rows: frozenset[int]
    present: bool = True  # False: an optional tab the register does not have (empty, left out of summaries)
    # the columns of ``values`` encoded (as validation parsed them): for fast comparisons and joins
    encoded: Mapping[str, ValueCodes] = field(default_factory=dict, compare=False, repr=False)
    months: Mapping[str, frozenset[int]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def text(self) -> pd.DataFrame:
        return self.text_data if isinstance(self.text_data, pd.DataFrame) else self.text_data()

    def header(self, key: str) -> str:
        return self.headers.get(key, self.tab.column(key).header)

    def month_only(self, key: str, row: int) -> bool:
        """Was the date of column ``key`` at spreadsheet row ``row`` written to the month only?"""
        return row in self.months.get(key, frozenset())


@dataclass(frozen=True)
class ValidatedRegister:
    source: str
    tables: dict[str, Table]
    errors: tuple[CellError, ...]
    merged_cells: int = 0  # cells given their value by a merged range (合并单元格), over every tab
    files: tuple[FileNote, ...] = ()  # a folder source: every file of it, read or skipped and why
    shape: Shape | None = None  # a national export's shape the register was read from (tracker.register.shapes)

    def summary(self) -> dict[str, Any]:
        present = [t for t in self.tables.values() if t.present]
        shared = {s for s, n in Counter(t.sheet for t in present).items() if n > 1}  # one sheet read as several tabs
        name = {id(t): f"{t.sheet}（{t.tab.name}）" if t.sheet in shared else t.sheet for t in present}
        return {
            "source": self.source,
            "error_count": len(self.errors),
            "by_code": dict(Counter(e.code for e in self.errors)),
            "by_sheet": dict(Counter(e.sheet for e in self.errors)),
            "rows": {name[id(t)]: len(t.values) for t in present},
            "rows_with_errors": {name[id(t)]: len(t.error_rows) for t in present},
            "merged_cells": self.merged_cells,
            **({"files": [f.as_dict() for f in self.files]} if self.files else {}),
            **({"shape": self.shape.as_dict()} if self.shape is not None else {}),
        }


class _Collector:
    """The errors of one tab, at most one per cell: the first check to flag a cell names its error."""

    def __init__(self, data: TabData, today: date, messages: dict[tuple[Any, ...], str]) -> None:
        self.data = data
        self.today = today
        self.messages = messages
        self.errors: list[CellError] = []
        self.taken: dict[str, np.ndarray] = {}  # key -> per row: has an error already

    def missing_column(self, key: str) -> None:
        tab = self.data.tab
        col = tab.column(key)
        self.errors.append(CellError(self.data.sheet, None, col.header, None, "missing_column",
                                     message("missing_column", col, None, self.today), tab.key, key))

    def add(self, positions: np.ndarray, key: str, code: str, detail: Details | None = None) -> None:
        """Errors ``code`` on the rows at ``positions`` (ascending) of column ``key``, except cells taken."""
        if not len(positions):
            return
        taken = self.taken.get(key)
        if taken is None:  # only columns with errors get one (_finish shares one all-False array among the rest)
            taken = self.taken[key] = np.zeros(len(self.data), dtype=bool)
        positions = positions[~taken[positions]]
        if not len(positions):
            return
        taken[positions] = True
        tab, column = self.data.tab, self.data.columns[key]
        col = tab.column(key)
        header = self.data.headers.get(key, col.header)
        if header != col.header:  # messages name the column as the sheet writes it (劳动技能, not 劳动能力)
            col = replace(col, header=header)
        for position in positions.tolist():
            value = column.text_at(position)
            value = None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else value
            numeric = bool(column.numeric[column.codes[position]])
            text = detail(code, key, position) if detail is not None else ""
            memo = (code, tab.key, key, value, numeric, text)
            if memo not in self.messages:
                self.messages[memo] = message(code, col, value, self.today, numeric=numeric, detail=text)
            self.errors.append(CellError(self.data.sheet, int(self.data.rows[position]), header, value, code,
                                         self.messages[memo], tab.key, key))


def _prepare(located: LocatedTable) -> TabData:
    columns = {col.key: DistinctColumn.of(col, located.columns[col.key])
               for col in located.tab.columns if col.key in located.columns}
    return TabData(located.tab, located.sheet, located.index.to_numpy(), dict(located.headers), columns)


def _finish(located: LocatedTable, data: TabData, collector: _Collector) -> Table:
    rows = located.index
    keys = list(data.columns)
    none = np.zeros(len(rows), dtype=bool)
    none.flags.writeable = False  # one for every column without errors (a million rows: 1 MB each)
    dropped = {key: collector.taken.get(key, none) for key in keys}
    values = {key: data.columns[key].expand(np.flatnonzero(dropped[key])) for key in keys}
    error_rows = frozenset(e.row for e in collector.errors if e.row is not None)
    month_rows = {key: data.columns[key].month_rows(dropped[key]) for key in keys}
    months = {key: frozenset(rows[at].tolist()) for key, at in month_rows.items() if len(at)}
    encoded = {key: ValueCodes(data.columns[key], dropped[key]) for key in keys}
    frame = pd.DataFrame(values, index=rows, copy=False)
    if months:  # carried by the frame (and every column taken from it) to the words of the rules: 只填到月
        frame.attrs["months"] = months
    return Table(located.tab, located.sheet, located.header_row, dict(located.headers), frame,
                 partial(_text_frame, rows, list(data.columns.values())), error_rows, located.present, encoded, months)


def _text_frame(rows: pd.Index, columns: list[DistinctColumn]) -> pd.DataFrame:
    """The cells as written (display text), one object column per present column."""
    if not columns:
        return pd.DataFrame({}, index=rows)
    text = np.empty((len(rows), len(columns)), dtype=object, order="F")
    for i, column in enumerate(columns):
        column.expand_text(text[:, i])
    return pd.DataFrame(text, index=rows, columns=[c.key for c in columns], dtype=object, copy=False)  # one block


def _disagreements(shape: Shape | None, tab: str) -> list[CellError]:
    """A person list's household fields that its rows write differently (:mod:`tracker.register.shapes`)."""
    found = shape.disagreements if shape is not None else ()
    return [CellError(d.sheet, d.row, d.header, None if d.value is None else str(d.value), "inconsistent", d.message,
                      d.tab, d.key) for d in found if d.tab == tab]


def _in_sheet_order(errors: list[CellError], contract: Contract) -> list[CellError]:
    """Sheet by sheet (in the order of the first tab each sheet feeds), row by row, column by column; a cell that
    feeds two tabs (a person list's 户主 row is a household and a member) is reported once."""
    order = {tab.key: i for i, tab in enumerate(contract.tabs)}
    col_order = {(tab.key, c.key): i for tab in contract.tabs for i, c in enumerate(tab.columns)}
    errors.sort(key=lambda e: (order[e.tab], e.row or 0, col_order[(e.tab, e.key)]))
    sheet_order: dict[str, int] = {}
    for e in errors:
        sheet_order.setdefault(e.sheet, len(sheet_order))
    errors.sort(key=lambda e: (sheet_order[e.sheet], e.row or 0))  # (stable: tab, then column order within a row)
    return list(dict.fromkeys(errors))


def validate(register: RawRegister, contract: Contract | None = None, today: date | None = None
             ) -> ValidatedRegister:
    """Validate a whole register; raises SourceError only when a required tab is missing.

    Once the tables are located the register itself is no longer referenced here: a caller that hands it over
    (keeping no reference of its own) lets its raw cells go while validation goes on."""
    contract = contract or load_contract()
    today = today or cells.today_in_china()
    register = reshape(register, contract)
    located = locate_all(register, contract)
    source, files, shape = register.source, register.files, register.shape
    del register
    data = {key: _prepare(loc) for key, loc in located.items()}
    # the key set of a referenced tab is taken over the columns of the last reference to it (as always)
    reference_columns = {ref.tab: ref.columns for tab in contract.tabs for ref in tab.references if ref.tab in data}
    messages: dict[tuple[Any, ...], str] = {}
    collectors: dict[str, _Collector] = {}
    errors: list[CellError] = []
    for key, loc in located.items():
        work = data[key]
        collector = _Collector(work, today, messages)
        absent = shape.absent_columns if shape is not None else ()
        for missing in loc.missing:
            if loc.tab.column(missing).required and (key, missing) not in absent:  # (an export never has it)
                collector.missing_column(missing)
        for col in loc.tab.columns:
            if col.key not in work.columns:
                continue
            column = work.columns[col.key]
            collector.add(np.flatnonzero(column.rows(column.bad)), col.key,
                          "id_number" if col.type == "id_number" else "type")
            if col.required:
                collector.add(np.flatnonzero(column.rows(column.missing & ~column.bad)), col.key, "required")
        checker = Checker(work, data, reference_columns, today)
        details = Details(checker)
        for failure in checker.failures():
            column = work.columns[failure.key]
            positions = failure.positions[~column.rows(column.bad)[failure.positions]]
            collector.add(positions, failure.key, failure.code, details)
        collector.errors.extend(_disagreements(shape, key))
        collectors[key] = collector
        errors.extend(collector.errors)
    for work in data.values():  # the text matrices served the checks only: let them go before the tables are made
        for column in work.columns.values():
            column.drop_matrix()
    tables = {key: _finish(loc, data[key], collectors[key]) for key, loc in located.items()}
    errors = _in_sheet_order(errors, contract)
    merged = sum(loc.merged for loc in located.values())
    return ValidatedRegister(source, tables, tuple(errors), merged_cells=merged, files=files, shape=shape)
