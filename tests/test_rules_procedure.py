"""The four-step procedure: pending / overdue deadlines, carried-over households, order, sign-off."""

from __future__ import annotations

from datetime import date

import pytest

from tests.rules_support import at, flagged, hits, household, one, validated
from tracker.validate.validator import ValidatedRegister

STEPS_2019 = {"首次纳入监测日期": "2019-12-31", "农户申报或发现日期": "2019-12-20", "村级评议日期": "2019-12-22",
              "乡镇审核日期": "2019-12-25", "县级确定日期": "2019-12-28", "系统录入日期": "2019-12-30"}
REDONE_2020 = {"首次纳入监测日期": "2019-06-01", "农户申报或发现日期": "2019-05-20", "村级评议日期": "2020-01-01",
               "乡镇审核日期": "2020-04-02", "县级确定日期": "2020-04-05", "系统录入日期": "2020-04-08"}
NO_STEPS = {"村级评议日期": None, "乡镇审核日期": None, "县级确定日期": None, "系统录入日期": None}


@pytest.fixture(scope="module")
def register() -> ValidatedRegister:
    return validated([
        household(1),                                                    # row 2: compliant
        household(2, **{"系统录入日期": None}),  # row 3: reported 5-18 -> due 6-30
        household(3, **{"农户申报或发现日期": None, "首次纳入监测日期": "2020-04-30", "村级评议日期": "2020-05-02",
                        "乡镇审核日期": "2020-05-03", "系统录入日期": None}),  # row 4: found before 5-10: due 5-10
        household(4, **{"农户申报或发现日期": "2020-12-15", "首次纳入监测日期": "2020-12-16", **NO_STEPS}),  # row 5
        household(5, **STEPS_2019),                                      # row 6: carried over, nothing redone
        household(6, **REDONE_2020),                                     # row 7: carried over, redone in 2020
        household(7, **{"首次纳入监测日期": "2020-01-01", "农户申报或发现日期": "2019-12-25",
                        "村级评议日期": "2019-12-26", "乡镇审核日期": "2019-12-27", "县级确定日期": "2019-12-28",
                        "系统录入日期": None}),  # row 8: not carried over, found before 5-10: due 5-10
        household(8, **{"村级评议日期": "2020-02-30"}),                  # row 9: invalid step, the rest done
        household(9, **{"监测状态": "自然减少", "系统录入日期": None}),   # row 10: not monitored
        household(10, **{"农户申报或发现日期": None, "首次纳入监测日期": None, "系统录入日期": None}),  # row 11
        household(11, **{"首次纳入监测日期": "去年", "系统录入日期": None}),  # row 12: carried over unknown
    ])


def test_compliant_household_has_no_procedure_finding(register: ValidatedRegister) -> None:
    outcome = at(register)
    assert "H0001" not in {f.household for f in outcome.findings}


def test_last_day_of_the_following_month_is_not_overdue_the_next_day_is(register: ValidatedRegister) -> None:
    on_time, late = at(register, date(2020, 6, 30)), at(register, date(2020, 7, 1))
    assert "H0002" in flagged(on_time, "procedure.pending") and "H0002" not in flagged(on_time, "procedure.overdue")
    assert "H0002" in flagged(late, "procedure.overdue") and "H0002" not in flagged(late, "procedure.pending")
    assert on_time.facts[3].deadline == date(2020, 6, 30) and not on_time.facts[3].overdue
    assert late.facts[3].overdue and late.facts[3].steps_missing == ("system_entry",)
    pending = next(f for f in hits(on_time, "procedure.pending") if f.household == "H0002")
    assert pending.severity == "information"
    assert "还缺系统录入（已完成 3/4 步）" in pending.message
    assert ("农户申报或发现日期 2020年5月18日在集中整治期限 2020年5月10日 以后，按月动态调整："
            "本县设定的期限是次月月底，即 2020年6月30日") in pending.message
    assert pending.next_action == "请在县级确定后尽快录入全国扶贫开发信息系统（截止 2020年6月30日）"
    overdue = next(f for f in hits(late, "procedure.overdue") if f.household == "H0002")
    # the county's monthly setting, not a document's deadline: a warning, labelled as such
    assert overdue.severity == "warning" and overdue.basis == "monthly" and "已超过期限 1 天" in overdue.message
    assert overdue.as_dict()["citations"] == [] and "本县设定" in overdue.as_dict()["setting"]
    assert "期限 2020年6月30日 已过" in overdue.next_action


def test_first_monitored_date_is_used_when_the_report_date_is_empty(register: ValidatedRegister) -> None:
    outcome = at(register)
    assert outcome.facts[4].deadline == date(2020, 5, 10)
    finding = next(f for f in hits(outcome, "procedure.overdue") if f.household == "H0003")
    assert "首次纳入监测日期 2020年4月30日不晚于集中整治期限，要在 2020年5月10日 前按程序纳入监测" in finding.message
    assert finding.severity == "error" and finding.basis == ""
    assert finding.next_action.startswith("请在县级确定后尽快录入")


def test_december_rolls_over_to_the_end_of_january(register: ValidatedRegister) -> None:
    outcome = at(register)
    assert outcome.facts[5].deadline == date(2021, 1, 31)
    assert "H0004" in flagged(outcome, "procedure.pending")


def test_carried_over_household_on_the_rectification_deadline_and_the_day_after(register: ValidatedRegister) -> None:
    on_day, after = at(register, date(2020, 5, 10)), at(register, date(2020, 5, 11))
    fact = on_day.facts[6]
    assert fact.carried_over and fact.deadline == date(2020, 5, 10)
    assert fact.steps_missing == ("village_review", "township_review", "county_decision", "system_entry")
    assert "H0005" in flagged(on_day, "procedure.pending") and "H0005" not in flagged(on_day, "procedure.overdue")
    finding = next(f for f in hits(after, "procedure.overdue") if f.household == "H0005")
    assert "2019 年底前已纳入监测" in finding.message
    assert "村级评议日期 2019年12月22日" in finding.message and "早于 2020年1月1日，不算重新履行" in finding.message
    assert "还缺村级评议、乡镇审核、县级确定、系统录入（已完成 0/4 步）" in finding.message
    assert finding.next_action.startswith("请尽快召开村级民主评议会")


def test_steps_redone_from_1_january_count(register: ValidatedRegister) -> None:
    outcome = at(register, date(2020, 5, 11))
    assert outcome.facts[7].carried_over and outcome.facts[7].steps_missing == ()
    assert not {f.rule for f in outcome.findings if f.household == "H0006"} & {"procedure.pending", "procedure.overdue"}


def test_first_monitored_on_1_january_is_not_carried_over(register: ValidatedRegister) -> None:
    outcome = at(register)
    fact = outcome.facts[8]
    assert fact.carried_over is False and fact.steps_missing == ("system_entry",)  # 2019 steps still count
    assert fact.deadline == date(2020, 5, 10)  # found before the rectification deadline (郑脱贫组〔2020〕2号 二、(二))
    assert "H0007" in flagged(outcome, "procedure.overdue")


def test_an_invalid_step_date_is_neither_done_nor_missing(register: ValidatedRegister) -> None:
    outcome = at(register)
    assert outcome.facts[9].steps_unknown == ("village_review",) and outcome.facts[9].steps_missing == ()
    assert not {f.household for f in outcome.findings} & {"H0008"}


def test_only_monitored_households_are_held_to_the_procedure(register: ValidatedRegister) -> None:
    outcome = at(register)
    assert "H0009" not in flagged(outcome, "procedure.pending") | flagged(outcome, "procedure.overdue")


def test_without_any_date_the_deadline_is_unknown_and_the_step_still_pending(register: ValidatedRegister) -> None:
    finding = next(f for f in hits(at(register), "procedure.pending") if f.household == "H0010")
    assert "无法计算办理期限" in finding.message
    assert finding.next_action.endswith("并补填农户申报或发现日期")


def test_invalid_first_monitored_date_leaves_the_procedure_undecided(register: ValidatedRegister) -> None:
    outcome = at(register)
    assert outcome.facts[12].carried_over is None
    assert "H0011" not in flagged(outcome, "procedure.pending") | flagged(outcome, "procedure.overdue")


def test_exact_pairs_of_procedure_findings(register: ValidatedRegister) -> None:
    outcome = at(register)
    assert flagged(outcome, "procedure.pending") == {"H0002", "H0004", "H0010"}
    assert flagged(outcome, "procedure.overdue") == {"H0003", "H0005", "H0007"}


# ------------------------------------------------------------------------------------------------ order


def test_procedure_order() -> None:
    """Present step dates must not go backwards, nor precede the report date."""
    outcome = at(validated([
        household(1, **{"乡镇审核日期": "2020-05-21"}),                                  # before 村级 5-22
        household(2, **{"村级评议日期": "2020-05-22", "乡镇审核日期": "2020-05-22",
                        "县级确定日期": "2020-05-22", "系统录入日期": "2020-05-22"}),    # equal dates are in order
        household(3, **{"村级评议日期": "2020-05-17"}),                                  # before 申报 5-18
        household(4, **{"乡镇审核日期": None, "县级确定日期": "2020-05-21"}),             # gap: 县级 < 村级
        household(5, **{"乡镇审核日期": "2020-13-01"}),                                  # invalid: ignored
        household(6, **{"监测状态": "风险已消除", "风险消除日期": "2020-06-01", "人均可支配收入（元）": 8000,
                        "县级确定日期": "2020-05-20"}),                                 # any status
    ]))
    assert flagged(outcome, "procedure.order") == {"H0001", "H0003", "H0004", "H0006"}
    messages = {f.household: f.message for f in hits(outcome, "procedure.order")}
    assert messages["H0001"] == "乡镇审核日期 2020年5月21日 早于村级评议日期 2020年5月22日。"
    assert messages["H0003"] == "村级评议日期 2020年5月17日 早于农户申报或发现日期 2020年5月18日。"
    assert messages["H0004"] == "县级确定日期 2020年5月21日 早于村级评议日期 2020年5月22日。"
    assert {f.severity for f in hits(outcome, "procedure.order")} == {"error"}


def test_no_signoff() -> None:
    outcome = at(validated([
        household(1, **{"乡镇审核人": None}),
        household(2, **{"乡镇审核人": None, "乡镇审核日期": None}),
        household(3, **{"乡镇审核人": None, "乡镇审核日期": "2020-02-30"}),
    ]))
    assert flagged(outcome, "procedure.no_signoff") == {"H0001"}
    assert "乡镇审核日期 2020年5月25日，但乡镇审核人是空的" in hits(outcome, "procedure.no_signoff")[0].message


# --------------------------------------------- the 2020 deadlines as 郑脱贫组〔2020〕2号 sets them (issue 22)

def _found_on(day: str) -> ValidatedRegister:
    return validated([household(1, **{"农户申报或发现日期": day, "首次纳入监测日期": day, **NO_STEPS})])


def test_found_before_the_rectification_deadline_is_due_by_it() -> None:
    """2号 二、(二): households eligible now are entered by 5月10日, not by the end of the next month."""
    april = _found_on("2020-04-20")
    assert "H0001" in flagged(at(april, date(2020, 5, 10)), "procedure.pending")
    late = one(at(april, date(2020, 5, 20)), "procedure.overdue")
    assert late.severity == "error" and late.basis == ""
    cited = late.as_dict()["citations"]
    assert {(c["document"], c["clause"]) for c in cited} >= {("郑脱贫组〔2020〕2号", "二、(二)")}
    january = at(_found_on("2020-01-15"), date(2020, 3, 15))
    assert not hits(january, "procedure.overdue") and "H0001" in flagged(january, "procedure.pending")
    assert january.facts[2].deadline == date(2020, 5, 10)


def test_found_after_it_follows_the_countys_monthly_setting() -> None:
    june = _found_on("2020-06-01")
    assert not hits(at(june, date(2020, 7, 31)), "procedure.overdue")
    late = one(at(june, date(2020, 8, 1)), "procedure.overdue")
    assert late.severity == "warning" and late.basis == "monthly" and "本县设定" in late.message
    assert late.as_dict()["setting"].startswith("集中整治期限以后发现的户，办理期限是本县设定")
    # the county sets two months, or raises it to a 问题 in its policy file
    assert not hits(at(june, date(2020, 8, 1), monthly_deadline_months=2), "procedure.overdue")
    raised = at(june, date(2020, 8, 1), severity=(("procedure.overdue:monthly", "error"),))
    assert one(raised, "procedure.overdue").severity == "error"


def test_a_county_can_lower_a_rule_and_the_rest_keep_theirs() -> None:
    april = _found_on("2020-04-20")
    lowered = at(april, date(2020, 5, 20), severity=(("procedure.overdue", "warning"),))
    assert one(lowered, "procedure.overdue").severity == "warning"
    assert {f.severity for f in hits(lowered, "procedure.pending")} <= {"information"}
