"""The contract's checks run directly (tracker.validate.checks) find exactly what the pandera schema finds."""

from __future__ import annotations

import random
from datetime import date, datetime

import pandas as pd
import pandera.pandas as pa
import pytest

from tests.builders import household, id_number, measure, member, register, village
from tracker.register.contract import load_contract
from tracker.register.layout import locate_all
from tracker.register.sheets import RawRegister
from tracker.validate.checks import Checker
from tracker.validate.schema import across_clashes, build_schema, reference_keys
from tracker.validate.validator import _prepare, validate

TODAY = date(2020, 7, 20)


def _spice(rnd: random.Random, text: str) -> object:
    return rnd.choice([text, text, text, f" {text} ", text.lower(), text.replace("0", "０"), text[:2] + " " + text[2:],
                       "\u3000" + text, None, ""])


def _register(seed: int, n: int = 120) -> RawRegister:
    rnd = random.Random(seed)
    villages = [village(), village(**{"行政村": "西村"}), village(**{"行政村": " 西村"}),
                village(**{"乡镇（街道）": "河西镇", "行政村": "南村"}), village(**{"行政村": None})]
    households = []
    for i in range(1, n + 1):
        pick = i if rnd.random() < 0.8 else rnd.randrange(1, n // 3)
        ident = id_number(birth=f"1980010{1 + pick // 1000}", seq=f"{pick % 1000:03d}")
        ident = rnd.choice([ident, ident.lower(), ident[:-1] + "0", ident[:10], "4.10102E+17", None, f" {ident}",
                            "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧X"])  # Arabic-Indic digits: an error of this cell, not of the column
        households.append(household(i, **{
            "户编号": _spice(rnd, f"H{rnd.randrange(1, n):04d}" if rnd.random() < 0.2 else f"H{i:04d}"),
            "行政村": rnd.choice(["东村", "西村", "西 村", "北村", None, "南村"]),
            "乡镇（街道）": rnd.choice(["城关镇", "城关镇", "河西镇", None]),
            "户主身份证号": ident,
            "联系电话": f"1{rnd.randrange(10**10):010d}" if rnd.random() < 0.6 else rnd.choice(
                [f"0371-{rnd.randrange(10**8):08d}", "(0371)6666123", "123", None, f"0{rnd.randrange(10**10):010d}",
                 "١٣٨١٢٣٤٥٦٧٨"]),
            "家庭人口数": rnd.choice([3, 0, 25, "4人", "三口", None]),
            "监测状态": rnd.choice(["监测中", "正常", " 返贫", None]),
            "主要风险类型": rnd.choice(["因病", "因病、因懒", "、、", None]),
            "低保渐退期起": rnd.choice(["2020-06-01", None, "2020-02-30", datetime(9999, 12, 31), date(1899, 12, 31),
                                    "2020-06", "202006", 202006, "2020年6月", "2020.13", 202113, "2022/07"]),
            "低保渐退期止": rnd.choice(["2020-01-31", "2020-12-31", None, "2020-06", 202005, "2020年12月", "2021/8"]),
            "首次纳入监测日期": rnd.choice(["2020-05-20", "202004", 202104, "2031-01", "2020-00"]),
        }))
    measures = [measure(_spice(rnd, f"H{rnd.randrange(1, n + 10):04d}"),  # type: ignore[arg-type]
                        **{"开始日期": rnd.choice(["2020-06-01", "2020-08-01", None, datetime(1020, 5, 10), "2020-06",
                                                 202008]),
                           "结束日期": rnd.choice([None, "2020-05-01", "2020-12-31", date(2021, 7, 21), "2020年6月",
                                                 "202105", "2021-08"]),
                           "金额（元）": rnd.choice([5000, -1, "abc", None])}) for _ in range(2 * n)]
    members = [member(f"H{rnd.randrange(1, n):04d}", 100 + i, **{
        "身份证号": rnd.choice([id_number(birth=f"2010010{1 + i // 1000}", seq=f"{i % 1000:03d}"),
                             id_number(birth="19800101", seq=f"{rnd.randrange(1, min(n // 3, 999)):03d}"),
                             id_number(birth="20100101", seq=f"{rnd.randrange(0, 9):03d}"), "bad", None]),
        "户编号": _spice(rnd, f"H{rnd.randrange(1, n):04d}")}) for i in range(n // 2)]
    return register(villages=villages, households=households, measures=measures, members=members)


def _pandera_failures(frames: dict[str, pd.DataFrame], tab_key: str) -> set[tuple[str, str, int]]:
    contract = load_contract()
    references = {ref.tab: reference_keys(frames[ref.tab], ref.columns)
                  for tab in contract.tabs for ref in tab.references if ref.tab in frames}
    tab = contract.tab(tab_key)
    frame = frames[tab_key]
    schema = build_schema(tab, set(frame.columns), references, TODAY, frames)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna() & (cases["check"] != "not_nullable")]
        pairs = cases[["check", "index"]].itertuples(index=False)
        return {(*str(check).split(":", 1), int(index)) for check, index in pairs}
    return set()


@pytest.mark.parametrize(("seed", "n"), [(1, 120), (2, 120), (3, 120), (4, 120), (5, 4000)])
def test_direct_checks_find_what_pandera_finds(seed: int, n: int) -> None:
    """n = 4000: more than 2,000 distinct values, so the text matrix paths (ID numbers, phones, keys) run. Dates
    include months (2020-06, 202006 as text and number: the month's last day), valid, invalid and out of window."""
    contract = load_contract()
    located = locate_all(_register(seed, n), contract)
    data = {key: _prepare(loc) for key, loc in located.items()}
    frames = {key: pd.DataFrame({k: pd.Series(c.expand()) for k, c in d.columns.items()}, index=pd.RangeIndex(len(d)))
              for key, d in data.items()}
    reference_columns = {ref.tab: ref.columns for tab in contract.tabs for ref in tab.references if ref.tab in data}
    for key in data:
        direct = {(f.code, f.key, int(p)) for f in Checker(data[key], data, reference_columns, TODAY).failures()
                  for p in f.positions}
        assert direct == _pandera_failures(frames, key), key


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_duplicates_across_tabs_match_the_reference(seed: int) -> None:
    contract = load_contract()
    located = locate_all(_register(seed), contract)
    data = {key: _prepare(loc) for key, loc in located.items()}
    frame = {key: pd.DataFrame({k: pd.Series(c.expand()) for k, c in d.columns.items()}) for key, d in data.items()}
    rule = contract.tab("members").unique_across[0]
    expected = across_clashes(rule, frame["members"], frame["households"])
    positions, others = Checker(data["members"], data, {}, TODAY).clashes(rule)
    assert list(positions) == list(expected["position"]) and list(others) == list(expected["other"])


def test_an_empty_key_before_a_duplicate_is_no_crash() -> None:
    """The first row of a duplicate is found among complete keys only (the per-row search used to stop with a
    TypeError on a row whose key was empty)."""
    reg = register(households=[household(1, **{"户编号": None}), household(2), household(3),
                               household(4, **{"户编号": "H0002"})],
                   measures=[measure("H0002")],
                   members=[member("H0003", 101, **{"身份证号": None}),
                            member("H0003", 102, **{"身份证号": id_number(seq="002")})])
    errors = {(e.sheet, e.row, e.message) for e in validate(reg, today=TODAY).errors if e.code == "duplicate"}
    assert errors == {
        ("监测户", 5, "「H0002」与第 3 行重复，同一条记录只能登记一次：请删除多余的一行，或改正为正确的值。"),
        ("家庭成员", 3, f"「{id_number(seq='002')}」与「监测户」工作表第 3 行（户编号「H0002」）的「户主身份证号」"
                    "重复，同一条记录只能登记一次：请删除多余的一行，或改正为正确的值。"),
    }
