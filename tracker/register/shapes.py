"""Registers in the shapes the national monitoring system exports, read as the contract's tabs.

County staff keep working in the lists they export from the national system. Two of their shapes differ from the
contract's tabs, and are recognised here before the tabs are located, so that validation, rules and pages see the
contract's tabs while every error still names the sheet, the spreadsheet's own row and the header as written:

* **one sheet of person rows** (边缘易致贫人口名单, the 47-column person export): 户编号 repeated over a household's
  members, 与户主关系 present, no 监测户 tab. The household is its 户主 row (the first row when none says 户主): its
  household fields (县/乡/村, 人数, 监测对象类别, 风险…) are the 监测户 tab; every row is the 家庭成员 tab; the distinct
  县/乡/村 are the 行政村 tab; there is no 帮扶措施 tab (the rules that need one say so once). A household field that a
  later row of the same household writes differently is an error at that row naming the first; a 人数 that is not
  the household's number of rows is an error at its 户主 row.
* **one sheet of household rows** (基础信息表, 摸排): 户编号 with 乡/村 but no 与户主关系 and no 监测户 tab: each row
  is a household, the distinct 县/乡/村 the 行政村 tab.
* **监测状态 from 风险是否已消除** (是: 风险已消除, otherwise 监测中) when the households have no status column.
* **a risk over numbered columns** (致贫/返贫风险1 … 5, 致贫原因1 …): read as the one multi-value column, the values
  of the run joined in the first column of the run (whose header is the one errors name).

Header spellings of the export (县(市、区、旗), 乡(镇), 村, 证件号码, 户联系电话 …) are aliases in the contract
(``schemas/register.yaml``), data a county can extend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .contract import Contract, Tab, fold_value
from .layout import NUMBERED, find_sheet, header_positions
from .merges import fill_merges
from .sheets import Cell, Disagreement, RawRegister, RawSheet, Shape

Row = tuple[int, tuple[Cell, ...]]
_HEAD = {"户主", "本人"}


def reshape(register: RawRegister, contract: Contract) -> RawRegister:
    """``register`` with national shapes turned into the contract's tabs (unchanged when in the contract layout)."""
    if register.shape is not None or not any(t.key == "households" for t in contract.tabs):
        return register
    from .wide_measures import read_wide_measures

    households = contract.tab("households")
    if find_sheet(register, households) is None:
        persons = _person_sheet(register, contract)
        if persons is not None:
            return read_wide_measures(_from_persons(register, contract, *persons), contract)
    return read_wide_measures(_joined_numbered(register, contract), contract)


# ------------------------------------------------------------------------------------------ numbered runs


def _numbered_runs(tab: Tab, header: tuple[Cell, ...]) -> list[list[int]]:
    """Positions of each run of numbered headers naming one multi-value column of ``tab`` (two or more)."""
    from .contract import header_forms, normalize_label

    forms = {form: col.key for col in tab.columns if col.type == "multi" for form in header_forms(col)}
    runs: dict[str, list[int]] = {}
    for position, cell in enumerate(header):
        found = NUMBERED.fullmatch(normalize_label(str(cell))) if cell is not None else None
        if found and found.group(1) in forms:
            runs.setdefault(forms[found.group(1)], []).append(position)
    return [positions for positions in runs.values() if len(positions) > 1]


def _join_runs(rows: Sequence[Row], header_row: int, runs: list[list[int]]) -> tuple[Row, ...]:
    out = []
    for number, cells in rows:
        if number > header_row and runs:
            values = list(cells)
            for run in runs:
                parts = [str(values[p]).strip() for p in run if p < len(values) and values[p] is not None
                         and str(values[p]).strip()]
                if run[0] >= len(values):
                    values.extend([None] * (run[0] + 1 - len(values)))
                values[run[0]] = "、".join(parts) or None
                for p in run[1:]:
                    if p < len(values):
                        values[p] = None
            cells = tuple(values)
        out.append((number, cells))
    return tuple(out)


def _joined_numbered(register: RawRegister, contract: Contract) -> RawRegister:
    """The households tab of a contract-layout register with its numbered runs joined and its status derived."""
    tab = contract.tab("households")
    sheet = find_sheet(register, tab)
    if sheet is None:
        return register
    fixed = _household_sheet(tab, sheet)
    if fixed is sheet:
        return register
    return replace(register, sheets={name: (fixed if s is sheet else s) for name, s in register.sheets.items()})


def _household_sheet(tab: Tab, sheet: RawSheet) -> RawSheet:
    """Numbered runs joined (风险1 … 5); 监测状态 derived from the national 风险是否已消除 when the sheet has no status
    column (是: 风险已消除, otherwise 监测中), in a column added at the end of the header."""
    header_row, positions = header_positions(tab, sheet)
    if header_row is None:
        return sheet
    header = next(cells for number, cells in sheet.rows if number == header_row)
    runs = _numbered_runs(tab, header)
    source = positions.get("risk_cleared", -1)
    derive = "status" not in positions and any(  # (an empty 风险是否已消除 column says nothing)
        n > header_row and source < len(c) and c[source] is not None and str(c[source]).strip() for n, c in sheet.rows)
    if not runs and not derive:
        return sheet
    sheet, _ = fill_merges(sheet, header_row)
    rows = _join_runs(sheet.rows, header_row, runs)
    if derive:
        width = max(len(cells) for _, cells in rows)
        label = tab.column("status").header  # (its values are always allowed ones: no error ever names it)

        def status(cells: tuple[Cell, ...]) -> str:
            value = cells[source] if source < len(cells) else None
            return "风险已消除" if value is True or fold_value(str(value)) in ("是", "已消除") else "监测中"

        rows = tuple((n, (*c, *[None] * (width - len(c)), label if n == header_row else status(c)))
                     if n >= header_row else (n, c) for n, c in rows)
    return RawSheet(sheet.name, rows)


# ------------------------------------------------------------------------------------------- person lists


def _person_sheet(register: RawRegister, contract: Contract) -> tuple[RawSheet, int, dict[str, int]] | None:
    """The export's sheet: 户编号 with 乡/村 (households) in one header row; with 与户主关系 a person list, without it
    a household sheet (基础信息表: one row per household). The first such sheet, person lists first."""
    households = contract.tab("households")
    members = contract.tab("members") if any(t.key == "members" for t in contract.tabs) else None
    found_sheets = []
    for sheet in register.sheets.values():
        header_row, positions = header_positions(households, sheet)
        if header_row is None or not {"household_id", "township", "village"} <= set(positions):
            continue
        persons = members is not None and "relation" in header_positions(members, sheet)[1]
        found_sheets.append((not persons, sheet, header_row, positions))
    if not found_sheets:
        return None
    _, sheet, header_row, positions = min(found_sheets, key=lambda f: f[0])
    return sheet, header_row, positions


class _Rows:
    """The person rows of one sheet, read through the positions of the household columns."""

    def __init__(self, sheet: RawSheet, header: tuple[Cell, ...], positions: dict[str, int]) -> None:
        self.sheet, self.header, self.positions = sheet, header, positions

    def cell(self, cells: tuple[Cell, ...], key: str) -> Cell:
        pos = self.positions.get(key)
        return cells[pos] if pos is not None and pos < len(cells) else None

    def text(self, cells: tuple[Cell, ...], key: str) -> str:
        value = self.cell(cells, key)
        return "" if value is None else fold_value(str(value))

    def written(self, key: str) -> str:
        return str(self.header[self.positions[key]])


def _disagreements(rows: _Rows, household: list[Row], head: Row, own: list[str]) -> list[Disagreement]:
    """Household fields a later row writes differently from the first, and a 人数 that is not the row count."""
    out = []
    first_number, first = household[0]
    for number, cells in household[1:]:
        for key in own:
            if rows.text(cells, key) != rows.text(first, key):
                written = rows.written(key)
                out.append(Disagreement(
                    rows.sheet.name, number, "households", key, written, rows.cell(cells, key),
                    f"同一户（户编号相同）的各行，「{written}」应当相同：第 {first_number} 行填的是"
                    f"「{_shown(rows.cell(first, key))}」，这一行是「{_shown(rows.cell(cells, key))}」；"
                    "请核对后改成一致"))
    people = rows.cell(head[1], "people")
    if "people" in own and people is not None and rows.text(head[1], "people") != str(len(household)):
        written = rows.written("people")
        out.append(Disagreement(
            rows.sheet.name, head[0], "households", "people", written, people,
            f"「{written}」填的是 {_shown(people)}，名单里这一户（户编号 {rows.text(head[1], 'household_id')}）有 "
            f"{len(household)} 行人员；请补全家庭成员的行，或改正人数"))
    return out


def _villages(rows: _Rows, heads: list[Row]) -> list[Row]:
    """One row per distinct 县/乡/村, at the row of its first household, holding only those three cells."""
    keep = {rows.positions[k] for k in ("county", "township", "village") if k in rows.positions}
    places: dict[tuple[str, ...], Row] = {}
    for number, cells in heads:
        place = tuple(rows.text(cells, k) for k in ("county", "township", "village"))
        if place not in places:
            places[place] = (number, tuple(c if i in keep else None for i, c in enumerate(cells[:max(keep) + 1])))
    return list(places.values())


def _from_persons(register: RawRegister, contract: Contract, sheet: RawSheet, header_row: int,
                  positions: dict[str, int]) -> RawRegister:
    households = contract.tab("households")
    members = contract.tab("members") if any(t.key == "members" for t in contract.tabs) else None
    sheet, _ = fill_merges(sheet, header_row)
    header = next(cells for number, cells in sheet.rows if number == header_row)
    lines = _join_runs([r for r in sheet.rows if r[0] >= header_row], header_row, _numbered_runs(households, header))
    data = [(n, c) for n, c in lines if n > header_row and any(v is not None and str(v).strip() for v in c)]
    member_positions = header_positions(members, RawSheet(sheet.name, lines))[1] if members is not None else {}
    persons = "relation" in member_positions  # else one row per household
    own = [k for k, pos in positions.items() if pos not in member_positions.values()]  # household fields
    rows = _Rows(sheet, header, positions)
    groups: dict[object, list[Row]] = {}
    for number, cells in data:
        groups.setdefault(rows.text(cells, "household_id") if persons else number, []).append((number, cells))
    relation = member_positions.get("relation")
    heads: list[Row] = []
    problems: list[Disagreement] = []
    for household in groups.values():
        head = next((r for r in household if relation is not None and relation < len(r[1])
                     and r[1][relation] is not None and fold_value(str(r[1][relation])) in _HEAD), household[0])
        heads.append(head)
        problems += _disagreements(rows, household, head, own if persons else [])
    places = _villages(rows, heads)
    top = (header_row, header)
    others = {t.key: find_sheet(register, t) for t in contract.tabs if t.key not in ("villages", "households")}
    if persons:
        others.pop("members", None)
    sheets = {name: s for name, s in register.sheets.items()  # other sheets stay (a wide measures sheet …)
              if s is not sheet and all(s is not found for found in others.values())}
    sheets.update({contract.tab(key).name: found for key, found in others.items() if found is not None})
    sheets.update({contract.tab("villages").name: RawSheet(sheet.name, (top, *places)),
                   households.name: _household_sheet(households, RawSheet(sheet.name, (top, *sorted(heads))))})
    if persons and members is not None:
        sheets[members.name] = RawSheet(sheet.name, (top, *data))
    absent = tuple(key for key, found in others.items() if found is None and contract.tab(key).required)
    shape = Shape("person_list" if persons else "household_sheet", sheet.name, len(data), len(heads), len(places),
                  absent, tuple(problems))
    return RawRegister(register.source, sheets, register.files, shape)


def _shown(value: Cell) -> str:
    return "" if value is None else str(value)
