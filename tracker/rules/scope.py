"""Who is monitored and how many: scope.no_basis, scale.share, coverage.unscreened."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import FINDING_COLUMNS, Context, Findings, true
from .facts import HouseholdFacts, county_facts
from .registry import rule
from .wording import cn_date, count, dates, money, pct, texts, yuan


def no_basis(ctx: Context, facts: HouseholdFacts) -> Findings:
    f, p = facts.frame, ctx.policy
    none_met = true(~f["low_income"]) & true(~f["high_expense"]) & true(~f["income_drop"])
    hit = ctx.monitored & none_met

    def messages() -> np.ndarray:
        h = ctx.h[hit]
        keep = 1 - p.income_drop_threshold
        return (f"{ctx.income} " + money(h["income_per_capita"]) + f"，不低于监测标准 {yuan(p.monitoring_line)}；"
                "刚性支出 " + money(h["rigid_expense"]) + "，没有超过上年度家庭收入 " + money(h["last_year_income"])
                + "；本年预计家庭收入 " + money(h["expected_income"]) + f"，高于上年度的 {pct(keep)}（"
                + money(keep * h["last_year_income"]) + "），不算收入大幅缩减。三项纳入条件都不符合，却仍在监测中。")

    return ctx.household_findings(hit, messages, rule("scope.no_basis").next_action)


def scale_share(ctx: Context, facts: HouseholdFacts) -> Findings:
    c = county_facts(ctx)
    if c.registered_population is None or c.share is None:
        return pd.DataFrame(columns=[col for col in FINDING_COLUMNS if col != "rule"])
    low, high = c.target / 2, c.target * 3 / 2
    message = (f"监测中 {count(c.monitored_households)} 户、{count(c.monitored_people)} 人，"
               f"占本县建档立卡人口 {count(c.registered_population)} 人的 {pct(c.share)}；"
               f"参考比例 {pct(c.target)}，一般在 {pct(low)}～{pct(high)} 之间。")
    if c.people_unknown:
        message += f"另有 {c.people_unknown} 户的家庭人口数无效或未填，没有计入。"
    if c.within_target:
        severity, action = "information", "监测规模在参考范围内，请继续按月动态调整。"
    elif c.share < c.target:
        severity, action = "warning", "请组织乡村两级再次走访摸排，防止漏评漏纳。"
        message += "比例偏低，可能有漏评漏纳。"
    else:
        severity, action = "warning", "请核实是否有不符合监测范围的户，按程序调整。"
        message += "比例偏高，可能纳入了不符合监测范围的户。"
    return pd.DataFrame([{"severity": severity, "message": message, "next_action": action, "household": None,
                          "township": None, "village": None, "sheet": None, "row": None}],
                        columns=[col for col in FINDING_COLUMNS if col != "rule"])


def unscreened(ctx: Context, facts: HouseholdFacts) -> Findings:
    v = ctx.villages
    last = v.values["last_screening"]
    interval = ctx.policy.screening_interval_days
    age = (ctx.day - last).dt.days
    hit = v.empty("last_screening") | true(age > interval)
    names = v.written("village")
    days = texts(age[hit].astype("Int64"))
    messages = np.where(last[hit].isna().to_numpy(), "没有填写最近排查日期。",
                        "最近排查日期 " + dates(last[hit]) + f"，到 {cn_date(ctx.as_of)} 已 " + days
                        + f" 天，超过了 {interval} 天。")
    rows = hit.index[hit.to_numpy()]
    return pd.DataFrame({
        "message": messages, "next_action": rule("coverage.unscreened").next_action, "household": None,
        "township": v.written("township")[hit].to_numpy(dtype=object), "village": names[hit].to_numpy(dtype=object),
        "sheet": v.sheet, "row": rows.to_numpy(),
    }, columns=[c for c in FINDING_COLUMNS if c not in ("rule", "severity")])


CHECKS = {"scope.no_basis": no_basis, "scale.share": scale_share, "coverage.unscreened": unscreened}
