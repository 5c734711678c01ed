"""The stages wired together: source -> validate -> rules -> render -> build -> publish.

Library first: the CLI only parses arguments and prints what these functions return.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .build import NavEntry, build_site_dir
from .cells import today_in_china
from .findings import Finding
from .publish import publish
from .render import RenderContext, render_pages
from .sources import open_source
from .validate import ValidatedRegister, validate
from .views import SiteModel, build_site_model

DEMO_DIR = Path(".tracker") / "demo"
DEFAULT_OUT = Path("public")


def read_and_validate(source: str, today: date | None = None) -> ValidatedRegister:
    register = open_source(source).read()
    return validate(register, today=today)


@dataclass(frozen=True)
class BuildOutcome:
    out: Path
    pages: int
    villages: int
    households: int
    errors: int
    findings: int
    seconds: float
    demo: bool = False

    def summary_line(self) -> str:
        demo = "（演示数据）" if self.demo else ""
        return (f"网站已生成{demo}：{self.out}，{self.villages} 个村、{self.households} 户，"
                f"数据错误 {self.errors} 处，政策提示 {self.findings} 条，"
                f"共 {self.pages} 页，用时 {self.seconds:.1f} 秒。")


def _nav(model: SiteModel) -> list[NavEntry]:
    townships = tuple(NavEntry(t.name, f"{t.slug}/index.md") for t in model.townships)
    nav = [NavEntry("首页", "index.md")]
    if townships:
        nav.append(NavEntry("乡镇", children=townships))
    nav.append(NavEntry("名册校验报告", "report.md"))
    return nav


def build_site(source: str, out: Path, policy_file: str | None = None, as_of: date | None = None,
               demo: bool = False) -> BuildOutcome:
    started = time.monotonic()
    as_of = as_of or today_in_china()
    validated = read_and_validate(source, today=as_of)
    findings: list[Finding] = []
    model = build_site_model(validated, findings, as_of)
    built_at = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y年%-m月%-d日 %H:%M")
    pages = render_pages(model, RenderContext(built_at=built_at, demo=demo))
    publish(out, lambda target: build_site_dir(pages, target, _nav(model)))
    households = sum(len(v.households) for v in model.villages)
    if model.unassigned:
        households += len(model.unassigned.households)
    return BuildOutcome(out, len(pages), len(model.villages), households, len(validated.errors), len(findings),
                        time.monotonic() - started, demo)


def nightly(source: str | None = None, out: Path | None = None) -> BuildOutcome:
    """The main job. With no source configured it builds the site of a generated demo county."""
    demo = source is None
    if source is None:
        from .demo import generate
        from .writers import write_register

        register = DEMO_DIR / "register.xlsx"
        register.parent.mkdir(parents=True, exist_ok=True)
        write_register(generate(), register)
        source = str(register)
    return build_site(source, out or DEFAULT_OUT, demo=demo)
