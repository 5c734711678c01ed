"""The stages wired together: source -> validate -> rules -> render -> build -> publish.

Library first: the CLI only parses arguments and prints what these functions return.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .build import NavEntry, build_site_dir
from .cells import today_in_china
from .encryption import KDF_POW, encryption_config, missing_places, page_levels
from .errors import ConfigError
from .passwords import Secrets
from .policy import load_policy
from .publish import publish
from .render import GUIDE_PAGES, RenderContext, render_pages
from .rules import RuleOutcome, evaluate
from .sources import open_source
from .validate import ValidatedRegister, validate
from .views import SiteModel, build_site_model

DEMO_DIR = Path(".tracker") / "demo"
DEFAULT_OUT = Path("public")
#: The county-only values of the fictional demo county (a real county sets its own in its policy file).
DEMO_POLICY = """# 演示县的政策参数（虚构）。真实的县请在自己的参数文件里填写本县的值。
rural_dibao_annual: 4200
urban_dibao_monthly: 700
registered_population: 30000
"""


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
    notes: tuple[str, ...] = ()  # about the passwords: where the demo's are, places without their own

    def summary_line(self) -> str:
        demo = "（演示数据）" if self.demo else ""
        return (f"网站已生成{demo}：{self.out}，{self.villages} 个村、{self.households} 户，"
                f"数据错误 {self.errors} 处，政策提示 {self.findings} 条，"
                f"共 {self.pages} 页，用时 {self.seconds:.1f} 秒。")


def check(source: str, policy_file: str | None = None, as_of: date | None = None
          ) -> tuple[ValidatedRegister, RuleOutcome]:
    """Read, validate and evaluate the policy rules as of a date (default: today in Asia/Shanghai)."""
    policy = load_policy(Path(policy_file) if policy_file else None)
    as_of = as_of or today_in_china()
    validated = read_and_validate(source, today=as_of)
    return validated, evaluate(validated, policy, as_of)


def _nav(model: SiteModel) -> list[NavEntry]:
    """Township pages, checklists and guidance in the navigation; villages are reached from townships."""
    townships = tuple(NavEntry(t.name, f"{t.slug}/index.md") for t in model.townships)
    nav = [NavEntry("首页", "index.md")]
    if townships:
        nav.append(NavEntry("乡镇", children=townships))
    checklists = (NavEntry("全县", "checklist.md"),
                  *(NavEntry(t.name, f"{t.slug}/checklist.md") for t in model.townships))
    nav.append(NavEntry("动态调整清单", children=checklists))
    nav.append(NavEntry("名册校验报告", "report.md"))
    nav.append(NavEntry("政策指引", children=tuple(NavEntry(title, path) for path, title, _ in GUIDE_PAGES)))
    return nav


NO_PASSWORDS = ("没有配置网站密码，不能生成网站：请用 --secrets 指定密码文件（或设置环境变量 TRACKER_SECRETS、"
                "TRACKER_COUNTY_PASSWORD），还没有密码文件的先运行 tracker passwords generate。")


def _password_notes(passwords: Secrets, model: SiteModel, demo: bool) -> tuple[str, ...]:
    notes = []
    if demo and passwords.source:
        notes.append(f"演示网站的密码在 {passwords.source}（虚构数据；县级密码 {passwords.county}）。")
    missing = missing_places(passwords, model)
    if missing:
        shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
        notes.append(f"{len(missing)} 个乡镇或村在密码文件里没有自己的密码，只能用上级密码打开：{shown}。")
    return tuple(notes)


def build_site(source: str, out: Path, policy_file: str | None = None, as_of: date | None = None,
               demo: bool = False, secrets: Secrets | Callable[[SiteModel], Secrets] | None = None,
               kdf_pow: int = KDF_POW) -> BuildOutcome:
    """``secrets``: the site passwords, or a function giving them for the site model (the demo's)."""
    if secrets is None:
        raise ConfigError(NO_PASSWORDS)
    started = time.monotonic()
    validated, outcome = check(source, policy_file, as_of)
    model = build_site_model(validated, outcome)
    passwords = secrets(model) if callable(secrets) else secrets
    built_at = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y年%-m月%-d日 %H:%M")
    pages = render_pages(model, RenderContext(built_at=built_at, demo=demo))
    extra = encryption_config(passwords, model, page_levels(pages), kdf_pow)
    publish(out, lambda target: build_site_dir(pages, target, _nav(model), extra))
    return BuildOutcome(out, len(pages), len(model.villages), len(model.households), len(validated.errors),
                        len(outcome.findings), time.monotonic() - started, demo,
                        _password_notes(passwords, model, demo))


def nightly(source: str | None = None, out: Path | None = None, secrets: Secrets | None = None) -> BuildOutcome:
    """The main job. With no source configured it builds the site of a generated demo county.

    The demo's passwords, unless ``secrets`` are given, are generated into ``.tracker/demo/secrets.toml``.
    """
    demo = source is None
    if source is None:
        from .demo import generate
        from .writers import write_register

        register = DEMO_DIR / "register.xlsx"
        register.parent.mkdir(parents=True, exist_ok=True)
        write_register(generate(), register)
        source = str(register)
        policy = DEMO_DIR / "policy.yaml"
        policy.write_text(DEMO_POLICY, encoding="utf-8")
        target = out or DEFAULT_OUT
        if secrets is None:
            from .secrets_file import demo_secrets

            return build_site(source, target, policy_file=str(policy), demo=True,
                              secrets=lambda model: demo_secrets(model, target)[0])
        return build_site(source, target, policy_file=str(policy), demo=True, secrets=secrets)
    return build_site(source, out or DEFAULT_OUT, demo=demo, secrets=secrets)
