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

from .findings import SEVERITY_ORDER
from .rules import RULES
from .views import ErrorView, FindingView, HouseholdView, SiteModel, TownshipView, VillageView

CHECKED_SEVERITIES = ("error", "warning")


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

    @property
    def empty(self) -> bool:
        return not (self.new or self.cleared or self.groups or self.unscreened or self.exits
                    or self.data_errors or self.village_errors)


@dataclass(frozen=True)
class Checklist:
    title: str
    month: str
    as_of: date
    parts: tuple[TownshipChecklist, ...]
    county_findings: tuple[FindingView, ...] = ()
    unassigned: tuple[HouseholdView, ...] = ()


def month_title(as_of: date) -> str:
    return f"{as_of.year}年{as_of.month}月"


def _in_month(day: date | None, as_of: date) -> bool:
    return day is not None and (day.year, day.month) == (as_of.year, as_of.month)


def _groups(households: Sequence[HouseholdView]) -> tuple[RuleGroup, ...]:
    by_rule: dict[str, list[Item]] = {}
    for h in households:
        for f in h.findings:
            if f.severity in CHECKED_SEVERITIES:
                by_rule.setdefault(f.rule, []).append(Item(h, f))
    specs = {r.id: r for r in RULES}
    order = {r.id: i for i, r in enumerate(RULES)}
    groups = [RuleGroup(rule, specs[rule].title if rule in specs else rule,
                        min((i.finding.severity for i in items if i.finding), key=SEVERITY_ORDER.__getitem__),
                        tuple(items))
              for rule, items in by_rule.items()]
    return tuple(sorted(groups, key=lambda g: (SEVERITY_ORDER[g.severity], order.get(g.rule, 99))))


def township_checklist(township: TownshipView, as_of: date) -> TownshipChecklist:
    households = township.households
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
    )


def checklist_for_township(model: SiteModel, township: TownshipView) -> Checklist:
    month = month_title(model.as_of)
    return Checklist(f"{township.name} {month} 动态调整清单", month, model.as_of,
                     (township_checklist(township, model.as_of),))


def county_checklist(model: SiteModel) -> Checklist:
    month = month_title(model.as_of)
    return Checklist(
        f"{model.county} {month} 动态调整清单", month, model.as_of,
        tuple(township_checklist(t, model.as_of) for t in model.townships),
        county_findings=tuple(f for f in model.county_findings if f.severity in CHECKED_SEVERITIES),
        unassigned=model.unassigned.households if model.unassigned else (),
    )
