"""The command line speaks Chinese: help, usage and every argument error (the flag names stay English)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli.app import _parser, main
from tracker.cli.parser import _width, translate

ROOT = Path(__file__).resolve().parent.parent
#: What argparse would print in English, none of which may reach a clerk.
ENGLISH = ("usage:", "positional arguments", "options", "show this help message and exit",
           "the following arguments are required", "unrecognized arguments", "invalid choice", "error:",
           "argument", "expected", "invalid")


def tracker(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


def assert_chinese(text: str) -> None:
    assert text.strip()
    for word in ENGLISH:
        assert word not in text.lower(), (word, text)


def test_top_level_help_is_chinese(tmp_path: Path) -> None:
    done = tracker("--help", cwd=tmp_path)
    assert done.returncode == 0 and not done.stderr
    assert_chinese(done.stdout)
    assert done.stdout.startswith("用法：tracker")
    assert "参数：" in done.stdout and "选项：" in done.stdout and "显示本帮助后退出" in done.stdout
    assert "validate" in done.stdout and "逐格校验名册" in done.stdout


@pytest.mark.parametrize(("args", "says"), [
    (("validate", "--nope"), "缺少必须给出的参数：--source"),  # the missing --source is reported first
    (("validate", "--source", "名册.xlsx", "--nope"), "不认识的参数：--nope"),
    (("validate", "--source", "名册.xlsx", "--sorce", "x"), "是不是要写 --source"),
    (("check",), "缺少必须给出的参数：--source"),
    (("check", "--source"), "--source：后面要跟一个值"),
    (("demo", "x", "--mechanism", "2019"), "「2019」不是可选的值，只能是：2020、2021"),
    (("check", "--source", "x", "--as-of", "2020-13-01"), "日期「2020-13-01」无效"),
    (("serve", "--port", "abc"), "--port：「abc」不是整数"),
    (("nope",), "「nope」不是可选的值"),
    ((), "缺少必须给出的参数：命令"),
    (("passwords", "generate", "--show"), "缺少必须给出的参数：--source、--secrets"),
])
def test_argument_errors_are_one_chinese_line_after_the_usage(tmp_path: Path, args: tuple[str, ...],
                                                               says: str) -> None:
    done = tracker(*args, cwd=tmp_path)
    assert done.returncode == 2 and not done.stdout
    assert_chinese(done.stderr)
    assert done.stderr.startswith("用法：tracker")
    errors = [line for line in done.stderr.splitlines() if line.startswith("错误：")]
    assert len(errors) == 1 and says in errors[0], done.stderr
    assert done.stderr.rstrip().endswith("-h")  # where to read more
    assert "Traceback" not in done.stderr


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.extend(_commands(sub, (*prefix, name)))
    return out


def test_every_subcommand_help_is_chinese_and_fits_the_terminal(capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    commands = _commands(_parser())
    assert ("passwords", "generate") in commands and ("nightly",) in commands and ("serve",) in commands
    for command in commands:
        with pytest.raises(SystemExit) as exit_:
            main([*command, "-h"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert_chinese(out)
        assert out.startswith(f"用法：{' '.join(('tracker', *command))}")
        for line in out.splitlines():
            assert _width(line) <= 80, line
        for line in out.splitlines():  # every value has a Chinese placeholder, never argparse's SOURCE, OUT ...
            assert not any(word.isupper() and len(word) > 1 and word.isascii() for word in line.replace("[", " ")
                           .replace("]", " ").split() if not word.startswith(("-", "{", "JSON", "HTTP", "YAML",
                                                                                    "CSV", "PEM", "TOML",
                                                                                    "README", "IP", "TRACKER",
                                                                                    "KEY", "YYYY", "PBKDF"))), line


def test_the_help_column_lines_up_by_display_width(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit):
        main(["check", "-h"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  --")]
    columns = {_width(line[:line.index("  ", 4)]) + len(line[line.index("  ", 4):]) - len(
        line[line.index("  ", 4):].lstrip(" ")) for line in rows if "  " in line[4:]}
    assert len(columns) == 1, rows


def test_translation_of_argparse_messages() -> None:
    assert translate("argument --format: invalid choice: 'x' (choose from 'text', 'json')") == (
        "--format：「x」不是可选的值，只能是：text、json")
    assert translate("ambiguous option: --s could match --source, --secrets") == (
        "选项 --s 不完整，可能是：--source、--secrets")
    assert translate("argument --port: invalid float value: '1,5'") == "--port：「1,5」不是数字"
    assert translate("argument --x: expected 2 arguments") == "--x：后面要跟 2 个值"
    assert translate("argument --a: not allowed with argument --b") == "--a：不能和 --b 一起用"
    assert translate("argument --quiet: ignored explicit argument 'yes'") == "--quiet：不带值（多写了「yes」）"
    assert translate("其他的话") == "其他的话"
