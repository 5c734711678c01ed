"""View models for the site: display-ready, masked strings. Templates never see raw cells.

Every household of the register appears on exactly one page: its village page, or — when its
township/village cannot be matched to the 行政村 tab — the page of households without a village.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from . import fmt
from .findings import SEVERITY_ORDER, Finding
from .schema import match_key
from .validate import CellError, Table, ValidatedRegister

STEPS = (("village_review", "村级评议"), ("township_review", "乡镇审核"),
         ("county_decision", "县级确定"), ("system_entry", "系统录入"))


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
    done: bool
    when: str


@dataclass(frozen=True)
class HouseholdView:
    row: int
    anchor: str
    household_id: str
    head_name: str
    id_masked: str
    phone_masked: str
    category: str
    status: str
    people: str
    income: str
    income_note: str
    risks: tuple[str, ...]
    labor: str
    steps: tuple[StepView, ...]
    measures: tuple[str, ...]
    findings: tuple[FindingView, ...]
    errors: tuple[ErrorView, ...]

    @property
    def steps_done(self) -> int:
        return sum(s.done for s in self.steps)


@dataclass(frozen=True)
class VillageView:
    slug: str
    township_slug: str
    county: str
    township: str
    name: str
    code: str
    last_screening: str
    lead: str
    households: tuple[HouseholdView, ...]
    findings: tuple[FindingView, ...] = ()
    registered: bool = True

    @property
    def title(self) -> str:
        return f"{self.name}（{self.township}）"

    @property
    def error_count(self) -> int:
        return sum(1 for h in self.households if h.errors)

    @property
    def monitored(self) -> int:
        return sum(1 for h in self.households if h.status == "监测中")


@dataclass(frozen=True)
class TownshipView:
    slug: str
    name: str
    villages: tuple[VillageView, ...]

    @property
    def households(self) -> int:
        return sum(len(v.households) for v in self.villages)


@dataclass(frozen=True)
class SiteModel:
    county: str
    source: str
    as_of: date
    townships: tuple[TownshipView, ...]
    unassigned: VillageView | None
    errors: tuple[ErrorView, ...]
    county_findings: tuple[FindingView, ...] = ()
    error_summary: dict[str, int] = field(default_factory=dict)

    @property
    def villages(self) -> tuple[VillageView, ...]:
        return tuple(v for t in self.townships for v in t.villages)


def slug(prefix: str, *parts: str) -> str:
    """A stable ASCII page name from names (never from a person)."""
    digest = hashlib.sha1("/".join(parts).encode("utf-8")).hexdigest()[:8]
    return f"{prefix}{digest}"


def error_anchor(tab_key: str, row: int | None) -> str:
    return f"err-{tab_key}-{row}" if row is not None else f"err-{tab_key}-header"


def _error_view(e: CellError) -> ErrorView:
    return ErrorView(e.sheet, e.row, e.column, e.value or "", e.code, e.message, error_anchor(e.tab, e.row))


def _finding_view(f: Finding) -> FindingView:
    return FindingView(f.rule, f.severity, f.message, f.next_action)


def _sorted_findings(findings: list[Finding]) -> tuple[FindingView, ...]:
    ordered = sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))
    return tuple(_finding_view(f) for f in ordered)


def _measure_text(row: pd.Series, as_of: date) -> str | None:
    start, end = fmt.as_date(row.get("start")), fmt.as_date(row.get("end"))
    if start is None or start > as_of or (end is not None and end < as_of):
        return None
    kind = fmt.text(row.get("kind"))
    detail = fmt.text(row.get("detail"))
    amount = fmt.yuan(row.get("amount"))
    label = "：".join(p for p in (kind, detail) if p) or "措施"
    return f"{label}（{amount}）" if amount else label


def _income_note(income: object, monitoring_line: float | None, poverty_line: float | None) -> str:
    if fmt.is_missing(income):
        return ""
    value = float(income)  # type: ignore[arg-type]
    if poverty_line is not None and value < poverty_line:
        return "低于扶贫标准"
    if monitoring_line is not None and value < monitoring_line:
        return "低于监测标准"
    return "高于监测标准" if monitoring_line is not None else ""


def _households(households: Table, measures: Table, errors_by_row: dict[tuple[str, int], list[CellError]],
                findings_by_row: dict[int, list[Finding]], as_of: date,
                lines: tuple[float | None, float | None]) -> dict[int, HouseholdView]:
    hv = households.values
    measure_ids = match_key(measures.values["household_id"]) if "household_id" in measures.values else None
    active: dict[str, list[str]] = defaultdict(list)
    measure_errors: dict[str, list[CellError]] = defaultdict(list)
    if measure_ids is not None:
        for (row, m), hid in zip(measures.values.iterrows(), measure_ids, strict=True):
            if pd.isna(hid):
                continue
            text = _measure_text(m, as_of)
            if text:
                active[hid].append(text)
            measure_errors[hid].extend(errors_by_row.get(("measures", int(row)), []))
    ids = match_key(hv["household_id"]) if "household_id" in hv else pd.Series(pd.NA, index=hv.index)
    out: dict[int, HouseholdView] = {}
    for (row, h), hid in zip(hv.iterrows(), ids, strict=True):
        row = int(row)
        key = None if pd.isna(hid) else str(hid)
        own = errors_by_row.get(("households", row), []) + (measure_errors.get(key, []) if key else [])
        steps = tuple(StepView(name, not fmt.is_missing(h.get(k)), fmt.cn_date(h.get(k))) for k, name in STEPS)
        risks = h.get("risk_types")
        out[row] = HouseholdView(
            row=row,
            anchor=f"hh-{row}",
            household_id=fmt.text(households.text.at[row, "household_id"]) if "household_id" in hv else "",
            head_name=fmt.text(h.get("head_name")),
            id_masked=fmt.mask_id(h.get("head_id_number")),
            phone_masked=fmt.mask_phone(h.get("phone")),
            category=fmt.text(h.get("category")),
            status=fmt.text(h.get("status")),
            people=fmt.text(h.get("people")),
            income=fmt.yuan(h.get("income_per_capita")),
            income_note=_income_note(h.get("income_per_capita"), *lines),
            risks=tuple(risks) if isinstance(risks, tuple) else (),
            labor=fmt.text(h.get("labor")),
            steps=steps,
            measures=tuple(active.get(key, [])) if key else (),
            findings=_sorted_findings(findings_by_row.get(row, [])),
            errors=tuple(_error_view(e) for e in own),
        )
    return out


def build_site_model(validated: ValidatedRegister, findings: list[Finding], as_of: date,
                     monitoring_line: float | None = None, poverty_line: float | None = None) -> SiteModel:
    villages_t, households_t = validated.tables["villages"], validated.tables["households"]
    errors_by_row: dict[tuple[str, int], list[CellError]] = defaultdict(list)
    for e in validated.errors:
        if e.row is not None:
            errors_by_row[(e.tab, e.row)].append(e)
    hh_findings: dict[int, list[Finding]] = defaultdict(list)
    village_findings: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    county_findings: list[Finding] = []
    for f in findings:
        if f.household is not None and f.sheet == households_t.sheet and f.row is not None:
            hh_findings[f.row].append(f)
        elif f.village is not None and f.township is not None:
            village_findings[(f.township, f.village)].append(f)
        else:
            county_findings.append(f)
    households = _households(households_t, validated.tables["measures"], errors_by_row, hh_findings, as_of,
                             (monitoring_line, poverty_line))
    hv = households_t.values
    hkeys = pd.DataFrame({k: match_key(hv[k]) if k in hv else pd.Series(pd.NA, index=hv.index, dtype="string")
                          for k in ("township", "village")})
    by_village: dict[tuple[str, str], list[HouseholdView]] = defaultdict(list)
    for row, t, v in hkeys.itertuples():
        if not pd.isna(t) and not pd.isna(v):
            by_village[(str(t), str(v))].append(households[int(row)])
    vv = villages_t.values
    townships: dict[str, list[VillageView]] = {}
    county = ""
    claimed: set[tuple[str, str]] = set()
    for row, v in vv.iterrows():
        township, name = fmt.text(v.get("township")), fmt.text(v.get("village"))
        if not township or not name:
            continue
        folded = (str(match_key(pd.Series([township])).iat[0]), str(match_key(pd.Series([name])).iat[0]))
        if folded in claimed:
            continue  # a duplicate village row: reported as an error, its households shown once
        claimed.add(folded)
        county = county or fmt.text(v.get("county"))
        tslug = slug("t", folded[0])
        townships.setdefault(township, []).append(VillageView(
            slug=slug("v", *folded), township_slug=tslug, county=fmt.text(v.get("county")), township=township,
            name=name, code=fmt.text(villages_t.text.at[row, "village_code"]) if "village_code" in vv else "",
            last_screening=fmt.cn_date(v.get("last_screening")), lead=fmt.text(v.get("village_lead")),
            households=tuple(by_village.get(folded, [])),
            findings=_sorted_findings(village_findings.get((township, name), [])),
        ))
    placed = {h.row for key in claimed for h in by_village.get(key, [])}
    orphans = tuple(h for row, h in sorted(households.items()) if row not in placed)
    unassigned = None
    if orphans:
        unassigned = VillageView(slug="unassigned", township_slug="", county=county, township="未能归属",
                                 name="未能归属行政村的户", code="", last_screening="", lead="",
                                 households=orphans, registered=False)
    if not county and "county" in hv and hv["county"].notna().any():
        county = str(hv["county"].dropna().iat[0])
    township_views = tuple(
        TownshipView(slug=vs[0].township_slug, name=name, villages=tuple(vs)) for name, vs in townships.items()
    )
    return SiteModel(
        county=county or "本县", source=validated.source, as_of=as_of, townships=township_views,
        unassigned=unassigned, errors=tuple(_error_view(e) for e in validated.errors),
        county_findings=_sorted_findings(county_findings), error_summary=validated.summary()["by_code"],
    )
