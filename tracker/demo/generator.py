"""A realistic synthetic register of one fictional Henan county (清河县), for demos and tests.

``generate()`` returns the three tabs of the register contract (行政村, 监测户, 帮扶措施) with the
contract's headers.  Everything is drawn from ``random.Random(seed)`` and dated relative to ``today``,
so the same ``(villages, households, seed, today)`` always gives the same register, and the demo
always looks current.  Names, ID numbers and phone numbers are invented; the ID numbers are
well-formed (real birth dates, correct GB 11643 check digit) and unique.

Deliberate errors (``errors=True``, the default) give the validation report something to show.  About
0.5 % of the households, and at least one of each kind, are spoiled in :func:`_inject_errors`, using
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
from bisect import bisect
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

from tracker.common import paused_gc
from tracker.register import Cell, SheetData, load_contract
from tracker.validate import id_check_digit, today_in_china

COUNTY = "清河县"
COUNTY_CODE = "411790"  # fictional, Henan-like (41 = 河南, 17 = 驻马店)
AREA_CODE = "0396"
#: Where household heads were born: mostly this county, some elsewhere in Henan.
BIRTH_REGIONS = (COUNTY_CODE,) * 8 + ("411700", "410102", "411721", "411524")

ERROR_KINDS = (
    "id_check_digit",
    "income_text",
    "labor_missing",
    "unknown_risk",
    "zero_people",
    "short_phone",
    "measure_end_before_start",
    "measure_unknown_household",
)
ERROR_SHARE = 0.005

Record = dict[str, Any]
T = TypeVar("T")


def contract_headers() -> dict[str, tuple[str, dict[str, str]]]:
    """Tab key → (tab name, {column key: header}), in contract order, from the register contract."""
    return {tab.key: (tab.name, {col.key: col.header for col in tab.columns}) for tab in load_contract().tabs}


class _Weighted(Generic[T]):
    """Values with relative weights, drawn with a single ``random()`` (much faster than ``choices``)."""

    def __init__(self, values: Sequence[T], weights: Sequence[float]) -> None:
        self.values = tuple(values)
        self.cum = tuple(accumulate(weights))

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.cum[-1])]


def _one(rng: random.Random, values: Sequence[T]) -> T:
    """A random element, like ``choice`` but cheaper."""
    return values[int(rng.random() * len(values))]


def _int(rng: random.Random, low: int, high: int) -> int:
    """A random integer in [low, high], like ``randint`` but cheaper."""
    return low + int(rng.random() * (high - low + 1))


# ------------------------------------------------------------------------------------- word pools

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦江尹薛闫段雷侯史陶贺顾毛郝邵万严武孔汤"
)
SURNAME = _Weighted(SURNAMES, [1 / (rank + 4) for rank in range(len(SURNAMES))])
MALE_CHARS = "建国军伟强磊涛明刚勇杰志平华成海东林峰文辉亮鹏飞俊斌永新春宝山福贵长青德振金玉清祥顺广满"
FEMALE_CHARS = "秀英兰芳丽娟敏霞玲红梅琴桂珍凤云莲娥翠萍艳春花荣淑彩玉香巧"

TOWNSHIP_FIRST = "安平永兴长和丰泰福新宝华金玉龙凤石柳杨桃李黄白青高双三五大小东西南北古马刘孙"
TOWNSHIP_SECOND = "店桥集寨庄岗湾营铺岭坡沟口楼园堂屯河湖台埠坊庙堡"
VILLAGE_PREFIX = "前后东西南北大小上下"
VILLAGE_SURNAMES = SURNAMES[:40]
VILLAGE_PLACE = "庄寨楼营集屯店岗湾桥洼园坡铺沟湖台岭"

REMARKS = (
    "户主长期外出务工",
    "2024年住院治疗，已申请医疗救助",
    "已落实防贫保险理赔",
    "子女在读大学",
    "房屋经鉴定为C级危房，已改造",
    "家中有重度残疾人",
    "赡养义务人在外地",
    "雨季易受内涝影响",
)

#: 措施类别 → [(具体措施, amount range or None)]
MEASURES: dict[str, tuple[tuple[str, tuple[int, int] | None], ...]] = {
    "产业帮扶": (
        ("扶贫小额信贷", (30000, 50000)),
        ("产业奖补", (1000, 5000)),
        ("到户产业项目", (2000, 8000)),
        ("肉牛养殖帮扶", None),
        ("光伏收益分配", (500, 1500)),
    ),
    "就业帮扶": (
        ("公益岗位", (3600, 7200)),
        ("技能培训", None),
        ("转移就业交通补贴", (300, 1000)),
        ("就业推荐", None),
        ("帮扶车间就业", None),
    ),
    "兜底保障": (
        ("农村低保", (3000, 9000)),
        ("特困供养", (5000, 8000)),
        ("医疗救助", (1000, 20000)),
        ("残疾人两项补贴", (1200, 2400)),
        ("城乡居民医保资助参保", (300, 400)),
    ),
    "临时救助": (("临时救助", (1000, 8000)),),
    "社会帮扶": (
        ("防贫保险", None),
        ("结对帮扶", None),
        ("爱心企业捐助", (500, 3000)),
        ("消费帮扶", None),
    ),
    "扶志扶智": (
        ("雨露计划", (3000, 3000)),
        ("教育资助", (1000, 5000)),
        ("技能培训", None),
        ("道德积分超市", None),
    ),
}
MEASURE_KINDS = tuple(MEASURES)
#: Measure kinds by labor capacity (weights in MEASURE_KINDS order).
KIND_BY_LABOR = {
    "有劳动能力": _Weighted(MEASURE_KINDS, (38, 38, 3, 3, 10, 8)),
    "弱劳动能力": _Weighted(MEASURE_KINDS, (20, 30, 20, 5, 15, 10)),
    "无劳动能力": _Weighted(MEASURE_KINDS, (4, 0, 65, 7, 20, 4)),
}
MEASURE_COUNT = _Weighted((0, 1, 2, 3), (15, 35, 35, 15))

CATEGORIES = ("脱贫监测户", "边缘户")
CATEGORY_WEIGHTS = (55, 45)
STATUSES = ("监测中", "风险已消除", "已纳入建档立卡", "返贫", "自然减少")
STATUS_WEIGHTS = (70, 22, 2, 3, 3)
LABORS = ("有劳动能力", "弱劳动能力", "无劳动能力")
LABOR_WEIGHTS = (55, 25, 20)
RISKS = ("因病", "因残", "因学", "因灾", "因疫情", "因意外事故", "因产业失败", "因务工就业不稳",
         "缺劳动力", "住房安全", "饮水安全", "其他")  # fmt: skip
RISK_WEIGHTS = (35, 15, 8, 5, 2, 5, 4, 8, 10, 2, 1, 5)
PEOPLE_WEIGHTS = (10, 20, 22, 22, 13, 8, 3, 2)  # 1..8 people

CATEGORY = _Weighted(CATEGORIES, CATEGORY_WEIGHTS)
STATUS = _Weighted(STATUSES, STATUS_WEIGHTS)
LABOR = _Weighted(LABORS, LABOR_WEIGHTS)
PEOPLE = _Weighted(range(1, 9), PEOPLE_WEIGHTS)
#: Without full labor capacity, disability and lack of labor are twice as likely.
RISK_BY_LABOR = {
    labor: _Weighted(
        RISKS,
        [
            w * (2 if labor != "有劳动能力" and risk in ("因残", "缺劳动力") else 1)
            for risk, w in zip(RISKS, RISK_WEIGHTS, strict=True)
        ],
    )
    for labor in LABORS
}


# ------------------------------------------------------------------------------------------ public


def generate(
    villages: int = 40,
    households: int = 600,
    seed: int = 1,
    today: date | None = None,
    errors: bool = True,
) -> list[SheetData]:
    """The three tabs of a synthetic county register (see the module docstring)."""
    if villages < 1 or households < 0:
        raise ValueError("need at least one village and a non-negative number of households")
    today = today or today_in_china()
    rng = random.Random(seed)
    tabs = contract_headers()

    with paused_gc():  # hundreds of thousands of small containers, none of them garbage
        village_recs = _villages(rng, villages, today)
        household_recs = _households(rng, village_recs, households, today)
        measure_recs = _measures(rng, household_recs, today)
        sheets: dict[str, list[list[Cell]]] = {
            "villages": _rows(village_recs, tabs["villages"][1]),
            "households": _rows(household_recs, tabs["households"][1]),
            "measures": _rows(measure_recs, tabs["measures"][1]),
        }
        if errors:
            _inject_errors(random.Random(f"demo-errors-{seed}"), sheets, {k: tabs[k][1] for k in sheets})
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
    for t, (name, size) in enumerate(zip(_township_names(rng, townships), per_township, strict=True)):
        staff = [_person(rng, 0.7) for _ in range(rng.randint(3, 5))]
        for v, village in enumerate(_village_names(rng, size)):
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
                    "village_lead": _person(rng, 0.8),
                    "_staff": staff,
                }
            )
    return records


def _township_names(rng: random.Random, count: int) -> list[str]:
    first, second = TOWNSHIP_FIRST, TOWNSHIP_SECOND
    two = len(first) * len(second)

    def root(i: int) -> str:
        if i < two:
            return first[i // len(second)] + second[i % len(second)]
        i -= two
        return first[i // (len(first) * len(second))] + first[i // len(second) % len(first)] + second[i % len(second)]

    # two-character roots (李店, 石桥) while they last, like most real township names
    roots = [root(i) for i in rng.sample(range(two if count <= two else two * (1 + len(first))), count)]
    names = ["城关镇"]
    for i, name in enumerate(roots[1:], start=1):
        suffix = "街道" if i == 1 and count >= 4 else ("镇" if rng.random() < 0.65 else "乡")
        names.append(name + suffix)
    return names[:count]


def _village_names(rng: random.Random, count: int) -> list[str]:
    base = len(VILLAGE_SURNAMES) * len(VILLAGE_PLACE)
    names = []
    for i in rng.sample(range(base * (1 + len(VILLAGE_PREFIX))), count):
        prefix = "" if i < base else VILLAGE_PREFIX[i // base - 1]
        i %= base
        names.append(f"{prefix}{VILLAGE_SURNAMES[i // len(VILLAGE_PLACE)]}{VILLAGE_PLACE[i % len(VILLAGE_PLACE)]}村")
    return names


def _person(rng: random.Random, male_share: float) -> str:
    return _name(rng, rng.random() < male_share)


def _name(rng: random.Random, male: bool) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = _one(rng, chars) + (_one(rng, chars) if rng.random() < 0.7 else "")
    return SURNAME.pick(rng) + given


# ------------------------------------------------------------------------------------ households


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
        rigid = 100 * (_int(rng, 50, 400) if costly else _int(rng, 0, 40))
    last_year = round(expected * rng.uniform(0.9, 1.4)) if rng.random() < 0.95 else None

    cleared = None
    if status == "风险已消除":
        earliest = first + timedelta(days=183)
        cleared = earliest + timedelta(days=_int(rng, 0, max(0, (today - earliest).days)))

    dibao_share = {"有劳动能力": 0.04, "弱劳动能力": 0.2, "无劳动能力": 0.6}[labor]
    dibao = "是" if rng.random() < dibao_share else "否"
    if rng.random() < 0.04:
        dibao = None
    exit_start = exit_end = None
    if dibao == "是" and rng.random() < (0.6 if status == "风险已消除" else 0.05):
        exit_start = cleared or max(first, today - timedelta(days=_int(rng, 0, 300)))
        months = 12 if category == "脱贫监测户" else _int(rng, 6, 12)
        exit_end = _add_months(exit_start, months) - timedelta(days=1)

    village_review, township_review, county_decision, system_entry = steps[1:]
    return {
        "household_id": f"{COUNTY_CODE}-{number:06d}",
        "county": COUNTY,
        "township": village["township"],
        "village": village["village"],
        "head_name": _name(rng, male),
        "head_id_number": _id_number(rng, male, mode_year, used_ids),
        "phone": _phone(rng),
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
        "township_reviewer": _one(rng, staff) if township_review and rng.random() < 0.97 else None,
        "responsible": _one(rng, staff) if rng.random() < 0.93 else None,
        "cleared": cleared,
        "dibao": dibao,
        "dibao_exit_start": exit_start,
        "dibao_exit_end": exit_end,
        "remarks": _one(rng, REMARKS) if rng.random() < 0.05 else None,
        "_staff": staff,
    }


def _procedure(rng: random.Random, status: str, today: date) -> tuple[date, list[date | None]]:
    """首次纳入监测日期 and [申报/发现, 村级评议, 乡镇审核, 县级确定, 系统录入] (later steps may be None)."""
    recent = status == "监测中" and rng.random() < 0.05
    if recent:  # found in the last days: only the first 0–3 steps done
        first = today - timedelta(days=_int(rng, 0, 8))
        done = _int(rng, 0, 3)
    elif status != "监测中":
        first = today - timedelta(days=_int(rng, 200, 1100))
        done = 4
    elif rng.random() < 0.9:
        first = today - timedelta(days=_int(rng, 20, 730))
        done = 4
    else:
        first = today - timedelta(days=_int(rng, 731, 2650))
        done = 4
    reported = first - timedelta(days=_int(rng, 2, 6))
    steps: list[date | None] = [reported]
    day = reported
    for gap in ((1, 3), (1, 4), (1, 4), (1, 3))[:done]:
        day += timedelta(days=_int(rng, *gap))
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


def _id_number(rng: random.Random, male: bool, mode_year: int, used: set[str]) -> str:
    low, high = date(1940, 1, 1).toordinal(), date(2000, 12, 31).toordinal()
    mode = date(mode_year, 7, 1).toordinal()
    region = _one(rng, BIRTH_REGIONS)
    born = date.fromordinal(round(rng.triangular(low, high, mode)))
    while True:
        sequence = _int(rng, 0, 999)
        if sequence % 2 != int(male):  # odd = male
            sequence ^= 1
        body = f"{region}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
        number = body + id_check_digit(body)
        if number not in used:
            used.add(number)
            return number


def _phone(rng: random.Random) -> str | None:
    draw = rng.random()
    if draw < 0.75:
        return f"{_one(rng, ('13', '15', '18'))}{_int(rng, 0, 10**9 - 1):09d}"
    if draw < 0.9:
        return f"{AREA_CODE}-6{_int(rng, 0, 10**7 - 1):07d}"
    return None


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
        detail, span = _one(rng, options)
    else:
        span = dict(options)[detail]
    amount = None
    if span and (kind == "临时救助" or rng.random() < 0.8):
        amount = span[0] if span[0] == span[1] else 100 * _int(rng, span[0] // 100, span[1] // 100)

    base: date = household["first_monitored"]
    start = base + timedelta(days=_int(rng, 0, max(0, min(180, (today - base).days))))
    end = None
    if rng.random() < (0.6 if household["status"] == "风险已消除" else 0.2) and (today - start).days > 30:
        end = start + timedelta(days=_int(rng, 30, min(365, (today - start).days)))
    record: Record = {
        "household_id": household["household_id"],
        "kind": kind,
        "detail": detail,
        "amount": amount,
        "start": start,
        "end": end,
        "handler": _one(rng, household["_staff"]) if rng.random() < 0.85 else None,
    }
    if kind == "临时救助":
        record["relief_type"] = _one(rng, ("急难型", "支出型"))
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


def _inject_errors(
    rng: random.Random, sheets: dict[str, list[list[Cell]]], columns: dict[str, dict[str, str]]
) -> list[tuple[str, int, str]]:
    """Spoil a few rows in place, one kind after another; returns (tab key, row index, kind)."""
    households, measures = sheets["households"], sheets["measures"]
    if not households:
        return []
    total = max(len(ERROR_KINDS), round(len(households) * ERROR_SHARE))
    kinds = [ERROR_KINDS[i % len(ERROR_KINDS)] for i in range(total)]
    measure_kinds = [kind for kind in kinds if kind.startswith("measure_")]
    household_kinds = [kind for kind in kinds if not kind.startswith("measure_")]
    hh = {key: i for i, key in enumerate(columns["households"])}
    ms = {key: i for i, key in enumerate(columns["measures"])}

    injected: list[tuple[str, int, str]] = []
    targets = rng.sample(range(len(households)), min(len(household_kinds), len(households)))
    for row_index, kind in zip(targets, household_kinds, strict=False):
        row = households[row_index]
        if kind == "id_check_digit":
            number = str(row[hh["head_id_number"]])
            checks = "10X98765432"
            wrong = checks[(checks.index(number[-1]) + rng.randint(1, 10)) % 11]
            row[hh["head_id_number"]] = number[:-1] + wrong
        elif kind == "income_text":
            row[hh["income_per_capita"]] = "六千"
        elif kind == "labor_missing":
            row[hh["labor"]] = None
        elif kind == "unknown_risk":
            row[hh["risk_types"]] = f"{row[hh['risk_types']]}、因懒"
        elif kind == "zero_people":
            row[hh["people"]] = 0
        elif kind == "short_phone":
            row[hh["phone"]] = "1381234"
        injected.append(("households", row_index, kind))

    targets = rng.sample(range(len(measures)), min(len(measure_kinds), len(measures)))
    for n, (row_index, kind) in enumerate(zip(targets, measure_kinds, strict=False)):
        row = measures[row_index]
        if kind == "measure_end_before_start":
            start = row[ms["start"]]
            assert isinstance(start, date)
            row[ms["end"]] = start - timedelta(days=_int(rng, 1, 60))
        else:  # numbers beyond the last household never exist
            row[ms["household_id"]] = f"{COUNTY_CODE}-{len(households) + 1 + n:06d}"
        injected.append(("measures", row_index, kind))
    return injected
