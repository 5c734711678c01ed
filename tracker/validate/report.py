"""The validation report as text for a county clerk, or as JSON for scripts."""

from __future__ import annotations

import json
from itertools import groupby

from .messages import CODES
from .validator import ValidatedRegister


def report_json(result: ValidatedRegister) -> str:
    payload = {"errors": [e.as_dict() for e in result.errors], "summary": result.summary()}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def report_text(result: ValidatedRegister) -> str:
    summary = result.summary()
    lines = [f"名册：{result.source}"]
    rows = "，".join(f"{sheet} {n} 行" for sheet, n in summary["rows"].items())
    if result.shape is not None:
        lines.extend(result.shape.lines())
    lines.append(f"读取：{rows}")
    for note in result.files:
        if note.status != "read":
            lines.append(f"目录中的 {note.file} 没有读取：{note.reason}")
    if result.merged_cells:
        lines.append(f"合并单元格：填充 {result.merged_cells} 格（合并区域的值按所见填到它覆盖的每一格）")
    if not result.errors:
        lines.append("校验通过：没有发现错误。")
        return "\n".join(lines) + "\n"
    per_sheet = "，".join(f"{sheet} {n} 处" for sheet, n in summary["by_sheet"].items())
    lines.append(f"共发现 {len(result.errors)} 处错误（{per_sheet}），请逐条改正后重新校验：")
    for sheet, errors in groupby(result.errors, key=lambda e: e.sheet):
        lines.append("")
        lines.append(f"【{sheet}】")
        for e in errors:
            where = "表头" if e.row is None else f"第 {e.row} 行"
            value = "" if e.value is None else f"，填的是「{e.value}」"
            lines.append(f"  {where}「{e.column}」{value}")
            lines.append(f"      {CODES.get(e.code, e.code)}（{e.code}）：{e.message}")
    return "\n".join(lines) + "\n"
