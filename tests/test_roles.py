"""Rules read roles, never values (issue 16): every allowed value of a column the rules read has a role, and a
register judged with one value of a role gives exactly the findings it gives with any other value of that role, or
with any spelling the contract accepts for it. No value can silently switch a rule off again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.builders import CONTRACT, member, register
from tests.rules_support import AS_OF, household, measure, policy
from tracker.register.sheets import Cell, RawRegister
from tracker.rules import evaluate
from tracker.validate.validator import validate

#: the columns the rules read, by tab: every value of each must have a role
READ_BY_RULES = {"households": ("category", "status", "labor", "risk_types", "clearance_method"),
                 "measures": ("kind",), "members": ("labor", "health")}


def _scenario() -> RawRegister:
    """Households that set off nearly every rule, written with the first value of each role."""
    rows = [
        household(1, **{"人均可支配收入（元）": 3500}),  # stable_risk below the poverty line; development measure
        household(2, **{"监测类别": "边缘户", "人均可支配收入（元）": 3500, "劳动能力": "无劳动能力"}),
        household(3, **{"是否享受低保": "是", "低保渐退期起": "2020-01-01", "低保渐退期止": "2020-06-30"}),
        household(4, **{"监测类别": "边缘户", "是否享受低保": "是", "低保渐退期起": "2020-01-01",
                         "低保渐退期止": "2020-03-31"}),
        household(5, **{"监测状态": "风险已消除", "风险消除日期": None, "风险是否已消除": "是",
                         "风险消除方式": "帮扶消除"}),
        household(6, **{"监测状态": "自然减少"}),
        household(7, **{"帮扶责任人": None, "劳动能力": "弱劳动能力", "主要风险类型": "因学、住房安全"}),
        household(8, **{"人均可支配收入（元）": 4500, "是否享受低保": "是"}),  # in the gradual-exit band, unrecorded
        household(9, **{"监测状态": "返贫", "人均可支配收入（元）": 3000}),
        household(10, **{"监测状态": "已纳入建档立卡", "监测类别": "边缘户", "人均可支配收入（元）": 3000}),
    ]
    measures = [
        measure("H0001"),
        measure("H0002"),  # development for a household that cannot work: mismatch
        measure("H0003", **{"措施类别": "兜底保障"}),
        measure("H0004"), measure("H0005"), measure("H0007"), measure("H0008"), measure("H0009"), measure("H0010"),
        measure("H0007", **{"措施类别": "义务教育保障"}), measure("H0007", **{"措施类别": "住房安全保障"}),
        measure("H0001", **{"措施类别": "临时救助", "救助类型": "急难型", "审批层级": "乡镇", "金额（元）": 300}),
        measure("H0006", **{"措施类别": "临时救助", "救助类型": "急难型", "审批层级": "乡镇", "金额（元）": 300}),
        measure("H0008", **{"措施类别": "临时救助", "救助类型": "急难型", "审批层级": "乡镇", "金额（元）": 3000}),
    ]
    members = [member("H0001", 101, **{"劳动能力": "有劳动能力", "健康状况": "大病"}),
               member("H0002", 102, **{"劳动能力": "弱劳动能力", "健康状况": "健康"})]
    # one more row for every value a swap starts from that the rows above do not hold
    tables = {"households": rows, "measures": measures, "members": members}
    for tab, key, value, _ in _swaps():
        header = CONTRACT.tab(tab).column(key).header
        if any(value in str(r.get(header) or "").split("、") for r in tables[tab]):
            continue
        n = len(rows) + 1
        if tab == "households":
            rows.append(household(n, **{header: value}))
            measures.append(measure(f"H{n:04d}"))
        elif tab == "measures":
            measures.append(measure("H0001", **{header: value}))
        else:
            members.append(member("H0001", 200 + len(members), **{header: value}))
    return register(households=rows, measures=measures, members=members)


def _outcome(reg: RawRegister) -> tuple[set[tuple[object, ...]], int]:
    validated = validate(reg, today=AS_OF)
    outcome = evaluate(validated, policy(), AS_OF)
    return {(f.rule, f.severity, f.sheet, f.row) for f in outcome.findings}, len(validated.errors)


def _replaced(reg: RawRegister, tab: str, header: str, change: Callable[[Cell], Cell]) -> RawRegister:
    name = CONTRACT.tab(tab).name
    sheet = reg.sheets[name]
    (first, head), *rows = sheet.rows
    at = head.index(header)
    new = [(n, tuple(change(v) if i == at else v for i, v in enumerate(cells))) for n, cells in rows]
    return RawRegister(reg.source, {**reg.sheets, name: type(sheet)(name, ((first, head), *new))})


def _swaps() -> list[tuple[str, str, str, str]]:
    """(tab, column key, a value as the scenario writes it, another value or spelling of the same role)."""
    out = []
    for tab, keys in READ_BY_RULES.items():
        for key in keys:
            column = CONTRACT.tab(tab).column(key)
            first_of = {}
            for value, role in column.roles:
                first_of.setdefault(role, value)
            for value, role in column.roles:
                if value != first_of[role]:
                    out.append((tab, key, first_of[role], value))
            out.extend((tab, key, value, spelling) for spelling, value in column.synonyms)
    return out


BASE = _scenario()


def test_the_scenario_sets_off_the_rules_and_is_clean() -> None:
    findings, errors = _outcome(BASE)
    assert errors == 0
    assert {f[0] for f in findings} >= {"monitor.returned_to_poverty", "edge.should_register", "assist.mismatch",
                                         "dibao.gradual_exit", "clear.premature", "monitor.no_responsible",
                                         "relief.approval_level", "relief.emergency_minimum"}


@pytest.mark.parametrize(("tab", "key"), [(t, k) for t, keys in READ_BY_RULES.items() for k in keys])
def test_every_value_of_a_column_the_rules_read_has_a_role(tab: str, key: str) -> None:
    column = CONTRACT.tab(tab).column(key)
    assert column.values and set(column.role_of) == set(column.values), (tab, key)


@pytest.mark.parametrize(("tab", "key", "value", "other"), _swaps(), ids=lambda v: str(v))
def test_rules_judge_every_value_of_a_role_alike(tab: str, key: str, value: str, other: str) -> None:
    header = CONTRACT.tab(tab).column(key).header
    column = CONTRACT.tab(tab).column(key)

    def change(cell: Cell) -> Cell:
        if column.type == "multi" and isinstance(cell, str):
            return "、".join(other if part == value else part for part in cell.split("、"))
        return other if cell == value else cell

    swapped = _replaced(BASE, tab, header, change)
    assert swapped != BASE, f"the scenario holds no {value} in {header}: nothing was compared"
    assert _outcome(swapped) == _outcome(BASE)
