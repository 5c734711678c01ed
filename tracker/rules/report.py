"""The ``tracker check`` report: text for a county clerk (by township and village), or JSON for scripts.

Validation errors are not repeated here: only their count, pointing to ``tracker validate``.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

from tracker.validate import ValidatedRegister

from .basis import basis
from .engine import RuleOutcome
from .findings import SEVERITY_LABEL, Finding, FindingList
from .policy import DEFAULT_FILE_LABEL
from .registry import rule
from .wording import cn_date, count, pct, yuan


def exit_code(outcome: RuleOutcome) -> int:
    """0 when no finding has severity error, every rule could be run and every warning list read; 1 otherwise (a
    register without a required column must never read as "no problems" to a script)."""
    if outcome.blind or (outcome.warnings is not None and outcome.warnings.lists.unreadable):
        return 1  # (a list that could not be read is a gap, as a rule that could not run)
    if isinstance(outcome.findings, FindingList):
        return 1 if "error" in set(outcome.findings.column("severity").tolist()) else 0
    return 1 if any(f.severity == "error" for f in outcome.findings) else 0


def summary(validated: ValidatedRegister, outcome: RuleOutcome) -> dict[str, Any]:
    households = validated.tables["households"].values
    out = {**outcome.counts(), "validation_errors": len(validated.errors), "households": len(households),
           "monitored_households": outcome.county.monitored_households}
    if outcome.warnings is not None:  # department lists were matched (--warnings): their files, matches, errors
        out["warning_lists"] = outcome.warnings.summary()
    return out


def check_json(validated: ValidatedRegister, outcome: RuleOutcome) -> str:
    payload = {
        "as_of": outcome.as_of.isoformat(),
        "policy": outcome.policy.as_dict(),
        "policy_file": outcome.policy.path,  # null: only the defaults (schemas/policy.yaml)
        "findings": (outcome.findings.dicts() if isinstance(outcome.findings, FindingList)
                     else [f.as_dict() for f in outcome.findings]),
        "skipped": [s.as_dict() for s in outcome.skipped],
        "blind": [b.as_dict() for b in outcome.blind],
        "summary": summary(validated, outcome),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _policy_file(outcome: RuleOutcome) -> str:
    path = outcome.policy.path
    return f"--policy {path}" if path else f"默认值 {DEFAULT_FILE_LABEL}；本县的参数文件用 --policy 指定"


def _policy_line(outcome: RuleOutcome) -> str:
    p = outcome.policy
    parts = ["执行 2021 年以后的防止返贫动态监测和帮扶机制"] if p.mechanism == "2021" else []
    parts.append(f"监测标准 {yuan(p.monitoring_line)}" if p.monitoring_line is not None
                 else f"监测标准（{outcome.as_of.year} 年）未设置")
    if p.mechanism != "2021" and p.poverty_line is not None:
        parts.append(f"国家扶贫标准 {yuan(p.poverty_line)}")
    if p.rural_dibao_annual is not None:
        parts.append(f"农村低保标准 {yuan(p.rural_dibao_annual)}/年")
    if p.urban_dibao_monthly is not None:
        parts.append(f"城市月低保标准 {yuan(p.urban_dibao_monthly)}/月")
    if p.registered_population is not None:
        parts.append(f"建档立卡人口 {count(p.registered_population)} 人")
    if p.mechanism == "2021":
        parts.append(f"识别期限 {p.identification_days} 天，村内公示至少 {p.notice_days} 天")
    else:
        parts.append(f"监测规模参考 {pct(p.scale_target)}")
        parts.append(f"集中整治期限 {cn_date(p.rectification_deadline)}")
    return "，".join(parts)


def _finding_lines(f: Finding, indent: str) -> list[str]:
    spec = rule(f.rule)
    return [
        f"{indent}[{SEVERITY_LABEL[f.severity]}] {spec.title}（{f.rule}，{basis(f.rule, f.basis).label}）",
        f"{indent}    {f.message}",
        f"{indent}    下一步：{f.next_action}",
    ]


def _place(f: Finding) -> str:
    if f.township is None and f.village is None:
        return "全县" if f.household is None else "未能归属乡镇、行政村的户"
    return f"{f.township or '（未填乡镇）'} {f.village or '（未填行政村）'}"


def check_text(validated: ValidatedRegister, outcome: RuleOutcome) -> str:
    lines = [f"！！{b.message}" for b in outcome.blind]  # first: a register that cannot carry the rules
    lines += [f"名册：{validated.source}", f"判断日期：{cn_date(outcome.as_of)}",
              f"政策参数（{_policy_file(outcome)}）：{_policy_line(outcome)}"]
    if outcome.skipped:
        lines.append("")
        lines.append("【未检查的规则】本县参数没有设置：")
        lines.extend(f"  - {s.message}" for s in outcome.skipped)
    lines.append("")
    if validated.errors:
        lines.append(f"名册中有 {len(validated.errors)} 处数据错误，填错的单元格不参与下面的判断；"
                     f"请运行 tracker validate --source {validated.source} 查看并改正。")
    if outcome.warnings is not None:
        from .warnings import text_lines

        lines.extend(text_lines(validated, outcome.warnings))
    counts = outcome.counts()["by_severity"]
    if not outcome.findings:
        lines.append("政策检查：没有发现问题。" if not outcome.blind else "政策检查：能检查的规则没有发现问题，"
                     "但有规则因缺少列没有检查（见开头）。")
        return "\n".join(lines) + "\n"
    lines.append(f"政策检查：共 {len(outcome.findings)} 条（问题 {counts['error']} 条，提醒 {counts['warning']} 条，"
                 f"提示 {counts['information']} 条）。")
    # findings are sorted by township, village, row, rule: county-wide ones (no place) come first
    for place, in_place in groupby(outcome.findings, key=_place):
        lines.append("")
        lines.append(f"【{place}】")
        for (household, sheet, row), own in groupby(in_place, key=lambda f: (f.household, f.sheet, f.row)):
            if row is not None and household is not None:
                lines.append(f"  户编号 {household or '（未填）'}（{sheet} 第 {row} 行）")
            elif row is not None and sheet == validated.tables["villages"].sheet:
                lines.append(f"  本村（{sheet} 第 {row} 行）")
            elif row is not None:
                lines.append(f"  {sheet} 第 {row} 行")
            for f in own:
                lines.extend(_finding_lines(f, "    " if row is not None else "  "))
    return "\n".join(lines) + "\n"
