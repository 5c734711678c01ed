"""How each contract column is set up in the blank template (formats, dropdowns, notes): shared by the .xlsx
writer (:mod:`tracker.register.template`) and the Google Sheets one (:mod:`tracker.register.template_gsheet`)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.common import TrackerError

from .contract import Column, Tab
from .writers import is_text_column

#: Rows below the header that get the formats and the dropdowns (Excel applies the column style beyond).
TEMPLATE_ROWS = 2000
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
NUMBER_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"
BOOL_VALUES = ("是", "否")


class TemplateError(TrackerError):
    """The template cannot be written where asked."""


@dataclass(frozen=True)
class ColumnPlan:
    """How one contract column is set up in the template."""

    column: Column
    number_format: str | None  # None: General
    choices: tuple[str, ...]  # a dropdown (enum and bool columns)
    listed: tuple[str, ...]  # allowed values shown as an input message (multi-value columns)
    label: str = ""  # the header written when it is not the column's own (the national layout's spelling)
    explanation: str = ""  # the note's text when it is not the column's help

    @property
    def header(self) -> str:
        return self.label or self.column.header

    def note(self) -> str:
        """The header's note: the help text, whether it's required, and the allowed values."""
        col = self.column
        parts = [self.explanation or col.help or col.header, "（必填）" if col.required else "（选填）"]
        if self.choices:
            parts.append(f"\n可选：{'、'.join(self.choices)}。")
        if self.listed:
            parts.append(f"\n可填多个，用顿号隔开，可选：{'、'.join(self.listed)}。")
        if self.number_format == TEXT_FORMAT:
            parts.append("\n本列为文本格式，请勿改成数字格式。")
        return "".join(parts)

    def prompt(self) -> str:
        values = self.choices or self.listed
        lead = "可填多个，用顿号隔开：" if self.listed else "请从下拉列表中选择："
        return (lead + "、".join(values))[:255]


def plan_column(col: Column) -> ColumnPlan:
    if col.type in ("id_number", "phone", "code") or is_text_column(col.header):
        fmt: str | None = TEXT_FORMAT
    else:
        fmt = {"date": DATE_FORMAT, "number": NUMBER_FORMAT, "integer": INTEGER_FORMAT}.get(col.type)
    choices = col.values if col.type == "enum" else BOOL_VALUES if col.type == "bool" else ()
    listed = col.values if col.type == "multi" else ()
    return ColumnPlan(col, fmt, tuple(choices), tuple(listed))


def plan_tab(tab: Tab) -> list[ColumnPlan]:
    return [plan_column(col) for col in tab.columns]
