"""Passwords against a hostile register and a careless person (issue 14, item 9).

* Guessable passwords built from the register's own place names, pinyin, years and separators are refused,
  generated passwords keep their exact figure, and random ones pass.
* Place names with ``/``, ``\\``, ``:`` or 200 characters neither collide in the secrets file or the
  distribution sheets nor crash ``tracker passwords generate``, which writes all or nothing.
"""

from __future__ import annotations

import dataclasses
import random
import stat
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from tracker.cli.app import main
from tracker.common.errors import ConfigError
from tracker.protect.passwords import GENERATED_BITS, Secrets, check_strength, estimate_bits, generate_secrets
from tracker.protect.secrets_file import read_secrets, render_secrets, write_secrets
from tracker.protect.sheets import distribution_sheets, sheet_file_names
from tracker.protect.strength import MIN_GUESSES, Estimator

#: The issue's examples: place names of the register, pinyin, a year, separators, an interleaved sequence.
GUESSABLE = ["qing-he-xian-cheng-guan-zhen-2026", "Q-i-n-g-h-e-x-i-a-n-2-0-2-6", "a1b2c3d4e5f6g7h8i9j0k",
             "清河县城关镇下冯岗村监测户二零二六"]
PLACES = ["清河县", "城关镇", "下冯岗村"]
HOSTILE_TOWNSHIPS = ["甲/乙镇", "甲:乙镇", "甲\\乙镇", "甲_乙镇", "城" * 200, "A镇", "CON", "..", "双\"引号镇"]


# ------------------------------------------------------------------------------------------ estimate


@pytest.mark.parametrize("password", GUESSABLE)
def test_issue_examples_are_refused(password: str) -> None:
    assert estimate_bits(password, PLACES) < 40  # far below the bar, not just under it
    with pytest.raises(ConfigError, match="太容易猜") as info:
        check_strength(password, "县级", PLACES)
    message = str(info.value)
    assert "县级" in message and password not in message and "\n" not in message
    assert "tracker passwords generate" in message


def test_what_made_it_guessable_is_named() -> None:
    with pytest.raises(ConfigError, match="名册里的地名") as info:
        check_strength("qing-he-xian-cheng-guan-zhen-2026", "县级", PLACES)
    assert "年份" in str(info.value)
    with pytest.raises(ConfigError, match="连续的字母或数字"):
        check_strength("a1b2c3d4e5f6g7h8i9j0k", "县级")


@pytest.mark.parametrize("password", [
    "Qinghexian-Chengguanzhen", "chengguanzhen.xiafenggangcun.2026", "XIAFENGGANGCUN_2026_qinghe",
    "城关镇 下冯岗村 2026 qinghe", "清河县城关镇二〇二六年下冯岗村监测", "2026-qinghexian-2026-qinghexian",
])
def test_place_names_in_any_spelling_are_refused(password: str) -> None:
    with pytest.raises(ConfigError, match="太容易猜"):
        check_strength(password, "村「城关镇/下冯岗村」", PLACES)


def test_pinyin_without_the_register_is_still_cheap() -> None:
    # no place names known (the login password of tracker serve): the syllables and the year still count
    for password in ("Q-i-n-g-h-e-x-i-a-n-2-0-2-6", "清河县城关镇下冯岗村监测户二零二六", "qinghexian2024fangfan"):
        assert Estimator().estimate(password).guesses < MIN_GUESSES


def test_generated_passwords_keep_their_exact_figure_and_random_ones_pass() -> None:
    secrets = generate_secrets([("城关镇", "下冯岗村")], random.Random(14))
    for _, pw in secrets.places():
        assert estimate_bits(pw, PLACES) == GENERATED_BITS  # 12 x log2(64) + 3 x log2(10), exactly
    assert f"{GENERATED_BITS:.2f}" == "81.97"
    rng = random.Random(14)
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*"
    for _ in range(20):
        check_strength("".join(rng.choice(alphabet) for _ in range(20)), "县级", PLACES)


def test_an_estimate_is_quick_and_long_input_is_bounded() -> None:
    estimator = Estimator([*PLACES, *(f"第{i}村" for i in range(400))])
    estimator.estimate("清河县")  # the pinyin table is loaded once
    started = time.perf_counter()
    for password in GUESSABLE:
        estimator.estimate(password)
    assert (time.perf_counter() - started) / len(GUESSABLE) < 1.0
    started = time.perf_counter()
    assert estimator.estimate("城关镇" * 10_000).guesses < MIN_GUESSES
    assert time.perf_counter() - started < 5


def test_the_secrets_file_is_checked_with_its_own_place_names(tmp_path: Path) -> None:
    secrets = generate_secrets([("城关镇", "下冯岗村")], random.Random(15))
    secrets.county = "chengguanzhen-xiafenggangcun-jiance-2026"  # fine without the names, guessable with them
    assert Estimator().estimate(secrets.county).guesses >= 1e8
    with pytest.raises(ConfigError, match="名册里的地名"):
        secrets.check()
    path = tmp_path / "secrets.toml"
    path.write_text(render_secrets(secrets), encoding="utf-8")
    with pytest.raises(ConfigError, match="太容易猜"):
        read_secrets(path, env={})


# ------------------------------------------------------------------------------- names and file names


def test_hostile_township_names_get_one_safe_sheet_each() -> None:
    names = [(t, f"{t}下的村") for t in HOSTILE_TOWNSHIPS]
    secrets = generate_secrets(names, random.Random(16))
    sheets = distribution_sheets(secrets, "清河县")
    assert len(sheets) == len(HOSTILE_TOWNSHIPS)
    assert len({name.casefold() for name in sheets}) == len(sheets)  # distinct where case is ignored too
    for name in sheets:
        assert len(name.encode("utf-8")) <= 100 and name.endswith(".md") and not name.startswith(".")
        assert not set(name) & set('/\\:*?"<>|') and name.split(".")[0].upper() != "CON"
    for township in HOSTILE_TOWNSHIPS:
        own = [text for text in sheets.values() if secrets.township(township) in text]
        assert len(own) == 1 and secrets.village(township, f"{township}下的村") in own[0]
    assert "城关镇.md" in distribution_sheets(generate_secrets([("城关镇", "东村")], random.Random(1)))
    assert len({name.casefold() for name in sheet_file_names(["A镇", "a镇"]).values()}) == 2  # copied to Windows


def test_slashes_in_names_do_not_collide_in_the_secrets_file(tmp_path: Path) -> None:
    names = [("甲/乙", "丙"), ("甲", "乙/丙"), ("甲", "丁"), ("城" * 200, "村:\\1"), ("反斜杠\\镇", "引号\"村")]
    secrets = generate_secrets(names, random.Random(17))
    assert len(secrets.villages) == len(names)
    path = write_secrets(secrets, tmp_path / "secrets.toml")
    back = read_secrets(path, env={})
    assert (back.county, back.townships, back.villages) == (secrets.county, secrets.townships, secrets.villages)
    assert back.village("甲/乙", "丙") != back.village("甲", "乙/丙")


def test_files_in_the_old_form_still_read(tmp_path: Path) -> None:
    pw = [p for _, p in generate_secrets([("甲/乙", "丙"), ("城关镇", "东/西村")], random.Random(18)).places()]
    path = tmp_path / "secrets.toml"
    path.write_text(f'version = 1\n[county]\npassword = "{pw[0]}"\n[townships]\n"甲/乙" = "{pw[1]}"\n'
                    f'"城关镇" = "{pw[2]}"\n[villages]\n"甲/乙/丙" = "{pw[3]}"\n"城关镇/东/西村" = "{pw[4]}"\n',
                    encoding="utf-8")
    back = read_secrets(path, env={})
    assert back.villages == {("甲/乙", "丙"): pw[3], ("城关镇", "东/西村"): pw[4]}


# ---------------------------------------------------------------------------------------------- CLI


def _register(tmp_path: Path, townships: Sequence[str], village: str | None = None) -> Path:
    """The demo register with its townships renamed (in turn) and, if given, its first village renamed."""
    from tracker.demo.generator import generate
    from tracker.register.writers import write_register

    sheets = generate(villages=2 * len(townships), households=4 * len(townships), seed=3)
    villages = next(sheet for sheet in sheets if sheet.name == "行政村")
    v_col = villages.header.index("行政村")
    renamed = {row[v_col]: (townships[i % len(townships)], village if i == 0 and village else row[v_col])
               for i, row in enumerate(villages.rows)}
    out = []
    for sheet in sheets:
        if "乡镇（街道）" in sheet.header and "行政村" in sheet.header:
            t, v = sheet.header.index("乡镇（街道）"), sheet.header.index("行政村")
            rows = [list(row) for row in sheet.rows]
            for row in rows:
                if row[v] in renamed:
                    row[t], row[v] = renamed[row[v]]
            sheet = dataclasses.replace(sheet, rows=rows)
        out.append(sheet)
    path = tmp_path / "register.xlsx"
    write_register(out, path)
    return path


def test_generate_with_hostile_place_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    townships = ["甲/乙镇", "甲:乙镇", "甲\\乙镇", "甲_乙镇", "城" * 200]
    register = _register(tmp_path, townships)
    secrets, sheets = tmp_path / "private" / "secrets.toml", tmp_path / "private" / "sheets"
    assert main(["passwords", "generate", "--source", str(register), "--secrets", str(secrets),
                 "--sheets", str(sheets)]) == 0, capsys.readouterr().err
    data = read_secrets(secrets, env={})
    assert sorted(data.townships) == sorted(townships)
    files = sorted(sheets.iterdir())
    assert len(files) == len(townships) and all(len(f.name.encode()) <= 100 for f in files)
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    texts = [f.read_text(encoding="utf-8") for f in files]
    for township in townships:
        assert sum(data.township(township) in text for text in texts) == 1


def test_generate_writes_nothing_when_it_cannot_write_everything(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    register = _register(tmp_path, ["城关镇"])
    secrets, blocker = tmp_path / "private" / "secrets.toml", tmp_path / "not-a-folder"
    blocker.write_text("一个文件，不是目录", encoding="utf-8")
    args = ["passwords", "generate", "--source", str(register), "--secrets", str(secrets)]
    assert main([*args, "--sheets", str(blocker)]) == 2
    assert "分发表" in capsys.readouterr().err and not secrets.exists()  # nothing half-written
    assert main(args) == 0
    before = secrets.read_bytes()
    assert main([*args, "--force", "--sheets", str(blocker)]) == 2
    assert secrets.read_bytes() == before and blocker.read_text(encoding="utf-8") == "一个文件，不是目录"
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".sheets-") or p.name.endswith(".tmp")]


@pytest.mark.parametrize("password", GUESSABLE)
def test_generate_update_refuses_a_hand_made_guessable_password(tmp_path: Path, password: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    register = _register(tmp_path, ["城关镇"], village="下冯岗村")
    secrets = tmp_path / "private" / "secrets.toml"
    args = ["passwords", "generate", "--source", str(register), "--secrets", str(secrets)]
    assert main(args) == 0
    edited = read_secrets(secrets, env={})
    edited.county = password  # a person replaces the county password by hand
    secrets.write_text(render_secrets(Secrets(edited.county, edited.townships, edited.villages)), encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--update"]) == 2
    err = capsys.readouterr().err
    assert "县级" in err and "太容易猜" in err and password not in err and "Traceback" not in err
