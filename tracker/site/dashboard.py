"""Figures and charts for the county home and township pages, computed from the site model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from tracker.rules import STEPS

from .charts import Bar, bar_chart, paired_chart, progress_chart
from .views import HouseholdView, SiteModel, TownshipView


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    alert: bool = False


@dataclass(frozen=True)
class CategoryRow:
    category: str
    status: str
    households: int
    people: int


@dataclass(frozen=True)
class Dashboard:
    figures: tuple[Figure, ...]
    categories: tuple[CategoryRow, ...]
    charts: tuple[Markup, ...]


def _months(as_of: date, count: int = 12) -> list[tuple[int, int]]:
    year, month = as_of.year, as_of.month
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def category_rows(households: Sequence[HouseholdView]) -> tuple[CategoryRow, ...]:
    counts: Counter[tuple[str, str]] = Counter()
    people: Counter[tuple[str, str]] = Counter()
    for h in households:
        key = (h.category or "（未填或有误）", h.status or "（未填或有误）")
        counts[key] += 1
        people[key] += h.people_count or 0
    return tuple(CategoryRow(c, s, n, people[(c, s)]) for (c, s), n in sorted(counts.items()))


def charts(households: Sequence[HouseholdView], as_of: date, by_place: Sequence[tuple[str, int]],
           place_label: str) -> tuple[Markup, ...]:
    monitored = [h for h in households if h.monitored]
    risks = Counter(r for h in monitored for r in h.risks)
    out = [bar_chart("监测中各户的主要风险类型（一户可有多项）", [Bar(k, v) for k, v in risks.most_common()])]
    if by_place:
        out.append(bar_chart(f"各{place_label}的户数", [Bar(name, n) for name, n in by_place]))
    out.append(bar_chart("户数：按监测类别和状态",
                         [Bar(f"{r.category}·{r.status}", r.households) for r in category_rows(households)]))
    out.append(progress_chart("监测中各户的程序完成情况",
                              [(name, sum(1 for h in monitored if h.steps[i].done), len(monitored))
                               for i, (_, name) in enumerate(STEPS)]))
    months = _months(as_of)
    new = Counter((h.first_monitored.year, h.first_monitored.month) for h in households if h.first_monitored)
    cleared = Counter((h.cleared.year, h.cleared.month) for h in households if h.cleared)
    out.append(paired_chart("近 12 个月每月新纳入监测与风险消除的户数", [f"{y % 100:02d}年{m}月" for y, m in months],
                            [("新纳入", [new[k] for k in months]), ("风险消除", [cleared[k] for k in months])]))
    return tuple(out)


def _figures(households: Sequence[HouseholdView], errors: int) -> list[Figure]:
    monitored = [h for h in households if h.monitored]
    people = sum(h.people_count or 0 for h in monitored)
    overdue = sum(1 for h in households if h.overdue)
    no_measure = sum(1 for h in households if h.has_rule("assist.none"))
    return [
        Figure("监测中的户", f"{len(monitored):,}", f"{people:,} 人"),
        Figure("名册中的户（含已消除风险等）", f"{len(households):,}"),
        Figure("程序超期未完成", f"{overdue:,}", "户", alert=overdue > 0),
        Figure("监测中但没有在帮措施", f"{no_measure:,}", "户", alert=no_measure > 0),
        Figure("数据错误", f"{errors:,}", "处", alert=errors > 0),
    ]


def county_dashboard(model: SiteModel) -> Dashboard:
    households = model.households
    figures = _figures(households, len(model.errors))
    county = model.outcome.county
    if county.share is not None:
        figures.insert(1, Figure("监测人口占建档立卡人口", f"{county.share:.1%}",
                                 f"参考 {county.target:.0%} 左右（{county.registered_population:,} 人）",
                                 alert=county.within_target is False))
    else:
        figures.insert(1, Figure("监测人口占建档立卡人口", "—", "本县建档立卡人口数未设置"))
    by_township = [(t.name, len(t.households)) for t in model.townships]
    return Dashboard(tuple(figures), category_rows(households),
                     charts(households, model.as_of, by_township, "乡镇"))


def township_dashboard(model: SiteModel, township: TownshipView) -> Dashboard:
    households = township.households
    errors = sum(len(h.errors) for h in households) + sum(len(v.errors) for v in township.villages)
    by_village = [(v.name, len(v.households)) for v in township.villages]
    return Dashboard(tuple(_figures(households, errors)), category_rows(households),
                     charts(households, model.as_of, by_village, "村"))
