"""The monthly dynamic-adjustment checklist (月度动态调整清单), per township and for the county.

For the month of the as-of date: households newly monitored this month with their procedure state;
households cleared this month with whether the clearing criteria hold; every household with an error or
warning finding, grouped by rule, with the next action; villages not screened in time; dibao gradual
exits ending within 30 days; data errors to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.history import Change, Diff, Vanished
from tracker.rules import RULES, SEVERITY_ORDER

from .views import ErrorView, FindingView, HouseholdView, SiteModel, TownshipView, VillageView

CHECKED_SEVERITIES = ("error", "warning")
WARNING_PREFIX = "warning."  # department warning lists: their own section (partials/warnings_part.html.j2)


@dataclass(frozen=True)
class Item:
    household: HouseholdView
    finding: FindingView | None = None


@dataclass(frozen=True)
class RuleGroup:
    rule: str
    title: str
    severity: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Task:
    """One item of a village's work sheet: a finding of a household, in Chinese (rule title, not id)."""

    title: str
    severity: str
    message: str
    next_action: str


@dataclass(frozen=True)
class VillageSheet:
    """A village's part of the township checklist: printed on pages of its own, handed to the village alone."""

    name: str
    page: str
    households: tuple[tuple[HouseholdView, tuple[Task, ...]], ...]

    def count(self, severity: str) -> int:
        return sum(1 for _, tasks in self.households for t in tasks if t.severity == severity)

    @property
    def overdue(self) -> int:
        return sum(1 for h, _ in self.households if h.overdue)


@dataclass(frozen=True)
class TownshipChecklist:
    name: str
    slug: str
    new: tuple[HouseholdView, ...]
    cleared: tuple[HouseholdView, ...]
    groups: tuple[RuleGroup, ...]
    unscreened: tuple[tuple[VillageView, FindingView], ...]
    exits: tuple[HouseholdView, ...]
    data_errors: tuple[HouseholdView, ...]
    village_errors: tuple[tuple[VillageView, ErrorView], ...]
    vanished: tuple[tuple[VillageView, Vanished], ...] = ()  # removed from the sheet this month: confirm
    changes: tuple[tuple[HouseholdView, Change], ...] = ()  # category / status / village changed this month
    warnings: tuple[Item, ...] = ()  # department-list warnings on households (warning.monitored / .cleared)
    leads: tuple[tuple[VillageView, FindingView], ...] = ()  # people on a list in no household (warning.unmonitored)
    villages: tuple[VillageSheet, ...] = ()  # the work sheets, village by village (only villages with items)

    @property
    def households_to_do(self) -> int:
        return sum(len(s.households) for s in self.villages)

    def count(self, severity: str) -> int:
        return sum(s.count(severity) for s in self.villages)


@dataclass(frozen=True)
class Checklist:
    title: str
    month: str
    as_of: date
    parts: tuple[TownshipChecklist, ...]
    county_findings: tuple[FindingView, ...] = ()
    unassigned: tuple[HouseholdView, ...] = ()
    lost: tuple[Vanished, ...] = ()  # removed this month, village unknown
    leads: tuple[FindingView, ...] = ()  # warning.unmonitored without a village (the county leads page)


def month_title(as_of: date) -> str:
    return f"{as_of.year}年{as_of.month}月"


def _in_month(day: date | None, as_of: date) -> bool:
    return day is not None and (day.year, day.month) == (as_of.year, as_of.month)


def _groups(households: Sequence[HouseholdView]) -> tuple[RuleGroup, ...]:
    by_rule: dict[str, list[Item]] = {}
    for h in households:
        for f in h.findings:
            if f.severity in CHECKED_SEVERITIES and not f.rule.startswith(WARNING_PREFIX):  # own section
                by_rule.setdefault(f.rule, []).append(Item(h, f))
    specs = {r.id: r for r in RULES}
    order = {r.id: i for i, r in enumerate(RULES)}
    groups = [RuleGroup(rule, specs[rule].title if rule in specs else rule,
                        min((i.finding.severity for i in items if i.finding), key=SEVERITY_ORDER.__getitem__),
                        tuple(items))
              for rule, items in by_rule.items()]
    return tuple(sorted(groups, key=lambda g: (SEVERITY_ORDER[g.severity], order.get(g.rule, 99))))


def _sheets(township: TownshipView) -> tuple[VillageSheet, ...]:
    """Each village's households with open items (problems and reminders, not department warnings)."""
    from tracker.rules import rule

    sheets = []
    for v in township.villages:
        rows = []
        for h in v.households:
            tasks = tuple(Task(rule(f.rule).title, f.severity, f.message, f.next_action) for f in h.findings
                          if f.severity in CHECKED_SEVERITIES and not f.rule.startswith(WARNING_PREFIX))
            if tasks:
                rows.append((h, tuple(sorted(tasks, key=lambda t: SEVERITY_ORDER[t.severity]))))
        if rows:
            sheets.append(VillageSheet(v.name, v.page, tuple(rows)))
    return tuple(sheets)


def township_checklist(township: TownshipView, as_of: date, changes: Diff | None = None) -> TownshipChecklist:
    households = township.households
    by_id = {h.household_id: h for h in households}
    unscreened = tuple((v, f) for v in township.villages for f in v.findings if f.rule == "coverage.unscreened")
    return TownshipChecklist(
        name=township.name, slug=township.slug,
        new=tuple(h for h in households if _in_month(h.first_monitored, as_of)),
        cleared=tuple(h for h in households if _in_month(h.cleared, as_of)),
        groups=_groups(households),
        unscreened=unscreened,
        exits=tuple(h for h in households if h.exit_ends_soon),
        data_errors=tuple(h for h in households if h.errors),
        village_errors=tuple((v, e) for v in township.villages for e in v.errors),
        vanished=tuple((v, g) for v in township.villages for g in v.vanished if _in_month(g.removed_on, as_of)),
        changes=tuple((by_id[c.household_id], c) for c in (changes.changes if changes else ())
                      if c.household_id in by_id),
        warnings=tuple(Item(h, f) for h in households for f in h.findings if f.rule.startswith(WARNING_PREFIX)),
        leads=tuple((v, f) for v in township.villages for f in v.findings if f.rule == "warning.unmonitored"),
        villages=_sheets(township),
    )


def checklist_for_township(model: SiteModel, township: TownshipView, changes: Diff | None = None) -> Checklist:
    month = month_title(model.as_of)
    return Checklist(f"{township.name} {month} 动态调整清单", month, model.as_of,
                     (township_checklist(township, model.as_of, changes),))


def county_checklist(model: SiteModel, changes: Diff | None = None) -> Checklist:
    month = month_title(model.as_of)
    return Checklist(
        f"{model.county} {month} 动态调整清单", month, model.as_of,
        tuple(township_checklist(t, model.as_of, changes) for t in model.townships),
        county_findings=tuple(f for f in model.county_findings
                              if f.severity in CHECKED_SEVERITIES and f.rule != "warning.unmonitored"),
        unassigned=model.unassigned.households if model.unassigned else (),
        lost=tuple(g for g in (model.unassigned.vanished if model.unassigned else ())
                   if _in_month(g.removed_on, model.as_of)),
        leads=tuple(f for f in model.county_findings if f.rule == "warning.unmonitored"),
    )
