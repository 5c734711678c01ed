"""Which worksheets the blank template has, column by column, in either layout (``tracker template --layout``).

* ``contract`` (the default): one worksheet per contract tab, the contract's headers.
* ``national``: the national system's person export (监测对象人员名单: one row per person, 户编号 repeated over a
  household's members, the 户主 row being the household; read by :mod:`tracker.register.shapes`) with the
  export's own headers, plus a 帮扶措施 worksheet in the contract layout (the export has none; filled in, the
  measure rules run).

The national headers are listed once here; which contract column each one fills is found through the contract's
aliases exactly as a register is read (:func:`~tracker.register.contract.header_forms`, and a numbered header such as
致贫原因1 names the multi-value column whose alias is 致贫原因, :data:`~tracker.register.layout.NUMBERED`), so the
formats, dropdowns and notes come from the contract; a header the contract does not know stops the template.
"""

from __future__ import annotations

from dataclasses import replace

from tracker.common import ConfigError

from .contract import Column, Contract, Tab, header_forms, normalize_label
from .layout import NUMBERED
from .template_plan import ColumnPlan, plan_column, plan_tab

LAYOUTS = ("contract", "national")
NATIONAL_SHEET = "监测对象人员名单"
#: The person export's headers the project reads, in the export's order.
NATIONAL_HEADERS = (
    "序号", "县(市、区、旗)", "乡(镇)", "行政村", "户编号", "姓名", "证件号码", "人数", "与户主关系", "健康状况",
    "劳动技能", "致贫原因1", "致贫原因2", "致贫原因3", "人均纯收入", "户联系电话", "易返贫致贫户(监测对象)类型",
    "风险是否消除", "风险识别时间", "风险消除时间", "风险消除方式",
)
#: The export's row counter: no contract column, never read.
ROW_NUMBER = Column(key="row_number", header="序号", type="integer", help="序号，可以不填；程序不读这一列。")
#: How the tabs a person row fills are named in a note (the villages only when neither of the others has the column).
_ROLES = (("households", "这一户（户主那一行）"), ("members", "每个人（每一行）"), ("villages", "所在行政村"))

TemplateSheet = tuple[str, list[ColumnPlan]]


def national_columns(contract: Contract, header: str) -> list[tuple[Tab, Column, bool]]:
    """The contract columns a national header fills (households first, then members; villages only when neither),
    each with whether the header is one of a numbered run (致贫原因1 …: one value of a multi-value column)."""
    label = normalize_label(header)
    numbered = NUMBERED.fullmatch(label)
    found: list[tuple[Tab, Column, bool]] = []
    for key, _ in _ROLES:
        if (key == "villages" and found) or not any(t.key == key for t in contract.tabs):
            continue
        tab = contract.tab(key)
        col = next((c for c in tab.columns if label in header_forms(c)), None)
        in_run = col is None and numbered is not None
        if in_run and numbered:
            col = next((c for c in tab.columns if c.type == "multi" and numbered.group(1) in header_forms(c)), None)
        if col is not None:
            found.append((tab, col, in_run))
    return found


def _national_plan(header: str, found: list[tuple[Tab, Column, bool]]) -> ColumnPlan:
    _, col, numbered = found[0]
    plan = plan_column(col)
    if numbered:  # one value per column, from a dropdown; the run is read as the one column (only its first required)
        stem = NUMBERED.fullmatch(normalize_label(header))
        run = [h for h in NATIONAL_HEADERS
               if (m := NUMBERED.fullmatch(normalize_label(h))) and stem and m.group(1) == stem.group(1)]
        note = f"每列填一项，{'、'.join(run)} 合起来就是名册的「{col.header}」（{col.help}）"
        col = col if header == run[0] else replace(col, required=False)
        return ColumnPlan(col, plan.number_format, col.values, (), header, note)
    roles, helps = dict(_ROLES), {}
    for filled_tab, filled, _ in found:  # 姓名: the household's head on the 户主 row, the person on every row
        helps.setdefault(filled.help or filled.header, roles[filled_tab.key])
    note = next(iter(helps)) if len(helps) == 1 else "\n".join(f"{role}：{text}" for text, role in helps.items())
    return ColumnPlan(col, plan.number_format, plan.choices, plan.listed, header, note)


def national_plans(contract: Contract) -> list[ColumnPlan]:
    """The person list's columns, each set up as the contract column it fills; a header the contract's aliases do not
    name (other than 序号) is a ConfigError: the template would have a column the register reader ignores."""
    plans, unknown = [], []
    for header in NATIONAL_HEADERS:
        if header == ROW_NUMBER.header:
            plans.append(plan_column(ROW_NUMBER))
            continue
        found = national_columns(contract, header)
        if not found:
            unknown.append(header)
            continue
        plans.append(_national_plan(header, found))
    if unknown:
        raise ConfigError(f"名册契约里没有哪一列的表头或别名（aliases）是「{'」「'.join(unknown)}」，"
                          "不能生成全国系统格式的模板；请在 schemas/register.yaml 对应列的 aliases 里加上这些写法。")
    return plans


def template_sheets(contract: Contract, layout: str = "contract") -> list[TemplateSheet]:
    """The template's worksheets in order: (name, column plans)."""
    if layout == "contract":
        return [(tab.name, plan_tab(tab)) for tab in contract.tabs]
    if layout != "national":
        raise ConfigError(f"模板格式「{layout}」无效，应为 {'、'.join(LAYOUTS)} 之一。")
    sheets = [(NATIONAL_SHEET, national_plans(contract))]
    if any(t.key == "measures" for t in contract.tabs):
        measures = contract.tab("measures")
        sheets.append((measures.name, plan_tab(measures)))
    return sheets
