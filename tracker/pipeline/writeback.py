"""Write-back: replace the tab ``校验结果`` of the register's Google Sheet with the current report.

One ``spreadsheets:batchUpdate`` request (applied atomically by Google): ``addSheet`` when the tab is missing
(with a chosen ``sheetId`` so the same batch can fill it), otherwise ``appendDimension`` when the grid is
too small plus ``updateSheetProperties`` (frozen rows); then one ``updateCells`` over the *whole* tab
(a GridRange with only ``sheetId`` is unbounded), which clears every old value and writes the new rows.
Every sub-request names the result tab's ``sheetId``: data tabs are never touched.

Cells are written as ``userEnteredValue.stringValue`` / ``numberValue``: the API's raw input, never parsed,
exactly what ``valueInputOption=RAW`` does for ``values.update`` — a text starting with ``=``, ``+``, ``-``
or ``@`` stays text (a formula needs ``formulaValue``), so no apostrophe is added (it would be shown).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.common import CHINA, SourceError
from tracker.register import RESULT_TAB, GoogleSheetSource, sheet_key
from tracker.rules import SEVERITY_LABEL, Finding
from tracker.validate import CODES

if TYPE_CHECKING:
    from tracker.validate import CellError, ValidatedRegister

RESULT_HEADERS = ("工作表", "行号", "列", "填写的内容", "问题", "规则", "下一步")
TITLE_ROWS = 2  # the run-time line and the column titles
MIN_GRID_ROWS = 100

Value = str | int | float


@dataclass(frozen=True)
class WriteBackSummary:
    errors: int
    findings: int
    created: bool

    def summary_line(self) -> str:
        tab = f"「{RESULT_TAB}」工作表" + ("（新建）" if self.created else "")
        return f"已把 {self.errors} 处数据错误、{self.findings} 条政策提示写入 Google 表格的{tab}。"


def writable_source(spec: str) -> GoogleSheetSource:
    """The Google sheet behind ``--source``, opened with the read-write scope (only for ``--write-back``)."""
    key = sheet_key(spec)
    if key is None:
        raise SourceError("--write-back 只能用于 Google 表格：--source 请给出表格网址或 gsheet:KEY。")
    return GoogleSheetSource(key, writable=True)


def _error_row(e: CellError) -> list[Value]:
    where = f"「{e.sheet}」第 {e.row} 行的「{e.column}」" if e.row is not None else None
    step = f"改正{where}，然后重新校验" if where else f"在「{e.sheet}」的表头行加上「{e.column}」列"
    return [e.sheet, e.row if e.row is not None else "表头", e.column, e.value or "", e.message,
            f"{CODES.get(e.code, e.code)}（{e.code}）", step]


def _finding_row(f: Finding) -> list[Value]:
    message = f.message if not f.household or f.household in f.message else f"户编号 {f.household}：{f.message}"
    return [f.sheet or "", f.row if f.row is not None else "", "", "", message,
            f"{f.rule}（{SEVERITY_LABEL.get(f.severity, f.severity)}）", f.next_action]


def result_rows(errors: Sequence[CellError], findings: Sequence[Finding], run_time: datetime) -> list[list[Value]]:
    """The tab's content: a line with the run time, the column titles, then one row per problem."""
    title = (f"校验时间：{run_time:%Y-%m-%d %H:%M}（北京时间）；数据错误 {len(errors)} 处，"
             f"政策提示 {len(findings)} 条。本表由 tracker 每次运行时整体重写，请不要在这里填写，请到对应工作表改正。")
    rows: list[list[Value]] = [[title], list(RESULT_HEADERS)]
    rows.extend(_error_row(e) for e in errors)
    rows.extend(_finding_row(f) for f in findings)
    return rows


def _cell(value: Value, bold: bool = False) -> dict[str, Any]:
    cell: dict[str, Any] = {}
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell["userEnteredValue"] = {"numberValue": value}
    elif value != "":
        cell["userEnteredValue"] = {"stringValue": str(value)}
    if bold:
        cell["userEnteredFormat"] = {"textFormat": {"bold": True}}
    return cell


def _free_sheet_id(sheets: Iterable[Mapping[str, Any]]) -> int:
    used = {s.get("properties", {}).get("sheetId") for s in sheets}
    candidate = zlib.crc32(RESULT_TAB.encode()) & 0x3FFFFFFF
    while candidate in used:
        candidate += 1
    return candidate


def write_back_body(metadata: Mapping[str, Any], rows: Sequence[Sequence[Value]]) -> tuple[dict[str, Any], bool]:
    """The one batchUpdate body replacing the result tab, and whether it creates the tab."""
    sheets = list(metadata.get("sheets") or ())
    props = next((s["properties"] for s in sheets if s.get("properties", {}).get("title") == RESULT_TAB), None)
    height, width = len(rows), len(RESULT_HEADERS)
    requests: list[dict[str, Any]] = []
    if props is None:
        sheet_id = _free_sheet_id(sheets)
        grid = {"rowCount": max(height, MIN_GRID_ROWS), "columnCount": width, "frozenRowCount": TITLE_ROWS}
        props_new = {"sheetId": sheet_id, "title": RESULT_TAB, "gridProperties": grid}
        requests.append({"addSheet": {"properties": props_new}})
    else:
        sheet_id = props["sheetId"]
        grid = props.get("gridProperties") or {}
        for dimension, have, need in (("ROWS", grid.get("rowCount", 0), height),
                                      ("COLUMNS", grid.get("columnCount", 0), width)):
            if have < need:
                requests.append({"appendDimension": {"sheetId": sheet_id, "dimension": dimension,
                                                     "length": need - have}})
        requests.append({"updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": TITLE_ROWS}},
            "fields": "gridProperties.frozenRowCount"}})
    data = [{"values": [_cell(v, bold=i < TITLE_ROWS) for v in row]} for i, row in enumerate(rows)]
    requests.append({"updateCells": {"range": {"sheetId": sheet_id}, "rows": data,
                                     "fields": "userEnteredValue,userEnteredFormat.textFormat.bold"}})
    return {"requests": requests}, props is None


def write_back(source: GoogleSheetSource, errors: Sequence[CellError], findings: Sequence[Finding] = (),
               run_time: datetime | None = None) -> WriteBackSummary:
    """Replace ``校验结果`` with these validation errors and rule findings: one write request.

    ``source`` must be writable and is normally already read (its metadata is reused: no extra request).
    """
    if not source.writable:
        raise ValueError("write_back needs a source opened with writable=True")
    connection = source.connect()
    run_time = run_time or datetime.now(CHINA)
    rows = result_rows(errors, findings, run_time)
    body, created = write_back_body(connection.metadata, rows)
    creates, first = created, True

    def attempt() -> Any:
        # addSheet is not idempotent: if an earlier attempt's answer was lost but Google applied it, a blind
        # retry would fail with "already exists". So a retry of a creating batch re-reads the metadata first.
        nonlocal first, body, created
        if not first and created:
            connection.metadata = connection.spreadsheet.fetch_sheet_metadata()
            body, created = write_back_body(connection.metadata, rows)
        first = False
        return connection.spreadsheet.batch_update(body)

    connection.call(attempt, writing=True)
    return WriteBackSummary(len(errors), len(findings), creates)


class WriteBackRun:
    """``--write-back`` for the CLI: read the register with the read-write scope, then write the report back."""

    def __init__(self, spec: str) -> None:
        self.source = writable_source(spec)

    def validate(self, today: date | None = None) -> ValidatedRegister:
        from tracker.validate import validate

        return validate(self.source.read(), today=today)

    def write(self, errors: Sequence[CellError], findings: Sequence[Finding] = ()) -> str:
        return write_back(self.source, errors, findings).summary_line()
