"""Render stage: site model -> Markdown pages (path -> text), from Jinja2 templates under ``site/templates``.

Autoescaping is on for every template, so a cell holding ``<script>`` or ``{{ }}`` stays text; tables and
lists are emitted as raw HTML blocks (Markdown leaves them alone, so ``|`` or ``[x](javascript:…)`` in a
cell cannot break them), and the few values placed in Markdown context go through the ``md`` filter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import fmt
from .findings import SEVERITY_LABEL
from .messages import CODES
from .resources import resource
from .views import SiteModel

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(value: object) -> Markup:
    """Text for a Markdown context (headings): HTML-escaped, then Markdown punctuation backslashed."""
    return Markup(_MD_SPECIAL.sub(r"\\\1", str(escape(fmt.text(value)))))


def yaml_str(value: object) -> Markup:
    """A YAML-safe double-quoted scalar for front matter (JSON strings are valid YAML)."""
    return Markup(json.dumps(fmt.text(value), ensure_ascii=False))


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
        cn_date=fmt.cn_date,
        yuan=fmt.yuan,
        code_label=lambda code: CODES.get(code, code),
        severity_label=lambda s: SEVERITY_LABEL.get(s, s),
        basename=lambda p: PurePosixPath(str(p).replace("\\", "/")).name or str(p),
    )
    return env


@dataclass(frozen=True)
class RenderContext:
    built_at: str
    demo: bool = False


def _root(path: str) -> str:
    return "../" * path.count("/")


def render_pages(model: SiteModel, ctx: RenderContext) -> dict[str, str]:
    """Every generated page of the site, keyed by its path under the docs directory."""
    env = environment()
    pages: dict[str, str] = {}

    def put(path: str, template: str, level: str | None, **values: Any) -> None:
        """``level`` names who may read the page (see ``page_level``); None for public pages."""
        pages[path] = env.get_template(template).render(root=_root(path), level=level, **values)

    households = sum(t.households for t in model.townships) + (
        len(model.unassigned.households) if model.unassigned else 0)
    put("index.md", "home.md.j2", COUNTY_LEVEL, title=f"{model.county}监测台账", m=model, demo=ctx.demo,
        built_at=ctx.built_at, households=households)
    put("report.md", "report.md.j2", COUNTY_LEVEL, title="名册校验报告", m=model)
    for township in model.townships:
        put(f"{township.slug}/index.md", "township.md.j2", township_level(township.slug), title=township.name,
            t=township)
        for village in township.villages:
            put(f"{township.slug}/{village.slug}.md", "village.md.j2", village_level(village.slug),
                title=village.title, v=village)
    if model.unassigned:
        put("unassigned.md", "village.md.j2", COUNTY_LEVEL, title=model.unassigned.name, v=model.unassigned)
    return pages


#: Password levels of protected pages: the county level opens everything; a township level opens its
#: township page, checklist and villages; a village level opens that village's page only.
COUNTY_LEVEL = "county"


def township_level(township_slug: str) -> str:
    return f"township-{township_slug}"


def village_level(village_slug: str) -> str:
    return f"village-{village_slug}"
