"""Policy parameters: defaults, county overrides, every mistake reported at once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.common.errors import ConfigError
from tracker.common.resources import resource
from tracker.rules.policy import COUNTY_KEYS, KEYS, Policy, load_policy

ISSUE_EXAMPLE = """\
monitoring_line: 6000          # 监测标准
poverty_line: 4000
rural_dibao_annual: 4200
urban_dibao_monthly: 700
registered_population: 84000
scale_target: 0.05
rectification_deadline: 2020-05-10
income_drop_threshold: 0.5
screening_interval_days: 31
"""


def write(tmp_path: Path, text: str, name: str = "county.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(exc: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return [line.strip()[2:] for line in str(exc.value).splitlines()[1:]]


def test_defaults_are_the_2020_values_and_county_values_stay_unset() -> None:
    policy = load_policy()
    assert policy == Policy(6000, 4000, None, None, None, 0.05, date(2020, 5, 10), 0.5, 31,
                            by_year=(("monitoring_line", ((2020, 6000),)), ("poverty_line", ((2020, 4000),))))
    assert policy.on(date(2020, 12, 31)).mechanism == "2020" and policy.on(date(2021, 1, 1)).mechanism == "2021"
    # no national line after 2020: unset, never guessed (the rules needing it are skipped and say so)
    assert policy.on(date(2026, 3, 1)).monitoring_line is None and policy.on(date(2020, 3, 1)).monitoring_line == 6000
    assert set(COUNTY_KEYS) == {"rural_dibao_annual", "urban_dibao_monthly", "registered_population"}
    assert policy.missing([k for k in KEYS if k != "mechanism"]) == COUNTY_KEYS


def test_defaults_file_names_every_key_and_leaves_county_values_empty_with_a_comment() -> None:
    text = (resource("schemas") / "policy.yaml").read_text(encoding="utf-8")
    for key in KEYS:
        assert f"\n{key}:" in text
    for key in COUNTY_KEYS:
        assert f"\n{key}:\n" in text  # present, empty: no silent default
    assert text.count("【县里填写】") >= 3


def test_as_dict_is_json_ready() -> None:
    data = load_policy().as_dict()
    assert list(data) == [*KEYS, "by_year"]
    assert data["by_year"] == {"monitoring_line": {"2020": 6000}, "poverty_line": {"2020": 4000}}
    assert data["rectification_deadline"] == "2020-05-10"
    assert data["monitoring_line"] == 6000 and data["urban_dibao_monthly"] is None
    assert json.loads(json.dumps(data)) == data


def test_the_issue_example_is_accepted_exactly(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, ISSUE_EXAMPLE))
    assert policy.rural_dibao_annual == 4200 and policy.urban_dibao_monthly == 700
    assert policy.registered_population == 84000
    assert policy.rectification_deadline == date(2020, 5, 10)


def test_override_is_merged_over_the_defaults(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "monitoring_line: 7500\nurban_dibao_monthly: 700.5\n"))
    assert policy.monitoring_line == 7500
    assert policy.urban_dibao_monthly == 700.5
    assert policy.poverty_line == 4000 and policy.scale_target == 0.05  # untouched defaults
    assert policy.rural_dibao_annual is None


def test_empty_override_file_changes_nothing(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "# nothing yet\n")) == load_policy()


def test_derived_amounts() -> None:
    unset = load_policy()
    assert unset.derived() == {"relief_township_limit": None, "emergency_minimum": None, "dibao_exit_ceiling": None}
    policy = Policy(6000, 4000, 4200, 700, 84000, 0.05, date(2020, 5, 10), 0.5, 31)
    assert policy.relief_township_limit == 2100
    assert policy.emergency_minimum == 5600
    assert policy.dibao_exit_ceiling == 6300


def test_every_bad_key_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, """\
monitoring_lin: 6000
poverty_line: "4000元"
urban_dibao_monthly: -700
income_drop_threshold: 1.5
rectification_deadline: 2020-13-01
screening_interval_days: 7.5
scale_target: 0
registered_population: yes
""")
    with pytest.raises(ConfigError) as exc:
        load_policy(path)
    found = problems(exc)
    assert len(found) == 8
    assert str(exc.value).startswith("政策参数有 8 处错误")
    assert all(p.startswith(str(path)) for p in found)
    assert "不认识的参数「monitoring_lin」，是不是要写「monitoring_line」？" in found[0]
    assert "poverty_line" in found[1] and "应为数字" in found[1] and "4000元" in found[1]
    assert "urban_dibao_monthly" in found[2] and "不能为负数" in found[2]
    assert "income_drop_threshold" in found[3] and "0 到 1 之间" in found[3]
    assert "rectification_deadline" in found[4] and "2020-13-01" in found[4]
    assert "screening_interval_days" in found[5] and "整数" in found[5]
    assert "scale_target" in found[6]
    assert "registered_population" in found[7] and "应为数字" in found[7]


def test_unknown_key_without_a_close_match_lists_the_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_policy(write(tmp_path, "县名: 清河县\n"))
    assert "不认识的参数「县名」" in str(exc.value)
    assert "screening_interval_days" in str(exc.value)


def test_required_values_cannot_be_emptied_but_county_values_can(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "rural_dibao_annual:\n")).rural_dibao_annual is None
    with pytest.raises(ConfigError, match=r"monitoring_line.*不能为空"):
        load_policy(write(tmp_path, "monitoring_line:\n"))


def test_monitoring_line_below_poverty_line_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="不应低于国家扶贫标准"):
        load_policy(write(tmp_path, "monitoring_line: 3000\n"))
    with pytest.raises(ConfigError, match="2020 年的监测标准"):
        load_policy(write(tmp_path, "monitoring_line:\n  2020: 3000\n  2023: 7500\n"))


def test_yearly_lines_and_the_mechanism(tmp_path: Path) -> None:
    """Issue 16: a province's line for each year; the mechanism by the policy file, else by the as-of date."""
    policy = load_policy(write(tmp_path, "monitoring_line:\n  2020: 6000\n  2023: 7500\nmechanism: 2021\n"))
    assert policy.on(date(2023, 6, 1)).monitoring_line == 7500 and policy.on(date(2022, 6, 1)).monitoring_line is None
    assert policy.on(date(2020, 6, 1)).mechanism == "2021"  # as the file says
    with pytest.raises(ConfigError) as caught:
        load_policy(write(tmp_path, "monitoring_line:\n  二〇二三: 7500\nmechanism: 2022\n"))
    assert "2 处错误" in str(caught.value) and "只能写 2020 或 2021" in str(caught.value)


@pytest.mark.parametrize("text", ["- 6000\n", "monitoring_line: [6000\n"])
def test_malformed_files_raise_config_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        load_policy(write(tmp_path, text))


def test_missing_file_raises_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="无法读取政策参数文件"):
        load_policy(tmp_path / "nope.yaml")


def test_threshold_bounds_are_inclusive(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "income_drop_threshold: 0\n")).income_drop_threshold == 0
    assert load_policy(write(tmp_path, "income_drop_threshold: 1\nscale_target: 1\n")).scale_target == 1


def test_severity_overrides_are_checked_like_every_other_key(tmp_path: Path) -> None:
    good = load_policy(write(tmp_path, "severity:\n  monitor.no_responsible: error\n"
                                       "  procedure.overdue:monthly: 问题\n"))
    assert good.severity_of("monitor.no_responsible", "warning") == "error"
    assert good.severity_of("procedure.overdue:monthly", "warning") == "error"
    assert good.severity_of("assist.none", "error") == "error"
    assert good.as_dict()["severity"] == {"monitor.no_responsible": "error", "procedure.overdue:monthly": "error"}
    with pytest.raises(ConfigError) as caught:
        load_policy(write(tmp_path, "severity:\n  monitor.no_responsibl: error\n  assist.none: 严重\n"
                                    "monthly_deadline_months: 0\n"))
    message = str(caught.value)
    assert "3 处错误" in message and "是不是要写「monitor.no_responsible」" in message
    assert "「assist.none」的级别「严重」不对" in message and "monthly_deadline_months" in message
    with pytest.raises(ConfigError, match="应写成"):
        load_policy(write(tmp_path, "severity: error\n"))
