"""The stages wired together: source -> validate -> rules -> render -> build -> publish.

Library first: the CLI only parses arguments and prints what these functions return. Every stage runs
inside a :class:`StageTimer`, which logs it and records its duration (``--timings FILE``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.common import ZONE_NAME, ConfigError, StageTimer, china_now, paused_gc
from tracker.history import Diff, Vanished
from tracker.protect import (
    KDF_POW,
    KeyRing,
    Secrets,
    check_kdf_pow,
    key_files,
    level_keys,
    missing_places,
    password_inventory,
    password_keys,
)
from tracker.register import RawRegister, SheetData, county_contract, open_source
from tracker.rules import RuleOutcome, evaluate, load_policy
from tracker.site import (
    GUIDE_PAGES,
    NavEntry,
    Page,
    Planned,
    RenderContext,
    SiteModel,
    SkeletonJob,
    build_site_model,
    fill_site,
    plan_pages,
    rendered_and_encrypted,
    skeleton_pages,
)
from tracker.validate import ValidatedRegister, today_in_china, validate

from .publish import check_owner, discard, disk_error, out_lock, prepare, record_owner, skeleton_cache, switch

DEMO_DIR = Path(".tracker") / "demo"
DEFAULT_OUT = Path("public")
#: The county-only values of the fictional demo county (a real county sets its own in its policy file).
DEMO_POLICY = """# 演示县的政策参数（虚构）。真实的县请在自己的参数文件里填写本县的值。
rural_dibao_annual: 4200
urban_dibao_monthly: 700
registered_population: 30000
"""


def demo_policy(today: date, mechanism: str | None = None) -> str:
    """The demo county's policy file: after 2020 also an invented monitoring line for the year (each province sets
    its own; the demo's is made up, like the county); the mechanism when the demo was made for a chosen one (and,
    for the 2020 one after 2020, an invented national line for the year)."""
    text = DEMO_POLICY
    if today.year >= 2021:
        text += f"monitoring_line:  # 虚构的本省标准\n  2020: 6000\n  {today.year}: 7500\n"
    if mechanism == "2020" and today.year >= 2021:  # the 2020 mechanism's rules also read the national line
        text += f"poverty_line:  # 虚构的当年标准\n  2020: 4000\n  {today.year}: 5000\n"
    if mechanism is not None:
        text += f'mechanism: "{mechanism}"  # 演示名册按这一套机制生成\n'
    return text


@dataclass(frozen=True)
class DemoFiles:
    """What ``tracker demo`` wrote: the register, the demo county's policy file beside it, and the demo's date."""

    register: Path
    policy: Path
    as_of: date

    def check_command(self) -> str:
        """The ``tracker check`` that sees the register as the demo site does (same policy, same date)."""
        return (f"tracker check --source {_shell_word(str(self.register))} --policy {_shell_word(str(self.policy))}"
                f" --as-of {self.as_of.isoformat()}")


def _shell_word(text: str) -> str:
    return shlex.quote(text) if _SHELL_SPECIAL.search(text) or not text else text


_SHELL_SPECIAL = re.compile(r"[\s'\"$`\\;&|<>()*?\[\]{}!#~]")


def demo_policy_path(register: Path) -> Path:
    """The demo's policy file: beside the register, named after it (演示.xlsx -> 演示.policy.yaml; a CSV folder
    演示 -> 演示.policy.yaml)."""
    stem = register.stem if register.suffix.lower() == ".xlsx" else register.name
    return register.with_name(f"{stem}.policy.yaml")


def write_demo(target: Path, villages: int = 40, households: int = 600, seed: int = 1, today: date | None = None,
               mechanism: str | None = None) -> tuple[DemoFiles, list[SheetData]]:
    """Write a demo register to ``target`` (.xlsx, else a CSV folder) and the demo county's policy beside it
    (:func:`demo_policy_path`): the policy the demo site uses, so ``tracker check`` finds what the site shows."""
    from tracker.demo import generate
    from tracker.register import write_register

    today = today or today_in_china()
    sheets = generate(villages=villages, households=households, seed=seed, today=today, mechanism=mechanism)
    write_register(sheets, target)
    policy = demo_policy_path(target)
    policy.write_text(demo_policy(today, mechanism), encoding="utf-8")
    return DemoFiles(target, policy, today), sheets


def read_and_validate(source: str, today: date | None = None, policy_file: str | None = None) -> ValidatedRegister:
    """Read and validate ``source``; the county's own header spellings come from ``policy_file`` (``aliases:``)."""
    contract = county_contract(policy_file)
    register = open_source(source).read()
    return validate(register, contract, today=today)


@dataclass(frozen=True)
class SiteHistory:
    """What snapshots add to a build: vanished households, this month's changes, past months' pages."""

    vanished: Mapping[str, Vanished] = field(default_factory=dict)
    month_changes: Diff | None = None
    archive_pages: tuple[Page, ...] = ()  # past months' checklists, county level
    archive_months: tuple[tuple[str, str], ...] = ()  # (YYYY-MM, label)


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
    blind: tuple[str, ...] = ()  # rules not run for want of a required column (tracker.rules.Blind messages)

    def summary_line(self) -> str:
        demo = "（演示数据）" if self.demo else ""
        return (f"网站已生成{demo}：{self.out}，{self.villages} 个村、{self.households} 户，"
                f"数据错误 {self.errors} 处，政策提示 {self.findings} 条，"
                f"共 {self.pages} 页，用时 {self.seconds:.1f} 秒。")


def check(source: str | RawRegister | ValidatedRegister, policy_file: str | None = None,
          as_of: date | None = None, timer: StageTimer | None = None, warnings: str | Path | None = None,
          ) -> tuple[ValidatedRegister, RuleOutcome]:
    """Read, validate and evaluate the policy rules as of a date (default: today in Asia/Shanghai).

    ``source`` may already be read (a RawRegister) or validated (as of the same date). ``warnings``: a folder
    of department warning lists to match (:mod:`tracker.rules.warnings`; ``outcome.warnings`` then holds them)."""
    timer = timer or StageTimer(quiet=True)
    policy = load_policy(Path(policy_file) if policy_file else None)
    as_of = as_of or today_in_china()
    if isinstance(source, ValidatedRegister):
        validated = source
    else:
        raw = [source] if isinstance(source, RawRegister) else []
        if not raw:
            with timer.stage("read"):
                raw.append(open_source(source).read())
        with timer.stage("validate"):  # handed over: validation lets the raw cells go (a million rows: some 200 MB)
            validated = validate(raw.pop(), county_contract(policy_file), today=as_of)
    with timer.stage("rules"):
        outcome = evaluate(validated, policy, as_of)
    if warnings is not None:
        from tracker.rules import with_warnings

        with timer.stage("warnings"):
            outcome = with_warnings(validated, outcome, warnings)
    return validated, outcome


def site_nav(model: SiteModel, history: SiteHistory) -> list[NavEntry]:
    """The global navigation: the county's pages, past months' checklists and the guidance -- the same few
    entries whatever the county's size.  Township pages and their checklists are reached from the county home's
    table of townships, village pages from their township page: a navigation listing them would be copied into
    every page, so output and build time would grow with the square of the county."""
    nav = [NavEntry("首页", "index.md"), NavEntry("全县动态调整清单", "checklist.md")]
    if history.archive_months:
        nav.append(NavEntry("往月清单", children=tuple(NavEntry(label, f"archive/{month}/checklist.md")
                                                       for month, label in history.archive_months)))
    nav.append(NavEntry("名册校验报告", "report.md"))
    if model.outcome.warnings is not None:  # department warning lists were matched: the county leads page
        nav.append(NavEntry("预警线索", "leads.md"))
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


def key_ring(passwords: Secrets, model: SiteModel, pages: list[Page], kdf_pow: int = KDF_POW,
             key_dir: Path | None = None) -> KeyRing:
    """The keys of this build: a key per level (kept in ``key_dir`` between builds), a derived key per password
    (kept in ``key_dir`` or beside the secrets file, see :func:`tracker.protect.kdf_cache.key_file`)."""
    iterations = check_kdf_pow(kdf_pow)
    inventory = password_inventory(passwords, model, {p.level for p in pages if p.level})
    derived = password_keys({pw for pws in inventory.values() for pw in pws}, iterations,
                            key_files(key_dir, passwords.source))
    return KeyRing(level_keys(inventory, key_dir), inventory, derived, iterations)


def build_site(source: str | RawRegister | ValidatedRegister, out: Path, policy_file: str | None = None,
               as_of: date | None = None,
               demo: bool = False, secrets: Secrets | Callable[[SiteModel], Secrets] | None = None,
               kdf_pow: int = KDF_POW, timer: StageTimer | None = None,
               history: SiteHistory | None = None, warnings: str | Path | None = None,
               key_dir: Path | None = None) -> BuildOutcome:
    """``secrets``: the site passwords, or a function giving them for the site model (the demo's).
    ``warnings``: a folder of department warning lists (see :func:`check`). ``key_dir``: the private data
    directory that keeps derived encryption keys between builds (see :mod:`tracker.protect.kdf_cache`); with it the
    theme is also cached, beside the site (:func:`tracker.pipeline.publish.skeleton_cache`: no personal data, and
    hard links into the new site stay on one file system)."""
    if secrets is None:
        raise ConfigError(NO_PASSWORDS)
    timer = timer or StageTimer(quiet=True)
    history = history or SiteHistory()
    validated, outcome = check(source, policy_file, as_of, timer, warnings=warnings)
    with timer.stage("model"), paused_gc():  # tens of thousands of small acyclic views
        model = build_site_model(validated, outcome, vanished=history.vanished)
        passwords = secrets(model) if callable(secrets) else secrets
        # Checked again now that the register's place names are known: a password made of them is refused.
        passwords.check([model.county, *(n for t in model.townships for n in (t.name, *(v.name for v in t.villages)))])
        built_at = f"{china_now():%Y年%-m月%-d日 %H:%M} {ZONE_NAME}"
        plan = plan_pages(model, RenderContext(built_at=built_at, demo=demo, month_changes=history.month_changes,
                                               archive_months=history.archive_months))
        planned = [p.page for p in plan] + list(history.archive_pages)
    with timer.stage("keys"):
        ring = key_ring(passwords, model, planned, kdf_pow, key_dir)
    with out_lock(out, key_dir):
        if key_dir is not None:
            check_owner(out, key_dir)
        staging = prepare(out)
        try:
            # the theme around the pages is laid out by mkdocs in a second process meanwhile
            skeleton = SkeletonJob(skeleton_pages(planned), staging / "site", site_nav(model, history),
                                   skeleton_cache(out) if key_dir is not None else None)
            try:
                with timer.stage("render", f"{len(planned)} 页"):
                    try:
                        pages, forms = rendered_and_encrypted(
                            [*plan, *(Planned(page) for page in history.archive_pages)], ring)
                    except BaseException:
                        skeleton.close()
                        raise
                with timer.stage("build"):
                    skeleton.wait()
                    fill_site(pages, staging / "site", forms, ring.iterations)
            except OSError as exc:
                raise disk_error(exc) from exc
            with timer.stage("publish", str(out)):
                switch(out, staging)
                if key_dir is not None:
                    record_owner(out, key_dir)
        finally:
            discard(staging)
    return BuildOutcome(out, len(pages), len(model.villages), len(model.households), len(validated.errors),
                        len(outcome.findings), timer.total, demo, _password_notes(passwords, model, demo),
                        tuple(b.message for b in outcome.blind))
