"""Merged cells read as the clerk sees them.

County sheets merge one household's 户编号, 户主姓名 and 家庭人口数 down over its members' rows, or one village over
its households. A file records such a range once: the value sits in its top-left cell and the cells it covers are
empty. Read literally, every covered row would lack its 户编号, though the clerk sees the number right there.

So below the header (a merge in the title or header rows is layout, not data) each merged range gives its top-left
value to every cell it covers, in the rows that hold anything else (a range reaching down into blank rows does not
make households of them), and within the columns the sheet uses. Readers report ranges in
:attr:`~tracker.register.sheets.RawSheet.merges`; :func:`fill_merges` applies them once the header is known.
"""

from __future__ import annotations

import bisect
import re

from tracker.common import SourceError

from .sheets import Cell, Merge, RawSheet
from .xlsx_limits import MAX_CELLS, column_number

_XLSX_MERGE = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})"')


def xlsx_merges(xml: bytes) -> tuple[Merge, ...]:
    """The merged ranges of one worksheet's XML (``<mergeCell ref="A2:A4"/>``, after the sheet data)."""
    start = xml.rfind(b"</sheetData>")
    found = []
    for m in _XLSX_MERGE.finditer(xml, max(start, 0)):
        c0, r0, c1, r1 = column_number(m[1]), int(m[2]), column_number(m[3]), int(m[4])
        found.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))
    return tuple(found)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def fill_merges(sheet: RawSheet, header_row: int | None) -> tuple[RawSheet, int]:
    """``sheet`` with every merged range below ``header_row`` filled from its top-left cell, and how many cells
    were given a value."""
    if not sheet.merges or header_row is None:
        return sheet, 0
    rows = list(sheet.rows)
    numbers = [number for number, _ in rows]
    width = max((len(cells) for _, cells in rows), default=0)
    changed: dict[int, list[Cell]] = {}
    filled, budget = 0, MAX_CELLS
    for first_row, first_col, last_row, last_col in sorted(set(sheet.merges)):
        last_col = min(last_col, width)
        if first_row <= header_row or first_col < 1 or first_col > last_col:
            continue
        start = bisect.bisect_left(numbers, first_row)
        if start == len(numbers) or numbers[start] != first_row:
            continue  # the top-left cell's row is empty: nothing to give
        top = changed.get(start) or rows[start][1]
        value = top[first_col - 1] if first_col <= len(top) else None
        if _blank(value):
            continue
        end = bisect.bisect_right(numbers, last_row)
        budget -= (end - start) * (last_col - first_col + 1)
        if budget < 0:
            raise SourceError(f"工作表「{sheet.name}」的合并单元格覆盖了 {MAX_CELLS // 10_000:,} 万格以上，超过本程序"
                              "能读取的上限：请取消多余的合并（开始 › 合并后居中 › 取消单元格合并）后保存再试。")
        for index in range(start, end):
            cells = changed.get(index)
            if cells is None:
                cells = changed[index] = list(rows[index][1])
            if len(cells) < last_col:
                cells.extend([None] * (last_col - len(cells)))
            for column in range(first_col - 1, last_col):
                if (index, column) != (start, first_col - 1) and cells[column] != value:
                    cells[column] = value
                    filled += 1
    if not changed:
        return sheet, 0
    for index, cells in changed.items():
        rows[index] = (rows[index][0], tuple(cells))
    return RawSheet(sheet.name, tuple(rows), sheet.merges), filled
