"""A county's own header spellings, added to the contract from its policy file (``aliases:``), not the package.

The national system's exports and each county's own sheets spell some headers their own way. The contract
(``schemas/register.yaml``) lists the common spellings; a county adds its own in the policy file it already keeps
(``--policy``), without touching the package::

    aliases:
      监测户:                      # the tab, by its name (or key)
        户主身份证号: [户主身份证件号码]   # the column, by its header (or key): more spellings
        家庭人口数: 户人口数

Every problem (an unknown tab or column, an empty spelling, a spelling another column of the tab already has) is
reported at once, with the file, before anything is read.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from tracker.common import ConfigError

from .contract import Column, Contract, Tab, header_forms, normalize_label

SECTION = "aliases"


def _tab(contract: Contract, name: str) -> Tab | None:
    wanted = normalize_label(name)
    return next((t for t in contract.tabs if name == t.key or wanted == normalize_label(t.name)), None)


def _column(tab: Tab, name: str) -> Column | None:
    return next((c for c in tab.columns if name == c.key or normalize_label(name) in header_forms(c)), None)


def with_aliases(contract: Contract, section: Any, origin: str) -> Contract:
    """``contract`` with the spellings of a policy file's ``aliases:`` section added (ConfigError lists every
    problem)."""
    if section is None:
        return contract
    problems: list[str] = []
    if not isinstance(section, dict):
        raise ConfigError(f"{origin}：aliases 应写成“工作表: {{列: [别名, …]}}”。")
    added: dict[tuple[str, str], list[str]] = {}
    for tab_name, columns in section.items():
        tab = _tab(contract, str(tab_name))
        if tab is None:
            names = "、".join(t.name for t in contract.tabs)
            problems.append(f"aliases 里的工作表「{tab_name}」不在名册契约中（可用：{names}）")
            continue
        if not isinstance(columns, dict):
            problems.append(f"aliases 里「{tab_name}」下应写成“列: [别名, …]”")
            continue
        taken = {form: col.key for col in tab.columns for form in header_forms(col)}
        for column_name, spellings in columns.items():
            col = _column(tab, str(column_name))
            if col is None:
                problems.append(f"aliases 里「{tab_name}」没有列「{column_name}」"
                                f"（请写表头，如「{tab.columns[0].header}」）")
                continue
            for spelling in [spellings] if isinstance(spellings, str) else list(spellings or ()):
                text = str(spelling).strip()
                owner = taken.get(normalize_label(text))
                if not text:
                    problems.append(f"aliases 里「{tab_name}」「{column_name}」有一个空的别名")
                elif owner is not None and owner != col.key:
                    problems.append(f"aliases 里「{tab_name}」「{column_name}」的别名「{text}」已经是"
                                    f"「{tab.column(owner).header}」列的写法，不能再给另一列")
                else:
                    added.setdefault((tab.key, col.key), []).append(text)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"{origin} 的表头别名有 {len(problems)} 处错误，请修改后重试：\n{listing}")
    tabs = tuple(replace(tab, columns=tuple(replace(col, aliases=(*col.aliases, *added.get((tab.key, col.key), ())))
                                            for col in tab.columns)) for tab in contract.tabs)
    return replace(contract, tabs=tabs)


def county_contract(policy_file: str | Path | None, contract: Contract | None = None) -> Contract | None:
    """The contract with the county's aliases from its policy file (None: no file, or no ``aliases:`` in it)."""
    if policy_file is None:
        return None
    import yaml

    from .contract import load_contract

    path = Path(policy_file)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # (the policy loader reports an unreadable file in its own words)
    if not isinstance(data, dict) or data.get(SECTION) is None:
        return None
    return with_aliases(contract or load_contract(), data[SECTION], str(path))
