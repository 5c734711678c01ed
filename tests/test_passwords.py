"""Password policy, generated passwords, the secrets file, the level inventory and ``tracker passwords``."""

from __future__ import annotations

import math
import os
import random
import re
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.decrypt import decrypt_page
from tracker.cli.app import main
from tracker.common.errors import ConfigError
from tracker.pipeline.run import key_ring
from tracker.protect.encryption import (
    COUNTY_LEVEL,
    KDF_POW,
    MIN_KDF_POW,
    check_kdf_pow,
    missing_places,
    password_inventory,
)
from tracker.protect.passwords import (
    GENERATED_BITS,
    GENERATED_RE,
    MIN_BITS,
    SYLLABLES,
    Secrets,
    check_strength,
    estimate_bits,
    generate_password,
    generate_secrets,
)
from tracker.protect.secrets_file import demo_secrets, read_secrets, render_secrets, write_secrets
from tracker.protect.sheets import distribution_sheets
from tracker.site.build import NavEntry, build_site_dir
from tracker.site.pages import Page
from tracker.site.render import COUNTY_LEVEL as RENDER_COUNTY_LEVEL
from tracker.site.render import township_level, village_level

REPO = Path(__file__).resolve().parent.parent
NAMES = [("城关镇", "东村"), ("城关镇", "西村"), ("河西乡", "河西村")]


# ------------------------------------------------------------------------------------------ generation


def test_syllables_are_64_unambiguous_pinyin_pairs() -> None:
    assert len(SYLLABLES) == len(set(SYLLABLES)) == 64
    assert all(re.fullmatch(r"[bpmfdtnlgkhjqxzcsryw][aeiou]", s) for s in SYLLABLES)


def test_generated_entropy_is_computed_from_the_format() -> None:
    # 4 groups x 3 syllables from 64, then 3 digits: 64**12 * 10**3 equally likely passwords
    assert pytest.approx(math.log2(64**12 * 10**3)) == GENERATED_BITS
    assert GENERATED_BITS >= MIN_BITS
    rng = random.Random(7)
    samples = [generate_password(rng) for _ in range(3000)]
    assert len(set(samples)) == len(samples)
    for pw in samples[:200]:
        groups = pw.split("-")
        assert len(groups) == 5 and groups[-1].isdigit() and len(groups[-1]) == 3
        # every letter group splits into syllables in exactly one way (2 letters each)
        assert all(len(g) == 6 and all(g[i:i + 2] in SYLLABLES for i in (0, 2, 4)) for g in groups[:4])
        assert GENERATED_RE.fullmatch(pw) and estimate_bits(pw) == GENERATED_BITS
        check_strength(pw, "测试")
    used = {pw[i:i + 2] for pw in samples for g in range(4) for i in range(g * 7, g * 7 + 6, 2)}
    assert used == set(SYLLABLES)  # uniform over the whole alphabet, no syllable left out
    assert all(len(pw) == 31 for pw in samples)


def test_default_generator_is_the_system_random() -> None:
    assert generate_password() != generate_password()


@pytest.mark.parametrize("password", [
    "qinghexian2024fangfan", "password1234567890", "aaaaaaaaaaaaaaaaaaaaaaaa", "abcabcabcabcabcabcabc",
    "Qinghe@2024Qinghe@2024", "woaini5201314woaini", "correct horse battery staple", "1234567890qwertyuiop",
    "清河县防返贫监测密码很长很长", "Tr0ub4dor&3xyzzy",
    "bababa-bababa-bababa-bababa-123", "bababi-bababi-bobobo-bububu-000",  # the generated format, not random
])
def test_person_chosen_weak_passwords_are_refused(password: str) -> None:
    assert estimate_bits(password) < MIN_BITS
    with pytest.raises(ConfigError) as info:
        check_strength(password, "乡镇「城关镇」")
    assert "乡镇「城关镇」" in str(info.value) and password not in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("password", [
    "k2Jx9#mQ!w7Lz@4pT8v^Rn3$yB6e", "Hq7-vX2m_Lp9-Zr4k_Wt8n-Jc3b_Ys6d", "7f3Kq9Zx!2mW8vLp#4tR6nYb",
    "kV9pX2mQ7wL4zR8n", "Wq8#zL2v!Rk5pN9x",  # 16 random characters
])
def test_long_random_passwords_are_accepted(password: str) -> None:
    assert estimate_bits(password) >= MIN_BITS
    check_strength(password, "县级")


def test_short_and_padded_passwords() -> None:
    with pytest.raises(ConfigError, match="太短"):
        check_strength("Xk7#pQ2m", "县级")
    with pytest.raises(ConfigError, match="空格"):
        check_strength(" " + generate_password(random.Random(1)), "县级")
    with pytest.raises(ConfigError, match="空的"):
        check_strength("", "县级")


def test_every_place_needs_its_own_password() -> None:
    secrets = generate_secrets(NAMES, random.Random(1))
    secrets.check()
    secrets.villages[("城关镇", "西村")] = secrets.township("城关镇") or ""
    with pytest.raises(ConfigError, match="同一个密码") as info:
        secrets.check()
    assert "乡镇「城关镇」" in str(info.value) and "村「城关镇/西村」" in str(info.value)
    with pytest.raises(ConfigError, match="县级密码"):
        Secrets(county=None).check()


def test_generate_keeps_existing_passwords_and_fills_the_gaps() -> None:
    first = generate_secrets(NAMES[:2], random.Random(1))
    second = generate_secrets(NAMES, random.Random(2), keep=first)
    assert second.county == first.county and second.township("城关镇") == first.township("城关镇")
    assert second.village("城关镇", "东村") == first.village("城关镇", "东村")
    assert second.village("河西乡", "河西村") and second.township("河西乡")
    # names match the way the register matches them: width and spaces ignored
    assert second.village("城关镇 ", "东　村") == first.village("城关镇", "东村")


def test_distribution_sheets_one_per_township() -> None:
    secrets = generate_secrets(NAMES, random.Random(3))
    sheets = distribution_sheets(secrets, "清河县")
    assert set(sheets) == {"城关镇.md", "河西乡.md"}
    town = sheets["城关镇.md"]
    assert secrets.township("城关镇") in town and secrets.village("城关镇", "东村") in town
    assert secrets.village("河西乡", "河西村") not in town and secrets.township("河西乡") not in town
    assert secrets.county not in town  # the county password is not handed out to townships


# ----------------------------------------------------------------------------------------- secrets file


def test_secrets_file_round_trip_mode_and_overwrite(tmp_path: Path) -> None:
    secrets = generate_secrets([*NAMES, ('引号"镇', "反斜杠\\村")], random.Random(4))
    path = write_secrets(secrets, tmp_path / "s" / "secrets.toml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    back = read_secrets(path, env={})
    assert (back.county, back.townships, back.villages) == (secrets.county, secrets.townships, secrets.villages)
    with pytest.raises(ConfigError, match="已经存在"):
        write_secrets(secrets, path)
    write_secrets(secrets, path, force=True)


def test_county_password_from_the_environment(tmp_path: Path) -> None:
    path = write_secrets(generate_secrets(NAMES, random.Random(5)), tmp_path / "secrets.toml")
    other = generate_password(random.Random(99))
    assert read_secrets(path, env={"TRACKER_COUNTY_PASSWORD": other}).county == other


@pytest.mark.parametrize(("text", "expected"), [
    ('version = 1\n[county]\npassword = "yefufa-bicica-zapuli-xufawu-374"\n[extra]\n', "不认识的项"),
    ('[county]\npassword = "yefufa-bicica-zapuli-xufawu-374"\n[villages]\n"只有村名" = "x"\n', "乡镇/行政村"),
    ('[county]\npassword = "yefufa-bicica-zapuli-xufawu-374\n', "格式有误"),
    ('[county]\npassword = 12345\n', "引号"),
    ('[townships]\n"城关镇" = "yefufa-bicica-zapuli-xufawu-374"\n', "没有县级密码"),
])
def test_bad_secrets_files_are_explained_without_the_password(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected) as info:
        read_secrets(path, env={})
    assert "yefufa-bicica" not in str(info.value)


def test_secrets_refused_in_a_git_work_tree_or_the_output(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    secrets = generate_secrets(NAMES, random.Random(6))
    with pytest.raises(ConfigError, match="git 仓库"):
        write_secrets(secrets, tmp_path / "repo" / "conf" / "secrets.toml")
    with pytest.raises(ConfigError, match="git 仓库"):
        read_secrets(REPO / "secrets.toml", env={})
    path = write_secrets(secrets, tmp_path / "public" / "secrets.toml")
    with pytest.raises(ConfigError, match="网站输出目录"):
        read_secrets(path, out=tmp_path / "public", env={})
    with pytest.raises(ConfigError, match="网站输出目录"):
        read_secrets(path, out=tmp_path / "public.previous" / ".." / "public", env={})


def test_demo_secrets_are_reused_and_never_in_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first, path = demo_secrets(NAMES, Path("public"))
    again, _ = demo_secrets(NAMES, Path("public"))
    assert path == (tmp_path / ".tracker" / "demo" / "secrets.toml").resolve()
    assert render_secrets(first) == render_secrets(again) and stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ConfigError, match="网站输出目录"):
        demo_secrets(NAMES, Path(".tracker"))


# ---------------------------------------------------------------------------------------------- levels


def _model() -> SimpleNamespace:
    def v(slug: str, township: str, name: str, tslug: str) -> SimpleNamespace:
        return SimpleNamespace(slug=slug, township_slug=tslug, township=township, name=name)

    return SimpleNamespace(townships=[
        SimpleNamespace(slug="ta", name="城关镇",
                        villages=[v("v1", "城关镇", "东村", "ta"), v("v2", "城关镇", "西村", "ta")]),
        SimpleNamespace(slug="tb", name="河西乡", villages=[v("v3", "河西乡", "河西村", "tb")]),
    ])


def test_level_names_match_the_renderer() -> None:
    assert COUNTY_LEVEL == RENDER_COUNTY_LEVEL
    assert (township_level("ta"), village_level("v1")) == ("township-ta", "village-v1")


def test_inventory_gives_each_level_exactly_its_passwords() -> None:
    s = generate_secrets(NAMES, random.Random(8))
    levels = {"county", "township-ta", "township-tb", "village-v1", "village-v2", "village-v3"}
    inv = password_inventory(s, _model(), levels)
    town, east, west = s.township("城关镇"), s.village("城关镇", "东村"), s.village("城关镇", "西村")
    # in the order the browser tries them: the village's own, then the township's, then the county's
    assert inv["county"] == (s.county,)
    assert inv["township-ta"] == (town, s.county)
    assert inv["village-v1"] == (east, town, s.county) and inv["village-v2"] == (west, town, s.county)
    assert east not in inv["village-v2"] and town not in inv["village-v3"] and town not in inv["township-tb"]


def test_places_without_their_own_password_open_from_above() -> None:
    s = generate_secrets(NAMES[:1], random.Random(9))
    inv = password_inventory(s, _model(), {"village-v2", "village-v3", "township-tb", "village-unknown"})
    assert inv["village-v2"] == (s.township("城关镇"), s.county)
    assert inv["village-v3"] == inv["township-tb"] == inv["village-unknown"] == (s.county,)
    assert missing_places(s, _model()) == ["城关镇/西村", "河西乡", "河西乡/河西村"]


def test_kdf_strength_floor() -> None:
    assert check_kdf_pow(KDF_POW) == 10**KDF_POW and KDF_POW >= MIN_KDF_POW
    with pytest.raises(ConfigError, match="100,000"):
        check_kdf_pow(4)


def test_two_builds_in_one_process_use_their_own_passwords(tmp_path: Path) -> None:
    """Each build has its own keys: a page of one build does not open with the other build's password."""
    pages = [Page("index.md", "首页", "<h1>首页</h1><p>机密内容</p>", "county")]
    opened = []
    for n in (1, 2):
        secrets = Secrets(county=generate_password(random.Random(n)))
        site = tmp_path / f"site{n}"
        ring = key_ring(secrets, SimpleNamespace(townships=[]), pages, kdf_pow=MIN_KDF_POW)  # type: ignore[arg-type]
        build_site_dir(pages, site, [NavEntry("首页", "index.md")], ring)
        html = (site / "index.html").read_text(encoding="utf-8")
        assert "机密内容" not in html
        opened.append((decrypt_page(html, secrets.county or "", 10**MIN_KDF_POW),
                       decrypt_page(html, generate_password(random.Random(3 - n)), 10**MIN_KDF_POW)))
        assert not list(tmp_path.rglob("encryptcontent.cache"))
    assert all(own and "机密内容" in own and other is None for own, other in opened)


# ------------------------------------------------------------------------------------------------- CLI


def test_passwords_generate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.demo.generator import generate
    from tracker.register.writers import write_register

    register = tmp_path / "register.xlsx"
    write_register(generate(villages=10, households=30, seed=3), register)
    secrets, sheets = tmp_path / "private" / "secrets.toml", tmp_path / "private" / "sheets"
    args = ["passwords", "generate", "--source", str(register), "--secrets", str(secrets)]
    assert main([*args, "--sheets", str(sheets)]) == 0
    out = capsys.readouterr().out
    data = read_secrets(secrets, env={})
    assert len(data.villages) == 10 and len(data.townships) == 1 == len(list(sheets.glob("*.md")))
    assert not [pw for _, pw in data.places() if pw in out]  # nothing printed unless asked
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert main(args) == 2 and "已经存在" in capsys.readouterr().err
    assert main([*args, "--update"]) == 0
    assert render_secrets(read_secrets(secrets, env={})) == render_secrets(data)
    assert main([*args, "--force", "--show"]) == 0
    shown = capsys.readouterr().out
    assert read_secrets(secrets, env={}).county in shown and data.county not in shown
    assert main(["passwords", "generate", "--source", str(register), "--secrets",
                 str(REPO / "secrets-never.toml")]) == 2
    assert not (REPO / "secrets-never.toml").exists()


def test_nightly_demo_generates_its_passwords(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from tests.decrypt import decrypted_html

    for name in ("TRACKER_SECRETS", "TRACKER_COUNTY_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["nightly"]) == 0
    out = capsys.readouterr().out
    path = tmp_path / ".tracker" / "demo" / "secrets.toml"
    assert str(path) in out and "演示" in out and stat.S_IMODE(path.stat().st_mode) == 0o600
    county = read_secrets(path, env={}).county or ""
    home = decrypted_html(tmp_path / "public" / "index.html", county)
    assert "demo-banner" in home and "演示网站" in home
    assert not list(tmp_path.rglob("encryptcontent.cache"))
    assert os.environ.get("TRACKER_COUNTY_PASSWORD") is None
