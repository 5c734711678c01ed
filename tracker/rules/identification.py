"""The 2021+ mechanism's checks: identification within the county's days (identify.late), the village notice
(identify.notice_short), the steps in order (identify.order), risk clearance (clear.no_method,
clear.assisted_below_line), measures that answer the risk (assist.risk_unmatched) and the data doubts counties
check by hand (doubt.illness_no_cost, doubt.labour_shortage).

The register may carry only some of the steps' dates: what is there is judged, a column the register lacks is
not (no finding for it). Messages are assembled column-wise, as elsewhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context, Findings, _owners, true
from .facts import HouseholdFacts
from .procedure import backwards, out_of_order
from .registry import rule
from .wording import dates, join, money, texts, yuan

#: The 2021+ identification steps that carry a date, in order (the register may have only some of them).
STEPS_2021 = (("application", "农户申请"), ("household_check", "入户核查"), ("village_review", "民主评议"),
              ("notice_start", "村内公示开始"), ("notice_end", "村内公示结束"), ("township_review", "乡镇审核"),
              ("county_decision", "县级审定"), ("system_entry", "系统录入标注"))
#: A risk and the measure roles that answer it (schemas/register.yaml roles).
ANSWERS = {"water": (("water",), "饮水安全保障"), "housing": (("housing",), "住房安全保障或搬迁"),
           "schooling": (("education",), "义务教育保障或其他教育帮扶"),
           "illness": (("health", "protection"), "健康帮扶或综合保障")}


def _cleared(ctx: Context) -> pd.Series:
    """Households whose risk is marked cleared: 监测状态 of role cleared, or 风险是否已消除 是."""
    return ctx.households.has_role("status", "cleared") | ctx.households.is_("risk_cleared", "是")


def late(ctx: Context, facts: HouseholdFacts) -> Findings:
    f, h, hv, days = facts.frame, ctx.h, ctx.households, ctx.policy.identification_days
    decided = hv.known("county_decision")
    slow = ctx.monitored & decided & true(h["county_decision"] > f["deadline"])
    pending = f["overdue"]
    hit = slow | pending
    base_label = np.where(hv.known("application")[hit].to_numpy(), "农户申请日期",
                          np.where(hv.known("reported")[hit].to_numpy(), "农户申报或发现日期", "首次纳入监测日期"))
    base = h.loc[hit, "application"].fillna(h.loc[hit, "reported"]).fillna(h.loc[hit, "first_monitored"])

    def messages() -> np.ndarray:
        took = texts((h.loc[hit, "county_decision"] - base).dt.days.astype("Int64"))
        waited = texts((ctx.day - base).dt.days.astype("Int64"))
        done = slow[hit].to_numpy()
        return np.where(done, base_label + " " + dates(base) + "，县级审定日期 " + dates(h.loc[hit, "county_decision"])
                        + "，用了 " + took + f" 天，超过本县设定的 {days} 天。",
                        base_label + " " + dates(base) + "，到判断日已 " + waited + f" 天，超过本县设定的 {days} 天"
                        "，还没有县级审定。")

    actions = np.where(slow[hit].to_numpy(), "请说明识别用时过长的原因，今后按期限办理。",
                       "请尽快完成入户核查、民主评议、村内公示、乡镇审核和县级审定。")
    return ctx.household_findings(hit, messages, actions)


def notice_short(ctx: Context, facts: HouseholdFacts) -> Findings:
    h, hv, need = ctx.h, ctx.households, ctx.policy.notice_days
    length = (h["notice_end"] - h["notice_start"]).dt.days + 1  # both days count
    hit = hv.known("notice_start") & hv.known("notice_end") & true(length < need) & true(length >= 1)

    def messages() -> np.ndarray:
        return ("村内公示 " + dates(h.loc[hit, "notice_start"]) + " 至 " + dates(h.loc[hit, "notice_end"]) + "，共 "
                + texts(length[hit].astype("Int64")) + f" 天，不足本县设定的 {need} 天。")

    return ctx.household_findings(hit, messages, rule("identify.notice_short").next_action)


def order(ctx: Context, facts: HouseholdFacts) -> Findings:
    h = ctx.h
    hit = out_of_order(h, STEPS_2021)
    return ctx.household_findings(hit, lambda: list(backwards(h.loc[hit], STEPS_2021) + "。"),
                                  rule("identify.order").next_action)


def no_method(ctx: Context, facts: HouseholdFacts) -> Findings:
    h, hv = ctx.h, ctx.households
    cleared = _cleared(ctx)
    no_way = hv.empty("clearance_method")
    no_date = hv.empty("cleared")
    early = true(h["cleared"] < h["county_decision"])
    hit = cleared & (no_way | no_date | early)

    def messages() -> np.ndarray:
        return "已标注风险消除，但" + join([
            np.where(no_way[hit], "没有填写风险消除方式（帮扶消除或自然消除）", "").astype(object),
            np.where(no_date[hit], "没有填写风险消除日期", "").astype(object),
            np.where(early[hit], "风险消除日期 " + dates(h.loc[hit, "cleared"]) + " 早于县级审定日期 "
                     + dates(h.loc[hit, "county_decision"]), "").astype(object),
        ], "；") + "。"

    return ctx.household_findings(hit, messages, rule("clear.no_method").next_action)


def assisted_below_line(ctx: Context, facts: HouseholdFacts) -> Findings:
    h, line = ctx.h, ctx.policy.monitoring_line
    assert line is not None
    hit = (_cleared(ctx) & ctx.households.has_role("clearance_method", "assisted")
           & true(h["income_per_capita"] < line))
    return ctx.household_findings(hit, lambda: "以“帮扶消除”标注风险已消除，但" + ctx.income + " "
                                  + money(h.loc[hit, "income_per_capita"]) + f"，仍低于 {ctx.as_of.year} 年的监测标准 "
                                  f"{yuan(line)}。", rule("clear.assisted_below_line").next_action)


def risk_unmatched(ctx: Context, facts: HouseholdFacts) -> Findings:
    h, hv, active = ctx.h, ctx.households, facts.measure_active
    column = hv.table.tab.column("risk_types")
    needs = []
    for risk_role, (measure_roles, label) in ANSWERS.items():
        answered = ctx.per_household(active & ctx.measures.has_role("kind", *measure_roles))
        lacking = ctx.monitored & hv.holds_role("risk_types", risk_role) & ~answered
        needs.append((lacking, "、".join(column.values_with(risk_role)), label))
    hit = pd.Series(False, index=h.index)
    for lacking, _, _ in needs:
        hit |= lacking

    def messages() -> np.ndarray:
        return "主要风险类型有" + join([np.where(lacking[hit], f"“{risk}”却没有正在实施的{label}", "").astype(object)
                                    for lacking, risk, label in needs], "；") + "。"

    return ctx.household_findings(hit, messages, rule("assist.risk_unmatched").next_action)


def illness_no_cost(ctx: Context, facts: HouseholdFacts) -> Findings:
    hit = ctx.households.holds_role("risk_types", "illness") & true(ctx.h["medical_cost"] == 0)
    return ctx.household_findings(hit, ["主要风险类型有“因病”，但合规自付医疗费用填的是 0。"] * int(hit.sum()),
                                  rule("doubt.illness_no_cost").next_action)


def labour_shortage(ctx: Context, facts: HouseholdFacts) -> Findings:
    h = ctx.h
    short = ctx.households.holds_role("risk_types", "labour_shortage")
    hit = pd.Series(False, index=h.index)
    members = ctx.members
    if members is not None and members.table.present and len(members.values):
        able = members.has_role("labor", "can")
        known = members.known("labor")
        owner = _owners(ctx.households.values["household_id"], members.values["household_id"]).to_numpy()
        frame = pd.DataFrame({"owner": owner, "able": able.to_numpy(), "known": known.to_numpy()})
        frame = frame[frame["owner"] >= 0]
        everyone = frame.groupby("owner").agg(n=("able", "size"), able=("able", "sum"), known=("known", "sum"))
        all_able = everyone[(everyone["n"] == everyone["able"]) & (everyone["known"] == everyone["n"])].index
        flags = np.zeros(len(h), dtype=bool)
        flags[ctx.households.positions(np.asarray(all_able, dtype=np.int64))] = True
        hit = short & pd.Series(flags, index=h.index)
    return ctx.household_findings(hit, ["主要风险类型有“缺劳动力”，但登记的家庭成员都是普通劳动力或技能劳动力。"]
                                  * int(hit.sum()), rule("doubt.labour_shortage").next_action)


CHECKS = {"identify.late": late, "identify.notice_short": notice_short, "identify.order": order,
          "clear.no_method": no_method, "clear.assisted_below_line": assisted_below_line,
          "assist.risk_unmatched": risk_unmatched, "doubt.illness_no_cost": illness_no_cost,
          "doubt.labour_shortage": labour_shortage}
