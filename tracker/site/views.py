"""View models for the site: display-ready, masked strings. Templates never see raw cells.

Every household of the register appears on exactly one page: its village page, or — when its
township/village cannot be matched to the 行政村 tab — the page of households without a village.
Facts (procedure progress, deadlines, active measures, gradual exit) come from the rules stage, which
computes them once; nothing here re-derives policy.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from tracker.common import fmt
from tracker.history import Vanished
from tracker.rules import SEVERITY_ORDER, STEPS, Finding, HouseholdFact, Policy, RuleOutcome
from tracker.validate import CellError, Table, ValidatedRegister, match_key

from .members import MemberView, household_members


@dataclass(frozen=True)
class ErrorView:
    sheet: str
    row: int | None
    column: str
    value: str
    code: str
    message: str
    anchor: str


@dataclass(frozen=True)
class FindingView:
    rule: str
    severity: str
    message: str
    next_action: str


@dataclass(frozen=True)
class StepView:
    name: str
    state: str  # done | missing | redo (carried over: dated before the rectification year) | unknown
    when: str

    @property
    def done(self) -> bool:
        return self.state == "done"


_MARKS = {"done": "✔", "unknown": "？"}


@dataclass(frozen=True)
class HouseholdView:
    row: int
    anchor: str
    page: str  # path of its page from the site root, e.g. "t1a2b3c4d/v5e6f7a8b.html"
    township: str
    village: str
    household_id: str
    head_name: str
    id_masked: str
    phone_masked: str
    category: str
    status: str
    in_monitoring: bool  # the status's role is monitoring (监测中, or a spelling of it)
    people: str
    people_count: int | None
    income: str
    income_note: str
    risks: tuple[str, ...]
    labor: str
    steps: tuple[StepView, ...]
    deadline: str
    overdue: bool
    measures: tuple[str, ...]
    first_monitored: date | None
    cleared: date | None
    exit_end: str
    exit_ends_soon: bool
    findings: tuple[FindingView, ...]
    errors: tuple[ErrorView, ...]
    members: tuple[MemberView, ...] = ()  # the optional 家庭成员 tab (tracker.site.members), masked
    responsible: str = ""  # 帮扶责任人: who answers for the household's items on the checklist

    @property
    def steps_done(self) -> int:
        return sum(s.done for s in self.steps)

    @property
    def problem_count(self) -> int:
        """Findings of severity error (问题)."""
        return sum(f.severity == "error" for f in self.findings)

    @property
    def reminder_count(self) -> int:
        """Findings of any other severity (提醒, 提示)."""
        return len(self.findings) - self.problem_count

    @property
    def step_marks(self) -> str:
        """One mark per step: ✔ done, ？ date unreadable, ✘ missing or to redo."""
        return "".join(_MARKS.get(s.state, "✘") for s in self.steps)

    @property
    def monitored(self) -> bool:
        return self.in_monitoring

    def has_rule(self, rule: str) -> bool:
        return any(f.rule == rule for f in self.findings)


@dataclass(frozen=True)
class VillageView:
    slug: str
    township_slug: str
    page: str
    county: str
    township: str
    name: str
    code: str
    last_screening: str
    lead: str
    households: tuple[HouseholdView, ...]
    findings: tuple[FindingView, ...] = ()
    errors: tuple[ErrorView, ...] = ()
    registered: bool = True
    vanished: tuple[Vanished, ...] = ()  # households that disappeared from the sheet: confirm

    @property
    def title(self) -> str:
        return f"{self.name}（{self.township}）"

    @property
    def error_count(self) -> int:
        return sum(1 for h in self.households if h.errors)

    @property
    def monitored(self) -> int:
        return sum(1 for h in self.households if h.monitored)

    @property
    def overdue(self) -> int:
        return sum(1 for h in self.households if h.overdue)

    @property
    def unscreened(self) -> bool:
        return any(f.rule == "coverage.unscreened" for f in self.findings)


@dataclass(frozen=True)
class TownshipView:
    slug: str
    name: str
    villages: tuple[VillageView, ...]

    @property
    def households(self) -> tuple[HouseholdView, ...]:
        return tuple(h for v in self.villages for h in v.households)


@dataclass(frozen=True)
class SiteModel:
    county: str
    source: str
    as_of: date
    policy: Policy
    townships: tuple[TownshipView, ...]
    unassigned: VillageView | None
    errors: tuple[ErrorView, ...]
    county_findings: tuple[FindingView, ...]
    outcome: RuleOutcome

    @property
    def villages(self) -> tuple[VillageView, ...]:
        return tuple(v for t in self.townships for v in t.villages)

    @property
    def households(self) -> tuple[HouseholdView, ...]:
        extra = self.unassigned.households if self.unassigned else ()
        return tuple(h for t in self.townships for h in t.households) + extra


def slug(prefix: str, *parts: str) -> str:
    """A stable ASCII page name from place names (never from a person)."""
    digest = hashlib.sha1("/".join(parts).encode("utf-8")).hexdigest()[:8]
    return f"{prefix}{digest}"


def error_anchor(tab_key: str, row: int | None) -> str:
    return f"err-{tab_key}-{row}" if row is not None else f"err-{tab_key}-header"


#: Columns masked in the error report too: the report page is decrypted by county staff, who need the
#: row, not the whole number, to find the cell (data minimisation; see tracker/fmt.py).
_MASKED_COLUMNS = {"head_id_number": fmt.mask_id, "id_number": fmt.mask_id, "phone": fmt.mask_phone}


def _error_view(e: CellError) -> ErrorView:
    value, message = e.value or "", e.message
    mask = _MASKED_COLUMNS.get(e.key)
    if mask is not None and value:
        value, message = mask(value), message.replace(value, mask(value))
    return ErrorView(e.sheet, e.row, e.column, value, e.code, message, error_anchor(e.tab, e.row))


def _sorted_findings(findings: list[Finding]) -> tuple[FindingView, ...]:
    ordered = sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))
    return tuple(FindingView(f.rule, f.severity, f.message, f.next_action) for f in ordered)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as dicts (column -> cell; a missing cell None, a date a ``datetime.date``), built
    column by column -- far faster than ``iterrows`` or ``to_dict("records")``."""
    columns = [str(c) for c in frame.columns]
    lists = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            values = [None if d is pd.NaT else d for d in series.dt.date.tolist()]
        elif series.dtype.kind in "fiub":
            values = series.tolist()
        else:
            values = [None if v is pd.NA or v is pd.NaT else v for v in series.tolist()]
        lists.append(values)
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def _column_text(table: Table, key: str) -> dict[int, str]:
    """A column's cells as the sheet showed them, by row ("" when the tab has no such column)."""
    if key not in table.text:
        return {}
    return {int(r): fmt.text(v) for r, v in table.text[key].items()}


def _measure_label(m: Mapping[str, Any]) -> str:
    label = "：".join(p for p in (fmt.text(m.get("kind")), fmt.text(m.get("detail"))) if p) or "措施"
    amount = fmt.yuan(m.get("amount"))
    return f"{label}（{amount}）" if amount else label


def _income_note(income: object, policy: Policy) -> str:
    if fmt.is_missing(income):
        return ""
    value = float(income)  # type: ignore[arg-type]
    if policy.mechanism != "2021" and policy.poverty_line is not None and value < policy.poverty_line:
        return "低于扶贫标准"
    if policy.monitoring_line is None:  # the year's line is not set: no judgement
        return ""
    return "低于监测标准" if value < policy.monitoring_line else "不低于监测标准"


def _steps(h: Mapping[str, Any], fact: HouseholdFact | None) -> tuple[StepView, ...]:
    views = []
    for key, name in STEPS:
        when = fmt.cn_date(h.get(key))
        if fact is None:
            state = "done" if when else "missing"
        elif key in fact.steps_done:
            state = "done"
        elif key in fact.steps_missing:
            state = "redo" if when else "missing"
        else:
            state = "unknown"
        views.append(StepView(name, state, when))
    return tuple(views)


class _Builder:
    def __init__(self, validated: ValidatedRegister, outcome: RuleOutcome) -> None:
        self.validated = validated
        self.outcome = outcome
        self.errors: dict[tuple[str, int], list[CellError]] = defaultdict(list)
        for e in validated.errors:
            if e.row is not None:
                self.errors[(e.tab, e.row)].append(e)
        hh_sheet = validated.tables["households"].sheet
        self.hh_findings: dict[int, list[Finding]] = defaultdict(list)
        self.village_findings: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        self.county_findings: list[Finding] = []
        for f in outcome.findings:
            if f.household is not None and f.row is not None and f.sheet == hh_sheet:
                self.hh_findings[f.row].append(f)
            elif f.household is not None and f.row is not None:
                self._measure_finding(f)
            elif f.village is not None and f.township is not None:
                self.village_findings[(f.township, f.village)].append(f)
            else:
                self.county_findings.append(f)

    def _measure_finding(self, f: Finding) -> None:
        """Measure-level findings (relief.*) are shown on the household the measure belongs to."""
        relief_rows = self.outcome.facts.relief
        if f.row in relief_rows.index:
            self.hh_findings[int(relief_rows.at[f.row, "household_row"])].append(f)
        else:
            self.county_findings.append(f)

    def measures(self) -> tuple[dict[int, list[str]], dict[int, list[CellError]]]:
        """Active measure labels and measure-row errors, by 监测户 row."""
        measures = self.validated.tables["measures"]
        households = self.validated.tables["households"].values
        active_labels: dict[int, list[str]] = defaultdict(list)
        errors: dict[int, list[CellError]] = defaultdict(list)
        if "household_id" not in measures.values or "household_id" not in households:
            return active_labels, errors
        first_row = {k: int(r) for r, k in match_key(households["household_id"]).dropna()[::-1].items()}
        active = self.outcome.facts.measure_active
        active_rows = {int(r) for r, on in active.items() if bool(on)}
        frame = measures.values
        for row, m, key in zip(frame.index, _records(frame), match_key(frame["household_id"]), strict=True):
            hh_row = None if pd.isna(key) else first_row.get(str(key))
            if hh_row is None:
                continue
            if int(row) in active_rows:
                active_labels[hh_row].append(_measure_label(m))
            errors[hh_row].extend(self.errors.get(("measures", int(row)), []))
        return active_labels, errors

    def households(self, pages: dict[int, tuple[str, str, str]]) -> dict[int, HouseholdView]:
        table: Table = self.validated.tables["households"]
        policy = self.outcome.policy
        active, measure_errors = self.measures()
        members, member_errors = household_members(self.validated)
        out: dict[int, HouseholdView] = {}
        facts = dict(self.outcome.facts.items())
        ids = _column_text(table, "household_id")
        for row, h in zip(table.values.index, _records(table.values), strict=True):
            row = int(row)
            fact = facts.get(row)
            page, township, village = pages.get(row, ("unassigned.html", "", ""))
            risks = h.get("risk_types")
            people = h.get("people")
            out[row] = HouseholdView(
                row=row, anchor=f"hh-{row}", page=page, township=township, village=village,
                household_id=ids.get(row, ""),
                head_name=fmt.text(h.get("head_name")), responsible=fmt.text(h.get("responsible")),
                id_masked=fmt.mask_id(h.get("head_id_number")),
                phone_masked=fmt.mask_phone(h.get("phone")),
                category=fmt.text(h.get("category")), status=fmt.text(h.get("status")),
                in_monitoring=bool(fact and fact.monitored),
                people=fmt.text(people), people_count=None if fmt.is_missing(people) else int(people),
                income=fmt.yuan(h.get("income_per_capita")),
                income_note=_income_note(h.get("income_per_capita"), policy),
                risks=tuple(risks) if isinstance(risks, tuple) else (),
                labor=fmt.text(h.get("labor")),
                steps=_steps(h, fact),
                deadline=fmt.cn_date(fact.deadline) if fact and fact.steps_missing else "",
                overdue=bool(fact and fact.overdue),
                measures=tuple(active.get(row, [])),
                first_monitored=fmt.as_date(h.get("first_monitored")),
                cleared=fmt.as_date(h.get("cleared")),
                exit_end=fmt.cn_date(fact.exit_end) if fact else "",
                exit_ends_soon=bool(fact and fact.exit_ends_soon),
                findings=_sorted_findings(self.hh_findings.get(row, [])),
                errors=tuple(_error_view(e) for e in self.errors.get(("households", row), [])
                             + measure_errors.get(row, []) + member_errors.get(row, [])),
                members=members.get(row, ()),
            )
        return out


def _folded(text: str) -> str:
    return str(match_key(pd.Series([text])).iat[0])


def build_site_model(validated: ValidatedRegister, outcome: RuleOutcome,
                     vanished: Mapping[str, Vanished] | None = None) -> SiteModel:
    builder = _Builder(validated, outcome)
    gone: dict[tuple[str, str], list[Vanished]] = defaultdict(list)
    for item in (vanished or {}).values():
        gone[(_folded(item.record.township), _folded(item.record.village))].append(item)
    villages_t, hv = validated.tables["villages"], validated.tables["households"].values
    places: dict[tuple[str, str], tuple[str, str, str, str]] = {}  # folded -> (tslug, vslug, township, village)
    order: list[tuple[int, tuple[str, str]]] = []
    village_rows = dict(zip((int(r) for r in villages_t.values.index), _records(villages_t.values), strict=True))
    names = [(fmt.text(v.get("township")), fmt.text(v.get("village"))) for v in village_rows.values()]
    folded_t = match_key(pd.Series([t for t, _ in names], dtype="object"))
    folded_v = match_key(pd.Series([n for _, n in names], dtype="object"))
    for row, (township, name), ft, fv in zip(village_rows, names, folded_t, folded_v, strict=True):
        if township and name and (key := (str(ft), str(fv))) not in places:
            places[key] = (slug("t", key[0]), slug("v", *key), township, name)
            order.append((row, key))
    hkeys = pd.DataFrame({k: match_key(hv[k]) if k in hv else pd.Series(pd.NA, index=hv.index, dtype="string")
                          for k in ("township", "village")})
    pages: dict[int, tuple[str, str, str]] = {}
    by_village: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row, t, v in hkeys.itertuples():
        key = (str(t), str(v))
        if not pd.isna(t) and not pd.isna(v) and key in places:
            tslug, vslug, township, village = places[key]
            pages[int(row)] = (f"{tslug}/{vslug}.html", township, village)
            by_village[key].append(int(row))
    households = builder.households(pages)
    townships: dict[str, list[VillageView]] = {}
    county = ""
    codes = _column_text(villages_t, "village_code")
    for row, key in order:
        v = village_rows[row]
        tslug, vslug, township, name = places[key]
        county = county or fmt.text(v.get("county"))
        townships.setdefault(township, []).append(VillageView(
            slug=vslug, township_slug=tslug, page=f"{tslug}/{vslug}.html", county=fmt.text(v.get("county")),
            township=township, name=name,
            code=codes.get(row, ""),
            last_screening=fmt.cn_date(v.get("last_screening")), lead=fmt.text(v.get("village_lead")),
            households=tuple(households[r] for r in by_village.get(key, [])),
            findings=_sorted_findings(builder.village_findings.get((township, name), [])),
            errors=tuple(_error_view(e) for e in builder.errors.get(("villages", row), [])),
            vanished=tuple(sorted(gone.pop(key, []), key=lambda g: g.record.household_id)),
        ))
    orphans = tuple(h for row, h in sorted(households.items()) if row not in pages)
    unassigned = None
    lost = tuple(g for items in gone.values() for g in items)
    if orphans or lost:
        unassigned = VillageView(slug="unassigned", township_slug="", page="unassigned.html", county=county,
                                 township="未能归属", name="未能归属行政村的户", code="", last_screening="",
                                 lead="", households=orphans, registered=False, vanished=lost)
    if not county and "county" in hv and hv["county"].notna().any():
        county = str(hv["county"].dropna().iat[0])
    return SiteModel(
        county=county or "本县", source=validated.source, as_of=outcome.as_of, policy=outcome.policy,
        townships=tuple(TownshipView(vs[0].township_slug, name, tuple(vs)) for name, vs in townships.items()),
        unassigned=unassigned, errors=tuple(_error_view(e) for e in validated.errors),
        county_findings=_sorted_findings(builder.county_findings), outcome=outcome,
    )
