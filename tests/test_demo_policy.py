"""``tracker demo`` writes the demo county's policy beside the register and prints the ``tracker check`` that sees
the register as the demo site does: the command line and the site agree on the demo."""

from __future__ import annotations

import json
import shlex
from datetime import date
from pathlib import Path

import pytest
import yaml

from tracker.cli.app import main
from tracker.pipeline import demo_policy
from tracker.pipeline.run import check
from tracker.site import build_site_model

AS_OF = date(2026, 11, 15)


def _demo(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    """Make a small demo; the ``tracker check`` command it prints, as arguments."""
    assert main(["demo", str(path), "--villages", "6", "--households", "90", "--as-of", AS_OF.isoformat(),
                 *extra]) == 0
    out = capsys.readouterr().out
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("tracker check ")]
    assert len(commands) == 1, out
    return shlex.split(commands[0])[1:]


def _check_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    main([*args, "--format", "json"])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _site_findings(register: Path, policy: Path | None, as_of: date) -> int:
    """The findings the site shows: on household, village and county pages, each once."""
    validated, outcome = check(str(register), policy_file=str(policy) if policy else None, as_of=as_of)
    model = build_site_model(validated, outcome)
    villages = (*model.villages, *((model.unassigned,) if model.unassigned else ()))
    shown = (sum(len(h.findings) for h in model.households) + sum(len(v.findings) for v in villages)
             + len(model.county_findings))
    assert shown == len(outcome.findings)
    return shown


def test_demo_then_the_printed_check_finds_what_the_demo_site_shows(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "演示 县.xlsx"  # a space: the printed command quotes it
    args = _demo(register, capsys)
    policy = tmp_path / "演示 县.policy.yaml"
    assert args == ["check", "--source", str(register), "--policy", str(policy), "--as-of", AS_OF.isoformat()]
    assert policy.read_text(encoding="utf-8") == demo_policy(AS_OF)  # the demo site's own policy (tracker nightly)
    report = _check_json(args, capsys)
    assert report["policy_file"] == str(policy) and report["skipped"] == []
    assert report["summary"]["findings"] == _site_findings(register, policy, AS_OF) > 0
    # without the demo's policy: fewer findings, and the skipped rules say how to give one
    bare = _check_json(args[:3] + args[5:], capsys)
    assert bare["summary"]["findings"] < report["summary"]["findings"]
    assert bare["policy_file"] is None and bare["skipped"]
    for skipped in bare["skipped"]:
        assert "--policy" in skipped["message"] and "schemas/policy.yaml" in skipped["message"]


def test_a_skipped_rule_names_the_policy_file_actually_used(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    args = _demo(tmp_path / "demo.xlsx", capsys)
    policy = tmp_path / "demo.policy.yaml"
    values = yaml.safe_load(policy.read_text(encoding="utf-8"))
    del values["monitoring_line"]  # the province's line for 2026: now unset
    policy.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    report = _check_json(args, capsys)
    [skipped] = report["skipped"]
    assert skipped["key"] == "monitoring_line"
    where = f"请在 --policy 指定的参数文件 {policy} 的 monitoring_line 下加一行“2026: 本省当年的标准”"
    assert where in skipped["message"]
    assert "schemas/policy.yaml" not in skipped["message"]
    main(args)
    text = capsys.readouterr().out
    assert f"政策参数（--policy {policy}）" in text and skipped["message"] in text


def test_a_demo_of_a_chosen_mechanism_is_checked_under_it_and_a_csv_folder_gets_its_policy_beside_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _demo(tmp_path / "csv", capsys, "--mechanism", "2020")
    policy = tmp_path / "csv.policy.yaml"
    assert (tmp_path / "csv").is_dir() and policy.is_file() and args[4] == str(policy)
    assert not list((tmp_path / "csv").glob("*.yaml"))  # the register's folder holds the register only
    report = _check_json(args, capsys)
    assert report["policy"]["mechanism"] == "2020" and report["skipped"] == []
    assert report["summary"]["findings"] == _site_findings(tmp_path / "csv", policy, AS_OF)
