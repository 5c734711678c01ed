"""The synthetic demo register and the register writers."""

from __future__ import annotations

import csv
import re
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from tracker.demo.generator import COUNTY, contract_headers, generate
from tracker.register import load_contract
from tracker.register.sheets import Cell, RawRegister, RawSheet, SheetData
from tracker.register.writers import cell_text, write_csv_dir, write_register, write_xlsx
from tracker.validate import id_check_digit

TODAY = date(2026, 11, 15)
CONTRACT = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "schemas" / "register.yaml").read_text(encoding="utf-8")
)
TABS = {tab["key"]: tab for tab in CONTRACT["tabs"]}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PHONE = re.compile(r"1[358]\d{9}|0\d{2,3}-\d{7,8}")


@pytest.fixture(scope="module")
def register() -> list[SheetData]:
    return generate(today=TODAY, mechanism="2020")


@pytest.fixture(scope="module")
def clean() -> list[SheetData]:
    return generate(today=TODAY, errors=False, mechanism="2020")  # the seed's world (the 2021+ one: below)


def records(sheets: list[SheetData], tab: str) -> list[dict[str, Any]]:
    """Rows of one tab as {column key: value}, keyed through the contract."""
    sheet = next(sheet for sheet in sheets if sheet.name == TABS[tab]["name"])
    keys = [column["key"] for column in TABS[tab]["columns"]]
    return [dict(zip(keys, row, strict=True)) for row in sheet.rows]


def values_of(tab: str, key: str) -> list[str]:
    return next(column["values"] for column in TABS[tab]["columns"] if column["key"] == key)


def id_number_ok(number: object) -> bool:
    """Independent GB 11643 check: 18 characters, real birth date 1940–2000, correct check digit."""
    if not isinstance(number, str) or not re.fullmatch(r"41\d{15}[\dX]", number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    check = "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True)) % 11]
    return 1940 <= born.year <= 2000 and number[17] == check


# ------------------------------------------------------------------------------------- generate


def test_same_arguments_give_the_same_register(register: list[SheetData]) -> None:
    assert generate(today=TODAY, mechanism="2020") == register
    assert generate(today=TODAY) == generate(today=TODAY)  # the 2021+ world is reproducible too
    other = generate(seed=2, today=TODAY, mechanism="2020")
    assert [s.header for s in other] == [s.header for s in register]
    assert other[1].rows != register[1].rows
    assert other[2].rows != register[2].rows


def test_tabs_and_headers_follow_the_contract(register: list[SheetData]) -> None:
    assert [sheet.name for sheet in register] == ["行政村", "监测户", "帮扶措施"]
    required = [tab for tab in CONTRACT["tabs"] if tab.get("required", True)]  # the demo has no 家庭成员 tab
    for sheet, tab in zip(register, required, strict=True):
        assert sheet.name == tab["name"]
        assert sheet.header == tuple(column["header"] for column in tab["columns"])
        assert all(len(row) == len(sheet.header) for row in sheet.rows)
    assert contract_headers()["households"][1]["head_id_number"] == "户主身份证号"
    assert register[1].title == f"{COUNTY}防返贫监测对象名册（截至2026年11月）"
    assert register[0].title is None and register[2].title is None
    assert [len(sheet.rows) for sheet in register[:2]] == [40, 600]


def test_every_enum_value_appears_at_the_default_size(clean: list[SheetData]) -> None:
    households, measures = records(clean, "households"), records(clean, "measures")
    contract = load_contract()
    for tab, key, rows in (("households", "category", households), ("households", "status", households),
                           ("households", "labor", households), ("measures", "kind", measures)):
        column = contract.tab(tab).column(key)
        used = {r[key] for r in rows}
        assert used <= set(column.values), key
        assert {column.role_of[v] for v in used} == set(column.role_of.values()) - {"sudden_hardship"} - (
            set() if key != "kind" else {"health", "education", "housing", "water", "conditions"}), key  # every role
    risks = Counter(risk for h in households for risk in h["risk_types"].split("、"))
    assert set(risks) == set(values_of("households", "risk_types"))
    statuses = Counter(h["status"] for h in households)
    assert statuses.most_common(1)[0][0] == "监测中"
    assert {m["relief_type"] for m in measures} == {None, *values_of("measures", "relief_type")}
    assert {m["approval_level"] for m in measures} <= {None, *values_of("measures", "approval_level")}


def test_id_numbers_are_valid_and_unique(clean: list[SheetData]) -> None:
    numbers = [h["head_id_number"] for h in records(clean, "households")]
    assert all(id_number_ok(number) for number in numbers)
    assert len(set(numbers)) == len(numbers)
    assert id_check_digit("11010519491231002") == "X"  # the example in GB 11643
    assert id_check_digit("41179019590526245") == "5"


def test_clean_register_keeps_the_contract_rules(clean: list[SheetData]) -> None:
    villages, households = records(clean, "villages"), records(clean, "households")
    measures = records(clean, "measures")
    assert len({(v["township"], v["village"]) for v in villages}) == len(villages)
    assert all(re.fullmatch(r"41\d{10}", v["village_code"]) for v in villages)
    assert 1 <= len({v["township"] for v in villages}) <= 5
    screened = [v["last_screening"] for v in villages]
    assert 1 <= screened.count(None) <= 3
    assert sum(1 for day in screened if day and (TODAY - day).days <= 31) >= 0.7 * len(villages)

    known = {(v["township"], v["village"]) for v in villages}
    ids = [h["household_id"] for h in households]
    assert len(set(ids)) == len(ids)
    for h in households:
        for column in TABS["households"]["columns"]:
            if column["required"]:
                assert h[column["key"]] not in (None, ""), column["key"]
        assert (h["township"], h["village"]) in known
        assert 1 <= h["people"] <= 8 and isinstance(h["people"], int)
        assert isinstance(h["income_per_capita"], int | float) and h["income_per_capita"] >= 0
        assert h["phone"] is None or PHONE.fullmatch(h["phone"])
        steps = [h[k] for k in ("reported", "village_review", "township_review", "county_decision")]
        steps.append(h["system_entry"])
        done = [step for step in steps if step is not None]
        assert steps[: len(done)] == done == sorted(done), h["household_id"]
        assert all(step <= TODAY for step in done)
        assert (h["cleared"] is not None) == (h["status"] == "风险已消除")
        if h["dibao_exit_start"]:
            assert h["dibao"] == "是" and h["dibao_exit_end"] >= h["dibao_exit_start"]
        assert h["dibao"] in ("是", "否", None)

    first = {h["household_id"]: h["first_monitored"] for h in households}
    for m in measures:
        assert m["household_id"] in first
        assert first[m["household_id"]] <= m["start"] <= TODAY
        assert m["end"] is None or m["start"] <= m["end"] <= TODAY
        if m["kind"] == "临时救助":
            assert 1000 <= m["amount"] <= 8000 and m["relief_type"] and m["approval_level"]


def test_households_spread_unevenly_with_an_empty_village(clean: list[SheetData]) -> None:
    per_village = Counter((h["township"], h["village"]) for h in records(clean, "households"))
    villages = {(v["township"], v["village"]) for v in records(clean, "villages")}
    assert villages - set(per_village), "at least one village without households"
    assert max(per_village.values()) >= 3 * min(per_village.values())


def test_income_and_measures_look_plausible(clean: list[SheetData]) -> None:
    households, measures = records(clean, "households"), records(clean, "measures")
    incomes = [h["income_per_capita"] for h in households]
    assert sum(3000 <= i <= 9000 for i in incomes) > 0.7 * len(incomes)
    assert sum(i < 4000 for i in incomes) > 0.03 * len(incomes)
    assert sum(i < 6000 for i in incomes) > 0.3 * len(incomes)
    labor = {h["household_id"]: h["labor"] for h in households}
    able = [m["kind"] for m in measures if labor[m["household_id"]] == "有劳动能力"]
    unable = [m["kind"] for m in measures if labor[m["household_id"]] == "无劳动能力"]
    assert sum(kind in ("产业帮扶", "就业帮扶") for kind in able) > 0.6 * len(able)
    assert sum(kind == "兜底保障" for kind in unable) > 0.5 * len(unable)
    dibao = [h["labor"] for h in households if h["dibao"] == "是"]
    assert Counter(dibao).most_common(1)[0][0] == "无劳动能力"


def test_deliberate_errors_can_be_turned_off(register: list[SheetData], clean: list[SheetData]) -> None:
    spoiled = [a for a, b in zip(register[1].rows, clean[1].rows, strict=True) if a != b]
    assert 5 <= len(spoiled) <= 0.02 * len(clean[1].rows)
    assert register[0] == clean[0]
    households, measures = records(register, "households"), records(register, "measures")
    assert any(h["income_per_capita"] == "六千" for h in households)
    assert any(h["labor"] is None for h in households)
    assert any("因懒" in h["risk_types"] for h in households)
    assert any(h["people"] == 0 for h in households)
    assert any(h["phone"] == "1381234" for h in households)
    assert sum(not id_number_ok(h["head_id_number"]) for h in households) >= 1
    assert any(m["end"] is not None and m["end"] < m["start"] for m in measures)
    ids = {h["household_id"] for h in households}
    assert any(m["household_id"] not in ids for m in measures)


def test_scales_to_a_large_county() -> None:
    started = time.perf_counter()
    villages, households, measures = generate(400, 10_000, seed=7, today=TODAY, errors=False, mechanism="2020")
    assert time.perf_counter() - started < 8  # about 1 s; a quadratic step would take minutes
    assert (len(villages.rows), len(households.rows)) == (400, 10_000)
    assert 10_000 <= len(measures.rows) <= 30_000
    numbers = [row[5] for row in households.rows]
    assert len(set(numbers)) == 10_000 and all(map(id_number_ok, numbers[:500]))
    assert len({row[0] for row in households.rows}) == 10_000
    assert len({(row[1], row[2]) for row in villages.rows}) == 400


def test_tiny_registers_work() -> None:
    villages, households, measures = generate(1, 0, today=TODAY)
    assert (len(villages.rows), len(households.rows), len(measures.rows)) == (1, 0, 0)
    assert len(generate(3, 5, today=TODAY)[1].rows) == 5
    with pytest.raises(ValueError):
        generate(0, 10, today=TODAY)


# -------------------------------------------------------------------------------------- writers


def test_write_xlsx_round_trip(tmp_path: Path, register: list[SheetData]) -> None:
    path = tmp_path / "demo.xlsx"
    write_xlsx(register, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["行政村", "监测户", "帮扶措施"]

    sheet = register[1]
    worksheet = workbook["监测户"]
    assert worksheet["A1"].value == sheet.title
    assert tuple(c.value for c in worksheet[2]) == sheet.header
    assert worksheet.max_row == len(sheet.rows) + 2
    assert worksheet.freeze_panes == "A3"
    id_col, date_col = sheet.header.index("户主身份证号"), sheet.header.index("首次纳入监测日期")
    people_col = sheet.header.index("家庭人口数")
    for row, cells in zip(sheet.rows, worksheet.iter_rows(min_row=3), strict=True):
        assert isinstance(cells[id_col].value, str) and cells[id_col].value == row[id_col]
        assert cells[id_col].number_format == "@"
        assert cells[0].value == row[0] and cells[0].number_format == "@"
        assert cells[date_col].value == datetime.combine(row[date_col], datetime.min.time())
        assert cells[date_col].number_format == "yyyy-mm-dd"
        assert cells[people_col].value == row[people_col]

    villages = workbook["行政村"]
    assert tuple(c.value for c in villages[1]) == register[0].header
    assert all(isinstance(c.value, str) for c in villages["D"][1:])  # 村代码 stays text
    measures = workbook["帮扶措施"]
    assert measures.max_row == len(register[2].rows) + 1


def test_write_xlsx_handles_awkward_cells(tmp_path: Path) -> None:
    rows: list[tuple[Cell, ...]] = [
        ("a<b & c>", 1.5, True, datetime(2026, 1, 2, 3, 4, 5), 411790195905262455),
        (" lead space", None, False, date(2026, 1, 2), "0396-66604881"),
    ]
    path = tmp_path / "odd.xlsx"
    write_xlsx([SheetData("表", ("文本", "数", "是否", "时间", "联系电话"), rows)], path)
    cells = [[c.value for c in row] for row in openpyxl.load_workbook(path)["表"].iter_rows(min_row=2)]
    assert cells[0] == ["a<b & c>", 1.5, "是", datetime(2026, 1, 2, 3, 4, 5), "411790195905262455"]
    assert cells[1] == [" lead space", None, "否", datetime(2026, 1, 2), "0396-66604881"]


def test_write_csv_dir_gb18030_round_trip(tmp_path: Path, register: list[SheetData]) -> None:
    write_csv_dir(register, tmp_path, encoding="gb18030")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{s.name}.csv" for s in register)
    for sheet in register:
        with (tmp_path / f"{sheet.name}.csv").open(encoding="gb18030", newline="") as handle:
            lines = list(csv.reader(handle))
        if sheet.title:
            assert lines.pop(0) == [sheet.title]
        assert tuple(lines.pop(0)) == sheet.header
        assert lines == [[cell_text(value) for value in row] for row in sheet.rows]
    first = next(csv.reader((tmp_path / "监测户.csv").open(encoding="gb18030")))
    assert first == [register[1].title]
    row = list(csv.reader((tmp_path / "监测户.csv").open(encoding="gb18030")))[2]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[register[1].header.index("农户申报或发现日期")])


def test_write_register_picks_the_format(tmp_path: Path, register: list[SheetData]) -> None:
    write_register(register, tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True).sheetnames[1] == "监测户"
    write_register(register, tmp_path / "nested" / "csv")
    data = (tmp_path / "nested" / "csv" / "行政村.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # utf-8-sig by default, so Excel opens it
    assert cell_text(None) == "" and cell_text(2.0) == "2" and cell_text(date(2026, 1, 2)) == "2026-01-02"


def test_the_demo_of_2026_follows_the_2021_mechanism() -> None:
    """Issue 16: a newcomer's first site is dated today and judged by today's mechanism: no wall of 2020 deadlines
    passed years ago; the national values validate; every date is on or before the demo's today."""
    from tracker.pipeline import demo_policy
    from tracker.rules import evaluate, load_policy
    from tracker.validate import validate

    sheets = generate(today=TODAY, errors=False)
    households = records(sheets, "households")
    assert {h["category"] for h in households} == {"脱贫不稳定户", "边缘易致贫户", "突发严重困难户"}
    assert {h["labor"] for h in households} <= {"普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力",
                                                "无劳动力"}
    cleared = [h for h in households if h["status"] == "风险已消除"]
    assert cleared and all(h["clearance_method"] in ("帮扶消除", "自然消除") for h in cleared)
    steps = ("application", "household_check", "village_review", "notice_start", "notice_end", "township_review",
             "county_decision", "system_entry", "cleared", "first_monitored")  # (a gradual exit may end later)
    for h in households:
        assert all(h[k] is None or h[k] <= TODAY for k in steps), h["household_id"]
    raw = RawRegister("demo", {s.name: RawSheet(s.name, ((1, s.header), *((i + 2, tuple(r)) for i, r in
                                                                        enumerate(s.rows)))) for s in sheets})
    validated = validate(raw, today=TODAY)
    assert validated.errors == ()
    policy_file = Path(__file__).parent / "_demo_policy.yaml"
    try:
        policy_file.write_text(demo_policy(TODAY), encoding="utf-8")
        outcome = evaluate(validated, load_policy(policy_file), TODAY)
    finally:
        policy_file.unlink()
    rules = {f.rule for f in outcome.findings}
    assert outcome.policy.mechanism == "2021" and not outcome.skipped
    assert "procedure.overdue" not in rules and "identify.late" in rules
    late = sum(f.rule == "identify.late" for f in outcome.findings)
    assert late < len(households) * 0.1
    assert generate(today=TODAY, errors=False, mechanism="2020")[1].rows != sheets[1].rows
