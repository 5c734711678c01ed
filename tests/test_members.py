"""The optional 家庭成员 tab (issue 9): validated like the other tabs, including duplicates across households
(``unique_across`` in the contract), and its absence changes nothing at all."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
import yaml

from tests.builders import household, id_number, measure, member, register, village
from tracker.common.errors import ConfigError
from tracker.common.resources import resource
from tracker.register.contract import parse_contract
from tracker.register.sheets import RawRegister
from tracker.rules import evaluate
from tracker.rules.policy import load_policy
from tracker.rules.report import check_json, check_text
from tracker.site.render import RenderContext, render_pages
from tracker.site.views import build_site_model
from tracker.validate.report import report_json, report_text
from tracker.validate.validator import validate

AS_OF = date(2020, 7, 20)


def _data() -> dict[str, Any]:
    return yaml.safe_load((resource("schemas") / "register.yaml").read_text(encoding="utf-8"))


def _without_members() -> Any:
    data = _data()
    data["tabs"] = [t for t in data["tabs"] if t["key"] != "members"]
    return parse_contract(data, "register.yaml without 家庭成员")


def _register(**kw: Any) -> RawRegister:
    return register(
        villages=[village(), village(**{"行政村": "西村", "村代码": "410102001002", "最近排查日期": None})],
        households=[household(1), household(2, **{"行政村": "西村"}), household(3, **{"联系电话": "12345"}),
                    household(4, **{"系统录入日期": None})],
        measures=[measure("H0001"), measure("H0002"), measure("H0009")], **kw)


def test_members_tab_is_optional_in_the_contract() -> None:
    members = next(t for t in _data()["tabs"] if t["key"] == "members")
    assert members["required"] is False and members["name"] == "家庭成员"
    headers = [c["header"] for c in members["columns"]]
    assert headers == ["户编号", "姓名", "身份证号", "与户主关系", "劳动能力", "健康状况", "是否残疾", "是否在校生"]
    labor = next(c for c in members["columns"] if c["key"] == "labor")
    households = next(t for t in _data()["tabs"] if t["key"] == "households")
    assert labor["values"] == next(c for c in households["columns"] if c["key"] == "labor")["values"]


def test_absence_of_the_tab_changes_nothing() -> None:
    raw = _register()
    assert "家庭成员" not in raw.sheets
    with_tab = validate(raw, today=AS_OF)
    without = validate(raw, _without_members(), today=AS_OF)
    assert with_tab.errors == without.errors and with_tab.errors  # the register has errors of its own
    assert with_tab.summary() == without.summary()
    assert report_text(with_tab) == report_text(without) and report_json(with_tab) == report_json(without)
    assert "家庭成员" not in report_text(with_tab)
    policy = load_policy()
    a, b = evaluate(with_tab, policy, AS_OF), evaluate(without, policy, AS_OF)
    assert a.findings == b.findings and a.findings
    assert check_json(with_tab, a) == check_json(without, b) and check_text(with_tab, a) == check_text(without, b)
    ctx = RenderContext(built_at="2020年7月20日 02:00")
    pages_a = render_pages(build_site_model(with_tab, a), ctx)
    pages_b = render_pages(build_site_model(without, b), ctx)
    assert pages_a == pages_b and "leads.md" not in pages_a


def test_an_empty_members_tab_is_fine() -> None:
    result = validate(_register(members=[]), today=AS_OF)
    assert not [e for e in result.errors if e.sheet == "家庭成员"]
    assert result.summary()["rows"]["家庭成员"] == 0  # present, so it is reported


def test_members_validated_cell_by_cell() -> None:
    head_1, head_2, head_3 = id_number(seq="001"), id_number(seq="002"), id_number(seq="003")
    child = id_number(birth="20100101", seq="101")
    rows = [
        member("H0001", 101),                                                   # row 2: fine
        member("H0001", 1, **{"身份证号": head_1, "与户主关系": "户主"}),          # row 3: own head, fine
        member("H0003", 3, **{"身份证号": head_3, "与户主关系": "户主"}),          # row 4: own head, fine
        member("H0001", 103, **{"身份证号": head_2}),                             # row 5: head of another household
        member("H0002", 104, **{"身份证号": child}),                              # row 6: child of H0001 again
        member("H0099", 105),                                                   # row 7: no such household
        member("H0001", 106, **{"身份证号": child[:-1] + ("0" if child[-1] != "0" else "1")}),  # row 8: check digit
        member("H0001", 107, **{"身份证号": 410102201001011070}),                 # row 9: stored as a number
        member("H0001", 108, **{"与户主关系": "表哥", "健康状况": "很好", "是否残疾": "有"}),  # row 10: enums
        member(" h0001 ", 109, **{"姓名": None}),                                  # row 11: folded 户编号; no name
    ]
    result = validate(_register(members=rows), today=AS_OF)
    got = [(e.row, e.column, e.code) for e in result.errors if e.sheet == "家庭成员"]
    assert got == [
        (5, "身份证号", "duplicate"), (6, "身份证号", "duplicate"), (7, "户编号", "reference"),
        (8, "身份证号", "id_number"), (9, "身份证号", "id_number"),
        (10, "与户主关系", "enum"), (10, "健康状况", "enum"), (10, "是否残疾", "enum"), (11, "姓名", "required"),
    ]
    messages = {e.row: e.message for e in result.errors if e.sheet == "家庭成员"}
    assert "「监测户」工作表第 3 行（户编号「H0002」）的「户主身份证号」" in messages[5]
    assert "与第 2 行重复" in messages[6]
    assert "存成了数字" in messages[9]
    summary = result.summary()
    assert summary["rows"]["家庭成员"] == 10 and summary["rows_with_errors"]["家庭成员"] == 7


def test_the_same_id_in_two_households_is_reported_once_on_the_member_row() -> None:
    head_2 = id_number(seq="002")
    result = validate(_register(members=[member("H0001", 1, **{"身份证号": head_2})]), today=AS_OF)
    dup = [e for e in result.errors if e.code == "duplicate"]
    assert [(e.sheet, e.row, e.column) for e in dup] == [("家庭成员", 2, "身份证号")]
    assert result.tables["households"].values.at[3, "head_id_number"] == head_2  # the head keeps it


def test_unique_across_is_checked_in_the_contract() -> None:
    data = _data()
    bad = copy.deepcopy(data)
    members = next(t for t in bad["tabs"] if t["key"] == "members")
    members["unique_across"] = [
        {"columns": ["id_number"], "tab": "nope", "tab_columns": ["x"], "report": "id_number"},
        {"columns": ["id_number"], "tab": "households", "tab_columns": ["head_id_number", "phone"],
         "allow_same": {"household_id": "no_such"}, "report": "nope"},
    ]
    with pytest.raises(ConfigError) as info:
        parse_contract(bad, "register.yaml")
    text = str(info.value)
    assert "不存在的工作表「nope」" in text and "一一对应" in text and "「no_such」" in text
    assert "引用了不存在的列「nope」" in text
