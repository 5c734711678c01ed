"""A realistic synthetic register of one fictional Henan county (清河县), for demos and tests.

``generate()`` returns the three tabs of the register contract (行政村, 监测户, 帮扶措施) with the
contract's headers.  Everything is drawn from ``random.Random(seed)`` and dated relative to ``today``,
so the same ``(villages, households, seed, today)`` always gives the same register, and the demo
always looks current.  Names, ID numbers and phone numbers are invented; the ID numbers are
well-formed (real birth dates, correct GB 11643 check digit) and unique.

Deliberate errors (``errors=True``, the default) give the validation report something to show.  About
0.5 % of the households, and at least one of each kind, are spoiled in :func:`tracker.demo.spoil.inject_errors`, using
their own random stream so that nothing else in the register changes:

* 监测户 户主身份证号 with a wrong check digit;
* 监测户 人均可支配收入（元） written as text (“六千”);
* 监测户 劳动能力 left empty;
* 监测户 主要风险类型 containing an unknown value (“因懒”);
* 监测户 家庭人口数 of 0;
* 监测户 联系电话 too short (“1381234”);
* 帮扶措施 结束日期 before 开始日期;
* 帮扶措施 referencing a 户编号 that is not in 监测户.

With ``generate(..., errors=False)`` the register is clean: every required cell filled, every value
allowed by the contract, IDs unique, references resolved and dates in order.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from tracker.common import paused_gc
from tracker.register import Cell, SheetData, load_contract
from tracker.validate import today_in_china

from .draw import between, one
from .mechanism2021 import adapt
from .people import full_name, id_number, person, phone, township_names, village_names
from .spoil import inject_errors
from .tables import (
    CATEGORIES,
    CATEGORY,
    COUNTY,
    COUNTY_CODE,
    KIND_BY_LABOR,
    LABOR,
    LABORS,
    MEASURE_COUNT,
    MEASURE_KINDS,
    MEASURES,
    PEOPLE,
    REMARKS,
    RISK_BY_LABOR,
    RISKS,
    STATUS,
    STATUSES,
)

Record = dict[str, Any]
T = TypeVar("T")


def contract_headers() -> dict[str, tuple[str, dict[str, str]]]:
    """Tab key → (tab name, {column key: header}), in contract order, from the register contract."""
    return {tab.key: (tab.name, {col.key: col.header for col in tab.columns}) for tab in load_contract().tabs}



def generate(
    villages: int = 40,
    households: int = 600,
    seed: int = 1,
    today: date | None = None,
    errors: bool = True,
    mechanism: str | None = None,
) -> list[SheetData]:
    """The three tabs of a synthetic county register (see the module docstring), in the values and procedure of
    ``mechanism`` ("2020" or "2021"; by default the one in force on ``today``: 2021 from 2021-01-01)."""
    if villages < 1 or households < 0:
        raise ValueError("need at least one village and a non-negative number of households")
    today = today or today_in_china()
    rng = random.Random(seed)
    tabs = contract_headers()

    with paused_gc():  # hundreds of thousands of small containers, none of them garbage
        village_recs = _villages(rng, villages, today)
        household_recs = _households(rng, village_recs, households, today)
        measure_recs = _measures(rng, household_recs, today)
        if (mechanism or ("2021" if today >= date(2021, 1, 1) else "2020")) == "2021":
            measure_recs = adapt(household_recs, measure_recs, seed, today)
        sheets: dict[str, list[list[Cell]]] = {
            "villages": _rows(village_recs, tabs["villages"][1]),
            "households": _rows(household_recs, tabs["households"][1]),
            "measures": _rows(measure_recs, tabs["measures"][1]),
        }
        if errors:
            inject_errors(random.Random(f"demo-errors-{seed}"), sheets, {k: tabs[k][1] for k in sheets})
        frozen = {key: tuple(map(tuple, rows)) for key, rows in sheets.items()}

    title = f"{COUNTY}防返贫监测对象名册（截至{today.year}年{today.month}月）"
    return [
        SheetData(
            name=tabs[key][0],
            header=tuple(tabs[key][1].values()),
            rows=rows,
            title=title if key == "households" else None,
        )
        for key, rows in frozen.items()
    ]


# -------------------------------------------------------------------------------------- villages


def _villages(rng: random.Random, count: int, today: date) -> list[Record]:
    townships = max(1, round(count / 8))
    per_township = [1] * townships
    weights = [rng.uniform(0.5, 1.6) for _ in range(townships)]
    for t in rng.choices(range(townships), weights=weights, k=count - townships):
        per_township[t] += 1

    no_screening = set(rng.sample(range(count), max(1, round(count * 0.05)))) if count >= 4 else set()
    records: list[Record] = []
    for t, (name, size) in enumerate(zip(township_names(rng, townships), per_township, strict=True)):
        staff = [person(rng, 0.7) for _ in range(rng.randint(3, 5))]
        for v, village in enumerate(village_names(rng, size)):
            screened = None
            if len(records) not in no_screening:
                ago = rng.randint(0, 31) if rng.random() < 0.85 else rng.randint(32, 150)
                screened = today - timedelta(days=ago)
            records.append(
                {
                    "county": COUNTY,
                    "township": name,
                    "village": village,
                    "village_code": f"{COUNTY_CODE}{t + 1:03d}{v + 200:03d}",
                    "last_screening": screened,
                    "village_lead": person(rng, 0.8),
                    "_staff": staff,
                }
            )
    return records





def _households(rng: random.Random, villages: list[Record], count: int, today: date) -> list[Record]:
    weights = [rng.gammavariate(1.5, 1.0) for _ in villages]
    if len(villages) > 1:
        for v in rng.sample(range(len(villages)), max(1, len(villages) // 20)):
            weights[v] = 0.0
    per_village = [0] * len(villages)
    for v in rng.choices(range(len(villages)), weights=weights, k=count):
        per_village[v] += 1

    plan = [
        [
            CATEGORY.pick(rng),
            STATUS.pick(rng),
            LABOR.pick(rng),
        ]
        for _ in range(count)
    ]
    _cover_plan(rng, plan)

    used_ids: set[str] = set()
    records: list[Record] = []
    for village, size in zip(villages, per_village, strict=True):
        for _ in range(size):
            category, status, labor = plan[len(records)]
            records.append(_household(rng, len(records) + 1, village, category, status, labor, today, used_ids))
    _cover_risks(rng, records)
    return records


def _cover_plan(rng: random.Random, plan: list[list[str]]) -> None:
    """Make every category, status and labor value appear (for registers at least that large)."""
    for column, values in enumerate((CATEGORIES, STATUSES, LABORS)):
        present = {row[column] for row in plan}
        missing = [value for value in values if value not in present]
        if not missing or len(plan) < len(values):
            continue
        counts: dict[str, int] = {}
        for row in plan:
            counts[row[column]] = counts.get(row[column], 0) + 1
        for value in missing:  # take a row whose value is common enough to spare one
            spare = [i for i, row in enumerate(plan) if counts[row[column]] > 1]
            i = rng.choice(spare)
            counts[plan[i][column]] -= 1
            counts[value] = 1
            plan[i][column] = value


def _cover_risks(rng: random.Random, records: list[Record]) -> None:
    if len(records) >= len(RISKS):
        present = {risk for record in records for risk in record["_risks"]}
        for risk in RISKS:
            if risk not in present:
                rng.choice(records)["_risks"].append(risk)
    for record in records:
        record["risk_types"] = "、".join(record.pop("_risks"))


def _household(
    rng: random.Random,
    number: int,
    village: Record,
    category: str,
    status: str,
    labor: str,
    today: date,
    used_ids: set[str],
) -> Record:
    staff: list[str] = village["_staff"]
    male = rng.random() < (0.82 if labor == "有劳动能力" else 0.65)
    mode_year = {"有劳动能力": 1974, "弱劳动能力": 1962, "无劳动能力": 1950}[labor]
    people = PEOPLE.pick(rng)
    if labor == "无劳动能力" and rng.random() < 0.5:
        people = min(people, 2)

    risks = _risks(rng, labor)
    first, steps = _procedure(rng, status, today)
    per_capita = rng.triangular(5500, 12000, 7800) if status == "风险已消除" else rng.triangular(2600, 9200, 5000)
    per_capita = round(per_capita)
    expected = round(per_capita * people * rng.uniform(0.95, 1.15))
    rigid = None
    if rng.random() < 0.92:
        costly = any(risk in ("因病", "因学", "因灾", "因意外事故", "住房安全") for risk in risks)
        rigid = 100 * (between(rng, 50, 400) if costly else between(rng, 0, 40))
    last_year = round(expected * rng.uniform(0.9, 1.4)) if rng.random() < 0.95 else None

    cleared = None
    if status == "风险已消除":
        earliest = first + timedelta(days=183)
        cleared = earliest + timedelta(days=between(rng, 0, max(0, (today - earliest).days)))

    dibao_share = {"有劳动能力": 0.04, "弱劳动能力": 0.2, "无劳动能力": 0.6}[labor]
    dibao = "是" if rng.random() < dibao_share else "否"
    if rng.random() < 0.04:
        dibao = None
    exit_start = exit_end = None
    if dibao == "是" and rng.random() < (0.6 if status == "风险已消除" else 0.05):
        exit_start = cleared or max(first, today - timedelta(days=between(rng, 0, 300)))
        months = 12 if category == "脱贫监测户" else between(rng, 6, 12)
        exit_end = _add_months(exit_start, months) - timedelta(days=1)

    village_review, township_review, county_decision, system_entry = steps[1:]
    return {
        "household_id": f"{COUNTY_CODE}-{number:06d}",
        "county": COUNTY,
        "township": village["township"],
        "village": village["village"],
        "head_name": full_name(rng, male),
        "head_id_number": id_number(rng, male, mode_year, used_ids),
        "phone": phone(rng),
        "people": people,
        "category": category,
        "status": status,
        "first_monitored": first,
        "income_per_capita": per_capita,
        "last_year_income": last_year,
        "rigid_expense": rigid,
        "expected_income": expected,
        "_risks": risks,
        "labor": labor,
        "reported": steps[0],
        "village_review": village_review,
        "township_review": township_review,
        "county_decision": county_decision,
        "system_entry": system_entry,
        "township_reviewer": one(rng, staff) if township_review and rng.random() < 0.97 else None,
        "responsible": one(rng, staff) if rng.random() < 0.93 else None,
        "cleared": cleared,
        "dibao": dibao,
        "dibao_exit_start": exit_start,
        "dibao_exit_end": exit_end,
        "remarks": one(rng, REMARKS) if rng.random() < 0.05 else None,
        "_staff": staff,
    }


def _procedure(rng: random.Random, status: str, today: date) -> tuple[date, list[date | None]]:
    """首次纳入监测日期 and [申报/发现, 村级评议, 乡镇审核, 县级确定, 系统录入] (later steps may be None)."""
    recent = status == "监测中" and rng.random() < 0.05
    if recent:  # found in the last days: only the first 0–3 steps done
        first = today - timedelta(days=between(rng, 0, 8))
        done = between(rng, 0, 3)
    elif status != "监测中":
        first = today - timedelta(days=between(rng, 200, 1100))
        done = 4
    elif rng.random() < 0.9:
        first = today - timedelta(days=between(rng, 20, 730))
        done = 4
    else:
        first = today - timedelta(days=between(rng, 731, 2650))
        done = 4
    reported = first - timedelta(days=between(rng, 2, 6))
    steps: list[date | None] = [reported]
    day = reported
    for gap in ((1, 3), (1, 4), (1, 4), (1, 3))[:done]:
        day += timedelta(days=between(rng, *gap))
        steps.append(day if day <= today else None)
    return first, steps + [None] * (5 - len(steps))


def _risks(rng: random.Random, labor: str) -> list[str]:
    weighted = RISK_BY_LABOR[labor]
    wanted = 1 + (rng.random() < 0.25) + (rng.random() < 0.05)
    risks: list[str] = []
    while len(risks) < wanted:
        risk = weighted.pick(rng)
        if risk not in risks:
            risks.append(risk)
    return risks



def _add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -------------------------------------------------------------------------------------- measures


def _measures(rng: random.Random, households: list[Record], today: date) -> list[Record]:
    records: list[Record] = []
    for household in households:
        labor: str = household["labor"]
        kinds: list[str] = []
        if household["dibao"] == "是":
            kinds.append("兜底保障")
        wanted = MEASURE_COUNT.pick(rng)
        if household["county_decision"] is None:  # still being identified
            wanted = min(wanted, 1)
        while len(kinds) < wanted:
            kinds.append(KIND_BY_LABOR[labor].pick(rng))
        for n, kind in enumerate(kinds):
            detail = "农村低保" if n == 0 and household["dibao"] == "是" else None
            records.append(_measure(rng, household, kind, today, detail))

    if households and len(records) >= len(MEASURE_KINDS):
        present = {record["kind"] for record in records}
        for kind in MEASURE_KINDS:
            if kind not in present:
                records.append(_measure(rng, rng.choice(households), kind, today))
    return records


def _measure(rng: random.Random, household: Record, kind: str, today: date, detail: str | None = None) -> Record:
    options = MEASURES[kind]
    if detail is None:
        detail, span = one(rng, options)
    else:
        span = dict(options)[detail]
    amount = None
    if span and (kind == "临时救助" or rng.random() < 0.8):
        amount = span[0] if span[0] == span[1] else 100 * between(rng, span[0] // 100, span[1] // 100)

    base: date = household["first_monitored"]
    start = base + timedelta(days=between(rng, 0, max(0, min(180, (today - base).days))))
    end = None
    if rng.random() < (0.6 if household["status"] == "风险已消除" else 0.2) and (today - start).days > 30:
        end = start + timedelta(days=between(rng, 30, min(365, (today - start).days)))
    record: Record = {
        "household_id": household["household_id"],
        "kind": kind,
        "detail": detail,
        "amount": amount,
        "start": start,
        "end": end,
        "handler": one(rng, household["_staff"]) if rng.random() < 0.85 else None,
    }
    if kind == "临时救助":
        record["relief_type"] = one(rng, ("急难型", "支出型"))
        record["approval_level"] = "县级" if amount and amount > 5000 else "乡镇"
        big_emergency = record["relief_type"] == "急难型" and amount and amount > 6000
        record["case_by_case"] = "是" if big_emergency and rng.random() < 0.3 else "否"
        if rng.random() < 0.5:
            record["end"] = start  # one-off payment
    return record


# ------------------------------------------------------------------------------------------- rows


def _rows(records: Sequence[Record], columns: dict[str, str]) -> list[list[Cell]]:
    return [[record.get(key) for key in columns] for record in records]


# ------------------------------------------------------------------------------------------ errors
