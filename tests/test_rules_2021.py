"""The 2021+ mechanism (issue 16): chosen by date or by the policy file, the year's line, a register in the national
system's values, and each new rule at its boundaries."""

from __future__ import annotations

from datetime import date

from tests.builders import member, register
from tests.rules_support import flagged, hits, household, measure, one, policy
from tracker.register.sheets import Cell
from tracker.rules import evaluate
from tracker.validate.validator import validate

AS_OF = date(2022, 6, 30)
LINE = {"by_year": (("monitoring_line", ((2020, 6000), (2022, 7000))), ("poverty_line", ((2020, 4000),)))}
#: a household identified under the 2021+ procedure, every step on time
STEPS = {"农户申请日期": "2022-03-01", "入户核查日期": "2022-03-03", "村级评议日期": "2022-03-05",
         "公示开始日期": "2022-03-06", "公示结束日期": "2022-03-10", "乡镇审核日期": "2022-03-12",
         "县级确定日期": "2022-03-15", "系统录入日期": "2022-03-16", "农户申报或发现日期": "2022-03-01",
         "首次纳入监测日期": "2022-03-15", "监测类别": "脱贫不稳定户", "劳动能力": "普通劳动力",
         "人均可支配收入（元）": 6500}


def run(*rows: dict[str, Cell], measures: list[dict[str, Cell]] | None = None, as_of: date = AS_OF,
        members: list[dict[str, Cell]] | None = None, **values: object):
    measures = measures if measures is not None else [measure(str(r["户编号"]), **{"开始日期": "2022-03-20"})
                                                      for r in rows]
    validated = validate(register(households=list(rows), measures=measures, members=members or []), today=as_of)
    assert not validated.errors, [e.message for e in validated.errors]
    return evaluate(validated, policy(**{**LINE, **values}), as_of)


def test_the_mechanism_follows_the_date_or_the_policy_file() -> None:
    found = household(1, **{"农户申报或发现日期": "2020-04-20", "首次纳入监测日期": "2020-04-20", "村级评议日期": None,
                            "乡镇审核日期": None, "县级确定日期": None, "系统录入日期": None})
    in_2020 = run(found, measures=[measure("H0001")], as_of=date(2020, 5, 20))
    assert in_2020.policy.mechanism == "2020" and hits(in_2020, "procedure.overdue")
    later = run(found, measures=[measure("H0001")], as_of=date(2021, 3, 1))
    assert later.policy.mechanism == "2021" and not hits(later, "procedure.overdue")
    assert "H0001" in flagged(later, "identify.late")
    forced = run(found, measures=[measure("H0001")], as_of=date(2021, 3, 1), mechanism="2020")
    assert hits(forced, "procedure.overdue") and not hits(forced, "identify.late")


def test_the_years_line_is_used_and_an_unset_year_is_skipped_not_guessed() -> None:
    low = household(1, **{**STEPS, "人均可支配收入（元）": 8000})
    outcome = run(low, as_of=date(2022, 6, 30))
    assert outcome.policy.monitoring_line == 7000 and "H0001" in flagged(outcome, "scope.no_basis")
    unset = run(low, as_of=date(2023, 6, 30))
    assert unset.policy.monitoring_line is None and not hits(unset, "scope.no_basis")
    skipped = {s.key: s.message for s in unset.skipped}
    assert "未设置 2023 年的 monitoring_line" in skipped["monitoring_line"] and "2023: 本省当年的标准" in skipped[
        "monitoring_line"]


def test_a_register_in_the_national_systems_values_validates_clean() -> None:
    rows = [
        household(1, **{**STEPS, "主要风险类型": "因自然灾害、因安全饮水", "监测状态": "风险未消除"}),
        household(2, **{**STEPS, "监测类别": "边缘易致贫户", "主要风险类型": "因缺劳动力 务工就业不稳",
                        "劳动能力": "弱劳动力或半劳动力"}),
        household(3, **{**STEPS, "监测类别": "突发严重困难户", "主要风险类型": "住房出现安全问题",
                        "劳动能力": "丧失劳动力", "监测状态": "风险已消除", "风险是否已消除": "是",
                        "风险消除方式": "帮扶消除", "风险消除日期": "2022-05-30", "人均可支配收入（元）": 9000}),
    ]
    kinds = ["饮水安全保障", "金融帮扶", "公益岗位帮扶", "住房安全保障", "综合保障", "健康帮扶", "义务教育保障"]
    measures = [measure(f"H000{1 + i % 3}", **{"措施类别": k, "开始日期": "2022-03-20"}) for i, k in enumerate(kinds)]
    members = [member("H0001", 101, **{"与户主关系": "之子", "劳动能力": "技能劳动力", "健康状况": "患有大病"}),
               member("H0002", 102, **{"与户主关系": "之儿媳", "劳动能力": "无劳动力", "健康状况": "长期慢性病"})]
    validated = validate(register(households=rows, measures=measures, members=members), today=AS_OF)
    assert validated.errors == ()
    h = validated.tables["households"].values
    assert h.loc[2, "risk_types"] == ("因灾", "饮水安全") and h.loc[2, "status"] == "监测中"  # shown canonical
    assert h.loc[3, "labor"] == "弱劳动力或半劳动力"


def test_identification_within_15_days_and_not_16() -> None:
    on_time = household(1, **{**STEPS, "县级确定日期": "2022-03-16"})  # 15 days after the application
    late = household(2, **{**STEPS, "县级确定日期": "2022-03-17", "系统录入日期": "2022-03-18"})
    outcome = run(on_time, late)
    assert flagged(outcome, "identify.late") == {"H0002"}
    assert "用了 16 天，超过本县设定的 15 天" in one(outcome, "identify.late").message
    waiting = household(1, **{**STEPS, "乡镇审核日期": None, "县级确定日期": None, "系统录入日期": None})
    assert not hits(run(waiting, as_of=date(2022, 3, 16)), "identify.late")
    overdue = one(run(waiting, as_of=date(2022, 3, 17)), "identify.late")
    assert "到判断日已 16 天" in overdue.message and overdue.severity == "warning"
    assert not hits(run(waiting, as_of=date(2022, 3, 17), identification_days=20), "identify.late")


def test_the_notice_lasts_5_days_not_4() -> None:
    five = household(1, **STEPS)  # 3-06 … 3-10, both days count
    four = household(2, **{**STEPS, "公示结束日期": "2022-03-09"})
    outcome = run(five, four)
    assert flagged(outcome, "identify.notice_short") == {"H0002"}
    assert "共 4 天，不足本县设定的 5 天" in one(outcome, "identify.notice_short").message


def test_steps_out_of_order() -> None:
    swapped = household(1, **{**STEPS, "入户核查日期": "2022-02-20"})
    finding = one(run(swapped), "identify.order")
    assert "入户核查日期 2022年2月20日 早于农户申请日期 2022年3月1日" in finding.message


def test_clearance_needs_a_method_and_a_date_not_before_identification() -> None:
    cleared = {**STEPS, "监测状态": "风险已消除", "风险消除方式": "自然消除", "人均可支配收入（元）": 9000}
    same_day = household(1, **{**cleared, "风险消除日期": "2022-03-15"})  # the identification day itself
    day_before = household(2, **{**cleared, "风险消除日期": "2022-03-14"})
    no_method = household(3, **{**cleared, "风险消除日期": "2022-05-01", "风险消除方式": None})
    outcome = run(same_day, day_before, no_method)
    assert flagged(outcome, "clear.no_method") == {"H0002", "H0003"}
    messages = {f.household: f.message for f in hits(outcome, "clear.no_method")}
    assert "早于县级审定日期" in messages["H0002"] and "没有填写风险消除方式" in messages["H0003"]


def test_assisted_clearance_with_income_below_the_years_line() -> None:
    cleared = {**STEPS, "监测状态": "风险已消除", "风险消除方式": "帮扶消除", "风险消除日期": "2022-05-01"}
    below, at_line = household(1, **{**cleared, "人均可支配收入（元）": 6999}), household(2, **{**cleared,
                                                                                         "人均可支配收入（元）": 7000})
    outcome = run(below, at_line)
    assert flagged(outcome, "clear.assisted_below_line") == {"H0001"}
    assert "仍低于 2022 年的监测标准 7,000 元" in one(outcome, "clear.assisted_below_line").message


def test_measures_that_answer_the_risk() -> None:
    thirsty = household(1, **{**STEPS, "主要风险类型": "因安全饮水"})
    answered = household(2, **{**STEPS, "主要风险类型": "因安全饮水"})
    ill = household(3, **{**STEPS, "主要风险类型": "因病"})
    measures = [measure("H0001", **{"开始日期": "2022-03-20"}),
                measure("H0002", **{"措施类别": "饮水安全保障", "开始日期": "2022-03-20"}),
                measure("H0003", **{"措施类别": "综合保障", "开始日期": "2022-03-20"})]
    outcome = run(thirsty, answered, ill, measures=measures)
    assert flagged(outcome, "assist.risk_unmatched") == {"H0001"}
    assert "“饮水安全”却没有正在实施的饮水安全保障" in one(outcome, "assist.risk_unmatched").message


def test_the_data_doubts_counties_check_by_hand() -> None:
    no_cost = household(1, **{**STEPS, "主要风险类型": "因病", "合规自付医疗费用（元）": 0})
    with_cost = household(2, **{**STEPS, "主要风险类型": "因病", "合规自付医疗费用（元）": 1200})
    short = household(3, **{**STEPS, "主要风险类型": "缺劳动力"})
    mixed = household(4, **{**STEPS, "主要风险类型": "缺劳动力"})
    members = [member("H0003", 101, **{"劳动能力": "普通劳动力"}), member("H0003", 102, **{"劳动能力": "技能劳动力"}),
               member("H0004", 103, **{"劳动能力": "普通劳动力"}), member("H0004", 104, **{"劳动能力": "丧失劳动力"})]
    outcome = run(no_cost, with_cost, short, mixed, members=members)
    assert flagged(outcome, "doubt.illness_no_cost") == {"H0001"}
    assert flagged(outcome, "doubt.labour_shortage") == {"H0003"}
    assert {f.severity for f in hits(outcome, "doubt.labour_shortage")} == {"information"}
