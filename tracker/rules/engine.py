"""Evaluate every rule of the registry over a validated register, as of a date."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.rules import assistance, identification, procedure, relief, scope, status
from tracker.validate import ValidatedRegister

from .basis import BASES
from .context import FINDING_COLUMNS, Context, Findings, FindingsFrame
from .facts import CountyFacts, HouseholdFacts, compute_facts, county_facts
from .findings import Finding, FindingList, Pending
from .policy import BY_YEAR, DEFAULT_FILE_LABEL, DESCRIPTIONS, Policy
from .registry import RULES, rule

Check = Callable[[Context, HouseholdFacts], Findings]

CHECKS: dict[str, Check] = {**scope.CHECKS, **procedure.CHECKS, **assistance.CHECKS, **relief.CHECKS,
                            **status.CHECKS, **identification.CHECKS}


@dataclass(frozen=True)
class Skipped:
    """One unset policy key, reported once, with the rules (or parts of rules) it kept from running."""

    key: str
    rules: tuple[str, ...]  # rules not evaluated at all
    partly: tuple[str, ...]  # rules evaluated without the part that needs the key
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "rules": list(self.rules), "partly": list(self.partly), "message": self.message}


@dataclass(frozen=True)
class Blind:
    """A required column the register does not have, and the rules that could not be run without it."""

    tab: str
    header: str  # "" when the whole tab is missing (a national export without it)
    rules: tuple[str, ...]

    @property
    def message(self) -> str:
        titles = "、".join(f"{rule(r).title}（{r}）" for r in self.rules)
        if not self.header:
            return (f"以下规则因名册没有「{self.tab}」工作表（从全国系统导出的表里没有这一页）未检查：{titles}。"
                    f"如需检查，请在工作簿里加一个按模板填写的「{self.tab}」工作表。")
        return (f"以下规则因名册缺少列「{self.header}」（{self.tab}工作表）未检查：{titles}。"
                "请在表头加上这一列并填写，否则这些问题查不出来。")

    def as_dict(self) -> dict[str, Any]:
        return {"tab": self.tab, "column": self.header, "rules": list(self.rules), "message": self.message}


@dataclass(frozen=True, eq=False)
class RuleOutcome:
    as_of: date
    policy: Policy
    findings: Sequence[Finding]  # sorted by township, village, row, rule (a FindingList, or a tuple)
    skipped: tuple[Skipped, ...]
    facts: HouseholdFacts  # by 监测户 row
    county: CountyFacts
    warnings: Any = None  # a tracker.rules.warnings.WarningOutcome when department lists were matched
    blind: tuple[Blind, ...] = ()  # required columns missing, and the rules not run for want of them

    @property
    def skipped_rules(self) -> frozenset[str]:
        """Rules that did not run at all."""
        return frozenset(r for s in self.skipped for r in s.rules)

    def counts(self) -> dict[str, Any]:
        by_severity = {"error": 0, "warning": 0, "information": 0}
        by_rule: dict[str, dict[str, int]] = {}
        for (rule_id, severity), n in _pairs(self.findings).items():
            by_severity[severity] += n
            per = by_rule.setdefault(rule_id, {})
            per[severity] = per.get(severity, 0) + n
        order = {spec.id: i for i, spec in enumerate(RULES)}
        return {"findings": len(self.findings), "by_severity": by_severity,
                "by_rule": dict(sorted(by_rule.items(), key=lambda kv: order[kv[0]])),
                "skipped_rules": sorted(self.skipped_rules, key=order.__getitem__),
                "blind_rules": sorted({r for b in self.blind for r in b.rules}, key=order.__getitem__)}


def _pairs(findings: Sequence[Finding]) -> Counter[tuple[str, str]]:
    """How many findings of each (rule, severity), in order of first appearance."""
    if isinstance(findings, FindingList):
        return Counter(zip(findings.column("rule").tolist(), findings.column("severity").tolist(), strict=True))
    return Counter((f.rule, f.severity) for f in findings)


def _skipped(policy: Policy, as_of: date) -> tuple[Skipped, ...]:
    out: list[Skipped] = []
    rules = [spec for spec in RULES if policy.mechanism in spec.mechanisms]
    for key in dict.fromkeys(k for spec in rules for k in spec.needs):
        if getattr(policy, key) is not None:
            continue
        whole = tuple(spec.id for spec in rules if key in spec.whole_needs)
        partly = tuple(spec.id for spec in rules if key in spec.part_needs and spec.id not in whole)
        what = []
        if whole:
            what.append(f"已跳过规则 {'、'.join(whole)}")
        what.extend(f"规则 {r} 中{rule(r).part}未检查" for r in partly)
        if key in BY_YEAR:  # a table by year without the as-of date's year: each province sets its own every year
            message = (f"未设置 {as_of.year} 年的 {key}（{DESCRIPTIONS[key]}），{'；'.join(what)}。"
                       f"{as_of.year} 年的标准由省里确定，程序不猜。"
                       + _where(policy, f"的 {key} 下加一行“{as_of.year}: 本省当年的标准”"))
        else:
            message = (f"未设置 {key}（{DESCRIPTIONS[key]}），{'；'.join(what)}。"
                       + _where(policy, f"里写上“{key}: 本县的值”"))
        out.append(Skipped(key, whole, partly, message))
    return tuple(out)


def _where(policy: Policy, what: str) -> str:
    """Where to set an unset value: the policy file actually used (``--policy``), or, when only the defaults were
    read, a county file to pass with ``--policy``."""
    if policy.path:
        return f"请在 --policy 指定的参数文件 {policy.path} {what}。"
    return (f"没有用 --policy 指定参数文件，只用了程序自带的默认值 {DEFAULT_FILE_LABEL}：请在本县的参数文件{what}，"
            "检查时用 --policy 指定这个文件。")


def _set_severity(frame: Findings, rule_id: str, default: str, policy: Policy) -> None:
    """The severity of each finding: the rule's, or its part's (``id:part``, tracker.rules.basis), unless the
    county's policy file sets another. A finding a rule gave another severity itself (scale.share within range:
    information) keeps it."""
    get = (lambda name: frame.columns[name]) if isinstance(frame, FindingsFrame) else (
        lambda name: frame[name].to_numpy(dtype=object))
    parts = get("basis")
    severity = get("severity").copy()
    changed = False
    for part in {str(p) for p in parts}:
        key = f"{rule_id}:{part}" if part else rule_id
        own = BASES[key].severity or default if part else default
        wanted = policy.severity_of(key, own)
        at = (parts == part) & ((severity == default) if not part else True)
        if wanted != default and at.any():
            severity[at] = wanted
            changed = True
    if changed:
        if isinstance(frame, FindingsFrame):
            frame.columns["severity"] = severity
        else:
            frame["severity"] = severity


def _columns(frame: pd.DataFrame | FindingsFrame) -> dict[str, Any]:
    """The columns of a rule's findings as object arrays (the row as int64 when every finding has one)."""
    if isinstance(frame, FindingsFrame):  # its text columns hold None for no value, by construction
        return {**frame.columns, "message": frame.messages}
    out: dict[str, Any] = {c: _text(frame[c].to_numpy(dtype=object)) for c in frame.columns if c != "row"}
    out["row"] = frame["row"].to_numpy(dtype=np.int64) if frame["row"].dtype.kind in "iu" else frame["row"].tolist()
    return out


def _text(values: np.ndarray) -> np.ndarray:
    """A text column of a rule's DataFrame with None for every missing value (a DataFrame reads them as NaN)."""
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values


def _findings(frames: list[pd.DataFrame | FindingsFrame]) -> FindingList:
    """Findings of all rules, sorted stably by township, village, row, rule (county-wide first)."""
    parts = [_columns(f) for f in frames if len(f)]
    if not parts:
        return FindingList({c: np.empty(0, dtype=object) for c in (*FINDING_COLUMNS, "basis")})
    columns: dict[str, Any] = {c: np.concatenate([p[c] for p in parts]) for c in (*FINDING_COLUMNS, "basis")
                               if c not in ("message", "row")}
    # messages a rule left pending (Context.household_findings): made when the findings are read
    messages = [p["message"] for p in parts]
    rows, keys = [], []  # Python ints (None for county-wide findings); the same as int64 (-1 for None)
    for p in parts:
        if isinstance(p["row"], np.ndarray):
            keys.append(p["row"])
            rows.append(p["row"].astype(object))
        else:
            keys.append(np.array([-1 if r is None else r for r in p["row"]], dtype=np.int64))
            rows.append(np.empty(len(p["row"]), dtype=object))
            rows[-1][:] = p["row"]
    columns["row"], row_key = np.concatenate(rows), np.concatenate(keys)
    township, village = (pd.factorize(columns[c], sort=True)[0] for c in ("township", "village"))
    rank = {r: i for i, r in enumerate(sorted({str(p["rule"][0]) for p in parts}))}  # one rule per frame
    rule_id = np.repeat([rank[str(p["rule"][0])] for p in parts], [len(p["rule"]) for p in parts])
    order = np.lexsort((rule_id, row_key, village, township))  # None (code -1) sorts first
    columns["message"] = Pending(messages, order)
    return FindingList(columns, order)  # put in order column by column, when asked for


def evaluate(validated: ValidatedRegister, policy: Policy, as_of: date) -> RuleOutcome:
    """All findings of the register as of ``as_of`` under the mechanism in force then (the policy file's, or the
    date's); rules needing an unset county value, or a column the register lacks, are skipped and said so."""
    policy = policy.on(as_of)
    ctx = Context.build(validated, policy, as_of)
    facts = compute_facts(ctx)
    missing = _missing_columns(validated)
    frames = []
    for spec in RULES:
        if (spec.source != "register" or policy.mechanism not in spec.mechanisms or policy.missing(spec.whole_needs)
                or missing.intersection(spec.reads)):
            continue
        frame = CHECKS[spec.id](ctx, facts)
        frame.insert(0, "rule", spec.id)
        if "severity" not in frame:
            frame.insert(1, "severity", spec.severity)
        if "basis" not in frame:
            frame.insert(len(frame.columns), "basis", "")
        _set_severity(frame, spec.id, spec.severity, policy)
        frames.append(frame)
    return RuleOutcome(as_of, policy, _findings(frames), _skipped(policy, as_of), facts, county_facts(ctx),
                       blind=_blind(validated, missing))


def _missing_columns(validated: ValidatedRegister) -> set[str]:
    """Required columns of the register's tabs that it does not have: ``key`` (监测户) or ``tab.key``."""
    out = set()
    absent = validated.shape.absent_tabs if validated.shape is not None else ()
    if validated.shape is not None:  # columns a national export never has (a wide measures sheet's dates)
        out.update(f"{tab}.{col}" if tab != "households" else col for tab, col in validated.shape.absent_columns)
    for key, table in validated.tables.items():
        if not table.present and key in absent:  # an export without this tab: the rules reading it cannot run
            out.update(f"{key}.{col.key}" for col in table.tab.columns if col.required)
        if not table.present:
            continue
        for col in table.tab.columns:
            if col.required and col.key not in table.headers:
                out.add(col.key if key == "households" else f"{key}.{col.key}")
    return out


def _blind(validated: ValidatedRegister, missing: set[str]) -> tuple[Blind, ...]:
    out = []
    absent = validated.shape.absent_tabs if validated.shape is not None else ()
    for tab_key in absent:  # a whole tab: said once
        names = {m for m in missing if m.startswith(f"{tab_key}.")}
        rules = tuple(spec.id for spec in RULES if names.intersection(spec.reads))
        if rules:
            out.append(Blind(validated.tables[tab_key].tab.name, "", rules))
    for name in sorted(missing, key=lambda m: (m.count("."), m)):
        tab_key, _, key = name.rpartition(".")
        if tab_key in absent:
            continue
        table = validated.tables[tab_key or "households"]
        rules = tuple(spec.id for spec in RULES if name in spec.reads)
        if rules:
            out.append(Blind(table.tab.name, table.tab.column(key).header, rules))
    return tuple(out)
