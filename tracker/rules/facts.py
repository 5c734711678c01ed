"""Per-household facts derived once, vectorized, and handed to both the rules and the rendering.

Whole months of a dibao gradual-exit period (起 to 止, both days included): a period of *n* whole months
starting on day S runs to the day before the same day-of-month *n* months later, so its length is the
largest *n* with ``S + n months ≤ 止 + 1 day`` (a day-of-month missing in the later month, like 31 January +
1 month, falls on that month's last day). Days beyond the last whole month are not counted:
2020-01-01..2020-12-31 is 12 months, 2020-01-15..2021-01-14 is 12, 2020-01-01..2020-12-30 is 11,
2020-01-01..2021-01-30 is still 12 (12 months and 30 days).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from tracker.common import as_date

from .context import Context, true

STEPS: tuple[tuple[str, str], ...] = (("village_review", "村级评议"), ("township_review", "乡镇审核"),
                                      ("county_decision", "县级确定"), ("system_entry", "系统录入"))
STEP_LABELS: dict[str, str] = dict(STEPS)
CRITERIA: dict[str, str] = {
    "low_income": "人均可支配收入低于监测标准",
    "high_expense": "刚性支出超过上年度家庭收入",
    "income_drop": "本年预计家庭收入大幅缩减",
}
EXIT_SOON_DAYS = 30


def whole_months(start: pd.Series, end: pd.Series) -> pd.Series:
    """Length in whole months of the periods start..end, both days included (NA where a date is missing)."""
    after = end + pd.Timedelta(days=1)
    months = (after.dt.year - start.dt.year) * 12 + (after.dt.month - start.dt.month)
    anniversary = np.minimum(start.dt.day, after.dt.days_in_month)
    months = months - (after.dt.day < anniversary).astype(int)
    return months.round().astype("Int64")


def month_end_after(base: pd.Series, months_after: int = 1) -> pd.Series:
    """The last day of the ``months_after``-th month after each date's month (1: the next month; NaT stays NaT)."""
    months = base.to_numpy(dtype="datetime64[s]").astype("datetime64[M]") + np.timedelta64(months_after + 1, "M")
    last = months.astype("datetime64[D]") - np.timedelta64(1, "D")
    return pd.Series(last.astype("datetime64[s]"), index=base.index)


@dataclass(frozen=True)
class ReliefFact:
    """A 临时救助 measure: its amount, the approval level it needs (None while unknown) and the level recorded."""

    measure_row: int
    amount: float | None
    needed_level: str | None  # 乡镇 (may be delegated) or 县级
    recorded_level: str | None


@dataclass(frozen=True)
class HouseholdFact:
    row: int
    household: str | None
    monitored: bool
    criteria: tuple[str, ...]  # keys of CRITERIA the household meets
    criteria_decided: bool  # False when an invalid/empty cell leaves it open
    carried_over: bool | None  # monitored since before 1 January of the rectification year
    steps_done: tuple[str, ...]  # keys of STEPS
    steps_missing: tuple[str, ...]  # empty cells, and (carried over) steps dated before that 1 January
    deadline: date | None  # when the four steps are due (None when no usable date says)
    overdue: bool
    active_measures: int
    exit_start: date | None
    exit_end: date | None
    exit_months: int | None
    exit_ends_soon: bool  # the gradual exit ends within 30 days from as_of
    relief: tuple[ReliefFact, ...]

    @property
    def steps_unknown(self) -> tuple[str, ...]:
        """Steps whose date cell is invalid: neither done nor missing."""
        return tuple(k for k, _ in STEPS if k not in self.steps_done and k not in self.steps_missing)


class HouseholdFacts(Mapping[int, HouseholdFact]):
    """Facts by spreadsheet row of the 监测户 tab. ``frame``/``relief`` hold the same facts column-wise."""

    def __init__(self, frame: pd.DataFrame, relief: pd.DataFrame, measure_active: pd.Series) -> None:
        self.frame = frame
        self.relief = relief  # by 帮扶措施 row: household_row, amount, relief_type, approval_level, needed_level
        self.measure_active = measure_active  # by 帮扶措施 row: active on as_of
        self._relief_by_row: dict[int, tuple[ReliefFact, ...]] | None = None

    def relief_of(self, row: int) -> tuple[ReliefFact, ...]:
        """The 临时救助 measures of the household on ``row`` (built on first use)."""
        if self._relief_by_row is None:
            by_row: dict[int, list[ReliefFact]] = {}
            columns = ["household_row", "amount", "needed_level", "approval_level"]
            for m_row, hh_row, amount, needed, recorded in self.relief[columns].itertuples(name=None):
                by_row.setdefault(int(hh_row), []).append(ReliefFact(
                    int(m_row), None if pd.isna(amount) else float(amount),
                    None if pd.isna(needed) else str(needed), None if pd.isna(recorded) else str(recorded)))
            self._relief_by_row = {k: tuple(v) for k, v in by_row.items()}
        return self._relief_by_row.get(row, ())

    def __getitem__(self, row: int) -> HouseholdFact:
        if row not in self.frame.index:
            raise KeyError(row)
        return self._fact(int(row), self.frame.loc[row].to_dict())

    def __iter__(self) -> Iterator[int]:
        return iter(int(r) for r in self.frame.index)

    def __len__(self) -> int:
        return len(self.frame)

    def values(self) -> Iterator[HouseholdFact]:  # type: ignore[override]
        for record in self.frame.itertuples():
            yield self._fact(int(record.Index), record._asdict())

    def items(self) -> Iterator[tuple[int, HouseholdFact]]:  # type: ignore[override]
        for fact in self.values():
            yield fact.row, fact

    def _fact(self, row: int, r: dict) -> HouseholdFact:
        def flag(value: object) -> bool | None:  # (a scalar test, far cheaper than pd.isna on each of 12 per row)
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                return None
            return bool(value)

        decided = [flag(r[k]) for k in CRITERIA]
        return HouseholdFact(
            row=row, household=r["household"], monitored=bool(r["monitored"]),
            criteria=tuple(k for k, v in zip(CRITERIA, decided, strict=True) if v),
            criteria_decided=any(decided) or all(v is not None for v in decided),
            carried_over=flag(r["carried_over"]),
            steps_done=tuple(k for k, _ in STEPS if flag(r[f"done_{k}"]) is True),
            steps_missing=tuple(k for k, _ in STEPS if flag(r[f"done_{k}"]) is False),
            deadline=as_date(r["deadline"]), overdue=bool(r["overdue"]),
            active_measures=int(r["active_measures"]),
            exit_start=as_date(r["exit_start"]), exit_end=as_date(r["exit_end"]),
            exit_months=None if pd.isna(r["exit_months"]) else int(r["exit_months"]),
            exit_ends_soon=bool(r["exit_ends_soon"]), relief=self.relief_of(row),
        )


def _criteria(ctx: Context) -> dict[str, pd.Series]:
    h, p = ctx.h, ctx.policy
    no_line = pd.Series(pd.NA, index=h.index, dtype="boolean")  # the year's line unset: undecided
    return {
        "low_income": h["income_per_capita"] < p.monitoring_line if p.monitoring_line is not None else no_line,
        "high_expense": h["rigid_expense"] > h["last_year_income"],
        "income_drop": h["expected_income"] <= (1 - p.income_drop_threshold) * h["last_year_income"],
    }


def _procedure(ctx: Context) -> dict[str, pd.Series]:
    if ctx.policy.mechanism == "2021":
        return _identification(ctx)
    h, hv = ctx.h, ctx.households
    new_year = pd.Timestamp(ctx.policy.rectification_deadline.year, 1, 1)
    carried = (h["first_monitored"] < new_year).astype("boolean")
    carried[hv.invalid("first_monitored")] = pd.NA
    out: dict[str, pd.Series] = {"carried_over": carried}
    missing = pd.Series(0, index=h.index)
    for key, _ in STEPS:
        done = pd.Series(pd.NA, index=h.index, dtype="boolean")
        stale = h[key] < new_year
        done[hv.known(key) & ~stale] = True
        done[hv.known(key) & stale & true(carried)] = False
        done[hv.known(key) & stale & true(~carried)] = True
        done[hv.empty(key)] = False
        out[f"done_{key}"] = done
        missing += true(~done).astype(int)
    base = h["reported"].fillna(h["first_monitored"])
    rectification = pd.Timestamp(ctx.policy.rectification_deadline)
    # carried over, or found by the rectification deadline: due by it (郑脱贫组〔2020〕2号 二、(一)(二)); found
    # later: the county's monthly setting (豫脱贫组〔2020〕13号 五、(一) sets no day limit)
    by_rectification = true(carried) | true(base <= rectification)
    deadline = month_end_after(base, ctx.policy.monthly_deadline_months)
    deadline[by_rectification] = rectification
    deadline[carried.isna()] = pd.NaT
    out["missing_steps"] = missing
    out["deadline"] = deadline
    out["monthly_deadline"] = ~by_rectification & deadline.notna()
    out["overdue"] = ctx.monitored & (missing > 0) & true(ctx.day > deadline)
    return out


def _identification(ctx: Context) -> dict[str, pd.Series]:
    """The 2021+ mechanism: no carried-over households; identification (through 县级审定) is due a set number of
    days after the first lead (农户申请 or 发现/预警, 农户申报或发现日期; else 首次纳入监测日期), and every step date
    counts."""
    h, hv = ctx.h, ctx.households
    out: dict[str, pd.Series] = {"carried_over": pd.Series(False, index=h.index, dtype="boolean")}
    missing = pd.Series(0, index=h.index)
    for key, _ in STEPS:
        done = pd.Series(pd.NA, index=h.index, dtype="boolean")
        done[hv.known(key)] = True
        done[hv.empty(key)] = False
        out[f"done_{key}"] = done
        missing += true(~done).astype(int)
    base = h["application"].fillna(h["reported"]).fillna(h["first_monitored"])
    deadline = base + pd.Timedelta(days=ctx.policy.identification_days)
    undecided = hv.empty("county_decision")
    out["missing_steps"] = missing
    out["deadline"] = deadline
    out["monthly_deadline"] = pd.Series(False, index=h.index)
    out["overdue"] = ctx.monitored & undecided & true(ctx.day > deadline)
    return out


def measure_active(ctx: Context) -> pd.Series:
    """By 帮扶措施 row: 开始日期 ≤ as_of and (no 结束日期 or 结束日期 ≥ as_of). Undecidable reads False."""
    m = ctx.m
    return true(m["start"] <= ctx.day) & (ctx.measures.empty("end") | true(m["end"] >= ctx.day))


def _measures(ctx: Context, active: pd.Series) -> dict[str, pd.Series]:
    mv = ctx.measures
    unknown = ~mv.known("start") | mv.invalid("end")
    kind_unknown = active & ~mv.known("kind")
    return {
        "active_measures": ctx.measures_per_household(active),
        "measures_unknown": ctx.per_household(unknown | kind_unknown),
        "active_dev": ctx.per_household(active & mv.has_role("kind", "development")),
        "active_protect": ctx.per_household(active & mv.has_role("kind", "protection")),
    }


def _gradual_exit(ctx: Context) -> dict[str, pd.Series]:
    h = ctx.h
    end = h["dibao_exit_end"]
    left = (end - ctx.day).dt.days
    return {
        "exit_start": h["dibao_exit_start"], "exit_end": end,
        "exit_months": whole_months(h["dibao_exit_start"], end),
        "exit_ends_soon": true((left >= 0) & (left <= EXIT_SOON_DAYS)),
    }


def _relief(ctx: Context) -> pd.DataFrame:
    m = ctx.m
    relief = ctx.measures.has_role("kind", "relief")
    frame = pd.DataFrame({"household_row": ctx.measure_household, "amount": m["amount"],
                          "relief_type": m["relief_type"], "approval_level": m["approval_level"]})[relief]
    limit = ctx.policy.relief_township_limit
    needed = pd.Series(pd.NA, index=frame.index, dtype="string")
    if limit is not None:
        known = frame["amount"].notna()
        needed[known] = np.where(frame.loc[known, "amount"] > limit, "县级", "乡镇")
    frame["needed_level"] = needed
    return frame


def compute_facts(ctx: Context) -> HouseholdFacts:
    columns: dict[str, pd.Series] = {"household": ctx.household_id, "monitored": ctx.monitored}
    columns.update(_criteria(ctx))
    columns.update(_procedure(ctx))
    active = measure_active(ctx)
    columns.update(_measures(ctx, active))
    columns.update(_gradual_exit(ctx))
    frame = pd.DataFrame(columns, index=ctx.h.index, copy=False)  # the columns are new (or shared read-only)
    return HouseholdFacts(frame, _relief(ctx), active)


@dataclass(frozen=True)
class CountyFacts:
    monitored_households: int
    monitored_people: int  # Σ 家庭人口数 of monitored households whose cell is valid
    people_unknown: int  # monitored households whose 家庭人口数 is empty or invalid (not counted)
    registered_population: int | None
    share: float | None  # monitored_people / registered_population
    target: float
    within_target: bool | None  # |share - target| <= target / 2

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def county_facts(ctx: Context) -> CountyFacts:
    people = ctx.h.loc[ctx.monitored, "people"]
    total = int(people.sum(skipna=True)) if len(people) else 0
    population, target = ctx.policy.registered_population, ctx.policy.scale_target
    share = total / population if population else None
    within = None
    if share is not None:
        gap, half = abs(share - target), target / 2
        within = gap <= half or math.isclose(gap, half, rel_tol=1e-9)
    return CountyFacts(int(ctx.monitored.sum()), total, int(people.isna().sum()), population, share, target, within)
