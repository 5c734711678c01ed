"""The register template in an empty Google Sheet, through the Sheets API: three requests in all.

1. open the spreadsheet (metadata), 2. one ``values:batchGet`` proving every existing tab is empty (a
template never overwrites data), 3. one ``spreadsheets:batchUpdate`` doing everything else atomically:
``addSheet`` per template worksheet (frozen header row, grid sized to the template), ``updateCells`` writing the
headers with their notes, ``repeatCell`` number formats (text ``@`` on identifiers), ``setDataValidation``
dropdowns (``ONE_OF_LIST``; a multi-value column has its values in the header note instead), and finally
``deleteSheet`` for the empty tabs the new spreadsheet came with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracker.common import SourceError

from .template_national import TemplateSheet
from .template_plan import DATE_FORMAT, INTEGER_FORMAT, NUMBER_FORMAT, TEMPLATE_ROWS, TEXT_FORMAT, ColumnPlan

_NUMBER_FORMATS = {
    TEXT_FORMAT: {"type": "TEXT", "pattern": TEXT_FORMAT},
    DATE_FORMAT: {"type": "DATE", "pattern": DATE_FORMAT},
    NUMBER_FORMAT: {"type": "NUMBER", "pattern": NUMBER_FORMAT},
    INTEGER_FORMAT: {"type": "NUMBER", "pattern": INTEGER_FORMAT},
}
_FIRST_ID = 101


def _column_range(sheet_id: int, column: int, rows: int) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": rows + 1,
            "startColumnIndex": column, "endColumnIndex": column + 1}


def _tab_requests(sheet_id: int, index: int, title: str, plans: Sequence[ColumnPlan], rows: int
                  ) -> list[dict[str, Any]]:
    grid = {"rowCount": rows + 1, "columnCount": len(plans), "frozenRowCount": 1}
    out: list[dict[str, Any]] = [
        {"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "index": index, "gridProperties": grid}}},
        {"updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
            "rows": [{"values": [{"userEnteredValue": {"stringValue": p.header}, "note": p.note(),
                                  "userEnteredFormat": {"textFormat": {"bold": True}}} for p in plans]}],
            "fields": "userEnteredValue,note,userEnteredFormat.textFormat.bold"}},
    ]
    for column, plan in enumerate(plans):
        if plan.number_format:
            out.append({"repeatCell": {
                "range": _column_range(sheet_id, column, rows),
                "cell": {"userEnteredFormat": {"numberFormat": _NUMBER_FORMATS[plan.number_format]}},
                "fields": "userEnteredFormat.numberFormat"}})
        if plan.choices:
            out.append({"setDataValidation": {
                "range": _column_range(sheet_id, column, rows),
                "rule": {"condition": {"type": "ONE_OF_LIST",
                                       "values": [{"userEnteredValue": v} for v in plan.choices]},
                         "inputMessage": plan.prompt(), "strict": True, "showCustomUi": True}}})
    return out


def template_body(sheets: Sequence[TemplateSheet], metadata: Mapping[str, Any], rows: int = TEMPLATE_ROWS
                  ) -> dict[str, Any]:
    """The single batchUpdate body building the template in a spreadsheet whose tabs are all empty."""
    existing = [s.get("properties", {}) for s in metadata.get("sheets") or ()]
    used = {p.get("sheetId") for p in existing}
    names = {name for name, _ in sheets}
    requests: list[dict[str, Any]] = []
    for props in existing:  # an empty tab already named like a template tab: rename it out of the way first
        if props.get("title") in names:
            requests.append({"updateSheetProperties": {
                "properties": {"sheetId": props["sheetId"], "title": f"待删除-{props['sheetId']}"}, "fields": "title"}})
    sheet_id = _FIRST_ID
    for index, (name, plans) in enumerate(sheets):
        while sheet_id in used:
            sheet_id += 1
        requests.extend(_tab_requests(sheet_id, index, name, plans, rows))
        used.add(sheet_id)
    requests.extend({"deleteSheet": {"sheetId": props["sheetId"]}} for props in existing)
    return {"requests": requests}


def write_template_gsheet(key: str, template: Sequence[TemplateSheet]) -> None:
    from .gsheet import GoogleSheetSource

    connection = GoogleSheetSource(key, writable=True).connect()
    sheets = [s.get("properties", {}) for s in connection.metadata.get("sheets") or ()]
    filled = [str(p.get("title")) for p in sheets if p.get("sheetType", "GRID") != "GRID"]  # a chart: not empty
    titles = [str(p.get("title")) for p in sheets if p.get("sheetType", "GRID") == "GRID"]
    answer = connection.batch_get(titles) if titles and not filled else {"valueRanges": [{}] * len(titles)}
    filled += [t for t, vr in zip(titles, answer.get("valueRanges") or (), strict=False)
               if any(any(c not in ("", None) for c in row) for row in vr.get("values") or ())]
    if filled or len(answer.get("valueRanges") or ()) != len(titles):
        tabs = "、".join(f"「{t}」" for t in filled) or "部分工作表"
        raise SourceError(f"Google 表格 {key} 不是空白表格（{tabs}里有内容）：模板只建在空白表格里，以免覆盖数据；"
                          "请新建一个空白 Google 表格，共享给服务账号（编辑者）后重试。")
    connection.batch_update(template_body(template, connection.metadata))
