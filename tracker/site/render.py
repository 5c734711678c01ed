"""Render stage: site model -> pages (:class:`tracker.site.pages.Page`), from Jinja2 templates in ``site/templates``.

Protected pages (the data: county, township, village pages and checklists) are rendered straight to HTML
(``*.html.j2``): no Markdown pass, so a cell holding ``|`` or ``[x](javascript:…)`` is just text.  The
public guidance pages are Markdown (``guide/*.md.j2``) for mkdocs, and the few values placed in Markdown
context go through the ``md`` filter.  Autoescaping is on for every template, so a cell holding
``<script>`` or ``{{ }}`` stays text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import PurePosixPath
from typing import Any

import jinja2
from markupsafe import Markup, escape

from tracker.common import fmt, resource
from tracker.history import Diff
from tracker.register import load_contract
from tracker.rules import BASES, DESCRIPTIONS, DOCUMENTS, RULES, SEVERITY_LABEL
from tracker.validate import CODES

from .checklist import checklist_for_township, county_checklist, month_title
from .dashboard import county_dashboard, township_dashboard
from .leads import leads_view
from .pages import Page
from .views import SiteModel

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")

#: Password levels of protected pages: the county level opens everything; a township level opens its
#: township page, checklist and villages; a village level opens that village's page only.
COUNTY_LEVEL = "county"

#: Public guidance pages: (path, navigation title, template).
GUIDE_PAGES = (
    ("guide/index.md", "概述", "guide/index.md.j2"),
    ("guide/scope.md", "监测对象和范围", "guide/scope.md.j2"),
    ("guide/procedure.md", "监测程序", "guide/procedure.md.j2"),
    ("guide/assistance.md", "帮扶措施", "guide/assistance.md.j2"),
    ("guide/schedule.md", "工作安排和期限", "guide/schedule.md.j2"),
    ("guide/rules.md", "检查规则", "guide/rules.md.j2"),
    ("guide/basis.md", "政策依据", "guide/basis.md.j2"),
    ("guide/data-dictionary.md", "数据字典", "guide/data-dictionary.md.j2"),
    ("guide/how-to-fix.md", "怎样看校验报告", "guide/how-to-fix.md.j2"),
)

_TYPE_LABELS = {"text": "文本", "integer": "整数", "number": "数值", "date": "日期", "enum": "单选", "multi": "多选",
                "bool": "是/否", "id_number": "18 位身份证号", "phone": "电话", "code": "数字编码"}


def township_level(township_slug: str) -> str:
    return f"township-{township_slug}"


def village_level(village_slug: str) -> str:
    return f"village-{village_slug}"


def md_escape(value: object) -> Markup:
    """Text for a Markdown context (headings): HTML-escaped, then Markdown punctuation backslashed."""
    return Markup(_MD_SPECIAL.sub(r"\\\1", str(escape(fmt.text(value)))))


def yaml_str(value: object) -> Markup:
    """A YAML-safe double-quoted scalar for front matter (JSON strings are valid YAML)."""
    return Markup(json.dumps(fmt.text(value), ensure_ascii=False))


def _rule_title(rule_id: str) -> str:
    """A rule's Chinese title (its id stays in the JSON and in a tooltip)."""
    from tracker.rules import rule

    try:
        return rule(rule_id).title
    except KeyError:
        return rule_id


def css_string(text: object) -> Markup:
    """``text`` as the inside of a CSS string in a ``<style>`` (where HTML escapes are not decoded): every character
    but letters, digits, CJK and spaces as a CSS escape, so no place name can end the string, the rule or the
    element."""
    out = []
    for char in str(text):
        out.append(char if char.isalnum() or char == " " else f"\\{ord(char):06x}")
    return Markup("".join(out))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource("site") / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=md_escape,
        yaml_str=yaml_str,
        css_string=css_string,
        rule_title=_rule_title,
        cn_date=fmt.cn_date,
        yuan=fmt.yuan,
        code_label=lambda code: CODES.get(code, code),
        severity_label=lambda s: SEVERITY_LABEL.get(s, s),
        type_label=lambda t: _TYPE_LABELS.get(t, t),
        basename=lambda p: PurePosixPath(str(p).replace("\\", "/")).name or str(p),
    )
    return env


@dataclass(frozen=True)
class RenderContext:
    built_at: str
    demo: bool = False
    month_changes: Diff | None = None  # this month's changes from the snapshots, when there are any
    archive_months: tuple[tuple[str, str], ...] = ()  # past months with a checklist: (YYYY-MM, label)


def _root(path: str) -> str:
    return "../" * path.count("/")


def _policy_rows(model: SiteModel) -> list[tuple[str, str, str]]:
    rows = []
    for key, value in model.policy.as_dict().items():
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            value = date.fromisoformat(value)
        shown = ("未设置" if value is None else fmt.cn_date(value) if isinstance(value, date)
                 else f"{value:,}" if isinstance(value, int | float) and not isinstance(value, bool)
                 else _mapping(value) if isinstance(value, dict) else str(value))
        label = "各年度的标准" if key == "by_year" else DESCRIPTIONS.get(key, key)
        rows.append((key, shown, label))
    return rows


def _not_run(model: SiteModel) -> list[str]:
    """The rules that did not run, in a reader's words: settings by their Chinese names, rules by their titles (the
    keys, ids and flags are for the CLI and the JSON)."""
    def titles(ids: tuple[str, ...]) -> str:
        return "、".join(f"“{_rule_title(r)}”" for r in ids)

    lines = []
    for b in model.outcome.blind:
        what = f"没有「{b.tab}」工作表" if not b.header else f"缺少「{b.header}」列（{b.tab}工作表）"
        lines.append(f"名册{what}，这些检查没有做：{titles(b.rules)}。请在名册里补上后重新生成。")
    for s in model.outcome.skipped:
        label = DESCRIPTIONS.get(s.key, s.key).split("（")[0]
        rules = titles((*s.rules, *s.partly))
        when = f"{model.as_of.year} 年的" if s.key in ("monitoring_line", "poverty_line") else ""  # (set by year)
        lines.append(f"本县没有设置{when}「{label}」，这些检查没有做：{rules}。"
                     "请县里负责网站的同志在本县的政策参数文件里设置后重新生成。")
    return lines


def _mapping(value: dict[Any, Any]) -> str:
    """A policy table in words: 监测标准（元/人·年）：2020 年 6,000；… (无 when empty)."""
    if not value:
        return "无"
    parts = []
    for key, inner in value.items():
        label = DESCRIPTIONS.get(str(key), str(key))
        if isinstance(inner, dict):
            inner = "、".join(f"{year} 年 {amount:,}" if isinstance(amount, int | float) else f"{year} 年 {amount}"
                              for year, amount in inner.items())
        parts.append(f"{label}：{inner}")
    return "；".join(parts)


def _example_deadline(found: date, months_after: int) -> date:
    """The last day of the ``months_after``-th month after ``found``'s month (the county's monthly setting)."""
    index = found.year * 12 + found.month - 1 + months_after + 1  # the month after that one
    return date.fromordinal(date(index // 12, index % 12 + 1, 1).toordinal() - 1)


def guide_pages(model: SiteModel, env: jinja2.Environment) -> list[Page]:
    """Public pages: no personal data, filled from the policy parameters, the rule registry and the contract."""
    found = date(model.policy.rectification_deadline.year, 6, 15)
    # each rule with what it rests on: its own basis, then any part resting on something else (procedure.overdue)
    grounds = [(spec, [(key.partition(":")[2], b) for key, b in BASES.items() if key.partition(":")[0] == spec.id])
               for spec in RULES]
    values = {"p": model.policy, "rules": RULES, "contract": load_contract(), "documents": DOCUMENTS,
              "grounds": grounds,
              "later": "次月" if model.policy.monthly_deadline_months == 1
              else f"当月之后第 {model.policy.monthly_deadline_months} 个月的",
              "steps": [("村级初选", "村级评议日期"), ("乡镇审核", "乡镇审核日期 · 审核人"),
                        ("县级确定", "县级确定日期"), ("信息录入", "系统录入日期")],
              "example_found": found,
              "example_deadline": _example_deadline(found, model.policy.monthly_deadline_months),
              "as_of": model.as_of, "mechanism": model.policy.mechanism or "2020",
              "id_found": date(model.as_of.year, 3, 1),
              "id_deadline": date(model.as_of.year, 3, 1) + timedelta(days=model.policy.identification_days)}
    pages = []
    for path, title, template in GUIDE_PAGES:
        title = "政策指引" if title == "概述" else title
        # the pages of the mechanism in force on the as-of date, where it has its own (guide/2021/...)
        own = template.replace("guide/", f"guide/{values['mechanism']}/", 1)
        if values["mechanism"] != "2020" and own in env.list_templates():
            template = own
        body = env.get_template(template).render(root=_root(path), level=None, title=title, **values)
        pages.append(Page(path, title, body))
    return pages


def _levels_below(model: SiteModel) -> tuple[str, ...]:
    return tuple(lv for t in model.townships
                 for lv in (township_level(t.slug), *(village_level(v.slug) for v in t.villages)))


def render_checklists(model: SiteModel, prefix: str, changes: Diff | None = None) -> list[Page]:
    """Checklist pages only, under ``prefix`` (past months' checklists rebuilt from snapshots), county level."""
    env = environment()
    county = county_checklist(model, changes)
    path = f"{prefix}checklist.md"
    body = env.get_template("checklist.html.j2").render(root=_root(path), m=model, month=month_title(model.as_of),
                                                       c=county)
    return [Page(path, county.title, body, COUNTY_LEVEL)]


@dataclass(frozen=True)
class Planned:
    """A page known by its place, title and level, its body not rendered yet (``page.body`` is empty for
    protected pages): the build can lay out the theme around it while the bodies are rendered."""

    page: Page
    template: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def body(self, env: jinja2.Environment) -> str:
        """The rendered body (a page planned with its body already has it)."""
        return env.get_template(self.template).render(**self.values) if self.template else self.page.body


def plan_pages(model: SiteModel, ctx: RenderContext) -> list[Planned]:
    """Every generated page of the site: the public guidance first (rendered), then the protected pages."""
    env = environment()
    plan = [Planned(page) for page in guide_pages(model, env)]
    month = month_title(model.as_of)
    everything = (COUNTY_LEVEL, *_levels_below(model))

    def put(path: str, template: str, level: str, title: str, scope: tuple[str, ...] = (), wide: bool = False,
            shell: str | None = None, **values: Any) -> None:
        """``level`` names who may read the page (county / township-<slug> / village-<slug>); ``scope`` the
        levels of the pages it leads to."""
        plan.append(Planned(Page(path, title, "", level, scope, wide, shell), template,
                            {"root": _root(path), "m": model, "month": month, **values}))

    put("index.md", "home.html.j2", COUNTY_LEVEL, f"{model.county}监测台账", everything, demo=ctx.demo,
        built_at=ctx.built_at, d=county_dashboard(model), skipped=_not_run(model),
        policy_rows=_policy_rows(model), archive=ctx.archive_months)
    put("report.md", "report.html.j2", COUNTY_LEVEL, "名册校验报告")
    if model.outcome.warnings is not None:  # department warning lists were matched (tracker.site.leads)
        put("leads.md", "leads.html.j2", COUNTY_LEVEL, "行业部门预警线索", everything, w=leads_view(model))
    county = county_checklist(model, ctx.month_changes)
    put("checklist.md", "checklist.html.j2", COUNTY_LEVEL, county.title, everything, c=county)
    for township in model.townships:
        level = township_level(township.slug)
        below = (COUNTY_LEVEL, *(village_level(v.slug) for v in township.villages))
        put(f"{township.slug}/index.md", "township.html.j2", level, township.name, below, shell="township",
            t=township, d=township_dashboard(model, township))
        checklist = checklist_for_township(model, township, ctx.month_changes)
        put(f"{township.slug}/checklist.md", "checklist.html.j2", level, checklist.title, below,
            shell="checklist", c=checklist)
        for village in township.villages:
            put(f"{township.slug}/{village.slug}.md", "village.html.j2", village_level(village.slug),
                village.title, (level, COUNTY_LEVEL), wide=True, shell="village", v=village)
    if model.unassigned:
        put("unassigned.md", "village.html.j2", COUNTY_LEVEL, model.unassigned.name, wide=True,
            v=model.unassigned)
    return plan


def render_bodies(plan: list[Planned]) -> list[Page]:
    """The planned pages with their bodies rendered."""
    env = environment()
    return [replace(p.page, body=p.body(env)) if p.template else p.page for p in plan]


def render_pages(model: SiteModel, ctx: RenderContext) -> list[Page]:
    """Every generated page of the site, rendered: the public guidance first, then the protected pages."""
    return render_bodies(plan_pages(model, ctx))
