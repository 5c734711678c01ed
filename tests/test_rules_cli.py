"""``tracker check`` end to end: a register written to disk, crafted cases mixed with compliant households."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.builders import household, measure, register, village
from tracker.cli.app import main
from tracker.register.sheets import RawRegister, SheetData
from tracker.register.writers import write_register

COUNTY_POLICY = "rural_dibao_annual: 4200\nurban_dibao_monthly: 700\n"


def sheets(raw: RawRegister) -> list[SheetData]:
    """The in-memory register as tabs to write (first row of each sheet is its header)."""
    return [SheetData(s.name, tuple(str(c) for c in s.rows[0][1]), [list(cells) for _, cells in s.rows[1:]])
            for s in raw.sheets.values()]


def crafted() -> RawRegister:
    west = {"行政村": "西村"}
    return register(
        villages=[village(), village(**{**west, "村代码": "410102001002", "最近排查日期": None})],
        households=[
            household(1),                                                       # compliant
            household(2, **west),                                               # compliant, other village
            household(3, **{"监测类别": "边缘户", "人均可支配收入（元）": 3999}),  # edge.should_register
            household(4),                                                       # no measure: assist.none
            household(5),                                                       # relief above 3 x 700 by township
            household(6, **{"系统录入日期": None}),                              # procedure.pending
            household(7, **{**west, "联系电话": "12345"}),                       # data error only: no finding
        ],
        measures=[measure("H0001"), measure("H0002"), measure("H0003"), measure("H0005"), measure("H0006"),
                  measure("H0007"),
                  measure("H0005", **{"措施类别": "临时救助", "金额（元）": 2101, "审批层级": "乡镇"})],
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("check")
    write_register(sheets(crafted()), root / "register.xlsx")
    write_register(sheets(register(households=[household(1)], measures=[measure("H0001")])), root / "compliant")
    (root / "county.yaml").write_text(COUNTY_POLICY, encoding="utf-8")
    (root / "bad.yaml").write_text("urban_dibao_montly: 700\nrural_dibao_annual: -1\n", encoding="utf-8")
    return {"register": root / "register.xlsx", "compliant": root / "compliant", "policy": root / "county.yaml",
            "bad": root / "bad.yaml", "missing": root / "nope.xlsx"}


def check(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def by_rule_of(data: dict[str, Any]) -> dict[str, Any]:
    return {f["rule"]: f for f in data["findings"]}


def test_json_reports_exactly_the_expected_pairs(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--source", files["register"], "--policy", files["policy"], "--as-of", "2020-06-15",
                         "--format", "json")
    assert code == 1  # assist.none and relief.approval_level are errors
    data = json.loads(out)
    assert set(data) == {"as_of", "policy", "policy_file", "findings", "skipped", "blind", "summary"}
    assert data["blind"] == [] and data["summary"]["blind_rules"] == []
    assert data["as_of"] == "2020-06-15"
    assert data["policy"]["urban_dibao_monthly"] == 700 and data["policy"]["rural_dibao_annual"] == 4200
    assert data["policy"]["rectification_deadline"] == "2020-05-10" and data["policy"]["registered_population"] is None
    pairs = {(f["household"], f["rule"]) for f in data["findings"]}
    assert pairs == {("H0003", "edge.should_register"), ("H0004", "assist.none"),
                     ("H0005", "relief.approval_level"), ("H0006", "procedure.pending"),
                     (None, "coverage.unscreened")}
    for f in data["findings"]:
        assert list(f) == ["rule", "severity", "household", "township", "village", "message", "next_action",
                           "sheet", "row", "citations", "setting"]
        assert all(set(c) == {"document", "clause", "quote"} for c in f["citations"])
        if f["severity"] == "error":  # an error rests on a document (the quotes are checked in test_citations)
            assert f["citations"], f
    assert by_rule_of(data)["coverage.unscreened"]["setting"].startswith("走访间隔是本县设定")
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert (by_rule["relief.approval_level"]["sheet"], by_rule["relief.approval_level"]["row"]) == ("帮扶措施", 8)
    assert by_rule["relief.approval_level"]["village"] == "东村"
    assert (by_rule["coverage.unscreened"]["sheet"], by_rule["coverage.unscreened"]["row"],
            by_rule["coverage.unscreened"]["village"]) == ("行政村", 3, "西村")
    assert (by_rule["assist.none"]["sheet"], by_rule["assist.none"]["row"]) == ("监测户", 5)
    assert [s["key"] for s in data["skipped"]] == ["registered_population"]
    assert data["skipped"][0]["rules"] == ["scale.share"]
    summary = data["summary"]
    assert summary["findings"] == 5
    assert summary["by_severity"] == {"error": 2, "warning": 2, "information": 1}
    assert summary["by_rule"]["assist.none"] == {"error": 1}
    assert summary["validation_errors"] == 1 and summary["skipped_rules"] == ["scale.share"]


def test_text_report_for_a_county_clerk(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--source", files["register"], "--policy", files["policy"], "--as-of", "2020-06-15")
    assert code == 1
    lines = out.splitlines()
    skipped = next(i for i, line in enumerate(lines) if "registered_population" in line)
    first_place = next(i for i, line in enumerate(lines) if line.startswith("【城关镇"))
    assert skipped < first_place  # the skipped-rule lines come first
    assert "名册中有 1 处数据错误" in out and "tracker validate --source" in out
    assert "12345" not in out  # validation errors are not repeated
    assert "【城关镇 东村】" in out and "【城关镇 西村】" in out
    assert "户编号 H0004（监测户 第 5 行）" in out
    assert ("[问题] 监测中的户没有正在实施的帮扶措施（assist.none，依据：郑脱贫组〔2020〕2号 二、(三)；"
            "豫脱贫组〔2020〕13号 五、(二)）") in out
    assert "下一步：请在县级确定后尽快录入全国扶贫开发信息系统（截止 2020年6月30日）" in out
    assert "政策检查：共 5 条（问题 2 条，提醒 2 条，提示 1 条）" in out


def test_compliant_register_exits_zero(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--source", files["compliant"], "--policy", files["policy"], "--as-of", "2020-06-15")
    assert code == 0
    assert "政策检查：没有发现问题。" in out


def test_warnings_alone_exit_zero(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--source", files["compliant"], "--as-of", "2020-08-15", "--format", "json")
    data = json.loads(out)
    assert {f["rule"] for f in data["findings"]} == {"coverage.unscreened"}
    assert code == 0
    assert [s["key"] for s in data["skipped"]] == ["registered_population", "rural_dibao_annual",
                                                   "urban_dibao_monthly"]


def test_unreadable_source_exits_two(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(capsys, "--source", files["missing"])
    assert code == 2 and out == "" and "找不到名册文件" in err


def test_bad_policy_file_exits_two_listing_every_problem(files: dict[str, Path],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = check(capsys, "--source", files["register"], "--policy", files["bad"])
    assert code == 2
    assert "urban_dibao_montly" in err and "urban_dibao_monthly" in err and "rural_dibao_annual" in err


def _without(reg: RawRegister, *dropped: str) -> RawRegister:
    """The register with these 监测户 columns taken out (header and cells)."""
    sheet = reg.sheets["监测户"]
    (n, head), *rows = sheet.rows
    keep = [i for i, h in enumerate(head) if h not in dropped]

    def pick(cells: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(cells[i] for i in keep if i < len(cells))

    return RawRegister(reg.source, {**reg.sheets, "监测户": type(sheet)("监测户", ((n, pick(head)),
                                                                                  *((k, pick(c)) for k, c in rows)))})


def test_a_register_without_a_required_column_never_reads_as_no_problems(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: the rules that need the column are not run, a banner says so first, and the exit code is 1 even
    though no finding is an error."""
    path = tmp_path / "no-labour"
    write_register(sheets(_without(register(households=[household(1)], measures=[measure("H0001")]), "劳动能力")),
                   path)
    code, out, _ = check(capsys, "--source", path, "--as-of", "2020-06-15")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("！！以下规则因名册缺少列「劳动能力」（监测户工作表）未检查") and "assist.mismatch" in first
    assert "能检查的规则没有发现问题，但有规则因缺少列没有检查" in out
    code, out, _ = check(capsys, "--source", path, "--as-of", "2020-06-15", "--format", "json")
    data = json.loads(out)
    assert code == 1 and [b["column"] for b in data["blind"]] == ["劳动能力"]
    assert data["summary"]["blind_rules"] == ["assist.mismatch"]
    assert not any(f["severity"] == "error" for f in data["findings"])


def test_without_the_status_column_the_household_rules_are_not_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "no-status"
    write_register(sheets(_without(crafted(), "监测状态", "监测类别")), path)
    code, out, _ = check(capsys, "--source", path, "--as-of", "2020-06-15", "--format", "json")
    data = json.loads(out)
    assert code == 1 and {b["column"] for b in data["blind"]} == {"监测状态", "监测类别"}
    blind = set(data["summary"]["blind_rules"])
    assert {"assist.none", "procedure.overdue", "edge.should_register"} <= blind
    assert not {f["rule"] for f in data["findings"]} & blind
