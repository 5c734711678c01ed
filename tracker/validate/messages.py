"""Plain-Chinese error messages: what is wrong with the cell and how to fix it."""

from __future__ import annotations

from datetime import date

from tracker.register import Column

from .cells import split_multi
from .schema import date_window, id_number_problem

CODES = {
    "missing_column": "缺少必填列",
    "required": "必填项为空",
    "type": "格式不对",
    "range": "超出范围",
    "enum": "不是允许的取值",
    "id_number": "身份证号有误",
    "phone": "电话号码有误",
    "duplicate": "重复",
    "reference": "找不到对应记录",
    "date_order": "日期先后不对",
    "inconsistent": "同一户前后不一致",
}

_TYPE_HINTS = {
    "integer": "请填写整数，如 4",
    "number": "请填写数字，如 6000 或 6000.50（可以带“元”或千分位逗号）",
    "date": "请填写真实存在的日期，如 2020-04-03、2020/4/3 或 2020年4月3日，也可只写月份，如 2021-04 或 202104",
    "code": "请填写 {digits} 位数字",
}


def _bounds(col: Column) -> str:
    if col.min is not None and col.max is not None:
        return f"应在 {col.min:g} 到 {col.max:g} 之间"
    if col.min is not None:
        return f"应不小于 {col.min:g}"
    return f"应不大于 {col.max:g}" if col.max is not None else "超出允许范围"


def _id_message(value: str | None, numeric: bool, today: date) -> str:
    fix = "请把这一列设置为“文本”格式，再按身份证原件重新输入完整的 18 位号码"
    if numeric:
        return f"身份证号被 Excel 存成了数字，后几位已经丢失；{fix}。"
    problem = id_number_problem((value or "").strip().upper(), today)
    reasons = {
        "length": f"身份证号应为 18 位，这里是 {len((value or '').strip())} 位",
        "chars": "身份证号前 17 位应为数字，最后一位是数字或 X",
        "birth": "身份证号里的出生日期不是真实日期或晚于今天",
        "checksum": "身份证号最后一位校验码不对，通常是某一位录错了",
    }
    return f"{reasons.get(problem or '', '身份证号无效')}，请对照身份证原件核对后改正。"


def message(code: str, col: Column, value: str | None, today: date, *, numeric: bool = False,
            detail: str = "") -> str:
    """The message for one bad cell. ``detail`` adds context (the first row of a duplicate, ...)."""
    shown = f"「{value}」" if value not in (None, "") else ""
    if code == "missing_column":
        return f"缺少必填列「{col.header}」，请在表头行加上这一列（位置不限）。"
    if code == "required":
        return f"「{col.header}」是必填项，不能为空，请补填。"
    if code == "type":
        hint = _TYPE_HINTS.get(col.type, "请按填写说明改正").format(digits=col.digits)
        kind = {"integer": "整数", "number": "数字", "date": "日期", "code": f"{col.digits} 位数字"}.get(col.type, "")
        return f"{shown}不是有效的{kind}，{hint}。"
    if code == "range" and col.type == "date":
        first, last = date_window(today)
        return (f"{shown}不是合理的日期，「{col.header}」应在 {first.isoformat()} 到 {last.isoformat()} 之间，"
                "请核对年份是否录错。")
    if code == "range":
        return f"{shown}超出范围，「{col.header}」{_bounds(col)}，请核对。"
    if code == "enum":
        allowed = "、".join(col.values) if col.type != "bool" else "是、否"
        if col.type == "multi" and value:
            bad = [v for v in split_multi(value) if v not in col.values]
            shown = "「" + "、".join(bad) + "」" if bad else shown
            return f"{shown}不是允许的取值，「{col.header}」只能填：{allowed}（多个用顿号隔开）。"
        return f"{shown}不是允许的取值，「{col.header}」只能填：{allowed}。"
    if code == "id_number":
        return _id_message(value, numeric, today)
    if code == "phone":
        return f"{shown}不是有效的电话号码，请填写 11 位手机号，或带区号的固定电话，如 0371-66661234。"
    if code == "duplicate":
        return f"{shown}与{detail}重复，同一条记录只能登记一次：请删除多余的一行，或改正为正确的值。"
    if code == "reference":
        return f"{shown}{detail}，请先在对应工作表中登记，或改正这里的名称/编号。"
    if code == "date_order":
        return f"{shown}早于{detail}，结束日期不能早于开始日期，请核对。"
    return f"{shown}有误，请核对。"
