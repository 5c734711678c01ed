"""Department warning lists (行业部门筛查预警): read every table file of a folder and validate it.

Every file of the folder is accounted for (:attr:`WarningLists.files`): read, with its rows; skipped, with the reason
(not a table, Excel's lock file); or unreadable, with the sentence saying why (a password to open, an empty or damaged
file). Files are judged by their bytes (:func:`tracker.register.read_table_file`): ``.xlsx``, ``.xls``, ``.ods``,
``.xlsb``, HTML-table or Unicode-text "xls" from web systems, CSV. An unreadable list never stops the run and is
never silent: it is an error line of ``validate`` and ``check`` and a line on the county page.

The lists' contract is data too (``schemas/warnings.yaml``, the same format as the register's, loaded by
:func:`tracker.register.contract.load_contract`), and a list is read and validated by exactly the code that reads the
register: the same tolerant reading (title rows above the header, header variants, number and date forms,
UTF-8 or GB18030 CSV) and the same cell-exact errors.

The ``sheet`` of an error (and of a finding that points at a list row) is the **file name**, e.g.
``医保局大额医疗.xlsx``; when a workbook holds lists on more than one worksheet, each is read and named
``文件名（工作表名）``. Worksheets without a recognisable header are ignored when another worksheet of the
same workbook has one; a file where none has a header reports its missing columns once.

Matching the lists against the register is :mod:`tracker.rules.warnings`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from tracker.common import SourceError, resource
from tracker.register import (
    Contract,
    FileNote,
    RawRegister,
    RawSheet,
    load_contract,
    locate,
    read_table_file,
    skip_reason,
)
from tracker.validate import cells

from .messages import CODES
from .validator import CellError, Table, ValidatedRegister, validate

TAB = "warnings"  # the contract's one tab


@cache
def warnings_contract() -> Contract:
    """The lists' contract, ``schemas/warnings.yaml``."""
    return load_contract(resource("schemas") / "warnings.yaml")


@dataclass(frozen=True)
class WarningList:
    """One list (a CSV file, or one worksheet of a workbook) after validation."""

    file: str  # the file name
    sheet: str  # the name errors and findings use (the file name, or 文件名（工作表名）)
    table: Table
    errors: tuple[CellError, ...]

    @property
    def rows(self) -> int:
        return len(self.table.values)


@dataclass(frozen=True)
class WarningRow:
    """A list row without any validation error: the only rows matched against the register."""

    sheet: str
    row: int
    department: str
    kind: str
    name: str
    id_number: str  # normalised: upper-case X, no spaces (as validated)
    township: str | None
    village: str | None
    amount: float | None
    day: date


@dataclass(frozen=True)
class WarningLists:
    directory: str
    lists: tuple[WarningList, ...]
    files: tuple[FileNote, ...] = ()  # every file of the folder: read, skipped or unreadable, and why

    @property
    def unreadable(self) -> tuple[FileNote, ...]:
        return tuple(f for f in self.files if f.status == "unreadable")

    @property
    def errors(self) -> tuple[CellError, ...]:
        return tuple(e for lst in self.lists for e in lst.errors)

    @property
    def rows(self) -> int:
        return sum(lst.rows for lst in self.lists)

    def valid_rows(self) -> Iterator[WarningRow]:
        """Rows with no error, in file order (a malformed row is a validation error and is not matched)."""
        for lst in self.lists:
            if any(e.row is None for e in lst.errors):
                continue  # a required column is missing: no row of this list can be judged
            values = lst.table.values.reindex(columns=[c.key for c in lst.table.tab.columns])
            for row, v in values.iterrows():
                if int(row) in lst.table.error_rows:
                    continue
                amount = v["amount"]
                yield WarningRow(
                    sheet=lst.sheet, row=int(row), department=str(v["department"]), kind=str(v["kind"]),
                    name=str(v["name"]), id_number=str(v["id_number"]),
                    township=_text(v["township"]), village=_text(v["village"]),
                    amount=None if pd.isna(amount) else float(amount), day=pd.Timestamp(v["date"]).date(),
                )

    def summary(self) -> dict[str, Any]:
        errors = self.errors
        return {
            "source": self.directory,
            "files": [f.as_dict() for f in self.files],
            "lists": {lst.sheet: lst.rows for lst in self.lists},
            "unreadable": len(self.unreadable),
            "rows": self.rows,
            "rows_with_errors": sum(len(lst.table.error_rows) for lst in self.lists),
            "error_count": len(errors),
            "by_code": dict(Counter(e.code for e in errors)),
            "errors": [e.as_dict() for e in errors],
        }


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value).strip()


def list_files(directory: Path) -> list[Path]:
    """Every file of the folder, sorted by name (sub-folders are not read)."""
    if not directory.is_dir():
        raise SourceError(f"找不到预警名单目录 {directory}，请检查路径（目录里放各部门的 Excel、WPS 或 CSV 名单）。")
    return sorted(p for p in directory.iterdir() if p.is_file())


def _sheets_of(path: Path) -> list[RawSheet]:
    """The raw sheets of one list file, each named as errors will name it (SourceError: it cannot be read)."""
    book = read_table_file(path, f"预警名单 {path.name}")
    tab = warnings_contract().tab(TAB)
    used = [s for s in book.sheets.values() if s.rows]
    with_header = [s for s in used if locate(tab, s).header_row is not None]
    if len(with_header) > 1:
        return [RawSheet(f"{path.name}（{s.name}）", s.rows, s.merges) for s in with_header]
    chosen = with_header or used[:1]
    return [RawSheet(path.name, s.rows, s.merges) for s in chosen] or [RawSheet(path.name, ())]


def read_warning_lists(directory: str | Path, today: date | None = None) -> WarningLists:
    """Read and validate every list in ``directory`` (ID numbers judged as of ``today``, default today).

    Raises :class:`~tracker.common.errors.SourceError` only when the folder is missing; a file that cannot be read
    is listed as unreadable with its reason, the other lists are read.
    """
    folder = Path(directory).expanduser()
    today = today or cells.today_in_china()
    contract = warnings_contract()
    name = contract.tab(TAB).name
    lists: list[WarningList] = []
    files: list[FileNote] = []
    for path in list_files(folder):
        reason = skip_reason(path)
        if reason is not None:
            files.append(FileNote(path.name, "skipped", 0, reason))
            continue
        try:
            found = [(sheet, validate(RawRegister(path.name, {name: sheet}), contract, today=today))
                     for sheet in _sheets_of(path)]
        except SourceError as exc:  # not a table, no header anywhere: the file's line says why, the run goes on
            files.append(FileNote(path.name, "unreadable", 0, str(exc)))
            continue
        for sheet, result in found:
            lists.append(WarningList(path.name, sheet.name, result.tables[TAB], result.errors))
        files.append(FileNote(path.name, "read", sum(len(r.tables[TAB].values) for _, r in found)))
    return WarningLists(str(folder), tuple(lists), tuple(files))


def file_lines(lists: WarningLists) -> list[str]:
    """The lists that could not be read, and the files skipped, one line each (nothing when all were read)."""
    lines = []
    for note in lists.unreadable:
        lines.append(f"  ✗ {note.file} 没有读取，其中的预警没有参与比对：{note.reason}")
    for note in lists.files:
        if note.status == "skipped":
            lines.append(f"  - {note.file} 已跳过：{note.reason}")
    return lines


def report_lines(lists: WarningLists) -> list[str]:
    """The lists' errors as text, in the form of ``tracker validate`` (grouped by list, cell by cell)."""
    lines = [f"预警名单：{lists.directory}，{len(lists.lists)} 份，共 {lists.rows} 行"
             + (f"（{'，'.join(f'{lst.sheet} {lst.rows} 行' for lst in lists.lists)}）" if lists.lists else "")]
    if lists.unreadable:
        lines.append(f"有 {len(lists.unreadable)} 个名单文件读不出来（错误），请按原因处理后重新运行：")
    lines.extend(file_lines(lists))
    errors = lists.errors
    if not errors and not lists.unreadable:
        lines.append("预警名单校验通过：没有发现错误。")
        return lines
    if not errors:
        return lines
    lines.append(f"预警名单中有 {len(errors)} 处错误，有错误的行不参与比对，请逐条改正（或请报送部门改正）：")
    for lst in lists.lists:
        if not lst.errors:
            continue
        lines.append("")
        lines.append(f"【{lst.sheet}】")
        for e in lst.errors:
            where = "表头" if e.row is None else f"第 {e.row} 行"
            value = "" if e.value is None else f"，填的是「{e.value}」"
            lines.append(f"  {where}「{e.column}」{value}")
            lines.append(f"      {CODES.get(e.code, e.code)}（{e.code}）：{e.message}")
    return lines


def validation_report(result: ValidatedRegister, lists: WarningLists, form: str = "text") -> str:
    """``tracker validate --warnings DIR``: the register's report followed by the lists'. In JSON the lists'
    errors follow the register's in ``errors`` (their ``sheet`` is the list's file name) and
    ``summary.warning_lists`` counts them; the register's own counts are unchanged."""
    from .report import report_json, report_text

    if form == "json":
        payload = json.loads(report_json(result))
        payload["errors"].extend(e.as_dict() for e in lists.errors)
        summary = lists.summary()
        summary.pop("errors")
        payload["summary"]["warning_lists"] = summary
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return report_text(result) + "\n" + "\n".join(report_lines(lists)) + "\n"
