"""Assistance measures, dibao gradual exit and temporary relief: rules at their boundaries."""

from __future__ import annotations

from datetime import timedelta

from tests.rules_support import AS_OF, at, flagged, hits, household, measure, one, run, validated

# ----------------------------------------------------------------------------------------- assist.none


def test_assist_none_judges_active_measures_on_the_day() -> None:
    day = AS_OF.isoformat()
    outcome = run(
        [household(n) for n in range(1, 9)] + [household(9, **{"监测状态": "自然减少"})],
        measures=[
            # H0001: no measure at all
            measure("H0002", **{"开始日期": "2020-01-01", "结束日期": "2020-06-14"}),  # ended the day before
            measure("H0003", **{"开始日期": "2020-01-01", "结束日期": day}),  # ends on the day: active
            measure("H0004", **{"开始日期": day}),  # starts on the day: active
            measure("H0005", **{"开始日期": (AS_OF + timedelta(days=1)).isoformat()}),  # not started yet
            measure("H0006", **{"开始日期": "2020-02-30"}),  # invalid start: undecidable, not accused
            measure("H0007", **{"结束日期": "明年"}),  # invalid end: undecidable
            measure("H0008"), measure("H0008", **{"结束日期": "2020-06-10"}),  # one of two still active
        ])
    assert flagged(outcome, "assist.none") == {"H0001", "H0002", "H0005"}
    messages = {f.household: f.message for f in hits(outcome, "assist.none")}
    assert messages["H0001"] == "到 2020年6月15日 没有正在实施的帮扶措施（“帮扶措施”表中没有本户的措施）。"
    assert "本户登记的 1 项措施都还没开始或已经结束" in messages["H0002"]
    assert {f.severity for f in hits(outcome, "assist.none")} == {"error"}
    assert outcome.facts[9].active_measures == 1  # H0008: one of its two measures ended


def test_assist_none_needs_a_valid_household_id() -> None:
    outcome = run([household(1), household(2, **{"户编号": "H0001"})], measures=[measure("H0001")])
    assert hits(outcome, "assist.none") == []  # the duplicate's measures cannot be told apart


# ------------------------------------------------------------------------------------- assist.mismatch


def test_assist_mismatch_by_labor_capacity() -> None:
    labor = {1: "有劳动能力", 2: "无劳动能力", 3: "弱劳动能力", 4: "无劳动能力", 5: "有劳动能力", 6: "有劳动能力",
             7: "有劳动能力", 8: "弱劳动能力"}
    outcome = run(
        [household(n, **{"劳动能力": value}) for n, value in labor.items()],
        measures=[
            measure("H0001", **{"措施类别": "兜底保障"}),
            measure("H0002", **{"措施类别": "产业帮扶"}),
            measure("H0003", **{"措施类别": "兜底保障"}),
            measure("H0004", **{"措施类别": "兜底保障"}),
            measure("H0005", **{"措施类别": "产业帮扶", "结束日期": "2020-06-10"}),  # ended
            measure("H0005", **{"措施类别": "兜底保障"}), measure("H0005", **{"措施类别": "临时救助"}),
            measure("H0006", **{"措施类别": "就业帮扶"}),
            measure("H0007", **{"措施类别": "兜底保障"}), measure("H0007", **{"措施类别": "帮扶"}),  # invalid kind
            measure("H0008", **{"措施类别": "扶志扶智"}),
        ])
    assert flagged(outcome, "assist.mismatch") == {"H0001", "H0002", "H0005"}
    messages = {f.household: f for f in hits(outcome, "assist.mismatch")}
    assert messages["H0005"].message == ("劳动能力为“有劳动能力”，正在实施的措施（兜底保障、临时救助）中"
                                         "没有产业帮扶或就业帮扶。")
    assert "兜底保障" in messages["H0002"].message and "兜底" in messages["H0002"].next_action
    assert messages["H0001"].severity == "warning"
    assert hits(outcome, "assist.none") == []


# ---------------------------------------------------------------------------------- dibao.gradual_exit

ON_DIBAO = {"是否享受低保": "是"}


def test_gradual_exit_income_band_boundaries() -> None:
    incomes = {1: 6300, 2: 6301, 3: 4200, 4: 4201}  # rural dibao 4200: band is (4200, 6300]
    register = validated([household(n, **{**ON_DIBAO, "人均可支配收入（元）": v}) for n, v in incomes.items()]
                         + [household(5, **{"是否享受低保": "否", "人均可支配收入（元）": 4500}),
                            household(6, **{"人均可支配收入（元）": 4500, "是否享受低保": None}),
                            household(7, **{**ON_DIBAO, "人均可支配收入（元）": 4500, "低保渐退期起": "2020-03-01"}),
                            household(8, **{**ON_DIBAO, "人均可支配收入（元）": 4500, "低保渐退期起": "2020-02-30"})])
    outcome = at(register)
    assert flagged(outcome, "dibao.gradual_exit") == {"H0001", "H0004", "H0007"}
    messages = {f.household: f.message for f in hits(outcome, "dibao.gradual_exit")}
    assert messages["H0001"] == ("享受低保，人均可支配收入 6,300 元，超过农村低保标准 4,200 元，"
                                 "在其 1.5 倍（6,300 元）以内，但没有登记低保渐退期。")
    assert "只填了渐退期起 2020年3月1日，没有填止" in messages["H0007"]

    unset = at(register, rural_dibao_annual=None)
    assert hits(unset, "dibao.gradual_exit") == []
    skipped = next(s for s in unset.skipped if s.key == "rural_dibao_annual")
    assert skipped.rules == () and skipped.partly == ("dibao.gradual_exit",)
    assert "dibao.gradual_exit" not in unset.skipped_rules


def test_gradual_exit_period_length_in_whole_months() -> None:
    periods = {
        1: ("脱贫监测户", "2020-01-01", "2020-12-31"),  # 12: right
        2: ("脱贫监测户", "2020-01-01", "2020-12-30"),  # 11
        3: ("脱贫监测户", "2020-01-01", "2021-01-31"),  # 13
        4: ("边缘户", "2020-01-01", "2020-06-30"),  # 6: right
        5: ("边缘户", "2020-01-01", "2020-05-31"),  # 5
        6: ("边缘户", "2020-01-01", "2020-12-31"),  # 12: right
        7: ("边缘户", "2020-01-01", "2021-01-31"),  # 13
    }
    register = validated(
        [household(n, **{**ON_DIBAO, "监测类别": c, "低保渐退期起": s, "低保渐退期止": e, "人均可支配收入（元）": 4500})
         for n, (c, s, e) in periods.items()]
        + [household(8, **{"低保渐退期起": "2020-01-01", "低保渐退期止": "2020-03-31"})])  # not on dibao
    outcome = at(register, rural_dibao_annual=None)  # the length check needs no county value
    assert flagged(outcome, "dibao.gradual_exit") == {"H0002", "H0003", "H0005", "H0007"}
    messages = {f.household: f.message for f in hits(outcome, "dibao.gradual_exit")}
    assert messages["H0002"] == ("低保渐退期 2020年1月1日 至 2020年12月30日，按整月计为 11 个月；"
                                 "脱贫监测户的渐退期应为 12 个月。")
    assert "按整月计为 5 个月；边缘户的渐退期应为 6—12 个月" in messages["H0005"]
    assert [outcome.facts[row].exit_months for row in range(2, 10)] == [12, 11, 13, 6, 5, 12, 13, 3]


def test_gradual_exit_ending_within_30_days() -> None:
    ends = {1: AS_OF + timedelta(days=30), 2: AS_OF + timedelta(days=31), 3: AS_OF, 4: AS_OF - timedelta(days=1)}
    outcome = run([household(n, **{"低保渐退期起": "2019-07-01", "低保渐退期止": end.isoformat()})
                   for n, end in ends.items()])
    assert [outcome.facts[row].exit_ends_soon for row in (2, 3, 4, 5)] == [True, False, True, False]
    assert outcome.facts[2].exit_end == AS_OF + timedelta(days=30)


# ---------------------------------------------------------------------------------------------- relief

RELIEF = {"措施类别": "临时救助", "具体措施": "临时救助金"}


def test_relief_approval_level_above_three_times_the_urban_monthly_dibao() -> None:
    outcome = run([household(1)], measures=[
        measure("H0001"),  # row 2
        measure("H0001", **{**RELIEF, "金额（元）": 2100, "审批层级": "乡镇"}),  # row 3: exactly 3 x 700
        measure("H0001", **{**RELIEF, "金额（元）": 2101, "审批层级": "乡镇"}),  # row 4
        measure("H0001", **{**RELIEF, "金额（元）": 2101, "审批层级": "县级"}),  # row 5
        measure("H0001", **{**RELIEF, "金额（元）": 9000}),  # row 6: level not written
        measure("H0001", **{"措施类别": "兜底保障", "金额（元）": 9000, "审批层级": "乡镇"}),  # row 7
    ])
    finding = one(outcome, "relief.approval_level")
    assert (finding.household, finding.township, finding.village, finding.sheet, finding.row) == (
        "H0001", "城关镇", "东村", "帮扶措施", 4)
    assert finding.message.startswith("临时救助 2,101 元，超过城市月低保标准 700 元的 3 倍（2,100 元）")
    relief = {r.measure_row: r for r in outcome.facts[2].relief}
    assert set(relief) == {3, 4, 5, 6}
    assert [relief[row].needed_level for row in (3, 4, 5, 6)] == ["乡镇", "县级", "县级", "县级"]
    assert relief[4].recorded_level == "乡镇" and relief[4].amount == 2101


def test_relief_emergency_minimum_eight_times_the_urban_monthly_dibao() -> None:
    emergency = {**RELIEF, "救助类型": "急难型", "审批层级": "县级"}
    outcome = run([household(1), household(2, **{"家庭人口数": 1}), household(3, **{"家庭人口数": 2})], measures=[
        measure("H0001"), measure("H0002"), measure("H0003"),
        measure("H0001", **{**emergency, "金额（元）": 5600}),  # row 5: exactly 8 x 700
        measure("H0001", **{**emergency, "金额（元）": 5599}),  # row 6
        measure("H0002", **{**emergency, "金额（元）": 3000}),  # row 7: one person
        measure("H0003", **{**emergency, "金额（元）": 5599, "救助类型": "支出型"}),  # row 8
        measure("H0003", **{**emergency, "金额（元）": None}),  # row 9: amount unknown
        measure("H0003", **{**emergency, "金额（元）": 100}),  # row 10: two people
    ])
    found = hits(outcome, "relief.emergency_minimum")
    assert [(f.household, f.row) for f in found] == [("H0001", 6), ("H0003", 10)]
    assert found[0].message == ("急难型临时救助 5,599 元，家庭人口 3 人，低于城市月低保标准 700 元的 8 倍（5,600 元），"
                                "还差 1 元。")
    assert found[0].next_action.startswith("请按不低于 5,600 元的金额补足救助")


def test_relief_beside_a_measure_of_an_unknown_household_keeps_whole_people_and_no_nan() -> None:
    """A measure whose 户编号 matches no household must not turn the others' family size into "3.0", nor give
    findings a NaN township (findings say None for "no place"; NaN also broke sorting and JSON)."""
    emergency = {**RELIEF, "救助类型": "急难型", "审批层级": "乡镇", "金额（元）": 2500}
    outcome = run([household(1)], measures=[measure("H0001"), measure("H0001", **emergency),
                                            measure("H0404", **emergency)])
    found = hits(outcome, "relief.emergency_minimum")
    assert [(f.household, f.township, f.row) for f in found] == [("H0001", "城关镇", 3)]
    assert "家庭人口 3 人" in found[0].message
    levels = hits(outcome, "relief.approval_level")
    assert [(f.household, f.township, f.village) for f in levels] == [("H0404", None, None),
                                                                      ("H0001", "城关镇", "东村")]
    places = [(f.household, f.township, f.village) for f in outcome.findings]
    assert not any(isinstance(value, float) for place in places for value in place)


def test_relief_amount_of_minus_zero_reads_zero_yuan() -> None:
    outcome = run([household(1)], measures=[measure("H0001"), measure("H0001", **{
        **RELIEF, "救助类型": "急难型", "审批层级": "县级", "金额（元）": -0.0})])  # a workbook cell
    assert one(outcome, "relief.emergency_minimum").message.startswith("急难型临时救助 0 元，")


def test_relief_rules_are_skipped_once_while_the_urban_dibao_is_unset() -> None:
    outcome = run([household(1)], measures=[measure("H0001"), measure("H0001", **{**RELIEF, "金额（元）": 9999,
                                                                                   "审批层级": "乡镇"})],
                  urban_dibao_monthly=None)
    assert hits(outcome, "relief.approval_level") == [] and hits(outcome, "relief.emergency_minimum") == []
    urban = [s for s in outcome.skipped if s.key == "urban_dibao_monthly"]
    assert len(urban) == 1
    assert urban[0].rules == ("relief.approval_level", "relief.emergency_minimum")
    assert "urban_dibao_monthly" in urban[0].message and "schemas/policy.yaml" in urban[0].message
    assert outcome.facts[2].relief[0].needed_level is None
    assert {"relief.approval_level", "relief.emergency_minimum"} <= outcome.skipped_rules
