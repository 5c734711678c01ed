"""Pre-cleaning: every tolerant form of the contract parses, and unparseable cells are flagged."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from tracker.validate import cells


def _one(parser, value):  # type: ignore[no-untyped-def]
    result = parser(pd.Series([value], dtype=object))
    return result.values.iat[0], bool(result.bad.iat[0])


@pytest.mark.parametrize(
    "value", ["6,000", "6000元", "６０００", " 6000 ", "6000.00", 6000, 6000.0, "￥6000", "6，000"]
)
def test_number_forms(value: object) -> None:
    assert _one(cells.parse_number, value) == (6000, False)


@pytest.mark.parametrize("value", ["六千", "6千", "6000-7000", "abc", True])
def test_number_rejects(value: object) -> None:
    parsed, bad = _one(cells.parse_number, value)
    assert bad and pd.isna(parsed)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_is_missing_not_bad(value: object) -> None:
    for parser in (cells.parse_number, cells.parse_date, cells.parse_integer):
        parsed, bad = _one(parser, value)
        assert pd.isna(parsed) and not bad


@pytest.mark.parametrize("value", [datetime(2020, 4, 3), date(2020, 4, 3), "2020-04-03", "2020/4/3", "2020.4.3",
                                   "2020年4月3日", "20200403", 43924, 43924.0, "43924", 20200403,
                                   "2020-04-03 00:00:00", " 2020-4-3 ", "２０２０-04-03"])
def test_date_forms(value: object) -> None:
    parsed, bad = _one(cells.parse_date, value)
    assert not bad and parsed.date() == date(2020, 4, 3)


@pytest.mark.parametrize("value", ["2020-02-30", "2020-13-01", "明天", "1800-01-01", "20201332", "202113", 202113,
                                   "2022-00", "2022/13", "2022.13", "2022年0月", "2022年13月", "190000", 210013,
                                   "1800-05", 202104.5, "2022-6-", "2022年6"])
def test_date_rejects(value: object) -> None:
    parsed, bad = _one(cells.parse_date, value)
    assert bad and pd.isna(parsed)


@pytest.mark.parametrize("value", ["202104", 202104, 202104.0, "2021-04", "2021-4", "2021/04", "2021/4", "2021.04",
                                   "2021.4", "2021年4月", "2021年04月", " 2021 年 4 月 ", "2021 - 04", "２０２１年４月",
                                   "２０２１０４"])
def test_month_forms_are_the_last_day(value: object) -> None:
    result = cells.parse_date(pd.Series([value], dtype=object))
    assert not result.bad.iat[0] and result.values.iat[0].date() == date(2021, 4, 30)
    assert result.month is not None and result.month.tolist() == [True]


@pytest.mark.parametrize(("value", "expected"), [("2024-02", date(2024, 2, 29)), ("2100-02", date(2100, 2, 28)),
                                                 (190001, date(1900, 1, 31)), ("210012", date(2100, 12, 31)),
                                                 ("2020年12月", date(2020, 12, 31))])
def test_month_ends(value: object, expected: date) -> None:
    assert _one(cells.parse_date, value)[0].date() == expected


@pytest.mark.parametrize(("value", "expected"), [("20210430", date(2021, 4, 30)), (20210430, date(2021, 4, 30)),
                                                 (44000, date(2020, 6, 18)), ("44000", date(2020, 6, 18)),
                                                 (73050, date(2099, 12, 31)), ("2021-04-03", date(2021, 4, 3)),
                                                 (datetime(2021, 4, 1), date(2021, 4, 1))])
def test_full_dates_are_no_months(value: object, expected: date) -> None:
    """An 8-digit yyyymmdd is still a day and a serial number still a serial: neither is month-only."""
    result = cells.parse_date(pd.Series([value, "2021-04"], dtype=object))
    assert result.values.iat[0].date() == expected and not result.bad.iat[0]
    assert result.month is not None and result.month.tolist() == [False, True]


@pytest.mark.parametrize(("value", "expected"), [("3", 3), (3, 3), (3.0, 3), ("4人", 4), ("4口", 4), ("５", 5)])
def test_integer_forms(value: object, expected: int) -> None:
    assert _one(cells.parse_integer, value) == (expected, False)


def test_integer_rejects_fraction() -> None:
    parsed, bad = _one(cells.parse_integer, 3.5)
    assert bad and pd.isna(parsed)


def test_multi_value_separators() -> None:
    parsed, _ = _one(cells.parse_multi, "因病、因学，因灾,因残；缺劳动力;住房安全 饮水安全　其他")
    assert parsed == ("因病", "因学", "因灾", "因残", "缺劳动力", "住房安全", "饮水安全", "其他")


def test_enum_spaces_and_width_folded() -> None:
    assert _one(cells.parse_enum, "  监测中 ")[0] == "监测中"


def test_id_number_lowercase_x_and_numeric_cells() -> None:
    assert _one(cells.parse_id_number, " 41010219800101001x ") == ("41010219800101001X", False)
    parsed, bad = _one(cells.parse_id_number, 4.10102198001010e17)
    assert bad and pd.isna(parsed)
    parsed, bad = _one(cells.parse_id_number, "4.10102E+17")
    assert bad


def test_text_keeps_ids_of_numeric_cells() -> None:
    assert _one(cells.parse_text, 1001.0)[0] == "1001"
    assert _one(cells.parse_text, "  H-01 ")[0] == "H-01"


def test_display_text_matches_what_editors_see() -> None:
    assert cells.display_text(25.0) == "25"
    assert cells.display_text(6000.5) == "6000.5"
    assert cells.display_text(datetime(2020, 4, 3)) == "2020-04-03"
    assert cells.display_text("") is None
    assert cells.display_text(None) is None
