"""Each error code on its own: exactly one error, at the right sheet, row, column and code."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.builders import household, id_number, measure, register, village, with_check_digit
from tracker.validate.validator import validate

TODAY = date(2020, 7, 1)


def _errors(**kwargs):  # type: ignore[no-untyped-def]
    result = validate(register(**kwargs), today=TODAY)
    return {(e.sheet, e.row, e.column, e.code) for e in result.errors}


def test_clean_register_has_no_errors() -> None:
    assert _errors(households=[household(1), household(2)], measures=[measure("H0001")]) == set()


@pytest.mark.parametrize(
    ("cells", "column", "code"),
    [
        ({"户编号": None}, "户编号", "required"),
        ({"主要风险类型": "  "}, "主要风险类型", "required"),
        ({"人均可支配收入（元）": "约五千"}, "人均可支配收入（元）", "type"),
        ({"家庭人口数": 2.5}, "家庭人口数", "type"),
        ({"系统录入日期": "2020-06-31"}, "系统录入日期", "type"),
        ({"人均可支配收入（元）": -1}, "人均可支配收入（元）", "range"),
        ({"家庭人口数": 21}, "家庭人口数", "range"),
        ({"劳动能力": "强"}, "劳动能力", "enum"),
        ({"是否享受低保": "有"}, "是否享受低保", "enum"),
        ({"户主身份证号": "41010219800101001"}, "户主身份证号", "id_number"),
        ({"户主身份证号": with_check_digit("41010220300101001")}, "户主身份证号", "id_number"),
        ({"户主身份证号": with_check_digit("41010219800230001")}, "户主身份证号", "id_number"),
        ({"户主身份证号": id_number(seq="002")[:-1] + "Y"}, "户主身份证号", "id_number"),
        ({"联系电话": "0371-6666"}, "联系电话", "phone"),
        ({"联系电话": "23812345678"}, "联系电话", "phone"),
        ({"行政村": "西村"}, "行政村", "reference"),
        ({"乡镇（街道）": "河西镇"}, "行政村", "reference"),
        ({"低保渐退期起": "2020-03-01", "低保渐退期止": "2020-02-29"}, "低保渐退期止", "date_order"),
    ],
)
def test_each_code_on_households(cells: dict[str, object], column: str, code: str) -> None:
    assert _errors(households=[household(1), household(2, **cells)]) == {("监测户", 3, column, code)}


@pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "0371-66661234", "037166661234", 13812345678,
                                   "010-12345678", "(0371)66661234"])
def test_valid_phones(phone: object) -> None:
    assert _errors(households=[household(1, **{"联系电话": phone})]) == set()


def test_duplicates_flag_the_later_rows() -> None:
    twin = household(1, **{"户主身份证号": id_number(seq="555")})
    same_id = household(3, **{"户主身份证号": household(2)["户主身份证号"]})
    assert _errors(households=[household(1), household(2), twin, same_id]) == {
        ("监测户", 4, "户编号", "duplicate"), ("监测户", 5, "户主身份证号", "duplicate")}


def test_duplicate_village_and_measure_errors() -> None:
    found = _errors(villages=[village(), village(**{"乡镇（街道）": "城关镇 "})], households=[household(1)],
                    measures=[measure("H0001", **{"金额（元）": "-5"}), measure("H0404"),
                              measure("H0001", **{"救助类型": "大额"})])
    assert found == {("行政村", 3, "行政村", "duplicate"), ("帮扶措施", 2, "金额（元）", "range"),
                     ("帮扶措施", 3, "户编号", "reference"), ("帮扶措施", 4, "救助类型", "enum")}


def test_village_code_must_have_twelve_digits() -> None:
    assert _errors(villages=[village(**{"村代码": "4101"})], households=[household(1)]) == {
        ("行政村", 2, "村代码", "type")}


def test_unparseable_required_cell_is_type_not_required() -> None:
    assert _errors(households=[household(1, **{"家庭人口数": "三"})]) == {("监测户", 2, "家庭人口数", "type")}


def test_messages_say_how_to_fix() -> None:
    result = validate(register(households=[household(1, **{"监测类别": "贫困户"})]), today=TODAY)
    (error,) = result.errors
    assert error.value == "贫困户"
    assert "脱贫监测户、边缘户" in error.message


def test_non_ascii_digits_are_an_error_of_their_cell_only() -> None:
    """Arabic-Indic digits (NFKC keeps them) are no digits of an ID number, amount or date: each such cell is
    reported, and the rest of its column is still checked (a bad check digit next to it is found too)."""
    wrong_check = id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")
    errors = _errors(households=[household(1, **{"户主身份证号": "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧X", "家庭人口数": "٣"}),
                                 household(2, **{"户主身份证号": wrong_check, "联系电话": "١٣٨١٢٣٤٥٦٧٨"})],
                     measures=[measure("H0001", **{"金额（元）": "٦٠٠٠", "开始日期": "٢٠٢٠-٠٤-٠٣"})])
    assert errors == {("监测户", 2, "户主身份证号", "id_number"), ("监测户", 2, "家庭人口数", "type"),
                      ("监测户", 3, "户主身份证号", "id_number"), ("监测户", 3, "联系电话", "phone"),
                      ("帮扶措施", 2, "金额（元）", "type"), ("帮扶措施", 2, "开始日期", "type")}


def test_month_only_dates_are_the_month_end_and_remembered() -> None:
    """Dates the national system exports to the month only (202104) are valid: the month's last day, and the table
    knows which cells were written so."""
    result = validate(register(households=[household(1, **{"首次纳入监测日期": "202104"}),
                                           household(2, **{"首次纳入监测日期": 202005, "低保渐退期起": "2020年5月"}),
                                           household(3)]), today=TODAY)
    assert result.errors == ()
    table = result.tables["households"]
    assert table.values.loc[2, "first_monitored"] == pd.Timestamp("2021-04-30")
    assert table.values.loc[3, "first_monitored"] == pd.Timestamp("2020-05-31")
    assert table.month_only("first_monitored", 2) and table.month_only("first_monitored", 3)
    assert not table.month_only("first_monitored", 4) and not table.month_only("system_entry", 2)
    assert table.months == {"first_monitored": frozenset({2, 3}), "dibao_exit_start": frozenset({3})}
    assert table.text.loc[3, "first_monitored"] == "202005"  # a month as a number is shown as written


def test_an_invalid_month_is_a_type_error_with_the_month_hint() -> None:
    result = validate(register(households=[household(1, **{"首次纳入监测日期": "202113"})]), today=TODAY)
    (error,) = result.errors
    assert (error.row, error.code) == (2, "type")
    assert error.message.startswith("「202113」不是有效的日期") and "2021-04 或 202104" in error.message
    assert result.tables["households"].months == {}


def test_a_month_outside_the_window_is_a_range_error_and_not_month_only() -> None:
    result = validate(register(households=[household(1, **{"首次纳入监测日期": "2031-04"})]), today=TODAY)
    assert [(e.row, e.code) for e in result.errors] == [(2, "range")]
    assert not result.tables["households"].month_only("first_monitored", 2)
