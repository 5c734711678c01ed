"""Find each contract tab in a raw register, its header row and its columns, tolerating messy layouts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from tracker.common import SourceError

from .contract import Contract, Tab, header_forms, normalize_label
from .encoded import EncodedRows, RawColumn, encode_rows
from .merges import fill_merges
from .sheets import Cell, RawRegister, RawSheet

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class LocatedTable:
    """A tab with its header found: which contract column sits where, spelled how.

    ``columns`` holds the raw cells of the data rows, dictionary-encoded (:mod:`tracker.register.encoded`);
    ``raw`` the same cells as a frame (built on first use)."""

    tab: Tab
    sheet: str  # the tab name as written in the source
    header_row: int | None  # spreadsheet row number of the header, None when no header was recognised
    headers: dict[str, str]  # column key -> header text exactly as written
    missing: tuple[str, ...]  # keys of contract columns not found
    index: pd.Index  # spreadsheet row numbers of the data rows (name "row")
    columns: dict[str, RawColumn] = field(repr=False)  # found keys, in the order of the header
    present: bool = True  # False for an optional tab the register does not have (read as an empty sheet)
    merged: int = 0  # cells of the data rows given a value by a merged range above or left of them

    @cached_property
    def raw(self) -> pd.DataFrame:
        """Raw cells of the data rows: columns = found keys, index = spreadsheet row numbers."""
        return pd.DataFrame({key: pd.Series(col.cells(), index=self.index, dtype=object)
                             for key, col in self.columns.items()}, index=self.index)


def _match_columns(tab: Tab, cells: tuple[object, ...]) -> dict[str, int]:
    wanted = {form: col.key for col in tab.columns for form in header_forms(col)}
    numbered = {form: col.key for col in tab.columns if col.type == "multi" for form in header_forms(col)}
    found: dict[str, int] = {}
    for position, cell in enumerate(cells):
        if cell is None:
            continue
        label = normalize_label(str(cell))
        key = wanted.get(label)
        if key is None and (number := NUMBERED.fullmatch(label)):  # 致贫/返贫风险1 … 5: one multi-value column
            key = numbered.get(number.group(1))
        if key is not None and key not in found:
            found[key] = position
    return found


#: a header ending in a number: the first of a run of columns holding one multi-value column (风险1 … 风险5)
NUMBERED = re.compile(r"(.+?)(\d{1,2})")


def _best_row(tab: Tab, sheet: RawSheet) -> tuple[int | None, tuple[Cell, ...], dict[str, int]]:
    """Of the first rows, the one naming the most contract columns: its number, cells and column positions."""
    best: tuple[int | None, tuple[Cell, ...], dict[str, int]] = (None, (), {})
    for index, (number, cells) in enumerate(sheet.rows):
        if number > HEADER_SEARCH_ROWS and index >= HEADER_SEARCH_ROWS:
            break
        found = _match_columns(tab, cells)
        if len(found) > len(best[2]):
            best = (number, cells, found)
    return best


def header_positions(tab: Tab, sheet: RawSheet) -> tuple[int | None, dict[str, int]]:
    """The header row of ``tab`` in ``sheet`` (None when not found) and the position of each column found."""
    number, _, found = _best_row(tab, sheet)
    needed = 1 if len(tab.columns) == 1 else 2
    return (number, found) if len(found) >= needed else (None, {})


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
    header_row, positions = header_positions(tab, sheet)
    sheet, merged = fill_merges(sheet, header_row)
    header_cells = next((cells for number, cells in sheet.rows if number == header_row), ())
    headers = {key: str(header_cells[pos]) for key, pos in positions.items()}
    index, columns = _data(sheet, header_row, positions)
    # A tab with no rows at all (an empty measures tab) has nothing to judge, so no column is "missing".
    missing = tuple(col.key for col in tab.columns if col.key not in positions) if sheet.rows else ()
    return LocatedTable(tab, sheet.name, header_row, headers, missing, index, columns, merged=merged)


def matching_sheets(register: RawRegister, tab: Tab) -> list[RawSheet]:
    """The sheets whose name is the tab's (width, brackets and spaces folded: 「监测户 」 is 「监测户」)."""
    wanted = normalize_label(tab.name)
    return [sheet for name, sheet in register.sheets.items() if normalize_label(name) == wanted]


def find_sheet(register: RawRegister, tab: Tab) -> RawSheet | None:
    found = matching_sheets(register, tab)
    return found[0] if found else None


def _best_guess(tab: Tab, sheet: RawSheet) -> dict[str, str]:
    """The contract columns recognised in the most promising of the first rows (key -> header as written)."""
    _, cells, found = _best_row(tab, sheet)
    return {key: str(cells[pos]) for key, pos in found.items()}


def _has_content(sheet: RawSheet) -> bool:
    rows = sheet.rows
    if isinstance(rows, EncodedRows):
        return bool(len(rows.numbers)) and not rows.blank(np.arange(len(rows.numbers))).all()
    return any(not _is_blank(cells) for _, cells in rows)


def _shape_problems(tab: Tab, sheets: list[RawSheet], located: LocatedTable) -> list[str]:
    """What makes a tab unusable as a whole: two sheets claim it, its header is not found, it has no rows."""
    if len(sheets) > 1:
        names = "、".join(f"「{s.name}」" for s in sheets)
        return [f"有 {len(sheets)} 个工作表都对应「{tab.name}」：{names}（名字只差空格、全角半角或括号），"
                "程序不知道该用哪一个；请删除或改名多余的那个"]
    if not sheets:
        return []
    if located.header_row is None and _has_content(sheets[0]):
        seen = _best_guess(tab, sheets[0])
        needed = [c.header for c in tab.columns if c.required and c.key not in seen]
        recognised = f"认出了「{'」「'.join(seen.values())}」，" if seen else ""
        return [f"工作表「{located.sheet}」的前 {HEADER_SEARCH_ROWS} 行里找不到表头：{recognised}至少还需要「"
                f"{'」「'.join(needed[:6])}」{'等' if len(needed) > 6 else ''}列（别名见 schemas/register.yaml）；"
                f"这个表里的数据一行也读不出来，请把表头放在前 {HEADER_SEARCH_ROWS} 行内、列名按模板填写"]
    if tab.rows_required and not len(located.index):
        where = f"表头在第 {located.header_row} 行，下面" if located.header_row is not None else "整个工作表"
        return [f"工作表「{located.sheet}」没有数据行（{where}是空的）：名册里一户也没有，不能校验、不能生成网站；"
                "请检查是否选错了文件、工作表被清空，或数据贴到了别的工作表"]
    return []


def locate_all(register: RawRegister, contract: Contract) -> dict[str, LocatedTable]:
    """Every contract tab located.  What makes the register impossible to judge stops here, every such problem
    at once: a required tab missing, a tab claimed by two sheets, a tab with rows but no recognisable header,
    no data rows in a tab that needs them (a register that lost its households is never taken for an empty
    county)."""
    absent = register.shape.absent_tabs if register.shape is not None else ()
    missing = [tab.name for tab in contract.tabs
               if tab.required and tab.key not in absent and find_sheet(register, tab) is None]
    problems = []
    if missing:
        have = "、".join(f"「{n}」" for n in register.sheets) or "没有任何工作表"
        names = "、".join(f"「{n}」" for n in missing)
        problems.append(f"缺少工作表 {names}（现有：{have}），请按模板添加")
    located: dict[str, LocatedTable] = {}
    for tab in contract.tabs:
        sheets = matching_sheets(register, tab)
        located[tab.key] = locate(tab, sheets[0] if sheets else RawSheet(tab.name, ()))
        if not sheets:
            located[tab.key] = replace(located[tab.key], present=False)
        elif tab.name not in missing:
            problems += _shape_problems(tab, sheets, located[tab.key])
    problems = list(dict.fromkeys(problems))  # (a person list is the sheet of both villages and households)
    if len(problems) == 1:
        raise SourceError(f"名册 {register.source} 不能使用：{problems[0]}，然后重试。")
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise SourceError(f"名册 {register.source} 有 {len(problems)} 处问题，不能使用，请改正后重试：\n{listing}")
    return located
