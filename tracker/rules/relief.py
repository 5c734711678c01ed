"""Temporary relief (四、(四)): relief.approval_level, relief.emergency_minimum — one finding per 帮扶措施 row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context, Findings, true
from .facts import HouseholdFacts
from .registry import rule
from .wording import money, texts, yuan


def approval_level(ctx: Context, facts: HouseholdFacts) -> Findings:
    mv, p = ctx.measures, ctx.policy
    limit = p.relief_township_limit
    assert limit is not None
    hit = mv.has_role("kind", "relief") & true(ctx.m["amount"] > limit) & mv.is_("approval_level", "乡镇")

    def messages() -> np.ndarray:
        return ("临时救助 " + money(ctx.m.loc[hit, "amount"]) + f"，超过城市月低保标准 {yuan(p.urban_dibao_monthly)}"
                f"的 3 倍（{yuan(limit)}），审批层级却是“乡镇”；超过 3 倍的应由县级审批。")

    return ctx.measure_findings(hit, messages, rule("relief.approval_level").next_action)


def emergency_minimum(ctx: Context, facts: HouseholdFacts) -> Findings:
    mv, p = ctx.measures, ctx.policy
    minimum = p.emergency_minimum
    assert minimum is not None
    # the household's 家庭人口数 per measure, still whole numbers (Int64; NA where the household is unknown)
    people = pd.Series(ctx.h["people"].reindex(ctx.measure_household.to_numpy()).array, index=ctx.m.index)
    # 监测对象 when the relief began (四、(四)): not a household whose risk was cleared before, nor 自然减少
    owner = ctx.measure_household.to_numpy()
    status = pd.Series(ctx.households.role("status").reindex(owner).array, index=ctx.m.index)
    cleared = pd.Series(ctx.h["cleared"].reindex(owner).array, index=ctx.m.index)
    no_longer = (status == "natural_decrease") | ((status == "cleared") & true(cleared < ctx.m["start"]))
    hit = (mv.has_role("kind", "relief") & mv.is_("relief_type", "急难型") & true(people >= 2)
           & true(ctx.m["amount"] < minimum) & ~no_longer.fillna(False).astype(bool))

    def messages() -> np.ndarray:
        amount = ctx.m.loc[hit, "amount"]
        return ("急难型临时救助 " + money(amount) + "，家庭人口 " + texts(people[hit]) + " 人，低于城市月低保标准 "
                f"{yuan(p.urban_dibao_monthly)}的 8 倍（{yuan(minimum)}），还差 " + money(minimum - amount) + "。")

    action = f"请按不低于 {yuan(minimum)}的金额补足救助（特别重大的急难情况可“一事一议”）。"
    return ctx.measure_findings(hit, messages, action)


CHECKS = {"relief.approval_level": approval_level, "relief.emergency_minimum": emergency_minimum}
