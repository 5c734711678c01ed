"""The rule registry, the compliant household, scope/scale/coverage/status rules, and the outcome's shape."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from tests.builders import register
from tests.rules_support import AS_OF, at, flagged, hits, household, measure, one, policy, run, validated, village
from tracker.rules import CHECKS, RULES, evaluate, rule, whole_months
from tracker.rules.policy import KEYS
from tracker.validate.validator import validate

RULE_IDS = ("scope.no_basis", "scale.share", "procedure.pending", "procedure.overdue", "procedure.order",
            "procedure.no_signoff", "assist.none", "assist.mismatch", "dibao.gradual_exit", "relief.approval_level",
            "relief.emergency_minimum", "edge.should_register", "monitor.returned_to_poverty",
            "monitor.no_responsible", "clear.premature", "coverage.unscreened",
            # the 2021+ mechanism (issue 16)
            "identify.late", "identify.notice_short", "identify.order", "clear.no_method",
            "clear.assisted_below_line", "assist.risk_unmatched", "doubt.illness_no_cost", "doubt.labour_shortage")
WARNING_RULE_IDS = ("warning.monitored", "warning.cleared", "warning.unmonitored")  # issue 9: department lists


# ------------------------------------------------------------------------------------------- registry


def test_registry_holds_every_rule_of_the_issue_once() -> None:
    assert tuple(spec.id for spec in RULES) == RULE_IDS + WARNING_RULE_IDS
    assert set(CHECKS) == set(RULE_IDS)  # the warning rules are judged by tracker.rules.warnings, with the lists
    assert {spec.id for spec in RULES if spec.source == "warnings"} == set(WARNING_RULE_IDS)


@pytest.mark.parametrize("spec", RULES, ids=lambda s: s.id)
def test_every_rule_is_documented(spec) -> None:
    assert spec.severity in ("error", "warning", "information")
    assert spec.level in ("household", "measure", "village", "county")
    assert spec.title and spec.explanation and "请" in spec.next_action
    assert spec.basis.citations or spec.basis.setting  # cited, or saying it is the county's setting (test_citations)
    assert set(spec.part_needs) <= set(spec.needs) <= set(KEYS)
    assert bool(spec.part) is bool(spec.part_needs)
    assert rule(spec.id) is spec


def test_rule_lookup_of_unknown_id_fails() -> None:
    with pytest.raises(KeyError):
        rule("no.such.rule")


# ------------------------------------------------------------------------------------------ compliant


def test_a_compliant_household_gets_no_finding_at_all() -> None:
    outcome = run([household(1)])
    assert outcome.findings == ()
    fact = outcome.facts[2]
    assert fact.household == "H0001" and fact.monitored
    assert fact.criteria == ("low_income",) and fact.criteria_decided
    assert fact.steps_done == ("village_review", "township_review", "county_decision", "system_entry")
    assert fact.steps_missing == () and not fact.overdue and fact.carried_over is False
    assert fact.deadline == date(2020, 6, 30)  # reported 2020-05-18: the end of the following month
    assert fact.active_measures == 1 and fact.relief == ()


def test_compliant_households_with_every_county_value_set_get_only_the_scale_information() -> None:
    outcome = run([household(1), household(2)], registered_population=120)  # 6 people = 5%
    assert [(f.rule, f.severity) for f in outcome.findings] == [("scale.share", "information")]
    assert outcome.skipped == ()


# -------------------------------------------------------------------------------------- scope.no_basis

ABOVE = {"人均可支配收入（元）": 6500, "上年度家庭收入（元）": 15000, "刚性支出（元）": 15000,
         "本年预计家庭收入（元）": 7501}


def test_no_basis_income_exactly_at_the_line_is_not_below_it() -> None:
    outcome = run([household(1, **{**ABOVE, "人均可支配收入（元）": 6000}),
                   household(2, **{**ABOVE, "人均可支配收入（元）": 5999.99})])
    finding = one(outcome, "scope.no_basis")
    assert finding.household == "H0001" and finding.severity == "warning"
    assert "人均可支配收入 6,000 元，不低于监测标准 6,000 元" in finding.message
    assert finding.sheet == "监测户" and finding.row == 2
    assert finding.township == "城关镇" and finding.village == "东村"


def test_no_basis_rigid_expense_must_exceed_last_year_income() -> None:
    outcome = run([household(1, **ABOVE), household(2, **{**ABOVE, "刚性支出（元）": 15001})])
    assert flagged(outcome, "scope.no_basis") == {"H0001"}
    assert outcome.facts[3].criteria == ("high_expense",)


def test_no_basis_income_drop_to_exactly_half_counts_as_a_large_drop() -> None:
    outcome = run([household(1, **{**ABOVE, "本年预计家庭收入（元）": 7500}), household(2, **ABOVE)])
    assert flagged(outcome, "scope.no_basis") == {"H0002"}
    assert outcome.facts[2].criteria == ("income_drop",)
    assert "本年预计家庭收入 7,501 元，高于上年度的 50%（7,500 元）" in one(outcome, "scope.no_basis").message


def test_no_basis_threshold_comes_from_the_policy() -> None:
    outcome = run([household(1, **{**ABOVE, "本年预计家庭收入（元）": 12000})], income_drop_threshold=0.2)
    assert hits(outcome, "scope.no_basis") == []  # 12000 <= 0.8 x 15000


def test_no_basis_does_not_accuse_when_a_criterion_is_undecidable() -> None:
    undecidable = [{"人均可支配收入（元）": "abc"}, {"刚性支出（元）": None}, {"上年度家庭收入（元）": "很多"},
                   {"本年预计家庭收入（元）": None}]
    outcome = run([household(n, **{**ABOVE, **cells}) for n, cells in enumerate(undecidable, start=1)])
    assert hits(outcome, "scope.no_basis") == []
    assert not any(fact.criteria_decided for fact in outcome.facts.values())


def test_no_basis_only_for_monitored_households() -> None:
    outcome = run([household(1, **{**ABOVE, "监测状态": "自然减少"})])
    assert hits(outcome, "scope.no_basis") == []


# ----------------------------------------------------------------------------------------- scale.share


def test_scale_share_is_skipped_with_one_line_while_the_population_is_unset() -> None:
    outcome = run([household(1)])
    assert hits(outcome, "scale.share") == []
    assert [s.key for s in outcome.skipped] == ["registered_population"]
    skipped = outcome.skipped[0]
    assert skipped.rules == ("scale.share",)
    assert "registered_population" in skipped.message and "schemas/policy.yaml" in skipped.message
    assert "--policy" in skipped.message
    assert outcome.county.share is None and outcome.county.monitored_people == 3


def test_scale_share_boundaries() -> None:
    register = validated([household(1), household(2, **{"监测状态": "风险已消除", "风险消除日期": "2020-06-01",
                                                        "人均可支配收入（元）": 8000})])
    cases = [(40, "information"),   # 3 / 40 = 7.5%: exactly target + half
             (39, "warning"),       # 7.69%
             (120, "information"),  # 2.5%: exactly target - half
             (121, "warning")]      # 2.48%
    for population, severity in cases:
        outcome = at(register, registered_population=population)
        finding = one(outcome, "scale.share")
        assert finding.severity == severity, population
        assert (finding.household, finding.township, finding.village, finding.sheet, finding.row) == (None,) * 5
        assert "监测中 1 户、3 人" in finding.message
        assert outcome.county.monitored_households == 1
        assert outcome.county.within_target is (severity == "information")
        assert outcome.findings[0] is finding  # county-wide findings come first
        assert outcome.skipped == ()


def test_scale_share_counts_households_with_unknown_size_aside() -> None:
    outcome = run([household(1), household(2, **{"家庭人口数": "三口"})], registered_population=60)
    assert outcome.county.monitored_people == 3 and outcome.county.people_unknown == 1
    assert "另有 1 户的家庭人口数无效或未填" in one(outcome, "scale.share").message


# ------------------------------------------------------------------------------------ coverage.unscreened


def test_unscreened_village_boundaries() -> None:
    screened = {"东村": AS_OF - timedelta(days=31), "西村": AS_OF - timedelta(days=32), "南村": None,
                "北村": "2020-02-30"}  # the last one invalid: reported by validate, not accused here
    villages = [village(**{"行政村": name, "最近排查日期": when, "村代码": None}) for name, when in screened.items()]
    outcome = run([household(1)], villages=villages)
    found = {f.village: f for f in hits(outcome, "coverage.unscreened")}
    assert set(found) == {"西村", "南村"}
    assert (found["西村"].household, found["西村"].township, found["西村"].sheet, found["西村"].row) == (
        None, "城关镇", "行政村", 3)
    assert "已 32 天，超过了 31 天" in found["西村"].message
    assert "没有填写最近排查日期" in found["南村"].message and found["南村"].row == 4


def test_unscreened_interval_comes_from_the_policy() -> None:
    outcome = run([household(1)], villages=[village(**{"最近排查日期": "2020-06-01"})], screening_interval_days=7)
    assert "超过了 7 天" in one(outcome, "coverage.unscreened").message


# ------------------------------------------------------------------------- status: edge, returned, clear


def test_edge_household_below_the_poverty_line_should_be_registered() -> None:
    outcome = run([household(1, **{"监测类别": "边缘户", "人均可支配收入（元）": 4000}),
                   household(2, **{"监测类别": "边缘户", "人均可支配收入（元）": 3999}),
                   household(3, **{"监测类别": "边缘户", "人均可支配收入（元）": 3000, "监测状态": "已纳入建档立卡"})])
    assert flagged(outcome, "edge.should_register") == {"H0002"}
    assert hits(outcome, "monitor.returned_to_poverty") == []
    assert "3,999 元，低于国家扶贫标准 4,000 元" in one(outcome, "edge.should_register").message


def test_monitored_household_below_the_poverty_line_returned_to_poverty() -> None:
    outcome = run([household(1, **{"人均可支配收入（元）": 4000}), household(2, **{"人均可支配收入（元）": 3999}),
                   household(3, **{"人均可支配收入（元）": "3千"})])
    assert flagged(outcome, "monitor.returned_to_poverty") == {"H0002"}
    assert one(outcome, "monitor.returned_to_poverty").severity == "error"


def test_no_responsible_only_while_monitored() -> None:
    outcome = run([household(1, **{"帮扶责任人": None}),
                   household(2, **{"帮扶责任人": None, "监测状态": "自然减少"}),
                   household(3, **{"帮扶责任人": "  "})])
    assert flagged(outcome, "monitor.no_responsible") == {"H0001", "H0003"}


CLEARED = {"监测状态": "风险已消除", "风险消除日期": "2020-06-01", "人均可支配收入（元）": 6000,
           "刚性支出（元）": 15000, "上年度家庭收入（元）": 15000}


def test_clear_premature_boundaries() -> None:
    outcome = run([
        household(1, **CLEARED),
        household(2, **{**CLEARED, "风险消除日期": None}),
        household(3, **{**CLEARED, "人均可支配收入（元）": 5999}),
        household(4, **{**CLEARED, "刚性支出（元）": 15001}),
        household(5, **{**CLEARED, "风险消除日期": "2020-02-30"}),  # invalid date: not accused of having none
    ])
    assert flagged(outcome, "clear.premature") == {"H0002", "H0003", "H0004"}
    messages = {f.household: f.message for f in hits(outcome, "clear.premature")}
    assert "没有填写风险消除日期" in messages["H0002"]
    assert "5,999 元，仍低于监测标准 6,000 元" in messages["H0003"]
    assert "刚性支出 15,001 元，仍超过上年度家庭收入 15,000 元" in messages["H0004"]


# -------------------------------------------------------------------------------- general behaviour


def test_households_with_a_data_error_elsewhere_are_still_judged() -> None:
    outcome = run([household(1, **{"联系电话": "12345", "人均可支配收入（元）": 3999})])
    assert flagged(outcome, "monitor.returned_to_poverty") == {"H0001"}


def test_findings_are_sorted_by_township_village_row_rule() -> None:
    villages = [village(), village(**{"乡镇（街道）": "城关镇", "行政村": "西村"}),
                village(**{"乡镇（街道）": "白沙镇", "行政村": "北村", "最近排查日期": None})]
    outcome = run([household(1, **{"行政村": "西村", "帮扶责任人": None, "人均可支配收入（元）": 3000}),
                   household(2, **{"帮扶责任人": None}),
                   household(3, **{"乡镇（街道）": "白沙镇", "行政村": "北村", "帮扶责任人": None})],
                  villages=villages, registered_population=60)
    keys = [(f.township, f.village, f.row, f.rule) for f in outcome.findings]
    assert keys == [
        (None, None, None, "scale.share"),
        ("城关镇", "东村", 3, "monitor.no_responsible"),
        ("城关镇", "西村", 2, "monitor.no_responsible"),
        ("城关镇", "西村", 2, "monitor.returned_to_poverty"),
        ("白沙镇", "北村", 4, "coverage.unscreened"),
        ("白沙镇", "北村", 4, "monitor.no_responsible"),
    ]


def test_whole_months() -> None:
    start = pd.Series(pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-01", "2020-01-15", "2020-01-31",
                                      "2020-01-31", "2020-01-01", None]))
    end = pd.Series(pd.to_datetime(["2020-12-31", "2020-12-30", "2021-01-31", "2021-01-14", "2020-02-28",
                                    "2020-02-27", "2021-01-30", "2020-12-31"]))
    assert whole_months(start, end).tolist() == [12, 11, 13, 12, 1, 0, 12, pd.NA]


def test_facts_are_keyed_by_spreadsheet_row_and_iterable() -> None:
    outcome = run([household(1), household(2)])
    assert list(outcome.facts) == [2, 3] and len(outcome.facts) == 2
    assert [fact.household for fact in outcome.facts.values()] == ["H0001", "H0002"]
    assert dict(outcome.facts.items())[3] == outcome.facts[3]
    with pytest.raises(KeyError):
        outcome.facts[99]


def test_measure_ids_are_matched_the_way_validation_folds_them() -> None:
    outcome = run([household(1), household(2)], measures=[measure("h0001"), measure(" Ｈ0002 ")])
    assert hits(outcome, "assist.none") == []


def test_no_measures_tab_rows_is_fine() -> None:
    outcome = run([household(1)], measures=[])
    assert flagged(outcome, "assist.none") == {"H0001"}


def test_rows_are_the_spreadsheet_rows_below_title_lines() -> None:
    raw = register(households=[household(1, **{"帮扶责任人": None})], measures=[measure("H0001")], title_rows=2)
    outcome = evaluate(validate(raw, today=AS_OF), policy(), AS_OF)
    finding = one(outcome, "monitor.no_responsible")
    assert finding.row == 4 and list(outcome.facts) == [4]


def test_a_measure_of_an_unknown_household_keeps_its_own_id() -> None:
    relief = {"措施类别": "临时救助", "金额（元）": 3000, "审批层级": "乡镇"}
    outcome = run([household(1)], measures=[measure("H0001"), measure("H0404", **relief)])
    finding = one(outcome, "relief.approval_level")
    assert (finding.household, finding.township, finding.village, finding.row) == ("H0404", None, None, 3)


def test_measures_of_no_known_household_are_still_reported() -> None:
    """Measures left for a household that is no longer on the 监测户 tab: they belong to no place.  (An emptied
    监测户 tab, header only, is refused before the rules: see tests/test_hostile.py.)"""
    relief = {"措施类别": "临时救助", "金额（元）": 3000, "审批层级": "乡镇"}
    outcome = run([household(2)], measures=[measure("H0001", **relief)])
    finding = one(outcome, "relief.approval_level")
    assert (finding.household, finding.township, finding.village, finding.row) == ("H0001", None, None, 2)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_findings_of_a_messy_register_never_carry_nan(seed: int) -> None:
    """Every text field of a finding is text or None: NaN is no place (it broke sorting and the JSON report)."""
    from tests.test_checks import TODAY, _register

    outcome = evaluate(validate(_register(seed, 300), today=TODAY), policy(), TODAY)
    fields = ("household", "township", "village", "sheet", "message", "next_action")
    assert len(outcome.findings) > 5
    assert [f for f in outcome.findings if any(isinstance(getattr(f, k), float) for k in fields)] == []


def test_the_messages_name_the_income_concept_the_register_keeps() -> None:
    """Issue 16: a register keeping 人均纯收入 (the national system's column) is read, and told in its own words."""
    from tests.builders import headers
    from tracker.register.sheets import RawRegister, RawSheet
    from tracker.rules import evaluate
    from tracker.validate.validator import validate

    reg = register(households=[household(1, **{"人均可支配收入（元）": 3500})], measures=[measure("H0001")])
    sheet = reg.sheets["监测户"]
    (n, head), *rows = sheet.rows
    renamed = tuple("人均纯收入（元）" if h == "人均可支配收入（元）" else h for h in head)
    reg = RawRegister(reg.source, {**reg.sheets, "监测户": RawSheet("监测户", ((n, renamed), *rows))})
    validated = validate(reg, today=AS_OF)
    assert not validated.errors and "人均可支配收入（元）" in headers("households")
    found = [f for f in evaluate(validated, policy(), AS_OF).findings if f.rule == "monitor.returned_to_poverty"]
    assert found and "人均纯收入 3,500 元" in found[0].message and "可支配" not in found[0].message
