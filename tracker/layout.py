"""Find each contract tab in a raw register, its header row and its columns, tolerating messy layouts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from .contract import Contract, Tab, header_forms, normalize_label
from .encoded import EncodedRows, RawColumn, encode_rows
from .errors import SourceError
from .sheets import RawRegister, RawSheet

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class LocatedTable:
    """A tab with its header found: which contract column sits where, spelled how.

    ``columns`` holds the raw cells of the data rows, dictionary-encoded (:mod:`tracker.encoded`);
    ``raw`` the same cells as a frame (built on first use)."""

    tab: Tab
    sheet: str  # the tab name as written in the source
    header_row: int | None  # spreadsheet row number of the header, None when no header was recognised
    headers: dict[str, str]  # column key -> header text exactly as written
    missing: tuple[str, ...]  # keys of contract columns not found
    index: pd.Index  # spreadsheet row numbers of the data rows (name "row")
    columns: dict[str, RawColumn] = field(repr=False)  # found keys, in the order of the header
    present: bool = True  # False for an optional tab the register does not have (read as an empty sheet)

    @cached_property
    def raw(self) -> pd.DataFrame:
        """Raw cells of the data rows: columns = found keys, index = spreadsheet row numbers."""
        return pd.DataFrame({key: pd.Series(col.cells(), index=self.index, dtype=object)
                             for key, col in self.columns.items()}, index=self.index)


def _match_columns(tab: Tab, cells: tuple[object, ...]) -> dict[str, int]:
    wanted = {form: col.key for col in tab.columns for form in header_forms(col)}
    found: dict[str, int] = {}
    for position, cell in enumerate(cells):
        if cell is None:
            continue
        key = wanted.get(normalize_label(str(cell)))
        if key is not None and key not in found:
            found[key] = position
    return found


def _find_header(tab: Tab, sheet: RawSheet) -> tuple[int | None, dict[str, int]]:
    best: tuple[int | None, dict[str, int]] = (None, {})
    for index, (number, cells) in enumerate(sheet.rows):
        if number > HEADER_SEARCH_ROWS and index >= HEADER_SEARCH_ROWS:
            break
        found = _match_columns(tab, cells)
        if len(found) > len(best[1]):
            best = (number, found)
    needed = 1 if len(tab.columns) == 1 else 2
    return best if len(best[1]) >= needed else (None, {})


def _is_blank(cells: tuple[object, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _data(sheet: RawSheet, header_row: int | None, positions: dict[str, int]) -> tuple[pd.Index, dict[str, RawColumn]]:
    """The data rows below the header (blank rows skipped): their numbers and the columns at ``positions``."""
    rows = sheet.rows
    if isinstance(rows, EncodedRows):
        below = np.flatnonzero(rows.numbers > header_row) if header_row is not None else np.zeros(0, dtype=np.intp)
        below = below[~rows.blank(below)]
        numbers = rows.numbers[below]
        contiguous = len(below) > 0 and below[-1] - below[0] == len(below) - 1
        selected: np.ndarray | slice = slice(int(below[0]), int(below[-1]) + 1) if contiguous else below
        columns = {key: rows.column(pos, selected) for key, pos in positions.items()}
    else:
        data = [(number, cells) for number, cells in rows
                if header_row is not None and number > header_row and not _is_blank(cells)]
        numbers = np.array([number for number, _ in data], dtype=np.int64)
        columns = encode_rows([cells for _, cells in data], positions)
    return pd.Index(numbers, dtype="int64", name="row"), columns


def locate(tab: Tab, sheet: RawSheet) -> LocatedTable:
    header_row, positions = _find_header(tab, sheet)
    header_cells = next((cells for number, cells in sheet.rows if number == header_row), ())
    headers = {key: str(header_cells[pos]) for key, pos in positions.items()}
    index, columns = _data(sheet, header_row, positions)
    # A tab with no rows at all (an empty measures tab) has nothing to judge, so no column is "missing".
    missing = tuple(col.key for col in tab.columns if col.key not in positions) if sheet.rows else ()
    return LocatedTable(tab, sheet.name, header_row, headers, missing, index, columns)


def find_sheet(register: RawRegister, tab: Tab) -> RawSheet | None:
    wanted = normalize_label(tab.name)
    for name, sheet in register.sheets.items():
        if normalize_label(name) == wanted:
            return sheet
    return None


def locate_all(register: RawRegister, contract: Contract) -> dict[str, LocatedTable]:
    """Every contract tab located; a missing required tab stops here (the register can't be judged)."""
    missing = [tab.name for tab in contract.tabs if tab.required and find_sheet(register, tab) is None]
    if missing:
        have = "、".join(f"「{n}」" for n in register.sheets) or "没有任何工作表"
        names = "、".join(f"「{n}」" for n in missing)
        raise SourceError(
            f"名册 {register.source} 缺少工作表 {names}（现有：{have}），请按模板添加后重试（工作表可以没有数据行）。"
        )
    located: dict[str, LocatedTable] = {}
    for tab in contract.tabs:
        sheet = find_sheet(register, tab)
        located[tab.key] = locate(tab, sheet or RawSheet(tab.name, ()))
        if sheet is None:
            located[tab.key] = replace(located[tab.key], present=False)
    return located
