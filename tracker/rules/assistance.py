"""Assistance measures and dibao (二、四): assist.none, assist.mismatch, dibao.gradual_exit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context, Findings, true
from .facts import HouseholdFacts
from .registry import rule
from .wording import cn_date, dates, join, money, texts, yuan

DEVELOPMENT = ("产业帮扶", "就业帮扶")
PROTECTION = ("兜底保障",)


def _judgeable(ctx: Context, facts: HouseholdFacts) -> pd.Series:
    """Monitored households whose measures can all be judged (户编号 valid, no undecidable measure)."""
    return ctx.monitored & ctx.households.known("household_id") & ~facts.frame["measures_unknown"]


def assist_none(ctx: Context, facts: HouseholdFacts) -> Findings:
    hit = _judgeable(ctx, facts) & (facts.frame["active_measures"] == 0)

    def messages() -> np.ndarray:
        every = pd.Series(True, index=ctx.m.index)  # counted by position: no hash table over a million households
        totals = ctx.measures_per_household(every).to_numpy()[hit.to_numpy()]
        detail = np.where(totals == 0, "“帮扶措施”表中没有本户的措施",
                          "本户登记的 " + totals.astype(str).astype(object) + " 项措施都还没开始或已经结束")
        return f"到 {cn_date(ctx.as_of)} 没有正在实施的帮扶措施（" + detail + "）。"

    return ctx.household_findings(hit, messages, rule("assist.none").next_action)


def assist_mismatch(ctx: Context, facts: HouseholdFacts) -> Findings:
    f, hv = facts.frame, ctx.households
    able = hv.has_role("labor", "can") & ~f["active_dev"]
    unable = hv.has_role("labor", "cannot") & ~f["active_protect"]
    hit = _judgeable(ctx, facts) & (f["active_measures"] > 0) & (able | unable)
    flags = hit.to_numpy()  # by position: label lookups would build a hash table of a million row numbers
    rows = hit.index[flags]
    has_labor = able.to_numpy()[flags]

    def messages() -> np.ndarray:
        active = facts.measure_active & ctx.measure_household.isin(rows)
        owners, kind = ctx.measure_household[active], ctx.m.loc[active, "kind"]
        kinds = join([np.where(rows.isin(owners[true(kind == name)]), name, "").astype(object)
                      for name in ctx.measures.table.tab.column("kind").values], "、")
        needed = np.where(has_labor, "产业帮扶或就业帮扶", "兜底保障")
        return ("劳动能力为“" + texts(ctx.h["labor"][flags]) + "”，正在实施的措施（" + kinds + "）中没有"
                + needed + "。")

    actions = np.where(has_labor, "请结合本户劳动力情况，增加产业帮扶或就业帮扶措施。",
                       "请落实低保、特困供养等兜底保障措施。")
    return ctx.household_findings(hit, messages, actions)


def gradual_exit(ctx: Context, facts: HouseholdFacts) -> Findings:
    h, hv, p = ctx.h, ctx.households, ctx.policy
    on_dibao = hv.is_("dibao", "是")
    months = facts.frame["exit_months"]
    recorded = hv.known("dibao_exit_start") & hv.known("dibao_exit_end")
    unclear = hv.invalid("dibao_exit_start") | hv.invalid("dibao_exit_end")
    # 12 months for the formerly registered poor; 6—12 for the others (边缘户, and 突发严重困难户 alike: not 建档立卡)
    formerly_poor = hv.has_role("category", "stable_risk")
    poor = formerly_poor & true(months != 12)
    edge = hv.has_role("category", "edge", "sudden_hardship") & true((months < 6) | (months > 12))
    wrong_length = on_dibao & recorded & (poor | edge)
    unrecorded = pd.Series(False, index=h.index)
    if p.rural_dibao_annual is not None and p.dibao_exit_ceiling is not None:
        income = h["income_per_capita"]
        in_band = true(income > p.rural_dibao_annual) & true(income <= p.dibao_exit_ceiling)
        unrecorded = on_dibao & in_band & ~recorded & ~unclear
    hit = wrong_length | unrecorded
    sub = h.loc[hit]
    wrong = wrong_length[hit].to_numpy()
    category = texts(sub["category"])
    should = np.where(formerly_poor[hit].to_numpy(), "12 个月", "6—12 个月")

    def messages() -> np.ndarray:
        start, end = dates(sub["dibao_exit_start"]), dates(sub["dibao_exit_end"])
        length = ("低保渐退期 " + start + " 至 " + end + "，按整月计为 " + texts(months[hit]) + " 个月；" + category
                  + "的渐退期应为 " + should + "。")
        partial = np.where(start != "", "（只填了渐退期起 " + start + "，没有填止）",
                           np.where(end != "", "（只填了渐退期止 " + end + "，没有填起）", ""))
        band = (f"享受低保，{ctx.income} " + money(sub["income_per_capita"])
                + f"，超过农村低保标准 {yuan(p.rural_dibao_annual)}，在其 1.5 倍（{yuan(p.dibao_exit_ceiling)}）以内，"
                "但没有登记低保渐退期" + partial + "。")
        return np.where(wrong, length, band)

    actions = np.where(wrong, "请与民政部门核实，把渐退期调整为 " + should + "，并改正起止日期。",
                       "请与民政部门核实：符合条件的给予渐退期（脱贫监测户 12 个月，边缘户 6—12 个月），"
                       "并登记起止日期。")
    return ctx.household_findings(hit, messages, actions)


CHECKS = {"assist.none": assist_none, "assist.mismatch": assist_mismatch, "dibao.gradual_exit": gradual_exit}
