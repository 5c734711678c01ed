"""Policy parameters of 豫脱贫组〔2020〕13号: defaults in ``schemas/policy.yaml``, a county file merged over them.

Every problem in either file is collected and reported together in one :class:`ConfigError`, in Chinese,
so a county editing its file sees all its mistakes at once. The three values only a county knows (its dibao
standards and registered population) have no default: they stay ``None`` and the rules needing them are
skipped with a line saying which key to set.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from tracker.common import ConfigError, resource

#: The defaults file, as county staff see it in a checkout (used in messages).
DEFAULT_FILE_LABEL = "schemas/policy.yaml"

#: What each key means, in the words the county staff use (for messages and guidance pages).
DESCRIPTIONS: dict[str, str] = {
    "monitoring_line": "监测标准（元/人·年）",
    "poverty_line": "国家扶贫标准（元/人·年）",
    "rural_dibao_annual": "当地农村低保标准（元/人·年）",
    "urban_dibao_monthly": "当地当年城市月低保标准（元/月）",
    "registered_population": "本县建档立卡人口数（人）",
    "scale_target": "监测规模参考比例（如 0.05 即 5%）",
    "rectification_deadline": "集中整治完成期限（日期）",
    "income_drop_threshold": "收入大幅缩减的比例（0 到 1 之间）",
    "screening_interval_days": "行政村走访摸排的最长间隔（天）",
    "monthly_deadline_months": "集中整治期限以后发现的户走完四步的期限（发现当月之后第几个月的月底）",
    "identification_days": "2021 年以后：从农户申请或发现到县级审定的最长天数",
    "notice_days": "2021 年以后：村内公示的最少天数",
    "severity": "改变规则的级别（规则编号: error、warning 或 information）",
    "mechanism": "执行哪一套机制：2020（豫脱贫组〔2020〕13号）或 2021（2021 年以后的防止返贫动态监测和帮扶机制）",
}
#: The mechanisms and the day the second took over (the as-of date decides when the policy file does not).
MECHANISMS = ("2020", "2021")
MECHANISM_2021_FROM = date(2021, 1, 1)
#: Keys a policy file may leave out (they have a default in the code, or mean "decided by the date").
_OPTIONAL_KEYS = ("monthly_deadline_months", "severity", "mechanism", "identification_days", "notice_days")
#: Amounts a province sets every year: a number (every year) or a table {year: amount}.
BY_YEAR = ("monitoring_line", "poverty_line")

#: Values only a county knows: present in the defaults file but empty, never guessed.
COUNTY_KEYS: tuple[str, ...] = ("rural_dibao_annual", "urban_dibao_monthly", "registered_population")

_AMOUNTS = ("monitoring_line", "poverty_line", "rural_dibao_annual", "urban_dibao_monthly")
_COUNTS = ("registered_population", "screening_interval_days", "monthly_deadline_months", "identification_days",
           "notice_days")
_SEVERITIES = {"error": "error", "warning": "warning", "information": "information",
               "问题": "error", "提醒": "warning", "提示": "information"}


@dataclass(frozen=True)
class Policy:
    monitoring_line: float
    poverty_line: float
    rural_dibao_annual: float | None
    urban_dibao_monthly: float | None
    registered_population: int | None
    scale_target: float
    rectification_deadline: date
    income_drop_threshold: float
    screening_interval_days: int
    monthly_deadline_months: int = 1
    identification_days: int = 15  # 2021+: from the first lead to 县级审定
    notice_days: int = 5  # 2021+: the village notice (村内公示) lasts at least this many days
    severity: tuple[tuple[str, str], ...] = ()  # (rule id, or rule id:part, -> its severity) set by the county
    mechanism: str | None = None  # "2020" | "2021"; None: the one in force on the as-of date (see on())
    by_year: tuple[tuple[str, tuple[tuple[int, float], ...]], ...] = ()  # key -> ((year, amount), ...)
    path: str | None = field(default=None, compare=False)  # the county's file merged over the defaults (--policy)

    def on(self, day: date) -> Policy:
        """The policy as it applies on ``day``: the mechanism in force, and each yearly amount of ``day``'s year
        (unset when the table has no such year: the rules needing it are skipped, never guessed)."""
        mechanism = self.mechanism or ("2021" if day >= MECHANISM_2021_FROM else "2020")
        yearly = {key: dict(table).get(day.year) for key, table in self.by_year}
        return replace(self, mechanism=mechanism, **yearly)

    def years(self, key: str) -> tuple[tuple[int, float], ...]:
        """The table of a yearly amount (empty when the file gives one number for every year)."""
        return dict(self.by_year).get(key, ())

    def as_dict(self) -> dict[str, Any]:
        """The values used, JSON-ready (the date as an ISO string, unset county values as null)."""
        out = asdict(self)
        out["rectification_deadline"] = self.rectification_deadline.isoformat()
        out["severity"] = dict(self.severity)
        out["by_year"] = {key: {str(y): v for y, v in table} for key, table in self.by_year}
        del out["path"]  # which file, not a value of the policy
        return out

    def severity_of(self, key: str, default: str) -> str:
        """The severity the county set for a rule (``key``: its id, or ``id:part``), else ``default``."""
        return dict(self.severity).get(key, default)

    def missing(self, keys: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Those of ``keys`` that are unset (only the county-only values can be)."""
        return tuple(k for k in keys if getattr(self, k) is None)

    # Derived amounts used by rules and guidance pages (None while the county value is unset).

    @property
    def relief_township_limit(self) -> float | None:
        """临时救助 up to this amount may be delegated to the township: 3 × urban monthly dibao (四、(四))."""
        return None if self.urban_dibao_monthly is None else 3 * self.urban_dibao_monthly

    @property
    def emergency_minimum(self) -> float | None:
        """急难型临时救助 of a household of 2 or more: at least 8 × urban monthly dibao (四、(四))."""
        return None if self.urban_dibao_monthly is None else 8 * self.urban_dibao_monthly

    @property
    def dibao_exit_ceiling(self) -> float | None:
        """Income above the rural dibao standard but at most 1.5 × it earns a gradual exit (四、(三))."""
        return None if self.rural_dibao_annual is None else 1.5 * self.rural_dibao_annual

    def derived(self) -> dict[str, float | None]:
        """The derived amounts, by name, for guidance pages."""
        return {
            "relief_township_limit": self.relief_township_limit,
            "emergency_minimum": self.emergency_minimum,
            "dibao_exit_ceiling": self.dibao_exit_ceiling,
        }


KEYS: tuple[str, ...] = tuple(f.name for f in fields(Policy) if f.name not in ("by_year", "path"))


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text and are checked here, so an impossible date such as
    2020-13-01 is reported with every other problem instead of aborting the whole file."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path, problems: list[str]) -> dict[Any, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader subclass
    except OSError as exc:
        raise ConfigError(f"无法读取政策参数文件 {path}：{exc.strerror or exc}。请检查路径。") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"政策参数文件 {path} 不是有效的 YAML（{exc}），请对照 {DEFAULT_FILE_LABEL} 的写法改正。"
                          ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path}：应为“参数名: 值”的列表，如 monitoring_line: 6000")
        return {}
    return data


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _shown(value: Any) -> str:
    kind = "文字" if isinstance(value, str) else "是/否" if isinstance(value, bool) else type(value).__name__
    return f"「{value}」（{kind}）"


def _check_value(key: str, value: Any, where: str, problems: list[str]) -> Any:
    """The value if it is valid for ``key``; otherwise a problem is recorded and None returned."""
    label = f"{where}：{key}（{DESCRIPTIONS[key]}）"
    if value is None and key == "mechanism":
        return None
    if value is None:
        if key not in COUNTY_KEYS:
            problems.append(f"{label} 不能为空")
        return None
    if key == "severity":
        return _check_severity(value, label, problems)
    if key == "mechanism":
        if value is None or str(value).strip() in MECHANISMS:
            return None if value is None else str(value).strip()
        problems.append(f"{label} 只能写 2020 或 2021（不写则按判断日期：2021年1月1日以后为 2021），"
                        f"这里是{_shown(value)}")
        return None
    if key in BY_YEAR and isinstance(value, dict):
        table = []
        for year, amount in value.items():
            ok_year = isinstance(year, int) and 2000 <= year <= 2100
            if not ok_year or not _is_number(amount) or amount <= 0:
                problems.append(f"{label} 的 {year} 年应写成“年份: 金额”，如 2023: 7500，这里是「{year}: {amount}」")
                continue
            table.append((int(year), amount))
        return tuple(sorted(table)) if len(table) == len(value) and table else None
    if key == "rectification_deadline":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        parts = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", value) if isinstance(value, str) else None
        if parts:
            try:
                return date(*(int(p) for p in parts.groups()))
            except ValueError:
                pass
        shown = f"「{value}」" if isinstance(value, str) else _shown(value)
        problems.append(f"{label} 应为日期，写成 2020-05-10 的样子，这里是{shown}")
        return None
    if not _is_number(value):
        problems.append(f"{label} 应为数字（不带单位和逗号），这里是{_shown(value)}")
        return None
    if key in _COUNTS:
        if float(value) != int(value):
            problems.append(f"{label} 应为整数，这里是「{value}」")
            return None
        value = int(value)
    if key in ("scale_target", "income_drop_threshold"):
        low_ok = value > 0 if key == "scale_target" else value >= 0
        if not low_ok or value > 1:
            bounds = "大于 0、不大于 1" if key == "scale_target" else "在 0 到 1 之间"
            problems.append(f"{label} 是比例，应{bounds}（如 0.5），这里是「{value}」")
            return None
        return value
    if value < 0:
        problems.append(f"{label} 不能为负数，这里是「{value}」")
        return None
    if value == 0:
        problems.append(f"{label} 应大于 0")
        return None
    return value


def _check_severity(value: Any, label: str, problems: list[str]) -> tuple[tuple[str, str], ...] | None:
    """``{rule id: error | warning | information}`` (or 问题、提醒、提示); ``rule id:part`` for a part of a rule."""
    from .basis import BASES

    if value in ({}, ()):
        return ()
    if not isinstance(value, dict):
        problems.append(f"{label} 应写成“规则编号: 级别”的列表，如\n      severity:\n"
                        "        monitor.no_responsible: error")
        return None
    out, ok = [], True
    for raw_rule, raw_level in value.items():
        rule_id, level = str(raw_rule), _SEVERITIES.get(str(raw_level).strip())
        if rule_id not in BASES:
            close = difflib.get_close_matches(rule_id, list(BASES), n=1, cutoff=0.6)
            hint = f"，是不是要写「{close[0]}」？" if close else "，规则编号见网站“检查规则”页"
            problems.append(f"{label} 中不认识的规则「{rule_id}」{hint}")
            ok = False
        if level is None:
            problems.append(f"{label} 中「{rule_id}」的级别「{raw_level}」不对，只能写 error、warning、information"
                            "（或 问题、提醒、提示）")
            ok = False
        if ok:
            out.append((rule_id, level))
    return tuple(out) if ok else None


def _merge(data: dict[Any, Any], where: str, merged: dict[str, Any], problems: list[str]) -> None:
    for raw_key, value in data.items():
        key = str(raw_key)
        if key == "aliases":  # the county's header spellings: the register's (tracker.register.county_aliases)
            continue
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
            hint = f"，是不是要写「{close[0]}」？" if close else f"。可用的参数：{'、'.join(KEYS)}"
            problems.append(f"{where}：不认识的参数「{key}」{hint}")
            continue
        merged[key] = _check_value(key, value, where, problems)


def _side_by_side(one: Any, other: Any) -> list[tuple[int | None, float, float]]:
    """(year or None, value, other value) wherever both amounts are known for the same year (a plain number stands
    for every year)."""
    def table(value: Any) -> dict[int | None, float]:
        return dict(value) if isinstance(value, tuple) else {None: value} if _is_number(value) else {}

    a, b = table(one), table(other)
    years = sorted({y for y in (*a, *b) if y is not None}) or [None]
    out = []
    for year in years:
        x, y = a.get(year, a.get(None)), b.get(year, b.get(None))
        if x is not None and y is not None:
            out.append((year, x, y))
    return out


def load_policy(path: Path | None = None) -> Policy:
    """The defaults of ``schemas/policy.yaml``, with the county file ``path`` (if given) merged over them."""
    problems: list[str] = []
    default_path = resource("schemas") / "policy.yaml"
    merged: dict[str, Any] = {}
    defaults = _read(default_path, problems)
    _merge(defaults, DEFAULT_FILE_LABEL, merged, problems)
    for key in KEYS:
        if key not in defaults and key not in _OPTIONAL_KEYS:
            problems.append(f"{DEFAULT_FILE_LABEL}：缺少参数 {key}（{DESCRIPTIONS[key]}）")
    if path is not None:
        override = _read(Path(path), problems)
        _merge(override, str(path), merged, problems)
    monitoring, poverty = merged.get("monitoring_line"), merged.get("poverty_line")
    for year, line, floor in _side_by_side(monitoring, poverty):
        if line < floor:
            when = f"{year} 年的" if year else ""
            problems.append(f"{when}监测标准 monitoring_line（{line}）不应低于国家扶贫标准 poverty_line（{floor}）")
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"政策参数有 {len(problems)} 处错误，请修改后重试：\n{listing}")
    by_year = tuple((key, merged[key]) for key in BY_YEAR if isinstance(merged.get(key), tuple))
    for key, table in by_year:  # until on(day) picks the day's year: the table's first year
        merged[key] = table[0][1]
    values = {key: merged[key] for key in KEYS if merged.get(key) is not None or key in COUNTY_KEYS}
    return Policy(**{**values, "by_year": by_year, "path": None if path is None else str(path)})
