"""The register contract, read from ``schemas/register.yaml`` and checked in one place.

Every problem in the YAML is collected and reported together (like mkdocs' config validation), so a
county editing the file sees all its mistakes at once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from tracker.common import ConfigError, resource

COLUMN_TYPES = ("text", "integer", "number", "date", "enum", "multi", "bool", "id_number", "phone", "code")
_COLUMN_KEYS = {"key", "header", "aliases", "type", "required", "values", "min", "max", "digits", "help", "roles",
                "synonyms"}
_TAB_KEYS = {"key", "name", "required", "rows_required", "columns", "unique", "unique_across", "references",
             "date_order"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    digits: int | None = None
    help: str = ""
    roles: tuple[tuple[str, str], ...] = ()  # (allowed value, the role rules know it by)
    synonyms: tuple[tuple[str, str], ...] = ()  # (another spelling counties use, the allowed value it stands for)

    @cached_property
    def role_of(self) -> dict[str, str]:
        """Allowed value -> its role (rules read roles, never values: tracker.rules.context)."""
        return dict(self.roles)

    def values_with(self, *roles: str) -> tuple[str, ...]:
        """The allowed values whose role is one of ``roles``."""
        return tuple(v for v, r in self.roles if r in roles)

    @cached_property
    def canonical(self) -> dict[str, str]:
        """Spelling (folded as cells are: NFKC, no surrounding spaces) -> the allowed value it stands for."""
        return {fold_value(s): v for s, v in self.synonyms}


def fold_value(text: str) -> str:
    """A value as the cell parsers leave it: NFKC, no surrounding spaces."""
    return unicodedata.normalize("NFKC", str(text)).strip()


@dataclass(frozen=True)
class Unique:
    columns: tuple[str, ...]
    report: str


@dataclass(frozen=True)
class UniqueAcross:
    """Values of ``columns`` must not appear in ``tab_columns`` of another tab (``tab``), except on a row of that
    tab whose ``allow_same`` columns (other tab's keys) equal this row's (this tab's keys): e.g. a member's
    身份证号 may be the 户主身份证号 of the member's own household, not of another one."""

    columns: tuple[str, ...]
    tab: str
    tab_columns: tuple[str, ...]
    report: str
    allow_same: tuple[tuple[str, str], ...] = ()  # (column of this tab, column of the other tab)


@dataclass(frozen=True)
class Reference:
    columns: tuple[str, ...]
    tab: str
    report: str


@dataclass(frozen=True)
class DateOrder:
    start: str
    end: str


@dataclass(frozen=True)
class Tab:
    key: str
    name: str
    required: bool
    columns: tuple[Column, ...]
    rows_required: bool = False  # a register whose tab has no data rows cannot be judged (households, villages)
    unique: tuple[Unique, ...] = ()
    references: tuple[Reference, ...] = ()
    date_order: tuple[DateOrder, ...] = ()
    unique_across: tuple[UniqueAcross, ...] = ()

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


@dataclass(frozen=True)
class Contract:
    version: int
    tabs: tuple[Tab, ...]

    def tab(self, key: str) -> Tab:
        for tab in self.tabs:
            if tab.key == key:
                return tab
        raise KeyError(key)


def normalize_label(text: str) -> str:
    """Fold a header or tab name so that width, bracket style, spaces and the 号码/号 alias don't matter."""
    folded = unicodedata.normalize("NFKC", str(text))
    folded = "".join(ch for ch in folded if not ch.isspace())
    folded = folded.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")
    return folded.replace("身份证号码", "身份证号").lower()


def header_forms(col: Column) -> set[str]:
    """Every normalized spelling that names this column, including the form without a unit suffix."""
    forms = {normalize_label(col.header), *(normalize_label(a) for a in col.aliases)}
    for form in list(forms):
        if form.endswith("(元)"):
            forms.add(form[: -len("(元)")])
    return forms


def _check_column(raw: Any, where: str, problems: list[str]) -> Column | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}：应为一个含 key、header、type 的条目")
        return None
    for unknown in sorted(set(raw) - _COLUMN_KEYS):
        problems.append(f"{where}：不认识的字段「{unknown}」（可用的字段：{'、'.join(sorted(_COLUMN_KEYS))}）")
    before = len(problems)
    for needed in ("key", "header", "type"):
        if not raw.get(needed):
            problems.append(f"{where}：缺少「{needed}」")
    ctype = raw.get("type")
    if ctype and ctype not in COLUMN_TYPES:
        problems.append(f"{where}：type「{ctype}」无效，应为 {'、'.join(COLUMN_TYPES)} 之一")
    values = raw.get("values") or []
    if ctype in ("enum", "multi") and not values:
        problems.append(f"{where}：{ctype} 类型的列必须给出 values")
    if ctype == "code" and not isinstance(raw.get("digits"), int):
        problems.append(f"{where}：code 类型的列必须给出整数 digits")
    for bound in ("min", "max"):
        if raw.get(bound) is not None and not isinstance(raw[bound], int | float):
            problems.append(f"{where}：{bound} 必须是数字")
    if not all(isinstance(v, str | int) for v in values):
        problems.append(f"{where}：values 里只能写文字")
    roles, synonyms = raw.get("roles") or {}, raw.get("synonyms") or {}
    allowed = {str(v) for v in values}
    if not isinstance(roles, dict) or not isinstance(synonyms, dict):
        problems.append(f"{where}：roles 写成「取值: 角色」，synonyms 写成「别的写法: 取值」")
        roles, synonyms = {}, {}
    if not allowed:  # (already reported: an enum without values)
        roles, synonyms = {}, {}
    for value in roles:
        if str(value) not in allowed:
            problems.append(f"{where}：roles 里的「{value}」不在 values 中")
    for spelling, value in synonyms.items():
        if str(value) not in allowed:
            problems.append(f"{where}：synonyms 里「{spelling}」对应的「{value}」不在 values 中")
        if str(spelling) in allowed:
            problems.append(f"{where}：synonyms 里的「{spelling}」本身就是允许的取值，不必再写")
    if len(problems) > before:
        return Column(key=str(raw.get("key") or ""), header=str(raw.get("header") or ""), type="text") \
            if raw.get("key") else None
    return Column(
        key=str(raw["key"]),
        header=str(raw["header"]),
        type=str(ctype),
        required=bool(raw.get("required", False)),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        values=tuple(str(v) for v in values),
        min=raw.get("min"),
        max=raw.get("max"),
        digits=raw.get("digits"),
        help=str(raw.get("help") or ""),
        roles=tuple((str(v), str(r)) for v, r in roles.items()),
        synonyms=tuple((str(s), str(v)) for s, v in synonyms.items()),
    )


def _check_tab(raw: Any, where: str, problems: list[str]) -> Tab | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}：应为一个含 key、name、columns 的条目")
        return None
    for unknown in sorted(set(raw) - _TAB_KEYS):
        problems.append(f"{where}：不认识的字段「{unknown}」")
    name = raw.get("name") or raw.get("key") or "?"
    columns = []
    for i, col in enumerate(raw.get("columns") or []):
        checked = _check_column(col, f"{where}（{name}）第 {i + 1} 列", problems)
        if checked:
            columns.append(checked)
    if not raw.get("columns"):
        problems.append(f"{where}（{name}）：没有 columns")
    keys = [c.key for c in columns]
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"{where}（{name}）：列 key「{dup}」重复")

    def known(key: str, what: str) -> str:
        if key not in keys:
            problems.append(f"{where}（{name}）：{what} 引用了不存在的列「{key}」")
        return str(key)

    unique = tuple(
        Unique(tuple(known(c, "unique") for c in u.get("columns", [])), known(u.get("report", ""), "unique"))
        for u in raw.get("unique") or []
    )
    references = tuple(
        Reference(
            tuple(known(c, "references") for c in r.get("columns", [])),
            str(r.get("tab", "")),
            known(r.get("report", ""), "references"),
        )
        for r in raw.get("references") or []
    )
    date_order = tuple(
        DateOrder(known(d.get("start", ""), "date_order"), known(d.get("end", ""), "date_order"))
        for d in raw.get("date_order") or []
    )
    unique_across = []
    for u in raw.get("unique_across") or []:
        if not isinstance(u, dict) or not isinstance(u.get("allow_same") or {}, dict):
            problems.append(f"{where}（{name}）：unique_across 的每一项应含 columns、tab、tab_columns、report，"
                            "allow_same 写成「本表列: 对方表列」")
            continue
        same = tuple((known(str(mine), "unique_across"), str(theirs))
                     for mine, theirs in (u.get("allow_same") or {}).items())
        unique_across.append(UniqueAcross(tuple(known(c, "unique_across") for c in u.get("columns", [])),
                                          str(u.get("tab", "")), tuple(str(c) for c in u.get("tab_columns", [])),
                                          known(u.get("report", ""), "unique_across"), same))
    if not raw.get("key") or not raw.get("name"):
        problems.append(f"{where}：缺少 key 或 name")
        return None
    return Tab(
        key=str(raw["key"]),
        name=str(raw["name"]),
        required=bool(raw.get("required", True)),
        columns=tuple(columns),
        rows_required=bool(raw.get("rows_required", False)),
        unique=unique,
        references=references,
        date_order=date_order,
        unique_across=tuple(unique_across),
    )


def parse_contract(data: Any, origin: str) -> Contract:
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("tabs"), list):
        raise ConfigError(f"名册契约 {origin} 格式不对：顶层需要 version 和 tabs 列表。")
    tabs = [t for i, raw in enumerate(data["tabs"]) if (t := _check_tab(raw, f"第 {i + 1} 个工作表", problems))]
    tab_keys = {t.key for t in tabs}
    for tab in tabs:
        for ref in tab.references:
            if ref.tab not in tab_keys:
                problems.append(f"工作表「{tab.name}」：references 指向不存在的工作表「{ref.tab}」")
        for across in tab.unique_across:
            other = next((t for t in tabs if t.key == across.tab), None)
            if other is None:
                problems.append(f"工作表「{tab.name}」：unique_across 指向不存在的工作表「{across.tab}」")
                continue
            if len(across.tab_columns) != len(across.columns) or not across.columns:
                problems.append(f"工作表「{tab.name}」：unique_across 的 columns 和 tab_columns 应一一对应")
            other_keys = {c.key for c in other.columns}
            for key in (*across.tab_columns, *(theirs for _, theirs in across.allow_same)):
                if key not in other_keys:
                    problems.append(f"工作表「{tab.name}」：unique_across 引用了工作表「{other.name}」"
                                    f"中不存在的列「{key}」")
    if problems:
        problems = list(dict.fromkeys(problems))
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"名册契约 {origin} 有 {len(problems)} 处错误，请修改后重试：\n{listing}")
    return Contract(version=int(data.get("version", 1)), tabs=tuple(tabs))


def load_contract(path: Path | None = None) -> Contract:
    """Load and check a contract file (default: the project's ``schemas/register.yaml``)."""
    if path is None:
        return _default_contract()
    return _load(path)


def _load(path: Path) -> Contract:
    try:
        # libyaml's loader when installed (the contract is read by every command: ~10x faster), else PyYAML's
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise ConfigError(f"无法读取名册契约文件 {path}：{exc.strerror}。") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"名册契约文件 {path} 不是有效的 YAML：{exc}") from exc
    return parse_contract(data, str(path))


@cache
def _default_contract() -> Contract:
    return _load(resource("schemas") / "register.yaml")
