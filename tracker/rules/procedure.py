"""The four-step procedure (三、(三)): procedure.pending, procedure.overdue, procedure.order, procedure.no_signoff.

Messages are assembled column-wise (object arrays of text) so that a million households stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from .context import Context, Findings, true
from .facts import STEPS, HouseholdFacts
from .registry import rule
from .wording import cn_date, dates, join, texts

STEP_ACTIONS = {
    "village_review": "请尽快召开村级民主评议会，提出初选名单",
    "township_review": "请乡镇尽快组织核查审核，并由审核人签字",
    "county_decision": "请县级扶贫部门尽快比对核准、确定监测对象",
    "system_entry": "请在县级确定后尽快录入全国扶贫开发信息系统",
}


def _where(mask: np.ndarray, text: np.ndarray | str) -> np.ndarray:
    return np.where(mask, text, "").astype(object)


def _labels(flags: list[np.ndarray]) -> np.ndarray:
    """The step names whose flag is set, joined with 、 (16 combinations, each written once)."""
    code = sum(flag.astype(int) << i for i, flag in enumerate(flags))
    names = np.array(["、".join(label for i, (_, label) in enumerate(STEPS) if c >> i & 1) for c in range(16)],
                     dtype=object)
    return names[code]


def _progress(ctx: Context, facts: HouseholdFacts, hit: pd.Series, overdue: bool) -> Findings:
    """Findings listing the missing steps and the deadline of every ``hit`` household."""
    h, f = ctx.h.loc[hit], facts.frame.loc[hit]
    states = [f[f"done_{key}"] for key, _ in STEPS]
    missing = [true(~state).to_numpy() for state in states]
    actions = np.full(len(h), "", dtype=object)
    for (key, _), miss in reversed(list(zip(STEPS, missing, strict=True))):  # the first missing step wins
        actions = np.where(miss, STEP_ACTIONS[key], actions)
    deadline = dates(f["deadline"])
    if overdue:
        suffix = "（期限 " + deadline + " 已过）"
    else:
        suffix = np.where(deadline != "", "（截止 " + deadline + "）", "，并补填农户申报或发现日期")
    found = ctx.household_findings(hit, lambda: _progress_messages(ctx, h, f, states, missing, overdue),
                                   actions + suffix)
    if overdue:  # past the county's monthly setting, not a document's deadline (tracker.rules.basis)
        found.insert(len(found.columns), "basis", np.where(f["monthly_deadline"].to_numpy(dtype=bool), "monthly",
                                                           "").astype(object))
    return found


def _progress_messages(ctx: Context, h: pd.DataFrame, f: pd.DataFrame, states: list[pd.Series],
                       missing: list[np.ndarray], overdue: bool) -> list[str]:
    year = ctx.policy.rectification_deadline.year
    new_year = cn_date(pd.Timestamp(year, 1, 1))
    carried = true(f["carried_over"]).to_numpy()
    stale = join([np.where(carried & miss & h[key].notna().to_numpy(), label + "日期 " + dates(h[key]), "")
                  for (key, label), miss in zip(STEPS, missing, strict=True)], "、")
    done = sum(true(state).to_numpy().astype(int) for state in states)
    columns = (
        carried.tolist(), dates(h["first_monitored"]), dates(f["deadline"]), stale, _labels(missing), done.tolist(),
        _labels([state.isna().to_numpy() for state in states]),
        np.where(h["reported"].notna().to_numpy(), "农户申报或发现日期 " + dates(h["reported"]),
                 "首次纳入监测日期 " + dates(h["first_monitored"])),
        f["monthly_deadline"].to_numpy(dtype=bool).tolist(),
        texts((ctx.day - f["deadline"]).dt.days.astype("Int64")) if overdue else np.full(len(h), "", dtype=object),
    )
    as_of = cn_date(ctx.as_of)
    rectification = cn_date(ctx.policy.rectification_deadline)
    months = ctx.policy.monthly_deadline_months
    later = "次月" if months == 1 else f"当月之后第 {months} 个月的"
    messages = []
    for old, first, deadline, old_steps, missing_steps, n_done, unknown, basis, monthly, late in zip(
            *columns, strict=True):
        parts = []
        if old:
            parts.append(f"首次纳入监测日期 {first}，属于 {year - 1} 年底前已纳入监测的户，"
                         f"要在集中整治期限 {deadline} 前重新履行四步程序")
            if old_steps:
                parts.append(f"{old_steps} 早于 {new_year}，不算重新履行")
        parts.append(f"还缺{missing_steps}（已完成 {n_done}/4 步）")
        if unknown:
            parts.append(f"{unknown}日期填写有误，暂不计入（见 tracker validate）")
        if not deadline:
            parts.append("农户申报或发现日期、首次纳入监测日期都没有有效日期，无法计算办理期限")
        elif monthly:
            parts.append(f"{basis}在集中整治期限 {rectification} 以后，按月动态调整：本县设定的期限是{later}"
                         f"月底，即 {deadline}")
        elif not old:
            parts.append(f"{basis}不晚于集中整治期限，要在 {deadline} 前按程序纳入监测、录入系统")
        if late:
            parts.append(f"到 {as_of} 已超过期限 {late} 天")
        messages.append("；".join(parts) + "。")
    return messages


def pending(ctx: Context, facts: HouseholdFacts) -> Findings:
    f = facts.frame
    hit = ctx.monitored & (f["missing_steps"] > 0) & ~f["overdue"] & f["carried_over"].notna()
    return _progress(ctx, facts, hit, overdue=False)


def overdue(ctx: Context, facts: HouseholdFacts) -> Findings:
    return _progress(ctx, facts, facts.frame["overdue"], overdue=True)


def _earlier(h: pd.DataFrame, steps: tuple[tuple[str, str], ...],
             ) -> Iterator[tuple[str, pd.Series, np.ndarray, pd.Series]]:
    """Step by step: (its label, its dates, the rows where it is dated before the latest earlier step that has a
    date, that earlier date)."""
    previous = pd.Series(pd.NaT, index=h.index, dtype="datetime64[s]")
    for key, label in steps:
        when = h[key]
        yield label, when, true(when < previous).to_numpy(), previous
        previous = when.fillna(previous)


def out_of_order(h: pd.DataFrame, steps: tuple[tuple[str, str], ...]) -> pd.Series:
    """Per row: is some step dated before the latest earlier step that has a date (where :func:`backwards` says
    something)? Compares dates only: the texts are made for these rows alone."""
    hit = np.zeros(len(h), dtype=bool)
    for _, _, back, _ in _earlier(h, steps):
        hit |= back
    return pd.Series(hit, index=h.index)


def backwards(h: pd.DataFrame, steps: tuple[tuple[str, str], ...]) -> np.ndarray:
    """Per row, every step dated before the latest earlier step that has a date ("" where all are in order)."""
    previous_label = pd.Series("", index=h.index, dtype=object)
    found = []
    for label, when, back, previous in _earlier(h, steps):
        found.append(_where(back, label + "日期 " + dates(when) + " 早于" + previous_label.to_numpy() + "日期 "
                            + dates(previous)))
        previous_label = previous_label.mask(when.notna(), label)
    return join(found, "；")


def _order_messages(h: pd.DataFrame) -> np.ndarray:
    """What is out of order in each row ("" where nothing is)."""
    reported = h["reported"]
    early = [_where(true(h[key] < reported).to_numpy(), label + "日期 " + dates(h[key])) for key, label in STEPS]
    early_text = join(early, "、")
    return join([backwards(h, STEPS),
                 _where(early_text != "", early_text + " 早于农户申报或发现日期 " + dates(reported))], "；")


def order(ctx: Context, facts: HouseholdFacts) -> Findings:
    h = ctx.h
    hit = out_of_order(h, STEPS)  # each present date against the latest earlier present step, and the report date
    for key, _ in STEPS:
        hit |= true(h[key] < h["reported"])
    return ctx.household_findings(hit, lambda: _order_messages(h.loc[hit]) + "。", rule("procedure.order").next_action)


def no_signoff(ctx: Context, facts: HouseholdFacts) -> Findings:
    hv = ctx.households
    hit = hv.known("township_review") & hv.empty("township_reviewer")
    return ctx.household_findings(
        hit, lambda: "填写了乡镇审核日期 " + dates(ctx.h.loc[hit, "township_review"]) + "，但乡镇审核人是空的。",
        rule("procedure.no_signoff").next_action)


CHECKS = {"procedure.pending": pending, "procedure.overdue": overdue, "procedure.order": order,
          "procedure.no_signoff": no_signoff}
