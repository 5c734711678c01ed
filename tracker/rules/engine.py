"""Evaluate every rule of the registry over a validated register, as of a date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..findings import Finding
from ..gc_pause import paused_gc
from ..policy import DEFAULT_FILE_LABEL, DESCRIPTIONS, Policy
from ..validate import ValidatedRegister
from . import assistance, procedure, relief, scope, status
from .context import FINDING_COLUMNS, Context
from .facts import CountyFacts, HouseholdFacts, compute_facts, county_facts
from .registry import RULES, rule

Check = Callable[[Context, HouseholdFacts], pd.DataFrame]

CHECKS: dict[str, Check] = {**scope.CHECKS, **procedure.CHECKS, **assistance.CHECKS, **relief.CHECKS,
                            **status.CHECKS}


@dataclass(frozen=True)
class Skipped:
    """One unset policy key, reported once, with the rules (or parts of rules) it kept from running."""

    key: str
    rules: tuple[str, ...]  # rules not evaluated at all
    partly: tuple[str, ...]  # rules evaluated without the part that needs the key
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "rules": list(self.rules), "partly": list(self.partly), "message": self.message}


@dataclass(frozen=True, eq=False)
class RuleOutcome:
    as_of: date
    policy: Policy
    findings: tuple[Finding, ...]  # sorted by township, village, row, rule
    skipped: tuple[Skipped, ...]
    facts: HouseholdFacts  # by 监测户 row
    county: CountyFacts
    warnings: Any = None  # a tracker.rules.warnings.WarningOutcome when department lists were matched

    @property
    def skipped_rules(self) -> frozenset[str]:
        """Rules that did not run at all."""
        return frozenset(r for s in self.skipped for r in s.rules)

    def counts(self) -> dict[str, Any]:
        by_severity = {"error": 0, "warning": 0, "information": 0}
        by_rule: dict[str, dict[str, int]] = {}
        for f in self.findings:
            by_severity[f.severity] += 1
            per = by_rule.setdefault(f.rule, {})
            per[f.severity] = per.get(f.severity, 0) + 1
        order = {spec.id: i for i, spec in enumerate(RULES)}
        return {"findings": len(self.findings), "by_severity": by_severity,
                "by_rule": dict(sorted(by_rule.items(), key=lambda kv: order[kv[0]])),
                "skipped_rules": sorted(self.skipped_rules, key=order.__getitem__)}


def _skipped(policy: Policy) -> tuple[Skipped, ...]:
    out: list[Skipped] = []
    for key in dict.fromkeys(k for spec in RULES for k in spec.needs):
        if getattr(policy, key) is not None:
            continue
        whole = tuple(spec.id for spec in RULES if key in spec.whole_needs)
        partly = tuple(spec.id for spec in RULES if key in spec.part_needs and spec.id not in whole)
        what = []
        if whole:
            what.append(f"已跳过规则 {'、'.join(whole)}")
        what.extend(f"规则 {r} 中{rule(r).part}未检查" for r in partly)
        message = (f"未设置 {key}（{DESCRIPTIONS[key]}），{'；'.join(what)}。请在 {DEFAULT_FILE_LABEL}"
                   f"（或用 --policy 指定的参数文件）里写上“{key}: 本县的值”。")
        out.append(Skipped(key, whole, partly, message))
    return tuple(out)


def _findings(frames: list[pd.DataFrame]) -> tuple[Finding, ...]:
    """Finding objects of all rules, sorted stably by township, village, row, rule (county-wide first)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return ()
    columns = {c: np.concatenate([f[c].to_numpy(dtype=object) for f in frames]) for c in FINDING_COLUMNS}
    columns["row"] = np.array([r for f in frames for r in f["row"].tolist()], dtype=object)  # Python ints
    row_key = np.array([-1 if r is None else r for r in columns["row"]], dtype=np.int64)
    township, village, rule_id = (pd.factorize(columns[c], sort=True)[0] for c in ("township", "village", "rule"))
    order = np.lexsort((rule_id, row_key, village, township))  # None (code -1) sorts first
    fields = [columns[c][order].tolist() for c in FINDING_COLUMNS]
    with paused_gc():
        return tuple(Finding(rule=r, severity=s, message=m, next_action=a, household=h, township=t, village=v,
                             sheet=sh, row=row)
                     for r, s, m, a, h, t, v, sh, row in zip(*fields, strict=True))


def evaluate(validated: ValidatedRegister, policy: Policy, as_of: date) -> RuleOutcome:
    """All findings of the register as of ``as_of``; rules needing an unset county value are skipped."""
    ctx = Context.build(validated, policy, as_of)
    facts = compute_facts(ctx)
    frames = []
    for spec in RULES:
        if spec.source != "register" or policy.missing(spec.whole_needs):
            continue
        frame = CHECKS[spec.id](ctx, facts)
        frame.insert(0, "rule", spec.id)
        if "severity" not in frame:
            frame.insert(1, "severity", spec.severity)
        frames.append(frame)
    return RuleOutcome(as_of, policy, _findings(frames), _skipped(policy), facts, county_facts(ctx))
