"""Status against income and responsibility (五、(二)): edge.should_register, monitor.returned_to_poverty,
monitor.no_responsible, clear.premature."""

from __future__ import annotations

import numpy as np

from .context import Context, Findings, true
from .facts import HouseholdFacts
from .registry import rule
from .wording import join, money, texts, yuan


def _below_poverty(ctx: Context, role: str, rule_id: str) -> Findings:
    line = ctx.policy.poverty_line
    hit = ctx.households.has_role("category", role) & ctx.monitored & true(ctx.h["income_per_capita"] < line)
    return ctx.household_findings(hit, lambda: texts(ctx.h.loc[hit, "category"]) + f"，{ctx.income} "
                                  + money(ctx.h.loc[hit, "income_per_capita"]) + f"，低于国家扶贫标准 {yuan(line)}。",
                                  rule(rule_id).next_action)


def should_register(ctx: Context, facts: HouseholdFacts) -> Findings:
    return _below_poverty(ctx, "edge", "edge.should_register")


def returned_to_poverty(ctx: Context, facts: HouseholdFacts) -> Findings:
    return _below_poverty(ctx, "stable_risk", "monitor.returned_to_poverty")


def no_responsible(ctx: Context, facts: HouseholdFacts) -> Findings:
    hit = ctx.monitored & ctx.households.empty("responsible")
    return ctx.household_findings(hit, ["监测中，但帮扶责任人是空的。"] * int(hit.sum()),
                                  rule("monitor.no_responsible").next_action)


def premature(ctx: Context, facts: HouseholdFacts) -> Findings:
    h, hv, line = ctx.h, ctx.households, ctx.policy.monitoring_line
    no_date = hv.empty("cleared")
    low = true(h["income_per_capita"] < line)
    costly = true(h["rigid_expense"] > h["last_year_income"])
    hit = hv.has_role("status", "cleared") & (no_date | low | costly)

    def messages() -> np.ndarray:
        sub = h.loc[hit]
        reasons = join([
            np.where(no_date[hit], "没有填写风险消除日期", "").astype(object),
            np.where(low[hit], f"{ctx.income} " + money(sub["income_per_capita"]) + f"，仍低于监测标准 {yuan(line)}",
                     ""),
            np.where(costly[hit], "刚性支出 " + money(sub["rigid_expense"]) + "，仍超过上年度家庭收入 "
                     + money(sub["last_year_income"]), ""),
        ], "；")
        return "已标注“风险已消除”，但" + reasons + "。"

    return ctx.household_findings(hit, messages, rule("clear.premature").next_action)


CHECKS = {"edge.should_register": should_register, "monitor.returned_to_poverty": returned_to_poverty,
          "monitor.no_responsible": no_responsible, "clear.premature": premature}
