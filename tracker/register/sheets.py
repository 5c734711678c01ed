"""Plain, source-independent tables of cells: what every source yields and every writer takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

#: A raw cell as a source hands it over: text, a number, a date (cell or serial converted by the
#: source only when the source itself knows it is a date), a boolean, or ``None`` for an empty cell.
Cell = str | int | float | date | datetime | bool | None

#: A merged range: (first_row, first_column, last_row, last_column), 1-based, both ends included.
Merge = tuple[int, int, int, int]


@dataclass(frozen=True)
class RawSheet:
    """One tab exactly as read: every row keeps the spreadsheet's own 1-based row number.

    ``rows`` is a tuple of ``(number, cells)`` pairs, or a sequence behaving as one (a CSV file is kept
    encoded column by column: :class:`tracker.register.encoded.EncodedRows`).

    ``merges`` are the sheet's merged ranges as the file records them, each ``(first_row, first_column, last_row,
    last_column)``: 1-based, rows as the spreadsheet numbers them, both ends included. The reader only reports
    them; :func:`tracker.register.merges.fill_merges` gives their value to the cells they cover, below the
    header, once the header is known."""

    name: str
    rows: Sequence[tuple[int, tuple[Cell, ...]]]
    merges: tuple[Merge, ...] = ()


@dataclass(frozen=True)
class FileNote:
    """What became of one file of a folder that was read: ``read`` (with its rows), ``skipped`` (not a table, or
    Excel's lock file) or ``unreadable`` (a table that could not be read); ``reason`` says why in a sentence."""

    file: str
    status: str  # "read" | "skipped" | "unreadable"
    rows: int = 0
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "status": self.status, "rows": self.rows, "reason": self.reason}


@dataclass(frozen=True)
class Disagreement:
    """A cell of a person row that is not what the household's first row (or its row count) says."""

    sheet: str
    row: int
    tab: str
    key: str
    header: str
    value: Cell
    message: str


@dataclass(frozen=True)
class Shape:
    """How the register was read when it was not in the contract's layout."""

    kind: str  # "person_list" | "household_sheet" | "contract" (only the measures are in a national shape)
    sheet: str
    persons: int
    households: int
    villages: int
    absent_tabs: tuple[str, ...] = ()  # contract tabs the export does not have (never "missing")
    disagreements: tuple[Disagreement, ...] = field(default=(), repr=False)
    absent_columns: tuple[tuple[str, str], ...] = ()  # (tab, column key) the export does not have (never "missing")
    measures_sheet: str | None = None  # a wide measures sheet read as measure rows (tracker.register.wide_measures)
    measures: int = 0  # the measure rows it gave

    def lines(self) -> list[str]:
        out = []
        if self.kind == "household_sheet":
            out.append(f"按全国系统的户表读取：工作表「{self.sheet}」{self.households} 户、{self.villages} 个行政村"
                       "（行政村由各户的县、乡、村得出）")
        elif self.kind == "person_list":
            out.append(f"按人员名单读取：工作表「{self.sheet}」{self.persons} 行人员 → {self.households} 户、"
                       f"{self.villages} 个行政村（户主行是户，每一行是家庭成员）")
        if self.measures_sheet is not None:
            out.append(f"帮扶措施按全国系统的宽表读取：工作表「{self.measures_sheet}」每类措施一列，读出 "
                       f"{self.measures} 条措施（表里没有开始日期：需要日期的规则不执行，见政策检查开头）")
        return out

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "sheet": self.sheet, "persons": self.persons, "households": self.households,
                "villages": self.villages, "absent_tabs": list(self.absent_tabs),
                "measures_sheet": self.measures_sheet, "measures": self.measures}


@dataclass(frozen=True)
class RawRegister:
    """All tabs of one register, keyed by the tab name as written in the source; ``files`` accounts for every file
    of a folder source (empty for a workbook)."""

    source: str
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    files: tuple[FileNote, ...] = ()
    shape: Shape | None = None  # set when the register came in a national export's shape (tracker.register.shapes)


@dataclass(frozen=True)
class SheetData:
    """A tab to write: an optional title line above the header, the header, then data rows."""

    name: str
    header: tuple[str, ...]
    rows: Sequence[Sequence[Cell]]
    title: str | None = None
