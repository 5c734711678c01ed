"""A measures sheet in the national system's wide shape: one column per measure category, read as measure rows.

The national household forms (基础信息表 / 摸排) record assistance as one column per category (产业帮扶, 就业帮扶,
金融帮扶, 公益岗位帮扶, 住房安全保障, 健康帮扶, 综合保障 …) whose cell holds the sub-measure given, or 已实施 / 是. Such
a sheet has a 户编号 but no 措施类别, so located as the contract's 帮扶措施 tab it would read as no measures at all.

It is recognised by a header row (in the first rows) holding 户编号 and at least two category names (the 措施类别
values and their synonyms in ``schemas/register.yaml``), and read as one measure per non-empty category cell: 户编号
from its row, 措施类别 the column's header, 具体措施 the cell (none when it only says 是 / 已实施 / √); 否, 无, 0 and
未实施 are no measure. Each measure keeps its spreadsheet row (a row with three measures gives three measures at that
row). The export has no dates: 开始日期 is an absent column, never "missing", and the rules that need it are not
run — said once in ``tracker check`` (see :attr:`tracker.register.shapes.Shape.absent_columns`).
"""

from __future__ import annotations

from dataclasses import replace

from .contract import Contract, Tab, fold_value, header_forms, normalize_label
from .layout import HEADER_SEARCH_ROWS, header_positions
from .sheets import Cell, RawRegister, RawSheet, Shape

_YES = {"是", "已实施", "√", "✓", "✔", "有", "已享受", "享受"}
_NO = {"否", "无", "0", "未实施", "没有", "不享受", "×", "-", "—", "/"}
_KIND, _DETAIL = "措施类别", "具体措施"


def _categories(tab: Tab) -> set[str]:
    kind = tab.column("kind")
    return {normalize_label(v) for v in kind.values} | {normalize_label(s) for s, _ in kind.synonyms}


def _wide_header(tab: Tab, sheet: RawSheet) -> tuple[int, int, list[int]] | None:
    """(header row, position of 户编号, positions of category columns) when ``sheet`` is a wide measures sheet."""
    ids = header_forms(tab.column("household_id"))
    categories = _categories(tab)
    for index, (number, cells) in enumerate(sheet.rows):
        if number > HEADER_SEARCH_ROWS and index >= HEADER_SEARCH_ROWS:
            break
        labels = [normalize_label(str(c)) if c is not None else "" for c in cells]
        found = [i for i, label in enumerate(labels) if label in categories]
        household = next((i for i, label in enumerate(labels) if label in ids), None)
        if household is not None and len(found) >= 2:
            return number, household, found
    return None


def _rows(sheet: RawSheet, header_row: int, household: int, columns: list[int]) -> list[tuple[int, tuple[Cell, ...]]]:
    header = next(cells for number, cells in sheet.rows if number == header_row)
    out: list[tuple[int, tuple[Cell, ...]]] = [(header_row, (header[household], _KIND, _DETAIL))]
    for number, cells in sheet.rows:
        if number <= header_row:
            continue
        owner = cells[household] if household < len(cells) else None
        for position in columns:
            value = cells[position] if position < len(cells) else None
            text = "" if value is None else fold_value(str(value))
            if not text or text in _NO:
                continue
            out.append((number, (owner, header[position], None if text in _YES else value)))
    return out


def read_wide_measures(register: RawRegister, contract: Contract) -> RawRegister:
    """``register`` with a wide measures sheet read as the 帮扶措施 tab (unchanged when it has none)."""
    if not any(t.key == "measures" for t in contract.tabs):
        return register
    tab = contract.tab("measures")
    other_tabs = {normalize_label(t.name) for t in contract.tabs if t.key != "measures"}
    for name, sheet in register.sheets.items():
        if normalize_label(name) in other_tabs:
            continue  # 行政村, 监测户, 家庭成员 (also as made from a person list)
        if "kind" in header_positions(tab, sheet)[1]:
            continue  # the contract's layout
        found = _wide_header(tab, sheet)
        if found is None:
            continue
        rows = _rows(sheet, *found)
        sheets = {n: s for n, s in register.sheets.items()
                  if s is not sheet and normalize_label(n) != normalize_label(tab.name)}
        sheets[tab.name] = RawSheet(sheet.name, tuple(rows))
        shape = register.shape
        if shape is None:
            shape = Shape("contract", "", 0, 0, 0)
        shape = replace(shape, absent_tabs=tuple(t for t in shape.absent_tabs if t != "measures"),
                        absent_columns=(*shape.absent_columns, ("measures", "start")), measures_sheet=sheet.name,
                        measures=len(rows) - 1)
        return RawRegister(register.source, sheets, register.files, shape)
    return register
