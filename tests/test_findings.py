"""Findings kept column-wise behave as the tuple of Finding objects; message formats per distinct value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.common.fmt import cn_date, yuan
from tracker.rules import wording
from tracker.rules.findings import FIELDS, Finding, FindingList, Pending

ROWS = [("a.rule", "error", "m1", "do", "H1", "镇", "村", "监测户", 3, ""),
        ("b.rule", "warning", "m2", "do", None, None, None, None, None, ""),
        ("procedure.overdue", "information", "m3", "do", "H2", float("nan"), "村", "帮扶措施", 7, "monthly")]


def _columns(rows: list[tuple[object, ...]]) -> dict[str, np.ndarray]:
    out = {}
    for i, name in enumerate(FIELDS):
        out[name] = np.empty(len(rows), dtype=object)
        out[name][:] = [r[i] for r in rows]
    return out


def test_finding_list_is_the_tuple_of_findings() -> None:
    expected = tuple(Finding(*r) for r in ROWS)  # type: ignore[arg-type]
    findings = FindingList(_columns(ROWS))
    assert len(findings) == 3 and findings == expected and expected == findings and list(findings) == list(expected)
    assert findings[0] is findings[0] and findings[-1] == expected[-1] and findings[1:] == expected[1:]
    assert repr(findings[1].as_dict()) == repr(expected[1].as_dict())
    assert repr(findings.dicts()) == repr([f.as_dict() for f in expected])
    assert FindingList(_columns([])) == ()


def test_pending_column_is_made_in_the_findings_order() -> None:
    calls = []

    def later() -> list[str]:
        calls.append(1)
        return ["x", "y"]

    columns = _columns(ROWS)
    columns["message"] = Pending([["z"], later], np.array([2, 0, 1]))  # type: ignore[assignment]
    findings = FindingList(columns)  # type: ignore[arg-type]
    assert len(findings) == 3 and not calls
    assert [f.message for f in findings] == ["y", "z", "x"] and calls == [1]
    assert list(findings.column("message")) == ["y", "z", "x"] and calls == [1]


def test_money_and_dates_format_each_distinct_value_as_fmt_does() -> None:
    """Vectorized formats equal fmt.yuan / fmt.cn_date of each distinct value (-0.0 and 0.0 are one value)."""
    amounts = pd.Series([6000, 6000.5, -0.0, 0.0, 1e20, 1234567.891, None, 3.0, float("inf"), 0.005, 2.675, 1e-7],
                        dtype="Float64")
    assert list(wording.money(amounts)) == list(wording._each(amounts, yuan))
    assert list(wording.money(amounts))[:2] == ["6,000 元", "6,000.50 元"]
    assert list(wording.money(pd.Series([1, None, 3], dtype="Int64"))) == ["1 元", "", "3 元"]
    days = pd.Series(pd.to_datetime(["2020-01-05", None, "1999-12-31"]).astype("datetime64[s]"))
    assert list(wording.dates(days)) == list(wording._each(days, cn_date)) == ["2020年1月5日", "", "1999年12月31日"]
